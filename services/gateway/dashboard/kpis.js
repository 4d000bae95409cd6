// The "KPIs" tab (GET /kpis drawn as charts) and the "Months" tab (a chosen month's analysis of
// the three summary tables, GET /months/<table>/<YYYY-MM>). app.js's load() calls VIEWS[tab].fetch
// with the as-of picker's moment and VIEWS[tab].render with the answer, on a tab switch, a
// changed picker and every live notice, as it does for the tables. Loaded before app.js.
"use strict";
const TABLE_NAMES = ["samples", "orders", "complaints"];
const views = { labels: null, month: null };  // figure labels (/dashboard/figures), chosen month

function percent(rate) { return rate == null ? "-" : `${Math.round(rate * 1000) / 10}%`; }

function periodShort(period) {  // "2026-W05" → "W05", "2026-02" → "02"
  return period.includes("-W") ? `W${period.split("-W")[1]}` : period.slice(5);
}

function named(name) {  // a department's or an unknown name in the page's language
  if (name === "?") return t("unknown");
  const label = window.TEXTS[state.lang][`dept_${name}`];
  return typeof label === "string" ? label : name;
}

async function fetchKpis() {
  const params = new URLSearchParams();
  if (asOf()) params.set("as_of", asOf());
  for (const key of ["from", "to"]) if ($(`kpi-${key}`).value) params.set(key, $(`kpi-${key}`).value);
  return api(`/kpis?${params}`);
}

function rateBar(key, label, onTime, late, rate) {
  return { key, label, value: rate ?? 0, text: `${percent(rate)} (${onTime}/${onTime + late})` };
}

function renderKpis(k) {
  const charts = [];
  for (const [period, list] of [["week", k.weeks], ["month", k.months]]) {
    for (const table of TABLE_NAMES) {
      charts.push(columnChart(`${table}-${period}`, t(`chart_${table}_${period}`),
        list.map((p) => ({ key: p.period, label: `${p.period} (${p.first} – ${p.last})`,
                           short: periodShort(p.period), value: p[table] })),
        t(`${period}_axis`), t("count_axis")));
    }
  }
  for (const table of ["orders", "samples"]) {
    charts.push(columnChart(`${table}-on-time-month`, t(`chart_${table}_on_time_month`),
      k.months.map((p) => ({ key: p.period, label: p.period, short: periodShort(p.period),
                             value: p[`${table}_on_time_rate`] ?? 0,
                             text: `${percent(p[`${table}_on_time_rate`])} (${p[`${table}_on_time`]}/${p[`${table}_on_time`] + p[`${table}_late`]})` })),
      t("month_axis"), t("rate_axis"), 1, percent));
  }
  const s = k.totals;
  charts.push(barList("on-time", t("chart_on_time"), [
    rateBar("orders", t("on_time_orders"), s.orders_on_time, s.orders_late, s.orders_on_time_rate),
    rateBar("samples", t("on_time_samples"), s.samples_on_time, s.samples_late, s.samples_on_time_rate),
  ], t("rate_axis"), "", 1));
  const counted = (list) => list.map((c) => ({ key: c.name, label: named(c.name), value: c.count }));
  charts.push(barList("per-customer", t("chart_per_customer"), counted(k.complaints_per_customer), t("count_axis"), t("customer_axis")),
              barList("per-problem", t("chart_per_problem"), counted(k.complaints_per_problem), t("count_axis"), t("problem_axis")),
              barList("breaches", t("chart_breaches"), counted(k.sla_breaches_per_department), t("count_axis"), t("department_axis")));
  const undated = Object.values(k.undated).reduce((a, b) => a + b, 0);
  $("view-note").textContent = [k.as_of && t("as_of_note", when(k.as_of)), t("range_note", k.from, k.to, k.zone),
                                undated && t("undated", undated)].filter(Boolean).join(" · ");
  $("kpi-charts").replaceChildren(...charts);
}

function defaultMonth() {  // the as-of moment's month, else this month (the browser's clock)
  const moment = asOf() ? new Date(asOf()) : new Date();
  return `${moment.getFullYear()}-${String(moment.getMonth() + 1).padStart(2, "0")}`;
}

async function fetchMonths() {
  const month = views.month || defaultMonth();
  $("month-pick").value = month;
  views.labels = views.labels || await api("/dashboard/figures");
  const answers = await Promise.all(TABLE_NAMES.map((n) => api(`/months/${n}/${month}`)));
  return { month, ...Object.fromEntries(TABLE_NAMES.map((n, i) => [n, answers[i]])) };
}

function label(key) { const found = views.labels[key]; return found ? found[state.lang] : key; }

function valueText(key, value) {  // one figure as text: rates in %, counts by name, lists joined
  if (value == null) return "-";
  if (key.endsWith("rate")) return percent(value);
  if (Array.isArray(value)) {
    if (!value.length) return "-";
    return value.map((v) => (v && typeof v === "object" ? `${named(v.customer)} / ${named(v.category)}: ${v.complaints.join(", ")}` : v)).join(", ");
  }
  if (typeof value === "object") return Object.entries(value).map(([k, v]) => `${named(k)} ${valueText(k, v)}`).join(", ") || "-";
  return String(value);
}

function figureRow(table, key, text) {
  const tr = table.insertRow();
  tr.dataset.figure = key;
  tr.insertCell().textContent = key.split(".").map(label).join(" · ");  // "delivery · on time"
  Object.assign(tr.insertCell(), { className: "value", textContent: text });
}

function groupTable(key, groups) {  // per customer / per problem: one row per name
  const table = document.createElement("table");
  table.className = "figures groups"; table.dataset.figure = key;
  const columns = ["complaints", "open", "closed", "repeats", "average_working_hours_to_close"];
  const head = table.createTHead().insertRow();
  for (const c of [key, ...columns]) head.append(Object.assign(document.createElement("th"), { textContent: label(c) }));
  for (const [name, figures] of Object.entries(groups)) {
    const tr = table.insertRow();
    tr.dataset.name = name;
    tr.insertCell().textContent = named(name);
    for (const c of columns) tr.insertCell().textContent = valueText(c, figures[c]);
  }
  return table;
}

const MONTH_CHARTS = { samples: "by_customer", orders: "by_customer", complaints: "per_category" };

function monthCard(name, answer) {
  const card = document.createElement("section");
  card.className = "month-card"; card.dataset.table = name;
  card.append(Object.assign(document.createElement("h3"), { textContent: `${t(`month_${name}`)} ${answer.month}` }));
  const table = document.createElement("table");
  table.className = "figures";
  const groups = [];
  for (const [key, value] of Object.entries(answer)) {
    if (key === "month" || key === "notes") continue;
    if (value && typeof value === "object" && !Array.isArray(value) && Object.values(value).some((v) => v && typeof v === "object")) {
      groups.push([key, value]);
    } else if (value && typeof value === "object" && !Array.isArray(value) && !key.startsWith("by_")) {
      for (const [part, v] of Object.entries(value)) figureRow(table, `${key}.${part}`, valueText(part, v));
    } else figureRow(table, key, valueText(key, value));
  }
  const counts = Object.entries(answer[MONTH_CHARTS[name]] || {}).map(([k, v]) => ({
    key: k, label: named(k), value: typeof v === "object" ? v.complaints : v }));
  card.append(barList(`month-${name}`, label(MONTH_CHARTS[name]), counts, t("count_axis"), t(name === "complaints" ? "problem_axis" : "customer_axis")), table);
  for (const [key, value] of groups) {
    card.append(Object.assign(document.createElement("h4"), { textContent: label(key) }), groupTable(key, value));
  }
  const notes = document.createElement("ul");
  notes.className = "notes";
  for (const n of answer.notes || []) notes.append(Object.assign(document.createElement("li"), { textContent: `${when(n.noted_at)} ${n.noted_by}: ${n.text}` }));
  card.append(Object.assign(document.createElement("h4"), { textContent: t("notes") }), notes.childElementCount ? notes : document.createTextNode(t("none")));
  return card;
}

function renderMonths(m) {
  $("view-note").textContent = asOf() && !views.month ? t("month_of_as_of") : "";
  $("month-view").replaceChildren(...TABLE_NAMES.map((n) => monthCard(n, m[n])));
}

window.VIEWS = {
  kpis: { fetch: fetchKpis, render: renderKpis, clear: () => $("kpi-charts").replaceChildren() },
  months: { fetch: fetchMonths, render: renderMonths, clear: () => $("month-view").replaceChildren() },
};

function startViews() {  // the tabs' own inputs; a new as-of moment shows its month again
  for (const id of ["kpi-from", "kpi-to"]) $(id).addEventListener("change", refresh);
  $("month-pick").addEventListener("change", () => { views.month = $("month-pick").value || null; refresh(); });
  $("as-of").addEventListener("change", () => { views.month = null; });
}
