"""Test configuration: hypothesis profiles.

Locally hypothesis explores new examples on every run; under CI (``CI=true``) the
examples are derived from each test's name, so a CI run is reproducible and a
failure found there can be replayed exactly. Any failure found locally is kept
in hypothesis's example database and replayed first on the next run.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
