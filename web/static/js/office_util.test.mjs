import { test } from "node:test";
import assert from "node:assert/strict";
import { definitionType, sizeQuery, previewRows, fmt } from "./office_util.js";

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
