"""The inputs block of a report (model/reports/inputs.py): parameters against the
notebook's defaults, the files read with their SHA-256, and a key-figures form that is
the same for the same inputs."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import nbformat
import pytest

from model import paths
from model.errors import InputError, NotFoundError
from model.reports import inputs
from model.terms import load


def _defaults_04() -> dict:
    return inputs.notebook_defaults("04-projection")


def test_defaults_are_read_from_the_parameters_cell_without_running_it():
    d = _defaults_04()
    assert d["scenario_file"] == "params/deals/ibasis/scenarios/base.yaml"
    assert d["output_dir"] == ""  # nothing written unless model run says where


def test_changed_parameters_are_flagged_and_output_dir_stays_out_of_the_json(tmp_path):
    ns = dict(_defaults_04())
    ns["scenario_file"] = "params/deals/ibasis/scenarios/stress-2008.yaml"
    ns["output_dir"] = str(tmp_path)
    early = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)
    late = dt.datetime(2026, 6, 1, 17, 30, tzinfo=dt.UTC)
    a = inputs.inputs_used("04-projection", ns, now=early)
    b = inputs.inputs_used("04-projection", ns, now=late)
    by_name = {p["name"]: p for p in a.parameters}
    assert by_name["scenario_file"]["differs"] is True
    assert by_name["scenario_file"]["default"] == "params/deals/ibasis/scenarios/base.yaml"
    # the output folder outside the project is shown by its name only
    assert by_name["output_dir"]["value"] == f"(outside the project)/{tmp_path.name}"
    # two runs of the same inputs at different times: the same JSON bytes
    assert json.dumps(a.as_dict(), sort_keys=True) == json.dumps(b.as_dict(), sort_keys=True)
    assert [p["name"] for p in a.as_dict()["parameters"]] == ["scenario_file", "overrides"]
    assert "run_at_utc" not in a.as_dict()
    # the page still says when it ran
    assert "2026-01-01T09:00:00+00:00" in a._repr_html_()
    assert "2026-06-01T17:30:00+00:00" in b._repr_html_()


def test_files_read_carry_their_sha256_relative_to_the_project():
    path = paths.PARAMS / "deals" / "ibasis" / "scenarios" / "base.yaml"
    load(path)
    used = inputs.inputs_used("04-projection", _defaults_04())
    recorded = {f["path"]: f["sha256"] for f in used.files}
    assert (
        recorded["params/deals/ibasis/scenarios/base.yaml"]
        == hashlib.sha256(path.read_bytes()).hexdigest()
    )
    text = json.dumps(used.as_dict())
    assert str(paths.ROOT) not in text
    assert str(paths.ROOT) not in used._repr_html_()


def test_values_are_escaped_in_the_html():
    ns = dict(_defaults_04())
    ns["scenario_file"] = "<script>alert(1)</script>"
    page = inputs.inputs_used("04-projection", ns)._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_a_missing_parameter_is_named():
    ns = dict(_defaults_04())
    del ns["scenario_file"]
    with pytest.raises(InputError, match="scenario_file is not defined"):
        inputs.inputs_used("04-projection", ns)


def test_unknown_notebook_and_escaping_names_are_refused():
    with pytest.raises(NotFoundError, match="no notebook"):
        inputs.notebook_defaults("99-nothing")
    with pytest.raises(Exception, match="escapes the folder"):
        inputs.notebook_defaults("../README")


def test_a_parameters_cell_that_is_not_literals_is_refused(tmp_path, monkeypatch):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x = __import__('os').getcwd()  # not a literal")
    cell.metadata["tags"] = ["parameters"]
    nb.cells.append(cell)
    nbformat.write(nb, tmp_path / "99-bad.ipynb")
    monkeypatch.setattr(paths, "NOTEBOOKS", tmp_path)
    with pytest.raises(InputError, match="parameter x is not a literal"):
        inputs.notebook_defaults("99-bad")
    bare = nbformat.v4.new_notebook()
    bare.cells.append(nbformat.v4.new_code_cell("x = 1"))
    nbformat.write(bare, tmp_path / "98-bare.ipynb")
    with pytest.raises(InputError, match="no cell tagged 'parameters'"):
        inputs.notebook_defaults("98-bare")
