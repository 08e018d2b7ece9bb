import { test } from "node:test";
import assert from "node:assert/strict";
import { selectedIDs, assignedHref, pct, cells, outcomeKey, thousands, householdCells, clockIn } from "./street_util.js";

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

test("householdCells formats every household count as the server does", () => {
  assert.equal(thousands(2280), "2,280");
  assert.equal(thousands(43), "43");
  assert.equal(thousands(1234567), "1,234,567");
  assert.deepEqual(householdCells({ drawn: 2280, reserves: 6840, released: 577, assigned: 2857, closed: 2000, pending: 857 }),
    { drawn: "2,280", reserves: "6,840", released: "577", assigned: "2,857", closed: "2,000", pending: "857" });
  assert.equal(householdCells({}).pending, "0");
});

test("clockIn writes the time of day in the district's zone, half-hour zones included", () => {
  const d = new Date("2026-12-05T19:00:05Z");
  assert.equal(clockIn(d, "Asia/Kolkata"), "00:30:05");
  assert.equal(clockIn(d, "Asia/Shanghai"), "03:00:05");
  assert.equal(clockIn(new Date("2026-12-05T09:04:03Z"), "UTC"), "09:04:03");
});
