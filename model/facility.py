"""Facility engines: eligibility, Borrowing Base, availability, liquidity triggers, interest.

Pure functions of ``(terms, as_of, inputs)``. ``terms`` is either the
:class:`~model.terms.facility.FacilityTerms` of one version (to ask "what if this
version applied on that date") or the :class:`~model.terms.facility.Facility`, in
which case the version in force on ``as_of`` is used (the original terms before
2008-04-28, the First Loan Modification from 2008-04-28).

Money amounts come back as :class:`decimal.Decimal` dollars, unrounded; round to
cents only to present or settle (``ROUND_HALF_UP``).

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
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pandas as pd

from model.terms.facility import EligibilityRules, Facility, FacilityTerms, _as_date

__all__ = [
    "FacilityInputError",
    "DrawRefusedError",
    "BorrowingBase",
    "LiquidityTriggers",
    "terms_for",
    "to_money",
    "cents",
    "over_advance_amount",
    "borrowing_base",
    "availability",
    "over_advance_usage",
    "liquidity",
    "liquidity_triggers",
    "interest_rates",
    "daily_interest",
    "exact_sum",
    "to_cents",
    "rate_on",
    "eligibility_waterfall",
]

CENT = Decimal("0.01")
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


def cents(x: Decimal) -> Decimal:
    """Round to cents, half up (presentation and settlement only).

    >>> cents(Decimal("1.005"))
    Decimal('1.01')
    """
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def to_money(x: Any, field: str, *, allow_negative: bool = False, date: Any = None) -> Decimal:
    """Parse a money input into Decimal dollars; NaN, text and negatives (unless allowed)
    are errors.

    >>> to_money(1500.5, "cash")
    Decimal('1500.5')
    >>> to_money(-1, "cash", date="2008-05-01")
    Traceback (most recent call last):
    ...
    model.facility.FacilityInputError: cash on 2008-05-01 must not be negative (got -1)
    """
    where = f"{field} on {_as_date(date).isoformat()}" if date is not None else field
    try:
        if isinstance(x, float) and not math.isfinite(x):
            raise ValueError
        d = x if isinstance(x, Decimal) else Decimal(str(x))
        if not d.is_finite():
            raise ValueError
    except (ValueError, ArithmeticError):
        raise FacilityInputError(f"{where} is not a finite amount (got {x!r})") from None
    if d < 0 and not allow_negative:
        raise FacilityInputError(f"{where} must not be negative (got {x})")
    return d


def terms_for(terms: Facility | FacilityTerms, as_of: dt.date | str) -> FacilityTerms:
    """The terms to apply on ``as_of``: the version in force (given a Facility) or the given one.

    A version cannot be applied before its own effective date (its schedules do not
    cover those days): pass the :class:`Facility` or an earlier version instead.
    """
    d = _as_date(as_of)
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
            {"item": [r[0] for r in rows], "amount": [float(cents(r[1])) for r in rows]}
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
    d = _as_date(as_of)
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
    d = _as_date(as_of)
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
    d = _as_date(as_of)
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


def liquidity_triggers(
    terms: Facility | FacilityTerms,
    as_of: dt.date | str,
    liquidity: Any,
    *,
    event_of_default: bool = False,
) -> LiquidityTriggers:
    """The liquidity triggers on ``as_of``.

    Notes
    -----
    * Agings reports (Sec. 6.2(a)(ix)): liquidity **less than** $15,000,000.
    * Cash dominion (Sec. 6.3(c)): collections go to the operating account only when no
      Default/Event of Default continues and liquidity is **no less than** the threshold:
      $10,000,000 from 2008-04-28 through ("ending on") 2008-05-30, $15,000,000 from
      2008-05-31 through 2008-08-30, $20,000,000 from 2008-08-31; the original agreement's
      $15,000,000 before 2008-04-28. So ``cash_dominion = event_of_default or liquidity <
      threshold``. (These periods differ by one day from the Borrowing Base clause (c)
      periods; both as written.)
    * Springing covenant (Sec. 6.9(iii)): liquidity **less than** $20,000,000 (original:
      $15,000,000, printed "$15,000,0000"). The text says "for any fiscal quarter in
      which" liquidity is below: the quarter-level reading ("any day of the quarter") is
      the covenant engine's, from the daily ledger; this function answers for one day.

    Examples
    --------
    >>> from model.params import load
    >>> fac = load("params/facilities/svb-loan-agreement.yaml")
    >>> t = liquidity_triggers(fac, "2008-05-30", 12_000_000)
    >>> t.agings_reports_required, t.cash_dominion, t.cash_dominion_threshold
    (True, False, Decimal('10000000'))
    >>> liquidity_triggers(fac, "2008-05-31", 12_000_000).cash_dominion
    True
    """
    d = _as_date(as_of)
    t = terms_for(terms, d)
    liq = to_money(liquidity, "liquidity", allow_negative=True, date=d)
    agings = t.triggers.agings_reports_below
    agings_thr = None if agings is None else agings.value
    cd_thr = t.triggers.cash_dominion_below.amount_on(d)
    if cd_thr is None:  # pragma: no cover - schedules are validated to cover the version
        raise FacilityInputError(f"no cash-dominion threshold in force on {d}")
    springing = [
        c for c in t.covenants if c.springing is not None and c.springing.metric == "liquidity"
    ]
    cf_thr = springing[0].springing.amount if springing else None  # type: ignore[union-attr]
    return LiquidityTriggers(
        as_of=d,
        version_name=t.version_name,
        liquidity=liq,
        agings_reports_required=agings_thr is not None and liq < agings_thr,
        agings_threshold=agings_thr,
        cash_dominion=bool(event_of_default) or liq < cd_thr,
        cash_dominion_threshold=cd_thr,
        cash_flow_covenant_springs=cf_thr is not None and liq < cf_thr,
        cash_flow_threshold=cf_thr,
        cash_flow_covenant_id=springing[0].id if springing else None,
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
    base = to_money(base_rate, "base_rate", allow_negative=True)
    rev = base + terms.interest.margin.value
    extra = terms.interest.over_advance_margin
    return rev, rev + (extra.value if extra is not None else ZERO)


def daily_interest(
    balance: Decimal, annual_rate: Decimal, day: dt.date, day_count: str
) -> Fraction:
    """Interest for one day on an end-of-day balance, as an exact fraction of dollars.

    ACT/360 makes one day's interest a repeating decimal (``/ 360``), so accruals are
    kept as :class:`fractions.Fraction`: sums over any period (:func:`exact_sum`) are
    exact and additive, and :func:`to_cents` rounds a total once, half up, for payment.
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


def to_cents(x: Fraction | Decimal | int) -> Decimal:
    """Round an exact amount to cents, half up (away from zero), for payment or display.

    >>> to_cents(Fraction(1, 200)), to_cents(Fraction(-1, 200)), to_cents(Fraction(1, 3))
    (Decimal('0.01'), Decimal('-0.01'), Decimal('0.33'))
    """
    f = Fraction(x)
    n = abs(f) * 100
    c = math.floor(n + Fraction(1, 2))
    return (Decimal(c if f >= 0 else -c) / 100).quantize(CENT)


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
    return Decimal(str(before.iloc[-1]))


# --- eligibility ---------------------------------------------------------------------------

_INVOICE_COLUMNS = ("customer", "invoice_date", "amount", "foreign", "affiliate", "insured")


def eligibility_waterfall(
    rules: EligibilityRules | FacilityTerms | Facility, as_of: dt.date | str, invoices: pd.DataFrame
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
        ``affiliate``, ``insured`` (booleans; ``insured`` matters for foreign accounts).

    Returns
    -------
    DataFrame
        Index: gross, each deduction (as a negative amount), eligible; columns
        ``domestic``, ``foreign``, ``total`` in dollars (cents).

    Notes
    -----
    Order: (1) invoices more than ``past_due_days`` days from invoice date; (2)
    cross-aging: the whole balance of a debtor whose past-due share exceeds
    ``cross_aging_pct``; (3) affiliates; (4) foreign accounts without credit insurance;
    (5) concentration: each debtor's remaining balance above ``concentration_pct`` of
    all remaining eligible accounts (pro rata to its domestic/foreign parts).
    """
    d = _as_date(as_of)
    if isinstance(rules, Facility):
        rules = rules.terms_as_of(d)
    if isinstance(rules, FacilityTerms):
        rules = rules.eligibility
    missing = [c for c in _INVOICE_COLUMNS if c not in invoices.columns]
    if missing:
        raise FacilityInputError(f"invoices lack column(s): {', '.join(missing)}")
    inv = invoices.copy()
    inv["invoice_date"] = pd.to_datetime(inv["invoice_date"]).dt.date
    amounts = pd.to_numeric(inv["amount"], errors="coerce")
    bad = inv[amounts.isna() | (amounts < 0)]
    if not bad.empty:
        r = bad.iloc[0]
        raise FacilityInputError(
            f"invoices.amount for customer {r['customer']!r} dated {r['invoice_date']} must be a "
            f"non-negative number (got {r['amount']!r})"
        )
    late = inv[inv["invoice_date"] > d]
    if not late.empty:
        raise FacilityInputError(
            f"invoices.invoice_date {late['invoice_date'].iloc[0]} is after as_of {d}"
        )
    inv["amount"] = amounts.astype(float)
    for c in ("foreign", "affiliate", "insured"):
        inv[c] = inv[c].astype(bool)
    inv["segment"] = inv["foreign"].map({False: "domestic", True: "foreign"})
    inv["age"] = [(d - x).days for x in inv["invoice_date"]]
    inv["left"] = inv["amount"]
    rows: dict[str, dict[str, float]] = {}

    def seg_sum(col: pd.Series) -> dict[str, float]:
        g = col.groupby(inv["segment"]).sum()
        return {s: float(g.get(s, 0.0)) for s in ("domestic", "foreign")}

    rows["gross receivables"] = seg_sum(inv["amount"])
    n = rules.past_due_days.value
    past_due = inv["age"] > n
    cut = inv["left"].where(past_due, 0.0)
    inv["left"] -= cut
    rows[f"less: over {n} days from invoice"] = {k: -v for k, v in seg_sum(cut).items()}

    share = inv["amount"].where(past_due, 0.0).groupby(inv["customer"]).sum() / inv.groupby(
        "customer"
    )["amount"].sum().replace(0, float("nan"))
    pct = float(rules.cross_aging_pct.value)
    crossed = inv["customer"].map(share.fillna(0) > pct)
    cut = inv["left"].where(crossed, 0.0)
    inv["left"] -= cut
    rows[f"less: cross-aging (debtor over {pct:.0%} past due)"] = {
        k: -v for k, v in seg_sum(cut).items()
    }

    cut = inv["left"].where(inv["affiliate"] & rules.exclude_affiliates.value, 0.0)
    inv["left"] -= cut
    rows["less: affiliates"] = {k: -v for k, v in seg_sum(cut).items()}

    cut = inv["left"].where(
        inv["foreign"] & ~inv["insured"] & rules.foreign_requires_insurance.value, 0.0
    )
    inv["left"] -= cut
    rows["less: foreign not insured"] = {k: -v for k, v in seg_sum(cut).items()}

    conc = float(rules.concentration_pct.value)
    total_left = float(inv["left"].sum())
    by_cust = inv.groupby("customer")["left"].sum()
    excess = (by_cust - conc * total_left).clip(lower=0.0)
    ratio = (excess / by_cust.replace(0, float("nan"))).fillna(0.0)
    cut = inv["left"] * inv["customer"].map(ratio)
    inv["left"] -= cut
    rows[f"less: concentration over {conc:.0%}"] = {k: -v for k, v in seg_sum(cut).items()}
    rows["eligible accounts"] = seg_sum(inv["left"])
    out = pd.DataFrame.from_dict(rows, orient="index")[["domestic", "foreign"]]
    out["total"] = out["domestic"] + out["foreign"]
    out.index.name = "step"
    return out.round(2) + 0.0
