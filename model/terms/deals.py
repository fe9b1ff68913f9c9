"""A deal of the portfolio: ``params/deals/<deal>/deal.yaml`` (``kind: deal``).

A deal file names the deal and says what the batch runs for it: the notebooks that apply
(a deal without notes runs no interest-accrual report), each with the parameters that
differ from the notebook's defaults (the defaults are the embedded iBasis deal's), and the
folder of its ``kind: scenario`` files (relative to the deal file, inside ``params/``), for
the notebooks that run once per scenario. Parameters are plain values (text, numbers, yes/no, lists of
those), given as the notebook takes them: file names relative to the project root. The
run layer checks them against each notebook's declared parameters and types.

Example (``params/deals/northwind/deal.yaml``)::

    kind: deal
    name: northwind
    title: "Northwind Logistics, Inc.: the Harbor revolving line (fictitious test deal)"
    notebooks:
      03-covenant-compliance:
        facility_file: params/deals/northwind/facility.yaml
        quarter: "2019-12-31"
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import field_validator

from model import paths
from model.terms.fields import Frozen, Name
from model.terms.files import ParamsFile, validate
from model.terms.notes import LoadReference

__all__ = ["DealTerms", "Deal", "build_deal"]

_NOTEBOOK = re.compile(r"^[0-9]{2}-[a-z0-9][a-z0-9-]*$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
Scalar = str | int | float | bool


def _value(v: Any, where: str) -> Any:
    if isinstance(v, bool | int | float | str):
        return v
    if isinstance(v, list) and all(isinstance(x, bool | int | float | str) for x in v):
        return v
    raise ValueError(f"{where}: a parameter is text, a number, yes/no or a list of those")


class DealTerms(Frozen):
    """A ``kind: deal`` file (see the module docstring)."""

    kind: Literal["deal"]
    name: Name
    title: str
    description: str = ""
    scenarios: Name | None = None
    notebooks: dict[str, dict[str, Any]]

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _SLUG.match(v):
            raise ValueError(
                f"{v!r}: a deal's name is its folder name in the reports: lower case letters, "
                "digits, '-' and '_'"
            )
        return v

    @field_validator("notebooks")
    @classmethod
    def _notebooks(cls, v: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        if not v:
            raise ValueError("a deal runs at least one notebook")
        for book, params in v.items():
            if not _NOTEBOOK.match(str(book)):
                raise ValueError(f"{book!r} is not a notebook name such as 03-covenant-compliance")
            if not isinstance(params, dict):
                raise ValueError(f"{book}: the parameters are a mapping of name: value")
            for key, value in params.items():
                if not isinstance(key, str) or not key.isidentifier():
                    raise ValueError(f"{book}: {key!r} is not a parameter name")
                if key in ("output_dir", "scenario_file"):
                    raise ValueError(f"{book}: {key} is set by model run, not by the deal")
                _value(value, f"{book}.{key}")
        return v


class Deal(Frozen):
    """A validated deal: its terms, its folder and its scenarios folder (None: none)."""

    terms: DealTerms
    folder: Path
    scenarios_folder: Path | None = None

    @property
    def name(self) -> str:
        return self.terms.name


def build_deal(pf: ParamsFile, _load_reference: LoadReference) -> Deal:
    """Builder for ``kind: deal`` (see :func:`model.terms.load`)."""
    t = validate(DealTerms, pf.data, pf)
    folder = pf.path.resolve().parent
    if t.name != folder.name:
        raise pf.error(("name",), f"the deal's name must be its folder's name, {folder.name!r}")
    scenarios = None
    if t.scenarios is not None:
        scenarios = (folder / t.scenarios).resolve()
        params = paths.PARAMS.resolve()
        if scenarios != params and params not in scenarios.parents:
            raise pf.error(
                ("scenarios",),
                f"{t.scenarios!r} is outside params/: scenario files live under params/",
            )
        if not scenarios.is_dir():
            raise pf.error(("scenarios",), f"no folder {t.scenarios!r} (relative to the deal file)")
    return Deal(terms=t, folder=folder, scenarios_folder=scenarios)
