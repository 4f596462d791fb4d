"""Load a plan edition from the reviewable YAML fixtures (see fixtures/FORMAT.md).

``plan_load_yaml`` validates the whole directory first and raises ``PlanFixtureError``
listing every problem as "file: path: what is wrong"; only then it replaces the edition with
the same slug in one transaction, so loading twice leaves the same data.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.db import transaction

from interchange.plandata import (
    FIELD_ATTRS,
    PLAN_FIELDS,
    PlanData,
    PlanDiff,
    issue_code,
    layout_names,
    plan_apply,
)
from kpis.models import Indicator
from kpis.values import InvalidValue, parse_value
from projects.models import Project, ProjectPhase, split_aliases
from strategy import fiscal
from strategy.models import Department, Field, Municipality, Plan, PriorityIssue
from strategy.naturalsort import natural_key


class PlanFixtureError(Exception):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class _Reader:
    """Collects errors while reading, so one run reports every problem."""

    errors: list[str] = field(default_factory=list)
    where: str = ""

    def fail(self, path: str, message: str) -> None:
        self.errors.append(f"{self.where}: {path}: {message}")

    def year(self, path: str, raw) -> int | None:
        try:
            return fiscal.parse_year(raw)
        except ValueError as exc:
            self.fail(path, str(exc))
            return None

    def value(self, path: str, raw) -> tuple[Decimal | None, str]:
        try:
            return parse_value(raw)
        except InvalidValue as exc:
            self.fail(path, str(exc))
            return None, ""

    def text(self, raw) -> str:
        return "" if raw is None else str(raw).strip()

    def limited(self, path: str, raw, model: type, name: str) -> str:
        """Text for a model CharField: refused when longer than its max_length."""
        text = self.text(raw)
        limit = model._meta.get_field(name).max_length
        if limit is not None and len(text) > limit:
            self.fail(path, f"長すぎます（{len(text):,} 文字、上限 {limit:,} 文字）")
        return text

    def unknown_keys(self, path: str, doc, known: set[str]) -> None:
        """A misspelt key would otherwise be dropped without a word."""
        if isinstance(doc, dict):
            unknown = sorted(str(k) for k in doc if k not in known)
            if unknown:
                self.fail(path, f"不明な項目: {unknown}")


PLAN_KEYS = {
    "slug",
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
    "labels",
}
FIELD_KEYS = {"number", *FIELD_ATTRS}
PROJECT_KEYS = {
    "pid",
    "aliases",
    "name",
    "summary",
    "department",
    "leading",
    "steps",
    "in_table",
    "phases",
    "indicators",
}


def _read_yaml(path: Path, reader: _Reader):
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh) or {}
    except yaml.YAMLError as exc:
        reader.errors.append(f"{path.name}: YAML として読めません: {exc}")
        return {}


def plan_dirs(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if (p / "plan.yaml").is_file())


def plan_load_yaml(directory: Path) -> tuple[Plan, PlanDiff]:
    reader = _Reader()
    reader.where = "plan.yaml"
    head = _read_yaml(directory / "plan.yaml", reader)
    issue_docs = []
    for path in sorted((directory / "issues").glob("*.yaml")):
        issue_docs.append((path.name, _read_yaml(path, reader)))
    if reader.errors:
        raise PlanFixtureError(reader.errors)
    built = _build(head, issue_docs, reader)
    if reader.errors:
        raise PlanFixtureError(reader.errors)
    return _write(built)


@dataclass
class _Built:
    municipality: dict
    plan: dict
    departments: list[str]
    fields: list[dict]
    issues: list[dict]


def _build(head: dict, issue_docs: list[tuple[str, dict]], r: _Reader) -> _Built:
    r.where = "plan.yaml"
    p = head.get("plan") or {}
    labels = p.get("labels") or {}
    plan = {
        "slug": r.text(p.get("slug")),
        "title": r.text(p.get("title")),
        "baseline_year": r.year("plan.baseline_year", p.get("baseline_year")),
        "start_year": r.year("plan.start_year", p.get("start_year")),
        "end_year": r.year("plan.end_year", p.get("end_year")),
        "report_year": r.year("plan.report_year", p.get("report_year")),
        "status": r.text(p.get("status") or "draft"),
        "layout": r.text(p.get("layout") or Plan._meta.get_field("layout").default),
        "introduction": r.text(p.get("introduction")),
        "vision_lead": r.text(p.get("vision_lead")),
        **{f"label_{k}": r.text(v) for k, v in labels.items()},
    }
    r.unknown_keys("plan", p, PLAN_KEYS)
    layouts = layout_names()
    if plan["layout"] not in layouts:
        r.fail(
            "plan.layout",
            f"不明な文書の形式です: {plan['layout']}（{' / '.join(layouts)} のいずれか）",
        )
    for key in ("planned_as_of", "actual_as_of"):
        raw = p.get(key)
        plan[key] = None
        if raw:
            try:
                plan[key] = fiscal.parse_year_month(str(raw))
            except ValueError as exc:
                r.fail(f"plan.{key}", str(exc))
    if not plan["slug"]:
        r.fail("plan.slug", "必須です")
    bad_labels = set(labels) - {"field", "issue", "challenge", "step", "project", "kpi", "activity"}
    if bad_labels:
        r.fail("plan.labels", f"不明な項目: {sorted(bad_labels)}")
    years_ok = None not in (plan["baseline_year"], plan["end_year"], plan["start_year"])
    value_years = (
        set(fiscal.year_range(min(plan["baseline_year"], plan["start_year"]), plan["end_year"]))
        if years_ok
        else set()
    )
    period_years = (
        set(fiscal.year_range(plan["start_year"], plan["end_year"])) if years_ok else set()
    )
    departments = [r.text(d) for d in head.get("departments") or []]
    fields = []
    for fi, f in enumerate(head.get("fields") or []):
        path = f"fields[{fi}]"
        r.unknown_keys(path, f, FIELD_KEYS)
        try:
            number = int(f["number"])
        except (KeyError, TypeError, ValueError):
            r.fail(f"{path}.number", "分野の番号（整数）は必須です")
            continue
        fields.append(
            {
                "number": number,
                **{
                    name: r.limited(f"{path}.{name}", f.get(name), Field, name)
                    for name in FIELD_ATTRS
                },
            }
        )
        if not fields[-1]["name"]:
            r.fail(f"{path}.name", "必須です")
    field_numbers = {f["number"] for f in fields}

    issues = []
    pids: dict[str, str] = {}
    for filename, doc in issue_docs:
        r.where = filename
        issue = _build_issue(doc, r, value_years, period_years, set(departments), field_numbers)
        for proj in issue["projects"]:
            if proj["pid"] in pids:
                r.fail(f"projects[{proj['pid']}]", f"PID が {pids[proj['pid']]} と重複しています")
            pids[proj["pid"]] = filename
        issues.append(issue)
    _check_aliases(r, issues, pids)
    return _Built(head.get("municipality") or {}, plan, departments, fields, issues)


def _check_aliases(r: _Reader, issues: list[dict], pids: dict[str, str]) -> None:
    """A PID の別表記 names one project only: never a PID of the plan (its own included),
    never the alias of another project."""
    seen: dict[str, str] = {}
    for issue in issues:
        r.where = issue["filename"]
        for proj in issue["projects"]:
            path = f"projects[{proj['pid']}].aliases"
            for alias in split_aliases(proj["aliases"]):
                if alias == proj["pid"]:
                    r.fail(path, f"別表記「{alias}」が PID と同じです")
                elif alias in pids:
                    r.fail(
                        path,
                        f"別表記「{alias}」はほかのプロジェクトの PID です（{pids[alias]}）",
                    )
                elif alias in seen:
                    r.fail(
                        path, f"別表記「{alias}」はプロジェクト {seen[alias]} の別表記でもあります"
                    )
                else:
                    seen[alias] = proj["pid"]


def _values(r: _Reader, path: str, doc: dict, value_years: set[int]) -> dict[int, dict]:
    out: dict[int, dict] = {}
    for column in ("planned", "actual"):
        for key, raw in (doc.get(column) or {}).items():
            year = r.year(f"{path}.{column}.{key}", key)
            if year is None:
                continue
            if year not in value_years:
                r.fail(f"{path}.{column}.{key}", "計画の年度範囲外です")
                continue
            number, mark = r.value(f"{path}.{column}.{key}", raw)
            slot = out.setdefault(year, {})
            slot[f"{column}_number"], slot[f"{column}_mark"] = number, mark
    return out


def _yearly_texts(r: _Reader, path: str, raw: dict | None) -> dict[int, object]:
    out = {}
    for key, value in (raw or {}).items():
        year = r.year(f"{path}.{key}", key)
        if year is not None:
            out[year] = value
    return out


def _build_issue(doc, r, value_years, period_years, departments, field_numbers) -> dict:
    issue = {
        "filename": r.where,
        "field": doc.get("field"),
        "kind": r.text(doc.get("kind") or "priority"),
        "number": doc.get("number"),
        "category": r.text(doc.get("category")),
        "title": r.text(doc.get("title")),
        "situation": r.text(doc.get("situation")),
        "actions": r.text(doc.get("actions")),
        "texts": {},
        "challenges": [],
        "projects": [],
    }
    if issue["field"] not in field_numbers:
        r.fail("field", f"plan.yaml にない分野番号です: {issue['field']}")
    if issue["kind"] not in PriorityIssue.Kind.values:
        r.fail("kind", f"不明な種別です: {issue['kind']}")
    for year, t in _yearly_texts(r, "texts", doc.get("texts")).items():
        issue["texts"][year] = {
            "goal_summary": r.text((t or {}).get("goal_summary")),
            "business_summary": r.text((t or {}).get("business_summary")),
        }
    step_codes = set()
    for ci, c in enumerate(doc.get("challenges") or []):
        path = f"challenges[{ci}]"
        ch = {
            "number": c.get("number"),
            "title": r.text(c.get("title")),
            "target_title": r.text(c.get("target_title")),
            "target_text": r.text(c.get("target_text")),
            "goals": {
                y: r.text(t) for y, t in _yearly_texts(r, f"{path}.goals", c.get("goals")).items()
            },
            "steps": [],
            "kpis": [],
        }
        for si, s in enumerate(c.get("steps") or []):
            code = r.text(s.get("code"))
            if code in step_codes:
                r.fail(f"{path}.steps[{si}]", f"ステップ {code} が重複しています")
            step_codes.add(code)
            ch["steps"].append({"code": code, "title": r.text(s.get("title"))})
        for ki, k in enumerate(c.get("kpis") or []):
            ch["kpis"].append(_build_indicator(r, f"{path}.kpis[{ki}]", k, value_years, ki))
            ch["kpis"][-1]["evaluations"] = {
                y: r.text(t)
                for y, t in _yearly_texts(
                    r, f"{path}.kpis[{ki}].evaluations", k.get("evaluations")
                ).items()
            }
        issue["challenges"].append(ch)
    for pi, pr in enumerate(doc.get("projects") or []):
        pid = r.text(pr.get("pid"))
        path = f"projects[{pid or pi}]"
        if not pid:
            r.fail(path, "PID は必須です")
        r.unknown_keys(path, pr, PROJECT_KEYS)
        aliases = "、".join(
            split_aliases(r.limited(f"{path}.aliases", pr.get("aliases"), Project, "aliases"))
        )
        dept = r.text(pr.get("department"))
        if dept and dept not in departments:
            r.fail(f"{path}.department", f"plan.yaml にない部局です: {dept}")
        steps = [r.text(s) for s in pr.get("steps") or []]
        for code in steps:
            if code not in step_codes:
                r.fail(f"{path}.steps", f"存在しないステップです: {code}")
        phases = {}
        for key, mark in (pr.get("phases") or {}).items():
            year = r.year(f"{path}.phases.{key}", key)
            if year is None:
                continue
            if year not in period_years:
                r.fail(f"{path}.phases.{key}", "計画期間外の年度です")
                continue
            try:
                phases[year] = ProjectPhase.phase_for_mark(str(mark))
            except ValueError as exc:
                r.fail(f"{path}.phases.{key}", str(exc))
        issue["projects"].append(
            {
                "pid": pid,
                "aliases": aliases,
                "name": r.text(pr.get("name")),
                "summary": r.text(pr.get("summary")),
                "department": dept or None,
                "is_leading": bool(pr.get("leading")),
                "in_table": pr.get("in_table", True) is not False,
                "steps": steps,
                "phases": phases,
                "indicators": [
                    _build_indicator(r, f"{path}.indicators[{ii}]", ind, value_years, ii)
                    for ii, ind in enumerate(pr.get("indicators") or [])
                ],
            }
        )
    return issue


def _build_indicator(
    r: _Reader, path: str, doc: dict, value_years: set[int], position: int
) -> dict:
    ind = {
        "name": r.text(doc.get("name")),
        "unit": r.text(doc.get("unit")),
        "formula": r.text(doc.get("formula")),
        "direction": r.text(doc.get("direction") or "higher"),
        "position": position,
        "values": _values(r, path, doc, value_years),
        "baseline_year": None,
        "baseline_value": None,
        "target_year": None,
        "target_value": None,
    }
    if not ind["name"]:
        r.fail(path, "指標名は必須です")
    if ind["direction"] not in Indicator.Direction.values:
        r.fail(f"{path}.direction", f"higher か lower にしてください: {ind['direction']}")
    for key in ("baseline", "target"):
        spec = doc.get(key)
        if spec:
            ind[f"{key}_year"] = r.year(f"{path}.{key}.year", spec.get("year"))
            number, mark = r.value(f"{path}.{key}.value", spec.get("value"))
            if mark:
                r.fail(f"{path}.{key}.value", "基準値・目標値は数値で指定してください")
            ind[f"{key}_value"] = number
    return ind


@transaction.atomic
def _write(b: _Built) -> tuple[Plan, PlanDiff]:
    muni, _ = Municipality.objects.get_or_create(
        code=str(b.municipality.get("code")), defaults={"name": b.municipality.get("name")}
    )
    if muni.name != b.municipality.get("name"):  # saved only when it changed: no empty history
        muni.name = b.municipality.get("name")
        muni.save()
    for name in b.departments:
        Department.objects.get_or_create(municipality=muni, name=name)
    plan = Plan.objects.filter(slug=b.plan["slug"]).first()
    attrs = {k: v for k, v in b.plan.items() if k != "slug"}
    if plan is None:
        plan = Plan(municipality=muni, slug=b.plan["slug"], **attrs)
        plan.full_clean()
        plan.save()
    elif plan.municipality_id != muni.pk:
        raise PlanFixtureError([f"{plan.slug}: 別の自治体の計画と同じスラッグです"])
    return plan, plan_apply(plan=plan, data=_plan_data(b, plan))


def _plan_data(b: _Built, plan: Plan) -> PlanData:
    data = PlanData()
    data.plan = {name: getattr(plan, name) for name in PLAN_FIELDS}
    data.plan.update({k: v for k, v in b.plan.items() if k in PLAN_FIELDS})
    data.fields = {f["number"]: {name: f[name] for name in FIELD_ATTRS} for f in b.fields}
    for issue in b.issues:
        code = issue_code(issue["field"], issue["kind"], issue["number"])
        data.issues[code] = {
            "field": issue["field"],
            "category": issue["category"],
            "title": issue["title"],
            "situation": issue["situation"],
            "actions": issue["actions"],
            "department": _lead_department(issue["projects"]) or "",
        }
        for year, t in issue["texts"].items():
            for kind in ("goal_summary", "business_summary"):
                if t[kind]:
                    data.texts[(kind, code, year)] = t[kind]
        for c in issue["challenges"]:
            ckey = (code, c["number"])
            data.challenges[ckey] = {
                "title": c["title"],
                "target_title": c["target_title"],
                "target_text": c["target_text"],
            }
            for year, text in c["goals"].items():
                data.texts[("goal", ckey, year)] = text
            for s in c["steps"]:
                data.steps[(*ckey, s["code"])] = {"title": s["title"]}
            for k in c["kpis"]:
                key = ("kpi", *ckey, k["name"])
                data.kpis[key] = _indicator_attrs(k)
                _indicator_values(data, key, k)
                for year, text in k["evaluations"].items():
                    data.texts[("evaluation", key, year)] = text
        for pr in issue["projects"]:
            data.projects[pr["pid"]] = {
                "aliases": pr["aliases"],
                "issue": code,
                "name": pr["name"],
                "summary": pr["summary"],
                "department": pr["department"] or "",
                "is_leading": pr["is_leading"],
                "in_table": pr["in_table"],
                "steps": tuple(sorted(pr["steps"], key=natural_key)),
                "phases": tuple(sorted(pr["phases"].items())),
            }
            for ind in pr["indicators"]:
                key = ("activity", pr["pid"], ind["name"])
                data.activities[key] = _indicator_attrs(ind)
                _indicator_values(data, key, ind)
    return data


def _indicator_attrs(ind: dict) -> dict:
    return {
        name: ind[name]
        for name in (
            "unit",
            "formula",
            "direction",
            "position",
            "baseline_year",
            "baseline_value",
            "target_year",
            "target_value",
        )
    }


def _indicator_values(data: PlanData, key, ind: dict) -> None:
    for year, v in ind["values"].items():
        data.values[(key, year)] = (
            v.get("planned_number"),
            v.get("planned_mark", ""),
            v.get("actual_number"),
            v.get("actual_mark", ""),
        )


def _lead_department(projects: list[dict]) -> str | None:
    """The documents name no department per priority issue: its KPIs go to the department
    that leads most of its projects (the first in document order on a tie)."""
    counts: dict[str, int] = {}
    for pr in projects:
        if pr["department"]:
            counts[pr["department"]] = counts.get(pr["department"], 0) + 1
    return max(counts, key=counts.get) if counts else None
