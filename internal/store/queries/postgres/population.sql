-- PostgreSQL only: the weights of a whole round in two statements, the
-- arrays sent as single parameters (a cell of -1 is NULL).

-- name: bulk-update-response-weights
UPDATE responses r SET weight = v.w, input_weight = v.iw, cal_cell = NULLIF(v.cell, -1)
FROM unnest(?::bigint[], ?::float8[], ?::float8[], ?::int[]) AS v(id, w, iw, cell)
WHERE r.id = v.id AND r.round_id = ? AND r.status = 'accepted'

-- name: bulk-update-response-values-weights
UPDATE response_values rv SET weight = v.w, cal_cell = NULLIF(v.cell, -1)
FROM unnest(?::bigint[], ?::float8[], ?::int[]) AS v(id, w, cell)
WHERE rv.response_id = v.id
