"""The terms layer: what the documents say, read from ``params/`` and validated once.

Terms are frozen data; they do not calculate. Engines (:mod:`model.engines`) take them
as inputs. Every number carries its provenance: the document and section it comes from
(``source``) or the reason it is an assumption (``assumption``);
:func:`model.terms.provenance.provenance` lists them.
"""

from model.terms.actuals import (
    Actuals,
    MissingLineItemError,
    QuarterActuals,
    QuarterNotInActualsError,
)
from model.terms.capital import Capitalization
from model.terms.compliance import ComplianceTerms, Metric, MetricLine, ReportingRequirement
from model.terms.covenants import Condition, Covenant, ThresholdStep
from model.terms.facility import Facility, FacilityTerms, StepSchedule
from model.terms.inputs import SCHEMAS, read_dated_csv
from model.terms.load import load
from model.terms.notes import Exchange, NoteFile, NoteTerms
from model.terms.provenance import assumptions, count_terms, provenance

__all__ = [
    "Actuals",
    "MissingLineItemError",
    "QuarterActuals",
    "QuarterNotInActualsError",
    "Capitalization",
    "ComplianceTerms",
    "Metric",
    "MetricLine",
    "ReportingRequirement",
    "Condition",
    "Covenant",
    "ThresholdStep",
    "Facility",
    "FacilityTerms",
    "StepSchedule",
    "SCHEMAS",
    "read_dated_csv",
    "load",
    "Exchange",
    "NoteFile",
    "NoteTerms",
    "assumptions",
    "count_terms",
    "provenance",
]
