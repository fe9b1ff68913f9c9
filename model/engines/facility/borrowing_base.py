"""The Borrowing Base and the Availability Amount on a date.

Pure functions of ``(terms, as_of, inputs)``. ``terms`` is either the
:class:`~model.terms.facility.FacilityTerms` of one version (to ask "what if this
version applied on that date") or the :class:`~model.terms.facility.Facility`, in
which case the version in force on ``as_of`` is used (for the SVB facility, the original
terms before 2008-04-28, the First Loan Modification from 2008-04-28).

Money amounts come back as :class:`decimal.Decimal` dollars, unrounded; round to
cents only to present or settle (:func:`model.values.to_cents`, half up).

Interpretive points, modelled as written
----------------------------------------
* The Borrowing Base clause (c) periods run "through May 31, 2008" / "beginning June 1,
  2008" (First Loan Modification Sec. 3.A.I), inclusive, as the step schedule says.
* The proviso "Bank may decrease the foregoing percentages" applies to the advance
  rates: a lower rate can be passed to :func:`borrowing_base`; a higher one is refused.
  It does not reduce the clause (c) dollar amounts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from model.errors import InputError
from model.terms.facility import Facility, FacilityTerms
from model.values import read_amount, read_date, read_money, read_rate, to_cents

__all__ = [
    "ZERO",
    "Terms",
    "BorrowingBase",
    "key_on",
    "terms_for",
    "over_advance_amount",
    "borrowing_base",
    "availability",
    "over_advance_usage",
]

ZERO = Decimal(0)
Terms = Facility | FacilityTerms
"""A facility (the version in force on each date applies) or one version's terms."""


def key_on(field: str, date: dt.date | None) -> str:
    """How an input on a date is named in messages: ``cash on 2008-05-01``.

    >>> key_on("cash", dt.date(2008, 5, 1)), key_on("cash", None)
    ('cash on 2008-05-01', 'cash')
    """
    return f"{field} on {date.isoformat()}" if date is not None else field


def terms_for(terms: Terms, as_of: dt.date | str) -> FacilityTerms:
    """The terms to apply on ``as_of``: the version in force (given a Facility) or the given one.

    A version cannot be applied before its own effective date (its schedules do not
    cover those days): pass the :class:`Facility` or an earlier version instead.
    """
    d = read_date(as_of, "as_of")
    if isinstance(terms, Facility):
        return terms.terms_as_of(d)
    if not isinstance(terms, FacilityTerms):
        raise InputError(
            f"terms must be a Facility or FacilityTerms (from a facility params file), not "
            f"{type(terms).__name__}",
            key="terms",
        )
    if d < terms.effective_date:
        raise InputError(
            f"{d} is before version {terms.version_name!r} took effect "
            f"({terms.effective_date}); pass the Facility to get the terms in force then",
            key="as_of",
        )
    return terms


@dataclass(frozen=True)
class BorrowingBase:
    """The Borrowing Base on a date, by clause, and the Revolving Line cap.

    ``domestic`` = rate x eligible domestic, ``foreign`` = rate x eligible foreign,
    ``over_advance`` = the over-advance amount for the date, ``total`` = their sum,
    ``line`` = the Revolving Line; ``limit`` = min(line, total) is what may be outstanding.
    ``references`` are the clause labels the terms give ((a), (b), (c) for SVB).
    """

    as_of: dt.date
    version_name: str
    eligible_domestic: Decimal
    eligible_foreign: Decimal
    domestic_rate: Decimal
    foreign_rate: Decimal
    domestic: Decimal
    foreign: Decimal
    over_advance: Decimal
    total: Decimal
    line: Decimal
    references: tuple[str, str, str] = ("", "", "")

    @property
    def receivables_base(self) -> Decimal:
        """The part of the base backed by receivables (domestic + foreign)."""
        return self.domestic + self.foreign

    @property
    def limit(self) -> Decimal:
        """min(Revolving Line, Borrowing Base): the most that may be outstanding."""
        return min(self.line, self.total)

    def to_frame(self) -> pd.DataFrame:
        """The base as a waterfall table (amount in dollars, rounded to cents)."""
        a, b, c = (f"{r} " if r else "" for r in self.references)
        rows = [
            (
                f"{a}{self.domestic_rate:.0%} of eligible domestic {self.eligible_domestic:,.2f}",
                self.domestic,
            ),
            (
                f"{b}{self.foreign_rate:.0%} of eligible foreign {self.eligible_foreign:,.2f}",
                self.foreign,
            ),
            (f"{c}over-advance for the date", self.over_advance),
            ("Borrowing Base", self.total),
            ("Revolving Line", self.line),
            ("Lesser of line and Borrowing Base", self.limit),
        ]
        return pd.DataFrame(
            {"item": [r[0] for r in rows], "amount": [float(to_cents(r[1])) for r in rows]}
        ).set_index("item")


def over_advance_amount(terms: Terms, as_of: dt.date | str) -> Decimal:
    """The over-advance amount in the Borrowing Base on ``as_of`` (0 where the version has none).

    Notes
    -----
    SVB: First Loan Modification Sec. 3.A.I, Borrowing Base (c): $15,000,000 from the
    Execution Date through 2008-05-31; $11,250,000 2008-06-01 through 2008-08-31;
    $7,500,000 2008-09-01 through 2008-11-30; $3,750,000 2008-12-01 through
    2009-02-28; thereafter $0. All boundaries inclusive, as written.

    Examples
    --------
    >>> from model.terms import load
    >>> fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> [over_advance_amount(fac, d) for d in ("2008-04-27", "2008-05-31", "2008-06-01")]
    [Decimal('0'), Decimal('15000000'), Decimal('11250000')]
    """
    d = read_date(as_of, "as_of")
    sched = terms_for(terms, d).borrowing_base.over_advance
    amt = None if sched is None else sched.amount_on(d)
    return ZERO if amt is None else amt


def _advance_rate(override: Any, documented: Decimal, field: str) -> Decimal:
    if override is None:
        return documented
    r = read_rate(override, field, inclusive=True)
    if r > documented:
        raise InputError(
            f"{r} is above the documented {documented}: the Bank may only decrease "
            "the advance rates (Borrowing Base proviso)",
            key=field,
        )
    return r


def _references(t: FacilityTerms) -> tuple[str, str, str]:
    bb = t.borrowing_base
    oa = bb.over_advance.reference if bb.over_advance is not None else None
    return (
        bb.domestic_advance_rate.reference or "",
        bb.foreign_advance_rate.reference or "",
        oa or "",
    )


def borrowing_base(
    terms: Terms,
    as_of: dt.date | str,
    eligible_domestic_ar: Any,
    eligible_foreign_ar: Any,
    *,
    domestic_advance_rate: Any = None,
    foreign_advance_rate: Any = None,
    gross_domestic_ar: Any = None,
    gross_foreign_ar: Any = None,
) -> BorrowingBase:
    """The Borrowing Base on ``as_of``.

    Parameters
    ----------
    terms : Facility or FacilityTerms
    as_of : date or ISO string
    eligible_domestic_ar, eligible_foreign_ar : number
        Eligible Domestic / Foreign Accounts in dollars (from the most recent Borrowing
        Base Certificate); never negative.
    domestic_advance_rate, foreign_advance_rate : number, optional
        A rate the Bank has lowered to (proviso of the definition); at most the
        documented rate.
    gross_domestic_ar, gross_foreign_ar : number, optional
        Gross receivables, to check that eligible does not exceed gross.

    Notes
    -----
    Borrowing Base = domestic rate x Eligible Domestic Accounts + foreign rate x Eligible
    Foreign Accounts + the over-advance amount of the date (SVB: (a) 80%, (b) 70%, (c)
    First Loan Modification Sec. 3.A.I; the original definition has only (a) and (b)).

    Examples
    --------
    >>> from model.terms import load
    >>> fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> bb = borrowing_base(fac, "2008-06-01", 30_000_000, 10_000_000)
    >>> bb.domestic, bb.foreign, bb.over_advance
    (Decimal('24000000.00'), Decimal('7000000.00'), Decimal('11250000'))
    >>> bb.total, bb.line
    (Decimal('42250000.00'), Decimal('50000000'))
    """
    d = read_date(as_of, "as_of")
    t = terms_for(terms, d)
    dom = read_money(eligible_domestic_ar, key_on("eligible_domestic_ar", d))
    fgn = read_money(eligible_foreign_ar, key_on("eligible_foreign_ar", d))
    for name, gross, elig in (
        ("domestic", gross_domestic_ar, dom),
        ("foreign", gross_foreign_ar, fgn),
    ):
        if gross is not None and elig > read_money(gross, key_on(f"gross_{name}_ar", d)):
            raise InputError(
                f"{elig:,.2f} is above gross_{name}_ar ({read_money(gross):,.2f})",
                key=key_on(f"eligible_{name}_ar", d),
            )
    bbt = t.borrowing_base
    rd = _advance_rate(
        domestic_advance_rate, bbt.domestic_advance_rate.value, "domestic_advance_rate"
    )
    rf = _advance_rate(foreign_advance_rate, bbt.foreign_advance_rate.value, "foreign_advance_rate")
    a, b = rd * dom, rf * fgn
    c = over_advance_amount(t, d)
    return BorrowingBase(
        d, t.version_name, dom, fgn, rd, rf, a, b, c, a + b + c, t.line, _references(t)
    )


def availability(
    terms: Terms,
    as_of: dt.date | str,
    eligible_domestic_ar: Any,
    eligible_foreign_ar: Any,
    outstanding: Any,
    *,
    reserves: Any = 0,
    letters_of_credit: Any = 0,
    domestic_advance_rate: Any = None,
    foreign_advance_rate: Any = None,
) -> Decimal:
    """The Availability Amount: min(Revolving Line, Borrowing Base) less outstanding Advances,
    reserves and letters of credit, floored at zero.

    A balance above the limit (after an over-advance step-down) gives availability 0; the
    excess is reported by :func:`model.engines.facility.ledger.facility_ledger` and
    :func:`model.engines.facility.sizing.first_shortfall_date`, not as negative availability.

    Examples
    --------
    >>> from model.terms import load
    >>> fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> availability(fac, "2008-04-27", 40_000_000, 0, 10_000_000)   # line $35M binds
    Decimal('22000000.00')
    >>> availability(fac, "2008-04-28", 40_000_000, 0, 10_000_000)   # line $50M, base 32M + 15M
    Decimal('37000000.00')
    """
    d = read_date(as_of, "as_of")
    bb = borrowing_base(
        terms,
        d,
        eligible_domestic_ar,
        eligible_foreign_ar,
        domestic_advance_rate=domestic_advance_rate,
        foreign_advance_rate=foreign_advance_rate,
    )
    out = read_money(outstanding, key_on("outstanding", d))
    res = read_money(reserves, key_on("reserves", d))
    lcs = read_money(letters_of_credit, key_on("letters_of_credit", d))
    return max(ZERO, bb.limit - out - res - lcs)


def over_advance_usage(bb: BorrowingBase, outstanding: Any) -> Decimal:
    """The over-advance in use: the part of outstanding Advances above the receivables
    base, capped at the over-advance amount for the date.

    Notes
    -----
    SVB: the First Loan Modification Advance Amount (Sec. 3.A.II); it bears interest at
    the Sec. 2.4(a)-(f) rate plus the 1.25% First Loan Modification Additional Interest
    Rate Margin (new Sec. 2.4(i)).

    >>> bb = BorrowingBase(dt.date(2008, 6, 1), "x", Decimal(0), Decimal(0), Decimal("0.8"),
    ...     Decimal("0.7"), Decimal(20), Decimal(0), Decimal(10), Decimal(30), Decimal(50))
    >>> over_advance_usage(bb, 25), over_advance_usage(bb, 15), over_advance_usage(bb, 40)
    (Decimal('5'), Decimal('0'), Decimal('10'))
    """
    out = read_amount(outstanding, "outstanding")
    return min(bb.over_advance, max(ZERO, out - bb.receivables_base))
