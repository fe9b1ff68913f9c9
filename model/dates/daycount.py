"""Day count conventions: year fractions and day counts, vectorized with numpy.

A day count convention turns an accrual period ``[start, end)`` into a year
fraction; interest = principal x rate x year fraction. Every convention is
defined on the chronologically ordered pair: ``D1`` is the earlier date and
``D2`` the later one. If ``start > end`` the result is the negative of the
fraction from ``end`` to ``start`` (so ``year_fraction(a, b) == -year_fraction(b, a)``
for every convention), and ``start == end`` gives 0.

Conventions (names as used in params files, parsed by :meth:`DayCount.parse`):

==================  ==================================================  ==========================
name                definition                                          extras
==================  ==================================================  ==========================
``30/360 US``       SIFMA "30/360" with February end-of-month rules     --
``30/360 BOND``     2006 ISDA Definitions Sec. 4.16(f) (Bond Basis)     --
``30E/360``         2006 ISDA Definitions Sec. 4.16(g) (Eurobond Basis) --
``30E/360 ISDA``    2006 ISDA Definitions Sec. 4.16(h)                  ``maturity``
``ACT/360``         2006 ISDA Definitions Sec. 4.16(e)                  --
``ACT/365F``        2006 ISDA Definitions Sec. 4.16(d)                  --
``ACT/ACT ISDA``    2006 ISDA Definitions Sec. 4.16(b)                  --
``ACT/ACT ICMA``    2006 ISDA Definitions Sec. 4.16(c), ICMA Rule 251   ``ref_start``, ``ref_end``,
                                                                        ``frequency``
==================  ==================================================  ==========================

Extras not used by a convention are ignored, so an engine may pass them uniformly.

Excel's YEARFRAC / DAYS360 basis codes
--------------------------------------
Excel is not available on this machine: nothing below was run in Excel here.
"Documented" means Microsoft's own function help; "reported" means a public
third-party reverse-engineering of Excel's algorithm, quoted with its source.

=====  ============================  ====================  =================================
basis  Excel name                    nearest name here     where Excel differs
=====  ============================  ====================  =================================
0      US (NASD) 30/360 (default)    ``30/360 US``         End of February, see (a).
1      Actual/actual                 (none)                Not ACT/ACT ISDA, see (b).
2      Actual/360                    ``ACT/360``           YEARFRAC is unsigned, see (c).
3      Actual/365                    ``ACT/365F``          YEARFRAC is unsigned, see (c).
4      European 30/360               ``30E/360``           Same rule as reported, see (d).
=====  ============================  ====================  =================================

(a) *Documented*: Microsoft's YEARFRAC help warns that "The YEARFRAC function may
    return an incorrect result when using the US (NASD) 30/360 basis, and the
    start_date is the last day in February." *Reported*: the basis-0 algorithm
    described by D. A. Wheeler on the OASIS office-formula list (June 2008), and
    confirmed there by Microsoft's Doug Mahugh (2 July 2008) to match the VBA
    sample of Excel's code, changes D2 = 31 to 30 only when D1 is 30 or 31 *before*
    the February adjustment of D1. So for a start on the last day of February and an
    end on the 31st, Excel counts one day more than SIFMA: 2007-02-28 to 2007-03-31
    is 31/360 in Excel (reported) and 30/360 here. DAYS360's *documented* US method
    ("If the starting date is the last day of a month, it becomes equal to the 30th
    day of the same month. If the ending date is the last day of a month and the
    starting date is earlier than the 30th day of a month, the ending date becomes
    equal to the 1st day of the next month; otherwise the ending date becomes equal
    to the 30th day of the same month") is a third variant; read literally it gives
    DAYS360(2007-01-15, 2007-02-28) = 46 (end becomes 1 March) where ``30/360 US``
    gives 43. Not verified here.
(b) *Reported* (OASIS office-formula list, R. Weir, 27 Sep 2010): for a span longer
    than a year basis 1 divides the actual days by the *average* length of the
    calendar years touched, e.g. YEARFRAC(2001-01-01, 2004-01-01, 1) =
    1095 / 365.25 = 2.997946612, whereas ``ACT/ACT ISDA`` splits the days by calendar
    year: 365/365 x 3 = 3.0. Within one year the two can also differ (Excel uses 366
    when the span includes 29 February). No basis code gives ACT/ACT ISDA or ICMA.
(c) *Documented*: YEARFRAC returns the fraction for the dates in either order (a
    positive number); :func:`year_fraction` is signed. DAYS360 is documented to
    return a negative number when start_date is after end_date.
(d) *Reported* (D. A. Wheeler, OASIS office list, 18 Apr 2008): Excel 2007's basis 4
    changes day 31 to 30 for both dates and never adjusts February, which is the ISDA
    4.16(g) rule used for ``30E/360`` here; e.g. YEARFRAC(1999-01-05, 2000-02-28, 4) =
    413/360 = 1.147222222 in both.

Examples
--------
>>> year_fraction("2002-09-15", "2003-01-30", "30/360 US")
0.375
>>> day_count("2002-09-15", "2003-01-30", "30/360 US")
135
>>> year_fraction_exact("2002-09-15", "2003-01-30", "30/360 US")
Fraction(3, 8)
"""

from __future__ import annotations

import datetime as dt
import functools
from enum import StrEnum
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

from model.errors import InputError
from model.values import read_date

__all__ = [
    "DayCount",
    "year_fraction",
    "year_fraction_exact",
    "day_count",
    "to_datetime64",
]

DateLike = Any
"""A date: ``datetime.date``, ISO string, ``numpy.datetime64``, ``pandas.Timestamp``,
or an array-like of these."""

_ICMA_FREQUENCIES = (1, 2, 3, 4, 6, 12)


class DayCount(StrEnum):
    """Day count conventions, by the names used in params files."""

    THIRTY_360_US = "30/360 US"
    THIRTY_360_BOND = "30/360 BOND"
    THIRTY_E_360 = "30E/360"
    THIRTY_E_360_ISDA = "30E/360 ISDA"
    ACT_360 = "ACT/360"
    ACT_365F = "ACT/365F"
    ACT_ACT_ISDA = "ACT/ACT ISDA"
    ACT_ACT_ICMA = "ACT/ACT ICMA"

    @classmethod
    def parse(cls, name: str | DayCount) -> DayCount:
        """Parse a convention name; an unknown name raises ``InputError`` listing the valid ones.

        Examples
        --------
        >>> DayCount.parse("act/360")
        <DayCount.ACT_360: 'ACT/360'>
        """
        if isinstance(name, DayCount):
            return name
        for member in cls:
            if str(name).strip().upper() == member.value:
                return member
        valid = ", ".join(repr(m.value) for m in cls)
        raise InputError(
            f"unknown day count convention {name!r}; valid names: {valid}", key="convention"
        )


# --------------------------------------------------------------------------------------
# Dates in, days out
# --------------------------------------------------------------------------------------
def to_datetime64(value: DateLike, name: str = "date") -> NDArray[np.datetime64]:
    """Convert dates to a ``datetime64[D]`` array (0-d for a scalar).

    Accepts ``datetime.date``, midnight ``datetime.datetime`` / ``pandas.Timestamp``,
    ISO ``YYYY-MM-DD`` strings, ``numpy.datetime64``, and array-likes of these (lists,
    arrays, ``pandas.Series``, ``DatetimeIndex``). Every scalar is read by
    :func:`model.values.read_date`, so a bad date gets the same message as anywhere else.

    Raises
    ------
    InputError
        A string that is not an ISO date or not a calendar date, a missing date (NaT,
        None), a number (which numpy would read as days since 1970) or another type.

    Examples
    --------
    >>> to_datetime64("2003-01-30")
    array('2003-01-30', dtype='datetime64[D]')
    >>> to_datetime64(["2003-01-30", "2003-02-30"], "end")
    Traceback (most recent call last):
    ...
    model.errors.InputError: end: '2003-02-30' is not a calendar date (February 2003 has 28 days)
    """
    if hasattr(value, "to_numpy") and not isinstance(value, (str, dt.date)):
        value = value.to_numpy()  # pandas Series / Index
    if isinstance(value, (dt.date, str)) or value is None:
        return np.asarray(np.datetime64(read_date(value, name), "D"))
    raw = np.asarray(value)
    if raw.dtype.kind == "M":
        if np.isnat(raw).any():
            raise InputError("missing date (NaT)", key=name)
        day = raw.astype("datetime64[D]")
        if (day != raw).any():
            bad = raw[day != raw].ravel()[0]
            raise InputError(f"{bad} has a time of day; give the date only", key=name)
        return day
    if raw.dtype.kind in "USO":
        flat = [np.datetime64(read_date(v, name), "D") for v in raw.ravel()]
        return np.array(flat, dtype="datetime64[D]").reshape(raw.shape)
    if raw.size:
        read_date(raw.ravel()[0].item(), name)  # a number: the reader's message
    raise InputError(f"expected dates, got an empty {raw.dtype} array", key=name)


def _ymd_civil(d: NDArray[np.datetime64]) -> tuple[NDArray[np.int64], ...]:
    """Year, month (1-12) and day (1-31) by the integer civil-from-days conversion
    (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"); any date."""
    z = d.astype(np.int64) + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1_460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year, month, day


_LUT_FIRST = np.datetime64("1900-01-01", "D")
_LUT_DAYS = int((np.datetime64("2200-01-01", "D") - _LUT_FIRST).astype(np.int64))


@functools.cache
def _ymd_table() -> tuple[NDArray[np.int64], ...]:
    """Year, month and day of every date from 1900 to 2199, built once (2.6 MB)."""
    return _ymd_civil(_LUT_FIRST + np.arange(_LUT_DAYS).astype("timedelta64[D]"))


def _ymd(d: NDArray[np.datetime64]) -> tuple[NDArray[np.int64], ...]:
    """Year, month (1-12) and day (1-31) arrays of a ``datetime64[D]`` array.

    Dates from 1900 to 2199 are looked up in a table (several times faster than
    computing them); others are computed by :func:`_ymd_civil`.
    """
    i = (d - _LUT_FIRST).astype(np.int64)
    if i.size and 0 <= i.min() and i.max() < _LUT_DAYS:
        y, m, dd = _ymd_table()
        return y[i], m[i], dd[i]
    return _ymd_civil(d)


_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _days_in_month(y: NDArray[np.int64], m: NDArray[np.int64]) -> NDArray[np.int64]:
    return _MONTH_DAYS[m] + ((m == 2) & _is_leap(y))


def _is_last_of_month(d: NDArray[np.datetime64]) -> NDArray[np.bool_]:
    return (d + np.timedelta64(1, "D")).astype("datetime64[M]") != d.astype("datetime64[M]")


def _is_leap(y: NDArray[np.int64]) -> NDArray[np.bool_]:
    return (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))


def _add_months(d: NDArray[np.datetime64], n: Any, eom: Any = False) -> NDArray[np.datetime64]:
    """``d`` plus ``n`` calendar months, day clamped to the month's length.

    Where ``eom`` is true and ``d`` is the last day of its month, the result is the
    last day of the target month (the end-of-month rule).
    """
    months = d.astype("datetime64[M]")
    day = (d - months).astype(np.int64)
    target = months + np.asarray(n, dtype=np.int64).astype("timedelta64[M]")
    length = (
        (target + np.timedelta64(1, "M")).astype("datetime64[D]") - target.astype("datetime64[D]")
    ).astype(np.int64)
    day = np.minimum(day, length - 1)
    day = np.where(np.asarray(eom) & _is_last_of_month(d), length - 1, day)
    return target.astype("datetime64[D]") + day.astype("timedelta64[D]")


# --------------------------------------------------------------------------------------
# Conventions as sums of exact terms  num / den
# --------------------------------------------------------------------------------------
Terms = list[tuple[NDArray[np.int64], Any]]


def _thirty_360_days(
    conv: DayCount, d1: NDArray[np.datetime64], d2: NDArray[np.datetime64], maturity: Any
) -> NDArray[np.int64]:
    """30/360 numerator for ordered pairs ``d1 <= d2``."""
    y1, m1, dd1 = _ymd(d1)
    y2, m2, dd2 = _ymd(d2)
    if conv is DayCount.THIRTY_360_US:
        feb1 = (m1 == 2) & (dd1 == 28 + _is_leap(y1))
        feb2 = (m2 == 2) & (dd2 == 28 + _is_leap(y2))
        dd2 = np.where(feb1 & feb2, 30, dd2)
        dd1 = np.where(feb1, 30, dd1)
        dd2 = np.where((dd2 == 31) & (dd1 >= 30), 30, dd2)
        dd1 = np.where(dd1 == 31, 30, dd1)
    elif conv is DayCount.THIRTY_360_BOND:
        dd1 = np.where(dd1 == 31, 30, dd1)
        dd2 = np.where((dd2 == 31) & (dd1 == 30), 30, dd2)
    elif conv is DayCount.THIRTY_E_360:
        dd1 = np.where(dd1 == 31, 30, dd1)
        dd2 = np.where(dd2 == 31, 30, dd2)
    elif conv is DayCount.THIRTY_E_360_ISDA:
        dd1 = np.where(dd1 == _days_in_month(y1, m1), 30, dd1)
        feb2_maturity = (m2 == 2) & (d2 == maturity)
        dd2 = np.where((dd2 == _days_in_month(y2, m2)) & ~feb2_maturity, 30, dd2)
    else:  # pragma: no cover - guarded by callers
        raise AssertionError(conv)
    days = 360 * (y2 - y1) + 30 * (m2 - m1) + (dd2 - dd1)
    # A period of no days accrues nothing: the 30E/360 ISDA rules read literally would give
    # -2 for start == end == a February maturity (D1 -> 30, D2 kept at 28).
    return np.where(d1 == d2, 0, days)


def _is_thirty(conv: DayCount) -> bool:
    return conv in (
        DayCount.THIRTY_360_US,
        DayCount.THIRTY_360_BOND,
        DayCount.THIRTY_E_360,
        DayCount.THIRTY_E_360_ISDA,
    )


def _actual(d1: NDArray[np.datetime64], d2: NDArray[np.datetime64]) -> NDArray[np.int64]:
    return (d2 - d1).astype(np.int64)


def _jan1(year: NDArray[np.int64]) -> NDArray[np.datetime64]:
    """1 January of ``year`` as ``datetime64[D]`` (days-from-civil for month 1, day 1)."""
    y = year - 1
    era = y // 400
    yoe = y - era * 400
    doe = 365 * yoe + yoe // 4 - yoe // 100 + 306
    return (era * 146_097 + doe - 719_468).astype("datetime64[D]")


@functools.cache
def _year_table() -> tuple[NDArray[np.int64], ...]:
    """For every date from 1900 to 2199: its year, the days in that year, the days from
    the date to the next 1 January and from the last 1 January to the date."""
    d = _LUT_FIRST + np.arange(_LUT_DAYS).astype("timedelta64[D]")
    year = _ymd_table()[0]
    return (year, 365 + _is_leap(year), _actual(d, _jan1(year + 1)), _actual(_jan1(year), d))


def _act_act_isda_terms(d1: NDArray[np.datetime64], d2: NDArray[np.datetime64]) -> Terms:
    i1 = (d1 - _LUT_FIRST).astype(np.int64)
    i2 = (d2 - _LUT_FIRST).astype(np.int64)
    if i1.size and 0 <= i1.min() and i2.max() < _LUT_DAYS:  # d1 <= d2: both in the table
        year, dib, to_next, since = _year_table()
        yr1, yr2, dib1, dib2 = year[i1], year[i2], dib[i1], dib[i2]
        first, last = to_next[i1], since[i2]
    else:
        yr1 = _ymd(d1)[0]
        yr2 = _ymd(d2)[0]
        dib1 = 365 + _is_leap(yr1)
        dib2 = 365 + _is_leap(yr2)
        first = _actual(d1, _jan1(yr1 + 1))
        last = _actual(_jan1(yr2), d2)
    whole = yr2 - yr1 - 1
    same = d1 == d2  # equal dates: all terms zero (the formula would give -1 + 1)
    if same.any():
        whole, first, last = (np.where(same, 0, x) for x in (whole, first, last))
    return [(whole, 1), (first, dib1), (last, dib2)]


def _icma_terms(
    d1: NDArray[np.datetime64],
    d2: NDArray[np.datetime64],
    ref_start: NDArray[np.datetime64],
    ref_end: NDArray[np.datetime64],
    frequency: int,
) -> Terms:
    """ICMA terms for ordered pairs: first partial, whole, and last partial notional periods.

    Notional period ``k`` runs from ``N(k)`` to ``N(k+1)``, with ``N(0) = ref_start``,
    ``N(1) = ref_end``, ``N(-j) = ref_start - j*12/frequency months`` and
    ``N(1+j) = ref_end + j*12/frequency months`` (end-of-month rule when both
    reference dates are month ends on different days of the month). Each notional
    period ``k`` contributes ``days in it / (frequency * its length)``; a whole one
    contributes ``1/frequency``.
    """
    months = 12 // frequency
    # End-of-month bond: both reference dates are month ends on different days of the
    # month (e.g. 31 August / 28 February), which only the end-of-month rule explains.
    eom = (
        _is_last_of_month(ref_start)
        & _is_last_of_month(ref_end)
        & (_ymd(ref_start)[2] != _ymd(ref_end)[2])
    )

    def node(k: NDArray[np.int64]) -> NDArray[np.datetime64]:
        back = _add_months(ref_start, np.minimum(k, 0) * months, eom)
        fwd = _add_months(ref_end, np.maximum(k - 1, 0) * months, eom)
        return np.where(k <= 0, back, fwd)

    def locate(d: NDArray[np.datetime64], right: bool) -> NDArray[np.int64]:
        """k with N(k) <= d < N(k+1) (``right``: N(k) < d <= N(k+1))."""
        approx = 365.25 * months / 12.0
        k = np.floor((d - ref_start).astype(np.int64) / approx).astype(np.int64)
        for _ in range(64):
            lo, hi = node(k), node(k + 1)
            too_high = (lo >= d) if right else (lo > d)
            too_low = (hi < d) if right else (hi <= d)
            if not (too_high.any() or too_low.any()):
                return k
            k = k - too_high + too_low
        raise AssertionError("notional period search did not converge")  # pragma: no cover

    nonzero = d1 != d2
    k1 = locate(d1, right=False)
    k2 = np.where(nonzero, locate(d2, right=True), k1)
    n1, n1_next = node(k1), node(k1 + 1)
    n2, n2_next = node(k2), node(k2 + 1)
    same = k1 == k2
    first_days = np.where(same, _actual(d1, d2), _actual(d1, n1_next))
    last_days = np.where(same, 0, _actual(n2, d2))
    whole = np.where(same, 0, k2 - k1 - 1)
    return [
        (first_days, frequency * _actual(n1, n1_next)),
        (whole, frequency),
        (last_days, frequency * _actual(n2, n2_next)),
    ]


def _validate_icma(
    ref_start: Any, ref_end: Any, frequency: Any
) -> tuple[NDArray[np.datetime64], NDArray[np.datetime64], int]:
    missing = [
        n
        for n, v in (("ref_start", ref_start), ("ref_end", ref_end), ("frequency", frequency))
        if v is None
    ]
    if missing:
        raise InputError(
            "ACT/ACT ICMA needs the reference (regular coupon) period and the coupon "
            f"frequency: missing {', '.join(missing)}"
        )
    if (
        isinstance(frequency, bool)
        or not isinstance(frequency, int | float)
        or int(frequency) != frequency
        or (int(frequency) not in _ICMA_FREQUENCIES)
    ):
        raise InputError(
            f"ACT/ACT ICMA frequency must be one of {_ICMA_FREQUENCIES} coupons a year, "
            f"got {frequency!r}"
        )
    f = int(frequency)
    rs = to_datetime64(ref_start, "ref_start")
    re_ = to_datetime64(ref_end, "ref_end")
    length = _actual(rs, re_)
    if (length <= 0).any():
        raise InputError("ACT/ACT ICMA reference period must have ref_start < ref_end")
    months = np.floor(12.0 * length / 365.0 + 0.5)
    if (months != 12 // f).any():
        raise InputError(
            f"ACT/ACT ICMA reference period of {length.ravel()[0]} days is not a regular "
            f"coupon period for frequency {f} ({12 // f} months)"
        )
    return rs, re_, f


def _broadcast(
    s: NDArray[np.datetime64], e: NDArray[np.datetime64]
) -> tuple[NDArray[np.datetime64], NDArray[np.datetime64]]:
    """``start`` and ``end`` broadcast against each other; different lengths are an error."""
    try:
        a, b = np.broadcast_arrays(s, e)
    except ValueError:
        raise InputError(
            f"start and end must have the same length (or one be a single date): got "
            f"shapes {s.shape} and {e.shape}",
            key="start, end",
        ) from None
    return a, b


def _terms(
    start: DateLike,
    end: DateLike,
    convention: str | DayCount,
    maturity: DateLike | None,
    ref_start: DateLike | None,
    ref_end: DateLike | None,
    frequency: int | None,
) -> tuple[Terms, NDArray[np.int64], bool]:
    """Exact terms of the fraction for ordered pairs, the sign, and whether inputs were scalar."""
    conv = DayCount.parse(convention)
    s = to_datetime64(start, "start")
    e = to_datetime64(end, "end")
    scalar = s.ndim == 0 and e.ndim == 0
    s, e = _broadcast(s, e)
    sign = np.where(s > e, -1, 1)
    d1 = np.minimum(s, e)
    d2 = np.maximum(s, e)
    if _is_thirty(conv):
        mat: Any = None
        if conv is DayCount.THIRTY_E_360_ISDA:
            if maturity is None:
                raise InputError(
                    "30E/360 ISDA needs maturity= (the Termination Date, ISDA 2006 "
                    "Sec. 4.16(h)): D2 on the last day of February is kept when it is the "
                    "maturity date"
                )
            mat = to_datetime64(maturity, "maturity")
        terms: Terms = [(_thirty_360_days(conv, d1, d2, mat), 360)]
    elif conv is DayCount.ACT_360:
        terms = [(_actual(d1, d2), 360)]
    elif conv is DayCount.ACT_365F:
        terms = [(_actual(d1, d2), 365)]
    elif conv is DayCount.ACT_ACT_ISDA:
        terms = _act_act_isda_terms(d1, d2)
    else:
        rs, re_, f = _validate_icma(ref_start, ref_end, frequency)
        scalar = scalar and rs.ndim == 0 and re_.ndim == 0
        d1, d2, rs, re_ = np.broadcast_arrays(d1, d2, rs, re_)
        sign = np.broadcast_to(sign, d1.shape)
        terms = _icma_terms(d1, d2, rs, re_, f)
    return terms, sign, scalar


# --------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------
def year_fraction(
    start: DateLike,
    end: DateLike,
    convention: str | DayCount,
    *,
    maturity: DateLike | None = None,
    ref_start: DateLike | None = None,
    ref_end: DateLike | None = None,
    frequency: int | None = None,
) -> Any:
    r"""Year fraction from ``start`` to ``end`` under a day count convention.

    Parameters
    ----------
    start, end : date-like or array-like of date-likes
        Accrual period; broadcast against each other (a scalar ``start`` with an
        array ``end`` works). ``start > end`` gives a negative fraction equal to
        ``-year_fraction(end, start, ...)``; ``start == end`` gives 0.
    convention : str or DayCount
        One of the names in :class:`DayCount` (unknown names raise ``InputError``).
    maturity : date-like, optional
        Termination date; required by ``30E/360 ISDA``.
    ref_start, ref_end : date-like, optional
        A regular coupon (reference) period; required by ``ACT/ACT ICMA``.
    frequency : int, optional
        Coupons per year (1, 2, 3, 4, 6 or 12); required by ``ACT/ACT ICMA``.

    Returns
    -------
    float or numpy.ndarray
        Python ``float`` for scalar inputs, a float array otherwise.

    Notes
    -----
    With ``D1 <= D2`` the ordered dates (day-of-month ``d``, month ``m``, year ``y``):

    **30/360 family** -- :math:`\frac{360(y_2-y_1) + 30(m_2-m_1) + (d_2-d_1)}{360}`
    after adjusting ``d1``, ``d2``:

    * ``30/360 US`` (SIFMA, *Standard Securities Calculation Methods*; the
      February rules also given in OpenGamma, *Interest Rate Instruments and Market
      Conventions Guide*, 30/360 US), in this order: if D1 is the last day of
      February and D2 is the last day of February, ``d2 = 30``; if D1 is the last
      day of February, ``d1 = 30``; if ``d2 = 31`` and ``d1 >= 30``, ``d2 = 30``; if
      ``d1 = 31``, ``d1 = 30``. The February rules are applied to every pair (some
      descriptions apply them only to end-of-month securities).
    * ``30/360 BOND`` (2006 ISDA Definitions 4.16(f), "30/360", "360/360", "Bond
      Basis"): if ``d1 = 31``, ``d1 = 30``; if ``d2 = 31`` and ``d1 > 29``, ``d2 = 30``.
    * ``30E/360`` (ISDA 4.16(g), "Eurobond Basis"): 31 becomes 30 for both dates;
      February is never adjusted.
    * ``30E/360 ISDA`` (ISDA 4.16(h)): ``d1 = 30`` if D1 is the last day of its
      month; ``d2 = 30`` if D2 is the last day of its month, unless D2 is the last
      day of February and the Termination Date (``maturity``).

    **Actual conventions** (``A`` = actual days D2 - D1):

    * ``ACT/360`` (ISDA 4.16(e)): :math:`A/360`.
    * ``ACT/365F`` (ISDA 4.16(d)): :math:`A/365`.
    * ``ACT/ACT ISDA`` (ISDA 4.16(b)): :math:`A_{\text{non-leap}}/365 + A_{\text{leap}}/366`,
      the days falling in non-leap and leap calendar years.
    * ``ACT/ACT ICMA`` (ISDA 4.16(c); ICMA Rule 251): for a period inside the
      reference period, :math:`A / (F \cdot R)` with ``F`` = ``frequency`` and ``R``
      = actual days of the reference period. Stubs: the reference period is extended
      into notional periods of ``12/F`` months, backward from ``ref_start`` and
      forward from ``ref_end``, with the day of month clamped to the month's length
      (month ends kept when the reference dates are month ends on different days, e.g.
      31 August and 28 February: an end-of-month bond; two month ends on the same day,
      e.g. 28 February to 28 February or 30 June to 30 September, are read as a
      fixed day of month); the fraction is the sum over notional periods ``i`` of
      :math:`A_i / (F \cdot R_i)` where ``A_i`` are the accrual days falling in notional
      period ``i`` (Rule 251 for long and short first/last periods). Pass the regular
      coupon period adjacent to (or containing) the stub. A short stub is a period
      inside one notional period, so its fraction is below ``1/F``.

    Examples
    --------
    Seed letter of 2003-02-05: $30,200,000 of 5 3/4% notes, last coupon 2002-09-15,
    exchanged 2003-01-30:

    >>> year_fraction("2002-09-15", "2003-01-30", "30/360 US")
    0.375
    >>> round(30_200_000 * 0.0575 * year_fraction("2002-09-15", "2003-01-30", "30/360 US"), 2)
    651187.5
    >>> year_fraction("2003-01-30", "2002-09-15", "30/360 US")
    -0.375
    >>> year_fraction("2003-11-01", "2004-05-01", "ACT/ACT ISDA")  # doctest: +NUMBER
    0.497724380567
    >>> year_fraction("2003-11-01", ["2004-05-01", "2003-11-01"], "ACT/360")
    array([0.50555556, 0.        ])
    >>> year_fraction("1999-02-01", "1999-07-01", "ACT/ACT ICMA",  # doctest: +NUMBER
    ...               ref_start="1998-07-01", ref_end="1999-07-01", frequency=1)
    0.410958904110
    """
    terms, sign, scalar = _terms(start, end, convention, maturity, ref_start, ref_end, frequency)
    total: Any = 0.0
    for num, den in terms:
        total = total + num / np.asarray(den, dtype=np.float64)
    result = sign * np.asarray(total, dtype=np.float64) + 0.0  # +0.0 turns -0.0 into 0.0
    return float(result) if scalar else result


def year_fraction_exact(
    start: DateLike,
    end: DateLike,
    convention: str | DayCount,
    *,
    maturity: DateLike | None = None,
    ref_start: DateLike | None = None,
    ref_end: DateLike | None = None,
    frequency: int | None = None,
) -> Any:
    """Exact year fraction as a :class:`fractions.Fraction` (same rules as :func:`year_fraction`).

    For money that must be right to the cent: interest = principal x rate x fraction
    with no binary rounding. Arrays give an object array of ``Fraction``.

    Examples
    --------
    >>> year_fraction_exact("2002-09-15", "2003-01-30", "30/360 US")
    Fraction(3, 8)
    >>> year_fraction_exact("2003-11-01", "2004-05-01", "ACT/ACT ISDA")
    Fraction(66491, 133590)
    >>> from decimal import Decimal
    >>> f = year_fraction_exact("2002-09-15", "2003-01-30", "30/360 US")
    >>> Decimal(30_200_000) * Decimal("0.0575") * f.numerator / f.denominator
    Decimal('651187.5000')
    """
    terms, sign, scalar = _terms(start, end, convention, maturity, ref_start, ref_end, frequency)
    shape = np.broadcast(*[np.asarray(n) for n, _ in terms], sign).shape
    nums = [np.broadcast_to(n, shape).ravel() for n, _ in terms]
    dens = [np.broadcast_to(np.asarray(d), shape).ravel() for _, d in terms]
    signs = np.broadcast_to(sign, shape).ravel()
    out = np.empty(len(signs), dtype=object)
    for i in range(len(signs)):
        total = Fraction(0)
        for num, den in zip(nums, dens, strict=True):
            if num[i]:
                total += Fraction(int(num[i]), int(den[i]))
        out[i] = int(signs[i]) * total
    return out[0] if scalar else out.reshape(shape)


def day_count(
    start: DateLike,
    end: DateLike,
    convention: str | DayCount,
    *,
    maturity: DateLike | None = None,
) -> Any:
    """Days in the period under the convention's day-count rule (the fraction's numerator).

    30/360 conventions give the adjusted 30-day-month count; the ACT conventions give
    actual calendar days. Signed like :func:`year_fraction`. ``int`` for scalar
    inputs, an ``int64`` array otherwise.

    Examples
    --------
    >>> day_count("2002-09-15", "2003-01-30", "30/360 US")
    135
    >>> day_count("2002-09-15", "2003-01-30", "ACT/365F")
    137
    >>> day_count("2007-02-28", "2007-03-31", "30E/360")
    32
    """
    conv = DayCount.parse(convention)
    s = to_datetime64(start, "start")
    e = to_datetime64(end, "end")
    scalar = s.ndim == 0 and e.ndim == 0
    s, e = _broadcast(s, e)
    d1, d2 = np.minimum(s, e), np.maximum(s, e)
    sign = np.where(s > e, -1, 1)
    if _is_thirty(conv):
        mat: Any = None
        if conv is DayCount.THIRTY_E_360_ISDA:
            if maturity is None:
                raise InputError("30E/360 ISDA needs maturity= (ISDA 2006 Sec. 4.16(h))")
            mat = to_datetime64(maturity, "maturity")
        days = _thirty_360_days(conv, d1, d2, mat)
    else:
        days = _actual(d1, d2)
    result = sign * days
    return int(result) if scalar else result
