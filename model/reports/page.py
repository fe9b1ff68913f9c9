"""The page around a notebook report: how it prints.

On screen a wide table scrolls sideways and reference material is folded in
``<details>``; on paper neither works. :data:`PRINT_HEAD` goes into the ``<head>`` of every
exported report: US Letter landscape with half-inch margins, tables at full width in a
smaller type with text allowed to wrap between words (never inside a number), headings
kept with what follows, charts not split across pages, and every ``<details>`` opened
before printing (and closed again after) so that nothing folded is missing from the
printout.
"""

from __future__ import annotations

__all__ = ["PRINT_HEAD"]

_PRINT_CSS = """<style>
@page { size: letter landscape; margin: 0.5in; }
@media print {
  body, .jp-Notebook { font-size: 10.5px !important; }
  .jp-Cell, .jp-Notebook { padding: 0 !important; margin: 0 !important; }
  .model-table { overflow: visible !important; max-width: none !important; }
  .model-table table, table.model-table { font-size: 9.5px !important; }
  .model-table th, .model-table td { padding: 1px 4px !important; }
  .model-table td.text, .model-table th { white-space: normal !important; min-width: 0 !important; }
  h1, h2, h3, caption, summary { break-after: avoid; page-break-after: avoid; }
  img, svg, .model-banner, .model-headline { break-inside: avoid; page-break-inside: avoid; }
  img { max-width: 100% !important; height: auto !important; }
  details > summary { font-weight: 600; }
  details::details-content { content-visibility: visible; }
  a { color: inherit; text-decoration: none; }
}
</style>"""

_PRINT_SCRIPT = """<script>
(function () {
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      d.open = true; d.setAttribute("data-print-opened", "");
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details[data-print-opened]").forEach(function (d) {
      d.open = false; d.removeAttribute("data-print-opened");
    });
  });
})();
</script>"""

PRINT_HEAD = _PRINT_CSS + _PRINT_SCRIPT
"""Style sheet and script for printing a report, for the end of its ``<head>``."""
