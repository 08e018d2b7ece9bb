// Run with: node --test web/static/js/ (Node ≥ 20; see the Makefile's test target).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { safeNext } from "./next.js";

const table = JSON.parse(readFileSync(new URL("../../../internal/server/testdata/next.json", import.meta.url), "utf8"));
const origin = "https://minyi.example.gov.cn";

test("safeNext agrees with the server's table", () => {
  for (const { next, want } of table.cases) {
    assert.equal(safeNext(next, origin), want, `safeNext(${JSON.stringify(next)})`);
  }
});

test("every answer stays on the origin, resolved once and twice", () => {
  for (const { next } of table.cases) {
    const got = safeNext(next, origin);
    const first = new URL(got, origin);
    assert.equal(first.origin, origin, `${JSON.stringify(next)} → ${got} → ${first.href}`);
    const again = new URL(first.pathname + first.search, origin);
    assert.equal(again.origin, origin, `${JSON.stringify(next)} → ${got} → ${again.href}`);
  }
});

test("the probe's forms do leave the origin when used unchecked", () => {
  // The danger is real: the parser turns these into a path starting with //.
  for (const next of ["/.//evil.example", "/a/..//evil.example/x"]) {
    const p = new URL(next, origin).pathname;
    assert.equal(new URL(p, origin).host, "evil.example");
  }
});
