"""The run layer: the batch of reports (papermill, nbconvert), its executors and the
command line."""

from model.run.batch import BatchResult, Interrupted, run_batch
from model.run.cli import main
from model.run.executors import EXECUTORS, register_executor
from model.run.notebooks import list_notebooks, notebook_info

__all__ = [
    "main",
    "run_batch",
    "BatchResult",
    "Interrupted",
    "list_notebooks",
    "notebook_info",
    "EXECUTORS",
    "register_executor",
]
