"""The page an analyst opens first: ``<out>/index.html`` and ``<out>/index.json``.

:func:`write_index` is given the batch's entries (one per report: notebook, the folder it
is in relative to ``out``, scenario and its title, status ``ok`` / ``reused`` /
``failed``, seconds, files with their SHA-256, the failure's cell, source and error) and
the run's facts (times, workers, executor, how many reports were planned). For each scenario it reads the key
figures its reports wrote (:data:`SUMMARY_KEYS`: first breach and its covenant, minimum
liquidity and its date, peak revolver, funding gap) and shows them in one table, with the
covenant status in the same green and red as every other report, and links to each report
in HTML, Excel, notebook and JSON. Failures come first, each with the notebook, the
scenario, the failing cell, a few lines of its source and the error, and links to the
kept ``FAILED`` notebook. Reports of earlier runs that this run did not touch stay listed.

Both files are written atomically (:func:`model.paths.atomic_target`). The JSON is for
programs (CI, the tests, a portfolio dashboard); the HTML is formatted through
:mod:`model.reports.tables` and prints on Letter or A4 paper.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2

from model import paths
from model.reports.tables import STATUS_COLOURS, cell

__all__ = [
    "write_index",
    "scenario_summary",
    "SUMMARY_KEYS",
    "INDEX_FORMAT",
    "HISTORICAL",
    "COMPARED",
    "variant_words",
    "RESERVED_NAMES",
    "deal_history",
]

#: Version of the layout of ``index.json`` (4: a deal's certified history and each scenario's
#: trigger dashboard; 3: reports under <deal>/<scenario>, entries name
#: their deal and folder, files carry SHA-256; an index of another format is not reused).
INDEX_FORMAT = 4
#: Folder of the reports that do not depend on a scenario.
HISTORICAL = "historical"
#: Folder of the reports that compare every scenario of a deal (05).
COMPARED = "compared"
#: Names a scenario folder may not take.
RESERVED_NAMES = frozenset({HISTORICAL, COMPARED, "index.html", "index.json"})

#: Key figures a scenario's reports may carry that the index shows.
SUMMARY_KEYS = (
    "first_breach",
    "first_breach_covenant",
    "first_breach_covenant_title",
    "min_liquidity",
    "min_liquidity_date",
    "peak_revolver",
    "funding_gap_total",
    "first_funding_gap",
    "horizon_end",
    "as_of",
    "last_reported_quarter",
    "event_of_default_from",
    "days_in_default",
    "lender_response",
    "plausibility_warnings",
    "dashboard",
)

_LINKS = (("html", "report"), ("xlsx", "Excel"), ("ipynb", "notebook"), ("json", "JSON"))


MAX_FIGURES_BYTES = 20_000_000
"""The largest key-figures file the index reads (a report's are a few hundred KB)."""


def _figures(folder: Path, notebook: str) -> dict[str, Any]:
    """A report's key figures, read as untrusted: only a regular file of the report's own
    folder (never through a link, never a FIFO or a device, which could block), of at most
    :data:`MAX_FIGURES_BYTES`, holding a JSON object; else nothing."""
    if folder.is_symlink():
        return {}
    try:
        fd = os.open(folder / f"{notebook}.json", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return {}
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FIGURES_BYTES:
            return {}
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = json.loads(handle.read(MAX_FIGURES_BYTES + 1).decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    finally:
        os.close(fd)
    return data if isinstance(data, dict) else {}


def _file_name(name: Any) -> bool:
    """A file name a report may have written into its folder: text, no folder, no link
    out (what :func:`model.run.batch._put_in_place` accepts)."""
    return (
        isinstance(name, str)
        and bool(name)
        and "/" not in name
        and "\\" not in name
        and "\x00" not in name
        and not name.startswith(".")
    )


def scenario_summary(
    out: Path, folder: str, entries: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The summary figures of the scenario in ``folder``, from its reports' key figures."""
    summary: dict[str, Any] = {}
    for e in entries:
        if e["folder"] != folder or e["status"] == "failed":
            continue
        figures = _figures(out / folder, e["notebook"])
        for k in SUMMARY_KEYS:
            if k in figures and k not in summary:
                summary[k] = figures[k]
        quarters = figures.get("quarters")
        if "horizon_end" not in summary and isinstance(quarters, dict) and quarters:
            # the forecast quarters only: the reported ones are the deal's history
            forecast = {
                k: q
                for k, q in quarters.items()
                if isinstance(q, dict) and q.get("basis", "forecast") == "forecast"
            }
            summary["horizon_end"] = max(quarters)
            summary["quarters"] = len(forecast)
            summary["quarters_in_breach"] = sum(
                any(
                    isinstance(c, dict) and c.get("status_code") == "breach"
                    for c in (q.get("covenants") or {}).values()
                )
                for q in forecast.values()
            )
    return summary


def deal_history(out: Path, entries: Sequence[Mapping[str, Any]], deal: str) -> dict[str, Any]:
    """The deal's certified history from its historical reports' key figures (``history``:
    per quarter end, each covenant's status): the latest reported quarter, its status and
    every historical breach as ``[quarter_end, covenant]``."""
    for e in entries:
        if e.get("deal") != deal or e["status"] == "failed":
            continue
        if e["folder"].rsplit("/", 1)[-1] != HISTORICAL:
            continue
        history = _figures(out / e["folder"], e["notebook"]).get("history")
        if not isinstance(history, dict) or not history:
            continue
        latest = max(history)
        breaches = [
            [q, c]
            for q in sorted(history)
            if isinstance(history[q], dict) and isinstance(history[q].get("covenants"), dict)
            for c, r in sorted(history[q]["covenants"].items())
            if isinstance(r, dict) and r.get("status_code") == "breach"
        ]
        failing = [c for q, c in breaches if q == latest]
        figures = _figures(out / e["folder"], e["notebook"])
        return {
            "latest_reported_quarter": latest,
            "latest_status": "breach" if failing else "complies",
            "latest_breaches": failing,
            "historical_breaches": breaches,
            "history_report": f"{e['folder']}/{e['notebook']}.html",
            "certificates": _certificates(
                out, e["folder"], figures.get("certificates"), figures.get("not_certified")
            ),
        }
    return {}


def _certificates(out: Path, folder: str, pack: Any, skipped: Any) -> list[dict[str, Any]]:
    """The deal's certificate pack (the compliance report's key figure ``certificates``):
    per reported quarter, its status, whether it is a DRAFT, and the links to the files
    that exist (a PDF only where a browser printed it); a quarter that cannot be certified
    (``not_certified``) with the reason."""
    if not isinstance(pack, dict):
        return []
    rows: list[dict[str, Any]] = []
    for q, reason in (skipped if isinstance(skipped, dict) else {}).items():
        rows.append(
            {
                "quarter_end": str(q),
                "status": "not_required",
                "breaches": [],
                "draft": False,
                "due_date": None,
                "links": [],
                "reason": str(reason),
            }
        )
    for q in sorted(pack):
        c = pack[q]
        if not isinstance(c, dict):
            continue
        listed = c.get("breaches")
        breaches = [str(b) for b in listed] if isinstance(listed, list) else []
        statuses = c.get("statuses") or {}
        undecided = isinstance(statuses, dict) and "undefined" in statuses.values()
        links = []
        given = {k: c.get(k) for k in ("html", "markdown")}
        html_name = given["html"] if isinstance(given["html"], str) else ""
        given["pdf"] = html_name.removesuffix(".html") + ".pdf" if html_name else None
        for key, label in (("html", "HTML"), ("pdf", "PDF"), ("markdown", "Markdown")):
            name = given[key]
            if isinstance(name, str) and _file_name(name) and _own_file(out / folder / name):
                links.append((f"{folder}/{name}", label))
        rows.append(
            {
                "quarter_end": q,
                "status": "breach" if breaches else "undefined" if undecided else "complies",
                "breaches": breaches,
                "draft": bool(c.get("draft")),
                "due_date": c.get("due_date"),
                "links": links,
                "reason": None,
            }
        )
    return sorted(rows, key=lambda r: str(r["quarter_end"]))


def _base(folder: str) -> str:
    """The default folder a report's folder is a variant of (``base--capex-5000000`` ->
    ``base``); the folder itself when it is not a variant."""
    return folder.rsplit("/", 1)[-1].split("--", 1)[0]


def variant_words(entry: Mapping[str, Any]) -> str:
    """What a variant run changed, in words ("" for the files as written).

    >>> variant_words({"variant": {"set": {"drivers.capex_unfunded": 5000000}, "quarter": "2008-12-31"}})
    'set for this run: drivers.capex_unfunded = 5000000; parameter quarter = 2008-12-31'
    """
    variant = entry.get("variant") or {}
    if not isinstance(variant, Mapping):
        return ""
    parts = []
    for k, v in variant.items():
        if k == "set" and isinstance(v, Mapping):
            parts.append("set for this run: " + ", ".join(f"{a} = {b}" for a, b in v.items()))
        else:
            parts.append(f"parameter {k} = {v}")
    return "; ".join(parts)


def _heat(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Scenario x quarter: the tightest covenant's status and headroom (share of the level)."""
    quarters = sorted(
        {q for r in rows for q in ((r["summary"].get("dashboard") or {}).get("heat") or {})}
    )
    cells = []
    for r in rows:
        heat = (r["summary"].get("dashboard") or {}).get("heat") or {}
        cells.append({"name": r["name"], "cells": [heat.get(q) for q in quarters]})
    return {"quarters": quarters, "rows": cells}


def _status(summary: Mapping[str, Any], failed: bool) -> tuple[str, str, str]:
    """(status code for the colour, chip word, words) of a scenario's covenant results."""
    if "first_breach" not in summary:
        if failed:
            return "breach", "Failed", "The report failed: see the failures above"
        return "not_required", "Not run", "No projection report for this scenario"
    if summary["first_breach"]:
        title = summary.get("first_breach_covenant_title") or str(
            summary.get("first_breach_covenant") or "a covenant"
        ).replace("_", " ")
        return "breach", "Breach", f"First breach {summary['first_breach']} ({title})"
    end = summary.get("horizon_end")
    return "complies", "Complies", f"No breach through {end}" if end else "No breach"


def _links(out: Path, entry: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(href relative to ``out``, label) of each file of a report worth opening."""
    names = list(entry.get("files") or ())
    nb, folder = entry["notebook"], entry["folder"]
    links = []
    if entry["status"] == "failed":
        for suffix, label in (("html", "failed report"), ("ipynb", "failed notebook")):
            if f"{nb}.FAILED.{suffix}" in names:
                links.append((f"{folder}/{nb}.FAILED.{suffix}", label))
    for suffix, label in _LINKS:
        name = f"{nb}.{suffix}"
        if name in names:
            links.append((f"{folder}/{name}", label))
        elif entry["status"] == "failed" and _own_file(out / folder / name):
            links.append((f"{folder}/{name}", f"{label} (earlier run)"))
    for name in names:  # anything else a report wrote to read: the certificate
        if name.endswith(".html") and not name.startswith(f"{nb}."):
            links.append((f"{folder}/{name}", _label(name.removesuffix(".html"))))
    return links


def _label(stem: str) -> str:
    """``03-compliance-certificate-2008-03-31`` as ``Compliance certificate 2008-03-31``."""
    m = re.fullmatch(r"(?:\d\d-)?(.*?)(?:-(\d{4}-\d{2}-\d{2}))?", stem)
    words, date = (m.group(1), m.group(2)) if m else (stem, None)
    text = words.replace("-", " ").strip().capitalize()
    return f"{text} {date}" if date else text


def _merged(
    out: Path, entries: Sequence[Mapping[str, Any]], previous: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """This run's entries, then earlier reports this run did not touch whose files exist."""
    seen = {f"{e['folder']}/{e['notebook']}" for e in entries}
    merged = [dict(e) | {"this_run": True} for e in entries]
    for key, e in sorted(previous.items()):
        if key in seen:
            continue
        folder = out / e["folder"]
        if e.get("files") and all(_own_file(folder / f) for f in e["files"]):
            merged.append(dict(e) | {"this_run": False})
    return merged


def _own_file(path: Path) -> bool:
    """A regular file of the reports folder, not a link to somewhere else."""
    return path.is_file() and not path.is_symlink() and not path.parent.is_symlink()


def _when(stamp: Any) -> str:
    """``2026-12-02T05:21:59+00:00`` as ``2026-12-02 05:21:59 UTC``."""
    if not stamp:
        return "—"
    text = str(stamp).replace("T", " ")
    return text.removesuffix("+00:00") + " UTC" if text.endswith("+00:00") else text


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("model.reports", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["usd"] = lambda v: cell(v, "usd")
    env.filters["usd_whole"] = lambda v: cell(v, "usd_whole")
    env.filters["pct"] = lambda v: "—" if v is None else f"{v:.0%}"
    env.filters["when"] = _when
    return env


def _row(out: Path, entry: Mapping[str, Any], titles: Mapping[str, str]) -> dict[str, Any]:
    return {
        "entry": entry,
        "title": titles.get(entry["notebook"], entry["notebook"]),
        "links": _links(out, entry),
        "variant": variant_words(entry),
    }


def write_index(
    out: Path,
    entries: Sequence[Mapping[str, Any]],
    run: Mapping[str, Any],
    *,
    titles: Mapping[str, str] | None = None,
    previous: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[Path, Path]:
    """Write ``index.html`` and ``index.json`` into ``out`` (see the module docstring);
    ``titles`` maps each notebook to its title; ``previous`` is the last index's entries by
    ``folder/notebook``. Returns the two paths."""
    titles = dict(titles or {})
    reports = _merged(out, entries, previous or {})
    deals: dict[str, dict[str, Any]] = {}
    for e in sorted(reports, key=lambda e: e["folder"]):
        deal = deals.setdefault(
            e.get("deal") or "",
            {
                "name": e.get("deal") or "",
                "title": "",
                "scenarios": {},
                "historical": [],
                "compared": [],
            },
        )
        deal["title"] = deal["title"] or e.get("deal_title") or ""
        if _base(e["folder"]) == HISTORICAL:
            deal["historical"].append(_row(out, e, titles))
        elif _base(e["folder"]) == COMPARED:
            deal["compared"].append(_row(out, e, titles))
        else:
            deal["scenarios"].setdefault(e["folder"], e.get("scenario_title") or "")
            if variant_words(e):
                deal.setdefault("variants", {})[e["folder"]] = variant_words(e)
    scenario_rows: list[dict[str, Any]] = []
    for deal in deals.values():
        rows = []
        for folder, title in deal["scenarios"].items():
            summary = scenario_summary(out, folder, reports)
            failed = any(e["folder"] == folder and e["status"] == "failed" for e in reports)
            code, chip, words = _status(summary, failed)
            rows.append(
                {
                    "name": folder.rsplit("/", 1)[-1],
                    "folder": folder,
                    "deal": deal["name"],
                    "title": title,
                    "variant": (deal.get("variants") or {}).get(folder, ""),
                    "status_code": code,
                    "chip": chip,
                    "status": words,
                    "summary": summary,
                    "reports": [_row(out, e, titles) for e in reports if e["folder"] == folder],
                }
            )
        deal["scenario_rows"] = rows
        deal["history"] = deal_history(out, reports, deal["name"])
        deal["heat"] = _heat(rows)
        scenario_rows += rows
    report_rows = [_row(out, e, titles) for e in reports]
    failures = [r for r in report_rows if r["entry"]["status"] == "failed"]
    counts = {
        s: sum(1 for e in reports if e["this_run"] and e["status"] == s)
        for s in ("ok", "reused", "failed")
    }
    data: dict[str, Any] = {
        "format": INDEX_FORMAT,
        "run": dict(run) | {"counts": counts},
        "deals": [{"name": d["name"], "title": d["title"], **d["history"]} for d in deals.values()],
        "scenarios": [
            {
                "deal": r["deal"],
                "name": r["name"],
                "folder": r["folder"],
                "title": r["title"],
                "variant": r["variant"],
                "status": r["status"],
                **r["summary"],
            }
            for r in scenario_rows
        ],
        "reports": reports,
    }
    html_text = (
        _environment()
        .get_template("index.html.j2")
        .render(
            run=run,
            counts=counts,
            deals=list(deals.values()),
            reports=report_rows,
            failures=[r for r in failures if r["entry"]["this_run"]],
            earlier_failures=[r for r in failures if not r["entry"]["this_run"]],
            colours=STATUS_COLOURS,
            out=paths.shown(out),
        )
    )
    json_path, html_path = out / "index.json", out / "index.html"
    with paths.atomic_target(json_path) as tmp:
        tmp.write_text(
            json.dumps(data, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8"
        )
    with paths.atomic_target(html_path) as tmp:
        tmp.write_text(html_text, encoding="utf-8")
    return html_path, json_path
