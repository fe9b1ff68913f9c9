"""What a capital structure's covenants can take: the scenario shocked, side by side, on a
grid, at its breakeven and on random paths, every one projected by the vectorised engine
(:func:`~model.engines.capital.project_capital`) in one call.

The shocks are the two a lender asks about first:

* ``ebitda``: EBITDA lower (or higher) by a fraction in every forecast quarter (-0.10 is
  10% lower), the other drivers held;
* ``rate_shift``: every index path shifted in parallel (0.01 is one percentage point),
  on top of the scenario's own shift.

A breach is a covenant test that fails after any cure the scenario's policy applies
(status ``breach``, or ``undefined``: a ratio that cannot be computed on negative EBITDA);
an Event of Default is the engine's (``defaults``: from the day the failure is known); a
funding gap is a payment that cash and the revolver cannot meet.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from model.engines.capital.engine import CapitalResult, project_capital
from model.errors import InputError
from model.terms.capital_scenario import CapitalScenario
from model.values import read_amount, read_int

__all__ = [
    "shocked",
    "first_breaches",
    "compare_capital_scenarios",
    "capital_sensitivity",
    "capital_breakeven",
    "capital_breach_probability",
]

FAILED = ("breach", "undefined")
"""Covenant statuses that are a failure after any cure."""

_CENT = Decimal("0.01")


def _scenario(s: Any, what: str = "scenario") -> CapitalScenario:
    if not isinstance(s, CapitalScenario):
        raise InputError(
            f"{what} must be a capital scenario (load('params/deals/<deal>/scenarios/"
            f"<name>.yaml', kind='capital_scenario')), not {type(s).__name__}",
            key=what,
        )
    return s


def _fraction(x: Any, what: str, low: float, high: float) -> float:
    v = float(read_amount(x, what, negative=True))
    if not low <= v <= high:
        raise InputError(f"{what} is a fraction from {low} to {high} (got {v})", key=what)
    return v


def shocked(
    scenario: CapitalScenario, *, ebitda: Any = 0, rate_shift: Any = 0, name: str | None = None
) -> CapitalScenario:
    """``scenario`` with EBITDA times ``1 + ebitda`` in every forecast quarter (to the cent,
    half up) and its index paths shifted by ``rate_shift`` more, named ``name``.

    >>> from model import load
    >>> s = load("params/deals/northwind/scenarios/base.yaml", kind="capital_scenario")
    >>> t = shocked(s, ebitda="-0.10", rate_shift="0.01", name="minus10")
    >>> t.name, s.paths["ebitda"][0], t.paths["ebitda"][0], t.rate_shift - s.rate_shift
    ('minus10', Decimal('900000'), Decimal('810000.00'), Decimal('0.01'))
    """
    s = _scenario(scenario)
    e = Decimal(str(_fraction(ebitda, "ebitda", -1.0, 10.0)))
    r = Decimal(str(_fraction(rate_shift, "rate_shift", -0.2, 0.2)))
    paths = dict(s.paths)
    if e:
        paths["ebitda"] = tuple(
            (x * (1 + e)).quantize(_CENT, rounding="ROUND_HALF_UP") for x in s.paths["ebitda"]
        )
    terms = s.terms.model_copy(update={"name": name or s.name})
    return s.model_copy(update={"terms": terms, "paths": paths, "rate_shift": s.rate_shift + r})


def _distinct(scenarios: Sequence[CapitalScenario]) -> None:
    names = [s.name for s in scenarios]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(f"scenario names repeat: {', '.join(twice)}", key="scenarios")


def first_breaches(result: CapitalResult) -> pd.DataFrame:
    """Per scenario: the first quarter a covenant fails after cures (``first_breach``, None
    if none), which covenant, the lowest headroom as a fraction of the required level over
    the tested quarters, the cures applied, the first Event of Default and the funding gap.
    """
    cov = result.covenants
    if cov.empty:  # a structure with no covenants: nothing is tested, nothing fails
        cov = pd.DataFrame(
            columns=[
                "scenario",
                "quarter_end",
                "covenant",
                "title",
                "status",
                "headroom_pct",
                "cure_amount",
            ]
        ).astype({"headroom_pct": float, "cure_amount": float})
    tested = cov[cov["status"].isin(["complies", "amber", "breach", "cured", "undefined"])]
    failed = tested[tested["status"].isin(FAILED)].sort_values(["quarter_end", "covenant"])
    first = failed.groupby("scenario", sort=False).head(1).set_index("scenario")
    low = tested.groupby("scenario")["headroom_pct"].min()
    # a cure counts in every covenant's metric of its quarter: one cure per quarter
    per_quarter = cov[cov["cure_amount"] > 0].groupby(["scenario", "quarter_end"])["cure_amount"]
    cures = per_quarter.max().groupby(level="scenario").agg(["count", "sum"])
    d = result.defaults.sort_values("in_force").groupby("scenario")["in_force"].first()
    gaps = result.funding_gaps.groupby("scenario").agg(
        funding_gap_from=("first_date", "min"), funding_gap=("amount", "sum")
    )
    out = pd.DataFrame(index=pd.Index(result.scenarios, name="scenario"))
    out["first_breach"] = first["quarter_end"].reindex(out.index)
    out["first_breach_covenant"] = first["title"].reindex(out.index)
    out["lowest_headroom_pct"] = low.reindex(out.index)
    out["cures"] = cures["count"].reindex(out.index).fillna(0).astype(int)
    out["cure_amount"] = cures["sum"].reindex(out.index).fillna(0.0)
    out["default_from"] = d.reindex(out.index)
    out["funding_gap_from"] = gaps["funding_gap_from"].reindex(out.index)
    out["funding_gap"] = pd.to_numeric(gaps["funding_gap"].reindex(out.index)).fillna(0.0)
    for col in ("first_breach", "first_breach_covenant", "default_from", "funding_gap_from"):
        out[col] = [x if isinstance(x, dt.date | str) else None for x in out[col]]
    return out


def compare_capital_scenarios(scenarios: Sequence[CapitalScenario]) -> pd.DataFrame:
    """:func:`first_breaches` of each scenario, each projected from its own opening and
    horizon, one row per scenario (names must differ)."""
    items = [_scenario(s, "scenarios") for s in scenarios]
    if not items:
        raise InputError("no scenario to compare", key="scenarios")
    _distinct(items)
    return pd.concat([first_breaches(project_capital(s)) for s in items])


def capital_sensitivity(
    scenario: CapitalScenario, ebitda_shocks: Sequence[Any], rate_shifts: Sequence[Any]
) -> pd.DataFrame:
    """Every pair of an EBITDA shock and a rate shift, projected in one call: one row per
    pair (index ``ebitda``, ``base_rate``: the shift) with the columns of :func:`first_breaches`.

    >>> from model import load
    >>> s = load("params/deals/magnite/scenarios/base.yaml", kind="capital_scenario")
    >>> g = capital_sensitivity(s, [0, -0.4], [0, 0.02])
    >>> [str(x) for x in g["first_breach"]]
    ['None', 'None', '2026-03-31', '2026-03-31']
    """
    s = _scenario(scenario)
    for what, axis in (("ebitda_shocks", ebitda_shocks), ("rate_shifts", rate_shifts)):
        if isinstance(axis, str | bytes) or not isinstance(axis, Sequence) or not axis:
            raise InputError(f"{what} must be a non-empty list of fractions", key=what)
    e = [_fraction(x, "ebitda_shocks", -1.0, 10.0) for x in ebitda_shocks]
    r = [_fraction(x, "rate_shifts", -0.2, 0.2) for x in rate_shifts]
    for what, axis in (("ebitda_shocks", e), ("rate_shifts", r)):
        if len(set(axis)) != len(axis):
            raise InputError(f"{what} repeat a value: {axis}", key=what)
    cells = [(a, b) for a in e for b in r]
    variants = [
        shocked(s, ebitda=a, rate_shift=b, name=f"cell{k}") for k, (a, b) in enumerate(cells)
    ]
    out = first_breaches(project_capital(variants))
    out.index = pd.MultiIndex.from_tuples(cells, names=["ebitda", "base_rate"])
    return out


def capital_breakeven(
    scenario: CapitalScenario, *, rate_shift: Any = 0, tolerance: Any = "0.001", low: Any = "-0.95"
) -> dict[str, Any]:
    """The largest EBITDA decline the scenario takes with no covenant failing after cures
    (to ``tolerance``, a fraction of EBITDA): a grid of 17 shocks at a time, projected in one
    call, narrowed around the edge until it is finer than ``tolerance``.

    Returns ``ebitda_shock`` (the last shock with no failure, 0 or below; None when the
    scenario already fails unshocked), ``first_failing`` (the next shock of the last grid,
    with its first breach; None when even ``low`` passes: then ``ebitda_shock`` is ``low``,
    the search's floor, not an edge), ``first_breach``, ``covenant`` and the ``tolerance``
    reached.

    >>> from model import load
    >>> s = load("params/deals/magnite/scenarios/base.yaml", kind="capital_scenario")
    >>> b = capital_breakeven(s)
    >>> round(b["ebitda_shock"], 3), b["first_breach"], b["covenant"]
    (-0.258, datetime.date(2027, 3, 31), 'Maximum First Lien Net Leverage Ratio')
    """
    s = _scenario(scenario)
    tol = _fraction(tolerance, "tolerance", 1e-6, 0.5)
    lo = _fraction(low, "low", -1.0, 0.0)
    base = shocked(s, rate_shift=rate_shift)
    none = {"first_failing": None, "first_breach": None, "covenant": None, "tolerance": tol}
    if first_breaches(project_capital(base))["first_breach"].notna().iloc[0]:
        return {"ebitda_shock": None, **none}
    good, bad = 0.0, lo
    if first_breaches(project_capital(shocked(base, ebitda=bad)))["first_breach"].isna().iloc[0]:
        return {"ebitda_shock": bad, **none}
    found: pd.Series | None = None
    for _ in range(max(1, math.ceil(math.log(abs(lo) / tol, 16)) + 1)):
        if good - bad <= tol:
            break
        grid = np.linspace(good, bad, 17)[1:-1]
        rows = first_breaches(
            project_capital([shocked(base, ebitda=x, name=f"{x:+.8f}") for x in grid])
        )
        fails = rows["first_breach"].notna().to_numpy()
        k = int(np.argmax(fails)) if fails.any() else len(grid)
        if k < len(grid):
            bad, found = float(grid[k]), rows.iloc[k]
        good = float(grid[k - 1]) if k > 0 else good
    if found is None:
        found = first_breaches(project_capital(shocked(base, ebitda=bad))).iloc[0]
    return {
        "ebitda_shock": good,
        "first_failing": bad,
        "first_breach": found["first_breach"],
        "covenant": found["first_breach_covenant"],
        "tolerance": good - bad,
    }


def capital_breach_probability(
    scenario: CapitalScenario,
    *,
    paths: Any = 1000,
    volatility: Any = "0.05",
    seed: Any = 0,
    block_size: int = 500,
) -> dict[str, Any]:
    """Random EBITDA paths around the scenario: each forecast quarter's EBITDA times
    ``exp(e1 + ... + ek - k volatility^2 / 2)`` to that quarter, each ``e`` normal with
    standard deviation ``volatility`` (a lognormal random walk in the level: the factor
    stays positive and its mean is 1; the same ``seed`` gives the same paths). Projected in
    blocks of ``block_size`` paths.

    Returns
    -------
    dict
        ``by_quarter``: a DataFrame indexed by (quarter_end, covenant), ``any`` for any
        covenant, in the shape of :func:`model.engines.projection.analytics.breach_probability`
        (``breaches``, ``paths``, ``probability`` that the test fails in the quarter after
        cures, ``low_95``, ``high_95`` Wilson, ``basis``); ``in_default``: the share of
        paths with an Event of Default in force by each quarter end; ``ever``: the share
        with any failure; ``funding_gap``: the share with a funding gap; ``paths``.

    >>> from model import load
    >>> s = load("params/deals/magnite/scenarios/base.yaml", kind="capital_scenario")
    >>> p = capital_breach_probability(s, paths=400, seed=1, volatility="0.08")
    >>> a = p["by_quarter"].xs("any", level="covenant")["probability"]
    >>> bool(a.iloc[0] == 0), 0 < p["ever"] < 1, bool(a.max() <= p["ever"])
    (True, True, True)
    """
    from model.engines.projection.analytics import _wilson

    s = _scenario(scenario)
    n = read_int(paths, "paths", low=1, high=200_000)
    sigma = _fraction(volatility, "volatility", 0.0, 1.0)
    rng = np.random.default_rng(read_int(seed, "seed", low=0))
    block_size = read_int(block_size, "block_size", low=1)
    quarters = len(s.quarter_ends)
    steps = rng.normal(-sigma * sigma / 2, sigma, size=(n, quarters))
    factors = np.exp(np.cumsum(steps, axis=1))
    ebitda = np.array([float(x) for x in s.paths["ebitda"]])
    qe = list(s.quarter_ends)
    ids = [c.id for c in s.structure.terms.covenants]
    counts = pd.DataFrame(0, index=pd.Index(qe, name="quarter_end"), columns=[*ids, "any"])
    firsts: list[pd.DataFrame] = []
    for start in range(0, n, block_size):
        block = []
        for i in range(start, min(n, start + block_size)):
            p = dict(s.paths)
            p["ebitda"] = tuple(Decimal(str(round(float(x), 2))) for x in ebitda * factors[i])
            name = s.terms.model_copy(update={"name": f"p{i:06d}"})
            block.append(s.model_copy(update={"terms": name, "paths": p}))
        result = project_capital(block, block_size=block_size)
        cov = result.covenants
        failed = cov[cov["status"].isin(FAILED)]
        per = failed.groupby(["quarter_end", "covenant"]).size().unstack(fill_value=0)
        per["any"] = failed.groupby("quarter_end")["scenario"].nunique()
        counts = counts.add(per.reindex(index=qe, columns=counts.columns).fillna(0), fill_value=0)
        firsts.append(first_breaches(result))
    fb = pd.concat(firsts)
    long = counts.stack()
    long.index = long.index.set_names(["quarter_end", "covenant"])
    k = long.to_numpy(dtype=np.float64)
    low, high = _wilson(k, n)
    by_quarter = pd.DataFrame(
        {
            "breaches": k.astype(int),
            "paths": n,
            "probability": k / n,
            "low_95": low,
            "high_95": high,
            "basis": "forecast",
        },
        index=long.index,
    )
    defaults = [x for x in fb["default_from"] if x is not None]
    return {
        "by_quarter": by_quarter,
        "in_default": pd.Series(
            [sum(d <= q for d in defaults) / n for q in qe],
            index=pd.Index(qe, name="quarter_end"),
            name="in_default",
        ),
        "ever": float(fb["first_breach"].notna().mean()),
        "funding_gap": float((fb["funding_gap"] > 0).mean()),
        "paths": n,
        "volatility": sigma,
        "seed": int(seed),
    }
