"""A projection scenario for a capital structure (``kind: capital_scenario``).

The scenario names its deal's capital structure, opens at a quarter end with cash and each
instrument's balance, and gives per quarter the operating drivers the structure needs
(:data:`CAPITAL_DRIVERS`, in the same pieces as every scenario: ``value``, ``per_quarter``
or ``growth``), the rate path of each index the instruments use (a ``date,rate`` file:
market data, so an assumption or public data), a parallel shift, and the borrower's
elections (:class:`CapitalPolicy`: apply an equity cure when a covenant fails, pay a PIK
toggle in cash or in kind).

Quarters before the opening that a trailing covenant needs come from ``history_file`` (the
deal's actuals, with the same line items as its compliance file).
"""

from __future__ import annotations

import datetime as dt
import difflib
from decimal import Decimal
from typing import Any, Literal

import pandas as pd
from pydantic import field_validator

from model.dates.periods import is_quarter_end, next_quarter_end
from model.errors import InputError
from model.terms.actuals import Actuals
from model.terms.fields import Frozen, Money, Name, SignedMoney, Sourced, Whole
from model.terms.files import ParamsFile, validate
from model.terms.notes import LoadReference
from model.terms.scenarios import DriverSpec, Piece, ScenarioTerms, _expand, _spec
from model.terms.structure import CapitalStructure, FixedNote, PikNote, Revolver, TermLoan

__all__ = [
    "CAPITAL_DRIVERS",
    "CapitalPolicy",
    "CapitalOpening",
    "CapitalScenarioTerms",
    "CapitalScenario",
    "build_capital_scenario",
]

_BIG = Decimal(10) ** 12
CAPITAL_DRIVERS: dict[str, DriverSpec] = {
    "ebitda": _spec("usd", -_BIG, _BIG, "EBITDA before the add-backs below, for the quarter"),
    "depreciation": _spec(
        "usd", 0, _BIG, "depreciation and amortization expense (non-cash)", required=False
    ),
    "addbacks": _spec(
        "usd", 0, _BIG, "add-backs (restructuring, synergies) before any cap", required=False
    ),
    "capex": _spec("usd", 0, _BIG, "capital expenditures paid in cash"),
    "cash_taxes": _spec("usd", 0, _BIG, "income taxes paid in cash"),
    "working_capital_change": _spec(
        "usd", -_BIG, _BIG, "increase in working capital (uses cash when positive)"
    ),
    "asset_sale_proceeds": _spec(
        "usd", 0, _BIG, "net proceeds of asset sales received in the quarter", required=False
    ),
    "eligible_receivables": _spec(
        "usd_balance",
        0,
        _BIG,
        "eligible receivables at the quarter end (borrowing base)",
        required=False,
    ),
    "letters_of_credit": _spec(
        "usd_balance", 0, _BIG, "letters of credit outstanding in the quarter", required=False
    ),
    "voluntary_prepayments": _spec(
        "usd",
        0,
        _BIG,
        "voluntary prepayment at the quarter end (to policy.voluntary_prepayments_to, "
        "default the first term loan)",
        required=False,
    ),
    "restricted_payments": _spec(
        "usd", 0, _BIG, "dividends and share repurchases paid at the quarter end", required=False
    ),
}
"""Driver name -> its unit, bounds and meaning."""

_DEFAULTS = (
    "depreciation",
    "addbacks",
    "asset_sale_proceeds",
    "eligible_receivables",
    "letters_of_credit",
    "voluntary_prepayments",
    "restricted_payments",
)


class CapitalPolicy(Frozen):
    """The borrower's elections in the scenario."""

    equity_cure: Sourced[Literal["apply", "never"]]
    pik_toggle: Sourced[Literal["pik", "cash"]] | None = None
    voluntary_prepayments_to: Sourced[tuple[Name, ...]] | None = None
    """The instruments the ``voluntary_prepayments`` driver repays, in order, each at most
    its balance (with its prepayment premium); default: the first term loan."""


class RatePath(Frozen):
    """A rate-path file (``date,rate``) for one index, with where it comes from."""

    file: str
    source: str | None = None
    assumption: str | None = None


class CapitalOpening(Frozen):
    """The position at the opening quarter end."""

    date: Sourced[Any]
    cash: Sourced[Money]
    balances: dict[Name, Sourced[Money]]
    net_worth: Sourced[SignedMoney] | None = None
    carried_forward: dict[Name, Sourced[Money]] = {}
    cures_used: Sourced[tuple[Any, ...]] | None = None
    """The quarter ends before (or at) the opening in which an equity cure was made: they
    count in the cure limits. Default: the quarters of ``history_file`` whose cure line
    items (``cure: true`` in the compliance file) are not zero."""


class CapitalScenarioTerms(Frozen):
    """A ``kind: capital_scenario`` params file."""

    kind: Literal["capital_scenario"]
    name: Name
    title: str
    description: str | None = None
    capital_structure: str
    history_file: str | None = None
    opening: CapitalOpening
    horizon_quarters: Sourced[Whole]
    rate_paths: dict[Literal["term_sofr", "sofr_compounded", "prime"], RatePath] = {}
    rate_shift: Sourced[Any] | None = None
    policy: CapitalPolicy
    drivers: dict[str, tuple[Piece, ...]]

    _pieces = field_validator("drivers", mode="before")(ScenarioTerms._pieces.__func__)  # type: ignore[attr-defined]


class CapitalScenario(Frozen):
    """A validated capital scenario: its terms, its structure, the rate paths and every
    driver expanded to one value a quarter."""

    terms: CapitalScenarioTerms
    structure: CapitalStructure
    rate_paths: dict[str, pd.DataFrame]
    history: Actuals | None = None
    quarter_ends: tuple[dt.date, ...]
    paths: dict[str, tuple[Decimal, ...]]
    opening_date: dt.date
    rate_shift: Decimal
    cures_used: tuple[dt.date, ...] = ()
    file: str

    @property
    def name(self) -> str:
        return self.terms.name

    def provenance(self) -> pd.DataFrame:
        from model.terms.provenance import provenance

        return provenance(self.terms)


def build_capital_scenario(pf: ParamsFile, load_reference: LoadReference) -> CapitalScenario:
    """Builder for ``kind: capital_scenario`` (see the module docstring)."""
    from model.values import read_amount, read_date

    t = validate(CapitalScenarioTerms, pf.data, pf)
    structure: CapitalStructure = load_reference(
        pf, ("capital_structure",), t.capital_structure, "capital_structure"
    )
    try:
        opening = read_date(t.opening.date.value, "opening.date")
    except ValueError as exc:
        raise pf.error(("opening", "date", "value"), str(exc)) from None
    if not is_quarter_end(opening):
        raise pf.error(("opening", "date", "value"), f"{opening} is not a quarter end")
    n = t.horizon_quarters.value
    if not 1 <= n <= 80:
        raise pf.error(("horizon_quarters", "value"), f"horizon_quarters is 1 to 80 (got {n})")
    quarters: list[dt.date] = []
    q = opening
    for _ in range(n):
        q = next_quarter_end(q)
        quarters.append(q)
    ids = [ins.id for ins in structure.instruments]
    for name in t.opening.balances:
        if name not in ids:
            raise pf.error(
                ("opening", "balances", name),
                f"names instrument {name!r}, which is not in the capital structure ({', '.join(ids)})",
            )
    for ins in structure.instruments:
        if ins.id not in t.opening.balances and _outstanding(ins, opening):
            raise pf.error(
                ("opening", "balances"),
                f"give the opening balance of {ins.id!r} (outstanding at {opening})",
            )
        bal = t.opening.balances.get(ins.id)
        if bal is not None and bal.value > 0:
            funded, matures = _dates(ins)
            if opening < funded:
                raise pf.error(
                    ("opening", "balances", ins.id, "value"),
                    f"{ins.id!r} is funded on {funded}, after the opening {opening}: its balance "
                    "at the opening is 0 (the engine funds it on its date)",
                )
            if matures <= opening:
                raise pf.error(
                    ("opening", "balances", ins.id, "value"),
                    f"{ins.id!r} matured on {matures}, on or before the opening {opening}: its "
                    "balance at the opening is 0",
                )
        if bal is not None and isinstance(ins, FixedNote) and ins.note is not None:
            # a note named by its file: the file's principal events say what is outstanding
            left = ins.note.terms.principal.value - sum(
                (e.amount for e in ins.note.events if e.date <= opening), Decimal(0)
            )
            if opening < ins.funded_date or opening >= ins.maturity_date:
                left = Decimal(0)
            if bal.value != left:
                raise pf.error(
                    ("opening", "balances", ins.id, "value"),
                    f"{bal.value:,} differs from the {left:,} of {ins.id!r} outstanding at "
                    f"{opening} by its file ({ins.file}: principal less its events to that day)",
                )
        if bal is not None and isinstance(ins, Revolver) and bal.value > ins.commitment.value:
            raise pf.error(
                ("opening", "balances", ins.id, "value"),
                f"{bal.value:,} is above the commitment {ins.commitment.value:,}",
            )
    cf_ids = [cf.covenant for cf in structure.terms.carry_forward]
    for name in t.opening.carried_forward:
        if name not in cf_ids:
            raise pf.error(
                ("opening", "carried_forward", name),
                f"names covenant {name!r}, which has no carry_forward in the capital structure "
                f"({', '.join(cf_ids) or 'none'})",
            )
    needed = sorted(
        {
            ins.rate.index.value
            for ins in structure.instruments
            if isinstance(ins, TermLoan | Revolver) and ins.rate.index.value != "fixed"
        }
    )
    for idx in needed:
        if idx not in t.rate_paths:
            raise pf.error(("rate_paths",), f"the capital structure needs a rate path for {idx!r}")
    paths_: dict[str, pd.DataFrame] = {
        idx: load_reference(pf, ("rate_paths", idx, "file"), rp.file, "rate_path")
        for idx, rp in t.rate_paths.items()
    }
    for name, frame in paths_.items():
        first = frame["date"].min().date() if len(frame) else None
        if first is None or first > opening - dt.timedelta(days=20):
            raise pf.error(
                ("rate_paths", name, "file"),
                f"the {name} path must start at least 20 days before the opening {opening} "
                f"(lookback and fixing days); it starts {first}",
            )
    if t.policy.pik_toggle is None and any(
        isinstance(i, PikNote) and i.toggle.value for i in structure.instruments
    ):
        raise pf.error(("policy",), "a PIK toggle note is outstanding: give policy.pik_toggle")
    vp = t.policy.voluntary_prepayments_to
    if vp is not None:
        names = [i.id for i in structure.instruments]
        for j, name in enumerate(vp.value):
            if name not in names:
                raise pf.error(
                    ("policy", "voluntary_prepayments_to", "value", j),
                    f"no instrument {name!r} in the capital structure (instruments: "
                    f"{', '.join(names)})",
                )
            if structure.instrument(name).kind == "revolver":
                raise pf.error(
                    ("policy", "voluntary_prepayments_to", "value", j),
                    f"{name!r} is the revolver: its loans are repaid by the cash policy, "
                    "not by a voluntary prepayment",
                )
        if len(set(vp.value)) != len(vp.value) or not vp.value:
            raise pf.error(
                ("policy", "voluntary_prepayments_to", "value"),
                "name each instrument once, at least one",
            )
    history = None
    if t.history_file is not None:
        history = load_reference(pf, ("history_file",), t.history_file, "actuals")
    for name in t.drivers:
        if name not in CAPITAL_DRIVERS:
            near = difflib.get_close_matches(name, list(CAPITAL_DRIVERS), n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            raise pf.error(
                ("drivers", name), f"unknown driver{hint}; drivers: {', '.join(CAPITAL_DRIVERS)}"
            )
    missing = [k for k, s in CAPITAL_DRIVERS.items() if s.required and k not in t.drivers]
    if missing:
        raise pf.error(("drivers",), f"missing driver(s): {', '.join(missing)}")
    if any(isinstance(i, Revolver) and i.borrowing_base for i in structure.instruments):
        if "eligible_receivables" not in t.drivers:
            raise pf.error(
                ("drivers",), "the revolver has a borrowing base: give eligible_receivables"
            )
    out = {k: _expand(k, v, n, pf, CAPITAL_DRIVERS) for k, v in t.drivers.items()}
    if "letters_of_credit" in out:
        rv = next((i for i in structure.instruments if isinstance(i, Revolver)), None)
        lc = rv.letters_of_credit if rv is not None else None
        top = max(out["letters_of_credit"])
        if top > 0 and lc is None:
            raise pf.error(
                ("drivers", "letters_of_credit"),
                "letters of credit are projected, but no revolver of the capital structure issues them",
            )
        if lc is not None and top > lc.sublimit.value:
            raise pf.error(
                ("drivers", "letters_of_credit"),
                f"{top:,} of letters of credit exceeds the sublimit {lc.sublimit.value:,} of "
                f"{rv.id if rv else ''!r}",
            )
    for k in _DEFAULTS:
        out.setdefault(k, (Decimal(0),) * n)
    shift = Decimal(0)
    if t.rate_shift is not None:
        try:
            shift = read_amount(t.rate_shift.value, "rate_shift", negative=True)
        except ValueError as exc:
            raise pf.error(("rate_shift", "value"), str(exc)) from None
        if not Decimal("-0.2") <= shift <= Decimal("0.2"):
            raise pf.error(("rate_shift", "value"), f"rate_shift is -0.2 to 0.2 (got {shift})")
    return CapitalScenario(
        terms=t,
        structure=structure,
        rate_paths=paths_,
        history=history,
        quarter_ends=tuple(quarters),
        paths=out,
        opening_date=opening,
        rate_shift=shift,
        file=pf.name,
        cures_used=_cures_used(t, structure, history, opening, pf),
    )


def _cures_used(
    t: CapitalScenarioTerms,
    structure: CapitalStructure,
    history: Actuals | None,
    opening: dt.date,
    pf: ParamsFile,
) -> tuple[dt.date, ...]:
    """The opening's cures used (see :class:`CapitalOpening`), checked: quarter ends on or
    before the opening, each once, within the structure's limit over the life."""
    from model.dates.periods import read_quarter_end

    given = t.opening.cures_used
    cure = structure.terms.equity_cure
    if given is None:
        flagged = [k for k, li in structure.compliance.line_items.items() if li.cure]
        if history is None or not flagged:
            return ()
        out_: list[dt.date] = []
        for q in history.quarter_ends:
            qa = history.quarter(q)
            if q <= opening and any(k in qa and qa[k] for k in flagged):
                out_.append(q)
        if cure is not None and len(out_) > cure.over_life:
            raise pf.error(
                ("history_file",),
                f"the history has {len(out_)} quarters with a cure ({', '.join(map(str, out_))}), "
                f"more than the {cure.over_life} the structure allows",
            )
        return tuple(out_)
    where = ("opening", "cures_used", "value")
    out = []
    for j, raw in enumerate(given.value):
        try:
            q = read_quarter_end(raw, "cures_used")
        except InputError as exc:
            raise pf.error((*where, j), str(exc)) from None
        if q > opening:
            raise pf.error((*where, j), f"{q} is after the opening {opening}")
        if q in out:
            raise pf.error((*where, j), f"{q} is listed twice")
        out.append(q)
    if out and cure is None:
        raise pf.error(where, "the capital structure has no equity_cure: no cure can be used")
    if cure is not None and len(out) > cure.over_life:
        raise pf.error(
            where,
            f"{len(out)} cures used, more than the {cure.over_life} the structure allows",
        )
    return tuple(sorted(out))


def _dates(ins: Any) -> tuple[dt.date, dt.date]:
    """An instrument's funding and maturity dates."""
    if isinstance(ins, FixedNote):
        return ins.funded_date, ins.maturity_date
    return ins.funded.value, ins.maturity.value


def _outstanding(ins: Any, day: dt.date) -> bool:
    if isinstance(ins, FixedNote):
        return ins.funded_date <= day < ins.maturity_date
    if isinstance(ins, Revolver):
        return False
    return bool(ins.funded.value <= day < ins.maturity.value)
