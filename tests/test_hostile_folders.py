"""The reports folder and the params folder as untrusted input (issue 19): what an earlier
run, a person or another program left there is checked before it is read or written
through, and never followed out of its folder.

Each case asserts its message; a write that must not happen is checked on the bytes of the
file it would have changed.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

from model import paths
from model.errors import InputError, ParamsError, UnsafePathError
from model.reports.index import INDEX_FORMAT, write_index
from model.run.batch import LOCK_NAME, _locked
from model.run.folder import check_state, open_lock, previous_index
from model.terms import load


@pytest.fixture
def outside() -> Path:
    """A folder outside both params/ and the tests' trusted temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="model-outside-"))
    yield folder
    for p in sorted(folder.rglob("*"), reverse=True):
        p.unlink() if p.is_file() or p.is_symlink() else p.rmdir()
    folder.rmdir()


# --- the lock -------------------------------------------------------------------------------


def test_a_lock_that_is_a_link_to_a_file_outside_leaves_that_file_unchanged(tmp_path, outside):
    victim = outside / "precious.txt"
    victim.write_bytes(b"do not overwrite\n")
    before = victim.read_bytes()
    (tmp_path / LOCK_NAME).symlink_to(victim)
    with pytest.raises(
        InputError,
        match=r"\.model-run\.lock is a symbolic link where the run's "
        r"lock file belongs \(the run never follows a link there\): remove it",
    ):
        with _locked(tmp_path):
            pass
    assert victim.read_bytes() == before  # byte for byte


def test_a_lock_that_is_a_dangling_link_creates_nothing(tmp_path, outside):
    (tmp_path / LOCK_NAME).symlink_to(outside / "created-by-the-run")
    with pytest.raises(InputError, match="is a symbolic link"):
        open_lock(tmp_path / LOCK_NAME)
    assert not (outside / "created-by-the-run").exists()


def test_a_lock_that_is_a_folder(tmp_path):
    (tmp_path / LOCK_NAME).mkdir()
    with pytest.raises(
        InputError,
        match=r"\.model-run\.lock is a folder where the run's lock "
        "file belongs",
    ):
        open_lock(tmp_path / LOCK_NAME)


def test_a_lock_that_is_a_fifo(tmp_path):
    os.mkfifo(tmp_path / LOCK_NAME)
    with pytest.raises(InputError, match="is a special file"):
        open_lock(tmp_path / LOCK_NAME)


def test_a_regular_lock_records_the_process(tmp_path):
    with _locked(tmp_path):
        assert (tmp_path / LOCK_NAME).read_text() == str(os.getpid())


# --- files of the batch in a strange state --------------------------------------------------


@pytest.mark.parametrize("name", ["index.json", "index.html"])
def test_a_folder_where_the_index_belongs_is_one_line_before_anything_runs(tmp_path, name):
    (tmp_path / name).mkdir()
    with pytest.raises(InputError) as e:
        check_state(tmp_path, ("index.json", "index.html"))
    assert f"{name} is a folder where the batch's file {name} belongs: move it away" in str(e.value)
    assert "\n" not in str(e.value)


def test_a_link_where_the_index_belongs(tmp_path, outside):
    (tmp_path / "index.html").symlink_to(outside / "page.html")
    with pytest.raises(InputError, match="index.html is a symbolic link where the batch's file"):
        check_state(tmp_path, ("index.json", "index.html"))


# --- index.json, read as untrusted -----------------------------------------------------------


def _entry(**fields):
    e = {
        "notebook": "04-projection",
        "deal": "ibasis",
        "deal_title": "iBasis",
        "folder": "ibasis/base",
        "scenario": "base",
        "scenario_title": "Base",
        "parameters": {},
        "variant": {},
        "fingerprint": "ab" * 32,
        "status": "ok",
        "seconds": 1.5,
        "files": {"04-projection.json": "cd" * 32},
        "files_read": {},
        "completed_at": "2026-12-06T07:00:00+00:00",
        "failure": None,
        "worker": "local-1",
        "this_run": True,
    }
    e.update(fields)
    return {k: v for k, v in e.items() if v != "<absent>"}


def _index(tmp_path: Path, *entries) -> None:
    (tmp_path / "index.json").write_text(
        json.dumps({"format": INDEX_FORMAT, "reports": list(entries)})
    )


def test_a_valid_entry_is_kept(tmp_path):
    _index(tmp_path, _entry())
    assert list(previous_index(tmp_path, INDEX_FORMAT)) == ["ibasis/base/04-projection"]


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        (
            {"folder": "../../x"},
            "reports[0] dropped: folder: Value error, the folder '../../x' is "
            "not a folder inside the reports folder",
        ),
        ({"folder": "/etc"}, "the folder '/etc' is not a folder inside the reports folder"),
        ({"folder": "ibasis/../../x"}, "not a folder inside the reports folder"),
        ({"status": "<absent>"}, "reports[0] dropped: status: Field required"),
        (
            {"status": "done"},
            "reports[0] dropped: status: Input should be 'ok', 'reused' or 'failed'",
        ),
        ({"shell": "rm -rf /"}, "reports[0] dropped: shell: Extra inputs are not permitted"),
        (
            {"files": {"../../etc/passwd": "ab"}},
            "the file name '../../etc/passwd' is not a file of the report's folder",
        ),
        ({"files": {"sub/x.html": "ab"}}, "is not a file of the report's folder"),
        ({"notebook": "../04"}, "the notebook name '../04' is not a plain file name"),
        ({"files": ["a.html"]}, "reports[0] dropped: files: Input should be a valid dictionary"),
        ({"seconds": "fast"}, "reports[0] dropped: seconds"),
        ({"seconds": "<absent>"}, "reports[0] dropped: seconds: Field required"),
        ({"seconds": None}, "reports[0] dropped: seconds"),
        ({"status": "failed", "failure": None}, "a failed report records its failure"),
        ({"files_read": {"/etc/passwd": "ab"}}, "'/etc/passwd' is not a file of the params folder"),
        ({"files_read": {"params/../../x": "ab"}}, "is not a file of the params folder"),
    ],
)
def test_a_malformed_entry_is_dropped_with_a_warning(tmp_path, capsys, fields, said):
    _index(tmp_path, _entry(**fields), _entry(folder="ibasis/downside"))
    kept = previous_index(tmp_path, INDEX_FORMAT)
    assert list(kept) == ["ibasis/downside/04-projection"]  # the other entry stays
    assert said in capsys.readouterr().err


def test_an_index_nested_100000_deep_is_not_read(tmp_path, capsys):
    (tmp_path / "index.json").write_text("[" * 100_000 + "]" * 100_000)
    assert previous_index(tmp_path, INDEX_FORMAT) == {}
    assert "cannot be read (nested more than 64 deep): every report is computed again" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("{not json", "cannot be read (Expecting property name"),
        (json.dumps({"format": INDEX_FORMAT, "reports": {"a": 1}}), "'reports' is not a list"),
        (b"\xff\xfe".decode("latin-1"), "cannot be read"),
    ],
)
def test_an_unreadable_index_is_ignored_with_a_warning(tmp_path, capsys, text, said):
    (tmp_path / "index.json").write_text(text, encoding="latin-1")
    assert previous_index(tmp_path, INDEX_FORMAT) == {}
    assert said in capsys.readouterr().err


def test_an_index_that_is_a_link_is_not_read(tmp_path, outside, capsys):
    real = outside / "index.json"
    real.write_text(json.dumps({"format": INDEX_FORMAT, "reports": [_entry()]}))
    (tmp_path / "index.json").symlink_to(real)
    assert previous_index(tmp_path, INDEX_FORMAT) == {}
    assert (
        "index.json is a symbolic link, not the batch's index: not read" in capsys.readouterr().err
    )


def test_an_index_of_another_format_is_ignored(tmp_path):
    (tmp_path / "index.json").write_text(json.dumps({"format": -1, "reports": [_entry()]}))
    assert previous_index(tmp_path, INDEX_FORMAT) == {}


def test_the_index_never_links_to_nor_reads_figures_from_outside(tmp_path, outside):
    """A corrupted entry pointing at ../x: dropped, so index.html neither links to it nor
    shows the figures of the file it names."""
    secret = outside / "04-projection.json"
    secret.write_text(json.dumps({"first_breach": "SECRET-FIGURE"}))
    rel = os.path.relpath(outside, tmp_path)
    _index(tmp_path, _entry(folder=rel, files={"04-projection.json": "ab"}))
    previous = previous_index(tmp_path, INDEX_FORMAT)
    assert previous == {}
    html, _ = write_index(tmp_path, [], RUN, previous=previous)
    page = html.read_text()
    assert "SECRET-FIGURE" not in page and rel not in page


def test_figures_behind_a_link_in_a_report_folder_are_not_shown(tmp_path, outside):
    secret = outside / "04-projection.json"
    secret.write_text(json.dumps({"first_breach": "SECRET-FIGURE"}))
    folder = tmp_path / "ibasis" / "base"
    folder.mkdir(parents=True)
    (folder / "04-projection.json").symlink_to(secret)
    entry = _entry(files={"04-projection.json": "ab"})
    html, _ = write_index(tmp_path, [], RUN, previous={"ibasis/base/04-projection": entry})
    assert "SECRET-FIGURE" not in html.read_text()


# --- params confinement: however a file is named ---------------------------------------------

RUN = {
    "started_at": "2026-12-06T07:00:00+00:00",
    "finished_at": "2026-12-06T07:01:00+00:00",
    "seconds": 60.0,
    "workers": 2,
    "executor": "local",
    "version": "test",
    "planned": 0,
    "interrupted": False,
}

SCENARIO = paths.PARAMS / "deals" / "ibasis" / "scenarios" / "base.yaml"


def test_a_path_outside_params_is_refused_like_a_name(outside):
    copy = outside / "base.yaml"
    copy.write_text(SCENARIO.read_text())
    for given in (copy, str(copy)):
        with pytest.raises(ParamsError, match="is outside the params folder"):
            load(given)


def test_a_deal_folder_that_is_a_link_out_of_params_is_refused(outside):
    deal = outside / "evil"
    deal.mkdir()
    (deal / "deal.yaml").write_text((paths.DEALS / "ibasis" / "deal.yaml").read_text())
    link = paths.DEALS / "zz-linked-out"
    link.symlink_to(deal, target_is_directory=True)
    try:
        for given in (link / "deal.yaml", "params/deals/zz-linked-out/deal.yaml"):
            with pytest.raises(ParamsError, match="is outside the params folder"):
                load(given)
        with pytest.raises(ParamsError, match=r"a symbolic link leads out"):
            load(link / "deal.yaml")
        from model.run.plan import find_deals

        with pytest.raises(ParamsError, match="zz-linked-out/deal.yaml' is outside the params"):
            find_deals()
    finally:
        link.unlink()


def test_input_path_follows_links_before_it_decides():
    with pytest.raises(UnsafePathError, match="'/etc/hostname' is outside the params folder"):
        paths.input_path(Path("/etc/hostname"))
    assert paths.input_path(SCENARIO) == SCENARIO.resolve()


# --- the Markdown certificate escapes HTML as the HTML one does --------------------------------


def test_the_markdown_certificate_makes_a_script_text(tmp_path):
    from model.engines.covenants.quarter_study import study_quarter
    from model.reports.compliance import CertificateSigning, compliance_report

    study = study_quarter(
        load("params/deals/ibasis/facilities/svb-loan-agreement.yaml"),
        load("params/deals/ibasis/actuals/ibasis-2008.csv"),
        "2008-03-31",
    )
    hostile = "<script>alert('x')</script>"
    import datetime as dt

    report = compliance_report(
        study, CertificateSigning(dt.date(2008, 5, 15), officer_name=hostile)
    )
    md = next(text for name, text in report.documents.items() if name.endswith(".md"))
    page = next(text for name, text in report.documents.items() if name.endswith(".html"))
    assert "<script>alert" not in md and "&lt;script>alert('x')&lt;/script>" in md
    assert "<script>alert" not in page


def test_names_the_batch_writes_are_kept(tmp_path):
    """What the writer accepts, the reader accepts: a scenario named _draft, a file name
    with a space."""
    _index(
        tmp_path,
        _entry(folder="ibasis/_draft", files={"Compliance certificate.html": "ab"}),
    )
    assert list(previous_index(tmp_path, INDEX_FORMAT)) == ["ibasis/_draft/04-projection"]


def test_a_lock_that_is_a_hard_link_to_a_file_outside_leaves_it_unchanged(tmp_path, outside):
    victim = tmp_path / "victim.txt"  # a hard link needs the same file system
    victim.write_bytes(b"do not overwrite\n")
    os.link(victim, tmp_path / LOCK_NAME)
    with pytest.raises(InputError, match="is a file with another name too where the run's lock"):
        open_lock(tmp_path / LOCK_NAME)
    assert victim.read_bytes() == b"do not overwrite\n"


def test_a_fifo_for_key_figures_does_not_hang_the_index(tmp_path):
    folder = tmp_path / "ibasis" / "historical"
    folder.mkdir(parents=True)
    os.mkfifo(folder / "03-covenant-compliance.json")
    entry = _entry(
        folder="ibasis/historical",
        notebook="03-covenant-compliance",
        files={"03-covenant-compliance.html": "ab"},
    )
    (folder / "03-covenant-compliance.html").write_text("<p>")
    html, _ = write_index(
        tmp_path, [], RUN, previous={"ibasis/historical/03-covenant-compliance": entry}
    )
    assert html.is_file()  # returned: the FIFO was not read


def test_certificate_links_from_key_figures_stay_in_the_report_folder(tmp_path, outside):
    folder = tmp_path / "ibasis" / "historical"
    folder.mkdir(parents=True)
    (outside / "c.html").write_text("secret")
    (folder / "c.html").symlink_to(outside / "c.html")
    figures = {
        "history": {"2008-12-31": {"covenants": {"x": {"status_code": "breach"}}}, "2009": 1},
        "certificates": {
            "2008-12-31": {"html": "../../../../etc/passwd", "markdown": "c.html"},
            "2009-03-31": {"html": 5, "breaches": "x"},
        },
    }
    (folder / "03-covenant-compliance.json").write_text(json.dumps(figures))
    entry = _entry(
        folder="ibasis/historical",
        notebook="03-covenant-compliance",
        files={"03-covenant-compliance.json": "ab"},
    )
    html, index_json = write_index(
        tmp_path, [], RUN, previous={"ibasis/historical/03-covenant-compliance": entry}
    )
    page = html.read_text() + index_json.read_text()
    assert "etc/passwd" not in page and "historical/c.html" not in page
