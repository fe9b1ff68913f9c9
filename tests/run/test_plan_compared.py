"""A notebook that compares a deal's scenarios (it declares ``scenario_files`` and not
``scenario_file``) is planned once per deal, into ``<deal>/compared``, over every scenario of
the deal's folder and any scenario named on the command line: a changed scenario reruns its
own reports and this one, not one report per scenario."""

from __future__ import annotations

from model import paths
from model.run.notebooks import list_notebooks, notebook_info
from model.run.plan import find_deals, plan, select_notebooks


def _plan(names, scenarios=None):
    books = select_notebooks(names, paths.NOTEBOOKS)
    available = [p.stem for p in list_notebooks(paths.NOTEBOOKS)]
    return plan(find_deals(["ibasis"]), books, scenarios, {}, available)


def test_05_compares_every_scenario_once_per_deal():
    assert notebook_info(paths.NOTEBOOKS / "05-scenarios.ipynb").compares
    assert not notebook_info(paths.NOTEBOOKS / "04-projection.ipynb").compares
    planned = _plan(["04-projection", "05-scenarios"])
    folders = [(p.book.name, p.folder) for p in planned]
    assert folders.count(("05-scenarios", "ibasis/compared")) == 1
    assert sorted(f for n, f in folders if n == "04-projection") == [
        "ibasis/base",
        "ibasis/downside",
        "ibasis/stress-2008",
        "ibasis/upside",
    ]
    compared = next(p for p in planned if p.book.name == "05-scenarios")
    assert compared.scenario is None
    assert sorted(compared.parameters["scenario_files"]) == [
        f"params/deals/ibasis/scenarios/{n}.yaml"
        for n in ("base", "downside", "stress-2008", "upside")
    ]


def test_a_scenario_named_on_the_command_line_joins_the_comparison():
    planned = _plan(["05-scenarios"], ["downside"])
    (compared,) = planned
    assert compared.folder == "ibasis/compared"
    assert "params/deals/ibasis/scenarios/downside.yaml" in compared.parameters["scenario_files"]


def test_compared_is_a_reserved_folder_name():
    from model.reports.index import COMPARED, RESERVED_NAMES

    assert COMPARED == "compared" and COMPARED in RESERVED_NAMES
