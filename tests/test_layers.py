"""The house in layers: every module's imports, read from its source, follow CONTRIBUTING.md's rules.

- ``wsgi_stack/`` imports nothing of the project: a reader can lift it into their own;
- ``swapdemo/kernel/`` imports only itself and ``wsgi_stack``;
- an app imports only itself, ``apps.conference``, the kernel and ``wsgi_stack``: never an entry
  point, the registry, a benchmark or another demo (it reaches another demo's service by URL);
- no module takes part in an import cycle, imports under ``TYPE_CHECKING`` and inside functions
  included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("apps", "swapdemo", "wsgi_stack")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
}


def _resolve(name: str) -> str | None:
    """The project module ``name`` names (or the package holding it), ``None`` for a third party's."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports(module: str) -> set[str]:
    """The project modules ``module`` imports, anywhere in its source."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        found.update(target for name in names if (target := _resolve(name)) and target != module)
    return found


GRAPH = {module: imports(module) for module in MODULES}


def _allowed(module: str, target: str) -> bool:
    if module.startswith("wsgi_stack"):
        return target.startswith("wsgi_stack")
    if module.startswith("swapdemo.kernel"):
        return target.startswith(("swapdemo.kernel", "wsgi_stack"))
    if module.startswith("apps."):
        app = ".".join(module.split(".")[:2])
        return target == app or target.startswith(
            (app + ".", "apps.conference", "swapdemo.kernel", "wsgi_stack")
        )
    return True  # the top floor (entry points, registry, runner, benches) may import anything below it


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_module_imports_only_what_its_layer_may(module: str) -> None:
    broken = sorted(target for target in GRAPH[module] if not _allowed(module, target))
    assert not broken, f"{module} may not import {', '.join(broken)}"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module, or of one importing itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_import_cycles() -> None:
    assert _cycles(GRAPH) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_the_import_reader_sees_type_checking_and_function_level_imports(tmp_path: Path) -> None:
    assert "apps.external_login.relying_party" in GRAPH["apps.external_login.views"]
    assert "apps.oidc_provider.server" in GRAPH["apps.oidc_provider.app"]  # imported inside make_app()
    assert "wsgi_stack.serving" in GRAPH["wsgi_stack.transport"]  # Dispatcher, under TYPE_CHECKING


def test_an_app_importing_the_registry_or_another_demo_breaks_the_rule() -> None:
    assert not _allowed("apps.external_login.app", "swapdemo.registry")
    assert not _allowed("apps.external_login.app", "apps.oidc_provider.clients")
    assert not _allowed("wsgi_stack.mount", "swapdemo.kernel.config")
    assert not _allowed("swapdemo.kernel.site", "apps.conference.data")
    assert _allowed("apps.api_datasource.client", "wsgi_stack.transport")
