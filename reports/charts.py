"""Chart data: Plotly figures built from plain data as dicts (fast, no validation pass),
each with its caption, its values as a table (the text alternative) and, when there is
nothing to draw, the sentence to print instead of an empty chart.

The data layer returns ``Chart`` objects; the ``{% chart %}`` template tag
(reports/templatetags/dxcharts.py) renders them, and decides there — not here — whether
the page is for the screen or for print.
"""

from dataclasses import dataclass, field
from decimal import Decimal

import plotly.io as pio

from kpis.achievement import Grade
from kpis.values import display_number

FONT = "BIZ UDPGothic, Noto Sans JP, Noto Sans CJK JP, Yu Gothic, Meiryo, sans-serif"
GRADE_COLOURS = {
    Grade.ACHIEVED: "#2f7d32",
    Grade.ON_TRACK: "#f0a202",
    Grade.NEEDS_EFFORT: "#c62828",
    Grade.NOT_MEASURED: "#757575",
    Grade.NOT_APPLICABLE: "#d7dbe0",
}
PHASE_COLOURS = {"build": "#1d4e89", "operate": "#4f9bd9", "consider": "#b0bec5"}
ACTUAL_COLOUR = "#1d4e89"
PLAN_COLOUR = "#d9480f"


@dataclass
class Chart:
    """One figure: what to draw, what to say about it, and its values as a table."""

    caption: str
    figure: dict
    columns: list[str] = field(default_factory=list)  # the table's header row
    rows: list[list[str]] = field(default_factory=list)  # first cell is the row header
    empty: str = ""  # set when there is nothing to draw: printed instead of the chart
    height: int = 260

    @property
    def is_empty(self) -> bool:
        return bool(self.empty)

    def to_json(self, *, static: bool, height: int | None = None) -> str:
        figure = {**self.figure, "layout": {**self.figure["layout"]}}
        figure["layout"]["height"] = height or self.height
        config = {"displayModeBar": False, "responsive": True, "locale": "ja", "staticPlot": static}
        payload = pio.to_json({**figure, "config": config}, validate=False)
        # Safe inside <script type="application/json">.
        return payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _layout(**extra) -> dict:
    layout = {
        "font": {"family": FONT, "size": 12},
        "margin": {"l": 50, "r": 10, "t": 28, "b": 36},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "#ffffff",
        # Legend above the plot: below it, rotated year labels ran into it.
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "autosize": True,
        "hoverlabel": {"font": {"family": FONT}},
    }
    layout.update(extra)
    return layout


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _cell(value: Decimal | None) -> str:
    return display_number(value) if value is not None else ""


def _has_numbers(*series) -> bool:
    return any(v is not None for s in series for v in s)


def kpi_chart(name: str, unit: str, years: list[str], planned: list, actual: list) -> Chart:
    """A yearly-plan indicator: planned (line) against actual (bars) over the plan's years."""
    suffix = f" {unit}" if unit else ""
    hover = "%{x} %{fullData.name}: %{y:,}" + suffix + "<extra></extra>"
    figure = {
        "data": [
            {
                "type": "bar",
                "name": "実績",
                "x": years,
                "y": [_num(v) for v in actual],
                "marker": {"color": ACTUAL_COLOUR},
                "hovertemplate": hover,
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "予定",
                "x": years,
                "y": [_num(v) for v in planned],
                "line": {"color": PLAN_COLOUR, "dash": "dot"},
                "connectgaps": True,
                "hovertemplate": hover,
            },
        ],
        "layout": _layout(
            yaxis={"title": {"text": unit}, "rangemode": "tozero", "separatethousands": True},
            xaxis={"type": "category", "tickangle": 0},
            bargap=0.4,
        ),
    }
    return Chart(
        caption=f"{name}{f'（{unit}）' if unit else ''}",
        figure=figure,
        columns=["", *years],
        rows=[["予定", *map(_cell, planned)], ["実績", *map(_cell, actual)]],
        empty="" if _has_numbers(planned, actual) else "予定・実績の数値がまだ登録されていません。",
    )


def target_chart(
    name: str,
    unit: str,
    baseline: tuple[str, Decimal, str],
    target: tuple[str, Decimal, str],
    years: list[str],
    actual: list,
) -> Chart:
    """A baseline → target indicator: the straight line from 基準値 to 目標値 and the actuals.

    ``baseline`` and ``target`` are (year label, value, value as printed)."""
    suffix = f" {unit}" if unit else ""
    hover = "%{x} %{fullData.name}: %{y:,}" + suffix + "<extra></extra>"
    figure = {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers+text",
                "name": "基準値→目標値",
                "x": [baseline[0], target[0]],
                "y": [_num(baseline[1]), _num(target[1])],
                "text": [f"基準値 {baseline[2]}", f"目標値 {target[2]}"],
                "textposition": ["top right", "bottom left"],
                "line": {"color": PLAN_COLOUR, "dash": "dot"},
                "marker": {"size": 9, "symbol": ["circle", "star"]},
                "hovertemplate": hover,
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "実績",
                "x": years,
                "y": [_num(v) for v in actual],
                "line": {"color": ACTUAL_COLOUR},
                "marker": {"size": 9},
                "connectgaps": True,
                "hovertemplate": hover,
            },
        ],
        "layout": _layout(
            yaxis={"title": {"text": unit}, "rangemode": "tozero", "separatethousands": True},
            xaxis={
                "type": "category",
                "tickangle": 0,
                "categoryorder": "array",
                "categoryarray": [baseline[0], *[y for y in years if y != baseline[0]]],
            },
        ),
    }
    actual_row = ["実績", "", *map(_cell, actual)]
    return Chart(
        caption=f"{name}{f'（{unit}）' if unit else ''}",
        figure=figure,
        columns=["", baseline[0], *years],
        rows=[
            ["基準値・目標値", baseline[2], *["" for _ in years[:-1]], target[2]],
            actual_row,
        ],
    )


def grades_chart(
    issues: list[str], counts: dict[Grade, list[int]], year_label: str, kpi_label: str
) -> Chart:
    """Stacked bars: how many KPIs of each priority issue are 達成 / 概ね順調 / …"""
    figure = {
        "data": [
            {
                "type": "bar",
                "name": grade.label,
                "x": issues,
                "y": counts[grade],
                "marker": {"color": GRADE_COLOURS[grade]},
                "hovertemplate": "%{x}<br>" + grade.label + ": %{y} 指標<extra></extra>",
            }
            for grade in Grade
        ],
        "layout": _layout(
            barmode="stack",
            yaxis={"title": {"text": f"{kpi_label} 数"}, "dtick": 1},
            xaxis={"type": "category", "automargin": True},
        ),
    }
    total = sum(sum(v) for v in counts.values())
    return Chart(
        caption=f"{kpi_label} の達成状況（{year_label}実績）",
        figure=figure,
        columns=["", *[g.label for g in Grade]],
        rows=[[issue, *[str(counts[g][i]) for g in Grade]] for i, issue in enumerate(issues)],
        empty="" if total else f"{kpi_label}が登録されていません。",
        height=380,
    )


def phases_chart(
    years: list[str], counts: dict[str, list[int]], labels: dict, project_label: str
) -> Chart:
    phases = ("build", "operate", "consider")
    figure = {
        "data": [
            {
                "type": "bar",
                "name": labels[phase],
                "x": years,
                "y": counts[phase],
                "marker": {"color": PHASE_COLOURS[phase]},
                "hovertemplate": "%{x} " + labels[phase] + ": %{y} 件<extra></extra>",
            }
            for phase in phases
        ],
        "layout": _layout(
            barmode="stack",
            yaxis={"title": {"text": f"{project_label}数"}},
            xaxis={"type": "category"},
        ),
    }
    total = sum(sum(v) for v in counts.values())
    return Chart(
        caption=f"年度別の{project_label}数（実施区分）",
        figure=figure,
        columns=["", *years],
        rows=[[labels[p], *map(str, counts[p])] for p in phases],
        empty=""
        if total
        else f"実施年度（○ ⇒ …）が登録された{project_label}がないため、年度別の集計はありません。",
        height=340,
    )
