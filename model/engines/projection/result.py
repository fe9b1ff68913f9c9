"""A projection's results: the arrays for analytics, the quarterly and covenant tables, the
funding gaps, and any one scenario day by day.

:func:`project` runs the engine (:mod:`model.engines.projection.engine`) on blocks of
scenarios so memory stays bounded, and keeps for each block its quarterly figures and its
covenant results as arrays. From them, a :class:`Projection` gives:

* ``arrays``: every quarterly figure as an array [scenario, quarter] in dollars (the P&L to
  net income, cash flows, receivables and eligible receivables, the borrowing base with the
  over-advance, draws, repayments and outstanding by tranche, interest and fees, cash,
  liquidity at the quarter end and lowest in the quarter, days under each trigger, funding
  gaps, the repurchases against the basket);
* ``quarters``: the same as a tidy DataFrame indexed by (scenario, quarter_end);
* ``covenants``: a tidy DataFrame indexed by (scenario, quarter_end, covenant): required,
  actual, headroom, headroom_pct, applies, complies, status_code, threshold_kind, version;
* ``funding_gaps``: per scenario, the first date and amount of a funding gap, and the total;
* :meth:`Projection.daily`, :meth:`Projection.ledger_inputs` and
  :meth:`Projection.line_items` for one scenario (kept when ``daily`` is on).

The tables are built when first asked for, so a run of thousands of scenarios for
analytics pays only for the arrays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from model.engines.facility.baskets import repurchase_basket_terms
from model.engines.projection.block import ScenarioBlock, as_decimal, money_cents
from model.engines.projection.covenants import QuarterCovenants, covenant_arrays
from model.engines.projection.engine import (
    EVENT_FLOWS,
    EVENT_STATES,
    QUARTERLY_FLOWS,
    Defaults,
    Run,
    block_grid,
    micro,
    run_block,
    scaled,
    scenario_block,
)
from model.engines.projection.grid import EventGrid
from model.errors import InputError, NotFoundError
from model.terms.actuals import Actuals, Entry, QuarterActuals
from model.terms.quantities import INTEREST_EXPENSE, NET_INCOME_LESS
from model.values import read_flag, read_int, read_rate

__all__ = ["project", "Projection", "FIGURES", "STATUS_CODES"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

STATUS_CODES = (
    "complies",
    "amber",
    "breach",
    "not_required",
    "threshold_not_provided",
    "no_threshold",
    "undefined",
)
"""The covenant status codes of a projection (those of
:data:`model.engines.covenants.evaluate.STATUS`, and ``undefined``)."""

_FLOWS = (*QUARTERLY_FLOWS, "dividends", "repurchases", "distributions_blocked", "operating_cash")
_MONTH_END_BALANCES = (
    "receivables_domestic",
    "receivables_foreign",
    "payables",
    "deferred_revenue",
    "other_current_liabilities",
    "short_term_investments",
    "other_debt",
)

FIGURES = (
    *_FLOWS[:-1],
    "revolver_interest",
    "facility_fees",
    "interest_expense",
    "net_income",
    "borrower_ebitda",
    "operating_cash",
    *EVENT_FLOWS,
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
    *_MONTH_END_BALANCES[2:],
    "repurchases_cumulative",
    "repurchase_basket_remaining",
    "days_cash_dominion",
    "days_agings",
    "days_below_springing",
    "days_in_default",
)
"""The quarterly figures of a projection, in the order of the ``quarters`` table."""


@dataclass(frozen=True)
class _Quarters:
    """Where each quarter's events start (events are in date order), and the last of each."""

    starts: I64
    ends: I64


def _quarter_slices(g: EventGrid) -> _Quarters:
    starts = np.searchsorted(g.quarter, np.arange(len(g.quarter_ends)), side="left")
    ends = np.append(starts[1:], g.size) - 1
    return _Quarters(starts.astype(np.int64), ends.astype(np.int64))


def _figures(run: Run) -> tuple[dict[str, I64], NDArray[np.datetime64]]:
    """Every quarterly figure in cents, and the day of each quarter's lowest liquidity."""
    m, ev, g = run.monthly, run.event, run.grid
    n_q = len(g.quarter_ends)
    qs = _quarter_slices(g)
    q = {k: m[k].reshape(m[k].shape[0], n_q, 3).sum(axis=2) for k in _FLOWS}
    q["revolver_interest"] = m["interest_accrued"].reshape(-1, n_q, 3).sum(axis=2)
    for k in EVENT_FLOWS:
        q[k] = np.add.reduceat(ev[k], qs.starts, axis=1)
    q["facility_fees"] = q["fees_paid"]
    q["interest_expense"] = sum((q[k] for k in INTEREST_EXPENSE), np.zeros_like(q["ebitda"]))
    q["net_income"] = q["ebitda"] - sum((q[k] for k in NET_INCOME_LESS), np.zeros_like(q["ebitda"]))
    q["borrower_ebitda"] = scaled(
        q["ebitda"], micro(run.block.drivers["borrower_ebitda_share"]), 1_000_000
    )
    for k in _MONTH_END_BALANCES:
        q[k] = m[k][:, 2::3]
    q["receivables"] = q["receivables_domestic"] + q["receivables_foreign"]
    for k in EVENT_STATES:
        q[k] = ev[k][:, qs.ends]
    q["revolver_outstanding"] = q["outstanding"]
    q["revolver_tranche"] = q["outstanding"] - q["over_advance_used"]
    q["over_advance_limit"] = q["borrowing_base"] - q["receivables_base"]
    q["min_liquidity"] = np.minimum.reduceat(ev["liquidity"], qs.starts, axis=1)
    q["max_liquidity"] = np.maximum.reduceat(ev["liquidity"], qs.starts, axis=1)
    q["peak_outstanding"] = np.maximum.reduceat(ev["outstanding"], qs.starts, axis=1)
    days = np.array(g.days, dtype="datetime64[D]")
    low_day = np.empty((run.block.size, n_q), dtype="datetime64[D]")
    for qi in range(n_q):
        a, b = qs.starts[qi], qs.ends[qi] + 1
        low_day[:, qi] = days[a + np.argmin(ev["liquidity"][:, a:b], axis=1)]
    for k, flag in (
        ("days_cash_dominion", run.dominion),
        ("days_agings", run.agings),
        ("days_below_springing", run.springing_day),
        ("days_in_default", run.default),
    ):
        q[k] = np.add.reduceat(flag * g.length, qs.starts, axis=1)
    _repurchases(run, q)
    return q, low_day


def _repurchases(run: Run, q: dict[str, I64]) -> None:
    """Repurchases against the basket in force at each quarter end (``-1``: no basket)."""
    q["repurchases_cumulative"] = money_cents(run.block.opening["repurchases_to_date"])[
        :, None
    ] + np.cumsum(q["repurchases"], axis=1)
    basket = np.array(
        [
            -1
            if (b := repurchase_basket_terms(run.block.facility, d).amount) is None
            else int(b * 100)
            for d in run.block.quarter_ends
        ],
        dtype=np.int64,
    )
    q["repurchase_basket"] = np.broadcast_to(basket, q["repurchases"].shape)


def _item_cents(qa: Mapping[str, I64], add: Sequence[str], less: Sequence[str]) -> I64:
    total = sum((qa[k] for k in add), np.zeros_like(qa["cash"]))
    for k in less:
        total = total - qa[k]
    return total


def _line_items(block: ScenarioBlock, qa: Mapping[str, I64]) -> dict[str, F64]:
    """The deal's line items [scenario, quarter] in cents, from the compliance file's
    ``projection`` mapping."""
    comp = block.facility.compliance
    if not comp.projection:
        raise InputError(
            f"the compliance file of {block.facility.file} has no 'projection' section: say "
            "which projected quantity gives each line item",
            key="projection",
        )
    return {
        item: _item_cents(qa, spec.sum, spec.less).astype(np.float64)
        for item, spec in comp.projection.items()
    }


@dataclass(frozen=True)
class _Block:
    """One block's results: its run (event arrays dropped unless kept for daily detail),
    its quarterly figures in cents, the day of each quarter's lowest liquidity and its
    covenant results."""

    run: Run
    figures: Mapping[str, I64]
    low_day: NDArray[np.datetime64]
    covenants: tuple[QuarterCovenants, ...]
    daily: bool


def _defaults(run: Run, covs: Sequence[QuarterCovenants]) -> Defaults:
    """Where an Event of Default continues, from the covenant results: a failed test is one
    from the day its Compliance Certificate is due, to the end of the horizon
    (``enforce``) or to the lender's waiver (``waive``: the fee is paid that day, and a test
    failing after it is a new Event of Default). The defaults of the reported quarters
    known at the opening (``block.reported_defaults``) are inherited the same way."""
    g, block = run.grid, run.block
    n = block.size
    breach = np.zeros((n, len(block.quarter_ends)), dtype=bool)
    for c in covs:
        breach[:, block.quarter_ends.index(c.quarter_end)] |= c.status_code == "breach"
    out = Defaults.none(n, g.size)
    fee = block.lender.waiver_fee
    fee_cents = 0 if fee is None else int(fee.value * 100)
    waiver = None if block.lender.waiver_date is None else block.lender.waiver_date.value
    # defaults inherited from the reported quarters: one that began before the opening
    # continues into it unless a waiver on or after its start, before the opening, ended it
    carried = any(
        d < g.start and not (waiver is not None and d <= waiver < g.start)
        for d in block.reported_defaults
    )
    later = {d for d in block.reported_defaults if d >= g.start}
    current = np.full(n, carried, dtype=bool)
    for e in range(g.size):
        if g.days[e] in later:
            current = np.ones(n, dtype=bool)
        if g.due_quarter[e] >= 0:
            current = current | breach[:, g.due_quarter[e]]
        out.active[:, e] = current
        if g.waiver_day[e]:
            out.waiver_fee[:, e] = np.where(current, fee_cents, 0)
            current = np.zeros(n, dtype=bool)
    return out


def _evaluate(block: ScenarioBlock, grid: EventGrid, cushion: float, keep_daily: bool) -> _Block:
    """Run the engine until the Events of Default it finds are those it ran with: a
    default changes only the days after it begins, so each pass fixes at least the next
    one (one pass without a breach, two with one under ``enforce``)."""
    defaults = Defaults.none(block.size, grid.size)
    for _ in range(len(block.quarter_ends) + 2):
        run = run_block(block, grid, defaults)
        q, low_day = _figures(run)
        covs = covenant_arrays(
            block.facility,
            block.quarter_ends,
            _line_items(block, q),
            q["min_liquidity"] / 100.0,
            q["max_liquidity"] / 100.0,
            block.history,
            cushion,
        )
        found = _defaults(run, covs)
        if found.same_as(defaults):
            break
        defaults = found
    else:  # pragma: no cover - each pass fixes one more default
        raise AssertionError("the Events of Default did not settle")
    kept = (
        run
        if keep_daily
        else Run(  # only the day-by-day detail (ledger_inputs, daily) reads these
            run.block,
            run.grid,
            {},
            {},
            run.dominion[:, :0],
            run.agings[:, :0],
            run.springing_day[:, :0],
            run.default[:, :0],
        )
    )
    return _Block(kept, q, low_day, tuple(covs), keep_daily)


def _dollars(blocks: Sequence[_Block]) -> dict[str, F64]:
    out: dict[str, F64] = {}
    for k in FIGURES:
        if k in ("repurchase_basket_remaining",):
            continue
        out[k] = np.concatenate([b.figures[k] for b in blocks]).astype(np.float64)
        if not k.startswith("days_"):
            out[k] = out[k] / 100.0
    basket = np.concatenate([b.figures["repurchase_basket"] for b in blocks])
    cumulative = np.concatenate([b.figures["repurchases_cumulative"] for b in blocks])
    out["repurchase_basket_remaining"] = np.where(
        basket >= 0, (basket - cumulative) / 100.0, np.nan
    )
    out["repurchase_over_basket"] = np.where(basket >= 0, cumulative > basket, cumulative > 0)
    return out


@dataclass(frozen=True)
class Projection:
    """The results of :func:`project` (see the module docstring)."""

    blocks: tuple[_Block, ...] = field(repr=False)
    arrays: Mapping[str, F64] = field(repr=False)

    @cached_property
    def scenarios(self) -> list[str]:
        """The scenario names, in order."""
        return [n for b in self.blocks for n in b.run.block.names]

    @property
    def quarter_ends(self) -> tuple[dt.date, ...]:
        return self.blocks[0].run.block.quarter_ends

    @cached_property
    def quarters(self) -> pd.DataFrame:
        """The quarterly figures, one row per (scenario, quarter_end)."""
        n, q = len(self.scenarios), len(self.quarter_ends)
        index = pd.MultiIndex.from_arrays(
            [
                pd.Categorical(
                    np.repeat(np.array(self.scenarios, dtype=object), q), categories=self.scenarios
                ),
                np.tile(np.array(self.quarter_ends, dtype=object), n),
            ],
            names=["scenario", "quarter_end"],
        )
        cols: dict[str, Any] = {k: self.arrays[k].reshape(-1) for k in FIGURES}
        for k in ("days_cash_dominion", "days_agings", "days_below_springing", "days_in_default"):
            cols[k] = cols[k].astype(np.int64)
        cols["repurchase_over_basket"] = self.arrays["repurchase_over_basket"].reshape(-1)
        low = np.concatenate([b.low_day for b in self.blocks]).reshape(-1)
        cols["min_liquidity_date"] = pd.to_datetime(low).date
        return pd.DataFrame(cols, index=index)

    @cached_property
    def covenants(self) -> pd.DataFrame:
        """Every covenant in every quarter of every scenario."""
        parts = [_covenant_frame(b) for b in self.blocks]
        return parts[0] if len(parts) == 1 else pd.concat(parts)

    @cached_property
    def funding_gaps(self) -> pd.DataFrame:
        """Per scenario: the first date and amount of a funding gap (None, 0) and the total."""
        rows = []
        for b in self.blocks:
            first = b.figures["funding_gap"] > 0
            for i, name in enumerate(b.run.block.names):
                hit = np.nonzero(first[i])[0]
                rows.append(_gap_row(b, i, name, int(hit[0]) if len(hit) else None))
        return pd.DataFrame(rows).set_index("scenario")

    def covenant_array(self, name: str) -> NDArray[Any]:
        """One field of the covenant results (``status_code``, ``actual``, ``headroom``,
        ``headroom_pct``, ``applies``, ``complies``) as an array [scenario, quarter,
        covenant], covenants in the order of :meth:`covenant_ids`; a covenant not tested in
        a quarter is ``""`` (status) or NaN."""
        if name not in ("status_code", "actual", "headroom", "headroom_pct", "applies", "complies"):
            raise InputError(f"unknown covenant field {name!r}", key="name")
        ids = self.covenant_ids()
        text = name == "status_code"
        shape = (len(self.scenarios), len(self.quarter_ends), len(ids))
        out = np.full(shape, "" if text else np.nan, dtype=object if text else np.float64)
        start = 0
        for b in self.blocks:
            n = b.run.block.size
            for c in b.covenants:
                qi, ci = self.quarter_ends.index(c.quarter_end), ids.index(c.covenant.id)
                out[start : start + n, qi, ci] = getattr(c, name)
            start += n
        return out

    def status_codes(self) -> NDArray[Any]:
        """:meth:`covenant_array` of ``status_code``."""
        return self.covenant_array("status_code")

    def covenant_ids(self) -> list[str]:
        """The covenants tested in some quarter of the projection, sorted."""
        return sorted({c.covenant.id for b in self.blocks for c in b.covenants})

    def _locate(self, scenario: str | int) -> tuple[_Block, int]:
        names = self.scenarios
        if isinstance(scenario, int) and not isinstance(scenario, bool):
            if not 0 <= scenario < len(names):
                raise NotFoundError(f"no scenario {scenario}: the projection has {len(names)}")
            i = scenario
        elif scenario in names:
            i = names.index(scenario)
        else:
            raise NotFoundError(f"no scenario {scenario!r}; scenarios: {', '.join(names[:10])}")
        for b in self.blocks:
            if i < b.run.block.size:
                return b, i
            i -= b.run.block.size
        raise NotFoundError(f"no scenario {scenario!r}")  # pragma: no cover

    def _kept(self, scenario: str | int) -> tuple[Run, int]:
        b, i = self._locate(scenario)
        if not b.daily:
            raise InputError(
                "the day-by-day detail was not kept for this projection: run project(..., "
                "daily=True)",
                key="daily",
            )
        return b.run, i

    def daily(self, scenario: str | int = 0) -> pd.DataFrame:
        """One scenario day by day: the state at the end of each day (dollars), the
        triggers and the thresholds of the day."""
        run, i = self._kept(scenario)
        g = run.grid
        idx = np.repeat(np.arange(g.size), g.length)
        cols: dict[str, Any] = {
            k: run.event[k][i, idx] / 100.0 for k in EVENT_STATES if k != "receivables_base"
        }
        first = np.r_[True, np.diff(idx) != 0]
        for k in EVENT_FLOWS:
            cols[k] = np.where(first, run.event[k][i, idx], 0) / 100.0
        cols["cash_dominion"] = run.dominion[i, idx]
        cols["agings_reports_required"] = run.agings[i, idx]
        cols["cash_flow_covenant_springs"] = run.springing_day[i, idx]
        cols["event_of_default"] = run.default[i, idx]
        cols["cash_dominion_threshold"] = g.dominion_below[idx] / 100.0
        cols["springing_threshold"] = np.where(
            g.springing_below[idx] >= 0, g.springing_below[idx] / 100.0, np.nan
        )
        cols["agings_threshold"] = np.where(
            g.agings_below[idx] >= 0, g.agings_below[idx] / 100.0, np.nan
        )
        cols["version"] = np.array(g.version)[idx]
        cols["base_rate"] = run.event["base_rate"][i, idx] / 1e6
        return pd.DataFrame(cols, index=pd.date_range(g.start, g.end, freq="D"))

    def ledger_inputs(self, scenario: str | int = 0) -> dict[str, Any]:
        """What :func:`model.engines.facility.facility_ledger` needs to replay one scenario:
        ``start``, ``end``, ``receivables`` (the certificates), ``cash``, ``draws`` (forced
        repayments, then draws or repayments, in the order of the day), ``rate_path`` (the
        base rate of each event day with the scenario's shift and any default margin) and
        ``opening_balance`` (oracle (a) of the projection). The ledger knows nothing of an
        Event of Default: on its days the projection's availability is nil and liquidity is
        cash, where the ledger shows the formula's figures."""
        run, i = self._kept(scenario)
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
        # the rate of each event day as the engine applied it: the path, the scenario's
        # shift and, while an Event of Default continues, the default margin
        rate = run.event["base_rate"][i] + np.where(run.default[i], g.default_margin, 0)
        rates = pd.DataFrame(
            {
                "date": pd.to_datetime(list(g.days)),
                "rate": [float(Decimal(int(r)).scaleb(-6)) for r in rate],
            }
        )
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
        """One scenario's projected line items as the deal's actuals (every value
        ``illustrative``, the source naming the projection): what
        :func:`~model.engines.covenants.evaluate_covenants` reads (oracle (c))."""
        b, i = self._locate(scenario)
        block = b.run.block
        items = _line_items(block, b.figures)
        quarters: dict[dt.date, QuarterActuals] = {}
        for qi, q in enumerate(block.quarter_ends):
            source = f"projection, scenario {block.names[i]}"
            entries = {
                item: Entry(as_decimal(int(v[i, qi])), "illustrative", source)
                for item, v in items.items()
            }
            quarters[q] = QuarterActuals(q, entries, f"projection:{block.names[i]}")
        return Actuals(f"projection:{block.names[i]}", quarters)


def _gap_row(b: _Block, i: int, name: str, first_quarter: int | None) -> dict[str, Any]:
    total = float(b.figures["funding_gap"][i].sum()) / 100.0
    if first_quarter is None:
        return {"scenario": name, "first_date": None, "first_amount": 0.0, "total": total}
    if b.daily:
        gap = b.run.event["funding_gap"][i]
        e = int(np.nonzero(gap)[0][0])
        return {
            "scenario": name,
            "first_date": b.run.grid.days[e],
            "first_amount": gap[e] / 100.0,
            "total": total,
        }
    q = b.run.block.quarter_ends[first_quarter]
    return {
        "scenario": name,
        "first_date": q,
        "first_amount": b.figures["funding_gap"][i, first_quarter] / 100.0,
        "total": total,
    }


def _covenant_frame(b: _Block) -> pd.DataFrame:
    """The covenant results of a block, one row per (scenario, quarter_end, covenant),
    scenarios in the order of the block."""
    covs = sorted(b.covenants, key=lambda c: (c.quarter_end, c.covenant.id))
    names = np.array(b.run.block.names, dtype=object)
    n, k = len(names), len(covs)

    def stacked(get: Any, dtype: Any = np.float64) -> Any:
        return np.stack(
            [np.broadcast_to(np.asarray(get(c), dtype=dtype), (n,)) for c in covs], axis=1
        ).reshape(-1)

    index = pd.MultiIndex.from_arrays(
        [
            pd.Categorical(np.repeat(names, k), categories=list(dict.fromkeys(names))),
            np.tile(np.array([c.quarter_end for c in covs], dtype=object), n),
            pd.Categorical(np.tile([c.covenant.id for c in covs], n)),
        ],
        names=["scenario", "quarter_end", "covenant"],
    )
    frame = pd.DataFrame(
        {
            "title": pd.Categorical(np.tile([c.covenant.title for c in covs], n)),
            "direction": pd.Categorical(np.tile([c.covenant.direction for c in covs], n)),
            "unit": pd.Categorical(np.tile([c.unit for c in covs], n)),
            "version": pd.Categorical(np.tile([c.version for c in covs], n)),
            "threshold_kind": pd.Categorical(np.tile([c.threshold_kind for c in covs], n)),
            "required": np.tile(
                [np.nan if c.required is None else float(c.required) for c in covs], n
            ),
            "actual": stacked(lambda c: c.actual),
            "headroom": stacked(lambda c: c.headroom),
            "headroom_pct": stacked(lambda c: c.headroom_pct),
            "applies": stacked(lambda c: c.applies, bool),
            "complies": stacked(lambda c: c.complies, bool),
            "status_code": pd.Categorical(
                stacked(lambda c: c.status_code, object), categories=STATUS_CODES
            ),
        },
        index=index,
    )
    return frame


def project(
    scenarios: Any,
    *,
    block_size: int = 4096,
    cushion: Any = "0.10",
    daily: Any = None,
    client: Any = None,
) -> Projection:
    """Project one scenario or thousands over their horizon.

    Parameters
    ----------
    scenarios : Scenario, sequence of Scenario, or ScenarioBlock
        Loaded with ``load("params/deals/ibasis/scenarios/x.yaml")``, or built by the analytics.
    block_size : int
        Scenarios run together; memory grows with it.
    cushion : decimal fraction
        ``amber`` flags a passing covenant with headroom below this fraction of the level.
    daily : yes/no, optional
        Keep the day-by-day detail (:meth:`Projection.daily`, :meth:`Projection.ledger_inputs`);
        by default kept for up to 256 scenarios.
    client : dask.distributed.Client or ``"dask"``, optional
        Run the blocks as Dask tasks (one block of ``block_size`` scenarios a task: Dask's
        overhead of a fraction of a millisecond a task is nothing against a block's
        seconds): the facility's event grid is sent to the workers once, each block as
        NumPy arrays, and the results are gathered in order. ``"dask"`` starts a
        ``LocalCluster`` for this call. The numbers are identical to a local run (integer
        cents, no order-dependent sums).

    Returns
    -------
    Projection

    Examples
    --------
    >>> from model.terms import load
    >>> p = project(load("params/deals/ibasis/scenarios/base.yaml"))
    >>> float(p.quarters.loc[("base", dt.date(2009, 9, 30)), "revenue"])  # the first forecast quarter
    241300000.0
    """
    block = scenario_block(scenarios)
    size = read_int(block_size, "block_size", low=1)
    cush = float(read_rate(cushion, "cushion"))
    keep = block.size <= 256 if daily is None else read_flag(daily, "daily")
    grid = block_grid(block)
    parts = [
        block if block.size <= size else block.take(slice(s, s + size))
        for s in range(0, block.size, size)
    ]
    if client is None:
        blocks = tuple(_evaluate(part, grid, cush, keep) for part in parts)
    else:
        blocks = tuple(_on_dask(client, parts, grid, cush, keep))
    return Projection(blocks=blocks, arrays=_dollars(blocks))


def _one_block(part: ScenarioBlock, grid: Any, cushion: float, keep_daily: bool) -> _Block:
    """One block on a worker: the engine, then the quarterly figures and covenants."""
    return _evaluate(part, grid, cushion, keep_daily)


def _on_dask(
    client: Any, parts: Sequence[ScenarioBlock], grid: Any, cushion: float, keep: bool
) -> list[_Block]:
    """The blocks as Dask tasks on ``client`` (see :func:`project`)."""
    if isinstance(client, str):
        if client != "dask":
            raise InputError(
                f"client is a dask.distributed.Client or 'dask', not {client!r}", key="client"
            )
        from distributed import Client, LocalCluster  # optional: pip install -e '.[dask]'

        with LocalCluster(processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
            with Client(cluster) as local:
                return _on_dask(local, parts, grid, cushion, keep)
    shared = client.scatter(grid, broadcast=True)
    sent = client.scatter(list(parts))  # the arrays as data, not inside the task graph
    futures = client.map(
        _one_block, sent, grid=shared, cushion=cushion, keep_daily=keep, pure=False
    )
    return list(client.gather(futures))
