-- PostgreSQL forms of ../dashboard.sql.

-- name: dashboard-progress-by-day
-- Final assignments by street, local day of their last visit and AAPOR
-- category; the second argument is the district's offset from UTC in
-- seconds (stored times are UTC).
SELECT a.street_id AS street_id, to_char(a.last_visit_at + CAST(? AS INTEGER) * INTERVAL '1 second', 'YYYY-MM-DD') AS day,
       a.category AS category, COUNT(*) AS n
FROM assignments a
WHERE a.round_id = ? AND a.category IS NOT NULL AND a.last_visit_at IS NOT NULL
  AND (? = 0 OR a.street_id = ?)
GROUP BY 1, 2, 3
ORDER BY day, a.street_id
