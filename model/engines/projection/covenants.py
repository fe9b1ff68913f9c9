"""Covenants on projected figures, for every scenario at once.

The deal's covenant terms decide everything that does not depend on the scenario, once a
quarter, with the covenant engine's own functions: which version governs the quarter
(:func:`~model.engines.covenants.evaluate.resolve_terms`), the required level and where it
came from (documented, carried from the version in force at the quarter end), the springing
condition. The metric is built from the projected line items with the build-up of the
deal's compliance file, as arrays (:func:`metric_arrays`), and the outcome follows the
rules of :func:`~model.engines.covenants.evaluate.evaluate_covenants`: ``min`` complies
when actual >= required, ``max`` when actual <= required, amber inside the cushion, not
required when a springing condition does not hold, ``threshold_not_provided`` and
``no_threshold`` where the documents give no level. A ratio whose denominator is zero or
negative is ``undefined`` (the scalar engine raises instead).

The any-day springing test reads the projection's liquidity on every day of the quarter:
the condition ``liquidity < amount`` holds when the quarter's minimum is below the amount.

Tested against :func:`~model.engines.covenants.evaluate.evaluate_covenants` on the same
projected line items and daily liquidity (oracle (c) of the projection).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

from model.dates.periods import measurement_window
from model.engines.covenants.evaluate import carried_terms, required_level, terms_for
from model.engines.covenants.springing import COMPARE
from model.errors import InputError
from model.terms.actuals import Actuals
from model.terms.compliance import ComplianceTerms, Metric
from model.terms.covenants import Covenant
from model.terms.facility import Facility

__all__ = ["metric_arrays", "QuarterCovenants", "covenant_arrays"]

F64 = NDArray[np.float64]


def metric_arrays(metric: Metric, items: Mapping[str, F64]) -> F64:
    """A metric's value for every scenario: the lines of its build-up on arrays.

    ``items`` are in cents (floats holding whole cents), so sums and differences are exact;
    each line keeps the power of 100 it is scaled by (a product of two amounts is scaled
    twice, a ratio of two amounts not at all) and the value is returned in dollars. Ratios
    are rounded half up (away from zero) to the metric's ``ratio_places``; a ratio whose
    denominator is zero or negative is NaN.
    """
    done: dict[str, tuple[F64, int]] = {}
    for ln in metric.lines:
        if ln.input is not None:
            if ln.input not in items:
                raise InputError(
                    f"{metric.title}: line {ln.line} needs line item {ln.input!r}, which the "
                    "projection does not give (add it to the compliance file's projection)",
                    key="projection",
                )
            done[ln.line] = (np.asarray(items[ln.input], dtype=np.float64), 1)
            continue
        op = ln.operation
        if op == "constant":
            shape = next(iter(items.values())).shape if items else (1,)
            done[ln.line] = (np.full(shape, float(ln.constant or 0)), 0)
            continue
        v = [done[x][0] for x in ln.operands]
        scales = [done[x][1] for x in ln.operands]
        if op in ("minimum", "maximum"):
            if len(set(scales)) != 1:
                v = [x / 100.0**k for x, k in zip(v, scales, strict=True)]
                scales = [0]
            pick = np.minimum if op == "minimum" else np.maximum
            done[ln.line] = (pick.reduce(v), scales[0])
        elif op in ("sum", "difference"):
            if len(set(scales)) != 1:
                v = [x / 100.0**k for x, k in zip(v, scales, strict=True)]
                scales = [0]
            total = np.sum(v, axis=0) if op == "sum" else v[0] - np.sum(v[1:], axis=0)
            done[ln.line] = (total, scales[0])
        elif op == "product":
            done[ln.line] = (np.prod(v, axis=0), sum(scales))
        else:
            num, den = v
            with np.errstate(divide="ignore", invalid="ignore"):
                r = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
            r = r / 100.0 ** (scales[0] - scales[1])
            places = 10.0**metric.ratio_places
            # snapped to 1e-9 of the last place before rounding half up, so that a ratio
            # whose exact value is a tie (5,220,000 / 2,400,000 = 2.175) rounds as the
            # Decimal build-up does (float division gives 2.17499999...)
            scaled = np.round(np.abs(r) * places, 9)
            done[ln.line] = (np.sign(r) * np.floor(scaled + 0.5) / places, 0)
    value, scale = done[metric.lines[-1].line]
    return value / 100.0**scale


@dataclass(frozen=True)
class QuarterCovenants:
    """One covenant in one quarter, for every scenario."""

    covenant: Covenant
    quarter_end: dt.date
    unit: str
    version: str
    threshold_kind: str
    required: Decimal | None
    actual: F64
    applies: NDArray[np.bool_]
    complies: NDArray[np.bool_]  # False where not applicable: read status_code
    headroom: F64
    headroom_pct: F64
    status_code: NDArray[np.str_]


def _window_items(
    comp: ComplianceTerms,
    period: str,
    q: dt.date,
    quarters: tuple[dt.date, ...],
    items: Mapping[str, F64],
    history: Actuals | None,
) -> dict[str, F64]:
    """Line items over the measurement period: flows summed over the window (from the
    history for quarters before the horizon), balances at the quarter end."""
    window = measurement_window(q, period, comp.fiscal_year_end_month.value)
    qi = quarters.index(q)
    out: dict[str, F64] = {}
    for item, li in comp.line_items.items():
        if item not in items:
            continue
        if li.measure == "balance" or len(window) == 1:
            out[item] = items[item][:, qi]
            continue
        total = np.zeros(items[item].shape[0])
        for w in window:
            if w in quarters:
                total = total + items[item][:, quarters.index(w)]
            elif history is not None:
                total = total + float(history.quarter(w)[item] * 100)
            else:
                raise InputError(
                    f"the covenant measured over the {period.replace('_', ' ')} ending {q} needs "
                    f"quarter {w}, before the projection: give the scenario a history_file",
                    key="history_file",
                )
        out[item] = total
    return out


def _outcome(
    cov: Covenant,
    required: Decimal | None,
    kind: str,
    actual: F64,
    applies: NDArray[np.bool_],
    cushion: float,
) -> tuple[NDArray[np.bool_], F64, F64, NDArray[np.str_]]:
    n = actual.shape[0]
    if kind == "none":
        return np.zeros(n, bool), np.full(n, np.nan), np.full(n, np.nan), np.full(n, "no_threshold")
    if required is None:
        return (
            np.zeros(n, bool),
            np.full(n, np.nan),
            np.full(n, np.nan),
            np.full(n, "threshold_not_provided"),
        )
    req = float(required)
    headroom = actual - req if cov.direction == "min" else req - actual
    pct = headroom / abs(req) if req != 0 else np.full(n, np.nan)
    ok = headroom >= 0
    amber = ok & (req != 0) & (pct < cushion)
    code = np.where(ok, np.where(amber, "amber", "complies"), "breach")
    code = np.where(applies, code, "not_required")
    code = np.where(np.isnan(actual), "undefined", code)
    return applies & ok & ~np.isnan(actual), headroom, pct, code


def covenant_arrays(
    facility: Facility,
    quarters: tuple[dt.date, ...],
    items: Mapping[str, F64],
    liquidity_low: F64,
    liquidity_high: F64,
    history: Actuals | None = None,
    cushion: float = 0.10,
) -> list[QuarterCovenants]:
    """Every covenant in every quarter of the horizon (see the module docstring).

    ``items`` maps each line item to an array [scenario, quarter] (cents);
    ``liquidity_low`` / ``liquidity_high`` are the lowest / highest liquidity of each
    quarter [scenario, quarter], for the any-day springing test.
    """
    out = []
    for qi, q in enumerate(quarters):
        terms, _basis = terms_for(facility, q)
        carried = carried_terms(facility, q, None, terms)
        comp = terms.compliance
        for cov in terms.covenants:
            metric = comp.metric(cov.metric)
            level = required_level(cov, metric.unit, q, terms.version_name, carried, {}, {})
            window = _window_items(comp, cov.measurement_period, q, quarters, items, history)
            actual = metric_arrays(metric, window)
            applies = np.ones(actual.shape[0], dtype=bool)
            if cov.springing is not None:
                sp = cov.springing
                if sp.metric != "liquidity":
                    raise InputError(
                        f"covenant {cov.id!r} springs on {sp.metric!r}: the projection reads "
                        "springing conditions on liquidity only",
                        key="springing",
                    )
                reading = liquidity_low if sp.comparison in ("<", "<=") else liquidity_high
                applies = np.asarray(
                    COMPARE[sp.comparison](reading[:, qi], float(sp.amount)), dtype=bool
                )
            if level.kind == "none":
                applies = np.zeros_like(applies)
            complies, headroom, pct, code = _outcome(
                cov, level.required, level.kind, actual, applies, cushion
            )
            out.append(
                QuarterCovenants(
                    cov,
                    q,
                    metric.unit,
                    terms.version_name,
                    level.kind,
                    level.required,
                    actual,
                    applies,
                    complies,
                    headroom,
                    pct,
                    code,
                )
            )
    return out
