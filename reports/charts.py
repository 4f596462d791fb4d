"""Plotly figures, built from plain data as dicts (fast, no validation pass) and emitted as
HTML fragments without plotly.js: each page includes our own static copy once."""

from decimal import Decimal

import plotly.io as pio

from kpis.achievement import Grade

FONT = "Noto Sans JP, Noto Sans CJK JP, Yu Gothic, Meiryo, sans-serif"
GRADE_COLOURS = {
    Grade.ACHIEVED: "#2f7d32",
    Grade.ON_TRACK: "#f0a202",
    Grade.NEEDS_EFFORT: "#c62828",
    Grade.NOT_MEASURED: "#9e9e9e",
    Grade.NOT_APPLICABLE: "#d7dbe0",
}
PHASE_COLOURS = {"build": "#1d4e89", "operate": "#4f9bd9", "consider": "#b0bec5"}


def _layout(**extra) -> dict:
    layout = {
        "font": {"family": FONT, "size": 12},
        "margin": {"l": 50, "r": 10, "t": 30, "b": 40},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "#ffffff",
        "legend": {"orientation": "h", "y": -0.25},
        "autosize": True,
        "hoverlabel": {"font": {"family": FONT}},
    }
    layout.update(extra)
    return layout


def to_html(figure: dict, div_id: str, *, static: bool = False, height: int | None = None) -> str:
    """A chart placeholder plus its figure as a JSON data block; static/js/charts.js draws it.

    No inline JavaScript: the page works under a strict Content-Security-Policy.
    """
    if height:
        figure["layout"]["height"] = height
    config = {"displayModeBar": False, "responsive": True, "locale": "ja", "staticPlot": static}
    payload = pio.to_json({**figure, "config": config}, validate=False)
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    style = f"height:{height}px;width:100%" if height else "width:100%"
    return (
        f'<div class="plotly-graph-div dx-chart" id="{div_id}" data-figure="{div_id}-data" '
        f'style="{style}"></div>'
        f'<script type="application/json" id="{div_id}-data">{payload}</script>'
    )


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def kpi_figure(name: str, unit: str, years: list[str], planned: list, actual: list) -> dict:
    """Planned (line) against actual (bars) over the plan's years."""
    suffix = f" {unit}" if unit else ""
    hover = "%{x} %{fullData.name}: %{y:,}" + suffix + "<extra></extra>"
    return {
        "data": [
            {
                "type": "bar",
                "name": "実績",
                "x": years,
                "y": [_num(v) for v in actual],
                "marker": {"color": "#1d4e89"},
                "hovertemplate": hover,
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "予定",
                "x": years,
                "y": [_num(v) for v in planned],
                "line": {"color": "#d9480f", "dash": "dot"},
                "connectgaps": True,
                "hovertemplate": hover,
            },
        ],
        "layout": _layout(
            title={"text": name, "font": {"size": 13}},
            yaxis={"title": {"text": unit}, "rangemode": "tozero", "separatethousands": True},
            xaxis={"type": "category"},
            bargap=0.4,
        ),
    }


def grades_by_issue_figure(
    issues: list[str], counts: dict[Grade, list[int]], year_label: str
) -> dict:
    """Stacked bars: how many KPIs of each priority issue are 達成 / 概ね順調 / …"""
    return {
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
            title={"text": f"KPI の達成状況（{year_label}実績）", "font": {"size": 14}},
            yaxis={"title": {"text": "KPI 数"}, "dtick": 1},
            xaxis={"type": "category"},
        ),
    }


def phases_by_year_figure(years: list[str], counts: dict[str, list[int]], labels: dict) -> dict:
    return {
        "data": [
            {
                "type": "bar",
                "name": labels[phase],
                "x": years,
                "y": counts[phase],
                "marker": {"color": PHASE_COLOURS[phase]},
                "hovertemplate": "%{x} " + labels[phase] + ": %{y} プロジェクト<extra></extra>",
            }
            for phase in ("build", "operate", "consider")
        ],
        "layout": _layout(
            barmode="stack",
            title={"text": "年度別のプロジェクト数（実施区分）", "font": {"size": 14}},
            yaxis={"title": {"text": "プロジェクト数"}},
            xaxis={"type": "category"},
        ),
    }
