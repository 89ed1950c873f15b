"""The study's codings as a REFI-QDA project (.qdpx): an analyst can move from Excel to a QDA tool.

One text source per respondent id (an interview, an analysts' summary or a document: the
register's `soort` and `titel` are carried when present), holding that respondent's fragments
one per paragraph; each fragment is a selection coded with the codebook's GUIDs (the checklist
items, else the subtheme, and the oordeel). Unit, role and respondent are variables of the
source, each unit is also a case; a fragment whose role differs from its source's, or that is
confidential, is tied to a case by SelectionRef. Confidential fragments are left out unless
asked for. Positions are code points, as the standard says; GUIDs are derived from the
content, so the same study gives the same file.
"""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from basisop.io.atomic import atomic_write_bytes
from basisop.io.dataset import StudyData
from basisop.io.records import CHECKLIST_SEPARATOR
from basisop.io.refi.archive import QdpxError
from basisop.io.refi.codebook import GUID_NAMESPACE, codes_element, guid_of, key_of
from basisop.model import Study

PROJECT_NS = "urn:QDA-XML:project:1.0"
PARAGRAPH = "\n\n"  # between fragments: every selection starts and ends between words
_ROLE_CASE = "rol: "


@dataclass(frozen=True)
class ExportResult:
    path: Path
    sources: int
    passages: int
    left_out: int  # confidential fragments not exported

    def report_lines(self) -> list[str]:
        lines = [f"Project geschreven: {self.path} ({self.sources} bron(nen), {self.passages} "
                 "gecodeerde passages)."]
        if self.left_out:
            lines.append(f"{self.left_out} vertrouwelijk(e) fragment(en) weggelaten (opnemen "
                         "met --met-vertrouwelijk).")
        lines.append("Het bestand bevat interviewtekst: behandel het als vertrouwelijk.")
        return lines


def export_project(data: StudyData, path: Path, *, confidential: bool = False) -> ExportResult:
    """Write the study's accepted codings as a .qdpx, atomically; never over a study input."""
    path = Path(path)
    _refuse_input(data.study, path)
    codings = data.codings.frame
    kept = codings if confidential else codings[~codings["vertrouwelijk"].astype(bool)]
    project = _Project(data)
    for respondent, rows in kept.groupby("respondent", sort=True):
        project.add_source(str(respondent), rows)
    # With confidential fragments the project is for the analysts only (mode 0600).
    atomic_write_bytes(path, project.archive(), private=confidential)
    return ExportResult(path, len(project.files), len(kept), len(codings) - len(kept))


def _refuse_input(study: Study, path: Path) -> None:
    inputs = [study.path, *study.codering, study.oordelen, study.prioriteiten,
              study.aanbevelingen, study.respondenten]
    target = path.resolve()
    if any(p is not None and Path(p).resolve() == target for p in inputs):
        raise QdpxError(path, "dit is een invoerbestand van de studie; kies een ander "
                              "uitvoerbestand (niets geschreven)")
    if path.exists() and not zipfile.is_zipfile(path):
        raise QdpxError(path, "bestaat al en is geen .qdpx-bestand; het wordt niet "
                              "overschreven (niets geschreven)")


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, "basisop:export:" + "\x1f".join(parts)))


class _Project:
    def __init__(self, data: StudyData):
        self.data = data
        self.root = ET.Element("Project", {"xmlns": PROJECT_NS, "name": data.study.naam,
                                           "origin": "basisop"})
        user = ET.SubElement(ET.SubElement(self.root, "Users"), "User",
                             {"guid": _guid("user"), "name": "basisop"})
        self.user = user.get("guid")
        ET.SubElement(self.root, "CodeBook").append(codes_element(data.study.framework))
        self.register = {str(r["id"]): r for r in data.register.frame.to_dict("records")}
        self.sources: list[ET.Element] = []
        self.files: dict[str, bytes] = {}
        self.unit_sources: dict[str, list[str]] = {}
        self.selection_cases: dict[tuple[str, str], list[str]] = {}  # (variable, value) -> sel
        self.variables: set[str] = set()

    def add_source(self, respondent: str, rows: pd.DataFrame) -> None:
        entry = self.register.get(respondent, {})
        guid = _guid("bron", respondent)
        shared = {c: _shared(rows[c]) for c in ("eenheid", "rol")}
        name = str(entry.get("titel") or "") or respondent
        source = ET.Element("TextSource", {"guid": guid, "name": name,
                                           "plainTextPath": f"internal://{guid}.txt"})
        text = ""
        for n, row in enumerate(rows.to_dict("records")):
            if text:
                text += PARAGRAPH
            start, text = len(text), text + str(row["fragment"])
            self._selection(source, respondent, n, row, start, len(text), shared)
        values = {**shared, "respondent": respondent, "soort": str(entry.get("soort") or ""),
                  "titel": str(entry.get("titel") or "")}
        for variable, value in values.items():
            if value:
                self.value(source, variable, value)
        self.files[f"sources/{guid}.txt"] = text.encode("utf-8")
        if shared["eenheid"]:
            self.unit_sources.setdefault(shared["eenheid"], []).append(guid)
        self.sources.append(source)

    def _selection(self, source: ET.Element, respondent: str, n: int, row: dict, start: int,
                   end: int, shared: dict[str, str]) -> None:
        guid = _guid("passage", respondent, str(n))
        selection = ET.SubElement(source, "PlainTextSelection", {
            "guid": guid, "name": str(row["fragment"])[:40], "startPosition": str(start),
            "endPosition": str(end), "creatingUser": self.user})
        if row.get("notities"):
            ET.SubElement(selection, "Description").text = str(row["notities"])
        items = [i for i in str(row["checklist"]).split(CHECKLIST_SEPARATOR) if i]
        keys = ([key_of("checklist", i) for i in items] or [key_of("subthema", row["subthema"])])
        if row["oordeel"]:
            keys.append(key_of("oordeel", str(row["oordeel"])))
        for key in keys:
            coding = ET.SubElement(selection, "Coding", {"guid": _guid("codering", guid, key),
                                                         "creatingUser": self.user})
            ET.SubElement(coding, "CodeRef", {"targetGUID": guid_of(key)})
        for variable, value in shared.items():
            if str(row[variable]) != value:
                self.selection_cases.setdefault((variable, str(row[variable])), []).append(guid)
        if row["vertrouwelijk"]:
            self.selection_cases.setdefault(("vertrouwelijk", "ja"), []).append(guid)

    def archive(self) -> bytes:
        root = self.root
        cases = self._cases()
        if self.variables:
            variables = ET.SubElement(root, "Variables")
            for name in sorted(self.variables):
                ET.SubElement(variables, "Variable", {"guid": _guid("variabele", name),
                                                      "name": name, "typeOfVariable": "Text"})
        if cases is not None:
            root.append(cases)
        if self.sources:
            ET.SubElement(root, "Sources").extend(self.sources)
        ET.indent(root, space="  ")
        xml = ET.tostring(root, encoding="unicode", short_empty_elements=True)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in [("project.qde", ('<?xml version="1.0" encoding="utf-8"?>\n'
                                                + xml + "\n").encode("utf-8")),
                               *sorted(self.files.items())]:
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        return buffer.getvalue()

    def _cases(self) -> ET.Element | None:
        """A case per unit (its sources), and per unit, role or confidentiality that a fragment
        does not share with its source (its selections)."""
        if not self.unit_sources and not self.selection_cases:
            return None
        cases = ET.Element("Cases")
        for code, sources in sorted(self.unit_sources.items()):
            case = ET.SubElement(cases, "Case", {"guid": _guid("case", code),
                                                 "name": self.unit_name(code)})
            self.value(case, "eenheid", code)
            case.extend(ET.Element("SourceRef", {"targetGUID": g}) for g in sources)
        for (variable, value), selections in sorted(self.selection_cases.items()):
            name = {"eenheid": self.unit_name(value), "rol": _ROLE_CASE + value}.get(variable,
                                                                                     variable)
            case = ET.SubElement(cases, "Case", {"guid": _guid("case", variable, value),
                                                 "name": name})
            self.value(case, variable, value)
            case.extend(ET.Element("SelectionRef", {"targetGUID": g}) for g in selections)
        return cases

    def unit_name(self, code: str) -> str:
        unit = next((u for u in self.data.study.eenheden if u.code == code), None)
        return unit.naam if unit else code

    def value(self, element: ET.Element, variable: str, value: str) -> None:
        self.variables.add(variable)
        holder = ET.SubElement(element, "VariableValue")
        ET.SubElement(holder, "VariableRef", {"targetGUID": _guid("variabele", variable)})
        ET.SubElement(holder, "TextValue").text = value


def _shared(column: pd.Series) -> str:
    """The column's value when all rows share it, else '' (then it goes per selection)."""
    values = column.astype(str).unique()
    return values[0] if len(values) == 1 else ""
