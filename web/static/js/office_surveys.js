// Uploading a questionnaire definition as a draft: the file (or the pasted
// text) is posted as YAML or JSON to POST /api/v1/surveys; every problem is
// listed with its line, and a stored draft opens in its preview.

import { strings, showErrors, clearErrors, loginAgain, send } from "./form.js";
import { definitionType } from "./office_util.js";

const form = document.getElementById("survey-upload");
if (form) {
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const t = await strings();
    clearErrors(form);
    const f = form.elements.file.files?.[0];
    const text = f ? await f.text() : form.elements.definition.value;
    const type = definitionType(f ? f.name : "", text);
    const button = form.querySelector("[type=submit]");
    button.disabled = true;
    let res;
    try {
      const r = await fetch("/api/v1/surveys", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": type, Accept: "application/json" }, body: text,
      });
      let json = null;
      try { json = await r.json(); } catch { json = null; }
      res = { status: r.status, json };
    } catch {
      res = { status: 0, json: null };
    } finally {
      button.disabled = false;
    }
    if (res.status === 401) return loginAgain(form);
    if (res.status === 201 && res.json?.slug) {
      location.assign(`/surveys/${encodeURIComponent(res.json.slug)}/draft`);
      return;
    }
    showErrors(form, t, res.status, res.json);
  });
}

// Uploading an XLSForm workbook: posted as multipart to
// POST /api/v1/surveys/xlsform. Problems and warnings come with their
// sheet, row and column and a message in English and Chinese; the page
// shows them in its language. A stored draft is linked, with the codes
// given to choices named otherwise than by a number.

/** xlsformLine writes a workbook problem or warning in lang. */
export function xlsformLine(p, lang, t) {
  const zh = lang.startsWith("zh");
  const msg = (zh && p.message_zh) || p.message || "";
  const where = [];
  if (p.sheet) where.push(p.sheet);
  if (p.row) where.push(zh ? `第 ${p.row} ${t["office.surveys.xlsform_row"] || "行"}` : `${t["office.surveys.xlsform_row"] || "row"} ${p.row}`);
  if (p.column) where.push(`${p.column}${p.header ? ` (${p.header})` : ""}`);
  return where.length ? `${where.join(" · ")}: ${msg}` : msg;
}

const xform = document.getElementById("xlsform-upload");
if (xform) {
  const lang = document.body?.dataset.lang || "zh-CN";
  xform.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const t = await strings();
    clearErrors(xform);
    const result = document.getElementById("xlsform-result");
    result.hidden = true;
    const body = new FormData();
    const f = xform.elements.file.files?.[0];
    if (f) body.append("file", f, f.name);
    const button = xform.querySelector("[type=submit]");
    button.disabled = true;
    xform.dataset.state = "sending";
    let res;
    try {
      res = await send(xform.dataset.url, { body });
    } finally {
      button.disabled = false;
    }
    if (res.status === 401) return loginAgain(xform);
    if (res.status === 201 && res.json?.slug) {
      const j = res.json;
      document.getElementById("xlsform-draft").href = `/surveys/${encodeURIComponent(j.slug)}/draft`;
      const fill = (id, items, line) => {
        const ul = document.getElementById(id);
        ul.replaceChildren(...items.map((x) => {
          const li = document.createElement("li");
          li.textContent = line(x);
          return li;
        }));
        document.getElementById(`${id}-title`).hidden = items.length === 0;
      };
      fill("xlsform-codes", j.codes || [], (c) => (t["office.surveys.xlsform_code"] || "{list} {name} {code}")
        .replace("{list}", c.list).replace("{name}", c.name).replace("{row}", c.row).replace("{code}", c.code));
      fill("xlsform-warnings", j.warnings || [], (w) => xlsformLine(w, lang, t));
      result.hidden = false;
      xform.dataset.state = "stored";
      return;
    }
    const json = res.json ? structuredClone(res.json) : null;
    const probs = json?.error?.details?.problems;
    if (Array.isArray(probs)) {
      json.error.details = { problems: probs.map((p) => xlsformLine(p, lang, t)) };
      json.error.message = (t["office.surveys.xlsform_refused"] || "{n}").replace("{n}", probs.length);
    }
    if (res.status === 413 && json?.error) json.error.message = t["office.surveys.xlsform_too_large"] || json.error.message;
    showErrors(xform, t, res.status, json);
    xform.dataset.state = "refused";
  });
}
