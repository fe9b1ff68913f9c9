"""The daily facility ledger: borrowing base, draws, availability, liquidity, triggers, interest.

:func:`facility_ledger` walks a date range one calendar day at a time, applying the
terms in force on each day (a :class:`~model.terms.facility.Facility` switches from the
original terms to the First Loan Modification on 2008-04-28), and returns one row per
day. :func:`ledger_by_quarter` and :func:`monthly_interest` summarise it.

Conventions
-----------
* Receivables and cash are step inputs: each row holds from its date until the next
  one (the Borrowing Base uses "Borrower's most recent Borrowing Base Certificate").
  A certificate (receivables row, dated at the month end it reports) applies from its
  date plus ``borrowing_base.certificate_lag_days`` (a labelled assumption, 0 by
  default; 30 if it only counts once delivered, "Monthly within 30 days", Exhibit B):
  :func:`certificate_on` says which certificate is in force on a day.
* An opening balance above the Revolving Line is refused; above min(line, Borrowing
  Base) it is refused unless ``allow_opening_over_limit=True``.
* The base rate path is a decimal fraction, 0 <= rate < 0.5 (write 0.05 for 5%).
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
  the Borrower must repay), never negative availability. The excess accrues at the rate
  named by ``interest.excess_over_limit_pricing`` (an assumption: ``revolver`` by
  default, or ``over_advance``); :func:`ledger_by_quarter` counts ``days_over_limit``.
* Liquidity triggers are applied with cash and availability separately (the agings
  test of Sec. 6.2(a)(ix) reads "and/or": ``triggers.agings_measure``).
"""

from __future__ import annotations

import datetime as dt
import operator
import os
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, cast

import pandas as pd

from model import paths
from model.covenants import resolve_terms, springing_applies
from model.facility import (
    ZERO,
    DrawRefusedError,
    FacilityInputError,
    borrowing_base,
    check_base_rate,
    daily_interest,
    exact_sum,
    interest_rates,
    liquidity_triggers,
    over_advance_usage,
    terms_for,
    to_date,
    to_money,
)
from model.terms.facility import Facility, FacilityTerms
from model.values import as_bool, quarter_start, to_cents

__all__ = [
    "facility_ledger",
    "ledger_by_quarter",
    "monthly_interest",
    "interest_between",
    "step_input",
    "read_dated_csv",
    "certificate_on",
    "ledger_on",
    "lag_days_param",
]

_CMP = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def read_dated_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read an input CSV (``#`` lines are comments; a ``date`` or ``invoice_date`` column).

    A name given as text must lie inside ``params/`` (:func:`model.paths.input_path`).

    >>> read_dated_csv("params/scenarios/svb-cash-sample.csv").columns.tolist()
    ['date', 'cash']
    """
    try:
        p = paths.input_path(path)
    except paths.UnsafePathError as exc:
        raise FacilityInputError(f"input file: {exc}") from None
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
    model.facility.FacilityInputError: cash.cash on 2008-05-01: must not be negative (got -5)
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


def _certificate_row(rec: pd.DataFrame, day: dt.date, lag_days: int) -> pd.Series:
    cutoff = pd.Timestamp(day - dt.timedelta(days=lag_days))
    before = rec.loc[:cutoff]
    if before.empty:
        first = rec.index[0].date()
        lag = (
            ""
            if lag_days == 0
            else f"; with a {lag_days}-day certificate lag the first applies from "
            f"{first + dt.timedelta(days=lag_days)}"
        )
        raise FacilityInputError(
            f"receivables has no certificate in force on {day} (first row {first}{lag})"
        )
    row = before.iloc[-1].copy()
    row["date"] = before.index[-1].date()
    return row


def certificate_on(receivables: Any, day: dt.date | str, lag_days: int = 0) -> pd.Series:
    """The Borrowing Base Certificate (receivables row) in force on ``day``: the latest
    dated on or before ``day`` less ``lag_days`` (its figures count from its date plus the
    lag, ``borrowing_base.certificate_lag_days``).

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
    >>> rec = read_dated_csv("params/scenarios/svb-receivables-sample.csv")
    >>> certificate_on(rec, "2008-06-30")["date"], certificate_on(rec, "2008-06-29")["date"]
    (datetime.date(2008, 6, 30), datetime.date(2008, 5, 31))
    >>> certificate_on(rec, "2008-06-30", lag_days=30)["date"]
    datetime.date(2008, 5, 31)
    """
    d = to_date(day, "day")
    try:
        lag = int(lag_days)
    except (TypeError, ValueError):
        raise FacilityInputError(
            f"lag_days must be a whole number of days (got {lag_days!r})"
        ) from None
    if isinstance(lag_days, bool) or lag != lag_days or lag < 0:
        raise FacilityInputError(f"lag_days must be a whole number of days >= 0 (got {lag_days!r})")
    return _certificate_row(_receivables(receivables), d, lag)


def lag_days_param(value: Any, default: int, name: str = "certificate_lag_days") -> int:
    """A certificate lag given as a (notebook or command-line) parameter: empty (``""`` or
    ``None``) means ``default`` (the params assumption); otherwise a whole number of days
    >= 0, as a number or text. Errors name the parameter.

    >>> lag_days_param("", 0), lag_days_param("30", 0), lag_days_param(30, 0)
    (0, 30, 30)
    >>> lag_days_param("abc", 0)
    Traceback (most recent call last):
    ...
    model.facility.FacilityInputError: certificate_lag_days must be a whole number of days >= 0, or empty for the params assumption (got 'abc')
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    err = FacilityInputError(
        f"{name} must be a whole number of days >= 0, or empty for the params assumption "
        f"(got {value!r})"
    )
    if isinstance(value, bool):
        raise err
    if isinstance(value, str):
        text = value.strip()
        if not text.isdigit():
            raise err
        return int(text)
    if isinstance(value, int):
        if value < 0:
            raise err
        return value
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    raise err


def ledger_on(ledger: pd.DataFrame, day: dt.date | str, name: str = "as_of") -> pd.Series:
    """The ledger's row for ``day``; a day the ledger does not cover raises
    :class:`~model.facility.FacilityInputError` naming the parameter (``name``) and the
    ledger's first and last day.

    >>> led = pd.DataFrame({"outstanding": [1.0, 2.0]},
    ...                    index=pd.to_datetime(["2008-04-28", "2008-04-29"]).rename("date"))
    >>> float(ledger_on(led, "2008-04-29")["outstanding"])
    2.0
    >>> ledger_on(led, "2010-01-01")
    Traceback (most recent call last):
    ...
    model.facility.FacilityInputError: as_of 2010-01-01 is outside the ledger (2008-04-28 to 2008-04-29)
    """
    d = to_date(day, name)
    if ledger.empty:
        raise FacilityInputError(f"{name} {d}: the ledger is empty")
    days = _days(ledger)
    ts = pd.Timestamp(d)
    if ts not in days:
        first, last = days[0].date(), days[-1].date()
        where = "outside" if not (days[0] <= ts <= days[-1]) else "missing from"
        raise FacilityInputError(f"{name} {d} is {where} the ledger ({first} to {last})")
    return cast(pd.Series, ledger.loc[ts])


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
        ``date``, ``rate``: the base rate (prime or LIBOR) as a decimal, 0 <= rate < 0.5,
        step-wise.
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
        Override ``borrowing_base.certificate_lag_days`` of the terms (days from a
        certificate's date to the day its figures apply).
    allow_opening_over_limit : bool
        Accept an opening balance above min(line, Borrowing Base) (it shows as
        ``excess_over_limit`` until repaid).

    Returns
    -------
    DataFrame
        Indexed by date. Columns: ``version``, ``certificate_date`` (the receivables row
        in force), ``line``, ``eligible_domestic``,
        ``eligible_foreign``, ``domestic_base``, ``foreign_base``, ``over_advance_limit``
        (clause (c)), ``borrowing_base``, ``limit``, ``draw``, ``repayment``,
        ``draw_refused``, ``outstanding``, ``over_advance`` (in use), ``revolver``,
        ``availability``, ``excess_over_limit``, ``cash``, ``liquidity``,
        ``agings_threshold``, ``agings_reports_required``, ``cash_dominion_threshold``,
        ``cash_dominion``, ``cash_flow_threshold``, ``cash_flow_covenant_springs`` (that
        day's liquidity below the threshold of the version in force that day; the
        quarter flag is :func:`ledger_by_quarter`'s), ``base_rate``, ``revolver_rate``,
        ``over_advance_rate``, ``interest_revolver``, ``interest_over_advance`` (exact
        Fractions; the excess over the limit is in the tranche named by
        ``interest.excess_over_limit_pricing``), ``fees`` (Decimal).

    Raises
    ------
    FacilityInputError
        Bad inputs, naming the input, column and date; :class:`DrawRefusedError` for a
        draw above availability.
    """
    d0, d1 = to_date(start, "start"), to_date(end, "end")
    if d1 < d0:
        raise FacilityInputError(f"end {d1} is before start {d0}")
    if on_excess_draw not in ("error", "cap"):
        raise FacilityInputError(
            f"on_excess_draw must be 'error' or 'cap' (got {on_excess_draw!r})"
        )
    allow_over = as_bool(allow_opening_over_limit, "allow_opening_over_limit")
    if certificate_lag_days is not None and (
        isinstance(certificate_lag_days, bool)
        or not isinstance(certificate_lag_days, int)
        or certificate_lag_days < 0
    ):
        raise FacilityInputError(
            "certificate_lag_days must be a whole number of days >= 0 "
            f"(got {certificate_lag_days!r})"
        )
    terms_for(terms, d0)  # checks the start date against the terms
    rec = _receivables(receivables)
    if not isinstance(cash, pd.DataFrame | pd.Series):
        cash = pd.DataFrame({"date": [d0], "cash": [cash]})
    cash_df = step_input(cash, "cash", ("cash",))
    if not isinstance(rate_path, pd.DataFrame | pd.Series):
        rate_path = pd.DataFrame({"date": [d0], "rate": [rate_path]})
    rates = step_input(rate_path, "rate_path", ("rate",), allow_negative=True)
    for ts, v in rates["rate"].items():
        check_base_rate(v, "rate_path.rate", cast(pd.Timestamp, ts).date())
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
    balance = to_money(opening_balance, "opening_balance", date=d0)
    fees_by_day: dict[dt.date, Decimal] = {}
    versions = terms.all_versions if isinstance(terms, Facility) else (terms,)
    for v in versions:
        for fee in v.fees:
            fees_by_day[fee.date] = fees_by_day.get(fee.date, ZERO) + fee.amount

    rows = []
    for ts in pd.date_range(d0, d1, freq="D"):
        day = ts.date()
        t = terms_for(terms, day)
        lag = (
            t.borrowing_base.certificate_lag_days.value
            if certificate_lag_days is None
            else certificate_lag_days
        )
        r = _certificate_row(rec, day, lag)
        bb = borrowing_base(
            t,
            day,
            r["eligible_domestic"],
            r["eligible_foreign"],
            domestic_advance_rate=domestic_advance_rate,
            foreign_advance_rate=foreign_advance_rate,
        )
        if day == d0:
            if balance > bb.line:
                raise FacilityInputError(
                    f"opening_balance on {d0} ({balance:,.2f}) is above the Revolving Line "
                    f"({bb.line:,.2f})"
                )
            if balance > bb.limit and not allow_over:
                raise FacilityInputError(
                    f"opening_balance on {d0} ({balance:,.2f}) is above min(line, Borrowing "
                    f"Base) ({bb.limit:,.2f}) by {balance - bb.limit:,.2f}; pass "
                    "allow_opening_over_limit=True to start over the limit"
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
        trig = liquidity_triggers(t, day, cash=c, availability=avail)
        liq = trig.liquidity
        base = to_money(
            _as_of_row(rates, ts, "rate_path")["rate"],
            "rate_path.rate",
            allow_negative=True,
            date=day,
        )
        rev_rate, oa_rate = interest_rates(t, base)
        dc = t.interest.day_count.value
        at_oa_rate = oa + (
            excess if t.interest.excess_over_limit_pricing.value == "over_advance" else ZERO
        )
        rows.append(
            {
                "date": ts,
                "version": t.version_name,
                "certificate_date": r["date"],
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
                "interest_revolver": daily_interest(balance - at_oa_rate, rev_rate, day, dc),
                "interest_over_advance": daily_interest(at_oa_rate, oa_rate, day, dc),
                "fees": fees_by_day.get(day, ZERO),
            }
        )
    return pd.DataFrame(rows).set_index("date")


def interest_between(ledger: pd.DataFrame, start: dt.date | str, end: dt.date | str) -> Fraction:
    """Exact interest (both tranches) accrued from ``start`` to ``end`` inclusive: the sum of
    the daily accruals, unrounded (a Fraction of dollars; :func:`~model.facility.to_cents`
    rounds it)."""
    part = ledger.loc[pd.Timestamp(to_date(start, "start")) : pd.Timestamp(to_date(end, "end"))]
    return exact_sum(list(part["interest_revolver"]) + list(part["interest_over_advance"]))


def _days(ledger: pd.DataFrame) -> pd.DatetimeIndex:
    """A ledger's index, one Timestamp per day (pandas-stubs types ``.index`` as any Index)."""
    return cast(pd.DatetimeIndex, ledger.index)


def monthly_interest(ledger: pd.DataFrame) -> pd.DataFrame:
    """Interest payable per calendar month (payable monthly in arrears, an assumption):
    exact monthly sums of the daily accruals, rounded once to cents (half up).

    These are the amounts paid: :func:`ledger_by_quarter` adds them up for its
    ``interest`` column, so the months of a quarter foot to the quarter to the cent.
    """
    out = []
    for period, part in ledger.groupby(_days(ledger).to_period("M")):
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


def _interest_paid(part: pd.DataFrame) -> Decimal:
    """Interest paid for the days in ``part``: each calendar month's exact accrual rounded
    to the cent (as :func:`monthly_interest`), then added up."""
    return sum(
        (
            to_cents(exact_sum(list(m["interest_revolver"]) + list(m["interest_over_advance"])))
            for _, m in part.groupby(_days(part).to_period("M"))
        ),
        ZERO,
    )


def ledger_by_quarter(
    ledger: pd.DataFrame, terms: Facility | FacilityTerms | None = None
) -> pd.DataFrame:
    """Quarter summary (fiscal quarters = calendar quarters): days covered, lowest liquidity
    and availability, balances, days over the limit and the largest excess, interest and
    fees (cents), how many days each trigger bit and, given ``terms``, whether the springing
    Sec. 6.9(iii) test applies.

    Parameters
    ----------
    ledger : DataFrame
        From :func:`facility_ledger`.
    terms : Facility or FacilityTerms, optional
        Needed for the quarter's springing flag (``cash_flow_*`` columns); without it those
        columns are left out.

    Notes
    -----
    ``days_covered`` of ``days_in_quarter``: a quarter the ledger covers only in part is
    summarised over the days it covers.

    Interest is paid monthly (``interest.payment_frequency``): a quarter's ``interest`` is
    the sum of its months' ``interest_total`` from :func:`monthly_interest` (each month
    rounded to the cent), so the two tables foot exactly.

    The springing Sec. 6.9(iii) flag is the covenant engine's, not recomputed here: the
    version is :func:`model.covenants.resolve_terms`'s (in force when the quarter's
    Compliance Certificate is due; ``cash_flow_version``, ``cash_flow_threshold``) and
    ``cash_flow_covenant_springs`` / ``cash_flow_reason`` are
    :func:`model.covenants.springing_applies` with the ``any_day`` reading on the
    ledger's daily liquidity: below the threshold on any day of the quarter, days the
    ledger does not cover taken as below (stricter; the reason says so). So the quarter
    ended 2008-06-30 is tested against the amended $20,000,000 on every day, including
    days before 2008-04-28 when the daily ``cash_flow_covenant_springs`` column shows the
    original $15,000,000 trigger. ``days_below_cash_flow_threshold`` counts the covered
    days below it.
    """
    out = []
    for period, part in ledger.groupby(_days(ledger).to_period("Q")):
        qe = period.end_time.date()
        row: dict[str, Any] = {
            "quarter_end": qe.isoformat(),
            "days_covered": len(part),
            "days_in_quarter": (qe - quarter_start(qe)).days + 1,
            "min_liquidity": round(float(part["liquidity"].min()), 2),
            "min_availability": round(float(part["availability"].min()), 2),
            "average_outstanding": round(float(part["outstanding"].mean()), 2),
            "max_over_advance": round(float(part["over_advance"].max()), 2),
            "days_over_limit": int((part["excess_over_limit"] > 0).sum()),
            "max_excess_over_limit": round(float(part["excess_over_limit"].max()), 2),
            "interest": _interest_paid(part),
            "fees": to_cents(sum(part["fees"], ZERO)),
            "days_agings_trigger": int(part["agings_reports_required"].sum()),
            "days_cash_dominion": int(part["cash_dominion"].sum()),
        }
        if terms is not None:
            covenants, version, _basis = resolve_terms(terms, qe)
            cond = next(
                (
                    c.springing
                    for c in covenants
                    if c.springing is not None and c.springing.metric == "liquidity"
                ),
                None,
            )
            row["cash_flow_version"] = version
            if cond is None:
                row["cash_flow_threshold"] = None
                row["days_below_cash_flow_threshold"] = 0
                row["cash_flow_covenant_springs"] = False
                row["cash_flow_reason"] = f"no springing liquidity test in version {version!r}"
            else:
                op = _CMP[cond.comparison]
                applies, reason, _low = springing_applies(cond, qe, part["liquidity"], "any_day")
                row["cash_flow_threshold"] = cond.amount
                row["days_below_cash_flow_threshold"] = sum(
                    bool(
                        op(to_money(v, "liquidity", date=cast(pd.Timestamp, d).date()), cond.amount)
                    )
                    for d, v in part["liquidity"].items()
                )
                row["cash_flow_covenant_springs"] = applies
                row["cash_flow_reason"] = reason
        out.append(row)
    return pd.DataFrame(out).set_index("quarter_end")
