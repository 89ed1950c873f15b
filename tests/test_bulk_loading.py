"""The column-wise reader of large coding files (basisop/io/bulk.py) against the row path.

The row path is the reference: for the same files both must give the same accepted frame,
the same problems (file, row, column, reason, value, severity, in order), the same rejects
and counts. The threshold is lowered here so small files take the column-wise path."""

from __future__ import annotations

import csv
import io
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from basisop.io import bulk
from basisop.io.records import CODING_REQUIRED, LoadResult, load_codings, load_register
from basisop.io.study import PROJECT_ROOT, load_study

sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))
from large_codings import FAULTS, write_codings  # noqa: E402
from national_study import write_study  # noqa: E402


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """A small synthetic study with a register: (study, register frame, units, subthemes)."""
    out = tmp_path_factory.mktemp("studie")
    study = load_study(write_study(out, gemeenten=30, regios=3, fragments_per_unit=2))
    register = load_register(study).frame
    subthemes = {s.id: [i.id for i in s.checklist] for s in study.framework.subthemes}
    return study, register, [u.code for u in study.eenheden], subthemes


def both_paths(monkeypatch, study, paths, register) -> tuple[LoadResult, LoadResult]:
    """(row path, column-wise path) for the same files; fails if the second fell back."""
    monkeypatch.setattr(bulk, "BULK_MIN_BYTES", 10**15)
    by_row = load_codings(study, paths, register=register)
    monkeypatch.setattr(bulk, "BULK_MIN_BYTES", 0)
    calls = []
    original = bulk.load_codings

    def spy(*args):
        calls.append(original(*args))
        return calls[-1]

    monkeypatch.setattr(bulk, "load_codings", spy)
    by_column = load_codings(study, paths, register=register)
    assert calls and calls[0] is not None, "the column-wise path fell back to the row path"
    return by_row, by_column


def assert_same(by_row: LoadResult, by_column: LoadResult) -> None:
    assert by_column.problems == by_row.problems
    pd.testing.assert_frame_equal(by_column.frame, by_row.frame)
    pd.testing.assert_frame_equal(by_column.rejects_frame(), by_row.rejects_frame())
    assert (by_column.read, by_column.accepted, by_column.sources) == (
        by_row.read, by_row.accepted, by_row.sources)


def test_every_fault_is_reported_as_the_row_path_does(national, tmp_path, monkeypatch):
    study, register, units, subthemes = national
    earlier: list[list[str]] = []
    first, second = tmp_path / "eerste.csv", tmp_path / "tweede.csv"
    planted = write_codings(first, units, subthemes, 2500, fault_share=0.12,
                            oddity_share=0.06, earlier=earlier)
    planted += write_codings(second, units, subthemes, 2500, fault_share=0.12,
                             oddity_share=0.06, earlier=earlier, seed=8, first_id=10**6,
                             line_end="\n")
    assert all(planted[kind] for kind in FAULTS)  # every kind is there, in both files' sum
    by_row, by_column = both_paths(monkeypatch, study, [first, second], register)
    assert_same(by_row, by_column)
    # One problem per planted fault, plus one note per file on its Windows-1252 cells.
    assert len(by_column.problems) == sum(planted[kind] for kind in FAULTS) + 2
    reasons = " ".join(p.reason for p in by_column.problems)
    assert "dubbel: zelfde als eerste.csv" in reasons or "dubbel: zelfde als tweede.csv" in reasons
    assert "id komt al voor" in reasons
    assert by_column.rejected and by_column.accepted > 4000


EDGE_CASES = (
    'eenheid,respondent,subthema,oordeel,fragment,id\n'
    'G001,G001-R1,pga,rood,"Een, met komma","a"\n'
    '\n'
    'G001,G001-R1,pga,rood,"Over twee\nregels",b\n'
    ',,,,,\n'
    '   \n'
    "G001,G001-R2,pga,groen,'=1+1,c\n"
    'G001,G001-R2,pga,groen,"Met ""aanhalingstekens"" erin",d\n'
    'G002,G002-R1,pga,groen,"Regel\nG001,G001-R1,pga,rood,verstopt,e",e\n'
    'G002,G002-R1,pga,groen,een  dubbele   spatie,\n'
    'G002,G002-R1,pga,groen,EEN DUBBELE SPATIE,\n'
    'G002,G002-R1,pga,\n'
    'G002,G002-R1,pga,groen,tekst,a\n'
    ' G003 ,G003-R1,pga,Groen,café,f\n'
    'G003,G003-R1,pga,groen,met\ttab,g\n'
    'G003,G003-R1,pga,groen,zonder regeleinde,h'
)


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_edge_cases_match_the_row_path(national, tmp_path, monkeypatch, line_end):
    """Blank lines and rows, multi-line fields (one that looks like rows), doubled quotes,
    a formula quote, spacing that only the key folds, too few fields, a repeated id, spaces
    around a value, a tab in a field, no line end at the end."""
    study, register, _, _ = national
    path = tmp_path / "randen.csv"
    path.write_bytes(EDGE_CASES.replace("\n", line_end).encode("utf-8"))
    by_row, by_column = both_paths(monkeypatch, study, [path], register)
    assert_same(by_row, by_column)
    assert by_row.read == 12 and any("hele rijen" in p.reason for p in by_row.problems)


def test_a_file_without_an_id_column_matches_the_row_path(national, tmp_path, monkeypatch):
    """The optional columns may be absent; repeated rows are then told apart without ids."""
    study, register, _, _ = national
    rows = list(csv.reader(io.StringIO(EDGE_CASES, newline="")))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(
        [r[:-1] if len(r) == len(rows[0]) else r for r in rows])
    path = tmp_path / "zonder-id.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    by_row, by_column = both_paths(monkeypatch, study, [path], register)
    assert_same(by_row, by_column)
    assert "id" not in rows[0][:-1] and any("dubbel" in p.reason for p in by_row.problems)


def _rows_with_stray_quotes(count: int, stray: dict[int, str]) -> str:
    """A coding file of quoted and plain fragments, some rows replaced by `stray`."""
    header = "eenheid,respondent,subthema,oordeel,fragment,id"
    rows = [f'G00{1 + i % 2},G00{1 + i % 2}-R1,pga,rood,"Fragment {i}, met komma",f{i}'
            if i % 3 else f"G001,G001-R1,pga,groen,fragment {i},f{i}" for i in range(count)]
    rows = [stray.get(i, row) for i, row in enumerate(rows)]
    return "\n".join([header, *rows]) + "\n"


STRAY_QUOTES = {
    40: 'G001,G001-R1,pga,rood,een "los teken,s1',  # inside a field: a character
    80: 'G001,G001-R1,pga,rood,"dicht" en verder,s2',  # text after a closing quote
    120: 'G001,G001-R1,pga,rood,"nooit gesloten,s3',  # swallows rows up to the next quote
    160: 'G002,G002-R1,pga,groen,"a""b",s4',  # well formed in between
    200: 'G002,G002-R1,pga,groen,"x" "y",s5',
}


@pytest.mark.parametrize("odd", [False, True])
def test_stray_quotes_send_only_their_records_to_the_row_path(national, tmp_path, monkeypatch,
                                                               odd):
    """The csv module reads the stretch from a stray quote's record to the first record end
    after it; the other rows stay column-wise. Same problems as the row path, including the
    strict reading's note on an odd number of quotes."""
    study, register, _, _ = national
    stray = dict(STRAY_QUOTES)
    if odd:
        stray[240] = 'G002,G002-R1,pga,groen,"open aan het eind'
    path = tmp_path / "los.csv"
    path.write_text(_rows_with_stray_quotes(300, stray), encoding="utf-8", newline="")
    by_row, by_column = both_paths(monkeypatch, study, [path], register)
    assert_same(by_row, by_column)
    read = bulk.read_bulk(path, CODING_REQUIRED, bulk._OPTIONAL)
    assert read is not None and read.clean.sum() > 250  # the rest was read column-wise
    strict_notes = [p for p in by_row.problems if p.reason.startswith("aanhalingsteken")]
    assert len(strict_notes) == odd


@pytest.mark.parametrize(("name", "content"), [
    ("quote error on a blank row", 'eenheid,respondent,subthema,fragment\nG001,G001-R1,pga,x\n"'),
    ("stray quote in the header", 'eenheid,respondent,"subthema,fragment\nG001,G001-R1,pga,x\n'),
    ("tab separated", "eenheid\trespondent\tsubthema\tfragment\nG001\tG001-R1\tpga\ttekst\n"),
    ("header not first", "\neenheid,respondent,subthema,fragment\nG001,G001-R1,pga,tekst\n"),
    ("unnamed column", "eenheid,respondent,subthema,fragment,\nG001,G001-R1,pga,tekst,x\n"),
    ("missing column", "eenheid,respondent,fragment\nG001,G001-R1,tekst\n"),
    ("bare carriage return", "eenheid,respondent,subthema,fragment\rG001,G001-R1,pga,tekst\r"),
    ("empty file", ""),
])
def test_files_the_screen_does_not_understand_go_to_the_row_path(name, content, tmp_path):
    path = tmp_path / "codering.csv"
    path.write_text(content, encoding="utf-8", newline="")
    assert bulk.read_bulk(path, CODING_REQUIRED, []) is None, name


@pytest.mark.parametrize(("name", "data"), [
    ("UTF-16", "eenheid,respondent,subthema,fragment\nG001,G001-R1,pga,tekst\n".encode("utf-16")),
    ("Windows-1252 throughout",
     b"eenheid,respondent,subthema,fragment\nG001,G001-R1,pga,caf\xe9\n"),
    ("BOM and a bad byte", b"\xef\xbb\xbfeenheid,respondent,subthema,fragment\n"
                           b"G001,G001-R1,pga,caf\xe9 \xc3\xa9\n"),
])
def test_encodings_the_screen_leaves_to_the_row_path(name, data, tmp_path):
    path = tmp_path / "codering.csv"
    path.write_bytes(data)
    assert bulk.read_bulk(path, CODING_REQUIRED, []) is None, name


def test_a_utf8_bom_file_is_read_column_wise(national, tmp_path, monkeypatch):
    study, register, _, _ = national
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + EDGE_CASES.encode("utf-8"))
    assert_same(*both_paths(monkeypatch, study, [path], register))


def test_only_large_csv_files_take_the_column_wise_path(tmp_path, monkeypatch):
    small, sheet = tmp_path / "klein.csv", tmp_path / "blad.xlsx"
    small.write_text("eenheid,respondent,subthema,fragment\n", encoding="utf-8")
    sheet.write_bytes(b"x" * 100)
    monkeypatch.setattr(bulk, "BULK_MIN_BYTES", 50)
    assert not bulk.worth_it([small])  # under the threshold
    monkeypatch.setattr(bulk, "BULK_MIN_BYTES", 10)
    assert bulk.worth_it([small])
    assert not bulk.worth_it([small, sheet])  # one workbook: all go by row
    assert not bulk.worth_it([tmp_path / "weg.csv"])  # the row path says it is missing


def test_the_embedded_study_loads_the_same_either_way(monkeypatch):
    study = load_study()
    register = load_register(study).frame
    assert_same(*both_paths(monkeypatch, study, list(study.codering), register))


_PIECES = ("G001", "G002", "g001 ", "X9", "G001-R1", "G002-R2", "g001-r1", "pga", "PGA",
           "informatiepositie", "rood", "Groen", "paars", "", " ", "ja", "nee", "x", "tekst",
           "TEKST", "Tekst  twee", "café", "CAFÉ", "cafe\u0301", "ĳs", "ß", "\u00a0nbsp",
           "Ã©", "\ufffd", "\x07", "a,b", 'zei "ja"', "regel\neen", "regel\r\ntwee", "'=1",
           "f1", "F1", "f2", "\t")


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.sampled_from(_PIECES), min_size=4, max_size=8),
                     min_size=1, max_size=30),
       raw=st.booleans(), bad_byte=st.booleans())
def test_random_cells_match_the_row_path(national, tmp_path, monkeypatch, rows, raw, bad_byte):
    """Any mix of tricky cells, written by the csv module or joined raw (stray quotes,
    wrong field counts), with or without a Windows-1252 byte: same as the row path."""
    study, register, _, _ = national
    header = ["eenheid", "respondent", "subthema", "oordeel", "fragment", "vertrouwelijk",
              "id"]
    if raw:
        text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    else:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
        text = buffer.getvalue()
    data = text.encode("utf-8") + (b"G001,G001-R1,pga,rood,caf\xe9 \xc3\xa9,,\n" if bad_byte
                                   else b"")
    path = tmp_path / "willekeurig.csv"
    path.write_bytes(data)
    monkeypatch.setattr(bulk, "BULK_MIN_BYTES", 10**15)
    by_row = load_codings(study, [path], register=register)
    monkeypatch.setattr(bulk, "BULK_MIN_BYTES", 0)
    by_column = load_codings(study, [path], register=register)  # or the row path, if refused
    assert_same(by_row, by_column)


_QUOTED = ('"', '""', '"a"', '"a"b', 'a"b', '"a,b"', '"regel\neen"', '"open', 'dicht"',
           '"x""y"', "G001", "G001-R1", "pga", "rood", "tekst", "", " ", "café")


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.sampled_from(_QUOTED), min_size=3, max_size=7),
                     min_size=1, max_size=30),
       line_end=st.sampled_from(["\n", "\r\n"]))
def test_random_quotes_are_read_column_wise_as_the_row_path_reads_them(
        national, tmp_path, monkeypatch, rows, line_end):
    """Quotes anywhere, joined raw (stray, unclosed, doubled, text after a closing quote):
    the file is still read column-wise, with the csv module's stretches, and gives the
    same as the row path."""
    study, register, _, _ = national
    header = "eenheid,respondent,subthema,oordeel,fragment,vertrouwelijk,id"
    lines = [header, *(",".join(["G001", *r]) for r in rows)]  # no blank record
    path = tmp_path / "aanhalingstekens.csv"
    path.write_bytes((line_end.join(lines) + line_end).encode("utf-8"))
    assert_same(*both_paths(monkeypatch, study, [path], register))


@pytest.mark.parametrize("row", [b'"a",b\n', b'"a""b",c\n', b'"a""b""c",""""\n'])
def test_a_stray_quote_far_into_the_file_is_found_across_windows(row):
    """Quotes are judged in growing windows; a doubled quote across a window's edge is no
    stray quote, the one far after it is."""
    pairs_per_row = row.count(b'"') // 2
    rows = 70_000 // pairs_per_row + 1
    body = row * rows + b'c"d,e\n' + row * 10
    arr = np.frombuffer(body, np.uint8)
    quotes = np.flatnonzero(arr == ord('"'))
    assert bulk._first_malformed(arr, quotes[:-1 - 2 * pairs_per_row * 10], ",") is None
    assert bulk._first_malformed(arr, quotes, ",") == rows * pairs_per_row
