package weighting

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// Imputation is a calibration answer the weighting put in place of a
// missing or refused one, recorded with the response (responses.imputed,
// JSON: question code → Imputation) and shown in the exports.
type Imputation struct {
	// Code is the category calibration used.
	Code int `json:"code"`
	// Method is "collapse" (the "not stated" category merged with a
	// neighbouring one, Code) or "hotdeck" (the answer of a donor drawn at
	// random among the respondents of the same class who gave one).
	Method string `json:"method"`
	// Donor is the response whose answer a hot deck took.
	Donor int64 `json:"donor,omitempty"`
}

// ParseImputed reads a response's stored imputations ("" for none).
func ParseImputed(s string) (map[string]Imputation, error) {
	if s == "" {
		return nil, nil
	}
	var m map[string]Imputation
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "stored imputations")
	}
	return m, nil
}

// DescribeImputed says in words what was imputed, question by question:
// "E2=6 (not stated, collapsed); E5=2 (hot deck, response 17)".
func DescribeImputed(m map[string]Imputation) string {
	qs := make([]string, 0, len(m))
	for q := range m {
		qs = append(qs, q)
	}
	sort.Strings(qs)
	parts := make([]string, len(qs))
	for i, q := range qs {
		im := m[q]
		switch im.Method {
		case MissingHotDeck:
			parts[i] = fmt.Sprintf("%s=%d (hot deck, response %d)", q, im.Code, im.Donor)
		default:
			parts[i] = fmt.Sprintf("%s=%d (not stated, collapsed)", q, im.Code)
		}
	}
	return strings.Join(parts, "; ")
}

// The remedies for a missing or refused calibration answer.
const (
	MissingCollapse = "collapse"
	MissingHotDeck  = "hotdeck"
)
