"""Building blocks shared by every kind of terms: values with provenance, money, rates.

A term in ``params/`` is written as a mapping with its value and where it comes from::

    principal:
      value: 29000000
      source: "Note Purchase Agreement (2004-06-18), Sec. 2.1"

or, when the documents are silent::

    day_count:
      value: "30/360 US"
      assumption: "Not in the documents; market convention for US convertible notes."

Exactly one of ``source`` and ``assumption`` must be given. Assumptions are the
numbers a user is expected to review and override.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

import pandas as pd
from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator

T = TypeVar("T")

__all__ = [
    "Frozen",
    "Sourced",
    "Money",
    "PositiveMoney",
    "Price",
    "Rate",
    "Shares",
    "provenance",
    "check_rate",
]


class Frozen(BaseModel):
    """Base for terms: immutable, no unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class Sourced(Frozen, Generic[T]):
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
    source: str | None = None
    assumption: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_provenance(self) -> Sourced[T]:
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
        return f"ASSUMPTION: {self.assumption}" if self.is_assumption else str(self.source)


def _whole_cents(v: Decimal) -> Decimal:
    if not v.is_finite():
        raise ValueError(f"must be a finite amount (got {v})")
    if v != v.quantize(Decimal("0.01")):
        raise ValueError(f"an amount of money has at most two decimals, cents (got {v})")
    return v


def _non_negative(v: Decimal) -> Decimal:
    if v < 0:
        raise ValueError(f"must not be negative (got {v})")
    return _whole_cents(v)


def _positive(v: Decimal) -> Decimal:
    if v <= 0:
        raise ValueError(f"must be greater than zero (got {v})")
    return _whole_cents(v)


def check_rate(v: Decimal) -> Decimal:
    """A rate is a decimal fraction: 0.08 for 8%.

    >>> check_rate(Decimal("0.08"))
    Decimal('0.08')
    >>> check_rate(Decimal("8"))
    Traceback (most recent call last):
    ...
    ValueError: a rate is a decimal fraction between 0 and 1 (write 0.08 for 8%), got 8
    """
    if not (Decimal(0) <= v < Decimal(1)):
        raise ValueError(
            f"a rate is a decimal fraction between 0 and 1 (write 0.08 for 8%), got {v}"
        )
    return v


def _whole_shares(v: int) -> int:
    if v < 0:
        raise ValueError(f"a share count must not be negative (got {v})")
    return v


def _positive_price(v: Decimal) -> Decimal:
    if not v.is_finite() or v <= 0:
        raise ValueError(f"must be greater than zero (got {v})")
    return v


Money = Annotated[Decimal, AfterValidator(_non_negative)]
"""Dollars and cents, not negative."""
PositiveMoney = Annotated[Decimal, AfterValidator(_positive)]
"""Dollars and cents, above zero."""
Price = Annotated[Decimal, AfterValidator(_positive_price)]
"""A price per unit (a conversion price per share): above zero, any precision."""
Rate = Annotated[Decimal, AfterValidator(check_rate)]
Shares = Annotated[int, AfterValidator(_whole_shares)]


def _walk(obj: Any, path: str, rows: list[dict[str, Any]]) -> None:
    if isinstance(obj, Sourced):
        value = obj.value
        if isinstance(value, dt.date):
            value = value.isoformat()
        rows.append(
            {
                "term": path,
                "value": value,
                "kind": "assumption" if obj.is_assumption else "source",
                "provenance": obj.source if not obj.is_assumption else obj.assumption,
                "note": obj.note or "",
            }
        )
        return
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            _walk(getattr(obj, name), f"{path}.{name}" if path else name, rows)
    elif isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj):
            _walk(item, f"{path}[{i}]", rows)
    elif isinstance(obj, dict):
        for k, item in obj.items():
            _walk(item, f"{path}.{k}" if path else str(k), rows)


def provenance(terms: Any) -> pd.DataFrame:
    """Every sourced term in ``terms``: key path, value, ``source``/``assumption`` and text.

    Reports print this table so that a reader sees which numbers are assumptions.

    Examples
    --------
    >>> class T(Frozen):
    ...     rate: Sourced[Decimal]
    ...     basis: Sourced[str]
    >>> t = T(rate={"value": "0.08", "source": "NPA title"},
    ...       basis={"value": "30/360 US", "assumption": "not in the documents"})
    >>> provenance(t)[["term", "kind"]].to_string(index=False)
    ' term       kind\\n rate     source\\nbasis assumption'
    """
    rows: list[dict[str, Any]] = []
    _walk(terms, "", rows)
    return pd.DataFrame(rows, columns=["term", "value", "kind", "provenance", "note"])
