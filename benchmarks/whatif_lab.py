"""Benchmark: the what-if panel of notebook 04 in JupyterLab, from a key press on a slider to
the updated output on the page, and a screenshot of the panel.

Usage::

    .venv/bin/python benchmarks/whatif_lab.py [--steps N] [--screenshot FILE]

Needs Debian's ``chromium`` and the ``playwright`` package (``pip install playwright``, in
any environment: it drives the browser only; it is not a dependency of the project) in the
Python that runs this script. It starts ``jupyter lab`` from the project's venv on a free
port, with a throwaway token and autosave off (the committed notebook is never written),
opens ``notebooks/04-projection.ipynb`` in headless Chromium, runs all cells, then presses
the left arrow on the revenue slider N times (one percentage point each) and times each
press until the panel's heading names the new value: the browser's round trip through the
kernel (the vectorised projection, the headline, the headroom table, the liquidity chart
redrawn) and the page's render. Prints the median, the 95th percentile and the slowest,
against the target of 300 ms, beside the panel's own figure (the kernel's time, "updated
in ... ms"). With ``--screenshot``, the panel and its outputs at the last value as a PNG.
Wall-clock numbers depend on the machine; nothing here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _lab(port: int, token: str, settings: Path) -> subprocess.Popen[bytes]:
    user = settings / "@jupyterlab" / "docmanager-extension"
    user.mkdir(parents=True)
    (user / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    notify = settings / "@jupyterlab" / "apputils-extension"
    notify.mkdir(parents=True)
    (notify / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    env = os.environ | {"JUPYTERLAB_SETTINGS_DIR": str(settings)}
    return subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "jupyter"),
            "lab",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.token={token}",
            f"--ServerApp.root_dir={ROOT}",
            "--allow-root",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--screenshot", type=Path, default=None)
    ap.add_argument("--browser", default=os.environ.get("MODEL_CHROMIUM", "/usr/bin/chromium"))
    args = ap.parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sys.exit("whatif_lab: needs playwright in this Python (pip install playwright)")
    port, token = _port(), secrets.token_hex(8)
    with tempfile.TemporaryDirectory() as tmp:
        lab = _lab(port, token, Path(tmp) / "settings")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=args.browser, args=FLAGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1300})
                url = f"http://127.0.0.1:{port}/lab/tree/notebooks/04-projection.ipynb"
                for _ in range(60):  # the server takes a few seconds to start
                    try:
                        page.goto(f"{url}?token={token}&reset")
                        break
                    except Exception:
                        time.sleep(1)
                page.wait_for_selector(".jp-Notebook", timeout=60_000)
                time.sleep(5)
                page.click("text=Run", timeout=10_000)
                page.click("text=Run All Cells", timeout=10_000)
                page.wait_for_selector(".widget-slider", timeout=180_000)
                time.sleep(10)
                handle = page.locator(".widget-slider .noUi-handle").first
                handle.scroll_into_view_if_needed()
                handle.focus()
                times, kernel = [], []
                for k in range(1, args.steps + 1):
                    t0 = time.perf_counter()
                    page.keyboard.press("ArrowLeft")
                    page.wait_for_function(
                        "k => [...document.querySelectorAll('.jp-OutputArea-output h3')]"
                        ".some(e => e.textContent.startsWith('What if: revenue -' + k + '.00%'))",
                        arg=k,
                        timeout=20_000,
                    )
                    times.append((time.perf_counter() - t0) * 1000)
                    said = page.locator("text=/updated in \\d+ ms/").first.text_content() or ""
                    kernel.append(float(said.split()[2]))
                q = statistics.quantiles(times, n=20)[-1]
                print(
                    f"key press to updated page, {len(times)} changes: median "
                    f"{statistics.median(times):.0f} ms, p95 {q:.0f} ms, slowest "
                    f"{max(times):.0f} ms (target 300 ms)"
                )
                print(
                    f"the panel's own time (kernel: project, tables, chart): median "
                    f"{statistics.median(kernel):.0f} ms, slowest {max(kernel):.0f} ms"
                )
                if args.screenshot is not None:
                    time.sleep(2)  # the chart's image arrives after the heading
                    out = page.locator(".jp-OutputArea-output").filter(
                        has=page.locator(".widget-slider")
                    )
                    out.first.screenshot(path=str(args.screenshot))
                    print(f"screenshot: {args.screenshot}")
                browser.close()
        finally:
            os.killpg(lab.pid, 15)
            lab.wait(timeout=30)


if __name__ == "__main__":
    main()
