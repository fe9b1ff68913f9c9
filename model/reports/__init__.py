"""The reports layer: what the engines return, formatted for people.

Tables (:mod:`model.reports.formatting`: money, ratios, yes/no and the compliance and
comparison tables), charts (:mod:`model.reports.charts`), the compliance certificate
(:mod:`model.reports.certificate`, its words from the deal's terms) and key figures to
JSON (:mod:`model.reports.key_figures`). Nothing here computes: every figure comes from an
engine, every word of a deal from its terms.
"""

from model.reports.certificate import (
    certificate_exceptions,
    certificate_inputs,
    form_notes,
    render_certificate,
    write_certificate,
)
from model.reports.charts import (
    borrowing_base_chart,
    interest_expense_chart,
    liquidity_chart,
    plot_covenant_history,
)
from model.reports.formatting import (
    describe_interest_basis,
    describe_version_change,
    dollars,
    figure,
    format_comparison_table,
    format_compliance_table,
    money_table,
    ratio,
    usd,
)
from model.reports.key_figures import to_jsonable, write_key_figures, written

__all__ = [
    "certificate_exceptions",
    "certificate_inputs",
    "form_notes",
    "render_certificate",
    "write_certificate",
    "borrowing_base_chart",
    "interest_expense_chart",
    "liquidity_chart",
    "plot_covenant_history",
    "describe_interest_basis",
    "describe_version_change",
    "dollars",
    "figure",
    "format_comparison_table",
    "format_compliance_table",
    "money_table",
    "ratio",
    "usd",
    "to_jsonable",
    "write_key_figures",
    "written",
]
