// The condition builder's model and its translation to and from minyi's
// declarative conditions (internal/questionnaire/condition.go, evaluated on
// the tablet by web/static/tablet/engine.js). Pure functions, no DOM:
// condition_builder.test.mjs runs them with node --test.
//
// A builder model is a list of rules joined by "all" (every rule holds) or
// "any" (at least one does):
//
//   { mode: "all" | "any", rules: [rule, …] }
//   rule = { question: "A1", op: "equals", value: 1 }
//        | { question: "A1", op: "in", values: [1, 2] }
//        | { question: "S1", op: "between", min: 18, max: 65 }
//        | { question: "B2", op: "answered" }
//
// with op one of OPS. A condition the builder cannot show as such a list
// (e.g. an "any" inside an "all") comes back as { raw: condition }: the
// editor shows it in words and keeps it as it is unless it is cleared.

/** OPS are the builder's operators, each one a condition or its negation. */
export const OPS = ["equals", "not_equals", "in", "not_in", "between", "answered", "not_answered"];

const CHOICE_OPS = ["equals", "not_equals", "in", "not_in", "answered", "not_answered"];
const INTEGER_OPS = ["equals", "not_equals", "between", "answered", "not_answered"];
const TEXT_OPS = ["answered", "not_answered"];

/** opsFor returns the operators that make sense for a question type. */
export function opsFor(type) {
  switch (type) {
    case "single_choice":
    case "multiple_choice":
    case "yes_no":
    case "satisfaction":
      return CHOICE_OPS;
    case "integer":
      return INTEGER_OPS;
    default:
      return TEXT_OPS;
  }
}

/** ruleOf reads one simple condition (or its negation) as a rule; null when it is not one. */
export function ruleOf(c) {
  if (!c || typeof c !== "object") return null;
  const keys = Object.keys(c);
  if (keys.length !== 1) return null;
  if (c.equals) return { question: c.equals.question ?? "", op: "equals", value: c.equals.value ?? null };
  if (c.in) return { question: c.in.question ?? "", op: "in", values: [...(c.in.values || [])] };
  if (c.between) return { question: c.between.question ?? "", op: "between", min: c.between.min ?? null, max: c.between.max ?? null };
  if (typeof c.answered === "string") return { question: c.answered, op: "answered" };
  if (c.not) {
    const inner = ruleOf(c.not);
    if (!inner) return null;
    const neg = { equals: "not_equals", in: "not_in", answered: "not_answered" }[inner.op];
    return neg ? { ...inner, op: neg } : null;
  }
  return null;
}

/** conditionOf writes a rule as a condition. */
export function conditionOf(r) {
  const q = r.question ?? "";
  switch (r.op) {
    case "equals":
      return { equals: { question: q, value: r.value ?? null } };
    case "not_equals":
      return { not: conditionOf({ ...r, op: "equals" }) };
    case "in":
      return { in: { question: q, values: [...(r.values || [])] } };
    case "not_in":
      return { not: conditionOf({ ...r, op: "in" }) };
    case "between":
      return { between: { question: q, min: r.min ?? null, max: r.max ?? null } };
    case "answered":
      return { answered: q };
    case "not_answered":
      return { not: { answered: q } };
  }
  throw new Error(`unknown operator ${r.op}`);
}

/**
 * fromCondition reads a condition (or null for none) as a builder model:
 * a single rule, or a flat all/any of rules; anything else is kept raw.
 */
export function fromCondition(c) {
  if (c === null || c === undefined) return { mode: "all", rules: [] };
  const one = ruleOf(c);
  if (one) return { mode: "all", rules: [one] };
  for (const mode of ["all", "any"]) {
    if (Object.keys(c).length === 1 && Array.isArray(c[mode])) {
      const rules = c[mode].map(ruleOf);
      // A group of one keeps its group, so reading and writing back
      // changes nothing the user did not change.
      if (rules.every(Boolean)) return rules.length === 1 ? { mode, rules, group: true } : { mode, rules };
    }
  }
  return { mode: "all", rules: [], raw: structuredClone(c) };
}

/**
 * toCondition writes a builder model as a condition: null without rules,
 * the rule itself when there is one, else all/any of the rules. A raw
 * model gives back its condition unchanged.
 */
export function toCondition(m) {
  if (m.raw) return structuredClone(m.raw);
  const rules = m.rules || [];
  if (rules.length === 0) return null;
  if (rules.length === 1 && !m.group) return conditionOf(rules[0]);
  return { [m.mode === "any" ? "any" : "all"]: rules.map(conditionOf) };
}

const isInt = (v) => typeof v === "number" && Number.isInteger(v);

/**
 * check finds the rules the editor should not send: no question, a question
 * that is not asked before (earlier is the list of codes asked before, in
 * order), an operator the question's type does not take, a missing value or
 * a range upside down. types maps a code to its question type; when it is
 * given, a code it does not hold is a question that no longer exists (its
 * part or itself was removed). It returns [{rule, field, code}] with code
 * one of "question", "gone", "later", "op", "value", "range".
 */
export function check(m, earlier, types) {
  const out = [];
  if (m.raw) return out;
  (m.rules || []).forEach((r, i) => {
    if (!r.question) return out.push({ rule: i, field: "question", code: "question" });
    if (types && !Object.hasOwn(types, r.question)) return out.push({ rule: i, field: "question", code: "gone" });
    if (!earlier.includes(r.question)) return out.push({ rule: i, field: "question", code: "later" });
    const type = types?.[r.question];
    if (type && !opsFor(type).includes(r.op)) return out.push({ rule: i, field: "op", code: "op" });
    switch (r.op) {
      case "equals":
      case "not_equals":
        if (!isInt(r.value)) out.push({ rule: i, field: "value", code: "value" });
        break;
      case "in":
      case "not_in":
        if (!r.values?.length || !r.values.every(isInt)) out.push({ rule: i, field: "value", code: "value" });
        break;
      case "between":
        if (!isInt(r.min) || !isInt(r.max)) out.push({ rule: i, field: "value", code: "value" });
        else if (r.min > r.max) out.push({ rule: i, field: "value", code: "range" });
        break;
    }
  });
  return out;
}

/** references lists the question codes a condition reads, in order, once each. */
export function references(c) {
  const out = [];
  const walk = (x) => {
    if (!x || typeof x !== "object") return;
    for (const k of ["all", "any"]) if (Array.isArray(x[k])) x[k].forEach(walk);
    if (x.not) walk(x.not);
    for (const k of ["equals", "in", "between"]) if (x[k]?.question) out.push(x[k].question);
    if (typeof x.answered === "string" && x.answered) out.push(x.answered);
  };
  walk(c);
  return [...new Set(out)];
}

/** renameQuestion returns the condition with every reference to code from changed to to. */
export function renameQuestion(c, from, to) {
  if (!c || typeof c !== "object") return c;
  const out = {};
  for (const [k, v] of Object.entries(c)) {
    if (k === "all" || k === "any") out[k] = v.map((x) => renameQuestion(x, from, to));
    else if (k === "not") out[k] = renameQuestion(v, from, to);
    else if (k === "answered") out[k] = v === from ? to : v;
    else if (v && typeof v === "object" && "question" in v) out[k] = { ...v, question: v.question === from ? to : v.question };
    else out[k] = v;
  }
  return out;
}
