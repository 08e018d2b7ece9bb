// The samples page: the sample-size calculator answers as the user types
// (GET /api/v1/sample-size), the allocation per street is previewed before
// drawing (POST /api/v1/samples/preview, with the calculator's response
// rate), and a drawn sample opens its own page.

import { bindForm, send, strings, showErrors, clearErrors, parseForm, loginAgain } from "./form.js";
import { sizeQuery, debounce, fmt, previewRows } from "./office_util.js";

const draw = document.getElementById("sample-draw");
const calc = document.getElementById("sample-size");
const out = document.getElementById("size-result");
const preview = document.getElementById("preview");
let lastSize = null;

function cells(tr, values, tag = "td") {
  tr.replaceChildren(
    ...values.map((v, i) => {
      const c = document.createElement(tag);
      c.textContent = v;
      if (i > 0) c.className = "num";
      return c;
    }),
  );
  return tr;
}

async function calculate() {
  const t = await strings();
  clearErrors(calc);
  const fields = Object.fromEntries(new FormData(calc).entries());
  const frame = draw?.elements.frame_version?.value;
  if (frame) fields.frame = frame;
  const r = await fetch("/api/v1/sample-size?" + sizeQuery(fields), { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (r.status === 401) return loginAgain(calc);
  let json = null;
  try { json = await r.json(); } catch { json = null; }
  if (!r.ok) {
    showErrors(calc, t, r.status, json);
    out.querySelector("[data-out=completes]").textContent = "—";
    out.querySelector("[data-out=issue]").textContent = "—";
    lastSize = null;
    return;
  }
  lastSize = json;
  out.querySelector("[data-out=completes]").textContent = fmt(json.overall.completes);
  out.querySelector("[data-out=issue]").textContent = fmt(json.overall.issue);
  const table = document.getElementById("size-streets");
  const body = table.tBodies[0];
  body.replaceChildren(...(json.streets || []).map((s) => cells(document.createElement("tr"), [s.street, fmt(s.households), fmt(s.completes), fmt(s.issue)])));
  table.querySelector("[data-out=street-completes]").textContent = fmt(json.totals.completes);
  table.querySelector("[data-out=street-issue]").textContent = fmt(json.totals.issue);
  table.hidden = !(json.streets || []).length;
}

async function showPreview() {
  const t = await strings();
  clearErrors(draw);
  const body = parseForm(draw);
  delete body.name;
  const rr = Number(calc?.elements.response_rate.value);
  if (rr > 0) body.response_rate = rr;
  const res = await send("/api/v1/samples/preview", { body });
  if (res.status === 401) return loginAgain(draw);
  if (res.status !== 200) {
    showErrors(draw, t, res.status, res.json);
    preview.hidden = true;
    return;
  }
  const { rows, total } = previewRows(res.json);
  const table = document.getElementById("preview-table");
  table.tBodies[0].replaceChildren(...rows.map((r) => cells(document.createElement("tr"), r)));
  total[0] = t["office.total"] || "";
  table.tFoot.replaceChildren(cells(document.createElement("tr"), total, "th"));
  const p = res.json;
  document.getElementById("preview-note").textContent = (t["office.samples.preview_note"] || "")
    .replace("{frame}", p.frame_version).replace("{rate}", Math.round(p.response_rate * 100) + "%");
  preview.hidden = false;
}

function twoStage() {
  const on = draw.elements.design.value === "two-stage";
  for (const el of draw.querySelectorAll("[data-two-stage]")) {
    el.hidden = !on;
    for (const i of el.querySelectorAll("input")) i.disabled = !on;
  }
}

if (calc && out) {
  const again = debounce(calculate, 250);
  calc.addEventListener("input", again);
  calc.addEventListener("submit", (ev) => { ev.preventDefault(); calculate(); });
  calculate();
  document.getElementById("use-size")?.addEventListener("click", () => {
    if (lastSize && draw) {
      draw.elements.n.value = lastSize.overall.issue;
      draw.elements.n.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });
}

if (draw) {
  twoStage();
  draw.elements.design.addEventListener("change", twoStage);
  draw.elements.frame_version?.addEventListener("change", () => calc && calculate());
  document.getElementById("preview-button")?.addEventListener("click", showPreview);
  if (draw.querySelector("[type=submit]")) {
    draw.dataset.bound = "1";
    bindForm(draw, {
      url: draw.dataset.url,
      onSuccess: (json) => location.assign("/samples/" + encodeURIComponent(json.sample.name)),
    });
  }
}
