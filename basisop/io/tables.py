"""Reading the tables analysts bring (CSV in any Dutch Excel dialect, XLSX) and writing safe ones.

Every cell is read as text, so "0363" stays "0363". Faults come back as Problems with file,
row and column; nothing is dropped without a trace.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from basisop.io.atomic import atomic_write_bytes
from basisop.model import nearest, normalize_key
from basisop.problems import WARNING, Problem

# A field longer than this is almost always a stray quote that swallowed the rest of the file.
MAX_FIELD_CHARS = 100_000
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_DELIMITERS = (",", ";", "\t")
# UTF-8 bytes read as Windows-1252: "vóór" becomes "vÃ³Ã³r", a non-breaking space "Â ".
_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf\u2018-\u203a\u0152-\u0178\u02c6\u02dc\u20ac\u2122]|â€")
# Cells a spreadsheet would run as a formula when a CSV written by basisop is opened.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

csv.field_size_limit(16 * MAX_FIELD_CHARS)


@dataclass
class Row:
    number: int  # as a spreadsheet shows it: the header is row 1
    values: dict[str, str]
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Table:
    path: Path
    columns: list[str]
    rows: list[Row]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    problems: list[Problem] = field(default_factory=list)  # file-level
    empty_rows: int = 0
    usable: bool = True  # False when required columns are missing: no row can be accepted

    def describe(self) -> str:
        """How the file was read, for the load summary (the encoding is always said)."""
        if self.sheet is not None:
            return f"XLSX, werkblad '{self.sheet}'"
        names = {",": "komma", ";": "puntkomma", "\t": "tab"}
        return f"CSV, {self.encoding}, scheidingsteken {names.get(self.delimiter or '', '?')}"


def read_table(path: Path | str, *, required: Sequence[str], optional: Sequence[str] = (),
               sheet: str | None = None) -> Table:
    """Read a CSV or XLSX file into rows of text keyed by lower-case column name."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        return _unreadable(path, "bestand niet gevonden")
    if suffix in XLSX_SUFFIXES:
        table = _read_xlsx(path, sheet, required)
    elif suffix in CSV_SUFFIXES:
        table = _read_csv(path)
    else:
        return _unreadable(path, f"onbekend bestandstype '{suffix}': verwacht .csv of .xlsx")
    if table.usable:
        _check_header(table, required, optional)
    return table


def _unreadable(path: Path, reason: str) -> Table:
    return Table(path, [], [], problems=[Problem(str(path), reason)], usable=False)


def decode(data: bytes, name: str) -> tuple[str, str, list[Problem]]:
    """Decode text in UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252; say which."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8 met BOM", []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16", []
    try:
        return data.decode("utf-8"), "UTF-8", []
    except UnicodeDecodeError as exc:
        # Dutch Excel saves "CSV (gescheiden door lijstscheidingsteken)" in Windows-1252.
        text = data.decode("cp1252", errors="replace")
        note = Problem(name, f"geen geldige UTF-8 (byte {exc.start}); gelezen als Windows-1252. "
                             "Controleer de tekens met accenten.", severity=WARNING)
        return text, "Windows-1252", [note]


def _sniff_delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: _count_outside_quotes(first, d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _count_outside_quotes(line: str, char: str) -> int:
    count, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == char and not quoted:
            count += 1
    return count


def _read_csv(path: Path) -> Table:
    name = str(path)
    data = path.read_bytes()
    if not data.strip():
        return Table(path, [], [], problems=[Problem(name, "bestand is leeg")], usable=False,
                     encoding="UTF-8")
    text, encoding, problems = decode(data, name)
    delimiter = _sniff_delimiter(text)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    table = Table(path, [], [], encoding=encoding, delimiter=delimiter, problems=problems)
    _fill_from_records(table, records, first_number=1)
    return table


def _fill_from_records(table: Table, records: list[list[str]], first_number: int) -> None:
    """Turn raw records (header first) into Rows, checking field counts, lengths and mojibake."""
    name = str(table.path)
    numbered = [(first_number + i, rec) for i, rec in enumerate(records)]
    while numbered and not any(c.strip() for c in numbered[0][1]):
        numbered.pop(0)
    if not numbered:
        table.problems.append(Problem(name, "bestand is leeg"))
        table.usable = False
        return
    header_number, header = numbered[0]
    table.columns = [normalize_key(c.lstrip("\ufeff")) for c in header]
    width = len(table.columns)
    for number, record in numbered[1:]:
        cells = [c.strip() for c in record]
        if not any(cells):
            table.empty_rows += 1
            continue
        row = Row(number, {})
        if len(cells) > width and any(cells[width:]):
            row.problems.append(Problem(
                name, f"rij heeft {len(cells)} velden, de kop {width}: staat er een "
                      "scheidingsteken of aanhalingsteken te veel?", row=number))
        cells += [""] * (width - len(cells))
        for column, cell in zip(table.columns, cells, strict=False):
            if column:
                row.values[column] = cell
                _check_cell(row, name, column, cell)
        table.rows.append(row)
    if header_number != first_number:
        table.problems.append(Problem(name, f"kop gevonden in rij {header_number}",
                                      severity=WARNING))


def _check_cell(row: Row, name: str, column: str, cell: str) -> None:
    if len(cell) > MAX_FIELD_CHARS:
        row.problems.append(Problem(
            name, f"veld van {len(cell)} tekens (maximaal {MAX_FIELD_CHARS}): "
                  "staat er een aanhalingsteken niet goed?", row=row.number, column=column,
            value=cell))
    elif _MOJIBAKE.search(cell):
        try:
            repaired = cell.encode("cp1252").decode("utf-8")
            hint = f" Bedoeld is waarschijnlijk: '{repaired[:60]}'."
        except (UnicodeEncodeError, UnicodeDecodeError):
            hint = ""
        row.problems.append(Problem(
            name, "verminkte tekens (UTF-8 gelezen als Windows-1252)." + hint,
            row=row.number, column=column, value=cell, severity=WARNING))


def _read_xlsx(path: Path, sheet: str | None, required: Sequence[str]) -> Table:
    import openpyxl  # imported here: only XLSX users pay for it
    from openpyxl.utils.exceptions import InvalidFileException

    name = str(path)
    try:
        values_book = openpyxl.load_workbook(path, data_only=True)
        formula_book = openpyxl.load_workbook(path, data_only=False)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        return _unreadable(path, f"geen leesbaar XLSX-bestand ({exc})")
    chosen = _choose_sheet(values_book.sheetnames, sheet, values_book, required)
    if isinstance(chosen, Problem):
        return Table(path, [], [], problems=[Problem(name, chosen.reason)], usable=False)
    values_ws, formula_ws = values_book[chosen], formula_book[chosen]
    grid = [[_cell_text(c) for c in row] for row in values_ws.iter_rows()]
    table = Table(path, [], [], sheet=chosen)
    _fill_merged_cells(values_ws, grid)
    _fill_from_records(table, grid, first_number=1)
    _check_uncached_formulas(table, values_ws, formula_ws)
    return table


def _choose_sheet(names: list[str], wanted: str | None, book, required: Sequence[str]):
    if wanted is not None:
        match = next((n for n in names if normalize_key(n) == normalize_key(wanted)), None)
        if match is None:
            hint = nearest(wanted, names)
            return Problem("", f"werkblad '{wanted}' bestaat niet; werkbladen: "
                               f"{', '.join(names)}" + (f"; bedoelt u '{hint}'?" if hint else ""))
        return match
    if len(names) == 1:
        return names[0]
    # Several sheets and none named: take the one sheet whose header has the required columns.
    fitting = [n for n in names if _has_columns(book[n], required)]
    if len(fitting) == 1:
        return fitting[0]
    return Problem("", f"het bestand heeft {len(names)} werkbladen ({', '.join(names)}); "
                       "kies er een met --werkblad of 'werkblad:' in het studiebestand")


def _has_columns(ws, required: Sequence[str]) -> bool:
    for row in ws.iter_rows(max_row=20, values_only=True):
        header = {normalize_key(str(c)) for c in row if c is not None}
        if header:
            return set(required) <= header
    return False


def _cell_text(cell) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def _fill_merged_cells(ws, grid: list[list[str]]) -> None:
    """A merged range shows one value to the reader: give it to every cell of the range."""
    for merged in ws.merged_cells.ranges:
        value = grid[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                grid[r - 1][c - 1] = value


def _check_uncached_formulas(table: Table, values_ws, formula_ws) -> None:
    """A formula saved by a program that never calculated it has no value: say so, do not guess."""
    by_number = {row.number: row for row in table.rows}
    for row in formula_ws.iter_rows():
        for cell in row:
            is_formula = isinstance(cell.value, str) and cell.value.startswith("=")
            if (is_formula and cell.row in by_number
                    and values_ws.cell(cell.row, cell.column).value is None):
                column = table.columns[cell.column - 1] if cell.column <= len(
                    table.columns) else None
                by_number[cell.row].problems.append(Problem(
                    str(table.path), "formule zonder opgeslagen uitkomst; open het bestand "
                    "in Excel en sla het opnieuw op", row=cell.row, column=column,
                    value=cell.value))


def _check_header(table: Table, required: Sequence[str], optional: Sequence[str]) -> None:
    name = str(table.path)
    seen: set[str] = set()
    for column in table.columns:
        if column and column in seen:
            table.problems.append(Problem(name, "kolom komt twee keer voor", row=1, column=column))
            table.usable = False
        seen.add(column)
    known = set(required) | set(optional)
    for column in table.columns:
        if column and column not in known:
            hint = nearest(column, sorted(known))
            table.problems.append(Problem(
                name, "onbekende kolom, wordt niet gebruikt" + (
                    f"; bedoelt u '{hint}'?" if hint else ""), row=1, column=column,
                severity=WARNING))
    missing = [c for c in required if c not in seen]
    if missing:
        table.problems.append(Problem(name, f"verplichte kolom(men) ontbreken: {', '.join(missing)}"
                                      f" (gevonden: {', '.join(c for c in table.columns if c)})",
                                      row=1))
        table.usable = False
    for row in table.rows:
        for column in optional:
            row.values.setdefault(column, "")


def neutralize_formula(value: object) -> object:
    """Prefix text that a spreadsheet would execute (CSV injection) with a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot run as spreadsheet formulas."""
    return frame.apply(lambda col: col.map(neutralize_formula) if col.dtype == object else col)


def write_csv(frame: pd.DataFrame, path: Path | str) -> None:
    """Write UTF-8 CSV atomically, with formula-like cells neutralised."""
    data = safe_frame(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")
    atomic_write_bytes(Path(path), data)


def write_xlsx(frame: pd.DataFrame, path: Path | str, sheet: str = "gegevens") -> None:
    """Write XLSX atomically; text cells are stored as text, never as formulas."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe_frame(frame).to_excel(writer, index=False, sheet_name=sheet)
    atomic_write_bytes(Path(path), buffer.getvalue())
