"""Reading YAML params files strictly (model/terms/files.py): syntax, duplicate keys,
tags, aliases, the top level and impossible dates, each a ParamsError naming file, line,
key and rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from model import paths
from model.errors import ParamsError
from model.terms.files import read_yaml

NOTE = paths.PARAMS / "instruments" / "8pct-secured-convertible-2007.yaml"


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
