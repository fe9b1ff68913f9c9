"""A report built by the package: what a notebook shows, and what it writes beside it.

A builder (:func:`model.reports.projection.projection_report`, for example) computes
nothing itself: it takes what the engines returned and gives a :class:`Report`. A notebook
then shows it section by section (:meth:`Report.show`) between its own headings and
charts, and writes the key figures and the workbook (:meth:`Report.write`). So the words,
tables and key figures of a report live in the package, where they are linted, typed and
tested, and a notebook stays its parameters, the calls that compute, and what the analyst
explores.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from model.errors import InputError, ModelError
from model.reports.certificate import write_certificate
from model.reports.excel import ScheduleTest, Sheets, write_workbook
from model.reports.key_figures import write_key_figures, written
from model.reports.pdf import print_pdf
from model.reports.tables import Html, Table

__all__ = ["Report"]


@dataclass
class Report:
    """One report: its ``name`` (the file name of its outputs, e.g. ``04-projection``);
    ``front``, the headline and banners; ``sections``, what each part of the notebook shows,
    in order; ``tables``, the workbook's sheets; ``figures``, the key figures (the notebook
    adds the inputs it ran with); ``sources``, the provenance of the inputs for the
    workbook; ``schedule``, the build-up sheet's quarter; ``sheets``, the report's own
    live sheets (the projection's); ``documents``, files written beside
    the report (a certificate's HTML and Markdown), by file name; ``printed``, the HTML
    documents also printed to PDF beside them (when a browser is installed:
    :mod:`model.reports.pdf`); ``lines``, the key
    figures in a few plain lines (:meth:`text`), which the notebook prints and nbval checks."""

    name: str
    front: list[Html]
    sections: dict[str, list[Any]]
    tables: list[Table]
    figures: dict[str, Any]
    sources: pd.DataFrame | None = None
    schedule: ScheduleTest | None = None
    sheets: Sheets | None = None
    documents: dict[str, str] = field(default_factory=dict)
    printed: tuple[str, ...] = ()
    lines: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def parts(self, section: str) -> list[Any]:
        """What ``section`` shows (``front`` or one of :attr:`sections`)."""
        if section == "front":
            return list(self.front)
        if section not in self.sections:
            raise InputError(
                f"no section {section!r} in report {self.name}; "
                f"sections: front, {', '.join(self.sections)}",
                key="section",
            )
        return list(self.sections[section])

    def show(self, section: str = "front") -> None:
        """Display ``section`` in the notebook (each part as its own output)."""
        from IPython.display import display

        for part in self.parts(section):
            display(part)

    def text(self) -> str:
        """The key figures in a few plain lines."""
        return "\n".join(self.lines)

    def write(self, output_dir: str | os.PathLike[str], inputs: Any) -> str:
        """Write ``<name>.json`` (the key figures with ``inputs``, an
        :class:`~model.reports.inputs.InputsUsed`), ``<name>.xlsx`` and the
        :attr:`documents` into ``output_dir``;
        with an empty ``output_dir``, nothing. Returns the names written, for the notebook's
        last printed line."""
        used: Mapping[str, Any] = inputs.as_dict()
        figures = self.figures | {"inputs": used}
        documents = [
            write_certificate(text, os.fspath(output_dir), name)
            for name, text in self.documents.items()
        ]
        unprinted = []
        for name in self.printed:
            page = next((d for d in documents if d is not None and d.name == name), None)
            if page is not None:
                try:
                    documents.append(print_pdf(page, page.with_suffix(".pdf")))
                except ModelError as e:  # the HTML and Markdown stay the certificate of record
                    unprinted.append(str(e))
        workbook = write_workbook(
            output_dir,
            self.name,
            self.tables,
            schedule=self.schedule,
            sources=self.sources,
            inputs=used,
            summary=self.front,
            sheets=self.sheets,
        )
        said = written(write_key_figures(figures, output_dir, self.name), workbook, *documents)
        return said + "".join(f"\nnot printed to PDF: {u}" for u in unprinted)


def first_upper(words: str) -> str:
    """``words`` with its first letter in upper case (the rest unchanged).

    >>> first_upper("opening cash")
    'Opening cash'
    """
    return words[:1].upper() + words[1:]


def joined(parts: Sequence[str], empty: str = "none") -> str:
    """``parts`` joined by commas, or ``empty``.

    >>> joined(["a", "b"]), joined([])
    ('a, b', 'none')
    """
    return ", ".join(parts) or empty
