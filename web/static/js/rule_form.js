// The round form's replacement rule as form fields kept in step with the
// rule's text (YAML or JSON, the advanced option): the parts that need no
// browser, tested with node --test.

/** RULE_KEYS are the rule's settings the form shows, with their kinds. */
export const RULE_KEYS = {
  attempts: "int",
  days: "int",
  evening: "int",
  evening_from: "time",
  on_non_contact: "bool",
  on_refusal: "bool",
  on_not_eligible: "bool",
  on_other: "bool",
  approval: "word",
};

const lineRE = /^([a-z_]+)[ \t]*:[ \t]*(.*?)[ \t]*(#.*)?$/;

function unquote(s) {
  if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s.at(-1) === s[0]) return s.slice(1, -1);
  return s;
}

function typed(kind, raw) {
  switch (kind) {
    case "int": {
      const n = Number(raw);
      return Number.isInteger(n) ? n : undefined;
    }
    case "bool":
      if (/^(true|yes|on)$/i.test(raw)) return true;
      if (/^(false|no|off)$/i.test(raw)) return false;
      return undefined;
    default:
      return raw === "" ? undefined : String(raw);
  }
}

function isJSON(text) {
  return text.trimStart().startsWith("{");
}

/**
 * readRule returns the form's settings a rule's text gives: the top-level
 * keys of YAML (one "key: value" a line; comments and nested blocks left
 * alone) or of a JSON object. Keys it does not give, or gives in a way the
 * form cannot show, are left out (the form shows their defaults).
 */
export function readRule(text) {
  const out = {};
  if (isJSON(text)) {
    let obj;
    try {
      obj = JSON.parse(text);
    } catch {
      return out;
    }
    for (const [k, kind] of Object.entries(RULE_KEYS)) {
      if (!(k in obj)) continue;
      const v = typed(kind, String(obj[k]));
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  for (const line of text.split(/\r?\n/)) {
    const m = lineRE.exec(line);
    if (!m || !(m[1] in RULE_KEYS)) continue;
    const v = typed(RULE_KEYS[m[1]], unquote(m[2]));
    if (v !== undefined) out[m[1]] = v;
  }
  return out;
}

function yamlValue(kind, v) {
  return kind === "time" ? `"${v}"` : String(v);
}

/**
 * writeRule returns the rule's text with the form's settings in it: each
 * key's line replaced (its comment kept) or added; the rest of the text
 * (other keys, the quality checks, comments) as it was. JSON stays JSON.
 */
export function writeRule(text, settings) {
  if (isJSON(text)) {
    let obj;
    try {
      obj = JSON.parse(text);
    } catch {
      return text; // the server names the problem; the form does not guess
    }
    return JSON.stringify({ ...obj, ...settings }, null, 2);
  }
  const lines = text === "" ? [] : text.replace(/\s+$/, "").split(/\r?\n/);
  const done = new Set();
  for (let i = 0; i < lines.length; i++) {
    const m = lineRE.exec(lines[i]);
    if (!m || !(m[1] in settings) || done.has(m[1])) continue;
    const k = m[1];
    lines[i] = `${k}: ${yamlValue(RULE_KEYS[k], settings[k])}${m[3] ? "  " + m[3] : ""}`;
    done.add(k);
  }
  for (const [k, v] of Object.entries(settings)) {
    if (!done.has(k) && k in RULE_KEYS) lines.push(`${k}: ${yamlValue(RULE_KEYS[k], v)}`);
  }
  return lines.join("\n") + "\n";
}
