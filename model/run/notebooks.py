"""The notebooks as the batch sees them: their names, their parameters, their HTML.

A notebook is ``notebooks/NN-topic.ipynb``. Its first code cell, tagged ``parameters``,
declares each parameter as ``name: type = literal  # help`` (papermill reads the same
line for ``papermill --help-notebook``); :func:`notebook_info` reads it without running
anything. A notebook that declares ``scenario_file`` is run once per scenario; the others
(the historical reports) once. :func:`coerce` turns a value given on the command line
into the parameter's declared type, as papermill's ``-p`` does, and names the notebook
when it cannot.

:func:`export_html` writes the report a person reads: no code, no prompts, no stderr,
except for a failed notebook, whose HTML keeps the code so the analyst sees the failing
cell (papermill puts a link to it at the top).
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model import paths
from model.errors import InputError

__all__ = [
    "Notebook",
    "Parameter",
    "coerce",
    "export_html",
    "list_notebooks",
    "notebook_info",
    "point_at_final_folder",
    "SCENARIO_PARAMETER",
    "SCENARIOS_PARAMETER",
    "OUTPUT_PARAMETER",
]

#: A notebook declaring this parameter is run once per scenario, with the scenario's file.
SCENARIO_PARAMETER = "scenario_file"
#: A notebook that compares scenarios side by side declares this parameter (a list of
#: files): the batch gives it every scenario of the deal and of the run, unless it is set.
SCENARIOS_PARAMETER = "scenario_files"
#: Where a notebook writes its key figures, workbook and certificate: set by the batch.
OUTPUT_PARAMETER = "output_dir"
_NAME = re.compile(r"^[0-9]{2}-[a-z0-9][a-z0-9-]*$")


def list_notebooks(folder: Path | None = None) -> list[Path]:
    """The numbered notebooks in ``notebooks/`` (``NN-topic.ipynb``), in order."""
    folder = folder or paths.NOTEBOOKS
    return sorted(p for p in folder.glob("[0-9][0-9]-*.ipynb") if _NAME.match(p.stem))


@dataclass(frozen=True)
class Parameter:
    """One parameter of a notebook: its declared type (``str``, ``int``, ``float``,
    ``bool``, ``list``), its default (a Python literal) and the help text of its comment."""

    name: str
    type_name: str
    default: Any
    help: str


@dataclass(frozen=True)
class Notebook:
    """A notebook of ``notebooks/`` and its declared parameters, in order."""

    name: str
    path: Path
    parameters: Mapping[str, Parameter]
    title: str = ""

    @property
    def per_scenario(self) -> bool:
        """Whether the batch runs it once per scenario."""
        return SCENARIO_PARAMETER in self.parameters

    @property
    def compares(self) -> bool:
        """Whether it compares a deal's scenarios (it declares ``scenario_files`` and not
        ``scenario_file``): the batch runs it once per deal, over every scenario."""
        return SCENARIOS_PARAMETER in self.parameters and not self.per_scenario


def _type_name(annotation: ast.expr | None, default: Any) -> str:
    if annotation is not None:
        text = ast.unparse(annotation)
        return text.split("[", 1)[0] if text.startswith(("list", "tuple", "dict")) else text
    return type(default).__name__


def notebook_info(path: str | Path) -> Notebook:
    """Read the parameters cell of the notebook at ``path`` (literals only, nothing runs)."""
    path = Path(path)
    where = f"notebooks/{path.name}"
    nb = read_cells(path)
    cell = next((c for c in nb if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if cell is None:
        raise InputError("has no cell tagged 'parameters'", key=where)
    cell_source = _source(cell)
    comments = {}
    for line in cell_source.splitlines():
        m = re.match(r"^(\w+)\s*(?::[^=]*)?=.*?#\s*(.*)$", line)
        if m:
            comments[m.group(1)] = m.group(2).strip()
    params: dict[str, Parameter] = {}
    for node in ast.parse(cell_source).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            name, value, annotation = node.target.id, node.value, node.annotation
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            name, value, annotation = node.targets[0].id, node.value, None
        else:
            raise InputError(
                f"line {node.lineno} of the parameters cell is not 'name: type = literal'",
                key=where,
            )
        try:
            default = ast.literal_eval(value)
        except ValueError:
            raise InputError(f"parameter {name} is not a literal", key=where) from None
        params[name] = Parameter(
            name, _type_name(annotation, default), default, comments.get(name, "")
        )
    return Notebook(path.stem, path, params, _title(nb) or path.stem)


def _source(cell: Mapping[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def read_cells(path: Path) -> list[dict[str, Any]]:
    """The cells of a notebook file, read as the JSON it is (no nbformat import: that
    costs seconds, through jsonschema, on every ``model run``)."""

    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"cannot read the notebook: {exc}", key=f"notebooks/{path.name}") from None
    if not isinstance(cells, list):
        raise InputError("is not a notebook (no list of cells)", key=f"notebooks/{path.name}")
    return [c for c in cells if isinstance(c, dict)]


def code_source(path: Path) -> str:
    """The source of every code cell of a notebook, in order (what the batch fingerprints)."""
    return "\n\x00".join(_source(c) for c in read_cells(path) if c.get("cell_type") == "code")


def _title(nb: list[dict[str, Any]]) -> str:
    """The first heading of the notebook's first Markdown cell."""
    for cell in nb:
        if cell.get("cell_type") == "markdown":
            for line in _source(cell).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
            return ""
    return ""


_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


def coerce(notebook: Notebook, name: str, value: Any) -> Any:
    """``value`` (text from the command line, or a value from a ``-f`` YAML file) as the
    declared type of ``notebook``'s parameter ``name``.

    >>> nb = Notebook("05-x", Path("05-x.ipynb"), {"paths": Parameter("paths", "int", 2000, "")})
    >>> coerce(nb, "paths", "500")
    500
    >>> coerce(nb, "paths", "many")
    Traceback (most recent call last):
    ...
    model.errors.InputError: parameter paths: 'many' is not a whole number (int) for notebook 05-x
    """
    kind = notebook.parameters[name].type_name
    where = f"parameter {name}"
    tail = f"for notebook {notebook.name}"
    if kind == "str" and isinstance(value, dt.date | int | float) and not isinstance(value, bool):
        # a YAML file (-f) gives dates and numbers as such: a text parameter takes them as written
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if not isinstance(value, str):
        ok = {
            "str": False,
            "int": isinstance(value, int) and not isinstance(value, bool),
            "float": isinstance(value, int | float) and not isinstance(value, bool),
            "bool": isinstance(value, bool),
            "list": isinstance(value, list),
        }.get(kind, True)
        if not ok:
            raise InputError(f"{where}: {value} is not a {kind} {tail}")
        return float(value) if kind == "float" else value
    text = value.strip()
    try:
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
    except ValueError:
        word = "whole number" if kind == "int" else "number"
        raise InputError(f"{where}: {value!r} is not a {word} ({kind}) {tail}") from None
    if kind == "bool":
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        raise InputError(f"{where}: {value!r} is not true or false {tail}")
    if kind == "list":
        import yaml

        try:
            parsed = yaml.safe_load(text)
        except yaml.YAMLError:
            parsed = None
        if not isinstance(parsed, list):
            raise InputError(f"{where}: {value!r} is not a list such as [0, -0.05] {tail}")
        return parsed
    return value


def export_html(nb_path: Path, html_path: Path, *, show_code: bool = False) -> None:
    """Export an executed notebook as a report for people: no code (the report's "inputs
    used" block says which parameters, files and software produced it), no prompts, no
    stderr output (warnings are for the developer log, not the credit committee) and no
    cells tagged ``report-omit`` (the key-figures printout that nbval compares: the same
    figures are in the JSON beside the report); the page titled with the notebook's
    heading, and styled for printing (:data:`model.reports.page.PRINT_HEAD`). A failed
    notebook keeps its code, stderr and every cell (``show_code=True``)."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    from model.reports.page import PRINT_HEAD

    nb = nbformat.read(nb_path, as_version=4)
    heading = _title(nb.cells)
    if heading:
        nb.metadata["title"] = heading
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    if not show_code:
        nb.cells = [c for c in nb.cells if "report-omit" not in c.metadata.get("tags", [])]
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.metadata["tags"] = sorted(
                    set(cell.metadata.get("tags", [])) | {"report-hide-input"}
                )
                cell.outputs = [o for o in cell.get("outputs", []) if o.get("name") != "stderr"]
        exporter.register_preprocessor(
            TagRemovePreprocessor(remove_input_tags={"report-hide-input"}, enabled=True),
            enabled=True,
        )
    body, _ = exporter.from_notebook_node(nb)
    body = body.replace("</head>", PRINT_HEAD + "\n</head>", 1)
    html_path.write_text(body, encoding="utf-8")


def point_at_final_folder(nb_path: Path, staging: Path, final: str) -> None:
    """The executed notebook records the folder papermill injected (a staging folder that is
    gone once the report is moved into place) in its parameters and in any printed path:
    show ``final``, the folder the report is moved to as the reader knows it, instead."""
    import nbformat

    forms = sorted({str(staging), paths.shown(staging)}, key=len, reverse=True)

    def fix(text: str) -> str:
        for form in forms:
            text = text.replace(form, final)
        return text

    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = fix(cell.source)
        for output in cell.get("outputs", []):
            if isinstance(output.get("text"), str):
                output["text"] = fix(output["text"])
            for key, value in output.get("data", {}).items():
                if key.startswith("text/") and isinstance(value, str):
                    output["data"][key] = fix(value)
    nbformat.write(nb, nb_path)
