"""No import cycles between the service packages, nor between any two modules of `app`.

Imports are read from the source with `ast` (function-level imports included: a cycle hidden in a
function is still a cycle of knowledge), so the test needs nothing to be importable.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The `app` modules a file imports (a package's `__init__` counts for `from package import x`
    only when x is not itself a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = []
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                names.append(candidate if candidate in modules else node.module)
        else:
            continue
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name.startswith("app"):
                found.add(name)
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module_name(path): path for path in APP.rglob("*.py")}
    modules = set(files)
    return {name: _imports(path, modules) - {name} for name, path in files.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _package(module: str) -> str | None:
    """`app.services.<package>` of a service module, or None outside the services."""
    parts = module.split(".")
    if len(parts) >= 3 and parts[:2] == ["app", "services"]:
        return ".".join(parts[:3])
    return None


def test_no_cycle_between_modules():
    graph = _graph()
    # A package's __init__ that re-exports its own modules is its public face, not a cycle.
    for name in graph:
        graph[name] = {target for target in graph[name] if not name.startswith(target + ".")}
    assert _cycles(graph) == []


def test_no_cycle_between_service_packages():
    packages: dict[str, set[str]] = {}
    for module, targets in _graph().items():
        source = _package(module)
        if source is None:
            continue
        packages.setdefault(source, set()).update(
            target for target in map(_package, targets) if target is not None and target != source)
    assert _cycles(packages) == []


@pytest.mark.parametrize("module", ["app.services.platform.jobs", "app.services.platform.mail"])
def test_the_ground_floor_imports_no_domain(module):
    graph = _graph()
    domains = {target for target in graph[module] if target.startswith("app.services.")
               and not target.startswith("app.services.platform")}
    assert domains == set()
