"""Charts of covenant history: each covenant against its level, and headroom panels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from model.errors import InputError
from model.reports.charts.common import (
    MILLIONS,
    MONEY_UNIT,
    _legend_below,
    _legend_right,
    _money_text,
    _status_colour,
    _status_handles,
    _words,
    _xs,
)
from model.reports.charts.ledger import _cited
from model.reports.formatting import UNDEFINED_TEXT, headroom
from model.values import is_missing

# --- covenants ---------------------------------------------------------------------------


def _covenant_scale(unit: Any) -> tuple[float, str]:
    """Divisor and axis label of a covenant's unit: ratios as they are, dollars in
    millions."""
    return (1.0, "ratio (x)") if str(unit) == "ratio" else (MILLIONS, MONEY_UNIT)


def _draw_covenant(ax: Axes, h: pd.DataFrame, positions: Sequence[int], n: int) -> None:
    """One covenant's quarters on ``ax``: bars of the actual coloured by status at
    ``positions`` (of ``n`` quarters), the required level as steps, the headroom above
    each bar."""
    ratio = str(h["unit"].iloc[0]) == "ratio"
    scale, unit = _covenant_scale(h["unit"].iloc[0])
    actual = [float("nan") if is_missing(v) else float(v) / scale for v in h["actual"]]
    colours = [_status_colour(c) for c in h["status_code"]]
    ax.bar(positions, actual, color=colours, width=0.6)
    for i, code in zip(positions, h["status_code"], strict=True):
        if code == "undefined":  # no bar: say why at the axis
            ax.annotate(UNDEFINED_TEXT, (i, 0), ha="center", va="bottom", fontsize=7, rotation=90)
    req_at = dict(zip(positions, h["required"], strict=True))
    req = [
        float("nan") if is_missing(req_at.get(i)) else float(req_at[i]) / scale for i in range(n)
    ]
    edges = [i - 0.5 for i in range(n)] + [n - 0.5]
    ax.step(edges, req + req[-1:], where="post", color="black", linewidth=2)
    for i, a, room in zip(positions, actual, h["headroom"], strict=True):
        if not is_missing(room) and not np.isnan(a):
            text = headroom(room, "ratio") if ratio else _money_text(room)
            ax.annotate(text, (i, a), ha="center", va="bottom", fontsize=7)
    ax.set_ylabel(unit)
    ax.grid(axis="y", alpha=0.3)
    ax.margins(y=0.15)


_REQUIRED_HANDLE = Line2D([], [], color="black", lw=2, label="required level (steps)")


def plot_covenant_history(
    history: pd.DataFrame, covenant: str, ax: Axes | None = None
) -> tuple[Figure, Axes]:
    """Actual against required for one covenant over quarters, the required level drawn
    as steps (:func:`covenant_headroom_chart` draws every covenant).

    Parameters
    ----------
    history : DataFrame
        :func:`model.engines.covenants.evaluate_history` output (MultiIndex quarter_end,
        covenant).
    covenant : str
        Covenant id to plot.
    ax : Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    (fig, ax)
        Bars: actual, coloured by ``status_code`` (:data:`STATUS_COLOURS`: green complies,
        amber inside the cushion, red fails, grey not tested; no bar, labelled, where the
        metric cannot be computed); step line: the required
        level in force for each quarter; above each bar, the headroom. The x labels give
        the quarter end and the version of the terms.
    """
    if covenant not in history.index.get_level_values("covenant"):
        raise InputError(f"unknown covenant id {covenant!r} in the history", key="covenant")
    h = _xs(history, covenant, "covenant")
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 4.5))
    else:
        root = ax.get_figure(root=True)
        if not isinstance(root, Figure):
            raise InputError("the axes given are not on a figure", key="ax")
        fig = root
    x = list(range(len(h)))
    _draw_covenant(ax, h, x, len(h))
    labels = [
        f"{pd.Timestamp(q):%Y-%m-%d}\n{_words(v)}"
        for q, v in zip(h.index, h["version"], strict=True)
    ]
    ax.set_xticks(x, labels, fontsize=7)
    ax.set_xlabel("quarter end (date; version of the terms)")
    ax.set_title(f"{h['title'].iloc[0]}: actual against required (labels: headroom)")
    _legend_right(ax, [*_status_handles(h["status_code"]), _REQUIRED_HANDLE])
    fig.tight_layout()
    return fig, ax


def _panels(n: int, height: float) -> tuple[Figure, np.ndarray]:
    """``n`` panels stacked on one time axis, ``height`` inches each."""
    fig, grid = plt.subplots(
        n, 1, figsize=(10, 1.0 + height * n), sharex=True, squeeze=False, layout="constrained"
    )
    return fig, grid[:, 0]


def covenant_headroom_chart(
    history: pd.DataFrame,
    title: str = "Covenants by quarter: actual against required (labels: headroom)",
) -> tuple[Figure, np.ndarray]:
    """Every covenant of a history, one panel each: the actual as bars coloured by status,
    the required level as steps, the headroom above each bar; dollars in US$ millions,
    ratios as they are.

    Parameters
    ----------
    history : DataFrame
        :func:`model.engines.covenants.evaluate_history` output (MultiIndex quarter_end,
        covenant).
    title : str

    Returns
    -------
    (fig, axes)
        ``axes``: one per covenant, in the order of the history, sharing the quarters.

    Examples
    --------
    >>> from model.terms import load
    >>> from model.engines.covenants import evaluate_history
    >>> fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> h = evaluate_history(fac, ["2008-03-31", "2008-06-30"],
    ...                      load("params/deals/ibasis/actuals/ibasis-2008.csv"))
    >>> fig, axes = covenant_headroom_chart(h)
    >>> [ax.get_ylabel() for ax in axes]
    ['ratio (x)', 'US$ millions', 'US$ millions']
    """
    if history.empty:
        raise InputError("the history has no quarters to chart", key="history")
    quarters = list(dict.fromkeys(history.index.get_level_values("quarter_end")))
    ids = list(dict.fromkeys(history.index.get_level_values("covenant")))
    where = {q: i for i, q in enumerate(quarters)}
    fig, axes = _panels(len(ids), 2.4)
    versions: dict[Any, str] = {}
    for ax, cid in zip(axes, ids, strict=True):
        h = _xs(history, cid, "covenant")
        _draw_covenant(ax, h, [where[q] for q in h.index], len(quarters))
        ref = str(h["reference"].iloc[0]) if "reference" in h else ""
        ax.set_title(_cited(str(h["title"].iloc[0]), [ref]), fontsize=10, loc="left")
        versions.update({q: str(v) for q, v in zip(h.index, h["version"], strict=True)})
    labels = [f"{pd.Timestamp(q):%Y-%m-%d}\n{_words(versions.get(q, ''))}" for q in quarters]
    axes[-1].set_xticks(range(len(quarters)), labels, fontsize=7)
    axes[-1].set_xlabel("quarter end (date; version of the terms)")
    fig.suptitle(title)
    _legend_below(fig, [*_status_handles(history["status_code"]), _REQUIRED_HANDLE])
    return fig, axes
