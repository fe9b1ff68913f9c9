"""The run layer: the command line and the notebook runner (papermill, nbconvert)."""

from model.run.cli import main
from model.run.notebooks import list_notebooks, run_notebooks

__all__ = ["main", "list_notebooks", "run_notebooks"]
