"""Capitalization engines: the fully diluted share table and conversions by holder."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd

from model.engines.notes.accrual import FixedRateNote, convert
from model.errors import InputError
from model.terms.capital import Capitalization, CapitalizationTerms
from model.terms.notes import Allocations, NoteFile
from model.values import to_cents

__all__ = [
    "fully_diluted",
    "reserve_check",
    "conversion_by_holder",
    "interest_by_holder",
    "purchase_settlement",
]


def _check_cap(cap: Any) -> Capitalization:
    if not isinstance(cap, Capitalization):
        raise InputError(
            "needs a Capitalization (a kind: capitalization params file, "
            f"load('params/deals/ibasis/instruments/...')), not {type(cap).__name__}",
            key="cap",
        )
    return cap


def reserve_check(cap: Capitalization) -> pd.DataFrame:
    """Reconcile each convertible reserve with principal / conversion price.

    Notes
    -----
    NPA Sec. 5.4(iii) reserves 443,232 shares for the Existing Convertible Notes:
    38,180,000 / 86.14 = 443,231.95, so the reserve is the conversion count rounded
    up to a whole share (a reserve must cover every share that may be issued).
    """
    rows = []
    for r in _check_cap(cap).terms.reserved:
        if r.principal_basis is None or r.conversion_price is None:
            continue
        exact = Fraction(r.principal_basis.value) / Fraction(r.conversion_price.value)
        rows.append(
            {
                "reserve": r.id,
                "principal": r.principal_basis.value,
                "conversion_price": r.conversion_price.value,
                "exact_shares": round(float(exact), 4),
                "shares_rounded_up": math.ceil(exact),
                "stated_shares": r.shares.value,
                "reconciles": math.ceil(exact) == r.shares.value,
            }
        )
    return pd.DataFrame(rows)


def _reserve_rows(t: CapitalizationTerms) -> list[dict[str, object]]:
    """Common outstanding and each reserve, restated after closing where a reserve's
    principal changes."""
    rows: list[dict[str, object]] = [
        {
            "line": "Common stock outstanding",
            "as_stated": t.outstanding_common.value,
            "after_closing": t.outstanding_common.value,
            "provenance": t.outstanding_common.provenance,
        }
    ]
    for r in t.reserved:
        after = r.shares.value
        prov = r.shares.provenance
        if r.pro_forma_principal is not None and r.conversion_price is not None:
            after = convert(r.pro_forma_principal.value, r.conversion_price.value).shares
            prov += (
                f"; after closing: {r.pro_forma_principal.value:,} / {r.conversion_price.value} "
                f"= {after:,} whole shares issuable on conversion (a reserve would round up) "
                f"({r.pro_forma_principal.provenance})"
            )
        rows.append(
            {
                "line": r.label,
                "as_stated": r.shares.value,
                "after_closing": after,
                "provenance": prov,
            }
        )
    return rows


def _conversion_rows(cap: Capitalization) -> list[dict[str, object]]:
    """The convertibles issued at closing, converted into whole shares."""
    rows: list[dict[str, object]] = []
    for c in cap.terms.convertibles:
        note = FixedRateNote(cap.notes[c.id])
        conv = note.conversion_shares()
        rows.append(
            {
                "line": f"{note.name}: conversion at ${conv.conversion_price}",
                "as_stated": 0,
                "after_closing": conv.shares,
                "provenance": f"{conv.principal:,} / {conv.conversion_price} = {conv.shares:,} whole shares + "
                f"{conv.fractional_share} share paid in cash ({conv.cash_in_lieu})",
            }
        )
    return rows


def _total_rows(
    t: CapitalizationTerms, total_stated: int, total_after: int
) -> list[dict[str, object]]:
    """Fully diluted shares, authorized common, and the headroom between them."""
    auth = t.authorized_common.value
    negative = "; NEGATIVE after closing: more shares could be issued than are authorized"
    return [
        {
            "line": "Fully diluted shares",
            "as_stated": total_stated,
            "after_closing": total_after,
            "pct_after_closing": 100.0,
            "provenance": "sum of the lines above",
        },
        {
            "line": "Authorized common stock",
            "as_stated": auth,
            "after_closing": auth,
            "pct_after_closing": float("nan"),
            "provenance": t.authorized_common.provenance,
        },
        {
            "line": "Authorized less fully diluted",
            "as_stated": auth - total_stated,
            "after_closing": auth - total_after,
            "pct_after_closing": float("nan"),
            "provenance": "authorized common less fully diluted shares"
            + (negative if auth < total_after else ""),
        },
    ]


def fully_diluted(cap: Capitalization) -> pd.DataFrame:
    """Fully diluted share table: as stated in the capitalization, and after closing.

    Returns a DataFrame indexed by line with columns ``as_stated`` (the stated
    figures), ``after_closing`` (convertibles converted into whole shares, and
    convertible reserves restated for the principal left after any exchange),
    ``pct_after_closing`` and ``provenance``. The last rows give the total, the
    authorized common and the headroom (authorized less fully diluted).
    """
    _check_cap(cap)
    df = pd.DataFrame(_reserve_rows(cap.terms) + _conversion_rows(cap)).set_index("line")
    total_stated = int(df["as_stated"].sum())
    total_after = int(df["after_closing"].sum())
    df["pct_after_closing"] = (df["after_closing"] / total_after * 100).round(2)
    extra = pd.DataFrame(_total_rows(cap.terms, total_stated, total_after)).set_index("line")
    out = pd.concat([df, extra])
    out["as_stated"] = out["as_stated"].astype(int)
    out["after_closing"] = out["after_closing"].astype(int)
    return out[["as_stated", "after_closing", "pct_after_closing", "provenance"]]


NoteLike = FixedRateNote | NoteFile
"""A note's engine, or its terms (wrapped in :class:`FixedRateNote`)."""


def _engine(note: NoteLike) -> FixedRateNote:
    return note if isinstance(note, FixedRateNote) else FixedRateNote(note)


def _allocations(note: FixedRateNote) -> Allocations:
    alloc = note.terms.allocations
    if alloc is None:
        raise InputError(
            f"{note.name} has no holder allocations in its params file", key="allocations"
        )
    return alloc


def conversion_by_holder(note: NoteLike) -> pd.DataFrame:
    """Conversion of each holder's notes: whole shares and cash in lieu per holder.

    Fractions are settled per holder, so the holders' whole shares can add up to less
    than the conversion of the aggregate principal; the table shows both.
    """
    note = _engine(note)
    agg = note.conversion_shares()
    rows = []
    for r in _allocations(note).rows:
        c = convert(r.principal, agg.conversion_price)
        rows.append(
            {
                "holder": r.holder,
                "principal": r.principal,
                "shares": c.shares,
                "fractional_share": c.fractional_share,
                "cash_in_lieu": c.cash_in_lieu,
            }
        )
    df = pd.DataFrame(rows).set_index("holder")
    df.loc["Total (sum of holders)"] = [
        df["principal"].sum(),
        int(df["shares"].sum()),
        df["fractional_share"].sum(),
        df["cash_in_lieu"].sum(),
    ]
    aggregate: list[Any] = [agg.principal, agg.shares, agg.fractional_share, agg.cash_in_lieu]
    df.loc["Aggregate principal converted at once"] = aggregate
    df["shares"] = df["shares"].astype(int)
    return df


def interest_by_holder(note: NoteLike, as_of: object = None) -> pd.DataFrame:
    """Each holder's share of principal, of each regular coupon, of the annual interest,
    and of the interest over the note's life, with what is settled on principal events
    (pro rata to principal at issue, to the cent: who converted is not known).

    The holders' cents may differ from the aggregate coupon by rounding; the
    ``Total`` row sums the holders and the ``Aggregate`` row is the note's own figure.
    """
    note = _engine(note)
    alloc = _allocations(note)
    sched = note.coupon_schedule()
    t = note.terms.terms
    principal = t.principal.value
    rate = Fraction(t.coupon_rate.value)
    regular = sched[sched["year_fraction"] == 1 / t.frequency.value]
    coupon = (regular if len(regular) else sched)["coupon"].iloc[0]  # a regular coupon, not a stub
    # the note's interest over its life: every coupon and the interest settled on principal
    # events (a conversion settles the converted notes' accrued interest)
    settled: list[Any] = (
        list(sched["accrued_settled_on_events"]) if "accrued_settled_on_events" in sched else []
    )
    whole_life = sum((Fraction(c) for c in [*sched["coupon"], *settled]), Fraction(0))
    rows = []
    for r in alloc.rows:
        share = Fraction(r.principal) / Fraction(principal)
        life = share * whole_life
        row = {
            "holder": r.holder,
            "principal": r.principal,
            "share_pct": round(float(share) * 100, 4),
            "coupon": to_cents(Fraction(coupon) * share),
            "annual_interest": to_cents(Fraction(r.principal) * rate),
            "life_interest": to_cents(life),
        }
        if as_of is not None:
            row["accrued_at_as_of"] = to_cents(Fraction(note.accrued_interest(as_of)) * share)
        rows.append(row)
    df = pd.DataFrame(rows).set_index("holder")
    total = {c: df[c].sum() for c in df.columns}
    total["share_pct"] = round(
        float(sum(Fraction(r.principal) for r in alloc.rows) / Fraction(principal)) * 100, 4
    )
    df.loc["Total (sum of holders)"] = total
    aggregate = {
        "principal": principal,
        "share_pct": 100.0,
        "coupon": coupon,
        "annual_interest": to_cents(Fraction(principal) * rate),
        "life_interest": to_cents(whole_life),
    }
    if as_of is not None:
        aggregate["accrued_at_as_of"] = note.accrued_interest(as_of)
    df.loc["Aggregate (the note)"] = aggregate
    return df


def purchase_settlement(note: NoteLike) -> pd.DataFrame:
    """How each purchaser paid: cash, or surrender of other notes (NPA Sec. 2.5)."""
    note = _engine(note)
    alloc = _allocations(note)
    pik = {p.holder: p for p in note.terms.payment_in_kind}
    rows = []
    for r in alloc.rows:
        price = r.purchase_price if r.purchase_price is not None else r.principal
        p = pik.get(r.holder)
        surrendered = p.surrendered_principal if p else Decimal(0)
        rows.append(
            {
                "holder": r.holder,
                "purchase_price": price,
                "notes_surrendered": surrendered,
                "cash": max(price - surrendered, Decimal(0)),
                "surrendered_in_excess_of_price": max(surrendered - price, Decimal(0)),
                "source": p.source if p else alloc.source,
            }
        )
    df = pd.DataFrame(rows).set_index("holder")
    df.loc["Total"] = [df[c].sum() if c != "source" else "" for c in df.columns]
    return df
