// Small pure helpers of the office pages, tested with node --test
// (office_util.test.mjs).

/** definitionType picks the Content-Type of a questionnaire definition from its file name, else its text. */
export function definitionType(name, text) {
  const n = (name || "").toLowerCase();
  if (n.endsWith(".json")) return "application/json";
  if (n.endsWith(".yaml") || n.endsWith(".yml")) return "application/yaml";
  return /^\s*[{[]/.test(text || "") ? "application/json" : "application/yaml";
}

/**
 * sizeQuery builds the query of GET /api/v1/sample-size from the
 * calculator's fields (empty ones left out, so the server's defaults apply).
 */
export function sizeQuery(fields) {
  const q = new URLSearchParams();
  for (const k of ["margin", "p", "deff", "response_rate", "confidence", "population", "frame"]) {
    const v = fields[k];
    if (v !== undefined && v !== null && String(v).trim() !== "") q.set(k, String(v).trim());
  }
  return q.toString();
}

/** debounce calls fn once calls have paused for ms. */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** fmt writes a count with thousands separators (1,234). */
export function fmt(n) {
  return typeof n === "number" && Number.isFinite(n) ? n.toLocaleString("en-US") : "—";
}

/**
 * previewRows turns POST /api/v1/samples/preview's answer into table rows
 * of cells: street, households, communities, n, communities drawn,
 * households issued, reserves, expected interviews; and the total row.
 */
export function previewRows(p) {
  const row = (s, name) => [
    name ?? s.street, fmt(s.households), fmt(s.communities), fmt(s.n),
    s.psus ? fmt(s.psus) : "—", fmt(s.issued), fmt(s.reserves), (s.expected_interviews ?? 0).toFixed(1),
  ];
  return { rows: (p?.streets || []).map((s) => row(s)), total: p?.total ? row(p.total, "") : null };
}

/**
 * placeOrder builds the body of PUT /api/v1/streets/order from the order
 * form's numbers: entries are {id, n, group} in the page's order (group:
 * the street of a community, "" for a street); each list is sorted by the
 * number typed (an empty or invalid one stays where it was), ties keeping
 * the page's order.
 */
export function placeOrder(entries) {
  const sorted = (list) =>
    list
      .map((e, i) => ({ ...e, key: Number.isFinite(e.n) && String(e.n).trim() !== "" ? Number(e.n) : i + 1, i }))
      .sort((a, b) => a.key - b.key || a.i - b.i)
      .map((e) => e.id);
  const streets = [];
  const groups = new Map();
  for (const e of entries) {
    if (e.group === "" || e.group === undefined) streets.push(e);
    else {
      if (!groups.has(e.group)) groups.set(e.group, []);
      groups.get(e.group).push(e);
    }
  }
  const communities = {};
  for (const [g, list] of groups) communities[g] = sorted(list);
  return { streets: sorted(streets), communities };
}
