"""The daily facility ledger: borrowing base, draws, availability, liquidity, triggers, interest.

:func:`facility_ledger` walks a date range one calendar day at a time, applying the
terms in force on each day (a :class:`~model.terms.facility.Facility` switches from the
original terms to an amendment on its effective date), and returns one row per day.
:mod:`model.engines.facility.summary` summarises it by month and quarter.

Conventions
-----------
* Receivables and cash are step inputs: each row holds from its date until the next
  one (the Borrowing Base uses "Borrower's most recent Borrowing Base Certificate").
  A certificate (receivables row, dated at the month end it reports) applies from its
  date plus ``borrowing_base.certificate_lag_days`` (a labelled assumption, 0 by
  default): :func:`certificate_on` says which certificate is in force on a day.
* An opening balance above the Revolving Line is refused; above min(line, Borrowing
  Base) it is refused unless ``allow_opening_over_limit=True``.
* The base rate path is a decimal fraction, 0 <= rate < 0.5 (write 0.05 for 5%).
* Draws (positive) and repayments (negative) settle on their date, before the day's
  balance is struck; interest accrues on the end-of-day balance (``interest.day_count``)
  and is payable monthly.
* The outstanding balance is split into the over-advance in use (the part above the
  receivables base, capped by the over-advance amount) and the ordinary revolver; the
  first bears the extra over-advance margin.
* Money columns are floats (dollars) except interest and fees: the two interest columns
  hold exact :class:`fractions.Fraction` dollars so that sums over any period are
  exact, and ``fees`` holds Decimals; round to cents only when presenting or settling.
* A draw above availability raises :class:`~model.errors.DrawRefusedError` naming the
  date and the shortfall, or with ``on_excess_draw="cap"`` is cut to availability and
  the refused part recorded in ``draw_refused``. A step-down of the over-advance can
  leave the balance above the limit without any draw: that is ``excess_over_limit``
  (the amount the Borrower must repay), never negative availability. The excess accrues
  at the rate named by ``interest.excess_over_limit_pricing``.
* Liquidity triggers are applied with cash and availability separately.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, cast

import pandas as pd

from model.engines.facility.borrowing_base import (
    ZERO,
    BorrowingBase,
    Terms,
    borrowing_base,
    key_on,
    over_advance_usage,
    terms_for,
)
from model.engines.facility.pricing import check_base_rate, daily_interest, interest_rates
from model.engines.facility.triggers import LiquidityTriggers, liquidity_triggers
from model.errors import DrawRefusedError, InputError, NotFoundError
from model.terms.facility import Facility, FacilityTerms
from model.values import read_choice, read_date, read_flag, read_int, read_money

__all__ = ["facility_ledger", "step_input", "certificate_on", "ledger_on", "ledger_days"]

_RECEIVABLES = ("eligible_domestic", "eligible_foreign", "gross_domestic", "gross_foreign")


def _frame(data: Any, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """A dated input as a DataFrame sorted by date; every date read strictly."""
    if isinstance(data, pd.Series):
        data = data.rename(columns[0]).rename_axis("date").reset_index()
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"must be a DataFrame with columns date, {', '.join(columns)}", key=name)
    df = data.reset_index() if "date" not in data.columns and data.index.name == "date" else data
    missing = [c for c in ("date",) + columns if c not in df.columns]
    if missing:
        raise InputError(f"lacks column(s): {', '.join(missing)}", key=name)
    df = df.copy()
    df["date"] = pd.to_datetime([read_date(v, f"{name}.date") for v in df["date"]])
    return df.sort_values("date", kind="stable").reset_index(drop=True)


def step_input(
    data: Any, name: str, columns: tuple[str, ...], *, allow_negative: bool = False
) -> pd.DataFrame:
    """Validate a dated step input (receivables, cash): one row per date, amounts of
    money, non-negative unless allowed. Errors name the input, column and date.

    >>> step_input(pd.DataFrame({"date": ["2008-05-01"], "cash": [-5]}), "cash", ("cash",))
    Traceback (most recent call last):
    ...
    model.errors.InputError: cash.cash on 2008-05-01: must not be negative (got -5)
    """
    df = _frame(data, name, columns)
    dup = df["date"][df["date"].duplicated()]
    if not dup.empty:
        raise InputError(f"has two rows for {dup.iloc[0].date()}", key=name)
    for c in columns:
        if c not in df.columns:
            continue
        for d, v in zip(df["date"], df[c], strict=True):
            if pd.isna(v) and c.startswith("gross"):
                continue
            read_money(v, key_on(f"{name}.{c}", d.date()), negative=allow_negative)
    return df.set_index("date")


def _receivables(data: Any) -> pd.DataFrame:
    df = _frame(data, "receivables", ("eligible_domestic", "eligible_foreign"))
    df = step_input(df, "receivables", tuple(c for c in _RECEIVABLES if c in df.columns))
    for seg in ("domestic", "foreign"):
        g = f"gross_{seg}"
        if g in df.columns:
            over = df[df[f"eligible_{seg}"] > df[g]]
            if not over.empty:
                raise InputError(
                    f"{over[f'eligible_{seg}'].iloc[0]:,.2f} is above receivables.{g} "
                    f"({over[g].iloc[0]:,.2f})",
                    key=key_on(f"receivables.eligible_{seg}", over.index[0].date()),
                )
    return df


def _as_of_row(df: pd.DataFrame, day: pd.Timestamp, name: str) -> pd.Series:
    before = df.loc[:day]
    if before.empty:
        raise InputError(
            f"has no row on or before {day.date()} (first row {df.index[0].date()})", key=name
        )
    return before.iloc[-1]


def _certificate_row(rec: pd.DataFrame, day: dt.date, lag_days: int) -> pd.Series:
    before = rec.loc[: pd.Timestamp(day - dt.timedelta(days=lag_days))]
    if before.empty:
        first = rec.index[0].date()
        lag = (
            ""
            if lag_days == 0
            else f"; with a {lag_days}-day certificate lag the first applies from "
            f"{first + dt.timedelta(days=lag_days)}"
        )
        raise InputError(
            f"has no certificate in force on {day} (first row {first}{lag})", key="receivables"
        )
    row = before.iloc[-1].copy()
    row["date"] = before.index[-1].date()
    return row


def certificate_on(receivables: Any, day: dt.date | str, lag_days: int = 0) -> pd.Series:
    """The Borrowing Base Certificate (receivables row) in force on ``day``: the latest
    dated on or before ``day`` less ``lag_days``.

    Parameters
    ----------
    receivables : DataFrame
        ``date``, ``eligible_domestic``, ``eligible_foreign`` (optional ``gross_*``), as
        for :func:`facility_ledger` (validated the same way).
    day : date or ISO string
    lag_days : int
        Days from a certificate's as-of date to the day it applies (0: from its date).

    Returns
    -------
    Series
        The row, with ``date`` the certificate's as-of date (``datetime.date``).

    Examples
    --------
    >>> from model.terms import read_dated_csv
    >>> rec = read_dated_csv("params/deals/ibasis/scenarios/svb-receivables-sample.csv", "receivables")
    >>> certificate_on(rec, "2008-06-30")["date"], certificate_on(rec, "2008-06-29")["date"]
    (datetime.date(2008, 6, 30), datetime.date(2008, 5, 31))
    >>> certificate_on(rec, "2008-06-30", lag_days=30)["date"]
    datetime.date(2008, 5, 31)
    """
    d = read_date(day, "day")
    lag = read_int(lag_days, "lag_days", low=0)
    return _certificate_row(_receivables(receivables), d, lag)


def ledger_days(ledger: pd.DataFrame) -> pd.DatetimeIndex:
    """A ledger's index, one Timestamp per day (pandas-stubs types ``.index`` as any Index)."""
    return cast(pd.DatetimeIndex, ledger.index)


def ledger_on(ledger: pd.DataFrame, day: dt.date | str, name: str = "as_of") -> pd.Series:
    """The ledger's row for ``day``; a day the ledger does not cover raises
    :class:`~model.errors.NotFoundError` naming the parameter and the ledger's first and last day.

    >>> led = pd.DataFrame({"outstanding": [1.0, 2.0]},
    ...                    index=pd.to_datetime(["2008-04-28", "2008-04-29"]).rename("date"))
    >>> float(ledger_on(led, "2008-04-29")["outstanding"])
    2.0
    >>> ledger_on(led, "2010-01-01")
    Traceback (most recent call last):
    ...
    model.errors.NotFoundError: as_of 2010-01-01 is outside the ledger (2008-04-28 to 2008-04-29)
    """
    d = read_date(day, name)
    if ledger.empty:
        raise NotFoundError(f"{name} {d}: the ledger is empty")
    days, ts = ledger_days(ledger), pd.Timestamp(d)
    if ts not in days:
        where = "outside" if not (days[0] <= ts <= days[-1]) else "missing from"
        raise NotFoundError(
            f"{name} {d} is {where} the ledger ({days[0].date()} to {days[-1].date()})"
        )
    return cast(pd.Series, ledger.loc[ts])


@dataclass(frozen=True)
class _Inputs:
    """The ledger's inputs, validated once."""

    receivables: pd.DataFrame
    cash: pd.DataFrame
    rates: pd.DataFrame
    flows: dict[pd.Timestamp, list[Decimal]]
    fees: dict[dt.date, Decimal]
    reserves: Decimal


def _step_or_constant(data: Any, d0: dt.date, name: str, column: str) -> Any:
    if isinstance(data, pd.DataFrame | pd.Series):
        return data
    return pd.DataFrame({"date": [d0], column: [data]})


def _inputs(
    terms: Terms,
    d0: dt.date,
    d1: dt.date,
    receivables: Any,
    cash: Any,
    rate_path: Any,
    draws: Any,
    reserves: Any,
) -> _Inputs:
    rec = _receivables(receivables)
    cash_df = step_input(_step_or_constant(cash, d0, "cash", "cash"), "cash", ("cash",))
    rates = _frame(
        _step_or_constant(rate_path, d0, "rate_path", "rate"), "rate_path", ("rate",)
    ).set_index("date")
    for ts, v in rates["rate"].items():
        check_base_rate(v, "rate_path.rate", cast(pd.Timestamp, ts).date())
    flows: dict[pd.Timestamp, list[Decimal]] = {}
    if draws is not None and len(draws):
        dr = _frame(draws, "draws", ("amount",))
        for d, v in zip(dr["date"], dr["amount"], strict=True):
            if not (pd.Timestamp(d0) <= d <= pd.Timestamp(d1)):
                raise InputError(f"{d.date()} is outside the ledger {d0}..{d1}", key="draws.date")
            flows.setdefault(d, []).append(
                read_money(v, key_on("draws.amount", d.date()), negative=True)
            )
    # A later amendment that does not restate `fees` carries the earlier list: each fee
    # (date, name) is due once, however many versions list it.
    due = {
        (fee.date, fee.name): fee.amount
        for v in (terms.all_versions if isinstance(terms, Facility) else (terms,))
        for fee in v.fees
    }
    fees: dict[dt.date, Decimal] = {}
    for (day, _name), amount in due.items():
        fees[day] = fees.get(day, ZERO) + amount
    return _Inputs(rec, cash_df, rates, flows, fees, read_money(reserves, "reserves"))


def _check_opening(balance: Decimal, bb: BorrowingBase, d0: dt.date, allow_over: bool) -> None:
    if balance > bb.line:
        raise InputError(
            f"{balance:,.2f} is above the Revolving Line ({bb.line:,.2f})",
            key=key_on("opening_balance", d0),
        )
    if balance > bb.limit and not allow_over:
        raise InputError(
            f"{balance:,.2f} is above min(line, Borrowing Base) ({bb.limit:,.2f}) by "
            f"{balance - bb.limit:,.2f}; pass allow_opening_over_limit=True to start over the limit",
            key=key_on("opening_balance", d0),
        )


def _settle(
    amounts: list[Decimal],
    day: dt.date,
    balance: Decimal,
    limit: Decimal,
    reserves: Decimal,
    cap: bool,
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """Draws and repayments of one day: (balance, drawn, repaid, refused)."""
    drawn = repaid = refused = ZERO
    for amt in amounts:
        if amt >= 0:
            avail = max(ZERO, limit - balance - reserves)
            if amt > avail:
                if not cap:
                    raise DrawRefusedError(
                        day,
                        amt,
                        avail,
                        f"draw of {amt:,.2f} on {day.isoformat()} refused: availability is "
                        f"{avail:,.2f}, shortfall {amt - avail:,.2f}",
                    )
                refused, amt = refused + amt - avail, avail
            drawn, balance = drawn + amt, balance + amt
        else:
            if -amt > balance:
                raise InputError(
                    f"repayment of {-amt:,.2f} is more than the {balance:,.2f} outstanding",
                    key=key_on("draws.amount", day),
                )
            repaid, balance = repaid + -amt, balance + amt
    return balance, drawn, repaid, refused


def _nan_or(x: Decimal | None) -> float:
    return float("nan") if x is None else float(x)


def _row(
    ts: pd.Timestamp,
    t: FacilityTerms,
    cert_date: dt.date,
    bb: BorrowingBase,
    flows: tuple[Decimal, Decimal, Decimal, Decimal],
    trig: LiquidityTriggers,
    base: Decimal,
    reserves: Decimal,
    fee: Decimal,
) -> dict[str, Any]:
    balance, drawn, repaid, refused = flows
    day = ts.date()
    oa = over_advance_usage(bb, balance)
    excess = max(ZERO, balance - bb.limit)
    rev_rate, oa_rate = interest_rates(t, base)
    at_oa_rate = oa + (
        excess if t.interest.excess_over_limit_pricing.value == "over_advance" else ZERO
    )
    dc = t.interest.day_count.value
    return {
        "date": ts,
        "version": t.version_name,
        "certificate_date": cert_date,
        "line": float(bb.line),
        "eligible_domestic": float(bb.eligible_domestic),
        "eligible_foreign": float(bb.eligible_foreign),
        "domestic_base": float(bb.domestic),
        "foreign_base": float(bb.foreign),
        "over_advance_limit": float(bb.over_advance),
        "borrowing_base": float(bb.total),
        "limit": float(bb.limit),
        "draw": float(drawn),
        "repayment": float(repaid),
        "draw_refused": float(refused),
        "outstanding": float(balance),
        "over_advance": float(oa),
        "revolver": float(balance - oa),
        "availability": float(max(ZERO, bb.limit - balance - reserves)),
        "excess_over_limit": float(excess),
        "cash": float(cast(Decimal, trig.cash)),
        "liquidity": float(trig.liquidity),
        "agings_threshold": _nan_or(trig.agings_threshold),
        "agings_reports_required": trig.agings_reports_required,
        "cash_dominion_threshold": float(trig.cash_dominion_threshold),
        "cash_dominion": trig.cash_dominion,
        "cash_flow_threshold": _nan_or(trig.cash_flow_threshold),
        "cash_flow_covenant_springs": trig.cash_flow_covenant_springs,
        "base_rate": float(base),
        "revolver_rate": float(rev_rate),
        "over_advance_rate": float(oa_rate),
        "interest_revolver": daily_interest(balance - at_oa_rate, rev_rate, day, dc),
        "interest_over_advance": daily_interest(at_oa_rate, oa_rate, day, dc),
        "fees": fee,
    }


def facility_ledger(
    terms: Terms,
    start: dt.date | str,
    end: dt.date | str,
    *,
    receivables: Any,
    cash: Any,
    rate_path: Any,
    draws: Any = None,
    opening_balance: Any = 0,
    reserves: Any = 0,
    on_excess_draw: Literal["error", "cap"] = "error",
    domestic_advance_rate: Any = None,
    foreign_advance_rate: Any = None,
    certificate_lag_days: int | None = None,
    allow_opening_over_limit: bool = False,
) -> pd.DataFrame:
    """The facility day by day from ``start`` to ``end`` (inclusive).

    Parameters
    ----------
    terms : Facility or FacilityTerms
        A Facility applies the version in force each day.
    start, end : date or ISO string
    receivables : DataFrame
        ``date``, ``eligible_domestic``, ``eligible_foreign`` (optional ``gross_domestic``,
        ``gross_foreign``): certificate values by as-of date, each in force from its date
        plus the certificate lag until the next one applies (:func:`certificate_on`).
    cash : DataFrame or number
        ``date``, ``cash``: unrestricted cash and Cash Equivalents at the Bank.
    rate_path : DataFrame or number
        ``date``, ``rate``: the base rate as a decimal, 0 <= rate < 0.5, step-wise.
    draws : DataFrame, optional
        ``date``, ``amount``: draws (positive) and repayments (negative).
    opening_balance : number
        Advances outstanding at the start of ``start``; at most the Revolving Line, and at
        most min(line, Borrowing Base) on ``start`` unless ``allow_opening_over_limit``.
    reserves : number
        Reserves and letters of credit deducted from availability.
    on_excess_draw : {"error", "cap"}
        Refuse a draw above availability (default) or cap it.
    certificate_lag_days : int, optional
        Override ``borrowing_base.certificate_lag_days`` of the terms.
    allow_opening_over_limit : bool
        Accept an opening balance above min(line, Borrowing Base) (it shows as
        ``excess_over_limit`` until repaid).

    Returns
    -------
    DataFrame
        Indexed by date. Columns: ``version``, ``certificate_date`` (the receivables row
        in force), ``line``, ``eligible_domestic``, ``eligible_foreign``,
        ``domestic_base``, ``foreign_base``, ``over_advance_limit``, ``borrowing_base``,
        ``limit``, ``draw``, ``repayment``, ``draw_refused``, ``outstanding``,
        ``over_advance`` (in use), ``revolver``, ``availability``, ``excess_over_limit``,
        ``cash``, ``liquidity``, ``agings_threshold``, ``agings_reports_required``,
        ``cash_dominion_threshold``, ``cash_dominion``, ``cash_flow_threshold``,
        ``cash_flow_covenant_springs`` (that day's liquidity below the springing condition
        of the version in force that day), ``base_rate``, ``revolver_rate``,
        ``over_advance_rate``, ``interest_revolver``, ``interest_over_advance`` (exact
        Fractions), ``fees`` (Decimal).

    Raises
    ------
    InputError
        Bad inputs, naming the input, column and date; :class:`~model.errors.DrawRefusedError`
        for a draw above availability.
    """
    d0, d1 = read_date(start, "start"), read_date(end, "end")
    if d1 < d0:
        raise InputError(f"{d1} is before start {d0}", key="end")
    cap = read_choice(on_excess_draw, ("error", "cap"), "on_excess_draw") == "cap"
    allow_over = read_flag(allow_opening_over_limit, "allow_opening_over_limit")
    lag = (
        None
        if certificate_lag_days is None
        else read_int(certificate_lag_days, "certificate_lag_days", low=0)
    )
    terms_for(terms, d0)  # checks the start date against the terms
    inp = _inputs(terms, d0, d1, receivables, cash, rate_path, draws, reserves)
    balance = read_money(opening_balance, key_on("opening_balance", d0))
    rows = []
    for ts in pd.date_range(d0, d1, freq="D"):
        day = ts.date()
        t = terms_for(terms, day)
        r = _certificate_row(
            inp.receivables,
            day,
            t.borrowing_base.certificate_lag_days.value if lag is None else lag,
        )
        bb = borrowing_base(
            t,
            day,
            r["eligible_domestic"],
            r["eligible_foreign"],
            domestic_advance_rate=domestic_advance_rate,
            foreign_advance_rate=foreign_advance_rate,
        )
        if day == d0:
            _check_opening(balance, bb, d0, allow_over)
        flows = _settle(inp.flows.get(ts, []), day, balance, bb.limit, inp.reserves, cap)
        balance = flows[0]
        c = read_money(_as_of_row(inp.cash, ts, "cash")["cash"], key_on("cash", day))
        trig = liquidity_triggers(
            t, day, cash=c, availability=max(ZERO, bb.limit - balance - inp.reserves)
        )
        base = check_base_rate(
            _as_of_row(inp.rates, ts, "rate_path")["rate"], "rate_path.rate", day
        )
        rows.append(
            _row(ts, t, r["date"], bb, flows, trig, base, inp.reserves, inp.fees.get(day, ZERO))
        )
    return pd.DataFrame(rows).set_index("date")
