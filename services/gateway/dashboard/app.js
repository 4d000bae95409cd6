// The dashboard: sign in, the three summary tables and the SLA board, a record's timeline,
// "as of", and live updates over server-sent events; the KPI and month tabs are kpis.js's, the
// cells' text cells.js's. Plain DOM, no framework; every value from
// the server goes in as text (textContent), never as HTML.
"use strict";
const PAGE_SIZE = 100;  // a page of a summary table, paged, sorted and searched by the server
const LIST_SIZE = 25;   // a page of the SLA board, paged and sorted here
const SERVER_PAGED = new Set(["samples", "orders", "complaints"]);
const SEARCH_DELAY = 300;  // ms after the last keystroke before the server is asked
const PATHS = { samples: "/tables/samples", orders: "/tables/orders",
                complaints: "/tables/complaints", sla: "/sla" };
const RECORD_KEYS = ["request_no", "order_no", "complaint_no", "record"];
const state = { lang: localStorage.getItem("lang") || "zh", tab: "samples", rows: [], total: 0,
                columns: null, sort: null, desc: false, page: 0, csrf: null, feed: null,
                person: null, loads: 0, live: false, feedLost: false, view: null };
const $ = (id) => document.getElementById(id);
const t = (key, ...args) => { const v = window.TEXTS[state.lang][key];
                              return typeof v === "function" ? v(...args) : v; };

async function api(path, options = {}) {
  const headers = { "Accept": "application/json", ...(options.headers || {}) };
  if (options.body) headers["Content-Type"] = "application/json";
  if (state.csrf && options.method && options.method !== "GET") headers["X-CSRF-Token"] = state.csrf;
  const answer = await fetch(path, { ...options, headers, credentials: "same-origin" });
  const body = answer.status === 204 ? null : await answer.json().catch(() => null);
  if (!answer.ok) throw Object.assign(new Error(refusal(body, answer.status)), { status: answer.status, body });
  return body;
}

function refusal(body, status) {  // the API's ErrorBody, in the page's language
  const error = body && (body.error || body);
  if (!error) return `HTTP ${status}`;
  const text = state.lang === "zh" ? (error.message_zh || error.message_en) : (error.message_en || error.message_zh);
  return [text || JSON.stringify(error), error.field ? `(${error.field})` : ""].join(" ").trim();
}

function translate() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.title = t("title");
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  $("lang").textContent = t("lang_button");
  setLive(state.live);
  if (state.person) $("who").textContent = t("signed_in_as", state.person.display_name, state.person.department);
  if (state.columns) render();
  translateActions();
}

async function signedIn(person) {
  state.person = person; state.csrf = person.csrf_token;
  $("signin").hidden = true; $("board").hidden = false; $("signout").hidden = false;
  state.columns = state.columns || await api("/dashboard/columns");
  translate(); connectFeed(); await load();
}

async function signIn(event) {
  event.preventDefault();
  const form = new FormData($("signin"));
  $("signin-error").textContent = "";
  try {
    await signedIn(await api("/session", { method: "POST",
      body: JSON.stringify({ username: form.get("username"), password: form.get("password") }) }));
  } catch (error) { $("signin-error").textContent = error.message; }
}

async function signOut() {
  await api("/session", { method: "DELETE" }).catch(() => null);
  location.reload();
}

function asOf() {  // the picker's local time as an instant with its offset
  const value = $("as-of").value;
  return value ? new Date(value).toISOString() : null;
}

async function load() {
  if (state.tab === "actions") return;  // the forms have no table to refetch
  const ticket = ++state.loads;  // a slower earlier answer must not overwrite a newer one
  const view = window.VIEWS[state.tab];  // the KPI and month tabs (kpis.js)
  const paged = SERVER_PAGED.has(state.tab);
  const params = new URLSearchParams({ limit: paged ? String(PAGE_SIZE) : "1000" });
  if (asOf()) params.set("as_of", asOf());
  if (paged) {
    params.set("offset", String(state.page * PAGE_SIZE));
    if (state.sort) { params.set("sort", state.sort); params.set("desc", String(state.desc)); }
    const needle = $("filter").value.trim();
    if (needle) params.set("search", needle);
  }
  try {
    const answer = view ? await view.fetch() : await api(`${PATHS[state.tab]}?${params}`);
    if (ticket !== state.loads) return;
    if (view) state.view = answer; else { state.rows = answer.items; state.total = answer.total; }
    $("table-error").textContent = "";
    if (paged && !answer.items.length && state.page > 0) {  // the table shrank under this page
      state.page = Math.max(0, Math.ceil(answer.total / PAGE_SIZE) - 1);
      return load();
    }
  } catch (error) {
    if (ticket !== state.loads) return;
    state.rows = []; state.total = 0; state.view = null; $("table-error").textContent = error.message;
  }
  render();
  document.body.dataset.loaded = String(ticket);  // tests wait on it
}

function when(text) {
  const moment = new Date(text);
  const pad = (n) => String(n).padStart(2, "0");
  return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())} ` +
         `${pad(moment.getHours())}:${pad(moment.getMinutes())}`;
}

function recordOf(row) { for (const k of RECORD_KEYS) if (row[k]) return row[k]; return null; }

function visibleRows() {  // the SLA board: filtered and sorted here; a summary table as answered
  const columns = state.columns[state.tab];
  let rows = state.rows.map((row) => ({ row, cells: columns.map((c) => cell(row, c.key)) }));
  if (SERVER_PAGED.has(state.tab)) return rows;
  const needle = $("filter").value.trim().toLowerCase();
  if (needle) rows = rows.filter((r) => r.cells.some((c) => c.toLowerCase().includes(needle)));
  const i = columns.findIndex((c) => c.key === state.sort);
  if (i >= 0) {
    const sign = state.desc ? -1 : 1;
    rows.sort((a, b) => sign * a.cells[i].localeCompare(b.cells[i], undefined, { numeric: true }));
  }
  return rows;
}

function sortBy(name) {  // a second click on the same column turns the order around
  state.desc = state.sort === name && !state.desc; state.sort = name; state.page = 0;
  if (SERVER_PAGED.has(state.tab)) load(); else render();
}

function render() {
  for (const b of document.querySelectorAll("#tabs button")) b.setAttribute("aria-selected", String(b.dataset.tab === state.tab));
  if (state.tab === "actions") return;
  const view = window.VIEWS[state.tab];
  if (view) { if (state.view) view.render(state.view); else view.clear(); return; }
  $("view-note").textContent = "";
  const columns = state.columns[state.tab];
  const paged = SERVER_PAGED.has(state.tab);
  const head = document.createElement("tr");
  columns.forEach((c) => {
    const th = document.createElement("th");
    th.textContent = c[state.lang]; th.dataset.key = c.key;
    const name = paged ? c.sort : c.key;  // the server sorts by the columns it can
    if (name) {
      th.title = t("sort_hint"); th.classList.add("sortable");
      if (state.sort === name) th.classList.add(state.desc ? "desc" : "asc");
      th.addEventListener("click", () => sortBy(name));
    }
    head.append(th);
  });
  $("table").tHead.replaceChildren(head);
  $("filter").placeholder = paged ? t("search_hint") : "";
  const rows = visibleRows();
  const size = paged ? PAGE_SIZE : LIST_SIZE;
  const total = paged ? state.total : rows.length;
  const pages = Math.max(1, Math.ceil(total / size));
  if (!paged) state.page = Math.min(state.page, pages - 1);
  const shown = paged ? rows : rows.slice(state.page * size, (state.page + 1) * size);
  const body = shown.map(({ row, cells }) => {
    const tr = document.createElement("tr");
    if (row.state) tr.className = row.state;
    const record = recordOf(row);
    if (record) tr.dataset.record = record;
    cells.forEach((text, i) => {
      const td = document.createElement("td");
      if (record && i === columns.findIndex((c) => RECORD_KEYS.includes(c.key))) {
        const a = document.createElement("a");
        a.className = "record"; a.textContent = text; a.addEventListener("click", () => openRecord(record));
        td.append(a);
      } else td.textContent = text;
      tr.append(td);
    });
    return tr;
  });
  $("table").tBodies[0].replaceChildren(...body);
  $("count").textContent = (asOf() ? t("as_of_note", when(asOf())) + " · " : "") + t("rows", body.length, total);
  $("page").textContent = t("page", state.page + 1, pages);
  $("prev").disabled = state.page === 0; $("next").disabled = state.page >= pages - 1;
}

async function openRecord(record) {
  $("record").hidden = false; $("record-no").textContent = record;
  const list = $("timeline");
  list.replaceChildren(Object.assign(document.createElement("li"), { textContent: t("loading") }));
  try {
    const page = await api(`/records/${encodeURIComponent(record)}/history?limit=1000`);
    list.replaceChildren(...page.items.map((e) => {
      const li = document.createElement("li");
      const who = Object.assign(document.createElement("span"), { className: "who",
        textContent: ` — ${e.actor_user} (${e.actor_role}, ${e.department})` });
      li.append(`${when(e.occurred_at)} ${e.type}`, who);
      return li;
    }));
  } catch (error) { list.replaceChildren(Object.assign(document.createElement("li"), { className: "error", textContent: error.message })); }
  $("record").scrollIntoView({ block: "nearest" });
}

function setLive(on) {
  state.live = on;
  $("live").className = `live ${on ? "on" : "off"}`;
  $("live").textContent = t(on ? "live_on" : "live_off");
}

// The gateway sends a notice once the projections applied its event. One table load at a
// time: notices during a load mark the table stale and it loads once more when the load ends,
// so a burst of commands still updates the page after every load (a new load per notice would
// discard every answer until the burst ended). A last look after the burst, in case the
// projections were slow to answer.
let loading = false, stale = false, settle = null;
async function refresh() {
  if (loading) { stale = true; return; }
  loading = true;
  try {
    do { stale = false; await load(); } while (stale);
  } finally {
    loading = false;
  }
}
function onNotice() {
  refresh();
  clearTimeout(settle);
  settle = setTimeout(refresh, 1000);
}

function connectFeed() {  // on a notice, refetch the visible table
  if (state.feed) state.feed.close();
  const feed = state.feed = new EventSource("/events/stream");
  feed.addEventListener("hello", () => {
    $("lost").hidden = true; setLive(true);
    // Events stored while the feed was lost sent no notice: refetch the visible table once.
    if (state.feedLost) { state.feedLost = false; load(); }
  });
  feed.onmessage = (message) => {
    window.lastNotice = JSON.parse(message.data);
    onNotice();
  };
  feed.onerror = () => {
    $("lost").hidden = false; setLive(false); state.feedLost = true;
    // The browser retries by itself unless the answer was an error (e.g. signed out): then we do.
    if (feed.readyState === EventSource.CLOSED) setTimeout(() => { if (state.feed === feed) connectFeed(); }, 2000);
  };
}

function showTab(tab) {
  state.tab = tab; state.sort = null; state.desc = false; state.page = 0; state.view = null;
  state.rows = []; state.total = 0; $("record").hidden = true;
  const view = window.VIEWS[tab];
  $("tools").hidden = tab === "actions"; $("filter-label").hidden = $("count").hidden = Boolean(view);
  $("tables").hidden = tab === "actions" || Boolean(view); $("actions").hidden = tab !== "actions";
  $("kpis").hidden = tab !== "kpis"; $("months").hidden = tab !== "months";
  $("table-error").textContent = $("view-note").textContent = "";
  if (tab === "actions") { render(); showActions(); } else load();
}

function start() {
  startViews();
  $("signin").addEventListener("submit", signIn);
  $("signout").addEventListener("click", signOut);
  $("lang").addEventListener("click", () => { state.lang = state.lang === "zh" ? "en" : "zh"; localStorage.setItem("lang", state.lang); translate(); });
  for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => showTab(b.dataset.tab));
  let typing = null;  // the search is the server's: asked once typing pauses
  $("filter").addEventListener("input", () => {
    state.page = 0;
    if (!SERVER_PAGED.has(state.tab)) { render(); return; }
    clearTimeout(typing); typing = setTimeout(refresh, SEARCH_DELAY);
  });
  $("as-of").addEventListener("change", () => { state.page = 0; load(); });
  $("as-of-clear").addEventListener("click", () => { $("as-of").value = ""; state.page = 0; load(); });
  const turn = (by) => { state.page += by; if (SERVER_PAGED.has(state.tab)) load(); else render(); };
  $("prev").addEventListener("click", () => turn(-1));
  $("next").addEventListener("click", () => turn(1));
  $("record-close").addEventListener("click", () => { $("record").hidden = true; });
  translate();
  api("/session").then(signedIn).catch(() => { $("signin").hidden = false; });
}
start();
