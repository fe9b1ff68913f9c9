"""What the batch runs: scenarios, notebooks, typed parameters, safe names, fingerprints.

* **Scenarios** are the ``kind: scenario`` files of ``params/deals/ibasis/scenarios/`` (or the ones
  named with ``--scenario``, by name or by a file under ``params/``: a scenario names its
  facility and rate files relative to itself, inside ``params/``). Each gets a folder
  name made by :func:`safe_name`; ``historical`` and the index's own names are reserved.
* **Notebooks** are ``notebooks/NN-topic.ipynb``; one that declares ``scenario_file`` runs
  once per scenario, the others once, into ``historical/``.
* **Parameters** given by the user go to every selected notebook that declares them,
  converted to the declared type (:func:`model.run.notebooks.coerce`); a name no selected
  notebook declares, or ``output_dir`` / ``scenario_file``, is an error.
* **Fingerprints** say when a report's inputs are unchanged: the notebook (every cell's
  type, tags and source; not its outputs), the parameters, the package (version, source,
  the versions of Python and of the libraries that render the reports) and the kernel.
  The files a report read are compared by SHA-256 separately, from its key figures.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import platform
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model import __version__, paths
from model.errors import InputError
from model.reports.index import COMPARED, HISTORICAL, RESERVED_NAMES
from model.run.notebooks import (
    OUTPUT_PARAMETER,
    SCENARIO_PARAMETER,
    SCENARIOS_PARAMETER,
    Notebook,
    coerce,
    list_notebooks,
    notebook_info,
    read_cells,
)
from model.terms.sets import sets_slug, sets_text

__all__ = [
    "Scenario",
    "Planned",
    "find_deals",
    "safe_name",
    "find_scenarios",
    "resolve_scenario",
    "select_notebooks",
    "typed_parameters",
    "plan",
    "package_fingerprint",
    "notebook_fingerprint",
    "fingerprint",
    "files_read",
    "unchanged",
    "sha256",
]

#: A notebook parameter that shows live controls (ipywidgets) when true; the batch sets it false.
EXPLORE_PARAMETER = "explore"
#: A notebook parameter that takes the inputs set for a run (``--set``).
SETS_PARAMETER = "overrides"
_SAFE = re.compile(r"[^a-z0-9._-]+")
_KIND = re.compile(r"^kind:\s*['\"]?(capital_)?scenario['\"]?\s*(#.*)?$", re.MULTILINE)
#: Libraries whose version changes a report's bytes (beside Python and the package).
RENDERING = (
    "nbconvert",
    "nbformat",
    "papermill",
    "pandas",
    "numpy",
    "matplotlib",
    "XlsxWriter",
    "Jinja2",
)


def safe_name(text: str, what: str = "name") -> str:
    """A folder or file name made from user text: lower case letters, digits, '.', '_'
    and '-' only, no leading dot, at most 64 characters.

    >>> safe_name("Stress 2008")
    'stress-2008'
    >>> safe_name("../../etc", "scenario")
    Traceback (most recent call last):
    ...
    model.errors.InputError: scenario: '../../etc' is not a usable name (it must not contain '/' or start with '.')
    """
    raw = str(text)
    if "/" in raw or "\\" in raw or raw.startswith(".") or "\x00" in raw:
        raise InputError(
            f"{raw!r} is not a usable name (it must not contain '/' or start with '.')", key=what
        )
    name = _SAFE.sub("-", raw.strip().lower()).strip("-.")[:64]
    if not name:
        raise InputError(f"{raw!r} is not a usable name (no letters or digits)", key=what)
    return name


@dataclass(frozen=True)
class Scenario:
    """A scenario of the batch: its folder name, its file as the notebooks are given it
    (relative to the project) and its title."""

    name: str
    file: str
    title: str = ""


def _scenario_from(path: Path, given: str) -> Scenario:
    from model.terms import load
    from model.terms.capital_scenario import CapitalScenario
    from model.terms.scenarios import Scenario as ScenarioTerms

    shown = paths.shown(path)
    if paths.PARAMS.resolve() not in path.resolve().parents:
        raise InputError(
            f"{given!r}: scenario files live under params/ (a scenario names its facility "
            "and rate files relative to itself, inside params/); copy it there",
            key="--scenario",
        )
    terms = load(path)
    if not isinstance(terms, ScenarioTerms | CapitalScenario):
        raise InputError(
            f"{shown} is not a scenario file (kind: scenario or capital_scenario)", key="--scenario"
        )
    name = safe_name(path.stem, "scenario")
    if "--" in name:
        raise InputError(
            f"a scenario cannot be called {name!r}: '--' marks the folder of a run with "
            "parameters or inputs set (<scenario>--<what changed>); rename the file",
            key=shown,
        )
    if name in RESERVED_NAMES:
        raise InputError(
            f"a scenario cannot be called {name!r}: the output folder uses that name "
            f"({ {HISTORICAL: 'the historical reports', COMPARED: 'the scenarios compared'}.get(name, 'the index') }); "
            "rename the file",
            key=shown,
        )
    return Scenario(name, shown, terms.terms.title)


def find_scenarios(folder: Path) -> list[Scenario]:
    """Every ``kind: scenario`` YAML file in ``folder``, validated (a broken one is an error
    naming its file and line)."""
    out = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if _KIND.search(text):
            out.append(_scenario_from(path, paths.shown(path)))
    return out


def resolve_scenario(spec: str, folder: Path | None) -> Scenario:
    """``--scenario`` value: a NAME of ``<folder>/NAME.yaml`` (the deal's scenarios folder)
    or a FILE path under ``params/`` (relative to the project root, or absolute)."""
    if spec.endswith((".yaml", ".yml")) or "/" in spec:
        path = paths.resolve(spec)
        if not path.is_file():
            raise InputError(f"no scenario file {spec!r}", key="--scenario")
        return _scenario_from(path, spec)
    name = safe_name(spec, "--scenario")
    if folder is None:
        raise InputError(
            f"no scenario {spec!r}: the deal has no scenarios folder", key="--scenario"
        )
    path = paths.safe_join(folder, f"{name}.yaml")
    if not path.is_file():
        known = ", ".join(s.name for s in find_scenarios(folder)) or "none"
        raise InputError(
            f"no scenario {spec!r} in {paths.shown(folder)} (known: {known})", key="--scenario"
        )
    return _scenario_from(path, spec)


def find_deals(names: Sequence[str] | None = None, folder: Path | None = None) -> list[Any]:
    """The deals of ``params/deals`` (each ``<deal>/deal.yaml``, validated), or the ones
    named, in name order."""
    from model.terms import load
    from model.terms.deals import Deal

    folder = folder or paths.DEALS
    found = {p.parent.name: p for p in sorted(folder.glob("*/deal.yaml"))}
    if names:
        wanted = []
        for n in names:
            name = safe_name(n, "--deal")
            if name not in found:
                raise InputError(
                    f"no deal {n!r} in {paths.shown(folder)} (deals: {', '.join(found) or 'none'})",
                    key="--deal",
                )
            wanted.append(name)
        found = {k: v for k, v in found.items() if k in wanted}
    deals = []
    for path in found.values():
        deal = load(path, kind="deal")
        assert isinstance(deal, Deal)
        deals.append(deal)
    if not deals:
        raise InputError(f"no deal files ({paths.shown(folder)}/<deal>/deal.yaml)", key="--deal")
    return deals


def select_notebooks(names: Sequence[str] | None, folder: Path | None = None) -> list[Notebook]:
    """The notebooks named (``04-projection``), in their order; all when none is named."""
    books = list_notebooks(folder)
    if not names:
        return [notebook_info(b) for b in books]
    by_name = {b.stem: b for b in books}
    wanted = []
    for n in names:
        stem = Path(n).name.removesuffix(".ipynb")
        if stem not in by_name or stem != n.removesuffix(".ipynb"):
            raise InputError(f"no notebook {n!r}; available: {', '.join(by_name)}", key="notebooks")
        wanted.append(stem)
    return [notebook_info(by_name[s]) for s in by_name if s in wanted]


def typed_parameters(
    books: Sequence[Notebook], parameters: Mapping[str, Any], *, check_unknown: bool = True
) -> dict[str, dict[str, Any]]:
    """Each notebook's typed parameters from the user's; errors name the notebooks."""
    for reserved, instead in ((OUTPUT_PARAMETER, "--out"), (SCENARIO_PARAMETER, "--scenario")):
        if reserved in parameters:
            raise InputError(
                f"{reserved} is chosen with {instead}, not as a parameter", key=reserved
            )
    known = {p for b in books for p in b.parameters}
    unknown = sorted(set(parameters) - known)
    if unknown and check_unknown:
        raise InputError(
            f"parameter(s) {', '.join(unknown)} not declared by "
            f"{', '.join(b.name for b in books)} (declared: "
            f"{', '.join(sorted(known - {OUTPUT_PARAMETER, SCENARIO_PARAMETER}))})",
            key="parameters",
        )
    return {
        b.name: {k: coerce(b, k, v) for k, v in parameters.items() if k in b.parameters}
        for b in books
    }


@dataclass(frozen=True)
class Planned:
    """One report to produce: the deal, the notebook, the folder (relative to the output
    folder: ``<deal>/<scenario>`` or ``<deal>/historical``), the scenario (None for a
    historical notebook) and the parameters."""

    deal: str
    deal_title: str
    book: Notebook
    folder: str
    scenario: Scenario | None
    parameters: dict[str, Any]
    variant: dict[str, Any] = field(default_factory=dict)
    """What this run changes from the report of the files as written (parameters given with
    ``-p``/``-f`` that differ from the notebook's defaults, inputs set with ``--set``): a
    run with a variant goes to its own folder and never replaces the default report."""

    @property
    def key(self) -> str:
        return f"{self.folder}/{self.book.name}"


def _deal_parameters(deal: Any, book: Notebook) -> dict[str, Any]:
    """The deal's parameters of one notebook, typed; an undeclared one names the deal file."""
    given = deal.terms.notebooks.get(book.name, {})
    unknown = sorted(set(given) - set(book.parameters))
    if unknown:
        raise InputError(
            f"notebooks.{book.name}: parameter(s) {', '.join(unknown)} not declared by the "
            f"notebook (declared: {', '.join(sorted(book.parameters))})",
            key=paths.shown(deal.folder / "deal.yaml"),
        )
    return {k: coerce(book, k, v) for k, v in given.items()}


def variant_folder(folder: str, variant: Mapping[str, Any]) -> str:
    """The folder of a run that changes ``variant`` from the report of ``folder``: the
    folder's name, ``--``, then the changes in a few safe characters (a digest when long).

    >>> variant_folder("ibasis/base", {"set": {"drivers.capex_unfunded": 5000000}})
    'ibasis/base--drivers.capex_unfunded-5000000'
    >>> variant_folder("ibasis/historical", {"quarter": "2008-12-31"})
    'ibasis/historical--quarter-2008-12-31'
    """
    if not variant:
        return folder
    parts = []
    for k, v in sorted(variant.items()):
        parts.append(sets_slug(v) if k == "set" else f"{k}-{v}")
    text = "_".join(parts)
    slug = _SAFE.sub("-", text.lower()).strip("-.")
    if len(slug) > 40 or slug != text:  # long, or not kept as given: a digest tells them apart
        digest = hashlib.sha256(
            json.dumps(variant, sort_keys=True, default=str).encode()
        ).hexdigest()
        slug = f"{slug[:30].rstrip('-._')}-{digest[:8]}"
    return f"{folder}--{slug or 'variant'}"


def plan(
    deals: Sequence[Any],
    books: Sequence[Notebook],
    scenario_specs: Sequence[str] | None,
    parameters: Mapping[str, Any],
    available: Sequence[str],
    sets: Mapping[str, Any] | None = None,
) -> list[Planned]:
    """Deals x notebooks x scenarios (see the module docstring), in deal then notebook order;
    ``sets``: inputs set for this run (``--set``), given to the notebooks that take
    ``overrides``."""
    sets = dict(sets or {})
    if sets and not any(SETS_PARAMETER in b.parameters for b in books):
        raise InputError(
            "--set changes a scenario's inputs; it needs a notebook that takes "
            f"{SETS_PARAMETER} (e.g. 04-projection), not only {', '.join(b.name for b in books)}",
            key="--set",
        )
    if sets and SETS_PARAMETER in parameters:
        raise InputError(
            f"give the inputs set with --set or with -p {SETS_PARAMETER}, not both", key="--set"
        )
    out: list[Planned] = []
    for deal in deals:
        mine = [b for b in books if b.name in deal.terms.notebooks]
        missing = sorted(set(deal.terms.notebooks) - set(available))
        if missing:
            raise InputError(
                f"notebooks: no notebook {', '.join(missing)} in notebooks/",
                key=paths.shown(deal.folder / "deal.yaml"),
            )
        typed = typed_parameters(mine, parameters, check_unknown=False) if mine else {}
        scenarios: list[Scenario] = []
        in_folder: list[Scenario] = []
        if any(b.per_scenario or b.compares for b in mine):
            if deal.scenarios_folder is not None:
                in_folder = find_scenarios(deal.scenarios_folder)
            scenarios = (
                [resolve_scenario(s, deal.scenarios_folder) for s in scenario_specs]
                if scenario_specs
                else in_folder
            )
            if not scenarios:
                raise InputError(
                    "the deal runs a notebook per scenario but has no scenario files "
                    "(scenarios: a folder of kind: scenario files)",
                    key=paths.shown(deal.folder / "deal.yaml"),
                )
        names: dict[str, list[str]] = {}
        for s in scenarios:
            names.setdefault(s.name, []).append(s.file)
        clash = {n: files for n, files in names.items() if len(files) > 1}
        if clash:
            said = "; ".join(f"{', '.join(files)} -> {n}" for n, files in clash.items())
            raise InputError(f"two scenario files would share a folder: {said}", key="--scenario")
        title = deal.terms.title
        # what a side-by-side notebook compares: the deal's folder, then the run's others
        side_by_side = list(dict.fromkeys(s.file for s in [*in_folder, *scenarios]))
        for book in mine:
            own = _deal_parameters(deal, book)
            both = sorted(set(own) & set(typed[book.name]))
            if both and len(deals) > 1:
                raise InputError(
                    f"parameter(s) {', '.join(both)} of {book.name} are set for this deal by "
                    f"its deal file; to override them run that deal alone (--deal {deal.name})",
                    key=paths.shown(deal.folder / "deal.yaml"),
                )
            params = own | typed[book.name]
            if EXPLORE_PARAMETER in book.parameters:  # a batch report shows no live controls
                params.setdefault(EXPLORE_PARAMETER, False)
            # what differs from the report of the files as written: the deal's own value of a
            # parameter where its deal file gives one, the notebook's default otherwise
            variant = {
                k: v
                for k, v in typed[book.name].items()
                if k not in (OUTPUT_PARAMETER, EXPLORE_PARAMETER)
                and v != own.get(k, book.parameters[k].default)
            }
            added = [s.name for s in scenarios if s.file not in {x.file for x in in_folder}]
            if book.compares and added:  # scenarios beyond the deal's folder: another comparison
                variant["with"] = "+".join(added)
            if sets and SETS_PARAMETER in book.parameters:
                from model.terms import load

                for s in scenarios:  # a key the file does not have fails here, before any run
                    load(s.file, sets=sets)
                params[SETS_PARAMETER] = sets_text(sets)
                variant["set"] = sets
            if book.per_scenario and SCENARIOS_PARAMETER in book.parameters:
                params.setdefault(SCENARIOS_PARAMETER, side_by_side)
            if book.compares:
                params.setdefault(SCENARIOS_PARAMETER, side_by_side)
                out.append(
                    Planned(
                        deal.name,
                        title,
                        book,
                        variant_folder(f"{deal.name}/{COMPARED}", variant),
                        None,
                        params,
                        variant,
                    )
                )
            elif book.per_scenario:
                for s in scenarios:
                    folder = variant_folder(f"{deal.name}/{s.name}", variant)
                    out.append(
                        Planned(
                            deal.name,
                            title,
                            book,
                            folder,
                            s,
                            params | {SCENARIO_PARAMETER: s.file},
                            variant,
                        )
                    )
            else:
                out.append(
                    Planned(
                        deal.name,
                        title,
                        book,
                        variant_folder(f"{deal.name}/{HISTORICAL}", variant),
                        None,
                        params,
                        variant,
                    )
                )
    known = {p for item in out for p in item.book.parameters}
    unknown = sorted(set(parameters) - known)
    if unknown:
        raise InputError(
            f"parameter(s) {', '.join(unknown)} not declared by "
            f"{', '.join(sorted({item.book.name for item in out})) or 'any planned notebook'} "
            f"(declared: {', '.join(sorted(known - {OUTPUT_PARAMETER, SCENARIO_PARAMETER}))})",
            key="parameters",
        )
    if not out:
        raise InputError("nothing to run: no deal lists the notebooks asked for", key="notebooks")
    if scenario_specs and not any(item.scenario is not None or item.book.compares for item in out):
        raise InputError(
            f"scenario(s) {', '.join(scenario_specs)} given, but none of the notebooks planned "
            f"runs per scenario ({', '.join(sorted({i.book.name for i in out}))} run once)",
            key="--scenario",
        )
    return out


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """The package's version and the SHA-256 of its source (code and templates), and the
    versions of Python and of the libraries that render the reports: a changed engine or
    a new nbconvert reruns every report even when the version was not bumped."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(f"{__version__} python {platform.python_version()}".encode())
    for lib in RENDERING:
        try:
            h.update(f"{lib} {importlib.metadata.version(lib)}".encode())
        except importlib.metadata.PackageNotFoundError:
            h.update(f"{lib} -".encode())
    for f in sorted(root.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts:
            h.update(f.relative_to(root).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def notebook_fingerprint(book: Notebook) -> str:
    """Every cell's type, tags and source: a changed sentence in a Markdown cell changes
    the report too; outputs and execution counts do not count."""
    cells = [
        (c.get("cell_type"), sorted(c.get("metadata", {}).get("tags", [])), c.get("source"))
        for c in read_cells(book.path)
    ]
    return sha256(json.dumps(cells, sort_keys=True).encode("utf-8"))


def fingerprint(book_hash: str, package: str, parameters: Mapping[str, Any], kernel: str) -> str:
    blob = json.dumps(
        {"notebook": book_hash, "package": package, "parameters": parameters, "kernel": kernel},
        sort_keys=True,
        default=str,
    )
    return sha256(blob.encode())


def files_read(figures_json: bytes | None) -> dict[str, str] | None:
    """The files a report read, with their SHA-256, from its key-figures JSON (None: the
    report has none, so it is never reused)."""
    if figures_json is None:
        return None
    try:
        figures = json.loads(figures_json)
        return {f["path"]: f["sha256"] for f in figures["inputs"]["files"]}
    except (ValueError, KeyError, TypeError):
        return None


def unchanged(files: Mapping[str, str]) -> bool:
    """Whether every file (as the report showed it) still has the SHA-256 it was read with."""
    for shown, digest in files.items():
        path = paths.resolve(shown)
        if not path.is_file() or sha256(path.read_bytes()) != digest:
            return False
    return True
