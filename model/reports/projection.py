"""The projection report (notebook 04): one scenario, quarter by quarter, to the covenants.

:func:`projection_report` takes a scenario and its projection and returns a
:class:`~model.reports.report.Report`:

- ``front``: the headline (as of, the last reported quarter, the first forecast breach, the
  lowest liquidity against its springing level, the Event of Default, the revolver's
  maturity) with each covenant's worst status, then what is reported and what assumed, and
  the plausibility warnings;
- ``timeline``: the deal's quarters, reported then forecast, the bridge from the company's
  Adjusted EBITDA, and the forecast against what was later reported;
- ``covenants``: status and headroom by quarter;
- ``funding_gaps``: the days with cash needed beyond what the revolver could lend;
- ``reference``: the full quarterly statement, the days under each trigger, every
  covenant test and every input with its source;
- ``figures``: the key figures (the index reads ``dashboard`` and ``quarters``).

Words for the line items are :data:`LINE_ITEMS`; words for the inputs come from the terms
(:func:`model.terms.scenarios.input_words`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from model.engines.projection.study import ProjectionStudy
from model.reports.excel_projection import ProjectedWorkbook, projection_sheets
from model.reports.report import Report, first_upper
from model.reports.tables import Html, Table, banner, cell, details, headline, table
from model.reports.timeline import (
    ebitda_bridge,
    forecast_vs_actual_table,
    quarter_key_figures,
    timeline_covenant_table,
    timeline_table,
)
from model.terms.scenarios import Scenario, input_words

__all__ = [
    "LINE_ITEMS",
    "STATEMENT_SECTIONS",
    "projection_report",
    "inputs_table",
    "ranked_covenants",
]

LINE_ITEMS: dict[str, str] = {
    "revenue": "Revenue",
    "ebitda": "EBITDA",
    "depreciation": "Depreciation",
    "amortization": "Amortization",
    "non_cash_items": "Non-cash items (stock compensation)",
    "one_time_costs": "One-time costs (added back)",
    "revolver_interest": "Revolver interest (accrued)",
    "facility_fees": "Facility fees",
    "other_debt_interest": "Interest on other debt",
    "interest_expense": "Interest expense",
    "income_tax_expense": "Income tax expense",
    "net_income": "Net income",
    "operating_cash": "Operating cash flow (before the taxes, capex and distributions below)",
    "income_taxes_paid": "Income taxes paid",
    "capex_unfunded": "Capital expenditures paid from cash",
    "dividends": "Dividends",
    "repurchases": "Stock repurchases",
    "distributions_blocked": "Dividends and repurchases blocked (Event of Default)",
    "cash": "Cash at the Bank",
    "receivables": "Receivables",
    "receivables_domestic": "Receivables, domestic",
    "receivables_foreign": "Receivables, foreign",
    "eligible_domestic": "Eligible domestic receivables",
    "eligible_foreign": "Eligible foreign receivables",
    "borrowing_base": "Borrowing Base (with over-advance)",
    "over_advance_limit": "Over-advance limit (in the Borrowing Base)",
    "limit": "Limit: lesser of line and Borrowing Base",
    "draw": "Draws",
    "repayment": "Repayments",
    "forced_repayment": "Forced repayments (over the limit)",
    "outstanding": "Revolver outstanding",
    "revolver_tranche": "Outstanding, revolver tranche",
    "over_advance_used": "Outstanding, over-advance in use",
    "peak_outstanding": "Peak outstanding in the quarter",
    "availability": "Availability",
    "interest_paid": "Interest paid (previous month's, in arrears)",
    "fees_paid": "Fees paid",
    "liquidity": "Liquidity at the quarter end (cash + availability)",
    "min_liquidity": "Lowest liquidity in the quarter",
    "funding_gap": "Funding gap (cash needed beyond availability)",
}
"""A projected quarter's line item -> its words in the quarterly statement."""

STATEMENT_SECTIONS: dict[str, list[str]] = {
    "Profit and loss": [
        "revenue", "ebitda", "depreciation", "amortization", "non_cash_items",
        "one_time_costs", "revolver_interest", "facility_fees", "other_debt_interest",
        "interest_expense", "income_tax_expense", "net_income",
    ],
    "Cash and receivables": [
        "operating_cash", "income_taxes_paid", "capex_unfunded", "dividends", "repurchases",
        "distributions_blocked", "cash", "receivables", "receivables_domestic",
        "receivables_foreign", "eligible_domestic", "eligible_foreign",
    ],
    "Borrowing Base and the revolver": [
        "borrowing_base", "over_advance_limit", "limit", "draw", "repayment", "forced_repayment",
        "outstanding", "revolver_tranche", "over_advance_used", "peak_outstanding",
        "availability", "interest_paid", "fees_paid",
    ],
    "Liquidity": ["liquidity", "min_liquidity", "funding_gap"],
}  # fmt: skip
"""The quarterly statement's sections and their line items, in order."""

# worst first: the order in which a covenant's statuses over the horizon rank
_RANK = {
    code: i
    for i, code in enumerate(
        [
            "breach",
            "undefined",
            "amber",
            "complies",
            "not_required",
            "threshold_not_provided",
            "no_threshold",
        ]
    )
}
_TESTED = ["complies", "amber", "breach"]


def ranked_covenants(covenants: pd.DataFrame, titles: dict[str, str]) -> dict[str, str]:
    """Each covenant's worst status over the rows of ``covenants`` (indexed by quarter end and
    covenant), worst first, then by title."""
    worst: dict[str, str] = {
        str(cid): min(rows, key=_RANK.__getitem__)
        for cid, rows in covenants["status_code"].groupby(level="covenant", observed=True)
    }
    return {c: worst[c] for c in sorted(worst, key=lambda c: (_RANK[worst[c]], titles[c]))}


def _shown_value(v: Any) -> str:
    # whole numbers of 1,000 and more with thousands separators; other values as given
    return ", ".join(
        f"{int(x):,}" if x.lstrip("-").isdigit() and abs(int(x)) >= 1000 else x
        for x in str(v).split(", ")
    )


def _input_kind(kind: str, provenance: str) -> str:
    if kind == "source":
        return "reported"
    return "illustrative sample value" if provenance.startswith("ILLUSTRATIVE") else "assumption"


def inputs_table(
    scenario: Scenario, html_id: str, title: str | None = None, sheet: str = ""
) -> Table:
    """Every input of ``scenario`` with its value, kind (reported, illustrative sample value
    or assumption) and source or reason."""
    own = scenario.provenance()
    frame = pd.DataFrame(
        {
            "value": own["value"].map(_shown_value),
            "kind": [
                _input_kind(k, p) for k, p in zip(own["kind"], own["provenance"], strict=True)
            ],
            "provenance": own["provenance"],
        }
    )
    frame.index = [first_upper(input_words(t)) for t in own["term"]]
    return table(
        frame,
        title or f"Every input of scenario {scenario.name}: {scenario.terms.title}",
        html_id,
        columns={"value": ("Value (dollars, days or a fraction)", "text")},
        index=("Input", "text"),
        sheet=sheet,
    )


def _at_maturity(scenario: Scenario, daily: pd.DataFrame, last: dt.date) -> str:
    revolver = scenario.terms.revolver
    maturity = revolver.maturity.value
    before = daily[daily.index < pd.Timestamp(maturity)]
    gap_after = daily.loc[daily.index >= pd.Timestamp(maturity), "funding_gap"].sum()
    if maturity > last:
        return f"After the horizon ({revolver.after_maturity.value})"
    due = cell(before["outstanding"].iloc[-1], "usd_whole")
    if revolver.after_maturity.value == "renew":
        return f"Renewed; {due} outstanding"
    return f"{due} due; " + (
        f"funding gap {cell(gap_after, 'usd_whole')} from then"
        if gap_after > 0
        else "repaid from cash"
    )


def projection_report(study: ProjectionStudy) -> Report:
    """The report of ``study``, one scenario projected (see the module docstring)."""
    scenario, projection = study.scenario, study.projection
    p = projection
    name = scenario.name
    facility = scenario.facility
    versions = facility.all_versions
    titles = {c.id: c.title for t in versions for c in t.covenants}
    units = {c.id: t.compliance.metric(c.metric).unit for t in versions for c in t.covenants}
    metrics = {c.id: t.compliance.metric(c.metric).title for t in versions for c in t.covenants}
    money = {cid: "usd" if unit == "usd" else "ratio" for cid, unit in units.items()}
    whole = {cid: "usd_whole" if unit == "usd" else "ratio" for cid, unit in units.items()}
    version_titles = {v.version_name: v.title for v in versions}

    warnings = study.warnings
    as_of = scenario.terms.opening.date.value
    history, history_covenants = study.history, study.history_covenants
    overlap = study.overlap
    answer: Any = study.answer
    quarters: Any = p.quarters.xs(name, level="scenario")
    covenants: Any = p.covenants.xs(name, level="scenario")
    daily = p.daily(name)
    sources = scenario.provenance()
    lender = scenario.terms.lender
    maturity = scenario.terms.revolver.maturity.value

    first, last = quarters.index[0], quarters.index[-1]
    low_day = pd.Timestamp(answer["min_liquidity_date"])
    springs_at = answer["min_liquidity_springing_level"]
    default_days = daily.index[daily["event_of_default"]]
    breached = None if pd.isna(answer["first_breach"]) else answer["first_breach_covenant"]
    last_reported: Any = max(q for q, b in history["basis"].items() if b == "reported")  # type: ignore[type-var]
    reported_breaches = history_covenants[
        (history_covenants["basis"] == "reported") & (history_covenants["status_code"] == "breach")
    ]
    in_breach_last = (
        ", ".join(titles[c] for c in reported_breaches.xs(last_reported, level="quarter_end").index)
        if last_reported in reported_breaches.index.get_level_values("quarter_end")
        else None
    )
    figures_shown = [
        ("Forecast as of (the projection opens at this quarter end)", cell(as_of, "date")),
        (
            f"Last reported quarter, {cell(last_reported, 'date')}",
            f"in breach: {in_breach_last}" if in_breach_last else "all tested covenants pass",
        ),
        (
            "Reported breaches (history)",
            "; ".join(f"{cell(q, 'date')} {titles[c]}" for q, c in reported_breaches.index)
            or "None",
        ),
        (
            f"First forecast breach ({titles[breached]})" if breached else "First forecast breach",
            cell(answer["first_breach"], "date") if breached else "None over the horizon",
        ),
        ("Quarters in breach", f"{answer['breach_quarters']} of {len(quarters)}"),
        (
            f"Lowest liquidity (cash + availability), {cell(low_day, 'date')}",
            cell(answer["min_liquidity"], "usd_whole"),
        ),
        (
            "Springing level governing that quarter's test (the test applies below it)",
            "No springing level"
            if pd.isna(springs_at)
            else f"{cell(springs_at, 'usd_whole')}: "
            f"{'applies' if answer['min_liquidity'] < springs_at else 'not reached'}",
        ),
        (
            "Event of Default: no new advances, cash dominion, no dividends or repurchases, "
            f"default interest (lender: {lender.response.value})",
            "None over the horizon"
            if not len(default_days)
            else f"From {cell(default_days[0].date(), 'date')}, {len(default_days)} days"
            + (
                f"; waived {cell(lender.waiver_date.value, 'date')}"
                if lender.response.value == "waive" and lender.waiver_date is not None
                else ""
            ),
        ),
        (
            "Dividends and repurchases blocked by the default",
            cell(quarters["distributions_blocked"].sum(), "usd_whole"),
        ),
        ("Peak revolver outstanding", cell(answer["peak_revolver"], "usd_whole")),
        (
            "Funding gap (cash needed beyond availability)",
            "None"
            if answer["funding_gap"] <= 0
            else f"{cell(answer['funding_gap'], 'usd_whole')} from "
            f"{cell(answer['first_funding_gap'], 'date')}",
        ),
        (
            f"At the revolver's maturity, {cell(maturity, 'date')} (assumed)",
            _at_maturity(scenario, daily, last),
        ),
    ]
    worst_of = ranked_covenants(covenants, titles)
    ranked = list(worst_of)
    tested = covenants[covenants["status_code"].isin(_TESTED)]
    tested_ids = set(tested.index.get_level_values("covenant"))
    statuses = []
    for cid, worst in worst_of.items():
        if cid in tested_ids:
            mine: Any = tested.xs(cid, level="covenant")
            low: Any = mine["headroom"].idxmin()
            room = (
                f"lowest {cell(mine.loc[low, 'headroom'], whole[cid])}, "
                f"quarter ended {cell(low, 'date')}"
            )
        elif worst == "not_required":
            room = "the springing condition never occurred"
        else:
            room = "no level in the documents: not tested"
        statuses.append((titles[cid], worst, room))
    front: list[Html] = [
        headline(
            f"{scenario.terms.title} — {len(quarters)} quarters, {cell(first, 'date')} to "
            f"{cell(last, 'date')}",
            figures_shown,
            statuses,
        ),
        _inputs_banner(sources),
    ]
    if len(warnings):  # thresholds are the scenario's, each names its drivers
        front.append(
            banner(
                [f"{r['message']} Drivers: {r['drivers']}." for _, r in warnings.iterrows()],
                title="Plausibility: inputs that together tell an unlikely story",
            )
        )

    glance = timeline_table(
        history,
        f"The deal's quarters, reported then forecast, scenario {name} (US$)",
        "projection-glance",
        "At a glance",
    )
    assert scenario.reported is not None, "a scenario is built with its reported quarters"
    bridge = ebitda_bridge(scenario.reported.actuals, history)
    vs_actual = forecast_vs_actual_table(overlap, as_of, name) if len(overlap) else None
    status_table = timeline_covenant_table(
        history_covenants,
        ranked,
        {c: metrics[c] for c in ranked},
        whole,
        f"Covenant status and headroom by quarter, reported then forecast, scenario {name}",
        "projection-covenants",
        "Covenants by quarter",
    )
    gaps = daily.loc[
        daily["funding_gap"] > 0, ["funding_gap", "cash", "availability", "outstanding"]
    ]
    gap_table = table(
        gaps,
        f"Funding gaps, scenario {name}: cash needed beyond what the revolver could lend that day",
        "projection-funding-gaps",
        columns={
            "cash": "Cash at the Bank after the gap is funded",
            "outstanding": "Revolver outstanding",
        },
        index=("Date", "date"),
        sheet="Funding gaps",
    )
    statements = [
        table(
            quarters[rows].T.rename(index=LINE_ITEMS),
            f"{title}, scenario {name} (US$, quarter ends across)",
            f"projection-{title.lower().replace(' ', '-')}",
            columns={q: (cell(q, "date"), "usd_whole") for q in quarters.index},
            index=("", "text"),
            sheet=title,
        )
        for title, rows in STATEMENT_SECTIONS.items()
    ]
    trigger_days = table(
        quarters[
            [
                "min_liquidity_date",
                "days_cash_dominion",
                "days_agings",
                "days_below_springing",
                "days_in_default",
            ]
        ],
        f"Days under each trigger, scenario {name}",
        "projection-trigger-days",
        index=("Quarter end", "date"),
        sheet="Days under triggers",
    )
    covenant_tests = [
        table(
            covenants.xs(cid, level="covenant")[
                ["version", "required", "actual", "headroom", "headroom_pct", "status_code"]
            ].assign(version=lambda f: f["version"].map(version_titles)),
            f"{titles[cid]}, scenario {name}",
            f"projection-test-{cid}",
            columns={
                c: (header, money[cid])
                for c, header in (
                    ("required", "Required"),
                    ("actual", "Actual"),
                    ("headroom", "Headroom"),
                )
            },
            index=("Quarter end", "date"),
            sheet=metrics[cid],
        )
        for cid in ranked
    ]
    inputs = inputs_table(
        scenario,
        "projection-inputs",
        f"Every input of scenario {name} with its source",
        sheet="Scenario inputs",
    )

    timeline_parts: list[Any] = [
        glance,
        details(
            "From the company's Adjusted EBITDA to the covenant's EBITDA (reported quarters)",
            bridge,
        ),
    ]
    if vs_actual is not None:
        timeline_parts.append(vs_actual)
    gap_parts: list[Any] = []
    if len(gaps):
        gap_parts.append(
            gap_table
            if len(gaps) <= 12
            else details(f"Funding gaps on {len(gaps)} days", gap_table)
        )
    reference = [
        details(
            "The full quarterly statement: P&L, cash, Borrowing Base and revolver",
            "".join(t.to_html() for t in statements),
        ),
        details("Days under each trigger and the day of the lowest liquidity", trigger_days),
        details(
            "Every covenant test: required, actual, headroom",
            "".join(t.to_html() for t in covenant_tests),
        ),
        details(f"Every input of the scenario with its source ({len(sources)} inputs)", inputs),
    ]

    per_quarter = quarter_key_figures(history, history_covenants, units)
    for q, r in quarters.iterrows():
        if q.isoformat() in per_quarter:
            per_quarter[q.isoformat()].update(
                funding_gap=round(float(r["funding_gap"]), 2),
                days_in_default=int(r["days_in_default"]),
            )
    has_breach = not pd.isna(answer["first_breach"])
    figures = {
        "scenario": name,
        "as_of": as_of,
        "last_reported_quarter": last_reported,
        "first_breach": answer["first_breach"] if has_breach else None,
        "first_breach_covenant": answer["first_breach_covenant"] if has_breach else None,
        "first_breach_covenant_title": titles[answer["first_breach_covenant"]]
        if has_breach
        else None,
        "min_liquidity": round(float(answer["min_liquidity"]), 2),
        "min_liquidity_date": answer["min_liquidity_date"],
        "peak_revolver": round(float(answer["peak_revolver"]), 2),
        "springing_level_at_min_liquidity": None
        if pd.isna(springs_at)
        else round(float(springs_at), 2),
        "event_of_default_from": default_days[0].date().isoformat() if len(default_days) else None,
        "days_in_default": int(len(default_days)),
        "lender_response": lender.response.value,
        "distributions_blocked": round(float(quarters["distributions_blocked"].sum()), 2),
        "plausibility_warnings": sorted(set(warnings["check"])),
        "funding_gap_total": round(float(answer["funding_gap"]), 2),
        "dashboard": study.dashboard,
        "quarters": per_quarter,
        "forecast_vs_actual": {
            q.isoformat(): {  # type: ignore[attr-defined]
                k: (round(float(v), 2) if isinstance(v, float) else v) for k, v in r.items()
            }
            for q, r in overlap.iterrows()
        }
        if len(overlap)
        else {},
    }
    shown = [
        glance,
        bridge,
        *([vs_actual] if vs_actual is not None else []),
        status_table,
        *([gap_table] if len(gaps) else []),
        *statements,
        trigger_days,
        *covenant_tests,
    ]
    keys = (
        "scenario",
        "first_breach",
        "first_breach_covenant",
        "min_liquidity",
        "min_liquidity_date",
    )
    lines = [f"{k}: {figures[k]}" for k in (*keys, "peak_revolver", "funding_gap_total")]
    return Report(
        name="04-projection",
        front=front,
        sections={
            "timeline": timeline_parts,
            "covenants": [status_table],
            "funding_gaps": gap_parts,
            "reference": reference,
        },
        tables=shown,
        figures=figures,
        sources=sources,
        lines=lines,
        sheets=projection_sheets(
            ProjectedWorkbook(scenario.facility, name, sources, study.quantities, study.schedules)
        ),
    )


def _inputs_banner(sources: pd.DataFrame) -> Html:
    """Which inputs are reported figures and which are assumptions, from the provenance."""
    words = [input_words(t) for t in sources["term"]]
    reported = (sources["kind"] == "source").tolist()
    illustrative = sources["provenance"].str.startswith("ILLUSTRATIVE").tolist()
    lines = [
        f"{first_upper(w)} is reported: {r}."
        for w, r, is_reported in zip(words, sources["provenance"], reported, strict=True)
        if is_reported
    ]
    picked = [w for w, i in zip(words, illustrative, strict=True) if i]
    other = [w for w, r, i in zip(words, reported, illustrative, strict=True) if not r and not i]
    lines.append(
        f"{len(picked)} inputs are illustrative sample values, not the company's figures: "
        + ", ".join(dict.fromkeys(picked))
        + "."
    )
    lines.append(
        f"{len(other)} inputs are other assumptions: "
        + ", ".join(dict.fromkeys(other))
        + ". Each input and its reason are listed under Reference below."
    )
    return banner(
        lines, title="Illustrative projection: only part of the inputs are reported figures"
    )
