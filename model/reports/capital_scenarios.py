"""The report of what a capital structure's covenants can take (notebook 07): the deal's
scenarios side by side, a grid of EBITDA and base-rate shocks, the breakeven EBITDA
decline and the probability of a failure on random EBITDA paths.

Everything here formats what :mod:`model.engines.capital.analytics` computed. The key
figures (:func:`capital_scenarios_figures`) are what the batch index and the tests read;
a scenario's ``first_breach`` here is the one its notebook 06 report shows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from model.reports.capital import CapitalReport
from model.reports.tables import Html, banner, headline, table

__all__ = ["capital_scenarios_figures", "capital_scenarios_report"]


def _iso(x: Any) -> str | None:
    return x.isoformat() if isinstance(x, dt.date) else None


def _pct(x: Any) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), 6)


def capital_scenarios_figures(
    compared: pd.DataFrame,
    sensitivity: pd.DataFrame,
    breakeven: dict[str, Any],
    probability: dict[str, Any],
    scenario: str,
) -> dict[str, Any]:
    """The key figures: per scenario (``scenarios``), the grid's cells (``sensitivity``),
    the ``breakeven`` and the ``breach_probability`` of ``scenario`` (the one shocked)."""
    any_ = probability["by_quarter"].xs("any", level="covenant")["probability"]
    return {
        "scenario": scenario,
        "scenarios": {
            str(name): {
                "first_breach": _iso(r["first_breach"]),
                "first_breach_covenant": r["first_breach_covenant"],
                "lowest_headroom_pct": _pct(r["lowest_headroom_pct"]),
                "cures": int(r["cures"]),
                "cure_amount": round(float(r["cure_amount"]), 2),
                "default_from": _iso(r["default_from"]),
                "funding_gap": round(float(r["funding_gap"]), 2),
            }
            for name, r in compared.iterrows()
        },
        "sensitivity": [
            {
                "ebitda": float(e),
                "base_rate": float(b),
                "first_breach": _iso(first),
                "first_breach_covenant": covenant,
                "lowest_headroom_pct": _pct(low),
            }
            for e, b, first, covenant, low in zip(
                sensitivity.index.get_level_values("ebitda"),
                sensitivity.index.get_level_values("base_rate"),
                sensitivity["first_breach"],
                sensitivity["first_breach_covenant"],
                sensitivity["lowest_headroom_pct"],
                strict=True,
            )
        ],
        "breakeven": {
            "ebitda_shock": _pct(breakeven["ebitda_shock"]),
            "first_failing": _pct(breakeven.get("first_failing")),
            "first_breach": _iso(breakeven["first_breach"]),
            "covenant": breakeven["covenant"],
            "tolerance": _pct(breakeven["tolerance"]),
        },
        "breach_probability": {
            "paths": probability["paths"],
            "volatility": probability["volatility"],
            "seed": probability["seed"],
            "ever": round(probability["ever"], 6),
            "funding_gap": round(probability["funding_gap"], 6),
            "any_by_quarter": {q.isoformat(): round(float(p), 6) for q, p in any_.items()},
            "in_default_by_quarter": {
                q.isoformat(): round(float(p), 6) for q, p in probability["in_default"].items()
            },
        },
    }


def _breakeven_words(b: dict[str, Any]) -> str:
    if b["ebitda_shock"] is None:
        return "None: a covenant fails after cures even with EBITDA as projected"
    if b["first_breach"] is None:
        return (
            f"None found: no covenant fails even with EBITDA {b['ebitda_shock']:+.1%} in "
            "every quarter (the search's floor)"
        )
    return (
        f"EBITDA {b['ebitda_shock']:+.1%} in every quarter; a little lower and "
        f"{b['covenant']} fails at {b['first_breach']}"
    )


def capital_scenarios_report(
    compared: pd.DataFrame,
    sensitivity: pd.DataFrame,
    breakeven: dict[str, Any],
    probability: dict[str, Any],
    scenario: str,
) -> CapitalReport:
    """The report (see the module docstring): the answer first, then the tables."""
    f = capital_scenarios_figures(compared, sensitivity, breakeven, probability, scenario)
    worst = compared.sort_values("first_breach", na_position="last", key=_date_key).iloc[0]
    p = f["breach_probability"]
    last_q = max(p["any_by_quarter"]) if p["any_by_quarter"] else None
    figs = [
        (
            "Scenarios that fail a covenant after cures",
            f"{int(compared['first_breach'].notna().sum())} of {len(compared)}",
        ),
        (
            "Earliest failure",
            f"{worst['first_breach']} ({worst['first_breach_covenant']}, scenario {worst.name})"
            if worst["first_breach"] is not None
            else "None in the horizon",
        ),
        (f"Breakeven EBITDA decline, scenario {scenario}", _breakeven_words(f["breakeven"])),
        (
            f"Probability of a failure by {last_q}" if last_q else "Probability of a failure",
            f"{p['ever']:.1%} of {p['paths']:,} paths (EBITDA volatility "
            f"{p['volatility']:.1%} a quarter)",
        ),
    ]
    front: list[Html] = [
        headline(f"What the covenants can take: {', '.join(map(str, compared.index))}", figs),
        banner(
            [
                "The shocks move EBITDA only (every other driver held) and the index paths in "
                "parallel; a failure is a covenant test that fails after the cures the "
                "scenario's policy applies.",
                "The borrower's figures in the scenarios are labelled assumptions, not "
                "reported figures (see each scenario's report).",
            ],
            "How to read this",
        ),
    ]
    side = compared.copy()
    side["lowest_headroom_pct"] = side["lowest_headroom_pct"].astype(float)
    tables = [
        table(
            side[
                [
                    "first_breach",
                    "first_breach_covenant",
                    "lowest_headroom_pct",
                    "cures",
                    "cure_amount",
                    "default_from",
                    "funding_gap",
                ]
            ],
            "The scenarios side by side",
            "capital-compared",
            columns={
                "first_breach": ("First failure after cures", "date"),
                "first_breach_covenant": ("Covenant", "text"),
                "lowest_headroom_pct": ("Lowest headroom (% of required)", "percent"),
                "cures": ("Equity cures", "int"),
                "cure_amount": ("Cure amounts", "usd"),
                "default_from": ("Event of Default from", "date"),
                "funding_gap": ("Funding gap", "usd"),
            },
            index=("Scenario", "text"),
            sheet="Scenarios",
        ),
        table(
            _grid(sensitivity),
            f"First failure after cures, scenario {scenario}: EBITDA change (rows) and "
            "base-rate shift (columns)",
            "capital-sensitivity",
            note="Each cell is the whole structure projected with EBITDA changed by the "
            "row's fraction in every forecast quarter and every index shifted by the "
            "column's; empty: no failure in the horizon.",
            index=("EBITDA change", "text"),
            sheet="Sensitivity",
        ),
        table(
            _grid(sensitivity, "lowest_headroom_pct"),
            f"Lowest headroom after cures over the horizon, scenario {scenario}: EBITDA change "
            "(rows) and base-rate shift (columns), as a share of the required level",
            "capital-sensitivity-headroom",
            columns={c: (c, "percent") for c in _grid(sensitivity, "lowest_headroom_pct").columns},
            note="The tightest tested covenant in the tightest quarter; below zero, a failure.",
            index=("EBITDA change", "text"),
            sheet="Sensitivity headroom",
        ),
        table(
            probability["by_quarter"]
            .xs("any", level="covenant")[["breaches", "probability", "low_95", "high_95"]]
            .join(probability["in_default"]),
            f"Probability that a covenant fails in the quarter, scenario {scenario}",
            "capital-probability",
            columns={
                "breaches": ("Paths failing", "int"),
                "probability": ("Probability", "percent"),
                "low_95": ("95% low", "percent"),
                "high_95": ("95% high", "percent"),
                "in_default": ("Event of Default in force", "percent"),
            },
            note=f"{p['paths']:,} random EBITDA paths (seed {p['seed']}), a quarterly shock "
            f"of standard deviation {p['volatility']:.1%} compounding; funding gap on "
            f"{p['funding_gap']:.1%} of paths.",
            index=("Quarter end", "date"),
            sheet="Probability",
        ),
    ]
    return CapitalReport(front, tables, f)


def _grid(sensitivity: pd.DataFrame, column: str = "first_breach") -> pd.DataFrame:
    """A column of the grid with worded shocks: "-10%" rows, "+1.00 pp" columns (dates as
    ISO text, empty for none)."""
    values = sensitivity[column]
    if column == "first_breach":
        values = values.map(lambda x: x.isoformat() if isinstance(x, dt.date) else "")
    g = values.unstack("base_rate").reindex(
        index=list(dict.fromkeys(sensitivity.index.get_level_values("ebitda"))),
        columns=list(dict.fromkeys(sensitivity.index.get_level_values("base_rate"))),
    )
    g.index = [f"{e * 100:+.4g}%" if e else "0%" for e in g.index]
    g.columns = [f"{b * 100:+.4g} pp" if b else "0 pp" for b in g.columns]
    return g


def _date_key(s: pd.Series) -> pd.Series:
    return s.map(lambda x: x if isinstance(x, dt.date) else dt.date.max)
