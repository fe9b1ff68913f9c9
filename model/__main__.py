"""``python -m model``: the command line (:mod:`model.run.cli`)."""

import sys

from model.run.cli import main

if __name__ == "__main__":
    sys.exit(main())
