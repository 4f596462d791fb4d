"""A plan edition as plain data keyed by stable codes, and the one engine that compares and
writes it.

``PlanData`` is what a plan *says*, independent of database ids: the workbook import reads
one from a file, ``plan_data`` reads one from the database, ``plan_diff`` compares two (the
import preview and the 新旧対照表 between editions), and ``plan_apply`` makes a plan say
exactly what a PlanData says — creating, changing and deleting rows matched by code (PID,
step and challenge codes, KPI name within its challenge), in one transaction, one row at a
time so django-simple-history records every change.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db import transaction

from kpis.models import VALUE_COLUMNS, Indicator, IndicatorEvaluation, IndicatorValue
from kpis.values import format_value
from projects.models import Project, ProjectPhase, split_aliases
from strategy import fiscal, revision
from strategy.models import (
    Challenge,
    ChallengeGoal,
    Department,
    Field,
    IssueYearText,
    Plan,
    PriorityIssue,
    Step,
)
from strategy.naturalsort import natural_key

PLAN_FIELDS = [
    "title",
    "baseline_year",
    "start_year",
    "end_year",
    "report_year",
    "planned_as_of",
    "actual_as_of",
    "status",
    "layout",
    "introduction",
    "vision_lead",
    "grade_achieved_percent",
    "grade_on_track_percent",
    "label_field",
    "label_issue",
    "label_challenge",
    "label_step",
    "label_project",
    "label_kpi",
    "label_activity",
]

# The texts a field (分野 / 基本方針) carries besides its number, in workbook order.
FIELD_ATTRS = ("name", "description", "area_name", "vision_title", "vision_text", "keywords")

# Keys:
#   field: number                         issue: "1-01" / "2-promotion-01"
#   challenge: (issue, number)            step: (issue, challenge number, code)
#   project: pid                          kpi: (issue, challenge number, name)
#   activity: (pid, name)                 value: (indicator key, year)
#   text: (kind, owner key, year) with kind goal_summary | business_summary | goal | evaluation
Key = object


@dataclass
class PlanData:
    plan: dict = field(default_factory=dict)
    fields: dict = field(default_factory=dict)
    issues: dict = field(default_factory=dict)
    challenges: dict = field(default_factory=dict)
    steps: dict = field(default_factory=dict)
    projects: dict = field(default_factory=dict)
    kpis: dict = field(default_factory=dict)
    activities: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    texts: dict = field(default_factory=dict)

    COLLECTIONS = (
        "fields",
        "issues",
        "challenges",
        "steps",
        "projects",
        "kpis",
        "activities",
        "values",
        "texts",
    )

    def step_challenges(self) -> dict[tuple[str, str], int]:
        """(issue code, step code) → challenge number: the one lookup of a project's steps."""
        return {(k[0], k[2]): k[1] for k in self.steps}


def issue_code(field_number: int, kind: str, number: int) -> str:
    if kind == PriorityIssue.Kind.PRIORITY:
        return f"{field_number}-{number:02d}"
    return f"{field_number}-{kind}-{number:02d}"


def parse_issue_code(code: str) -> tuple[int, str, int]:
    """「1-01」 → (1, priority, 1); 「2-promotion-01」 → (2, promotion, 1)."""
    parts = str(code).strip().split("-")
    try:
        if len(parts) == 2:
            return int(parts[0]), PriorityIssue.Kind.PRIORITY, int(parts[1])
        if len(parts) == 3 and parts[1] in PriorityIssue.Kind.values:
            return int(parts[0]), parts[1], int(parts[2])
    except ValueError:
        pass
    raise ValueError(f"重点課題コードとして読めません: 「{code}」（例: 1-01）")


def normalize_aliases(text: str) -> str:
    """A project's PID の別表記 as PlanData holds it: the PIDs joined by 「、」, whichever
    separator (、 , ， or a line break) was typed."""
    return "、".join(split_aliases(text))


def layout_names() -> dict[str, str]:
    """Document layout key → its Japanese name (the model field's choices)."""
    return {str(k): str(v) for k, v in Plan._meta.get_field("layout").flatchoices}


def _value_tuple(v: IndicatorValue) -> tuple:
    return (v.planned_number, v.planned_mark, v.actual_number, v.actual_mark)


def plan_data(plan: Plan) -> PlanData:
    """Read a plan edition into PlanData with a fixed number of queries.

    Plain value rows (values_list), not model instances: a 100× plan has ~100,000 values.
    """
    data = PlanData()
    data.plan = {name: getattr(plan, name) for name in PLAN_FIELDS}
    departments = dict(
        Department.objects.filter(municipality_id=plan.municipality_id).values_list("id", "name")
    )
    fields = dict(Field.objects.filter(plan=plan).values_list("id", "number"))
    for number, *texts in Field.objects.filter(plan=plan).values_list("number", *FIELD_ATTRS):
        data.fields[number] = dict(zip(FIELD_ATTRS, texts, strict=True))
    icode = {}
    for row in PriorityIssue.objects.filter(plan=plan).values_list(
        "id",
        "field_id",
        "kind",
        "number",
        "category",
        "title",
        "situation",
        "actions",
        "department_id",
    ):
        pk, field_id, kind, number, category, title, situation, actions, dept = row
        code = icode[pk] = issue_code(fields[field_id], kind, number)
        data.issues[code] = {
            "field": fields[field_id],
            "category": category,
            "title": title,
            "situation": situation,
            "actions": actions,
            "department": departments.get(dept, ""),
        }
    ckey = {}
    for pk, issue_id, number, title, target_title, target_text in Challenge.objects.filter(
        issue__plan=plan
    ).values_list("id", "issue_id", "number", "title", "target_title", "target_text"):
        ckey[pk] = (icode[issue_id], number)
        data.challenges[ckey[pk]] = {
            "title": title,
            "target_title": target_title,
            "target_text": target_text,
        }
    skey = {}
    for pk, challenge_id, code, title in Step.objects.filter(
        challenge__issue__plan=plan
    ).values_list("id", "challenge_id", "code", "title"):
        skey[pk] = (*ckey[challenge_id], code)
        data.steps[skey[pk]] = {"title": title}
    project_steps: dict[int, list[str]] = {}
    for project_id, step_id in Project.steps.through.objects.filter(project__plan=plan).values_list(
        "project_id", "step_id"
    ):
        project_steps.setdefault(project_id, []).append(skey[step_id][2])
    project_phases: dict[int, list] = {}
    for project_id, year, phase in ProjectPhase.objects.filter(project__plan=plan).values_list(
        "project_id", "fiscal_year", "phase"
    ):
        project_phases.setdefault(project_id, []).append((year, phase))
    pid_of = {}
    for row in Project.objects.filter(plan=plan).values_list(
        "id",
        "pid",
        "aliases",
        "issue_id",
        "name",
        "summary",
        "department_id",
        "is_leading",
        "in_table",
    ):
        pk, pid, aliases, issue_id, name, summary, dept, leading, in_table = row
        pid_of[pk] = pid
        data.projects[pid] = {
            "aliases": normalize_aliases(aliases),
            "issue": icode[issue_id],
            "name": name,
            "summary": summary,
            "department": departments.get(dept, ""),
            "is_leading": leading,
            "in_table": in_table,
            "steps": tuple(sorted(project_steps.get(pk, []), key=natural_key)),
            "phases": tuple(sorted(project_phases.get(pk, []))),
        }
    indicator_key = {}
    for row in Indicator.objects.of_plan(plan).values_list(
        "id",
        "kind",
        "challenge_id",
        "project_id",
        "name",
        "unit",
        "direction",
        "formula",
        "position",
        "baseline_year",
        "baseline_value",
        "target_year",
        "target_value",
    ):
        pk, kind, challenge_id, project_id, name = row[:5]
        attrs = dict(
            zip(
                (
                    "unit",
                    "direction",
                    "formula",
                    "position",
                    "baseline_year",
                    "baseline_value",
                    "target_year",
                    "target_value",
                ),
                row[5:],
                strict=True,
            )
        )
        if kind == Indicator.Kind.KPI:
            key = ("kpi", *ckey[challenge_id], name)
            data.kpis[key] = attrs
        else:
            key = ("activity", pid_of[project_id], name)
            data.activities[key] = attrs
        indicator_key[pk] = key
    ids = indicator_key.keys()
    for indicator_id, year, pn, pm, an, am in IndicatorValue.objects.filter(
        indicator__in=Indicator.objects.of_plan(plan)
    ).values_list(*VALUE_COLUMNS):
        data.values[(indicator_key[indicator_id], year)] = (pn, pm, an, am)
    for indicator_id, year, text in IndicatorEvaluation.objects.filter(
        indicator__in=Indicator.objects.of_plan(plan)
    ).values_list("indicator_id", "fiscal_year", "text"):
        data.texts[("evaluation", indicator_key[indicator_id], year)] = text
    del ids
    for issue_id, year, goal_summary, business_summary in IssueYearText.objects.filter(
        issue__plan=plan
    ).values_list("issue_id", "fiscal_year", "goal_summary", "business_summary"):
        if goal_summary:
            data.texts[("goal_summary", icode[issue_id], year)] = goal_summary
        if business_summary:
            data.texts[("business_summary", icode[issue_id], year)] = business_summary
    for challenge_id, year, text in ChallengeGoal.objects.filter(
        challenge__issue__plan=plan
    ).values_list("challenge_id", "fiscal_year", "text"):
        data.texts[("goal", ckey[challenge_id], year)] = text
    return data


# --- comparison ------------------------------------------------------------------------

SHEET_OF = {
    "plan": "計画",
    "fields": "体系",
    "issues": "体系",
    "challenges": "体系",
    "steps": "体系",
    "projects": "プロジェクト",
    "activities": "プロジェクト",
    "kpis": "KPI",
    "values": None,  # by the indicator's kind
    "texts": "文章",
}
SHEETS = ["計画", "体系", "プロジェクト", "KPI", "文章"]


@dataclass
class Change:
    collection: str
    key: Key
    attribute: str
    old: object
    new: object

    @property
    def sheet(self) -> str:
        return _sheet(self.collection, self.key)

    @property
    def label(self) -> str:
        return describe_key(self.collection, self.key)

    @property
    def attribute_label(self) -> str:
        """The attribute's Japanese name (文書の形式, 説明, PID の別表記 …)."""
        return attribute_label(self.collection, self.attribute)

    @property
    def old_text(self) -> str:
        return display(self.attribute, self.old)

    @property
    def new_text(self) -> str:
        return display(self.attribute, self.new)


@dataclass
class PlanDiff:
    created: list[tuple[str, Key]] = field(default_factory=list)
    deleted: list[tuple[str, Key]] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.created or self.deleted or self.changed)

    @property
    def total(self) -> int:
        return len(self.created) + len(self.deleted) + len(self.changed)

    def summary(self) -> list[dict]:
        """Per sheet: rows created, rows changed (distinct keys), rows deleted, cells changed."""
        out = {
            s: {"sheet": s, "created": 0, "changed": 0, "deleted": 0, "cells": 0} for s in SHEETS
        }
        for coll, key in self.created:
            out[_sheet(coll, key)]["created"] += 1
        for coll, key in self.deleted:
            out[_sheet(coll, key)]["deleted"] += 1
        rows = defaultdict(set)
        for ch in self.changed:
            out[ch.sheet]["cells"] += 1
            rows[ch.sheet].add((ch.collection, ch.key))
        for sheet, keys in rows.items():
            out[sheet]["changed"] = len(keys)
        return list(out.values())

    @property
    def created_rows(self) -> list[tuple[str, str]]:
        return [(_sheet(c, k), describe_key(c, k)) for c, k in self.created]

    @property
    def deleted_rows(self) -> list[tuple[str, str]]:
        return [(_sheet(c, k), describe_key(c, k)) for c, k in self.deleted]

    def summary_text(self) -> str:
        lines = [
            f"{row['sheet']}: 追加 {row['created']} 行、変更 {row['changed']} 行"
            f"（{row['cells']} セル）、削除 {row['deleted']} 行"
            for row in self.summary()
        ]
        lines.append(f"合計 {self.total} 件の変更" if self.total else "変更はありません（0 件）")
        return "\n".join(lines)


def _sheet(collection: str, key) -> str:
    if collection == "values":
        return "KPI" if key[0][0] == "kpi" else "プロジェクト"
    if collection == "texts" and key[0] == "evaluation":
        return "KPI"
    return SHEET_OF[collection]


def describe_key(collection: str, key) -> str:
    if collection == "plan":
        return "計画"
    if collection == "fields":
        return f"分野 {key}"
    if collection == "issues":
        return f"重点課題 {key}"
    if collection == "challenges":
        return f"課題 {key[0]}-{key[1]}"
    if collection == "steps":
        return f"ステップ {key[0]} {key[2]}"
    if collection == "projects":
        return f"プロジェクト {key}"
    if collection in ("kpis", "activities"):
        return _indicator_label(key)
    if collection == "values":
        return f"{_indicator_label(key[0])} {fiscal.short_label(key[1])}"
    kind, owner, year = key
    names = {
        "goal_summary": "目標（総括）",
        "business_summary": "事業総括",
        "goal": "目標",
        "evaluation": "進捗状況・評価",
    }
    if kind == "evaluation":
        owner_label = _indicator_label(owner)
    elif kind == "goal":
        owner_label = f"課題 {owner[0]}-{owner[1]}"
    else:
        owner_label = f"重点課題 {owner}"
    return f"{owner_label} {fiscal.short_label(year)} {names[kind]}"


# The model each collection's attributes are stored in (their verbose names label them).
MODEL_OF = {
    "plan": Plan,
    "fields": Field,
    "issues": PriorityIssue,
    "challenges": Challenge,
    "steps": Step,
    "projects": Project,
    "kpis": Indicator,
    "activities": Indicator,
}
# Attributes that are not one model field of their own.
OTHER_ATTRIBUTE_LABELS = {"value": "予定・実績", "text": "本文", "phases": "実施年度"}


def attribute_label(collection: str, attribute: str) -> str:
    """「文書の形式」 for ("plan", "layout"), 「PID の別表記」 for ("projects", "aliases") …"""
    if attribute in OTHER_ATTRIBUTE_LABELS:
        return OTHER_ATTRIBUTE_LABELS[attribute]
    model = MODEL_OF.get(collection)
    if model is not None:
        try:
            return str(model._meta.get_field(attribute).verbose_name)
        except FieldDoesNotExist:
            pass
    return attribute


def _indicator_label(key) -> str:
    if key[0] == "kpi":
        return f"KPI {key[1]}-{key[2]}「{key[3]}」"
    return f"活動指標 {key[1]}「{key[2]}」"


def display(attribute: str, value) -> str:
    if value is None:
        return ""
    if attribute == "value":
        planned = format_value(value[0], value[1])
        actual = format_value(value[2], value[3])
        return f"予定 {planned or '（空）'} / 実績 {actual or '（空）'}"
    if attribute == "layout":
        return layout_names().get(value, str(value))
    if isinstance(value, bool):
        return "○" if value else ""
    if isinstance(value, Decimal):
        return format_value(value, "")
    if isinstance(value, tuple):
        if value and isinstance(value[0], tuple):  # phases
            return " ".join(f"{fiscal.short_label(y)}{ProjectPhase.MARKS[ph]}" for y, ph in value)
        return "、".join(str(v) for v in value)
    return str(value)


def plan_diff(old: PlanData, new: PlanData) -> PlanDiff:
    diff = PlanDiff()
    for attribute in PLAN_FIELDS:
        if attribute in new.plan and old.plan.get(attribute) != new.plan[attribute]:
            diff.changed.append(
                Change("plan", "plan", attribute, old.plan.get(attribute), new.plan[attribute])
            )
    for coll in PlanData.COLLECTIONS:
        before, after = getattr(old, coll), getattr(new, coll)
        for key in after.keys() - before.keys():
            diff.created.append((coll, key))
        for key in before.keys() - after.keys():
            diff.deleted.append((coll, key))
        for key in before.keys() & after.keys():
            a, b = before[key], after[key]
            if coll in ("values", "texts"):
                if a != b:
                    diff.changed.append(
                        Change(coll, key, "value" if coll == "values" else "text", a, b)
                    )
                continue
            for attribute in b:
                if a.get(attribute) != b[attribute]:
                    diff.changed.append(
                        Change(coll, key, attribute, a.get(attribute), b[attribute])
                    )
    order = {c: n for n, c in enumerate(("plan", *PlanData.COLLECTIONS))}
    diff.created.sort(key=lambda ck: (order[ck[0]], str(ck[1])))
    diff.deleted.sort(key=lambda ck: (order[ck[0]], str(ck[1])))
    diff.changed.sort(key=lambda c: (order[c.collection], str(c.key), c.attribute))
    return diff


# --- writing ---------------------------------------------------------------------------


@transaction.atomic
def plan_apply(
    *,
    plan: Plan,
    data: PlanData,
    user=None,
    current: PlanData | None = None,
    diff: PlanDiff | None = None,
) -> PlanDiff:
    """Make ``plan`` say exactly what ``data`` says. Returns what changed.

    Every row goes through save()/delete(), so django-simple-history records each change,
    with ``user`` as its author when given (commands and imports). ``current`` and ``diff``,
    when the caller has them (read in the same transaction), are not computed again.
    """
    if current is None:
        current = plan_data(plan)
    if diff is None:
        diff = plan_diff(current, data)
    if diff.is_empty:
        return diff
    for attribute, value in data.plan.items():
        setattr(plan, attribute, value)
    plan.full_clean(exclude=["municipality", "previous_edition", "slug"])
    with _history_user(user):
        plan.save()
        writer = _Writer(plan, current, data, user)
        if not current.fields and not current.issues and not current.projects:
            writer.create_all()  # a new edition or an empty plan: bulk inserts, with history
            revision.touch(plan.pk)  # bulk_create sends no signals (strategy/revision.py)
        else:
            writer.run()
    return diff


class _history_user:
    """Attribute history rows to ``user`` for everything saved inside (thread-local request)."""

    def __init__(self, user):
        self.user = user

    def __enter__(self):
        from simple_history.models import HistoricalRecords

        self.previous = getattr(HistoricalRecords.context, "request", None)
        if self.user is not None:
            HistoricalRecords.context.request = type("Req", (), {"user": self.user})()

    def __exit__(self, *exc):
        from simple_history.models import HistoricalRecords

        if self.user is not None:
            if self.previous is None:
                del HistoricalRecords.context.request
            else:
                HistoricalRecords.context.request = self.previous


class _Writer:
    """Upserts in dependency order, deletes in reverse; every row through save()/delete()."""

    def __init__(self, plan: Plan, current: PlanData, data: PlanData, user=None):
        self.plan, self.current, self.data, self.user = plan, current, data, user
        self.departments = {
            d.name: d for d in Department.objects.filter(municipality=plan.municipality)
        }

    def run(self) -> None:
        self._deletes()
        fields = {f.number: f for f in Field.objects.filter(plan=self.plan)}
        for number, attrs in self.data.fields.items():
            if self.current.fields.get(number) != attrs:
                obj = fields.get(number) or Field(plan=self.plan, number=number)
                for name in FIELD_ATTRS:
                    setattr(obj, name, attrs[name])
                obj.save()
                fields[number] = obj
        issues = {
            issue_code(i.field.number, i.kind, i.number): i
            for i in PriorityIssue.objects.filter(plan=self.plan).select_related("field")
        }
        for code, attrs in self.data.issues.items():
            if self.current.issues.get(code) != attrs:
                field_number, kind, number = parse_issue_code(code)
                obj = issues.get(code) or PriorityIssue(plan=self.plan, kind=kind, number=number)
                obj.field = fields[attrs["field"]]
                for name in ("category", "title", "situation", "actions"):
                    setattr(obj, name, attrs[name])
                obj.department = self.departments.get(attrs["department"])
                obj.save()
                issues[code] = obj
        challenges = {
            (issue_code(c.issue.field.number, c.issue.kind, c.issue.number), c.number): c
            for c in Challenge.objects.filter(issue__plan=self.plan).select_related("issue__field")
        }
        for key, attrs in self.data.challenges.items():
            if self.current.challenges.get(key) != attrs:
                obj = challenges.get(key) or Challenge(issue=issues[key[0]], number=key[1])
                for name, value in attrs.items():
                    setattr(obj, name, value)
                obj.save()
                challenges[key] = obj
        steps = {
            (*self._ckey(s.challenge), s.code): s
            for s in Step.objects.filter(challenge__issue__plan=self.plan).select_related(
                "challenge__issue__field"
            )
        }
        for key, attrs in self.data.steps.items():
            if self.current.steps.get(key) != attrs:
                obj = steps.get(key) or Step(challenge=challenges[key[:2]], code=key[2])
                obj.title = attrs["title"]
                obj.save()
                steps[key] = obj
        projects = {p.pid: p for p in Project.objects.filter(plan=self.plan)}
        step_by_code = {(k[0], k[2]): s for k, s in steps.items()}
        for pid, attrs in self.data.projects.items():
            old = self.current.projects.get(pid)
            if old == attrs:
                continue
            obj = projects.get(pid) or Project(plan=self.plan, pid=pid)
            obj.issue = issues[attrs["issue"]]
            for name in ("aliases", "name", "summary", "is_leading", "in_table"):
                setattr(obj, name, attrs[name])
            obj.department = self.departments.get(attrs["department"])
            obj.save()
            projects[pid] = obj
            if old is None or old["steps"] != attrs["steps"] or old["issue"] != attrs["issue"]:
                obj.steps.set([step_by_code[(attrs["issue"], c)] for c in attrs["steps"]])
            if old is None or old["phases"] != attrs["phases"]:
                self._phases(obj, dict(old["phases"]) if old else {}, dict(attrs["phases"]))
        indicators = self._indicators(challenges, projects)
        for coll, kind in (("kpis", Indicator.Kind.KPI), ("activities", Indicator.Kind.ACTIVITY)):
            for key, attrs in getattr(self.data, coll).items():
                if getattr(self.current, coll).get(key) == attrs:
                    continue
                obj = indicators.get(key)
                if obj is None:
                    owner = (
                        {"challenge": challenges[key[1:3]]}
                        if kind == Indicator.Kind.KPI
                        else {"project": projects[key[1]]}
                    )
                    obj = Indicator(kind=kind, name=key[-1], **owner)
                for name, value in attrs.items():
                    setattr(obj, name, value)
                obj.save()
                indicators[key] = obj
        self._values(indicators)
        self._texts(issues, challenges, indicators)

    def _bulk(self, model, objects: list) -> list:
        from simple_history.utils import bulk_create_with_history

        if not objects:
            return []
        return bulk_create_with_history(objects, model, batch_size=500, default_user=self.user)

    def create_all(self) -> None:
        """Insert a whole plan at once (bulk, one history row per object): edition copies and
        first imports of a large plan take seconds instead of minutes."""
        d, plan = self.data, self.plan
        fields = {
            f.number: f
            for f in self._bulk(
                Field,
                [
                    Field(plan=plan, number=n, **{k: a[k] for k in FIELD_ATTRS})
                    for n, a in d.fields.items()
                ],
            )
        }
        issue_objs = []
        for code, a in d.issues.items():
            field_number, kind, number = parse_issue_code(code)
            issue_objs.append(
                PriorityIssue(
                    plan=plan,
                    field=fields[a["field"]],
                    kind=kind,
                    number=number,
                    category=a["category"],
                    title=a["title"],
                    situation=a["situation"],
                    actions=a["actions"],
                    department=self.departments.get(a["department"]),
                )
            )
        issues = dict(zip(d.issues, self._bulk(PriorityIssue, issue_objs), strict=True))
        challenges = dict(
            zip(
                d.challenges,
                self._bulk(
                    Challenge,
                    [
                        Challenge(issue=issues[k[0]], number=k[1], **a)
                        for k, a in d.challenges.items()
                    ],
                ),
                strict=True,
            )
        )
        steps = dict(
            zip(
                d.steps,
                self._bulk(
                    Step,
                    [
                        Step(
                            challenge=challenges[k[:2]],
                            code=k[2],
                            title=a["title"],
                            sort_key=natural_key(k[2]),
                        )
                        for k, a in d.steps.items()
                    ],
                ),
                strict=True,
            )
        )
        project_objs = [
            Project(
                plan=plan,
                issue=issues[a["issue"]],
                pid=pid,
                aliases=a["aliases"],
                name=a["name"],
                summary=a["summary"],
                department=self.departments.get(a["department"]),
                is_leading=a["is_leading"],
                in_table=a["in_table"],
                sort_key=natural_key(pid),
            )
            for pid, a in d.projects.items()
        ]
        projects = dict(zip(d.projects, self._bulk(Project, project_objs), strict=True))
        step_by_code = {(k[0], k[2]): s for k, s in steps.items()}
        Project.steps.through.objects.bulk_create(
            [
                Project.steps.through(
                    project_id=projects[pid].pk, step_id=step_by_code[(a["issue"], code)].pk
                )
                for pid, a in d.projects.items()
                for code in a["steps"]
            ],
            batch_size=1000,
        )
        self._bulk(
            ProjectPhase,
            [
                ProjectPhase(project=projects[pid], fiscal_year=year, phase=phase)
                for pid, a in d.projects.items()
                for year, phase in a["phases"]
            ],
        )
        keys, objs = [], []
        for key, a in d.kpis.items():
            keys.append(key)
            objs.append(
                Indicator(kind=Indicator.Kind.KPI, challenge=challenges[key[1:3]], name=key[3], **a)
            )
        for key, a in d.activities.items():
            keys.append(key)
            objs.append(
                Indicator(kind=Indicator.Kind.ACTIVITY, project=projects[key[1]], name=key[2], **a)
            )
        indicators = dict(zip(keys, self._bulk(Indicator, objs), strict=True))
        self._bulk(
            IndicatorValue,
            [
                IndicatorValue(
                    indicator=indicators[key],
                    fiscal_year=year,
                    planned_number=v[0],
                    planned_mark=v[1],
                    actual_number=v[2],
                    actual_mark=v[3],
                    version=1,
                )
                for (key, year), v in d.values.items()
            ],
        )
        issue_texts: dict = {}
        goals, evaluations = [], []
        for (kind, owner, year), text in d.texts.items():
            if kind == "goal":
                goals.append(
                    ChallengeGoal(challenge=challenges[owner], fiscal_year=year, text=text)
                )
            elif kind == "evaluation":
                evaluations.append(
                    IndicatorEvaluation(indicator=indicators[owner], fiscal_year=year, text=text)
                )
            else:
                obj = issue_texts.setdefault(
                    (owner, year), IssueYearText(issue=issues[owner], fiscal_year=year)
                )
                setattr(obj, kind, text)
        self._bulk(IssueYearText, list(issue_texts.values()))
        self._bulk(ChallengeGoal, goals)
        self._bulk(IndicatorEvaluation, evaluations)

    def _ckey(self, challenge: Challenge) -> tuple:
        i = challenge.issue
        return (issue_code(i.field.number, i.kind, i.number), challenge.number)

    def _indicators(self, challenges, projects) -> dict:
        out = {}
        ckey = {c.pk: k for k, c in challenges.items()}
        pid = {p.pk: k for k, p in projects.items()}
        for ind in Indicator.objects.of_plan(self.plan):
            if ind.kind == Indicator.Kind.KPI:
                out[("kpi", *ckey[ind.challenge_id], ind.name)] = ind
            else:
                out[("activity", pid[ind.project_id], ind.name)] = ind
        return out

    def _phases(self, project: Project, old: dict, new: dict) -> None:
        existing = {p.fiscal_year: p for p in project.phases.all()}
        for year in old.keys() - new.keys():
            existing[year].delete()
        for year, phase in new.items():
            if old.get(year) != phase:
                obj = existing.get(year) or ProjectPhase(project=project, fiscal_year=year)
                obj.phase = phase
                obj.save()

    def _values(self, indicators) -> None:
        changed = {key for key, v in self.data.values.items() if self.current.values.get(key) != v}
        if not changed:
            return
        ids = {indicators[k[0]].pk for k in changed}
        existing = {
            (v.indicator_id, v.fiscal_year): v
            for v in IndicatorValue.objects.filter(indicator_id__in=ids)
        }
        for key in sorted(changed, key=str):
            ind = indicators[key[0]]
            obj = existing.get((ind.pk, key[1])) or IndicatorValue(
                indicator=ind, fiscal_year=key[1]
            )
            (obj.planned_number, obj.planned_mark, obj.actual_number, obj.actual_mark) = (
                self.data.values[key]
            )
            obj.save()

    def _texts(self, issues, challenges, indicators) -> None:
        for key, text in self.data.texts.items():
            if self.current.texts.get(key) == text:
                continue
            kind, owner, year = key
            if kind == "goal":
                obj, _ = ChallengeGoal.objects.get_or_create(
                    challenge=challenges[owner], fiscal_year=year, defaults={"text": text}
                )
                obj.text = text
                obj.save()
            elif kind == "evaluation":
                obj, _ = IndicatorEvaluation.objects.get_or_create(
                    indicator=indicators[owner], fiscal_year=year, defaults={"text": text}
                )
                obj.text = text
                obj.save()
            else:
                obj, _ = IssueYearText.objects.get_or_create(issue=issues[owner], fiscal_year=year)
                setattr(obj, kind, text)
                obj.save()

    def _deletes(self) -> None:
        cur, new = self.current, self.data
        plan = self.plan
        for key in cur.texts.keys() - new.texts.keys():
            kind, owner, year = key
            if kind == "goal":
                self._delete_goal(owner, year)
            elif kind == "evaluation":
                self._indicator_qs(owner).first().evaluations.filter(
                    fiscal_year=year
                ).get().delete()
            else:
                obj = IssueYearText.objects.get(issue=self._issue(owner), fiscal_year=year)
                setattr(obj, kind, "")
                if obj.goal_summary or obj.business_summary:
                    obj.save()
                else:
                    obj.delete()
        for key, year in sorted(cur.values.keys() - new.values.keys(), key=str):
            self._indicator_qs(key).first().values.get(fiscal_year=year).delete()
        for key in sorted(
            (cur.kpis.keys() - new.kpis.keys()) | (cur.activities.keys() - new.activities.keys()),
            key=str,
        ):
            self._indicator_qs(key).get().delete()
        for pid in sorted(cur.projects.keys() - new.projects.keys()):
            Project.objects.get(plan=plan, pid=pid).delete()
        for key in sorted(cur.steps.keys() - new.steps.keys(), key=str):
            Step.objects.get(challenge=self._challenge(key[:2]), code=key[2]).delete()
        for key in sorted(cur.challenges.keys() - new.challenges.keys(), key=str):
            self._challenge(key).delete()
        for code in sorted(cur.issues.keys() - new.issues.keys()):
            self._issue(code).delete()
        for number in sorted(cur.fields.keys() - new.fields.keys()):
            Field.objects.get(plan=plan, number=number).delete()

    def _issue(self, code: str) -> PriorityIssue:
        field_number, kind, number = parse_issue_code(code)
        return PriorityIssue.objects.get(
            plan=self.plan, field__number=field_number, kind=kind, number=number
        )

    def _challenge(self, key) -> Challenge:
        return Challenge.objects.get(issue=self._issue(key[0]), number=key[1])

    def _delete_goal(self, owner, year) -> None:
        ChallengeGoal.objects.get(challenge=self._challenge(owner), fiscal_year=year).delete()

    def _indicator_qs(self, key):
        if key[0] == "kpi":
            return Indicator.objects.filter(challenge=self._challenge(key[1:3]), name=key[3])
        return Indicator.objects.filter(project__plan=self.plan, project__pid=key[1], name=key[2])
