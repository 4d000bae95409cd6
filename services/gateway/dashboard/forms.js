// The "Actions" tab: a form for each command the signed-in person's roles allow, generated from
// the command's request schema in the gateway's OpenAPI document (one definition of each
// command). Loaded before app.js; it calls app.js's api(), t(), $() and state only once the
// page runs. Every value from the server goes in as text, never as HTML.
"use strict";
// Filled in by the gateway or of no use on a form (the Idempotency-Key header stands for the
// command id).
const HIDDEN_FIELDS = new Set(["correlation_id", "command_id"]);
// ``key``: the Idempotency-Key of the form as filled (``filled``), kept while the same form is
// sent again (after a network error the command may have been stored: the gateway answers the
// first reply instead of storing it twice), renewed after a success or a changed form.
// ``sending``: a submission is in flight; another one is not sent (a double click sends once).
const forms = { commands: null, schemas: null, current: null, refusal: null, stored: null,
                key: null, filled: null, sending: false };

function newKey() {  // 128 random bits as hex; crypto.randomUUID needs a secure context
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function keyFor(filled) {  // the form's key: the same while the form is the same
  if (forms.key === null || forms.filled !== filled) { forms.key = newKey(); forms.filled = filled; }
  return forms.key;
}

function bilingual(text) {  // "English / 中文" → {en, zh}; the short part before "(" or ";"
  const cut = (s) => s.split(/ \(|; |（|；|，/)[0].trim();
  const at = text.lastIndexOf(" / ");
  if (at < 0) return { en: cut(text), zh: cut(text), full: text };
  return { en: cut(text.slice(0, at)), zh: cut(text.slice(at + 3)), full: text };
}

function resolve(schema) {  // follow $ref and anyOf [X, null]; keep the field's own description
  let base = schema, optional = false, decimal = false;
  if (base.anyOf) {
    const kinds = base.anyOf.filter((s) => s.type !== "null");
    optional = kinds.length < base.anyOf.length;
    decimal = kinds.some((s) => s.type === "number") && kinds.some((s) => s.type === "string");
    base = kinds.find((s) => s.type === "number") || kinds[0];
  }
  if (base.$ref) base = forms.schemas[base.$ref.split("/").pop()];
  return { ...base, description: schema.description || base.description,
           title: schema.title || base.title, default: schema.default, optional, decimal };
}

function simpleObject(schema) {  // an object of plain fields gets a fieldset, anything else JSON
  return schema.type === "object" && schema.properties &&
    Object.values(schema.properties).every((p) => !["object", "array"].includes(resolve(p).type));
}

function labelled(name, schema, required) {
  const text = bilingual(schema.description || schema.title || name);
  const label = document.createElement("span");
  Object.assign(label.dataset, { en: text.en, zh: text.zh });
  label.title = text.full;
  label.textContent = text[state.lang] + (required ? " *" : "");
  return label;
}

function field(name, raw, required) {  // one input (or a fieldset) with its error slot
  const schema = resolve(raw);
  const wrap = document.createElement(simpleObject(schema) ? "fieldset" : "label");
  wrap.className = "field"; wrap.dataset.field = name;
  const label = labelled(name, schema, required);
  let input;
  if (simpleObject(schema)) {
    const legend = document.createElement("legend");
    legend.append(label); wrap.append(legend);
    const inner = new Set(schema.required || []);
    for (const [key, sub] of Object.entries(schema.properties)) wrap.append(field(`${name}.${key}`, sub, inner.has(key)));
    wrap.dataset.kind = "object";
    return wrap;
  }
  if (schema.enum) {
    input = document.createElement("select");
    const values = schema.optional || !required ? ["", ...schema.enum] : schema.enum;
    input.append(...values.map((v) => Object.assign(document.createElement("option"), { value: v, textContent: v || "—" })));
    if (schema.default != null) input.value = schema.default;
  } else if (schema.type === "boolean") {
    input = Object.assign(document.createElement("input"), { type: "checkbox", checked: schema.default === true });
  } else if (schema.type === "integer" || schema.type === "number") {
    input = Object.assign(document.createElement("input"), { type: "number", step: schema.type === "integer" ? "1" : "any" });
  } else if (schema.type === "array" || schema.type === "object") {
    input = Object.assign(document.createElement("textarea"), { rows: 3, placeholder: schema.type === "array" ? "[ ]" : "{ }" });
    if (schema.default != null) input.value = JSON.stringify(schema.default);
  } else {
    const type = { date: "date", "date-time": "datetime-local", time: "time" }[schema.format] || "text";
    input = Object.assign(document.createElement("input"), { type });
    if (type === "datetime-local") input.step = "1";
    if (schema.maxLength) input.maxLength = Math.min(schema.maxLength, 100000);
  }
  input.name = name;
  wrap.dataset.kind = input.tagName === "TEXTAREA" ? "json" : input.tagName === "SELECT" ? "select"
    : schema.decimal ? "decimal" : input.type;
  const error = Object.assign(document.createElement("span"), { className: "error" });
  error.dataset.errorFor = name;
  wrap.append(label, input, error);
  return wrap;
}

function valueOf(wrap) {  // the field's JSON value, or undefined when left empty
  const kind = wrap.dataset.kind;
  if (kind === "object") {
    const value = {};
    for (const child of wrap.querySelectorAll(":scope > .field")) {
      const v = valueOf(child);
      if (v !== undefined) value[child.dataset.field.split(".").pop()] = v;
    }
    return Object.keys(value).length ? value : undefined;
  }
  const input = wrap.querySelector("input, select, textarea");
  if (kind === "checkbox") return input.checked;
  const text = input.value.trim();
  if (text === "") return undefined;
  if (kind === "number") return Number(text);
  if (kind === "datetime-local") return new Date(text).toISOString();
  if (kind === "json") {
    try { return JSON.parse(text); } catch (_) {
      throw Object.assign(new Error(t("not_json")), { field: wrap.dataset.field });
    }
  }
  return text;  // text, date, time, a select's choice, a decimal (as text: no rounding)
}

function chosen() { return forms.commands.find((c) => `${c.department}.${c.command}` === $("command").value); }

function buildForm() {
  const command = chosen();
  forms.current = command; forms.refusal = null; forms.stored = null; forms.key = null;
  const schema = forms.schemas[command.schema];
  const required = new Set(schema.required || []);
  const fields = Object.entries(schema.properties).filter(([name]) => !HIDDEN_FIELDS.has(name))
    .map(([name, sub]) => field(name, sub, required.has(name)));
  $("action-fields").replaceChildren(...fields);
  $("action-role").replaceChildren(...command.roles.map((r) => Object.assign(document.createElement("option"), { value: r, textContent: r })));
  $("action-role-label").hidden = command.roles.length < 2;
  $("action-summary").textContent = command.summary + (command.rule ? ` (${command.rule})` : "");
  showOutcome();
}

function showOutcome() {  // the refusal next to its field (or the rule's sentence), or the events
  for (const slot of document.querySelectorAll("#action-form [data-error-for]")) slot.textContent = "";
  $("action-error").textContent = ""; $("action-result").replaceChildren();
  const refusal = forms.refusal;
  if (refusal) {
    const text = (state.lang === "zh" ? refusal.message_zh : refusal.message_en) || refusal.message_en;
    const path = (refusal.field || "").split(".");
    let slot = null;  // the deepest field the refusal names: "materials.drawings", "lines.0.qty"
    for (let n = path.length; n > 0 && !slot; n--) slot = document.querySelector(`#action-form [data-error-for="${CSS.escape(path.slice(0, n).join("."))}"]`);
    if (slot) slot.textContent = text;
    else $("action-error").textContent = refusal.rule ? `${refusal.rule}: ${text}` : text;
  }
  if (forms.stored) {
    const items = forms.stored.map((e) => Object.assign(document.createElement("li"), { textContent: `${e.type} (v${e.version})` }));
    const head = Object.assign(document.createElement("li"), { className: "ok", textContent: t("stored", forms.stored.length) });
    $("action-result").replaceChildren(head, ...items);
  }
}

async function submitAction(event) {
  event.preventDefault();
  if (forms.sending) return;  // the first submission is still in flight
  const command = forms.current;
  forms.refusal = null; forms.stored = null;
  const body = {};
  try {
    for (const wrap of $("action-fields").querySelectorAll(":scope > .field")) {
      const v = valueOf(wrap);
      if (v !== undefined) body[wrap.dataset.field] = v;
    }
  } catch (error) {
    forms.refusal = { field: error.field, message_en: error.message, message_zh: error.message };
    return showOutcome();
  }
  const role = $("action-role").value, text = JSON.stringify(body);
  const key = keyFor(JSON.stringify([command.path, role, text]));
  forms.sending = true; $("action-submit").disabled = true;
  try {
    const reply = await api(command.path, { method: "POST", body: text,
                                            headers: { "Salesflow-Role": role, "Idempotency-Key": key } });
    forms.stored = reply.events;
    forms.key = null;  // stored: the next submission is a new command
  } catch (error) {
    forms.refusal = error.body && error.body.kind ? error.body : { message_en: error.message, message_zh: error.message };
  } finally { forms.sending = false; $("action-submit").disabled = false; }
  showOutcome();
  document.body.dataset.submitted = String(Number(document.body.dataset.submitted || 0) + 1);  // tests wait on it
}

async function showActions() {
  $("action-error").textContent = "";
  try {
    if (!forms.commands) {
      const [commands, openapi] = await Promise.all([api("/dashboard/commands"), api("/openapi.json")]);
      forms.schemas = openapi.components.schemas; forms.commands = commands;
      const groups = new Map();
      for (const c of commands) {
        if (!groups.has(c.department)) groups.set(c.department, Object.assign(document.createElement("optgroup"), { label: c.department }));
        groups.get(c.department).append(Object.assign(document.createElement("option"), { value: `${c.department}.${c.command}`, textContent: c.command }));
      }
      $("command").replaceChildren(...groups.values());
      $("command").addEventListener("change", buildForm);
      $("action-form").addEventListener("submit", submitAction);
      if (commands.length) buildForm();
    }
    $("no-actions").hidden = forms.commands.length > 0;
    $("action-form").hidden = forms.commands.length === 0;
  } catch (error) { $("action-error").textContent = error.message; }
}

function translateActions() {  // the labels and the last outcome in the page's language
  for (const el of document.querySelectorAll("#action-form [data-en]")) {
    const required = el.textContent.endsWith(" *");
    el.textContent = el.dataset[state.lang] + (required ? " *" : "");
  }
  if (forms.current) showOutcome();
}
