"""File formats: how each kind of file is read into texts to scan, one reader per extension.

A reader gets the file's path and a `Scan` (views -> hits) and returns its Findings. Images are
skipped (they hold no text this guard can read); a PDF is read through the text pypdf
extracts; files whose text is compressed or encoded cannot be checked, so they may not pass.
Adding a format is one entry in `READERS`.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from bisect import bisect_right
from collections.abc import Callable, Iterator
from pathlib import Path

from basisop.io.archive_guard import ArchiveRefused, check_members
from basisop.io.paths import input_problem, os_reason
from basisop.privacy.detectors import (
    RULE_UNCHECKABLE,
    Finding,
    Hit,
    findings,
    unique,
)
from basisop.privacy.text import LOOKS_HTML, Mapped, decode_bytes, line_place, views

Scan = Callable[[list[Mapped]], list[Hit]]
Reader = Callable[[Path, Scan], list[Finding]]

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z_/+.-]{0,39}")


def scan_file(path: Path, scan: Scan) -> list[Finding]:
    """Findings in one file, read as its extension says (plain text by default)."""
    return READERS.get(path.suffix.lower(), _scan_text_file)(path, scan)


def scan_text(text: str, name: str, scan: Scan) -> list[Finding]:
    """Findings in a text; HTML recognised by its tags."""
    return findings(name, scan(views(text, html_like=bool(LOOKS_HTML.search(text)))),
                    line_place(text))


def _read(path: Path) -> bytes | Finding:
    reason = input_problem(path)  # /dev/zero, a folder, a symlink loop, over the size cap
    if reason is not None:
        return Finding(str(path), RULE_UNCHECKABLE, f"niet leesbaar: {reason}")
    try:
        return path.read_bytes()
    except OSError as exc:
        return Finding(str(path), RULE_UNCHECKABLE, f"niet leesbaar: {os_reason(exc)}")


def _read_text(path: Path) -> str | Finding:
    data = _read(path)
    if isinstance(data, Finding):
        return data
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Finding(str(path), RULE_UNCHECKABLE, "binair bestand; de inhoud is niet als "
                                                    "tekst te controleren")
    return decode_bytes(data)


def _scan_text_file(path: Path, scan: Scan, *, html: bool = False) -> list[Finding]:
    text = _read_text(path)
    if isinstance(text, Finding):
        return [text]
    return _scan_plain(path, text, scan, html=html)


def _scan_plain(path: Path, text: str, scan: Scan, *, html: bool = False) -> list[Finding]:
    hits = scan(views(text, html_like=html or bool(LOOKS_HTML.search(text))))
    return findings(str(path), hits, line_place(text))


def _scan_markup(path: Path, scan: Scan) -> list[Finding]:
    return _scan_text_file(path, scan, html=True)


class _Pairs(list):
    """A JSON object as its (key, value) pairs: a key given twice keeps both values."""


class _Number(str):
    """A JSON number as written in the file (a phone number may be one)."""


def _scan_json(path: Path, scan: Scan) -> list[Finding]:
    """JSON by what it holds, decoded: every key, string (a notebook's source lines as one
    text), number and SVG image, placed by JSON path. Escapes ("\\n", "\\u00e9") cannot hide a
    datum, and nothing else in a JSON file carries text. A file that is not JSON is read as
    plain text."""
    text = _read_text(path)
    if isinstance(text, Finding):
        return [text]
    try:
        document = json.loads(text, object_pairs_hook=_Pairs, parse_int=_Number,
                              parse_float=_Number)
        return _scan_json_values(path, document, scan)
    except ValueError:
        return _scan_plain(path, text, scan)
    except RecursionError:  # nested deeper than Python recurses: the values cannot be checked
        return [*_scan_plain(path, text, scan),
                Finding(str(path), RULE_UNCHECKABLE, "JSON te diep genest; de waarden zijn "
                                                     "niet te controleren")]


def _scan_json_values(path: Path, document: object, scan: Scan) -> list[Finding]:
    safe: dict[str, bool] = {}  # keys repeat (a notebook has thousands, of a few dozen kinds)

    def safe_key(key: str) -> bool:
        """May a JSON key be named in a place? Only a short plain word that holds no datum."""
        if key not in safe:
            safe[key] = bool(_PLAIN_KEY.fullmatch(key)) and not scan([Mapped(key)])
        return safe[key]

    joined, starts, paths = _joined_strings(document, safe_key)
    hits = scan(views(joined, html_like=bool(LOOKS_HTML.search(joined))))

    def place(offset: int) -> str:
        i = max(bisect_right(starts, offset) - 1, 0)
        return f"JSON-pad {paths[i]}, teken {offset - starts[i] + 1}"

    return unique(findings(str(path), hits, place))


def _scan_zip_xml(path: Path, scan: Scan) -> list[Finding]:
    """Office files are zips of XML: scan every XML part with the tags stripped."""
    data = _read(path)
    if isinstance(data, Finding):
        return [data]
    found: list[Finding] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_members(archive.infolist())  # the shared guard: count, size, zip bombs
            for member in sorted(archive.namelist()):
                if member.endswith((".xml", ".rels", ".vml")):
                    text = decode_bytes(archive.read(member))
                    hits = scan(views(text, html_like=True))
                    place = line_place(text)
                    found += findings(str(path), hits,
                                      lambda o, m=member, p=place: f"onderdeel {m}, {p(o)}")
    except ArchiveRefused as exc:
        return [Finding(str(path), RULE_UNCHECKABLE, f"niet gecontroleerd: {exc}")]
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        return [Finding(str(path), RULE_UNCHECKABLE, f"geen leesbaar Office-bestand ({exc})")]
    return unique(found)


def _scan_pdf(path: Path, scan: Scan) -> list[Finding]:
    """A PDF by the text pypdf extracts from its pages and its metadata."""
    data = _read(path)
    if isinstance(data, Finding):
        return [data]
    try:
        text = pdf_text(data)
    except Exception as exc:  # fail-closed: a PDF we cannot read may not pass
        return [Finding(str(path), RULE_UNCHECKABLE, f"PDF niet te lezen ({type(exc).__name__})")]
    return unique(findings(str(path), scan(views(text, html_like=False)), line_place(text)))


def pdf_text(data: bytes) -> str:
    """A PDF's metadata and the text of its pages, a blank line between pages.

    Raises whatever pypdf raises for a damaged file, and ValueError for an encrypted one.
    """
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise ValueError("versleutelde PDF")
    info = [str(value) for value in (reader.metadata or {}).values()]
    return "\n\n".join([*info, *(page.extract_text() or "" for page in reader.pages)])


def _skip(path: Path, scan: Scan) -> list[Finding]:
    return []


def _opaque(path: Path, scan: Scan) -> list[Finding]:
    return [Finding(str(path), RULE_UNCHECKABLE,
                    f"{path.suffix.lower()}-bestand; de inhoud is niet als tekst te controleren")]


def _joined_strings(document: object, safe_key: Callable[[str], bool]
                    ) -> tuple[str, list[int], list[str]]:
    """Every key, string and number (images but SVG left out), joined by blank lines, with
    where each starts."""
    pieces: list[str] = []
    starts: list[int] = []
    paths: list[str] = []
    length = 0
    for json_path, value in _strings(document, "", safe_key):
        starts.append(length)
        paths.append(json_path or "/")
        pieces.append(value)
        length += len(value) + 2
    return "\n\n".join(pieces), starts, paths


def _strings(node: object, where: str, safe_key: Callable[[str], bool]
             ) -> Iterator[tuple[str, str]]:
    """(JSON path, text) of every key, string and number; a key that might hold a datum is
    shown by number."""
    if isinstance(node, str):
        yield where, node
    elif isinstance(node, _Pairs):
        for number, (key, value) in enumerate(node):
            if key.startswith("image/") and key != "image/svg+xml":  # base64: no text
                continue
            yield from _strings(key, f"{where}/<sleutel {number + 1}>", safe_key)
            shown = key if safe_key(key) else f"<sleutel {number + 1}>"
            yield from _strings(value, f"{where}/{shown}", safe_key)
    elif isinstance(node, list):
        if node and all(type(x) is str for x in node):  # notebook source: lines of one text
            yield where, "".join(node)
            return
        for i, item in enumerate(node):
            yield from _strings(item, f"{where}/{i}", safe_key)


def _each(suffixes: str, reader: Reader) -> dict[str, Reader]:
    return {suffix: reader for suffix in suffixes.split()}


# Per extension; anything else is read as plain text.
READERS: dict[str, Reader] = {
    **_each(".html .htm .xhtml .xml .svg", _scan_markup),
    **_each(".json .ipynb", _scan_json),
    **_each(".xlsx .xlsm .docx .pptx .odt .ods", _scan_zip_xml),
    ".pdf": _scan_pdf,
    **_each(".png .jpg .jpeg .gif .webp .bmp .ico", _skip),
    # Their text is compressed or encoded: it cannot be checked, so it may not pass.
    **_each(".zip .gz .7z .doc .xls .ppt .parquet .pkl", _opaque),
}
