-- PostgreSQL forms of ../dashboard.sql.

-- name: dashboard-progress-by-day
-- Final assignments by street, local day of their last visit and AAPOR
-- category, from fieldwork_hours; the first argument is the district's
-- offset from UTC in seconds (stored hours are UTC).
SELECT h.street_id AS street_id,
       to_char(to_timestamp(h.hour * 3600 + CAST(? AS INTEGER)) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
       h.category AS category, SUM(h.n) AS n
FROM fieldwork_hours h
WHERE h.round_id = ? AND (? = 0 OR h.street_id = ?)
GROUP BY 1, 2, 3
ORDER BY day, h.street_id
