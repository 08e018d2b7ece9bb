// Package migrations holds minyi's database migrations, one folder per
// dialect (sqlite/, postgres/), numbered NNNNN_name.sql in goose format.
// Both folders always hold the same versions, and migrate to the same
// tables, columns, keys and indexes: internal/store tests check both.
package migrations

import "embed"

// FS holds the migration files of every dialect.
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS
