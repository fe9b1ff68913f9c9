"""Key figures to JSON (model.reports.key_figures): exact money, byte-identical files,
written atomically inside the reports folder."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from model.errors import InputError, UnsafePathError
from model.reports.key_figures import to_jsonable, write_key_figures

FIGURES = {
    "quarter_end": dt.date(2008, 3, 31),
    "at": pd.Timestamp("2008-05-15 13:45"),
    "midnight": dt.datetime(2008, 5, 15),
    "covenants": {
        "consolidated_ebitda": {
            "required": Decimal("7500000"),
            "actual": Decimal("8000000.00"),
            "complies": True,
            "amber": None,
            "headroom_pct": np.float64(0.0667),
        }
    },
    "count": np.int64(3),
    "flag": np.bool_(False),
    "table": pd.DataFrame(
        {"a": [Decimal("1.50")], "b": [dt.date(2008, 1, 1)]}, index=pd.Index(["x"], name="k")
    ),
    "series": pd.Series({"p": Decimal("651187.50")}),
    "tuple": (1, "two"),
    2: "int key",
}

# Written by the flat package's model.reporting.write_key_figures (git HEAD before the
# restructuring) for FIGURES: the files must stay byte-identical.
EXPECTED = """\
{
  "2": "int key",
  "at": "2008-05-15T13:45:00",
  "count": 3,
  "covenants": {
    "consolidated_ebitda": {
      "actual": "8000000.00",
      "amber": null,
      "complies": true,
      "headroom_pct": 0.0667,
      "required": "7500000"
    }
  },
  "flag": false,
  "midnight": "2008-05-15",
  "quarter_end": "2008-03-31",
  "series": {
    "p": "651187.50"
  },
  "table": [
    {
      "a": "1.50",
      "b": "2008-01-01",
      "k": "x"
    }
  ],
  "tuple": [
    1,
    "two"
  ]
}
"""


def test_same_bytes_as_before(tmp_path):
    out = write_key_figures(FIGURES, tmp_path, "03-covenant-compliance")
    assert out == tmp_path / "03-covenant-compliance.json"
    assert out.read_bytes() == EXPECTED.encode("utf-8")
    assert oct(out.stat().st_mode & 0o777) == "0o644"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left


def test_money_stays_exact():
    assert to_jsonable(Decimal("651187.50")) == "651187.50"
    assert to_jsonable([Decimal("0.10"), Decimal("1E+2")]) == ["0.10", "1E+2"]


def test_name_cannot_escape(tmp_path):
    with pytest.raises(UnsafePathError):
        write_key_figures({}, tmp_path, "../x")


@pytest.mark.parametrize(
    "figures, key, rule",
    [  # review 4, finding 12: never the non-standard NaN / Infinity in a JSON file
        ({"covenants": {"x": {"headroom_pct": float("nan")}}}, "covenants.x.headroom_pct", "nan"),
        ({"rates": [0.05, np.float64("inf")]}, r"rates\[1\]", "inf"),
        ({"actual": Decimal("NaN")}, "actual", "nan"),
        ({"actual": Decimal("-Infinity")}, "actual", "-inf"),
    ],
)
def test_nan_and_infinity_are_refused_naming_the_key(tmp_path, figures, key, rule):
    with pytest.raises(
        InputError, match=rf"^{key}: {rule} is not a number JSON can hold: give a figure, or None"
    ):
        write_key_figures(figures, tmp_path, "kf")
    assert not (tmp_path / "kf.json").exists()


def test_a_value_json_cannot_hold_is_refused(tmp_path):
    with pytest.raises(InputError, match=r"^a\.b: object .* cannot be written as a key figure"):
        write_key_figures({"a": {"b": object()}}, tmp_path, "kf")
