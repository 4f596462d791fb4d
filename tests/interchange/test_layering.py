"""The interchange app sits above the model apps: nothing in them imports it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODEL_APPS = ("strategy", "projects", "kpis")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_it_no_model_app_imports_the_interchange_app():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for app in MODEL_APPS
        for path in (ROOT / app).rglob("*.py")
        for module in _imports(path)
        if module == "interchange" or module.startswith("interchange.")
    ]
    assert offenders == []
