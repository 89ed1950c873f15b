"""The wegingskader as a REFI-QDA codebook (.qdc), and reading codebooks from other tools.

Every code carries a GUID derived from the framework id (uuid5), so a re-export is byte-identical
and an import recognises basisop's codes by GUID. Tools that re-mint GUIDs keep names and
descriptions; the description's first line holds the framework id for that case.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from basisop.io.atomic import atomic_write_bytes
from basisop.io.refi.archive import (
    MAX_CODE_DEPTH,
    QdpxError,
    children,
    local_name,
    namespace,
    parse_xml,
    read_file_capped,
)
from basisop.model import COLOURS, STATUS_COLOUR, Framework, Study

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
# Fixed forever: changing it would re-mint every GUID and break matching of coded projects.
GUID_NAMESPACE = uuid.UUID("3b0f3c8e-6a51-5d0c-9d0e-7f6a2c4b8e15")
KEY_PREFIX = "basisop"
# The traffic-light colours of the report figures (presentation.STATUS_PLOT_COLOUR).
OORDEEL_NAME = "Oordeel"
# Some tools cut long code names (MAXQDA); the id at the start survives and is what is matched.
MAX_NAME_CHARS = 63
_KEY = re.compile(r"^\s*basisop:(thema|subthema|checklist|oordeel)(?::(\S+))?\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Target:
    """What a code stands for in the framework. kind: thema, subthema, checklist, oordeel, map."""

    kind: str
    id: str = ""
    subtheme: str = ""  # the subtheme of a checklist item, or the subtheme itself

    @property
    def is_evidence(self) -> bool:
        return self.kind in ("subthema", "checklist")


@dataclass(frozen=True)
class QdaCode:
    """A code from a REFI codebook, flattened; `path` names it with its parents."""

    guid: str
    name: str
    description: str
    codable: bool
    color: str
    parent: str | None
    path: tuple[str, ...]

    @property
    def label(self) -> str:
        return " / ".join(self.path)


def normalize_guid(value: str | None) -> str:
    """GUIDs come in any case and with or without braces."""
    return (value or "").strip().strip("{}").strip().lower()


def key_of(kind: str, ident: str = "") -> str:
    return f"{KEY_PREFIX}:{kind}:{ident}" if ident else f"{KEY_PREFIX}:{kind}"


def guid_of(key: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, key))


def parse_key(description: str) -> tuple[str, str] | None:
    """The framework key in a code's description ('basisop:subthema:x' -> ('subthema', 'x'))."""
    match = _KEY.search(description or "")
    return (match.group(1), match.group(2) or "") if match else None


def framework_targets(framework: Framework) -> dict[str, Target]:
    """Every framework key basisop exports, with what it stands for."""
    targets = {key_of("oordeel"): Target("map", "oordeel")}
    targets.update({key_of("oordeel", s.value): Target("oordeel", s.value) for s in COLOURS})
    for theme in framework.themas:
        targets[key_of("thema", theme.id)] = Target("thema", theme.id)
        for sub in theme.subthemas:
            targets[key_of("subthema", sub.id)] = Target("subthema", sub.id, sub.id)
            for item in sub.checklist:
                targets[key_of("checklist", item.id)] = Target("checklist", item.id, sub.id)
    return targets


# --- export ---------------------------------------------------------------------------------

def codebook_bytes(framework: Framework) -> bytes:
    """The codebook as UTF-8 bytes; the same framework always gives the same bytes."""
    # No program version in the file: a new basisop release must not change the codebook.
    root = ET.Element("CodeBook", {"xmlns": CODEBOOK_NS,
                                   "origin": f"basisop; {framework.naam} {framework.versie}"})
    root.append(codes_element(framework))
    ET.indent(root, space="  ")
    text = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text + "\n").encode("utf-8")


def codes_element(framework: Framework) -> ET.Element:
    """The <Codes> of the codebook, unqualified: it takes the namespace of its document (a
    codebook or a project)."""
    codes = ET.Element("Codes")
    for theme in framework.themas:
        theme_code = _code(codes, key_of("thema", theme.id), theme.naam, False,
                           _theme_text(theme))
        for sub in theme.subthemas:
            sub_code = _code(theme_code, key_of("subthema", sub.id), sub.naam, True,
                             _subtheme_text(sub, theme.naam))
            for item in sub.checklist:
                _code(sub_code, key_of("checklist", item.id), _short(f"{item.id} {item.tekst}"),
                      True, f"{key_of('checklist', item.id)}\nChecklistpunt van subthema "
                            f"'{sub.naam}': {item.tekst}")
    _oordeel_branch(codes, framework)
    return codes


def write_codebook(study: Study, path: Path) -> None:
    """Write the study's framework as a REFI-QDA codebook (.qdc), atomically."""
    atomic_write_bytes(Path(path), codebook_bytes(study.framework))


def _code(parent: ET.Element, key: str, name: str, codable: bool, description: str,
          color: str | None = None) -> ET.Element:
    attributes = {"guid": guid_of(key), "name": name, "isCodable": "true" if codable else "false"}
    if color:
        attributes["color"] = color
    code = ET.SubElement(parent, "Code", attributes)
    ET.SubElement(code, "Description").text = description
    return code


def _theme_text(theme) -> str:
    return (f"{key_of('thema', theme.id)}\nThema '{theme.naam}' van het wegingskader (map): codeer "
            f"met een subthema of checklistpunt.\n\n{theme.toelichting}").rstrip()


def _subtheme_text(sub, theme_name: str) -> str:
    lines = [key_of("subthema", sub.id),
             f"Subthema '{sub.naam}' (thema {theme_name}). Codeer een passage hiermee of met een "
             "checklistpunt eronder, en geef dezelfde passage een Oordeel-code.",]
    if sub.aliassen:
        lines.append("Ook genoemd: " + "; ".join(sub.aliassen))
    return "\n".join(lines) + (f"\n\n{sub.toelichting}" if sub.toelichting else "")


def _oordeel_branch(codes: ET.Element, framework: Framework) -> None:
    branch = _code(codes, key_of("oordeel"), OORDEEL_NAME, False,
                   f"{key_of('oordeel')}\nHet oordeel van de respondent over het subthema: pas "
                   "groen, oranje of rood toe op dezelfde (of een overlappende) passage als het "
                   "subthema of checklistpunt.")
    for status in COLOURS:
        meaning = framework.legenda.get(status, "")
        _code(branch, key_of("oordeel", status.value), status.label, True,
              f"{key_of('oordeel', status.value)}\n{status.label}"
              + (f": {meaning}" if meaning else ""), STATUS_COLOUR[status])


def _short(name: str) -> str:
    return name if len(name) <= MAX_NAME_CHARS else name[:MAX_NAME_CHARS - 1].rstrip() + "…"


# --- reading ----------------------------------------------------------------------------------

def parse_codes(codes: ET.Element | None, file: str) -> list[QdaCode]:
    """Flatten a <Codes> element, parents before children; a Code without guid is refused."""
    if codes is None:
        return []
    found: list[QdaCode] = []
    stack = [(child, None, ()) for child in reversed(children(codes, "Code"))]
    while stack:
        element, parent, path = stack.pop()
        if len(path) >= MAX_CODE_DEPTH:
            raise QdpxError(file, f"codes zijn dieper genest dan {MAX_CODE_DEPTH} niveaus")
        code = _read_code(element, parent, path, file)
        found.append(code)
        stack += [(child, code.guid, code.path) for child in reversed(children(element, "Code"))]
    return found


def _read_code(element: ET.Element, parent: str | None, path: tuple[str, ...],
               file: str) -> QdaCode:
    guid = normalize_guid(element.get("guid"))
    name = element.get("name") or ""
    if not guid:
        raise QdpxError(file, f"code '{name}' heeft geen guid")
    description = next((d.text or "" for d in children(element, "Description")), "")
    return QdaCode(guid=guid, name=name, description=description,
                   codable=(element.get("isCodable") or "").strip().lower() in ("true", "1"),
                   color=element.get("color") or "", parent=parent, path=(*path, name))


def read_codebook(path: Path | str) -> list[QdaCode]:
    """The codes of a .qdc file (any namespace variant); QdpxError when it cannot be read."""
    path = Path(path)
    root = parse_xml(read_file_capped(path), path.name)
    if local_name(root.tag) != "CodeBook":
        raise QdpxError(path.name, f"geen REFI-QDA codeboek: het hoofdelement is "
                                   f"'{local_name(root.tag)}', verwacht 'CodeBook'")
    ns = namespace(root.tag)
    if ns and not ns.startswith("urn:QDA-XML:codebook:"):
        raise QdpxError(path.name, f"onbekende XML-namespace '{ns}' voor een codeboek")
    codes = next(iter(children(root, "Codes")), None)
    if codes is None:
        raise QdpxError(path.name, "het codeboek heeft geen <Codes>")
    return parse_codes(codes, path.name)
