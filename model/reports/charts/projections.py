"""Charts of a projection: liquidity against the triggers day by day, the revolver by
tranche, and covenant headroom quarter by quarter, reported quarters hatched."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from model.engines.projection import Projection
from model.errors import InputError
from model.reports.charts.common import (
    _GAP_COLOUR,
    MILLIONS,
    MONEY_UNIT,
    _legend_below,
    _legend_under,
    _quarter_labels,
    _status_colour,
    _status_handles,
    _xs,
)
from model.reports.charts.covenants import _panels
from model.reports.charts.ledger import (
    _draw_liquidity,
    _finish,
    _joined,
    _start_figure,
    _versions_shown,
)
from model.reports.formatting import dollars
from model.reports.tables import STATUS_WORDS
from model.terms.facility import Facility

# --- projections -------------------------------------------------------------------------


def _scenario(p: Projection, scenario: str | int) -> str:
    """The name of ``scenario`` (a name or a position) in ``p``."""
    if not isinstance(p, Projection):
        raise InputError(f"give a Projection, not {type(p).__name__}", key="p")
    names = p.scenarios
    if isinstance(scenario, int) and not isinstance(scenario, bool):
        if not 0 <= scenario < len(names):
            raise InputError(
                f"no scenario {scenario}: the projection has {len(names)}", key="scenario"
            )
        return names[scenario]
    if scenario not in names:
        raise InputError(
            f"no scenario {scenario!r}; scenarios: {', '.join(names[:10])}", key="scenario"
        )
    return str(scenario)


def _projection_terms(p: Projection, name: str) -> Facility:
    for b in p.blocks:
        if name in b.run.block.names:
            return b.run.block.facility
    raise InputError(f"no scenario {name!r}", key="scenario")  # pragma: no cover


def projection_liquidity_chart(
    p: Projection, scenario: str | int = 0, title: str | None = None
) -> tuple[Figure, Axes]:
    """One projected scenario day by day: liquidity, cash and availability against the
    triggers (cash dominion, agings reports, the springing covenant) as steps, the days
    under cash dominion shaded and the days of a funding gap marked.

    Parameters
    ----------
    p : Projection
        :func:`model.engines.projection.project` output, with the daily detail kept.
    scenario : str or int
        Scenario name or position.

    Examples
    --------
    >>> from model.terms import load
    >>> from model.engines.projection import project
    >>> fig, ax = projection_liquidity_chart(project(load("params/deals/ibasis/scenarios/stress-2008.yaml")))
    >>> ax.get_ylabel(), ax.get_xlabel()
    ('US$ millions', 'date')
    """
    name = _scenario(p, scenario)
    days = p.daily(name)
    versions = _versions_shown(_projection_terms(p, name), days)
    fig, ax = _start_figure(days, title or f"Scenario {name}: daily liquidity against the triggers")
    _draw_liquidity(ax, days, versions, "springing_threshold")
    gap = (days["funding_gap"] > 0).to_numpy()
    total = float(days["funding_gap"].sum())
    ax.scatter(
        days.index[gap],
        days["liquidity"][gap] / MILLIONS,
        marker="v",
        s=50,
        color=_GAP_COLOUR,
        zorder=5,
        label=f"funding gap ({dollars(total)} in all)" if gap.any() else "funding gap: none",
    )
    ax.axhline(0, color="black", lw=0.5)
    return _finish(fig, ax)


def _quarters(p: Projection, name: str) -> pd.DataFrame:
    return _xs(p.quarters, name, "scenario")


def projection_revolver_chart(
    p: Projection, scenario: str | int = 0, title: str | None = None
) -> tuple[Figure, Axes]:
    """Revolver outstanding at each quarter end by tranche (the revolver tranche and the
    over-advance in use, stacked), the limit at the quarter end (the lesser of the line
    and the Borrowing Base) as steps, and the peak outstanding in each quarter marked, the
    highest labelled.

    Examples
    --------
    >>> from model.terms import load
    >>> from model.engines.projection import project
    >>> fig, ax = projection_revolver_chart(project(load("params/deals/ibasis/scenarios/stress-2008.yaml")))
    >>> ax.get_ylabel(), len(ax.patches) > 0
    ('US$ millions', True)
    """
    name = _scenario(p, scenario)
    q = _quarters(p, name)
    n = len(q)
    x = np.arange(n)
    fig, ax = plt.subplots(figsize=(10, 6), layout="constrained")
    tranche = q["revolver_tranche"].to_numpy(dtype=float) / MILLIONS
    over = q["over_advance_used"].to_numpy(dtype=float) / MILLIONS
    ax.bar(x, tranche, width=0.6, color="#2f6690", label="revolver tranche at the quarter end")
    ax.bar(
        x,
        over,
        width=0.6,
        bottom=tranche,
        color="#9ecae1",
        label="over-advance in use at the quarter end",
    )
    limit = q["limit"].to_numpy(dtype=float) / MILLIONS
    edges = np.append(x - 0.5, n - 0.5)
    ax.step(
        edges,
        np.append(limit, limit[-1:]),
        where="post",
        color="black",
        ls="--",
        label="limit at the quarter end (lesser of line and Borrowing Base)",
    )
    peak = q["peak_outstanding"].to_numpy(dtype=float) / MILLIONS
    ax.plot(x, peak, ls="none", marker="v", color="black", label="peak outstanding in the quarter")
    top = int(np.argmax(peak))
    ax.annotate(
        f"peak {dollars(round(float(q['peak_outstanding'].iloc[top])))}",
        (top, peak[top]),
        xytext=(8, 0),
        textcoords="offset points",
        ha="left",
        va="center",
        fontsize=8,
        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8},
    )
    ax.set_xticks(x, _quarter_labels(q.index), rotation=45, ha="right", fontsize=8)
    ax.set_xlabel("quarter end (date)")
    ax.set_ylabel(MONEY_UNIT)
    ax.set_title(title or f"Scenario {name}: revolver outstanding by tranche, limit and peak")
    ax.grid(axis="y", alpha=0.3)
    ax.margins(y=0.12)
    _legend_under(fig, ax)
    return fig, ax


def projection_headroom_chart(
    p: Projection,
    scenario: str | int = 0,
    title: str | None = None,
    history: pd.DataFrame | None = None,
) -> tuple[Figure, np.ndarray]:
    """Each covenant's headroom as a percentage of its required level, per quarter of one
    projected scenario, one panel per covenant, bars coloured by status; quarters without a
    level are labelled. With ``history`` (the covenants of
    :func:`model.engines.projection.timeline`: ``basis`` reported or forecast), the reported
    quarters come first, hatched, and the forecast follows the last of them.

    Examples
    --------
    >>> from model.terms import load
    >>> from model.engines.projection import project
    >>> p = project(load("params/deals/ibasis/scenarios/stress-2008.yaml"))
    >>> fig, axes = projection_headroom_chart(p)
    >>> len(axes) == len(p.covenant_ids()), axes[0].get_ylabel()
    (True, 'headroom (% of required)')
    """
    name = _scenario(p, scenario)
    c = _xs(p.covenants, name, "scenario")
    titles = {
        str(k): str(v)
        for k, v in c.groupby(level="covenant", observed=True)["title"].first().items()
    }
    rows = _headroom_rows(c, history)
    quarters = sorted({q for q, _cid in rows.index})
    where = {q: i for i, q in enumerate(quarters)}
    ids = list(dict.fromkeys(str(v) for v in rows.index.get_level_values("covenant")))
    fig, axes = _panels(len(ids), 2.2)
    for ax, cid in zip(axes, ids, strict=True):
        h = rows.xs(cid, level="covenant")
        pos = [where[q] for q in h.index]
        pct = h["pct"].to_numpy(dtype=float) * 100
        codes = [str(s) for s in h["status_code"]]
        bars = ax.bar(pos, np.nan_to_num(pct), width=0.6, color=[_status_colour(s) for s in codes])
        for bar, reported in zip(bars, h["reported"], strict=True):
            if reported:
                bar.set_hatch("///")
                bar.set_edgecolor("white")
        ax.axhline(0, color="black", lw=1)
        head = titles.get(cid, cid.replace("_", " "))
        if np.isnan(pct).all():  # never a level: say so once, not per quarter
            why = _joined(STATUS_WORDS.get(s, s) for s in codes)
            head = f"{head}: no headroom in any quarter ({why.lower()})"
            ax.set_ylim(-1, 1)
            ax.set_yticks([])
        else:
            for i, v, code in zip(pos, pct, codes, strict=True):
                if np.isnan(v):
                    ax.annotate(
                        STATUS_WORDS.get(code, code).lower(),
                        (i, 0),
                        ha="center",
                        va="bottom",
                        fontsize=7,
                        rotation=90,
                    )
            ax.margins(y=0.15)
        ax.set_title(head, fontsize=10, loc="left")
        ax.set_ylabel("headroom (% of required)")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}%"))
        ax.grid(axis="y", alpha=0.3)
    axes[-1].set_xticks(range(len(quarters)), _quarter_labels(quarters), rotation=45, ha="right")
    axes[-1].set_xlabel("quarter end (date)")
    fig.suptitle(
        title or f"Scenario {name}: covenant headroom by quarter (% of the required level)"
    )
    handles = [
        *_status_handles(rows["status_code"]),
        Line2D([], [], color="black", lw=1, label="required level (0% headroom)"),
    ]
    if rows["reported"].any():
        handles.append(
            Patch(facecolor="#888888", hatch="///", edgecolor="white", label="reported quarter")
        )
    _legend_below(fig, handles)
    return fig, axes


def _headroom_rows(c: pd.DataFrame, history: pd.DataFrame | None) -> pd.DataFrame:
    """(quarter_end, covenant) -> pct (headroom as a share of the level), status_code,
    reported: the projection's rows, or the timeline's when given."""
    if history is None:
        return pd.DataFrame(
            {
                "pct": c["headroom_pct"].to_numpy(dtype=float),
                "status_code": c["status_code"].to_numpy(),
                "reported": False,
            },
            index=c.index,
        )
    required = history["required"].to_numpy(dtype=float)
    tested = history["status_code"].isin(["complies", "amber", "breach"]).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(
            tested & (required != 0),
            history["headroom"].to_numpy(dtype=float) / np.abs(required),
            np.nan,
        )
    return pd.DataFrame(
        {
            "pct": pct,
            "status_code": history["status_code"].to_numpy(),
            "reported": (history["basis"] == "reported").to_numpy(),
        },
        index=history.index,
    )
