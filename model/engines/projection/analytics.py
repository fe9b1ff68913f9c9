"""Scenario analytics on the vectorised projection: the answers an analyst asks of it.

* :func:`summary`: per scenario, the first covenant breach (quarter and covenant), the
  lowest liquidity and its date, the peak revolver, the first funding gap, and the lowest
  headroom of each covenant;
* :func:`sensitivity_grid`: the summary over a grid of two shocks (e.g. revenue x DSO);
* :func:`breakeven`: the largest uniform decline of EBITDA (or revenue, at a constant
  margin) with no breach over the horizon, per covenant, by vectorised bisection;
* :func:`breach_probability`: seeded random paths of revenue growth and EBITDA margin,
  the probability of a breach per quarter and covenant with a 95% (Wilson) interval;
* :func:`repurchase_capacity`: the largest stock repurchase in a quarter such that the
  covenants tested for that quarter still pass (for SVB, Sec. 7.7(b)(v)(B)), within the
  repurchase basket.

Each builds one block of shocked copies of a scenario (:meth:`ScenarioBlock.shocked`) and
projects them together, so hundreds of variants cost about as much as one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from model.dates.periods import read_quarter_end
from model.engines.covenants.evaluate import resolve_terms
from model.engines.facility.baskets import repurchase_basket_terms
from model.engines.projection.block import ScenarioBlock
from model.engines.projection.engine import scenario_block
from model.engines.projection.reported import reported_quarters
from model.engines.projection.result import Projection, project
from model.errors import InputError
from model.terms.scenarios import Scenario
from model.values import read_amount, read_choice, read_int

__all__ = [
    "Shock",
    "SHOCKS",
    "summary",
    "sensitivity_grid",
    "breakeven",
    "breach_probability",
    "repurchase_capacity",
]

F64 = NDArray[np.float64]
BREACH = ("breach", "undefined")
"""Status codes that count as a breach: a failed test, or a ratio that cannot be computed."""


@dataclass(frozen=True)
class Shock:
    """A shock to drivers: ``scale`` multiplies them by (1 + value), ``add`` adds the value."""

    name: str
    drivers: tuple[str, ...]
    how: str
    label: str

    def apply(self, block: ScenarioBlock, values: F64) -> ScenarioBlock:
        """The block with the shock applied, one value per scenario, in the quarters after
        the last reported one only (:meth:`ScenarioBlock.unknown`: a reported quarter is
        certain)."""
        v = np.asarray(values, dtype=np.float64)[:, None] * block.unknown()[None, :]
        if self.how == "scale":
            return block.shocked(scale={d: 1.0 + v for d in self.drivers})
        if self.drivers == ("base_rate_shift",):  # one shift for the whole path
            return block.shocked(
                add={d: np.asarray(values, dtype=np.float64) for d in self.drivers}
            )
        return block.shocked(add={d: v for d in self.drivers})


SHOCKS: dict[str, Shock] = {
    "revenue": Shock(
        "revenue", ("revenue", "ebitda"), "scale", "revenue change, EBITDA margin held"
    ),
    "ebitda": Shock("ebitda", ("ebitda",), "scale", "EBITDA change"),
    "dso": Shock(
        "dso", ("dso_domestic", "dso_foreign"), "add", "days added to DSO, domestic and foreign"
    ),
    "ineligible": Shock(
        "ineligible",
        ("ineligible_domestic", "ineligible_foreign"),
        "add",
        "added to the ineligible shares",
    ),
    "base_rate": Shock("base_rate", ("base_rate_shift",), "add", "added to the base rate"),
}
"""The shocks the analytics know, by name."""


def _shock(name: str) -> Shock:
    return SHOCKS[read_choice(name, list(SHOCKS), "shock")]


def _breach_mask(projection: Projection, covenant: str | None = None) -> NDArray[np.bool_]:
    """[scenario, quarter]: a breach (of ``covenant``, or of any) in that quarter."""
    codes = projection.status_codes()
    ids = projection.covenant_ids()
    if covenant is not None:
        if covenant not in ids:
            raise InputError(
                f"covenant {covenant!r} is not tested in this projection; tested: {', '.join(ids)}",
                key="covenant",
            )
        codes = codes[:, :, [ids.index(covenant)]]
    return np.asarray(np.isin(codes, BREACH).any(axis=2), dtype=bool)


def summary(projection: Projection) -> pd.DataFrame:
    """One row per scenario: first breach (quarter, covenant), the number of quarters in
    breach, lowest liquidity and its date (and the springing level that governs that
    quarter's test), peak revolver, funding gap (total, first date),
    and each covenant's lowest headroom where it was tested (``NaN`` where it never was)."""
    if not isinstance(projection, Projection):
        raise InputError(
            f"summary takes a Projection (project(scenario)), not {type(projection).__name__}",
            key="projection",
        )
    a = projection.arrays
    quarters = np.array(projection.quarter_ends, dtype=object)
    ids = projection.covenant_ids()
    codes = projection.status_codes()
    breached = np.asarray(np.isin(codes, BREACH), dtype=bool)
    anyq = np.asarray(breached.any(axis=2), dtype=bool)
    first_q = np.where(anyq.any(axis=1), anyq.argmax(axis=1), -1)
    first_cov = [
        None if fq < 0 else ids[int(np.argmax(breached[i, fq]))] for i, fq in enumerate(first_q)
    ]
    low_q = a["min_liquidity"].argmin(axis=1)
    low_days = (
        projection.quarters["min_liquidity_date"].to_numpy().reshape(len(projection.scenarios), -1)
    )
    rows = np.arange(len(projection.scenarios))
    gaps = projection.funding_gaps
    out = pd.DataFrame(
        {
            "first_breach": [None if fq < 0 else quarters[fq] for fq in first_q],
            "first_breach_covenant": first_cov,
            "breach_quarters": anyq.sum(axis=1),
            "min_liquidity": a["min_liquidity"][rows, low_q],
            "min_liquidity_date": low_days[rows, low_q],
            "peak_revolver": a["peak_outstanding"].max(axis=1),
            "funding_gap": gaps["total"].to_numpy(),
            "first_funding_gap": gaps["first_date"].to_numpy(),
        },
        index=pd.Index(projection.scenarios, name="scenario"),
    )
    out["min_liquidity_springing_level"] = [
        springing_level(projection.blocks[0].run.block.facility, quarters[q]) for q in low_q
    ]
    head = projection.covenant_array("headroom")
    tested = np.isin(codes, ("complies", "amber", "breach"))
    for j, cid in enumerate(ids):
        h = np.where(tested[:, :, j], head[:, :, j], np.inf)
        if tested[:, :, j].any():
            out[f"min_headroom_{cid}"] = np.where(
                tested[:, :, j].any(axis=1), h.min(axis=1), np.nan
            )
    return out


def springing_level(facility: Any, quarter_end: dt.date) -> float:
    """The liquidity level below which the springing test applies in the quarter ending
    ``quarter_end``, in the terms that govern that quarter's test (NaN: none)."""
    terms, _basis = resolve_terms(facility, quarter_end)
    for c in terms.covenants:
        if c.springing is not None and c.springing.metric == "liquidity":
            return float(c.springing.amount)
    return float("nan")


def sensitivity_grid(
    scenario: Any,
    x: tuple[str, Sequence[float]],
    y: tuple[str, Sequence[float]],
) -> pd.DataFrame:
    """:func:`summary` over every pair of two shocks.

    Parameters
    ----------
    scenario : Scenario or one-scenario ScenarioBlock
    x, y : (shock name, values)
        A shock of :data:`SHOCKS` and its values, e.g. ``("revenue", [0, -0.05, -0.15])``
        (a fraction: -0.15 is 15% lower) or ``("dso", [0, 5, 10])`` (days).

    Returns
    -------
    DataFrame
        Indexed by (x value, y value), the columns of :func:`summary`.

    Examples
    --------
    >>> from model.terms import load
    >>> g = sensitivity_grid(load("params/deals/ibasis/scenarios/base.yaml"), ("revenue", [0, -0.15]), ("dso", [0, 10]))
    >>> g["first_breach"].astype(str).tolist()
    ['None', 'None', 'None', '2009-09-30']
    """
    base = _one(scenario)
    (xn, xs), (yn, ys) = _axis(x, "x"), _axis(y, "y")
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    names = [
        f"{xn}={float(a)!r}, {yn}={float(b)!r}" for a, b in zip(gx.ravel(), gy.ravel(), strict=True)
    ]
    block = base.repeat(gx.size, names)
    block = _shock(yn).apply(_shock(xn).apply(block, gx.ravel()), gy.ravel())
    out = summary(project(block))
    out.index = pd.MultiIndex.from_arrays([gx.ravel(), gy.ravel()], names=[xn, yn])
    return out


def _axis(axis: Any, key: str) -> tuple[str, F64]:
    """One axis of a grid: a shock of :data:`SHOCKS` and its values, finite numbers."""
    if isinstance(axis, str) or not isinstance(axis, Sequence) or len(axis) != 2:
        raise InputError(
            f"an axis is (shock, values), e.g. ('revenue', [0, -0.05, -0.15]), not {axis!r}",
            key=key,
        )
    name, values = axis
    name = read_choice(name, list(SHOCKS), f"{key} shock")
    if isinstance(values, str | bytes | Mapping) or not hasattr(values, "__iter__"):
        raise InputError(f"the values of shock {name} are a list of numbers", key=key)
    values = list(values)
    out = []
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, int | float | Decimal | np.number):
            raise InputError(f"the values of shock {name} are numbers; [{i}] is {v!r}", key=key)
        if not np.isfinite(float(v)):
            raise InputError(
                f"the values of shock {name} are finite numbers; [{i}] is {v}", key=key
            )
        out.append(float(v))
    if not out:
        raise InputError(f"give at least one value for shock {name}", key=key)
    twice = sorted({v for v in out if out.count(v) > 1})
    if twice:
        raise InputError(
            f"the values of shock {name} repeat ({', '.join(repr(v) for v in twice)}): each "
            "row or column of the grid is one value",
            key=key,
        )
    return name, np.asarray(out, dtype=np.float64)


def _one(scenario: Any) -> ScenarioBlock:
    if isinstance(scenario, Sequence) and not isinstance(scenario, str) and len(scenario) != 1:
        raise InputError(f"give one scenario, not {len(scenario)}", key="scenario")
    block = scenario_block(scenario)
    if block.size != 1:
        raise InputError(f"give one scenario, not {block.size}", key="scenario")
    return block


def _passes(projection: Projection, covenant: str | None) -> NDArray[np.bool_]:
    """Per scenario: no breach over the horizon (of ``covenant``, or of any)."""
    return np.asarray(~_breach_mask(projection, covenant).any(axis=1), dtype=bool)


SEARCH_ROUNDS = 12
"""The most rounds of the bisection: each narrows the bracket 32 times, so 12 rounds take
any range to below 1e-18 of itself, past what double precision resolves; the bracket
reached is returned."""

TOLERANCE_FLOOR = {"breakeven": (1e-9, "a fraction"), "repurchase_capacity": (0.01, "a cent")}
"""The finest tolerance each search takes: a decline to a billionth (a fraction), a
repurchase to the cent (dollars)."""


def _tolerance(value: Any, function: str, high: float | None = None) -> float:
    tol = float(read_amount(value, "tolerance"))
    floor, unit = TOLERANCE_FLOOR[function]
    if tol < floor:
        raise InputError(
            f"{function} resolves to {floor:g} at the finest ({unit}); a tolerance of {tol:g} "
            "is below what the arithmetic can resolve",
            key="tolerance",
        )
    if high is not None and tol >= high:
        raise InputError(f"must be below {high:g} (got {tol:g})", key="tolerance")
    return tol


def _search(
    evaluate: Callable[[F64], NDArray[np.bool_]],
    low: float,
    high: float,
    tolerance: float,
    points: int = 33,
) -> tuple[float | None, float | None]:
    """Vectorised bisection for the largest x in [low, high] that passes, assuming a pass
    at x passes at every smaller x: (largest passing, smallest failing), None if none."""
    grid = np.linspace(low, high, points)
    ok = evaluate(grid)
    if ok.all():
        return high, None
    if not ok.any():
        return None, low
    for _ in range(SEARCH_ROUNDS):
        i = int(np.nonzero(~ok)[0][0])
        lo, hi = grid[i - 1], grid[i]
        if hi - lo <= tolerance:
            break
        grid = np.linspace(lo, hi, points)
        ok = evaluate(grid)
        ok[0] = True
    else:
        i = int(np.nonzero(~ok)[0][0])
        lo, hi = grid[i - 1], grid[i]
    return float(lo), float(hi)


def breakeven(scenario: Any, driver: str = "ebitda", tolerance: float = 1e-4) -> pd.DataFrame:
    """The largest uniform decline of ``driver`` (``ebitda``, or ``revenue`` with the
    EBITDA margin held) in every quarter with no breach over the horizon, per covenant and
    for all together, to ``tolerance`` (0.0001 = 0.01%).

    A negative decline is a rise: the scenario breaches as it is, and the driver must rise
    by that much for the covenant to hold. Declines are searched from -100% (doubling) to
    +100% (zero).

    Returns
    -------
    DataFrame
        Indexed by covenant (and ``any``): ``breakeven_decline`` (the largest passing
        decline), ``first_failing_decline``, and ``first_breach`` at that decline.
    """
    shock = _shock(read_choice(driver, ["ebitda", "revenue"], "driver"))
    base = _one(scenario)
    tol = _tolerance(tolerance, "breakeven", high=0.5)
    probe = project(base)
    codes = probe.status_codes()
    ids = probe.covenant_ids()
    levels = [
        c
        for c in ids
        if np.isin(
            codes[:, :, ids.index(c)], ("complies", "amber", "breach", "not_required", "undefined")
        ).any()
    ]
    rows = []
    for cid in [*levels, None]:

        def ok(declines: F64, cid: str | None = cid) -> NDArray[np.bool_]:
            block = shock.apply(base.repeat(declines.size), -declines)
            return _passes(project(block), cid)

        best, fail = _search(ok, -1.0, 1.0, tol)
        first = None
        if fail is not None:
            p = project(shock.apply(base, np.array([-fail])))
            first = summary(p)["first_breach"].iloc[0]
        rows.append(
            {
                "covenant": cid or "any",
                "breakeven_decline": best,
                "first_failing_decline": fail,
                "first_breach_beyond": first,
            }
        )
    for cid in ids:
        if cid not in levels:
            rows.append(
                {
                    "covenant": cid,
                    "breakeven_decline": np.nan,
                    "first_failing_decline": np.nan,
                    "first_breach_beyond": "not tested: no level in the documents",
                }
            )
    return pd.DataFrame(rows).set_index("covenant")


def _wilson(k: F64, n: int, z: float = 1.959963984540054) -> tuple[F64, F64]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low = np.where(k == 0, 0.0, np.clip(centre - half, 0, 1))
    high = np.where(k == n, 1.0, np.clip(centre + half, 0, 1))
    return low, high


VOLATILITY_LIMIT = 1.0
"""The largest volatility a quarter of the random paths (100%): a physical limit, beyond
which a shock of one standard deviation more than doubles or wipes out revenue in a
quarter."""


def random_paths(
    scenario: Any,
    n: int,
    *,
    seed: int,
    growth_volatility: float,
    margin_volatility: float,
    correlation: float = 0.0,
    from_quarter: int = 0,
) -> ScenarioBlock:
    """``n`` seeded random variants of a scenario: from quarter ``from_quarter`` on, revenue
    follows the scenario's path times a random walk of quarterly growth shocks (normal,
    standard deviation ``growth_volatility``, mean zero on the log scale less half the
    variance), and the EBITDA margin is the scenario's plus a normal shock each quarter
    (``margin_volatility``), correlated ``correlation`` with the growth shock."""
    paths = _PathDraw.read(
        scenario, n, seed, growth_volatility, margin_volatility, correlation, from_quarter
    )
    return paths.block(paths.count, np.random.default_rng(paths.seed))


@dataclass(frozen=True)
class _PathDraw:
    """The checked settings of :func:`random_paths`: the scenario's block and how to shock
    it; :meth:`block` draws ``count`` paths from ``rng`` (the normal shocks of growth, then
    of the margin, one row a path)."""

    base: ScenarioBlock
    count: int
    seed: int
    sg: float
    sm: float
    rho: float
    start: int

    @classmethod
    def read(
        cls,
        scenario: Any,
        n: Any,
        seed: Any,
        growth_volatility: Any,
        margin_volatility: Any,
        correlation: Any,
        from_quarter: Any,
    ) -> _PathDraw:
        base = _one(scenario)
        count = read_int(n, "n", low=1, high=5_000_000)
        q = len(base.quarter_ends)
        start = read_int(from_quarter, "from_quarter", low=0, high=q - 1)
        sg, sm = (
            float(read_amount(growth_volatility, "growth_volatility")),
            float(read_amount(margin_volatility, "margin_volatility")),
        )
        for value, key in ((sg, "growth_volatility"), (sm, "margin_volatility")):
            if value > VOLATILITY_LIMIT:
                raise InputError(
                    f"a volatility is a standard deviation a quarter, as a fraction (0.05 for "
                    f"5%): {value:g} is {value:.0%} a quarter, beyond the limit of "
                    f"{VOLATILITY_LIMIT:.0%}",
                    key=key,
                )
        rho = float(read_amount(correlation, "correlation", negative=True))
        if not -1 <= rho <= 1:
            raise InputError(f"must be between -1 and 1 (got {rho})", key="correlation")
        return cls(base, count, read_int(seed, "seed", low=0), sg, sm, rho, start)

    def shocks(self, count: int, rng: np.random.Generator) -> tuple[F64, F64]:
        """The normal shocks of ``count`` paths: of growth, then of the margin."""
        q = len(self.base.quarter_ends)
        z1 = rng.standard_normal((count, q))
        z2 = self.rho * z1 + np.sqrt(1 - self.rho * self.rho) * rng.standard_normal((count, q))
        return z1, z2

    def block(
        self, count: int, rng: np.random.Generator, z: tuple[F64, F64] | None = None
    ) -> ScenarioBlock:
        """``count`` paths drawn from ``rng`` (or with the shocks ``z``)."""
        base, q = self.base, len(self.base.quarter_ends)
        z1, z2 = self.shocks(count, rng) if z is None else z
        live = (np.arange(q) >= self.start) & base.unknown()  # a reported quarter is certain
        growth = np.where(live, self.sg * z1 - self.sg * self.sg / 2, 0.0)
        factor = np.exp(np.cumsum(growth, axis=1))
        rev = base.drivers["revenue"][0] * factor
        margin0 = base.drivers["ebitda"][0] / np.where(
            base.drivers["revenue"][0] > 0, base.drivers["revenue"][0], 1.0
        )
        margin = np.clip(margin0 + np.where(live, self.sm * z2, 0.0), -1.0, 1.0)
        block = base.repeat(count)
        return block.shocked(replace_with={"revenue": rev, "ebitda": rev * margin})


def breach_probability(
    scenario: Any,
    n: int = 1000,
    *,
    seed: int = 2008,
    growth_volatility: float = 0.05,
    margin_volatility: float = 0.005,
    correlation: float = 0.5,
    from_quarter: int = 0,
    block_size: int = 4096,
    client: Any = None,
) -> pd.DataFrame:
    """The probability of a breach per quarter and covenant over ``n`` seeded random paths
    (:func:`random_paths`), with a 95% Wilson interval. The same ``seed`` gives the same
    numbers, locally or on Dask (``client``: a ``dask.distributed.Client`` or ``"dask"``,
    see :func:`~model.engines.projection.result.project`; worth it from about 100,000
    paths).

    The paths are drawn and projected ``block_size`` at a time, so memory is bounded by the
    block, whatever ``n``: each block draws its growth shocks, then its margin shocks, from
    the one seeded stream. Up to one block the paths are :func:`random_paths`' with the same
    seed; beyond it, another ``block_size`` is another sample of the same distribution.

    A scenario with reported quarters (its ``reported:`` block) is shocked only after the
    last of them, and its reported quarters are certain: probability 1 where the covenant
    report shows a breach, 0 otherwise (``basis`` ``reported``; ``forecast`` for the rest).

    Returns
    -------
    DataFrame
        Indexed by (quarter_end, covenant) with ``any`` for any covenant: ``breaches``,
        ``paths``, ``probability``, ``low_95``, ``high_95``, ``basis``.
    """
    draw = _PathDraw.read(
        scenario, n, seed, growth_volatility, margin_volatility, correlation, from_quarter
    )
    size = read_int(block_size, "block_size", low=1)
    rng = np.random.default_rng(draw.seed)
    sizes = [min(size, draw.count - s) for s in range(0, draw.count, size)]
    if client is not None:  # the shocks drawn block by block, as below; projected on Dask
        parts = [draw.shocks(m, rng) for m in sizes]
        z = (np.concatenate([a for a, _ in parts]), np.concatenate([b for _, b in parts]))
        p = project(draw.block(draw.count, rng, z), block_size=size, client=client)
        ids, quarter_ends = p.covenant_ids(), p.quarter_ends
        counts = _breach_counts(p)
    else:  # block by block: memory bounded by the block, not by the paths
        counts = None
        for m in sizes:
            p = project(draw.block(m, rng), block_size=size)
            part = _breach_counts(p)
            counts = part if counts is None else counts + part
            ids, quarter_ends = p.covenant_ids(), p.quarter_ends
            del p
    assert counts is not None
    labels = [*ids, "any"]
    index = pd.MultiIndex.from_product(
        [list(quarter_ends), labels], names=["quarter_end", "covenant"]
    )
    k = counts.reshape(-1).astype(np.float64)
    low, high = _wilson(k, draw.count)
    out = pd.DataFrame(
        {
            "breaches": k.astype(int),
            "paths": draw.count,
            "probability": k / draw.count,
            "low_95": low,
            "high_95": high,
            "basis": "forecast",
        },
        index=index,
    )
    return _with_reported(out, scenario, draw.count)


def _breach_counts(p: Projection) -> NDArray[np.int64]:
    """Paths in breach per quarter: of each covenant, then of any."""
    breached = np.asarray(np.isin(p.status_codes(), BREACH), dtype=bool)
    return np.concatenate(
        [breached.sum(axis=0), breached.any(axis=2).sum(axis=0)[:, None]], axis=1
    ).astype(np.int64)


def _with_reported(out: pd.DataFrame, scenario: Any, n: int) -> pd.DataFrame:
    """The reported quarters of the scenario's deal as certain: probability 1 where the
    covenant report shows a breach, 0 otherwise, in place of any forecast of them."""
    if not isinstance(scenario, Scenario) or scenario.reported is None:
        return out
    rep = reported_quarters(scenario).covenants["status_code"]
    breached = np.isin(rep.to_numpy(), BREACH)
    rows = pd.DataFrame({"status": rep.to_numpy(), "breach": breached}, index=rep.index)
    any_ = rows["breach"].groupby(level="quarter_end").any()
    certain = pd.concat(
        [
            rows["breach"],
            pd.Series(
                any_.to_numpy(),
                index=pd.MultiIndex.from_arrays(
                    [any_.index, ["any"] * len(any_)], names=["quarter_end", "covenant"]
                ),
            ),
        ]
    )
    k = certain.astype(float) * n
    known = pd.DataFrame(
        {
            "breaches": k.astype(int),
            "paths": n,
            "probability": certain.astype(float),
            "low_95": certain.astype(float),
            "high_95": certain.astype(float),
            "basis": "reported",
        },
        index=certain.index,
    )
    later = out[out.index.get_level_values("quarter_end") > max(any_.index)]
    return pd.concat([known, later]).sort_index(level="quarter_end", sort_remaining=False)


def repurchase_capacity(scenario: Any, quarter: Any, *, tolerance: float = 0.01) -> pd.Series:
    """The largest stock repurchase in ``quarter`` (paid at its end, on top of the
    scenario's own repurchases) such that every covenant tested for that quarter passes or
    does not apply, within what is left of the repurchase basket on that day.

    The repurchase lowers cash (so the revolver may be drawn, liquidity falls and a
    springing test may apply) and, where the deal counts repurchases as distributions, the
    cash-flow figure of that quarter. While an Event of Default continues at the quarter end
    (a failed test from its certificate's due date, until a waiver) no repurchase is
    permitted (for SVB, Sec. 7.7(b)(v)(B)). Nor is one that leaves a breach projected for the next succeeding
    reporting period (the next quarter), the same section's look-forward: the covenants of
    the quarter and of the next one must all pass. A covenant whose level the documents leave blank cannot be confirmed
    and is reported, not tested.

    Returns
    -------
    Series
        ``capacity`` (dollars, to the cent), ``basket_remaining``, ``binding`` (what
        limits it), ``not_confirmed`` (covenants whose level is not provided).
    """
    base = _one(scenario)
    q = read_quarter_end(quarter, "quarter")
    if q not in base.quarter_ends:
        raise InputError(
            f"{q} is not a quarter of the projection ({base.quarter_ends[0]} to "
            f"{base.quarter_ends[-1]})",
            key="quarter",
        )
    qi = base.quarter_ends.index(q)
    basket = repurchase_basket_terms(base.facility, q)
    probe = project(base)
    ids = probe.covenant_ids()
    codes = probe.status_codes()
    blank = ", ".join(c for j, c in enumerate(ids) if codes[0, qi, j] == "threshold_not_provided")

    def result(capacity: float, room: float, binding: str) -> pd.Series:
        return pd.Series(
            {
                "capacity": capacity,
                "basket_remaining": room,
                "binding": binding,
                "not_confirmed": blank,
            }
        )

    if basket.amount is None:
        return result(0.0, 0.0, "no repurchase basket in force")
    used = float(base.opening["repurchases_to_date"][0]) + float(
        base.drivers["repurchases"][0, : qi + 1].sum()
    )
    room = max(0.0, float(basket.amount) - used)
    run = probe.blocks[0].run  # one scenario: kept day by day
    days = np.array(run.grid.days, dtype="datetime64[D]")
    e = int(np.searchsorted(days, np.datetime64(q), side="right")) - 1
    if run.default.shape[1] and run.default[0, e]:
        b = e
        while b > 0 and run.default[0, b - 1]:
            b -= 1
        began = "inherited from the reported quarters" if b == 0 else f"from {run.grid.days[b]}"
        return result(0.0, room, f"an Event of Default continues at the quarter end ({began})")
    # the quarter itself and the next succeeding reporting period (for SVB, Sec.
    # 7.7(b)(v)(B): no repurchase when a Default 'would be substantially likely to exist
    # under Section 6.9 for the next succeeding financial reporting period')
    tested = slice(qi, min(qi + 2, len(base.quarter_ends)))
    nxt = qi + 1
    if nxt < len(base.quarter_ends) and _breach_mask(probe)[0, nxt]:
        when = base.quarter_ends[nxt]
        return result(
            0.0,
            room,
            f"a covenant breach projected for the next reporting period, the quarter ending "
            f"{when}, without any repurchase (a Default substantially likely)",
        )

    def ok(amounts: F64) -> NDArray[np.bool_]:
        extra = np.zeros((amounts.size, len(base.quarter_ends)))
        extra[:, qi] = np.floor(amounts * 100) / 100
        p = project(base.repeat(amounts.size).shocked(add={"repurchases": extra}))
        return np.asarray(~_breach_mask(p)[:, tested].any(axis=1), dtype=bool)

    best, fail = _search(ok, 0.0, room, _tolerance(tolerance, "repurchase_capacity"))
    if best is None:
        return result(0.0, room, "a covenant fails for the quarter without any repurchase")
    if fail is None:
        return result(room, room, f"the repurchase basket ({basket.reference or 'basket'})")
    extra = np.zeros((1, len(base.quarter_ends)))
    extra[0, qi] = np.floor(fail * 100) / 100
    worse = project(base.repeat(1).shocked(add={"repurchases": extra})).status_codes()[0, tested]
    binding = ", ".join(c for j, c in enumerate(ids) if np.isin(worse[:, j], BREACH).any())
    return result(float(np.floor(best * 100) / 100), room, f"covenant {binding}")
