"""The one place that formats figures for people: money, ratios, yes/no, tables.

:func:`cell` writes one value by its kind (:data:`KINDS`), for every table, certificate and
workbook (:data:`EXCEL_FORMATS`, the same kinds as Excel number formats). Money is rounded
to the cent half up, negatives in parentheses: :func:`usd` with cents, :func:`dollars` as
the agreements write amounts. Ratios are written as the certificates write them,
``1.25:1.00`` (:func:`ratio`), or as a multiple in the tables, ``1.19x``. The table formatters read the codes the covenant engine returns
(``status_code``, ``threshold_kind``, ``unit`` and the ``applies`` / ``complies``
booleans), never its sentences: a sentence (``status``, ``threshold_source``) is only
ever copied into a table as it is.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Hashable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from model.errors import InputError
from model.terms.facility import Facility
from model.values import is_missing, read_amount

__all__ = [
    "KINDS",
    "EXCEL_FORMATS",
    "STATUS_WORDS",
    "cell",
    "describe_interest_basis",
    "usd",
    "dollars",
    "ratio",
    "figure",
    "statement_figure",
    "headroom",
    "percent",
    "yes_no",
    "complies_word",
    "reporting_answer",
    "answer_class",
    "required_text",
    "actual_text",
    "UNDEFINED_TEXT",
    "money_table",
    "format_compliance_table",
    "format_comparison_table",
    "describe_version_change",
    "MISSING",
    "RATIO_BLANK",
]

MISSING = "—"
"""What a table shows where a figure does not apply."""

RATIO_BLANK = "____:1.00"
"""A ratio left for the reader to fill in, as the certificate forms print it."""

_COMPLIES_WORDS = {
    "complies": "Yes",
    "amber": "Yes",
    "breach": "No",
    "not_required": "Not required",
    "threshold_not_provided": "Threshold not provided",
    "no_threshold": "No threshold",
    "undefined": "No (cannot be computed)",
}
"""``status_code`` -> the answer a compliance table and a certificate give."""


KINDS: dict[str, str] = {
    "usd": "dollars and cents, negatives in parentheses: $1,234.56, ($1,234.56)",
    "usd_whole": "whole dollars, negatives in parentheses: $1,235, ($1,235)",
    "usd_terms": "as the agreements write amounts, cents only when there are some: "
    "$15,000,000, $1.50, ($2,000,000)",
    "percent": "12.3%, negatives (12.3%); n/m from 1,000% (a ratio to a near-zero base)",
    "percent_terms": "as the agreements write a rate: 20%, 12.5%",
    "ratio": "a multiple: 1.19x",
    "ratio_form": "as the certificates write a ratio: 1.25:1.00 (missing: the form's blank, ____:1.00)",
    "ratio_diff": "a difference of ratios to four places, negatives in parentheses: 0.0598, (0.1902)",
    "rate": "an interest rate: 5.25%",
    "date": "2008-06-30",
    "yes_no": "Yes / No",
    "int": "1,234, negatives (1,234)",
    "status": "a covenant status in words: Complies, Complies (amber), Breach ...",
    "figure": "already written",
    "text": "as written",
}
"""Every kind of value the reports write, and how (:func:`cell`). Missing values are
written ``—`` (the ratio form's blank for ``ratio_form``)."""

EXCEL_FORMATS = {
    "usd": '"$"#,##0.00;("$"#,##0.00);"$"0.00',
    "usd_whole": '"$"#,##0;("$"#,##0);"$"0',
    "usd_terms": '"$"#,##0.00;("$"#,##0.00);"$"0.00',
    "percent": "0.0%;(0.0%);0.0%",
    "percent_terms": "0.##%",
    "ratio": '0.00"x"',
    "ratio_form": '0.00":1.00"',
    "ratio_diff": "0.0000;(0.0000);0.0000",
    "rate": "0.00%",
    "date": "yyyy-mm-dd",
    "int": "#,##0;(#,##0)",
}
"""The Excel number format of each numeric kind: the workbook writes the same figure as the
HTML."""

PERCENT_MEANINGFUL = 10.0
"""A percentage of 1,000% or more (e.g. headroom over a required amount of $1) is written
``n/m``, not meaningful, as credit reports do; the workbook keeps the number."""

STATUS_WORDS = {
    "complies": "Complies",
    "amber": "Complies (amber)",
    "breach": "Breach",
    "undefined": "Cannot be computed",
    "not_required": "Not required",
    "threshold_not_provided": "Level not provided",
    "no_threshold": "No level this quarter",
}


def _number(x: Any) -> float | Decimal | None:
    if is_missing(x) or isinstance(x, bool | np.bool_):
        return None
    if isinstance(x, Decimal):
        return x
    if isinstance(x, int | float | np.integer | np.floating):
        f = float(x)
        return None if math.isnan(f) else f
    return None


def _money(x: Any, style: str) -> str:
    """Dollars rounded half up (to the cent, or to the dollar for ``usd_whole``), negatives
    in parentheses."""
    n = _number(x)
    if n is None:
        return MISSING if is_missing(x) else html.escape(str(x))
    d = (Decimal(str(n)) if isinstance(n, float) else Decimal(n)).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    if style == "usd_whole":
        d = d.quantize(Decimal(1), ROUND_HALF_UP)
    whole = style == "usd_whole" or (style == "usd_terms" and d == d.to_integral_value())
    body = f"${abs(d):,.0f}" if whole else f"${abs(d):,.2f}"
    return f"({body})" if d < 0 else body


def _quantized(n: float | Decimal, places: str) -> Decimal:
    return Decimal(str(n)).quantize(Decimal(places), ROUND_HALF_UP)


def cell(value: Any, kind: str) -> str:
    """One value as text, by the rules of its ``kind`` (:data:`KINDS`): the one formatter of
    every report, certificate and workbook.

    >>> cell(-1234.5, "usd"), cell(20315560.0, "usd_whole"), cell(0.0667, "percent")
    ('($1,234.50)', '$20,315,560', '6.7%')
    >>> cell(Decimal("1.1875"), "ratio"), cell(True, "yes_no"), cell(dt.date(2008, 6, 30), "date")
    ('1.19x', 'Yes', '2008-06-30')
    >>> cell(None, "usd"), cell(float("nan"), "percent"), cell(1234567, "int")
    ('—', '—', '1,234,567')
    >>> cell(9.994, "percent"), cell(2399999.0, "percent"), cell(-12.0, "percent")
    ('999.4%', 'n/m', 'n/m')
    >>> cell(Decimal("1.0598"), "ratio_form"), cell(None, "ratio_form"), cell(-0.19021, "ratio_diff")
    ('1.06:1.00', '____:1.00', '(0.1902)')
    >>> cell(Decimal("15000000"), "usd_terms"), cell(1.5, "usd_terms"), cell(Decimal("0.125"), "percent_terms")
    ('$15,000,000', '$1.50', '12.5%')
    """
    if kind in ("usd", "usd_whole", "usd_terms"):
        return _money(value, kind)
    if kind == "yes_no":
        if is_missing(value):
            return MISSING
        if isinstance(value, bool | np.bool_):
            return "Yes" if value else "No"
        return str(value)
    if kind == "date":
        if is_missing(value):
            return MISSING
        if isinstance(value, dt.datetime | pd.Timestamp):
            return value.date().isoformat()
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if kind == "status":
        return STATUS_WORDS.get(str(value), MISSING if is_missing(value) else str(value))
    if kind == "ratio_form" and is_missing(value):
        return RATIO_BLANK
    if kind == "figure":
        return MISSING if is_missing(value) else str(value)
    n = _number(value)
    if kind == "text" or n is None:
        return MISSING if is_missing(value) else str(value)
    f = float(n)
    if kind == "percent":
        if abs(f) >= PERCENT_MEANINGFUL:
            return "n/m"  # not meaningful: a percentage of a near-zero base
        return f"({abs(f):.1%})" if f < 0 else f"{f:.1%}"
    if kind == "percent_terms":
        return f"{(_quantized(n, '0.0001') * 100).normalize():f}%"
    if kind == "rate":
        return f"{f:.2%}"
    if kind == "ratio":
        return f"{_quantized(n, '0.01')}x"
    if kind == "ratio_form":
        return f"{_quantized(n, '0.01')}:1.00"
    if kind == "ratio_diff":
        d = _quantized(n, "0.0001")
        return f"({abs(d)})" if d < 0 else str(d)
    if kind == "int":
        whole = int(round(f))
        return f"({-whole:,})" if whole < 0 else f"{whole:,}"
    raise InputError(f"unknown column kind {kind!r}; kinds: {', '.join(KINDS)}", key="kind")


def _money_text(amount: Any) -> Any:
    """An amount given as text (``"2100000"``) read as money; anything else as it is."""
    return read_amount(amount, "amount", negative=True) if isinstance(amount, str) else amount


def usd(amount: Any) -> str:
    """Dollars with cents, rounded half up, negatives in parentheses; ``—`` when missing
    (:func:`cell`, kind ``usd``).

    >>> usd(Decimal("-2100000")), usd(1), usd(Decimal("0.125")), usd(Decimal("-0.125"))
    ('($2,100,000.00)', '$1.00', '$0.13', '($0.13)')
    >>> usd(None)
    '—'
    """
    return cell(_money_text(amount), "usd")


def dollars(amount: Any) -> str:
    """Dollars as the agreements write them: no cents unless there are some (:func:`cell`,
    kind ``usd_terms``).

    >>> dollars(Decimal("15000000")), dollars(Decimal("1.5")), dollars(None)
    ('$15,000,000', '$1.50', '—')
    """
    return cell(_money_text(amount), "usd_terms")


def ratio(x: Any) -> str:
    """A ratio as the certificates write it, to two places half up: ``1.25:1.00``; a
    missing ratio is the form's blank, ``____:1.00`` (:func:`cell`, kind ``ratio_form``).

    >>> ratio(Decimal("1.0598")), ratio(Decimal("1.125")), ratio(None)
    ('1.06:1.00', '1.13:1.00', '____:1.00')
    """
    return cell(x if is_missing(x) else read_amount(x, "ratio", negative=True), "ratio_form")


def figure(x: Any, unit: str) -> str:
    """A covenant figure in its ``unit`` (``usd``, ``ratio``, or ``percent`` for a
    constant of a build-up, to at most two places): kinds ``usd``, ``ratio_form`` and
    ``percent_terms`` of :func:`cell`.

    >>> figure(Decimal("8000000"), "usd"), figure(Decimal("1.0598"), "ratio")
    ('$8,000,000.00', '1.06:1.00')
    >>> figure(Decimal("0.20"), "percent"), figure(Decimal("0.125"), "percent")
    ('20%', '12.5%')
    >>> figure(Decimal("-2100000"), "usd")
    '($2,100,000.00)'
    """
    if unit == "percent" and not is_missing(x):
        return cell(Decimal(str(x)), "percent_terms")
    return ratio(x) if unit == "ratio" else usd(x)


def statement_figure(x: Any, unit: str) -> str:
    """A covenant figure as a financial statement writes it (the build-up lines of a
    certificate): :func:`figure`, whose money negatives are in parentheses already.

    >>> statement_figure(Decimal("-2100000"), "usd"), statement_figure(Decimal("5"), "usd")
    ('($2,100,000.00)', '$5.00')
    """
    return figure(x, unit)


def headroom(x: Any, unit: str) -> str:
    """Headroom (actual less required, or the reverse for a maximum): money with cents,
    or a ratio difference to four places (kinds ``usd`` and ``ratio_diff``); ``—`` when
    missing.

    >>> headroom(Decimal("-0.19021"), "ratio"), headroom(Decimal("500000"), "usd")
    ('(0.1902)', '$500,000.00')
    """
    if is_missing(x):
        return MISSING
    return cell(x, "ratio_diff") if unit == "ratio" else usd(x)


def percent(x: Any) -> str:
    """A fraction as a percentage to one decimal; empty when missing.

    >>> percent(0.0667), percent(float("nan"))
    ('6.7%', '')
    """
    return "" if is_missing(x) else f"{float(x):.1%}"


def yes_no(flag: Any) -> str:
    """A nullable boolean as ``yes``, ``no`` or ``—``.

    >>> yes_no(True), yes_no(False), yes_no(pd.NA)
    ('yes', 'no', '—')
    """
    return MISSING if is_missing(flag) else ("yes" if bool(flag) else "no")


def complies_word(status_code: Any) -> str:
    """The answer to "complies?" for an engine ``status_code``.

    >>> complies_word("amber"), complies_word("breach"), complies_word("not_required")
    ('Yes', 'No', 'Not required')
    """
    return (
        _COMPLIES_WORDS.get(str(status_code), MISSING) if not is_missing(status_code) else MISSING
    )


def reporting_answer(code: Any) -> str:
    """A reporting requirement's answer code (``yes``, ``no``, ``n/a``) as printed.

    >>> reporting_answer("yes"), reporting_answer("no"), reporting_answer("n/a")
    ('Yes', 'No', 'n/a')
    """
    return {"yes": "Yes", "no": "No"}.get(str(code), str(code))


def answer_class(code: Any) -> str:
    """The CSS class of an answer: ``yes`` (passes or delivered on time), ``no`` (fails or
    late), or empty, from a covenant ``status_code`` or a reporting answer code.

    >>> answer_class("amber"), answer_class("no"), answer_class("not_required")
    ('yes', 'no', '')
    """
    if code in ("complies", "amber", "yes"):
        return "yes"
    return "no" if code in ("breach", "undefined", "no") else ""


UNDEFINED_TEXT = "cannot be computed"
"""What a table shows for a metric that cannot be computed (``status_code == "undefined"``)."""


def actual_text(actual: Any, unit: str, status_code: Any = None) -> str:
    """A covenant's actual figure in its unit; ``cannot be computed`` for a metric the
    engine could not compute (``status_code == "undefined"``), ``—`` when missing.

    >>> actual_text(Decimal("2.76"), "ratio"), actual_text(None, "ratio", "undefined")
    ('2.76:1.00', 'cannot be computed')
    """
    if status_code == "undefined":
        return UNDEFINED_TEXT
    return MISSING if is_missing(actual) else figure(actual, unit)


def required_text(required: Any, unit: str, threshold_kind: Any = None) -> str:
    """The required level in its unit; ``not provided`` for a level the documents leave
    blank, ``—`` where no threshold covers the quarter (``threshold_kind == "none"``).

    >>> required_text(Decimal("7500000"), "usd"), required_text(None, "ratio")
    ('$7,500,000.00', 'not provided')
    >>> required_text(None, "usd", "none")
    '—'
    """
    if not is_missing(required):
        return figure(required, unit)
    return MISSING if threshold_kind == "none" else "not provided"


def money_table(df: pd.DataFrame, columns: Sequence[Hashable] | None = None) -> pd.DataFrame:
    """A copy of ``df`` with money columns written as the tables write them
    (:func:`cell`, kind ``usd``).

    By default every column holding Decimal values is formatted; other values of a
    formatted column (text, missing) are left as they are.

    >>> money_table(pd.DataFrame({"coupon": [Decimal("1160000")], "days": [180]})).to_string(index=False)
    '       coupon  days\\n$1,160,000.00   180'
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"must be a DataFrame, not {type(df).__name__}", key="df")
    out = df.copy()
    if isinstance(columns, str):
        columns = [columns]
    cols = (
        list(columns)
        if columns
        else [c for c in out.columns if out[c].map(lambda v: isinstance(v, Decimal)).any()]
    )
    unknown = [c for c in cols if c not in out.columns]
    if unknown:
        raise InputError(
            f"no column(s) {', '.join(map(str, unknown))}; columns: "
            f"{', '.join(map(str, out.columns))}",
            key="columns",
        )
    for c in cols:
        out[c] = out[c].map(_money_cell)
    return out


def _money_cell(v: Any) -> Any:
    is_number = isinstance(v, Decimal | int | float) and not isinstance(v, bool)
    return cell(v, "usd") if is_number and not is_missing(v) else v


def format_compliance_table(results: pd.DataFrame) -> pd.DataFrame:
    """:func:`model.engines.covenants.evaluate_covenants` output as display strings:
    money with cents, ratios x:1.00, Yes/No, headroom and %.

    Columns: ``required``, ``actual``, ``applies`` (yes/no), ``complies`` (Yes, No, Not
    required, Threshold not provided, No threshold), ``headroom``, ``headroom_pct``,
    ``amber`` (``AMBER`` for a pass inside the cushion) and ``version``; index: covenant.
    """
    rows = []
    for cid, r in results.iterrows():
        unit = str(r["unit"])
        rows.append(
            {
                "covenant": cid,
                "required": required_text(r["required"], unit, r["threshold_kind"]),
                "actual": actual_text(r["actual"], unit, r["status_code"]),
                "applies": yes_no(r["applies"]),
                "complies": complies_word(r["status_code"]),
                "headroom": "" if is_missing(r["headroom"]) else headroom(r["headroom"], unit),
                "headroom_pct": percent(r["headroom_pct"]),
                "amber": "AMBER" if r["status_code"] == "amber" else "",
                "version": r["version"],
            }
        )
    return pd.DataFrame(rows).set_index("covenant")


_CODE_FIELDS = ("unit", "status_code")
"""Fields of :func:`model.engines.covenants.compare_versions` read, not shown."""


def _units(comparison: pd.DataFrame, versions: Sequence[str]) -> dict[Hashable, str]:
    """Covenant -> unit, from whichever version has the covenant."""
    units: dict[Hashable, str] = {}
    for cid in comparison.index:
        for v in versions:
            u = comparison.at[cid, (v, "unit")] if (v, "unit") in comparison.columns else None
            if isinstance(u, str):
                units[cid] = u
        units.setdefault(cid, "usd")
    return units


def _comparison_cell(field: str, value: Any, unit: str) -> str:
    if field == "required":
        return required_text(value, unit)
    if field in ("actual", "headroom"):
        return headroom(value, unit) if field == "headroom" else _figure_or_missing(value, unit)
    if field in ("applies", "complies"):
        return yes_no(value)
    return MISSING if is_missing(value) else str(value)


def _figure_or_missing(value: Any, unit: str) -> str:
    return MISSING if is_missing(value) else figure(value, unit)


def format_comparison_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """:func:`model.engines.covenants.compare_versions` output as display strings: money
    with cents, ratios x:1.00, yes/no, ``—`` where a covenant is not in a version or a
    figure does not apply, ``not provided`` for a level the documents leave blank.

    Columns: (version, field) for every field but the codes ``unit`` and ``status_code``.

    Examples
    --------
    >>> from model import paths
    >>> from model.terms import load
    >>> from model.engines.covenants import compare_versions
    >>> fac = load(paths.PARAMS / "deals" / "ibasis" / "facilities" / "svb-loan-agreement.yaml")
    >>> acts = load(paths.PARAMS / "deals" / "ibasis" / "actuals" / "ibasis-2008.csv")
    >>> t = format_comparison_table(compare_versions(fac, "2008-03-31", acts))
    >>> first, last = fac.versions[0][0], fac.versions[-1][0]
    >>> t.loc["adjusted_quick_ratio", (first, "required")], t.loc["borrower_cash_flow", (first, "required")]
    ('not provided', '—')
    """
    versions = list(dict.fromkeys(comparison.columns.get_level_values(0)))
    units = _units(comparison, versions)
    out: dict[tuple[str, str], list[str]] = {}
    for version in versions:
        part = comparison[version]
        for field in [f for f in part.columns if f not in _CODE_FIELDS]:
            out[(version, str(field))] = [
                _comparison_cell(str(field), part.at[cid, field], units[cid])
                if not is_missing(part.at[cid, "status_code"])
                else MISSING
                for cid in part.index
            ]
    df = pd.DataFrame(out, index=comparison.index)
    df.columns = pd.MultiIndex.from_tuples(list(out))  # the (version, field) keys, in order
    return df


def _metric_title(facility: Facility, covenant: str) -> str:
    """The title of the metric a covenant tests, in any version of the facility."""
    for terms in facility.all_versions:
        for c in terms.covenants:
            if c.id == covenant:
                return facility.compliance.metric(c.metric).title
    return covenant


def _against(comparison: pd.DataFrame, covenant: str, version: str, label: str, unit: str) -> str:
    """How the actual figure fares against the level of one version, as a clause."""
    row = comparison.loc[covenant]
    code, required, complies, status = (
        row.get((version, f)) for f in ("status_code", "required", "complies", "status")
    )
    if is_missing(code):
        return f"is not a covenant of {label} terms"
    if is_missing(required):
        return f"has no level under {label} terms ({status})"
    level = figure(required, unit)
    if is_missing(complies):
        return f"is not tested against {label} {level} ({status})"
    return f"{'passes' if bool(complies) else 'fails'} {label} {level}"


def describe_version_change(
    facility: Facility,
    comparison: pd.DataFrame,
    covenant: str,
    quarter_end: dt.date | str,
    before: str | None = None,
    after: str | None = None,
) -> str:
    """One sentence, worded from :func:`model.engines.covenants.compare_versions` output:
    the actual figure of ``covenant`` and whether it passes or fails the level of each of
    two versions (so a change in the params files shows in the text).

    Parameters
    ----------
    facility : Facility
        The terms compared: they give the metric's title.
    comparison : DataFrame
        :func:`~model.engines.covenants.compare_versions` output.
    covenant : str
        Covenant id.
    quarter_end : date or ISO str
        Printed as the quarter.
    before, after : str, optional
        Version names; default the first and the last version of ``comparison``.

    Examples
    --------
    >>> from model import paths
    >>> from model.terms import load
    >>> from model.engines.covenants import compare_versions
    >>> fac = load(paths.PARAMS / "deals" / "ibasis" / "facilities" / "svb-loan-agreement.yaml")
    >>> acts = load(paths.PARAMS / "deals" / "ibasis" / "actuals" / "ibasis-2008.csv")
    >>> text = describe_version_change(fac, compare_versions(fac, "2008-03-31", acts),
    ...                                "consolidated_ebitda", "2008-03-31")
    >>> text.split(": ", 1)[1]
    'it fails the original $10,000,000.00 and passes the amended $7,500,000.00.'
    """
    versions = list(dict.fromkeys(comparison.columns.get_level_values(0)))
    first, last = before or versions[0], after or versions[-1]
    row = comparison.loc[covenant]
    units = [u for v in (first, last) if isinstance(u := row.get((v, "unit")), str)]
    unit = units[0] if units else "usd"
    actuals = [a for v in (first, last) if not is_missing(a := row.get((v, "actual")))]
    parts = [
        _against(comparison, covenant, first, "the original", unit),
        _against(comparison, covenant, last, "the amended", unit),
    ]
    shown = figure(actuals[0], unit) if actuals else "not computed"
    title = _metric_title(facility, covenant)
    return f"{title} for the quarter ended {quarter_end} is {shown}: it {parts[0]} and {parts[1]}."


def describe_interest_basis(basis: Sequence[Mapping[str, Any]]) -> str:
    """One line per entry of :func:`model.engines.facility.interest_basis`: the base rate,
    the margin with its provenance, the over-advance margin, the day count and payments.

    >>> print(describe_interest_basis([{"version": "v1", "from": "2008-01-01",
    ...     "base_rate_index": "prime", "base_rate_source": "rates.csv", "margin": Decimal("0.005"),
    ...     "margin_basis": "Sec. 2.4", "over_advance_margin": None, "day_count": "ACT/360",
    ...     "payment_frequency": "monthly"}]))
    v1 from 2008-01-01: base rate: prime path from rates.csv; margin 0.50% (Sec. 2.4); ACT/360, paid monthly
    """
    lines = []
    for b in basis:
        src = f" from {b['base_rate_source']}" if b["base_rate_source"] else ""
        text = (
            f"{b['version']} from {b['from']}: base rate: {b['base_rate_index']} path{src}; "
            f"margin {b['margin']:.2%} ({b['margin_basis']})"
        )
        if b["over_advance_margin"] is not None:
            text += (
                f"; over-advance tranche +{b['over_advance_margin']:.2%} "
                f"({b['over_advance_margin_basis']})"
            )
        lines.append(f"{text}; {b['day_count']}, paid {b['payment_frequency']}")
    return "\n".join(lines)
