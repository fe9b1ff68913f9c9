"""Charts of what the engines return: interest expense of a note, the facility ledger's
liquidity and Borrowing Base, a covenant's history.

Every function returns ``(fig, ax)`` and never shows the figure. Titles and axes name
their units; labels that quote the deal (advance rates, section references, covenant
names) come from the terms, never from the code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from model.engines.facility.triggers import springing_covenant
from model.errors import InputError, NotFoundError
from model.reports.formatting import UNDEFINED_TEXT, dollars, headroom
from model.terms.facility import Facility, FacilityTerms
from model.values import is_missing

__all__ = [
    "interest_expense_chart",
    "liquidity_chart",
    "borrowing_base_chart",
    "plot_covenant_history",
    "STATUS_COLOURS",
]

MILLIONS = 1e6

STATUS_COLOURS = {
    "complies": "#2e8b57",
    "amber": "#e0a526",
    "breach": "#c0392b",
}
"""Bar colour by covenant ``status_code``; any other code (not tested) is grey."""

_NOT_TESTED = "#bbbbbb"


def _dollar_axis(ax: Axes) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: dollars(v)))


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
    fig, ax = plt.subplots(figsize=(10, 4.5))
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
    handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    ax.legend(
        handles, [str(h.get_label()) for h in handles], loc="upper center", ncol=2, fontsize=8
    )
    ax.set_title(title)
    fig.tight_layout()
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
    fig, ax = plt.subplots(figsize=(10, 5))
    ax.set_title(title)
    ax.set_xlabel("date")
    ax.set_ylabel("US$ millions")
    ax.grid(alpha=0.3)
    return fig, ax


def _finish(fig: Figure, ax: Axes) -> tuple[Figure, Axes]:
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, borderaxespad=0)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig, ax


def _springing_label(versions: Sequence[FacilityTerms]) -> str:
    covs = [(t, c) for t in versions if (c := springing_covenant(t)) is not None]
    names = _joined(t.compliance.metric(c.metric).title for t, c in covs)
    return _cited(f"{names} covenant springs below", (c.reference for _, c in covs))


def liquidity_chart(
    terms: Facility | FacilityTerms,
    ledger: pd.DataFrame,
    title: str = "Liquidity against the triggers",
) -> tuple[Figure, Axes]:
    """Liquidity and availability against each trigger threshold (step lines), labelled
    with the sections the terms cite.

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
    >>> fac = load(paths.PARAMS / "facilities" / "svb-loan-agreement.yaml")
    >>> led = facility_ledger(fac, "2008-04-28", "2008-05-05", cash=5e6, rate_path=0.05,
    ...     receivables=pd.DataFrame({"date": ["2008-04-01"], "eligible_domestic": [2e7],
    ...                               "eligible_foreign": [0]}))
    >>> fig, ax = liquidity_chart(fac, led); len(ax.lines) >= 4
    True
    """
    versions = _versions_shown(terms, ledger)
    fig, ax = _start_figure(ledger, title)
    x = ledger.index
    ax.plot(
        x,
        ledger["liquidity"] / MILLIONS,
        label="liquidity (cash at the bank + availability)",
        color="black",
        lw=2,
    )
    ax.plot(x, ledger["availability"] / MILLIONS, label="availability", color="tab:blue")
    dominion = _cited(
        "cash dominion below", (t.triggers.cash_dominion_below.reference for t in versions)
    )
    steps = [("cash_dominion_threshold", dominion, "tab:red", "--")]
    agings = [t.triggers.agings_reports_below for t in versions if t.triggers.agings_reports_below]
    if agings:
        label = _cited("agings reports below", (a.reference for a in agings))
        steps.append(("agings_threshold", label, "tab:orange", ":"))
    if ledger["cash_flow_threshold"].notna().any():
        steps.append(("cash_flow_threshold", _springing_label(versions), "tab:purple", "-."))
    for column, label, colour, style in steps:
        ax.step(x, ledger[column] / MILLIONS, where="post", label=label, color=colour, ls=style)
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
    advance rates, the over-advance amount where the terms have one), the Revolving Line
    and the balance outstanding.

    Examples
    --------
    >>> from model import paths
    >>> from model.terms import load
    >>> from model.engines.facility import facility_ledger
    >>> fac = load(paths.PARAMS / "facilities" / "svb-loan-agreement.yaml")
    >>> led = facility_ledger(fac, "2008-04-28", "2008-05-05", cash=5e6, rate_path=0.05,
    ...     receivables=pd.DataFrame({"date": ["2008-04-01"], "eligible_domestic": [2e7],
    ...                               "eligible_foreign": [0]}))
    >>> fig, ax = borrowing_base_chart(fac, led)
    >>> rate = fac.all_versions[-1].borrowing_base.domestic_advance_rate.value
    >>> any(f"{rate:.0%}" in t.get_text() for t in ax.get_legend().get_texts())
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
    return _finish(fig, ax)


# --- covenants ---------------------------------------------------------------------------


def plot_covenant_history(
    history: pd.DataFrame, covenant: str, ax: Axes | None = None
) -> tuple[Figure, Axes]:
    """Actual against required for one covenant over quarters, the required level drawn
    as steps.

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
    h = history.xs(covenant, level="covenant")
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 4.5))
    else:
        root = ax.get_figure(root=True)
        if not isinstance(root, Figure):
            raise InputError("the axes given are not on a figure", key="ax")
        fig = root
    ratio = h["unit"].iloc[0] == "ratio"
    scale, unit = (1.0, "ratio (x:1.00)") if ratio else (MILLIONS, "US$ millions")
    x = list(range(len(h)))
    colours = [STATUS_COLOURS.get(str(c), _NOT_TESTED) for c in h["status_code"]]
    actual = [float("nan") if is_missing(v) else float(v) / scale for v in h["actual"]]
    ax.bar(x, actual, color=colours, width=0.6, label="actual")
    for i, code in enumerate(h["status_code"]):
        if code == "undefined":  # no bar: say why at the axis
            ax.annotate(UNDEFINED_TEXT, (i, 0), ha="center", va="bottom", fontsize=7, rotation=90)
    req = [float("nan") if v is None or pd.isna(v) else float(v) / scale for v in h["required"]]
    edges = [i - 0.5 for i in x] + [len(h) - 0.5]
    ax.step(edges, req + req[-1:], where="post", color="black", linewidth=2, label="required")
    for i, (a, room) in enumerate(zip(actual, h["headroom"], strict=True)):
        if not is_missing(room):
            text = headroom(room, "ratio") if ratio else dollars(room)
            ax.annotate(text, (i, a), ha="center", va="bottom", fontsize=7)
    labels = [
        f"{pd.Timestamp(q):%Y-%m-%d}\n{v}" for q, v in zip(h.index, h["version"], strict=True)
    ]
    ax.set_xticks(x, labels, fontsize=7)
    ax.set_xlabel("quarter end (version of the terms)")
    ax.set_ylabel(unit)
    ax.set_title(f"{h['title'].iloc[0]}: actual against required (labels: headroom)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, borderaxespad=0)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig, ax
