"""The interest accrual report (notebook 01): a note, the exchange it came from, its shares.

:func:`accrual_report` formats a :class:`~model.engines.notes.study.NoteStudy` as a
:class:`~model.reports.report.Report` with the sections ``exchange``, ``coupons``,
``expense``, ``holders``, ``conversion`` and ``reference``, and the key figures.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from model.engines.notes.study import NoteStudy
from model.reports.formatting import usd
from model.reports.report import Report
from model.reports.tables import Html, Table, banner, details, headline, table

__all__ = ["accrual_report"]


def _headline(s: NoteStudy) -> Html:
    note, conv, expense = s.note, s.conversion, s.expense
    authorized_less = s.authorized_less
    return headline(
        f"{note.name}; {s.exchange.terms.name}, {s.settled['date']}",
        [
            (
                "Accrued interest at the exchange, recomputed "
                f"({s.exchange.note.terms.day_count.value})",
                usd(s.accrued_at_exchange),
            ),
            ("Stated in the letter agreement", usd(s.stated)),
            ("Difference", usd(s.accrued_at_exchange - s.stated)),
            (f"Accrued interest on the 8% notes on {s.as_of}", usd(s.accrued)),
            (
                f"Interest expense {expense['period'].iloc[0]} to {expense['period'].iloc[-1]}",
                usd(s.total_expense),
            ),
            (f"Shares on conversion at ${conv.conversion_price}", f"{conv.shares:,}"),
            *(
                (
                    f"Converted {r['date']} ("
                    f"{'assumed date' if r['provenance'].startswith('ASSUMPTION') else 'documented'})",
                    f"{usd(r['principal'])} into {r['shares']:,} shares",
                )
                for _, r in s.conversions.iterrows()
            ),
            *(
                (
                    (
                        f"Shares on converting the {usd(s.remaining.principal)} still outstanding",
                        f"{s.remaining.shares:,}",
                    ),
                    (
                        "Fully diluted after the conversions",
                        f"{s.fully_diluted_after_conversions:,}",
                    ),
                )
                if len(s.conversions)
                else ()
            ),
            ("Fully diluted shares after closing", f"{s.fully_diluted_after:,}"),
            (
                "Authorized less fully diluted, after closing",
                f"{authorized_less:,}" if authorized_less >= 0 else f"({-authorized_less:,})",
            ),
        ],
    )


def accrual_report(study: NoteStudy) -> Report:
    """The report of ``study`` (see the module docstring)."""
    s = study
    note, conv, expense, schedule = s.note, s.conversion, s.expense, s.schedule
    front = [_headline(s)]
    if s.authorized_less < 0:
        front.append(
            banner(
                [str(s.fully_diluted.loc["Authorized less fully diluted", "provenance"])],
                "Warning: fully diluted shares exceed the authorized common stock by "
                f"{-s.authorized_less:,}",
            )
        )
    front.append(
        banner(
            [
                f"{doc}: "
                + ", ".join(
                    f"{t.replace('_', ' ')} ({', '.join(v) if isinstance(v, tuple) else v})"
                    for t, v in zip(a["term"], a["value"], strict=True)
                )
                + (" is an assumption" if len(a) == 1 else " are assumptions")
                + ", not in the documents."
                for doc, a in s.assumed.groupby("document", sort=False)
            ]
            + list(note.terms.notes)
            + ["Each assumption's reason is in the Sources and assumptions table at the end."],
            "Assumptions and what is not modelled",
        )
    )
    t_exchange = _exchange_table(s)
    t_coupons = table(
        schedule.set_index("period_start"),
        f"{note.name}: coupon schedule",
        "t01-coupons",
        columns={
            "period_end": ("Period end", "date"),
            "payment_date": ("Payment date", "date"),
            "days": ("Days", "int"),
            "year_fraction": ("Year fraction", "figure"),
            "principal": ("Principal", "usd"),
            "accrued_settled_on_events": ("Accrued interest settled on principal events", "usd"),
            "coupon": ("Coupon", "usd"),
        },
        index=("Period start", "date"),
        note=f"Total coupons {usd(sum(schedule['coupon']))}. Accrued interest on {s.as_of}: "
        f"{usd(s.accrued)} on principal {usd(note.outstanding(s.as_of))}.",
        sheet="Coupons",
    )
    t_expense = table(
        expense.set_index("period"),
        f"{note.name}: interest expense by fiscal quarter",
        "t01-expense",
        columns={
            "start": ("Quarter start", "date"),
            "end": ("Quarter end", "date"),
            "principal_at_end": ("Principal at quarter end", "usd"),
            "interest_expense": ("Interest expense", "usd"),
        },
        index=("Fiscal quarter", "text"),
        note=f"Total {expense['period'].iloc[0]} to {expense['period'].iloc[-1]}: {usd(s.total_expense)}.",
        sheet="Interest expense",
    )
    t_purchases, t_holders = _holder_tables(s)
    t_conversion, t_reserve, t_fd = _share_tables(s)
    t_sources = table(
        s.sources,
        "Every term with its source or assumption",
        "t01-sources",
        columns={
            "document": ("Document", "text"),
            "term": ("Term", "text"),
            "value": ("Value", "figure"),
            "kind": ("Kind", "text"),
            "provenance": ("Source or assumption", "text"),
            "note": ("Note", "text"),
        },
        index=("", "text"),
        sheet="Sources and assumptions",
    )
    n_notes = len(note.terms.notes) + len(s.defects)
    t_notes = table(
        pd.DataFrame(
            {
                "kind": ["note on the terms"] * len(note.terms.notes)
                + ["data defect"] * len(s.defects),
                "text": [*note.terms.notes, *s.defects],
            },
            index=pd.RangeIndex(1, n_notes + 1),
        ),
        f"{note.name}: notes on the terms and data defects found in the source",
        "t01-notes",
        columns={"kind": ("Kind", "text"), "text": ("What it says", "text")},
        index=("", "text"),
        sheet="Notes and data defects",
    )
    prov = s.sources[s.sources["document"] == note.terms.name]
    figures = {
        "symphony_exchange_accrued_interest": s.accrued_at_exchange,
        "symphony_exchange_accrued_interest_stated": s.stated,
        "instrument": note.name,
        "as_of": s.as_of,
        "accrued_interest_as_of": s.accrued,
        "coupon_schedule": schedule,
        "interest_expense_by_quarter": expense,
        "conversion": conv.as_dict(),
        "conversions": [
            {k: r[k] for k in ("date", "principal", "shares", "cash_in_lieu", "outstanding_after")}
            for _, r in s.conversions.iterrows()
        ],
        "conversion_after_events": s.remaining.as_dict(),
        "fully_diluted_after_conversions": s.fully_diluted_after_conversions,
        "fully_diluted_after_closing": int(s.fully_diluted_after),
        "assumptions": prov[prov["kind"] == "assumption"]["term"].tolist(),
    }
    total = "Total (sum of holders)"
    converted: Any = s.converted.loc[total]
    lines = [
        f"Accrued interest at the exchange: {usd(s.accrued_at_exchange)} (letter {usd(s.stated)})",
        f"Accrued interest on {s.as_of}: {usd(s.accrued)} on principal {usd(note.outstanding(s.as_of))}",
        f"Coupons: {len(schedule)}, total {usd(sum(schedule['coupon']))}",
        f"Interest expense {expense['period'].iloc[0]} to {expense['period'].iloc[-1]}: {usd(s.total_expense)}",
        f"Purchase price {usd(s.purchases.loc['Total', 'purchase_price'])}, in cash "
        f"{usd(s.purchases.loc['Total', 'cash'])}",
        f"Accrued on {s.as_of}, sum of holders: {usd(s.holders.loc[total, 'accrued_at_as_of'])}",
        f"Conversion: {conv.shares:,} shares + {conv.fractional_share} share in cash ({usd(conv.cash_in_lieu)})",
        *(
            f"Converted {r['date']}: {usd(r['principal'])} into {r['shares']:,} shares; outstanding "
            f"after: {usd(r['outstanding_after'])}"
            for _, r in s.conversions.iterrows()
        ),
        f"Shares on converting what is outstanding after the conversions: {s.remaining.shares:,}; "
        f"fully diluted after them: {s.fully_diluted_after_conversions:,}",
        f"Conversion per holder: {converted['shares']:,} shares, "
        f"cash {usd(converted['cash_in_lieu'])}",
        f"Reserve check reconciles: {bool(s.reserve['reconciles'].all())}",
        f"Fully diluted after closing: {s.fully_diluted_after:,}; authorized less fully diluted: "
        f"{s.authorized_less:,}",
        f"Assumptions: {', '.join(figures['assumptions'])}",
    ]
    return Report(
        name="01-interest-accrual",
        front=front,
        sections={
            "exchange": [t_exchange],
            "coupons": [t_coupons],
            "expense": [t_expense],
            "holders": [t_purchases, t_holders],
            "conversion": [t_conversion, t_reserve, t_fd],
            "reference": [
                details(
                    f"Sources and assumptions ({len(s.assumed)} assumptions in {len(s.sources)} terms)",
                    t_sources,
                ),
                details(f"Notes on the terms and data defects ({n_notes})", t_notes),
            ],
        },
        tables=[
            t_exchange,
            t_coupons,
            t_expense,
            t_purchases,
            t_holders,
            t_conversion,
            t_reserve,
            t_fd,
            t_notes,
        ],
        figures=figures,
        sources=s.sources,
        lines=lines,
    )


def _exchange_table(s: NoteStudy) -> Table:
    exchange, settled = s.exchange, s.settled
    c = exchange.terms.consideration
    day_count = exchange.note.terms.day_count
    return table(
        pd.DataFrame(
            {
                "value": [
                    usd(settled["principal"]),
                    f"{settled['accrued_from']} to {settled['date']}",
                    f"{day_count.value}",
                    usd(s.accrued_at_exchange),
                    usd(s.stated),
                    usd(s.accrued_at_exchange - s.stated),
                ],
                "source": [
                    exchange.terms.principal_exchanged.source,
                    "from the last coupon date to the exchange date",
                    day_count.source or f"assumption: {day_count.assumption}",
                    "principal x rate x year fraction",
                    exchange.terms.accrued_interest_paid.source,
                    "recomputed less stated",
                ],
            },
            index=pd.Index(
                [
                    "Principal exchanged",
                    "Accrual period",
                    "Day count",
                    "Accrued interest, recomputed",
                    "Accrued interest, letter agreement",
                    "Difference",
                ],
                name="item",
            ),
        ),
        f"Accrued interest at the exchange of {settled['date']}",
        "t01-exchange",
        columns={"value": ("Amount or term", "figure"), "source": ("Source", "text")},
        index=("", "text"),
        note=f"Consideration: {usd(c.principal.value)} of {c.name} ({c.principal_per_dollar.value} "
        f"per $1.00 exchanged) plus warrants for {c.warrants.value:,} shares.",
        sheet="Exchange",
    )


def _holder_tables(s: NoteStudy) -> tuple[Table, Table]:
    purchases, holders = s.purchases, s.holders
    t_purchases = table(
        purchases.drop(columns="source"),
        "Purchase price and how it was paid",
        "t01-purchases",
        columns={
            "purchase_price": ("Purchase price", "usd"),
            "notes_surrendered": ("Existing Notes surrendered", "usd"),
            "cash": ("Paid in cash", "usd"),
            "surrendered_in_excess_of_price": ("Surrendered in excess of the price", "usd"),
        },
        index=("Purchaser", "text"),
        note="Sources: " + "; ".join(dict.fromkeys(x for x in purchases["source"] if x)) + ".",
        sheet="Purchasers",
    )
    t_holders = table(
        holders.assign(share_pct=holders["share_pct"] / 100),
        f"Interest per purchaser (accrued on {s.as_of})",
        "t01-holders",
        columns={
            "principal": ("Principal", "usd"),
            "share_pct": ("Share of the notes", "percent"),
            "coupon": ("Semi-annual coupon", "usd"),
            "annual_interest": ("Annual interest", "usd"),
            "life_interest": ("Interest to maturity", "usd"),
            "accrued_at_as_of": (f"Accrued on {s.as_of}", "usd"),
        },
        index=("Purchaser", "text"),
        note="Each holder's amounts are rounded to the cent, so their sum can differ from the "
        "note's by cents.",
        sheet="Interest per purchaser",
    )
    return t_purchases, t_holders


def _share_tables(s: NoteStudy) -> tuple[Table, Table, Table]:
    conv, fd = s.conversion, s.fully_diluted
    t_conversion = table(
        s.converted,
        f"Conversion at ${conv.conversion_price} per share",
        "t01-conversion",
        columns={
            "principal": ("Principal", "usd"),
            "shares": ("Whole shares", "int"),
            "fractional_share": ("Fractional share paid in cash", "figure"),
            "cash_in_lieu": ("Cash in lieu", "usd"),
        },
        index=("Purchaser", "text"),
        note=f"{usd(conv.principal)} converted at once: {conv.shares:,} whole shares and "
        f"{conv.fractional_share} share paid in cash ({usd(conv.cash_in_lieu)}).",
        sheet="Conversion",
    )
    t_reserve = table(
        s.reserve.set_index("reserve").rename(index=lambda r: r.replace("_", " ").capitalize()),
        "Shares reserved for the Existing Convertible Notes (NPA Sec. 5.4)",
        "t01-reserve",
        columns={
            "principal": ("Principal", "usd"),
            "conversion_price": ("Conversion price", "usd"),
            "exact_shares": ("Shares, exact", "figure"),
            "shares_rounded_up": ("Shares, rounded up", "int"),
            "stated_shares": ("Shares stated in the NPA", "int"),
            "reconciles": ("Reconciles", "yes_no"),
        },
        index=("Reserve", "text"),
        sheet="Reserve check",
    )
    t_fd = table(
        fd.assign(pct_after_closing=fd["pct_after_closing"] / 100),
        "Fully diluted shares (NPA Sec. 5.4)",
        "t01-fully-diluted",
        columns={
            "as_stated": ("As stated in the NPA", "int"),
            "after_closing": ("After closing", "int"),
            "pct_after_closing": ("Share after closing", "percent"),
            "provenance": ("Source or calculation", "text"),
        },
        index=("", "text"),
        sheet="Fully diluted",
    )
    return t_conversion, t_reserve, t_fd
