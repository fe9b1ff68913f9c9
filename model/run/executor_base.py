"""What every executor shares (:mod:`model.run.executors` registers them,
:mod:`model.run.dask_executor` is one): the interface the batch needs, the poll interval,
the number of cores and the outcome of a report that failed outside its notebook. Both
import this module and neither imports the other at import time, so the run layer has no
import circle."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

from model.run.tasks import Failure, Outcome, Task

__all__ = ["Executor", "POLL", "default_workers", "failed_outside"]

#: Seconds between two looks at the batch's stop flag while waiting for a report.
POLL = 0.2


class Executor(Protocol):
    """What the batch needs from an executor (see the module docstring)."""

    name: str
    workers: int

    def run(
        self, tasks: Sequence[Task], stop: Callable[[], bool] = lambda: False
    ) -> Iterator[tuple[Task, Outcome]]: ...

    def stop(self) -> None: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


def default_workers() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def failed_outside(task: Task, error: str, why: str) -> Outcome:
    """The outcome of a report that failed outside its notebook (no cell to point at): its
    worker died, the task could not be sent or was cancelled. Every executor reports it so."""
    return Outcome(task.key, "failed", 0.0, failure=Failure(None, "", error, why))
