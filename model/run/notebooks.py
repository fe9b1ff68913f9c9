"""The main job: execute the notebooks with papermill into ``reports/`` and export HTML.

Each notebook is run top to bottom with its parameters (defaults, or overrides
given on the command line), written to ``reports/<name>.ipynb`` and exported to
``reports/<name>.html`` with nbconvert; each notebook also writes its key figures
to ``reports/<name>.json``. A run writes into a temporary folder first and moves
the results into place only when every notebook succeeded, so a failed run never
leaves a half-written set of reports.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from model import paths
from model.errors import InputError

__all__ = ["list_notebooks", "run_notebooks"]


def list_notebooks(folder: Path | None = None) -> list[Path]:
    """The numbered notebooks in ``notebooks/`` (``NN-topic.ipynb``), in order."""
    folder = folder or paths.NOTEBOOKS
    return sorted(p for p in folder.glob("[0-9][0-9]-*.ipynb"))


def _export_html(nb_path: Path, html_path: Path) -> None:
    """Export an executed notebook as a report for people: no code at all (the report's
    "inputs used" block says which parameters, files and software produced it), no prompts,
    and no stderr output (warnings are for the developer log, not the credit committee)."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.metadata["tags"] = sorted(
                set(cell.metadata.get("tags", [])) | {"report-hide-input"}
            )
            cell.outputs = [o for o in cell.get("outputs", []) if o.get("name") != "stderr"]
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_input_tags={"report-hide-input"}, enabled=True), enabled=True
    )
    body, _ = exporter.from_notebook_node(nb)
    html_path.write_text(body, encoding="utf-8")


def _point_at_final_folder(nb_path: Path, staging: Path, final: Path) -> None:
    """The executed notebook records the folder papermill injected (a staging folder that is
    gone once the run is moved into place), in its parameters and in any printed path: show
    the folder the reports were moved to instead."""
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = cell.source.replace(str(staging), str(final))
        for output in cell.get("outputs", []):
            if isinstance(output.get("text"), str):
                output["text"] = output["text"].replace(str(staging), str(final))
            for key, value in output.get("data", {}).items():
                if key.startswith("text/") and isinstance(value, str):
                    output["data"][key] = value.replace(str(staging), str(final))
    nbformat.write(nb, nb_path)


def _select(names: Sequence[str] | None) -> list[Path]:
    books = list_notebooks()
    if not names:
        return books
    wanted = {n.removesuffix(".ipynb") for n in names}
    unknown = wanted - {b.stem for b in books}
    if unknown:
        raise InputError(
            f"no such notebook(s): {', '.join(sorted(unknown))}; available: "
            f"{', '.join(b.stem for b in books)}",
            key="notebooks",
        )
    return [b for b in books if b.stem in wanted]


def _declared(books: Sequence[Path], parameters: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Each notebook's declared parameters; a parameter no notebook declares is an error."""
    import papermill as pm

    if "output_dir" in parameters:
        raise InputError(
            "output_dir is chosen with -o/--output-dir, not as a parameter", key="output_dir"
        )
    declared = {b.stem: pm.inspect_notebook(str(b)) for b in books}
    known = {k for d in declared.values() for k in d}
    unused = set(parameters) - known
    if unused:
        raise InputError(
            f"parameter(s) {', '.join(sorted(unused))} not declared by "
            f"{', '.join(declared)}; check the spelling (declared: "
            f"{', '.join(sorted(known - {'output_dir'}))})",
            key="parameters",
        )
    return declared


def _execute(
    book: Path, work: Path, params: dict[str, Any], out: Path, kernel_name: str, html: bool
) -> dict[str, Any]:
    """Run one notebook into ``work`` (a staging folder), export its HTML."""
    import papermill as pm

    target = work / book.name
    t0 = time.perf_counter()
    pm.execute_notebook(
        str(book),
        str(target),
        parameters=params | {"output_dir": str(work)},
        kernel_name=kernel_name,
        cwd=str(paths.NOTEBOOKS),
        progress_bar=False,
    )
    _point_at_final_folder(target, work, out)
    if html:
        _export_html(target, target.with_suffix(".html"))
    return {
        "name": book.stem,
        "parameters": params | {"output_dir": str(out)},
        "seconds": round(time.perf_counter() - t0, 1),
        "completed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "files": sorted(f.name for f in work.iterdir() if f.is_file()),
    }


def _update_index(out: Path, results: Sequence[dict[str, Any]]) -> None:
    index_path = out / "index.json"
    index: dict[str, Any] = {}
    if index_path.exists():
        try:
            index = {e["name"]: e for e in json.loads(index_path.read_text()) if "name" in e}
        except (ValueError, TypeError, KeyError):
            index = {}
    index.update({r["name"]: r for r in results})
    index_path.write_text(
        json.dumps(sorted(index.values(), key=lambda e: e["name"]), indent=2) + "\n",
        encoding="utf-8",
    )


def _make_output_dir(out: Path) -> None:
    """Create the output folder (and its parents); a path that is a file, or a folder that
    cannot be created, is an :class:`~model.errors.InputError` naming it."""
    if out.exists() and not out.is_dir():
        raise InputError(
            f"{paths.shown(out)} is a file, not a folder: give a folder for the reports",
            key="output_dir",
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot create the folder {paths.shown(out)}: {exc.strerror or exc}",
            key="output_dir",
        ) from None


def run_notebooks(
    names: Sequence[str] | None = None,
    parameters: Mapping[str, Any] | None = None,
    output_dir: str | Path | None = None,
    kernel_name: str = "python3",
    html: bool = True,
) -> list[dict[str, Any]]:
    """Execute notebooks into ``output_dir`` (default ``reports/``) with HTML exports.

    Parameters
    ----------
    names : sequence of str, optional
        Notebook stems (``"01-interest-accrual"``); default: all numbered notebooks.
    parameters : mapping, optional
        Parameters passed to every notebook that declares them (others are skipped
        for that notebook, so one value can target one notebook).
    output_dir : path, optional
        Where reports go; relative paths are taken from the project root.

    Returns
    -------
    list of dict
        One entry per notebook: name, seconds, and the paths written.

    Raises
    ------
    InputError
        An unknown notebook or parameter; an output folder that is a file or cannot be
        created.
    papermill.PapermillExecutionError
        A notebook failed; nothing was moved into ``output_dir``.
    """
    parameters = dict(parameters or {})
    out = paths.resolve(output_dir or paths.REPORTS)
    books = _select(names)
    declared = _declared(books, parameters)
    _make_output_dir(out)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(dir=out, prefix=".run-") as tmp:
        staging = Path(tmp)
        for book in books:
            work = staging / book.stem
            work.mkdir()
            params = {k: v for k, v in parameters.items() if k in declared[book.stem]}
            results.append(_execute(book, work, params, out, kernel_name, html))
        for r in results:  # every notebook succeeded: move the whole set into place
            for name in r["files"]:
                shutil.move(str(staging / r["name"] / name), str(paths.safe_join(out, name)))
    _update_index(out, results)
    return results
