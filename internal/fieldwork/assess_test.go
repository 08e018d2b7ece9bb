package fieldwork

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/questionnaire"
)

var shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at returns a Beijing time, e.g. at("2026-11-20 18:00").
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func visit(s string, o Outcome) Visit { return Visit{At: at(s), Outcome: o} }

func TestAssess(t *testing.T) {
	def := DefaultRule()
	with := func(f func(*Rule)) Rule {
		r := DefaultRule()
		f(&r)
		return r
	}
	// Three unsuccessful attempts on two days, the last one at 18:00 sharp.
	threeNoOne := []Visit{
		visit("2026-11-20 10:00", OutcomeNoOneHome),
		visit("2026-11-20 14:30", OutcomeNoOneHome),
		visit("2026-11-21 18:00", OutcomeNoOneHome),
	}
	tests := []struct {
		name   string
		rule   Rule
		visits []Visit
		resp   *Interview
		want   State // Reason is checked by reason
		reason string
	}{
		{
			name: "no visits: open",
			rule: def,
			want: State{Status: StatusOpen},
		},
		{
			name:   "response ran to the end",
			rule:   def,
			visits: []Visit{visit("2026-11-20 19:00", OutcomeInterview)},
			resp:   &Interview{},
			want:   State{Status: StatusFinal, Disposition: Complete, Category: CatI, Attempts: 1, Contacted: true, LastOutcome: OutcomeInterview},
			reason: "interview completed",
		},
		{
			name:   "response ended complete by an end rule",
			rule:   def,
			visits: []Visit{visit("2026-11-20 19:00", OutcomeInterview)},
			resp:   &Interview{Ended: questionnaire.DispositionComplete},
			want:   State{Status: StatusFinal, Disposition: Complete, Category: CatI, Attempts: 1, Contacted: true, LastOutcome: OutcomeInterview},
			reason: "interview completed",
		},
		{
			name:   "response screened out: not eligible, not replaced by default",
			rule:   def,
			visits: []Visit{visit("2026-11-20 19:00", OutcomeInterview)},
			resp:   &Interview{Ended: questionnaire.DispositionNotEligible},
			want:   State{Status: StatusFinal, Disposition: NotEligible, Category: CatNE, Attempts: 1, Contacted: true, LastOutcome: OutcomeInterview},
			reason: "screened out as not eligible during the interview; no replacement (on_not_eligible is off)",
		},
		{
			name:   "response screened out, automatic approval: released",
			rule:   with(func(r *Rule) { r.Approval, r.OnNotEligible = ApprovalAutomatic, true }),
			visits: []Visit{visit("2026-11-20 19:00", OutcomeInterview)},
			resp:   &Interview{Ended: questionnaire.DispositionNotEligible},
			want:   State{Status: StatusFinal, Disposition: NotEligible, Category: CatNE, Attempts: 1, Contacted: true, LastOutcome: OutcomeInterview, Replacement: ReplaceRelease},
			reason: "; replacement released automatically",
		},
		{
			name:   "response screened out, on_not_eligible on: replacement due",
			rule:   with(func(r *Rule) { r.OnNotEligible = true }),
			visits: []Visit{visit("2026-11-20 19:00", OutcomeInterview)},
			resp:   &Interview{Ended: questionnaire.DispositionNotEligible},
			want:   State{Status: StatusFinal, Disposition: NotEligible, Category: CatNE, Attempts: 1, Contacted: true, LastOutcome: OutcomeInterview, Replacement: ReplaceDue},
			reason: "; replacement due, waiting for a supervisor's approval",
		},
		{
			name:   "response stopped midway: partial, never replaced",
			rule:   with(func(r *Rule) { r.OnRefusal, r.OnOther = true, true }),
			visits: []Visit{visit("2026-11-20 19:00", OutcomeInterview)},
			resp:   &Interview{Ended: questionnaire.DispositionRefusal},
			want:   State{Status: StatusFinal, Disposition: Partial, Category: CatP, Attempts: 1, Contacted: true, LastOutcome: OutcomeInterview},
			reason: "the respondent stopped the interview midway",
		},
		{
			name: "an accepted response undoes an earlier refusal",
			rule: def,
			visits: []Visit{
				visit("2026-11-20 10:00", OutcomeRefused),
				visit("2026-11-21 19:00", OutcomeInterview),
			},
			resp: &Interview{},
			want: State{Status: StatusFinal, Disposition: Complete, Category: CatI, Attempts: 2, Contacted: true, LastOutcome: OutcomeInterview},
		},
		{
			name:   "response without visits still counts as contact",
			rule:   def,
			resp:   &Interview{},
			want:   State{Status: StatusFinal, Disposition: Complete, Category: CatI, Contacted: true},
			reason: "interview completed",
		},
		{
			name:   "refused at the door",
			rule:   def,
			visits: []Visit{visit("2026-11-20 19:05", OutcomeRefused)},
			want:   State{Status: StatusFinal, Disposition: Refusal, Category: CatR, Attempts: 1, Contacted: true, LastOutcome: OutcomeRefused, Replacement: ReplaceDue},
			reason: "refused (visit of 2026-11-20 19:05); replacement due, waiting for a supervisor's approval",
		},
		{
			name:   "refused, on_refusal off",
			rule:   with(func(r *Rule) { r.OnRefusal = false }),
			visits: []Visit{visit("2026-11-20 19:05", OutcomeRefused)},
			want:   State{Status: StatusFinal, Disposition: Refusal, Category: CatR, Attempts: 1, Contacted: true, LastOutcome: OutcomeRefused},
			reason: "; no replacement (on_refusal is off)",
		},
		{
			name: "a later interview visit does not undo a refusal",
			rule: def,
			visits: []Visit{
				visit("2026-11-20 10:00", OutcomeRefused),
				visit("2026-11-21 19:00", OutcomeInterview),
			},
			want:   State{Status: StatusFinal, Disposition: Refusal, Category: CatR, Attempts: 2, Contacted: true, LastOutcome: OutcomeInterview, Replacement: ReplaceDue},
			reason: "refused (visit of 2026-11-20 10:00)",
		},
		{
			name:   "vacant",
			rule:   def,
			visits: []Visit{visit("2026-11-20 10:00", OutcomeVacant)},
			want:   State{Status: StatusFinal, Disposition: NotEligible, Category: CatNE, Attempts: 1, Contacted: true, LastOutcome: OutcomeVacant},
			reason: "not eligible: the dwelling is vacant (visit of 2026-11-20 10:00)",
		},
		{
			name:   "no adult resident",
			rule:   def,
			visits: []Visit{visit("2026-11-20 10:00", OutcomeNoOneHome), visit("2026-11-21 10:00", OutcomeNoAdult)},
			want:   State{Status: StatusFinal, Disposition: NotEligible, Category: CatNE, Attempts: 2, Contacted: true, LastOutcome: OutcomeNoAdult},
			reason: "not eligible: no adult resident",
		},
		{
			name:   "short residence",
			rule:   def,
			visits: []Visit{visit("2026-11-20 10:00", OutcomeShortResidence)},
			want:   State{Status: StatusFinal, Disposition: NotEligible, Category: CatNE, Attempts: 1, Contacted: true, LastOutcome: OutcomeShortResidence},
			reason: "not eligible: no resident has lived there long enough",
		},
		{
			name:   "language barrier: other, on_other off by default",
			rule:   def,
			visits: []Visit{visit("2026-11-20 10:00", OutcomeLanguage)},
			want:   State{Status: StatusFinal, Disposition: Other, Category: CatO, Attempts: 1, Contacted: true, LastOutcome: OutcomeLanguage},
			reason: "language barrier (visit of 2026-11-20 10:00); no replacement (on_other is off)",
		},
		{
			name:   "language barrier, on_other and automatic",
			rule:   with(func(r *Rule) { r.OnOther, r.Approval = true, ApprovalAutomatic }),
			visits: []Visit{visit("2026-11-20 10:00", OutcomeLanguage)},
			want:   State{Status: StatusFinal, Disposition: Other, Category: CatO, Attempts: 1, Contacted: true, LastOutcome: OutcomeLanguage, Replacement: ReplaceRelease},
			reason: "; replacement released automatically",
		},
		{
			name:   "interview visit without an accepted response: in progress",
			rule:   def,
			visits: []Visit{visit("2026-11-20 19:00", OutcomeInterview)},
			want:   State{Status: StatusInProgress, Attempts: 1, Contacted: true, LastOutcome: OutcomeInterview},
			reason: "interviewed on 2026-11-20 19:00; the response has not been accepted yet",
		},
		{
			name: "interview visit wins over a met non-contact rule",
			rule: def,
			visits: append(slices.Clone(threeNoOne),
				visit("2026-11-22 19:00", OutcomeInterview)),
			want: State{Status: StatusInProgress, Attempts: 4, Contacted: true, LastOutcome: OutcomeInterview},
		},
		{
			name:   "non-contact: 3 attempts on 2 days, one at exactly 18:00",
			rule:   def,
			visits: threeNoOne,
			want:   State{Status: StatusFinal, Disposition: NonContact, Category: CatUH, Attempts: 3, LastOutcome: OutcomeNoOneHome, Replacement: ReplaceDue},
			reason: "3 unsuccessful attempts on 2 days, 1 in the evening; no one ever answered the door; replacement due, waiting for a supervisor's approval",
		},
		{
			name: "17:59 is not evening: in progress",
			rule: def,
			visits: []Visit{
				visit("2026-11-20 10:00", OutcomeNoOneHome),
				visit("2026-11-20 14:30", OutcomeNoOneHome),
				visit("2026-11-21 17:59", OutcomeNoOneHome),
			},
			want:   State{Status: StatusInProgress, Attempts: 3, LastOutcome: OutcomeNoOneHome},
			reason: "3 unsuccessful attempts on 2 days, 0 in the evening; non-contact needs 3 on 2 days, 1 from 18:00",
		},
		{
			name:   "evening_from moved to 17:30 makes 17:59 count",
			rule:   with(func(r *Rule) { r.EveningFrom = "17:30" }),
			visits: []Visit{visit("2026-11-20 10:00", OutcomeNoOneHome), visit("2026-11-20 14:30", OutcomeNoOneHome), visit("2026-11-21 17:59", OutcomeNoOneHome)},
			want:   State{Status: StatusFinal, Disposition: NonContact, Category: CatUH, Attempts: 3, LastOutcome: OutcomeNoOneHome, Replacement: ReplaceDue},
		},
		{
			name: "three attempts on one day: in progress",
			rule: def,
			visits: []Visit{
				visit("2026-11-20 10:00", OutcomeNoOneHome),
				visit("2026-11-20 14:30", OutcomeNoOneHome),
				visit("2026-11-20 19:30", OutcomeNoOneHome),
			},
			want:   State{Status: StatusInProgress, Attempts: 3, LastOutcome: OutcomeNoOneHome},
			reason: "3 unsuccessful attempts on 1 day, 1 in the evening",
		},
		{
			name:   "evening 0: the progress reason asks for no evening",
			rule:   with(func(r *Rule) { r.Evening = 0 }),
			visits: []Visit{visit("2026-11-20 10:00", OutcomeAppointment)},
			want:   State{Status: StatusInProgress, Attempts: 1, Contacted: true, LastOutcome: OutcomeAppointment},
			reason: "1 unsuccessful attempt on 1 day, 0 in the evening; non-contact needs 3 on 2 days",
		},
		{
			name: "two attempts: in progress",
			rule: def,
			visits: []Visit{
				visit("2026-11-20 19:00", OutcomeNoOneHome),
				visit("2026-11-21 19:00", OutcomeNoOneHome),
			},
			want: State{Status: StatusInProgress, Attempts: 2, LastOutcome: OutcomeNoOneHome},
		},
		{
			name: "an appointment never kept: non-contact NC",
			rule: def,
			visits: []Visit{
				visit("2026-11-20 10:00", OutcomeAppointment),
				visit("2026-11-21 19:00", OutcomeNoOneHome),
				visit("2026-11-22 19:00", OutcomeOther),
			},
			want:   State{Status: StatusFinal, Disposition: NonContact, Category: CatNC, Attempts: 3, Contacted: true, LastOutcome: OutcomeOther, Replacement: ReplaceDue},
			reason: "3 unsuccessful attempts on 3 days, 2 in the evening; someone answered the door but no interview was obtained",
		},
		{
			name:   "non-contact, on_non_contact off",
			rule:   with(func(r *Rule) { r.OnNonContact = false }),
			visits: threeNoOne,
			want:   State{Status: StatusFinal, Disposition: NonContact, Category: CatUH, Attempts: 3, LastOutcome: OutcomeNoOneHome},
			reason: "; no replacement (on_non_contact is off)",
		},
		{
			name:   "non-contact, automatic approval",
			rule:   with(func(r *Rule) { r.Approval = ApprovalAutomatic }),
			visits: threeNoOne,
			want:   State{Status: StatusFinal, Disposition: NonContact, Category: CatUH, Attempts: 3, LastOutcome: OutcomeNoOneHome, Replacement: ReplaceRelease},
		},
		{
			name: "evening 0 needs no evening attempt",
			rule: with(func(r *Rule) { r.Evening = 0 }),
			visits: []Visit{
				visit("2026-11-20 10:00", OutcomeNoOneHome),
				visit("2026-11-20 11:00", OutcomeNoOneHome),
				visit("2026-11-21 10:00", OutcomeNoOneHome),
			},
			want: State{Status: StatusFinal, Disposition: NonContact, Category: CatUH, Attempts: 3, LastOutcome: OutcomeNoOneHome, Replacement: ReplaceDue},
		},
		{
			// 15:30 and 16:30 UTC are on the same UTC day but on two Beijing
			// days (23:30 on the 20th, 00:30 on the 21st).
			name: "days are counted in the rule's time zone",
			rule: with(func(r *Rule) { r.Attempts, r.Days, r.Evening = 2, 2, 1 }),
			visits: []Visit{
				{At: time.Date(2026, 11, 20, 15, 30, 0, 0, time.UTC), Outcome: OutcomeNoOneHome},
				{At: time.Date(2026, 11, 20, 16, 30, 0, 0, time.UTC), Outcome: OutcomeNoOneHome},
			},
			want:   State{Status: StatusFinal, Disposition: NonContact, Category: CatUH, Attempts: 2, LastOutcome: OutcomeNoOneHome, Replacement: ReplaceDue},
			reason: "2 unsuccessful attempts on 2 days, 1 in the evening",
		},
		{
			name: "the same two visits in a UTC rule fall on one day",
			rule: with(func(r *Rule) { r.Attempts, r.Days, r.Evening, r.TimeZone = 2, 2, 0, "UTC" }),
			visits: []Visit{
				{At: time.Date(2026, 11, 20, 15, 30, 0, 0, time.UTC), Outcome: OutcomeNoOneHome},
				{At: time.Date(2026, 11, 20, 16, 30, 0, 0, time.UTC), Outcome: OutcomeNoOneHome},
			},
			want:   State{Status: StatusInProgress, Attempts: 2, LastOutcome: OutcomeNoOneHome},
			reason: "2 unsuccessful attempts on 1 day, 0 in the evening",
		},
		{
			// 10:00 and 22:00 in Kolkata (UTC+5:30) are 12:30 and 00:30
			// of the next day in Shanghai: one day with an evening visit
			// by Kolkata's clock, two days without by Shanghai's.
			name: "evenings are counted in the rule's time zone: Kolkata",
			rule: DefaultRuleIn("Asia/Kolkata"),
			visits: []Visit{
				{At: time.Date(2026, 11, 20, 4, 30, 0, 0, time.UTC), Outcome: OutcomeNoOneHome},
				{At: time.Date(2026, 11, 20, 16, 30, 0, 0, time.UTC), Outcome: OutcomeNoOneHome},
				{At: time.Date(2026, 11, 21, 4, 30, 0, 0, time.UTC), Outcome: OutcomeNoOneHome},
			},
			want:   State{Status: StatusFinal, Disposition: NonContact, Category: CatUH, Attempts: 3, LastOutcome: OutcomeNoOneHome, Replacement: ReplaceDue},
			reason: "3 unsuccessful attempts on 2 days, 1 in the evening",
		},
		{
			name: "the same visits by Shanghai's clock: no evening",
			rule: def,
			visits: []Visit{
				{At: time.Date(2026, 11, 20, 4, 30, 0, 0, time.UTC), Outcome: OutcomeNoOneHome},
				{At: time.Date(2026, 11, 20, 16, 30, 0, 0, time.UTC), Outcome: OutcomeNoOneHome},
				{At: time.Date(2026, 11, 21, 4, 30, 0, 0, time.UTC), Outcome: OutcomeNoOneHome},
			},
			want:   State{Status: StatusInProgress, Attempts: 3, LastOutcome: OutcomeNoOneHome},
			reason: "3 unsuccessful attempts on 2 days, 0 in the evening",
		},
		{
			name: "unsorted input: the earliest final visit decides, the latest is last",
			rule: def,
			visits: []Visit{
				visit("2026-11-22 10:00", OutcomeRefused),
				visit("2026-11-20 10:00", OutcomeVacant),
				visit("2026-11-21 10:00", OutcomeNoOneHome),
			},
			want:   State{Status: StatusFinal, Disposition: NotEligible, Category: CatNE, Attempts: 3, Contacted: true, LastOutcome: OutcomeRefused},
			reason: "(visit of 2026-11-20 10:00)",
		},
		{
			name: "unsorted unsuccessful attempts",
			rule: def,
			visits: []Visit{
				threeNoOne[2], threeNoOne[0], threeNoOne[1],
			},
			want: State{Status: StatusFinal, Disposition: NonContact, Category: CatUH, Attempts: 3, LastOutcome: OutcomeNoOneHome, Replacement: ReplaceDue},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := slices.Clone(tt.visits)
			got := Assess(tt.rule, tt.visits, tt.resp)
			if !slices.Equal(tt.visits, before) {
				t.Errorf("Assess changed the caller's visits: %v, was %v", tt.visits, before)
			}
			reason := got.Reason
			got.Reason = ""
			if got != tt.want {
				t.Errorf("Assess = %+v\nwant     %+v", got, tt.want)
			}
			if !strings.Contains(reason, tt.reason) {
				t.Errorf("Reason = %q, want it to contain %q", reason, tt.reason)
			}
			if (got.Status == StatusFinal && reason == "") || (got.Status == StatusOpen && reason != "") {
				t.Errorf("Reason = %q for status %s", reason, got.Status)
			}
		})
	}
}

func TestOutcomes(t *testing.T) {
	want := []Outcome{"interview", "no_one_home", "refused", "not_eligible_vacant", "not_eligible_no_adult",
		"not_eligible_short_residence", "language_barrier", "appointment", "other"}
	if !slices.Equal(Outcomes, want) {
		t.Fatalf("Outcomes = %v, want %v", Outcomes, want)
	}
	for _, o := range Outcomes {
		got, err := ParseOutcome(string(o))
		if err != nil || got != o {
			t.Errorf("ParseOutcome(%q) = %q, %v", o, got, err)
		}
		// Each outcome is exactly one of: interview, final, unsuccessful.
		kinds := 0
		for _, b := range []bool{o == OutcomeInterview, o.Final(), o.Unsuccessful()} {
			if b {
				kinds++
			}
		}
		if kinds != 1 {
			t.Errorf("%s is in %d kinds, want 1", o, kinds)
		}
		if o.Contact() != (o != OutcomeNoOneHome) {
			t.Errorf("%s.Contact() = %v", o, o.Contact())
		}
	}
}

func TestParseOutcomeError(t *testing.T) {
	for _, s := range []string{"", "Refused", "not_home", "interview "} {
		_, err := ParseOutcome(s)
		if err == nil {
			t.Errorf("ParseOutcome(%q) accepted", s)
			continue
		}
		if !apperr.Is(err, apperr.Invalid) {
			t.Errorf("ParseOutcome(%q) error is not Invalid: %v", s, err)
		}
		msg := err.Error()
		for _, o := range Outcomes {
			if !strings.Contains(msg, string(o)) {
				t.Errorf("ParseOutcome(%q) error %q does not list %s", s, msg, o)
			}
		}
		var o Outcome
		if err := o.UnmarshalText([]byte(s)); err == nil || o != "" {
			t.Errorf("UnmarshalText(%q) = %q, %v", s, o, err)
		}
	}
	var o Outcome
	if err := o.UnmarshalText([]byte("appointment")); err != nil || o != OutcomeAppointment {
		t.Errorf("UnmarshalText(appointment) = %q, %v", o, err)
	}
}
