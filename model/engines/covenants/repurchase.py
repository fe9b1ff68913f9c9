"""Stock repurchase test: may the Borrower buy back stock under the repurchase basket?

For the SVB facility, Loan Agreement Sec. 7.7(b)(v), added by First Loan Modification Sec.
3.A.VIII: the Borrower may repurchase its stock under a board-approved program so long as
(A) the Bank has written notice and evidence of the approvals, (B) no Event of Default
exists and no Default would exist after giving effect to the repurchase, "including,
without limitation, any Default which would be substantially likely to exist under Section
6.9 for the next succeeding financial reporting period", and (C) the repurchases do not
exceed the basket in the aggregate.

The basket, the day it comes into force and its conditions (A), (C) and the Event of
Default part of (B) are :func:`model.engines.facility.baskets.basket_checks`, read from the
facility terms (``distributions.repurchase_program_basket`` of the version in force: one
source of truth). The financial-covenant part of (B) is tested here on projected figures
the user supplies for the next reporting period (the fiscal quarter that contains the
repurchase date), after giving effect to the repurchase.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from model.dates.periods import quarter_ends_between
from model.engines.covenants.evaluate import evaluate_covenants
from model.engines.facility.baskets import basket_checks, repurchase_basket_terms
from model.errors import InputError
from model.terms.facility import Facility
from model.values import read_date, read_flag, read_money

__all__ = ["RepurchaseDecision", "repurchase_permitted"]


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


def _prior_total(prior_repurchases: Iterable[tuple[Any, Any]], day: dt.date) -> Decimal:
    total = Decimal(0)
    for i, (when, amount) in enumerate(prior_repurchases):
        if read_date(when, f"prior_repurchases[{i}].date") <= day:
            total += read_money(amount, f"prior_repurchases[{i}].amount")
    return total


def _covenant_check(table: pd.DataFrame, period: dt.date, day: dt.date) -> tuple[str, bool, str]:
    fails = list(table.index[table["status_code"] == "breach"])
    unknown = list(table.index[table["status_code"] == "threshold_not_provided"])
    ok = not fails and not unknown
    detail = f"projected quarter ending {period} under the terms in force on {day}: "
    if ok:
        detail += "all financial covenant tests pass or do not apply"
    else:
        detail += "; ".join(
            [f"{i} fails" for i in fails]
            + [f"{i}: threshold not provided, cannot confirm" for i in unknown]
        )
    return "no financial covenant Default expected next period", ok, detail


def repurchase_permitted(
    facility: Facility,
    on: Any,
    amount: Any,
    projected_actuals: Mapping[str, Any],
    *,
    projected_liquidity: Any = None,
    prior_repurchases: Iterable[tuple[Any, Any]] = (),
    event_of_default: Any = False,
    notice_and_approvals: Any = True,
    thresholds: Mapping[str, Any] | None = None,
    springing_reading: str = "any_day",
    liquidity_source: str | None = None,
) -> RepurchaseDecision:
    """Whether a repurchase of ``amount`` on ``on`` is permitted under the repurchase basket.

    Parameters
    ----------
    facility : Facility
        The facility terms: the basket and the covenants of the version in force on ``on``.
    on : date or ISO str
    amount : money
        Dollars repurchased on ``on`` (above zero).
    projected_actuals : mapping line_item -> amount
        Projected line items for the next reporting period, after the repurchase.
    projected_liquidity : number or daily Series, optional
        Projected liquidity for that period (for a springing test).
    prior_repurchases : iterable of (date, amount)
        Repurchases already made under the basket.
    event_of_default, notice_and_approvals : yes/no
    thresholds : mapping, optional
        Levels the documents leave blank (see :func:`evaluate_covenants`).

    Returns
    -------
    RepurchaseDecision
        ``permitted`` only if every check passes; a covenant whose threshold is not
        provided cannot be confirmed and so blocks the repurchase.

    Examples
    --------
    >>> from model.terms import load
    >>> f = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> proj = {"net_income": 3000000, "interest_expense": 400000, "depreciation": 4000000,
    ...     "amortization": 3800000, "income_tax_expense": 900000, "non_cash_items": 1000000,
    ...     "kpn_transaction_costs": 0, "cash_at_bank": 20000000, "net_billed_receivables": 170000000,
    ...     "short_term_investments": 0, "obligations_to_bank": 20000000,
    ...     "liabilities_due_within_one_year": 150000000, "deferred_revenue": 4000000,
    ...     "borrower_ebitda": 3000000, "unfunded_capex": 500000, "income_taxes_paid": 100000,
    ...     "dividends_and_distributions": 0}
    >>> d = repurchase_permitted(f, "2008-08-15", 5000000, proj, projected_liquidity=25000000,
    ...     prior_repurchases=[("2008-06-02", 9000000)], thresholds={"adjusted_quick_ratio": 1})
    >>> d.permitted
    True
    >>> repurchase_permitted(f, "2008-08-15", 7000000, proj, projected_liquidity=25000000,
    ...     prior_repurchases=[("2008-06-02", 9000000)], thresholds={"adjusted_quick_ratio": 1}).permitted
    False
    """
    if not isinstance(facility, Facility):
        raise InputError(
            "needs the Facility (load('params/deals/ibasis/facilities/...yaml')): the basket is "
            "distributions.repurchase_program_basket of the version in force",
            key="facility",
        )
    day = read_date(on, "on")
    amt = read_money(amount, "amount", positive=True)
    basket = repurchase_basket_terms(facility, day)
    notice = read_flag(notice_and_approvals, "notice_and_approvals")
    default = read_flag(event_of_default, "event_of_default")
    checks = basket_checks(basket, _prior_total(prior_repurchases, day), amt, notice, default)
    table = None
    if basket.amount is not None:
        period = quarter_ends_between(day, day + dt.timedelta(days=92))[0]
        table = evaluate_covenants(
            facility,
            period,
            projected_actuals,
            projected_liquidity,
            day,
            thresholds=thresholds,
            springing_reading=springing_reading,
            liquidity_source=liquidity_source,
        )
        checks.append(_covenant_check(table, period, day))
    permitted = all(passed for _, passed, _ in checks)
    return RepurchaseDecision(day, amt, permitted, tuple(checks), table)
