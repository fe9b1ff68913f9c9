"""Fees and baskets: modification fees, the termination fee, the stock repurchase basket and
the permitted KPN indebtedness.

Amounts are exact :class:`~decimal.Decimal` dollars (cents are the point here).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

import pandas as pd

from model.facility import ZERO, FacilityInputError, terms_for, to_date, to_money
from model.schedule import add_months
from model.terms.facility import Facility, FacilityTerms
from model.values import as_bool, to_cents

__all__ = [
    "one_time_fees",
    "termination_fee",
    "termination_fee_schedule",
    "repurchase_basket",
    "indebtedness_headroom",
]

TerminationReason = Literal["borrower_election", "bank_event_of_default", "other"]


def one_time_fees(terms: Facility | FacilityTerms) -> pd.DataFrame:
    """Fees due on a date: First Loan Modification Sec. 4, $150,000 supplemental commitment
    fee and $75,000 modification fee, both due and fully earned on 2008-04-28.

    >>> from model.params import load
    >>> one_time_fees(load("params/facilities/svb-loan-agreement.yaml"))["amount"].sum()
    Decimal('225000.00')
    """
    versions = terms.all_versions if isinstance(terms, Facility) else (terms,)
    rows = {}
    for v in versions:
        for f in v.fees:
            rows[(f.date, f.name)] = {
                "date": f.date,
                "fee": f.name,
                "amount": to_cents(f.amount),
                "source": f.source,
            }
    return pd.DataFrame(list(rows.values()), columns=["date", "fee", "amount", "source"])


def termination_fee(
    terms: Facility | FacilityTerms,
    termination_date: dt.date | str,
    *,
    reason: TerminationReason = "borrower_election",
    replaced_by_svb_facility: bool = False,
    libor_withdrawal: bool = False,
) -> Decimal:
    """The Sec. 4.1(c) termination fee on ``termination_date``.

    Parameters
    ----------
    reason : {"borrower_election", "bank_event_of_default", "other"}
        The fee is due only on termination at the Borrower's election or at the Bank's
        election after a continuing Event of Default.
    replaced_by_svb_facility : bool
        Exception (i): replaced with a new Silicon Valley Bank facility.
    libor_withdrawal : bool
        Exception (iii): terminated solely because the Bank stopped offering LIBOR
        Advances (Sec. 3.6(b) or 3.7(d)).

    Notes
    -----
    1% of the line for termination within six months of the Effective Date
    ([ED, ED + 6 months)), 0.50% from six months after up to but not including the
    first anniversary ([ED + 6 months, ED + 12 months)), none from the anniversary
    (exception (ii)). The line is that of the version in force on the termination date:
    $35,000,000 originally, $50,000,000 under the First Loan Modification (Sec. 3.A.IV).
    The Effective Date is an assumption (2007-10-02) that the params file can override.

    Examples
    --------
    >>> from model.params import load
    >>> fac = load("params/facilities/svb-loan-agreement.yaml")
    >>> [termination_fee(fac, d) for d in ("2008-04-01", "2008-04-02", "2008-04-28", "2008-10-02")]
    [Decimal('350000.00'), Decimal('175000.00'), Decimal('250000.00'), Decimal('0')]
    """
    d = to_date(termination_date, "termination_date")
    t = terms_for(terms, d)
    if reason not in ("borrower_election", "bank_event_of_default", "other"):
        raise FacilityInputError(
            "reason must be 'borrower_election', 'bank_event_of_default' or 'other' "
            f"(got {reason!r})"
        )
    if reason == "other" or replaced_by_svb_facility or libor_withdrawal:
        return ZERO
    tf = t.termination_fee
    ed = tf.effective_date.value
    if d < ed:
        raise FacilityInputError(f"termination_date {d} is before the Effective Date {ed}")
    if d < add_months(ed, tf.first_period_months.value):
        rate = tf.first_rate.value
    elif d < add_months(ed, tf.second_period_end_months.value):
        rate = tf.second_rate.value
    else:
        return ZERO
    return to_cents(tf.base_amount.value * rate)


def termination_fee_schedule(
    terms: Facility | FacilityTerms, start: dt.date | str, end: dt.date | str
) -> pd.DataFrame:
    """The termination fee for every termination date from ``start`` to ``end``, in periods
    (from, to inclusive) of constant fee, at the Borrower's election with no exception."""
    d0, d1 = to_date(start, "start"), to_date(end, "end")
    rows: list[dict[str, Any]] = []
    d = d0
    while d <= d1:
        fee = termination_fee(terms, d)
        t = terms_for(terms, d)
        if rows and rows[-1]["fee"] == fee and rows[-1]["version"] == t.version_name:
            rows[-1]["to"] = d
        else:
            rows.append(
                {
                    "from": d,
                    "to": d,
                    "version": t.version_name,
                    "line": t.termination_fee.base_amount.value,
                    "fee": fee,
                }
            )
        d += dt.timedelta(days=1)
    out = pd.DataFrame(rows)
    out["rate"] = [f"{(f / b):.2%}" for f, b in zip(out["fee"], out["line"], strict=True)]
    return out[["from", "to", "version", "line", "rate", "fee"]]


def repurchase_basket(terms: Facility | FacilityTerms, repurchases: pd.DataFrame) -> pd.DataFrame:
    """Stock repurchases tracked against the Sec. 7.7(b)(v) basket.

    Parameters
    ----------
    repurchases : DataFrame
        ``date``, ``amount``; optional yes/no columns ``notice_given`` (condition (A),
        True when the column is absent) and ``default_exists`` (condition (B): an Event of
        Default at the time, or a Default after giving effect, including a likely Sec. 6.9
        Default next period; False when absent). Flags are parsed strictly
        (:func:`model.values.as_bool`): "False" is False, a blank is an error.

    Returns
    -------
    DataFrame
        Per repurchase: ``permitted``, ``reason``, ``cumulative`` (permitted so far) and
        ``remaining`` basket. A repurchase that would take the aggregate above $15,000,000
        (condition (C)) is not permitted and does not use the basket. Before 2008-04-28
        there is no basket (Sec. 7.7(b)(v) is added by First Loan Modification Sec. 3.A.VIII).
    """
    if not {"date", "amount"} <= set(repurchases.columns):
        raise FacilityInputError("repurchases needs columns date and amount")
    df = repurchases.copy()
    df["date"] = [to_date(x, "repurchases.date") for x in df["date"]]
    df = df.sort_values("date", kind="stable")
    used = ZERO
    out = []
    for _, r in df.iterrows():
        d = r["date"]
        amt = to_money(r["amount"], "repurchases.amount", date=d)
        t = terms_for(terms, d)
        basket = t.distributions.repurchase_program_basket
        flags = {}
        for col, absent in (("notice_given", True), ("default_exists", False)):
            try:
                flags[col] = (
                    as_bool(r[col], f"repurchases.{col} on {d}") if col in df.columns else absent
                )
            except ValueError as exc:
                raise FacilityInputError(str(exc)) from None
        notice, default = flags["notice_given"], flags["default_exists"]
        if basket is None:
            ok, why, cap = (
                False,
                f"no repurchase-program basket in version {t.version_name!r}",
                None,
            )
        else:
            cap = basket.value
            if not notice:
                ok, why = False, "condition (A): no notice and evidence of approvals to Bank"
            elif default:
                ok, why = False, "condition (B): Event of Default or resulting Default"
            elif used + amt > cap:
                ok, why = False, f"condition (C): aggregate would be {used + amt:,.2f} > {cap:,.2f}"
            else:
                ok, why = True, "within Sec. 7.7(b)(v)"
        if ok:
            used += amt
        out.append(
            {
                "date": d,
                "amount": amt,
                "permitted": ok,
                "reason": why,
                "cumulative": used,
                "remaining": None if cap is None else cap - used,
            }
        )
    return pd.DataFrame(out)


def indebtedness_headroom(
    terms: Facility | FacilityTerms, as_of: dt.date | str, kpn_note: Any, other: Any = 0
) -> pd.DataFrame:
    """Permitted Indebtedness clause (g) on ``as_of``: limits, amounts and headroom.

    Original: KPN note up to $9,000,000 plus up to $1,000,000 other, $10,000,000 in all.
    First Loan Modification: $16,000,000 in all, which may all be the KPN note.

    >>> from model.params import load
    >>> fac = load("params/facilities/svb-loan-agreement.yaml")
    >>> indebtedness_headroom(fac, "2008-04-28", 12_000_000, 1_000_000)["headroom"].tolist()
    [Decimal('4000000'), Decimal('3000000')]
    """
    d = to_date(as_of, "as_of")
    t = terms_for(terms, d)
    pi = t.permitted_indebtedness
    kpn = to_money(kpn_note, "kpn_note", date=d)
    oth = to_money(other, "other", date=d)
    rows = [("KPN note", pi.kpn_limit.value, kpn)]
    if pi.other_limit is not None:
        rows.append(("other indebtedness", pi.other_limit.value, oth))
    rows.append(("aggregate clause (g)", pi.aggregate_limit.value, kpn + oth))
    return pd.DataFrame(
        [
            {"item": n, "limit": lim, "amount": a, "headroom": lim - a, "permitted": a <= lim}
            for n, lim, a in rows
        ]
    ).set_index("item")
