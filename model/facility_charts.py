"""Charts of the facility ledger. Functions return ``(fig, ax)``; they never show."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["liquidity_chart", "borrowing_base_chart"]


def liquidity_chart(
    ledger: pd.DataFrame, title: str = "Liquidity against the triggers"
) -> tuple[Figure, Axes]:
    """Liquidity and availability against each trigger threshold (step lines).

    >>> from model.params import load
    >>> from model.ledger import facility_ledger
    >>> fac = load("params/facilities/svb-loan-agreement.yaml")
    >>> led = facility_ledger(fac, "2008-04-28", "2008-05-05", cash=5e6, rate_path=0.05,
    ...     receivables=pd.DataFrame({"date": ["2008-04-01"], "eligible_domestic": [2e7],
    ...                               "eligible_foreign": [0]}))
    >>> fig, ax = liquidity_chart(led); len(ax.lines) >= 4
    True
    """
    fig, ax = plt.subplots(figsize=(10, 5))
    m = 1e6
    ax.plot(
        ledger.index,
        ledger["liquidity"] / m,
        label="liquidity (cash at Bank + availability)",
        color="black",
        lw=2,
    )
    ax.plot(ledger.index, ledger["availability"] / m, label="availability", color="tab:blue")
    ax.step(
        ledger.index,
        ledger["cash_dominion_threshold"] / m,
        where="post",
        label="cash dominion below (Sec. 6.3(c))",
        color="tab:red",
        ls="--",
    )
    ax.step(
        ledger.index,
        ledger["agings_threshold"] / m,
        where="post",
        label="agings reports below (Sec. 6.2(a)(ix))",
        color="tab:orange",
        ls=":",
    )
    ax.step(
        ledger.index,
        ledger["cash_flow_threshold"] / m,
        where="post",
        label="Cash Flow covenant springs below (Sec. 6.9(iii))",
        color="tab:purple",
        ls="-.",
    )
    ax.set_ylabel("$ millions")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig, ax


def borrowing_base_chart(
    ledger: pd.DataFrame, title: str = "Borrowing Base and the over-advance step-down"
) -> tuple[Figure, Axes]:
    """Stacked Borrowing Base clauses (a), (b), (c), the Revolving Line and the balance."""
    fig, ax = plt.subplots(figsize=(10, 5))
    m = 1e6
    ax.stackplot(
        ledger.index,
        ledger["domestic_base"] / m,
        ledger["foreign_base"] / m,
        ledger["over_advance_limit"] / m,
        labels=[
            "(a) 80% eligible domestic",
            "(b) 70% eligible foreign",
            "(c) over-advance (steps down)",
        ],
        alpha=0.5,
        step="post",
    )
    ax.step(
        ledger.index,
        ledger["line"] / m,
        where="post",
        color="black",
        ls="--",
        label="Revolving Line",
    )
    ax.plot(ledger.index, ledger["outstanding"] / m, color="tab:red", lw=2, label="outstanding")
    ax.set_ylabel("$ millions")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig, ax
