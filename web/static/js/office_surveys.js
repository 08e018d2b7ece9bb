// Uploading a questionnaire definition as a draft: the file (or the pasted
// text) is posted as YAML or JSON to POST /api/v1/surveys; every problem is
// listed with its line, and a stored draft opens in its preview.

import { strings, showErrors, clearErrors, loginAgain } from "./form.js";
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
