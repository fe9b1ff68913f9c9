"""Scenario params files (``kind: scenario``, model/terms/scenarios.py): the malformed-input
corpus of the kind, and what the four shipped scenarios hold.

Each malformed case writes a copy of ``params/deals/ibasis/scenarios/base.yaml`` with one defect (and the
files it names) into a scratch folder inside ``params/`` (so it is named relative to the
project, as a user would see it), loads it as a user would, and asserts the error class and
the words of the message: the file, the line, the key path and the rule. Checks made when
projecting (``project(load(...))``) raise :class:`~model.errors.InputError` naming the driver.

Cases the code gets wrong today are kept asserting the right behaviour and marked
``xfail(strict=True, reason="FINDING: ...")``.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from model import paths
from model.engines.projection import project
from model.errors import InputError, ModelError, ParamsError
from model.terms import load
from model.terms.scenarios import DRIVERS, Scenario

SCRATCH = paths.PARAMS / "deals" / "ibasis" / f".scenarios-{uuid.uuid4().hex[:8]}"
REL = SCRATCH.relative_to(paths.ROOT).as_posix()
FILE = rf"{re.escape(REL)}/scenario\.yaml"

SHIPPED = ("base", "downside", "upside", "stress-2008")


def _text(rel: str) -> str:
    return (paths.ROOT / rel).read_text(encoding="utf-8")


BASE = _text(
    "tests/fixtures/base-as-of-2008-03-31.yaml"
)  # the scenario shape with every opening figure
RATES = _text("params/deals/ibasis/scenarios/prime-rate-2007-2009.csv")
NOTE = _text("params/deals/ibasis/instruments/8pct-secured-convertible-2007.yaml")

# Whole lines and pieces of base.yaml that the cases replace.
DIVIDENDS = 'dividends: {value: 0, assumption: "No dividends (iBasis paid none)."}'
FLAT = '{growth: 0, assumption: "Flat at the 2009-Q2 level after the reported quarters."}'
REVENUE_PQ = "[360800000, 338000000, 299800000, 255500000, 241300000]"
EBITDA = (
    "  ebitda:\n"
    "    - {per_quarter: [12700000, 10300000, 8100000, 9700000, 10700000], source: "
    '"reference/ibasis-quarterly-public.csv (public filings: iBasis earnings releases, Form 8-K '
    "Exhibit 99.1), 2008-Q2 to 2009-Q2; the company's Adjusted EBITDA, taken as the covenant's "
    'EBITDA before non-cash items (assumption)"}\n'
    f"    - {FLAT}\n"
)
MATURITY = (
    "maturity: {value: 2010-10-02, assumption: \"The Revolving Line's maturity date is not in "
    'the documents; taken as three years after the 2007-10-02 agreement."}'
)


def sub(text: str, old: str, new: str, count: int = 1) -> str:
    """``text`` with ``old`` replaced (which must be there: a case that changes nothing
    would pass for the wrong reason)."""
    assert old in text, f"{old!r} not in the base file"
    return text.replace(old, new, count)


@pytest.fixture(scope="module", autouse=True)
def scratch() -> Iterator[Path]:
    SCRATCH.mkdir()
    yield SCRATCH
    shutil.rmtree(SCRATCH, ignore_errors=True)


def write(files: dict[str, str]) -> None:
    for old in SCRATCH.iterdir():
        old.unlink()
    for name, content in files.items():
        (SCRATCH / name).write_text(content, encoding="utf-8")


@dataclass(frozen=True)
class Case:
    """Files to write, what to call, and the error it must raise (every regex in ``match``
    must be found in the message)."""

    id: str
    call: Callable[[], Any]
    error: type[Exception]
    match: tuple[str, ...]
    files: dict[str, str] = field(default_factory=dict)
    finding: str | None = None


def loads() -> Any:
    return load(f"{REL}/scenario.yaml")


def projects() -> Any:
    return project(load(f"{REL}/scenario.yaml"))


def scenario_files(
    text: str, rates: str = RATES, extra: dict[str, str] | None = None
) -> dict[str, str]:
    return {"scenario.yaml": text, "prime-rate-2007-2009.csv": rates, **(extra or {})}


def case(
    id: str,
    old: str,
    new: str,
    *match: str,
    rates: str = RATES,
    extra: dict[str, str] | None = None,
    finding: str | None = None,
) -> Case:
    """base.yaml with ``old`` replaced by ``new``, loaded: a ParamsError naming the file."""
    return Case(
        id,
        loads,
        ParamsError,
        (FILE, *match),
        scenario_files(sub(BASE, old, new), rates, extra),
        finding,
    )


CASES = [
    # --- drivers: names and which are given ---------------------------------------------
    case(
        "unknown-driver-misspelt",
        "  dso_domestic:",
        "  dso_domestc:",
        r"line 35: drivers\.dso_domestc: ",
        r"unknown driver \(did you mean 'dso_domestic'\?\)",
        r"drivers: revenue, ebitda, ebitda_margin",
    ),
    case(
        "missing-required-driver",
        f"  {DIVIDENDS}\n",
        "",
        r"line 26: drivers: ",
        r"missing driver\(s\): dividends",
    ),
    case(
        "both-ebitda-and-margin",
        EBITDA,
        EBITDA + "  ebitda_margin: {value: '0.03', assumption: x}\n",
        r"line 26: drivers: ",
        "give exactly one of ebitda and ebitda_margin",
    ),
    case(
        "neither-ebitda-nor-margin",
        EBITDA,
        "",
        r"line 26: drivers: ",
        "give exactly one of ebitda and ebitda_margin",
    ),
    # --- drivers: bounds, NaN, cents -------------------------------------------------------
    case(
        "negative-dso",
        "dso_domestic: {value: 48,",
        "dso_domestic: {value: -5,",
        r"line 35: drivers\.dso_domestic\[0\]: ",
        r"dso_domestic: -5 is outside 0 to 365 \(days: ",
    ),
    case(
        "ebitda-margin-over-100-percent",
        EBITDA,
        "  ebitda_margin: {value: '1.2', assumption: x}\n",
        r"line 30: drivers\.ebitda_margin\[0\]: ",
        r"ebitda_margin: 1\.2 is outside -1 to 1 \(fraction: ",
    ),
    case(
        "ebitda-margin-as-percent",
        EBITDA,
        "  ebitda_margin: {value: 5, assumption: x}\n",
        r"line 30: drivers\.ebitda_margin\[0\]: ",
        r"ebitda_margin: 5 is outside -1 to 1",
    ),
    case(
        "nan-yaml",
        "dso_domestic: {value: 48,",
        "dso_domestic: {value: .nan,",
        r"line 35: drivers\.dso_domestic\.value: ",
        r"'\.nan' is not a finite decimal number",
    ),
    case(
        "nan-text",
        "dso_domestic: {value: 48,",
        'dso_domestic: {value: "nan",',
        r"line 35: drivers\.dso_domestic\[0\]: ",
        r"dso_domestic: not an amount: 'nan'",
    ),
    case(
        "nan-text-in-per-quarter",
        REVENUE_PQ,
        "['NaN', 338000000, 299800000, 255500000, 241300000]",
        r"line 28: drivers\.revenue\[0\]: ",
        r"revenue\[0\]: not an amount: 'NaN'",
    ),
    case(
        "nan-text-growth",
        FLAT,
        '{growth: "nan", assumption: x}',
        r"line 29: drivers\.revenue\[1\]: ",
        r"revenue\.growth: not an amount: 'nan'",
    ),
    case(
        "tenth-of-a-cent-in-a-driver",
        DIVIDENDS,
        'dividends: {value: "0.001", assumption: x}',
        r"line 47: drivers\.dividends\[0\]: ",
        r"at most two decimals, cents \(got 0\.001\)",
    ),
    case(
        "boolean-as-a-driver",
        "repurchases: {value: 0,",
        "repurchases: {value: true,",
        r"line 34: drivers\.repurchases\[0\]: ",
        "a yes/no value is not an amount",
    ),
    case(
        "base-rate-shift-as-percent",
        f"  {DIVIDENDS}\n",
        f"  {DIVIDENDS}\n  base_rate_shift: {{value: 1, assumption: x}}\n",
        r"line 48: drivers\.base_rate_shift\[0\]: ",
        r"base_rate_shift: 1 is outside -0\.2 to 0\.2 \(rate: ",
    ),
    # --- drivers: covering the horizon ---------------------------------------------------
    case(
        "per-quarter-longer-than-quarters-left",
        REVENUE_PQ,
        "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]",
        r"line 28: drivers\.revenue\[0\]: ",
        r"per_quarter has 12 values but only 11 quarter\(s\) of the 11-quarter horizon are left",
    ),
    case(
        "pieces-stop-before-the-horizon",
        DIVIDENDS,
        "dividends: {value: 0, quarters: 5, assumption: x}",
        r"line 47: drivers\.dividends: ",
        r"the pieces cover 5 quarter\(s\); the horizon is 11 \(horizon_quarters\)",
    ),
    case(
        "horizon-past-what-the-drivers-cover",
        f"    - {FLAT}\n  ebitda:",
        "  ebitda:",
        r"line 27: drivers\.revenue: ",
        r"the pieces cover 5 quarter\(s\); the horizon is 11 \(horizon_quarters\)",
        "add a piece",
    ),
    case(
        "piece-after-the-horizon-is-covered",
        DIVIDENDS,
        "dividends: [{value: 0, quarters: 11, assumption: a}, {value: 1, assumption: b}]",
        r"line 47: drivers\.dividends\[1\]: ",
        "this piece starts after the 11-quarter horizon has been covered",
    ),
    case(
        "quarters-missing-on-a-middle-piece",
        DIVIDENDS,
        "dividends: [{value: 0, assumption: a}, {value: 1, assumption: b}]",
        r"line 47: drivers\.dividends\[0\]: ",
        "give 'quarters' for every piece but the last",
    ),
    case(
        "quarters-beyond-the-horizon",
        DIVIDENDS,
        "dividends: {value: 0, quarters: 12, assumption: x}",
        r"line 47: drivers\.dividends\[0\]: ",
        r"quarters is 12 but only 11 quarter\(s\) of the horizon are left",
    ),
    case(
        "quarters-zero",
        DIVIDENDS,
        "dividends: {value: 0, quarters: 0, assumption: x}",
        r"line 47: drivers\.dividends\[0\]\.quarters: ",
        "greater than or equal to 1",
    ),
    # --- drivers: the form of a piece ------------------------------------------------------
    case(
        "growth-minus-one",
        FLAT,
        "{growth: -1, assumption: x}",
        r"line 29: drivers\.revenue\[1\]: ",
        "growth -1 would take the value to zero or below",
    ),
    case(
        "growth-below-minus-one",
        FLAT,
        '{growth: "-1.5", assumption: x}',
        r"line 29: drivers\.revenue\[1\]: ",
        r"growth -1\.5 would take the value to zero or below",
    ),
    case(
        "growth-without-a-previous-value",
        DIVIDENDS,
        'dividends: {growth: "0.01", assumption: x}',
        r"line 47: drivers\.dividends\[0\]: ",
        "growth needs a previous piece or 'from'",
    ),
    case(
        "from-without-growth",
        DIVIDENDS,
        "dividends: {value: 0, from: 5, assumption: x}",
        r"line 47: drivers\.dividends\[0\]: ",
        "'from' goes with growth",
    ),
    case(
        "piece-with-two-forms",
        DIVIDENDS,
        'dividends: {value: 0, growth: "0.01", assumption: x}',
        r"line 47: drivers\.dividends\[0\]: ",
        r"give exactly one of value, per_quarter, growth \(got value, growth\)",
    ),
    case(
        "piece-with-no-form",
        DIVIDENDS,
        "dividends: {assumption: x}",
        r"line 47: drivers\.dividends\[0\]: ",
        r"give exactly one of value, per_quarter, growth \(got none\)",
    ),
    case(
        "quarters-on-a-per-quarter-piece",
        DIVIDENDS,
        "dividends: {per_quarter: [0, 0], quarters: 2, assumption: x}",
        r"line 47: drivers\.dividends\[0\]: ",
        "per_quarter gives its own number of quarters; drop 'quarters'",
    ),
    case(
        "empty-per-quarter",
        REVENUE_PQ,
        "[]",
        r"line 28: drivers\.revenue\[0\]: ",
        "per_quarter needs at least one value",
    ),
    case(
        "misspelt-key-in-a-piece",
        DIVIDENDS,
        "dividends: {value: 0, quartrs: 3, assumption: x}",
        r"line 47: drivers\.dividends\[0\]\.quartrs: ",
        "unknown key",
    ),
    case(
        "missing-provenance-on-a-piece",
        FLAT,
        "{growth: 0}",
        r"line 29: drivers\.revenue\[1\]: ",
        "every term needs a 'source' .* or an 'assumption'",
    ),
    case(
        "both-provenances-on-a-piece",
        DIVIDENDS,
        "dividends: {value: 0, source: a, assumption: b}",
        r"line 47: drivers\.dividends\[0\]: ",
        "give either 'source' or 'assumption', not both",
    ),
    # --- the opening position --------------------------------------------------------------
    # The Opening checks report at the `opening:` mapping (line 9) and name the field in the rule.
    case(
        "opening-date-not-a-quarter-end",
        "date: {value: 2008-03-31",
        "date: {value: 2008-04-30",
        r"line 9: opening: ",
        "date 2008-04-30 is not a fiscal quarter end",
    ),
    case(
        "eligible-above-gross-receivables",
        "eligible_domestic: {value: 30000000",
        "eligible_domestic: {value: 68000001",
        r"line 9: opening: ",
        "eligible_domestic 68,000,001 is above receivables_domestic 68,000,000",
    ),
    case(
        "eligible-not-in-whole-dollars",
        "eligible_foreign: {value: 11000000",
        "eligible_foreign: {value: 11000000.50",
        r"line 9: opening: ",
        r"eligible_foreign: a Borrowing Base Certificate reports whole dollars \(got 11000000\.5\)",
    ),
    case(
        "tenth-of-a-cent-in-an-opening-amount",
        "cash: {value: 25000000",
        "cash: {value: 25000000.001",
        r"line 11: opening\.cash\.value: ",
        r"at most two decimals, cents \(got 25000000\.001\)",
    ),
    case(
        "negative-opening-amount",
        "payables: {value: 135000000",
        "payables: {value: -135000000",
        r"line 18: opening\.payables\.value: ",
        r"must not be negative \(got -135000000\)",
    ),
    case(
        "day-first-opening-date",
        "date: {value: 2008-03-31",
        "date: {value: '31/03/2008'",
        r"line 10: opening\.date\.value: ",
        "day-first and month-first dates are refused",
    ),
    case(
        "opening-before-the-facility-agreement",
        # 2007-09-30: a quarter end covered by the rate path (from 2007-09-19), before 2007-10-02
        "date: {value: 2008-03-31",
        "date: {value: 2007-09-30",
        r"line 10: opening\.date: ",
        "2007-09-30 is before the facility's agreement date 2007-10-02",
    ),
    case(
        "missing-opening-figure",
        '  repurchases_to_date: {value: 0, assumption: "No repurchase under Sec. 7.7(b)(v) before '
        'the projection."}\n',
        "",
        r"line 9: opening\.repurchases_to_date: ",
        r"missing key \(required\)",
    ),
    # --- referenced files ------------------------------------------------------------------
    case(
        "facility-file-names-a-note",
        "facility_file: ../facilities/svb-loan-agreement.yaml",
        "facility_file: note.yaml",
        r"line 7: facility_file: ",
        r"note\.yaml is not a 'facility' file \(this is a 'fixed_rate_note' file\)",
        extra={"note.yaml": NOTE},
    ),
    case(
        "facility-file-escapes-params",
        "facility_file: ../facilities/svb-loan-agreement.yaml",
        "facility_file: ../../../../pyproject.toml",
        r"line 7: facility_file: ",
        r"'(\.\./){4}pyproject\.toml' escapes the folder params",
    ),
    case(
        "facility-file-names-itself",
        "facility_file: ../facilities/svb-loan-agreement.yaml",
        "facility_file: scenario.yaml",
        r"line 7: facility_file: ",
        "a file cannot refer to itself",
    ),
    case(
        "facility-file-not-found",
        "facility_file: ../facilities/svb-loan-agreement.yaml",
        "facility_file: nowhere.yaml",
        r"line 7: facility_file: ",
        r"no such file: nowhere\.yaml",
    ),
    case(
        "facility-file-names-a-csv",
        "facility_file: ../facilities/svb-loan-agreement.yaml",
        "facility_file: prime-rate-2007-2009.csv",
        r"line 7: facility_file: ",
        r"prime-rate-2007-2009\.csv is a CSV file .*; a 'facility' file \(YAML\) is needed here",
    ),
    case(
        "missing-base-rate-file",
        "base_rate_file: prime-rate-2007-2009.csv\n",
        "",
        r"line 3: base_rate_file: ",
        r"missing key \(required\)",
    ),
    case(
        "base-rate-file-not-found",
        "base_rate_file: prime-rate-2007-2009.csv",
        "base_rate_file: nowhere.csv",
        r"line 8: base_rate_file: ",
        r"no such file: nowhere\.csv",
    ),
    case(
        "base-rate-path-starts-after-the-projection",
        "kind: scenario",
        "kind: scenario",
        r"line 8: base_rate_file: ",
        r"the base rate path starts 2008-05-01, after the projection starts \(2008-04-01\)",
        rates="date,rate\n2008-05-01,0.05\n",
    ),
    case(
        "base-rate-file-misspelt-column",
        "kind: scenario",
        "kind: scenario",
        r"line 8: base_rate_file: prime-rate-2007-2009\.csv: ",
        rf"{re.escape(REL)}/prime-rate-2007-2009\.csv: line 1: header: ",
        r"unknown column 'rat' \(did you mean 'rate'\?\)",
        rates="date,rat\n2008-01-01,0.05\n",
    ),
    case(
        "base-rate-as-percent",
        "kind: scenario",
        "kind: scenario",
        r"line 8: base_rate_file: ",
        r"prime-rate-2007-2009\.csv: line 2: rate: a rate is a decimal fraction",
        rates="date,rate\n2007-01-01,5\n",
    ),
    case(
        "base-rate-file-names-actuals",
        "base_rate_file: prime-rate-2007-2009.csv",
        "base_rate_file: ../actuals/ibasis-2008.csv",
        r"line 8: base_rate_file: ",
        "unknown column 'quarter_end'",
        "missing column 'date'",
    ),
    # --- horizon and revolver policy -------------------------------------------------------
    case(
        "horizon-zero",
        "horizon_quarters: {value: 11,",
        "horizon_quarters: {value: 0,",
        r"line 22: horizon_quarters: ",
        r"horizon_quarters is 1 to 200 quarters \(got 0\)",
    ),
    case(
        "horizon-201",
        "horizon_quarters: {value: 11,",
        "horizon_quarters: {value: 201,",
        r"line 22: horizon_quarters: ",
        r"horizon_quarters is 1 to 200 quarters \(got 201\)",
    ),
    case(
        "horizon-yaml-1.1-octal",
        "horizon_quarters: {value: 11,",
        "horizon_quarters: {value: 011,",
        r"line 22: horizon_quarters\.value: ",
        r"'011' is not a decimal whole number \(YAML 1\.1 would read it as 9\)",
    ),
    case(
        "after-maturity-not-repay-or-renew",
        "after_maturity: {value: renew",
        "after_maturity: {value: extend",
        r"line 25: revolver\.after_maturity\.value: ",
        r"'repay' or 'renew' \(got 'extend'\)",
    ),
    case(
        "maturity-impossible-date",
        "maturity: {value: 2010-10-02",
        "maturity: {value: 2010-02-30",
        r"line 24: revolver\.maturity\.value: ",
        r"'2010-02-30' is not a calendar date \(February 2010 has 28 days\)",
    ),
    case(
        "maturity-before-the-facility-agreement",
        MATURITY,
        "maturity: {value: 2001-10-02, assumption: x}",
        r"line 24: revolver\.maturity",
        "2001-10-02",
        "not after the facility's agreement date 2007-10-02",
    ),
    case(
        "opening-date-at-the-end-of-the-calendar",
        "date: {value: 2008-03-31",
        "date: {value: 9999-06-30",
        r"line (10|22): (opening\.date|horizon_quarters)",
        "9999",
    ),
    # --- the file as a whole ---------------------------------------------------------------
    case(
        "unknown-top-level-key",
        "kind: scenario",
        "kind: scenario\nhorizon: 3",
        r"line 4: horizon: ",
        "unknown key",
    ),
    case(
        "misspelt-kind",
        "kind: scenario",
        "kind: scenarios",
        r"line 3: kind: ",
        "unknown kind 'scenarios'",
    ),
    # --- checked when projecting -----------------------------------------------------------
    Case(
        "project-repay-above-below-minimum-cash",
        projects,
        InputError,
        (
            r"drivers\[repay_above\]: ",
            r"repay_above 5,000,000\.00 is below minimum_cash 10,000,000\.00",
            r"quarter 2008-06-30",
        ),
        scenario_files(sub(BASE, "repay_above: {value: 20000000", "repay_above: {value: 5000000")),
    ),
    Case(
        "project-rate-below-zero",
        projects,
        InputError,
        (r"drivers\[base_rate_shift\]: ", "base rate \\+ margin \\+ base_rate_shift is below zero"),
        scenario_files(
            sub(
                BASE,
                f"  {DIVIDENDS}\n",
                f"  {DIVIDENDS}\n  base_rate_shift: {{value: '-0.2', assumption: x}}\n",
            )
        ),
    ),
]


def _param(c: Case) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=f"FINDING: {c.finding}")] if c.finding else []
    return pytest.param(c, id=c.id, marks=marks)


def test_the_corpus_is_large_and_ids_are_unique() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_a_malformed_scenario_is_refused_with_a_clear_error(case: Case) -> None:
    write(case.files)
    with pytest.raises(case.error) as info:
        case.call()
    assert isinstance(info.value, ModelError), f"not a ModelError: {type(info.value).__mro__}"
    message = str(info.value)
    for pattern in case.match:
        assert re.search(pattern, message), f"{pattern!r} not in: {message}"
    # the message names no absolute path of this machine
    assert str(paths.ROOT) not in message


def test_the_unchanged_copy_loads() -> None:
    # the cases above fail for their defect, not for the copy (its folder, its rate file)
    write(scenario_files(BASE))
    assert isinstance(loads(), Scenario)


# --- the shipped scenarios -------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> dict[str, Scenario]:
    return {n: load(f"params/deals/ibasis/scenarios/{n}.yaml") for n in SHIPPED}


def _quarter_ends(first: dt.date, n: int) -> list[dt.date]:
    out, y, m = [], first.year, first.month
    for _ in range(n):
        out.append(dt.date(y, m, 30 if m in (6, 9) else 31))
        y, m = (y + 1, 3) if m == 12 else (y, m + 3)
    return out


def test_the_four_shipped_scenarios_load(shipped: dict[str, Scenario]) -> None:
    assert [s.name for s in shipped.values()] == list(SHIPPED)
    for s in shipped.values():
        assert isinstance(s, Scenario)
        assert s.facility.agreement_date == dt.date(2007, 10, 2)
        assert s.terms.revolver.after_maturity.value == "renew"


REBASED = ("base", "downside", "upside")  # open at the last reported quarter, 2009-06-30


def test_the_horizons_run_to_the_end_of_2010(shipped: dict[str, Scenario]) -> None:
    for name in REBASED:
        s = shipped[name]
        assert s.terms.horizon_quarters.value == 6
        assert list(s.quarter_ends) == _quarter_ends(dt.date(2009, 9, 30), 6), name
    # the back-test: a forecast as of 2008-03-31, 2008-Q2 to 2010-Q4
    assert list(shipped["stress-2008"].quarter_ends) == _quarter_ends(dt.date(2008, 6, 30), 11)
    for s in shipped.values():
        # every driver of DRIVERS but the one replaced by ebitda has a path, one value a quarter
        assert set(s.paths) == set(DRIVERS) - {"ebitda_margin"}
        for name, path in s.paths.items():
            assert len(path) == len(s.quarter_ends), name
            assert all(isinstance(x, Decimal) for x in path), name


def test_ebitda_is_the_covenants_not_the_companys(shipped: dict[str, Scenario]) -> None:
    # 2009-Q2, params/deals/ibasis/actuals/ibasis-2008.csv: net income -4,000,000 (reported)
    # + interest 300,000 + depreciation 4,500,000 + amortization 4,000,000 + taxes 3,500,000
    # + non-cash items 3,500,000 + KPN costs 0 = 11,800,000 (Schedule 1, II, line H); the
    # company's Adjusted EBITDA that quarter was 10,700,000 (context only)
    assert set(shipped["base"].paths["ebitda"]) == {Decimal("11800000")}
    assert shipped["upside"].paths["ebitda"][0] == Decimal("12272000.00")  # x 1.04
    assert shipped["downside"].paths["ebitda"][0] == Decimal("10856000.00")  # x 0.92
    # stress, as of 2008-03-31: 2008-Q1 Consolidated EBITDA -2,100,000 + 400,000 + 4,200,000
    # + 3,900,000 + 500,000 + 900,000 + 200,000 = 8,000,000, then -6% a quarter
    assert shipped["stress-2008"].paths["ebitda"][:3] == (
        Decimal("7520000.00"),
        Decimal("7068800.00"),
        Decimal("6644672.00"),
    )
    for s in shipped.values():
        assert Decimal("10700000") not in s.paths["ebitda"]  # no company figure as a driver


def test_growth_pieces_compound_to_the_cent(shipped: dict[str, Scenario]) -> None:
    # downside revenue: from 241,300,000.00 (2009-Q2, reported) -2% a quarter, each quarter
    # rounded to the cent, worked by hand:
    #   241,300,000.00 x 0.98 = 236,474,000.00
    #   236,474,000.00 x 0.98 = 231,744,520.00
    #   231,744,520.00 x 0.98 = 227,109,629.60
    #   227,109,629.60 x 0.98 = 222,567,437.008   -> 222,567,437.01
    #   222,567,437.01 x 0.98 = 218,116,088.2698  -> 218,116,088.27
    #   218,116,088.27 x 0.98 = 213,753,766.5046  -> 213,753,766.50
    assert shipped["downside"].paths["revenue"] == tuple(
        Decimal(x)
        for x in (
            "236474000.00",
            "231744520.00",
            "227109629.60",
            "222567437.01",
            "218116088.27",
            "213753766.50",
        )
    )
    # base: the reported 2009-Q2 revenue held
    assert set(shipped["base"].paths["revenue"]) == {Decimal("241300000")}
    # and the rule, applied step by step to every growth piece of the shipped files
    for name, g_rev, g_ebitda in (
        ("downside", "-0.02", "-0.08"),
        ("upside", "0.03", "0.04"),
        ("stress-2008", "-0.05", "-0.06"),
    ):
        for driver, g in (("revenue", g_rev), ("ebitda", g_ebitda)):
            path = shipped[name].paths[driver]
            for before, after in zip(path, path[1:], strict=False):
                exact = before * (1 + Decimal(g))
                assert abs(after - exact) <= Decimal("0.005"), (name, driver, before, after)
                assert after == after.quantize(Decimal("0.01")), (name, driver, after)


def test_growth_rounds_a_half_cent_up(shipped: dict[str, Scenario]) -> None:
    # stress revenue from 324,900,000 (2008-Q1, reported) at -5% a quarter: 308,655,000.00;
    # 293,222,250.00; 278,561,137.50; 278,561,137.50 x 0.95 = 264,633,080.625 -> .63 (half up)
    path = shipped["stress-2008"].paths["revenue"]
    assert path[:3] == (Decimal("308655000.00"), Decimal("293222250.00"), Decimal("278561137.50"))
    assert Decimal("278561137.50") * Decimal("0.95") == Decimal("264633080.625")
    assert path[3] == Decimal("264633080.625").quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_ebitda_from_a_margin_rounds_a_half_cent_up() -> None:
    text = sub(
        sub(BASE, EBITDA, "  ebitda_margin: {value: '0.5', assumption: x}\n"),
        REVENUE_PQ,
        "['360800000.25', 338000000, 299800000, 255500000, 241300000]",
    )
    write(scenario_files(text))
    assert loads().paths["ebitda"][0] == Decimal("180400000.13")


ACTUALS = "params/deals/ibasis/actuals/ibasis-2008.csv"
LEDGER_RECEIVABLES = "svb-receivables-sample.csv"


def test_the_opening_position_comes_from_the_reported_quarter(shipped: dict[str, Scenario]) -> None:
    # params/deals/ibasis/actuals/ibasis-2008.csv, 2009-06-30: cash_at_bank 20,000,000,
    # obligations_to_bank 28,500,000, deferred_revenue 3,000,000; the Borrowing Base
    # Certificate in force (svb-receivables-sample.csv, 2009-06-30): 28,000,000 and 11,000,000
    reported = {
        "cash": 20_000_000,
        "revolver_outstanding": 28_500_000,
        "deferred_revenue": 3_000_000,
        "eligible_domestic": 28_000_000,
        "eligible_foreign": 11_000_000,
    }
    for name in REBASED:
        o = shipped[name].terms.opening
        assert o.date.value == dt.date(2009, 6, 30), name
        assert {k: o.amount(k) for k in reported} == {k: Decimal(v) for k, v in reported.items()}
        assert o.amount("receivables_domestic") + o.amount("receivables_foreign") == 130_000_000
        # the actuals' cash is an illustrative sample figure, and stays labelled as one
        assert o.cash.assumption == (
            "ILLUSTRATIVE sample value of the deal's reported quarters: "
            f"{ACTUALS}, cash_at_bank 2009-06-30 (illustrative)"
        )
        assert LEDGER_RECEIVABLES in o.eligible_domestic.assumption
    # the forecast as of 2008-03-31 opens from that quarter's actuals
    o = shipped["stress-2008"].terms.opening
    assert (o.amount("cash"), o.amount("revolver_outstanding")) == (25_000_000, 28_000_000)
    assert (o.amount("eligible_domestic"), o.amount("eligible_foreign")) == (30_000_000, 11_000_000)


def _opening_cash(value: int) -> str:
    base = _text("params/deals/ibasis/scenarios/base.yaml")
    return base.replace(
        "  receivables_domestic:",
        f"  cash: {{value: {value}, assumption: test}}\n  receivables_domestic:",
        1,
    )


def test_an_opening_figure_that_contradicts_the_actuals_names_both_files() -> None:
    text = _opening_cash(21_000_000).replace("../actuals/", "../actuals/", 1)
    folder = paths.PARAMS / "deals" / "ibasis" / "scenarios"
    target = folder / f".contradicts-{uuid.uuid4().hex[:8]}.yaml"
    target.write_text(text, encoding="utf-8")
    try:
        with pytest.raises(ParamsError) as info:
            load(target.relative_to(paths.ROOT).as_posix())
        msg = str(info.value)
        assert target.relative_to(paths.ROOT).as_posix() in msg and "opening.cash" in msg
        assert f"21,000,000 contradicts the reported figure 20,000,000 ({ACTUALS}" in msg
        # the same figure as the actuals is accepted
        target.write_text(_opening_cash(20_000_000), encoding="utf-8")
        assert (
            load(target.relative_to(paths.ROOT).as_posix()).terms.opening.cash.assumption == "test"
        )
    finally:
        target.unlink()


def test_every_piece_and_opening_figure_has_provenance(shipped: dict[str, Scenario]) -> None:
    for name, s in shipped.items():
        table = s.provenance()
        rows = {r.term: (r.kind, r.provenance) for r in table.itertuples()}
        assert len(rows) == len(table), name  # one row a term
        pieces = [
            f"drivers.{driver}[{i}]"
            for driver, ps in s.terms.drivers.items()
            for i in range(len(ps))
        ]
        opening = [f"opening.{k}" for k in type(s.terms.opening).model_fields]
        policy = ["horizon_quarters", "revolver.maturity", "revolver.after_maturity"]
        assert set(pieces + opening + policy) <= set(rows), name
        for term in pieces + opening + policy:
            kind, text = rows[term]
            assert kind in ("source", "assumption"), (name, term)
            assert text.strip(), (name, term)
        # only the public filings are sources; everything else is a labelled assumption,
        # the opening figures taken from the actuals' sample values included
        sources = {t for t, (k, _p) in rows.items() if k == "source"}
        assert all("ibasis-quarterly-public.csv" in rows[t][1] for t in sources), name
        assert rows["opening.cash"][1].startswith("ILLUSTRATIVE sample value"), name


def test_the_shipped_scenarios_project(shipped: dict[str, Scenario]) -> None:
    p = project([shipped[n] for n in REBASED])  # the same opening: one block
    q = p.quarters
    for name in REBASED:
        assert float(q.loc[(name, dt.date(2009, 9, 30)), "revenue"]) > 0
    stress = project(shipped["stress-2008"]).quarters
    assert float(stress.loc[("stress-2008", dt.date(2008, 6, 30)), "revenue"]) == 308_655_000.0
