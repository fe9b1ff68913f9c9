"""A deal's compliance certificate and its schedule, filled from what the engines return:
HTML to print and sign, or Markdown.

Every word of the deal comes from its terms: the certificate's wording from the
compliance file (``facility.compliance.certificate``,
:class:`model.terms.compliance.CertificateForm`: title, certification, headings, row
titles, statement, signature and bank-use blocks, notes on the form and the corrections
of its typing slips), the schedule headings from the metrics, the names of the parties
and of the versions of the terms from the facility file, the names of the line items
from their labels. The templates (``model/reports/templates/certificate.*.j2``) only lay
the page out.

Reporting only: nothing here computes a covenant. :func:`render_certificate` takes the
result of :func:`model.engines.covenants.evaluate_covenants`, the metric build-ups of
:func:`model.engines.covenants.schedule_1` and, optionally, the reporting-covenant answers
of :func:`model.engines.covenants.reporting_summary`, the actuals' provenance and the
springing test's daily figures. It reads the engine's codes (``status_code``,
``threshold_kind``, ``direction``, ``unit``, ``applies``, ``liquidity_kind``,
``liquidity_items``) and the terms, and words what it prints in plain sentences a bank
reads: the engine's own sentences (``applies_reason``, ``threshold_source``,
``version_basis``, ``liquidity_source``) are never printed, nor any identifier of the
code or of the params (a line item's id, a file path).

A certificate is a DRAFT unless every figure on it is reported (each input line of the
schedule, and the springing test's figures): the HTML page then carries a large, light
"DRAFT" behind its text and a banner saying which figures are illustrative or
estimates; the Markdown opens with the same line. The answers take the colours of every
report (:data:`model.reports.tables.STATUS_COLOURS`): a test that is not required is
grey. The HTML prints on US Letter, headings kept with their tables; every style rule is
scoped to the certificate, so embedding it in another page restyles nothing else.
"""

from model.reports.certificate.draft import draft_reasons, form_notes
from model.reports.certificate.inputs import certificate_inputs
from model.reports.certificate.page import render_certificate, write_certificate
from model.reports.certificate.springing import certificate_exceptions
from model.reports.certificate.words import FORMATS, WATERMARK, looks_technical

__all__ = [
    "certificate_inputs",
    "render_certificate",
    "write_certificate",
    "certificate_exceptions",
    "draft_reasons",
    "form_notes",
    "looks_technical",
    "FORMATS",
    "WATERMARK",
]
