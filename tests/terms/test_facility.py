"""Facility terms (model/terms/facility.py): versions, terms_as_of, diff, and bad params files."""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from model import paths
from model.errors import InputError, NotFoundError, ParamsError
from model.terms import load
from model.terms.covenants import Covenant
from model.terms.facility import Facility, FacilityTerms

PATH = "params/deals/ibasis/facilities/svb-loan-agreement.yaml"
FAC: Facility = load(PATH)
D = dt.date


def test_versions_and_interface():
    assert FAC.versions == [("original", D(2007, 10, 2)), ("first_modification", D(2008, 4, 28))]
    t = FAC.version("first_modification")
    assert isinstance(t, FacilityTerms) and t.version_name == "first_modification"
    assert t.effective_date == D(2008, 4, 28)
    assert all(isinstance(c, Covenant) for c in t.covenants)
    with pytest.raises(NotFoundError, match="versions: original, first_modification"):
        FAC.version("second_modification")


@pytest.mark.parametrize(
    "day, version, line",
    [  # Revolving Line: Loan Agreement Sec. 13.1 ($35M) / First Loan Modification Sec. 3.A.I ($50M)
        (D(2007, 10, 2), "original", 35_000_000),
        (D(2008, 4, 27), "original", 35_000_000),
        (D(2008, 4, 28), "first_modification", 50_000_000),
        (D(2008, 4, 29), "first_modification", 50_000_000),
    ],
)
def test_terms_as_of(day, version, line):
    t = FAC.terms_as_of(day)
    assert (t.version_name, t.line) == (version, Decimal(line))


def test_terms_before_agreement():
    with pytest.raises(ValueError, match="before the agreement date 2007-10-02"):
        FAC.terms_as_of(D(2007, 10, 1))


def test_diff_lists_every_changed_term():
    df = FAC.diff("original", "first_modification")
    assert list(df.columns) == ["term", "before", "after", "section"]
    terms = set(df["term"])
    expected = {
        "revolving_line",
        "borrowing_base.over_advance",
        "borrowing_base.over_advance_cap",
        "interest.over_advance_margin",
        "termination_fee.base_amount",
        "triggers.agings_reports_below",
        "triggers.cash_dominion_below",
        "permitted_indebtedness.aggregate_limit",
        "permitted_indebtedness.baskets[kpn_note]",
        "permitted_indebtedness.baskets[other]",
        "distributions.repurchase_program_basket",
        "covenant Sec. 6.9(ii)",
        "covenant Sec. 6.9(iii)",
        "definitions.Cash Flow",
        "definitions.First Loan Modification Advance Amount",
        "definitions.First Loan Modification Execution Date",
        "definitions.First Loan Modification Additional Interest Rate Margin",
        "fees[supplemental_commitment_fee]",
        "fees[modification_fee]",
    }
    assert expected <= terms
    # unchanged terms are not listed
    assert "borrowing_base.domestic_advance_rate" not in terms
    assert "covenant Sec. 6.9(i)" not in terms
    row = df.set_index("term").loc["revolving_line"]
    assert (row["before"], row["after"]) == ("35,000,000", "50,000,000")
    assert "3.A.I" in row["section"]
    # the KPN note and "other indebtedness" baskets of Permitted Indebtedness (g)
    kpn = df.set_index("term").loc["permitted_indebtedness.baskets[kpn_note]"]
    assert (kpn["before"], kpn["after"]) == ("9,000,000", "16,000,000")
    other = df.set_index("term").loc["permitted_indebtedness.baskets[other]"]
    assert (other["before"], other["after"]) == ("1,000,000", "16,000,000")
    cf = df.set_index("term").loc["covenant Sec. 6.9(iii)"]
    assert "borrower_ebitda" in cf["before"] and "borrower_cash_flow" in cf["after"]
    assert df["section"].str.len().gt(0).all()
    assert FAC.diff("original", "original").empty


def test_covenants_as_briefed():
    o, a = FAC.version("original"), FAC.version("first_modification")
    assert [c.id for c in o.covenants] == [
        "adjusted_quick_ratio",
        "consolidated_ebitda",
        "borrower_ebitda",
    ]
    assert [c.id for c in a.covenants] == [
        "adjusted_quick_ratio",
        "consolidated_ebitda",
        "borrower_cash_flow",
    ]
    # original 6.9(ii): $10M from the quarter ending 2007-12-31
    e = o.covenant("consolidated_ebitda")
    assert e.step_for(D(2007, 12, 31)).amount == 10_000_000
    # amended 6.9(ii): 7.5M, 7.5M, 9M, 10M
    e2 = a.covenant("consolidated_ebitda")
    assert [
        e2.step_for(q).amount
        for q in (D(2008, 3, 31), D(2008, 6, 30), D(2008, 9, 30), D(2008, 12, 31), D(2009, 6, 30))
    ] == [7_500_000, 7_500_000, 9_000_000, 10_000_000, 10_000_000]
    be = o.covenant("borrower_ebitda")
    assert be.metric == "borrower_ebitda" and be.springing.amount == 15_000_000
    assert "15,000,0000" in be.note
    assert [be.step_for(q).amount for q in (D(2007, 12, 31), D(2008, 3, 31))] == [
        Decimal("1.00"),
        2_000_000,
    ]
    cf = a.covenant("borrower_cash_flow")
    assert cf.metric == "borrower_cash_flow" and cf.springing.amount == 20_000_000
    assert cf.springing.comparison == "<"
    for t in (o, a):
        q = t.covenant("adjusted_quick_ratio")
        assert t.unit(q) == "ratio" and q.thresholds[0].amount is None
        assert "must supply" in q.thresholds[0].assumption


def test_assumptions_are_labelled():
    t = FAC.version("first_modification")
    for term in (
        t.interest.margin,
        t.interest.day_count,
        t.interest.base_rate_index,
        t.termination_fee.effective_date,
        t.eligibility.past_due_days,
    ):
        assert term.is_assumption
    assert t.termination_fee.effective_date.value == D(2007, 10, 2)


def test_override_effective_date():
    fac = load(PATH, overrides={"original.termination_fee.effective_date.value": "2007-11-01"})
    assert fac.version("first_modification").termination_fee.effective_date.value == D(2007, 11, 1)


# --- bad params files -----------------------------------------------------------------------

BASE = yaml.safe_load(paths.resolve(PATH).read_text())


def _write(tmp_path: Path, data: dict) -> Path:
    # the facility names its compliance file, which must lie beside it
    compliance = paths.resolve(PATH).parent / data["compliance_file"]
    shutil.copy(compliance, tmp_path / compliance.name)
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    return p


def _amended_steps(data):
    return data["amendments"][0]["changes"]["borrowing_base"]["over_advance"]["steps"]


@pytest.mark.parametrize(
    "mutate, key, rule",
    [
        (
            lambda d: d["amendments"][0]["effective_date"].update(value=D(2007, 1, 1)),
            "amendments[0].effective_date.value",
            "before the agreement date 2007-10-02",
        ),
        (
            lambda d: _amended_steps(d)[1].update(from_date=D(2008, 5, 31)),
            "amendments[0].changes.borrowing_base.over_advance",
            "steps overlap",
        ),
        (
            lambda d: _amended_steps(d)[1].update(from_date=D(2008, 6, 2)),
            "amendments[0].changes.borrowing_base.over_advance",
            "gap: no step covers 2008-06-01",
        ),
        (
            lambda d: d["original"]["borrowing_base"]["domestic_advance_rate"].update(value="1.05"),
            "original.borrowing_base.domestic_advance_rate.value",
            r"a rate is a decimal fraction from 0 to 1 \(write 0\.08 for 8%\), got",
        ),
        (
            lambda d: d["amendments"][0]["changes"]["triggers"]["cash_dominion_below"]["steps"][
                0
            ].update(to_date=D(2008, 5, 31)),
            "amendments[0].changes.triggers.cash_dominion_below",
            "steps overlap",
        ),
        (
            lambda d: d["original"]["revolving_line"].pop("source"),
            "original.revolving_line",
            "needs a 'source'",
        ),
        (
            lambda d: d["amendments"][0]["changes"]["covenants"]["replace"].update(
                nonexistent=copy.deepcopy(
                    d["amendments"][0]["changes"]["covenants"]["replace"]["borrower_ebitda"]
                )
            ),
            "amendments[0].changes.covenants.replace.nonexistent",
            "does not have",
        ),
        (
            lambda d: d["original"]["interest"]["day_count"].update(value="30/360 US"),
            "original.interest.day_count",
            "actual-day convention",
        ),
        (  # Sec. 4.1(c): periods are positive and in order
            lambda d: d["original"]["termination_fee"]["periods"][0].update(until_months=-6),
            "original.termination_fee",
            r"termination fee periods end at increasing, positive month counts \(got \[-6, 12\]\)",
        ),
        (
            lambda d: d["original"]["termination_fee"]["periods"][1].update(until_months=3),
            "original.termination_fee",
            r"termination fee periods end at increasing, positive month counts \(got \[6, 3\]\)",
        ),
        (
            lambda d: d["original"]["termination_fee"]["periods"][1].update(until_months=6),
            "original.termination_fee",
            r"termination fee periods end at increasing, positive month counts \(got \[6, 6\]\)",
        ),
        (
            lambda d: d["original"]["borrowing_base"]["certificate_lag_days"].update(value=-1),
            "original.borrowing_base.certificate_lag_days",
            r"must be a whole number from 0 to 3660 \(got -1\)",
        ),
        (
            lambda d: d["original"]["borrowing_base"]["certificate_lag_days"].update(value=400),
            "original.borrowing_base.certificate_lag_days",
            r"certificate_lag_days is a number of days from 0 to 366 \(got 400\)",
        ),
        (
            lambda d: d["original"]["borrowing_base"].pop("certificate_lag_days"),
            "original.borrowing_base.certificate_lag_days",
            r"missing key \(required\)",
        ),
        (
            lambda d: d["amendments"][0]["changes"]["triggers"]["agings_measure"].update(
                value="both"
            ),
            "amendments[0].changes.triggers.agings_measure.value",
            "either",
        ),
        (
            lambda d: d["amendments"][0]["changes"]["triggers"].pop("agings_measure"),
            "amendments[0].changes.triggers",
            "agings_reports_below needs agings_measure",
        ),
        (
            lambda d: d["original"]["interest"]["excess_over_limit_pricing"].update(
                value="default"
            ),
            "original.interest.excess_over_limit_pricing.value",
            "revolver",
        ),
        # review 4, finding 8: the margin is read as a rate, in the rates' words
        (
            lambda d: d["original"]["interest"]["margin"].update(value=5),
            "original.interest.margin.value",
            r"a rate is a decimal fraction from -0\.1 up to 0\.2 \(write 0\.08 for 8%\), got 5",
        ),
        # review 4, finding 13: a covenant's metric is checked where the covenant is written
        (
            lambda d: d["amendments"][0]["changes"]["covenants"]["replace"][
                "consolidated_ebitda"
            ].update(metric="ebitdax"),
            "amendments[0].changes.covenants.replace.consolidated_ebitda.metric",
            "names metric 'ebitdax', which the compliance file does not define",
        ),
        (
            lambda d: d["amendments"][0]["changes"]["covenants"].update(
                add=[copy.deepcopy(d["original"]["covenants"][0])]
            ),
            "amendments[0].changes.covenants.add[0].id",
            "covenant ids repeat: adjusted_quick_ratio",
        ),
        # review 4, finding 19
        (
            lambda d: d["original"]["termination_fee"]["effective_date"].update(
                value=D(2007, 10, 1)
            ),
            "original.termination_fee.effective_date.value",
            "Effective Date 2007-10-01 is before the agreement date 2007-10-02",
        ),
        (
            lambda d: d["amendments"][0]["changes"]["fees"].append(
                copy.deepcopy(d["amendments"][0]["changes"]["fees"][0])
            ),
            "amendments[0].changes.fees",
            "one-time fee names repeat: supplemental_commitment_fee",
        ),
    ],
)
def test_bad_params(tmp_path, mutate, key, rule):
    data = copy.deepcopy(BASE)
    mutate(data)
    with pytest.raises(ParamsError, match=rule) as exc:
        load(_write(tmp_path, data))
    assert exc.value.key_path.startswith(key)
    assert exc.value.line is not None


def test_every_assumption_is_listed_including_step_schedules(tmp_path):
    from model.terms.provenance import provenance

    t = FAC.version("first_modification")
    a = t.assumptions().set_index("term")
    for term in (
        "interest.margin",
        "interest.excess_over_limit_pricing",
        "borrowing_base.certificate_lag_days",
        "triggers.agings_measure",
        "termination_fee.effective_date",
        "covenants[adjusted_quick_ratio].thresholds[2007-12-31..]",
    ):
        assert term in a.index, term
    assert not a["assumption"].str.strip().eq("").any()
    # a step schedule (or a covenant threshold) resting on an assumption is listed too,
    # by assumptions() and by provenance() alike (one walk over the terms)
    data = copy.deepcopy(BASE)
    cd = data["amendments"][0]["changes"]["triggers"]["cash_dominion_below"]
    cd.pop("source")
    cd["assumption"] = "thresholds re-keyed by the user"
    fac = load(_write(tmp_path, data))
    tv = fac.version("first_modification")
    rows = tv.assumptions().set_index("term")
    assert (
        rows.loc["triggers.cash_dominion_below", "assumption"] == "thresholds re-keyed by the user"
    )
    assert "2008-08-31..thereafter: 20,000,000" in rows.loc["triggers.cash_dominion_below", "value"]
    prov = provenance(tv).set_index("term")
    assert prov.loc["triggers.cash_dominion_below", "kind"] == "assumption"
    assert prov.loc["triggers.cash_dominion_below", "provenance"] == (
        "thresholds re-keyed by the user"
    )
    every = fac.assumptions().set_index("term")
    assert every.loc["triggers.cash_dominion_below", "versions"] == "first_modification"
    assert every.loc["interest.margin", "versions"] == "original, first_modification"


def test_an_advance_rate_reads_the_same_in_the_terms_and_in_the_engine(tmp_path):
    # review 4, finding 8: one reader per kind of value, one message
    from model.engines.facility import borrowing_base

    data = copy.deepcopy(BASE)
    data["original"]["borrowing_base"]["domestic_advance_rate"].update(value=80)
    with pytest.raises(ParamsError) as in_terms:
        load(_write(tmp_path, data))
    with pytest.raises(InputError) as in_engine:
        borrowing_base(FAC, "2008-06-30", 1, 1, domestic_advance_rate=80)
    assert in_terms.value.rule == in_engine.value.rule
    assert (
        in_engine.value.rule
        == "a rate is a decimal fraction from 0 to 1 (write 0.08 for 8%), got 80"
    )
    # 100% is an advance rate (the high end is included); above it is not
    data["original"]["borrowing_base"]["domestic_advance_rate"].update(value=1)
    fac = load(_write(tmp_path, data))
    assert fac.version("original").borrowing_base.domestic_advance_rate.value == Decimal(1)
