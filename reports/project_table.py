"""The project table (別冊): one row per project and activity indicator.

Read as plain rows: a fixed handful of ``values_list`` queries (projects, their steps, phases,
indicators and yearly values), grouped in Python and formatted once into strings, so the page
costs the same queries whatever the plan's size.

The table's body is written here too (``table_body``), not by a template loop: a plan of a
thousand projects has some 30,000 cells, and Django's per-variable lookups would cost several
times the queries. The header row stays in templates/reports/project_table.html; the two
list the columns in the same order.
"""

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from html import escape

from django.http import QueryDict
from django.utils.safestring import SafeString, mark_safe

from kpis.models import VALUE_COLUMNS, Indicator, IndicatorValue
from kpis.values import display_value
from projects.models import Project, ProjectPhase, split_aliases
from strategy.models import Department, Plan

# Column groups that a reader may hide (all shown unless the form says otherwise).
COLUMN_GROUPS = {"values": "年度別の予定・実績", "phases": "実施年度"}


@dataclass(slots=True)
class TableProject:
    """What the row of one project prints in the columns that span its indicators."""

    pk: int
    pid: str
    aliases: list[str]
    name: str
    summary: str
    field: str
    category: str
    department: str
    department_id: int | None
    issue: str
    leading: bool
    challenges: list[str] = dataclasses.field(default_factory=list)
    steps: list[str] = dataclasses.field(default_factory=list)
    phases: list[str] = dataclasses.field(default_factory=list)
    rowspan: int = 1


@dataclass(slots=True)
class TableRow:
    """One line of the table: a project's activity indicator (or none) and its values."""

    project: TableProject
    first: bool
    indicator: str
    cells: list[tuple[str, str]]


@dataclass(slots=True)
class Filters:
    field: int | None = None
    category: str = ""
    department: int | None = None
    leading: bool = False
    q: str = ""

    @classmethod
    def from_query(cls, query: QueryDict) -> "Filters":
        return cls(
            field=_int(query.get("field")),
            category=(query.get("category") or "").strip(),
            department=_int(query.get("department")),
            leading=query.get("leading") == "1",
            q=(query.get("q") or "").strip(),
        )


def _int(text) -> int | None:
    try:
        return int(text) if text not in (None, "") else None
    except (TypeError, ValueError):
        return None


def shown_groups(query: QueryDict) -> set[str]:
    """The column groups to show: all, unless the form was sent (its hidden ``show`` field)
    and a group's box was left unticked."""
    if "show" not in query:
        return set(COLUMN_GROUPS)
    return set(query.getlist("show")) & set(COLUMN_GROUPS)


def table_projects(plan: Plan, filters: Filters):
    """The projects of the table, filtered; ordered as the 別冊 prints them."""
    projects = Project.objects.filter(plan=plan, in_table=True).search(filters.q)
    if filters.field is not None:
        projects = projects.filter(issue__field__number=filters.field)
    if filters.category:
        projects = projects.filter(issue__category=filters.category)
    if filters.department is not None:
        projects = projects.filter(department_id=filters.department)
    if filters.leading:
        projects = projects.filter(is_leading=True)
    return projects.in_document_order()


# Columns of the projects query, in TableProject's order (steps, phases and rowspan follow).
_PROJECT_COLUMNS = (
    "pk",
    "pid",
    "aliases",
    "name",
    "summary",
    "issue__field__name",
    "issue__category",
    "department__name",
    "department_id",
    "issue__title",
    "is_leading",
)
_Cells = list[tuple[str, str]]


def project_table_rows(plan: Plan, filters: Filters | None = None) -> list[TableRow]:
    """Rows of the 別冊 table in five queries: projects, steps, phases, indicators, values."""
    selected = table_projects(plan, filters or Filters())
    projects: dict[int, TableProject] = {}
    for pk, pid, aliases, name, summary, *rest in selected.values_list(*_PROJECT_COLUMNS):
        field_name, category, department, department_id, issue, leading = rest
        projects[pk] = TableProject(
            pk,
            pid,
            split_aliases(aliases),
            name,
            summary,
            field_name,
            category,
            department or "",
            department_id,
            issue,
            leading,
        )
    if not projects:
        return []
    ids = selected.values("pk")
    _add_steps(projects, ids)
    _add_phases(projects, ids, plan.period_years)
    indicators = _indicator_lines(ids, plan.value_years)

    empty = [("", "")] * len(plan.value_years)
    rows = []
    for pk, project in projects.items():
        lines = indicators.get(pk) or [("", empty)]
        project.rowspan = len(lines)
        for index, (label, cells) in enumerate(lines):
            rows.append(TableRow(project, index == 0, label, cells))
    return rows


def _add_steps(projects: dict[int, TableProject], ids) -> None:
    """Each project's steps in order and the challenges they belong to (sorted, once each)."""
    challenges: dict[int, set[str]] = defaultdict(set)
    links = (
        Project.steps.through.objects.filter(project_id__in=ids)
        .order_by("step__sort_key", "step_id")
        .values_list(
            "project_id",
            "step__code",
            "step__title",
            "step__challenge__number",
            "step__challenge__title",
        )
    )
    for project_id, code, title, challenge_number, challenge_title in links:
        projects[project_id].steps.append(f"{code} {title}")
        challenges[project_id].add(f"{challenge_number} {challenge_title}")
    for project_id, texts in challenges.items():
        projects[project_id].challenges = sorted(texts)


def _add_phases(projects: dict[int, TableProject], ids, period: list[int]) -> None:
    """The 実施年度 marks (○ ⇒ …) per year of the plan period."""
    marks: dict[int, dict[int, str]] = defaultdict(dict)
    phases = ProjectPhase.objects.filter(project_id__in=ids).values_list(
        "project_id", "fiscal_year", "phase"
    )
    for project_id, year, phase in phases:
        marks[project_id][year] = ProjectPhase.MARKS[phase]
    for pk, project in projects.items():
        by_year = marks.get(pk, {})
        project.phases = [by_year.get(y, "") for y in period]


def _indicator_lines(ids, years: list[int]) -> dict[int, list[tuple[str, _Cells]]]:
    """Per project, its activity indicators in order: 「name（unit）」 and the (予定, 実績)
    strings per year, as the pages print values."""
    column = {y: i for i, y in enumerate(years)}
    lines: dict[int, list[tuple[str, _Cells]]] = defaultdict(list)
    cells_of: dict[int, _Cells] = {}
    indicators = (
        Indicator.objects.filter(project_id__in=ids)
        .order_by("position", "id")
        .values_list("pk", "project_id", "name", "unit")
    )
    for pk, project_id, name, unit in indicators:
        cells_of[pk] = [("", "")] * len(years)
        lines[project_id].append((f"{name}（{unit}）" if unit else name, cells_of[pk]))
    values = IndicatorValue.objects.filter(indicator__project_id__in=ids).values_list(
        *VALUE_COLUMNS
    )
    shown: dict[tuple, str] = {}  # the same few values recur: format each once

    def show(number, mark) -> str:
        key = (number, mark)
        if key not in shown:
            shown[key] = display_value(number, mark)
        return shown[key]

    for indicator_id, year, planned, planned_mark, actual, actual_mark in values:
        if year in column and indicator_id in cells_of:
            cells_of[indicator_id][column[year]] = (
                show(planned, planned_mark),
                show(actual, actual_mark),
            )
    return lines


def table_body(rows: list[TableRow]) -> SafeString:
    """The table's body rows as HTML, every text escaped; columns in the header's order:
    分野 分類 主体部局 重点課題 課題 ステップ PID 名称 概要 リーディング (spanning the project's
    indicators), 活動指標, 予定/実績 per value year, then 実施年度 per plan year (spanning)."""
    out = []
    for row in rows:
        p = row.project
        if row.first:
            span = f' rowspan="{p.rowspan}"' if p.rowspan > 1 else ""
            aliases = (
                f'<small class="pt-alias">別表記: {escape("、".join(p.aliases))}</small>'
                if p.aliases
                else ""
            )
            summary = (
                f"<details><summary>{escape(p.summary)}</summary></details>" if p.summary else ""
            )
            out.append(
                f'<tr class="first"><td{span}>{escape(p.field)}</td>'
                f"<td{span}>{escape(p.category)}</td>"
                f"<td{span}>{escape(p.department)}</td>"
                f"<td{span}>{escape(p.issue)}</td>"
                f"<td{span}>{escape('／'.join(p.challenges))}</td>"
                f"<td{span}>{escape('／'.join(p.steps))}</td>"
                f'<td{span} class="c-pid">{escape(p.pid)}{aliases}</td>'
                f'<td{span} class="c-name">{escape(p.name)}</td>'
                f'<td{span} class="c-summary">{summary}</td>'
                f'<td{span} class="center">{"○" if p.leading else ""}</td>'
            )
        else:
            out.append("<tr>")
        out.append(f"<td>{escape(row.indicator)}</td>")
        out.extend(
            f'<td class="num g-values">{escape(planned)}</td>'
            f'<td class="num actual g-values">{escape(actual)}</td>'
            for planned, actual in row.cells
        )
        if row.first:
            out.extend(f'<td{span} class="center g-phases">{mark}</td>' for mark in p.phases)
        out.append("</tr>\n")
    return mark_safe("".join(out))


def project_table_page(plan: Plan, query: QueryDict) -> dict:
    """Everything the 別冊 page shows: rows, the filters' choices and the reader's choices."""
    filters = Filters.from_query(query)
    rows = project_table_rows(plan, filters)
    categories = dict.fromkeys(
        plan.issues.order_by("field__number", "kind", "number").values_list("category", flat=True)
    )
    shown = shown_groups(query)
    return {
        "rows": rows,
        "body": table_body(rows),
        "project_count": sum(row.first for row in rows),
        "filters": filters,
        "fields": list(plan.fields.order_by("number").values_list("number", "name")),
        "categories": list(categories),
        "departments": list(
            Department.objects.filter(municipality_id=plan.municipality_id).values_list(
                "pk", "name"
            )
        ),
        "value_years": plan.value_year_labels,
        "period_years": plan.period_year_labels,
        "column_count": 11 + 2 * len(plan.value_years) + len(plan.period_years),
        "column_groups": [
            {"key": key, "label": label, "shown": key in shown}
            for key, label in COLUMN_GROUPS.items()
        ],
    }
