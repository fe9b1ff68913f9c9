"""A deal's reported quarters, tested as its covenant report (notebook 03) tests them: the
figures of the actuals, the covenant engine's history with the daily ledger of the
reported quarters for the any-day springing test, and the Events of Default that a
forecast inherits from them (:func:`reported_defaults`).
"""

from __future__ import annotations

import datetime as dt
import weakref
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from model.dates.periods import quarter_start
from model.engines.covenants.evaluate import evaluate_history
from model.engines.covenants.reporting import certificate_due_date
from model.engines.facility.ledger import facility_ledger
from model.errors import InputError
from model.terms.actuals import Actuals
from model.terms.compliance import ComplianceTerms
from model.terms.quantities import NET_INCOME_LESS
from model.terms.scenarios import Scenario

__all__ = [
    "ReportedQuarters",
    "reported_quarters",
    "reported_figures",
    "reported_defaults",
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

_QUANTITY = {"outstanding": "revolver_outstanding"}
"""The projected quantity a figure of :data:`FIGURES` is, where the names differ."""


def _item_of(comp: ComplianceTerms, quantity: str, names: set[str]) -> str | None:
    """The reported line item that is ``quantity``: the one the compliance file's
    ``projection`` reads from that quantity alone, else a line item of the same name."""
    for item, spec in comp.projection.items():
        if list(spec.sum) == [quantity] and not spec.less and item in names:
            return item
    return quantity if quantity in names else None


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
    key = (id(scenario), str(cushion))
    hit = _COMPUTED.get(key)
    if hit is not None and hit[0]() is scenario:
        return hit[1]
    out = _reported_quarters(scenario, cushion)
    _COMPUTED[key] = (weakref.ref(scenario, lambda _r: _COMPUTED.pop(key, None)), out)
    return out


_COMPUTED: dict[tuple[int, str], tuple[weakref.ref[Scenario], ReportedQuarters]] = {}
"""The reported quarters of each loaded scenario, computed once (a ledger and the covenant
engine over every reported quarter: the block, the timeline, the back-test and the
analytics all read them); dropped with the scenario."""


def _reported_quarters(scenario: Scenario, cushion: Any) -> ReportedQuarters:
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
    return ReportedQuarters(
        reported_figures(acts, scenario.facility.compliance, ledger),
        covenants,
        ledger,
        source or "",
    )


def reported_figures(
    actuals: Actuals, compliance: ComplianceTerms, ledger: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The figures of :data:`FIGURES` for every quarter of the actuals (dollars): the line
    items as reported (the line item of each figure named by the ``compliance`` file's
    projection), EBITDA built from its lines (net income with the line items of
    :data:`~model.terms.quantities.NET_INCOME_LESS` added back) and the lowest daily
    liquidity where ``ledger`` covers the whole quarter; NaN where the deal's actuals have
    no such line."""
    rows = []
    for q in actuals.quarter_ends:
        items = actuals.quarter(q)
        names = set(items)
        row: dict[str, Any] = {}
        for k in FIGURES:
            if k in ("ebitda", "min_liquidity"):
                continue
            item = _item_of(compliance, _QUANTITY.get(k, k), names)
            row[k] = float("nan") if item is None else float(items[item])
        parts = [_item_of(compliance, k, names) for k in ("net_income", *NET_INCOME_LESS)]
        row["ebitda"] = (
            float(sum((Decimal(items[k]) for k in parts if k is not None), Decimal(0)))
            if None not in parts
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
    start = pd.Timestamp(quarter_start(q))
    days = ledger.loc[(ledger.index >= start) & (ledger.index <= pd.Timestamp(q)), "liquidity"]
    if len(days) != (pd.Timestamp(q) - start).days + 1:
        return float("nan")
    return float(min(Decimal(str(x)) for x in days))


def reported_defaults(scenario: Scenario) -> tuple[dt.date, ...]:
    """The days on which the reported quarters known at the scenario's as-of date (its
    opening quarter end) became Events of Default: the due date of each quarter's
    Compliance Certificate where a covenant failed. A forecast inherits them: under
    ``enforce`` a default that began before the opening continues through it, under
    ``waive`` a waiver on or after its start ends it.

    >>> from model.terms import load
    >>> reported_defaults(load("params/deals/ibasis/scenarios/base.yaml"))  # 2008-12-31 + 45 days
    (datetime.date(2009, 2, 14),)
    >>> reported_defaults(load("params/deals/ibasis/scenarios/stress-2008.yaml"))  # as of 2008-03-31
    ()
    """
    if scenario.reported is None:
        return ()
    as_of = scenario.terms.opening.date.value
    cov = reported_quarters(scenario).covenants
    out = []
    for q in sorted({d for d in cov.index.get_level_values("quarter_end") if d <= as_of}):
        if (cov.xs(q, level="quarter_end")["status_code"] == "breach").any():
            due = certificate_due_date(scenario.facility, q)
            if due is not None:
                out.append(due)
    return tuple(out)
