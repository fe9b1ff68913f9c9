"""What produced a report: its parameters, the files it read, the software, the time.

:func:`inputs_used` is called by a notebook after it has read its inputs. It returns an
:class:`InputsUsed` that shows, in place of code cells, every parameter with its value and
whether it differs from the notebook's default (the defaults are read from the notebook's
``parameters`` cell, literals only, with :func:`ast.literal_eval`: nothing is executed);
every params file read in this process, by its path relative to the project and its
SHA-256 (:func:`model.paths.files_read`); the package version, the git commit when the
project is a git checkout (and whether it had uncommitted changes), Python and the key
libraries; and the time of the run (UTC). The same block goes into the key-figures JSON
(:meth:`InputsUsed.as_dict`) without the two things that change from one run of the same
inputs to the next, the run time and where the outputs were written (``output_dir``), so
that rerunning unchanged inputs gives a byte-identical JSON; the batch index records both.
No absolute path of the machine appears in it.
"""

from __future__ import annotations

import ast
import datetime as dt
import html
import importlib.metadata
import os
import platform
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import nbformat

from model import __version__, paths
from model.errors import InputError, NotFoundError

__all__ = ["InputsUsed", "inputs_used", "notebook_defaults", "LIBRARIES", "OUTPUT_PARAMETERS"]

#: Parameters that say where a report is written or how it is shown, not what it computes: shown in the
#: inputs block, left out of the key-figures JSON.
OUTPUT_PARAMETERS = frozenset({"output_dir", "explore"})

LIBRARIES = (
    "pandas",
    "numpy",
    "matplotlib",
    "papermill",
    "nbconvert",
    "Jinja2",
    "XlsxWriter",
    "PyYAML",
    "pydantic",
    "holidays",
)


def notebook_defaults(notebook: str) -> dict[str, Any]:
    """The parameters of ``notebooks/<notebook>.ipynb`` and their default values, read from
    its cell tagged ``parameters`` (every value must be a Python literal)."""
    path = paths.safe_join(paths.NOTEBOOKS, f"{notebook.removesuffix('.ipynb')}.ipynb")
    if not path.is_file():
        raise NotFoundError(f"no notebook {notebook!r} in notebooks/")
    nb = nbformat.read(path, as_version=4)
    cell = next((c for c in nb.cells if "parameters" in c.metadata.get("tags", [])), None)
    if cell is None:
        raise InputError("has no cell tagged 'parameters'", key=f"notebooks/{path.name}")
    out: dict[str, Any] = {}
    for node in ast.parse(cell.source).body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            target, value = node.target, node.value  # ``name: str = "..."``
        else:
            continue
        try:
            out[target.id] = ast.literal_eval(value)
        except ValueError:
            raise InputError(
                f"parameter {target.id} is not a literal", key=f"notebooks/{path.name}"
            ) from None
    return out


def _shown(value: Any) -> Any:
    """A parameter value or a file as recorded: a path inside the project relative to it,
    a path outside it by its name only (no absolute path of the machine in a report)."""
    if isinstance(value, str) and value and os.path.isabs(value):
        relative = paths.shown(value)
        return (
            f"(outside the project)/{os.path.basename(value)}"
            if os.path.isabs(relative)
            else relative
        )
    return value


def _git() -> dict[str, Any]:
    if not (paths.ROOT / ".git").exists():
        return {"commit": None, "uncommitted_changes": None}
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=paths.ROOT, capture_output=True, text=True, timeout=10
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=paths.ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "uncommitted_changes": None}
    commit = head.stdout.strip() if head.returncode == 0 else None
    return {
        "commit": commit,
        "uncommitted_changes": bool(dirty.stdout.strip()) if dirty.returncode == 0 else None,
    }


def _versions() -> dict[str, str]:
    out = {"debtmodel": __version__, "python": platform.python_version()}
    for lib in LIBRARIES:
        try:
            out[lib] = importlib.metadata.version(lib)
        except importlib.metadata.PackageNotFoundError:
            out[lib] = "not installed"
    return out


@dataclass(frozen=True)
class InputsUsed:
    """The inputs block of a report (see the module docstring)."""

    notebook: str
    parameters: tuple[dict[str, Any], ...]
    files: tuple[dict[str, str], ...]
    software: Mapping[str, str]
    git: Mapping[str, Any]
    run_at: str

    def as_dict(self) -> dict[str, Any]:
        """For the key-figures JSON: everything but the run time and the output folder,
        so that the same inputs give the same bytes."""
        return {
            "notebook": self.notebook,
            "parameters": [p for p in self.parameters if p["name"] not in OUTPUT_PARAMETERS],
            "files": list(self.files),
            "software": dict(self.software),
            "git": dict(self.git),
        }

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(p['name'])}</td><td>{html.escape(str(p['value']))}</td>"
            f"<td>{'changed from ' + html.escape(repr(p['default'])) if p['differs'] else 'default'}</td></tr>"
            for p in self.parameters
            if p["name"] not in OUTPUT_PARAMETERS  # where it was written: the index says
        )
        files = "".join(
            f"<tr><td>{html.escape(f['path'])}</td><td><code>{f['sha256']}</code></td></tr>"
            for f in self.files
        )
        soft = ", ".join(f"{html.escape(k)} {html.escape(v)}" for k, v in self.software.items())
        commit = self.git.get("commit") or "not a git checkout"
        dirty = " (with uncommitted changes)" if self.git.get("uncommitted_changes") else ""
        return (
            "<details><summary>Inputs used: parameters, files, software</summary>"
            "<table class='model-table'><tr><th>Parameter</th><th>Value</th><th></th></tr>"
            f"{rows}</table><table class='model-table'><tr><th>File read</th><th>SHA-256</th></tr>{files}</table>"
            f"<p>Software: {soft}. Commit: {html.escape(str(commit))}{dirty}. Run at {self.run_at} (UTC).</p>"
            "</details>"
        )


def inputs_used(
    notebook: str, namespace: Mapping[str, Any], *, now: dt.datetime | None = None
) -> InputsUsed:
    """The inputs block of a notebook's report: call it after the inputs are read, with
    ``globals()`` (only the notebook's parameters are taken from it)."""
    defaults = notebook_defaults(notebook)
    params = []
    for name, default in defaults.items():
        if name not in namespace:
            raise InputError(f"parameter {name} is not defined", key=f"notebooks/{notebook}")
        value = namespace[name]
        params.append(
            {"name": name, "value": _shown(value), "default": default, "differs": value != default}
        )
    files = tuple({"path": _shown(p), "sha256": digest} for p, digest in paths.files_read())
    when = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")
    return InputsUsed(notebook, tuple(params), files, _versions(), _git(), when)
