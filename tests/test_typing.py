"""House style is checked with the tests: mypy on ``model/`` (pyproject.toml settings)."""

from __future__ import annotations

import subprocess
import sys

from model import paths


def test_mypy() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "model"],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
