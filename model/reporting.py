"""Reporting helpers shared by the notebooks: key figures to JSON, money formatting.

Reporting only formats what engines return; it computes nothing of its own.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model import paths
from model.values import to_cents

__all__ = ["write_key_figures", "to_jsonable", "fmt_money"]


def to_jsonable(obj: Any) -> Any:
    """Turn Decimals, dates, numpy and pandas values into JSON-ready ones.

    Money stays exact: a Decimal becomes a string with its cents (``"651187.50"``).

    >>> to_jsonable({"a": Decimal("651187.50"), "d": dt.date(2003, 1, 30)})
    {'a': '651187.50', 'd': '2003-01-30'}
    """
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, (dt.date, dt.datetime, pd.Timestamp)):
        return (
            obj.isoformat()[:10]
            if not isinstance(obj, dt.datetime) or obj == pd.Timestamp(obj).normalize()
            else obj.isoformat()
        )
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
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


def write_key_figures(
    figures: dict[str, Any], output_dir: str | os.PathLike[str], name: str
) -> Path:
    """Write ``figures`` to ``<output_dir>/<name>.json`` atomically (nothing half-written).

    ``name`` comes from notebook parameters, so it may not escape ``output_dir``.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> write_key_figures({"x": Decimal("1.50")}, d, "demo").read_text()
    '{\\n  "x": "1.50"\\n}\\n'
    """
    out_dir = paths.report_dir(output_dir)
    target = paths.safe_join(out_dir, f"{name}.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(to_jsonable(figures), indent=2, sort_keys=True) + "\n"
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def fmt_money(x: Any) -> str:
    """``1234.5`` -> ``'1,234.50'``; negative amounts in parentheses are not used: a minus sign.

    >>> fmt_money(Decimal("651187.5"))
    '651,187.50'
    >>> fmt_money(-1250)
    '-1,250.00'
    >>> fmt_money(Decimal("0.125"))  # half up, as payments are rounded
    '0.13'
    """
    return f"{to_cents(x):,}"


def money_table(df: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """A copy of ``df`` with money columns formatted as ``1,234.50`` for printing.

    By default every column holding Decimal values is formatted.

    >>> money_table(pd.DataFrame({"coupon": [Decimal("1160000")], "days": [180]})).to_string(index=False)
    '      coupon  days\\n1,160,000.00   180'
    """
    out = df.copy()
    cols = columns or [c for c in out.columns if out[c].map(lambda v: isinstance(v, Decimal)).any()]
    for c in cols:
        out[c] = out[c].map(
            lambda v: fmt_money(v) if isinstance(v, (Decimal, int, float)) and v == v else v
        )
    return out
