// One table cell's text, as the terminal's table shows it (services/cli): composite values
// (lots, exceptions, trials of every round, flags, the complaint form) are spelt out with labels
// in the page's language, never shown as JSON. Loaded before app.js; it calls app.js's t(),
// when() and state only once the page runs.
"use strict";

function joined(parts) { return parts.filter((p) => p !== null && p !== undefined && p !== "").join(", ") || "-"; }

function plain(value) {  // any other object or list as "key value" text, never JSON braces
  if (value == null || value === "") return "";
  if (Array.isArray(value)) {
    return value.map(plain).filter(Boolean).join(value.some((v) => v && typeof v === "object") ? "; " : ", ");
  }
  if (typeof value === "object") {
    return Object.entries(value).filter(([, v]) => v != null && v !== "" && !(Array.isArray(v) && !v.length))
      .map(([k, v]) => `${k} ${plain(v)}`).join(", ");
  }
  if (typeof value === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value)) return when(value);
  return String(value);
}

function slaFlags(row) {
  const zh = state.lang === "zh";
  return (row.sla_flags || []).map((f) => `${f.clock.replace("SLA-", "").toLowerCase()} ${zh ? f.state_zh : f.state}`);
}

function flagsCell(row) {  // the SLA flags; while the SLA model rebuilds, the table's own marks
  const marks = slaFlags(row);
  if (row.sla_flags == null) {
    if (row.late) marks.push(t("late"));
    if (row.delay_notices) marks.push(t("delay") + (row.delay_timely ? "" : ` (${t("late_notice")})`));
  }
  if (row.penalty_requested_at) marks.push(t("penalty"));
  if (row.order_no && row.customer_told_latest === false) marks.push(t("not_told"));
  return joined(marks);
}

function trialCell(row) {  // every round's trial: "R1 NG burr; R2 OK"
  const trials = row.trials || [];
  if (!trials.length) return joined([row.trial_result && t("trial")[row.trial_result], row.trial_cause]);
  return trials.map((x) => [`${t("rounds")} ${x.round}`, t("trial")[x.result] || x.result, x.cause]
    .filter(Boolean).join(" ")).join("; ");
}

function qcCell(row) {  // lots passed of lots made, and how many needed rework
  if (!row.lot_count) return "-";
  const passed = Object.values(row.lots || {}).filter((lot) => lot.result === "passed").length;
  return `${passed}/${row.lot_count} OK` + (row.reworked_lots ? `, ${row.reworked_lots} ${t("rework")}` : "");
}

function exceptionsCell(row) {  // "2 (1 open): machine_breakdown, material_shortage"
  const count = row.exception_count || Object.keys(row.exceptions || {}).length;
  if (!count) return "-";
  const open = row.exceptions_open ? ` (${row.exceptions_open} ${t("open_exc")})` : "";
  return `${count}${open}` + (row.exception_kinds ? `: ${row.exception_kinds}` : "");
}

function complaintMarks(row) {
  return joined([row.redirected_from && `${t("from_dept")} ${t(`dept_${row.redirected_from}`) || row.redirected_from}`,
                 row.reopen_count && `${t("reopened")} ${row.reopen_count}x`,
                 row.visit_on && `${t("visit")} ${row.visit_on}`]);
}

function alertCell(row) {
  return joined([row.breach_alert_at && `${t("breach_alert")} ${when(row.breach_alert_at)}`,
                 row.at_risk_alert_at && `${t("risk_alert")} ${when(row.at_risk_alert_at)}`]);
}

const CELLS = {
  flags: flagsCell, trial: trialCell, qc: qcCell, exceptions: exceptionsCell, marks: complaintMarks,
  alert: alertCell,
  clock: (row) => (state.lang === "zh" && row.title_zh ? `${row.clock} ${row.title_zh}` : row.clock),
  left: (row) => {
    if (row.left_hours == null) return "-";
    return row.left_hours < 0 ? `${(-row.left_hours).toFixed(1)}h ${t("overdue")}` : `${row.left_hours.toFixed(1)}h`;
  },
  used: (row) => (row.used_hours == null ? "-" : String(row.used_hours)),
  person: (row) => row.person || row.role || "-",
  shipped: (row) => (row.order_no ? (row.shipped_qty ? `${row.shipped_qty}/${row.ordered_qty || "?"}` : "-")
                                  : row.tracking_no || row.shipped_method || "-"),
  product: (row) => row.product || row.products || "-",
  problem: (row) => row.category || row.problem || row.summary || "-",
  severity: (row) => (row.severity ? t("severity")[row.severity] || row.severity : "-"),
  form: (row) => (row.form_status ? `${row.form_no || ""} ${t("form")[row.form_status] || row.form_status}`.trim() : "-"),
  satisfaction: (row) => (row.verified_at ? t("verified")
    : row.satisfied === true ? t("satisfied_yes") : row.satisfied === false ? t("satisfied_no") : "-"),
  responsible: (row) => (row.responsible ? t(`dept_${row.responsible}`) || row.responsible : "-"),
  department: (row) => (row.department ? t(`dept_${row.department}`) || row.department : "-"),
};

function cell(row, key) {  // one cell's text in the page's language
  const zh = state.lang === "zh";
  if (key === "status" || key === "state") return (zh && row[`${key}_zh`]) || row[key] || "-";
  if (CELLS[key]) return String(CELLS[key](row) || "-");
  return plain(row[key]) || "-";
}
