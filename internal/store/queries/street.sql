-- The street office's pages: the assignment board, appointments due,
-- replacement requests with their visits, the review queue. Every query
-- takes the street in its WHERE: a supervisor's own street, or the street
-- an administrator chose (0 for every street where a query allows it).

-- name: street-round-streets
-- The streets that have households in a round, for an administrator's
-- street selector.
SELECT st.id, st.name FROM streets st
WHERE EXISTS (SELECT 1 FROM assignments a WHERE a.round_id = ? AND a.street_id = st.id)
ORDER BY st.position, st.id

-- name: street-board
-- One page of a street's households in a round with their board state,
-- filtered by community, interviewer (-1: nobody) and board state, and
-- the number of households the filter matches.
SELECT x.id, x.interviewer, x.community_id, x.community, x.building, x.household_key, x.status, x.disposition,
       x.attempts, x.last_outcome, x.last_visit_at, x.appointment_at, x.replacement, x.reserve_rank, x.board,
       COUNT(*) OVER () AS total
FROM (
  SELECT a.id, COALESCE(u.username, '') AS interviewer, a.community_id, c.name AS community, c.position AS community_position,
         h.building, h.household_key, a.status, COALESCE(a.disposition, '') AS disposition, a.attempts,
         COALESCE(a.last_outcome, '') AS last_outcome, a.last_visit_at, a.appointment_at, a.replacement, su.reserve_rank,
         CASE WHEN a.replacement = 'released' THEN 'replaced'
              WHEN a.replacement = 'due' THEN 'due'
              WHEN a.status = 'final' AND a.disposition IN ('complete', 'partial') THEN 'completed'
              WHEN a.status = 'final' AND a.disposition = 'refusal' THEN 'refused'
              WHEN a.status = 'final' THEN 'final'
              WHEN a.last_outcome = 'appointment' THEN 'appointment'
              WHEN a.attempts > 0 THEN 'visited'
              WHEN a.interviewer_id IS NULL THEN 'unassigned'
              ELSE 'assigned' END AS board
  FROM assignments a
  JOIN sample_units su ON su.id = a.sample_unit_id
  JOIN households h ON h.id = su.household_id
  JOIN communities c ON c.id = a.community_id
  LEFT JOIN users u ON u.id = a.interviewer_id
  WHERE a.round_id = ? AND a.street_id = ?
    AND (? = 0 OR a.community_id = ?)
    AND (? = 0 OR (? = -1 AND a.interviewer_id IS NULL) OR a.interviewer_id = ?)
) x
WHERE (? = '' OR x.board = ?)
ORDER BY x.community_position, x.community_id, x.building, x.household_key, x.id
LIMIT ? OFFSET ?

-- name: street-board-communities
-- A street's communities in a round with their households by state.
SELECT a.community_id AS id, c.name, COUNT(*) AS total,
       SUM(CASE WHEN a.interviewer_id IS NULL THEN 1 ELSE 0 END) AS unassigned,
       SUM(CASE WHEN a.status = 'final' THEN 1 ELSE 0 END) AS final,
       SUM(CASE WHEN a.status = 'final' AND a.disposition IN ('complete', 'partial') THEN 1 ELSE 0 END) AS completed,
       SUM(CASE WHEN a.replacement = 'due' THEN 1 ELSE 0 END) AS due
FROM assignments a JOIN communities c ON c.id = a.community_id
WHERE a.round_id = ? AND a.street_id = ?
GROUP BY a.community_id, c.name, c.position
ORDER BY c.position, a.community_id

-- name: street-interviewers
-- The active interviewers of a street, and how many households of the
-- round each holds.
SELECT u.id, u.username, u.display_name,
       (SELECT COUNT(*) FROM assignments a WHERE a.round_id = ? AND a.interviewer_id = u.id) AS households
FROM users u
WHERE u.role = 'interviewer' AND u.street_id = ? AND NOT u.disabled
ORDER BY u.username

-- name: street-appointments
-- Households of a round not yet final whose appointment falls in
-- [from, to), in a street (0: every street).
SELECT a.id, st.name AS street, c.name AS community, h.building, h.household_key,
       COALESCE(u.username, '') AS interviewer, a.appointment_at, a.attempts
FROM assignments a
JOIN sample_units su ON su.id = a.sample_unit_id
JOIN households h ON h.id = su.household_id
JOIN streets st ON st.id = a.street_id
JOIN communities c ON c.id = a.community_id
LEFT JOIN users u ON u.id = a.interviewer_id
WHERE a.round_id = ? AND a.appointment_at >= ? AND a.appointment_at < ?
  AND (? = 0 OR a.street_id = ?) AND a.status <> 'final'
ORDER BY a.appointment_at, a.id

-- name: street-due-visits
-- The visits of one page of a round's households awaiting a supervisor's
-- replacement approval (in the order of street-due-assignments), in a
-- street (0: every street).
SELECT v.assignment_id, v.attempted_at, v.outcome, v.note, COALESCE(u.username, '') AS interviewer, v.appointment_at
FROM (SELECT a.id FROM assignments a
      JOIN sample_units su ON su.id = a.sample_unit_id
      JOIN households h ON h.id = su.household_id
      JOIN streets st ON st.id = a.street_id
      JOIN communities c ON c.id = a.community_id
      WHERE a.round_id = ? AND a.replacement = 'due' AND (? = 0 OR a.street_id = ?)
      ORDER BY st.position, st.id, c.position, c.id, h.building, h.household_key, a.id
      LIMIT ? OFFSET ?) p
JOIN visits v ON v.assignment_id = p.id
LEFT JOIN users u ON u.id = v.interviewer_id
ORDER BY v.assignment_id, v.attempted_at, v.id

-- name: street-due-count
SELECT COUNT(*) FROM assignments a
WHERE a.round_id = ? AND a.replacement = 'due' AND (? = 0 OR a.street_id = ?)

-- name: street-review
-- One page of a round's review queue in a street (0: every street):
-- accepted or reviewed responses with quality flags, or flagged by a
-- supervisor, filtered by review state, with the number matched.
SELECT r.id, r.assignment_id, COALESCE(u.username, '') AS interviewer, st.name AS street, c.name AS community,
       h.building, h.household_key, r.status, r.disposition, r.started_at, r.completed_at, r.received_at,
       r.flags, r.review, r.review_note, COUNT(*) OVER () AS total
FROM assignments a
JOIN responses r ON r.assignment_id = a.id
JOIN sample_units su ON su.id = a.sample_unit_id
JOIN households h ON h.id = su.household_id
JOIN streets st ON st.id = a.street_id
JOIN communities c ON c.id = a.community_id
LEFT JOIN users u ON u.id = r.interviewer_id
WHERE r.round_id = ? AND (r.flags <> '[]' OR r.review = 'flagged')
  AND (? = 0 OR a.street_id = ?)
  AND (? = '' OR r.review = ?)
ORDER BY r.received_at, r.id
LIMIT ? OFFSET ?

-- name: street-response-place
-- Where and on which household a response was recorded, in a street
-- (0: every street).
SELECT r.latitude, r.longitude, r.accuracy_m, h.building, h.household_key, a.community_id
FROM responses r
JOIN assignments a ON a.id = r.assignment_id
JOIN sample_units su ON su.id = a.sample_unit_id
JOIN households h ON h.id = su.household_id
WHERE r.id = ? AND (? = 0 OR a.street_id = ?)

-- name: street-due-assignments
-- One page of the households of a round awaiting a supervisor's
-- replacement approval in a street (0: every street), as
-- list-assignments selects them.
SELECT a.id, a.round_id, a.sample_unit_id, a.interviewer_id, COALESCE(u.username, '') AS interviewer,
       a.street_id, st.name AS street, a.community_id, c.name AS community, h.building, h.household_key,
       su.reserve_rank, a.status, COALESCE(a.disposition, '') AS disposition, COALESCE(a.category, '') AS category,
       a.attempts, a.contacted, COALESCE(a.last_outcome, '') AS last_outcome, a.last_visit_at, a.appointment_at,
       a.replacement, a.reason, a.replaces_id, a.base_weight, a.assigned_at, a.updated_at
FROM assignments a
JOIN sample_units su ON su.id = a.sample_unit_id
JOIN households h ON h.id = su.household_id
JOIN streets st ON st.id = a.street_id
JOIN communities c ON c.id = a.community_id
LEFT JOIN users u ON u.id = a.interviewer_id
WHERE a.round_id = ? AND a.replacement = 'due' AND (? = 0 OR a.street_id = ?)
ORDER BY st.position, st.id, c.position, c.id, h.building, h.household_key, a.id
LIMIT ? OFFSET ?

-- name: street-progress-by-street
-- A round's assignments by group and AAPOR category, within one street
-- (street-…) or the whole round (round-…), from the counts the
-- assignments' triggers keep (fieldwork_counts, migration 00015): a few
-- rows per community and interviewer, however many households. One
-- query each, as an OR in the WHERE makes the planners read the whole
-- round for one street.
SELECT g.street_id AS group_id, st.name AS group_name, g.category, g.n, g.visits
FROM (SELECT f.street_id, f.category, SUM(f.n) AS n, SUM(f.visits) AS visits
      FROM fieldwork_counts f WHERE f.round_id = ? AND f.street_id = ?
      GROUP BY f.street_id, f.category) g
JOIN streets st ON st.id = g.street_id
ORDER BY st.position, st.id, g.category

-- name: round-progress-by-street
SELECT g.street_id AS group_id, st.name AS group_name, g.category, g.n, g.visits
FROM (SELECT f.street_id, f.category, SUM(f.n) AS n, SUM(f.visits) AS visits
      FROM fieldwork_counts f WHERE f.round_id = ?
      GROUP BY f.street_id, f.category) g
JOIN streets st ON st.id = g.street_id
ORDER BY st.position, st.id, g.category

-- name: street-progress-by-community
SELECT g.community_id AS group_id, st.name || ' ' || c.name AS group_name, g.category, g.n, g.visits
FROM (SELECT f.community_id, f.category, SUM(f.n) AS n, SUM(f.visits) AS visits
      FROM fieldwork_counts f WHERE f.round_id = ? AND f.street_id = ?
      GROUP BY f.community_id, f.category) g
JOIN communities c ON c.id = g.community_id
JOIN streets st ON st.id = c.street_id
ORDER BY st.position, st.id, c.position, c.id, g.category

-- name: round-progress-by-community
SELECT g.community_id AS group_id, st.name || ' ' || c.name AS group_name, g.category, g.n, g.visits
FROM (SELECT f.community_id, f.category, SUM(f.n) AS n, SUM(f.visits) AS visits
      FROM fieldwork_counts f WHERE f.round_id = ?
      GROUP BY f.community_id, f.category) g
JOIN communities c ON c.id = g.community_id
JOIN streets st ON st.id = c.street_id
ORDER BY st.position, st.id, c.position, c.id, g.category

-- name: street-progress-by-interviewer
-- (interviewer 0: the households of nobody)
SELECT g.interviewer_id AS group_id, COALESCE(u.username, '') AS group_name, g.category, g.n, g.visits
FROM (SELECT f.interviewer_id, f.category, SUM(f.n) AS n, SUM(f.visits) AS visits
      FROM fieldwork_counts f WHERE f.round_id = ? AND f.street_id = ?
      GROUP BY f.interviewer_id, f.category) g
LEFT JOIN users u ON u.id = g.interviewer_id
ORDER BY u.username, g.category

-- name: round-progress-by-interviewer
-- (grouped by street too: the households of nobody come once per street,
-- which rounds.Progress adds up)
SELECT g.interviewer_id AS group_id, COALESCE(u.username, '') AS group_name, g.category, g.n, g.visits
FROM (SELECT f.interviewer_id, f.category, SUM(f.n) AS n, SUM(f.visits) AS visits
      FROM fieldwork_counts f WHERE f.round_id = ?
      GROUP BY f.street_id, f.interviewer_id, f.category) g
LEFT JOIN users u ON u.id = g.interviewer_id
ORDER BY u.username, g.category
