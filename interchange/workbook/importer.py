"""Read a whole-plan workbook back into PlanData, validating every cell first.

Every problem is reported as 「シート「…」 N行目 X列（見出し）: what is wrong」 and nothing
is written unless the whole file is valid; then ``plan_apply`` writes it in one transaction.
The file is checked before openpyxl parses it (size, zip structure, expansion ratio) and
openpyxl parses XML through defusedxml, so XML and zip bombs are refused.

Hostile files cost memory in proportion to their size: a cell value is never copied into
more than one message (each quotes at most ``QUOTE`` characters of it), at most
``MAX_PROBLEMS`` problems are listed, and reading stops after ``STOP_AFTER``. Every text
that lands in a model field is checked against that field's ``max_length`` (and every
integer against the column's range) here, in the preview, so applying never meets a
database error.
"""

import itertools
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.db.backends.base.operations import BaseDatabaseOperations

from interchange import formats
from interchange.formats import (
    DATE,
    ERROR,
    FORMULA,
    PERCENT,
    UNREADABLE,
    SheetUnreadable,
)
from interchange.plandata import (
    FIELD_ATTRS,
    PLAN_FIELDS,
    PlanData,
    PlanDiff,
    layout_names,
    normalize_aliases,
    parse_issue_code,
)
from interchange.workbook import layout as L
from kpis.models import Indicator
from kpis.values import InvalidValue, parse_value
from projects.models import Project, ProjectPhase, split_aliases
from strategy import fiscal
from strategy.models import (
    Challenge,
    Department,
    Field,
    Municipality,
    Plan,
    PriorityIssue,
    Step,
)
from strategy.naturalsort import natural_key

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_TEXT = 10_000  # text columns without a database limit (概要, 本文, …)
SHORT_TEXT = 100  # codes, marks, years and labels that are looked up, never stored as typed
VALUE_TEXT = 100  # a number or a mark typed as text is never longer
MAX_ROWS = 300_000  # data rows per sheet; a 100x plan has ~11,000
MAX_PROBLEMS = 200  # problems listed; the rest are counted
STOP_AFTER = 10_000  # problems found before reading stops
QUOTE = 50  # characters of a cell value quoted in a message
MAX_MESSAGE = 300  # characters of one message, whatever it quotes

ModelField = tuple[type, str]  # (model, field name): where a cell's text is stored


@cache
def max_length(model: type, name: str) -> int:
    """The model field's max_length: the one source of every length limit."""
    return model._meta.get_field(name).max_length


@cache
def integer_range(model: type, name: str) -> tuple[int, int]:
    """The range every database accepts for the model's integer field (PostgreSQL's)."""
    internal = model._meta.get_field(name).get_internal_type()
    return BaseDatabaseOperations.integer_field_ranges[internal]


def clip(value, limit: int = QUOTE) -> str:
    """A cell value as quoted in a message: at most ``limit`` characters, then 「…」."""
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _shorten(message: str, value: str) -> str:
    """A message from a parser that quotes ``value`` whole, with the value clipped."""
    return message.replace(value, clip(value)) if len(value) > QUOTE else message


def _too_long(length: int, limit: int) -> str:
    return f"長すぎます（{length:,} 文字、上限 {limit:,} 文字）"


def _not_finite(text: str) -> str:
    return f"数値が有限の数ではありません（NaN・無限大は使えません）: 「{clip(text)}」"


class WorkbookError(Exception):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class ImportResult:
    plan: Plan
    diff: PlanDiff
    applied: bool
    data: PlanData | None = None  # what the file says (for the preview's warnings)


NOT_XLSX = "Excel ブック（.xlsx）ではありません"


def check_file(content: bytes) -> None:
    """Refuse what is not a reasonable .xlsx before any XML is parsed."""
    try:
        with formats.checked_zip(content, NOT_XLSX) as archive:
            names = set(archive.namelist())
    except formats.Refused as exc:
        raise WorkbookError([str(exc)]) from exc
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise WorkbookError([NOT_XLSX])


@dataclass
class _Reader:
    """Collects problems: the first MAX_PROBLEMS word for word, the rest only counted."""

    errors: list[str] = field(default_factory=list)
    omitted: int = 0

    @property
    def found(self) -> int:
        return len(self.errors) + self.omitted

    def fail(
        self,
        sheet: str,
        row: int | None,
        header: str | None,
        message: str,
        column: int | None = None,
    ) -> None:
        if len(self.errors) >= MAX_PROBLEMS:
            self.omitted += 1
            if self.found >= STOP_AFTER:
                raise WorkbookError(self.report(stopped=True))
            return
        where = f"シート「{sheet}」"
        if row is not None:
            where += f" {row}行目"
        if header is not None:
            letter = f"{L.column_letter(column)}列" if column is not None else ""
            where += f" {letter}（{clip(header)}）"
        self.errors.append(f"{where}: {clip(message, MAX_MESSAGE)}")

    def report(self, *, stopped: bool = False) -> list[str]:
        """The problems as listed to the user, with one closing line for those left out."""
        if stopped:
            return self.errors + [
                f"問題が多すぎるため、{self.found:,} 件目で読み込みを中止しました"
                f"（最初の {MAX_PROBLEMS:,} 件のみ表示し、ほかの {self.omitted:,} 件は省略）"
            ]
        if self.omitted:
            return self.errors + [
                f"ほかに {self.omitted:,} 件の問題が見つかりました"
                f"（最初の {MAX_PROBLEMS:,} 件のみ表示し、残りは省略しました）"
            ]
        return list(self.errors)


class _Row:
    """One sheet row with its cells by header; converts and validates cell by cell.

    The same problem of the same cell is reported once, however often the cell is read.
    """

    def __init__(self, reader: _Reader, sheet: str, number: int, index: dict[str, int], cells):
        self.r, self.sheet, self.number, self.index = reader, sheet, number, index
        self.cells = cells  # column index → formats.Cell, for the sheet's known columns only
        self.failed: set[tuple[str, str]] = set()

    def fail(self, header: str, message: str) -> None:
        if (header, message) in self.failed:
            return
        self.failed.add((header, message))
        self.r.fail(self.sheet, self.number, header, message, self.index.get(header))

    def _cell(self, header: str):
        column = self.index.get(header)
        return None if column is None else self.cells.get(column)

    def _raw(self, header: str):
        cell = self._cell(header)
        if cell is None:
            return None
        if cell.kind == FORMULA:
            self.fail(header, "数式は使えません（値を入力してください）")
            return None
        value = cell.value
        if cell.kind == UNREADABLE:
            self.fail(header, value)
            return None
        if cell.kind == ERROR:
            self.fail(header, f"エラー値のセルです: 「{clip(value)}」")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(header, _not_finite(str(value)))
            return None
        if cell.kind == DATE:
            self.fail(header, "日付として入力されています。文字列または数値で入力してください")
            return None
        return value

    def text(
        self,
        header: str,
        *,
        required: bool = False,
        field: ModelField | None = None,
        limit: int = MAX_TEXT,
    ) -> str:
        """The cell as text. ``field`` names the model field the text is stored in: its
        max_length is the limit. Over-long text is refused before it is copied or scanned."""
        if field is not None:
            limit = max_length(*field)
        value = self._raw(header)
        if value is None:
            text = ""
        elif isinstance(value, str):
            if len(value) > limit and not (value[0].isspace() or value[-1].isspace()):
                self.fail(header, _too_long(len(value), limit))
                return ""
            text = value.strip()
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))
        else:
            text = str(value).strip()
        if len(text) > limit:
            self.fail(header, _too_long(len(text), limit))
            return ""
        if CONTROL.search(text):
            self.fail(header, "制御文字が含まれています")
            return ""
        if required and not text:
            self.fail(header, "必須です")
        return text

    def integer(self, header: str, field: ModelField, *, required: bool = True) -> int | None:
        """A whole number within the range of the model field it is stored in."""
        value = self._raw(header)
        if isinstance(value, str):
            if len(value) > SHORT_TEXT:
                self.fail(header, f"整数で入力してください: 「{clip(value)}」")
                return None
            value = value.strip() or None
        if value is None:
            if required:
                self.fail(header, "必須です")
            return None
        text = str(value)
        number = None
        if not isinstance(value, bool):
            try:
                number = Decimal(text)
            except (ValueError, ArithmeticError):
                number = None
        if number is not None and not number.is_finite():
            self.fail(header, _not_finite(text))
            return None
        if number is None or number != number.to_integral_value():
            self.fail(header, f"整数で入力してください: 「{clip(text)}」")
            return None
        return self.in_range(header, number, field)

    def in_range(self, header: str, number, field: ModelField) -> int | None:
        low, high = integer_range(*field)
        if not low <= number <= high:
            self.fail(header, f"{low:,}～{high:,} の範囲にしてください: 「{clip(number)}」")
            return None
        return int(number)

    def year(self, header: str, allowed: set[int] | None = None, *, required: bool = False):
        value = self.text(header, limit=SHORT_TEXT)
        if not value:
            if required:
                self.fail(header, "必須です")
            return None
        try:
            year = fiscal.parse_year(value)
        except ValueError as exc:
            self.fail(header, _shorten(str(exc), value))
            return None
        if allowed is not None and year not in allowed:
            self.fail(header, f"{fiscal.short_label(year)} は計画の年度範囲外です")
            return None
        return year

    def value(self, header: str) -> tuple[Decimal | None, str]:
        """A yearly value: a number or a mark (kpis.values.parse_value)."""
        raw = self._raw(header)
        if isinstance(raw, str):
            if len(raw) > VALUE_TEXT:  # never a number or a mark: not worth normalising
                self.fail(
                    header,
                    f"数値でも記号でもありません（{len(raw):,} 文字の文字列）: 「{clip(raw)}」",
                )
                return None, ""
            raw = raw.strip()
        try:
            number, mark = parse_value(raw)
        except InvalidValue as exc:
            self.fail(header, _shorten(str(exc), str(raw)))
            return None, ""
        if number is not None and self._cell(header).kind == PERCENT:
            # a percent cell holds the fraction (45 % typed, or 0.45 in a percent cell)
            number = (number * 100).quantize(Decimal("1e-10")).normalize()
            try:
                number, mark = parse_value(number)  # still within the column's digits
            except InvalidValue as exc:
                self.fail(header, _shorten(str(exc), str(number)))
                return None, ""
        return number, mark

    def phase(self, header: str) -> str | None:
        """A 実施年度 mark, read with the one vocabulary the YAML loader uses too
        (ProjectPhase.phase_for_mark: ○ ⇒ … and the spellings people type, → ...)."""
        value = self.text(header, limit=SHORT_TEXT)
        if not value:
            return None
        try:
            return ProjectPhase.phase_for_mark(value)
        except ValueError as exc:
            self.fail(header, _shorten(str(exc), value))
            return None

    def mark(self, header: str, allowed: dict[str, object]):
        value = self.text(header, limit=SHORT_TEXT)
        if value and value not in allowed:
            self.fail(
                header,
                f"{'・'.join(k for k in allowed if k)} のいずれかにしてください: 「{clip(value)}」",
            )
            return None
        return allowed.get(value)


def _rows(
    reader: _Reader,
    book,
    sheet: str,
    expected: list[str],
    missing: set[str] | None = None,
):
    """Yield _Row for each non-empty row; check the header row.

    A file may end before trailing columns of ``L.OPTIONAL_COLUMNS`` (added after the first
    workbooks were handed out): those are added to ``missing`` and read as absent cells.
    """
    if sheet not in book.sheetnames:
        reader.fail(sheet, None, None, "シートがありません")
        return
    if not book.is_worksheet(sheet):
        reader.fail(sheet, None, None, "ワークシートではありません（グラフシートなど）")
        return
    rows = source = book.rows(sheet)
    try:
        first = next(rows, None)
        if first is None:
            reader.fail(sheet, 1, None, "見出し行がありません")
            return
        header_cells = first[1]
        if first[0] != 1:  # no row 1: every header is missing
            rows, header_cells = itertools.chain([first], rows), {}
        by_column = {n: c.value for n, c in header_cells.items()}
        headers = [str(by_column.get(n, "")).strip() for n in range(max(by_column, default=-1) + 1)]
        while headers and headers[-1] == "":
            headers.pop()
        tail = expected[len(headers) :]
        if tail and all(h in L.OPTIONAL_COLUMNS for h in tail):
            expected = expected[: len(headers)]  # an older workbook: the new columns are absent
            if missing is not None:
                missing.update(tail)
        for index, want in enumerate(expected):
            got = headers[index] if index < len(headers) else ""
            if got != want:
                reader.fail(
                    sheet,
                    1,
                    want,
                    f"見出しが違います（「{want}」であるべきところが「{clip(got)}」）",
                    index,
                )
        if len(headers) > len(expected):
            reader.fail(sheet, 1, headers[len(expected)], "不明な列があります", len(expected))
        if reader.errors:
            return
        index = {h: i for i, h in enumerate(expected)}
        width = len(expected)
        # Empty rows (LibreOffice can pad a sheet with a million) are skipped, never read as data.
        data_rows = 0
        for number, cells in rows:
            if not cells:
                continue
            data_rows += 1
            if data_rows > MAX_ROWS:
                reader.fail(sheet, number, None, f"行数が多すぎます（上限 {MAX_ROWS:,} 行）")
                raise WorkbookError(reader.report(stopped=True))
            yield _Row(reader, sheet, number, index, {c: v for c, v in cells.items() if c < width})
    except SheetUnreadable as exc:
        reader.fail(sheet, None, None, str(exc))
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()  # the sheet's stream, also when reading stops early


def workbook_read(
    content: bytes, plan: Plan | None = None, *, filename: str = ""
) -> tuple[Plan, PlanData]:
    """Read a whole-plan workbook in any format of ``interchange.formats.FORMATS``."""
    limit = settings.DXPLAN_IMPORT_MAX_BYTES
    if len(content) > limit:
        raise WorkbookError(
            [f"ファイルが大きすぎます（{len(content):,} バイト、上限 {limit:,} バイト）"]
        )
    try:
        fmt = formats.sniff(content, filename)
    except ValueError as exc:
        raise WorkbookError([str(exc)]) from exc
    if fmt.name == "xlsx":
        check_file(content)
    try:
        book = fmt.open(content)
    except WorkbookError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parse failure is "not a workbook"
        raise WorkbookError([f"{fmt.label}として読めません: {type(exc).__name__}"]) from exc
    try:
        return _Parser(book, plan).parse()
    except WorkbookError:
        raise
    except Exception as exc:  # noqa: BLE001 - a sheet's XML that fails while streamed
        raise WorkbookError([f"{fmt.label}として読めません: {type(exc).__name__}"]) from exc
    finally:
        book.close()


class _Parser:
    def __init__(self, wb, plan: Plan | None):
        self.wb, self.target, self.r = wb, plan, _Reader()
        self.data = PlanData()
        self.plan: Plan | None = None
        self._stored: PlanData | None = None

    def stored(self) -> PlanData:
        """The target plan's field texts and PID aliases as stored: what a column missing
        from an older workbook keeps (read once, and only when a column is missing)."""
        if self._stored is None:
            self._stored = PlanData()
            fields = Field.objects.filter(plan=self.plan).values_list("number", *FIELD_ATTRS)
            for number, *texts in fields:
                self._stored.fields[number] = dict(zip(FIELD_ATTRS, texts, strict=True))
            projects = Project.objects.filter(plan=self.plan).values_list("pid", "aliases")
            for pid, aliases in projects:
                self._stored.projects[pid] = {"aliases": normalize_aliases(aliases)}
        return self._stored

    def parse(self) -> tuple[Plan, PlanData]:
        plan = self.plan = self._plan_sheet()
        if self.r.errors:
            raise WorkbookError(self.r.report())
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
            raise WorkbookError(self.r.report())
        return plan, self.data

    # 計画 --------------------------------------------------------------------------------
    def _plan_sheet(self) -> Plan | None:
        values: dict[str, tuple[object, int]] = {}
        labels = {label: attr for label, attr in L.PLAN_ROWS}
        for row in _rows(self.r, self.wb, L.PLAN, L.PLAN_HEADERS):
            label = row.text("項目", limit=SHORT_TEXT)
            if label not in labels:
                row.fail("項目", f"不明な項目です: 「{clip(label)}」")
                continue
            values[labels[label]] = (row, row.number)
        if self.r.errors:
            return None
        for label, attr in L.PLAN_ROWS:
            if attr not in values and attr not in L.OPTIONAL_PLAN_ATTRS:
                self.r.fail(L.PLAN, None, None, f"項目「{label}」がありません")
        if self.r.errors:
            return None
        get = {attr: row for attr, (row, _) in values.items()}
        slug = get["slug"].text("値", required=True, field=(Plan, "slug"))
        plan = self.target or Plan.objects.filter(slug=slug).select_related("municipality").first()
        if plan is None:
            get["slug"].fail(
                "値",
                f"計画「{clip(slug)}」がありません（先に管理画面で計画を作成してください）",
            )
            return None
        code = get["municipality_code"].text("値", field=(Municipality, "code"))
        if code != plan.municipality.code:
            get["municipality_code"].fail(
                "値", f"取り込み先の計画の自治体（{plan.municipality.code}）と違います"
            )
        for attr in PLAN_FIELDS:
            row = get.get(attr)
            if row is None:  # a row added since the file was written: keep the plan's value
                self.data.plan[attr] = getattr(plan, attr)
                continue
            if attr in L.YEAR_ATTRS:
                value = row.year("値", required=True)
            elif attr in L.MONTH_ATTRS:
                text = row.text("値", limit=SHORT_TEXT)
                value = None
                if text:
                    try:
                        value = fiscal.parse_year_month(text)
                    except ValueError as exc:
                        row.fail("値", _shorten(str(exc), text))
            elif attr == "status":
                value = row.mark("値", {v: k for k, v in L.STATUS_LABELS.items()})
                if value is None:
                    value = plan.status
            elif attr == "layout":
                value = self._layout(row) or plan.layout
            elif attr.startswith("grade_"):
                value = row.integer("値", (Plan, attr))
            else:  # title, labels and texts: required where the model field may not be blank
                model_field = Plan._meta.get_field(attr)
                value = row.text(
                    "値",
                    required=not model_field.blank,
                    field=(Plan, attr) if model_field.max_length is not None else None,
                )
            self.data.plan[attr] = value
        p = self.data.plan
        years = [p[a] for a in ("baseline_year", "start_year", "end_year", "report_year")]
        if None not in years and not (
            p["start_year"] <= p["report_year"] <= p["end_year"]
            and p["baseline_year"] <= p["end_year"]
        ):
            self.r.fail(L.PLAN, None, None, "年度の順序が正しくありません（開始 ≤ 報告 ≤ 終了）")
        achieved, on_track = p["grade_achieved_percent"], p["grade_on_track_percent"]
        if achieved is not None and on_track is not None and on_track > achieved:
            get["grade_on_track_percent"].fail(
                "値", "「概ね順調」の基準は「達成」の基準以下にしてください"
            )
        return plan

    def _layout(self, row: _Row) -> str | None:
        """文書の形式: the layout's name as exported, its key (execution, promotion), or the
        name's short form before 「（」 (実行計画, 推進計画). Empty keeps the plan's."""
        text = row.text("値", limit=SHORT_TEXT)
        if not text:
            return None
        names = layout_names()
        allowed = {}
        for key, name in names.items():
            allowed.update({key: key, name: key, name.split("（")[0]: key})
        if text not in allowed:
            choices = "・".join(f"「{name}」" for name in names.values())
            row.fail(
                "値",
                f"文書の形式は {choices} のいずれかにしてください"
                f"（{'・'.join(names)} も使えます）: 「{clip(text)}」",
            )
            return None
        return allowed[text]

    # 体系 --------------------------------------------------------------------------------
    def _structure_sheet(self) -> None:
        d = self.data
        missing: set[str] = set()
        rows = list(_rows(self.r, self.wb, L.STRUCTURE, L.STRUCTURE_HEADERS, missing))
        for row in rows:
            level = row.text("レベル", required=True, limit=SHORT_TEXT)
            if level == L.LEVEL_FIELD:
                number = row.integer("分野", (Field, "number"))
                if number in d.fields:
                    row.fail("分野", f"分野 {number} が重複しています")
                elif number is not None:
                    d.fields[number] = {
                        "name": row.text("名称", required=True, field=(Field, "name")),
                        **self._field_texts(row, number, missing),
                    }
            elif level not in (L.LEVEL_ISSUE, L.LEVEL_CHALLENGE, L.LEVEL_STEP):
                row.fail("レベル", "分野・重点課題・課題・ステップのいずれかにしてください")
            else:
                for header in L.FIELD_TEXT_COLUMNS:
                    if header not in missing and row.text(header):
                        row.fail(header, f"「{L.LEVEL_FIELD}」の行にだけ入力できます")
        for row in rows:
            level = row.text("レベル", limit=SHORT_TEXT)
            if level not in (L.LEVEL_ISSUE, L.LEVEL_CHALLENGE, L.LEVEL_STEP):
                continue
            code = self._issue_code(row, "重点課題")
            if code is None:
                continue
            if level == L.LEVEL_ISSUE:
                field_number = row.integer("分野", (Field, "number"))
                if field_number is not None and field_number not in d.fields:
                    row.fail("分野", f"分野 {field_number} がありません")
                if field_number is not None and parse_issue_code(code)[0] != field_number:
                    row.fail("重点課題", "コードの分野番号と「分野」列が違います")
                if code in d.issues:
                    row.fail("重点課題", f"重点課題 {code} が重複しています")
                    continue
                department = row.text("主管部局", field=(Department, "name"))
                if department and department not in self.departments:
                    row.fail("主管部局", f"登録されていない部局です: 「{clip(department)}」")
                d.issues[code] = {
                    "field": field_number,
                    "category": row.text("分類", required=True, field=(PriorityIssue, "category")),
                    "title": row.text("名称", required=True, field=(PriorityIssue, "title")),
                    "situation": row.text("現状・課題"),
                    "actions": row.text("取り組み内容"),
                    "department": department,
                }
        for row in rows:
            level = row.text("レベル", limit=SHORT_TEXT)
            if level not in (L.LEVEL_CHALLENGE, L.LEVEL_STEP):
                continue
            code = self._issue_code(row, "重点課題")
            if code is None:
                continue
            if code not in d.issues:
                row.fail("重点課題", f"重点課題 {code} がありません")
                continue
            number = row.integer("課題", (Challenge, "number"))
            if number is None:
                continue
            if level == L.LEVEL_CHALLENGE:
                if (code, number) in d.challenges:
                    row.fail("課題", f"課題 {code}-{number} が重複しています")
                d.challenges[(code, number)] = {
                    "title": row.text("名称", required=True, field=(Challenge, "title")),
                    "target_title": row.text("到達像（見出し）", field=(Challenge, "target_title")),
                    "target_text": row.text("到達像"),
                }
        for row in rows:
            if row.text("レベル", limit=SHORT_TEXT) != L.LEVEL_STEP:
                continue
            code = self._issue_code(row, "重点課題")
            number = row.integer("課題", (Challenge, "number"))
            step = row.text("ステップ", required=True, field=(Step, "code"))
            if code is None or number is None or not step:
                continue
            if (code, number) not in d.challenges:
                row.fail("課題", f"課題 {code}-{number} がありません")
            elif (code, number, step) in d.steps:
                row.fail("ステップ", f"ステップ {clip(step)} が重複しています")
            else:
                d.steps[(code, number, step)] = {
                    "title": row.text("名称", required=True, field=(Step, "title"))
                }

    def _field_texts(self, row: _Row, number: int, missing: set[str]) -> dict[str, str]:
        """The 分野-only columns; a column the file does not have keeps the stored text."""
        out = {}
        for header, attr in L.FIELD_TEXT_COLUMNS.items():
            if header in missing:
                out[attr] = self.stored().fields.get(number, {}).get(attr, "")
            elif max_length(Field, attr) is not None:
                out[attr] = row.text(header, field=(Field, attr))
            else:
                out[attr] = row.text(header)
        return out

    def _issue_code(self, row: _Row, header: str) -> str | None:
        text = row.text(header, required=True)
        if not text:
            return None
        code = text.split()[0]
        try:
            field_number, kind, number = parse_issue_code(code)
        except ValueError:
            row.fail(header, f"重点課題コードとして読めません: 「{clip(code)}」（例: 1-01）")
            return None
        if (
            row.in_range(header, field_number, (Field, "number")) is None
            or row.in_range(header, number, (PriorityIssue, "number")) is None
        ):
            return None
        return code

    # プロジェクト -------------------------------------------------------------------------
    def _project_sheet(self) -> None:
        d, plan = self.data, self.virtual
        value_headers = L.value_headers(plan)
        years = plan.value_years
        seen_rows: dict[str, int] = {}
        first_rows: dict[str, _Row] = {}
        positions: dict[str, int] = {}
        step_challenges = d.step_challenges()
        missing: set[str] = set()
        for row in _rows(self.r, self.wb, L.PROJECTS, L.project_headers(plan), missing):
            pid = row.text("PID", required=True, field=(Project, "pid"))
            code = self._issue_code(row, "DX重点課題")
            if not pid or code is None:
                continue
            if code not in d.issues:
                row.fail("DX重点課題", f"重点課題 {code} がありません")
                continue
            department = row.text("主体部局", field=(Department, "name"))
            if department and department not in self.departments:
                row.fail("主体部局", f"登録されていない部局です: 「{clip(department)}」")
            steps = tuple(
                sorted(
                    (s.strip() for s in re.split(r"[、,，]", row.text("ステップ")) if s.strip()),
                    key=natural_key,
                )
            )
            for step in steps:
                if (code, step) not in step_challenges:
                    row.fail("ステップ", f"重点課題 {code} にステップ {clip(step)} がありません")
            phases = []
            for year, header in zip(plan.period_years, L.phase_headers(plan), strict=True):
                phase = row.phase(header)
                if phase:
                    phases.append((year, phase))
            if L.ALIASES in missing:  # an older workbook: keep the stored aliases
                aliases = self.stored().projects.get(pid, {}).get("aliases", "")
            else:
                aliases = normalize_aliases(row.text(L.ALIASES, field=(Project, "aliases")))
            attrs = {
                "aliases": aliases,
                "issue": code,
                "name": row.text("名称", required=True, field=(Project, "name")),
                "summary": row.text("概要"),
                "department": department,
                "is_leading": row.mark("リーディング", {"○": True, "": False}) or False,
                "in_table": row.mark("別冊掲載", {"○": True, "": False}) or False,
                "steps": steps,
                "phases": tuple(phases),
            }
            if pid in d.projects and d.projects[pid] != attrs:
                row.fail(
                    "PID",
                    f"PID「{clip(pid)}」が {seen_rows[pid]}行目と重複しています（内容が違います）",
                )
                continue
            d.projects[pid] = attrs
            seen_rows.setdefault(pid, row.number)
            first_rows.setdefault(pid, row)
            name = row.text("活動指標", field=(Indicator, "name"))
            if not name:
                continue
            key = ("activity", pid, name)
            if key in d.activities:
                row.fail(
                    "活動指標", f"PID「{clip(pid)}」の活動指標「{clip(name)}」が重複しています"
                )
                continue
            position = row.in_range("活動指標", positions.get(pid, 0), (Indicator, "position"))
            if position is None:
                continue
            d.activities[key] = {
                "unit": row.text("活動指標の単位", field=(Indicator, "unit")),
                "direction": "higher",
                "formula": row.text("活動指標の算出式"),
                "position": position,
                "baseline_year": None,
                "baseline_value": None,
                "target_year": None,
                "target_value": None,
            }
            positions[pid] = positions.get(pid, 0) + 1
            self._values(row, key, years, value_headers)
        self._check_aliases(first_rows)

    def _check_aliases(self, first_rows: dict[str, _Row]) -> None:
        """A PID の別表記 names one project only: never a PID of the plan (its own
        included), never another project's 別表記."""
        seen: dict[str, str] = {}
        for pid, attrs in self.data.projects.items():
            row = first_rows[pid]
            for alias in split_aliases(attrs["aliases"]):
                if alias == pid:
                    row.fail(L.ALIASES, f"別表記「{clip(alias)}」が PID と同じです")
                elif alias in self.data.projects:
                    row.fail(
                        L.ALIASES,
                        f"別表記「{clip(alias)}」はほかのプロジェクトの PID です"
                        f"（{first_rows[alias].number}行目）",
                    )
                elif alias in seen:
                    row.fail(
                        L.ALIASES,
                        f"別表記「{clip(alias)}」は PID「{clip(seen[alias])}」の別表記でもあります",
                    )
                else:
                    seen[alias] = pid

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
            name = row.text("KPI", required=True, field=(Indicator, "name"))
            if ckey is None or not name:
                continue
            key = ("kpi", *ckey, name)
            if key in d.kpis:
                row.fail("KPI", f"課題 {ckey[0]}-{ckey[1]} の KPI「{clip(name)}」が重複しています")
                continue
            position = row.in_range("KPI", positions.get(ckey, 0), (Indicator, "position"))
            if position is None:
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
                "unit": row.text("単位", field=(Indicator, "unit")),
                "direction": direction,
                "formula": row.text("算出式・設定根拠"),
                "position": position,
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
            row.fail(header, f"課題コードとして読めません: 「{clip(code)}」（例: 1-01-1）")
            return None
        if key not in self.data.challenges:
            row.fail(header, f"課題 {clip(code)} がありません")
            return None
        return key

    # 文章 --------------------------------------------------------------------------------
    def _text_sheet(self) -> None:
        d, plan = self.data, self.virtual
        kinds = {v: k for k, v in L.TEXT_KINDS.items()}
        allowed_years = set(plan.value_years)
        for row in _rows(self.r, self.wb, L.TEXTS, L.TEXT_HEADERS):
            level = row.text("レベル", required=True, limit=SHORT_TEXT)
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
                name = row.text("指標", required=True, field=(Indicator, "name"))
                kpi_key = ("kpi", *ckey, name) if ckey else None
                if kpi_key and kpi_key not in d.kpis:
                    row.fail("指標", f"KPI「{clip(name)}」がありません")
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
    """Why ``user`` may not apply ``diff``, one line per refused row (empty: all allowed).

    Each created, changed or deleted row is put to the policy (strategy/policy.py) as the
    model row it is, as stored and as it would be saved, the same questions the admin asks.
    Departments are the plan's municipality's, looked up by name within it.
    """
    from interchange.plandata import describe_key
    from kpis.models import ConfirmedYear, IndicatorEvaluation, IndicatorValue
    from strategy import policy
    from strategy.models import ChallengeGoal, IssueYearText

    reason = policy.decide(user, policy.WORKBOOK_IMPORT, plan)
    if reason:
        return [f"取り込みの権限がありません: {reason}"]
    if policy.actor(user).is_dx_admin:
        return []
    department_ids = dict(
        Department.objects.filter(municipality_id=plan.municipality_id).values_list("name", "id")
    )
    confirmed = ConfirmedYear.objects.years_of(plan)
    labels = {
        "plan": Plan,
        "fields": "strategy.field",
        "issues": PriorityIssue,
        "challenges": "strategy.challenge",
        "steps": Step,
        "projects": Project,
        "kpis": Indicator,
        "activities": Indicator,
        "values": IndicatorValue,
    }
    texts = {
        "evaluation": IndicatorEvaluation,
        "goal": ChallengeGoal,
        "goal_summary": IssueYearText,
        "business_summary": IssueYearText,
    }

    def label_of(model) -> str:
        return model if isinstance(model, str) else model._meta.label_lower

    def issue_department(snapshot: PlanData, code):
        return (snapshot.issues.get(code) or {}).get("department")

    def department_name(snapshot: PlanData, collection: str, key):
        """The owning department's name of a row in one snapshot (None: none / absent)."""
        if collection == "projects":
            return (snapshot.projects.get(key) or {}).get("department")
        if collection == "activities":
            return department_name(snapshot, "projects", key[1])
        if collection == "kpis":
            return issue_department(snapshot, key[1])
        if collection == "values":
            owner = key[0]
            return department_name(
                snapshot, "activities" if owner[0] == "activity" else "kpis", owner
            )
        if collection == "texts":
            kind, owner, _year = key
            if kind == "evaluation":
                return department_name(snapshot, "kpis", owner)
            return issue_department(snapshot, owner[0] if kind == "goal" else owner)
        return None

    def row(collection: str, key, snapshot: PlanData, *, phases: bool = False) -> policy.Row:
        if collection == "texts":
            model = texts[key[0]]
        elif phases:
            model = ProjectPhase
        else:
            model = labels[collection]
        name = department_name(snapshot, collection, key)
        year = key[1] if collection == "values" else None
        return policy.Row(
            label=label_of(model),
            municipality_id=plan.municipality_id,
            # a name the municipality does not have owns nothing (refused for editors)
            department_id=department_ids.get(name, -1) if name else None,
            plan_id=plan.pk,
            locked_year=year if year in confirmed else None,
        )

    refusals = []

    def ask(action: str, collection: str, key, label: str, *, phases: bool = False) -> None:
        snapshots = {"add": (data,), "delete": (current,)}.get(action, (current, data))
        for snapshot in snapshots:
            reason = policy.decide(user, action, row(collection, key, snapshot, phases=phases))
            if reason:
                refusals.append(f"{label}: {reason}")
                return

    for collection, key in diff.created:
        ask(policy.ADD, collection, key, describe_key(collection, key))
    for collection, key in diff.deleted:
        ask(policy.DELETE, collection, key, describe_key(collection, key))
    for change in diff.changed:
        if change.collection == "projects" and change.attribute == "phases":
            ask(policy.CHANGE, "projects", change.key, change.label, phases=True)
            continue
        before = len(refusals)
        ask(policy.CHANGE, change.collection, change.key, change.label)
        if len(refusals) == before and change.collection not in ("values", "texts"):
            model = Indicator if change.collection in ("kpis", "activities") else None
            model = model or labels.get(change.collection)
            reason = policy.field_refusal(user, label_of(model), [change.attribute])
            if reason:
                refusals.append(f"{change.label}: {reason}")
    refusals = sorted(set(refusals))
    if len(refusals) > MAX_PROBLEMS:
        omitted = len(refusals) - MAX_PROBLEMS
        refusals = refusals[:MAX_PROBLEMS] + [
            f"（ほかに {omitted:,} 行が同じ理由で取り込めません）"
        ]
    return refusals


def workbook_import(
    content: bytes, *, plan: Plan | None = None, dry_run: bool = False, user=None
) -> ImportResult:
    """``interchange.services.plan_import`` under the name the tests and bench scripts use."""
    from interchange.services import plan_import

    return plan_import(plan=plan, data=content, user=user, dry_run=dry_run)
