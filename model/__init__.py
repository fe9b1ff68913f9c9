"""debtmodel: a financial modelling workbook for corporate debt.

The package is in layers, each importing only the ones below it (checked by
import-linter, see ``pyproject.toml``)::

    run       command line, notebook runner              model.run
    reports   formatting, charts, certificate, JSON      model.reports
    engines   notes, facility, covenants                 model.engines
    terms     params files read strictly, frozen terms   model.terms
    dates     day counts, calendars, schedules, periods  model.dates
    values, paths, errors: the readers of values, where files live, the errors

This module is the public API: what notebooks and users call. Names are imported on
first use (PEP 562), so ``import model.dates`` loads nothing from the layers above it.

Examples
--------
>>> import model
>>> model.accrued_interest(30_200_000, 0.0575, "2002-09-15", "2003-01-30", "30/360 US")
Decimal('651187.50')
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.2.0"

_API: dict[str, str] = {
    # errors and values
    "ModelError": "model.errors",
    "InputError": "model.errors",
    "ParamsError": "model.errors",
    "NotFoundError": "model.errors",
    "DrawRefusedError": "model.errors",
    "UndefinedMetricError": "model.errors",
    "read_date": "model.values",
    "read_money": "model.values",
    "read_amount": "model.values",
    "read_rate": "model.values",
    "read_int": "model.values",
    "read_flag": "model.values",
    "read_name": "model.values",
    "read_choice": "model.values",
    "read_optional": "model.values",
    "to_cents": "model.values",
    "format_money": "model.values",
    # dates
    "DayCount": "model.dates",
    "year_fraction": "model.dates",
    "year_fraction_exact": "model.dates",
    "day_count": "model.dates",
    "new_york_banking_calendar": "model.dates",
    "generate_schedule": "model.dates",
    "adjust_dates": "model.dates",
    "read_quarter_end": "model.dates",
    "quarter_start": "model.dates",
    "quarter_ends_between": "model.dates",
    # terms
    "load": "model.terms.load",
    "read_dated_csv": "model.terms",
    "Actuals": "model.terms",
    "provenance": "model.terms.provenance",
    "assumptions": "model.terms",
    # engines: notes
    "accrued_interest": "model.engines.notes",
    "FixedRateNote": "model.engines.notes",
    "conversion_by_holder": "model.engines.notes",
    "interest_by_holder": "model.engines.notes",
    "purchase_settlement": "model.engines.notes",
    "fully_diluted": "model.engines.notes",
    "reserve_check": "model.engines.notes",
    # engines: facility
    "borrowing_base": "model.engines.facility.borrowing_base",
    "availability": "model.engines.facility",
    "liquidity_triggers": "model.engines.facility",
    "eligibility_waterfall": "model.engines.facility",
    "invoice_aging_date": "model.engines.facility",
    "compare_with_certificate": "model.engines.facility",
    "facility_ledger": "model.engines.facility",
    "certificate_on": "model.engines.facility",
    "ledger_on": "model.engines.facility",
    "monthly_interest": "model.engines.facility",
    "interest_basis": "model.engines.facility",
    "one_time_fees": "model.engines.facility",
    "termination_fee": "model.engines.facility",
    "termination_fee_schedule": "model.engines.facility",
    "repurchase_basket": "model.engines.facility",
    "max_draw": "model.engines.facility",
    "receivables_needed_schedule": "model.engines.facility",
    "first_shortfall_date": "model.engines.facility",
    "term_change_days": "model.engines.facility",
    # engines: covenants
    "ledger_by_quarter": "model.engines.covenants",
    "schedule_1": "model.engines.covenants",
    "evaluate_covenants": "model.engines.covenants",
    "evaluate_history": "model.engines.covenants",
    "compare_versions": "model.engines.covenants",
    "governing_due_date": "model.engines.covenants",
    "reporting_due_dates": "model.engines.covenants",
    "reporting_compliance": "model.engines.covenants",
    "reporting_summary": "model.engines.covenants",
    "repurchase_permitted": "model.engines.covenants",
    # engines: projection
    "size_facility": "model.engines.covenants.sizing_study",
    "study_note": "model.engines.notes.study",
    "NoteStudy": "model.engines.notes.study",
    "FacilitySizing": "model.engines.covenants.sizing_study",
    "project": "model.engines.projection",
    "WhatIf": "model.engines.projection.whatif",
    "what_if": "model.engines.projection.whatif",
    "project_capital": "model.engines.capital",
    "CapitalResult": "model.engines.capital",
    "ScenarioBlock": "model.engines.projection",
    "Projection": "model.engines.projection",
    "summary": "model.engines.projection.analytics",
    "plausibility": "model.engines.projection.plausibility",
    "reported_quarters": "model.engines.projection.reported",
    "reported_figures": "model.engines.projection.reported",
    "reported_defaults": "model.engines.projection.reported",
    "timeline": "model.engines.projection.timeline",
    "dashboard": "model.engines.projection.dashboard",
    "forecast_vs_actual": "model.engines.projection.timeline",
    "sensitivity_grid": "model.engines.projection.analytics",
    "breakeven": "model.engines.projection.analytics",
    "breach_probability": "model.engines.projection.analytics",
    "random_paths": "model.engines.projection.analytics",
    "repurchase_capacity": "model.engines.projection.analytics",
    "SHOCKS": "model.engines.projection.analytics",
    "first_breaches": "model.engines.capital.analytics",
    "compare_capital_scenarios": "model.engines.capital.analytics",
    "capital_sensitivity": "model.engines.capital.analytics",
    "capital_breakeven": "model.engines.capital.analytics",
    "capital_breach_probability": "model.engines.capital.analytics",
    # reports
    "usd": "model.reports",
    "dollars": "model.reports",
    "ratio": "model.reports",
    "money_table": "model.reports",
    "format_compliance_table": "model.reports",
    "format_comparison_table": "model.reports",
    "describe_version_change": "model.reports",
    "describe_interest_basis": "model.reports",
    "render_certificate": "model.reports",
    "write_certificate": "model.reports",
    "certificate_exceptions": "model.reports",
    "certificate_inputs": "model.reports",
    "interest_expense_chart": "model.reports",
    "liquidity_chart": "model.reports",
    "borrowing_base_chart": "model.reports",
    "plot_covenant_history": "model.reports",
    "covenant_headroom_chart": "model.reports.charts",
    "projection_liquidity_chart": "model.reports.charts",
    "projection_revolver_chart": "model.reports.charts",
    "projection_headroom_chart": "model.reports.charts",
    "sensitivity_heatmap": "model.reports.charts",
    "breach_probability_chart": "model.reports.charts",
    "Report": "model.reports.report",
    "projection_report": "model.reports.projection",
    "WhatIfPanel": "model.reports.whatif",
    "scenarios_report": "model.reports.scenarios",
    "accrual_report": "model.reports.accrual",
    "sizing_report": "model.reports.sizing",
    "compliance_report": "model.reports.compliance",
    "LedgerNote": "model.engines.covenants.quarter_study",
    "study_quarter": "model.engines.covenants.quarter_study",
    "study_quarters": "model.engines.covenants.quarter_study",
    "QuarterPack": "model.engines.covenants.quarter_study",
    "QuarterStudy": "model.engines.covenants.quarter_study",
    "CertificateSigning": "model.reports.compliance",
    "PathSettings": "model.engines.projection.study",
    "compare_scenarios": "model.engines.projection.study",
    "study_projection": "model.engines.projection.study",
    "ProjectionStudy": "model.engines.projection.study",
    "ScenariosStudy": "model.engines.projection.study",
    "capital_report": "model.reports.capital",
    "capital_figures": "model.reports.capital",
    "capital_covenant_chart": "model.reports.capital",
    "capital_debt_chart": "model.reports.capital",
    "capital_scenarios_report": "model.reports.capital_scenarios",
    "capital_scenarios_figures": "model.reports.capital_scenarios",
    "write_key_figures": "model.reports",
    "written": "model.reports",
    "table": "model.reports.tables",
    "quarter_key_figures": "model.reports.timeline",
    "timeline_table": "model.reports.timeline",
    "timeline_covenant_table": "model.reports.timeline",
    "forecast_vs_actual_table": "model.reports.timeline",
    "ebitda_bridge": "model.reports.timeline",
    "Table": "model.reports.tables",
    "headline": "model.reports.tables",
    "banner": "model.reports.tables",
    "details": "model.reports.tables",
    "Html": "model.reports.tables",
    "cell": "model.reports.tables",
    "status_chip": "model.reports.tables",
    "STATUS_COLOURS": "model.reports.tables",
    "inputs_used": "model.reports.inputs",
    "write_workbook": "model.reports.excel",
    "ScheduleTest": "model.reports.excel",
    # run
    "run_batch": "model.run",
}
"""Public name -> the module that defines it."""

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'model' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
