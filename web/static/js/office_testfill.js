// Test fill (试填) on a questionnaire's page: the interview runs as on the
// tablet, with the tablet's own rules (web/static/tablet/engine.js), in the
// page and nothing stored. A side panel shows which questions are visible
// and why, the end rule that fired and the indicator values the answers
// score to.

import { prepare, evaluate, checkAnswer, absent, score, option } from "/t/engine.js";
import { strings } from "./form.js";

const box = document.getElementById("test-fill");
if (box) start(box);

async function start(box) {
  // The questionnaire's texts in the language the page shows them in.
  const lang = box.dataset.lang || document.body?.dataset.lang || "zh-CN";
  const t = await strings();
  const tr = (k, fb) => t[k] || fb;
  const res = await fetch(box.dataset.definition, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!res.ok) return;
  const def = prepare(await res.json());
  const text = (x) => (x && (x[lang] || x[def.languages?.[0]] || Object.values(x)[0])) || "";
  const questions = def.sections.flatMap((s) => s.questions);
  const byCode = new Map(questions.map((q) => [q.code, q]));
  const answers = {};
  let current = null; // code of the question on screen; null when finished
  const $ = (sel) => box.querySelector(sel);

  const why = (code) => document.querySelector(`#q-${CSS.escape(code)} .rule:not(.end)`)?.textContent.trim() || "";
  const sectionWhy = (code) => {
    const sec = def.sections.find((s) => s.questions.some((q) => q.code === code));
    return sec ? document.querySelector(`#section-${CSS.escape(sec.id)} > .rule`)?.textContent.trim() || "" : "";
  };

  function firstOpen() {
    const { st } = evaluate(def, answers);
    return st.visible[0] ?? null;
  }

  function nextAfter(code) {
    const { st } = evaluate(def, answers);
    if (st.ended) return null;
    const i = st.visible.indexOf(code);
    return i >= 0 && i + 1 < st.visible.length ? st.visible[i + 1] : null;
  }

  function prevBefore(code) {
    const { st } = evaluate(def, answers);
    const list = st.visible;
    const i = code === null ? list.length : list.indexOf(code);
    return i > 0 ? list[i - 1] : null;
  }

  function readAnswer(q) {
    const form = $("#tf-question");
    if (q.type === "multiple_choice") {
      return [...form.querySelectorAll("input[name=tf-answer]:checked")].map((i) => Number(i.value));
    }
    if (q.type === "integer") {
      const v = form.querySelector("input[name=tf-answer]").value.trim();
      return v === "" ? null : Number(v);
    }
    if (q.type === "text") return form.querySelector("textarea[name=tf-answer]").value;
    const c = form.querySelector("input[name=tf-answer]:checked");
    return c ? Number(c.value) : null;
  }

  function renderQuestion() {
    const form = $("#tf-question");
    form.replaceChildren();
    box.dataset.state = current ? "asking" : "finished";
    box.dataset.current = current || "";
    if (!current) {
      const { st } = evaluate(def, answers);
      const p = document.createElement("p");
      p.id = "tf-done";
      p.textContent = st.ended
        ? tr("survey.testfill.ended", "Ended at {q}: {d}").replace("{q}", st.endedAt).replace("{d}", tr(`survey.testfill.disposition.${st.disposition}`, st.disposition))
        : tr("survey.testfill.complete", "The interview is complete.");
      form.append(p);
      const back = button(tr("survey.testfill.back", "Back"), "tf-back", () => { current = prevBefore(null); renderQuestion(); renderPanel(); });
      const again = button(tr("survey.testfill.restart", "Start again"), "tf-restart", () => { for (const k of Object.keys(answers)) delete answers[k]; current = firstOpen(); renderQuestion(); renderPanel(); });
      form.append(back, again);
      return;
    }
    const q = byCode.get(current);
    const h = document.createElement("p");
    h.className = "tf-label";
    h.innerHTML = "";
    const code = document.createElement("span");
    code.className = "q-code";
    code.textContent = q.code;
    h.append(code, " ", text(q.label));
    form.append(h);
    if (q.help) {
      const help = document.createElement("p");
      help.className = "help muted";
      help.textContent = text(q.help);
      form.append(help);
    }
    const a = answers[q.code];
    if (q.options) {
      for (const o of q.options) {
        const l = document.createElement("label");
        l.className = "tf-option";
        const i = document.createElement("input");
        i.type = q.type === "multiple_choice" ? "checkbox" : "radio";
        i.name = "tf-answer";
        i.value = String(o.code);
        i.checked = Array.isArray(a) ? a.includes(o.code) : a === o.code;
        l.append(i, ` ${o.code} ${text(o.label)}`);
        form.append(l);
      }
    } else if (q.type === "integer") {
      const i = document.createElement("input");
      i.type = "number"; i.name = "tf-answer"; i.step = "1";
      if (q.min != null) i.min = q.min;
      if (q.max != null) i.max = q.max;
      if (typeof a === "number") i.value = a;
      form.append(i);
    } else {
      const ta = document.createElement("textarea");
      ta.name = "tf-answer"; ta.rows = 3;
      if (typeof a === "string") ta.value = a;
      form.append(ta);
    }
    const err = document.createElement("p");
    err.className = "field-error";
    err.id = "tf-error";
    err.hidden = true;
    form.append(err);
    const back = button(tr("survey.testfill.back", "Back"), "tf-back", () => { current = prevBefore(current) || current; renderQuestion(); renderPanel(); });
    back.disabled = prevBefore(current) === null;
    const next = button(tr("survey.testfill.next", "Next"), "tf-next", () => {
      const v = readAnswer(q);
      const bad = absent(v) ? (q.required ? ["required"] : null) : checkAnswer(q, v);
      if (bad) {
        err.textContent = tr(`survey.testfill.rule.${bad[0]}`, bad[1] || bad[0]);
        err.hidden = false;
        return;
      }
      if (absent(v)) delete answers[q.code]; else answers[q.code] = v;
      current = nextAfter(q.code);
      renderQuestion();
      renderPanel();
    });
    next.classList.add("primary");
    form.append(back, next);
  }

  function button(label, id, onClick) {
    const b = document.createElement("button");
    b.type = "button"; b.id = id; b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  function answerText(q, a) {
    if (a === undefined) return "";
    const one = (c) => `${c} ${text(option(q, c)?.label)}`.trim();
    if (Array.isArray(a)) return a.map(one).join("、");
    return q.options ? one(a) : String(a);
  }

  function renderPanel() {
    const { st } = evaluate(def, answers);
    const vis = new Set(st.visible);
    const rows = $("#tf-questions tbody");
    rows.replaceChildren();
    let after = false;
    for (const q of questions) {
      const tr_ = document.createElement("tr");
      tr_.dataset.code = q.code;
      let state = vis.has(q.code) ? "visible" : after ? "after_end" : "hidden";
      tr_.dataset.state = state;
      const reason = [sectionWhy(q.code), why(q.code)].filter(Boolean).join("；") || tr("survey.testfill.always", "always asked");
      const cells = [q.code, tr(`survey.testfill.state.${state}`, state), reason, answerText(q, vis.has(q.code) ? answers[q.code] : undefined)];
      for (const c of cells) {
        const td = document.createElement("td");
        td.textContent = c;
        tr_.append(td);
      }
      if (q.code === current) tr_.classList.add("current");
      rows.append(tr_);
      if (st.ended && q.code === st.endedAt) after = true;
    }
    const end = $("#tf-end");
    end.dataset.fired = st.ended ? st.disposition : "";
    end.textContent = st.ended
      ? tr("survey.testfill.ended", "Ended at {q}: {d}").replace("{q}", st.endedAt).replace("{d}", tr(`survey.testfill.disposition.${st.disposition}`, st.disposition))
      : tr("survey.testfill.no_end", "No end rule has fired.");
    const values = score(def, answers);
    const ib = $("#tf-indicators tbody");
    ib.replaceChildren();
    for (const ind of def.indicators || []) {
      const tr_ = document.createElement("tr");
      tr_.dataset.id = ind.id;
      const v = values[ind.id];
      tr_.dataset.value = v === null || v === undefined ? "" : String(v);
      for (const c of [ind.id, text(ind.label), v === null || v === undefined ? "—" : String(Math.round(v * 1000) / 1000)]) {
        const td = document.createElement("td");
        td.textContent = c;
        tr_.append(td);
      }
      ib.append(tr_);
    }
  }

  $("#tf-start").addEventListener("click", () => {
    $("#tf-body").hidden = false;
    $("#tf-start").remove();
    current = firstOpen();
    renderQuestion();
    renderPanel();
  });
  box.dataset.ready = "true";
}
