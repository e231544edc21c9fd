"""Checks the browser tests run on each page they open: accessibility (axe-core, WCAG 2.1 A and AA), headings that
say a thing once (no card's heading repeating its chart's title) and layout (nothing wider than the window outside a
scroll container, no chart text outside its chart), at a desktop and a phone size, with a screenshot of each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, ViewportSize

REPO = Path(__file__).resolve().parents[2]
# scripts/run-tests installs the npm package here (git-ignored)
AXE = REPO / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP: ViewportSize = {"width": 1440, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}

_RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")), summary: v.nodes.length ? v.nodes[0].failureSummary : ""}));
}"""

# Each element that sticks out of the window on the left or right (the outermost of a branch only), unless an
# ancestor scrolls sideways; each chart without a title inside it, with a legend's name cut short, or not as wide as
# its box (narrower; or wider, unless the box is narrower than the least width charts lay themselves out for,
# MIN_CHART_WIDTH, and scrolls sideways as a focusable region: at a phone's 390 px no box is); each chart whose box
# scrolls sideways (unless the charts are drawn once, at a fixed width, as the offline report's are: their boxes
# may scroll sideways when narrower than FIXED_CHART_WIDTH); each chart text shown smaller than READABLE_PX (a
# picture shrunk to its box shrinks its text); then each chart text (a label, a legend, a title) whose box leaves its
# SVG's box.
MIN_CHART_WIDTH = 300  # charts.js NARROW_MIN_WIDTH
FIXED_CHART_WIDTH = 480  # a chart drawn once (the report's) may scroll sideways in a box narrower than this
READABLE_PX = 9.5  # "about 10 px": the smallest chart text, the footer's, is drawn at 10 px
_LAYOUT = """([least, readable, reflow]) => {
  const vw = document.documentElement.clientWidth, found = [];
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + (typeof e.className === "string" && e.className.trim() ? "." + e.className.trim().split(/\\s+/).join(".") : "");
  const path = (e) => {
    const p = [];
    for (let a = e; a && a !== document.body && p.length < 4; a = a.parentElement) p.unshift(name(a));
    return p.join(" > ");
  };
  const scrolled = (e) => { for (let a = e.parentElement; a && a !== document.documentElement; a = a.parentElement) {
    const o = getComputedStyle(a).overflowX; if (o === "auto" || o === "scroll") return true; } return false; };
  const wide = document.documentElement.scrollWidth;
  if (wide > vw) found.push(`the page is ${wide}px wide in a ${vw}px window`);
  const out = new Set();
  for (const e of document.body.querySelectorAll("*")) {
    if (e.closest("svg") && e.tagName.toLowerCase() !== "svg") continue;
    if (e.parentElement && out.has(e.parentElement)) { out.add(e); continue; }
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(e).visibility === "hidden") continue;
    if ((r.right > vw + 1 || r.left < -1) && !scrolled(e)) {
      out.add(e);
      found.push(`${path(e)} spans ${Math.round(r.left)}..${Math.round(r.right)}px of ${vw}px`);
    }
  }
  // every chart says what it shows inside the picture (so its downloads do too), and its legend names are whole;
  // it fills its box's width, and neither passes the box nor makes it scroll sideways
  for (const svg of document.querySelectorAll(".chart > svg")) {
    const name = svg.getAttribute("aria-label");
    const frame = svg.parentElement, room = Math.floor(frame.clientWidth), wide = svg.getBoundingClientRect().width;
    const scrolls = getComputedStyle(frame).overflowX === "auto" && frame.tabIndex >= 0;
    if (room && wide > room + 1 && (reflow || room >= least || !scrolls))
      found.push(`chart "${name}" is ${Math.round(wide)}px wide in its ${room}px box`);
    if (room && wide < room - 4) found.push(`chart "${name}" fills ${Math.round(wide)}px of its ${room}px box`);
    if ((reflow || room >= least) && frame.scrollWidth > frame.clientWidth + 1)
      found.push(`chart "${name}": its box scrolls sideways`);
    // text as large as it reads: its font size times the picture's scale (shown width over drawn width)
    const drawn = svg.viewBox && svg.viewBox.baseVal && svg.viewBox.baseVal.width ? svg.viewBox.baseVal.width : wide;
    const scale = wide / drawn;
    for (const t of svg.querySelectorAll("text")) {
      if (!t.getBoundingClientRect().width) continue;
      const px = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (px < readable) {
        found.push(`chart "${name}": "${t.textContent.slice(0, 40)}" is shown at ${px.toFixed(1)} px`);
        break;
      }
    }
    if (!svg.querySelector("text.chart-title")) found.push(`chart "${name}" has no title inside it`);
    for (const t of svg.querySelectorAll("text.legend")) {
      // cut: marked so by the chart, or an ellipsis that its whole name (its tooltip) has not (a case's title
      // may end in one of its own)
      const shown = [...t.childNodes].filter((n) => n.nodeName !== "title").map((n) => n.textContent).join(" ");
      const whole = (t.querySelector("title") || {}).textContent || "";
      if (t.hasAttribute("data-cut") || (shown.includes("…") && !whole.includes("…")))
        found.push(`chart "${name}": the legend's "${shown}" is cut`);
    }
  }
  for (const svg of document.querySelectorAll("svg")) {
    const b = svg.getBoundingClientRect();
    if (!b.width || !b.height) continue;
    for (const t of svg.querySelectorAll("text")) {
      const r = t.getBoundingClientRect();
      if (!r.width) continue;
      if (r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1 || r.bottom > b.bottom + 1)
        found.push(`chart "${svg.getAttribute("aria-label")}": "${t.textContent}" is cut by the chart's edge`);
    }
  }
  return found;
}"""


# Headings say a thing once: a card's heading says what the card is for, a chart's title (inside its picture) what
# the chart shows. Each chart whose card's heading (the last one before it in its card) repeats its title: the two
# equal, or sharing a run of REPEATED_WORDS words (a count in brackets, "(2 change)", aside).
REPEATED_WORDS = 3
_REPEATED = """(run) => {
  const words = (text) => (text || "").replace(/\\([^)]*\\d[^)]*\\)/g, " ").toLowerCase()
    .replace(/[^\\p{L}\\p{N}'%-]+/gu, " ").trim().split(/\\s+/).filter(Boolean);
  const found = [];
  for (const svg of document.querySelectorAll(".chart > svg")) {
    const title = svg.getAttribute("aria-label") || "";
    const card = svg.closest("section, .card");
    if (!card || !title) continue;
    const before = [...card.querySelectorAll("h1, h2, h3, h4")].filter((h) =>
      h.compareDocumentPosition(svg) & Node.DOCUMENT_POSITION_FOLLOWING);
    if (!before.length) continue;
    const heading = before[before.length - 1].textContent, h = words(heading), t = ` ${words(title).join(" ")} `;
    let repeated = h.join(" ") === words(title).join(" ") && h.length > 0;
    for (let i = 0; !repeated && i + run <= h.length; i++) repeated = t.includes(` ${h.slice(i, i + run).join(" ")} `);
    if (repeated) found.push(`the heading "${heading}" repeats its chart's title "${title}"`);
  }
  return found;
}"""


def repeated_headings(page: Page) -> list[str]:
    """Each chart whose card's heading repeats the chart's title (``_REPEATED``)."""
    found: list[str] = page.evaluate(_REPEATED, REPEATED_WORDS)
    return found


def settle(page: Page) -> None:
    """Wait until charts have been redrawn at their boxes' new widths (a resize redraws them a frame later)."""
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => "
                  "requestAnimationFrame(done))))")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
    assert AXE.exists(), f"axe-core is needed at {AXE.relative_to(REPO)} (scripts/run-tests installs it)"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = page.evaluate(_RUN_AXE, WCAG_TAGS)
    return violations


def layout_problems(page: Page, reflow: bool = True) -> list[str]:
    """The layout problems of the page as it is now; ``reflow``: its charts lay themselves out for their box's
    width (the pages'), so none may scroll sideways; without, they are drawn once at a fixed width (the offline
    report's) and a box narrower than FIXED_CHART_WIDTH may scroll sideways."""
    least = MIN_CHART_WIDTH if reflow else FIXED_CHART_WIDTH
    problems: list[str] = page.evaluate(_LAYOUT, [least, READABLE_PX, reflow])
    return problems


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        shown = v["targets"][:5] + ([f"… and {len(v['targets']) - 5} more"] if len(v["targets"]) > 5 else [])
        lines.append(f"{v['id']} ({v['impact']}, {len(v['targets'])} elements): {v['help']}\n    "
                     + "\n    ".join(shown) + f"\n    {v['summary']}".replace("\n", "\n    "))
    return "\n".join(lines)


def check_page(page: Page, name: str, folder: Path, reflow: bool = True) -> None:
    """Run axe on the page and check its layout at the desktop and at the phone size (a page lays itself out
    afresh below 640 px: other headings, legends under plots, fewer ticks), saving a screenshot of each in
    `folder`; fail listing every problem found. The window ends at the desktop size."""
    folder.mkdir(parents=True, exist_ok=True)
    violations: list[dict[str, Any]] = []
    problems: list[str] = repeated_headings(page)
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        settle(page)
        at = f"{size['width']}x{size['height']}"
        violations += [{**v, "help": f"at {at}: {v.get('help', '')}"} for v in axe_violations(page)]
        page.screenshot(path=str(folder / f"{name}-{at}.png"))
        problems += [f"at {at}: {p}" for p in layout_problems(page, reflow)]
    (folder / f"{name}.axe.json").write_text(json.dumps(violations, indent=1), encoding="utf-8")
    page.set_viewport_size(DESKTOP)
    settle(page)
    (folder / f"{name}.layout.json").write_text(json.dumps(problems, indent=1), encoding="utf-8")
    report = []
    if violations:
        report.append(f"axe-core found {len(violations)} WCAG 2.1 A/AA violations on {name}:\n{describe(violations)}")
    if problems:
        report.append(f"layout problems on {name}:\n" + "\n".join(problems))
    assert not report, "\n\n".join(report)
