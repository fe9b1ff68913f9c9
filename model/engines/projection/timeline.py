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

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from model.engines.covenants.evaluate import evaluate_history
from model.engines.facility.ledger import facility_ledger
from model.engines.projection.result import Projection
from model.errors import InputError
from model.terms.actuals import Actuals
from model.terms.scenarios import Scenario

__all__ = [
    "ReportedQuarters",
    "reported_quarters",
    "reported_figures",
    "timeline",
    "forecast_vs_actual",
    "FIGURES",
]

FIGURES = (
    "revenue",
    "ebitda",
    "net_income",
    "cash",
    "outstanding",
    "liquidity",
    "min_liquidity",
    "receivables",
)
"""The quarterly figures the timeline shows for reported and projected quarters alike."""

_EBITDA = (
    "net_income",
    "interest_expense",
    "depreciation",
    "amortization",
    "income_tax_expense",
    "non_cash_items",
    "kpn_transaction_costs",
)
"""The reported lines that add up to the projection's EBITDA (its P&L read backwards:
net income plus interest, taxes, depreciation, amortization, non-cash items and the
one-time costs, Schedule 1, II lines A to G)."""

_FROM_ITEMS = {
    "revenue": "revenue",
    "net_income": "net_income",
    "cash": "cash_at_bank",
    "outstanding": "obligations_to_bank",
    "liquidity": "liquidity_quarter_end",
    "receivables": "net_billed_receivables",
}


@dataclass(frozen=True)
class ReportedQuarters:
    """A deal's reported quarters: ``figures`` (one row per quarter end, the columns of
    :data:`FIGURES` in dollars), ``covenants`` (the covenant engine's history, indexed by
    (quarter_end, covenant)), the ``ledger`` behind the springing test (or None) and the
    words on where the liquidity comes from."""

    figures: pd.DataFrame
    covenants: pd.DataFrame
    ledger: pd.DataFrame | None
    liquidity_source: str

    @property
    def last_quarter(self) -> dt.date:
        return self.figures.index[-1]


def reported_quarters(scenario: Scenario, cushion: Any = "0.10") -> ReportedQuarters:
    """The reported quarters of a scenario's deal, tested as notebook 03 tests them.

    Examples
    --------
    >>> from model.terms import load
    >>> r = reported_quarters(load("params/deals/ibasis/scenarios/base.yaml"))
    >>> r.last_quarter, float(r.figures.loc[dt.date(2008, 12, 31), "ebitda"])
    (datetime.date(2009, 6, 30), 10500000.0)
    >>> r.covenants.loc[(dt.date(2008, 12, 31), "borrower_cash_flow"), "status_code"]
    'breach'
    """
    rep = scenario.reported
    if rep is None:
        raise InputError(
            f"scenario {scenario.name!r} names no reported quarters: give it a 'reported:' "
            "block with the deal's actuals_file",
            key="reported",
        )
    acts = rep.actuals
    ledger, source, kind = None, None, None
    if rep.ledger is not None:
        lg = rep.ledger
        ledger = facility_ledger(
            scenario.facility,
            lg.start.value,
            lg.end.value,
            receivables=rep.receivables,
            cash=rep.cash,
            rate_path=scenario.base_rate,
            draws=rep.draws,
            opening_balance=lg.opening_balance.value,
        )
        kind = lg.provenance.value
        source = (
            f"{kind}: daily ledger of cash at the Bank plus Availability, "
            f"{lg.start.value} to {lg.end.value}"
        )
    covenants = evaluate_history(
        scenario.facility,
        acts.quarter_ends,
        acts,
        liquidity=ledger,
        cushion=cushion,
        springing_reading="any_day",
        liquidity_source=source,
        liquidity_kind=kind,
    )
    return ReportedQuarters(reported_figures(acts, ledger), covenants, ledger, source or "")


def reported_figures(actuals: Actuals, ledger: pd.DataFrame | None = None) -> pd.DataFrame:
    """The figures of :data:`FIGURES` for every quarter of the actuals (dollars): the line
    items as reported, EBITDA built from its lines (Schedule 1, II, A to G) and the lowest
    daily liquidity where ``ledger`` covers the whole quarter; NaN where the deal's actuals
    have no such line."""
    rows = []
    for q in actuals.quarter_ends:
        items = actuals.quarter(q)
        names = set(items)
        row: dict[str, Any] = {
            k: float(items[v]) if v in names else float("nan") for k, v in _FROM_ITEMS.items()
        }
        row["ebitda"] = (
            float(sum((Decimal(items[k]) for k in _EBITDA), Decimal(0)))
            if all(k in names for k in _EBITDA)
            else float("nan")
        )
        row["min_liquidity"] = _lowest(ledger, q)
        rows.append(row)
    figures = pd.DataFrame(rows, index=pd.Index(actuals.quarter_ends, name="quarter_end"))
    return figures[list(FIGURES)]


def _lowest(ledger: pd.DataFrame | None, q: dt.date) -> float:
    """The lowest daily liquidity of the quarter ending ``q`` where the ledger covers the
    whole quarter, else NaN."""
    if ledger is None:
        return float("nan")
    start = pd.Timestamp(dt.date(q.year, q.month - 2, 1))
    days = ledger.loc[(ledger.index >= start) & (ledger.index <= pd.Timestamp(q)), "liquidity"]
    if len(days) != (pd.Timestamp(q) - start).days + 1:
        return float("nan")
    return float(min(Decimal(str(x)) for x in days))


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
