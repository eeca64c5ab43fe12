"""projects/ is the lower layer: organisations, memberships, scoping, projects and the generic list
machinery. perfgoals builds on it, never the other way round, so nothing under projects/ (migrations
included) may import perfgoals. Imports are read with ast, not by importing the modules, so an import
inside a function or behind a condition counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = "perfgoals"


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """Every module a file imports (``root`` is the directory of the top-level packages), relative
    imports resolved against the file's package."""
    module = _module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            # `from . import x` and `from pkg import module` name modules too
            found.update(f"{target}.{alias.name}" for alias in node.names if alias.name != "*")
    return found


def _is_forbidden(name: str) -> bool:
    return name == FORBIDDEN or name.startswith(FORBIDDEN + ".")


PROJECT_FILES = sorted((ROOT / "projects").rglob("*.py"))


def test_the_files_are_found():
    assert ROOT / "projects" / "models.py" in PROJECT_FILES
    assert any("migrations" in path.parts for path in PROJECT_FILES)


@pytest.mark.parametrize("path", PROJECT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_projects_imports_nothing_from_perfgoals(path):
    offending = sorted(name for name in imported_modules(path) if _is_forbidden(name))
    assert not offending, f"{path.relative_to(ROOT)} imports {offending}"


def test_the_check_sees_every_kind_of_import(tmp_path):
    """The parser itself: absolute, from-, relative and nested imports all resolve to their module."""
    package = tmp_path / "projects" / "sub"
    package.mkdir(parents=True)
    source = package / "mod.py"
    source.write_text(
        "import perfgoals.models\n"
        "from perfgoals import scoring\n"
        "from .. import models\n"
        "from ..tables import X\n"
        "from . import sibling\n"
        "def f():\n"
        "    import perfgoals.engine as engine\n",
        encoding="utf-8",
    )
    names = imported_modules(source, root=tmp_path)
    assert {"perfgoals.models", "perfgoals", "perfgoals.scoring", "perfgoals.engine"} <= names
    assert {"projects.models", "projects.tables", "projects.sub.sibling"} <= names
    assert not any(name.startswith("..") or name.startswith(".") for name in names)
