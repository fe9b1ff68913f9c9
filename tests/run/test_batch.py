"""The batch (model/run/batch.py, step 7): failure isolation, reuse, signals, safe paths.

The notebooks here are small fixtures (tests/run/batchbooks.py) run through the real
papermill, the real kernels and the real scenario files; the determinism test runs the
real projection notebook."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from model import paths
from model.errors import InputError, UnsafePathError
from model.run import batch
from model.run.cli import _split_parameters, main
from tests.run.batchbooks import write_books

SCENARIOS = ("base", "downside", "stress-2008", "upside")
REPORT_FILES = {"10-fake.html", "10-fake.ipynb", "10-fake.json", "10-fake.xlsx"}


@pytest.fixture()
def books(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = write_books(tmp_path / "books")
    monkeypatch.setattr(paths, "NOTEBOOKS", folder)
    return folder


def _index(out: Path) -> dict:
    return json.loads((out / "index.json").read_text())


def _entries(out: Path) -> dict[str, dict]:
    return {f"{e['scenario']}/{e['notebook']}": e for e in _index(out)["reports"]}


def test_a_failing_report_leaves_every_other_report_complete(
    books: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    status = main(["run", "--out", str(out), "-p", "fail_on", "downside", "--workers", "2"])
    assert status == 1
    err = capsys.readouterr().err
    assert "FAILED 10-fake for scenario downside at cell" in err
    assert "ValueError: planned failure for downside" in err
    for s in ("base", "stress-2008", "upside"):
        assert {f.name for f in (out / s).iterdir()} == REPORT_FILES
        assert json.loads((out / s / "10-fake.json").read_text())["scenario"] == s
    assert {f.name for f in (out / "historical").iterdir()} == {
        "09-history.html",
        "09-history.ipynb",
        "09-history.json",
    }
    # the failed notebook is kept, opening at the error; no partial report beside it
    assert {f.name for f in (out / "downside").iterdir()} == {
        "10-fake.FAILED.html",
        "10-fake.FAILED.ipynb",
    }
    failed_html = (out / "downside" / "10-fake.FAILED.html").read_text()
    assert "papermill-error-cell" in failed_html and "planned failure" in failed_html
    entry = _entries(out)["downside/10-fake"]
    assert entry["status"] == "failed"
    # In [3]: the parameters cell is In [1], the parameters papermill injected In [2]
    assert entry["failure"]["cell"] == 3
    assert "-->" in entry["failure"]["source"] and "raise ValueError" in entry["failure"]["source"]
    assert entry["failure"]["error"] == "ValueError"
    page = (out / "index.html").read_text()
    assert "1 report failed" in page and "downside/10-fake.FAILED.html" in page
    # nothing of the run's machinery is left behind
    assert not list(out.glob(".staging-*")) and not list(out.rglob(".tmp-*"))


def test_unchanged_inputs_are_reused_and_force_reruns(books: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    extra = tmp_path / "extra.txt"
    extra.write_text("one")
    args = dict(
        notebooks=["10-fake"],
        scenarios=["base", "upside"],
        parameters={"extra_file": str(extra)},
        out=out,
        workers=2,
        progress_bar=False,
    )
    first = batch.run_batch(**args)
    assert [e["status"] for e in first.entries] == ["ok", "ok"]
    stamp = (out / "base" / "10-fake.json").stat().st_mtime_ns

    again = batch.run_batch(**args)
    assert [e["status"] for e in again.entries] == ["reused", "reused"]
    assert (out / "base" / "10-fake.json").stat().st_mtime_ns == stamp
    assert "reused (inputs unchanged)" in (out / "index.html").read_text()

    extra.write_text("two")  # a file the reports read changed: both run again
    changed = batch.run_batch(**args)
    assert [e["status"] for e in changed.entries] == ["ok", "ok"]

    other = batch.run_batch(
        **(args | {"parameters": {"extra_file": str(extra), "sleep_seconds": "0.1"}})
    )
    assert [e["status"] for e in other.entries] == ["ok", "ok"]  # a parameter changed

    forced = batch.run_batch(
        **(args | {"parameters": {"extra_file": str(extra), "sleep_seconds": "0.1"}}), force=True
    )
    assert [e["status"] for e in forced.entries] == ["ok", "ok"]


def test_a_worker_that_dies_is_retried_then_reported(books: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    marker = tmp_path / "killed-once"
    once = batch.run_batch(
        ["10-fake"],
        ["base", "upside"],
        {"kill_worker_on": "upside", "kill_marker": str(marker)},
        out,
        workers=2,
        progress_bar=False,
    )
    assert marker.exists()
    assert [e["status"] for e in once.entries] == ["ok", "ok"]  # killed once, then retried

    always = batch.run_batch(
        ["10-fake"],
        ["base", "upside"],
        {"kill_worker_on": "upside"},
        out,
        workers=2,
        force=True,
        progress_bar=False,
    )
    status = {e["scenario"]: e for e in always.entries}
    assert status["upside"]["status"] == "failed"
    assert status["upside"]["failure"]["error"] == "WorkerDied"
    assert status["base"]["status"] == "ok"
    # the earlier complete report of upside is still in place
    assert json.loads((out / "upside" / "10-fake.json").read_text())["scenario"] == "upside"


SIGTERM_SCRIPT = """
import sys
from model import paths
from model.run import batch
paths.NOTEBOOKS = __import__("pathlib").Path(sys.argv[1])
try:
    batch.run_batch(None, None, {{"sleep_seconds": sys.argv[3]}}, sys.argv[2], workers=2, force=True, progress_bar=False)
except batch.Interrupted as exc:
    sys.exit(128 + exc.signum)
"""


def test_sigterm_leaves_no_half_written_file_and_no_staging_folder(
    books: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    env = os.environ | {"TMPDIR": str(tmp_path / "tmp"), "MPLBACKEND": "Agg"}
    (tmp_path / "tmp").mkdir()
    script = textwrap.dedent(SIGTERM_SCRIPT).replace("{{", "{").replace("}}", "}")
    cmd = [sys.executable, "-c", script, str(books), str(out)]
    subprocess.run(cmd + ["0"], env=env, check=True, cwd=paths.ROOT, timeout=300)
    before = {
        p.relative_to(out): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and p.name != "index.html" and p.name != "index.json"
    }
    started = time.time()
    proc = subprocess.Popen(cmd + ["6"], env=env, cwd=paths.ROOT)
    try:
        # wait until the run is under way: a report replaced and others still running
        deadline = time.time() + 240
        while time.time() < deadline:
            done = [p for p in out.rglob("10-fake.json") if p.stat().st_mtime > started]
            if done and list(out.glob(".staging-*")):
                break
            time.sleep(0.2)
        else:
            pytest.fail("the batch did not get under way")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=120) == 128 + signal.SIGTERM
    finally:
        proc.kill()
    assert not list(out.glob(".staging-*"))
    assert not [p for p in out.rglob("*") if p.name.startswith(".tmp-")]
    assert not list((tmp_path / "tmp").glob("model-kernels-*"))
    renewed = 0
    for rel, old in before.items():
        now = (out / rel).read_bytes()
        if now != old:
            renewed += 1
        if rel.suffix == ".json":
            json.loads(now)  # complete
        if rel.suffix == ".html":
            assert now.rstrip().endswith(b"</html>")
        if rel.suffix == ".ipynb":
            json.loads(now)
    assert 1 <= renewed < len(before)
    assert _index(out)["run"]["interrupted"] is True
    time.sleep(2.5)  # the kernels' parent poller runs every second
    leftovers = []
    for proc_dir in Path("/proc").glob("[0-9]*"):
        try:
            if str(tmp_path).encode() in (proc_dir / "cmdline").read_bytes():
                leftovers.append(proc_dir.name)
        except OSError:
            pass
    assert not leftovers, f"processes left running: {leftovers}"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("../x", "must not contain '/'"),
        ("/etc", "must not contain '/'"),
        (".hidden", "start with '.'"),
        ("...", "start with '.'"),
        ("***", "no letters or digits"),
    ],
)
def test_unsafe_names_are_refused(text: str, rule: str) -> None:
    with pytest.raises(InputError, match=rule):
        batch.safe_name(text)


def test_safe_names_are_made_from_text() -> None:
    assert batch.safe_name("Stress 2008") == "stress-2008"
    assert batch.safe_name("a" * 100) == "a" * 64


def test_scenario_and_notebook_names_cannot_escape(books: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no scenario file '../x'"):
        batch.run_batch(["10-fake"], ["../x"], out=tmp_path / "o")
    with pytest.raises(InputError, match="no scenario file"):
        batch.run_batch(["10-fake"], ["/etc/passwd.yaml"], out=tmp_path / "o")
    with pytest.raises((InputError, UnsafePathError)):
        batch.run_batch(["10-fake"], ["..%2fx"], out=tmp_path / "o")
    with pytest.raises(InputError, match="no notebook '../10-fake'"):
        batch.run_batch(["../10-fake"], ["base"], out=tmp_path / "o")
    with pytest.raises(InputError, match="is not a scenario file"):
        batch.run_batch(
            ["10-fake"], ["params/facilities/svb-loan-agreement.yaml"], out=tmp_path / "o"
        )
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_output_folders_that_cannot_be_used_are_refused(books: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(InputError, match="is a file, not a folder"):
        batch.run_batch(["10-fake"], ["base"], out=a_file)
    out = tmp_path / "out"
    out.mkdir()
    (out / "base").write_text("in the way")
    with pytest.raises(InputError, match="is a file where the folder of scenario 'base' should be"):
        batch.run_batch(["10-fake"], ["base"], out=out)
    (out / "base").unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "base").symlink_to(elsewhere)
    with pytest.raises((InputError, UnsafePathError), match="symbolic link|escapes"):
        batch.run_batch(["10-fake"], ["base"], out=out)
    assert not any(elsewhere.iterdir())
    assert not list(out.glob(".staging-*"))


def test_parameters_are_typed_and_checked_against_the_notebooks(
    books: Path, tmp_path: Path
) -> None:
    with pytest.raises(
        InputError, match="parameter sleep_seconds: 'soon' is not a number .* for notebook 10-fake"
    ):
        batch.run_batch(["10-fake"], ["base"], {"sleep_seconds": "soon"}, tmp_path / "o")
    with pytest.raises(InputError, match="parameter\\(s\\) sleep_secs not declared by 10-fake"):
        batch.run_batch(["10-fake"], ["base"], {"sleep_secs": "1"}, tmp_path / "o")
    with pytest.raises(InputError, match="output_dir is chosen with --out"):
        batch.run_batch(["10-fake"], ["base"], {"output_dir": "/tmp"}, tmp_path / "o")
    with pytest.raises(InputError, match="scenario_file is chosen with --scenario"):
        batch.run_batch(["10-fake"], ["base"], {"scenario_file": "x.yaml"}, tmp_path / "o")


def test_papermill_style_parameters_on_the_command_line(
    books: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _split_parameters(["run", "-p", "a", "1", "-p", "b=2", "x"]) == [
        "run",
        "-p",
        "a=1",
        "-p",
        "b=2",
        "x",
    ]
    assert _split_parameters(["run", "-p", "a", "x=y"]) == ["run", "-p", "a=x=y"]
    bad = tmp_path / "params.yaml"
    bad.write_text("- just\n- a list\n")
    assert main(["run", "10-fake", "-s", "base", "-f", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "must be a mapping of parameter names" in capsys.readouterr().err
    good = tmp_path / "good.yaml"
    good.write_text("sleep_seconds: 0\n")
    assert (
        main(
            [
                "run",
                "10-fake",
                "-s",
                "base",
                "-f",
                str(good),
                "-p",
                "fail_on",
                "base",
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 1
    )
    entry = _entries(tmp_path / "o")["base/10-fake"]
    assert entry["parameters"]["sleep_seconds"] == 0.0 and entry["parameters"]["fail_on"] == "base"


def test_progress_is_one_plain_line_per_report_off_a_terminal(books: Path, tmp_path: Path) -> None:
    import io

    stream = io.StringIO()
    batch.run_batch(["10-fake"], ["base"], out=tmp_path / "o", progress=stream, progress_bar=False)
    batch.run_batch(["10-fake"], ["base"], out=tmp_path / "o", progress=stream, progress_bar=False)
    assert stream.getvalue().splitlines() == [
        stream.getvalue().splitlines()[0],
        "[1/1] base/10-fake: reused, inputs unchanged",
    ]
    assert stream.getvalue().startswith("[1/1] base/10-fake: ok, ")


def test_version_and_list(capsys: pytest.CaptureFixture[str]) -> None:
    from model import __version__

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"model {__version__}"
    assert main(["list"]) == 0
    text = capsys.readouterr().out
    assert "04-projection" in text and "[per scenario]" in text
    assert "      scenario_file: str = 'params/scenarios/base.yaml'" in text
    assert "  stress-2008: " in text


def test_rerunning_unchanged_inputs_gives_identical_key_figures_and_workbooks(
    tmp_path: Path,
) -> None:
    """Item 7: the real projection and compliance notebooks, run twice with force."""
    import openpyxl

    def values(path: Path) -> dict:
        wb = openpyxl.load_workbook(path)
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}

    runs = []
    for n in (1, 2):
        out = tmp_path / f"run{n}"
        res = batch.run_batch(
            ["03-covenant-compliance", "04-projection"],
            ["stress-2008"],
            out=out,
            force=True,
            progress_bar=False,
        )
        assert not res.failed
        runs.append(out)
    for rel in ("stress-2008/04-projection", "historical/03-covenant-compliance"):
        a, b = (r / f"{rel}.json" for r in runs)
        assert a.read_bytes() == b.read_bytes(), rel
        assert values(runs[0] / f"{rel}.xlsx") == values(runs[1] / f"{rel}.xlsx"), rel
    figures = json.loads((runs[0] / "stress-2008/04-projection.json").read_text())
    assert figures["first_breach"] == "2008-12-31" and figures["min_liquidity"] == 10602290.45
    assert "run_at_utc" not in figures["inputs"]
