"""A plain reference implementation of the capital projection, for the tests.

One scenario at a time, one calendar day at a time, with plain Python loops: the index
rates are looked up and compounded day by day, interest accrues day by day on the
balance of the day, and every payment, sweep, test and cure is done in the order the
engine's docstring gives (:mod:`model.engines.capital.engine`). The covenants are built
with the scalar :func:`model.build_metric` (Decimal), the cure by a plain search in cents.
Nothing here calls the engine; it shares only the terms it reads and the day count and
calendar functions (tested against QuantLib elsewhere).
"""

from __future__ import annotations

import bisect
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from model.dates import (
    generate_schedule,
    measurement_window,
    month_end,
    new_york_banking_calendar,
    year_fraction,
    year_fraction_exact,
)
from model.dates.periods import quarter_ends_between
from model.engines.covenants.metrics import build_metric
from model.errors import UndefinedMetricError
from model.terms.capital_scenario import CapitalScenario
from model.terms.structure import FixedNote, PikNote, Revolver, TermLoan

CAL = new_york_banking_calendar()


def cents(x: Any) -> int:
    return int(Decimal(str(x)).scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def half_up(x: float) -> int:
    """Half up to the cent after snapping to 1/10,000 of a cent (as the engine does)."""
    return int(Decimal(repr(round(x, 4))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


_PATHS: dict[int, tuple[Any, list[dt.date], list[float]]] = {}


def rate_on(path: Any, day: dt.date) -> float:
    """The rate in force on ``day``: the last entry on or before it."""
    key = id(path)
    if key not in _PATHS or _PATHS[key][0] is not path:
        rows = sorted((d.date(), float(r)) for d, r in zip(path["date"], path["rate"], strict=True))
        _PATHS[key] = (path, [d for d, _ in rows], [r for _, r in rows])
    _, dates, rates = _PATHS[key]
    i = bisect.bisect_right(dates, day) - 1
    assert i >= 0, day
    return rates[i]


def bd_back(day: dt.date, n: int) -> dt.date:
    d = day
    while n > 0:
        d -= dt.timedelta(days=1)
        if CAL.is_business_day(d):
            n -= 1
    return d


def preceding(day: dt.date) -> dt.date:
    while not CAL.is_business_day(day):
        day -= dt.timedelta(days=1)
    return day


def following(day: dt.date) -> dt.date:
    while not CAL.is_business_day(day):
        day += dt.timedelta(days=1)
    return day


def compounded(
    path: Any, start: dt.date, end: dt.date, lookback: int, shift_obs: bool, shift: float
) -> float:
    if shift_obs:
        a, b = bd_back(preceding(start), lookback), bd_back(following(end), lookback)
        days = [
            a + dt.timedelta(days=i)
            for i in range((b - a).days)
            if CAL.is_business_day(a + dt.timedelta(days=i))
        ]
        obs = days
    else:
        a, b = start, end
        days = [a] + [
            a + dt.timedelta(days=i)
            for i in range(1, (b - a).days)
            if CAL.is_business_day(a + dt.timedelta(days=i))
        ]
        obs = [bd_back(preceding(d), lookback) for d in days]
    growth = 1.0
    for i, d in enumerate(days):
        nxt = days[i + 1] if i + 1 < len(days) else b
        growth *= 1.0 + (rate_on(path, obs[i]) + shift) * (nxt - d).days / 360.0
    return (growth - 1.0) * 360.0 / (b - a).days


def periods(ins: Any) -> list[tuple[dt.date, dt.date]]:
    months = ins.interest_months.value
    if isinstance(ins, FixedNote) and ins.note is not None:
        b = ins.note.terms.period_bounds()
    elif isinstance(ins, TermLoan | Revolver):
        first, last = ins.funded.value, ins.maturity.value
        b = [first]
        y, m = first.year, first.month
        while True:
            m += 1
            if m > 12:
                y, m = y + 1, 1
            if m % months:
                continue
            e = month_end(y, m)
            if e <= first:
                continue
            if e >= last:
                break
            b.append(e)
        b.append(last)
    else:
        first = ins.funded_date if isinstance(ins, FixedNote) else ins.funded.value
        last = ins.maturity_date if isinstance(ins, FixedNote) else ins.maturity.value
        b = generate_schedule(first, last, 12 // months)
    return list(zip(b, b[1:], strict=False))


def principal_events(ins: Any) -> dict[dt.date, list[tuple[int, int]]]:
    """A note's principal events by day, in order: (principal leaving, of which paid in
    cash), in cents; a note with a file takes them from the file (redemptions and
    repurchases in cash), inline terms from its conversions."""
    out: dict[dt.date, list[tuple[int, int]]] = {}
    if not isinstance(ins, FixedNote):
        return out
    if ins.note is not None:
        for ev in ins.note.events:
            paid = cents(ev.amount) if ev.type in ("redemption", "repurchase") else 0
            out.setdefault(ev.date, []).append((cents(ev.amount), paid))
        return out
    for conv in ins.conversions:
        out.setdefault(conv.date, []).append((cents(conv.principal), 0))
    return out


def project(s: CapitalScenario) -> dict[str, Any]:
    """Project one scenario; returns quarter figures (cents), covenant rows and gaps."""
    st = s.structure
    t = st.terms
    cp = t.cash_policy
    comp = st.compliance
    opening, quarters = s.opening_date, list(s.quarter_ends)
    end = quarters[-1]
    shift = float(s.rate_shift)
    pik_policy = s.terms.policy.pik_toggle.value if s.terms.policy.pik_toggle else "pik"
    drv = {k: [cents(x) for x in v] for k, v in s.paths.items()}

    # interest periods, payment days and the rate of each day, per instrument
    inst: dict[str, dict[str, Any]] = {}
    for ins in st.instruments:
        ps = periods(ins)
        info: dict[str, Any] = {"ins": ins, "periods": ps}
        info["pays"] = {b for a, b in ps if opening < b <= end}
        info["starts"] = {a for a, b in ps}
        if isinstance(ins, FixedNote):
            info["maturity"], info["original"] = ins.maturity_date, cents(ins.principal_amount)
            info["dc"], info["origin"] = ins.convention, ins.funded_date
        elif isinstance(ins, Revolver):
            info["maturity"], info["original"] = ins.maturity.value, cents(ins.commitment.value)
            info["dc"], info["origin"] = ins.rate.day_count.value, ins.funded.value
        else:
            info["maturity"], info["original"] = ins.maturity.value, cents(ins.principal.value)
            dc = ins.rate.day_count.value if isinstance(ins, TermLoan) else ins.day_count.value
            info["dc"], info["origin"] = dc, ins.funded.value
        inst[ins.id] = info

    def index_rate(info: dict[str, Any], day: dt.date) -> float:
        ins = info["ins"]
        if isinstance(ins, FixedNote):
            return float(ins.coupon)
        if isinstance(ins, PikNote):
            cash = ins.toggle.value and pik_policy == "cash" and ins.cash_rate is not None
            return float(ins.cash_rate.value if cash else ins.pik_rate.value)  # type: ignore[union-attr]
        r = ins.rate
        idx = r.index.value
        if idx == "fixed":
            return float(r.fixed_rate.value)
        path = s.rate_paths[idx]
        csa = float(r.spread_adjustment.value) if r.spread_adjustment else 0.0
        if idx == "prime":
            x = rate_on(path, day) + shift + csa
        else:
            span = [(a, b) for a, b in info["periods"] if a <= day < b]
            if not span:
                return 0.0  # after maturity: nothing is outstanding
            a, b = span[0]
            key = (a, b)
            cache = info.setdefault("cache", {})
            if key not in cache:
                if idx == "term_sofr":
                    fd = r.fixing_days.value if r.fixing_days else 2
                    cache[key] = rate_on(path, bd_back(a, fd)) + shift
                else:
                    cache[key] = compounded(
                        path,
                        a,
                        b,
                        r.lookback_days.value,
                        bool(r.observation_shift and r.observation_shift.value),
                        shift,
                    )
            x = cache[key] + csa
        if r.floor is not None:
            x = max(x, float(r.floor.value))
        if r.cap is not None:
            x = min(x, float(r.cap.value))
        return x

    def weight(info: dict[str, Any], day: dt.date) -> float:
        dc = info["dc"]
        if dc.value == "ACT/360":
            return 1 / 360
        if dc.value == "ACT/365F":
            return 1 / 365
        if isinstance(info["ins"], FixedNote):  # from its coupon period's start, exactly
            a = next((a for a, b in info["periods"] if a <= day < b), None)
            if a is None:
                return 0.0
            dc_ = info["dc"]
            b_ = next(b for a2, b in info["periods"] if a2 == a)
            kw: dict[str, Any] = {}
            if dc_.value == "30E/360 ISDA":
                kw["maturity"] = info["maturity"]
            if dc_.value == "ACT/ACT ICMA":
                kw = {
                    "ref_start": a,
                    "ref_end": b_,
                    "frequency": 12 // info["ins"].interest_months.value,
                }
            return float(
                year_fraction_exact(a, day + dt.timedelta(days=1), dc_, **kw)
                - year_fraction_exact(a, day, dc_, **kw)
            )
        if "w" not in info:  # 30/360: the year fraction from the first day, day by day
            first = min(a for a, _ in info["periods"]) - dt.timedelta(days=400)
            days = [first + dt.timedelta(days=i) for i in range((end - first).days + 2)]
            cum = [float(x) for x in year_fraction(info["origin"], days, dc)]
            info["w"] = {d: cum[i + 1] - cum[i] for i, d in enumerate(days[:-1])}
        return float(info["w"][day])

    bal = {
        k: cents(s.terms.opening.balances[k].value) if k in s.terms.opening.balances else 0
        for k in inst
    }
    acc = {k: 0.0 for k in inst}
    cash = cents(s.terms.opening.cash.value)
    net_worth = cents(s.terms.opening.net_worth.value) if s.terms.opening.net_worth else 0
    min_cash = cents(cp.minimum_cash.value)
    rv = cp.revolver
    fee_acc = 0.0
    in_default = False
    pending: set[dt.date] = set()
    gap_first = None
    grid_keys: list[tuple[dt.date, float]] = []
    margin: dict[str, float] = {}
    installments = {}
    for k, info in inst.items():
        ins = info["ins"]
        installments[k] = (
            {d: cents(a) for d, a in ins.scheduled().items() if opening < d <= end}
            if isinstance(ins, TermLoan)
            else {}
        )
    ecf_due: dict[dt.date, int] = {}
    carried = {
        cf.covenant: float(s.terms.opening.carried_forward[cf.covenant].value)
        if cf.covenant in s.terms.opening.carried_forward
        else 0.0
        for cf in t.carry_forward
    }
    eod = t.events_of_default
    req = comp.requirement("quarterly")
    annual = comp.requirement("annual")

    def cert_days(q: dt.date) -> int:  # the annual certificate at a fiscal year end
        if q.month == comp.fiscal_year_end_month.value and annual is not None:
            return annual.days_after
        return req.days_after if req is not None else 45

    cure = t.equity_cure
    cured: list[bool] = []
    prior_cured = (
        [q in s.cures_used for q in quarter_ends_between(min(s.cures_used), s.opening_date)]
        if s.cures_used
        else []
    )
    vol_fy = 0
    q_rows: list[dict[str, int]] = []
    cov_rows: list[dict[str, Any]] = []
    items_hist: list[dict[str, int]] = []
    plain_hist: list[dict[str, int]] = []
    flows = dict.fromkeys(
        (
            "cash_interest",
            "pik_interest",
            "facility_fees",
            "scheduled_repayments",
            "maturities",
            "mandatory_prepayments",
            "equity_cure",
            "funding_gap",
            "revolver_draws",
            "revolver_repayments",
        ),
        0,
    )

    def grid_of() -> Any:
        for ins in st.instruments:
            r = getattr(ins, "rate", None)
            if r is not None and r.margin_grid is not None:
                return r.margin_grid
        return None

    grid = grid_of()

    def level_of(levels: Any, key: float | None, initial: int) -> Any:
        if key is None:
            return levels[initial]
        if key != key:  # NaN
            return levels[-1]
        for lv in levels:
            if (lv.above is None or key > float(lv.above)) and (
                lv.up_to is None or key <= float(lv.up_to)
            ):
                return lv
        raise AssertionError

    def key_at(day: dt.date) -> float | None:
        k = None
        for eff, v in grid_keys:
            if eff <= day:
                k = v
        return k

    def set_margin(k: str, day: dt.date) -> None:
        r = getattr(inst[k]["ins"], "rate", None)
        if r is None or r.margin_grid is None:
            margin[k] = float(r.margin.value) if r is not None and r.margin is not None else 0.0
        else:
            margin[k] = float(
                level_of(
                    r.margin_grid.levels, key_at(day), r.margin_grid.initial_level.value
                ).margin
            )

    def fee_rate(day: dt.date) -> float:
        ins = inst[rv]["ins"]
        if ins.unused_fee is not None:
            return float(ins.unused_fee.value)
        g = ins.rate.margin_grid
        if g is None:
            return 0.0
        return float(level_of(g.levels, key_at(day), g.initial_level.value).unused_fee or 0)

    def avail(qi: int, day: dt.date) -> int:
        if rv is None or day >= inst[rv]["maturity"]:
            return 0
        ins = inst[rv]["ins"]
        limit = inst[rv]["original"]
        if ins.borrowing_base is not None:
            limit = min(
                limit,
                half_up(drv["eligible_receivables"][qi] * float(ins.borrowing_base.advance_rate)),
            )
        out = max(0, limit - bal[rv] - drv["letters_of_credit"][qi])
        if eod is not None and eod.advances_stop.value and in_default:
            return 0
        return out

    def apply(amount: int, names: Any, today: dt.date) -> int:
        paid = 0
        for n in names:
            take = min(amount, bal[n])
            bal[n] -= take
            amount -= take
            paid += take
            how = getattr(inst[n]["ins"], "prepayments_reduce", None)
            if how is not None and how.value == "next_installments":
                rest = take
                for d in sorted(installments[n]):
                    if d <= today:
                        continue
                    c = min(rest, installments[n][d])
                    installments[n][d] -= c
                    rest -= c
        return paid

    def items_of(row: dict[str, int]) -> dict[str, int]:
        out = {}
        for item, how in comp.projection.items():
            out[item] = sum(row[x] for x in how.sum) - sum(row[x] for x in how.less)
        return out

    def window_items(
        qi: int, period: str, metric: Any, hist: list[dict[str, int]], since: dt.date | None = None
    ) -> dict[str, Decimal]:
        qe = quarters[qi]
        win = measurement_window(qe, period, comp.fiscal_year_end_month.value)
        factor = Decimal(1)
        if since is not None and period == "trailing_four_quarters" and win[0] < since <= qe:
            win = [w for w in win if w >= since]
            factor = Decimal(4) / len(win)
        needed = {ln.input for ln in metric.lines if ln.input}
        out = {}
        for item in needed:
            li = comp.line_items[item]
            if li.measure == "balance" or len(win) == 1:
                out[item] = Decimal(hist[qi][item]) / 100
                continue
            tot = Decimal(0)
            for w in win:
                if w in quarters[: qi + 1]:
                    tot += Decimal(hist[quarters.index(w)][item]) / 100
                elif not (hist is plain_hist and li.cure):  # pricing and the sweep: no cure
                    tot += s.history.quarter(w)[item]  # type: ignore[union-attr]
            out[item] = (
                tot
                if factor == 1
                else (tot * factor).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            )
        return out

    def since_of(cid: str) -> dt.date | None:
        return next((a.first_quarter for a in t.annualized if a.covenant == cid), None)

    def value(metric: Any, items: dict[str, Decimal]) -> float:
        try:
            return float(build_metric(metric, items, comp.line_items, undefined="raise").value)
        except UndefinedMetricError:
            return float("nan")

    # the opening: interest of the periods in course
    grid_start = opening
    for info in inst.values():
        course = [a for a, b in info["periods"] if a <= opening < b]
        info["course"] = course[0] if course else opening
        grid_start = min(grid_start, info["course"])
    for k, info in inst.items():
        set_margin(k, info["course"])
        d = info["course"]
        while d < opening:
            acc[k] += bal[k] * (index_rate(info, d) + margin[k]) * weight(info, d)
            d += dt.timedelta(days=1)
    if rv is not None:
        info = inst[rv]
        d = info["course"]
        lcf = (
            float(info["ins"].letters_of_credit.fee_rate.value)
            if info["ins"].letters_of_credit
            else 0.0
        )
        fr = fee_rate(d)
        while d < opening:
            w = weight(info, d)
            unused = max(0, info["original"] - bal[rv] - drv["letters_of_credit"][0])
            fee_acc += unused * fr * w + drv["letters_of_credit"][0] * lcf * w
            d += dt.timedelta(days=1)
    acc_start = {**acc, "fees": fee_acc}  # each rounded to the cent at both ends of a quarter
    fr = fee_rate(opening) if rv is not None else 0.0

    # the days the cash policy acts on (the engine's docstring): quarter ends, payment days,
    # period starts, installments, funding, conversions, maturities, sweep payments, the days a
    # certificate is due and the days a grid level takes effect
    acts: set[dt.date] = set(quarters)
    for k, info in inst.items():
        ins = info["ins"]
        acts |= info["pays"] | info["starts"] | set(installments[k]) | {info["maturity"]}
        acts |= {d.date for d in getattr(ins, "delayed_draw", ())}
        acts |= set(principal_events(ins))
        if not isinstance(ins, FixedNote):
            acts.add(ins.funded.value)
    acts |= {q + dt.timedelta(days=cert_days(q)) for q in quarters}
    if grid is not None:
        acts |= {q + dt.timedelta(days=grid.lag_days.value) for q in quarters}
    if cp.excess_cash_flow is not None:
        e_ = cp.excess_cash_flow
        acts |= {
            q + dt.timedelta(days=e_.payment_days.value)
            for q in quarters
            if q.month == comp.fiscal_year_end_month.value and q.year >= e_.first_fiscal_year.value
        }

    day = opening
    qi_cur = 0
    while day < end:
        # accrue the day
        for k, info in inst.items():
            r = index_rate(info, day) + margin[k]
            if eod is not None and in_default and k in eod.default_interest_on:
                r += float(eod.default_margin.value)
            acc[k] += bal[k] * r * weight(info, day)
        if rv is not None and day < inst[rv]["maturity"]:
            info = inst[rv]
            w = weight(info, day)
            lc = drv["letters_of_credit"][qi_cur]
            lcf = (
                float(info["ins"].letters_of_credit.fee_rate.value)
                if info["ins"].letters_of_credit
                else 0.0
            )
            fee_acc += max(0, info["original"] - bal[rv] - lc) * fr * w + lc * lcf * w
        day += dt.timedelta(days=1)
        if day not in acts:
            continue
        qi = quarters.index(day) if day in quarters else None
        if day in pending:
            pending.discard(day)
            in_default = True
        for k, info in inst.items():
            ins = info["ins"]
            for dd in getattr(ins, "delayed_draw", ()):
                if dd.date == day:
                    cash += cents(dd.amount)
                    bal[k] += cents(dd.amount)
            for amount, in_cash in principal_events(ins).get(day, ()):
                # each event in turn: the principal leaving is paid its accrued interest on
                # the day; redeemed or repurchased principal is paid in cash
                leaving = min(bal[k], amount)
                share = leaving / bal[k] if bal[k] else 0.0
                settled = half_up(acc[k] * share)
                acc[k] *= 1 - share
                bal[k] -= leaving
                cash -= settled + min(leaving, in_cash)
                flows["cash_interest"] += settled
        if qi is not None:
            cash += (
                drv["ebitda"][qi]
                - drv["capex"][qi]
                - drv["cash_taxes"][qi]
                - drv["working_capital_change"][qi]
                + drv["asset_sale_proceeds"][qi]
                - drv["restricted_payments"][qi]
            )
        for step in cp.order.value:
            if step == "interest":
                for k, info in inst.items():
                    if day in info["pays"] or day == info["maturity"]:
                        amt = half_up(acc[k])
                        acc[k] = 0.0
                        if isinstance(info["ins"], PikNote) and not (
                            info["ins"].toggle.value and pik_policy == "cash"
                        ):
                            bal[k] += amt
                            flows["pik_interest"] += amt
                        else:
                            cash -= amt
                            flows["cash_interest"] += amt
                if rv is not None and (day in inst[rv]["pays"] or day == inst[rv]["maturity"]):
                    fee = half_up(fee_acc)
                    fee_acc = 0.0
                    cash -= fee
                    flows["facility_fees"] += fee
            elif step == "scheduled_amortization":
                for k in inst:
                    if day in installments[k]:
                        amt = min(installments[k][day], bal[k])
                        bal[k] -= amt
                        cash -= amt
                        flows["scheduled_repayments"] += amt
            elif step == "maturities":
                for k, info in inst.items():
                    if info["maturity"] == day:
                        amt = bal[k]
                        bal[k] = 0
                        cash -= amt
                        flows["maturities"] += amt
                        fpf = getattr(info["ins"], "final_payment_fee", None)
                        if fpf is not None:
                            fee = cents(Decimal(info["original"]) / 100 * fpf.value)
                            cash -= fee
                            flows["facility_fees"] += fee
            elif step == "mandatory_prepayments":
                if day in ecf_due and cp.excess_cash_flow is not None:
                    paid = apply(ecf_due.pop(day), cp.excess_cash_flow.applied_to, day)
                    cash -= paid
                    flows["mandatory_prepayments"] += paid
                if qi is not None and cp.asset_sales is not None:
                    due = half_up(drv["asset_sale_proceeds"][qi] * float(cp.asset_sales.rate.value))
                    paid = apply(due, cp.asset_sales.applied_to, day)
                    cash -= paid
                    flows["mandatory_prepayments"] += paid
                if qi is not None and drv["voluntary_prepayments"][qi]:
                    vp = s.terms.policy.voluntary_prepayments_to
                    first_loan = next(
                        (k for k, i in inst.items() if isinstance(i["ins"], TermLoan)), None
                    )
                    targets = vp.value if vp is not None else ([first_loan] if first_loan else [])
                    left = drv["voluntary_prepayments"][qi]
                    for target in targets:
                        paid = apply(left, (target,), day)
                        ins = inst[target]["ins"]
                        rate = ins.premium_on(day) if isinstance(ins, TermLoan) else 0
                        prem = half_up(paid * float(rate))
                        left -= paid
                        cash -= paid + prem
                        e_ = cp.excess_cash_flow
                        if e_ is not None and target in e_.applied_to:
                            vol_fy += paid
            elif step == "revolver" and rv is not None:
                rep = min(max(0, cash - min_cash), bal[rv])
                bal[rv] -= rep
                cash -= rep
            elif step == "minimum_cash" and rv is not None:
                d_ = min(max(0, min_cash - cash), avail(qi_cur, day))
                bal[rv] += d_
                cash += d_
        if rv is not None:
            d_ = min(max(0, -cash), avail(qi_cur, day))
            bal[rv] += d_
            cash += d_
        if cash < 0:
            if gap_first is None:
                gap_first = day
            flows["funding_gap"] += -cash
            cash = 0
        if qi is not None:
            now = {**acc, "fees": fee_acc}
            exp = (
                flows["cash_interest"]
                + flows["pik_interest"]
                + flows["facility_fees"]
                + sum(half_up(now[k]) - half_up(acc_start[k]) for k in now)
            )
            acc_start = now
            row = {
                k: drv[k][qi]
                for k in (
                    "ebitda",
                    "depreciation",
                    "addbacks",
                    "capex",
                    "cash_taxes",
                    "working_capital_change",
                    "asset_sale_proceeds",
                    "restricted_payments",
                )
            }
            row |= {k: v for k, v in flows.items()}
            row["interest_expense"] = exp
            row["voluntary_prepayments"] = 0
            row["cash"] = cash
            row["total_debt"] = sum(bal.values())
            row["senior_debt"] = sum(
                b for k, b in bal.items() if inst[k]["ins"].seniority.value != "subordinated"
            )
            row["senior_secured_debt"] = sum(
                b for k, b in bal.items() if inst[k]["ins"].seniority.value == "senior_secured"
            )
            row["availability"] = avail(qi, day)
            row["liquidity"] = cash + row["availability"]
            row["revolver_outstanding"] = bal[rv] if rv else 0
            row["letters_of_credit"] = drv["letters_of_credit"][qi]
            net_worth += (
                drv["ebitda"][qi]
                - drv["depreciation"][qi]
                - exp
                - drv["cash_taxes"][qi]
                - drv["restricted_payments"][qi]
            )
            row["net_worth"] = net_worth
            row["equity_cure"] = 0
            util = 0.0
            if rv is not None:
                lcs = drv["letters_of_credit"][qi]
                lcin = inst[rv]["ins"].letters_of_credit
                util = (bal[rv] + (lcs if lcin and lcin.count_in_utilisation.value else 0)) / inst[
                    rv
                ]["original"]
            items_hist.append(items_of(row))
            plain_hist.append(items_of(row))  # before any cure: what pricing and the sweep read
            # covenants
            results = []
            for cov in t.covenants:
                step_ = cov.step_for(quarters[qi])
                metric = comp.metric(cov.metric)
                a = value(
                    metric,
                    window_items(qi, cov.measurement_period, metric, items_hist, since_of(cov.id)),
                )
                applies = True
                if cov.springing is not None:
                    sp = cov.springing
                    reading = util if sp.metric == "revolver_utilisation" else row[sp.metric] / 100
                    applies = {
                        "<": reading < float(sp.amount),
                        "<=": reading <= float(sp.amount),
                        ">": reading > float(sp.amount),
                        ">=": reading >= float(sp.amount),
                    }[sp.comparison]
                results.append((cov, step_, metric, a, applies))

            def fails(c: Any, st_: Any, a: float, ap: bool, carried: Any = carried) -> bool:
                if st_ is None or st_.amount is None or not ap:
                    return False
                if a != a:
                    return False  # an undefined ratio is reported, not a breach
                level = float(st_.amount) + carried.get(c.id, 0.0)
                return a < level if c.direction == "min" else a > level

            curable = any(
                fails(c, st_, a, ap)
                for c, st_, m, a, ap in results
                if cure and c.id in cure.covenants
            )
            if any(
                fails(c, st_, a, ap)
                for c, st_, m, a, ap in results
                if not (cure and c.id in cure.covenants)
            ):
                curable = False  # a failure a cure cannot cure stands: no sponsor cures then
            amount = 0
            if cure is not None and curable and s.terms.policy.equity_cure.value == "apply":
                # the cures before the opening (opening.cures_used) count in the limits
                ext = [*prior_cured, *cured]
                at = len(prior_cured) + qi
                lo_ = max(0, at - cure.window_quarters + 1)
                ok = sum(ext[lo_:at]) < cure.per_window and sum(ext) < cure.over_life
                if not cure.consecutive_allowed and at > 0 and ext[at - 1]:
                    ok = False
                if ok:

                    def cures_with(
                        x: int, qi: int = qi, row: Any = row, results: Any = results
                    ) -> bool:
                        items_hist[qi] = dict(items_hist[qi])
                        base = items_of(row)[cure.counts_in]
                        items_hist[qi][cure.counts_in] = base + x
                        good = True
                        for c, st_, m, _a, ap in results:
                            if c.id not in cure.covenants:
                                continue
                            v = value(
                                m,
                                window_items(
                                    qi, c.measurement_period, m, items_hist, since_of(c.id)
                                ),
                            )
                            if fails(c, st_, v, ap):
                                good = False
                        return good

                    hi_ = 10**14
                    if cures_with(hi_):
                        lo2 = 0
                        while lo2 < hi_:
                            mid = (lo2 + hi_) // 2
                            if cures_with(mid):
                                hi_ = mid
                            else:
                                lo2 = mid + 1
                        amount = hi_
                    cures_with(amount)
            cured.append(amount > 0)
            row["equity_cure"] = amount
            items_hist[qi] = items_of(row) if not amount else items_hist[qi]
            cash += amount
            net_worth += amount
            row["cash_after_cure"] = cash
            failed = False
            for c, st_, m, a, ap in results:
                v = (
                    value(m, window_items(qi, c.measurement_period, m, items_hist, since_of(c.id)))
                    if (amount and cure and c.id in cure.covenants)
                    else a
                )
                f = fails(c, st_, v, ap)
                failed |= f
                status = (
                    "breach"
                    if f
                    else (
                        "cured"
                        if amount and cure and c.id in cure.covenants and ap and st_ is not None
                        else None
                    )
                )
                cov_rows.append(
                    {
                        "quarter_end": quarters[qi],
                        "covenant": c.id,
                        "actual": v,
                        "failed": f,
                        "status": status,
                        "cure_amount": amount,
                    }
                )
            if failed and day + dt.timedelta(days=cert_days(day)) <= end:
                pending.add(day + dt.timedelta(days=cert_days(day)))
            if grid is not None:
                if grid.keyed_to == "availability_share":
                    key = row["availability"] / inst[rv]["original"]
                else:
                    m = comp.metric(grid.keyed_to)
                    key = value(m, window_items(qi, "trailing_four_quarters", m, plain_hist))
                grid_keys.append((day + dt.timedelta(days=grid.lag_days.value), key))
            if quarters[qi].month == comp.fiscal_year_end_month.value:
                nxt = {}
                for cf in t.carry_forward:
                    c, st_, m, a, ap = next(r for r in results if r[0].id == cf.covenant)
                    if st_ is None or st_.amount is None:
                        nxt[cf.covenant] = 0.0
                        continue
                    base = float(st_.amount)
                    unused = max(0.0, base - (base if a != a else a))
                    amount = round(unused * float(cf.share), 2)
                    nxt[cf.covenant] = min(amount, float(cf.cap)) if cf.cap is not None else amount
                carried = nxt
            e = cp.excess_cash_flow
            if e is not None and quarters[qi].month == comp.fiscal_year_end_month.value:
                if quarters[qi].year >= e.first_fiscal_year.value:
                    m = comp.metric(e.metric)
                    cf = value(m, window_items(qi, "year_to_date", m, items_hist))
                    if e.keyed_to == "availability_share":
                        k_ = row["availability"] / inst[rv]["original"]
                    else:
                        mk = comp.metric(e.keyed_to)
                        k_ = value(mk, window_items(qi, "trailing_four_quarters", mk, plain_hist))
                    rate = float(level_of(e.levels, k_, 0).rate)
                    after = 0
                    for name in e.deduct_after:  # flows over the fiscal year, after the percentage
                        for w in measurement_window(
                            quarters[qi], "year_to_date", comp.fiscal_year_end_month.value
                        ):
                            after += (
                                items_hist[quarters.index(w)][name]
                                if w in quarters
                                else cents(s.history.quarter(w)[name])
                            )  # type: ignore[union-attr]
                    due = max(0, half_up(max(0.0, cf) * 100.0 * rate) - vol_fy - after)
                    dd = day + dt.timedelta(days=e.payment_days.value)
                    if dd <= end:
                        ecf_due[dd] = ecf_due.get(dd, 0) + due
                vol_fy = 0
            row["balances"] = dict(bal)  # type: ignore[assignment]
            q_rows.append(row)
            flows = dict.fromkeys(flows, 0)
            qi_cur = min(qi + 1, len(quarters) - 1)
        for k, info in inst.items():
            if day in info["starts"]:
                set_margin(k, day)
        if rv is not None:
            fr = fee_rate(day)
    return {"quarters": q_rows, "covenants": cov_rows, "gap_first": gap_first}
