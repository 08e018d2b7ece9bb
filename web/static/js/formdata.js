// The parts of form.js that need no browser, tested with node --test.

/** parseFields turns an error answer's fields object into [name, message] pairs, in the answer's order. */
export function parseFields(fields) {
  if (!fields || typeof fields !== "object") return [];
  return Object.entries(fields).filter(([, m]) => typeof m === "string");
}

/**
 * errorList turns an error answer's details into lines to show: a list of
 * problems ({line, column, field, message}) as "line 12 (column): message",
 * strings as they are; anything else is not shown.
 */
export function errorList(details, lineWord = "行") {
  const items = Array.isArray(details) ? details : Array.isArray(details?.problems) ? details.problems : [];
  const out = [];
  for (const d of items) {
    if (typeof d === "string") {
      out.push(d);
    } else if (d && typeof d === "object") {
      const where = [];
      if (Number.isInteger(d.line) && d.line > 0) where.push(`${lineWord} ${d.line}`);
      const col = d.column ?? d.field;
      if (col !== undefined && col !== "") where.push(String(col));
      const msg = d.message ?? d.error ?? "";
      out.push(where.length ? `${where.join(" · ")}: ${msg}` : String(msg));
    }
  }
  return out;
}

/** stashKey is where a form's input waits in sessionStorage during a re-login. */
export function stashKey(path, formID) {
  return `minyi.form:${path}#${formID}`;
}

const skipped = new Set(["password", "file", "submit", "button", "hidden"]);

/** readForm returns a form's input to stash: passwords, files and hidden fields are not kept. */
export function readForm(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || skipped.has(el.type)) continue;
    if (el.type === "checkbox" || el.type === "radio") {
      out[el.name] ??= [];
      if (el.checked) out[el.name].push(el.value);
    } else if (el.multiple && el.options) {
      out[el.name] = [...el.options].filter((o) => o.selected).map((o) => o.value);
    } else {
      out[el.name] = el.value;
    }
  }
  return out;
}

/** fillForm puts input read by readForm back into a form. */
export function fillForm(form, data) {
  for (const el of form.elements) {
    if (!el.name || skipped.has(el.type) || !(el.name in data)) continue;
    const v = data[el.name];
    if (el.type === "checkbox" || el.type === "radio") {
      el.checked = Array.isArray(v) && v.includes(el.value);
    } else if (el.multiple && el.options) {
      for (const o of el.options) o.selected = Array.isArray(v) && v.includes(o.value);
    } else if (typeof v === "string") {
      el.value = v;
    }
  }
}

/**
 * errorMessage is what to show for an error answer: for a code whose
 * message is always the same (busy: the server gave up a write because of
 * concurrent writers, nothing was stored) the page's own words, as
 * form.error.CODE in its language; otherwise the server's message.
 */
export function errorMessage(t, err) {
  const own = err?.code ? t?.["form.error." + err.code] : undefined;
  return own || err?.message || "";
}
