// The questionnaire editor on a questionnaire's page (administrators): the
// version's definition is loaded as JSON and laid out as a form (texts in
// every language of the questionnaire, questions and options that can be
// added, removed and moved, skip and end rules made with the condition
// builder, the indicator table). Saving posts the whole definition to
// POST /api/v1/surveys, the same import and the same checks as an uploaded
// file, which stores it as the questionnaire's draft; a published version
// never changes. Parts (sections) can be added, removed and moved; scores'
// points, the indicators a mean averages and the composite index's weights
// are edited here too. The server's problems come back with the path of the
// field at fault (sections[0].questions[2].label.en) and are shown beside it.

import { strings, send, loginAgain } from "./form.js";
import { opsFor, fromCondition, toCondition, check, references, renameQuestion } from "./condition_builder.mjs";
import { prepare } from "/t/engine.js";

const box = document.getElementById("survey-editor");
if (box) init(box);

const CHOICE = new Set(["single_choice", "multiple_choice", "yes_no", "satisfaction"]);
const TYPES = ["single_choice", "multiple_choice", "yes_no", "satisfaction", "integer", "text"];
const LANG_NAMES = { "zh-CN": "中文", en: "English" };

/** el makes an element: attrs (className, dataset, on* handlers, properties) and children. */
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "dataset") Object.assign(e.dataset, v);
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k in e && k !== "list") e[k] = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  e.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return e;
}

async function init(box) {
  const t = await strings();
  const tr = (k, fb) => t[k] ?? fb ?? k;
  const pageLang = document.body?.dataset.lang || "zh-CN";
  const stash = `minyi.editor:${box.dataset.slug}`;
  const form = box.querySelector("#ed-form");
  const open = box.querySelector("#ed-open");
  let def = null;

  const langs = () => def.languages?.length ? def.languages : ["zh-CN", "en"];
  const shown = () => (langs().includes(pageLang) ? pageLang : langs()[0]);
  const textOf = (x) => (x && (x[shown()] || Object.values(x).find(Boolean))) || "";
  const questions = () => def.sections.flatMap((s) => s.questions);
  const question = (code) => questions().find((q) => q.code === code);
  const types = () => Object.fromEntries(questions().map((q) => [q.code, q.type]));
  const blank = () => Object.fromEntries(langs().map((l) => [l, ""]));
  const fill = (s, args) => Object.entries(args).reduce((x, [k, v]) => x.replaceAll(`{${k}}`, v), s);
  // The part whose removal waits for the author's confirmation.
  let removing = null;

  async function start(saved) {
    if (saved) {
      def = saved;
    } else {
      const res = await fetch(box.dataset.definition, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!res.ok) return;
      def = await res.json();
    }
    open.hidden = true;
    form.hidden = false;
    render();
    box.dataset.open = "true";
  }

  open.addEventListener("click", () => start());
  open.disabled = false; // the button works from here on
  const saved = sessionStorage.getItem(stash);
  if (saved) {
    sessionStorage.removeItem(stash);
    try {
      await start(JSON.parse(saved));
      alertBox().className = "form-alert notice";
      alertBox().textContent = tr("form.restored");
    } catch {
      /* a stash that does not parse is dropped */
    }
  }
  box.dataset.ready = "true";

  // --- texts -----------------------------------------------------------

  /** texts edits obj[key], a text in every language; path locates it. */
  function texts(obj, key, path, { label, multiline = false, optional = false } = {}) {
    const row = el("div", { className: "ed-texts" });
    for (const l of langs()) {
      const input = el(multiline ? "textarea" : "input", {
        value: obj[key]?.[l] ?? "", lang: l, rows: multiline ? 2 : undefined,
        dataset: { path: `${path}.${key}.${l}` },
        oninput: (ev) => {
          obj[key] = { ...(obj[key] || {}), [l]: ev.target.value };
          if (optional && Object.values(obj[key]).every((s) => s === "")) delete obj[key];
        },
      });
      row.append(el("label", {}, `${label} · ${LANG_NAMES[l] || l}`, input));
    }
    return row;
  }

  function number(obj, key, path, label, { onchange } = {}) {
    return el("label", {}, label, el("input", {
      type: "number", step: "1", value: obj[key] ?? "", dataset: { path: `${path}.${key}` },
      oninput: (ev) => {
        const v = ev.target.value.trim();
        if (v === "") delete obj[key]; else obj[key] = Number(v);
        onchange?.();
      },
    }));
  }

  function select(value, choices, attrs) {
    return el("select", attrs, choices.map(([v, label]) => el("option", { value: v, selected: String(v) === String(value ?? "") }, label)));
  }

  const small = (label, title, onclick, extra = {}) =>
    el("button", { type: "button", className: "small", title, "aria-label": title, onclick, ...extra }, label);

  function move(list, i, d) {
    const j = i + d;
    if (j < 0 || j >= list.length) return false;
    [list[i], list[j]] = [list[j], list[i]];
    return true;
  }

  // --- the form --------------------------------------------------------

  function render() {
    const y = window.scrollY;
    form.replaceChildren(
      el("fieldset", { className: "ed-head" },
        el("legend", {}, tr("survey.editor.questionnaire")),
        texts(def, "title", "", { label: tr("survey.editor.title") }),
        texts(def, "intro", "", { label: tr("survey.intro"), multiline: true, optional: true })),
      ...def.sections.map((s, si) => section(s, si)),
      el("button", { type: "button", className: "ed-add-section", onclick: addSection }, "+ " + tr("survey.editor.add_section")),
      indicators(),
      composite(),
      el("div", { className: "actions ed-save" },
        el("button", { type: "submit", className: "primary", id: "ed-save" }, tr("survey.editor.save")),
        el("button", { type: "button", id: "ed-cancel", onclick: () => { form.hidden = true; open.hidden = false; form.replaceChildren(); def = null; removing = null; } }, tr("survey.editor.cancel"))),
    );
    // Paths are data-path without the leading dot of top-level keys.
    for (const e of form.querySelectorAll("[data-path^='.']")) e.dataset.path = e.dataset.path.slice(1);
    window.scrollTo(0, y);
  }

  function section(s, si) {
    const path = `sections[${si}]`;
    const before = def.sections.slice(0, si).flatMap((x) => x.questions.map((q) => q.code));
    const remove = () => {
      if (!s.questions.length) return dropSection(s);
      removing = s;
      render();
      form.querySelector(".ed-confirm .ed-confirm-keep")?.focus();
    };
    return el("fieldset", { className: "ed-section", dataset: { path, id: s.id } },
      el("legend", {}, `${tr("survey.editor.section")} ${si + 1} · `, el("code", {}, s.id)),
      el("div", { className: "ed-qhead ed-shead" },
        el("label", { className: "ed-code" }, tr("survey.editor.section_id"), el("input", {
          value: s.id ?? "", dataset: { path: `${path}.id` }, autocomplete: "off", spellcheck: false,
          onchange: (ev) => { s.id = ev.target.value.trim(); render(); },
        })),
        el("span", { className: "ed-tools" },
          small("↑", tr("survey.editor.section_up"), () => { if (move(def.sections, si, -1)) render(); }, { className: "small ed-section-up", disabled: si === 0 }),
          small("↓", tr("survey.editor.section_down"), () => { if (move(def.sections, si, 1)) render(); }, { className: "small ed-section-down", disabled: si === def.sections.length - 1 }),
          small("✕", tr("survey.editor.remove_section"), remove, { className: "small danger ed-remove-section", disabled: def.sections.length === 1 }))),
      removing === s ? confirmRemoval(s) : null,
      texts(s, "title", path, { label: tr("survey.editor.section_title") }),
      el("div", { className: "ed-rule" }, el("p", { className: "ed-rule-head" }, tr("survey.editor.section_show_if")),
        builder(() => s.show_if, (c) => { if (c) s.show_if = c; else delete s.show_if; }, `${path}.show_if`, before)),
      el("ol", { className: "ed-questions", dataset: { path: `${path}.questions` } }, s.questions.map((q, qi) => questionBox(s, si, q, qi))),
      el("button", { type: "button", className: "ed-add-question", onclick: () => { s.questions.push(newQuestion()); render(); } }, "+ " + tr("survey.editor.add_question")),
    );
  }

  /**
   * addSection adds a part at the end with one new question: the server
   * refuses a part without questions, so the author starts from one.
   */
  function addSection() {
    const used = new Set(def.sections.map((s) => s.id));
    let n = def.sections.length + 1;
    while (used.has(`part_${n}`)) n++;
    def.sections.push({ id: `part_${n}`, title: blank(), questions: [newQuestion()] });
    render();
    const title = form.querySelector(`[data-path="sections[${def.sections.length - 1}].title.${langs()[0]}"]`);
    title?.scrollIntoView({ block: "center" });
    title?.focus();
  }

  function dropSection(s) {
    def.sections.splice(def.sections.indexOf(s), 1);
    removing = null;
    render();
  }

  /**
   * usesOf lists, in words, what outside part s reads its questions: other
   * questions' and parts' rules, and indicators. The author sees them before
   * removing the part; the server refuses a save that still has them.
   */
  function usesOf(s) {
    const codes = new Set(s.questions.map((q) => q.code));
    const hit = (c) => references(c).filter((x) => codes.has(x));
    const out = [];
    for (const x of def.sections) {
      if (x === s) continue;
      const r = hit(x.show_if);
      if (r.length) out.push(fill(tr("survey.editor.used_by_section"), { part: x.id, codes: r.join(", ") }));
      for (const q of x.questions) {
        const r = [...new Set([...hit(q.show_if), ...hit(q.end_if?.when)])];
        if (r.length) out.push(fill(tr("survey.editor.used_by_question"), { q: q.code, codes: r.join(", ") }));
      }
    }
    for (const ind of def.indicators || []) {
      if (codes.has(ind.question)) out.push(fill(tr("survey.editor.used_by_indicator"), { id: ind.id, codes: ind.question }));
    }
    return out;
  }

  function confirmRemoval(s) {
    const uses = usesOf(s);
    return el("div", { className: "ed-confirm", role: "alert" },
      el("p", {}, fill(tr("survey.editor.remove_section_confirm"), { codes: s.questions.map((q) => q.code).join(", ") })),
      uses.length ? [el("p", {}, tr("survey.editor.remove_section_uses")), el("ul", {}, uses.map((u) => el("li", {}, u)))] : null,
      el("div", { className: "actions" },
        el("button", { type: "button", className: "danger ed-confirm-remove", onclick: () => dropSection(s) }, tr("survey.editor.remove_section_yes")),
        el("button", { type: "button", className: "ed-confirm-keep", onclick: () => { removing = null; render(); } }, tr("survey.editor.remove_section_no"))));
  }

  function newQuestion() {
    const used = new Set(questions().map((q) => q.code));
    let n = questions().length + 1;
    while (used.has(`Q${n}`)) n++;
    return {
      code: `Q${n}`, type: "single_choice", label: blank(), required: true,
      options: [{ code: 1, label: blank() }, { code: 2, label: blank() }],
    };
  }

  function questionBox(s, si, q, qi) {
    const path = `sections[${si}].questions[${qi}]`;
    const earlier = def.sections.slice(0, si).flatMap((x) => x.questions.map((x) => x.code)).concat(s.questions.slice(0, qi).map((x) => x.code));
    const moveQ = (d) => {
      if (move(s.questions, qi, d)) return render();
      // Across a section boundary: to the end of the section before or the start of the one after.
      const other = def.sections[si + d];
      if (!other) return;
      s.questions.splice(qi, 1);
      if (d < 0) other.questions.push(q); else other.questions.unshift(q);
      render();
    };
    const head = el("div", { className: "ed-qhead" },
      el("label", { className: "ed-code" }, tr("survey.editor.code"), el("input", {
        value: q.code, dataset: { path: `${path}.code` }, autocomplete: "off", spellcheck: false,
        onchange: (ev) => { renameCode(q.code, ev.target.value.trim()); render(); },
      })),
      el("label", {}, tr("survey.editor.type"), select(q.type, TYPES.map((x) => [x, tr(`survey.type.${x}`)]), {
        dataset: { path: `${path}.type` }, onchange: (ev) => { setType(q, ev.target.value); render(); },
      })),
      el("label", { className: "check ed-required" }, el("input", { type: "checkbox", checked: !!q.required, dataset: { path: `${path}.required` }, onchange: (ev) => { q.required = ev.target.checked; } }), tr("survey.required")),
      el("span", { className: "ed-tools" },
        small("↑", tr("survey.editor.up"), () => moveQ(-1), { disabled: si === 0 && qi === 0 }),
        small("↓", tr("survey.editor.down"), () => moveQ(1), { disabled: si === def.sections.length - 1 && qi === s.questions.length - 1 }),
        small("✕", tr("survey.editor.remove_question"), () => { s.questions.splice(qi, 1); render(); }, { className: "small danger" })),
    );
    const parts = [head,
      texts(q, "label", path, { label: tr("survey.editor.label") }),
      texts(q, "help", path, { label: tr("survey.help"), optional: true })];
    if (q.type === "integer") {
      parts.push(el("div", { className: "form-row" },
        number(q, "min", path, tr("survey.editor.min")), number(q, "max", path, tr("survey.editor.max"))));
    }
    if (q.type === "text") parts.push(el("div", { className: "form-row" }, number(q, "max_length", path, tr("survey.max_length"))));
    if (CHOICE.has(q.type)) parts.push(options(q, path));
    parts.push(el("div", { className: "ed-rule" }, el("p", { className: "ed-rule-head" }, tr("survey.editor.show_if")),
      builder(() => q.show_if, (c) => { if (c) q.show_if = c; else delete q.show_if; }, `${path}.show_if`, earlier)));
    parts.push(endRule(q, path, earlier.concat(q.code)));
    return el("li", { className: "ed-question", id: `ed-q-${q.code}`, dataset: { path, code: q.code } }, parts);
  }

  function setType(q, type) {
    const was = q.type;
    q.type = type;
    if (type !== "integer") { delete q.min; delete q.max; }
    if (type !== "text") delete q.max_length;
    if (!CHOICE.has(type)) { delete q.options; return; }
    if (type === "yes_no" || type === "satisfaction") {
      // The built-in options, as the server fills them in.
      q.options = prepare({ languages: langs(), sections: [{ questions: [{ code: "x", type }] }] }).sections[0].questions[0].options;
      return;
    }
    if (!CHOICE.has(was) || !q.options?.length) {
      const blank = () => Object.fromEntries(langs().map((l) => [l, ""]));
      q.options = [{ code: 1, label: blank() }, { code: 2, label: blank() }];
    }
    if (type !== "multiple_choice") for (const o of q.options) delete o.exclusive;
  }

  /** renameCode changes a question's code and every reference to it. */
  function renameCode(from, to) {
    if (!to || from === to) return;
    for (const s of def.sections) {
      if (s.show_if) s.show_if = renameQuestion(s.show_if, from, to);
      for (const q of s.questions) {
        if (q.code === from) q.code = to;
        if (q.show_if) q.show_if = renameQuestion(q.show_if, from, to);
        if (q.end_if?.when) q.end_if.when = renameQuestion(q.end_if.when, from, to);
      }
    }
    for (const ind of def.indicators || []) if (ind.question === from) ind.question = to;
  }

  function options(q, path) {
    q.options ??= [];
    const rows = q.options.map((o, oi) => {
      const op = `${path}.options[${oi}]`;
      return el("tr", { dataset: { path: op } },
        el("td", {}, el("input", { type: "number", step: "1", className: "ed-ocode", value: o.code ?? "", "aria-label": tr("survey.editor.option_code"), dataset: { path: `${op}.code` },
          onchange: (ev) => { o.code = ev.target.value === "" ? null : Number(ev.target.value); } })),
        langs().map((l) => el("td", {}, el("input", { value: o.label?.[l] ?? "", lang: l, "aria-label": `${tr("survey.editor.option_label")} · ${LANG_NAMES[l] || l}`, dataset: { path: `${op}.label.${l}` },
          oninput: (ev) => { o.label = { ...(o.label || {}), [l]: ev.target.value }; } }))),
        el("td", {}, select(o.special || "", [["", "—"], ["dont_know", tr("survey.special.dont_know")], ["refused", tr("survey.special.refused")]], {
          "aria-label": tr("survey.editor.special"), dataset: { path: `${op}.special` },
          onchange: (ev) => { if (ev.target.value) o.special = ev.target.value; else delete o.special; } })),
        q.type === "multiple_choice" ? el("td", {}, el("label", { className: "check" }, el("input", { type: "checkbox", checked: !!o.exclusive, dataset: { path: `${op}.exclusive` },
          onchange: (ev) => { if (ev.target.checked) o.exclusive = true; else delete o.exclusive; } }), tr("survey.exclusive"))) : null,
        el("td", { className: "ed-tools" },
          small("↑", tr("survey.editor.up"), () => { if (move(q.options, oi, -1)) render(); }, { disabled: oi === 0 }),
          small("↓", tr("survey.editor.down"), () => { if (move(q.options, oi, 1)) render(); }, { disabled: oi === q.options.length - 1 }),
          small("✕", tr("survey.editor.remove_option"), () => { q.options.splice(oi, 1); render(); }, { className: "small danger" })),
      );
    });
    const add = () => {
      const used = new Set(q.options.map((o) => o.code));
      // The next code after the substantive ones (don't know 8 and refused 9 stay where they are).
      let c = Math.max(0, ...q.options.filter((o) => !o.special).map((o) => o.code || 0)) + 1;
      while (used.has(c)) c++;
      const o = { code: c, label: Object.fromEntries(langs().map((l) => [l, ""])) };
      const firstSpecial = q.options.findIndex((x) => x.special);
      if (firstSpecial >= 0) q.options.splice(firstSpecial, 0, o); else q.options.push(o);
      render();
      form.querySelector(`[data-path="${path}.options[${q.options.indexOf(o)}].label.${langs()[0]}"]`)?.focus();
    };
    return el("div", { className: "ed-options", dataset: { path: `${path}.options` } },
      el("div", { className: "table-wrap" }, el("table", { className: "table compact" },
        el("thead", {}, el("tr", {}, el("th", {}, tr("survey.editor.option_code")), langs().map((l) => el("th", {}, `${tr("survey.editor.option_label")} · ${LANG_NAMES[l] || l}`)),
          el("th", {}, tr("survey.editor.special")), q.type === "multiple_choice" ? el("th", {}, "") : null, el("th", {}, ""))),
        el("tbody", {}, rows))),
      el("button", { type: "button", className: "small ed-add-option", onclick: add }, "+ " + tr("survey.editor.add_option")));
  }

  function endRule(q, path, earlier) {
    const wrap = el("div", { className: "ed-rule ed-end", dataset: { path: `${path}.end_if` } });
    const draw = () => {
      const on = !!q.end_if;
      wrap.replaceChildren(el("label", { className: "check" }, el("input", {
        type: "checkbox", checked: on, className: "ed-end-on",
        onchange: (ev) => {
          if (ev.target.checked) q.end_if = { when: null, disposition: "not_eligible" };
          else delete q.end_if;
          draw();
        },
      }), tr("survey.editor.end_if")));
      if (!on) return;
      const e = q.end_if;
      wrap.append(
        builder(() => e.when, (c) => { e.when = c; }, `${path}.end_if.when`, earlier),
        el("label", {}, tr("survey.editor.disposition"), select(e.disposition, ["not_eligible", "refusal", "complete"].map((d) => [d, tr(`survey.testfill.disposition.${d}`)]), {
          dataset: { path: `${path}.end_if.disposition` }, onchange: (ev) => { e.disposition = ev.target.value; } })),
        texts(e, "message", `${path}.end_if`, { label: tr("survey.editor.end_message"), optional: true }),
      );
    };
    draw();
    return wrap;
  }

  // --- the condition builder -------------------------------------------

  /**
   * builder edits a condition with the rules of condition_builder.mjs:
   * get and set read and write it in the definition, earlier lists the
   * codes of the questions it may ask about.
   */
  function builder(get, set, path, earlier) {
    const wrap = el("div", { className: "cb", dataset: { path } });
    let model = fromCondition(get());
    const write = () => set(toCondition(model));
    const draw = () => {
      wrap.replaceChildren();
      if (model.raw) {
        wrap.append(el("p", { className: "cb-raw" }, el("span", { className: "muted" }, tr("survey.editor.raw")), " ", el("code", {}, JSON.stringify(model.raw))),
          small(tr("survey.editor.clear"), tr("survey.editor.clear"), () => { model = { mode: "all", rules: [] }; write(); draw(); }));
        return;
      }
      if (model.rules.length > 1) {
        wrap.append(el("label", { className: "cb-mode" }, tr("survey.editor.mode"), select(model.mode, [["all", tr("survey.editor.mode_all")], ["any", tr("survey.editor.mode_any")]], {
          className: "cb-mode-select", onchange: (ev) => { model.mode = ev.target.value; write(); } })));
      }
      model.rules.forEach((r, i) => wrap.append(rule(r, i)));
      if (!model.rules.length) wrap.append(el("p", { className: "muted cb-none" }, tr("survey.editor.no_rule")));
      wrap.append(small("+ " + tr("survey.editor.add_rule"), tr("survey.editor.add_rule"), () => {
        const q = earlier.length ? question(earlier[earlier.length - 1]) : null;
        model.rules.push(q ? defaultRule(q) : { question: "", op: "equals", value: null });
        write();
        draw();
      }, { className: "small cb-add", disabled: earlier.length === 0 }));
    };
    const defaultRule = (q) => {
      const op = opsFor(q.type)[0];
      const r = { question: q.code, op };
      if (op === "equals") r.value = q.options?.[0]?.code ?? null;
      return r;
    };
    const rule = (r, i) => {
      const q = question(r.question);
      const ops = q ? opsFor(q.type) : opsFor("");
      const row = el("div", { className: "cb-rule", dataset: { rule: String(i) } },
        select(r.question, [["", "—"], ...earlier.map((c) => [c, `${c} ${textOf(question(c)?.label)}`.slice(0, 40)]),
          // A question no longer before this one (moved, or removed with its part) stays shown as what it was.
          ...(r.question && !earlier.includes(r.question) ? [[r.question, question(r.question) ? `${r.question} ${textOf(question(r.question).label)}`.slice(0, 40) : `${r.question} · ${tr("survey.editor.gone")}`]] : [])], {
          className: "cb-question", "aria-label": tr("survey.question"),
          onchange: (ev) => { const nq = question(ev.target.value); model.rules[i] = nq ? defaultRule(nq) : { question: "", op: "equals", value: null }; write(); draw(); },
        }),
        select(r.op, ops.map((op) => [op, tr(`survey.editor.op.${op}`)]), {
          className: "cb-op", "aria-label": tr("survey.editor.operator"),
          onchange: (ev) => {
            const op = ev.target.value;
            const next = { question: r.question, op };
            if ((op === "equals" || op === "not_equals")) next.value = r.value ?? r.values?.[0] ?? q?.options?.[0]?.code ?? null;
            if (op === "in" || op === "not_in") next.values = r.values ?? (Number.isInteger(r.value) ? [r.value] : []);
            if (op === "between") { next.min = r.min ?? q?.min ?? null; next.max = r.max ?? q?.max ?? null; }
            model.rules[i] = next; write(); draw();
          },
        }),
        value(r, q),
        small("✕", tr("survey.editor.remove_rule"), () => { model.rules.splice(i, 1); write(); draw(); }, { className: "small danger cb-remove" }),
      );
      return row;
    };
    const value = (r, q) => {
      const box_ = el("span", { className: "cb-value" });
      const num = (key, label) => el("input", { type: "number", step: "1", value: r[key] ?? "", "aria-label": label, className: `cb-${key}`,
        oninput: (ev) => { r[key] = ev.target.value === "" ? null : Number(ev.target.value); write(); } });
      switch (r.op) {
        case "equals":
        case "not_equals":
          if (q?.options) {
            box_.append(select(r.value ?? "", [["", "—"], ...q.options.map((o) => [o.code, `${o.code} ${textOf(o.label)}`])], {
              className: "cb-option", "aria-label": tr("survey.editor.value"),
              onchange: (ev) => { r.value = ev.target.value === "" ? null : Number(ev.target.value); write(); } }));
          } else box_.append(num("value", tr("survey.editor.value")));
          break;
        case "in":
        case "not_in":
          for (const o of q?.options || []) {
            box_.append(el("label", { className: "check cb-in" }, el("input", {
              type: "checkbox", value: String(o.code), checked: (r.values || []).includes(o.code),
              onchange: (ev) => {
                const set_ = new Set(r.values || []);
                if (ev.target.checked) set_.add(o.code); else set_.delete(o.code);
                r.values = q.options.map((x) => x.code).filter((c) => set_.has(c));
                write();
              },
            }), `${o.code} ${textOf(o.label)}`));
          }
          break;
        case "between":
          box_.append(num("min", tr("survey.editor.min")), " – ", num("max", tr("survey.editor.max")));
          break;
      }
      return box_;
    };
    wrap.check = () => check(model, earlier, types());
    draw();
    return wrap;
  }

  // --- indicators ------------------------------------------------------

  function indicators() {
    def.indicators ??= [];
    const percent = (ind) => scaleOf(ind.id) === "proportion";
    const choiceQs = questions().filter((q) => CHOICE.has(q.type));
    const rows = def.indicators.map((ind, ii) => {
      const path = `indicators[${ii}]`;
      const q = question(ind.question);
      const cells = [];
      cells.push(el("div", { className: "form-row" },
        el("label", {}, tr("survey.editor.indicator_id"), el("input", { value: ind.id ?? "", dataset: { path: `${path}.id` }, spellcheck: false,
          onchange: (ev) => { renameIndicator(ind.id, ev.target.value.trim()); render(); } })),
        el("label", {}, tr("survey.kind"), el("input", { value: tr(`survey.kind.${ind.kind}`), readOnly: true, dataset: { path: `${path}.kind` } })),
        el("label", {}, tr("survey.editor.role"), select(ind.role || "", [["", "—"], ...["awareness", "support", "participation", "satisfaction"].map((r) => [r, tr(`survey.role.${r}`)])], {
          dataset: { path: `${path}.role` }, onchange: (ev) => { if (ev.target.value) ind.role = ev.target.value; else delete ind.role; } })),
        el("label", {}, tr("survey.target") + (percent(ind) ? " (%)" : ind.kind === "score" || scaleOf(ind.id) === "points" ? ` (${tr("survey.points")})` : ""), el("input", {
          type: "number", step: "any", min: 0, value: ind.target == null ? "" : percent(ind) ? +(ind.target * 100).toFixed(4) : ind.target, dataset: { path: `${path}.target` },
          oninput: (ev) => {
            const v = ev.target.value.trim();
            if (v === "") delete ind.target; else ind.target = percent(ind) ? +(Number(v) / 100).toFixed(6) : Number(v);
          } }))));
      cells.push(texts(ind, "label", path, { label: tr("survey.editor.indicator_label") }));
      if (ind.kind === "rate" || ind.kind === "score") {
        const gone = ind.question && !choiceQs.some((x) => x.code === ind.question) ? [[ind.question, `${ind.question} · ${tr(question(ind.question) ? "survey.editor.not_choice" : "survey.editor.gone")}`]] : [];
        cells.push(el("label", {}, tr("survey.question"), select(ind.question || "", [["", "—"], ...choiceQs.map((x) => [x.code, `${x.code} ${textOf(x.label)}`.slice(0, 50)]), ...gone], {
          dataset: { path: `${path}.question` }, className: "ed-ind-question",
          onchange: (ev) => {
            ind.question = ev.target.value;
            if (ind.kind === "rate") ind.positive = [];
            if (ind.kind === "score") {
              // Points of codes the new question also has are kept.
              const nq = question(ind.question);
              ind.scores = Object.fromEntries(Object.entries(ind.scores || {}).filter(([c]) => nq?.options?.some((o) => String(o.code) === c && !excluded(ind, nq, o))));
            }
            render();
          } })));
      }
      if (ind.kind === "rate" && q?.options) {
        cells.push(el("fieldset", { className: "ed-positive", dataset: { path: `${path}.positive` } }, el("legend", {}, tr("survey.editor.positive")),
          q.options.filter((o) => !o.special).map((o) => el("label", { className: "check" }, el("input", {
            type: "checkbox", value: String(o.code), checked: (ind.positive || []).includes(o.code),
            onchange: (ev) => {
              const set_ = new Set(ind.positive || []);
              if (ev.target.checked) set_.add(o.code); else set_.delete(o.code);
              ind.positive = q.options.map((x) => x.code).filter((c) => set_.has(c));
            } }), `${o.code} ${textOf(o.label)}`))));
      }
      if (ind.kind === "score" && q?.options) cells.push(scores(ind, q, path));
      if (ind.kind === "mean") cells.push(meanOf(ind, path));
      if (ind.kind !== "mean" && q?.options) {
        const treat = (key, special) => q.options.some((o) => o.special === special)
          ? el("label", {}, tr(`survey.${key}`), select(ind[key] || "", [["", "—"], ["negative", tr("survey.treatment.negative")], ["excluded", tr("survey.treatment.excluded")]], {
            dataset: { path: `${path}.${key}` }, onchange: (ev) => {
              if (ev.target.value) ind[key] = ev.target.value; else delete ind[key];
              if (ind.kind !== "score") return;
              // A code left out of the denominator has no points (the server refuses them).
              for (const o of q.options) if (excluded(ind, q, o)) delete ind.scores?.[o.code];
              render();
            } }))
          : null;
        cells.push(el("div", { className: "form-row" }, treat("dont_know", "dont_know"), treat("refused", "refused")));
      }
      return el("li", { className: "ed-indicator", dataset: { path, id: ind.id } },
        el("span", { className: "ed-tools" }, small("✕", tr("survey.editor.remove_indicator"), () => {
          def.indicators.splice(ii, 1); render();
        }, { className: "small danger" })), cells);
    });
    const add = (kind) => {
      const used = new Set(def.indicators.map((x) => x.id));
      let n = def.indicators.length + 1;
      while (used.has(`${kind}_${n}`)) n++;
      const ind = { id: `${kind}_${n}`, kind, label: blank() };
      if (kind === "rate") Object.assign(ind, { question: "", positive: [] });
      if (kind === "score") Object.assign(ind, { question: "", scores: {} });
      if (kind === "mean") ind.of = [];
      def.indicators.push(ind);
      render();
    };
    return el("fieldset", { className: "ed-indicators", dataset: { path: "indicators" } },
      el("legend", {}, tr("survey.indicators")),
      el("p", { className: "muted" }, tr("survey.editor.indicators_hint")),
      el("ol", {}, rows),
      el("div", { className: "actions" },
        el("button", { type: "button", className: "ed-add-indicator", onclick: () => add("rate") }, "+ " + tr("survey.editor.add_indicator")),
        el("button", { type: "button", className: "ed-add-score", onclick: () => add("score") }, "+ " + tr("survey.editor.add_score")),
        el("button", { type: "button", className: "ed-add-mean", onclick: () => add("mean") }, "+ " + tr("survey.editor.add_mean"))));
  }

  /** excluded reports whether option o leaves indicator ind's denominator, as the server decides it. */
  function excluded(ind, q, o) {
    if ((ind.excluded || []).includes(o.code)) return true;
    if (o.special === "dont_know") return ind.dont_know === "excluded";
    // refused defaults to excluded when the question has a refused option.
    if (o.special === "refused") return ind.refused !== "negative";
    return false;
  }

  /**
   * scores edits a score's points: a number per option that counts; the
   * options left out of the denominator have none. The server wants every
   * counted code to have points, a finite number.
   */
  function scores(ind, q, path) {
    ind.scores ??= {};
    return el("fieldset", { className: "ed-scores", dataset: { path: `${path}.scores` } },
      el("legend", {}, tr("survey.editor.points")),
      q.options.map((o) => el("label", { className: "ed-score" },
        el("span", {}, el("span", { className: "opt-code" }, String(o.code)), " ", textOf(o.label)),
        excluded(ind, q, o)
          ? el("span", { className: "muted" }, tr("survey.editor.no_points"))
          : el("input", {
            type: "number", step: "any", value: ind.scores[o.code] ?? "", inputMode: "decimal", dataset: { path: `${path}.scores.${o.code}`, code: String(o.code) },
            oninput: (ev) => {
              const v = ev.target.value.trim();
              const n = Number(v);
              if (v === "" || !Number.isFinite(n)) delete ind.scores[o.code]; else ind.scores[o.code] = n;
            },
          }))));
  }

  /**
   * scaleOf is what indicator id measures: "proportion" (a rate, or a mean
   * of rates), "points" (a score, or a mean of scores) or "" when unknown,
   * as the server resolves it.
   */
  function scaleOf(id, seen = new Set()) {
    const ind = def.indicators?.find((x) => x.id === id);
    if (!ind || seen.has(id)) return "";
    if (ind.kind === "rate") return "proportion";
    if (ind.kind === "score") return "points";
    seen.add(id);
    for (const x of ind.of || []) {
      const s = scaleOf(x, seen);
      if (s) return s;
    }
    return "";
  }

  /** averages reports whether indicator id averages target, directly or through other means. */
  function averages(id, target, seen = new Set()) {
    if (seen.has(id)) return false;
    seen.add(id);
    const ind = def.indicators.find((x) => x.id === id);
    return (ind?.of || []).some((x) => x === target || averages(x, target, seen));
  }

  /**
   * meanOf chooses the indicators a mean averages: every other indicator
   * but those that average this one (a cycle); those of the other scale are
   * shown but cannot be ticked, since a mean averages rates or scores, not
   * both.
   */
  function meanOf(ind, path) {
    const chosen = new Set(ind.of || []);
    const scale = (ind.of || []).map((id) => scaleOf(id)).find(Boolean) || "";
    const boxes = def.indicators.filter((x) => x !== ind && x.id && !averages(x.id, ind.id)).map((x) => {
      const other = scale && scaleOf(x.id) && scaleOf(x.id) !== scale && !chosen.has(x.id);
      return el("label", { className: "check", title: other ? tr("survey.editor.mean_mixed") : undefined },
        el("input", {
          type: "checkbox", value: x.id, checked: chosen.has(x.id), disabled: other,
          onchange: (ev) => {
            if (ev.target.checked) chosen.add(x.id); else chosen.delete(x.id);
            // In the order of the indicator list; ids no longer there are kept for the server to name.
            ind.of = [...def.indicators.map((y) => y.id).filter((id) => chosen.has(id)), ...(ind.of || []).filter((id) => chosen.has(id) && !def.indicators.some((y) => y.id === id))];
            render();
          },
        }), el("span", {}, textOf(x.label) || x.id, " ", el("code", {}, x.id)));
    });
    const lost = (ind.of || []).filter((id) => !def.indicators.some((y) => y.id === id)).map((id) => el("label", { className: "check" },
      el("input", { type: "checkbox", checked: true, value: id, onchange: () => { ind.of = ind.of.filter((x) => x !== id); render(); } }),
      el("span", {}, el("code", {}, id), ` · ${tr("survey.editor.gone")}`)));
    return el("fieldset", { className: "ed-of", dataset: { path: `${path}.of` } },
      el("legend", {}, tr("survey.editor.mean_of")), boxes, lost);
  }

  // --- the composite index -------------------------------------------

  /**
   * composite edits the composite index: its name, target and the weight of
   * each indicator it combines. The server wants positive weights that sum
   * to 1, all of one scale; the sum is shown as the author types.
   */
  function composite() {
    const path = "composite";
    const cp = def.composite;
    if (!cp) {
      return el("fieldset", { className: "ed-composite", dataset: { path } },
        el("legend", {}, tr("survey.composite")),
        el("p", { className: "muted" }, tr("survey.editor.no_composite")),
        el("button", { type: "button", className: "ed-add-composite", onclick: () => { def.composite = { label: blank(), weights: {} }; render(); } }, "+ " + tr("survey.editor.add_composite")));
    }
    cp.weights ??= {};
    // In the order of the indicator list (the stored JSON sorts them by id).
    const order = (def.indicators || []).map((x) => x.id);
    const ids = Object.keys(cp.weights).sort((a, b) => (order.indexOf(a) + 1 || Infinity) - (order.indexOf(b) + 1 || Infinity));
    const scale = ids.map((id) => scaleOf(id)).find(Boolean) || "";
    const percent = scale === "proportion";
    const sumLine = el("p", { className: "ed-weights-sum", role: "status" });
    const showSum = () => {
      // As the server sums them: a weight that is not positive is a problem of its own.
      const sum = String(+Object.values(cp.weights).reduce((a, w) => a + (w > 0 && Number.isFinite(w) ? w : 0), 0).toFixed(9));
      sumLine.dataset.sum = sum;
      sumLine.textContent = fill(tr("survey.editor.weights_sum"), { sum });
    };
    showSum();
    const rows = ids.map((id) => {
      const ind = def.indicators?.find((x) => x.id === id);
      return el("tr", { dataset: { id } },
        el("td", {}, ind ? textOf(ind.label) || id : `${id} · ${tr("survey.editor.gone")}`, " ", el("code", {}, id)),
        el("td", {}, el("input", {
          type: "number", step: "any", min: 0, max: 1, inputMode: "decimal", className: "ed-weight", value: cp.weights[id] ?? "",
          "aria-label": `${tr("survey.editor.weight")} · ${id}`, dataset: { path: `${path}.weights.${id}` },
          oninput: (ev) => {
            const v = ev.target.value.trim();
            const n = Number(v);
            // An empty or unreadable weight is sent as 0, which the server names.
            cp.weights[id] = v === "" || !Number.isFinite(n) ? 0 : n;
            showSum();
          },
        })),
        el("td", { className: "ed-tools" }, small("✕", tr("survey.editor.remove_weight"), () => { delete cp.weights[id]; render(); }, { className: "small danger" })));
    });
    const candidates = (def.indicators || []).filter((x) => x.id && !(x.id in cp.weights) && (!scale || !scaleOf(x.id) || scaleOf(x.id) === scale));
    return el("fieldset", { className: "ed-composite", dataset: { path } },
      el("legend", {}, tr("survey.composite")),
      texts(cp, "label", path, { label: tr("survey.editor.indicator_label") }),
      el("div", { className: "form-row" },
        el("label", {}, tr("survey.target") + (percent ? " (%)" : ""), el("input", {
          type: "number", step: "any", min: 0, value: cp.target == null ? "" : percent ? +(cp.target * 100).toFixed(4) : cp.target, dataset: { path: `${path}.target` },
          oninput: (ev) => {
            const v = ev.target.value.trim();
            if (v === "") delete cp.target; else cp.target = percent ? +(Number(v) / 100).toFixed(6) : Number(v);
          } }))),
      el("p", { className: "muted" }, tr("survey.editor.weights_hint")),
      el("div", { className: "table-wrap", dataset: { path: `${path}.weights` } }, el("table", { className: "table compact ed-weights" },
        el("thead", {}, el("tr", {}, el("th", {}, tr("survey.indicator")), el("th", {}, tr("survey.editor.weight")), el("th", {}, ""))),
        el("tbody", {}, rows))),
      sumLine,
      el("div", { className: "ed-composite-tools" },
        candidates.length ? el("label", {}, tr("survey.editor.add_weight"), select("", [["", "—"], ...candidates.map((x) => [x.id, `${textOf(x.label) || x.id} (${x.id})`.slice(0, 50)])], {
          className: "ed-add-weight",
          onchange: (ev) => {
            if (!ev.target.value) return;
            const sum = Object.values(cp.weights).reduce((a, w) => a + (Number(w) || 0), 0);
            cp.weights[ev.target.value] = Math.max(0, +(1 - sum).toFixed(9));
            render();
          } })) : null,
        small(tr("survey.editor.remove_composite"), tr("survey.editor.remove_composite"), () => { delete def.composite; render(); }, { className: "small danger ed-remove-composite" })));
  }

  /** renameIndicator changes an indicator's id, the means that average it and the composite's weights. */
  function renameIndicator(from, to) {
    if (!to || from === to) return;
    for (const ind of def.indicators) {
      if (ind.id === from) ind.id = to;
      if (ind.of) ind.of = ind.of.map((x) => (x === from ? to : x));
    }
    const w = def.composite?.weights;
    if (w && from in w) {
      w[to] = w[from];
      delete w[from];
    }
  }

  // --- saving ----------------------------------------------------------

  function alertBox() {
    let a = form.querySelector(":scope > .form-alert");
    if (!a) {
      a = el("div", { className: "form-alert", role: "alert" });
      form.querySelector(".ed-save")?.before(a);
    }
    return a;
  }

  function clearErrors() {
    for (const e of form.querySelectorAll(".field-error[data-editor]")) e.remove();
    for (const e of form.querySelectorAll("[aria-invalid]")) e.removeAttribute("aria-invalid");
    form.querySelector(":scope > .form-alert")?.remove();
  }

  /** place shows msg beside the field whose data-path is path or its nearest parent; false when none is. */
  function place(path, msg) {
    let p = path;
    for (;;) {
      const target = form.querySelector(`[data-path="${CSS.escape(p)}"]`) || (p === path ? part(path, msg) : null);
      if (target) {
        const slot = el("p", { className: "field-error", dataset: { editor: "true", for: path } }, msg);
        if (/^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) {
          target.setAttribute("aria-invalid", "true");
          // Inside the field's cell or label, so a grid of fields keeps its columns.
          const holder = target.closest("td") || target.closest("label");
          if (holder) holder.append(slot);
          else target.after(slot);
        } else if (target.tagName === "TR") {
          target.after(el("tr", { className: "field-error-row" }, el("td", { colSpan: 9 }, slot)));
        } else {
          target.append(slot);
        }
        return true;
      }
      const i = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
      if (i <= 0) return false;
      p = p.slice(0, i);
    }
  }

  /**
   * part finds, for a problem about a whole text ("label missing for
   * language en"), the field of the language it names, else an empty one.
   */
  function part(path, msg) {
    const fields = [...form.querySelectorAll(`[data-path^="${CSS.escape(path + ".")}"]`)].filter((e) => e.lang);
    if (!fields.length) return null;
    // The language is named as a word of the message, in whichever language the server wrote it.
    const names = (l) => new RegExp(`(^|[^\\w-])${l.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}([^\\w-]|$)`).test(msg);
    return fields.find((e) => e.lang && names(e.lang)) || fields.find((e) => "value" in e && e.value.trim() === "") || null;
  }

  /** localProblems are the builder's own: rules not finished. */
  function localProblems() {
    let n = 0;
    for (const cb of form.querySelectorAll(".cb")) {
      for (const p of cb.check?.() || []) {
        n++;
        const row = cb.querySelector(`.cb-rule[data-rule="${p.rule}"]`);
        const field = row?.querySelector(p.field === "question" ? ".cb-question" : p.field === "op" ? ".cb-op" : ".cb-value select, .cb-value input");
        field?.setAttribute("aria-invalid", "true");
        row?.after(el("p", { className: "field-error", dataset: { editor: "true" } }, tr(`survey.editor.rule.${p.code}`)));
      }
    }
    return n;
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors();
    const a = () => alertBox();
    if (localProblems()) {
      a().className = "form-alert error";
      a().textContent = tr("form.fix");
      form.querySelector("[aria-invalid]")?.focus();
      return;
    }
    const button = form.querySelector("#ed-save");
    button.disabled = true;
    form.setAttribute("aria-busy", "true");
    let res;
    try {
      res = await send("/api/v1/surveys", { body: def });
    } finally {
      button.disabled = false;
      form.removeAttribute("aria-busy");
    }
    if (res.status === 401) {
      sessionStorage.setItem(stash, JSON.stringify(def));
      return loginAgain();
    }
    if (res.status === 201 && res.json?.slug) {
      location.assign(`/surveys/${encodeURIComponent(res.json.slug)}/draft`);
      return;
    }
    const err = res.json?.error || {};
    const problems = err.details?.problems || [];
    const unplaced = problems.filter((p) => !(p.path && place(p.path, p.message)));
    box.dataset.problems = String(problems.length);
    a().className = "form-alert error";
    a().replaceChildren(el("p", {}, res.status === 0 ? tr("form.network") : problems.length ? tr("form.fix") : tr("form.failed") + (err.message || res.status)));
    if (problems.length && err.message) a().append(el("p", { className: "muted" }, err.message));
    if (unplaced.length) a().append(el("ul", { className: "problems" }, unplaced.map((p) => el("li", {}, p.message))));
    (form.querySelector("[aria-invalid]") || a()).scrollIntoView({ block: "center" });
  });
}
