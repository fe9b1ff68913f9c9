"""Share capitalization terms: authorized, outstanding and reserved shares, and the
convertible notes that dilute them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from pydantic import model_validator

from model.terms.common import Frozen, PositiveMoney, Price, Shares, Sourced

if TYPE_CHECKING:  # for annotations only; the builder imports at call time, as before
    from model.params import ParamsFile

__all__ = [
    "Reserve",
    "ConvertibleRef",
    "CapitalizationTerms",
    "Capitalization",
    "build_capitalization",
]


class Reserve(Frozen):
    """Shares reserved for issuance (options, warrants, a convertible's conversion)."""

    id: str
    label: str
    shares: Sourced[Shares]
    principal_basis: Sourced[PositiveMoney] | None = None
    conversion_price: Sourced[Price] | None = None
    pro_forma_principal: Sourced[Decimal] | None = None

    @model_validator(mode="after")
    def _check(self) -> Reserve:
        needs = (self.principal_basis, self.conversion_price)
        if (
            self.pro_forma_principal is not None or self.principal_basis is not None
        ) and None in needs:
            raise ValueError(
                "a convertible reserve needs both principal_basis and conversion_price"
            )
        if self.pro_forma_principal is not None and self.pro_forma_principal.value < 0:
            raise ValueError("pro_forma_principal must not be negative")
        return self


class ConvertibleRef(Frozen):
    id: str
    note_file: str


class CapitalizationTerms(Frozen):
    kind: Literal["capitalization"]
    id: str
    name: str
    as_of: Sourced[dt.date]
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
    """Validated capitalization with the notes its convertibles refer to (loaded)."""

    terms: CapitalizationTerms
    notes: dict[str, object]


def build_capitalization(pf: ParamsFile) -> Capitalization:
    """Builder for ``kind: capitalization``: validate, then load each convertible's note file
    (which must sit in the same folder: file names cannot escape it)."""
    from model import paths
    from model.params import load, validate

    terms = validate(CapitalizationTerms, pf.data, pf)
    notes: dict[str, object] = {}
    for i, c in enumerate(terms.convertibles):
        try:
            path = paths.safe_join(pf.path.parent, c.note_file)
        except paths.UnsafePathError as exc:
            raise pf.error(("convertibles", i, "note_file"), str(exc)) from None
        if not path.is_file():
            raise pf.error(
                ("convertibles", i, "note_file"), f"no such file beside this one: {c.note_file}"
            )
        notes[c.id] = load(path)
    return Capitalization(terms=terms, notes=notes)
