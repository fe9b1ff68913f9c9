"""``model run``: every notebook for every scenario, in parallel, never half-failing.

What runs is planned in :mod:`model.run.plan`; how a worker runs one report is
:func:`model.run.tasks.execute`; where it runs is an executor
(:mod:`model.run.executors`). This module puts the results in place.

One run at a time
    A run holds a lock on ``<out>/.model-run.lock``; a second run into the same folder is
    refused, naming the first one's process. Staging folders left by a run that crashed
    are removed.

Reuse
    A report is not run again when its fingerprint (notebook, parameters, package,
    kernel: :func:`model.run.plan.fingerprint`) is the one in ``index.json``, every file
    it read still has the SHA-256 its key figures list, and every file of the report is
    in place with the SHA-256 the index recorded (a report a crash left half replaced is
    run again). ``force=True`` reruns.

Putting a report in place
    A worker returns the report's files by content. The batch writes them into a staging
    folder inside ``<out>`` (same file system) and renames each onto
    ``<out>/<folder>/<name>``; files of the report's previous version that the new one no
    longer has are removed; then ``index.json`` and ``index.html`` are rewritten (each
    atomically). A report is replaced only once the new one is complete; a failed report
    keeps the previous good one and adds ``NN-name.FAILED.ipynb`` and ``.html``. Any error
    while putting a report in place (a folder where a file should be, a full disk) is that
    report's failure, not the batch's.

Stopping
    SIGINT and SIGTERM only set a flag. The batch looks at it between reports (and the
    executor while it waits, every 0.2 s), so a signal never lands between two renames;
    then it stops the executor (the workers are terminated; their kernels exit when their
    parent does), removes the staging folder, writes the index of what completed, and
    raises :class:`Interrupted` (the command exits 130 or 143). More signals while it
    cleans up are ignored.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import math
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model import __version__, paths
from model.errors import InputError
from model.reports.index import INDEX_FORMAT, write_index
from model.run.executors import make_executor
from model.run.folder import check_state, open_lock, previous_index
from model.run.kernel import KERNEL_ENV
from model.run.notebooks import list_notebooks, notebook_info
from model.run.plan import (
    Planned,
    files_read,
    find_deals,
    fingerprint,
    notebook_fingerprint,
    package_fingerprint,
    plan,
    select_notebooks,
    sha256,
    unchanged,
)
from model.run.tasks import DEFAULT_TIMEOUT, FAILED_SUFFIX, MAX_TIMEOUT, Failure, Outcome, Task
from model.terms.sets import parse_sets

__all__ = ["BatchResult", "Interrupted", "run_batch"]

LOCK_NAME = ".model-run.lock"
STAGING_PREFIX = ".staging-"


class Interrupted(BaseException):
    """The batch was stopped by a signal (``signum``); what completed is in place."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum


@dataclass
class BatchResult:
    """What a batch did: the index entries of this run (one per report, in plan order),
    the output folder, and the paths of the index files."""

    out: Path
    entries: list[dict[str, Any]]
    index_html: Path
    index_json: Path
    seconds: float
    workers: int
    executor: str
    interrupted: bool = False

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [e for e in self.entries if e["status"] == "failed"]

    def count(self, status: str) -> int:
        return sum(e["status"] == status for e in self.entries)


# --- folders ------------------------------------------------------------------------------


def _output_folder(out: Path) -> Path:
    if out.is_symlink() and not out.exists():
        raise InputError(f"{paths.shown(out)} is a broken symbolic link", key="--out")
    if out.exists() and not out.is_dir():
        raise InputError(
            f"{paths.shown(out)} is a file, not a folder: give a folder for the reports",
            key="--out",
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot create the folder {paths.shown(out)}: {exc.strerror or exc}", key="--out"
        ) from None
    return out.resolve()


def _report_folder(out: Path, folder: str) -> Path:
    """``<out>/<folder>``, which must be (or become) a real folder inside ``out``."""
    target = paths.safe_join(out, folder)
    if (out / folder).is_symlink():
        raise InputError(
            f"{paths.shown(out / folder)} is a symbolic link: reports are written into a real "
            "folder inside the output folder",
            key="--out",
        )
    if target.exists() and not target.is_dir():
        raise InputError(
            f"{paths.shown(target)} is a file where the folder {folder!r} of the reports should "
            "be: move it away",
            key="--out",
        )
    return target


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold ``<out>/.model-run.lock`` (see the module docstring)."""
    handle = open_lock(out / LOCK_NAME)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        owner = handle.read().strip() or "unknown"
        handle.close()
        raise InputError(
            f"another model run is writing to {paths.shown(out)} (process {owner}); wait for it "
            "or give another --out",
            key="--out",
        ) from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        for stale in out.glob(f"{STAGING_PREFIX}*"):  # left by a run that crashed
            shutil.rmtree(stale, ignore_errors=True)
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _kill_strays(scratch: Path) -> None:
    """Kill any kernel still running from ``scratch`` (its command line names its
    connection file there): a worker killed while it started a kernel leaves the kernel to
    exit by itself a second later, after it has written its connection file again."""
    proc = Path("/proc")
    if not proc.is_dir():
        return
    mark = str(scratch).encode()
    for entry in proc.glob("[0-9]*"):
        try:
            if int(entry.name) != os.getpid() and mark in (entry / "cmdline").read_bytes():
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ValueError):
            continue


def _remove(folder: Path, seconds: float = 5.0) -> None:
    """Remove ``folder``; a worker killed a moment ago may still have been writing into it
    (a kernel's connection file), so try again for a few seconds."""
    deadline = time.monotonic() + seconds
    while True:
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists() or time.monotonic() > deadline:
            return
        time.sleep(0.2)


# --- signals ------------------------------------------------------------------------------


@dataclass
class _Stop:
    signum: int | None = None

    def __call__(self) -> bool:
        return self.signum is not None


@contextlib.contextmanager
def _stop_flag() -> Iterator[_Stop]:
    """SIGINT and SIGTERM set the flag (main thread only; elsewhere the defaults stay)."""
    stop = _Stop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum: int, _frame: Any) -> None:
        if stop.signum is None:
            stop.signum = signum
            print(
                f"model run: {signal.Signals(signum).name} received: stopping; completed reports "
                "stay in place",
                file=sys.stderr,
                flush=True,
            )

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for s, h in old.items():
            signal.signal(s, h)


# --- reuse --------------------------------------------------------------------------------


def _in_place(folder: Path, files: Mapping[str, str]) -> bool:
    """Every file of a report is in ``folder`` with the SHA-256 recorded."""
    for name, digest in files.items():
        path = folder / name
        if path.is_symlink() or not path.is_file() or sha256(path.read_bytes()) != digest:
            return False
    return True


def _reusable(before: Mapping[str, Any] | None, fp: str, folder: Path) -> bool:
    return (
        before is not None
        and before.get("status") in ("ok", "reused")
        and before.get("fingerprint") == fp
        and isinstance(before.get("files_read"), dict)
        and isinstance(before.get("files"), dict)
        and _in_place(folder, before["files"])
        and unchanged(before["files_read"])
    )


# --- putting a report in place ----------------------------------------------------------


def _put_in_place(
    stage: Path, folder: Path, outcome: Outcome, notebook: str, before: Mapping[str, Any] | None
) -> dict[str, str]:
    """Write the report's files into ``stage``, rename each onto ``folder`` (see the module
    docstring); returns name -> SHA-256 of the files put in place."""
    stage.mkdir(parents=True, exist_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, str] = {}
    for name, data in outcome.files:
        if "/" in name or name.startswith("."):
            raise InputError(f"a report may not write {name!r}", key=notebook)
        target = folder / name  # not resolved: a symbolic link here is replaced, not followed
        if target.is_dir() and not target.is_symlink():
            raise InputError(f"{paths.shown(target)} is a folder where the report's file goes")
        (stage / name).write_bytes(data)
        os.chmod(stage / name, 0o644)
        written[name] = sha256(data)
    for name in written:
        os.replace(stage / name, folder / name)
    if outcome.status == "ok":
        old = (
            set((before or {}).get("files") or {})
            if (before or {}).get("status") != "failed"
            else set()
        )
        stale = {f"{notebook}{FAILED_SUFFIX}.ipynb", f"{notebook}{FAILED_SUFFIX}.html"} | old
        for name in stale - set(written):
            if "/" not in name and not name.startswith("."):
                with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                    (folder / name).unlink()
    shutil.rmtree(stage, ignore_errors=True)
    return written


# --- progress -----------------------------------------------------------------------------


class _Progress:
    """A tqdm bar on a terminal; one plain line per report otherwise."""

    def __init__(self, total: int, stream: Any = None, bar: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total = total
        self.done = 0
        self.failed = 0
        use_bar = self.stream.isatty() if bar is None else bar
        self.bar = None
        if use_bar and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="report", file=self.stream, dynamic_ncols=True)

    def update(self, entry: Mapping[str, Any]) -> None:
        self.done += 1
        self.failed += entry["status"] == "failed"
        key = f"{entry['folder']}/{entry['notebook']}"
        if self.bar is not None:
            self.bar.set_postfix_str(f"failed {self.failed}, last {key}")
            self.bar.update(1)
            return
        width = len(str(self.total))
        what = entry["status"]
        if what == "failed":
            what += f" ({entry['failure']['error']})"
        seconds = f"{entry['seconds']:.1f} s" if entry["status"] != "reused" else "inputs unchanged"
        print(
            f"[{self.done:>{width}}/{self.total}] {key}: {what}, {seconds}",
            file=self.stream,
            flush=True,
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# --- the run ------------------------------------------------------------------------------


@dataclass
class _Run:
    out: Path
    stage: Path
    scratch: Path
    previous: dict[str, dict[str, Any]]
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _entry(item: Planned, fp: str, **fields: Any) -> dict[str, Any]:
    return {
        "notebook": item.book.name,
        "deal": item.deal,
        "deal_title": item.deal_title,
        "folder": item.folder,
        "scenario": item.scenario.name if item.scenario else None,
        "scenario_title": item.scenario.title if item.scenario else "",
        "parameters": item.parameters,
        "variant": item.variant,
        "fingerprint": fp,
        **fields,
    }


def run_batch(
    notebooks: Sequence[str] | None = None,
    scenarios: Sequence[str] | None = None,
    parameters: Mapping[str, Any] | None = None,
    out: str | os.PathLike[str] | None = None,
    *,
    deals: Sequence[str] | None = None,
    workers: int | None = None,
    executor: str = "local",
    force: bool = False,
    timeout: float | None = DEFAULT_TIMEOUT,
    kernel_name: str = "python3",
    progress: Any = None,
    progress_bar: bool | None = None,
    notebooks_dir: str | os.PathLike[str] | None = None,
    sets: Mapping[str, Any] | str | None = None,
) -> BatchResult:
    """Run the batch (see the module docstring) and write ``<out>/index.html`` and
    ``<out>/index.json``. Call it under ``if __name__ == "__main__":`` in a script: the
    local executor starts its workers with ``spawn``, which imports the main module.

    Parameters
    ----------
    notebooks : names (``"04-projection"``), default every numbered notebook.
    scenarios : names of files in each deal's scenarios folder (``NAME`` for
        ``params/deals/<deal>/scenarios/NAME.yaml``) or scenario files under ``params/``;
        default every scenario file of each deal's scenarios folder.
    parameters : name -> value (text is converted to the declared type).
    out : output folder, default ``reports/`` (relative paths from the project root).
    deals : names of ``params/deals/<deal>/``; default every deal.
    workers : processes (default: the number of cores).
    executor : ``"local"`` or another registered executor, ``NAME=ADDRESS`` for one that
        takes an address.
    force : rerun reports whose inputs are unchanged.
    timeout : seconds a whole report may take before it is stopped and fails (default
        :data:`DEFAULT_TIMEOUT`; None: no limit).
    notebooks_dir : the notebooks' folder (default ``notebooks/``); kernels start in it.
    sets : inputs set for this run (``{"drivers.capex_unfunded": 5000000}`` or
        ``"drivers.capex_unfunded=5000000"``), given to the notebooks that take
        ``overrides``. A run with sets, or with parameters that differ from a notebook's
        defaults, writes into its own folder (``<scenario>--<what changed>``): the report of
        the files as written is never replaced.

    Raises
    ------
    InputError
        Before anything runs: an unknown notebook, scenario or parameter, a value of the
        wrong type, an output folder that cannot be used or that another run holds.
    Interrupted
        SIGINT or SIGTERM: what completed is in place and indexed, nothing half-written.
    """
    book_folder = paths.resolve(notebooks_dir) if notebooks_dir else paths.NOTEBOOKS
    books = select_notebooks(notebooks, book_folder)
    available = [p.stem for p in list_notebooks(book_folder)]
    planned = plan(
        find_deals(deals), books, scenarios, dict(parameters or {}), available, parse_sets(sets)
    )
    if timeout is not None and not (
        isinstance(timeout, int | float) and math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT
    ):
        raise InputError(
            f"the timeout is a number of seconds above 0 and at most {MAX_TIMEOUT:,.0f}, not "
            f"{timeout}",
            key="--timeout",
        )
    pool = make_executor(executor, workers)
    target = _output_folder(paths.resolve(out or paths.REPORTS))
    folders = {item.folder: _report_folder(target, item.folder) for item in planned}
    titles = {b.name: b.title for b in map(notebook_info, list_notebooks(book_folder))}
    check_state(target, ("index.json", "index.html"))
    with _locked(target):
        run = _Run(
            target,
            Path(tempfile.mkdtemp(dir=target, prefix=STAGING_PREFIX)),
            Path(tempfile.mkdtemp(prefix="model-run-")),
            previous_index(target, INDEX_FORMAT),
        )
        try:
            return _execute(
                run,
                planned,
                folders,
                pool,
                titles,
                force,
                timeout,
                kernel_name,
                book_folder,
                progress,
                progress_bar,
            )
        finally:
            _kill_strays(run.scratch)
            _remove(run.stage)
            _remove(run.scratch)


def _execute(
    run: _Run,
    planned: Sequence[Planned],
    folders: Mapping[str, Path],
    pool: Any,
    titles: Mapping[str, str],
    force: bool,
    timeout: float | None,
    kernel_name: str,
    book_folder: Path,
    progress: Any,
    progress_bar: bool | None,
) -> BatchResult:
    package = package_fingerprint()
    book_hash = {item.book.name: notebook_fingerprint(item.book) for item in planned}
    order = [item.key for item in planned]
    tasks: list[Task] = []
    by_key: dict[str, Planned] = {}
    with _stop_flag() as stop:
        for item in planned:
            fp = fingerprint(book_hash[item.book.name], package, item.parameters, kernel_name)
            before = run.previous.get(item.key)
            if not force and _reusable(before, fp, folders[item.folder]):
                assert before is not None
                run.entries[item.key] = _entry(
                    item,
                    fp,
                    status="reused",
                    seconds=0.0,
                    files=before["files"],
                    files_read=before["files_read"],
                    completed_at=before.get("completed_at"),
                    failure=None,
                )
                continue
            by_key[item.key] = item
            tasks.append(
                Task(
                    notebook=item.book.name,
                    folder=item.folder,
                    scenario=item.scenario.name if item.scenario else "",
                    notebook_path=str(item.book.path),
                    parameters=item.parameters,
                    display_root=paths.shown(folders[item.folder]),
                    cwd=str(book_folder),
                    fingerprint=fp,
                    scenario_title=item.scenario.title if item.scenario else "",
                    timeout=timeout,
                    kernel_name=kernel_name,
                    env=dict(KERNEL_ENV),
                    scratch=str(run.scratch),
                )
            )
            if stop():
                break
        bar = _Progress(len(order), progress, progress_bar)
        for key in order:
            if key in run.entries:
                bar.update(run.entries[key])
        try:
            with pool if tasks else contextlib.nullcontext():  # every report reused: no workers
                if tasks and not stop():
                    for task, outcome in pool.run(tasks, stop):
                        entry = _record(run, by_key[task.key], task, outcome, folders[task.folder])
                        run.entries[task.key] = entry
                        bar.update(entry)
                        _index(run, order, pool, titles, stop)
                        if stop():
                            break
                if stop():
                    pool.stop()
        finally:
            bar.close()
        result = _index(run, order, pool, titles, stop)
    if stop.signum is not None:
        raise Interrupted(stop.signum)
    return result


def _record(run: _Run, item: Planned, task: Task, outcome: Outcome, folder: Path) -> dict[str, Any]:
    """Put a finished report in place; its index entry."""
    before = run.previous.get(task.key) or run.entries.get(task.key)
    try:
        files = _put_in_place(run.stage / task.key, folder, outcome, task.notebook, before)
    except (OSError, InputError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        failure = Failure(
            None, "", "NotPutInPlace", f"the report could not be put in place: {reason}"
        )
        return _entry(
            item,
            task.fingerprint,
            status="failed",
            seconds=outcome.seconds,
            files={},
            files_read=None,
            completed_at=_now(),
            failure=failure.as_dict(),
            worker=outcome.worker,
        )
    figures = dict(outcome.files).get(f"{task.notebook}.json")
    return _entry(
        item,
        task.fingerprint,
        status=outcome.status,
        seconds=outcome.seconds,
        files=files,
        files_read=files_read(figures) if outcome.status == "ok" else None,
        completed_at=_now(),
        failure=outcome.failure.as_dict() if outcome.failure else None,
        worker=outcome.worker,
    )


def _index(
    run: _Run,
    order: Sequence[str],
    pool: Any,
    titles: Mapping[str, str],
    stop: _Stop,
) -> BatchResult:
    seconds = round(time.perf_counter() - run.started, 1)
    ordered = [run.entries[k] for k in order if k in run.entries]
    info = {
        "started_at": run.started_at.isoformat(timespec="seconds"),
        "finished_at": _now(),
        "seconds": seconds,
        "workers": pool.workers,
        "executor": pool.name,
        "version": __version__,
        "planned": len(order),
        "interrupted": stop(),
    }
    html_path, json_path = write_index(run.out, ordered, info, titles=titles, previous=run.previous)
    return BatchResult(
        run.out, ordered, html_path, json_path, seconds, pool.workers, pool.name, stop()
    )
