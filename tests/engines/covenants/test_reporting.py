"""Reporting covenants (model.engines.covenants.reporting): the Exhibit B reporting table of
params/deals/ibasis/facilities/svb-compliance-certificate.yaml, due dates, deliveries, and the
certificate whose due date picks the version of the terms."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from model.dates.periods import quarter_ends_between
from model.engines.covenants import (
    certificate_due_date,
    governing_due_date,
    reporting_compliance,
    reporting_due_dates,
    reporting_summary,
)
from model.engines.covenants.reporting import DUE_COLUMNS
from model.errors import InputError
from model.terms import load

FAC = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")


@pytest.mark.parametrize(
    "q,due",
    [  # quarter end + 45 calendar days (Exhibit B: "Quarterly within 45 days")
        ("2007-12-31", "2008-02-14"),
        ("2008-03-31", "2008-05-15"),
        ("2008-06-30", "2008-08-14"),
        ("2008-09-30", "2008-11-14"),
        ("2008-12-31", "2009-02-14"),
        ("2009-03-31", "2009-05-15"),
        ("2009-06-30", "2009-08-14"),
    ],
)
def test_certificate_due(q, due):
    assert certificate_due_date(FAC, dt.date.fromisoformat(q)).isoformat() == due


@pytest.mark.parametrize(
    "terms", [FAC, FAC.version("original"), FAC.version("first_modification"), FAC.compliance]
)
def test_any_form_of_the_terms_is_accepted(terms):
    assert certificate_due_date(terms, "2008-03-31") == dt.date(2008, 5, 15)


def test_terms_come_first_and_must_be_terms():
    # old API: certificate_due_date(quarter_end) with the SVB table built in
    with pytest.raises(InputError, match=r"^terms: terms must be a Facility, FacilityTerms or"):
        certificate_due_date("2008-03-31", "2008-03-31")
    with pytest.raises(InputError, match=r"^terms: .* not str$"):
        reporting_due_dates("2008-01-01", "2008-03-31", "2008-06-30")


def _due(df, req):
    return [
        (str(a), str(b)) for a, b in df[df.requirement == req][["period_end", "due_date"]].values
    ]


def test_due_dates_2008():
    d = reporting_due_dates(
        FAC,
        "2008-01-01",
        "2008-12-31",
        filings=[("10-K", "2008-03-17"), ("8-K", "2008-04-30"), ("S-8", "2008-06-02")],
        bank_requires_agings=["2008-02-01"],
    )
    assert list(d.columns) == DUE_COLUMNS
    assert _due(d, "annual_audited") == [("2008-12-31", "2009-04-30")]  # FYE + 120 days
    assert len(_due(d, "quarterly_financials")) == 4
    assert _due(d, "monthly_agings")[1] == ("2008-02-29", "2008-03-30")  # month end + 30 days
    assert _due(d, "sec_reports") == [("2008-03-17", "2008-03-22"), ("2008-04-30", "2008-05-05")]
    assert _due(d, "other_filings") == [("2008-06-02", "2008-06-12")]
    assert _due(d, "semi_monthly_agings") == [
        ("2008-02-15", "2008-02-15"),
        ("2008-02-29", "2008-02-29"),  # the "30th" of February 2008 is its last day
    ]
    assert list(d["due_date"]) == sorted(d["due_date"])
    assert d.loc[d.requirement == "sec_reports", "basis"].tolist() == [
        "10-K filed 2008-03-17 + 5 days",
        "8-K filed 2008-04-30 + 5 days",
    ]


def test_agings_not_listed_unless_required():
    assert "semi_monthly_agings" not in set(
        reporting_due_dates(FAC, "2008-01-01", "2008-03-31")["requirement"]
    )
    every_month = reporting_due_dates(FAC, "2008-01-01", "2008-03-31", bank_requires_agings=True)
    assert len(_due(every_month, "semi_monthly_agings")) == 6


def test_end_before_start():
    with pytest.raises(InputError, match=r"^end: end 2008-03-01 is before start 2008-03-31$"):
        reporting_due_dates(FAC, "2008-03-31", "2008-03-01")


def test_compliance_on_time_late_overdue_not_yet_due():
    d = reporting_due_dates(FAC, "2008-03-01", "2008-04-30")
    got = {
        ("monthly_agings", "2008-03-31"): "2008-04-30",  # exactly on the due date: on time
        ("quarterly_financials", "2008-03-31"): "2008-05-16",  # one day late
    }
    r = reporting_compliance(FAC, d, got, "2008-05-20").set_index(["requirement", "period_end"])
    assert bool(r.loc[("monthly_agings", dt.date(2008, 3, 31)), "complies"]) is True
    assert r.loc[("monthly_agings", dt.date(2008, 3, 31)), "status_code"] == "on_time"
    assert r.loc[("quarterly_financials", dt.date(2008, 3, 31)), "status"] == "late by 1 day(s)"
    assert r.loc[("quarterly_financials", dt.date(2008, 3, 31)), "status_code"] == "late"
    assert r.loc[("quarterly_financials", dt.date(2008, 3, 31)), "days_late"] == 1
    assert (
        r.loc[("monthly_agings", dt.date(2008, 4, 30)), "status"] == "not yet due"
    )  # due 2008-05-30
    assert r.loc[("monthly_agings", dt.date(2008, 4, 30)), "status_code"] == "not_due"
    assert r.loc[("monthly_agings", dt.date(2008, 4, 30)), "complies"] is pd.NA
    r2 = reporting_compliance(FAC, d, {}, "2008-06-01").set_index(["requirement", "period_end"])
    assert r2.loc[("monthly_agings", dt.date(2008, 3, 31)), "status"].startswith("overdue")
    assert r2.loc[("monthly_agings", dt.date(2008, 3, 31)), "status_code"] == "overdue"
    assert r2.loc[("monthly_agings", dt.date(2008, 3, 31)), "days_late"] == 32  # due 2008-04-30


def test_summary_yes_no():
    d = reporting_due_dates(FAC, "2008-03-01", "2008-03-31")
    r = reporting_compliance(
        FAC,
        d,
        {
            ("monthly_agings", "2008-03-31"): "2008-04-10",
            ("quarterly_financials", "2008-03-31"): "2008-05-20",
        },
        "2008-06-01",
    )
    s = reporting_summary(FAC, r)
    # old: "Yes" / "No"; the summary answers in codes now: yes / no / n/a
    assert s.loc["monthly_agings", "complies"] == "yes"
    assert s.loc["quarterly_financials", "complies"] == "no"
    assert s.loc["quarterly_financials", "detail"] == "2008-03-31: late by 5 day(s)"
    assert s.loc["annual_audited", "complies"] == "n/a"
    assert s.loc["annual_audited", "detail"] == "nothing due in the period"
    none = reporting_summary(FAC, None)
    assert set(none["complies"]) == {"n/a"} and set(none["detail"]) == {"no deliveries given"}
    assert list(none.index) == [req.id for req in FAC.compliance.reporting]


def test_unknown_requirement():
    with pytest.raises(InputError, match="unknown reporting requirement 'weekly'"):
        reporting_compliance(
            FAC,
            reporting_due_dates(FAC, "2008-03-01", "2008-03-31"),
            {("weekly", "2008-03-31"): "2008-04-01"},
            "2008-05-01",
        )


def test_quarter_ends_between():
    assert [q.isoformat() for q in quarter_ends_between("2007-12-31", "2009-06-30")][
        -1
    ] == "2009-06-30"
    assert len(quarter_ends_between("2007-12-31", "2009-06-30")) == 7


@pytest.mark.parametrize(
    "q,due,kind",
    [  # finding 12: the certificate that decides the version (Exhibit B reporting table)
        ("2007-12-31", "2008-04-29", "annual"),  # FYE + 120 days, later than 2008-02-14
        ("2008-03-31", "2008-05-15", "quarterly"),
        ("2008-06-30", "2008-08-14", "quarterly"),
        ("2008-09-30", "2008-11-14", "quarterly"),
        ("2008-12-31", "2009-04-30", "annual"),
        ("2009-03-31", "2009-05-15", "quarterly"),
        ("2009-06-30", "2009-08-14", "quarterly"),
    ],
)
def test_governing_due_date(q, due, kind):
    d, rule = governing_due_date(FAC, dt.date.fromisoformat(q))
    assert d.isoformat() == due
    assert rule.startswith(f"the {kind} Compliance Certificate")
    assert "'Quarterly within 45 days'" in rule
    if kind == "annual":
        assert "FYE within 120 days" in rule and "later of" in rule


def test_dataframe_deliveries_validated():
    due = reporting_due_dates(FAC, "2008-03-01", "2008-03-31")
    bad = pd.DataFrame(
        {"requirement": ["weekly"], "period_end": ["2008-03-31"], "delivered": ["2008-04-01"]}
    )
    with pytest.raises(
        InputError,
        match=r"delivered row 0: unknown reporting requirement 'weekly'; known: quarterly_financials",
    ):
        reporting_compliance(FAC, due, bad, "2008-05-01")
    with pytest.raises(InputError, match=r"delivered: missing column\(s\) delivered"):
        reporting_compliance(FAC, due, bad.drop(columns="delivered"), "2008-05-01")
    with pytest.raises(InputError, match=r"delivered row 0: delivered: not an ISO date"):
        reporting_compliance(
            FAC, due, bad.assign(requirement="monthly_agings", delivered="soon"), "2008-05-01"
        )
    ok = bad.assign(requirement="monthly_agings")
    r = reporting_compliance(FAC, due, ok, "2008-05-01")
    assert r.loc[r.requirement == "monthly_agings", "status"].tolist() == ["on time"]


# --- review 4, finding 5: a delivery answers a row of due, after its period ends ---------


def test_a_delivery_must_answer_a_deliverable_of_due():
    due = reporting_due_dates(FAC, "2008-01-01", "2008-06-30")
    with pytest.raises(
        InputError,
        match=r"^delivered\[\('quarterly_financials', '2008-03-30'\)\]: 'quarterly_financials' "
        r"for the period ending 2008-03-30 is not among the deliverables in due \(due lists it "
        r"for the periods ending 2008-03-31, 2008-06-30\)",
    ):
        reporting_compliance(
            FAC, due, {("quarterly_financials", "2008-03-30"): "2008-05-01"}, "2008-12-31"
        )
    frame = pd.DataFrame(
        {
            "requirement": ["quarterly_financials"],
            "period_end": ["2008-03-31"],
            "delivered": ["2008-03-30"],
        }
    )
    with pytest.raises(
        InputError,
        match=r"^delivered row 0: delivered 2008-03-30, before the period it reports ends \(2008-03-31\)$",
    ):
        reporting_compliance(FAC, due, frame, "2008-12-31")
    # on the period end itself is a delivery (a days-of-month aging is due that day)
    r = reporting_compliance(
        FAC, due, {("quarterly_financials", "2008-03-31"): "2008-03-31"}, "2008-12-31"
    )
    row = r[(r.requirement == "quarterly_financials") & (r.period_end == dt.date(2008, 3, 31))]
    assert row[["days_late", "status_code"]].values.tolist() == [[0, "on_time"]]


def test_due_must_be_the_table_of_reporting_due_dates():
    with pytest.raises(InputError, match=r"^due: lacks column\(s\) period_end, due_date"):
        reporting_compliance(FAC, pd.DataFrame({"requirement": ["x"]}), {}, "2008-12-31")
    with pytest.raises(
        InputError, match=r"^due: must be the DataFrame of reporting_due_dates\(\), not list"
    ):
        reporting_compliance(FAC, [], {}, "2008-12-31")  # type: ignore[arg-type]
