"""Periods (model.dates.periods): quarter ends, month ends and measurement windows, up to the
last date a calendar date can be (9999-12-31) and from the first (0001-01-01)."""

from __future__ import annotations

import datetime as dt

import pytest

from model.dates.periods import (
    measurement_window,
    month_end,
    month_ends_between,
    next_quarter_end,
    previous_quarter_end,
    quarter_ends_between,
)
from model.errors import InputError

D = dt.date
LAST = r"is beyond the last date this model handles \(9999-12-31\)$"


def test_the_last_quarters_and_months_are_listed_without_running_past_them() -> None:
    # review 4 (another review): year 10000 is a plain ValueError from datetime
    assert quarter_ends_between("9999-01-01", "9999-12-31") == [
        D(9999, 3, 31),
        D(9999, 6, 30),
        D(9999, 9, 30),
        D(9999, 12, 31),
    ]
    assert month_ends_between("9999-11-15", "9999-12-31") == [D(9999, 11, 30), D(9999, 12, 31)]
    assert next_quarter_end(D(9999, 6, 30)) == D(9999, 9, 30)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: next_quarter_end(D(9999, 12, 31)), r"^the quarter after 9999-12-31 " + LAST),
        (lambda: month_end(10000, 1), r"^the month 10000-01 " + LAST),
        (
            lambda: previous_quarter_end(D(1, 3, 31)),
            r"^the quarter before 0001-03-31 is before the first date this model handles "
            r"\(0001-01-01\)$",
        ),
        (
            lambda: measurement_window(D(1, 6, 30), "trailing_four_quarters"),
            r"^the quarter before 0001-03-31 is before the first date",
        ),
    ],
)
def test_dates_past_the_calendar_are_input_errors(call, match) -> None:
    with pytest.raises(InputError, match=match):
        call()
