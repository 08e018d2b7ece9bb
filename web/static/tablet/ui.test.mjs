// The tablet's formatting helpers without a browser (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { address, fmtTime, setZone, wallToISO } from "./ui.js";

test("address: as the register writes it, the building once", () => {
  const cases = [
    [{ building: "1栋", household: "1栋2单元501" }, "1栋2单元501"], // the register repeats the building
    [{ building: "1栋", household: "2单元501" }, "1栋 2单元501"],
    [{ building: "", household: "东门巷12号" }, "东门巷12号"], // no building column
    [{ building: "5栋", household: "15栋101" }, "5栋 15栋101"], // another building's name is not a repeat
  ];
  for (const [a, want] of cases) assert.equal(address(a), want, JSON.stringify(a));
});

test("times in the district's zone, whatever the device's", () => {
  // 19:00 UTC is 00:30 the next day in Kolkata and 03:00 in Shanghai.
  setZone("Asia/Kolkata");
  assert.equal(fmtTime("2026-12-05T19:00:00Z", "en-GB"), "06/12, 00:30");
  setZone("Asia/Shanghai");
  assert.equal(fmtTime("2026-12-05T19:00:00Z", "en-GB"), "06/12, 03:00");
  setZone("Not/AZone"); // refused: the device's zone, as before the server said
  assert.equal(fmtTime("2026-12-05T19:00:00Z", "en-GB"), new Date("2026-12-05T19:00:00Z").toLocaleString("en-GB", { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" }));
});

test("an appointment typed as a wall time is read in the district's zone", () => {
  assert.equal(wallToISO("2026-12-07T14:30", "Asia/Shanghai"), "2026-12-07T06:30:00.000Z");
  assert.equal(wallToISO("2026-12-07T00:30", "Asia/Kolkata"), "2026-12-06T19:00:00.000Z");
  assert.equal(wallToISO("2026-12-07T09:15", "Asia/Kathmandu"), "2026-12-07T03:30:00.000Z");
  // Across a change of offset: New York's summer and winter.
  assert.equal(wallToISO("2026-07-01T12:00", "America/New_York"), "2026-07-01T16:00:00.000Z");
  assert.equal(wallToISO("2026-12-01T12:00", "America/New_York"), "2026-12-01T17:00:00.000Z");
  assert.equal(wallToISO("not a time", "Asia/Shanghai"), "");
});
