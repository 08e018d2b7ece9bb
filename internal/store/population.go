package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// Population is an imported table of population counts.
type Population struct {
	ID            int64    `db:"id" json:"id"`
	FrameVersion  int      `db:"frame_version" json:"frame_version"`
	FrameID       int64    `db:"frame_id" json:"-"`
	Questionnaire string   `db:"questionnaire" json:"questionnaire"`
	VariablesJSON string   `db:"variables" json:"-"`
	Variables     []string `db:"-" json:"variables"`
	// Unit is what the counts count: "person" (adults, the respondents'
	// population) or "household".
	Unit         string    `db:"unit" json:"unit"`
	SourceName   string    `db:"source_name" json:"source_name"`
	SourceSHA256 string    `db:"source_sha256" json:"source_sha256"`
	Cells        int       `db:"cells" json:"cells"`
	Total        float64   `db:"total" json:"total"`
	CreatedBy    string    `db:"created_by" json:"created_by"`
	CreatedAt    time.Time `db:"created_at" json:"created_at"`
}

func (p *Population) decode() error {
	if err := json.Unmarshal([]byte(p.VariablesJSON), &p.Variables); err != nil {
		return apperr.Wrap(apperr.Internal, err, "population %d variables", p.ID)
	}
	return nil
}

// PopulationCount is one count of a population table.
type PopulationCount struct {
	StreetID int64   `db:"street_id" json:"street_id"`
	Street   string  `db:"street" json:"street"`
	Cell     string  `db:"cell" json:"cell"` // option codes of the variables, joined by ','
	Count    float64 `db:"count" json:"count"`
	Line     int     `db:"line" json:"line"`
}

// Population units.
const (
	UnitPerson    = "person"
	UnitHousehold = "household"
)

// NewPopulation is a checked population table to store.
type NewPopulation struct {
	FrameID         int64
	QuestionnaireID int64
	Unit            string // UnitPerson or UnitHousehold
	Variables       []string
	SourceName      string
	SourceSHA256    string
	Counts          []PopulationCount
	By              Actor
}

// ImportPopulation stores a population table and its audit entry in one
// transaction: all of it or nothing.
func (db *DB) ImportPopulation(ctx context.Context, np NewPopulation) (Population, error) {
	vars, err := json.Marshal(np.Variables)
	if err != nil {
		return Population{}, apperr.Wrap(apperr.Internal, err, "population variables")
	}
	total := 0.0
	for _, c := range np.Counts {
		total += c.Count
	}
	var id int64
	err = db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &id, db.Q("insert-population"), np.FrameID, np.QuestionnaireID, np.Unit, string(vars), np.SourceName,
			np.SourceSHA256, len(np.Counts), total, np.By.userID(), now()); err != nil {
			return db.mapErr(err, "population")
		}
		stmt, err := tx.PreparexContext(ctx, db.Q("insert-population-count"))
		if err != nil {
			return db.mapErr(err, "population counts")
		}
		defer stmt.Close()
		for _, c := range np.Counts {
			if _, err := stmt.ExecContext(ctx, id, c.StreetID, c.Cell, c.Count, c.Line); err != nil {
				return db.mapErr(err, "population counts")
			}
		}
		return db.AuditIn(ctx, tx, np.By, "population.import", "population", itoa(id),
			map[string]any{"source": np.SourceName, "sha256": np.SourceSHA256, "cells": len(np.Counts), "total": total, "variables": np.Variables, "unit": np.Unit})
	})
	if err != nil {
		return Population{}, err
	}
	return db.PopulationByID(ctx, id)
}

// Populations lists every population table, newest first.
func (db *DB) Populations(ctx context.Context) ([]Population, error) {
	var ps []Population
	if err := db.read.SelectContext(ctx, &ps, db.Q("list-populations")); err != nil {
		return nil, db.mapErr(err, "populations")
	}
	for i := range ps {
		if err := ps[i].decode(); err != nil {
			return nil, err
		}
	}
	return ps, nil
}

// PopulationByID returns one population table, or NotFound.
func (db *DB) PopulationByID(ctx context.Context, id int64) (Population, error) {
	var p Population
	err := db.read.GetContext(ctx, &p, db.Q("get-population"), id)
	if err == sql.ErrNoRows {
		return p, apperr.New(apperr.NotFound, "population %d not found", id)
	}
	if err != nil {
		return p, db.mapErr(err, "population")
	}
	return p, p.decode()
}

// LatestPopulation returns the newest population table of a frame, or
// NotFound.
func (db *DB) LatestPopulation(ctx context.Context, frameID int64) (Population, error) {
	var id int64
	if err := db.read.GetContext(ctx, &id, db.Q("latest-population-of-frame"), frameID); err != nil {
		return Population{}, db.mapErr(err, "population")
	}
	if id == 0 {
		return Population{}, apperr.New(apperr.NotFound, "no population counts have been imported for this frame: minyi population import FILE")
	}
	return db.PopulationByID(ctx, id)
}

// PopulationCounts returns the counts of a population table in file order.
func (db *DB) PopulationCounts(ctx context.Context, id int64) ([]PopulationCount, error) {
	var cs []PopulationCount
	err := db.read.SelectContext(ctx, &cs, db.Q("population-counts"), id)
	return cs, db.mapErr(err, "population counts")
}

// NewestRoundQuestionnaire returns the questionnaire slug of the newest
// round whose sample was drawn from a frame, or "" when there is none.
func (db *DB) NewestRoundQuestionnaire(ctx context.Context, frameID int64) (string, error) {
	var slug string
	err := db.read.GetContext(ctx, &slug, db.Q("newest-round-questionnaire-of-frame"), frameID)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return slug, db.mapErr(err, "rounds of the frame")
}

// QuestionnaireIDBySlug returns the id of a questionnaire, or NotFound.
func (db *DB) QuestionnaireIDBySlug(ctx context.Context, slug string) (int64, error) {
	var id int64
	err := db.read.GetContext(ctx, &id, db.Q("questionnaire-id-by-slug"), slug)
	if err == sql.ErrNoRows {
		return 0, apperr.New(apperr.NotFound, "questionnaire %q not found", slug)
	}
	return id, db.mapErr(err, "questionnaire")
}
