"""The package's layers: imports go one way (core < experiments < analyses < present < cli), without cycles,
modules stay small, and only the command line prints (CONTRIBUTING.md says where a change goes)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "papsim"
LAYERS = ("core", "experiments", "analyses", "present", "cli")
MAX_LINES = 400
TABLE_LIKE = {"registry.py"}  # the parameter table: one entry per parameter, long by nature


def layer(module: str) -> str:
    """The layer of a dotted module name inside papsim (``python -m papsim`` is the command line)."""
    parts = module.split(".")
    if module == "papsim.__main__":
        return "cli"
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS[1:] else "core"


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        found[name] = path
    return found


def _type_only(tree: ast.Module) -> set[int]:
    """The ids of import nodes under ``if TYPE_CHECKING:`` (annotations only; never run)."""
    return {id(n) for block in ast.walk(tree)
            if isinstance(block, ast.If) and isinstance(block.test, ast.Name) and block.test.id == "TYPE_CHECKING"
            for n in ast.walk(block)}


def imports(path: Path, name: str, runtime_only: bool = False) -> set[str]:
    """The papsim modules that a file imports (absolute and relative, at any depth of the file); with
    ``runtime_only``, without the imports made for type annotations alone."""
    out = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text())
    skip = _type_only(tree) if runtime_only else set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "papsim"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if base.split(".")[0] == "papsim":
                out.add(base)
                out |= {f"{base}.{a.name}" for a in node.names}
    return out


MODULES = modules()
GRAPH = {name: {m for m in imports(path, name) if m in MODULES and m != name} for name, path in MODULES.items()}
RUNTIME = {name: {m for m in imports(path, name, runtime_only=True) if m in MODULES and m != name}
           for name, path in MODULES.items()}


def test_the_layers_are_all_there():
    assert {layer(m) for m in MODULES} == set(LAYERS)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_go_one_way(name):
    """A module imports only from its own layer or a lower one."""
    mine = LAYERS.index(layer(name))
    upward = sorted(m for m in GRAPH[name] if LAYERS.index(layer(m)) > mine)
    assert not upward, f"{name} ({layer(name)}) imports from a higher layer: {upward}"


def test_no_import_cycles():
    """No module reaches itself through the imports it runs (package faces excluded: they only re-export)."""
    faces = {m for m, p in MODULES.items() if p.name == "__init__.py"}
    graph = {m: RUNTIME[m] - faces for m in MODULES if m not in faces}
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert not cycles, f"import cycles: {cycles}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name):
    path = MODULES[name]
    if path.name in TABLE_LIKE:
        return
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE.parent)} has {lines} lines (at most {MAX_LINES})"


@pytest.mark.parametrize("name", sorted(m for m in MODULES if layer(m) != "cli"))
def test_only_the_command_line_prints(name):
    calls = [node.lineno for node in ast.walk(ast.parse(MODULES[name].read_text()))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"]
    assert not calls, f"{name} prints (lines {calls}); return the text and let papsim/cli print it"


@pytest.mark.parametrize("name", sorted(m for m in MODULES if layer(m) != "cli"))
def test_only_the_command_line_parses_arguments(name):
    assert "argparse" not in {m.split(".")[0] for m in _stdlib_imports(MODULES[name])}, \
        f"{name} imports argparse; argument parsing belongs in papsim/cli"


def _stdlib_imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            out.add(node.module)
    return out


def test_the_checker_sees_an_upward_import(tmp_path):
    """The checker itself: a core module importing the CLI is caught."""
    bad = tmp_path / "papsim" / "model.py"
    bad.parent.mkdir()
    bad.write_text("from papsim.cli import main\nimport papsim.present.plots\n")
    found = imports(bad, "papsim.model")
    assert "papsim.cli" in found and "papsim.present.plots" in found
    assert LAYERS.index(layer("papsim.cli")) > LAYERS.index(layer("papsim.model"))
