package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/surveys"
)

// TestCommittedFilesAreGenerated: the example files in surveys/examples are
// exactly what this generator writes (regenerate with
// go run ./surveys/examples/gen from the repository root).
func TestCommittedFilesAreGenerated(t *testing.T) {
	files, err := generate()
	if err != nil {
		t.Fatal(err)
	}
	again, _ := generate()
	for name, data := range files {
		if !bytes.Equal(data, again[name]) {
			t.Errorf("%s: two runs differ", name)
		}
		committed, err := os.ReadFile(filepath.Join("..", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(committed, data) {
			t.Errorf("surveys/examples/%s is not what the generator writes: run go run ./surveys/examples/gen", name)
		}
	}
}

// TestResponsesMatchTheQuestionnaire: the responses have a column for every
// indicator of the shipped questionnaire, and a register of a few hundred
// households over three streets.
func TestResponsesMatchTheQuestionnaire(t *testing.T) {
	files, err := generate()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(files["responses.csv"])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	def, err := questionnaire.Load(surveys.FS, "wenming-household.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cols := map[string]bool{}
	for _, h := range rows[0] {
		cols[h] = true
	}
	for _, ind := range def.Indicators {
		if !cols[ind.ID] {
			t.Errorf("responses.csv has no column %q", ind.ID)
		}
	}
	if n := len(rows) - 1; n != len(streets)*communitiesDrawn*perCommunity {
		t.Errorf("%d responses, want %d", n, len(streets)*communitiesDrawn*perCommunity)
	}
	reg, err := csv.NewReader(bytes.NewReader(files["register.csv"])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(reg) - 1; n < 200 || n > 800 {
		t.Errorf("%d households in the register, want a few hundred", n)
	}
}
