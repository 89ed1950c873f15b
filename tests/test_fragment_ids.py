"""Stable fragment ids: optional, unique across a study's coding files."""

from __future__ import annotations

from basisop.io.records import load_codings
from basisop.io.study import load_study

HEADER = "eenheid,respondent,rol,subthema,checklist,oordeel,fragment,bron,vertrouwelijk,id\n"


def test_every_embedded_fragment_has_its_own_id(embedded):
    ids = embedded.codings.frame["id"]
    assert (ids != "").all()
    assert ids.is_unique


def test_a_repeated_fragment_id_rejects_the_second_row_and_names_the_first(study_copy, tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(HEADER + "W,W-R1,,informatiepositie,,rood,Geen beeld.,,,X-1\n"
                     "W,W-R1,,informatiepositie,,rood,Zonder id.,,,\n", encoding="utf-8")
    second.write_text(HEADER + "W,W-R1,,informatiepositie,,groen,Wel beeld.,,,X-1\n"
                      "W,W-R1,,informatiepositie,,rood,Ook zonder id.,,,\n", encoding="utf-8")
    result = load_codings(load_study(study_copy), [first, second])
    assert (result.read, result.accepted, result.rejected) == (4, 3, 1)
    [problem] = [p for p in result.problems if p.column == "id"]
    assert (problem.row, problem.value) == (2, "X-1")
    assert "a.csv rij 2" in problem.reason
