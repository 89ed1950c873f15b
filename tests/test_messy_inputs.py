"""Bad and messy input files: each is read correctly, or fails with file, row and column.

Whatever happens, the counts reconcile: rows read = accepted + rejected.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from basisop.cli import main
from basisop.io.records import LoadResult, load_codings, load_register
from basisop.io.tables import neutralize_formula, read_table, write_csv, write_xlsx
from basisop.problems import Problem

COLUMNS = ["eenheid", "respondent", "rol", "subthema", "checklist", "oordeel", "fragment",
           "bron", "vertrouwelijk"]


def row(fragment: str = "De gemeente heeft geen beeld.", *, eenheid: str = "W",
        respondent: str = "W-R1", subthema: str = "informatiepositie", checklist: str = "",
        oordeel: str = "rood", vertrouwelijk: str = "") -> list[str]:
    return [eenheid, respondent, "", subthema, checklist, oordeel, fragment, "interview 1",
            vertrouwelijk]


def csv_text(rows: list[list[str]], delimiter: str = ",", header: list[str] = COLUMNS) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


@pytest.fixture
def study(embedded):
    return embedded.study


@pytest.fixture
def register(embedded):
    return embedded.register.frame


def load(study, path: Path, **kwargs) -> LoadResult:
    result = load_codings(study, [path], **kwargs)
    assert result.read == result.accepted + result.rejected, result.summary("codering")
    return result


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def only(problems: list[Problem], severity: str | None = None) -> Problem:
    chosen = [p for p in problems if severity is None or p.severity == severity]
    assert len(chosen) == 1, [str(p) for p in problems]
    return chosen[0]


def at(problem: Problem, row: int | None, column: str | None) -> None:
    assert (problem.row, problem.column) == (row, column), str(problem)


# -- delimiters and encodings ---------------------------------------------------------------------

@pytest.mark.parametrize(("delimiter", "word"), [(",", "komma"), (";", "puntkomma"),
                                                 ("\t", "tab")])
def test_delimiters(study, tmp_path, delimiter, word):
    path = write(tmp_path, "c.csv", csv_text([row("Eén; twee, drie"), row("Tweede")],
                                             delimiter))
    result = load(study, path)
    assert (result.read, result.accepted) == (2, 2)
    assert result.frame["fragment"].tolist() == ["Eén; twee, drie", "Tweede"]
    assert result.sources == [f"c.csv: CSV, UTF-8, scheidingsteken {word}"]
    assert result.problems == []


@pytest.mark.parametrize(("encoding", "prefix", "said"), [
    ("utf-8", b"", "UTF-8"), ("utf-8", b"\xef\xbb\xbf", "UTF-8 met BOM"),
    ("utf-16", b"", "UTF-16")])
def test_unicode_encodings(study, tmp_path, encoding, prefix, said):
    text = csv_text([row("Zij zei vóór één überhaupt")], ";")
    path = write(tmp_path, "c.csv", prefix + text.encode(encoding))
    result = load(study, path)
    assert result.frame["fragment"].tolist() == ["Zij zei vóór één überhaupt"]
    assert result.frame.columns[0] == "eenheid"  # the BOM is not part of the first column
    assert result.sources == [f"c.csv: CSV, {said}, scheidingsteken puntkomma"]
    assert result.problems == []


def test_utf16_without_bom_is_detected_and_said(study, tmp_path):
    path = write(tmp_path, "c.csv", csv_text([row("vóór")]).encode("utf-16-le"))
    result = load(study, path)
    assert result.frame["fragment"].tolist() == ["vóór"]
    assert result.sources == ["c.csv: CSV, UTF-16 zonder BOM, scheidingsteken komma"]
    assert "UTF-16 zonder BOM" in only(result.problems, "waarschuwing").reason


def test_windows_1252_is_detected_and_said(study, tmp_path):
    path = write(tmp_path, "c.csv", csv_text([row("Zij zei vóór één “citaat” – €5")],
                                             ";").encode("cp1252"))
    result = load(study, path)
    assert result.frame["fragment"].tolist() == ["Zij zei vóór één “citaat” – €5"]
    assert result.sources == ["c.csv: CSV, Windows-1252, scheidingsteken puntkomma"]
    warning = only(result.problems, "waarschuwing")
    assert "Windows-1252" in warning.reason and warning.file.endswith("c.csv")


def test_mojibake_is_reported_with_row_and_column(study, tmp_path):
    path = write(tmp_path, "c.csv", csv_text([row("Goed"), row("Overleg vÃ³Ã³r de zomer")]))
    result = load(study, path)
    assert result.accepted == 2  # a warning: the text is readable, but the analyst must look
    warning = only(result.problems, "waarschuwing")
    at(warning, 3, "fragment")
    assert "vóór" in warning.reason and "Windows-1252" in warning.reason


def test_undecodable_bytes_are_reported_with_row_and_column(study, tmp_path):
    data = b"\xef\xbb\xbf" + csv_text([row("Goed"), row("X")]).encode().replace(
        b",X,", b",Tekst \xe9\xe9n,")
    result = load(study, write(tmp_path, "c.csv", data))
    at(only(result.problems, "waarschuwing"), 3, "fragment")
    assert result.frame["fragment"].iloc[1] == "Tekst \ufffd\ufffdn"


def test_control_characters_are_reported(study, tmp_path):
    result = load(study, write(tmp_path, "c.csv", csv_text([row("Te\x00kst")])))
    warning = only(result.problems)
    at(warning, 2, "fragment")
    assert "\x00" not in str(warning)


# -- spaces, duplicates, columns --------------------------------------------------------------

def test_leading_and_trailing_spaces(study, tmp_path):
    header = [f"  {c.upper()} " for c in COLUMNS]
    cells = [f" {c}\u00a0 " if c else "  " for c in row("  Tekst met  spaties  ")]
    result = load(study, write(tmp_path, "c.csv", csv_text([cells], header=header)))
    assert result.problems == []
    record = result.frame.iloc[0]
    assert (record["eenheid"], record["respondent"], record["subthema"], record["oordeel"],
            record["fragment"]) == ("W", "W-R1", "informatiepositie", "rood",
                                    "Tekst met  spaties")


def test_duplicate_rows_are_reported_and_counted(study, tmp_path):
    rows = [row("A"), row("B"), row(" A "), row("a")]
    result = load(study, write(tmp_path, "c.csv", csv_text(rows)))
    assert (result.read, result.accepted, result.rejected) == (4, 2, 2)
    duplicates = [p for p in result.problems if "dubbel" in p.reason]
    assert [p.row for p in duplicates] == [4, 5]
    assert all("rij 2" in p.reason for p in duplicates)
    assert [r["rij"] for r in result.rejected_rows] == [4, 5]


def test_missing_columns(study, tmp_path):
    header = ["eenheid", "respondent", "fragment"]
    result = load(study, write(tmp_path, "c.csv", csv_text([["W", "W-R1", "Tekst"]] * 2,
                                                           header=header)))
    assert (result.read, result.accepted, result.rejected) == (2, 0, 2)
    error = only(result.problems, "fout")
    at(error, 1, None)
    assert "subthema" in error.reason
    assert all("subthema" in r["reden"] for r in result.rejected_rows)


def test_misspelt_column_gets_a_suggestion(study, tmp_path):
    header = [c if c != "fragment" else "fragmnet" for c in COLUMNS]
    result = load(study, write(tmp_path, "c.csv", csv_text([row()], header=header)))
    assert result.rejected == 1
    warning = only(result.problems, "waarschuwing")
    at(warning, 1, "fragmnet")
    assert "bedoelt u 'fragment'" in warning.reason


def test_extra_columns_are_ignored_with_a_warning(study, tmp_path):
    rows = [[*row("Tekst"), "iets", "meer"]]
    result = load(study, write(tmp_path, "c.csv", csv_text(rows, header=[*COLUMNS, "notitie",
                                                                          "codeur"])))
    assert result.accepted == 1
    assert sorted(p.column for p in result.problems) == ["codeur", "notitie"]
    assert all(p.severity == "waarschuwing" and p.row == 1 for p in result.problems)
    assert "notitie" not in result.frame.columns


def test_unnamed_column_with_values_is_said(study, tmp_path):
    result = load(study, write(tmp_path, "c.csv", csv_text([[*row(), "verdwaald"]],
                                                           header=[*COLUMNS, ""])))
    assert result.accepted == 1
    assert "zonder naam" in only(result.problems, "waarschuwing").reason


def test_row_with_too_many_fields(study, tmp_path):
    text = csv_text([row("Goed")]) + "W,W-R1,,informatiepositie,,rood,Een, twee,interview,ja\r\n"
    result = load(study, write(tmp_path, "c.csv", text))
    assert (result.accepted, result.rejected) == (1, 1)
    errors = [p for p in result.problems if p.is_error]
    assert {p.row for p in errors} == {3}
    assert any(p.column is None and "10 velden" in p.reason for p in errors)
    assert "10 velden" in result.rejected_rows[0]["reden"]


def test_row_with_empty_extra_fields_is_read_with_a_warning(study, tmp_path):
    text = csv_text([]) + "W,W-R1,,informatiepositie,,rood,Een,interview,,,\r\n"
    result = load(study, write(tmp_path, "c.csv", text))
    assert result.frame["fragment"].tolist() == ["Een"]
    warning = only(result.problems, "waarschuwing")
    assert warning.row == 2 and "11 velden" in warning.reason


def test_row_with_too_few_fields(study, tmp_path):
    text = csv_text([]) + "W,W-R1,,informatiepositie\r\n"
    result = load(study, write(tmp_path, "c.csv", text))
    assert result.rejected == 1
    at(only(result.problems, "fout"), 2, "fragment")


# -- long fields and quotes --------------------------------------------------------------------

@pytest.mark.parametrize("length", [150_000, 2_000_000])
def test_very_long_field(study, tmp_path, length):
    result = load(study, write(tmp_path, "c.csv", csv_text([row("x" * length), row("kort")])))
    assert (result.accepted, result.rejected) == (1, 1)
    error = only(result.problems, "fout")
    at(error, 2, "fragment")
    assert f"{length} tekens" in error.reason
    assert len(str(error)) < 400  # the value is shortened in the message


def test_multiline_field_is_fine(study, tmp_path):
    result = load(study, write(tmp_path, "c.csv", csv_text([row("Regel 1\nRegel 2, met komma"),
                                                            row("B")])))
    assert result.problems == []
    assert result.frame["fragment"].tolist() == ["Regel 1\nRegel 2, met komma", "B"]


def test_unbalanced_quote_swallowing_the_rest(study, tmp_path):
    text = (csv_text([row("A")]) + 'W,W-R1,,informatiepositie,,rood,"Niet gesloten,,\r\n'
            + "W,W-R1,,informatiepositie,,rood,C,,\r\nW,W-R1,,informatiepositie,,rood,D,,\r\n")
    result = load(study, write(tmp_path, "c.csv", text))
    assert (result.read, result.accepted, result.rejected) == (2, 1, 1)
    error = only(result.problems, "fout")
    at(error, 3, "fragment")
    assert "aanhalingsteken" in error.reason and "niet gelezen" in error.reason
    assert "\n" not in str(error)


def test_unbalanced_quote_in_the_last_row(study, tmp_path):
    text = csv_text([row("A")]) + 'W,W-R1,,informatiepositie,,rood,"Niet gesloten'
    result = load(study, write(tmp_path, "c.csv", text))
    assert (result.accepted, result.rejected) == (1, 1)
    error = only(result.problems, "fout")
    at(error, 3, "fragment")
    assert "niet gesloten" in error.reason


def test_two_stray_quotes_merge_rows_and_are_caught(study, tmp_path):
    text = (csv_text([]) + 'W,W-R1,,informatiepositie,,rood,"Open,,\r\n'
            + "W,W-R1,,informatiepositie,,rood,B,,\r\n"
            + 'W,W-R1,,informatiepositie,,rood,Dicht",,\r\nW,W-R1,,informatiepositie,,rood,E,,\r\n')
    result = load(study, write(tmp_path, "c.csv", text))
    assert (result.read, result.accepted, result.rejected) == (2, 1, 1)
    at(only(result.problems, "fout"), 2, "fragment")


def test_quote_inside_an_unquoted_field_is_kept(study, tmp_path):
    text = csv_text([]) + 'W,W-R1,,informatiepositie,,rood,Een "naïeve houding,,\r\n'
    result = load(study, write(tmp_path, "c.csv", text))
    assert result.problems == []
    assert result.frame["fragment"].tolist() == ['Een "naïeve houding']


# -- empty files -----------------------------------------------------------------------------

@pytest.mark.parametrize("content", [b"", b"\r\n\r\n  \r\n", b"\xef\xbb\xbf"])
def test_empty_file(study, tmp_path, content):
    result = load(study, write(tmp_path, "c.csv", content))
    assert (result.read, result.accepted, result.rejected) == (0, 0, 0)
    error = only(result.problems, "fout")
    assert error.reason == "bestand is leeg" and error.file.endswith("c.csv")


def test_header_only_file(study, tmp_path):
    result = load(study, write(tmp_path, "c.csv", csv_text([])))
    assert (result.read, result.accepted, result.rejected) == (0, 0, 0)
    assert "alleen een kop" in only(result.problems, "waarschuwing").reason
    assert list(result.frame.columns[:len(COLUMNS)]) == COLUMNS


def test_blank_lines_before_header_and_between_rows(study, tmp_path):
    text = "\r\n\r\n" + csv_text([row("A")]) + ",,,,,,,,\r\n\r\n" + ",".join(row("B")) + "\r\n"
    result = load(study, write(tmp_path, "c.csv", text))
    assert result.frame["rij"].tolist() == [4, 7]  # spreadsheet rows, blank lines counted
    assert "kop gevonden in rij 3" in only(result.problems).reason


def test_missing_file_and_unknown_type(study, tmp_path):
    missing = load(study, tmp_path / "nergens.csv")
    assert missing.sources == ["nergens.csv: niet gelezen"]
    assert only(missing.problems).reason == "bestand niet gevonden"
    other = load(study, write(tmp_path, "c.ods", b"x"))
    assert "onbekend bestandstype" in only(other.problems).reason


# -- vocabularies and references: suggestions with row and column ---------------------------

def test_roed_suggests_rood(study, tmp_path):
    result = load(study, write(tmp_path, "c.csv", csv_text([row(oordeel="Roed"),
                                                            row(oordeel="Red")])))
    assert (result.accepted, result.rejected) == (1, 1)
    error = only(result.problems, "fout")
    at(error, 2, "oordeel")
    assert error.value == "Roed" and "bedoelt u 'rood'?" in error.reason
    assert result.frame["oordeel"].tolist() == ["rood"]


def test_unknown_subtheme_suggestion(study, tmp_path):
    result = load(study, write(tmp_path, "c.csv", csv_text([row(subthema="Informatiepositei"),
                                                            row(subthema="PGA")])))
    error = only(result.problems, "fout")
    at(error, 2, "subthema")
    assert "bedoelt u 'Informatiepositie'?" in error.reason
    assert result.frame["subthema"].tolist() == ["pga"]


@pytest.mark.parametrize(("unit", "hint"), [("Wijdmeren", "Wijdemeren"), ("Xanadu", None)])
def test_unknown_unit(study, tmp_path, unit, hint):
    result = load(study, write(tmp_path, "c.csv", csv_text([row(eenheid=unit)])))
    error = only(result.problems, "fout")
    at(error, 2, "eenheid")
    assert "W, GM, B/L, Hi, Hu, D" in error.reason
    assert (f"bedoelt u '{hint}'?" in error.reason) if hint else ("bedoelt" not in error.reason)


def test_wrong_checklist_subtheme_pairing(study, tmp_path):
    rows = [row(subthema="preventie", checklist="informatiepositie.1"),
            row(subthema="", checklist="informatiepositie.1")]
    result = load(study, write(tmp_path, "c.csv", csv_text(rows)))
    assert (result.accepted, result.rejected) == (1, 1)
    error = only(result.problems, "fout")
    at(error, 2, "checklist")
    assert "hoort bij subthema informatiepositie, niet bij preventie" in error.reason
    assert result.frame["subthema"].tolist() == ["informatiepositie"]


def test_district_unit_does_not_cover_every_subtheme(study, tmp_path):
    result = load(study, write(tmp_path, "c.csv", csv_text([row(eenheid="D", respondent="D-R1",
                                                                subthema="financien")])))
    at(only(result.problems, "fout"), 2, "subthema")


def test_respondent_not_in_register(study, register, tmp_path):
    rows = [row(respondent="W-R9"), row(respondent="GM-R1"), row(respondent="w-r1")]
    result = load(study, write(tmp_path, "c.csv", csv_text(rows)), register=register)
    errors = [p for p in result.problems if p.is_error]
    assert [(p.row, p.column) for p in errors] == [(2, "respondent"), (3, "respondent")]
    assert "niet in het respondentenregister" in errors[0].reason
    assert "hoort volgens het register bij eenheid GM" in errors[1].reason
    assert result.frame["respondent"].tolist() == ["w-r1"]


def test_confidential_flag(study, tmp_path):
    rows = [row("A", vertrouwelijk="ja"), row("B", vertrouwelijk="Nee"), row("C"),
            row("D", vertrouwelijk="misschien")]
    result = load(study, write(tmp_path, "c.csv", csv_text(rows)))
    assert result.frame["vertrouwelijk"].tolist() == [True, False, False]
    at(only(result.problems, "fout"), 5, "vertrouwelijk")


# -- XLSX -----------------------------------------------------------------------------------------

def workbook(sheets: dict[str, list[list[object]]]) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for values in rows:
            sheet.append(values)
    return book


def test_xlsx_several_sheets_chosen_by_name(study, tmp_path):
    path = tmp_path / "c.xlsx"
    workbook({"Toelichting": [["Lees mij"]], "Codering": [COLUMNS, row("Uit Codering")],
              "Oud": [COLUMNS, row("Uit Oud")]}).save(path)
    result = load(study, path, sheet=" codering")
    assert result.frame["fragment"].tolist() == ["Uit Codering"]
    assert result.sources == ["c.xlsx: XLSX, werkblad 'Codering'"]
    assert load(study, path, sheet="Oud").frame["fragment"].tolist() == ["Uit Oud"]
    ambiguous = load(study, path)
    assert "3 werkbladen" in only(ambiguous.problems).reason
    wrong = load(study, path, sheet="Coderingen")
    assert "bedoelt u 'Codering'?" in only(wrong.problems).reason


def test_xlsx_single_fitting_sheet_is_taken(study, tmp_path):
    path = tmp_path / "c.xlsx"
    workbook({"Toelichting": [["Lees mij"]], "Blad2": [COLUMNS, row("Enige")]}).save(path)
    assert load(study, path).frame["fragment"].tolist() == ["Enige"]


def test_xlsx_merged_and_empty_cells_numbers_and_dates(study, tmp_path):
    import datetime as dt

    path = tmp_path / "c.xlsx"
    book = workbook({"Codering": [
        COLUMNS,
        row("Eerste"),
        [None, "W-R1", None, "informatiepositie", None, None, "Tweede", None, None],
        [None] * 9,
        ["W", "W-R1", None, "preventie", None, "groen", 12345, dt.datetime(2024, 12, 12), True],
    ]})
    book["Codering"].merge_cells("A2:A3")
    book.save(path)
    result = load(study, path)
    assert result.problems == []
    frame = result.frame
    assert frame["eenheid"].tolist() == ["W", "W", "W"]  # the merged value fills its range
    assert frame["oordeel"].tolist() == ["rood", "", "groen"]
    assert frame["fragment"].tolist() == ["Eerste", "Tweede", "12345"]
    assert frame["bron"].tolist() == ["interview 1", "", "2024-12-12"]
    assert frame["vertrouwelijk"].tolist() == [False, False, True]
    assert frame["rij"].tolist() == [2, 3, 5]


def test_xlsx_formula_without_cached_value_is_a_clear_error(study, tmp_path):
    path = tmp_path / "c.xlsx"
    workbook({"Codering": [COLUMNS, row(oordeel='=LOWER("ROOD")'), row("Goed")]}).save(path)
    result = load(study, path)
    assert (result.accepted, result.rejected) == (1, 1)
    error = only(result.problems, "fout")
    at(error, 2, "oordeel")
    assert "formule zonder opgeslagen uitkomst" in error.reason


def test_xlsx_formula_with_cached_value_gives_the_value(study, tmp_path):
    """openpyxl cannot store a formula's result; patch it into the XML as Excel would."""
    path = tmp_path / "c.xlsx"
    workbook({"Codering": [COLUMNS, row(oordeel='=LOWER("ROOD")')]}).save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    patched, count = re.subn(rb'<c r="F2"><f>(.*?)</f><v\s*/>',
                             rb'<c r="F2" t="str"><f>\1</f><v>rood</v>', parts[sheet])
    assert count == 1
    parts[sheet] = patched
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    result = load(study, path)
    assert result.problems == []
    assert result.frame["oordeel"].tolist() == ["rood"]


def test_xlsx_that_is_not_one(study, tmp_path):
    result = load(study, write(tmp_path, "c.xlsx", b"PK\x03\x04 kapot"))
    assert "geen leesbaar XLSX-bestand" in only(result.problems).reason


# -- a big file -----------------------------------------------------------------------------------

def test_hundred_thousand_rows(study, tmp_path):
    good = "W,W-R1,,informatiepositie,informatiepositie.1,rood,Fragment {} over de gemeente,,\n"
    bad = "W,W-R1,,informatiepositie,,Roed,Fragment {} met een fout,,\n"
    lines = [(bad if i % 1000 == 999 else good).format(i) for i in range(100_000)]
    path = write(tmp_path, "groot.csv", ",".join(COLUMNS) + "\n" + "".join(lines))
    result = load(study, path)  # its speed: benchmarks/bench_inputs.py
    assert (result.read, result.accepted, result.rejected) == (100_000, 99_900, 100)
    assert [p.row for p in result.problems][:2] == [1001, 2001]
    assert result.frame["rij"].iloc[-1] == 100_000


# -- rejects file ---------------------------------------------------------------------------------

def test_validate_writes_rejects_file(study_copy, tmp_path, capsys):
    folder = study_copy.parent.parent / "data" / "gooi-en-vechtstreek-2024"
    with (folder / "codering-hilversum.csv").open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(row("Roed-rij", eenheid="Hi", respondent="Hi-R1", oordeel="Roed"))
        writer.writerow(row("=HYPERLINK(\"x\")", eenheid="Hi", respondent="Hi-R9"))
    out = tmp_path / "afgewezen.csv"
    assert main(["validate", str(study_copy), "--afgewezen", str(out)]) == 1
    output = capsys.readouterr().out
    assert "2 afgewezen rijen geschreven" in output
    assert re.search(r"codering: (\d+) rijen gelezen, (\d+) geaccepteerd, 2 afgewezen", output)
    rejects = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(rejects.columns[:4]) == ["tabel", "bestand", "rij", "reden"]
    assert rejects["bestand"].tolist() == ["codering-hilversum.csv"] * 2
    assert "bedoelt u 'rood'?" in rejects["reden"].iloc[0]
    assert "respondentenregister" in rejects["reden"].iloc[1]
    assert rejects["fragment"].tolist() == ["Roed-rij", "'=HYPERLINK(\"x\")"]


def test_rejects_frame_has_a_header_when_empty(study, tmp_path):
    result = load(study, write(tmp_path, "c.csv", csv_text([row()])))
    assert list(result.rejects_frame().columns) == ["bestand", "rij", "reden"]


def test_register_counts_reconcile(study, tmp_path):
    path = write(tmp_path, "r.csv", "id;eenheid;rol;naam\nW-R1;W;;A\nW-R1;W;;B\nX-1;Q;;C\n")
    result = load_register(study, path)
    assert (result.read, result.accepted, result.rejected) == (3, 1, 2)


# -- injection-safe output ------------------------------------------------------------------------

FORMULAS = ["=1+1", "+31 6 1234 5678", "-2+3", "@SUM(A1)", "\t=1", "=HYPERLINK(\"x\")"]


def test_write_csv_neutralises_formulas(tmp_path):
    frame = pd.DataFrame({"tekst": [*FORMULAS, "gewoon", "a=b"],
                          "getal": [-1, 2, -3.5, 0, 5, 6, 7, 8],
                          "=kop": pd.array(["=x", "y"] * 4, dtype="string")})
    path = tmp_path / "uit.csv"
    write_csv(frame, path)
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert back["tekst"].tolist() == ["'" + f for f in FORMULAS] + ["gewoon", "a=b"]
    assert back["getal"].tolist() == ["-1.0", "2.0", "-3.5", "0.0", "5.0", "6.0", "7.0", "8.0"]
    assert list(back.columns) == ["tekst", "getal", "'=kop"]
    assert back["'=kop"].tolist()[:2] == ["'=x", "y"]


def test_write_xlsx_stores_text_never_formulas(tmp_path):
    frame = pd.DataFrame({"tekst": FORMULAS, "getal": [-1, 2, -3, 0, 5, 6]})
    path = tmp_path / "uit.xlsx"
    write_xlsx(frame, path)
    sheet = openpyxl.load_workbook(path)["gegevens"]
    cells = [c for r in sheet.iter_rows(min_row=2) for c in r]
    assert all(c.data_type != "f" for c in cells)
    assert [c.value for c in sheet["A"][1:]] == ["'" + f for f in FORMULAS]
    assert [c.value for c in sheet["B"][1:]] == [-1, 2, -3, 0, 5, 6]


def test_neutralize_formula_leaves_other_values():
    assert neutralize_formula(-5) == -5
    assert neutralize_formula(None) is None
    assert neutralize_formula("5.1.2.e") == "5.1.2.e"
    assert neutralize_formula("\r=1") == "'\r=1"


def test_read_table_reads_everything_as_text(tmp_path):
    path = write(tmp_path, "t.csv", "id,eenheid,rol\n0363,W,\n")
    table = read_table(path, required=["id", "eenheid", "rol"])
    assert table.rows[0].values == {"id": "0363", "eenheid": "W", "rol": ""}


def test_multiline_field_with_many_commas_is_no_stray_quote(study, tmp_path):
    fragment = "Inleiding\nZij noemden a, b, c, d, e, f, g, h, i en j als partners."
    result = load(study, write(tmp_path, "c.csv", csv_text([row(fragment), row("B")])))
    assert result.problems == []
    assert result.frame["fragment"].tolist() == [fragment, "B"]
