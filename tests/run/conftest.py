"""The fake deal and notebooks of tests/run/batchbooks.py, installed for one test."""

from __future__ import annotations

from pathlib import Path

import pytest

from model import paths
from tests.run.batchbooks import write_books, write_deal


@pytest.fixture()
def books(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fake notebooks and the fake deal in place of the project's, for this test only."""
    folder = write_books(tmp_path / "books")
    monkeypatch.setattr(paths, "NOTEBOOKS", folder)
    monkeypatch.setattr(paths, "DEALS", write_deal(tmp_path / "deals"))
    return folder
