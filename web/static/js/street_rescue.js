// Tablet rescue: post the file a tablet exported to POST /rescue and list
// every item as received, already held, or refused with the reason.

import { bindForm, strings } from "./form.js";
import { outcomeKey } from "./street_util.js";

const form = document.getElementById("rescue-form");

async function show(res) {
  const t = await strings();
  const box = document.getElementById("rescue-result");
  document.getElementById("rescue-file").textContent = res.file || "";
  document.getElementById("rescue-summary").textContent = (t["street.rescue.summary"] || "%d %d %d")
    .replace("%d", res.received).replace("%d", res.held).replace("%d", res.refused);
  const body = box.querySelector("tbody");
  body.replaceChildren();
  for (const it of res.items || []) {
    const tr = document.createElement("tr");
    tr.className = "rescue-" + it.outcome;
    tr.dataset.outcome = it.outcome;
    const td = (text, cls) => {
      const c = document.createElement("td");
      c.textContent = text;
      if (cls) c.className = cls;
      tr.append(c);
      return c;
    };
    td(String(it.index + 1), "num");
    td(t["street.rescue.type." + it.type] || it.type);
    td(it.client_id || "", "code");
    td(it.assignment_id ? String(it.assignment_id) : "", "num");
    const o = td("");
    const badge = document.createElement("span");
    badge.className = "badge " + ({ received: "ok", held: "", refused: "bad" }[it.outcome] || "");
    badge.textContent = t[outcomeKey(it)] || it.outcome;
    o.append(badge);
    let detail = "";
    if (it.error) {
      detail = it.error.message || "";
      const f = Object.entries(it.error.fields || {}).map(([k, v]) => `${k}: ${v}`);
      if (f.length) detail += " (" + f.join("; ") + ")";
    } else if (it.id) {
      detail = (t["street.rescue.stored_as"] || "#%d").replace("%d", it.id);
    }
    td(detail);
    body.append(tr);
  }
  box.hidden = false;
  box.scrollIntoView({ block: "start" });
}

if (form) {
  bindForm(form, { url: form.dataset.url, encoding: "multipart", onSuccess: (json) => show(json) });
}
