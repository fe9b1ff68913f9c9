"""What if: one scenario with its drivers moved, projected again at once.

:class:`WhatIf` is a set of moves an analyst makes to a scenario's forecast quarters (the
quarters after the last reported one; a reported quarter is certain): revenue up or down
with the EBITDA margin held, the EBITDA margin itself, days added to DSO, the capital
expenditures paid from cash each quarter, a shift of the base rate, and what the bank does
on an Event of Default. :func:`what_if` applies them to the scenario's
:class:`~model.engines.projection.block.ScenarioBlock` (built once and kept by the caller)
and projects it through the vectorised engine: a few milliseconds, so a panel can answer as
the analyst moves a control. The moves are those of the analytics
(:data:`~model.engines.projection.analytics.SHOCKS`), so a what-if equals the grid cell it
matches.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from model.engines.projection.analytics import SHOCKS
from model.engines.projection.block import ScenarioBlock
from model.engines.projection.result import Projection, project
from model.errors import InputError
from model.terms.scenarios import DRIVERS, LenderResponse

__all__ = ["WhatIf", "what_if", "scenario_block"]


@dataclass(frozen=True)
class WhatIf:
    """Moves to a scenario's forecast quarters (see the module docstring). The defaults
    change nothing.

    revenue : fraction
        Revenue change in every forecast quarter, EBITDA margin held (-0.10: 10% lower).
    ebitda_margin : fraction of revenue
        Added to the EBITDA margin in every forecast quarter (-0.01: one point lower).
    dso : days
        Added to DSO, domestic and foreign.
    capex : dollars a quarter, optional
        Capital expenditures paid from cash in every forecast quarter (None: the scenario's).
    base_rate : fraction
        Added to the base rate path (0.01: one point higher).
    lender : LenderResponse, optional
        What the bank does on an Event of Default (None: the scenario's).
    """

    revenue: float = 0.0
    ebitda_margin: float = 0.0
    dso: float = 0.0
    capex: float | None = None
    base_rate: float = 0.0
    lender: LenderResponse | None = None

    def __post_init__(self) -> None:
        checks = (
            ("revenue", self.revenue, -1.0, 10.0),
            ("ebitda_margin", self.ebitda_margin, -1.0, 1.0),
            ("dso", self.dso, -365.0, 365.0),
            (
                "base_rate",
                self.base_rate,
                float(DRIVERS["base_rate_shift"].low),
                float(DRIVERS["base_rate_shift"].high),
            ),
        )
        for name, value, low, high in checks:
            if (
                not isinstance(value, int | float)
                or not np.isfinite(value)
                or not low <= value <= high
            ):
                raise InputError(f"{value!r} is not a number from {low:g} to {high:g}", key=name)
        if self.capex is not None and (
            not isinstance(self.capex, int | float) or not np.isfinite(self.capex) or self.capex < 0
        ):
            raise InputError(f"{self.capex!r} is not an amount of 0 or more", key="capex")

    def changes(self) -> dict[str, Any]:
        """The moves that change something, by name (empty: the scenario as written)."""
        base = WhatIf()
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if getattr(self, f.name) != getattr(base, f.name)
        }


def scenario_block(scenario: Any) -> ScenarioBlock:
    """The block of one scenario, built once for many what-ifs."""
    return (
        scenario if isinstance(scenario, ScenarioBlock) else ScenarioBlock.from_scenarios(scenario)
    )


def what_if(scenario: Any, change: WhatIf = WhatIf()) -> Projection:
    """``scenario`` (a Scenario or its :func:`scenario_block`) with ``change`` applied to its
    forecast quarters, projected (see the module docstring)."""
    block = scenario_block(scenario)
    if block.size != 1:
        raise InputError(f"a what-if moves one scenario, not {block.size}", key="scenario")
    if change.revenue:
        block = SHOCKS["revenue"].apply(block, np.array([change.revenue]))
    future = block.unknown()[None, :]
    if change.ebitda_margin:
        block = block.shocked(
            add={"ebitda": block.drivers["revenue"] * change.ebitda_margin * future}
        )
    if change.dso:
        block = SHOCKS["dso"].apply(block, np.array([change.dso]))
    if change.capex is not None:
        now = block.drivers["capex_unfunded"]
        block = block.shocked(replace_with={"capex_unfunded": np.where(future, change.capex, now)})
    if change.base_rate:
        block = SHOCKS["base_rate"].apply(block, np.array([change.base_rate]))
    if change.lender is not None:
        block = dataclasses.replace(block, lender=change.lender)
    return project(block)
