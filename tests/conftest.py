"""Test configuration: hypothesis profiles.

Locally hypothesis explores new examples on every run; under CI (``CI=true``) the
examples are derived from each test's name, so a CI run is reproducible and a
failure found there can be replayed exactly. Any failure found locally is kept
in hypothesis's example database and replayed first on the next run.
"""

from __future__ import annotations

import os
import tempfile

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
