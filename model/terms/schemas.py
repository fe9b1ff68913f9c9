"""JSON Schemas of every params kind, generated from the terms models.

No public standard describes covenants, margin grids, borrowing bases or cures (FpML,
FIBO and the FINOS CDM stop at a loan's notional, rate and dates), so the package
publishes its own: one schema per ``kind`` in ``schemas/<kind>.schema.json``, generated
here from the same pydantic models :func:`model.terms.load` validates with. A YAML file
that starts with ``# yaml-language-server: $schema=<relative path>`` is validated and
completed by an editor with a YAML language server as it is typed.

The schema checks the shape (keys, required keys, kinds, enumerations, number ranges);
:func:`model.terms.load` checks everything else (cross-references, schedules that must
fit, sums). Regenerate with ``python -m model.terms.schemas`` (a test checks that the
shipped files are current).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from model import paths
from model.terms.capital import CapitalizationTerms
from model.terms.capital_scenario import CapitalScenarioTerms
from model.terms.compliance import ComplianceTerms
from model.terms.deals import DealTerms
from model.terms.facility import FacilityTerms, _FacilityFile
from model.terms.notes import ExchangeTerms, NoteFile
from model.terms.scenarios import ScenarioTerms
from model.terms.structure import CapitalStructureTerms

__all__ = ["MODELS", "SCHEMAS", "json_schema", "write_schemas", "schema_path"]

MODELS: dict[str, type[BaseModel]] = {
    "fixed_rate_note": NoteFile,
    "exchange": ExchangeTerms,
    "capitalization": CapitalizationTerms,
    "facility": _FacilityFile,
    "compliance_certificate": ComplianceTerms,
    "scenario": ScenarioTerms,
    "capital_structure": CapitalStructureTerms,
    "capital_scenario": CapitalScenarioTerms,
    "deal": DealTerms,
}
"""``kind`` -> the model that validates a whole file of that kind."""

SCHEMAS = paths.ROOT / "schemas"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def schema_path(kind: str) -> Path:
    return SCHEMAS / f"{kind}.schema.json"


def _facility() -> dict[str, Any]:
    """A facility file: its ``original`` terms are :class:`FacilityTerms` less what the
    loader fills in (the compliance terms, the version's name and dates)."""
    out = _FacilityFile.model_json_schema(mode="validation")
    terms = FacilityTerms.model_json_schema(mode="validation", ref_template="#/$defs/{model}")
    defs = out.setdefault("$defs", {})
    defs.update(terms.pop("$defs", {}))
    for k in ("compliance", "version_name", "title", "effective_date"):
        terms["properties"].pop(k, None)
        if k in terms.get("required", []):
            terms["required"].remove(k)
    defs["FacilityVersion"] = terms
    out["properties"]["original"] = {"$ref": "#/$defs/FacilityVersion"}
    return out


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a ``kind`` of params file."""
    model = MODELS[kind]
    schema = _facility() if kind == "facility" else model.model_json_schema(mode="validation")
    schema = copy.deepcopy(schema)
    if kind in ("scenario", "capital_scenario"):
        # a driver is one piece, or a list of pieces
        piece = {"$ref": "#/$defs/Piece"}
        schema["properties"]["drivers"]["additionalProperties"] = {
            "anyOf": [piece, {"type": "array", "items": piece, "minItems": 1}]
        }
    head = {
        "$schema": DRAFT,
        "$id": f"https://debtmodel.invalid/schemas/{kind}.schema.json",
        "title": f"debtmodel params file: kind {kind}",
        "description": (
            f"A '{kind}' file of params/ (generated from model.terms by python -m "
            "model.terms.schemas; load() checks the cross-references the schema cannot)."
        ),
    }
    return head | {k: v for k, v in schema.items() if k != "title"}


def write_schemas(folder: Path = SCHEMAS) -> list[Path]:
    """Write every kind's schema into ``folder`` (sorted keys, so the bytes are stable)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for kind in MODELS:
        p = folder / f"{kind}.schema.json"
        p.write_text(
            json.dumps(json_schema(kind), indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
        out.append(p)
    return out


if __name__ == "__main__":  # pragma: no cover
    for p in write_schemas():
        print(paths.shown(p))
