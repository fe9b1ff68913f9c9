"""Values set for one run (``model run --set KEY=VALUE``, a notebook's ``overrides``), with
their provenance.

:func:`parse_sets` reads ``"drivers.capex_unfunded=5000000; drivers.dso_domestic=59"`` (or
a mapping, or a list of ``KEY=VALUE``) into dotted key paths and values, each value read as
one YAML scalar (``yaml.safe_load``: a number, a date, a word; never code, never a mapping).
:func:`apply_sets` puts them into a params file before it is validated: an input that
carries provenance (``{value: ..., source: ...}``) or a scenario's driver is replaced by
``{value: VALUE, assumption: "set for this run: KEY=VALUE"}``, so every report that shows
the input says it was set for the run; a driver the file leaves out may be set (the
scenario's kind knows it); any other key must exist. The run's folder is named by the sets
(:func:`sets_slug`), so a run with sets never replaces the report of the file as written.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from model.errors import InputError
from model.terms.files import ParamsFile

__all__ = ["parse_sets", "apply_sets", "sets_text", "sets_slug"]

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*")


def parse_sets(given: str | Mapping[str, Any] | Sequence[str] | None) -> dict[str, Any]:
    """Dotted key -> value from ``given`` (see the module docstring).

    >>> parse_sets("drivers.capex_unfunded=5000000; drivers.dso_domestic = 59.5")
    {'drivers.capex_unfunded': 5000000, 'drivers.dso_domestic': 59.5}
    >>> parse_sets("")
    {}
    >>> parse_sets("drivers.capex_unfunded")
    Traceback (most recent call last):
    ...
    model.errors.InputError: overrides: 'drivers.capex_unfunded' is not KEY=VALUE (e.g. drivers.capex_unfunded=5000000)
    """
    if given is None:
        return {}
    if isinstance(given, Mapping):
        items = [(str(k), v) for k, v in given.items()]
    else:
        parts = given.split(";") if isinstance(given, str) else list(given)
        items = []
        for part in parts:
            if not isinstance(part, str):
                raise InputError(f"{part!r} is not KEY=VALUE text", key="overrides")
            if not part.strip():
                continue
            if not isinstance(given, str) and ";" in part:
                raise InputError(
                    f"{part.strip()!r}: one KEY=VALUE each time, a value without ';'",
                    key="overrides",
                )
            key, eq, text = part.partition("=")
            if not eq:
                raise InputError(
                    f"{part.strip()!r} is not KEY=VALUE (e.g. drivers.capex_unfunded=5000000)",
                    key="overrides",
                )
            items.append((key.strip(), _scalar(key.strip(), text.strip())))
    out: dict[str, Any] = {}
    for key, value in items:
        if not _KEY.fullmatch(key):
            raise InputError(
                f"{key!r} is not a dotted key (letters, digits and '_', parts joined by '.')",
                key="overrides",
            )
        if key.endswith(".value"):  # the input itself: set with its provenance, as any other
            key = key.removesuffix(".value")
        if key.rsplit(".", 1)[-1] in ("source", "assumption", "note"):
            raise InputError(
                f"{key}: the provenance of a value set for a run is written by the run, not set",
                key="overrides",
            )
        if key in out:
            raise InputError(f"{key} is set twice", key="overrides")
        if isinstance(value, Mapping | list) or value is None:
            raise InputError(f"{key}: set one value (a number, a date or a word)", key="overrides")
        out[key] = value
    return out


def _scalar(key: str, text: str) -> Any:
    if not text:
        raise InputError(f"{key}: no value after '='", key="overrides")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        raise InputError(f"{key}: {text!r} is not one value", key="overrides") from None


def sets_text(sets: Mapping[str, Any]) -> str:
    """``sets`` as the text a notebook's ``overrides`` parameter takes.

    >>> sets_text({"drivers.capex_unfunded": 5000000, "revolver.after_maturity": "no"})
    "drivers.capex_unfunded=5000000; revolver.after_maturity='no'"
    """
    return "; ".join(f"{k}={_dumped(v)}" for k, v in sets.items())


def _dumped(value: Any) -> str:
    """``value`` as YAML that reads back as the same value (a word like ``no`` stays a word)."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10**6).strip()
    return text.removesuffix("...").strip()


def sets_slug(sets: Mapping[str, Any]) -> str:
    """A folder-name part for ``sets``: short keys and values, safe characters.

    >>> sets_slug({"drivers.capex_unfunded": 5000000})
    'drivers.capex_unfunded-5000000'
    """
    parts = [f"{k}-{v}" for k, v in sorted(sets.items())]
    return re.sub(r"[^a-z0-9._-]+", "-", "_".join(parts).lower()).strip("-.")


def apply_sets(pf: ParamsFile, sets: Mapping[str, Any], drivers: Sequence[str] = ()) -> ParamsFile:
    """A copy of ``pf`` with ``sets`` in place (see the module docstring); ``drivers``: the
    drivers the file's kind knows, which may be set though the file leaves them out."""
    out = copy.deepcopy(pf.data)
    for key, value in sets.items():
        keys = key.split(".")
        cur: Any = out
        for k in keys[:-1]:
            if not isinstance(cur, Mapping) or k not in cur:
                raise pf.error(tuple(keys), f"--set {key}: the file has no {k!r} here")
            cur = cur[k]
        last = keys[-1]
        is_driver = len(keys) == 2 and keys[0] == "drivers"
        if not isinstance(cur, dict) or (last not in cur and not (is_driver and last in drivers)):
            known = f"; drivers: {', '.join(drivers)}" if is_driver else ""
            raise pf.error(tuple(keys), f"--set {key}: not an input of this file{known}")
        node = cur.get(last)
        sourced = isinstance(node, Mapping) and (
            "value" in node or "source" in node or "assumption" in node
        )
        if is_driver or sourced:
            cur[last] = {"value": value, "assumption": f"set for this run: {key}={value}"}
        else:
            cur[last] = value
    return ParamsFile(pf.path, out, pf.lines)
