"""The report of a capital structure's projection (notebook 06): the answer first, then the
quarters, the covenants with their cures, the sweeps, the instruments and their sources.

Everything here formats what :func:`model.engines.capital.project_capital` computed; the
key figures (:func:`capital_figures`) are what the batch index and the tests read:
``first_breach``, the first covenant tested and its headroom, each fiscal year's sweep,
the first step-down of a covenant level, the lowest liquidity, the peak revolver, the
funding gap and a quarter-by-quarter ``dashboard.heat`` of the tightest covenant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from model.engines.capital import CapitalResult
from model.reports.formatting import dollars
from model.reports.tables import STATUS_COLOURS, STATUS_WORDS, Html, Table, banner, headline, table
from model.terms.capital_scenario import CapitalScenario

__all__ = [
    "CapitalReport",
    "capital_report",
    "capital_figures",
    "capital_covenant_chart",
    "capital_debt_chart",
]

_TESTED = ("complies", "amber", "breach", "cured", "undefined")
_RANK = {"breach": 0, "undefined": 1, "cured": 2, "amber": 3, "complies": 4, "not_required": 5}


def _rows(result: CapitalResult, name: str) -> pd.DataFrame:
    q = result.quarters
    return q[q["scenario"] == name].set_index("quarter_end")


def _covenants(result: CapitalResult, name: str) -> pd.DataFrame:
    c = result.covenants
    return c[c["scenario"] == name] if len(c) else c


def _num(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _step_downs(scenario: CapitalScenario) -> list[dict[str, Any]]:
    """Each covenant level that changes within the horizon: the first quarter, from, to."""
    out = []
    quarters = scenario.quarter_ends
    for cov in scenario.structure.terms.covenants:
        prev = None
        for q in quarters:
            step = cov.step_for(q)
            level = None if step is None or step.amount is None else step.amount
            if prev is not None and level is not None and level != prev:
                out.append(
                    {
                        "covenant": cov.id,
                        "quarter_end": q,
                        "from": float(prev),
                        "to": float(level),
                        "tighter": (level < prev) if cov.direction == "max" else (level > prev),
                    }
                )
            prev = level if level is not None else prev
    return out


def capital_figures(scenario: CapitalScenario, result: CapitalResult) -> dict[str, Any]:
    """The key figures of one scenario (see the module docstring)."""
    name = scenario.name
    q = _rows(result, name)
    cov = _covenants(result, name)
    tested = cov[cov["status"].isin(_TESTED)] if len(cov) else cov
    first_tested = None
    if len(tested):
        r = tested.sort_values(["quarter_end", "headroom_pct"]).iloc[0]
        first_tested = {
            "quarter_end": r["quarter_end"],
            "covenant": r["covenant"],
            "title": r["title"],
            "required": _num(r["required"]),
            "actual": _num(r["actual"]),
            "headroom": _num(r["headroom"]),
            "status_code": r["status"],
        }
    failed = cov[cov["status"] == "breach"] if len(cov) else cov
    first_breach = failed.iloc[0] if len(failed) else None
    d = result.defaults[result.defaults["scenario"] == name]
    gaps = result.funding_gaps[result.funding_gaps["scenario"] == name]
    sweeps = (
        result.sweeps[result.sweeps["scenario"] == name] if len(result.sweeps) else result.sweeps
    )
    low: Any = q["liquidity"].idxmin()
    heat = {}
    for qe, rows in cov.groupby("quarter_end") if len(cov) else []:
        t = rows[rows["status"].isin(_TESTED)]
        worst = min(rows["status"], key=lambda s: _RANK.get(s, 9))
        pct = t["headroom_pct"].to_numpy(dtype=float)
        heat[qe] = {
            "status_code": worst,
            "headroom_pct": None if not len(pct) or np.isnan(pct).all() else float(np.nanmin(pct)),
        }
    min_headroom = {}
    for cid, rows in tested.groupby("covenant") if len(tested) else []:
        r = rows.sort_values("headroom_pct").iloc[0]
        min_headroom[cid] = {
            "headroom": _num(r["headroom"]),
            "headroom_pct": _num(r["headroom_pct"]),
            "quarter_end": r["quarter_end"],
            "unit": "ratio",
        }
    steps = _step_downs(scenario)
    in_force = None if d.empty or d["in_force"].dropna().empty else d["in_force"].dropna().iloc[0]
    end = scenario.quarter_ends[-1]
    figures: dict[str, Any] = {
        "scenario": name,
        "kind": "capital_structure",
        "as_of": scenario.opening_date,
        "horizon_end": end,
        "first_breach": None if first_breach is None else first_breach["quarter_end"],
        "first_breach_covenant": None if first_breach is None else first_breach["covenant"],
        "first_breach_covenant_title": None if first_breach is None else first_breach["title"],
        "event_of_default_from": in_force,
        "days_in_default": 0 if in_force is None else (end - in_force).days + 1,
        "first_covenant_tested": first_tested,
        "cures": [
            {"quarter_end": r["quarter_end"], "amount": float(r["cure_amount"])}
            for _, r in cov.drop_duplicates("quarter_end").iterrows()
            if r["cure_amount"] > 0
        ]
        if len(cov)
        else [],
        "sweeps": [
            {
                "fiscal_year_end": r["fiscal_year_end"],
                "excess_cash_flow": round(float(r["excess_cash_flow"]), 2),
                "keyed_to": _num(r["keyed_to"]),
                "rate": float(r["rate"]),
                "amount": round(float(r["amount"]), 2),
                "due": r["due"],
                "within_horizon": bool(r["within_horizon"]),
            }
            for _, r in sweeps.iterrows()
        ],
        "covenant_step_downs": steps,
        "min_liquidity": round(float(q["liquidity"].min()), 2),
        "min_liquidity_date": low,
        "peak_revolver": round(float(q["revolver_outstanding"].max()), 2),
        "funding_gap_total": round(float(q["funding_gap"].sum()), 2),
        "first_funding_gap": None if gaps.empty else gaps["first_date"].iloc[0],
        "quarters": {
            qe: {
                "basis": "forecast",
                "total_debt": round(float(r["total_debt"]), 2),
                "senior_secured_debt": round(float(r["senior_secured_debt"]), 2),
                "cash": round(float(r["cash"]), 2),
                "cash_interest": round(float(r["cash_interest"]), 2),
                "pik_interest": round(float(r["pik_interest"]), 2),
                "scheduled_repayments": round(float(r["scheduled_repayments"]), 2),
                "maturities": round(float(r["maturities"]), 2),
                "mandatory_prepayments": round(float(r["mandatory_prepayments"]), 2),
                "equity_cure": round(float(r["equity_cure"]), 2),
                "covenants": {
                    c["covenant"]: {
                        "status_code": c["status"],
                        "required": _num(c["required"]),
                        "actual": _num(c["actual"]),
                        "headroom": _num(c["headroom"]),
                    }
                    for _, c in cov[cov["quarter_end"] == qe].iterrows()
                }
                if len(cov)
                else {},
            }
            for qe, r in q.iterrows()
        },
        "dashboard": {
            "as_of": scenario.opening_date,
            "min_headroom": min_headroom,
            "lowest_liquidity": {
                "amount": round(float(q["liquidity"].min()), 2),
                "date": low,
                "cash_dominion_below": None,
                "springing_below": None,
                "event_of_default": bool(q["in_default"].loc[low]),
            },
            "days_cash_dominion": None,
            "days_below_springing": None,
            "days_in_default": 0 if in_force is None else (end - in_force).days + 1,
            "next_step_down": (
                None
                if not steps
                else {
                    "date": steps[0]["quarter_end"],
                    "from": steps[0]["from"],
                    "to": steps[0]["to"],
                    "unit": "ratio",
                }
            ),
            "opening_revolver": float(
                sum(
                    float(v.value)
                    for k, v in scenario.terms.opening.balances.items()
                    if getattr(scenario.structure.instrument(k), "kind", "") == "revolver"
                )
            ),
            "peak_revolver": round(float(q["revolver_outstanding"].max()), 2),
            "funding_gap": round(float(q["funding_gap"].sum()), 2),
            "cures": int(q["equity_cure"].gt(0).sum()),
            "sweeps_paid": round(float(q["mandatory_prepayments"].sum()), 2),
            "heat": heat,
        },
    }
    return figures


@dataclass
class CapitalReport:
    """What notebook 06 shows, in order: ``front`` (headline and banners), then ``tables``."""

    front: list[Html]
    tables: list[Table]
    figures: dict[str, Any]


_QUARTER_ROWS = {
    "total_debt": ("Total debt", "usd_whole"),
    "senior_secured_debt": ("Senior secured debt", "usd_whole"),
    "cash": ("Cash", "usd_whole"),
    "revolver_outstanding": ("Revolver outstanding", "usd_whole"),
    "availability": ("Availability", "usd_whole"),
    "liquidity": ("Liquidity (cash + availability)", "usd_whole"),
    "ebitda": ("EBITDA (the driver, before add-backs)", "usd_whole"),
    "cash_interest": ("Interest paid in cash", "usd_whole"),
    "pik_interest": ("Interest paid in kind", "usd_whole"),
    "facility_fees": ("Unused, letter of credit and final-payment fees", "usd_whole"),
    "interest_expense": ("Interest expense (accrued)", "usd_whole"),
    "scheduled_repayments": ("Scheduled installments", "usd_whole"),
    "maturities": ("Repaid at maturity", "usd_whole"),
    "mandatory_prepayments": ("Mandatory prepayments (sweeps)", "usd_whole"),
    "voluntary_prepayments": ("Voluntary prepayments", "usd_whole"),
    "equity_cure": ("Equity cure contributed", "usd_whole"),
    "funding_gap": ("Funding gap (outside funding)", "usd_whole"),
}


def capital_report(scenario: CapitalScenario, result: CapitalResult) -> CapitalReport:
    """The report of one scenario (see the module docstring)."""
    name = scenario.name
    st = scenario.structure
    f = capital_figures(scenario, result)
    q = _rows(result, name)
    cov = _covenants(result, name)
    first = f["first_covenant_tested"]
    tested = (
        f"{first['title']}, {first['quarter_end']}: {first['actual']:.2f}x against "
        f"{first['required']:.2f}x (headroom {first['headroom']:.2f}x)"
        if first
        else "None: no covenant is tested in the horizon (a springing test that never springs)"
    )
    sweep = next((s for s in f["sweeps"]), None)
    step = next((s for s in f["covenant_step_downs"]), None)
    figs = [
        ("First covenant tested", tested),
        (
            "First breach",
            f"{f['first_breach']} ({f['first_breach_covenant_title']})"
            if f["first_breach"]
            else "None",
        ),
        (
            "First excess cash flow sweep",
            f"FY ending {sweep['fiscal_year_end']}: {dollars(sweep['amount'])} "
            f"({sweep['rate']:.0%} of {dollars(sweep['excess_cash_flow'])}), due {sweep['due']}"
            if sweep
            else "None in the horizon",
        ),
        (
            "First covenant step-down",
            f"{step['quarter_end']}: {step['covenant'].replace('_', ' ')} {step['from']:.2f}x to {step['to']:.2f}x"
            if step
            else "None in the horizon",
        ),
        ("Lowest liquidity", f"{dollars(f['min_liquidity'])} on {f['min_liquidity_date']}"),
        ("Peak revolver", dollars(f["peak_revolver"])),
        ("Funding gap", dollars(f["funding_gap_total"]) if f["funding_gap_total"] else "None"),
        (
            "Equity cures",
            ", ".join(f"{c['quarter_end']}: {dollars(c['amount'])}" for c in f["cures"]) or "None",
        ),
        (
            "Event of Default",
            f"from {f['event_of_default_from']}" if f["event_of_default_from"] else "None",
        ),
    ]
    worst = {}
    for cid, rows in cov.groupby("covenant") if len(cov) else []:
        r = rows.sort_values("headroom").iloc[0] if rows["headroom"].notna().any() else rows.iloc[0]
        worst[cid] = r
    statuses = [
        (
            str(r["title"]),
            "breach"
            if (cov[cov["covenant"] == cid]["status"] == "breach").any()
            else str(r["status"]),
            f"lowest headroom {_num(r['headroom']) or 0:.2f}x, {r['quarter_end']}",
        )
        for cid, r in worst.items()
    ]
    assumed = [ins.id for ins in st.instruments if _any_assumption(ins)]
    front = [
        headline(f"{st.terms.borrower}: scenario {name}, {scenario.terms.title}", figs, statuses),
        banner(
            [
                f"The agreement: {st.terms.agreement.title}"
                + (f" ({st.terms.agreement.address})" if st.terms.agreement.address else ""),
                "Every term cites its section or is a labelled assumption; the borrower's figures in "
                "the scenario are assumptions (see the inputs and their sources below).",
            ]
            + ([f"Instruments with assumed terms: {', '.join(assumed)}"] if assumed else []),
            "Sources",
        ),
    ]
    statement = q[[c for c in _QUARTER_ROWS if c in q.columns]].T
    statement.index = [_QUARTER_ROWS[c][0] for c in statement.index]
    statement.columns = [str(c) for c in statement.columns]
    balances = q[[c for c in q.columns if c.startswith("balance:")]].copy()
    balances.columns = [c.split(":", 1)[1] for c in balances.columns]
    interest = q[[c for c in q.columns if c.startswith("interest:")]].copy()
    interest.columns = [c.split(":", 1)[1] for c in interest.columns]
    tables = [
        table(
            statement,
            f"Quarter by quarter, scenario {name} (US$, quarter ends across)",
            "capital-quarters",
            columns={c: (c, "usd_whole") for c in statement.columns},
            index=("", "text"),
            sheet="Quarters",
        ),
        table(
            balances,
            f"Principal outstanding by instrument at each quarter end, scenario {name} (US$)",
            "capital-balances",
            columns={c: (c, "usd") for c in balances.columns},
            index=("Quarter end", "date"),
            sheet="Balances",
        ),
        table(
            interest,
            f"Interest paid by instrument in each quarter (cash or in kind), scenario {name} (US$)",
            "capital-interest",
            columns={c: (c, "usd") for c in interest.columns},
            index=("Quarter end", "date"),
            sheet="Interest",
        ),
    ]
    if len(cov):
        c = cov.set_index(["quarter_end", "covenant"])[
            ["required", "actual_before_cure", "cure_amount", "actual", "headroom", "status"]
        ]
        c = c.assign(status=[STATUS_WORDS.get(s, s) for s in c["status"]])
        c.index = [f"{a.isoformat()} {b}" for a, b in c.index]
        tables.append(
            table(
                c,
                f"Covenants by quarter, scenario {name}: required level, the metric before and after "
                "any equity cure, headroom and status",
                "capital-covenants",
                columns={
                    "required": ("Required", "ratio"),
                    "actual_before_cure": ("Actual before cure", "ratio"),
                    "cure_amount": ("Cure amount", "usd"),
                    "actual": ("Actual", "ratio"),
                    "headroom": ("Headroom", "ratio"),
                    "status": ("Status", "text"),
                },
                index=("Quarter and covenant", "text"),
                sheet="Covenants",
            )
        )
    if f["sweeps"]:
        s = pd.DataFrame(f["sweeps"]).set_index("fiscal_year_end")
        tables.append(
            table(
                s,
                f"Excess cash flow sweeps, scenario {name}",
                "capital-sweeps",
                columns={
                    "excess_cash_flow": ("Excess cash flow", "usd"),
                    "keyed_to": ("Leverage at the year end", "ratio"),
                    "rate": ("Percentage", "percent"),
                    "amount": ("Sweep due", "usd"),
                    "due": ("Due", "date"),
                    "within_horizon": ("Paid in the horizon", "yes_no"),
                },
                index=("Fiscal year end", "date"),
                sheet="Sweeps",
            )
        )
    return CapitalReport(front, tables, f)


def _any_assumption(obj: Any) -> bool:
    from model.terms.provenance import walk_terms

    return any(r.kind == "assumption" for r in walk_terms(obj))


def capital_covenant_chart(result: CapitalResult, name: str) -> tuple[Figure, list[Axes]]:
    """Each covenant's metric by quarter against its required level, bars coloured by status
    (a cured quarter shows the metric before the cure hatched)."""
    cov = _covenants(result, name)
    ids = list(dict.fromkeys(cov["covenant"])) if len(cov) else []
    fig, axes = plt.subplots(
        max(1, len(ids)), 1, figsize=(9, 2.8 * max(1, len(ids))), squeeze=False
    )
    out = []
    for ax, cid in zip(axes[:, 0], ids or [None], strict=False):
        out.append(ax)
        if cid is None:
            ax.set_title(f"Scenario {name}: no covenant")
            continue
        rows = cov[cov["covenant"] == cid]
        x = np.arange(len(rows))
        colours = [STATUS_COLOURS.get(s, "#5f6368") for s in rows["status"]]
        ax.bar(x, rows["actual"].fillna(0), color=colours, width=0.6)
        cured = rows["cure_amount"] > 0
        ax.bar(
            x[cured.to_numpy()],
            rows["actual_before_cure"][cured],
            fill=False,
            hatch="//",
            width=0.6,
            edgecolor="#333",
        )
        ax.step(x, rows["required"], where="mid", color="black", lw=1.5, label="required level")
        ax.set_xticks(x, [q.isoformat()[:7] for q in rows["quarter_end"]], rotation=45, fontsize=8)
        ax.set_ylabel("times (x)")
        ax.set_xlabel("quarter end")
        ax.set_title(f"Scenario {name}: {rows['title'].iloc[0]} by quarter (x)")
        handles: list[Any] = [
            Patch(color=STATUS_COLOURS.get(s, "#5f6368"), label=STATUS_WORDS.get(s, s))
            for s in dict.fromkeys(rows["status"])
        ]
        handles.append(plt.Line2D([], [], color="black", label="required level"))
        if cured.any():
            handles.append(Patch(fill=False, hatch="//", label="before the equity cure"))
        ax.legend(handles=handles, fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig, out


def capital_debt_chart(result: CapitalResult, name: str) -> tuple[Figure, Axes]:
    """Principal by instrument at each quarter end (stacked, US$ millions) and cash."""
    q = _rows(result, name)
    fig, ax = plt.subplots(figsize=(9, 4))
    x = np.arange(len(q))
    bottom = np.zeros(len(q))
    for k in result.balances:
        v = q[f"balance:{k}"].to_numpy() / 1e6
        ax.bar(x, v, bottom=bottom, label=k, width=0.6)
        bottom = bottom + v
    ax.plot(x, q["cash"].to_numpy() / 1e6, color="black", marker="o", lw=1.2, label="cash")
    ax.set_xticks(x, [d.isoformat()[:7] for d in q.index], rotation=45, fontsize=8)
    ax.set_ylabel("US$ millions")
    ax.set_xlabel("quarter end")
    ax.set_title(f"Scenario {name}: debt by instrument and cash at each quarter end (US$ millions)")
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig, ax
