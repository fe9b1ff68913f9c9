"""Charts of what the engines return: a note's interest expense, the facility ledger's
liquidity and Borrowing Base, the covenants' history, and a projection's liquidity,
revolver, headroom, sensitivity grid and breach probability.

Every function returns ``(fig, ax)`` (``(fig, axes)`` for small multiples) and never shows
the figure. Every chart has a title, its axes name their units (US$ millions, %, days,
dates) and its legend sits outside the plotted data, to the right. A covenant's status is
always drawn in the colours of :data:`model.reports.tables.STATUS_COLOURS` (green complies,
amber inside the cushion, red breach, grey not required or no level): the same as the
tables and the certificate. Labels that quote the deal (advance rates, section references,
covenant names) come from the terms, never from the code.
"""

from model.reports.charts.analytics import breach_probability_chart, sensitivity_heatmap
from model.reports.charts.common import interest_expense_chart
from model.reports.charts.covenants import covenant_headroom_chart, plot_covenant_history
from model.reports.charts.ledger import borrowing_base_chart, liquidity_chart
from model.reports.charts.projections import (
    projection_headroom_chart,
    projection_liquidity_chart,
    projection_revolver_chart,
)
from model.reports.tables import STATUS_COLOURS

__all__ = [
    "interest_expense_chart",
    "liquidity_chart",
    "borrowing_base_chart",
    "plot_covenant_history",
    "covenant_headroom_chart",
    "projection_liquidity_chart",
    "projection_revolver_chart",
    "projection_headroom_chart",
    "sensitivity_heatmap",
    "breach_probability_chart",
    "STATUS_COLOURS",
]
