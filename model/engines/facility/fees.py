"""Fees and permitted indebtedness: one-time fees, the termination fee and its schedule,
and headroom under each indebtedness basket.

Amounts are exact :class:`~decimal.Decimal` dollars (cents are the point here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

import pandas as pd

from model.dates import add_months
from model.engines.facility.borrowing_base import ZERO, Terms, key_on, terms_for
from model.errors import InputError
from model.terms.facility import Facility, FacilityTerms
from model.values import read_choice, read_date, read_flag, read_money, to_cents

__all__ = ["one_time_fees", "termination_fee", "termination_fee_schedule", "indebtedness_headroom"]

TerminationReason = Literal["borrower_election", "bank_event_of_default", "other"]
REASONS = ("borrower_election", "bank_event_of_default", "other")


def one_time_fees(terms: Terms) -> pd.DataFrame:
    """Fees due on a date (SVB: First Loan Modification Sec. 4, $150,000 supplemental
    commitment fee and $75,000 modification fee, both due on 2008-04-28).

    >>> from model.terms import load
    >>> one_time_fees(load("params/deals/ibasis/facilities/svb-loan-agreement.yaml"))["amount"].sum()
    Decimal('225000.00')
    """
    if not isinstance(terms, Facility | FacilityTerms):
        raise InputError(
            "terms must be a Facility or FacilityTerms (from a facility params file), not "
            f"{type(terms).__name__}",
            key="terms",
        )
    versions = terms.all_versions if isinstance(terms, Facility) else (terms,)
    rows = {}
    for v in versions:
        for f in v.fees:
            rows[(f.date, f.name)] = {
                "date": f.date,
                "fee": f.name,
                "amount": to_cents(f.amount),
                "source": f.provenance,
            }
    return pd.DataFrame(list(rows.values()), columns=["date", "fee", "amount", "source"])


def termination_fee(
    terms: Terms,
    termination_date: dt.date | str,
    *,
    reason: TerminationReason = "borrower_election",
    replaced_by_bank_facility: bool = False,
    libor_withdrawal: bool = False,
) -> Decimal:
    """The termination fee on ``termination_date``.

    Parameters
    ----------
    reason : {"borrower_election", "bank_event_of_default", "other"}
        The fee is due only on termination at the Borrower's election or at the Bank's
        election after a continuing Event of Default.
    replaced_by_bank_facility : bool
        Exception: the facility is replaced with a new facility from the same bank
        (SVB Sec. 4.1(c)(i)).
    libor_withdrawal : bool
        Exception: terminated solely because the bank stopped offering LIBOR advances
        (SVB Sec. 4.1(c)(iii), Sec. 3.6(b) or 3.7(d)).

    Notes
    -----
    ``termination_fee.periods[i].rate`` of the base amount for a termination from the end
    of the previous period (the Effective Date for the first) up to but not including
    ``until_months`` after the Effective Date; none after the last period. The base amount
    is that of the version in force on the termination date (SVB: 1% / 0.50% of
    $35,000,000 originally, of $50,000,000 under the First Loan Modification).

    Examples
    --------
    >>> from model.terms import load
    >>> fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> [termination_fee(fac, d) for d in ("2008-04-01", "2008-04-02", "2008-04-28", "2008-10-02")]
    [Decimal('350000.00'), Decimal('175000.00'), Decimal('250000.00'), Decimal('0')]
    """
    d = read_date(termination_date, "termination_date")
    t = terms_for(terms, d)
    why = read_choice(reason, REASONS, "reason")
    if (
        why == "other"
        or read_flag(replaced_by_bank_facility, "replaced_by_bank_facility")
        or read_flag(libor_withdrawal, "libor_withdrawal")
    ):
        return ZERO
    tf = t.termination_fee
    ed = tf.effective_date.value
    if d < ed:
        raise InputError(f"{d} is before the Effective Date {ed}", key="termination_date")
    for period in tf.periods:
        if d < add_months(ed, period.until_months):
            return to_cents(tf.base_amount.value * period.rate)
    return ZERO


def termination_fee_schedule(
    terms: Terms, start: dt.date | str, end: dt.date | str
) -> pd.DataFrame:
    """The termination fee for every termination date from ``start`` to ``end``, in periods
    (from, to inclusive) of constant fee, at the Borrower's election with no exception."""
    d0, d1 = read_date(start, "start"), read_date(end, "end")
    if d1 < d0:
        raise InputError(f"end {d1} is before start {d0}", key="end")
    rows: list[dict[str, Any]] = []
    d = d0
    while d <= d1:
        fee = termination_fee(terms, d)
        t = terms_for(terms, d)
        if rows and rows[-1]["fee"] == fee and rows[-1]["version"] == t.version_name:
            rows[-1]["to"] = d
        else:
            line = t.termination_fee.base_amount.value
            rows.append({"from": d, "to": d, "version": t.version_name, "line": line, "fee": fee})
        d += dt.timedelta(days=1)
    out = pd.DataFrame(rows)
    out["rate"] = [f"{(f / b):.2%}" for f, b in zip(out["fee"], out["line"], strict=True)]
    return out[["from", "to", "version", "line", "rate", "fee"]]


def indebtedness_headroom(
    terms: Terms, as_of: dt.date | str, amounts: Mapping[str, Any]
) -> pd.DataFrame:
    """Permitted indebtedness on ``as_of``: each basket's limit, amount and headroom, and
    the aggregate.

    ``amounts`` maps basket ids (``permitted_indebtedness.baskets``) to the indebtedness
    outstanding in each; a basket not given is 0, an unknown id is an error.

    SVB: original KPN note up to $9,000,000 plus up to $1,000,000 other, $10,000,000 in
    all; First Loan Modification: $16,000,000 in all, which may all be the KPN note.

    >>> from model.terms import load
    >>> fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> indebtedness_headroom(fac, "2008-04-28", {"kpn_note": 12_000_000, "other": 2_000_000})["headroom"].tolist()
    [Decimal('4000000'), Decimal('14000000'), Decimal('2000000')]
    """
    d = read_date(as_of, "as_of")
    pi = terms_for(terms, d).permitted_indebtedness
    ids = [b.id for b in pi.baskets]
    unknown = [k for k in amounts if k not in ids]
    if unknown:
        raise InputError(
            f"unknown basket(s) {', '.join(unknown)}; baskets on {d}: {', '.join(ids) or 'none'}",
            key="amounts",
        )
    got = {
        b.id: read_money(amounts.get(b.id, 0), key_on(f"amounts[{b.id}]", d)) for b in pi.baskets
    }
    rows = [(b.label, b.limit, got[b.id]) for b in pi.baskets]
    agg = (
        f"aggregate ({pi.aggregate_limit.reference})"
        if pi.aggregate_limit.reference
        else "aggregate"
    )
    rows.append((agg, pi.aggregate_limit.value, sum(got.values(), ZERO)))
    return pd.DataFrame(
        [
            {"item": n, "limit": lim, "amount": a, "headroom": lim - a, "permitted": a <= lim}
            for n, lim, a in rows
        ]
    ).set_index("item")
