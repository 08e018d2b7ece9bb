// The tablet's formatting helpers without a browser (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { address } from "./ui.js";

test("address: as the register writes it, the building once", () => {
  const cases = [
    [{ building: "1栋", household: "1栋2单元501" }, "1栋2单元501"], // the register repeats the building
    [{ building: "1栋", household: "2单元501" }, "1栋 2单元501"],
    [{ building: "", household: "东门巷12号" }, "东门巷12号"], // no building column
    [{ building: "5栋", household: "15栋101" }, "5栋 15栋101"], // another building's name is not a repeat
  ];
  for (const [a, want] of cases) assert.equal(address(a), want, JSON.stringify(a));
});
