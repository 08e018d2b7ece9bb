// The questionnaire rules in the browser: a port of internal/questionnaire
// (condition.go, response.go, indicator.go) following "Rules a JavaScript
// port must follow" in its doc.go. engine.test.mjs runs the shared table
// internal/questionnaire/testdata/conformance.json against it, so Go and
// JavaScript cannot disagree on skip logic, end rules, validation or
// indicator values.

const MAX_WHOLE = 2 ** 53 - 1;
const DEFAULT_MAX_LENGTH = 200;

const BUILTIN = {
  yes_no: [[1, "是", "Yes"], [2, "否", "No"], [8, "不知道", "Don't know", "dont_know"]],
  satisfaction: [
    [1, "非常满意", "Very satisfied"], [2, "满意", "Satisfied"],
    [3, "一般", "Neither satisfied nor dissatisfied"], [4, "不满意", "Dissatisfied"],
    [5, "非常不满意", "Very dissatisfied"], [8, "不了解", "Don't know", "dont_know"],
    [9, "拒答", "Refused", "refused"],
  ],
};

// kind classifies an answer as the server's Answer does: none, number (a
// whole number), list (of whole numbers), text or invalid.
export function kind(a) {
  if (a === null || a === undefined) return "none";
  if (typeof a === "string") return "text";
  if (Array.isArray(a)) return a.every(isWhole) ? "list" : "invalid";
  return isWhole(a) ? "number" : "invalid";
}

function isWhole(n) {
  return typeof n === "number" && Number.isInteger(n) && Math.abs(n) <= MAX_WHOLE;
}

// absent: missing, null, an empty list, or text empty after trimming.
export function absent(a) {
  const k = kind(a);
  return k === "none" || (k === "list" && a.length === 0) || (k === "text" && a.trim() === "");
}

// prepare applies the server's defaults (built-in options of yes/no and
// satisfaction questions, a text's max_length, refused codes excluded from
// indicators) and indexes the definition. It returns a new object.
export function prepare(def) {
  const d = structuredClone(def);
  const langs = d.languages || ["zh-CN", "en"];
  const questions = [], sectionOf = [], byCode = new Map();
  for (const s of d.sections || []) {
    for (const q of s.questions || []) {
      if (!q.options && BUILTIN[q.type]) {
        q.options = BUILTIN[q.type].map(([code, zh, en, special]) => {
          const label = {};
          if (langs.includes("zh-CN")) label["zh-CN"] = zh;
          if (langs.includes("en")) label.en = en;
          return special ? { code, label, special } : { code, label };
        });
      }
      if (q.type === "text" && !q.max_length) q.max_length = DEFAULT_MAX_LENGTH;
      if (!byCode.has(q.code)) byCode.set(q.code, { q, pos: questions.length });
      questions.push(q);
      sectionOf.push(s);
    }
  }
  const indicators = new Map();
  for (const ind of d.indicators || []) {
    if (ind.kind !== "mean" && !ind.refused) {
      const e = byCode.get(ind.question);
      if (e && (e.q.options || []).some((o) => o.special === "refused")) ind.refused = "excluded";
    }
    if (!indicators.has(ind.id)) indicators.set(ind.id, ind);
  }
  Object.defineProperty(d, "_ix", { value: { questions, sectionOf, byCode, indicators } });
  return d;
}

function ix(def) {
  return def._ix || prepare(def)._ix;
}

export function option(q, code) {
  return (q.options || []).find((o) => o.code === code);
}

// holds evaluates a condition over seen, the visible non-absent answers.
export function holds(c, ixd, seen) {
  if (!c) return true;
  if (c.all) return c.all.every((x) => holds(x, ixd, seen));
  if (c.any) return c.any.some((x) => holds(x, ixd, seen));
  if (c.not) return !holds(c.not, ixd, seen);
  if (c.equals) return matchAny(ixd, seen, c.equals.question, (v) => v === c.equals.value);
  if (c.in) return matchAny(ixd, seen, c.in.question, (v) => c.in.values.includes(v));
  if (c.between) return matchAny(ixd, seen, c.between.question, (v) => c.between.min <= v && v <= c.between.max);
  if (c.answered) return seen.has(c.answered);
  return false;
}

function matchAny(ixd, seen, code, ok) {
  if (!seen.has(code)) return false;
  const e = ixd.byCode.get(code);
  if (!e) return false;
  const a = seen.get(code);
  if (e.q.type === "multiple_choice") return kind(a) === "list" && a.some(ok);
  return kind(a) === "number" && ok(a);
}

// evaluate runs the skip logic: the visible questions in order, whether an
// end rule fired, where and with which disposition.
export function evaluate(def, answers) {
  const ixd = ix(def);
  const st = { visible: [], ended: false, endedAt: "", disposition: "" };
  const seen = new Map();
  for (let i = 0; i < ixd.questions.length; i++) {
    const q = ixd.questions[i];
    if (!holds(ixd.sectionOf[i].show_if, ixd, seen) || !holds(q.show_if, ixd, seen)) continue;
    st.visible.push(q.code);
    if (!Object.hasOwn(answers, q.code) || absent(answers[q.code])) continue;
    if (!seen.has(q.code)) seen.set(q.code, answers[q.code]);
    if (q.end_if && q.end_if.when && holds(q.end_if.when, ixd, seen)) {
      Object.assign(st, { ended: true, endedAt: q.code, disposition: q.end_if.disposition });
      break;
    }
  }
  st.eligible = st.disposition !== "not_eligible";
  return { st, seen };
}

// checkAnswer checks one present answer; it returns [rule, message] or null.
export function checkAnswer(q, a) {
  const k = kind(a);
  switch (q.type) {
    case "multiple_choice":
      if (k !== "list") return ["type", "expected a list of option codes"];
      for (let i = 0; i < a.length; i++) {
        if (!option(q, a[i])) return ["invalid_code", `${a[i]} is not an option of this question`];
        if (a.indexOf(a[i]) < i) return ["duplicate_code", `code ${a[i]} is given twice`];
      }
      if (a.length > 1) {
        for (const c of a) if (option(q, c).exclusive) return ["exclusive", `option ${c} cannot be combined with other options`];
      }
      break;
    case "single_choice": case "yes_no": case "satisfaction":
      if (k !== "number") return ["type", "expected one option code"];
      if (!option(q, a)) return ["invalid_code", `${a} is not an option of this question`];
      break;
    case "integer":
      if (k !== "number") return ["type", "expected a whole number"];
      if ((q.min != null && a < q.min) || (q.max != null && a > q.max)) {
        return ["out_of_range", `must be between ${q.min ?? "-∞"} and ${q.max ?? "∞"}`];
      }
      break;
    case "text": {
      if (k !== "text") return ["type", "expected text"];
      const n = [...a].length;
      if (q.max_length > 0 && n > q.max_length) return ["too_long", `at most ${q.max_length} characters, got ${n}`];
    }
  }
  return null;
}

// validate returns the skip-logic state and the field errors, one per
// question: { code: { rule, message } } (empty when valid).
export function validate(def, answers) {
  const ixd = ix(def);
  const { st } = evaluate(def, answers);
  const visible = new Set(st.visible);
  const end = st.ended ? ixd.byCode.get(st.endedAt).pos : ixd.questions.length - 1;
  const errors = {};
  const fail = (code, rule, message) => { errors[code] = { rule, message }; };
  ixd.questions.forEach((q, i) => {
    if (ixd.byCode.get(q.code).pos !== i) return;
    const present = Object.hasOwn(answers, q.code) && !absent(answers[q.code]);
    if (i > end) {
      if (present) fail(q.code, "after_end", `the interview ended at ${st.endedAt} (${st.disposition}); leave this question unanswered`);
    } else if (!visible.has(q.code)) {
      if (present) fail(q.code, "hidden", "this question is not shown for these answers; leave it unanswered");
    } else if (!present) {
      if (q.required) fail(q.code, "required", "an answer is required");
    } else {
      const bad = checkAnswer(q, answers[q.code]);
      if (bad) fail(q.code, bad[0], bad[1]);
    }
  });
  for (const code of Object.keys(answers).sort()) {
    if (!ixd.byCode.has(code)) fail(code, "unknown_question", "no question has this code");
  }
  return { state: st, errors };
}

function excluded(ind, q, c) {
  if ((ind.excluded || []).includes(c)) return true;
  const o = option(q, c);
  if (!o) return false;
  if (o.special === "dont_know") return ind.dont_know === "excluded";
  if (o.special === "refused") return ind.refused !== "negative";
  return false;
}

function scoreAnswer(ind, q, a) {
  const k = kind(a);
  let codes;
  if (q.type === "multiple_choice" && k === "list") codes = a;
  else if (q.type !== "multiple_choice" && k === "number") codes = [a];
  else return null;
  if (codes.some((c) => !option(q, c))) return null;
  if (ind.kind === "score") {
    if (codes.length !== 1 || excluded(ind, q, codes[0])) return null;
    const s = (ind.scores || {})[String(codes[0])];
    return s === undefined ? null : s;
  }
  let allExcluded = true;
  for (const c of codes) {
    if ((ind.positive || []).includes(c)) return 1;
    allExcluded = allExcluded && excluded(ind, q, c);
  }
  return allExcluded ? null : 0;
}

// score computes every indicator for one respondent: { id: value or null }.
export function score(def, answers) {
  const ixd = ix(def);
  const { seen } = evaluate(def, answers);
  const memo = new Map(), busy = new Set();
  const value = (ind) => {
    if (memo.has(ind.id)) return memo.get(ind.id);
    if (busy.has(ind.id)) return null;
    busy.add(ind.id);
    let v = null;
    if (ind.kind === "rate" || ind.kind === "score") {
      const e = ixd.byCode.get(ind.question);
      if (e && seen.has(e.q.code)) v = scoreAnswer(ind, e.q, seen.get(e.q.code));
    } else if (ind.kind === "mean") {
      let sum = 0, n = 0;
      for (const id of ind.of || []) {
        const item = ixd.indicators.get(id);
        const x = item ? value(item) : null;
        if (x !== null) { sum += x; n++; }
      }
      if (n > 0) v = sum / n;
    }
    busy.delete(ind.id);
    memo.set(ind.id, v);
    return v;
  };
  const out = {};
  for (const ind of def.indicators || []) if (ind) out[ind.id] = value(ixd.indicators.get(ind.id) === ind ? ind : ind);
  return out;
}
