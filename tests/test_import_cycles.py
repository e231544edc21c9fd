"""No two modules of chipshift import each other, directly or round a longer loop: at import time (module-level
imports, outside ``if TYPE_CHECKING``) nowhere, and for the pairs that once did, not even through an import
deferred into a function."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

#: Modules that imported each other, and must not again (even by an import inside a function).
ONCE_CYCLIC = (("chipshift.web.app", "chipshift.web.routes"), ("chipshift.web.report", "chipshift.web.market_report"),
               ("chipshift.ingest.kb", "chipshift.ingest.entities"))


def _modules() -> dict[str, Path]:
    found = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path], deferred: bool) -> set[str]:
    """The chipshift modules ``name`` imports: at module level, or (``deferred``) anywhere but under
    ``if TYPE_CHECKING``."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()

    def visit(body: Iterable[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse)
            elif isinstance(node, ast.Import):
                out.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, *([node.module] if node.module else [])])
                out.update(f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names)
            elif isinstance(node, (ast.If, ast.Try, ast.With)):
                for block in (node.body, getattr(node, "orelse", []), getattr(node, "finalbody", [])):
                    visit(block)
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)
            elif deferred and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.For)):
                visit(node.body)

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return {m for m in out if m in modules and m != name}


def _graph(deferred: bool, packages: bool = False) -> dict[str, set[str]]:
    """Who imports whom; with ``packages``, a module imports the packages it sits in too (Python runs their
    ``__init__`` first)."""
    modules = _modules()
    graph = {name: _imports(name, path, modules, deferred) for name, path in modules.items()}
    for name in graph if packages else ():
        parts = name.split(".")
        graph[name] |= {".".join(parts[:i]) for i in range(1, len(parts))} & set(modules) - {name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    """Whether ``start`` imports ``goal`` (or a module under it), directly or through others."""
    seen, todo = {start}, [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt == goal or nxt.startswith(goal + "."):
                return True
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


#: Packages whose ``__init__`` imports their own modules at import time (a loop through the package only).
EAGER_PACKAGES = ("chipshift.market",)


def test_no_import_cycle_at_import_time() -> None:
    assert _cycles(_graph(deferred=False)) == []
    through_packages = _cycles(_graph(deferred=False, packages=True))
    assert all(m.startswith(EAGER_PACKAGES) for group in through_packages for m in group), through_packages


def test_the_cycles_once_named_do_not_come_back() -> None:
    graph = _graph(deferred=True)
    for a, b in ONCE_CYCLIC:
        starts = [m for m in graph if m == b or m.startswith(b + ".")]
        assert not (_reaches(graph, a, b) and any(_reaches(graph, s, a) for s in starts)), (a, b)


def test_the_check_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert not _reaches({"a": {"b"}, "b": set()}, "b", "a")
