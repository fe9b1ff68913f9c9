"""The doctests hold from any working directory, as they do for a user of the installed
package: examples name params files through the project root, never through the current
directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_doctests_pass_from_another_working_directory(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--doctest-modules",
            "--pyargs",
            "model",
            "-o",
            "doctest_optionflags=NORMALIZE_WHITESPACE",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg", "MODEL_REPORTS_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
