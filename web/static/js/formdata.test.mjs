import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFields, errorList, errorMessage, stashKey, readForm, fillForm } from "./formdata.js";

test("parseFields keeps string messages in order", () => {
  assert.deepEqual(parseFields({ n: "must be at least 1", seed: "not a number", x: 3 }), [
    ["n", "must be at least 1"],
    ["seed", "not a number"],
  ]);
  assert.deepEqual(parseFields(undefined), []);
  assert.deepEqual(parseFields("oops"), []);
});

test("errorList writes line problems", () => {
  assert.deepEqual(
    errorList([{ line: 12, column: "street", message: "empty" }, "plain", { message: "no line" }, 7], "line"),
    ["line 12 · street: empty", "plain", "no line"],
  );
  assert.deepEqual(errorList({ problems: [{ line: 3, message: "bad" }] }), ["行 3: bad"]);
  assert.deepEqual(errorList({ other: 1 }), []);
});

test("stash keys differ by page and form", () => {
  assert.notEqual(stashKey("/samples", "draw"), stashKey("/rounds", "draw"));
  assert.notEqual(stashKey("/samples", "a"), stashKey("/samples", "b"));
});

function fakeForm() {
  const els = [
    { name: "name", type: "text", value: "第一轮" },
    { name: "password", type: "password", value: "secret" },
    { name: "csrf", type: "hidden", value: "h" },
    { name: "kind", type: "radio", value: "mock", checked: true },
    { name: "kind", type: "radio", value: "official", checked: false },
    { name: "streets", type: "checkbox", value: "1", checked: true },
    { name: "streets", type: "checkbox", value: "2", checked: false },
    { name: "ci", type: "select-multiple", multiple: true, options: [{ value: "a", selected: true }, { value: "b", selected: false }] },
    { name: "", type: "text", value: "unnamed" },
  ];
  return { elements: els };
}

test("readForm keeps input but not passwords or hidden fields", () => {
  const got = readForm(fakeForm());
  assert.deepEqual(got, { name: "第一轮", kind: ["mock"], streets: ["1"], ci: ["a"] });
});

test("fillForm puts read input back", () => {
  const saved = readForm(fakeForm());
  const f = fakeForm();
  for (const el of f.elements) {
    if (el.type === "text") el.value = "";
    if ("checked" in el) el.checked = !el.checked;
    if (el.options) for (const o of el.options) o.selected = !o.selected;
  }
  f.elements[1].value = "typed again";
  fillForm(f, saved);
  assert.deepEqual(readForm(f), saved);
  assert.equal(f.elements[1].value, "typed again", "a password is never filled in");
});

test("errorMessage shows a busy answer in the page's language, others as the server wrote them", () => {
  const t = { "form.error.busy": "服务器繁忙，本次未保存任何内容。请稍候再提交一次。" };
  assert.equal(errorMessage(t, { code: "busy", message: "the database is busy with other writes: nothing was stored; send it again" }), t["form.error.busy"]);
  assert.equal(errorMessage(t, { code: "conflict", message: "the round is closed" }), "the round is closed");
  assert.equal(errorMessage({}, { code: "busy", message: "busy, in English" }), "busy, in English");
  assert.equal(errorMessage(t, undefined), "");
});
