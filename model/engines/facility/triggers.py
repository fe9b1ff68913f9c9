"""Liquidity and the triggers it drives: agings reports, cash dominion, the springing covenant.

Liquidity is unrestricted cash and Cash Equivalents at the Bank plus the Availability
Amount. The thresholds come from the terms in force on the day (:mod:`model.terms.facility`):
the agings-report right (optional), the cash-dominion step schedule, and the springing
condition of any covenant that has one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from model.engines.facility.borrowing_base import Terms, key_on, terms_for
from model.errors import InputError
from model.terms.covenants import Covenant
from model.terms.facility import FacilityTerms
from model.values import read_amount, read_date, read_flag

__all__ = ["LiquidityTriggers", "liquidity", "liquidity_triggers", "springing_covenant"]


def liquidity(cash: Any, availability_amount: Any) -> Decimal:
    """Unrestricted cash and Cash Equivalents at Bank plus the Availability Amount.

    >>> liquidity(12_000_000, 3_500_000)
    Decimal('15500000')
    """
    return read_amount(cash, "cash") + read_amount(availability_amount, "availability")


def springing_covenant(terms: FacilityTerms) -> Covenant | None:
    """The covenant of a version that springs on liquidity, if it has one."""
    return next(
        (
            c
            for c in terms.covenants
            if c.springing is not None and c.springing.metric == "liquidity"
        ),
        None,
    )


@dataclass(frozen=True)
class LiquidityTriggers:
    """Which liquidity triggers bite on a date, with the threshold used for each.

    ``agings_reports_required``: the Bank may require agings reports (no such right:
    threshold ``None``). ``cash_dominion``: collections are applied to the Obligations
    instead of going to the operating account. ``cash_flow_covenant_springs``: that day's
    liquidity is below the springing condition of the version's springing covenant
    (``cash_flow_covenant_id`` says which).
    """

    as_of: dt.date
    version_name: str
    liquidity: Decimal
    agings_reports_required: bool
    agings_threshold: Decimal | None
    cash_dominion: bool
    cash_dominion_threshold: Decimal
    cash_flow_covenant_springs: bool
    cash_flow_threshold: Decimal | None
    cash_flow_covenant_id: str | None
    cash: Decimal | None = None
    availability: Decimal | None = None
    agings_measure: str | None = None

    @property
    def agings_rule(self) -> str:
        """The agings test as applied, in words (the reading and the figures)."""
        if self.agings_threshold is None:
            return f"no agings-report right in version {self.version_name!r}"
        thr = f"{self.agings_threshold:,.0f}"
        if self.agings_measure == "either":
            return (
                f"cash at Bank {self.cash:,.2f} or availability {self.availability:,.2f} "
                f"< {thr} (reading 'either' of 'and/or', an assumption)"
            )
        return f"cash at Bank plus availability {self.liquidity:,.2f} < {thr} (reading 'sum')"


def _parts(
    d: dt.date, liquidity_: Any, cash: Any, availability: Any
) -> tuple[Decimal, Decimal | None, Decimal | None]:
    """(liquidity, cash, availability) from what was given; they must agree."""
    c = None if cash is None else read_amount(cash, key_on("cash", d))
    a = None if availability is None else read_amount(availability, key_on("availability", d))
    if (c is None) != (a is None):
        raise InputError(
            "give both cash and availability, or neither", key=f"liquidity_triggers on {d}"
        )
    if liquidity_ is not None:
        liq = read_amount(liquidity_, key_on("liquidity", d))
        if c is not None and a is not None and c + a != liq:
            raise InputError(
                f"{liq:,.2f} is not cash ({c:,.2f}) plus availability ({a:,.2f})",
                key=key_on("liquidity", d),
            )
        return liq, c, a
    if c is None or a is None:
        raise InputError(
            "give liquidity, or cash and availability", key=f"liquidity_triggers on {d}"
        )
    return c + a, c, a


def _agings(
    t: FacilityTerms, d: dt.date, liq: Decimal, c: Decimal | None, a: Decimal | None
) -> tuple[bool, Decimal | None, str | None]:
    agings = t.triggers.agings_reports_below
    thr = None if agings is None else agings.value
    measure = None if t.triggers.agings_measure is None else t.triggers.agings_measure.value
    if thr is None:
        return False, None, measure
    if measure == "either":
        if c is None or a is None:
            raise InputError(
                "the agings test with triggers.agings_measure 'either' (cash or availability "
                "below the threshold) needs cash and availability separately: pass cash= and "
                "availability=, not only liquidity",
                key=f"liquidity_triggers on {d}",
            )
        return c < thr or a < thr, thr, measure
    return liq < thr, thr, measure


def liquidity_triggers(
    terms: Terms,
    as_of: dt.date | str,
    liquidity: Any = None,
    *,
    cash: Any = None,
    availability: Any = None,
    event_of_default: bool = False,
) -> LiquidityTriggers:
    """The liquidity triggers on ``as_of``.

    Parameters
    ----------
    liquidity : number, optional
        Unrestricted cash and Cash Equivalents at Bank plus the Availability Amount.
    cash, availability : number, optional
        The two parts, separately. Give both, or ``liquidity``, or all three (they must
        add up). The agings test under the ``either`` reading needs the parts.
    event_of_default : bool
        A Default or Event of Default is continuing (forces cash dominion).

    None of the amounts may be negative.

    Notes
    -----
    * Agings reports (SVB Sec. 6.2(a)(ix)): "cash ... at Bank **and/or** the Availability
      Amount ... is **less than** $15,000,000". How "and/or" is read is the labelled
      assumption ``triggers.agings_measure``: ``either`` (cash < $15M or availability <
      $15M, the stricter, default) or ``sum`` (cash + availability < $15M).
    * Cash dominion (Sec. 6.3(c)): collections go to the operating account only when no
      Default/Event of Default continues and liquidity is **no less than** the threshold
      of the day, so ``cash_dominion = event_of_default or liquidity < threshold``.
    * Springing covenant (Sec. 6.9(iii)): liquidity **less than** the condition's amount
      of the version in force on ``as_of``. The text says "for any fiscal quarter in
      which" liquidity is below: the quarter flag is the covenant engine's
      (:func:`model.engines.covenants.springing.springing_applies`); this function answers
      for one day.

    Examples
    --------
    >>> from model.terms import load
    >>> fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> t = liquidity_triggers(fac, "2008-05-30", cash=9_000_000, availability=3_000_000)
    >>> t.agings_reports_required, t.cash_dominion, t.cash_dominion_threshold
    (True, False, Decimal('10000000'))
    >>> t.agings_rule
    "cash at Bank 9,000,000.00 or availability 3,000,000.00 < 15,000,000
    (reading 'either' of 'and/or', an assumption)"
    >>> liquidity_triggers(fac, "2008-05-31", cash=9_000_000, availability=3_000_000).cash_dominion
    True
    >>> liquidity_triggers(fac, "2008-04-27", 12_000_000).cash_dominion  # original: $15M
    True
    """
    d = read_date(as_of, "as_of")
    t = terms_for(terms, d)
    liq, c, a = _parts(d, liquidity, cash, availability)
    agings_hit, agings_thr, measure = _agings(t, d, liq, c, a)
    cd_thr = t.triggers.cash_dominion_below.amount_on(d)
    if cd_thr is None:  # pragma: no cover - schedules are validated to cover the version
        raise InputError(f"no cash-dominion threshold in force on {d}", key="as_of")
    spring = springing_covenant(t)
    cf_thr = spring.springing.amount if spring is not None and spring.springing else None
    return LiquidityTriggers(
        as_of=d,
        version_name=t.version_name,
        liquidity=liq,
        agings_reports_required=agings_hit,
        agings_threshold=agings_thr,
        cash_dominion=read_flag(event_of_default, "event_of_default") or liq < cd_thr,
        cash_dominion_threshold=cd_thr,
        cash_flow_covenant_springs=cf_thr is not None and liq < cf_thr,
        cash_flow_threshold=cf_thr,
        cash_flow_covenant_id=spring.id if spring is not None else None,
        cash=c,
        availability=a,
        agings_measure=measure,
    )
