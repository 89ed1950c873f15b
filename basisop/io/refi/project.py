"""A REFI-QDA project (.qdpx) read into plain values: codes, text sources, selections, cases.

Tolerant of what real tools write: namespace variants, GUIDs in any case or braces, inline text
or text files under 'sources/' in any case, bare file names, a UTF-8 BOM, a PDF's text
representation, case links to a source's file GUID (QualCoder). Positions stay as the file
gives them; positions.py decides how to read them. Selections that cannot become text (PDF
regions, pictures, audio, video, whole sources) are kept as `lost`, so they can be counted.
"""

from __future__ import annotations

import re
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
# Non-text selections per source type: their codings cannot become fragments.
_OTHER_SELECTIONS = {"PictureSource": ("PictureSelection",), "PDFSource": ("PDFSelection",),
                     "AudioSource": ("AudioSelection", "Transcript"),
                     "VideoSource": ("VideoSelection", "Transcript")}
_GUID_FILE = re.compile(r"([0-9a-fA-F-]{36})\.[A-Za-z0-9]+$")
_VALUE_ELEMENTS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue",
                   "DateTimeValue")


@dataclass(frozen=True)
class Selection:
    guid: str
    source: str  # the TextSource's guid
    start: int   # as written in the file; the unit is decided per file
    end: int
    codes: tuple[str, ...]  # code guids, in file order
    note: str = ""          # memos on the passage (Description, linked Notes): analyst-only
    coder: str = ""         # the user who made it, by name where the project names users


@dataclass(frozen=True)
class LostSelection:
    """A coded selection that cannot become a text fragment."""

    source: str  # the source's name
    kind: str    # e.g. 'PDFSelection', 'PictureSelection', 'Coding' (the whole source)
    codes: tuple[str, ...]


@dataclass
class TextSource:
    guid: str
    name: str
    text: str | None  # None: no plain text could be read
    selections: list[Selection] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)  # variable guid -> value
    kind: str = "TextSource"  # or 'PDFSource' when read through its text representation
    files: tuple[str, ...] = ()  # the archive paths it names (rich text, plain text, PDF)


@dataclass(frozen=True)
class Set:
    """A group of sources (MAXQDA and ATLAS.ti document groups)."""

    guid: str
    name: str
    sources: frozenset[str]


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
    sets: list[Set] = field(default_factory=list)
    lost: list[LostSelection] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # A case's SourceRef that names no source but a source's file (QualCoder): file guid ->
    # source guid, with how it was found.
    source_links: dict[str, tuple[str, str]] = field(default_factory=dict)

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
        context = _Context(archive, project, _notes(root, archive, project), _users(root))
        for element in _all(root, "Sources", "TextSource"):
            project.sources.append(_text_source(element, context))
        _other_sources(root, context)
        _link_case_files(project, archive)
    return project


@dataclass
class _Context:
    archive: SafeArchive
    project: Project
    notes: dict[str, str]  # note guid -> text
    users: dict[str, str]  # user guid -> name


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
    project.sets = [Set(normalize_guid(e.get("guid")), e.get("name") or "",
                        frozenset(normalize_guid(m.get("targetGUID"))
                                  for m in children(e, "MemberSource")))
                    for e in _all(root, "Sets", "Set")]
    return project


def _users(root: Element) -> dict[str, str]:
    return {normalize_guid(u.get("guid")): u.get("name") or u.get("id") or ""
            for u in _all(root, "Users", "User")}


def _notes(root: Element, archive: SafeArchive, project: Project) -> dict[str, str]:
    """The text of every Note, inline or from its file."""
    notes = {}
    for element in _all(root, "Notes", "Note"):
        text = _plain_text(element, element.get("name") or "notitie", archive, project,
                           quiet=True)
        description = next((d.text or "" for d in children(element, "Description")), "")
        notes[normalize_guid(element.get("guid"))] = "\n".join(
            t.strip() for t in (text or "", description) if t and t.strip())
    return notes


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


def _text_source(element: Element, context: _Context, *, name: str | None = None,
                 guid: str | None = None, kind: str = "TextSource",
                 variables: dict[str, str] | None = None) -> TextSource:
    project = context.project
    guid = guid or normalize_guid(element.get("guid"))
    source = TextSource(guid=guid, name=name or element.get("name") or guid, text=None,
                        variables=variables if variables is not None else _values(element),
                        kind=kind, files=_files(element))
    source.text = _plain_text(element, source.name, context.archive, project)
    for sel in children(element, "PlainTextSelection"):
        selection = _selection(sel, guid, source.name, context)
        if selection is not None:
            source.selections.append(selection)
    _whole_source_codings(element, source.name, project)
    return source


def _files(element: Element) -> tuple[str, ...]:
    return tuple(element.get(a) for a in ("richTextPath", "plainTextPath", "path")
                 if element.get(a))


def _whole_source_codings(element: Element, name: str, project: Project) -> None:
    for coding in children(element, "Coding"):
        project.lost.append(LostSelection(name, "Coding", _code_refs([coding])))


def _plain_text(element: Element, name: str, archive: SafeArchive, project: Project, *,
                quiet: bool = False) -> str | None:
    inline = next(iter(children(element, "PlainTextContent")), None)
    if inline is not None:
        return inline.text or ""
    reference = (element.get("plainTextPath") or "").strip()
    if not reference:
        if not quiet:
            project.warn(f"bron '{name}' heeft geen platte tekst (geen PlainTextContent of "
                         "plainTextPath)")
        return None
    member = _member_for(reference, archive)
    if member is None:
        project.warn(f"bron '{name}': tekstbestand '{reference}' staat niet in het archief")
        return None
    text, encoding, problems = decode(archive.read(member), f"{archive.name}/{member}")
    project.problems += problems
    if not text.strip() and not quiet:
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
               context: _Context) -> Selection | None:
    guid = normalize_guid(element.get("guid"))
    try:
        start, end = int(element.get("startPosition", "")), int(element.get("endPosition", ""))
    except ValueError:
        context.project.warn(f"bron '{source_name}': passage {guid} heeft geen geldige "
                             "posities; overgeslagen")
        return None
    codes = _code_refs(children(element, "Coding"))
    description = next((d.text or "" for d in children(element, "Description")), "")
    notes = [context.notes.get(normalize_guid(r.get("targetGUID")), "")
             for r in children(element, "NoteRef")]
    note = "\n".join(t.strip() for t in (description, *notes) if t and t.strip())
    user = normalize_guid(element.get("creatingUser"))
    # Some tools write start > end for a selection made backwards.
    return Selection(guid, source, min(start, end), max(start, end), codes, note,
                     context.users.get(user, ""))


def _code_refs(codings: list[Element]) -> tuple[str, ...]:
    return tuple(normalize_guid(ref.get("targetGUID")) for coding in codings
                 for ref in children(coding, "CodeRef"))


def _other_sources(root: Element, context: _Context) -> None:
    """PDFs through their text representation; what has no text is kept as lost codings."""
    project = context.project
    for kind, selection_kinds in _OTHER_SELECTIONS.items():
        for element in _all(root, "Sources", kind):
            name = element.get("name") or normalize_guid(element.get("guid"))
            representation = next(iter(children(element, "Representation")), None)
            if representation is not None:
                project.sources.append(_text_source(
                    representation, context, name=name, kind=kind,
                    guid=normalize_guid(element.get("guid")), variables=_values(element)))
                project.sources[-1].files += _files(element)
            for selection_kind in selection_kinds:
                for selection in _selections(element, selection_kind):
                    codings = children(selection, "Coding")
                    if codings:
                        project.lost.append(LostSelection(name, selection_kind,
                                                          _code_refs(codings)))
            _whole_source_codings(element, name, project)
            if representation is None:
                project.warn(f"bron '{name}' ({kind}) heeft geen tekst en is niet ingelezen")


def _selections(element: Element, kind: str) -> list[Element]:
    """The source's selections of this kind; a transcript's are its TranscriptSelections."""
    if kind == "Transcript":
        return [t for transcript in children(element, kind)
                for t in children(transcript, "TranscriptSelection")]
    return children(element, kind)


def _link_case_files(project: Project, archive: SafeArchive) -> None:
    """Resolve case SourceRefs that name a source's file instead of the source.

    QualCoder's refi.py writes a case's SourceRef with the GUID of the source's file name
    (`s["guid"]`, of `filename = guid + suffix`) while the TextSource gets a fresh GUID. For
    a .docx or PDF that file is named by the source (richTextPath, path); for a .txt it is
    only a file in sources/ holding the same text."""
    known = {s.guid for s in project.sources}
    wanted = {g for case in project.cases for g in case.sources} - known
    if not wanted:
        return
    for source in project.sources:
        for reference in source.files:
            found = _GUID_FILE.search(reference)
            if found and normalize_guid(found.group(1)) in wanted:
                project.source_links[normalize_guid(found.group(1))] = (
                    source.guid, "de bestandsnaam")
    by_text = {_same_text(s.text): s for s in project.sources if s.text and s.text.strip()}
    for name in archive.names():
        found = _GUID_FILE.search(name)
        guid = normalize_guid(found.group(1)) if found else ""
        if guid in wanted and guid not in project.source_links and name.lower().endswith(
                ".txt"):
            text, _, _ = decode(archive.read(name), f"{archive.name}/{name}")
            source = by_text.get(_same_text(text))
            if source is not None:
                project.source_links[guid] = (source.guid, "de tekst van het bestand")


def _same_text(text: str) -> str:
    return text.replace("\r\n", "\n").strip()
