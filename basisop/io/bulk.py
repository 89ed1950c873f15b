"""Large coding files, read column-wise: a pyarrow parse and a screen on distinct values.

The row path (`tables.read_table` and the codings `check` in `records`) stays the reference.
This module only proves rows clean: a row that could get any problem, warning or error, is
turned into a `Row` and checked by that same code, so the messages are the same by
construction. The screen may send a clean row to the row path, never the other way round.
A file the screen does not understand at all (UTF-16, a stray quote, an unnamed column ...)
goes to the row path whole.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from basisop.io import tables
from basisop.io.records import (
    CHECKLIST_EXTRA,
    CODING_COLUMNS,
    CODING_REQUIRED,
    CodingParts,
    LoadResult,
    RowCheck,
    _compare_key,
)
from basisop.io.tables import Row, Table
from basisop.problems import WARNING, Problem

# Below this many bytes in all coding files together the row path is quick enough.
BULK_MIN_BYTES = 16 * 2**20
_NEWLINE, _CR, _QUOTE, _SPACE = 10, 13, 34, 32


def worth_it(paths: Sequence[Path]) -> bool:
    """Every file a CSV, and together big enough for the column-wise reader to pay."""
    try:
        size = sum(p.stat().st_size for p in paths)
    except OSError:
        return False  # the row path says what is wrong with the file
    return (all(p.suffix.lower() in tables.CSV_SUFFIXES for p in paths)
            and size >= BULK_MIN_BYTES)


@dataclass
class BulkFile:
    """One CSV: its table (columns, file problems, and the rows the row path must check) and
    the cells pyarrow parsed, one row per record of the right width."""

    table: Table
    cells: pa.Table  # columns named as table.columns
    numbers: np.ndarray  # each cell row's record number (the header is 1)
    clean: np.ndarray  # per cell row: no table-level problem can arise, the cell is the value


# -- reading -------------------------------------------------------------------------------------

def read_bulk(path: Path, required: Sequence[str], optional: Sequence[str]) -> BulkFile | None:
    """Read a plain CSV column-wise; None when the row path must read it."""
    data = path.read_bytes()
    offset = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    if (data.startswith((b"\xff\xfe", b"\xfe\xff")) or tables._utf16_without_bom(data)
            or data.count(b"\r") != data.count(b"\r\n")):
        return None
    first_line = data[offset:data.find(b"\n", offset) if b"\n" in data else len(data)]
    delimiter = tables._sniff_delimiter(first_line.decode("utf-8", errors="surrogateescape"))
    if delimiter == "\t":
        return None  # a tab inside a field would be taken for a delimiter by the screen
    arr = np.frombuffer(data, np.uint8)[offset:]
    quotes = np.flatnonzero(arr == _QUOTE)
    if len(quotes) % 2 or not _quotes_well_formed(arr, quotes, delimiter):
        return None
    layout = _Layout.scan(arr, quotes)
    if layout is None:
        return None
    bad, first_bad, valid_non_ascii = _invalid_utf8(data, offset, layout.non_ascii)
    if len(bad) and (offset or not valid_non_ascii):
        return None  # BOM with bad bytes, or a Windows-1252 file: the row path decodes it
    encoding = ("UTF-8 met BOM" if offset else tables.MIXED_ENCODING if len(bad) else "UTF-8")
    table = Table(path, [], [], encoding=encoding, delimiter=delimiter)
    if len(bad):
        table.problems.append(Problem(
            str(path), f"geen geldige UTF-8 vanaf byte {first_bad} in een deel van de cellen; "
                       "die cellen zijn gelezen als Windows-1252 (zie de waarschuwingen per rij)",
            severity=WARNING))
    header_text = _text(data, offset + layout.starts[0], offset + layout.ends[0], bool(len(bad)))
    header = next(csv.reader(io.StringIO(header_text, newline=""), delimiter=table.delimiter),
                  [])
    table.columns = tables.header_columns(header)
    if (not all(table.columns) or len(set(table.columns)) < len(table.columns)
            or not set(required) <= set(table.columns) or len(layout.starts) < 2
            or layout.slow[0]):
        return None  # the row path names what is wrong with the header
    layout.flag(layout.record_of(bad))
    body = _patched(data, offset, layout, bad)
    parsed = _parse(body, layout, table)
    if parsed is None:
        return None
    cells, numbers, invalid = parsed
    clean = _clean_cells(cells, ~layout.slow[numbers - 1], layout.non_ascii_rows[numbers - 1])
    slow_records = np.union1d(numbers[~clean] - 1, invalid)
    decode_bad = bool(len(bad))
    for record in slow_records:
        record_bytes = _text(data, offset + layout.starts[record], offset + layout.ends[record],
                             decode_bad)
        fields = next(csv.reader(io.StringIO(record_bytes, newline=""),
                                 delimiter=table.delimiter), [])
        row = tables.record_row(int(record) + 1, fields, table.columns, str(path))
        if row is not None:
            table.rows.append(row)
    tables._check_header(table, required, optional)
    if any("\n" in cell for row in table.rows for cell in row.values.values()):
        first = cells.column(0).filter(pa.array(clean))
        starts = set(pc.unique(first).to_pylist()) | {r.values.get(table.columns[0], "")
                                                      for r in table.rows}
        tables.check_multiline_cells(table, table.rows, starts - {""})
    return BulkFile(table, cells, numbers, clean)


def _quotes_well_formed(arr: np.ndarray, quotes: np.ndarray, delimiter: str) -> bool:
    """Every quote opens a field, closes it or doubles a quote inside it; then the csv module,
    pyarrow and a count of quotes agree on where each record ends."""
    if not len(quotes):
        return True
    delimiters = np.frombuffer(f"{delimiter}\n\r".encode(), np.uint8)
    opening, closing = quotes[0::2], quotes[1::2]
    before = np.where(opening > 0, arr[np.maximum(opening - 1, 0)], _NEWLINE)
    after = np.where(closing + 1 < len(arr), arr[np.minimum(closing + 1, len(arr) - 1)],
                     _NEWLINE)
    opens_field = np.isin(before, delimiters)
    doubled_before = np.concatenate([[False], opening[1:] - closing[:-1] == 1])
    closes_field = np.isin(after, delimiters)
    doubled_after = np.concatenate([opening[1:] - closing[:-1] == 1, [False]])
    return bool(np.all(opens_field | doubled_before) and np.all(closes_field | doubled_after))


class _Layout:
    """Where each record starts and ends, and which records the row path must read."""

    def __init__(self, starts: np.ndarray, ends: np.ndarray, line_ends: np.ndarray, size: int):
        # A record's text is starts:ends; line_ends is where its line break is (or the end).
        self.starts, self.ends, self.line_ends, self.size = starts, ends, line_ends, size
        count = len(starts)
        self.slow = np.zeros(count, bool)  # a problem may arise: the row path reads the record
        self.multiline = np.zeros(count, bool)
        self.non_ascii_rows = np.zeros(count, bool)
        self.non_ascii = np.empty(0, np.int64)
        self.inner_breaks = np.empty(0, np.int64)

    @classmethod
    def scan(cls, arr: np.ndarray, quotes: np.ndarray) -> _Layout | None:
        special = np.flatnonzero((arr < _SPACE) | (arr >= 127))
        kinds = arr[special]
        newlines = special[kinds == _NEWLINE]
        outside = np.searchsorted(quotes, newlines) % 2 == 0
        ends = newlines[outside]
        if not len(ends) or ends[-1] != len(arr) - 1:
            ends = np.append(ends, len(arr))  # the last record has no line end
        starts = np.concatenate([[0], ends[:-1] + 1])
        # A record ends before its "\r\n"; an empty one has no characters at all.
        has_cr = (ends > starts) & (arr[np.maximum(ends - 1, 0)] == _CR)
        layout = cls(starts, ends - has_cr, ends, len(arr))
        terminators = np.union1d(ends, (ends - 1)[has_cr])
        inner = np.setdiff1d(special, terminators, assume_unique=True)
        layout.non_ascii = inner[arr[inner] >= 128]
        controls = inner[arr[inner] < 128]
        layout.inner_breaks = controls[np.isin(arr[controls], (_NEWLINE, _CR))]
        layout.multiline[layout.record_of(layout.inner_breaks)] = True
        layout.flag(layout.record_of(controls))
        layout.non_ascii_rows[layout.record_of(layout.non_ascii)] = True
        doubled = np.flatnonzero((arr[:-1] == _SPACE) & (arr[1:] == _SPACE))
        layout.flag(layout.record_of(doubled))  # "a  b" and "a b" are one key: checked by row
        layout.slow |= layout.ends - layout.starts > tables.MAX_FIELD_CHARS
        return layout

    def record_of(self, positions: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.starts, positions, side="right") - 1

    def flag(self, records: np.ndarray) -> None:
        self.slow[records] = True


def _invalid_utf8(data: bytes, offset: int, non_ascii: np.ndarray
                  ) -> tuple[np.ndarray, int, bool]:
    """Positions (after `offset`) of bytes that are no UTF-8, the first one in the file, and
    whether any valid non-ASCII character exists (the row path's Windows-1252 decision)."""
    if not len(non_ascii):
        return np.empty(0, np.int64), 0, False
    breaks = np.flatnonzero(np.diff(non_ascii) != 1) + 1
    run_starts, run_ends = non_ascii[np.r_[0, breaks]], non_ascii[np.r_[breaks - 1, -1]] + 1
    bad: list[int] = []
    valid = False
    verdicts: dict[bytes, list[int] | None] = {}
    for start, end in zip(run_starts.tolist(), run_ends.tolist(), strict=True):
        run = data[offset + start:offset + end]
        if run not in verdicts:
            verdicts[run] = _bad_in_run(run)
        found = verdicts[run]
        if found is None:
            valid = True
        else:
            bad += [start + i for i in found]
            valid = valid or len(found) < len(run)
    positions = np.array(bad, np.int64)
    return positions, (offset + int(positions[0])) if bad else 0, valid


def _bad_in_run(run: bytes) -> list[int] | None:
    """Offsets of the bytes in a run of non-ASCII bytes that are no UTF-8; None if all are."""
    try:
        run.decode("utf-8")
        return None
    except UnicodeDecodeError:
        text = run.decode("utf-8", errors="surrogateescape")
    found, at = [], 0
    for char in text:
        width = len(char.encode("utf-8", errors="surrogateescape"))
        if "\udc80" <= char <= "\udcff":
            found.append(at)
        at += width
    return found


def _text(data: bytes, start: int, end: int, mixed: bool) -> str:
    """A record's text as the row path decodes it."""
    return data[start:end].decode("utf-8", errors="surrogateescape" if mixed else "strict")


def _patched(data: bytes, offset: int, layout: _Layout, bad: np.ndarray) -> memoryview:
    """The body for pyarrow: line breaks inside fields become spaces (so every record is one
    line and pyarrow can read without looking for them) and bytes that are no UTF-8 a '?'.
    Those records are read by the row path from the original bytes."""
    body_start = offset + int(layout.starts[1])
    if not len(bad) and not len(layout.inner_breaks):
        return memoryview(data)[body_start:]
    copy = bytearray(data)
    view = np.frombuffer(copy, np.uint8)[offset:]
    view[layout.inner_breaks] = _SPACE
    view[bad] = ord("?")
    return memoryview(copy)[body_start:]


def _parse(body: memoryview, layout: _Layout, table: Table
           ) -> tuple[pa.Table, np.ndarray, np.ndarray] | None:
    """Parse the records after the header with pyarrow, in parallel chunks that start at a
    record; returns the cells, each cell row's record number and the records pyarrow could
    not read as a row (a wrong number of fields: the row path reads them)."""
    names = [f"c{i}" for i in range(len(table.columns))]
    base = int(layout.starts[1])
    records = np.arange(1, len(layout.starts))
    workers = min(os.cpu_count() or 1, 4)
    bounds = np.linspace(0, len(records), workers * 2 + 1).astype(int)
    chunks = [(records[a], records[b - 1]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)
              if b > a]

    def read(chunk: tuple[int, int]) -> tuple[pa.Table, list[int]]:
        first, last = chunk
        start = int(layout.starts[first]) - base
        stop = min(int(layout.line_ends[last]) + 1, layout.size) - base
        invalid: list[int] = []

        def skip(row) -> str:
            invalid.append(-1 if row.number is None else first + row.number - 1)
            return "skip"

        part = pcsv.read_csv(
            pa.py_buffer(body[start:stop]),
            read_options=pcsv.ReadOptions(column_names=names, use_threads=False,
                                          block_size=max(stop - start, 1)),
            parse_options=pcsv.ParseOptions(delimiter=table.delimiter,
                                            invalid_row_handler=skip),
            convert_options=pcsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                strings_can_be_null=False))
        return part, invalid

    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(read, chunks))
    invalid = np.array(sorted(i for _, found in parts for i in found), np.int64)
    if len(invalid) and invalid[0] < 0:
        return None
    empty = layout.ends == layout.starts
    keep = np.ones(len(layout.starts), bool)
    keep[0] = False
    keep[empty] = False
    keep[invalid] = False
    numbers = np.flatnonzero(keep) + 1
    cells = pa.concat_tables([part for part, _ in parts])
    if cells.num_rows != len(numbers):
        return None  # pyarrow saw the records differently: let the row path read the file
    return cells.rename_columns(table.columns), numbers, invalid


def _clean_cells(cells: pa.Table, clean: np.ndarray, non_ascii: np.ndarray) -> np.ndarray:
    """Rows whose cells need no repair and raise no table-level problem: nothing to strip,
    no formula quote, not blank; rows with non-ASCII text are checked cell by cell."""
    clean = clean.copy()
    filled = np.zeros(cells.num_rows, bool)
    for column in cells.columns:
        edges = pc.or_(pc.or_(pc.starts_with(column, " "), pc.ends_with(column, " ")),
                       pc.starts_with(column, "'"))
        clean &= ~_numpy(edges)
        filled |= _numpy(pc.binary_length(column)) > 0
    clean &= filled
    rows = np.flatnonzero(clean & non_ascii)
    if len(rows):
        texts = cells.take(pa.array(rows)).to_pylist()
        plain = [all(_plain_cell(c) for c in row.values()) for row in texts]
        clean[rows] = plain
    return clean


def _plain_cell(cell: str) -> bool:
    return (cell == cell.strip() and not cell.startswith("'")
            and not tables._SUSPECT.search(cell))


def _numpy(values: pa.ChunkedArray | pa.Array) -> np.ndarray:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values.to_numpy(zero_copy_only=False)


# -- the codings screen --------------------------------------------------------------------------

_OPTIONAL = [c for c in CODING_COLUMNS if c not in CODING_REQUIRED] + list(CHECKLIST_EXTRA)
_UNIT_COLUMNS = ("eenheid", "respondent", "rol")
_SUBJECT_COLUMNS = ("eenheid", "subthema", "checklist", *CHECKLIST_EXTRA)
_FILE_SHIFT = 2**40  # (file, row) as one sortable number


@dataclass
class _Screened:
    """One file after the screen: the clean rows' record columns and the rows to check."""

    bulk: BulkFile
    index: int  # the file's place among the coding files
    rows: np.ndarray  # cell rows that are clean
    records: dict[str, pa.Array]  # CODING_COLUMNS of the clean rows (derived as `check` does)
    slow: list[Row]  # rows for the row path, by number


def load_codings(paths: Sequence[Path], parts: CodingParts) -> LoadResult | None:
    """The codings of large CSV files, as `records._load` with the codings check gives them;
    None when a file needs the row path."""
    files = []
    for path in paths:
        try:
            bulk = read_bulk(path, CODING_REQUIRED, _OPTIONAL)
        except OSError:
            return None  # the row path says why the file cannot be read
        if bulk is None:
            return None
        files.append(bulk)
    screened = [_screen(i, bulk, parts) for i, bulk in enumerate(files)]
    _first_ids(screened, parts)
    outcomes = _check_slow(screened, parts)
    duplicates = _duplicates(screened, outcomes, parts)
    return _result(screened, outcomes, duplicates)


def _column(cells: pa.Table, name: str, rows: np.ndarray) -> pa.Array:
    """A column's cells of some rows; an absent column reads as empty, as in the row path."""
    if name not in cells.column_names:
        return pa.array([""] * len(rows), pa.string())
    return cells.column(name).take(pa.array(rows)).combine_chunks()


def _groups(columns: list[pa.Array]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's group of equal values in `columns`, and the first row of each group."""
    combined = np.zeros(len(columns[0]), np.int64)
    for column in columns:
        encoded = column.dictionary_encode()
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        combined = pd.factorize(combined * len(encoded.dictionary) + codes)[0]
    # factorize numbers groups in order of appearance: a group starts where the count rises.
    firsts = np.flatnonzero(np.r_[True, combined[1:] > np.maximum.accumulate(combined)[:-1]])
    return combined, firsts


def _screen(index: int, bulk: BulkFile, parts: CodingParts) -> _Screened:
    """Prove rows clean group by group of distinct values, with the check's own parts."""
    cells, table = bulk.cells, bulk.table
    rows = np.flatnonzero(bulk.clean)
    if not len(rows):
        return _Screened(bulk, index, rows, {}, list(bulk.table.rows))
    take = {c: _column(cells, c, rows) for c in {*CODING_COLUMNS, *CHECKLIST_EXTRA}}
    ok = _numpy(pc.binary_length(take["fragment"])) > 0
    derived: dict[str, pa.Array] = {}

    def by_group(columns: Sequence[str], probe) -> list[np.ndarray]:
        """Run `probe` once per distinct combination of `columns`; its answers per row."""
        group, firsts = _groups([take[c] for c in columns])
        samples = {c: take[c].take(pa.array(firsts)).to_pylist() for c in columns}
        answers = [probe(_probe(table, {c: samples[c][g] for c in columns}))
                   for g in range(len(firsts))]
        passed, *values = zip(*answers, strict=True)
        ok[:] &= np.array(passed, bool)[group]
        return [pa.array(list(v)).take(pa.array(group)) for v in values]

    def unit_and_role(rc: RowCheck) -> tuple:
        unit = rc.parsed("eenheid", parts.unit_of, required=True)
        role = parts.registered_role(rc, unit, rc.required("respondent"))
        return not rc.problems, unit, role

    def subject(rc: RowCheck) -> tuple:
        try:
            unit = parts.unit_of(rc.cell("eenheid")) if rc.cell("eenheid") else None
        except ValueError:
            unit = None  # said by unit_and_role
        subtheme, checklist = parts.subject(rc, unit)
        return not rc.problems, subtheme, checklist

    def oordeel(rc: RowCheck) -> tuple:
        status = rc.parsed("oordeel", parts.status_of)
        return not rc.problems, status.value if status else ""

    def confidential(rc: RowCheck) -> tuple:
        flag = bool(rc.parsed("vertrouwelijk", parts.flag_of))
        return not rc.problems, flag

    units, roles = by_group(_UNIT_COLUMNS, unit_and_role)
    subthemes, checklists = by_group(_SUBJECT_COLUMNS, subject)
    (oordelen,) = by_group(("oordeel",), oordeel)
    (flags,) = by_group(("vertrouwelijk",), confidential)
    derived = {"eenheid": units, "rol": roles, "subthema": subthemes, "checklist": checklists,
               "oordeel": oordelen}
    records = {c: derived[c].cast(pa.string()) if c in derived else take[c]
               for c in CODING_COLUMNS if c != "vertrouwelijk"}
    records["vertrouwelijk"] = flags.cast(pa.bool_())
    keep = np.flatnonzero(ok)
    records = {c: v.take(pa.array(keep)) for c, v in records.items()}
    unclean = rows[~ok]
    slow = sorted([*bulk.table.rows, *(_cell_row(bulk, r) for r in unclean)],
                  key=lambda r: r.number)
    return _Screened(bulk, index, rows[keep], records, slow)


def _probe(table: Table, values: dict[str, str]) -> RowCheck:
    return RowCheck(table, Row(0, dict(values)))


def _cell_row(bulk: BulkFile, row: int) -> Row:
    """A clean cell row as the row path holds it: the cells in header order, then the absent
    optional columns empty."""
    values = {c: v[0] for c, v in bulk.cells.slice(row, 1).to_pydict().items()}
    values.update({c: "" for c in _OPTIONAL if c not in values})
    return Row(int(bulk.numbers[row]), values)


def _first_ids(screened: list[_Screened], parts: CodingParts) -> None:
    """Fragment ids that occur more than once, with where they first occur, for `check`'s
    `_unique_id`; a clean row repeating an id is sent to the row path, which reports it."""
    frames = []
    for s in screened:
        numbers = s.bulk.numbers[s.rows]
        ids = s.records["id"].to_pandas() if len(s.rows) else pd.Series([], dtype="str")
        frames.append(pd.DataFrame({"id": ids, "file": s.index, "rij": numbers,
                                    "clean": np.arange(len(numbers))}))
        frames.append(pd.DataFrame({"id": pd.Series([r.values.get("id", "") for r in s.slow],
                                                    dtype="str"),
                                    "file": s.index, "rij": [r.number for r in s.slow],
                                    "clean": -1}))
    every = pd.concat(frames, ignore_index=True)
    every = every[every["id"] != ""]
    repeated = every[every["id"].duplicated(keep=False)].sort_values(["file", "rij"],
                                                                     kind="stable")
    if repeated.empty:
        return
    names = [s.bulk.table.path.name for s in screened]
    for fragment_id, group in repeated.groupby("id", sort=False):
        first = group.iloc[0]
        parts.ids[fragment_id] = f"{names[first['file']]} rij {first['rij']}"
    later = repeated[repeated["id"].duplicated(keep="first") & (repeated["clean"] >= 0)]
    for index, found in later.groupby("file"):
        _to_row_path(screened[index], found["clean"].to_numpy())


def _to_row_path(s: _Screened, clean_positions: np.ndarray) -> None:
    """Send some clean rows (by their place among the clean rows) to the row path."""
    keep = np.ones(len(s.rows), bool)
    keep[clean_positions] = False
    s.slow = sorted([*s.slow, *(_cell_row(s.bulk, r) for r in s.rows[~keep])],
                    key=lambda r: r.number)
    s.rows = s.rows[keep]
    s.records = {c: v.filter(pa.array(keep)) for c, v in s.records.items()}


@dataclass
class _Outcome:
    """A row checked by the row path: its problems and its record (None: rejected)."""

    row: Row
    rc: RowCheck
    record: dict | None


def _check_slow(screened: list[_Screened], parts: CodingParts) -> list[list[_Outcome]]:
    """The row path's check of every row the screen did not prove clean, in file order."""
    outcomes = []
    for s in screened:
        found = []
        for row in s.slow:
            rc = RowCheck(s.bulk.table, row)
            found.append(_Outcome(row, rc, parts.check(rc)))
        outcomes.append(found)
    return outcomes


_HASHED = ("eenheid", "respondent", "rol", "subthema", "checklist", "oordeel", "bron",
           "vertrouwelijk")
_MEASURED = ("fragment", "id")  # long or unique: only the length of their key is hashed
_MIX = np.uint64(0x100000001B3)


def _duplicates(screened: list[_Screened], outcomes: list[list[_Outcome]],
                parts: CodingParts) -> dict[int, dict[int, Problem]]:
    """The rows that repeat an earlier accepted row (same key as `parts.key`): a warning, and
    the row is rejected, as in the row path. A cheap hash of the key parts finds the
    candidates; their full keys decide. Returns per file: clean position -> problem (the
    row path's rows get theirs in place)."""
    order, hashes, who = [], [], []
    for s, found in zip(screened, outcomes, strict=True):
        if len(s.rows):
            order.append(s.index * _FILE_SHIFT + s.bulk.numbers[s.rows])
            hashes.append(_clean_hashes(s.records))
            who += [(s.index, i) for i in range(len(s.rows))]
        accepted = [o for o in found if o.record is not None and o.rc.ok]
        if accepted:
            order.append(np.array([s.index * _FILE_SHIFT + o.row.number for o in accepted]))
            hashes.append(np.array([_key_hash(parts.key(o.record)) for o in accepted],
                                   np.uint64))
            who += [(s.index, o) for o in accepted]
    if not hashes:
        return {}
    order_all, hash_all = np.concatenate(order), np.concatenate(hashes)
    candidates = np.flatnonzero(pd.Series(hash_all).duplicated(keep=False).to_numpy())
    candidates = candidates[np.argsort(order_all[candidates], kind="stable")]
    seen: dict[tuple, str] = {}
    found_clean: dict[int, dict[int, Problem]] = {}
    for i in candidates:
        index, what = who[i]
        s = screened[index]
        if isinstance(what, _Outcome):
            record, number = what.record, what.row.number
        else:
            record = {c: v[what].as_py() for c, v in s.records.items()}
            number = int(s.bulk.numbers[s.rows[what]])
        key, path = parts.key(record), s.bulk.table.path
        if key not in seen:
            seen[key] = f"{path.name} rij {number}"
            continue
        problem = Problem(str(path), f"dubbel: zelfde als {seen[key]}", row=number,
                          severity=WARNING)
        if isinstance(what, _Outcome):
            what.rc.problems.append(problem)
            what.record = None
        else:
            found_clean.setdefault(index, {})[what] = problem
    return found_clean


def _key_hash(key: tuple) -> np.uint64:
    """The hash `_clean_hashes` gives a clean row with this key (see `parts.key`'s order)."""
    named = dict(zip([c for c in CODING_COLUMNS if c != "notities"], key, strict=True))
    value = np.zeros(1, np.uint64)
    with np.errstate(over="ignore"):
        for part in [hash(named[c]) % 2**64 for c in _HASHED] + [
                len(named[c]) for c in _MEASURED]:
            value = (value ^ np.uint64(part)) * _MIX
    return value[0]


def _clean_hashes(records: dict[str, pa.Array]) -> np.ndarray:
    """`_key_hash` of every clean row, column-wise: the key of a text is computed once per
    distinct text; a clean ASCII cell's key is as long as the cell."""
    count = len(records["fragment"])
    value = np.zeros(count, np.uint64)
    with np.errstate(over="ignore"):
        for c in _HASHED:
            column = records[c] if c != "vertrouwelijk" else records[c].cast(pa.string())
            encoded = column.dictionary_encode()
            texts = encoded.dictionary.to_pylist()
            if c == "vertrouwelijk":
                texts = [str(t == "true") for t in texts]
            per_text = np.array([hash(_compare_key(t)) % 2**64 for t in texts], np.uint64)
            codes = encoded.indices.to_numpy(zero_copy_only=False)
            value = (value ^ per_text[codes]) * _MIX
        for c in _MEASURED:
            lengths = _numpy(pc.utf8_length(records[c])).astype(np.uint64)
            wide = np.flatnonzero(~_numpy(pc.string_is_ascii(records[c])))
            if len(wide):
                texts = records[c].take(pa.array(wide)).to_pylist()
                lengths[wide] = [len(_compare_key(t)) for t in texts]
            value = (value ^ lengths) * _MIX
    return value


def _result(screened: list[_Screened], outcomes: list[list[_Outcome]],
            duplicates: dict[int, dict[int, Problem]]) -> LoadResult:
    """Problems, rejects and accepted rows in file and row order, as `records._load` has them."""
    result = LoadResult(pd.DataFrame(columns=[*CODING_COLUMNS, "bestand", "rij"]))
    accepted: list[pa.Table] = []
    for s, found in zip(screened, outcomes, strict=True):
        table, name = s.bulk.table, s.bulk.table.path.name
        result.sources.append(f"{name}: {table.describe()}")
        result.problems += table.problems
        result.read += len(found) + len(s.rows)
        repeated = duplicates.get(s.index, {})
        events = [(o.row.number, o.rc.problems, o.row, o.record, o.rc.ok) for o in found]
        events += [(int(s.bulk.numbers[s.rows[i]]), [p], _cell_row(s.bulk, s.rows[i]), None,
                    True) for i, p in repeated.items()]
        kept = [(o.record, o.row.number) for o in found if o.record is not None and o.rc.ok]
        for number, problems, row, record, ok in sorted(events, key=lambda e: e[0]):
            result.problems += problems
            if record is None or not ok:
                reasons = [p.reason for p in problems if p.is_error or record is None]
                result.rejected_rows.append({"bestand": name, "rij": number,
                                             "reden": "; ".join(reasons) or "afgewezen",
                                             **row.values})
        accepted.append(_clean_table(s, name, repeated))
        if kept:
            accepted.append(pa.Table.from_pylist(
                [{**record, "bestand": name, "rij": number, "_file": s.index}
                 for record, number in kept], schema=_SCHEMA))
    frame = pa.concat_tables(accepted)
    if frame.num_rows:
        order = _numpy(frame["_file"]) * _FILE_SHIFT + _numpy(frame["rij"])
        if np.any(order[1:] < order[:-1]):
            frame = frame.take(pa.array(np.argsort(order, kind="stable")))
        result.frame = frame.drop_columns(["_file"]).to_pandas()
    return result


_SCHEMA = pa.schema([*((c, pa.bool_() if c == "vertrouwelijk" else pa.string())
                       for c in CODING_COLUMNS), ("bestand", pa.string()), ("rij", pa.int64()),
                     ("_file", pa.int64())])


def _clean_table(s: _Screened, name: str, repeated: dict[int, Problem]) -> pa.Table:
    """The clean rows that are not repeats, as accepted records."""
    keep = np.ones(len(s.rows), bool)
    keep[list(repeated)] = False
    mask = pa.array(keep)
    numbers = s.bulk.numbers[s.rows][keep]
    columns = {c: s.records[c].filter(mask) if s.records else pa.array([], _SCHEMA.field(c).type)
               for c in CODING_COLUMNS}
    columns.update(bestand=pa.array([name] * len(numbers), pa.string()),
                   rij=pa.array(numbers, pa.int64()),
                   _file=pa.array(np.full(len(numbers), s.index), pa.int64()))
    return pa.table(columns, schema=_SCHEMA)
