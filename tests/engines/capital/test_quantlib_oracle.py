"""Floating-rate coupons against QuantLib (the oracle for day counts, schedules and
coupons): SOFR compounded in arrears with a lookback or an observation shift against
``OvernightIndexedCoupon``, Term SOFR with a floor against ``IborCoupon`` and
``CappedFlooredIborCoupon``, on random rate paths: to 1e-10 of a rate and to the cent of
money; and a term loan projected by the engine, period by period, against the same
coupons."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import QuantLib as ql
from hypothesis import given, settings
from hypothesis import strategies as st

from model.dates import new_york_banking_calendar
from model.engines.capital import project_capital
from model.engines.capital.rates import compounded_rate, index_part
from tests.engines.capital.test_capital_engine import A, write

CAL = new_york_banking_calendar()
FIRST, LAST = dt.date(2023, 10, 1), dt.date(2026, 6, 30)


def to_cent(x: float) -> int:
    """Whole cents, half up, after snapping to 1/10,000 of a cent (the engine's rounding)."""
    return int(np.floor(round(x * 100, 4) + 0.5))


def qd(d: dt.date) -> ql.Date:
    return ql.Date(d.day, d.month, d.year)


def calendar() -> ql.Calendar:
    """Our New York banking calendar as a QuantLib calendar (the same closures)."""
    c = ql.BespokeCalendar("USNY-model")
    c.addWeekend(ql.Saturday)
    c.addWeekend(ql.Sunday)
    for h in CAL.holidays_between(FIRST - dt.timedelta(days=60), LAST + dt.timedelta(days=60)):
        c.addHoliday(qd(h))
    return c


QCAL = calendar()


def random_path(seed: int) -> pd.DataFrame:
    """A random daily rate on every business day, in millionths (fixings are published so)."""
    rng = np.random.default_rng(seed)
    days = [FIRST + dt.timedelta(days=i) for i in range((LAST - FIRST).days)]
    days = [d for d in days if CAL.is_business_day(d)]
    level = 0.005 + 0.05 * rng.random()
    rates = np.round(np.clip(level + np.cumsum(rng.normal(0, 0.0008, len(days))), 0, 0.12), 6)
    return pd.DataFrame({"date": pd.to_datetime(days), "rate": rates})


def ql_index(path: pd.DataFrame, overnight: bool) -> Any:
    ql.IndexManager.instance().clearHistories()
    if overnight:
        idx = ql.OvernightIndex("SOFR-test", 0, ql.USDCurrency(), QCAL, ql.Actual360())
    else:
        idx = ql.IborIndex(
            "TSFR3M-test",
            ql.Period("3M"),
            2,
            ql.USDCurrency(),
            QCAL,
            ql.ModifiedFollowing,
            False,
            ql.Actual360(),
        )
    for d, r in zip(path["date"], path["rate"], strict=True):
        day = d.date()
        if QCAL.isBusinessDay(qd(day)):
            idx.addFixing(qd(day), float(r))
    return idx


ql.Settings.instance().evaluationDate = qd(LAST + dt.timedelta(days=30))

periods = st.tuples(
    st.integers(0, 700),
    st.sampled_from([28, 30, 31, 59, 91, 92, 182]),
)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    period=periods,
    lookback=st.sampled_from([0, 2, 5]),
    shift=st.booleans(),
    scenario_shift=st.sampled_from([0.0, 0.0125, -0.004]),
    floor=st.sampled_from([None, 0.0, 0.005, 0.03]),
    csa=st.sampled_from([0.0, 0.001, 0.0026161]),
    margin=st.sampled_from([0.0275, 0.045]),
    notional=st.sampled_from([1_000_000.00, 365_000_000.00, 12_345_678.91]),
)
def test_sofr_compounded_in_arrears_matches_quantlib(
    seed: int,
    period: tuple[int, int],
    lookback: int,
    shift: bool,
    scenario_shift: float,
    floor: float | None,
    csa: float,
    margin: float,
    notional: float,
) -> None:
    path = random_path(seed)
    start = dt.date(2024, 1, 1) + dt.timedelta(days=period[0])
    end = start + dt.timedelta(days=period[1])
    shifted = path.assign(rate=path["rate"] + scenario_shift)
    idx = ql_index(shifted, overnight=True)
    coupon = ql.OvernightIndexedCoupon(
        qd(end),
        notional,
        qd(start),
        qd(end),
        idx,
        1.0,
        0.0,
        ql.Date(),
        ql.Date(),
        ql.Actual360(),
        False,
        ql.RateAveraging.Compound,
        lookback,
        0,
        shift and lookback > 0,
    )
    ours, _ = compounded_rate(
        path, start, end, CAL, lookback, shift and lookback > 0, np.array([scenario_shift])
    )
    assert abs(ours[0] - coupon.rate()) < 1e-10
    # the coupon: (max(compounded + adjustment, floor) + margin) x days / 360, to the cent
    days = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D"), dtype="datetime64[D]")
    part = index_part(
        index="sofr_compounded",
        path=path,
        days=days,
        periods=[(start, end)],
        shift=np.array([scenario_shift]),
        calendar=CAL,
        spread_adjustment=csa,
        floor=floor,
        lookback=lookback,
        observation_shift=shift and lookback > 0,
    )
    ql_rate = max(coupon.rate() + csa, floor if floor is not None else -1.0) + margin
    expected = to_cent(notional * ql_rate * (end - start).days / 360)
    got = to_cent(notional * float(np.sum(part[0] + margin)) / 360)
    assert got == expected


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    start_offset=st.integers(0, 700),
    scenario_shift=st.sampled_from([0.0, -0.02, 0.01]),
    floor=st.sampled_from([0.0, 0.0075, 0.01, 0.04]),
    margin=st.sampled_from([0.035, 0.045]),
    notional=st.sampled_from([365_000_000.00, 2_500_000.00]),
)
def test_term_sofr_with_a_floor_matches_quantlib_floored_coupons(
    seed: int,
    start_offset: int,
    scenario_shift: float,
    floor: float,
    margin: float,
    notional: float,
) -> None:
    path = random_path(seed)
    start = dt.date(2024, 1, 31) + dt.timedelta(days=start_offset)
    end = start + dt.timedelta(days=91)
    idx = ql_index(path.assign(rate=path["rate"] + scenario_shift), overnight=False)
    coupon = ql.IborCoupon(qd(end), notional, qd(start), qd(end), 2, idx, 1.0, 0.0)
    floored = ql.CappedFlooredIborCoupon(
        qd(end), notional, qd(start), qd(end), 2, idx, 1.0, 0.0, ql.nullDouble(), floor
    )
    vol = ql.OptionletVolatilityStructureHandle(
        ql.ConstantOptionletVolatility(0, QCAL, ql.Following, 0.0, ql.Actual365Fixed())
    )
    pricer = ql.BlackIborCouponPricer(vol)
    floored.setPricer(pricer)
    coupon.setPricer(pricer)
    days = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D"), dtype="datetime64[D]")
    part = index_part(
        index="term_sofr",
        path=path,
        days=days,
        periods=[(start, end)],
        shift=np.array([scenario_shift]),
        calendar=CAL,
        floor=floor,
        fixing_days=2,
    )
    assert abs(part[0, 0] - max(coupon.indexFixing(), floor)) < 1e-12
    assert abs(part[0, 0] - floored.rate()) < 1e-10
    expected = to_cent(floored.amount() + notional * margin * (end - start).days / 360)
    got = to_cent(notional * float(np.sum(part[0] + margin)) / 360)
    assert got == expected


@pytest.mark.parametrize("index", ["sofr_compounded", "term_sofr"])
def test_a_projected_term_loan_pays_quantlibs_coupons_to_the_cent(
    tmp_path: Path, index: str
) -> None:
    """A bullet term loan on a 0.50% floor with a 0.10% adjustment, projected by the engine:
    each quarter's interest equals QuantLib's coupon for the period, to the cent."""
    path = random_path(7)
    folder = tmp_path / "deal"
    rate: dict[str, Any] = {
        "index": A(index),
        "day_count": A("ACT/360"),
        "floor": A("0.005"),
        "spread_adjustment": A("0.001"),
        "margin": A("0.0325"),
    }
    if index == "sofr_compounded":
        rate |= {"lookback_days": A(5), "observation_shift": A(True)}
    structure = {
        "kind": "capital_structure",
        "name": "t",
        "borrower": "B",
        "agreement": {"title": "CA", "date": A("2023-12-31")},
        "compliance_file": "compliance.yaml",
        "instruments": [
            {
                "id": "tl",
                "kind": "term_loan",
                "title": "TL",
                "seniority": A("senior_secured"),
                "principal": A(50_000_000),
                "funded": A("2023-12-31"),
                "maturity": A("2030-12-31"),
                "interest_months": A(3),
                "rate": rate,
            }
        ],
        "cash_policy": {
            "order": A(
                [
                    "interest",
                    "scheduled_amortization",
                    "maturities",
                    "mandatory_prepayments",
                    "revolver",
                    "minimum_cash",
                ]
            ),
            "minimum_cash": A(0),
        },
    }
    scenario = {
        "kind": "capital_scenario",
        "name": "s",
        "title": "t",
        "capital_structure": "structure.yaml",
        "opening": {
            "date": A("2023-12-31"),
            "cash": A(10_000_000),
            "balances": {"tl": A(50_000_000)},
        },
        "horizon_quarters": A(8),
        "rate_paths": {index: {"file": "path.csv", "assumption": "t"}},
        "policy": {"equity_cure": A("never")},
        "drivers": {
            k: [{"value": 1_000_000, "assumption": "t"}]
            for k in ("ebitda", "capex", "cash_taxes", "working_capital_change")
        },
    }
    folder.mkdir()
    (folder / "path.csv").write_text(path.assign(date=path["date"].dt.date).to_csv(index=False))
    sc = write(folder, structure, [scenario])[0]
    result = project_capital(sc)
    idx = ql_index(path, overnight=index == "sofr_compounded")
    vol = ql.OptionletVolatilityStructureHandle(
        ql.ConstantOptionletVolatility(0, QCAL, ql.Following, 0.0, ql.Actual365Fixed())
    )
    for j, q in enumerate(result.quarter_ends):
        start = dt.date(2023, 12, 31) if j == 0 else result.quarter_ends[j - 1]
        if index == "sofr_compounded":
            c = ql.OvernightIndexedCoupon(
                qd(q),
                50_000_000.0,
                qd(start),
                qd(q),
                idx,
                1.0,
                0.001,
                ql.Date(),
                ql.Date(),
                ql.Actual360(),
                False,
                ql.RateAveraging.Compound,
                5,
                0,
                True,
            )
            r = max(c.rate(), 0.005)
        else:
            f = ql.CappedFlooredIborCoupon(
                qd(q), 50_000_000.0, qd(start), qd(q), 2, idx, 1.0, 0.001, ql.nullDouble(), 0.005
            )
            f.setPricer(ql.BlackIborCouponPricer(vol))
            r = f.rate()
        expected = round(50_000_000 * (r + 0.0325) * (q - start).days / 360 + 1e-9, 2)
        assert result.interest["tl"][0, j] == pytest.approx(expected, abs=0.001), (
            q,
            result.interest["tl"][0, j],
            expected,
        )
