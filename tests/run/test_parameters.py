"""Notebook and command-line parameters are read with the package's readers: empty means the
terms' value, anything else is read strictly and an error names the parameter."""

from __future__ import annotations

import pytest

from model import InputError, read_int, read_optional


@pytest.mark.parametrize(
    "value, expected", [("", 7), (None, 7), ("  ", 7), ("30", 30), (" 0 ", 0), (30, 30), (30.0, 30)]
)
def test_an_empty_parameter_takes_the_terms_value(value, expected):
    assert read_optional(value, read_int, "certificate_lag_days", 7, low=0) == expected


@pytest.mark.parametrize(
    "value, rule",
    [
        ("abc", "not a whole number: 'abc'"),
        ("-1", r"must be a whole number at least 0 \(got -1\)"),
        ("1.5", "not a whole number: '1.5'"),
        (-1, r"must be a whole number at least 0 \(got -1\)"),
        (1.5, "not a whole number: 1.5"),
        (True, "a yes/no value is not a whole number: True"),
        ([30], r"not a whole number: \[30\]"),
        ("030", "'030' has a leading zero"),
    ],
)
def test_a_bad_parameter_is_named(value, rule):
    with pytest.raises(InputError, match=rf"^certificate_lag_days: {rule}"):
        read_optional(value, read_int, "certificate_lag_days", 0, low=0)
