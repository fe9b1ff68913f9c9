"""The scenarios report (notebook 05): the scenarios side by side, and their analytics.

:func:`scenarios_report` takes what the notebook computed (each scenario's projection, the
sensitivity grid, the breakeven declines, the breach probability and the repurchase
capacity) and returns a :class:`~model.reports.report.Report` with the sections
``side_by_side``, ``grid``, ``breakeven``, ``probability``, ``capacity`` and ``reference``,
and the key figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from model.engines.projection import Projection
from model.engines.projection.analytics import summary
from model.reports.projection import inputs_table
from model.reports.report import Report
from model.reports.tables import Html, banner, cell, details, headline, table
from model.terms.scenarios import Scenario, input_words
from model.values import read_amount, read_int

__all__ = ["PathSettings", "scenarios_report"]


@dataclass(frozen=True)
class PathSettings:
    """How the random paths of the breach probability were drawn."""

    paths: int
    seed: int
    growth_volatility: float
    margin_volatility: float
    correlation: float

    @classmethod
    def read(
        cls,
        paths: Any,
        seed: Any,
        growth_volatility: Any,
        margin_volatility: Any,
        correlation: Any,
    ) -> PathSettings:
        """The settings from notebook parameters, each checked and named on error.

        >>> PathSettings.read(2000, 2008, 0.05, 0.005, 0.5).paths
        2000
        >>> PathSettings.read(0, 2008, 0.05, 0.005, 0.5)
        Traceback (most recent call last):
        ...
        model.errors.InputError: paths: must be a whole number at least 1 (got 0)
        """
        return cls(
            paths=read_int(paths, "paths", low=1),
            seed=read_int(seed, "seed", low=0),
            growth_volatility=float(read_amount(growth_volatility, "growth_volatility")),
            margin_volatility=float(read_amount(margin_volatility, "margin_volatility")),
            correlation=float(read_amount(correlation, "correlation", negative=True)),
        )


def _none(x: Any) -> Any:
    return None if x is None or pd.isna(x) else x


def _round(x: Any, digits: int) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), digits)


def scenarios_report(
    scenarios: Sequence[Scenario],
    projections: Mapping[str, Projection],
    scenario: Scenario,
    analysed: Projection,
    grid: pd.DataFrame,
    shocks: tuple[Sequence[float], Sequence[int]],
    declines: Mapping[str, pd.DataFrame],
    probability: pd.DataFrame,
    settings: PathSettings,
    capacity: pd.DataFrame,
    quarter: dt.date,
) -> Report:
    """The report of ``scenarios`` (projected as ``projections``) side by side, with the
    analytics of ``scenario``, projected as ``analysed``: ``grid``,
    the sensitivity of revenue (``shocks[0]``) against DSO (``shocks[1]``); ``declines``,
    the breakeven declines per driver; ``probability``, the breach probability drawn with
    ``settings``; ``capacity``, each scenario's repurchase capacity in ``quarter``."""
    revenue_shocks, dso_shocks = list(shocks[0]), list(shocks[1])
    facility = scenario.facility
    titles = {c.id: c.title for t in facility.all_versions for c in t.covenants}
    metrics = {
        c.id: t.compliance.metric(c.metric).title
        for t in facility.all_versions
        for c in t.covenants
    }
    names = {**titles, "any": "All covenants together"}
    # the covenants the analysed projection tests (a level left blank, or terms no longer in
    # force, are not)
    codes = analysed.covenants["status_code"]
    tested = sorted(
        set(
            codes[codes.isin(["complies", "amber", "breach", "undefined"])].index.get_level_values(
                "covenant"
            )
        )
    )
    answers: Any = pd.concat([summary(p) for p in projections.values()])
    first_quarter = min(p.quarter_ends[0] for p in projections.values())
    last_quarter = max(p.quarter_ends[-1] for p in projections.values())
    as_of: dict[Any, dt.date] = {s.name: s.terms.opening.date.value for s in scenarios}
    anyone: Any = probability.xs("any", level="covenant")

    def unstacked(column: str) -> pd.DataFrame:
        return grid[column].unstack("dso").reindex(index=revenue_shocks, columns=dso_shocks)

    first = unstacked("first_breach")
    lowest = unstacked("min_liquidity")

    # the headline
    ebitda_room: Any = declines["ebitda"].loc["any", "breakeven_decline"]
    forecast_any = anyone[anyone["basis"] == "forecast"]  # reported quarters are certain
    worst: Any = forecast_any["probability"].idxmax()
    most: Any = capacity["capacity"].idxmax()
    least: Any = capacity["capacity"].idxmin()
    scenario_figures = [
        (
            f"{n} (forecast as of {cell(as_of[n], 'date')}): first breach, lowest liquidity",
            f"{'none' if pd.isna(r['first_breach']) else cell(r['first_breach'], 'date')}, "
            f"{cell(r['min_liquidity'], 'usd_whole')}",
        )
        for n, r in answers.iterrows()
    ]
    front: list[Html] = [
        headline(
            f"{len(scenarios)} scenarios, {cell(first_quarter, 'date')} to {cell(last_quarter, 'date')}; "
            f"the analytics on scenario {scenario.name}",
            [
                *scenario_figures,
                (
                    f"Breakeven EBITDA decline, all covenants ({scenario.name})",
                    f"EBITDA must rise {cell(-ebitda_room, 'rate')}"
                    if ebitda_room < 0
                    else f"EBITDA may fall {cell(ebitda_room, 'rate')}",
                ),
                (
                    f"Highest breach probability ({scenario.name}, {settings.paths:,} paths)",
                    f"{cell(anyone.loc[worst, 'probability'], 'percent')}, "
                    f"quarter ended {cell(worst, 'date')}",
                ),
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
    room = answers[[c for c in answers.columns if c.startswith("min_headroom_")]]
    headroom_table = table(
        room,
        "Lowest headroom of each covenant in the quarters it was tested",
        "scenarios-headroom",
        columns={c: (metrics[c.removeprefix("min_headroom_")], "usd_whole") for c in room.columns},
        index=("Scenario", "text"),
        note="Negative is a breach; — : the covenant was never tested.",
        sheet="Lowest headroom",
    )

    # the grid as tables
    dso_columns = {d: f"+{d:g} days" for d in dso_shocks}
    covenant_first = unstacked("first_breach_covenant").map(
        lambda c: metrics.get(c, "none") if isinstance(c, str) else "none"
    )
    grid_tables = [
        table(
            frame.rename(columns=dso_columns),
            f"{what}, scenario {scenario.name}",
            f"scenarios-grid-{key}",
            columns={h: (h, kind) for h in dso_columns.values()},
            index=("Revenue change (EBITDA margin held)", "percent"),
            note="Rows: revenue change in every quarter; columns: days added to DSO.",
            sheet=sheet,
        )
        for key, what, frame, kind, sheet in [
            (
                "first-breach",
                "First covenant breach (quarter end)",
                first,
                "date",
                "Grid first breach",
            ),
            ("covenant", "Covenant breached first", covenant_first, "text", "Grid covenant"),
            (
                "lowest-liquidity",
                "Lowest liquidity over the horizon (US$)",
                lowest,
                "usd_whole",
                "Grid lowest liquidity",
            ),
            (
                "funding-gap",
                "Funding gap over the horizon (US$)",
                unstacked("funding_gap"),
                "usd_whole",
                "Grid funding gap",
            ),
        ]
    ]

    # breakeven declines
    breakeven_tables = []
    for driver, frame in declines.items():
        rows = [c for c in frame.index if c in tested or c == "any"]
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
                f"decline, scenario {scenario.name}",
                f"scenarios-breakeven-{driver}",
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
                sheet=f"Breakeven {driver}",
            )
        )

    # breach probability
    probability_table = table(
        anyone[["basis", "breaches", "probability", "low_95", "high_95"]],
        f"Probability of a breach of any covenant, scenario {scenario.name}",
        "scenarios-probability",
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
        sheet="Breach probability",
    )
    per_covenant = probability["probability"].unstack("covenant").reindex(columns=["any", *tested])
    per_covenant_table = table(
        per_covenant,
        f"Probability of a breach by covenant, scenario {scenario.name}",
        "scenarios-probability-by-covenant",
        columns={c: (names[c], "percent") for c in per_covenant.columns},
        index=("Quarter end", "date"),
        sheet="Probability by covenant",
    )

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

    reference = [
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
        "sensitivity_grid": {
            "scenario": scenario.name,
            "rows": "revenue",
            "columns": "dso",
            "first_breach": {
                f"{x:g}": {f"{y:g}": _none(d) for y, d in row.items()}
                for x, row in first.iterrows()
            },
            "min_liquidity": {
                f"{x:g}": {f"{y:g}": round(float(v), 2) for y, v in row.items()}
                for x, row in lowest.iterrows()
            },
        },
        "breakeven": {
            driver: {
                cid: {
                    "breakeven_decline": _round(r["breakeven_decline"], 6),
                    "first_breach_beyond": _none(r["first_breach_beyond"]),
                }
                for cid, r in frame.iterrows()
                if cid in tested or cid == "any"
            }
            for driver, frame in declines.items()
        },
        "breach_probability": {
            "scenario": scenario.name,
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
    lines = [
        f"{name}: first breach {r['first_breach']} ({r['first_breach_covenant']}), lowest liquidity "
        f"{r['min_liquidity']}"
        for name, r in figures["scenarios"].items()
    ]
    lines += [
        f"breakeven {driver} decline (any covenant): {figures['breakeven'][driver]['any']['breakeven_decline']}"
        for driver in declines
    ]
    lines.append(
        f"highest breach probability: {figures['breach_probability']['any'][worst]['probability']} in {worst}"
    )
    lines += [
        f"repurchase capacity {name}: {r['capacity']}"
        for name, r in figures["repurchase_capacity"].items()
    ]
    return Report(
        name="05-scenarios",
        front=front,
        sections={
            "side_by_side": [side_table, headroom_table],
            "grid": [
                details(
                    "The grid as tables: first breach, covenant breached first, lowest liquidity, "
                    "funding gap",
                    "".join(t.to_html() for t in grid_tables),
                )
            ],
            "breakeven": breakeven_tables,
            "probability": [probability_table, per_covenant_table],
            "capacity": [capacity_table],
            "reference": reference,
        },
        tables=[
            side_table,
            headroom_table,
            *grid_tables,
            *breakeven_tables,
            probability_table,
            per_covenant_table,
            capacity_table,
        ],
        figures=figures,
        sources=sources.reset_index("scenario"),
        lines=lines,
        extra={"worst_quarter": worst, "names": names, "tested": tested},
    )


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
