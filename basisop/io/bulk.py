"""Large coding files, read column-wise: a pyarrow parse and a screen on distinct values.

The row path (`tables.read_table` and the codings `check` in `records`) stays the reference.
This module only proves rows clean: a row that could get any problem, warning or error, is
turned into a `Row` and checked by that same code, so the messages are the same by
construction. The screen may send a clean row to the row path, never the other way round.
A file the screen does not understand at all (UTF-16, a bare carriage return, an unnamed
column ...) goes to the row path whole; around a stray quote only the records the csv module
must read go by row (`_Spans`).
"""

from __future__ import annotations

import csv
import gc
import io
import mmap
import os
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from basisop.io import tables
from basisop.io.paths import input_problem
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
from basisop.model import normalize_key
from basisop.problems import WARNING, Problem

# Below this many bytes in all coding files together the row path is quick enough.
BULK_MIN_BYTES = 16 * 2**20
_NEWLINE, _CR, _QUOTE, _SPACE = 10, 13, 34, 32
_TEXT = pa.large_string()  # what pandas keeps its Arrow-backed strings in: no cast
# The other columns repeat their values (units, roles, oordelen ...): parsed
# dictionary-encoded, each check and key runs once per distinct value. Plain 32-bit strings
# parse faster than large ones; widening them for the frame copies no text.
_CODED = pa.dictionary(pa.int32(), pa.string())
# The large buffers (parsed cells, the frame) come from the system allocator: here, fresh
# memory from pyarrow's default pool (mimalloc) cost ten times as much per page, and the
# pool kept about 190 MB more at its peak (the fragments' copy: 0.43 s against 0.04 s).
_POOL = pa.system_memory_pool()
_WORKERS = min(os.cpu_count() or 1, 4)
_PLAIN = ("fragment", "id")  # unique: a dictionary per parsed block would cost more


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
    key_lengths: dict[str, np.ndarray]  # per long-text column (`_PLAIN`) and cell row: its
    # key's length, if clean


# -- reading -------------------------------------------------------------------------------------

def read_bulk(path: Path, required: Sequence[str], optional: Sequence[str]) -> BulkFile | None:
    """Read a plain CSV column-wise; None when the row path must read it."""
    data = _read_bytes(path)
    if data is None:
        return None
    head = data[:4096]
    offset = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or tables._utf16_without_bom(head):
        return None
    end = data.find(b"\n", offset)
    delimiter = tables._sniff_delimiter(
        data[offset:end if end >= 0 else len(data)].decode("utf-8", errors="surrogateescape"))
    if delimiter == "\t":
        return None  # a tab inside a field would be taken for a delimiter by the screen
    arr = np.frombuffer(data, np.uint8)[offset:]
    quotes, special, doubled = _positions(arr)
    odd_quotes = bool(len(quotes) % 2)
    spans = _Spans.find(arr, quotes, special, delimiter)
    layout = _Layout.scan(arr, spans, special, doubled)
    del quotes, special
    if layout is None:
        return None
    bad, valid_non_ascii = _invalid_utf8(arr, layout.non_ascii)
    if len(bad) and (offset or not valid_non_ascii):
        return None  # BOM with bad bytes, or a Windows-1252 file: the row path decodes it
    table = _header(path, data, offset, layout, bad, delimiter, required)
    if table is None:
        return None
    layout.flag(layout.record_of(bad))
    quote_error = _quote_error(data, offset, layout, spans, delimiter, bool(len(bad))
                               ) if odd_quotes else None
    originals = _patch(data, offset, layout, bad, spans.quotes)
    parsed = _parse(memoryview(data)[offset + int(layout.starts[1]):], layout, table)
    if parsed is None:
        return None
    cells, numbers, invalid = parsed
    clean, key_lengths = _clean_cells(cells, ~layout.slow[numbers - 1])
    for record in np.union1d(numbers[~clean] - 1, invalid).tolist():
        text = originals.get(record) or _text(data, offset + int(layout.starts[record]),
                                              offset + int(layout.ends[record]), bool(len(bad)))
        fields = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
        row = tables.record_row(record + 1, fields, table.columns, str(path))
        if row is not None:
            table.rows.append(row)
    tables._check_header(table, required, optional)
    if any("\n" in cell for row in table.rows for cell in row.values.values()):
        first = cells.column(0).filter(pa.array(clean))
        starts = set(pc.unique(first).to_pylist()) | {r.values.get(table.columns[0], "")
                                                      for r in table.rows}
        tables.check_multiline_cells(table, table.rows, starts - {""})
    if quote_error is not None:
        if not any(row.number == quote_error[0] for row in table.rows):
            return None  # the problem would be the file's: the row path says it
        tables.report_quote_error(table, *quote_error)
    return BulkFile(table, cells, numbers, clean, key_lengths)


def _read_bytes(path: Path) -> mmap.mmap | None:
    """The file's bytes, patchable in place: a private mapping, so the pages come straight
    from the page cache and only a patched page is copied (a read into a buffer costs a
    copy and fresh memory). None for an empty file (the row path reads it)."""
    with path.open("rb") as handle:
        if not os.fstat(handle.fileno()).st_size:
            return None
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_COPY)


def _header(path: Path, data: mmap.mmap, offset: int, layout: _Layout, bad: np.ndarray,
            delimiter: str, required: Sequence[str]) -> Table | None:
    """The table with its columns, encoding and file-level note; None for a header the row
    path must judge (missing, unnamed or repeated columns, not on the first line)."""
    mixed = bool(len(bad))
    encoding = "UTF-8 met BOM" if offset else tables.MIXED_ENCODING if mixed else "UTF-8"
    table = Table(path, [], [], encoding=encoding, delimiter=delimiter)
    if mixed:
        table.problems.append(Problem(
            str(path), f"geen geldige UTF-8 vanaf byte {offset + bad[0]} in een deel van de "
                       "cellen; die cellen zijn gelezen als Windows-1252 (zie de waarschuwingen "
                       "per rij)",
            severity=WARNING))
    text = _text(data, offset + int(layout.starts[0]), offset + int(layout.ends[0]), mixed)
    table.columns = tables.header_columns(
        next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), []))
    if (not all(table.columns) or len(set(table.columns)) < len(table.columns)
            or not set(required) <= set(table.columns) or len(layout.starts) < 2
            or layout.slow[0]):
        return None
    return table


def _quote_error(data: mmap.mmap, offset: int, layout: _Layout, spans: _Spans, delimiter: str,
                 mixed: bool) -> tuple[int, bool] | None:
    """For an odd number of quotes the row path reads the file strictly and reports where
    that stops (`tables.first_quote_error`). Only a stretch the csv module read can stop it:
    elsewhere the quotes are well formed. Read before `_patch` changes the stretches."""
    for start, end in spans.bounds:
        found = tables.first_quote_error(_text(data, offset + start, offset + end, mixed),
                                         delimiter)
        if found is not None:
            return int(np.searchsorted(layout.starts, start)) + found[0], found[1]
    return None


@dataclass
class _Spans:
    """Stretches of whole records whose quotes do not simply open and close fields (a quote
    inside a field, one never closed ...). The csv module reads them, as the row path does,
    and says where their records end; every record in them goes to the row path. Outside
    them the quotes come in well-formed pairs, so their parity says where records end."""

    kept: np.ndarray  # the quotes outside the stretches
    bounds: list[tuple[int, int]]  # each stretch's first byte and the byte after it
    ends: np.ndarray  # the line feeds inside the stretches that end a record
    quotes: np.ndarray  # the quotes inside the stretches

    @classmethod
    def find(cls, arr: np.ndarray, quotes: np.ndarray, special: np.ndarray,
             delimiter: str) -> _Spans:
        newlines = special[arr[special] == _NEWLINE]
        kept, bounds, ends = [], [], []
        at = position = 0  # the first quote not judged yet; the record start before it
        while (bad := _first_malformed(arr, quotes[at:], delimiter)) is not None:
            rest = quotes[at:]
            opening = int(rest[2 * bad])
            # Its record starts after the last line feed before it outside quotes.
            lo, hi = np.searchsorted(newlines, [position, opening])
            between = newlines[lo:hi]
            outside = between[np.searchsorted(rest, between) % 2 == 0]
            start = int(outside[-1]) + 1 if len(outside) else position
            end, found = _csv_record_ends(arr, start, newlines, opening, delimiter)
            kept.append(rest[:np.searchsorted(rest, start)])
            bounds.append((start, end))
            ends += found
            at, position = int(np.searchsorted(quotes, end)), end
        kept.append(quotes[at:])
        inside = np.concatenate([quotes[slice(*np.searchsorted(quotes, bound))]
                                 for bound in bounds] or [np.empty(0, np.int64)])
        return cls(np.concatenate(kept), bounds, np.array(ends, np.int64), inside)

    def contains(self, positions: np.ndarray) -> np.ndarray:
        if not self.bounds:
            return np.zeros(len(positions), bool)
        starts, stops = (np.array(b, np.int64) for b in zip(*self.bounds, strict=True))
        which = np.searchsorted(starts, positions, side="right") - 1
        return (which >= 0) & (positions < stops[np.maximum(which, 0)])


def _csv_record_ends(arr: np.ndarray, start: int, newlines: np.ndarray, past: int,
                     delimiter: str) -> tuple[int, list[int]]:
    """Read records with the csv module from `start` (a record start), line by line, until
    one ends after `past`. Returns where the next record starts and the line feeds that ended
    records."""
    first = int(np.searchsorted(newlines, start))
    position, ends = start, []

    def lines() -> Iterator[str]:
        nonlocal position
        for i in range(first, len(newlines) + 1):
            stop = int(newlines[i]) + 1 if i < len(newlines) else len(arr)
            if stop > position:
                line = arr[position:stop].tobytes().decode("utf-8", "surrogateescape")
                position = stop
                yield line

    for _ in csv.reader(lines(), delimiter=delimiter):  # one line at a time: no read-ahead
        if arr[position - 1] == _NEWLINE:
            ends.append(position - 1)
        if position > past:
            break
    return position, ends


def _first_malformed(arr: np.ndarray, quotes: np.ndarray, delimiter: str) -> int | None:
    """The first pair of quotes (paired from the first) that does not open a field, close
    it or double a quote inside it, or an unpaired last quote; None when all are well formed.
    Judged in growing windows: a stray quote costs the distance to it, not the whole file."""
    pairs, start, size = (len(quotes) + 1) // 2, 0, 1 << 8
    while start < pairs:
        stop = min(start + size, pairs)
        first = max(start - 1, 0)  # a pair either side: a doubled quote joins two pairs
        well_formed = _well_formed(arr, quotes[2 * first:2 * stop + 2], delimiter)
        bad = np.flatnonzero(~well_formed[start - first:stop - first])
        if len(bad):
            return start + int(bad[0])
        start, size = stop, size * 2
    return None


def _well_formed(arr: np.ndarray, quotes: np.ndarray, delimiter: str) -> np.ndarray:
    """Per pair of quotes: the first opens a field (or doubles the quote before it) and the
    second closes it (or doubles the next); then the csv module, pyarrow and the parity of
    quotes agree on where each record ends. An unpaired last quote is not well formed."""
    bounding = np.zeros(256, bool)  # what may stand beside a quote that opens or closes
    bounding[[ord(delimiter), _NEWLINE, _CR]] = True
    pairs = len(quotes) // 2
    opening, closing = quotes[0:2 * pairs:2], quotes[1:2 * pairs:2]
    before = np.where(opening > 0, arr[np.maximum(opening - 1, 0)], _NEWLINE)
    after = np.where(closing + 1 < len(arr), arr[np.minimum(closing + 1, len(arr) - 1)],
                     _NEWLINE)
    doubled = opening[1:] - closing[:-1] == 1
    well_formed = np.zeros(pairs + len(quotes) % 2, bool)  # an unpaired last one: False
    well_formed[:pairs] = bounding[before] & bounding[after]
    well_formed[1:pairs] |= doubled & bounding[after[1:]]
    well_formed[:pairs - 1] |= doubled & bounding[before[:-1]]
    well_formed[1:pairs - 1] |= doubled[:-1] & doubled[1:]
    return well_formed


class _Layout:
    """Where each record starts and ends, and which records the row path must read."""

    def __init__(self, starts: np.ndarray, ends: np.ndarray, line_ends: np.ndarray, size: int):
        # A record's text is starts:ends; line_ends is where its line break is (or the end).
        self.starts, self.ends, self.line_ends, self.size = starts, ends, line_ends, size
        count = len(starts)
        self.slow = np.zeros(count, bool)  # a problem may arise: the row path reads the record
        self.multiline = np.zeros(count, bool)
        self.non_ascii = np.empty(0, np.int64)
        self.inner_breaks = np.empty(0, np.int64)

    @classmethod
    def scan(cls, arr: np.ndarray, spans: _Spans, special: np.ndarray,
             doubled: np.ndarray) -> _Layout | None:
        """From the positions `_positions` found; None for a carriage return without a line
        feed (an old Mac file: the row path reads it)."""
        kinds = arr[special]
        newline = np.flatnonzero(kinds == _NEWLINE)
        ending = np.zeros(len(special), bool)  # the line breaks that end a record
        ending[newline[np.searchsorted(spans.kept, special[newline]) % 2 == 0]] = True
        inside = spans.contains(special)
        ending[inside] = np.isin(special[inside], spans.ends)  # as the csv module read them
        carriage = np.flatnonzero(kinds == _CR)
        if len(carriage) and (carriage[-1] + 1 >= len(special)
                              or np.any(special[carriage + 1] != special[carriage] + 1)
                              or np.any(kinds[carriage + 1] != _NEWLINE)):
            return None
        ending[carriage] = ending[carriage + 1]
        ends = special[ending & (kinds == _NEWLINE)]
        if not len(ends) or ends[-1] != len(arr) - 1:
            ends = np.append(ends, len(arr))  # the last record has no line end
        starts = np.concatenate([[0], ends[:-1] + 1])
        # A record ends before its "\r\n"; an empty one has no characters at all.
        has_cr = (ends > starts) & (arr[np.maximum(ends - 1, 0)] == _CR)
        layout = cls(starts, ends - has_cr, ends, len(arr))
        inner, inner_kinds = special[~ending], kinds[~ending]
        layout.non_ascii = inner[inner_kinds >= 128]
        controls = inner[inner_kinds < 128]
        layout.inner_breaks = controls[(arr[controls] == _NEWLINE) | (arr[controls] == _CR)]
        layout.multiline[layout.record_of(layout.inner_breaks)] = True
        layout.flag(layout.record_of(controls))
        layout.flag(layout.record_of(doubled))  # "a  b" keys as "a b": the row path checks
        layout.slow |= layout.ends - layout.starts > tables.MAX_FIELD_CHARS
        for start, end in spans.bounds:
            layout.slow[slice(*np.searchsorted(layout.starts, [start, end]))] = True
        return layout

    def record_of(self, positions: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.starts, positions, side="right") - 1

    def flag(self, records: np.ndarray) -> None:
        self.slow[records] = True


def _positions(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions of quotes, of control characters and non-ASCII bytes, and of two spaces in
    a row (as 16-bit words at even and at odd places), in cache-sized blocks."""
    block = 1 << 22
    spaces = np.uint16(_SPACE * 257)

    def scan(start: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        part = arr[start:start + block]
        quotes = np.flatnonzero(part == _QUOTE) + start
        # Below 32 or from 127 on, in one comparison: bytes under 32 wrap round to the top.
        special = np.flatnonzero(np.subtract(part, _SPACE, dtype=np.uint8) >= 95) + start
        doubled = []
        for shift in (0, 1):
            pairs = arr[start + shift:start + shift + block]
            words = pairs[:len(pairs) // 2 * 2].view(np.uint16)
            doubled.append(np.flatnonzero(words == spaces) * 2 + start + shift)
        return quotes, special, np.concatenate(doubled)

    with ThreadPoolExecutor(_WORKERS) as pool:  # numpy releases the GIL: both cores
        found = list(pool.map(scan, range(0, len(arr), block)))
    empty = [np.empty(0, np.int64)]
    return tuple(np.concatenate([f[k] for f in found] or empty) for k in range(3))


def _invalid_utf8(arr: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, bool]:
    """The non-ASCII bytes (at `positions`) that are no UTF-8, and whether any valid non-ASCII
    character exists (the row path's choice between mixed cells and Windows-1252)."""
    if not len(positions):
        return positions, False
    lead = arr[positions]
    size = np.select([lead > 0xF4, lead >= 0xF0, lead >= 0xE0, lead >= 0xC2], [0, 4, 3, 2], 0)
    count = len(positions)
    second = arr[np.minimum(positions + 1, len(arr) - 1)]
    overlong_or_surrogate = (((lead == 0xE0) & (second < 0xA0))
                             | ((lead == 0xED) & (second > 0x9F))
                             | ((lead == 0xF0) & (second < 0x90))
                             | ((lead == 0xF4) & (second > 0x8F)))
    valid = (size > 0) & ~overlong_or_surrogate
    for k in (1, 2, 3):
        following = np.minimum(np.arange(count) + k, count - 1)
        continues = ((positions[following] == positions + k)
                     & (arr[positions[following]] & 0xC0 == 0x80))
        valid &= (size <= k) | continues
    claimed = valid.copy()
    for k in (1, 2, 3):
        claimed[np.flatnonzero(valid & (size > k)) + k] = True
    return positions[~claimed], bool(valid.any())


def _text(data: bytes | mmap.mmap, start: int, end: int, mixed: bool) -> str:
    """A record's text as the row path decodes it."""
    return data[start:end].decode("utf-8", errors="surrogateescape" if mixed else "strict")


def _patch(data: mmap.mmap, offset: int, layout: _Layout, bad: np.ndarray,
           quotes: np.ndarray) -> dict[int, str]:
    """Make the body plain for pyarrow, in place: line breaks inside fields and the quotes
    of the csv module's stretches (`_Spans`) become spaces (so every record is one line and
    pyarrow need not look for them) and bytes that are no UTF-8 a '?'. Returns the original
    text of the records changed, which the row path reads."""
    changed = np.union1d(layout.record_of(layout.inner_breaks), layout.record_of(bad))
    changed = np.union1d(changed, layout.record_of(quotes))
    originals = {record: _text(data, offset + int(layout.starts[record]),
                               offset + int(layout.ends[record]), bool(len(bad)))
                 for record in changed.tolist()}
    view = np.frombuffer(data, np.uint8)[offset:]
    view[layout.inner_breaks] = _SPACE
    view[quotes] = _SPACE
    view[bad] = ord("?")
    return originals


def _parse(body: memoryview, layout: _Layout, table: Table
           ) -> tuple[pa.Table, np.ndarray, np.ndarray] | None:
    """Parse the records after the header with pyarrow, in parallel chunks that start at a
    record; returns the cells, each cell row's record number and the records pyarrow could
    not read as a row (a wrong number of fields: the row path reads them)."""
    names = [f"c{i}" for i in range(len(table.columns))]
    types = {n: pa.string() if c in _PLAIN else _CODED for n, c in zip(names, table.columns,
                                                                        strict=True)}
    base = int(layout.starts[1])
    records = np.arange(1, len(layout.starts))
    workers = _WORKERS
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
            pa.py_buffer(body[start:stop]), memory_pool=_POOL,
            # Serial within a chunk, so an invalid row's line number is known; small blocks
            # stay in the cache (twice as fast as one block per chunk), with few chunks.
            read_options=pcsv.ReadOptions(column_names=names, use_threads=False,
                                          block_size=1 << 22),
            parse_options=pcsv.ParseOptions(delimiter=table.delimiter,
                                            invalid_row_handler=skip),
            # `_patch` made every byte valid UTF-8 (`_invalid_utf8` found the others).
            convert_options=pcsv.ConvertOptions(column_types=types, check_utf8=False,
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
    cells = pa.concat_tables([part for part, _ in parts]).unify_dictionaries(_POOL)
    if cells.num_rows != len(numbers):
        return None  # pyarrow saw the records differently: let the row path read the file
    return cells.rename_columns(table.columns), numbers, invalid


def _clean_cells(cells: pa.Table, clean: np.ndarray
                 ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Rows whose cells need no repair and raise no table-level problem: nothing to strip,
    no formula quote, not blank, no suspect character. Also each cell's key length."""
    clean = clean.copy()
    filled = np.zeros(cells.num_rows, bool)
    lengths = {}
    for name, column in zip(cells.column_names, cells.columns, strict=True):
        if pa.types.is_dictionary(column.type):
            values, indices = _encoded(column)
            unclean, length = _cell_profile(values)
            # One small gather per row: 2 unclean, 1 filled, 0 empty.
            state = np.where(unclean, 2, length > 0).astype(np.int8)[indices]
            clean &= state != 2
            filled |= state == 1
            continue
        with ThreadPoolExecutor(_WORKERS) as pool:  # pyarrow and numpy release the GIL
            profiles = list(pool.map(_cell_profile, column.chunks))
        clean &= ~np.concatenate([p[0] for p in profiles] or [np.empty(0, bool)])
        lengths[name] = np.concatenate([p[1] for p in profiles] or [np.empty(0, np.int64)])
        filled |= lengths[name] > 0
    return clean & filled, lengths


def _cell_profile(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Per text: whether it needs the row path (spaces around it, a formula quote, a suspect
    character), and the length of its key."""
    edges = pc.or_(pc.or_(pc.starts_with(texts, " "), pc.ends_with(texts, " ")),
                   pc.starts_with(texts, "'"))
    suspect, lengths = text_profile(texts)
    return _numpy(edges) | suspect, lengths


def _encoded(column: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """A column's distinct values and each row's place among them. A dictionary column's
    chunks share one dictionary (`unify_dictionaries`); any other column is encoded here."""
    if not pa.types.is_dictionary(column.type):
        column = column.dictionary_encode()
    if isinstance(column, pa.Array):
        return column.dictionary, column.indices.to_numpy(zero_copy_only=False)
    if not column.num_chunks:
        return pa.array([], column.type.value_type), np.empty(0, np.int32)
    return (column.chunk(0).dictionary,
            np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in column.chunks]))


def text_profile(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Per cell: whether it holds a non-ASCII character that could raise a problem or change
    the spacing of its key (whitespace, U+FFFD, the Ã, Â and â of garbled text ...), and the
    length of its key (`_compare_key`), which for a clean cell is the sum of what each
    character counts there. Computed on the characters, not per cell."""
    offsets = _offsets(column)
    lengths = np.diff(offsets)
    suspect = np.zeros(len(column), bool)
    if not len(column) or column.buffers()[2] is None:
        return suspect, lengths
    data = np.frombuffer(column.buffers()[2], np.uint8)
    leads = np.flatnonzero(data[offsets[0]:offsets[-1]] >= 0xC0) + offsets[0]
    if not len(leads):
        return suspect, lengths
    points, sizes = _code_points(data, leads)
    distinct, which = np.unique(points, return_inverse=True)
    judged = [_judge(chr(p)) for p in distinct.tolist()]
    bad = np.array([j[0] for j in judged], bool)[which]
    counted = np.array([j[1] for j in judged], np.int64)[which]
    rows = np.searchsorted(offsets, leads, side="right") - 1
    suspect[rows[bad]] = True
    lengths = lengths - np.bincount(rows, weights=sizes - counted, minlength=len(column)
                                    ).astype(np.int64)
    return suspect, lengths


def _offsets(column: pa.Array) -> np.ndarray:
    kind = np.int64 if pa.types.is_large_string(column.type) else np.int32
    raw = np.frombuffer(column.buffers()[1], kind)
    return raw[column.offset:column.offset + len(column) + 1].astype(np.int64)


def _code_points(data: np.ndarray, leads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The code point and byte count of each UTF-8 character starting at `leads`."""
    first = data[leads].astype(np.int64)
    last = len(data) - 1  # past the end reads as a zero byte, without copying the data
    tail = [np.where(leads + k <= last, data[np.minimum(leads + k, last)], 0).astype(np.int64)
            & 0x3F for k in (1, 2, 3)]
    sizes = np.select([first >= 0xF0, first >= 0xE0], [4, 3], 2)
    two = ((first & 0x1F) << 6) | tail[0]
    three = ((first & 0x0F) << 12) | (tail[0] << 6) | tail[1]
    four = ((first & 0x07) << 18) | (tail[0] << 12) | (tail[1] << 6) | tail[2]
    return np.select([sizes == 4, sizes == 3], [four, three], two), sizes


def _judge(char: str) -> tuple[bool, int]:
    """(suspect, what the character counts in a key)."""
    decomposed = unicodedata.normalize("NFKD", char)
    suspect = (char.isspace() or char in "\ufffdÃÂâ" or bool(tables._SUSPECT.search(char))
               or any(c.isspace() for c in decomposed) or not char.isprintable())
    return suspect, len(normalize_key(char))


def _numpy(values: pa.ChunkedArray | pa.Array) -> np.ndarray:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values.to_numpy(zero_copy_only=False)


# -- the codings screen --------------------------------------------------------------------------

_OPTIONAL = [c for c in CODING_COLUMNS if c not in CODING_REQUIRED] + list(CHECKLIST_EXTRA)
_UNIT_COLUMNS = ("eenheid", "respondent", "rol")
_SUBJECT_COLUMNS = ("subthema", "checklist", *CHECKLIST_EXTRA)
_FILE_SHIFT = 2**40  # (file, row) as one sortable number


@dataclass
class _Screened:
    """One file after the screen: which cell rows are proven clean, their record columns
    (over all cell rows, meaningful where clean) and the rows to check by row."""

    bulk: BulkFile
    index: int  # the file's place among the coding files
    keep: np.ndarray  # per cell row: clean, so accepted unless it repeats an earlier row
    records: dict[str, pa.Array | pa.ChunkedArray]  # CODING_COLUMNS as `check` derives them
    slow: list[Row]  # rows for the row path, by number
    fragments: _Prefetch | None = None  # the accepted fragments' buffer, being touched

    def drop(self, rows: np.ndarray) -> None:
        """Send clean cell rows to the row path after all."""
        self.keep[rows] = False
        self.slow = sorted([*self.slow, *_cell_rows(self.bulk, rows)], key=lambda r: r.number)


def load_codings(paths: Sequence[Path], parts: CodingParts) -> LoadResult | None:
    """The codings of large CSV files, as `records._load` with the codings check gives them;
    None when a file needs the row path."""
    with _no_cycle_collection():
        return _load_codings(paths, parts)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The load makes tens of thousands of small objects (rows, problems, records) that form
    no cycles; the collector walked them some 450 times (0.16 s of a 5 s load)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _load_codings(paths: Sequence[Path], parts: CodingParts) -> LoadResult | None:
    files = []
    for path in paths:
        if input_problem(path) is not None:
            return None  # too big, not a file ...: the row path says so
        try:
            bulk = read_bulk(path, CODING_REQUIRED, _OPTIONAL)
        except OSError:
            return None  # the row path says why the file cannot be read
        if bulk is None:
            return None
        files.append(bulk)
    screened = [_screen(i, bulk, parts) for i, bulk in enumerate(files)]
    for s in screened:
        s.fragments = _Prefetch(_fragment_bytes(s))
    _first_ids(screened, parts)
    outcomes = _check_slow(screened, parts)
    repeats = _duplicates(screened, outcomes, parts)
    return _result(screened, outcomes, repeats)


class _Prefetch:
    """A buffer allocated early, its pages touched by another thread while the checks hold
    the GIL: on this machine a fresh page costs more than the copy into it (0.15 s for the
    200 MB of fragments)."""

    def __init__(self, size: int):
        self.buffer = pa.allocate_buffer(size, memory_pool=_POOL)
        self._thread = threading.Thread(target=_touch, args=(self.buffer,), daemon=True)
        self._thread.start()

    def result(self) -> pa.Buffer:
        self._thread.join()
        return self.buffer


def _touch(buffer: pa.Buffer) -> None:
    np.frombuffer(buffer, np.uint8)[::mmap.PAGESIZE] = 0  # numpy releases the GIL


def _fragment_bytes(s: _Screened) -> int:
    """At least the size of the fragments that can be accepted: the clean rows' and the
    rows' for the row path."""
    column = s.records.get("fragment")
    clean = sum(int(np.diff(_offsets(c))[s.keep[a:a + len(c)]].sum())
                for a, c in zip(np.cumsum([0, *(len(c) for c in column.chunks)]).tolist(),
                                column.chunks, strict=False)) if column is not None else 0
    return clean + sum(len(r.values.get("fragment", "").encode("utf-8", "surrogatepass"))
                       for r in s.slow)


def _column(cells: pa.Table, name: str) -> pa.ChunkedArray:
    """A column's cells; an absent column reads as empty, as in the row path."""
    if name in cells.column_names:
        return cells.column(name)
    empty = pa.DictionaryArray.from_arrays(np.zeros(cells.num_rows, np.int32), [""])
    return pa.chunked_array([empty.cast(_CODED)])


def _groups(columns: list[tuple[pa.Array, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's group of equal values in `columns` (`_encoded`), and the first row of each
    group."""
    combined = np.zeros(len(columns[0][1]), np.int64)
    for values, codes in columns:
        if len(values) > 1:  # one value (an absent column) changes no group
            combined = pd.factorize(combined * len(values) + codes)[0]
    # factorize numbers groups in order of appearance: a group starts where the count rises.
    firsts = np.flatnonzero(np.r_[True, combined[1:] > np.maximum.accumulate(combined)[:-1]])
    return combined, firsts


def _screen(index: int, bulk: BulkFile, parts: CodingParts) -> _Screened:
    """Prove rows clean group by group of distinct values, with the check's own parts."""
    cells, table = bulk.cells, bulk.table
    keep = bulk.clean & (bulk.key_lengths["fragment"] > 0)
    if not cells.num_rows:
        return _Screened(bulk, index, keep, {}, list(table.rows))
    short = {c: _column(cells, c)
             for c in {*_UNIT_COLUMNS, *_SUBJECT_COLUMNS, "oordeel", "vertrouwelijk"}}

    def by_group(columns: dict[str, pa.ChunkedArray], probe) -> list[pa.Array]:
        """Run `probe` once per distinct combination of the columns' values (a RowCheck
        holding them); whether it passed and its other answers, per row, dictionary-encoded
        (an answer that fails is None: it becomes "", the row is not kept)."""
        encoded = {c: _encoded(v) for c, v in columns.items()}
        group, firsts = _groups(list(encoded.values()))
        samples = {c: values.take(pa.array(codes[firsts])).to_pylist()
                   for c, (values, codes) in encoded.items()}
        answers = [probe(_probe(table, {c: samples[c][g] for c in columns}))
                   for g in range(len(firsts))]
        passed, *values = zip(*answers, strict=True)
        keep[:] &= np.array(passed, bool)[group]
        # Encoded by distinct answer, not by group: a later probe over these columns then
        # runs once per distinct (unit, subtheme), not per group of the raw cells.
        answered = [pa.array(["" if x is None else x for x in v]).dictionary_encode()
                    for v in values]
        return [pa.DictionaryArray.from_arrays(a.indices.to_numpy()[group], a.dictionary)
                for a in answered]

    def unit_and_role(rc: RowCheck) -> tuple:
        unit = rc.parsed("eenheid", parts.unit_of, required=True)
        role = parts.registered_role(rc, unit, rc.required("respondent"))
        return not rc.problems, unit, role

    def subject(rc: RowCheck) -> tuple:
        subtheme, checklist = parts.subject(rc, None)  # the unit's coverage: `covered`
        return not rc.problems, subtheme, checklist

    def covered(rc: RowCheck) -> tuple:
        parts.covered(rc, rc.cell("eenheid") or None, rc.cell("subthema") or None)
        return (not rc.problems,)

    def oordeel(rc: RowCheck) -> tuple:
        status = rc.parsed("oordeel", parts.status_of)
        return not rc.problems, status.value if status else ""

    def confidential(rc: RowCheck) -> tuple:
        flag = bool(rc.parsed("vertrouwelijk", parts.flag_of))
        return not rc.problems, flag

    def given(*columns: str) -> dict[str, pa.Array]:
        return {c: short[c] for c in columns}

    with ThreadPoolExecutor(1) as pool:
        # The ids are encoded (to be counted, then looked up) on the other core meanwhile:
        # the probes hold the GIL, pyarrow does not.
        ids = pool.submit(pc.dictionary_encode, _column(cells, "id"), memory_pool=_POOL)
        units, roles = by_group(given(*_UNIT_COLUMNS), unit_and_role)
        subthemes, checklists = by_group(given(*_SUBJECT_COLUMNS), subject)
        by_group({"eenheid": units, "subthema": subthemes}, covered)
        (oordelen,) = by_group(given("oordeel"), oordeel)
        (flags,) = by_group(given("vertrouwelijk"), confidential)
        records = {"eenheid": units, "rol": roles, "subthema": subthemes,
                   "checklist": checklists, "oordeel": oordelen, "vertrouwelijk": flags,
                   "id": ids.result()}
    records.update({c: _column(cells, c) for c in CODING_COLUMNS if c not in records})
    unclean = np.flatnonzero(bulk.clean & ~keep)
    slow = sorted([*table.rows, *_cell_rows(bulk, unclean)], key=lambda r: r.number)
    return _Screened(bulk, index, keep, records, slow)


def _probe(table: Table, values: dict[str, str]) -> RowCheck:
    return RowCheck(table, Row(0, dict(values)))


def _cell_rows(bulk: BulkFile, rows: np.ndarray | list[int]) -> list[Row]:
    """Clean cell rows as the row path holds them: the cells in header order, then the
    absent optional columns empty."""
    absent = {c: "" for c in _OPTIONAL if c not in bulk.cells.column_names}
    records = pa.table({c: _take(v, rows) for c, v in zip(
        bulk.cells.column_names, bulk.cells.columns, strict=True)}).to_pylist()
    return [Row(int(bulk.numbers[r]), {**values, **absent})
            for r, values in zip(rows, records, strict=True)]


def _take(column: pa.Array | pa.ChunkedArray, rows: np.ndarray | list[int]) -> pa.Array:
    """Some rows of a column, as plain values. pyarrow's take on a chunked column joins all
    its chunks first (a copy of every fragment); this takes from each chunk only what is
    asked."""
    rows = np.asarray(rows, np.int64)
    if isinstance(column, pa.Array):
        column = pa.chunked_array([column])
    order = np.argsort(rows, kind="stable")
    taken = _take_sorted(column, rows[order]).combine_chunks()
    taken = taken.take(pa.array(np.argsort(order, kind="stable")))
    return taken.dictionary_decode() if pa.types.is_dictionary(taken.type) else taken


def _take_sorted(column: pa.ChunkedArray, rows: np.ndarray) -> pa.ChunkedArray:
    """Some rows of a column, `rows` ascending: a piece from each chunk, not joined."""
    bounds = np.cumsum([0, *(len(c) for c in column.chunks)])
    chunk_of = np.searchsorted(bounds, rows, side="right") - 1
    pieces = [column.chunk(k).take(pa.array(rows[chunk_of == k] - bounds[k]))
              for k in np.unique(chunk_of).tolist()]
    return pa.chunked_array(pieces, column.type)


def _first_ids(screened: list[_Screened], parts: CodingParts) -> None:
    """Fragment ids that occur more than once, with where they first occur, for `check`'s
    `_unique_id`; a clean row repeating an id is sent to the row path, which reports it."""
    involved = _repeated_ids(screened)
    if not involved:
        return
    frames = []
    for s in screened:
        rows = np.empty(0, np.int64)
        if s.records:  # only the few rows that matter
            values, indices = _encoded(s.records["id"])
            rows = np.flatnonzero(s.keep & _numpy(pc.is_in(values, value_set=involved))[indices])
        frames.append(pd.DataFrame({"id": pd.Series(_take(s.records["id"], rows).to_pylist()
                                                    if len(rows) else [], dtype="str"),
                                    "file": s.index, "rij": s.bulk.numbers[rows], "cell": rows}))
        frames.append(pd.DataFrame({"id": pd.Series([r.values.get("id", "") for r in s.slow],
                                                    dtype="str"),
                                    "file": s.index, "rij": [r.number for r in s.slow],
                                    "cell": -1}))
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
    later = repeated[repeated["id"].duplicated(keep="first") & (repeated["cell"] >= 0)]
    for index, found in later.groupby("file"):
        screened[index].drop(found["cell"].to_numpy())


def _repeated_ids(screened: list[_Screened]) -> pa.Array | None:
    """The non-empty ids that occur more than once among all rows: counted per distinct id
    of a file's clean rows, then across the sets of distinct ids (each file's, the rows
    checked by row): the largest set is only looked up in the others, not hashed again."""
    present, repeated = [], []
    for s in screened:
        if s.records:
            values, indices = _encoded(s.records["id"])
            counts = np.bincount(indices[s.keep], minlength=len(values))
            present.append(values.filter(pa.array(counts > 0)).cast(pa.string()))
            repeated.append(values.filter(pa.array(counts > 1)).cast(pa.string()))
    slow = pa.array([r.values.get("id", "") for s in screened for r in s.slow], pa.string())
    *others, largest = sorted([*present, slow], key=len)
    values, indices = _encoded(pa.concat_arrays(others or [slow.slice(0, 0)]))
    counts = np.bincount(indices, minlength=len(values))
    found = pc.unique(pa.concat_arrays([values.filter(pa.array(counts > 1)),
                                        largest.filter(pc.is_in(largest, value_set=values)),
                                        *repeated]))
    found = found.filter(pc.not_equal(found, ""))
    return found if len(found) else None


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
_KEY_COLUMNS = [c for c in CODING_COLUMNS if c != "notities"]  # as `parts.key` orders them
_MEASURED = ("fragment", "id")  # long or unique: the length of their key is hashed
_PREFIX = 24  # and, for the rows whose hash so far collides, the fragment key's start
_MIX, _MASK = 0x100000001B3, 2**64 - 1


def _duplicates(screened: list[_Screened], outcomes: list[list[_Outcome]],
                parts: CodingParts) -> dict[int, dict[int, Problem]]:
    """The rows that repeat an earlier accepted row (same key as `parts.key`): a warning, and
    the row is rejected, as in the row path. Hashes of the key's parts, computed per distinct
    text and column-wise, narrow the candidates down; their full keys decide. Returns per
    file: cell row -> problem (the row path's rows get theirs in place)."""
    order, hashes, files, cells = [], [], [], []  # cells: a cell row, or -1 - outcome
    checked: list[_Outcome] = []
    checked_keys: list[tuple] = []  # each key once: `normalize_key` is slow on long text
    for s, found in zip(screened, outcomes, strict=True):
        rows = np.flatnonzero(s.keep)
        accepted = [o for o in found if o.record is not None and o.rc.ok]
        keys = [parts.key(o.record) for o in accepted]
        order += [s.index * _FILE_SHIFT + s.bulk.numbers[rows],
                  np.array([s.index * _FILE_SHIFT + o.row.number for o in accepted], np.int64)]
        hashes += [_clean_hashes(s)[rows],
                   np.array([_key_hash(key) for key in keys], np.uint64)]
        files.append(np.full(len(rows) + len(accepted), s.index))
        cells += [rows, -1 - np.arange(len(checked), len(checked) + len(accepted))]
        checked += accepted
        checked_keys += keys
    hash_all, files_all, cells_all = (np.concatenate(hashes), np.concatenate(files),
                                      np.concatenate(cells))
    candidates = np.flatnonzero(pd.Series(hash_all).duplicated(keep=False).to_numpy())
    marks = _marks(files_all[candidates], cells_all[candidates], screened, checked_keys)
    candidates = candidates[pd.Series(_mix(hash_all[candidates], marks)).duplicated(
        keep=False).to_numpy()]
    candidates = candidates[np.argsort(np.concatenate(order)[candidates], kind="stable")]
    seen: dict[tuple, str] = {}
    repeats: dict[int, dict[int, Problem]] = {}
    for index, cell in zip(files_all[candidates].tolist(), cells_all[candidates].tolist(),
                           strict=True):
        s = screened[index]
        if cell < 0:
            key, number = checked_keys[-1 - cell], checked[-1 - cell].row.number
        else:
            key = parts.key({c: v[cell].as_py() for c, v in s.records.items()})
            number = int(s.bulk.numbers[cell])
        path = s.bulk.table.path
        if key not in seen:
            seen[key] = f"{path.name} rij {number}"
            continue
        problem = Problem(str(path), f"dubbel: zelfde als {seen[key]}", row=number,
                          severity=WARNING)
        if cell < 0:
            checked[-1 - cell].rc.problems.append(problem)
            checked[-1 - cell].record = None
        else:
            repeats.setdefault(index, {})[cell] = problem
    return repeats


def _mix(value: np.ndarray, part: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return (value ^ part) * np.uint64(_MIX)


def _mix_int(value: int, part: int) -> int:
    """`_mix` for one row, in Python integers."""
    return ((value ^ part) * _MIX) & _MASK


def _key_hash(key: tuple) -> int:
    """The hash `_clean_hashes` gives a clean row with this key (see `parts.key`'s order)."""
    named = dict(zip(_KEY_COLUMNS, key, strict=True))
    value = 0
    for c in _HASHED:
        value = _mix_int(value, hash(named[c]) % 2**64)
    for c in _MEASURED:
        value = _mix_int(value, len(named[c]))
    return value


def _clean_hashes(s: _Screened) -> np.ndarray:
    """`_key_hash` of every cell row, column-wise (meaningful for clean rows): a text's key
    is computed once per distinct text; a clean cell's key length comes from its characters
    (`text_profile`)."""
    value = np.zeros(s.bulk.cells.num_rows, np.uint64)
    if not s.records:
        return value
    for c in _HASHED:
        values, indices = _encoded(s.records[c])
        texts = [str(t) for t in values.to_pylist()]  # a flag as the key has it: "True"
        per_text = np.array([hash(_compare_key(t)) % 2**64 for t in texts], np.uint64)
        value = _mix(value, per_text[indices])
    for c in _MEASURED:  # an absent column: every key empty
        lengths = s.bulk.key_lengths.get(c, np.zeros(len(value), np.int64))
        value = _mix(value, lengths.astype(np.uint64))
    return value


def _marks(files: np.ndarray, cells: np.ndarray, screened: list[_Screened],
           checked_keys: list[tuple]) -> np.ndarray:
    """The start of the fragment's key, folded into a number, for some rows (`cells` as in
    `_duplicates`): a clean cell that starts in ASCII gives it in lower case, column-wise;
    the others go by `_compare_key`."""
    marks = np.zeros(len(cells), np.uint64)
    for s in screened:
        places = np.flatnonzero((files == s.index) & (cells >= 0))
        if not len(places):
            continue
        places = places[np.argsort(cells[places], kind="stable")]  # in the column's order
        prefixes, plain = _ascii_prefixes(s.records["fragment"], cells[places])
        value = np.zeros(int(plain.sum()), np.uint64)
        for column in prefixes[plain].view("<u8").T:
            value = _mix(value, column)
        marks[places[plain]] = value
        others = _take_sorted(s.records["fragment"], cells[places[~plain]]).to_pylist()
        marks[places[~plain]] = [_prefix_mark(_start_key(t)) for t in others]
    fragment = _KEY_COLUMNS.index("fragment")
    for i in np.flatnonzero(cells < 0).tolist():
        marks[i] = _prefix_mark(checked_keys[-1 - cells[i]][fragment])
    return marks


def _ascii_prefixes(column: pa.ChunkedArray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first `_PREFIX` bytes of some texts (`rows` ascending) in lower case, padded with
    zero bytes, one row each, read from the column's buffers (no copy of the texts); and
    whether they are all ASCII, so the text's first characters."""
    prefixes = np.zeros((len(rows), _PREFIX), np.uint8)
    bounds = np.cumsum([0, *(len(c) for c in column.chunks)])
    chunk_of = np.searchsorted(bounds, rows, side="right") - 1
    width = np.arange(_PREFIX)
    for k in np.unique(chunk_of).tolist():
        chunk, at = column.chunk(k), np.flatnonzero(chunk_of == k)
        if chunk.buffers()[2] is None or not chunk.buffers()[2].size:
            continue  # every text empty
        data, offsets = np.frombuffer(chunk.buffers()[2], np.uint8), _offsets(chunk)
        begin = offsets[rows[at] - bounds[k]]
        size = np.minimum(offsets[rows[at] - bounds[k] + 1] - begin, _PREFIX)
        index = np.minimum(begin[:, None] + width, len(data) - 1)
        prefixes[at] = np.where(width < size[:, None], data[index], 0)
    lower = np.arange(256, dtype=np.uint8)
    lower[ord("A"):ord("Z") + 1] += 32
    return lower[prefixes], (prefixes < 128).all(axis=1)


def _prefix_mark(key: str) -> int:
    """The start of a key folded into a number, as `_marks` does column-wise."""
    raw = key[:_PREFIX].encode("utf-8")[:_PREFIX].ljust(_PREFIX, b"\0")
    value = 0
    for at in range(0, _PREFIX, 8):
        value = _mix_int(value, int.from_bytes(raw[at:at + 8], "little"))
    return value


def _start_key(text: str) -> str:
    """The key's first characters, from a piece of the text when that is long enough."""
    head = _compare_key(text[:_PREFIX + 8])
    return head if len(head) > _PREFIX else _compare_key(text)


def _result(screened: list[_Screened], outcomes: list[list[_Outcome]],
            repeats: dict[int, dict[int, Problem]]) -> LoadResult:
    """Problems, rejects and accepted rows in file and row order, as `records._load` has them."""
    result = LoadResult(pd.DataFrame(columns=[*CODING_COLUMNS, "bestand", "rij"]))
    accepted = []
    for s, found in zip(screened, outcomes, strict=True):
        table, name = s.bulk.table, s.bulk.table.path.name
        result.sources.append(f"{name}: {table.describe()}")
        result.problems += table.problems
        result.read += len(found) + int(s.keep.sum())
        repeated = repeats.get(s.index, {})
        events = [(o.row.number, o.rc.problems, o.row, o.record, o.rc.ok) for o in found]
        events += [(row.number, [p], row, None, True) for row, p in zip(
            _cell_rows(s.bulk, list(repeated)), repeated.values(), strict=True)]
        for number, problems, row, record, ok in sorted(events, key=lambda e: e[0]):
            result.problems += problems
            if record is None or not ok:
                reasons = [p.reason for p in problems if p.is_error or record is None]
                result.rejected_rows.append({"bestand": name, "rij": number,
                                             "reden": "; ".join(reasons) or "afgewezen",
                                             **row.values})
        kept = [(o.record, o.row.number) for o in found if o.record is not None and o.rc.ok]
        rows = _accepted(s, name, repeated, kept)
        accepted += [rows] if rows.num_rows else []
    if accepted:
        frame = pa.concat_tables(accepted)
        result.frame = (frame.combine_chunks(_POOL) if len(accepted) > 1 else frame
                        ).to_pandas(memory_pool=_POOL)
    return result


def _accepted(s: _Screened, name: str, repeated: dict[int, Problem],
              kept: list[tuple[dict, int]]) -> pa.Table:
    """The accepted rows in row order, each column in one piece: the clean rows with the row
    path's accepted records put in their place by row number."""
    keep = s.keep.copy()
    keep[list(repeated)] = False
    size = len(keep)
    rows = np.flatnonzero(keep)
    numbers = np.concatenate([s.bulk.numbers, np.array([n for _, n in kept], np.int64)])
    # Where each accepted row comes from: a cell row, or (from `size` on) a checked record.
    source = np.concatenate([rows, size + np.arange(len(kept))])
    source = source[np.argsort(numbers[source], kind="stable")]

    def build(field: pa.Field) -> pa.Array:
        extra = pa.array([record[field.name] for record, _ in kept], field.type)
        column = s.records.get(field.name, pa.chunked_array([], field.type))  # no cell rows
        if field.name not in _PLAIN:
            return _gather(column, extra, source)
        into = s.fragments.result() if field.name == "fragment" and s.fragments else None
        return _runs(pc.cast(column, field.type, memory_pool=_POOL), extra, source, into)

    # The copies release the GIL: both cores, the fragments' long copy first.
    fields = sorted((f for f in _SCHEMA if f.name in CODING_COLUMNS),
                    key=lambda f: f.name != "fragment")
    with ThreadPoolExecutor(_WORKERS) as pool:
        columns = dict(zip((f.name for f in fields), pool.map(build, fields), strict=True))
    columns["bestand"] = _repeated_text(name, len(source))
    columns["rij"] = pa.array(numbers[source], pa.int64())
    return pa.table(columns, schema=_SCHEMA)


def _repeated_text(text: str, count: int) -> pa.Array:
    """`text` `count` times, built from its buffers (a take copies value by value)."""
    raw = text.encode("utf-8")
    offsets = np.arange(count + 1, dtype=np.int64) * len(raw)
    return pa.Array.from_buffers(_TEXT, count, [None, pa.py_buffer(offsets),
                                                pa.py_buffer(raw * count)])


def _gather(column: pa.Array | pa.ChunkedArray, extra: pa.Array, source: np.ndarray
            ) -> pa.Array:
    """A repeating column's values at `source`, decoded from its dictionary in one take
    (`extra`: the values from `len(column)` on)."""
    values, indices = _encoded(column)
    values = pa.concat_arrays([values.cast(extra.type), extra])
    codes = np.concatenate([indices.astype(np.int64),
                            len(values) - len(extra) + np.arange(len(extra))])
    return pc.take(values, pa.array(codes[source]), memory_pool=_POOL)


def _runs(column: pa.ChunkedArray, extra: pa.Array, source: np.ndarray,
          into: pa.Buffer | None) -> pa.Array:
    """A long-text column's values at `source` (from `len(column)` on: `extra`'s), copied
    run by run of consecutive rows into `into` when it is big enough (`_Prefetch`), else
    into a fresh buffer."""
    chunks = [*column.chunks, extra]
    bounds = np.cumsum([0, *(len(c) for c in chunks)])
    offsets = [_offsets(c) for c in chunks]
    ends = np.cumsum(np.concatenate([np.diff(o) for o in offsets])[source])
    total = int(ends[-1]) if len(ends) else 0
    chunk_of = np.searchsorted(bounds, source, side="right") - 1
    breaks = np.flatnonzero((np.diff(source) != 1) | (np.diff(chunk_of) != 0)) + 1
    data = [np.frombuffer(c.buffers()[2] or b"", np.uint8) for c in chunks]
    pieces = [np.empty(0, np.uint8)]
    for a, b in zip(np.r_[0, breaks].tolist() if len(source) else [],
                    np.r_[breaks, len(source)].tolist(), strict=False):
        k = int(chunk_of[a])
        first = int(source[a] - bounds[k])
        pieces.append(data[k][offsets[k][first]:offsets[k][first + b - a]])
    buffer = (into if into is not None and into.size >= total
              else pa.allocate_buffer(total, memory_pool=_POOL))
    np.concatenate(pieces, out=np.frombuffer(buffer, np.uint8)[:total])
    return pa.Array.from_buffers(_TEXT, len(source), [
        None, pa.py_buffer(np.r_[0, ends].astype(np.int64)), buffer.slice(0, total)])


_SCHEMA = pa.schema([*((c, pa.bool_() if c == "vertrouwelijk" else _TEXT)
                       for c in CODING_COLUMNS), ("bestand", _TEXT), ("rij", pa.int64())])
