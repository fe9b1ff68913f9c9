"""Summaries of the daily facility ledger: interest payable by month, the quarter's
balances, liquidity, triggers and fees; and the days on which the dated terms change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd

from model.dates import quarter_start
from model.engines.facility.borrowing_base import ZERO
from model.engines.facility.ledger import ledger_days
from model.engines.facility.pricing import exact_sum
from model.errors import InputError
from model.terms.facility import Facility, FacilityTerms
from model.values import read_choice, read_date, to_cents

__all__ = [
    "monthly_interest",
    "interest_between",
    "interest_paid",
    "quarter_summary",
    "term_change_days",
    "CHANGES",
]


def interest_between(ledger: pd.DataFrame, start: dt.date | str, end: dt.date | str) -> Fraction:
    """Exact interest (both tranches) accrued from ``start`` to ``end`` inclusive: the sum of
    the daily accruals, unrounded (a Fraction of dollars; :func:`model.values.to_cents`
    rounds it)."""
    part = ledger.loc[pd.Timestamp(read_date(start, "start")) : pd.Timestamp(read_date(end, "end"))]
    return exact_sum(list(part["interest_revolver"]) + list(part["interest_over_advance"]))


def monthly_interest(ledger: pd.DataFrame) -> pd.DataFrame:
    """Interest payable per calendar month (payable monthly in arrears, an assumption):
    exact monthly sums of the daily accruals, rounded once to cents (half up).

    These are the amounts paid: :func:`quarter_summary` adds them up for its ``interest``
    column, so the months of a quarter foot to the quarter to the cent.
    """
    _check_ledger(ledger, ("interest_revolver", "interest_over_advance", "outstanding"))
    out = []
    for period, part in ledger.groupby(ledger_days(ledger).to_period("M")):
        rev = exact_sum(part["interest_revolver"])
        oa = exact_sum(part["interest_over_advance"])
        out.append(
            {
                "month": str(period),
                "days": len(part),
                "average_outstanding": round(float(part["outstanding"].mean()), 2),
                "interest_revolver": to_cents(rev),
                "interest_over_advance": to_cents(oa),
                "interest_total": to_cents(rev + oa),
            }
        )
    return pd.DataFrame(out).set_index("month")


def _check_ledger(ledger: Any, columns: Sequence[str], key: str = "ledger") -> None:
    """A daily ledger of :func:`model.engines.facility.facility_ledger`: a DataFrame indexed
    by day with ``columns``, not empty."""
    if not isinstance(ledger, pd.DataFrame):
        raise InputError(
            f"must be the daily ledger of facility_ledger(), not {type(ledger).__name__}", key=key
        )
    missing = [c for c in columns if c not in ledger.columns]
    if missing:
        raise InputError(
            f"lacks column(s) {', '.join(missing)}: pass the daily ledger of facility_ledger()",
            key=key,
        )
    if ledger.empty:
        raise InputError("the ledger is empty: it has no day to summarise", key=key)
    if not isinstance(ledger.index, pd.DatetimeIndex):
        raise InputError(
            "must be indexed by day (a DatetimeIndex), as facility_ledger() returns it", key=key
        )


def interest_paid(part: pd.DataFrame) -> Decimal:
    """Interest paid for the days in ``part``: each calendar month's exact accrual rounded
    to the cent (as :func:`monthly_interest`), then added up."""
    return sum(
        (
            to_cents(exact_sum(list(m["interest_revolver"]) + list(m["interest_over_advance"])))
            for _, m in part.groupby(ledger_days(part).to_period("M"))
        ),
        ZERO,
    )


_QUARTER_COLUMNS = (
    "liquidity",
    "availability",
    "outstanding",
    "over_advance",
    "excess_over_limit",
    "interest_revolver",
    "interest_over_advance",
    "fees",
    "agings_reports_required",
    "cash_dominion",
)


def _quarter_row(qe: dt.date, part: pd.DataFrame) -> dict[str, Any]:
    return {
        "quarter_end": qe.isoformat(),
        "days_covered": len(part),
        "days_in_quarter": (qe - quarter_start(qe)).days + 1,
        "min_liquidity": round(float(part["liquidity"].min()), 2),
        "min_availability": round(float(part["availability"].min()), 2),
        "average_outstanding": round(float(part["outstanding"].mean()), 2),
        "max_over_advance": round(float(part["over_advance"].max()), 2),
        "days_over_limit": int((part["excess_over_limit"] > 0).sum()),
        "max_excess_over_limit": round(float(part["excess_over_limit"].max()), 2),
        "interest": interest_paid(part),
        "fees": to_cents(sum(part["fees"], ZERO)),
        "days_agings_trigger": int(part["agings_reports_required"].sum()),
        "days_cash_dominion": int(part["cash_dominion"].sum()),
    }


def quarter_summary(ledger: pd.DataFrame) -> pd.DataFrame:
    """Quarter summary (fiscal quarters = calendar quarters): days covered, lowest liquidity
    and availability, balances, days over the limit and the largest excess, interest and
    fees (cents), and how many days each trigger bit.

    ``days_covered`` of ``days_in_quarter``: a quarter the ledger covers only in part is
    summarised over the days it covers. A quarter's ``interest`` is the sum of its months'
    ``interest_total`` from :func:`monthly_interest`, so the two tables foot exactly.
    """
    _check_ledger(ledger, _QUARTER_COLUMNS)
    rows = [
        _quarter_row(period.end_time.date(), part)
        for period, part in ledger.groupby(ledger_days(ledger).to_period("Q"))
    ]
    return pd.DataFrame(rows).set_index("quarter_end")


CHANGES = ("version", "over_advance", "cash_dominion")
"""What :func:`term_change_days` can list: the days an amendment takes effect, the steps of
the Borrowing Base over-advance, the steps of the cash-dominion threshold."""


def _changes(t: FacilityTerms, what: str) -> list[dt.date]:
    if what == "version":
        return [t.effective_date]
    if what == "over_advance":
        oa = t.borrowing_base.over_advance
        return [] if oa is None else oa.boundaries()
    return t.triggers.cash_dominion_below.boundaries()


def term_change_days(
    terms: Facility,
    start: dt.date | str,
    end: dt.date | str,
    changes: Sequence[str] = CHANGES,
) -> list[dt.date]:
    """The days in ``[start, end]`` on which the facility's dated terms change (``changes``,
    from :data:`CHANGES`), each with the day before: where a table of the ledger or a
    sizing question should look. Days before the agreement date are left out.

    >>> from model.terms import load
    >>> fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> [d.isoformat() for d in term_change_days(fac, "2008-04-01", "2008-07-01", ["over_advance"])]
    ['2008-04-27', '2008-04-28', '2008-05-31', '2008-06-01']
    """
    if not isinstance(terms, Facility):
        raise InputError(
            f"needs the Facility (all its versions), not {type(terms).__name__}", key="terms"
        )
    s, e = read_date(start, "start"), read_date(end, "end")
    if e < s:
        raise InputError(f"end {e} is before start {s}", key="end")
    if isinstance(changes, str):
        changes = [changes]
    kinds = [read_choice(c, CHANGES, "changes") for c in changes]
    days = {d for v in terms.all_versions for k in kinds for d in _changes(v, k)}
    around = days | {d - dt.timedelta(days=1) for d in days}
    first = max(s, terms.agreement_date)
    return sorted(d for d in around if first <= d <= e)
