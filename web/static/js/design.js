// The design page (/samples/design): the form posts to
// POST /api/v1/simulate/design through form.js (field errors beside their
// fields), and the report fills the tables below it.

import { bindForm, strings } from "./form.js";
import { reportRows, communityRows } from "./designreport.js";

const form = document.getElementById("design-form");
const result = document.getElementById("design-result");
const running = document.getElementById("design-running");

function cell(tag, text, cls) {
  const el = document.createElement(tag);
  el.textContent = text;
  if (cls) el.className = cls;
  return el;
}

function show(rep, t) {
  const { summary, recommendation, rows, needs } = reportRows(rep, t);
  document.getElementById("design-summary").textContent = summary;
  document.querySelector("#design-recommendation strong").textContent = recommendation;
  const body = document.querySelector("#design-table tbody");
  body.replaceChildren(
    ...rows.map((r) => {
      const tr = document.createElement("tr");
      r.cells.forEach((c, i) => {
        const td = cell(i === 0 && r.district ? "th" : "td", c, i >= 2 ? "num" : "");
        if (i === 2 && r.below) {
          td.append(" ", cell("span", t["design.below"], "badge bad"));
        }
        tr.append(td);
      });
      return tr;
    }),
  );
  document.querySelector("#design-needs tbody").replaceChildren(
    ...needs.map((cells) => {
      const tr = document.createElement("tr");
      cells.forEach((c, i) => tr.append(cell("td", c, i > 0 && i < cells.length - 1 ? "num" : "")));
      return tr;
    }),
  );
  const crows = communityRows(rep, t);
  document.getElementById("design-communities").hidden = crows.length === 0;
  document.querySelector("#design-communities-table tbody").replaceChildren(
    ...crows.map((cells) => {
      const tr = document.createElement("tr");
      cells.forEach((c, i) => tr.append(cell("td", c, i > 0 ? "num" : "")));
      return tr;
    }),
  );
  result.hidden = false;
  result.scrollIntoView({ block: "start" });
}

if (form) {
  // form.js marks the form busy while the request runs.
  new MutationObserver(() => {
    running.hidden = form.getAttribute("aria-busy") !== "true";
  }).observe(form, { attributes: true, attributeFilter: ["aria-busy"] });
  bindForm(form, {
    url: "/api/v1/simulate/design",
    onSuccess: async (rep) => show(rep, await strings()),
  });
}
