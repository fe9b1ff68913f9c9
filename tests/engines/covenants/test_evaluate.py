"""Covenant evaluation (model.engines.covenants.evaluate): one quarter, a history, versions
side by side; the covenant terms it reads from the facility file.

Thresholds: First Loan Modification Agreement (2008-04-28), Sec. 3.A.VII (new and deleted
Sec. 6.9(ii), (iii)), as params/deals/ibasis/facilities/svb-loan-agreement.yaml records them.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from decimal import Decimal as D

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from model import paths
from model.engines.covenants import (
    OVERRIDE_PREFIX,
    RESULT_COLUMNS,
    STATUS,
    THRESHOLD_KINDS,
    build_metric,
    compare_versions,
    evaluate_covenants,
    evaluate_history,
    resolve_terms,
    schedule_1,
)
from model.errors import InputError, NotFoundError, ParamsError, UndefinedMetricError
from model.terms import Actuals, Covenant, MissingLineItemError, QuarterNotInActualsError, load

FACILITY = "params/deals/ibasis/facilities/svb-loan-agreement.yaml"
ACTUALS = "params/deals/ibasis/actuals/ibasis-2008.csv"
FAC = load(FACILITY)
AMENDED = FAC.version("first_modification")


@pytest.fixture(scope="module")
def actuals():
    return load(ACTUALS)


def items(ebitda=D("8000000"), borrower=D("3000000")):
    """Line items with Consolidated EBITDA = ``ebitda`` and Cash Flow = Borrower EBITDA = ``borrower``."""
    return {
        "net_income": ebitda,
        "interest_expense": 0,
        "depreciation": 0,
        "amortization": 0,
        "income_tax_expense": 0,
        "non_cash_items": 0,
        "kpn_transaction_costs": 0,
        "cash_at_bank": 30,
        "net_billed_receivables": 120,
        "short_term_investments": 0,
        "obligations_to_bank": 20,
        "liabilities_due_within_one_year": 80,
        "deferred_revenue": 0,
        "borrower_ebitda": borrower,
        "unfunded_capex": 0,
        "income_taxes_paid": 0,
        "dividends_and_distributions": 0,
    }


def test_result_columns_and_codes():
    r = evaluate_covenants(FAC, "2008-03-31", items(), liquidity=30_000_000)
    assert list(r.columns) == RESULT_COLUMNS
    assert list(r.index) == ["adjusted_quick_ratio", "consolidated_ebitda", "borrower_cash_flow"]
    assert set(r["status_code"]) <= set(STATUS)
    assert set(r["threshold_kind"]) <= set(THRESHOLD_KINDS)
    assert (r["status"] == r["status_code"].map(STATUS)).all()
    assert r["reference"].tolist() == ["Sec. 6.9(i)", "Sec. 6.9(ii)", "Sec. 6.9(iii)"]
    assert r["measurement_period"].tolist() == ["fiscal_quarter"] * 3
    assert r["unit"].tolist() == ["ratio", "usd", "usd"]
    for col in ("applies", "complies", "amber"):
        assert r[col].dtype == "boolean"


# --- golden: every threshold step, each quarter end 2007-12-31 .. 2009-06-30 -------------
# (quarter, default version, Consolidated EBITDA required, Cash Flow / Borrower EBITDA required)
# Default version = in force when the quarter's certificate is due: quarter end + 45 days
# (Exhibit B "Quarterly within 45 days"); for a fiscal year end the later of that and
# FYE + 120 days (Exhibit B "Annual financial statement (CPA Audited) + CC: FYE within 120
# days"). 2007-12-31 -> annual certificate due 2008-04-29 -> first_modification, whose
# 6.9(iii)(I) names $1.00 for exactly that quarter; its 6.9(ii) starts at 2008-03-31, so
# the original 6.9(ii) $10,000,000 in force at the quarter end is kept (carried).
DEFAULT = [
    (
        "2007-12-31",
        "first_modification",
        "10000000",
        "borrower_cash_flow",
        "1.00",
    ),  # new 6.9(iii)(I); new 6.9(ii) sets no level before 2008-03-31, so the original
    # 6.9(ii) $10,000,000 in force at the quarter end is kept (not waived by the amendment)
    (
        "2008-03-31",
        "first_modification",
        "7500000",
        "borrower_cash_flow",
        "2000000",
    ),  # new 6.9(ii)(a)
    (
        "2008-06-30",
        "first_modification",
        "7500000",
        "borrower_cash_flow",
        "2000000",
    ),  # new 6.9(ii)(a)
    (
        "2008-09-30",
        "first_modification",
        "9000000",
        "borrower_cash_flow",
        "2000000",
    ),  # new 6.9(ii)(b)
    (
        "2008-12-31",
        "first_modification",
        "10000000",
        "borrower_cash_flow",
        "2000000",
    ),  # new 6.9(ii)(c)
    (
        "2009-03-31",
        "first_modification",
        "10000000",
        "borrower_cash_flow",
        "2000000",
    ),  # (c) thereafter
    (
        "2009-06-30",
        "first_modification",
        "10000000",
        "borrower_cash_flow",
        "2000000",
    ),  # (c) thereafter
]


DUE = {  # the certificate whose due date picks the version (reporting.governing_due_date)
    "2007-12-31": "2008-04-29",  # FYE + 120 days (2008 is a leap year)
    "2008-03-31": "2008-05-15",
    "2008-06-30": "2008-08-14",
    "2008-09-30": "2008-11-14",
    "2008-12-31": "2009-04-30",  # FYE + 120 days
    "2009-03-31": "2009-05-15",
    "2009-06-30": "2009-08-14",
}


@pytest.mark.parametrize("q,version,ebitda_req,cf_id,cf_req", DEFAULT)
def test_default_version_thresholds(q, version, ebitda_req, cf_id, cf_req):
    r = evaluate_covenants(FAC, q, items(), liquidity=10_000_000)
    assert set(r["version"]) == {version}
    if ebitda_req is None:
        assert r.loc["consolidated_ebitda", "required"] is None
        assert r.loc["consolidated_ebitda", "status_code"] == "no_threshold"
        assert r.loc["consolidated_ebitda", "status"] == "no threshold for this quarter"
    else:
        assert r.loc["consolidated_ebitda", "required"] == D(ebitda_req)
    assert r.loc[cf_id, "required"] == D(cf_req)
    assert r.loc[cf_id, "threshold_kind"] == "documented"
    kind = "carried" if q == "2007-12-31" else "documented"
    assert r.loc["consolidated_ebitda", "threshold_kind"] == kind
    basis = r["version_basis"].iloc[0]
    assert f"in force on {DUE[q]}" in basis
    if q.endswith("12-31"):
        assert "annual Compliance Certificate" in basis and "FYE + 120 days" in basis
    else:
        assert "quarter end + 45 days" in basis and "'Quarterly within 45 days'" in basis


@pytest.mark.parametrize("q", list(DUE))
def test_resolve_terms_returns_the_version_and_why(q):
    terms, basis = resolve_terms(FAC, q)
    assert terms is AMENDED
    assert basis.startswith(f"in force on {DUE[q]}, when ")


def test_resolve_terms_explicit_version_or_date():
    assert resolve_terms(FAC, "2008-03-31", "original") == (
        FAC.version("original"),
        "requested by the user",
    )
    terms, basis = resolve_terms(FAC, "2008-03-31", dt.date(2008, 4, 27))
    assert terms.version_name == "original" and basis == "in force on 2008-04-27 (requested)"
    assert resolve_terms(AMENDED, "2008-03-31") == (AMENDED, "terms given directly")
    with pytest.raises(NotFoundError, match="version 'original' requested but only the terms of"):
        resolve_terms(AMENDED, "2008-03-31", "original")


def test_amended_q4_2007_dollar_clause_is_reachable():
    """Finding 12: new 6.9(iii)(I), "for the fiscal quarter ending December 31, 2007, $1.00",
    is tested by default (the FY2007 annual certificate is due 2008-04-29, after 2008-04-28)."""
    r = evaluate_covenants(FAC, "2007-12-31", items(borrower=D("0.99")), liquidity=10_000_000)
    row = r.loc["borrower_cash_flow"]
    assert row["required"] == D("1.00") and row["status_code"] == "breach"
    assert row["status"] == "does not comply"
    assert row["threshold_source"] == "First Loan Modification Sec. 3.A.VII, new 6.9(iii)(I)"
    assert row["threshold_kind"] == "documented"


# Original terms asked for explicitly: $10,000,000 every quarter; Borrower EBITDA $1.00 then $2,000,000.
ORIGINAL = [(q, "10000000", "1.00" if q == "2007-12-31" else "2000000") for q, *_ in DEFAULT]


@pytest.mark.parametrize("q,ebitda_req,be_req", ORIGINAL)
def test_original_version_thresholds(q, ebitda_req, be_req):
    r = evaluate_covenants(FAC, q, items(), liquidity=10_000_000, version="original")
    assert r.loc["consolidated_ebitda", "required"] == D(ebitda_req)
    assert r.loc["borrower_ebitda", "required"] == D(be_req)
    assert r["version_basis"].iloc[0] == "requested by the user"
    assert set(r["version"]) == {"original"}


def test_amendment_governs_q1_2008_certificate():
    r = evaluate_covenants(FAC, "2008-03-31", items(), liquidity=30_000_000)
    assert r["version"].iloc[0] == "first_modification"
    assert "2008-05-15" in r["version_basis"].iloc[0]


def test_8m_ebitda_q1_2008_original_fails_amended_passes():
    """Acceptance: Consolidated EBITDA $8,000,000 for the quarter ended 2008-03-31."""
    c = compare_versions(FAC, "2008-03-31", items(ebitda=D("8000000")), liquidity=30_000_000)
    assert bool(c.loc["consolidated_ebitda", ("original", "complies")]) is False
    assert bool(c.loc["consolidated_ebitda", ("first_modification", "complies")]) is True
    assert c.loc["consolidated_ebitda", ("original", "headroom")] == D("-2000000")
    assert c.loc["consolidated_ebitda", ("first_modification", "headroom")] == D("500000")
    assert c.loc["consolidated_ebitda", ("original", "required")] == D("10000000")
    assert c.loc["consolidated_ebitda", ("first_modification", "required")] == D("7500000")
    assert c.loc["consolidated_ebitda", ("original", "status_code")] == "breach"
    assert c.loc["consolidated_ebitda", ("first_modification", "status_code")] == "amber"


def test_compare_versions_shows_covenants_absent_from_a_version_as_na():
    c = compare_versions(FAC, "2008-03-31", items(), liquidity=30_000_000)
    assert list(c.index) == [
        "adjusted_quick_ratio",
        "consolidated_ebitda",
        "borrower_ebitda",
        "borrower_cash_flow",
    ]
    assert pd.isna(c.loc["borrower_cash_flow", ("original", "status_code")])
    assert pd.isna(c.loc["borrower_ebitda", ("first_modification", "status_code")])
    c = compare_versions(FAC, "2008-03-31", items(), 30_000_000, versions=["original"])
    assert list(c.columns.get_level_values(0).unique()) == ["original"]


def test_compare_versions_needs_the_facility():
    with pytest.raises(InputError, match=r"^facility: compare_versions needs the Facility"):
        compare_versions(AMENDED, "2008-03-31", items())


def test_sample_actuals_q1_2008_is_the_8m_case(actuals):
    r = evaluate_covenants(FAC, "2008-03-31", actuals, version="original")
    assert r.loc["consolidated_ebitda", "actual"] == D("8000000")
    assert r.loc["consolidated_ebitda", "status_code"] == "breach"
    assert r.loc["consolidated_ebitda", "status"] == "does not comply"
    r = evaluate_covenants(FAC, "2008-03-31", actuals)
    assert r.loc["consolidated_ebitda", "required"] == D("7500000")
    assert r.loc["consolidated_ebitda", "status_code"] == "amber"


# --- springing test through the engine: just below and at the trigger -----------------------
@pytest.mark.parametrize(
    "version,liquidity,applies",
    [
        ("first_modification", D("19999999.99"), True),  # new 6.9(iii): less than $20,000,000
        ("first_modification", D("20000000"), False),
        ("first_modification", D("20000000.01"), False),
        (
            "original",
            D("14999999.99"),
            True,
        ),  # deleted 6.9(iii): less than $15,000,000 ("$15,000,0000")
        ("original", D("15000000"), False),
    ],
)
@pytest.mark.parametrize("reading", ["quarter_end", "any_day"])
def test_springing_threshold_edges(version, liquidity, applies, reading):
    cid = "borrower_cash_flow" if version == "first_modification" else "borrower_ebitda"
    r = evaluate_covenants(
        FAC, "2008-06-30", items(borrower=D("1")), liquidity, version, springing_reading=reading
    )
    assert bool(r.loc[cid, "applies"]) is applies
    if applies:
        assert r.loc[cid, "status_code"] == "breach"
        assert r.loc[cid, "status"] == "does not comply"
    else:
        assert r.loc[cid, "status_code"] == "not_required"
        assert r.loc[cid, "status"] == "not required (condition not met)"
        assert r.loc[cid, "complies"] is pd.NA


def _daily(low_day: dt.date | None, low=D("19999999.99"), high=D("25000000")) -> pd.Series:
    days = pd.date_range("2008-04-01", "2008-06-30", freq="D")
    s = pd.Series([high] * len(days), index=days, dtype=object)
    if low_day is not None:
        s[pd.Timestamp(low_day)] = low
    return s


def test_any_day_reading_from_daily_ledger():
    daily = _daily(dt.date(2008, 5, 12))
    strict = evaluate_covenants(FAC, "2008-06-30", items(), daily)
    lax = evaluate_covenants(FAC, "2008-06-30", items(), daily, springing_reading="quarter_end")
    assert bool(strict.loc["borrower_cash_flow", "applies"]) is True
    assert "any-day reading (daily ledger)" in strict.loc["borrower_cash_flow", "applies_reason"]
    assert (
        "minimum $19,999,999.99 on 2008-05-12" in strict.loc["borrower_cash_flow", "applies_reason"]
    )
    assert bool(lax.loc["borrower_cash_flow", "applies"]) is False
    assert lax.loc["borrower_cash_flow", "status_code"] == "not_required"
    assert (
        "quarter-end reading (daily ledger): liquidity $25,000,000 on 2008-06-30"
        in lax.loc["borrower_cash_flow", "applies_reason"]
    )


def test_ledger_dataframe_accepted_and_days_outside_quarter_ignored():
    daily = _daily(None)
    daily[pd.Timestamp("2008-07-01")] = D("1")  # next quarter: must not count
    ledger = pd.DataFrame({"liquidity": daily})
    r = evaluate_covenants(FAC, "2008-06-30", items(), ledger)
    assert bool(r.loc["borrower_cash_flow", "applies"]) is False


def test_any_day_with_single_number_says_so():
    r = evaluate_covenants(FAC, "2008-06-30", items(), 25_000_000)
    assert "but only one figure is given" in r.loc["borrower_cash_flow", "applies_reason"]


def test_no_liquidity_at_all_springs_stricter():
    r = evaluate_covenants(FAC, "2008-06-30", items())
    assert bool(r.loc["borrower_cash_flow", "applies"]) is True
    assert "liquidity not provided" in r.loc["borrower_cash_flow", "applies_reason"]
    assert r.loc["borrower_cash_flow", "liquidity_source"] is None


def test_liquidity_from_actuals_line(actuals):
    r = evaluate_covenants(FAC, "2008-03-31", actuals)
    reason = r.loc["borrower_cash_flow", "applies_reason"]
    assert "liquidity_quarter_end" in reason
    assert (
        "(no liquidity given: Liquidity from the actuals, line liquidity_quarter_end: "
        "Unrestricted cash and Cash Equivalents at Bank plus Availability Amount at quarter end"
    ) in reason
    assert "$27,500,000" in reason


@pytest.mark.parametrize(
    "liquidity, match",
    [
        (-1, r"^liquidity: must not be negative \(got -1\)$"),
        (D("-0.01"), r"^liquidity: must not be negative"),
        ("-20,000,000", r"^liquidity: must not be negative"),
    ],
)
def test_negative_liquidity_is_refused(liquidity, match):
    with pytest.raises(InputError, match=match):
        evaluate_covenants(FAC, "2008-06-30", items(), liquidity)


def test_negative_liquidity_in_a_daily_ledger_is_refused_naming_the_day():
    daily = _daily(dt.date(2008, 5, 12), low=D("-1"))
    with pytest.raises(InputError, match=r"^liquidity on 2008-05-12: must not be negative"):
        evaluate_covenants(FAC, "2008-06-30", items(), daily)


def test_negative_liquidity_in_the_actuals_is_refused():
    with pytest.raises(
        InputError,
        match=r"Liquidity, quarter 2008-06-30: line A \(liquidity_quarter_end\): must not be "
        r"negative \(got -5\)",
    ):
        evaluate_covenants(FAC, "2008-06-30", {**items(), "liquidity_quarter_end": -5})


# --- Adjusted Quick Ratio: threshold not in the documents ---------------------------------
def test_quick_ratio_threshold_not_provided():
    r = evaluate_covenants(FAC, "2008-09-30", items(), 30_000_000)
    row = r.loc["adjusted_quick_ratio"]
    assert row["status_code"] == "threshold_not_provided"
    assert row["status"] == "threshold not provided"
    assert row["threshold_kind"] == "documented"  # the documents' step, with no amount
    assert row["complies"] is pd.NA and row["required"] is None
    assert row["actual"] == D("1.5000")  # (30 + 120) / (20 + 80)


@pytest.mark.parametrize(
    "thr,ok,code",
    [("1.50", True, "amber"), ("1.5001", False, "breach"), (1.25, True, "complies")],
)  # headroom 0 at 1.50 is inside the 10% cushion; 0.25 / 1.25 = 20% is not
def test_quick_ratio_with_user_threshold(thr, ok, code):
    r = evaluate_covenants(
        FAC, "2008-09-30", items(), 30_000_000, thresholds={"adjusted_quick_ratio": thr}
    )
    assert bool(r.loc["adjusted_quick_ratio", "complies"]) is ok
    assert r.loc["adjusted_quick_ratio", "threshold_source"] == "user input"
    assert r.loc["adjusted_quick_ratio", "threshold_kind"] == "user_input"
    assert r.loc["adjusted_quick_ratio", "status_code"] == code


def test_amber_inside_cushion():
    r = evaluate_covenants(
        FAC, "2008-03-31", items(ebitda=D("8000000")), 30_000_000, cushion=D("0.10")
    )
    assert bool(r.loc["consolidated_ebitda", "amber"]) is True  # 500,000 / 7,500,000 = 6.7% < 10%
    assert r.loc["consolidated_ebitda", "status_code"] == "amber"
    assert r.loc["consolidated_ebitda", "status"] == "complies (amber: inside cushion)"
    assert r.loc["consolidated_ebitda", "headroom_pct"] == pytest.approx(0.0666667, rel=1e-5)
    r = evaluate_covenants(
        FAC, "2008-03-31", items(ebitda=D("8000000")), 30_000_000, cushion=D("0.05")
    )
    assert bool(r.loc["consolidated_ebitda", "amber"]) is False
    assert r.loc["consolidated_ebitda", "status_code"] == "complies"


def test_history_one_table_switching_versions(actuals):
    qs = [q for q, *_ in DEFAULT]
    h = evaluate_history(FAC, qs, actuals)
    assert h.index.names == ["quarter_end", "covenant"]
    e = h.xs("consolidated_ebitda", level="covenant")
    assert [str(x) for x in e["required"]] == [
        "10000000",
        "7500000",
        "7500000",
        "9000000",
        "10000000",
        "10000000",
        "10000000",
    ]
    assert list(e["version"]) == ["first_modification"] * 7
    assert list(e["threshold_kind"]) == ["carried"] + ["documented"] * 6


def test_history_crossing_the_amendment_with_a_version_date(actuals):
    h = evaluate_history(FAC, ["2007-12-31", "2008-03-31"], actuals, version=dt.date(2008, 1, 1))
    assert set(h["version"]) == {"original"}
    assert h.xs("consolidated_ebitda", level="covenant")["required"].tolist() == [
        D("10000000"),
        D("10000000"),
    ]


def test_history_liquidity_by_quarter():
    its = items(borrower=D("1"))
    h = evaluate_history(
        FAC,
        ["2008-06-30", "2008-09-30"],
        its,
        liquidity={"2008-06-30": 25_000_000, "2008-09-30": D("19999999.99")},
        springing_reading="quarter_end",
    )
    cf = h.xs("borrower_cash_flow", level="covenant")
    assert cf["status_code"].tolist() == ["not_required", "breach"]


def test_history_needs_quarters():
    with pytest.raises(InputError, match=r"^quarter_ends: no quarter ends given$"):
        evaluate_history(FAC, [], items())


# --- properties -----------------------------------------------------------------------------
money = st.decimals(
    min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False
)


def _terms_with(*covenants: Covenant):
    """The amended terms with only ``covenants`` (one version's FacilityTerms)."""
    return AMENDED.model_copy(update={"covenants": tuple(covenants)})


@settings(max_examples=200, deadline=None)
@given(
    actual=money,
    required=money.filter(lambda x: x > 0),  # thresholds are never negative (ThresholdStep)
    direction=st.sampled_from(["min", "max"]),
)
def test_complies_agrees_with_direction_and_headroom_sign(actual, required, direction):
    cov = Covenant(
        id="x",
        title="x",
        section="s",
        reference="s",
        metric="consolidated_ebitda",
        direction=direction,
        thresholds=({"from_quarter": "2008-03-31", "amount": required, "source": "s"},),
    )
    r = evaluate_covenants(_terms_with(cov), "2008-06-30", items(ebitda=actual)).loc["x"]
    want = actual >= required if direction == "min" else actual <= required
    assert bool(r["complies"]) is want
    assert (r["headroom"] >= 0) is want
    assert r["headroom"] == (actual - required if direction == "min" else required - actual)
    assert r["status_code"] in (("complies", "amber") if want else ("breach",))


# --- measurement periods: trailing four quarters ---------------------------------------------
def _trailing(metric="consolidated_ebitda", amount=30_000_000, direction="min") -> Covenant:
    return Covenant(
        id="ttm",
        title=f"Minimum trailing {metric}",
        section="s",
        reference="s",
        metric=metric,
        direction=direction,
        measurement_period="trailing_four_quarters",
        thresholds=({"from_quarter": "2008-03-31", "amount": amount, "source": "s"},),
    )


def test_trailing_four_quarters_covenant_sums_flows(actuals):
    # Consolidated EBITDA, Schedule 1 II line H, by quarter (params/deals/ibasis/actuals/ibasis-2008.csv):
    # Q1 2008 -2.1 + 0.4 + 4.2 + 3.9 + 0.5 + 0.9 + 0.2 =  8.0M
    # Q2 2008  0.0 + 0.5 + 4.3 + 3.9 + 0.8 + 1.2 + 0.0 = 10.7M
    # Q3 2008  3.3 + 0.4 + 4.1 + 3.9 + 0.9 + 1.0 + 0.0 = 13.6M
    # Q4 2008 -17.8 + 0.4 + 4.0 + 3.8 + 17.4 + 2.7 + 0.0 = 10.5M; trailing four = 42.8M
    r = evaluate_covenants(_terms_with(_trailing()), "2008-12-31", actuals).loc["ttm"]
    assert r["measurement_period"] == "trailing_four_quarters"
    assert r["actual"] == D("42800000")
    assert r["required"] == D("30000000") and r["headroom"] == D("12800000")
    assert r["status_code"] == "complies"
    quarterly = evaluate_covenants(FAC, "2008-12-31", actuals).loc["consolidated_ebitda"]
    assert quarterly["actual"] == D("10500000")


def test_trailing_four_quarters_takes_balances_at_the_quarter_end(actuals):
    # Adjusted Quick Ratio from balances only: at 2008-12-31, (12 + 150 + 0) / (30 + 140 - 3.5)
    # = 162 / 166.5 = 0.97297... -> 0.9730, the same as the quarter's own ratio
    cov = _trailing("adjusted_quick_ratio", amount=1)
    r = evaluate_covenants(_terms_with(cov), "2008-12-31", actuals).loc["ttm"]
    assert r["actual"] == D("0.9730")
    assert r["status_code"] == "breach"


def test_trailing_four_quarters_missing_quarter_is_named(actuals):
    with pytest.raises(
        QuarterNotInActualsError,
        match=r"quarter 2007-06-30 is not in the actuals \(quarters present: 2007-12-31",
    ):
        evaluate_covenants(_terms_with(_trailing()), "2008-03-31", actuals)


def test_trailing_four_quarters_needs_the_actuals_not_one_quarter():
    with pytest.raises(
        InputError,
        match=r"^actuals: a covenant measured over the trailing four quarters needs the Actuals "
        r"of several quarters, not one quarter's line items$",
    ):
        evaluate_covenants(_terms_with(_trailing()), "2008-12-31", items())


def test_trailing_covenant_built_from_records():
    records = [
        (q, item, v, "reported", "r")
        for q, ni in [("2007-09-30", 1), ("2007-12-31", 2), ("2008-03-31", 3), ("2008-06-30", 4)]
        for item, v in items(ebitda=ni).items()
    ]
    acts = Actuals.from_records(records)
    r = evaluate_covenants(_terms_with(_trailing(amount=10)), "2008-06-30", acts).loc["ttm"]
    assert r["actual"] == D("10") and r["status_code"] == "amber"  # headroom 0: inside cushion
    r = evaluate_covenants(_terms_with(_trailing(amount=11)), "2008-06-30", acts).loc["ttm"]
    assert r["status_code"] == "breach" and r["headroom"] == D("-1")


# --- bad input --------------------------------------------------------------------------------
def test_missing_line_item():
    bad = items()
    del bad["interest_expense"]
    with pytest.raises(MissingLineItemError, match="line B needs line item 'interest_expense'"):
        evaluate_covenants(FAC, "2008-03-31", bad, 30_000_000)


def test_quarter_not_in_actuals(actuals):
    with pytest.raises(QuarterNotInActualsError, match="quarter 2009-09-30 is not in the actuals"):
        evaluate_covenants(FAC, "2009-09-30", actuals)


def test_undefined_ratio_is_a_result_that_does_not_comply():
    # review 4, finding 6: a ratio whose denominator is not positive no longer stops the
    # evaluation: the row says "undefined" (as the projection does), the others are computed
    bad = {**items(), "deferred_revenue": 100}  # I = 20 + 80 - 100 = 0
    r = evaluate_covenants(
        FAC, "2008-06-30", bad, 30_000_000, thresholds={"adjusted_quick_ratio": "1.00"}
    )
    aqr = r.loc["adjusted_quick_ratio"]
    assert aqr["status_code"] == "undefined"
    assert aqr["status"] == "cannot be computed: line J (D / I): line I is 0, not positive"
    assert aqr["actual"] is None and aqr["headroom"] is None
    assert aqr["complies"] is pd.NA and aqr["amber"] is pd.NA
    assert aqr["required"] == D("1.00") and aqr["threshold_kind"] == "user_input"
    assert r.loc["consolidated_ebitda", "actual"] == D("8000000")
    assert r.loc["consolidated_ebitda", "status_code"] == "amber"  # 8.0M against 7.5M
    # as the projection: no level is still "threshold not provided"
    r = evaluate_covenants(FAC, "2008-06-30", bad, 30_000_000)
    assert r.loc["adjusted_quick_ratio", "status_code"] == "threshold_not_provided"
    # the metric engine itself still raises by default
    with pytest.raises(
        UndefinedMetricError,
        match=r"^Adjusted Quick Ratio, quarter 2008-06-30: line J \(D / I\): line I is 0, not positive",
    ):
        build_metric(FAC.compliance.metric("adjusted_quick_ratio"), bad, None, "2008-06-30")


def test_undefined_ratio_in_a_history_and_a_schedule():
    bad = {**items(), "deferred_revenue": 150}  # I = 20 + 80 - 150 = -50
    h = evaluate_history(
        FAC, ["2008-06-30"], bad, 30_000_000, thresholds={"adjusted_quick_ratio": "1.00"}
    )
    row = h.loc[(dt.date(2008, 6, 30), "adjusted_quick_ratio")]
    assert (row["status_code"], row["actual"]) == ("undefined", None)
    s = schedule_1(FAC, bad, "2008-06-30")
    aqr = s["adjusted_quick_ratio"]
    assert aqr.undefined == "line J (D / I): line I is -50, not positive"
    assert aqr.line("I").amount == D("-50") and aqr.line("J").amount is None
    with pytest.raises(UndefinedMetricError, match="line I is -50, not positive"):
        _ = aqr.value
    assert s["consolidated_ebitda"].value == D("8000000")


def test_schedule_and_evaluation_record_the_measurement_period(tmp_path):
    # review 4, finding 7: MetricBuildUp.period / .quarters say what the figure covers
    acts = load("params/deals/ibasis/actuals/ibasis-2008.csv")
    s = schedule_1(FAC, acts, "2008-03-31")
    assert {k: (b.period, b.quarters) for k, b in s.items()} == {
        k: ("fiscal_quarter", (dt.date(2008, 3, 31),))
        for k in ("adjusted_quick_ratio", "consolidated_ebitda", "borrower_cash_flow")
    }
    data = yaml.safe_load((paths.ROOT / FACILITY).read_text())
    cov = data["amendments"][0]["changes"]["covenants"]["replace"]["consolidated_ebitda"]
    cov["measurement_period"] = "year_to_date"
    shutil.copy(
        paths.PARAMS / "deals" / "ibasis" / "facilities" / "svb-compliance-certificate.yaml",
        tmp_path,
    )
    (tmp_path / "f.yaml").write_text(yaml.safe_dump(data))
    fac = load(tmp_path / "f.yaml")
    b = schedule_1(fac, acts, "2008-06-30")["consolidated_ebitda"]
    assert (b.period, b.quarters) == ("year_to_date", (dt.date(2008, 3, 31), dt.date(2008, 6, 30)))
    # Q1 8,000,000 + Q2 10,700,000 (the quarter alone): the year to date
    assert b.value == D("18700000")
    r = evaluate_covenants(fac, "2008-06-30", acts, thresholds={"adjusted_quick_ratio": 1})
    assert r.loc["consolidated_ebitda", "actual"] == D("18700000")


def test_not_a_quarter_end():
    with pytest.raises(InputError, match="2008-03-30 is not a fiscal quarter end"):
        evaluate_covenants(FAC, "2008-03-30", items())


def test_unknown_covenant_id():
    # old: "unknown covenant id 'quick_ratio' in thresholds; covenants in version ..."
    with pytest.raises(
        InputError,
        match=r"^thresholds: unknown covenant id 'quick_ratio'; covenants in version 'first_modification': adjusted_quick_ratio",
    ):
        evaluate_covenants(FAC, "2008-03-31", items(), thresholds={"quick_ratio": 1})


def test_unknown_version():
    # old: ValueError "unknown version 'second_modification'; known: original, first_modification"
    with pytest.raises(
        NotFoundError,
        match=r"no version 'second_modification' in params/deals/ibasis/facilities/svb-loan-agreement.yaml; "
        r"versions: original, first_modification",
    ):
        evaluate_covenants(FAC, "2008-03-31", items(), version="second_modification")


def test_unknown_reading():
    # old: "unknown springing_reading 'average'; valid: any_day, quarter_end"
    with pytest.raises(
        InputError,
        match=r"^springing_reading: unknown value 'average'; valid: 'any_day', 'quarter_end'",
    ):
        evaluate_covenants(FAC, "2008-03-31", items(), springing_reading="average")


def test_non_numeric_user_threshold():
    # old: "threshold for adjusted_quick_ratio: not an amount: 'one'"
    with pytest.raises(
        InputError, match=r"^thresholds\[adjusted_quick_ratio\]: not an amount: 'one'$"
    ):
        evaluate_covenants(FAC, "2008-03-31", items(), thresholds={"adjusted_quick_ratio": "one"})


def test_terms_must_be_a_facility_or_one_version():
    # old: TypeError for a list of covenants; now an InputError naming the argument
    with pytest.raises(InputError, match=r"^facility: the terms must be a Facility"):
        evaluate_covenants(list(AMENDED.covenants), "2008-03-31", items())


def test_actuals_must_be_actuals_or_a_mapping():
    with pytest.raises(InputError, match=r"^actuals: actuals must be Actuals .* not list$"):
        evaluate_covenants(FAC, "2008-03-31", [1, 2])


@pytest.mark.parametrize(
    "extra, match",
    [
        (("2008-06-30", "ebit", 1, "reported", "r"), r"line_item: unknown line item 'ebit'"),
        (("2008-06-30", "revenue", -1, "reported", "r"), r"revenue must not be negative"),
    ],
    ids=["unknown-line-item", "negative-revenue"],
)
def test_actuals_are_checked_against_the_deals_line_items(extra, match):
    records = [("2008-06-30", item, v, "reported", "r") for item, v in items().items()]
    acts = Actuals.from_records([*records, extra])
    with pytest.raises(ParamsError, match=match):
        evaluate_covenants(FAC, "2008-06-30", acts, 30_000_000)


# --- the covenant terms the engine reads: bad params are refused at load ---------------------
BASE = yaml.safe_load(paths.resolve(FACILITY).read_text())


def _write(tmp_path, data):
    compliance = paths.resolve(FACILITY).parent / data["compliance_file"]
    shutil.copy(compliance, tmp_path / compliance.name)
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    return p


def _original(data, cid):
    return next(c for c in data["original"]["covenants"] if c["id"] == cid)


def _amended(data, old_id):
    return data["amendments"][0]["changes"]["covenants"]["replace"][old_id]


def _steps(*steps):
    return [
        {
            "from_quarter": dt.date.fromisoformat(a),
            "to_quarter": b and dt.date.fromisoformat(b),
            "amount": amt,
            "source": "s",
        }
        for a, b, amt in steps
    ]


GAP = _steps(("2008-03-31", "2008-06-30", 7500000), ("2008-12-31", None, 10000000))


@pytest.mark.parametrize(
    "mutate, key, rule",
    [
        (
            lambda d: _original(d, "consolidated_ebitda").update(thresholds=GAP),
            r"original\.covenants\[1\]",
            "threshold schedule has a gap: no step covers the quarter ending 2008-09-30",
        ),
        (
            lambda d: _amended(d, "consolidated_ebitda").update(thresholds=GAP),
            r"amendments\[0\]\.changes",
            "threshold schedule has a gap: no step covers the quarter ending 2008-09-30",
        ),
        (
            lambda d: _original(d, "consolidated_ebitda").update(
                thresholds=_steps(("2008-03-31", None, "ten million"))
            ),
            r"original\.covenants\[1\]\.thresholds\[0\]\.amount",
            "not an amount: 'ten million'",
        ),
        (
            lambda d: _amended(d, "consolidated_ebitda").update(
                thresholds=_steps(("2008-03-31", None, "ten million"))
            ),
            r"amendments\[0\]\.changes",
            "not an amount: 'ten million'",
        ),
        (
            lambda d: _amended(d, "borrower_ebitda").update(metric="free_cash_flow"),
            r"amendments\[0\]\.changes",
            # old: "unknown metric 'free_cash_flow'"
            "covenant 'borrower_cash_flow' names metric 'free_cash_flow', which the compliance "
            "file does not define",
        ),
        (  # finding 19: negative thresholds and springing amounts are rejected at load
            lambda d: _original(d, "consolidated_ebitda").update(
                thresholds=_steps(("2008-03-31", None, -7500000))
            ),
            r"original\.covenants\[1\]\.thresholds\[0\]\.amount",
            r"must not be negative \(got -7500000\)",
        ),
        (
            lambda d: _amended(d, "consolidated_ebitda").update(
                thresholds=_steps(("2008-03-31", None, -7500000))
            ),
            r"amendments\[0\]\.changes",
            r"must not be negative \(got -7500000\)",
        ),
        (
            lambda d: _original(d, "borrower_ebitda")["springing"].update(amount=-15000000),
            r"original\.covenants\[2\]\.springing\.amount",
            # old: "springing amount must not be negative"
            r"must not be negative \(got -15000000\)",
        ),
        (
            lambda d: _amended(d, "borrower_ebitda")["springing"].update(amount=-20000000),
            r"amendments\[0\]\.changes",
            r"must not be negative \(got -20000000\)",
        ),
    ],
)
def test_bad_covenant_terms_rejected_naming_key_path(tmp_path, mutate, key, rule):
    data = copy.deepcopy(BASE)
    mutate(data)
    with pytest.raises(ParamsError, match=rf"line \d+: {key}.*{rule}") as exc:
        load(_write(tmp_path, data))
    assert exc.value.line is not None


def test_original_springing_note_records_the_known_defect():
    """The filed text prints '$15,000,0000' for the deleted 6.9(iii) trigger (was checked on
    the deleted fixture tests/fixtures/covenants_svb.yaml; the facility file carries it now)."""
    cov = FAC.version("original").covenant("borrower_ebitda")
    assert cov.springing.amount == D("15000000")
    assert "'$15,000,0000'" in cov.note and "recorded as $15,000,000" in cov.note
    assert "public-facts.md" not in paths.resolve(FACILITY).read_text()


# --- the ledger and the actuals ---------------------------------------------------------------
def test_ledger_not_covering_the_quarter_falls_back_to_actuals(actuals):
    """A daily ledger that starts after the quarter (the step-2 ledger starts 2008-04-28) gives
    no any-day reading for Q1 2008: the actuals' quarter-end liquidity is used, and said."""
    ledger = pd.DataFrame({"liquidity": _daily(None)})  # 2008-04-01 .. 2008-06-30
    r = evaluate_covenants(FAC, "2008-03-31", actuals, ledger, version="first_modification")
    reason = r.loc["borrower_cash_flow", "applies_reason"]
    assert "the daily ledger does not cover this quarter" in reason
    assert (
        "$27,500,000" in reason
    )  # params/deals/ibasis/actuals/ibasis-2008.csv, liquidity_quarter_end, Q1 2008
    assert "WARNING" not in reason  # liquidity >= line I.A cash_at_bank ($25,000,000)
    with pytest.raises(ValueError, match="no observation in the quarter"):
        evaluate_covenants(FAC, "2008-03-31", items(), ledger, version="first_modification")


def test_numpy_float_liquidity_from_the_real_ledger():
    """The step-2 ledger holds numpy floats; numpy 2 reprs them as 'np.float64(...)'."""
    daily = pd.Series(np.full(91, 19_000_000.0), index=pd.date_range("2008-04-01", "2008-06-30"))
    r = evaluate_covenants(FAC, "2008-06-30", items(), daily)
    assert (
        "minimum $19,000,000 on 2008-04-01: test applies"
        in r.loc["borrower_cash_flow", "applies_reason"]
    )


# --- finding 1: a documented threshold cannot be replaced by thresholds= ---------------------
def test_documented_threshold_cannot_be_overwritten():
    # old key "consolidated_ebitda: ..."; now "thresholds[consolidated_ebitda]: ..."
    with pytest.raises(
        InputError,
        match=r"thresholds\[consolidated_ebitda\]: the documents set the required level for the "
        r"quarter ending 2008-12-31 \(version 'first_modification'\) at \$10,000,000 \(source: "
        r"First Loan Modification Sec\. 3\.A\.VII, new 6\.9\(ii\)\(c\)\).*pass overrides=",
    ):
        evaluate_covenants(
            FAC, "2008-12-31", items(), liquidity=30e6, thresholds={"consolidated_ebitda": 1}
        )


def test_override_is_labelled_as_such():
    r = evaluate_covenants(
        FAC, "2008-12-31", items(), liquidity=30e6, overrides={"consolidated_ebitda": 1}
    )
    row = r.loc["consolidated_ebitda"]
    assert row["required"] == D("1")
    assert row["threshold_kind"] == "override"
    assert row["threshold_source"].startswith(OVERRIDE_PREFIX)
    assert row["threshold_source"].startswith(
        "OVERRIDE of the documented $10,000,000 (source: First Loan Modification Sec. 3.A.VII, "
        "new 6.9(ii)(c))"
    )
    assert row["status_code"] == "complies" and row["headroom"] == D("7999999")


def test_override_needs_a_documented_level():
    # old keys: "adjusted_quick_ratio: ..." and "... 'ebitda' in overrides"
    with pytest.raises(
        InputError,
        match=r"overrides\[adjusted_quick_ratio\]: the documents give no level .* thresholds=",
    ):
        evaluate_covenants(FAC, "2008-12-31", items(), overrides={"adjusted_quick_ratio": 1})
    with pytest.raises(InputError, match="given in both thresholds and overrides"):
        evaluate_covenants(
            FAC,
            "2008-12-31",
            items(),
            thresholds={"adjusted_quick_ratio": 1},
            overrides={"adjusted_quick_ratio": 1},
        )
    with pytest.raises(InputError, match=r"^overrides: unknown covenant id 'ebitda'"):
        evaluate_covenants(FAC, "2008-12-31", items(), overrides={"ebitda": 1})


# --- finding 6: partial ledger coverage is never the lenient answer --------------------------
def _partial(first="2008-05-01", last="2008-06-30", level=D("25000000")) -> pd.Series:
    days = pd.date_range(first, last, freq="D")
    return pd.Series([level] * len(days), index=days, dtype=object)


def test_any_day_partial_coverage_applies_and_says_why():
    r = evaluate_covenants(FAC, "2008-06-30", items(), _partial())  # 61 of 91 days at $25M
    row = r.loc["borrower_cash_flow"]
    assert bool(row["applies"]) is True
    assert row["status_code"] == "complies"
    assert row["status"] == "complies"
    assert "ledger covers 61 of 91 days" in row["applies_reason"]
    assert (
        "days not covered (2008-04-01 to 2008-04-30) treated as < $20,000,000 (stricter"
        in row["applies_reason"]
    )


def test_any_day_full_coverage_above_trigger_does_not_apply():
    r = evaluate_covenants(FAC, "2008-06-30", items(), _partial(first="2008-04-01"))
    assert bool(r.loc["borrower_cash_flow", "applies"]) is False


def test_quarter_end_reading_refuses_a_ledger_ending_early():
    early = _partial(first="2008-04-01", last="2008-06-15")
    with pytest.raises(
        InputError,
        match=r"quarter-end reading for 2008-06-30: the daily ledger ends on 2008-06-15, before the quarter end",
    ):
        evaluate_covenants(FAC, "2008-06-30", items(), early, springing_reading="quarter_end")


def test_quarter_end_reading_falls_back_to_actuals_line(actuals):
    early = _partial(first="2008-04-01", last="2008-06-15")
    r = evaluate_covenants(FAC, "2008-06-30", actuals, early, springing_reading="quarter_end")
    reason = r.loc["borrower_cash_flow", "applies_reason"]
    assert "the daily ledger ends on 2008-06-15, before the quarter end" in reason
    assert "Liquidity from the actuals, line liquidity_quarter_end" in reason
    assert (
        "liquidity $20,315,560" in reason
    )  # params/deals/ibasis/actuals/ibasis-2008.csv, Q2 2008 (= ledger)


# --- finding 10: where the liquidity came from ----------------------------------------------
def test_liquidity_source_in_reason_and_column():
    src = "illustrative: daily ledger from params/deals/ibasis/scenarios/svb-*.csv"
    r = evaluate_covenants(
        FAC, "2008-06-30", items(), _partial(first="2008-04-01"), liquidity_source=src
    )
    row = r.loc["borrower_cash_flow"]
    assert row["liquidity_source"] == src
    assert row["applies_reason"].endswith(f". Source of the liquidity figure: {src}")
    assert r.loc["consolidated_ebitda", "liquidity_source"] is None
    r = evaluate_covenants(FAC, "2008-06-30", items(), 25_000_000)
    assert (
        r.loc["borrower_cash_flow", "liquidity_source"]
        == "given by the caller (provenance not stated)"
    )


def test_liquidity_source_from_actuals_line_names_its_kind(actuals):
    r = evaluate_covenants(FAC, "2008-03-31", actuals)
    assert r.loc["borrower_cash_flow", "liquidity_source"].startswith(
        "actuals line liquidity_quarter_end (illustrative: ILLUSTRATIVE sample value"
    )


def test_liquidity_source_from_a_plain_mapping():
    r = evaluate_covenants(FAC, "2008-06-30", {**items(), "liquidity_quarter_end": 25_000_000})
    assert (
        r.loc["borrower_cash_flow", "liquidity_source"]
        == "actuals line liquidity_quarter_end (given with the line items)"
    )


def test_quarter_before_the_amended_schedule_keeps_the_level_in_force_at_its_end():
    """The amendment of 2008-04-28 rewrites 6.9(ii) from the quarter ending 2008-03-31 on; it
    does not waive 2007-12-31, whose (annual) certificate is due after it: the original
    $10,000,000 applies and the row says where the level came from. Asked explicitly for the
    amended version, the quarter has no level."""
    r = evaluate_covenants(FAC, "2007-12-31", items(ebitda=D("9999999.99")), liquidity=10_000_000)
    row = r.loc["consolidated_ebitda"]
    assert row["required"] == D("10000000") and row["status_code"] == "breach"
    assert row["status"] == "does not comply"
    assert row["threshold_kind"] == "carried"
    assert (
        "the level of version 'original', in force at the quarter end, applies"
        in row["threshold_source"]
    )
    r = evaluate_covenants(
        FAC, "2007-12-31", items(), liquidity=10_000_000, version="first_modification"
    )
    row = r.loc["consolidated_ebitda"]
    assert row["status_code"] == "no_threshold"
    assert row["status"] == "no threshold for this quarter"
    assert row["threshold_kind"] == "none" and row["required"] is None
    assert row["complies"] is pd.NA and bool(row["applies"]) is False
    assert row["applies_reason"] == (
        "no threshold for the quarter ending 2007-12-31 in version 'first_modification'"
    )


# --- review: the actuals agree with the step-2 ledger; liquidity below line I.A is flagged ---
LEDGER_QUARTERS = ["2008-06-30", "2008-09-30", "2008-12-31", "2009-03-31", "2009-06-30"]


@pytest.mark.parametrize("q", LEDGER_QUARTERS)
@pytest.mark.parametrize(
    "item, column",
    [
        ("cash_at_bank", "cash"),
        ("obligations_to_bank", "outstanding"),
        ("liquidity_quarter_end", "liquidity"),
    ],
)
def test_illustrative_actuals_equal_the_ledger_at_quarter_end(
    actuals, sample_ledger, q, item, column
):
    entry = actuals.quarter(q).entry(item)
    assert entry.kind == "illustrative"
    assert entry.value == D(repr(float(sample_ledger.loc[pd.Timestamp(q), column])))


def test_actuals_liquidity_never_below_line_a_cash(actuals):
    for q in actuals.quarter_ends:
        qa = actuals.quarter(q)
        assert qa["liquidity_quarter_end"] >= qa["cash_at_bank"], q


def test_liquidity_below_line_a_cash_is_a_warning_not_an_error():
    """Line I.A is consolidated, liquidity the Borrower's: below is possible, so warn and go on
    (the deal's consistency_checks, params/deals/ibasis/facilities/svb-compliance-certificate.yaml)."""
    its = {**items(), "cash_at_bank": D("25000000"), "liquidity_quarter_end": D("17500000")}
    r = evaluate_covenants(FAC, "2008-06-30", its, springing_reading="quarter_end")
    reason = r.loc["borrower_cash_flow", "applies_reason"]
    # old: "WARNING: liquidity_quarter_end $17,500,000 is below line I.A cash_at_bank
    # $25,000,000: I.A is consolidated (Borrower and Subsidiaries)" ... "Subsidiaries keep at
    # least $7,500,000 at the Bank"
    assert (
        " [WARNING: liquidity_quarter_end $17,500,000 is below cash_at_bank $25,000,000 by "
        "$7,500,000: line I.A (cash_at_bank) is the cash at Bank of Borrower and its "
        "Subsidiaries, consolidated, while the Sec. 6.9(iii) liquidity is the Borrower's cash at "
        "Bank plus the Availability Amount, so liquidity below I.A holds only if Subsidiaries "
        "keep the difference at the Bank; check both figures]" in reason
    )
    assert bool(r.loc["borrower_cash_flow", "applies"]) is True  # still decided on the figure
    assert "liquidity $17,500,000 < $20,000,000: test applies" in reason
    assert "WARNING" not in r.loc["consolidated_ebitda", "applies_reason"]


def test_no_warning_when_liquidity_is_given_by_the_caller():
    its = {**items(), "cash_at_bank": D("25000000"), "liquidity_quarter_end": D("17500000")}
    r = evaluate_covenants(FAC, "2008-06-30", its, 17_500_000, springing_reading="quarter_end")
    assert "WARNING" not in r.loc["borrower_cash_flow", "applies_reason"]


def test_default_version_basis_is_labelled_an_assumption():
    r = evaluate_covenants(FAC, "2008-03-31", items(), liquidity=30e6)
    assert (
        r["version_basis"]
        .iloc[0]
        .endswith("(assumption: the terms in force when the certificate is due govern the quarter)")
    )
    r = evaluate_covenants(FAC, "2008-03-31", items(), liquidity=30e6, version="original")
    assert "assumption" not in r["version_basis"].iloc[0]


@pytest.mark.parametrize(
    "bad, match",
    [
        ("abc", r"^cushion: not an amount: 'abc'$"),
        ("", r"^cushion: missing amount$"),  # old: r"^cushion: not "
        ("nan", r"^cushion: not "),
        ("1.5", r"^cushion: a rate is a decimal fraction from 0 up to 1"),
    ],
)
def test_cushion_text_is_an_error_naming_the_parameter(bad, match):
    with pytest.raises(InputError, match=match):
        evaluate_covenants(FAC, "2008-03-31", items(), liquidity=30e6, cushion=bad)


def test_cushion_as_text_number_is_read_exactly():
    r = evaluate_covenants(FAC, "2008-03-31", items(), liquidity=30e6, cushion="0.10")
    assert r["cushion"].iloc[0] == D("0.10")


def test_cushion_parameter_error_names_it():
    """`-p cushion abc` on notebook 03: the notebook hands the parameter to the engine as given,
    and the engine's reader names it (no decimal.InvalidOperation from deep inside)."""
    nb = json.loads((paths.NOTEBOOKS / "03-covenant-compliance.ipynb").read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert any("cushion=cushion" in c for c in code)
    with pytest.raises(InputError, match=r"^cushion: not an amount: 'abc'$"):
        evaluate_covenants(FAC, "2008-03-31", items(), liquidity=30e6, cushion="abc")


def test_the_quarter_end_is_read_once_on_its_way_through(monkeypatch):
    """The public function reads its quarter end; the engine inside takes the date."""
    import sys

    import model.dates.periods as periods

    read = periods.read_quarter_end
    calls: list[object] = []

    def counted(*args, **kwargs):
        calls.append(args[0])
        return read(*args, **kwargs)

    for name, module in list(sys.modules.items()):
        if name.startswith("model") and getattr(module, "read_quarter_end", None) is read:
            monkeypatch.setattr(module, "read_quarter_end", counted)
    acts = load("params/deals/ibasis/actuals/ibasis-2008.csv")
    r = evaluate_covenants(FAC, "2008-03-31", acts, liquidity=27_500_000)
    assert calls == ["2008-03-31"]  # 30 reads before: every helper read it again
    assert r.loc["consolidated_ebitda", "actual"] == 8_000_000
    calls.clear()
    schedule_1(FAC, acts, "2008-03-31")
    assert calls == ["2008-03-31"]
