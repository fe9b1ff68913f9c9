"""The what-if panel of notebook 04: move a driver, see the covenants change at once.

:class:`WhatIfPanel` holds one scenario's block and, for a :class:`~model.engines.projection.
whatif.WhatIf`, answers with the first breach, each covenant's lowest headroom in the
forecast and the liquidity chart (:meth:`WhatIfPanel.answer`, plain objects, so it is
tested and timed without a browser). :meth:`WhatIfPanel.widget` puts it behind ipywidgets
controls (revenue, EBITDA margin, DSO, capital expenditures, base-rate shift, and what the
bank does on a default); every change reprojects through the vectorised engine and
redraws. Under papermill and nbval the notebook shows :meth:`WhatIfPanel.static` instead,
the answer for the scenario as written, so reports and checks stay deterministic.
"""

from __future__ import annotations

import datetime as dt
import html
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from model.engines.projection.analytics import summary
from model.engines.projection.result import Projection
from model.engines.projection.whatif import WhatIf, scenario_block, what_if
from model.errors import InputError
from model.reports.charts import projection_liquidity_chart
from model.reports.tables import Html, Table, cell, headline, table
from model.terms.fields import Sourced
from model.terms.scenarios import LenderResponse, Scenario
from model.values import read_amount

__all__ = ["WhatIfAnswer", "WhatIfPanel"]

_TESTED = ("complies", "amber", "breach", "undefined")


@dataclass
class WhatIfAnswer:
    """The answer to one what-if: the projection, the headline, the headroom table, the
    liquidity chart, and the seconds it took."""

    change: WhatIf
    projection: Projection
    headline: Html
    headroom: Table
    chart: Figure
    seconds: float


class WhatIfPanel:
    """The what-if panel of ``scenario`` (see the module docstring)."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.block = scenario_block(scenario)
        versions = scenario.facility.all_versions
        self.titles = {c.id: c.title for t in versions for c in t.covenants}
        self.units = {
            c.id: t.compliance.metric(c.metric).unit for t in versions for c in t.covenants
        }
        self.forecast = [
            q
            for q, known in zip(self.block.quarter_ends, self.block.unknown(), strict=True)
            if known
        ]

    def answer(self, change: WhatIf | None = None, *, chart: bool = True) -> WhatIfAnswer:
        """Project ``change`` (None: nothing moved) and build what the panel shows (see the
        module docstring)."""
        change = change or WhatIf()
        start = time.perf_counter()
        p = what_if(self.block, change)
        name = self.scenario.name
        s: Any = summary(p).loc[name]
        cov: Any = p.covenants.xs(name, level="scenario")
        cov = cov[cov.index.get_level_values("quarter_end").isin(self.forecast)]
        tested = cov[cov["status_code"].isin(_TESTED)]
        rows: list[tuple[str, str, Any, Any, Any]] = []
        for cid in dict.fromkeys(cov.index.get_level_values("covenant")):
            mine = tested[tested.index.get_level_values("covenant") == cid]
            if not len(mine):
                rows.append((self.titles.get(cid, cid), "not_required", None, None, None))
                continue
            low = mine["headroom"].idxmin()
            worst = (
                "breach"
                if (mine["status_code"] == "breach").any()
                else str(mine.loc[low, "status_code"])
            )
            rows.append(
                (
                    self.titles.get(cid, cid),
                    worst,
                    mine.loc[low, "headroom"],
                    low[0],
                    self.units.get(cid),
                )
            )
        frame = pd.DataFrame(
            {
                "status_code": [r[1] for r in rows],
                "headroom": [
                    "—" if r[2] is None else cell(r[2], "usd_whole" if r[4] == "usd" else "ratio")
                    for r in rows
                ],
                "quarter_end": [r[3] for r in rows],
            },
            index=pd.Index([r[0] for r in rows], name="covenant"),
        )
        moved = change.changes()
        words = (
            ", ".join(f"{k.replace('_', ' ')} {_shown(k, v)}" for k, v in moved.items()) or "none"
        )
        t = table(
            frame,
            f"Lowest headroom in the forecast, scenario {name} (moves: {words})",
            "whatif-headroom",
            columns={
                "headroom": ("Lowest headroom", "figure"),
                "quarter_end": ("In the quarter ended", "date"),
            },
            index=("Covenant", "text"),
        )
        first: Any = None if pd.isna(s["first_breach"]) else s["first_breach"]
        head = headline(
            f"What if: {words}",
            [
                (
                    "First forecast breach",
                    f"{cell(first, 'date')} ({self.titles.get(s['first_breach_covenant'], '')})"
                    if first
                    else "None",
                ),
                (
                    "Lowest liquidity",
                    f"{cell(s['min_liquidity'], 'usd_whole')} on {cell(s['min_liquidity_date'], 'date')}",
                ),
                ("Peak revolver", cell(s["peak_revolver"], "usd_whole")),
                (
                    "Funding gap",
                    cell(s["funding_gap"], "usd_whole") if s["funding_gap"] > 0 else "None",
                ),
            ],
        )
        fig: Any = None
        if chart:
            fig, _ = projection_liquidity_chart(p, name)
            plt.close(fig)
        return WhatIfAnswer(change, p, head, t, fig, time.perf_counter() - start)

    def static(self) -> None:
        """Show the answer for the scenario as written (what papermill and nbval render)."""
        from IPython.display import display

        a = self.answer()
        display(a.headline, a.headroom, a.chart)

    def widget(self) -> Any:
        """The panel: controls, then the answer, redrawn on every change."""
        import ipywidgets as w  # type: ignore[import-untyped]
        from IPython.display import display

        own = self.scenario.terms.lender
        style = {"description_width": "initial"}
        layout = w.Layout(width="420px")
        controls = {
            "revenue": w.FloatSlider(
                0,
                min=-0.5,
                max=0.5,
                step=0.01,
                description="Revenue change",
                readout_format=".0%",
                style=style,
                layout=layout,
            ),
            "ebitda_margin": w.FloatSlider(
                0,
                min=-0.1,
                max=0.1,
                step=0.0025,
                description="EBITDA margin, points added",
                readout_format=".2%",
                style=style,
                layout=layout,
            ),
            "dso": w.IntSlider(
                0,
                min=-30,
                max=60,
                step=1,
                description="Days added to DSO",
                style=style,
                layout=layout,
            ),
            "capex": w.Text(
                value="",
                placeholder="the scenario's",
                description="Capex a quarter, US$ (empty: the scenario's)",
                style=style,
                layout=layout,
            ),
            "base_rate": w.FloatSlider(
                0,
                min=-0.05,
                max=0.05,
                step=0.0025,
                description="Base rate shift",
                readout_format=".2%",
                style=style,
                layout=layout,
            ),
            "lender": w.Dropdown(
                options=[
                    (f"as the scenario: {own.response.value}", "scenario"),
                    ("enforce", "enforce"),
                    ("waive", "waive"),
                ],
                value="scenario",
                description="On an Event of Default",
                style=style,
                layout=layout,
            ),
            "waiver_date": w.DatePicker(
                value=self.forecast[-1] if self.forecast else None,
                description="Waiver date (waive)",
                style=style,
            ),
            "waiver_fee": w.FloatText(0.0, description="Waiver fee, US$ (waive)", style=style),
        }
        status = w.HTML()
        out = w.Output()

        def change_from_controls() -> WhatIf:
            text = str(controls["capex"].value).strip().replace(",", "").lstrip("$")
            capex = float(read_amount(text, "capex")) if text else None
            return WhatIf(
                revenue=float(controls["revenue"].value),
                ebitda_margin=float(controls["ebitda_margin"].value),
                dso=float(controls["dso"].value),
                capex=capex,
                base_rate=float(controls["base_rate"].value),
                lender=self._lender(
                    controls["lender"].value,
                    controls["waiver_date"].value,
                    controls["waiver_fee"].value,
                ),
            )

        def redraw(_: Any = None) -> None:
            try:
                a = self.answer(change_from_controls())
            except Exception as e:  # an impossible move: say why, keep the last answer
                status.value = (
                    f"<span style='color:#b3261e'>{html.escape(str(e))} "
                    "(the answer below is for the last moves that could be projected)</span>"
                )
                return
            with out:
                out.clear_output(wait=True)
                display(a.headline, a.headroom, a.chart)
            status.value = f"<span style='color:#555'>updated in {a.seconds * 1000:.0f} ms</span>"

        for c in controls.values():
            c.observe(redraw, names="value")
        redraw()
        return w.VBox(
            [
                w.HTML("<b>What if</b>: move a driver of the forecast quarters"),
                *controls.values(),
                status,
                out,
            ]
        )

    def _lender(
        self, choice: str, waiver_date: dt.date | None, fee: float
    ) -> LenderResponse | None:
        if choice == "scenario":
            return None
        why = "what-if panel: chosen by the analyst"
        if choice == "enforce":
            return LenderResponse(response=Sourced(value="enforce", assumption=why))
        if waiver_date is None:
            raise InputError("choose the waiver date", key="waiver_date")
        return LenderResponse(
            response=Sourced(value="waive", assumption=why),
            waiver_date=Sourced(value=waiver_date, assumption=why),
            waiver_fee=Sourced(value=Decimal(str(fee)), assumption=why),
        )


def _shown(name: str, value: Any) -> str:
    if name in ("revenue", "ebitda_margin", "base_rate"):
        return f"{value:+.2%}"
    if name == "dso":
        return f"{value:+g} days"
    if name == "capex":
        return cell(value, "usd_whole")
    if name == "lender" and isinstance(value, LenderResponse):
        return value.response.value
    return str(value)
