"""The facility sizing report (notebook 02): what the revolving line can lend, day by day.

:func:`sizing_report` formats a :class:`~model.engines.covenants.sizing_study.FacilitySizing`
as a :class:`~model.reports.report.Report` with the sections ``as_of`` (the position and
the Bank's triggers), ``waterfall`` (eligible accounts, the Borrowing Base and the check
against the certificate), ``by_quarter``, ``interest``, ``sizing`` and ``reference``, and
the key figures.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from model.engines.covenants.sizing_study import FacilitySizing
from model.reports.formatting import describe_interest_basis, usd
from model.reports.report import Report
from model.reports.tables import Html, Table, banner, cell, details, headline, table
from model.terms.facility import Facility

__all__ = ["sizing_report"]


def sizing_report(
    facility: Facility, study: FacilitySizing, *, provenance: str, lag_given: bool
) -> Report:
    """The report of ``study`` (see the module docstring): ``provenance``, what the
    invoice, receivables, cash and draws files are (``illustrative`` or ``actual``);
    ``lag_given``, whether the certificate lag was a parameter of this run."""
    s = study
    terms, row, trig, quarters = s.terms, s.row, s.triggers, s.quarters
    day = s.as_of.isoformat()
    first, last = facility.versions[0][0], facility.versions[-1][0]
    diff = facility.diff(first, last)
    assumed = facility.assumptions()
    front: list[Html] = [
        headline(
            f"{facility.name} on {day}, under the {terms.title}",
            [
                (f"Availability on {day}", usd(row["availability"])),
                (f"Liquidity on {day} (cash at the Bank + availability)", usd(row["liquidity"])),
                (
                    f"Outstanding on {day}, against a limit of {usd(row['limit'])}",
                    usd(row["outstanding"]),
                ),
                (
                    f"Lowest availability, {s.ledger_start} to {s.ledger_end} "
                    f"(quarters ended {', '.join(s.lowest_quarters)})",
                    usd(s.lowest_availability),
                ),
                (
                    f"Days under cash dominion, {s.ledger_start} to {s.ledger_end}",
                    f"{s.days_dominion} of {len(s.ledger)}",
                ),
                (
                    f"First day an unchanged {cell(s.sizing_balance, 'usd_whole')} balance exceeds the limit",
                    str(s.shortfall) if s.shortfall else f"none to {s.ledger_end}",
                ),
                (f"Termination fee if the line is terminated on {day}", usd(s.fee_on_as_of)),
            ],
        ),
        banner(
            (
                [
                    f"Invoices, receivables, cash and draws are {provenance} sample data, not "
                    f"{facility.borrower} figures: availability, liquidity, the trigger days, interest and the sizing "
                    "answers all depend on them."
                ]
                if provenance != "actual"
                else []
            )
            + [
                f"{len(assumed)} terms are assumptions, not in the documents, among them the margin "
                f"over the base rate ({cell(terms.interest.margin.value, 'rate')}), the interest day "
                f"count ({terms.interest.day_count.value}), the eligibility rules and the certificate "
                f"lag ({terms.borrowing_base.certificate_lag_days.value} days); each is listed with "
                "its reason under Reference."
            ]
            + (
                [
                    f"This run applies each Borrowing Base Certificate {s.lag_days} days after its date (a parameter)."
                ]
                if lag_given
                else []
            ),
            "Illustrative inputs and assumptions",
        ),
    ]
    t_position, t_triggers = _as_of_tables(s, day)
    waterfall_parts, waterfall_tables = _waterfall(s, day)
    t_quarters, t_trigger_days = _quarter_tables(facility, s)
    t_interest = table(
        quarters[["interest", "fees"]],
        "Interest for the quarter's days (each month's amount as paid) and fees, by quarter",
        "t02-interest",
        index=("Quarter end", "date"),
        note=describe_interest_basis(s.rate_basis),
        sheet="Interest by quarter",
    )
    t_fees = table(
        s.fees.set_index("fee").rename(index=lambda f: f.replace("_", " ").capitalize()),
        "One-time fees",
        "t02-fees",
        columns={
            "date": ("Date", "date"),
            "amount": ("Amount", "usd"),
            "source": ("Source", "text"),
        },
        index=("Fee", "text"),
        sheet="One-time fees",
    )
    t_termination = table(
        s.fee_schedule.set_index("from"),
        "Termination fee by date of termination",
        "t02-termination",
        columns={
            "to": ("To", "date"),
            "version": ("Terms version", "text"),
            "line": ("Revolving Line", "usd_whole"),
            "rate": ("Fee rate", "figure"),
            "fee": ("Termination fee", "usd"),
        },
        index=("From", "date"),
        note=f"Termination fee if terminated on {day}: {usd(s.fee_on_as_of)} (at the Borrower's "
        "election with no exception; the Effective Date is an assumption).",
        sheet="Termination fee",
    )
    t_needed = table(
        s.needed,
        f"Eligible domestic receivables needed to carry {usd(s.sizing_balance)} "
        f"(eligible foreign {usd(s.certificate['eligible_foreign'])})",
        "t02-receivables-needed",
        columns={
            "over_advance_limit": ("Over-advance allowed", "usd_whole"),
            "eligible_domestic_needed": ("Eligible domestic needed", "usd"),
            "note": ("Note", "text"),
        },
        index=("Date", "date"),
        note="The day before and the day of each change of the line or of the clause (c) "
        f"over-advance. Maximum draw on {day}: {usd(s.max_draw)} (certificate dated "
        f"{s.certificate['date']}, lag {s.lag_days} days). An unchanged {usd(s.sizing_balance)} "
        "balance with unchanged receivables first exceeds the limit on "
        f"{s.shortfall or 'no day to ' + s.ledger_end}.",
        sheet="Receivables needed",
    )
    reference_tables = _reference_tables(facility, s, diff, assumed, first, last)
    reference = [
        details(f"Terms changed from {first} to {last} ({len(diff)})", reference_tables[0]),
        details(f"Assumptions to review ({len(assumed)})", reference_tables[1]),
        details(
            f"Daily ledger on the {len(s.change_days)} days the terms change", reference_tables[2]
        ),
        details(f"Interest by month ({len(s.months)} months)", reference_tables[3]),
        details("Why the springing test applies, by quarter", reference_tables[4]),
    ]
    wf, bb = s.waterfall, s.borrowing_base
    figures = {
        "as_of": day,
        "version": terms.version_name,
        "revolving_line": terms.line,
        "certificate_lag_days": s.lag_days,
        "certificate_on_as_of": {
            "date": s.certificate["date"],
            "eligible_domestic": s.certificate["eligible_domestic"],
            "eligible_foreign": s.certificate["eligible_foreign"],
        },
        "waterfall": None
        if wf is None or bb is None
        else {
            "aged_as_of": s.aged_as_of,
            "eligible_domestic": wf.loc["eligible accounts", "domestic"],
            "eligible_foreign": wf.loc["eligible accounts", "foreign"],
            "borrowing_base": s.borrowing_base_cents(),
        },
        "ledger_on_as_of": {
            "outstanding": row["outstanding"],
            "limit": row["limit"],
            "availability": row["availability"],
            "liquidity": row["liquidity"],
            "cash_dominion": bool(row["cash_dominion"]),
            "agings_reports_required": bool(row["agings_reports_required"]),
        },
        "days_over_limit": int(quarters["days_over_limit"].sum()),
        "interest_total": s.months["interest_total"].sum(),
        "interest_basis": s.rate_basis,
        "one_time_fees": s.fees["amount"].sum(),
        "termination_fee_on_as_of": s.fee_on_as_of,
        "max_draw_on_as_of": s.max_draw,
        "first_shortfall_date": s.shortfall,
        "quarters": quarters,
    }
    lines = [
        f"Terms on {day}: {terms.version_name}; {len(diff)} terms changed; {len(assumed)} assumptions"
    ]
    if wf is not None and bb is not None:
        lines.append(
            f"Waterfall: eligible domestic {usd(wf.loc['eligible accounts', 'domestic'])}, "
            f"foreign {usd(wf.loc['eligible accounts', 'foreign'])}; limit {usd(bb.limit)}; "
            f"agrees: {s.agrees}"
        )
    lines += [
        f"On {day}: outstanding {usd(row['outstanding'])}, limit {usd(row['limit'])}",
        f"On {day}: availability {usd(row['availability'])}, liquidity {usd(row['liquidity'])}",
        f"Triggers on {day}: agings reports {trig.agings_reports_required}, cash dominion "
        f"{trig.cash_dominion}, springing {trig.cash_flow_covenant_springs}",
        f"Lowest availability {usd(s.lowest_availability)} ({', '.join(s.lowest_quarters)}); "
        f"lowest liquidity {usd(quarters['min_liquidity'].min())}",
        f"Days under cash dominion {s.days_dominion}; over the limit {len(s.over_limit)}; "
        f"draws refused {len(s.refused)}",
        f"Interest {s.ledger_start} to {s.ledger_end}: {usd(s.months['interest_total'].sum())}; "
        f"one-time fees {usd(s.fees['amount'].sum())}",
        f"Termination fee on {day}: {usd(s.fee_on_as_of)}",
        f"Maximum draw on {day}: {usd(s.max_draw)}",
        f"Eligible domestic needed for {usd(s.sizing_balance)}: "
        f"{usd(s.needed['eligible_domestic_needed'].min())} to "
        f"{usd(s.needed['eligible_domestic_needed'].max())}",
        f"First shortfall of {usd(s.sizing_balance)}: {s.shortfall}",
    ]
    return Report(
        name="02-facility-sizing",
        front=front,
        sections={
            "as_of": [t_position, t_triggers],
            "waterfall": waterfall_parts,
            "by_quarter": [t_quarters, t_trigger_days],
            "interest": [t_interest, t_fees, t_termination],
            "sizing": [t_needed],
            "reference": reference,
        },
        tables=[
            t_position,
            t_triggers,
            *waterfall_tables,
            t_quarters,
            t_trigger_days,
            t_interest,
            t_fees,
            t_termination,
            t_needed,
            reference_tables[0],
            reference_tables[2],
            reference_tables[3],
            reference_tables[4],
        ],
        figures=figures,
        sources=assumed,
        lines=lines,
    )


def _as_of_tables(s: FacilitySizing, day: str) -> tuple[Table, Table]:
    terms, row, trig = s.terms, s.row, s.triggers
    t_position = table(
        pd.DataFrame(
            {
                "amount": [
                    row["outstanding"],
                    row["limit"],
                    row["availability"],
                    row["cash"],
                    row["liquidity"],
                ]
            },
            index=pd.Index(
                [
                    "Advances outstanding",
                    "Limit (lesser of the Revolving Line and the Borrowing Base)",
                    "Availability",
                    "Cash at the Bank",
                    "Liquidity (cash at the Bank + availability)",
                ],
                name="item",
            ),
        ),
        f"Position on {day}",
        "t02-position",
        columns={"amount": ("Amount", "usd")},
        index=("", "text"),
        note=f"Terms: {terms.title}. Borrowing Base from the certificate dated "
        f"{row['certificate_date']}, applied {s.lag_days} days after its date.",
        sheet="Position",
    )
    springing = terms.covenant(trig.cash_flow_covenant_id) if trig.cash_flow_covenant_id else None
    more = springing is not None
    agings, dominion = terms.triggers.agings_reports_below, terms.triggers.cash_dominion_below
    names: list[str] = [
        f"Agings and unbilled revenue reports may be required ({agings and agings.reference})",
        f"Cash dominion ({dominion.reference})",
    ]
    if springing is not None:
        names.append(f"{springing.title} applies ({springing.reference})")
    t_triggers = table(
        pd.DataFrame(
            {
                "threshold": [trig.agings_threshold, trig.cash_dominion_threshold]
                + ([trig.cash_flow_threshold] if more else []),
                "measured": [
                    f"cash {usd(trig.cash)}; availability {usd(trig.availability)}",
                    usd(trig.liquidity),
                ]
                + ([usd(trig.liquidity)] if more else []),
                "triggered": [trig.agings_reports_required, trig.cash_dominion]
                + ([trig.cash_flow_covenant_springs] if more else []),
                "rule": [
                    trig.agings_rule,
                    f"liquidity below {cell(trig.cash_dominion_threshold, 'usd_whole')}",
                ]
                + (
                    [f"liquidity below {cell(trig.cash_flow_threshold, 'usd_whole')}"]
                    if more
                    else []
                ),
            },
            index=pd.Index(names, name="trigger"),
        ),
        f"The Bank's triggers on {day}",
        "t02-triggers",
        columns={
            "threshold": ("Threshold", "usd_whole"),
            "measured": ("Measured", "figure"),
            "triggered": ("Triggered", "yes_no"),
            "rule": ("Rule", "text"),
        },
        index=("Trigger", "text"),
        sheet="Triggers",
    )
    return t_position, t_triggers


def _waterfall(s: FacilitySizing, day: str) -> tuple[list[Any], list[Table]]:
    if s.waterfall is None or s.borrowing_base is None or s.certificate_check is None:
        return [
            banner(
                [
                    f"The invoice list is aged as of {s.aged_as_of}, not {day}: ageing it again would "
                    f"be wrong. Supply invoices aged as of {day} to see the eligibility waterfall."
                ],
                "Eligibility waterfall not shown",
            )
        ], []
    assert s.certificate_as_of is not None
    t_waterfall = table(
        s.waterfall,
        f"Eligible accounts on {day}: gross receivables to eligible",
        "t02-waterfall",
        columns={
            "domestic": ("Domestic", "usd"),
            "foreign": ("Foreign", "usd"),
            "total": ("Total", "usd"),
        },
        index=("Step", "text"),
        note="Eligibility rules are assumptions (listed under Reference). Exact arithmetic; each "
        "figure rounded to the cent once, half up.",
        sheet="Eligibility waterfall",
    )
    t_bb = table(
        s.borrowing_base.to_frame(),
        f"Borrowing Base on {day}",
        "t02-borrowing-base",
        columns={"amount": ("Amount", "usd")},
        index=("Clause", "text"),
        sheet="Borrowing Base",
    )
    t_check = table(
        s.certificate_check.rename(index=lambda r: r.replace("_", " ").capitalize()),
        f"The waterfall against the Borrowing Base Certificate dated {s.certificate_as_of['date']}",
        "t02-certificate-check",
        columns={
            "waterfall": ("Waterfall", "usd"),
            "certificate": ("Certificate", "usd"),
            "difference": ("Difference", "usd"),
        },
        index=("", "text"),
        note="They agree."
        if s.agrees
        else "THEY DISAGREE: the ledger uses the certificate, not this waterfall.",
        sheet="Certificate check",
    )
    tables = [t_waterfall, t_bb, t_check]
    return list(tables), tables


def _quarter_tables(facility: Facility, s: FacilitySizing) -> tuple[Table, Table]:
    quarters, over, refused = s.quarters, s.over_limit, s.refused
    t_quarters = table(
        quarters[
            [
                "days_covered",
                "days_in_quarter",
                "min_liquidity",
                "min_availability",
                "average_outstanding",
                "max_over_advance",
            ]
            + ([] if over.empty else ["days_over_limit", "max_excess_over_limit"])
        ],
        "Liquidity and availability by quarter",
        "t02-quarters",
        columns={
            "average_outstanding": ("Average outstanding", "usd"),
            "max_over_advance": ("Largest over-advance in use", "usd"),
            "max_excess_over_limit": ("Largest excess over the limit", "usd"),
        },
        index=("Quarter end", "date"),
        note=(
            "The balance never exceeds the lesser of the line and the Borrowing Base between "
            f"{s.ledger_start} and {s.ledger_end}."
            if over.empty
            else f"THE BALANCE EXCEEDS the lesser of the line and the Borrowing Base on {len(over)} "
            f"days, {over.index[0].date()} to {over.index[-1].date()}: the Borrower must repay "
            "the excess."
        )
        + (
            " No draw was refused."
            if refused.empty
            else f" Draws refused (above availability) on {len(refused)} days, "
            f"{usd(refused['draw_refused'].sum())} in all."
        ),
        sheet="Quarters",
    )
    versions = dict.fromkeys(v for v in quarters["cash_flow_version"] if v)
    t_trigger_days = table(
        quarters[
            [
                "days_agings_trigger",
                "days_cash_dominion",
                "cash_flow_threshold",
                "days_below_cash_flow_threshold",
                "cash_flow_covenant_springs",
            ]
        ],
        "Days each trigger was met, by quarter",
        "t02-trigger-days",
        columns={
            "days_agings_trigger": ("Days agings may be required", "int"),
            "cash_flow_threshold": ("Springing level", "usd_whole"),
            "days_below_cash_flow_threshold": ("Days below the springing level", "int"),
            "cash_flow_covenant_springs": ("Springing test applies", "yes_no"),
        },
        index=("Quarter end", "date"),
        note="The springing test uses the terms in force when the quarter's certificate is due ("
        + ", ".join(facility.version(v).title for v in versions)
        + ") and applies if liquidity is below the level on any day of the quarter.",
        sheet="Trigger days",
    )
    return t_quarters, t_trigger_days


def _reference_tables(
    facility: Facility,
    s: FacilitySizing,
    diff: pd.DataFrame,
    assumed: pd.DataFrame,
    first: str,
    last: str,
) -> list[Table]:
    t_diff = table(
        diff.set_index("term"),
        f"Every term the {facility.version(last).title} changes",
        "t02-term-diff",
        columns={
            "before": ("Before", "text"),
            "after": ("After", "text"),
            "section": ("Section", "text"),
        },
        index=("Term", "text"),
        sheet="Terms changed",
    )
    t_assumed = table(
        assumed.set_index("term"),
        "Assumptions to review (not in the documents)",
        "t02-assumptions",
        columns={
            "value": ("Value", "figure"),
            "assumption": ("Assumption", "text"),
            "versions": ("Versions", "text"),
        },
        index=("Term", "text"),
        sheet="Assumptions",
    )
    t_change_days = table(
        s.ledger.loc[
            pd.to_datetime(s.change_days),
            [
                "version",
                "certificate_date",
                "line",
                "over_advance_limit",
                "borrowing_base",
                "limit",
                "outstanding",
                "over_advance",
                "excess_over_limit",
                "availability",
                "liquidity",
                "cash_dominion_threshold",
                "cash_dominion",
            ],
        ],
        "The ledger on the days the terms change, and the day before each",
        "t02-change-days",
        columns={
            "version": ("Terms version", "text"),
            "certificate_date": ("Certificate date", "date"),
            "over_advance": ("Over-advance in use", "usd"),
            "excess_over_limit": ("Excess over the limit", "usd"),
            "cash_dominion_threshold": ("Cash dominion below", "usd"),
        },
        index=("Date", "date"),
        sheet="Ledger on change days",
    )
    t_months = table(
        s.months,
        "Interest by month",
        "t02-months",
        columns={
            "days": ("Days", "int"),
            "average_outstanding": ("Average outstanding", "usd"),
            "interest_revolver": ("Interest, revolver", "usd"),
            "interest_over_advance": ("Interest on the over-advance tranche, at its rate", "usd"),
            "interest_total": ("Interest", "usd"),
        },
        index=("Month", "text"),
        sheet="Interest by month",
    )
    t_springing = table(
        s.quarters[["cash_flow_reason"]],
        "Why the springing test applies, by quarter",
        "t02-springing",
        columns={"cash_flow_reason": ("Reason", "text")},
        index=("Quarter end", "date"),
        sheet="Springing test",
    )
    return [t_diff, t_assumed, t_change_days, t_months, t_springing]
