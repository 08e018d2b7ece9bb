package questionnaire

// GroupQuestions returns the questions whose answers make the respondent
// groups estimates are kept for (sex, age group, residence, …): the
// single-choice questions that no indicator reads, in interview order.
// Estimates by any other single-choice question are computed from the
// responses themselves; keeping sums for every question would multiply
// the sums kept per response by the number of questions.
func (d *Definition) GroupQuestions() []*Question {
	read := map[string]bool{}
	for _, ind := range d.Indicators {
		if ind.Question != "" {
			read[ind.Question] = true
		}
	}
	var out []*Question
	for _, q := range d.Questions() {
		if q.Type == TypeSingleChoice && !read[q.Code] {
			out = append(out, q)
		}
	}
	return out
}

// GroupCode returns the answer to a group question: the chosen option's
// code, or false when it was not answered.
func (r Response) GroupCode(question string) (int, bool) {
	a, ok := r[question]
	if !ok || a.Kind != AnswerNumber {
		return 0, false
	}
	return a.Number, true
}
