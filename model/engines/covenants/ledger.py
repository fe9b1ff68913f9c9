"""The facility ledger by quarter, with the springing covenant's test for each quarter.

:func:`model.engines.facility.summary.quarter_summary` summarises the daily ledger by
fiscal quarter; :func:`ledger_by_quarter` adds, given the terms, whether the covenant that
springs on liquidity applies in each quarter. The flag is the covenant engine's, not
recomputed: the version is :func:`~model.engines.covenants.evaluate.resolve_terms`'s (in
force when the quarter's certificate is due; ``cash_flow_version``,
``cash_flow_threshold``), and ``cash_flow_covenant_springs`` / ``cash_flow_reason`` are
:func:`~model.engines.covenants.springing.springing_applies` with the ``any_day``
reading on the ledger's daily liquidity (days the ledger does not cover taken as below,
stricter; the reason says so). ``days_below_cash_flow_threshold`` counts the covered
days on which the condition held.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from model.engines.covenants.evaluate import resolve_terms
from model.engines.covenants.springing import COMPARE, springing_applies
from model.engines.facility.ledger import ledger_days
from model.engines.facility.summary import quarter_summary
from model.engines.facility.triggers import springing_covenant
from model.terms.facility import Facility, FacilityTerms
from model.values import read_amount

__all__ = ["ledger_by_quarter"]


def _springing_columns(
    ledger_part: pd.DataFrame, terms: Facility | FacilityTerms, qe: Any
) -> dict[str, Any]:
    version, _basis = resolve_terms(terms, qe)
    cov = springing_covenant(version)
    if cov is None or cov.springing is None:
        return {
            "cash_flow_version": version.version_name,
            "cash_flow_threshold": None,
            "days_below_cash_flow_threshold": 0,
            "cash_flow_covenant_springs": False,
            "cash_flow_reason": f"no springing liquidity test in version {version.version_name!r}",
        }
    cond = cov.springing
    sp = springing_applies(cond, qe, ledger_part["liquidity"], "any_day")
    below = sum(
        COMPARE[cond.comparison](read_amount(v, f"liquidity on {d}"), cond.amount)
        for d, v in ledger_part["liquidity"].items()
    )
    return {
        "cash_flow_version": version.version_name,
        "cash_flow_threshold": cond.amount,
        "days_below_cash_flow_threshold": below,
        "cash_flow_covenant_springs": sp.applies,
        "cash_flow_reason": sp.reason,
    }


def ledger_by_quarter(
    ledger: pd.DataFrame, terms: Facility | FacilityTerms | None = None
) -> pd.DataFrame:
    """The quarter summary of a daily ledger and, given ``terms``, the springing test.

    Parameters
    ----------
    ledger : DataFrame
        From :func:`model.engines.facility.ledger.facility_ledger`.
    terms : Facility or FacilityTerms, optional
        Needed for the ``cash_flow_*`` columns; without it they are left out.
    """
    summary = quarter_summary(ledger)
    if terms is None:
        return summary
    extra = {}
    for period, part in ledger.groupby(ledger_days(ledger).to_period("Q")):
        qe = period.end_time.date()
        extra[qe.isoformat()] = _springing_columns(part, terms, qe)
    return summary.join(pd.DataFrame.from_dict(extra, orient="index"))
