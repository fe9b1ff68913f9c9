"""Reporting covenants: due dates and whether deliveries were on time.

Source: the reporting table of the Compliance Certificate (First Loan Modification
Agreement, Exhibit B), and Sec. 6.2(a)(ix) (added by Sec. 3.A.V) for the agings on the
15th and 30th:

==========================  =====================================================
requirement                 required
==========================  =====================================================
quarterly_financials        quarterly within 45 days (with Compliance Certificate)
annual_audited              FYE within 120 days (CPA audited, with certificate)
sec_reports                 10-Q, 10-K and 8-K within 5 days after filing with SEC
monthly_agings              A/R & A/P agings, Borrowing Base and transaction
                            reports monthly within 30 days
other_filings               other filings with the SEC or any other regulatory
                            agency within 10 days after filing
semi_monthly_agings         A/R agings and unbilled revenue reports on the 15th and
                            30th of each month, if required by Bank
==========================  =====================================================

Conventions (the documents are silent; stated so the user can disagree): "days" are
calendar days, with no roll to a business day; the quarterly package is due for every
fiscal quarter including the fourth; in February the "30th" is the last day of the
month; the semi-monthly agings are due on their as-of date (stricter). The fiscal
year ends December 31 (public-facts.md).

Which certificate decides the version of the terms
--------------------------------------------------
:func:`governing_due_date` states the rule the covenant engine uses to pick the terms
in force for a quarter: the day the quarter's Compliance Certificate is due. Exhibit B
requires "Quarterly consolidated and consolidating financial statements with
Compliance Certificate: Quarterly within 45 days" and "Annual financial statement (CPA
Audited) + CC: FYE within 120 days". For a fiscal year-end quarter (December 31) a
Compliance Certificate accompanies both packages; the rule takes the *later*, the
annual one (FYE + 120 days), because that is the certificate that finally certifies the
year-end quarter. This is what makes the First Loan Modification's clause "(I) for the
fiscal quarter ending December 31, 2007, $1.00" (new Sec. 6.9(iii), Sec. 3.A.VII)
reachable: the FY2007 annual certificate is due 2008-04-29, after the modification's
2008-04-28 execution date, whereas the quarterly one (2008-02-14) is not.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from model.values import as_date, quarter_start

__all__ = [
    "ReportingRequirement",
    "REPORTING_COVENANTS",
    "CERTIFICATE_DUE_DAYS",
    "ANNUAL_CERTIFICATE_DUE_DAYS",
    "certificate_due_date",
    "governing_due_date",
    "quarter_start",
    "quarter_ends_between",
    "reporting_due_dates",
    "reporting_compliance",
    "reporting_summary",
]

CERTIFICATE_DUE_DAYS = 45
"""Quarterly statements with the Compliance Certificate: within 45 days (Exhibit B)."""
ANNUAL_CERTIFICATE_DUE_DAYS = 120
"""Annual audited statements + Compliance Certificate: FYE within 120 days (Exhibit B)."""


@dataclass(frozen=True)
class ReportingRequirement:
    """One row of the Exhibit B reporting table."""

    id: str
    title: str
    required: str
    days: int | None
    source: str


REPORTING_COVENANTS: tuple[ReportingRequirement, ...] = (
    ReportingRequirement(
        "quarterly_financials",
        "Quarterly consolidated and consolidating financial statements with Compliance Certificate",
        "Quarterly within 45 days",
        45,
        "Exhibit B, reporting table",
    ),
    ReportingRequirement(
        "annual_audited",
        "Annual financial statement (CPA Audited) + CC",
        "FYE within 120 days",
        120,
        "Exhibit B, reporting table",
    ),
    ReportingRequirement(
        "sec_reports",
        "10-Q, 10-K and 8-K",
        "Within 5 days after filing with SEC",
        5,
        "Exhibit B, reporting table",
    ),
    ReportingRequirement(
        "monthly_agings",
        "A/R & A/P Agings, Borrowing Base and Transaction Reports",
        "Monthly within 30 days",
        30,
        "Exhibit B, reporting table",
    ),
    ReportingRequirement(
        "other_filings",
        "Other filings with the SEC or any other regulatory agency",
        "Within 10 days after filing",
        10,
        "Exhibit B, reporting table",
    ),
    ReportingRequirement(
        "semi_monthly_agings",
        "A/R Agings and unbilled revenue reports (if required by Bank)",
        "On the 15th and the 30th of each month, as required",
        0,
        "Exhibit B; Sec. 6.2(a)(ix) (First Loan Modification Sec. 3.A.V)",
    ),
)

_BY_ID = {r.id: r for r in REPORTING_COVENANTS}


def certificate_due_date(quarter_end: dt.date) -> dt.date:
    """Quarter end + 45 calendar days: when the Compliance Certificate is due.

    >>> certificate_due_date(dt.date(2008, 3, 31)), certificate_due_date(dt.date(2007, 12, 31))
    (datetime.date(2008, 5, 15), datetime.date(2008, 2, 14))
    """
    return quarter_end + dt.timedelta(days=CERTIFICATE_DUE_DAYS)


def governing_due_date(quarter_end: dt.date) -> tuple[dt.date, str]:
    """The due date of the Compliance Certificate that decides which terms apply to a
    quarter, and the rule as a label (see the module docstring).

    Quarter end + 45 days ("Quarterly within 45 days"); for a fiscal year end
    (December 31) the later of that and FYE + 120 days ("Annual financial statement
    (CPA Audited) + CC: FYE within 120 days"), i.e. the annual certificate.

    >>> governing_due_date(dt.date(2008, 3, 31))
    (datetime.date(2008, 5, 15), "the quarterly Compliance Certificate for 2008-03-31 is due (rule: quarter end + 45 days; Exhibit B: 'Quarterly within 45 days')")
    >>> d, rule = governing_due_date(dt.date(2007, 12, 31))
    >>> d, rule.split(" (")[0]
    (datetime.date(2008, 4, 29), 'the annual Compliance Certificate for the fiscal year ended 2007-12-31 is due')
    """
    quarterly = certificate_due_date(quarter_end)
    if (quarter_end.month, quarter_end.day) != (12, 31):
        return quarterly, (
            f"the quarterly Compliance Certificate for {quarter_end} is due (rule: quarter end "
            "+ 45 days; Exhibit B: 'Quarterly within 45 days')"
        )
    annual = quarter_end + dt.timedelta(days=ANNUAL_CERTIFICATE_DUE_DAYS)
    return max(quarterly, annual), (
        f"the annual Compliance Certificate for the fiscal year ended {quarter_end} is due "
        f"(rule: for a fiscal year-end quarter, the later of the quarterly certificate, quarter "
        f"end + 45 days = {quarterly}, and the annual one, FYE + 120 days = {annual}; Exhibit B: "
        "'Quarterly within 45 days', 'Annual financial statement (CPA Audited) + CC: FYE "
        "within 120 days')"
    )


def _month_end(y: int, m: int) -> dt.date:
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def quarter_ends_between(start: Any, end: Any) -> list[dt.date]:
    """Fiscal quarter ends in ``[start, end]``.

    >>> [d.isoformat() for d in quarter_ends_between("2007-12-31", "2008-06-30")]
    ['2007-12-31', '2008-03-31', '2008-06-30']
    """
    s, e = as_date(start), as_date(end)
    out: list[dt.date] = []
    y, m = s.year, 3 * ((s.month - 1) // 3 + 1)
    while True:
        d = _month_end(y, m)
        if d > e:
            return out
        if d >= s:
            out.append(d)
        m += 3
        if m > 12:
            y, m = y + 1, 3


def reporting_due_dates(
    start: Any,
    end: Any,
    *,
    filings: Iterable[tuple[str, Any]] = (),
    bank_requires_agings: bool | Iterable[Any] = False,
) -> pd.DataFrame:
    """Every reporting deliverable for periods ending in ``[start, end]``, with its due date.

    Parameters
    ----------
    start, end : date or ISO str
        Period ends (month, quarter or year ends) in this range are included.
    filings : iterable of (form, filing_date)
        SEC/regulatory filings made: ``"10-Q"``, ``"10-K"``, ``"8-K"`` are due to Bank
        within 5 days (``sec_reports``); any other form within 10 days (``other_filings``).
    bank_requires_agings : bool or iterable of months
        Whether (or for which months, given as any date in the month) Bank has required
        the semi-monthly agings of Sec. 6.2(a)(ix) (its right arises when liquidity is
        below $15,000,000 at any time).

    Returns
    -------
    DataFrame
        Columns: requirement, title, required, period_end, due_date, basis. Sorted by
        due date.

    Examples
    --------
    >>> d = reporting_due_dates("2008-01-01", "2008-03-31", filings=[("10-K", "2008-03-17")])
    >>> d[d.requirement == "quarterly_financials"][["period_end", "due_date"]].astype(str).values.tolist()
    [['2008-03-31', '2008-05-15']]
    >>> d[d.requirement == "sec_reports"]["due_date"].astype(str).tolist()
    ['2008-03-22']
    """
    s, e = as_date(start), as_date(end)
    rows: list[dict[str, Any]] = []

    def add(req_id: str, period_end: dt.date, due: dt.date, basis: str) -> None:
        r = _BY_ID[req_id]
        rows.append(
            {
                "requirement": req_id,
                "title": r.title,
                "required": r.required,
                "period_end": period_end,
                "due_date": due,
                "basis": basis,
            }
        )

    y, m = s.year, s.month
    while True:
        me = _month_end(y, m)
        if me > e:
            break
        if me >= s:
            add("monthly_agings", me, me + dt.timedelta(days=30), "month end + 30 days")
            if m % 3 == 0:
                add("quarterly_financials", me, me + dt.timedelta(days=45), "quarter end + 45 days")
            if m == 12:
                add("annual_audited", me, me + dt.timedelta(days=120), "fiscal year end + 120 days")
        m += 1
        if m > 12:
            y, m = y + 1, 1
    for form, filed in filings:
        fd = as_date(filed)
        if not (s <= fd <= e):
            continue
        if str(form).upper() in {"10-Q", "10-K", "8-K"}:
            add("sec_reports", fd, fd + dt.timedelta(days=5), f"{form} filed {fd} + 5 days")
        else:
            add("other_filings", fd, fd + dt.timedelta(days=10), f"{form} filed {fd} + 10 days")
    if bank_requires_agings:
        months = (
            None
            if bank_requires_agings is True
            else {(as_date(x).year, as_date(x).month) for x in bank_requires_agings}
        )
        y, m = s.year, s.month
        while dt.date(y, m, 1) <= e:
            if months is None or (y, m) in months:
                for day in (15, 30):
                    d = dt.date(y, m, min(day, calendar.monthrange(y, m)[1]))
                    if s <= d <= e:
                        add("semi_monthly_agings", d, d, f"as of the {day}th, required by Bank")
            m += 1
            if m > 12:
                y, m = y + 1, 1
    df = pd.DataFrame(
        rows, columns=["requirement", "title", "required", "period_end", "due_date", "basis"]
    )
    return df.sort_values(["due_date", "requirement"], kind="stable").reset_index(drop=True)


def reporting_compliance(
    due: pd.DataFrame,
    delivered: Mapping[tuple[str, Any], Any] | pd.DataFrame,
    as_of: Any,
) -> pd.DataFrame:
    """Whether each deliverable was delivered on time, judged on ``as_of``.

    Parameters
    ----------
    due : DataFrame
        From :func:`reporting_due_dates`.
    delivered : mapping (requirement, period_end) -> delivery date, or DataFrame
        with columns requirement, period_end, delivered.
    as_of : date
        The day of the assessment (explicit; no global date). A deliverable not yet
        delivered is ``overdue`` if its due date is before ``as_of``, else ``not yet due``.

    Returns
    -------
    DataFrame
        ``due`` plus delivered, days_late and complies (nullable boolean: NA when not
        yet due), and status.

    Examples
    --------
    >>> d = reporting_due_dates("2008-03-01", "2008-03-31")
    >>> r = reporting_compliance(d, {("quarterly_financials", "2008-03-31"): "2008-05-16"}, "2008-06-01")
    >>> r[["requirement", "days_late", "complies"]].values.tolist()
    [['monthly_agings', 32, False], ['quarterly_financials', 1, False]]
    """
    asof = as_date(as_of, "as_of")
    if isinstance(delivered, pd.DataFrame):
        missing = [
            c for c in ("requirement", "period_end", "delivered") if c not in delivered.columns
        ]
        if missing:
            raise ValueError(
                f"delivered: missing column(s) {', '.join(missing)}; expected requirement, "
                "period_end, delivered"
            )
        pairs: list[tuple[tuple[Any, Any], Any, str]] = [
            ((r.requirement, r.period_end), r.delivered, f"delivered row {i}")
            for i, r in enumerate(delivered.itertuples())
        ]
    else:
        pairs = [(key, when, f"delivered[{key!r}]") for key, when in delivered.items()]
    got: dict[tuple[str, dt.date], dt.date] = {}
    for (req, period), when, where in pairs:
        if req not in _BY_ID:
            raise ValueError(
                f"{where}: unknown reporting requirement {req!r}; known: {', '.join(_BY_ID)}"
            )
        got[(req, as_date(period, f"{where}: period_end"))] = as_date(when, f"{where}: delivered")
    out = due.copy()
    dl, late, ok, status = [], [], [], []
    # Rows of ``due`` (requirement: str, period_end and due_date: datetime.date); pandas-stubs
    # types row fields as any scalar.
    r: Any
    for r in out.itertuples():
        when = got.get((r.requirement, r.period_end))
        dl.append(when)
        if when is not None:
            days = (when - r.due_date).days
            late.append(max(days, 0))
            ok.append(days <= 0)
            status.append("on time" if days <= 0 else f"late by {days} day(s)")
        elif r.due_date < asof:
            late.append((asof - r.due_date).days)
            ok.append(False)
            status.append(f"overdue (not delivered by {asof})")
        else:
            late.append(pd.NA)
            ok.append(pd.NA)
            status.append("not yet due")
    out["delivered"] = dl
    out["days_late"] = pd.array([None if x is pd.NA else x for x in late], dtype="Int64")
    out["complies"] = pd.array(ok, dtype="boolean")
    out["status"] = status
    return out


def reporting_summary(compliance: pd.DataFrame | None) -> pd.DataFrame:
    """One row per Exhibit B reporting covenant with its Yes/No for the certificate.

    "Yes" if every deliverable judged so far complied, "No" if any did not, and
    "n/a" if none was due in the period (e.g. agings not required by Bank).
    """
    rows = []
    for r in REPORTING_COVENANTS:
        if compliance is None:
            answer, detail = "n/a", "no deliveries given"
        else:
            sub = compliance[compliance["requirement"] == r.id]
            judged = sub["complies"].dropna()
            if judged.empty:
                answer, detail = "n/a", "nothing due in the period" if sub.empty else "not yet due"
            elif bool(judged.all()):
                answer, detail = "Yes", f"{len(judged)} delivered on time"
            else:
                bad = sub[sub["complies"] == False]  # noqa: E712  (nullable boolean)
                answer = "No"
                detail = "; ".join(f"{b.period_end}: {b.status}" for b in bad.itertuples())
        rows.append(
            {
                "requirement": r.id,
                "title": r.title,
                "required": r.required,
                "complies": answer,
                "detail": detail,
            }
        )
    return pd.DataFrame(rows).set_index("requirement")
