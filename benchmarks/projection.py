"""Benchmark: the vectorised projection against the per-scenario reference, in one run.

Usage::

    .venv/bin/python benchmarks/projection.py [--scenarios N] [--quarters Q] [--sample K]
        [--seed S] [--repeats R] [--profile]

Loads ``params/deals/ibasis/scenarios/base.yaml`` with a horizon of Q quarters (the drivers' last piece
covers the quarters added, the base rate path extends its last rate, and the revolver is
renewed at its maturity, as the file says), builds a block of N copies with seeded random
shocks (revenue, EBITDA, DSO, ineligible shares, base rate) outside the timed region, then
times, side by side:

* ours: ``project(block)``: the engine, every quarterly figure and every covenant result
  as arrays (the tidy tables are built from them when first asked for), best of R runs;
* the reference: ``reference_projection`` of ``tests/engines/projection/reference.py`` (a
  plain day-by-day implementation written from the specification, Python ints and
  Fractions, the scalar facility and covenant engines), on the first K scenarios of the
  same block, scaled to N.

Checks the two agree on the sample (every quarterly figure to the cent, every covenant
status) and prints the times, the ratio, the peak memory of the process (``ru_maxrss``)
and each target (under 1 s, at least 100 times the reference, under 2 GB).

Then, in the same run, a whole capital structure (:func:`model.project_capital`): a term
loan on SOFR compounded in arrears with a floor and a leverage margin grid, amortizing,
with an excess cash flow sweep; a revolver with a borrowing base; PIK toggle notes; the
leverage and fixed charge covenants with equity cures; N scenarios (seeded shocks to
EBITDA, receivables and the rate path) over Q quarters, timed best of R and printed with
its ratio to the revolver-only run above (target: at most 2x).
``--profile`` adds a cProfile of one ``project(block)`` run: where the time goes.
Wall-clock numbers depend on the machine; nothing here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import resource
import sys
import time
from pathlib import Path

import numpy as np

from model import ScenarioBlock, load, project

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "engines" / "projection"))
from reference import reference_projection  # noqa: E402

TARGET_SECONDS = 1.0
TARGET_RATIO = 100.0
TARGET_BYTES = 2 * 1024**3
TARGET_CAPITAL_RATIO = 2.0
CAPITAL_FOLDER = ROOT / "params" / "deals" / "northwind" / ".benchmark"


def _peak_rss() -> int:
    """The process's peak resident memory so far, in bytes (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _block(n: int, quarters: int, seed: int) -> ScenarioBlock:
    scenario = load(
        ROOT / "params" / "deals" / "ibasis" / "scenarios" / "base.yaml",
        overrides={"horizon_quarters.value": quarters},
    )
    rng = np.random.default_rng(seed)
    ineligible = np.round(rng.uniform(-0.03, 0.03, n), 4)
    return (
        ScenarioBlock.from_scenarios(scenario)
        .repeat(n)
        .shocked(
            scale={
                "revenue": 1 + rng.normal(0, 0.10, n),
                "ebitda": 1 + rng.normal(0, 0.25, n),
            },
            add={
                "dso_domestic": np.round(rng.uniform(-5, 15, n), 1),
                "dso_foreign": np.round(rng.uniform(-5, 15, n), 1),
                "ineligible_domestic": ineligible,
                "ineligible_foreign": ineligible,
                "base_rate_shift": np.round(rng.uniform(-0.01, 0.02, n), 4),  # whole bps
            },
        )
    )


def _agree(ours, block: ScenarioBlock, sample: int) -> tuple[float, int, int]:
    """Run the reference on the first ``sample`` scenarios: (seconds, largest difference
    over the quarterly figures both have, in cents or days, covenant statuses that differ)."""
    worst, differ, seconds = 0, 0, 0.0
    for i in range(sample):
        t0 = time.perf_counter()
        ref = reference_projection(block, i)
        seconds += time.perf_counter() - t0
        mine = ours.quarters.xs(block.names[i], level="scenario")
        common = [c for c in ref.quarters.columns if c in mine.columns]
        scale = np.array([1 if c.startswith("days_") else 100 for c in common])  # days; cents
        cents = np.rint(mine[common].to_numpy(dtype=np.float64) * scale).astype(np.int64)
        theirs = ref.quarters[common].to_numpy(dtype=np.int64)
        worst = max(worst, int(np.abs(cents - theirs).max()))
        codes = ours.covenants.xs(block.names[i], level="scenario")["status_code"]
        ref_codes = ref.covenants["status_code"].reindex(codes.index)
        differ += int((codes != ref_codes).sum())
    return seconds, worst, differ


def _capital_block(n: int, quarters: int, seed: int) -> list:
    """N scenarios of a capital structure (term loan, revolver with a borrowing base, PIK
    notes) over ``quarters``: the Northwind deal with maturities beyond the horizon, written to
    a scratch folder inside params/ and removed after loading."""
    import shutil

    src = ROOT / "params" / "deals" / "northwind"
    shutil.rmtree(CAPITAL_FOLDER, ignore_errors=True)
    (CAPITAL_FOLDER / "scenarios").mkdir(parents=True)
    try:
        for name in ("compliance.yaml", "actuals.csv"):
            shutil.copy(src / name, CAPITAL_FOLDER / name)
        shutil.copytree(src / "inputs", CAPITAL_FOLDER / "inputs")
        text = (src / "capital-structure.yaml").read_text(encoding="utf-8")
        for old, new in (
            ("maturity: {value: 2024-01-15,", "maturity: {value: 2035-01-15,"),
            ("maturity: {value: 2023-01-15,", "maturity: {value: 2035-01-15,"),
            ("maturity: {value: 2025-01-15,", "maturity: {value: 2036-01-15,"),
            (
                'rate: "0.025", assumption: "Fictitious: 2.5%',
                'rate: "0.005", assumption: "Fictitious: 2.5%',
            ),
        ):
            assert old in text, old
            text = text.replace(old, new)
        (CAPITAL_FOLDER / "capital-structure.yaml").write_text(text, encoding="utf-8")
        shutil.copy(src / "scenarios" / "base.yaml", CAPITAL_FOLDER / "scenarios" / "base.yaml")
        base = load(
            CAPITAL_FOLDER / "scenarios" / "base.yaml",
            overrides={"horizon_quarters.value": quarters},
        )
    finally:
        shutil.rmtree(CAPITAL_FOLDER, ignore_errors=True)
    rng = np.random.default_rng(seed)
    from decimal import Decimal

    out = []
    ebitda = np.array([float(x) for x in base.paths["ebitda"]])
    for i in range(n):
        paths = dict(base.paths)
        shock = 1 + rng.normal(0, 0.15)
        paths["ebitda"] = tuple(Decimal(str(round(x * shock, 2))) for x in ebitda)
        paths["eligible_receivables"] = tuple(
            Decimal(str(round(float(x) * (1 + rng.normal(0, 0.1)), 2)))
            for x in base.paths["eligible_receivables"]
        )
        shift = Decimal(str(round(float(rng.uniform(-0.005, 0.02)), 4)))
        terms = base.terms.model_copy(update={"name": f"s{i:05d}"})
        out.append(base.model_copy(update={"terms": terms, "paths": paths, "rate_shift": shift}))
    return out


def _profile(block: ScenarioBlock) -> None:
    prof = cProfile.Profile()
    prof.enable()
    project(block)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).sort_stats("cumulative")
    stats.print_stats(r"model[/\\]|pandas[/\\]core[/\\](frame|reshape)", 25)
    print("\ncProfile of one project(block), by cumulative time:")
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=10_000, help="scenarios in the block")
    parser.add_argument("--quarters", type=int, default=40, help="quarters of the horizon")
    parser.add_argument("--sample", type=int, default=20, help="scenarios run by the reference")
    parser.add_argument("--seed", type=int, default=20080428)
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs of ours")
    parser.add_argument("--profile", action="store_true", help="cProfile one run of ours")
    args = parser.parse_args()

    t0 = time.perf_counter()
    block = _block(args.scenarios, args.quarters, args.seed)
    build = time.perf_counter() - t0
    q = block.quarter_ends
    print(
        f"{block.size:,} scenarios x {len(q)} quarters ({q[0]} to {q[-1]}); "
        f"block built (untimed below): {build:.2f} s"
    )
    project(block.take(slice(0, 1)))  # warm-up: imports and caches, untimed
    rss_before = _peak_rss()
    runs = []
    for run in range(args.repeats):  # best of: the machine is shared
        t0 = time.perf_counter()
        ours = project(block)
        runs.append(time.perf_counter() - t0)
        if run < args.repeats - 1:
            del ours  # one projection alive at a time
    t_ours = min(runs)
    rss = _peak_rss()

    sample = min(args.sample, block.size)
    t_sample, worst, differ = _agree(ours, block, sample)
    t_ref = t_sample / sample * block.size
    ratio = t_ref / t_ours
    print(f"\n{'':<34}{'seconds':>12}")
    print(f"{'ours: project(block), best of ' + str(args.repeats):<34}{t_ours:>12.2f}")
    print(f"{'reference: ' + str(sample) + ' scenarios':<34}{t_sample:>12.2f}")
    print(f"{'reference, scaled to ' + format(block.size, ','):<34}{t_ref:>12.0f}")
    print(f"runs of ours: {', '.join(f'{t:.2f}' for t in runs)} s")
    print(f"ratio: {ratio:,.0f}x")
    print(
        f"peak memory (ru_maxrss): {rss / 1024**2:,.0f} MB (before ours: {rss_before / 1024**2:,.0f} MB)"
    )
    print(
        f"\nagreement on the {sample} scenarios: largest quarterly difference {worst} (cents or days), "
        f"{differ} covenant statuses differ"
    )
    print("\ntargets:")
    for label, ok in (
        (f"under {TARGET_SECONDS:g} s", t_ours < TARGET_SECONDS),
        (f"at least {TARGET_RATIO:g}x the reference", ratio >= TARGET_RATIO),
        (f"peak memory under {TARGET_BYTES / 1024**3:g} GB", rss < TARGET_BYTES),
    ):
        print(f"  {label:<36}{'met' if ok else 'MISSED'}")
    print(
        "\nWhat is compared: the reference walks every calendar day in Python with exact"
        "\nintegers and Fractions and tests covenants with the scalar engine, one scenario at a"
        "\ntime; ours steps event days for the whole block in integer-cent numpy arrays and"
        "\nkeeps the results as arrays. Both times include covenants."
    )
    if args.profile:
        del ours
        _profile(block)

    # the whole capital structure, in the same run
    from model import project_capital

    capital = _capital_block(args.scenarios, args.quarters, args.seed)
    project_capital(capital[:2])  # warm-up, untimed
    cruns = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        result = project_capital(capital)
        cruns.append(time.perf_counter() - t0)
    t_capital = min(cruns)
    cq = result.quarter_ends
    print(
        f"\ncapital structure (term loan on compounded SOFR with a floor and a margin grid, a revolver"
        f"\nwith a borrowing base, PIK toggle notes, sweeps, covenants and cures): {len(capital):,} "
        f"scenarios x {len(cq)} quarters ({cq[0]} to {cq[-1]})"
    )
    print(f"{'ours: project_capital, best of ' + str(args.repeats):<34}{t_capital:>12.2f}")
    print(f"runs: {', '.join(f'{t:.2f}' for t in cruns)} s")
    cratio = t_capital / t_ours
    print(f"ratio to the revolver-only run above: {cratio:.2f}x")
    print(
        f"  {'at most ' + format(TARGET_CAPITAL_RATIO, 'g') + 'x the revolver-only run':<36}"
        f"{'met' if cratio <= TARGET_CAPITAL_RATIO else 'MISSED'}"
    )
    if worst or differ:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
