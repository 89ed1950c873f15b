"""A REFI-QDA project (.qdpx) read into plain values: codes, text sources, selections, cases.

Tolerant of what real tools write: namespace variants, GUIDs in any case or braces, inline text
or text files under 'sources/' in any case, bare file names, a UTF-8 BOM. Positions stay as the
file gives them; positions.py decides how to read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree.ElementTree import Element

from basisop.io.refi.archive import (
    QdpxError,
    SafeArchive,
    children,
    local_name,
    namespace,
    parse_xml,
)
from basisop.io.refi.codebook import QdaCode, normalize_guid, parse_codes
from basisop.io.tables import decode
from basisop.problems import WARNING, Problem

PROJECT_NAMESPACES = ("urn:QDA-XML:project:1.0", "urn:QDA-XML:project:0:4",
                      "urn:QDA-XML:project:1:0")
_OTHER_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
_VALUE_ELEMENTS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue",
                   "DateTimeValue")


@dataclass(frozen=True)
class Selection:
    guid: str
    source: str  # the TextSource's guid
    start: int   # as written in the file; the unit is decided per file
    end: int
    codes: tuple[str, ...]  # code guids, in file order


@dataclass
class TextSource:
    guid: str
    name: str
    text: str | None  # None: no plain text could be read
    selections: list[Selection] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)  # variable guid -> value


@dataclass(frozen=True)
class Case:
    guid: str
    name: str
    variables: dict[str, str]  # variable guid -> value
    sources: frozenset[str]
    selections: frozenset[str]


@dataclass
class Project:
    file: str
    name: str
    origin: str
    namespace: str
    codes: list[QdaCode]
    sources: list[TextSource]
    cases: list[Case]
    variables: dict[str, str]  # guid -> name
    problems: list[Problem] = field(default_factory=list)

    def warn(self, reason: str) -> None:
        self.problems.append(Problem(self.file, reason, severity=WARNING))

    @property
    def selections(self) -> list[Selection]:
        return [s for source in self.sources for s in source.selections]


def read_project(path: Path | str) -> Project:
    """Read a .qdpx safely (see archive.py); QdpxError when it is unsafe or unreadable."""
    path = Path(path)
    with SafeArchive(path) as archive:
        qde = _project_member(archive)
        root = parse_xml(archive.read(qde), f"{archive.name}/{qde}")
        project = _project(root, archive.name)
        for element in _all(root, "Sources", "TextSource"):
            project.sources.append(_text_source(element, archive, project))
    _warn_other_sources(root, project)
    return project


def _project_member(archive: SafeArchive) -> str:
    exact = archive.find("project.qde")
    if exact:
        return exact
    candidates = [n for n in archive.names() if "/" not in n and n.lower().endswith(".qde")]
    if len(candidates) == 1:
        return candidates[0]
    reason = ("geen project.qde in het archief" if not candidates else
              f"meerdere .qde-bestanden in het archief ({', '.join(sorted(candidates))})")
    raise QdpxError(archive.name, f"{reason}; is dit een REFI-QDA project (.qdpx)?")


def _project(root: Element, file: str) -> Project:
    if local_name(root.tag) != "Project":
        kind = " (dit is een codeboek; lees het met read_codebook)" if local_name(
            root.tag) == "CodeBook" else ""
        raise QdpxError(file, f"hoofdelement is '{local_name(root.tag)}', verwacht "
                              f"'Project'{kind}")
    ns = namespace(root.tag)
    if ns and not ns.startswith("urn:QDA-XML:project:"):
        raise QdpxError(file, f"onbekende XML-namespace '{ns}' voor een REFI-QDA project")
    codebook = next(_all(root, "CodeBook", "Codes"), None)
    project = Project(file=file, name=root.get("name") or "", origin=root.get("origin") or "",
                      namespace=ns, codes=parse_codes(codebook, file), sources=[], cases=[],
                      variables={normalize_guid(v.get("guid")): v.get("name") or ""
                                 for v in _all(root, "Variables", "Variable")})
    if ns not in PROJECT_NAMESPACES:
        project.warn(f"ongebruikelijke namespace '{ns or '(geen)'}'; gelezen als REFI-QDA 1.0")
    project.cases = [_case(c) for c in _all(root, "Cases", "Case")]
    return project


def _all(root: Element, wrapper: str, name: str):
    for outer in children(root, wrapper):
        yield from children(outer, name)


def _values(element: Element) -> dict[str, str]:
    values = {}
    for vv in children(element, "VariableValue"):
        ref = next(iter(children(vv, "VariableRef")), None)
        value = next((v.text or "" for v in vv if local_name(v.tag) in _VALUE_ELEMENTS), "")
        if ref is not None:
            values[normalize_guid(ref.get("targetGUID"))] = value.strip()
    return values


def _case(element: Element) -> Case:
    def refs(name: str) -> frozenset[str]:
        return frozenset(normalize_guid(r.get("targetGUID")) for r in children(element, name))

    return Case(guid=normalize_guid(element.get("guid")), name=element.get("name") or "",
                variables=_values(element), sources=refs("SourceRef"),
                selections=refs("SelectionRef"))


def _text_source(element: Element, archive: SafeArchive, project: Project) -> TextSource:
    guid = normalize_guid(element.get("guid"))
    source = TextSource(guid=guid, name=element.get("name") or guid, text=None,
                        variables=_values(element))
    source.text = _source_text(element, source.name, archive, project)
    for sel in children(element, "PlainTextSelection"):
        selection = _selection(sel, guid, source.name, project)
        if selection is not None:
            source.selections.append(selection)
    if children(element, "Coding"):
        project.warn(f"bron '{source.name}': codering van de hele bron (zonder passage) "
                     "overgeslagen; codeer passages")
    return source


def _source_text(element: Element, name: str, archive: SafeArchive,
                 project: Project) -> str | None:
    inline = next(iter(children(element, "PlainTextContent")), None)
    if inline is not None:
        return inline.text or ""
    reference = (element.get("plainTextPath") or "").strip()
    if not reference:
        project.warn(f"bron '{name}' heeft geen platte tekst (geen PlainTextContent of "
                     "plainTextPath)")
        return None
    member = _member_for(reference, archive)
    if member is None:
        project.warn(f"bron '{name}': tekstbestand '{reference}' staat niet in het archief")
        return None
    text, encoding, problems = decode(archive.read(member), f"{archive.name}/{member}")
    project.problems += problems
    if not text.strip():
        # NVivo sometimes exports an empty .txt and keeps the text only in the .docx.
        project.warn(f"bron '{name}': tekstbestand '{member}' is leeg (de tekst staat mogelijk "
                     "alleen in het .docx-bestand)")
    return text


def _member_for(reference: str, archive: SafeArchive) -> str | None:
    """'internal://x.txt' or a bare 'x.txt': under sources/ (any case) or at the root."""
    if reference.lower().startswith("internal://"):
        reference = reference[len("internal://"):]
    elif "://" in reference:
        return None  # relative:// and absolute:// point outside the archive: not read
    parts = PurePosixPath(reference.replace("\\", "/")).parts
    if not parts or ".." in parts or reference.startswith("/"):
        return None
    relative = "/".join(parts)
    return archive.find(f"sources/{relative}") or archive.find(relative)


def _selection(element: Element, source: str, source_name: str,
               project: Project) -> Selection | None:
    guid = normalize_guid(element.get("guid"))
    try:
        start, end = int(element.get("startPosition", "")), int(element.get("endPosition", ""))
    except ValueError:
        project.warn(f"bron '{source_name}': passage {guid} heeft geen geldige posities; "
                     "overgeslagen")
        return None
    codes = tuple(normalize_guid(ref.get("targetGUID")) for coding in children(element, "Coding")
                  for ref in children(coding, "CodeRef"))
    # Some tools write start > end for a selection made backwards.
    return Selection(guid, source, min(start, end), max(start, end), codes)


def _warn_other_sources(root: Element, project: Project) -> None:
    for kind in _OTHER_SOURCES:
        count = len(list(_all(root, "Sources", kind)))
        if count:
            project.warn(f"{count} bron(nen) van type {kind} niet ingelezen: alleen tekstbronnen "
                         "(TextSource) worden omgezet")
