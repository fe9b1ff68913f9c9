"""A block of scenarios as arrays: the drivers of many scenarios side by side.

:class:`ScenarioBlock` holds, for ``n`` scenarios that share a deal, an opening date, a
horizon, a base rate path and a revolver policy, every driver as an array ``[scenario,
quarter]`` and every opening figure as an array ``[scenario]``. The engine
(:func:`model.engines.projection.project`) runs on blocks; the analytics build blocks by
shocking one scenario's drivers (:meth:`ScenarioBlock.shocked`), many at once.

Money is in dollars (float64 holding whole cents), shares and rates as fractions, days as
days. Arrays are read-only: a block is a value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from model.engines.projection.reported import reported_defaults
from model.errors import InputError
from model.terms.actuals import Actuals
from model.terms.facility import Facility
from model.terms.scenarios import DRIVERS, ENFORCE, LenderResponse, Scenario

__all__ = ["ScenarioBlock", "OPENING"]

Array = NDArray[np.float64]

OPENING = (
    "cash",
    "receivables_domestic",
    "receivables_foreign",
    "eligible_domestic",
    "eligible_foreign",
    "revolver_outstanding",
    "other_debt",
    "payables",
    "deferred_revenue",
    "other_current_liabilities",
    "repurchases_to_date",
)
"""The opening figures of a scenario (dollars at the end of the opening date)."""


def _frozen(a: Any) -> Array:
    out = np.array(a, dtype=np.float64)
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class ScenarioBlock:
    """Scenarios side by side (see the module docstring).

    Attributes
    ----------
    names : tuple of str
        One name per scenario.
    facility : Facility
        The deal every scenario projects.
    opening_date : date
        A fiscal quarter end; the projection starts the next day.
    quarter_ends : tuple of date
        The horizon.
    base_rate : DataFrame
        ``date``, ``rate``: the base rate path (a step path, shared).
    maturity, after_maturity :
        The revolver's maturity and what happens after it (``repay`` or ``renew``).
    drivers : mapping name -> array [scenario, quarter]
    opening : mapping name -> array [scenario]
    history : Actuals, optional
        Quarters before the horizon, for covenants measured over trailing quarters.
    lender : LenderResponse
        What the bank does when a covenant fails (``enforce`` or ``waive``).
    known_through : date, optional
        The last quarter end the forecast knows as reported: the last the deal's actuals
        report, or the forecast's as-of date (its opening) if earlier. The analytics shock
        only the quarters after it.
    reported_defaults : tuple of date
        The days on which reported quarters known at the opening became Events of Default
        (:func:`~model.engines.projection.reported.reported_defaults`): the projection
        inherits them.
    """

    names: tuple[str, ...]
    facility: Facility
    opening_date: dt.date
    quarter_ends: tuple[dt.date, ...]
    base_rate: pd.DataFrame
    maturity: dt.date
    after_maturity: str
    drivers: Mapping[str, Array]
    opening: Mapping[str, Array]
    history: Actuals | None = None
    lender: LenderResponse = ENFORCE
    known_through: dt.date | None = None
    reported_defaults: tuple[dt.date, ...] = ()
    scenarios: tuple[Scenario, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        n, q = len(self.names), len(self.quarter_ends)
        for name, a in self.drivers.items():
            if a.shape != (n, q):
                raise InputError(
                    f"has shape {a.shape}; a block of {n} scenarios over {q} quarters needs ({n}, {q})",
                    key=f"drivers[{name}]",
                )
            if not np.isfinite(a).all():
                raise InputError(
                    "holds a value that is not finite (NaN or infinity)", key=f"drivers[{name}]"
                )
        for name, a in self.opening.items():
            if a.shape != (n,):
                raise InputError(f"has shape {a.shape}; needs ({n},)", key=f"opening[{name}]")
            if not np.isfinite(a).all():
                raise InputError("holds a value that is not finite", key=f"opening[{name}]")
        missing = [
            k for k in (*DRIVERS, "ebitda") if k not in self.drivers and k != "ebitda_margin"
        ]
        if missing:
            raise InputError(f"missing driver(s): {', '.join(missing)}", key="drivers")

    @property
    def size(self) -> int:
        """The number of scenarios."""
        return len(self.names)

    @classmethod
    def from_scenarios(cls, scenarios: Sequence[Scenario] | Scenario) -> ScenarioBlock:
        """A block from loaded scenarios (``load("params/deals/ibasis/scenarios/x.yaml")``); they must
        share the deal, the opening date, the horizon, the base rate path and the policy."""
        items = [scenarios] if isinstance(scenarios, Scenario) else list(scenarios)
        if not items or not all(isinstance(s, Scenario) for s in items):
            raise InputError(
                "give one or more scenarios loaded from params/deals/ibasis/scenarios/*.yaml",
                key="scenarios",
            )
        first = items[0]
        for s in items[1:]:
            _check_same(first, s)
        drivers = {
            k: _frozen([[float(x) for x in s.paths[k]] for s in items])
            for k in first.paths
            if k != "ebitda_margin"
        }
        opening = {k: _frozen([float(s.terms.opening.amount(k)) for s in items]) for k in OPENING}
        return cls(
            names=tuple(s.name for s in items),
            facility=first.facility,
            opening_date=first.terms.opening.date.value,
            quarter_ends=first.quarter_ends,
            base_rate=first.base_rate,
            maturity=first.terms.revolver.maturity.value,
            after_maturity=first.terms.revolver.after_maturity.value,
            drivers=drivers,
            opening=opening,
            history=first.history,
            lender=first.terms.lender,
            known_through=None
            if first.reported is None
            else min(first.reported.last_quarter, first.terms.opening.date.value),
            reported_defaults=reported_defaults(first),
            scenarios=tuple(items),
        )

    def take(self, index: Sequence[int] | slice) -> ScenarioBlock:
        """The scenarios at ``index`` (a slice or positions), as a block."""
        idx = np.arange(self.size)[index]
        return replace(
            self,
            names=tuple(self.names[i] for i in idx),
            drivers={k: _frozen(v[idx]) for k, v in self.drivers.items()},
            opening={k: _frozen(v[idx]) for k, v in self.opening.items()},
            scenarios=(),
        )

    def repeat(self, n: int, names: Sequence[str] | None = None) -> ScenarioBlock:
        """A block of ``n`` copies of a one-scenario block (to shock them differently)."""
        if self.size != 1:
            raise InputError(f"repeat needs a block of one scenario, not {self.size}", key="block")
        if n < 1:
            raise InputError(f"must be at least 1 (got {n})", key="n")
        labels = (
            tuple(names) if names is not None else tuple(f"{self.names[0]}#{i}" for i in range(n))
        )
        if len(labels) != n:
            raise InputError(f"{len(labels)} names for {n} scenarios", key="names")
        return replace(
            self,
            names=labels,
            drivers={k: _frozen(np.repeat(v, n, axis=0)) for k, v in self.drivers.items()},
            opening={k: _frozen(np.repeat(v, n)) for k, v in self.opening.items()},
            scenarios=(),
        )

    def unknown(self) -> NDArray[np.bool_]:
        """[quarter]: the quarters after the last reported one (all, without actuals)."""
        if self.known_through is None:
            return np.ones(len(self.quarter_ends), dtype=bool)
        return np.array([q > self.known_through for q in self.quarter_ends], dtype=bool)

    def shocked(
        self,
        *,
        scale: Mapping[str, Any] | None = None,
        add: Mapping[str, Any] | None = None,
        replace_with: Mapping[str, Any] | None = None,
        names: Sequence[str] | None = None,
    ) -> ScenarioBlock:
        """A copy with drivers multiplied (``scale``), shifted (``add``) or replaced.

        Each value is a number, an array [scenario] (one shock per scenario, the same in
        every quarter) or an array [scenario, quarter]. Money drivers are rounded to the
        cent, and every driver is checked against its bounds (:data:`DRIVERS`).

        >>> from model.terms import load
        >>> b = ScenarioBlock.from_scenarios(load("params/deals/ibasis/scenarios/base.yaml")).repeat(2)
        >>> s = b.shocked(scale={"revenue": [1.0, 0.85]}, add={"dso_domestic": [0, 10]})
        >>> float(s.drivers["revenue"][1, 0]), float(s.drivers["dso_domestic"][1, 0])
        (205105000.0, 59.0)
        """
        out = {k: np.array(v) for k, v in self.drivers.items()}
        shape = (self.size, len(self.quarter_ends))
        for op, given in (("scale", scale), ("add", add), ("replace", replace_with)):
            for k, v in (given or {}).items():
                if k not in out:
                    raise InputError(f"unknown driver {k!r}; drivers: {', '.join(out)}", key=op)
                a = np.asarray(v, dtype=np.float64)
                a = a[:, None] if a.ndim == 1 else a
                a = np.broadcast_to(a, shape)
                out[k] = out[k] * a if op == "scale" else (out[k] + a if op == "add" else a.copy())
        for k, a in out.items():
            spec = DRIVERS.get(k)
            if spec is not None:
                out[k] = _rounded(a, _PLACES[spec.unit])
            _check_bounds(k, out[k])
        labels = self.names if names is None else tuple(names)
        if len(labels) != self.size:
            raise InputError(f"{len(labels)} names for {self.size} scenarios", key="names")
        return replace(
            self, names=labels, drivers={k: _frozen(v) for k, v in out.items()}, scenarios=()
        )


_PLACES = {"usd": 100.0, "usd_balance": 100.0, "days": 100.0, "fraction": 1e6, "rate": 1e6}
"""How finely a shocked driver is kept: cents, hundredths of a day, millionths."""


def _rounded(a: Array, scale: float) -> Array:
    """Half up (away from zero) to 1 / ``scale``."""
    return np.sign(a) * np.floor(np.abs(a) * scale + 0.5) / scale


def _check_bounds(name: str, a: Array) -> None:
    spec = DRIVERS.get(name)
    if spec is None:
        return
    if not np.isfinite(a).all():
        raise InputError("a shock made a value that is not finite", key=f"drivers[{name}]")
    low, high = float(spec.low), float(spec.high)
    bad = (a < low) | (a > high)
    if bad.any():
        s, q = np.argwhere(bad)[0]
        raise InputError(
            f"{a[s, q]} (scenario {s}, quarter {q}) is outside {spec.low} to {spec.high} "
            f"({spec.unit}: {spec.means})",
            key=f"drivers[{name}]",
        )


def _check_same(a: Scenario, b: Scenario) -> None:
    checks = [
        ("facility_file", a.facility is b.facility or a.facility.file == b.facility.file),
        ("opening.date", a.terms.opening.date.value == b.terms.opening.date.value),
        ("horizon_quarters", a.quarter_ends == b.quarter_ends),
        ("base_rate_file", a.base_rate.equals(b.base_rate)),
        ("revolver", a.terms.revolver == b.terms.revolver),
        ("history_file", a.terms.history_file == b.terms.history_file),
        ("lender", a.terms.lender == b.terms.lender),
        ("reported", a.terms.reported == b.terms.reported),
    ]
    for key, same in checks:
        if not same:
            raise InputError(
                f"scenario {b.name!r} differs from {a.name!r} in {key}: scenarios projected "
                "together share the deal, the opening date, the horizon, the base rate path, "
                "the revolver policy, the history and the lender's response; project them separately",
                key=key,
            )


def money_cents(a: Array) -> NDArray[np.int64]:
    """Dollars (floats holding whole cents) as integer cents."""
    return np.rint(np.asarray(a, dtype=np.float64) * 100.0).astype(np.int64)


def as_decimal(cents: int) -> Decimal:
    """Integer cents as exact dollars."""
    return Decimal(int(cents)).scaleb(-2)
