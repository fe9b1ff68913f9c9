"""Hostile inputs to the scenarios, the public analytics, the command line and the readers
(issue 19): each class of input that was accepted, or failed deep inside a library, is
refused at the package's door with its own message naming the file, key or argument and
the rule.

Every case asserts its message; the classes are tested with several members each.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from model import paths
from model.engines.projection import project
from model.engines.projection.analytics import (
    breach_probability,
    breakeven,
    random_paths,
    repurchase_capacity,
    sensitivity_grid,
    summary,
)
from model.errors import InputError, ModelError, ParamsError
from model.terms import load

SCEN = paths.PARAMS / "deals" / "ibasis" / "scenarios"
SCRATCH = paths.PARAMS / "deals" / "ibasis" / f".hostile-{uuid.uuid4().hex[:8]}"
REL = SCRATCH.relative_to(paths.ROOT).as_posix()
BASE = (SCEN / "base.yaml").read_text(encoding="utf-8")
STRESS = (SCEN / "stress-2008.yaml").read_text(encoding="utf-8")
# a scenario whose opening figures are all given (no reported quarters): tests/fixtures
OPENED = (paths.ROOT / "tests" / "fixtures" / "base-as-of-2008-03-31.yaml").read_text()
COMPANIONS = (
    "prime-rate-2007-2009.csv",
    "svb-receivables-sample.csv",
    "svb-cash-sample.csv",
    "svb-draws-sample.csv",
)


@pytest.fixture(scope="module", autouse=True)
def scratch() -> Iterator[Path]:
    SCRATCH.mkdir()
    for name in COMPANIONS:
        shutil.copy(SCEN / name, SCRATCH / name)
    yield SCRATCH
    shutil.rmtree(SCRATCH, ignore_errors=True)


def sub(text: str, old: str, new: str) -> str:
    assert old in text, f"{old!r} not in the base file"
    return text.replace(old, new, 1)


def _scenario(text: str) -> Any:
    (SCRATCH / "s.yaml").write_text(text, encoding="utf-8")
    return load(f"{REL}/s.yaml")


REVENUE = "  revenue:\n    - {value: 241300000,"
EBITDA = "  ebitda:\n    - {value: 11800000,"
STRESS_REVENUE = '{growth: "-0.05", from: 324900000,'

SCENARIO_CASES = [
    # money in the drivers is read as the terms read money: digits, cents at most
    (
        "exponent-revenue",
        BASE,
        REVENUE,
        '  revenue:\n    - {value: "3.61E+08",',
        r"line 37: drivers\.revenue\[0\]: '3\.61E\+08' has an exponent: write the amount in digits",
    ),
    ("exponent-lower", BASE, REVENUE, '  revenue:\n    - {value: "2.413e8",', r"exponent"),
    (
        "bad-separators",
        BASE,
        REVENUE,
        '  revenue:\n    - {value: "241,30,000",',
        r"thousands separators",
    ),
    ("sub-cent", BASE, EBITDA, '  ebitda:\n    - {value: "11800000.005",', r"two decimals"),
    # growth is a fraction a quarter: 2 means +200%, refused with the reading it suggests
    (
        "growth-2",
        STRESS,
        STRESS_REVENUE,
        "{growth: 2, from: 324900000,",
        r"growth is a fraction a quarter: 2 is \+200% a quarter, beyond the limit of ±100%; "
        r"for 2% a quarter write 0\.02",
    ),
    (
        "growth-1.5",
        STRESS,
        STRESS_REVENUE,
        '{growth: "1.5", from: 324900000,',
        r"\+150% a quarter.*write 0\.015",
    ),
    (
        "growth--5",
        STRESS,
        STRESS_REVENUE,
        '{growth: "-5", from: 324900000,',
        r"growth -5 would take the value to zero or below",
    ),
    (
        "growth-text",
        STRESS,
        STRESS_REVENUE,
        '{growth: "fast", from: 324900000,',
        r"revenue\.growth.*not an amount",
    ),
    # EBITDA is what is left of revenue: never above it
    (
        "ebitda-above-revenue",
        BASE,
        EBITDA,
        "  ebitda:\n    - {value: 300000000,",
        r"drivers\.ebitda: EBITDA of quarter 1 \(300,000,000\) is above its revenue "
        r"\(241,300,000\)",
    ),
    # the opening position is held to the facility's rules at the opening date
    (
        "revolver-above-line",
        OPENED,
        "  revolver_outstanding: {value: 20000000,",
        "  revolver_outstanding: {value: 60000000,",
        r"opening\.revolver_outstanding: 60,000,000\.00 is above the Revolving Line "
        r"\(\d[\d,]*\.00\) in force on 2008-03-31",
    ),
    (
        "revolver-matured",
        STRESS,
        "  maturity: {value: 2010-10-02,",
        "  maturity: {value: 2008-01-31,",
        r"revolver\.maturity: the revolver matures on 2008-01-31, on or before the projection opens "
        r"\(2008-03-31\), yet 28,000,000\.00 is outstanding under it",
    ),
]


@pytest.mark.parametrize(
    ("text", "old", "new", "said"),
    [c[1:] for c in SCENARIO_CASES],
    ids=[c[0] for c in SCENARIO_CASES],
)
def test_a_scenario_value_breaking_a_rule_is_refused(text, old, new, said):
    with pytest.raises(ParamsError) as e:
        _scenario(sub(text, old, new))
    assert re.search(said, str(e.value)), str(e.value)
    assert f"{REL}/s.yaml" in str(e.value)


def test_the_drivers_as_written_still_load():
    for name in ("base", "downside", "upside", "stress-2008"):
        assert load(f"params/deals/ibasis/scenarios/{name}.yaml").name == name


# --- the public analytics check their arguments at the door -----------------------------

S = load("params/deals/ibasis/scenarios/base.yaml")
D = load("params/deals/ibasis/scenarios/downside.yaml")

ANALYTICS_CASES: list[tuple[str, Callable[[], Any], str]] = [
    ("duplicate-names", lambda: project([S, S]), r"scenario name\(s\) base given more than once"),
    ("duplicate-among", lambda: project([S, D, S]), r"base given more than once"),
    ("empty-list", lambda: project([]), r"scenarios: give at least one scenario"),
    ("project-none", lambda: project(None), r"give a scenario"),
    (
        "grid-names-only",
        lambda: sensitivity_grid(S, "revenue", "dso"),
        r"x: an axis is \(shock, values\), e.g\. \('revenue', \[0, -0\.05, -0\.15\]\), not 'revenue'",
    ),
    ("grid-three", lambda: sensitivity_grid(S, ("revenue", [0], 1), ("dso", [0])), r"x: an axis"),
    (
        "grid-unknown-shock",
        lambda: sensitivity_grid(S, ("sales", [0]), ("dso", [0])),
        r"x shock: unknown value 'sales'; valid: 'revenue', 'ebitda', 'dso'",
    ),
    (
        "grid-text-values",
        lambda: sensitivity_grid(S, ("revenue", ["ten"]), ("dso", [0])),
        r"x: the values of shock revenue are numbers; \[0\] is 'ten'",
    ),
    (
        "grid-values-text",
        lambda: sensitivity_grid(S, ("revenue", [0]), ("dso", "0, 5")),
        r"y: the values of shock dso are a list of numbers",
    ),
    (
        "grid-nan",
        lambda: sensitivity_grid(S, ("revenue", [float("nan")]), ("dso", [0])),
        r"x: the values of shock revenue are finite numbers; \[0\] is nan",
    ),
    (
        "grid-empty",
        lambda: sensitivity_grid(S, ("revenue", []), ("dso", [0])),
        r"x: give at least one value for shock revenue",
    ),
    (
        "grid-repeated",
        lambda: sensitivity_grid(S, ("revenue", [0.1, 0.1]), ("dso", [0])),
        r"x: the values of shock revenue repeat \(0\.1\)",
    ),
    ("grid-bool", lambda: sensitivity_grid(S, ("revenue", [True]), ("dso", [0])), r"\[0\] is True"),
    (
        "summary-none",
        lambda: summary(None),
        r"projection: summary takes a Projection \(project\(scenario\)\), not NoneType",
    ),
    ("summary-scenario", lambda: summary(S), r"not Scenario"),
    (
        "breakeven-tiny",
        lambda: breakeven(S, tolerance=1e-300),
        r"tolerance: breakeven resolves to 1e-09 at the finest \(a fraction\); a tolerance of "
        r"1e-300 is below what the arithmetic can resolve",
    ),
    ("breakeven-zero", lambda: breakeven(S, tolerance=0), r"tolerance: breakeven resolves to"),
    ("breakeven-half", lambda: breakeven(S, tolerance=0.5), r"tolerance: must be below 0\.5"),
    (
        "capacity-zero",
        lambda: repurchase_capacity(S, "2009-09-30", tolerance=0),
        r"tolerance: repurchase_capacity resolves to 0\.01 at the finest \(a cent\)",
    ),
    (
        "capacity-tiny",
        lambda: repurchase_capacity(S, "2009-09-30", tolerance=1e-12),
        r"below what the arithmetic can resolve",
    ),
    (
        "volatility-500",
        lambda: random_paths(S, 10, seed=1, growth_volatility=5, margin_volatility=0.01),
        r"growth_volatility: a volatility is a standard deviation a quarter, as a fraction "
        r"\(0\.05 for 5%\): 5 is 500% a quarter, beyond the limit of 100%",
    ),
    (
        "margin-volatility",
        lambda: breach_probability(S, 10, margin_volatility=2),
        r"margin_volatility: .*200% a quarter",
    ),
    ("paths-zero", lambda: breach_probability(S, 0), r"n: must be a whole number from 1 to"),
    ("paths-huge", lambda: breach_probability(S, 10**9), r"n: must be a whole number"),
    (
        "correlation",
        lambda: breach_probability(S, 10, correlation=2),
        r"correlation: must be between -1 and 1",
    ),
]


@pytest.mark.parametrize(
    ("call", "said"), [c[1:] for c in ANALYTICS_CASES], ids=[c[0] for c in ANALYTICS_CASES]
)
def test_an_analytics_argument_breaking_a_rule_is_refused(call, said):
    with pytest.raises(InputError) as e:
        call()
    assert re.search(said, str(e.value)), str(e.value)


def test_a_search_at_the_finest_tolerance_returns():
    """The floor is reachable, and the bisection returns its bracket within its rounds."""
    out = breakeven(D, tolerance=1e-9)
    gap = out["first_failing_decline"] - out["breakeven_decline"]
    assert (gap.dropna() <= 1e-9).all()


def test_breach_probability_is_the_same_drawn_in_blocks_of_any_size():
    """The paths are drawn and projected block by block; with the same seed, the blocks
    draw the same shocks as one block (rows in order) when the stream is not split."""
    one = breach_probability(D, 300, seed=7, block_size=4096)
    again = breach_probability(D, 300, seed=7)
    assert one.equals(again)
    split = breach_probability(D, 300, seed=7, block_size=100)
    # another split of the stream: a different sample of the same distribution
    p1, p2 = one["probability"].to_numpy(), split["probability"].to_numpy()
    assert np.all(np.abs(p1 - p2) <= 0.25) and split["paths"].eq(300).all()


# --- the command line -----------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "model", *args],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["run", "03-covenant-compliance", "-p", "officer_title", "--force"],
            r"-p officer_title --force: '--force' is an option, not a value of officer_title; "
            r"to give a value that starts with '-', write -p officer_title=--force",
        ),
        (["run", "-p", "officer_title", "-j"], r"'-j' is an option"),
        (
            ["run", "--timeout", "nan"],
            r"the timeout is a number of seconds above 0 and at most 2,592,000 \(30 days\), not nan",
        ),
        (["run", "--timeout", "inf"], r"not inf"),
        (["run", "--timeout", "-5"], r"not -5"),
        (["run", "--timeout", "soon"], r"'soon' is not a number of seconds"),
        (["run", "--timeout", "1e10"], r"at most 2,592,000 \(30 days\), not 1e10"),
    ],
)
def test_the_command_line_refuses_an_option_as_a_value_and_nan(args, said):
    done = _cli(*args)
    assert done.returncode == 2
    assert re.search(said, done.stderr), done.stderr
    assert "Traceback" not in done.stderr


def test_model_params_checks_a_deal_file_as_model_run_does():
    folder = SCRATCH / "ibasis"  # a deal's name is its folder's
    folder.mkdir(exist_ok=True)
    text = (paths.DEALS / "ibasis" / "deal.yaml").read_text()
    text = sub(
        sub(text, "04-projection", "04-projectoin"),
        "scenarios: scenarios",
        "scenarios: ../../scenarios",
    )
    (folder / "deal.yaml").write_text(text, encoding="utf-8")
    done = _cli("params", f"{REL}/ibasis/deal.yaml")
    assert done.returncode == 1
    assert "no notebook 04-projectoin in notebooks/" in done.stderr, done.stderr
    ok = _cli("params", "params/deals/ibasis/deal.yaml")
    assert ok.returncode == 0 and "reports planned" not in ok.stderr
    assert re.search(r"deal\.yaml: ok; \d+ notebooks, 4 scenarios, \d+ reports planned", ok.stdout)


def test_a_negative_number_is_a_value_not_an_option():
    from model.run.cli import _split_parameters

    assert _split_parameters(["-p", "cushion", "-0.05"]) == ["-p", "cushion=-0.05"]


# --- an error from inside a library is not a message -----------------------------------------

NOTE = (paths.PARAMS / "deals/ibasis/instruments/8pct-secured-convertible-2007.yaml").read_text()


def test_a_5000_digit_principal_names_the_file_and_line():
    (SCRATCH / "note.yaml").write_text(sub(NOTE, "value: 29000000", "value: " + "9" * 5000))
    with pytest.raises(ParamsError) as e:
        load(f"{REL}/note.yaml")
    said = str(e.value)
    assert f"{REL}/note.yaml: line 13" in said
    assert "a number of 5,000 digits cannot be read as a number" in said


@pytest.mark.parametrize("name", ["params/a\x00b.yaml", Path("/tmp/a\x00b.yaml")])
def test_a_nul_byte_in_a_file_name(name):
    with pytest.raises(ParamsError, match="a file name has no NUL character"):
        load(name)


def test_yaml_nested_too_deep_names_the_file():
    (SCRATCH / "deep.yaml").write_text("a: " + "[" * 5000 + "]" * 5000)
    with pytest.raises(ParamsError, match=rf"{REL}/deep\.yaml: line 1: .*nest more than 24 deep"):
        load(f"{REL}/deep.yaml")


def test_every_case_is_a_model_error():
    assert issubclass(ParamsError, ModelError) and issubclass(InputError, ModelError)
    assert len(SCENARIO_CASES) + len(ANALYTICS_CASES) >= 35


def test_growth_past_the_plausible_range_is_a_warning_not_an_error():
    from model.engines.projection.plausibility import plausibility

    s = _scenario(sub(STRESS, STRESS_REVENUE, '{growth: "0.6", from: 324900000,'))
    w = plausibility(project(s))
    said = w[w["check"] == "revenue_growth"]["message"].tolist()
    assert said == [
        "Revenue changes by +60% in the quarter ending 2008-06-30, beyond ±50% a quarter."
    ]
    assert "revenue_growth" not in set(
        plausibility(project(load(SCEN / "stress-2008.yaml")))["check"]
    )


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            "  dso_domestic: {value: 49,",
            "  dso_domestic: {value: 200,",
            "DSO, domestic of 200 days in the quarter ending 2009-09-30 is outside the plausible 10 "
            "to 150 days.",
        ),
        (
            '  ineligible_foreign: {value: "0.86",',
            '  ineligible_foreign: {value: "0.97",',
            "outside the plausible 0 to 0.95.",
        ),
    ],
)
def test_a_driver_outside_its_plausible_range_is_a_warning(old, new, said):
    from model.engines.projection.plausibility import plausibility
    from model.terms.scenarios import DRIVERS

    w = plausibility(project(_scenario(sub(BASE, old, new))))
    found = w[w["check"] == "driver_range"]["message"].tolist()
    assert len(found) == 1 and found[0].endswith(said), found
    assert DRIVERS["dso_domestic"].plausible is not None  # data beside the hard limits
    assert DRIVERS["dso_domestic"].high == 365


@pytest.mark.parametrize("timeout", [float("nan"), float("inf"), 1e10, 0, -1])
def test_run_batch_refuses_a_timeout_no_timer_can_keep(timeout):
    from model.run import run_batch

    with pytest.raises(InputError, match=r"--timeout: the timeout is a number of seconds above 0"):
        run_batch(["01-interest-accrual"], timeout=timeout)


def test_actuals_read_directly_stay_inside_params():
    from model.terms.actuals import load_actuals_csv

    with pytest.raises(ParamsError, match="'/etc/passwd' is outside the params folder"):
        load_actuals_csv(Path("/etc/passwd"))


def test_a_renamed_driver_says_its_new_name():
    text = sub(BASE, "  one_time_costs:", "  kpn_transaction_costs:")
    with pytest.raises(
        ParamsError,
        match=r"drivers\.kpn_transaction_costs: unknown driver "
        r"\(renamed 'one_time_costs'",
    ):
        _scenario(text)


def test_grid_values_may_be_any_sequence_of_numbers():
    import pandas as pd

    g = sensitivity_grid(S, ("revenue", pd.Series([0, -0.15])), ("dso", (0, 10)))
    assert g["first_breach"].astype(str).tolist() == ["None", "None", "None", "2009-09-30"]


def test_the_markdown_certificate_keeps_links_as_text():
    from model.reports.certificate.words import markdown_text

    assert markdown_text("![t](https://x/p.png) [a](javascript:alert(1))") == (
        "!\\[t\\](https://x/p.png) \\[a\\](javascript:alert(1))"
    )
