"""Issue #11: the whole-plan workbook through the real LibreOffice Calc.

Each demo plan is exported as .xlsx and as .ods, re-saved by LibreOffice as .xlsx and as
.ods (``soffice --convert-to``), and read back: no change. Then Calc edits the export
through UNO the way a person would — an actual typed as "45%" into a percent KPI, a
project renamed, a project row copied under a new PID, a project row deleted — and the
preview shows exactly those changes, which applying stores.

LibreOffice runs once per file: the conversions are made once per module (fixtures) and
each edit is one soffice session. Skipped where LibreOffice is missing, failed under CI=true
(tests/interchange/libreoffice.py).
"""

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from interchange.formats import FORMATS
from interchange.plandata import plan_data
from interchange.workbook import layout as L
from interchange.workbook import ods
from interchange.workbook.export import workbook_export
from interchange.workbook.importer import workbook_import
from projects.models import Project
from strategy import fiscal
from strategy.models import Plan
from strategy.naturalsort import natural_key
from tests.conftest import DEMO_SLUGS
from tests.interchange.libreoffice import edit_with_uno, require, resave

pytestmark = [pytest.mark.libreoffice, pytest.mark.django_db]

FMTS = list(FORMATS)  # xlsx, ods


@pytest.fixture(scope="module")
def lo_dir(tmp_path_factory) -> Path:
    require()
    return tmp_path_factory.mktemp("libreoffice")


@pytest.fixture(scope="module")
def exported(lo_dir, demo_plans, django_db_blocker) -> dict[tuple[str, str], Path]:
    """(slug, format) → our export of the unchanged demo plan."""
    out = {}
    with django_db_blocker.unblock():
        for slug in DEMO_SLUGS:
            plan = Plan.objects.get(slug=slug)
            for fmt in FMTS:
                path = lo_dir / f"export-{fmt}" / f"{slug}.{fmt}"
                path.parent.mkdir(exist_ok=True)
                path.write_bytes(workbook_export(plan, fmt))
                out[(slug, fmt)] = path
    return out


@pytest.fixture(scope="module")
def resaved(lo_dir, exported):
    """resaved(slug, source format, target format) → the export as LibreOffice saves it
    (converted once per module)."""
    cache: dict[tuple[str, str, str], Path] = {}

    def get(slug: str, source: str, target: str) -> Path:
        key = (slug, source, target)
        if key not in cache:
            cache[key] = resave(exported[(slug, source)], target, lo_dir / f"{source}-to-{target}")
        return cache[key]

    return get


def _plan(slug: str) -> Plan:
    return Plan.objects.get(slug=slug)


def _no_change(content: bytes, plan: Plan) -> None:
    diff = workbook_import(content, plan=plan, dry_run=True).diff
    details = [f"{c.label} {c.attribute}: {c.old!r} → {c.new!r}" for c in diff.changed[:10]]
    assert diff.total == 0, "\n".join(
        [
            diff.summary_text(),
            *details,
            f"created {diff.created[:5]}",
            f"deleted {diff.deleted[:5]}",
        ]
    )


@pytest.mark.parametrize("target", FMTS)
@pytest.mark.parametrize("source", FMTS)
@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_libreoffice_resave_imports_without_change(slug, source, target, resaved):
    _no_change(resaved(slug, source, target).read_bytes(), _plan(slug))


@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_libreoffice_keeps_the_hidden_list_sheet_and_drop_downs(slug, resaved):
    wb = openpyxl.load_workbook(resaved(slug, "ods", "xlsx"))
    assert wb[L.CHOICES].sheet_state == "hidden"
    formulas = {
        dv.formula1 for ws in wb for dv in ws.data_validations.dataValidation if dv.formula1
    }
    assert f"{L.CHOICES}!$A$2:$A$200" in {f.replace("'", "") for f in formulas}
    book = ods.open_book(resaved(slug, "xlsx", "ods").read_bytes())
    assert book.sheetnames == [*L.SHEETS, L.CHOICES]


# --- edits in Calc ------------------------------------------------------------------------


def _single_row_projects(data) -> list[str]:
    """PIDs with one row on the sheet (at most one activity indicator), in sheet order."""
    rows: dict[str, int] = {}
    for key in data.activities:
        rows[key[1]] = rows.get(key[1], 0) + 1
    return sorted((p for p in data.projects if rows.get(p, 0) <= 1), key=natural_key)


def _owned(data, pid: str) -> set:
    """The rows a project brings: itself, its activity indicators and their values."""
    keys = {("projects", pid)}
    for key in data.activities:
        if key[1] == pid:
            keys.add(("activities", key))
    for key in data.values:
        if key[0][0] == "activity" and key[0][1] == pid:
            keys.add(("values", key))
    return keys


def _renamed(data, new_pid: str, source: str) -> set:
    out = set()
    for collection, key in _owned(data, source):
        if collection == "projects":
            out.add((collection, new_pid))
        elif collection == "activities":
            out.add((collection, (key[0], new_pid, key[2])))
        else:
            out.add((collection, ((key[0][0], new_pid, key[0][2]), key[1])))
    return out


def _edits(plan: Plan) -> dict:
    """The edits of one Calc session and the changes the preview must show."""
    data = plan_data(plan)
    kpi = next(k for k in sorted(data.kpis) if data.kpis[k]["unit"] == "%")
    year = plan.report_year - 1 if plan.report_year - 1 in plan.value_years else plan.value_years[0]
    current = data.values.get((kpi, year))
    typed = Decimal(46) if current and current[2] == 45 else Decimal(45)
    renamed, copied, deleted = _single_row_projects(data)[:3]
    new_pid = f"{copied}-LO"
    assert new_pid not in data.projects
    new_name = data.projects[renamed]["name"][:40] + "（Calc で改名）"
    challenge = f"{kpi[1]}-{kpi[2]} {data.challenges[(kpi[1], kpi[2])]['title']}"
    ops = [
        {"op": "view", "sheet": L.PROJECTS},
        {"op": "view", "sheet": L.KPIS},
        {"op": "view", "sheet": L.CHOICES},
        {
            "op": "type",
            "sheet": L.KPIS,
            "where": {"KPI": kpi[3], "課題": challenge},
            "column": f"{fiscal.short_label(year)}実績",
            "input": f"{typed}%",
        },
        {
            "op": "text",
            "sheet": L.PROJECTS,
            "where": {"PID": renamed},
            "column": "名称",
            "text": new_name,
        },
        {"op": "copy_row", "sheet": L.PROJECTS, "where": {"PID": copied}, "text": {"PID": new_pid}},
        {"op": "delete_rows", "sheet": L.PROJECTS, "where": {"PID": deleted}},
    ]
    value_key = (kpi, year)
    changed = {("projects", renamed, "name")}
    created = _renamed(data, new_pid, copied)
    if current is None:
        created.add(("values", value_key))
    else:
        changed.add(("values", value_key, "value"))
    return {
        "ops": ops,
        "kpi": kpi,
        "year": year,
        "typed": typed,
        "value_key": value_key,
        "before": current,
        "renamed": renamed,
        "new_name": new_name,
        "copied": copied,
        "new_pid": new_pid,
        "deleted": deleted,
        "changed": changed,
        "created": created,
        "deleted_keys": _owned(data, deleted),
    }


@pytest.fixture(scope="module")
def calc_edited(lo_dir, exported, demo_plans, django_db_blocker):
    """edited(slug, format) → (the export edited in Calc and saved in that format, edits);
    one soffice session per file, made once per module."""
    cache = {}

    def get(slug: str, fmt: str):
        if (slug, fmt) not in cache:
            with django_db_blocker.unblock():
                edits = _edits(_plan(slug))
            path = edit_with_uno(
                exported[(slug, fmt)], edits["ops"], lo_dir / f"edited-{slug}.{fmt}"
            )
            cache[(slug, fmt)] = (path, edits, edit_with_uno.last)
        return cache[(slug, fmt)]

    return get


@pytest.mark.parametrize("fmt", FMTS)
@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_calc_edits_preview_exactly_and_apply(slug, fmt, calc_edited):
    path, edits, results = calc_edited(slug, fmt)
    plan = _plan(slug)
    # what Calc saw: the frozen header row and the hidden list sheet
    projects_view, kpi_view, choices_view = results[:3]
    assert projects_view["visible"] and not choices_view["visible"]
    assert projects_view["frozen"] == [7, 1] and kpi_view["frozen"] == [4, 1]
    content = path.read_bytes()

    preview = workbook_import(content, plan=plan, dry_run=True)
    diff = preview.diff
    assert not preview.applied
    assert {(c.collection, c.key, c.attribute) for c in diff.changed} == edits["changed"]
    assert set(diff.created) == edits["created"]
    assert set(diff.deleted) == edits["deleted_keys"]
    by_key = {(c.collection, c.key): c for c in diff.changed}
    rename = by_key[("projects", edits["renamed"])]
    assert rename.new == edits["new_name"]
    if edits["before"] is not None:
        value = by_key[("values", edits["value_key"])]
        assert value.new[2] == edits["typed"]  # 45 %, not 0.45 and not 4500
        assert value.new[0] == value.old[0]  # the planned value is left as it was

    applied = workbook_import(content, plan=plan, dry_run=False, user=None)
    assert applied.applied and applied.diff.total == diff.total
    assert Project.objects.get(plan=plan, pid=edits["renamed"]).name == edits["new_name"]
    copy = Project.objects.get(plan=plan, pid=edits["new_pid"])
    assert copy.name == Project.objects.get(plan=plan, pid=edits["copied"]).name
    assert not Project.objects.filter(plan=plan, pid=edits["deleted"]).exists()
    stored = plan_data(plan).values[edits["value_key"]]
    assert stored[2] == edits["typed"] and stored[3] == ""
    _no_change(content, plan)  # everything the file says is now stored


def test_missing_libreoffice_skips_locally_but_fails_under_ci(monkeypatch):
    from tests.interchange import libreoffice

    monkeypatch.setattr(libreoffice, "missing", lambda: "LibreOffice (soffice) is not installed")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="not installed"):
        libreoffice.require()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true but LibreOffice"):
        libreoffice.require()


TRICKY_TEXTS = [
    "=1+2",
    "@cmd",
    "-x",
    "  前後の空白  ",
    "a   b",
    "タブ\tの後",
    "行1\n行2\n\n行4",
    "CR\r\nLF",  # read back as "CR\nLF", as from an .xlsx
    "lone\rCR",
    "<&>\"'",
    "1-01",
    "45%",
]


@pytest.mark.parametrize("target", FMTS)
def test_text_written_to_ods_survives_libreoffice(target, lo_dir):
    """Spaces, tabs, CRs, line breaks and formula-like text, as our .ods writes them, are
    what Calc reads and saves again (Calc reads cell text as it stands)."""
    writer = ods.OdsWriter()
    sheet = writer.sheet("文字", ["本文", "値"], {})
    for text in TRICKY_TEXTS:
        sheet.row([text, Decimal("12.5")], frozenset({1}))
    source = lo_dir / "tricky" / "tricky.ods"
    source.parent.mkdir(exist_ok=True)
    source.write_bytes(writer.save())
    book = FORMATS[target].open(resave(source, target, lo_dir / f"tricky-{target}").read_bytes())
    try:
        rows = [cells for _, cells in book.rows("文字")][1:]
    finally:
        book.close()
    assert [r[0].value for r in rows] == [t.replace("\r\n", "\n") for t in TRICKY_TEXTS]
    assert {(r[0].kind, r[1].kind) for r in rows} == {("text", "percent")}
    assert {Decimal(str(r[1].value)) for r in rows} == {Decimal("0.125")}
