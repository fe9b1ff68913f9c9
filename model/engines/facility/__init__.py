"""Facility engines: the borrowing base and its eligibility waterfall, availability,
liquidity triggers, pricing, the daily ledger, fees and baskets, and sizing questions."""

from model.engines.facility.baskets import repurchase_basket, repurchase_basket_terms
from model.engines.facility.borrowing_base import (
    BorrowingBase,
    availability,
    borrowing_base,
    over_advance_amount,
)
from model.engines.facility.eligibility import (
    compare_with_certificate,
    eligibility_waterfall,
    invoice_aging_date,
)
from model.engines.facility.fees import (
    indebtedness_headroom,
    one_time_fees,
    termination_fee,
    termination_fee_schedule,
)
from model.engines.facility.ledger import certificate_on, facility_ledger, ledger_on
from model.engines.facility.pricing import interest_basis, interest_rates
from model.engines.facility.sizing import (
    first_shortfall_date,
    max_draw,
    receivables_needed,
    receivables_needed_schedule,
)
from model.engines.facility.summary import (
    interest_between,
    monthly_interest,
    quarter_summary,
    term_change_days,
)
from model.engines.facility.triggers import LiquidityTriggers, liquidity_triggers

__all__ = [
    "repurchase_basket",
    "repurchase_basket_terms",
    "BorrowingBase",
    "availability",
    "borrowing_base",
    "over_advance_amount",
    "compare_with_certificate",
    "eligibility_waterfall",
    "invoice_aging_date",
    "indebtedness_headroom",
    "one_time_fees",
    "termination_fee",
    "termination_fee_schedule",
    "certificate_on",
    "facility_ledger",
    "ledger_on",
    "interest_basis",
    "interest_rates",
    "first_shortfall_date",
    "max_draw",
    "receivables_needed",
    "receivables_needed_schedule",
    "interest_between",
    "monthly_interest",
    "quarter_summary",
    "term_change_days",
    "LiquidityTriggers",
    "liquidity_triggers",
]
