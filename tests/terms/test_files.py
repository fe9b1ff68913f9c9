"""Reading YAML params files strictly (model/terms/files.py): syntax, duplicate keys,
tags, aliases, the top level and impossible dates, each a ParamsError naming file, line,
key and rule."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from model import paths
from model.errors import ParamsError
from model.terms.actuals import ACTUALS_SCHEMA
from model.terms.files import read_csv, read_text, read_yaml
from model.terms.inputs import SCHEMAS

NOTE = paths.PARAMS / "deals" / "ibasis" / "instruments" / "8pct-secured-convertible-2007.yaml"


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    text = NOTE.read_text().replace(
        "kind: fixed_rate_note", "kind: fixed_rate_note\nkind: fixed_rate_note"
    )
    p = tmp_path / "dup.yaml"
    p.write_text(text)
    with pytest.raises(ParamsError, match="line 6: kind: key appears twice"):
        read_yaml(p)


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("kind: fixed_rate_note\nterms: [unclosed\n")
    with pytest.raises(ParamsError, match=r"bad.yaml: line \d+: not valid YAML"):
        read_yaml(p)


def test_python_tags_are_never_constructed(tmp_path: Path) -> None:
    p = tmp_path / "evil.yaml"
    p.write_text("kind: !!python/object/apply:os.system ['echo pwned > /tmp/pwned']\n")
    with pytest.raises(
        ParamsError,
        match=r"evil.yaml: line 1: kind: the tag !!python/object/apply:os.system is not allowed "
        r"in params files",
    ):
        read_yaml(p)


def test_top_level_must_be_mapping(tmp_path: Path) -> None:
    p = tmp_path / "list.yaml"
    p.write_text("- 1\n- 2\n")
    with pytest.raises(ParamsError, match="must be a YAML mapping"):
        read_yaml(p)


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "kind: &k fixed_rate_note\nid: *k\n"])
def test_yaml_aliases_are_refused(tmp_path: Path, text: str) -> None:
    p = tmp_path / "alias.yaml"
    p.write_text(text)
    with pytest.raises(ParamsError, match="anchors and aliases"):
        read_yaml(p)


@pytest.mark.parametrize("bad", ["2007-02-30", "2008-08-32"])
def test_impossible_calendar_date_in_yaml_names_key_and_line(tmp_path: Path, bad: str) -> None:
    """YAML itself reads 2007-02-30 as a date and fails with a bare ValueError: the reader says
    which key and line hold it."""
    text = NOTE.read_text().replace("value: 2007-06-18", f"value: {bad}")
    p = tmp_path / "date.yaml"
    p.write_text(text)
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if f"value: {bad}" in ln)
    with pytest.raises(
        ParamsError, match=f"line {line}: terms.maturity.value: '{bad}' is not a calendar date"
    ):
        read_yaml(p)


# --- review 4 ------------------------------------------------------------------------------


def test_the_line_of_a_key_is_found_from_the_loaded_key(tmp_path: Path) -> None:
    # a date key is a date in the data: its line is found from that date, not the YAML text
    p = tmp_path / "dated.yaml"
    p.write_text("kind: actuals\nquarters:\n  2008-03-31:\n    a: 1\n  2008-06-30:\n    b: 2\n")
    pf = read_yaml(p)
    q2 = next(k for k in pf.data["quarters"] if k.month == 6)
    assert pf.line_of(("quarters", q2, "b")) == 6
    assert pf.line_of(("quarters", q2)) == 5


@pytest.mark.parametrize(
    "text, match",
    [
        ("kind: x\nyes: 1\n", r"line 2: yes: 'yes' would be read by YAML 1.1 as True"),
        ("kind: x\n030: 1\n", r"line 2: 030: '030' is not a decimal whole number"),
        ("kind: x\n2004-02-30: 1\n", r"line 2: 2004-02-30: '2004-02-30' is not a calendar date"),
        ("kind: x\n? [a, b]\n: 1\n", r"line 2: <complex key>: a key must be a single name"),
        ("kind: x\n{[a]: 1}: 2\n", r"line 2: <complex key>"),
        ("kind: x\n<<: {a: 1}\n", r"line 2: <<: merge keys \(<<\) are not allowed"),
        ("kind: x\n~: 1\n", r"line 2: ~: a key must not be empty"),
        ("kind: x\n!!binary aGk=: 1\n", r"line 2: .*the tag !!binary is not allowed"),
    ],
)
def test_keys_follow_the_rules_of_values(tmp_path: Path, text: str, match: str) -> None:
    p = tmp_path / "keys.yaml"
    p.write_text(text)
    with pytest.raises(ParamsError, match=match):
        read_yaml(p)


def test_cr_only_and_crlf_line_ends_are_line_ends(tmp_path: Path) -> None:
    body = "quarter_end,line_item,value,kind,source\n2008-03-31,net_income,5,reported,x\n"
    body += "2008-06-30,net_income,7,reported,x\n"
    for name, text in (
        ("cr.csv", body.replace("\n", "\r")),
        ("crlf.csv", body.replace("\n", "\r\n")),
    ):
        p = tmp_path / name
        p.write_bytes(text.encode())
        assert read_text(p) == body
        rows = read_csv(p, ACTUALS_SCHEMA)
        assert [(r.line, r.values["value"]) for r in rows] == [(2, Decimal(5)), (3, Decimal(7))]


def test_hash_lines_are_comments_only_before_the_header(tmp_path: Path) -> None:
    p = tmp_path / "cash.csv"
    p.write_text("# a comment\n\ndate,cash\n2008-04-01,1\n\n#2008-04-02,2\n")
    with pytest.raises(
        ParamsError, match=r"cash.csv: line 6: date: not an ISO date \(YYYY-MM-DD\): '#2008-04-02'"
    ):
        read_csv(p, SCHEMAS["cash"])
    p.write_text("# a comment\ndate,cash\n2008-04-01,1\n\n2008-04-02,2\n")
    assert [r.line for r in read_csv(p, SCHEMAS["cash"])] == [3, 5]
