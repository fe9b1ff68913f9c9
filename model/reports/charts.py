"""Charts of what the engines return: a note's interest expense, the facility ledger's
liquidity and Borrowing Base, the covenants' history, and a projection's liquidity,
revolver, headroom, sensitivity grid and breach probability.

Every function returns ``(fig, ax)`` (``(fig, axes)`` for small multiples) and never shows
the figure. Every chart has a title, its axes name their units (US$ millions, %, days,
dates) and its legend sits outside the plotted data, to the right. A covenant's status is
always drawn in the colours of :data:`model.reports.tables.STATUS_COLOURS` (green complies,
amber inside the cushion, red breach, grey not required or no level): the same as the
tables and the certificate. Labels that quote the deal (advance rates, section references,
covenant names) come from the terms, never from the code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from model.engines.facility.triggers import springing_covenant
from model.engines.projection import Projection
from model.engines.projection.analytics import SHOCKS
from model.errors import InputError, NotFoundError
from model.reports.formatting import UNDEFINED_TEXT, dollars, headroom
from model.reports.tables import COLUMNS, STATUS_COLOURS, STATUS_WORDS
from model.terms.facility import Facility, FacilityTerms
from model.values import is_missing

__all__ = [
    "interest_expense_chart",
    "liquidity_chart",
    "borrowing_base_chart",
    "plot_covenant_history",
    "covenant_headroom_chart",
    "projection_liquidity_chart",
    "projection_revolver_chart",
    "projection_headroom_chart",
    "sensitivity_heatmap",
    "breach_probability_chart",
    "STATUS_COLOURS",
]

MILLIONS = 1e6
MONEY_UNIT = "US$ millions"

_NOT_TESTED = STATUS_COLOURS["not_required"]
_CASH_DOMINION_SHADE = STATUS_COLOURS["amber"]
_GAP_COLOUR = STATUS_COLOURS["breach"]
_LEGEND = {"fontsize": 8, "borderaxespad": 0.0}
_LINE_COLOURS = ("tab:blue", "tab:purple", "tab:brown", "tab:cyan", "tab:pink", "tab:olive")
"""Series that are not a status: never the status green, amber or red."""


def _dollar_axis(ax: Axes) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: dollars(v)))


def _legend_right(ax: Axes, handles: Sequence[Any] | None = None) -> Legend:
    """The legend of ``ax`` to the right of its plotting area, top-aligned (off the data)."""
    if handles is None:
        return ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), **_LEGEND)
    labels = [str(h.get_label()) for h in handles]
    return ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), **_LEGEND)


def _legend_under(fig: Figure, ax: Axes, handles: Sequence[Any] | None = None) -> Legend:
    """The legend of a one-panel chart under its x axis, across the figure (off the data and
    leaving the width to the data); the figure must use the constrained layout."""
    shown = list(handles) if handles is not None else ax.get_legend_handles_labels()[0]
    labels = [str(h.get_label()) for h in shown]
    return fig.legend(shown, labels, loc="outside lower center", ncol=2, fontsize=8)


def _dates_axis(ax: Axes) -> None:
    """Dates on the x axis, the tick labels slanted so they never collide."""
    ax.tick_params(axis="x", labelrotation=30)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")


def _status_colour(code: Any) -> str:
    return STATUS_COLOURS.get(str(code), _NOT_TESTED)


def _status_handles(codes: Iterable[Any]) -> list[Patch]:
    """One patch per status colour present, in the order of :data:`STATUS_COLOURS`,
    labelled in the words of the tables (statuses sharing a colour share a patch)."""
    present = {str(c) for c in codes}
    words: dict[str, list[str]] = {}
    for code, colour in STATUS_COLOURS.items():
        if code in present:
            words.setdefault(colour, []).append(STATUS_WORDS[code])
    return [Patch(color=colour, label=" / ".join(w)) for colour, w in words.items()]


def _money_text(x: Any) -> str:
    """Whole dollars, negatives in parentheses (as the tables write them)."""
    v = float(x)
    return f"({dollars(-v)})" if v < 0 else dollars(v)


def _legend_below(fig: Figure, handles: Sequence[Any]) -> Legend:
    """A figure's legend under its panels (small multiples), off every panel."""
    return fig.legend(
        handles=handles, loc="outside lower center", ncol=min(len(handles), 4), fontsize=8
    )


def _xs(frame: pd.DataFrame, key: Any, level: str) -> pd.DataFrame:
    """The rows of ``frame`` at ``key`` of the index level ``level``, that level dropped."""
    rows = frame.xs(key, level=level)
    return rows if isinstance(rows, pd.DataFrame) else rows.to_frame().T


def _quarter_labels(quarters: Iterable[Any]) -> list[str]:
    return [f"{pd.Timestamp(q):%Y-%m-%d}" for q in quarters]


def _words(code: str) -> str:
    """A code in words where no title is given: ``adjusted_quick_ratio`` -> ``adjusted
    quick ratio``."""
    return str(code).replace("_", " ")


def interest_expense_chart(
    expense: pd.DataFrame, title: str = "Interest expense by period"
) -> tuple[Figure, Axes]:
    """Bars of interest expense per period, with the principal outstanding at each period
    end on a second axis.

    ``expense`` is the frame of
    :meth:`model.engines.notes.FixedRateNote.interest_expense` (``period``,
    ``interest_expense``, ``principal_at_end``).

    Examples
    --------
    >>> from decimal import Decimal
    >>> fig, ax = interest_expense_chart(pd.DataFrame({"period": ["2008Q1", "2008Q2"],
    ...     "interest_expense": [Decimal("580000"), Decimal("580000")],
    ...     "principal_at_end": [Decimal("29000000"), Decimal("29000000")]}))
    >>> ax.get_ylabel(), len(ax.patches)
    ('interest expense (US$)', 2)
    """
    fig, ax = plt.subplots(figsize=(10, 4.5), layout="constrained")
    x = list(range(len(expense)))
    interest = [float(v) for v in expense["interest_expense"]]
    principal = [float(v) for v in expense["principal_at_end"]]
    ax.bar(x, interest, color="#2f6690", label="interest expense")
    ax.set_xticks(x, [str(p) for p in expense["period"]], rotation=45, ha="right")
    ax.set_xlabel("period")
    ax.set_ylabel("interest expense (US$)")
    ax2 = ax.twinx()
    ax2.step(
        x, principal, where="mid", color="#d9a400", label="principal outstanding at period end"
    )
    ax2.set_ylabel("principal outstanding (US$)")
    for axis in (ax, ax2):
        _dollar_axis(axis)
    ax.set_ylim(0, max(interest, default=0) * 1.3 or 1)
    ax2.set_ylim(0, max(principal, default=0) * 1.3 or 1)
    _legend_under(fig, ax, ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0])
    ax.set_title(title)
    return fig, ax


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


# --- covenants ---------------------------------------------------------------------------


def _covenant_scale(unit: Any) -> tuple[float, str]:
    """Divisor and axis label of a covenant's unit: ratios as they are, dollars in
    millions."""
    return (1.0, "ratio (x)") if str(unit) == "ratio" else (MILLIONS, MONEY_UNIT)


def _draw_covenant(ax: Axes, h: pd.DataFrame, positions: Sequence[int], n: int) -> None:
    """One covenant's quarters on ``ax``: bars of the actual coloured by status at
    ``positions`` (of ``n`` quarters), the required level as steps, the headroom above
    each bar."""
    ratio = str(h["unit"].iloc[0]) == "ratio"
    scale, unit = _covenant_scale(h["unit"].iloc[0])
    actual = [float("nan") if is_missing(v) else float(v) / scale for v in h["actual"]]
    colours = [_status_colour(c) for c in h["status_code"]]
    ax.bar(positions, actual, color=colours, width=0.6)
    for i, code in zip(positions, h["status_code"], strict=True):
        if code == "undefined":  # no bar: say why at the axis
            ax.annotate(UNDEFINED_TEXT, (i, 0), ha="center", va="bottom", fontsize=7, rotation=90)
    req_at = dict(zip(positions, h["required"], strict=True))
    req = [
        float("nan") if is_missing(req_at.get(i)) else float(req_at[i]) / scale for i in range(n)
    ]
    edges = [i - 0.5 for i in range(n)] + [n - 0.5]
    ax.step(edges, req + req[-1:], where="post", color="black", linewidth=2)
    for i, a, room in zip(positions, actual, h["headroom"], strict=True):
        if not is_missing(room) and not np.isnan(a):
            text = headroom(room, "ratio") if ratio else _money_text(room)
            ax.annotate(text, (i, a), ha="center", va="bottom", fontsize=7)
    ax.set_ylabel(unit)
    ax.grid(axis="y", alpha=0.3)
    ax.margins(y=0.15)


_REQUIRED_HANDLE = Line2D([], [], color="black", lw=2, label="required level (steps)")


def plot_covenant_history(
    history: pd.DataFrame, covenant: str, ax: Axes | None = None
) -> tuple[Figure, Axes]:
    """Actual against required for one covenant over quarters, the required level drawn
    as steps (:func:`covenant_headroom_chart` draws every covenant).

    Parameters
    ----------
    history : DataFrame
        :func:`model.engines.covenants.evaluate_history` output (MultiIndex quarter_end,
        covenant).
    covenant : str
        Covenant id to plot.
    ax : Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    (fig, ax)
        Bars: actual, coloured by ``status_code`` (:data:`STATUS_COLOURS`: green complies,
        amber inside the cushion, red fails, grey not tested; no bar, labelled, where the
        metric cannot be computed); step line: the required
        level in force for each quarter; above each bar, the headroom. The x labels give
        the quarter end and the version of the terms.
    """
    if covenant not in history.index.get_level_values("covenant"):
        raise InputError(f"unknown covenant id {covenant!r} in the history", key="covenant")
    h = _xs(history, covenant, "covenant")
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 4.5))
    else:
        root = ax.get_figure(root=True)
        if not isinstance(root, Figure):
            raise InputError("the axes given are not on a figure", key="ax")
        fig = root
    x = list(range(len(h)))
    _draw_covenant(ax, h, x, len(h))
    labels = [
        f"{pd.Timestamp(q):%Y-%m-%d}\n{_words(v)}"
        for q, v in zip(h.index, h["version"], strict=True)
    ]
    ax.set_xticks(x, labels, fontsize=7)
    ax.set_xlabel("quarter end (date; version of the terms)")
    ax.set_title(f"{h['title'].iloc[0]}: actual against required (labels: headroom)")
    _legend_right(ax, [*_status_handles(h["status_code"]), _REQUIRED_HANDLE])
    fig.tight_layout()
    return fig, ax


def _panels(n: int, height: float) -> tuple[Figure, np.ndarray]:
    """``n`` panels stacked on one time axis, ``height`` inches each."""
    fig, grid = plt.subplots(
        n, 1, figsize=(10, 1.0 + height * n), sharex=True, squeeze=False, layout="constrained"
    )
    return fig, grid[:, 0]


def covenant_headroom_chart(
    history: pd.DataFrame,
    title: str = "Covenants by quarter: actual against required (labels: headroom)",
) -> tuple[Figure, np.ndarray]:
    """Every covenant of a history, one panel each: the actual as bars coloured by status,
    the required level as steps, the headroom above each bar; dollars in US$ millions,
    ratios as they are.

    Parameters
    ----------
    history : DataFrame
        :func:`model.engines.covenants.evaluate_history` output (MultiIndex quarter_end,
        covenant).
    title : str

    Returns
    -------
    (fig, axes)
        ``axes``: one per covenant, in the order of the history, sharing the quarters.

    Examples
    --------
    >>> from model.terms import load
    >>> from model.engines.covenants import evaluate_history
    >>> fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> h = evaluate_history(fac, ["2008-03-31", "2008-06-30"],
    ...                      load("params/deals/ibasis/actuals/ibasis-2008.csv"))
    >>> fig, axes = covenant_headroom_chart(h)
    >>> [ax.get_ylabel() for ax in axes]
    ['ratio (x)', 'US$ millions', 'US$ millions']
    """
    if history.empty:
        raise InputError("the history has no quarters to chart", key="history")
    quarters = list(dict.fromkeys(history.index.get_level_values("quarter_end")))
    ids = list(dict.fromkeys(history.index.get_level_values("covenant")))
    where = {q: i for i, q in enumerate(quarters)}
    fig, axes = _panels(len(ids), 2.4)
    versions: dict[Any, str] = {}
    for ax, cid in zip(axes, ids, strict=True):
        h = _xs(history, cid, "covenant")
        _draw_covenant(ax, h, [where[q] for q in h.index], len(quarters))
        ref = str(h["reference"].iloc[0]) if "reference" in h else ""
        ax.set_title(_cited(str(h["title"].iloc[0]), [ref]), fontsize=10, loc="left")
        versions.update({q: str(v) for q, v in zip(h.index, h["version"], strict=True)})
    labels = [f"{pd.Timestamp(q):%Y-%m-%d}\n{_words(versions.get(q, ''))}" for q in quarters]
    axes[-1].set_xticks(range(len(quarters)), labels, fontsize=7)
    axes[-1].set_xlabel("quarter end (date; version of the terms)")
    fig.suptitle(title)
    _legend_below(fig, [*_status_handles(history["status_code"]), _REQUIRED_HANDLE])
    return fig, axes


# --- projections -------------------------------------------------------------------------


def _scenario(p: Projection, scenario: str | int) -> str:
    """The name of ``scenario`` (a name or a position) in ``p``."""
    if not isinstance(p, Projection):
        raise InputError(f"give a Projection, not {type(p).__name__}", key="p")
    names = p.scenarios
    if isinstance(scenario, int) and not isinstance(scenario, bool):
        if not 0 <= scenario < len(names):
            raise InputError(
                f"no scenario {scenario}: the projection has {len(names)}", key="scenario"
            )
        return names[scenario]
    if scenario not in names:
        raise InputError(
            f"no scenario {scenario!r}; scenarios: {', '.join(names[:10])}", key="scenario"
        )
    return str(scenario)


def _projection_terms(p: Projection, name: str) -> Facility:
    for b in p.blocks:
        if name in b.run.block.names:
            return b.run.block.facility
    raise InputError(f"no scenario {name!r}", key="scenario")  # pragma: no cover


def projection_liquidity_chart(
    p: Projection, scenario: str | int = 0, title: str | None = None
) -> tuple[Figure, Axes]:
    """One projected scenario day by day: liquidity, cash and availability against the
    triggers (cash dominion, agings reports, the springing covenant) as steps, the days
    under cash dominion shaded and the days of a funding gap marked.

    Parameters
    ----------
    p : Projection
        :func:`model.engines.projection.project` output, with the daily detail kept.
    scenario : str or int
        Scenario name or position.

    Examples
    --------
    >>> from model.terms import load
    >>> from model.engines.projection import project
    >>> fig, ax = projection_liquidity_chart(project(load("params/deals/ibasis/scenarios/stress-2008.yaml")))
    >>> ax.get_ylabel(), ax.get_xlabel()
    ('US$ millions', 'date')
    """
    name = _scenario(p, scenario)
    days = p.daily(name)
    versions = _versions_shown(_projection_terms(p, name), days)
    fig, ax = _start_figure(days, title or f"Scenario {name}: daily liquidity against the triggers")
    _draw_liquidity(ax, days, versions, "springing_threshold")
    gap = (days["funding_gap"] > 0).to_numpy()
    total = float(days["funding_gap"].sum())
    ax.scatter(
        days.index[gap],
        days["liquidity"][gap] / MILLIONS,
        marker="v",
        s=50,
        color=_GAP_COLOUR,
        zorder=5,
        label=f"funding gap ({dollars(total)} in all)" if gap.any() else "funding gap: none",
    )
    ax.axhline(0, color="black", lw=0.5)
    return _finish(fig, ax)


def _quarters(p: Projection, name: str) -> pd.DataFrame:
    return _xs(p.quarters, name, "scenario")


def projection_revolver_chart(
    p: Projection, scenario: str | int = 0, title: str | None = None
) -> tuple[Figure, Axes]:
    """Revolver outstanding at each quarter end by tranche (the revolver tranche and the
    over-advance in use, stacked), the limit at the quarter end (the lesser of the line
    and the Borrowing Base) as steps, and the peak outstanding in each quarter marked, the
    highest labelled.

    Examples
    --------
    >>> from model.terms import load
    >>> from model.engines.projection import project
    >>> fig, ax = projection_revolver_chart(project(load("params/deals/ibasis/scenarios/stress-2008.yaml")))
    >>> ax.get_ylabel(), len(ax.patches) > 0
    ('US$ millions', True)
    """
    name = _scenario(p, scenario)
    q = _quarters(p, name)
    n = len(q)
    x = np.arange(n)
    fig, ax = plt.subplots(figsize=(10, 6), layout="constrained")
    tranche = q["revolver_tranche"].to_numpy(dtype=float) / MILLIONS
    over = q["over_advance_used"].to_numpy(dtype=float) / MILLIONS
    ax.bar(x, tranche, width=0.6, color="#2f6690", label="revolver tranche at the quarter end")
    ax.bar(
        x,
        over,
        width=0.6,
        bottom=tranche,
        color="#9ecae1",
        label="over-advance in use at the quarter end",
    )
    limit = q["limit"].to_numpy(dtype=float) / MILLIONS
    edges = np.append(x - 0.5, n - 0.5)
    ax.step(
        edges,
        np.append(limit, limit[-1:]),
        where="post",
        color="black",
        ls="--",
        label="limit at the quarter end (lesser of line and Borrowing Base)",
    )
    peak = q["peak_outstanding"].to_numpy(dtype=float) / MILLIONS
    ax.plot(x, peak, ls="none", marker="v", color="black", label="peak outstanding in the quarter")
    top = int(np.argmax(peak))
    ax.annotate(
        f"peak {dollars(round(float(q['peak_outstanding'].iloc[top])))}",
        (top, peak[top]),
        xytext=(8, 0),
        textcoords="offset points",
        ha="left",
        va="center",
        fontsize=8,
        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8},
    )
    ax.set_xticks(x, _quarter_labels(q.index), rotation=45, ha="right", fontsize=8)
    ax.set_xlabel("quarter end (date)")
    ax.set_ylabel(MONEY_UNIT)
    ax.set_title(title or f"Scenario {name}: revolver outstanding by tranche, limit and peak")
    ax.grid(axis="y", alpha=0.3)
    ax.margins(y=0.12)
    _legend_under(fig, ax)
    return fig, ax


def projection_headroom_chart(
    p: Projection,
    scenario: str | int = 0,
    title: str | None = None,
    history: pd.DataFrame | None = None,
) -> tuple[Figure, np.ndarray]:
    """Each covenant's headroom as a percentage of its required level, per quarter of one
    projected scenario, one panel per covenant, bars coloured by status; quarters without a
    level are labelled. With ``history`` (the covenants of
    :func:`model.engines.projection.timeline`: ``basis`` reported or forecast), the reported
    quarters come first, hatched, and the forecast follows the last of them.

    Examples
    --------
    >>> from model.terms import load
    >>> from model.engines.projection import project
    >>> p = project(load("params/deals/ibasis/scenarios/stress-2008.yaml"))
    >>> fig, axes = projection_headroom_chart(p)
    >>> len(axes) == len(p.covenant_ids()), axes[0].get_ylabel()
    (True, 'headroom (% of required)')
    """
    name = _scenario(p, scenario)
    c = _xs(p.covenants, name, "scenario")
    titles = {
        str(k): str(v)
        for k, v in c.groupby(level="covenant", observed=True)["title"].first().items()
    }
    rows = _headroom_rows(c, history)
    quarters = sorted({q for q, _cid in rows.index})
    where = {q: i for i, q in enumerate(quarters)}
    ids = list(dict.fromkeys(str(v) for v in rows.index.get_level_values("covenant")))
    fig, axes = _panels(len(ids), 2.2)
    for ax, cid in zip(axes, ids, strict=True):
        h = rows.xs(cid, level="covenant")
        pos = [where[q] for q in h.index]
        pct = h["pct"].to_numpy(dtype=float) * 100
        codes = [str(s) for s in h["status_code"]]
        bars = ax.bar(pos, np.nan_to_num(pct), width=0.6, color=[_status_colour(s) for s in codes])
        for bar, reported in zip(bars, h["reported"], strict=True):
            if reported:
                bar.set_hatch("///")
                bar.set_edgecolor("white")
        ax.axhline(0, color="black", lw=1)
        head = titles.get(cid, cid.replace("_", " "))
        if np.isnan(pct).all():  # never a level: say so once, not per quarter
            why = _joined(STATUS_WORDS.get(s, s) for s in codes)
            head = f"{head}: no headroom in any quarter ({why.lower()})"
            ax.set_ylim(-1, 1)
            ax.set_yticks([])
        else:
            for i, v, code in zip(pos, pct, codes, strict=True):
                if np.isnan(v):
                    ax.annotate(
                        STATUS_WORDS.get(code, code).lower(),
                        (i, 0),
                        ha="center",
                        va="bottom",
                        fontsize=7,
                        rotation=90,
                    )
            ax.margins(y=0.15)
        ax.set_title(head, fontsize=10, loc="left")
        ax.set_ylabel("headroom (% of required)")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}%"))
        ax.grid(axis="y", alpha=0.3)
    axes[-1].set_xticks(range(len(quarters)), _quarter_labels(quarters), rotation=45, ha="right")
    axes[-1].set_xlabel("quarter end (date)")
    fig.suptitle(
        title or f"Scenario {name}: covenant headroom by quarter (% of the required level)"
    )
    handles = [
        *_status_handles(rows["status_code"]),
        Line2D([], [], color="black", lw=1, label="required level (0% headroom)"),
    ]
    if rows["reported"].any():
        handles.append(
            Patch(facecolor="#888888", hatch="///", edgecolor="white", label="reported quarter")
        )
    _legend_below(fig, handles)
    return fig, axes


def _headroom_rows(c: pd.DataFrame, history: pd.DataFrame | None) -> pd.DataFrame:
    """(quarter_end, covenant) -> pct (headroom as a share of the level), status_code,
    reported: the projection's rows, or the timeline's when given."""
    if history is None:
        return pd.DataFrame(
            {
                "pct": c["headroom_pct"].to_numpy(dtype=float),
                "status_code": c["status_code"].to_numpy(),
                "reported": False,
            },
            index=c.index,
        )
    required = history["required"].to_numpy(dtype=float)
    tested = history["status_code"].isin(["complies", "amber", "breach"]).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(
            tested & (required != 0),
            history["headroom"].to_numpy(dtype=float) / np.abs(required),
            np.nan,
        )
    return pd.DataFrame(
        {
            "pct": pct,
            "status_code": history["status_code"].to_numpy(),
            "reported": (history["basis"] == "reported").to_numpy(),
        },
        index=history.index,
    )


# --- analytics ---------------------------------------------------------------------------


def _shock_axis(name: str) -> tuple[str, Any]:
    """Axis label (with unit) and tick writer of a shock of :data:`SHOCKS`."""
    shock = SHOCKS.get(name)
    if shock is None:
        return _words(name), lambda v: f"{v:g}"
    if shock.how == "scale":
        return f"{shock.label} (%)", lambda v: f"{v:+.0%}" if v else "0%"
    if "dso" in name:
        return f"{shock.label} (days)", lambda v: f"{v:+g}" if v else "0"
    return f"{shock.label} (percentage points)", lambda v: f"{v * 100:+.2f}" if v else "0"


def _value_name(value: str) -> str:
    if value.startswith("min_headroom_"):
        return f"lowest headroom, {_words(value.removeprefix('min_headroom_'))}"
    return COLUMNS.get(value, (_words(value), ""))[0].lower()


def _is_dates(values: pd.Series) -> bool:
    present = [v for v in values if not is_missing(v)]
    return bool(present) and all(isinstance(v, dt.date) for v in present)


_DATE_CMAP = LinearSegmentedColormap.from_list(
    "breach_to_amber", [STATUS_COLOURS["breach"], STATUS_COLOURS["amber"]]
)


def _text_colour(rgb: Sequence[float]) -> str:
    r, g, b = rgb[:3]
    return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else "black"


def sensitivity_heatmap(
    grid: pd.DataFrame,
    value: str = "first_breach",
    title: str | None = None,
    unit: str | None = None,
) -> tuple[Figure, Axes]:
    """One column of :func:`model.engines.projection.analytics.sensitivity_grid` over its
    two shocks: rows the first shock, columns the second (as ``grid[value].unstack()``),
    each cell labelled.

    A column of dates (``first_breach``, ``first_funding_gap``, ``min_liquidity_date``):
    each date a colour from red (earliest) to amber (latest), none in green, the legend
    listing them. A money column: shaded on a colour bar in ``unit``.

    Parameters
    ----------
    grid : DataFrame
        ``sensitivity_grid`` output, indexed by (first shock, second shock).
    value : str
        The column to show.
    title : str, optional
    unit : str, optional
        ``"US$ millions"`` (default for numbers), ``"US$"`` or a count's unit (``"quarters"``,
        ``"days"``); ``"date"`` for dates.

    Examples
    --------
    >>> from model.terms import load
    >>> from model.engines.projection.analytics import sensitivity_grid
    >>> g = sensitivity_grid(load("params/deals/ibasis/scenarios/base.yaml"), ("revenue", [0, -0.15]), ("dso", [0, 10]))
    >>> fig, ax = sensitivity_heatmap(g, "first_breach")
    >>> [t.get_text() for t in ax.texts]
    ['none', 'none', 'none', '2009-09-30']
    """
    if value not in grid.columns:
        raise InputError(
            f"no column {value!r} in the grid; columns: {', '.join(map(str, grid.columns))}",
            key="value",
        )
    if grid.index.nlevels != 2:
        raise InputError("give a sensitivity grid indexed by its two shocks", key="grid")
    rows_name, cols_name = (str(n) for n in grid.index.names)
    rows = list(dict.fromkeys(grid.index.get_level_values(0)))  # the order the shocks were given
    cols = list(dict.fromkeys(grid.index.get_level_values(1)))
    table = grid[value].unstack(cols_name).reindex(index=rows, columns=cols)
    fig, ax = plt.subplots(figsize=(9, 5.5), layout="constrained")
    if _is_dates(grid[value]):
        dates = sorted({v for v in grid[value] if not is_missing(v)})
        colours = {d: _DATE_CMAP(i / max(len(dates) - 1, 1)) for i, d in enumerate(dates)}
        none = to_rgb(STATUS_COLOURS["complies"])
        rgb = np.array(
            [
                [to_rgb(colours[v]) if not is_missing(v) else none for v in row]
                for row in table.values
            ]
        )
        ax.imshow(rgb, aspect="auto")
        texts = [[str(v) if not is_missing(v) else "none" for v in row] for row in table.values]
        handles = [Patch(color=colours[d], label=f"{d}") for d in dates]
        handles.append(Patch(color=STATUS_COLOURS["complies"], label="none in the horizon"))
        fig.legend(
            handles=handles,
            loc="outside right upper",
            fontsize=8,
            title=f"{_value_name(value)} ({unit or 'date'})",
            title_fontsize=8,
        )
        cells = rgb
    else:
        unit = unit or MONEY_UNIT
        scale = MILLIONS if unit == MONEY_UNIT else 1.0
        numbers = table.to_numpy(dtype=float) / scale
        image = ax.imshow(numbers, cmap="cividis", aspect="auto")
        bar = fig.colorbar(image, ax=ax, location="right")
        bar.set_label(f"{_value_name(value)} ({unit})")
        money = unit.startswith("US$")
        texts = [
            ["—" if np.isnan(v) else dollars(round(v * scale)) if money else f"{v:g}" for v in row]
            for row in numbers
        ]
        cells = image.to_rgba(numbers)
    for i in range(len(rows)):
        for j in range(len(cols)):
            ax.text(
                j,
                i,
                texts[i][j],
                ha="center",
                va="center",
                fontsize=8,
                color=_text_colour(cells[i][j]),
            )
    y_label, y_tick = _shock_axis(rows_name)
    x_label, x_tick = _shock_axis(cols_name)
    ax.set_xticks(range(len(cols)), [x_tick(float(v)) for v in cols])
    ax.set_yticks(range(len(rows)), [y_tick(float(v)) for v in rows])
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_title(title or f"{_value_name(value).capitalize()} under two shocks")
    return fig, ax


def breach_probability_chart(
    probability: pd.DataFrame,
    names: Mapping[str, str] | None = None,
    title: str | None = None,
) -> tuple[Figure, Axes]:
    """The probability of a breach per quarter:
    :func:`model.engines.projection.analytics.breach_probability`'s ``any`` row with its
    95% interval as error bars, and a line per covenant.

    Parameters
    ----------
    probability : DataFrame
        ``breach_probability`` output, indexed by (quarter_end, covenant).
    names : mapping of covenant id to title, optional
        The covenants to draw, in order, and their titles; every covenant by default.
    title : str, optional

    Examples
    --------
    >>> idx = pd.MultiIndex.from_product([["2008-09-30", "2008-12-31"], ["ebitda", "any"]],
    ...                                  names=["quarter_end", "covenant"])
    >>> pr = pd.DataFrame({"breaches": [1, 1, 5, 5], "paths": 10, "probability": [.1, .1, .5, .5],
    ...     "low_95": [.02, .02, .24, .24], "high_95": [.4, .4, .76, .76]}, index=idx)
    >>> fig, ax = breach_probability_chart(pr)
    >>> ax.get_ylabel(), [t.get_text() for t in fig.legends[0].get_texts()]
    ('probability of a breach (%)', ['any covenant (bars: 95% interval)', 'ebitda'])
    """
    if "any" not in probability.index.get_level_values("covenant"):
        raise InputError("give breach_probability output (it has an 'any' row)", key="probability")
    anyone = _xs(probability, "any", "covenant")
    quarters = list(anyone.index)
    x = np.arange(len(quarters))
    fig, ax = plt.subplots(figsize=(10, 6), layout="constrained")
    prob = anyone["probability"].to_numpy(dtype=float) * 100
    err = np.vstack(
        [
            prob - anyone["low_95"].to_numpy(dtype=float) * 100,
            anyone["high_95"].to_numpy(dtype=float) * 100 - prob,
        ]
    )
    interval = ax.errorbar(
        x,
        prob,
        yerr=err,
        color=STATUS_COLOURS["breach"],
        marker="o",
        capsize=4,
        lw=2,
        label="any covenant (bars: 95% interval)",
    )
    per = probability["probability"].unstack("covenant")
    ids = [c for c in per.columns if c != "any"]
    shown = dict(names) if names is not None else {c: _words(c) for c in ids}
    lines = []
    for k, (cid, label) in enumerate(shown.items()):
        if cid not in per.columns:
            raise InputError(f"no covenant {cid!r} in the probabilities", key="names")
        (line,) = ax.plot(
            x,
            per[cid].reindex(quarters).to_numpy(dtype=float) * 100,
            marker=".",
            ls="--",
            color=_LINE_COLOURS[k % len(_LINE_COLOURS)],
            zorder=3,
            label=label,
        )
        lines.append(line)
    ax.set_xticks(x, _quarter_labels(quarters), rotation=45, ha="right", fontsize=8)
    ax.set_xlabel("quarter end (date)")
    ax.set_ylabel("probability of a breach (%)")
    ax.set_ylim(0, min(100.0, max(float(np.nanmax(anyone["high_95"])) * 100 * 1.1, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}%"))
    paths = int(anyone["paths"].iloc[0]) if "paths" in anyone else None
    ax.set_title(
        title
        or "Probability of a covenant breach by quarter"
        + (f" ({paths:,} random paths)" if paths else "")
    )
    ax.grid(axis="y", alpha=0.3)
    _legend_under(fig, ax, [interval, *lines])
    return fig, ax
