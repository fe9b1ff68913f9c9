"""``model run``: every notebook for every scenario, in parallel, never half-failing.

Plan
    The notebooks that declare ``scenario_file`` run once per scenario (default: every
    ``kind: scenario`` file of ``params/scenarios/``), the others (the historical reports)
    once, into ``<out>/historical/``. Parameters given by the user go to every selected
    notebook that declares them, converted to the declared type
    (:func:`model.run.notebooks.coerce`); one no selected notebook declares is an error
    naming the notebooks. Scenario and notebook names become folder and file names only
    after :func:`safe_name`; every path written is joined with
    :func:`model.paths.safe_join`, so nothing lands outside the output folder (a symlink
    pointing out of it is refused too).

Reuse
    A report is not run again when its inputs are unchanged: the same notebook code, the
    same parameters, the same package (version and source), and the same contents of every
    file it read the last time (the key-figures JSON lists them with their SHA-256). The
    fingerprint and the files read are kept in ``<out>/index.json``; ``force=True`` reruns.

Run
    Tasks go to an executor (:mod:`model.run.executors`); each worker runs papermill into
    its own staging folder inside ``<out>/.staging-*`` (same file system, so the final
    rename is atomic). As each report completes, its files are renamed into
    ``<out>/<scenario>/`` one by one with SIGINT and SIGTERM held back, so a signal never
    lands between two renames of one report; a report is replaced only once the new one
    is complete. A failed report keeps the previous good one in place and adds
    ``NN-name.FAILED.ipynb`` and ``.html`` beside it.

Interruption
    SIGINT or SIGTERM stops the executor (the workers are terminated; their kernels exit
    when their parent does), removes the staging folder, writes the index of what did
    complete, and raises :class:`Interrupted` (the command exits 130 or 143).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model import __version__, paths
from model.errors import InputError, ModelError
from model.reports.index import HISTORICAL, INDEX_FORMAT, write_index
from model.run.executors import make_executor
from model.run.kernel import KERNEL_ENV
from model.run.notebooks import (
    OUTPUT_PARAMETER,
    SCENARIO_PARAMETER,
    Notebook,
    code_source,
    coerce,
    list_notebooks,
    notebook_info,
)
from model.run.tasks import FAILED_SUFFIX, Outcome, Task

__all__ = [
    "BatchResult",
    "Interrupted",
    "Scenario",
    "find_scenarios",
    "resolve_scenario",
    "run_batch",
    "safe_name",
    "HISTORICAL",
    "INDEX_FORMAT",
]

_SAFE = re.compile(r"[^a-z0-9._-]+")


class Interrupted(BaseException):
    """The batch was stopped by a signal (``signum``); what completed is in place."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum


def safe_name(text: str, what: str = "name") -> str:
    """A folder or file name made from user text: lower case letters, digits, '.', '_'
    and '-' only, no leading dot, at most 64 characters.

    >>> safe_name("Stress 2008")
    'stress-2008'
    >>> safe_name("../../etc", "scenario")
    Traceback (most recent call last):
    ...
    model.errors.InputError: scenario: '../../etc' is not a usable name (it must not contain '/' or start with '.')
    """
    raw = str(text)
    if "/" in raw or "\\" in raw or raw.startswith(".") or "\x00" in raw:
        raise InputError(
            f"{raw!r} is not a usable name (it must not contain '/' or start with '.')", key=what
        )
    name = _SAFE.sub("-", raw.strip().lower()).strip("-.")[:64]
    if not name:
        raise InputError(f"{raw!r} is not a usable name (no letters or digits)", key=what)
    return name


@dataclass(frozen=True)
class Scenario:
    """A scenario of the batch: its folder name, its file as the notebooks are given it
    (relative to the project when inside it) and its title."""

    name: str
    file: str
    title: str = ""


def _scenario_from(path: Path, given: str) -> Scenario:
    from model.terms import load

    try:
        terms = load(path)
    except ModelError:
        raise
    if type(terms).__name__ != "Scenario":
        raise InputError(f"{paths.shown(path)} is not a scenario file (kind: scenario)", key=given)
    name = safe_name(path.stem, "scenario")
    if name == HISTORICAL:
        raise InputError(
            f"a scenario cannot be called {HISTORICAL!r}: that folder holds the historical "
            "reports; rename the file",
            key=paths.shown(path),
        )
    shown = paths.shown(path)
    return Scenario(name, shown, getattr(terms.terms, "title", ""))


def find_scenarios(folder: Path | None = None) -> list[Scenario]:
    """Every ``kind: scenario`` YAML file in ``folder`` (default ``params/scenarios``),
    validated (a broken one is an error naming its file and line)."""
    folder = folder or paths.PARAMS / "scenarios"
    kind = re.compile(r"^kind:\s*['\"]?scenario['\"]?\s*(#.*)?$", re.MULTILINE)
    out = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if kind.search(text):
            out.append(_scenario_from(path, paths.shown(path)))
    return out


def resolve_scenario(spec: str) -> Scenario:
    """``--scenario`` value: a NAME of ``params/scenarios/NAME.yaml`` or a FILE path
    (relative to the project root, or absolute)."""
    if spec.endswith((".yaml", ".yml")) or "/" in spec:
        path = paths.resolve(spec)
        if not path.is_file():
            raise InputError(f"no scenario file {spec!r}", key="--scenario")
        return _scenario_from(path, spec)
    name = safe_name(spec, "--scenario")
    path = paths.safe_join(paths.PARAMS / "scenarios", f"{name}.yaml")
    if not path.is_file():
        known = ", ".join(s.name for s in find_scenarios()) or "none"
        raise InputError(
            f"no scenario {spec!r} in params/scenarios (known: {known})", key="--scenario"
        )
    return _scenario_from(path, spec)


def _select(names: Sequence[str] | None, folder: Path | None = None) -> list[Notebook]:
    books = list_notebooks(folder)
    if not names:
        return [notebook_info(b) for b in books]
    by_name = {b.stem: b for b in books}
    wanted = []
    for n in names:
        stem = Path(n).name.removesuffix(".ipynb")
        if stem not in by_name or stem != n.removesuffix(".ipynb"):
            raise InputError(f"no notebook {n!r}; available: {', '.join(by_name)}", key="notebooks")
        wanted.append(stem)
    return [notebook_info(by_name[s]) for s in by_name if s in wanted]


def _parameters_for(
    books: Sequence[Notebook], parameters: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Each notebook's typed parameters from the user's; errors name the notebooks."""
    for reserved, instead in ((OUTPUT_PARAMETER, "--out"), (SCENARIO_PARAMETER, "--scenario")):
        if reserved in parameters:
            raise InputError(
                f"{reserved} is chosen with {instead}, not as a parameter", key=reserved
            )
    known = {p for b in books for p in b.parameters}
    unknown = sorted(set(parameters) - known)
    if unknown:
        raise InputError(
            f"parameter(s) {', '.join(unknown)} not declared by "
            f"{', '.join(b.name for b in books)} (declared: "
            f"{', '.join(sorted(known - {OUTPUT_PARAMETER, SCENARIO_PARAMETER}))})",
            key="parameters",
        )
    return {
        b.name: {k: coerce(b, k, v) for k, v in parameters.items() if k in b.parameters}
        for b in books
    }


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def package_fingerprint() -> str:
    """The package's version and the SHA-256 of its source (code and templates): a
    changed engine reruns every report even when the version was not bumped."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(__version__.encode())
    for f in sorted(root.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts:
            h.update(f.relative_to(root).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def _notebook_fingerprint(book: Notebook) -> str:
    return _sha256(code_source(book.path).encode("utf-8"))


def _fingerprint(book_hash: str, package: str, parameters: Mapping[str, Any], kernel: str) -> str:
    blob = json.dumps(
        {"notebook": book_hash, "package": package, "parameters": parameters, "kernel": kernel},
        sort_keys=True,
        default=str,
    )
    return _sha256(blob.encode())


def _files_read(folder: Path, notebook: str) -> dict[str, str] | None:
    """The files a report read, with their SHA-256, from its key-figures JSON."""
    try:
        figures = json.loads((folder / f"{notebook}.json").read_text(encoding="utf-8"))
        return {f["path"]: f["sha256"] for f in figures["inputs"]["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _unchanged(files: Mapping[str, str]) -> bool:
    for shown, digest in files.items():
        path = paths.resolve(shown)
        if not path.is_file() or _sha256(path.read_bytes()) != digest:
            return False
    return True


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


def _report_folder(out: Path, scenario: str) -> Path:
    """``<out>/<scenario>``, which must be (or become) a real folder inside ``out``."""
    folder = paths.safe_join(out, scenario)
    if (out / scenario).is_symlink():
        raise InputError(
            f"{paths.shown(out / scenario)} is a symbolic link: the reports of scenario "
            f"{scenario!r} must be written into a real folder",
            key="--out",
        )
    if folder.exists() and not folder.is_dir():
        raise InputError(
            f"{paths.shown(folder)} is a file where the folder of scenario {scenario!r} "
            "should be: move it away",
            key="--out",
        )
    return folder


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back (they are delivered when the block ends)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM (and SIGINT) into :class:`Interrupted` while the batch runs (main
    thread only; elsewhere the defaults stay)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: Any) -> None:
        raise Interrupted(signum)

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def _previous_index(out: Path) -> dict[str, dict[str, Any]]:
    try:
        index = json.loads((out / "index.json").read_text(encoding="utf-8"))
        if index.get("format") != INDEX_FORMAT:
            return {}
        return {f"{e['scenario']}/{e['notebook']}": e for e in index["reports"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _move_into_place(stage: Path, folder: Path, outcome: Outcome, notebook: str) -> list[str]:
    """Rename the report's files from its staging folder into ``folder`` (see the module
    docstring); a successful report also clears an earlier FAILED copy."""
    folder.mkdir(parents=True, exist_ok=True)
    with _signals_held():
        for name in outcome.files:
            os.replace(stage / name, paths.safe_join(folder, name))
        if outcome.status == "ok":
            for suffix in (".ipynb", ".html"):
                (folder / f"{notebook}{FAILED_SUFFIX}{suffix}").unlink(missing_ok=True)
    return list(outcome.files)


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
        key = f"{entry['scenario']}/{entry['notebook']}"
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


def _plan(
    books: Sequence[Notebook],
    scenarios: Sequence[Scenario],
    typed: Mapping[str, Mapping[str, Any]],
) -> list[tuple[Notebook, str, dict[str, Any]]]:
    items: list[tuple[Notebook, str, dict[str, Any]]] = []
    for book in books:
        if book.per_scenario:
            for s in scenarios:
                items.append((book, s.name, dict(typed[book.name]) | {SCENARIO_PARAMETER: s.file}))
        else:
            items.append((book, HISTORICAL, dict(typed[book.name])))
    return items


@dataclass
class _Run:
    out: Path
    stage: Path
    kernels: Path
    started: float = field(default_factory=time.perf_counter)


def run_batch(
    notebooks: Sequence[str] | None = None,
    scenarios: Sequence[str] | None = None,
    parameters: Mapping[str, Any] | None = None,
    out: str | os.PathLike[str] | None = None,
    *,
    workers: int | None = None,
    executor: str = "local",
    force: bool = False,
    timeout: int | None = None,
    kernel_name: str = "python3",
    progress: Any = None,
    progress_bar: bool | None = None,
    notebooks_dir: str | os.PathLike[str] | None = None,
) -> BatchResult:
    """Run the batch (see the module docstring) and write ``<out>/index.html`` and
    ``<out>/index.json``.

    Parameters
    ----------
    notebooks : names (``"04-projection"``), default every numbered notebook.
    scenarios : names of ``params/scenarios/NAME.yaml`` or scenario file paths; default
        every scenario file of ``params/scenarios``.
    parameters : name -> value (text is converted to the declared type).
    out : output folder, default ``reports/`` (relative paths from the project root).
    workers : processes (default: the number of cores).
    executor : ``"local"`` or another registered executor, ``NAME=ADDRESS`` for one that
        takes an address.
    force : rerun reports whose inputs are unchanged.
    timeout : seconds a cell may run before the report fails (default: no limit).
    notebooks_dir : the notebooks' folder (default ``notebooks/``); kernels start in it.

    Raises
    ------
    InputError
        Before anything runs: an unknown notebook, scenario or parameter, a value of the
        wrong type, an output folder that cannot be used.
    Interrupted
        SIGINT or SIGTERM: what completed is in place and indexed, nothing half-written.
    """
    book_folder = paths.resolve(notebooks_dir) if notebooks_dir else paths.NOTEBOOKS
    books = _select(notebooks, book_folder)
    chosen = (
        [resolve_scenario(s) for s in scenarios]
        if scenarios
        else find_scenarios()
        if any(b.per_scenario for b in books)
        else []
    )
    names = [s.name for s in chosen]
    if len(set(names)) != len(names):
        raise InputError(
            f"two scenarios would share a folder: {', '.join(sorted(names))}", key="--scenario"
        )
    if any(b.per_scenario for b in books) and not chosen:
        raise InputError("no scenario files found in params/scenarios", key="--scenario")
    typed = _parameters_for(books, dict(parameters or {}))
    target = _output_folder(paths.resolve(out or paths.REPORTS))
    planned = _plan(books, chosen, typed)
    folders = {s: _report_folder(target, s) for s in {s for _, s, _ in planned}}
    pool = make_executor(executor, workers)
    previous = _previous_index(target)
    package = package_fingerprint()
    book_hash = {b.name: _notebook_fingerprint(b) for b in books}

    titles = {s.name: s.title for s in chosen}
    run = _Run(
        target,
        Path(tempfile.mkdtemp(dir=target, prefix=".staging-")),
        Path(tempfile.mkdtemp(prefix="model-kernels-")),
    )
    started_at = dt.datetime.now(dt.UTC)
    entries: dict[str, dict[str, Any]] = {}
    tasks: list[Task] = []
    order: list[str] = []
    for book, scenario, params in planned:
        fp = _fingerprint(book_hash[book.name], package, params, kernel_name)
        key = f"{scenario}/{book.name}"
        order.append(key)
        base = {
            "notebook": book.name,
            "scenario": scenario,
            "scenario_title": titles.get(scenario, ""),
            "parameters": params,
            "fingerprint": fp,
        }
        before = previous.get(key)
        folder = folders[scenario]
        if (
            not force
            and before is not None
            and before.get("status") in ("ok", "reused")
            and before.get("fingerprint") == fp
            and before.get("files_read") is not None
            and all((folder / f).is_file() for f in before.get("files", []))
            and _unchanged(before["files_read"])
        ):
            entries[key] = base | {
                "status": "reused",
                "seconds": 0.0,
                "files": before["files"],
                "files_read": before["files_read"],
                "completed_at": before.get("completed_at"),
                "failure": None,
            }
            continue
        tasks.append(
            Task(
                notebook=book.name,
                scenario=scenario,
                notebook_path=str(book.path),
                parameters=params,
                staging=str(run.stage / scenario / book.name),
                display_root=paths.shown(folder),
                cwd=str(book_folder),
                fingerprint=fp,
                scenario_title=titles.get(scenario, ""),
                timeout=timeout,
                kernel_name=kernel_name,
                env=KERNEL_ENV | {"MODEL_KERNEL_DIR": str(run.kernels)},
            )
        )
    by_key = {t.key: t for t in tasks}
    bar = _Progress(len(order), progress, progress_bar)
    for key in order:
        if key in entries:
            bar.update(entries[key])
    interrupted: Interrupted | None = None
    try:
        with _stop_on_signals(), pool:
            try:
                for task, outcome in pool.run(tasks):
                    entry = _record(run, by_key[task.key], outcome, folders[task.scenario])
                    entries[task.key] = entry
                    bar.update(entry)
            except Interrupted as exc:
                interrupted = exc
                pool.stop()
    finally:
        bar.close()
        shutil.rmtree(run.stage, ignore_errors=True)
        shutil.rmtree(run.kernels, ignore_errors=True)
    seconds = round(time.perf_counter() - run.started, 1)
    ordered = [entries[k] for k in order if k in entries]
    info = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": seconds,
        "workers": pool.workers,
        "executor": pool.name,
        "version": __version__,
        "interrupted": interrupted is not None,
    }
    with _signals_held():
        html_path, json_path = write_index(
            target,
            ordered,
            info,
            scenarios={s.name: s.title for s in chosen},
            titles={b.name: b.title for b in map(notebook_info, list_notebooks(book_folder))},
            previous=previous,
        )
    result = BatchResult(
        target,
        ordered,
        html_path,
        json_path,
        seconds,
        pool.workers,
        pool.name,
        interrupted is not None,
    )
    if interrupted is not None:
        raise interrupted
    return result


def _record(run: _Run, task: Task, outcome: Outcome, folder: Path) -> dict[str, Any]:
    """Move a finished report into place; its index entry."""
    stage = Path(task.staging)
    files = _move_into_place(stage, folder, outcome, task.notebook)
    entry: dict[str, Any] = {
        "notebook": task.notebook,
        "scenario": task.scenario,
        "scenario_title": task.scenario_title,
        "parameters": task.parameters,
        "fingerprint": task.fingerprint,
        "status": outcome.status,
        "seconds": outcome.seconds,
        "files": files,
        "files_read": _files_read(folder, task.notebook) if outcome.status == "ok" else None,
        "completed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "failure": outcome.failure.as_dict() if outcome.failure else None,
    }
    shutil.rmtree(stage, ignore_errors=True)
    return entry
