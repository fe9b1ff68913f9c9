"""A run that changes something (inputs set with --set, parameters that differ from a
notebook's defaults) writes into its own folder, named by what it changed, and never
replaces the report of the files as written; the index says what was changed."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest

from model import InputError, load, paths
from model.reports.index import variant_words
from model.run import batch
from model.run.notebooks import list_notebooks
from model.run.plan import find_deals, plan, select_notebooks, variant_folder


def _plan(names, scenarios=None, parameters=None, sets=None, deals=("ibasis",)):
    books = select_notebooks(names, paths.NOTEBOOKS)
    available = [p.stem for p in list_notebooks(paths.NOTEBOOKS)]
    return plan(find_deals(list(deals)), books, scenarios, parameters or {}, available, sets)


def test_a_set_input_goes_to_its_own_folder_with_the_notebooks_overrides():
    (item,) = _plan(["04-projection"], ["base"], sets={"drivers.capex_unfunded": 5000000})
    assert item.folder == "ibasis/base--drivers.capex_unfunded-5000000"
    assert item.parameters["overrides"] == "drivers.capex_unfunded=5000000"
    assert item.variant == {"set": {"drivers.capex_unfunded": 5000000}}


def test_a_parameter_that_differs_from_the_default_is_a_variant_one_that_does_not_is_not():
    (changed,) = _plan(["03-covenant-compliance"], parameters={"quarter": "2008-12-31"})
    assert changed.folder == "ibasis/historical--quarter-2008-12-31"
    (same,) = _plan(["03-covenant-compliance"], parameters={"quarter": "2008-03-31"})
    assert same.folder == "ibasis/historical" and same.variant == {}


def test_set_needs_a_notebook_that_takes_it():
    with pytest.raises(
        InputError, match=r"^--set: --set changes a scenario's inputs; it needs a notebook"
    ):
        _plan(["01-interest-accrual"], sets={"drivers.capex_unfunded": 1})
    with pytest.raises(InputError, match="not both"):
        _plan(
            ["04-projection"],
            ["base"],
            {"overrides": "drivers.dso_domestic=50"},
            {"drivers.capex_unfunded": 1},
        )


def test_a_long_variant_is_named_with_a_digest():
    variant = {"set": {f"drivers.d{i}": 10**9 + i for i in range(6)}}
    folder = variant_folder("ibasis/base", variant)
    name = folder.split("/", 1)[1]
    assert len(name) <= 64 and name.startswith("base--")
    assert name.endswith(
        hashlib.sha256(json.dumps(variant, sort_keys=True).encode()).hexdigest()[:8]
    )


def test_set_inputs_are_labelled_as_set_for_the_run():
    s = load(
        "params/deals/ibasis/scenarios/base.yaml",
        kind="scenario",
        sets="drivers.capex_unfunded=5000000",
    )
    rows = s.provenance()
    row = rows[rows["term"] == "drivers.capex_unfunded[0]"].iloc[0]
    assert str(row["value"]) == "5000000"
    assert row["provenance"] == "set for this run: drivers.capex_unfunded=5000000"
    with pytest.raises(
        InputError, match=r"drivers\.nope: --set drivers\.nope: not an input of this file"
    ):
        load("params/deals/ibasis/scenarios/base.yaml", kind="scenario", sets="drivers.nope=1")


def test_a_variant_run_leaves_the_default_report_byte_identical(tmp_path: Path):
    quiet = {"progress": io.StringIO(), "progress_bar": False}
    out = tmp_path / "reports"
    first = batch.run_batch(["04-projection"], ["base"], out=out, deals=["ibasis"], **quiet)
    assert not first.failed
    before = {p: p.read_bytes() for p in (out / "ibasis/base").iterdir()}
    res = batch.run_batch(
        ["04-projection"],
        ["base"],
        out=out,
        deals=["ibasis"],
        sets=["drivers.capex_unfunded=5000000"],
        **quiet,
    )
    assert not res.failed
    assert {p: p.read_bytes() for p in (out / "ibasis/base").iterdir()} == before
    figures = json.loads(
        (out / "ibasis/base--drivers.capex_unfunded-5000000/04-projection.json").read_text()
    )
    shown = {p["name"]: p["value"] for p in figures["inputs"]["parameters"]}
    assert shown["overrides"] == "drivers.capex_unfunded=5000000"
    index = json.loads((out / "index.json").read_text())
    rows = {s["name"]: s for s in index["scenarios"]}
    assert rows["base"]["variant"] == ""
    assert rows["base--drivers.capex_unfunded-5000000"]["variant"] == (
        "set for this run: drivers.capex_unfunded = 5000000"
    )
    page = (out / "index.html").read_text()
    assert (
        "Variant, not the scenario as written: set for this run: drivers.capex_unfunded = 5000000"
        in page
    )
    assert variant_words({"variant": {}}) == ""


def test_a_parameter_the_deal_sets_is_compared_with_the_deals_value():
    """Northwind's deal file sets springing_reading: quarter_end. -p springing_reading=any_day
    (the notebook's default) changes its report: a variant; the deal's own value is not."""
    (changed,) = _plan(
        ["03-covenant-compliance"],
        parameters={"springing_reading": "any_day"},
        deals=("northwind",),
    )
    assert changed.folder == "northwind/historical--springing_reading-any_day"
    (same,) = _plan(
        ["03-covenant-compliance"],
        parameters={"springing_reading": "quarter_end"},
        deals=("northwind",),
    )
    assert same.folder == "northwind/historical" and same.variant == {}


def test_variants_are_named_by_the_full_key_and_never_collide():
    a = variant_folder("d/base", {"set": {"opening.deferred_revenue": 100}})
    b = variant_folder("d/base", {"set": {"drivers.deferred_revenue": 100}})
    assert a != b and a == "d/base--opening.deferred_revenue-100"
    # the order the keys were given in does not matter; case is kept apart by a digest
    assert variant_folder("d/base", {"x": 1, "y": 2}) == variant_folder("d/base", {"y": 2, "x": 1})
    assert variant_folder("d/base", {"token": "A"}) != variant_folder("d/base", {"token": "a"})


def test_a_set_value_is_set_with_its_provenance_and_the_provenance_cannot_be_set():
    s = load(
        "params/deals/ibasis/scenarios/base.yaml",
        kind="scenario",
        sets="drivers.capex_unfunded.value=7000000",
    )
    rows = s.provenance()
    assert rows[rows["term"] == "drivers.capex_unfunded[0]"].iloc[0]["provenance"] == (
        "set for this run: drivers.capex_unfunded=7000000"
    )
    with pytest.raises(
        InputError, match="provenance of a value set for a run is written by the run"
    ):
        load(
            "params/deals/ibasis/scenarios/base.yaml",
            kind="scenario",
            sets="drivers.capex_unfunded.assumption=x",
        )


def test_a_set_key_the_file_lacks_fails_before_anything_runs():
    with pytest.raises(
        InputError, match=r"drivers\.nope: --set drivers\.nope: not an input of this file"
    ):
        _plan(["04-projection"], ["base"], sets={"drivers.nope": 1})


def test_set_values_survive_the_trip_into_the_notebook():
    from model.terms.sets import parse_sets, sets_text

    sets = {"revolver.after_maturity": "no", "drivers.capex_unfunded": 5000000, "x.y": "a: b"}
    assert parse_sets(sets_text(sets)) == sets
    with pytest.raises(InputError, match="a value without ';'"):
        parse_sets(["revolver.after_maturity=a;b"])
