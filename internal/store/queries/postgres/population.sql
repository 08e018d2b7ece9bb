-- PostgreSQL only: the weights of a whole round in one statement, the
-- arrays sent as single parameters (a cell of -1 is NULL); the values
-- follow with a join.

-- name: bulk-update-response-weights
UPDATE responses r SET weight = v.w, input_weight = v.iw, cal_cell = NULLIF(v.cell, -1),
    sample_factor = v.sf, nr_class = v.nrc, nr_factor = v.nrf, hh_factor = v.hhf, cal_factor = v.cf, imputed = v.imp
FROM unnest(?::bigint[], ?::float8[], ?::float8[], ?::int[], ?::float8[], ?::text[], ?::float8[], ?::float8[], ?::float8[], ?::text[])
     AS v(id, w, iw, cell, sf, nrc, nrf, hhf, cf, imp)
WHERE r.id = v.id AND r.round_id = ? AND r.status = 'accepted'

-- name: copy-weights-to-values
UPDATE response_values rv SET weight = r.weight, cal_cell = r.cal_cell
FROM responses r
WHERE r.id = rv.response_id AND rv.round_id = ? AND r.round_id = rv.round_id
