// Package questionnaire owns the questionnaire: the contract between the
// tablet, the database and the statistics. It defines what is asked, in which
// order and under which conditions (Definition, Section, Question, Condition),
// how an interview ends early (EndRule, Disposition), and how the answers of
// one respondent turn into indicator values for the four rates (知晓率, 支持率,
// 参与率, 满意率), per-item rates, scores and a composite index (Indicator,
// Composite).
//
// The package is pure Go: no database, no network, no clock. It
//
//   - parses definitions from YAML or JSON (Parse, ParseJSON, Load) and checks
//     them completely, reporting every problem with file, line and column
//     (Problems);
//   - renders a definition as canonical JSON for the tablet and for storage
//     (Definition.CanonicalJSON) and hashes it for versioning
//     (Definition.ContentHash);
//   - evaluates skip logic for a response (Definition.Evaluate), validates a
//     response field by field (Definition.ValidateResponse, ResponseErrors) and
//     scores it into indicator values (Definition.Score).
//
// # Definition format
//
// A definition is a YAML (or JSON) mapping; unknown keys are errors. Texts
// are mappings from language tag to string and must be given in every
// declared language.
//
//	id: wenming-household            # slug: a-z, 0-9, '-'
//	title: {zh-CN: …, en: …}
//	intro: {zh-CN: …, en: …}         # optional, read out to the respondent
//	languages: [zh-CN, en]           # the default
//	sections:
//	  - id: screening
//	    title: {zh-CN: …, en: …}
//	    show_if: <condition>         # optional, hides the whole section
//	    questions:
//	      - code: S1                 # stable, unique: letter then letters, digits, _
//	        type: single_choice      # multiple_choice, yes_no, satisfaction, integer, text
//	        label: {zh-CN: …, en: …}
//	        help: {zh-CN: …, en: …}  # optional, for the interviewer
//	        required: true
//	        options:                 # choice types; yes_no and satisfaction have built-ins
//	          - {code: 1, label: {…}}
//	          - {code: 7, label: {…}, exclusive: true}      # multiple choice only
//	          - {code: 9, label: {…}, special: refused}     # or dont_know
//	        min: 0                   # integer only, both required
//	        max: 120
//	        max_length: 200          # text only, default 200
//	        show_if: <condition>
//	        end_if: {when: <condition>, disposition: not_eligible, message: {…}}
//	indicators:
//	  - {id: awareness, kind: rate, role: awareness, label: {…}, question: A1,
//	     positive: [1], dont_know: negative, refused: excluded, excluded: [], target: 0.90}
//	  - {id: score, kind: score, label: {…}, question: D8,
//	     scores: {1: 100, 2: 80, 3: 60, 4: 40, 5: 20}, dont_know: excluded}
//	  - {id: items, kind: mean, label: {…}, of: [sat_a, sat_b], target: 0.85}
//	composite: {label: {…}, weights: {awareness: 0.2, support: 0.2, participation: 0.2, satisfaction: 0.4}, target: 0.85}
//
// A rate or score whose question has a don't-know option must say
// dont_know: negative or excluded; refused defaults to excluded. Every code
// a score counts needs points. A mean averages rates or scores, not both.
// Weights of the composite sum to 1. Anchors and aliases are not allowed.
//
// Conditions are declarative data (all, any, not, equals, in, between,
// answered), never an expression language, so the tablet's JavaScript can
// evaluate the same rules. testdata/conformance.json holds cases that every
// implementation of the rules must pass.
//
// # Rules a JavaScript port must follow
//
// Visibility. Questions are taken in definition order. A question is visible
// when the interview has not ended before it, its section's show_if (if any)
// holds and its own show_if (if any) holds. Conditions only see answers to
// questions that are visible; an answer given to a hidden question is treated
// as absent. An answer is absent when it is missing, null, an empty list or a
// text that is empty after trimming white space.
//
// Conditions. equals, in and between are false when the question they name
// has no (visible, non-absent) answer; not negates, so not(equals) is then
// true. For a multiple-choice question equals(v) means "v is among the
// selected codes" and in(vs) means "some selected code is in vs". For other
// questions the answer must be a single number equal to v, in vs, or within
// [min, max] inclusive. answered(q) means "q has a visible, non-absent
// answer".
//
// Ending. A question's end_if is evaluated only once that question has an
// answer. When it holds the interview ends after that question with the
// rule's disposition; every later question is not visible and must not be
// answered. A response is eligible unless it ended as not_eligible.
//
// Indicator values for one respondent. A rate reads one question. Its value
// is missing when the question is not visible or has no answer or the answer
// holds a code that is not an option. Otherwise it is 1 when any answered
// code is positive (for a multiple-choice question: any selected code, e.g.
// any activity), missing when every answered code is excluded from the
// denominator, and 0 otherwise. The excluded codes are the indicator's
// excluded list, plus the question's refused option when refused: excluded,
// plus its don't-know option when dont_know: excluded; with negative they
// count as 0. A score reads one single-answer question: missing as for a rate
// or when the code is excluded, otherwise the points that scores gives the
// code. A mean is the arithmetic mean of the values of the indicators it
// names that are not missing for this respondent, and missing when all are
// missing; so a mean of rates is a number in [0, 1] per respondent (e.g. 5 of
// 7 items satisfied gives 5/7) and the statistics engine estimates its
// population mean like any other rate.
package questionnaire
