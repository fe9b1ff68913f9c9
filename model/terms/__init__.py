"""The terms layer: what the documents say, as frozen, validated data.

Terms do not calculate; engines (``model.notes``, ``model.facility``,
``model.covenants``) take them as inputs. Every number carries its provenance:
the document and section it comes from (``source``) or the reason it is an
assumption (``assumption``). :func:`model.terms.common.provenance` lists them.
"""
