"""A facility sized on one day and run day by day: everything notebook 02 reports.

:func:`size_facility` runs, for one facility and one as-of date, the eligibility waterfall
(only from an invoice list aged on that date) against the Borrowing Base Certificate, the
daily ledger over a window (original terms before an amendment, amended terms from its
date), its quarters, months and trigger days, the fees, and the sizing questions (the
largest draw, the receivables needed to carry a balance, the first day that balance
exceeds the limit). It returns a :class:`FacilitySizing`; the report formats it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from model.engines.covenants.ledger import ledger_by_quarter
from model.engines.facility.borrowing_base import BorrowingBase, borrowing_base
from model.engines.facility.eligibility import (
    compare_with_certificate,
    eligibility_waterfall,
    invoice_aging_date,
)
from model.engines.facility.fees import one_time_fees, termination_fee, termination_fee_schedule
from model.engines.facility.ledger import certificate_on, facility_ledger, ledger_on
from model.engines.facility.pricing import interest_basis
from model.engines.facility.sizing import (
    first_shortfall_date,
    max_draw,
    receivables_needed_schedule,
)
from model.engines.facility.summary import monthly_interest, term_change_days
from model.engines.facility.triggers import LiquidityTriggers, liquidity_triggers
from model.terms.facility import Facility, FacilityTerms
from model.values import to_cents

__all__ = ["FacilitySizing", "size_facility"]


@dataclass(frozen=True)
class FacilitySizing:
    """What :func:`size_facility` found (see the module docstring)."""

    as_of: dt.date
    terms: FacilityTerms
    lag_days: int
    ledger_start: str
    ledger_end: str
    aged_as_of: dt.date | None
    waterfall: pd.DataFrame | None
    borrowing_base: BorrowingBase | None
    certificate_as_of: pd.Series | None
    certificate_check: pd.DataFrame | None
    agrees: bool | None
    ledger: pd.DataFrame
    quarters: pd.DataFrame
    months: pd.DataFrame
    rate_basis: list[dict[str, Any]]
    row: pd.Series
    triggers: LiquidityTriggers
    change_days: list[dt.date]
    fees: pd.DataFrame
    fee_schedule: pd.DataFrame
    fee_on_as_of: Any
    certificate: pd.Series
    max_draw: Any
    sizing_balance: int
    needed: pd.DataFrame
    shortfall: dt.date | None

    def borrowing_base_cents(self) -> dict[str, Any] | None:
        """The Borrowing Base from the waterfall, each part rounded to the cent (None
        without a waterfall)."""
        bb = self.borrowing_base
        if bb is None:
            return None
        return {
            "domestic": to_cents(bb.domestic),
            "foreign": to_cents(bb.foreign),
            "over_advance": bb.over_advance,
            "total": to_cents(bb.total),
            "limit": to_cents(bb.limit),
        }

    @property
    def over_limit(self) -> pd.DataFrame:
        """The ledger's days with the balance above the limit."""
        return self.ledger[self.ledger["excess_over_limit"] > 0]

    @property
    def refused(self) -> pd.DataFrame:
        """The ledger's days with a draw refused (above availability)."""
        return self.ledger[self.ledger["draw_refused"] > 0]

    @property
    def lowest_availability(self) -> Any:
        """The lowest availability of any quarter of the ledger."""
        return self.quarters["min_availability"].min()

    @property
    def lowest_quarters(self) -> list[str]:
        """The quarters in which availability was lowest."""
        low = self.quarters["min_availability"] == self.lowest_availability
        return [str(q) for q in self.quarters.index[low]]

    @property
    def days_dominion(self) -> int:
        """Days under cash dominion in the ledger."""
        return int(self.quarters["days_cash_dominion"].sum())


def size_facility(
    facility: Facility,
    as_of: dt.date,
    *,
    invoices: pd.DataFrame,
    receivables: pd.DataFrame,
    cash: pd.DataFrame,
    rate_path: pd.DataFrame,
    draws: pd.DataFrame,
    opening_balance: int,
    ledger_start: str,
    ledger_end: str,
    on_excess_draw: Literal["error", "cap"],
    lag_days: int,
    sizing_balance: int,
    rate_source: str | None = None,
) -> FacilitySizing:
    """``facility`` on ``as_of`` and day by day from ``ledger_start`` to ``ledger_end``
    (see the module docstring). ``rate_source`` names the rate path for the interest
    basis."""
    terms = facility.terms_as_of(as_of)
    aged_as_of = invoice_aging_date(invoices)
    waterfall = eligibility_waterfall(terms, as_of, invoices) if aged_as_of == as_of else None
    bb = cert_as_of = check = agrees = None
    if waterfall is not None:
        bb = borrowing_base(
            facility,
            as_of,
            waterfall.loc["eligible accounts", "domestic"],
            waterfall.loc["eligible accounts", "foreign"],
        )
        cert_as_of = certificate_on(receivables, as_of)
        check = compare_with_certificate(waterfall, cert_as_of)
        agrees = cert_as_of["date"] == as_of and all(
            d == 0 for d in check["difference"] if d is not None
        )
    ledger = facility_ledger(
        facility,
        ledger_start,
        ledger_end,
        receivables=receivables,
        cash=cash,
        rate_path=rate_path,
        draws=draws,
        opening_balance=opening_balance,
        on_excess_draw=on_excess_draw,
        certificate_lag_days=lag_days,
    )
    row = ledger_on(ledger, as_of, "sizing_date")
    cert = certificate_on(receivables, as_of, lag_days)
    # the day before and the day of each change of the line or of the clause (c) over-advance
    schedule_days: list[dt.date | str] = term_change_days(  # type: ignore[assignment]
        facility, facility.agreement_date, ledger_end, ["version", "over_advance"]
    )
    return FacilitySizing(
        as_of=as_of,
        terms=terms,
        lag_days=lag_days,
        ledger_start=ledger_start,
        ledger_end=ledger_end,
        aged_as_of=aged_as_of,
        waterfall=waterfall,
        borrowing_base=bb,
        certificate_as_of=cert_as_of,
        certificate_check=check,
        agrees=agrees,
        ledger=ledger,
        quarters=ledger_by_quarter(ledger, facility),
        months=monthly_interest(ledger),
        rate_basis=interest_basis(facility, ledger_start, ledger_end, rate_source),
        row=row,
        triggers=liquidity_triggers(
            facility, as_of, cash=row["cash"], availability=row["availability"]
        ),
        change_days=term_change_days(facility, ledger_start, ledger_end),
        fees=one_time_fees(facility),
        fee_schedule=termination_fee_schedule(facility, facility.agreement_date, ledger_end),
        fee_on_as_of=termination_fee(facility, as_of),
        certificate=cert,
        max_draw=to_cents(
            max_draw(
                facility,
                as_of,
                cert["eligible_domestic"],
                cert["eligible_foreign"],
                row["outstanding"],
            )
        ),
        sizing_balance=sizing_balance,
        needed=receivables_needed_schedule(
            facility, sizing_balance, schedule_days, eligible_foreign_ar=cert["eligible_foreign"]
        ),
        shortfall=first_shortfall_date(
            facility,
            as_of,
            ledger_end,
            sizing_balance,
            cert["eligible_domestic"],
            cert["eligible_foreign"],
        ),
    )
