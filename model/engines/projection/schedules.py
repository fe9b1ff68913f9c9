"""The covenant build-ups of every projected quarter of one scenario: what the projection
workbook writes as live formulas.

For each projected quarter, :func:`projected_schedules` gives the scalar covenant engine's
own answer on the projection's line items
(:func:`~model.engines.covenants.evaluate_covenants` and
:func:`~model.engines.covenants.schedule_1`, the oracle the vectorised covenant arrays are
tested against), with the quarter's lowest daily liquidity, which decides an any-day
springing test. :func:`projected_quantities` gives the projected quantities the deal's line
items are read from (the compliance file's ``projection``), in dollars, quarter by quarter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from model.engines.covenants import evaluate_covenants, schedule_1
from model.engines.covenants.metrics import MetricBuildUp
from model.engines.projection.result import Projection
from model.terms.facility import Facility
from model.terms.quantities import INTEREST_EXPENSE, NET_INCOME_LESS
from model.terms.scenarios import Scenario

__all__ = [
    "ScheduleQuarter",
    "projected_schedules",
    "projected_quantities",
    "quantities_needed",
]

_ALIASES = {"revolver_outstanding": "outstanding"}

DRIVER_QUANTITIES = ("borrower_ebitda_share",)
"""Drivers the workbook shows beside the projected figures, for a formula that reads them."""
"""Quantities of the compliance file's ``projection`` that the quarterly table names
differently."""


@dataclass(frozen=True)
class ScheduleQuarter:
    """One projected quarter's covenants: the results (one row per covenant, as
    :func:`~model.engines.covenants.evaluate_covenants` returns them), the build-up of each
    metric, and the lowest daily liquidity of the quarter (dollars)."""

    quarter_end: dt.date
    results: pd.DataFrame
    schedule: Mapping[str, MetricBuildUp]
    liquidity_low: float


def projected_schedules(scenario: Scenario, projection: Projection) -> tuple[ScheduleQuarter, ...]:
    """The covenant build-ups of every projected quarter of ``scenario``."""
    items = projection.line_items(scenario.name)
    daily = projection.daily(scenario.name)["liquidity"]
    quarters = pd.DataFrame(projection.quarters.xs(scenario.name, level="scenario"))
    low = {q: float(v) for q, v in quarters["min_liquidity"].items()}
    return tuple(
        ScheduleQuarter(
            q,
            evaluate_covenants(scenario.facility, q, items, liquidity=daily),
            schedule_1(scenario.facility, items, q),
            low[q],
        )
        for q in items.quarter_ends
    )


def quantities_needed(facility: Facility) -> list[str]:
    """The projected quantities the deal's line items read, with the parts of interest
    expense and net income where those are read: P&L first, then balances, in the order
    of the compliance file."""
    read = [q for spec in facility.compliance.projection.values() for q in (*spec.sum, *spec.less)]
    out: list[str] = []
    if "net_income" in read or "interest_expense" in read:
        out += ["revenue", "ebitda", *NET_INCOME_LESS, *INTEREST_EXPENSE, "net_income"]
    out += [q for q in read if q not in out]
    if "borrower_ebitda" in out:  # EBITDA x the Borrower's share, each quarter
        out.insert(out.index("borrower_ebitda"), "borrower_ebitda_share")
    out.append("min_liquidity")  # what a springing test reads
    return list(dict.fromkeys(out))


def projected_quantities(
    projection: Projection, scenario: str, names: Sequence[str]
) -> dict[str, tuple[float, ...]]:
    """The projected quantities ``names`` of ``scenario``, each quarter by quarter
    (dollars; a driver of the scenario, ``borrower_ebitda_share``, as its fraction)."""
    quarters = pd.DataFrame(projection.quarters.xs(scenario, level="scenario"))
    block = next(b.run.block for b in projection.blocks if scenario in b.run.block.names)
    drivers = {k: v[block.names.index(scenario)] for k, v in block.drivers.items()}
    return {
        n: tuple(
            float(v)
            for v in (drivers[n] if n in DRIVER_QUANTITIES else quarters[_ALIASES.get(n, n)])
        )
        for n in names
    }
