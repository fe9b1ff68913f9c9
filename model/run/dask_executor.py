"""The batch on Dask (``model run --executor dask[=ADDRESS]``).

Each report is one Dask task: ``Client.submit(execute, task, pure=False)``, collected as
the futures complete (:func:`distributed.wait` with ``FIRST_COMPLETED``, so the batch's
stop flag is looked at every :data:`~model.run.executor_base.POLL` seconds). Without an
address a :class:`distributed.LocalCluster` is started for the run, one worker process per
core and one thread per worker, and closed at the end; with one, the client connects to
that scheduler and the cluster is left as it was.

Dask, not this module, schedules: a worker that dies while it runs a report is replaced
(the nanny restarts it) and the report is run again elsewhere, up to the scheduler's
``distributed.scheduler.allowed-failures`` (3 by default); then the future raises
:class:`distributed.KilledWorker` and the report fails as ``WorkerDied``, the other
reports going on. Tasks and outcomes are plain data (:mod:`model.run.tasks`): the report's
files come back in the outcome, so the reports folder need not be shared with the
workers; the notebooks and ``params/`` must be at the same path on every worker (a
shared checkout).

Known pitfalls, handled:

* Dask's memory limit counts the worker process only, not the Jupyter kernel it starts:
  the local cluster runs one thread per worker, so one kernel per worker at a time, and
  ``--timeout`` stops a report that runs too long (a watchdog kills its kernel);
* kernels use the IPC transport (:mod:`model.run.kernel`): no port can collide between
  tasks on one machine;
* the working folder and environment of a kernel are given to the kernel, never set with
  ``os.chdir`` or ``os.environ`` in the worker, which its threads share.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError
from typing import Any

from model.errors import InputError
from model.run.executor_base import POLL, default_workers, failed_outside
from model.run.tasks import Outcome, Task, execute

__all__ = ["DaskExecutor"]


@contextlib.contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """SIGINT ignored while worker processes are started: they inherit it (an ignored
    signal stays ignored across ``exec``, and Python keeps it so), so Ctrl-C reaches only
    the batch, which stops the cluster itself, as the local pool's workers ignore it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise InputError(
            "the dask executor needs dask.distributed: pip install -e '.[dask]'",
            key="--executor",
        ) from None
    return distributed


class DaskExecutor:
    """Reports as Dask tasks (see the module docstring)."""

    name = "dask"

    def __init__(self, workers: int | None = None, address: str | None = None) -> None:
        self._dd = _distributed()
        if workers is not None and workers < 1:
            raise InputError(f"workers must be at least 1, not {workers}", key="--workers")
        if address and workers is not None:
            raise InputError(
                "--workers sizes a local cluster; a cluster at an address has its own workers",
                key="--workers",
            )
        self.address = address
        self.workers = workers or default_workers()
        self._cluster: Any = None
        self._client: Any = None
        self._futures: set[Any] = set()

    def __enter__(self) -> DaskExecutor:
        dd = self._dd
        if self.address:
            try:
                self._client = dd.Client(self.address, timeout="10s")
            except (OSError, ValueError, TimeoutError) as exc:
                # OSError: nothing listens there; ValueError: not an address Dask can use
                raise InputError(
                    f"cannot reach a Dask scheduler at {self.address!r}: {exc}", key="--executor"
                ) from None
        else:
            with _interrupts_ignored():  # workers inherit it: Ctrl-C stops the batch, not them
                self._cluster = dd.LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            try:
                self._client = dd.Client(self._cluster)
            except BaseException:
                self._cluster.close()
                self._cluster = None
                raise
        self.workers = max(1, sum(self._client.nthreads().values()))
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Cancel what is not done; close the client, and the cluster if this run made it.

        A report already running on a cluster at an address is not interrupted by the
        cancel (Dask cannot stop a running task): it runs to its end or to ``--timeout``
        on that worker, and its result is dropped."""
        client, cluster, self._client, self._cluster = self._client, self._cluster, None, None
        pending, self._futures = list(self._futures), set()
        try:
            if client is not None:
                try:
                    if pending:
                        client.cancel(pending, force=True)
                finally:
                    client.close()
        finally:
            if cluster is not None:
                cluster.close()

    def run(
        self, tasks: Sequence[Task], stop: Callable[[], bool] = lambda: False
    ) -> Iterator[tuple[Task, Outcome]]:
        if not tasks:
            return
        if self._client is None:
            raise RuntimeError("use the DaskExecutor as a context manager")
        dd = self._dd
        run_id = uuid.uuid4().hex[:8]
        futures = {
            self._client.submit(execute, t, pure=False, key=f"report-{t.key}-{run_id}"): t
            for t in tasks
        }
        self._futures = set(futures)
        while futures and not stop():
            try:
                done = dd.wait(list(futures), timeout=POLL, return_when="FIRST_COMPLETED").done
            except TimeoutError:
                continue
            except CancelledError:  # the scheduler dropped some (lost, or restarted)
                done = {f for f in futures if f.done()}
            for fut in done:
                task = futures.pop(fut)
                self._futures.discard(fut)
                outcome = self._outcome(fut, task)
                # drop the result from the cluster now: a finished report held on a worker
                # would count against its memory, and be run again if that worker died
                fut.release()
                yield task, outcome

    def _outcome(self, fut: Any, task: Task) -> Outcome:
        try:
            return fut.result()
        except CancelledError:
            return failed_outside(
                task,
                "Cancelled",
                "the Dask scheduler cancelled this report (the connection to it was lost, "
                "or it was restarted)",
            )
        except self._dd.KilledWorker:
            return failed_outside(
                task,
                "WorkerDied",
                "the Dask workers running this report died each time it was tried "
                "(killed, or out of memory); Dask gave up",
            )
        except Exception as exc:  # a task that could not be sent or run: that report fails
            return failed_outside(task, type(exc).__name__, str(exc))
