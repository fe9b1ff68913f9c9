"""Financial covenant compliance (Loan Agreement Sec. 6.9 as amended): are we in, by how much.

Pure functions of (terms, actuals, inputs): no global evaluation date.

* :func:`evaluate_covenants`: one quarter, one row per covenant;
* :func:`evaluate_history`: several quarters, one table;
* :func:`compare_versions`: the same actuals under the original and amended terms.

Which version of the terms applies
----------------------------------
By default, the version in force on the day the quarter's Compliance Certificate is
due (:func:`model.reporting_calendar.governing_due_date`): quarter end + 45 days
(Exhibit B reporting table, "Quarterly within 45 days"), and for a fiscal year-end
quarter the later of that and FYE + 120 days ("Annual financial statement (CPA
Audited) + CC ... FYE within 120 days"). So the quarter ended 2008-03-31 (certificate
due 2008-05-15) is tested under the First Loan Modification of 2008-04-28, and so is the
quarter ended 2007-12-31 (annual certificate due 2008-04-29): the amended Sec. 6.9(iii)
names a level for exactly that quarter ("(I) for the fiscal quarter ending December 31,
2007, $1.00"), which the 45-day rule alone would never reach. Pass ``version=`` to ask
for another; the ``version`` and ``version_basis`` columns say which was used and why.
This default is an interpretation, not a term of the agreement: ``version_basis`` (and so
the certificate) labels it "(assumption: the terms in force when the certificate is due
govern the quarter)".

Thresholds the documents give cannot be replaced silently
--------------------------------------------------------
``thresholds=`` only fills a level the documents leave blank (``amount: null``: the
Adjusted Quick Ratio of Sec. 6.9(i)). Changing a documented level is scenario analysis:
pass ``overrides=``; every result row then says "OVERRIDE of the documented ..." in
``threshold_source`` and the certificate lists it as an exception.

Springing tests
---------------
Sec. 6.9(iii) applies "for any fiscal quarter in which" liquidity (unrestricted cash
and Cash Equivalents at Bank plus the Availability Amount) is below the trigger. The
text does not say whether at quarter end or on any day, so both readings exist:
``springing_reading="any_day"`` (default, the stricter: the test applies if liquidity
was below the trigger on any day of the quarter, from the daily ledger) or
``"quarter_end"``. The ``applies_reason`` column states the reading, the figure and
where the liquidity came from (``liquidity_source``; the step-2 ledger inputs are
illustrative scenario files). Days of the quarter the ledger does not cover are taken
as below the trigger (stricter); a quarter-end reading needs a figure on the quarter
end (the ledger's, else the actuals' ``liquidity_quarter_end`` line, else an error).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from model.metrics import compute_metric
from model.reporting_calendar import governing_due_date
from model.terms.actuals import Actuals, parse_quarter_end
from model.terms.covenants import Condition, Covenant, ThresholdStep
from model.values import as_money, quarter_start, to_cents

__all__ = [
    "evaluate_covenants",
    "evaluate_history",
    "compare_versions",
    "resolve_terms",
    "springing_applies",
    "READINGS",
    "RESULT_COLUMNS",
    "OVERRIDE_PREFIX",
    "DEFAULT_VERSION_ASSUMPTION",
    "LIQUIDITY_SCOPE_WARNING",
]

READINGS = ("any_day", "quarter_end")
"""Readings of "for any fiscal quarter in which liquidity is less than ...": any day
of the quarter (stricter, the default) or at quarter end."""

OVERRIDE_PREFIX = "OVERRIDE of the documented"
"""How ``threshold_source`` starts when a documented level was overridden."""

RESULT_COLUMNS = [
    "quarter_end",
    "title",
    "section",
    "metric",
    "unit",
    "direction",
    "required",
    "actual",
    "applies",
    "applies_reason",
    "liquidity_source",
    "complies",
    "status",
    "headroom",
    "headroom_pct",
    "amber",
    "cushion",
    "threshold_source",
    "version",
    "version_basis",
]

DEFAULT_VERSION_ASSUMPTION = (
    "(assumption: the terms in force when the certificate is due govern the quarter)"
)
"""Appended to ``version_basis`` when the default rule picked the version: the agreement
does not say which version governs a quarter whose certificate falls due after an amendment."""

_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _money(x: Any) -> str:
    """Dollars as in the agreement: no cents when whole, else cents (half up).

    >>> _money(Decimal("20000000")), _money(Decimal("0.125"))
    ('$20,000,000', '$0.13')
    """
    d = to_cents(x)
    return f"${d:,.0f}" if d == d.to_integral_value() else f"${d:,}"


def _step_source(step: ThresholdStep) -> str:
    return step.source or f"ASSUMPTION: {step.assumption}"


def resolve_terms(
    facility: Any, quarter_end: dt.date, version: str | dt.date | None = None
) -> tuple[tuple[Covenant, ...], str, str]:
    """The covenants that apply to ``quarter_end``, the version name and why it was chosen.

    Parameters
    ----------
    facility : Facility, FacilityTerms, CovenantBook, CovenantVersion or sequence of Covenant
        Anything with ``terms_as_of``/``version`` (a facility), or with ``covenants``
        (one version's terms), or the covenants themselves.
    quarter_end : date
    version : str or date, optional
        A version name (``"original"``, ``"first_modification"``), or a date whose
        terms in force are wanted. Default: in force when the certificate is due
        (:func:`model.reporting_calendar.governing_due_date`).

    Examples
    --------
    >>> from model.terms.covenants import load_covenant_book
    >>> book = load_covenant_book("tests/fixtures/covenants_svb.yaml")
    >>> resolve_terms(book, dt.date(2008, 3, 31))[1:]
    ('first_modification', "in force on 2008-05-15, when the quarterly Compliance Certificate for 2008-03-31 is due (rule: quarter end + 45 days; Exhibit B: 'Quarterly within 45 days'); (assumption: the terms in force when the certificate is due govern the quarter)")
    >>> resolve_terms(book, dt.date(2007, 12, 31))[1]
    'first_modification'
    """
    if hasattr(facility, "terms_as_of"):
        if version is None:
            due, rule = governing_due_date(quarter_end)
            terms = facility.terms_as_of(due)
            basis = f"in force on {due}, when {rule}; {DEFAULT_VERSION_ASSUMPTION}"
        elif isinstance(version, dt.date):
            terms = facility.terms_as_of(version)
            basis = f"in force on {version} (requested)"
        else:
            known = [name for name, _ in facility.versions]
            if version not in known:
                raise ValueError(f"unknown version {version!r}; known: {', '.join(known)}")
            terms = facility.version(version)
            basis = "requested by the user"
        return tuple(terms.covenants), str(terms.version_name), basis
    if hasattr(facility, "covenants"):
        name = str(getattr(facility, "version_name", "given"))
        if version is not None and version != name:
            raise ValueError(
                f"version {version!r} requested but only the terms of {name!r} were given"
            )
        return tuple(facility.covenants), name, "terms given directly"
    covs = tuple(facility)
    if not all(isinstance(c, Covenant) for c in covs):
        raise TypeError(
            "facility must be a Facility, FacilityTerms, CovenantBook or a sequence of Covenant"
        )
    if version is not None:
        raise ValueError("version requested but only a list of covenants was given")
    return covs, "given", "covenants given directly"


def _quarter_end_covenants(
    facility: Any, q: dt.date, version: str | dt.date | None, version_name: str
) -> tuple[str, dict[str, Covenant]]:
    """Covenants of the version in force at the quarter end, when it differs from the one
    chosen by the default rule.

    An amendment that rewrites a covenant from a later quarter on (First Loan Modification,
    new 6.9(ii): levels from the quarter ending 2008-03-31) does not waive the test of an
    earlier quarter whose certificate falls due after it (2007-12-31, annual certificate
    due 2008-04-30): that quarter keeps the level in force when it ended ($10,000,000,
    original 6.9(ii)). Only with the default rule; an explicit ``version`` is taken as is.
    """
    if version is not None or not hasattr(facility, "terms_as_of"):
        return "", {}
    try:
        at_end = facility.terms_as_of(q)
    except (KeyError, ValueError):
        return "", {}
    if str(at_end.version_name) == version_name:
        return "", {}
    return str(at_end.version_name), {c.id: c for c in at_end.covenants}


def _liquidity_series(liquidity: Any) -> pd.Series | None:
    if isinstance(liquidity, pd.DataFrame):
        if "liquidity" not in liquidity.columns:
            raise ValueError("a daily ledger DataFrame must have a 'liquidity' column")
        liquidity = liquidity["liquidity"]
    if isinstance(liquidity, pd.Series):
        s = liquidity.copy()
        s.index = pd.DatetimeIndex(pd.to_datetime(s.index)).normalize()
        return s.sort_index()
    return None


def _window(series: pd.Series, quarter_end: dt.date) -> pd.Series:
    start = quarter_start(quarter_end)
    return series[
        (series.index >= pd.Timestamp(start)) & (series.index <= pd.Timestamp(quarter_end))
    ]


def _gaps(days: Sequence[dt.date], start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Runs of calendar days in [start, end] not in ``days``."""
    have = set(days)
    out: list[tuple[dt.date, dt.date]] = []
    d = start
    while d <= end:
        if d not in have:
            first = d
            while d + dt.timedelta(days=1) <= end and d + dt.timedelta(days=1) not in have:
                d += dt.timedelta(days=1)
            out.append((first, d))
        d += dt.timedelta(days=1)
    return out


def springing_applies(
    condition: Condition,
    quarter_end: dt.date,
    liquidity: Any,
    reading: str = "any_day",
) -> tuple[bool, str, Decimal | None]:
    """Whether a springing ``condition`` (e.g. liquidity < $20,000,000) holds for a quarter.

    Parameters
    ----------
    condition : Condition
        Metric, comparison and amount (structured data; nothing is evaluated).
    quarter_end : date
    liquidity : number, pandas Series or DataFrame, or None
        A number is a single (quarter-end) reading. A Series (or a ledger DataFrame with a
        ``liquidity`` column) indexed by date gives daily readings. ``None``: not known.
    reading : {"any_day", "quarter_end"}
        ``any_day``: the condition springs if it holds on any day of the quarter (stricter);
        ``quarter_end``: only the quarter-end reading counts.

    Returns
    -------
    applies : bool
    reason : str
        The reading used and the figure it was decided on.
    observed : Decimal or None
        The minimum over the quarter (any_day) or the quarter-end value.

    Raises
    ------
    ValueError
        A daily series with no day in the quarter, or (``quarter_end`` reading) one
        without the quarter-end day: the last ledger day is not the quarter end.

    Notes
    -----
    Sec. 6.9(iii) as amended (First Loan Modification Sec. 3.A.VII): "For any fiscal
    quarter in which Borrower's unrestricted cash and Cash Equivalents maintained at Bank
    plus the Availability Amount under the Revolving Line is less than $20,000,000".
    With no liquidity at all the condition is taken to spring (the stricter reading).
    Under the any-day reading, days of the quarter the daily series does not cover are
    unknown and are taken as below the trigger (stricter), and the reason says so.

    Examples
    --------
    >>> cond = Condition(metric="liquidity", comparison="<", amount=20000000, source="6.9(iii)")
    >>> springing_applies(cond, dt.date(2008, 6, 30), Decimal("19999999.99"), "quarter_end")[:2]
    (True, 'quarter-end reading: liquidity $19,999,999.99 < $20,000,000: test applies')
    >>> springing_applies(cond, dt.date(2008, 6, 30), 20000000, "quarter_end")[0]
    False
    >>> daily = pd.Series(25000000, index=pd.date_range("2008-05-01", "2008-06-30"))
    >>> ok, why, _ = springing_applies(cond, dt.date(2008, 6, 30), daily)
    >>> ok, why.split("; ")[1]
    (True, 'ledger covers 61 of 91 days')
    """
    if reading not in READINGS:
        raise ValueError(f"unknown springing_reading {reading!r}; valid: {', '.join(READINGS)}")
    if condition.metric != "liquidity":
        raise ValueError(
            f"springing conditions on {condition.metric!r} are not supported; only 'liquidity'"
        )
    op = _OPS[condition.comparison]
    trig = f"{condition.comparison} {_money(condition.amount)}"
    if liquidity is None:
        return True, f"liquidity not provided: tested as if liquidity {trig} (stricter)", None
    series = _liquidity_series(liquidity)
    if series is None:
        value = as_money(liquidity, "liquidity", allow_negative=True)
        holds = bool(op(value, condition.amount))
        verdict = "test applies" if holds else "test does not apply"
        if reading == "quarter_end":
            return (
                holds,
                f"quarter-end reading: liquidity {_money(value)} {trig if holds else 'not ' + trig}: {verdict}",
                value,
            )
        return (
            holds,
            f"any-day reading requested but only one figure given ({_money(value)}, taken as the "
            f"quarter's only observation): {'' if holds else 'not '}{trig}: {verdict}; "
            "supply the daily ledger for the any-day test",
            value,
        )
    start = quarter_start(quarter_end)
    window = _window(series, quarter_end)
    if window.empty:
        raise ValueError(
            f"the daily liquidity has no observation in the quarter {start} to {quarter_end}"
        )
    values = [
        as_money(v, f"liquidity on {d.date()}", allow_negative=True)
        for d, v in zip(window.index, window.to_numpy(), strict=True)
    ]
    if reading == "quarter_end":
        last_day = window.index[-1].date()
        if last_day != quarter_end:
            raise ValueError(
                f"quarter-end reading for {quarter_end}: the daily ledger ends on {last_day}, "
                "before the quarter end; give the quarter-end liquidity as a number (or the "
                "actuals line liquidity_quarter_end) instead of reading the last ledger day"
            )
        value = values[-1]
        holds = bool(op(value, condition.amount))
        return (
            holds,
            f"quarter-end reading (daily ledger): liquidity {_money(value)} on {quarter_end} "
            f"{'' if holds else 'not '}{trig}: {'test applies' if holds else 'test does not apply'}",
            value,
        )
    days = (quarter_end - start).days + 1
    covered = [d.date() for d in window.index]
    hits = [d for d, v in zip(covered, values, strict=True) if op(v, condition.amount)]
    low = min(values)
    low_day = covered[values.index(low)]
    if hits:
        coverage = (
            ""
            if len(set(covered)) >= days
            else f"; ledger covers {len(set(covered))} of {days} days"
        )
        return (
            True,
            f"any-day reading (daily ledger): liquidity {trig} on {len(hits)} day(s), first "
            f"{hits[0]}; minimum {_money(low)} on {low_day}: test applies{coverage}",
            low,
        )
    if len(set(covered)) < days:
        gaps = ", ".join(
            f"{a}" if a == b else f"{a} to {b}" for a, b in _gaps(covered, start, quarter_end)
        )
        return (
            True,
            f"any-day reading (daily ledger): liquidity never {trig} on the days covered (minimum "
            f"{_money(low)} on {low_day}); ledger covers {len(set(covered))} of {days} days; "
            f"days not covered ({gaps}) treated as {trig} (stricter, liquidity unknown): "
            "test applies",
            low,
        )
    return (
        False,
        f"any-day reading (daily ledger): liquidity never {trig}; minimum {_money(low)} on "
        f"{low_day}: test does not apply",
        low,
    )


def _items_for(actuals: Any, q: dt.date) -> Mapping[str, Any]:
    if isinstance(actuals, Actuals):
        return actuals.quarter(q)
    if hasattr(actuals, "quarter") and callable(actuals.quarter):
        return actuals.quarter(q)
    if isinstance(actuals, Mapping):
        return actuals
    raise TypeError("actuals must be an Actuals object or a mapping of line items")


LIQUIDITY_SCOPE_WARNING = "WARNING: liquidity_quarter_end"
"""How the reason starts its note when the actuals' liquidity is below their line I.A cash."""


def _liquidity_scope_warning(liquidity: Decimal, items: Mapping[str, Any]) -> str:
    """A warning (never an error) when the actuals' quarter-end liquidity is below their
    Schedule 1 line I.A cash at Bank.

    Line I.A is the cash at Bank of Borrower *and Subsidiaries* (consolidated); the Sec.
    6.9(iii) liquidity is the *Borrower's* cash at Bank plus the Availability Amount. So
    liquidity below I.A is possible (Subsidiaries' cash at the Bank), but it is what a
    typing error looks like too: say so, and let the analyst check.

    >>> _liquidity_scope_warning(Decimal("17500000"), {"cash_at_bank": Decimal("25000000")})[:60]
    ' [WARNING: liquidity_quarter_end $17,500,000 is below line I'
    >>> _liquidity_scope_warning(Decimal("27500000"), {"cash_at_bank": Decimal("25000000")})
    ''
    """
    if "cash_at_bank" not in items:
        return ""
    cash = as_money(items["cash_at_bank"], "cash_at_bank")
    if liquidity >= cash:
        return ""
    return (
        f" [{LIQUIDITY_SCOPE_WARNING} {_money(liquidity)} is below line I.A cash_at_bank "
        f"{_money(cash)}: I.A is consolidated (Borrower and Subsidiaries), liquidity is the "
        "Borrower's cash at Bank plus Availability, so this holds only if Subsidiaries keep "
        f"at least {_money(cash - liquidity)} at the Bank; check both figures]"
    )


def _choose_liquidity(
    liquidity: Any,
    items: Mapping[str, Any],
    q: dt.date,
    reading: str,
    source: str | None,
) -> tuple[Any, str, str | None]:
    """The liquidity input for the springing test, a note for the reason, and its provenance.

    Falls back to the actuals' ``liquidity_quarter_end`` line when no liquidity is given,
    when a daily ledger has no day in the quarter, or (quarter-end reading) when the
    ledger does not reach the quarter end.
    """
    series = _liquidity_series(liquidity)
    why = None
    if liquidity is None:
        why = "no liquidity given"
    elif series is not None:
        window = _window(series, q)
        if window.empty:
            why = "the daily ledger does not cover this quarter"
        elif reading == "quarter_end" and window.index[-1].date() != q:
            why = (
                f"the daily ledger ends on {window.index[-1].date()}, before the quarter end, "
                "so it gives no quarter-end reading"
            )
    if why is not None and "liquidity_quarter_end" in items:
        entries = getattr(items, "entries", None)
        entry = entries.get("liquidity_quarter_end") if entries is not None else None
        prov = f"{entry.kind}: {entry.source}" if entry is not None else "given with the line items"
        value = as_money(items["liquidity_quarter_end"], "liquidity_quarter_end")
        return (
            value,
            f" [{why}: liquidity from the actuals line liquidity_quarter_end]"
            + _liquidity_scope_warning(value, items),
            f"actuals line liquidity_quarter_end ({prov})",
        )
    if liquidity is None:
        return None, "", None
    return liquidity, "", source or "given by the caller (provenance not stated)"


def _check_user_levels(
    covs: Sequence[Covenant],
    q: dt.date,
    version_name: str,
    thresholds: Mapping[str, Any] | None,
    overrides: Mapping[str, Any] | None,
) -> tuple[dict[str, Decimal], dict[str, tuple[Decimal, ThresholdStep]]]:
    by_id = {c.id: c for c in covs}
    for name, given in (("thresholds", thresholds), ("overrides", overrides)):
        for cid in given or {}:
            if cid not in by_id:
                raise ValueError(
                    f"unknown covenant id {cid!r} in {name}; covenants in version "
                    f"{version_name!r}: {', '.join(by_id)}"
                )
    both = sorted(set(thresholds or {}) & set(overrides or {}))
    if both:
        raise ValueError(f"{', '.join(both)}: given in both thresholds and overrides")
    user: dict[str, Decimal] = {}
    for cid, amount in (thresholds or {}).items():
        step = by_id[cid].step_for(q)
        if step is not None and step.amount is not None:
            raise ValueError(
                f"{cid}: the documents set the required level for the quarter ending {q} "
                f"(version {version_name!r}) at {_money(step.amount)} (source: "
                f"{_step_source(step)}); thresholds= only fills a level the documents leave "
                f"blank (the Adjusted Quick Ratio). For scenario analysis pass "
                f"overrides={{{cid!r}: ...}}: results and certificate then show it as an OVERRIDE"
            )
        user[cid] = as_money(amount, f"threshold for {cid}")
    over: dict[str, tuple[Decimal, ThresholdStep]] = {}
    for cid, amount in (overrides or {}).items():
        step = by_id[cid].step_for(q)
        if step is None or step.amount is None:
            raise ValueError(
                f"{cid}: the documents give no level for the quarter ending {q} (version "
                f"{version_name!r}), so there is nothing to override; give it with thresholds="
            )
        over[cid] = (as_money(amount, f"override for {cid}"), step)
    return user, over


def evaluate_covenants(
    facility: Any,
    quarter_end: Any,
    actuals: Any,
    liquidity: Any = None,
    version: str | dt.date | None = None,
    *,
    thresholds: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
    cushion: float | Decimal = Decimal("0.10"),
    springing_reading: str = "any_day",
    liquidity_source: str | None = None,
) -> pd.DataFrame:
    """Test every financial covenant for one fiscal quarter.

    Parameters
    ----------
    facility : Facility, FacilityTerms, CovenantBook or sequence of Covenant
        The terms (see :func:`resolve_terms`).
    quarter_end : date or ISO str
        A fiscal quarter end.
    actuals : Actuals or mapping
        The quarter's line items (:mod:`model.terms.actuals`).
    liquidity : number, Series, ledger DataFrame or None
        For springing tests (:func:`springing_applies`). ``None``: the actuals'
        ``liquidity_quarter_end`` line if present, else the condition is taken to spring.
    version : str or date, optional
        Which terms; default the version in force when the certificate is due.
    thresholds : mapping covenant id -> amount, optional
        Levels the documents leave blank (``amount: null``: the Adjusted Quick Ratio,
        Sec. 6.9(i)). A documented level cannot be given here: ValueError.
    overrides : mapping covenant id -> amount, optional
        Scenario analysis: replace a documented level. Each row says "OVERRIDE of the
        documented ... (source ...)" in ``threshold_source``.
    cushion : Decimal, default 0.10
        ``amber`` flags a passing test whose headroom is less than this fraction of
        the required level.
    springing_reading : {"any_day", "quarter_end"}
        See :func:`springing_applies`.
    liquidity_source : str, optional
        Provenance of ``liquidity`` (e.g. ``"illustrative: daily ledger from
        params/scenarios/svb-*.csv"``): shown in ``applies_reason`` and the
        ``liquidity_source`` column, and listed on the certificate.

    Returns
    -------
    DataFrame
        Index: covenant id. Columns :data:`RESULT_COLUMNS`: ``required``, ``actual`` and
        ``headroom`` as Decimal (dollars, or ratio points); ``applies``, ``complies`` and
        ``amber`` as nullable booleans (``complies`` is NA when the test does not apply or
        has no threshold; ``status`` says which).

    Notes
    -----
    For ``direction="min"`` (all of Sec. 6.9): complies iff actual >= required;
    headroom = actual - required. For ``"max"``: actual <= required; headroom =
    required - actual. headroom_pct = headroom / |required| (NaN if required is 0), so a
    $1.00 threshold gives a very large percentage. amber = complies and headroom_pct <
    cushion.

    Examples
    --------
    >>> from model.terms.covenants import load_covenant_book
    >>> from model.terms.actuals import load_actuals_csv
    >>> book = load_covenant_book("tests/fixtures/covenants_svb.yaml")
    >>> acts = load_actuals_csv("params/actuals/ibasis-2008.csv")
    >>> r = evaluate_covenants(book, "2008-03-31", acts, thresholds={"adjusted_quick_ratio": "1.00"})
    >>> row = r.loc["consolidated_ebitda"]
    >>> row["required"], row["actual"], bool(row["complies"]), row["version"]
    (Decimal('7500000'), Decimal('8000000'), True, 'first_modification')
    >>> evaluate_covenants(book, "2008-03-31", acts, thresholds={"consolidated_ebitda": 1})
    Traceback (most recent call last):
    ...
    ValueError: consolidated_ebitda: the documents set the required level for the quarter ending 2008-03-31 (version 'first_modification') at $7,500,000 (source: First Loan Modification Sec. 3.A.VII, new 6.9(ii)(a)); thresholds= only fills a level the documents leave blank (the Adjusted Quick Ratio). For scenario analysis pass overrides={'consolidated_ebitda': ...}: results and certificate then show it as an OVERRIDE
    """
    q = parse_quarter_end(quarter_end)
    covs, version_name, basis = resolve_terms(facility, q, version)
    if springing_reading not in READINGS:
        raise ValueError(
            f"unknown springing_reading {springing_reading!r}; valid: {', '.join(READINGS)}"
        )
    cushion_d = as_money(cushion, "cushion")
    user, over = _check_user_levels(covs, q, version_name, thresholds, overrides)
    items = _items_for(actuals, q)
    liq_input, liq_note, liq_source = _choose_liquidity(
        liquidity, items, q, springing_reading, liquidity_source
    )

    fallback = _quarter_end_covenants(facility, q, version, version_name)
    rows = []
    for cov in covs:
        step = cov.step_for(q)
        carried_from: str | None = None
        if step is None and cov.id in fallback[1] and fallback[1][cov.id].step_for(q) is not None:
            step = fallback[1][cov.id].step_for(q)
            carried_from = fallback[0]
        build = compute_metric(cov.metric, items, q)
        actual = build.value
        required: Decimal | None
        if cov.id in user:
            required = user[cov.id]
            source = (
                "user input"
                if step is not None
                else "user input (the documents set no level for this quarter)"
            )
        elif cov.id in over:
            required, documented = over[cov.id]
            source = (
                f"{OVERRIDE_PREFIX} {_money(documented.amount)} (source: "
                f"{_step_source(documented)}); scenario analysis, not the documents"
            )
        elif step is not None:
            required = step.amount
            source = _step_source(step)
            if carried_from is not None:
                source += (
                    f" [version {version_name!r} sets no level for the quarter ending {q}; the level "
                    f"of version {carried_from!r}, in force at the quarter end, applies]"
                )
        else:
            required, source = None, "no threshold step covers this quarter"
        row_source: str | None = None
        if cov.springing is not None:
            applies, reason, _ = springing_applies(cov.springing, q, liq_input, springing_reading)
            reason += liq_note
            row_source = liq_source
            if liq_source is not None:
                reason += f" [liquidity source: {liq_source}]"
        else:
            applies, reason = True, "always tested (no springing condition)"
        complies: Any = pd.NA
        headroom: Any = None
        pct = np.nan
        amber: Any = pd.NA
        if step is None and cov.id not in user:
            applies, reason = (
                False,
                f"no threshold for the quarter ending {q} in version {version_name!r}",
            )
            status = "no threshold for this quarter"
        elif required is None:
            status = "threshold not provided"
        else:
            headroom = actual - required if cov.direction == "min" else required - actual
            pct = float(headroom / abs(required)) if required != 0 else np.nan
            if applies:
                ok = actual >= required if cov.direction == "min" else actual <= required
                complies = bool(ok)
                amber = bool(ok and required != 0 and headroom / abs(required) < cushion_d)
                status = (
                    ("complies (amber: inside cushion)" if amber else "complies")
                    if ok
                    else "does not comply"
                )
            else:
                status = "not required (condition not met)"
        rows.append(
            {
                "covenant": cov.id,
                "quarter_end": q,
                "title": cov.title,
                "section": cov.section,
                "metric": cov.metric,
                "unit": cov.unit,
                "direction": cov.direction,
                "required": required,
                "actual": actual,
                "applies": applies,
                "applies_reason": reason,
                "liquidity_source": row_source,
                "complies": complies,
                "status": status,
                "headroom": headroom,
                "headroom_pct": pct,
                "amber": amber,
                "cushion": cushion_d,
                "threshold_source": source,
                "version": version_name,
                "version_basis": basis,
            }
        )
    df = pd.DataFrame(rows, columns=["covenant", *RESULT_COLUMNS]).set_index("covenant")
    for col in ("applies", "complies", "amber"):
        df[col] = df[col].astype("boolean")
    df["headroom_pct"] = df["headroom_pct"].astype(float)
    return df


def _liquidity_for(liquidity: Any, q: dt.date) -> Any:
    if isinstance(liquidity, Mapping):
        for key, value in liquidity.items():
            if parse_quarter_end(key) == q:
                return value
        return None
    return liquidity


def evaluate_history(
    facility: Any,
    quarter_ends: Iterable[Any],
    actuals: Any,
    liquidity: Any = None,
    version: str | dt.date | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """:func:`evaluate_covenants` over several quarters, as one table.

    ``liquidity`` may be a daily Series/ledger (sliced per quarter), a mapping
    ``quarter_end -> figure``, or None. The version is resolved per quarter (so a
    history crossing the 2008-04-28 amendment switches terms) unless ``version`` is given.

    Returns
    -------
    DataFrame
        MultiIndex (quarter_end, covenant), the columns of :func:`evaluate_covenants`.

    Examples
    --------
    >>> from model.terms.covenants import load_covenant_book
    >>> from model.terms.actuals import load_actuals_csv
    >>> book = load_covenant_book("tests/fixtures/covenants_svb.yaml")
    >>> acts = load_actuals_csv("params/actuals/ibasis-2008.csv")
    >>> h = evaluate_history(book, ["2007-12-31", "2008-03-31"], acts)
    >>> h.xs("borrower_cash_flow", level="covenant")["required"].tolist()  # amended 6.9(iii)(I), (II)
    [Decimal('1.00'), Decimal('2000000')]
    >>> h.loc[(dt.date(2007, 12, 31), "consolidated_ebitda"), "required"]  # original level kept
    Decimal('10000000')

    """
    frames = []
    for qe in quarter_ends:
        q = parse_quarter_end(qe)
        df = evaluate_covenants(
            facility, q, actuals, _liquidity_for(liquidity, q), version, **kwargs
        )
        frames.append(df.reset_index())
    out = pd.concat(frames, ignore_index=True)
    return out.set_index(["quarter_end", "covenant"])


def compare_versions(
    facility: Any,
    quarter_end: Any,
    actuals: Any,
    liquidity: Any = None,
    versions: Sequence[str] | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """The same actuals under each version of the terms, side by side.

    Returns
    -------
    DataFrame
        Index: covenant id (the union over versions, a covenant absent from a version
        shows NA). Columns: MultiIndex (version, field) for field in required, actual,
        applies, complies, status, headroom, unit. For display use
        :func:`model.certificate.format_comparison_table`.

    Examples
    --------
    >>> from model.terms.covenants import load_covenant_book
    >>> book = load_covenant_book("tests/fixtures/covenants_svb.yaml")
    >>> items = {"net_income": 8000000, "interest_expense": 0, "depreciation": 0,
    ...          "amortization": 0, "income_tax_expense": 0, "non_cash_items": 0,
    ...          "kpn_transaction_costs": 0, "cash_at_bank": 1, "net_billed_receivables": 1,
    ...          "short_term_investments": 0, "obligations_to_bank": 0,
    ...          "liabilities_due_within_one_year": 1, "deferred_revenue": 0,
    ...          "borrower_ebitda": 3000000, "unfunded_capex": 0, "income_taxes_paid": 0,
    ...          "dividends_and_distributions": 0}
    >>> c = compare_versions(book, "2008-03-31", items, liquidity=25000000)
    >>> [bool(c.loc["consolidated_ebitda", (v, "complies")]) for v in ("original", "first_modification")]
    [False, True]
    """
    q = parse_quarter_end(quarter_end)
    names = list(versions) if versions is not None else [n for n, _ in facility.versions]
    fields = ["required", "actual", "applies", "complies", "status", "headroom", "unit"]
    parts = {}
    order: list[str] = []
    for name in names:
        df = evaluate_covenants(facility, q, actuals, liquidity, name, **kwargs)
        parts[name] = df[fields]
        order += [i for i in df.index if i not in order]
    out = pd.concat(parts, axis=1)
    return out.reindex(order)
