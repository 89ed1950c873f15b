"""Notebooks are stored as .ipynb without outputs (readable diffs) and stay thin."""

from __future__ import annotations

import ast

import nbformat
import pytest
from nbclient import NotebookClient

from basisop.io.study import PROJECT_ROOT

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))


def test_the_five_notebooks_exist():
    assert {p.stem for p in NOTEBOOKS} == {"hoofdstuk", "overzicht", "regio", "uitvoeringsplan",
                                          "verkennen"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs_and_with_stable_ids(path):
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: strip outputs before committing"
            assert cell.execution_count is None
        assert cell.id.startswith("cel-"), "stable cell ids keep diffs readable"
    assert book.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_holds_only_plain_string_assignments(path):
    book = nbformat.read(path, as_version=4)
    tagged = [c for c in book.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    lines = [line for line in tagged[0].source.splitlines() if line and not line.startswith("#")]
    assert lines and all(line.split(" = ")[1] == '""' for line in lines)


# Statements that make a notebook a program of its own: they belong in basisop/, where they
# are tested. A cell calls the library and shows the result; a loop over themes is the most.
_LOGIC = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.While, ast.Try,
          ast.With, ast.Global, ast.Nonlocal)


def logic_in(source: str) -> list[str]:
    """What in a code cell is logic rather than a call: definitions, while, try, with, and a
    loop inside a loop (the cell's IPython magics and shell lines are left out)."""
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())
    found = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, _LOGIC):
            found.append(f"{type(node).__name__} (regel {node.lineno})")
        elif isinstance(node, ast.For) and any(isinstance(inner, ast.For | ast.While)
                                               for inner in ast.walk(node) if inner is not node):
            found.append(f"geneste lus (regel {node.lineno})")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_hold_no_logic(path):
    """Logic lives in basisop/ where it is tested, judged on the parsed code (not on words: a
    string saying "def " is no definition)."""
    book = nbformat.read(path, as_version=4)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert logic_in(cell.source) == [], f"{path.name}, cel {cell.id}"


@pytest.mark.parametrize(("source", "found"), [
    ("def f():\n    return 1", ["FunctionDef (regel 1)"]),
    ("rows = sorted(x, key=lambda r: r[1])", ["Lambda (regel 1)"]),
    ("for a in b:\n    for c in a:\n        show(c)", ["geneste lus (regel 1)"]),
    ("try:\n    x()\nexcept Exception:\n    pass", ["Try (regel 1)"]),
    ("%matplotlib inline\nshow('def f(): class X')", []),
    ("for theme in themes:\n    if theme:\n        show(theme)", []),
])
def test_logic_is_found_by_parsing_not_by_words(source, found):
    assert logic_in(source) == found


@pytest.mark.slow
def test_exploration_notebook_runs_top_to_bottom():
    """Headless, as nbclient and papermill run it: the explorer's widgets, and beside them the
    full fragments, tables, figures and previews as static output."""
    book = nbformat.read(PROJECT_ROOT / "notebooks" / "verkennen.ipynb", as_version=4)
    NotebookClient(book, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(PROJECT_ROOT / "notebooks")}}).execute()
    outputs = [o for c in book.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "codering: 288 rijen gelezen" in text
    data = [o.get("data", {}) for o in outputs]
    assert any("application/vnd.jupyter.widget-view+json" in d for d in data)
    assert book.metadata.widgets  # the widget state is stored with the outputs
    assert sum("image/png" in d for d in data) == 3
    tables = "".join(d.get("text/html", "") for d in data)
    long_fragment = ("De politie en andere partners geven aan dat zij meer gedetailleerde "
                     "informatie nodig hebben om effectief te kunnen handelen.")
    assert long_fragment in tables  # in full, not cut off after 50 characters
    assert tables.count("<iframe") == 2
