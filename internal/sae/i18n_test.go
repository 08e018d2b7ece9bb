package sae

import (
	"encoding/json"
	"os"
	"testing"
)

// Every reason of the model's checks has its words in zh-CN and English
// where the pages look them up ("dash.model.reason.<code>").
func TestReasonsHaveWords(t *testing.T) {
	for _, lang := range []string{"zh-CN", "en"} {
		b, err := os.ReadFile("../../web/i18n/dashboard." + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for _, r := range Reasons {
			if m["dash.model.reason."+string(r)] == "" {
				t.Errorf("%s: no words for reason %s", lang, r)
			}
		}
	}
}
