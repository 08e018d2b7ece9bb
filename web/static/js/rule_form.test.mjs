// Run with: node --test web/static/js/ (see the Makefile's test target).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readRule, writeRule } from "./rule_form.js";

const example = `# a comment
attempts: 3          # visits
days: 2
evening_from: "18:00"
on_refusal: true     # a refusal releases a reserve
approval: supervisor
quality:
  min_duration_seconds: 300
  attempts: 9
`;

test("reads the top-level settings, not the nested ones", () => {
  assert.deepEqual(readRule(example), { attempts: 3, days: 2, evening_from: "18:00", on_refusal: true, approval: "supervisor" });
});

test("an empty rule gives no settings (the form shows the defaults)", () => {
  assert.deepEqual(readRule(""), {});
  assert.deepEqual(readRule("attempts: many\n"), {});
});

test("writes the form's settings into the text, keeping the rest", () => {
  const out = writeRule(example, { attempts: 4, on_refusal: false, on_other: true, evening_from: "19:30" });
  assert.equal(
    out,
    `# a comment
attempts: 4  # visits
days: 2
evening_from: "19:30"
on_refusal: false  # a refusal releases a reserve
approval: supervisor
quality:
  min_duration_seconds: 300
  attempts: 9
on_other: true
`,
  );
  assert.deepEqual(readRule(out), { attempts: 4, days: 2, evening_from: "19:30", on_refusal: false, on_other: true, approval: "supervisor" });
});

test("an empty text gets every setting", () => {
  const out = writeRule("", { attempts: 3, approval: "automatic" });
  assert.equal(out, "attempts: 3\napproval: automatic\n");
});

test("JSON stays JSON", () => {
  const out = writeRule('{"attempts": 3, "quality": {"gps_max_meters": 500}}', { attempts: 5, on_other: false });
  assert.deepEqual(JSON.parse(out), { attempts: 5, quality: { gps_max_meters: 500 }, on_other: false });
  assert.deepEqual(readRule(out), { attempts: 5, on_other: false });
  assert.equal(writeRule("{broken", { attempts: 5 }), "{broken");
});
