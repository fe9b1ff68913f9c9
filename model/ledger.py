"""The daily facility ledger: borrowing base, draws, availability, liquidity, triggers, interest.

:func:`facility_ledger` walks a date range one calendar day at a time, applying the
terms in force on each day (a :class:`~model.terms.facility.Facility` switches from the
original terms to the First Loan Modification on 2008-04-28), and returns one row per
day. :func:`ledger_by_quarter` and :func:`monthly_interest` summarise it.

Conventions
-----------
* Receivables and cash are step inputs: each row holds from its date until the next
  one (the Borrowing Base uses "Borrower's most recent Borrowing Base Certificate").
* Draws (positive) and repayments (negative) settle on their date, before the day's
  balance is struck; interest accrues on the end-of-day balance, ACT/360 by default
  (an assumption in the params file), and is payable monthly.
* The outstanding balance is split into the First Loan Modification Advance Amount
  (the part above clauses (a)+(b), capped by clause (c)) and the ordinary revolver;
  the first bears the extra 1.25% margin.
* Money columns are floats (dollars) except interest and fees: the two interest columns
  hold exact :class:`fractions.Fraction` dollars (ACT/360 accruals are repeating
  decimals) so that sums over any period are exact, and ``fees`` holds Decimals; round
  to cents only when presenting or settling (:func:`monthly_interest`).
* A draw above availability raises :class:`~model.facility.DrawRefusedError` naming the
  date and the shortfall, or with ``on_excess_draw="cap"`` is cut to availability and
  the refused part recorded in ``draw_refused``. A clause (c) step-down can leave the
  balance above the limit without any draw: that is ``excess_over_limit`` (the amount
  the Borrower must repay), never negative availability.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Literal

import pandas as pd

from model import paths
from model.facility import (
    ZERO,
    DrawRefusedError,
    FacilityInputError,
    borrowing_base,
    daily_interest,
    exact_sum,
    interest_rates,
    liquidity_triggers,
    over_advance_usage,
    terms_for,
    to_cents,
    to_money,
)
from model.terms.facility import Facility, FacilityTerms, _as_date

__all__ = [
    "facility_ledger",
    "ledger_by_quarter",
    "monthly_interest",
    "interest_between",
    "step_input",
    "read_dated_csv",
]

CENT = Decimal("0.01")


def read_dated_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read an input CSV (``#`` lines are comments; a ``date`` or ``invoice_date`` column),
    path relative to the project root.

    >>> read_dated_csv("params/scenarios/svb-cash-sample.csv").columns.tolist()
    ['date', 'cash']
    """
    p = paths.resolve(path)
    if not p.is_file():
        raise FacilityInputError(f"input file not found: {path} ({p})")
    return pd.read_csv(p, comment="#")


def _frame(data: Any, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    if isinstance(data, pd.Series):
        data = data.rename(columns[0]).rename_axis("date").reset_index()
    if not isinstance(data, pd.DataFrame):
        raise FacilityInputError(
            f"{name} must be a DataFrame with columns date, {', '.join(columns)}"
        )
    df = data.reset_index() if "date" not in data.columns and data.index.name == "date" else data
    missing = [c for c in ("date",) + columns if c not in df.columns]
    if missing:
        raise FacilityInputError(f"{name} lacks column(s): {', '.join(missing)}")
    df = df.copy()
    try:
        df["date"] = pd.to_datetime(df["date"]).dt.normalize()
    except (ValueError, TypeError) as exc:
        raise FacilityInputError(f"{name}.date has a value that is not a date ({exc})") from None
    return df.sort_values("date", kind="stable").reset_index(drop=True)


def step_input(
    data: Any, name: str, columns: tuple[str, ...], *, allow_negative: bool = False
) -> pd.DataFrame:
    """Validate a dated step input (receivables, cash, rate path): one row per date,
    numeric, non-negative unless allowed. Errors name the input, column and date.

    >>> step_input(pd.DataFrame({"date": ["2008-05-01"], "cash": [-5]}), "cash", ("cash",))
    Traceback (most recent call last):
    ...
    model.facility.FacilityInputError: cash.cash on 2008-05-01 must not be negative (got -5)
    """
    df = _frame(data, name, columns)
    dup = df["date"][df["date"].duplicated()]
    if not dup.empty:
        raise FacilityInputError(f"{name} has two rows for {dup.iloc[0].date()}")
    for c in columns:
        if c not in df.columns:
            continue
        for d, v in zip(df["date"], df[c], strict=True):
            if pd.isna(v) and c.startswith("gross"):
                continue
            to_money(v, f"{name}.{c}", allow_negative=allow_negative, date=d.date())
    return df.set_index("date")


def _receivables(data: Any) -> pd.DataFrame:
    df = _frame(data, "receivables", ("eligible_domestic", "eligible_foreign"))
    cols = tuple(
        c
        for c in ("eligible_domestic", "eligible_foreign", "gross_domestic", "gross_foreign")
        if c in df.columns
    )
    df = step_input(df, "receivables", cols)
    for seg in ("domestic", "foreign"):
        g = f"gross_{seg}"
        if g in df.columns:
            over = df[df[f"eligible_{seg}"] > df[g]]
            if not over.empty:
                d = over.index[0].date()
                raise FacilityInputError(
                    f"receivables.eligible_{seg} on {d} ({over[f'eligible_{seg}'].iloc[0]:,.2f}) "
                    f"is above receivables.{g} ({over[g].iloc[0]:,.2f})"
                )
    return df


def _as_of_row(df: pd.DataFrame, day: pd.Timestamp, name: str) -> pd.Series:
    before = df.loc[:day]
    if before.empty:
        raise FacilityInputError(
            f"{name} has no row on or before {day.date()} (first row {df.index[0].date()})"
        )
    return before.iloc[-1]


def facility_ledger(
    terms: Facility | FacilityTerms,
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
) -> pd.DataFrame:
    """The facility day by day from ``start`` to ``end`` (inclusive).

    Parameters
    ----------
    terms : Facility or FacilityTerms
        A Facility applies the version in force each day.
    start, end : date or ISO string
    receivables : DataFrame
        ``date``, ``eligible_domestic``, ``eligible_foreign`` (optional ``gross_domestic``,
        ``gross_foreign``): certificate values, each in force until the next row.
    cash : DataFrame or number
        ``date``, ``cash``: unrestricted cash and Cash Equivalents at the Bank.
    rate_path : DataFrame or number
        ``date``, ``rate``: the base rate (prime or LIBOR) as a decimal, step-wise.
    draws : DataFrame, optional
        ``date``, ``amount``: draws (positive) and repayments (negative).
    opening_balance : number
        Advances outstanding at the start of ``start``.
    reserves : number
        Reserves and letters of credit deducted from availability.
    on_excess_draw : {"error", "cap"}
        Refuse a draw above availability (default) or cap it.

    Returns
    -------
    DataFrame
        Indexed by date. Columns: ``version``, ``line``, ``eligible_domestic``,
        ``eligible_foreign``, ``domestic_base``, ``foreign_base``, ``over_advance_limit``
        (clause (c)), ``borrowing_base``, ``limit``, ``draw``, ``repayment``,
        ``draw_refused``, ``outstanding``, ``over_advance`` (in use), ``revolver``,
        ``availability``, ``excess_over_limit``, ``cash``, ``liquidity``,
        ``agings_threshold``, ``agings_reports_required``, ``cash_dominion_threshold``,
        ``cash_dominion``, ``cash_flow_threshold``, ``cash_flow_covenant_springs``,
        ``base_rate``, ``revolver_rate``, ``over_advance_rate``, ``interest_revolver``,
        ``interest_over_advance`` (exact Fractions), ``fees`` (Decimal).

    Raises
    ------
    FacilityInputError
        Bad inputs, naming the input, column and date; :class:`DrawRefusedError` for a
        draw above availability.
    """
    d0, d1 = _as_date(start), _as_date(end)
    if d1 < d0:
        raise FacilityInputError(f"end {d1} is before start {d0}")
    if on_excess_draw not in ("error", "cap"):
        raise FacilityInputError(
            f"on_excess_draw must be 'error' or 'cap' (got {on_excess_draw!r})"
        )
    terms_for(terms, d0)  # checks the start date against the terms
    rec = _receivables(receivables)
    if not isinstance(cash, pd.DataFrame | pd.Series):
        cash = pd.DataFrame({"date": [d0], "cash": [cash]})
    cash_df = step_input(cash, "cash", ("cash",))
    if not isinstance(rate_path, pd.DataFrame | pd.Series):
        rate_path = pd.DataFrame({"date": [d0], "rate": [rate_path]})
    rates = step_input(rate_path, "rate_path", ("rate",), allow_negative=True)
    flows: dict[pd.Timestamp, list[Decimal]] = {}
    if draws is not None and len(draws):
        dr = _frame(draws, "draws", ("amount",))
        for d, v in zip(dr["date"], dr["amount"], strict=True):
            if not (pd.Timestamp(d0) <= d <= pd.Timestamp(d1)):
                raise FacilityInputError(f"draws.date {d.date()} is outside the ledger {d0}..{d1}")
            flows.setdefault(d, []).append(
                to_money(v, "draws.amount", allow_negative=True, date=d.date())
            )
    res = to_money(reserves, "reserves")
    balance = to_money(opening_balance, "opening_balance")
    fees_by_day: dict[dt.date, Decimal] = {}
    versions = terms.all_versions if isinstance(terms, Facility) else (terms,)
    for v in versions:
        for fee in v.fees:
            fees_by_day[fee.date] = fees_by_day.get(fee.date, ZERO) + fee.amount

    rows = []
    for ts in pd.date_range(d0, d1, freq="D"):
        day = ts.date()
        t = terms_for(terms, day)
        r = _as_of_row(rec, ts, "receivables")
        bb = borrowing_base(
            t,
            day,
            r["eligible_domestic"],
            r["eligible_foreign"],
            domestic_advance_rate=domestic_advance_rate,
            foreign_advance_rate=foreign_advance_rate,
        )
        drawn = repaid = refused = ZERO
        for amt in flows.get(ts, []):
            if amt >= 0:
                avail = max(ZERO, bb.limit - balance - res)
                if amt > avail:
                    if on_excess_draw == "error":
                        raise DrawRefusedError(day, amt, avail)
                    refused += amt - avail
                    amt = avail
                drawn += amt
                balance += amt
            else:
                if -amt > balance:
                    raise FacilityInputError(
                        f"draws.amount on {day}: repayment of {-amt:,.2f} is more than the "
                        f"{balance:,.2f} outstanding"
                    )
                repaid += -amt
                balance += amt
        oa = over_advance_usage(bb, balance)
        avail = max(ZERO, bb.limit - balance - res)
        excess = max(ZERO, balance - bb.limit)
        c = to_money(_as_of_row(cash_df, ts, "cash")["cash"], "cash", date=day)
        liq = c + avail
        trig = liquidity_triggers(t, day, liq)
        base = Decimal(str(_as_of_row(rates, ts, "rate_path")["rate"]))
        rev_rate, oa_rate = interest_rates(t, base)
        dc = t.interest.day_count.value
        rows.append(
            {
                "date": ts,
                "version": t.version_name,
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
                "availability": float(avail),
                "excess_over_limit": float(excess),
                "cash": float(c),
                "liquidity": float(liq),
                "agings_threshold": float("nan")
                if trig.agings_threshold is None
                else float(trig.agings_threshold),
                "agings_reports_required": trig.agings_reports_required,
                "cash_dominion_threshold": float(trig.cash_dominion_threshold),
                "cash_dominion": trig.cash_dominion,
                "cash_flow_threshold": float("nan")
                if trig.cash_flow_threshold is None
                else float(trig.cash_flow_threshold),
                "cash_flow_covenant_springs": trig.cash_flow_covenant_springs,
                "base_rate": float(base),
                "revolver_rate": float(rev_rate),
                "over_advance_rate": float(oa_rate),
                "interest_revolver": daily_interest(balance - oa, rev_rate, day, dc),
                "interest_over_advance": daily_interest(oa, oa_rate, day, dc),
                "fees": fees_by_day.get(day, ZERO),
            }
        )
    return pd.DataFrame(rows).set_index("date")


def interest_between(ledger: pd.DataFrame, start: dt.date | str, end: dt.date | str) -> Fraction:
    """Exact interest (both tranches) accrued from ``start`` to ``end`` inclusive: the sum of
    the daily accruals, unrounded (a Fraction of dollars; :func:`~model.facility.to_cents`
    rounds it)."""
    part = ledger.loc[pd.Timestamp(_as_date(start)) : pd.Timestamp(_as_date(end))]
    return exact_sum(list(part["interest_revolver"]) + list(part["interest_over_advance"]))


def monthly_interest(ledger: pd.DataFrame) -> pd.DataFrame:
    """Interest payable per calendar month (payable monthly in arrears, an assumption):
    exact monthly sums of the daily accruals, rounded once to cents (half up)."""
    out = []
    for period, part in ledger.groupby(ledger.index.to_period("M")):
        rev = exact_sum(part["interest_revolver"])
        oa = exact_sum(part["interest_over_advance"])
        both = exact_sum([rev, oa])
        out.append(
            {
                "month": str(period),
                "days": len(part),
                "average_outstanding": round(float(part["outstanding"].mean()), 2),
                "interest_revolver": to_cents(rev),
                "interest_over_advance": to_cents(oa),
                "interest_total": to_cents(both),
            }
        )
    return pd.DataFrame(out).set_index("month")


def ledger_by_quarter(ledger: pd.DataFrame) -> pd.DataFrame:
    """Quarter summary (fiscal quarters = calendar quarters): lowest liquidity and
    availability, balances, interest and fees (cents), and how many days each trigger bit.

    ``cash_flow_covenant_springs`` is True when liquidity was below the Sec. 6.9(iii)
    threshold on any day of the quarter ("for any fiscal quarter in which ... is less
    than"; the covenant engine may apply another reading).
    """
    out = []
    for period, part in ledger.groupby(ledger.index.to_period("Q")):
        out.append(
            {
                "quarter_end": period.end_time.date().isoformat(),
                "days": len(part),
                "min_liquidity": round(float(part["liquidity"].min()), 2),
                "min_availability": round(float(part["availability"].min()), 2),
                "average_outstanding": round(float(part["outstanding"].mean()), 2),
                "max_over_advance": round(float(part["over_advance"].max()), 2),
                "max_excess_over_limit": round(float(part["excess_over_limit"].max()), 2),
                "interest": to_cents(
                    exact_sum(list(part["interest_revolver"]) + list(part["interest_over_advance"]))
                ),
                "fees": sum(part["fees"], ZERO).quantize(CENT, ROUND_HALF_UP),
                "days_agings_trigger": int(part["agings_reports_required"].sum()),
                "days_cash_dominion": int(part["cash_dominion"].sum()),
                "cash_flow_covenant_springs": bool(part["cash_flow_covenant_springs"].any()),
            }
        )
    return pd.DataFrame(out).set_index("quarter_end")
