"""Reporting covenants calendar (model/reporting_calendar.py): Exhibit B reporting table."""

from __future__ import annotations

import datetime as dt

import pytest

from model.reporting_calendar import (
    certificate_due_date,
    quarter_ends_between,
    reporting_compliance,
    reporting_due_dates,
    reporting_summary,
)


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
    assert certificate_due_date(dt.date.fromisoformat(q)).isoformat() == due


def _due(df, req):
    return [
        (str(a), str(b)) for a, b in df[df.requirement == req][["period_end", "due_date"]].values
    ]


def test_due_dates_2008():
    d = reporting_due_dates(
        "2008-01-01",
        "2008-12-31",
        filings=[("10-K", "2008-03-17"), ("8-K", "2008-04-30"), ("S-8", "2008-06-02")],
        bank_requires_agings=["2008-02-01"],
    )
    assert _due(d, "annual_audited") == [("2008-12-31", "2009-04-30")]  # FYE + 120 days
    assert len(_due(d, "quarterly_financials")) == 4
    assert _due(d, "monthly_agings")[1] == ("2008-02-29", "2008-03-30")  # month end + 30 days
    assert _due(d, "sec_reports") == [("2008-03-17", "2008-03-22"), ("2008-04-30", "2008-05-05")]
    assert _due(d, "other_filings") == [("2008-06-02", "2008-06-12")]
    assert _due(d, "semi_monthly_agings") == [
        ("2008-02-15", "2008-02-15"),
        ("2008-02-29", "2008-02-29"),
    ]


def test_agings_not_listed_unless_required():
    assert "semi_monthly_agings" not in set(
        reporting_due_dates("2008-01-01", "2008-03-31")["requirement"]
    )


def test_compliance_on_time_late_overdue_not_yet_due():
    d = reporting_due_dates("2008-03-01", "2008-04-30")
    got = {
        ("monthly_agings", "2008-03-31"): "2008-04-30",  # exactly on the due date: on time
        ("quarterly_financials", "2008-03-31"): "2008-05-16",  # one day late
    }
    r = reporting_compliance(d, got, "2008-05-20").set_index(["requirement", "period_end"])
    assert bool(r.loc[("monthly_agings", dt.date(2008, 3, 31)), "complies"]) is True
    assert r.loc[("quarterly_financials", dt.date(2008, 3, 31)), "status"] == "late by 1 day(s)"
    assert (
        r.loc[("monthly_agings", dt.date(2008, 4, 30)), "status"] == "not yet due"
    )  # due 2008-05-30
    r2 = reporting_compliance(d, {}, "2008-06-01").set_index(["requirement", "period_end"])
    assert r2.loc[("monthly_agings", dt.date(2008, 3, 31)), "status"].startswith("overdue")


def test_summary_yes_no():
    d = reporting_due_dates("2008-03-01", "2008-03-31")
    r = reporting_compliance(
        d,
        {
            ("monthly_agings", "2008-03-31"): "2008-04-10",
            ("quarterly_financials", "2008-03-31"): "2008-05-20",
        },
        "2008-06-01",
    )
    s = reporting_summary(r)
    assert s.loc["monthly_agings", "complies"] == "Yes"
    assert s.loc["quarterly_financials", "complies"] == "No"
    assert s.loc["annual_audited", "complies"] == "n/a"


def test_unknown_requirement():
    with pytest.raises(ValueError, match="unknown reporting requirement 'weekly'"):
        reporting_compliance(
            reporting_due_dates("2008-03-01", "2008-03-31"),
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
    from model.reporting_calendar import governing_due_date

    d, rule = governing_due_date(dt.date.fromisoformat(q))
    assert d.isoformat() == due
    assert rule.startswith(f"the {kind} Compliance Certificate")
    assert "'Quarterly within 45 days'" in rule
    if kind == "annual":
        assert "FYE within 120 days" in rule and "later of" in rule


def test_dataframe_deliveries_validated():
    import pandas as pd

    due = reporting_due_dates("2008-03-01", "2008-03-31")
    bad = pd.DataFrame(
        {"requirement": ["weekly"], "period_end": ["2008-03-31"], "delivered": ["2008-04-01"]}
    )
    with pytest.raises(
        ValueError,
        match=r"delivered row 0: unknown reporting requirement 'weekly'; known: quarterly_financials",
    ):
        reporting_compliance(due, bad, "2008-05-01")
    with pytest.raises(ValueError, match=r"delivered: missing column\(s\) delivered"):
        reporting_compliance(due, bad.drop(columns="delivered"), "2008-05-01")
    with pytest.raises(ValueError, match=r"delivered row 0: delivered: not an ISO date"):
        reporting_compliance(
            due, bad.assign(requirement="monthly_agings", delivered="soon"), "2008-05-01"
        )
    ok = bad.assign(requirement="monthly_agings")
    r = reporting_compliance(due, ok, "2008-05-01")
    assert r.loc[r.requirement == "monthly_agings", "status"].tolist() == ["on time"]
