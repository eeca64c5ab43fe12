"""How the reports app's modules depend on each other (issue #11): no import cycle, and tasks.py is
the only module that queues work, imported by nothing but views and commands (and tests)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "perfgoals" / "reports"
PACKAGE = "perfgoals.reports"


def _imports(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports, at its top or inside a function."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            # "from . import tasks" names a module, not an attribute
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _app_graph() -> dict[str, set[str]]:
    modules = {f"{PACKAGE}.{path.stem}": path for path in APP.glob("*.py") if path.stem != "__init__"}
    return {name: _imports(path) & set(modules) for name, path in modules.items()}


def test_the_reports_modules_import_each_other_without_a_cycle():
    graph = _app_graph()
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        assert name not in path, " → ".join([*path, name])
        if name in done:
            return
        for other in sorted(graph[name]):
            visit(other, [*path, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


def test_only_tasks_queues_work():
    for path in APP.glob("*.py"):
        imports = _imports(path)
        if path.stem != "tasks":
            assert not any(name == "celery" or name.startswith("celery.") for name in imports), path.name
        source = path.read_text(encoding="utf-8")
        if path.stem not in ("tasks",):
            assert ".delay(" not in source and "on_commit(" not in source, path.name


def test_tasks_is_imported_by_views_and_commands_only():
    importers = {
        path.relative_to(ROOT).as_posix()
        for folder in ("perfgoals", "projects", "config")
        for path in (ROOT / folder).rglob("*.py")
        if f"{PACKAGE}.tasks" in _imports(path)
    }
    allowed = {"perfgoals/reports/views.py"}
    assert {
        name for name in importers if name not in allowed and "/management/commands/" not in name
    } == set()


def test_the_word_document_reads_the_wording_not_the_workflows():
    imports = _app_graph()[f"{PACKAGE}.docx_report"]
    assert imports <= {f"{PACKAGE}.wording"}, imports
