"""Tests for model.dates.daycount: golden values, QuantLib oracle, properties, error paths."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
import QuantLib as ql
from hypothesis import given, settings

from model.dates.daycount import DayCount, day_count, year_fraction, year_fraction_exact
from model.errors import InputError

try:  # tests/ is not a package: pytest puts tests/ (it holds conftest.py) on sys.path
    from strategies import date_pairs, ordered_triples
except ImportError:  # pragma: no cover - if tests/ becomes a package
    from tests.strategies import date_pairs, ordered_triples

ISDA_XLS = "ISDA, 30-360-2006ISDADefs.xls (2006 ISDA Definitions 4.16 examples)"
ISDA_1999 = "ISDA, 'The Actual/Actual Day Count Fraction' (1999)"

# --------------------------------------------------------------------------------------
# Golden values
# --------------------------------------------------------------------------------------
# (start, end, convention, expected days, source); fraction = days/360 for 30/360.
GOLDEN_30_360 = [
    ("2002-09-15", "2003-01-30", "30/360 US", 135, "Seed letter of 2003-02-05, 5 3/4% notes"),
    # SIFMA February end-of-month rules (OpenGamma guide, 30/360 US)
    ("2007-02-28", "2008-02-29", "30/360 US", 360, "SIFMA: D1, D2 last of Feb -> 30"),
    ("2008-02-29", "2009-02-28", "30/360 US", 360, "SIFMA: D1, D2 last of Feb -> 30"),
    ("2007-02-28", "2007-03-31", "30/360 US", 30, "SIFMA: D1 last of Feb -> 30, then D2 31->30"),
    ("2007-01-31", "2007-02-28", "30/360 US", 28, "SIFMA: D1 31->30, D2 kept (D1 not Feb)"),
    ("2007-01-15", "2007-03-31", "30/360 US", 76, "SIFMA: D2=31 kept when D1<30"),
    ("2007-02-27", "2007-02-28", "30/360 US", 1, "SIFMA: D2 end of Feb kept if D1 is not"),
    # ISDA 30-360 Bond Basis sheet (Sec. 4.16(f)), Examples 1-3
    ("2006-08-20", "2007-02-20", "30/360 BOND", 180, f"{ISDA_XLS}, Bond Basis Ex. 1"),
    ("2006-08-31", "2007-02-28", "30/360 BOND", 178, f"{ISDA_XLS}, Bond Basis Ex. 2"),
    ("2007-02-28", "2007-08-31", "30/360 BOND", 183, f"{ISDA_XLS}, Bond Basis Ex. 2"),
    ("2007-08-31", "2008-02-29", "30/360 BOND", 179, f"{ISDA_XLS}, Bond Basis Ex. 2"),
    ("2008-02-29", "2008-08-31", "30/360 BOND", 182, f"{ISDA_XLS}, Bond Basis Ex. 2"),
    ("2006-01-31", "2006-02-28", "30/360 BOND", 28, f"{ISDA_XLS}, Bond Basis Ex. 3"),
    ("2006-02-28", "2006-03-03", "30/360 BOND", 5, f"{ISDA_XLS}, Bond Basis Ex. 3"),
    ("2006-09-30", "2006-10-31", "30/360 BOND", 30, f"{ISDA_XLS}, Bond Basis Ex. 3"),
    ("2008-02-28", "2008-08-31", "30/360 BOND", 183, f"{ISDA_XLS}, Bond Basis Ex. 3"),
    ("2007-02-26", "2008-02-29", "30/360 BOND", 363, f"{ISDA_XLS}, Bond Basis Ex. 3"),
    ("2008-02-29", "2009-02-28", "30/360 BOND", 359, f"{ISDA_XLS}, Bond Basis Ex. 3"),
    ("2008-02-28", "2008-03-31", "30/360 BOND", 33, f"{ISDA_XLS}, Bond Basis Ex. 3"),
    # ISDA 30E-360 sheet (Sec. 4.16(g)), Examples 2-3
    ("2006-02-28", "2006-08-31", "30E/360", 182, f"{ISDA_XLS}, 30E/360 Ex. 2"),
    ("2008-02-29", "2008-08-31", "30E/360", 181, f"{ISDA_XLS}, 30E/360 Ex. 2"),
    ("2011-08-31", "2012-02-29", "30E/360", 179, f"{ISDA_XLS}, 30E/360 Ex. 2"),
    ("2006-01-30", "2006-02-28", "30E/360", 28, f"{ISDA_XLS}, 30E/360 Ex. 3"),
    ("2008-02-28", "2008-08-31", "30E/360", 182, f"{ISDA_XLS}, 30E/360 Ex. 3"),
    ("2008-02-28", "2008-03-31", "30E/360", 32, f"{ISDA_XLS}, 30E/360 Ex. 3"),
    ("1999-01-05", "2000-02-28", "30E/360", 413, "Excel basis 4 as reported by Wheeler (2008)"),
]

# 30E/360 ISDA (Sec. 4.16(h)): (start, end, maturity, days, source)
GOLDEN_30E_360_ISDA = [
    ("2006-02-28", "2006-08-31", "2012-02-29", 180, f"{ISDA_XLS}, 30E/360 ISDA Ex. 2"),
    ("2007-08-31", "2008-02-29", "2012-02-29", 180, f"{ISDA_XLS}, 30E/360 ISDA Ex. 2"),
    ("2011-08-31", "2012-02-29", "2012-02-29", 179, f"{ISDA_XLS}, Ex. 2: D2 is maturity"),
    ("2006-01-31", "2006-02-28", "2008-02-29", 30, f"{ISDA_XLS}, 30E/360 ISDA Ex. 3"),
    ("2006-02-28", "2006-03-03", "2008-02-29", 3, f"{ISDA_XLS}, 30E/360 ISDA Ex. 3"),
    ("2006-02-14", "2006-02-28", "2008-02-29", 16, f"{ISDA_XLS}, 30E/360 ISDA Ex. 3"),
    ("2007-02-28", "2008-02-29", "2008-02-29", 359, f"{ISDA_XLS}, Ex. 3: D2 is maturity"),
    ("2008-02-29", "2009-02-28", "2008-02-29", 360, f"{ISDA_XLS}, 30E/360 ISDA Ex. 3"),
    ("2008-02-29", "2008-03-31", "2008-02-29", 30, f"{ISDA_XLS}, 30E/360 ISDA Ex. 3"),
]

# Actual conventions: (start, end, convention, extras, exact fraction, published value, source)
# Published values are rounded to 12 decimals in the source; the exact fraction follows
# from the day counts stated there.
F = Fraction
SEMI_2003 = {"ref_start": "2003-01-15", "ref_end": "2003-07-15", "frequency": 2}
GOLDEN_ACTUAL = [
    (
        "2003-11-01",
        "2004-05-01",
        "ACT/ACT ISDA",
        {},
        F(61, 365) + F(121, 366),
        0.497724380567,
        ISDA_1999,
    ),
    (
        "2003-11-01",
        "2004-05-01",
        "ACT/ACT ICMA",
        {"ref_start": "2003-11-01", "ref_end": "2004-05-01", "frequency": 2},
        F(182, 364),
        0.5,
        ISDA_1999,
    ),
    (
        "1999-02-01",
        "1999-07-01",
        "ACT/ACT ISDA",
        {},
        F(150, 365),
        0.410958904110,
        f"{ISDA_1999}, short first period",
    ),
    (
        "1999-02-01",
        "1999-07-01",
        "ACT/ACT ICMA",
        {"ref_start": "1998-07-01", "ref_end": "1999-07-01", "frequency": 1},
        F(150, 365),
        0.410958904110,
        f"{ISDA_1999}, short first period",
    ),
    (
        "1999-07-01",
        "2000-07-01",
        "ACT/ACT ISDA",
        {},
        F(184, 365) + F(182, 366),
        1.001377348600,
        f"{ISDA_1999}, short first (second period)",
    ),
    (
        "2002-08-15",
        "2003-07-15",
        "ACT/ACT ICMA",
        SEMI_2003,
        F(153, 2 * 184) + F(181, 2 * 181),
        0.915760869565,
        f"{ISDA_1999}, long first period",
    ),
    (
        "2002-08-15",
        "2003-07-15",
        "ACT/ACT ISDA",
        {},
        F(334, 365),
        0.915068493151,
        f"{ISDA_1999}, long first period",
    ),
    (
        "2000-01-30",
        "2000-06-30",
        "ACT/ACT ICMA",
        {"ref_start": "2000-01-30", "ref_end": "2000-07-30", "frequency": 2},
        F(152, 2 * 182),
        0.417582417582,
        f"{ISDA_1999}, short final period",
    ),
    (
        "2000-01-30",
        "2000-06-30",
        "ACT/ACT ISDA",
        {},
        F(152, 366),
        0.415300546448,
        f"{ISDA_1999}, short final period",
    ),
    (
        "2001-01-01",
        "2004-01-01",
        "ACT/ACT ISDA",
        {},
        F(3),
        None,
        "1095 days in 2001-2003; Excel basis 1 reportedly 1095/365.25 (module docstring (b))",
    ),
    ("2007-01-15", "2007-01-30", "ACT/360", {}, F(15, 360), None, f"{ISDA_XLS}, Act/360"),
    ("2007-01-15", "2007-07-15", "ACT/360", {}, F(181, 360), None, f"{ISDA_XLS}, Act/360"),
    ("2007-09-30", "2008-03-31", "ACT/365F", {}, F(183, 365), None, "ISDA 4.16(d): 183 days"),
]


@pytest.mark.parametrize(("start", "end", "conv", "days", "source"), GOLDEN_30_360)
def test_golden_thirty_360(start: str, end: str, conv: str, days: int, source: str) -> None:
    assert day_count(start, end, conv) == days, source
    assert year_fraction_exact(start, end, conv) == Fraction(days, 360), source
    assert year_fraction(start, end, conv) == days / 360, source


@pytest.mark.parametrize(("start", "end", "maturity", "days", "source"), GOLDEN_30E_360_ISDA)
def test_golden_thirty_e_360_isda(start: str, end: str, maturity: str, days: int, source: str):
    assert day_count(start, end, "30E/360 ISDA", maturity=maturity) == days, source
    assert year_fraction(start, end, "30E/360 ISDA", maturity=maturity) == days / 360, source


@pytest.mark.parametrize(
    ("start", "end", "conv", "extras", "exact", "published", "source"), GOLDEN_ACTUAL
)
def test_golden_actual(start, end, conv, extras, exact, published, source) -> None:
    assert year_fraction_exact(start, end, conv, **extras) == exact, source
    assert year_fraction(start, end, conv, **extras) == pytest.approx(float(exact), abs=1e-15)
    if published is not None:  # rounded in the source
        assert float(exact) == pytest.approx(published, abs=5e-12), source


def test_seed_letter_accrued_interest_to_the_cent() -> None:
    """Seed letter of 2003-02-05: $30,200,000 x 5.75% x 135/360 = $651,187.50."""
    from decimal import Decimal

    tau = year_fraction_exact("2002-09-15", "2003-01-30", DayCount.THIRTY_360_US)
    assert tau == Fraction(135, 360)
    interest = Decimal(30_200_000) * Decimal("0.0575") * tau.numerator / tau.denominator
    assert interest == Decimal("651187.50")


def test_excel_basis0_february_case_differs_from_sifma() -> None:
    """Module docstring (a): Excel basis 0 reportedly gives 31/360 here; SIFMA gives 30/360."""
    assert day_count("2007-02-28", "2007-03-31", "30/360 US") == 30
    assert day_count("2007-02-28", "2007-03-31", "30/360 BOND") == 33


# --------------------------------------------------------------------------------------
# QuantLib oracle
# --------------------------------------------------------------------------------------
N_RANDOM = 12_000
RNG_SEED = 20040618
LO, HI = np.datetime64("1990-01-01"), np.datetime64("2060-12-31")


def _edge_dates() -> np.ndarray:
    """All month ends 1999-2030 (so 28/29 Feb), 28 Feb of leap years, every 30th."""
    months = np.arange("1999-01", "2031-01", dtype="datetime64[M]")
    first = months.astype("datetime64[D]")
    ends = (months + 1).astype("datetime64[D]") - 1
    thirtieths = (first + 29)[(first + 29) <= ends]
    feb28 = (first + 27)[(months.astype(int) % 12) == 1]
    return np.unique(np.concatenate([ends, thirtieths, feb28]))


def _pairs() -> tuple[np.ndarray, np.ndarray]:
    """Random pairs plus every ordered pair of edge dates at most 400 days apart."""
    rng = np.random.default_rng(RNG_SEED)
    span = int((HI - LO).astype(int))
    a = LO + rng.integers(0, span, N_RANDOM).astype("timedelta64[D]")
    b = a + rng.integers(0, 800, N_RANDOM).astype("timedelta64[D]")  # coupon-like spans
    c = LO + rng.integers(0, span, N_RANDOM).astype("timedelta64[D]")  # arbitrary spans
    edges = _edge_dates()
    i, j = np.triu_indices(len(edges), k=0)
    keep = (edges[j] - edges[i]).astype(int) <= 400
    e1, e2 = edges[i][keep], edges[j][keep]
    s = np.concatenate([a, np.minimum(a, c), e1])
    e = np.concatenate([b, np.maximum(a, c), e2])
    return s, e


START, END = _pairs()


def _ql(d: np.datetime64) -> ql.Date:
    y, m, day = (int(x) for x in str(d).split("-"))
    return ql.Date(day, m, y)


QL_START = [_ql(d) for d in START]
QL_END = [_ql(d) for d in END]

QL_COUNTERS = {
    "30/360 US": ql.Thirty360(ql.Thirty360.USA),
    "30/360 BOND": ql.Thirty360(ql.Thirty360.BondBasis),
    "30E/360": ql.Thirty360(ql.Thirty360.European),
    "ACT/360": ql.Actual360(),
    "ACT/365F": ql.Actual365Fixed(),
    "ACT/ACT ISDA": ql.ActualActual(ql.ActualActual.ISDA),
}


def test_oracle_sample_covers_edges() -> None:
    assert len(START) >= 20_000
    ends = END.astype("datetime64[M]") != (END + 1).astype("datetime64[M]")
    feb29 = (END.astype("datetime64[M]").astype(int) % 12 == 1) & (
        (END - END.astype("datetime64[M]").astype("datetime64[D]")).astype(int) == 28
    )
    assert ends.sum() > 5_000 and feb29.sum() > 100


@pytest.mark.parametrize("conv", list(QL_COUNTERS))
def test_quantlib_oracle_ordered_pairs(conv: str) -> None:
    dc = QL_COUNTERS[conv]
    expected_yf = np.array([dc.yearFraction(a, b) for a, b in zip(QL_START, QL_END, strict=True)])
    expected_days = np.array([dc.dayCount(a, b) for a, b in zip(QL_START, QL_END, strict=True)])
    got = year_fraction(START, END, conv)
    assert got.shape == START.shape
    bad = np.abs(got - expected_yf) > 1e-12
    assert not bad.any(), list(zip(START[bad][:5], END[bad][:5], got[bad][:5], strict=True))
    np.testing.assert_array_equal(day_count(START, END, conv), expected_days)


@pytest.mark.parametrize("conv", ["ACT/360", "ACT/365F", "ACT/ACT ISDA"])
def test_quantlib_oracle_reversed_pairs_actual(conv: str) -> None:
    """QuantLib's ACT conventions are antisymmetric too: compare reversed pairs directly."""
    dc = QL_COUNTERS[conv]
    expected = np.array([dc.yearFraction(b, a) for a, b in zip(QL_START, QL_END, strict=True)])
    np.testing.assert_allclose(year_fraction(END, START, conv), expected, rtol=0, atol=1e-12)


def test_quantlib_oracle_30e_360_isda() -> None:
    """Maturity on each pair's end date for a third of the pairs, else a fixed Feb-end date."""
    rng = np.random.default_rng(RNG_SEED + 1)
    use_end = rng.random(len(END)) < 1 / 3
    maturity = np.where(use_end, END, np.datetime64("2012-02-29"))
    ql_mat = [_ql(d) for d in maturity]
    expected = np.array(
        [
            ql.Thirty360(ql.Thirty360.ISDA, m).yearFraction(a, b)
            for a, b, m in zip(QL_START, QL_END, ql_mat, strict=True)
        ]
    )
    got = year_fraction(START, END, "30E/360 ISDA", maturity=maturity)
    # Deliberate difference (test below): a zero-length period is 0 here; QuantLib gives -2/360
    # when start == end == a February-end maturity.
    same = START == END
    np.testing.assert_allclose(got[~same], expected[~same], rtol=0, atol=1e-12)
    assert (got[same] == 0).all()
    feb_end_maturity = (
        use_end
        & (END.astype("datetime64[M]").astype(int) % 12 == 1)
        & (END.astype("datetime64[M]") != (END + 1).astype("datetime64[M]"))
    )
    assert feb_end_maturity.sum() > 50  # the maturity exception is exercised


def _icma_cases(n: int, seed: int) -> dict[str, np.ndarray]:
    """Regular reference periods (day 1-28) and accruals inside or in a stub next to them."""
    rng = np.random.default_rng(seed)
    freq = rng.choice([1, 2, 4, 12], n)
    months = 12 // freq
    ym = np.datetime64("1995-01", "M") + rng.integers(0, 12 * 50, n).astype("timedelta64[M]")
    day = rng.integers(0, 28, n).astype("timedelta64[D]")
    rs = ym.astype("datetime64[D]") + day
    re_ = (ym + months.astype("timedelta64[M]")).astype("datetime64[D]") + day
    length = (re_ - rs).astype(int)
    kind = rng.integers(0, 3, n)  # 0 inside, 1 long/short first, 2 long last
    u, v = rng.random(n), rng.random(n)
    lo_in = (u * length).astype(int)
    hi_in = lo_in + (v * (length - lo_in)).astype(int)
    s = np.where(kind == 0, rs + lo_in, rs - (u * length).astype(int))
    e = np.where(kind == 0, rs + hi_in, rs + (v * length).astype(int))
    s = np.where(kind == 2, rs + lo_in, s)
    e = np.where(kind == 2, re_ + (v * length).astype(int), e)
    return {"start": s, "end": e, "ref_start": rs, "ref_end": re_, "freq": freq}


def test_quantlib_oracle_act_act_icma() -> None:
    c = _icma_cases(10_000, RNG_SEED + 2)
    dc = ql.ActualActual(ql.ActualActual.ISMA)
    expected = np.array(
        [
            dc.yearFraction(_ql(a), _ql(b), _ql(r1), _ql(r2))
            for a, b, r1, r2 in zip(c["start"], c["end"], c["ref_start"], c["ref_end"], strict=True)
        ]
    )
    got = np.empty(len(expected))
    for f in (1, 2, 4, 12):
        m = c["freq"] == f
        got[m] = year_fraction(
            c["start"][m],
            c["end"][m],
            "ACT/ACT ICMA",
            ref_start=c["ref_start"][m],
            ref_end=c["ref_end"][m],
            frequency=f,
        )
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_icma_end_of_month_notional_period_differs_from_quantlib() -> None:
    """Deliberate difference (module docstring, ACT/ACT ICMA stubs).

    Reference period 2003-08-31 to 2004-02-29, both month ends (an end-of-month bond),
    and a long last period to 2004-08-15. Rule 251's notional period after the reference
    period is the bond's next quasi-coupon period, 2004-02-29 to 2004-08-31 (184 days);
    QuantLib adds 6 months to 2004-02-29 and uses 2004-02-29 to 2004-08-29 (182 days).
    """
    kw = {"ref_start": "2003-08-31", "ref_end": "2004-02-29", "frequency": 2}
    ours = year_fraction_exact("2003-08-31", "2004-08-15", "ACT/ACT ICMA", **kw)
    assert ours == Fraction(182, 2 * 182) + Fraction(168, 2 * 184)
    theirs = ql.ActualActual(ql.ActualActual.ISMA).yearFraction(
        ql.Date(31, 8, 2003), ql.Date(15, 8, 2004), ql.Date(31, 8, 2003), ql.Date(29, 2, 2004)
    )
    assert theirs == pytest.approx(0.5 + 168 / (2 * 182), abs=1e-12)


def test_icma_period_spanning_both_sides_of_reference() -> None:
    """QuantLib raises for d1 < ref_start < ref_end < d2; Rule 251 sums notional periods."""
    kw = {"ref_start": "2003-01-15", "ref_end": "2003-07-15", "frequency": 2}
    got = year_fraction_exact("2002-10-15", "2003-10-15", "ACT/ACT ICMA", **kw)
    # 2002-10-15..2003-01-15: 92 of 184 days; ref period 181 of 181; 2003-07-15..10-15: 92 of 184
    assert got == Fraction(92, 368) + Fraction(1, 2) + Fraction(92, 368)
    with pytest.raises(RuntimeError):
        ql.ActualActual(ql.ActualActual.ISMA).yearFraction(
            ql.Date(15, 10, 2002), ql.Date(15, 10, 2003), ql.Date(15, 1, 2003), ql.Date(15, 7, 2003)
        )


def test_thirty_360_reversed_pairs_differ_from_quantlib_on_purpose() -> None:
    """Deliberate difference: the 30/360 rules are applied to the ordered pair (D1 the
    earlier date, as ISDA 4.16 defines them) and negated; QuantLib applies them to the
    reversed dates as given. 2007-01-31 -> 2007-03-01 is 31 days (D1 31 -> 30), so the
    reverse is -31 here; QuantLib's reverse gives -30 (D2 = 31 kept because D1 = 1).
    """
    assert day_count("2007-01-31", "2007-03-01", "30/360 US") == 31
    assert day_count("2007-03-01", "2007-01-31", "30/360 US") == -31
    ql_days = ql.Thirty360(ql.Thirty360.USA).dayCount(ql.Date(1, 3, 2007), ql.Date(31, 1, 2007))
    assert ql_days == -30


@pytest.mark.parametrize("conv", ["30/360 US", "30/360 BOND", "30E/360"])
def test_quantlib_oracle_reversed_thirty_360_is_negated_ordered(conv: str) -> None:
    dc = QL_COUNTERS[conv]
    expected = -np.array([dc.yearFraction(a, b) for a, b in zip(QL_START, QL_END, strict=True)])
    np.testing.assert_allclose(year_fraction(END, START, conv), expected, rtol=0, atol=1e-12)


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------
ALL = [c.value for c in DayCount]
EXTRAS = {
    "30E/360 ISDA": {"maturity": "2030-02-28"},
    "ACT/ACT ICMA": {"ref_start": "2010-03-15", "ref_end": "2010-09-15", "frequency": 2},
}


@settings(max_examples=300, deadline=None)
@given(ordered_triples())
def test_actual_fractions_add_over_a_split(abc: tuple[dt.date, dt.date, dt.date]) -> None:
    a, b, c = abc
    for conv in ("ACT/360", "ACT/365F", "ACT/ACT ISDA"):
        whole = year_fraction(a, c, conv)
        assert abs(whole - (year_fraction(a, b, conv) + year_fraction(b, c, conv))) <= 1e-12
        assert year_fraction_exact(a, c, conv) == (
            year_fraction_exact(a, b, conv) + year_fraction_exact(b, c, conv)
        )


@settings(max_examples=300, deadline=None)
@given(ordered_triples())
def test_icma_adds_over_a_split(abc: tuple[dt.date, dt.date, dt.date]) -> None:
    a, b, c = abc
    kw = EXTRAS["ACT/ACT ICMA"]
    assert year_fraction_exact(a, c, "ACT/ACT ICMA", **kw) == (
        year_fraction_exact(a, b, "ACT/ACT ICMA", **kw)
        + year_fraction_exact(b, c, "ACT/ACT ICMA", **kw)
    )


@settings(max_examples=300, deadline=None)
@given(date_pairs())
def test_antisymmetry_and_zero(pair: tuple[dt.date, dt.date]) -> None:
    a, b = pair
    for conv in ALL:
        kw = EXTRAS.get(conv, {})
        assert year_fraction(a, b, conv, **kw) == -year_fraction(b, a, conv, **kw)
        assert year_fraction(a, a, conv, **kw) == 0.0
        if conv != "ACT/ACT ICMA":
            assert day_count(a, b, conv, **kw) == -day_count(b, a, conv, **kw)


@settings(max_examples=300, deadline=None)
@given(date_pairs())
def test_exact_equals_float(pair: tuple[dt.date, dt.date]) -> None:
    a, b = pair
    for conv in ALL:
        kw = EXTRAS.get(conv, {})
        exact = year_fraction_exact(a, b, conv, **kw)
        assert isinstance(exact, Fraction)
        assert abs(float(exact) - year_fraction(a, b, conv, **kw)) <= 1e-12


@pytest.mark.parametrize("conv", ALL)
def test_vectorized_equals_scalar(conv: str) -> None:
    kw = EXTRAS.get(conv, {})
    s, e = START[:300], END[:300][::-1]  # both orders
    vec = year_fraction(s, e, conv, **kw)
    scal = [year_fraction(a.item(), b.item(), conv, **kw) for a, b in zip(s, e, strict=True)]
    assert all(isinstance(x, float) for x in scal)
    np.testing.assert_array_equal(vec, np.array(scal))
    exact = year_fraction_exact(s, e, conv, **kw)
    assert exact.dtype == object and all(
        float(x) == pytest.approx(y, abs=1e-12) for x, y in zip(exact, vec, strict=True)
    )


def test_input_types_and_broadcasting() -> None:
    expected = 0.375
    for start in (
        "2002-09-15",
        dt.date(2002, 9, 15),
        np.datetime64("2002-09-15"),
        pd.Timestamp("2002-09-15"),
        dt.datetime(2002, 9, 15),
    ):
        got = year_fraction(start, "2003-01-30", "30/360 US")
        assert got == expected and type(got) is float
    # a time of day is refused, not dropped (model.values.read_date)
    for start in (dt.datetime(2002, 9, 15, 17, 30), pd.Timestamp("2002-09-15 17:30")):
        with pytest.raises(InputError, match=r"start: 2002-09-15 17:30:00 has a time of day"):
            year_fraction(start, "2003-01-30", "30/360 US")
    assert type(day_count("2002-09-15", "2003-01-30", "30/360 US")) is int
    ends = pd.Series(pd.to_datetime(["2003-01-30", "2002-09-15", "2002-03-15"]))
    got = year_fraction("2002-09-15", ends, "30/360 US")
    np.testing.assert_array_equal(got, [0.375, 0.0, -0.5])
    grid = year_fraction(
        np.array(["2002-01-15", "2002-07-15"])[:, None], [["2003-01-15", "2004-01-15"]], "30E/360"
    )
    np.testing.assert_array_equal(grid, [[1.0, 2.0], [0.5, 1.5]])
    np.testing.assert_array_equal(day_count(["2002-09-15"], "2003-01-30", "30/360 US"), [135])


# --------------------------------------------------------------------------------------
# Error paths
# --------------------------------------------------------------------------------------
def test_unknown_convention_lists_valid_names() -> None:
    with pytest.raises(ValueError, match=r"unknown day count convention 'ACT/366'.*'30/360 US'"):
        year_fraction("2002-09-15", "2003-01-30", "ACT/366")
    with pytest.raises(ValueError, match=r"valid names: .*'ACT/ACT ICMA'"):
        day_count("2002-09-15", "2003-01-30", "30/360")


def test_icma_without_reference_period() -> None:
    with pytest.raises(ValueError, match=r"ACT/ACT ICMA needs .*missing ref_start, ref_end"):
        year_fraction("2003-01-15", "2003-03-15", "ACT/ACT ICMA", frequency=2)
    with pytest.raises(ValueError, match=r"missing frequency"):
        year_fraction(
            "2003-01-15", "2003-03-15", "ACT/ACT ICMA", ref_start="2003-01-15", ref_end="2003-07-15"
        )


def test_icma_bad_reference_period() -> None:
    with pytest.raises(ValueError, match=r"not a regular coupon period for frequency 2"):
        year_fraction(
            "2003-01-15",
            "2003-03-15",
            "ACT/ACT ICMA",
            ref_start="2003-01-15",
            ref_end="2004-01-15",
            frequency=2,
        )
    with pytest.raises(ValueError, match=r"ref_start < ref_end"):
        year_fraction(
            "2003-01-15",
            "2003-03-15",
            "ACT/ACT ICMA",
            ref_start="2003-07-15",
            ref_end="2003-01-15",
            frequency=2,
        )
    with pytest.raises(ValueError, match=r"frequency must be one of"):
        year_fraction(
            "2003-01-15",
            "2003-03-15",
            "ACT/ACT ICMA",
            ref_start="2003-01-15",
            ref_end="2003-07-15",
            frequency=5,
        )


def test_30e_360_isda_without_maturity() -> None:
    with pytest.raises(ValueError, match=r"30E/360 ISDA needs maturity="):
        year_fraction("2007-02-28", "2008-02-29", "30E/360 ISDA")
    with pytest.raises(ValueError, match=r"30E/360 ISDA needs maturity="):
        day_count("2007-02-28", "2008-02-29", "30E/360 ISDA")


@pytest.mark.parametrize(
    ("bad", "rule"),
    [
        ("2003-02-30", r"'2003-02-30' is not a calendar date \(February 2003 has 28 days\)"),
        (
            "30/01/2003",
            r"'30/01/2003' is not an ISO date \(YYYY-MM-DD\): day-first and month-first dates "
            r"are refused as ambiguous",
        ),
        ("yesterday", r"not an ISO date \(YYYY-MM-DD\): 'yesterday'"),
    ],
)
def test_unparseable_date_string(bad: str, rule: str) -> None:
    with pytest.raises(InputError, match=rf"end: {rule}"):
        year_fraction("2002-09-15", bad, "ACT/360")


def test_numbers_and_missing_dates_are_rejected() -> None:
    with pytest.raises(InputError, match=r"start: 12000 is a number, not a date"):
        year_fraction(12000, "2003-01-30", "ACT/360")
    with pytest.raises(ValueError, match=r"missing date"):
        year_fraction(np.datetime64("NaT"), "2003-01-30", "ACT/360")
    with pytest.raises(ValueError, match=r"missing date"):
        year_fraction(["2002-09-15", None], "2003-01-30", "ACT/360")


def test_zero_length_period_at_february_maturity_differs_from_quantlib() -> None:
    """ISDA 2006 Sec. 4.16(h) read literally, for start == end == a February-end Termination
    Date: D1 (last day of February) becomes 30 and D2 stays 28, so QuantLib returns -2/360. A
    period of no days accrues no interest, so we return 0 (the definition's own formula is a
    measure of the days in a period; a period with no days has none)."""
    mat = ql.Date(28, 2, 2030)
    assert ql.Thirty360(ql.Thirty360.ISDA, mat).yearFraction(mat, mat) == -2 / 360
    assert year_fraction("2030-02-28", "2030-02-28", "30E/360 ISDA", maturity="2030-02-28") == 0.0
    assert day_count("2030-02-28", "2030-02-28", "30E/360 ISDA", maturity="2030-02-28") == 0


def test_year_month_day_table_matches_the_civil_algorithm() -> None:
    """The 1900-2199 lookup table used for speed agrees with the civil-from-days algorithm on
    every day, and dates outside it (1600s, 2400s) still compute."""
    from model.dates.daycount import _LUT_DAYS, _LUT_FIRST, _ymd, _ymd_civil

    every = _LUT_FIRST + np.arange(_LUT_DAYS).astype("timedelta64[D]")
    for a, b in zip(_ymd(every), _ymd_civil(every), strict=True):
        assert (a == b).all()
    far = np.array(["1600-02-29", "2400-02-29", "1899-12-31", "2200-01-01"], dtype="datetime64[D]")
    assert [tuple(int(x[i]) for x in _ymd(far)) for i in range(4)] == [
        (1600, 2, 29),
        (2400, 2, 29),
        (1899, 12, 31),
        (2200, 1, 1),
    ]
    # D1 = 31 -> 30; D2 = 31 with D1 >= 30 -> 30: 360 x 301 + 30 x (1 - 12) + 0 = 108,030 days
    assert day_count("1899-12-31", "2200-01-31", "30/360 US") == 108_030


def test_act_act_isda_outside_the_table_range() -> None:
    """Dates outside the 1900-2199 table take the computed path: 1899-07-01 to 2200-07-01 is
    184/365 + 300 whole years (1900 to 2199) + 181/365 = 301 (1899 and 2200 are not leap years)."""
    expected = Fraction(184, 365) + 300 + Fraction(181, 365)
    assert expected == 301
    assert year_fraction_exact("1899-07-01", "2200-07-01", "ACT/ACT ISDA") == expected
    # inside the table: 184/365 + 49 whole years + 182/366 (2000 is a leap year)
    assert year_fraction_exact("1950-07-01", "2000-07-01", "ACT/ACT ISDA") == (
        Fraction(184, 365) + 49 + Fraction(182, 366)
    )
