"""House style is checked with the tests: ruff lint and ruff format (pyproject.toml settings),
and the notebooks: linted by ruff, and thin (their report logic lives in ``model.reports``)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from model import paths

TARGETS = ["model", "tests", "benchmarks"]


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "--no-cache", *TARGETS],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_on_notebooks() -> None:
    """The notebooks are linted as the package is (pyflakes, pycodestyle, bugbear, pyupgrade):
    an unused import or an undefined name in a notebook fails here, not in a report."""
    notebooks = sorted(str(p) for p in paths.NOTEBOOKS.glob("*.ipynb"))
    assert len(notebooks) >= 7
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", *notebooks],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _code_lines(cell: dict[str, object]) -> int:
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else str(cell["source"])
    return sum(
        1 for line in source.splitlines() if line.strip() and not line.strip().startswith("#")
    )


@pytest.mark.parametrize("notebook", sorted(p.stem for p in paths.NOTEBOOKS.glob("*.ipynb")))
def test_notebooks_are_thin(notebook: str) -> None:
    """Beyond its parameters cell, a notebook is the calls that compute, ``report.show``,
    the charts and ``report.write``: at most 40 code lines. Tables, words and key figures
    are built in ``model.reports``, where they are linted, typed and tested."""
    cells = json.loads((paths.NOTEBOOKS / f"{notebook}.ipynb").read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"].get("tags", [])
    lines = sum(_code_lines(c) for c in code[1:])
    assert lines <= 40, f"{notebook}: {lines} code lines after the parameters cell"
