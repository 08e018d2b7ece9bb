import { test } from "node:test";
import assert from "node:assert/strict";
import { selectedIDs, assignedHref, pct, cells, outcomeKey, clockIn } from "./street_util.js";

test("selectedIDs keeps the checked boxes as numbers", () => {
  const boxes = [{ checked: true, value: "3" }, { checked: false, value: "4" }, { checked: true, value: "x" }, { checked: true, value: "12" }];
  assert.deepEqual(selectedIDs(boxes), [3, 12]);
});

test("assignedHref keeps the filters and replaces the last result", () => {
  const loc = { pathname: "/rounds/2/board", search: "?community=5&assigned=1&to=a" };
  assert.equal(assignedHref(loc, { assigned: 7, interviewer: "int1b" }), "/rounds/2/board?community=5&assigned=7&to=int1b");
});

test("pct formats like the server and dashes a missing rate", () => {
  assert.equal(pct(0.8534), "85.3%");
  assert.equal(pct(null), "—");
  assert.equal(pct(undefined), "—");
});

test("cells counts final households and formats the rates", () => {
  const g = { assignments: 10, visits: 14, dispositions: { i: 3, r: 1, nc: 1, ne: 1, pending: 4 }, rates: { rr1: 0.6, rr3: null, coop1: 0.75, ref1: 0.2, con1: 0.8 } };
  const c = cells(g);
  assert.equal(c.final, "6");
  assert.equal(c.pending, "4");
  assert.equal(c.rr1, "60.0%");
  assert.equal(c.rr3, "—");
  assert.equal(c.i, "3");
});

test("outcomeKey names the strings of the three outcomes", () => {
  assert.equal(outcomeKey({ outcome: "held" }), "street.rescue.held");
});

test("clockIn writes the time of day in the district's zone, half-hour zones included", () => {
  const d = new Date("2026-12-05T19:00:05Z");
  assert.equal(clockIn(d, "Asia/Kolkata"), "00:30:05");
  assert.equal(clockIn(d, "Asia/Shanghai"), "03:00:05");
  assert.equal(clockIn(new Date("2026-12-05T09:04:03Z"), "UTC"), "09:04:03");
});
