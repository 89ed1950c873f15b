"""`basisop acties --xlsx`: the plan's actions as a workbook that the study reads back."""

from __future__ import annotations

import openpyxl
import pandas as pd

from basisop.cli import main
from basisop.io.actions import ACTION_COLUMNS, PROGRESS_COLUMNS, PROGRESS_SHEET
from basisop.io.dataset import load_valid


def _point_at(study_copy, workbook) -> None:
    text = study_copy.read_text(encoding="utf-8")
    text = text.replace("acties: ../data/gooi-en-vechtstreek-2024/acties.csv",
                        f"acties: {workbook}")
    text = text.replace("voortgang: ../data/gooi-en-vechtstreek-2024/voortgang.csv",
                        f"voortgang: {workbook}")
    study_copy.write_text(text, encoding="utf-8")


def test_the_workbook_round_trips_with_an_edited_status(study_copy, tmp_path):
    data_dir = study_copy.parent.parent / "data" / "gooi-en-vechtstreek-2024"
    actions = pd.read_csv(data_dir / "acties.csv", dtype=str, keep_default_na=False)
    actions.loc[0, "toelichting"] = "=HYPERLINK(\"http://x\")"  # must stay text
    actions.to_csv(data_dir / "acties.csv", index=False)
    before = load_valid(study_copy)
    workbook = tmp_path / "acties.xlsx"
    assert main(["acties", str(study_copy), "--xlsx", str(workbook)]) == 0

    book = openpyxl.load_workbook(workbook)
    sheet = book[PROGRESS_SHEET]
    rules = {str(r.sqref).split(":")[0][0]: r.formula1 for r in
             sheet.data_validations.dataValidation}
    status_col = "ABCDEF"[PROGRESS_COLUMNS.index("status")]
    assert status_col in rules
    lists, cells = rules[status_col].lstrip("=").split("!")
    offered = [c.value for row in book[lists][cells.replace("$", "")] for c in row]
    assert offered == ["gepland", "lopend", "gereed", "vervallen"]
    assert book["acties"]["F2"].data_type == "s"  # the formula-like text is not a formula
    sheet.cell(2, PROGRESS_COLUMNS.index("status") + 1, "gereed")
    book.save(workbook)

    _point_at(study_copy, workbook)
    after = load_valid(study_copy)
    pd.testing.assert_frame_equal(after.actions.frame[ACTION_COLUMNS],
                                  before.actions.frame[ACTION_COLUMNS])
    expected = before.progress.frame[PROGRESS_COLUMNS].copy()
    expected.loc[0, "status"] = "gereed"
    pd.testing.assert_frame_equal(after.progress.frame[PROGRESS_COLUMNS], expected)


def test_an_export_never_overwrites_a_study_input(study_copy, tmp_path, capsys):
    workbook = tmp_path / "acties.xlsx"
    assert main(["acties", str(study_copy), "--xlsx", str(workbook)]) == 0
    _point_at(study_copy, workbook)
    before = workbook.read_bytes()
    assert main(["acties", str(study_copy), "--xlsx", str(workbook)]) == 1
    assert "invoerbestand van de studie" in capsys.readouterr().err
    assert workbook.read_bytes() == before
