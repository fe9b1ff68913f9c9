"""Covenant evaluation (model/covenants.py) and the covenant schema (model/terms/covenants.py).

Thresholds: First Loan Modification Agreement (2008-04-28), Sec. 3.A.VII (new and deleted
Sec. 6.9(ii), (iii)). Tested against the facility params file and the fixture
tests/fixtures/covenants_svb.yaml (same schema, independent of the facility file).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import paths
from model.covenants import (
    compare_versions,
    evaluate_covenants,
    evaluate_history,
    springing_applies,
)
from model.params import ParamsError, load
from model.terms.actuals import MissingLineItemError, QuarterNotInActualsError
from model.terms.covenants import Condition, Covenant, load_covenant_book

FIXTURE = "tests/fixtures/covenants_svb.yaml"
FACILITY = "params/facilities/svb-loan-agreement.yaml"
ACTUALS = "params/actuals/ibasis-2008.csv"


def _sources():
    out = [pytest.param(FIXTURE, id="fixture")]
    if (paths.ROOT / FACILITY).exists():
        out.append(pytest.param(FACILITY, id="facility"))
    return out


def _load(src):
    return load_covenant_book(src) if src == FIXTURE else load(src)


@pytest.fixture(scope="module", params=_sources())
def terms(request):
    return _load(request.param)


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


# --- golden: every threshold step, each quarter end 2007-12-31 .. 2009-06-30 -------------
# (quarter, default version, Consolidated EBITDA required, Cash Flow / Borrower EBITDA required)
# Default version = in force when the quarter's certificate is due: quarter end + 45 days
# (Exhibit B "Quarterly within 45 days"); for a fiscal year end the later of that and
# FYE + 120 days (Exhibit B "Annual financial statement (CPA Audited) + CC: FYE within 120
# days"). 2007-12-31 -> annual certificate due 2008-04-29 -> first_modification, whose
# 6.9(iii)(I) names $1.00 for exactly that quarter; its 6.9(ii) starts at 2008-03-31, so
# Consolidated EBITDA has no level for 2007-12-31 (None).
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


DUE = {  # the certificate whose due date picks the version (reporting_calendar.governing_due_date)
    "2007-12-31": "2008-04-29",  # FYE + 120 days (2008 is a leap year)
    "2008-03-31": "2008-05-15",
    "2008-06-30": "2008-08-14",
    "2008-09-30": "2008-11-14",
    "2008-12-31": "2009-04-30",  # FYE + 120 days
    "2009-03-31": "2009-05-15",
    "2009-06-30": "2009-08-14",
}


@pytest.mark.parametrize("q,version,ebitda_req,cf_id,cf_req", DEFAULT)
def test_default_version_thresholds(terms, q, version, ebitda_req, cf_id, cf_req):
    r = evaluate_covenants(terms, q, items(), liquidity=10_000_000)
    assert set(r["version"]) == {version}
    if ebitda_req is None:
        assert r.loc["consolidated_ebitda", "required"] is None
        assert r.loc["consolidated_ebitda", "status"] == "no threshold for this quarter"
    else:
        assert r.loc["consolidated_ebitda", "required"] == D(ebitda_req)
    assert r.loc[cf_id, "required"] == D(cf_req)
    basis = r["version_basis"].iloc[0]
    assert f"in force on {DUE[q]}" in basis
    if q.endswith("12-31"):
        assert "annual Compliance Certificate" in basis and "FYE + 120 days" in basis
    else:
        assert "quarter end + 45 days" in basis and "'Quarterly within 45 days'" in basis


def test_amended_q4_2007_dollar_clause_is_reachable(terms):
    """Finding 12: new 6.9(iii)(I), "for the fiscal quarter ending December 31, 2007, $1.00",
    is tested by default (the FY2007 annual certificate is due 2008-04-29, after 2008-04-28)."""
    r = evaluate_covenants(terms, "2007-12-31", items(borrower=D("0.99")), liquidity=10_000_000)
    row = r.loc["borrower_cash_flow"]
    assert row["required"] == D("1.00") and row["status"] == "does not comply"
    assert row["threshold_source"] == "First Loan Modification Sec. 3.A.VII, new 6.9(iii)(I)"


# Original terms asked for explicitly: $10,000,000 every quarter; Borrower EBITDA $1.00 then $2,000,000.
ORIGINAL = [(q, "10000000", "1.00" if q == "2007-12-31" else "2000000") for q, *_ in DEFAULT]


@pytest.mark.parametrize("q,ebitda_req,be_req", ORIGINAL)
def test_original_version_thresholds(terms, q, ebitda_req, be_req):
    r = evaluate_covenants(terms, q, items(), liquidity=10_000_000, version="original")
    assert r.loc["consolidated_ebitda", "required"] == D(ebitda_req)
    assert r.loc["borrower_ebitda", "required"] == D(be_req)
    assert r["version_basis"].iloc[0] == "requested by the user"


def test_amendment_governs_q1_2008_certificate(terms):
    r = evaluate_covenants(terms, "2008-03-31", items(), liquidity=30_000_000)
    assert r["version"].iloc[0] == "first_modification"
    assert "2008-05-15" in r["version_basis"].iloc[0]


def test_8m_ebitda_q1_2008_original_fails_amended_passes(terms):
    """Acceptance: Consolidated EBITDA $8,000,000 for the quarter ended 2008-03-31."""
    c = compare_versions(terms, "2008-03-31", items(ebitda=D("8000000")), liquidity=30_000_000)
    assert bool(c.loc["consolidated_ebitda", ("original", "complies")]) is False
    assert bool(c.loc["consolidated_ebitda", ("first_modification", "complies")]) is True
    assert c.loc["consolidated_ebitda", ("original", "headroom")] == D("-2000000")
    assert c.loc["consolidated_ebitda", ("first_modification", "headroom")] == D("500000")


def test_sample_actuals_q1_2008_is_the_8m_case(terms, actuals):
    r = evaluate_covenants(terms, "2008-03-31", actuals, version="original")
    assert r.loc["consolidated_ebitda", "actual"] == D("8000000")
    assert r.loc["consolidated_ebitda", "status"] == "does not comply"


# --- springing test: just below and at the trigger --------------------------------------
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
def test_springing_threshold_edges(terms, version, liquidity, applies, reading):
    cid = "borrower_cash_flow" if version == "first_modification" else "borrower_ebitda"
    r = evaluate_covenants(
        terms, "2008-06-30", items(borrower=D("1")), liquidity, version, springing_reading=reading
    )
    assert bool(r.loc[cid, "applies"]) is applies
    if applies:
        assert r.loc[cid, "status"] == "does not comply"
    else:
        assert r.loc[cid, "status"] == "not required (condition not met)"
        assert r.loc[cid, "complies"] is pd.NA


def _daily(low_day: dt.date | None, low=D("19999999.99"), high=D("25000000")) -> pd.Series:
    days = pd.date_range("2008-04-01", "2008-06-30", freq="D")
    s = pd.Series([high] * len(days), index=days, dtype=object)
    if low_day is not None:
        s[pd.Timestamp(low_day)] = low
    return s


def test_any_day_reading_from_daily_ledger(terms):
    daily = _daily(dt.date(2008, 5, 12))
    strict = evaluate_covenants(terms, "2008-06-30", items(), daily)
    lax = evaluate_covenants(terms, "2008-06-30", items(), daily, springing_reading="quarter_end")
    assert bool(strict.loc["borrower_cash_flow", "applies"]) is True
    assert "any-day reading (daily ledger)" in strict.loc["borrower_cash_flow", "applies_reason"]
    assert (
        "minimum $19,999,999.99 on 2008-05-12" in strict.loc["borrower_cash_flow", "applies_reason"]
    )
    assert bool(lax.loc["borrower_cash_flow", "applies"]) is False
    assert (
        "quarter-end reading (daily ledger): liquidity $25,000,000 on 2008-06-30"
        in lax.loc["borrower_cash_flow", "applies_reason"]
    )


def test_ledger_dataframe_accepted_and_days_outside_quarter_ignored(terms):
    daily = _daily(None)
    daily[pd.Timestamp("2008-07-01")] = D("1")  # next quarter: must not count
    ledger = pd.DataFrame({"liquidity": daily})
    r = evaluate_covenants(terms, "2008-06-30", items(), ledger)
    assert bool(r.loc["borrower_cash_flow", "applies"]) is False


def test_any_day_with_single_number_says_so(terms):
    r = evaluate_covenants(terms, "2008-06-30", items(), 25_000_000)
    assert "only one figure given" in r.loc["borrower_cash_flow", "applies_reason"]


def test_no_liquidity_at_all_springs_stricter(terms):
    r = evaluate_covenants(terms, "2008-06-30", items())
    assert bool(r.loc["borrower_cash_flow", "applies"]) is True
    assert "liquidity not provided" in r.loc["borrower_cash_flow", "applies_reason"]


def test_liquidity_from_actuals_line(terms, actuals):
    r = evaluate_covenants(terms, "2008-03-31", actuals)
    assert "liquidity_quarter_end" in r.loc["borrower_cash_flow", "applies_reason"]


def test_springing_condition_direct():
    cond = Condition(metric="liquidity", comparison="<", amount=D("20000000"), source="6.9(iii)")
    assert springing_applies(cond, dt.date(2008, 9, 30), D("19999999.99"), "quarter_end")[0] is True
    assert springing_applies(cond, dt.date(2008, 9, 30), D("20000000"), "quarter_end")[0] is False


# --- Adjusted Quick Ratio: threshold not in the documents ---------------------------------
def test_quick_ratio_threshold_not_provided(terms):
    r = evaluate_covenants(terms, "2008-09-30", items(), 30_000_000)
    row = r.loc["adjusted_quick_ratio"]
    assert row["status"] == "threshold not provided"
    assert row["complies"] is pd.NA and row["required"] is None
    assert row["actual"] == D("1.5000")  # (30 + 120) / (20 + 80)


@pytest.mark.parametrize("thr,ok", [("1.50", True), ("1.5001", False), (1.25, True)])
def test_quick_ratio_with_user_threshold(terms, thr, ok):
    r = evaluate_covenants(
        terms, "2008-09-30", items(), 30_000_000, thresholds={"adjusted_quick_ratio": thr}
    )
    assert bool(r.loc["adjusted_quick_ratio", "complies"]) is ok
    assert r.loc["adjusted_quick_ratio", "threshold_source"] == "user input"


def test_amber_inside_cushion(terms):
    r = evaluate_covenants(
        terms, "2008-03-31", items(ebitda=D("8000000")), 30_000_000, cushion=D("0.10")
    )
    assert bool(r.loc["consolidated_ebitda", "amber"]) is True  # 500,000 / 7,500,000 = 6.7% < 10%
    assert r.loc["consolidated_ebitda", "headroom_pct"] == pytest.approx(0.0666667, rel=1e-5)
    r = evaluate_covenants(
        terms, "2008-03-31", items(ebitda=D("8000000")), 30_000_000, cushion=D("0.05")
    )
    assert bool(r.loc["consolidated_ebitda", "amber"]) is False


def test_history_one_table_switching_versions(terms, actuals):
    qs = [q for q, *_ in DEFAULT]
    h = evaluate_history(terms, qs, actuals)
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


# --- properties -----------------------------------------------------------------------------
money = st.decimals(
    min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False
)


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
        metric="consolidated_ebitda",
        direction=direction,
        unit="usd",
        thresholds=({"from_quarter": "2008-03-31", "amount": required, "source": "s"},),
    )
    r = evaluate_covenants([cov], "2008-06-30", items(ebitda=actual)).loc["x"]
    want = actual >= required if direction == "min" else actual <= required
    assert bool(r["complies"]) is want
    assert (r["headroom"] >= 0) is want
    assert r["headroom"] == (actual - required if direction == "min" else required - actual)


# --- bad input --------------------------------------------------------------------------------
def test_missing_line_item(terms):
    bad = items()
    del bad["interest_expense"]
    with pytest.raises(MissingLineItemError, match="line B needs line item 'interest_expense'"):
        evaluate_covenants(terms, "2008-03-31", bad, 30_000_000)


def test_quarter_not_in_actuals(terms, actuals):
    with pytest.raises(QuarterNotInActualsError, match="quarter 2009-09-30 is not in the actuals"):
        evaluate_covenants(terms, "2009-09-30", actuals)


def test_not_a_quarter_end(terms):
    with pytest.raises(ValueError, match="2008-03-30 is not a fiscal quarter end"):
        evaluate_covenants(terms, "2008-03-30", items())


def test_unknown_covenant_id(terms):
    with pytest.raises(
        ValueError,
        match=r"unknown covenant id 'quick_ratio' in thresholds; covenants in version 'first_modification': adjusted_quick_ratio",
    ):
        evaluate_covenants(terms, "2008-03-31", items(), thresholds={"quick_ratio": 1})


def test_unknown_version(terms):
    with pytest.raises(
        ValueError,
        match="unknown version 'second_modification'; known: original, first_modification",
    ):
        evaluate_covenants(terms, "2008-03-31", items(), version="second_modification")


def test_unknown_reading(terms):
    with pytest.raises(
        ValueError, match="unknown springing_reading 'average'; valid: any_day, quarter_end"
    ):
        evaluate_covenants(terms, "2008-03-31", items(), springing_reading="average")


def test_non_numeric_user_threshold(terms):
    with pytest.raises(
        ValueError, match="threshold for adjusted_quick_ratio: not an amount: 'one'"
    ):
        evaluate_covenants(terms, "2008-03-31", items(), thresholds={"adjusted_quick_ratio": "one"})


def _book(tmp_path, thresholds: str):
    text = (paths.ROOT / FIXTURE).read_text()
    start = text.index(
        '      - id: consolidated_ebitda\n        title: Minimum Consolidated EBITDA\n        section: "Loan Agreement Sec. 6.9(ii), as amended'
    )
    head, tail = text[:start], text[start:]
    i = tail.index("        thresholds:\n") + len("        thresholds:\n")
    j = tail.index("      - id: borrower_cash_flow")
    p = tmp_path / "covenants_bad.yaml"
    p.write_text(head + tail[:i] + thresholds + tail[j:])
    return p


def test_threshold_schedule_with_gap(tmp_path):
    p = _book(
        tmp_path,
        "          - {from_quarter: 2008-03-31, to_quarter: 2008-06-30, amount: 7500000, source: s}\n"
        "          - {from_quarter: 2008-12-31, to_quarter: null, amount: 10000000, source: s}\n",
    )
    with pytest.raises(
        ParamsError,
        match="threshold schedule has a gap: no step covers the quarter ending 2008-09-30",
    ):
        load_covenant_book(str(p))


def test_non_numeric_threshold_amount(tmp_path):
    p = _book(
        tmp_path,
        "          - {from_quarter: 2008-03-31, to_quarter: null, amount: ten million, source: s}\n",
    )
    with pytest.raises(
        ParamsError, match=r"line \d+: entries\[1\]\.covenants\[1\]\.thresholds\[0\]\.amount"
    ):
        load_covenant_book(str(p))


def test_unknown_metric_in_yaml(tmp_path):
    p = _book(
        tmp_path, "          - {from_quarter: 2008-03-31, to_quarter: null, amount: 1, source: s}\n"
    )
    p.write_text(p.read_text().replace("metric: borrower_cash_flow", "metric: free_cash_flow"))
    with pytest.raises(ParamsError, match="unknown metric 'free_cash_flow'"):
        load_covenant_book(str(p))


def test_ledger_not_covering_the_quarter_falls_back_to_actuals(terms, actuals):
    """A daily ledger that starts after the quarter (the step-2 ledger starts 2008-04-28) gives
    no any-day reading for Q1 2008: the actuals' quarter-end liquidity is used, and said."""
    ledger = pd.DataFrame({"liquidity": _daily(None)})  # 2008-04-01 .. 2008-06-30
    r = evaluate_covenants(terms, "2008-03-31", actuals, ledger, version="first_modification")
    reason = r.loc["borrower_cash_flow", "applies_reason"]
    assert "the daily ledger does not cover this quarter" in reason
    assert "$27,500,000" in reason  # params/actuals/ibasis-2008.csv, liquidity_quarter_end, Q1 2008
    assert "WARNING" not in reason  # liquidity >= line I.A cash_at_bank ($25,000,000)
    with pytest.raises(ValueError, match="no observation in the quarter"):
        evaluate_covenants(terms, "2008-03-31", items(), ledger, version="first_modification")


def test_numpy_float_liquidity_from_the_real_ledger(terms):
    """The step-2 ledger holds numpy floats; numpy 2 reprs them as 'np.float64(...)'."""
    import numpy as np

    daily = pd.Series(np.full(91, 19_000_000.0), index=pd.date_range("2008-04-01", "2008-06-30"))
    r = evaluate_covenants(terms, "2008-06-30", items(), daily)
    assert (
        "minimum $19,000,000 on 2008-04-01: test applies"
        in r.loc["borrower_cash_flow", "applies_reason"]
    )


# --- finding 1: a documented threshold cannot be replaced by thresholds= ---------------------
def test_documented_threshold_cannot_be_overwritten(terms):
    with pytest.raises(
        ValueError,
        match=r"consolidated_ebitda: the documents set the required level for the quarter ending "
        r"2008-12-31 \(version 'first_modification'\) at \$10,000,000 \(source: First Loan "
        r"Modification Sec\. 3\.A\.VII, new 6\.9\(ii\)\(c\)\).*pass overrides=",
    ):
        evaluate_covenants(
            terms, "2008-12-31", items(), liquidity=30e6, thresholds={"consolidated_ebitda": 1}
        )


def test_override_is_labelled_as_such(terms):
    r = evaluate_covenants(
        terms, "2008-12-31", items(), liquidity=30e6, overrides={"consolidated_ebitda": 1}
    )
    row = r.loc["consolidated_ebitda"]
    assert row["required"] == D("1")
    assert row["threshold_source"].startswith(
        "OVERRIDE of the documented $10,000,000 (source: First Loan Modification Sec. 3.A.VII, "
        "new 6.9(ii)(c))"
    )


def test_override_needs_a_documented_level(terms):
    with pytest.raises(
        ValueError, match="adjusted_quick_ratio: the documents give no level .* thresholds="
    ):
        evaluate_covenants(terms, "2008-12-31", items(), overrides={"adjusted_quick_ratio": 1})
    with pytest.raises(ValueError, match="given in both thresholds and overrides"):
        evaluate_covenants(
            terms,
            "2008-12-31",
            items(),
            thresholds={"adjusted_quick_ratio": 1},
            overrides={"adjusted_quick_ratio": 1},
        )
    with pytest.raises(ValueError, match="unknown covenant id 'ebitda' in overrides"):
        evaluate_covenants(terms, "2008-12-31", items(), overrides={"ebitda": 1})


# --- finding 6: partial ledger coverage is never the lenient answer --------------------------
def _partial(first="2008-05-01", last="2008-06-30", level=D("25000000")) -> pd.Series:
    days = pd.date_range(first, last, freq="D")
    return pd.Series([level] * len(days), index=days, dtype=object)


def test_any_day_partial_coverage_applies_and_says_why(terms):
    r = evaluate_covenants(terms, "2008-06-30", items(), _partial())  # 61 of 91 days at $25M
    row = r.loc["borrower_cash_flow"]
    assert bool(row["applies"]) is True
    assert row["status"] == "complies"
    assert "ledger covers 61 of 91 days" in row["applies_reason"]
    assert (
        "days not covered (2008-04-01 to 2008-04-30) treated as < $20,000,000 (stricter"
        in row["applies_reason"]
    )


def test_any_day_full_coverage_above_trigger_does_not_apply(terms):
    r = evaluate_covenants(terms, "2008-06-30", items(), _partial(first="2008-04-01"))
    assert bool(r.loc["borrower_cash_flow", "applies"]) is False


def test_quarter_end_reading_refuses_a_ledger_ending_early(terms):
    early = _partial(first="2008-04-01", last="2008-06-15")
    with pytest.raises(
        ValueError,
        match=r"quarter-end reading for 2008-06-30: the daily ledger ends on 2008-06-15, before the quarter end",
    ):
        evaluate_covenants(terms, "2008-06-30", items(), early, springing_reading="quarter_end")


def test_quarter_end_reading_falls_back_to_actuals_line(terms, actuals):
    early = _partial(first="2008-04-01", last="2008-06-15")
    r = evaluate_covenants(terms, "2008-06-30", actuals, early, springing_reading="quarter_end")
    reason = r.loc["borrower_cash_flow", "applies_reason"]
    assert "the daily ledger ends on 2008-06-15, before the quarter end" in reason
    assert "liquidity from the actuals line liquidity_quarter_end" in reason
    assert "liquidity $20,315,560" in reason  # params/actuals/ibasis-2008.csv, Q2 2008 (= ledger)


# --- finding 10: where the liquidity came from ----------------------------------------------
def test_liquidity_source_in_reason_and_column(terms):
    src = "illustrative: daily ledger from params/scenarios/svb-*.csv"
    r = evaluate_covenants(
        terms, "2008-06-30", items(), _partial(first="2008-04-01"), liquidity_source=src
    )
    row = r.loc["borrower_cash_flow"]
    assert row["liquidity_source"] == src
    assert row["applies_reason"].endswith(f"[liquidity source: {src}]")
    assert r.loc["consolidated_ebitda", "liquidity_source"] is None
    r = evaluate_covenants(terms, "2008-06-30", items(), 25_000_000)
    assert (
        r.loc["borrower_cash_flow", "liquidity_source"]
        == "given by the caller (provenance not stated)"
    )


def test_liquidity_source_from_actuals_line_names_its_kind(terms, actuals):
    r = evaluate_covenants(terms, "2008-03-31", actuals)
    assert r.loc["borrower_cash_flow", "liquidity_source"].startswith(
        "actuals line liquidity_quarter_end (illustrative: ILLUSTRATIVE sample value"
    )


# --- finding 19: negative thresholds and springing amounts are rejected at load -------------
def test_negative_threshold_rejected_naming_key_path(tmp_path):
    p = _book(
        tmp_path,
        "          - {from_quarter: 2008-03-31, to_quarter: null, amount: -7500000, source: s}\n",
    )
    with pytest.raises(
        ParamsError,
        match=r"entries\[1\]\.covenants\[1\]\.thresholds\[0\]\.amount.*must not be negative \(got -7500000\)",
    ):
        load_covenant_book(str(p))


def test_negative_springing_amount_rejected_naming_key_path(tmp_path):
    text = (paths.ROOT / FIXTURE).read_text().replace("amount: 20000000", "amount: -20000000")
    p = tmp_path / "neg.yaml"
    p.write_text(text)
    with pytest.raises(
        ParamsError,
        match=r"entries\[1\]\.covenants\[2\]\.springing\.amount.*springing amount must not be negative",
    ):
        load_covenant_book(str(p))


def test_negative_threshold_rejected_in_code():
    with pytest.raises(ValueError, match="must not be negative"):
        Condition(metric="liquidity", comparison="<", amount=D("-1"), source="s")


# --- finding 27: the fixture cannot drift from the facility file ---------------------------
def _shape(version):
    return {
        c.id: (
            c.metric,
            c.direction,
            c.unit,
            [(s.from_quarter, s.to_quarter, s.amount) for s in c.thresholds],
            None
            if c.springing is None
            else (c.springing.metric, c.springing.comparison, c.springing.amount),
        )
        for c in version.covenants
    }


@pytest.mark.skipif(not (paths.ROOT / FACILITY).exists(), reason="no facility file")
def test_fixture_matches_facility_file():
    book, facility = load_covenant_book(FIXTURE), load(FACILITY)
    assert book.versions == facility.versions
    for name, _ in facility.versions:
        assert _shape(book.version(name)) == _shape(facility.version(name)), name


def test_fixture_cites_the_known_defect_list():
    text = (paths.ROOT / FIXTURE).read_text()
    assert "public-facts.md" not in text
    assert (
        "'$15,000,0000', read as $15,000,000 (known defect in the source text, listed in seeds/README.md)"
        in text
    )


# --- finding 17: one quarter_start --------------------------------------------------------------
def test_quarter_start_is_the_shared_one():
    import model.reporting_calendar as rc
    import model.values as values

    assert rc.quarter_start is values.quarter_start
    with pytest.raises(ValueError, match="not a fiscal quarter end"):
        rc.quarter_start(dt.date(2008, 5, 31))


def test_quarter_before_the_amended_schedule_keeps_the_level_in_force_at_its_end(terms):
    """The amendment of 2008-04-28 rewrites 6.9(ii) from the quarter ending 2008-03-31 on; it
    does not waive 2007-12-31, whose (annual) certificate is due after it: the original
    $10,000,000 applies and the row says where the level came from. Asked explicitly for the
    amended version, the quarter has no level."""
    r = evaluate_covenants(terms, "2007-12-31", items(ebitda=D("9999999.99")), liquidity=10_000_000)
    row = r.loc["consolidated_ebitda"]
    assert row["required"] == D("10000000") and row["status"] == "does not comply"
    assert (
        "the level of version 'original', in force at the quarter end, applies"
        in row["threshold_source"]
    )
    r = evaluate_covenants(
        terms, "2007-12-31", items(), liquidity=10_000_000, version="first_modification"
    )
    assert r.loc["consolidated_ebitda", "status"] == "no threshold for this quarter"


# --- review: the actuals agree with the step-2 ledger; liquidity below line I.A is flagged ---
LEDGER_QUARTERS = ["2008-06-30", "2008-09-30", "2008-12-31", "2009-03-31", "2009-06-30"]


@pytest.fixture(scope="module")
def step2_ledger(sample_ledger):
    """The daily ledger notebook 03 builds (its default parameters): tests/conftest.py."""
    return sample_ledger


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
    actuals, step2_ledger, q, item, column
):
    entry = actuals.quarter(q).entry(item)
    assert entry.kind == "illustrative"
    assert entry.value == D(repr(float(step2_ledger.loc[pd.Timestamp(q), column])))


def test_actuals_liquidity_never_below_line_a_cash(actuals):
    for q in actuals.quarter_ends:
        qa = actuals.quarter(q)
        assert qa["liquidity_quarter_end"] >= qa["cash_at_bank"], q


def test_liquidity_below_line_a_cash_is_a_warning_not_an_error(terms):
    """Line I.A is consolidated, liquidity the Borrower's: below is possible, so warn and go on."""
    its = {**items(), "cash_at_bank": D("25000000"), "liquidity_quarter_end": D("17500000")}
    r = evaluate_covenants(terms, "2008-06-30", its, springing_reading="quarter_end")
    reason = r.loc["borrower_cash_flow", "applies_reason"]
    assert (
        "WARNING: liquidity_quarter_end $17,500,000 is below line I.A cash_at_bank $25,000,000: "
        "I.A is consolidated (Borrower and Subsidiaries)" in reason
    )
    assert "Subsidiaries keep at least $7,500,000 at the Bank" in reason
    assert bool(r.loc["borrower_cash_flow", "applies"]) is True  # still decided on the figure
    assert "WARNING" not in r.loc["consolidated_ebitda", "applies_reason"]


def test_default_version_basis_is_labelled_an_assumption(terms):
    if not hasattr(terms, "terms_as_of"):
        pytest.skip("only a facility/book picks a version by the default rule")
    r = evaluate_covenants(terms, "2008-03-31", items(), liquidity=30e6)
    assert (
        r["version_basis"]
        .iloc[0]
        .endswith("(assumption: the terms in force when the certificate is due govern the quarter)")
    )
    r = evaluate_covenants(terms, "2008-03-31", items(), liquidity=30e6, version="original")
    assert "assumption" not in r["version_basis"].iloc[0]


@pytest.mark.parametrize("bad", ["abc", "", "nan"])
def test_cushion_text_is_an_error_naming_the_parameter(terms, bad):
    with pytest.raises(ValueError, match=r"^cushion: not "):
        evaluate_covenants(terms, "2008-03-31", items(), liquidity=30e6, cushion=bad)


def test_cushion_as_text_number_is_read_exactly(terms):
    r = evaluate_covenants(terms, "2008-03-31", items(), liquidity=30e6, cushion="0.10")
    assert r["cushion"].iloc[0] == D("0.10")


def test_notebook_03_cushion_parameter_error_names_it():
    """`-p cushion=abc` on notebook 03: a ValueError naming 'cushion', not decimal.InvalidOperation."""
    import json

    nb = json.loads((paths.NOTEBOOKS / "03-covenant-compliance.ipynb").read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    params_cell = next(
        i
        for i, c in enumerate(nb["cells"])
        if c["cell_type"] == "code" and "parameters" in c["metadata"].get("tags", [])
    )
    setup = "".join(nb["cells"][params_cell + 1]["source"])
    assert 'as_money(cushion, "cushion")' in setup
    assert not any("Decimal(str(cushion))" in c for c in code)
    ns: dict = {}
    exec(compile("".join(nb["cells"][params_cell]["source"]), "params", "exec"), ns)
    ns["cushion"] = "abc"  # as papermill injects it
    with pytest.raises(ValueError, match=r"^cushion: not an amount: 'abc'$"):
        exec(compile(setup, "setup", "exec"), ns)
