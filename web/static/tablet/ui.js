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

// zone is the district's time zone (the server's --timezone, sent with
// the round's assignments and kept with them offline): every time the app
// shows, and the appointment time an interviewer types, is in it, whatever
// the device's own setting. Until the server has said, the device's zone.
let zone;

export function setZone(z) { zone = validZone(z) ? z : undefined; }

function validZone(z) {
  if (!z) return false;
  try { new Intl.DateTimeFormat("en", { timeZone: z }); return true; } catch { return false; }
}

export function fmtTime(iso, l = lang) {
  if (!iso) return "";
  const d = new Date(iso);
  return d.toLocaleString(l, { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: zone });
}

// zoneOffset is the zone's offset from UTC at instant ms, in ms.
function zoneOffset(ms, z) {
  const f = new Intl.DateTimeFormat("en-US", { timeZone: z, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(ms / 1000) * 1000;
}

// wallToISO reads a datetime-local value ("2026-12-07T14:30") as a time in
// the district's zone (the device's until the server has said) and returns
// the instant in ISO 8601, or "" for a value it cannot read.
export function wallToISO(wall, z = zone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(wall || "");
  if (!m) return "";
  if (!z) return new Date(wall).toISOString();
  const asUTC = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
  // The offset at the wall time read as UTC is the zone's offset within a
  // day of the instant; a second look settles a change of offset between.
  let t = asUTC - zoneOffset(asUTC, z);
  t = asUTC - zoneOffset(t, z);
  return new Date(t).toISOString();
}

// address is a household's address as the register writes it, once: a
// register's household column often repeats the building ("1栋2单元501"
// in building "1栋"), and then it is the whole address; otherwise the
// building comes first ("1栋 2单元501").
export function address(a) {
  if (!a.building || a.household.startsWith(a.building)) return a.household;
  return `${a.building} ${a.household}`;
}
