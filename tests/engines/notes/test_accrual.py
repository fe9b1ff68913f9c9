"""Notes accrual engine (model/engines/notes/accrual.py): golden values from the documents,
schedules, expense, events, conversions, properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.dates import DayCount
from model.dates.schedule import add_months
from model.engines.notes.accrual import FixedRateNote, accrued_interest, convert
from model.terms import load
from model.terms.notes import NoteFile

EIGHT = "params/deals/ibasis/instruments/8pct-secured-convertible-2007.yaml"
FIVE_75 = "params/deals/ibasis/instruments/5.75pct-convertible-subordinated-2005.yaml"


def make_note(
    principal,
    coupon_rate,
    issue_date,
    maturity,
    frequency,
    coupon_dates,
    day_count,
    *,
    events=(),
    name="note",
    end_of_month=False,
) -> FixedRateNote:
    """A note from terms given in code (the engine reads only terms): each term an assumption,
    paid on the New York banking calendar, following; events as (date, amount, type)."""

    def term(value):
        return {"value": value, "assumption": "test input"}

    terms = {
        "principal": term(principal),
        "coupon_rate": term(coupon_rate),
        "issue_date": term(issue_date),
        "maturity": term(maturity),
        "frequency": term(frequency),
        "coupon_dates": term(list(coupon_dates)),
        "day_count": term(day_count),
        "payment_roll": term("following"),
        "calendar": term("USNY"),
    }
    if end_of_month:
        terms["end_of_month"] = term(True)
    file = {
        "kind": "fixed_rate_note",
        "id": name,
        "name": name,
        "issuer": "test issuer",
        "terms": terms,
        "events": [
            {"date": d, "type": kind, "amount": amount, "source": "test input"}
            for d, amount, kind in events
        ],
    }
    return FixedRateNote(NoteFile.model_validate(file))


# -- golden values, each with its source -----------------------------------------------

GOLDEN_ACCRUED = [
    # principal, rate, start, as_of, convention, expected, source
    (
        30_200_000,
        "0.0575",
        "2002-09-15",
        "2003-01-30",
        "30/360 US",
        "651187.50",
        "Letter agreement 2003-02-05 (Exhibit 99.2): accrued unpaid interest $651,187.50",
    ),
    (
        29_000_000,
        "0.08",
        "2004-06-18",
        "2004-12-18",
        "30/360 US",
        "1160000.00",
        "NPA: $29,000,000 at 8%, one semi-annual coupon (coupon dates an assumption)",
    ),
    (
        30_200_000,
        "0.0575",
        "2002-09-15",
        "2003-03-15",
        "30/360 US",
        "868250.00",
        "full 5 3/4% coupon on the Symphony holding: 30,200,000 x 5.75% / 2",
    ),
]


@pytest.mark.parametrize("principal,rate,start,as_of,conv,expected,source", GOLDEN_ACCRUED)
def test_accrued_interest_golden(principal, rate, start, as_of, conv, expected, source) -> None:
    assert accrued_interest(principal, rate, start, as_of, conv) == Decimal(expected), source


def test_symphony_exchange_from_params() -> None:
    """The exchange file, its note file and the engine reproduce the letter's $651,187.50."""
    ex = load("params/deals/ibasis/instruments/symphony-exchange-2003.yaml")
    settled = FixedRateNote(ex.note).settlements()
    assert list(settled["accrued_interest"]) == [Decimal("651187.50")]
    assert settled["accrued_from"].iloc[0] == dt.date(2002, 9, 15)
    assert ex.terms.accrued_interest_paid.value == Decimal("651187.50")
    assert ex.terms.consideration.principal.value == Decimal("15100000")


def test_eight_pct_coupon_schedule() -> None:
    note = FixedRateNote(load(EIGHT))
    s = note.coupon_schedule()
    assert len(s) == 6
    assert list(s["period_end"]) == [
        dt.date(2004, 12, 18),
        dt.date(2005, 6, 18),
        dt.date(2005, 12, 18),
        dt.date(2006, 6, 18),
        dt.date(2006, 12, 18),
        dt.date(2007, 6, 18),
    ]
    # 2004-12-18 Sat, 2005-06-18 Sat, 2005-12-18 Sun, 2006-06-18 Sun: paid the next NY banking day
    assert list(s["payment_date"]) == [
        dt.date(2004, 12, 20),
        dt.date(2005, 6, 20),
        dt.date(2005, 12, 19),
        dt.date(2006, 6, 19),
        dt.date(2006, 12, 18),
        dt.date(2007, 6, 18),
    ]
    assert set(s["days"]) == {180}
    # the 2005 conversion of $8,000,000 (reference/public-facts.md; on the 2005-06-18 coupon date,
    # an assumption): the coupons are 29,000,000 x 4% = 1,160,000, then 21,000,000 x 4% = 840,000;
    # the converted notes' interest for their last period, 8,000,000 x 4% = 320,000, is settled
    # at the conversion
    assert list(s["coupon"]) == [Decimal("1160000.00")] + [Decimal("840000.00")] * 5
    assert list(s["accrued_settled_on_events"]) == [0, Decimal("320000.00"), 0, 0, 0, 0]
    assert note.outstanding("2005-06-17") == Decimal("29000000") and note.outstanding(
        "2005-06-18"
    ) == Decimal("21000000")
    c = note.conversions().iloc[0]
    assert (c["date"], c["principal"], c["shares"]) == (
        dt.date(2005, 6, 18),
        Decimal("8000000"),
        4_324_324,
    )


def test_eight_pct_quarterly_expense() -> None:
    """2004-Q2 holds 13 days (Jun 18 to Jul 1, 30/360): 29,000,000 x 8% x 13/360 = 83,777.78;
    full quarters hold 90 days = 580,000.00 until the 2005 conversion of $8,000,000 (on
    2005-06-18, an assumed date): 2005-Q2 = 29,000,000 x 8% x 77/360 (Apr 1 - Jun 18)
    = 496,222.22 + 21,000,000 x 8% x 13/360 = 60,666.67, so 556,888.89; then 420,000.00 a
    quarter; 2007-Q2 ends at maturity: 21,000,000 x 8% x 77/360 = 359,333.33. The total,
    83,777.78 + 3 x 580,000 + 556,888.89 + 7 x 420,000 + 359,333.33 = 5,680,000.00, is the six
    coupons (5,360,000) and the 320,000 settled at the conversion."""
    note = FixedRateNote(load(EIGHT))
    q = note.interest_expense("2004-04-01", "2007-06-30")
    assert q["period"].iloc[0] == "2004Q2" and q["period"].iloc[-1] == "2007Q2"
    assert len(q) == 13
    assert q["interest_expense"].iloc[0] == Decimal("83777.78")
    assert q["interest_expense"].iloc[1] == Decimal("580000.00")
    assert q["interest_expense"].iloc[4] == Decimal("556888.89")  # 2005-Q2, the conversion
    assert q["interest_expense"].iloc[5] == Decimal("420000.00")
    assert q["interest_expense"].iloc[-1] == Decimal("359333.33")  # Apr 1 - Jun 18 2007: 77 days
    assert sum(q["interest_expense"]) == Decimal("5680000.00")


def test_partial_exchange_settles_accrued_and_reduces_coupon() -> None:
    note = make_note(
        principal=Decimal(10_000_000),
        coupon_rate=Decimal("0.06"),
        issue_date=dt.date(2020, 1, 15),
        maturity=dt.date(2022, 1, 15),
        frequency=2,
        coupon_dates=("01-15", "07-15"),
        day_count=DayCount.THIRTY_360_US,
        events=((dt.date(2020, 4, 15), Decimal(4_000_000), "exchange"),),
    )
    s = note.coupon_schedule()
    # 4,000,000 x 6% x 90/360 = 60,000.00 settled on 2020-04-15; coupon on 6,000,000 = 180,000.00
    assert s["accrued_settled_on_events"].iloc[0] == Decimal("60000.00")
    assert s["coupon"].iloc[0] == Decimal("180000.00")
    assert s["coupon"].iloc[1] == Decimal("180000.00")
    assert note.outstanding("2020-04-14") == Decimal(10_000_000)
    assert note.outstanding("2020-04-15") == Decimal(6_000_000)
    assert note.accrued_interest("2020-05-15") == Decimal("120000.00")  # 6,000,000 x 6% x 120/360
    q = note.interest_expense("2020-01-01", "2020-06-30")
    # Q1 (Jan 15 to Apr 1, 30/360 = 76 days): 10,000,000 x 6% x 76/360 = 126,666.67;
    # to Jul 1 (166 days): 60,000 settled + 6,000,000 x 6% x 166/360 = 226,000.00, less Q1 = 99,333.33
    assert list(q["interest_expense"]) == [Decimal("126666.67"), Decimal("99333.33")]
    assert note.settlements()["accrued_interest"].iloc[0] == Decimal("60000.00")


def test_conversion_golden() -> None:
    """public-facts.md: a 2005 conversion of $8.0 million of the 8% notes into 4,324,324 shares."""
    c = convert(8_000_000, "1.85")
    assert (c.shares, c.cash_in_lieu) == (4_324_324, Decimal("0.60"))
    whole = FixedRateNote(load(EIGHT)).conversion_shares()
    assert whole.shares == 15_675_675  # 29,000,000 / 1.85 = 15,675,675.68
    assert whole.fractional_share == Decimal("0.675676")
    assert whole.cash_in_lieu == Decimal("1.25")
    assert whole.shares * Decimal("1.85") + whole.cash_in_lieu == Decimal(29_000_000)


def test_conversion_needs_a_price() -> None:
    note = make_note(
        Decimal(100),
        Decimal("0.05"),
        dt.date(2020, 1, 1),
        dt.date(2021, 1, 1),
        1,
        ("01-01",),
        DayCount.ACT_360,
        name="plain",
    )
    with pytest.raises(ValueError, match="plain has no conversion price"):
        note.conversion_shares()


@pytest.mark.parametrize(
    "args,match",
    [
        ((100, 8, "2020-01-01", "2020-02-01", "ACT/360"), "decimal fraction"),
        ((-1, 0.08, "2020-01-01", "2020-02-01", "ACT/360"), "must not be negative"),
        ((100, 0.08, "2020-02-01", "2020-01-01", "ACT/360"), "before the period start"),
        ((100, 0.08, "2020-01-01", "2020-02-01", "ACT/364"), "unknown day count convention"),
        ((100, 0.08, "2020-01-01", "1 Feb 2020", "ACT/360"), "as_of: not an ISO date"),
    ],
)
def test_accrued_interest_bad_input(args, match) -> None:
    with pytest.raises(ValueError, match=match):
        accrued_interest(*args)


# -- properties ------------------------------------------------------------------------

CONVENTIONS = [
    DayCount.THIRTY_360_US,
    DayCount.THIRTY_360_BOND,
    DayCount.THIRTY_E_360,
    DayCount.ACT_360,
    DayCount.ACT_365F,
    DayCount.ACT_ACT_ISDA,
    DayCount.ACT_ACT_ICMA,
]


@st.composite
def notes(draw, quarter_aligned: bool = False) -> FixedRateNote:
    freq = draw(st.sampled_from([1, 2, 4]))
    step = 12 // freq
    if quarter_aligned:
        month0, day = draw(st.sampled_from([1, 4, 7, 10])), 1
    else:
        month0, day = draw(st.integers(1, 12)), draw(st.integers(1, 28))
    months = sorted({(month0 - 1 + k * step) % 12 + 1 for k in range(freq)})
    year = draw(st.integers(1995, 2040))
    n_periods = draw(st.integers(1, 10))
    mat_month = months[-1]
    maturity = dt.date(year + (n_periods * step) // 12 + 1, mat_month, day)
    issue = maturity
    for _ in range(n_periods):
        m = issue.month - step
        issue = dt.date(issue.year + (m - 1) // 12, (m - 1) % 12 + 1, day)
    principal = Decimal(draw(st.integers(1, 10_000_000)) * 1000)
    rate = Decimal(draw(st.integers(1, 1500))) / Decimal(10000)
    return make_note(
        principal,
        rate,
        issue,
        maturity,
        freq,
        tuple(f"{m:02d}-{day:02d}" for m in months),
        draw(st.sampled_from(CONVENTIONS)),
    )


@settings(max_examples=60, deadline=None)
@given(notes(), st.data())
def test_accrued_zero_on_coupon_dates_and_never_above_a_coupon(note: FixedRateNote, data) -> None:
    s = note.coupon_schedule()
    for end in s["period_end"]:
        assert note.accrued_interest(end) == 0
    i = data.draw(st.integers(0, len(s) - 1))
    start, end = s["period_start"].iloc[i], s["period_end"].iloc[i]
    offset = data.draw(st.integers(0, (end - start).days - 1))
    assert 0 <= note.accrued_interest(start + dt.timedelta(days=offset)) <= s["coupon"].iloc[i]


@settings(max_examples=40, deadline=None)
@given(notes(quarter_aligned=True))
def test_quarterly_expense_over_a_coupon_period_equals_the_coupon(note: FixedRateNote) -> None:
    s = note.coupon_schedule()
    for _, row in s.iterrows():
        q = note.interest_expense(row["period_start"], row["period_end"] - dt.timedelta(days=1))
        assert sum(q["interest_expense"]) == row["coupon"]


@settings(max_examples=40, deadline=None)
@given(notes())
def test_expense_over_the_life_equals_all_coupons(note: FixedRateNote) -> None:
    t = note.terms.terms
    q = note.interest_expense(t.issue_date.value, t.maturity.value)
    assert sum(q["interest_expense"]) == sum(note.coupon_schedule()["coupon"])


def test_icma_short_first_stub_uses_the_notional_regular_period() -> None:
    """ISDA 1999 Actual/Actual paper, short first period: bond issued 1999-02-01, first coupon
    1999-07-01, annual: ICMA fraction 150/365 (reference period 1998-07-01 to 1999-07-01)."""
    note = make_note(
        principal=Decimal(10_000_000),
        coupon_rate=Decimal("0.05"),
        issue_date=dt.date(1999, 2, 1),
        maturity=dt.date(2002, 7, 1),
        frequency=1,
        coupon_dates=("07-01",),
        day_count=DayCount.ACT_ACT_ICMA,
    )
    s = note.coupon_schedule()
    assert s["period_start"].iloc[0] == dt.date(1999, 2, 1)
    # 10,000,000 x 5% x 150/365 = 205,479.452... -> 205,479.45
    assert s["coupon"].iloc[0] == Decimal("205479.45")
    assert s["coupon"].iloc[1] == Decimal("500000.00")


def test_icma_month_end_coupons_are_regular_without_the_eom_flag() -> None:
    """ICMA Rule 251: every regular period accrues exactly 1/frequency. Coupons on Aug 31 and the
    last day of February (maturity 2010-08-31, semi-annual): 1,000,000 x 6% / 2 = 30,000.00 each,
    also for 2008-08-31 to 2009-02-28 (181 days) and 2009-02-28 to 2009-08-31 (184 days)."""
    note = make_note(
        principal=Decimal(1_000_000),
        coupon_rate=Decimal("0.06"),
        issue_date=dt.date(2008, 8, 31),
        maturity=dt.date(2010, 8, 31),
        frequency=2,
        coupon_dates=("02-28", "08-31"),
        day_count=DayCount.ACT_ACT_ICMA,
    )
    s = note.coupon_schedule()
    assert list(s["period_end"]) == [
        dt.date(2009, 2, 28),
        dt.date(2009, 8, 31),
        dt.date(2010, 2, 28),
        dt.date(2010, 8, 31),
    ]
    assert set(s["coupon"]) == {Decimal("30000.00")}
    # accrued halfway: 2008-08-31 to 2008-11-30 is 91 of 181 days: 30,000 x 91/181 = 15,082.87
    assert note.accrued_interest("2008-11-30") == Decimal("15082.87")


@pytest.mark.parametrize(
    "args,match",
    [
        (("30,200,000", "0.0575", "2002-09-15", "2003-01-30", "30/360 US"), None),
        (
            ("30,200,00", "0.0575", "2002-09-15", "2003-01-30", "30/360 US"),
            "principal: not an amount",
        ),
        (
            (30_200_000, "5.75%", "2002-09-15", "2003-01-30", "30/360 US"),
            "annual_rate: not an amount",
        ),
        (
            (True, 0.0575, "2002-09-15", "2003-01-30", "30/360 US"),
            "principal: a yes/no value is not an amount",
        ),
        ((None, 0.0575, "2002-09-15", "2003-01-30", "30/360 US"), "principal: missing amount"),
        (
            (float("inf"), 0.0575, "2002-09-15", "2003-01-30", "30/360 US"),
            "principal: not a finite",
        ),
    ],
)
def test_accrued_interest_inputs_are_parsed_strictly(args, match) -> None:
    if match is None:
        assert accrued_interest(*args) == Decimal("651187.50")
    else:
        with pytest.raises(ValueError, match=match):
            accrued_interest(*args)


def test_cash_in_lieu_at_a_given_price_even_zero() -> None:
    c = convert(8_000_000, "1.85", cash_price_per_share=0)
    assert (c.cash_in_lieu, c.cash_price_per_share) == (Decimal("0.00"), Decimal("0"))
    assert convert(8_000_000, "1.85", cash_price_per_share="2.10").cash_in_lieu == Decimal("0.68")


@st.composite
def month_end_or_stub_notes(draw) -> FixedRateNote:
    """Notes paying on month ends (end-of-month rule) or with a short first period."""
    freq = draw(st.sampled_from([1, 2, 4, 12]))
    step = 12 // freq
    year, month = draw(st.integers(2000, 2040)), draw(st.integers(1, 12))
    month_end = draw(st.booleans())
    if month_end:
        nxt = dt.date(year + month // 12, month % 12 + 1, 1)
        maturity = nxt - dt.timedelta(days=1)
    else:
        maturity = dt.date(year, month, draw(st.integers(1, 28)))
    n = draw(st.integers(1, 8))
    first_regular = add_months(maturity, -n * step, month_end)
    stub_days = draw(st.integers(0, 27))
    issue = first_regular - dt.timedelta(days=stub_days)
    months = sorted({(maturity.month - 1 + k * step) % 12 + 1 for k in range(freq)})
    days = {
        m: (maturity.day if not month_end else 28 if m == 2 else 30 if m in (4, 6, 9, 11) else 31)
        for m in months
    }
    conv = draw(
        st.sampled_from(
            [
                DayCount.ACT_360,
                DayCount.ACT_365F,
                DayCount.ACT_ACT_ISDA,
                DayCount.ACT_ACT_ICMA,
                DayCount.THIRTY_360_US,
                DayCount.THIRTY_E_360_ISDA,
            ]
        )
    )
    return make_note(
        Decimal(draw(st.integers(1, 10_000)) * 1000),
        Decimal(draw(st.integers(1, 1500))) / 10000,
        issue,
        maturity,
        freq,
        tuple(f"{m:02d}-{days[m]:02d}" for m in months),
        conv,
        end_of_month=month_end,
    )


@settings(max_examples=60, deadline=None)
@given(month_end_or_stub_notes())
def test_month_end_and_stub_notes(note: FixedRateNote) -> None:
    t = note.terms.terms
    s = note.coupon_schedule()
    assert (
        s["period_start"].iloc[0] == t.issue_date.value
        and s["period_end"].iloc[-1] == t.maturity.value
    )
    q = note.interest_expense(t.issue_date.value, t.maturity.value)
    assert sum(q["interest_expense"]) == sum(s["coupon"])
    for _, row in s.iterrows():
        assert (
            note.accrued_interest(row["period_end"]) == 0 or row["period_end"] == t.maturity.value
        )
    if t.day_count.value is DayCount.ACT_ACT_ICMA:  # Rule 251: regular periods accrue exactly 1/F
        regular = s.iloc[1:] if len(s) > 1 else s
        expected = t.principal.value * t.coupon_rate.value / t.frequency.value
        assert all(abs(c - expected) <= Decimal("0.005") for c in regular["coupon"])


@settings(max_examples=40, deadline=None)
@given(month_end_or_stub_notes())
def test_quarterly_expense_matches_an_independent_actual_day_count(note: FixedRateNote) -> None:
    """For ACT/360 and ACT/365F, each quarter's expense is principal x rate x (days of the quarter
    inside each coupon period) / basis, computed here without the engine, to within a cent per
    coupon period the quarter touches (each coupon and each accrual is rounded once)."""
    t = note.terms.terms
    if t.day_count.value not in (DayCount.ACT_360, DayCount.ACT_365F):
        return
    basis = 360 if t.day_count.value is DayCount.ACT_360 else 365
    periods = list(
        zip(
            note.coupon_schedule()["period_start"],
            note.coupon_schedule()["period_end"],
            strict=True,
        )
    )
    q = note.interest_expense(t.issue_date.value, t.maturity.value)
    for _, row in q.iterrows():
        lo, hi = (
            max(row["start"], t.issue_date.value),
            min(row["end"] + dt.timedelta(days=1), t.maturity.value),
        )
        touched = [(a, b) for a, b in periods if a < hi and b > lo]
        days = sum(((min(b, hi) - max(a, lo)).days for a, b in touched), 0)
        exact = t.principal.value * t.coupon_rate.value * days / basis
        assert abs(row["interest_expense"] - exact) <= Decimal("0.01") * (len(touched) + 1)
