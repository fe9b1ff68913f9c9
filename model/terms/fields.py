"""Building blocks of every kind of terms: frozen models, values with provenance, and
the field types that read their values with :mod:`model.values`.

A term in ``params/`` is written as a mapping with its value and where it comes from::

    principal:
      value: 29000000
      source: "Note Purchase Agreement (2004-06-18), Sec. 2.1"

or, when the documents are silent::

    day_count:
      value: "30/360 US"
      assumption: "Not in the documents; market convention for US convertible notes."

Exactly one of ``source`` and ``assumption`` must be given. Assumptions are the
numbers a user is expected to review and override. ``reference`` is an optional
short citation (``"Sec. 6.3(c)"``) for labels in tables and charts.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema, model_validator

from model.values import (
    read_amount,
    read_date,
    read_flag,
    read_int,
    read_money,
    read_name,
    read_rate,
)

T = TypeVar("T")

__all__ = [
    "Frozen",
    "Sourced",
    "Provenanced",
    "Money",
    "SignedMoney",
    "PositiveMoney",
    "Amount",
    "SignedAmount",
    "Price",
    "Rate",
    "Whole",
    "Days",
    "Shares",
    "Date",
    "Flag",
    "Name",
]


class Frozen(BaseModel):
    """Base for terms: immutable, no unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


Money = Annotated[Decimal, BeforeValidator(lambda v: read_money(v, ""))]
"""Dollars and cents, not negative."""
SignedMoney = Annotated[Decimal, BeforeValidator(lambda v: read_money(v, "", negative=True))]
"""Dollars and cents, any sign."""
PositiveMoney = Annotated[Decimal, BeforeValidator(lambda v: read_money(v, "", positive=True))]
"""Dollars and cents, above zero."""
Amount = Annotated[Decimal, BeforeValidator(lambda v: read_amount(v, ""))]
"""An exact non-negative number, any precision (a ratio level, a conversion factor)."""
SignedAmount = Annotated[Decimal, BeforeValidator(lambda v: read_amount(v, "", negative=True))]
"""An exact number of any sign and precision (a margin over a base rate)."""
Price = Annotated[Decimal, BeforeValidator(lambda v: read_amount(v, "", positive=True))]
"""A price per unit (a conversion price per share): above zero, any precision."""
Rate = Annotated[
    Decimal,
    BeforeValidator(lambda v: read_rate(v, "")),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "exclusiveMaximum": 1},
                {"type": "string", "pattern": r"^\s*0*(0|\.[0-9]+|0\.[0-9]*)\s*$"},
            ],
            "description": "a rate as a decimal fraction, 0 <= rate < 1 (0.08 for 8%)",
        }
    ),
]
"""A rate as a decimal fraction, 0 <= rate < 1 (0.08 for 8%)."""
Whole = Annotated[int, BeforeValidator(lambda v: read_int(v, ""))]
"""A whole number (decimal digits; no YAML 1.1 octal)."""
Days = Annotated[int, BeforeValidator(lambda v: read_int(v, "", low=0, high=3660))]
"""A whole number of days, 0 to 3,660."""
Shares = Annotated[int, BeforeValidator(lambda v: read_int(v, "", low=0))]
"""A whole, non-negative number of shares."""
Date = Annotated[dt.date, BeforeValidator(lambda v: read_date(v, ""))]
"""A calendar date, ISO ``YYYY-MM-DD``."""
Flag = Annotated[bool, BeforeValidator(lambda v: read_flag(v, ""))]
"""A strict yes/no."""
Name = Annotated[str, BeforeValidator(lambda v: read_name(v, ""))]
"""A name: text, stripped, white space folded."""


class Provenanced(Frozen):
    """Anything that cites its source or states why it is an assumption: exactly one of
    ``source`` and ``assumption``, and an optional ``note``."""

    source: str | None = None
    assumption: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_provenance(self) -> Provenanced:
        has_source = bool(self.source and self.source.strip())
        has_assumption = bool(self.assumption and self.assumption.strip())
        if not has_source and not has_assumption:
            raise ValueError(
                "every term needs a 'source' (document and section) or an 'assumption' (why)"
            )
        if has_source and has_assumption:
            raise ValueError("give either 'source' or 'assumption', not both")
        return self

    @property
    def is_assumption(self) -> bool:
        return bool(self.assumption and self.assumption.strip())

    @property
    def provenance(self) -> str:
        """The source, or ``ASSUMPTION: <why>``."""
        return f"ASSUMPTION: {self.assumption}" if self.is_assumption else str(self.source)

    def shown_value(self) -> Any:
        """The value as listed in provenance tables (subclasses say what it is)."""
        return None


class Sourced(Provenanced, Generic[T]):
    """A value with its provenance: a ``source`` (document and section) or an ``assumption``.

    Examples
    --------
    >>> Sourced[int](value=3, source="NPA Sec. 2.1").is_assumption
    False
    >>> try:
    ...     Sourced[int](value=3)
    ... except ValueError as exc:
    ...     print(exc.errors()[0]["msg"])
    Value error, every term needs a 'source' (document and section) or an 'assumption' (why)
    """

    value: T
    reference: str | None = None

    def shown_value(self) -> Any:
        return self.value
