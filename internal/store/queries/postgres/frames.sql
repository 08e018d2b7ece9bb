-- PostgreSQL only.

-- name: analyze-households
ANALYZE households
