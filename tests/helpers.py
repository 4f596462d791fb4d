"""Small read helpers for assertions against the loaded plans."""

from kpis.models import Indicator
from kpis.values import format_value
from projects.models import Project
from strategy import fiscal


def values_of(indicator: Indicator, column: str) -> dict[str, str]:
    """{"R3": "5", "R4": "6"} for column "planned" or "actual"; empty cells left out."""
    assert column in ("planned", "actual")
    out = {}
    for v in indicator.values.order_by("fiscal_year"):
        text = format_value(getattr(v, f"{column}_number"), getattr(v, f"{column}_mark"))
        if text:
            out[fiscal.short_label(v.fiscal_year)] = text
    return out


def phases_of(project: Project) -> dict[str, str]:
    """{"R4": "○", "R5": "⇒"}."""
    return {
        fiscal.short_label(p.fiscal_year): p.mark for p in project.phases.order_by("fiscal_year")
    }


def kpi(plan, category: str, name: str) -> Indicator:
    return Indicator.objects.get(
        kind=Indicator.Kind.KPI,
        challenge__issue__plan=plan,
        challenge__issue__category=category,
        name=name,
    )


def project(plan, pid: str) -> Project:
    return Project.objects.get(plan=plan, pid=pid)
