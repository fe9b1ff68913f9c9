"""The vectorised projection (model.engines.projection) against independent oracles.

* Oracle (b): the engine matches a plain day-by-day reference implementation written from
  its specification (``reference.py``) to the cent, quarter by quarter and day by day, on
  random shocks of the four scenario files, and on the files themselves.
* Properties of the engine on random blocks: the cash identity of every month, the revolver
  identity, 0 <= outstanding <= limit on every day, a covenant flag that agrees with actual
  against required.
* A one-quarter example worked by hand.

Where the engine and the reference disagree, the reference follows the engine's docstring
(its decisions on ambiguities are listed in ``reference.py``). Two disagreements found this
way are engine bugs, each with its own small test at the end of this file:

* F1: a certificate's whole-dollar eligible amount is rounded in binary floating point
  (``1.0 - ineligible``), so an exact half dollar can round down, against "half up
  throughout" and "the arithmetic is exact" (about 1 random scenario in 100 hits one).
* F2: a one-time fee is paid once per version that lists it; a later amendment that does
  not restate ``fees`` carries the earlier list, so the fee is paid twice.

Until the engine is fixed, those two tests and the random-scenario oracles that happen to
draw an exact half dollar fail.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.engines.projection import Projection, ScenarioBlock, project
from model.engines.projection.engine import run_block
from model.terms import load
from tests.legacy import legacy_base

try:  # tests/ is not a package: pytest puts this folder on sys.path
    from reference import Reference, reference_projection
except ImportError:  # pragma: no cover - if tests/ becomes a package
    from tests.engines.projection.reference import Reference, reference_projection

D = dt.date
LEGACY = (
    legacy_base()
)  # the base case as of 2008-03-31 (tests/fixtures), every opening figure given
FILES = ("base", "downside", "upside", "stress-2008", "legacy")
RANDOM_FILES = ("legacy", "stress-2008")  # both open at 2008-03-31: stacked in one block
SHORT = 6  # quarters: 2008-Q2 to 2009-Q3 for these, every step of the over-advance and of dominion


def _load(name: str, quarters: int | None = None, **overrides: Any) -> Any:
    o = dict(overrides)
    if quarters is not None:
        o["horizon_quarters.value"] = quarters
    path = LEGACY if name == "legacy" else f"params/deals/ibasis/scenarios/{name}.yaml"
    return load(path, overrides=o or None)


SCENARIOS = {name: _load(name) for name in FILES}
SHORT_BLOCKS = {name: ScenarioBlock.from_scenarios(_load(name, SHORT)) for name in FILES}
FULL_BLOCKS = {name: ScenarioBlock.from_scenarios(s) for name, s in SCENARIOS.items()}


# --------------------------------------------------------------------------------------
# Random scenarios
# --------------------------------------------------------------------------------------


def _money(low: int, high: int) -> st.SearchStrategy[float]:
    """Dollars with cents, from ``low`` to ``high`` dollars."""
    return st.integers(low * 100, high * 100).map(lambda c: c / 100)


def _per_quarter(n: int, values: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Any]]:
    """One value a quarter, or the same value in every quarter."""
    return st.one_of(values.map(lambda v: [v] * n), st.lists(values, min_size=n, max_size=n))


@st.composite
def shocks(draw: st.DrawFn, n: int) -> dict[str, Any]:
    """Random shocks of a scenario file over ``n`` quarters, as plain numbers (what a failing
    example prints): ``scale``, ``add`` and ``replace`` go to :meth:`ScenarioBlock.shocked`
    (a list of ``n`` values is one a quarter, a single value every quarter),
    ``ebitda_margin`` replaces EBITDA by a margin of the shocked revenue, ``opening`` the
    opening cash and revolver."""
    low = draw(_money(0, 40_000_000))
    out: dict[str, Any] = {
        "file": draw(st.sampled_from(RANDOM_FILES)),
        "scale": {"revenue": [x / 1000 for x in draw(_per_quarter(n, st.integers(300, 1600)))]},
        "add": {  # a DSO of 47.5 days now and then
            "dso_domestic": [
                x - draw(st.sampled_from([0, 0.5]))
                for x in draw(_per_quarter(n, st.integers(-40, 120)))
            ],
            "dso_foreign": draw(_per_quarter(n, st.integers(-40, 120))),
        },
        "replace": {
            "ineligible_domestic": [x / 100 for x in draw(_per_quarter(n, st.integers(0, 100)))],
            "ineligible_foreign": [x / 100 for x in draw(_per_quarter(n, st.integers(0, 100)))],
            "foreign_revenue_share": draw(st.integers(0, 100)) / 100,
            "payables_days": draw(st.integers(0, 90)),
            "minimum_cash": low,
            "repay_above": low + draw(_money(0, 30_000_000)),
            "capex_unfunded": draw(_per_quarter(n, _money(0, 5_000_000))),
            "capex_funded": draw(_money(0, 2_000_000)),
            "repurchases": draw(_per_quarter(n, st.sampled_from([0.0, 2_500_000.0, 7_777_777.77]))),
            "dividends": draw(st.sampled_from([0.0, 1_000_000.01])),
            "income_taxes_paid": draw(_money(0, 1_000_000)),
            "other_debt_interest": draw(_money(0, 300_000)),
            "one_time_costs": draw(st.sampled_from([0.0, 1_234_567.89])),
            "non_cash_items": draw(_money(-2_000_000, 3_000_000)),
            "borrower_ebitda_share": draw(st.integers(0, 1000)) / 1000,
            "deferred_revenue": draw(_per_quarter(n, _money(0, 8_000_000))),
            "base_rate_shift": round(draw(st.integers(-120, 200)) / 4000, 6),
        },
        "opening": {
            "cash": draw(_money(0, 60_000_000)),
            "revolver_outstanding": draw(_money(0, 45_000_000)),
        },
    }
    kind = draw(st.sampled_from(["scale", "margin", "level"]))
    if kind == "scale":
        out["scale"]["ebitda"] = draw(st.integers(-1500, 3000)) / 1000
    elif kind == "margin":
        out["ebitda_margin"] = [x / 10_000 for x in draw(_per_quarter(n, st.integers(-800, 1200)))]
    else:
        out["replace"]["ebitda"] = draw(_per_quarter(n, _money(-15_000_000, 40_000_000)))
    return out


def _as_shock(v: Any) -> Any:
    """A value per quarter ([a, b, ...]) as an array [1 scenario, quarter]; a single value as is."""
    return np.array([v], dtype=np.float64) if isinstance(v, list) else v


def shocked(s: dict[str, Any], blocks: dict[str, ScenarioBlock]) -> ScenarioBlock:
    """The one-scenario block of ``s["file"]`` with the shocks ``s`` (see :func:`shocks`)."""
    out = blocks[s["file"]].shocked(
        **{
            arg: {k: _as_shock(v) for k, v in s[key].items()}
            for arg, key in (("scale", "scale"), ("add", "add"), ("replace_with", "replace"))
        }
    )
    if "ebitda_margin" in s:
        margin = _as_shock(s["ebitda_margin"])
        out = out.shocked(replace_with={"ebitda": np.round(out.drivers["revenue"] * margin, 2)})
    opening = dict(out.opening) | {k: np.array([v]) for k, v in s["opening"].items()}
    return dataclasses.replace(out, opening=opening)


# --------------------------------------------------------------------------------------
# Comparing the engine with the reference
# --------------------------------------------------------------------------------------

QUARTERLY = (
    "revenue",
    "ebitda",
    "operating_cash",
    "net_income",
    "borrower_ebitda",
    "revolver_interest",
    "facility_fees",
    "interest_paid",
    "cash",
    "outstanding",
    "limit",
    "availability",
    "liquidity",
    "min_liquidity",
    "peak_outstanding",
    "draw",
    "repayment",
    "forced_repayment",
    "funding_gap",
    "receivables",
    "eligible_domestic",
    "eligible_foreign",
    "borrowing_base",
    "over_advance_used",
    "payables",
    "other_debt",
    "dividends",
    "repurchases",
    "distributions_blocked",
)
DAYS_UNDER = ("days_cash_dominion", "days_agings", "days_below_springing", "days_in_default")
DAILY_CENTS = (
    "cash",
    "outstanding",
    "limit",
    "borrowing_base",
    "availability",
    "liquidity",
    "over_advance_used",
    "excess",
    "eligible_domestic",
    "eligible_foreign",
    "draw",
    "repayment",
    "forced_repayment",
    "interest_paid",
    "fees_paid",
    "funding_gap",
)
DAILY_FLAGS = (
    "cash_dominion",
    "agings_reports_required",
    "cash_flow_covenant_springs",
    "event_of_default",
)


def _cents(x: Any) -> np.ndarray:
    return np.rint(np.asarray(x, dtype=np.float64) * 100).astype(np.int64)


def _first_difference(name: str, index: Any, engine: np.ndarray, ref: np.ndarray) -> str | None:
    bad = np.nonzero(engine != ref)[0]
    if not len(bad):
        return None
    i = bad[0]
    return f"{name} on {index[i]}: engine {engine[i]!r}, reference {ref[i]!r} ({len(bad)} differ)"


def quarterly_differences(p: Projection, s: int, ref: Reference) -> list[str]:
    e = p.quarters.xs(p.scenarios[s], level="scenario")
    out = [
        _first_difference(k, e.index, _cents(e[k]), ref.quarters[k].to_numpy(np.int64))
        for k in QUARTERLY
    ]
    out += [
        _first_difference(k, e.index, e[k].to_numpy(np.int64), ref.quarters[k].to_numpy(np.int64))
        for k in DAYS_UNDER
    ]
    return [x for x in out if x]


def daily_differences(p: Projection, s: int, ref: Reference) -> list[str]:
    e, r = p.daily(s), ref.days
    assert [d.date() for d in e.index] == list(r.index)
    out = [
        _first_difference(k, r.index, _cents(e[k]), r[k].to_numpy(np.int64)) for k in DAILY_CENTS
    ]
    out += [
        _first_difference(k, r.index, e[k].to_numpy(bool), r[k].to_numpy(bool)) for k in DAILY_FLAGS
    ]
    out.append(
        _first_difference("version", r.index, e["version"].to_numpy(), r["version"].to_numpy())
    )
    micro = np.array([int(x * 1_000_000) for x in r["base_rate"]])
    out.append(
        _first_difference("base_rate", r.index, np.rint(e["base_rate"] * 1e6).astype(int), micro)
    )
    return [x for x in out if x]


def covenant_differences(p: Projection, s: int, ref: Reference) -> list[str]:
    e = p.covenants.xs(p.scenarios[s], level="scenario")
    r = ref.covenants
    assert sorted(e.index) == sorted(r.index)
    out = []
    for key, row in r.iterrows():
        got = e.loc[key]
        if got["status_code"] != row["status_code"]:
            out.append(f"{key} status: engine {got['status_code']}, reference {row['status_code']}")
        want = row["actual"]
        same = (
            abs(got["actual"] - float(want)) < 1e-9
            if row["unit"] == "ratio"
            else _cents(got["actual"]) == int(want * 100)
        )
        if not same:
            out.append(f"{key} actual: engine {got['actual']!r}, reference {want}")
        if row["status_code"] in ("complies", "amber", "breach"):
            if bool(got["complies"]) != bool(row["complies"]):
                out.append(f"{key} complies: engine {got['complies']}, reference {row['complies']}")
    return out


def assert_engine_matches_reference(block: ScenarioBlock) -> None:
    """Every quarter, covenant and day of every scenario of ``block``, to the cent."""
    p = project(block)
    for s in range(block.size):
        ref = reference_projection(block, s)
        diffs = (
            quarterly_differences(p, s, ref)
            + covenant_differences(p, s, ref)
            + daily_differences(p, s, ref)
        )
        assert not diffs, "\n".join(diffs)


# --------------------------------------------------------------------------------------
# Oracle (b)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_engine_matches_reference_on_each_scenario_file(name: str) -> None:
    assert_engine_matches_reference(FULL_BLOCKS[name])


@settings(max_examples=200, deadline=None)
@given(s=shocks(SHORT))
def test_engine_matches_reference_on_random_scenarios(s: dict[str, Any]) -> None:
    assert_engine_matches_reference(shocked(s, SHORT_BLOCKS))


@settings(max_examples=10, deadline=None)
@given(s=shocks(11), repay=st.booleans())
def test_engine_matches_reference_on_the_full_horizon(s: dict[str, Any], repay: bool) -> None:
    # after_maturity 'repay': the line is repaid on 2010-10-02, inside the 11 quarters
    block = shocked(s, FULL_BLOCKS)
    block = dataclasses.replace(block, after_maturity="repay" if repay else "renew")
    assert_engine_matches_reference(block)


# --------------------------------------------------------------------------------------
# The same on variants of the deal's terms (certificate lag, day count, margins,
# trigger readings): the engine reads them from the terms, the reference from each day's
# FacilityTerms
# --------------------------------------------------------------------------------------

SVB = "params/deals/ibasis/facilities/svb-loan-agreement.yaml"
VARIANTS = {
    "certificate_lag_30": {"original.borrowing_base.certificate_lag_days.value": 30},
    "act_365f_margin_excess_at_over_advance_rate": {
        "original.interest.day_count.value": "ACT/365F",
        "original.interest.margin.value": "0.005",
        "original.interest.excess_over_limit_pricing.value": "over_advance",
    },
    "agings_sum_springing_at_or_below": {
        "amendments.0.changes.triggers.agings_measure.value": "sum",
        "amendments.0.changes.covenants.replace.borrower_ebitda.springing.comparison": "<=",
    },
}
FACILITIES = {name: load(SVB, overrides=o) for name, o in VARIANTS.items()}


@pytest.mark.parametrize("variant", list(VARIANTS))
@settings(max_examples=8, deadline=None)
@given(s=shocks(SHORT))
def test_engine_matches_reference_on_variants_of_the_terms(variant: str, s: dict[str, Any]) -> None:
    block = shocked(s, SHORT_BLOCKS)
    assert_engine_matches_reference(dataclasses.replace(block, facility=FACILITIES[variant]))


# --------------------------------------------------------------------------------------
# Properties of the engine on random blocks
# --------------------------------------------------------------------------------------


def _stack(blocks: list[ScenarioBlock]) -> ScenarioBlock:
    """One block of the scenarios of several one-scenario blocks (they share the deal)."""
    first = blocks[0]
    return dataclasses.replace(
        first,
        names=tuple(f"{b.names[0]}#{i}" for i, b in enumerate(blocks)),
        drivers={k: np.concatenate([b.drivers[k] for b in blocks]) for k in first.drivers},
        opening={k: np.concatenate([b.opening[k] for b in blocks]) for k in first.opening},
    )


random_shocks = st.lists(shocks(SHORT), min_size=1, max_size=8)


def _block_of(many: list[dict[str, Any]]) -> ScenarioBlock:
    return _stack([shocked(s, SHORT_BLOCKS) for s in many])


def _opening_cents(block: ScenarioBlock, name: str) -> np.ndarray:
    return _cents(block.opening[name])


@settings(max_examples=60, deadline=None)
@given(many=random_shocks)
def test_cash_and_revolver_identities_hold_every_month(many: list[dict[str, Any]]) -> None:
    block = _block_of(many)
    run = run_block(block)
    g, m, e = run.grid, run.monthly, run.event
    cash = _opening_cents(block, "cash")
    outstanding = _opening_cents(block, "revolver_outstanding")
    before = {
        "receivables": _opening_cents(block, "receivables_domestic")
        + _opening_cents(block, "receivables_foreign"),
        **{
            k: _opening_cents(block, k)
            for k in ("payables", "deferred_revenue", "other_current_liabilities")
        },
    }
    for k in range(len(g.month_ends)):
        days = np.nonzero(g.month == k)[0]

        def flow(name: str, days: np.ndarray = days) -> np.ndarray:
            return e[name][:, days].sum(axis=1)

        now = {
            "receivables": m["receivables_domestic"][:, k] + m["receivables_foreign"][:, k],
            **{
                n: m[n][:, k] for n in ("payables", "deferred_revenue", "other_current_liabilities")
            },
        }
        operating = (
            m["ebitda"][:, k]
            - m["one_time_costs"][:, k]
            - (now["receivables"] - before["receivables"])
            + sum(
                now[n] - before[n]
                for n in ("payables", "deferred_revenue", "other_current_liabilities")
            )
        )
        paid_out = sum(
            m[n][:, k]
            for n in (
                "capex_unfunded",
                "income_taxes_paid",
                "other_debt_interest",
                "dividends",
                "repurchases",
            )
        )
        np.testing.assert_array_equal(m["operating_cash"][:, k], operating)
        closing = (
            cash
            + operating
            - paid_out
            + flow("draw")
            - flow("repayment")
            - flow("forced_repayment")
            - flow("interest_paid")
            - flow("fees_paid")
            + flow("funding_gap")
        )
        np.testing.assert_array_equal(e["cash"][:, days[-1]], closing)
        np.testing.assert_array_equal(
            e["outstanding"][:, days[-1]],
            outstanding + flow("draw") - flow("repayment") - flow("forced_repayment"),
        )
        # a month's interest is paid on the first day of the next month, nothing else is
        paid = flow("interest_paid")
        np.testing.assert_array_equal(paid, m["interest_accrued"][:, k - 1] if k else 0 * paid)
        cash, outstanding, before = e["cash"][:, days[-1]], e["outstanding"][:, days[-1]], now


def _increase(c: dict[str, np.ndarray], opening: dict[str, int], k: str, i: int) -> int:
    """Quarter ``i``'s increase of a balance (from the opening figure for the first)."""
    return int(c[k][i] - (c[k][i - 1] if i else opening[k]))


@settings(max_examples=40, deadline=None)
@given(many=random_shocks)
def test_quarterly_frame_adds_up(many: list[dict[str, Any]]) -> None:
    block = _block_of(many)
    p = project(block)
    for s, name in enumerate(p.scenarios):
        q = p.quarters.xs(name, level="scenario")
        c = {k: _cents(q[k]) for k in q.columns if q[k].dtype.kind == "f"}
        opening = {
            "cash": _opening_cents(block, "cash")[s],
            "outstanding": _opening_cents(block, "revolver_outstanding")[s],
            "receivables": _opening_cents(block, "receivables_domestic")[s]
            + _opening_cents(block, "receivables_foreign")[s],
            **{
                k: _opening_cents(block, k)[s]
                for k in ("payables", "deferred_revenue", "other_current_liabilities", "other_debt")
            },
        }
        for i in range(len(q)):
            up = {k: _increase(c, opening, k, i) for k in opening}
            # operating cash is before the payments (the engine docstring), and the cash
            # identity holds on the reported columns
            assert c["operating_cash"][i] == (
                c["ebitda"][i]
                - c["one_time_costs"][i]
                - up["receivables"]
                + up["payables"]
                + up["deferred_revenue"]
                + up["other_current_liabilities"]
            )
            assert up["cash"] == (
                c["operating_cash"][i]
                - c["income_taxes_paid"][i]
                - c["capex_unfunded"][i]
                - c["other_debt_interest"][i]
                - c["dividends"][i]
                - c["repurchases"][i]
                + c["draw"][i]
                - c["repayment"][i]
                - c["forced_repayment"][i]
                - c["interest_paid"][i]
                - c["fees_paid"][i]
                + c["funding_gap"][i]
            )
            assert up["outstanding"] == c["draw"][i] - c["repayment"][i] - c["forced_repayment"][i]
            assert up["other_debt"] == c["capex_funded"][i]
            assert c["liquidity"][i] == c["cash"][i] + c["availability"][i]
            assert 0 <= c["min_liquidity"][i] <= c["liquidity"][i]
            assert c["interest_expense"][i] == (
                c["revolver_interest"][i] + c["facility_fees"][i] + c["other_debt_interest"][i]
            )


def _thresholds(days: pd.DatetimeIndex) -> pd.DataFrame:
    """The line and the cash-dominion threshold of each day, from the terms (cents)."""
    fac = SCENARIOS["legacy"].facility
    rows = []
    for d in days:
        t = fac.terms_as_of(d.date())
        rows.append(
            (int(t.line * 100), int(t.triggers.cash_dominion_below.amount_on(d.date()) * 100))
        )
    return pd.DataFrame(rows, index=days, columns=["line", "dominion_below"])


SHORT_DAYS = _thresholds(pd.date_range("2008-04-01", SHORT_BLOCKS["legacy"].quarter_ends[-1]))


@settings(max_examples=40, deadline=None)
@given(many=random_shocks)
def test_every_day_the_balance_stays_within_the_limit(many: list[dict[str, Any]]) -> None:
    block = _block_of(many)
    p = project(block)
    for s in range(block.size):
        d = p.daily(s)
        c = {k: _cents(d[k]) for k in DAILY_CENTS}
        assert (c["outstanding"] >= 0).all() and (c["outstanding"] <= c["limit"]).all()
        np.testing.assert_array_equal(
            c["limit"], np.minimum(SHORT_DAYS["line"].to_numpy(), c["borrowing_base"])
        )
        assert (c["availability"] >= 0).all()
        # while an Event of Default continues the bank lends nothing: no draw, nil availability
        eod = d["event_of_default"].to_numpy(bool)
        np.testing.assert_array_equal(
            c["availability"], np.where(eod, 0, c["limit"] - c["outstanding"])
        )
        assert (c["draw"][eod] == 0).all()
        assert d["cash_dominion"].to_numpy(bool)[eod].all()
        np.testing.assert_array_equal(c["liquidity"], c["cash"] + c["availability"])
        assert (c["cash"] >= 0).all() and (c["excess"] == 0).all()
        assert ((c["over_advance_used"] >= 0) & (c["over_advance_used"] <= c["outstanding"])).all()
        for k in ("draw", "repayment", "forced_repayment", "funding_gap"):
            assert (c[k] >= 0).all(), k
        # a day that draws does not repay, and a funding gap comes only once availability is used
        assert not ((c["draw"] > 0) & (c["repayment"] > 0)).any()
        assert (c["availability"][c["funding_gap"] > 0] == 0).all()
        np.testing.assert_array_equal(
            d["cash_dominion"].to_numpy(),
            (c["liquidity"] < SHORT_DAYS["dominion_below"].to_numpy()) | eod,
        )


@settings(max_examples=40, deadline=None)
@given(many=random_shocks, cushion=st.sampled_from(["0.10", "0.25", "0"]))
def test_each_covenant_flag_agrees_with_actual_against_required(
    many: list[dict[str, Any]], cushion: str
) -> None:
    block = _block_of(many)
    cov = project(block, cushion=cushion).covenants
    tested = cov[cov["status_code"].isin(["complies", "amber", "breach"])]
    assert len(tested)  # Consolidated EBITDA is tested every quarter
    meets = np.where(
        tested["direction"] == "min",
        tested["actual"] >= tested["required"],
        tested["actual"] <= tested["required"],
    )
    np.testing.assert_array_equal(tested["complies"].to_numpy(bool), meets)
    np.testing.assert_array_equal(tested["status_code"] == "breach", ~meets)
    inside = meets & (tested["headroom"] / tested["required"].abs() < float(cushion))
    np.testing.assert_array_equal(tested["status_code"] == "amber", inside)
    assert tested["applies"].all()
    others = cov[~cov.index.isin(tested.index)]
    assert not others["complies"].any()
    assert set(others["status_code"]) <= {"not_required", "threshold_not_provided"}
    assert not others.loc[others["status_code"] == "not_required", "applies"].any()


# --------------------------------------------------------------------------------------
# One quarter worked by hand
# --------------------------------------------------------------------------------------
# the base case as of 2008-03-31 (tests/fixtures/base-as-of-2008-03-31.yaml) with a one-quarter horizon (2008-04-01 to 2008-06-30) and round
# drivers. The deal is params/deals/ibasis/facilities/svb-loan-agreement.yaml: the original terms until
# 2008-04-27 (line $35M, 80% / 70%, cash dominion below $15M, Borrower EBITDA springing below
# $15M, no agings right), the First Loan Modification from 2008-04-28 (line $50M, clause (c)
# over-advance $15M through 05-31 and $11.25M from 06-01, +1.25% on it, dominion below $10M
# through 05-30 and $15M from 05-31, agings right below $15M read 'either', fees $150,000 +
# $75,000 on 04-28, Cash Flow springing below $20M). Prime (params/deals/ibasis/scenarios/
# prime-rate-2007-2009.csv): 5.25% from 2008-03-19, 5.00% from 2008-05-01; margin 0; ACT/360.
#
# Opening (2008-03-31): cash 10,000,000; receivables 40,000,000 domestic + 60,000,000 foreign;
# certificate 30,000,000 / 11,000,000 eligible; revolver 31,700,000 (= the 04-01 limit:
# 80% x 30M + 70% x 11M = 24,000,000 + 7,700,000 = 31,700,000 < line 35M); payables
# 90,000,000; deferred revenue 4,000,000 and other current liabilities 25,000,000 (held).
#
# Months: revenue 300,000,000 / 3 = 100,000,000 a month; 60% foreign = 60,000,000, domestic
# 40,000,000. EBITDA 30,000,000 / 3 = 10,000,000; costs 90,000,000 a month. Taxes paid
# 300,000 / 3 = 100,000, capex 1,500,000 / 3 = 500,000 a month; dividends 25,000,000 and
# repurchases 15,000,000 on 06-30 only.
#   receivables (DSO 30): April (30 days) 40,000,000 x 30/30 = 40,000,000 and 60,000,000;
#     May (31 days) 40,000,000 x 30/31 = 38,709,677.419 -> 38,709,677.42 and 60,000,000 x
#     30/31 = 58,064,516.129 -> 58,064,516.13; June as April.
#   certificates (ineligible 50% / 90%, whole dollars): April 20,000,000 / 6,000,000; May
#     19,354,838.71 -> 19,354,839 and 5,806,451.613 -> 5,806,452; June 20,000,000 / 6,000,000.
#   payables (30 days of costs): 90,000,000; 90,000,000 x 30/31 = 87,096,774.19; 90,000,000.
#   operating cash (before the month's payments): April 10,000,000 - 0 (receivables flat) + 0
#     = 10,000,000; May 10,000,000 + 3,225,806.45 (receivables 100,000,000 -> 96,774,193.55)
#     - 2,903,225.81 (payables down) = 10,322,580.64; June 10,000,000 - 3,225,806.45
#     + 2,903,225.81 = 9,677,419.36. Then paid: 600,000 a month (taxes and capex), and on
#     06-30 25,000,000 + 15,000,000 of dividends and repurchases: net -30,922,580.64 in June.
#
# Days (policy: draw below 10,000,000, repay above 40,000,000 or, under dominion, above
# 10,000,000):
#   04-01..04-27: base 31,700,000 = limit = outstanding, availability 0, cash 10,000,000,
#     liquidity 10,000,000 < 15M: cash dominion, but cash is not above 10M: nothing moves.
#     No interest is paid on 04-01 (March is before the projection).
#   04-28: fees 225,000 -> cash 9,775,000. Base 31,700,000 + 15,000,000 (c)(i) = 46,700,000
#     (< line 50M); availability 15,000,000; liquidity 24,775,000 >= 10M. Draw 225,000 ->
#     outstanding 31,925,000, of which 225,000 over-advance (above the 31,700,000 receivables
#     base).
#   04-30: April certificate: receivables base 16,000,000 + 4,200,000 = 20,200,000, base
#     35,200,000; cash 10,000,000 + 9,400,000 = 19,400,000; availability 3,275,000; over-advance
#     in use 31,925,000 - 20,200,000 = 11,725,000.
#   05-01: April interest paid (below): cash 19,260,791.32.
#   05-31: May certificate: 80% x 19,354,839 + 70% x 5,806,452 = 15,483,871.20 + 4,064,516.40
#     = 19,548,387.60, base 34,548,387.60; cash 19,260,791.32 + 9,722,580.64 = 28,983,371.96;
#     availability 2,623,387.60; liquidity 31,606,759.56 >= 15M (step (b) from 05-31); cash
#     below 40M: nothing. Over-advance in use 31,925,000 - 19,548,387.60 = 12,376,612.40.
#   06-01: May interest paid -> 28,833,273.81. Clause (c)(ii): base 19,548,387.60 +
#     11,250,000 = 30,798,387.60 < outstanding 31,925,000: 1,126,612.40 repaid at once ->
#     outstanding 30,798,387.60 (11,250,000 over-advance), cash 27,706,661.41, availability 0.
#   06-30: June certificate: base 20,200,000 + 11,250,000 = 31,450,000, availability
#     651,612.40; cash 27,706,661.41 - 30,922,580.64 = -3,215,919.23; liquidity max(0,
#     -2,564,306.83) = 0 < 15M: dominion; cash below 10M: draw all 651,612.40 -> outstanding
#     31,450,000, cash -2,564,306.83: funding gap 2,564,306.83, cash 0, liquidity 0.
#
# Interest (ACT/360, summed exactly, rounded once a month); "x" = balance x rate:
#   April: 27 days x 31,700,000 x 5.25% = 44,934,750; 04-28..29: 2 x (31,700,000 x 5.25%
#     + 225,000 x 6.50%) = 3,328,500 + 29,250; 04-30: 20,200,000 x 5.25% + 11,725,000 x 6.50%
#     = 1,060,500 + 762,125. Sum 50,115,125 / 360 = 139,208.6805 -> 139,208.68, paid 05-01.
#   May: 30 x (20,200,000 x 5% + 11,725,000 x 6.25%) = 30 x 1,742,812.50 = 52,284,375;
#     05-31: 19,548,387.60 x 5% + 12,376,612.40 x 6.25% = 977,419.38 + 773,538.275.
#     Sum 54,035,332.655 / 360 = 150,098.1463 -> 150,098.15, paid 06-01.
#   June: 29 x (19,548,387.60 x 5% + 11,250,000 x 6.25%) = 29 x 1,680,544.38 = 48,735,787.02;
#     06-30: 20,200,000 x 5% + 11,250,000 x 6.25% = 1,713,125. Sum 50,448,912.02 / 360 =
#     140,135.8667 -> 140,135.87, accrued (paid after the horizon).
#   Revolver interest of the quarter 139,208.68 + 150,098.15 + 140,135.87 = 429,442.70.
#
# Quarter: net income 30,000,000 - 3,000,000 - 1,500,000 - 600,000 - (429,442.70 + 225,000)
#   - 900,000 = 23,345,557.30. Cash 10,000,000 + 30,000,000 (operating) - 1,800,000 (taxes
#   and capex) - 40,000,000 (distributions) + 876,612.40 (draws)
#   - 1,126,612.40 (forced) - 289,306.83 (interest paid) - 225,000 (fees) + 2,564,306.83
#   (gap) = 0.
# Days under the triggers: cash dominion 04-01..04-27 (10M < 15M) and 06-30: 28; agings
#   (right from 04-28): cash 10M < 15M on 04-28..29, then availability < 15M every day to
#   06-30: 64; springing: original Borrower EBITDA (< 15M) 04-01..04-27 and Cash Flow (< 20M)
#   on 06-30: 28.
# Covenants, 2008-06-30 (First Loan Modification, in force when the certificate is due):
#   Consolidated EBITDA 30,000,000 >= 7,500,000, headroom 300%: complies. Cash Flow springs
#   (liquidity below 20M on 04-01..04-27 and 06-30): 30,000,000 x 37.5% = 11,250,000 -
#   1,500,000 - 300,000 - 40,000,000 = -30,550,000 < 2,000,000: breach. Adjusted Quick Ratio
#   (0 + 100,000,000) / (31,450,000 + 90,000,000 + 25,000,000 - 4,000,000) = 0.70200...
#   -> 0.7020, no threshold in the documents: threshold_not_provided.

HAND = {
    "horizon_quarters.value": 1,
    "opening.cash.value": 10_000_000,
    "opening.receivables_domestic.value": 40_000_000,
    "opening.receivables_foreign.value": 60_000_000,
    "opening.revolver_outstanding.value": 31_700_000,
    "opening.payables.value": 90_000_000,
    "drivers.revenue": {"value": 300_000_000, "assumption": "hand-worked test"},
    "drivers.ebitda": {"value": 30_000_000, "assumption": "hand-worked test"},
    "drivers.dso_domestic.value": 30,
    "drivers.dso_foreign.value": 30,
    "drivers.ineligible_domestic.value": "0.50",
    "drivers.ineligible_foreign.value": "0.90",
    "drivers.payables_days.value": 30,
    "drivers.depreciation.value": 3_000_000,
    "drivers.amortization.value": 1_500_000,
    "drivers.non_cash_items.value": 600_000,
    "drivers.income_tax_expense.value": 900_000,
    "drivers.income_taxes_paid.value": 300_000,
    "drivers.capex_unfunded.value": 1_500_000,
    "drivers.dividends.value": 25_000_000,
    "drivers.repurchases.value": 15_000_000,
    "drivers.repay_above.value": 40_000_000,
}

HAND_MONTHS = {  # April, May, June 2008 (dollars)
    "revenue": ["100000000", "100000000", "100000000"],
    "receivables_domestic": ["40000000", "38709677.42", "40000000"],
    "receivables_foreign": ["60000000", "58064516.13", "60000000"],
    "eligible_domestic": ["20000000", "19354839", "20000000"],
    "eligible_foreign": ["6000000", "5806452", "6000000"],
    "payables": ["90000000", "87096774.19", "90000000"],
    # before the month's payments (taxes 100,000 and capex 500,000 a month; the quarter's
    # dividends 25,000,000 and repurchases 15,000,000 on June 30): EBITDA 10,000,000 less
    # the increase in receivables plus the increase in payables
    "operating_cash": ["10000000", "10322580.64", "9677419.36"],
    "interest_accrued": ["139208.68", "150098.15", "140135.87"],
}

# day: borrowing base, limit, outstanding, cash, availability, liquidity, over-advance in use,
# draw, repayment at once, interest paid, fees, funding gap (dollars)
HAND_DAYS = {
    D(2008, 4, 1): ("31700000", "31700000", "31700000", "10000000", "0", "10000000", "0")
    + ("0", "0", "0", "0", "0"),
    D(2008, 4, 27): ("31700000", "31700000", "31700000", "10000000", "0", "10000000", "0")
    + ("0", "0", "0", "0", "0"),
    D(2008, 4, 28): ("46700000", "46700000", "31925000", "10000000", "14775000", "24775000")
    + ("225000", "225000", "0", "0", "225000", "0"),
    D(2008, 4, 30): ("35200000", "35200000", "31925000", "19400000", "3275000", "22675000")
    + ("11725000", "0", "0", "0", "0", "0"),
    D(2008, 5, 1): ("35200000", "35200000", "31925000", "19260791.32", "3275000")
    + ("22535791.32", "11725000", "0", "0", "139208.68", "0", "0"),
    D(2008, 5, 31): ("34548387.60", "34548387.60", "31925000", "28983371.96", "2623387.60")
    + ("31606759.56", "12376612.40", "0", "0", "0", "0", "0"),
    D(2008, 6, 1): ("30798387.60", "30798387.60", "30798387.60", "27706661.41", "0")
    + ("27706661.41", "11250000", "0", "1126612.40", "150098.15", "0", "0"),
    D(2008, 6, 30): ("31450000", "31450000", "31450000", "0", "0", "0", "11250000")
    + ("651612.40", "0", "0", "0", "2564306.83"),
}
HAND_DAY_COLUMNS = (
    "borrowing_base",
    "limit",
    "outstanding",
    "cash",
    "availability",
    "liquidity",
    "over_advance_used",
    "draw",
    "forced_repayment",
    "interest_paid",
    "fees_paid",
    "funding_gap",
)

HAND_QUARTER = {  # 2008-06-30 (dollars; days)
    "revenue": "300000000",
    "ebitda": "30000000",
    "operating_cash": "30000000",
    "revolver_interest": "429442.70",
    "facility_fees": "225000",
    "interest_paid": "289306.83",
    "net_income": "23345557.30",
    "borrower_ebitda": "11250000",
    "draw": "876612.40",
    "repayment": "0",
    "forced_repayment": "1126612.40",
    "funding_gap": "2564306.83",
    "cash": "0",
    "outstanding": "31450000",
    "peak_outstanding": "31925000",
    "availability": "0",
    "liquidity": "0",
    "min_liquidity": "0",
    "receivables": "100000000",
    "eligible_domestic": "20000000",
    "eligible_foreign": "6000000",
    "borrowing_base": "31450000",
    "over_advance_used": "11250000",
    "payables": "90000000",
    "days_cash_dominion": "28",
    "days_agings": "64",
    "days_below_springing": "28",
}

HAND_COVENANTS = {  # covenant: (required, actual, status_code)
    "consolidated_ebitda": ("7500000", "30000000", "complies"),
    "borrower_cash_flow": ("2000000", "-30550000", "breach"),
    "adjusted_quick_ratio": (None, "0.7020", "threshold_not_provided"),
}


HAND_SCENARIO = load(LEGACY, overrides=HAND)


@pytest.fixture(scope="module")
def hand() -> tuple[Projection, Reference]:
    assert HAND_SCENARIO.quarter_ends == (D(2008, 6, 30),)
    return project(HAND_SCENARIO), reference_projection(HAND_SCENARIO)


def _assert_hand_quarter(
    p: Projection, ref: Reference, quarter: dt.date, expected: dict[str, str]
) -> None:
    """The engine's and the reference's quarter equal the hand-worked figures (dollars, or
    whole days for ``days_*``)."""
    q = p.quarters.loc[("base", quarter)]
    for name, want in expected.items():
        if name.startswith("days_"):
            assert q[name] == int(want), name
            assert ref.quarters.loc[quarter, name] == int(want), name
        else:
            assert _cents(q[name]) == int(Decimal(want) * 100), (name, float(q[name]), want)
            assert ref.quarters.loc[quarter, name] == int(Decimal(want) * 100), name


def test_hand_worked_months(hand: tuple[Projection, Reference]) -> None:
    p, ref = hand
    run = run_block(ScenarioBlock.from_scenarios(HAND_SCENARIO))
    assert run.grid.month_ends == (D(2008, 4, 30), D(2008, 5, 31), D(2008, 6, 30))
    for name, want in HAND_MONTHS.items():
        cents = [int(Decimal(x) * 100) for x in want]
        assert run.monthly[name][0].tolist() == cents, name
    assert [m.balances["eligible_domestic"] for m in ref.months] == [
        int(Decimal(x) * 100) for x in HAND_MONTHS["eligible_domestic"]
    ]
    assert [m.operating_cash for m in ref.months] == [
        int(Decimal(x) * 100) for x in HAND_MONTHS["operating_cash"]
    ]


@pytest.mark.parametrize("day", list(HAND_DAYS))
def test_hand_worked_days(hand: tuple[Projection, Reference], day: dt.date) -> None:
    p, ref = hand
    engine = p.daily(0).loc[pd.Timestamp(day)]
    for name, want in zip(HAND_DAY_COLUMNS, HAND_DAYS[day], strict=True):
        cents = int(Decimal(want) * 100)
        assert _cents(engine[name]) == cents, (name, float(engine[name]), want)
        assert ref.days.loc[day, name] == cents, (name, "reference")


def test_hand_worked_base_rate_and_triggers(hand: tuple[Projection, Reference]) -> None:
    d = hand[0].daily(0)
    assert d.loc["2008-04-30", "base_rate"] == 0.0525 and d.loc["2008-05-01", "base_rate"] == 0.05
    assert d.loc["2008-04-27", "version"] == "original"
    assert d.loc["2008-04-28", "version"] == "first_modification"
    dominion = d.index[d["cash_dominion"]]
    assert list(dominion) == [
        *pd.date_range("2008-04-01", "2008-04-27"),
        pd.Timestamp("2008-06-30"),
    ]
    assert d.index[d["agings_reports_required"]][0] == pd.Timestamp("2008-04-28")


def test_hand_worked_quarter(hand: tuple[Projection, Reference]) -> None:
    p, ref = hand
    _assert_hand_quarter(p, ref, D(2008, 6, 30), HAND_QUARTER)
    gaps = p.funding_gaps.loc["base"]
    assert (gaps["first_date"], gaps["first_amount"]) == (D(2008, 6, 30), 2_564_306.83)


def test_hand_worked_covenants(hand: tuple[Projection, Reference]) -> None:
    p, ref = hand
    cov = p.covenants.xs(("base", D(2008, 6, 30)), level=("scenario", "quarter_end"))
    assert set(cov.index) == set(HAND_COVENANTS)
    for cid, (required, actual, code) in HAND_COVENANTS.items():
        row, r = cov.loc[cid], ref.covenants.loc[(D(2008, 6, 30), cid)]
        assert (row["status_code"], r["status_code"]) == (code, code), cid
        assert row["actual"] == float(actual) and r["actual"] == Decimal(actual), cid
        if required is None:
            assert np.isnan(row["required"]) and r["required"] is None
        else:
            assert row["required"] == float(required) and r["required"] == Decimal(required)
    assert bool(cov.loc["borrower_cash_flow", "applies"])


# --------------------------------------------------------------------------------------
# The hand-worked case extended by one quarter, 2008-Q3, under `enforce`
#
# The Cash Flow test of 2008-06-30 failed (above): an Event of Default from the day its
# Compliance Certificate is due, 2008-06-30 + 45 days = 2008-08-14 (the facility's
# events_of_default: no new advances, cash dominion, no dividends or repurchases, +5% on the
# rate). Same drivers; prime 5.00% all quarter; over-advance $11.25M through 08-31, $7.5M
# from 09-01; dominion threshold $15M through 08-30, $20M from 08-31.
#
# Months: July and August have 31 days, September 30.
#   receivables: July and August 38,709,677.42 + 58,064,516.13 (as May), September
#     40,000,000 + 60,000,000; certificates: July and August 19,354,839 / 5,806,452 (receivables
#     base 15,483,871.20 + 4,064,516.40 = 19,548,387.60), September 20,000,000 / 6,000,000 (base
#     20,200,000). Payables 87,096,774.19, 87,096,774.19, 90,000,000.
#   operating cash: July 10,000,000 + 3,225,806.45 - 2,903,225.81 = 10,322,580.64; August
#     10,000,000; September 10,000,000 - 3,225,806.45 + 2,903,225.81 = 9,677,419.36; 600,000 a
#     month paid; the 40,000,000 of dividends and repurchases of 09-30 blocked.
# Days (from cash 0, outstanding 31,450,000 = 20,200,000 + 11,250,000 over-advance):
#   07-01: June interest 140,135.87 paid, cash -140,135.87; limit 31,450,000 = outstanding,
#     availability 0: no draw; funding gap 140,135.87, cash 0.
#   07-31: July certificate: limit 19,548,387.60 + 11,250,000 = 30,798,387.60: 651,612.40
#     repaid at once (cash -651,612.40); + 10,322,580.64 - 600,000 = 9,070,968.24; liquidity
#     9,070,968.24 < 15M, dominion, cash below 10M and nothing available: nothing moves.
#   08-01: July interest (below) 147,428.60 paid: cash 8,923,539.64.
#   08-14: Event of Default: availability counts nil, collections swept; no change that day.
#   08-31: August certificate (base unchanged); + 10,000,000 - 600,000 = 18,323,539.64; swept
#     above 10,000,000: 8,323,539.64 repaid, outstanding 22,474,847.96, over-advance in use
#     22,474,847.96 - 19,548,387.60 = 2,926,460.36.
#   09-01: August interest 219,108.41 paid: cash 9,780,891.59; clause (c)(iii): limit
#     19,548,387.60 + 7,500,000 = 27,048,387.60 above the balance: no forced repayment; no draw
#     (default).
#   09-30: September certificate (base 20,200,000): + 9,677,419.36 - 600,000 = 18,858,310.95;
#     dividends and repurchases blocked; 8,858,310.95 swept: outstanding 13,616,537.01 (no
#     over-advance in use), cash 10,000,000, liquidity 10,000,000 (the Bank lends nothing).
# Interest (ACT/360; "x" = balance x rate; +5% from 08-14):
#   July: 30 x (20,200,000 x 5% + 11,250,000 x 6.25%) = 30 x 1,713,125 = 51,393,750; 07-31:
#     19,548,387.60 x 5% + 11,250,000 x 6.25% = 1,680,544.38. Sum 53,074,294.38 / 360 =
#     147,428.5955 -> 147,428.60, paid 08-01.
#   August: 13 x 1,680,544.38 = 21,847,076.94 (08-01..08-13); 17 x (19,548,387.60 x 10% +
#     11,250,000 x 11.25%) = 17 x 3,220,463.76 = 54,747,883.92 (08-14..08-30); 08-31:
#     19,548,387.60 x 10% + 2,926,460.36 x 11.25% = 2,284,065.5505. Sum 78,879,026.4105 / 360
#     = 219,108.4067 -> 219,108.41, paid 09-01.
#   September: 29 x 2,284,065.5505 = 66,237,900.9645; 09-30: 13,616,537.01 x 10% =
#     1,361,653.701. Sum 67,599,554.6655 / 360 = 187,776.5407 -> 187,776.54 (accrued).
#   Revolver interest of the quarter: 147,428.60 + 219,108.41 + 187,776.54 = 554,313.55.
# Quarter: net income 30,000,000 - 3,000,000 - 1,500,000 - 600,000 - 554,313.55 - 900,000
#   = 23,445,686.45. Cash 0 + 30,000,000 - 1,800,000 - 17,181,850.59 (swept) - 651,612.40
#   (forced) - 506,672.88 (interest paid: 140,135.87 + 147,428.60 + 219,108.41) + 140,135.87
#   (gap) = 10,000,000. Days in default 08-14..09-30: 18 + 30 = 48.
# Covenants, 2008-09-30: Consolidated EBITDA 30,000,000 >= 9,000,000: complies. Cash Flow
#   springs (liquidity below 20M): 11,250,000 - 1,500,000 - 300,000 - 0 (the distributions were
#   blocked) = 9,450,000 >= 2,000,000: complies. The default continues all the same
#   (enforce: no cure in the documents).

HAND_Q3 = {  # 2008-09-30 (dollars; days)
    "operating_cash": "30000000",
    "revolver_interest": "554313.55",
    "interest_paid": "506672.88",
    "net_income": "23445686.45",
    "draw": "0",
    "repayment": "17181850.59",
    "forced_repayment": "651612.40",
    "funding_gap": "140135.87",
    "cash": "10000000",
    "outstanding": "13616537.01",
    "availability": "0",
    "liquidity": "10000000",
    "dividends": "0",
    "repurchases": "0",
    "distributions_blocked": "40000000",
    "over_advance_used": "0",
    "days_in_default": "48",
}


@pytest.fixture(scope="module")
def hand_enforced() -> tuple[Projection, Reference]:
    scenario = load(LEGACY, overrides=HAND | {"horizon_quarters.value": 2})
    assert scenario.quarter_ends[-1] == D(2008, 9, 30)
    assert scenario.terms.lender.response.value == "enforce"
    return project(scenario), reference_projection(scenario)


def test_hand_worked_quarter_under_enforce(hand_enforced: tuple[Projection, Reference]) -> None:
    p, ref = hand_enforced
    _assert_hand_quarter(p, ref, D(2008, 9, 30), HAND_Q3)
    d = p.daily(0)
    assert d.index[d["event_of_default"]][0] == pd.Timestamp("2008-08-14")
    assert (d.loc["2008-08-14":, "draw"] == 0).all()
    assert [float(x) for x in p.blocks[0].run.monthly["interest_accrued"][0, 3:] / 100] == [
        147_428.60,
        219_108.41,
        187_776.54,
    ]
    cov = p.covenants.xs(("base", D(2008, 9, 30)), level=("scenario", "quarter_end"))
    assert cov.loc["consolidated_ebitda", "status_code"] == "complies"
    assert (
        cov.loc["borrower_cash_flow", "status_code"],
        cov.loc["borrower_cash_flow", "actual"],
    ) == (
        "complies",
        9_450_000.0,
    )


# --------------------------------------------------------------------------------------
# Disagreements found by the oracle: the engine against its specification
# --------------------------------------------------------------------------------------


def test_a_certificate_rounds_an_exact_half_dollar_up() -> None:
    # Engine docstring: the certificate reports round(receivables x (1 - ineligible share))
    # in whole dollars, "half up throughout", and "every amount is kept in integer cents, so
    # the arithmetic is exact". Revenue 300,000,375 a quarter: April 100,000,125, domestic
    # 40% = 40,000,050 (foreign round(60,000,075) = 60,000,075), receivables at DSO 30 over 30
    # days 40,000,050.00; 11% eligible = 4,400,005.50 exactly -> 4,400,006.
    # 1.0 - 0.89 in binary floating point is 0.10999999999999999, which gives 4,400,005.
    scenario = load(
        LEGACY,
        overrides=HAND
        | {
            "drivers.revenue": {"value": "300000375", "assumption": "an exact half dollar"},
            "drivers.ineligible_domestic.value": "0.89",
        },
    )
    ref = reference_projection(scenario, with_covenants=False)
    assert ref.months[0].balances["receivables_domestic"] == 4_000_005_000
    assert ref.months[0].balances["eligible_domestic"] == 440_000_600
    run = run_block(ScenarioBlock.from_scenarios(scenario))
    assert run.monthly["eligible_domestic"][0, 0] == 440_000_600


def test_a_one_time_fee_is_paid_once_when_a_later_amendment_keeps_it() -> None:
    # A later amendment that does not restate `fees` carries the earlier version's list (the
    # terms merge an amendment's changes into the previous version), so the fees of
    # 2008-04-28 appear in two versions; they are due once (engine docstring step 2, grid
    # docstring: "the day of each one-time fee"): $150,000 + $75,000 = $225,000.
    oa = {
        "reference": "(c)",
        "assumption": "test: a second amendment restates the remaining clause (c) steps",
        "steps": [
            {"from_date": "2008-10-01", "to_date": "2008-11-30", "amount": 7_500_000},
            {"from_date": "2008-12-01", "to_date": "2009-02-28", "amount": 3_750_000},
            {"from_date": "2009-03-01", "to_date": None, "amount": 0},
        ],
    }
    second = {
        "name": "second_modification",
        "title": "Second Loan Modification (test)",
        "effective_date": {"value": "2008-10-01", "assumption": "test"},
        "changes": {
            "revolving_line": {"value": 30_000_000, "assumption": "test: a smaller line"},
            "borrowing_base": {"over_advance": oa},
        },
    }
    first = _raw_first_amendment()
    fac = load(SVB, overrides={"amendments": [first, second]})
    assert [f.name for f in fac.version("second_modification").fees] == [
        "supplemental_commitment_fee",
        "modification_fee",
    ]
    block = dataclasses.replace(SHORT_BLOCKS["legacy"], facility=fac)
    ref = reference_projection(block, with_covenants=False)
    assert ref.quarters["fees_paid"].tolist() == [22_500_000, 0, 0, 0, 0, 0]
    assert _cents(project(block).quarters["fees_paid"]).tolist() == [22_500_000, 0, 0, 0, 0, 0]


def _raw_first_amendment() -> dict[str, Any]:
    import yaml

    from model import paths

    raw = yaml.safe_load((paths.ROOT / SVB).read_text())
    return raw["amendments"][0]
