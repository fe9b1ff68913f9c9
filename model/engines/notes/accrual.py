"""Notes: accrued interest to the cent, coupon schedules, quarterly interest expense,
principal events (exchanges, conversions, redemptions) and conversion into shares.

Money is exact: amounts are computed as rationals (:class:`fractions.Fraction`) from
the exact day-count fraction and rounded once, to the cent, half up. Accrual periods
are unadjusted; payment dates roll on the note's business-day calendar.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from functools import cached_property
from typing import Any

import pandas as pd

from model.dates import DayCount, add_months, day_count, year_fraction_exact
from model.errors import InputError
from model.terms.notes import NoteFile, NoteTerms
from model.values import read_amount, read_choice, read_date, read_money, read_rate, to_cents

__all__ = [
    "accrued_interest",
    "period_weights",
    "FixedRateNote",
    "Conversion",
    "convert",
]


def period_weights(
    periods: Sequence[tuple[dt.date, dt.date]],
    first: dt.date,
    n_days: int,
    tau: Callable[[dt.date, dt.date, int], Fraction],
) -> list[float]:
    """Each day's share of its period's accrual: for day ``d`` of period ``i`` (start
    ``a``), ``tau(a, d + 1, i) - tau(a, d, i)``; days ``first + k`` outside every period
    weigh 0. Summed from a period's start to any day they give ``tau`` to that day exactly
    (up to the float of each term), whatever the day count."""
    out = [0.0] * n_days
    last = first + dt.timedelta(days=n_days)
    for i, (a, b) in enumerate(periods):
        lo, hi = max(a, first), min(b, last)
        if lo >= hi:
            continue
        prev = tau(a, lo, i) if lo > a else Fraction(0)
        d = lo
        while d < hi:
            nxt = d + dt.timedelta(days=1)
            cum = tau(a, nxt, i)
            out[(d - first).days] = float(cum - prev)
            prev, d = cum, nxt
    return out


def _frac(x: Any, what: str = "amount") -> Fraction:
    """Exact rational from a number or numeric string; anything else names ``what``."""
    return x if isinstance(x, Fraction) else Fraction(read_amount(x, what, negative=True))


def accrued_interest(
    principal: Any,
    annual_rate: Any,
    period_start: Any,
    as_of: Any,
    convention: str | DayCount,
    **daycount_kwargs: Any,
) -> Decimal:
    r"""Interest accrued on ``principal`` from ``period_start`` to ``as_of``, to the cent.

    Parameters
    ----------
    principal : number
        Principal outstanding over the period: an amount of money, in dollars and cents
        (:func:`model.values.read_money`).
    annual_rate : number
        Coupon rate as a decimal fraction, 0 <= rate < 1 (0.0575 for 5 3/4%;
        :func:`model.values.read_rate`).
    period_start, as_of : date or ISO string
        Start of the accrual period (the last coupon date) and the date accrued to.
        The day count runs from ``period_start`` (included) to ``as_of`` (excluded).
    convention : str or DayCount
        A day count name from :class:`model.dates.DayCount`.
    **daycount_kwargs
        ``maturity`` (30E/360 ISDA) or ``ref_start``, ``ref_end``, ``frequency``
        (ACT/ACT ICMA), passed to :func:`model.dates.year_fraction_exact`.

    Returns
    -------
    Decimal
        :math:`P \times r \times \tau(d_1, d_2)`, rounded to the cent half up, where
        :math:`\tau` is the exact year fraction of the convention.

    Notes
    -----
    Source of the golden value: the letter agreement of 2003-02-05 between iBasis and
    the Symphony funds (Exhibit 99.2): "unpaid interest in the aggregate amount of
    $651,187.50 was accrued with respect to the exchanged Convertible Notes" on
    $30,200,000 of 5 3/4% notes exchanged on 2003-01-30 (last coupon 2002-09-15):
    30/360 gives 135 days, and 30,200,000 x 0.0575 x 135/360 = 651,187.50.

    Examples
    --------
    >>> accrued_interest(30_200_000, 0.0575, "2002-09-15", "2003-01-30", "30/360 US")
    Decimal('651187.50')
    """
    p = Fraction(read_money(principal, "principal"))
    r = Fraction(read_rate(annual_rate, "annual_rate"))
    start, end = read_date(period_start, "period_start"), read_date(as_of, "as_of")
    if end < start:
        raise InputError(f"{end} is before the period start {start}", key="as_of")
    tau = year_fraction_exact(start, end, DayCount.parse(convention), **daycount_kwargs)
    return to_cents(p * r * tau)


@dataclass(frozen=True)
class Conversion:
    """Shares issued on converting ``principal`` at ``conversion_price``.

    ``shares`` is the whole number issued; the fraction is paid in cash
    (``cash_in_lieu``), valued at ``cash_price_per_share``.
    """

    principal: Decimal
    conversion_price: Decimal
    shares: int
    fractional_share: Decimal
    cash_in_lieu: Decimal
    cash_price_per_share: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {
            "principal": self.principal,
            "conversion_price": self.conversion_price,
            "shares": self.shares,
            "fractional_share": self.fractional_share,
            "cash_in_lieu": self.cash_in_lieu,
            "cash_price_per_share": self.cash_price_per_share,
        }


def convert(principal: Any, conversion_price: Any, cash_price_per_share: Any = None) -> Conversion:
    """Whole shares for ``principal`` at ``conversion_price``; the fraction in cash.

    Notes
    -----
    shares = floor(principal / conversion price); fractional share = the remainder;
    cash in lieu = fractional share x ``cash_price_per_share`` (by default the
    conversion price, i.e. the unconverted principal is repaid; indentures often use
    the market price on the conversion date instead: pass it to override).

    Source check: "a 2005 conversion of $8.0 million into 4,324,324 shares" of the 8%
    notes at $1.85 (public-facts.md): 8,000,000 / 1.85 = 4,324,324.32...

    Examples
    --------
    >>> c = convert(8_000_000, "1.85")
    >>> c.shares, c.cash_in_lieu
    (4324324, Decimal('0.60'))
    """
    p = _frac(principal, "principal")
    cp = Fraction(read_amount(conversion_price, "conversion_price", positive=True))
    ratio = p / cp
    whole = math.floor(ratio)
    frac_share = ratio - whole
    cash_price = (
        cp if cash_price_per_share is None else _frac(cash_price_per_share, "cash_price_per_share")
    )
    with localcontext() as ctx:
        ctx.prec = 40
        fs = (Decimal(frac_share.numerator) / Decimal(frac_share.denominator)).quantize(
            Decimal("0.000001"), rounding=ROUND_HALF_UP
        )
    return Conversion(
        principal=to_cents(p),
        conversion_price=read_amount(conversion_price, "conversion_price"),
        shares=whole,
        fractional_share=fs,
        cash_in_lieu=to_cents(frac_share * cash_price),
        cash_price_per_share=read_amount(
            conversion_price if cash_price_per_share is None else cash_price_per_share,
            "cash_price_per_share",
        ),
    )


@dataclass(frozen=True)
class _Period:
    start: dt.date
    end: dt.date
    payment: dt.date


@dataclass(frozen=True)
class FixedRateNote:
    """The engines of a fixed-rate note: schedule, accrual, expense, settlements, conversion.

    Built from the note's terms (a ``kind: fixed_rate_note`` file loaded with
    :func:`model.load`); every figure is read from ``terms``, nothing is copied.

    Examples
    --------
    >>> from model.terms import load
    >>> note = FixedRateNote(load("params/deals/ibasis/instruments/8pct-secured-convertible-2007.yaml"))
    >>> note.accrued_interest("2005-03-31")
    Decimal('663777.78')
    """

    terms: NoteFile

    def __post_init__(self) -> None:
        if not isinstance(self.terms, NoteFile):
            raise InputError(
                f"FixedRateNote takes the terms of a note (a fixed_rate_note params file), not "
                f"{type(self.terms).__name__}",
                key="terms",
            )

    @property
    def _t(self) -> NoteTerms:
        return self.terms.terms

    @property
    def name(self) -> str:
        return self.terms.name

    @cached_property
    def _events(self) -> tuple[tuple[dt.date, Decimal, str], ...]:
        return tuple(sorted((e.date, e.amount, e.type) for e in self.terms.events))

    # -- schedule -------------------------------------------------------------------
    @cached_property
    def _schedule(self) -> tuple[_Period, ...]:
        t = self._t
        bounds = t.period_bounds()
        cal = t.business_calendar
        return tuple(
            _Period(a, b, cal.adjust(b, t.payment_roll.value))
            for a, b in zip(bounds[:-1], bounds[1:], strict=False)
        )

    def _tau(self, start: dt.date, end: dt.date, period: _Period) -> Fraction:
        dc = self._t.day_count.value
        kwargs: dict[str, Any] = {}
        if dc is DayCount.THIRTY_E_360_ISDA:
            kwargs["maturity"] = self._t.maturity.value
        if dc is DayCount.ACT_ACT_ICMA:
            kwargs.update(
                zip(("ref_start", "ref_end"), self._reference_period(period), strict=True)
            )
            kwargs["frequency"] = self._t.frequency.value
        return year_fraction_exact(start, end, dc, **kwargs)

    def accrual_weights(self, first: dt.date, n_days: int) -> list[float]:
        """The year fraction each day ``first + k`` (``0 <= k < n_days``) adds to the
        interest of its coupon period, as this engine accrues it: ``tau(start, d + 1) -
        tau(start, d)`` with the note's own day count and reference period, so the weights
        of a period's days to any date sum to the accrued fraction to that date (0 outside
        the schedule). The capital engine accrues a note from these weights: one
        implementation of a fixed coupon's accrual.

        >>> from model.terms import load
        >>> note = FixedRateNote(load("params/deals/ibasis/instruments/8pct-secured-convertible-2007.yaml"))
        >>> w = note.accrual_weights(dt.date(2004, 12, 18), 200)
        >>> p = note._period_for(dt.date(2005, 3, 31))
        >>> k = (dt.date(2005, 3, 31) - dt.date(2004, 12, 18)).days
        >>> round(sum(w[(p.start - dt.date(2004, 12, 18)).days : k]), 12) == round(float(note._tau(p.start, dt.date(2005, 3, 31), p)), 12)
        True
        """
        return period_weights(
            [(p.start, p.end) for p in self._schedule],
            first,
            n_days,
            lambda a, b, i: self._tau(a, b, self._schedule[i]),
        )

    def _reference_period(self, period: _Period) -> tuple[dt.date, dt.date]:
        """ICMA Rule 251 reference period: a regular period is its own; a stub's is the
        notional regular period ending on the stub's coupon date (month ends kept when
        that date is a month end)."""
        months = 12 // self._t.frequency.value
        for eom in (False, True):
            if add_months(period.start, months, eom) == period.end:
                return period.start, period.end
        month_end = (period.end + dt.timedelta(days=1)).day == 1
        eom_rule = bool(self._t.end_of_month.value) if self._t.end_of_month else False
        return add_months(period.end, -months, eom_rule or month_end), period.end

    def conversions(self) -> pd.DataFrame:
        """The note's conversion events, each with the shares it issued at the note's
        conversion price (whole shares, the fraction in cash: :func:`convert`), the date,
        and the principal outstanding after it."""
        rows = []
        price = self._t.conversion_price.value if self._t.conversion_price else None
        for e in self.terms.events:
            if e.type != "conversion":
                continue
            c = convert(e.amount, price) if price is not None else None
            rows.append(
                {
                    "date": e.date,
                    "principal": e.amount,
                    "shares": None if c is None else c.shares,
                    "cash_in_lieu": None if c is None else c.cash_in_lieu,
                    "outstanding_after": self.outstanding(e.date),
                    "provenance": e.provenance,
                }
            )
        return pd.DataFrame(
            rows,
            columns=[
                "date",
                "principal",
                "shares",
                "cash_in_lieu",
                "outstanding_after",
                "provenance",
            ],
        )

    def outstanding(self, as_of: Any) -> Decimal:
        """Principal outstanding at the end of ``as_of`` (events on that date have happened)."""
        d = read_date(as_of, "as_of")
        if d >= self._t.maturity.value:
            return Decimal(0)
        return self._t.principal.value - sum((a for e, a, _ in self._events if e <= d), Decimal(0))

    def _period_for(self, d: dt.date) -> _Period | None:
        for p in self._schedule:
            if p.start <= d < p.end:
                return p
        return None

    def interest_earned(self, as_of: Any) -> Decimal:
        """Interest earned from issue to the start of ``as_of`` (the day itself excluded, as
        :meth:`accrued_interest`): every coupon and settlement before it, each rounded to
        the cent as paid, plus the accrual of the period in course.

        >>> from model.terms import load
        >>> note = FixedRateNote(load("params/deals/ibasis/instruments/8pct-secured-convertible-2007.yaml"))
        >>> note.interest_earned("2004-12-18")  # the first coupon, 29,000,000 x 8% x 180/360
        Decimal('1160000.00')
        >>> # then 320,000.00 settled on the $8,000,000 converted on 2005-06-18, the coupon of
        >>> # 840,000.00 on the rest, and one day on 21,000,000: 4,666.67
        >>> note.interest_earned("2005-06-19")
        Decimal('2324666.67')
        """
        return self._interest_to(read_date(as_of, "as_of"))

    def _interest_to(self, t: dt.date) -> Decimal:
        """Interest earned from issue up to (not including) day ``t``, in cents.

        Each component is rounded as it is paid: every coupon, every settlement of
        accrued interest on a principal event, and the accrual of the current period.
        """
        total = Decimal(0)
        r = Fraction(self._t.coupon_rate.value)
        for p in self._schedule:
            if p.start >= t:
                break
            upto = min(t, p.end)
            for e, amount, _ in self._events:
                if p.start < e <= upto:
                    total += to_cents(Fraction(amount) * r * self._tau(p.start, e, p))
            remaining = Fraction(self._t.principal.value) - sum(
                (Fraction(a) for e, a, _ in self._events if e <= upto), Fraction(0)
            )
            total += to_cents(remaining * r * self._tau(p.start, upto, p))
        return total

    def coupon_schedule(self) -> pd.DataFrame:
        """The coupon periods: accrual start and end, payment date, days, year fraction,
        principal outstanding, accrued interest settled on principal events inside the
        period, and the coupon paid.

        Notes
        -----
        coupon = principal outstanding at period end x rate x year fraction(start, end);
        an amount leaving on date e inside a period is paid its accrued interest
        amount x rate x year fraction(start, e) on e.
        """
        rows = []
        r = Fraction(self._t.coupon_rate.value)
        for p in self._schedule:
            settled = Decimal(0)
            for e, amount, _ in self._events:
                if p.start < e <= p.end:
                    settled += to_cents(Fraction(amount) * r * self._tau(p.start, e, p))
            out_end = Fraction(self._t.principal.value) - sum(
                (Fraction(a) for e, a, _ in self._events if e <= p.end), Fraction(0)
            )
            tau = self._tau(p.start, p.end, p)
            kwargs = (
                {"maturity": self._t.maturity.value}
                if self._t.day_count.value is DayCount.THIRTY_E_360_ISDA
                else {}
            )
            rows.append(
                {
                    "period_start": p.start,
                    "period_end": p.end,
                    "payment_date": p.payment,
                    "days": day_count(p.start, p.end, self._t.day_count.value, **kwargs),
                    "year_fraction": float(tau),
                    "principal": to_cents(out_end),
                    "accrued_settled_on_events": settled,
                    "coupon": to_cents(out_end * r * tau),
                }
            )
        return pd.DataFrame(rows)

    def accrued_interest(self, as_of: Any) -> Decimal:
        """Interest accrued on the principal outstanding at ``as_of`` since the last coupon date.

        Zero on a coupon date (the coupon has just been earned) and at or after maturity.
        """
        d = read_date(as_of, "as_of")
        if d < self._t.issue_date.value:
            raise InputError(
                f"{d} is before the issue date {self._t.issue_date.value}", key="as_of"
            )
        p = self._period_for(d)
        if p is None:
            return Decimal("0.00")
        return to_cents(
            Fraction(self.outstanding(d))
            * Fraction(self._t.coupon_rate.value)
            * self._tau(p.start, d, p)
        )

    def settlements(self) -> pd.DataFrame:
        """Accrued interest settled on each principal event (exchange, conversion, redemption)."""
        rows = []
        for e, amount, kind in self._events:
            p = self._period_for(e)
            accrued = (
                Decimal("0.00")
                if p is None
                else to_cents(
                    Fraction(amount)
                    * Fraction(self._t.coupon_rate.value)
                    * self._tau(p.start, e, p)
                )
            )
            rows.append(
                {
                    "date": e,
                    "type": kind,
                    "principal": amount,
                    "accrued_from": p.start if p else None,
                    "accrued_interest": accrued,
                }
            )
        return pd.DataFrame(
            rows, columns=["date", "type", "principal", "accrued_from", "accrued_interest"]
        )

    def interest_expense(self, start: Any, end: Any, freq: str = "Q") -> pd.DataFrame:
        """Accrual-basis interest expense per fiscal period (iBasis: fiscal year = calendar year).

        Parameters
        ----------
        start, end : date or str
            Any dates inside the first and last period wanted.
        freq : {"Q", "M", "Y"}
            Quarters (default), months or years.

        Notes
        -----
        expense(period) = I(period end + 1 day) - I(period start), where I(t) is the
        cumulative interest earned from issue to the start of day t (coupons plus
        interest settled on principal events plus accrued), each rounded to the cent.
        The differences telescope, so the expense of the quarters spanning a full
        coupon period adds up exactly to the coupon.
        """
        if freq not in ("Q", "M", "Y"):
            read_choice(freq, ("Q", "M", "Y"), "freq")
        s, e = read_date(start, "start"), read_date(end, "end")
        if e < s:
            raise InputError(f"{e} is before start {s}", key="end")
        periods = pd.period_range(s, e, freq="Y" if freq == "Y" else freq)
        rows = []
        for per in periods:
            p_start = per.start_time.date()
            p_end = per.end_time.date()
            a = max(p_start, self._t.issue_date.value)
            b = min(p_end + dt.timedelta(days=1), self._t.maturity.value)
            if b <= a:
                amount = Decimal("0.00")
            else:
                amount = self._interest_to(b) - self._interest_to(a)
            rows.append(
                {
                    "period": str(per),
                    "start": p_start,
                    "end": p_end,
                    "principal_at_end": self.outstanding(p_end),
                    "interest_expense": amount,
                }
            )
        return pd.DataFrame(rows)

    def conversion_shares(self, conversion_price: Any = None, principal: Any = None) -> Conversion:
        """Shares on converting ``principal`` (default: all principal at issue).

        Whole shares are issued; the fractional share is paid in cash. See :func:`convert`.
        """
        cp = self._t.conversion_price
        price = conversion_price if conversion_price is not None else (cp.value if cp else None)
        if price is None:
            raise InputError(
                f"{self.name} has no conversion price; pass one", key="conversion_price"
            )
        return convert(self._t.principal.value if principal is None else principal, price)
