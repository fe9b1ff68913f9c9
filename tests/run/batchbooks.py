"""Small notebooks for the batch tests: they start a real kernel through papermill and
read a real scenario file, but finish in a second, and fail or sleep on request."""

from __future__ import annotations

from pathlib import Path

import nbformat

PER_SCENARIO = """\
scenario_file: str = "params/deals/ibasis/scenarios/base.yaml"  # scenario
fail_on: str = ""  # fail for the scenario file whose path contains this text
sleep_seconds: float = 0.0  # seconds to sleep before writing
extra_file: str = ""  # another file to read (recorded with its SHA-256)
kill_worker_on: str = ""  # kill the worker process (the kernel's parent) for this scenario
kill_marker: str = ""  # when set, kill only while this file does not exist (then create it)
token: str = ""  # written into every file, to tell one run's files from another's
token_file: str = ""  # a file whose text is the token (so two runs of the same parameters differ)
output_dir: str = ""  # where the files go
"""

PER_SCENARIO_BODY = """\
import json
import os
import time

from model import load, paths

scenario = load(scenario_file)
if token_file:
    with open(token_file) as f:
        token = f.read().strip()
if extra_file:
    with open(extra_file, "rb") as f:
        paths.record_read(extra_file, f.read())
if kill_worker_on and kill_worker_on in scenario_file:
    with open(os.path.join(output_dir, ".tmp-half-written.json"), "w") as f:
        f.write("{half")
    with open(os.path.join(output_dir, "10-fake.json"), "w") as f:
        f.write("{half")
    if not kill_marker or not os.path.exists(kill_marker):
        if kill_marker:
            open(kill_marker, "w").close()
        os.kill(os.getppid(), 9)
        time.sleep(30)
time.sleep(sleep_seconds)
if fail_on and fail_on in scenario_file:
    raise ValueError("planned failure for " + scenario.name)
figures = {
    "first_breach": "2008-12-31" if scenario.name != "upside" else None,
    "first_breach_covenant": "consolidated_ebitda",
    "min_liquidity": 1234567.89,
    "min_liquidity_date": "2008-09-01",
    "peak_revolver": 40000000.0,
    "funding_gap_total": 0.0,
    "horizon_end": "2010-12-31",
    "scenario": scenario.name,
    "token": token,
    "inputs": {"files": [{"path": p, "sha256": h} for p, h in paths.files_read()]},
}
with open(os.path.join(output_dir, "10-fake.json"), "w") as f:
    json.dump(figures, f, sort_keys=True, indent=1)
with open(os.path.join(output_dir, "10-fake.xlsx"), "wb") as f:
    f.write(("not really a workbook " + token).encode())
print("written", scenario.name)
print("token:", token)
"""

HISTORICAL = """\
label: str = "history"  # a label
output_dir: str = ""  # where the files go
"""

HISTORICAL_BODY = """\
import json
import os

with open(os.path.join(output_dir, "09-history.json"), "w") as f:
    json.dump({"label": label, "inputs": {"files": []}}, f)
"""


def _book(title: str, params: str, body: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# {title}"))
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells.append(cell)
    nb.cells.append(nbformat.v4.new_code_cell(body))
    return nb


DEAL = "fake"
REPORT_FILES = {"10-fake.html", "10-fake.ipynb", "10-fake.json", "10-fake.xlsx"}
"""The files of one fake report: HTML, executed notebook, key figures, workbook."""


def write_books(folder: Path) -> Path:
    """``09-history`` (once) and ``10-fake`` (per scenario) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(_book("09 History", HISTORICAL, HISTORICAL_BODY), folder / "09-history.ipynb")
    nbformat.write(
        _book("10 Fake projection", PER_SCENARIO, PER_SCENARIO_BODY), folder / "10-fake.ipynb"
    )
    return folder


def write_deal(deals: Path) -> Path:
    """A deal ``fake`` running both notebooks on the iBasis scenarios, in ``deals/fake``."""
    import os

    from model import paths

    folder = deals / DEAL
    folder.mkdir(parents=True, exist_ok=True)
    scenarios = os.path.relpath(paths.PARAMS / "deals" / "ibasis" / "scenarios", folder)
    (folder / "deal.yaml").write_text(
        "kind: deal\n"
        f"name: {DEAL}\n"
        'title: "A test deal"\n'
        f"scenarios: {scenarios}\n"
        "notebooks:\n"
        "  09-history: {}\n"
        "  10-fake: {}\n"
    )
    return deals
