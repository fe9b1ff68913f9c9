"""Terms of notes and bonds, and of exchanges of one note for new securities.

The params file of a note (``kind: fixed_rate_note``) holds the note's economic terms
(each with ``source`` or ``assumption``), its principal events (exchanges,
conversions, redemptions), and, where the documents give them, the holders'
allocations and payments in kind. Validation is strict: a rate must be a decimal
fraction, coupon dates must fit the frequency and the maturity, the allocation rows
must add up to the stated total, and a figure printed differently in the source
(a data defect) must carry a note saying what was recorded and why.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import ValidationInfo, field_validator, model_validator

from model.dates import BusinessCalendar, DayCount, Roll, generate_schedule
from model.terms.fields import (
    Amount,
    Date,
    Flag,
    Frozen,
    Money,
    Name,
    PositiveMoney,
    Price,
    Provenanced,
    Rate,
    Shares,
    Sourced,
    Whole,
)
from model.terms.files import ParamsFile, validate

__all__ = [
    "PrincipalEvent",
    "Allocation",
    "Allocations",
    "PaymentInKind",
    "NoteTerms",
    "NoteFile",
    "ExchangeTerms",
    "Exchange",
    "parse_printed_amount",
    "build_note",
    "build_exchange",
    "LoadReference",
]

ROLLS = tuple(r.value for r in Roll)


def parse_printed_amount(text: str) -> Decimal | None:
    """Parse a dollar amount as printed in a document; ``None`` if it is malformed.

    Thousands separators must group digits in threes: ``"$1,050,00"`` is malformed
    (Note Purchase Agreement, Exhibit 2.2, Greywolf Capital Partners II LP).

    Examples
    --------
    >>> parse_printed_amount("$ 1,450,000")
    Decimal('1450000')
    >>> parse_printed_amount("$1,050,00") is None
    True
    >>> parse_printed_amount("$651,187.50")
    Decimal('651187.50')
    """
    s = text.replace("$", "").replace(" ", "")
    if not re.fullmatch(r"\d{1,3}(,\d{3})*(\.\d{2})?|\d+(\.\d{2})?", s):
        return None
    try:
        return Decimal(s.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - regex guards this
        return None


class PrincipalEvent(Provenanced):
    """Principal leaving the note on ``date``: accrued interest on that amount is settled then."""

    date: Date
    type: Literal["exchange", "conversion", "redemption", "repurchase"]
    amount: PositiveMoney

    def shown_value(self) -> Any:
        return f"{self.type} of {self.amount:,} on {self.date.isoformat()}"


class Allocation(Frozen):
    """One holder's principal (and purchase price) as listed in an allocation table."""

    holder: Name
    principal: PositiveMoney
    purchase_price: Money | None = None
    as_printed: str | None = None
    note: str | None = None


class Allocations(Frozen):
    """An allocation table (e.g. NPA Exhibit 2.2) whose rows must sum to its stated total."""

    source: str
    total: Money
    rows: tuple[Allocation, ...]

    @model_validator(mode="after")
    def _check(self) -> Allocations:
        names = [r.holder for r in self.rows]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"holder listed twice: {', '.join(sorted(dup))}")
        for i, r in enumerate(self.rows):
            if r.as_printed is None:
                continue
            printed = parse_printed_amount(r.as_printed)
            if printed != r.principal and not (r.note and r.note.strip()):
                shown = "malformed" if printed is None else f"{printed:,}"
                raise ValueError(
                    f"rows[{i}] ({r.holder}): the source prints {r.as_printed!r} ({shown}) but the "
                    f"file records {r.principal:,}; a corrected figure needs a 'note' saying why"
                )
        total = sum((r.principal for r in self.rows), Decimal(0))
        if total != self.total:
            raise ValueError(
                f"rows sum to {total:,} but the stated total is {self.total:,} "
                f"(difference {self.total - total:,})"
            )
        return self

    def defects(self) -> list[str]:
        """Rows whose printed figure differs from the recorded one (each with its note)."""
        out = []
        for r in self.rows:
            if r.as_printed is not None and parse_printed_amount(r.as_printed) != r.principal:
                out.append(
                    f"{r.holder}: printed {r.as_printed!r} in {self.source}; recorded "
                    f"{r.principal:,}. {r.note}"
                )
        return out


class PaymentInKind(Frozen):
    """Purchase price paid by surrendering other notes instead of cash (NPA Sec. 2.5)."""

    holder: Name
    surrendered_instrument: str
    surrendered_principal: PositiveMoney
    source: str
    as_named: str | None = None
    note: str | None = None


class NoteTerms(Frozen):
    """The economic terms of a fixed-rate note."""

    principal: Sourced[PositiveMoney]
    coupon_rate: Sourced[Rate]
    issue_date: Sourced[Date]
    maturity: Sourced[Date]
    frequency: Sourced[Whole]
    end_of_month: Sourced[Flag] | None = None
    coupon_dates: Sourced[tuple[str, ...]]
    day_count: Sourced[DayCount]
    first_coupon: Sourced[Date] | None = None
    stub: Sourced[Literal["short_front", "long_front"]] | None = None
    payment_roll: Sourced[str]
    calendar: Sourced[str]
    conversion_price: Sourced[Price] | None = None
    maximum_principal: Sourced[PositiveMoney] | None = None

    @field_validator("day_count", mode="before")
    @classmethod
    def _parse_dc(cls, v: object) -> object:
        if isinstance(v, dict) and "value" in v:
            try:
                v = {**v, "value": DayCount.parse(v["value"])}
            except ValueError as exc:
                raise ValueError(str(exc)) from None
        return v

    @field_validator("frequency")
    @classmethod
    def _freq(cls, v: Sourced[int]) -> Sourced[int]:
        if v.value not in (1, 2, 4, 12):
            raise ValueError(f"frequency must be 1, 2, 4 or 12 coupons a year (got {v.value})")
        return v

    @field_validator("payment_roll")
    @classmethod
    def _roll(cls, v: Sourced[str]) -> Sourced[str]:
        if v.value not in ROLLS:
            raise ValueError(f"unknown roll {v.value!r}; valid: {', '.join(ROLLS)}")
        return v

    @property
    def business_calendar(self) -> BusinessCalendar:
        """The payment calendar named by ``calendar``."""
        return BusinessCalendar(code=self.calendar.value)

    @field_validator("maturity")
    @classmethod
    def _maturity(cls, v: Sourced[dt.date], info: ValidationInfo) -> Sourced[dt.date]:
        issue = info.data.get("issue_date")
        if issue is not None and v.value <= issue.value:
            raise ValueError(f"maturity {v.value} must be after the issue date {issue.value}")
        return v

    @field_validator("coupon_dates")
    @classmethod
    def _coupon_dates(
        cls, v: Sourced[tuple[str, ...]], info: ValidationInfo
    ) -> Sourced[tuple[str, ...]]:
        md = []
        for s in v.value:
            m = re.fullmatch(r"(\d{2})-(\d{2})", str(s))
            if not m:
                raise ValueError(f"coupon date {s!r} must be written MM-DD (e.g. '06-18')")
            month, day = int(m.group(1)), int(m.group(2))
            try:
                dt.date(2000, month, day)
            except ValueError:
                raise ValueError(f"coupon date {s!r} is not a day of the year") from None
            md.append((month, day))
        freq_term = info.data.get("frequency")
        if freq_term is None:
            return v
        freq = freq_term.value
        if len(md) != freq:
            raise ValueError(
                f"{len(md)} coupon dates given for a frequency of {freq} a year; they must match"
            )
        months = sorted(m for m, _ in md)
        step = 12 // freq
        if any((months[(i + 1) % freq] - months[i]) % 12 != step % 12 for i in range(freq)):
            raise ValueError(
                f"coupon dates {list(v.value)} are not {step} months apart "
                f"as a frequency of {freq} requires"
            )
        maturity, eom = info.data.get("maturity"), info.data.get("end_of_month")
        if maturity is not None and (maturity.value.month, maturity.value.day) not in md:
            month_end = (maturity.value + dt.timedelta(days=1)).day == 1
            if not (eom and eom.value and month_end):
                raise ValueError(
                    f"maturity {maturity.value} does not fall on a coupon date {list(v.value)}"
                )
        return v

    @field_validator("first_coupon")
    @classmethod
    def _first_coupon(
        cls, v: Sourced[dt.date] | None, info: ValidationInfo
    ) -> Sourced[dt.date] | None:
        issue, maturity = info.data.get("issue_date"), info.data.get("maturity")
        if v is not None and issue is not None and maturity is not None:
            if not issue.value < v.value <= maturity.value:
                raise ValueError("first_coupon must be after the issue date and not after maturity")
        return v

    @field_validator("calendar")
    @classmethod
    def _calendar(cls, v: Sourced[str]) -> Sourced[str]:
        try:
            BusinessCalendar(code=v.value)
        except ValueError as exc:
            raise ValueError(str(exc)) from None
        return v

    def period_bounds(self) -> list[dt.date]:
        """The accrual period boundaries, issue date to maturity, as the terms draw them
        (:func:`model.dates.generate_schedule`: backward from maturity, with the stub,
        end-of-month rule and first coupon of the terms)."""
        return generate_schedule(
            self.issue_date.value,
            self.maturity.value,
            self.frequency.value,
            stub=self.stub.value if self.stub else "short_front",
            end_of_month=bool(self.end_of_month.value) if self.end_of_month else False,
            first_coupon=self.first_coupon.value if self.first_coupon else None,
        )

    @model_validator(mode="after")
    def _schedule_fits(self) -> NoteTerms:
        """Build the coupon schedule and its payment dates now, so a defect is reported
        against the params file instead of surfacing later in an engine."""
        try:
            bounds = self.period_bounds()
            cal = BusinessCalendar(code=self.calendar.value)
            for d in bounds[1:]:
                cal.adjust(d, self.payment_roll.value)
        except ValueError as exc:
            raise ValueError(f"coupon schedule cannot be built: {exc}") from None
        allowed = set(self.coupon_dates.value)
        eom = bool(self.end_of_month.value) if self.end_of_month else False
        for d in bounds[1:]:
            month_end = (d + dt.timedelta(days=1)).day == 1
            ok = f"{d.month:02d}-{d.day:02d}" in allowed or (
                eom and month_end and any(s.startswith(f"{d.month:02d}-") for s in allowed)
            )
            if not ok:
                raise ValueError(
                    f"the schedule generated from maturity has a coupon on {d}, which is not one of "
                    f"the coupon dates {list(self.coupon_dates.value)}"
                )
        return self

    @field_validator("maximum_principal")
    @classmethod
    def _max(cls, v: Sourced[Decimal] | None, info: ValidationInfo) -> Sourced[Decimal] | None:
        principal = info.data.get("principal")
        if v is not None and principal is not None and principal.value > v.value:
            raise ValueError(f"principal {principal.value:,} exceeds the maximum {v.value:,}")
        return v


class NoteFile(Frozen):
    """A ``kind: fixed_rate_note`` params file."""

    kind: Literal["fixed_rate_note"]
    id: Name
    name: Name
    issuer: Name
    documents: tuple[str, ...] = ()
    terms: NoteTerms
    events: tuple[PrincipalEvent, ...] = ()
    allocations: Allocations | None = None
    payment_in_kind: tuple[PaymentInKind, ...] = ()
    notes: tuple[str, ...] = ()

    @field_validator("events")
    @classmethod
    def _events(
        cls, v: tuple[PrincipalEvent, ...], info: ValidationInfo
    ) -> tuple[PrincipalEvent, ...]:
        terms = info.data.get("terms")
        if terms is None:
            return v
        issue, maturity = terms.issue_date.value, terms.maturity.value
        left = terms.principal.value
        for e in sorted(v, key=lambda e: e.date):
            if not issue < e.date <= maturity:
                raise ValueError(
                    f"event on {e.date} is outside the note's life ({issue} to {maturity})"
                )
            left -= e.amount
            if left < 0:
                raise ValueError(
                    f"events remove more principal than is outstanding (short by {-left:,} on {e.date})"
                )
        return v

    @field_validator("allocations")
    @classmethod
    def _allocations(cls, v: Allocations | None, info: ValidationInfo) -> Allocations | None:
        terms = info.data.get("terms")
        if v is not None and terms is not None and v.total != terms.principal.value:
            raise ValueError(
                f"allocations total {v.total:,} differs from the principal {terms.principal.value:,}"
            )
        return v

    @field_validator("payment_in_kind")
    @classmethod
    def _pik(cls, v: tuple[PaymentInKind, ...], info: ValidationInfo) -> tuple[PaymentInKind, ...]:
        if "allocations" not in info.data:  # allocations failed validation: reported there
            return v
        alloc = info.data["allocations"]
        holders = {r.holder for r in alloc.rows} if alloc else set()
        for p in v:
            if p.holder not in holders:
                raise ValueError(
                    f"payment in kind names {p.holder!r}, who is not in the allocations"
                )
        return v


class NewSecurities(Frozen):
    """Consideration received in an exchange."""

    name: Name
    principal_per_dollar: Sourced[Amount]
    principal: Sourced[Money]
    coupon_rate: Sourced[Rate] | None = None
    warrants: Sourced[Shares] | None = None


class ExchangeTerms(Frozen):
    """An exchange of part of a note for new securities, settling accrued interest."""

    kind: Literal["exchange"]
    id: Name
    name: Name
    note_file: Name
    date: Sourced[Date]
    principal_exchanged: Sourced[PositiveMoney]
    accrued_interest_paid: Sourced[Money] | None = None
    consideration: NewSecurities

    @model_validator(mode="after")
    def _check(self) -> ExchangeTerms:
        ratio = self.consideration.principal_per_dollar.value
        expected = self.principal_exchanged.value * ratio
        if expected != self.consideration.principal.value:
            raise ValueError(
                f"consideration principal {self.consideration.principal.value:,} is not "
                f"{ratio} x {self.principal_exchanged.value:,} = {expected:,}"
            )
        return self


LoadReference = Callable[[ParamsFile, tuple[Any, ...], str, str], Any]
"""How a builder loads a file its file refers to: ``(pf, key path, file name, kind)``
(:func:`model.terms.load.load` passes one that keeps names inside the folder, checks the
kind and refuses a file that refers back to itself)."""


def build_note(pf: ParamsFile, load_reference: LoadReference) -> NoteFile:
    """Builder for ``kind: fixed_rate_note``."""
    return validate(NoteFile, pf.data, pf)


class Exchange(Frozen):
    """An exchange with the terms of the note it applies to."""

    terms: ExchangeTerms
    note: NoteFile


def build_exchange(pf: ParamsFile, load_reference: LoadReference) -> Exchange:
    """Builder for ``kind: exchange``: validate the exchange and load the note it refers to
    (``note_file``, beside this file, of kind ``fixed_rate_note``)."""
    terms = validate(ExchangeTerms, pf.data, pf)
    note = load_reference(pf, ("note_file",), terms.note_file, "fixed_rate_note")
    _check_against_note(terms, note, pf)
    return Exchange(terms=terms, note=note)


def _check_against_note(terms: ExchangeTerms, note: NoteFile, pf: ParamsFile) -> None:
    """The exchange is one of the note's principal events: an event of type ``exchange``
    on the exchange's date for ``principal_exchanged``. The note's events are what the
    engines settle, so an exchange file that disagrees with them would report figures
    the model never computed."""
    d, amount = terms.date.value, terms.principal_exchanged.value
    exchanges = [e for e in note.events if e.type == "exchange"]
    on_day = [e for e in exchanges if e.date == d]
    if any(e.amount == amount for e in on_day):
        return
    listed = "; ".join(f"{e.amount:,} on {e.date}" for e in exchanges) or "none"
    if on_day:
        loc: tuple[Any, ...] = ("principal_exchanged", "value")
        rule = (
            f"principal_exchanged {amount:,} on {d} differs from the exchange event of the note "
            f"{terms.note_file} on that date ({', '.join(f'{e.amount:,}' for e in on_day)}); "
            "the two files must agree"
        )
    else:
        loc = ("date", "value")
        rule = (
            f"the note {terms.note_file} has no exchange event on {d} for {amount:,} "
            f"(its exchange events: {listed}); add the event to the note's events or correct "
            "the date"
        )
    raise pf.error(loc, rule)
