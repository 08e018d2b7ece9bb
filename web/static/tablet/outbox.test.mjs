// The outbox's rules without a browser (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as ob from "./outbox.js";

const id = (n) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const visit = (n, at = n) => ob.newItem("visit", { client_id: id(n), assignment_id: n, outcome: "no_one_home" }, "int1a", at);
const response = (n, at = n) => ob.newItem("response", { client_id: id(n), assignment_id: n, answers: { S1: 1 } }, "int1a", at);

test("backoff doubles up to the cap, with jitter between half and all of it", () => {
  const cases = [
    { attempt: 1, lo: 1000, hi: 2000 },
    { attempt: 2, lo: 2000, hi: 4000 },
    { attempt: 5, lo: 16000, hi: 32000 },
    { attempt: 30, lo: ob.MAX_DELAY / 2, hi: ob.MAX_DELAY },
  ];
  for (const { attempt, lo, hi } of cases) {
    assert.equal(ob.backoff(attempt, () => 0), lo, `attempt ${attempt}, random 0`);
    assert.equal(ob.backoff(attempt, () => 0.999999), hi, `attempt ${attempt}, random ~1`);
    for (let i = 0; i < 50; i++) {
      const d = ob.backoff(attempt);
      assert.ok(d >= lo && d <= hi, `attempt ${attempt}: ${d} outside [${lo}, ${hi}]`);
    }
  }
  const spread = new Set(Array.from({ length: 20 }, () => ob.backoff(3)));
  assert.ok(spread.size > 5, "jitter spreads retries");
});

test("due: pending items whose time has come, oldest first, at most one batch", () => {
  const items = [response(3, 30), visit(1, 10), { ...visit(2, 20), next_at: 5000 }, { ...visit(4, 5), state: "sent" }];
  assert.deepEqual(ob.due(items, 1000).map((it) => it.client_id), [id(1), id(3)]);
  assert.deepEqual(ob.due(items, 6000).map((it) => it.client_id), [id(1), id(2), id(3)]);
  const many = Array.from({ length: 700 }, (_, i) => visit(i + 1));
  assert.equal(ob.due(many, 0).length, ob.MAX_BATCH);
  assert.equal(ob.nextWake(items), 0);
  assert.equal(ob.nextWake([{ ...visit(2), next_at: 7 }]), 7);
  assert.equal(ob.nextWake([]), null);
});

test("a household's items go in the order recorded: the first blocks the later ones until it is safe", () => {
  // Household 7: a visit, then the interview after it; household 8: a visit.
  const v7 = ob.newItem("visit", { client_id: id(71), assignment_id: 7, outcome: "no_one_home" }, "int1a", 100);
  const r7 = ob.newItem("response", { client_id: id(72), assignment_id: 7, answers: { S1: 1 } }, "int1a", 200);
  const v8 = ob.newItem("visit", { client_id: id(81), assignment_id: 8, outcome: "refused" }, "int1a", 150);
  let items = [r7, v8, v7];
  const ids = (xs) => xs.map((it) => it.client_id);
  assert.deepEqual(ids(ob.due(items, 0)), [id(71), id(81)], "one item per household, oldest first");

  // The first send fails (the server is down): the visit waits for its
  // retry, and the interview behind it waits too, although it was never
  // sent and its own retry time (0) has come.
  const failed = ob.applyFailure(ob.due(items, 0), 1000, () => 0);
  items = items.map((it) => failed.find((f) => f.client_id === it.client_id) || it);
  const retryAt = failed[0].next_at;
  assert.ok(retryAt > 1000);
  assert.deepEqual(ob.due(items, retryAt - 1), [], "nothing due before the retry time");
  assert.equal(ob.nextWake(items), retryAt, "the interview's own next_at does not wake the queue");
  assert.deepEqual(ids(ob.due(items, retryAt)), [id(71), id(81)], "the visit again, not the interview");

  // The visit is stored: now the interview goes.
  const stored = ob.applyResults([items.find((it) => it.client_id === id(71))], [{ client_id: id(71), status: 201, id: 5 }], retryAt);
  items = items.map((it) => (it.client_id === id(71) ? stored[0] : it));
  assert.deepEqual(ids(ob.due(items, retryAt)), [id(81), id(72)]);

  // A refused item does not hold back the household's later ones.
  const refused = [{ ...v7, state: "rejected", error: { status: 409 } }, r7];
  assert.deepEqual(ids(ob.due(refused, 0)), [id(72)]);
});

test("stamp orders items recorded in the same millisecond", () => {
  const a = ob.stamp(5000), b = ob.stamp(5000), c = ob.stamp(4000);
  assert.ok(a < b && b < c, `${a} ${b} ${c}`);
  const x = ob.newItem("visit", { client_id: id(1), assignment_id: 1 }, "u");
  const y = ob.newItem("visit", { client_id: id(2), assignment_id: 1 }, "u");
  assert.ok(x.created_at < y.created_at);
});

test("syncBody is the API's shape", () => {
  assert.deepEqual(ob.syncBody([visit(1), response(2)]), {
    items: [
      { type: "visit", visit: { client_id: id(1), assignment_id: 1, outcome: "no_one_home" } },
      { type: "response", response: { client_id: id(2), assignment_id: 2, answers: { S1: 1 } } },
    ],
  });
});

test("applyResults: stored, already held, refused, retried", () => {
  const sent = [visit(1), response(2), response(3), visit(4), response(5)];
  const results = [
    { index: 0, client_id: id(1), status: 201, id: 11 },
    { index: 1, client_id: id(2), status: 200, id: 12 },
    { index: 2, client_id: id(3), status: 422, error: { code: "invalid", message: "invalid response", fields: { Q1: "an answer is required" } } },
    { index: 3, client_id: id(4), status: 409, error: { code: "conflict", message: "the household has a response" } },
    { index: 4, client_id: id(5), status: 500, error: { code: "internal" } },
  ];
  const out = ob.applyResults(sent, results, 1000, () => 0);
  assert.deepEqual(out.map((it) => it.state), ["sent", "sent", "rejected", "rejected", "pending"]);
  assert.deepEqual(out[0].receipt, { id: 11, status: "stored", at: 1000 });
  assert.deepEqual(out[1].receipt, { id: 12, status: "already", at: 1000 });
  assert.deepEqual(out[2].error.fields, { Q1: "an answer is required" });
  assert.equal(out[2].error.status, 422);
  assert.equal(out[4].attempts, 1);
  assert.equal(out[4].next_at, 1000 + ob.backoff(1, () => 0));
  assert.equal(sent[4].attempts, 0, "the input is not changed");
  assert.throws(() => ob.applyResults([visit(1)], [{ client_id: id(9), status: 201 }]), /out of order/);
});

test("applyFailure retries every item later, each a little later each time", () => {
  let items = [visit(1), response(2)];
  const waits = [];
  for (let i = 0; i < 4; i++) {
    items = ob.applyFailure(items, 0, () => 0.5);
    waits.push(items[0].next_at);
  }
  assert.deepEqual(items.map((it) => it.attempts), [4, 4]);
  assert.ok(waits.every((w, i) => i === 0 || w > waits[i - 1]), `waits grow: ${waits}`);
  assert.ok(items.every((it) => it.state === "pending"));
});

test("reconcile: held items are safe with the server's id; a sent item the server lacks is sent again", () => {
  const items = [
    { ...visit(1), state: "sent", receipt: { id: 11, status: "stored", at: 1 } },
    { ...response(2), state: "sent", receipt: { id: 12, status: "stored", at: 1 } },
    response(3),
    { ...response(4), state: "rejected", error: { status: 422 } },
  ];
  const status = {
    held: [
      { type: "visit", client_id: id(1), id: 11 },
      { type: "response", client_id: id(3), id: 13, status: "accepted" },
    ],
    missing: [id(2), id(4)],
  };
  const out = ob.reconcile(items, status, 99);
  assert.equal(out[0], items[0], "unchanged when it agrees");
  assert.deepEqual([out[1].state, out[1].receipt, out[1].next_at], ["pending", null, 0]);
  assert.deepEqual([out[2].state, out[2].receipt], ["sent", { id: 13, status: "accepted", at: 99 }]);
  assert.equal(out[3].state, "rejected");
  assert.deepEqual(ob.counts(out), { unsent: 2, sent: 2, rejected: 1 });
});

test("the export file holds exactly the unsent items as a sync body", () => {
  const items = [response(3, 3), { ...visit(1, 1), state: "sent" }, { ...response(2, 2), state: "rejected" }];
  const file = JSON.parse(ob.exportFile(items));
  assert.deepEqual(Object.keys(file), ["items"]);
  assert.deepEqual(file.items.map((x) => x[x.type].client_id), [id(2), id(3)]);
  assert.equal(ob.exportName("李霞/x", new Date(2026, 10, 27, 19, 5)), "minyi-outbox-李霞_x-20261127-1905.json");
});

test("uuid makes version 4 ids the server accepts", () => {
  const re = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const fallback = { getRandomValues: (b) => { for (let i = 0; i < b.length; i++) b[i] = (i * 37 + 11) & 255; return b; } };
  assert.match(ob.uuid(fallback), re);
  assert.match(ob.uuid(), re);
  assert.notEqual(ob.uuid(), ob.uuid());
});

test("quiet: an update waits for no unsent item, no sync in flight, no draft, no interview open", () => {
  const sent = { ...visit(1), state: "sent", receipt: { id: 7 } };
  const base = { items: [sent], drafts: 0, syncing: false, hash: "#/" };
  assert.equal(ob.quiet(base), true, "everything sent, on the list");
  assert.equal(ob.quiet({ ...base, hash: "" }), true, "no route yet");
  assert.equal(ob.quiet({ ...base, hash: "#/outbox" }), true);
  assert.equal(ob.quiet({ ...base, hash: "#/h/3" }), true, "a household's screen");
  const busy = [
    ["an unsent visit", { items: [sent, visit(2)] }],
    ["a refused interview", { items: [{ ...response(3), state: "rejected" }] }],
    ["a sync in flight", { syncing: true }],
    ["a draft", { drafts: 1 }],
    ["a question open", { hash: "#/q/3/A1" }],
    ["the review open", { hash: "#/review/3" }],
    ["an end screen open", { hash: "#/end/3" }],
  ];
  for (const [what, change] of busy) assert.equal(ob.quiet({ ...base, ...change }), false, what);
});
