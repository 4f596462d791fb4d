"""Write a plan edition to one styled .xlsx (write-only mode: memory stays flat).

The same data always gives the same cells: rows are ordered by codes, no timestamps are
written into cells. Text is always written as a text cell (never a formula), on every sheet
including the hidden 選択肢 list sheet, so a name that starts with =, +, -, @, a tab or a
carriage return stays inert in Excel and comes back unchanged on import. The workbook holds
no formulas, so it does not ask Excel to recalculate on opening (openpyxl's default does).
"""

from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.workbook.properties import CalcProperties
from openpyxl.worksheet.datavalidation import DataValidation

from interchange.plandata import PlanData, parse_issue_code, plan_data
from interchange.spreadsheet import looks_like_formula
from interchange.workbook import layout as L
from projects.models import ProjectPhase
from strategy import fiscal
from strategy.models import Department, Plan, PriorityIssue
from strategy.naturalsort import natural_key

KIND_ORDER = {k: n for n, k in enumerate(PriorityIssue.Kind.values)}


def _styles(wb: Workbook) -> dict[str, NamedStyle]:
    header = NamedStyle(name="dx_header")
    header.font = Font(bold=True, color="FFFFFF")
    header.fill = PatternFill("solid", fgColor="1D4E89")
    header.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    text = NamedStyle(name="dx_text")
    text.alignment = Alignment(wrap_text=True, vertical="top")
    literal = NamedStyle(name="dx_literal")  # text that looks like a formula: shown as typed
    literal.alignment = Alignment(wrap_text=True, vertical="top")
    literal.quotePrefix = True
    number = NamedStyle(name="dx_number", number_format="General")
    number.alignment = Alignment(vertical="top")
    percent = NamedStyle(name="dx_percent", number_format='0.0#"%"')
    percent.alignment = Alignment(vertical="top")
    styles = {s.name: s for s in (header, text, literal, number, percent)}
    for style in styles.values():
        wb.add_named_style(style)
    return styles


class _Sheet:
    def __init__(
        self,
        wb: Workbook,
        title: str,
        headers: list[str],
        widths: dict[str, int],
        freeze: str = "A2",
    ):
        self.ws = wb.create_sheet(title)
        self.headers = headers
        for index, header in enumerate(headers):
            self.ws.column_dimensions[L.column_letter(index)].width = widths.get(header, 12)
        self.ws.freeze_panes = freeze
        self.rows = 1
        self._append([self._cell(h, "dx_header") for h in headers])

    def _cell(self, value, style: str | None = None) -> WriteOnlyCell:
        return _cell(self.ws, value, style)

    def _append(self, cells) -> None:
        self.ws.append(cells)
        self.rows += 1

    def row(self, values: list, percent_columns: frozenset[int] = frozenset()) -> None:
        cells = []
        for index, value in enumerate(values):
            if isinstance(value, Decimal):
                value = _number(value)
                style = "dx_percent" if index in percent_columns else "dx_number"
            elif isinstance(value, int) and not isinstance(value, bool):
                style = "dx_number"
            else:
                value = "" if value is None else value
                style = "dx_text"
            cells.append(self._cell(value if value != "" else None, style))
        self._append(cells)

    def validate(self, formula: str, columns: list[int], prompt: str) -> None:
        if self.rows < 2 or not columns:
            return
        dv = DataValidation(type="list", formula1=formula, allow_blank=True)
        dv.error = prompt
        dv.errorTitle = "入力できない値です"
        dv.showErrorMessage = True
        for index in columns:
            letter = L.column_letter(index)
            dv.add(f"{letter}2:{letter}{max(self.rows, 2) + 500}")
        self.ws.data_validations.append(dv)


def _cell(ws, value, style: str | None = None) -> WriteOnlyCell:
    """A write-only cell; text that a spreadsheet would read as a formula stays text."""
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever openpyxl guessed from a leading =
        if looks_like_formula(value):
            cell.style = "dx_literal"
            cell.quotePrefix = True  # "show as typed": stays text when edited in Excel
            return cell
    if style:
        cell.style = style
    return cell


def _number(value: Decimal) -> int | Decimal:
    normalized = value.normalize()
    if normalized == normalized.to_integral_value():
        return int(normalized)
    return normalized


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


def workbook_export(plan: Plan) -> bytes:
    data = plan_data(plan)
    wb = Workbook(write_only=True)
    wb.calculation = CalcProperties(fullCalcOnLoad=False)  # no formulas: nothing to recalculate
    _styles(wb)
    departments = sorted(
        Department.objects.filter(municipality=plan.municipality).values_list("name", flat=True)
    )
    _plan_sheet(wb, plan, data)
    _structure_sheet(wb, data)
    _project_sheet(wb, plan, data)
    _kpi_sheet(wb, plan, data)
    _text_sheet(wb, plan, data)
    # The lists behind the drop-downs: department names are users' text like any other cell.
    choices = wb.create_sheet(L.CHOICES)
    choices.sheet_state = "hidden"
    choices.append(
        [_cell(choices, h) for h in ("部局", "実施年度", "リーディング・別冊掲載", "方向")]
    )
    marks = list(ProjectPhase.MARKS.values())
    directions = list(L.DIRECTION_LABELS.values())
    for n in range(max(len(departments), len(marks), 1)):
        row = [
            departments[n] if n < len(departments) else None,
            marks[n] if n < len(marks) else None,
            "○" if n == 0 else None,
            directions[n] if n < len(directions) else None,
        ]
        choices.append([_cell(choices, v) if v is not None else None for v in row])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _plan_sheet(wb, plan: Plan, data: PlanData) -> None:
    sheet = _Sheet(wb, L.PLAN, L.PLAN_HEADERS, {"項目": 28, "値": 48})
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
        sheet.row([label, value])


def _structure_sheet(wb, data: PlanData) -> None:
    widths = {
        "名称": 40,
        "到達像": 50,
        "現状・課題": 50,
        "取り組み内容": 50,
        "到達像（見出し）": 30,
        "主管部局": 16,
    }
    sheet = _Sheet(wb, L.STRUCTURE, L.STRUCTURE_HEADERS, widths)
    for number in sorted(data.fields):
        sheet.row([L.LEVEL_FIELD, number, None, None, None, data.fields[number]["name"]])
    for code in sorted(data.issues, key=_issue_order):
        i = data.issues[code]
        sheet.row(
            [
                L.LEVEL_ISSUE,
                i["field"],
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
                    i["field"],
                    code,
                    ckey[1],
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
                    [L.LEVEL_STEP, i["field"], code, ckey[1], skey[2], data.steps[skey]["title"]]
                )
    sheet.validate(
        f"{L.CHOICES}!$A$2:$A$200",
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
    sheet = _Sheet(wb, L.PROJECTS, headers, widths, freeze="H2")
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
                    + [unit, formula, "○" if p["in_table"] else None],
                    percent,
                )
    dept = headers.index("主体部局")
    phase_cols = [headers.index(h) for h in L.phase_headers(plan)]
    sheet.validate(f"{L.CHOICES}!$A$2:$A$200", [dept], "部局の一覧から選んでください")
    sheet.validate(
        f"{L.CHOICES}!$B$2:$B$4", phase_cols, "○（構築）・⇒（運用）・…（検討）から選んでください"
    )
    sheet.validate(
        f"{L.CHOICES}!$C$2:$C$2",
        [headers.index("リーディング"), headers.index("別冊掲載")],
        "○ か空欄にしてください",
    )


def _kpi_sheet(wb, plan: Plan, data: PlanData) -> None:
    headers = L.kpi_headers(plan)
    widths = {"課題": 30, "KPI": 30, "算出式・設定根拠": 40, "進捗状況・評価": 40}
    sheet = _Sheet(wb, L.KPIS, headers, widths, freeze="E2")
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
        f"{L.CHOICES}!$D$2:$D$3",
        [headers.index("方向")],
        "高いほど良い・低いほど良いから選んでください",
    )


def _text_sheet(wb, plan: Plan, data: PlanData) -> None:
    sheet = _Sheet(wb, L.TEXTS, L.TEXT_HEADERS, {"本文": 90, "指標": 30, "コード": 14})
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
