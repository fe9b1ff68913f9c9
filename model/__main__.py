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
    run.add_argument("-p", "--param", action="append", type=_parse_param, default=[],
                     help="NAME=VALUE passed to the notebooks that declare NAME")
    run.add_argument("-o", "--output-dir", default=None, help="default: reports/")
    chk = sub.add_parser("params", help="validate params files and list their assumptions")
    chk.add_argument("files", nargs="+")
    args = parser.parse_args(argv)

    if args.command == "run":
        from model.runner import run_notebooks

        results = run_notebooks(args.notebooks or None, dict(args.param), args.output_dir)
        for r in results:
            print(f"{r['name']}: {r['seconds']} s -> {', '.join(r['files'])}")
        return 0
    from model.params import ParamsError, load

    status = 0
    for f in args.files:
        try:
            load(f)
            print(f"{f}: ok")
        except ParamsError as exc:
            print(exc, file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
