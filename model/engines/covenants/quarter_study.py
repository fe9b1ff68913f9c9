"""One fiscal quarter tested as its Compliance Certificate would be: everything notebook 03
reports, and what a certificate for any reported quarter needs.

:func:`study_quarter` evaluates the covenants of the quarter under the terms in force when
its certificate is due (or a chosen version), builds the certificate's schedule, tests every
quarter of a history window, and sets the quarter (and an acceptance case) under each
version of the terms side by side. It returns a :class:`QuarterStudy`; the report formats
it. :class:`LedgerNote` says what the daily ledger behind the springing test is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from model.dates.periods import quarter_ends_between, read_quarter_end
from model.engines.covenants.evaluate import (
    MetricBuildUp,
    compare_versions,
    evaluate_covenants,
    evaluate_history,
    schedule_1,
)
from model.engines.covenants.reporting import governing_due_date
from model.errors import InputError
from model.terms.actuals import QuarterNotInActualsError
from model.terms.facility import Facility

__all__ = ["LedgerNote", "QuarterStudy", "QuarterPack", "study_quarter", "study_quarters"]


@dataclass(frozen=True)
class LedgerNote:
    """What the daily ledger behind the springing test is: its first and last day, and
    whether its inputs are the Bank's data (``actual``) or ``illustrative``.

    >>> LedgerNote("2008-04-28", "2009-06-30", "illustrative").source
    'illustrative: daily ledger of cash at the Bank plus Availability, 2008-04-28 to 2009-06-30'
    """

    start: str
    end: str
    provenance: str

    @property
    def source(self) -> str:
        """The liquidity's source, as the covenant results and the key figures record it."""
        return (
            f"{self.provenance}: daily ledger of cash at the Bank plus Availability, "
            f"{self.start} to {self.end}"
        )

    @property
    def description(self) -> str:
        """The liquidity in words, for the certificate."""
        return (
            f"the daily cash at the Bank plus the Availability Amount from {self.start} to "
            f"{self.end}, worked out from {self.provenance} receivables, cash and advances"
        )


@dataclass(frozen=True)
class QuarterStudy:
    """What :func:`study_quarter` found (see the module docstring)."""

    facility: Facility
    actuals: Any
    quarter: dt.date
    version: str | None
    due_date: dt.date
    results: pd.DataFrame
    schedule: dict[str, MetricBuildUp]
    history_quarters: list[dt.date]
    history: pd.DataFrame
    side: pd.DataFrame
    acceptance_quarter: dt.date
    acceptance_covenant: str
    acceptance: pd.DataFrame
    ledger: pd.DataFrame | None
    ledger_note: LedgerNote | None
    cushion: Any
    springing_reading: str
    evaluation: dict[str, Any] = field(default_factory=dict)


def study_quarter(
    facility: Facility,
    actuals: Any,
    quarter: Any,
    *,
    version: str | None = None,
    ledger: pd.DataFrame | None = None,
    ledger_note: LedgerNote | None = None,
    cushion: Any = 0.10,
    springing_reading: str = "any_day",
    thresholds: Mapping[str, Any] | None = None,
    history: tuple[Any, Any] | None = None,
    acceptance: tuple[Any, str] | None = None,
) -> QuarterStudy:
    """The quarter ended ``quarter`` (see the module docstring).

    ``version``: the terms to apply (None: those in force when the certificate is due);
    ``ledger``: the daily ledger for the springing test, described by ``ledger_note``;
    ``history``: the first and last quarter end of the history (default: the quarter
    alone); ``acceptance``: a quarter and a covenant to show under each version (default:
    this quarter and its first covenant)."""
    q = read_quarter_end(quarter, "quarter")
    due_date, _ = governing_due_date(facility, q)
    evaluation: dict[str, Any] = dict(
        liquidity=ledger,
        cushion=cushion,
        springing_reading=springing_reading,
        thresholds=thresholds,
    )
    if ledger_note is not None:
        evaluation.update(
            liquidity_source=ledger_note.source, liquidity_kind=ledger_note.provenance
        )
    results = evaluate_covenants(facility, q, actuals, version=version, **evaluation)
    quarters = quarter_ends_between(*history) if history is not None else [q]
    if acceptance is None:
        acceptance = (q, str(results.index[0]))
    aq = read_quarter_end(acceptance[0], "acceptance_quarter")
    return QuarterStudy(
        facility=facility,
        actuals=actuals,
        quarter=q,
        version=version,
        due_date=due_date,
        results=results,
        schedule=schedule_1(facility, actuals, q, version=version),
        history_quarters=list(quarters),
        history=evaluate_history(facility, quarters, actuals, **evaluation),
        side=compare_versions(facility, q, actuals, **evaluation),
        acceptance_quarter=aq,
        acceptance_covenant=acceptance[1],
        acceptance=compare_versions(facility, aq, actuals),
        ledger=ledger,
        ledger_note=ledger_note,
        cushion=cushion,
        springing_reading=springing_reading,
        evaluation=evaluation,
    )


@dataclass(frozen=True)
class QuarterPack:
    """Every quarter of a list studied (:func:`study_quarters`): ``studies`` in order, and
    the quarters that cannot be certified with the reason (a measurement period reaching
    back before the first quarter the actuals report)."""

    studies: tuple[QuarterStudy, ...]
    not_certified: dict[dt.date, str]


def study_quarters(
    facility: Facility, actuals: Any, quarters: Sequence[Any] | None = None, **settings: Any
) -> QuarterPack:
    """:func:`study_quarter` for each of ``quarters`` (default: every quarter the actuals
    report), each with the same ``settings``. A quarter whose covenants need quarters the
    actuals do not report is listed in :attr:`QuarterPack.not_certified` with the reason,
    never certified on a partial period.

    >>> from model import load
    >>> f = load("params/deals/northwind/facility.yaml", kind="facility")
    >>> a = load("params/deals/northwind/actuals.csv", kind="actuals")
    >>> pack = study_quarters(f, a, springing_reading="quarter_end")
    >>> [s.quarter.isoformat() for s in pack.studies], len(pack.not_certified)
    (['2019-12-31'], 3)
    """
    studies, skipped = [], {}
    for q in actuals.quarter_ends if quarters is None else quarters:
        try:
            studies.append(study_quarter(facility, actuals, q, **settings))
        except QuarterNotInActualsError as e:  # a trailing period reaching before the actuals
            skipped[read_quarter_end(q, "quarter")] = str(e)
        except InputError as e:  # e.g. a quarter before the agreement: no terms in force
            if e.key == "as_of" or "no terms in force" in str(e):
                skipped[read_quarter_end(q, "quarter")] = f"no terms in force for it ({e})"
            else:
                raise
    return QuarterPack(tuple(studies), skipped)
