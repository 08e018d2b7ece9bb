// The shared conformance table, run against the JavaScript port (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { prepare, validate, evaluate, score } from "./engine.js";

const table = JSON.parse(readFileSync(new URL("../../../internal/questionnaire/testdata/conformance.json", import.meta.url), "utf8"));

test("the table has cases", () => assert.ok(table.cases.length > 10));

for (const tc of table.cases) {
  test(`conformance: ${tc.name}`, () => {
    const def = prepare(tc.definition);
    const { state, errors } = validate(def, tc.answers);
    assert.deepEqual(state.visible, tc.visible, "visible");
    assert.equal(state.ended, tc.ended, "ended");
    assert.equal(state.disposition, tc.disposition, "disposition");
    assert.equal(state.eligible, tc.eligible, "eligible");
    const rules = Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, v.rule]));
    assert.deepEqual(rules, tc.errors, "errors");
    assert.deepEqual(evaluate(def, tc.answers).st.visible, state.visible);
    if (!tc.indicators) return;
    const got = score(def, tc.answers);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(tc.indicators).sort(), "indicator ids");
    for (const [id, want] of Object.entries(tc.indicators)) {
      if (want === null) assert.equal(got[id], null, `indicator ${id}`);
      else assert.ok(got[id] !== null && Math.abs(got[id] - want) <= 1e-9, `indicator ${id} = ${got[id]}, want ${want}`);
    }
  });
}
