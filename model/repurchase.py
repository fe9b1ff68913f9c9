"""Stock repurchase test: Loan Agreement Sec. 7.7(b)(v), added by First Loan Modification
Sec. 3.A.VIII (2008-04-28).

Borrower may repurchase its capital stock under a board-approved program so long as
(A) Bank has written notice of the material terms and evidence of the consents and
approvals, (B) no Event of Default exists at the time and no Default would exist after
giving effect to the repurchase, "including, without limitation, any Default which would
be substantially likely to exist under Section 6.9 for the next succeeding financial
reporting period", and (C) the repurchases do not exceed $15,000,000 in the aggregate.

The Sec. 6.9 part is tested on projected figures the user supplies for the next
reporting period (the fiscal quarter that contains the repurchase date, whose
certificate is the next to be delivered), *after* giving effect to the repurchase
(lower cash at Bank and liquidity). The original agreement had no such basket: before
2008-04-28 a repurchase under (v) is not permitted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from model.covenants import _to_decimal, evaluate_covenants
from model.reporting_calendar import quarter_ends_between

__all__ = ["RepurchaseDecision", "repurchase_permitted", "BASKET", "BASKET_EFFECTIVE"]

BASKET = Decimal("15000000")
"""Sec. 7.7(b)(v)(C): repurchases may not exceed $15,000,000 in the aggregate."""
BASKET_EFFECTIVE = dt.date(2008, 4, 28)
"""First Loan Modification Execution Date: clause (v) exists from this day."""


@dataclass(frozen=True)
class RepurchaseDecision:
    """The answer and every check behind it (``checks``: name, passed, detail)."""

    date: dt.date
    amount: Decimal
    permitted: bool
    checks: tuple[tuple[str, bool, str], ...]
    covenant_test: pd.DataFrame | None = field(default=None, compare=False)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.checks, columns=["check", "passed", "detail"]).set_index("check")


def _date(x: Any) -> dt.date:
    return x if isinstance(x, dt.date) else dt.date.fromisoformat(str(x))


def repurchase_permitted(
    facility: Any,
    on: Any,
    amount: Any,
    projected_actuals: Mapping[str, Any],
    *,
    projected_liquidity: Any = None,
    prior_repurchases: Iterable[tuple[Any, Any]] = (),
    event_of_default: bool = False,
    notice_and_approvals: bool = True,
    thresholds: Mapping[str, Any] | None = None,
    springing_reading: str = "any_day",
) -> RepurchaseDecision:
    """Whether a repurchase of ``amount`` on ``on`` is permitted under Sec. 7.7(b)(v).

    Parameters
    ----------
    facility : Facility or CovenantBook
        The terms; the version in force on ``on`` is used for the covenants.
    on : date or ISO str
    amount : number
        Dollars repurchased on ``on``.
    projected_actuals : mapping line_item -> amount
        Projected Schedule 1 line items for the next reporting period, after the repurchase.
    projected_liquidity : number or daily Series, optional
        Projected liquidity for that period (for the springing Sec. 6.9(iii) test).
    prior_repurchases : iterable of (date, amount)
        Repurchases already made under clause (v) (they count against the basket).
    event_of_default : bool
        Whether an Event of Default exists on ``on``.
    notice_and_approvals : bool
        Clause (A): written notice and evidence of consents given to Bank.
    thresholds : mapping, optional
        User thresholds (the Adjusted Quick Ratio, not in the documents).

    Returns
    -------
    RepurchaseDecision
        ``permitted`` is True only if every check passes; a covenant whose threshold is
        not provided cannot be confirmed and so blocks the repurchase.

    Examples
    --------
    >>> from model.terms.covenants import load_covenant_book
    >>> book = load_covenant_book("tests/fixtures/covenants_svb.yaml")
    >>> proj = {"net_income": 3000000, "interest_expense": 400000, "depreciation": 4000000,
    ...     "amortization": 3800000, "income_tax_expense": 900000, "non_cash_items": 1000000,
    ...     "kpn_transaction_costs": 0, "cash_at_bank": 20000000, "net_billed_receivables": 170000000,
    ...     "short_term_investments": 0, "obligations_to_bank": 20000000,
    ...     "liabilities_due_within_one_year": 150000000, "deferred_revenue": 4000000,
    ...     "borrower_ebitda": 3000000, "unfunded_capex": 500000, "income_taxes_paid": 100000,
    ...     "dividends_and_distributions": 0}
    >>> d = repurchase_permitted(book, "2008-08-15", 5000000, proj, projected_liquidity=25000000,
    ...     prior_repurchases=[("2008-06-02", 9000000)], thresholds={"adjusted_quick_ratio": 1})
    >>> d.permitted
    True
    >>> repurchase_permitted(book, "2008-08-15", 7000000, proj, projected_liquidity=25000000,
    ...     prior_repurchases=[("2008-06-02", 9000000)], thresholds={"adjusted_quick_ratio": 1}).permitted
    False
    """
    day = _date(on)
    amt = _to_decimal(amount, "repurchase amount")
    if amt <= 0:
        raise ValueError(f"repurchase amount must be positive (got {amt})")
    checks: list[tuple[str, bool, str]] = []
    in_force = day >= BASKET_EFFECTIVE
    checks.append(
        (
            "clause (v) in force",
            in_force,
            f"Sec. 7.7(b)(v) added by the First Loan Modification of {BASKET_EFFECTIVE}"
            + ("" if in_force else f"; not available on {day}"),
        )
    )
    checks.append(
        (
            "(A) notice and approvals",
            bool(notice_and_approvals),
            "written notice of material terms and evidence of board/other consents given to Bank"
            if notice_and_approvals
            else "not given",
        )
    )
    checks.append(
        (
            "(B) no Event of Default",
            not event_of_default,
            "no Event of Default on the repurchase date"
            if not event_of_default
            else "an Event of Default exists",
        )
    )
    prior = Decimal(0)
    for when, a in prior_repurchases:
        if _date(when) <= day:
            prior += _to_decimal(a, "prior repurchase")
    total = prior + amt
    checks.append(
        (
            "(C) within $15,000,000 basket",
            total <= BASKET,
            f"prior ${prior:,.0f} + this ${amt:,.0f} = ${total:,.0f} vs ${BASKET:,.0f}"
            + ("" if total <= BASKET else f" (over by ${total - BASKET:,.0f})"),
        )
    )
    period = quarter_ends_between(day, day + dt.timedelta(days=92))[0]
    table = None
    if in_force:
        table = evaluate_covenants(
            facility,
            period,
            projected_actuals,
            projected_liquidity,
            day,
            thresholds=thresholds,
            springing_reading=springing_reading,
        )
        fails = list(table.index[(~table["complies"]).fillna(False).astype(bool)])
        unknown = list(table.index[table["status"] == "threshold not provided"])
        ok = not fails and not unknown
        detail = f"projected quarter ending {period} under the terms in force on {day}: "
        if ok:
            detail += "all Sec. 6.9 tests pass or do not apply"
        else:
            detail += "; ".join(
                [f"{i} fails" for i in fails]
                + [f"{i}: threshold not provided, cannot confirm" for i in unknown]
            )
        checks.append(("(B) no Sec. 6.9 Default expected next period", ok, detail))
    permitted = all(passed for _, passed, _ in checks)
    return RepurchaseDecision(day, amt, permitted, tuple(checks), table)
