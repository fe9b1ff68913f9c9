"""Plausibility checks of a projection: combinations of inputs that are each labelled but
together tell an unlikely story (cash that piles up on flat EBITDA, capex far below
depreciation). Each check is a warning for the reports and the index, never an error; its
threshold is data (:class:`model.terms.scenarios.Plausibility`, overridable in a scenario
under ``plausibility:``) and each warning names the drivers behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import numpy as np
import pandas as pd

from model.engines.projection.result import Projection
from model.terms.scenarios import DRIVERS, Plausibility

__all__ = ["plausibility", "CHECKS"]

CHECKS = {
    "capex_vs_da": ("capex_unfunded", "capex_funded", "depreciation", "amortization"),
    "taxes_paid_vs_expensed": ("income_taxes_paid", "income_tax_expense"),
    "cash_build_vs_ebitda": ("ebitda", "capex_unfunded", "income_taxes_paid", "repay_above"),
    "dso_vs_opening": ("dso_domestic", "dso_foreign"),
    "margin_over_base_rate": ("interest.margin (facility file)",),
    "revenue_growth": ("revenue",),
    "driver_range": ("the driver named",),
}
"""Check id -> the drivers (or terms) a warning of it names."""


def _money(x: float) -> str:
    return f"${x:,.0f}"


def _row(scenario: str, check: str, message: str) -> dict[str, str]:
    return {
        "scenario": scenario,
        "check": check,
        "message": message,
        "drivers": ", ".join(CHECKS[check]),
    }


def plausibility(
    projection: Projection, thresholds: Mapping[str, Plausibility] | Plausibility | None = None
) -> pd.DataFrame:
    """One row per warning: ``scenario``, ``check`` (a key of :data:`CHECKS`), ``message``
    (a plain sentence with the figures) and ``drivers`` (what to revise).

    ``thresholds`` are one :class:`Plausibility` for every scenario, one per scenario name,
    or None: each scenario's own (the defaults for scenarios built by the analytics).

    >>> from model import load, project
    >>> p = project(load("params/deals/ibasis/scenarios/base.yaml"))
    >>> sorted(plausibility(p)["check"])
    ['capex_vs_da', 'cash_build_vs_ebitda', 'margin_over_base_rate', 'taxes_paid_vs_expensed']
    """
    a = projection.arrays
    rows: list[dict[str, str]] = []
    opening_cash, opening_ar, dso = _openings(projection)
    for i, name in enumerate(projection.scenarios):
        t = _thresholds(projection, thresholds, name, i)
        capex = float(a["capex_unfunded"][i].sum() + a["capex_funded"][i].sum())
        da = float(a["depreciation"][i].sum() + a["amortization"][i].sum())
        if da > 0 and capex < float(t.min_capex_to_da.value) * da:
            rows.append(
                _row(
                    name,
                    "capex_vs_da",
                    f"Capital expenditures of {_money(capex)} over the horizon are {capex / da:.0%} "
                    f"of depreciation and amortization ({_money(da)}); below "
                    f"{float(t.min_capex_to_da.value):.0%} the asset base shrinks.",
                )
            )
        paid, expensed = (
            float(a["income_taxes_paid"][i].sum()),
            float(a["income_tax_expense"][i].sum()),
        )
        if expensed > 0 and paid < float(t.min_taxes_paid_to_expensed.value) * expensed:
            rows.append(
                _row(
                    name,
                    "taxes_paid_vs_expensed",
                    f"Income taxes paid of {_money(paid)} are {paid / expensed:.0%} of the "
                    f"{_money(expensed)} expensed over the horizon.",
                )
            )
        ebitda = float(a["ebitda"][i].sum())
        build = float(a["cash"][i, -1]) - opening_cash[i]
        if ebitda > 0 and build > float(t.max_cash_build_to_ebitda.value) * ebitda:
            rows.append(
                _row(
                    name,
                    "cash_build_vs_ebitda",
                    f"Cash grows by {_money(build)} over the horizon, {build / ebitda:.0%} of the "
                    f"cumulative EBITDA of {_money(ebitda)}, to {_money(float(a['cash'][i, -1]))}.",
                )
            )
        for seg in ("domestic", "foreign"):
            far = np.abs(dso[seg][i] - opening_ar[i]) > float(t.max_dso_change_days.value)
            if far.any():
                q = int(np.argmax(far))
                rows.append(
                    _row(
                        name,
                        "dso_vs_opening",
                        f"Days of {seg} sales outstanding of {dso[seg][i, q]:.0f} in the quarter "
                        f"ending {projection.quarter_ends[q]} against {opening_ar[i]:.0f} implied "
                        "by the opening receivables.",
                    )
                )
        # the first quarter against the opening quarter's reported revenue, where known
        revenue = np.concatenate(
            [[_opening_revenue(projection, name)], np.asarray(a["revenue"][i], dtype=float)]
        )
        change = revenue[1:] / np.where(revenue[:-1] > 0, revenue[:-1], np.nan) - 1
        steep = np.nan_to_num(np.abs(change)) > float(t.max_revenue_growth.value)
        if steep.any():
            q = int(np.argmax(steep))
            rows.append(
                _row(
                    name,
                    "revenue_growth",
                    f"Revenue changes by {change[q]:+.0%} in the quarter ending "
                    f"{projection.quarter_ends[q]}, beyond ±"
                    f"{float(t.max_revenue_growth.value):.0%} a quarter.",
                )
            )
        rows += _outside_plausible(projection, name, i)
        low = _lowest_margin(projection)
        if low <= t.min_margin.value:
            rows.append(
                _row(
                    name,
                    "margin_over_base_rate",
                    f"The facility's margin over the base rate is {low:.2%} in some version.",
                )
            )
    return pd.DataFrame(rows, columns=["scenario", "check", "message", "drivers"])


def _opening_revenue(projection: Projection, name: str) -> float:
    """The revenue the deal's actuals report for the quarter the projection opens at, or
    NaN (no history, or no revenue line)."""
    block = next(b.run.block for b in projection.blocks if name in b.run.block.names)
    scenario = next((s for s in block.scenarios if s.name == name), None)
    reported = scenario.reported if scenario is not None else None
    for actuals in (reported.actuals if reported is not None else None, block.history):
        if actuals is not None and block.opening_date in actuals.quarters:
            items = actuals.at(block.opening_date)
            if "revenue" in items:
                return float(items["revenue"])
    return float("nan")


def _outside_plausible(projection: Projection, name: str, i: int) -> list[dict[str, str]]:
    """A warning for each driver of scenario ``name`` outside its plausible range
    (:data:`model.terms.scenarios.PLAUSIBLE`), at the first quarter it is."""
    block, j = next(
        (b.run.block, b.run.block.names.index(name))
        for b in projection.blocks
        if name in b.run.block.names
    )
    a = projection.arrays
    revenue = np.asarray(a["revenue"][i], dtype=float)
    values = {k: np.asarray(v[j], dtype=float) for k, v in block.drivers.items()}
    values["ebitda_margin"] = np.asarray(a["ebitda"][i], dtype=float) / np.where(
        revenue > 0, revenue, np.nan
    )
    rows = []
    for driver, spec in DRIVERS.items():
        if spec.plausible is None or driver not in values:
            continue
        low, high = (float(x) for x in spec.plausible)
        v = values[driver]
        out = (v < low) | (v > high)
        if out.any():
            q = int(np.argmax(out))
            unit = " days" if spec.unit == "days" else ""
            rows.append(
                {
                    "scenario": name,
                    "check": "driver_range",
                    "message": f"{spec.label[:1].upper() + spec.label[1:]} of {v[q]:g}{unit} in the "
                    f"quarter ending {projection.quarter_ends[q]} is outside the plausible "
                    f"{low:g} to {high:g}{unit}.",
                    "drivers": driver,
                }
            )
    return rows


def _thresholds(
    projection: Projection,
    given: Mapping[str, Plausibility] | Plausibility | None,
    name: str,
    i: int,
) -> Plausibility:
    if isinstance(given, Plausibility):
        return given
    if given is not None and name in given:
        return given[name]
    for b in projection.blocks:
        for s in b.run.block.scenarios:
            if s.name == name:
                return s.terms.plausibility
    return Plausibility()


def _openings(
    projection: Projection,
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Opening cash, the DSO implied by the opening receivables and the first quarter's
    revenue (91 days), and the DSO drivers [scenario, quarter]."""
    cash, ar, dso = [], [], {"domestic": [], "foreign": []}  # type: ignore[var-annotated]
    for b in projection.blocks:
        blk = b.run.block
        cash.append(blk.opening["cash"])
        receivables = blk.opening["receivables_domestic"] + blk.opening["receivables_foreign"]
        revenue = blk.drivers["revenue"][:, 0]
        ar.append(np.where(revenue > 0, receivables * 91 / np.where(revenue > 0, revenue, 1), 0))
        for seg in dso:
            dso[seg].append(blk.drivers[f"dso_{seg}"])
    return (
        np.concatenate(cash),
        np.concatenate(ar),
        {k: np.concatenate(v) for k, v in dso.items()},
    )


def _lowest_margin(projection: Projection) -> Decimal:
    fac = projection.blocks[0].run.block.facility
    return min(Decimal(v.interest.margin.value) for v in fac.all_versions)
