"""Reporting covenants: due dates, whether deliveries were on time, and which certificate
decides the version of the terms for a quarter.

The requirements are the deal's (``reporting`` of its compliance file,
:class:`model.terms.compliance.ReportingRequirement`): what is delivered, how often
(``month``, ``quarter``, ``fiscal_year``, on each ``filing`` of given forms, or on
given ``days_of_month``) and how many days after the period end or filing it is due.
For the SVB facility that is the reporting table of Exhibit B.

Conventions (the documents are silent; stated so the user can disagree): "days" are
calendar days, with no roll to a business day; a quarterly requirement is due for every
fiscal quarter including the fourth; a day of the month past the month's end (the
"30th" in February) is its last day; requirements due on days of the month are due on
their as-of date (stricter).

Which certificate decides the version of the terms
--------------------------------------------------
:func:`governing_due_date` states the rule the covenant engine uses to pick the terms
for a quarter: the day the quarter's compliance certificate is due (the requirement that
carries the ``quarterly`` certificate), and for a fiscal year-end quarter the later of
that and the annual certificate's due date (the requirement that carries the ``annual``
certificate), because that is the certificate that finally certifies the year-end
quarter. For the SVB facility: quarter end + 45 days, and FYE + 120 days for December,
which is what makes the First Loan Modification's clause "(I) for the fiscal quarter
ending December 31, 2007, $1.00" reachable (annual certificate due 2008-04-29, after the
modification's 2008-04-28 execution date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from model.dates.periods import month_end, month_ends_between, read_quarter_end
from model.errors import InputError
from model.terms.compliance import ComplianceTerms, ReportingRequirement
from model.terms.facility import Facility, FacilityTerms
from model.values import read_date, read_flag, read_name

__all__ = [
    "compliance_terms",
    "certificate_due_date",
    "governing_due_date",
    "due_date_for",
    "reporting_due_dates",
    "reporting_compliance",
    "reporting_summary",
    "DUE_COLUMNS",
]

DUE_COLUMNS = ["requirement", "title", "required", "period_end", "due_date", "basis"]

TermsLike = Facility | FacilityTerms | ComplianceTerms


def compliance_terms(terms: TermsLike) -> ComplianceTerms:
    """The compliance terms of a facility, of one version, or the compliance terms themselves."""
    if isinstance(terms, ComplianceTerms):
        return terms
    if isinstance(terms, Facility | FacilityTerms):
        return terms.compliance
    raise InputError(
        "terms must be a Facility, FacilityTerms or ComplianceTerms (from params/), not "
        f"{type(terms).__name__}",
        key="terms",
    )


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def certificate_due_date(terms: TermsLike, quarter_end: Any) -> dt.date | None:
    """When the quarterly compliance certificate for ``quarter_end`` is due (None: the deal
    has no quarterly certificate).

    >>> from model.terms import load
    >>> f = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> certificate_due_date(f, "2008-03-31"), certificate_due_date(f, "2007-12-31")
    (datetime.date(2008, 5, 15), datetime.date(2008, 2, 14))
    """
    q = read_quarter_end(quarter_end)
    req = compliance_terms(terms).requirement("quarterly")
    return None if req is None else q + dt.timedelta(days=req.days_after)


def _is_fiscal_year_end(comp: ComplianceTerms, d: dt.date) -> bool:
    return d.month == comp.fiscal_year_end_month.value


def governing_due_date(terms: TermsLike, quarter_end: Any) -> tuple[dt.date, str]:
    """The due date of the compliance certificate that decides which terms apply to a
    quarter, and the rule as a label (see the module docstring).

    >>> from model.terms import load
    >>> f = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> governing_due_date(f, dt.date(2008, 3, 31))
    (datetime.date(2008, 5, 15), "the quarterly Compliance Certificate for 2008-03-31 is due (rule: quarter end + 45 days; Exhibit B: 'Quarterly within 45 days')")
    >>> d, rule = governing_due_date(f, dt.date(2007, 12, 31))
    >>> d, rule.split(" (")[0]
    (datetime.date(2008, 4, 29), 'the annual Compliance Certificate for the fiscal year ended 2007-12-31 is due')
    """
    return due_date_for(terms, read_quarter_end(quarter_end))


def due_date_for(terms: TermsLike, q: dt.date) -> tuple[dt.date, str]:
    """:func:`governing_due_date` for a quarter end already read."""
    comp = compliance_terms(terms)
    name = comp.certificate.name
    quarterly_req, annual_req = comp.requirement("quarterly"), comp.requirement("annual")
    if quarterly_req is None:
        return q, f"the deal has no quarterly {name}: the terms in force at the quarter end"
    quarterly = q + dt.timedelta(days=quarterly_req.days_after)
    ref = quarterly_req.reference or "reporting requirements"
    if annual_req is None or not _is_fiscal_year_end(comp, q):
        return quarterly, (
            f"the quarterly {name} for {q} is due (rule: quarter end + "
            f"{quarterly_req.days_after} days; {ref}: '{quarterly_req.required}')"
        )
    annual = q + dt.timedelta(days=annual_req.days_after)
    return max(quarterly, annual), (
        f"the annual {name} for the fiscal year ended {q} is due (rule: for a fiscal year-end "
        f"quarter, the later of the quarterly certificate, quarter end + "
        f"{quarterly_req.days_after} days = {quarterly}, and the annual one, FYE + "
        f"{annual_req.days_after} days = {annual}; {ref}: '{quarterly_req.required}', "
        f"'{annual_req.title}: {annual_req.required}')"
    )


def _row(
    req: ReportingRequirement, period_end: dt.date, due: dt.date, basis: str
) -> dict[str, Any]:
    return {
        "requirement": req.id,
        "title": req.title,
        "required": req.required,
        "period_end": period_end,
        "due_date": due,
        "basis": basis,
    }


def _periodic_rows(comp: ComplianceTerms, s: dt.date, e: dt.date) -> list[dict[str, Any]]:
    """Month, quarter and fiscal-year requirements for period ends in [s, e]."""
    rows = []
    for me in month_ends_between(s, e):
        for req in comp.reporting:
            days = dt.timedelta(days=req.days_after)
            if req.every == "month":
                rows.append(_row(req, me, me + days, f"month end + {req.days_after} days"))
            elif req.every == "quarter" and me.month % 3 == 0:
                rows.append(_row(req, me, me + days, f"quarter end + {req.days_after} days"))
            elif req.every == "fiscal_year" and _is_fiscal_year_end(comp, me):
                rows.append(_row(req, me, me + days, f"fiscal year end + {req.days_after} days"))
    return rows


def _filing_requirement(comp: ComplianceTerms, form: str) -> ReportingRequirement | None:
    filings = [r for r in comp.reporting if r.every == "filing"]
    named = next((r for r in filings if form.upper() in {f.upper() for f in r.forms}), None)
    return named or next((r for r in filings if not r.forms), None)


def _filing_rows(
    comp: ComplianceTerms, filings: Iterable[tuple[Any, Any]], s: dt.date, e: dt.date
) -> list[dict[str, Any]]:
    rows = []
    for i, (form, filed) in enumerate(filings):
        name = read_name(form, f"filings[{i}].form")
        fd = read_date(filed, f"filings[{i}].date")
        req = _filing_requirement(comp, name)
        if req is None or not s <= fd <= e:
            continue
        due = fd + dt.timedelta(days=req.days_after)
        rows.append(_row(req, fd, due, f"{name} filed {fd} + {req.days_after} days"))
    return rows


def _days_of_month_rows(
    comp: ComplianceTerms, required_months: set[tuple[int, int]] | None, s: dt.date, e: dt.date
) -> list[dict[str, Any]]:
    """Requirements due on days of the month; those ``on_request`` only in the months the
    bank required them (``required_months``; None = every month)."""
    rows = []
    for req in comp.reporting:
        if req.every != "days_of_month":
            continue
        y, m = s.year, s.month
        while dt.date(y, m, 1) <= e:
            wanted = not req.on_request or required_months is None or (y, m) in required_months
            for day in req.days if wanted else ():
                d = dt.date(y, m, min(day, month_end(y, m).day))
                if s <= d <= e:
                    note = ", required by Bank" if req.on_request else ""
                    rows.append(_row(req, d, d, f"as of the {_ordinal(day)}{note}"))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return rows


def _required_months(
    bank_requires: bool | Iterable[Any],
) -> tuple[bool, set[tuple[int, int]] | None]:
    if isinstance(bank_requires, bool | str | int):
        return read_flag(bank_requires, "bank_requires_agings"), None
    months = set()
    for i, x in enumerate(bank_requires):
        d = read_date(x, f"bank_requires_agings[{i}]")
        months.add((d.year, d.month))
    return bool(months), months


def reporting_due_dates(
    terms: TermsLike,
    start: Any,
    end: Any,
    *,
    filings: Iterable[tuple[Any, Any]] = (),
    bank_requires_agings: bool | Iterable[Any] = False,
) -> pd.DataFrame:
    """Every reporting deliverable for periods ending in ``[start, end]``, with its due date.

    Parameters
    ----------
    terms : Facility, FacilityTerms or ComplianceTerms
        The deal's reporting requirements.
    start, end : date or ISO str
        Period ends (month, quarter or year ends), filings and days of the month in this
        range are included.
    filings : iterable of (form, filing_date)
        Filings made: each is due under the requirement that lists its form, else the one
        for filings with no forms listed.
    bank_requires_agings : bool or iterable of dates
        Whether (or for which months, given as any date in the month) the bank required
        the deliverables it may ask for (``on_request``: for SVB, the agings on the 15th
        and 30th of Sec. 6.2(a)(ix)).

    Returns
    -------
    DataFrame
        Columns :data:`DUE_COLUMNS`, sorted by due date.

    Examples
    --------
    >>> from model.terms import load
    >>> f = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> d = reporting_due_dates(f, "2008-01-01", "2008-03-31", filings=[("10-K", "2008-03-17")])
    >>> d[d.requirement == "quarterly_financials"][["period_end", "due_date"]].astype(str).values.tolist()
    [['2008-03-31', '2008-05-15']]
    >>> d[d.requirement == "sec_reports"]["due_date"].astype(str).tolist()
    ['2008-03-22']
    """
    comp = compliance_terms(terms)
    s, e = read_date(start, "start"), read_date(end, "end")
    if e < s:
        raise InputError(f"end {e} is before start {s}", key="end")
    rows = _periodic_rows(comp, s, e) + _filing_rows(comp, filings, s, e)
    wanted, months = _required_months(bank_requires_agings)
    rows += _days_of_month_rows(comp, months if wanted else set(), s, e)
    df = pd.DataFrame(rows, columns=DUE_COLUMNS)
    return df.sort_values(["due_date", "requirement"], kind="stable").reset_index(drop=True)


def _due_rows(due: Any) -> list[tuple[str, dt.date, dt.date]]:
    """(requirement, period_end, due_date) of each row of ``due``, read strictly."""
    if not isinstance(due, pd.DataFrame):
        raise InputError(
            f"must be the DataFrame of reporting_due_dates(), not {type(due).__name__}",
            key="due",
        )
    missing = [c for c in ("requirement", "period_end", "due_date") if c not in due.columns]
    if missing:
        raise InputError(
            f"lacks column(s) {', '.join(missing)}: pass the DataFrame of reporting_due_dates() "
            f"(columns {', '.join(DUE_COLUMNS)})",
            key="due",
        )
    return [
        (
            str(req),
            read_date(pe, f"due.period_end[{i}]"),
            read_date(dd, f"due.due_date[{i}]"),
        )
        for i, (req, pe, dd) in enumerate(
            zip(due["requirement"], due["period_end"], due["due_date"], strict=True)
        )
    ]


def _deliveries(
    comp: ComplianceTerms,
    delivered: Mapping[tuple[str, Any], Any] | pd.DataFrame,
    due: list[tuple[str, dt.date, dt.date]],
) -> dict[tuple[str, dt.date], dt.date]:
    if isinstance(delivered, pd.DataFrame):
        missing = [c for c in ("requirement", "period_end", "delivered") if c not in delivered]
        if missing:
            raise InputError(
                f"missing column(s) {', '.join(missing)}; expected requirement, period_end, "
                "delivered",
                key="delivered",
            )
        pairs = [
            ((r.requirement, r.period_end), r.delivered, f"delivered row {i}")
            for i, r in enumerate(delivered.itertuples())
        ]
    elif isinstance(delivered, Mapping):
        pairs = [(key, when, f"delivered[{key!r}]") for key, when in delivered.items()]
    else:
        raise InputError(
            "must be a mapping (requirement, period_end) -> delivery date, or a DataFrame "
            f"with columns requirement, period_end, delivered; not {type(delivered).__name__}",
            key="delivered",
        )
    known = [r.id for r in comp.reporting]
    in_due = {(req, pe) for req, pe, _ in due}
    got: dict[tuple[str, dt.date], dt.date] = {}
    for key, when, where in pairs:
        if not isinstance(key, tuple) or len(key) != 2:
            raise InputError(
                f"a delivery is keyed by (requirement, period_end), not {key!r}", key=where
            )
        req, period = key
        if req not in known:
            raise InputError(
                f"unknown reporting requirement {req!r}; known: {', '.join(known)}", key=where
            )
        pe = read_date(period, f"{where}: period_end")
        day = read_date(when, f"{where}: delivered")
        if (str(req), pe) not in in_due:
            listed = ", ".join(str(p) for r, p, _ in due if r == req) or "none"
            raise InputError(
                f"{req!r} for the period ending {pe} is not among the deliverables in due "
                f"(due lists it for the periods ending {listed}); a delivery must answer a row of due",
                key=where,
            )
        if day < pe:
            raise InputError(
                f"delivered {day}, before the period it reports ends ({pe})", key=where
            )
        got[(str(req), pe)] = day
    return got


def reporting_compliance(
    terms: TermsLike,
    due: pd.DataFrame,
    delivered: Mapping[tuple[str, Any], Any] | pd.DataFrame,
    as_of: Any,
) -> pd.DataFrame:
    """Whether each deliverable was delivered on time, judged on ``as_of``.

    Parameters
    ----------
    terms : Facility, FacilityTerms or ComplianceTerms
    due : DataFrame
        From :func:`reporting_due_dates`.
    delivered : mapping (requirement, period_end) -> delivery date, or DataFrame
        with columns requirement, period_end, delivered. Each delivery answers a row of
        ``due`` (another is an error naming it) and is dated on or after the end of the
        period it reports.
    as_of : date
        The day of the assessment (explicit; no global date). A deliverable not yet
        delivered is overdue if its due date is before ``as_of``, else not yet due.

    Returns
    -------
    DataFrame
        ``due`` plus delivered, days_late, complies (nullable boolean: NA when not yet
        due), ``status_code`` (``on_time``, ``late``, ``overdue``, ``not_due``) and status.

    Examples
    --------
    >>> from model.terms import load
    >>> f = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> d = reporting_due_dates(f, "2008-03-01", "2008-03-31")
    >>> r = reporting_compliance(f, d, {("quarterly_financials", "2008-03-31"): "2008-05-16"}, "2008-06-01")
    >>> r[["requirement", "days_late", "complies"]].values.tolist()
    [['monthly_agings', 32, False], ['quarterly_financials', 1, False]]
    """
    comp = compliance_terms(terms)
    asof = read_date(as_of, "as_of")
    rows = _due_rows(due)
    got = _deliveries(comp, delivered, rows)
    out = due.copy()
    cols: dict[str, list[Any]] = {
        k: [] for k in ("delivered", "days_late", "complies", "status_code", "status")
    }
    for requirement, period_end, due_date in rows:
        when = got.get((requirement, period_end))
        if when is not None:
            days = (when - due_date).days
            code = "on_time" if days <= 0 else "late"
            text = "on time" if days <= 0 else f"late by {days} day(s)"
            values: tuple[Any, ...] = (when, max(days, 0), days <= 0, code, text)
        elif due_date < asof:
            text = f"overdue (not delivered by {asof})"
            values = (None, (asof - due_date).days, False, "overdue", text)
        else:
            values = (None, None, pd.NA, "not_due", "not yet due")
        for k, v in zip(cols, values, strict=True):
            cols[k].append(v)
    out["delivered"] = cols["delivered"]
    out["days_late"] = pd.array(cols["days_late"], dtype="Int64")
    out["complies"] = pd.array(cols["complies"], dtype="boolean")
    out["status_code"] = cols["status_code"]
    out["status"] = cols["status"]
    return out


def reporting_summary(terms: TermsLike, compliance: pd.DataFrame | None) -> pd.DataFrame:
    """One row per reporting requirement with its answer for the certificate: ``yes`` if
    every deliverable judged so far complied, ``no`` if any did not, ``n/a`` if none was
    judged (none due in the period, or no deliveries given)."""
    rows = []
    for req in compliance_terms(terms).reporting:
        if compliance is None:
            answer, detail = "n/a", "no deliveries given"
        else:
            sub = compliance[compliance["requirement"] == req.id]
            judged = sub["complies"].dropna()
            if judged.empty:
                answer, detail = "n/a", "nothing due in the period" if sub.empty else "not yet due"
            elif bool(judged.all()):
                answer, detail = "yes", f"{len(judged)} delivered on time"
            else:
                bad = sub[sub["complies"] == False]  # noqa: E712  (nullable boolean)
                answer = "no"
                detail = "; ".join(f"{b.period_end}: {b.status}" for b in bad.itertuples())
        rows.append(
            {
                "requirement": req.id,
                "title": req.title,
                "required": req.required,
                "complies": answer,
                "detail": detail,
            }
        )
    return pd.DataFrame(rows).set_index("requirement")
