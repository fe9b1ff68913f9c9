"""Sizing questions: how much can be drawn, what receivables a balance needs, when it breaks.

The clause (c) over-advance steps down ($15.0M -> $11.25M -> $7.5M -> $3.75M -> $0 on
2008-06-01, 2008-09-01, 2008-12-01 and 2009-03-01), so the receivables that support a
given balance rise on each of those dates.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_CEILING, Decimal
from typing import Any

import pandas as pd

from model.engines.facility.borrowing_base import (
    ZERO,
    Terms,
    availability,
    borrowing_base,
    key_on,
    over_advance_amount,
    terms_for,
)
from model.errors import InputError
from model.values import format_money, read_date, read_money

__all__ = ["max_draw", "receivables_needed", "receivables_needed_schedule", "first_shortfall_date"]


def max_draw(
    terms: Terms,
    as_of: dt.date | str,
    eligible_domestic_ar: Any,
    eligible_foreign_ar: Any,
    outstanding: Any = 0,
    *,
    reserves: Any = 0,
) -> Decimal:
    """The largest draw allowed on ``as_of``: the Availability Amount.

    >>> from model.terms import load
    >>> fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> max_draw(fac, "2008-09-01", 25_000_000, 5_000_000, 20_000_000)  # 20M + 3.5M + 7.5M - 20M
    Decimal('11000000.00')
    """
    return availability(
        terms, as_of, eligible_domestic_ar, eligible_foreign_ar, outstanding, reserves=reserves
    )


def _need(outstanding: Any, reserves: Any, d: dt.date) -> Decimal:
    """Outstanding plus reserves on ``d``, each read as money (errors name the input and date)."""
    return read_money(outstanding, key_on("outstanding", d)) + read_money(
        reserves, key_on("reserves", d)
    )


def receivables_needed(
    terms: Terms,
    as_of: dt.date | str,
    outstanding: Any,
    *,
    eligible_foreign_ar: Any = 0,
    reserves: Any = 0,
) -> Decimal:
    """Eligible Domestic Accounts needed on ``as_of`` to support ``outstanding`` (plus
    reserves), given the eligible foreign accounts; rounded up to the cent.

    Notes
    -----
    Solve 80% x D + 70% x F + (c) >= outstanding + reserves for D (>= 0). A balance above
    the Revolving Line cannot be supported by any receivables: an error.

    Examples
    --------
    >>> from model.terms import load
    >>> fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> [receivables_needed(fac, d, 30_000_000) for d in ("2008-05-31", "2008-06-01", "2009-03-01")]
    [Decimal('18750000.00'), Decimal('23437500.00'), Decimal('37500000.00')]
    """
    d = read_date(as_of, "as_of")
    t = terms_for(terms, d)
    need = _need(outstanding, reserves, d)
    if need > t.line:
        raise InputError(
            f"{need:,.2f} is above the Revolving Line ({t.line:,.2f}): no receivables can "
            "support it",
            key=key_on("outstanding plus reserves", d),
        )
    bb = borrowing_base(t, d, 0, eligible_foreign_ar)
    gap = max(ZERO, need - bb.foreign - bb.over_advance)
    rate = bb.domestic_rate
    if gap > 0 and rate == 0:
        raise InputError(
            f"is 0 on {d}: no domestic receivables can support the balance",
            key="borrowing_base.domestic_advance_rate",
        )
    return ZERO if gap == 0 else (gap / rate).quantize(Decimal("0.01"), rounding=ROUND_CEILING)


def receivables_needed_schedule(
    terms: Terms,
    outstanding: Any,
    dates: list[dt.date | str],
    *,
    eligible_foreign_ar: Any = 0,
    reserves: Any = 0,
) -> pd.DataFrame:
    """:func:`receivables_needed` on each date, with the clause (c) amount in force.

    A date on which ``outstanding`` plus ``reserves`` is above the Revolving Line does not
    stop the schedule (as :func:`receivables_needed` does): its ``eligible_domestic_needed``
    is ``None`` and ``note`` says why; ``note`` is empty on the other rows.

    >>> from model.terms import load
    >>> fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> s = receivables_needed_schedule(fac, 40_000_000, ["2008-04-27", "2008-04-28"])
    >>> s.loc["2008-04-27"].tolist()
    [Decimal('0'), None, 'not possible: above the $35,000,000 Revolving Line']
    >>> s.loc["2008-04-28"].tolist()
    [Decimal('15000000'), Decimal('31250000.00'), '']
    """
    rows = []
    for x in dates:
        d = read_date(x, "dates")
        t = terms_for(terms, d)
        need = _need(outstanding, reserves, d)
        row: dict[str, Any] = {
            "date": d.isoformat(),
            "over_advance_limit": over_advance_amount(terms, d),
        }
        if need > t.line:
            row["eligible_domestic_needed"] = None
            row["note"] = (
                f"not possible: above the {format_money(t.line, cents=None)} Revolving Line"
            )
        else:
            row["eligible_domestic_needed"] = receivables_needed(
                terms, d, outstanding, eligible_foreign_ar=eligible_foreign_ar, reserves=reserves
            )
            row["note"] = ""
        rows.append(row)
    return pd.DataFrame(
        rows, columns=["date", "over_advance_limit", "eligible_domestic_needed", "note"]
    ).set_index("date")


def first_shortfall_date(
    terms: Terms,
    start: dt.date | str,
    end: dt.date | str,
    outstanding: Any,
    eligible_domestic_ar: Any,
    eligible_foreign_ar: Any,
    *,
    reserves: Any = 0,
) -> dt.date | None:
    """The first date in ``start``..``end`` on which an unchanged balance exceeds
    min(line, Borrowing Base) less reserves, with unchanged eligible receivables; ``None``
    if it never does.

    >>> from model.terms import load
    >>> fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> first_shortfall_date(fac, "2008-04-28", "2009-06-30", 35_000_000, 30_000_000, 0)
    datetime.date(2008, 9, 1)
    """
    d0, d1 = read_date(start, "start"), read_date(end, "end")
    if d1 < d0:
        raise InputError(f"{d1} is before start {d0}", key="end")
    bal = read_money(outstanding, "outstanding") + read_money(reserves, "reserves")
    d = d0
    while d <= d1:
        bb = borrowing_base(terms_for(terms, d), d, eligible_domestic_ar, eligible_foreign_ar)
        if bal > bb.limit:
            return d
        d += dt.timedelta(days=1)
    return None
