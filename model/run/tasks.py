"""One report of the batch: what to run (:class:`Task`) and what happened (:class:`Outcome`).

Both are plain, picklable data (strings, numbers, dicts), so any executor can carry them
to a worker process or another machine and back. :func:`execute` is the whole job of a
worker: run one notebook with papermill into the task's staging folder on a kernel that
cannot collide with its neighbours (:mod:`model.run.kernel`), export its HTML, and report
the files written. It never raises: a failing notebook becomes an :class:`Outcome` with
the failing cell, its first lines of source and the error, and the executed notebook is
kept as ``NN-name.FAILED.ipynb`` (and ``.html``, opening at the error) for the analyst.
Moving files into the reports folder is the batch's job, not the worker's
(:mod:`model.run.batch`), so a worker that is killed leaves only its staging folder.
"""

from __future__ import annotations

import os
import re
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Task", "Outcome", "Failure", "execute", "FAILED_SUFFIX", "SOURCE_LINES"]

#: Suffix of a failed notebook kept for the analyst: ``04-projection.FAILED.ipynb``.
FAILED_SUFFIX = ".FAILED"
#: Lines of the failing cell's source shown in the index and the run summary.
SOURCE_LINES = 6


@dataclass(frozen=True)
class Task:
    """One notebook for one scenario (or once, for the historical notebooks).

    ``parameters`` are the notebook's parameters other than ``output_dir`` (the worker sets
    that to the staging folder); ``staging`` is an absolute folder the worker writes into
    and nothing else; ``notebook_path`` the absolute notebook file; ``cwd`` the folder the
    kernel starts in (the notebooks folder); ``fingerprint`` identifies the inputs
    (:mod:`model.run.batch`); ``display_root`` is the folder the reports will finally be in,
    as the report should show it (never the staging folder).
    """

    notebook: str
    scenario: str
    notebook_path: str
    parameters: dict[str, Any]
    staging: str
    display_root: str
    cwd: str
    fingerprint: str = ""
    scenario_title: str = ""
    timeout: int | None = None
    kernel_name: str = "python3"
    env: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """``scenario/notebook``: unique in a batch."""
        return f"{self.scenario}/{self.notebook}"


@dataclass(frozen=True)
class Failure:
    """Where and why a notebook failed."""

    cell: int | None
    source: str
    error: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "cell": self.cell,
            "source": self.source,
            "error": self.error,
            "message": self.message,
        }

    def describe(self) -> str:
        where = f"cell {self.cell}" if self.cell is not None else "before any cell ran"
        return f"{where}: {self.error}: {self.message}".rstrip(": ")


@dataclass(frozen=True)
class Outcome:
    """What a worker did with a :class:`Task`: ``status`` is ``"ok"`` or ``"failed"``;
    ``files`` the names written in the task's staging folder; ``seconds`` the wall time."""

    key: str
    status: str
    seconds: float
    files: tuple[str, ...] = ()
    failure: Failure | None = None
    worker: str = ""


def _first_lines(source: str, n: int = SOURCE_LINES) -> str:
    lines = source.strip("\n").splitlines()
    return "\n".join(lines[:n] + (["..."] if len(lines) > n else []))


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _failing_lines(source: str, traceback_lines: list[str], around: int = 3) -> str:
    """The lines of the failing cell around the line that raised (marked ``-->``), found
    in IPython's traceback (``Cell In[3], line 12``); the first lines when not found."""
    text = _ANSI.sub("", "\n".join(traceback_lines or []))
    found = re.findall(r"Cell In\[\d+\], line (\d+)", text)
    lines = source.splitlines()
    if not found:
        return _first_lines(source)
    n = int(found[0])
    if not 1 <= n <= len(lines):
        return _first_lines(source)
    lo, hi = max(1, n - around), min(len(lines), n + 1)
    return "\n".join(
        f"{'-->' if i == n else '   '} {i:>3} {lines[i - 1]}" for i in range(lo, hi + 1)
    )


def _failure_from(exc: BaseException) -> Failure:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return Failure(
            exc.exec_count, _failing_lines(exc.source, exc.traceback), exc.ename, str(exc.evalue)
        )
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return Failure(None, "", type(exc).__name__, message)


def execute(task: Task) -> Outcome:
    """Run ``task`` (see the module docstring). Never raises for a failing notebook."""
    import papermill as pm

    from model.run.kernel import KERNEL_START_TIMEOUT, IPCKernelManager
    from model.run.notebooks import export_html, point_at_final_folder

    started = time.perf_counter()
    work = Path(task.staging)
    work.mkdir(parents=True, exist_ok=True)
    executed = work / f"{task.notebook}.ipynb"
    os.environ.update(task.env)
    try:
        pm.execute_notebook(
            task.notebook_path,
            str(executed),
            parameters=task.parameters | {"output_dir": str(work)},
            kernel_name=task.kernel_name,
            kernel_manager_class=IPCKernelManager,
            start_timeout=KERNEL_START_TIMEOUT,
            execution_timeout=task.timeout,
            cwd=task.cwd,
            progress_bar=False,
            log_output=False,
        )
        point_at_final_folder(executed, work, task.display_root)
        export_html(executed, executed.with_suffix(".html"))
    except Exception as exc:  # one report's failure, never the batch's
        failure = _failure_from(exc)
        kept: list[str] = []
        if executed.exists():
            failed = work / f"{task.notebook}{FAILED_SUFFIX}.ipynb"
            try:
                point_at_final_folder(executed, work, task.display_root)
                os.replace(executed, failed)
                export_html(failed, failed.with_suffix(".html"), show_code=True)
            except Exception:  # the FAILED copy is a courtesy; the failure is what matters
                traceback.print_exc()
            kept = [f.name for f in work.iterdir() if f.name.startswith(failed.stem)]
        return Outcome(
            task.key,
            "failed",
            round(time.perf_counter() - started, 2),
            tuple(sorted(kept)),
            failure,
            worker=str(os.getpid()),
        )
    files = tuple(sorted(f.name for f in work.iterdir() if f.is_file()))
    return Outcome(
        task.key, "ok", round(time.perf_counter() - started, 2), files, worker=str(os.getpid())
    )
