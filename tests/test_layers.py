"""The layers are real: import-linter's contracts (pyproject.toml) hold, and importing a
lower layer loads nothing from the layers above it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from model import paths

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_import_linter_contracts_hold() -> None:
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=paths.ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _loaded_after(module: str) -> list[str]:
    code = (
        f"import json, sys; import {module}; "
        "print(json.dumps(sorted(m for m in sys.modules if m == 'model' or m.startswith('model.'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=paths.ROOT, capture_output=True, text=True, check=True
    )
    return list(json.loads(out.stdout))


ABOVE = {
    "model.dates": ("model.terms", "model.engines", "model.reports", "model.run"),
    "model.terms": ("model.engines", "model.reports", "model.run"),
    "model.engines.notes": ("model.reports", "model.run"),
    "model.engines.facility": ("model.reports", "model.run"),
    "model.engines.covenants": ("model.reports", "model.run"),
    "model.reports": ("model.run",),
}


@pytest.mark.parametrize("layer", sorted(ABOVE))
def test_importing_a_layer_loads_nothing_above_it(layer: str) -> None:
    loaded = _loaded_after(layer)
    assert layer in loaded
    above = [m for m in loaded if m.startswith(ABOVE[layer])]
    assert above == []


def test_the_public_api_is_loaded_on_first_use() -> None:
    loaded = _loaded_after("model")
    assert [m for m in loaded if m != "model"] == []
    import model

    assert model.accrued_interest.__module__ == "model.engines.notes.accrual"
    with pytest.raises(AttributeError, match="has no attribute 'nonexistent'"):
        model.nonexistent  # noqa: B018


def test_no_module_of_the_package_imports_one_that_imports_it_back() -> None:
    # every import, at the top of a module or inside a function (import-linter's graph)
    import grimp

    graph = grimp.build_graph("model")
    circles = [
        (a, b)
        for a in sorted(graph.modules)
        for b in sorted(graph.find_modules_directly_imported_by(a))
        if graph.chain_exists(importer=b, imported=a)
    ]
    assert circles == []
