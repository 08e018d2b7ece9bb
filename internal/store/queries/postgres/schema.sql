-- PostgreSQL only: the schema as the migrations left it, for the dialect
-- parity test (store.DB.Describe). Only the current schema (search_path)
-- is described.

-- name: schema-columns
SELECT c.table_name AS table_name, c.column_name AS column_name, c.data_type AS column_type,
       c.is_nullable = 'NO' AS not_null, 0 AS pk
FROM information_schema.columns c
JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
ORDER BY c.table_name, c.ordinal_position

-- name: schema-indexes
-- is_constraint: the index backs a PRIMARY KEY or UNIQUE constraint of its
-- own table (a foreign key's conindid names the referenced table's index).
SELECT t.relname AS table_name, i.relname AS index_name, ix.indisunique AS is_unique,
       ix.indisprimary AS is_primary, ix.indpred IS NOT NULL AS is_partial,
       EXISTS (SELECT 1 FROM pg_constraint c
               WHERE c.conindid = ix.indexrelid AND c.conrelid = t.oid AND c.contype IN ('p', 'u')) AS is_constraint,
       k.ord AS seq, COALESCE(a.attname, '(expression)') AS column_name
FROM pg_index ix
JOIN pg_class i ON i.oid = ix.indexrelid
JOIN pg_class t ON t.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum > 0
WHERE n.nspname = current_schema() AND t.relkind = 'r'
ORDER BY t.relname, i.relname, k.ord

-- name: schema-foreign-keys
SELECT cl.relname AS table_name, c.conname AS fk_name, k.ord AS seq, a.attname AS column_name,
       rt.relname AS ref_table, ra.attname AS ref_column,
       CASE c.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE'
                          WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END AS on_delete
FROM pg_constraint c
JOIN pg_class cl ON cl.oid = c.conrelid
JOIN pg_namespace n ON n.oid = cl.relnamespace
JOIN pg_class rt ON rt.oid = c.confrelid
CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(attnum, refnum, ord)
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.refnum
WHERE c.contype = 'f' AND n.nspname = current_schema()
ORDER BY cl.relname, c.conname, k.ord
