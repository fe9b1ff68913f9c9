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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from model.dates.periods import read_quarter_end
from model.engines.facility.baskets import repurchase_basket_terms
from model.engines.projection.block import ScenarioBlock
from model.engines.projection.engine import scenario_block
from model.engines.projection.result import Projection, project
from model.errors import InputError
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
        """The block with the shock applied, one value per scenario."""
        v = np.asarray(values, dtype=np.float64)
        if self.how == "scale":
            return block.shocked(scale={d: 1.0 + v for d in self.drivers})
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


def _first(codes: pd.Series, quarters: pd.Series, wanted: Sequence[str]) -> Any:
    hit = quarters[codes.isin(wanted)]
    return None if hit.empty else hit.iloc[0]


def summary(projection: Projection) -> pd.DataFrame:
    """One row per scenario: first breach (quarter, covenant), lowest liquidity and its
    date, peak revolver, first funding gap, and each covenant's lowest headroom (``NaN``
    where the covenant was never tested)."""
    cov = projection.covenants.reset_index()
    q = projection.quarters.reset_index()
    gaps = projection.funding_gaps
    rows = []
    name: Any
    for name, part in cov.groupby("scenario", sort=False):
        breached = part[part["status_code"].isin(BREACH)].sort_values(["quarter_end", "covenant"])
        qs = q[q["scenario"] == name]
        low = qs.iloc[int(np.argmin(qs["min_liquidity"].to_numpy()))]
        row: dict[str, Any] = {
            "scenario": name,
            "first_breach": None if breached.empty else breached["quarter_end"].iloc[0],
            "first_breach_covenant": None if breached.empty else breached["covenant"].iloc[0],
            "breach_quarters": int(breached["quarter_end"].nunique()),
            "min_liquidity": float(low["min_liquidity"]),
            "min_liquidity_date": low["min_liquidity_date"],
            "peak_revolver": float(qs["peak_outstanding"].max()),
            "funding_gap": float(gaps["total"].to_dict()[name]),
            "first_funding_gap": gaps.at[name, "first_date"],
        }
        tested = part[part["status_code"].isin(("complies", "amber", "breach"))]
        for cid, c in tested.groupby("covenant"):
            row[f"min_headroom_{cid}"] = float(c["headroom"].min())
        rows.append(row)
    return pd.DataFrame(rows).set_index("scenario").reindex(projection.scenarios)


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
    >>> g = sensitivity_grid(load("params/scenarios/base.yaml"), ("revenue", [0, -0.15]), ("dso", [0, 10]))
    >>> g["first_breach"].astype(str).tolist()
    ['2008-12-31', '2008-12-31', '2008-09-30', '2008-09-30']
    """
    base = _one(scenario)
    (xn, xv), (yn, yv) = x, y
    xs, ys = np.asarray(xv, dtype=np.float64), np.asarray(yv, dtype=np.float64)
    if xs.size == 0 or ys.size == 0:
        raise InputError("give at least one value for each shock", key="x, y")
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    names = [f"{xn}={a:g}, {yn}={b:g}" for a, b in zip(gx.ravel(), gy.ravel(), strict=True)]
    block = base.repeat(gx.size, names)
    block = _shock(yn).apply(_shock(xn).apply(block, gx.ravel()), gy.ravel())
    out = summary(project(block))
    out.index = pd.MultiIndex.from_arrays([gx.ravel(), gy.ravel()], names=[xn, yn])
    return out


def _one(scenario: Any) -> ScenarioBlock:
    block = scenario_block(scenario)
    if block.size != 1:
        raise InputError(f"give one scenario, not {block.size}", key="scenario")
    return block


def _passes(projection: Projection, covenant: str | None) -> NDArray[np.bool_]:
    """Per scenario: no breach over the horizon (of ``covenant``, or of any)."""
    cov = projection.covenants.reset_index()
    if covenant is not None:
        cov = cov[cov["covenant"] == covenant]
    bad = cov.groupby("scenario", sort=False)["status_code"].apply(lambda s: s.isin(BREACH).any())
    return ~bad.reindex(projection.scenarios).astype(bool).to_numpy()


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
    while True:
        i = int(np.nonzero(~ok)[0][0])
        lo, hi = grid[i - 1], grid[i]
        if hi - lo <= tolerance:
            return float(lo), float(hi)
        grid = np.linspace(lo, hi, points)
        ok = evaluate(grid)
        ok[0] = True


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
    tol = float(read_amount(tolerance, "tolerance"))
    if not 0 < tol < 0.5:
        raise InputError(f"must be a fraction above 0 and below 0.5 (got {tol})", key="tolerance")
    covenant_ids = sorted({c.id for v in base.facility.all_versions for c in v.covenants})
    rows = []
    for cid in [*covenant_ids, None]:

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
    return pd.DataFrame(rows).set_index("covenant")


def _wilson(k: F64, n: int, z: float = 1.959963984540054) -> tuple[F64, F64]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low = np.where(k == 0, 0.0, np.clip(centre - half, 0, 1))
    high = np.where(k == n, 1.0, np.clip(centre + half, 0, 1))
    return low, high


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
    base = _one(scenario)
    count = read_int(n, "n", low=1, high=5_000_000)
    rng = np.random.default_rng(read_int(seed, "seed", low=0))
    q = len(base.quarter_ends)
    start = read_int(from_quarter, "from_quarter", low=0, high=q - 1)
    sg, sm = (
        float(read_amount(growth_volatility, "growth_volatility")),
        float(read_amount(margin_volatility, "margin_volatility")),
    )
    rho = float(read_amount(correlation, "correlation", negative=True))
    if not -1 <= rho <= 1:
        raise InputError(f"must be between -1 and 1 (got {rho})", key="correlation")
    z1 = rng.standard_normal((count, q))
    z2 = rho * z1 + np.sqrt(1 - rho * rho) * rng.standard_normal((count, q))
    live = np.arange(q) >= start
    growth = np.where(live, sg * z1 - sg * sg / 2, 0.0)
    factor = np.exp(np.cumsum(growth, axis=1))
    rev = base.drivers["revenue"][0] * factor
    margin0 = base.drivers["ebitda"][0] / np.where(
        base.drivers["revenue"][0] > 0, base.drivers["revenue"][0], 1.0
    )
    margin = np.clip(margin0 + np.where(live, sm * z2, 0.0), -1.0, 1.0)
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
) -> pd.DataFrame:
    """The probability of a breach per quarter and covenant over ``n`` seeded random paths
    (:func:`random_paths`), with a 95% Wilson interval. The same ``seed`` gives the same
    numbers.

    Returns
    -------
    DataFrame
        Indexed by (quarter_end, covenant) with ``any`` for any covenant: ``breaches``,
        ``paths``, ``probability``, ``low_95``, ``high_95``.
    """
    block = random_paths(
        scenario,
        n,
        seed=seed,
        growth_volatility=growth_volatility,
        margin_volatility=margin_volatility,
        correlation=correlation,
        from_quarter=from_quarter,
    )
    p = project(block, block_size=block_size)
    cov = p.covenants.reset_index()
    cov["breach"] = cov["status_code"].isin(BREACH)
    per = cov.groupby(["quarter_end", "covenant"])["breach"].sum()
    anyq = cov.groupby(["quarter_end", "scenario"])["breach"].any().groupby("quarter_end").sum()
    anyq.index = pd.MultiIndex.from_arrays(
        [anyq.index, ["any"] * len(anyq)], names=["quarter_end", "covenant"]
    )
    k = pd.concat([per, anyq]).sort_index().astype(np.float64)
    low, high = _wilson(k.to_numpy(), block.size)
    return pd.DataFrame(
        {
            "breaches": k.astype(int),
            "paths": block.size,
            "probability": k / block.size,
            "low_95": low,
            "high_95": high,
        },
        index=k.index,
    )


def repurchase_capacity(scenario: Any, quarter: Any, *, tolerance: float = 0.01) -> pd.Series:
    """The largest stock repurchase in ``quarter`` (paid at its end, on top of the
    scenario's own repurchases) such that every covenant tested for that quarter passes or
    does not apply, within what is left of the repurchase basket on that day.

    The repurchase lowers cash (so the revolver may be drawn, liquidity falls and a
    springing test may apply) and, where the deal counts repurchases as distributions, the
    cash-flow figure of that quarter. A covenant whose level the documents leave blank
    cannot be confirmed and is reported, not tested.

    Returns
    -------
    Series
        ``capacity`` (dollars, to the cent), ``basket_remaining``, ``binding`` (what
        limits it: the basket, or the covenant that would breach first), ``not_confirmed``.
    """
    base = _one(scenario)
    q = read_quarter_end(quarter, "quarter")
    if q not in base.quarter_ends:
        raise InputError(
            f"{q} is not a quarter of the projection ({base.quarter_ends[0]} to {base.quarter_ends[-1]})",
            key="quarter",
        )
    qi = base.quarter_ends.index(q)
    basket = repurchase_basket_terms(base.facility, q)
    if basket.amount is None:
        return pd.Series(
            {
                "capacity": 0.0,
                "basket_remaining": 0.0,
                "binding": "no repurchase basket in force",
                "not_confirmed": "",
            }
        )
    used = float(base.opening["repurchases_to_date"][0]) + float(
        base.drivers["repurchases"][0, : qi + 1].sum()
    )
    room = max(0.0, float(basket.amount) - used)

    def names(count: int) -> list[str]:
        return [f"{base.names[0]}#{i}" for i in range(count)]

    def run(amounts: F64) -> Projection:
        extra = np.zeros((amounts.size, len(base.quarter_ends)))
        extra[:, qi] = np.round(amounts, 2)
        return project(
            base.repeat(amounts.size, names(amounts.size)).shocked(add={"repurchases": extra})
        )

    def ok(amounts: F64) -> NDArray[np.bool_]:
        cov = run(amounts).covenants.reset_index()
        cov = cov[cov["quarter_end"] == q]
        bad = cov.groupby("scenario", sort=False)["status_code"].apply(
            lambda s: s.isin(BREACH).any()
        )
        return ~bad.to_numpy(dtype=bool)

    best, fail = _search(ok, 0.0, room, float(read_amount(tolerance, "tolerance")))
    cov = run(np.array([0.0])).covenants.reset_index()
    blank = sorted(
        cov[(cov["quarter_end"] == q) & (cov["status_code"] == "threshold_not_provided")][
            "covenant"
        ]
    )
    if best is None:
        binding = "a covenant fails for the quarter without any repurchase"
        capacity = 0.0
    elif fail is None:
        binding, capacity = f"the repurchase basket ({basket.reference or 'basket'})", room
    else:
        worse = run(np.array([fail])).covenants.reset_index()
        worse = worse[(worse["quarter_end"] == q) & worse["status_code"].isin(BREACH)]
        binding, capacity = f"covenant {', '.join(sorted(worse['covenant']))}", best
    return pd.Series(
        {
            "capacity": float(np.floor(capacity * 100) / 100),
            "basket_remaining": room,
            "binding": binding,
            "not_confirmed": ", ".join(blank),
        }
    )
