"""Actuals loader (model/terms/actuals.py) and the sample params/deals/ibasis/actuals/ibasis-2008.csv."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from model.errors import ParamsError
from model.terms import load
from model.terms.actuals import (
    Actuals,
    MissingLineItemError,
    QuarterNotInActualsError,
    load_actuals_csv,
)

SAMPLE = "params/deals/ibasis/actuals/ibasis-2008.csv"
COMPLIANCE = "params/deals/ibasis/facilities/svb-compliance-certificate.yaml"

# Golden values: ../shared/reference/ibasis-quarterly-public.csv ($ millions -> dollars, exact).
PUBLIC = [
    # quarter_end, revenue, net_income, company adjusted EBITDA; source: the release named in the CSV
    ("2007-12-31", "350600000", "-2000000", "14400000"),  # Q4 2007 earnings release
    ("2008-03-31", "324900000", "-2100000", "11200000"),  # Q1 2009 release (prior-year comparison)
    ("2008-06-30", "360800000", "0", "12700000"),  # Q2 2008 release; net income "at breakeven"
    ("2008-09-30", "338000000", "3300000", "10300000"),  # Q3 2009 preliminary release
    ("2008-12-31", "299800000", "-17800000", "8100000"),  # Q4 2008 preliminary release
    ("2009-03-31", "255500000", "-1700000", "9700000"),  # Q1 2009 release
    ("2009-06-30", "241300000", "-4000000", "10700000"),  # Q2 2009 release
]


@pytest.fixture(scope="module")
def sample() -> Actuals:
    return load(SAMPLE)


@pytest.mark.parametrize("q,revenue,net_income,adj_ebitda", PUBLIC)
def test_public_figures_exact_and_marked_reported(sample, q, revenue, net_income, adj_ebitda):
    qa = sample.quarter(q)
    for item, want in (
        ("revenue", revenue),
        ("net_income", net_income),
        ("company_adjusted_ebitda", adj_ebitda),
    ):
        e = qa.entry(item)
        assert e.value == Decimal(want)
        # Q2 2008 net income is not public as a figure: "at breakeven" (finding 24)
        want_kind = "estimate" if (q, item) == ("2008-06-30", "net_income") else "reported"
        assert e.kind == want_kind
        assert "public filing" in e.source


def test_breakeven_recorded_as_zero_estimate_with_note(sample):
    e = sample.quarter("2008-06-30").entry("net_income")
    assert e.value == 0 and e.kind == "estimate"
    assert "reported only as 'at breakeven'" in e.note and "not public" in e.note


def test_company_adjusted_ebitda_flagged_not_covenant_ebitda(sample):
    assert "NOT the covenant" in sample.quarter("2008-03-31").entry("company_adjusted_ebitda").note


def test_everything_else_is_illustrative(sample):
    df = sample.to_frame()
    real = {"revenue", "net_income", "company_adjusted_ebitda"}  # reported, or estimate
    assert (df[~df.line_item.isin(real)]["kind"] == "illustrative").all()
    assert df[df.kind == "illustrative"]["source"].str.contains("ILLUSTRATIVE").all()


def test_quarters_cover_2007q4_to_2009q2(sample):
    assert sample.quarter_ends[0] == dt.date(2007, 12, 31)
    assert sample.quarter_ends[-1] == dt.date(2009, 6, 30)
    assert len(sample.quarter_ends) == 7


def _write(tmp_path, body: str):
    p = tmp_path / "a.csv"
    p.write_text("quarter_end,line_item,value,kind,source\n" + body)
    return p


@pytest.mark.parametrize(
    "body,match",
    [
        (
            "2008-03-31,net_income,abc,reported,x\n",
            r"line 2: value: not an amount: 'abc'",
        ),
        (
            "2008-03-30,net_income,1,reported,x\n",
            r"line 2: quarter_end: 2008-03-30 is not a fiscal quarter end",
        ),
        pytest.param(
            "2008-03-31,ebit,1,reported,x\n",
            r"line_item: unknown line item 'ebit'",
            id="unknown-line-item",
        ),
        (
            "2008-03-31,net_income,1,guess,x\n",
            r"line 2: kind: unknown value 'guess'; valid: 'reported', 'estimate', 'illustrative'",
        ),
        ("2008-03-31,net_income,1,reported,\n", r"line 2: source: missing value"),
        pytest.param(
            "2008-03-31,cash_at_bank,-50,illustrative,x\n",
            r"line 2: value: cash_at_bank must not be negative \(got -50\)",
            id="negative-cash-at-bank",
        ),
        (
            "2008-03-31,net_income,1,reported,x\n2008-03-31,net_income,2,reported,x\n",
            r"line 3: .*appears twice \(first on line 2\)",
        ),
    ],
)
def test_csv_errors_name_file_line_column_rule(tmp_path, body, match):
    """An actuals file is read strictly, then checked against the deal's line items (as the
    covenant engine does before it reads a figure)."""
    with pytest.raises(ParamsError, match=match) as exc:
        load_actuals_csv(_write(tmp_path, body)).check(load(COMPLIANCE).line_items)
    assert exc.value.file.endswith("a.csv")


def test_check_against_the_deals_line_items_names_file_line_column_rule(tmp_path, sample):
    """Which line items exist, and which may be negative, is the deal's (its compliance
    file): Actuals.check refuses the rest, every problem at once."""
    line_items = load(COMPLIANCE).line_items
    sample.check(line_items)  # the sample file holds only the deal's line items
    actuals = load_actuals_csv(
        _write(
            tmp_path,
            "2008-03-31,ebit,1,reported,x\n"
            "2008-03-31,cash_at_bank,-50,illustrative,x\n"
            "2008-03-31,net_income,-5,reported,x\n",
        )
    )
    with pytest.raises(ParamsError) as exc:
        actuals.check(line_items)
    assert exc.value.file.endswith("a.csv")
    assert [str(p) for p in exc.value.problems] == [
        "line 2: line_item: unknown line item 'ebit'; the deal defines: " + ", ".join(line_items),
        "line 3: value: cash_at_bank must not be negative (got -50)",
    ]


def test_csv_missing_column(tmp_path):
    p = tmp_path / "b.csv"
    p.write_text("quarter_end,line_item,value,source\n2008-03-31,net_income,1,x\n")
    with pytest.raises(ParamsError, match="line 1: header: missing column 'kind'"):
        load_actuals_csv(p)


def test_comment_lines_keep_true_line_numbers(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text(
        "# note\nquarter_end,line_item,value,kind,source\n2008-03-31,net_income,x,reported,s\n"
    )
    with pytest.raises(ParamsError, match="line 3:"):
        load_actuals_csv(p)


def test_quarter_not_in_actuals(sample):
    with pytest.raises(
        QuarterNotInActualsError,
        match=r"quarter 2010-03-31 is not in the actuals \(quarters present: 2007-12-31",
    ):
        sample.quarter("2010-03-31")


def test_missing_line_item_names_quarter_item_and_fix():
    a = Actuals.from_records([("2008-03-31", "net_income", "1", "reported", "s")])
    with pytest.raises(
        MissingLineItemError,
        match=r"<records>: quarter 2008-03-31: line item 'interest_expense' is missing; "
        r"add a row '2008-03-31,interest_expense,<value>,",
    ):
        a.quarter("2008-03-31")["interest_expense"]


# --- review 4 ------------------------------------------------------------------------------

YAML_ACTUALS = """kind: actuals
name: sample
quarters:
  2008-03-31:
    net_income: {value: -2100000, kind: reported, source: release}
  2008-06-30:
    net_income: {value: 5, kind: reported, source: release}
    interest_expense: {value: -400000, kind: illustrative, source: sample}
"""


def test_yaml_actuals_keep_the_line_of_each_item(tmp_path) -> None:
    # finding 9: the line table is looked up by the loaded (date) key: line 8, not line 0/2
    p = tmp_path / "actuals.yaml"
    p.write_text(YAML_ACTUALS)
    acts = load(p)
    q2 = acts.quarter("2008-06-30")
    assert q2.entry("net_income").value == Decimal("5")
    assert [q2.entry(i).line for i in ("net_income", "interest_expense")] == [7, 8]
    with pytest.raises(
        ParamsError,
        match=r"actuals.yaml: line 8: value: interest_expense must not be negative \(got -400000\)",
    ):
        acts.check(load(COMPLIANCE).line_items)


def test_yaml_actuals_refuse_unknown_keys(tmp_path) -> None:
    p = tmp_path / "actuals.yaml"
    p.write_text(YAML_ACTUALS.replace("source: sample}", "source: sample, comment: x}"))
    with pytest.raises(
        ParamsError,
        match=r"line 8: quarters\.2008-06-30\.interest_expense\.comment: unknown key 'comment'",
    ):
        load(p)
    p.write_text(YAML_ACTUALS.replace("name: sample", "title: sample"))
    with pytest.raises(ParamsError, match=r"line 2: title: unknown key"):
        load(p)


def test_params_comments_cite_the_public_api() -> None:
    # finding 18: every model.<name> a params file mentions is a name of the public API
    import re

    import model
    from model import paths

    cited = set()
    for f in paths.PARAMS.rglob("*"):
        if f.is_file() and f.suffix in (".csv", ".yaml"):
            cited |= set(re.findall(r"\bmodel\.([A-Za-z_]\w*)", f.read_text(encoding="utf-8")))
    assert {"facility_ledger", "evaluate_covenants"} <= cited
    assert [name for name in sorted(cited) if not hasattr(model, name)] == []
