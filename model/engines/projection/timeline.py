"""One timeline per deal: the reported quarters, then the projected ones.

The reported quarters come from the deal's actuals (a scenario's ``reported:`` block) and
are tested by the covenant engine exactly as notebook 03 tests them
(:func:`~model.engines.covenants.evaluate.evaluate_history`, with the daily ledger of the
reported quarters for the any-day springing test), so every report shows the same
figure for the same quarter. The projection opens at a quarter end (its ``as_of``): when
that is the last reported quarter, the timeline is the history followed by the
projection; when it is earlier (a forecast as it would have been made then), the
projected quarters that the actuals also report never replace them: they are shown beside
them, forecast against actual, with the variance (:func:`forecast_vs_actual`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from model.engines.projection.reported import FIGURES, reported_quarters
from model.engines.projection.result import Projection
from model.terms.scenarios import Scenario

__all__ = ["timeline", "forecast_vs_actual"]


def timeline(scenario: Scenario, projection: Projection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The deal's quarters in order, reported then projected: (figures, covenants).

    ``figures`` has the columns of :data:`FIGURES` plus ``basis`` (``reported`` or
    ``forecast``) and ``as_of`` (the projection's opening quarter end for a forecast);
    ``covenants`` is indexed by (quarter_end, covenant) with ``required``, ``actual``,
    ``headroom``, ``status_code``, ``basis`` and ``as_of``. A projected quarter that the
    actuals report is left out here (see :func:`forecast_vs_actual`).
    """
    rep = reported_quarters(scenario)
    name = scenario.name
    as_of = scenario.terms.opening.date.value
    q = projection.quarters.xs(name, level="scenario")
    later = [d for d in q.index if d > rep.last_quarter]
    fig = pd.concat(
        [
            rep.figures.assign(basis="reported", as_of=None),
            q.loc[later, list(FIGURES)].assign(basis="forecast", as_of=as_of),
        ]
    )
    fig.index.name = "quarter_end"
    cols = ["required", "actual", "headroom", "status_code"]
    reported_cov = rep.covenants[cols].copy()
    for c in ("required", "actual", "headroom"):
        reported_cov[c] = [np.nan if x is None else float(x) for x in reported_cov[c]]
    projected_cov = projection.covenants.xs(name, level="scenario")
    projected_cov = projected_cov[projected_cov.index.get_level_values("quarter_end").isin(later)][
        cols
    ]
    cov = pd.concat(
        [
            reported_cov.assign(basis="reported", as_of=None),
            projected_cov.assign(basis="forecast", as_of=as_of),
        ]
    )
    return fig, cov


def forecast_vs_actual(scenario: Scenario, projection: Projection) -> pd.DataFrame:
    """The projected quarters that the actuals also report: for each quarter and figure,
    the forecast (as of the projection's opening date), the reported figure and the
    variance (forecast less reported), and each covenant's status forecast and reported.
    Empty when the projection opens at the last reported quarter."""
    rep = reported_quarters(scenario)
    name = scenario.name
    q = projection.quarters.xs(name, level="scenario")
    both = [d for d in q.index if d in rep.figures.index]
    rows = []
    cov = projection.covenants.xs(name, level="scenario")
    for d in both:
        row: dict[str, Any] = {"quarter_end": d}
        for k in ("ebitda", "liquidity", "outstanding", "cash", "net_income"):
            f, a = float(q.loc[d, k]), float(rep.figures.loc[d, k])
            row[f"{k}_forecast"], row[f"{k}_reported"], row[f"{k}_variance"] = f, a, f - a
        for cid in sorted(set(cov.xs(d, level="quarter_end").index)):
            row[f"{cid}_forecast"] = cov.loc[(d, cid), "status_code"]
            key = (d, cid)
            row[f"{cid}_reported"] = (
                rep.covenants.loc[key, "status_code"] if key in rep.covenants.index else ""
            )
        rows.append(row)
    out = pd.DataFrame(rows)
    return out.set_index("quarter_end") if len(out) else out
