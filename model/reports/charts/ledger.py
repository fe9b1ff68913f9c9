"""Charts of the facility ledger: liquidity against each trigger, and the Borrowing Base
with its advance rates, day by day."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from model.engines.facility.triggers import springing_covenant
from model.errors import InputError, NotFoundError
from model.reports.charts.common import (
    _CASH_DOMINION_SHADE,
    MILLIONS,
    MONEY_UNIT,
    _dates_axis,
    _legend_under,
)
from model.terms.facility import Facility, FacilityTerms

# --- the facility ledger -----------------------------------------------------------------


def _versions_shown(terms: Facility | FacilityTerms, ledger: pd.DataFrame) -> list[FacilityTerms]:
    """The versions of the terms the ledger's days were computed under, in date order."""
    if isinstance(terms, FacilityTerms):
        return [terms]
    if not isinstance(terms, Facility):
        raise InputError(
            f"terms must be a Facility or FacilityTerms, not {type(terms).__name__}", key="terms"
        )
    names = list(dict.fromkeys(str(v) for v in ledger["version"])) if "version" in ledger else []
    try:
        return [terms.version(n) for n in names] or [terms.all_versions[-1]]
    except NotFoundError as exc:
        raise InputError(
            f"the ledger was not computed with these terms: {exc}", key="ledger"
        ) from None


def _joined(parts: Iterable[str]) -> str:
    """Distinct non-empty texts, in order, joined with " / "."""
    return " / ".join(dict.fromkeys(p for p in parts if p))


def _cited(text: str, references: Iterable[str | None]) -> str:
    ref = _joined(r or "" for r in references)
    return f"{text} ({ref})" if ref else text


def _start_figure(ledger: pd.DataFrame, title: str) -> tuple[Figure, Axes]:
    if ledger.empty:
        raise InputError("the ledger has no days to chart", key="ledger")
    fig, ax = plt.subplots(figsize=(10, 6), layout="constrained")
    ax.set_title(title)
    ax.set_xlabel("date")
    ax.set_ylabel(MONEY_UNIT)
    ax.grid(alpha=0.3)
    return fig, ax


def _finish(fig: Figure, ax: Axes) -> tuple[Figure, Axes]:
    _dates_axis(ax)
    _legend_under(fig, ax)
    return fig, ax


def _springing_label(versions: Sequence[FacilityTerms]) -> str:
    covs = [(t, c) for t in versions if (c := springing_covenant(t)) is not None]
    names = _joined(t.compliance.metric(c.metric).title for t, c in covs)
    return _cited(f"{names} covenant springs below", (c.reference for _, c in covs))


def _draw_liquidity(
    ax: Axes,
    days: pd.DataFrame,
    versions: Sequence[FacilityTerms],
    springing_column: str,
) -> None:
    """Liquidity, cash and availability by day, each trigger's threshold as steps (from the
    frame's threshold columns), and the days under cash dominion shaded."""
    x = days.index
    ax.plot(
        x,
        days["liquidity"] / MILLIONS,
        label="liquidity (cash at the bank + availability)",
        color="black",
        lw=2,
    )
    ax.plot(x, days["cash"] / MILLIONS, label="cash at the bank", color="#7f7f7f", lw=1)
    ax.plot(x, days["availability"] / MILLIONS, label="availability", color="tab:blue")
    dominion = _cited(
        "cash dominion below", (t.triggers.cash_dominion_below.reference for t in versions)
    )
    steps = [("cash_dominion_threshold", dominion, "tab:red", "--")]
    agings = [t.triggers.agings_reports_below for t in versions if t.triggers.agings_reports_below]
    if agings and days["agings_threshold"].notna().any():
        label = _cited("agings reports below", (a.reference for a in agings))
        steps.append(("agings_threshold", label, "tab:orange", ":"))
    if days[springing_column].notna().any():
        steps.append((springing_column, _springing_label(versions), "tab:purple", "-."))
    for column, label, colour, style in steps:
        ax.step(x, days[column] / MILLIONS, where="post", label=label, color=colour, ls=style)
    under = days["cash_dominion"].astype(bool).to_numpy()
    if under.any():
        ax.fill_between(
            x,
            0,
            1,
            where=under,
            step="post",
            transform=ax.get_xaxis_transform(),
            color=_CASH_DOMINION_SHADE,
            alpha=0.15,
            lw=0,
            label=f"under cash dominion ({int(under.sum())} days)",
        )


def liquidity_chart(
    terms: Facility | FacilityTerms,
    ledger: pd.DataFrame,
    title: str = "Liquidity against the triggers",
) -> tuple[Figure, Axes]:
    """Liquidity, cash and availability by day against each trigger threshold (step lines
    from the ledger's ``cash_dominion_threshold``, ``agings_threshold`` and
    ``cash_flow_threshold``), labelled with the sections the terms cite; the days under
    cash dominion shaded.

    Parameters
    ----------
    terms : Facility or FacilityTerms
        The terms the ledger was computed with.
    ledger : DataFrame
        :func:`model.engines.facility.facility_ledger` output.

    Examples
    --------
    >>> from model import paths
    >>> from model.terms import load
    >>> from model.engines.facility import facility_ledger
    >>> fac = load(paths.PARAMS / "deals" / "ibasis" / "facilities" / "svb-loan-agreement.yaml")
    >>> led = facility_ledger(fac, "2008-04-28", "2008-05-05", cash=5e6, rate_path=0.05,
    ...     receivables=pd.DataFrame({"date": ["2008-04-01"], "eligible_domestic": [2e7],
    ...                               "eligible_foreign": [0]}))
    >>> fig, ax = liquidity_chart(fac, led); len(ax.lines) >= 4
    True
    """
    versions = _versions_shown(terms, ledger)
    fig, ax = _start_figure(ledger, title)
    _draw_liquidity(ax, ledger, versions, "cash_flow_threshold")
    return _finish(fig, ax)


def _percent(rate: Decimal) -> str:
    """``0.80`` -> ``80%``; ``0.825`` -> ``82.5%``."""
    return f"{(rate * 100).normalize():f}%"


def _rates_used(ledger: pd.DataFrame, base: str, eligible: str) -> set[Decimal]:
    """The advance rates the ledger applied (base / eligible, on days with eligible
    receivables), to four places."""
    days = ledger[ledger[eligible] > 0]
    return {Decimal(f"{r:.4f}") for r in days[base] / days[eligible]}


def _advance_label(versions: Sequence[FacilityTerms], ledger: pd.DataFrame, which: str) -> str:
    """``(a) 80% of eligible domestic``: the clause and rate of the terms, or the rate the
    ledger used where the caller lowered it."""
    sourced = [getattr(t.borrowing_base, f"{which}_advance_rate") for t in versions]
    rates = [s.value for s in sourced]
    used = _rates_used(ledger, f"{which}_base", f"eligible_{which}")
    shown = _joined(_percent(r) for r in rates)
    if used - {r.quantize(Decimal("0.0001")) for r in rates}:
        shown = f"{_joined(_percent(r) for r in sorted(used))} (terms: {shown})"
    ref = _joined(s.reference or "" for s in sourced)
    return f"{ref} {shown} of eligible {which}".strip()


def borrowing_base_chart(
    terms: Facility | FacilityTerms,
    ledger: pd.DataFrame,
    title: str = "Borrowing Base, Revolving Line and advances outstanding",
) -> tuple[Figure, Axes]:
    """The Borrowing Base stacked by clause (domestic and foreign receivables at their
    advance rates, the over-advance amount where the terms have one), the Revolving Line,
    the balance outstanding and the availability above it (hatched, up to the limit: the
    lesser of the line and the base).

    Examples
    --------
    >>> from model import paths
    >>> from model.terms import load
    >>> from model.engines.facility import facility_ledger
    >>> fac = load(paths.PARAMS / "deals" / "ibasis" / "facilities" / "svb-loan-agreement.yaml")
    >>> led = facility_ledger(fac, "2008-04-28", "2008-05-05", cash=5e6, rate_path=0.05,
    ...     receivables=pd.DataFrame({"date": ["2008-04-01"], "eligible_domestic": [2e7],
    ...                               "eligible_foreign": [0]}))
    >>> fig, ax = borrowing_base_chart(fac, led)
    >>> rate = fac.all_versions[-1].borrowing_base.domestic_advance_rate.value
    >>> any(f"{rate:.0%}" in t.get_text() for t in fig.legends[0].get_texts())
    True
    """
    versions = _versions_shown(terms, ledger)
    fig, ax = _start_figure(ledger, title)
    x = ledger.index
    layers = [("domestic_base", _advance_label(versions, ledger, "domestic"))]
    layers.append(("foreign_base", _advance_label(versions, ledger, "foreign")))
    over = [t.borrowing_base.over_advance for t in versions if t.borrowing_base.over_advance]
    if over:
        steps_down = len({s.amount for o in over for s in o.steps}) > 1
        label = "over-advance" + (", stepping down" if steps_down else "")
        ref = _joined(o.reference or "" for o in over)
        layers.append(("over_advance_limit", f"{ref} {label}".strip()))
    ax.stackplot(
        x,
        *[ledger[c] / MILLIONS for c, _ in layers],
        labels=[lbl for _, lbl in layers],
        alpha=0.5,
        step="post",
    )
    ax.step(
        x, ledger["line"] / MILLIONS, where="post", color="black", ls="--", label="Revolving Line"
    )
    ax.plot(
        x, ledger["outstanding"] / MILLIONS, color="tab:red", lw=2, label="advances outstanding"
    )
    outstanding, limit = ledger["outstanding"] / MILLIONS, ledger["limit"] / MILLIONS
    ax.fill_between(
        x,
        outstanding,
        limit,
        where=(limit > outstanding).to_numpy(),
        step="post",
        facecolor="none",
        edgecolor="tab:blue",
        hatch="//",
        lw=0,
        label="availability (limit less outstanding)",
    )
    return _finish(fig, ax)
