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


def _parse_param(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"parameter {text!r} must be NAME=VALUE")
    k, v = text.split("=", 1)
    return k.strip(), v


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="model", description=__doc__.splitlines()[0])
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
    args = parser.parse_args(argv)

    if args.command == "run":
        from papermill.exceptions import PapermillExecutionError

        from model.runner import run_notebooks

        try:
            results = run_notebooks(args.notebooks or None, dict(args.param), args.output_dir)
        except PapermillExecutionError as exc:
            print(
                f"model run: a notebook failed (cell {exc.exec_count}): {exc.ename}: {exc.evalue}",
                file=sys.stderr,
            )
            print("model run: nothing was written to the reports folder", file=sys.stderr)
            return 1
        except ValueError as exc:
            print(f"model run: {exc}", file=sys.stderr)
            return 2
        for r in results:
            print(f"{r['name']}: {r['seconds']} s -> {', '.join(r['files'])}")
        return 0
    from model.params import ParamsError, load
    from model.terms.common import provenance

    status = 0
    for f in args.files:
        try:
            terms = load(f)
        except ParamsError as exc:
            print(exc, file=sys.stderr)
            status = 1
            continue
        prov = provenance(getattr(terms, "terms", terms))
        assumptions = prov[prov["kind"] == "assumption"]
        print(f"{f}: ok; {len(prov)} sourced terms, {len(assumptions)} assumptions")
        for _, row in assumptions.iterrows():
            print(f"  assumption {row['term']} = {row['value']}: {row['provenance']}")
    return status


if __name__ == "__main__":
    sys.exit(main())
