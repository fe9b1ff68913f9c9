"""The main job and the Quickstart: the real notebooks run under papermill with other
parameters, a failing one is kept and named, the notebooks are thin and typed, and CI runs
the README's test command. (The batch's machinery: tests/run/test_batch.py.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from model import paths
from model.errors import InputError
from model.run import list_notebooks, run_batch


def test_notebook_01_runs_with_other_parameters(tmp_path: Path) -> None:
    res = run_batch(["01-interest-accrual"], None, {"accrual_date": "2006-01-31"}, tmp_path / "r")
    assert [(e["notebook"], e["status"]) for e in res.entries] == [("01-interest-accrual", "ok")]
    # another accrual date is a variant of the report: its own folder, never the default's
    out = tmp_path / "r" / "ibasis" / "historical--accrual_date-2006-01-31"
    assert res.entries[0]["folder"] == "ibasis/historical--accrual_date-2006-01-31"
    figures = json.loads((out / "01-interest-accrual.json").read_text())
    # after the 2005 conversion of $8,000,000 (params: an assumed 2005-06-18), 21,000,000 x 8%
    # x 43/360 (30/360 from 2005-12-18 to 2006-01-31) = 200,666.67
    assert figures["accrued_interest_as_of"] == "200666.67"
    assert figures["symphony_exchange_accrued_interest"] == "651187.50"
    assert (out / "01-interest-accrual.html").stat().st_size > 10_000
    assert "200,666.67" in (out / "01-interest-accrual.html").read_text()


def test_a_failed_notebook_is_kept_and_nothing_half_written(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    res = run_batch(
        ["01-interest-accrual"],
        None,
        {"instrument_file": "params/deals/ibasis/instruments/missing.yaml"},
        out,
    )
    (entry,) = res.failed
    assert (
        entry["failure"]["error"] == "ParamsError" and "missing.yaml" in entry["failure"]["message"]
    )
    assert sorted(p.name for p in (out / entry["folder"]).iterdir()) == [
        "01-interest-accrual.FAILED.html",
        "01-interest-accrual.FAILED.ipynb",
    ]
    assert sorted(p.name for p in out.iterdir()) == [
        ".model-run.lock",
        "ibasis",
        "index.html",
        "index.json",
    ]


def test_unknown_notebook_is_an_error() -> None:
    with pytest.raises(InputError, match="no notebook '99-nothing'"):
        run_batch(["99-nothing"])


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
        run_batch(["01-interest-accrual"], None, {"as_off": "2006-12-18"}, tmp_path)


def test_a_parameter_means_one_thing_in_every_notebook() -> None:
    """A parameter declared by two notebooks has the same type and help in both (step 7:
    01's and 02's "as_of" meant two different dates; they are accrual_date and sizing_date)."""
    from model.run.notebooks import notebook_info

    seen: dict[str, tuple[str, str, str]] = {}
    for book in list_notebooks():
        for p in notebook_info(book).parameters.values():
            if p.name in seen and p.name != "output_dir":
                other, type_name, _ = seen[p.name]
                assert p.type_name == type_name, (p.name, book.stem, other)
            seen.setdefault(p.name, (book.stem, p.type_name, p.help))
    assert "as_of" not in seen
    assert seen["accrual_date"][0] == "01-interest-accrual"
    assert seen["sizing_date"][0] == "02-facility-sizing"


def test_command_line_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from model.run.cli import main

    status = main(
        ["run", "01-interest-accrual", "-o", str(tmp_path), "-p", "accrual_date", "2004-06-01"]
    )
    assert status == 1
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines[0].startswith(
        "[1/1] ibasis/historical--accrual_date-2004-06-01/01-interest-accrual: failed (InputError), "
    )
    assert lines[1].startswith("FAILED 01-interest-accrual (ibasis, historical) in cell In [")
    assert "before the issue date 2004-06-18" in err and "01-interest-accrual.FAILED.ipynb" in err
    assert main(["run", "nosuch"]) == 2
    assert capsys.readouterr().err.startswith(
        "model run: notebooks: no notebook 'nosuch'; available: 01-"
    )


def test_params_command_lists_assumptions(capsys: pytest.CaptureFixture[str]) -> None:
    from model.run.cli import main

    assert (
        main(
            [
                "params",
                "params/deals/ibasis/instruments/8pct-secured-convertible-2007.yaml",
                "/etc/passwd",
            ]
        )
        == 1
    )
    out = capsys.readouterr()
    assert "ok; 4 sourced terms, 7 assumptions" in out.out  # the 2005 conversion's date is one
    assert "assumption terms.day_count = 30/360 US" in out.out
    assert "/etc/passwd" in out.err and "outside the params folder" in out.err


def test_papermill_sees_every_parameter_with_its_type() -> None:
    """papermill skips a parameter line it cannot parse (e.g. a second '=' in its comment), and the
    runner would then refuse that parameter: every assignment in a parameters cell must be seen,
    with a declared type (``papermill --help-notebook`` shows it) and a help text."""
    import papermill as pm

    from model.run.notebooks import notebook_info

    for book in list_notebooks():
        ours = notebook_info(book).parameters
        theirs = pm.inspect_notebook(str(book))
        assert sorted(theirs) == sorted(ours), book.name
        for name, p in theirs.items():
            assert p["inferred_type_name"] not in ("None", ""), (book.name, name)
            assert p["inferred_type_name"].split("[")[0] == ours[name].type_name, (book.name, name)
            assert p["help"] and p["help"] == ours[name].help, (book.name, name)


def test_reports_name_the_final_folder_and_refuse_output_dir_as_parameter(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    run_batch(["01-interest-accrual"], None, None, root)
    out = root / "ibasis" / "historical"
    html = (out / "01-interest-accrual.html").read_text()
    # the report for people names no folder of the machine: neither the staging folder nor
    # the final one (its inputs block shows paths relative to the project only)
    assert ".staging-" not in html and str(out) not in html and str(tmp_path) not in html
    # the executed notebook records the parameters it ran with: the final folder, not the staging one
    import nbformat

    nb = nbformat.read(out / "01-interest-accrual.ipynb", as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert str(out) in injected.source and ".staging-" not in injected.source
    index = json.loads((root / "index.json").read_text())
    assert index["reports"][0]["notebook"] == "01-interest-accrual"
    assert index["reports"][0]["completed_at"]
    with pytest.raises(InputError, match="output_dir is chosen with --out"):
        run_batch(["01-interest-accrual"], None, {"output_dir": "/tmp"}, root)


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
        == f"model run: --out: {a_file} is a file, not a folder: give a folder for the reports\n"
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


@pytest.mark.parametrize(
    "name",
    sorted(
        p.relative_to(paths.ROOT).as_posix()
        for p in (paths.ROOT / "params").rglob("*")
        if p.suffix in (".yaml", ".csv")
    ),
)
def test_params_command_reads_every_kind_of_file(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Item 10 of step 7: every params file validates and is counted by its kind (terms with
    their sources and assumptions; dated inputs by rows; actuals by quarters and kinds)."""
    from model.run.cli import main

    assert main(["params", name]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    m = re.fullmatch(rf"{re.escape(name)}: ok; (\d+) sourced terms?, (\d+) assumptions?", line)
    if m:
        assert int(m.group(1)) + int(m.group(2)) > 0, line
    else:
        assert re.fullmatch(
            rf"{re.escape(name)}: ok; (\d+ rows? of .+|\d+ quarters, values: .+"
            rf"|[1-9]\d* notebooks?, \d+ scenarios?, \d+ reports? planned)",
            line,
        ), line


def test_a_direct_papermill_run_writes_only_where_output_dir_says(tmp_path: Path) -> None:
    """Item 10 of step 7: run by papermill itself (not model run), a notebook with its default
    parameters writes its executed copy and nothing else; with output_dir, only there."""
    import papermill as pm

    before = sorted(p for p in (paths.ROOT / "reports").rglob("*") if p.is_file())
    book = str(paths.NOTEBOOKS / "01-interest-accrual.ipynb")
    nb = pm.execute_notebook(
        book, str(tmp_path / "out.ipynb"), cwd=str(paths.NOTEBOOKS), progress_bar=False
    )
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "nothing written (output_dir is empty; model run sets it)" in printed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ipynb"]
    assert sorted(p for p in (paths.ROOT / "reports").rglob("*") if p.is_file()) == before
    there = tmp_path / "there"
    pm.execute_notebook(
        book,
        str(tmp_path / "out2.ipynb"),
        parameters={"output_dir": str(there)},
        cwd=str(paths.NOTEBOOKS),
        progress_bar=False,
    )
    assert sorted(p.name for p in there.iterdir()) == [
        "01-interest-accrual.json",
        "01-interest-accrual.xlsx",
    ]
