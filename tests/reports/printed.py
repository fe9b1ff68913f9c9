"""A workbook as LibreOffice prints or recalculates it, and a check that the print is
readable.

:func:`overlaps` reads a PDF with ``pdftotext -bbox`` (poppler) and returns the words that
are drawn over other words on the same page: the overprint of a wrapped cell whose row is
too short, or of text that runs into the next cell. :func:`soffice` runs LibreOffice
headless with a throwaway profile that recalculates every formula on load (so a changed
input reaches every cell that reads it, not only the cached values).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)

_RECALC = (
    '<?xml version="1.0" encoding="UTF-8"?><oor:items '
    'xmlns:oor="http://openoffice.org/2001/registry" '
    'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    '<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" '
    'oor:op="fuse"><value>0</value></prop></item></oor:items>'
)


def need(tool: str) -> str:
    """The path of ``tool``, or skip the test (the README says how to install it)."""
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (see README, development notes)")
    return path


def soffice(source: Path, to: str, out: Path, work: Path) -> Path:
    """``source`` converted by headless LibreOffice to ``to`` (``xlsx``, ``pdf``) in ``out``,
    every formula recalculated on load."""
    profile = work / "lo-profile" / "user"
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "registrymodifications.xcu").write_text(_RECALC)
    subprocess.run(
        [
            need("soffice"),
            f"-env:UserInstallation=file://{work / 'lo-profile'}",
            "--headless",
            "--convert-to",
            to,
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out / f"{source.stem}.{to}"


@dataclass(frozen=True)
class Word:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def words(pdf: Path) -> list[Word]:
    """Every word of ``pdf`` with its box (points), page by page."""
    out = subprocess.run(
        [need("pdftotext"), "-bbox", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    found = []
    for page, body in enumerate(out.split("<page ")[1:], start=1):
        for m in _WORD.finditer(body):
            x0, y0, x1, y1 = (float(v) for v in m.groups()[:4])
            found.append(Word(page, x0, y0, x1, y1, html.unescape(m.group(5))))
    return found


def overlaps(pdf: Path) -> list[tuple[Word, Word]]:
    """The pairs of words drawn over each other: boxes on the same page that cross by more
    than a third of the lower word's height and more than a point across."""
    found = []
    by_page: dict[int, list[Word]] = {}
    for w in words(pdf):
        by_page.setdefault(w.page, []).append(w)
    for ws in by_page.values():
        ws.sort(key=lambda w: w.y0)
        for i, a in enumerate(ws):
            for b in ws[i + 1 :]:
                if b.y0 >= a.y1:
                    break
                dy = min(a.y1, b.y1) - max(a.y0, b.y0)
                dx = min(a.x1, b.x1) - max(a.x0, b.x0)
                if dx > 1.0 and dy > min(a.y1 - a.y0, b.y1 - b.y0) / 3:
                    found.append((a, b))
    return found
