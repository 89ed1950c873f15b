"""A new study in one step (`basisop nieuw`): study file, empty tables and a coding workbook.

What is written: `studie.yaml` (commented), a copy of the wegingskader, empty CSV tables with
their headers (oordelen, prioriteiten, aanbevelingen, respondenten, acties, voortgang) and
`codering.xlsx`: one sheet `codering` with an `eenheid` column and drop-down lists (data
validation) for eenheid, subthema (names), checklist items (texts, in up to three columns that
the loader maps back to ids), oordeel and vertrouwelijk; a protected sheet with the
wegingskader and its legend; a hidden sheet with the lists. The folder must be new or empty:
nothing is ever overwritten. The fresh study validates at once.
"""

from __future__ import annotations

import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from basisop.io.actions import ACTION_COLUMNS, PROGRESS_COLUMNS
from basisop.io.atomic import atomic_write_bytes, atomic_write_text
from basisop.io.framework import load_framework
from basisop.io.records import (
    CODING_COLUMNS,
    JUDGEMENT_COLUMNS,
    OVERRIDE_COLUMNS,
    RECOMMENDATION_COLUMNS,
    REGISTER_REQUIRED,
)
from basisop.io.study import PROJECT_ROOT
from basisop.model import COLOURS, Framework, normalize_key

FRAMEWORK = PROJECT_ROOT / "data" / "wegingskader.yaml"
WORKBOOK = "codering.xlsx"
SHEET = "codering"
LISTS_SHEET = "lijsten"
FRAMEWORK_SHEET = "wegingskader"
EXTRA_CHECKLISTS = ("checklist 2", "checklist 3")  # several items on one passage (D3)
# The workbook's columns: the coding columns with the extra checklist columns after `checklist`.
WORKBOOK_COLUMNS = [c for col in CODING_COLUMNS
                    for c in ((col, *EXTRA_CHECKLISTS) if col == "checklist" else (col,))]
ROWS = 2000  # rows that get the drop-downs
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_-]*")
DISTRICT = ("D", "Districtspartners")


class ScaffoldError(ValueError):
    """The study cannot be created (Dutch message); nothing was written."""


@dataclass(frozen=True)
class NewStudy:
    naam: str
    eenheden: tuple[tuple[str, str], ...]  # (code, naam)
    districtspartners: bool = False


def parse_unit(text: str) -> tuple[str, str]:
    """'W=Wijdemeren' -> ('W', 'Wijdemeren'); ScaffoldError otherwise."""
    code, sep, name = text.partition("=")
    code, name = code.strip(), name.strip()
    if not sep or not name or not _CODE.fullmatch(code):
        raise ScaffoldError(f"--eenheid '{text}': verwacht CODE=Naam, bijvoorbeeld W=Wijdemeren")
    return code, name


def study_id(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normalize_key(name)).strip("-") or "studie"


def create_study(folder: Path, new: NewStudy) -> list[Path]:
    """Write the study into `folder` (new or empty); the files written, study file first."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ScaffoldError(f"{folder} bestaat al en is niet leeg: een bestaande studie wordt "
                            "nooit overschreven; kies een nieuwe map")
    units = list(new.eenheden) + ([DISTRICT] if new.districtspartners else [])
    codes = [normalize_key(c) for c, _ in units]
    if not new.eenheden or len(set(codes)) != len(codes):
        raise ScaffoldError("geef minstens één eenheid, elke code één keer (--eenheid CODE=Naam)")
    framework = load_framework(FRAMEWORK)
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "studie.yaml"]
    atomic_write_text(written[0], _study_yaml(new, units))
    shutil.copyfile(FRAMEWORK, folder / "wegingskader.yaml")
    written.append(folder / "wegingskader.yaml")
    for name, columns in _TABLES.items():
        atomic_write_text(folder / name, ",".join(columns) + "\n")
        written.append(folder / name)
    atomic_write_bytes(folder / WORKBOOK, coding_workbook(framework, [c for c, _ in units]))
    written.append(folder / WORKBOOK)
    return written


_TABLES = {"oordelen.csv": JUDGEMENT_COLUMNS, "prioriteiten.csv": OVERRIDE_COLUMNS,
           "aanbevelingen.csv": RECOMMENDATION_COLUMNS, "respondenten.csv": REGISTER_REQUIRED,
           "acties.csv": ACTION_COLUMNS, "voortgang.csv": PROGRESS_COLUMNS}


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _study_yaml(new: NewStudy, units: list[tuple[str, str]]) -> str:
    lines = [
        f"# Studie '{new.naam}', gemaakt met 'basisop nieuw'. Paden zijn relatief aan dit bestand.",
        "# Volgorde: codeer in codering.xlsx, 'basisop validate studie.yaml', 'basisop run'.",
        f"id: {study_id(new.naam)}",
        f"naam: {_quoted(new.naam)}",
        "golf: \"1\"  # de meting; een volgende golf noemt deze studie onder vorige_golf",
        "status: concept  # concept of definitief",
        'versie: ""',
        'datum: ""  # datum van de gegevens, bijvoorbeeld "2025-06-30"',
        'opdrachtgever: ""',
        "wegingskader: wegingskader.yaml",
        "# vorige_golf: ../vorige-studie/studie.yaml",
        "eenheden:",
    ]
    for code, name in units:
        lines += [f"  - code: {_quoted(code)}", f"    naam: {_quoted(name)}"]
        if (code, name) == DISTRICT:
            lines += ["    soort: district",
                      "    # Noem hier de subthema's die de districtspartners beoordelen:",
                      "    # subthemas: [informatiepositie, pga]"]
    lines += [
        "codering:",
        f"  - bestand: {WORKBOOK}",
        f"    werkblad: {SHEET}",
        "oordelen: oordelen.csv  # de kleur per eenheid en subthema, met motivering",
        "prioriteiten: prioriteiten.csv",
        "aanbevelingen: aanbevelingen.csv",
        "respondenten: respondenten.csv  # persoonsgegevens: nooit verspreiden",
        "acties: acties.csv  # het uitvoeringsplan",
        "voortgang: voortgang.csv",
        "scoring:",
        "  regel: meerderheid  # of gemiddelde, strengst",
        "  minimum_fragmenten: 1",
    ]
    return "\n".join(lines) + "\n"


# -- the coding workbook -------------------------------------------------------------------------

_WIDTHS = {"fragment": 80, "bron": 30, "subthema": 34, "checklist": 50, "checklist 2": 50,
           "checklist 3": 50, "rol": 22, "respondent": 14}


def coding_workbook(framework: Framework, unit_codes: list[str]) -> bytes:
    """The XLSX bytes of an empty coding workbook with drop-downs and the wegingskader."""
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(WORKBOOK_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for i, column in enumerate(WORKBOOK_COLUMNS, start=1):
        letter = openpyxl.utils.get_column_letter(i)
        sheet.column_dimensions[letter].width = _WIDTHS.get(column, 12)
        if column == "fragment":
            for row in range(2, ROWS + 2):
                sheet.cell(row, i).alignment = Alignment(wrap_text=True, vertical="top")
    lists = {
        "eenheid": unit_codes,
        "subthema": [s.naam for s in framework.subthemes],
        "checklist": list(dict.fromkeys(i.tekst for s in framework.subthemes
                                        for i in s.checklist)),
        "oordeel": [s.value for s in COLOURS],
        "vertrouwelijk": ["ja", "nee"],
    }
    hidden = book.create_sheet(LISTS_SHEET)
    for col, (name, values) in enumerate(lists.items(), start=1):
        letter = openpyxl.utils.get_column_letter(col)
        hidden.cell(1, col, name)
        for row, value in enumerate(values, start=2):
            hidden.cell(row, col, value).data_type = "s"
        source = f"{LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}"
        targets = [name] + (list(EXTRA_CHECKLISTS) if name == "checklist" else [])
        for target in targets:
            where = openpyxl.utils.get_column_letter(WORKBOOK_COLUMNS.index(target) + 1)
            rule = DataValidation(type="list", formula1=f"={source}", allow_blank=True,
                                  showErrorMessage=True, errorTitle="Ongeldige waarde",
                                  error=f"Kies een waarde uit de lijst ({name}).")
            rule.add(f"{where}2:{where}{ROWS + 1}")
            sheet.add_data_validation(rule)
    hidden.sheet_state = "hidden"
    _framework_sheet(book.create_sheet(FRAMEWORK_SHEET), framework)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _framework_sheet(sheet, framework: Framework) -> None:
    """The wegingskader as a read-only reference: theme, subtheme, item and explanation."""
    from openpyxl.styles import Alignment, Font

    sheet.append(["thema", "subthema", "checklistpunt", "tekst", "toelichting"])
    for theme in framework.themas:
        for sub in theme.subthemas:
            sheet.append([theme.naam, sub.naam, "", "", sub.toelichting])
            for item in sub.checklist:
                sheet.append([theme.naam, sub.naam, item.id, item.tekst, ""])
    sheet.append([])
    sheet.append(["legenda"])
    for status, meaning in framework.legenda.items():
        sheet.append([status.value, meaning])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDE", (22, 34, 26, 60, 80), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    sheet.protection.sheet = True  # read-only: the framework is changed in wegingskader.yaml
