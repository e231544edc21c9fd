/* chipshift charts: small SVG charts written by hand (bars, range bars, heatmap, timeline, lines),
   each downloadable as SVG or PNG. Styles are attributes so downloaded files look the same. */
"use strict";
CS.charts = (() => {
  const NS = "http://www.w3.org/2000/svg";
  const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", "DejaVu Sans", Arial, sans-serif';
  const INK = "#1d2733", MUTED = "#5b6b7c", GRID = "#e3e8ee";
  // the one palette of the charts, the files' and the report's (reports.palette), as the server gives it to the
  // page; a market run's series take their colours by name from the run (its chart texts' `colours`)
  const PALETTE = (document.body.dataset.palette || "").split(/\s+/).filter(Boolean);
  if (!PALETTE.length) PALETTE.push("#1f4e79");
  const REDS = [[255, 245, 240], [254, 224, 210], [252, 187, 161], [252, 146, 114], [251, 106, 74], [239, 59, 44], [203, 24, 29], [153, 0, 13]];
  const BLUES = [[247, 251, 255], [222, 235, 247], [198, 219, 239], [158, 202, 225], [107, 174, 214], [66, 146, 198], [33, 113, 181], [8, 69, 148]];

  /* A percentage with the precision it needs: 0.25 reads "0.25%", not "0.3%". */
  const pct = (v) => { const a = Math.abs(Number(v)); return `${Number(v).toFixed(a > 0 && a < 1 ? 2 : 1)}%`; };

  function s(tag, attrs, ...children) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      if (k === "text") node.textContent = CS.readable(v);
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children.flat()) if (c) node.append(c);
    return node;
  }

  /* Past the palette's colours a series has a second cue (reports.palette.styles: the chart text's `cues`, by name):
     its published figures a diamond (0), a triangle (1) or a square (2), its stack parts plain, striped across or
     striped upright, as the chart files and the report draw them (palette.POINT_SHAPES, palette.BAR_STRIPES). */
  const POINT_SHAPES = ["diamond", "triangle", "square"];
  function pointMark(cx, cy, fill, stroke, cue, cls) {
    const shape = POINT_SHAPES[(cue || 0) % POINT_SHAPES.length], paint = { class: cls, fill, stroke, "stroke-width": 1.5, "data-shape": shape };
    if (shape === "triangle") return s("polygon", { ...paint, points: `${cx},${cy - 5.5} ${cx + 5},${cy + 3.5} ${cx - 5},${cy + 3.5}` });
    return s("rect", { ...paint, x: cx - 4, y: cy - 4, width: 8, height: 8, transform: shape === "diamond" ? `rotate(45 ${cx} ${cy})` : null });
  }
  function stripes(x, y, w, h, cue) {
    const kind = ["none", "across", "upright"][(cue || 0) % 3], out = [];
    const line = (x1, x2, y1, y2) => s("line", { x1, x2, y1, y2, stroke: "#fff", "stroke-width": 1.2, "pointer-events": "none" });
    if (kind === "across") for (let k = 2; k < h; k += 4) out.push(line(x, x + w, y + k, y + k));
    if (kind === "upright") for (let k = 2; k < w; k += 4) out.push(line(x + k, x + k, y, y + h));
    return out;
  }

  function svgRoot(width, height, title) {
    const root = s("svg", { xmlns: NS, width, height, viewBox: `0 0 ${width} ${height}`, "font-family": FONT,
      "font-size": 12, fill: INK, role: "img", "aria-label": title || "chart" });
    root.append(s("rect", { x: 0, y: 0, width, height, fill: "#ffffff" }));
    if (title) root.append(s("title", { text: title }));
    return root;
  }

  /* Text is measured in the font the charts use, so a label, a legend or a title can be cut to the room it has
     (with an ellipsis; the whole text stays in the tooltip) instead of running past the chart's edge. */
  const measure = document.createElement("canvas").getContext("2d");
  function textWidth(text, size = 12, weight = "normal") {
    measure.font = `${weight} ${size}px ${FONT}`;
    return measure.measureText(String(text)).width;
  }
  function fit(text, px, size = 12, weight = "normal") {
    text = CS.readable(String(text));  // measured as it will be shown
    if (textWidth(text, size, weight) <= px) return text;
    while (text.length > 1 && textWidth(text + "…", size, weight) > px) text = text.slice(0, -1);
    return text.trimEnd() + "…";
  }

  /* A legend's entries (a swatch and a name each) left to right from x0, a new row when the next would pass
     x0 + room: every name is shown whole, one wider than the room wrapped over rows of its own (its `lines`). */
  function legendLayout(names, x0, room, size = 12) {
    const items = [];
    let x = x0, row = 0;
    for (const name of names) {
      const lines = wrap(CS.readable(String(name)), room - 26, size);
      const w = 18 + Math.max(...lines.map((l) => textWidth(l, size))) + 18;
      if (x > x0 && (x + w > x0 + room || lines.length > 1)) { row += 1; x = x0; }
      items.push({ x, row, text: lines[0], lines });
      row += lines.length - 1;
      x = lines.length > 1 ? x0 + room + 1 : x + w;  // after a wrapped name, the next starts a row
    }
    return { items, rows: names.length ? row + 1 : 0 };
  }

  /* A legend entry's name at (x, y), its lines `step` apart. */
  function legendText(it, x, y, step, attrs = {}) {
    const text = s("text", { class: "legend", x, y, ...attrs });
    it.lines.forEach((line, k) => text.append(s("tspan", { x, dy: k ? step : 0, text: line })));
    return text;
  }

  function scale(stops, t) {
    if (t === null || t === undefined || Number.isNaN(t)) return "#eceff2";
    t = Math.max(0, Math.min(1, t));
    const x = t * (stops.length - 1), i = Math.min(Math.floor(x), stops.length - 2), f = x - i;
    const c = stops[i].map((a, k) => Math.round(a + (stops[i + 1][k] - a) * f));
    return `rgb(${c[0]},${c[1]},${c[2]})`;
  }
  const reds = (t) => scale(REDS, t), blues = (t) => scale(BLUES, t);
  const inkOn = (t) => (t !== null && t !== undefined && t > 0.55 ? "#ffffff" : INK);

  /* A mark that opens something (its source, a page) is a button for the keyboard too: Tab reaches it, Enter or
     Space opens it, and its tooltip is its name. */
  function interactive(node, row) {
    const act = row.source !== undefined ? () => CS.showSource(row.source) : row.onClick || null;
    const tip = row.tip || (row.source ? CS.sourceTitle(row.source) : null);
    if (act) {
      node.setAttribute("cursor", "pointer");
      node.setAttribute("tabindex", "0");
      node.setAttribute("role", "button");
      node.addEventListener("click", act);
      node.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); act(); } });
    }
    if (tip) node.append(s("title", { text: tip }));
    return node;
  }

  /* Horizontal bars of shares in percent; unknown shares are drawn as such, never as zero. */
  function bars(rows, opts = {}) {
    // narrower than NARROW (a phone), each name on its own line(s) above its bar, the bars across the width
    const width = opts.width || 720, narrow = width < NARROW, top = 26;
    const labelW = narrow ? 14 : Math.min(280, Math.max(80, ...rows.map((r) => textWidth(r.label)))) + 12;
    const plotW = width - labelW - (narrow ? 56 : 90), max = opts.max || 100;
    const names = rows.map((r) => (narrow ? wrap(CS.readable(r.label), width - 16, 12) : [fit(r.label, labelW - 12)]));
    const rowH = names.map((l) => (narrow ? 14 * l.length + 22 : 24));
    const height = top + rowH.reduce((a, b) => a + b, 0) + 12;
    const root = svgRoot(width, height, opts.title);
    root.setAttribute("data-min-width", NARROW_MIN_WIDTH);
    for (const t of (narrow ? [0, 50, 100] : [0, 25, 50, 75, 100]).filter((v) => v <= max)) {
      const x = labelW + (plotW * t) / max;
      root.append(s("line", { x1: x, x2: x, y1: top - 6, y2: height - 8, stroke: GRID }),
        s("text", { x, y: top - 10, "text-anchor": "middle", fill: MUTED, "font-size": 11, text: `${t}%` }));
    }
    let yy = top;
    rows.forEach((r, i) => {
      const y = narrow ? yy + 14 * names[i].length : yy;
      yy += rowH[i];
      const g = interactive(s("g", { class: "bar" }), r);
      if (narrow) {
        const label = s("text", { x: 8, y: y - 14 * names[i].length + 12 });
        names[i].forEach((line, k) => label.append(s("tspan", { x: 8, dy: k ? 14 : 0, text: line })));
        g.append(label);
      } else g.append(s("text", { x: labelW - 8, y: y + 15, "text-anchor": "end", text: names[i][0] }));
      if (r.value === null || r.value === undefined) {
        g.append(s("rect", { x: labelW, y: y + 4, width: 60, height: 15, fill: "#f3f5f7", stroke: "#9aa8b6", "stroke-dasharray": "3 2" }),
          s("text", { x: labelW + 66, y: y + 15, fill: MUTED, "font-style": "italic", text: "share unknown" }));
      } else {
        const w = Math.max(1, (plotW * Math.min(r.value, max)) / max);
        g.append(s("rect", { x: labelW, y: y + 4, width: w, height: 15, rx: 2, fill: r.color || opts.color || PALETTE[0] }),
          s("text", { x: labelW + w + 6, y: y + 15, text: pct(r.value) }));
      }
      root.append(g);
    });
    return root;
  }

  /* Ranges in [0, 1] per row, one or more series: a band from lower to upper and a mark at 'mid'. */
  function ranges(rows, opts = {}) {
    // narrower than NARROW (a phone), each row's name on its own line(s) above its bands, the bands across the width
    const series = opts.series || ["value"], n = series.length;
    const width = opts.width || 720, narrow = width < NARROW, band = 14, gap = 10;
    const labelW = narrow ? 14 : Math.min(260, Math.max(60, ...rows.map((r) => textWidth(r.label)))) + 12;
    const names = rows.map((r) => (narrow ? wrap(CS.readable(r.label), width - 16, 12) : [fit(r.label, labelW - 12)]));
    const heads = names.map((l) => (narrow ? 14 * l.length + 2 : 0)), rowH = n * band + gap;
    const legendX = narrow ? 8 : Math.min(labelW, width / 3);
    const legend = legendLayout(n > 1 ? series : [], legendX, width - legendX - 8);
    const top = 26 + legend.rows * 20;
    const plotW = width - labelW - (narrow ? 84 : 110);
    const height = top + rows.length * rowH + heads.reduce((a, b) => a + b, 0) + 10;
    const root = svgRoot(width, height, opts.title);
    root.setAttribute("data-min-width", NARROW_MIN_WIDTH);
    legend.items.forEach((it, k) => root.append(s("rect", { x: it.x, y: 6 + it.row * 20, width: 12, height: 12, fill: PALETTE[k] }),
      legendText(it, it.x + 18, 16 + it.row * 20, 20)));
    const max = opts.max || 100, fmt = opts.format || ((v, d) => CS.share(v, d));
    for (const t of narrow ? [0, 0.5, 1] : [0, 0.25, 0.5, 0.75, 1]) {
      const x = labelW + plotW * t;
      root.append(s("line", { x1: x, x2: x, y1: top - 6, y2: height - 6, stroke: GRID }),
        // (narrow, the end ticks' names run inwards from the plot's edges, which lie near the chart's)
        s("text", { x, y: top - 10, "text-anchor": narrow && t === 0 ? "start" : narrow && t === 1 ? "end" : "middle", fill: MUTED, "font-size": 11, text: opts.format ? fmt(t * max) : `${t * 100}%` }));
    }
    let next = top;
    rows.forEach((r, i) => {
      const y = next + heads[i];
      next = y + rowH;
      if (narrow) {
        const label = s("text", { x: 8, y: y - heads[i] + 12 });
        names[i].forEach((line, k) => label.append(s("tspan", { x: 8, dy: k ? 14 : 0, text: line })));
        root.append(label);
      } else root.append(s("text", { x: labelW - 8, y: y + (n * band) / 2 + 4, "text-anchor": "end", text: names[i][0] }));
      r.values.forEach((v, k) => {
        const yy = y + k * band;
        const lo = v.lower ?? 0, hi = v.upper ?? lo;
        const text = opts.single || Math.abs(hi - lo) < 0.0005 * max ? fmt(hi, 1) : `${fmt(lo, 0)}–${fmt(hi, 0)}`;
        const g = interactive(s("g"), { tip: `${r.label} · ${series[k]}: ${text}`, onClick: r.onClick });
        const color = PALETTE[k % PALETTE.length];
        g.append(s("rect", { x: labelW + (plotW * lo) / max, y: yy + 2, width: Math.max(2, (plotW * (hi - lo)) / max), height: band - 4, fill: color, "fill-opacity": opts.single ? 0.8 : 0.35, stroke: color }));
        if (v.mid !== undefined && v.mid !== null) g.append(s("rect", { x: labelW + (plotW * v.mid) / max - 1.5, y: yy, width: 3, height: band, fill: color }));
        g.append(s("text", { x: labelW + plotW + 8, y: yy + band - 3, "font-size": 11, fill: MUTED, text }));
        root.append(g);
      });
    });
    return root;
  }

  /* A heatmap: rows (grouped) by columns; values are shares in percent (0-100). */
  function heatmap(spec) {
    // columns as wide as their headings (none cut), at least 92 px (wider when the chart is given a width to fill);
    // narrower than NARROW (a phone), each row's name on its own line(s) above its cells, the columns sharing the
    // width and their headings wrapped over lines
    const narrow = spec.width && spec.width < NARROW;
    const labelW = narrow ? 0 : Math.min(300, Math.max(100, ...spec.rows.map((r) => textWidth(r.label)))) + 14;
    const cellW = narrow ? (spec.width - 16) / spec.columns.length : Math.max(spec.cellWidth || 92,
      ...spec.columns.map((c) => textWidth(c, 11, 600) + 10), spec.width ? (spec.width - labelW - 20) / spec.columns.length : 0);
    const headings = spec.columns.map((c) => (narrow ? wrap(CS.readable(c), cellW - 6, 11, 600) : [fit(c, cellW - 4, 11, 600)]));
    const names = spec.rows.map((r) => (narrow ? wrap(CS.readable(r.label), spec.width - 16, 12) : [fit(r.label, labelW - 12)]));
    const cellH = 18, top = 64 + 13 * (Math.max(...headings.map((h) => h.length)) - 1), x0 = narrow ? 8 : labelW;
    const groups = [];
    spec.rows.forEach((r) => { if (!groups.length || groups[groups.length - 1].name !== r.group) groups.push({ name: r.group, rows: [] }); groups[groups.length - 1].rows.push(r); });
    const named = narrow ? names.reduce((h, l) => h + 14 * l.length, 0) : 0;
    const height = top + spec.rows.length * cellH + named + groups.length * 24 + 16;
    const legend = `100% ${spec.legend || ""}`.trim();
    // the colour scale's key: beside its "0%" wide; on a phone, from the left edge, its words under it when short of room
    const lx = narrow ? 28 : labelW, lw = narrow ? Math.min(120, spec.width / 3) : Math.min(220, spec.columns.length * cellW);
    const keyLines = narrow ? wrap(legend, spec.width - lx - lw - 14, 11) : [legend];
    const width = narrow ? spec.width : Math.max(labelW + spec.columns.length * cellW + 20, lx + lw + 6 + textWidth(legend, 11) + 8);
    const root = svgRoot(width, height + 13 * (keyLines.length - 1), spec.title);
    root.setAttribute("data-min-width", NARROW_MIN_WIDTH);
    const shift = s("g", { transform: `translate(0 ${13 * (keyLines.length - 1)})` });  // the chart under a key of several lines
    for (let i = 0; i < 20; i++) root.append(s("rect", { x: lx + (lw * i) / 20, y: 6, width: lw / 20 + 0.5, height: 10, fill: (spec.legendColor || reds)(i / 19) }));
    const key = s("text", { x: lx + lw + 6, y: 15, "font-size": 11, fill: MUTED });
    keyLines.forEach((line, k) => key.append(s("tspan", { x: lx + lw + 6, dy: k ? 13 : 0, text: line })));
    root.append(s("text", { x: lx - 6, y: 15, "text-anchor": "end", "font-size": 11, fill: MUTED, text: "0%" }), key, shift);
    spec.columns.forEach((c, j) => {
      const head = s("text", { x: x0 + j * cellW + cellW / 2, y: top - 10 - 13 * (headings[j].length - 1), "text-anchor": "middle", "font-size": 11, "font-weight": 600 });
      headings[j].forEach((line, k) => head.append(s("tspan", { x: x0 + j * cellW + cellW / 2, dy: k ? 13 : 0, text: line })));
      shift.append(head);
    });
    let y = top, index = 0;
    for (const g of groups) {
      shift.append(s("text", { x: 4, y: y + 16, "font-weight": 700, text: fit(g.name, width - 8, 12, 700) }));
      shift.append(s("line", { x1: 0, x2: width, y1: y + 21, y2: y + 21, stroke: GRID }));
      y += 24;
      for (const r of g.rows) {
        const lines = names[index++];
        // with `cells` (one {onClick, tip} per value), the row's name and each cell open things of their own (the
        // name: the row's page; a cell: the sources behind its figure); without, the whole row is one mark
        const row = r.cells ? s("g", { class: "heat-row" }) : interactive(s("g", { class: "heat-row" }), { onClick: r.onClick, tip: r.tip });
        const label = narrow ? s("text", { x: 8, y: y + 12 }) : s("text", { x: labelW - 8, y: y + 13, "text-anchor": "end", text: lines[0] });
        if (narrow) {
          lines.forEach((line, k) => label.append(s("tspan", { x: 8, dy: k ? 14 : 0, text: line })));
          y += 14 * lines.length;
        }
        row.append(r.cells ? interactive(label, { onClick: r.onClick, tip: r.tip }) : label);
        r.values.forEach((v, j) => {
          const t = v === null || v === undefined ? v : v / 100;  // the colour scales run over [0, 1]
          const color = (spec.colorFor || (() => reds))(j)(t);
          const cell = r.cells && r.cells[j] ? interactive(s("g", { class: "heat-cell" }), r.cells[j]) : row;
          cell.append(s("rect", { x: x0 + j * cellW + 1, y: y + 1, width: cellW - 2, height: cellH - 2, fill: color }),
            s("text", { x: x0 + j * cellW + cellW / 2, y: y + 13, "text-anchor": "middle", "font-size": 11, fill: inkOn(t), text: v === null || v === undefined ? "unknown" : CS.share(v, 0) }));
          if (cell !== row) row.append(cell);
        });
        shift.append(row);
        y += cellH;
      }
    }
    return root;
  }

  function year(d) { const [y, m, dd] = String(d).split("-").map(Number); return y + ((m || 1) - 1) / 12 + ((dd || 1) - 1) / 365; }
  /* A date on the axis at the last day it can mean ("2022-05" the 31st of May, "2022" the 31st of December), as the
     engine reads an end, or a relaxation's date, known only to the month or year (analyses.rule_standing), so that a
     stretch ending in a month never ends before a day of that month the standing names (a lifting from the 18th). */
  function yearEnd(d) {
    const [y, m, dd] = String(d).split("-").map(Number);
    if (dd) return year(d);
    return m ? year(`${y}-${m}-${new Date(Date.UTC(y, m, 0)).getUTCDate()}`) : year(`${y}-12-31`);
  }

  /* Rules on a time axis, grouped by imposer, coloured by kind. Wide, each rule's name left of its bar; narrower
     than NARROW (a phone), each name above its bar, the bars spanning the whole width, so that the chart fits its box
     down to TIMELINE_MIN_WIDTH without scrolling sideways. Years are named as often as their names fit. */
  const NARROW = 640, TIMELINE_MIN_WIDTH = 300, TRAJECTORY_MIN_WIDTH = 300, NARROW_MIN_WIDTH = 300;
  function timeline(rules, opts = {}) {
    const dated = rules.filter((r) => r.start);
    const now = new Date(), today = now.getFullYear() + now.getMonth() / 12;
    const y0 = Math.floor(Math.min(...dated.map((r) => year(r.start)), today - 1));
    const y1 = Math.ceil(Math.max(today, ...dated.map((r) => (r.ended ? yearEnd(r.ended) : today))) + 0.05);
    const allKinds = opts.kinds || [...new Set(dated.map((r) => r.kind))].sort();  // stable colours across filters
    const kinds = allKinds.filter((k) => dated.some((r) => r.kind === k));
    const color = (k) => PALETTE[allKinds.indexOf(k) % PALETTE.length];
    const width = opts.width || 1100, narrow = width < NARROW;
    const row = narrow ? 30 : 17, labelW = narrow ? 8 : Math.min(340, Math.round(width * 0.36));
    const plotW = width - labelW - (narrow ? 16 : 20);
    const legend = legendLayout(kinds.map((k) => k.replace(/_/g, " ")), labelW, width - labelW - 8);
    const legendH = 22 * legend.rows, top = legendH + 34;
    const groups = {};
    for (const r of dated) (groups[r.imposed_by] = groups[r.imposed_by] || []).push(r);
    const names = Object.keys(groups).sort((a, b) => groups[b].length - groups[a].length || a.localeCompare(b));
    const height = top + dated.length * row + names.length * 20 + 10;
    const root = svgRoot(width, height, opts.title);
    root.setAttribute("data-min-width", TIMELINE_MIN_WIDTH);
    kinds.forEach((k, i) => {
      const it = legend.items[i], y = 6 + 22 * it.row;
      root.append(s("rect", { x: it.x, y, width: 12, height: 12, fill: color(k) }), legendText(it, it.x + 18, y + 11, 22));
    });
    const X = (t) => labelW + ((t - y0) / (y1 - y0)) * plotW;
    // a year named every `step` years: as often as a name (about 32 px) fits
    const step = Math.max(1, Math.ceil(34 / (plotW / Math.max(1, y1 - y0))));
    for (let t = y0; t <= y1; t++) {
      root.append(s("line", { x1: X(t), x2: X(t), y1: top - 8, y2: height - 6, stroke: GRID }));
      // (narrow, the first year at the chart's edge is left unnamed: its name centred there would be cut)
      if ((t - y0) % step === 0 && !(narrow && t === y0)) root.append(s("text", { x: X(t), y: top - 12, "text-anchor": "middle", fill: MUTED, "font-size": 11, text: String(t) }));
    }
    root.append(s("line", { x1: X(today), x2: X(today), y1: top - 8, y2: height - 6, stroke: "#d6604d", "stroke-dasharray": "4 3" }));
    let y = top;
    for (const name of names) {
      const who = groups[name][0].imposed_by_name || name;  // the imposer by its name, its code only without one
      root.append(s("text", { x: 4, y: y + 14, "font-weight": 700, text: fit(who, (narrow ? width : labelW) - 12, 12, 700) }));
      y += 20;
      for (const r of groups[name].sort((a, b) => year(a.start) - year(b.start))) {
        // the rule's stretches as relaxations of it start and end (opts: its `standing`), else start to end
        const stretches = r.standing && r.standing.length ? r.standing : [{ from: r.start, to: r.ended, state: "in force" }];
        const until = r.held_until || r.ended, changes = stretches.map((st) => st.note).filter(Boolean);
        const g = interactive(s("g", { class: "rule-bar" }), { onClick: opts.onClick ? () => opts.onClick(r) : null,
          tip: [`${r.id}: ${r.name}`, `${r.start} – ${until || "no end recorded"} · ${r.kind.replace(/_/g, " ")} · ${r.policy ? r.policy.replace(/_/g, " ") : "no policy"}`, ...changes].join("\n") });
        const name = `${r.id} · ${r.name}`;
        const top = narrow ? y + 15 : y + 3, h = narrow ? row - 19 : row - 6;
        if (narrow) g.append(s("text", { x: labelW, y: y + 11, "font-size": 11, text: fit(name, width - 2 * labelW, 11) }));
        else g.append(s("text", { x: labelW - 8, y: y + 12, "text-anchor": "end", "font-size": 11, text: fit(name, labelW - 12, 11) }));
        stretches.forEach((st, k) => {
          // as the engine dates them: the rule's start on its first day, a relaxation's dates (where a stretch
          // changes) and every end on their last
          const from = k === 0 && r.kind !== "relaxation" ? year(st.from) : yearEnd(st.from);
          const x0 = X(from), end = st.to || r.ended, x1 = end ? X(Math.max(from, yearEnd(end))) : X(today);
          const w = k === 0 ? Math.max(4, x1 - x0) : Math.max(0, x1 - x0);
          // lifted: a dotted line where the bar would be; narrowed: a pale stretch; in force: the bar
          if (st.state === "lifted") g.append(s("line", { class: "lifted", x1: x0, x2: x0 + w, y1: top + h / 2, y2: top + h / 2, stroke: color(r.kind), "stroke-width": 1.5, "stroke-dasharray": "2 3" }));
          else g.append(s("rect", { class: st.state === "narrowed" ? "narrowed" : "held", x: x0, y: top, width: w, height: h, rx: 2, fill: color(r.kind),
            "fill-opacity": st.state === "narrowed" ? 0.3 : r.ended || (r.kind === "relaxation" && until) ? 0.45 : 0.9, stroke: st.state === "narrowed" ? color(r.kind) : "none", "stroke-dasharray": "3 2" }));
        });
        root.append(g);
        y += row;
      }
    }
    return root;
  }

  /* Lines with bands (lower-upper) per series over years; values are shares in percent (0-100). */
  /* Series of a bands chart whose bounds are the same at every point (sameSeries): drawn as one line, named as all
     of them and "(the same in every year shown)", so that no line hides another unsaid. */
  function sameSeries(points, series) {
    const equal = (a, b) => points.every((p) => Math.abs((p[a.lower] ?? 0) - (p[b.lower] ?? 0)) < 1e-9
      && Math.abs((p[a.upper] ?? 0) - (p[b.upper] ?? 0)) < 1e-9);
    return series.length > 1 && points.length > 0 && series.every((ser) => equal(ser, series[0]));
  }

  function bands(points, series, opts = {}) {
    // with opts.same (what a point is: "year"), series that coincide at every point are drawn once, under all their
    // names (sameSeries)
    if (opts.same && sameSeries(points, series)) series = [{ ...series[0], name: `${series.map((ser) => ser.name).join(" and ")} (the same in every ${opts.same} shown)` }];
    // with opts.labels the x values are positions 0, 1, ... named by the labels (dates of a series)
    const name = (x) => (opts.labels ? String(opts.labels[x]) : String(x));
    const widest = Math.max(0, ...points.map((p) => textWidth(name(p.x), 11))) + 10;
    // room on the right for half the last date's name (it is centred on its point)
    const width = opts.width || 720, left = 50, right = Math.max(20, Math.ceil(widest / 2)), bottom = 30;
    // the legend in rows from the left edge (a phone's width holds fewer names a row)
    const legend = legendLayout(series.map((ser) => ser.name), width < NARROW ? 8 : left, width - (width < NARROW ? 16 : left + right));
    const top = 50 + (legend.rows - 1) * 20, height = (opts.height || 300) + (legend.rows - 1) * 20;
    const root = svgRoot(width, height, opts.title);
    root.setAttribute("data-min-width", NARROW_MIN_WIDTH);
    const xs = points.map((p) => p.x);
    const X = (x) => left + (xs.length < 2 ? 0.5 : (x - xs[0]) / (xs[xs.length - 1] - xs[0])) * (width - left - right);
    const Y = (v) => top + (1 - v / 100) * (height - top - bottom);
    for (const t of [0, 25, 50, 75, 100]) root.append(s("line", { x1: left, x2: width - right, y1: Y(t), y2: Y(t), stroke: GRID }),
      s("text", { x: left - 6, y: Y(t) + 4, "text-anchor": "end", "font-size": 11, fill: MUTED, text: `${t}%` }));
    // every k-th date named, so that the names never run into each other
    const k = Math.max(1, Math.ceil((xs.length * widest) / Math.max(1, width - left - right)));
    xs.forEach((x, i) => { if (i % k === 0) root.append(s("text", { x: X(x), y: height - 10, "text-anchor": "middle", "font-size": 11, fill: MUTED, text: name(x) })); });
    series.forEach((ser, k) => {
      // each series drawn wider than the next (as svg.bands draws it: 2.5 px a series), so that where two meet the one
      // under shows round the one over it, never hidden by it
      const c = PALETTE[k % PALETTE.length], wider = 2.5 * (series.length - 1 - k);
      const upper = points.map((p) => `${X(p.x)},${Y(p[ser.upper])}`), lower = points.map((p) => `${X(p.x)},${Y(p[ser.lower])}`).reverse();
      // a line at 0% or 100% inside the plot by half its width, not astride the axis (as svg.bands draws it)
      const inside = (y) => Math.min(Math.max(y, Y(100) + (2 + wider) / 2), Y(0) - (2 + wider) / 2);
      root.append(s("polygon", { points: [...upper, ...lower].join(" "), fill: c, "fill-opacity": 0.18, stroke: "none" }),
        s("polyline", { points: points.map((p) => `${X(p.x)},${inside(Y(p[ser.upper]))}`).join(" "), fill: "none", stroke: c, "stroke-width": 2 + wider }),
        s("polyline", { points: points.map((p) => `${X(p.x)},${inside(Y(p[ser.lower]))}`).join(" "), fill: "none", stroke: c, "stroke-width": 2 + wider, "stroke-dasharray": "5 3" }));
      for (const p of points) root.append(interactive(s("circle", { cx: X(p.x), cy: Y(p[ser.upper]), r: 3.5 + wider / 2, fill: c }),
        { onClick: p.onClick ? () => p.onClick(ser) : null, tip: `${ser.name} ${name(p.x)}: ${CS.share(p[ser.lower])} – ${CS.share(p[ser.upper])}` }));
      const it = legend.items[k];
      root.append(s("rect", { x: it.x, y: 8 + it.row * 20, width: 12, height: 12, fill: c }), legendText(it, it.x + 18, 18 + it.row * 20, 20));
    });
    root.append(s("text", { x: width - right, y: top - 12, "text-anchor": "end", "font-size": 11, fill: MUTED, text: "solid: upper bound · dashed: lower bound" }));
    return root;
  }

  /* Lines over time, shares in percent (0-100): each line its points {x (a year, fractions for quarters), label, lower, upper}; a solid
     line through the lower bounds, a dashed one through the upper where they differ; ticks at whole years; the legend
     beside the plot, names whole. A point with onClick opens something (Tab and Enter too). */
  function lines(series, opts = {}) {
    // narrower than NARROW (a phone), the legend under the plot, which takes the whole width
    const width = opts.width || 720, narrow = width < NARROW, left = 50, right = narrow ? 16 : 200, top = 16, bottom = 30;
    const names = series.map((ser) => wrap(CS.readable(ser.name), narrow ? width - 40 : right - 40, 11));
    const legendH = names.reduce((h, l) => h + 18 + (l.length - 1) * 13, 0);
    const plotH = narrow ? (opts.height || 300) : Math.max(opts.height || 300, top + legendH + 10);
    const height = plotH + (narrow ? legendH + 8 : 0);
    const root = svgRoot(width, height, opts.title);
    root.setAttribute("data-min-width", NARROW_MIN_WIDTH);
    const xs = series.flatMap((ser) => ser.points.map((p) => p.x));
    const x0 = Math.floor(Math.min(...xs)), x1 = Math.max(x0 + 1, Math.ceil(Math.max(...xs) + 0.01));
    const X = (x) => left + ((x - x0) / (x1 - x0)) * (width - left - right);
    const Y = (v) => top + (1 - v / 100) * (plotH - top - bottom);
    for (const t of [0, 25, 50, 75, 100]) root.append(s("line", { x1: left, x2: width - right, y1: Y(t), y2: Y(t), stroke: GRID }),
      s("text", { x: left - 6, y: Y(t) + 4, "text-anchor": "end", "font-size": 11, fill: MUTED, text: `${t}%` }));
    const step = Math.max(1, Math.ceil(((x1 - x0) * 40) / (width - left - right)));
    for (let t = x0; t <= x1; t += step) root.append(s("text", { x: X(t), y: plotH - 10, "text-anchor": "middle", "font-size": 11, fill: MUTED, text: String(t) }));
    let ly = narrow ? plotH + 8 : top;
    series.forEach((ser, k) => {
      const c = PALETTE[k % PALETTE.length], P = ser.points.slice().sort((a, b) => a.x - b.x);
      root.append(s("polyline", { class: "lower", points: P.map((p) => `${X(p.x)},${Y(p.lower)}`).join(" "), fill: "none", stroke: c, "stroke-width": 2 }));
      if (P.some((p) => p.upper !== p.lower)) root.append(s("polyline", { points: P.map((p) => `${X(p.x)},${Y(p.upper)}`).join(" "), fill: "none", stroke: c, "stroke-width": 1, "stroke-dasharray": "4 3" }));
      for (const p of P) root.append(interactive(s("circle", { class: "point", cx: X(p.x), cy: Y(p.lower), r: 3.5, fill: c }),
        { onClick: p.onClick, tip: `${ser.name}, ${p.label}: ${CS.share(p.lower)}${p.upper !== p.lower ? ` to ${CS.share(p.upper)}` : ""}${p.note ? ` (${p.note})` : ""}` }));
      const x = narrow ? 8 : width - right + 14;
      root.append(s("line", { x1: x, x2: x + 16, y1: ly, y2: ly, stroke: c, "stroke-width": 2 }));
      const text = s("text", { class: "legend", x: x + 22, y: ly + 4, "font-size": 11 });
      names[k].forEach((line, i) => text.append(s("tspan", { x: x + 22, dy: i ? 13 : 0, text: line })));
      root.append(text);
      ly += 18 + (names[k].length - 1) * 13;
    });
    return root;
  }

  function niceMax(v) {
    if (!(v > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v))), m = v / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
  }
  const fmt = (v, unit) => (v === null || v === undefined ? "—" : unit === "%" ? pct(v) : CS.num(Number(v).toPrecision(4)));
  // an axis tick with the fewest decimals that print every multiple of the axis's step exactly (0.25 -> 2, 5 -> 0),
  // so that the ticks of one axis read alike ("0.25, 0.50, 0.75", "100%"), as the chart files write them
  // (reports.labels.tick); never "-0"
  const tickDecimals = (step) => { for (let d = 0; d < 6; d++) { const x = Math.abs(step) * 10 ** d; if (Math.abs(x - Math.round(x)) < 1e-6 * Math.max(1, x)) return d; } return 6; };
  const tickText = (v, unit, step) => {
    const d = tickDecimals(step), text = (Math.abs(v) < 0.5 * 10 ** -d ? 0 : v).toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
    return unit === "%" ? `${text}%` : text;
  };

  /* Trajectories over years: per series a value line and (when given) a p5-p95 band; published estimates as
     points (publisher in the tooltip, click for the source); observations the model was fitted to circled.
     With opts.labels the x values are positions 0, 1, ... named by the labels (e.g. quarters); with opts.time they are
     times in years on a time axis (a published point then names its period by its label). */
  function trajectory(series, opts = {}) {
    // narrower than NARROW (a phone) the legend goes under the plot, which takes the whole width: the chart then
    // fits a phone's screen (down to TRAJECTORY_MIN_WIDTH) instead of hiding its legend past the box's edge
    const width = opts.width || 720, narrow = width < NARROW;
    const height = opts.height || 320, left = 64, right = narrow ? 24 : 190, top = 34, bottom = 30;
    const root = svgRoot(width, height, opts.title);
    root.setAttribute("data-min-width", TRAJECTORY_MIN_WIDTH);
    const name = (x) => (opts.labels ? String(opts.labels[x]) : String(x));
    const pts = series.flatMap((ser) => ser.points), pub = opts.published || [], obs = opts.observed || [];
    const xs = [...new Set([...pts, ...pub].map((p) => p.x))].sort((a, b) => a - b);
    const drawn = Math.max(0, ...pts.map((p) => Math.max(p.value ?? 0, p.median ?? 0)), ...pub.map((p) => p.value), ...obs.map((p) => p.value));
    const highest = Math.max(drawn, ...pts.map((p) => p.p95 ?? 0));
    // opts.band: the value axis the server gives (labels.band_axis, the rule of the files and the report too): a band
    // wider than it allows is cut at the axis's top and the plot says where its top is; without it the axis takes the
    // whole band (a share in percent never needs an axis past 100%)
    const band = opts.band && opts.band.top >= drawn ? opts.band : null;
    const top_v = band ? band.top : opts.unit === "%" && highest <= 100 ? Math.min(100, niceMax(highest * 1.05)) : niceMax(highest * 1.05);
    // with opts.time the x values are times in years (2024.625: the middle of 2024Q3) on a time axis from the first
    // whole year to the last, each year named in its middle; else each distinct x is a step, named by itself
    const lo = opts.time ? Math.floor(Math.min(...xs)) : xs[0];
    const hi = opts.time ? Math.max(lo + 1, Math.ceil(Math.max(...xs))) : xs[xs.length - 1];
    const X = (x) => left + (opts.time || xs.length > 1 ? (x - lo) / (hi - lo) : 0.5) * (width - left - right);
    const Y = (v) => top + (1 - Math.min(v, top_v) / top_v) * (height - top - bottom);
    // each step a nice number (labels.tick_steps: 4 steps of an axis to 1 or 2 times a power of ten, 5 to 2.5 or 5)
    const mant = top_v / Math.pow(10, Math.floor(Math.log10(top_v) + 1e-9)), steps = Math.abs(mant - 2.5) < 1e-6 || Math.abs(mant - 5) < 1e-6 ? 5 : 4;
    for (let i = 0; i <= steps; i++) {
      const t = (top_v * i) / steps;
      root.append(s("line", { x1: left, x2: width - right, y1: Y(t), y2: Y(t), stroke: GRID }),
        s("text", { x: left - 6, y: Y(t) + 4, "text-anchor": "end", "font-size": 11, fill: MUTED, text: tickText(t, opts.unit, top_v / steps) }));
    }
    if (opts.time) {
      const step = Math.max(1, Math.ceil(36 / ((width - left - right) / (hi - lo))));
      for (let t = lo; t <= hi; t++) {
        root.append(s("line", { x1: X(t), x2: X(t), y1: top, y2: height - bottom, stroke: GRID }));
        if (t < hi && (t - lo) % step === 0) root.append(s("text", { x: X(t + 0.5), y: height - 10, "text-anchor": "middle", "font-size": 11, fill: MUTED, text: String(t) }));
      }
    } else {
      // every k-th label when they would run into each other (about 7 px a character at this size)
      // (named steps only: a figure of a longer period stands between its steps' names)
      const steps = opts.labels ? xs.filter((x) => Number.isInteger(x)) : xs;
      const every = Math.max(1, Math.ceil((steps.length * (Math.max(...steps.map((x) => name(x).length), 1) * 7 + 8)) / (width - left - right)));
      steps.forEach((x, i) => { if (i % every === 0) root.append(s("text", { x: X(x), y: height - 10, "text-anchor": "middle", "font-size": 11, fill: MUTED, text: name(x) })); });
    }
    if (band && band.clipped && band.note) root.append(s("text", { class: "off-scale", x: width - right - 4, y: top + 12, "text-anchor": "end", "font-size": 11, fill: INK, stroke: "#fff", "stroke-width": 3, "paint-order": "stroke", text: `▲ ${band.note}` }));
    if (opts.ylabel) root.append(s("text", { x: 8, y: 16, "font-size": 11, fill: MUTED, text: fit(opts.ylabel, width - 16, 11) }));
    // opts.dataEnd ({x, label, note}): where a linked run's sourced data end (the chart text's data_end:
    // labels.data_end), a dashed rule half a step after the last quarter with sourced values, as the files and the
    // report mark it; its label a line lower under the note of a band cut at the axis
    if (opts.dataEnd) {
      const d = opts.dataEnd, y = top + (band && band.clipped && band.note ? 28 : 12);
      root.append(s("g", { class: "data-end" }, s("title", { text: d.note }),
        s("line", { x1: X(d.x), x2: X(d.x), y1: top, y2: height - bottom, stroke: MUTED, "stroke-width": 1, "stroke-dasharray": "4 3" }),
        s("text", { x: X(d.x), y, "text-anchor": "middle", "font-size": 11, fill: INK, stroke: "#fff", "stroke-width": 3, "paint-order": "stroke", text: d.label })));
    }
    const legend = [];
    series.forEach((ser, k) => {
      const c = ser.color || (opts.colours || {})[ser.name] || PALETTE[k % PALETTE.length], P = ser.points.filter((p) => p.value !== null && p.value !== undefined);
      const banded = P.filter((p) => p.p5 !== undefined && p.p95 !== undefined && p.p5 !== null);
      if (banded.length) {
        const up = banded.map((p) => `${X(p.x)},${Y(p.p95)}`), lo = banded.map((p) => `${X(p.x)},${Y(p.p5)}`).reverse();
        root.append(interactive(s("polygon", { class: "band", points: [...up, ...lo].join(" "), fill: c, "fill-opacity": 0.18, stroke: "none" }),
          { tip: `${ser.name}: 5–95% of the draws` }));
        legend.push([c, "band", `${ser.name}: 5–95% of draws`]);
        if (banded.every((p) => p.median !== undefined && p.median !== null)) {
          root.append(s("polyline", { points: banded.map((p) => `${X(p.x)},${Y(p.median)}`).join(" "), fill: "none", stroke: c, "stroke-width": 1, "stroke-dasharray": "4 3" }));
          legend.push([c, "dash", `${ser.name}: median of draws`]);
        }
      }
      root.append(s("polyline", { class: "value-line", points: P.map((p) => `${X(p.x)},${Y(p.value)}`).join(" "), fill: "none", stroke: c, "stroke-width": 2.2 }));
      // a model point with onClick opens what it rests on (mouse, or Tab and Enter)
      for (const p of P) root.append(interactive(s("circle", { class: "model-point", cx: X(p.x), cy: Y(p.value), r: 3.5, fill: c }),
        { onClick: p.onClick ? () => p.onClick(ser) : null, tip: `${ser.name} ${name(p.x)}: ${fmt(p.value, opts.unit)}` + (p.p5 !== undefined && p.p5 !== null ? ` (5–95%: ${fmt(p.p5, opts.unit)} – ${fmt(p.p95, opts.unit)})` : "") }));
      legend.push([c, "line", ser.name]);
    });
    // the model's value for a year or fiscal year (opts.spans: {from, to, value, label}), across the steps it spans
    const spanColor = series.length ? series[0].color || (opts.colours || {})[series[0].name] || PALETTE[0] : PALETTE[0];
    // a wide light bar behind the quarterly line (palette.SPAN_WIDTH, SPAN_OPACITY), a halo round it where they are equal
    const firstLine = root.querySelector(".value-line");
    for (const sp of opts.spans || []) root.insertBefore(interactive(s("line", { class: "model-span", x1: X(sp.from) - 6, x2: X(sp.to) + 6, y1: Y(sp.value), y2: Y(sp.value), stroke: spanColor, "stroke-width": 10, "stroke-opacity": 0.3 }),
      { onClick: sp.onClick || null, tip: `model, ${sp.label}: ${fmt(sp.value, opts.unit)}` }), firstLine);
    if ((opts.spans || []).length) legend.push([spanColor, "span", "model, for a year or fiscal year (across its quarters)"]);
    // published points are coloured by their group when they have one (a product), else by their publisher: the
    // run's colour of it (a point's own p.color, else opts.colours by name), by position only where the run gives
    // none; the points of one x stand side by side, 9 px apart, so that none hides another
    const key = (p) => p.group || p.publisher;
    const publishers = [...new Set(pub.map(key))];
    const shade = Object.fromEntries(publishers.map((name, k) => [name, (pub.find((p) => key(p) === name && p.color) || {}).color
      || (opts.colours || {})[name] || PALETTE[(series.length + k) % PALETTE.length]]));
    const pubColor = (name) => shade[name];
    // and its shape by the run's cue of it (a point's own p.cue, else opts.cues by name; a diamond while the
    // palette's colours suffice)
    const cueOf = Object.fromEntries(publishers.map((name) => [name, (pub.find((p) => key(p) === name && p.cue) || {}).cue
      || (opts.cues || {})[name] || 0]));
    const atX = {}, slot = (width - left - right) / Math.max(1, opts.time ? 4 * (hi - lo) : xs.length - 1);
    for (const p of pub) (atX[p.x] = atX[p.x] || []).push(p);
    for (const p of pub) {
      // (a figure of a longer period, between steps, has the room of the steps it spans)
      const same = atX[p.x], step = Math.min(9, (slot * (Number.isInteger(p.x) || opts.time ? 0.5 : 3)) / Math.max(1, same.length - 1));
      const cx = X(p.x) + (same.indexOf(p) - (same.length - 1) / 2) * step, cy = Y(p.value);
      // (a figure of a longer period than the line's, p.hollow, is drawn hollow; p.tip: its own label)
      root.append(interactive(pointMark(cx, cy, p.hollow ? "#fff" : pubColor(key(p)), p.hollow ? pubColor(key(p)) : "#fff", cueOf[key(p)], "published"),
      { source: p.source || undefined, tip: p.tip || `${p.group ? `${p.group}: ` : ""}${p.publisher}, ${p.label || name(p.x)}: ${fmt(p.value, opts.unit)}${p.status ? ` (${p.status})` : ""}` }));
    }
    for (const name of publishers) legend.push([pubColor(name), "diamond", name, cueOf[name]]);
    // (the words of labels.OTHER_BASIS_LEGEND, as the files and the report say it)
    if (pub.some((p) => p.hollow)) legend.push([MUTED, "hollow", "hollow: a figure for a whole year or fiscal year, not one quarter"]);
    for (const o of obs.filter((o) => o.fitted)) root.append(interactive(s("circle", { class: "observed", cx: X(o.x), cy: Y(o.value), r: 8, fill: "none", stroke: INK, "stroke-width": 1.5 }),
      { source: o.source || undefined, tip: `fitted to: ${o.label || name(o.x)} observed ${fmt(o.value, opts.unit)}` }));
    if (obs.some((o) => o.fitted)) legend.push([INK, "ring", "observation fitted to"]);
    // the legend beside the plot: each name whole, on up to six lines (then cut, whole in its tooltip); the
    // picture grows downwards when the legend is longer than the plot is high
    let y = narrow ? height + 4 : top;
    legend.forEach(([c, kind, label, cue]) => {
      const x = narrow ? 8 : width - right + 14, room = narrow ? width - 40 : right - 40;
      const lines = wrap(CS.readable(label), room, 11);
      const cut = lines.length > 6;  // marked as cut (a name may end in "…" of its own: a case's title)
      if (cut) lines.splice(5, lines.length - 5, fit(lines.slice(5).join(" "), room, 11));
      if (kind === "band") root.append(s("rect", { x, y: y - 6, width: 16, height: 10, fill: c, "fill-opacity": 0.25 }));
      else if (kind === "dash") root.append(s("line", { x1: x, x2: x + 16, y1: y, y2: y, stroke: c, "stroke-dasharray": "4 3" }));
      else if (kind === "line") root.append(s("line", { x1: x, x2: x + 16, y1: y, y2: y, stroke: c, "stroke-width": 2.2 }));
      else if (kind === "span") root.append(s("line", { x1: x, x2: x + 16, y1: y, y2: y, stroke: c, "stroke-width": 10, "stroke-opacity": 0.3 }));
      else if (kind === "hollow") root.append(s("rect", { x: x + 4, y: y - 4, width: 8, height: 8, fill: "#fff", stroke: c, "stroke-width": 1.5, transform: `rotate(45 ${x + 8} ${y})` }));
      else if (kind === "diamond") root.append(pointMark(x + 8, y, c, c, cue));
      else root.append(s("circle", { cx: x + 8, cy: y, r: 6, fill: "none", stroke: c, "stroke-width": 1.5 }));
      const text = s("text", { class: "legend", x: x + 22, y: y + 4, "font-size": 11, "data-cut": cut ? "true" : null });
      lines.forEach((line, k) => text.append(s("tspan", { x: x + 22, dy: k ? 13 : 0, text: line })));
      root.append(interactive(text, { tip: label }));
      y += 18 + (lines.length - 1) * 13;
    });
    if (y > height - 10) {
      root.setAttribute("height", y + 10);
      root.setAttribute("viewBox", `0 0 ${width} ${y + 10}`);
      root.querySelector(":scope > rect").setAttribute("height", y + 10);
    }
    return root;
  }

  /* Stacked shares (in percent) by year: rows [{x, parts: [{name, value}]}]; opts.colours: each part's colour by
     name (the run's), else by position. */
  function stack(rows, opts = {}) {
    // narrower than NARROW (a phone), the legend under the bars, as a trajectory's
    const width = opts.width || 720, narrow = width < NARROW;
    const height = opts.height || 320, left = 50, right = narrow ? 16 : 150, top = 24, bottom = 30;
    const root = svgRoot(width, height, opts.title);
    root.setAttribute("data-min-width", TRAJECTORY_MIN_WIDTH);
    const names = [...new Set(rows.flatMap((r) => r.parts.map((p) => p.name)))];
    const shade = (name) => (opts.colours || {})[name] || PALETTE[names.indexOf(name) % PALETTE.length];
    const Y = (v) => top + (1 - v / 100) * (height - top - bottom);
    const slot = (width - left - right) / Math.max(1, rows.length), barW = Math.min(56, slot * 0.7);
    for (const t of [0, 25, 50, 75, 100]) root.append(s("line", { x1: left, x2: width - right, y1: Y(t), y2: Y(t), stroke: GRID }),
      s("text", { x: left - 6, y: Y(t) + 4, "text-anchor": "end", "font-size": 11, fill: MUTED, text: `${t}%` }));
    rows.forEach((r, i) => {
      const cx = left + slot * (i + 0.5);
      let acc = 0;
      for (const p of r.parts) {
        const c = shade(p.name), v = Math.max(0, p.value || 0);
        root.append(interactive(s("rect", { class: "stack-part", x: cx - barW / 2, y: Y(acc + v), width: barW, height: Math.max(0, Y(acc) - Y(acc + v)), fill: c }),
          { onClick: p.onClick || null, tip: `${p.name} ${r.x}: ${pct(v)}` }));
        root.append(...stripes(cx - barW / 2, Y(acc + v), barW, Math.max(0, Y(acc) - Y(acc + v)), (opts.cues || {})[p.name]));
        acc += v;
      }
      root.append(s("text", { x: cx, y: height - 10, "text-anchor": "middle", "font-size": 11, fill: MUTED, text: String(r.x) }));
    });
    // the legend: each name whole, on as many lines as it needs, top down as the stack shows the parts (the first
    // part is drawn at the bottom)
    let ly = narrow ? height + 4 : top;
    const lx = narrow ? 8 : width - right + 14, room = narrow ? width - 40 : right - 36;
    names.slice().reverse().forEach((n) => {
      const lines = wrap(CS.readable(n), room, 11), text = s("text", { class: "legend", x: lx + 18, y: ly + 4, "font-size": 11 });
      lines.forEach((line, i) => text.append(s("tspan", { x: lx + 18, dy: i ? 13 : 0, text: line })));
      root.append(s("rect", { x: lx, y: ly - 6, width: 12, height: 12, fill: shade(n) }), ...stripes(lx, ly - 6, 12, 12, (opts.cues || {})[n]), interactive(text, { tip: n }));
      ly += 18 + (lines.length - 1) * 13;
    });
    if (ly > height - 10) {
      root.setAttribute("height", ly + 10);
      root.setAttribute("viewBox", `0 0 ${width} ${ly + 10}`);
      root.querySelector(":scope > rect").setAttribute("height", ly + 10);
    }
    return root;
  }

  function serialize(svg) { return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(svg); }

  function toPng(svg, filename) {
    const w = Number(svg.getAttribute("width")), h = Number(svg.getAttribute("height"));
    const img = new Image();
    img.onload = () => {
      const canvas = document.createElement("canvas");
      canvas.width = w * 2; canvas.height = h * 2;
      const ctx = canvas.getContext("2d");
      ctx.scale(2, 2); ctx.drawImage(img, 0, 0, w, h);
      canvas.toBlob((blob) => CS.download(filename + ".png", blob), "image/png");
    };
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(serialize(svg));
  }

  /* The lines of `text` that fit `px` at `size`, broken between words. */
  function wrap(text, px, size, weight = "normal") {
    const lines = [];
    let line = "";
    for (const word of String(text).split(/\s+/).filter(Boolean)) {
      const next = line ? `${line} ${word}` : word;
      if (line && textWidth(next, size, weight) > px) { lines.push(line); line = word; } else line = next;
    }
    if (line) lines.push(line);
    return lines;
  }

  /* A footer under the chart, inside the picture so the SVG and PNG downloads carry it: what the chart's figures
     rest on (scenario, date, sources). */
  function addFooter(svg, footer) {
    if (!footer) return;
    const w = Number(svg.getAttribute("width")), h = Number(svg.getAttribute("height"));
    const lines = wrap(CS.readable(footer), w - 16, 10);
    lines.forEach((line, i) => svg.append(s("text", { class: "footer", x: 8, y: h + 10 + i * 13, "font-size": 10, fill: MUTED, text: line })));
    const height = h + 8 + lines.length * 13;
    svg.setAttribute("height", height);
    svg.setAttribute("viewBox", `0 0 ${w} ${height}`);
    const background = svg.querySelector(":scope > rect");
    if (background) background.setAttribute("height", height);
  }

  /* The chart's title (its name for readers), shown above it inside the picture, wrapped to its width, so the
     SVG and PNG downloads say what they show; the chart itself moves down to make room. */
  function addTitle(svg) {
    const title = svg.getAttribute("aria-label");
    if (!title || title === "chart") return;
    const w = Number(svg.getAttribute("width")), h = Number(svg.getAttribute("height"));
    const lines = wrap(CS.readable(title), w - 16, 13, "bold"), room = lines.length * 17 + 8;
    const plot = s("g", { class: "plot", transform: `translate(0 ${room})` });
    const background = svg.querySelector(":scope > rect");
    for (const child of [...svg.childNodes]) if (child !== background && child.nodeName !== "title") plot.append(child);
    lines.forEach((line, i) => svg.append(s("text", { class: "chart-title", x: 8, y: 18 + i * 17, "font-size": 13, "font-weight": 700, text: line })));
    svg.append(plot);
    svg.setAttribute("height", h + room);
    svg.setAttribute("viewBox", `0 0 ${w} ${h + room}`);
    if (background) background.setAttribute("height", h + room);
  }

  /* A chart drawn again at another width: each chart function's picture keeps how to redraw itself. */
  function redrawable(draw, at) {
    return (...args) => {
      const svg = draw(...args);
      svg.redraw = (width) => { const again = [...args]; again[at] = { ...(again[at] || {}), width }; return draw(...again); };
      return svg;
    };
  }

  /* Charts are drawn as wide as their box, each laying itself out for the width it has (a phone's: names above
     their bars, legends under the plot, fewer ticks), down to its data-min-width (300 px): a box as narrow as a
     phone's (390 px wide) holds every chart whole, its text at the size drawn, without scrolling sideways. A
     picture that declares no least width is drawn no narrower than this (its box would then scroll sideways). */
  const MIN_WIDTH = 480;

  /* The title, footer and keyboard names of a chart as `box` shows it. */
  function finish(svg, footer) {
    addTitle(svg);
    addFooter(svg, footer);
    // a picture with marks to press inside is a group, not an image (an image's insides are hidden from readers)
    if (svg.querySelector("[tabindex]")) svg.setAttribute("role", "group");
    // each such mark is named by the text it shows (so that a name spoken aloud finds it), then its tooltip; in a
    // mark showing several texts (a label and its values) the label is what takes the focus (the mark's keys and
    // clicks still work, and the values are in the tooltip)
    for (const mark of svg.querySelectorAll("[role=button]")) {
      const texts = mark.querySelectorAll("text"), tip = mark.querySelector(":scope > title");
      let target = mark;
      if (texts.length > 1) {
        target = texts[0];
        mark.removeAttribute("role"); mark.removeAttribute("tabindex");
        target.setAttribute("role", "button"); target.setAttribute("tabindex", "0");
      }
      target.setAttribute("aria-label", [texts.length ? texts[0].textContent : "", tip ? tip.textContent : ""].filter(Boolean).join(" — "));
    }
    return svg;
  }

  /* A chart in a box with SVG and PNG downloads; `footer`: the text of its footer (see CS.footer). The chart is
     drawn as wide as its box, and again when the box's width changes (a window resized, a phone turned); in a box
     narrower than MIN_WIDTH, or than its legend needs, it is drawn at that width and the box scrolls sideways:
     never shrunk, so no text in it is smaller than drawn (10 px and up). */
  function box(container, svg, filename, footer) {
    CS.clear(container);
    const shown = { svg: finish(svg, footer), width: Number(svg.getAttribute("width")) };
    const bar = CS.el("div", { class: "toolbar" },
      CS.el("button", { type: "button", class: "secondary tiny", "data-download": "svg", onclick: () => CS.download(filename + ".svg", serialize(shown.svg), "image/svg+xml") }, "SVG"),
      CS.el("button", { type: "button", class: "secondary tiny", "data-download": "png", onclick: () => toPng(shown.svg, filename) }, "PNG"));
    // Tab reaches the box (a region named as its chart)
    const frame = CS.el("div", { class: "chart", tabindex: "0", role: "region", "aria-label": svg.getAttribute("aria-label") }, shown.svg);
    container.append(bar, frame);
    const fill = () => {
      const room = Math.floor(frame.clientWidth);
      if (!room || !shown.svg.redraw) return;  // not laid out (hidden), or a picture that cannot be redrawn
      // a chart that lays itself out for a narrow box (its data-min-width) is drawn as narrow as that
      let width = Math.max(Number(shown.svg.getAttribute("data-min-width")) || MIN_WIDTH, room);
      if (Math.abs(width - shown.width) < 2) return;
      // a legend whose names the width would cut is drawn wider instead (the box then scrolls sideways)
      // (cut: marked so where it is drawn, or an ellipsis its whole name, in its tooltip, does not have)
      const cut = (picture) => [...picture.querySelectorAll("text.legend")].some((t) => t.hasAttribute("data-cut")
        || ([...t.childNodes].filter((n) => n.nodeName !== "title").some((n) => n.textContent.includes("…"))
          && !((t.querySelector("title") || {}).textContent || "").includes("…")));
      let drawn = shown.svg.redraw(width);
      while (cut(drawn) && width < 1600) { width = Math.round(width * 1.2); drawn = shown.svg.redraw(width); }
      if (Math.abs(width - shown.width) < 2) return;
      const again = finish(drawn, footer);
      again.redraw = shown.svg.redraw;
      frame.replaceChild(again, shown.svg);
      shown.svg = again;
      shown.width = width;
    };
    fill();
    // a change of width redraws it on the next frame (never inside the observer's own call)
    let pending = false;
    new ResizeObserver(() => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; if (frame.isConnected) fill(); });
    }).observe(frame);
    return container;
  }

  return { bars: redrawable(bars, 1), ranges: redrawable(ranges, 1), heatmap: redrawable(heatmap, 0),
    timeline: redrawable(timeline, 1), bands: redrawable(bands, 2), lines: redrawable(lines, 1),
    trajectory: redrawable(trajectory, 1), stack: redrawable(stack, 1), box, serialize, reds, blues, PALETTE, sameSeries };
})();
