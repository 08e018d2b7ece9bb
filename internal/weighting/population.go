package weighting

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"

	"github.com/minyi-survey/minyi/internal/apperr"
	"github.com/minyi-survey/minyi/internal/population"
	"github.com/minyi-survey/minyi/internal/questionnaire"
	"github.com/minyi-survey/minyi/internal/store"
)

// MaxPopulationFile bounds a population file: streets × categories make a
// few thousand rows at most.
const MaxPopulationFile = 8 << 20

// ImportSpec says where population counts belong.
type ImportSpec struct {
	// FrameVersion is the frame whose streets the counts name; 0: the newest.
	FrameVersion int
	// Questionnaire is the slug whose questions and options name the
	// categories; "" is allowed when there is exactly one questionnaire.
	Questionnaire string
	// Name is the file name (".xlsx" for a workbook).
	Name string
}

// ImportPopulation reads, checks and stores a population table: all of it
// and its audit entry, or nothing with every problem and its line.
func ImportPopulation(ctx context.Context, db *store.DB, r io.Reader, spec ImportSpec, by store.Actor) (store.Population, error) {
	fr, err := db.FrameByVersion(ctx, spec.FrameVersion)
	if err != nil {
		return store.Population{}, err
	}
	slug := spec.Questionnaire
	if slug == "" {
		qs, err := db.Questionnaires(ctx)
		if err != nil {
			return store.Population{}, err
		}
		if len(qs) != 1 {
			return store.Population{}, apperr.WithFields("which questionnaire's questions name the categories?", map[string]string{"questionnaire": "required when there is not exactly one questionnaire"})
		}
		slug = qs[0].Slug
	}
	def, qid, err := publishedDefinition(ctx, db, slug)
	if err != nil {
		return store.Population{}, err
	}
	streets, err := db.FrameStreets(ctx, fr.ID)
	if err != nil {
		return store.Population{}, err
	}
	names := make(map[string]int64, len(streets))
	for _, s := range streets {
		names[s.Name] = s.ID
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxPopulationFile+1))
	if err != nil {
		return store.Population{}, apperr.Wrap(apperr.Invalid, err, "%s cannot be read", spec.Name)
	}
	if len(data) > MaxPopulationFile {
		return store.Population{}, apperr.New(apperr.TooLarge, "%s is larger than %d MB; a population table has one row per street and category", spec.Name, MaxPopulationFile>>20)
	}
	t, err := population.Read(bytes.NewReader(data), spec.Name, names, def)
	if err != nil {
		return store.Population{}, err
	}
	sum := sha256.Sum256(data)
	np := store.NewPopulation{FrameID: fr.ID, QuestionnaireID: qid, Variables: t.Variables, SourceName: spec.Name,
		SourceSHA256: hex.EncodeToString(sum[:]), By: by}
	for _, row := range t.Rows {
		np.Counts = append(np.Counts, store.PopulationCount{StreetID: row.StreetID, Cell: row.Cell(), Count: row.Count, Line: row.Line})
	}
	return db.ImportPopulation(ctx, np)
}

// publishedDefinition returns the newest published version of a
// questionnaire and the questionnaire's id.
func publishedDefinition(ctx context.Context, db *store.DB, slug string) (*questionnaire.Definition, int64, error) {
	sum, err := db.QuestionnaireSummary(ctx, slug)
	if err != nil {
		return nil, 0, err
	}
	if sum.Latest == 0 {
		return nil, 0, apperr.New(apperr.Invalid, "questionnaire %q has no published version", slug)
	}
	v, err := db.QuestionnaireVersion(ctx, slug, sum.Latest)
	if err != nil {
		return nil, 0, err
	}
	def, err := questionnaire.ParseJSON(slug+".json", []byte(v.Definition))
	if err != nil {
		return nil, 0, apperr.Wrap(apperr.Internal, err, "questionnaire %s", slug)
	}
	return def, sum.ID, nil
}
