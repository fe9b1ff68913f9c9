"""Financial covenant compliance: are we in, by how much.

Pure functions of (terms, actuals, inputs): no global evaluation date.

* :func:`evaluate_covenants`: one quarter, one row per covenant;
* :func:`evaluate_history`: several quarters, one table;
* :func:`compare_versions`: the same actuals under each version of the terms.

Each covenant names a metric of the deal (its compliance file), a direction (``min`` or
``max``), a measurement period (the fiscal quarter, the trailing four quarters or the
year to date: :func:`model.engines.covenants.metrics.period_items`), a threshold schedule
by quarter and, optionally, a springing condition
(:mod:`model.engines.covenants.springing`).

Results carry codes for programs and text for people: ``status_code`` (:data:`STATUS`),
``threshold_kind`` (:data:`THRESHOLD_KINDS`), ``applies`` and ``complies`` are what a
report or a test reads; ``status``, ``applies_reason`` and ``threshold_source`` are the
sentences a reader sees. Nothing parses the sentences back.

Which version of the terms applies
----------------------------------
By default, the version in force on the day the quarter's compliance certificate is due
(:func:`model.engines.covenants.reporting.governing_due_date`). Pass ``version=`` to ask
for another; ``version`` and ``version_basis`` say which was used and why. This default
is an interpretation, not a term of the agreement: ``version_basis`` labels it
(:data:`DEFAULT_VERSION_ASSUMPTION`). An amendment that rewrites a covenant from a later
quarter on does not waive the test of an earlier quarter whose certificate falls due
after it: that quarter keeps the level in force when it ended (``threshold_kind`` is
``carried``).

Thresholds the documents give cannot be replaced silently
--------------------------------------------------------
``thresholds=`` only fills a level the documents leave blank (``amount: null``: the
Adjusted Quick Ratio of the SVB facility). Changing a documented level is scenario
analysis: pass ``overrides=``; each such row has ``threshold_kind == "override"`` and its
``threshold_source`` starts with :data:`OVERRIDE_PREFIX`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from model.dates.periods import read_quarter_end, window_ending
from model.engines.covenants.metrics import (
    MetricBuildUp,
    items_over,
    least_reliable,
    metric_of,
)
from model.engines.covenants.reporting import due_date_for
from model.engines.covenants.springing import (
    READINGS,
    Springing,
    daily_series,
    quarter_window,
    springing_on,
)
from model.errors import InputError, NotFoundError
from model.terms.actuals import Actuals
from model.terms.compliance import ComplianceTerms
from model.terms.covenants import Covenant, ThresholdStep
from model.terms.facility import Facility, FacilityTerms
from model.values import format_money, read_amount, read_choice, read_rate

__all__ = [
    "evaluate_covenants",
    "evaluate_history",
    "compare_versions",
    "resolve_terms",
    "terms_for",
    "schedule_1",
    "carried_terms",
    "required_level",
    "Level",
    "READINGS",
    "RESULT_COLUMNS",
    "STATUS",
    "THRESHOLD_KINDS",
    "OVERRIDE_PREFIX",
    "DEFAULT_VERSION_ASSUMPTION",
]

OVERRIDE_PREFIX = "OVERRIDE of the documented"
"""How ``threshold_source`` starts when a documented level was overridden."""

STATUS = {
    "complies": "complies",
    "amber": "complies (amber: inside cushion)",
    "breach": "does not comply",
    "not_required": "not required (condition not met)",
    "threshold_not_provided": "threshold not provided",
    "no_threshold": "no threshold for this quarter",
    "undefined": "cannot be computed",
}
"""``status_code`` -> ``status``: the outcome of a test, as a code and in words. An
``undefined`` row's status adds the reason: ``"cannot be computed: line J (D / I): line I
is -5, not positive"`` (a ratio whose denominator is not positive, e.g. leverage on
negative EBITDA); its ``actual`` is None and ``complies`` NA (the certificate treats it
as not in compliance)."""

THRESHOLD_KINDS = ("documented", "carried", "user_input", "override", "none")
"""Where ``required`` came from: the documents (for this quarter in this version, or
``carried`` from the version in force at the quarter end), a level the user gave for a
blank in the documents, a user override of a documented level, or none."""

RESULT_COLUMNS = [
    "quarter_end",
    "title",
    "section",
    "reference",
    "metric",
    "unit",
    "direction",
    "measurement_period",
    "springing_metric",
    "required",
    "actual",
    "applies",
    "applies_reason",
    "liquidity_source",
    "liquidity_kind",
    "liquidity_items",
    "complies",
    "status_code",
    "status",
    "headroom",
    "headroom_pct",
    "amber",
    "cushion",
    "threshold_kind",
    "threshold_source",
    "version",
    "version_basis",
    "cure_amount",
    "actual_before_cure",
    "cured",
]

DEFAULT_VERSION_ASSUMPTION = (
    "(assumption: the terms in force when the certificate is due govern the quarter)"
)
"""Appended to ``version_basis`` when the default rule picked the version: agreements do
not say which version governs a quarter whose certificate falls due after an amendment."""

Terms = Facility | FacilityTerms

LIQUIDITY_KINDS = ("actual", "reported", "estimate", "illustrative")
"""What the springing figures are (``liquidity_kind``): the bank's or company's actual
data, a reported or estimated figure of the actuals, or an illustrative sample."""


def _money(x: Any) -> str:
    return format_money(x, cents=None)


def _shown(x: Decimal, unit: str) -> Decimal:
    """A metric as the sentences show it: a ratio to two places (half up), money as is."""
    return x.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP") if unit == "ratio" else x


def _level_text(amount: Any, unit: str) -> str:
    """A required level in words: dollars as the agreements write them, a ratio as x:1.00."""
    return f"{amount}:1.00" if unit == "ratio" else _money(amount)


def _check_terms(facility: Any) -> Terms:
    if not isinstance(facility, Facility | FacilityTerms):
        raise InputError(
            "the terms must be a Facility (load('params/deals/ibasis/facilities/...yaml')) or one version's "
            f"FacilityTerms, not {type(facility).__name__}",
            key="facility",
        )
    return facility


def resolve_terms(
    facility: Terms, quarter_end: Any, version: str | dt.date | None = None
) -> tuple[FacilityTerms, str]:
    """The version of the terms that applies to ``quarter_end`` and why it was chosen.

    Parameters
    ----------
    facility : Facility or FacilityTerms
    quarter_end : date or ISO str
    version : str or date, optional
        A version name (``"original"``), or a date whose terms in force are wanted.
        Default: in force when the quarter's certificate is due.

    Examples
    --------
    >>> from model.terms import load
    >>> fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> t, basis = resolve_terms(fac, dt.date(2008, 3, 31))
    >>> t.version_name, basis.split(";")[0]
    ('first_modification', 'in force on 2008-05-15, when the quarterly Compliance Certificate for 2008-03-31 is due (rule: quarter end + 45 days')
    >>> resolve_terms(fac, dt.date(2007, 12, 31))[0].version_name
    'first_modification'
    """
    return terms_for(facility, read_quarter_end(quarter_end), version)


def terms_for(
    facility: Terms, q: dt.date, version: str | dt.date | None = None
) -> tuple[FacilityTerms, str]:
    """:func:`resolve_terms` for a quarter end already read."""
    fac = _check_terms(facility)
    if isinstance(fac, FacilityTerms):
        if version is not None and version != fac.version_name:
            raise NotFoundError(
                f"version {version!r} requested but only the terms of {fac.version_name!r} "
                "were given; pass the Facility"
            )
        return fac, "terms given directly"
    if version is None:
        due, rule = due_date_for(fac, q)
        return fac.terms_as_of(due), f"in force on {due}, when {rule}; {DEFAULT_VERSION_ASSUMPTION}"
    if isinstance(version, dt.date):
        return fac.terms_as_of(version), f"in force on {version} (requested)"
    return fac.version(str(version)), "requested by the user"


def carried_terms(
    facility: Terms, q: dt.date, version: Any, chosen: FacilityTerms
) -> FacilityTerms | None:
    """The version in force at the quarter end, when the default rule chose another one.

    Only with the default rule and a Facility; an explicit ``version`` is taken as is.
    """
    if version is not None or not isinstance(facility, Facility) or q < facility.agreement_date:
        return None
    at_end = facility.terms_as_of(q)
    return None if at_end.version_name == chosen.version_name else at_end


@dataclass(frozen=True)
class Level:
    """The required level of one covenant for one quarter and where it came from
    (``kind``: one of :data:`THRESHOLD_KINDS`)."""

    required: Decimal | None
    kind: str
    source: str
    step: ThresholdStep | None


def _user_levels(
    terms: FacilityTerms,
    q: dt.date,
    version_name: str,
    thresholds: Mapping[str, Any] | None,
    overrides: Mapping[str, Any] | None,
) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Validate ``thresholds`` (blanks only) and ``overrides`` (documented levels only)."""
    by_id = {c.id: c for c in terms.covenants}
    for name, given in (("thresholds", thresholds), ("overrides", overrides)):
        for cid in given or {}:
            if cid not in by_id:
                raise InputError(
                    f"unknown covenant id {cid!r}; covenants in version {version_name!r}: "
                    f"{', '.join(by_id)}",
                    key=name,
                )
    both = sorted(set(thresholds or {}) & set(overrides or {}))
    if both:
        raise InputError(
            f"{', '.join(both)}: given in both thresholds and overrides", key="overrides"
        )
    user = {cid: read_amount(v, f"thresholds[{cid}]") for cid, v in (thresholds or {}).items()}
    over = {cid: read_amount(v, f"overrides[{cid}]") for cid, v in (overrides or {}).items()}
    for cid in user:
        step = by_id[cid].step_for(q)
        if step is not None and step.amount is not None:
            raise InputError(
                f"the documents set the required level for the quarter ending {q} (version "
                f"{version_name!r}) at {_level_text(step.amount, terms.unit(by_id[cid]))} "
                f"(source: {step.provenance}); "
                "thresholds= only fills a level the documents leave blank. For scenario "
                f"analysis pass overrides={{{cid!r}: ...}}: results and certificate then show "
                "it as an OVERRIDE",
                key=f"thresholds[{cid}]",
            )
    for cid in over:
        step = by_id[cid].step_for(q)
        if step is None or step.amount is None:
            raise InputError(
                f"the documents give no level for the quarter ending {q} (version "
                f"{version_name!r}), so there is nothing to override; give it with thresholds=",
                key=f"overrides[{cid}]",
            )
    return user, over


def required_level(
    cov: Covenant,
    unit: str,
    q: dt.date,
    version_name: str,
    carried: FacilityTerms | None,
    user: Mapping[str, Decimal],
    over: Mapping[str, Decimal],
) -> Level:
    step = cov.step_for(q)
    carried_step = None
    if step is None and carried is not None:
        old = next((c for c in carried.covenants if c.id == cov.id), None)
        carried_step = old.step_for(q) if old is not None else None
    if cov.id in user:
        why = (
            "user input"
            if step is not None
            else "user input (the documents set no level for this quarter)"
        )
        return Level(user[cov.id], "user_input", why, step)
    if cov.id in over and step is not None:
        source = (
            f"{OVERRIDE_PREFIX} {_level_text(step.amount, unit)} (source: {step.provenance}); scenario "
            "analysis, not the documents"
        )
        return Level(over[cov.id], "override", source, step)
    if step is not None:
        return Level(step.amount, "documented", step.provenance, step)
    if carried_step is not None and carried is not None:
        source = (
            f"{carried_step.provenance} [version {version_name!r} sets no level for the quarter "
            f"ending {q}; the level of version {carried.version_name!r}, in force at the "
            "quarter end, applies]"
        )
        return Level(carried_step.amount, "carried", source, carried_step)
    return Level(None, "none", "no threshold step covers this quarter", None)


@dataclass(frozen=True)
class _Liquidity:
    """The figures a springing condition is read on, a note for the reason, where they
    came from, what kind of figures they are, and the line items read for them."""

    values: Any
    note: str
    source: str | None
    kind: str | None = None
    items: tuple[str, ...] = ()


def _liquidity_input(
    metric_id: str,
    comp: ComplianceTerms,
    liquidity: Any,
    items: Mapping[str, Any],
    q: dt.date,
    reading: str,
    given: tuple[str | None, str | None],
) -> _Liquidity:
    """The springing metric's figures: the caller's (a number or a daily series), or, when
    there are none for the quarter, the metric built from the quarter's actuals."""
    series = daily_series(liquidity, metric_id)
    why = None
    if liquidity is None:
        why = f"no {metric_id} given"
    elif series is not None:
        window = quarter_window(series, q)
        if window.empty:
            why = "the daily ledger does not cover this quarter"
        elif reading == "quarter_end" and window.index[-1].date() != q:
            why = (
                f"the daily ledger ends on {window.index[-1].date()}, before the quarter end, "
                "so it gives no quarter-end reading"
            )
    metric = comp.metric(metric_id)
    if why is not None and all(i in items for i in metric.inputs):
        build = metric_of(
            metric, items, comp.line_items, q, period="fiscal_quarter", window=(q,), mode="raise"
        )
        names = ", ".join(metric.inputs)
        entries = getattr(items, "entries", {})
        provs = [f"{entries[i].kind}: {entries[i].source}" for i in metric.inputs if i in entries]
        prov = "; ".join(provs) or "given with the line items"
        labels = "; ".join(
            comp.line_items[i].label if i in comp.line_items else i for i in metric.inputs
        )
        note = f" ({why}: {metric.title} from the actuals, line {names}: {labels})"
        note += _consistency_warnings(comp, items, metric.inputs)
        worst = least_reliable([ln.kind for ln in build.lines if ln.line_item])
        return _Liquidity(
            build.value, note, f"actuals line {names} ({prov})", worst, tuple(metric.inputs)
        )
    if liquidity is None:
        return _Liquidity(None, "", None)
    source, given_kind = given
    shown = source or "given by the caller (provenance not stated)"
    return _Liquidity(liquidity, "", shown, given_kind)


def _consistency_warnings(
    comp: ComplianceTerms, items: Mapping[str, Any], used: Sequence[str]
) -> str:
    """Warnings (never errors) from the deal's ``consistency_checks`` on the items used."""
    out = ""
    for check in comp.consistency_checks:
        if check.item not in used or check.item not in items or check.at_least not in items:
            continue
        a = read_amount(items[check.item], check.item, negative=True)
        b = read_amount(items[check.at_least], check.at_least, negative=True)
        if a < b:
            out += (
                f" [WARNING: {check.item} {_money(a)} is below {check.at_least} {_money(b)} by "
                f"{_money(b - a)}: {check.why}; check both figures]"
            )
    return out


def _items(actuals: Any, q: dt.date, period: str, comp: ComplianceTerms) -> Mapping[str, Any]:
    """The line items of the measurement ``period`` ending ``q``; actuals from a file are
    first checked against the deal's line items (:meth:`Actuals.check`)."""
    if isinstance(actuals, Actuals):
        actuals.check(comp.line_items)
        return items_over(actuals, q, period, comp)
    if isinstance(actuals, Mapping):
        if period != "fiscal_quarter":
            raise InputError(
                f"a covenant measured over the {period.replace('_', ' ')} needs the Actuals "
                "of several quarters, not one quarter's line items",
                key="actuals",
            )
        return actuals
    raise InputError(
        f"actuals must be Actuals (load('params/deals/ibasis/actuals/...')) or a mapping of line items, not "
        f"{type(actuals).__name__}",
        key="actuals",
    )


@dataclass(frozen=True)
class _Outcome:
    complies: Any
    code: str
    headroom: Decimal | None
    pct: float
    amber: Any


def _assess(
    cov: Covenant, level: Level, actual: Decimal | None, applies: bool, cushion: Decimal
) -> _Outcome:
    if level.kind == "none":
        return _Outcome(pd.NA, "no_threshold", None, np.nan, pd.NA)
    required = level.required
    if required is None:
        return _Outcome(pd.NA, "threshold_not_provided", None, np.nan, pd.NA)
    if actual is None:  # the metric cannot be computed (as the projection: "undefined")
        return _Outcome(pd.NA, "undefined", None, np.nan, pd.NA)
    headroom = actual - required if cov.direction == "min" else required - actual
    pct = float(headroom / abs(required)) if required != 0 else np.nan
    if not applies:
        return _Outcome(pd.NA, "not_required", headroom, pct, pd.NA)
    ok = headroom >= 0
    amber = bool(ok and required != 0 and headroom / abs(required) < cushion)
    code = ("amber" if amber else "complies") if ok else "breach"
    return _Outcome(bool(ok), code, headroom, pct, amber)


@dataclass(frozen=True)
class _Context:
    """What every covenant of one quarter's evaluation shares."""

    q: dt.date
    terms: FacilityTerms
    basis: str
    carried: FacilityTerms | None
    user: Mapping[str, Decimal]
    over: Mapping[str, Decimal]
    cushion: Decimal
    reading: str
    liquidity_given: tuple[str | None, str | None]


def _springing(
    cov: Covenant, ctx: _Context, items: Mapping[str, Any], liquidity: Any
) -> tuple[Springing, _Liquidity]:
    if cov.springing is None:
        return Springing(True, "always tested (no springing condition)", None), _Liquidity(
            None, "", None
        )
    comp = ctx.terms.compliance
    liq = _liquidity_input(
        cov.springing.metric, comp, liquidity, items, ctx.q, ctx.reading, ctx.liquidity_given
    )
    sp = springing_on(cov.springing, ctx.q, liq.values, ctx.reading)
    reason = sp.reason + liq.note
    if liq.source is not None:
        reason += f". Source of the {comp.metric(cov.springing.metric).title.lower()} figure: {liq.source}"
    return Springing(sp.applies, reason, sp.observed), liq


def _window(q: dt.date, period: str, comp: ComplianceTerms) -> tuple[dt.date, ...]:
    """The quarter ends of the measurement ``period`` ending ``q``."""
    return tuple(window_ending(q, period, comp.fiscal_year_end_month.value))


def _build(
    metric_id: str, period: str, q: dt.date, actuals: Any, comp: ComplianceTerms
) -> MetricBuildUp:
    """A metric built over its measurement period; a ratio that cannot be computed is
    marked (``undefined``), not raised."""
    items = _items(actuals, q, period, comp)
    return metric_of(
        comp.metric(metric_id),
        items,
        comp.line_items,
        q,
        period=period,
        window=_window(q, period, comp),
        mode="mark",
    )


def _cure(
    cov: Covenant, ctx: _Context, items: Mapping[str, Any], build: MetricBuildUp
) -> tuple[Decimal, Decimal | None]:
    """The equity cure counted in the covenant's metric over its period (the line items
    marked ``cure``) and the metric without it (None: no cure, or undefined without it)."""
    comp = ctx.terms.compliance
    cures = {k for k, li in comp.line_items.items() if li.cure}
    amount = sum(
        (ln.amount for ln in build.lines if ln.line_item in cures and ln.amount is not None),
        Decimal(0),
    )
    if amount == 0:
        return amount, None
    bare = {k: (Decimal(0) if k in cures else items[k]) for k in items}
    before = metric_of(
        comp.metric(cov.metric),
        bare,
        comp.line_items,
        ctx.q,
        period=cov.measurement_period,
        window=build.quarters,
        mode="mark",
    )
    return amount, None if before.undefined else before.value


def _row(cov: Covenant, ctx: _Context, actuals: Any, liquidity: Any) -> dict[str, Any]:
    comp = ctx.terms.compliance
    items = _items(actuals, ctx.q, cov.measurement_period, comp)
    build = _build(cov.metric, cov.measurement_period, ctx.q, actuals, comp)
    actual = None if build.undefined else build.value
    cure_amount, before_cure = _cure(cov, ctx, items, build)
    level = required_level(
        cov, build.unit, ctx.q, ctx.terms.version_name, ctx.carried, ctx.user, ctx.over
    )
    sp, liq = _springing(cov, ctx, items, liquidity)
    applies, reason = sp.applies, sp.reason
    if level.kind == "none":
        applies = False
        reason = (
            f"no threshold for the quarter ending {ctx.q} in version {ctx.terms.version_name!r}"
        )
    out = _assess(cov, level, actual, applies, ctx.cushion)
    status = STATUS[out.code]
    if out.code == "undefined":
        status = f"{status}: {build.undefined}"
    cured = False
    if cure_amount and out.complies is True:
        without = _assess(cov, level, before_cure, applies, ctx.cushion)
        cured = without.complies is not True
        if cured:
            bare = (
                "it cannot be computed"
                if before_cure is None
                else (f"it is {_level_text(_shown(before_cure, build.unit), build.unit)}")
            )
            status = (
                f"{status} only with an equity cure: {_money(cure_amount)} counts in the "
                f"metric; without it {bare}"
            )
    return {
        "covenant": cov.id,
        "quarter_end": ctx.q,
        "title": cov.title,
        "section": cov.section,
        "reference": cov.reference,
        "metric": cov.metric,
        "unit": build.unit,
        "direction": cov.direction,
        "measurement_period": cov.measurement_period,
        "springing_metric": None if cov.springing is None else cov.springing.metric,
        "required": level.required,
        "actual": actual,
        "applies": applies,
        "applies_reason": reason,
        "liquidity_source": liq.source,
        "liquidity_kind": liq.kind,
        "liquidity_items": liq.items,
        "complies": out.complies,
        "status_code": out.code,
        "status": status,
        "headroom": out.headroom,
        "headroom_pct": out.pct,
        "amber": out.amber,
        "cushion": ctx.cushion,
        "threshold_kind": level.kind,
        "threshold_source": level.source,
        "version": ctx.terms.version_name,
        "version_basis": ctx.basis,
        "cure_amount": cure_amount,
        "actual_before_cure": before_cure,
        "cured": cured,
    }


def evaluate_covenants(
    facility: Terms,
    quarter_end: Any,
    actuals: Any,
    liquidity: Any = None,
    version: str | dt.date | None = None,
    *,
    thresholds: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
    cushion: Any = Decimal("0.10"),
    springing_reading: str = "any_day",
    liquidity_source: str | None = None,
    liquidity_kind: str | None = None,
) -> pd.DataFrame:
    """Test every financial covenant for one fiscal quarter.

    Parameters
    ----------
    facility : Facility or FacilityTerms
        The terms (see :func:`resolve_terms`).
    quarter_end : date or ISO str
        A fiscal quarter end.
    actuals : Actuals or mapping
        The line items (:mod:`model.terms.actuals`). Covenants measured over more than the
        quarter need the :class:`~model.terms.actuals.Actuals` of every quarter of the window.
    liquidity : number, Series, ledger DataFrame or None
        The springing condition's figures (:func:`~model.engines.covenants.springing.springing_applies`).
        ``None``, or a ledger that does not cover the quarter: the condition's metric built
        from the actuals if they carry its line items, else the condition is taken to spring.
    version : str or date, optional
        Which terms; default the version in force when the certificate is due.
    thresholds : mapping covenant id -> amount, optional
        Levels the documents leave blank. A documented level cannot be given here.
    overrides : mapping covenant id -> amount, optional
        Scenario analysis: replace a documented level (``threshold_kind == "override"``).
    cushion : decimal fraction, default 0.10
        ``amber`` flags a passing test whose headroom is less than this fraction of the
        required level.
    springing_reading : {"any_day", "quarter_end"}
    liquidity_source : str, optional
        Provenance of ``liquidity``: shown in ``applies_reason`` and ``liquidity_source``.
    liquidity_kind : {"actual", "reported", "estimate", "illustrative"}, optional
        What ``liquidity`` is (``liquidity_kind``); figures taken from the actuals carry the
        actuals' own kind.

    Returns
    -------
    DataFrame
        Index: covenant id; columns :data:`RESULT_COLUMNS`. ``required``, ``actual`` and
        ``headroom`` are Decimal (dollars, or the ratio); ``applies``, ``complies`` and
        ``amber`` nullable booleans (``complies`` is NA when the test does not apply or has
        no threshold: ``status_code`` says which).

    Notes
    -----
    ``min``: complies iff actual >= required, headroom = actual - required; ``max``: actual
    <= required, headroom = required - actual. headroom_pct = headroom / |required| (NaN if
    required is 0); amber = complies and headroom_pct < cushion. A metric that cannot be
    computed (a ratio whose denominator is zero or negative: leverage on negative EBITDA)
    gives ``status_code`` ``undefined``, ``actual`` None and ``complies`` NA, the reason in
    ``status``.

    Examples
    --------
    >>> from model.terms import load
    >>> fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> acts = load("params/deals/ibasis/actuals/ibasis-2008.csv")
    >>> r = evaluate_covenants(fac, "2008-03-31", acts, thresholds={"adjusted_quick_ratio": "1.00"})
    >>> row = r.loc["consolidated_ebitda"]
    >>> row["required"], row["actual"], row["status_code"], row["version"]
    (Decimal('7500000'), Decimal('8000000'), 'amber', 'first_modification')
    >>> evaluate_covenants(fac, "2008-03-31", acts, thresholds={"consolidated_ebitda": 1})
    Traceback (most recent call last):
    ...
    model.errors.InputError: thresholds[consolidated_ebitda]: the documents set the required level for the quarter ending 2008-03-31 (version 'first_modification') at $7,500,000 (source: First Loan Modification Sec. 3.A.VII, new 6.9(ii)(a)); thresholds= only fills a level the documents leave blank. For scenario analysis pass overrides={'consolidated_ebitda': ...}: results and certificate then show it as an OVERRIDE
    """
    q = read_quarter_end(quarter_end)
    terms, basis = terms_for(facility, q, version)
    reading = read_choice(springing_reading, READINGS, "springing_reading")
    user, over = _user_levels(terms, q, terms.version_name, thresholds, overrides)
    ctx = _Context(
        q=q,
        terms=terms,
        basis=basis,
        carried=carried_terms(facility, q, version, terms),
        user=user,
        over=over,
        cushion=read_rate(cushion, "cushion"),
        reading=reading,
        liquidity_given=(
            liquidity_source,
            None
            if liquidity_kind is None
            else read_choice(liquidity_kind, LIQUIDITY_KINDS, "liquidity_kind"),
        ),
    )
    rows = [_row(c, ctx, actuals, liquidity) for c in terms.covenants]
    df = pd.DataFrame(rows, columns=["covenant", *RESULT_COLUMNS]).set_index("covenant")
    for col in ("applies", "complies", "amber"):
        df[col] = df[col].astype("boolean")
    df["headroom_pct"] = df["headroom_pct"].astype(float)
    return df


def schedule_1(
    facility: Terms, actuals: Any, quarter_end: Any, version: str | dt.date | None = None
) -> dict[str, MetricBuildUp]:
    """The certificate's schedule for a quarter: every metric it lists (the compliance
    file's ``certificate.schedule``), in order, each built over the measurement period of
    the covenant that tests it (``period`` and ``quarters`` of each build-up say which). A
    ratio that cannot be computed is marked (``undefined``), not raised, so the schedule
    can still be shown.

    Examples
    --------
    >>> from model.terms import load
    >>> fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> s = schedule_1(fac, load("params/deals/ibasis/actuals/ibasis-2008.csv"), "2008-03-31")
    >>> {k: str(b.value) for k, b in s.items()}
    {'adjusted_quick_ratio': '1.0598', 'consolidated_ebitda': '8000000', 'borrower_cash_flow': '2300000'}
    """
    q = read_quarter_end(quarter_end)
    terms, _basis = terms_for(facility, q, version)
    comp = terms.compliance
    out = {}
    for metric_id in comp.certificate.schedule:
        cov = next((c for c in terms.covenants if c.metric == metric_id), None)
        period = cov.measurement_period if cov is not None else comp.metric(metric_id).period
        if period is None:
            raise InputError(
                f"metric {metric_id!r} is in certificate.schedule, but no covenant of version "
                f"{terms.version_name!r} tests it, so nothing says what period it is measured "
                "over: give its period (fiscal_quarter, trailing_four_quarters or year_to_date)",
                file=facility.file if isinstance(facility, Facility) else None,
                key=f"compliance_file: metrics[{metric_id}].period",
            )
        out[metric_id] = _build(metric_id, period, q, actuals, comp)
    return out


def _liquidity_for(liquidity: Any, q: dt.date) -> Any:
    if isinstance(liquidity, Mapping):
        for key, value in liquidity.items():
            if read_quarter_end(key, "liquidity") == q:
                return value
        return None
    return liquidity


def evaluate_history(
    facility: Terms,
    quarter_ends: Iterable[Any],
    actuals: Any,
    liquidity: Any = None,
    version: str | dt.date | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """:func:`evaluate_covenants` over several quarters, as one table.

    ``liquidity`` may be a daily Series or ledger (sliced per quarter), a mapping
    ``quarter_end -> figure``, or None. The version is resolved per quarter (so a history
    crossing an amendment switches terms) unless ``version`` is given.

    Returns
    -------
    DataFrame
        MultiIndex (quarter_end, covenant), the columns of :func:`evaluate_covenants`.

    Examples
    --------
    >>> from model.terms import load
    >>> fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> acts = load("params/deals/ibasis/actuals/ibasis-2008.csv")
    >>> h = evaluate_history(fac, ["2007-12-31", "2008-03-31"], acts)
    >>> h.xs("borrower_cash_flow", level="covenant")["required"].tolist()  # amended 6.9(iii)(I), (II)
    [Decimal('1.00'), Decimal('2000000')]
    >>> h.loc[(dt.date(2007, 12, 31), "consolidated_ebitda"), ["required", "threshold_kind"]].tolist()
    [Decimal('10000000'), 'carried']
    """
    frames = []
    for qe in quarter_ends:
        q = read_quarter_end(qe)
        df = evaluate_covenants(
            facility, q, actuals, _liquidity_for(liquidity, q), version, **kwargs
        )
        frames.append(df.reset_index())
    if not frames:
        raise InputError("no quarter ends given", key="quarter_ends")
    return pd.concat(frames, ignore_index=True).set_index(["quarter_end", "covenant"])


COMPARED = [
    "required",
    "actual",
    "applies",
    "complies",
    "status_code",
    "status",
    "headroom",
    "unit",
]
"""The fields :func:`compare_versions` shows for each version."""


def compare_versions(
    facility: Facility,
    quarter_end: Any,
    actuals: Any,
    liquidity: Any = None,
    versions: Sequence[str] | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """The same actuals under each version of the terms, side by side.

    Returns
    -------
    DataFrame
        Index: covenant id (the union over versions; a covenant absent from a version
        shows NA). Columns: MultiIndex (version, field) for the fields :data:`COMPARED`.

    Examples
    --------
    >>> from model.terms import load
    >>> fac = load("params/deals/ibasis/facilities/svb-loan-agreement.yaml")
    >>> items = {"net_income": 8000000, "interest_expense": 0, "depreciation": 0,
    ...          "amortization": 0, "income_tax_expense": 0, "non_cash_items": 0,
    ...          "kpn_transaction_costs": 0, "cash_at_bank": 1, "net_billed_receivables": 1,
    ...          "short_term_investments": 0, "obligations_to_bank": 0,
    ...          "liabilities_due_within_one_year": 1, "deferred_revenue": 0,
    ...          "borrower_ebitda": 3000000, "unfunded_capex": 0, "income_taxes_paid": 0,
    ...          "dividends_and_distributions": 0}
    >>> c = compare_versions(fac, "2008-03-31", items, liquidity=25000000)
    >>> [bool(c.loc["consolidated_ebitda", (v, "complies")]) for v in ("original", "first_modification")]
    [False, True]
    """
    if not isinstance(facility, Facility):
        raise InputError("compare_versions needs the Facility (all its versions)", key="facility")
    q = read_quarter_end(quarter_end)
    names = list(versions) if versions is not None else [n for n, _ in facility.versions]
    parts = {}
    order: list[str] = []
    for name in names:
        df = evaluate_covenants(facility, q, actuals, liquidity, name, **kwargs)
        parts[name] = df[COMPARED]
        order += [i for i in df.index if i not in order]
    return pd.concat(parts, axis=1).reindex(order)
