"""Springing tests (model.engines.covenants.springing): does a covenant apply to a quarter?

The conditions are the facility's: First Loan Modification Sec. 3.A.VII, new 6.9(iii)
(liquidity less than $20,000,000) and the deleted 6.9(iii) it quotes (less than
$15,000,000, printed "$15,000,0000").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import numpy as np
import pandas as pd
import pytest

from model.dates import periods
from model.engines.covenants import READINGS, Springing, springing_applies
from model.engines.covenants import springing as springing_module
from model.errors import InputError
from model.terms import Condition, load

FAC = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
AMENDED = FAC.version("first_modification").covenant("borrower_cash_flow").springing
ORIGINAL = FAC.version("original").covenant("borrower_ebitda").springing
Q2 = dt.date(2008, 6, 30)


def test_conditions_are_the_facilitys():
    assert (AMENDED.metric, AMENDED.comparison, AMENDED.amount) == ("liquidity", "<", D("20000000"))
    assert (ORIGINAL.metric, ORIGINAL.comparison, ORIGINAL.amount) == (
        "liquidity",
        "<",
        D("15000000"),
    )
    assert READINGS == ("any_day", "quarter_end")


def test_springing_condition_direct():
    cond = Condition(metric="liquidity", comparison="<", amount=D("20000000"), source="6.9(iii)")
    assert springing_applies(cond, dt.date(2008, 9, 30), D("19999999.99"), "quarter_end")[0] is True
    assert springing_applies(cond, dt.date(2008, 9, 30), D("20000000"), "quarter_end")[0] is False


@pytest.mark.parametrize(
    "cond,liquidity,applies",
    [
        (AMENDED, D("19999999.99"), True),  # new 6.9(iii): less than $20,000,000
        (AMENDED, D("20000000"), False),
        (AMENDED, D("20000000.01"), False),
        (ORIGINAL, D("14999999.99"), True),  # deleted 6.9(iii): less than $15,000,000
        (ORIGINAL, D("15000000"), False),
    ],
)
@pytest.mark.parametrize("reading", READINGS)
def test_threshold_edges_under_both_readings(cond, liquidity, applies, reading):
    sp = springing_applies(cond, Q2, liquidity, reading)
    assert isinstance(sp, Springing)
    assert sp.applies is applies
    assert sp.observed == liquidity


def test_quarter_end_reason_states_figure_and_verdict():
    sp = springing_applies(AMENDED, Q2, D("19999999.99"), "quarter_end")
    assert sp.reason == "quarter-end reading: liquidity $19,999,999.99 < $20,000,000: test applies"
    sp = springing_applies(AMENDED, Q2, 20_000_000, "quarter_end")
    assert sp.reason == (
        "quarter-end reading: liquidity $20,000,000 not < $20,000,000: test does not apply"
    )


def test_any_day_with_single_number_says_so():
    sp = springing_applies(AMENDED, Q2, 25_000_000)
    assert sp.applies is False
    assert sp.reason == (
        "the condition is read on any day of the quarter, but only one figure is given "
        "($25,000,000, read as the quarter's only day): not < $20,000,000: test does not apply; "
        "a daily ledger would give the any-day reading"
    )


def test_no_reading_springs_stricter():
    sp = springing_applies(AMENDED, Q2, None)
    assert sp == Springing(
        True, "liquidity not provided: tested as if liquidity < $20,000,000 (stricter)", None
    )


def _daily(first="2008-04-01", last="2008-06-30", level=D("25000000")) -> pd.Series:
    days = pd.date_range(first, last, freq="D")
    return pd.Series([level] * len(days), index=days, dtype=object)


def test_any_day_reading_finds_the_low_day():
    s = _daily()
    s[pd.Timestamp("2008-05-12")] = D("19999999.99")
    sp = springing_applies(AMENDED, Q2, s)
    assert sp.applies is True and sp.observed == D("19999999.99")
    assert sp.reason == (
        "any-day reading (daily ledger): liquidity < $20,000,000 on 1 day(s), first 2008-05-12; "
        "minimum $19,999,999.99 on 2008-05-12: test applies"
    )
    lax = springing_applies(AMENDED, Q2, s, "quarter_end")
    assert lax.applies is False and lax.observed == D("25000000")
    assert lax.reason.startswith(
        "quarter-end reading (daily ledger): liquidity $25,000,000 on 2008-06-30 not < $20,000,000"
    )


def test_full_coverage_above_trigger_does_not_apply():
    sp = springing_applies(AMENDED, Q2, _daily())
    assert sp.applies is False
    assert sp.reason == (
        "any-day reading (daily ledger): liquidity never < $20,000,000; minimum $25,000,000 on "
        "2008-04-01: test does not apply"
    )


def test_partial_coverage_is_never_the_lenient_answer():
    sp = springing_applies(AMENDED, Q2, _daily(first="2008-05-01"))  # 61 of 91 days
    assert sp.applies is True
    assert "ledger covers 61 of 91 days" in sp.reason
    assert (
        "days not covered (2008-04-01 to 2008-04-30) treated as < $20,000,000 (stricter"
        in sp.reason
    )


def test_gaps_inside_the_quarter_are_listed():
    s = _daily().drop([pd.Timestamp("2008-05-01"), pd.Timestamp("2008-05-02")])
    s = s.drop(pd.Timestamp("2008-06-10"))
    sp = springing_applies(AMENDED, Q2, s)
    assert sp.applies is True
    assert "days not covered (2008-05-01 to 2008-05-02, 2008-06-10)" in sp.reason
    assert "ledger covers 88 of 91 days" in sp.reason


def test_partial_coverage_with_a_low_day_says_how_much_was_covered():
    s = _daily(first="2008-05-01")
    s[pd.Timestamp("2008-06-01")] = D("1")
    sp = springing_applies(AMENDED, Q2, s)
    assert sp.applies is True
    assert sp.reason.endswith("test applies; ledger covers 61 of 91 days")


def test_days_outside_the_quarter_are_ignored():
    s = _daily()
    s[pd.Timestamp("2008-07-01")] = D("1")  # next quarter
    s[pd.Timestamp("2008-03-31")] = D("1")  # previous quarter
    assert springing_applies(AMENDED, Q2, s.sort_index()).applies is False


def test_ledger_dataframe_uses_its_metric_column():
    ledger = pd.DataFrame({"liquidity": _daily(), "cash": 0})
    assert springing_applies(AMENDED, Q2, ledger).applies is False
    with pytest.raises(InputError, match="a daily ledger DataFrame must have a 'liquidity' column"):
        springing_applies(AMENDED, Q2, pd.DataFrame({"cash": _daily()}))


def test_numpy_floats_read_as_amounts():
    """The facility ledger holds numpy floats; numpy 2 reprs them as 'np.float64(...)'."""
    daily = pd.Series(np.full(91, 19_000_000.0), index=pd.date_range("2008-04-01", "2008-06-30"))
    sp = springing_applies(AMENDED, Q2, daily)
    assert "minimum $19,000,000 on 2008-04-01: test applies" in sp.reason
    assert sp.observed == D("19000000")


def test_daily_series_with_no_day_in_the_quarter():
    with pytest.raises(
        InputError,
        match=r"^liquidity: the daily liquidity has no observation in the quarter 2008-01-01 to 2008-03-31$",
    ):
        springing_applies(AMENDED, dt.date(2008, 3, 31), _daily())


def test_quarter_end_reading_refuses_a_ledger_ending_early():
    with pytest.raises(
        InputError,
        match=r"quarter-end reading for 2008-06-30: the daily ledger ends on 2008-06-15, before "
        r"the quarter end",
    ):
        springing_applies(AMENDED, Q2, _daily(last="2008-06-15"), "quarter_end")


@pytest.mark.parametrize(
    "value, match",
    [
        (-1, r"^liquidity: must not be negative \(got -1\)$"),
        ("abc", r"^liquidity: not an amount: 'abc'$"),
        (float("nan"), r"^liquidity: not a finite amount: nan$"),
        (True, r"^liquidity: a yes/no value is not an amount: True$"),
        (D("1.001"), r"^liquidity: an amount of money has at most two decimals"),
    ],
)
def test_bad_single_figure(value, match):
    with pytest.raises(InputError, match=match):
        springing_applies(AMENDED, Q2, value)


def test_negative_day_in_a_daily_series_is_refused_naming_the_day():
    s = _daily()
    s[pd.Timestamp("2008-05-12")] = D("-1")
    with pytest.raises(InputError, match=r"^liquidity on 2008-05-12: must not be negative"):
        springing_applies(AMENDED, Q2, s)


def test_unknown_reading():
    with pytest.raises(
        InputError,
        match=r"^springing_reading: unknown value 'average'; valid: 'any_day', 'quarter_end'",
    ):
        springing_applies(AMENDED, Q2, 1, "average")


def test_not_a_quarter_end():
    with pytest.raises(InputError, match="2008-06-29 is not a fiscal quarter end"):
        springing_applies(AMENDED, dt.date(2008, 6, 29), 1)


def test_negative_springing_amount_rejected_in_code():
    with pytest.raises(ValueError, match="must not be negative"):
        Condition(metric="liquidity", comparison="<", amount=D("-1"), source="s")


# --- one quarter_start ----------------------------------------------------------------------
def test_quarter_start_is_the_shared_one():
    assert springing_module.quarter_start is periods.quarter_start
    with pytest.raises(InputError, match="not a fiscal quarter end"):
        springing_module.quarter_start(dt.date(2008, 5, 31))


# --- review 4, finding 4: the dates of a daily series are read strictly ------------------


def test_a_daily_series_is_read_by_read_date_not_guessed():
    # "01/07/2008" would be July 1 or January 7: refused, named by position
    s = pd.Series([25e6, 25e6], index=["2008-06-29", "01/07/2008"])
    with pytest.raises(
        InputError,
        match=r"^liquidity\.index\[1\]: '01/07/2008' is not an ISO date .* refused as ambiguous$",
    ):
        springing_applies(AMENDED, Q2, s)
    # a time of day is refused, not dropped
    timed = pd.Series([25e6, 1e6], index=pd.DatetimeIndex(["2008-06-29", "2008-06-30 17:00"]))
    with pytest.raises(InputError, match=r"^liquidity\.index\[1\]: 2008-06-30 17:00:00 has a time"):
        springing_applies(AMENDED, Q2, timed)


def test_iso_text_dates_and_midnight_timestamps_read_alike():
    days = pd.date_range("2008-04-01", "2008-06-30")
    values = [25e6] * len(days)
    values[40] = 19e6  # 2008-05-11
    as_ts = springing_applies(AMENDED, Q2, pd.Series(values, index=days))
    as_text = springing_applies(
        AMENDED, Q2, pd.Series(values, index=[d.date().isoformat() for d in days])
    )
    as_dates = springing_applies(AMENDED, Q2, pd.Series(values, index=[d.date() for d in days]))
    assert as_ts == as_text == as_dates
    assert as_ts.applies and as_ts.observed == D("19000000")
    assert "first 2008-05-11" in as_ts.reason
    # a midnight DatetimeIndex is taken as it is (no per-day conversion)
    series = springing_module.daily_series(pd.Series(values, index=days))
    assert series is not None and series.index.equals(days)
