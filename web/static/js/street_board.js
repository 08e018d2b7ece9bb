// The assignment board: select households (one by one, or all of a
// building or community) and give them to an interviewer of the street
// through POST /api/v1/rounds/:id/assignments, whose answer is the only
// check; the page then reloads with how many changed hands.

import { bindForm } from "./form.js";
import { selectedIDs, assignedHref } from "./street_util.js";

const form = document.getElementById("assign-form");
const count = document.getElementById("selected-count");

function units() {
  return [...document.querySelectorAll("input[name=unit]")];
}

function updateCount() {
  if (count) count.textContent = count.dataset.template.replace("%d", String(selectedIDs(units()).length));
}

document.addEventListener("change", (ev) => {
  const box = ev.target;
  if (box.matches("input[data-select-all]")) {
    const group = box.closest("[data-group]");
    for (const cb of group.querySelectorAll("input[name=unit], input[data-select-all]")) cb.checked = box.checked;
  }
  if (box.matches("input[name=unit], input[data-select-all]")) updateCount();
});

if (form) {
  bindForm(form, {
    url: form.dataset.url,
    toBody: (f) => ({ interviewer: f.elements.interviewer.value, assignment_ids: selectedIDs(units()) }),
    onSuccess: (json) => location.assign(assignedHref(location, json)),
  });
}
updateCount();
