"""The reports folder as untrusted input.

An earlier run, a person or another program may have left anything in the reports folder,
so the batch reads nothing there that it has not checked:

* :func:`check_state`: the files the batch writes at the top of the folder (the index and
  the lock) are regular files or absent; a folder, a link or another kind of file in their
  place is a one-line error naming the path and what to do, before any report is computed;
* :func:`open_lock`: the lock file is opened without following a symbolic link
  (``O_NOFOLLOW``), so a run never writes its process id through a link to a file outside
  the folder;
* :func:`previous_index`: ``index.json`` is read only when it is a regular file of at most
  :data:`MAX_INDEX_BYTES`, parsed with a bounded nesting depth, and each entry is validated
  (:class:`IndexEntry`: known fields of the right types, a folder inside the reports
  folder, file names without a folder); an entry that is not is dropped with a warning and
  never followed, so the index never links to, nor shows figures from, a file outside it.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
from pathlib import Path
from typing import IO, Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from model import paths
from model.errors import InputError, UnsafePathError

__all__ = [
    "MAX_INDEX_BYTES",
    "IndexEntry",
    "check_state",
    "open_lock",
    "previous_index",
    "warn",
]

MAX_INDEX_BYTES = 50_000_000
"""The largest ``index.json`` read (50 MB: about 40,000 reports); a larger one is ignored."""


def _plain_name(name: str) -> bool:
    """A name inside one folder, as the batch writes them: no folder part, no NUL or
    backslash, not hidden (so never ``.`` or ``..``)."""
    return bool(name) and not any(c in name for c in "/\\\x00") and not name.startswith(".")


def warn(message: str) -> None:
    """A warning of the batch, on standard error."""
    print(f"model run: warning: {message}", file=sys.stderr)


def _kind(path: Path) -> str:
    """What is at ``path``, in words."""
    if path.is_symlink():
        return "a symbolic link"
    if path.is_dir():
        return "a folder"
    return "a special file (not a regular file)"


def check_state(out: Path, files: tuple[str, ...]) -> None:
    """Each of ``files`` (names at the top of ``out``) is a regular file or absent."""
    for name in files:
        path = out / name
        if not (path.exists() or path.is_symlink()):
            continue
        if path.is_symlink() or not path.is_file():
            raise InputError(
                f"{paths.shown(path)} is {_kind(path)} where the batch's file {name} belongs: "
                "move it away (the batch writes a new one), then run again",
                key="--out",
            )


def open_lock(path: Path) -> IO[str]:
    """The lock file at ``path``, opened for reading and writing without following a
    symbolic link; created when absent."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
            what = "a symbolic link" if exc.errno == errno.ELOOP else _kind(path)
            raise InputError(
                f"{paths.shown(path)} is {what} where the run's lock file belongs (the run "
                "never follows a link there): remove it, then run again",
                key="--out",
            ) from None
        raise InputError(
            f"cannot open the lock file {paths.shown(path)}: {exc.strerror or exc}", key="--out"
        ) from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
        os.close(fd)
        what = _kind(path) if not stat.S_ISREG(st.st_mode) else "a file with another name too"
        raise InputError(
            f"{paths.shown(path)} is {what} where the run's lock file belongs (a hard link "
            "would let the run write elsewhere): remove it, then run again",
            key="--out",
        )
    return os.fdopen(fd, "r+")


class IndexEntry(BaseModel):
    """One report of an earlier run, as ``index.json`` records it: the fields the batch
    writes (:func:`model.run.batch._entry`), and nothing else."""

    model_config = ConfigDict(extra="forbid", strict=True)

    notebook: str
    deal: str | None = None
    deal_title: str = ""
    folder: str
    scenario: str | None = None
    scenario_title: str = ""
    parameters: dict[str, Any] = {}
    variant: dict[str, Any] = {}
    fingerprint: str
    status: Literal["ok", "reused", "failed"]
    seconds: float | int
    files: dict[str, str]
    files_read: dict[str, Any] | None = None
    completed_at: str | None = None
    failure: dict[str, Any] | None = None
    worker: str | None = None
    this_run: bool | None = None

    @field_validator("notebook")
    @classmethod
    def _notebook(cls, v: str) -> str:
        if not _plain_name(v):
            raise ValueError(f"the notebook name {v!r} is not a plain file name")
        return v

    @field_validator("folder")
    @classmethod
    def _folder(cls, v: str) -> str:
        if not v or not all(_plain_name(p) for p in v.split("/")):
            raise ValueError(f"the folder {v!r} is not a folder inside the reports folder")
        return v

    @field_validator("files")
    @classmethod
    def _files(cls, v: dict[str, str]) -> dict[str, str]:
        for name in v:
            if not _plain_name(name):
                raise ValueError(f"the file name {name!r} is not a file of the report's folder")
        return v

    @field_validator("files_read")
    @classmethod
    def _files_read(cls, v: dict[str, Any] | None) -> dict[str, Any] | None:
        for name in v or {}:  # what reuse reads again: only the project's input files
            try:
                given = Path(name)
                paths.input_path(given if given.is_absolute() else name)
            except UnsafePathError:
                raise ValueError(f"{name!r} is not a file of the params folder") from None
        return v

    @model_validator(mode="after")
    def _failure(self) -> IndexEntry:
        if self.status == "failed" and self.failure is None:
            raise ValueError("a failed report records its failure")
        return self


def _depth_ok(text: str, limit: int = 64) -> bool:
    """Whether the JSON text nests arrays and objects at most ``limit`` deep (counted on the
    brackets outside strings), so that parsing it cannot exhaust the stack."""
    depth, in_string, escaped = 0, False, False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def previous_index(out: Path, index_format: int) -> dict[str, dict[str, Any]]:
    """The entries of the earlier run's ``<out>/index.json`` by ``folder/notebook``, each
    validated (see the module docstring); ``{}`` when there is none to trust."""
    path = out / "index.json"
    shown = paths.shown(path)
    if not (path.exists() or path.is_symlink()):
        return {}
    if path.is_symlink() or not path.is_file():
        warn(f"{shown} is {_kind(path)}, not the batch's index: not read")
        return {}
    size = path.stat().st_size
    if size > MAX_INDEX_BYTES:
        warn(
            f"{shown} is {size:,} bytes, above {MAX_INDEX_BYTES:,}: not read; a new one is written"
        )
        return {}
    try:
        text = path.read_text(encoding="utf-8")
        if not _depth_ok(text):
            raise ValueError("nested more than 64 deep")
        index = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        warn(f"{shown} cannot be read ({exc}): every report is computed again")
        return {}
    if not isinstance(index, dict) or index.get("format") != index_format:
        return {}  # another format of the index: nothing to reuse
    reports = index.get("reports")
    if not isinstance(reports, list):
        warn(f"{shown}: 'reports' is not a list: every report is computed again")
        return {}
    out_entries: dict[str, dict[str, Any]] = {}
    for i, raw in enumerate(reports):
        try:
            entry = IndexEntry.model_validate(raw)
            paths.safe_join(out, entry.folder)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first["loc"]) or "entry"
            warn(f"{shown}: reports[{i}] dropped: {where}: {first['msg']}")
            continue
        except UnsafePathError as exc:
            warn(f"{shown}: reports[{i}] dropped: {exc}")
            continue
        out_entries[f"{entry.folder}/{entry.notebook}"] = entry.model_dump()
    return out_entries
