"""What a projection computes, by name: the quantities a deal's line items are read from
(``projection`` of its compliance file, :class:`model.terms.compliance.ProjectedItem`).

Flows are the quarter's; balances are at the quarter end. Every amount is in dollars.
"""

from __future__ import annotations

__all__ = ["QUANTITIES", "FLOWS", "BALANCES", "INTEREST_EXPENSE", "NET_INCOME_LESS"]

INTEREST_EXPENSE: tuple[str, ...] = ("revolver_interest", "facility_fees", "other_debt_interest")
"""The projected quantities that add up to ``interest_expense``."""

NET_INCOME_LESS: tuple[str, ...] = (
    "one_time_costs",
    "depreciation",
    "amortization",
    "non_cash_items",
    "interest_expense",
    "income_tax_expense",
)
"""What the projection deducts from ``ebitda`` to give ``net_income``: a deal's covenant
EBITDA adds these back (its compliance file names the line item each one is)."""

FLOWS: dict[str, str] = {
    "revenue": "revenue",
    "ebitda": "EBITDA before non-cash items and one-time costs (the driver)",
    "net_income": "net income: EBITDA less one-time costs, depreciation, amortization, non-cash items, interest and fees, and income tax expense",
    "interest_expense": "revolver interest accrued, facility fees and interest on other debt",
    "revolver_interest": "revolver interest accrued in the quarter (each month rounded to the cent)",
    "facility_fees": "fees of the facility due in the quarter",
    "other_debt_interest": "interest on other debt",
    "depreciation": "depreciation expense",
    "amortization": "amortization expense",
    "income_tax_expense": "income tax expense",
    "non_cash_items": "non-cash items deducted from net income",
    "one_time_costs": "one-time costs paid in cash that the covenant's EBITDA adds back (the driver)",
    "borrower_ebitda": "EBITDA of the Borrower and its domestic subsidiaries (EBITDA x borrower_ebitda_share)",
    "capex_unfunded": "capital expenditures paid from cash",
    "capex_funded": "capital expenditures financed by other debt",
    "income_taxes_paid": "income taxes paid in cash",
    "dividends": "dividends paid",
    "repurchases": "stock repurchased",
    # a capital structure's projection (model.engines.capital)
    "addbacks": "add-backs to EBITDA before any cap (the driver)",
    "capex": "capital expenditures paid in cash",
    "cash_taxes": "income taxes paid in cash",
    "working_capital_change": "increase in working capital",
    "cash_interest": "interest paid or payable in cash on every instrument, with unused and letter of credit fees",
    "pik_interest": "interest paid in kind (added to principal)",
    "scheduled_repayments": "scheduled installments paid (amortization, not the balance due at maturity)",
    "maturities": "balances repaid at their maturity (bullets, the revolver at its maturity)",
    "mandatory_prepayments": "excess cash flow and asset-sale sweeps paid",
    "voluntary_prepayments": "voluntary prepayments of term debt",
    "restricted_payments": "dividends and share repurchases paid",
    "equity_cure": "equity contributed to cure a covenant (counted in EBITDA for the covenants)",
}
BALANCES: dict[str, str] = {
    "cash": "cash at the Bank",
    "receivables": "receivables, domestic and foreign",
    "receivables_domestic": "domestic receivables",
    "receivables_foreign": "foreign receivables",
    "eligible_domestic": "eligible domestic receivables (the Borrowing Base Certificate)",
    "eligible_foreign": "eligible foreign receivables",
    "short_term_investments": "investments maturing within 12 months",
    "revolver_outstanding": "advances outstanding under the revolver",
    "other_debt": "other indebtedness",
    "payables": "trade payables",
    "other_current_liabilities": "other liabilities due within a year",
    "deferred_revenue": "amounts billed in advance, not yet revenue",
    "liquidity": "cash at the Bank plus availability",
    "availability": "availability under the revolver",
    "total_debt": "every instrument's principal outstanding, with the revolver and PIK accrued to principal",
    "senior_debt": "principal of the senior (secured and unsecured) instruments",
    "senior_secured_debt": "principal of the senior secured instruments",
    "letters_of_credit": "letters of credit outstanding under the revolver",
    "net_worth": "tangible net worth: the scenario's opening figure plus projected net income (EBITDA less depreciation, interest expense and cash taxes) and equity cures, less dividends and repurchases",
}
QUANTITIES: dict[str, str] = FLOWS | BALANCES
"""Every projected quantity, by name, with what it means."""
