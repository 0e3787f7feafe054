"""The shape of geo/: stage packages in order, no import circles, no streamlit, short functions.

Imports are read with ``ast`` (nothing is imported), so the test sees imports inside functions
too: a lazy import still makes a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.paths import ROOT

GEO = ROOT / "geo"

#: The stages in the order data flows, with the packages beside them; a package may import only
#: the packages before it (and the top-level helpers: settings, _errors, fmt, geometry).
ORDER = ["safety", "areas", "store", "intake", "realization", "reach", "plan", "outputs"]
TOP_HELPERS = {"settings", "_errors", "fmt", "geometry"}
MAX_FUNCTION_LINES = 150
MAX_TOP_MODULES = 10


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(GEO.rglob("*.py"))}


def resolve(name: str) -> str | None:
    """The geo module a dotted name refers to (a module, or a name inside one)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str) -> set[str]:
    """The geo modules ``module`` imports, at any depth of its code."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from geo.plan import calendar`` imports a module; ``from geo.fmt import number``
            # a name inside one.
            names = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names
            ]
        else:
            continue
        for name in names:
            target = resolve(name) if name.startswith("geo") else None
            if target and target != module:
                found.add(target)
    return found


GRAPH = {m: imports_of(m) for m in MODULES}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle, as a path that starts and ends at the same module; None if none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ORDER) else None


def test_no_import_circle_between_geo_modules():
    cycle = find_cycle(GRAPH)
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_circles_through_lazy_imports():
    # The check itself must be able to fail: a circle of three, one edge a lazy import.
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    lazy = ast.parse("def f():\n    from geo.plan import calendar\n")
    assert any(isinstance(n, ast.ImportFrom) for n in ast.walk(lazy))


def test_stages_import_only_earlier_stages():
    backwards = []
    for module, targets in GRAPH.items():
        own = stage(module)
        if own is None:
            continue
        for target in targets:
            other = stage(target)
            if other is None:
                top = target.split(".")[1] if "." in target else target
                if top not in TOP_HELPERS:
                    backwards.append(f"{module} -> {target} (a stage imports {top})")
            elif ORDER.index(other) > ORDER.index(own):
                backwards.append(f"{module} -> {target}")
    assert not backwards, "imports against the order of the stages:\n" + "\n".join(backwards)


def test_geo_never_imports_streamlit():
    offenders = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                offenders.append(f"{module}:{node.lineno}")
    assert not offenders, offenders


def long_functions(path: Path, limit: int) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    return [
        f"{where}:{node.lineno} {node.name} ({length} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (length := node.end_lineno - node.lineno + 1) > limit
    ]


def test_no_function_over_150_lines():
    found = [f for p in MODULES.values() for f in long_functions(p, MAX_FUNCTION_LINES)]
    assert not found, "functions over 150 lines (docstring included):\n" + "\n".join(found)


def test_long_function_check_counts_the_docstring(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(148))
    source = tmp_path / "m.py"
    source.write_text(f'def f():\n    """Doc."""\n{body}\n')  # 150 lines: allowed
    assert long_functions(source, MAX_FUNCTION_LINES) == []
    source.write_text(f'def f():\n    """Doc\n    more."""\n{body}\n')  # 151 lines
    assert len(long_functions(source, MAX_FUNCTION_LINES)) == 1


def test_the_top_of_geo_holds_few_modules_and_the_stage_packages():
    top = sorted(p.name for p in GEO.glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, top
    packages = sorted(p.name for p in GEO.iterdir() if (p / "__init__.py").is_file())
    assert packages == sorted(ORDER)


@pytest.mark.parametrize("package", ORDER)
def test_every_stage_says_what_it_takes_and_hands_on(package):
    doc = ast.get_docstring(ast.parse((GEO / package / "__init__.py").read_text("utf-8")))
    assert doc and len(doc.splitlines()[0]) > 20, f"geo/{package}/__init__.py has no docstring"
    modules = sorted(p.stem for p in (GEO / package).glob("*.py") if p.stem != "__init__")
    missing = [m for m in modules if not m.startswith("_") and f"``{m}``" not in doc]
    assert not missing, f"geo/{package}/__init__.py does not name its modules {missing}"


def test_tests_mirror_the_stage_packages():
    """Each test folder is a stage of geo/, and each test file there is named after a module of
    it (``test_network.py``, or ``test_database_safety.py`` for one aspect of ``database``)."""
    strays = []
    for folder in sorted(p for p in (ROOT / "tests").iterdir() if p.is_dir()):
        if folder.name in ("data", "__pycache__"):
            continue
        if folder.name not in ORDER:
            strays.append(f"tests/{folder.name}/ is not a stage of geo/")
            continue
        for test in folder.glob("test_*.py"):
            stem = test.stem.removeprefix("test_")
            modules = [p.stem for p in (GEO / folder.name).glob("*.py")]
            if not any(stem == m or stem.startswith(m + "_") for m in modules):
                strays.append(f"tests/{folder.name}/{test.name} has no geo/{folder.name} module")
    assert not strays, "\n".join(strays)
