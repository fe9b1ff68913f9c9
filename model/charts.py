"""Charts for the notes notebooks. Each function returns ``(fig, ax)`` and never shows."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["interest_expense_chart"]


def interest_expense_chart(
    expense: pd.DataFrame, title: str = "Interest expense by fiscal quarter"
) -> tuple[Figure, Axes]:
    """Bars of interest expense per period with principal outstanding on a second axis.

    ``expense`` is the frame returned by :meth:`model.notes.FixedRateNote.interest_expense`.
    """
    fig, ax = plt.subplots(figsize=(10, 4.5))
    x = range(len(expense))
    ax.bar(
        x,
        [float(v) for v in expense["interest_expense"]],
        color="#2f6690",
        label="interest expense",
    )
    ax.set_xticks(list(x), expense["period"], rotation=45, ha="right")
    ax.set_ylabel("interest expense ($)")
    ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    ax2 = ax.twinx()
    ax2.step(
        list(x),
        [float(v) for v in expense["principal_at_end"]],
        where="mid",
        color="#d9a400",
        label="principal outstanding at period end",
    )
    ax2.set_ylabel("principal ($)")
    ax2.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    ax.set_ylim(0, max(float(v) for v in expense["interest_expense"]) * 1.3 or 1)
    ax2.set_ylim(0, max(float(v) for v in expense["principal_at_end"]) * 1.3 or 1)
    handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    ax.legend(
        handles, [str(h.get_label()) for h in handles], loc="upper center", ncol=2, fontsize=8
    )
    ax.set_title(title)
    fig.tight_layout()
    return fig, ax
