"""One reader per kind of value, and the one way money is rounded and written.

Every file format (YAML params, CSV inputs), every notebook and command-line parameter
and every public function reads its dates, amounts, rates, whole numbers, yes/no flags,
names and choices with these functions, so the same mistake gets the same message
everywhere. A reader takes the value and where it came from (``key``: the key path,
column, argument or parameter; optionally ``file`` and ``line``) and returns the value
or raises :class:`model.errors.InputError` naming where and the rule.

What is strict
--------------
* **Dates** are ISO ``YYYY-MM-DD`` only. An impossible date is named as such (``'2004-02-30'
  is not a calendar date (February 2004 has 29 days)``); day-first or month-first dates
  (``01/04/2008``) and numbers (an Excel serial such as 39538) are refused.
* **Amounts** are exact decimals: ASCII digits only, thousands separators only when they
  group digits in threes (``29,000,000``), finite, at most :data:`MAX_AMOUNT` in size.
  **Money** (:func:`read_money`) has at most cents; computed figures (:func:`read_amount`)
  may have more decimals.
* **Whole numbers** are decimal, with no leading zero (``030`` would be octal 24 to YAML 1.1).
* **Names** are text, stripped, with runs of white space folded to one space: ``"Carrier D "``
  and ``"Carrier  D"`` are the same name as ``"Carrier D"``.

Money is rounded once, to the cent, half up (away from zero), when an amount is paid or
shown (:func:`to_cents`); :func:`format_money` writes it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import math
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

from model.errors import InputError

__all__ = [
    "CENT",
    "MAX_AMOUNT",
    "read_date",
    "read_money",
    "read_amount",
    "read_rate",
    "read_int",
    "read_flag",
    "read_name",
    "read_choice",
    "read_optional",
    "POSITIVE_RULE",
    "to_cents",
    "format_money",
    "is_missing",
]

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal(10) ** 15
"""The largest amount accepted anywhere: $1,000,000,000,000,000 (a larger figure is a typo)."""

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_SLASHED = re.compile(r"\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}", re.ASCII)
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}.*", re.ASCII)
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)


def _fail(rule: str, key: str, file: str | None, line: int | None) -> InputError:
    return InputError(rule, key=key, file=file, line=line)


def is_missing(value: Any) -> bool:
    """None, an empty string, NaN, ``pandas.NA`` or ``NaT``.

    >>> is_missing(None), is_missing(float("nan")), is_missing(" "), is_missing(0)
    (True, True, True, False)
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    name = type(value).__name__
    if name in ("NAType", "NaTType"):
        return True
    if hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "fM":
        try:
            return bool(value != value)
        except (TypeError, ValueError):
            return False
    return False


def _unwrap(value: Any) -> Any:
    """A numpy scalar as the Python value it holds."""
    if hasattr(value, "dtype") and hasattr(value, "item") and not isinstance(value, str):
        try:
            return value.item()
        except (AttributeError, ValueError):
            return value
    return value


# --- dates -----------------------------------------------------------------------------


def _calendar_problem(y: int, m: int, d: int) -> str | None:
    if y < 1:
        return "there is no year 0"
    if not 1 <= m <= 12:
        return f"there is no month {m}"
    last = calendar.monthrange(y, m)[1]
    if not 1 <= d <= last:
        return f"{calendar.month_name[m]} {y} has {last} days"
    return None


def _date_from_text(s: str, key: str, file: str | None, line: int | None) -> dt.date:
    m = _ISO.fullmatch(s)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        problem = _calendar_problem(y, mo, d)
        if problem:
            raise _fail(f"'{s}' is not a calendar date ({problem})", key, file, line)
        return dt.date(y, mo, d)
    if any(ch.isdigit() and not ch.isascii() for ch in s):
        rule = f"'{s}' uses digits other than 0-9; write dates as YYYY-MM-DD"
    elif s.isascii() and s.isdigit():
        rule = f"'{s}' is a number, not a date; write dates as YYYY-MM-DD (Excel serial numbers are refused)"
    elif _DATETIME.fullmatch(s):
        rule = f"'{s}' is a date and time; give the date only, as YYYY-MM-DD"
    elif _SLASHED.fullmatch(s):
        rule = f"'{s}' is not an ISO date (YYYY-MM-DD): day-first and month-first dates are refused as ambiguous"
    else:
        rule = f"not an ISO date (YYYY-MM-DD): '{s}'"
    raise _fail(rule, key, file, line)


def read_date(
    value: Any, key: str = "date", *, file: str | None = None, line: int | None = None
) -> dt.date:
    """A calendar date from a date, a midnight datetime or Timestamp, a ``datetime64`` or an
    ISO ``YYYY-MM-DD`` string.

    Examples
    --------
    >>> read_date("2008-04-28")
    datetime.date(2008, 4, 28)
    >>> read_date("2004-02-30", "issue_date")
    Traceback (most recent call last):
    ...
    model.errors.InputError: issue_date: '2004-02-30' is not a calendar date (February 2004 has 29 days)
    >>> read_date("01/04/2008", "date", file="params/deals/ibasis/scenarios/cash.csv", line=4)
    Traceback (most recent call last):
    ...
    model.errors.InputError: params/deals/ibasis/scenarios/cash.csv: line 4: date: '01/04/2008' is not an ISO date (YYYY-MM-DD): day-first and month-first dates are refused as ambiguous
    >>> read_date(39538, "as_of")
    Traceback (most recent call last):
    ...
    model.errors.InputError: as_of: 39538 is a number, not a date; write dates as YYYY-MM-DD (Excel serial numbers are refused)
    """
    if is_missing(value):
        raise _fail("missing date", key, file, line)
    if type(value).__name__ == "datetime64":
        day = value.astype("datetime64[D]")
        if day != value:
            raise _fail(f"{value} has a time of day; give the date only", key, file, line)
        value = day.item()
    value = _unwrap(value)
    if isinstance(value, dt.datetime):  # pandas.Timestamp is a datetime
        if value.time() != dt.time(0):
            raise _fail(f"{value} has a time of day; give the date only", key, file, line)
        return dt.date(value.year, value.month, value.day)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise _fail(f"not a date: {value!r}", key, file, line)
    if isinstance(value, int | float | Decimal):
        rule = f"{value!r} is a number, not a date; write dates as YYYY-MM-DD (Excel serial numbers are refused)"
        raise _fail(rule, key, file, line)
    if isinstance(value, str):
        return _date_from_text(value.strip(), key, file, line)
    raise _fail(f"not a date: {type(value).__name__} {value!r}", key, file, line)


# --- amounts ---------------------------------------------------------------------------


def _text_number(s: str) -> Decimal | str:
    """The Decimal written in ``s``, or the rule it breaks."""
    if any(ch.isdigit() and not ch.isascii() for ch in s):
        return f"'{s}' uses digits other than 0-9; write amounts with the digits 0-9"
    if s.startswith("(") and s.endswith(")"):
        return f"'{s}': write a negative amount with a minus sign, not in parentheses"
    if any(unicodedata.category(ch) == "Sc" for ch in s):
        return f"'{s}': write the number without a currency sign"
    if not _NUMBER.fullmatch(s):
        if "," in s and re.fullmatch(r"[+-]?[\d,]+(\.\d+)?", s, re.ASCII):
            return (
                f"not an amount: '{s}' (thousands separators must group digits in threes, "
                "as in 29,000,000)"
            )
        return f"not an amount: '{s}'"
    return Decimal(s.replace(",", ""))


def _decimal(value: Any, key: str, file: str | None, line: int | None) -> Decimal:
    """An exact Decimal from a number or a numeric string, finite and within MAX_AMOUNT."""
    if isinstance(value, str) and not value.strip() or value is None:
        raise _fail("missing amount", key, file, line)
    value = _unwrap(value)
    if type(value).__name__ in ("NAType", "NaTType"):
        raise _fail("missing amount", key, file, line)
    if isinstance(value, bool):
        raise _fail(f"a yes/no value is not an amount: {value!r}", key, file, line)
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _fail(f"not a finite amount: {value!r}", key, file, line)
        d = Decimal(repr(value))
    elif isinstance(value, Fraction):
        with localcontext() as ctx:
            ctx.prec = 50
            d = Decimal(value.numerator) / Decimal(value.denominator)
    elif isinstance(value, str):
        parsed = _text_number(value.strip())
        if isinstance(parsed, str):
            raise _fail(parsed, key, file, line)
        d = parsed
    else:
        raise _fail(f"not an amount: {type(value).__name__} {value!r}", key, file, line)
    if not d.is_finite():
        raise _fail(f"not a finite amount: {value!r}", key, file, line)
    if abs(d) > MAX_AMOUNT:
        rule = f"{value!r} is above the largest amount accepted, {MAX_AMOUNT:,}"
        raise _fail(rule, key, file, line)
    return d


POSITIVE_RULE = "must be greater than zero"
"""The one wording of the rule "above zero", wherever an amount must be positive."""


def read_amount(
    value: Any,
    key: str = "amount",
    *,
    negative: bool = False,
    positive: bool = False,
    file: str | None = None,
    line: int | None = None,
) -> Decimal:
    """An exact amount, any number of decimals (a computed figure: 80% of a receivable,
    a ratio). See :func:`read_money` for amounts of money as written in inputs.

    ``negative=True`` accepts any sign; ``positive=True`` refuses zero as well.

    >>> read_amount("0.8"), read_amount(1500.5), read_amount("1e-2")
    (Decimal('0.8'), Decimal('1500.5'), Decimal('0.01'))
    >>> read_amount(float("nan"), "net_income")
    Traceback (most recent call last):
    ...
    model.errors.InputError: net_income: not a finite amount: nan
    >>> read_amount(0, "conversion_price", positive=True)
    Traceback (most recent call last):
    ...
    model.errors.InputError: conversion_price: must be greater than zero (got 0)
    """
    d = _decimal(value, key, file, line)
    if d < 0 and not negative:
        raise _fail(f"must not be negative (got {value})", key, file, line)
    if positive and d <= 0:
        raise _fail(f"{POSITIVE_RULE} (got {value})", key, file, line)
    return d


def read_money(
    value: Any,
    key: str = "amount",
    *,
    negative: bool = False,
    positive: bool = False,
    file: str | None = None,
    line: int | None = None,
) -> Decimal:
    """An amount of money: exact, at most cents, written in digits.

    Text with an exponent (``"4e5"``, ``"1.23457E+11"``: how a spreadsheet shows a
    number too wide for its column) is refused: the digits it stood for are lost. A
    number that arrives as a float (a YAML ``1.0e+40``) is read as the number it is.

    Examples
    --------
    >>> read_money("29,000,000"), read_money(1500.5)
    (Decimal('29000000'), Decimal('1500.5'))
    >>> read_money("1,050,00", "principal")  # NPA Exhibit 2.2's misprint is not read as 105,000
    Traceback (most recent call last):
    ...
    model.errors.InputError: principal: not an amount: '1,050,00' (thousands separators must group digits in threes, as in 29,000,000)
    >>> read_money("1500.005", "cash")
    Traceback (most recent call last):
    ...
    model.errors.InputError: cash: an amount of money has at most two decimals, cents (got 1500.005)
    >>> read_money(-1, "cash")
    Traceback (most recent call last):
    ...
    model.errors.InputError: cash: must not be negative (got -1)
    >>> read_money("1.23457E+11", "value")
    Traceback (most recent call last):
    ...
    model.errors.InputError: value: '1.23457E+11' has an exponent: write the amount in digits (a spreadsheet shows a number too wide for its column this way, with the digits lost)
    """
    raw = _unwrap(value)
    if isinstance(raw, str) and _NUMBER.fullmatch(raw.strip()) and re.search("[eE]", raw):
        rule = (
            f"'{raw.strip()}' has an exponent: write the amount in digits (a spreadsheet shows "
            "a number too wide for its column this way, with the digits lost)"
        )
        raise _fail(rule, key, file, line)
    d = read_amount(value, key, negative=negative, positive=positive, file=file, line=line)
    if d != d.quantize(CENT):
        raise _fail(
            f"an amount of money has at most two decimals, cents (got {value})", key, file, line
        )
    return d


def read_rate(
    value: Any,
    key: str = "rate",
    *,
    low: Decimal | int = 0,
    high: Decimal | int = 1,
    inclusive: bool = False,
    file: str | None = None,
    line: int | None = None,
) -> Decimal:
    """A rate as a decimal fraction, ``low <= rate < high`` (0.08 for 8%); with
    ``inclusive=True``, ``low <= rate <= high`` (an advance rate may be 100%).

    >>> read_rate("0.0575"), read_rate(1, "advance_rate", inclusive=True)
    (Decimal('0.0575'), Decimal('1'))
    >>> read_rate(8, "coupon_rate")
    Traceback (most recent call last):
    ...
    model.errors.InputError: coupon_rate: a rate is a decimal fraction from 0 up to 1 (write 0.08 for 8%), got 8
    >>> read_rate(80, "advance_rate", inclusive=True)
    Traceback (most recent call last):
    ...
    model.errors.InputError: advance_rate: a rate is a decimal fraction from 0 to 1 (write 0.08 for 8%), got 80
    """
    d = _decimal(value, key, file, line)
    lo, hi = Decimal(low), Decimal(high)
    if not (lo <= d <= hi if inclusive else lo <= d < hi):
        span = f"from {low} to {high}" if inclusive else f"from {low} up to {high}"
        rule = f"a rate is a decimal fraction {span} (write 0.08 for 8%), got {value}"
        raise _fail(rule, key, file, line)
    return d


def _int_from_text(s: str, key: str, file: str | None, line: int | None) -> int:
    if any(ch.isdigit() and not ch.isascii() for ch in s):
        raise _fail(f"'{s}' uses digits other than 0-9", key, file, line)
    if not _INTEGER.fullmatch(s):
        raise _fail(f"not a whole number: '{s}'", key, file, line)
    digits = s.lstrip("+-")
    if len(digits) > 1 and digits.startswith("0"):
        rule = (
            f"'{s}' has a leading zero: write {int(s)} (YAML 1.1 reads 0{int(digits)} as an "
            "octal number)"
        )
        raise _fail(rule, key, file, line)
    return int(s)


def read_int(
    value: Any,
    key: str = "number",
    *,
    low: int | None = None,
    high: int | None = None,
    file: str | None = None,
    line: int | None = None,
) -> int:
    """A whole number, ``low <= n <= high`` where given.

    >>> read_int("30"), read_int(30.0)
    (30, 30)
    >>> read_int("030", "certificate_lag_days")
    Traceback (most recent call last):
    ...
    model.errors.InputError: certificate_lag_days: '030' has a leading zero: write 30 (YAML 1.1 reads 030 as an octal number)
    """
    if is_missing(value):
        raise _fail("missing whole number", key, file, line)
    value = _unwrap(value)
    if isinstance(value, bool):
        raise _fail(f"a yes/no value is not a whole number: {value!r}", key, file, line)
    if isinstance(value, int):
        n = value
    elif isinstance(value, float) and math.isfinite(value) and value == int(value):
        n = int(value)
    elif isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        n = int(value)
    elif isinstance(value, str):
        n = _int_from_text(value.strip(), key, file, line)
    else:
        raise _fail(f"not a whole number: {value!r}", key, file, line)
    if abs(n) > MAX_AMOUNT:
        raise _fail(
            f"{value!r} is above the largest number accepted, {MAX_AMOUNT:,}", key, file, line
        )
    if (low is not None and n < low) or (high is not None and n > high):
        bounds = (
            f"from {low} to {high}"
            if low is not None and high is not None
            else (f"at least {low}" if low is not None else f"at most {high}")
        )
        raise _fail(f"must be a whole number {bounds} (got {n})", key, file, line)
    return n


_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


def read_flag(
    value: Any, key: str = "flag", *, file: str | None = None, line: int | None = None
) -> bool:
    """A strict yes/no: True/False, 1/0, or the words true/false, yes/no, y/n (any case).

    Anything else, a blank included, is an error: ``bool("no")`` is True in Python, so
    flags are never coerced with ``bool()``.

    >>> read_flag("No"), read_flag(1)
    (False, True)
    >>> read_flag("", "insured")
    Traceback (most recent call last):
    ...
    model.errors.InputError: insured: not a yes/no value: ''
    """
    value = _unwrap(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        s = value.strip().lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
    raise _fail(f"not a yes/no value: {value!r}", key, file, line)


def read_name(
    value: Any, key: str = "name", *, file: str | None = None, line: int | None = None
) -> str:
    """A name or other short text: stripped, runs of white space folded to one space.

    >>> read_name("  Carrier   D ")
    'Carrier D'
    >>> read_name(" ", "customer")
    Traceback (most recent call last):
    ...
    model.errors.InputError: customer: missing name
    """
    if not isinstance(value, str):
        if is_missing(value):
            raise _fail("missing name", key, file, line)
        raise _fail(f"not text: {value!r}", key, file, line)
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in value):
        raise _fail(f"{value!r} contains control characters", key, file, line)
    text = " ".join(value.split())
    if not text:
        raise _fail("missing name", key, file, line)
    return text


def read_choice(
    value: Any,
    choices: Iterable[str],
    key: str = "choice",
    *,
    file: str | None = None,
    line: int | None = None,
) -> str:
    """One of ``choices`` (exactly, after stripping); an unknown one lists the valid ones.

    >>> read_choice("cap", ["error", "cap"], "on_excess_draw")
    'cap'
    >>> read_choice("capp", ["error", "cap"], "on_excess_draw")
    Traceback (most recent call last):
    ...
    model.errors.InputError: on_excess_draw: unknown value 'capp' (did you mean 'cap'?); valid: 'error', 'cap'
    """
    valid = list(choices)
    text = value.strip() if isinstance(value, str) else value
    if text in valid:
        return str(text)
    near = difflib.get_close_matches(str(text), valid, n=1)
    hint = f" (did you mean '{near[0]}'?)" if near else ""
    listed = ", ".join(repr(c) for c in valid)
    raise _fail(f"unknown value {text!r}{hint}; valid: {listed}", key, file, line)


def read_optional(value: Any, read: Any, key: str, default: Any = None, **rules: Any) -> Any:
    """``default`` when ``value`` is missing (``None``, ``""``, NaN: how a notebook or
    command-line parameter says "use the terms' value"), else ``read(value, key, **rules)``.

    >>> read_optional("", read_int, "certificate_lag_days", 0), read_optional("30", read_int, "days")
    (0, 30)
    >>> read_optional("abc", read_int, "certificate_lag_days", 0, low=0)
    Traceback (most recent call last):
    ...
    model.errors.InputError: certificate_lag_days: not a whole number: 'abc'
    """
    return default if is_missing(value) else read(value, key, **rules)


# --- money out -------------------------------------------------------------------------


def to_cents(amount: Any) -> Decimal:
    """Round an exact amount to the cent, half up (away from zero): the rounding of a payment.

    >>> to_cents(Fraction(130237500, 200))
    Decimal('651187.50')
    >>> to_cents(Fraction(1, 200)), to_cents(Fraction(-1, 200)), to_cents(Decimal("0.125"))
    (Decimal('0.01'), Decimal('-0.01'), Decimal('0.13'))
    """
    f = amount if isinstance(amount, Fraction) else Fraction(read_amount(amount, negative=True))
    n = abs(f) * 100
    c = math.floor(n + Fraction(1, 2))
    return (Decimal(c if f >= 0 else -c) / 100).quantize(CENT)


def format_money(amount: Any, *, symbol: str = "$", cents: bool | None = True) -> str:
    """Money as text, rounded to the cent half up: ``$1,234.50``, ``-$1,234.50``.

    ``cents=True`` always shows cents; ``None`` shows them only when there are some
    (``$20,000,000``, as the agreements write amounts); ``symbol=""`` drops the sign.
    A missing amount is ``—``.

    >>> format_money(Decimal("651187.5")), format_money(-2100000), format_money(Decimal("0.125"))
    ('$651,187.50', '-$2,100,000.00', '$0.13')
    >>> format_money(20000000, cents=None), format_money(1500.5, symbol="")
    ('$20,000,000', '1,500.50')
    """
    if is_missing(amount):
        return "—"
    d = to_cents(amount)
    body = f"{abs(d):,.0f}" if cents is None and d == d.to_integral_value() else f"{abs(d):,}"
    return f"-{symbol}{body}" if d < 0 else f"{symbol}{body}"
