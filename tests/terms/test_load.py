"""Loading params files (model/terms/load.py): bad input in a note's params file raises
ParamsError naming file, key path and rule; overrides; file names given by users.

The cases mutate the real 8% notes file (params/deals/ibasis/instruments/8pct-secured-convertible-2007.yaml)
one defect at a time, so each test shows exactly one broken rule.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml

from model import paths
from model.dates import DayCount
from model.errors import ParamsError
from model.terms import load

NOTE = paths.PARAMS / "deals" / "ibasis" / "instruments" / "8pct-secured-convertible-2007.yaml"
BASE = yaml.safe_load(NOTE.read_text())


def _write(tmp_path: Path, data: object, name: str = "note.yaml") -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data, sort_keys=False))
    return p


def _mutated(**changes: object) -> dict:
    data = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        keys = dotted.split("__")
        cur = data
        for k in keys[:-1]:
            cur = cur[int(k)] if isinstance(cur, list) else cur[k]
        if value is _DELETE:
            del cur[keys[-1]]
        else:
            cur[int(keys[-1]) if isinstance(cur, list) else keys[-1]] = value
    return data


_DELETE = object()

CASES = [
    # (id, mutation, key path in message, rule pattern)
    (
        "wrong type",
        {"terms__principal__value": "twenty-nine million"},
        "terms.principal.value",
        "not an amount: 'twenty-nine million'",
    ),
    (
        "negative principal",
        {"terms__principal__value": -29000000},
        "terms.principal.value",
        r"must not be negative \(got -29000000\)",
    ),
    (
        "maturity before issue",
        {"terms__maturity__value": "2003-06-18"},
        "terms.maturity",
        "maturity 2003-06-18 must be after the issue date 2004-06-18",
    ),
    (
        "unknown convention",
        {"terms__day_count__value": "ACT/999"},
        "terms.day_count",
        "unknown day count convention 'ACT/999'; valid names: '30/360 US'",
    ),
    (
        "rate as percent",
        {"terms__coupon_rate__value": 8},
        "terms.coupon_rate.value",
        r"write 0.08 for 8%\), got 8",
    ),
    (
        "coupon dates vs frequency",
        {"terms__frequency__value": 4},
        "terms.coupon_dates",
        "2 coupon dates given for a frequency of 4",
    ),
    (
        "coupon dates spacing",
        {"terms__coupon_dates__value": ["06-18", "09-18"]},
        "terms.coupon_dates",
        "not 6 months apart",
    ),
    (
        "coupon date format",
        {"terms__coupon_dates__value": ["6/18", "12/18"]},
        "terms.coupon_dates",
        "must be written MM-DD",
    ),
    (
        "coupon date not a day",
        {"terms__coupon_dates__value": ["02-30", "08-30"]},
        "terms.coupon_dates",
        "not a day of the year",
    ),
    (
        "maturity off coupon date",
        {"terms__maturity__value": "2007-06-19"},
        "terms.coupon_dates",
        "does not fall on a coupon date",
    ),
    (
        "bad frequency",
        {"terms__frequency__value": 3},
        "terms.frequency",
        "frequency must be 1, 2, 4 or 12",
    ),
    (
        "missing source",
        {"terms__principal__source": _DELETE},
        "terms.principal",
        "every term needs a 'source'",
    ),
    (
        "source and assumption",
        {"terms__principal__assumption": "guess"},
        "terms.principal",
        "not both",
    ),
    (
        "zero principal",
        {"terms__principal__value": 0},
        "terms.principal.value",
        r"must be greater than zero \(got 0\)",
    ),
    ("missing term", {"terms__maturity": _DELETE}, "terms.maturity", r"missing key \(required\)"),
    (
        "misspelt key",
        {"terms__principle": {"value": 1, "source": "x"}},
        "terms.principle",
        "unknown key",
    ),
    (
        "impossible date",
        {"terms__issue_date__value": "2004-13-01"},
        "terms.issue_date.value",
        r"'2004-13-01' is not a calendar date \(there is no month 13\)",
    ),
    (
        "bool as money",
        {"terms__conversion_price__value": True},
        "terms.conversion_price.value",
        "a yes/no value is not an amount: True",
    ),
    (
        "event after maturity",
        {"events": [{"date": "2008-01-01", "type": "conversion", "amount": 1000, "source": "x"}]},
        "events",
        "outside the note's life",
    ),
    (
        "events exceed principal",
        {
            "events": [
                {"date": "2005-01-03", "type": "conversion", "amount": 30000000, "source": "x"}
            ]
        },
        "events",
        "remove more principal than is outstanding",
    ),
    (
        "unknown event type",
        {"events": [{"date": "2005-01-03", "type": "gift", "amount": 1, "source": "x"}]},
        "events[0].type",
        "Input should be",
    ),
    (
        "allocation rows off total",
        {"allocations__rows__1__principal": 105000},
        "allocations",
        r"rows sum to 28,055,000 but the stated total is 29,000,000 \(difference 945,000\)",
    ),
    (
        "printed figure without note",
        {"allocations__rows__1__note": _DELETE},
        "allocations",
        r"prints '\$1,050,00' \(malformed\) but the file records 1,050,000",
    ),
    (
        "payment in kind unknown holder",
        {"payment_in_kind__0__holder": "Nobody LP"},
        "payment_in_kind",
        "'Nobody LP', who is not in the allocations",
    ),
    ("unknown kind", {"kind": "swap"}, "kind", "unknown kind 'swap'; expected one of"),
]


@pytest.mark.parametrize(
    "mutation,key_path,rule", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_malformed_note_params(tmp_path: Path, mutation: dict, key_path: str, rule: str) -> None:
    path = _write(tmp_path, _mutated(**mutation))
    with pytest.raises(ParamsError, match=rule) as info:
        load(path)
    err = info.value
    assert str(path) in str(err) or path.name in str(err)
    assert any(p.key_path == key_path or p.key_path.startswith(key_path) for p in err.problems), (
        err.problems
    )
    assert key_path in str(err) or key_path == "<top level>"


def test_error_names_the_line(tmp_path: Path) -> None:
    text = NOTE.read_text().replace("value: 0.08", "value: 8")
    p = tmp_path / "rate.yaml"
    p.write_text(text)
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "value: 8" in ln)
    with pytest.raises(ParamsError) as info:
        load(p)
    assert info.value.line == line
    assert f"line {line}: terms.coupon_rate.value" in str(info.value)


def test_missing_file() -> None:
    with pytest.raises(ParamsError, match="params/no-such.yaml: file not found"):
        load("params/no-such.yaml")


def test_referenced_file_cannot_escape_folder(tmp_path: Path) -> None:
    src = paths.PARAMS / "deals" / "ibasis" / "instruments" / "symphony-exchange-2003.yaml"
    data = yaml.safe_load(src.read_text())
    data["note_file"] = "../../../etc/passwd"
    p = _write(tmp_path, data, "exchange.yaml")
    with pytest.raises(ParamsError, match="note_file: '../../../etc/passwd' escapes the folder"):
        load(p)


def test_override_changes_one_assumption() -> None:
    note = load(NOTE, overrides={"terms.day_count.value": "ACT/360"})
    assert note.terms.day_count.value is DayCount.ACT_360
    assert note.terms.day_count.value.value == "ACT/360"
    assert note.terms.day_count.assumption  # still labelled an assumption


def test_override_of_missing_key_is_an_error() -> None:
    with pytest.raises(
        ParamsError, match="terms.dayCount.value: override names a key that is not in the file"
    ):
        load(NOTE, overrides={"terms.dayCount.value": "ACT/360"})


def test_greywolf_printed_figure_is_flagged_not_hidden() -> None:
    """NPA Exhibit 2.2 prints '$1,050,00' for Greywolf Capital Partners II LP: the loader
    keeps $1,050,000 (the only figure that makes the rows sum to $29,000,000) and reports
    the defect."""
    note = load(NOTE)
    defects = note.allocations.defects()
    assert len(defects) == 1
    assert "Greywolf Capital Partners II LP: printed '$1,050,00'" in defects[0]


def test_every_shipped_params_file_loads(tmp_path: Path) -> None:
    for f in sorted((paths.PARAMS / "deals" / "ibasis" / "instruments").glob("*.yaml")):
        load(f)
    # and a copy elsewhere loads the same (paths are relative to the file, not the cwd)
    for f in (paths.PARAMS / "deals" / "ibasis" / "instruments").glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    load(tmp_path / "symphony-exchange-2003.yaml")


MORE_CASES = [
    (
        "unknown calendar",
        {"terms__calendar__value": "XXXX"},
        "terms.calendar",
        "unknown business-day calendar 'XXXX'",
    ),
    (
        "first coupon off the grid",
        {"terms__first_coupon": {"value": "2004-12-15", "assumption": "x"}},
        "terms",
        "coupon schedule cannot be built",
    ),
    (
        "dates outside the calendar",
        {"terms__issue_date__value": "2204-06-18", "terms__maturity__value": "2207-06-18"},
        "terms",
        "coupon schedule cannot be built",
    ),
    (
        "eom exemption needs a month end",
        {
            "terms__end_of_month": {"value": True, "assumption": "x"},
            "terms__maturity__value": "2007-06-19",
        },
        "terms.coupon_dates",
        "does not fall on a coupon date",
    ),
    (
        "sub-cent principal",
        {"terms__principal__value": 29000000.004, "allocations": None},
        "terms.principal.value",
        "at most two decimals",
    ),
    (
        "blank event source",
        {"events": [{"date": "2005-01-03", "type": "conversion", "amount": 1, "source": " "}]},
        "events[0]",
        "needs a 'source'",
    ),
]


@pytest.mark.parametrize(
    "mutation,key_path,rule", [c[1:] for c in MORE_CASES], ids=[c[0] for c in MORE_CASES]
)
def test_more_malformed_note_params(
    tmp_path: Path, mutation: dict, key_path: str, rule: str
) -> None:
    test_malformed_note_params(tmp_path, mutation, key_path, rule)


def test_one_bad_allocation_gives_one_problem(tmp_path: Path) -> None:
    path = _write(tmp_path, _mutated(allocations__rows__7__principal=9_000_000))
    with pytest.raises(ParamsError) as info:
        load(path)
    assert [p.key_path for p in info.value.problems] == ["allocations"]


@pytest.mark.parametrize(
    "name", ["/etc/passwd", "params/../../shared/seeds/README.md", "../pyproject.toml"]
)
def test_user_named_files_must_be_inside_params(name: str) -> None:
    with pytest.raises(ParamsError, match="is outside the params folder"):
        load(name)


def test_names_relative_to_params_are_accepted() -> None:
    assert (
        load("deals/ibasis/instruments/8pct-secured-convertible-2007.yaml").terms.principal.value
        == 29_000_000
    )
