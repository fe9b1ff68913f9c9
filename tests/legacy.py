"""The test fixture scenario ``tests/fixtures/base-as-of-2008-03-31.yaml``, written into a
scratch folder under ``params/deals/ibasis/`` (a scenario's files are named relative to
its own folder, inside ``params/``) once per test session and removed at its end."""

from __future__ import annotations

import atexit
import shutil
import uuid

from model import paths

FIXTURE = paths.ROOT / "tests" / "fixtures" / "base-as-of-2008-03-31.yaml"
_FOLDER = paths.PARAMS / "deals" / "ibasis" / f".legacy-{uuid.uuid4().hex[:8]}"
_RATES = paths.PARAMS / "deals" / "ibasis" / "scenarios" / "prime-rate-2007-2009.csv"


def legacy_base() -> str:
    """The fixture's path relative to the project root, for :func:`model.load`."""
    target = _FOLDER / "base.yaml"
    if not target.exists():
        _FOLDER.mkdir(parents=True, exist_ok=True)
        atexit.register(shutil.rmtree, _FOLDER, True)
        shutil.copyfile(_RATES, _FOLDER / _RATES.name)
        text = FIXTURE.read_text(encoding="utf-8")
        target.write_text(
            text,
            encoding="utf-8",
        )
    return target.relative_to(paths.ROOT).as_posix()
