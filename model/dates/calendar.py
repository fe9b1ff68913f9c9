"""Business-day calendars and date rolling.

The notes define a Business Day as (Note Purchase Agreement of 2004-06-18, Sec. 1,
"Business Day"): "each Monday, Tuesday, Wednesday, Thursday and Friday which is not
a day on which the banking institutions in The City of New York ... are authorized
or obligated by law or executive order to close".

Holiday rules are not written here: they come from the maintained ``holidays``
package, ``holidays.financial_holidays("USNY")`` (the Federal Reserve / New York
banking calendar: New Year's Day, Martin Luther King Jr. Day, Washington's
Birthday, Memorial Day, Juneteenth from 2022, Independence Day, Labor Day, Columbus
Day, Veterans Day, Thanksgiving, Christmas; a holiday on Sunday is observed on
Monday, one on Saturday is not moved). The package defines this calendar from
1999 to 2100; its rules are applied unchanged back to 1990 (checked day by day
against QuantLib's Federal Reserve calendar in the tests). Dates outside 1990-2100
raise ``InputError`` rather than being treated as holiday-free. Closures by
executive order (for example a national day of mourning) are not predictable; add
them as data with ``extra_closures``.

Examples
--------
>>> cal = new_york_banking_calendar()
>>> cal.is_business_day("2004-07-05")   # Independence Day observed (4 July was a Sunday)
False
>>> cal.adjust("2004-07-04", "following")
datetime.date(2004, 7, 6)
>>> cal.add_business_days("2004-07-02", 1)
datetime.date(2004, 7, 6)
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any, Literal

import holidays
import numpy as np
from numpy.typing import NDArray

from model.dates.daycount import to_datetime64
from model.errors import InputError
from model.values import read_int

__all__ = ["Roll", "BusinessCalendar", "new_york_banking_calendar"]

_WEEKMASK = "1111100"  # Monday to Friday


class Roll(StrEnum):
    """Business-day conventions for a date that falls on a non-business day.

    * ``following``: the next business day.
    * ``modified following``: the next business day unless it is in the next
      calendar month, then the preceding business day.
    * ``preceding``: the previous business day.
    * ``modified preceding``: the previous business day unless it is in the previous
      calendar month, then the following business day.
    * ``unadjusted``: the date itself.

    (2006 ISDA Definitions, Sec. 4.12.)
    """

    FOLLOWING = "following"
    MODIFIED_FOLLOWING = "modified following"
    PRECEDING = "preceding"
    MODIFIED_PRECEDING = "modified preceding"
    UNADJUSTED = "unadjusted"

    @classmethod
    def parse(cls, name: str | Roll) -> Roll:
        """Parse a roll name (case, ``_`` and ``-`` are ignored); unknown names list the valid ones.

        Examples
        --------
        >>> Roll.parse("Modified_Following")
        <Roll.MODIFIED_FOLLOWING: 'modified following'>
        """
        if isinstance(name, Roll):
            return name
        key = " ".join(str(name).lower().replace("_", " ").replace("-", " ").split())
        for member in cls:
            if key == member.value:
                return member
        valid = ", ".join(repr(m.value) for m in cls)
        raise InputError(f"unknown business-day roll {name!r}; valid names: {valid}")


_NumpyRoll = Literal["forward", "modifiedfollowing", "backward", "modifiedpreceding"]

_NUMPY_ROLL: dict[Roll, _NumpyRoll] = {
    Roll.FOLLOWING: "forward",
    Roll.MODIFIED_FOLLOWING: "modifiedfollowing",
    Roll.PRECEDING: "backward",
    Roll.MODIFIED_PRECEDING: "modifiedpreceding",
}


# The holidays package starts its USNY (Federal Reserve) class in 1999. Its rules are
# applied unchanged back to 1990 (no rule is written here); tests check 1990-2060
# day by day against QuantLib's UnitedStates(FederalReserve) calendar.
_EARLIER_START = {"USNY": 1990}


@lru_cache(maxsize=16)
def _calendar_class(code: str) -> type[holidays.HolidayBase]:
    try:
        cls = type(holidays.financial_holidays(code))
    except NotImplementedError:
        known = list(holidays.list_supported_financial())
        near = difflib.get_close_matches(str(code), known, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise InputError(
            f"unknown business-day calendar {code!r}{hint}; a calendar is named by its "
            "financial market code, e.g. 'USNY' (Federal Reserve / New York banking days), "
            f"'XNYS' (New York Stock Exchange), 'XECB' (TARGET); all codes: {', '.join(known)}"
        ) from None
    if code in _EARLIER_START and _EARLIER_START[code] < cls.start_year:
        cls = type(
            f"{cls.__name__}From{_EARLIER_START[code]}",
            (cls,),
            {"start_year": _EARLIER_START[code]},
        )
    return cls


def _supported_years(code: str) -> tuple[int, int]:
    """First and last year of the calendar for ``code``."""
    cls = _calendar_class(code)
    return int(cls.start_year), int(cls.end_year)


@lru_cache(maxsize=64)
def _holiday_dates(code: str, first_year: int, last_year: int) -> tuple[dt.date, ...]:
    """Closures of the ``holidays`` calendar for ``code`` in the years given (clipped to
    the years it covers)."""
    lo, hi = _supported_years(code)
    years = range(max(first_year, lo), min(last_year, hi) + 1)
    return tuple(sorted(_calendar_class(code)(years=years).keys()))


@dataclass(frozen=True)
class BusinessCalendar:
    """A business-day calendar: weekdays that are not holidays or extra closures.

    Parameters
    ----------
    code : str
        Financial market code of ``holidays.financial_holidays``; ``"USNY"`` is the
        Federal Reserve / New York banking calendar.
    extra_closures : tuple of datetime.date
        Further closing days (e.g. executive-order closures), as data. Strings and
        other date-likes are converted to ``datetime.date``.

    Notes
    -----
    Business day (Note Purchase Agreement, 2004-06-18, Sec. 1): Monday to Friday
    and not a day on which New York banks are authorized or obligated to close.

    Examples
    --------
    >>> cal = BusinessCalendar(extra_closures=("2004-06-11",))
    >>> cal.is_business_day("2004-06-11")
    False
    >>> cal.is_business_day(["2004-06-10", "2004-06-11", "2004-06-12"])
    array([ True, False, False])
    """

    code: str = "USNY"
    extra_closures: tuple[dt.date, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.extra_closures, (str, dt.date)):
            raise InputError("must be a sequence of dates, not a single date", key="extra_closures")
        closures = list(self.extra_closures)
        if closures:
            days = to_datetime64(closures, "extra_closures").astype(object).ravel()
            closures = sorted(set(days))
        object.__setattr__(self, "extra_closures", tuple(closures))
        _supported_years(self.code)  # fail fast on an unknown code

    def _check_range(self, d: NDArray[np.datetime64]) -> None:
        """Dates outside the years the holidays package covers would silently have no
        holidays: refuse them."""
        lo, hi = _supported_years(self.code)
        years = d.astype("datetime64[Y]").astype(np.int64) + 1970
        if d.size and (years.min() < lo or years.max() > hi):
            bad = d[(years < lo) | (years > hi)][0]
            raise InputError(
                f"date {bad} is outside the years {lo}-{hi} for which the {self.code!r} "
                "business-day calendar knows the holidays; a date outside them cannot be "
                "adjusted to a business day"
            )

    # -- helpers ------------------------------------------------------------------
    def _holidays(
        self,
        lo: np.datetime64 | NDArray[np.datetime64],
        hi: np.datetime64 | NDArray[np.datetime64],
    ) -> NDArray[np.datetime64]:
        y0 = int(str(lo.astype("datetime64[Y]"))) - 1
        y1 = int(str(hi.astype("datetime64[Y]"))) + 1
        days = list(_holiday_dates(self.code, y0, y1)) + list(self.extra_closures)
        return np.array(days, dtype="datetime64[D]")

    def _busdaycal(self, d: NDArray[np.datetime64], pad_days: int = 0) -> np.busdaycalendar:
        pad = np.timedelta64(pad_days * 2 + 370, "D")
        return np.busdaycalendar(
            weekmask=_WEEKMASK, holidays=self._holidays(d.min() - pad, d.max() + pad)
        )

    # -- public API ---------------------------------------------------------------
    def holidays_between(self, start: Any, end: Any) -> list[dt.date]:
        """Weekday closures (holidays and extra closures) in ``[start, end]``.

        Examples
        --------
        >>> new_york_banking_calendar().holidays_between("2004-07-01", "2004-07-10")
        [datetime.date(2004, 7, 5)]
        """
        lo, hi = to_datetime64(start, "start"), to_datetime64(end, "end")
        self._check_range(np.array([lo, hi]))
        h = self._holidays(lo, hi)
        h = h[(h >= lo) & (h <= hi) & np.is_busday(h, weekmask=_WEEKMASK)]
        return [d.item() for d in np.unique(h)]

    def is_business_day(self, d: Any) -> Any:
        """Whether ``d`` is a business day; ``bool`` for a scalar, a bool array for arrays."""
        days = to_datetime64(d, "date")
        flat = np.atleast_1d(days)
        self._check_range(flat)
        out = np.is_busday(flat, busdaycal=self._busdaycal(flat))
        return bool(out[0]) if days.ndim == 0 else out.reshape(days.shape)

    def adjust(self, d: Any, roll: str | Roll = Roll.FOLLOWING) -> Any:
        """Roll ``d`` to a business day by ``roll`` (see :class:`Roll`).

        Returns ``datetime.date`` for a scalar, a ``datetime64[D]`` array for arrays.

        Examples
        --------
        >>> cal = new_york_banking_calendar()
        >>> cal.adjust("2005-04-30", "modified following")  # Saturday, month end
        datetime.date(2005, 4, 29)
        """
        r = Roll.parse(roll)
        days = to_datetime64(d, "date")
        flat = np.atleast_1d(days)
        self._check_range(flat)
        if r is Roll.UNADJUSTED:
            out = flat
        else:
            out = np.busday_offset(flat, 0, roll=_NUMPY_ROLL[r], busdaycal=self._busdaycal(flat))
        return out[0].item() if days.ndim == 0 else out.reshape(days.shape)

    def add_business_days(self, d: Any, n: int) -> Any:
        """The ``n``-th business day after ``d`` (before it if ``n < 0``; ``d`` if ``n == 0``).

        Counting starts from ``d`` whether or not ``d`` is a business day, so from a
        Saturday, ``n = 1`` is the Monday (if a business day) and ``n = -1`` the Friday.

        Examples
        --------
        >>> new_york_banking_calendar().add_business_days("2004-07-03", -1)
        datetime.date(2004, 7, 2)
        """
        n = read_int(n, "n")
        days = to_datetime64(d, "date")
        flat = np.atleast_1d(days)
        self._check_range(flat)
        if n == 0:
            out = flat
        else:
            roll: _NumpyRoll = "backward" if n > 0 else "forward"
            cal = self._busdaycal(flat, pad_days=abs(n))
            out = np.busday_offset(flat, n, roll=roll, busdaycal=cal)
        return out[0].item() if days.ndim == 0 else out.reshape(days.shape)


def new_york_banking_calendar(extra_closures: Any = ()) -> BusinessCalendar:
    """New York banking days (Note Purchase Agreement, 2004-06-18, Sec. 1, "Business Day").

    Examples
    --------
    >>> new_york_banking_calendar().is_business_day("2004-12-24")  # Christmas on Saturday
    True
    """
    return BusinessCalendar(code="USNY", extra_closures=tuple(extra_closures))
