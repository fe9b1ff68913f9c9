"""Test configuration: hypothesis profiles.

Locally hypothesis explores new examples on every run; under CI (``CI=true``) the
examples are derived from each test's name, so a CI run is reproducible and a
failure found there can be replayed exactly. Any failure found locally is kept
in hypothesis's example database and replayed first on the next run.
"""

from __future__ import annotations

import os
import tempfile

import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

from model.paths import REPORTS_ENV

# Notebooks run under nbval write their key figures and certificates here, not into reports/:
# the reports of the last `model run` stay as they were (the kernels inherit this variable).
os.environ.setdefault(REPORTS_ENV, tempfile.mkdtemp(prefix="nbval-reports-"))

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session", autouse=True)
def _trust_the_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests write params files to their temporary folders and load them by Path: only
    params/ and this folder are read (model.paths.trust)."""
    from model import paths

    paths.trust(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="session")
def sample_ledger() -> pd.DataFrame:
    """The daily SVB ledger over 2008-04-28 to 2009-06-30 from the sample scenario files, with
    $20,000,000 outstanding at the start: notebook 03's default inputs (illustrative data)."""
    from model.engines.facility.ledger import facility_ledger
    from model.terms import load, read_dated_csv

    return facility_ledger(
        load("params/deals/ibasis/facilities/svb-loan-agreement.yaml"),
        "2008-04-28",
        "2009-06-30",
        receivables=read_dated_csv("params/deals/ibasis/scenarios/svb-receivables-sample.csv"),
        cash=read_dated_csv("params/deals/ibasis/scenarios/svb-cash-sample.csv"),
        rate_path=read_dated_csv("params/deals/ibasis/scenarios/prime-rate-2007-2009.csv"),
        draws=read_dated_csv("params/deals/ibasis/scenarios/svb-draws-sample.csv"),
        opening_balance=20_000_000,
    )


TOOLS = {
    "chromium": "chromium",
    "pdftotext": "poppler-utils",
    "pdftoppm": "poppler-utils",
    "soffice": "libreoffice-calc-nogui",
}
"""The programs the browser, print and spreadsheet tests drive, with their Debian packages
(.ci/run installs them; README, development notes)."""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Under CI (``CI`` set) a test skipped because a program "is not installed" fails
    instead: CI installs them, so a skip there would be a check that cannot fail."""
    outcome = yield
    report = outcome.get_result()
    under_ci = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
    if under_ci and report.skipped and isinstance(report.longrepr, tuple):
        reason = str(report.longrepr[2])
        if "not installed" in reason:
            report.outcome = "failed"
            report.longrepr = f"under CI this test may not skip: {reason}"
