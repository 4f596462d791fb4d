"""「変更履歴」: every change to a plan's data since a date — who, when, old → new.

Built on django-simple-history. A fixed number of queries: for each tracked model, the
records since the date and the records just before them (for old values).
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Q

from kpis.models import ConfirmedYear, Indicator, IndicatorEvaluation, IndicatorValue
from kpis.values import format_value
from projects.models import Project, ProjectPhase
from strategy import fiscal
from strategy.models import (
    Challenge,
    ChallengeGoal,
    Field,
    IssueYearText,
    Plan,
    PriorityIssue,
    Step,
)

ACTIONS = {"+": "追加", "~": "変更", "-": "削除"}
HIDDEN = {"version", "sort_key"}


def _targets(plan: Plan):
    indicator_ids = list(Indicator.objects.of_plan(plan).values_list("id", flat=True))
    return [
        (Plan, Q(id=plan.pk)),
        (Field, Q(plan_id=plan.pk)),
        (PriorityIssue, Q(plan_id=plan.pk)),
        (Challenge, Q(issue__in=PriorityIssue.objects.filter(plan=plan).values("id"))),
        (Step, Q(challenge__in=Challenge.objects.filter(issue__plan=plan).values("id"))),
        (IssueYearText, Q(issue__in=PriorityIssue.objects.filter(plan=plan).values("id"))),
        (ChallengeGoal, Q(challenge__in=Challenge.objects.filter(issue__plan=plan).values("id"))),
        (Project, Q(plan_id=plan.pk)),
        (ProjectPhase, Q(project__in=Project.objects.filter(plan=plan).values("id"))),
        (Indicator, Q(id__in=indicator_ids)),
        (IndicatorValue, Q(indicator_id__in=indicator_ids)),
        (IndicatorEvaluation, Q(indicator_id__in=indicator_ids)),
        (ConfirmedYear, Q(plan_id=plan.pk)),
    ]


def _show(field: str, value) -> str:
    if value is None or value == "":
        return "（空）"
    if field == "fiscal_year" or field.endswith("_year"):
        try:
            return fiscal.short_label(int(value))
        except (TypeError, ValueError):
            return str(value)
    if field.endswith("_number") or field.endswith("_value"):
        return format_value(value, "")
    return str(value)


def plan_changes(plan: Plan, since: dt.date, limit: int = 2000) -> list[dict]:
    start = dt.datetime.combine(since, dt.time.min, tzinfo=dt.UTC)
    indicator_names = dict(Indicator.objects.of_plan(plan).values_list("id", "name"))
    project_pids = dict(Project.objects.filter(plan=plan).values_list("id", "pid"))
    rows = []
    for model, condition in _targets(plan):
        history = model.history.model
        recent = list(
            history.objects.filter(condition, history_date__gte=start)
            .select_related("history_user")
            .order_by("-history_date")[:limit]
        )
        if not recent:
            continue
        earlier = {}
        ids = {r.id for r in recent}
        for record in history.objects.filter(id__in=ids, history_date__lt=start).order_by(
            "history_date"
        ):
            earlier[record.id] = record  # the last one before the window wins
        chain = defaultdict(list)
        for record in sorted(recent, key=lambda r: r.history_date):
            chain[record.id].append(record)
        for object_id, records in chain.items():
            previous = earlier.get(object_id)
            for record in records:
                changes = []
                if record.history_type == "~" and previous is not None:
                    delta = record.diff_against(previous)
                    changes = [
                        (c.field, _show(c.field, c.old), _show(c.field, c.new))
                        for c in delta.changes
                        if c.field not in HIDDEN
                    ]
                rows.append(
                    {
                        "when": record.history_date,
                        "user": record.history_user.get_username()
                        if record.history_user
                        else "（システム）",
                        "model": model._meta.verbose_name,
                        "object": _label(model, record, indicator_names, project_pids),
                        "action": ACTIONS[record.history_type],
                        "reason": record.history_change_reason or "",
                        "changes": [
                            (model._meta.get_field(f).verbose_name, old, new)
                            for f, old, new in changes
                        ],
                    }
                )
                previous = record
    rows.sort(key=lambda r: r["when"], reverse=True)
    return rows[:limit]


def _label(model, record, indicator_names, project_pids) -> str:
    if model in (IndicatorValue, IndicatorEvaluation):
        name = indicator_names.get(record.indicator_id, "（削除された指標）")
        return f"{name} {fiscal.short_label(record.fiscal_year)}"
    if model is ProjectPhase:
        return (
            f"{project_pids.get(record.project_id, '?')} {fiscal.short_label(record.fiscal_year)}"
        )
    if model is Project:
        return f"【{record.pid}】{record.name}"
    if model is ConfirmedYear:
        return fiscal.long_label(record.fiscal_year)
    for attr in ("name", "title", "code"):
        if hasattr(record, attr):
            return str(getattr(record, attr))
    return f"#{record.id}"
