// Pure helpers of the street pages, free of the page so that node --test
// covers them.

/** selectedIDs returns the checked boxes' values as numbers. */
export function selectedIDs(boxes) {
  return boxes.filter((b) => b.checked).map((b) => Number(b.value)).filter((n) => Number.isInteger(n) && n > 0);
}

/** assignedHref is the board's address after an assignment: the same
 * filters, with how many households went to whom. */
export function assignedHref(loc, result) {
  const q = new URLSearchParams(loc.search);
  q.delete("assigned");
  q.delete("to");
  q.set("assigned", String(result?.assigned ?? 0));
  q.set("to", String(result?.interviewer ?? ""));
  return `${loc.pathname}?${q}`;
}

/** pct formats a rate (null: no denominator) as the server does: 85.3%. */
export function pct(v) {
  return v === null || v === undefined || !Number.isFinite(v) ? "—" : (100 * v).toFixed(1) + "%";
}

/** cells maps a progress group of GET /api/v1/rounds/:id/progress to the
 * text of the page's cells, by their data-k. */
export function cells(g) {
  const c = g.dispositions || {};
  const total = ["i", "p", "r", "nc", "o", "uh", "ne", "pending"].reduce((s, k) => s + (c[k] || 0), 0);
  const r = g.rates || {};
  return {
    assignments: String(g.assignments),
    visits: String(g.visits),
    i: String(c.i || 0),
    final: String(total - (c.pending || 0)),
    pending: String(c.pending || 0),
    r: String(c.r || 0),
    nc: String(c.nc || 0),
    ne: String(c.ne || 0),
    rr1: pct(r.rr1),
    rr3: pct(r.rr3),
    coop1: pct(r.coop1),
    ref1: pct(r.ref1),
    con1: pct(r.con1),
  };
}

/** thousands formats a count as the server does: 2,280. */
export function thousands(n) {
  return String(Math.round(Number(n) || 0)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** householdCells maps the household counts of a progress answer
 * (its "households") to the text of the page's counts, by their
 * data-count. */
export function householdCells(h) {
  const out = {};
  for (const k of ["drawn", "reserves", "released", "assigned", "closed", "pending"]) out[k] = thousands(h?.[k]);
  return out;
}

/** outcomeKey is the string key of a rescued item's outcome. */
export function outcomeKey(item) {
  return `street.rescue.${item.outcome}`;
}

/** clockIn writes the time of day of date d in IANA zone tz (the
 * district's, the page's data-zone) as the server writes it: 09:05:07.
 * Without a zone it is the browser's own. */
export function clockIn(d, tz) {
  const opts = { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" };
  if (tz) opts.timeZone = tz;
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-GB", opts).formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.hour}:${parts.minute}:${parts.second}`;
}
