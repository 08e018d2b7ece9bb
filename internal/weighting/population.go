package weighting

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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
	// Unit says what the counts count, "person" or "household", when the
	// count column's header does not (数量, count); "" takes the header's
	// word (人数: people, 户数: households), or people.
	Unit string
}

// ImportPopulation reads, checks and stores a population table: all of it
// and its audit entry, or nothing with every problem and its line.
func ImportPopulation(ctx context.Context, db *store.DB, r io.Reader, spec ImportSpec, by store.Actor) (store.Population, error) {
	switch spec.Unit {
	case "", store.UnitPerson, store.UnitHousehold:
	default:
		return store.Population{}, apperr.WithFields("unknown population unit", map[string]string{"unit": "person or household"})
	}
	fr, err := db.FrameByVersion(ctx, spec.FrameVersion)
	if err != nil {
		return store.Population{}, err
	}
	slug := spec.Questionnaire
	if slug == "" {
		if slug, err = defaultQuestionnaire(ctx, db, fr.ID); err != nil {
			return store.Population{}, err
		}
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
	unit := t.Unit
	switch {
	case spec.Unit == "":
		if unit == "" {
			unit = store.UnitPerson
		}
	case unit == "":
		unit = spec.Unit
	case unit != spec.Unit:
		return store.Population{}, apperr.WithFields("the count column and the unit disagree", map[string]string{
			"unit": fmt.Sprintf("the count column of %s is headed %s, which counts %ss; leave the unit out or head the column %s",
				spec.Name, t.CountHeader, unit, map[string]string{store.UnitPerson: "人数", store.UnitHousehold: "户数"}[spec.Unit])})
	}
	sum := sha256.Sum256(data)
	np := store.NewPopulation{FrameID: fr.ID, QuestionnaireID: qid, Unit: unit, Variables: t.Variables, SourceName: spec.Name,
		SourceSHA256: hex.EncodeToString(sum[:]), By: by}
	for _, row := range t.Rows {
		np.Counts = append(np.Counts, store.PopulationCount{StreetID: row.StreetID, Cell: row.Cell(), Count: row.Count, Line: row.Line})
	}
	return db.ImportPopulation(ctx, np)
}

// StandardQuestionnaire is the shipped four-rate questionnaire: the
// default of a population import on a frame no round uses yet.
const StandardQuestionnaire = "wenming-household"

// defaultQuestionnaire is the questionnaire whose questions name the
// categories of a population table when none is given: that of the newest
// round drawn from the frame, else the shipped four-rate questionnaire,
// else the only questionnaire there is.
func defaultQuestionnaire(ctx context.Context, db *store.DB, frameID int64) (string, error) {
	slug, err := db.NewestRoundQuestionnaire(ctx, frameID)
	if err != nil || slug != "" {
		return slug, err
	}
	qs, err := db.Questionnaires(ctx)
	if err != nil {
		return "", err
	}
	for _, q := range qs {
		if q.Slug == StandardQuestionnaire {
			return q.Slug, nil
		}
	}
	if len(qs) == 1 {
		return qs[0].Slug, nil
	}
	return "", apperr.WithFields("which questionnaire's questions name the categories?", map[string]string{
		"questionnaire": "no round uses this frame yet and there is no " + StandardQuestionnaire + ": name the questionnaire"})
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
