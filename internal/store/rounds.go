package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/minyi-survey/minyi/internal/apperr"
)

// Round is one survey wave.
type Round struct {
	ID                     int64         `db:"id" json:"id"`
	Name                   string        `db:"name" json:"name"`
	Kind                   string        `db:"kind" json:"kind"`
	Status                 string        `db:"status" json:"status"`
	Simulated              bool          `db:"simulated" json:"simulated"`
	QuestionnaireVersionID int64         `db:"questionnaire_version_id" json:"-"`
	SampleID               sql.NullInt64 `db:"sample_id" json:"-"`
	Questionnaire          string        `db:"questionnaire" json:"questionnaire"`
	QuestionnaireVersion   int           `db:"questionnaire_version" json:"questionnaire_version"`
	Definition             string        `db:"definition" json:"-"` // canonical JSON of the questionnaire version
	CreatedAt              time.Time     `db:"created_at" json:"created_at"`
}

// RoundByID returns a round with its questionnaire version's definition.
func (db *DB) RoundByID(ctx context.Context, id int64) (Round, error) {
	var r Round
	err := db.read.GetContext(ctx, &r, db.Q("get-round"), id)
	if err == sql.ErrNoRows {
		return r, apperr.New(apperr.NotFound, "round %d not found", id)
	}
	return r, db.mapErr(err, "round")
}

// Community is a community (社区), the PSU of two-stage samples.
type Community struct {
	ID       int64  `db:"id" json:"id"`
	StreetID int64  `db:"street_id" json:"street_id"`
	Code     string `db:"code" json:"code"`
	Name     string `db:"name" json:"name"`
	Position int    `db:"position" json:"position"` // within its street
}

// Communities lists every community in the district's order: by its
// street's position, then its own.
func (db *DB) Communities(ctx context.Context) ([]Community, error) {
	var cs []Community
	err := db.read.SelectContext(ctx, &cs, db.Q("list-communities"))
	return cs, db.mapErr(err, "list communities")
}
