"""Benchmark: the what-if panel of notebook 04, from a moved control to the updated output.

Usage::

    .venv/bin/python benchmarks/whatif.py [--scenario FILE] [--changes N]

Builds the panel's widget for the scenario (default ``params/deals/ibasis/scenarios/base.yaml``)
outside the timed region, then moves its controls N times in turn (revenue, EBITDA margin,
DSO, capital expenditures, base rate), each to a new value, and times each change from the
assignment to the control's value to the end of the redraw (the projection through the
vectorised engine, the headline, the headroom table and the liquidity chart). Prints the
median, the 95th percentile and the slowest, against the target of 300 ms; and, side by
side in the same run, what the same answer costs the other way: loading the scenario from
its YAML with the change as an override and projecting it (the edit-and-rerun loop),
with the ratio. Wall-clock numbers depend on the machine; nothing here is asserted by the
tests.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import time

import matplotlib

matplotlib.use("Agg")

from model import load, project  # noqa: E402
from model.reports.whatif import WhatIfPanel  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="params/deals/ibasis/scenarios/base.yaml")
    ap.add_argument("--changes", type=int, default=40)
    args = ap.parse_args()
    scenario = load(args.scenario, kind="scenario")
    quiet = io.StringIO()  # outside a kernel the panel's output area prints; keep it off the screen
    with contextlib.redirect_stdout(quiet):
        box = WhatIfPanel(scenario).widget()
    controls = {getattr(c, "description", ""): c for c in box.children}
    moves = [
        ("Revenue change", [-0.05, -0.1, -0.2, 0.05]),
        ("EBITDA margin, points added", [-0.01, -0.02, 0.01, 0.0]),
        ("Days added to DSO", [5, 10, 20, 0]),
        (
            "Capex a quarter, US$ (empty: the scenario's)",
            ["1000000", "3000000", "5000000", "2000000"],
        ),
        ("Base rate shift", [0.01, 0.02, -0.01, 0.0]),
    ]
    times = []
    for i in range(args.changes):
        name, values = moves[i % len(moves)]
        with contextlib.redirect_stdout(quiet):
            start = time.perf_counter()
            controls[name].value = values[(i // len(moves)) % len(values)]
            times.append(time.perf_counter() - start)
    times.sort()
    median = statistics.median(times)
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    # the other way: the YAML loaded again with the change, then projected
    rerun = []
    for dso in (59, 64, 69):
        start = time.perf_counter()
        project(
            load(
                args.scenario,
                {"drivers.dso_domestic": {"value": dso, "assumption": "benchmark"}},
                kind="scenario",
            )
        )
        rerun.append(time.perf_counter() - start)
    reload = statistics.median(rerun)
    print(f"what-if panel, {args.changes} changes of {scenario.name}:")
    print(
        f"  median {median * 1000:.0f} ms, 95th percentile {p95 * 1000:.0f} ms, slowest {times[-1] * 1000:.0f} ms (target: under 300 ms)"
    )
    print(f"  load the YAML again with the change and project: median {reload * 1000:.0f} ms")
    print(f"  ratio (reload and project / panel change): {reload / median:.1f}x")


if __name__ == "__main__":
    main()
