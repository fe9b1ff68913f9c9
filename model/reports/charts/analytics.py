"""Charts of the analytics: the sensitivity grid as a heatmap and the breach probability
by quarter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from model.engines.projection.analytics import SHOCKS
from model.errors import InputError
from model.reports.charts.common import (
    _LINE_COLOURS,
    MILLIONS,
    MONEY_UNIT,
    _legend_under,
    _quarter_labels,
    _words,
    _xs,
)
from model.reports.formatting import dollars
from model.reports.tables import COLUMNS, STATUS_COLOURS
from model.values import is_missing

# --- analytics ---------------------------------------------------------------------------


def _shock_axis(name: str) -> tuple[str, Any]:
    """Axis label (with unit) and tick writer of a shock of :data:`SHOCKS`."""
    shock = SHOCKS.get(name)
    if shock is None:
        return _words(name), lambda v: f"{v:g}"
    if shock.how == "scale":
        return f"{shock.label} (%)", lambda v: f"{v:+.0%}" if v else "0%"
    if "dso" in name:
        return f"{shock.label} (days)", lambda v: f"{v:+g}" if v else "0"
    return f"{shock.label} (percentage points)", lambda v: f"{v * 100:+.2f}" if v else "0"


def _value_name(value: str) -> str:
    if value.startswith("min_headroom_"):
        return f"lowest headroom, {_words(value.removeprefix('min_headroom_'))}"
    return COLUMNS.get(value, (_words(value), ""))[0].lower()


def _is_dates(values: pd.Series) -> bool:
    present = [v for v in values if not is_missing(v)]
    return bool(present) and all(isinstance(v, dt.date) for v in present)


_DATE_CMAP = LinearSegmentedColormap.from_list(
    "breach_to_amber", [STATUS_COLOURS["breach"], STATUS_COLOURS["amber"]]
)


def _text_colour(rgb: Sequence[float]) -> str:
    r, g, b = rgb[:3]
    return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else "black"


def sensitivity_heatmap(
    grid: pd.DataFrame,
    value: str = "first_breach",
    title: str | None = None,
    unit: str | None = None,
) -> tuple[Figure, Axes]:
    """One column of :func:`model.engines.projection.analytics.sensitivity_grid` over its
    two shocks: rows the first shock, columns the second (as ``grid[value].unstack()``),
    each cell labelled.

    A column of dates (``first_breach``, ``first_funding_gap``, ``min_liquidity_date``):
    each date a colour from red (earliest) to amber (latest), none in green, the legend
    listing them. A money column: shaded on a colour bar in ``unit``.

    Parameters
    ----------
    grid : DataFrame
        ``sensitivity_grid`` output, indexed by (first shock, second shock).
    value : str
        The column to show.
    title : str, optional
    unit : str, optional
        ``"US$ millions"`` (default for numbers), ``"US$"`` or a count's unit (``"quarters"``,
        ``"days"``); ``"date"`` for dates.

    Examples
    --------
    >>> from model.terms import load
    >>> from model.engines.projection.analytics import sensitivity_grid
    >>> g = sensitivity_grid(load("params/deals/ibasis/scenarios/base.yaml"), ("revenue", [0, -0.15]), ("dso", [0, 10]))
    >>> fig, ax = sensitivity_heatmap(g, "first_breach")
    >>> [t.get_text() for t in ax.texts]
    ['none', 'none', 'none', '2009-09-30']
    """
    if value not in grid.columns:
        raise InputError(
            f"no column {value!r} in the grid; columns: {', '.join(map(str, grid.columns))}",
            key="value",
        )
    if grid.index.nlevels != 2:
        raise InputError("give a sensitivity grid indexed by its two shocks", key="grid")
    rows_name, cols_name = (str(n) for n in grid.index.names)
    rows = list(dict.fromkeys(grid.index.get_level_values(0)))  # the order the shocks were given
    cols = list(dict.fromkeys(grid.index.get_level_values(1)))
    table = grid[value].unstack(cols_name).reindex(index=rows, columns=cols)
    fig, ax = plt.subplots(figsize=(9, 5.5), layout="constrained")
    if _is_dates(grid[value]):
        dates = sorted({v for v in grid[value] if not is_missing(v)})
        colours = {d: _DATE_CMAP(i / max(len(dates) - 1, 1)) for i, d in enumerate(dates)}
        none = to_rgb(STATUS_COLOURS["complies"])
        rgb = np.array(
            [
                [to_rgb(colours[v]) if not is_missing(v) else none for v in row]
                for row in table.values
            ]
        )
        ax.imshow(rgb, aspect="auto")
        texts = [[str(v) if not is_missing(v) else "none" for v in row] for row in table.values]
        handles = [Patch(color=colours[d], label=f"{d}") for d in dates]
        handles.append(Patch(color=STATUS_COLOURS["complies"], label="none in the horizon"))
        fig.legend(
            handles=handles,
            loc="outside right upper",
            fontsize=8,
            title=f"{_value_name(value)} ({unit or 'date'})",
            title_fontsize=8,
        )
        cells = rgb
    else:
        unit = unit or MONEY_UNIT
        scale = MILLIONS if unit == MONEY_UNIT else 1.0
        numbers = table.to_numpy(dtype=float) / scale
        image = ax.imshow(numbers, cmap="cividis", aspect="auto")
        bar = fig.colorbar(image, ax=ax, location="right")
        bar.set_label(f"{_value_name(value)} ({unit})")
        money = unit.startswith("US$")
        texts = [
            ["—" if np.isnan(v) else dollars(round(v * scale)) if money else f"{v:g}" for v in row]
            for row in numbers
        ]
        cells = image.to_rgba(numbers)
    for i in range(len(rows)):
        for j in range(len(cols)):
            ax.text(
                j,
                i,
                texts[i][j],
                ha="center",
                va="center",
                fontsize=8,
                color=_text_colour(cells[i][j]),
            )
    y_label, y_tick = _shock_axis(rows_name)
    x_label, x_tick = _shock_axis(cols_name)
    ax.set_xticks(range(len(cols)), [x_tick(float(v)) for v in cols])
    ax.set_yticks(range(len(rows)), [y_tick(float(v)) for v in rows])
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_title(title or f"{_value_name(value).capitalize()} under two shocks")
    return fig, ax


def breach_probability_chart(
    probability: pd.DataFrame,
    names: Mapping[str, str] | None = None,
    title: str | None = None,
) -> tuple[Figure, Axes]:
    """The probability of a breach per quarter:
    :func:`model.engines.projection.analytics.breach_probability`'s ``any`` row with its
    95% interval as error bars, and a line per covenant.

    Parameters
    ----------
    probability : DataFrame
        ``breach_probability`` output, indexed by (quarter_end, covenant).
    names : mapping of covenant id to title, optional
        The covenants to draw, in order, and their titles; every covenant by default.
    title : str, optional

    Examples
    --------
    >>> idx = pd.MultiIndex.from_product([["2008-09-30", "2008-12-31"], ["ebitda", "any"]],
    ...                                  names=["quarter_end", "covenant"])
    >>> pr = pd.DataFrame({"breaches": [1, 1, 5, 5], "paths": 10, "probability": [.1, .1, .5, .5],
    ...     "low_95": [.02, .02, .24, .24], "high_95": [.4, .4, .76, .76]}, index=idx)
    >>> fig, ax = breach_probability_chart(pr)
    >>> ax.get_ylabel(), [t.get_text() for t in fig.legends[0].get_texts()]
    ('probability of a breach (%)', ['any covenant (bars: 95% interval)', 'ebitda'])
    """
    if "any" not in probability.index.get_level_values("covenant"):
        raise InputError("give breach_probability output (it has an 'any' row)", key="probability")
    anyone = _xs(probability, "any", "covenant")
    quarters = list(anyone.index)
    x = np.arange(len(quarters))
    fig, ax = plt.subplots(figsize=(10, 6), layout="constrained")
    prob = anyone["probability"].to_numpy(dtype=float) * 100
    err = np.vstack(
        [
            prob - anyone["low_95"].to_numpy(dtype=float) * 100,
            anyone["high_95"].to_numpy(dtype=float) * 100 - prob,
        ]
    )
    interval = ax.errorbar(
        x,
        prob,
        yerr=err,
        color=STATUS_COLOURS["breach"],
        marker="o",
        capsize=4,
        lw=2,
        label="any covenant (bars: 95% interval)",
    )
    per = probability["probability"].unstack("covenant")
    ids = [c for c in per.columns if c != "any"]
    shown = dict(names) if names is not None else {c: _words(c) for c in ids}
    lines = []
    for k, (cid, label) in enumerate(shown.items()):
        if cid not in per.columns:
            raise InputError(f"no covenant {cid!r} in the probabilities", key="names")
        (line,) = ax.plot(
            x,
            per[cid].reindex(quarters).to_numpy(dtype=float) * 100,
            marker=".",
            ls="--",
            color=_LINE_COLOURS[k % len(_LINE_COLOURS)],
            zorder=3,
            label=label,
        )
        lines.append(line)
    ax.set_xticks(x, _quarter_labels(quarters), rotation=45, ha="right", fontsize=8)
    ax.set_xlabel("quarter end (date)")
    ax.set_ylabel("probability of a breach (%)")
    ax.set_ylim(0, min(100.0, max(float(np.nanmax(anyone["high_95"])) * 100 * 1.1, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}%"))
    paths = int(anyone["paths"].iloc[0]) if "paths" in anyone else None
    ax.set_title(
        title
        or "Probability of a covenant breach by quarter"
        + (f" ({paths:,} random paths)" if paths else "")
    )
    ax.grid(axis="y", alpha=0.3)
    _legend_under(fig, ax, [interval, *lines])
    return fig, ax
