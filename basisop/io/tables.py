"""Reading the tables analysts bring (CSV in any Dutch Excel dialect, XLSX) and writing safe ones.

Every cell is read as text, so "0363" stays "0363". Faults come back as Problems with file,
row and column; nothing is dropped without a trace.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from basisop.io.archive_guard import ArchiveRefused, check_workbook_cells, open_checked
from basisop.io.atomic import atomic_write_bytes
from basisop.io.paths import input_problem, os_reason
from basisop.model import did_you_mean, nearest, normalize_key
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
# Control characters that never belong in text (tab and line breaks do).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# The csv module's own limit would stop reading with an exception; an over-long field is
# reported as a problem of its row instead (MAX_FIELD_CHARS), so the module may read anything.
csv.field_size_limit(sys.maxsize)
# Bytes that are no UTF-8, kept by errors="surrogateescape" until their cell is known.
_UNDECODED = re.compile("[\udc80-\udcff]+")
_VALID_NON_ASCII = re.compile("[^\x00-\x7f\udc80-\udcff]")
MIXED_ENCODING = "UTF-8, enkele cellen Windows-1252"
_SUSPECT = re.compile(f"\ufffd|{_CONTROL.pattern}|{_MOJIBAKE.pattern}|{_UNDECODED.pattern}")


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
    usable: bool = True  # False when required columns are missing: no row can be accepted

    def describe(self) -> str:
        """How the file was read, for the load summary (the encoding is always said)."""
        if self.sheet is not None:
            return f"XLSX, werkblad '{self.sheet}'"
        if self.encoding is None:
            return "niet gelezen"
        if self.delimiter is None:
            return f"CSV, {self.encoding}, leeg"
        names = {",": "komma", ";": "puntkomma", "\t": "tab"}
        return f"CSV, {self.encoding}, scheidingsteken {names.get(self.delimiter, '?')}"


def read_table(path: Path | str, *, required: Sequence[str], optional: Sequence[str] = (),
               sheet: str | None = None, extra_columns_ok: bool = False) -> Table:
    """Read a CSV or XLSX file into rows of text keyed by lower-case column name."""
    path = Path(path)
    suffix = path.suffix.lower()
    reason = input_problem(path)
    if reason is not None:
        return _unreadable(path, reason)
    if suffix in XLSX_SUFFIXES:
        table = _read_xlsx(path, sheet, required)
    elif suffix in CSV_SUFFIXES:
        table = _read_csv(path)
    else:
        return _unreadable(path, f"onbekend bestandstype '{suffix}': verwacht .csv of .xlsx")
    if table.usable:
        _check_header(table, required, optional, extra_columns_ok)
    return table


def _unreadable(path: Path, reason: str) -> Table:
    return Table(path, [], [], problems=[Problem(str(path), reason)], usable=False)


def decode(data: bytes, name: str) -> tuple[str, str, list[Problem]]:
    """Decode text in UTF-8 (with or without BOM), UTF-16, or Windows-1252; say which.

    Bytes that cannot be decoded become U+FFFD; the cell check reports them with row and column.
    In a UTF-8 text, only the bytes that are no UTF-8 are read as Windows-1252.
    """
    text, encoding, problems = _decode(data, name)
    return _from_cp1252(text), encoding, problems


def _decode(data: bytes, name: str) -> tuple[str, str, list[Problem]]:
    """As decode, but bytes that are no UTF-8 in a UTF-8 text stay surrogates, so the cells
    holding them can be named."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8 met BOM", []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "UTF-16", []
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return data.decode(utf16, errors="replace"), "UTF-16 zonder BOM", [Problem(
            name, "UTF-16 zonder BOM herkend aan de nul-bytes; controleer de tekens",
            severity=WARNING)]
    try:
        return data.decode("utf-8"), "UTF-8", []
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    text = data.decode("utf-8", errors="surrogateescape")
    if _VALID_NON_ASCII.search(text):
        # Valid UTF-8 beside a few bytes that are not (a cell pasted from a Windows program):
        # keep the UTF-8 and read only the bad cells as Windows-1252 (_check_cells says where).
        return text, MIXED_ENCODING, [Problem(
            name, f"geen geldige UTF-8 vanaf byte {first_bad} in een deel van de cellen; die "
                  "cellen zijn gelezen als Windows-1252 (zie de waarschuwingen per rij)",
            severity=WARNING)]
    # Dutch Excel saves "CSV (gescheiden door lijstscheidingsteken)" in Windows-1252.
    note = Problem(name, f"geen geldige UTF-8 (byte {first_bad}); gelezen als Windows-1252. "
                         "Controleer de tekens met accenten.", severity=WARNING)
    return data.decode("cp1252", errors="replace"), "Windows-1252", [note]


def _from_cp1252(cell: str) -> str:
    """The bytes of a cell that were not UTF-8 (kept as surrogates), read as Windows-1252."""
    return _UNDECODED.sub(lambda bad: bad.group().encode("utf-8", "surrogateescape").decode(
        "cp1252", errors="replace"), cell)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM has a zero byte in every other place of its ASCII characters."""
    sample = data[:4096]
    if len(sample) < 4 or sample.count(0) < len(sample) // 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 3 * max(even, 1):
        return "utf-16-le"
    if even > 3 * max(odd, 1):
        return "utf-16-be"
    return None


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
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _unreadable(path, os_reason(exc))
    if not data.strip():
        return Table(path, [], [], problems=[Problem(name, "bestand is leeg")], usable=False,
                     encoding="UTF-8")
    text, encoding, problems = _decode(data, name)
    delimiter = _sniff_delimiter(text)
    table = Table(path, [], [], encoding=encoding, delimiter=delimiter, problems=problems)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:  # not expected with newline="" and no size limit; said, not raised
        table.problems.append(Problem(name, f"CSV niet te lezen: {exc}"))
        table.usable = False
        return table
    _fill_from_records(table, records, first_number=1)
    _check_quotes(table, text, delimiter)
    return table


def _check_quotes(table: Table, text: str, delimiter: str) -> None:
    """A quote that is never closed swallows the rows after it into one field: say where."""
    first = next((c for c in table.columns if c), None)
    starts = {row.values.get(first, "") for row in table.rows} - {""}
    check_multiline_cells(table, table.rows, starts)
    if text.count('"') % 2:
        _report_unclosed_quote(table, text, delimiter)


def check_multiline_cells(table: Table, rows: Iterable[Row], starts: set[str]) -> None:
    """A cell whose later lines look like whole rows (`starts`: the first column's values)."""
    width, delimiter = len(table.columns), table.delimiter or ","

    def looks_like_a_row(line: str) -> bool:
        """As many delimiters as a row, and starting with a value the first column holds."""
        return (line.count(delimiter) >= max(width - 1, 1)
                and line.split(delimiter, 1)[0].strip().strip('"') in starts)

    for row in rows:
        for column, cell in row.values.items():
            if "\n" in cell and any(looks_like_a_row(line) for line in cell.splitlines()[1:]):
                row.problems.append(Problem(
                    str(table.path), "veld loopt over meerdere regels die op hele rijen lijken: "
                    "staat er een aanhalingsteken niet goed? Die rijen zijn niet gelezen.",
                    row=row.number, column=column, value=" ".join(cell.split())))


def _report_unclosed_quote(table: Table, text: str, delimiter: str) -> None:
    """An odd number of quotes: read strictly to find the record where reading went wrong."""
    found = first_quote_error(text, delimiter)
    if found is not None:
        report_quote_error(table, *found)


def first_quote_error(text: str, delimiter: str) -> tuple[int, bool] | None:
    """Where a strict reading of `text` stops: (its record's number from 1, whether the text
    ended inside a quoted field); None when it reads to the end."""
    number = 0
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            number += 1
        return None
    except csv.Error as exc:
        return number + 1, "unexpected end of data" in str(exc)


def report_quote_error(table: Table, number: int, at_end: bool) -> None:
    """The problem `first_quote_error` found, on its row (or the file when that row is blank)."""
    reason = ("aanhalingsteken wordt niet gesloten: de rest van het bestand is in dit veld "
              "beland" if at_end else "aanhalingsteken midden in een veld")
    row = next((r for r in table.rows if r.number == number), None)
    if row is None:
        table.problems.append(Problem(str(table.path), reason, row=number, severity=(
            "fout" if at_end else WARNING)))
        table.usable = table.usable and not at_end
        return
    column = next((c for c in reversed(table.columns) if c and row.values.get(c)), None)
    if not any(p.row == number and "aanhalingsteken" in p.reason for p in row.problems):
        row.problems.append(Problem(str(table.path), reason, row=number, column=column,
                                    severity="fout" if at_end else WARNING))


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
    table.columns = header_columns(header)
    unnamed = [i for i, c in enumerate(table.columns) if not c]
    unnamed_filled = 0
    for number, record in numbered[1:]:
        row = record_row(number, record, table.columns, name)
        if row is None:
            continue  # a blank row is no data: skipped, as a spreadsheet user expects
        unnamed_filled += any(_unneutralized(record[i].strip()) for i in unnamed
                              if i < len(record))
        table.rows.append(row)
    if unnamed_filled:
        table.problems.append(Problem(
            name, f"kolom zonder naam in de kop heeft waarden in {unnamed_filled} rij(en); "
                  "die waarden worden niet gebruikt", row=header_number, severity=WARNING))
    if header_number != first_number:
        table.problems.append(Problem(name, f"kop gevonden in rij {header_number}",
                                      severity=WARNING))
    if not table.rows:
        table.problems.append(Problem(name, "bestand bevat alleen een kop, geen rijen",
                                      severity=WARNING))


def header_columns(header: list[str]) -> list[str]:
    """The header's cells as column names (lower case, spacing normalised, no BOM)."""
    return [normalize_key(_from_cp1252(c).lstrip("\ufeff")) for c in header]


def record_row(number: int, record: list[str], columns: list[str], name: str) -> Row | None:
    """One raw record as a Row with its cell problems (field count, encoding, control
    characters ...); None for a blank row."""
    width = len(columns)
    cells = [_unneutralized(c.strip()) for c in record]
    if not any(cells):
        return None
    row = Row(number, {})
    if len(cells) > width:
        _too_many_fields(row, name, cells, width)
    cells += [""] * (width - len(cells))
    row.values = {c: cells[i] for i, c in enumerate(columns) if c}
    _check_cells(row, name, cells)
    return row


def _too_many_fields(row: Row, name: str, cells: list[str], width: int) -> None:
    """Extra values: an error (a stray delimiter shifted them); extra empty fields: a warning."""
    if any(cells[width:]):
        row.problems.append(Problem(
            name, f"rij heeft {len(cells)} velden, de kop {width}: staat er een "
                  "scheidingsteken of aanhalingsteken te veel?", row=row.number))
    else:
        row.problems.append(Problem(
            name, f"rij heeft {len(cells)} velden, de kop {width}; de lege velden aan het eind "
                  "worden genegeerd. Staan de waarden in de goede kolommen?", row=row.number,
            severity=WARNING))


def _check_cells(row: Row, name: str, cells: list[str]) -> None:
    """Check each cell only when the row as a whole shows something suspect (fast on big files)."""
    joined = "\n".join(cells)
    if len(joined) > MAX_FIELD_CHARS or _SUSPECT.search(joined):
        for column, cell in row.values.items():
            if _UNDECODED.search(cell):
                row.values[column] = cell = _from_cp1252(cell)
                row.problems.append(Problem(
                    name, "geen geldige UTF-8 in deze cel; gelezen als Windows-1252. "
                          "Controleer de tekens.", row=row.number, column=column, value=cell,
                    severity=WARNING))
            _check_cell(row, name, column, cell)


def _check_cell(row: Row, name: str, column: str, cell: str) -> None:
    if len(cell) > MAX_FIELD_CHARS:
        row.problems.append(Problem(
            name, f"veld van {len(cell)} tekens (maximaal {MAX_FIELD_CHARS}): "
                  "staat er een aanhalingsteken niet goed?", row=row.number, column=column,
            value=cell))
    elif "\ufffd" in cell:
        row.problems.append(Problem(
            name, "onleesbare tekens (�): het bestand is niet in de gemelde codering "
                  "opgeslagen", row=row.number, column=column, value=cell, severity=WARNING))
    elif _CONTROL.search(cell):
        row.problems.append(Problem(
            name, "onzichtbaar stuurteken in het veld (bijvoorbeeld een nul-byte)",
            row=row.number, column=column, value=_CONTROL.sub("?", cell), severity=WARNING))
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
        with open_checked(path) as archive:
            check_workbook_cells(archive)
    except ArchiveRefused as exc:
        return _unreadable(path, f"XLSX-bestand niet gelezen: {exc}")
    except (zipfile.BadZipFile, OSError) as exc:
        return _unreadable(path, f"geen leesbaar XLSX-bestand ({exc})")
    try:
        values_book = openpyxl.load_workbook(path, data_only=True)
        formula_book = openpyxl.load_workbook(path, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
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
                               f"{', '.join(names)}{did_you_mean(hint)}")
        return match
    if len(names) == 1:
        return names[0]
    # Several sheets and none named: take the one sheet whose header has the required columns.
    fitting = [n for n in names if _has_columns(book[n], required)]
    if len(fitting) == 1:
        return fitting[0]
    return Problem("", f"het bestand heeft {len(names)} werkbladen ({', '.join(names)}); "
                       "noem het werkblad in het studiebestand (codering: - bestand: ..., "
                       "werkblad: ...)")


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


def _check_header(table: Table, required: Sequence[str], optional: Sequence[str],
                  extra_columns_ok: bool = False) -> None:
    name = str(table.path)
    seen: set[str] = set()
    for column in table.columns:
        if column and column in seen:
            table.problems.append(Problem(name, "kolom komt twee keer voor", row=1, column=column))
            table.usable = False
        seen.add(column)
    known = set(required) | set(optional)
    for column in table.columns:
        if column and column not in known and not extra_columns_ok:
            hint = nearest(column, sorted(known))
            table.problems.append(Problem(
                name, "onbekende kolom, wordt niet gebruikt" + did_you_mean(hint),
                row=1, column=column,
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


def _unneutralized(cell: str) -> str:
    """Undo `neutralize_formula`, so a CSV written by basisop reads back as it was meant."""
    if cell.startswith("'") and cell[1:2] and cell[1] in "=+-@":
        return cell[1:]
    return cell


def neutralize_formula(value: object) -> object:
    """Prefix text that a spreadsheet would execute (CSV injection) with a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and column names cannot run as spreadsheet formulas.

    Every column that is not numeric, boolean or a date is checked cell by cell (object,
    pandas "string" and categorical columns alike); numbers are never changed.
    """
    columns = [col if _is_plain(col) else col.map(neutralize_formula).astype(object)
               for _, col in frame.items()]
    safe = pd.concat(columns, axis=1) if columns else frame.copy()
    safe.columns = [neutralize_formula(c) for c in frame.columns]
    return safe


def _is_plain(column: pd.Series) -> bool:
    """Numbers, booleans and dates: nothing a spreadsheet could run."""
    types = pd.api.types
    return (types.is_numeric_dtype(column) or types.is_bool_dtype(column)
            or types.is_datetime64_any_dtype(column))


def write_csv(frame: pd.DataFrame, path: Path | str, *, private: bool = False) -> None:
    """Write UTF-8 CSV atomically, with formula-like cells neutralised; `private` for a file
    that may hold confidential fragments (mode 0600)."""
    data = safe_frame(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")
    atomic_write_bytes(Path(path), data, private=private)


def write_xlsx(frame: pd.DataFrame, path: Path | str, sheet: str = "gegevens") -> None:
    """Write XLSX atomically; text cells are stored as text, never as formulas."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe_frame(frame).to_excel(writer, index=False, sheet_name=sheet)
    atomic_write_bytes(Path(path), buffer.getvalue())
