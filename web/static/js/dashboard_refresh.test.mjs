// Run with: node --test web/static/js/ (see the Makefile's test target).
import { test } from "node:test";
import assert from "node:assert/strict";
import { nextDelay, liveIds, INTERVAL, MAX_DELAY } from "./dashboard_refresh.js";

test("refreshes every 20 s while visible", () => {
  assert.equal(nextDelay(), INTERVAL);
  assert.equal(INTERVAL, 20000);
});

test("waits while the tab is hidden", () => {
  assert.equal(nextDelay({ hidden: true }), null);
  assert.equal(nextDelay({ hidden: true, failures: 3 }), null);
});

test("backs off after failures, up to five minutes", () => {
  assert.equal(nextDelay({ failures: 1 }), 40000);
  assert.equal(nextDelay({ failures: 2 }), 80000);
  assert.equal(nextDelay({ failures: 50 }), MAX_DELAY);
  assert.equal(nextDelay({ failures: -1 }), INTERVAL);
});

test("live sections by id, once each, in order", () => {
  assert.deepEqual(liveIds([{ id: "asof" }, { id: "" }, { id: "league" }, { id: "asof" }]), ["asof", "league"]);
});
