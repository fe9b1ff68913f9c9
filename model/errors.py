"""Every error the package raises, under one base class.

:class:`ModelError` is the base. Each error is also the builtin a caller would expect
(:class:`InputError` is a ``ValueError``, :class:`NotFoundError` a ``LookupError``), as
pandas keeps its public exceptions in ``pandas.errors``.

An input error says where the bad value is, in the user's words, and what rule it
breaks: the file (relative to the project), the line, the key or column, then the rule::

    params/deals/ibasis/facilities/svb-loan-agreement.yaml: line 31: original.borrowing_base.certificate_lag_days.value: ...

Several problems found in one file are reported together (``problems``); the attributes
``file``, ``line``, ``key`` and ``rule`` repeat the first one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "ModelError",
    "Problem",
    "InputError",
    "ParamsError",
    "ParameterError",
    "NotFoundError",
    "UnsafePathError",
    "DrawRefusedError",
    "UndefinedMetricError",
    "RunError",
]


class ModelError(Exception):
    """Base class of every error the package raises."""


@dataclass(frozen=True)
class Problem:
    """One broken rule: where (key or column, line) and what.

    >>> str(Problem("terms.principal.value", "must be greater than zero", 7))
    'line 7: terms.principal.value: must be greater than zero'
    """

    key: str
    rule: str
    line: int | None = None

    @property
    def key_path(self) -> str:
        """The key path (kept under its older name as well)."""
        return self.key

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.key or '<top level>'}: {self.rule}"


class InputError(ModelError, ValueError):
    """A bad input: a value, a file or an argument, named with the rule it breaks.

    Parameters
    ----------
    rule : str
        What is wrong, in the user's words.
    key : str, optional
        The key path, column, argument or parameter name.
    file : str, optional
        The file, relative to the project root.
    line : int, optional
        The line in ``file``.

    Examples
    --------
    >>> print(InputError("not an ISO date (YYYY-MM-DD): '28/04/2008'", key="as_of"))
    as_of: not an ISO date (YYYY-MM-DD): '28/04/2008'
    >>> print(InputError("must not be negative (got -5)", key="cash", file="params/x.csv", line=4))
    params/x.csv: line 4: cash: must not be negative (got -5)
    """

    def __init__(
        self,
        rule: str,
        *,
        key: str = "",
        file: str | None = None,
        line: int | None = None,
    ) -> None:
        self.file = file
        self.problems: list[Problem] = [Problem(key, rule, line)]
        self.key, self.rule, self.line = key, rule, line
        super().__init__(self._text())

    @classmethod
    def from_problems(cls, file: str | None, problems: Sequence[Problem]) -> InputError:
        """One error for every problem found in ``file`` (in file order)."""
        found = list(problems) or [Problem("", "invalid")]
        err = cls(found[0].rule, key=found[0].key, file=file, line=found[0].line)
        err.problems = found
        err.args = (err._text(),)
        return err

    @property
    def key_path(self) -> str:
        return self.key

    def _text(self) -> str:
        prefix = f"{self.file}: " if self.file else ""
        if len(self.problems) == 1:
            p = self.problems[0]
            where = f"line {p.line}: " if p.line else ""
            key = f"{p.key}: " if p.key else ""
            return f"{prefix}{where}{key}{p.rule}"
        lines = "\n".join(f"  - {p}" for p in self.problems)
        return f"{prefix}{len(self.problems)} problems:\n{lines}"

    def __str__(self) -> str:
        return self._text()


class ParamsError(InputError):
    """A params file (YAML or CSV) breaks a rule; names file, line, key path and rule.

    >>> err = ParamsError.from_problems("params/x.yaml", [Problem("terms.principal.value", "must be > 0", 7)])
    >>> print(err)
    params/x.yaml: line 7: terms.principal.value: must be > 0
    """


class ParameterError(InputError):
    """A notebook or command-line parameter is bad; ``key`` is the parameter's name."""


class NotFoundError(ModelError, LookupError):
    """Something asked for by name or date is not there: a version, a covenant, a quarter,
    a line item, a ledger day. The message lists what there is."""

    def __str__(self) -> str:  # LookupError would not quote, but be explicit
        return str(self.args[0]) if self.args else ""


class UnsafePathError(InputError):
    """A file name built from user input would leave the folder it belongs to."""


class DrawRefusedError(InputError):
    """A draw above availability.

    Attributes: ``date``, ``requested``, ``available``, ``shortfall``.
    """

    def __init__(self, date: object, requested: object, available: object, text: str) -> None:
        self.date, self.requested, self.available = date, requested, available
        self.shortfall = requested - available  # type: ignore[operator]
        super().__init__(text)


class UndefinedMetricError(ModelError, ArithmeticError):
    """A covenant metric cannot be computed from the figures given (a ratio whose
    denominator is zero or negative); the message names the metric, the line and the quarter.

    Raised by :func:`model.engines.covenants.build_metric` (by default) and by the ``value``
    of a build-up that cannot be computed; :func:`model.engines.covenants.evaluate_covenants`
    does not raise it: the covenant's row gets ``status_code`` ``undefined``."""


class RunError(ModelError, RuntimeError):
    """A notebook of a batch run failed; the message names the notebook and the cell."""
