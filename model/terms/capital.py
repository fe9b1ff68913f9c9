"""Share capitalization terms: authorized, outstanding and reserved shares, and the
convertible notes that dilute them."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from model.terms.fields import Date, Frozen, Money, Name, PositiveMoney, Price, Shares, Sourced
from model.terms.files import ParamsFile, validate
from model.terms.notes import LoadReference, NoteFile

__all__ = [
    "Reserve",
    "ConvertibleRef",
    "CapitalizationTerms",
    "Capitalization",
    "build_capitalization",
]


class Reserve(Frozen):
    """Shares reserved for issuance (options, warrants, a convertible's conversion)."""

    id: Name
    label: Name
    shares: Sourced[Shares]
    principal_basis: Sourced[PositiveMoney] | None = None
    conversion_price: Sourced[Price] | None = None
    pro_forma_principal: Sourced[Money] | None = None

    @model_validator(mode="after")
    def _check(self) -> Reserve:
        needs = (self.principal_basis, self.conversion_price)
        if (
            self.pro_forma_principal is not None or self.principal_basis is not None
        ) and None in needs:
            raise ValueError(
                "a convertible reserve needs both principal_basis and conversion_price"
            )
        return self


class ConvertibleRef(Frozen):
    """A convertible note whose conversion dilutes the capitalization (its params file)."""

    id: Name
    note_file: Name


class CapitalizationTerms(Frozen):
    """A ``kind: capitalization`` params file."""

    kind: Literal["capitalization"]
    id: Name
    name: Name
    as_of: Sourced[Date]
    authorized_common: Sourced[Shares]
    authorized_preferred: Sourced[Shares] | None = None
    outstanding_common: Sourced[Shares]
    reserved: tuple[Reserve, ...] = ()
    convertibles: tuple[ConvertibleRef, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> CapitalizationTerms:
        if self.outstanding_common.value > self.authorized_common.value:
            raise ValueError("outstanding common exceeds authorized common")
        ids = [r.id for r in self.reserved] + [c.id for c in self.convertibles]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"id used twice: {', '.join(sorted(dup))}")
        return self


class Capitalization(Frozen):
    """Validated capitalization with the terms of the notes its convertibles refer to."""

    terms: CapitalizationTerms
    notes: dict[str, NoteFile]


def build_capitalization(pf: ParamsFile, load_reference: LoadReference) -> Capitalization:
    """Builder for ``kind: capitalization``: validate, then load each convertible's note file
    (beside this one, of kind ``fixed_rate_note``)."""
    terms = validate(CapitalizationTerms, pf.data, pf)
    notes = {
        c.id: load_reference(pf, ("convertibles", i, "note_file"), c.note_file, "fixed_rate_note")
        for i, c in enumerate(terms.convertibles)
    }
    return Capitalization(terms=terms, notes=notes)
