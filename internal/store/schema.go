package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Schema is a database's tables as the migrations left them, described in
// terms both dialects share, so that the SQLite and PostgreSQL migrations
// can be compared (the dialect parity test). It is read from the catalog
// (sqlite_schema and its pragmas; pg_catalog and information_schema), not
// from the migration files.
type Schema map[string]*TableInfo

// TableInfo is one table: its columns in order, its primary key, its
// indexes and its foreign keys.
type TableInfo struct {
	Name        string
	Columns     []ColumnInfo
	PrimaryKey  []string
	Indexes     []IndexInfo      // without the primary key's
	ForeignKeys []ForeignKeyInfo // in no particular order
}

// ColumnInfo is one column. Family is the normalised type (TypeFamily).
type ColumnInfo struct {
	Name     string
	Declared string // the type as the database reports it
	Family   string
	NotNull  bool
}

// IndexInfo is one index. Constraint indexes (made by a UNIQUE constraint
// rather than CREATE INDEX) get names of the database's choosing, so they
// are compared by Key, not by Name.
type IndexInfo struct {
	Name       string
	Columns    []string
	Unique     bool
	Partial    bool
	Constraint bool
}

// Key identifies an index across dialects: its name when it was created by
// name, else "unique(col, …)".
func (ix IndexInfo) Key() string {
	if ix.Constraint {
		return "unique(" + strings.Join(ix.Columns, ", ") + ")"
	}
	return ix.Name
}

// String describes an index for messages.
func (ix IndexInfo) String() string {
	s := "(" + strings.Join(ix.Columns, ", ") + ")"
	if ix.Unique {
		s = "unique " + s
	}
	if ix.Partial {
		s += " partial"
	}
	return s
}

// ForeignKeyInfo is one foreign key.
type ForeignKeyInfo struct {
	Columns    []string
	RefTable   string
	RefColumns []string
	OnDelete   string // NO ACTION, CASCADE, SET NULL, …
}

// String describes a foreign key; equal strings mean equal keys.
func (fk ForeignKeyInfo) String() string {
	return fmt.Sprintf("(%s) → %s (%s) on delete %s",
		strings.Join(fk.Columns, ", "), fk.RefTable, strings.Join(fk.RefColumns, ", "), strings.ToLower(fk.OnDelete))
}

// TypeFamily maps a declared column type of either dialect to one of
// integer, text, real, boolean or timestamp (SQLite's affinity rules,
// which PostgreSQL's names also satisfy); an unknown type is returned in
// lower case, so that it shows up in a comparison.
func TypeFamily(declared string) string {
	t := strings.ToLower(strings.TrimSpace(declared))
	switch {
	case strings.HasPrefix(t, "timestamp"), t == "date", t == "datetime":
		return "timestamp"
	case strings.HasPrefix(t, "bool"):
		return "boolean"
	case strings.Contains(t, "int"):
		return "integer"
	case strings.Contains(t, "char"), strings.Contains(t, "text"), strings.Contains(t, "clob"):
		return "text"
	case strings.Contains(t, "real"), strings.Contains(t, "double"), strings.Contains(t, "float"), t == "numeric":
		return "real"
	}
	return t
}

// Describe reads the schema of the database (on PostgreSQL, of the current
// schema of the search path).
func (db *DB) Describe(ctx context.Context) (Schema, error) {
	var cols []struct {
		Table   string `db:"table_name"`
		Name    string `db:"column_name"`
		Type    string `db:"column_type"`
		NotNull bool   `db:"not_null"`
		PK      int    `db:"pk"`
	}
	if err := db.read.SelectContext(ctx, &cols, db.Q("schema-columns")); err != nil {
		return nil, db.mapErr(err, "describe columns")
	}
	s := Schema{}
	table := func(name string) *TableInfo {
		t := s[name]
		if t == nil {
			t = &TableInfo{Name: name}
			s[name] = t
		}
		return t
	}
	pks := map[string]map[int]string{} // SQLite: table → position → column
	for _, c := range cols {
		t := table(c.Table)
		if c.PK > 0 {
			if pks[c.Table] == nil {
				pks[c.Table] = map[int]string{}
			}
			pks[c.Table][c.PK] = c.Name
		}
		t.Columns = append(t.Columns, ColumnInfo{Name: c.Name, Declared: c.Type, Family: TypeFamily(c.Type), NotNull: c.NotNull})
	}
	for name, byPos := range pks {
		for i := 1; i <= len(byPos); i++ {
			s[name].PrimaryKey = append(s[name].PrimaryKey, byPos[i])
		}
	}
	// A lone INTEGER PRIMARY KEY is SQLite's rowid: never NULL, whatever
	// the pragma says about its declaration. (Other primary key columns of
	// a rowid table may hold NULL in SQLite, a documented legacy quirk, and
	// are reported as declared.)
	for name := range pks {
		if t := s[name]; len(t.PrimaryKey) == 1 {
			for i := range t.Columns {
				if t.Columns[i].Name == t.PrimaryKey[0] && strings.EqualFold(t.Columns[i].Declared, "INTEGER") {
					t.Columns[i].NotNull = true
				}
			}
		}
	}

	var ixRows []struct {
		Table      string `db:"table_name"`
		Index      string `db:"index_name"`
		Unique     bool   `db:"is_unique"`
		Primary    bool   `db:"is_primary"`
		Partial    bool   `db:"is_partial"`
		Constraint bool   `db:"is_constraint"`
		Seq        int    `db:"seq"`
		Column     string `db:"column_name"`
	}
	if err := db.read.SelectContext(ctx, &ixRows, db.Q("schema-indexes")); err != nil {
		return nil, db.mapErr(err, "describe indexes")
	}
	for i := 0; i < len(ixRows); {
		r := ixRows[i]
		ix := IndexInfo{Name: r.Index, Unique: r.Unique, Partial: r.Partial, Constraint: r.Constraint}
		for ; i < len(ixRows) && ixRows[i].Table == r.Table && ixRows[i].Index == r.Index; i++ {
			ix.Columns = append(ix.Columns, ixRows[i].Column)
		}
		t := table(r.Table)
		if r.Primary {
			if len(t.PrimaryKey) == 0 { // PostgreSQL: the key is known by its index
				t.PrimaryKey = ix.Columns
			}
			continue
		}
		t.Indexes = append(t.Indexes, ix)
	}

	var fkRows []struct {
		Table     string `db:"table_name"`
		Name      string `db:"fk_name"`
		Seq       int    `db:"seq"`
		Column    string `db:"column_name"`
		RefTable  string `db:"ref_table"`
		RefColumn string `db:"ref_column"`
		OnDelete  string `db:"on_delete"`
	}
	if err := db.read.SelectContext(ctx, &fkRows, db.Q("schema-foreign-keys")); err != nil {
		return nil, db.mapErr(err, "describe foreign keys")
	}
	for i := 0; i < len(fkRows); {
		r := fkRows[i]
		fk := ForeignKeyInfo{RefTable: r.RefTable, OnDelete: strings.ToUpper(r.OnDelete)}
		for ; i < len(fkRows) && fkRows[i].Table == r.Table && fkRows[i].Name == r.Name; i++ {
			fk.Columns = append(fk.Columns, fkRows[i].Column)
			fk.RefColumns = append(fk.RefColumns, fkRows[i].RefColumn)
		}
		t := table(r.Table)
		t.ForeignKeys = append(t.ForeignKeys, fk)
	}
	for _, t := range s {
		slices.SortFunc(t.Indexes, func(a, b IndexInfo) int { return strings.Compare(a.Key(), b.Key()) })
		slices.SortFunc(t.ForeignKeys, func(a, b ForeignKeyInfo) int { return strings.Compare(a.String(), b.String()) })
	}
	return s, nil
}
