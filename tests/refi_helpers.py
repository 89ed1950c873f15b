"""Building .qdpx projects the way QDA tools write them, for the REFI-QDA tests."""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"


@dataclass
class Passage:
    """A coded passage: `text` is looked up in the document from where the previous one began."""

    text: str
    codes: list[str]


@dataclass
class Document:
    name: str
    text: str
    passages: list[Passage]
    variables: dict[str, str] = field(default_factory=dict)  # on the source (MAXQDA style)


@dataclass
class CaseSpec:
    name: str
    documents: list[str]  # document names
    variables: dict[str, str] = field(default_factory=dict)


def guid(seed: str, style: str = "lower") -> str:
    value = str(uuid.uuid5(uuid.NAMESPACE_URL, seed))
    if style == "upper":
        return value.upper()
    if style == "braces":
        return "{" + value.upper() + "}"
    return value


def codes_from_qdc(qdc: bytes) -> ET.Element:
    """The <Codes> of an exported codebook, as a tool re-serialises it into its project."""
    root = ET.fromstring(qdc)
    codes = root.find(f"{{{CODEBOOK_NS}}}Codes")
    for element in codes.iter():
        element.tag = element.tag.split("}")[-1]
    return codes


def offsets(text: str, start: int, end: int, unit: str) -> tuple[int, int]:
    if unit == "utf16":
        return (len(text[:start].encode("utf-16-le")) // 2,
                len(text[:end].encode("utf-16-le")) // 2)
    return start, end


def build_qdpx(documents: list[Document], codes: ET.Element, cases: list[CaseSpec] = (), *,
               unit: str = "cp", origin: str = "Testprogramma 1.0",
               namespace: str = PROJECT_NS, guid_style: str = "lower",
               sources_dir: str = "sources", bom: bool = False, inline: bool = False,
               code_guid_map: dict[str, str] | None = None) -> bytes:
    """project.qde + sources/<GUID>.txt in a zip; positions in code points or UTF-16 units."""
    root = ET.Element("Project", {"xmlns": namespace, "name": "test", "origin": origin})
    ET.SubElement(ET.SubElement(root, "Users"), "User", {"guid": guid("user", guid_style),
                                                         "name": "coder"})
    book = ET.SubElement(root, "CodeBook")
    book.append(codes)
    variable_names = sorted({n for d in documents for n in d.variables}
                            | {n for c in cases for n in c.variables})
    if variable_names:
        variables = ET.SubElement(root, "Variables")
        for name in variable_names:
            ET.SubElement(variables, "Variable", {"guid": guid(f"var:{name}", guid_style),
                                                  "name": name, "typeOfVariable": "Text"})
    if cases:
        cases_el = ET.SubElement(root, "Cases")
        for case in cases:
            element = ET.SubElement(cases_el, "Case", {"guid": guid(f"case:{case.name}",
                                                                    guid_style),
                                                       "name": case.name})
            _values(element, case.variables, guid_style)
            for name in case.documents:
                ET.SubElement(element, "SourceRef", {"targetGUID": guid(f"doc:{name}",
                                                                        guid_style)})
    files = {}
    sources = ET.SubElement(root, "Sources")
    code_map = code_guid_map or {}
    for doc in documents:
        doc_guid = guid(f"doc:{doc.name}", guid_style)
        attributes = {"guid": doc_guid, "name": doc.name}
        if not inline:
            attributes["plainTextPath"] = f"internal://{doc_guid.strip('{}')}.txt"
            files[f"{sources_dir}/{doc_guid.strip('{}')}.txt"] = (
                (b"\xef\xbb\xbf" if bom else b"") + doc.text.encode("utf-8"))
        source = ET.SubElement(sources, "TextSource", attributes)
        if inline:
            ET.SubElement(source, "PlainTextContent").text = doc.text
        cursor = 0
        for n, passage in enumerate(doc.passages):
            start = doc.text.index(passage.text, cursor)
            cursor = start
            first, last = offsets(doc.text, start, start + len(passage.text), unit)
            selection = ET.SubElement(source, "PlainTextSelection", {
                "guid": guid(f"sel:{doc.name}:{n}", guid_style), "name": passage.text[:20],
                "startPosition": str(first), "endPosition": str(last)})
            for code in passage.codes:
                coding = ET.SubElement(selection, "Coding", {"guid": guid(f"c:{doc.name}:{n}:"
                                                                          f"{code}", guid_style)})
                ET.SubElement(coding, "CodeRef", {"targetGUID": code_map.get(code, code)})
        _values(source, doc.variables, guid_style)
    xml = ET.tostring(root, encoding="unicode")
    if inline:
        # A tool escapes CR in text content; a bare CR would be read back as LF.
        xml = xml.replace("\r", "&#13;")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", '<?xml version="1.0" encoding="utf-8"?>\n' + xml)
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _values(element: ET.Element, values: dict[str, str], guid_style: str) -> None:
    for name, value in values.items():
        vv = ET.SubElement(element, "VariableValue")
        ET.SubElement(vv, "VariableRef", {"targetGUID": guid(f"var:{name}", guid_style)})
        ET.SubElement(vv, "TextValue").text = value


def zip_bytes(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return buffer.getvalue()
