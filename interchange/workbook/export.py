"""Write a plan edition to one styled workbook, .xlsx or .ods (interchange/formats.py).

The same data always gives the same cells: rows are ordered by codes, no timestamps are
written into cells. Text is always written as a text cell (never a formula), on every sheet
including the hidden 選択肢 list sheet, so a name that starts with =, +, -, @, a tab or a
carriage return stays inert in Excel and comes back unchanged on import. The workbook holds
no formulas, so it does not ask Excel to recalculate on opening (openpyxl's default does).
"""

from interchange.formats import FORMATS, ListSource
from interchange.plandata import PlanData, layout_names, parse_issue_code, plan_data
from interchange.workbook import layout as L
from projects.models import ProjectPhase
from strategy import fiscal
from strategy.models import Department, Plan, PriorityIssue
from strategy.naturalsort import natural_key

KIND_ORDER = {k: n for n, k in enumerate(PriorityIssue.Kind.values)}


def _values(data: PlanData, key, years: list[int]) -> list:
    out = []
    for year in years:
        v = data.values.get((key, year))
        if v is None:
            out += [None, None]
        else:
            out += [v[1] or v[0], v[3] or v[2]]
    return out


def _issue_order(code: str):
    field, kind, number = parse_issue_code(code)
    return (field, KIND_ORDER[kind], number)


def workbook_export(plan: Plan, fmt: str = "xlsx") -> bytes:
    """The whole plan as one workbook in ``fmt`` (a key of interchange.formats.FORMATS)."""
    data = plan_data(plan)
    wb = FORMATS[fmt].new_writer()
    departments = sorted(
        Department.objects.filter(municipality=plan.municipality).values_list("name", flat=True)
    )
    _plan_sheet(wb, plan, data)
    _structure_sheet(wb, data)
    _project_sheet(wb, plan, data)
    _kpi_sheet(wb, plan, data)
    _text_sheet(wb, plan, data)
    # The lists behind the drop-downs: department names are users' text like any other cell.
    choices = wb.sheet(L.CHOICES, ["部局", "実施年度", "リーディング・別冊掲載", "方向"], {})
    marks = list(ProjectPhase.MARKS.values())
    directions = list(L.DIRECTION_LABELS.values())
    for n in range(max(len(departments), len(marks), 1)):
        choices.row(
            [
                departments[n] if n < len(departments) else None,
                marks[n] if n < len(marks) else None,
                "○" if n == 0 else None,
                directions[n] if n < len(directions) else None,
            ]
        )
    wb.hide(L.CHOICES)
    return wb.save()


def _choices(column: str, last: int) -> ListSource:
    return ListSource(L.CHOICES, column, 2, last)


def _plan_sheet(wb, plan: Plan, data: PlanData) -> None:
    sheet = wb.sheet(L.PLAN, L.PLAN_HEADERS, {"項目": 28, "値": 48})
    for label, attr in L.PLAN_ROWS:
        if attr == "municipality_code":
            value = plan.municipality.code
        elif attr == "municipality_name":
            value = plan.municipality.name
        elif attr == "slug":
            value = plan.slug
        else:
            value = data.plan[attr]
            if attr in L.YEAR_ATTRS:
                value = fiscal.short_label(value)
            elif attr in L.MONTH_ATTRS:
                value = fiscal.year_month_label(value)
            elif attr == "status":
                value = L.STATUS_LABELS[value]
            elif attr == "layout":
                value = layout_names().get(value, value)
        sheet.row([label, value])


def _structure_sheet(wb, data: PlanData) -> None:
    widths = {
        "名称": 40,
        "到達像": 50,
        "現状・課題": 50,
        "取り組み内容": 50,
        "到達像（見出し）": 30,
        "主管部局": 16,
        "説明": 50,
        "めざす姿": 30,
        "めざす姿の説明": 50,
        "取組分野・キーワード": 40,
    }
    sheet = wb.sheet(L.STRUCTURE, L.STRUCTURE_HEADERS, widths)
    first_text = L.STRUCTURE_HEADERS.index(next(iter(L.FIELD_TEXT_COLUMNS)))
    for number in sorted(data.fields):
        f = data.fields[number]
        row = [L.LEVEL_FIELD, str(number), None, None, None, f["name"]]
        row += [None] * (first_text - len(row))
        sheet.row(row + [f[attr] or None for attr in L.FIELD_TEXT_COLUMNS.values()])
    for code in sorted(data.issues, key=_issue_order):
        i = data.issues[code]
        sheet.row(
            [
                L.LEVEL_ISSUE,
                str(i["field"]),
                code,
                None,
                None,
                i["title"],
                i["category"],
                i["department"],
                None,
                None,
                i["situation"],
                i["actions"],
            ]
        )
        for ckey in sorted(k for k in data.challenges if k[0] == code):
            c = data.challenges[ckey]
            sheet.row(
                [
                    L.LEVEL_CHALLENGE,
                    str(i["field"]),
                    code,
                    str(ckey[1]),
                    None,
                    c["title"],
                    None,
                    None,
                    c["target_title"],
                    c["target_text"],
                ]
            )
            steps = sorted(
                (k for k in data.steps if k[:2] == ckey), key=lambda k: natural_key(k[2])
            )
            for skey in steps:
                sheet.row(
                    [
                        L.LEVEL_STEP,
                        str(i["field"]),
                        code,
                        str(ckey[1]),
                        skey[2],
                        data.steps[skey]["title"],
                    ]
                )
    sheet.validate(
        _choices("A", 200),
        [L.STRUCTURE_HEADERS.index("主管部局")],
        "部局の一覧から選んでください",
    )


def _project_sheet(wb, plan: Plan, data: PlanData) -> None:
    headers = L.project_headers(plan)
    widths = {
        "名称": 30,
        "概要": 40,
        "DX重点課題": 28,
        "課題": 24,
        "活動指標": 22,
        "PID": 16,
        "主体部局": 14,
    }
    sheet = wb.sheet(L.PROJECTS, headers, widths, freeze="H2")
    years = plan.value_years
    first_value = len(L.PROJECT_LEAD)
    by_issue: dict[str, list[str]] = {}
    for pid, p in data.projects.items():
        by_issue.setdefault(p["issue"], []).append(pid)
    activities: dict[str, list] = {}
    for key, attrs in data.activities.items():
        activities.setdefault(key[1], []).append((attrs["position"], key[2], key, attrs))
    challenge_of = data.step_challenges()
    for code in sorted(by_issue, key=_issue_order):
        issue = data.issues[code]
        for pid in sorted(by_issue[code], key=natural_key):
            p = data.projects[pid]
            challenges = sorted(
                {
                    f"{n} {data.challenges[(code, n)]['title']}"
                    for n in {challenge_of.get((code, s)) for s in p["steps"]}
                    if n is not None
                }
            )
            phases = dict(p["phases"])
            lead = [
                data.fields[issue["field"]]["name"],
                issue["category"],
                p["department"],
                f"{code} {issue['title']}",
                "、".join(challenges),
                "、".join(p["steps"]),
                pid,
                p["name"],
                p["summary"],
                "○" if p["is_leading"] else None,
            ]
            rows = sorted(activities.get(pid, [])) or [None]
            for item in rows:
                if item is None:
                    name, unit, formula, values = None, None, None, [None] * (2 * len(years))
                else:
                    _, name, key, attrs = item
                    unit, formula = attrs["unit"], attrs["formula"]
                    values = _values(data, key, years)
                percent = (
                    frozenset(range(first_value, first_value + 2 * len(years)))
                    if unit == "%"
                    else frozenset()
                )
                sheet.row(
                    lead
                    + [name]
                    + values
                    + [
                        ProjectPhase.MARKS[phases[y]] if y in phases else None
                        for y in plan.period_years
                    ]
                    + [unit, formula, "○" if p["in_table"] else None, p["aliases"] or None],
                    percent,
                )
    dept = headers.index("主体部局")
    phase_cols = [headers.index(h) for h in L.phase_headers(plan)]
    sheet.validate(_choices("A", 200), [dept], "部局の一覧から選んでください")
    sheet.validate(
        _choices("B", 4), phase_cols, "○（構築）・⇒（運用）・…（検討）から選んでください"
    )
    sheet.validate(
        _choices("C", 2),
        [headers.index("リーディング"), headers.index("別冊掲載")],
        "○ か空欄にしてください",
    )


def _kpi_sheet(wb, plan: Plan, data: PlanData) -> None:
    headers = L.kpi_headers(plan)
    widths = {"課題": 30, "KPI": 30, "算出式・設定根拠": 40, "進捗状況・評価": 40}
    sheet = wb.sheet(L.KPIS, headers, widths, freeze="E2")
    years = plan.value_years
    first_value = len(L.KPI_LEAD)
    keys = sorted(
        data.kpis,
        key=lambda k: (_issue_order(k[1]), k[2], data.kpis[k]["position"], k[3]),
    )
    for key in keys:
        attrs = data.kpis[key]
        issue = data.issues[key[1]]
        challenge = data.challenges[(key[1], key[2])]
        percent = (
            frozenset(range(first_value, first_value + 2 * len(years)))
            if attrs["unit"] == "%"
            else frozenset()
        )
        sheet.row(
            [
                data.fields[issue["field"]]["name"],
                issue["category"],
                f"{key[1]}-{key[2]} {challenge['title']}",
                key[3],
                attrs["unit"],
                L.DIRECTION_LABELS[attrs["direction"]],
                attrs["formula"],
            ]
            + _values(data, key, years)
            + [
                data.texts.get(("evaluation", key, plan.report_year)),
                fiscal.short_label(attrs["baseline_year"]) if attrs["baseline_year"] else None,
                attrs["baseline_value"],
                fiscal.short_label(attrs["target_year"]) if attrs["target_year"] else None,
                attrs["target_value"],
            ],
            percent,
        )
    sheet.validate(
        _choices("D", 3),
        [headers.index("方向")],
        "高いほど良い・低いほど良いから選んでください",
    )


def _text_sheet(wb, plan: Plan, data: PlanData) -> None:
    sheet = wb.sheet(L.TEXTS, L.TEXT_HEADERS, {"本文": 90, "指標": 30, "コード": 14})
    rows = []
    for kind, owner, year in data.texts:
        if kind == "evaluation":
            if year == plan.report_year:
                continue  # on the KPI sheet
            rows.append(
                (
                    _issue_order(owner[1]),
                    owner[2],
                    2,
                    owner[3],
                    year,
                    kind,
                    ["KPI", f"{owner[1]}-{owner[2]}", owner[3]],
                )
            )
        elif kind == "goal":
            rows.append(
                (
                    _issue_order(owner[0]),
                    owner[1],
                    1,
                    "",
                    year,
                    kind,
                    [L.LEVEL_CHALLENGE, f"{owner[0]}-{owner[1]}", None],
                )
            )
        else:
            rows.append((_issue_order(owner), 0, 0, "", year, kind, [L.LEVEL_ISSUE, owner, None]))
    order = list(L.TEXT_KINDS)
    for *_, year, kind, lead in sorted(rows, key=lambda r: (*r[:4], r[4], order.index(r[5]))):
        sheet.row(
            lead
            + [
                fiscal.short_label(year),
                L.TEXT_KINDS[kind],
                data.texts[_text_key(kind, lead, year)],
            ]
        )


def _text_key(kind: str, lead: list, year: int):
    if kind == "evaluation":
        code, number = lead[1].rsplit("-", 1)
        return ("evaluation", ("kpi", code, int(number), lead[2]), year)
    if kind == "goal":
        code, number = lead[1].rsplit("-", 1)
        return ("goal", (code, int(number)), year)
    return (kind, lead[1], year)


def workbook_response(plan: Plan, fmt: str = "xlsx"):
    """The workbook as a download (``fmt`` outside FORMATS falls back to .xlsx)."""
    from django.http import HttpResponse

    chosen = FORMATS.get(fmt) or FORMATS["xlsx"]
    response = HttpResponse(workbook_export(plan, chosen.name), content_type=chosen.content_type)
    response["Content-Disposition"] = f'attachment; filename="{plan.slug}{chosen.extension}"'
    return response
