"""Load deal terms from ``params/``: one entry point, dispatching on the file's ``kind``.

Every params file is YAML read strictly with :func:`model.terms.files.read_yaml` and
carries a top-level ``kind`` saying what it describes; a ``.csv`` file is quarterly
actuals. Builders validate with pydantic and return frozen terms. A file may name
another beside it (an exchange its note, a capitalization its convertibles, a facility
its compliance file): the name cannot leave the folder, the file must be of the kind
expected, and a chain of references that comes back to a file already being read is
an error naming both files.

Kinds
-----
``fixed_rate_note``
    a note or bond (:class:`model.terms.notes.NoteFile`);
``exchange``
    an exchange of one note for new securities (:class:`model.terms.notes.Exchange`);
``capitalization``
    a share capitalization table (:class:`model.terms.capital.Capitalization`);
``facility``
    a loan agreement and its amendments (:class:`model.terms.facility.Facility`);
``compliance_certificate``
    line items, metric build-ups, reporting requirements and certificate wording
    (:class:`model.terms.compliance.ComplianceTerms`);
``scenario``
    a projection scenario (:class:`model.terms.scenarios.Scenario`);
``capital_structure``
    a deal's instruments, cash policy, covenants and equity cures
    (:class:`model.terms.structure.CapitalStructure`);
``capital_scenario``
    a projection scenario of a capital structure
    (:class:`model.terms.capital_scenario.CapitalScenario`);
``deal``
    a deal of the portfolio: its notebooks and scenarios (:class:`model.terms.deals.Deal`);
``actuals`` (YAML, or any ``.csv`` file)
    quarterly line items (:class:`model.terms.actuals.Actuals`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from model import paths
from model.errors import ParamsError, UnsafePathError
from model.terms.actuals import build_actuals, load_actuals_csv
from model.terms.capital import build_capitalization
from model.terms.capital_scenario import build_capital_scenario
from model.terms.compliance import build_compliance
from model.terms.deals import build_deal
from model.terms.facility import build_facility
from model.terms.files import ParamsFile, read_yaml
from model.terms.inputs import SCHEMAS, read_dated_csv
from model.terms.notes import build_exchange, build_note
from model.terms.scenarios import build_scenario
from model.terms.sets import apply_sets, parse_sets
from model.terms.structure import build_capital_structure

__all__ = ["load", "KINDS"]

Builder = Callable[[ParamsFile, Any], Any]

KINDS: dict[str, Builder] = {
    "fixed_rate_note": build_note,
    "exchange": build_exchange,
    "capitalization": build_capitalization,
    "facility": build_facility,
    "compliance_certificate": build_compliance,
    "scenario": build_scenario,
    "capital_structure": build_capital_structure,
    "capital_scenario": build_capital_scenario,
    "deal": build_deal,
    "actuals": lambda pf, _ref: build_actuals(pf),
}
"""``kind`` -> builder ``(params file, load_reference) -> terms``."""


def _apply_overrides(pf: ParamsFile, overrides: Mapping[str, Any]) -> ParamsFile:
    """A copy of ``pf`` with dotted key paths replaced, e.g. ``{"terms.frequency.value": 4}``.
    A path that does not exist is an error: an override never silently adds a term that
    the schema would then ignore."""
    out = copy.deepcopy(pf.data)
    for dotted, value in overrides.items():
        if not isinstance(dotted, str) or not dotted.strip():
            raise ParamsError(
                f"an override key is a dotted key path as text ('terms.frequency.value'), not "
                f"{dotted!r}",
                key="overrides",
                file=pf.name,
            )
        keys = dotted.split(".")
        cur: Any = out
        for i, key in enumerate(keys):
            idx: Any = int(key) if isinstance(cur, list) and key.isdigit() else key
            try:
                if i == len(keys) - 1:
                    cur[idx]  # must exist
                    cur[idx] = value
                else:
                    cur = cur[idx]
            except (KeyError, IndexError, TypeError):
                raise ParamsError(
                    "override names a key that is not in the file", key=dotted, file=pf.name
                ) from None
    return ParamsFile(pf.path, out, pf.lines)


def _kind_of(pf: ParamsFile) -> str:
    kind = pf.data.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise pf.error(
            ("kind",), f"unknown kind {kind!r}; expected one of: {', '.join(sorted(KINDS))}"
        )
    return kind


def _a(kind: str) -> str:
    """``kind`` quoted with its article: "a 'facility'", "an 'exchange'"."""
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} '{kind}'"


def _reference_target(pf: ParamsFile, loc: tuple[Any, ...], name: str) -> Path:
    """The file a params file names (``name`` relative to its folder): it must exist and stay
    inside ``params/`` (for a file in ``params/``) or inside the folder of the naming file."""
    here = pf.path.resolve().parent
    root = paths.PARAMS.resolve()
    base = root if root == here or root in here.parents else here
    if not isinstance(name, str) or not name.strip():
        raise pf.error(loc, "missing file name")
    try:
        target = paths.safe_join(base, (here / name).resolve().relative_to(base))
    except (UnsafePathError, ValueError):
        raise pf.error(loc, f"{name!r} escapes the folder {paths.shown(base)}") from None
    if not target.is_file():
        raise pf.error(loc, f"no such file: {name} (names are relative to this file's folder)")
    return target


def _load_path(
    p: Path,
    overrides: Mapping[str, Any] | None,
    kind: str | None,
    chain: tuple[Path, ...],
    sets: Mapping[str, Any] | None = None,
) -> Any:
    if p.suffix.lower() == ".csv":
        if kind not in (None, "actuals"):
            raise ParamsError(
                f"a .csv params file holds quarterly actuals, not {_a(str(kind))} file",
                key="kind",
                file=paths.shown(p),
            )
        return load_actuals_csv(p)
    pf = read_yaml(p)
    if overrides:
        pf = _apply_overrides(pf, overrides)
    found = _kind_of(pf)
    if sets:
        pf = apply_sets(pf, sets, _known_drivers(found))
    if kind is not None and found != kind:
        raise pf.error(("kind",), f"this is {_a(found)} file; {_a(kind)} file is needed here")

    def load_reference(ref_pf: ParamsFile, loc: tuple[Any, ...], name: str, want: str) -> Any:
        target = _reference_target(ref_pf, loc, name)
        if target.suffix.lower() == ".csv" and want not in SCHEMAS and want != "actuals":
            raise ref_pf.error(
                loc,
                f"{name} is a CSV file (quarterly actuals or a dated input); {_a(want)} file "
                "(YAML) is needed here",
            )
        if want in SCHEMAS:
            try:
                return read_dated_csv(target, want)
            except ParamsError as exc:
                raise ref_pf.error(loc, f"{name}: {exc}") from None
        if target in chain + (p.resolve(),):
            raise ref_pf.error(
                loc, f"{name} is this file or one that refers to it: a file cannot refer to itself"
            )
        try:
            return _load_path(target, None, want, chain + (p.resolve(),))
        except ParamsError as exc:
            if exc.key == "kind" and exc.file == paths.shown(target):
                raise ref_pf.error(
                    loc, f"{name} is not {_a(want)} file ({exc.rule.split(';')[0]})"
                ) from None
            raise

    return KINDS[found](pf, load_reference)


def _known_drivers(kind: str) -> list[str]:
    """The drivers a scenario of ``kind`` knows (those ``--set`` may add)."""
    if kind == "scenario":
        from model.terms.scenarios import DRIVERS

        return list(DRIVERS)
    if kind == "capital_scenario":
        from model.terms.capital_scenario import CAPITAL_DRIVERS

        return list(CAPITAL_DRIVERS)
    return []


def load(
    path: str | Path,
    overrides: Mapping[str, Any] | None = None,
    *,
    kind: str | None = None,
    sets: str | Mapping[str, Any] | None = None,
) -> Any:
    """Load and validate a params file, returning the terms for its ``kind``.

    Parameters
    ----------
    path : str or Path
        A YAML file, or a ``.csv`` of quarterly actuals. A name (``str``, as a user
        types it) is taken from the project root or from ``params/`` and must lie
        inside ``params/``; an absolute :class:`~pathlib.Path` built by code (a test's
        temporary file) is read where it is.
    overrides : mapping, optional
        Dotted key paths to replace before validation (``{"terms.day_count.value":
        "ACT/360"}``): how a notebook or scenario changes one assumption.
    kind : str, optional
        The kind of file expected (one of :data:`KINDS`): another kind is an error naming
        the file and both kinds; an unknown kind is an error listing the kinds.
    sets : text or mapping, optional
        Values set for this run (``"drivers.capex_unfunded=5000000"``,
        :mod:`model.terms.sets`): each replaces an input with the value, labelled as set
        for the run.

    Returns
    -------
    object
        Frozen terms; see the module docstring for each kind.

    Raises
    ------
    ParamsError
        Naming the file, key path, line and rule.

    Examples
    --------
    >>> note = load("params/deals/ibasis/instruments/8pct-secured-convertible-2007.yaml")
    >>> t = note.terms
    >>> t.principal.value, str(t.coupon_rate.value), t.maturity.value.isoformat()
    (Decimal('29000000'), '0.08', '2007-06-18')
    >>> load("params/deals/ibasis/instruments/8pct-secured-convertible-2007.yaml", kind="facility")
    Traceback (most recent call last):
    ...
    model.errors.ParamsError: params/deals/ibasis/instruments/8pct-secured-convertible-2007.yaml: line 5: kind: this is a 'fixed_rate_note' file; a 'facility' file is needed here
    """
    if path is None or (isinstance(path, str) and not path.strip()):
        raise ParamsError("no params file given", key="path")
    if not isinstance(path, str | Path):
        raise ParamsError(f"a params file is a path, not {type(path).__name__}", key="path")
    if overrides is not None and not isinstance(overrides, Mapping):
        raise ParamsError(
            "overrides are a mapping of dotted key paths to values, e.g. "
            f"{{'terms.frequency.value': 4}}, not {type(overrides).__name__}",
            key="overrides",
        )
    if kind is not None and (not isinstance(kind, str) or kind not in KINDS):
        raise ParamsError(
            f"unknown kind {kind!r}; expected one of: {', '.join(sorted(KINDS))}", key="kind"
        )
    try:
        p = paths.input_path(path)
    except UnsafePathError as exc:
        raise ParamsError(exc.rule, file=str(path)) from None
    return _load_path(p, overrides, kind, (), parse_sets(sets) if sets else None)
