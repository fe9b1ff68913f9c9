"""The scenarios report (notebook 05, one per deal): the scenarios side by side, and each
scenario's analytics.

:func:`scenarios_report` formats a :class:`~model.engines.projection.study.ScenariosStudy`
(each scenario's projection, sensitivity grid, breakeven declines and breach probability,
and the repurchase capacity) as a :class:`~model.reports.report.Report` with the sections
``side_by_side``, ``analytics:<scenario>`` for each scenario, ``capacity`` and
``reference``, and the key figures, keyed by scenario.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from model.engines.projection.analytics import summary
from model.engines.projection.study import PathSettings, ScenarioAnalytics, ScenariosStudy
from model.reports.projection import inputs_table
from model.reports.report import Report
from model.reports.tables import Html, Table, banner, cell, details, headline, table
from model.terms.scenarios import Scenario, input_words

__all__ = ["scenarios_report"]


def _none(x: Any) -> Any:
    return None if x is None or pd.isna(x) else x


def _round(x: Any, digits: int) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), digits)


def _grid_figures(a: ScenarioAnalytics, study: ScenariosStudy) -> dict[str, Any]:
    first = _unstacked(a.grid, "first_breach", study)
    lowest = _unstacked(a.grid, "min_liquidity", study)
    return {
        "rows": "revenue",
        "columns": "dso",
        "first_breach": {
            f"{x:g}": {f"{y:g}": _none(d) for y, d in row.items()} for x, row in first.iterrows()
        },
        "min_liquidity": {
            f"{x:g}": {f"{y:g}": round(float(v), 2) for y, v in row.items()}
            for x, row in lowest.iterrows()
        },
    }


def _unstacked(grid: pd.DataFrame, column: str, study: ScenariosStudy) -> pd.DataFrame:
    return grid[column].unstack("dso").reindex(index=study.revenue_shocks, columns=study.dso_shocks)


def _probability_figures(a: ScenarioAnalytics, settings: PathSettings) -> dict[str, Any]:
    anyone: Any = a.probability.xs("any", level="covenant")
    return {
        "paths": settings.paths,
        "seed": settings.seed,
        "growth_volatility": settings.growth_volatility,
        "margin_volatility": settings.margin_volatility,
        "correlation": settings.correlation,
        "any": {
            q: {
                "basis": r["basis"],
                "breaches": int(r["breaches"]),
                "probability": round(float(r["probability"]), 6),
                "low_95": round(float(r["low_95"]), 6),
                "high_95": round(float(r["high_95"]), 6),
            }
            for q, r in anyone.iterrows()
        },
    }


def _worst_quarter(a: ScenarioAnalytics) -> Any:
    """The forecast quarter with the highest probability of a breach of any covenant."""
    anyone: Any = a.probability.xs("any", level="covenant")
    forecast = anyone[anyone["basis"] == "forecast"]  # reported quarters are certain
    return forecast["probability"].idxmax(), anyone


def scenarios_report(study: ScenariosStudy) -> Report:
    """The report of ``study``: the scenarios side by side, then each scenario's analytics
    (see the module docstring)."""
    scenarios, settings, capacity, quarter = (
        study.scenarios,
        study.settings,
        study.capacity,
        study.quarter,
    )
    facility = scenarios[0].facility
    titles = {c.id: c.title for t in facility.all_versions for c in t.covenants}
    metrics = {
        c.id: t.compliance.metric(c.metric).title
        for t in facility.all_versions
        for c in t.covenants
    }
    names = {**titles, "any": "All covenants together"}
    answers: Any = pd.concat([summary(p) for p in study.projections.values()])
    first_quarter = min(p.quarter_ends[0] for p in study.projections.values())
    last_quarter = max(p.quarter_ends[-1] for p in study.projections.values())
    as_of: dict[Any, dt.date] = {s.name: s.terms.opening.date.value for s in scenarios}
    most: Any = capacity["capacity"].idxmax()
    least: Any = capacity["capacity"].idxmin()

    per_scenario = []
    for n, r in answers.iterrows():
        a = study.analytics[n]
        room: Any = a.declines["ebitda"].loc["any", "breakeven_decline"]
        worst, anyone = _worst_quarter(a)
        per_scenario.append(
            (
                f"{n} (forecast as of {cell(as_of[n], 'date')})",
                f"first breach {'none' if pd.isna(r['first_breach']) else cell(r['first_breach'], 'date')}; "
                f"lowest liquidity {cell(r['min_liquidity'], 'usd_whole')}; "
                + (
                    f"EBITDA must rise {cell(-room, 'rate')}"
                    if room < 0
                    else f"EBITDA may fall {cell(room, 'rate')}"
                )
                + f"; breach probability up to {cell(anyone.loc[worst, 'probability'], 'percent')} "
                f"({cell(worst, 'date')})",
            )
        )
    front: list[Html] = [
        headline(
            f"{len(scenarios)} scenarios, {cell(first_quarter, 'date')} to "
            f"{cell(last_quarter, 'date')}, each with its analytics",
            [
                *per_scenario,
                (
                    f"Repurchase capacity, quarter ended {cell(quarter, 'date')}",
                    f"{cell(capacity.loc[least, 'capacity'], 'usd_whole')} ({least}) to "
                    f"{cell(capacity.loc[most, 'capacity'], 'usd_whole')} ({most})",
                ),
            ],
        ),
        _inputs_banner(scenarios),
    ]

    # the scenarios side by side
    compared = (
        answers[
            [
                "first_breach",
                "first_breach_covenant",
                "breach_quarters",
                "min_liquidity",
                "min_liquidity_date",
                "peak_revolver",
                "funding_gap",
            ]
        ]
        .assign(as_of=pd.Series(as_of))
        .assign(
            first_breach_covenant=lambda f: f["first_breach_covenant"].map(
                lambda c: metrics.get(c)
            ),
            capacity=capacity["capacity"],
        )
    )
    compared = compared[["as_of", *[k for k in compared.columns if k != "as_of"]]]
    side_table = table(
        compared,
        "The scenarios side by side",
        "scenarios-side-by-side",
        columns={
            "as_of": ("Forecast as of", "date"),
            "first_breach_covenant": ("Covenant", "text"),
            "breach_quarters": ("Quarters in breach", "int"),
            "min_liquidity": ("Lowest liquidity", "usd_whole"),
            "min_liquidity_date": ("On", "date"),
            "peak_revolver": ("Peak revolver", "usd_whole"),
            "funding_gap": ("Funding gap", "usd_whole"),
            "capacity": ("Repurchase capacity", "usd_whole"),
        },
        index=("Scenario", "text"),
        note="; ".join(f"{s.name}: {s.terms.title}" for s in scenarios) + ".",
        sheet="Side by side",
    )
    room_frame = answers[[c for c in answers.columns if c.startswith("min_headroom_")]]
    headroom_table = table(
        room_frame,
        "Lowest headroom of each covenant in the quarters it was tested",
        "scenarios-headroom",
        columns={
            c: (metrics[c.removeprefix("min_headroom_")], "usd_whole") for c in room_frame.columns
        },
        index=("Scenario", "text"),
        note="Negative is a breach; — : the covenant was never tested.",
        sheet="Lowest headroom",
    )
    sections: dict[str, list[Any]] = {"side_by_side": [side_table, headroom_table]}
    tables = [side_table, headroom_table]
    for s in scenarios:
        parts, mine = _analytics(s.name, study, names, metrics)
        sections[f"analytics:{s.name}"] = parts
        tables += mine

    # repurchase capacity
    binding_words = {f"covenant {c}": f"the covenant {t}" for c, t in titles.items()}
    capacity_table = table(
        capacity.assign(
            binding=capacity["binding"].map(lambda b: binding_words.get(b, b)),
            not_confirmed=capacity["not_confirmed"].map(
                lambda x: ", ".join(titles.get(c, c) for c in x.split(", ") if c) or "none"
            ),
        ),
        f"Repurchase capacity in the quarter ended {cell(quarter, 'date')}",
        "scenarios-repurchase",
        columns={
            "binding": ("What limits it", "text"),
            "not_confirmed": ("Not confirmed (no level in the documents)", "text"),
        },
        index=("Scenario", "text"),
        sheet="Repurchase capacity",
    )
    sections["capacity"] = [capacity_table]
    tables.append(capacity_table)
    sections["reference"] = [
        details(
            f"Every input of scenario {s.name} with its source ({len(s.provenance())} inputs)",
            inputs_table(s, f"scenarios-inputs-{s.name}"),
        )
        for s in scenarios
    ]

    figures: dict[str, Any] = {
        "scenarios": {
            name: {
                "as_of": as_of[name],
                "first_breach": _none(r["first_breach"]),
                "first_breach_covenant": None
                if pd.isna(r["first_breach"])
                else r["first_breach_covenant"],
                "breach_quarters": int(r["breach_quarters"]),
                "min_liquidity": round(float(r["min_liquidity"]), 2),
                "min_liquidity_date": r["min_liquidity_date"],
                "peak_revolver": round(float(r["peak_revolver"]), 2),
                "funding_gap": round(float(r["funding_gap"]), 2),
                "first_funding_gap": _none(r["first_funding_gap"]),
            }
            for name, r in answers.iterrows()
        },
        "sensitivity_grid": {n: _grid_figures(a, study) for n, a in study.analytics.items()},
        "breakeven": {
            n: {
                driver: {
                    cid: {
                        "breakeven_decline": _round(r["breakeven_decline"], 6),
                        "first_breach_beyond": _none(r["first_breach_beyond"]),
                    }
                    for cid, r in frame.iterrows()
                    if cid in a.tested or cid == "any"
                }
                for driver, frame in a.declines.items()
            }
            for n, a in study.analytics.items()
        },
        "breach_probability": {
            n: _probability_figures(a, settings) for n, a in study.analytics.items()
        },
        "repurchase_capacity": {
            name: {
                "quarter": quarter,
                "capacity": round(float(r["capacity"]), 2),
                "basket_remaining": round(float(r["basket_remaining"]), 2),
                "binding": r["binding"],
                "not_confirmed": r["not_confirmed"],
            }
            for name, r in capacity.iterrows()
        },
    }
    sources = pd.concat({s.name: s.provenance() for s in scenarios}, names=["scenario", "row"])
    lines = []
    for name, r in figures["scenarios"].items():
        b = figures["breakeven"][name]
        worst, _ = _worst_quarter(study.analytics[name])
        p = figures["breach_probability"][name]["any"][worst]["probability"]
        lines.append(
            f"{name}: first breach {r['first_breach']} ({r['first_breach_covenant']}), lowest "
            f"liquidity {r['min_liquidity']}; breakeven decline (any covenant) EBITDA "
            f"{b['ebitda']['any']['breakeven_decline']}, revenue "
            f"{b['revenue']['any']['breakeven_decline']}; highest breach probability {p} in {worst}"
        )
    lines += [
        f"repurchase capacity {name}: {r['capacity']}"
        for name, r in figures["repurchase_capacity"].items()
    ]
    return Report(
        name="05-scenarios",
        front=front,
        sections=sections,
        tables=tables,
        figures=figures,
        sources=sources.reset_index("scenario"),
        lines=lines,
        extra={"names": names},
    )


def _analytics(
    name: str, study: ScenariosStudy, names: dict[str, str], metrics: dict[str, str]
) -> tuple[list[Any], list[Table]]:
    """One scenario's analytics: the grid as tables, the breakeven declines, the breach
    probability; what the notebook shows, and the workbook's sheets (named by scenario)."""
    a, settings = study.analytics[name], study.settings
    dso_columns = {d: f"+{d:g} days" for d in study.dso_shocks}
    covenant_first = _unstacked(a.grid, "first_breach_covenant", study).map(
        lambda c: metrics.get(c, "none") if isinstance(c, str) else "none"
    )
    grid_tables = [
        table(
            frame.rename(columns=dso_columns),
            f"{what}, scenario {name}",
            f"scenarios-{name}-grid-{key}",
            columns={h: (h, kind) for h in dso_columns.values()},
            index=("Revenue change (EBITDA margin held)", "percent"),
            note="Rows: revenue change in every quarter; columns: days added to DSO.",
            sheet=f"{name} {sheet}",
        )
        for key, what, frame, kind, sheet in [
            (
                "first-breach",
                "First covenant breach (quarter end)",
                _unstacked(a.grid, "first_breach", study),
                "date",
                "grid first breach",
            ),
            ("covenant", "Covenant breached first", covenant_first, "text", "grid covenant"),
            (
                "lowest-liquidity",
                "Lowest liquidity over the horizon (US$)",
                _unstacked(a.grid, "min_liquidity", study),
                "usd_whole",
                "grid liquidity",
            ),
            (
                "funding-gap",
                "Funding gap over the horizon (US$)",
                _unstacked(a.grid, "funding_gap", study),
                "usd_whole",
                "grid funding gap",
            ),
        ]
    ]
    breakeven_tables = []
    for driver, frame in a.declines.items():
        rows = [c for c in frame.index if c in a.tested or c == "any"]
        what = "EBITDA" if driver == "ebitda" else "Revenue"
        shown = frame.loc[
            rows, ["breakeven_decline", "first_failing_decline", "first_breach_beyond"]
        ]
        shown = shown.assign(
            reading=[
                f"{what} may fall {cell(d, 'rate')} in every quarter"
                if d >= 0
                else f"Breached as projected: {what} must rise {cell(-d, 'rate')}"
                for d in shown["breakeven_decline"]
            ]
        )
        untested = ", ".join(names[c] for c in frame.index if c not in rows) or "none"
        breakeven_tables.append(
            table(
                shown[
                    ["reading", "breakeven_decline", "first_failing_decline", "first_breach_beyond"]
                ].rename(index=names),
                f"Breakeven {'EBITDA' if driver == 'ebitda' else 'revenue (EBITDA margin held)'} "
                f"decline, scenario {name}",
                f"scenarios-{name}-breakeven-{driver}",
                columns={
                    "reading": ("In words", "text"),
                    "breakeven_decline": (
                        "Largest decline with no breach (negative: a rise)",
                        "rate",
                    ),
                    "first_failing_decline": ("First decline with a breach", "rate"),
                    "first_breach_beyond": ("First breach at that decline", "date"),
                },
                index=("Covenant", "text"),
                note=f"Not tested in the projection: {untested}.",
                sheet=f"{name} breakeven {driver}",
            )
        )
    anyone: Any = a.probability.xs("any", level="covenant")
    probability_table = table(
        anyone[["basis", "breaches", "probability", "low_95", "high_95"]],
        f"Probability of a breach of any covenant, scenario {name}",
        f"scenarios-{name}-probability",
        columns={
            "basis": ("Basis", "text"),
            "breaches": (f"Paths in breach (of {settings.paths:,})", "int"),
        },
        index=("Quarter end", "date"),
        note=f"{settings.paths:,} paths, seed {settings.seed}; quarterly growth volatility "
        f"{cell(settings.growth_volatility, 'percent')}, margin volatility "
        f"{settings.margin_volatility:.2%} of revenue, correlation {settings.correlation:g}. "
        "Reported quarters are certain: 0% or 100% as the covenant report shows them; only the "
        "quarters after the last reported one are shocked.",
        sheet=f"{name} probability",
    )
    per_covenant = (
        a.probability["probability"].unstack("covenant").reindex(columns=["any", *a.tested])
    )
    per_covenant_table = table(
        per_covenant,
        f"Probability of a breach by covenant, scenario {name}",
        f"scenarios-{name}-probability-by-covenant",
        columns={c: (names[c], "percent") for c in per_covenant.columns},
        index=("Quarter end", "date"),
        sheet=f"{name} probability by covenant",
    )
    parts: list[Any] = [
        *breakeven_tables,
        probability_table,
        details(
            f"Scenario {name}, the grid as tables and the probability by covenant",
            "".join(t.to_html() for t in [*grid_tables, per_covenant_table]),
        ),
    ]
    return parts, [*grid_tables, *breakeven_tables, probability_table, per_covenant_table]


def _inputs_banner(scenarios: Sequence[Scenario]) -> Html:
    """Which inputs of the scenarios are reported figures, which illustrative or assumed."""
    sources = pd.concat({s.name: s.provenance() for s in scenarios}, names=["scenario", "row"])
    reported = sources[sources["kind"] == "source"]
    illustrative = sources["provenance"].str.startswith("ILLUSTRATIVE")
    groups: dict[str, list[str]] = {}
    for n in sources.index.unique("scenario"):
        mine = reported[reported.index.get_level_values("scenario") == n]["term"]
        what = " and ".join(input_words(t) for t in mine) or "nothing"
        groups.setdefault(what, []).append(n)
    return banner(
        [
            "Only these inputs are reported figures: "
            + "; ".join(f"{what} in {', '.join(who)}" for what, who in groups.items())
            + (f" (source: {reported['provenance'].iloc[0]})." if len(reported) else "."),
            "Illustrative sample values, not the company's figures: "
            + ", ".join(
                f"{int(illustrative.loc[n].sum())} inputs of {n}"
                for n in sources.index.unique("scenario")
            )
            + "; every other input is an assumption, with its reason under Reference.",
            "The shocks of the grid, the volatilities and correlation of the random paths and the "
            "repurchase quarter are parameters of this report, not estimates.",
        ],
        title="Illustrative scenarios: most inputs are assumptions",
    )
