-- SQLite only: the schema as the migrations left it, for the dialect
-- parity test (store.DB.Describe). Tables named sqlite_… are SQLite's own.

-- name: schema-columns
SELECT m.name AS table_name, c.name AS column_name, c.type AS column_type,
       c."notnull" AS not_null, c.pk AS pk
FROM sqlite_schema m, pragma_table_info(m.name) c
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
ORDER BY m.name, c.cid

-- name: schema-indexes
-- origin is c (CREATE INDEX), u (a UNIQUE constraint) or pk (a primary key).
SELECT m.name AS table_name, il.name AS index_name, il."unique" AS is_unique,
       il.origin = 'pk' AS is_primary, il.partial AS is_partial, il.origin <> 'c' AS is_constraint,
       ii.seqno AS seq, COALESCE(ii.name, '(expression)') AS column_name
FROM sqlite_schema m, pragma_index_list(m.name) il, pragma_index_info(il.name) ii
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
ORDER BY m.name, il.name, ii.seqno

-- name: schema-foreign-keys
SELECT m.name AS table_name, CAST(fk.id AS TEXT) AS fk_name, fk.seq AS seq, fk."from" AS column_name,
       fk."table" AS ref_table, COALESCE(fk."to", '') AS ref_column, fk.on_delete AS on_delete
FROM sqlite_schema m, pragma_foreign_key_list(m.name) fk
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
ORDER BY m.name, fk.id, fk.seq
