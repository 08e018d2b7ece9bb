// Small DOM helpers. Every piece of user or server text goes in through
// textContent (never innerHTML), so it is always escaped.

let strings = {};
let lang = "zh-CN";

export function setStrings(l, table) { lang = l; strings = table || {}; }
export function currentLang() { return lang; }

// t looks up an interface string (web/i18n) and fills {name} placeholders.
export function t(key, vars = {}) {
  let s = strings[key] ?? key;
  for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

// tx picks a questionnaire text in the interface language, else another.
export function tx(text) {
  if (!text) return "";
  return text[lang] ?? text["zh-CN"] ?? Object.values(text)[0] ?? "";
}

// h builds an element: h("button", { class: "x", onclick: fn, type: "button" }, "text", child…)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "value") el.value = v;
    else if (k === "checked") el.checked = !!v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function fmtTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return d.toLocaleString(lang, { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

// address is a household's address as the register writes it, once: a
// register's household column often repeats the building ("1栋2单元501"
// in building "1栋"), and then it is the whole address; otherwise the
// building comes first ("1栋 2单元501").
export function address(a) {
  if (!a.building || a.household.startsWith(a.building)) return a.household;
  return `${a.building} ${a.household}`;
}
