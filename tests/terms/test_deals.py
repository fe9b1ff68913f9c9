"""Deal files (``params/deals/<deal>/deal.yaml``, model/terms/deals.py): what the batch
runs for each deal, checked strictly, errors naming file, line, key and rule."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from model import load, paths
from model.errors import InputError, ParamsError
from model.run.plan import find_deals, plan, select_notebooks

GOOD = """kind: deal
name: {name}
title: "A deal"
notebooks:
  03-covenant-compliance:
    quarter: "2019-12-31"
"""


@pytest.fixture()
def deals(tmp_path: Path) -> Path:
    folder = paths.PARAMS / "deals" / f".test-{tmp_path.name[-12:]}"
    folder.mkdir(parents=True)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _deal(deals: Path, name: str, text: str) -> Path:
    (deals / name).mkdir()
    (deals / name / "deal.yaml").write_text(text)
    return deals / name / "deal.yaml"


def test_the_three_deals_of_the_portfolio() -> None:
    ibasis, magnite, northwind = find_deals()
    assert (ibasis.name, magnite.name, northwind.name) == ("ibasis", "magnite", "northwind")
    assert ibasis.scenarios_folder == paths.PARAMS / "deals" / "ibasis" / "scenarios"
    assert list(ibasis.terms.notebooks) == [
        "01-interest-accrual",
        "02-facility-sizing",
        "03-covenant-compliance",
        "04-projection",
        "05-scenarios",
    ]
    assert northwind.scenarios_folder == paths.PARAMS / "deals" / "northwind" / "scenarios"
    assert northwind.terms.notebooks["03-covenant-compliance"]["quarter"] == "2019-12-31"
    # the capital structures are projected per scenario by notebook 06, shocked by 07
    assert list(magnite.terms.notebooks) == ["06-capital-structure", "07-capital-scenarios"]
    assert list(northwind.terms.notebooks) == [
        "03-covenant-compliance",
        "06-capital-structure",
        "07-capital-scenarios",
    ]


def test_a_plan_covers_each_deal_with_its_parameters() -> None:
    books = select_notebooks(None)
    items = plan(find_deals(), books, None, {}, [b.name for b in books])
    folders = [i.key for i in items]
    assert folders[:3] == [
        "ibasis/historical/01-interest-accrual",
        "ibasis/historical/02-facility-sizing",
        "ibasis/historical/03-covenant-compliance",
    ]
    assert "ibasis/stress-2008/04-projection" in folders
    # the side-by-side notebook runs once per deal and compares every scenario of the deal
    side = {i.key: i.parameters["scenario_files"] for i in items if i.book.name == "05-scenarios"}
    assert side == {
        "ibasis/compared/05-scenarios": [
            f"params/deals/ibasis/scenarios/{n}.yaml"
            for n in ("base", "downside", "stress-2008", "upside")
        ]
    }
    assert folders[-5:] == [
        "northwind/historical/03-covenant-compliance",
        "northwind/base/06-capital-structure",
        "northwind/downside/06-capital-structure",
        "northwind/base/07-capital-scenarios",
        "northwind/downside/07-capital-scenarios",
    ]
    assert [f for f in folders if f.startswith("magnite/")] == [
        "magnite/base/06-capital-structure",
        "magnite/downside/06-capital-structure",
        "magnite/base/07-capital-scenarios",
        "magnite/downside/07-capital-scenarios",
    ]
    assert items[-4].parameters["scenario_file"] == "params/deals/northwind/scenarios/base.yaml"
    # the side-by-side notebook of a capital deal compares every scenario of the deal
    assert items[-1].parameters["scenario_files"] == [
        f"params/deals/northwind/scenarios/{n}.yaml" for n in ("base", "downside")
    ]
    nw = items[-5].parameters
    assert nw["facility_file"] == "params/deals/northwind/facility.yaml"
    assert nw["opening_balance"] == 8_000_000  # typed as the notebook declares it
    # a user parameter goes to every deal's notebook that declares it; over a value the
    # deal file sets, it wins only for a run of that deal alone
    items = plan(
        find_deals(["northwind"]), books, None, {"quarter": "2019-09-30"}, [b.name for b in books]
    )
    assert items[0].parameters["quarter"] == "2019-09-30"
    with pytest.raises(InputError) as err:
        plan(find_deals(), books, None, {"quarter": "2008-06-30"}, [b.name for b in books])
    assert str(err.value) == (
        "params/deals/northwind/deal.yaml: parameter(s) quarter of 03-covenant-compliance are "
        "set for this deal by its deal file; to override them run that deal alone "
        "(--deal northwind)"
    )
    # a scenario the deal does not have is an error naming the ones it has
    with pytest.raises(
        InputError,
        match=r"no scenario 'typo' in params/deals/northwind/scenarios \(known: base, downside\)",
    ):
        plan(find_deals(["northwind"]), books, ["typo"], {}, [b.name for b in books])


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (GOOD.replace("03-covenant-compliance", "3-covenants"), "is not a notebook name"),
        (
            GOOD.replace('    quarter: "2019-12-31"', "    output_dir: x"),
            "output_dir is set by model run",
        ),
        (
            GOOD.replace('    quarter: "2019-12-31"', "    quarter: {a: 1}"),
            "a parameter is text, a number",
        ),
        (GOOD.replace("name: {name}", "name: other"), "must be its folder's name"),
        (GOOD + "scenarios: ../../../../tmp\n", "is outside params/"),
        (GOOD + "scenarios: nowhere\n", "no folder 'nowhere'"),
        (GOOD + "colour: red\n", "colour"),
    ],
)
def test_a_malformed_deal_file_is_refused_with_a_clear_error(
    deals: Path, text: str, rule: str
) -> None:
    path = _deal(deals, "d", text.replace("{name}", "d"))
    with pytest.raises(ParamsError, match=rule) as err:
        load(path)
    assert paths.shown(path) in str(err.value)


def test_a_deal_parameter_the_notebook_does_not_declare_names_the_deal_file(deals: Path) -> None:
    _deal(deals, "d", GOOD.replace("{name}", "d").replace("quarter:", "quarterr:"))
    books = select_notebooks(None)
    with pytest.raises(
        InputError, match=r"deal\.yaml: notebooks\.03-covenant-compliance: parameter\(s\) quarterr"
    ):
        plan(find_deals(None, deals), books, None, {}, [b.name for b in books])


def test_an_unknown_deal_is_named_with_the_known_ones() -> None:
    with pytest.raises(
        InputError, match="no deal 'acme' in params/deals \\(deals: ibasis, magnite, northwind\\)"
    ):
        find_deals(["acme"])
