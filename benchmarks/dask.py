"""Benchmark: the batch and the projection on a Dask LocalCluster against the local engines.

Usage::

    .venv/bin/python benchmarks/dask.py [--workers 2] [--rounds 2] [--scenarios 100000]
        [--quarters 40] [--block-size 8192] [--skip-batch] [--skip-projection]

(a) The batch: the default batch (every notebook of every deal for every scenario: 12
    reports) run ``--rounds`` times with ``--force`` (24 reports by default) on the local
    process pool, then on a ``--workers``-worker LocalCluster (``--executor dask``,
    started and closed by each run, as ``model run`` does); times, ratio, and whether the
    key figures are byte-identical.
(b) The projection: ``--scenarios`` seeded variants of ``base`` over ``--quarters``
    quarters, ``project(block)`` in one process against ``project(block, client=...)`` on a
    LocalCluster in blocks of ``--block-size``; times, ratio, and whether every array is
    equal.
(c) Dask's overhead per task: 1,000 tasks that do nothing, submitted and gathered.

Wall-clock numbers depend on the machine (``model run`` is I/O and kernel start-up bound,
the projection NumPy bound); nothing here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import filecmp
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# this file is called dask.py: its folder must not shadow the dask package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))


def _projection_benchmark():
    """benchmarks/projection.py (its block builder), imported from its file."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "projection_benchmark", ROOT / "benchmarks" / "projection.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _noop(x: int) -> int:
    return x


def _batch(executor: str, workers: int, out: Path, rounds: int) -> tuple[float, int]:
    from model.run.batch import run_batch

    start = time.perf_counter()
    reports = 0
    for _ in range(rounds):
        res = run_batch(
            out=out,
            workers=workers,
            executor=executor,
            force=True,
            progress=io.StringIO(),
            progress_bar=False,
        )
        if res.failed:
            raise SystemExit(f"{executor}: {len(res.failed)} report(s) failed: {res.failed}")
        reports += len(res.entries)
    return time.perf_counter() - start, reports


def _same(a: Path, b: Path) -> bool:
    ja = sorted(p.relative_to(a) for p in a.rglob("*.json") if p.name != "index.json")
    jb = sorted(p.relative_to(b) for p in b.rglob("*.json") if p.name != "index.json")
    return ja == jb and all(filecmp.cmp(a / p, b / p, shallow=False) for p in ja)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--scenarios", type=int, default=100_000)
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--block-size", type=int, default=8192)
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--skip-projection", action="store_true")
    args = parser.parse_args()

    from distributed import Client, LocalCluster

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"machine: {cores} cores, load average {os.getloadavg()[0]:.2f}; Dask workers: {args.workers}"
    )

    if not args.skip_batch:
        with tempfile.TemporaryDirectory() as tmp:
            local_s, n = _batch("local", args.workers, Path(tmp) / "local", args.rounds)
            dask_s, _ = _batch("dask", args.workers, Path(tmp) / "dask", args.rounds)
            same = _same(Path(tmp) / "local", Path(tmp) / "dask")
        print(f"(a) batch, {n} reports ({args.rounds} x the default batch, --force):")
        print(f"    local process pool ({args.workers} workers): {local_s:7.1f} s")
        print(f"    Dask LocalCluster ({args.workers} workers):  {dask_s:7.1f} s")
        print(
            f"    ratio local/dask: {local_s / dask_s:.2f}x; key figures identical: {'yes' if same else 'NO'}"
        )

    with (
        LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        if not args.skip_projection:
            from model import project

            t0 = time.perf_counter()
            block = _projection_benchmark()._block(args.scenarios, args.quarters, 20080428)
            print(
                f"(b) projection, {block.size:,} scenarios x {len(block.quarter_ends)} quarters "
                f"(block built, untimed: {time.perf_counter() - t0:.1f} s):"
            )
            project(block.take(slice(0, 1)))  # warm-up
            t0 = time.perf_counter()
            local = project(block, block_size=args.block_size)
            local_s = time.perf_counter() - t0
            client.run(lambda: __import__("model.engines.projection"))  # warm the workers' imports
            t0 = time.perf_counter()
            remote = project(block, block_size=args.block_size, client=client)
            dask_s = time.perf_counter() - t0
            same = all(
                np.array_equal(local.arrays[k], remote.arrays[k], equal_nan=True)
                for k in local.arrays
            ) and np.array_equal(local.status_codes(), remote.status_codes())
            blocks = -(-block.size // args.block_size)
            print(f"    one process, vectorised:                {local_s:7.2f} s")
            print(f"    LocalCluster, {blocks} blocks of {args.block_size:,}: {dask_s:7.2f} s")
            print(
                f"    ratio local/dask: {local_s / dask_s:.2f}x; every array equal: {'yes' if same else 'NO'}"
            )

        client.submit(_noop, 0, pure=False).result()  # warm-up
        t0 = time.perf_counter()
        futures = client.map(_noop, range(1000), pure=False)
        client.gather(futures)
        per = (time.perf_counter() - t0) / 1000
        print(f"(c) Dask overhead per task (1,000 no-op tasks): {per * 1000:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
