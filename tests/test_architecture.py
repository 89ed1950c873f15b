"""The layers of the README's architecture table, checked on the imports themselves."""

from __future__ import annotations

import ast

from basisop.io.study import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "basisop"
# layer -> the layers it may import (besides itself); the README's table says the same.
ALLOWED = {
    "model": set(),
    "io": {"model"},
    "scoring": {"model", "io"},
    "compare": {"model", "io", "scoring"},
    "presentation": {"model", "io", "scoring", "compare"},
    "privacy": {"model", "io"},
    "batch": {"model", "io", "scoring", "privacy"},  # scoring: --gewijzigd fingerprints
    "workbench": {"model", "io", "scoring", "presentation"},
    "cli": {"model", "io", "scoring", "compare", "presentation", "privacy", "batch"},
    # The package's front door: basisop.open_study, imported only when called.
    "root": {"workbench"},
}


def _layer(module: str) -> str:
    """basisop.io.refi.codebook -> io; basisop.problems belongs to the model layer."""
    if module == "basisop.__init__":
        return "root"
    name = module.split(".")[1] if "." in module else "model"
    return "model" if name in ("problems", "__init__") else name


def _imports(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("basisop"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("basisop")}
    return found


def test_every_module_imports_only_the_layers_below_it():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
        layer = _layer(module)
        assert layer in ALLOWED, f"{module}: a layer the README does not name"
        for imported in _imports(path):
            target = _layer(imported)
            if target != layer and target not in ALLOWED[layer]:
                wrong.append(f"{module} imports {imported}")
    assert wrong == []
