import { test } from "node:test";
import assert from "node:assert/strict";
import { fill, reportRows, indicatorName, count, communityRows } from "./designreport.js";

const t = {
  "design.summary": "{reps} reps, {drawn} of {n}, rate {rate}",
  "design.recommendation": "{per_street} per street, {total} in all, width {width}, power {power}",
  "design.district": "District",
  "design.ind.support": "Support",
  "design.driven.power": "power of {indicator}",
  "design.driven.census": "census ({indicator})",
};

const rep = {
  reps: 30,
  design: { n: 90, drawn: 80, per_community: 10, streets: 2, households: 500, response_rate: 0.7 },
  district: { support: { true: 0.9, bias: 0.0012, rmse: 0.02, mean_se: 0.021, mean_width: 0.1, coverage: 0.95, p_flag_below: 0.01, mean_n: 55.4 } },
  streets: [
    { street: "东城街道", indicator: "support", true: 0.85, bias: -0.003, rmse: 0.04, mean_width: 0.2, coverage: 0.9333, p_flag_below: 0.6, mean_n: 27.6 },
    { street: "西城街道", indicator: "awareness", true: 0.95, bias: 0, rmse: 0.01, mean_width: 0.05, coverage: 1, mean_n: 28 },
  ],
  targets: { support: 0.9, awareness: 0.9 },
  recommendation: { n_per_street: 202, n_total: 400, target_width: 0.1, power: 0.8, streets: [
    { street: "东城街道", n: 40, n_width: 202, n_power: 150, n_needed: 202, driven_by: "power", indicator: "support" },
    { street: "西城街道", n: 40, n_width: 198, n_needed: 198, driven_by: "census", indicator: "awareness" },
  ] },
};

test("fill replaces known names and keeps unknown ones", () => {
  assert.equal(fill("{a} and {b}", { a: 1 }), "1 and {b}");
});

test("the report becomes sentences, a district row first and the streets' rows", () => {
  const out = reportRows(rep, t);
  assert.equal(out.summary, "30 reps, 80 of 90, rate 70.0%");
  assert.equal(out.recommendation, "202 per street, 400 in all, width 0.1, power 80.0%");
  assert.equal(out.rows.length, 3);
  assert.deepEqual(out.rows[0].cells, ["District", "Support", "0.900", "0.900", "+0.0012", "0.0200", "0.0210", "0.100", "95.0%", "1.0%", "55"]);
  assert.equal(out.rows[0].district, true);
  assert.equal(out.rows[0].below, false); // at target is not below it
  assert.deepEqual(out.rows[1].cells.slice(0, 4), ["东城街道", "Support", "0.850", "0.900"]);
  assert.equal(out.rows[1].cells[4], "-0.0030");
  assert.equal(out.rows[1].cells[6], "—"); // no mean_se
  assert.equal(out.rows[1].cells[8], "93.3%");
  assert.equal(out.rows[1].below, true);
  assert.equal(out.rows[2].cells[1], "awareness"); // no name in the table: the id
  assert.equal(out.rows[2].cells[9], "—"); // no p_flag_below
  assert.deepEqual(out.needs, [["东城街道", "40", "202", "150", "202", "power of Support"], ["西城街道", "40", "198", "—", "198", "census (awareness)"]]);
});

test("indicator names fall back to the id", () => {
  assert.equal(indicatorName(t, "support"), "Support");
  assert.equal(indicatorName(t, "x"), "x");
});

test("household counts carry thousands separators, as elsewhere on the pages", () => {
  assert.equal(count(15713), "15,713");
  assert.equal(count(2387), "2,387");
  assert.equal(count(202), "202");
  assert.equal(count(1234567), "1,234,567");
  assert.equal(count(undefined), "—");
  const out = reportRows({ reps: 50, design: { drawn: 2100, n: 2000, households: 15713, response_rate: 0.7 },
    recommendation: { n_per_street: 2387, n_total: 15095, target_width: 0.1, power: 0.8 } }, t);
  assert.equal(out.summary, "50 reps, 2,100 of 2,000, rate 70.0%");
  assert.equal(out.recommendation, "2,387 per street, 15,095 in all, width 0.1, power 80.0%");
});

test("communityRows writes each rate's direct and model cells, the model's as — when it never fitted", () => {
  const cells = {
    reps: 10,
    communities: [
      { indicator: "support", communities: 96, mean_n: 13.94, direct: { rmse: 0.0845, mean_se: 0.0735, coverage: 0.757 }, model: { rmse: 0.0564, mean_se: 0.0542, coverage: 0.923 }, rmse_gain: 0.333, model_failed: 0 },
      { indicator: "awareness", communities: 4, mean_n: 5, direct: { rmse: 0.1, mean_se: 0.09, coverage: 0.5 }, model: { rmse: 0, mean_se: 0, coverage: 0 }, rmse_gain: 0, model_failed: 10 },
    ],
  };
  assert.deepEqual(communityRows(cells, t), [
    ["Support", "96", "13.9", "0.0845", "0.0735", "75.7%", "0.0564", "0.0542", "92.3%", "33.3%"],
    ["awareness", "4", "5.0", "0.1000", "0.0900", "50.0%", "—", "—", "—", "—"],
  ]);
  assert.deepEqual(communityRows(rep, t), []);
});
