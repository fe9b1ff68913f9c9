"""House style is checked with the tests: ruff lint and ruff format (pyproject.toml settings)."""

from __future__ import annotations

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
