"""`basisop nieuw`: a new study that validates at once, with a coding workbook that reads back."""

from __future__ import annotations

import re

import openpyxl
import pytest

from basisop.cli import main
from basisop.io.dataset import load_valid
from basisop.io.scaffold import EXTRA_CHECKLISTS, LISTS_SHEET, SHEET, WORKBOOK_COLUMNS
from basisop.scoring import score

UNITS = ["--eenheid", "A=Amersfoort", "--eenheid", "B=Baarn"]


@pytest.fixture
def new_study(tmp_path):
    folder = tmp_path / "studie"
    assert main(["nieuw", str(folder), "--naam", "Testregio 2026", *UNITS]) == 0
    return folder


def test_a_new_study_validates_at_once_and_is_never_overwritten(new_study, capsys):
    assert main(["validate", str(new_study / "studie.yaml")]) == 0
    before = {p.name: p.read_bytes() for p in new_study.iterdir()}
    capsys.readouterr()
    assert main(["nieuw", str(new_study), "--naam", "Anders", *UNITS]) == 1
    assert "nooit overschreven" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in new_study.iterdir()} == before


def test_a_bad_unit_argument_writes_nothing(tmp_path, capsys):
    assert main(["nieuw", str(tmp_path / "x"), "--naam", "X", "--eenheid", "Amersfoort"]) == 1
    assert "CODE=Naam" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def _validations(sheet) -> dict[str, list[str]]:
    """Column name -> the values its drop-down offers (read from the list sheet)."""
    book = sheet.parent
    found = {}
    for rule in sheet.data_validations.dataValidation:
        assert rule.type == "list"
        ref = rule.formula1.lstrip("=")
        list_sheet, cells = ref.split("!")
        values = [c.value for row in book[list_sheet][cells.replace("$", "")] for c in row]
        for cell_range in rule.sqref.ranges:
            column = WORKBOOK_COLUMNS[cell_range.min_col - 1]
            found[column] = values
    return found


def test_the_workbook_has_drop_downs_a_frozen_header_and_a_read_only_framework(new_study,
                                                                              embedded):
    book = openpyxl.load_workbook(new_study / "codering.xlsx")
    sheet = book[SHEET]
    assert [c.value for c in sheet[1]] == WORKBOOK_COLUMNS
    assert sheet.freeze_panes == "A2"
    lists = _validations(sheet)
    framework = embedded.study.framework
    assert lists["eenheid"] == ["A", "B"]
    assert lists["subthema"] == [s.naam for s in framework.subthemes]
    texts = {i.tekst for s in framework.subthemes for i in s.checklist}
    for column in ("checklist", *EXTRA_CHECKLISTS):
        assert set(lists[column]) == texts
    assert lists["oordeel"] == ["groen", "oranje", "rood"]
    assert lists["vertrouwelijk"] == ["ja", "nee"]
    assert book[LISTS_SHEET].sheet_state == "hidden"
    assert book["wegingskader"].protection.sheet


def test_a_filled_in_workbook_reads_back_through_the_loader_and_scores(new_study, embedded):
    framework = embedded.study.framework
    sub = framework.subtheme("informatiepositie")
    book = openpyxl.load_workbook(new_study / "codering.xlsx")
    sheet = book[SHEET]
    rows = [{"eenheid": "A", "respondent": "A-R1", "subthema": sub.naam,
             "checklist": sub.checklist[0].tekst, "checklist 2": sub.checklist[1].tekst,
             "oordeel": "rood", "fragment": "Er is geen meldstructuur.", "id": "A-001"},
            {"eenheid": "A", "respondent": "A-R1", "subthema": "",
             "checklist": sub.checklist[0].tekst, "oordeel": "rood",
             "fragment": "Niemand weet waar je meldt.", "id": "A-002"}]
    for number, row in enumerate(rows, start=2):
        for column, value in row.items():
            sheet.cell(number, WORKBOOK_COLUMNS.index(column) + 1, value)
    book.save(new_study / "codering.xlsx")
    register = new_study / "respondenten.csv"
    register.write_text(register.read_text(encoding="utf-8") + "A-R1,A,beleidsadviseur\n",
                        encoding="utf-8")
    data = load_valid(new_study / "studie.yaml")
    codings = data.codings.frame
    assert list(codings["checklist"]) == [f"{sub.checklist[0].id};{sub.checklist[1].id}",
                                          sub.checklist[0].id]
    assert list(codings["subthema"]) == ["informatiepositie"] * 2
    scores = score(data).set_index(["eenheid", "subthema_id"])
    assert scores.loc[("A", "informatiepositie"), "status"] == "rood"
    assert scores.loc[("B", "informatiepositie"), "status"] == "onbekend"


@pytest.mark.slow
def test_basisop_run_on_a_new_study_writes_unknown_chapters_and_says_why(new_study, tmp_path,
                                                                         capsys):
    assert main(["run", str(new_study / "studie.yaml"), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "elke status 'onbekend'" in out
    folder = tmp_path / "out" / "testregio-2026"
    chapter = (folder / "amersfoort.html").read_text(encoding="utf-8")
    statuses = re.findall(r'data-status="(\w+)" data-subthema', chapter)
    assert len(statuses) == 17 and set(statuses) == {"onbekend"}
    assert (folder / "uitvoeringsplan.html").is_file()
