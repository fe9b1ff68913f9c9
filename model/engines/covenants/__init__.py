"""Covenant engines: metric build-ups from the deal's schedule, springing tests,
compliance by quarter and across versions, the reporting calendar and the stock
repurchase test."""

from model.engines.covenants.evaluate import (
    OVERRIDE_PREFIX,
    RESULT_COLUMNS,
    STATUS,
    THRESHOLD_KINDS,
    compare_versions,
    evaluate_covenants,
    evaluate_history,
    resolve_terms,
    schedule_1,
)
from model.engines.covenants.ledger import ledger_by_quarter
from model.engines.covenants.metrics import MetricBuildUp, ScheduleLine, build_metric, period_items
from model.engines.covenants.reporting import (
    certificate_due_date,
    governing_due_date,
    reporting_compliance,
    reporting_due_dates,
    reporting_summary,
)
from model.engines.covenants.repurchase import RepurchaseDecision, repurchase_permitted
from model.engines.covenants.springing import READINGS, Springing, springing_applies

__all__ = [
    "OVERRIDE_PREFIX",
    "RESULT_COLUMNS",
    "STATUS",
    "THRESHOLD_KINDS",
    "compare_versions",
    "evaluate_covenants",
    "evaluate_history",
    "resolve_terms",
    "schedule_1",
    "ledger_by_quarter",
    "MetricBuildUp",
    "ScheduleLine",
    "build_metric",
    "period_items",
    "certificate_due_date",
    "governing_due_date",
    "reporting_compliance",
    "reporting_due_dates",
    "reporting_summary",
    "RepurchaseDecision",
    "repurchase_permitted",
    "READINGS",
    "Springing",
    "springing_applies",
]
