"""No import cycles, and each top-level package imports only the packages below it.

Every ``.py`` of every top-level package is parsed with :mod:`ast` (nothing is imported, so a
cycle cannot hide behind an import that happens to run first) and the module import graph is built:

- every ``import`` and ``from … import`` anywhere in a module, inside functions too: an import in a
  function runs when the function is called, and can then meet a half-initialised module;
- ``from . import x`` and ``from pkg import x`` point at the submodule ``pkg.x`` when there is one,
  else at ``pkg`` itself (``x`` is then a name defined in ``pkg/__init__.py``);
- importing ``a.b.c`` also runs ``a/__init__.py`` and ``a/b/__init__.py``, so it depends on them
  too, except on the importing module's own packages, which are already being imported;
- imports under ``if TYPE_CHECKING:`` never run. They are left out of the cycle check (a helper
  that annotates its owner, as ``nlu/edge.py`` does ``NluEngine``, cannot fail to import), and kept
  in the layer rules: a package that names a higher layer's types in its annotations still depends
  on that layer (it cannot be type-checked, or read, without it).
"""

from __future__ import annotations

import ast
import tomllib
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Layer rules (docs/architecture.md): for each top-level package, the other top-level packages it may
# NOT import (type-only imports included). shared_nlu is the engine (no web, no database); core is what
# every service is built on and knows none of them; the resident service (chat_platform) and the admin
# depend on core and shared_nlu, never on each other; only the composition root (madoguchi) knows all.
# bench/ measures the shipped packages and is not shipped itself, so none of them imports it.
FORBIDDEN_IMPORTS: dict[str, frozenset[str]] = {
    "shared_nlu": frozenset({"core", "chat_platform", "admin", "madoguchi", "bench"}),
    "core": frozenset({"chat_platform", "admin", "madoguchi", "bench"}),
    "chat_platform": frozenset({"admin", "madoguchi", "bench"}),
    "admin": frozenset({"chat_platform", "madoguchi", "bench"}),
    "madoguchi": frozenset({"bench"}),
}


@dataclass(frozen=True)
class Import:
    target: str  # a module of the project
    line: int
    type_only: bool  # under ``if TYPE_CHECKING:``


def top_level_packages(root: Path = ROOT) -> list[str]:
    """The packages pyproject ships (``packages.find include``) and every folder with an
    ``__init__.py`` (so a new package is checked before anyone adds it to pyproject)."""
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    included = config["tool"]["setuptools"]["packages"]["find"]["include"]
    names = {pattern.rstrip("*").rstrip(".") for pattern in included}
    names |= {init.parent.name for init in root.glob("*/__init__.py")}
    return sorted(name for name in names if (root / name / "__init__.py").is_file())


def module_files(packages: Iterable[str], root: Path = ROOT) -> dict[str, Path]:
    """Module name → file, for every ``.py`` under the packages."""
    modules: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement, anywhere, with whether it sits under ``if TYPE_CHECKING:``."""
    pending: list[tuple[ast.AST, bool]] = [(tree, False)]
    while pending:
        node, type_only = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, type_only
            continue
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            pending.extend((child, True) for child in node.body)
            pending.extend((child, type_only) for child in node.orelse)
            continue
        pending.extend((child, type_only) for child in ast.iter_child_nodes(node))


def _ancestors(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts))]


def imports_of(module: str, path: Path, known: Mapping[str, Path]) -> list[Import]:
    """The project modules ``module`` imports (see the module docstring for what counts)."""
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    found: list[Import] = []

    def add(target: str, line: int, type_only: bool) -> None:
        own = set(_ancestors(module))
        for ancestor in _ancestors(target):  # importing a.b.c runs a/__init__ and a/b/__init__
            if ancestor in known and ancestor not in own and ancestor != module:
                found.append(Import(ancestor, line, type_only))
        if target != module:
            found.append(Import(target, line, type_only))

    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node, type_only in _import_nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _longest_known(alias.name, known)
                if target:
                    add(target, node.lineno, type_only)
            continue
        if node.level:
            base_parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            base = ".".join([*base_parts, *([node.module] if node.module else [])])
        else:
            base = node.module or ""
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            if submodule in known:
                add(submodule, node.lineno, type_only)
            elif base in known:
                add(base, node.lineno, type_only)
    return found


def _longest_known(name: str, known: Mapping[str, Path]) -> str | None:
    parts = name.split(".")
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in known:
            return candidate
    return None


def import_graph(
    packages: Iterable[str], root: Path = ROOT, *, type_only: bool = False
) -> dict[str, dict[str, int]]:
    """module → {imported module: line of the first such import}; ``type_only`` keeps the
    ``TYPE_CHECKING`` imports too."""
    modules = module_files(packages, root)
    graph: dict[str, dict[str, int]] = {module: {} for module in modules}
    for module, path in modules.items():
        for found in imports_of(module, path, modules):
            if type_only or not found.type_only:
                graph[module].setdefault(found.target, found.line)
    return graph


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively (no recursion limit to meet)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def _shortest_cycle_through(start: str, graph: Mapping[str, Iterable[str]], within: set[str]) -> list[str]:
    """The shortest cycle start → … → start inside ``within`` (breadth first)."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph.get(node, ())):
            if child not in within:
                continue
            if child == start:
                chain = [node]
                while chain[-1] != start:
                    chain.append(came_from[chain[-1]])
                return [start, *reversed(chain[:-1]), start]
            if child not in came_from:
                came_from[child] = node
                queue.append(child)
    return []


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """One readable chain per node caught in a cycle (the shortest cycle through it), each cycle
    reported once, starting from its alphabetically first module."""
    found: set[tuple[str, ...]] = set()
    for component in strongly_connected(graph):
        members = set(component)
        if len(component) == 1 and component[0] not in graph.get(component[0], ()):
            continue
        for node in component:
            chain = _shortest_cycle_through(node, graph, members)
            loop = chain[:-1]
            first = loop.index(min(loop))
            found.add(tuple(loop[first:] + loop[:first]))
    return [[*loop, loop[0]] for loop in sorted(found)]


def package_graph(graph: Mapping[str, Mapping[str, int]], depth: int = 1) -> dict[str, set[str]]:
    """Package → the other packages it imports, packages being the first ``depth`` parts of a
    module's name (1: top-level packages; 2: ``shared_nlu.pack``, ``chat_platform.api`` …)."""

    def group(module: str) -> str:
        return ".".join(module.split(".")[:depth])

    packages: dict[str, set[str]] = defaultdict(set)
    for module, targets in graph.items():
        packages[group(module)]  # every package appears, even one that imports nothing
        for target in targets:
            if group(target) != group(module):
                packages[group(module)].add(group(target))
    return dict(packages)


def _cross_package_edges(graph: Mapping[str, Mapping[str, int]], source: str, target: str) -> list[str]:
    return [
        f"{module} → {imported} (line {line})"
        for module, targets in sorted(graph.items())
        if module.split(".")[0] == source
        for imported, line in sorted(targets.items())
        if imported.split(".")[0] == target
    ]


def _show(chains: list[list[str]]) -> str:
    return "\n".join(" → ".join(chain) for chain in chains)


PACKAGES = top_level_packages()
GRAPH = import_graph(PACKAGES)


def test_should_find_every_top_level_package_and_module() -> None:
    assert {"shared_nlu", "core", "chat_platform", "admin", "madoguchi"} <= set(PACKAGES)
    assert "shared_nlu.pack.loader" in GRAPH and "chat_platform.app" in GRAPH and "core.web.app" in GRAPH
    assert "shared_nlu.pack.model" in GRAPH["shared_nlu.pack.loader"]


def test_should_have_no_import_cycle_between_modules() -> None:
    """Every module cycle, across packages too."""
    found = cycles(GRAPH)
    assert not found, (
        "import cycles (each line: a module, what it imports, … back to the first). Break each by "
        "moving what both sides need into a lower module, or by passing it in as a parameter:\n"
        + _show(found)
    )


def test_should_have_no_import_cycle_between_top_level_packages() -> None:
    found = cycles(package_graph(GRAPH))
    assert not found, "top-level packages that import each other:\n" + _show(found)


def test_should_have_no_import_cycle_between_the_sub_packages_of_a_package() -> None:
    """Within one package, its sub-packages form layers too (shared_nlu: pack below nlu below
    dialogue): ``shared_nlu.pack`` importing ``shared_nlu.dialogue`` while dialogue imports pack
    is a cycle even when no two modules import each other."""
    top = {name: name.split(".")[0] for name in package_graph(GRAPH, depth=2)}
    within = {  # edges across top-level packages are the test above's
        name: {target for target in targets if top[target] == top[name]}
        for name, targets in package_graph(GRAPH, depth=2).items()
    }
    found = cycles(within)
    assert not found, "sub-packages that import each other:\n" + _show(found)


@pytest.mark.parametrize("package", sorted(FORBIDDEN_IMPORTS))
def test_should_import_no_higher_layer(package: str) -> None:
    with_types = import_graph(PACKAGES, type_only=True)
    broken = [
        edge
        for forbidden in sorted(FORBIDDEN_IMPORTS[package] & set(PACKAGES))
        for edge in _cross_package_edges(with_types, package, forbidden)
    ]
    assert not broken, (
        f"{package} may not import {', '.join(sorted(FORBIDDEN_IMPORTS[package]))}:\n" + "\n".join(broken)
    )


def test_should_report_a_cycle_as_a_chain_and_resolve_relative_imports(tmp_path: Path) -> None:
    """The checker itself: a three-module cycle through a function-level ``from . import``, a
    ``TYPE_CHECKING`` import left out, and a package ``__init__`` counted when a submodule is imported."""
    (tmp_path / "pyproject.toml").write_text('[tool.setuptools.packages.find]\ninclude = ["alpha*"]\n')
    (tmp_path / "alpha").mkdir()
    (tmp_path / "alpha" / "__init__.py").write_text("")
    (tmp_path / "alpha" / "one.py").write_text("from .two import thing\n")
    (tmp_path / "alpha" / "two.py").write_text("def thing():\n    from . import three\n")
    (tmp_path / "alpha" / "three.py").write_text("import alpha.one\n")
    (tmp_path / "alpha" / "four.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .one import x\nfrom alpha.sub.leaf import y\n"
    )
    (tmp_path / "alpha" / "sub").mkdir()
    (tmp_path / "alpha" / "sub" / "__init__.py").write_text("from alpha import four\n")
    (tmp_path / "alpha" / "sub" / "leaf.py").write_text("")
    assert top_level_packages(tmp_path) == ["alpha"]
    graph = import_graph(["alpha"], tmp_path)
    assert cycles(graph) == [
        ["alpha.four", "alpha.sub", "alpha.four"],
        ["alpha.one", "alpha.two", "alpha.three", "alpha.one"],
    ]
    assert "alpha.one" not in graph["alpha.four"]
    assert "alpha.one" in import_graph(["alpha"], tmp_path, type_only=True)["alpha.four"]
    # a package that names a higher layer's types only for annotations still breaks a layer rule
    (tmp_path / "beta").mkdir()
    (tmp_path / "beta" / "__init__.py").write_text("")
    (tmp_path / "beta" / "low.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from alpha.sub import leaf\n"
    )
    assert top_level_packages(tmp_path) == ["alpha", "beta"]
    assert package_graph(import_graph(["alpha", "beta"], tmp_path))["beta"] == set()
    assert _cross_package_edges(
        import_graph(["alpha", "beta"], tmp_path, type_only=True), "beta", "alpha"
    ) == [
        "beta.low → alpha (line 3)",
        "beta.low → alpha.sub (line 3)",
        "beta.low → alpha.sub.leaf (line 3)",
    ]
