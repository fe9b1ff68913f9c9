"""Reading params files: YAML and CSV, strictly, with the line of every value.

YAML
----
Read with PyYAML's safe loader (:func:`yaml.safe_load`: nothing is ever constructed
from a tag or evaluated), after these checks, each an error naming the file, line and
key:

* the file is at most :data:`MAX_FILE_BYTES` and UTF-8 (a UTF-8 byte-order mark is
  accepted; UTF-16, Latin-1 and other encodings are refused);
* mappings and lists nest at most :data:`MAX_DEPTH` deep;
* no key appears twice in a mapping; no anchors or aliases; no tags other than those
  plain YAML resolves to (``!!python/...``, ``!!binary``, ``!!set`` are refused);
* plain (unquoted) values that YAML 1.1 would silently turn into something else are
  refused: ``030`` (octal 24), ``0x1F``, ``1_000``, ``1:30`` (sexagesimal), ``.inf``,
  ``.nan``, ``yes``/``no``/``on``/``off`` as booleans, dates that are not ISO
  ``YYYY-MM-DD`` calendar days (``2004-02-30`` is named once, as what it is) and
  timestamps with a time of day. Quote a value to keep it as text.
* keys follow the same rules; a key must also be a single plain value: complex keys
  (``? [a, b]``), merge keys (``<<``) and empty (null) keys are refused.

CSV
---
:func:`read_csv` reads a table against a :class:`CsvSchema`: UTF-8 (a byte-order mark,
as Excel writes it, is accepted), ``#`` comment lines before the header (after it, every
non-blank line is a data row, even one that starts with ``#``), a header naming only known
columns (a misspelt one is an error that suggests the right name), every required
column present, every row as long as the header (a short or long row names its line:
usually an unquoted comma in a text field), and every cell read by the reader of its
column (:mod:`model.values`). An empty file or one with no data rows is an error. A
quoted field may not span lines.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from model import paths
from model.errors import InputError, ParamsError, Problem
from model.values import read_date

M = TypeVar("M", bound=BaseModel)

__all__ = [
    "validate",
    "LOCATED",
    "located_checks",
    "raise_located",
    "MAX_FILE_BYTES",
    "MAX_DEPTH",
    "ParamsFile",
    "format_path",
    "read_text",
    "read_yaml",
    "Column",
    "CsvSchema",
    "CsvRow",
    "read_csv",
]

MAX_FILE_BYTES = 2_000_000
"""The largest params file read (2 MB): a larger file is not a set of deal terms."""
MAX_DEPTH = 24
"""How deep mappings and lists may nest in a YAML params file."""


def format_path(loc: Sequence[Any]) -> str:
    """``("a", 0, "b")`` -> ``"a[0].b"``.

    >>> format_path(("purchasers", 1, "principal"))
    'purchasers[1].principal'
    """
    out = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass
class ParamsFile:
    """A params file read from disk: its data, the line of every key, and helpers to
    report problems against it."""

    path: Path
    data: dict[str, Any]
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return paths.shown(self.path)

    def line_of(self, loc: Sequence[Any]) -> int | None:
        """The line of ``loc``, or of its nearest ancestor that has one."""
        key = tuple(loc)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get(())

    def problem(self, loc: Sequence[Any], rule: str) -> Problem:
        return Problem(format_path(loc), rule, self.line_of(loc))

    def error(self, loc: Sequence[Any], rule: str) -> ParamsError:
        """A :class:`ParamsError` for one rule broken at ``loc``."""
        return ParamsError(rule, key=format_path(loc), file=self.name, line=self.line_of(loc))


# --- text ------------------------------------------------------------------------------


def read_text(path: Path) -> str:
    """The text of a params file: at most :data:`MAX_FILE_BYTES`, UTF-8 (BOM accepted),
    with its line ends (CR LF, CR or LF) read as ``\\n``."""
    shown = paths.shown(path)
    if not path.is_file():
        raise ParamsError("file not found", file=shown)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        rule = f"the file is {size:,} bytes; params files are limited to {MAX_FILE_BYTES:,} bytes"
        raise ParamsError(rule, file=shown)
    raw = path.read_bytes()
    paths.record_read(path, raw)
    for bom, name in ((b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16")):
        if raw.startswith(bom):
            raise ParamsError(f"the file is {name} text; save it as UTF-8", file=shown)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        rule = (
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be read as UTF-8); save the "
            "file as UTF-8"
        )
        raise ParamsError(rule, file=shown, line=line) from None
    # Windows (CR LF) and old Mac (CR) line endings are read as line ends, so every line
    # is found and numbered alike whatever wrote the file.
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- YAML ------------------------------------------------------------------------------

_NESTING_START = (
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.FlowSequenceStartToken,
)
_NESTING_END = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


def _check_depth(text: str, shown: str) -> None:
    depth = 0
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(token, _NESTING_START):
            depth += 1
            if depth > MAX_DEPTH:
                rule = f"mappings and lists nest more than {MAX_DEPTH} deep"
                raise ParamsError(rule, file=shown, line=token.start_mark.line + 1)
        elif isinstance(token, _NESTING_END):
            depth -= 1


def _syntax_error(exc: yaml.YAMLError, shown: str) -> ParamsError:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    return ParamsError(f"not valid YAML: {problem}", file=shown, line=line)


_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{t}"
    for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}
"""The tags plain YAML resolves to; any other (``!!python/...``, ``!!binary``, ``!!set``, a
local ``!tag``) is refused before anything is constructed."""
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_DATE_TAG = "tag:yaml.org,2002:timestamp"


def _scalar_rule(node: yaml.ScalarNode) -> str | None:
    """Why a plain scalar would be read wrongly by YAML 1.1, or None."""
    v = node.value
    if node.tag == _INT_TAG and not re.fullmatch(r"[-+]?(0|[1-9][0-9]*)", v):
        read = yaml.safe_load(v)
        return (
            f"'{v}' is not a decimal whole number (YAML 1.1 would read it as {read!r}); write "
            "decimal digits only, or quote it if it is text"
        )
    if node.tag == _FLOAT_TAG and not re.fullmatch(
        r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?", v
    ):
        return f"'{v}' is not a finite decimal number; write digits with an optional decimal point"
    if node.tag == _BOOL_TAG and v.lower() not in ("true", "false"):
        read = yaml.safe_load(v)
        return (
            f"'{v}' would be read by YAML 1.1 as {read!r}; write true or false, or quote it "
            "if it is text"
        )
    if node.tag == _DATE_TAG:
        try:
            read_date(v, "")
        except InputError as exc:
            return exc.rule
    return None


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _key_rule(node: yaml.Node) -> str | None:
    """Why a mapping key is refused, or None: keys follow the rules of plain values
    (:func:`_scalar_rule`), and must be a single plain value, not empty."""
    if not isinstance(node, yaml.ScalarNode):
        return "a key must be a single name or number, not a list or mapping (a '? ' complex key)"
    if node.tag == _MERGE_TAG:
        return "merge keys (<<) are not allowed in params files: write each key out"
    if node.tag not in _PLAIN_TAGS:
        shown = node.tag.replace("tag:yaml.org,2002:", "!!")
        return f"the tag {shown} is not allowed in params files: write plain keys"
    if not node.style:  # plain (None from PyYAML, "" from libyaml)
        if node.tag == "tag:yaml.org,2002:null":
            return f"a key must not be empty ('{node.value}' is null): write a name"
        return _scalar_rule(node)
    return None


def _key_of(node: yaml.ScalarNode, constructor: yaml.constructor.SafeConstructor) -> Any:
    """The key as the loaded data holds it (a date key is a date, ``5`` an int), so the
    line of a key path is found from the data's own keys."""
    return constructor.construct_object(node)


def _mapping_keys(
    n: yaml.MappingNode,
    path: tuple[Any, ...],
    lines: dict[tuple[Any, ...], int],
    problems: list[Problem],
    constructor: yaml.constructor.SafeConstructor,
) -> list[tuple[yaml.Node, tuple[Any, ...]]]:
    """Check the keys of one mapping; record their lines; the values to walk next."""
    out: list[tuple[yaml.Node, tuple[Any, ...]]] = []
    seen: set[Any] = set()
    texts: set[str] = set()
    for key_node, value_node in n.value:
        line = key_node.start_mark.line + 1
        rule = _key_rule(key_node)
        if rule is not None:
            shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "<complex key>"
            problems.append(Problem(format_path(path + (shown,)), rule, line))
            continue
        key = _key_of(key_node, constructor)
        lines[path + (key,)] = line
        lines.setdefault(path + (key_node.value,), line)
        if key in seen or key_node.value in texts:
            problems.append(
                Problem(format_path(path + (key,)), "key appears twice in the same mapping", line)
            )
        seen.add(key)
        texts.add(key_node.value)
        out.append((value_node, path + (key,)))
    return out


def _walk_nodes(
    node: yaml.Node, lines: dict[tuple[Any, ...], int], problems: list[Problem]
) -> None:
    """Record the line of every key; collect duplicate keys, refused keys and YAML 1.1
    surprises. Aliases are refused (a node met twice)."""
    seen: set[int] = set()
    constructor = yaml.constructor.SafeConstructor()
    stack: list[tuple[yaml.Node, tuple[Any, ...]]] = [(node, ())]
    while stack:
        n, path = stack.pop()
        if id(n) in seen:
            rule = "YAML anchors and aliases (&name, *name) are not allowed in params files: write each value out"
            raise _AliasError(Problem(format_path(path), rule, n.start_mark.line + 1))
        seen.add(id(n))
        lines.setdefault(path, n.start_mark.line + 1)
        if n.tag not in _PLAIN_TAGS:
            shown = n.tag.replace("tag:yaml.org,2002:", "!!")
            refused = f"the tag {shown} is not allowed in params files: write plain values"
            problems.append(Problem(format_path(path), refused, n.start_mark.line + 1))
            continue
        if isinstance(n, yaml.MappingNode):
            stack.extend(_mapping_keys(n, path, lines, problems, constructor))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend((item, path + (i,)) for i, item in enumerate(n.value))
        elif isinstance(n, yaml.ScalarNode) and not n.style:
            scalar_rule = _scalar_rule(n)
            if scalar_rule:
                problems.append(Problem(format_path(path), scalar_rule, n.start_mark.line + 1))


class _AliasError(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def read_yaml(
    path: Path, mapping_rule: str = "the file must be a YAML mapping with a 'kind' key"
) -> ParamsFile:
    """Read a YAML params file strictly (see the module docstring), with the line of
    every key. The top level must be a mapping (else ``mapping_rule`` is the error).

    Raises
    ------
    ParamsError
        Naming the file, the line, the key and the rule; every problem at once.
    """
    shown = paths.shown(path)
    text = read_text(path)
    try:
        _check_depth(text, shown)
        # libyaml's loader when it is there (ten times faster); a file it refuses is read
        # again with the pure-Python loader, whose messages the errors quote
        node = yaml.compose(text, Loader=_FAST)
    except yaml.YAMLError:
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            raise _syntax_error(exc, shown) from None
    lines: dict[tuple[Any, ...], int] = {}
    problems: list[Problem] = []
    if node is not None:
        try:
            _walk_nodes(node, lines, problems)
        except _AliasError as exc:
            raise ParamsError.from_problems(shown, [exc.problem]) from None
    if problems:
        raise ParamsError.from_problems(shown, sorted(problems, key=lambda p: p.line or 0))
    try:
        data = yaml.load(text, Loader=_FAST)  # noqa: S506 (a safe loader)
    except ValueError as exc:  # a scalar Python will not convert: 4,300+ digits, say
        long = re.search(r"\d{100,}", text)
        line = text.count("\n", 0, long.start()) + 1 if long else None
        what = f"a number of {len(long.group()):,} digits" if long else "a value"
        raise ParamsError(
            f"{what} cannot be read as a number ({exc}); amounts here are written in at most "
            "4,300 digits",
            file=shown,
            line=line,
        ) from None
    if not isinstance(data, dict):
        raise ParamsError(mapping_rule, file=shown, line=1)
    return ParamsFile(path, data, lines)


_FAST: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""The safe loader, from libyaml when PyYAML was built with it."""


# --- CSV -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a CSV schema: its name, the reader of its cells and whether it must
    be present (``required``) and filled (``blank_ok=False``)."""

    name: str
    read: Callable[..., Any]
    required: bool = True
    blank_ok: bool = False
    help: str = ""


@dataclass(frozen=True)
class CsvSchema:
    """What a CSV file holds: its columns, in the order written."""

    what: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def header_hint(self) -> str:
        return ",".join(c.name if c.required else f"[{c.name}]" for c in self.columns)


@dataclass(frozen=True)
class CsvRow:
    """A data row: its line in the file and the values read by the schema's readers
    (``None`` for a blank optional cell or an absent optional column)."""

    line: int
    values: dict[str, Any]


def _data_lines(text: str) -> Iterator[tuple[int, str]]:
    """The header and the data lines, with their line numbers.

    ``#`` comment lines are comments only before the header: after it every line is data
    (an invoice from the debtor "#1 Carrier" is a row, not a comment). Blank lines are
    skipped everywhere.
    """
    header_seen = False
    for number, line in enumerate(io.StringIO(text), start=1):
        if not line.strip():
            continue
        if not header_seen and line.lstrip().startswith("#"):
            continue
        header_seen = True
        yield number, line


def _check_header(header: list[str], schema: CsvSchema, shown: str, line: int) -> None:
    problems: list[str] = []
    for name in header:
        if name not in schema.names:
            near = difflib.get_close_matches(name, schema.names, n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            problems.append(f"unknown column '{name}'{hint}")
    dups = sorted({n for n in header if header.count(n) > 1})
    problems += [f"column '{n}' appears twice" for n in dups]
    problems += [
        f"missing column '{c.name}'" for c in schema.columns if c.required and c.name not in header
    ]
    if problems:
        rule = "; ".join(problems) + f"; the columns of {schema.what} are {schema.header_hint()}"
        raise ParamsError(rule, key="header", file=shown, line=line)


def _read_row(
    number: int, cells: list[str], header: list[str], schema: CsvSchema, shown: str
) -> tuple[CsvRow | None, list[Problem]]:
    if len(cells) != len(header):
        rule = (
            f"the row has {len(cells)} fields and the header {len(header)}: an unquoted comma "
            "in a text field? Put such a field in double quotes"
        )
        return None, [Problem("row", rule, number)]
    raw = dict(zip(header, cells, strict=True))
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for col in schema.columns:
        cell = raw.get(col.name)
        if cell is None or not cell.strip():
            if col.name in raw and not col.blank_ok:
                problems.append(Problem(col.name, "missing value", number))
            values[col.name] = None
            continue
        try:
            values[col.name] = col.read(cell, col.name, file=shown, line=number)
        except InputError as exc:
            problems.append(Problem(col.name, exc.rule, number))
    return CsvRow(number, values), problems


def read_csv(path: Path, schema: CsvSchema) -> list[CsvRow]:
    """Read and validate a CSV file against ``schema`` (see the module docstring).

    Raises
    ------
    ParamsError
        Naming the file, and for each bad cell its line, column and rule (every problem
        at once).
    """
    shown = paths.shown(path)
    numbered = list(_data_lines(read_text(path)))
    if not numbered:
        rule = f"the file is empty: expected a header line {schema.header_hint()}"
        raise ParamsError(rule, file=shown)
    header_line, header_text = numbered[0]
    header = [h.strip() for h in next(csv.reader([header_text]))]
    _check_header(header, schema, shown, header_line)
    if len(numbered) == 1:
        raise ParamsError("the file has a header but no data rows", file=shown, line=header_line)
    rows: list[CsvRow] = []
    problems: list[Problem] = []
    for number, text in numbered[1:]:
        try:
            cells = next(csv.reader([text], strict=True))
        except csv.Error as exc:
            problems.append(Problem("row", f"not valid CSV: {exc}", number))
            continue
        row, found = _read_row(number, cells, header, schema, shown)
        problems += found
        if row is not None:
            rows.append(row)
    if problems:
        raise ParamsError.from_problems(shown, problems)
    return rows


# --- validation ------------------------------------------------------------------------


def located_checks(info: Any) -> bool:
    """Whether a model validator's caller checks cross-references at their own lines
    (see :data:`LOCATED`)."""
    context = getattr(info, "context", None)
    return isinstance(context, dict) and bool(context.get(LOCATED))


def raise_located(pf: ParamsFile, problems: Sequence[tuple[Sequence[Any], str]]) -> None:
    """Raise one :class:`ParamsError` for ``(key path, rule)`` problems, if any."""
    if problems:
        found = [pf.problem(loc, rule) for loc, rule in problems]
        raise ParamsError.from_problems(pf.name, sorted(found, key=lambda p: p.line or 0))


def _clean_msg(msg: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix) :]
    return msg


LOCATED = "located"
"""Validation context flag: the builder checks the cross-references between parts of the
file itself, at the key path and line of the offending entry (a model validator would
only know the top of the model), so the model skips them."""


def validate(
    model: type[M],
    data: Any,
    pf: ParamsFile,
    prefix: tuple[Any, ...] = (),
    *,
    located: bool = False,
) -> M:
    """Validate ``data`` (found at ``prefix`` in ``pf``) as the pydantic ``model``.

    Pydantic's errors become one :class:`ParamsError` listing every problem with its
    key path and line; nothing is partially built. ``located=True`` tells the model that
    the caller checks cross-references itself (:data:`LOCATED`).
    """
    try:
        return model.model_validate(data, context={LOCATED: True} if located else None)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = prefix + tuple(
                p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))
            )
            rule = _clean_msg(err["msg"])
            if err["type"] == "extra_forbidden":
                rule = "unknown key (not part of this kind's schema; check the spelling)"
            elif err["type"] in ("union_tag_invalid", "union_tag_not_found"):
                ctx = err.get("ctx") or {}
                rule = (
                    f"unknown kind {ctx.get('tag')!r}; expected one of: {ctx.get('expected_tags')}"
                    if err["type"] == "union_tag_invalid"
                    else f"give the {ctx.get('discriminator', 'kind')} (one of the known kinds)"
                )
            elif err["type"] == "missing":
                rule = "missing key (required)"
            elif err["type"] not in ("value_error", "assertion_error"):
                rule += f" (got {err.get('input')!r})"
            problems.append(Problem(format_path(loc), rule, pf.line_of(loc)))
        raise ParamsError.from_problems(pf.name, problems) from None
