"""Hostile and careless inputs (issue 12): each is refused with a clear Dutch message or read
correctly; nothing is silently lost, overwritten or turned into a traceback."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from basisop.cli import main
from basisop.io.framework import load_framework
from basisop.io.study import PROJECT_ROOT, load_study
from basisop.problems import ValidationError

CODINGS_HEADER = "eenheid,respondent,rol,subthema,checklist,oordeel,fragment,bron,vertrouwelijk\n"


def _messages(exc: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [str(p) for p in exc.value.problems]


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


# -- 1. YAML: repeated keys, nulls in lists, strict numbers -------------------------------------

def test_a_second_codering_key_is_an_error_with_both_lines(study_copy, capsys):
    lines = study_copy.read_text(encoding="utf-8").splitlines()
    first = lines.index("codering:") + 1
    _append(study_copy, "codering:\n  - ../data/gooi-en-vechtstreek-2024/codering-huizen.csv\n")
    second = len(lines) + 1
    assert main(["validate", str(study_copy)]) == 1
    err = capsys.readouterr().err
    assert f"rij {second}: sleutel 'codering' komt twee keer voor: rij {first} en rij {second}" \
        in err
    assert "Geldig." not in err


def test_a_repeated_empty_register_key_does_not_drop_the_register(study_copy):
    _append(study_copy, "respondenten:\n")
    with pytest.raises(ValidationError) as caught:
        load_study(study_copy)
    assert any("sleutel 'respondenten' komt twee keer voor" in m for m in _messages(caught))


def test_a_repeated_key_in_the_framework_is_an_error(tmp_path):
    path = tmp_path / "wegingskader.yaml"
    shutil.copy(PROJECT_ROOT / "data" / "wegingskader.yaml", path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("versie:", "naam: Nog een naam\nversie:", 1), encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_framework(path)
    assert any("rij 3: sleutel 'naam' komt twee keer voor: rij 2 en rij 3" in m
               for m in _messages(caught))


@pytest.mark.parametrize("entry", ["[Wijdemeren, ~]", "[Wijdemeren, null]", "\n      -\n"])
def test_a_null_in_a_list_is_an_error_not_a_gemeente_none(study_copy, entry):
    text = study_copy.read_text(encoding="utf-8")
    study_copy.write_text(text.replace("gemeenten: [Wijdemeren]", f"gemeenten: {entry}", 1),
                          encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_study(study_copy)
    assert any("lege waarde (~ of niets) in een lijst" in m for m in _messages(caught))


@pytest.mark.parametrize("value", ["²", "١", "3.0", "-1"])
def test_numbers_accept_ascii_digits_only(study_copy, value):
    text = study_copy.read_text(encoding="utf-8")
    study_copy.write_text(text.replace("minimum_fragmenten: 1", f"minimum_fragmenten: '{value}'"),
                          encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_study(study_copy)
    assert any("scoring.minimum_fragmenten: verwacht een geheel getal" in m
               for m in _messages(caught))


# -- 7. derived outputs never replace an input --------------------------------------------------

def _inputs(study_copy: Path) -> dict[str, Path]:
    data = study_copy.parent.parent / "data"
    folder = data / "gooi-en-vechtstreek-2024"
    return {"study": study_copy, "framework": data / "wegingskader.yaml",
            "codings": folder / "codering-huizen.csv", "register": folder / "respondenten.csv"}


@pytest.mark.parametrize("which", ["study", "framework", "codings", "register"])
@pytest.mark.parametrize("command", [
    ["validate", "{study}", "--afgewezen", "{target}"],
    ["score", "{study}", "-o", "{target}"],
    ["codebook", "{study}", "-o", "{target}"],
])
def test_a_derived_output_refuses_to_replace_an_input(study_copy, capsys, which, command):
    target = _inputs(study_copy)[which]
    before = target.read_bytes()
    argv = [a.format(study=study_copy, target=target) for a in command]
    assert main(argv) == 1
    assert "invoerbestand van de studie" in capsys.readouterr().err
    assert target.read_bytes() == before


def test_an_input_reached_by_another_spelling_is_still_refused(study_copy, capsys):
    target = _inputs(study_copy)["register"]
    other = target.parent / ".." / target.parent.name / target.name
    assert main(["score", str(study_copy), "-o", str(other)]) == 1
    assert "invoerbestand van de studie" in capsys.readouterr().err


def test_import_refuses_to_overwrite_its_project_or_a_codings_file(study_copy, capsys):
    codings = _inputs(study_copy)["codings"]
    before = codings.read_bytes()
    project = study_copy.parent / "project.qdpx"
    project.write_bytes(b"PK\x05\x06" + bytes(18))
    for target in (codings, project):
        assert main(["import-qdpx", str(project), "--study", str(study_copy),
                     "-o", str(target)]) == 1
        assert "invoerbestand van de studie" in capsys.readouterr().err
    assert codings.read_bytes() == before


def test_a_run_refuses_an_output_folder_that_holds_its_inputs(study_copy, tmp_path, capsys):
    from basisop.batch import run_study

    result = run_study(study_copy, out=study_copy.parent.parent / "data",
                       notebooks=tmp_path / "nooit")
    assert not result.ok
    out = capsys.readouterr().out
    assert "bevat invoer van de studie" in out


# -- 8. OS faults: Dutch errors, found before the work ------------------------------------------

@pytest.mark.parametrize("make", ["folder", "loop", "file-as-parent"])
def test_an_unusable_output_file_is_a_dutch_error(tmp_path, capsys, make):
    if make == "folder":
        target = tmp_path / "map"
        target.mkdir()
        expected = "dit is een map"
    elif make == "loop":
        target = tmp_path / "kring"
        target.symlink_to(tmp_path / "kring2")
        (tmp_path / "kring2").symlink_to(target)
        expected = "in een kring"
    else:
        (tmp_path / "bestand").write_text("x")
        target = tmp_path / "bestand" / "uit.csv"
        expected = "is een bestand, geen map"
    assert main(["score", "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_run_with_out_pointing_at_a_file_stops_before_any_notebook(tmp_path, capsys):
    from basisop.batch import run_study

    out = tmp_path / "rapporten"
    out.write_text("geen map")
    result = run_study(None, out=out, notebooks=tmp_path / "nooit")
    assert not result.ok
    assert "dit is een bestand, geen map" in capsys.readouterr().out


@pytest.mark.parametrize(("fault", "expected"), [
    (PermissionError(13, "Permission denied"), "geen toestemming"),
    (OSError(28, "No space left on device"), "de schijf is vol"),
    (OSError(30, "Read-only file system"), "het bestandssysteem is alleen-lezen"),
])
def test_an_unwritable_output_folder_stops_the_run_before_executing(tmp_path, capsys,
                                                                    monkeypatch, fault, expected):
    from basisop.batch import run as batch_run

    def refuse(*args, **kwargs):
        raise fault

    monkeypatch.setattr("basisop.io.paths.tempfile.mkstemp", refuse)
    monkeypatch.setattr(batch_run, "run_notebooks", lambda *a, **k: pytest.fail("executed"))
    result = batch_run.run_study(None, out=tmp_path / "uit")
    assert not result.ok
    assert f"kan hier niet schrijven: {expected}" in capsys.readouterr().out


def test_a_nearly_full_disk_stops_the_run_before_executing(tmp_path, capsys, monkeypatch):
    import shutil as real_shutil

    from basisop.batch import run as batch_run

    usage = real_shutil.disk_usage(tmp_path)
    monkeypatch.setattr("basisop.io.paths.shutil.disk_usage",
                        lambda path: usage._replace(free=2**20))
    monkeypatch.setattr(batch_run, "run_notebooks", lambda *a, **k: pytest.fail("executed"))
    assert not batch_run.run_study(None, out=tmp_path / "uit").ok
    assert "de schijf is (bijna) vol (1 MB vrij" in capsys.readouterr().out


def test_a_write_fault_during_the_work_is_a_dutch_error(monkeypatch, capsys):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device", "/ergens/uit.csv")

    monkeypatch.setattr("basisop.io.atomic.atomic_write_bytes", full)
    assert main(["score", "-o", "/tmp/basisop-test-uit.csv"]) == 1
    err = capsys.readouterr().err
    assert "fout: /ergens/uit.csv: de schijf is vol" in err and "Traceback" not in err


@pytest.mark.parametrize("make", ["device", "folder", "loop", "huge"])
def test_an_input_that_is_no_regular_file_is_refused_before_reading(study_copy, monkeypatch,
                                                                    make):
    from basisop.io.dataset import load_study_data

    codings = _inputs(study_copy)["codings"]
    codings.unlink()
    expected = {"device": "geen gewoon bestand", "folder": "dit is een map",
                "loop": "in een kring", "huge": "BASISOP_MAX_INVOER_MB"}[make]
    if make == "device":
        codings.symlink_to("/dev/zero")
    elif make == "folder":
        codings.mkdir()
    elif make == "loop":
        codings.symlink_to(codings)
    else:
        codings.write_text(CODINGS_HEADER * 20_000)
        monkeypatch.setenv("BASISOP_MAX_INVOER_MB", "1")
    try:
        problems = load_study_data(load_study(study_copy)).problems
    except ValidationError as exc:  # a symlink loop is found while resolving the study's paths
        problems = exc.problems
    assert any(expected in str(p) and p.is_error for p in problems), problems[:3]


def test_a_yaml_file_that_is_a_device_is_refused(tmp_path):
    path = tmp_path / "studie.yaml"
    path.symlink_to("/dev/zero")
    with pytest.raises(ValidationError, match="geen gewoon bestand"):
        load_study(path)


def test_deeply_nested_yaml_is_a_dutch_error(tmp_path):
    path = tmp_path / "diep.yaml"
    path.write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ValidationError, match="te diep genest"):
        load_framework(path)


# -- 4. mixed encodings: decoded per cell, warnings shown by `basisop run` ----------------------

def test_one_windows_1252_cell_in_a_utf8_file_leaves_the_other_cells_intact(tmp_path):
    from basisop.io.tables import read_table

    lines = [CODINGS_HEADER.encode()]
    lines += [f"W,W-R{i},,informatiepositie,,rood,De continuïteit is geborgd,,\n".encode()
              for i in range(1, 64)]
    lines.append(b"W,W-R99,,informatiepositie,,rood,Overleg met het caf" + b"\xe9,,\n")
    path = tmp_path / "codering.csv"
    path.write_bytes(b"".join(lines))
    table = read_table(path, required=["fragment"], extra_columns_ok=True)
    fragments = [r.values["fragment"] for r in table.rows]
    assert fragments[:63] == ["De continuïteit is geborgd"] * 63
    assert fragments[63] == "Overleg met het café"
    cell_warnings = [p for p in table.rows[63].problems if "Windows-1252" in p.reason]
    assert [(p.row, p.column) for p in cell_warnings] == [(65, "fragment")]
    assert not any(r.problems for r in table.rows[:63])
    assert "Windows-1252" in table.describe() and "UTF-8" in table.describe()


def test_run_shows_the_count_of_validation_warnings_and_where_to_read_them(study_copy,
                                                                           tmp_path, capsys):
    from basisop.batch import run_study

    codings = _inputs(study_copy)["codings"]
    data = codings.read_bytes()
    assert "§".encode() in data
    codings.write_bytes(data.replace("§".encode(), b"\xa7", 1))
    run_study(study_copy, out=tmp_path / "uit", notebooks=tmp_path / "geen", units=["Hu"])
    out, err = capsys.readouterr()
    assert re.search(r"met \d+ waarschuwing\(en\) bij de invoer", out)
    assert "waarschuwing(en) bij de invoer (basisop validate toont ze)" in err
    assert "gelezen als Windows-1252" in out
    assert f"basisop validate {study_copy}" in out


# -- 10. personal data and confidential fragments in local outputs ------------------------------

def test_rejects_file_leaves_out_register_names_and_contacts_and_is_private(study_copy,
                                                                            tmp_path, capsys):
    import csv
    import stat

    register = _inputs(study_copy)["register"]
    lines = register.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    assert {"id", "eenheid", "rol", "naam"} <= set(header) and "telefoon" not in header
    bad = {"id": "X-R1", "eenheid": "Onbekend", "rol": "beleid", "naam": "Jan de Vries",
           "e-mail": "jan@example.nl", "telefoon": "06-12345678"}
    header += ["e-mail", "telefoon"]
    register.write_text("\n".join([",".join(header), ",".join(bad.get(c, "") for c in header),
                                   *(line + ",," for line in lines[1:])]) + "\n",
                        encoding="utf-8")
    target = tmp_path / "afgewezen.csv"
    assert main(["validate", str(study_copy), "--afgewezen", str(target)]) == 1
    out = capsys.readouterr().out
    text = target.read_text(encoding="utf-8")
    assert "X-R1" in text
    for personal in ("Jan de Vries", "jan@example.nl", "12345678", "naam", "telefoon"):
        assert personal not in text
    assert "(naam, e-mail, telefoon) zijn niet in dat bestand opgenomen" in out
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    columns = list(csv.reader(text.splitlines()))[0]
    assert columns[:7] == ["tabel", "bestand", "rij", "reden", "id", "eenheid", "rol"]
    assert set(columns[7:]) <= {"organisatie", "soort", "titel"}


def test_other_outputs_follow_the_umask_and_the_folder_is_synced(tmp_path, monkeypatch):
    import os
    import stat

    from basisop.io import atomic

    synced: list[bool] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        real_fsync(fd)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    old = os.umask(0o027)
    try:
        atomic.atomic_write_text(tmp_path / "score.txt", "x")
        atomic.atomic_write_text(tmp_path / "codering.csv", "x", private=True)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "score.txt").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "codering.csv").stat().st_mode) == 0o600
    assert synced == [False, True, False, True]  # the file, then its folder after the rename


# -- 6. one archive guard for XLSX, REFI and the privacy scan -----------------------------------

def _workbook(path: Path, rows: int, sheets: int = 1) -> int:
    import openpyxl

    book = openpyxl.Workbook()
    cells = 0
    for s in range(sheets):
        sheet = book.active if s == 0 else book.create_sheet(f"blad {s}")
        sheet.append(["eenheid", "respondent", "subthema", "fragment"])
        for i in range(rows):
            sheet.append(["W", f"W-R{i}", "informatiepositie", f"Fragment {i} <met> & tekens"])
        cells += 4 * (rows + 1)
    book.save(path)
    return cells


def test_cells_are_counted_across_chunk_boundaries(tmp_path, monkeypatch):
    import zipfile

    from basisop.io import archive_guard

    path = tmp_path / "codering.xlsx"
    expected = _workbook(path, 300, sheets=3)
    with zipfile.ZipFile(path) as archive:
        whole = archive_guard.workbook_cells(archive)
        monkeypatch.setattr(archive_guard, "CHUNK_BYTES", 7)
        assert archive_guard.workbook_cells(archive) == whole == expected


def test_a_workbook_over_the_cell_cap_is_refused_naming_the_setting(tmp_path, monkeypatch):
    from basisop.io.tables import read_table

    path = tmp_path / "codering.xlsx"
    _workbook(path, 30)
    monkeypatch.setenv("BASISOP_MAX_CELLEN", "100")
    table = read_table(path, required=["fragment"], extra_columns_ok=True)
    assert not table.usable and not table.rows
    assert "meer dan 100 cellen" in table.problems[0].reason
    assert "BASISOP_MAX_CELLEN" in table.problems[0].reason
    monkeypatch.setenv("BASISOP_MAX_CELLEN", "1000")
    assert len(read_table(path, required=["fragment"], extra_columns_ok=True).rows) == 30


def test_an_xlsx_bomb_is_refused_before_it_is_unpacked(tmp_path, monkeypatch):
    import zipfile

    from basisop.io.tables import read_table

    small = tmp_path / "klein.xlsx"
    _workbook(small, 2)
    bomb = tmp_path / "bom.xlsx"
    cell = b'<c r="A2" t="inlineStr"><is><t>x</t></is></c>'
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(bomb, "w",
                                                           zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b"<row r=\"2\">" + cell * 400_000
                                    + b"</row></sheetData>")
            target.writestr(info.filename, data)
    assert bomb.stat().st_size < 2**20
    table = read_table(bomb, required=["fragment"], extra_columns_ok=True)
    assert not table.usable
    assert "zip-bom" in table.problems[0].reason
    assert "BASISOP_MAX_COMPRESSIE" in table.problems[0].reason


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("BASISOP_MAX_ARCHIEF_BESTANDEN", "5", "te veel bestanden in het archief"),
    ("BASISOP_MAX_UITGEPAKT_MB", "0", "uitgepakt te groot"),
])
def test_the_archive_caps_apply_to_xlsx_and_name_their_setting(tmp_path, monkeypatch, setting,
                                                               value, message):
    from basisop.io.tables import read_table

    path = tmp_path / "codering.xlsx"
    _workbook(path, 3)
    monkeypatch.setenv(setting, value)
    table = read_table(path, required=["fragment"], extra_columns_ok=True)
    assert message in table.problems[0].reason and setting in table.problems[0].reason


# -- 13. housekeeping ---------------------------------------------------------------------------

def test_score_writes_a_workbook_when_the_output_ends_in_xlsx(tmp_path, capsys):
    import openpyxl

    target = tmp_path / "scores.xlsx"
    assert main(["score", "--format", "csv"]) == 0
    expected = list(csv_rows(capsys.readouterr().out))
    assert main(["score", "-o", str(target)]) == 0
    sheet = openpyxl.load_workbook(target)["scores"]
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == expected[0] and len(rows) == len(expected)
    column = expected[0].index("subthema")
    assert [r[column] for r in rows] == [r[column] for r in expected]


def csv_rows(text: str):
    import csv
    import io

    return csv.reader(io.StringIO(text))


# -- 6 and 8 in check-privacy: the shared guard, special files, deep JSON -----------------------

@pytest.mark.parametrize(("make", "expected"), [
    ("deep-json", "JSON te diep genest"),
    ("device", "geen gewoon bestand"),
    ("loop", "in een kring"),
    ("docx-bomb", "zip-bom"),
])
def test_check_privacy_refuses_what_it_cannot_check_without_a_traceback(tmp_path, capsys, make,
                                                                        expected):
    import zipfile

    if make == "deep-json":
        target = tmp_path / "diep.json"
        target.write_text("[" * 200_000 + "]" * 200_000)
    elif make == "device":
        target = tmp_path / "nul.html"
        target.symlink_to("/dev/zero")
    elif make == "loop":
        target = tmp_path / "kring.html"
        target.symlink_to(target)
    else:
        target = tmp_path / "bom.docx"
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("word/document.xml", b"<w:t>" + b" " * (8 * 2**20) + b"</w:t>")
    assert main(["check-privacy", str(target)]) == 1
    out, err = capsys.readouterr()
    assert expected in out and "Traceback" not in out + err


def test_export_qdpx_refuses_to_overwrite_an_input(study_copy, capsys):
    target = _inputs(study_copy)["codings"]
    before = target.read_bytes()
    assert main(["export-qdpx", str(study_copy), "-o", str(target)]) == 1
    assert "invoerbestand van de studie" in capsys.readouterr().err
    assert target.read_bytes() == before
