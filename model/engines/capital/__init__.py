"""Capital structures projected: every instrument, the cash policy and the covenants."""

from model.engines.capital.engine import CapitalResult, project_capital, run_capital_block

__all__ = ["CapitalResult", "project_capital", "run_capital_block"]
