"""The main job and the Quickstart: notebooks run under papermill with other parameters,
reports land only when every notebook succeeded, and CI runs the README's test command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from papermill.exceptions import PapermillExecutionError

from model import paths
from model.errors import InputError
from model.run import list_notebooks, run_notebooks


def test_notebook_01_runs_with_other_parameters(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    res = run_notebooks(["01-interest-accrual"], {"as_of": "2006-01-31"}, out)
    assert res[0]["name"] == "01-interest-accrual"
    figures = json.loads((out / "01-interest-accrual.json").read_text())
    # 29,000,000 x 8% x 43/360 (30/360 from 2005-12-18 to 2006-01-31) = 277,111.11
    assert figures["accrued_interest_as_of"] == "277111.11"
    assert figures["symphony_exchange_accrued_interest"] == "651187.50"
    assert (out / "01-interest-accrual.html").stat().st_size > 10_000
    assert "277,111.11" in (out / "01-interest-accrual.html").read_text()


def test_failed_run_leaves_nothing_half_written(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    with pytest.raises(PapermillExecutionError, match="ParamsError"):
        run_notebooks(
            ["01-interest-accrual"], {"instrument_file": "params/instruments/missing.yaml"}, out
        )
    assert [p.name for p in out.iterdir()] == []


def test_unknown_notebook_is_an_error() -> None:
    with pytest.raises(InputError, match="no such notebook"):
        run_notebooks(["99-nothing"])


def test_notebooks_are_thin_and_parameterized() -> None:
    import nbformat

    books = list_notebooks()
    assert books, "no notebooks"
    for book in books:
        nb = nbformat.read(book, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert "parameters" in code[0].metadata.get("tags", []), book.name
        assert all(c.get("outputs") is not None for c in code)
        assert any(c.outputs for c in code), f"{book.name} committed without outputs"
        images = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
        assert images, f"{book.name}: its charts were not displayed (a forced non-inline backend?)"
        for c in code:
            assert not re.search(r"^\s*(def|class) ", c.source, re.M), (
                f"{book.name}: logic belongs in model/"
            )
        body = [c.source for c in code[1:]]
        for src in body:
            imports = re.findall(r"^\s*(?:from|import)\s+(model[\w.]*)", src, re.M)
            assert set(imports) <= {"model"}, (
                f"{book.name}: imports {imports}; use `from model import ...`"
            )
            # no date hard-coded in a cell: dates are parameters
            assert not re.search(r"[\"']\d{4}-\d{2}-\d{2}[\"']", src), (
                f"{book.name}: a date literal in a cell"
            )
            # no slicing of rendered text
            assert ".index(" not in src and ".str.contains(" not in src, (
                f"{book.name}: text slicing"
            )


def test_ci_runs_the_readme_test_command() -> None:
    readme = (paths.ROOT / "README.md").read_text()
    block = re.search(r"## Quickstart.*?```bash\n(.*?)```", readme, re.S).group(1)
    commands = [ln for ln in block.splitlines() if ln.strip() and not ln.startswith("#")]
    assert len(commands) == 2
    ci = (paths.ROOT / ".ci" / "run").read_text()
    assert commands[1] in ci.splitlines()


def test_misspelt_parameter_is_refused(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match="parameter\\(s\\) as_off not declared by 01-interest-accrual"
    ):
        run_notebooks(["01-interest-accrual"], {"as_off": "2006-12-18"}, tmp_path)


def test_command_line_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from model.run.cli import main

    assert main(["run", "01-interest-accrual", "-o", str(tmp_path), "-p", "as_of=2004-06-01"]) == 1
    err = capsys.readouterr().err
    assert "a notebook failed" in err and "before the issue date 2004-06-18" in err
    assert "no report of this run was moved into place" in err and len(err.splitlines()) == 2
    assert main(["run", "nosuch"]) == 2
    assert "no such notebook(s): nosuch" in capsys.readouterr().err


def test_params_command_lists_assumptions(capsys: pytest.CaptureFixture[str]) -> None:
    from model.run.cli import main

    assert (
        main(["params", "params/instruments/8pct-secured-convertible-2007.yaml", "/etc/passwd"])
        == 1
    )
    out = capsys.readouterr()
    assert "ok; 4 sourced terms, 6 assumptions" in out.out
    assert "assumption terms.day_count = 30/360 US" in out.out
    assert "/etc/passwd" in out.err and "outside the params folder" in out.err


def test_papermill_sees_every_parameter() -> None:
    """papermill skips a parameter line it cannot parse (e.g. a second '=' in its comment), and the
    runner would then refuse that parameter: every assignment in a parameters cell must be seen."""
    import nbformat
    import papermill as pm

    for book in list_notebooks():
        nb = nbformat.read(book, as_version=4)
        cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        names = [
            ln.split("=")[0].strip() for ln in cell.source.splitlines() if "=" in ln.split("#")[0]
        ]
        assert sorted(pm.inspect_notebook(str(book))) == sorted(names), book.name


def test_reports_name_the_final_folder_and_refuse_output_dir_as_parameter(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    run_notebooks(["01-interest-accrual"], None, out)
    html = (out / "01-interest-accrual.html").read_text()
    assert ".run-" not in html and str(out) in html
    index = json.loads((out / "index.json").read_text())
    assert index[0]["name"] == "01-interest-accrual" and index[0]["completed_at"]
    with pytest.raises(InputError, match="output_dir is chosen with -o"):
        run_notebooks(["01-interest-accrual"], {"output_dir": "/tmp"}, out)


def test_an_output_dir_that_is_a_file_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # review 4, finding 3: no FileExistsError traceback
    from model.run.cli import main

    a_file = tmp_path / "reports.txt"
    a_file.write_text("not a folder")
    assert main(["run", "01-interest-accrual", "-o", str(a_file)]) == 2
    err = capsys.readouterr().err
    assert (
        err
        == f"model run: output_dir: {a_file} is a file, not a folder: give a folder for the reports\n"
    )
    assert a_file.read_text() == "not a folder"


def test_counts_are_singular_or_plural(capsys: pytest.CaptureFixture[str]) -> None:
    # review 4, finding 17: "1 sourced term", not "1 sourced terms"
    from model.run.cli import _count

    assert [_count(n, "assumption") for n in (0, 1, 2)] == [
        "0 assumptions",
        "1 assumption",
        "2 assumptions",
    ]
