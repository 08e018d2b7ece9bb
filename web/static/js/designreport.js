// The design evaluation's report (POST /api/v1/simulate/design) as rows of
// text for the design page (design.js): no DOM here, so node --test runs it.

/** fill replaces {name} in s by vars[name]. */
export function fill(s, vars) {
  return String(s ?? "").replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

const fixed = (d) => (x) => (typeof x === "number" && isFinite(x) ? x.toFixed(d) : "—");
const f3 = fixed(3);
const f4 = fixed(4);
const signed = (x) => (typeof x === "number" && isFinite(x) ? (x >= 0 ? "+" : "") + x.toFixed(4) : "—");
/** count writes a number of households with thousands separators, as the rest of the pages do (15,713). */
export const count = (x) => (typeof x === "number" && isFinite(x) ? String(Math.round(x)).replace(/\B(?=(\d{3})+(?!\d))/g, ",") : "—");
const pct = (x) => (typeof x === "number" && isFinite(x) ? (100 * x).toFixed(1) + "%" : "—");

/** indicatorName is an indicator's name in the page's language, else its id. */
export function indicatorName(t, id) {
  return t["design.ind." + id] || id;
}

/**
 * reportRows turns a report into what the page shows: the summary and
 * recommendation sentences, the metrics table (district first, then the
 * streets, each indicator in the report's order) and the streets' needs.
 * A row's below flag says the true value is below the indicator's target.
 */
export function reportRows(rep, t) {
  const d = rep.design || {};
  const targets = rep.targets || {};
  const summary = fill(t["design.summary"], {
    reps: count(rep.reps), drawn: count(d.drawn), n: count(d.n), per: d.per_community, streets: d.streets,
    households: count(d.households), rate: pct(d.response_rate),
  });
  const r = rep.recommendation || {};
  const recommendation = fill(t["design.recommendation"], {
    per_street: count(r.n_per_street), total: count(r.n_total), width: r.target_width, power: pct(r.power),
  });
  const row = (street, id, m) => {
    const target = targets[id];
    return {
      below: typeof target === "number" && m.true < target,
      cells: [street, indicatorName(t, id), f3(m.true), typeof target === "number" ? f3(target) : "—",
        signed(m.bias), f4(m.rmse), f4(m.mean_se), f3(m.mean_width), pct(m.coverage),
        m.p_flag_below === undefined || m.p_flag_below === null ? "—" : pct(m.p_flag_below), count(m.mean_n ?? 0)],
    };
  };
  const order = [];
  for (const s of rep.streets || []) if (!order.includes(s.indicator)) order.push(s.indicator);
  for (const id of Object.keys(rep.district || {}).sort()) if (!order.includes(id)) order.push(id);
  const rows = [];
  for (const id of order) {
    if (rep.district?.[id]) rows.push({ ...row(t["design.district"] || "district", id, rep.district[id]), district: true });
  }
  for (const s of rep.streets || []) rows.push(row(s.street, s.indicator, s));
  // Which goal sets a street's recommendation, in words (width, power, or
  // a census when even every household only just reaches it).
  const why = (s) => (s.driven_by ? fill(t["design.driven." + s.driven_by] || s.driven_by, { indicator: indicatorName(t, s.indicator || "") }) : "—");
  const needs = (r.streets || []).map((s) => [s.street, count(s.n), count(s.n_width), s.n_power ? count(s.n_power) : "—", count(s.n_needed), why(s)]);
  return { summary, recommendation, rows, needs };
}

/**
 * communityRows turns a report's community cells (community_cells) into
 * table rows: per rate the communities, respondents a community, and the
 * direct and model estimates' RMSE, mean SE and coverage, and how much of
 * the direct error the model removes. The model's cells are "—" when no
 * repetition could fit it (too few communities).
 */
export function communityRows(rep, t) {
  return (rep.communities || []).map((c) => {
    const d = c.direct || {};
    const m = c.model || {};
    const fitted = (c.model_failed ?? 0) < (rep.reps ?? 0);
    const mv = (f, x) => (fitted ? f(x) : "—");
    return [indicatorName(t, c.indicator), String(c.communities ?? 0), fixed(1)(c.mean_n),
      f4(d.rmse), f4(d.mean_se), pct(d.coverage),
      mv(f4, m.rmse), mv(f4, m.mean_se), mv(pct, m.coverage), mv(pct, c.rmse_gain)];
  });
}
