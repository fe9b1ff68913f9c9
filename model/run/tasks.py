"""One report of the batch: what to run (:class:`Task`) and what happened (:class:`Outcome`).

Both are plain, picklable data (strings, numbers, bytes), so any executor can carry them
to a worker process, or to another machine, and back. :func:`execute` is the whole job of
a worker:

* run one notebook with papermill in a scratch folder of its own, made fresh for each
  attempt (``tempfile.mkdtemp``), on a kernel that cannot collide with its neighbours
  (:mod:`model.run.kernel`), started in the task's working folder with the task's
  environment: nothing process-wide is changed (no ``os.chdir``, no ``os.environ``), so
  tasks may share a worker process;
* export its HTML and return every file written, by name and content; the scratch
  folder is removed. The worker never writes into the reports folder: the batch does
  (:mod:`model.run.batch`), so the reports need not be on a file system the worker sees;
* never raise. A failing notebook becomes an :class:`Outcome` with a :class:`Failure`
  (the failing cell as its ``In [n]`` number, the lines around the failing line, the
  error), and the executed notebook is returned as ``NN-name.FAILED.ipynb`` (and
  ``.html``, which keeps the code and opens at the error);
* stop a report that runs longer than ``task.timeout`` seconds (the whole report, wall
  clock): a watchdog kills its kernel and the report fails with that reason.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Task",
    "Outcome",
    "Failure",
    "execute",
    "FAILED_SUFFIX",
    "SOURCE_LINES",
    "DEFAULT_TIMEOUT",
]

#: Suffix of a failed notebook kept for the analyst: ``04-projection.FAILED.ipynb``.
FAILED_SUFFIX = ".FAILED"
#: Lines of the failing cell shown in the index and the run summary, around the failing line.
SOURCE_LINES = 6


DEFAULT_TIMEOUT = 1800.0
"""Seconds a report may take before it is stopped (``model run --timeout``): a report takes
seconds; this bounds a kernel that hangs or loops, which no executor's memory limit sees."""

MAX_TIMEOUT = 30 * 24 * 3600.0
"""The longest timeout of a report: 30 days (a timer much longer overflows the clock)."""


@dataclass(frozen=True)
class Task:
    """One notebook for one scenario (or once, for the historical notebooks).

    ``folder`` is where the report goes, relative to the output folder (``base``,
    ``historical``); ``parameters`` are the notebook's parameters other than
    ``output_dir`` (the worker sets that to its scratch folder); ``notebook_path`` and
    ``cwd`` (the folder the kernel starts in) must exist where the task runs;
    ``display_root`` is the folder the reports will be in, as the report should name it;
    ``fingerprint`` identifies the inputs (:mod:`model.run.batch`); ``timeout`` is the
    most seconds the whole report may take (None: no limit); ``env`` is added to the
    kernel's environment; ``scratch`` is the folder the worker makes its scratch folder in
    (None: the worker's temporary folder).
    """

    notebook: str
    folder: str
    scenario: str
    notebook_path: str
    parameters: dict[str, Any]
    display_root: str
    cwd: str
    fingerprint: str = ""
    scenario_title: str = ""
    timeout: float | None = None
    kernel_name: str = "python3"
    env: dict[str, str] = field(default_factory=dict)
    scratch: str | None = None

    @property
    def key(self) -> str:
        """``folder/notebook``: unique in a batch."""
        return f"{self.folder}/{self.notebook}"


@dataclass(frozen=True)
class Failure:
    """Where and why a report failed: ``cell`` is the failing cell's ``In [n]`` number in
    the executed notebook (None when no cell raised: a timeout, a kernel or worker that
    died, an export that failed); ``source`` the lines around the failing line."""

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
        """``In [3]: ValueError: ...`` or the reason when no cell raised."""
        what = f"{self.error}: {self.message}" if self.message else self.error
        return f"In [{self.cell}]: {what}" if self.cell is not None else what


@dataclass(frozen=True)
class Outcome:
    """What a worker did with a :class:`Task`: ``status`` is ``"ok"`` or ``"failed"``;
    ``files`` the files to put in place, by name and content (a failed report: only its
    FAILED notebook and HTML); ``seconds`` the wall time."""

    key: str
    status: str
    seconds: float
    files: tuple[tuple[str, bytes], ...] = ()
    failure: Failure | None = None
    worker: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.files)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _first_lines(source: str, n: int = SOURCE_LINES) -> str:
    lines = source.strip("\n").splitlines()
    return "\n".join(lines[:n] + (["..."] if len(lines) > n else []))


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


def _failure_from(exc: BaseException, timed_out: float | None) -> Failure:
    from papermill.exceptions import PapermillExecutionError

    if timed_out is not None:
        return Failure(
            None, "", "Timeout", f"the report ran longer than {timed_out:g} s and was stopped"
        )
    if isinstance(exc, PapermillExecutionError):
        return Failure(
            exc.exec_count, _failing_lines(exc.source, exc.traceback), exc.ename, str(exc.evalue)
        )
    text = str(exc).strip()
    return Failure(None, "", type(exc).__name__, text.splitlines()[0] if text else "")


class _Watchdog:
    """Kill the task's kernel when the report runs longer than ``seconds``."""

    def __init__(self, seconds: float | None, manager_class: Any) -> None:
        self.seconds = seconds
        self.fired = False
        self._managers = manager_class.instances
        self._timer = threading.Timer(seconds, self._fire) if seconds else None
        if self._timer is not None:
            self._timer.daemon = True
            self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        for manager in list(self._managers):
            manager.kill_now()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def execute(task: Task) -> Outcome:
    """Run ``task`` (see the module docstring). Never raises for a failing report."""
    import papermill as pm

    from model.run.kernel import KERNEL_START_TIMEOUT, kernel_manager_for
    from model.run.notebooks import export_html, point_at_final_folder

    started = time.perf_counter()
    # the batch's scratch folder when this worker sees it (a remote worker does not)
    base = task.scratch if task.scratch and Path(task.scratch).is_dir() else None
    work = Path(tempfile.mkdtemp(prefix="model-task-", dir=base))
    executed = work / f"{task.notebook}.ipynb"
    manager = kernel_manager_for(task.env, base)
    watchdog = _Watchdog(task.timeout, manager)
    try:
        try:
            pm.execute_notebook(
                task.notebook_path,
                str(executed),
                parameters=task.parameters | {"output_dir": str(work)},
                kernel_name=task.kernel_name,
                kernel_manager_class=manager,
                start_timeout=KERNEL_START_TIMEOUT,
                resources={"metadata": {"path": task.cwd}},  # the kernel's folder, no chdir
                progress_bar=False,
                log_output=False,
            )
            point_at_final_folder(executed, work, task.display_root)
            export_html(executed, executed.with_suffix(".html"))
        except Exception as exc:  # one report's failure, never the batch's
            failure = _failure_from(exc, task.timeout if watchdog.fired else None)
            return Outcome(
                task.key,
                "failed",
                round(time.perf_counter() - started, 2),
                _kept_failure(task, work, executed),
                failure,
                worker=_worker(),
            )
        finally:
            watchdog.cancel()
        return Outcome(
            task.key, "ok", round(time.perf_counter() - started, 2), _read(work), worker=_worker()
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _read(work: Path) -> tuple[tuple[str, bytes], ...]:
    """The files a report wrote (not hidden ones: an atomic writer's temporary files)."""
    return tuple(
        (f.name, f.read_bytes())
        for f in sorted(work.iterdir())
        if f.is_file() and not f.name.startswith(".")
    )


def _kept_failure(task: Task, work: Path, executed: Path) -> tuple[tuple[str, bytes], ...]:
    """The executed notebook of a failed report as ``NN-name.FAILED.ipynb`` and its HTML
    (code kept, opening at the error); nothing else the report wrote."""
    from model.run.notebooks import export_html, point_at_final_folder

    if not executed.exists():
        return ()
    failed = work / f"{task.notebook}{FAILED_SUFFIX}.ipynb"
    try:
        point_at_final_folder(executed, work, task.display_root)
        executed.replace(failed)
        export_html(failed, failed.with_suffix(".html"), show_code=True)
    except Exception:  # the FAILED copy is a courtesy; the failure is what matters
        traceback.print_exc()
    return tuple(
        (f.name, f.read_bytes())
        for f in sorted(work.iterdir())
        if f.is_file() and f.name.startswith(failed.stem)
    )


def _worker() -> str:
    import os
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"
