"""The implementation plan as data: actions, and progress per action and unit.

Actions (`acties:` in the study file): what the plan says to do, per subtheme and level.
`eenheden` empty means every municipality. `eigenaar` and `streefdatum` stay empty where the
plan does not say. Progress (`voortgang:`): what a unit has done on an action, with a status
(gepland, lopend, gereed, vervallen, or empty where the source does not say) and a date;
`eenheid` empty is a note about the district as a whole. Both read as CSV or XLSX, like any
table, so an analyst can keep them in Excel (see `basisop acties --xlsx`).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd

from basisop.io.records import (
    LoadResult,
    RowCheck,
    _load,
    _subtheme_parser,
    _unit_parser,
    addressed,
)
from basisop.model import Study

ACTION_COLUMNS = ["id", "subthemas", "niveau", "eenheden", "actie", "toelichting", "eigenaar",
                  "streefdatum", "bron"]
PROGRESS_COLUMNS = ["actie", "eenheid", "status", "datum", "tekst", "bron"]
PROGRESS_STATUSES = ("gepland", "lopend", "gereed", "vervallen")


def _date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError("verwacht een datum als 2025-08-27") from None


def _status(text: str) -> str:
    key = text.strip().casefold()
    if key not in PROGRESS_STATUSES:
        raise ValueError(f"verwacht {', '.join(PROGRESS_STATUSES)} (of leeg)")
    return key


def load_actions(study: Study, path: Path | None = None) -> LoadResult:
    """The plan's actions, each with its subthemes, level and units."""
    unit_of = _unit_parser(study)
    subtheme_of = _subtheme_parser(study.framework)

    def check(rc: RowCheck) -> dict | None:
        return {**addressed(rc, unit_of, subtheme_of), "actie": rc.required("actie"),
                "toelichting": rc.cell("toelichting"), "eigenaar": rc.cell("eigenaar"),
                "streefdatum": rc.parsed("streefdatum", _date) or "", "bron": rc.cell("bron")}

    path = path or study.acties
    return _load([path] if path else [], columns=ACTION_COLUMNS,
                 required=["id", "subthemas", "niveau", "actie"], check=check,
                 key=lambda r: (r["id"],), duplicate_is_error=True, extra_columns_ok=True)


def load_progress(study: Study, actions: LoadResult, path: Path | None = None) -> LoadResult:
    """Progress rows; each names an action of the actions table."""
    unit_of = _unit_parser(study)
    known = set(actions.frame["id"])

    def check(rc: RowCheck) -> dict | None:
        action = rc.required("actie")
        if action and action not in known:
            rc.fail("actie", "onbekende actie: niet in de actietabel")
        return {"actie": action, "eenheid": rc.parsed("eenheid", unit_of) or "",
                "status": rc.parsed("status", _status) or "",
                "datum": rc.parsed("datum", _date) or "", "tekst": rc.required("tekst"),
                "bron": rc.cell("bron")}

    path = path or study.voortgang
    return _load([path] if path else [], columns=PROGRESS_COLUMNS,
                 required=["actie", "tekst"], check=check, extra_columns_ok=True)


# -- the actions workbook (basisop acties --xlsx) ---------------------------------------------

ACTIONS_SHEET, PROGRESS_SHEET, LISTS_SHEET = "acties", "voortgang", "lijsten"
_WIDTHS = {"actie": 60, "toelichting": 60, "tekst": 70, "bron": 36, "subthemas": 30}
_EMPTY_ROWS = 500  # extra progress rows that get the drop-downs


def actions_workbook(study: Study, actions: pd.DataFrame, progress: pd.DataFrame) -> bytes:
    """XLSX bytes: the actions, their progress with drop-downs for actie, eenheid and status.

    Text that a spreadsheet would run as a formula is stored with a leading quote (the loader
    removes it again), so the workbook reads back as the study's `acties:` and `voortgang:`."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from basisop.io.tables import safe_frame

    book = openpyxl.Workbook()
    sheets = {}
    for index, (name, frame, columns) in enumerate(
            [(ACTIONS_SHEET, actions, ACTION_COLUMNS), (PROGRESS_SHEET, progress,
                                                        PROGRESS_COLUMNS)]):
        sheet = book.active if index == 0 else book.create_sheet(name)
        sheet.title = name
        sheet.append(columns)
        for row in safe_frame(frame[columns].astype(str)).itertuples(index=False):
            sheet.append(list(row))
        for i, column in enumerate(columns, start=1):
            sheet.cell(1, i).font = Font(bold=True)
            letter = openpyxl.utils.get_column_letter(i)
            sheet.column_dimensions[letter].width = _WIDTHS.get(column, 14)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.data_type = "s"  # text, never a formula
        sheet.freeze_panes = "A2"
        sheets[name] = sheet
    lists = book.create_sheet(LISTS_SHEET)
    values = {"actie": list(actions["id"]), "eenheid": [u.code for u in study.eenheden],
              "status": list(PROGRESS_STATUSES)}
    last = len(progress) + _EMPTY_ROWS + 1
    for col, (name, items) in enumerate(values.items(), start=1):
        letter = openpyxl.utils.get_column_letter(col)
        lists.cell(1, col, name)
        for row, item in enumerate(items, start=2):
            lists.cell(row, col, item).data_type = "s"
        target = openpyxl.utils.get_column_letter(PROGRESS_COLUMNS.index(name) + 1)
        rule = DataValidation(type="list", allow_blank=True, showErrorMessage=True,
                              formula1=f"={LISTS_SHEET}!${letter}$2:${letter}${len(items) + 1}",
                              errorTitle="Ongeldige waarde", error=f"Kies een {name} uit de lijst.")
        rule.add(f"{target}2:{target}{last}")
        sheets[PROGRESS_SHEET].add_data_validation(rule)
    lists.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
