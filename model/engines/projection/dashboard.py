"""The trigger dashboard of one projected scenario: what a credit committee reads first.

Over the scenario's forecast (from its as-of date): the first breach, each
covenant's lowest headroom, the lowest liquidity once the projection has moved off its
opening position with the triggers in force that day, the days under cash dominion and
below the springing level, the next step-down of the over-advance, the peak revolver
beside the opening balance, the funding gap, and a quarter-by-quarter heat of the
tightest covenant.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from model.engines.facility.borrowing_base import over_advance_amount
from model.engines.projection.analytics import springing_level
from model.engines.projection.result import Projection
from model.terms.scenarios import Scenario

__all__ = ["dashboard", "next_step_down"]

_TESTED = ("complies", "amber", "breach")
_RANK = {"breach": 0, "undefined": 1, "amber": 2, "complies": 3, "not_required": 4}


def next_step_down(facility: Any, after: dt.date, until: dt.date) -> dict[str, Any] | None:
    """The first day after ``after`` (to ``until``) on which the over-advance in the
    Borrowing Base falls, with the amounts before and after; None if it does not."""
    days = sorted(
        {
            s.from_date
            for v in facility.all_versions
            if v.borrowing_base.over_advance is not None
            for s in v.borrowing_base.over_advance.steps
            if after < s.from_date <= until
        }
        | {v.effective_date for v in facility.all_versions if after < v.effective_date <= until}
    )
    for d in days:
        before = over_advance_amount(facility, d - dt.timedelta(days=1))
        now = over_advance_amount(facility, d)
        if now < before:
            return {"date": d, "from": float(before), "to": float(now)}
    return None


def dashboard(projection: Projection, scenario: Scenario) -> dict[str, Any]:
    """The dashboard figures of ``scenario`` in ``projection`` (kept day by day)."""
    name = scenario.name
    fac = scenario.facility
    known = scenario.reported.last_quarter if scenario.reported is not None else None
    q = projection.quarters.xs(name, level="scenario")
    forecast = list(q.index)
    cov = projection.covenants.xs(name, level="scenario")
    cov = cov[cov.index.get_level_values("quarter_end").isin(forecast)]
    first = None
    for d in forecast:
        rows = cov.xs(d, level="quarter_end")
        hit = rows.index[rows["status_code"] == "breach"]
        if len(hit):
            first = {"quarter_end": d, "covenants": sorted(hit)}
            break
    headroom: dict[str, dict[str, Any]] = {}
    for cid in sorted(set(cov.index.get_level_values("covenant"))):
        rows = cov.xs(cid, level="covenant")
        tested = rows[rows["status_code"].isin(_TESTED)]
        if len(tested):
            values = tested["headroom"].to_numpy(dtype=float)
            i = int(np.argmin(values))
            headroom[str(cid)] = {
                "headroom": float(values[i]),
                "headroom_pct": float(tested["headroom_pct"].to_numpy(dtype=float)[i]),
                "quarter_end": tested.index[i],
            }
    daily = projection.daily(name)
    grid = projection.blocks[0].run.grid
    moved = daily[daily.index >= pd.Timestamp(grid.days[1] if grid.size > 1 else grid.days[0])]
    liquidity = moved["liquidity"].to_numpy(dtype=float)
    at = int(np.argmin(liquidity))
    low_day = moved.index[at].date()
    low_q = next(d for d in q.index if low_day <= d)
    heat: dict[dt.date, dict[str, Any]] = {}
    for d in q.index:
        rows = projection.covenants.xs((name, d), level=("scenario", "quarter_end"))
        tested = rows[rows["status_code"].isin(_TESTED)]
        worst = min(rows["status_code"], key=lambda s: _RANK.get(s, 9))
        pct = tested["headroom_pct"].to_numpy(dtype=float)
        heat[d] = {
            "status_code": worst,
            "headroom_pct": None if not len(pct) or np.isnan(pct).all() else float(np.nanmin(pct)),
        }
    return {
        "as_of": scenario.terms.opening.date.value,
        "last_reported_quarter": known,
        "first_breach": first,
        "min_headroom": headroom,
        "lowest_liquidity": {
            "amount": float(liquidity[at]),
            "date": low_day,
            "cash_dominion_below": float(moved["cash_dominion_threshold"].to_numpy()[at]),
            "springing_below": None if np.isnan(level := springing_level(fac, low_q)) else level,
            "event_of_default": bool(moved["event_of_default"].to_numpy()[at]),
        },
        "days_cash_dominion": int(q.loc[forecast, "days_cash_dominion"].sum()),
        "days_below_springing": int(q.loc[forecast, "days_below_springing"].sum()),
        "days_in_default": int(q.loc[forecast, "days_in_default"].sum()),
        "next_step_down": next_step_down(fac, scenario.terms.opening.date.value, q.index[-1]),
        "opening_revolver": float(scenario.terms.opening.amount("revolver_outstanding")),
        "peak_revolver": float(q["peak_outstanding"].max()),
        "funding_gap": float(q["funding_gap"].sum()),
        "heat": heat,
    }
