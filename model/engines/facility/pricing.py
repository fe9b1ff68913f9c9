"""Revolver pricing: the rates on each tranche and exact daily accrual.

ACT/360 makes one day's interest a repeating decimal, so accruals are kept as
:class:`fractions.Fraction` dollars: sums over any period are exact and additive, and
:func:`model.values.to_cents` rounds a total once, half up, for payment.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd

from model.dates import year_fraction_exact
from model.engines.facility.borrowing_base import ZERO, Terms, key_on, terms_for
from model.errors import InputError
from model.terms.facility import Facility, FacilityTerms
from model.terms.inputs import MAX_BASE_RATE
from model.values import read_date, read_rate

__all__ = [
    "check_base_rate",
    "interest_rates",
    "interest_basis",
    "daily_interest",
    "exact_sum",
    "rate_on",
]


def check_base_rate(x: Any, field: str, date: Any = None) -> Decimal:
    """A base rate (prime or LIBOR) as a decimal fraction, 0 <= rate < 0.5.

    >>> check_base_rate("0.0525", "rate_path.rate", "2008-05-01")
    Decimal('0.0525')
    >>> check_base_rate(5.0, "rate_path.rate", "2008-05-01")
    Traceback (most recent call last):
    ...
    model.errors.InputError: rate_path.rate on 2008-05-01: a rate is a decimal fraction from 0 up to 0.5 (write 0.08 for 8%), got 5.0
    """
    d = None if date is None else read_date(date, "date")
    return read_rate(x, key_on(field, d), high=Decimal(str(MAX_BASE_RATE)))


def interest_rates(terms: FacilityTerms, base_rate: Any) -> tuple[Decimal, Decimal]:
    """(revolver rate, over-advance rate) for a base rate (prime or LIBOR, as a decimal).

    Revolver = base + margin; over-advance = revolver + the over-advance margin (SVB: the
    First Loan Modification Additional Interest Rate Margin of 1.25%, new Sec. 2.4(i));
    without one the over-advance rate equals the revolver rate.

    >>> from model.terms import load
    >>> fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> interest_rates(fac.version("first_modification"), "0.05")
    (Decimal('0.05'), Decimal('0.0625'))
    """
    base = check_base_rate(base_rate, "base_rate")
    rev = base + terms.interest.margin.value
    extra = terms.interest.over_advance_margin
    return rev, rev + (extra.value if extra is not None else ZERO)


def interest_basis(
    terms: Terms,
    start: dt.date | str,
    end: dt.date | str,
    rate_source: str | None = None,
) -> list[dict[str, Any]]:
    """How interest is priced from ``start`` to ``end``: one entry per version in force
    in that period, with the base rate index, the margin over it and the over-advance
    margin, each with its provenance. ``rate_source`` (e.g. the rate path file) is
    recorded as given.

    >>> from model.terms import load
    >>> fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> [(b["version"], b["base_rate_index"], b["margin"], b["margin_is_assumption"])
    ...  for b in interest_basis(fac, "2008-04-01", "2008-06-30")]
    [('original', 'prime', Decimal('0.0'), True), ('first_modification', 'prime', Decimal('0.0'), True)]
    """
    d0, d1 = read_date(start, "start"), read_date(end, "end")
    if d1 < d0:
        raise InputError(f"{d1} is before start {d0}", key="end")
    if isinstance(terms, Facility):
        first = terms.terms_as_of(d0)
        versions = [v for v in terms.all_versions if v is first or d0 < v.effective_date <= d1]
    else:
        versions = [terms_for(terms, d0)]
    out = []
    for v in versions:
        i, oa = v.interest, v.interest.over_advance_margin
        out.append(
            {
                "version": v.version_name,
                "from": max(d0, v.effective_date),
                "base_rate_index": i.base_rate_index.value,
                "base_rate_source": rate_source,
                "margin": i.margin.value,
                "margin_is_assumption": i.margin.is_assumption,
                "margin_basis": i.margin.provenance,
                "over_advance_margin": None if oa is None else oa.value,
                "over_advance_margin_basis": None if oa is None else oa.provenance,
                "day_count": i.day_count.value,
                "payment_frequency": i.payment_frequency.value,
            }
        )
    return out


def daily_interest(
    balance: Decimal, annual_rate: Decimal, day: dt.date, day_count: str
) -> Fraction:
    """Interest for one day on an end-of-day balance, as an exact fraction of dollars.

    >>> daily_interest(Decimal(3_600_000), Decimal("0.05"), dt.date(2008, 5, 1), "ACT/360")
    Fraction(500, 1)
    >>> from model.values import to_cents
    >>> day = dt.date(2008, 5, 1)
    >>> to_cents(daily_interest(Decimal(1_000_001), Decimal("0.0525"), day, "ACT/360"))
    Decimal('145.83')
    """
    tau = year_fraction_exact(day, day + dt.timedelta(days=1), day_count)
    return Fraction(balance) * Fraction(annual_rate) * Fraction(tau)


def exact_sum(values: Any) -> Fraction:
    """Exact sum of accruals (Fractions, Decimals or ints).

    >>> exact_sum([Fraction(1, 3), Fraction(2, 3), Decimal("0.5")])
    Fraction(3, 2)
    """
    total = Fraction(0)
    for v in values:
        total += Fraction(v)
    return total


def rate_on(rate_path: pd.Series, day: dt.date) -> Decimal:
    """The base rate in force on ``day`` from a step path (index: effective dates)."""
    ts = pd.Timestamp(day)
    before = rate_path.loc[:ts]
    if before.empty:
        raise InputError(
            f"no rate on or before {day} (first rate {rate_path.index[0].date()})", key="rate_path"
        )
    return check_base_rate(before.iloc[-1], "rate_path.rate", before.index[-1])
