-- PostgreSQL forms of ../dashboard.sql.

-- name: dashboard-progress-by-day
-- Final assignments by street, local day of their last visit and AAPOR
-- category, as ../dashboard.sql says (off: the district's offset from UTC
-- in seconds).
SELECT street_id, day, category, SUM(n) AS n FROM (
    SELECT h.street_id AS street_id,
           to_char(to_timestamp(h.hour * 3600 + CAST(? AS INTEGER)) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, -- off
           h.category AS category, h.n AS n
    FROM fieldwork_hours h
    WHERE h.round_id = ? AND (? = 0 OR h.street_id = ?)
      AND (h.hour * 3600 + CAST(? AS INTEGER)) % 86400 <= 82800 -- off
    UNION ALL
    SELECT COALESCE(a.street_id, 0) AS street_id,
           to_char(a.last_visit_at AT TIME ZONE 'UTC' + make_interval(secs => CAST(? AS INTEGER)), 'YYYY-MM-DD') AS day, -- off
           a.category AS category, 1 AS n
    FROM assignments a
    WHERE CAST(? AS INTEGER) % 3600 <> 0 -- off
      AND a.round_id = ? AND (? = 0 OR a.street_id = ?)
      AND a.category IS NOT NULL AND a.last_visit_at IS NOT NULL
      AND (CAST(floor(extract(epoch FROM a.last_visit_at) / 3600) AS BIGINT) * 3600 + CAST(? AS INTEGER)) % 86400 > 82800 -- off
) d
GROUP BY 1, 2, 3
ORDER BY day, street_id
