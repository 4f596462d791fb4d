"""Consistency warnings: what looks wrong inside a plan, without refusing it.

``plan_warnings(data, plan)`` reads a ``PlanData`` snapshot (from the database with
``plan_data`` or from an uploaded workbook) and lists, in the order of the workbook's sheets
and rows:

- PIDs whose classification prefix (観光 in 観光1-1-4) differs from the other projects of the
  same 重点課題, or belongs to another 重点課題;
- PIDs whose step part (1-1 in 観光1-1-4, 3-a-2 in 観光3-a-2-1, 2-a-1/2 in 農水2-a-1/2-1)
  does not name the project's steps;
- the same PID printed for two projects (equal once a trailing ② or full-width digits are
  normalised);
- planned values (and base → target) moving against the indicator's direction;
- activity values (other than empty, 0 and －) in years where the project has no 実施年度
  phase;
- steps without projects;
- indicators without a unit (unless all their values are marks such as 実施済).

One pass over each collection: no queries, O(size of the plan) apart from sorting the
warnings themselves.
"""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from interchange.plandata import PlanData, describe_key, parse_issue_code
from interchange.workbook import layout as L
from kpis.values import Mark, display_number
from strategy import fiscal
from strategy.models import PriorityIssue
from strategy.naturalsort import natural_key

LIMIT = 500

# kind code → Japanese label, in the order the counts are shown.
KINDS = {
    "pid_category": "PID の分類が重点課題と不一致",
    "pid_step": "PID とステップの不一致",
    "duplicate_pid": "PID の重複",
    "direction": "方向と逆に動く予定値",
    "outside_phases": "実施年度のない年度の値",
    "empty_step": "プロジェクトのないステップ",
    "no_unit": "単位のない指標",
}
_KIND_ORDER = {k: n for n, k in enumerate(KINDS)}
_SHEET_ORDER = {s: n for n, s in enumerate(L.SHEETS)}
_ISSUE_KIND_ORDER = {k: n for n, k in enumerate(PriorityIssue.Kind.values)}

# The demo's own disambiguation of duplicated identifiers: a trailing ① … ⑳ (fixtures/NOTES.md).
_CIRCLED_SUFFIX = re.compile(r"[\u2460-\u2473]+$")
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−ｰ"})
_FIRST_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class PlanWarning:
    kind: str  # a key of KINDS
    sheet: str  # the workbook sheet where the row is fixed (interchange.workbook.layout)
    label: str  # the row, as plandata.describe_key names it
    message: str  # Japanese

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


class PlanWarnings(list):
    """The first ``limit`` warnings; ``total``/``omitted`` and ``counts`` cover all of them."""

    def __init__(self, items, total: int, counts: dict[str, int]):
        super().__init__(items)
        self.total = total
        self.omitted = total - len(items)
        self.counts = counts

    @property
    def kind_counts(self) -> list[tuple[str, str, int]]:
        """(kind, label, count) for every kind, zeros included, in KINDS order."""
        return [(kind, label, self.counts.get(kind, 0)) for kind, label in KINDS.items()]


def plan_warnings(data: PlanData, plan=None, *, limit: int = LIMIT) -> PlanWarnings:
    """Consistency warnings of ``data``; ``plan`` (the Plan being shown or imported into)
    supplies the period years and display labels where ``data.plan`` lacks them."""
    checker = _Checker(data, plan)
    found = checker.run()
    found.sort(key=lambda item: item[0])
    counts = Counter(w.kind for _, w in found)
    return PlanWarnings(
        [w for _, w in found[:limit]], total=len(found), counts={k: counts[k] for k in KINDS}
    )


# --- codes ------------------------------------------------------------------------------


def normalize_code(code: str) -> str:
    """「農水2-b-1/2-1②」→「農水2-b-1/2-1」; full-width digits and dashes made plain."""
    text = _CIRCLED_SUFFIX.sub("", str(code).strip())
    text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class ParsedPid:
    prefix: str  # 観光 / 農水 / "" (長崎: 1-1-1)
    step_part: str  # 1-1 / 3-a-2 / 2-a-1/2 / "" (推進1)
    steps: tuple[str, ...]  # the step codes the step part names: 2-a-1/2 → 2-a-1, 2-a-2


def parse_pid(pid: str) -> ParsedPid | None:
    """Split a PID 「<分類><ステップ>-<番号>」; None when it has no digits at all.

    In the step part, 「/」 lists alternatives for the last component (1-a-1/2/3 → 1-a-1,
    1-a-2, 1-a-3) unless the alternative is a whole code itself (1-b-3/2-3 → 1-b-3, 2-3).
    """
    text = normalize_code(pid)
    match = _FIRST_DIGIT.search(text)
    if not match:
        return None
    prefix, rest = text[: match.start()], text[match.start() :]
    step_part, _, number = rest.rpartition("-")
    if not step_part or not number.isdigit():
        return ParsedPid(prefix, "", ())
    pieces = [p for p in step_part.split("/") if p]
    if not pieces:
        return ParsedPid(prefix, "", ())
    first = pieces[0]
    head = first.rpartition("-")[0]
    steps = [first]
    for piece in pieces[1:]:
        steps.append(piece if "-" in piece or not head else f"{head}-{piece}")
    return ParsedPid(prefix, step_part, tuple(dict.fromkeys(steps)))


def _without_letters(code: str) -> str:
    return "-".join(p for p in code.split("-") if not p.isalpha())


def _step_matches(named: str, step: str) -> bool:
    """A step named by a PID is the step itself, or — when the step code has no branch
    letters — the step once the PID's letters are dropped (農水2-a-1/2-1 on steps 2-1, 2-2:
    fixtures/NOTES.md, 02【農林水産】 「Steps and step membership」)."""
    step = normalize_code(step)
    if named == step:
        return True
    has_letters = any(p.isalpha() for p in step.split("-"))
    return not has_letters and _without_letters(named) == step


def _something(number, mark) -> bool:
    """A cell that says something happens: not empty, not 0, not 「－」 (なし・対象外)."""
    return bool(number) if number is not None else bool(mark) and mark != Mark.NONE


def _year_list(years) -> str:
    """[2023, 2024, 2025, 2027] → 「R5〜R7、R9」."""
    years = sorted(set(years))
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return "、".join(
        fiscal.short_label(r[0])
        if len(r) == 1
        else f"{fiscal.short_label(r[0])}〜{fiscal.short_label(r[-1])}"
        for r in runs
    )


# --- the checks ---------------------------------------------------------------------------


class _Checker:
    def __init__(self, data: PlanData, plan):
        self.data = data
        self.found: list[tuple[tuple, PlanWarning]] = []

        def attr(name, default=None):
            if name in data.plan and data.plan[name] not in (None, ""):
                return data.plan[name]
            return getattr(plan, name, default) if plan is not None else default

        start, end = attr("start_year"), attr("end_year")
        self.period = set(fiscal.year_range(start, end)) if start and end else None
        self.label_step = attr("label_step", "") or "ステップ"
        self.label_project = attr("label_project", "") or "プロジェクト"
        self.issue_rank = {
            code: n for n, code in enumerate(sorted(data.issues, key=self._issue_sort))
        }
        # One pass over the values: indicator key → {year: value tuple}.
        self.values: dict = {}
        for (key, year), value in data.values.items():
            self.values.setdefault(key, {})[year] = value

    @staticmethod
    def _issue_sort(code):
        try:
            field_number, kind, number = parse_issue_code(code)
        except ValueError:
            return (1, 0, 0, 0, str(code))
        return (0, field_number, _ISSUE_KIND_ORDER.get(kind, 9), number, "")

    def _rank(self, issue: str) -> int:
        return self.issue_rank.get(issue, len(self.issue_rank))

    def add(self, position: tuple, kind: str, sheet: str, label: str, message: str) -> None:
        order = (_SHEET_ORDER.get(sheet, 99), *position, _KIND_ORDER[kind])
        self.found.append((order, PlanWarning(kind, sheet, label, message)))

    def run(self) -> list:
        self.steps()
        self.projects()
        self.indicators()
        return self.found

    # 体系 ---------------------------------------------------------------------------------

    def steps(self) -> None:
        used = {(p["issue"], code) for p in self.data.projects.values() for code in p["steps"]}
        for key in self.data.steps:
            issue, number, code = key
            if (issue, code) not in used:
                self.add(
                    (self._rank(issue), 0, number, natural_key(str(code))),
                    "empty_step",
                    L.STRUCTURE,
                    describe_key("steps", key),
                    f"この{self.label_step}に属する{self.label_project}がありません。",
                )

    # プロジェクト -------------------------------------------------------------------------

    def _position(self, pid: str, *rest) -> tuple:
        issue = self.data.projects.get(pid, {}).get("issue")
        # A ② sorts right after the PID it repeats (natural_key would read 1-1-2② as 1-1-22).
        return (self._rank(issue), natural_key(normalize_code(pid)), str(pid), *rest)

    def projects(self) -> None:
        data = self.data
        parsed = {pid: parse_pid(pid) for pid in data.projects}
        self._categories(parsed)
        self._step_parts(parsed)
        self._duplicates()

    def _categories(self, parsed: dict) -> None:
        data = self.data
        by_issue: dict[str, Counter] = {}
        for pid, p in data.projects.items():
            if parsed[pid] is not None:
                by_issue.setdefault(p["issue"], Counter())[parsed[pid].prefix] += 1
        expected = {}
        for issue, counter in by_issue.items():
            category = normalize_code(data.issues.get(issue, {}).get("category", ""))
            expected[issue] = category if category in counter else counter.most_common(1)[0][0]
        # The issue a prefix identifies: the one whose category it is, else the one issue
        # using it as its projects' prefix (a prefix shared by several issues, as the bare
        # numbers of 長崎's PIDs, identifies none).
        users = Counter(expected.values())
        owner = {prefix: issue for issue, prefix in expected.items() if users[prefix] == 1}
        for issue, attrs in data.issues.items():
            category = normalize_code(attrs.get("category", ""))
            if category:
                owner[category] = issue
        for pid, p in data.projects.items():
            info, issue = parsed[pid], p["issue"]
            if info is None or issue not in expected:
                continue
            other = owner.get(info.prefix)
            shown = f"「{info.prefix}」" if info.prefix else "（なし）"
            if info.prefix != expected[issue]:
                message = (
                    f"PID の分類{shown}が、この重点課題の他の{self.label_project}の"
                    f"「{expected[issue]}」と違います"
                )
            elif other is not None and other != issue:
                message = f"PID の分類{shown}が、この重点課題のものではありません"
            else:
                continue
            if other is not None and other != issue:
                category = data.issues.get(other, {}).get("category", "")
                message += f"（{shown}は重点課題 {other}【{category}】の分類）"
            self.add(
                self._position(pid, 0),
                "pid_category",
                L.PROJECTS,
                describe_key("projects", pid),
                message + "。",
            )

    def _step_parts(self, parsed: dict) -> None:
        data = self.data
        steps_of: dict[str, list[tuple[int, str]]] = {}
        for issue, number, code in data.steps:
            steps_of.setdefault(issue, []).append((number, str(code)))
        # A PID can only encode steps numbered under their challenge (1-1, 3-a-2, 2-2-1).
        checkable = {
            issue
            for issue, steps in steps_of.items()
            if all(normalize_code(code).split("-")[0] == str(number) for number, code in steps)
        }
        for pid, p in data.projects.items():
            info, issue = parsed[pid], p["issue"]
            if info is None or not info.steps or issue not in checkable:
                continue
            named = "・".join(info.steps)
            label = describe_key("projects", pid)
            if p["steps"]:
                stray = [s for s in p["steps"] if not any(_step_matches(n, s) for n in info.steps)]
                if not stray:
                    continue
                message = (
                    f"PID は{self.label_step} {named} を示していますが、"
                    f"{self.label_step} {'・'.join(stray)} に属しています。"
                )
            else:
                existing = [
                    code
                    for _, code in steps_of[issue]
                    if any(_step_matches(n, code) for n in info.steps)
                ]
                if existing:
                    message = (
                        f"PID は{self.label_step} {'・'.join(existing)} を示していますが、"
                        f"{self.label_step}が設定されていません。"
                    )
                else:
                    message = (
                        f"PID の示す{self.label_step} {named} がこの重点課題にありません"
                        f"（{self.label_step}未設定）。"
                    )
            self.add(self._position(pid, 0), "pid_step", L.PROJECTS, label, message)

    def _duplicates(self) -> None:
        data = self.data
        groups: dict[str, list[str]] = {}
        for pid in data.projects:
            groups.setdefault(normalize_code(pid), []).append(pid)
        for same in groups.values():
            if len(same) < 2:
                continue
            same.sort(key=lambda pid: self._position(pid))
            first = same[0]
            for pid in same[1:]:
                suffix = _CIRCLED_SUFFIX.search(str(pid).strip())
                how = f"「{suffix.group()}」を除くと" if suffix else "表記をそろえると"
                self.add(
                    self._position(pid, 0),
                    "duplicate_pid",
                    L.PROJECTS,
                    describe_key("projects", pid),
                    f"PID「{pid}」は、{how}{self.label_project} {first}"
                    f"「{data.projects[first]['name']}」と同じ PID です。",
                )

    # 指標 (KPI sheet and the プロジェクト sheet's activity indicators) ---------------------

    def indicators(self) -> None:
        data = self.data
        phases = {pid: {year for year, _ in p["phases"]} for pid, p in data.projects.items()}
        for collection, indicators in (("kpis", data.kpis), ("activities", data.activities)):
            for key, attrs in indicators.items():
                values = self.values.get(key, {})
                if collection == "kpis":
                    issue, number, name = key[1], key[2], key[3]
                    sheet = L.KPIS
                    position = (self._rank(issue), number, attrs.get("position") or 0, name)
                else:
                    sheet = L.PROJECTS
                    position = self._position(key[1], 1, attrs.get("position") or 0, key[2])
                label = describe_key(collection, key)
                self._unit(position, sheet, label, attrs, values)
                self._direction(position, sheet, label, attrs, values)
                if collection == "activities":
                    self._phases(position, label, values, phases.get(key[1]))

    def _unit(self, position, sheet, label, attrs, values) -> None:
        if str(attrs.get("unit") or "").strip():
            return
        numbers = any(v[0] is not None or v[2] is not None for v in values.values()) or any(
            attrs.get(k) is not None for k in ("baseline_value", "target_value")
        )
        marks_only = not numbers and any(v[1] or v[3] for v in values.values())
        if not marks_only:
            self.add(position, "no_unit", sheet, label, "単位が入力されていません。")

    def _direction(self, position, sheet, label, attrs, values) -> None:
        lower = attrs.get("direction") == "lower"
        against = (lambda a, b: b > a) if lower else (lambda a, b: b < a)
        word = "低いほど良い" if lower else "高いほど良い"
        moves = []
        previous = None
        for year in sorted(values):
            number = values[year][0]
            if number is None:
                continue
            if previous is not None and against(previous[1], number):
                moves.append(
                    f"{fiscal.short_label(previous[0])} {display_number(previous[1])} → "
                    f"{fiscal.short_label(year)} {display_number(number)}"
                )
            previous = (year, number)
        if moves:
            self.add(
                position,
                "direction",
                sheet,
                label,
                f"{word}指標ですが、予定値が {'、'.join(moves)} と"
                f"{'上がって' if lower else '下がって'}います。",
            )
        base, target = attrs.get("baseline_value"), attrs.get("target_value")
        if base is not None and target is not None and against(base, target):
            years = [attrs.get("baseline_year"), attrs.get("target_year")]
            b, t = (fiscal.short_label(y) + " " if y else "" for y in years)
            self.add(
                position,
                "direction",
                sheet,
                label,
                f"{word}指標ですが、目標値（{t}{display_number(target)}）が基準値"
                f"（{b}{display_number(base)}）より{'高く' if lower else '低く'}なっています。",
            )

    def _phases(self, position, label, values, phase_years) -> None:
        if self.period is None:
            return
        phase_years = phase_years or set()
        outside = [
            year
            for year, (pn, pm, an, am) in values.items()
            if year in self.period
            and year not in phase_years
            and (_something(pn, pm) or _something(an, am))
        ]
        if not outside:
            return
        where = (
            f"{self.label_project}の実施年度（{_year_list(phase_years)}）に含まれません"
            if phase_years
            else f"{self.label_project}に実施年度がありません"
        )
        self.add(
            position,
            "outside_phases",
            L.PROJECTS,
            label,
            f"{_year_list(outside)} に予定・実績の値がありますが、{where}。",
        )
