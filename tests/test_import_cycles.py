"""The project's modules import each other without cycles, and the engine imports nothing of the rest.

(`tests/test_layering.py` checks that `projects/` imports nothing from `perfgoals/`.)

Imports are read from the source with ``ast`` (nothing is imported), including those inside
functions: a cycle hidden in a function body still ties two modules together, and it is exactly the
kind the layout forbids (a service queueing its own task). A package's ``__init__`` counts as the
module ``package``; ``from package import name`` points at ``package.name`` when that is a module of
its own, otherwise at the package. The implicit import of a parent package is not an edge: Python
runs ``a/__init__`` before ``a.b`` whatever ``a.b`` imports, so it closes no loop of ours.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOP_PACKAGES = ("config", "projects", "perfgoals")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    """Every importable module of the project (migrations included, tests excluded)."""
    modules = {}
    for top in TOP_PACKAGES:
        for path in sorted((ROOT / top).rglob("*.py")):
            modules[_module_name(path)] = path
    return modules


def _resolve(module: str, path: Path, level: int, name: str | None) -> str:
    """The absolute name of ``from <level dots><name>`` written in ``module``."""
    if not level:
        return name or ""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{name}" if name else package


def import_graph() -> dict[str, set[str]]:
    """module → the project modules it imports (anywhere in its body)."""
    modules = project_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(module, path, node.level, node.module)
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    targets.append(submodule if submodule in modules else base)
            for target in targets:
                # `import a.b.c` or an unknown tail: the longest known prefix is what is imported
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != module:
                    graph[module].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_the_cycle_finder_sees_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_reads_imports_inside_functions():
    graph = import_graph()
    assert graph, "no project modules were found"
    # perfgoals/urls.py imports its views; a reader that missed that would see no edges at all
    assert any(target.startswith("perfgoals.") for target in graph["perfgoals.urls"])


def test_no_import_cycles_among_the_projects_modules():
    found = cycles(import_graph())
    assert not found, "import cycles: " + "; ".join(" ↔ ".join(c) for c in found)


def test_the_engine_imports_nothing_of_the_project_outside_it():
    graph = import_graph()
    wrong = sorted(
        f"{module} → {target}"
        for module, targets in graph.items()
        if module.startswith("perfgoals.engine")
        for target in targets
        if not target.startswith("perfgoals.engine")
    )
    assert not wrong, ", ".join(wrong)
