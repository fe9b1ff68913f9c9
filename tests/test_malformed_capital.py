"""The malformed-input corpus of capital structures and their scenarios: each bad value
with the error it must give (the file, relative to the project, the line, the key and the
rule), and, for the shapes a JSON Schema can hold, the shipped schema refuses it too.

Each case starts from the Northwind deal's files, copied into a scratch folder inside
``params/``, changes one thing and loads as a user would.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from model import paths
from model.errors import ParamsError
from model.terms import load
from model.terms.schemas import MODELS, json_schema, schema_path

DEAL = paths.ROOT / "params" / "deals" / "northwind"
SCRATCH = paths.PARAMS / "deals" / "northwind" / f".malformed-{uuid.uuid4().hex[:8]}"
REL = SCRATCH.relative_to(paths.ROOT).as_posix()

STRUCTURE = (DEAL / "capital-structure.yaml").read_text(encoding="utf-8")
COMPLIANCE = (DEAL / "compliance.yaml").read_text(encoding="utf-8")
SCENARIO = (
    (DEAL / "scenarios" / "base.yaml")
    .read_text(encoding="utf-8")
    .replace("capital_structure: ../capital-structure.yaml", "capital_structure: structure.yaml")
    .replace("history_file: ../actuals.csv", "history_file: actuals.csv")
    .replace("file: ../inputs/", "file: ")
)
OTHER = {
    "actuals.csv": (DEAL / "actuals.csv").read_text(encoding="utf-8"),
    "sofr-2019-2023.csv": (DEAL / "inputs" / "sofr-2019-2023.csv").read_text(encoding="utf-8"),
    "prime-rate-2019-2023.csv": (DEAL / "inputs" / "prime-rate-2019-2023.csv").read_text(
        encoding="utf-8"
    ),
}


@pytest.fixture(scope="module", autouse=True)
def scratch() -> Iterator[Path]:
    SCRATCH.mkdir()
    yield SCRATCH
    shutil.rmtree(SCRATCH, ignore_errors=True)


@dataclass(frozen=True)
class Case:
    id: str
    file: str  # structure | scenario | compliance
    old: str
    new: str
    match: tuple[str, ...]
    schema: bool = False  # the JSON Schema refuses it too


def C(id: str, file: str, old: str, new: str, *match: str, schema: bool = False) -> Case:
    return Case(id, file, old, new, match, schema)


LOAN = "  - id: term_loan_a\n"
CASES = [
    C(
        "scenario-letters-of-credit-above-the-sublimit",
        "scenario",
        "  eligible_receivables:\n",
        '  letters_of_credit:\n    - {value: 1500000, assumption: "x"}\n  eligible_receivables:\n',
        r"drivers\.letters_of_credit",
        "1,500,000 of letters of credit exceeds the sublimit 1,000,000 of 'revolver'",
    ),
    C(
        "scenario-balance-before-funding",
        "scenario",
        'date: {value: 2019-12-31, assumption: "The last quarter',
        'date: {value: 2018-12-31, assumption: "The last quarter',
        r"opening\.balances\.term_loan_a\.value",
        "'term_loan_a' is funded on 2019-01-15, after the opening 2018-12-31",
    ),
    # --- instruments -------------------------------------------------------------------
    C(
        "instrument-named-twice",
        "structure",
        "  - id: holdco_pik\n",
        "  - id: term_loan_a\n",
        r"line \d+",
        r"instruments\.2\.id",
        "instrument 'term_loan_a' is named twice",
    ),
    C(
        "unknown-instrument-kind",
        "structure",
        "    kind: pik_note\n",
        "    kind: mezzanine_note\n",
        r"instruments\.2",
        "mezzanine_note",
        schema=True,
    ),
    C(
        "unknown-key-in-a-loan",
        "structure",
        '    title: "Term Loan A"\n',
        '    title: "Term Loan A"\n    tenor: 5\n',
        r"instruments\.0\.term_loan\.tenor",
        "unknown key",
        schema=True,
    ),
    C(
        "loan-without-principal",
        "structure",
        '    principal: {value: 6000000, assumption: "Fictitious: a $6,000,000 term loan."}\n',
        "",
        r"instruments\.0\.term_loan\.principal",
        "missing key",
        schema=True,
    ),
    C(
        "maturity-before-funding",
        "structure",
        "maturity: {value: 2024-01-15,",
        "maturity: {value: 2018-01-15,",
        r"instruments\.0",
        "maturity 2018-01-15 is not after funding 2019-01-15",
    ),
    C(
        "interest-months-5",
        "structure",
        'interest_months: {value: 3, assumption: "Fictitious: interest paid quarterly',
        'interest_months: {value: 5, assumption: "Fictitious: interest paid quarterly',
        r"instruments\.0",
        "interest_months is 1, 3 or 6",
    ),
    C(
        "amortization-repays-more-than-principal",
        "structure",
        '{from_date: 2019-03-31, rate: "0.025",',
        '{from_date: 2019-03-31, rate: "0.06",',
        r"instruments\.0\.term_loan",
        "percent_per_quarter repays 7,200,000.00 before maturity, more than the principal 6,000,000",
    ),
    C(
        "amortization-both-forms",
        "structure",
        "    amortization:\n      percent_per_quarter:\n",
        "    amortization:\n      schedule: [{date: 2020-06-30, amount: 100000, assumption: x}]\n      percent_per_quarter:\n",
        r"instruments\.0\.term_loan\.amortization",
        "give exactly one of percent_per_quarter and schedule",
    ),
    C(
        "amortization-step-not-quarter-end",
        "structure",
        "{from_date: 2019-03-31, rate",
        "{from_date: 2019-03-15, rate",
        r"instruments\.0\.term_loan\.amortization",
        "from_date 2019-03-15 is not a quarter end",
    ),
    C(
        "amortization-rate-as-percent",
        "structure",
        'rate: "0.025", assumption: "Fictitious: 2.5%',
        'rate: "2.5", assumption: "Fictitious: 2.5%',
        r"instruments\.0\.term_loan\.amortization\.percent_per_quarter\.0\.rate",
        "a rate is a decimal fraction",
        schema=True,
    ),
    C(
        "premium-periods-out-of-order",
        "structure",
        '{until: 2021-01-15, rate: "0.01"',
        '{until: 2019-06-15, rate: "0.01"',
        r"instruments\.0",
        "prepayment_premium periods must be in date order",
    ),
    C(
        "prepayments-reduce-unknown",
        "structure",
        "prepayments_reduce: {value: next_installments,",
        "prepayments_reduce: {value: pro_rata_forever,",
        r"instruments\.0\.term_loan\.prepayments_reduce\.value",
        "next_installments",
        schema=True,
    ),
    # --- rates -----------------------------------------------------------------------
    C(
        "floor-above-the-cap",
        "structure",
        '      floor: {value: "0.0050", assumption: "Fictitious: the adjusted SOFR is at least 0.50%."}\n',
        '      floor: {value: "0.0050", assumption: "Fictitious: the adjusted SOFR is at least 0.50%."}\n      cap: {value: "0.0040", assumption: "x"}\n',
        r"instruments\.0\.term_loan\.rate",
        "the floor 0.0050 is above the cap 0.0040",
    ),
    C(
        "unknown-index",
        "structure",
        "index: {value: sofr_compounded,",
        "index: {value: libor_3m,",
        r"instruments\.0\.term_loan\.rate\.index\.value",
        "libor_3m",
        schema=True,
    ),
    C(
        "margin-and-grid",
        "structure",
        "      margin_grid:\n        keyed_to: leverage_ratio\n",
        '      margin: {value: "0.03", assumption: "x"}\n      margin_grid:\n        keyed_to: leverage_ratio\n',
        r"instruments\.0\.term_loan\.rate",
        "give exactly one of margin and margin_grid",
    ),
    C(
        "margin-as-percent",
        "structure",
        'margin: {value: "0.0075", assumption: "Fictitious: prime plus 0.75%',
        'margin: {value: "0.75", assumption: "Fictitious: prime plus 0.75%',
        r"instruments\.1\.revolver\.rate",
        "margin 0.75 is a decimal fraction",
    ),
    C(
        "lookback-on-prime",
        "structure",
        '      margin: {value: "0.0075", assumption: "Fictitious: prime plus 0.75% (facility.yaml)."}\n',
        '      margin: {value: "0.0075", assumption: "Fictitious: prime plus 0.75% (facility.yaml)."}\n      lookback_days: {value: 2, assumption: x}\n',
        r"instruments\.1\.revolver\.rate",
        "lookback_days applies to index sofr_compounded only",
    ),
    C(
        "compounded-without-lookback",
        "structure",
        '      lookback_days: {value: 5, assumption: "Fictitious: a five business day lookback, no observation shift."}\n',
        "",
        r"instruments\.0\.term_loan\.rate",
        "sofr_compounded needs lookback_days",
    ),
    C(
        "lookback-of-30-days",
        "structure",
        "lookback_days: {value: 5,",
        "lookback_days: {value: 30,",
        r"instruments\.0\.term_loan\.rate",
        "lookback_days is 0 to 10 business days",
    ),
    C(
        "day-count-actual-actual",
        "structure",
        'day_count: {value: "ACT/360", assumption: "Fictitious: actual/360."}',
        'day_count: {value: "ACT/ACT ICMA", assumption: "Fictitious: actual/360."}',
        r"instruments\.0\.term_loan\.rate",
        "is not one of ACT/360, ACT/365F, 30/360 US",
    ),
    C(
        "unknown-day-count",
        "structure",
        'day_count: {value: "ACT/360", assumption: "Fictitious: actual/360."}',
        'day_count: {value: "ACT/364", assumption: "Fictitious: actual/360."}',
        r"instruments\.0\.term_loan\.rate",
        "unknown day count convention 'ACT/364'",
    ),
    C(
        "margin-grid-gap",
        "structure",
        '{above: "2.00", up_to: "3.00", margin: "0.0300"',
        '{above: "2.25", up_to: "3.00", margin: "0.0300"',
        r"instruments\.0\.term_loan\.rate\.margin_grid",
        "a gap between levels 0 and 1: nothing covers 2.00 to 2.25",
    ),
    C(
        "margin-grid-overlap",
        "structure",
        '{above: "2.00", up_to: "3.00", margin: "0.0300"',
        '{above: "1.75", up_to: "3.00", margin: "0.0300"',
        r"instruments\.0\.term_loan\.rate\.margin_grid",
        "levels 0 and 1 overlap",
    ),
    C(
        "margin-grid-open-first-level",
        "structure",
        '{up_to: "2.00", margin: "0.0250"',
        '{above: "1.00", up_to: "2.00", margin: "0.0250"',
        r"instruments\.0\.term_loan\.rate\.margin_grid",
        "the first level must have no 'above'",
    ),
    C(
        "margin-grid-initial-level-4",
        "structure",
        "initial_level: {value: 1,",
        "initial_level: {value: 4,",
        r"instruments\.0\.term_loan\.rate\.margin_grid",
        "initial_level 4 is not a level",
    ),
    C(
        "margin-grid-on-an-unknown-metric",
        "structure",
        "keyed_to: leverage_ratio\n        lag_days",
        "keyed_to: net_leverage\n        lag_days",
        r"line \d+",
        r"instruments\.0\.rate\.margin_grid\.keyed_to",
        "names metric 'net_leverage', which the compliance file does not define",
    ),
    # --- revolver --------------------------------------------------------------------
    C(
        "lc-sublimit-above-commitment",
        "structure",
        "sublimit: {value: 1000000,",
        "sublimit: {value: 11000000,",
        r"instruments\.1",
        "the letter of credit sublimit 11,000,000 exceeds the commitment 10,000,000",
    ),
    C(
        "advance-rate-150-percent",
        "structure",
        'advance_rate: "0.85"',
        'advance_rate: "1.5"',
        r"instruments\.1\.revolver\.borrowing_base\.advance_rate",
        "a rate is a decimal fraction",
        schema=True,
    ),
    C(
        "negative-commitment",
        "structure",
        "commitment: {value: 10000000,",
        "commitment: {value: -10000000,",
        r"instruments\.1\.revolver\.commitment\.value",
    ),
    # --- PIK -------------------------------------------------------------------------
    C(
        "toggle-without-cash-rate",
        "structure",
        '    cash_rate: {value: "0.105", assumption: "Fictitious: 10.5% a year when paid in cash."}\n',
        "",
        r"instruments\.2",
        "a PIK toggle note needs the cash_rate",
    ),
    C(
        "pik-rate-as-percent",
        "structure",
        'pik_rate: {value: "0.12",',
        'pik_rate: {value: "12",',
        r"instruments\.2\.pik_note\.pik_rate\.value",
        "a rate is a decimal fraction",
        schema=True,
    ),
    # --- cash policy -------------------------------------------------------------------
    C(
        "sweep-over-100-percent",
        "structure",
        '{above: "2.50", rate: "0.50"',
        '{above: "2.50", rate: "1.50"',
        r"cash_policy\.excess_cash_flow",
        "a sweep percentage is 0 to 1 \\(1 = 100%\\), got 1.50",
    ),
    C(
        "sweep-levels-gap",
        "structure",
        '{above: "2.00", up_to: "2.50", rate: "0.25"',
        '{above: "2.10", up_to: "2.50", rate: "0.25"',
        r"cash_policy\.excess_cash_flow",
        "a gap between levels 0 and 1",
    ),
    C(
        "sweep-to-a-missing-instrument",
        "structure",
        "    applied_to: [term_loan_a]\n    levels:",
        "    applied_to: [term_loan_b]\n    levels:",
        r"line \d+",
        r"cash_policy\.excess_cash_flow\.applied_to\.0",
        "names instrument 'term_loan_b', which is not in instruments",
    ),
    C(
        "policy-names-a-missing-revolver",
        "structure",
        "  revolver: revolver\n",
        "  revolver: abl\n",
        r"line \d+",
        r"cash_policy\.revolver",
        "names instrument 'abl', which is not in instruments",
    ),
    C(
        "policy-revolver-is-a-loan",
        "structure",
        "  revolver: revolver\n",
        "  revolver: term_loan_a\n",
        r"cash_policy\.revolver",
        "'term_loan_a' is a term_loan; a revolver is needed",
    ),
    C(
        "order-names-a-step-twice",
        "structure",
        "[interest, scheduled_amortization, maturities, mandatory_prepayments, revolver, minimum_cash]",
        "[interest, interest, scheduled_amortization, maturities, mandatory_prepayments, revolver, minimum_cash]",
        r"cash_policy\.order",
        "order names interest more than once",
    ),
    C(
        "order-leaves-out-a-step",
        "structure",
        "[interest, scheduled_amortization, maturities, mandatory_prepayments, revolver, minimum_cash]",
        "[interest, scheduled_amortization, maturities, revolver, minimum_cash]",
        r"cash_policy\.order",
        "order leaves out mandatory_prepayments",
    ),
    C(
        "order-unknown-step",
        "structure",
        "[interest, scheduled_amortization, maturities, mandatory_prepayments, revolver, minimum_cash]",
        "[interest, scheduled_amortization, maturities, mandatory_prepayments, revolver, minimum_cash, dividends]",
        r"cash_policy\.order",
        "unknown step\\(s\\) dividends",
    ),
    C(
        "asset-sale-sweep-110-percent",
        "structure",
        'rate: {value: "1.0", assumption: "Fictitious: 100% of net proceeds',
        'rate: {value: "1.1", assumption: "Fictitious: 100% of net proceeds',
        r"cash_policy\.asset_sales",
        "a sweep percentage is 0 to 1",
    ),
    C(
        "ecf-on-an-unknown-metric",
        "structure",
        "    metric: excess_cash_flow\n",
        "    metric: free_cash_flow\n",
        r"cash_policy\.excess_cash_flow\.metric",
        "names metric 'free_cash_flow'",
    ),
    # --- covenants and cures ----------------------------------------------------------
    C(
        "equity-cure-0-of-4",
        "structure",
        "  per_window: 2\n",
        "  per_window: 0\n",
        r"equity_cure",
        "per_window 0 of 4: a cure right allows at least one cure",
    ),
    C(
        "equity-cure-5-of-4",
        "structure",
        "  per_window: 2\n",
        "  per_window: 5\n",
        r"equity_cure",
        "per_window 5 exceeds window_quarters 4",
    ),
    C(
        "equity-cure-life-below-window",
        "structure",
        "  over_life: 4\n",
        "  over_life: 1\n",
        r"equity_cure",
        "over_life 1 is below per_window 2",
    ),
    C(
        "equity-cure-names-a-missing-covenant",
        "structure",
        "  covenants: [max_leverage, min_fixed_charge_coverage]\n  counts_in",
        "  covenants: [max_leverage, min_interest_coverage]\n  counts_in",
        r"equity_cure\.covenants\.1",
        "names covenant 'min_interest_coverage', which is not in covenants",
    ),
    C(
        "equity-cure-counts-in-a-missing-line-item",
        "structure",
        "  counts_in: equity_cure\n",
        "  counts_in: equity\n",
        r"equity_cure\.counts_in",
        "line item 'equity' is not in the compliance file",
    ),
    C(
        "covenant-on-an-unknown-metric",
        "structure",
        "    metric: leverage_ratio\n    direction: max",
        "    metric: senior_leverage\n    direction: max",
        r"covenants\.0\.metric",
        "covenant 'max_leverage' tests metric 'senior_leverage'",
    ),
    C(
        "covenant-named-twice",
        "structure",
        "  - id: min_fixed_charge_coverage\n",
        "  - id: max_leverage\n",
        r"covenants\.1\.id",
        "covenant 'max_leverage' is named twice",
    ),
    C(
        "covenant-steps-overlap",
        "structure",
        '{from_quarter: 2021-03-31, to_quarter: null, amount: "2.75"',
        '{from_quarter: 2020-09-30, to_quarter: null, amount: "2.75"',
        r"covenants\.0",
        "threshold steps overlap at 2020-09-30",
    ),
    C(
        "default-interest-on-a-missing-instrument",
        "structure",
        "  default_interest_on: [term_loan_a, revolver]\n",
        "  default_interest_on: [term_loan_a, swingline]\n",
        r"events_of_default\.default_interest_on\.1",
        "names instrument 'swingline'",
    ),
    C(
        "carry-forward-on-a-missing-covenant",
        "structure",
        "equity_cure:\n",
        'carry_forward:\n  - {covenant: max_capex, share: "0.5", assumption: x}\n\nequity_cure:\n',
        r"carry_forward\.0\.covenant",
        "names covenant 'max_capex', which is not in covenants",
    ),
    C(
        "carry-forward-on-a-leverage-covenant",
        "structure",
        "equity_cure:\n",
        'carry_forward:\n  - {covenant: max_leverage, share: "0.5", assumption: x}\n\nequity_cure:\n',
        r"carry_forward\.0\.covenant",
        # the named covenant's own terms (not those of the last covenant listed)
        "covenant 'max_leverage' is a max over the trailing_four_quarters",
        "a carry-forward applies to a maximum measured over the year to date",
    ),
    C(
        "carry-forward-share-150-percent",
        "structure",
        "equity_cure:\n",
        'carry_forward:\n  - {covenant: max_leverage, share: "1.5", assumption: x}\n\nequity_cure:\n',
        r"carry_forward\.0",
        "share is above 0 and at most 1",
    ),
    C(
        "annualized-first-quarter-mid-month",
        "structure",
        "equity_cure:\n",
        "annualized:\n  - {covenant: max_leverage, first_quarter: 2020-03-15, assumption: x}\n\nequity_cure:\n",
        r"annualized\.0",
        "first_quarter 2020-03-15 is not a quarter end",
    ),
    C(
        "annualized-missing-covenant",
        "structure",
        "equity_cure:\n",
        "annualized:\n  - {covenant: max_senior_leverage, first_quarter: 2020-03-31, assumption: x}\n\nequity_cure:\n",
        r"annualized\.0\.covenant",
        "names covenant 'max_senior_leverage', which is not in covenants",
    ),
    # --- compliance metric lines ------------------------------------------------------
    C(
        "minimum-of-one-line",
        "compliance",
        '{line: "12", minimum: ["7", "11"],',
        '{line: "12", minimum: ["7"],',
        r"metrics\.0\.lines\.11",
        "minimum needs at least two lines",
    ),
    C(
        "constant-and-sum",
        "compliance",
        '{line: "8", constant: "0.20", unit: percent, label: "Cap on add-backs: 20% of line 6"}',
        '{line: "8", constant: "0.20", sum: ["6", "7"], label: "Cap on add-backs: 20% of line 6"}',
        r"metrics\.0\.lines\.7",
        "give exactly one of input",
    ),
    C(
        "unit-on-a-computed-line",
        "compliance",
        '{line: "9", product: ["6", "8"], label: "Line 6 times line 8"}',
        '{line: "9", product: ["6", "8"], unit: percent, label: "Line 6 times line 8"}',
        r"metrics\.0\.lines\.8",
        "unit is for a constant line",
    ),
    C(
        "unit-unknown",
        "compliance",
        '{line: "8", constant: "0.20", unit: percent,',
        '{line: "8", constant: "0.20", unit: percentage,',
        r"metrics\.0\.lines\.7\.unit",
        "percentage",
        schema=True,
    ),
    # --- the scenario -------------------------------------------------------------------
    C(
        "scenario-opening-not-quarter-end",
        "scenario",
        "date: {value: 2019-12-31,",
        "date: {value: 2019-12-15,",
        r"opening\.date\.value",
        "2019-12-15 is not a quarter end",
    ),
    C(
        "scenario-balance-of-a-missing-instrument",
        "scenario",
        "    holdco_pik: {value: 2000000,",
        "    holdco_notes: {value: 2000000,",
        r"opening\.balances\.holdco_notes",
        "names instrument 'holdco_notes', which is not in the capital structure",
    ),
    C(
        "scenario-revolver-above-commitment",
        "scenario",
        "    revolver: {value: 2100000,",
        "    revolver: {value: 12100000,",
        r"opening\.balances\.revolver\.value",
        "12,100,000 is above the commitment 10,000,000",
    ),
    C(
        "scenario-missing-rate-path",
        "scenario",
        '  prime: {file: prime-rate-2019-2023.csv, assumption: "The public U.S. prime rate path."}\n',
        "",
        r"rate_paths",
        "the capital structure needs a rate path for 'prime'",
    ),
    C(
        "scenario-rate-path-too-late",
        "scenario",
        "file: sofr-2019-2023.csv",
        "file: late.csv",
        r"rate_paths\.sofr_compounded\.file",
        "must start at least 20 days before the opening",
    ),
    C(
        "scenario-unknown-driver",
        "scenario",
        "  capex:\n",
        "  capx:\n",
        r"drivers\.capx",
        "unknown driver \\(did you mean 'capex'\\?\\)",
    ),
    C(
        "scenario-missing-receivables-for-a-borrowing-base",
        "scenario",
        '  eligible_receivables:\n    - {value: 8000000, assumption: "Fictitious: eligible receivables at each quarter end."}\n',
        "",
        r"drivers",
        "the revolver has a borrowing base: give eligible_receivables",
    ),
    C(
        "scenario-toggle-without-election",
        "scenario",
        '  pik_toggle: {value: pik, assumption: "The holding company pays its notes in kind."}\n',
        "",
        r"policy",
        "a PIK toggle note is outstanding: give policy.pik_toggle",
    ),
    C(
        "scenario-voluntary-prepayment-to-a-missing-instrument",
        "scenario",
        '  pik_toggle: {value: pik, assumption: "The holding company pays its notes in kind."}\n',
        '  pik_toggle: {value: pik, assumption: "The holding company pays its notes in kind."}\n'
        '  voluntary_prepayments_to: {value: [term_loan_b], assumption: "x"}\n',
        r"policy\.voluntary_prepayments_to\.value\.0",
        "no instrument 'term_loan_b' in the capital structure",
    ),
    C(
        "scenario-voluntary-prepayment-to-the-revolver",
        "scenario",
        '  pik_toggle: {value: pik, assumption: "The holding company pays its notes in kind."}\n',
        '  pik_toggle: {value: pik, assumption: "The holding company pays its notes in kind."}\n'
        '  voluntary_prepayments_to: {value: [term_loan_a, revolver], assumption: "x"}\n',
        r"policy\.voluntary_prepayments_to\.value\.1",
        "'revolver' is the revolver: its loans are repaid by the cash policy",
    ),
    C(
        "scenario-voluntary-prepayment-named-twice",
        "scenario",
        '  pik_toggle: {value: pik, assumption: "The holding company pays its notes in kind."}\n',
        '  pik_toggle: {value: pik, assumption: "The holding company pays its notes in kind."}\n'
        '  voluntary_prepayments_to: {value: [holdco_pik, holdco_pik], assumption: "x"}\n',
        r"policy\.voluntary_prepayments_to\.value",
        "name each instrument once",
    ),
    C(
        "scenario-cure-used-after-the-opening",
        "scenario",
        'horizon_quarters: {value: 12, assumption: "2020-Q1 to 2022-Q4."}\n',
        '  cures_used: {value: [2020-03-31], assumption: "x"}\nhorizon_quarters: {value: 12, assumption: "2020-Q1 to 2022-Q4."}\n',
        r"opening\.cures_used\.value\.0",
        "2020-03-31 is after the opening 2019-12-31",
    ),
    C(
        "scenario-cure-used-twice",
        "scenario",
        'horizon_quarters: {value: 12, assumption: "2020-Q1 to 2022-Q4."}\n',
        '  cures_used: {value: [2019-06-30, 2019-06-30], assumption: "x"}\nhorizon_quarters: {value: 12, assumption: "2020-Q1 to 2022-Q4."}\n',
        r"opening\.cures_used\.value\.1",
        "2019-06-30 is listed twice",
    ),
    C(
        "scenario-cure-used-not-a-quarter-end",
        "scenario",
        'horizon_quarters: {value: 12, assumption: "2020-Q1 to 2022-Q4."}\n',
        '  cures_used: {value: [2019-11-30], assumption: "x"}\nhorizon_quarters: {value: 12, assumption: "2020-Q1 to 2022-Q4."}\n',
        r"opening\.cures_used\.value\.0",
        "quarter end",
    ),
    C(
        "scenario-more-cures-used-than-the-life-allows",
        "scenario",
        'horizon_quarters: {value: 12, assumption: "2020-Q1 to 2022-Q4."}\n',
        '  cures_used: {value: [2018-12-31, 2019-03-31, 2019-06-30, 2019-09-30, 2019-12-31], assumption: "x"}\nhorizon_quarters: {value: 12, assumption: "2020-Q1 to 2022-Q4."}\n',
        r"opening\.cures_used\.value",
        "5 cures used, more than the 4 the structure allows",
    ),
    C(
        "premium-applies-to-unknown",
        "structure",
        '{until: 2020-01-15, rate: "0.02", assumption',
        '{until: 2020-01-15, rate: "0.02", applies_to: refinancing, assumption',
        r"prepayment_premium\.0\.applies_to",
        "refinancing",
        schema=True,
    ),
    C(
        "scenario-cure-policy-unknown",
        "scenario",
        "equity_cure: {value: apply,",
        "equity_cure: {value: sometimes,",
        r"policy\.equity_cure\.value",
        "sometimes",
        schema=True,
    ),
    C(
        "scenario-rate-shift-too-big",
        "scenario",
        "rate_shift: {value: 0,",
        "rate_shift: {value: 0.5,",
        r"rate_shift\.value",
        "rate_shift is -0.2 to 0.2",
    ),
    C(
        "scenario-horizon-100",
        "scenario",
        "horizon_quarters: {value: 12,",
        "horizon_quarters: {value: 100,",
        r"horizon_quarters\.value",
        "horizon_quarters is 1 to 80",
    ),
    C(
        "scenario-structure-escapes-the-folder",
        "scenario",
        "capital_structure: structure.yaml",
        "capital_structure: ../../../../README.md",
        r"capital_structure",
        "escapes the folder",
    ),
    C(
        "scenario-names-a-facility-as-structure",
        "scenario",
        "capital_structure: structure.yaml",
        "capital_structure: compliance.yaml",
        r"capital_structure",
        "is not a 'capital_structure' file",
    ),
]


def _files(case: Case) -> dict[str, str]:
    files = {
        "structure.yaml": STRUCTURE,
        "compliance.yaml": COMPLIANCE,
        "scenario.yaml": SCENARIO,
        **OTHER,
    }
    files["late.csv"] = "date,rate\n2019-12-20,0.0155\n"
    name = {
        "structure": "structure.yaml",
        "compliance": "compliance.yaml",
        "scenario": "scenario.yaml",
    }[case.file]
    assert case.old in files[name], f"{case.old!r} not in {name}"
    files[name] = files[name].replace(case.old, case.new, 1)
    return files


def _write(files: dict[str, str]) -> None:
    for old in SCRATCH.iterdir():
        old.unlink()
    for name, text in files.items():
        (SCRATCH / name).write_text(text, encoding="utf-8")


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


def test_the_unchanged_files_load() -> None:
    _write(_files(C("none", "scenario", "kind:", "kind:")))
    s = load(f"{REL}/scenario.yaml")
    assert [i.id for i in s.structure.instruments] == ["term_loan_a", "revolver", "holdco_pik"]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_malformed_capital_file_is_an_error_naming_file_line_key_and_rule(case: Case) -> None:
    _write(_files(case))
    target = "structure.yaml" if case.file == "structure" else "scenario.yaml"
    if case.file == "compliance":
        target = "compliance.yaml"
    with pytest.raises(ParamsError) as info:
        load(f"{REL}/{target}")
    msg = re.sub(r"\[(\d+)\]", r".\1", str(info.value))  # instruments[0].rate -> instruments.0.rate
    named = case.file if case.file != "structure" else "structure"
    assert re.search(rf"{REL}/(structure|scenario|compliance)\.yaml", msg), msg
    assert f"{named}.yaml" in msg or case.file == "scenario", msg
    assert re.search(r"line \d+", msg), msg
    for m in case.match:
        assert re.search(m, msg), (m, msg)
    assert "Traceback" not in msg


def _plain(x: Any) -> Any:
    if isinstance(x, dt.date):
        return x.isoformat()
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    return x


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.schema], ids=[c.id for c in CASES if c.schema]
)
def test_the_json_schema_refuses_what_load_refuses_in_shape(case: Case) -> None:
    files = _files(case)
    name = {
        "structure": "structure.yaml",
        "compliance": "compliance.yaml",
        "scenario": "scenario.yaml",
    }[case.file]
    data = _plain(yaml.safe_load(files[name]))
    schema = json.loads(schema_path(data["kind"]).read_text(encoding="utf-8"))
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(data)), case.id


def _shipped() -> list[Path]:
    return sorted(
        p
        for p in paths.PARAMS.rglob("*.yaml")
        if not any(part.startswith(".") for part in p.relative_to(paths.ROOT).parts)
    )


@pytest.mark.parametrize("path", _shipped(), ids=lambda p: p.relative_to(paths.PARAMS).as_posix())
def test_every_shipped_file_names_and_satisfies_its_schema(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data = _plain(yaml.safe_load(text))
    modeline = re.search(r"^# yaml-language-server: \$schema=(\S+)$", text, re.MULTILINE)
    assert modeline, f"{path} does not name its schema"
    target = (path.parent / modeline.group(1)).resolve()
    assert target == schema_path(data["kind"]).resolve()
    schema = json.loads(target.read_text(encoding="utf-8"))
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(data)]
    assert not errors, errors[:3]


def test_the_shipped_schemas_are_current() -> None:
    for kind in MODELS:
        on_disk = json.loads(schema_path(kind).read_text(encoding="utf-8"))
        assert on_disk == json.loads(json.dumps(json_schema(kind))), (
            f"regenerate: python -m model.terms.schemas ({kind})"
        )


def test_a_repricing_premium_is_not_charged_on_a_voluntary_prepayment() -> None:
    # Magnite Sec. 2.12(d): 1.00% on a Repricing Event in the first six months only
    import datetime as dt

    from model import load

    s = load("params/deals/magnite/scenarios/base.yaml", kind="capital_scenario")
    loan = s.structure.instrument("term_loan_b")
    assert loan.prepayment_premium[0].applies_to == "repricing_event"
    assert loan.premium_on(dt.date(2024, 5, 1)) == 0
    nw = load("params/deals/northwind/scenarios/base.yaml", kind="capital_scenario")
    assert nw.structure.instrument("term_loan_a").premium_on(dt.date(2019, 6, 30)) == Decimal(
        "0.02"
    )
