"""From an aged list of open invoices to eligible domestic and foreign accounts.

The eligibility rules are terms (:class:`~model.terms.facility.EligibilityRules`); where
the agreement's definitions are not in the documents they are labelled assumptions.
Arithmetic is exact (fractions of dollars); each figure is rounded to the cent once,
half up.

Debtor names are read with :func:`model.values.read_name`: leading and trailing spaces
and runs of white space do not make another debtor (``"Carrier D "`` is ``"Carrier D"``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, cast

import pandas as pd

from model.engines.facility.borrowing_base import Terms, terms_for
from model.errors import InputError
from model.terms.facility import EligibilityRules
from model.values import read_date, read_flag, read_money, read_name, to_cents

__all__ = [
    "AGING_COLUMN",
    "invoice_aging_date",
    "eligibility_waterfall",
    "compare_with_certificate",
]

_INVOICE_COLUMNS = ("customer", "invoice_date", "amount", "foreign", "affiliate", "insured")
AGING_COLUMN = "aged_as_of"
"""Invoices column: the date the open-invoice list was aged at (one date for all rows)."""
_SEGMENTS = ("domestic", "foreign")


@dataclass(frozen=True)
class _Invoice:
    customer: str
    segment: str
    age: int
    amount: Fraction
    foreign: bool
    affiliate: bool
    insured: bool


def invoice_aging_date(invoices: pd.DataFrame, aged_as_of: Any = None) -> dt.date:
    """The date an open-invoice list is aged at: its ``aged_as_of`` column (one date for
    every row) or the ``aged_as_of`` argument (which must agree with the column).

    >>> inv = pd.DataFrame({"customer": ["A"], "aged_as_of": ["2008-06-30"]})
    >>> invoice_aging_date(inv)
    datetime.date(2008, 6, 30)
    >>> invoice_aging_date(inv.drop(columns="aged_as_of"))
    Traceback (most recent call last):
    ...
    model.errors.InputError: invoices: no aging date: add an 'aged_as_of' column (the date the open invoices were listed) or pass aged_as_of=
    """
    given = None if aged_as_of is None else read_date(aged_as_of, "aged_as_of")
    if AGING_COLUMN in invoices.columns:
        dates = {read_date(x, f"invoices.{AGING_COLUMN}") for x in invoices[AGING_COLUMN]}
        if len(dates) != 1:
            listed = ", ".join(sorted(d.isoformat() for d in dates)) or "none"
            raise InputError(
                f"must hold one date for every row (got: {listed})", key=f"invoices.{AGING_COLUMN}"
            )
        col = dates.pop()
        if given is not None and given != col:
            raise InputError(
                f"{given} disagrees with the invoices' {AGING_COLUMN} column ({col})",
                key="aged_as_of",
            )
        return col
    if given is None:
        raise InputError(
            "no aging date: add an 'aged_as_of' column (the date the open invoices were "
            "listed) or pass aged_as_of=",
            key="invoices",
        )
    return given


def _rules(rules: EligibilityRules | Terms, d: dt.date) -> EligibilityRules:
    return rules if isinstance(rules, EligibilityRules) else terms_for(rules, d).eligibility


def _read_invoices(invoices: pd.DataFrame, d: dt.date) -> list[_Invoice]:
    """Each row read strictly; errors name the row, the customer and the column."""
    out = []
    for i, row in enumerate(invoices.to_dict("records"), start=1):
        cust = read_name(row["customer"], f"invoices row {i}: customer")
        inv_date = read_date(
            row["invoice_date"], f"invoices row {i} (customer {cust!r}): invoice_date"
        )
        where = f"invoices row {i} (customer {cust!r}, dated {inv_date})"
        if inv_date > d:
            raise InputError(f"invoice_date {inv_date} is after as_of {d}", key=where)
        amount = read_money(row["amount"], f"{where}: amount")
        flags = {c: read_flag(row[c], f"{where}: {c}") for c in ("foreign", "affiliate", "insured")}
        out.append(
            _Invoice(
                customer=cust,
                segment="foreign" if flags["foreign"] else "domestic",
                age=(d - inv_date).days,
                amount=Fraction(amount),
                **flags,
            )
        )
    return out


def _by_segment(recs: list[_Invoice], values: list[Fraction]) -> dict[str, Fraction]:
    out = {k: Fraction(0) for k in _SEGMENTS}
    for rec, v in zip(recs, values, strict=True):
        out[rec.segment] += v
    return out


def _cut(mask: list[bool], left: list[Fraction]) -> tuple[list[Fraction], list[Fraction]]:
    """(amounts cut, amounts left) for the invoices ``mask`` selects."""
    cuts = [v if m else Fraction(0) for v, m in zip(left, mask, strict=True)]
    return cuts, [v - c for v, c in zip(left, cuts, strict=True)]


def _cross_aged(recs: list[_Invoice], past_due: list[bool], pct: Decimal) -> list[bool]:
    """Invoices of debtors whose past-due share of their balance exceeds ``pct``."""
    totals: dict[str, list[Fraction]] = {}
    for rec, due in zip(recs, past_due, strict=True):
        tot = totals.setdefault(rec.customer, [Fraction(0), Fraction(0)])
        tot[0] += rec.amount if due else 0
        tot[1] += rec.amount
    crossed = {k: v[1] > 0 and v[0] / v[1] > Fraction(pct) for k, v in totals.items()}
    return [crossed[rec.customer] for rec in recs]


def _whole_invoice_steps(
    rules: EligibilityRules, recs: list[_Invoice]
) -> tuple[list[tuple[str, dict[str, Fraction]]], list[Fraction]]:
    """Deductions (1)-(4), each of whole invoices, and the amounts left after them."""
    left = [rec.amount for rec in recs]
    steps = [("gross receivables", _by_segment(recs, left))]
    n = rules.past_due_days.value
    past_due = [rec.age > n for rec in recs]
    cuts, left = _cut(past_due, left)
    steps.append((f"less: over {n} days from invoice", _by_segment(recs, cuts)))
    pct = rules.cross_aging_pct.value
    cuts, left = _cut(_cross_aged(recs, past_due, pct), left)
    steps.append((f"less: cross-aging (debtor over {pct:.0%} past due)", _by_segment(recs, cuts)))
    excl = rules.exclude_affiliates.value
    cuts, left = _cut([excl and rec.affiliate for rec in recs], left)
    steps.append(("less: affiliates", _by_segment(recs, cuts)))
    ins = rules.foreign_requires_insurance.value
    cuts, left = _cut([ins and rec.foreign and not rec.insured for rec in recs], left)
    steps.append(("less: foreign not insured", _by_segment(recs, cuts)))
    return steps, left


def _concentration_cut(
    recs: list[_Invoice], left: list[Fraction], pct: Decimal
) -> dict[str, Fraction]:
    """Each debtor's balance above ``pct`` of all remaining eligible accounts, pro rata to
    its domestic and foreign parts."""
    cap = Fraction(pct) * sum(left, Fraction(0))
    per_debtor: dict[str, Fraction] = {}
    for rec, v in zip(recs, left, strict=True):
        per_debtor[rec.customer] = per_debtor.get(rec.customer, Fraction(0)) + v
    share = {k: (v - cap) / v if v > cap else Fraction(0) for k, v in per_debtor.items()}
    return _by_segment(recs, [v * share[rec.customer] for rec, v in zip(recs, left, strict=True)])


def eligibility_waterfall(
    rules: EligibilityRules | Terms,
    as_of: dt.date | str,
    invoices: pd.DataFrame,
    *,
    aged_as_of: Any = None,
) -> pd.DataFrame:
    """From gross receivables to Eligible Domestic and Foreign Accounts, one row per deduction.

    Parameters
    ----------
    rules : EligibilityRules, FacilityTerms or Facility
    as_of : date
    invoices : DataFrame
        Columns ``customer``, ``invoice_date``, ``amount`` (>= 0), ``foreign``,
        ``affiliate``, ``insured`` (yes/no flags, read strictly: a blank or "maybe" is an
        error) and ``aged_as_of`` (the date the list was aged at), unless given as the argument.
    aged_as_of : date, optional
        The list's aging date when it has no ``aged_as_of`` column.

    Returns
    -------
    DataFrame
        Index: gross, each deduction (as a negative amount), eligible; columns
        ``domestic``, ``foreign``, ``total``: exact Decimal dollars to the cent.

    Raises
    ------
    InputError
        Invoices aged at another date than ``as_of`` (ageing a fixed list to another date
        would silently make it all past due), or a bad value, naming the row's customer,
        the column and the value.

    Notes
    -----
    Order: (1) invoices more than ``past_due_days`` days from invoice date; (2)
    cross-aging: the whole balance of a debtor whose past-due share exceeds
    ``cross_aging_pct``; (3) affiliates; (4) foreign accounts without credit insurance;
    (5) concentration: each debtor's remaining balance above ``concentration_pct`` of
    all remaining eligible accounts (pro rata to its domestic/foreign parts). Deductions
    (1)-(4) are whole invoices, so exact; the concentration row is eligible (rounded once)
    less the amount before it, so the column adds up to the cent.
    """
    d = read_date(as_of, "as_of")
    r = _rules(rules, d)
    missing = [c for c in _INVOICE_COLUMNS if c not in invoices.columns]
    if missing:
        raise InputError(f"lack column(s): {', '.join(missing)}", key="invoices")
    aged = invoice_aging_date(invoices, aged_as_of)
    if aged != d:
        raise InputError(
            f"invoices aged as of {aged} used for {d}: ages, past-due and cross-aging would be "
            f"wrong; supply invoices aged as of {d}",
            key="invoices",
        )
    recs = _read_invoices(invoices, d)
    steps, left = _whole_invoice_steps(r, recs)
    conc_cut = _concentration_cut(recs, left, r.concentration_pct.value)
    rounded = {
        label: {
            k: to_cents((1 if label == "gross receivables" else -1) * amounts[k]) for k in _SEGMENTS
        }
        for label, amounts in steps
    }
    exact_left = {
        k: steps[0][1][k] - sum(a[k] for _, a in steps[1:]) - conc_cut[k] for k in _SEGMENTS
    }
    elig = {k: to_cents(exact_left[k]) for k in _SEGMENTS}
    before = {k: sum((rounded[label][k] for label, _ in steps), Decimal(0)) for k in _SEGMENTS}
    rounded[f"less: concentration over {r.concentration_pct.value:.0%}"] = {
        k: elig[k] - before[k] for k in _SEGMENTS
    }
    rounded["eligible accounts"] = elig
    out = pd.DataFrame.from_dict(rounded, orient="index")[list(_SEGMENTS)]
    out["total"] = out["domestic"] + out["foreign"]
    out.index.name = "step"
    return out


def compare_with_certificate(waterfall: pd.DataFrame, certificate: pd.Series) -> pd.DataFrame:
    """The waterfall's eligible and gross receivables beside a Borrowing Base Certificate's
    (a receivables row, e.g. from :func:`model.engines.facility.ledger.certificate_on`),
    and the difference. A figure the certificate lacks is ``None``.

    >>> wf = pd.DataFrame({"domestic": [Decimal(100), Decimal(80)], "foreign": [Decimal(50),
    ...     Decimal(40)]}, index=["gross receivables", "eligible accounts"])
    >>> cert = pd.Series({"eligible_domestic": 80.0, "eligible_foreign": 35.0})
    >>> compare_with_certificate(wf, cert)["difference"].tolist()
    [Decimal('0.0'), None, Decimal('5.0'), None]
    """
    rows = []
    for seg in _SEGMENTS:
        for kind, label in (("eligible", "eligible accounts"), ("gross", "gross receivables")):
            item = f"{kind}_{seg}"
            w = Decimal(cast(Decimal, waterfall.loc[label, seg]))
            raw = certificate.get(item)
            c = None if raw is None or pd.isna(raw) else read_money(raw, f"certificate.{item}")
            rows.append(
                {
                    "item": item,
                    "waterfall": w,
                    "certificate": c,
                    "difference": None if c is None else w - c,
                }
            )
    return pd.DataFrame(rows).set_index("item")
