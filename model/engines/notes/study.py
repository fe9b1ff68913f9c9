"""A note, the exchange it came from, and the capitalization: everything notebook 01 reports.

:func:`study_note` recomputes the accrued interest paid at an exchange from the exchanged
note's terms; for the note, its coupons, the interest accrued on a date, the interest
expense by fiscal quarter, the purchasers and what each is owed, the conversion (all at
once, and after the conversions the filings report) and the fully diluted share table.
It returns a :class:`NoteStudy`; the report formats it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from model.engines.notes.accrual import FixedRateNote
from model.engines.notes.capital import (
    conversion_by_holder,
    fully_diluted,
    interest_by_holder,
    purchase_settlement,
    reserve_check,
)
from model.terms.provenance import provenance
from model.values import to_cents

__all__ = ["NoteStudy", "study_note"]


@dataclass(frozen=True)
class NoteStudy:
    """What :func:`study_note` found (see the module docstring)."""

    note: FixedRateNote
    exchange: Any
    capitalization: Any
    as_of: str
    settled: pd.Series
    accrued_at_exchange: Any
    stated: Any
    schedule: pd.DataFrame
    accrued: Any
    expense: pd.DataFrame
    purchases: pd.DataFrame
    holders: pd.DataFrame
    conversion: Any
    conversions: pd.DataFrame
    remaining: Any
    converted: pd.DataFrame
    reserve: pd.DataFrame
    fully_diluted: pd.DataFrame
    fully_diluted_after_conversions: int
    sources: pd.DataFrame
    defects: list[str]

    @property
    def total_expense(self) -> Any:
        """Interest expense over the quarters of :attr:`expense`."""
        return sum(self.expense["interest_expense"])

    @property
    def fully_diluted_after(self) -> Any:
        """Fully diluted shares after the closing."""
        return self.fully_diluted.loc["Fully diluted shares", "after_closing"]

    @property
    def authorized_less(self) -> Any:
        """Authorized common stock less fully diluted shares, after the closing."""
        return self.fully_diluted.loc["Authorized less fully diluted", "after_closing"]

    @property
    def assumed(self) -> pd.DataFrame:
        """The terms of every document that are assumptions."""
        return self.sources[self.sources["kind"] == "assumption"]


def study_note(
    note: FixedRateNote,
    exchange: Any,
    capitalization: Any,
    as_of: str | dt.date,
    quarter_start: str | dt.date,
    quarter_end: str | dt.date,
) -> NoteStudy:
    """``note`` on ``as_of`` and by fiscal quarter from ``quarter_start`` to
    ``quarter_end``, with the ``exchange`` (kind ``exchange``) and the ``capitalization``
    (kind ``capitalization``); see the module docstring."""
    exchanged = FixedRateNote(exchange.note)
    settled = exchanged.settlements().iloc[0]
    cap = capitalization
    conv = note.conversion_shares()
    conversions = note.conversions()
    remaining = (
        note.conversion_shares(principal=conversions["outstanding_after"].iloc[-1])
        if len(conversions)
        else conv
    )
    fd = fully_diluted(cap)
    before: Any = fd.loc["Fully diluted shares", "after_closing"]
    # after the conversions: the shares they issued are outstanding, the rest still converts
    after = int(before - conv.shares + conversions["shares"].sum() + remaining.shares)
    documents = {
        n.name: provenance(n.terms) for n in (note.terms, exchange.note, *cap.notes.values())
    }
    sources = pd.concat(
        {**documents, cap.terms.name: provenance(cap.terms)}, names=["document", "row"]
    ).reset_index(0)
    return NoteStudy(
        note=note,
        exchange=exchange,
        capitalization=cap,
        as_of=str(as_of),
        settled=settled,
        accrued_at_exchange=settled["accrued_interest"],
        stated=to_cents(exchange.terms.accrued_interest_paid.value),
        schedule=note.coupon_schedule(),
        accrued=note.accrued_interest(as_of),
        expense=note.interest_expense(quarter_start, quarter_end),
        purchases=purchase_settlement(note),
        holders=interest_by_holder(note, as_of=as_of),
        conversion=conv,
        conversions=conversions,
        remaining=remaining,
        converted=conversion_by_holder(note),
        reserve=reserve_check(cap),
        fully_diluted=fd,
        fully_diluted_after_conversions=after,
        sources=sources,
        defects=note.terms.allocations.defects() if note.terms.allocations else [],
    )
