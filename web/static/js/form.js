// Forms of the office pages: every form posts to the JSON API, so the
// server's checks are the only checks, and its answer is shown where it
// belongs: a 422's field errors beside their fields, a file's problems as a
// list by line, anything else above the button. A form whose session has
// expired keeps its input: it is stashed in sessionStorage, the user logs in
// again, and the page puts it back.
//
// Declarative use: <form data-api="/api/v1/…" [data-method="PATCH"]
// [data-encoding="multipart"] [data-redirect="/next"|data-reload]
// [data-confirm="form.confirm"]>. A field's error goes into the element
// [data-error-for=NAME] when there is one (see the "fielderror" template),
// else into a <p class="field-error"> added after the field, else into the
// element [data-error-group=PREFIX] when NAME is PREFIX.something (e.g. a
// rule's "rule.quality.gps_max_meters", which has no input). Programmatic
// use: bindForm(form, {url, method, encoding, toBody, onSuccess}).

import { parseFields, errorList, errorMessage, stashKey, fillForm, readForm } from "./formdata.js";

const lang = document.body?.dataset.lang || "zh-CN";
let stringsPromise;

/** strings returns the interface strings of the page's language. */
export function strings() {
  stringsPromise ??= fetch(`/i18n/${lang}.json`).then((r) => (r.ok ? r.json() : {})).catch(() => ({}));
  return stringsPromise;
}

/**
 * send posts body to url with XMLHttpRequest (which reports upload
 * progress) and resolves to {status, json}; a network failure resolves to
 * status 0.
 */
export function send(url, { method = "POST", body, onProgress } = {}) {
  return new Promise((resolve) => {
    const x = new XMLHttpRequest();
    x.open(method, url);
    x.withCredentials = true;
    x.setRequestHeader("Accept", "application/json");
    if (body !== undefined && !(body instanceof FormData)) {
      x.setRequestHeader("Content-Type", "application/json");
      body = JSON.stringify(body);
    }
    if (onProgress && x.upload) {
      x.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    }
    x.onload = () => {
      let json = null;
      try {
        json = x.responseText ? JSON.parse(x.responseText) : null;
      } catch {
        json = null;
      }
      resolve({ status: x.status, json });
    };
    x.onerror = () => resolve({ status: 0, json: null });
    x.send(body);
  });
}

/** loginAgain stashes the forms' input and goes to the login page, which returns here. */
export function loginAgain(form) {
  if (form?.id) {
    sessionStorage.setItem(stashKey(location.pathname, form.id), JSON.stringify(readForm(form)));
  }
  location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
}

function alertBox(form) {
  let box = form.querySelector(":scope > .form-alert");
  if (!box) {
    box = document.createElement("div");
    box.className = "form-alert";
    box.setAttribute("role", "alert");
    const submit = form.querySelector("[type=submit]");
    submit ? submit.before(box) : form.append(box);
  }
  return box;
}

/** clearErrors removes every message a previous answer left on form. */
export function clearErrors(form) {
  for (const el of form.querySelectorAll("[data-error-for]")) {
    el.textContent = "";
    el.hidden = true;
  }
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  const box = form.querySelector(":scope > .form-alert");
  if (box) box.remove();
}

/** showErrors writes an error answer's message, fields and details into form. */
export function showErrors(form, t, status, json) {
  const err = json?.error || {};
  const box = alertBox(form);
  box.className = "form-alert error";
  if (status === 0) {
    box.textContent = t["form.network"];
    return;
  }
  const fields = parseFields(err.fields);
  let first = null;
  const unplaced = [];
  for (const [name, msg] of fields) {
    const input = form.elements.namedItem(name);
    let slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
    if (!slot && input && input.nodeType === 1) {
      slot = document.createElement("p");
      slot.className = "field-error";
      slot.dataset.errorFor = name;
      slot.id = "err-" + name;
      (input.closest("label") || input).after(slot);
    }
    const group = slot ? null : [...form.querySelectorAll("[data-error-group]")].find((g) => name.startsWith(g.dataset.errorGroup + "."));
    if (group) {
      slot = document.createElement("p");
      slot.className = "field-error";
      slot.dataset.errorFor = name;
      slot.id = "err-" + name;
      group.append(slot);
    }
    if (!slot) {
      unplaced.push(`${name}: ${msg}`);
      continue;
    }
    // A message in a group names its key, which no input beside it does.
    const grouped = slot.parentElement?.dataset.errorGroup;
    slot.textContent = grouped ? `${name.slice(grouped.length + 1)}: ${msg}` : msg;
    slot.hidden = false;
    if (input && input.nodeType === 1) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", slot.id);
      first ??= input;
    }
  }
  const head = document.createElement("p");
  head.textContent = fields.length ? t["form.fix"] : (t["form.failed"] || "") + (errorMessage(t, err) || status);
  box.replaceChildren(head);
  if (fields.length && err.message) {
    const m = document.createElement("p");
    m.className = "muted";
    m.textContent = err.message;
    box.append(m);
  }
  const problems = [...unplaced, ...errorList(err.details)];
  if (problems.length) {
    const ul = document.createElement("ul");
    ul.className = "problems";
    ul.setAttribute("aria-label", t["form.problems"] || "");
    for (const p of problems) {
      const li = document.createElement("li");
      li.textContent = p;
      ul.append(li);
    }
    box.append(ul);
  }
  if (first) first.focus();
}

/**
 * bindForm sends form to the API on submit. opts: url, method, encoding
 * ("json" or "multipart"), toBody(form) → body, onSuccess(json, form),
 * onProgress(fraction). Resolves nothing; the page sees the outcome in
 * the form.
 */
export function bindForm(form, opts = {}) {
  const url = opts.url || form.dataset.api;
  const method = (opts.method || form.dataset.method || "POST").toUpperCase();
  const encoding = opts.encoding || form.dataset.encoding || "json";
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const t = await strings();
    if (form.dataset.confirm && !confirm(t[form.dataset.confirm] || form.dataset.confirm)) return;
    clearErrors(form);
    const button = form.querySelector("[type=submit]");
    const progress = form.querySelector("progress[data-progress]");
    if (button) button.disabled = true;
    form.setAttribute("aria-busy", "true");
    const body = opts.toBody ? opts.toBody(form) : encoding === "multipart" ? new FormData(form) : parseForm(form);
    const onProgress = (f) => {
      if (progress) {
        progress.hidden = false;
        progress.value = f;
        progress.textContent = Math.round(100 * f) + "%";
      }
      opts.onProgress?.(f);
    };
    let res;
    try {
      res = await send(url, { method, body, onProgress });
    } finally {
      if (button) button.disabled = false;
      form.removeAttribute("aria-busy");
      if (progress) progress.hidden = true;
    }
    if (res.status === 401) {
      loginAgain(form);
      return;
    }
    if (res.status >= 200 && res.status < 300) {
      form.dispatchEvent(new CustomEvent("minyi:saved", { detail: res.json, bubbles: true }));
      if (opts.onSuccess) return opts.onSuccess(res.json, form);
      if (form.dataset.redirect) return location.assign(form.dataset.redirect);
      if (form.hasAttribute("data-reload")) return location.reload();
      const box = alertBox(form);
      box.className = "form-alert ok";
      box.textContent = t["form.saved"];
      return;
    }
    showErrors(form, t, res.status, res.json);
  });
}

/**
 * parseForm turns a form's fields into a JSON object: number inputs become
 * numbers (empty: left out), checkboxes booleans (or, for several of one
 * name, the list of checked values), multiple selects lists; a field with
 * data-json holds JSON. Disabled fields and unnamed ones are left out.
 */
export function parseForm(form) {
  const out = {};
  const groups = {};
  for (const el of form.elements) {
    if (el.name && el.type === "checkbox") groups[el.name] = (groups[el.name] || 0) + 1;
  }
  for (const el of form.elements) {
    if (!el.name || el.disabled || el.type === "submit" || el.type === "button" || el.type === "file") continue;
    if (el.type === "checkbox") {
      if (groups[el.name] > 1) {
        out[el.name] ??= [];
        if (el.checked) out[el.name].push(el.value);
      } else out[el.name] = el.checked;
    } else if (el.type === "radio") {
      if (el.checked) out[el.name] = el.dataset.number !== undefined ? Number(el.value) : el.value;
    } else if (el.multiple) {
      out[el.name] = [...el.selectedOptions].map((o) => o.value);
    } else if (el.type === "number" || el.dataset.number !== undefined) {
      if (el.value !== "") out[el.name] = Number(el.value);
    } else if (el.dataset.json !== undefined) {
      if (el.value.trim() !== "") out[el.name] = JSON.parse(el.value);
    } else if (el.value !== "" || el.dataset.keepEmpty !== undefined) {
      out[el.name] = el.value;
    }
  }
  return out;
}

/** restoreForms puts back the input stashed before a re-login. */
export async function restoreForms() {
  for (const form of document.querySelectorAll("form[id]")) {
    const key = stashKey(location.pathname, form.id);
    const saved = sessionStorage.getItem(key);
    if (!saved) continue;
    sessionStorage.removeItem(key);
    try {
      fillForm(form, JSON.parse(saved));
    } catch {
      continue;
    }
    const t = await strings();
    const box = alertBox(form);
    box.className = "form-alert notice";
    box.textContent = t["form.restored"];
  }
}

/** autoBind binds every form[data-api] of the page. */
export function autoBind(root = document) {
  for (const form of root.querySelectorAll("form[data-api]")) {
    if (form.dataset.bound) continue;
    form.dataset.bound = "1";
    bindForm(form);
  }
}
