"""The reports in a browser (issue 9, item 7): at 1280 px wide no element is wider than the
page and no table cell clips its text; a screenshot of each report.

Chromium renders each page headless from the command line (no Python browser driver). A
copy of the page gets a small script that runs after layout, opens every ``<details>`` (a
reader may open them), measures every element and table cell, and writes what it found as
JSON into ``<pre id="layout-check">``; ``--dump-dom`` hands the DOM back. An element inside
a container that scrolls sideways may be wider than the page (a wide table scrolls: that is
allowed); anything else whose right edge passes the page width overflows. A cell whose text
is wider than the cell (``scrollWidth > clientWidth``) is clipped.

Screenshots of each report at 1280 px go to ``$MODEL_SCREENSHOTS_DIR`` when it is set, else
to the test's temporary folder; the folder is printed. Skipped where ``chromium`` is not
installed. The reports are built once per session with :func:`model.run.batch.run_batch`
(the historical notebooks and the base scenario; charts drawn by the inline backend, as the
batch always draws them), and the batch's ``index.html`` is checked too.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from model.reports.pdf import HEADLESS
from model.run import list_notebooks, run_batch

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")

WIDTH = 1280
SCREENSHOT_MAX_HEIGHT = 16_000
"""Chromium draws at most about 16,000 px in one screenshot; longer pages are cut there."""

CHECK_ID = "layout-check"

LAYOUT_CHECK = r"""
<script>
(function () {
  function scrolls(el) {
    const s = getComputedStyle(el);
    return (s.overflowX === "auto" || s.overflowX === "scroll") && el !== document.body
      && el !== document.documentElement;
  }
  function insideScroller(el) {
    for (let p = el.parentElement; p; p = p.parentElement) { if (scrolls(p)) return true; }
    return false;
  }
  function hidden(el, r) {
    if (r.width === 0 && r.height === 0) return true;
    const s = getComputedStyle(el);
    if (s.visibility === "hidden" || s.display === "none") return true;
    // screen-reader-only text: clipped to nothing on purpose
    if (s.position === "absolute" && r.width <= 1 && r.height <= 1) return true;
    return s.clip && s.clip.startsWith("rect(0") || s.clipPath === "inset(50%)";
  }
  function name(el) {
    let n = el.tagName.toLowerCase();
    if (el.id) n += "#" + el.id;
    const cls = (el.getAttribute("class") || "").trim().split(/\s+/).filter(Boolean);
    if (cls.length) n += "." + cls.slice(0, 3).join(".");
    return n;
  }
  function path(el) {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 5; e = e.parentElement) {
      parts.unshift(name(e));
    }
    return parts.join(" > ");
  }
  function describe(el, r, extra) {
    const text = (el.innerText || el.textContent || "").replace(/\s+/g, " ").trim();
    const heading = nearestHeading(el);
    return Object.assign({element: path(el), text: text.slice(0, 80), section: heading,
      top: Math.round(r.top + window.scrollY), left: Math.round(r.left),
      right: Math.round(r.right), width: Math.round(r.width),
      scrollWidth: el.scrollWidth}, extra || {});
  }
  function nearestHeading(el) {
    const all = Array.from(document.querySelectorAll("h1, h2, h3, h4, summary"));
    let last = "";
    for (const h of all) {
      if (h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING || h.contains(el)) {
        last = (h.textContent || "").replace(/\s+/g, " ").replace("¶", "").trim();
      }
    }
    return last.slice(0, 80);
  }
  function within(el, set) {
    for (let p = el.parentElement; p; p = p.parentElement) { if (set.has(p)) return true; }
    return false;
  }
  function check() {
    const height = document.documentElement.scrollHeight;  // as first shown: folded
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
    const page = document.documentElement.clientWidth;
    const shown = [];
    for (const el of document.body.querySelectorAll("*")) {
      if (el.id === "layout-check" || el.tagName === "SCRIPT" || el.tagName === "STYLE") continue;
      const r = el.getBoundingClientRect();
      if (!hidden(el, r) && !insideScroller(el)) shown.push([el, r]);
    }
    // boxes past the page's edges: the outermost of each
    const wide = shown.filter(function (x) { return x[1].right > page + 1 || x[1].left < -1; });
    const wideSet = new Set(wide.map(function (x) { return x[0]; }));
    const overflow = wide.filter(function (x) { return !within(x[0], wideSet); })
      .map(function (x) { return describe(x[0], x[1], {page: page, reason: "box"}); });
    // content (a long line of text) spilling past the page from a box that fits: the innermost
    let spill = shown.filter(function (x) {
      const el = x[0], r = x[1];
      if (wideSet.has(el) || within(el, wideSet)) return false;
      if (getComputedStyle(el).overflowX !== "visible") return false;
      if (el.scrollWidth <= el.clientWidth + 1 || r.left + el.scrollWidth <= page + 1) return false;
      return !wide.some(function (w) { return el.contains(w[0]); });
    });
    spill = spill.filter(function (x) {
      return !spill.some(function (o) { return o[0] !== x[0] && x[0].contains(o[0]); });
    });
    spill.forEach(function (x) {
      overflow.push(describe(x[0], x[1], {page: page, reason: "content"}));
    });
    const clipped = [];
    for (const cell of document.querySelectorAll("td, th")) {
      const r = cell.getBoundingClientRect();
      if (hidden(cell, r)) continue;
      if (cell.scrollWidth > cell.clientWidth + 1) {
        clipped.push(describe(cell, r, {clientWidth: cell.clientWidth}));
      }
    }
    const out = document.getElementById("layout-check");
    out.textContent = JSON.stringify({
      page: page, documentWidth: document.documentElement.scrollWidth,
      height: height, overflow: overflow, clipped: clipped});
  }
  // after layout and the load of images (headless Chromium runs no animation frames)
  function later() { setTimeout(check, 0); }
  if (document.readyState === "complete") later(); else window.addEventListener("load", later);
})();
</script>
"""


def _chromium(args: list[str], profile: Path, height: int) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium at 1280 px wide, no network beyond the file system."""
    assert CHROMIUM is not None
    # the reports load require.js and MathJax from a CDN: never fetched here (HEADLESS
    # resolves no name), the check is of the report's own layout
    cmd = [
        CHROMIUM,
        *HEADLESS,
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size={WIDTH},{height}",
        "--virtual-time-budget=5000",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def layout_findings(page: Path, work: Path) -> dict[str, Any]:
    """What the layout check finds on ``page`` at 1280 px: ``overflow`` (outermost elements
    past the page's right edge, not inside a sideways-scrolling container) and ``clipped``
    (table cells whose text is wider than the cell), each with the element, its text and the
    section it is in; ``height``: the page's full height."""
    text = page.read_text(encoding="utf-8")
    probe = f'<pre id="{CHECK_ID}"></pre>{LAYOUT_CHECK}'
    checked = re.sub(r"</body>", lambda _m: probe + "</body>", text, count=1, flags=re.I)
    if checked == text:
        checked = text + probe
    copy = work / f"{page.stem}.layout-check.html"
    copy.write_text(checked, encoding="utf-8")
    with tempfile.TemporaryDirectory(dir=work) as profile:
        done = _chromium(["--dump-dom", copy.as_uri()], Path(profile), 900)
    found = re.search(rf'<pre id="{CHECK_ID}">(.*?)</pre>', done.stdout, flags=re.S)
    assert found and found.group(1).strip(), (
        f"the layout check did not run on {page.name} (exit {done.returncode}): "
        f"{done.stderr[-2000:]}"
    )
    return json.loads(html.unescape(found.group(1)))


def screenshot(page: Path, folder: Path, height: int, work: Path) -> Path:
    """A PNG of ``page`` at 1280 px wide and ``height`` px (cut at the maximum)."""
    png = folder / f"{page.stem}.png"
    with tempfile.TemporaryDirectory(dir=work) as profile:
        done = _chromium(
            [f"--screenshot={png}", page.as_uri()],
            Path(profile),
            max(600, min(height, SCREENSHOT_MAX_HEIGHT)),
        )
    assert png.is_file(), f"no screenshot of {page.name}: {done.stderr[-2000:]}"
    return png


def _summary(page: str, findings: dict[str, Any]) -> str:
    lines = [f"{page} at {findings['page']} px (document {findings['documentWidth']} px wide):"]
    for f in findings["overflow"]:
        lines.append(
            f"  overflow: {f['element']} in '{f['section']}' spans {f['left']}..{f['right']} px"
            f" (scrollWidth {f['scrollWidth']}): {f['text']!r}"
        )
    for f in findings["clipped"]:
        lines.append(
            f"  clipped cell: {f['element']} in '{f['section']}' text {f['scrollWidth']} px in"
            f" {f['clientWidth']} px: {f['text']!r}"
        )
    return "\n".join(lines)


# --- the check itself, on a page made to fail -------------------------------------------

SYNTHETIC = """<!DOCTYPE html><html><head><style>
body { margin: 8px; font: 14px sans-serif; }
.wide { width: 1600px; height: 20px; background: #ddd; }
.scroller { overflow-x: auto; max-width: 100%; }
.tight { table-layout: fixed; width: 300px; }
.tight td { width: 100px; white-space: nowrap; overflow: hidden; }
</style></head><body>
<h2>A heading</h2>
<div class="wide" id="too-wide">wider than the page</div>
<div class="scroller"><table id="scrolls"><tr>
  <td style="white-space: nowrap">{cells}</td></tr></table></div>
<table class="tight"><tr><td id="cut">$1,234,567,890.12 cut off here</td><td>ok</td></tr></table>
<details><summary>Folded</summary><div id="folded" style="width: 1500px">inside</div></details>
<pre id="long">{line}</pre>
</body></html>"""

CLEAN = """<!DOCTYPE html><html><body><h2>Fine</h2><table><tr><td>$1,234.56</td></tr></table>
<div style="overflow-x: auto"><div style="width: 3000px">scrolls</div></div></body></html>"""


def test_the_check_finds_an_overflow_and_a_clipped_cell(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        SYNTHETIC.replace("{cells}", "x " * 600).replace("{line}", "y" * 400), encoding="utf-8"
    )
    findings = layout_findings(page, tmp_path)
    wide = [(f["element"], f["reason"]) for f in findings["overflow"]]
    assert wide == [  # not the table that scrolls sideways
        ("div#too-wide.wide", "box"),
        ("details > div#folded", "box"),  # folded: opened first, as a reader may
        ("pre#long", "content"),  # a line of text past the edge of a box that fits
    ]
    assert findings["overflow"][0]["section"] == "A heading"
    assert findings["overflow"][0]["right"] == 8 + 1600
    assert [f["element"] for f in findings["clipped"]] == ["table.tight > tbody > tr > td#cut"]
    assert findings["clipped"][0]["text"].startswith("$1,234,567,890.12")
    assert findings["documentWidth"] > WIDTH

    clean = tmp_path / "clean.html"
    clean.write_text(CLEAN, encoding="utf-8")
    findings = layout_findings(clean, tmp_path)
    assert findings["overflow"] == [] and findings["clipped"] == []
    assert findings["page"] == WIDTH
    png = screenshot(clean, tmp_path, findings["height"], tmp_path)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- the reports --------------------------------------------------------------------------

NOTEBOOKS = [p.stem for p in list_notebooks()]


@pytest.fixture(scope="session")
def reports(tmp_path_factory) -> Path:
    """Every numbered notebook run once into a temporary folder, with HTML (the charts
    drawn by the inline backend, not the test run's Agg)."""
    out = tmp_path_factory.mktemp("reports")
    result = run_batch(
        scenarios=["base"], out=out, deals=["ibasis", "magnite"], workers=2, progress_bar=False
    )
    assert not result.failed, result.failed
    return out


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    wanted = os.environ.get("MODEL_SCREENSHOTS_DIR")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _pages(reports: Path, which: str) -> list[Path]:
    pages = sorted(reports.glob("*/*/[0-9][0-9]-*.html"))
    if which == "index":
        return [reports / "index.html"]
    if which != "other pages":
        return [p for p in pages if p.stem == which]
    return [p for p in pages if p.stem not in NOTEBOOKS]


@pytest.mark.parametrize("which", [*NOTEBOOKS, "other pages", "index"])
def test_report_fits_1280_px(which, reports, screenshots, tmp_path, capsys):
    pages = _pages(reports, which)
    if which == "other pages":
        assert any("certificate" in p.name for p in pages), "no certificate HTML written"
    else:
        assert pages, f"{which}.html was not written"
    problems = []
    for page in pages:
        findings = layout_findings(page, tmp_path)
        png = screenshot(page, screenshots, findings["height"], tmp_path)
        with capsys.disabled():
            print(f"\nscreenshot of {page.name}: {png} (screenshots in {screenshots})")
        if findings["overflow"] or findings["clipped"]:
            problems.append(_summary(page.name, findings))
    assert not problems, "\n".join(problems)


PDFTOTEXT = shutil.which("pdftotext")


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
def test_a_report_prints_landscape_with_everything_folded_opened(reports, tmp_path):
    """Printed as a credit committee would print it: US Letter landscape, and the material
    folded in ``<details>`` on screen (here the inputs-used block) on paper too; the page
    titled with the report's heading; where the report was written is not an input."""
    page = next(reports.glob("ibasis/historical/02-facility-sizing.html"))
    text = page.read_text(encoding="utf-8")
    assert "<title>02 Facility sizing: the Silicon Valley Bank revolving line</title>" in text
    pdf = tmp_path / "02.pdf"
    with tempfile.TemporaryDirectory(dir=tmp_path) as profile:
        _chromium(
            ["--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()], Path(profile), 900
        )
    assert pdf.is_file(), "Chromium printed nothing"
    assert PDFTOTEXT is not None
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False).stdout
    assert re.search(r"Page size:\s+792 x 612 pts \(letter\)", info), info
    printed = subprocess.run(
        [PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Inputs used: parameters, files, software" in printed
    # the folded table is on paper: a file it lists with its SHA-256
    assert re.search(
        r"params/deals/ibasis/facilities/svb-loan-agreement\.yaml\s+[0-9a-f]{64}", printed
    )
    assert "output_dir" not in printed and "nothing written" not in printed
