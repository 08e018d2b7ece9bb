// The rounds page: the new round's replacement rule is a form (attempts,
// days, evening visits, the outcomes that release a reserve, approval)
// kept in step with the rule's text, the advanced option: a change in the
// form rewrites its keys in the text, and a text typed, pasted or read
// from a file sets the form. The form posts the text (the server reads
// YAML or JSON and names each problem's line); an empty text is the
// defaults, which the form shows.
import { readRule, writeRule, RULE_KEYS } from "./rule_form.js";

const form = document.getElementById("round-create");
const file = document.getElementById("rule-file");
const box = form?.querySelector("textarea[name=rule]");
const inputs = form ? [...form.querySelectorAll("[data-rule]")] : [];

function settings() {
  const out = {};
  for (const el of inputs) {
    const k = el.dataset.rule;
    if (RULE_KEYS[k] === "bool") out[k] = el.checked;
    else if (RULE_KEYS[k] === "int") out[k] = Number(el.value);
    else out[k] = el.value;
  }
  return out;
}

function show(text) {
  const s = readRule(text);
  for (const el of inputs) {
    const k = el.dataset.rule;
    const def = el.dataset.default;
    if (RULE_KEYS[k] === "bool") el.checked = k in s ? s[k] : def === "true";
    else el.value = k in s ? String(s[k]) : def;
  }
}

if (form && box) {
  for (const el of inputs) {
    el.addEventListener("change", () => {
      box.value = writeRule(box.value, settings());
    });
  }
  box.addEventListener("input", () => show(box.value));
  file?.addEventListener("change", async () => {
    const f = file.files?.[0];
    if (!f) return;
    box.value = await f.text();
    show(box.value);
    box.closest("details")?.setAttribute("open", "");
  });
  show(box.value);
  document.documentElement.dataset.ruleForm = "ready";
}
