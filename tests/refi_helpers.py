"""Building .qdpx projects the way QDA tools write them, for the REFI-QDA tests."""

from __future__ import annotations

import html
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
    memo: str = ""


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
               code_guid_map: dict[str, str] | None = None,
               sets: dict[str, list[str]] | None = None) -> bytes:
    """project.qde + sources/<GUID>.txt in a zip; positions in code points or UTF-16 units.

    `sets`: document groups as MAXQDA writes them (Sets/Set/MemberSource after Sources, as in
    the MAXQDA 24 sample in ../shared/refi-qda/samples/paper_themes)."""
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
    if sets:
        sets_el = ET.SubElement(root, "Sets")
        for name, members in sets.items():
            group = ET.SubElement(sets_el, "Set", {"guid": guid(f"set:{name}", guid_style),
                                                   "name": name})
            for member in members:
                ET.SubElement(group, "MemberSource", {"targetGUID": guid(f"doc:{member}",
                                                                         guid_style)})
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


def _units(text: str) -> int:
    """Qt's (UTF-16) length of a text: what QualCoder stores as positions."""
    return len(text.encode("utf-16-le")) // 2


def qualcoder_qdpx(documents: list[Document], codes: ET.Element, cases: list[CaseSpec] = (), *,
                   maxqda_line_endings: bool = False, pdfs: list[Document] = (),
                   pdf_regions: list[tuple[str, str]] = (),
                   origin: str = "QualCoder 3.8.2") -> bytes:
    """A project the way QualCoder's RefiExport writes it (src/qualcoder/refi.py, fetched from
    github:ccbogel/QualCoder @c3204641):

    - one PlainTextSelection per code (`text_selection_xml`: one per code_text row), the coding
      memo in its Description, `creatingUser` a user GUID from <Users>;
    - positions are Qt offsets (UTF-16 units) into the text with LF line ends; with
      "MAXQDA line endings" the plain-text file gets `fulltext.replace("\n", "\r\n")` and the
      positions stay, so each CRLF counts as one; text files are written 'utf-8-sig' (BOM);
    - every TextSource gets a fresh GUID (`guid = self.create_guid()` in `sources_xml`), but
      a case's SourceRef uses `s["guid"]`, the GUID of the source's file name
      (`filename = guid + suffix`, copied to sources/): for a .txt that file is named nowhere
      in project.qde;
    - a PDF is a PDFSource whose Representation holds the text and its selections, followed
      by PDFSelection elements for coded page areas (`pdf_selection_xml`).
    `pdf_regions`: (pdf name, code guid) of coded page areas.
    """
    user = guid("qualcoder-user")
    files: dict[str, bytes] = {}
    file_guid: dict[str, str] = {}

    def text_file(name: str, text: str) -> str:
        file_guid[name] = guid(f"file:{name}")
        plain = guid(f"plain:{name}")
        body = text.replace("\n", "\r\n") if maxqda_line_endings else text
        files[f"sources/{plain}.txt"] = body.encode("utf-8-sig")
        files[f"sources/{file_guid[name]}{'.pdf' if name.endswith('.pdf') else '.txt'}"] = (
            b"%PDF-1.4 stub" if name.endswith(".pdf") else text.encode("utf-8-sig"))
        return plain

    def selections(doc: Document) -> str:
        xml, cursor = "", 0
        for passage in doc.passages:
            start = doc.text.index(passage.text, cursor)
            cursor = start
            first, last = _units(doc.text[:start]), _units(doc.text[:start + len(passage.text)])
            for code in passage.codes:
                xml += (f'<PlainTextSelection guid="{uuid.uuid4()}" startPosition="{first}" '
                        f'endPosition="{last}" name="{html.escape(passage.text)}" '
                        f'creatingUser="{user}" creationDateTime="2026-01-05T10:00:00Z">\n')
                if passage.memo:
                    xml += f"<Description>{html.escape(passage.memo)}</Description>\n"
                xml += (f'<Coding guid="{uuid.uuid4()}" creatingUser="{user}" >\n'
                        f'<CodeRef targetGUID="{code}" />\n</Coding>\n</PlainTextSelection>\n')
        return xml

    sources = ""
    for doc in documents:
        plain = text_file(doc.name, doc.text)
        sources += (f'<TextSource plainTextPath="internal://{plain}.txt" creatingUser="{user}" '
                    f'guid="{uuid.uuid4()}" name="{html.escape(doc.name)}">\n'
                    f"{selections(doc)}</TextSource>\n")
    for doc in pdfs:
        plain = text_file(doc.name, doc.text)
        regions = "".join(
            f'<PDFSelection guid="{uuid.uuid4()}" page="0" firstX="10" firstY="20" secondX="200" '
            f'secondY="230" name="" creatingUser="{user}">\n<Coding guid="{uuid.uuid4()}" '
            f'creatingUser="{user}" >\n<CodeRef targetGUID="{code}"/>\n</Coding>\n'
            "</PDFSelection>\n" for name, code in pdf_regions if name == doc.name)
        sources += (f'<PDFSource path="internal://{file_guid[doc.name]}.pdf" creatingUser="{user}" '
                    f'guid="{uuid.uuid4()}" name="{html.escape(doc.name)}">\n'
                    f'<Representation guid="{uuid.uuid4()}" plainTextPath="internal://{plain}.txt" '
                    f'creatingUser="{user}" name="{html.escape(doc.name)}">\n{selections(doc)}'
                    f"</Representation>{regions}</PDFSource>\n")
    variables = sorted({n for c in cases for n in c.variables})
    xml = ('<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns:xsd="http://www.w3.org/2001/'
           'XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="test" '
           f'origin="{origin}" xmlns="urn:QDA-XML:project:1.0">\n'
           f'<Users>\n<User guid="{user}" name="coder1"/>\n</Users>\n')
    book = codes.__copy__()
    xml += "<CodeBook>\n" + ET.tostring(book, encoding="unicode") + "</CodeBook>\n"
    if variables:
        xml += "<Variables>\n" + "".join(
            f'<Variable name="{n}" guid="{guid(f"var:{n}")}" typeOfVariable="Text">\n'
            "<Description />\n</Variable>\n" for n in variables) + "</Variables>\n"
    if cases:
        xml += "<Cases>\n"
        for case in cases:
            xml += (f'<Case guid="{uuid.uuid4()}" name="{html.escape(case.name)}">\n'
                    "<Description />\n")
            xml += "".join(f'<VariableValue>\n<VariableRef targetGUID="{guid(f"var:{n}")}" />\n'
                           f"<TextValue>{html.escape(v)}</TextValue>\n</VariableValue>\n"
                           for n, v in case.variables.items())
            xml += "".join(f'<SourceRef targetGUID="{file_guid[name]}"/>\n'
                           for name in case.documents)
            xml += "</Case>\n"
        xml += "</Cases>\n"
    xml += f"<Sources>\n{sources}</Sources>\n</Project>\n"
    return zip_bytes({"project.qde": xml.encode("utf-8"), **files})
