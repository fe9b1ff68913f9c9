"""Command line: ``model run`` (or ``python -m model run``) builds the reports.

Examples::

    model run                                   # every notebook, default deal -> reports/
    model run 01-interest-accrual -p as_of=2005-03-31
    model params params/instruments/8pct-secured-convertible-2007.yaml   # validate a file
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from model.errors import InputError, ModelError

__all__ = ["main"]


def _parse_param(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"parameter {text!r} must be NAME=VALUE")
    k, v = text.split("=", 1)
    return k.strip(), v


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="model", description=(__doc__ or "").splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute the notebooks into reports/ with HTML exports")
    run.add_argument("notebooks", nargs="*", help="notebook names (default: all)")
    run.add_argument(
        "-p",
        "--param",
        action="append",
        type=_parse_param,
        default=[],
        help="NAME=VALUE passed to the notebooks that declare NAME",
    )
    run.add_argument("-o", "--output-dir", default=None, help="default: reports/")
    chk = sub.add_parser("params", help="validate params files and list their assumptions")
    chk.add_argument("files", nargs="+")
    return parser


def _run(args: argparse.Namespace) -> int:
    from papermill.exceptions import PapermillExecutionError

    from model.run.notebooks import run_notebooks

    try:
        results = run_notebooks(args.notebooks or None, dict(args.param), args.output_dir)
    except PapermillExecutionError as exc:
        print(
            f"model run: a notebook failed (cell {exc.exec_count}): {exc.ename}: {exc.evalue}",
            file=sys.stderr,
        )
        print("model run: no report of this run was moved into place", file=sys.stderr)
        return 1
    except InputError as exc:
        print(f"model run: {exc}", file=sys.stderr)
        return 2
    for r in results:
        print(f"{r['name']}: {r['seconds']} s -> {', '.join(r['files'])}")
    return 0


def _count(n: int, noun: str) -> str:
    """``1 assumption``, ``2 assumptions``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _params(args: argparse.Namespace) -> int:
    from model.terms import Actuals, Facility, assumptions, count_terms, load

    status = 0
    for f in args.files:
        try:
            terms = load(f)
        except ModelError as exc:
            print(exc, file=sys.stderr)
            status = 1
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``model`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    return _run(args) if args.command == "run" else _params(args)
