"""What every chart shares: money in US$ millions, legends outside the data, dates, the
status colours; and a note's interest expense by quarter."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from model.reports.formatting import dollars
from model.reports.tables import STATUS_COLOURS, STATUS_WORDS

MILLIONS = 1e6
MONEY_UNIT = "US$ millions"

_NOT_TESTED = STATUS_COLOURS["not_required"]
_CASH_DOMINION_SHADE = STATUS_COLOURS["amber"]
_GAP_COLOUR = STATUS_COLOURS["breach"]
_LEGEND = {"fontsize": 8, "borderaxespad": 0.0}
_LINE_COLOURS = ("tab:blue", "tab:purple", "tab:brown", "tab:cyan", "tab:pink", "tab:olive")
"""Series that are not a status: never the status green, amber or red."""


def _dollar_axis(ax: Axes) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: dollars(v)))


def _legend_right(ax: Axes, handles: Sequence[Any] | None = None) -> Legend:
    """The legend of ``ax`` to the right of its plotting area, top-aligned (off the data)."""
    if handles is None:
        return ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), **_LEGEND)
    labels = [str(h.get_label()) for h in handles]
    return ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), **_LEGEND)


def _legend_under(fig: Figure, ax: Axes, handles: Sequence[Any] | None = None) -> Legend:
    """The legend of a one-panel chart under its x axis, across the figure (off the data and
    leaving the width to the data); the figure must use the constrained layout."""
    shown = list(handles) if handles is not None else ax.get_legend_handles_labels()[0]
    labels = [str(h.get_label()) for h in shown]
    return fig.legend(shown, labels, loc="outside lower center", ncol=2, fontsize=8)


def _dates_axis(ax: Axes) -> None:
    """Dates on the x axis, the tick labels slanted so they never collide."""
    ax.tick_params(axis="x", labelrotation=30)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")


def _status_colour(code: Any) -> str:
    return STATUS_COLOURS.get(str(code), _NOT_TESTED)


def _status_handles(codes: Iterable[Any]) -> list[Patch]:
    """One patch per status colour present, in the order of :data:`STATUS_COLOURS`,
    labelled in the words of the tables (statuses sharing a colour share a patch)."""
    present = {str(c) for c in codes}
    words: dict[str, list[str]] = {}
    for code, colour in STATUS_COLOURS.items():
        if code in present:
            words.setdefault(colour, []).append(STATUS_WORDS[code])
    return [Patch(color=colour, label=" / ".join(w)) for colour, w in words.items()]


def _money_text(x: Any) -> str:
    """Whole dollars, negatives in parentheses (as the tables write them)."""
    v = float(x)
    return f"({dollars(-v)})" if v < 0 else dollars(v)


def _legend_below(fig: Figure, handles: Sequence[Any]) -> Legend:
    """A figure's legend under its panels (small multiples), off every panel."""
    return fig.legend(
        handles=handles, loc="outside lower center", ncol=min(len(handles), 4), fontsize=8
    )


def _xs(frame: pd.DataFrame, key: Any, level: str) -> pd.DataFrame:
    """The rows of ``frame`` at ``key`` of the index level ``level``, that level dropped."""
    rows = frame.xs(key, level=level)
    return rows if isinstance(rows, pd.DataFrame) else rows.to_frame().T


def _quarter_labels(quarters: Iterable[Any]) -> list[str]:
    return [f"{pd.Timestamp(q):%Y-%m-%d}" for q in quarters]


def _words(code: str) -> str:
    """A code in words where no title is given: ``adjusted_quick_ratio`` -> ``adjusted
    quick ratio``."""
    return str(code).replace("_", " ")


def interest_expense_chart(
    expense: pd.DataFrame, title: str = "Interest expense by period"
) -> tuple[Figure, Axes]:
    """Bars of interest expense per period, with the principal outstanding at each period
    end on a second axis.

    ``expense`` is the frame of
    :meth:`model.engines.notes.FixedRateNote.interest_expense` (``period``,
    ``interest_expense``, ``principal_at_end``).

    Examples
    --------
    >>> from decimal import Decimal
    >>> fig, ax = interest_expense_chart(pd.DataFrame({"period": ["2008Q1", "2008Q2"],
    ...     "interest_expense": [Decimal("580000"), Decimal("580000")],
    ...     "principal_at_end": [Decimal("29000000"), Decimal("29000000")]}))
    >>> ax.get_ylabel(), len(ax.patches)
    ('interest expense (US$)', 2)
    """
    fig, ax = plt.subplots(figsize=(10, 4.5), layout="constrained")
    x = list(range(len(expense)))
    interest = [float(v) for v in expense["interest_expense"]]
    principal = [float(v) for v in expense["principal_at_end"]]
    ax.bar(x, interest, color="#2f6690", label="interest expense")
    ax.set_xticks(x, [str(p) for p in expense["period"]], rotation=45, ha="right")
    ax.set_xlabel("period")
    ax.set_ylabel("interest expense (US$)")
    ax2 = ax.twinx()
    ax2.step(
        x, principal, where="mid", color="#d9a400", label="principal outstanding at period end"
    )
    ax2.set_ylabel("principal outstanding (US$)")
    for axis in (ax, ax2):
        _dollar_axis(axis)
    ax.set_ylim(0, max(interest, default=0) * 1.3 or 1)
    ax2.set_ylim(0, max(principal, default=0) * 1.3 or 1)
    _legend_under(fig, ax, ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0])
    ax.set_title(title)
    return fig, ax
