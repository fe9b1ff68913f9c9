"""Notes engines: accrual to the cent, coupon schedules, interest expense, principal
events, conversion into shares, holders' shares and the fully diluted share table."""

from model.engines.notes.accrual import Conversion, FixedRateNote, accrued_interest, convert
from model.engines.notes.capital import (
    conversion_by_holder,
    fully_diluted,
    interest_by_holder,
    purchase_settlement,
    reserve_check,
)

__all__ = [
    "Conversion",
    "FixedRateNote",
    "accrued_interest",
    "convert",
    "conversion_by_holder",
    "fully_diluted",
    "interest_by_holder",
    "purchase_settlement",
    "reserve_check",
]
