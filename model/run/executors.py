"""Where the batch's tasks run: a small executor interface and its registry.

The batch (:mod:`model.run.batch`) hands an executor a list of :class:`~model.run.tasks.Task`
and reads back :class:`~model.run.tasks.Outcome` objects as they complete; it never knows
whether they ran in a local process pool or on a cluster. Like papermill's engine registry,
executors are registered by name (:func:`register_executor`) and picked with
``model run --executor NAME``:

``dask``
    each report a Dask task on a ``LocalCluster`` started for the run, or on the
    scheduler at ``dask=ADDRESS`` (:mod:`model.run.dask_executor`).

``local`` (the default)
    a :class:`concurrent.futures.ProcessPoolExecutor` of ``workers`` processes started with
    ``spawn`` (a fresh interpreter each, nothing inherited from the parent's threads).
    Workers ignore SIGINT, so Ctrl-C reaches the batch alone, which stops the workers and
    cleans up. A worker that dies (out of memory, killed) breaks a process pool: the
    tasks it was running are reported as failed with the cause, and the tasks not yet
    started run on a new pool.

An executor is a context manager with one method, :meth:`Executor.run`, an iterator of
``(task, outcome)`` pairs in completion order that returns early once ``stop()`` is true
(it is asked at least every :data:`~model.run.executor_base.POLL` seconds: the batch's signal handler only sets a
flag), and :meth:`Executor.stop`, which the batch calls when it is interrupted.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from model.errors import InputError
from model.run.executor_base import POLL, Executor, default_workers, failed_outside
from model.run.tasks import Outcome, Task, execute

__all__ = [
    "Executor",
    "LocalExecutor",
    "EXECUTORS",
    "register_executor",
    "make_executor",
    "default_workers",
]


def _worker_init() -> None:
    """In each worker: leave Ctrl-C to the batch (it stops the workers itself)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class LocalExecutor:
    """Tasks on a local pool of ``workers`` processes (see the module docstring)."""

    name = "local"

    def __init__(self, workers: int | None = None, address: str | None = None) -> None:
        if address:
            raise InputError(
                f"the local executor takes no address (got {address!r})", key="--executor"
            )
        self.workers = default_workers() if workers is None else workers
        if self.workers < 1:
            raise InputError(f"workers must be at least 1, not {self.workers}", key="--workers")
        self._pools: list[ProcessPoolExecutor] = []

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            self.stop()
        else:
            for pool in self._pools:
                pool.shutdown(wait=True)
            self._pools = []

    def _pool(self, workers: int) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
        )
        self._pools.append(pool)
        return pool

    def _close(self, pool: ProcessPoolExecutor, *, kill: bool = False) -> None:
        if pool in self._pools:
            self._pools.remove(pool)
        if not kill:
            pool.shutdown(wait=True)
            return
        procs = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        for proc in procs:
            proc.join(timeout=10)

    def stop(self) -> None:
        """Stop now: cancel what has not started, terminate the workers (their kernels
        exit by themselves when their parent is gone)."""
        for pool in list(self._pools):
            self._close(pool, kill=True)

    def run(
        self, tasks: Sequence[Task], stop: Callable[[], bool] = lambda: False
    ) -> Iterator[tuple[Task, Outcome]]:
        """All tasks on one pool; the tasks a dying worker took down with the pool run
        again, each on a pool of its own, so the one whose worker dies again is known and
        reported as failed while the others complete."""
        if not tasks:
            return
        pool = self._pool(self.workers)
        futures: dict[Future[Outcome], Task] = {pool.submit(execute, t): t for t in tasks}
        again: list[Task] = []
        for fut, task in _as_completed(futures, stop):
            try:
                outcome = fut.result()
            except BrokenProcessPool:
                again.append(task)
                continue
            except Exception as exc:  # e.g. a task that cannot be pickled
                outcome = failed_outside(task, type(exc).__name__, str(exc))
            yield task, outcome
        if stop():
            return
        self._close(pool, kill=bool(again))
        yield from self._isolated(again, stop)

    def _isolated(
        self, tasks: Sequence[Task], stop: Callable[[], bool]
    ) -> Iterator[tuple[Task, Outcome]]:
        waiting = list(tasks)
        running: dict[Future[Outcome], tuple[Task, ProcessPoolExecutor]] = {}
        while (waiting or running) and not stop():
            while waiting and len(running) < self.workers:
                task = waiting.pop(0)
                pool = self._pool(1)
                running[pool.submit(execute, task)] = (task, pool)
            done, _ = wait(set(running), timeout=POLL, return_when=FIRST_COMPLETED)
            for fut in done:
                task, pool = running.pop(fut)
                try:
                    outcome = fut.result()
                except BrokenProcessPool:
                    outcome = _died(task)
                except Exception as exc:
                    outcome = failed_outside(task, type(exc).__name__, str(exc))
                self._close(
                    pool, kill=outcome.failure is not None and outcome.failure.error == "WorkerDied"
                )
                yield task, outcome


def _as_completed(
    futures: dict[Future[Outcome], Task], stop: Callable[[], bool]
) -> Iterator[tuple[Future[Outcome], Task]]:
    remaining = set(futures)
    while remaining and not stop():
        done, remaining = wait(remaining, timeout=POLL, return_when=FIRST_COMPLETED)
        for fut in done:
            yield fut, futures[fut]


def _died(task: Task) -> Outcome:
    return failed_outside(
        task,
        "WorkerDied",
        "the worker process running this report stopped abruptly twice, the second time "
        "running it alone (killed, or out of memory)",
    )


def _dask(workers: int | None = None, address: str | None = None) -> Any:
    from model.run.dask_executor import DaskExecutor  # only when asked for: dask is optional

    return DaskExecutor(workers=workers, address=address)


#: name -> factory(workers, address) of an :class:`Executor`.
EXECUTORS: dict[str, Callable[..., Any]] = {"local": LocalExecutor, "dask": _dask}


def register_executor(name: str, factory: Callable[..., Any]) -> None:
    """Make ``factory(workers=..., address=...)`` available as ``--executor name``."""
    EXECUTORS[name] = factory


def make_executor(spec: str = "local", workers: int | None = None) -> Any:
    """The executor for ``spec``: ``NAME`` or ``NAME=ADDRESS`` (``dask=tcp://host:8786``)."""
    name, _, address = spec.partition("=")
    if name not in EXECUTORS:
        raise InputError(
            f"no executor {name!r}; available: {', '.join(sorted(EXECUTORS))}", key="--executor"
        )
    return EXECUTORS[name](workers=workers, address=address or None)
