"""From an executed notebook to what is circulated (HTML) and what is kept (the audit notebook).

The HTML is for municipal officials: no code, no prompts, no parameters cell, nothing fetched
from the network (our template replaces the head of nbconvert's lab template: no CDN scripts,
no JupyterLab CSS), images inline, Dutch, and the same bytes for the same inputs. One small
stylesheet serves every page on screen and on A4; each page adds its running title for print.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import nbformat
from markupsafe import Markup
from nbconvert import HTMLExporter
from nbconvert.exporters import html as html_exporter
from nbconvert.preprocessors import Preprocessor

from basisop.model import dutch_date

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
TEMPLATE = "basisop"
CSS = TEMPLATES / TEMPLATE / "static" / "basisop.css"
# Cells the reader never sees: the parameters (given and injected), and cells marked hidden.
HIDDEN_TAGS = frozenset({"parameters", "injected-parameters", "remove_cell", "remove-cell"})


class CirculationPreprocessor(Preprocessor):
    """Drop hidden cells, warnings (stderr) and code cells left without output; fix cell ids.

    Warnings stay in the audit notebook; in a report they would read as faults. A code cell
    without output would still leave an empty block, so it goes. Cell ids appear in the HTML:
    a notebook without them would get random ones, so they are set from the position.
    """

    def preprocess(self, nb, resources):
        kept = []
        for position, cell in enumerate(nb.cells):
            if HIDDEN_TAGS & set(cell.metadata.get("tags", [])):
                continue
            if cell.cell_type == "code":
                cell.outputs = [o for o in cell.outputs
                                if not (o.output_type == "stream" and o.get("name") == "stderr")]
                if not cell.outputs:
                    continue
            if not cell.get("id"):
                cell.id = f"cel-{position:02d}"
            kept.append(cell)
        nb.cells = kept
        return nb, resources


class _Unparsed(str):
    """Stands in for BeautifulSoup in nbconvert's HTML exporter: the page as it is."""

    def __new__(cls, markup: str, features: str | None = None) -> _Unparsed:
        return super().__new__(cls, markup)

    def select(self, selector: str) -> list:
        return []


class CirculationExporter(HTMLExporter):
    """nbconvert's HTML exporter without its last step, a BeautifulSoup pass over the whole page
    that adds an alt text to images without one and a tabindex to each output area. Every figure
    here has its alt text and our template sets the tabindex (templates/basisop/index.html.j2);
    the pass took half of each conversion (more for the overview's SVG)."""

    def from_notebook_node(self, nb, resources=None, **kw):
        parse = html_exporter.BeautifulSoup  # AttributeError: nbconvert changed; look again
        html_exporter.BeautifulSoup = _Unparsed
        try:
            return super().from_notebook_node(nb, resources, **kw)
        finally:
            html_exporter.BeautifulSoup = parse


@lru_cache(maxsize=1)
def _exporter() -> HTMLExporter:
    exporter = CirculationExporter(
        template_name=TEMPLATE, extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
        exclude_anchor_links=True, embed_images=True, language_code="nl", theme="light",
        # The notebook is validated once, after the preprocessors, not after each of them
        # (a dozen validations of every output per page).
        optimistic_validation=True)
    exporter.register_preprocessor(CirculationPreprocessor(), enabled=True)
    return exporter


@lru_cache(maxsize=1)
def warm_exporter() -> None:
    """Build the exporter and convert a small notebook, once per process. The first conversion
    compiles nbconvert's templates and loads its filters (about a quarter of a second); done in
    the parent before the workers fork, no worker pays for it again."""
    v4 = nbformat.v4
    output = v4.new_output("display_data", data={"text/html": "<p>.</p>"})
    circulation_html(v4.new_notebook(cells=[v4.new_markdown_cell("# ."),
                                            v4.new_code_cell(outputs=[output])]), ".")


def circulation_html(nb: nbformat.NotebookNode, title: str) -> str:
    """The executed notebook as self-contained Dutch HTML, with `title` in <title>."""
    # The template prefers the title over the file name. A copy of the top level only: nbconvert
    # copies the whole notebook before it changes anything.
    nb = nbformat.NotebookNode({**nb, "metadata": nbformat.NotebookNode({**nb.metadata,
                                                                         "title": title})})
    page_css = page_title_css(title, concept=_shows_concept(nb))
    body, _ = _exporter().from_notebook_node(
        nb, resources={"metadata": {"name": title}, "bo_page_css": page_css})
    return body


# The marking presentation puts at the top of a concept page; print repeats it on every page.
CONCEPT_CLASS = 'class="bo-concept"'


def _shows_concept(nb: nbformat.NotebookNode) -> bool:
    return any(CONCEPT_CLASS in "".join(output.get("data", {}).get("text/html", ""))
               for cell in nb.cells for output in cell.get("outputs", []))


def page_title_css(title: str, *, concept: bool = False) -> Markup:
    """A <style> that prints `title` at the top of every A4 page (a CSS @page margin box), and
    CONCEPT at the top right of every page of a concept.

    The title is written with CSS escapes for everything but letters and digits, so no text from
    a study can end the string or the <style> element. Spaces too: CSS swallows one space after
    an escape.
    """
    escaped = "".join(c if c.isalnum() else f"\\{ord(c):06x}" for c in title)
    marking = ' @top-right { content: "CONCEPT"; }' if concept else ""
    return Markup(f'<style type="text/css">@page {{ @top-left {{ content: "{escaped}"; }}'
                  f"{marking} }}</style>")


# papermill and nbclient record wall-clock times; the audit copy should differ only when the
# inputs or the results do, so these go.
_TIMING_KEYS = ("start_time", "end_time", "duration")


def audit_notebook(nb: nbformat.NotebookNode) -> str:
    """The executed notebook as kept for audit: everything, minus run timestamps."""
    # Copies of what changes (the metadata, cell ids); the outputs are shared, read only.
    nb = nbformat.NotebookNode({**nb, "metadata": copy.deepcopy(nb.metadata),
                                "cells": [nbformat.NotebookNode(
                                    {**cell, "metadata": copy.deepcopy(cell.metadata)})
                                    for cell in nb.cells]})
    for key in _TIMING_KEYS:
        nb.metadata.get("papermill", {}).pop(key, None)
    papermill = nb.metadata.get("papermill", {})
    if papermill.get("input_path"):  # an absolute path on the analyst's machine
        papermill["input_path"] = Path(papermill["input_path"]).name
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for key in _TIMING_KEYS:
            cell.metadata.get("papermill", {}).pop(key, None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"  # papermill gives it a random id
    return nbformat.writes(nb) + "\n"


# -- the index ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class IndexEntry:
    naam: str
    code: str
    href: str | None  # None: no chapter published (yet)
    regio: str = ""


def index_html(study, chapters: Sequence[IndexEntry], regio: str | None, *,
               runs: Mapping[str, str] | None = None, run: str = "",
               plan: str | None = None, regions: Sequence[IndexEntry] = (),
               overview: str | None = None) -> str:
    """The study's front page: name, wave, data date and a link to every report.

    `runs`: page file -> the run that wrote it (the manifest's); `run`: this run. A page kept
    from an earlier run (held back, failed, or not selected) says so beside its link.
    With regions, `regions` links each region's comparison (its `code` holds the number of
    units), chapters are listed under their region, and `overview` links the national overview.
    """
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             autoescape=True, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True)
    template = env.get_template("study_index.html.j2")
    return template.render(study=study, datum=dutch_date(study.datum), chapters=chapters,
                           regio=regio, plan=plan, css=CSS.read_text(encoding="utf-8"),
                           page_css=page_title_css(study.naam, concept=study.is_concept),
                           version=version(), runs=runs or {}, run=run, regions=regions,
                           overview=overview)


def version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("basisop")
    except PackageNotFoundError:  # running from a source tree that was never installed
        import basisop

        return getattr(basisop, "__version__", "onbekend")
