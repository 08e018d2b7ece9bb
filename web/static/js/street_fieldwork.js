// The progress page keeps its numbers current: every 15 s it reads
// GET /api/v1/rounds/:id/progress by interviewer and by community and
// writes the cells of the rows on the page (no reload), then the time (in
// the district's zone, as the server writes it).

import { cells, clockIn, householdCells } from "./street_util.js";

const live = document.getElementById("live");

async function progress(by) {
  const r = await fetch(`${live.dataset.api}?by=${by}`, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (r.status === 401) {
    location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
    throw new Error("logged out");
  }
  if (!r.ok) throw new Error(String(r.status));
  return r.json();
}

function write(table, group, key) {
  const row = table?.querySelector(`tr[data-group="${key}"]`);
  if (!row) return;
  for (const [k, text] of Object.entries(cells(group))) {
    const td = row.querySelector(`[data-k="${k}"]`);
    if (td && td.textContent !== text) td.textContent = text;
  }
}

// writeHouseholds writes the household counts (#households) when the
// API's scope is the page's.
function writeHouseholds(h) {
  if (!h) return;
  for (const [k, text] of Object.entries(householdCells(h))) {
    const dd = document.querySelector(`#households [data-count="${k}"] dd`);
    if (dd && dd.textContent !== text) dd.textContent = text;
  }
}

async function refresh() {
  const err = document.getElementById("live-error");
  try {
    for (const by of ["interviewer", "community"]) {
      const p = await progress(by);
      const table = document.querySelector(`table[data-by="${by}"]`);
      for (const g of p.groups || []) write(table, g, String(g.id || 0));
      if (by === "interviewer" && live.dataset.liveTotal === "true") {
        write(table, p.total, "total");
        writeHouseholds(p.households);
      }
    }
    document.getElementById("updated-at").textContent = clockIn(new Date(), document.body.dataset.zone);
    err.hidden = true;
  } catch {
    err.hidden = false;
  }
}

if (live) {
  const every = Math.max(5000, Number(live.dataset.interval) || 15000);
  setInterval(refresh, every);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refresh();
  });
}
