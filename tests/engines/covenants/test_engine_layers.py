"""Where the covenant engine sits among the engines (pyproject.toml, import-linter): the
projection builds on it, it builds on the facility engines, and the facility and notes
engines know nothing of each other or of the engines above them."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from model import paths

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(config["tool"]["importlinter"]["contracts"])


def test_the_direction_inside_the_engines_is_a_layers_contract() -> None:
    # review 4, finding 15: not an independence contract that says nothing of direction
    engines = [c for c in _contracts() if c.get("containers") == ["model.engines"]]
    assert len(engines) == 1
    assert engines[0]["type"] == "layers"
    assert engines[0]["layers"] == ["capital", "projection", "covenants", "facility | notes"]
    assert not [c for c in _contracts() if c["type"] == "independence"]


def test_the_engine_contract_holds() -> None:
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=paths.ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Engines: capital > projection > covenants > (facility | notes) KEPT" in result.stdout
