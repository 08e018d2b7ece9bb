// The dashboard keeps its figures current: while the round is in the field,
// every 20 s (while the tab is visible) it fetches its own address again and swaps in the sections
// marked data-live (key figures, league table, charts, fieldwork) and the
// "as of" time; the refresh link does the same at once. Without
// JavaScript the link reloads the page. Open <details> stay open.

import { nextDelay, liveIds } from "./dashboard_refresh.js";

let failures = 0;
let timer = null;
const note = document.getElementById("refresh-note");
if (note) note.hidden = false;

async function refresh() {
  clearTimeout(timer);
  try {
    const res = await fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (res.redirected && new URL(res.url).pathname === "/login") {
      location.reload(); // the session ended: the login page brings the user back
      return;
    }
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    for (const id of liveIds(document.querySelectorAll("[data-live][id]"))) {
      const old = document.getElementById(id);
      const fresh = doc.getElementById(id);
      if (!old || !fresh) continue;
      const open = [...old.querySelectorAll("details[open]")].map((d) => d.querySelector("summary")?.textContent);
      for (const d of fresh.querySelectorAll("details")) {
        if (open.includes(d.querySelector("summary")?.textContent)) d.open = true;
      }
      old.replaceWith(document.importNode(fresh, true));
    }
    bind();
    failures = 0;
    document.body.dataset.refreshed = String(Date.now());
  } catch (err) {
    failures++;
    console.warn("dashboard refresh failed", err);
  }
  schedule();
}

function schedule() {
  clearTimeout(timer);
  const delay = nextDelay({ hidden: document.hidden, failures });
  if (delay !== null) timer = setTimeout(refresh, delay);
}

function bind() {
  const link = document.getElementById("refresh-now");
  if (link && !link.dataset.bound) {
    link.dataset.bound = "1";
    link.addEventListener("click", (ev) => {
      ev.preventDefault();
      refresh();
    });
  }
}

bind();
// Only a round in the field changes by itself (the page says so with the
// note); a planned or closed round's figures are refreshed by the link.
if (note) {
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refresh();
    else clearTimeout(timer);
  });
  schedule();
}
