import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { OPS, opsFor, ruleOf, conditionOf, fromCondition, toCondition, check, references, renameQuestion } from "./condition_builder.mjs";
import { prepare, evaluate } from "../tablet/engine.js";

const conformance = JSON.parse(readFileSync(new URL("../../../internal/questionnaire/testdata/conformance.json", import.meta.url), "utf8"));

// Every condition of every definition in the shared conformance table.
function conditions() {
  const out = [];
  const defs = new Set();
  for (const tc of conformance.cases) if (tc.definition) defs.add(JSON.stringify(tc.definition));
  for (const j of defs) {
    const d = JSON.parse(j);
    for (const s of d.sections || []) {
      if (s.show_if) out.push(s.show_if);
      for (const q of s.questions || []) {
        if (q.show_if) out.push(q.show_if);
        if (q.end_if?.when) out.push(q.end_if.when);
      }
    }
  }
  return out;
}

test("the conformance table has conditions to read", () => {
  assert.ok(conditions().length >= 5, `only ${conditions().length} conditions`);
});

test("every condition of the conformance table reads and writes back unchanged", () => {
  for (const c of conditions()) {
    assert.deepEqual(toCondition(fromCondition(c)), c, JSON.stringify(c));
  }
});

test("rules and their conditions, both ways", () => {
  const table = [
    [{ question: "A1", op: "equals", value: 1 }, { equals: { question: "A1", value: 1 } }],
    [{ question: "A1", op: "not_equals", value: 2 }, { not: { equals: { question: "A1", value: 2 } } }],
    [{ question: "C1", op: "in", values: [7, 9] }, { in: { question: "C1", values: [7, 9] } }],
    [{ question: "C1", op: "not_in", values: [7] }, { not: { in: { question: "C1", values: [7] } } }],
    [{ question: "S1", op: "between", min: 18, max: 65 }, { between: { question: "S1", min: 18, max: 65 } }],
    [{ question: "B2", op: "answered" }, { answered: "B2" }],
    [{ question: "B2", op: "not_answered" }, { not: { answered: "B2" } }],
  ];
  assert.equal(table.length, OPS.length, "one row per operator");
  for (const [rule, cond] of table) {
    assert.deepEqual(conditionOf(rule), cond, rule.op);
    assert.deepEqual(ruleOf(cond), rule, rule.op);
    assert.deepEqual(fromCondition(cond), { mode: "all", rules: [rule] });
    assert.deepEqual(toCondition({ mode: "any", rules: [rule] }), cond, "one rule needs no group");
  }
});

test("all and any of several rules", () => {
  const rules = [{ question: "A1", op: "equals", value: 1 }, { question: "B2", op: "not_answered" }];
  const all = { all: [{ equals: { question: "A1", value: 1 } }, { not: { answered: "B2" } }] };
  assert.deepEqual(toCondition({ mode: "all", rules }), all);
  assert.deepEqual(toCondition({ mode: "any", rules }), { any: all.all });
  assert.deepEqual(fromCondition({ any: all.all }), { mode: "any", rules });
  assert.equal(toCondition({ mode: "all", rules: [] }), null);
  assert.deepEqual(fromCondition(null), { mode: "all", rules: [] });
  assert.deepEqual(fromCondition(undefined), { mode: "all", rules: [] });
});

test("a group of one stays a group", () => {
  const c = { any: [{ equals: { question: "A1", value: 1 } }] };
  const m = fromCondition(c);
  assert.equal(m.group, true);
  assert.deepEqual(toCondition(m), c);
});

test("conditions the builder cannot show stay raw and unchanged", () => {
  const nested = { all: [{ equals: { question: "A1", value: 1 } }, { any: [{ answered: "B1" }, { answered: "B2" }] }] };
  const notBetween = { not: { between: { question: "S1", min: 1, max: 2 } } };
  const notAll = { not: { all: [{ answered: "B1" }] } };
  for (const c of [nested, notBetween, notAll]) {
    const m = fromCondition(c);
    assert.ok(m.raw, JSON.stringify(c));
    assert.deepEqual(m.rules, []);
    assert.deepEqual(toCondition(m), c);
    assert.notEqual(toCondition(m), m.raw, "a copy, not the model's own object");
  }
  assert.equal(ruleOf({ equals: { question: "A1", value: 1 }, answered: "B1" }), null, "two operators in one condition");
});

test("the builder's conditions mean on the tablet what the rule says", () => {
  const def = prepare({
    id: "t", title: { "zh-CN": "t" }, languages: ["zh-CN"],
    sections: [{
      id: "s", title: { "zh-CN": "s" }, questions: [
        { code: "A1", type: "single_choice", label: { "zh-CN": "a" }, options: [{ code: 1, label: { "zh-CN": "1" } }, { code: 2, label: { "zh-CN": "2" } }, { code: 3, label: { "zh-CN": "3" } }] },
        { code: "N1", type: "integer", min: 0, max: 120, label: { "zh-CN": "n" } },
        { code: "X", type: "text", label: { "zh-CN": "x" } },
      ],
    }],
  });
  const shown = (model, answers) => {
    const d = structuredClone(def);
    d.sections[0].questions[2].show_if = toCondition(model);
    return evaluate(prepare(d), answers).st.visible.includes("X");
  };
  const one = (rule) => ({ mode: "all", rules: [rule] });
  assert.equal(shown(one({ question: "A1", op: "not_equals", value: 2 }), { A1: 1 }), true);
  assert.equal(shown(one({ question: "A1", op: "not_equals", value: 2 }), { A1: 2 }), false);
  assert.equal(shown(one({ question: "A1", op: "not_in", values: [1, 3] }), { A1: 3 }), false);
  assert.equal(shown(one({ question: "A1", op: "in", values: [1, 3] }), { A1: 3 }), true);
  assert.equal(shown(one({ question: "N1", op: "between", min: 18, max: 65 }), { N1: 17 }), false);
  assert.equal(shown(one({ question: "N1", op: "between", min: 18, max: 65 }), { N1: 18 }), true);
  assert.equal(shown(one({ question: "N1", op: "not_answered" }), {}), true);
  const both = [{ question: "A1", op: "equals", value: 1 }, { question: "N1", op: "answered" }];
  assert.equal(shown({ mode: "all", rules: both }, { A1: 1 }), false);
  assert.equal(shown({ mode: "any", rules: both }, { A1: 1 }), true);
  assert.equal(shown({ mode: "all", rules: both }, { A1: 1, N1: 30 }), true);
});

test("opsFor offers what a question type can be asked", () => {
  assert.ok(opsFor("satisfaction").includes("in"));
  assert.ok(!opsFor("satisfaction").includes("between"));
  assert.ok(opsFor("integer").includes("between"));
  assert.deepEqual(opsFor("text"), ["answered", "not_answered"]);
  for (const t of ["single_choice", "multiple_choice", "yes_no", "satisfaction", "integer", "text"]) {
    assert.ok(opsFor(t).every((op) => OPS.includes(op)), t);
  }
});

test("check finds the rules not to send", () => {
  const types = { A1: "single_choice", N1: "integer", X: "text", L1: "yes_no" };
  const earlier = ["A1", "N1", "X"];
  const m = {
    mode: "all", rules: [
      { question: "", op: "equals", value: 1 },
      { question: "Z9", op: "equals", value: 1 },
      { question: "X", op: "equals", value: 1 },
      { question: "A1", op: "equals", value: null },
      { question: "A1", op: "in", values: [] },
      { question: "N1", op: "between", min: 65, max: 18 },
      { question: "N1", op: "between", min: 18 },
      { question: "A1", op: "not_in", values: [2] },
      { question: "X", op: "answered" },
      { question: "L1", op: "answered" },
    ],
  };
  assert.deepEqual(check(m, earlier, types), [
    { rule: 0, field: "question", code: "question" },
    { rule: 1, field: "question", code: "gone" },
    { rule: 2, field: "op", code: "op" },
    { rule: 3, field: "value", code: "value" },
    { rule: 4, field: "value", code: "value" },
    { rule: 5, field: "value", code: "range" },
    { rule: 6, field: "value", code: "value" },
    { rule: 9, field: "question", code: "later" },
  ]);
  // Without the types, an unknown code is only one not asked before.
  assert.deepEqual(check({ mode: "all", rules: [{ question: "Z9", op: "answered" }] }, earlier), [{ rule: 0, field: "question", code: "later" }]);
  assert.deepEqual(check({ raw: { answered: "Q" } }, [], {}), []);
});

test("references and renaming", () => {
  const c = { all: [{ equals: { question: "A1", value: 1 } }, { not: { answered: "B2" } }, { any: [{ in: { question: "A1", values: [2] } }, { between: { question: "N1", min: 1, max: 2 } }] }] };
  assert.deepEqual(references(c), ["A1", "B2", "N1"]);
  const r = renameQuestion(c, "A1", "A9");
  assert.deepEqual(references(r), ["A9", "B2", "N1"]);
  assert.deepEqual(references(c), ["A1", "B2", "N1"], "the original is left alone");
  assert.deepEqual(renameQuestion({ answered: "A1" }, "A1", "Q"), { answered: "Q" });
  assert.equal(renameQuestion(null, "A1", "Q"), null);
});
