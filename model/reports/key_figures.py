"""Key figures to JSON, written beside each report.

Money stays exact: a Decimal is written as the string of its digits (``"651187.50"``),
never as a float. The file is written atomically and with sorted keys, so the same
figures always give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model import paths
from model.errors import InputError

__all__ = ["written", "write_key_figures", "to_jsonable"]


def to_jsonable(obj: Any) -> Any:
    """Turn Decimals, dates, numpy and pandas values into JSON-ready ones.

    Money stays exact: a Decimal becomes a string with its cents (``"651187.50"``); a
    Decimal NaN or infinity becomes the float it is, for :func:`write_key_figures` to refuse.

    >>> to_jsonable({"a": Decimal("651187.50"), "d": dt.date(2003, 1, 30)})
    {'a': '651187.50', 'd': '2003-01-30'}
    >>> to_jsonable([np.int64(3), np.bool_(True), pd.Timestamp("2008-03-31 12:30")])
    [3, True, '2008-03-31T12:30:00']
    """
    if isinstance(obj, Decimal):
        return str(obj) if obj.is_finite() else float("nan" if obj.is_nan() else obj)
    if isinstance(obj, dt.date | dt.datetime | pd.Timestamp):
        return (
            obj.isoformat()[:10]
            if not isinstance(obj, dt.datetime) or obj == pd.Timestamp(obj).normalize()
            else obj.isoformat()
        )
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, pd.DataFrame):
        return to_jsonable(obj.reset_index().to_dict(orient="records"))
    if isinstance(obj, pd.Series):
        return to_jsonable(obj.to_dict())
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    return obj


def _check_json(obj: Any, path: str) -> None:
    """Every value is one JSON holds exactly: NaN and infinities (which ``json`` would write
    as the non-standard ``NaN``, ``Infinity``) and objects it cannot write are errors naming
    the key path."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            _check_json(v, f"{path}.{k}" if path else str(k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            _check_json(v, f"{path}[{i}]")
    elif isinstance(obj, float) and not math.isfinite(obj):
        raise InputError(
            f"{obj!r} is not a number JSON can hold: give a figure, or None for no figure",
            key=path or "figures",
        )
    elif not (obj is None or isinstance(obj, str | int | float | bool)):
        raise InputError(
            f"{type(obj).__name__} {obj!r} cannot be written as a key figure: give text, a "
            "number, a Decimal, a date, a list or a mapping",
            key=path or "figures",
        )


def write_key_figures(
    figures: Mapping[str, Any], output_dir: str | os.PathLike[str], name: str
) -> Path | None:
    """Write ``figures`` to ``<output_dir>/<name>.json`` atomically (nothing half-written);
    with an empty ``output_dir`` the figures are checked and nothing is written (None).

    ``name`` comes from notebook parameters, so it may not escape ``output_dir``
    (:func:`model.paths.safe_join`); ``output_dir`` goes through
    :func:`model.paths.report_dir`. A NaN or an infinity, or a value JSON cannot hold, is
    an :class:`~model.errors.InputError` naming its key path (``covenants.x.actual``):
    a figure never silently becomes the non-standard ``NaN``.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> write_key_figures({"x": Decimal("1.50")}, d, "demo").read_text()
    '{\\n  "x": "1.50"\\n}\\n'
    """
    if not isinstance(figures, Mapping):
        raise InputError(
            f"must be a mapping of names to figures, not {type(figures).__name__}", key="figures"
        )
    data = to_jsonable(dict(figures))
    _check_json(data, "")
    out_dir = paths.output_folder(output_dir)
    if out_dir is None:
        return None
    target = paths.safe_join(out_dir, f"{name}.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=2, sort_keys=True, allow_nan=False) + "\n"
    with paths.atomic_target(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target


def written(*files: Path | None) -> str:
    """The names of the files a notebook wrote, for its last printed line; says so when
    ``output_dir`` was empty and nothing was written.

    >>> written(Path("/x/04-projection.json"), Path("/x/04-projection.xlsx"))
    '04-projection.json, 04-projection.xlsx'
    >>> written(None, None)
    'nothing written (output_dir is empty; model run sets it)'
    """
    names = [f.name for f in files if f is not None]
    return ", ".join(names) if names else "nothing written (output_dir is empty; model run sets it)"
