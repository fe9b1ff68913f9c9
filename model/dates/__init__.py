"""The dates layer: day counts, business-day calendars, coupon schedules and periods.

Nothing here knows about deals: these are the conventions the documents refer to
(2006 ISDA Definitions, ICMA Rule 251, the New York banking calendar) and the fiscal
periods covenants are measured over. It imports nothing from the layers above
(terms, engines, reports, run).
"""

from model.dates.calendar import BusinessCalendar, Roll, new_york_banking_calendar
from model.dates.daycount import (
    DayCount,
    day_count,
    to_datetime64,
    year_fraction,
    year_fraction_exact,
)
from model.dates.periods import (
    MEASUREMENT_PERIODS,
    is_month_end,
    is_quarter_end,
    measurement_window,
    month_end,
    month_ends_between,
    next_quarter_end,
    previous_quarter_end,
    quarter_ends_between,
    quarter_start,
    read_quarter_end,
)
from model.dates.schedule import add_months, adjust_dates, generate_schedule

__all__ = [
    "BusinessCalendar",
    "Roll",
    "new_york_banking_calendar",
    "DayCount",
    "day_count",
    "to_datetime64",
    "year_fraction",
    "year_fraction_exact",
    "MEASUREMENT_PERIODS",
    "is_month_end",
    "is_quarter_end",
    "measurement_window",
    "month_end",
    "month_ends_between",
    "next_quarter_end",
    "previous_quarter_end",
    "quarter_ends_between",
    "quarter_start",
    "read_quarter_end",
    "add_months",
    "adjust_dates",
    "generate_schedule",
]
