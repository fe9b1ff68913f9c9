"""debtmodel: a financial modelling workbook for corporate debt.

Layers (each imports only the ones above it in this list):

1. dates: :mod:`model.daycount`, :mod:`model.calendar`, :mod:`model.schedule`;
2. terms: :mod:`model.params` (loading, validation) and :mod:`model.terms` (frozen data);
3. engines: :mod:`model.notes`, :mod:`model.capital`, :mod:`model.facility`,
   :mod:`model.covenants`;
4. reporting: :mod:`model.reporting`, :mod:`model.charts`, :mod:`model.runner`.
"""

__version__ = "0.1.0"
