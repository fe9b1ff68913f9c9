"""The batch (model/run/batch.py, step 7): failure isolation, reuse, signals, safe paths.

The notebooks here are small fixtures (tests/run/batchbooks.py) run through the real
papermill, the real kernels and the real scenario files; the determinism test runs the
real projection and compliance notebooks."""

from __future__ import annotations

import fcntl
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from model import paths
from model.errors import InputError, UnsafePathError
from model.run import batch, plan
from model.run.cli import _split_parameters, main
from model.run.notebooks import Notebook, Parameter, coerce
from tests.run.batchbooks import DEAL as D
from tests.run.batchbooks import REPORT_FILES


def _index(out: Path) -> dict:
    return json.loads((out / "index.json").read_text())


def _entries(out: Path) -> dict[str, dict]:
    return {f"{e['folder']}/{e['notebook']}": e for e in _index(out)["reports"]}


def _at(out: Path, scenario: str, *changed: str) -> Path:
    """The folder of ``scenario``'s fake report. A run with parameters that differ from the
    notebook's defaults writes into its own folder (``<scenario>--<what changed>``), never
    over the scenario's default report: ``changed`` names the parameters of the run meant."""
    folders = {
        e["folder"]
        for e in _index(out)["reports"]
        if e["scenario"] == scenario and set(e.get("variant") or {}) == set(changed)
    }
    assert len(folders) == 1, folders
    return out / folders.pop()


def _entry(out: Path, scenario: str, *changed: str) -> dict:
    return _entries(out)[f"{_at(out, scenario, *changed).relative_to(out)}/10-fake"]


def _quiet(**kw):
    return {"progress": io.StringIO(), "progress_bar": False} | kw


def _token(folder: Path) -> set[str]:
    """The run token each file of a fake report carries (all equal: one complete report)."""
    found = {json.loads((folder / "10-fake.json").read_text())["token"]}
    found.add((folder / "10-fake.xlsx").read_text().removeprefix("not really a workbook "))
    nb = json.loads((folder / "10-fake.ipynb").read_text())
    injected = next(
        c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])
    )
    src = "".join(injected["source"])
    if 'token = "' in src:
        found.add(src.split('token = "', 1)[1].split('"', 1)[0])
    printed = "".join("".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", []))
    found.add(printed.split("token: ", 1)[1].split("\n", 1)[0])
    return found


# --- failures -----------------------------------------------------------------------------


def test_a_failing_report_leaves_every_other_report_complete(
    books: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    status = main(["run", "--out", str(out), "-p", "fail_on", "downside", "--workers", "2"])
    assert status == 1
    err = capsys.readouterr().err
    assert (
        "FAILED 10-fake (fake, scenario downside) in cell In [3]: ValueError: planned failure for downside"
        in err
    )
    for s in ("base", "stress-2008", "upside"):
        assert {f.name for f in _at(out, s, "fail_on").iterdir()} == REPORT_FILES
        assert json.loads((_at(out, s, "fail_on") / "10-fake.json").read_text())["scenario"] == s
    assert _at(out, "base", "fail_on").name == "base--fail_on-downside"
    assert {f.name for f in (out / D / "historical").iterdir()} == {
        "09-history.html",
        "09-history.ipynb",
        "09-history.json",
    }
    # the failed notebook is kept, opening at the error; no partial report beside it
    assert {f.name for f in _at(out, "downside", "fail_on").iterdir()} == {
        "10-fake.FAILED.html",
        "10-fake.FAILED.ipynb",
    }
    failed_html = (_at(out, "downside", "fail_on") / "10-fake.FAILED.html").read_text()
    assert "papermill-error-cell" in failed_html and "planned failure" in failed_html
    entry = _entry(out, "downside", "fail_on")
    assert entry["status"] == "failed"
    # In [3]: the parameters cell is In [1], the parameters papermill injected In [2]
    assert entry["failure"]["cell"] == 3
    source = entry["failure"]["source"]
    assert "-->" in source and "raise ValueError" in source.split("-->")[1].splitlines()[0]
    assert entry["failure"]["error"] == "ValueError"
    page = (out / "index.html").read_text()
    assert (
        "1 report failed in this run" in page
        and "fake/downside--fail_on-downside/10-fake.FAILED.html" in page
    )
    assert "In [3]" in page
    # nothing of the run's machinery is left behind
    assert not list(out.glob(".staging-*")) and not list(out.rglob(".tmp-*"))


def test_a_report_that_runs_too_long_is_stopped(books: Path, tmp_path: Path) -> None:
    start = time.perf_counter()
    res = batch.run_batch(
        ["10-fake"], ["base"], {"sleep_seconds": "60"}, tmp_path / "o", timeout=8, **_quiet()
    )
    assert time.perf_counter() - start < 45
    (entry,) = res.failed
    assert entry["failure"]["error"] == "Timeout"
    assert "longer than 8 s" in entry["failure"]["message"]


def test_a_worker_that_dies_is_retried_then_reported(books: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    marker = tmp_path / "killed-once"
    once = batch.run_batch(
        ["10-fake"],
        ["base", "upside"],
        {"kill_worker_on": "upside", "kill_marker": str(marker)},
        out,
        workers=2,
        **_quiet(),
    )
    assert marker.exists()
    assert [e["status"] for e in once.entries] == ["ok", "ok"]  # killed once, then retried
    # the dead attempt's half-written files did not reach the reports
    up = _at(out, "upside", "kill_worker_on", "kill_marker")
    assert {f.name for f in up.iterdir()} == REPORT_FILES
    assert json.loads((up / "10-fake.json").read_text())["scenario"] == "upside"

    always = batch.run_batch(
        ["10-fake"],
        ["base", "upside"],
        {"kill_worker_on": "upside"},
        out,
        workers=2,
        force=True,
        **_quiet(),
    )
    status = {e["scenario"]: e for e in always.entries}
    assert status["upside"]["status"] == "failed"
    assert status["upside"]["failure"]["error"] == "WorkerDied"
    assert status["base"]["status"] == "ok"
    # the earlier complete report of upside (another variant) is still in place
    assert json.loads((up / "10-fake.json").read_text())["scenario"] == "upside"


# --- reuse --------------------------------------------------------------------------------


def test_unchanged_inputs_are_reused_and_anything_changed_reruns(
    books: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    extra = tmp_path / "extra.txt"
    extra.write_text("one")
    args = dict(
        notebooks=["10-fake"],
        scenarios=["base", "upside"],
        parameters={"extra_file": str(extra)},
        out=out,
        workers=2,
        **_quiet(),
    )

    def statuses(**kw) -> list[str]:
        return [e["status"] for e in batch.run_batch(**(args | kw)).entries]

    assert statuses() == ["ok", "ok"]
    stamp = (_at(out, "base", "extra_file") / "10-fake.json").stat().st_mtime_ns
    assert statuses() == ["reused", "reused"]
    assert (_at(out, "base", "extra_file") / "10-fake.json").stat().st_mtime_ns == stamp
    assert "reused (inputs unchanged)" in (out / "index.html").read_text()

    extra.write_text("two")  # a file the reports read changed
    assert statuses() == ["ok", "ok"]
    assert statuses(parameters={"extra_file": str(extra), "sleep_seconds": "0.1"}) == ["ok", "ok"]
    assert statuses(parameters={"extra_file": str(extra), "sleep_seconds": "0.1"}) == [
        "reused",
        "reused",
    ]
    assert statuses(parameters={"extra_file": str(extra), "sleep_seconds": "0.1"}, force=True) == [
        "ok",
        "ok",
    ]

    # a report a crash left half replaced (one file differs from what the index recorded)
    (_at(out, "upside", "extra_file", "sleep_seconds") / "10-fake.xlsx").write_bytes(b"half new")
    assert statuses(parameters={"extra_file": str(extra), "sleep_seconds": "0.1"}) == [
        "reused",
        "ok",
    ]

    # a changed sentence in a Markdown cell changes the report
    nb = json.loads((books / "10-fake.ipynb").read_text())
    nb["cells"][0]["source"] = "# 10 Fake projection, retitled"
    (books / "10-fake.ipynb").write_text(json.dumps(nb))
    assert statuses(parameters={"extra_file": str(extra), "sleep_seconds": "0.1"}) == ["ok", "ok"]

    # a changed package (source or rendering library)
    monkeypatch.setattr(batch, "package_fingerprint", lambda: "another package")
    assert statuses(parameters={"extra_file": str(extra), "sleep_seconds": "0.1"}) == ["ok", "ok"]


def test_rerunning_unchanged_inputs_gives_identical_key_figures_and_workbooks(
    tmp_path: Path,
) -> None:
    """Item 7: the real projection and compliance notebooks, rerun with --force into the
    same folder."""
    import openpyxl

    def values(path: Path) -> dict:
        wb = openpyxl.load_workbook(path)
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}

    out = tmp_path / "reports"
    rels = ("ibasis/stress-2008/04-projection", "ibasis/historical/03-covenant-compliance")
    seen = []
    for _ in range(2):
        res = batch.run_batch(
            ["03-covenant-compliance", "04-projection"],
            ["stress-2008"],
            out=out,
            deals=["ibasis"],
            force=True,
            **_quiet(),
        )
        assert [e["status"] for e in res.entries] == ["ok", "ok"]
        seen.append(
            {rel: ((out / f"{rel}.json").read_bytes(), values(out / f"{rel}.xlsx")) for rel in rels}
        )
    assert seen[0] == seen[1]
    figures = json.loads(seen[0]["ibasis/stress-2008/04-projection"][0])
    # the forecast as of 2008-03-31 first fails for 2008-Q3: an Event of Default from
    # 2008-11-14 (tests/engines/projection/test_defaults.py); when the squeeze deepens the
    # Bank lends nothing, and a funding gap opens on 2009-04-30
    assert figures["first_breach"] == "2008-09-30" and figures["min_liquidity"] == 0.0
    assert figures["event_of_default_from"] == "2008-11-14"
    assert figures["funding_gap_total"] == 20868130.34
    assert "run_at_utc" not in figures["inputs"]


# --- stopping -----------------------------------------------------------------------------

SIGTERM_SCRIPT = """
import sys
from model import paths
from model.run import batch
paths.NOTEBOOKS = __import__("pathlib").Path(sys.argv[1])
paths.DEALS = __import__("pathlib").Path(sys.argv[1]).parent / "deals"
paths.trust(paths.DEALS)  # the test's deal lives in its temporary folder
if __name__ == "__main__":
    try:
        batch.run_batch(None, None, {"sleep_seconds": sys.argv[3], "token_file": sys.argv[4]}, sys.argv[2],
                        workers=2, force=True, progress_bar=False)
    except batch.Interrupted as exc:
        sys.exit(128 + exc.signum)
"""


def test_sigterm_leaves_no_half_written_report_and_no_staging_folder(
    books: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    env = os.environ | {"TMPDIR": str(tmp_path / "tmp"), "MPLBACKEND": "Agg"}
    (tmp_path / "tmp").mkdir()
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent(SIGTERM_SCRIPT))
    cmd = [sys.executable, str(script), str(books), str(out)]
    token = tmp_path / "token.txt"
    token.write_text("first")
    # the same parameters both times (a run with other parameters would go to other folders)
    subprocess.run(cmd + ["6", str(token)], env=env, check=True, cwd=paths.ROOT, timeout=300)
    folders = [
        _at(out, s, "sleep_seconds", "token_file").name
        for s in ("base", "downside", "stress-2008", "upside")
    ]
    assert all(_token(out / D / f) == {"first"} for f in folders)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    started = time.time()
    # its own process group, as a CI job or a scheduler runs it; SIGTERM goes to the group
    token.write_text("second")
    proc = subprocess.Popen(
        cmd + ["6", str(token)], env=env, cwd=paths.ROOT, start_new_session=True
    )
    try:
        deadline = time.time() + 240
        while time.time() < deadline:
            done = [p for p in out.rglob("10-fake.json") if p.stat().st_mtime > started]
            if done:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the batch did not get under way")
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=120) == 128 + signal.SIGTERM
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert not list(out.glob(".staging-*"))
    assert not [p for p in out.rglob("*") if p.name.startswith(".tmp-")]
    assert not list((tmp_path / "tmp").glob("model-run-*"))
    tokens = {f: _token(out / D / f) for f in folders}
    assert all(len(t) == 1 for t in tokens.values()), tokens  # each report all old or all new
    renewed = [f for f, t in tokens.items() if t == {"second"}]
    assert 1 <= len(renewed) < len(folders)
    for rel, old in before.items():  # the scenario reports not renewed are as they were
        if len(rel.parts) > 2 and rel.parts[1] in folders and rel.parts[1] not in renewed:
            assert (out / rel).read_bytes() == old, rel
    index = _index(out)
    assert index["run"]["interrupted"] is True
    assert {
        e["folder"].rsplit("/", 1)[-1]
        for e in index["reports"]
        if e["this_run"] and e["status"] == "ok"
    } >= set(renewed)
    time.sleep(2.5)  # the kernels' parent poller looks every second
    leftovers = []
    for proc_dir in Path("/proc").glob("[0-9]*"):
        try:
            if str(tmp_path).encode() in (proc_dir / "cmdline").read_bytes():
                leftovers.append(proc_dir.name)
        except OSError:
            pass
    assert not leftovers, f"processes left running: {leftovers}"


def test_a_signal_while_a_report_is_put_in_place_waits_for_the_report(
    books: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    real = os.replace
    calls = []

    def replace_then_signal(src, dst):
        calls.append(dst)
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGTERM)  # between the first and second file
        return real(src, dst)

    monkeypatch.setattr(batch.os, "replace", replace_then_signal)
    with pytest.raises(batch.Interrupted):
        batch.run_batch(["10-fake"], ["base", "upside"], {"token": "t"}, out, workers=1, **_quiet())
    done = [f for f in ("base", "upside") if (out / D / f"{f}--token-t" / "10-fake.json").exists()]
    assert len(done) == 1  # the report being put in place was completed, the next not started
    assert _token(out / D / f"{done[0]}--token-t") == {"t"}
    assert {f.name for f in (out / D / f"{done[0]}--token-t").iterdir()} == REPORT_FILES
    assert [e["folder"] for e in _index(out)["reports"]] == [f"{D}/{done[0]}--token-t"]
    assert not list(out.glob(".staging-*"))


def test_one_run_at_a_time_and_leftovers_of_a_crash_are_removed(
    books: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / ".staging-crashed" / "x").mkdir(parents=True)
    with open(out / ".model-run.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("4242")
        held.flush()
        with pytest.raises(
            InputError, match="another model run is writing to .* \\(process 4242\\)"
        ):
            batch.run_batch(["10-fake"], ["base"], out=out, **_quiet())
    batch.run_batch(["10-fake"], ["base"], out=out, **_quiet())
    assert not (out / ".staging-crashed").exists()


# --- names and paths ----------------------------------------------------------------------


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
        plan.safe_name(text)


def test_safe_names_are_made_from_text() -> None:
    assert plan.safe_name("Stress 2008") == "stress-2008"
    assert plan.safe_name("a" * 100) == "a" * 64


def test_scenario_and_notebook_names_cannot_escape(books: Path, tmp_path: Path) -> None:
    o = tmp_path / "o"
    with pytest.raises(InputError, match="no scenario file '../x'"):
        batch.run_batch(["10-fake"], ["../x"], out=o)
    with pytest.raises((InputError, UnsafePathError)):
        batch.run_batch(["10-fake"], ["..%2fx"], out=o)
    with pytest.raises(InputError, match="no notebook '../10-fake'"):
        batch.run_batch(["../10-fake"], ["base"], out=o)
    with pytest.raises(InputError, match="is not a scenario file"):
        batch.run_batch(
            ["10-fake"], ["params/deals/ibasis/facilities/svb-loan-agreement.yaml"], out=o
        )
    outside = tmp_path / "my-scenario.yaml"
    shutil.copy(paths.PARAMS / "deals" / "ibasis" / "scenarios" / "base.yaml", outside)
    with pytest.raises(InputError, match="scenario files live under params/"):
        batch.run_batch(["10-fake"], [str(outside)], out=o)
    assert not o.exists()


@pytest.mark.parametrize("name", ["historical", "index.html"])
def test_reserved_folder_names_are_refused(books: Path, tmp_path: Path, name: str) -> None:
    clash = paths.PARAMS / "deals" / "ibasis" / "scenarios" / f"{name}.yaml"
    shutil.copy(paths.PARAMS / "deals" / "ibasis" / "scenarios" / "base.yaml", clash)
    try:
        with pytest.raises(InputError, match=f"a scenario cannot be called '{name}'"):
            batch.run_batch(
                ["10-fake"], [name if name == "historical" else str(clash)], out=tmp_path / "o"
            )
    finally:
        clash.unlink()


def test_output_folders_that_cannot_be_used_are_refused(books: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(InputError, match="is a file, not a folder"):
        batch.run_batch(["10-fake"], ["base"], out=a_file)
    out = tmp_path / "out"
    (out / D).mkdir(parents=True)
    (out / D / "base").write_text("in the way")
    with pytest.raises(
        InputError, match="is a file where the folder 'fake/base' of the reports should be"
    ):
        batch.run_batch(["10-fake"], ["base"], out=out)
    (out / D / "base").unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / D / "base").symlink_to(elsewhere)
    with pytest.raises((InputError, UnsafePathError), match="symbolic link|escapes"):
        batch.run_batch(["10-fake"], ["base"], out=out)
    assert not any(elsewhere.iterdir())
    assert not list(out.glob(".staging-*"))


def test_a_link_or_folder_in_place_of_a_report_file(books: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / D / "base").mkdir(parents=True)
    (out / D / "upside").mkdir()
    secret = tmp_path / "secret.json"
    secret.write_text("keep me")
    (out / D / "base" / "10-fake.json").symlink_to(secret)  # replaced, never followed
    (out / D / "upside" / "10-fake.html").mkdir()  # a folder in the way: that report fails
    res = batch.run_batch(["10-fake"], ["base", "upside"], out=out, **_quiet())
    status = {e["folder"].rsplit("/", 1)[-1]: e for e in res.entries}
    assert status["base"]["status"] == "ok"
    assert secret.read_text() == "keep me"
    assert not (out / D / "base" / "10-fake.json").is_symlink()
    assert status["upside"]["status"] == "failed"
    assert status["upside"]["failure"]["error"] == "NotPutInPlace"
    assert "is a folder where the report's file goes" in status["upside"]["failure"]["message"]


# --- parameters and the command line -----------------------------------------------------


def test_parameters_are_typed_and_checked_against_the_notebooks(
    books: Path, tmp_path: Path
) -> None:
    o = tmp_path / "o"
    with pytest.raises(
        InputError, match="parameter sleep_seconds: 'soon' is not a number .* for notebook 10-fake"
    ):
        batch.run_batch(["10-fake"], ["base"], {"sleep_seconds": "soon"}, o)
    with pytest.raises(InputError, match="parameter\\(s\\) sleep_secs not declared by 10-fake"):
        batch.run_batch(["10-fake"], ["base"], {"sleep_secs": "1"}, o)
    with pytest.raises(InputError, match="output_dir is chosen with --out"):
        batch.run_batch(["10-fake"], ["base"], {"output_dir": "/tmp"}, o)
    with pytest.raises(InputError, match="scenario_file is chosen with --scenario"):
        batch.run_batch(["10-fake"], ["base"], {"scenario_file": "x.yaml"}, o)
    with pytest.raises(InputError, match="workers must be at least 1, not 0"):
        batch.run_batch(["10-fake"], ["base"], out=o, workers=0)
    assert not o.exists()


def test_values_from_a_yaml_file_take_the_declared_type() -> None:
    import datetime as dt

    nb = Notebook(
        "01-x",
        Path("01-x.ipynb"),
        {
            "accrual_date": Parameter("accrual_date", "str", "2005-03-31", ""),
            "paths": Parameter("paths", "int", 2000, ""),
            "shocks": Parameter("shocks", "list", [0.0], ""),
            "cushion": Parameter("cushion", "float", 0.1, ""),
        },
    )
    assert coerce(nb, "accrual_date", dt.date(2006, 1, 31)) == "2006-01-31"
    assert coerce(nb, "accrual_date", 2008) == "2008"
    assert coerce(nb, "paths", 500) == 500 and coerce(nb, "cushion", 1) == 1.0
    assert coerce(nb, "shocks", "[0, -0.05]") == [0, -0.05]
    with pytest.raises(InputError, match="parameter paths: 2.5 is not a int for notebook 01-x"):
        coerce(nb, "paths", 2.5)
    with pytest.raises(InputError, match="is not a list such as"):
        coerce(nb, "shocks", "0.05")


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
    good.write_text("sleep_seconds: 0\ntoken: 2008-12-31\n")
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
    entry = _entry(tmp_path / "o", "base", "fail_on", "token")  # sleep_seconds 0 is the default
    assert entry["parameters"]["sleep_seconds"] == 0.0 and entry["parameters"]["fail_on"] == "base"
    assert entry["parameters"]["token"] == "2008-12-31"


def test_progress_is_one_plain_line_per_report_off_a_terminal(books: Path, tmp_path: Path) -> None:
    stream = io.StringIO()
    batch.run_batch(["10-fake"], ["base"], out=tmp_path / "o", progress=stream, progress_bar=False)
    batch.run_batch(["10-fake"], ["base"], out=tmp_path / "o", progress=stream, progress_bar=False)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and lines[0].startswith("[1/1] fake/base/10-fake: ok, ")
    assert lines[1] == "[1/1] fake/base/10-fake: reused, inputs unchanged"


def test_a_progress_bar_on_a_terminal(books: Path, tmp_path: Path) -> None:
    stream = io.StringIO()
    batch.run_batch(["10-fake"], ["base"], out=tmp_path / "o", progress=stream, progress_bar=True)
    text = stream.getvalue()
    assert "1/1" in text and "100%" in text and "failed 0" in text


def test_version_and_list(capsys: pytest.CaptureFixture[str]) -> None:
    from model import __version__

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"model {__version__}"
    assert main(["list"]) == 0
    text = capsys.readouterr().out
    assert "04-projection" in text and "[per scenario]" in text
    assert "      scenario_file: str = 'params/deals/ibasis/scenarios/base.yaml'" in text
    assert "      scenario stress-2008: " in text
    assert "  northwind: Northwind Logistics" in text
    assert (
        "      03-covenant-compliance with facility_file='params/deals/northwind/facility.yaml'"
        in text
    )
