-- PostgreSQL only.

-- name: analyze-households
ANALYZE households

-- name: reserve-street-id
SELECT nextval(pg_get_serial_sequence('streets', 'id'))

-- name: reserve-community-id
SELECT nextval(pg_get_serial_sequence('communities', 'id'))

-- name: insert-street-with-id
INSERT INTO streets (id, code, name, position, created_at) VALUES (?, ?, ?, ?, ?)

-- name: insert-community-with-id
INSERT INTO communities (id, street_id, code, name, position, created_at) VALUES (?, ?, ?, ?, ?, ?)
