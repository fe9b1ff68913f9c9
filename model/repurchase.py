"""Stock repurchase test: Loan Agreement Sec. 7.7(b)(v), added by First Loan Modification
Sec. 3.A.VIII (2008-04-28).

Borrower may repurchase its capital stock under a board-approved program so long as
(A) Bank has written notice of the material terms and evidence of the consents and
approvals, (B) no Event of Default exists at the time and no Default would exist after
giving effect to the repurchase, "including, without limitation, any Default which would
be substantially likely to exist under Section 6.9 for the next succeeding financial
reporting period", and (C) the repurchases do not exceed $15,000,000 in the aggregate.

The basket (C) and the day clause (v) comes into force are read from the facility
terms (``distributions.repurchase_program_basket`` of the version in force, the same
field :func:`model.fees.repurchase_basket` reads): one source of truth, so a change to
the params changes the answer. A version whose basket is null (the original agreement)
has no clause (v): a repurchase under it is not permitted.

The Sec. 6.9 part is tested on projected figures the user supplies for the next
reporting period (the fiscal quarter that contains the repurchase date, whose
certificate is the next to be delivered), *after* giving effect to the repurchase
(lower cash at Bank and liquidity).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from model.covenants import _money, evaluate_covenants
from model.reporting_calendar import quarter_ends_between
from model.values import as_bool, as_date, as_money

__all__ = ["RepurchaseDecision", "repurchase_permitted", "basket_terms"]


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


def basket_terms(facility: Any, on: dt.date) -> tuple[Decimal | None, dt.date | None, str]:
    """The Sec. 7.7(b)(v) basket in force on ``on``, the effective date of the first
    version that has one, and its source, read from the facility terms.

    >>> from model.params import load
    >>> f = load("params/facilities/svb-loan-agreement.yaml")
    >>> basket_terms(f, dt.date(2008, 8, 15))[:2]
    (Decimal('15000000'), datetime.date(2008, 4, 28))
    >>> basket_terms(f, dt.date(2008, 4, 27))[0] is None
    True
    """
    if not (hasattr(facility, "terms_as_of") and hasattr(facility, "versions")):
        raise TypeError(
            "repurchase_permitted needs the facility terms (a Facility from "
            "params/facilities/*.yaml): the basket is distributions.repurchase_program_basket"
        )
    first: dt.date | None = None
    for name, effective in facility.versions:
        dist = getattr(facility.version(name), "distributions", None)
        if dist is None:
            raise TypeError(
                f"version {name!r} has no distributions terms: pass the facility terms, not a "
                "covenant book"
            )
        if dist.repurchase_program_basket is not None:
            first = effective
            break
    try:
        terms = facility.terms_as_of(on)
    except ValueError:
        return None, first, "no version of the terms in force"
    basket = terms.distributions.repurchase_program_basket
    if basket is None:
        return None, first, f"no repurchase-program basket in version {terms.version_name!r}"
    return basket.value, first, basket.source or f"ASSUMPTION: {basket.assumption}"


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
    liquidity_source: str | None = None,
) -> RepurchaseDecision:
    """Whether a repurchase of ``amount`` on ``on`` is permitted under Sec. 7.7(b)(v).

    Parameters
    ----------
    facility : Facility
        The facility terms (params/facilities/*.yaml): the basket and the covenants of
        the version in force on ``on``.
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
        User thresholds for levels the documents leave blank (the Adjusted Quick Ratio).
    liquidity_source : str, optional
        Provenance of ``projected_liquidity`` (see :func:`model.covenants.evaluate_covenants`).

    Returns
    -------
    RepurchaseDecision
        ``permitted`` is True only if every check passes; a covenant whose threshold is
        not provided cannot be confirmed and so blocks the repurchase.

    Examples
    --------
    >>> from model.params import load
    >>> f = load("params/facilities/svb-loan-agreement.yaml")
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
    day = as_date(on, "repurchase date")
    amt = as_money(amount, "repurchase amount", allow_negative=True)
    if amt <= 0:
        raise ValueError(f"repurchase amount must be positive (got {amt})")
    basket, effective, basket_source = basket_terms(facility, day)
    checks: list[tuple[str, bool, str]] = []
    in_force = basket is not None
    since = f" (in force from {effective})" if effective is not None else ""
    checks.append(
        (
            "clause (v) in force",
            in_force,
            f"Sec. 7.7(b)(v) added by the First Loan Modification{since}; basket from the "
            f"facility terms: {basket_source}" + ("" if in_force else f"; not available on {day}"),
        )
    )
    notice = as_bool(notice_and_approvals, "notice_and_approvals")
    checks.append(
        (
            "(A) notice and approvals",
            notice,
            "written notice of material terms and evidence of board/other consents given to Bank"
            if notice
            else "not given",
        )
    )
    default = as_bool(event_of_default, "event_of_default")
    checks.append(
        (
            "(B) no Event of Default",
            not default,
            "no Event of Default on the repurchase date"
            if not default
            else "an Event of Default exists",
        )
    )
    prior = Decimal(0)
    for when, a in prior_repurchases:
        if as_date(when, "prior repurchase date") <= day:
            prior += as_money(a, "prior repurchase")
    total = prior + amt
    if basket is not None:
        within = total <= basket
        checks.append(
            (
                f"(C) within {_money(basket)} basket",
                within,
                f"prior {_money(prior)} + this {_money(amt)} = {_money(total)} vs {_money(basket)}"
                + ("" if within else f" (over by {_money(total - basket)})"),
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
            liquidity_source=liquidity_source,
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
