"""A page printed to PDF by headless Chromium, as a browser's "Print" prints it.

:func:`print_pdf` prints an HTML file the package wrote (a Compliance Certificate) beside
it, using the page's own print style (US Letter, its margins, the DRAFT watermark). The
browser is found on the ``PATH`` (:data:`BROWSERS`) or named by ``$MODEL_CHROMIUM``; it
runs with no network (the page is a local file with nothing to fetch) and a throwaway
profile. Without a browser nothing is printed and :func:`print_pdf` says so (None): the
HTML and Markdown stay the certificate of record, and the index shows which quarters have
a PDF. A browser that fails is an error naming the page, never a half-written PDF.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from model import paths
from model.errors import InputError

__all__ = ["BROWSERS", "HEADLESS", "browser", "print_pdf"]

#: How the browser runs: headless, no sandbox or GPU, nothing fetched from the network
#: (every name resolves to nothing), nothing synced or updated.
HEADLESS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)

#: Names of a Chromium-based browser, tried in order on the ``PATH``.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def browser() -> str | None:
    """The browser that prints: ``$MODEL_CHROMIUM`` if set, else the first of
    :data:`BROWSERS` on the ``PATH``; None when there is none."""
    named = os.environ.get("MODEL_CHROMIUM")
    if named:
        found = shutil.which(named)
        if found is None:
            raise InputError(
                f"MODEL_CHROMIUM names {named!r}, which is not an executable", key="MODEL_CHROMIUM"
            )
        return found
    return next((found for b in BROWSERS if (found := shutil.which(b))), None)


def print_pdf(page: Path, target: Path, *, timeout: float = 120) -> Path | None:
    """Print ``page`` (an HTML file) to ``target`` (a PDF) and return ``target``; None when
    no browser is installed."""
    exe = browser()
    if exe is None:
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile, paths.atomic_target(target) as tmp:
        cmd = [
            exe,
            *HEADLESS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={tmp}",
            page.resolve().as_uri(),
        ]
        # its own process group, so a browser that hangs is stopped with all its children
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise InputError(
                f"{paths.shown(page)}: the browser did not print it to PDF within {timeout:g} s",
                key="pdf",
            ) from None
        if proc.returncode != 0 or not tmp.is_file() or not tmp.read_bytes().startswith(b"%PDF"):
            raise InputError(
                f"{paths.shown(page)}: the browser could not print it to PDF "
                f"(exit {proc.returncode}): {(err or '').strip()[-500:]}",
                key="pdf",
            )
    return target
