"""A projection's results: the quarterly table, the covenant table, the funding gaps, the
arrays for analytics, and any one scenario day by day.

:func:`project` runs the engine (:mod:`model.engines.projection.engine`) on blocks of
scenarios so memory stays bounded, then assembles:

* ``quarters``: a tidy DataFrame indexed by (scenario, quarter_end): the P&L to net
  income, cash flows, receivables and eligible receivables, the borrowing base with the
  over-advance, draws, repayments and outstanding by tranche, interest and fees, cash,
  liquidity (lowest and at the quarter end), days under each trigger, funding gaps;
* ``covenants``: a tidy DataFrame indexed by (scenario, quarter_end, covenant): required,
  actual, headroom, headroom_pct, applies, complies, status_code, threshold_kind, version;
* ``arrays``: the same figures as arrays [scenario, quarter] (dollars), for analytics;
* :meth:`Projection.daily` and :meth:`Projection.ledger_inputs` for one scenario.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from model.engines.projection.block import as_decimal
from model.engines.projection.covenants import QuarterCovenants, covenant_arrays
from model.engines.projection.engine import Run, run_block, scenario_block
from model.engines.projection.grid import event_grid
from model.errors import InputError, NotFoundError
from model.terms.actuals import Actuals, Entry, QuarterActuals
from model.values import read_int, read_rate

__all__ = ["project", "Projection", "line_items"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def _by_quarter_sum(monthly: I64) -> I64:
    return monthly.reshape(monthly.shape[0], -1, 3).sum(axis=2)


def _quarter_end_value(monthly: I64) -> I64:
    return monthly[:, 2::3]


def _events_sum(run: Run, name: str) -> I64:
    g = run.grid
    q = len(g.quarter_ends)
    out = np.zeros((run.block.size, q), dtype=np.int64)
    for qi in range(q):
        out[:, qi] = run.event[name][:, g.quarter == qi].sum(axis=1)
    return out


def _quarter_end_event(run: Run, name: str) -> I64:
    """The state at the end of each quarter end (the last event of the quarter)."""
    g = run.grid
    idx = [int(np.nonzero(g.quarter == qi)[0][-1]) for qi in range(len(g.quarter_ends))]
    return run.event[name][:, idx]


def _days_under(run: Run, flag: NDArray[np.bool_]) -> I64:
    g = run.grid
    return np.stack(
        [
            (flag[:, g.quarter == qi] * g.length[g.quarter == qi]).sum(axis=1)
            for qi in range(len(g.quarter_ends))
        ],
        axis=1,
    )


def _extreme(run: Run, name: str, fn: Any) -> tuple[I64, list[list[dt.date]]]:
    g = run.grid
    vals = np.zeros((run.block.size, len(g.quarter_ends)), dtype=np.int64)
    dates: list[list[dt.date]] = [[] for _ in range(run.block.size)]
    for qi in range(len(g.quarter_ends)):
        cols = np.nonzero(g.quarter == qi)[0]
        sub = run.event[name][:, cols]
        at = fn(sub, axis=1)
        vals[:, qi] = sub[np.arange(sub.shape[0]), at]
        for s in range(run.block.size):
            dates[s].append(g.days[cols[at[s]]])
    return vals, dates


def _quarter_arrays(run: Run) -> dict[str, I64]:
    """Every quarterly figure in cents (see the module docstring)."""
    m = run.monthly
    q = {
        k: _by_quarter_sum(m[k])
        for k in (
            "revenue",
            "ebitda",
            "depreciation",
            "amortization",
            "non_cash_items",
            "kpn_transaction_costs",
            "other_debt_interest",
            "income_tax_expense",
            "income_taxes_paid",
            "capex_unfunded",
            "capex_funded",
            "dividends",
            "repurchases",
            "operating_cash",
        )
    }
    q["revolver_interest"] = _by_quarter_sum(m["interest_accrued"])
    q["interest_revolver_tranche"] = _by_quarter_sum(m["interest_revolver_accrued"])
    q["interest_over_advance_tranche"] = _by_quarter_sum(m["interest_over_advance_accrued"])
    for k in ("draw", "repayment", "forced_repayment", "interest_paid", "fees_paid", "funding_gap"):
        q[k] = _events_sum(run, k)
    q["facility_fees"] = q["fees_paid"]
    q["interest_expense"] = q["revolver_interest"] + q["facility_fees"] + q["other_debt_interest"]
    q["net_income"] = (
        q["ebitda"]
        - q["kpn_transaction_costs"]
        - q["depreciation"]
        - q["amortization"]
        - q["non_cash_items"]
        - q["interest_expense"]
        - q["income_tax_expense"]
    )
    share = run.block.drivers["borrower_ebitda_share"]
    q["borrower_ebitda"] = np.rint(q["ebitda"] * share).astype(np.int64)
    for k in (
        "receivables_domestic",
        "receivables_foreign",
        "payables",
        "deferred_revenue",
        "other_current_liabilities",
        "short_term_investments",
        "other_debt",
    ):
        q[k] = _quarter_end_value(m[k])
    q["receivables"] = q["receivables_domestic"] + q["receivables_foreign"]
    for k in (
        "cash",
        "outstanding",
        "limit",
        "borrowing_base",
        "availability",
        "liquidity",
        "over_advance_used",
        "excess",
        "eligible_domestic",
        "eligible_foreign",
    ):
        q[k] = _quarter_end_event(run, k)
    q["revolver_outstanding"] = q["outstanding"]
    q["revolver_tranche"] = q["outstanding"] - q["over_advance_used"]
    q["over_advance_limit"] = _quarter_end_event(run, "borrowing_base") - _quarter_end_event(
        run, "receivables_base"
    )
    return q


_FRAME = (
    "revenue",
    "ebitda",
    "depreciation",
    "amortization",
    "non_cash_items",
    "kpn_transaction_costs",
    "revolver_interest",
    "facility_fees",
    "other_debt_interest",
    "interest_expense",
    "income_tax_expense",
    "net_income",
    "borrower_ebitda",
    "operating_cash",
    "income_taxes_paid",
    "capex_unfunded",
    "capex_funded",
    "dividends",
    "repurchases",
    "draw",
    "repayment",
    "forced_repayment",
    "interest_paid",
    "fees_paid",
    "funding_gap",
    "cash",
    "receivables_domestic",
    "receivables_foreign",
    "receivables",
    "eligible_domestic",
    "eligible_foreign",
    "borrowing_base",
    "over_advance_limit",
    "limit",
    "outstanding",
    "revolver_tranche",
    "over_advance_used",
    "availability",
    "liquidity",
    "min_liquidity",
    "peak_outstanding",
    "payables",
    "deferred_revenue",
    "other_current_liabilities",
    "short_term_investments",
    "other_debt",
)


@dataclass(frozen=True)
class Projection:
    """The results of :func:`project` (see the module docstring)."""

    quarters: pd.DataFrame
    covenants: pd.DataFrame
    funding_gaps: pd.DataFrame
    arrays: Mapping[str, F64]
    blocks: tuple[Run, ...] = field(repr=False)

    @property
    def scenarios(self) -> list[str]:
        return [n for r in self.blocks for n in r.block.names]

    def _locate(self, scenario: str | int) -> tuple[Run, int]:
        names = self.scenarios
        if isinstance(scenario, int) and not isinstance(scenario, bool):
            if not 0 <= scenario < len(names):
                raise NotFoundError(f"no scenario {scenario}: the projection has {len(names)}")
            i = scenario
        elif scenario in names:
            i = names.index(scenario)
        else:
            raise NotFoundError(f"no scenario {scenario!r}; scenarios: {', '.join(names[:10])}")
        for run in self.blocks:
            if i < run.block.size:
                return run, i
            i -= run.block.size
        raise NotFoundError(f"no scenario {scenario!r}")  # pragma: no cover

    def daily(self, scenario: str | int = 0) -> pd.DataFrame:
        """One scenario day by day: the state at the end of each day (dollars)."""
        run, i = self._locate(scenario)
        g = run.grid
        idx = np.repeat(np.arange(g.size), g.length)
        days = pd.date_range(g.start, g.end, freq="D")
        cols = {
            k: run.event[k][i, idx] / 100.0
            for k in (
                "cash",
                "outstanding",
                "limit",
                "borrowing_base",
                "availability",
                "liquidity",
                "over_advance_used",
                "excess",
                "eligible_domestic",
                "eligible_foreign",
            )
        }
        first = np.r_[True, np.diff(idx) != 0]
        for k in (
            "draw",
            "repayment",
            "forced_repayment",
            "interest_paid",
            "fees_paid",
            "funding_gap",
        ):
            cols[k] = np.where(first, run.event[k][i, idx], 0) / 100.0
        cols["cash_dominion"] = run.dominion[i, idx]
        cols["agings_reports_required"] = run.agings[i, idx]
        cols["cash_flow_covenant_springs"] = run.springing_day[i, idx]
        cols["version"] = np.array(g.version)[idx]
        cols["base_rate"] = run.event["base_rate"][i, idx] / 1e6
        return pd.DataFrame(cols, index=days)

    def ledger_inputs(self, scenario: str | int = 0) -> dict[str, Any]:
        """What :func:`model.engines.facility.facility_ledger` needs to replay one scenario:
        ``start``, ``end``, ``receivables`` (the certificates), ``cash``, ``draws`` (forced
        repayments, then draws or repayments, in the order of the day), ``rate_path`` and
        ``opening_balance`` (oracle (a) of the projection)."""
        run, i = self._locate(scenario)
        g, b = run.grid, run.block
        lag = b.facility.all_versions[0].borrowing_base.certificate_lag_days.value
        open_day = g.start - dt.timedelta(days=lag) if lag else b.opening_date
        rec = [(open_day, b.opening["eligible_domestic"][i], b.opening["eligible_foreign"][i])]
        rec += [
            (
                d,
                run.monthly["eligible_domestic"][i, k] / 100.0,
                run.monthly["eligible_foreign"][i, k] / 100.0,
            )
            for k, d in enumerate(g.month_ends)
        ]
        flows = []
        for e, d in enumerate(g.days):
            for name, sign in (("forced_repayment", -1), ("draw", 1), ("repayment", -1)):
                v = run.event[name][i, e]
                if v:
                    flows.append((d, sign * v / 100.0))
        shift = int(run.event["base_rate"][i, 0] - g.base_rate[0])
        rates = b.base_rate.copy()
        rates["rate"] = [float(Decimal(str(r)) + Decimal(shift).scaleb(-6)) for r in rates["rate"]]
        return {
            "start": g.start,
            "end": g.end,
            "receivables": pd.DataFrame(
                rec, columns=["date", "eligible_domestic", "eligible_foreign"]
            ),
            "cash": pd.DataFrame({"date": list(g.days), "cash": run.event["cash"][i] / 100.0}),
            "draws": pd.DataFrame(flows, columns=["date", "amount"]),
            "rate_path": rates,
            "opening_balance": b.opening["revolver_outstanding"][i],
        }

    def line_items(self, scenario: str | int = 0) -> Actuals:
        """One scenario's projected line items, as the deal's actuals (kind ``projected``
        in the provenance): what :func:`~model.engines.covenants.evaluate_covenants` reads
        (oracle (c) of the projection)."""
        run, i = self._locate(scenario)
        qa = _quarter_arrays(run)
        comp = run.block.facility.compliance
        quarters: dict[dt.date, QuarterActuals] = {}
        for qi, q in enumerate(run.block.quarter_ends):
            entries = {
                item: Entry(
                    as_decimal(int(_item_cents(qa, spec.sum, spec.less)[i, qi])),
                    "illustrative",
                    f"projection, scenario {run.block.names[i]}",
                )
                for item, spec in comp.projection.items()
            }
            quarters[q] = QuarterActuals(q, entries, f"projection:{run.block.names[i]}")
        return Actuals(f"projection:{run.block.names[i]}", quarters)


def _item_cents(qa: Mapping[str, I64], add: tuple[str, ...], less: tuple[str, ...]) -> I64:
    total = sum((qa[k] for k in add), np.zeros_like(qa["cash"]))
    for k in less:
        total = total - qa[k]
    return total


def line_items(run: Run, qa: Mapping[str, I64]) -> dict[str, F64]:
    """The deal's line items [scenario, quarter] in cents, from the compliance file's
    ``projection`` mapping."""
    comp = run.block.facility.compliance
    if not comp.projection:
        raise InputError(
            f"the compliance file of {run.block.facility.file} has no 'projection' section: "
            "say which projected quantity gives each line item",
            key="projection",
        )
    return {
        item: _item_cents(qa, spec.sum, spec.less).astype(np.float64)
        for item, spec in comp.projection.items()
    }


def _covenant_frame(run: Run, covs: list[QuarterCovenants]) -> pd.DataFrame:
    """The covenant results, one row per (scenario, quarter_end, covenant), scenarios in
    the order of the block (not sorted by name)."""
    names = run.block.names
    parts = []
    for c in covs:
        parts.append(
            pd.DataFrame(
                {
                    "position": np.arange(len(names)),
                    "scenario": names,
                    "quarter_end": c.quarter_end,
                    "covenant": c.covenant.id,
                    "title": c.covenant.title,
                    "direction": c.covenant.direction,
                    "version": c.version,
                    "threshold_kind": c.threshold_kind,
                    "required": np.nan if c.required is None else float(c.required),
                    "actual": c.actual,
                    "headroom": c.headroom,
                    "headroom_pct": c.headroom_pct,
                    "applies": c.applies,
                    "complies": c.complies,
                    "status_code": c.status_code,
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True).sort_values(
        ["position", "quarter_end", "covenant"], kind="stable"
    )
    return frame.drop(columns="position").set_index(["scenario", "quarter_end", "covenant"])


def _assemble(
    run: Run, cushion: float
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, F64]]:
    qa = _quarter_arrays(run)
    low, low_dates = _extreme(run, "liquidity", np.argmin)
    high, _ = _extreme(run, "liquidity", np.argmax)
    peak, _ = _extreme(run, "outstanding", np.argmax)
    qa["min_liquidity"], qa["peak_outstanding"] = low, peak
    covs = covenant_arrays(
        run.block.facility,
        run.block.quarter_ends,
        line_items(run, qa),
        low / 100.0,
        high / 100.0,
        run.block.history,
        cushion,
    )
    n, q = run.block.size, len(run.block.quarter_ends)
    arrays = {k: qa[k] / 100.0 for k in _FRAME}
    for k, flag in (
        ("days_cash_dominion", run.dominion),
        ("days_agings", run.agings),
        ("days_below_springing", run.springing_day),
    ):
        arrays[k] = _days_under(run, flag).astype(np.float64)
    frame = pd.DataFrame({k: v.reshape(-1) for k, v in arrays.items()})
    frame.insert(0, "quarter_end", np.tile(np.array(run.block.quarter_ends, dtype=object), n))
    frame.insert(0, "scenario", np.repeat(np.array(run.block.names, dtype=object), q))
    frame["min_liquidity_date"] = [d for s in low_dates for d in s]
    frame = frame.set_index(["scenario", "quarter_end"])
    return frame, _covenant_frame(run, covs), _gaps(run), arrays


def _gaps(run: Run) -> pd.DataFrame:
    gap = run.event["funding_gap"]
    rows = []
    for i, name in enumerate(run.block.names):
        hit = np.nonzero(gap[i])[0]
        rows.append(
            {
                "scenario": name,
                "first_date": run.grid.days[hit[0]] if len(hit) else None,
                "first_amount": gap[i, hit[0]] / 100.0 if len(hit) else 0.0,
                "total": gap[i].sum() / 100.0,
            }
        )
    return pd.DataFrame(rows).set_index("scenario")


def project(scenarios: Any, *, block_size: int = 2048, cushion: Any = "0.10") -> Projection:
    """Project one scenario or thousands over their horizon.

    Parameters
    ----------
    scenarios : Scenario, sequence of Scenario, or ScenarioBlock
        Loaded with ``load("params/scenarios/x.yaml")``, or built by the analytics.
    block_size : int
        Scenarios run together; memory grows with it (about 1 kB per scenario and event).
    cushion : decimal fraction
        ``amber`` flags a passing covenant with headroom below this fraction of the level.

    Returns
    -------
    Projection
        ``quarters``, ``covenants``, ``funding_gaps`` (tidy DataFrames) and ``arrays``.

    Examples
    --------
    >>> from model.terms import load
    >>> p = project(load("params/scenarios/base.yaml"))
    >>> float(p.quarters.loc[("base", dt.date(2008, 6, 30)), "revenue"])
    360800000.0
    """
    block = scenario_block(scenarios)
    size = read_int(block_size, "block_size", low=1)
    cush = float(read_rate(cushion, "cushion"))
    grid = event_grid(
        block.facility,
        block.opening_date,
        block.quarter_ends,
        block.base_rate,
        block.maturity,
        block.after_maturity,
    )
    runs, frames, covs, gaps, arrays = [], [], [], [], []
    for start in range(0, block.size, size):
        run = run_block(block.take(slice(start, start + size)), grid)
        f, c, g, a = _assemble(run, cush)
        runs.append(run)
        frames.append(f)
        covs.append(c)
        gaps.append(g)
        arrays.append(a)
    merged = {k: np.concatenate([a[k] for a in arrays]) for k in arrays[0]}
    return Projection(
        quarters=pd.concat(frames),
        covenants=pd.concat(covs),
        funding_gaps=pd.concat(gaps),
        arrays=merged,
        blocks=tuple(runs),
    )
