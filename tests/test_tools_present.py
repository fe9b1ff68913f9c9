"""The browser, print and spreadsheet programs are installed where CI runs: a test that
needs one and finds it missing fails under CI (tests/conftest.py) rather than skipping, and
this test says which are missing in one place."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.conftest import TOOLS


def test_the_programs_the_layout_print_and_spreadsheet_tests_need():
    missing = sorted({f"{t} ({pkg})" for t, pkg in TOOLS.items() if shutil.which(t) is None})
    if missing and os.environ.get("CI", "").lower() in ("", "0", "false", "no"):
        pytest.skip(
            f"not installed, those tests skip: {', '.join(missing)} (README, development notes)"
        )
    assert missing == [], "CI installs them (.ci/run): apt-get install " + " ".join(
        sorted(set(TOOLS.values()))
    )
