"""Charts for covenant compliance. Each returns ``(fig, ax)`` and never calls ``plt.show()``."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

__all__ = ["plot_covenant_history"]


def plot_covenant_history(
    history: pd.DataFrame, covenant: str = "consolidated_ebitda", ax: Any = None
) -> tuple[Any, Any]:
    """Actual vs required for one covenant over quarters, thresholds drawn as steps.

    Parameters
    ----------
    history : DataFrame
        :func:`model.covenants.evaluate_history` output (MultiIndex quarter_end, covenant).
    covenant : str
        Covenant id to plot.

    Returns
    -------
    (fig, ax)
        Bars: actual (green complies, amber inside cushion, red fails, grey not tested);
        step line: required level in force for each quarter (the version shown in the
        x labels).
    """
    if covenant not in history.index.get_level_values("covenant"):
        raise ValueError(f"unknown covenant id {covenant!r} in the history")
    h = history.xs(covenant, level="covenant")
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 4.5))
    else:
        fig = ax.figure
    scale, unit = (1e6, "$ millions") if h["unit"].iloc[0] == "usd" else (1.0, "ratio")
    x = range(len(h))
    colors = []
    for _, r in h.iterrows():
        c = r["complies"]
        if c is pd.NA:
            colors.append("#bbbbbb")
        elif not bool(c):
            colors.append("#c0392b")
        elif r["amber"] is not pd.NA and bool(r["amber"]):
            colors.append("#e0a526")
        else:
            colors.append("#2e8b57")
    actual = [float(v) / scale for v in h["actual"]]
    ax.bar(x, actual, color=colors, width=0.6, label="actual")
    req = [float(v) / scale if v is not None else float("nan") for v in h["required"]]
    xs = [i - 0.5 for i in x] + [len(h) - 0.5]
    ax.step(
        xs,
        req + [req[-1]],
        where="post",
        color="black",
        linewidth=2,
        label="required (threshold step)",
    )
    for i, (a, r) in enumerate(zip(actual, req, strict=True)):
        if r == r:  # not NaN
            ax.annotate(f"{a - r:+.1f}", (i, a), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(list(x))
    ax.set_xticklabels(
        [f"{pd.Timestamp(q):%Y-%m-%d}\n{v}" for q, v in zip(h.index, h["version"], strict=True)],
        fontsize=7,
    )
    ax.set_ylabel(unit)
    ax.set_title(f"{h['title'].iloc[0]}: actual vs required (labels: headroom)")
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig, ax
