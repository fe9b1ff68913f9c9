"""Read deal terms from ``params/`` and validate them once, at the edge.

Every params file is YAML read with :func:`yaml.safe_load` (nothing in it is ever
evaluated as code) and carries a top-level ``kind`` that says what it describes.
:func:`load` dispatches on that kind to the terms layer (``model.terms``), which
validates with pydantic and returns frozen objects. Any defect raises
:class:`ParamsError` naming the file, the key path, the line and the rule broken.

Kinds
-----
``fixed_rate_note``
    a note or bond (returns :class:`model.notes.FixedRateNote`);
``exchange``
    an exchange of one note for new securities (:class:`model.terms.notes.ExchangeTerms`);
``capitalization``
    a share capitalization table (:class:`model.terms.capital.Capitalization`);
``facility``
    a loan agreement and its amendments (:class:`model.terms.facility.Facility`);
``actuals`` (``.csv`` files)
    quarterly financial line items (:class:`model.terms.actuals.Actuals`).
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from model import paths

__all__ = ["ParamsError", "Problem", "ParamsFile", "load", "read", "validate", "KINDS"]

KINDS: dict[str, tuple[str, str]] = {
    "fixed_rate_note": ("model.terms.notes", "build_note"),
    "exchange": ("model.terms.notes", "build_exchange"),
    "capitalization": ("model.terms.capital", "build_capitalization"),
    "facility": ("model.terms.facility", "build_facility"),
    "actuals": ("model.terms.actuals", "build_actuals"),
}
"""``kind`` -> (module, builder). Builders take a :class:`ParamsFile` and return terms."""

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    """One broken rule: where (key path, line) and what."""

    key_path: str
    rule: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.key_path or '<top level>'}: {self.rule}"


class ParamsError(ValueError):
    """Bad params: names the file, the key path, the line (where known) and the rule broken.

    Attributes
    ----------
    file : str
        The params file.
    problems : list of Problem
        Every rule broken, in file order; ``key_path``, ``rule`` and ``line`` repeat
        the first for convenience.

    Examples
    --------
    >>> err = ParamsError("params/x.yaml", [Problem("terms.principal.value", "must be > 0", 7)])
    >>> print(err)
    params/x.yaml: line 7: terms.principal.value: must be > 0
    """

    def __init__(self, file: str | Path, problems: list[Problem]):
        self.file = str(file)
        self.problems = list(problems) or [Problem("", "invalid")]
        first = self.problems[0]
        self.key_path, self.rule, self.line = first.key_path, first.rule, first.line
        if len(self.problems) == 1:
            text = f"{self.file}: {first}"
        else:
            text = f"{self.file}: {len(self.problems)} problems:\n" + "\n".join(
                f"  - {p}" for p in self.problems
            )
        super().__init__(text)


def format_path(loc: tuple[Any, ...]) -> str:
    """``("a", 0, "b")`` -> ``"a[0].b"``.

    >>> format_path(("purchasers", 1, "principal"))
    'purchasers[1].principal'
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass
class ParamsFile:
    """A params file read from disk: its data, the line of every key, and helpers
    to report problems against it."""

    path: Path
    data: dict[str, Any]
    lines: dict[tuple[Any, ...], int]

    @property
    def name(self) -> str:
        try:
            return str(self.path.relative_to(paths.ROOT))
        except ValueError:
            return str(self.path)

    def line_of(self, loc: tuple[Any, ...]) -> int | None:
        """The line of ``loc``, or of its nearest ancestor that has one."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get(())

    def problem(self, loc: tuple[Any, ...], rule: str) -> Problem:
        return Problem(format_path(loc), rule, self.line_of(loc))

    def error(self, loc: tuple[Any, ...], rule: str) -> ParamsError:
        """A :class:`ParamsError` for one rule broken at ``loc``."""
        return ParamsError(self.name, [self.problem(loc, rule)])


def _line_map(
    node: yaml.Node, path: tuple[Any, ...], out: dict, dups: list, seen: set[int]
) -> None:
    if id(node) in seen:
        raise _AliasError(node.start_mark.line + 1)
    seen.add(id(node))
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        keys: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in keys:
                dups.append((path + (key,), key_node.start_mark.line + 1))
            keys.add(key)
            _line_map(value_node, path + (key,), out, dups, seen)
            out[path + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, path + (i,), out, dups, seen)


def _bad_dates(node: yaml.Node | None, path: tuple[Any, ...] = ()) -> list[Problem]:
    """Every scalar that YAML reads as a date (``2007-02-30``) but that is no calendar day."""
    out: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            out += _bad_dates(value_node, path + (key_node.value,))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out += _bad_dates(item, path + (i,))
    elif isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
        try:
            yaml.constructor.SafeConstructor().construct_yaml_timestamp(node)
        except ValueError as exc:
            rule = f"{node.value!r} is not a calendar date ({exc})"
            out.append(Problem(format_path(path), rule, node.start_mark.line + 1))
    return out or [Problem("", "a value could not be read (not a valid date or number)")]


class _AliasError(Exception):
    def __init__(self, line: int):
        self.line = line


def read(path: str | Path) -> ParamsFile:
    """Read a YAML params file safely, with the line number of every key.

    Raises
    ------
    ParamsError
        The file is missing, is not valid YAML, is not a mapping at the top level,
        or repeats a key (which ``safe_load`` would silently resolve to the last one).
    """
    p = paths.resolve(path)
    shown = str(path)
    if not p.is_file():
        raise ParamsError(shown, [Problem("", f"file not found ({p})")])
    text = p.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ParamsError(shown, [Problem("", f"not valid YAML: {problem}", line)]) from None
    lines: dict[tuple[Any, ...], int] = {}
    dups: list[tuple[tuple[Any, ...], int]] = []
    if node is not None:
        try:
            _line_map(node, (), lines, dups, set())
        except _AliasError as exc:
            rule = "YAML anchors and aliases (&name, *name) are not allowed in params files: write each value out"
            raise ParamsError(shown, [Problem("", rule, exc.line)]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:  # pragma: no cover - compose already parsed the text
        raise ParamsError(shown, [Problem("", f"not valid YAML: {exc}")]) from None
    except ValueError:  # a scalar YAML reads as a date but no such day exists: 2007-02-30
        raise ParamsError(shown, _bad_dates(node)) from None
    pf = ParamsFile(p, data if isinstance(data, dict) else {}, lines)
    if dups:
        raise ParamsError(
            pf.name,
            [
                Problem(format_path(k), "key appears twice in the same mapping", ln)
                for k, ln in dups
            ],
        )
    if not isinstance(data, dict):
        raise ParamsError(
            pf.name, [Problem("", "the file must be a YAML mapping with a 'kind' key", 1)]
        )
    return pf


def _clean_msg(msg: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix) :]
    return msg


def validate(model: type[M], data: Any, pf: ParamsFile, prefix: tuple[Any, ...] = ()) -> M:
    """Validate ``data`` (found at ``prefix`` in ``pf``) as ``model``.

    Pydantic's errors become one :class:`ParamsError` listing every problem with its
    key path and line; nothing is partially built.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = prefix + tuple(
                p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))
            )
            rule = _clean_msg(err["msg"])
            if err["type"] not in ("value_error", "assertion_error", "missing", "extra_forbidden"):
                rule += f" (got {err.get('input')!r})"
            elif err["type"] == "extra_forbidden":
                rule = "unknown key (not part of this kind's schema; check the spelling)"
            problems.append(Problem(format_path(loc), rule, pf.line_of(loc)))
        raise ParamsError(pf.name, problems) from None


def apply_overrides(data: dict[str, Any], overrides: Mapping[str, Any], pf: ParamsFile) -> dict:
    """Return a copy of ``data`` with dotted key paths replaced, e.g.
    ``{"terms.frequency.value": 4}``. A path that does not exist is an error: an
    override never silently adds a term that the schema would then ignore."""
    out = copy.deepcopy(data)
    for dotted, value in overrides.items():
        keys = dotted.split(".")
        cur: Any = out
        for i, key in enumerate(keys):
            idx: Any = int(key) if isinstance(cur, list) and key.isdigit() else key
            last = i == len(keys) - 1
            try:
                if last:
                    cur[idx]  # must exist
                    cur[idx] = value
                else:
                    cur = cur[idx]
            except (KeyError, IndexError, TypeError):
                raise ParamsError(
                    pf.name, [Problem(dotted, "override names a key that is not in the file")]
                ) from None
    return out


def load(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Any:
    """Load and validate a params file, returning the terms object for its ``kind``.

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

    Returns
    -------
    object
        For ``fixed_rate_note``, a :class:`model.notes.FixedRateNote`; see the module
        docstring for the other kinds.

    Raises
    ------
    ParamsError
        Naming the file, key path, line and rule.

    Examples
    --------
    >>> note = load("params/instruments/8pct-secured-convertible-2007.yaml")
    >>> note.principal, str(note.coupon_rate), note.maturity.isoformat()
    (Decimal('29000000'), '0.08', '2007-06-18')
    """
    try:
        p = paths.input_path(path)
    except paths.UnsafePathError as exc:
        raise ParamsError(str(path), [Problem("", str(exc))]) from None
    if p.suffix.lower() == ".csv":
        module = importlib.import_module("model.terms.actuals")
        return module.load_actuals_csv(p)
    pf = read(p)
    if overrides:
        pf = ParamsFile(pf.path, apply_overrides(pf.data, overrides, pf), pf.lines)
    kind = pf.data.get("kind")
    if kind not in KINDS:
        raise pf.error(
            ("kind",), f"unknown kind {kind!r}; expected one of: {', '.join(sorted(KINDS))}"
        )
    module_name, func_name = KINDS[kind]
    builder: Callable[[ParamsFile], Any] = getattr(importlib.import_module(module_name), func_name)
    return builder(pf)
