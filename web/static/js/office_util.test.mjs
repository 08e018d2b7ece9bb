import { test } from "node:test";
import assert from "node:assert/strict";
import { definitionType, sizeQuery, previewRows, fmt, placeOrder } from "./office_util.js";

test("definitionType by name, then by text", () => {
  assert.equal(definitionType("q.JSON", "id: x"), "application/json");
  assert.equal(definitionType("q.yml", "{}"), "application/yaml");
  assert.equal(definitionType("", '  {"id":"x"}'), "application/json");
  assert.equal(definitionType("", "id: x"), "application/yaml");
});

test("sizeQuery leaves empty fields to the server's defaults", () => {
  assert.equal(sizeQuery({ margin: "0.05", p: "", deff: " 1.5 ", response_rate: 0.7, other: "x" }), "margin=0.05&deff=1.5&response_rate=0.7");
  assert.equal(sizeQuery({}), "");
});

test("previewRows lays out streets and the total", () => {
  const p = {
    streets: [{ street: "城关街道", households: 1200, communities: 6, n: 40, psus: 4, issued: 40, reserves: 8, expected_interviews: 28 }],
    total: { street: "total", households: 1200, communities: 6, n: 40, psus: 4, issued: 40, reserves: 8, expected_interviews: 28 },
  };
  const { rows, total } = previewRows(p);
  assert.deepEqual(rows[0], ["城关街道", "1,200", "6", "40", "4", "40", "8", "28.0"]);
  assert.equal(total[0], "");
  assert.equal(previewRows({ streets: [{ street: "a", n: 3, issued: 3 }] }).rows[0][4], "—");
  assert.equal(fmt(NaN), "—");
});

test("placeOrder sorts streets and each street's communities by the numbers typed", () => {
  const body = placeOrder([
    { id: 4, n: 3, group: "" },
    { id: 7, n: 1, group: "" },
    { id: 9, n: 2, group: "" },
    { id: 11, n: 2, group: "4" },
    { id: 12, n: 1, group: "4" },
    { id: 13, n: 1, group: "7" },
  ]);
  assert.deepEqual(body, { streets: [7, 9, 4], communities: { 4: [12, 11], 7: [13] } });
});

test("placeOrder keeps the page's order for ties and empty numbers", () => {
  const body = placeOrder([
    { id: 1, n: 2, group: "" },
    { id: 2, n: 2, group: "" },
    { id: 3, n: NaN, group: "" },
    { id: 4, n: 1, group: "" },
  ]);
  assert.deepEqual(body.streets, [4, 1, 2, 3]);
});
