"""Where things live: the project root, ``params/``, ``notebooks/`` and ``reports/``.

Every path the package builds goes through this module, so notebooks and the
command line work from any working directory, and a file name that comes from
user input can never escape the folder it is meant for.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from model.errors import UnsafePathError


def _find_root() -> Path:
    env = os.environ.get("MODEL_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parent.parent
    if (here / "pyproject.toml").exists() and (here / "params").is_dir():
        return here
    return Path.cwd().resolve()


ROOT: Path = _find_root()
PARAMS: Path = ROOT / "params"
NOTEBOOKS: Path = ROOT / "notebooks"
DEALS: Path = PARAMS / "deals"
REPORTS: Path = ROOT / "reports"


def shown(path: str | os.PathLike[str]) -> str:
    """A path as messages show it: relative to the project root when inside it, so no
    message carries the layout of the machine that ran it.

    >>> shown(ROOT / "params" / "x.yaml")
    'params/x.yaml'
    """
    p = Path(path).resolve()
    try:
        return p.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def safe_join(folder: str | os.PathLike[str], name: str | os.PathLike[str]) -> Path:
    """Join ``name`` onto ``folder`` and refuse anything that escapes it.

    Examples
    --------
    >>> safe_join("/srv/reports", "01-interest.json").name
    '01-interest.json'
    >>> safe_join("/srv/reports", "../etc/passwd")
    Traceback (most recent call last):
    ...
    model.errors.UnsafePathError: '../etc/passwd' escapes the folder /srv/reports
    """
    base = Path(folder).resolve()
    target = (base / Path(name)).resolve()
    if target != base and base not in target.parents:
        raise UnsafePathError(f"{str(name)!r} escapes the folder {shown(base)}")
    return target


def resolve(path: str | os.PathLike[str]) -> Path:
    """Resolve a path given relative to the project root (absolute paths pass through).

    Examples
    --------
    >>> resolve("params").name
    'params'
    """
    p = Path(path)
    return p if p.is_absolute() else (ROOT / p).resolve()


def _no_nul(name: str | os.PathLike[str]) -> None:
    if "\x00" in os.fspath(name):
        raise UnsafePathError(f"{str(name)!r}: a file name has no NUL character")


def params_path(name: str | os.PathLike[str]) -> Path:
    """A params file named by a user (a notebook parameter, a command-line value).

    Relative names are taken from the project root (``params/deals/ibasis/instruments/x.yaml``) or
    from ``params/`` itself (``instruments/x.yaml``); either way the file must lie inside
    ``params/``: ``/etc/passwd`` or ``params/../../secret`` are refused.

    Examples
    --------
    >>> params_path("params/deals/ibasis/instruments/8pct-secured-convertible-2007.yaml").parent.name
    'instruments'
    >>> params_path("/etc/passwd")
    Traceback (most recent call last):
    ...
    model.errors.UnsafePathError: '/etc/passwd' is outside the params folder
    """
    _no_nul(name)
    p = Path(name)
    if not p.is_absolute() and p.parts and p.parts[0] != "params":
        p = Path("params") / p
    target = p.resolve() if p.is_absolute() else (ROOT / p).resolve()
    base = PARAMS.resolve()
    if base not in target.parents:
        raise UnsafePathError(f"{str(name)!r} is outside the params folder")
    return target


_TRUSTED: list[Path] = []


def trust(folder: str | os.PathLike[str]) -> None:
    """Read input files from ``folder`` as well as from ``params/``: a choice of code (the
    test suite trusts its temporary folder), never of a user or a params file."""
    _TRUSTED.append(Path(folder).resolve())


def input_path(path: str | os.PathLike[str]) -> Path:
    """Where to read an input file, however it is named: a name given as text (as a user
    types it in a notebook parameter or on the command line) is taken from the project root
    or ``params/`` (see :func:`params_path`); an absolute :class:`~pathlib.Path` is taken as
    it is. Either way the file, once every symbolic link is followed, must lie inside
    ``params/`` (or a folder the code trusts: :func:`trust`).

    >>> input_path(Path("/etc/passwd"))
    Traceback (most recent call last):
    ...
    model.errors.UnsafePathError: '/etc/passwd' is outside the params folder
    """
    _no_nul(path)
    if not (isinstance(path, Path) and path.is_absolute()):
        return params_path(path)
    target = path.resolve()
    for base in (PARAMS.resolve(), *_TRUSTED):
        if base in target.parents:
            return target
    via = (
        f" (it is {target}: a symbolic link leads out)"
        if path.absolute() != target and PARAMS.resolve() in path.absolute().parents
        else ""
    )
    raise UnsafePathError(f"{str(path)!r} is outside the params folder{via}")


REPORTS_ENV = "MODEL_REPORTS_DIR"
"""Environment variable that redirects the default ``reports`` folder (the test suite sets it,
so that running the notebooks under nbval never rewrites the reports of the last ``model run``)."""


def report_dir(output_dir: str | os.PathLike[str] = "reports") -> Path:
    """The folder a notebook writes its outputs to.

    ``output_dir`` is taken from the project root; the default ``"reports"`` is redirected
    to ``$MODEL_REPORTS_DIR`` when that is set. :func:`model.run.run_batch` always
    passes an explicit folder.

    >>> report_dir("/tmp/somewhere").name
    'somewhere'
    """
    p = Path(output_dir)
    env = os.environ.get(REPORTS_ENV)
    if env and (p == Path("reports") or resolve(p) == REPORTS.resolve()):
        return Path(env).resolve()
    return resolve(p)


def output_folder(output_dir: str | os.PathLike[str] | None) -> Path | None:
    """Where a notebook's outputs go: None when ``output_dir`` is empty (the notebooks'
    default: run directly, by papermill or in JupyterLab, a notebook writes only where its
    ``output_dir`` parameter says, and ``model run`` always says), else
    :func:`report_dir`.

    >>> output_folder("") is None
    True
    """
    if output_dir is None or not str(output_dir).strip():
        return None
    return report_dir(output_dir)


_READ: dict[str, str] = {}


def record_read(path: str | os.PathLike[str], data: bytes) -> None:
    """Note that ``path`` was read, with the SHA-256 of what was read (the params readers
    call this): a report lists the files that produced it (:func:`files_read`)."""
    _READ[shown(path)] = hashlib.sha256(data).hexdigest()


def files_read() -> list[tuple[str, str]]:
    """Every params file read in this process: (path as shown, SHA-256), in path order."""
    return sorted(_READ.items())


@contextlib.contextmanager
def atomic_target(target: Path, suffix: str = "") -> Iterator[Path]:
    """A temporary path beside ``target`` to write to; renamed onto ``target`` when the
    block ends without an error, removed otherwise: a reader never sees a half-written
    file, and the previous file stays until the new one is complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=suffix or target.suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
