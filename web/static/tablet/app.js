// The interviewer's tablet app (/t/): plain ES modules, no framework. Every
// answer is written to IndexedDB the moment it is given; finished visits and
// interviews wait in the outbox until the server has acknowledged them
// (a receipt with its id). Nothing leaves the outbox, except a refused
// interview that goes back, in one transaction, to a draft to be corrected.

import * as db from "./idb.js";
import * as ob from "./outbox.js";
import { prepare, evaluate, validate, option } from "./engine.js";
import { h, t, tx, setStrings, currentLang, fmtTime, address, setZone, wallToISO } from "./ui.js";

const APP_VERSION = "tablet-1";
const main = document.getElementById("main");
const S = {
  session: null, // { token, user }
  rounds: [], round: null, assignments: [], def: null, qv: null,
  items: [], drafts: new Map(), syncing: false, timer: null, reg: null, online: navigator.onLine,
  // reach is what the last request to the server found: "ok" (it
  // answered), "down" (no answer, or a gateway's 502/503/504) or "" (not
  // asked yet). With navigator.onLine it makes the header's three states.
  reach: "",
};

// ---------- start ----------

async function start() {
  const l = (await db.get("kv", "lang")) || "zh-CN";
  await loadStrings(l);
  S.session = (await db.get("kv", "session")) || null;
  await refreshLocal();
  wireChrome();
  registerWorker();
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  if (!S.session && (S.session = await fromOfficeSession())) await refreshLocal();
  if (!S.session) return renderLogin();
  await loadWork();
  if (!location.hash) {
    const last = await db.get("kv", `route:${S.session.user.id}`);
    if (last) location.replace(last);
  }
  route();
  sync();
}

async function loadStrings(l) {
  let table = {};
  try {
    const r = await fetch(`/i18n/${l}.json`);
    if (r.ok) table = await r.json();
  } catch { /* offline and not cached: keys show */ }
  setStrings(l, table);
  document.documentElement.lang = l;
  document.title = t("tablet.title");
}

function wireChrome() {
  document.getElementById("lang").addEventListener("click", async () => {
    const next = currentLang() === "zh-CN" ? "en" : "zh-CN";
    await db.put("kv", next, "lang");
    await loadStrings(next);
    S.session ? route() : renderLogin();
  });
  // Back online, the server is presumed to answer until a request fails.
  addEventListener("online", () => { S.online = true; S.reach = ""; header(); retryNow(); });
  addEventListener("offline", () => { S.online = false; redrawSyncState(); });
  addEventListener("hashchange", route);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) sync(); });
}

// ---------- server ----------

async function api(path, { method = "GET", body } = {}) {
  // The server says its messages (a refused item, a 422) in the app's language.
  const headers = { Accept: "application/json", "Accept-Language": currentLang() };
  if (S.session) headers.Authorization = `Bearer ${S.session.token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let r;
  try {
    r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
  } catch (e) {
    if (navigator.onLine) reached(false); // offline, the server was not asked
    throw e;
  }
  reached(![502, 503, 504].includes(r.status));
  let data = null;
  try { data = await r.json(); } catch { /* empty body */ }
  if (r.status === 401 && S.session) banner(t("tablet.relogin"), "warn");
  return { status: r.status, body: data };
}

// reached records whether the server answered a request, and redraws the
// header (and a screen showing sync state) when that changes.
function reached(ok) {
  const reach = ok ? "ok" : "down";
  if (S.reach === reach) return;
  S.reach = reach;
  redrawSyncState();
}

// netState is the header's connection state: "offline" (the device has no
// network), "unreachable" (it has one, but the server did not answer the
// last request: stopped, or a captive Wi-Fi) or "online".
function netState() {
  if (!navigator.onLine) return "offline";
  return S.reach === "down" ? "unreachable" : "online";
}

// redrawSyncState redraws the header, and the outbox, whose wording
// depends on the connection state.
function redrawSyncState() {
  header();
  if (S.session && location.hash === "#/outbox") route(); // a household's screen may hold a note being typed
}

async function loadWork() {
  const uid = S.session.user.id;
  try {
    const r = await api("/api/v1/rounds");
    if (r.status === 200) {
      S.rounds = r.body.rounds.filter((x) => x.status === "fieldwork");
      await db.put("kv", S.rounds, `rounds:${uid}`);
    } else throw new Error(r.status);
  } catch {
    S.rounds = (await db.get("kv", `rounds:${uid}`)) || [];
  }
  const chosen = await db.get("kv", `round:${uid}`);
  S.round = S.rounds.find((x) => x.id === chosen) || S.rounds[0] || null;
  if (!S.round) return;
  await loadAssignments();
}

async function loadAssignments() {
  const uid = S.session.user.id, key = `assign:${uid}:${S.round.id}`;
  let data = null;
  try {
    const r = await api(`/api/v1/me/assignments?round=${S.round.id}`);
    if (r.status === 200) { data = r.body; await db.put("kv", data, key); }
  } catch { /* offline */ }
  data = data || (await db.get("kv", key));
  if (!data) return;
  setZone(data.time_zone);
  S.assignments = data.assignments || [];
  S.qv = data.questionnaire;
  const dkey = `def:${S.qv.slug}@${S.qv.version}`;
  let def = await db.get("kv", dkey);
  if (!def) {
    try {
      const r = await api(`/api/v1/surveys/${encodeURIComponent(S.qv.slug)}/versions/${S.qv.version}`);
      if (r.status === 200) { def = r.body; await db.put("kv", def, dkey); }
    } catch { /* offline: the interview waits for the questionnaire */ }
  }
  S.def = def ? prepare(def) : null;
}

async function refreshLocal() {
  const uid = S.session && S.session.user.id;
  S.items = (await db.all("outbox")).filter((it) => it.user === uid);
  S.drafts = new Map((await db.all("drafts")).filter((d) => d.user === uid).map((d) => [d.assignment_id, d]));
  header();
}

// ---------- header and banner ----------

function header() {
  const c = ob.counts(S.items);
  const link = document.getElementById("outbox-link");
  link.hidden = !S.session;
  link.textContent = t("tablet.unsent", { n: c.unsent });
  link.classList.toggle("zero", c.unsent === 0);
  link.setAttribute("aria-label", t("tablet.unsent_long", { n: c.unsent }));
  const net = document.getElementById("net"), state = netState();
  net.textContent = t(`tablet.net_${state}`);
  net.dataset.state = state;
  net.classList.toggle("off", state !== "online");
  document.getElementById("lang").textContent = t("nav.language");
  document.getElementById("title").textContent = t("tablet.app");
}

function banner(text, kind = "info") {
  const b = document.getElementById("banner");
  b.textContent = text;
  b.className = text ? kind : "";
  b.hidden = !text;
  clearTimeout(S.bannerTimer);
  if (kind === "ok") S.bannerTimer = setTimeout(() => banner(""), 4000); // a confirmation, not a state
}

// ---------- routing ----------

function go(hash) { if (location.hash === hash) route(); else location.hash = hash; }

async function route() {
  if (!S.session) return renderLogin();
  const parts = location.hash.replace(/^#\/?/, "").split("/");
  const id = Number(parts[1]);
  if (location.hash) db.put("kv", location.hash, `route:${S.session.user.id}`);
  maybeActivate(); // leaving an interview may be the quiet moment an update waits for
  switch (parts[0]) {
    case "h": return renderHousehold(id);
    case "q": return renderQuestion(id, decodeURIComponent(parts[2] || ""), parts[3] === "review");
    case "review": return renderReview(id);
    case "end": return renderEnd(id);
    case "done": return renderDone(id);
    case "outbox": return renderOutbox();
    default: return renderList();
  }
}

function screen(title, ...body) {
  main.replaceChildren(h("h2", { id: "screen-title", tabindex: "-1" }, title), ...body.filter((x) => x !== null && x !== undefined));
  main.classList.toggle("has-nav", main.querySelector(".nav.fixed") !== null); // room below for the fixed bar
  document.getElementById("screen-title").focus({ preventScroll: false });
  scrollTo(0, 0);
  header();
}

// ---------- login ----------

function renderLogin() {
  header();
  const err = h("p", { class: "error", role: "alert", hidden: true });
  const form = h("form", { class: "card login", novalidate: true },
    h("label", { for: "u" }, t("login.username")),
    h("input", { id: "u", name: "username", autocomplete: "username", required: true, autocapitalize: "none" }),
    h("label", { for: "p" }, t("login.password")),
    h("input", { id: "p", name: "password", type: "password", autocomplete: "current-password", required: true }),
    err,
    h("button", { type: "submit", class: "primary" }, t("login.submit")),
    h("p", { class: "hint" }, t("tablet.login_hint")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    const fd = new FormData(form);
    try {
      const r = await api("/api/v1/login", { method: "POST", body: { username: fd.get("username"), password: fd.get("password") } });
      if (r.status !== 200) throw new Error(r.status === 401 ? t("login.failed") : (r.body && r.body.error && r.body.error.message) || t("login.error"));
      if (r.body.role !== "interviewer") throw new Error(t("tablet.not_interviewer"));
      S.session = await deviceSession(r.body);
      if (!S.session) throw new Error(t("login.error"));
      await refreshLocal();
      await loadWork();
      go("#/");
      sync();
    } catch (e) {
      err.textContent = e instanceof TypeError ? t("tablet.login_offline") : e.message;
      err.hidden = false;
    }
  });
  screen(t("login.title"), form);
}

// deviceSession exchanges the session cookie (set by a password login
// here or on the office site) for this device's API token, keeps it with
// the user in IndexedDB and returns it, or null when the server refuses.
// The app sends the token, not the cookie, from then on: it lasts 30 days
// and survives the office session's end.
async function deviceSession(user) {
  const tk = await api("/api/v1/tokens", { method: "POST", body: { name: t("tablet.device_name"), ttl: "720h" } });
  if (tk.status === 403 && tk.body && tk.body.error && tk.body.error.code === "password_change_required") {
    // The one-time password of an account slip: the site's password page
    // first, then back here.
    location.assign("/password?next=/t/");
    return null;
  }
  if (tk.status !== 201) return null;
  const session = { token: tk.body.token, user };
  await db.put("kv", session, "session");
  if (!(await db.get("kv", "device"))) await db.put("kv", ob.uuid(), "device");
  return session;
}

// fromOfficeSession is the one login across the site: an interviewer
// already signed in on the office site (its session cookie, sent with
// this same-origin request) opens the app without signing in again. It
// returns the new device session, or null (no session, another role,
// offline: the login form follows).
async function fromOfficeSession() {
  try {
    const me = await api("/api/v1/me");
    if (me.status !== 200 || !me.body || me.body.role !== "interviewer") return null;
    return await deviceSession(me.body);
  } catch {
    return null;
  }
}

async function logout() {
  const c = ob.counts(S.items);
  if (c.unsent > 0 && !confirm(t("tablet.logout_unsent", { n: c.unsent }))) return;
  try { await api("/api/v1/logout", { method: "POST" }); } catch { /* offline */ }
  await db.del("kv", "session");
  S.session = null;
  S.items = [];
  location.hash = "";
  renderLogin();
}

// ---------- assignments ----------

// localState is what this tablet knows about a household beyond the
// server's last answer: an open draft, an interview or visit in the outbox.
function localState(a) {
  const mine = S.items.filter((it) => it.assignment_id === a.id);
  const rejected = mine.find((it) => it.state === "rejected");
  const resp = mine.find((it) => it.type === "response");
  const visits = mine.filter((it) => it.type === "visit");
  return { rejected, resp, visits, draft: S.drafts.get(a.id) };
}

// attemptsOf counts a household's visits: the server's, and those still
// on their way from this tablet (the server counts the sent ones).
function attemptsOf(a) {
  return a.attempts + localState(a).visits.filter((v) => v.state !== "sent").length;
}

function statusOf(a) {
  const l = localState(a);
  if (l.rejected) return ["attention", t("tablet.st_attention")];
  if (l.resp) return ["done", l.resp.state === "sent" ? t("tablet.st_done") : t("tablet.st_done_unsent")];
  if (l.draft) return ["progress", t("tablet.st_draft")];
  if (a.status === "final") {
    return a.disposition === "complete" ? ["done", t("tablet.st_done")] : ["final", t("tablet.st_final", { d: t(`tablet.disp_${a.disposition || "other"}`) })];
  }
  const unsentVisit = [...l.visits].reverse().find((v) => v.state !== "sent");
  if (unsentVisit) return [unsentVisit.body.outcome === "appointment" ? "appt" : "revisit", t("tablet.st_visit_unsent", { outcome: t(`tablet.out_${unsentVisit.body.outcome}`) })];
  const last = l.visits.length ? l.visits[l.visits.length - 1].body : null;
  const attempts = attemptsOf(a);
  if ((last && last.outcome === "appointment") || (!last && a.last_outcome === "appointment")) return ["appt", t("tablet.st_appointment")];
  if (attempts > 0) return ["revisit", t("tablet.st_revisit", { n: attempts })];
  return ["new", t("tablet.st_new")];
}

// appointmentOf is the time agreed for a household's next visit (ms), or
// null: from the latest visit recorded here, else from the server's.
function appointmentOf(a) {
  const visits = localState(a).visits;
  const last = visits.length ? visits[visits.length - 1].body : null;
  const at = last ? (last.outcome === "appointment" ? last.appointment_at : null) : a.appointment_at;
  const ms = at ? Date.parse(at) : NaN;
  return Number.isNaN(ms) ? null : ms;
}

function renderList() {
  if (!S.round) return screen(t("tablet.no_round"), h("p", {}, t("tablet.no_round_help")), logoutButton());
  const search = h("input", { id: "search", type: "search", placeholder: t("tablet.search_placeholder"), autocomplete: "off", value: S.search || "" });
  const list = h("div", { id: "groups" });
  // The day's list: appointments first, by their time; then the other
  // open households by community and building, as the register lists
  // them; the finished ones folded away at the end.
  const fill = () => {
    const q = search.value.trim().toLowerCase();
    const shown = S.assignments.filter((a) => !q || `${a.community} ${address(a)}`.toLowerCase().includes(q));
    const row = (a, where) => {
      const [cls, label] = statusOf(a);
      const appt = cls === "appt" ? appointmentOf(a) : null;
      return h("li", {}, h("a", { href: `#/h/${a.id}`, class: "household", "data-state": cls },
        h("span", { class: "addr" }, where ? address(a) : a.household,
          where ? h("small", { class: "where" }, a.community) : null),
        h("span", { class: "st-box" }, h("span", { class: `st ${cls}` }, label),
          appt !== null ? h("time", { class: "appt-at", datetime: new Date(appt).toISOString() }, fmtTime(new Date(appt).toISOString())) : null)));
    };
    const finished = [], appts = [], open = [];
    for (const a of shown) {
      const cls = statusOf(a)[0];
      if (cls === "done" || cls === "final") finished.push(a);
      else if (cls === "appt") appts.push(a);
      else open.push(a);
    }
    const out = [];
    if (appts.length) {
      const when = (a) => appointmentOf(a) ?? Infinity;
      appts.sort((x, y) => when(x) - when(y));
      out.push(h("section", { class: "group", id: "appointments" }, h("h3", {}, t("tablet.list_appointments", { n: appts.length })),
        h("ul", { class: "households" }, appts.map((a) => row(a, true)))));
    }
    const groups = new Map();
    for (const a of open) {
      const g = groups.get(a.community) || new Map();
      const b = g.get(a.building) || [];
      b.push(a);
      g.set(a.building, b);
      groups.set(a.community, g);
    }
    for (const [community, buildings] of groups) {
      const sec = h("section", { class: "group" }, h("h3", {}, community));
      for (const [building, hs] of buildings) {
        sec.append(h("h4", {}, building), h("ul", { class: "households" }, hs.map((a) => row(a, false))));
      }
      out.push(sec);
    }
    if (!appts.length && !open.length && finished.length) out.push(h("p", { class: "hint", id: "all-done" }, t("tablet.all_done")));
    if (finished.length) {
      const fold = h("details", { class: "group finished", id: "finished", open: !!S.showFinished },
        h("summary", {}, t("tablet.list_finished", { n: finished.length })),
        h("ul", { class: "households" }, finished.map((a) => row(a, true))));
      fold.addEventListener("toggle", () => { S.showFinished = fold.open; });
      out.push(fold);
    }
    list.replaceChildren(...(out.length ? out : [h("p", { class: "hint" }, t("tablet.no_match"))]));
  };
  search.addEventListener("input", () => { S.search = search.value; fill(); });
  fill();
  const done = S.assignments.filter((a) => statusOf(a)[0] === "done").length;
  const picker = S.rounds.length > 1 ? h("p", {}, h("label", { for: "round" }, t("tablet.round")), " ",
    h("select", { id: "round", onchange: async (ev) => {
      S.round = S.rounds.find((r) => r.id === Number(ev.target.value));
      await db.put("kv", S.round.id, `round:${S.session.user.id}`);
      await loadAssignments();
      renderList();
    } }, S.rounds.map((r) => h("option", { value: r.id, selected: r.id === S.round.id }, r.name)))) : null;
  screen(t("tablet.today"),
    h("p", { class: "sub" }, `${S.round.name} · ${S.session.user.display_name || S.session.user.username}`),
    picker,
    h("p", { class: "summary" }, t("tablet.summary", { done, n: S.assignments.length })),
    h("label", { for: "search", class: "sr" }, t("tablet.search")), search, list,
    h("div", { class: "actions" }, h("a", { href: "#/outbox", class: "button" }, t("tablet.outbox")), logoutButton()));
}

function logoutButton() { return h("button", { type: "button", onclick: logout }, t("nav.logout")); }

// ---------- household and visits ----------

const OUTCOMES = ["no_one_home", "refused", "appointment", "language_barrier", "other"];
const NOT_ELIGIBLE = ["not_eligible_vacant", "not_eligible_no_adult", "not_eligible_short_residence"];

function renderHousehold(id) {
  const a = S.assignments.find((x) => x.id === id);
  if (!a) return screen(t("tablet.not_found"), h("a", { href: "#/" }, t("tablet.back_list")));
  const l = localState(a);
  const [cls, label] = statusOf(a);
  // The number of visits is said once, and only when there was one: the
  // "revisit" state names it already, "not visited" means none.
  const attempts = attemptsOf(a), appt = cls === "appt" ? appointmentOf(a) : null;
  const parts = [h("p", { class: "sub", id: "address" }, `${a.community} · ${address(a)}`), h("p", { id: "household-state" }, h("span", { class: `st ${cls}` }, label),
    appt !== null ? ` ${t("tablet.appointment_when", { at: fmtTime(new Date(appt).toISOString()) })}` : null,
    attempts > 0 && cls !== "revisit" ? ` ${t("tablet.attempts", { n: attempts })}` : null)];
  if (l.rejected) parts.push(problem(l.rejected));
  if (l.draft) parts.push(h("button", { type: "button", class: "primary big", onclick: () => go(`#/q/${a.id}/${l.draft.at || ""}`) }, t("tablet.resume")));
  else if (!l.resp && a.status !== "final") parts.push(h("button", { type: "button", class: "primary big", id: "start", onclick: () => startInterview(a) }, t("tablet.start")));
  if (!S.def && !l.resp) parts.push(h("p", { class: "hint" }, t("tablet.no_questionnaire")));

  if (!l.resp && a.status !== "final") {
    const note = h("textarea", { id: "note", maxlength: 1000, rows: 2 });
    const when = h("input", { id: "appt", type: "datetime-local" });
    const reason = h("select", { id: "reason" }, NOT_ELIGIBLE.map((o) => h("option", { value: o }, t(`tablet.out_${o}`))));
    const gps = h("input", { id: "gps", type: "checkbox" });
    const record = (outcome) => recordVisit(a, outcome, { note: note.value.trim(), when: when.value, gps: gps.checked });
    parts.push(h("fieldset", { class: "card" }, h("legend", {}, t("tablet.visit_outcome")),
      h("div", { class: "grid" }, OUTCOMES.map((o) => h("button", { type: "button", "data-outcome": o, onclick: () => record(o) }, t(`tablet.out_${o}`)))),
      h("label", { for: "appt" }, t("tablet.appointment_at")), when,
      h("label", { for: "reason" }, t("tablet.not_eligible_reason")),
      h("div", { class: "row" }, reason, h("button", { type: "button", "data-outcome": "not_eligible", onclick: () => record(reason.value) }, t("tablet.out_not_eligible"))),
      h("label", { for: "note" }, t("tablet.note")), note,
      h("label", { class: "check" }, gps, t("tablet.with_gps"))));
  }
  if (l.visits.length) {
    parts.push(h("h3", {}, t("tablet.visits_here")), h("ul", { class: "plain" }, l.visits.map((v) =>
      h("li", {}, `${fmtTime(v.body.attempted_at)} · ${t(`tablet.out_${v.body.outcome}`)} · `, receiptText(v)))));
  }
  parts.push(h("p", {}, h("a", { href: "#/" }, t("tablet.back_list"))));
  screen(t("tablet.household"), ...parts);
}

function position() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: Math.min(100000, Math.round(p.coords.accuracy)) }),
      () => resolve(null), { timeout: 10000, maximumAge: 60000 });
  });
}

async function recordVisit(a, outcome, { note, when, gps }) {
  if (outcome === "appointment" && !wallToISO(when)) {
    banner(t("tablet.appointment_needed"), "warn");
    document.getElementById("appt").focus();
    return;
  }
  const body = { client_id: ob.uuid(), assignment_id: a.id, attempted_at: new Date().toISOString(), outcome };
  if (note) body.note = note;
  if (outcome === "appointment") body.appointment_at = wallToISO(when);
  if (gps) { const p = await position(); if (p) body.gps = p; }
  await db.commit(ob.newItem("visit", body, S.session.user.id));
  await refreshLocal();
  banner(t("tablet.visit_saved"), "ok");
  go("#/");
  sync();
}

// ---------- the interview ----------

function draftKey(aid) { return `${S.session.user.id}:${aid}`; }

async function startInterview(a) {
  if (!S.def) return banner(t("tablet.no_questionnaire"), "warn");
  const d = { key: draftKey(a.id), user: S.session.user.id, assignment_id: a.id, client_id: ob.uuid(), answers: {},
    started_at: new Date().toISOString(), at: "", server_errors: {} };
  await db.put("drafts", d);
  S.drafts.set(a.id, d);
  go(`#/q/${a.id}/`);
}

async function saveDraft(d) {
  await db.put("drafts", d);
  S.drafts.set(d.assignment_id, d);
}

// visibleNow returns the skip-logic state of a draft's answers.
function stateOf(d) { return evaluate(S.def, d.answers).st; }

// renderQuestion shows one question. Opened from the review page
// (fromReview), "next" goes back there once the answer is valid.
function renderQuestion(aid, code, fromReview = false) {
  const d = S.drafts.get(aid);
  if (!d || !S.def) return go(`#/h/${aid}`);
  const st = stateOf(d);
  if (!code || !st.visible.includes(code)) code = st.visible.find((c) => !(c in d.answers)) || st.visible[0];
  if (d.at !== code) { d.at = code; saveDraft(d); }
  const q = S.def._ix.byCode.get(code).q;
  const idx = st.visible.indexOf(code);
  const err = h("p", { id: "q-error", class: "error", role: "alert", hidden: true });
  const showError = (msg) => { err.textContent = msg; err.hidden = !msg; };
  const serverMsg = d.server_errors && d.server_errors[code];
  if (serverMsg) {
    // The server's message is in English; the same rule checked here names
    // the problem in the interface language when the two agree.
    const local = validate(S.def, d.answers).errors[code];
    const msg = local ? `${t(`tablet.rule_${local.rule}`, { min: q.min ?? "", max: q.max ?? "", n: q.max_length ?? "" })} (${serverMsg})` : serverMsg;
    showError(t("tablet.server_said", { msg }));
  }

  const set = async (v) => {
    if (v === undefined) delete d.answers[code]; else d.answers[code] = v;
    if (d.server_errors) delete d.server_errors[code];
    showError("");
    await saveDraft(d);
  };
  const input = answerInput(q, d.answers[code], set);
  const next = async () => {
    await saveDraft(d);
    const { state, errors } = validate(S.def, d.answers);
    const e = errors[code];
    if (e && e.rule !== "hidden" && e.rule !== "after_end") {
      showError(t(`tablet.rule_${e.rule}`, { min: q.min ?? "", max: q.max ?? "", n: q.max_length ?? "" }));
      (main.querySelector("input, textarea") || err).focus();
      return;
    }
    if (state.ended && state.endedAt === code) return go(`#/end/${aid}`);
    if (fromReview) return go(`#/review/${aid}`);
    const after = state.visible[state.visible.indexOf(code) + 1];
    go(after ? `#/q/${aid}/${encodeURIComponent(after)}` : `#/review/${aid}`);
  };
  const back = () => go(idx > 0 ? `#/q/${aid}/${encodeURIComponent(st.visible[idx - 1])}` : `#/h/${aid}`);
  const a = S.assignments.find((x) => x.id === aid);
  // Progress counts the questions left on the path the answers so far
  // take: a question that skip logic reveals adds one to what is left,
  // never a new total.
  const left = st.visible.length - idx - 1;
  const progress = h("div", { class: "progress" },
    h("span", { id: "progress-text" }, left > 0 ? t("tablet.progress_left", { n: left }) : t("tablet.progress_last")),
    h("progress", { max: st.visible.length, value: idx + 1, "aria-label": t("tablet.progress_label") }));
  screen(tx(sectionOf(code).title) || t("tablet.interview"),
    h("p", { class: "sub" }, a ? `${a.community} · ${address(a)}` : ""), progress,
    // novalidate: the app checks the answer itself (engine.validate) and
    // says what is wrong in the interface language, in place of the
    // browser's own bubble for min/max.
    h("form", { class: "question", id: "question", "data-code": code, novalidate: true, onsubmit: (ev) => { ev.preventDefault(); next(); } },
      input, q.help ? h("p", { class: "help" }, tx(q.help)) : null, err,
      navBar(
        h("button", { type: "button", id: "prev", onclick: fromReview ? () => go(`#/review/${aid}`) : back }, t(fromReview ? "tablet.back_review" : "tablet.back")),
        h("button", { type: "submit", class: "primary", id: "next" }, t(fromReview ? "tablet.save_review" : "tablet.next")))));
}

// navBar is the bar of 上一题/下一题/完成 fixed at the bottom of the screen:
// reachable without scrolling whatever the question's length (the page
// keeps room for it below the content, see .has-nav in app.css).
function navBar(...buttons) {
  return h("div", { class: "nav fixed" }, buttons);
}

function sectionOf(code) {
  const ixd = S.def._ix;
  return ixd.sectionOf[ixd.byCode.get(code).pos];
}

// answerInput renders the control of one question: radio buttons, check
// boxes, a number or a text, each labelled by the question (its legend).
function answerInput(q, value, set) {
  const legend = h("legend", { class: "qlabel" }, h("span", { class: "code" }, q.code), " ", tx(q.label));
  if (q.type === "integer" || q.type === "text") {
    const id = `in-${q.code}`;
    const el = q.type === "integer"
      ? h("input", { id, type: "number", inputmode: "numeric", step: 1, min: q.min, max: q.max, value: value ?? "", "aria-describedby": "q-error" })
      : h("textarea", { id, rows: 3, maxlength: q.max_length, value: value ?? "", "aria-describedby": "q-error" });
    el.addEventListener("input", () => {
      const v = el.value;
      if (q.type === "text") return set(v === "" ? undefined : v);
      set(v === "" ? undefined : Number.isInteger(Number(v)) ? Number(v) : v);
    });
    return h("fieldset", {}, legend, h("label", { for: id, class: "sr" }, tx(q.label)), el);
  }
  const multi = q.type === "multiple_choice";
  const chosen = new Set(multi ? value || [] : value === undefined ? [] : [value]);
  const opts = q.options.map((o) => {
    const box = h("input", { type: multi ? "checkbox" : "radio", name: q.code, value: o.code, checked: chosen.has(o.code) });
    box.addEventListener("change", () => {
      if (!multi) return set(o.code);
      if (box.checked && o.exclusive) chosen.clear();
      if (box.checked && !o.exclusive) for (const x of [...chosen]) if (option(q, x).exclusive) chosen.delete(x);
      box.checked ? chosen.add(o.code) : chosen.delete(o.code);
      for (const b of box.form.querySelectorAll("input")) b.checked = chosen.has(Number(b.value));
      const list = q.options.map((x) => x.code).filter((c) => chosen.has(c));
      set(list.length ? list : undefined);
    });
    return h("label", { class: `opt${o.special ? " special" : ""}` }, box, h("span", {}, tx(o.label)));
  });
  return h("fieldset", {}, legend, h("div", { class: "opts" }, opts));
}

function answerText(q, v) {
  if (v === undefined) return "—";
  if (Array.isArray(v)) return v.map((c) => tx((option(q, c) || {}).label) || c).join("、");
  if (q.type === "integer" || q.type === "text") return String(v);
  return tx((option(q, v) || {}).label) || String(v);
}

function renderReview(aid) {
  const d = S.drafts.get(aid);
  if (!d || !S.def) return go(`#/h/${aid}`);
  const { state, errors } = validate(S.def, pruned(d));
  const rows = state.visible.map((code) => {
    const q = S.def._ix.byCode.get(code).q;
    const e = errors[code];
    return h("li", {}, h("a", { href: `#/q/${aid}/${encodeURIComponent(code)}/review`, class: e ? "bad" : "", "data-code": code },
      h("span", { class: "qlabel" }, `${code} ${tx(q.label)}`),
      h("span", { class: "ans" }, e ? t(`tablet.rule_${e.rule}`) : answerText(q, d.answers[code])),
      h("span", { class: "change", "aria-hidden": "true" }, t("tablet.change"))));
  });
  const ok = Object.keys(errors).length === 0;
  screen(t("tablet.review"), h("p", { class: "hint" }, t("tablet.review_help")), h("ol", { class: "review" }, rows),
    navBar(
      h("button", { type: "button", onclick: () => go(`#/q/${aid}/${encodeURIComponent(state.visible[state.visible.length - 1])}`) }, t("tablet.back")),
      h("button", { type: "button", class: "primary", id: "finish", disabled: !ok, onclick: () => finish(aid) }, t("tablet.finish"))));
}

function renderEnd(aid) {
  const d = S.drafts.get(aid);
  if (!d || !S.def) return go(`#/h/${aid}`);
  const st = stateOf(d);
  if (!st.ended) return go(`#/review/${aid}`);
  const q = S.def._ix.byCode.get(st.endedAt).q;
  const msg = tx(q.end_if.message) || t(st.disposition === "not_eligible" ? "tablet.end_not_eligible" : "tablet.end_other");
  screen(t("tablet.end_title"), h("p", { class: "card endmsg" }, msg),
    navBar(
      h("button", { type: "button", onclick: () => go(`#/q/${aid}/${encodeURIComponent(st.endedAt)}`) }, t("tablet.back")),
      h("button", { type: "button", class: "primary", id: "finish", onclick: () => finish(aid) }, t("tablet.end_save"))));
}

// pruned is the draft's answers without those to questions the skip logic
// now hides or that come after the end (answered before a change).
function pruned(d) {
  const st = stateOf(d);
  return Object.fromEntries(Object.entries(d.answers).filter(([c]) => st.visible.includes(c)));
}

async function finish(aid) {
  const d = S.drafts.get(aid);
  const answers = pruned(d);
  const { errors } = validate(S.def, answers);
  const first = Object.keys(errors)[0];
  if (first) return go(`#/q/${aid}/${encodeURIComponent(first)}`);
  const body = {
    client_id: d.client_id, assignment_id: aid, questionnaire_version: S.qv.version, answers,
    started_at: d.started_at, completed_at: new Date().toISOString(),
    device_id: (await db.get("kv", "device")) || "", app_version: APP_VERSION,
  };
  await db.commit(ob.newItem("response", body, S.session.user.id), d.key);
  S.drafts.delete(aid);
  await refreshLocal();
  go(`#/done/${aid}`);
  sync();
}

function renderDone(aid) {
  const it = S.items.find((x) => x.assignment_id === aid && x.type === "response");
  screen(t("tablet.saved_title"), h("p", { class: "card" }, it ? receiptText(it) : t("tablet.saved_local")),
    h("a", { href: "#/", class: "button primary", id: "to-list" }, t("tablet.back_list")));
}

// ---------- outbox ----------

function receiptText(it) {
  if (it.state === "sent") return h("span", { class: "safe" }, t("tablet.safe", { id: it.receipt.id }));
  if (it.state === "rejected") return h("span", { class: "bad" }, t("tablet.rejected"));
  // Waiting is the normal state of an item recorded without a network:
  // said calmly. Only a send that the server answered and did not take
  // (a 5xx, or no answer while it otherwise answers) is worth a warning.
  const net = netState();
  if (net === "offline") return h("span", { class: "queued" }, t("tablet.waiting_offline"));
  if (net === "unreachable") return h("span", { class: "queued" }, t("tablet.waiting_server"));
  return it.attempts ? h("span", { class: "waiting" }, t("tablet.waiting_retry", { n: it.attempts })) : h("span", { class: "queued" }, t("tablet.waiting"));
}

// problem explains a refused item on its household, with what to do.
function problem(it) {
  const e = it.error || {};
  const fields = Object.entries(e.fields || {});
  const box = h("div", { class: "card problem", role: "alert" },
    h("p", {}, h("strong", {}, t(e.status === 422 ? "tablet.err_422" : e.status === 409 ? "tablet.err_409" : "tablet.err_other"))),
    h("p", {}, e.message || ""),
    fields.length ? h("ul", {}, fields.map(([k, v]) => h("li", { "data-field": k }, `${k}: ${v}`))) : null);
  if (it.type === "response" && e.status === 422) {
    box.append(h("button", { type: "button", class: "primary", id: "fix", onclick: () => reopen(it) }, t("tablet.fix")));
  } else {
    box.append(h("p", { class: "hint" }, t("tablet.ask_supervisor")));
  }
  return box;
}

// reopen turns a refused interview back into a draft at its first flagged
// question, in one transaction (db.reopen), under the same client id (the
// server stored nothing for it).
async function reopen(it) {
  const b = it.body;
  const d = { key: draftKey(b.assignment_id), user: it.user, assignment_id: b.assignment_id, client_id: b.client_id,
    answers: { ...b.answers }, started_at: b.started_at, server_errors: { ...(it.error.fields || {}) } };
  d.at = Object.keys(d.server_errors).find((c) => S.def && S.def._ix.byCode.has(c)) || "";
  await db.reopen(d, it.client_id);
  await refreshLocal();
  go(`#/q/${b.assignment_id}/${encodeURIComponent(d.at)}`);
}

function renderOutbox() {
  const c = ob.counts(S.items);
  const byId = new Map(S.assignments.map((a) => [a.id, a]));
  const rows = [...S.items].sort((x, y) => y.created_at - x.created_at).map((it) => {
    const a = byId.get(it.assignment_id);
    return h("li", { "data-client-id": it.client_id, "data-state": it.state },
      h("a", { href: `#/h/${it.assignment_id}` }, `${t(`tablet.type_${it.type}`)} · ${a ? address(a) : it.assignment_id}`),
      h("span", { class: "when" }, fmtTime(new Date(it.created_at).toISOString())), receiptText(it));
  });
  screen(t("tablet.outbox"),
    h("p", { class: "summary", id: "outbox-summary" }, t("tablet.outbox_summary", { unsent: c.unsent, sent: c.sent })),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "primary", id: "sync-now", onclick: retryNow }, t("tablet.sync_now")),
      h("button", { type: "button", id: "export", onclick: exportUnsent, disabled: c.unsent === 0 }, t("tablet.export_unsent"))),
    h("p", { class: "hint" }, t("tablet.export_help")),
    rows.length ? h("ul", { class: "outbox" }, rows) : h("p", {}, t("tablet.outbox_empty")),
    h("p", {}, h("a", { href: "#/" }, t("tablet.back_list"))));
}

function exportUnsent() {
  const blob = new Blob([ob.exportFile(S.items)], { type: "application/json" });
  const a = h("a", { href: URL.createObjectURL(blob), download: ob.exportName(S.session.user.username) });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

// ---------- sync ----------

function retryNow() {
  S.items = S.items.map((it) => (it.state === "pending" ? { ...it, next_at: 0 } : it));
  sync();
}

async function sync() {
  if (!S.session || S.syncing || S.reloading) return;
  S.syncing = true;
  document.body.dataset.sync = "busy";
  clearTimeout(S.timer);
  const before = signature();
  let reached = false;
  try {
    for (;;) {
      const batch = ob.due(S.items);
      if (!batch.length) break;
      let updated;
      try {
        const r = await api("/api/v1/sync", { method: "POST", body: ob.syncBody(batch) });
        reached = true;
        updated = r.status === 200 ? ob.applyResults(batch, r.body.results) : ob.applyFailure(batch);
      } catch {
        updated = ob.applyFailure(batch);
      }
      await db.putMany("outbox", updated);
      await refreshLocal();
      if (updated.every((it) => it.state === "pending")) break; // the server did not take them: wait
    }
    if (reached || navigator.onLine) await reconcileAll();
    if (navigator.onLine && S.round) { await loadAssignments(); }
  } finally {
    S.syncing = false;
    S.online = navigator.onLine;
    await refreshLocal();
    const wake = ob.nextWake(S.items);
    if (wake !== null) S.timer = setTimeout(sync, Math.max(500, wake - Date.now()));
    maybeActivate();
    // Redraw a screen that shows sync state only when something changed, so
    // that a tap or a search being typed is not lost to a redraw.
    const shows = ["", "#/", "#/outbox"].includes(location.hash) || /^#\/(h|done)\//.test(location.hash);
    if (shows && signature() !== before) route();
    document.body.dataset.sync = "idle";
  }
}

// signature summarises what the list, household and outbox screens show.
function signature() {
  return JSON.stringify([netState(), S.items.map((it) => [it.client_id, it.state, it.attempts]),
    S.assignments.map((a) => [a.id, a.status, a.attempts, a.last_outcome, a.disposition])]);
}

// reconcileAll asks the server which of this tablet's items it holds and
// marks them safe with their ids (or sends a lost one again).
async function reconcileAll() {
  const ids = S.items.map((it) => it.client_id);
  for (let i = 0; i < ids.length; i += ob.MAX_BATCH) {
    let r;
    try { r = await api("/api/v1/sync/status", { method: "POST", body: { client_ids: ids.slice(i, i + ob.MAX_BATCH) } }); } catch { return; }
    if (r.status !== 200) return;
    const chunk = new Set(ids.slice(i, i + ob.MAX_BATCH));
    const before = S.items.filter((it) => chunk.has(it.client_id));
    const changed = ob.reconcile(before, r.body).filter((it, j) => it !== before[j]);
    if (changed.length) await db.putMany("outbox", changed);
    await refreshLocal();
  }
}

// ---------- app updates ----------

function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/t/sw.js", { scope: "/t/" }).then((reg) => {
    S.reg = reg;
    reg.addEventListener("updatefound", () => {
      const w = reg.installing;
      w && w.addEventListener("statechange", () => { if (w.state === "installed") maybeActivate(); });
    });
    maybeActivate();
  }).catch(() => {});
  // The new version controls the page once it has activated; the page
  // reloads into it once, when it is quiet (at once if it still is, else
  // after the send or the interview that began in between).
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (S.activating) { S.reloadDue = true; reloadIfQuiet(); }
  });
}

function isQuiet() {
  return ob.quiet({ items: S.items, drafts: S.drafts.size, syncing: S.syncing, hash: location.hash });
}

// maybeActivate switches to a waiting new version only at a quiet moment
// (ob.quiet); otherwise it says that it waits, and is asked again after
// every sync and on every screen change.
function maybeActivate() {
  if (S.activating) return reloadIfQuiet();
  const w = S.reg && S.reg.waiting;
  if (!w || !navigator.serviceWorker.controller) return;
  if (!isQuiet()) return banner(t("tablet.update_waiting"), "info");
  S.activating = true;
  w.postMessage({ type: "activate" });
}

function reloadIfQuiet() {
  if (!S.reloadDue || S.reloading || !isQuiet()) return;
  S.reloading = true;
  location.reload();
}

start();
