"""The stock repurchase basket: how much a repurchase program may use, and what has been used.

SVB: Loan Agreement Sec. 7.7(b)(v), added by First Loan Modification Sec. 3.A.VIII: the
Borrower may repurchase stock under a board-approved program so long as (A) the Bank has
notice and evidence of the approvals, (B) no Event of Default exists and none would
result, and (C) the repurchases do not exceed $15,000,000 in the aggregate. The basket
is read from the terms (``distributions.repurchase_program_basket`` of the version in
force): a version without one (the original agreement) permits no such repurchase.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from model.engines.facility.borrowing_base import ZERO, Terms, key_on, terms_for
from model.errors import InputError
from model.terms.facility import Facility
from model.values import format_money, read_date, read_flag, read_money

__all__ = ["Basket", "repurchase_basket_terms", "basket_checks", "repurchase_basket"]


@dataclass(frozen=True)
class Basket:
    """The repurchase basket in force on a date: its amount (None: no basket), the first
    date any version has one, its provenance and short reference."""

    amount: Decimal | None
    first_in_force: dt.date | None
    source: str
    reference: str


def repurchase_basket_terms(terms: Terms, on: dt.date | str) -> Basket:
    """The repurchase basket in force on ``on``.

    >>> from model.terms import load
    >>> f = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> b = repurchase_basket_terms(f, "2008-08-15")
    >>> b.amount, b.first_in_force, b.reference
    (Decimal('15000000'), datetime.date(2008, 4, 28), 'Sec. 7.7(b)(v)')
    >>> repurchase_basket_terms(f, "2008-04-27").amount is None
    True
    """
    d = read_date(on, "on")
    versions = terms.all_versions if isinstance(terms, Facility) else (terms,)
    first = next(
        (
            v.effective_date
            for v in versions
            if v.distributions.repurchase_program_basket is not None
        ),
        None,
    )
    t = terms_for(terms, d)
    basket = t.distributions.repurchase_program_basket
    if basket is None:
        return Basket(
            None, first, f"no repurchase-program basket in version {t.version_name!r}", ""
        )
    return Basket(basket.value, first, basket.provenance, basket.reference or "")


def basket_checks(
    basket: Basket, used: Decimal, amount: Decimal, notice: bool, default: bool
) -> list[tuple[str, bool, str]]:
    """The conditions of a repurchase under the basket: (check, passed, detail) each.

    >>> b = Basket(Decimal(15_000_000), dt.date(2008, 4, 28), "x", "Sec. 7.7(b)(v)")
    >>> [ok for _, ok, _ in basket_checks(b, Decimal(9_000_000), Decimal(7_000_000), True, False)]
    [True, True, True, False]
    """
    since = f" (in force from {basket.first_in_force})" if basket.first_in_force else ""
    ref = f"{basket.reference} " if basket.reference else ""
    checks = [
        (
            "basket in force",
            basket.amount is not None,
            f"{ref}repurchase basket{since}; from the terms: {basket.source}",
        ),
        (
            "notice and approvals",
            notice,
            "written notice of the material terms and evidence of the approvals given to the Bank"
            if notice
            else "not given",
        ),
        (
            "no Event of Default",
            not default,
            "none" if not default else "an Event of Default exists or would result",
        ),
    ]
    if basket.amount is not None:
        total = used + amount
        within = total <= basket.amount
        detail = (
            f"prior {format_money(used, cents=None)} + this {format_money(amount, cents=None)} = "
            f"{format_money(total, cents=None)} vs {format_money(basket.amount, cents=None)}"
        )
        over = "" if within else f" (over by {format_money(total - basket.amount, cents=None)})"
        checks.append(
            (f"within {format_money(basket.amount, cents=None)} basket", within, detail + over)
        )
    return checks


def _flag(row: pd.Series, col: str, absent: bool, d: dt.date, present: bool) -> bool:
    return read_flag(row[col], key_on(f"repurchases.{col}", d)) if present else absent


def repurchase_basket(terms: Terms, repurchases: pd.DataFrame) -> pd.DataFrame:
    """Stock repurchases tracked against the repurchase basket.

    Parameters
    ----------
    repurchases : DataFrame
        ``date``, ``amount``; optional yes/no columns ``notice_given`` (True when the
        column is absent) and ``default_exists`` (False when absent), read strictly.

    Returns
    -------
    DataFrame
        Per repurchase: ``permitted``, ``reason`` (the first condition that fails, or
        ``within basket``), ``cumulative`` (permitted so far) and ``remaining`` basket. A
        repurchase that would take the aggregate above the basket is not permitted and
        does not use it.
    """
    if not {"date", "amount"} <= set(repurchases.columns):
        raise InputError("needs columns date and amount", key="repurchases")
    df = repurchases.copy()
    df["date"] = [read_date(x, "repurchases.date") for x in df["date"]]
    used, out = ZERO, []
    for _, r in df.sort_values("date", kind="stable").iterrows():
        d = r["date"]
        amt = read_money(r["amount"], key_on("repurchases.amount", d))
        basket = repurchase_basket_terms(terms, d)
        notice = _flag(r, "notice_given", True, d, "notice_given" in df.columns)
        default = _flag(r, "default_exists", False, d, "default_exists" in df.columns)
        failed = [
            (name, detail)
            for name, ok, detail in basket_checks(basket, used, amt, notice, default)
            if not ok
        ]
        ok = not failed
        if ok:
            used += amt
        reason = "within basket" if ok else f"{failed[0][0]}: {failed[0][1]}"
        cap = basket.amount
        out.append(
            {
                "date": d,
                "amount": amt,
                "permitted": ok,
                "reason": reason,
                "cumulative": used,
                "remaining": None if cap is None else cap - used,
            }
        )
    return pd.DataFrame(out)
