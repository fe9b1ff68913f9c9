"""The batch and the projection on a Dask cluster (step 8): a 2-worker LocalCluster of
processes. Skipped where dask.distributed is not installed (it is in the dev extra)."""

from __future__ import annotations

import filecmp
import io
import json
from pathlib import Path

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from model import breach_probability, load, project, random_paths  # noqa: E402
from model.run import batch  # noqa: E402
from tests.run.batchbooks import DEAL as D  # noqa: E402
from tests.run.batchbooks import REPORT_FILES  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as c:
        yield c


def _quiet(**kw):
    return {"progress": io.StringIO(), "progress_bar": False} | kw


def test_every_kind_of_report_on_dask_gives_the_same_key_figures_as_the_local_pool(
    tmp_path: Path,
) -> None:
    # every kind of report once (a covenant report, a projection per scenario, the comparison
    # per deal, a capital structure and its analyses), not the whole default batch twice:
    # CI's time goes to what each run checks
    kinds = dict(
        notebooks=[
            "03-covenant-compliance",
            "04-projection",
            "05-scenarios",
            "06-capital-structure",
            "07-capital-scenarios",
        ],
        scenarios=["base"],
        deals=["ibasis", "northwind"],
        workers=2,
        **_quiet(),
    )
    local = batch.run_batch(out=tmp_path / "local", **kinds)
    dask = batch.run_batch(out=tmp_path / "dask", executor="dask", **kinds)
    assert not local.failed and not dask.failed
    assert dask.executor == "dask" and dask.workers == 2
    # iBasis: 03, 04 of base, 05 of the deal; Northwind: 03, 06 and 07 of base
    assert len(dask.entries) == len(local.entries) == 6
    names = sorted(
        p.relative_to(tmp_path / "local")
        for p in (tmp_path / "local").rglob("*.json")
        if p.name != "index.json"
    )
    assert len(names) == 6
    for name in names:
        assert filecmp.cmp(tmp_path / "local" / name, tmp_path / "dask" / name, shallow=False), name
    index = json.loads((tmp_path / "dask" / "index.json").read_text())
    assert index["run"]["executor"] == "dask"


def test_a_failing_report_is_isolated_on_dask(books: Path, tmp_path: Path, cluster) -> None:
    res = batch.run_batch(
        ["10-fake"],
        ["base", "downside", "upside"],
        {"fail_on": "downside"},
        tmp_path / "o",
        executor=f"dask={cluster.scheduler_address}",
        **_quiet(),
    )
    # a run with -p parameters goes to its own folders: <scenario>--fail_on-downside
    status = {e["scenario"]: e for e in res.entries}
    assert status["downside"]["status"] == "failed"
    assert status["downside"]["failure"]["error"] == "ValueError"
    assert status["downside"]["failure"]["cell"] == 3
    assert {f.name for f in (tmp_path / "o" / status["downside"]["folder"]).iterdir()} == {
        "10-fake.FAILED.html",
        "10-fake.FAILED.ipynb",
    }
    for s in ("base", "upside"):
        assert status[s]["status"] == "ok" and status[s]["folder"] == f"{D}/{s}--fail_on-downside"
        assert {f.name for f in (tmp_path / "o" / status[s]["folder"]).iterdir()} == REPORT_FILES


def test_a_worker_killed_mid_task_is_retried_or_reported_never_lost(
    books: Path, tmp_path: Path, cluster
) -> None:
    address = f"dask={cluster.scheduler_address}"
    marker = tmp_path / "killed-once"
    once = batch.run_batch(
        ["10-fake"],
        ["base", "upside"],
        {"kill_worker_on": "upside", "kill_marker": str(marker)},
        tmp_path / "o",
        executor=address,
        **_quiet(),
    )
    assert marker.exists()  # the worker was killed once, Dask ran the report again
    assert [e["status"] for e in once.entries] == ["ok", "ok"]
    up = next(e["folder"] for e in once.entries if e["scenario"] == "upside")
    assert json.loads((tmp_path / "o" / up / "10-fake.json").read_text())["scenario"] == "upside"
    always = batch.run_batch(
        ["10-fake"],
        ["base", "upside"],
        {"kill_worker_on": "upside"},
        tmp_path / "o",
        executor=address,
        force=True,
        **_quiet(),
    )
    status = {e["scenario"]: e for e in always.entries}
    assert status["base"]["status"] == "ok"
    assert status["upside"]["status"] == "failed"
    assert status["upside"]["failure"]["error"] == "WorkerDied"


def test_the_projection_of_20000_scenarios_on_the_cluster_equals_the_local_one(cluster) -> None:
    block = random_paths(
        load("params/deals/ibasis/scenarios/stress-2008.yaml"),
        20_000,
        seed=11,
        growth_volatility=0.05,
        margin_volatility=0.005,
        correlation=0.5,
    )
    local = project(block, block_size=4096)
    with distributed.Client(cluster) as client:
        remote = project(block, block_size=4096, client=client)
    assert set(local.arrays) == set(remote.arrays)
    for k in local.arrays:
        assert np.array_equal(local.arrays[k], remote.arrays[k], equal_nan=True), k
    assert np.array_equal(local.status_codes(), remote.status_codes())
    assert local.quarters.equals(remote.quarters)
    assert local.covenants.equals(remote.covenants)


def test_the_breach_probability_on_the_cluster_equals_the_local_one(cluster) -> None:
    scenario = load("params/deals/ibasis/scenarios/stress-2008.yaml")
    local = breach_probability(scenario, 600, seed=5, block_size=200)
    with distributed.Client(cluster) as client:
        remote = breach_probability(scenario, 600, seed=5, block_size=200, client=client)
    assert local.equals(remote)
    assert local.xs("any", level="covenant")["breaches"].max() > 0  # not a comparison of zeros


def test_an_unreachable_scheduler_is_a_clear_error(books: Path, tmp_path: Path) -> None:
    from model.errors import InputError

    with pytest.raises(InputError, match="cannot reach a Dask scheduler at 'tcp://127.0.0.1:9'"):
        batch.run_batch(
            ["10-fake"], ["base"], out=tmp_path / "o", executor="dask=tcp://127.0.0.1:9"
        )
    # an address Dask cannot use at all is the same clear error, not a traceback
    with pytest.raises(InputError, match="cannot reach a Dask scheduler at 'tcp://h:notaport'"):
        batch.run_batch(["10-fake"], ["base"], out=tmp_path / "o", executor="dask=tcp://h:notaport")


def test_when_every_report_is_reused_no_cluster_is_needed(books: Path, tmp_path: Path) -> None:
    first = batch.run_batch(["10-fake"], ["base"], out=tmp_path / "o", **_quiet())
    assert [e["status"] for e in first.entries] == ["ok"]
    # nothing to run: the unreachable scheduler is never contacted
    again = batch.run_batch(
        ["10-fake"], ["base"], out=tmp_path / "o", executor="dask=tcp://127.0.0.1:9", **_quiet()
    )
    assert [e["status"] for e in again.entries] == ["reused"]
