"""Facility engines: eligibility, Borrowing Base, availability, liquidity triggers, interest.

Pure functions of ``(terms, as_of, inputs)``. ``terms`` is either the
:class:`~model.terms.facility.FacilityTerms` of one version (to ask "what if this
version applied on that date") or the :class:`~model.terms.facility.Facility`, in
which case the version in force on ``as_of`` is used (the original terms before
2008-04-28, the First Loan Modification from 2008-04-28).

Money amounts come back as :class:`decimal.Decimal` dollars, unrounded; round to
cents only to present or settle (:func:`model.values.to_cents`, half up).

Interpretive points, modelled as written
----------------------------------------
* Borrowing Base clause (c) periods run "through May 31, 2008" / "beginning June 1,
  2008" (First Loan Modification Sec. 3.A.I); the cash-dominion periods run "ending on
  May 30, 2008" / "beginning on May 31, 2008" (Sec. 3.A.VI). The boundaries differ by
  one day; both are kept as written (inclusive on "through" and "ending on").
* The proviso "Bank may decrease the foregoing percentages" applies to the advance
  rates (80%, 70%): a lower rate can be passed to :func:`borrowing_base`; a higher one
  is refused. It does not reduce the clause (c) dollar amounts.
* The Revolving Line is $35,000,000 before 2008-04-28 and $50,000,000 from that date
  (execution date = effective date, Sec. 12).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypedDict, cast

import pandas as pd

from model.terms.facility import EligibilityRules, Facility, FacilityTerms
from model.values import as_bool, as_date, as_money, to_cents

__all__ = [
    "FacilityInputError",
    "DrawRefusedError",
    "BorrowingBase",
    "LiquidityTriggers",
    "terms_for",
    "to_money",
    "to_date",
    "check_base_rate",
    "over_advance_amount",
    "borrowing_base",
    "availability",
    "over_advance_usage",
    "liquidity",
    "liquidity_triggers",
    "interest_rates",
    "interest_basis",
    "describe_interest_basis",
    "daily_interest",
    "exact_sum",
    "rate_on",
    "invoice_aging_date",
    "eligibility_waterfall",
    "compare_with_certificate",
    "MAX_BASE_RATE",
]

ZERO = Decimal(0)


class FacilityInputError(ValueError):
    """Bad engine input (receivables, cash, draws, rates): the message names the field and date."""


class DrawRefusedError(FacilityInputError):
    """A draw above availability.

    Attributes: ``date``, ``requested``, ``available``, ``shortfall``.
    """

    def __init__(self, date: dt.date, requested: Decimal, available: Decimal):
        self.date, self.requested, self.available = date, requested, available
        self.shortfall = requested - available
        super().__init__(
            f"draw of {requested:,.2f} on {date.isoformat()} refused: availability is "
            f"{available:,.2f}, shortfall {self.shortfall:,.2f}"
        )


def to_date(x: Any, what: str = "as_of") -> dt.date:
    """:func:`model.values.as_date`, raising :class:`FacilityInputError` (naming ``what``).

    >>> to_date("2008-13-01", "termination_date")
    Traceback (most recent call last):
    ...
    model.facility.FacilityInputError: termination_date: not an ISO date (YYYY-MM-DD): '2008-13-01'
    """
    try:
        return as_date(x, what)
    except ValueError as exc:
        raise FacilityInputError(str(exc)) from None


def to_money(x: Any, field: str, *, allow_negative: bool = False, date: Any = None) -> Decimal:
    """Parse a money input into Decimal dollars with :func:`model.values.as_money`; NaN,
    text, booleans and negatives (unless allowed) are errors naming the field and date.

    >>> to_money(1500.5, "cash")
    Decimal('1500.5')
    >>> to_money(-1, "cash", date="2008-05-01")
    Traceback (most recent call last):
    ...
    model.facility.FacilityInputError: cash on 2008-05-01: must not be negative (got -1)
    >>> to_money(True, "cash", date="2008-05-01")
    Traceback (most recent call last):
    ...
    model.facility.FacilityInputError: cash on 2008-05-01: not an amount: True
    """
    where = f"{field} on {to_date(date, 'date').isoformat()}" if date is not None else field
    try:
        return as_money(x, where, allow_negative=allow_negative)
    except ValueError as exc:
        raise FacilityInputError(str(exc)) from None


MAX_BASE_RATE = Decimal("0.5")
"""Base rates are decimal fractions: 0 <= rate < 0.5 (50%) is accepted; 5.0 is a typo for 0.05."""


def check_base_rate(x: Any, field: str, date: Any = None) -> Decimal:
    """A base rate (prime or LIBOR) as a decimal fraction, 0 <= rate < 0.5.

    >>> check_base_rate("0.0525", "rate_path.rate", "2008-05-01")
    Decimal('0.0525')
    >>> check_base_rate(5.0, "rate_path.rate", "2008-05-01")
    Traceback (most recent call last):
    ...
    model.facility.FacilityInputError: rate_path.rate on 2008-05-01: a rate is a decimal
    fraction, 0 <= rate < 0.5 (write 0.05 for 5%); got 5.0
    """
    r = to_money(x, field, allow_negative=True, date=date)
    if not (0 <= r < MAX_BASE_RATE):
        where = f"{field} on {to_date(date, 'date').isoformat()}" if date is not None else field
        raise FacilityInputError(
            f"{where}: a rate is a decimal fraction, 0 <= rate < {MAX_BASE_RATE} "
            f"(write 0.05 for 5%); got {x}"
        )
    return r


def terms_for(terms: Facility | FacilityTerms, as_of: dt.date | str) -> FacilityTerms:
    """The terms to apply on ``as_of``: the version in force (given a Facility) or the given one.

    A version cannot be applied before its own effective date (its schedules do not
    cover those days): pass the :class:`Facility` or an earlier version instead.
    """
    d = to_date(as_of)
    if isinstance(terms, Facility):
        return terms.terms_as_of(d)
    if not isinstance(terms, FacilityTerms):
        raise TypeError(f"terms must be a Facility or FacilityTerms, not {type(terms).__name__}")
    if d < terms.effective_date:
        raise FacilityInputError(
            f"as_of {d} is before version {terms.version_name!r} took effect "
            f"({terms.effective_date}); pass the Facility to get the terms in force then"
        )
    return terms


@dataclass(frozen=True)
class BorrowingBase:
    """The Borrowing Base on a date, by clause, and the Revolving Line cap.

    ``domestic`` = rate x eligible domestic (a), ``foreign`` = rate x eligible foreign (b),
    ``over_advance`` = the clause (c) amount for the date, ``total`` = (a)+(b)+(c),
    ``line`` = the Revolving Line; ``limit`` = min(line, total) is what may be outstanding.
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

    @property
    def receivables_base(self) -> Decimal:
        """Clauses (a)+(b): the part of the base backed by receivables."""
        return self.domestic + self.foreign

    @property
    def limit(self) -> Decimal:
        """min(Revolving Line, Borrowing Base): the most that may be outstanding."""
        return min(self.line, self.total)

    def to_frame(self) -> pd.DataFrame:
        """The base as a waterfall table (amount in dollars, rounded to cents)."""
        rows = [
            (
                f"(a) {self.domestic_rate:.0%} of eligible domestic {self.eligible_domestic:,.2f}",
                self.domestic,
            ),
            (
                f"(b) {self.foreign_rate:.0%} of eligible foreign {self.eligible_foreign:,.2f}",
                self.foreign,
            ),
            ("(c) First Loan Modification over-advance for the date", self.over_advance),
            ("Borrowing Base (a)+(b)+(c)", self.total),
            ("Revolving Line", self.line),
            ("Lesser of line and Borrowing Base", self.limit),
        ]
        return pd.DataFrame(
            {"item": [r[0] for r in rows], "amount": [float(to_cents(r[1])) for r in rows]}
        ).set_index("item")


def over_advance_amount(terms: Facility | FacilityTerms, as_of: dt.date | str) -> Decimal:
    """The Borrowing Base clause (c) amount on ``as_of`` (0 where the version has none).

    Notes
    -----
    First Loan Modification Sec. 3.A.I, Borrowing Base (c): $15,000,000 from the
    Execution Date through 2008-05-31; $11,250,000 2008-06-01 through 2008-08-31;
    $7,500,000 2008-09-01 through 2008-11-30; $3,750,000 2008-12-01 through
    2009-02-28; thereafter $0. All boundaries inclusive, as written.

    Examples
    --------
    >>> from model.params import load
    >>> fac = load("params/facilities/svb-loan-agreement.yaml")
    >>> [over_advance_amount(fac, d) for d in ("2008-04-27", "2008-05-31", "2008-06-01")]
    [Decimal('0'), Decimal('15000000'), Decimal('11250000')]
    """
    d = to_date(as_of)
    t = terms_for(terms, d)
    sched = t.borrowing_base.over_advance
    if sched is None:
        return ZERO
    amt = sched.amount_on(d)
    return ZERO if amt is None else amt


def _rate(override: Any, documented: Decimal, field: str) -> Decimal:
    if override is None:
        return documented
    try:
        r = Decimal(str(override))
    except ArithmeticError:
        raise FacilityInputError(f"{field} is not a number (got {override!r})") from None
    if not (ZERO <= r <= 1):
        raise FacilityInputError(f"{field} must be between 0 and 1 (100%); got {override}")
    if r > documented:
        raise FacilityInputError(
            f"{field} {r} is above the documented {documented}: the Bank may only decrease "
            "the advance rates (Borrowing Base proviso)"
        )
    return r


def borrowing_base(
    terms: Facility | FacilityTerms,
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
        documented 80% / 70%.
    gross_domestic_ar, gross_foreign_ar : number, optional
        Gross receivables, to check that eligible does not exceed gross.

    Notes
    -----
    Borrowing Base = (a) 80% x Eligible Domestic Accounts + (b) 70% x Eligible Foreign
    Accounts + (c) the scheduled amount (First Loan Modification Sec. 3.A.I; the
    original definition has only (a) and (b)).

    Examples
    --------
    >>> from model.params import load
    >>> fac = load("params/facilities/svb-loan-agreement.yaml")
    >>> bb = borrowing_base(fac, "2008-06-01", 30_000_000, 10_000_000)
    >>> bb.domestic, bb.foreign, bb.over_advance
    (Decimal('24000000.00'), Decimal('7000000.00'), Decimal('11250000'))
    >>> bb.total, bb.line
    (Decimal('42250000.00'), Decimal('50000000'))
    """
    d = to_date(as_of)
    t = terms_for(terms, d)
    dom = to_money(eligible_domestic_ar, "eligible_domestic_ar", date=d)
    fgn = to_money(eligible_foreign_ar, "eligible_foreign_ar", date=d)
    for name, gross, elig in (
        ("domestic", gross_domestic_ar, dom),
        ("foreign", gross_foreign_ar, fgn),
    ):
        if gross is not None:
            g = to_money(gross, f"gross_{name}_ar", date=d)
            if elig > g:
                raise FacilityInputError(
                    f"eligible_{name}_ar on {d} ({elig:,.2f}) is above gross_{name}_ar ({g:,.2f})"
                )
    bbt = t.borrowing_base
    rd = _rate(domestic_advance_rate, bbt.domestic_advance_rate.value, "domestic_advance_rate")
    rf = _rate(foreign_advance_rate, bbt.foreign_advance_rate.value, "foreign_advance_rate")
    a, b = rd * dom, rf * fgn
    c = over_advance_amount(t, d)
    return BorrowingBase(d, t.version_name, dom, fgn, rd, rf, a, b, c, a + b + c, t.line)


def availability(
    terms: Facility | FacilityTerms,
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

    A balance above the limit (after a clause (c) step-down) gives availability 0; the
    excess is reported by :func:`model.ledger.facility_ledger` and
    :func:`model.sizing.first_shortfall_date`, not as negative availability.

    Examples
    --------
    >>> from model.params import load
    >>> fac = load("params/facilities/svb-loan-agreement.yaml")
    >>> availability(fac, "2008-04-27", 40_000_000, 0, 10_000_000)   # line $35M binds
    Decimal('22000000.00')
    >>> availability(fac, "2008-04-28", 40_000_000, 0, 10_000_000)   # line $50M, base 32M + 15M
    Decimal('37000000.00')
    """
    d = to_date(as_of)
    bb = borrowing_base(
        terms,
        d,
        eligible_domestic_ar,
        eligible_foreign_ar,
        domestic_advance_rate=domestic_advance_rate,
        foreign_advance_rate=foreign_advance_rate,
    )
    out = to_money(outstanding, "outstanding", date=d)
    res = to_money(reserves, "reserves", date=d)
    lcs = to_money(letters_of_credit, "letters_of_credit", date=d)
    return max(ZERO, bb.limit - out - res - lcs)


def over_advance_usage(bb: BorrowingBase, outstanding: Any) -> Decimal:
    """The First Loan Modification Advance Amount in use: the part of outstanding Advances
    above clauses (a)+(b), capped at the clause (c) amount for the date.

    Notes
    -----
    First Loan Modification Sec. 3.A.II ("First Loan Modification Advance Amount"): it
    bears interest at the Sec. 2.4(a)-(f) rate plus the 1.25% First Loan Modification
    Additional Interest Rate Margin (new Sec. 2.4(i)).

    >>> bb = BorrowingBase(dt.date(2008, 6, 1), "x", Decimal(0), Decimal(0), Decimal("0.8"),
    ...     Decimal("0.7"), Decimal(20), Decimal(0), Decimal(10), Decimal(30), Decimal(50))
    >>> over_advance_usage(bb, 25), over_advance_usage(bb, 15), over_advance_usage(bb, 40)
    (Decimal('5'), Decimal('0'), Decimal('10'))
    """
    out = to_money(outstanding, "outstanding")
    return min(bb.over_advance, max(ZERO, out - bb.receivables_base))


def liquidity(cash: Any, availability_amount: Any) -> Decimal:
    """Unrestricted cash and Cash Equivalents at Bank plus the Availability Amount
    (Sec. 6.2(a)(ix), 6.3(c), 6.9(iii)).

    >>> liquidity(12_000_000, 3_500_000)
    Decimal('15500000')
    """
    return to_money(cash, "cash") + to_money(availability_amount, "availability")


@dataclass(frozen=True)
class LiquidityTriggers:
    """Which liquidity triggers bite on a date, with the threshold used for each.

    ``agings_reports_required``: the Bank may require agings and unbilled revenue
    reports on the 15th and 30th (Sec. 6.2(a)(ix); no such right before 2008-04-28,
    threshold ``None``). ``cash_dominion``: collections are applied to the Obligations
    instead of going to the operating account (Sec. 6.3(c)). ``cash_flow_covenant_springs``:
    the springing Sec. 6.9(iii) test applies for the quarter (Borrower Cash Flow; Borrower
    EBITDA in the original version, ``cash_flow_covenant_id`` says which).
    """

    as_of: dt.date
    version_name: str
    liquidity: Decimal
    agings_reports_required: bool
    agings_threshold: Decimal | None
    cash_dominion: bool
    cash_dominion_threshold: Decimal
    cash_flow_covenant_springs: bool
    cash_flow_threshold: Decimal | None
    cash_flow_covenant_id: str | None
    cash: Decimal | None = None
    availability: Decimal | None = None
    agings_measure: str | None = None

    @property
    def agings_rule(self) -> str:
        """The Sec. 6.2(a)(ix) test as applied, in words (the reading and the figures)."""
        if self.agings_threshold is None:
            return f"no agings-report right in version {self.version_name!r}"
        thr = f"{self.agings_threshold:,.0f}"
        if self.agings_measure == "either":
            assert self.cash is not None and self.availability is not None
            return (
                f"cash at Bank {self.cash:,.2f} or availability {self.availability:,.2f} "
                f"< {thr} (reading 'either' of 'and/or', an assumption)"
            )
        return f"cash at Bank plus availability {self.liquidity:,.2f} < {thr} (reading 'sum')"


def liquidity_triggers(
    terms: Facility | FacilityTerms,
    as_of: dt.date | str,
    liquidity: Any = None,
    *,
    cash: Any = None,
    availability: Any = None,
    event_of_default: bool = False,
) -> LiquidityTriggers:
    """The liquidity triggers on ``as_of``.

    Parameters
    ----------
    liquidity : number, optional
        Unrestricted cash and Cash Equivalents at Bank plus the Availability Amount.
    cash, availability : number, optional
        The two parts, separately. Give both, or ``liquidity``, or all three (they must
        add up). The agings test under the ``either`` reading needs the parts.
    event_of_default : bool
        A Default or Event of Default is continuing (forces cash dominion).

    None of the amounts may be negative.

    Notes
    -----
    * Agings reports (Sec. 6.2(a)(ix)): "cash ... at Bank **and/or** the Availability
      Amount ... is **less than** $15,000,000". How "and/or" is read is the labelled
      assumption ``triggers.agings_measure``: ``either`` (cash < $15M or availability <
      $15M, the stricter, default) or ``sum`` (cash + availability < $15M, as Sec. 6.3(c)
      and 6.9(iii) say "plus").
    * Cash dominion (Sec. 6.3(c)): collections go to the operating account only when no
      Default/Event of Default continues and liquidity is **no less than** the threshold:
      $10,000,000 from 2008-04-28 through ("ending on") 2008-05-30, $15,000,000 from
      2008-05-31 through 2008-08-30, $20,000,000 from 2008-08-31; the original agreement's
      $15,000,000 before 2008-04-28. So ``cash_dominion = event_of_default or liquidity <
      threshold``. (These periods differ by one day from the Borrowing Base clause (c)
      periods; both as written.)
    * Springing covenant (Sec. 6.9(iii)): liquidity **less than** $20,000,000 (original:
      $15,000,000, printed "$15,000,0000"), with the threshold of the version in force on
      ``as_of``. The text says "for any fiscal quarter in which" liquidity is below: the
      quarter-level flag (threshold of the version in force when the quarter's certificate
      is due, any day of the quarter) is :func:`model.ledger.ledger_by_quarter`'s and the
      covenant engine's; this function answers for one day.

    Examples
    --------
    >>> from model.params import load
    >>> fac = load("params/facilities/svb-loan-agreement.yaml")
    >>> t = liquidity_triggers(fac, "2008-05-30", cash=9_000_000, availability=3_000_000)
    >>> t.agings_reports_required, t.cash_dominion, t.cash_dominion_threshold
    (True, False, Decimal('10000000'))
    >>> t.agings_rule
    "cash at Bank 9,000,000.00 or availability 3,000,000.00 < 15,000,000
    (reading 'either' of 'and/or', an assumption)"
    >>> liquidity_triggers(fac, "2008-05-31", cash=9_000_000, availability=3_000_000).cash_dominion
    True
    >>> liquidity_triggers(fac, "2008-04-27", 12_000_000).cash_dominion  # original: $15M
    True
    """
    d = to_date(as_of)
    t = terms_for(terms, d)
    c = None if cash is None else to_money(cash, "cash", date=d)
    a = None if availability is None else to_money(availability, "availability", date=d)
    if (c is None) != (a is None):
        raise FacilityInputError(
            f"liquidity_triggers on {d}: give both cash and availability, or neither"
        )
    if liquidity is not None:
        liq = to_money(liquidity, "liquidity", date=d)
        if c is not None and a is not None and c + a != liq:
            raise FacilityInputError(
                f"liquidity on {d} ({liq:,.2f}) is not cash ({c:,.2f}) plus availability ({a:,.2f})"
            )
    elif c is not None and a is not None:
        liq = c + a
    else:
        raise FacilityInputError(
            f"liquidity_triggers on {d}: give liquidity, or cash and availability"
        )
    agings = t.triggers.agings_reports_below
    agings_thr = None if agings is None else agings.value
    measure = None if t.triggers.agings_measure is None else t.triggers.agings_measure.value
    if agings_thr is None:
        agings_hit = False
    elif measure == "either":
        if c is None or a is None:
            raise FacilityInputError(
                f"the agings test on {d} (Sec. 6.2(a)(ix), triggers.agings_measure 'either': "
                "cash or availability below the threshold) needs cash and availability "
                "separately: pass cash= and availability=, not only liquidity"
            )
        agings_hit = c < agings_thr or a < agings_thr
    else:
        agings_hit = liq < agings_thr
    cd_thr = t.triggers.cash_dominion_below.amount_on(d)
    if cd_thr is None:  # pragma: no cover - schedules are validated to cover the version
        raise FacilityInputError(f"no cash-dominion threshold in force on {d}")
    springing = [
        cv for cv in t.covenants if cv.springing is not None and cv.springing.metric == "liquidity"
    ]
    cf_thr = springing[0].springing.amount if springing else None  # type: ignore[union-attr]
    return LiquidityTriggers(
        as_of=d,
        version_name=t.version_name,
        liquidity=liq,
        agings_reports_required=agings_hit,
        agings_threshold=agings_thr,
        cash_dominion=as_bool(event_of_default, "event_of_default") or liq < cd_thr,
        cash_dominion_threshold=cd_thr,
        cash_flow_covenant_springs=cf_thr is not None and liq < cf_thr,
        cash_flow_threshold=cf_thr,
        cash_flow_covenant_id=springing[0].id if springing else None,
        cash=c,
        availability=a,
        agings_measure=measure,
    )


def interest_rates(terms: FacilityTerms, base_rate: Any) -> tuple[Decimal, Decimal]:
    """(revolver rate, over-advance rate) for a base rate (prime or LIBOR, as a decimal).

    Revolver = base + margin (Sec. 2.4(a)-(f), margin an assumption); over-advance =
    revolver + First Loan Modification Additional Interest Rate Margin (1.25%, new Sec.
    2.4(i)); in the original version the over-advance rate equals the revolver rate.

    >>> from model.params import load
    >>> fac = load("params/facilities/svb-loan-agreement.yaml")
    >>> interest_rates(fac.version("first_modification"), "0.05")
    (Decimal('0.05'), Decimal('0.0625'))
    """
    base = check_base_rate(base_rate, "base_rate")
    rev = base + terms.interest.margin.value
    extra = terms.interest.over_advance_margin
    return rev, rev + (extra.value if extra is not None else ZERO)


def interest_basis(
    terms: Facility | FacilityTerms,
    start: dt.date | str,
    end: dt.date | str,
    rate_source: str | None = None,
) -> list[dict[str, Any]]:
    """How interest is priced from ``start`` to ``end``: one entry per version in force
    in that period, with the base rate index, the margin over it (Sec. 2.4(a)-(f), not in
    these documents: an assumption) and the over-advance margin, each with its provenance.

    ``rate_source`` (e.g. the rate path file) is recorded as given.

    >>> from model.params import load
    >>> fac = load("params/facilities/svb-loan-agreement.yaml")
    >>> [(b["version"], b["base_rate_index"], b["margin"], b["margin_is_assumption"])
    ...  for b in interest_basis(fac, "2008-04-01", "2008-06-30")]
    [('original', 'prime', Decimal('0.0'), True), ('first_modification', 'prime', Decimal('0.0'), True)]
    """
    d0, d1 = to_date(start, "start"), to_date(end, "end")
    if d1 < d0:
        raise FacilityInputError(f"end {d1} is before start {d0}")
    if isinstance(terms, Facility):
        first = terms.terms_as_of(d0)
        versions = [v for v in terms.all_versions if v is first or d0 < v.effective_date <= d1]
    else:
        versions = [terms_for(terms, d0)]
    out = []
    for v in versions:
        i = v.interest
        oa = i.over_advance_margin
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


def describe_interest_basis(basis: list[dict[str, Any]]) -> str:
    """One line per entry of :func:`interest_basis`, saying the base rate and the margin
    with its provenance, e.g. ``base rate: prime path from rates.csv; margin 0.00%
    (ASSUMPTION: ...)``.

    >>> from model.params import load
    >>> fac = load("params/facilities/svb-loan-agreement.yaml")
    >>> print(describe_interest_basis(interest_basis(fac.version("original"), "2008-01-01",
    ...                                              "2008-01-31", "rates.csv")))
    original from 2008-01-01: base rate: prime path from rates.csv; margin 0.00% (ASSUMPTION: \
The margin over the base rate in Sec. 2.4(a)-(f) is not in these documents; 0 until the user \
supplies it.); ACT/360, paid monthly
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
                f"; First Loan Modification Advance Amount +{b['over_advance_margin']:.2%} "
                f"({b['over_advance_margin_basis']})"
            )
        lines.append(f"{text}; {b['day_count']}, paid {b['payment_frequency']}")
    return "\n".join(lines)


def daily_interest(
    balance: Decimal, annual_rate: Decimal, day: dt.date, day_count: str
) -> Fraction:
    """Interest for one day on an end-of-day balance, as an exact fraction of dollars.

    ACT/360 makes one day's interest a repeating decimal (``/ 360``), so accruals are
    kept as :class:`fractions.Fraction`: sums over any period (:func:`exact_sum`) are
    exact and additive, and :func:`model.values.to_cents` rounds a total once, half up,
    for payment.
    Uses ``model.daycount.year_fraction_exact`` when present; otherwise 1/360 (ACT/360)
    or 1/365 (ACT/365F).

    >>> daily_interest(Decimal(3_600_000), Decimal("0.05"), dt.date(2008, 5, 1), "ACT/360")
    Fraction(500, 1)
    >>> day = dt.date(2008, 5, 1)
    >>> to_cents(daily_interest(Decimal(1_000_001), Decimal("0.0525"), day, "ACT/360"))
    Decimal('145.83')
    """
    return Fraction(balance) * Fraction(annual_rate) * _day_fraction(day, day_count)


def exact_sum(values: Any) -> Fraction:
    """Exact sum of accruals (Fractions, Decimals or ints).

    >>> exact_sum([Fraction(1, 3), Fraction(2, 3), Decimal("0.5")])
    Fraction(3, 2)
    """
    total = Fraction(0)
    for v in values:
        total += Fraction(v)
    return total


def _day_fraction(day: dt.date, day_count: str) -> Fraction:
    from model import daycount

    fn = getattr(daycount, "year_fraction_exact", None)
    if fn is not None:
        try:
            return Fraction(fn(day, day + dt.timedelta(days=1), day_count))
        except NotImplementedError:  # pragma: no cover - placeholder module
            pass
    conv = daycount.DayCount.parse(day_count)
    if conv is daycount.DayCount.ACT_360:
        return Fraction(1, 360)
    if conv is daycount.DayCount.ACT_365F:
        return Fraction(1, 365)
    raise FacilityInputError(f"day count {day_count!r} is not supported for daily accrual")


def rate_on(rate_path: pd.Series, day: dt.date) -> Decimal:
    """The base rate in force on ``day`` from a step path (index: effective dates)."""
    ts = pd.Timestamp(day)
    before = rate_path.loc[:ts]
    if before.empty:
        raise FacilityInputError(
            f"rate path has no rate on or before {day} (first rate {rate_path.index[0].date()})"
        )
    return check_base_rate(before.iloc[-1], "rate_path.rate", before.index[-1])


# --- eligibility ---------------------------------------------------------------------------

_INVOICE_COLUMNS = ("customer", "invoice_date", "amount", "foreign", "affiliate", "insured")


class _Invoice(TypedDict):
    """One parsed invoice row of :func:`invoice_waterfall`."""

    customer: Any
    segment: str
    age: int
    amount: Fraction
    foreign: bool
    affiliate: bool
    insured: bool


AGING_COLUMN = "aged_as_of"
"""Optional invoices column: the date the open-invoice list was aged at (one date for all rows)."""


def invoice_aging_date(invoices: pd.DataFrame, aged_as_of: Any = None) -> dt.date:
    """The date an open-invoice list is aged at: its ``aged_as_of`` column (one date for
    every row) or the ``aged_as_of`` argument (which must agree with the column).

    >>> inv = pd.DataFrame({"customer": ["A"], "aged_as_of": ["2008-06-30"]})
    >>> invoice_aging_date(inv)
    datetime.date(2008, 6, 30)
    >>> invoice_aging_date(inv.drop(columns="aged_as_of"))
    Traceback (most recent call last):
    ...
    model.facility.FacilityInputError: invoices have no aging date: add an 'aged_as_of'
    column (the date the open invoices were listed) or pass aged_as_of=
    """
    given = None if aged_as_of is None else to_date(aged_as_of, "aged_as_of")
    if AGING_COLUMN in invoices.columns:
        dates = {to_date(x, f"invoices.{AGING_COLUMN}") for x in invoices[AGING_COLUMN]}
        if len(dates) != 1:
            listed = ", ".join(sorted(d.isoformat() for d in dates)) or "none"
            raise FacilityInputError(
                f"invoices.{AGING_COLUMN} must hold one date for every row (got: {listed})"
            )
        col = dates.pop()
        if given is not None and given != col:
            raise FacilityInputError(
                f"aged_as_of {given} disagrees with the invoices' {AGING_COLUMN} column ({col})"
            )
        return col
    if given is None:
        raise FacilityInputError(
            "invoices have no aging date: add an 'aged_as_of' column (the date the open "
            "invoices were listed) or pass aged_as_of="
        )
    return given


def eligibility_waterfall(
    rules: EligibilityRules | FacilityTerms | Facility,
    as_of: dt.date | str,
    invoices: pd.DataFrame,
    *,
    aged_as_of: Any = None,
) -> pd.DataFrame:
    """From gross receivables to Eligible Domestic and Foreign Accounts, one row per deduction.

    Parameters
    ----------
    rules : EligibilityRules, FacilityTerms or Facility
        The rules (assumptions in the params file: the Loan Agreement's definitions are
        not in these documents).
    as_of : date
    invoices : DataFrame
        Columns ``customer``, ``invoice_date``, ``amount`` (>= 0), ``foreign``,
        ``affiliate``, ``insured`` (yes/no flags, parsed strictly: a blank or "maybe" is
        an error; ``insured`` matters for foreign accounts), and ``aged_as_of`` (the date
        the list was aged at), unless given as the argument.
    aged_as_of : date, optional
        The list's aging date when it has no ``aged_as_of`` column.

    Returns
    -------
    DataFrame
        Index: gross, each deduction (as a negative amount), eligible; columns
        ``domestic``, ``foreign``, ``total``: exact :class:`~decimal.Decimal` dollars to
        the cent.

    Raises
    ------
    FacilityInputError
        Invoices aged at another date than ``as_of`` (ageing a fixed list to another date
        would silently make it all past due), or a bad value, naming the row's customer,
        the column and the value.

    Notes
    -----
    Order: (1) invoices more than ``past_due_days`` days from invoice date; (2)
    cross-aging: the whole balance of a debtor whose past-due share exceeds
    ``cross_aging_pct``; (3) affiliates; (4) foreign accounts without credit insurance;
    (5) concentration: each debtor's remaining balance above ``concentration_pct`` of
    all remaining eligible accounts (pro rata to its domestic/foreign parts).

    Arithmetic is exact (fractions of dollars); each figure is rounded to the cent once,
    half up. Deductions (1)-(4) are whole invoices, so exact; the concentration row is
    eligible (rounded once) less the amount before it, so the column adds up to the cent.
    """
    d = to_date(as_of)
    if isinstance(rules, Facility):
        rules = rules.terms_as_of(d)
    if isinstance(rules, FacilityTerms):
        rules = rules.eligibility
    missing = [c for c in _INVOICE_COLUMNS if c not in invoices.columns]
    if missing:
        raise FacilityInputError(f"invoices lack column(s): {', '.join(missing)}")
    aged = invoice_aging_date(invoices, aged_as_of)
    if aged != d:
        raise FacilityInputError(
            f"invoices aged as of {aged} used for {d}: ages, past-due and cross-aging would be "
            f"wrong; supply invoices aged as of {d}"
        )
    recs: list[_Invoice] = []
    for i, r in enumerate(invoices.itertuples(index=False), start=1):
        cust = r.customer
        raw_date = r.invoice_date
        try:
            inv_date = as_date(raw_date, "invoice_date")
        except ValueError:
            raise FacilityInputError(
                f"invoices row {i} (customer {cust!r}): invoice_date is not an ISO date "
                f"(YYYY-MM-DD): {raw_date!r}"
            ) from None
        where = f"invoices row {i} (customer {cust!r}, dated {inv_date})"
        if inv_date > d:
            raise FacilityInputError(
                f"{where}: invoices.invoice_date {inv_date} is after as_of {d}"
            )
        try:
            amt = as_money(r.amount, "amount")
        except ValueError as exc:
            raise FacilityInputError(f"{where}: invoices.{exc}") from None
        flags: dict[str, bool] = {}
        for c in ("foreign", "affiliate", "insured"):
            try:
                flags[c] = as_bool(getattr(r, c), c)
            except ValueError as exc:
                raise FacilityInputError(f"{where}: invoices.{exc}") from None
        recs.append(
            {
                "customer": cust,
                "segment": "foreign" if flags["foreign"] else "domestic",
                "age": (d - inv_date).days,
                "amount": Fraction(amt),
                "foreign": flags["foreign"],
                "affiliate": flags["affiliate"],
                "insured": flags["insured"],
            }
        )
    segs = ("domestic", "foreign")

    def seg_sum(values: list[Fraction]) -> dict[str, Fraction]:
        out = {k: Fraction(0) for k in segs}
        for rec, v in zip(recs, values, strict=True):
            out[rec["segment"]] += v
        return out

    def cut(mask: list[bool], left: list[Fraction]) -> tuple[list[Fraction], list[Fraction]]:
        cuts = [v if m else Fraction(0) for v, m in zip(left, mask, strict=True)]
        return cuts, [v - c for v, c in zip(left, cuts, strict=True)]

    steps: list[tuple[str, dict[str, Fraction]]] = []
    left = [rec["amount"] for rec in recs]
    steps.append(("gross receivables", seg_sum(left)))
    n = rules.past_due_days.value
    past_due = [rec["age"] > n for rec in recs]
    cuts, left = cut(past_due, left)
    steps.append((f"less: over {n} days from invoice", seg_sum(cuts)))

    by_cust: dict[Any, list[Fraction]] = {}
    for rec, pd_ in zip(recs, past_due, strict=True):
        tot = by_cust.setdefault(rec["customer"], [Fraction(0), Fraction(0)])
        tot[0] += rec["amount"] if pd_ else 0
        tot[1] += rec["amount"]
    pct = rules.cross_aging_pct.value
    crossed = {k: v[1] > 0 and v[0] / v[1] > Fraction(pct) for k, v in by_cust.items()}
    cuts, left = cut([crossed[rec["customer"]] for rec in recs], left)
    steps.append((f"less: cross-aging (debtor over {pct:.0%} past due)", seg_sum(cuts)))

    excl = rules.exclude_affiliates.value
    cuts, left = cut([excl and rec["affiliate"] for rec in recs], left)
    steps.append(("less: affiliates", seg_sum(cuts)))

    ins = rules.foreign_requires_insurance.value
    cuts, left = cut([ins and rec["foreign"] and not rec["insured"] for rec in recs], left)
    steps.append(("less: foreign not insured", seg_sum(cuts)))

    conc = rules.concentration_pct.value
    total_left = sum(left, Fraction(0))
    cust_left: dict[Any, Fraction] = {}
    for rec, v in zip(recs, left, strict=True):
        cust_left[rec["customer"]] = cust_left.get(rec["customer"], Fraction(0)) + v
    cap = Fraction(conc) * total_left
    ratio = {k: (v - cap) / v if v > cap else Fraction(0) for k, v in cust_left.items()}
    conc_cut = seg_sum([v * ratio[rec["customer"]] for rec, v in zip(recs, left, strict=True)])

    rounded: dict[str, dict[str, Decimal]] = {}
    for label, amounts in steps:
        sign = 1 if label == "gross receivables" else -1
        rounded[label] = {k: to_cents(sign * amounts[k]) for k in segs}
    exact_before = {k: steps[0][1][k] - sum(a[k] for _, a in steps[1:]) for k in segs}
    exact_eligible = {k: exact_before[k] - conc_cut[k] for k in segs}
    elig = {k: to_cents(exact_eligible[k]) for k in segs}
    before = {k: sum((rounded[label][k] for label, _ in steps), Decimal(0)) for k in segs}
    rounded[f"less: concentration over {conc:.0%}"] = {k: elig[k] - before[k] for k in segs}
    rounded["eligible accounts"] = elig
    out = pd.DataFrame.from_dict(rounded, orient="index")[list(segs)]
    out["total"] = out["domestic"] + out["foreign"]
    out.index.name = "step"
    return out


def compare_with_certificate(waterfall: pd.DataFrame, certificate: pd.Series) -> pd.DataFrame:
    """The waterfall's eligible and gross receivables beside a Borrowing Base Certificate's
    (a receivables row, e.g. from :func:`model.ledger.certificate_on`), and the difference.

    One receivables source per date: the certificate for a date should carry the figures
    of that date's invoice waterfall; a non-zero ``difference`` says they disagree. A
    figure the certificate lacks (no ``gross_*`` column, or blank) is ``None``.

    >>> wf = pd.DataFrame({"domestic": [Decimal(100), Decimal(80)], "foreign": [Decimal(50),
    ...     Decimal(40)]}, index=["gross receivables", "eligible accounts"])
    >>> cert = pd.Series({"eligible_domestic": 80.0, "eligible_foreign": 35.0})
    >>> compare_with_certificate(wf, cert)["difference"].tolist()
    [Decimal('0.0'), None, Decimal('5.0'), None]
    """
    rows = []
    for seg in ("domestic", "foreign"):
        for kind, label in (("eligible", "eligible accounts"), ("gross", "gross receivables")):
            item = f"{kind}_{seg}"
            # invoice_waterfall's cells are Decimal; pandas-stubs types a cell as any scalar.
            w = Decimal(cast(Decimal, waterfall.loc[label, seg]))
            raw = certificate.get(item)
            c = None if raw is None or pd.isna(raw) else to_money(raw, f"certificate.{item}")
            rows.append(
                {
                    "item": item,
                    "waterfall": w,
                    "certificate": c,
                    "difference": None if c is None else w - c,
                }
            )
    return pd.DataFrame(rows).set_index("item")
