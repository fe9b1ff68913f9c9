"""Command line: ``model run`` (or ``python -m model run``) builds the reports.

Examples::

    model run                                   # every notebook x every scenario -> reports/
    model run 04-projection --scenario stress-2008 --workers 1
    model run 01-interest-accrual -p accrual_date 2005-03-31
    model run -f my-parameters.yaml --out /tmp/reports --force
    model list                                  # notebooks, their parameters, scenarios
    model params params/deals/ibasis/facilities/svb-loan-agreement.yaml   # validate a file
    model --version
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Sequence
from typing import Any

from model import __version__
from model.errors import ModelError
from model.run.tasks import DEFAULT_TIMEOUT, MAX_TIMEOUT

__all__ = ["main"]

_PARAM_FLAGS = ("-p", "--parameters", "--param")
_OPTION = re.compile(r"--?[A-Za-z]")
"""An option of the command line (``--force``, ``-j``), not a value (``-0.05``)."""


def _seconds(text: str) -> float:
    """A number of seconds above 0: finite (``nan`` and ``inf`` are not)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or not 0 < value <= MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(
            f"the timeout is a number of seconds above 0 and at most {MAX_TIMEOUT:,.0f} "
            f"(30 days), not {text}"
        )
    return value


def _split_parameters(argv: Sequence[str]) -> list[str]:
    """Accept papermill's ``-p NAME VALUE`` beside ``-p NAME=VALUE``: rewrite the first
    form into the second before argparse reads the line."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in _PARAM_FLAGS and i + 1 < len(argv):
            first = argv[i + 1]
            if "=" in first.split(" ", 1)[0] or i + 2 >= len(argv):
                out += ["-p", first]
                i += 2
            else:
                value = argv[i + 2]
                if _OPTION.match(value):
                    print(
                        f"model run: -p {first} {value}: {value!r} is an option, not a value "
                        f"of {first}; to give a value that starts with '-', write "
                        f"-p {first}={value}",
                        file=sys.stderr,
                    )
                    raise SystemExit(2)
                out += ["-p", f"{first}={value}"]
                i += 3
            continue
        out.append(arg)
        i += 1
    return out


def _parse_param(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"parameter {text!r} must be NAME VALUE or NAME=VALUE")
    k, v = text.split("=", 1)
    if not k.strip().isidentifier():
        raise argparse.ArgumentTypeError(f"{k.strip()!r} is not a parameter name")
    return k.strip(), v


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="model",
        description=(__doc__ or "").splitlines()[0],
        epilog="model run --help for the batch",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run",
        help="run the notebooks for every scenario into reports/ (HTML, Excel, key figures, index)",
        description=(
            "Run the notebooks of every deal (params/deals/<deal>/deal.yaml) with papermill: "
            "those with a scenario_file parameter once per scenario into "
            "OUT/<deal>/<scenario>/, the historical ones once into OUT/<deal>/historical/; "
            "then write OUT/index.html. Reports whose inputs are unchanged are reused."
        ),
    )
    run.add_argument(
        "notebooks", nargs="*", help="notebook names, e.g. 04-projection (default: all)"
    )
    run.add_argument(
        "-d",
        "--deal",
        action="append",
        default=[],
        metavar="NAME",
        help="a deal of params/deals (repeat for several; default: every deal)",
    )
    run.add_argument(
        "-s",
        "--scenario",
        action="append",
        default=[],
        metavar="NAME|FILE",
        help="a scenario of each deal's scenarios folder (by name) or a scenario file under "
        "params/; repeat for several (default: every scenario of each deal)",
    )
    run.add_argument(
        "-p",
        "--parameters",
        dest="param",
        action="append",
        type=_parse_param,
        default=[],
        metavar="NAME VALUE",
        help="a parameter for every notebook that declares it (also NAME=VALUE); "
        "the value is converted to the declared type",
    )
    run.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an input of the scenario set for this run, e.g. drivers.capex_unfunded=5000000 "
        "(repeat for several); the reports go to <scenario>--<what was set>/, labelled, and "
        "never replace the scenario's own reports",
    )
    run.add_argument(
        "-f",
        "--parameters-file",
        dest="param_file",
        metavar="PARAMS.yaml",
        help="parameters from a YAML file (name: value); -p wins over it",
    )
    run.add_argument(
        "-o",
        "--out",
        "--output-dir",
        dest="out",
        default=None,
        metavar="DIR",
        help="default: reports/",
    )
    run.add_argument(
        "-w",
        "--workers",
        type=int,
        default=None,
        help="processes side by side (default: the number of cores)",
    )
    run.add_argument(
        "--executor",
        default="local",
        metavar="NAME[=ADDRESS]",
        help="where the reports run: 'local' (a process pool, the default), 'dask' (a Dask "
        "LocalCluster started for the run) or 'dask=tcp://HOST:8786' (a running Dask scheduler)",
    )
    run.add_argument(
        "--force", action="store_true", help="run again reports whose inputs are unchanged"
    )
    run.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"stop and fail a report that runs longer (default {DEFAULT_TIMEOUT:g} s)",
    )
    sub.add_parser("list", help="list the notebooks with their parameters, and the scenarios")
    chk = sub.add_parser("params", help="validate params files and list their assumptions")
    chk.add_argument("files", nargs="+")
    return parser


def _parameters(args: argparse.Namespace) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if args.param_file:
        from model import paths
        from model.terms.files import read_yaml

        rule = "the file must be a mapping of parameter names to values (name: value)"
        pf = read_yaml(paths.resolve(args.param_file), rule)
        for key in pf.data:
            if not isinstance(key, str) or not key.isidentifier():
                raise pf.error((key,), f"{key!r} is not a parameter name")
        params.update(pf.data)
    params.update(dict(args.param))
    return params


def _run(args: argparse.Namespace) -> int:
    from model import paths
    from model.run.batch import Interrupted, run_batch

    try:
        result = run_batch(
            args.notebooks or None,
            args.scenario or None,
            _parameters(args),
            args.out,
            deals=args.deal or None,
            workers=args.workers,
            executor=args.executor,
            force=args.force,
            timeout=args.timeout,
            sets=args.sets or None,
        )
    except ModelError as exc:
        print(f"model run: {exc}", file=sys.stderr)
        return 2
    except Interrupted as exc:
        print(
            f"model run: {exc}; completed reports are in place, nothing half-written",
            file=sys.stderr,
        )
        return 128 + exc.signum
    n = len(result.entries)
    print(
        f"model run: {n} report{'' if n == 1 else 's'}: {result.count('ok')} computed, "
        f"{result.count('reused')} reused (inputs unchanged), {result.count('failed')} failed, "
        f"in {result.seconds} s on {result.workers} worker{'' if result.workers == 1 else 's'}"
    )
    for e in result.failed:
        f = e["failure"]
        which = f"{e['deal']}, " + (f"scenario {e['scenario']}" if e["scenario"] else "historical")
        where = f" in cell In [{f['cell']}]" if f["cell"] is not None else ""
        what = f"{f['error']}: {f['message']}" if f["message"] else f["error"]
        print(f"FAILED {e['notebook']} ({which}){where}: {what}", file=sys.stderr)
        if f["source"]:
            print("    " + f["source"].replace("\n", "\n    "), file=sys.stderr)
        kept = [x for x in e["files"] if ".FAILED." in x]
        if kept:
            print(
                f"    kept: {', '.join(paths.shown(result.out / e['folder'] / k) for k in kept)}",
                file=sys.stderr,
            )
    print(f"model run: reports in {paths.shown(result.out)}; open {paths.shown(result.index_html)}")
    return 1 if result.failed else 0


def _list(_args: argparse.Namespace) -> int:
    from model.run.notebooks import list_notebooks, notebook_info
    from model.run.plan import find_deals, find_scenarios

    print("Notebooks (run once per scenario when they take scenario_file, else once):")
    for path in list_notebooks():
        nb = notebook_info(path)
        print(
            f"  {nb.name}: {nb.title} [{'per scenario' if nb.per_scenario else 'historical, once'}]"
        )
        for p in nb.parameters.values():
            print(f"      {p.name}: {p.type_name} = {p.default!r}  # {p.help}")
    print("Deals (params/deals), their notebooks and scenarios:")
    for deal in find_deals():
        print(f"  {deal.name}: {deal.terms.title}")
        for book, given in deal.terms.notebooks.items():
            said = ", ".join(f"{k}={v!r}" for k, v in given.items())
            print(f"      {book}" + (f" with {said}" if said else " (the notebook's defaults)"))
        if deal.scenarios_folder is not None:
            for s in find_scenarios(deal.scenarios_folder):
                print(f"      scenario {s.name}: {s.title} ({s.file})")
    return 0


def _count(n: int, noun: str) -> str:
    """``1 assumption``, ``2 assumptions``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _dated_input(name: str) -> tuple[str, int, str] | None:
    """(kind, rows, description) of a dated input CSV (rate path, receivables, cash,
    draws, invoices), None for any other file (quarterly actuals are a CSV too)."""
    from model import paths
    from model.terms.inputs import SCHEMAS, csv_kind, read_dated_csv

    if not name.lower().endswith(".csv"):
        return None
    try:
        kind = csv_kind(paths.input_path(name))
    except ModelError:
        return None  # not a dated input: read as quarterly actuals, with their errors
    return kind, len(read_dated_csv(name, kind)), SCHEMAS[kind].what


def _params(args: argparse.Namespace) -> int:
    from model.run.plan import find_scenarios
    from model.terms import Actuals, Facility, assumptions, count_terms, load

    status = 0
    for f in args.files:
        try:
            dated = _dated_input(f)
            if dated is not None:
                kind, rows, description = dated
                print(f"{f}: ok; {_count(rows, 'row')} of {kind.replace('_', ' ')} ({description})")
                continue
            terms = load(f)
        except ModelError as exc:
            print(exc, file=sys.stderr)
            status = 1
            continue
        if type(terms).__name__ == "Deal":
            try:  # the checks model run makes of the deal, before it runs anything
                planned = _plan_deal(terms)
            except ModelError as exc:
                print(f"{f}: {exc}", file=sys.stderr)
                status = 1
                continue
            n, folder = len(terms.terms.notebooks), terms.scenarios_folder
            scenarios = len(find_scenarios(folder)) if folder is not None else 0
            print(
                f"{f}: ok; {_count(n, 'notebook')}, {_count(scenarios, 'scenario')}, "
                f"{_count(len(planned), 'report')} planned"
            )
            continue
        if isinstance(terms, Actuals):
            kinds = terms.to_frame()["kind"].value_counts()
            counts = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
            print(f"{f}: ok; {len(terms.quarter_ends)} quarters, values: {counts}")
            continue
        sourced, assumed = count_terms(terms)
        print(f"{f}: ok; {_count(sourced, 'sourced term')}, {_count(assumed, 'assumption')}")
        table = terms.assumptions() if isinstance(terms, Facility) else assumptions(terms)
        for _, row in table.iterrows():
            print(f"  assumption {row['term']} = {row['value']}: {row['assumption']}")
    return status


def _plan_deal(deal: Any) -> list[Any]:
    """What ``model run --deal NAME`` would plan for ``deal``: the same checks."""
    from model import paths
    from model.run.notebooks import list_notebooks
    from model.run.plan import plan, select_notebooks

    books = select_notebooks(None, paths.NOTEBOOKS)
    available = [p.stem for p in list_notebooks(paths.NOTEBOOKS)]
    return plan([deal], books, None, {}, available)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``model`` command; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(_split_parameters(argv))
    if args.command == "run":
        return _run(args)
    if args.command == "list":
        try:
            return _list(args)
        except ModelError as exc:
            print(f"model list: {exc}", file=sys.stderr)
            return 2
    return _params(args)
