"""Benchmark: the peak memory of ``breach_probability`` against the number of paths.

Usage::

    .venv/bin/python benchmarks/breach_memory.py [--paths 2000 200000 1000000] [--block 4096]

Runs :func:`model.engines.projection.analytics.breach_probability` on the default deal's base
scenario for each number of paths, each in its own process, and prints the process's peak
resident memory (``ru_maxrss``), the time and the probability of any breach in the last
quarter, side by side. The paths are drawn and projected block by block (``--block``), so
the peak should stay flat as the paths grow; the target is under 2 GB at 1,000,000 paths.
Wall-clock numbers depend on the machine; nothing here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

CHILD = """
import json, resource, sys, time
from model.terms import load
from model.engines.projection.analytics import breach_probability
n, block = int(sys.argv[1]), int(sys.argv[2])
s = load("params/deals/ibasis/scenarios/base.yaml")
t = time.perf_counter()
out = breach_probability(s, n, seed=2008, block_size=block)
seconds = time.perf_counter() - t
last = out.xs("any", level="covenant").iloc[-1]
print(json.dumps({"seconds": seconds, "probability": float(last["probability"]),
                  "low": float(last["low_95"]), "high": float(last["high_95"]),
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paths", type=int, nargs="+", default=[2000, 200_000, 1_000_000])
    ap.add_argument("--block", type=int, default=4096)
    args = ap.parse_args()
    print(f"{'paths':>10} {'peak MB':>9} {'seconds':>8}  P(any breach, last quarter) [95%]")
    for n in args.paths:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(n), str(args.block)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(done.stdout.strip().splitlines()[-1])
        peak = r["maxrss_kb"] / 1024
        print(
            f"{n:>10,} {peak:>9,.0f} {r['seconds']:>8.1f}  {r['probability']:.4f} "
            f"[{r['low']:.4f}, {r['high']:.4f}]  (process {time.perf_counter() - started:.1f} s)"
        )
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"largest peak of the runs: {children:,.0f} MB (target under 2,048 MB)")


if __name__ == "__main__":
    main()
