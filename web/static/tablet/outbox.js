// The outbox's rules, free of the browser so that node --test covers them:
// which items to send, how a sync's answer changes them, backoff with
// jitter, reconciliation with the server's receipts and the export file.
//
// An item: { client_id, type: "visit"|"response", body, user, assignment_id,
//   state: "pending"|"sent"|"rejected", attempts, next_at (ms), created_at,
//   receipt: { id, status, at } | null, error: { status, code, message, fields } | null }

export const MAX_BATCH = 500; // the server's limit per sync request
export const BASE_DELAY = 2000; // ms before the first retry
export const MAX_DELAY = 5 * 60 * 1000; // retries are at least this often

// backoff is the wait before retry number attempt (1, 2, …): exponential,
// capped, with "equal jitter" (half fixed, half random) so that tablets
// coming back online together do not retry in step, yet never retry at once.
export function backoff(attempt, random = Math.random) {
  const ceiling = Math.min(MAX_DELAY, BASE_DELAY * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

// stamp is the recording time of a new item: the clock in milliseconds,
// made strictly increasing within the page so that two items recorded in
// the same millisecond still have an order.
let lastStamp = 0;
export function stamp(now = Date.now()) {
  lastStamp = Math.max(now, lastStamp + 1);
  return lastStamp;
}

export function newItem(type, body, user, now = stamp()) {
  return {
    client_id: body.client_id, type, body, user, assignment_id: body.assignment_id,
    state: "pending", attempts: 0, next_at: 0, created_at: now, receipt: null, error: null,
  };
}

// heads are the items each household's queue would send next: for every
// household (assignment), its oldest pending item, provided no older item
// of the same household is still waiting. A household's items thus reach
// the server in the order they were recorded (a visit before the interview
// that followed it): while the first one's send fails, the later ones wait
// behind it. A refused item does not block the ones after it: sending it
// again changes nothing, and the interviewer acts on it separately.
export function heads(items) {
  const byHousehold = new Map();
  for (const it of items) {
    if (it.state !== "pending") continue;
    const cur = byHousehold.get(it.assignment_id);
    if (!cur || order(it, cur) < 0) byHousehold.set(it.assignment_id, it);
  }
  return [...byHousehold.values()].sort(order);
}

// order is the order items were recorded in: creation time, then client
// id (two items recorded in the same millisecond keep one fixed order).
function order(a, b) {
  return a.created_at - b.created_at || (a.client_id < b.client_id ? -1 : a.client_id > b.client_id ? 1 : 0);
}

// due lists the items to send now: the households' heads whose retry time
// has come, oldest first, at most MAX_BATCH. One sync request carries at
// most one item per household, so a household's second item is sent only
// after the server has acknowledged its first.
export function due(items, now = Date.now()) {
  return heads(items).filter((it) => it.next_at <= now).slice(0, MAX_BATCH);
}

// nextWake is when the earliest household head may be retried (ms), or
// null when nothing waits.
export function nextWake(items) {
  const t = heads(items).map((it) => it.next_at);
  return t.length ? Math.min(...t) : null;
}

// syncBody is the POST /api/v1/sync request for the items.
export function syncBody(items) {
  return { items: items.map((it) => ({ type: it.type, [it.type]: it.body })) };
}

// Statuses that will not change by sending the same item again: the
// interviewer (or the office) has to act.
const FINAL = new Set([400, 403, 404, 409, 413, 422]);

// applyResults returns the items updated by the server's per-item results
// (same order as sent): 200/201 safe on the server with a receipt, a
// refusal kept with its error for the interviewer, anything else retried.
export function applyResults(sent, results, now = Date.now(), random = Math.random) {
  return sent.map((it, i) => {
    const r = results[i];
    const out = { ...it };
    if (r && r.client_id && r.client_id !== it.client_id) throw new Error("sync results out of order");
    if (r && (r.status === 200 || r.status === 201)) {
      out.state = "sent";
      out.receipt = { id: r.id, status: r.status === 201 ? "stored" : "already", at: now };
      out.error = null;
    } else if (r && FINAL.has(r.status)) {
      out.state = "rejected";
      out.error = { status: r.status, ...(r.error || {}) };
    } else {
      return retry(out, now, random);
    }
    return out;
  });
}

// applyFailure marks items whose request failed as a whole (offline, 5xx,
// timeout) for a later retry.
export function applyFailure(sent, now = Date.now(), random = Math.random) {
  return sent.map((it) => retry({ ...it }, now, random));
}

function retry(it, now, random) {
  it.attempts += 1;
  it.state = "pending";
  it.next_at = now + backoff(it.attempts, random);
  return it;
}

// reconcile applies POST /api/v1/sync/status: what the server holds is
// safe (with its id); a "sent" item the server does not hold is sent
// again. Pending and rejected items are left to the next sync.
export function reconcile(items, status, now = Date.now()) {
  const held = new Map((status.held || []).map((h) => [h.client_id, h]));
  return items.map((it) => {
    const h = held.get(it.client_id);
    if (h && h.type === it.type) {
      if (it.state === "sent" && it.receipt && it.receipt.id === h.id) return it;
      return { ...it, state: "sent", error: null, receipt: { id: h.id, status: h.status || "stored", at: now } };
    }
    if (!h && it.state === "sent") return { ...it, state: "pending", receipt: null, next_at: 0 };
    return it;
  });
}

// counts summarises the outbox for the header and the outbox screen.
export function counts(items) {
  const c = { unsent: 0, sent: 0, rejected: 0 };
  for (const it of items) {
    if (it.state === "sent") c.sent++;
    else c.unsent++;
    if (it.state === "rejected") c.rejected++;
  }
  return c;
}

// quiet tells whether the app may change version now (activate a waiting
// service worker, then reload into it): nothing unsent, no sync in flight
// (an item being sent, or receipts being reconciled), no draft and no
// interview screen open. A reload at any other moment loses nothing (all
// of it is in IndexedDB, and a send cut short is recognised by its client
// id when it is sent again), but it would interrupt the interviewer or a
// send, so the update waits for such a moment.
export function quiet({ items, drafts, syncing, hash }) {
  return !syncing && counts(items).unsent === 0 && drafts === 0 && !/^#\/(q|review|end)\//.test(hash || "");
}

// exportFile is the unsent items as a POST /api/v1/sync body, exactly (the
// API refuses unknown fields; who and when are in the file's name): the
// office uploads it through the same idempotent path, so an item that
// reaches the server twice is recognised by its client id.
export function exportFile(items) {
  const unsent = items.filter((it) => it.state !== "sent").sort((a, b) => a.created_at - b.created_at);
  return JSON.stringify(syncBody(unsent), null, 1);
}

// exportName names the export file: user and local time, safe characters.
export function exportName(user, d = new Date()) {
  const p = (n) => String(n).padStart(2, "0");
  const stamp = `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}`;
  return `minyi-outbox-${String(user).replace(/[^\p{L}\p{N}_-]/gu, "_")}-${stamp}.json`;
}

// uuid makes a client id (RFC 4122 version 4).
export function uuid(cryptoObj = globalThis.crypto) {
  if (cryptoObj.randomUUID) return cryptoObj.randomUUID();
  const b = cryptoObj.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
