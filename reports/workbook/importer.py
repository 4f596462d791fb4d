"""Read a whole-plan workbook back into PlanData, validating every cell first.

Every problem is reported as 「シート「…」 N行目 X列（見出し）: what is wrong」 and nothing
is written unless the whole file is valid; then ``plan_apply`` writes it in one transaction.
The file is checked before openpyxl parses it (size, zip structure, expansion ratio) and
openpyxl parses XML through defusedxml, so XML and zip bombs are refused.
"""

import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from django.conf import settings
from django.db import transaction

from kpis.models import Indicator
from kpis.values import InvalidValue, parse_value
from projects.models import Project, ProjectPhase
from reports.workbook import layout as L
from strategy import fiscal
from strategy.models import Department, Plan, PriorityIssue, Step
from strategy.naturalsort import natural_key
from strategy.plandata import (
    PLAN_FIELDS,
    PlanData,
    PlanDiff,
    parse_issue_code,
    plan_apply,
    plan_data,
    plan_diff,
)

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_TEXT = 10_000
MAX_ROWS = 300_000  # data rows per sheet; a 100x plan has ~11,000
LENGTHS = {
    "PID": Project._meta.get_field("pid").max_length,
    "名称": Project._meta.get_field("name").max_length,
    "活動指標": Indicator._meta.get_field("name").max_length,
    "KPI": Indicator._meta.get_field("name").max_length,
    "単位": Indicator._meta.get_field("unit").max_length,
    "活動指標の単位": Indicator._meta.get_field("unit").max_length,
    "ステップ": Step._meta.get_field("code").max_length,
    "分類": PriorityIssue._meta.get_field("category").max_length,
}


class WorkbookError(Exception):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class ImportResult:
    plan: Plan
    diff: PlanDiff
    applied: bool


def check_file(content: bytes) -> None:
    """Refuse what is not a reasonable .xlsx before any XML is parsed."""
    limit = settings.DXPLAN_IMPORT_MAX_BYTES
    if len(content) > limit:
        raise WorkbookError(
            [f"ファイルが大きすぎます（{len(content):,} バイト、上限 {limit:,} バイト）"]
        )
    if not zipfile.is_zipfile(BytesIO(content)):
        raise WorkbookError(["Excel ブック（.xlsx）ではありません"])
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            total = sum(m.file_size for m in members)
            ratio = max((m.file_size / max(m.compress_size, 1) for m in members), default=0)
    except zipfile.BadZipFile as exc:
        raise WorkbookError(["Excel ブック（.xlsx）ではありません（壊れた zip）"]) from exc
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise WorkbookError(["Excel ブック（.xlsx）ではありません"])
    if len(members) > 500 or total > settings.DXPLAN_IMPORT_MAX_EXPANDED_BYTES or ratio > 200:
        raise WorkbookError(["展開後のサイズが大きすぎるため読み込めません（zip 爆弾の疑い）"])


@dataclass
class _Reader:
    errors: list[str] = field(default_factory=list)

    def fail(
        self,
        sheet: str,
        row: int | None,
        header: str | None,
        message: str,
        column: int | None = None,
    ) -> None:
        where = f"シート「{sheet}」"
        if row is not None:
            where += f" {row}行目"
        if header is not None:
            letter = f"{L.column_letter(column)}列" if column is not None else ""
            where += f" {letter}（{header}）"
        self.errors.append(f"{where}: {message}")
        if len(self.errors) > 500:
            raise WorkbookError(self.errors + ["エラーが多すぎるため、ここで中止しました"])


class _Row:
    """One sheet row with its cells by header; converts and validates cell by cell."""

    def __init__(self, reader: _Reader, sheet: str, number: int, headers: list[str], cells):
        self.r, self.sheet, self.number, self.headers = reader, sheet, number, headers
        self.cells = {h: cells[i] if i < len(cells) else None for i, h in enumerate(headers)}
        self.index = {h: i for i, h in enumerate(headers)}

    def fail(self, header: str, message: str) -> None:
        self.r.fail(self.sheet, self.number, header, message, self.index.get(header))

    def _raw(self, header: str):
        cell = self.cells.get(header)
        if cell is None:
            return None
        if getattr(cell, "data_type", None) == "f":
            self.fail(header, "数式は使えません（値を入力してください）")
            return None
        return cell.value

    def text(self, header: str, *, required: bool = False) -> str:
        value = self._raw(header)
        if value is None:
            text = ""
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))
        elif hasattr(value, "isoformat"):
            self.fail(header, "日付として入力されています。文字列で入力してください")
            return ""
        else:
            text = str(value).strip()
        if CONTROL.search(text):
            self.fail(header, "制御文字が含まれています")
            return ""
        limit = LENGTHS.get(header, MAX_TEXT)
        if len(text) > limit:
            self.fail(header, f"長すぎます（{len(text):,} 文字、上限 {limit:,} 文字）")
            return ""
        if required and not text:
            self.fail(header, "必須です")
        return text

    def integer(self, header: str, *, required: bool = True) -> int | None:
        value = self._raw(header)
        if value in (None, ""):
            if required:
                self.fail(header, "必須です")
            return None
        try:
            number = Decimal(str(value).strip())
            if number != number.to_integral_value():
                raise ValueError
            return int(number)
        except (ValueError, ArithmeticError):
            self.fail(header, f"整数で入力してください: 「{value}」")
            return None

    def year(self, header: str, allowed: set[int] | None = None, *, required: bool = False):
        value = self.text(header)
        if not value:
            if required:
                self.fail(header, "必須です")
            return None
        try:
            year = fiscal.parse_year(value)
        except ValueError as exc:
            self.fail(header, str(exc))
            return None
        if allowed is not None and year not in allowed:
            self.fail(header, f"{fiscal.short_label(year)} は計画の年度範囲外です")
            return None
        return year

    def value(self, header: str) -> tuple[Decimal | None, str]:
        cell = self.cells.get(header)
        raw = self._raw(header)
        if isinstance(raw, str):
            raw = raw.strip()
        try:
            number, mark = parse_value(raw)
        except InvalidValue as exc:
            self.fail(header, str(exc))
            return None, ""
        if number is not None and _is_excel_percent(getattr(cell, "number_format", "")):
            if not isinstance(raw, str):
                number = (number * 100).normalize()  # typed as 30% in Excel: stored 0.3
        return number, mark

    def mark(self, header: str, allowed: dict[str, object]):
        value = self.text(header)
        if value and value not in allowed:
            self.fail(
                header,
                f"{'・'.join(k for k in allowed if k)} のいずれかにしてください: 「{value}」",
            )
            return None
        return allowed.get(value)


def _is_excel_percent(number_format: str) -> bool:
    """A percent format that scales the value (0.3 shown as 30%), not our '"%"' suffix."""
    unquoted = re.sub(r'"[^"]*"', "", number_format or "")
    return "%" in unquoted


def _rows(reader: _Reader, wb, sheet: str, expected: list[str] | None):
    """Yield _Row for each non-empty row; check the header row."""
    if sheet not in wb.sheetnames:
        reader.fail(sheet, None, None, "シートがありません")
        return
    ws = wb[sheet]
    iterator = ws.iter_rows()
    try:
        header_cells = next(iterator)
    except StopIteration:
        reader.fail(sheet, 1, None, "見出し行がありません")
        return
    headers = [str(c.value).strip() if c.value is not None else "" for c in header_cells]
    while headers and headers[-1] == "":
        headers.pop()
    if expected is not None:
        for index, want in enumerate(expected):
            got = headers[index] if index < len(headers) else ""
            if got != want:
                reader.fail(
                    sheet,
                    1,
                    want,
                    f"見出しが違います（「{want}」であるべきところが「{got}」）",
                    index,
                )
        if len(headers) > len(expected):
            reader.fail(sheet, 1, headers[len(expected)], "不明な列があります", len(expected))
        if reader.errors:
            return
    # Empty rows (LibreOffice can pad a sheet with a million) are skipped, never read as data.
    data_rows = 0
    for number, cells in enumerate(iterator, start=2):
        if all(c.value in (None, "") for c in cells):
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            reader.fail(sheet, number, None, f"行数が多すぎます（上限 {MAX_ROWS:,} 行）")
            raise WorkbookError(reader.errors)
        yield _Row(reader, sheet, number, headers, cells)


def workbook_read(content: bytes, plan: Plan | None = None) -> tuple[Plan, PlanData]:
    check_file(content)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any parse failure is "not a workbook"
        raise WorkbookError([f"Excel ブックとして読めません: {type(exc).__name__}"]) from exc
    try:
        return _Parser(wb, plan).parse()
    except WorkbookError:
        raise
    except Exception as exc:  # noqa: BLE001 - a sheet's XML that fails while streamed
        raise WorkbookError([f"Excel ブックとして読めません: {type(exc).__name__}"]) from exc
    finally:
        wb.close()


class _Parser:
    def __init__(self, wb, plan: Plan | None):
        self.wb, self.target, self.r = wb, plan, _Reader()
        self.data = PlanData()

    def parse(self) -> tuple[Plan, PlanData]:
        plan = self._plan_sheet()
        if self.r.errors:
            raise WorkbookError(self.r.errors)
        self.departments = set(
            Department.objects.filter(municipality=plan.municipality).values_list("name", flat=True)
        )
        self.virtual = Plan(
            **{
                k: self.data.plan[k]
                for k in ("baseline_year", "start_year", "end_year", "report_year")
            }
        )
        self._structure_sheet()
        self._project_sheet()
        self._kpi_sheet()
        self._text_sheet()
        if self.r.errors:
            raise WorkbookError(self.r.errors)
        return plan, self.data

    # 計画 --------------------------------------------------------------------------------
    def _plan_sheet(self) -> Plan | None:
        values: dict[str, tuple[object, int]] = {}
        labels = {label: attr for label, attr in L.PLAN_ROWS}
        for row in _rows(self.r, self.wb, L.PLAN, L.PLAN_HEADERS):
            label = row.text("項目")
            if label not in labels:
                row.fail("項目", f"不明な項目です: 「{label}」")
                continue
            values[labels[label]] = (row, row.number)
        if self.r.errors:
            return None
        for label, attr in L.PLAN_ROWS:
            if attr not in values:
                self.r.fail(L.PLAN, None, None, f"項目「{label}」がありません")
        if self.r.errors:
            return None
        get = {attr: row for attr, (row, _) in values.items()}
        slug = get["slug"].text("値", required=True)
        plan = self.target or Plan.objects.filter(slug=slug).select_related("municipality").first()
        if plan is None:
            get["slug"].fail(
                "値", f"計画「{slug}」がありません（先に管理画面で計画を作成してください）"
            )
            return None
        code = get["municipality_code"].text("値")
        if code != plan.municipality.code:
            get["municipality_code"].fail(
                "値", f"取り込み先の計画の自治体（{plan.municipality.code}）と違います"
            )
        for attr in PLAN_FIELDS:
            row = get[attr]
            if attr in L.YEAR_ATTRS:
                value = row.year("値", required=True)
            elif attr in L.MONTH_ATTRS:
                text = row.text("値")
                value = None
                if text:
                    try:
                        value = fiscal.parse_year_month(text)
                    except ValueError as exc:
                        row.fail("値", str(exc))
            elif attr == "status":
                value = row.mark("値", {v: k for k, v in L.STATUS_LABELS.items()})
                if value is None:
                    value = plan.status
            elif attr.startswith("grade_"):
                value = row.integer("値")
            else:
                value = row.text("値", required=attr == "title")
            self.data.plan[attr] = value
        p = self.data.plan
        years = [p[a] for a in ("baseline_year", "start_year", "end_year", "report_year")]
        if None not in years and not (
            p["start_year"] <= p["report_year"] <= p["end_year"]
            and p["baseline_year"] <= p["end_year"]
        ):
            self.r.fail(L.PLAN, None, None, "年度の順序が正しくありません（開始 ≤ 報告 ≤ 終了）")
        return plan

    # 体系 --------------------------------------------------------------------------------
    def _structure_sheet(self) -> None:
        d = self.data
        rows = list(_rows(self.r, self.wb, L.STRUCTURE, L.STRUCTURE_HEADERS))
        for row in rows:
            level = row.text("レベル", required=True)
            if level == L.LEVEL_FIELD:
                number = row.integer("分野")
                if number in d.fields:
                    row.fail("分野", f"分野 {number} が重複しています")
                elif number is not None:
                    d.fields[number] = {"name": row.text("名称", required=True)}
            elif level not in (L.LEVEL_ISSUE, L.LEVEL_CHALLENGE, L.LEVEL_STEP):
                row.fail("レベル", "分野・重点課題・課題・ステップのいずれかにしてください")
        for row in rows:
            level = row.text("レベル")
            if level not in (L.LEVEL_ISSUE, L.LEVEL_CHALLENGE, L.LEVEL_STEP):
                continue
            code = self._issue_code(row, "重点課題")
            if code is None:
                continue
            if level == L.LEVEL_ISSUE:
                field_number = row.integer("分野")
                if field_number is not None and field_number not in d.fields:
                    row.fail("分野", f"分野 {field_number} がありません")
                if field_number is not None and parse_issue_code(code)[0] != field_number:
                    row.fail("重点課題", "コードの分野番号と「分野」列が違います")
                if code in d.issues:
                    row.fail("重点課題", f"重点課題 {code} が重複しています")
                    continue
                department = row.text("主管部局")
                if department and department not in self.departments:
                    row.fail("主管部局", f"登録されていない部局です: 「{department}」")
                d.issues[code] = {
                    "field": field_number,
                    "category": row.text("分類", required=True),
                    "title": row.text("名称", required=True),
                    "situation": row.text("現状・課題"),
                    "actions": row.text("取り組み内容"),
                    "department": department,
                }
        for row in rows:
            level = row.text("レベル")
            if level not in (L.LEVEL_CHALLENGE, L.LEVEL_STEP):
                continue
            code = self._issue_code(row, "重点課題")
            if code is None:
                continue
            if code not in d.issues:
                row.fail("重点課題", f"重点課題 {code} がありません")
                continue
            number = row.integer("課題")
            if number is None:
                continue
            if level == L.LEVEL_CHALLENGE:
                if (code, number) in d.challenges:
                    row.fail("課題", f"課題 {code}-{number} が重複しています")
                d.challenges[(code, number)] = {
                    "title": row.text("名称", required=True),
                    "target_title": row.text("到達像（見出し）"),
                    "target_text": row.text("到達像"),
                }
        for row in rows:
            if row.text("レベル") != L.LEVEL_STEP:
                continue
            code = self._issue_code(row, "重点課題")
            number = row.integer("課題")
            step = row.text("ステップ", required=True)
            if code is None or number is None or not step:
                continue
            if (code, number) not in d.challenges:
                row.fail("課題", f"課題 {code}-{number} がありません")
            elif (code, number, step) in d.steps:
                row.fail("ステップ", f"ステップ {step} が重複しています")
            else:
                d.steps[(code, number, step)] = {"title": row.text("名称", required=True)}

    def _issue_code(self, row: _Row, header: str) -> str | None:
        text = row.text(header, required=True)
        if not text:
            return None
        code = text.split()[0]
        try:
            parse_issue_code(code)
        except ValueError as exc:
            row.fail(header, str(exc))
            return None
        return code

    # プロジェクト -------------------------------------------------------------------------
    def _project_sheet(self) -> None:
        d, plan = self.data, self.virtual
        value_headers = L.value_headers(plan)
        years = plan.value_years
        seen_rows: dict[str, int] = {}
        positions: dict[str, int] = {}
        phase_marks = {v: k for k, v in ProjectPhase.MARKS.items()} | {"": None}
        step_challenges = d.step_challenges()
        for row in _rows(self.r, self.wb, L.PROJECTS, L.project_headers(plan)):
            pid = row.text("PID", required=True)
            code = self._issue_code(row, "DX重点課題")
            if not pid or code is None:
                continue
            if code not in d.issues:
                row.fail("DX重点課題", f"重点課題 {code} がありません")
                continue
            department = row.text("主体部局")
            if department and department not in self.departments:
                row.fail("主体部局", f"登録されていない部局です: 「{department}」")
            steps = tuple(
                sorted(
                    (s.strip() for s in re.split(r"[、,，]", row.text("ステップ")) if s.strip()),
                    key=natural_key,
                )
            )
            for step in steps:
                if (code, step) not in step_challenges:
                    row.fail("ステップ", f"重点課題 {code} にステップ {step} がありません")
            phases = []
            for year, header in zip(plan.period_years, L.phase_headers(plan), strict=True):
                phase = row.mark(header, phase_marks)
                if phase:
                    phases.append((year, phase))
            attrs = {
                "issue": code,
                "name": row.text("名称", required=True),
                "summary": row.text("概要"),
                "department": department,
                "is_leading": row.mark("リーディング", {"○": True, "": False}) or False,
                "in_table": row.mark("別冊掲載", {"○": True, "": False}) or False,
                "steps": steps,
                "phases": tuple(phases),
            }
            if pid in d.projects and d.projects[pid] != attrs:
                row.fail(
                    "PID", f"PID「{pid}」が {seen_rows[pid]}行目と重複しています（内容が違います）"
                )
                continue
            d.projects[pid] = attrs
            seen_rows.setdefault(pid, row.number)
            name = row.text("活動指標")
            if not name:
                continue
            key = ("activity", pid, name)
            if key in d.activities:
                row.fail("活動指標", f"PID「{pid}」の活動指標「{name}」が重複しています")
                continue
            d.activities[key] = {
                "unit": row.text("活動指標の単位"),
                "direction": "higher",
                "formula": row.text("活動指標の算出式"),
                "position": positions.get(pid, 0),
                "baseline_year": None,
                "baseline_value": None,
                "target_year": None,
                "target_value": None,
            }
            positions[pid] = positions.get(pid, 0) + 1
            self._values(row, key, years, value_headers)

    def _values(self, row: _Row, key, years: list[int], headers: list[str]) -> None:
        for n, year in enumerate(years):
            planned = row.value(headers[2 * n])
            actual = row.value(headers[2 * n + 1])
            if planned != (None, "") or actual != (None, ""):
                self.data.values[(key, year)] = (planned[0], planned[1], actual[0], actual[1])

    # KPI ---------------------------------------------------------------------------------
    def _kpi_sheet(self) -> None:
        d, plan = self.data, self.virtual
        years = plan.value_years
        directions = {v: k for k, v in L.DIRECTION_LABELS.items()}
        positions: dict[tuple, int] = {}
        for row in _rows(self.r, self.wb, L.KPIS, L.kpi_headers(plan)):
            ckey = self._challenge_code(row, "課題")
            name = row.text("KPI", required=True)
            if ckey is None or not name:
                continue
            key = ("kpi", *ckey, name)
            if key in d.kpis:
                row.fail("KPI", f"課題 {ckey[0]}-{ckey[1]} の KPI「{name}」が重複しています")
                continue
            direction = row.mark("方向", directions | {"": "higher"}) or "higher"
            baseline_year = row.year("基準年度")
            target_year = row.year("目標年度")
            baseline = row.value("基準値")
            target = row.value("目標値")
            for header, cell in (("基準値", baseline), ("目標値", target)):
                if cell[1]:
                    row.fail(header, "基準値・目標値は数値で入力してください")
            d.kpis[key] = {
                "unit": row.text("単位"),
                "direction": direction,
                "formula": row.text("算出式・設定根拠"),
                "position": positions.get(ckey, 0),
                "baseline_year": baseline_year,
                "baseline_value": baseline[0],
                "target_year": target_year,
                "target_value": target[0],
            }
            positions[ckey] = positions.get(ckey, 0) + 1
            self._values(row, key, years, L.value_headers(plan))
            evaluation = row.text("進捗状況・評価")
            if evaluation:
                d.texts[("evaluation", key, plan.report_year)] = evaluation

    def _challenge_code(self, row: _Row, header: str) -> tuple[str, int] | None:
        text = row.text(header, required=True)
        if not text:
            return None
        code = text.split()[0]
        issue, _, number = code.rpartition("-")
        try:
            parse_issue_code(issue)
            key = (issue, int(number))
        except ValueError:
            row.fail(header, f"課題コードとして読めません: 「{code}」（例: 1-01-1）")
            return None
        if key not in self.data.challenges:
            row.fail(header, f"課題 {code} がありません")
            return None
        return key

    # 文章 --------------------------------------------------------------------------------
    def _text_sheet(self) -> None:
        d, plan = self.data, self.virtual
        kinds = {v: k for k, v in L.TEXT_KINDS.items()}
        allowed_years = set(plan.value_years)
        for row in _rows(self.r, self.wb, L.TEXTS, L.TEXT_HEADERS):
            level = row.text("レベル", required=True)
            kind = row.mark("項目", kinds)
            year = row.year("年度", allowed_years, required=True)
            text = row.text("本文")
            if kind is None or year is None or not text:
                continue
            if level == L.LEVEL_ISSUE and kind in ("goal_summary", "business_summary"):
                code = self._issue_code(row, "コード")
                if code is not None and code not in d.issues:
                    row.fail("コード", f"重点課題 {code} がありません")
                elif code is not None:
                    key = (kind, code, year)
            elif level == L.LEVEL_CHALLENGE and kind == "goal":
                ckey = self._challenge_code(row, "コード")
                key = ("goal", ckey, year) if ckey else None
            elif level == "KPI" and kind == "evaluation":
                ckey = self._challenge_code(row, "コード")
                name = row.text("指標", required=True)
                kpi_key = ("kpi", *ckey, name) if ckey else None
                if kpi_key and kpi_key not in d.kpis:
                    row.fail("指標", f"KPI「{name}」がありません")
                    kpi_key = None
                key = ("evaluation", kpi_key, year) if kpi_key else None
            else:
                row.fail("項目", "レベルと項目の組み合わせが正しくありません")
                continue
            if key is None:
                continue
            if key in d.texts:
                row.fail("本文", "同じ文章が重複しています")
            d.texts[key] = text


def import_refusals(
    user, plan: Plan, current: PlanData, data: PlanData, diff: PlanDiff
) -> list[str]:
    """Why ``user`` may not apply ``diff``: editors change only their own department's rows,
    never the structure, and never a confirmed year. Each refusal names the row."""
    from kpis.locks import locked_years_for
    from strategy import roles
    from strategy.plandata import describe_key

    if roles.is_dx_admin(user):
        return []
    if not roles.is_editor(user):
        return ["取り込みの権限がありません（閲覧のみ）"]
    own = Department.objects.filter(pk=roles.department_id_of(user)).values_list("name", flat=True)
    own = own.first()
    locked = locked_years_for(user, plan)

    def issue_dept(code, snapshot):
        return (snapshot.issues.get(code) or {}).get("department")

    def project_depts(pid):
        return {(snap.projects.get(pid) or {}).get("department") for snap in (current, data)} - {
            None
        }

    def department_ok(collection, key) -> bool:
        if collection == "projects":
            return project_depts(key) <= {own}
        if collection == "activities":
            return project_depts(key[1]) <= {own}
        if collection == "kpis":
            return {issue_dept(key[1], current), issue_dept(key[1], data)} - {None} <= {own}
        if collection == "values":
            return department_ok("activities" if key[0][0] == "activity" else "kpis", key[0])
        if collection == "texts":
            kind, owner, _ = key
            if kind == "evaluation":
                return department_ok("kpis", owner)
            code = owner[0] if kind == "goal" else owner
            return {issue_dept(code, current), issue_dept(code, data)} - {None} <= {own}
        return False  # plan, fields, issues, challenges, steps: the DX division's

    refusals = []
    keys = [(c.collection, c.key, c.sheet, c.label) for c in diff.changed]
    keys += [
        (coll, key, None, describe_key(coll, key)) for coll, key in diff.created + diff.deleted
    ]
    for collection, key, _sheet, label in keys:
        if collection in ("plan", "fields", "issues", "challenges", "steps"):
            refusals.append(f"{label}: 計画・体系の変更は DX推進担当のみが行えます")
        elif not department_ok(collection, key):
            refusals.append(f"{label}: 他の部局（または部局未設定）の行は変更できません")
        elif collection == "values" and key[1] in locked:
            refusals.append(f"{label}: {fiscal.long_label(key[1])}は確定済みのため変更できません")
    return sorted(set(refusals))


def workbook_import(
    content: bytes, *, plan: Plan | None = None, dry_run: bool = False, user=None
) -> ImportResult:
    """Validate a workbook and (unless dry_run) apply it in one transaction.

    With a ``user``, the changes must be ones that user may make (see import_refusals).
    """
    target, data = workbook_read(content, plan)
    with transaction.atomic():
        current = plan_data(target)
        diff = plan_diff(current, data)
        if user is not None:
            refusals = import_refusals(user, target, current, data, diff)
            if refusals:
                raise WorkbookError(
                    ["この内容は取り込めません（何も変更していません）:", *refusals]
                )
        if dry_run:
            return ImportResult(target, diff, applied=False)
        diff = plan_apply(plan=target, data=data, user=user, current=current)
    return ImportResult(target, diff, applied=True)
