"""Parsing and rounding of the plain values every layer uses: dates, money, flags, quarters.

One parser per concept, so that every engine rejects the same bad input with the same
kind of message (naming the field), and rounds money the same way: to the cent, half
up (away from zero), once, when an amount is paid or shown.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction
from typing import Any

__all__ = [
    "CENT",
    "as_date",
    "as_money",
    "as_bool",
    "to_cents",
    "is_quarter_end",
    "quarter_start",
    "next_quarter_end",
]

CENT = Decimal("0.01")


def as_date(x: Any, what: str = "date") -> dt.date:
    """A ``datetime.date`` from a date, datetime, pandas Timestamp or ISO string.

    >>> as_date("2008-04-28")
    datetime.date(2008, 4, 28)
    >>> as_date("28/04/2008", "as_of")
    Traceback (most recent call last):
    ...
    ValueError: as_of: not an ISO date (YYYY-MM-DD): '28/04/2008'
    """
    if isinstance(x, dt.datetime):  # pandas.Timestamp is a datetime
        return x.date()
    if isinstance(x, dt.date):
        return x
    if hasattr(x, "item") and not isinstance(x, str):  # numpy.datetime64
        try:
            return as_date(x.astype("datetime64[D]").item(), what)
        except (AttributeError, TypeError, ValueError):
            pass
    try:
        return dt.date.fromisoformat(str(x).strip())
    except ValueError:
        raise ValueError(f"{what}: not an ISO date (YYYY-MM-DD): {x!r}") from None


def as_money(x: Any, what: str = "amount", *, allow_negative: bool = False) -> Decimal:
    """An exact Decimal amount; text, booleans, NaN, infinities (and negatives unless
    allowed) are errors naming ``what``. Floats keep their shortest decimal form.

    >>> as_money(1500.5, "cash")
    Decimal('1500.5')
    >>> as_money("1,050,000", "principal")
    Decimal('1050000')
    >>> as_money("1,050,00", "principal")  # NPA Exhibit 2.2's misprint is not read as 105,000
    Traceback (most recent call last):
    ...
    ValueError: principal: not an amount: '1,050,00'
    >>> as_money(float("nan"), "net_income")
    Traceback (most recent call last):
    ...
    ValueError: net_income: not a finite amount: nan
    >>> as_money(-1, "cash")
    Traceback (most recent call last):
    ...
    ValueError: cash: must not be negative (got -1)
    """
    if isinstance(x, bool) or x is None:
        raise ValueError(f"{what}: not an amount: {x!r}")
    try:
        if isinstance(x, Decimal):
            d = x
        elif isinstance(x, float):  # includes numpy.float64
            d = Decimal(repr(float(x)))
        elif isinstance(x, Fraction):
            with localcontext() as ctx:
                ctx.prec = 50
                d = Decimal(x.numerator) / Decimal(x.denominator)
        elif hasattr(x, "dtype") and getattr(x.dtype, "kind", "") in "iuf":  # numpy scalars
            return as_money(x.item(), what, allow_negative=allow_negative)
        else:
            text = str(x).strip()
            if "," in text and not _GROUPED.fullmatch(text):
                raise ValueError
            d = Decimal(text.replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        raise ValueError(f"{what}: not an amount: {x!r}") from None
    if not d.is_finite():
        raise ValueError(f"{what}: not a finite amount: {x!r}")
    if d < 0 and not allow_negative:
        raise ValueError(f"{what}: must not be negative (got {x})")
    return d


_GROUPED = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")
"""Thousands separators group digits in threes: "1,050,00" is not an amount."""

_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


def as_bool(x: Any, what: str = "flag") -> bool:
    """A strict yes/no: True/False, 1/0, or the words true/false, yes/no, y/n (any case).

    Anything else, a blank included, is an error: ``bool("no")`` is True in Python, so
    flags are never coerced with ``bool()``.

    >>> as_bool("No", "insured"), as_bool(1, "insured")
    (False, True)
    >>> as_bool("", "insured")
    Traceback (most recent call last):
    ...
    ValueError: insured: not a yes/no value: ''
    """
    if isinstance(x, bool):
        return x
    if hasattr(x, "item") and not isinstance(x, str):
        x = x.item()
        if isinstance(x, bool):
            return x
    if isinstance(x, int) and x in (0, 1):
        return bool(x)
    if isinstance(x, float) and x in (0.0, 1.0):
        return bool(x)
    s = str(x).strip().lower() if isinstance(x, str) else None
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueError(f"{what}: not a yes/no value: {x!r}")


def to_cents(amount: Any) -> Decimal:
    """Round an exact amount to the cent, half up (away from zero): the rounding of a payment.

    >>> to_cents(Fraction(130237500, 200))
    Decimal('651187.50')
    >>> to_cents(Fraction(1, 200)), to_cents(Fraction(-1, 200)), to_cents(Decimal("0.125"))
    (Decimal('0.01'), Decimal('-0.01'), Decimal('0.13'))
    """
    f = amount if isinstance(amount, Fraction) else Fraction(as_money(amount, allow_negative=True))
    n = abs(f) * 100
    c = math.floor(n + Fraction(1, 2))
    return (Decimal(c if f >= 0 else -c) / 100).quantize(CENT)


def is_quarter_end(d: dt.date) -> bool:
    """Fiscal quarter end (fiscal year = calendar year): Mar 31, Jun 30, Sep 30, Dec 31.

    >>> is_quarter_end(dt.date(2008, 6, 30)), is_quarter_end(dt.date(2008, 6, 29))
    (True, False)
    """
    return (d.month, d.day) in {(3, 31), (6, 30), (9, 30), (12, 31)}


def quarter_start(quarter_end: dt.date) -> dt.date:
    """First day of the fiscal quarter ending ``quarter_end``.

    >>> quarter_start(dt.date(2008, 3, 31))
    datetime.date(2008, 1, 1)
    """
    if not is_quarter_end(quarter_end):
        raise ValueError(
            f"{quarter_end} is not a fiscal quarter end (Mar 31, Jun 30, Sep 30, Dec 31)"
        )
    return dt.date(quarter_end.year, quarter_end.month - 2, 1)


def next_quarter_end(quarter_end: dt.date) -> dt.date:
    """The fiscal quarter end after ``quarter_end``.

    >>> next_quarter_end(dt.date(2008, 12, 31))
    datetime.date(2009, 3, 31)
    """
    m = quarter_end.month + 3
    y = quarter_end.year + (m - 1) // 12
    m = (m - 1) % 12 + 1
    return dt.date(y, m, {3: 31, 6: 30, 9: 30, 12: 31}[m])
