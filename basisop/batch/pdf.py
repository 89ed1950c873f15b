"""PDF copies of the circulated pages, printed by a headless Chromium where one is installed.

Chromium prints a page as a reader's browser would, with the pages' own print stylesheet (A4,
landscape pages for wide tables, page numbers and the study's name on every page). Its PDFs
differ between runs only in their creation and modification dates; those become the study's
data date, so a rerun gives the same bytes. The browser's user-agent string, which Chromium
writes as the PDF's creator, is replaced by basisop's name.

Out of scope: finding a browser that is not on PATH under a usual name, and PDF/A.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

# Names under which Debian, Ubuntu, Fedora, Homebrew links and Google install the browser.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
                  "chrome")
_FLAGS = ("--headless", "--disable-gpu", "--no-pdf-header-footer", "--no-first-run",
          "--disable-extensions", "--disable-sync", "--disable-background-networking",
          "--disable-component-update", "--disable-dev-shm-usage", "--lang=nl")


class PdfError(Exception):
    """Chromium could not print a page; the message is Dutch and names the page."""


def find_chromium() -> str | None:
    """The path of a Chromium or Chrome on PATH, or None."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(page: Path, *, chromium: str, datum: str, timeout: int = 120) -> bytes:
    """The HTML file `page` printed to PDF, with `datum` (YYYY-MM-DD) as its dates.

    Raises PdfError when Chromium fails, times out or writes nothing.
    """
    with tempfile.TemporaryDirectory(prefix="basisop-pdf-") as tmp:
        out = Path(tmp) / "pagina.pdf"
        command = [chromium, *_FLAGS, f"--user-data-dir={Path(tmp) / 'profiel'}",
                   f"--print-to-pdf={out}", page.resolve().as_uri()]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium refuses to start as root otherwise
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(f"{page.name}: Chromium gaf na {timeout} s geen PDF") from None
        except OSError as exc:
            raise PdfError(f"{page.name}: Chromium start niet ({exc.strerror or exc})") from None
        if not out.is_file() or out.stat().st_size == 0:
            raise PdfError(f"{page.name}: Chromium schreef geen PDF (afsluitcode "
                           f"{done.returncode})")
        return fixed_metadata(out.read_bytes(), datum)


def fixed_metadata(pdf: bytes, datum: str) -> bytes:
    """The PDF with its dates set to `datum` and basisop as its creator: the same every run."""
    from pypdf import PdfReader, PdfWriter

    day = datum.replace("-", "")
    stamp = f"D:{day}000000Z" if len(day) == 8 and day.isdigit() else "D:19700101000000Z"
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_metadata({"/CreationDate": stamp, "/ModDate": stamp, "/Creator": "basisop"})
    _relative_links(writer)
    _stable_structure_ids(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _relative_links(writer) -> None:
    """Links to sibling pages ('uitvoeringsplan.html#pga') as the page wrote them: Chromium
    makes them absolute file:// URLs of wherever it printed, which would differ per run and
    point into a temporary folder."""
    from pypdf.generic import NameObject, TextStringObject

    for page in writer.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            uri = action.get_object().get("/URI") if action is not None else None
            if uri is not None and str(uri).startswith("file://"):
                action.get_object()[NameObject("/URI")] = TextStringObject(
                    str(uri).rsplit("/", 1)[-1])


def _stable_structure_ids(writer) -> None:
    """The tagged structure's element ids as 1, 2, 3 ... in the order Chromium gave them.

    Chromium names them after its internal node numbers ('node00000038'), which shift from one
    print to the next; renumbered by rank, the id tree's names keep their sorted order.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    root = writer.root_object.get("/StructTreeRoot")
    if root is None:
        return
    structure, seen, todo = [], set(), [root]
    while todo:  # every structure element, each once
        node = todo.pop().get_object()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, DictionaryObject):
            structure.append(node)
            kids = node.get("/K")
            kids = kids.get_object() if kids is not None else None
            todo += list(kids) if isinstance(kids, ArrayObject) else [kids] if kids else []
    elements = [node for node in structure if "/ID" in node]
    if not elements:
        return
    old = sorted({str(e["/ID"]) for e in elements}, key=lambda i: (len(i), i))
    new = {name: TextStringObject(f"node{rank:08d}") for rank, name in enumerate(old, 1)}
    for element in elements:
        element[NameObject("/ID")] = new[str(element["/ID"])]
    for node in structure:  # a table cell names its header cells by id
        attributes = node.get("/A")
        attributes = attributes.get_object() if attributes is not None else None
        for attribute in attributes if isinstance(attributes, ArrayObject) else [attributes]:
            attribute = attribute.get_object() if attribute is not None else None
            if isinstance(attribute, DictionaryObject) and "/Headers" in attribute:
                attribute[NameObject("/Headers")] = ArrayObject(
                    new.get(str(h), h) for h in attribute["/Headers"].get_object())
    tree = root.get_object().get("/IDTree")
    todo = [tree] if tree is not None else []
    while todo:  # the name tree: its /Names pairs and /Limits, leaf by leaf
        node = todo.pop().get_object()
        for key in ("/Names", "/Limits"):
            values = node.get(key)
            if values is not None:
                values = values.get_object()
                for i, value in enumerate(values):
                    if isinstance(value, str) and str(value) in new:
                        values[i] = new[str(value)]
        todo += list(node.get("/Kids", []))
