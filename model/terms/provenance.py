"""Where every term comes from: the one walk over terms, for provenance tables,
assumption lists and version diffs.

Every item with a ``source`` or an ``assumption`` (a :class:`~model.terms.fields.Sourced`
value, a step schedule, a covenant threshold step, a springing condition, a fee) is a
row. Items in lists are named by their ``id`` or ``name`` (``covenants[consolidated_ebitda]``,
``fees[modification_fee]``), threshold steps by their quarters
(``thresholds[2008-03-31..2008-06-30]``), anything else by position.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from pydantic import BaseModel

from model.errors import InputError
from model.terms.fields import Provenanced

__all__ = ["TermRow", "walk_terms", "provenance", "assumptions", "show_value", "count_terms"]


@dataclass(frozen=True)
class TermRow:
    """One provenanced item: its key path, value (as data and as text) and provenance."""

    term: str
    value: Any
    text: str
    kind: str  # "source" or "assumption"
    provenance: str
    note: str


def show_value(v: Any) -> str:
    """A term's value as text: whole dollars with separators, dates ISO, ``(none)``.

    >>> show_value(Decimal("35000000")), show_value(Decimal("0.0125")), show_value(None)
    ('35,000,000', '0.0125', '(none)')
    """
    if v is None:
        return "(none)"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, Decimal):
        if abs(v) >= 1000:
            return f"{v:,.0f}" if v == v.to_integral_value() else f"{v:,.2f}"
        return str(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, tuple | list):
        return ", ".join(show_value(x) for x in v)
    return str(v)


def _item_key(item: Any, index: int) -> str:
    for attr in ("id", "name"):
        value = getattr(item, attr, None)
        if isinstance(value, str):
            return value
    start = getattr(item, "from_quarter", None)
    if isinstance(start, dt.date):
        end = getattr(item, "to_quarter", None)
        return f"{start.isoformat()}..{end.isoformat() if end else ''}"
    return str(index)


def walk_terms(obj: Any, path: str = "") -> Iterator[TermRow]:
    """Every provenanced item in ``obj`` (terms, a list or mapping of terms), in order."""
    if isinstance(obj, Provenanced):
        value = obj.shown_value()
        yield TermRow(
            term=path,
            value=value.isoformat() if isinstance(value, dt.date) else value,
            text=show_value(value),
            kind="assumption" if obj.is_assumption else "source",
            provenance=(obj.assumption if obj.is_assumption else obj.source) or "",
            note=obj.note or "",
        )
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            if isinstance(obj, Provenanced) and name in ("value", "source", "assumption", "note"):
                continue
            yield from walk_terms(getattr(obj, name), f"{path}.{name}" if path else name)
    elif isinstance(obj, tuple | list):
        for i, item in enumerate(obj):
            yield from walk_terms(item, f"{path}[{_item_key(item, i)}]")
    elif isinstance(obj, dict):
        for k, item in obj.items():
            yield from walk_terms(item, f"{path}.{k}" if path else str(k))


def _check_terms(terms: Any, what: str) -> None:
    """Terms loaded from ``params/`` (frozen pydantic models), or a list or mapping of
    them: anything else has no provenance to list, and an empty table would say so wrongly."""
    items = terms.values() if isinstance(terms, dict) else terms
    parts = list(items) if isinstance(terms, list | tuple | dict) else [terms]
    if parts and all(isinstance(x, BaseModel) for x in parts):
        return
    bad = next((x for x in parts if not isinstance(x, BaseModel)), terms)
    hint = (
        "; for a Facility pass one version (facility.version('original')) or call "
        "facility.assumptions()"
        if hasattr(bad, "all_versions")
        else ""
    )
    raise InputError(
        f"{what} lists the terms of a params file (load('params/...')), not "
        f"{type(bad).__name__}{hint}",
        key="terms",
    )


def provenance(terms: Any) -> pd.DataFrame:
    """Every provenanced term in ``terms``: key path, value, ``source``/``assumption`` and text.

    Reports print this table so that a reader sees which numbers are assumptions.

    Examples
    --------
    >>> from model.terms.fields import Frozen, Sourced
    >>> class T(Frozen):
    ...     rate: Sourced[Decimal]
    ...     basis: Sourced[str]
    >>> t = T(rate={"value": "0.08", "source": "NPA title"},
    ...       basis={"value": "30/360 US", "assumption": "not in the documents"})
    >>> provenance(t)[["term", "kind"]].to_string(index=False)
    ' term       kind\\n rate     source\\nbasis assumption'
    >>> provenance(5)
    Traceback (most recent call last):
    ...
    model.errors.InputError: terms: provenance lists the terms of a params file (load('params/...')), not int
    """
    _check_terms(terms, "provenance")
    rows = [
        {
            "term": r.term,
            "value": r.value,
            "kind": r.kind,
            "provenance": r.provenance,
            "note": r.note,
        }
        for r in walk_terms(terms)
    ]
    return pd.DataFrame(rows, columns=["term", "value", "kind", "provenance", "note"])


def assumptions(terms: Any) -> pd.DataFrame:
    """The terms that rest on an assumption: ``term``, ``value`` (as text), ``assumption``.

    A :class:`~model.terms.facility.Facility` lists the assumptions of all its versions
    (:meth:`~model.terms.facility.Facility.assumptions`)."""
    if hasattr(terms, "all_versions") and callable(getattr(terms, "assumptions", None)):
        table: pd.DataFrame = terms.assumptions()
        return table
    _check_terms(terms, "assumptions")
    rows = [
        {"term": r.term, "value": r.text, "assumption": r.provenance.strip()}
        for r in walk_terms(terms)
        if r.kind == "assumption"
    ]
    return pd.DataFrame(rows, columns=["term", "value", "assumption"])


def count_terms(terms: Any) -> tuple[int, int]:
    """(sourced, assumptions): how many provenanced items cite a document and how many are
    assumptions. A facility's versions are walked together: a term the same in two
    versions counts once."""
    parts = getattr(terms, "all_versions", None) or (terms,)
    rows = {(r.term, r.text, r.kind, r.provenance) for part in parts for r in walk_terms(part)}
    kinds = [kind for _term, _text, kind, _prov in rows]
    return kinds.count("source"), kinds.count("assumption")
