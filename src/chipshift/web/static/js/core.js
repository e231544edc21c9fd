/* chipshift web core: fetching the API, DOM helpers, tables with CSV download, the source panel.
   Every page renders the JSON of its /api/v1 endpoint; nothing is fetched from other hosts. */
"use strict";
const CS = (() => {
  const API = "/api/v1";

  /* Whether this browser has no font for Chinese, Japanese or Korean: a Han character then draws the same empty
     box as a character no font has (a private-use one). Checked once, on a canvas. */
  const NO_CJK_FONT = (() => {
    try {
      const ctx = document.createElement("canvas").getContext("2d");
      if (!ctx) return false;
      ctx.font = "16px sans-serif";
      const drawn = (ch) => { ctx.clearRect(0, 0, 24, 24); ctx.fillText(ch, 2, 18); return ctx.getImageData(0, 0, 24, 24).data.join(","); };
      return drawn("\u4e1a") === drawn("\ue000");
    } catch (e) { return false; }
  })();
  const CJK_RUN = /[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u1100-\u11ff\uf900-\ufaff\uff00-\uffef]+(?:[\s\d.,:%-]+[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u1100-\u11ff\uf900-\ufaff\uff00-\uffef]+)*/g;

  /* Text as this browser can show it: where it has no font for them, a run of Chinese, Japanese or Korean
     characters is named by its language ("[Chinese text]") instead of being drawn as empty boxes. */
  function readable(text) {
    if (!NO_CJK_FONT || typeof text !== "string") return text;
    return text.replace(CJK_RUN, (run) => (/[\u3040-\u30ff]/.test(run) ? "[Japanese text]"
      : /[\uac00-\ud7af\u1100-\u11ff]/.test(run) ? "[Korean text]" : "[Chinese text]"));
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = readable(v);
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.assign(node.dataset, v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(readable(String(c))));
    }
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function $(sel, root) { return (root || document).querySelector(sel); }

  function url(path, params) {
    const u = new URL(API + path, location.origin);
    for (const [k, v] of Object.entries(params || {})) {
      if (v === null || v === undefined || v === "") continue;
      if (Array.isArray(v)) v.forEach((x) => u.searchParams.append(k, x)); else u.searchParams.set(k, v);
    }
    return u.pathname + u.search;
  }

  function showError(message) {
    const box = $("#error");
    if (!message) { box.hidden = true; return; }
    box.textContent = message;
    box.hidden = false;
  }

  async function answer(response) {
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      const msg = body && body.message ? body.message : `HTTP ${response.status}`;
      const err = new Error(msg);
      err.status = response.status; err.body = body;
      const retry = Number(response.headers.get("Retry-After"));
      if (response.status === 429 && retry > 0) err.retryAfter = retry;
      throw err;
    }
    return body;
  }

  async function get(path, params, opts) {
    const target = url(path, params);
    if (!(opts && opts.quiet)) setJsonLink(target);
    try {
      const data = await answer(await fetch(target, { headers: { Accept: "application/json" } }));
      showError(null);
      return data;
    } catch (e) { showError(e.message); throw e; }
  }

  async function post(path, body, opts) {
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    if (opts && opts.token) headers.Authorization = "Bearer " + opts.token;
    try {
      const data = await answer(await fetch(API + path, { method: "POST", headers, body: JSON.stringify(body) }));
      showError(null);
      if (!(opts && (opts.quiet || opts.token))) setPostLink(API + path, body, data);
      return data;
    } catch (e) { showError(e.message); throw e; }
  }

  /* A POST the server may refuse for now (429 with Retry-After: the market model's error still being learned, or
     its runs' queue full): ``waiting(message, seconds)`` shows what the server said and when the page asks again,
     and the page asks again then, as long as ``current()`` says the answer is still wanted (null once not). The
     wait is at most 20 s at a time, so the message's progress stays fresh. */
  async function postWhenReady(path, body, waiting, current) {
    for (;;) {
      try { return await post(path, body, { quiet: false }); } catch (e) {
        if (!e.retryAfter || !current()) throw e;
        const seconds = Math.min(e.retryAfter, 20);
        showError(null);
        waiting(e.message, e.retryAfter, seconds);
        await new Promise((done) => setTimeout(done, seconds * 1000));
        if (!current()) return null;
      }
    }
  }

  function setJsonLink(target) {
    const link = $("#json-link");
    if (link) { link.href = target; link.title = "The JSON this page renders: " + target; }
  }

  /* A POST answer cannot be fetched again by a link: the link opens the request (method, address, body) with
     the answer, as one JSON document. */
  /* A page that POSTs to two endpoints (Compare: scenarios and market cases) renders both answers: the link then
     holds each endpoint's latest request and answer ({exchanges: [...]}, in the order first asked). */
  let postLink = null;
  const posted = new Map();
  function setPostLink(target, body, data) {
    const link = $("#json-link");
    if (!link) return;
    if (postLink) URL.revokeObjectURL(postLink);
    posted.set(target, { request: { method: "POST", url: new URL(target, location.href).href, body }, answer: data });
    const exchanges = [...posted.values()];
    const shown = exchanges.length === 1 ? exchanges[0] : { exchanges };
    postLink = URL.createObjectURL(new Blob([JSON.stringify(shown, null, 2)], { type: "application/json" }));
    link.href = postLink;
    const asked = [...posted.keys()].map((t) => `POST ${t}`).join(", ");
    link.title = exchanges.length === 1 ? `The request (${asked}) and the JSON answer this page renders`
      : `The requests (${asked}) and the JSON answers this page renders`;
  }

  /* -- formatting ------------------------------------------------------------------------------ */
  const pct = (v, digits = 1) => (v === null || v === undefined ? "unknown" : `${Number(v).toFixed(digits)}%`);
  /* A share in percent (0-100, as every answer gives one), or "—" when unknown. */
  const share = (v, digits = 1) => (v === null || v === undefined ? "—" : `${Number(v).toFixed(digits)}%`);
  /* A change of a share (a difference of two percents) in percentage points, signed: never a percent. */
  const points = (v, digits = 1) => (v === null || v === undefined ? "—"
    : `${v > 0 ? "+" : v < 0 ? "−" : ""}${Math.abs(v).toFixed(digits)} pts`);
  // (a value that rounds to nothing reads 0, never "-0")
  const num = (v) => (v === null || v === undefined ? "" : Number(v).toLocaleString("en-US", { maximumFractionDigits: 3 }).replace(/^-(0(\.0*)?)$/, "$1"));
  /* A figure as a headline box shows it: three significant figures (whole numbers from 1,000), as the charts do. */
  const sig = (v) => (v === null || v === undefined ? "—" : Math.abs(v) >= 1000 ? num(Math.round(v)) : num(Number(Number(v).toPrecision(3))));
  const list = (v) => (Array.isArray(v) ? v.join(", ") : v === null || v === undefined ? "" : String(v));

  /* -- downloads ------------------------------------------------------------------------------- */
  function download(filename, content, mime) {
    const blob = content instanceof Blob ? content : new Blob([content], { type: mime || "text/plain" });
    const a = el("a", { href: URL.createObjectURL(blob), download: filename });
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 2000);
  }

  function csvCell(v) {
    if (v === null || v === undefined) return "";
    if (typeof v === "object") v = Array.isArray(v) ? v.map((x) => (typeof x === "object" ? JSON.stringify(x) : x)).join("; ") : JSON.stringify(v);
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }

  /* A CSV holds the values themselves (a share as 36.4, not "36.4%"): a column's heading names their unit when
     the table's column declares one ("percent": 0-100, as every share is). */
  const UNITS = { percent: "percent" };
  function csv(columns, rows) {
    const head = columns.map((c) => csvCell(c.unit ? `${c.key} (${UNITS[c.unit] || c.unit})` : c.key)).join(",");
    const body = rows.map((r) => columns.map((c) => csvCell(c.csv ? c.csv(r) : r[c.key])).join(","));
    return [head, ...body].join("\r\n") + "\r\n";
  }

  /* -- tables ---------------------------------------------------------------------------------- */
  /* columns: [{key, label, format(v,row), num, render(row) -> Node, source(row) -> source|null, csv(row)}] */
  /* The rows a table shows a page: more are reached with its Previous and Next buttons. */
  const PAGE_ROWS = 100;

  /* A cell's text as the table shows it (for filtering; a cell that renders a node gives its text). */
  function cellText(c, row) {
    if (c.render) { const n = c.render(row); return n instanceof Node ? n.textContent : String(n ?? ""); }
    const v = row[c.key];
    const shown = c.format ? c.format(v, row) : Array.isArray(v) ? v.join(", ") : v ?? "";
    return shown instanceof Node ? shown.textContent : String(shown);
  }

  /* Words a page uses that need saying what they mean, one definition each wherever they appear: a table's
     heading (column `define`) as an <abbr> with the definition in its tooltip, and a line under the table. The
     glossary is the one the terminal's tables use too (reports.labels.TERMS), as the server gives it to the page. */
  const TERMS = JSON.parse(document.body.dataset.terms || "{}");
  const define = (term) => TERMS[String(term).toLowerCase()] || null;

  function table(container, spec) {
    clear(container);
    const all = spec.rows.slice();
    const state = { rows: all.slice(), sortKey: null, dir: 1, page: 0, query: "", facets: {} };
    // the box scrolls when the table is taller or wider than it: keyboard users reach it with Tab and scroll it
    const wrap = el("div", { class: "table-wrap", tabindex: "0", role: "region",
      "aria-label": spec.label || (spec.filename || "table").replace(/-/g, " ") });
    const name = (spec.label || spec.filename || "table").replace(/-/g, " ");
    const count = el("span", { class: "label", "aria-live": "polite" });
    const bar = el("div", { class: "toolbar" }, count);
    // a facet for each column of a few distinct words (kinds, imposers, lists), and a filter on every cell's text
    if (all.length > 10) {
      for (const c of spec.columns.filter((c) => !c.num && !c.render && !c.source).slice(0, 8)) {
        const values = [...new Set(all.map((r) => cellText(c, r)).filter(Boolean))].sort();
        if (values.length < 2 || values.length > 12 || values.some((v) => v.length > 40)) continue;
        const pick = el("select", { class: "facet", "aria-label": `${c.label || c.key}: show only`,
          onchange: () => { state.facets[c.key] = pick.value; state.page = 0; refilter(); draw(); } },
        el("option", { value: "", text: `${c.label || c.key}: all` }), values.map((v) => el("option", { value: v, text: v })));
        bar.append(pick);
        state.facets[c.key] = "";
        if (Object.keys(state.facets).length >= 3) break;
      }
      const filter = el("input", { type: "search", class: "filter", placeholder: "Filter rows", "aria-label": `Filter the rows of ${name}`,
        oninput: () => { state.query = filter.value.trim().toLowerCase(); state.page = 0; refilter(); draw(); } });
      bar.append(filter);
    }
    const prev = el("button", { type: "button", class: "secondary tiny", text: "Previous", onclick: () => { state.page -= 1; draw(); } });
    const next = el("button", { type: "button", class: "secondary tiny", text: "Next", onclick: () => { state.page += 1; draw(); } });
    bar.append(prev, next, el("button", { type: "button", class: "secondary tiny", "data-download": "csv",
      title: "the rows the filters keep, in the order shown (every page)",
      onclick: () => download((spec.filename || "table") + ".csv", csv(spec.columns, state.rows), "text/csv") }, "CSV"));
    container.append(bar, wrap);
    // each heading that defines its words, defined under the table too (its tooltip is out of reach of a touch)
    const defined = spec.columns.filter((c) => c.define);
    if (defined.length) container.append(el("p", { class: "muted small definitions" },
      defined.map((c) => `${c.label || c.key}: ${c.define}.`).join(" ")));
    function refilter() {
      const byKey = Object.fromEntries(spec.columns.map((c) => [c.key, c]));
      state.rows = all.filter((r) => Object.entries(state.facets).every(([k, v]) => !v || cellText(byKey[k], r) === v)
        && (!state.query || spec.columns.some((c) => cellText(c, r).toLowerCase().includes(state.query))));
      if (state.sortKey) sort();
    }
    function draw() {
      const pages = Math.max(1, Math.ceil(state.rows.length / PAGE_ROWS));
      state.page = Math.min(Math.max(state.page, 0), pages - 1);
      const first = state.page * PAGE_ROWS, shown = state.rows.slice(first, first + PAGE_ROWS);
      const kept = state.rows.length === all.length ? "" : ` (of ${all.length})`;
      count.textContent = pages > 1 ? `rows ${first + 1}–${first + shown.length} of ${state.rows.length}${kept}`
        : `${state.rows.length} row${state.rows.length === 1 ? "" : "s"}${kept}`;
      prev.hidden = next.hidden = pages < 2;
      prev.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
      // each heading is a button, so that sorting works from the keyboard too; aria-sort tells the order
      const thead = el("thead", {}, el("tr", {}, spec.columns.map((c) => el("th", {
        class: c.num ? "num" : null, scope: "col",
        "aria-sort": state.sortKey === c.key ? (state.dir > 0 ? "ascending" : "descending") : null,
      }, el("button", { type: "button", class: "sort", title: "Sort",
        onclick: () => { state.dir = state.sortKey === c.key ? -state.dir : 1; state.sortKey = c.key; sort(); draw(); },
      }, c.define ? el("abbr", { title: c.define }, c.label || c.key) : (c.label || c.key), state.sortKey === c.key ? (state.dir > 0 ? " ▲" : " ▼") : "")))));
      const tbody = el("tbody");
      for (const row of shown) {
        // a row that opens something opens from the keyboard too (Tab to it, then Enter)
        const tr = el("tr", { class: spec.onRow ? "clickable" : null, tabindex: spec.onRow ? "0" : null,
          onclick: spec.onRow ? () => spec.onRow(row) : null,
          onkeydown: spec.onRow ? (ev) => { if (ev.key === "Enter" && ev.target === tr) spec.onRow(row); } : null });
        for (const c of spec.columns) {
          let content;
          if (c.render) content = c.render(row);
          else {
            const v = row[c.key];
            content = c.format ? c.format(v, row) : Array.isArray(v) ? list(v) : v === null || v === undefined ? "" : String(v);
          }
          const isDate = typeof content === "string" && /^\d{4}(-\d{2}){0,2}$/.test(content);
          const td = el("td", { class: c.num ? "num" : isDate ? "nowrap" : null });
          const src = c.source ? c.source(row) : null;
          if (src) td.append(figure(content, src)); else td.append(content instanceof Node ? content : readable(String(content)));
          tr.append(td);
        }
        tbody.append(tr);
      }
      clear(wrap).append(el("table", { class: "data" }, thead, tbody));
    }
    function sort() {
      const k = state.sortKey;
      state.rows.sort((a, b) => {
        const x = a[k], y = b[k];
        if (x === y) return 0;
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        // text in its natural order: "E-2" before "E-10", "2025Q2" before "2025Q10"
        return (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "en", { numeric: true })) * state.dir;
      });
    }
    draw();
    return state;
  }

  /* -- the source panel ------------------------------------------------------------------------ */
  function sourceTitle(src) {
    if (!src) return "";
    const who = src.publisher || src.note || "source";
    return [who, src.published, src.quote ? `“${src.quote}”` : null].filter(Boolean).join(" · ");
  }

  /* A figure that opens its source: `src` a source (the panel shows it), or a function opening what a computed
     figure rests on (e.g. CS.showSources). */
  function figure(content, src) {
    const open = typeof src === "function" ? src : () => showSource(src);
    const span = el("span", { class: "figure", tabindex: "0", role: "button",
      title: typeof src === "function" ? "click for what this figure rests on" : sourceTitle(src) + " (click for the source)",
      onclick: (ev) => { ev.stopPropagation(); open(); },
      onkeydown: (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); ev.stopPropagation(); open(); } } });
    span.append(content instanceof Node ? content : readable(String(content)));
    return span;
  }

  function showSource(src) {
    const panel = $("#source-panel");
    $("h3", panel).textContent = "Source";
    const box = clear($(".content", panel));
    if (!src) { box.append(el("p", { class: "muted", text: "No source recorded." })); panel.hidden = false; return; }
    const rows = [["Publisher", src.publisher], ["Original", src.original_publisher], ["Title", src.title],
      ["Date", src.published], ["Status", src.status], ["Fact", src.fact], ["Source id", src.source],
      ["Dataset", src.dataset], ["Licence", src.licence], ["Note", src.note]];
    const dl = el("dl");
    for (const [k, v] of rows) if (v) dl.append(el("dt", { text: k }), el("dd", { text: String(v) }));
    box.append(dl);
    box.append(el("blockquote", { class: "quote", text: src.quote ? src.quote : "(no quote recorded)" }));
    if (src.url) box.append(el("p", {}, el("a", { href: src.url, target: "_blank", rel: "noopener noreferrer", text: src.url })));
    if (src.source && !src.dataset) box.append(el("p", {}, el("a", { href: `/sources?id=${encodeURIComponent(src.source)}`, text: "All facts resting on this source →" })));
    panel.hidden = false;
  }

  /* Rules shown to a reader: each by its name (the answer's `rule_names`), its id after it, a link to its page
     ("Japan bars all DUV lithography tools for China (X-DUV-JPN)"); the id alone only where the answer names it
     not. One way for every page that lists rules. */
  function ruleLink(id, names = {}) {
    const name = names && names[id];
    return el("a", { href: `/rules/${encodeURIComponent(id)}`, class: "rule-link" }, name ? [`${name} `, el("span", { class: "rule-id", text: `(${id})` })] : [id]);
  }

  function ruleLinks(ids, names = {}, sep = ", ") {
    return ids.flatMap((id, k) => [k ? sep : "", ruleLink(id, names)]).filter((x) => x !== "");
  }

  /* The sources behind a figure computed from others (a barred share, a stage's exposure): `heading` says which
     figure, `summary` how it is made; each of `parts` (a provider's share, an input of a stage) with its own source
     (a button opening the whole source), the rules it names as links, or an `open` action; `links` below. The
     panel takes the focus, so the keyboard reaches its links next. */
  function showSources(spec) {
    const panel = $("#source-panel");
    $("h3", panel).textContent = "Sources behind the figure";
    const box = clear($(".content", panel));
    box.append(el("p", { class: "figure-head", text: spec.heading }));
    if (spec.summary) box.append(el("p", { class: "muted small", text: spec.summary }));
    if (!spec.parts.length) box.append(el("p", { class: "muted", text: spec.empty || "Nothing it rests on is recorded." }));
    const list = el("ul", { class: "figure-parts" });
    for (const part of spec.parts) {
      const item = el("li", {}, part.open ? el("button", { type: "button", class: "link", onclick: part.open }, part.label) : el("b", { text: part.label }),
        part.text ? ` ${part.text}` : "");
      if (part.rules && part.rules.length) {
        item.append(el("br"), "rules: ");
        item.append(...ruleLinks(part.rules, spec.ruleNames || {}, "; "));
      }
      if (part.source) item.append(el("br"), "source: ", figure([part.source.publisher || part.source.note || "source", part.source.published].filter(Boolean).join(", "), part.source),
        part.source.quote ? el("q", { class: "small", text: part.source.quote }) : "");
      else if (part.source === null) item.append(el("br"), el("span", { class: "muted", text: "no source recorded" }));
      list.append(item);
    }
    box.append(list);
    for (const link of spec.links || []) box.append(el("p", {}, el("a", { href: link.href, text: link.text })));
    panel.hidden = false;
    panel.setAttribute("tabindex", "-1");
    panel.focus();
  }

  function params() { return new URLSearchParams(location.search); }
  /* A chart's footer from an answer about a destination: its scenario, its date and its sources; `extra` adds a
     part (e.g. what the bars count). */
  function footer(answer, extra) {
    const parts = [];
    if (answer) {
      const sc = answer.scenario;
      parts.push(`Scenario: ${sc ? sc.name : "baseline (the bundled rules)"}`);
      if (answer.at) parts.push(`as of ${answer.at}`);
    }
    if (extra) parts.push(extra);
    if (answer && answer.data_sources && answer.data_sources.length) parts.push(`Sources: ${answer.data_sources.join("; ")}`);
    return parts.join(" · ");
  }

  function setParams(values) {
    const u = new URL(location.href);
    for (const [k, v] of Object.entries(values)) { if (v === null || v === undefined || v === "") u.searchParams.delete(k); else u.searchParams.set(k, v); }
    history.replaceState(null, "", u);
  }

  /* Headings say a thing once: a card's heading says what the card is for, in a few words; a chart's title, inside
     its picture, says what the chart shows in full. A card holding one chart and nothing else has no heading of its
     own (``chartCard``): the chart's title stands, and the card is a region named by it. */
  function section(title, ...children) { return el("section", { class: "card" }, el("h2", { text: title }), ...children); }
  function chartCard(chart) { return el("div", { class: "card chart-card" }, chart); }

  /* A target's name in words for a title ("China" for CHN); the code itself when it names no country or region
     (a firm, or the list cannot be read). The list is asked for once. */
  let places = null;
  async function placeName(code) {
    places = places || get("/countries", {}, { quiet: true }).then((d) => Object.fromEntries(d.countries.map((c) => [c.id, c.name])), () => ({}));
    return (await places)[code] || code;
  }

  async function fillTargets(datalist) {
    const data = await get("/countries", {}, { quiet: true });
    for (const c of data.countries) datalist.append(el("option", { value: c.id, label: `${c.name} (${c.kind})` }));
  }

  /* An option of a list of shipped files; one that needs data the store lacks is shown, with what it needs and
     the command that imports it, but cannot be chosen. */
  function option(value, text, needs) {
    if (!needs) return el("option", { value, text });
    const how = needs.command ? `: ${needs.command}` : "";
    return el("option", { value, text: `${text} (needs ${needs.what}${how})`, disabled: true,
      title: `Not in this store: ${needs.problem}` });
  }

  async function fillScenarios(select, keep) {
    const data = await get("/scenarios", {}, { quiet: true });
    clear(select);
    select.append(el("option", { value: "baseline", text: "baseline (bundled rules)" }));
    const groups = [["Shipped examples", data.examples], ["Saved", data.saved]];
    for (const [label, items] of groups) {
      if (!items.length) continue;
      const g = el("optgroup", { label });
      for (const s of items) g.append(option(s.ref, s.name, s.needs));
      select.append(g);
    }
    if (keep) select.value = keep;
    return data;
  }

  /* The codes the data uses, each with what it means (GET /vocabulary, asked once per page). */
  let vocab = null;
  function vocabulary() {
    vocab = vocab || get("/vocabulary", {}, { quiet: true });
    return vocab;
  }

  /* A fact's unit in words, as the vocabulary describes it up to its first note in brackets or after a colon
     ("pct": "%", "usd_bn": "billion US dollars", "pct_qoq": "percent change quarter on quarter", "ratio": "a plain
     ratio"); an unknown code as it is. */
  function unitWords(code, v) {
    if (code === "pct") return "%";
    const text = v && v.units && v.units[code];
    return text ? text.split(/ \(|: /)[0] : code;
  }

  async function fillSegments(select) {
    const v = await vocabulary();
    for (const [code, text] of Object.entries(v.segments)) {
      if (code !== "all") select.append(el("option", { value: code, text: code.replace(/_/g, " "), title: String(text) }));
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const page = document.body.dataset.page;
    document.querySelectorAll("[data-nav]").forEach((a) => { if (a.dataset.nav.split(" ").includes(page)) a.classList.add("active"); });
    const panel = $("#source-panel");
    $(".close", panel).addEventListener("click", () => { panel.hidden = true; });
    document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") panel.hidden = true; });
  });

  return { API, NO_CJK_FONT, TERMS, define, readable, el, clear, $, url, get, post, postWhenReady, option, showError, pct, share, points, num, sig, list, download, csv, table, figure,
    showSource, showSources, ruleLink, ruleLinks, sourceTitle, params, setParams, footer, section, chartCard, placeName, fillTargets, fillScenarios, fillSegments, setJsonLink, vocabulary, unitWords };
})();
