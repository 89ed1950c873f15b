"""The study-table loaders (basisop/io/records.py) on small hand-built CSV files: what is
accepted, what is rejected with which file, row and column, what the register adds. Fast on
purpose: mutation testing (docs/mutation.md) runs these first for every mutant of the loader.
The study is the embedded one's framework and units, with its tables replaced."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from basisop.io.records import (
    CODING_COLUMNS,
    RECOMMENDATION_COLUMNS,
    REGISTER_OPTIONAL,
    REGISTER_REQUIRED,
    load_codings,
    load_judgements,
    load_overrides,
    load_recommendations,
    load_register,
    subtheme_parser,
)
from basisop.io.study import DEFAULT_STUDY, load_study
from basisop.model import Study

CODING_HEADER = "eenheid,respondent,rol,subthema,checklist,oordeel,fragment,bron,vertrouwelijk,id"


@pytest.fixture(scope="module")
def base() -> Study:
    return load_study(DEFAULT_STUDY)


def _csv(folder: Path, name: str, header: str, *rows: str) -> Path:
    path = folder / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _codings(base: Study, tmp_path: Path, *rows: str, register: str | None = None):
    study = replace(base, codering=(_csv(tmp_path, "codering.csv", CODING_HEADER, *rows),))
    known = None
    if register is not None:
        known = load_register(study, _csv(tmp_path, "respondenten.csv",
                                          "id,eenheid,rol,soort,titel,naam", *register)).frame
    return load_codings(study, register=known)


def _errors(result) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.column) for p in result.problems if p.is_error]


def test_an_accepted_coding_row_keeps_its_cells_and_place(base, tmp_path):
    result = _codings(base, tmp_path,
                      "Wijdemeren,W-R1,beleid,Informatiepositie,,Groen,Een zin.,p. 3,nee,F-1")
    assert (result.read, result.accepted, result.rejected) == (1, 1, 0)
    [row] = result.frame.to_dict("records")
    assert row == {"eenheid": "W", "respondent": "W-R1", "rol": "beleid",
                   "subthema": "informatiepositie", "checklist": "", "oordeel": "groen",
                   "fragment": "Een zin.", "bron": "p. 3", "vertrouwelijk": False,
                   "notities": "", "id": "F-1", "bestand": "codering.csv", "rij": 2,
                   "soort": "interview", "titel": ""}
    assert result.problems == []


# --- codings: rows rejected with their place -------------------------------------------------

def test_a_rejected_row_keeps_file_row_reason_and_its_cells(base, tmp_path):
    result = _codings(base, tmp_path, "W,W-R1,,informatiepositie,,Paars,Een zin.,,,")
    assert (result.read, result.accepted, result.rejected) == (1, 0, 1)
    assert _errors(result) == [(2, "oordeel")]
    [problem] = result.problems
    assert problem.file.endswith("codering.csv") and problem.value == "Paars"
    [rejected] = result.rejected_rows
    assert (rejected["bestand"], rejected["rij"]) == ("codering.csv", 2)
    assert rejected["reden"] == problem.reason
    assert rejected["oordeel"] == "Paars" and rejected["fragment"] == "Een zin."
    assert list(result.rejects_frame().columns[:3]) == ["bestand", "rij", "reden"]


def test_a_rejected_rows_reason_leaves_out_its_warnings(base, tmp_path):
    result = _codings(base, tmp_path, "W,W-R1,,pga,,Paars,Een.,,,,,")  # empty extra fields
    warnings = [p for p in result.problems if not p.is_error]
    [error] = [p for p in result.problems if p.is_error]
    assert warnings and result.rejected_rows[0]["reden"] == error.reason


def test_every_fault_of_a_row_is_reported_and_joined_in_its_reason(base, tmp_path):
    result = _codings(base, tmp_path, "Atlantis,,,onbekend thema,,Paars,,,misschien,")
    assert _errors(result) == [(2, "eenheid"), (2, "respondent"), (2, "subthema"),
                               (2, "oordeel"), (2, "fragment"), (2, "vertrouwelijk")]
    [rejected] = result.rejected_rows
    assert rejected["reden"] == "; ".join(p.reason for p in result.problems)


def test_a_coding_row_without_a_unit_is_rejected(base, tmp_path):
    result = _codings(base, tmp_path, ",W-R1,,pga,,,Een.,,,")
    assert _errors(result) == [(2, "eenheid")] and result.accepted == 0


def test_the_rejects_frame_has_its_header_when_nothing_was_rejected(base, tmp_path):
    result = _codings(base, tmp_path, "W,W-R1,,informatiepositie,,groen,Een zin.,,,")
    frame = result.rejects_frame()
    assert frame.empty and list(frame.columns) == ["bestand", "rij", "reden"]


def test_the_rejects_frame_holds_every_column_of_every_rejected_row(base, tmp_path):
    first = _csv(tmp_path, "a.csv", CODING_HEADER, "W,W-R1,,pga,,Paars,Een.,,,")
    second = _csv(tmp_path, "b.csv", CODING_HEADER + ",memo", "W,,,pga,,,Twee.,,,,let op")
    frame = load_codings(replace(base, codering=(first, second))).rejects_frame()
    assert list(frame.columns[:4]) == ["bestand", "rij", "reden", "eenheid"]
    assert "memo" in frame.columns and frame["memo"].tolist()[1] == "let op"
    assert frame["bestand"].tolist() == ["a.csv", "b.csv"]


def test_a_row_the_reader_could_not_split_is_rejected_with_the_readers_reason(base, tmp_path):
    result = _codings(base, tmp_path, "W,W-R1,,pga,,,Een.,,,,te veel,velden")
    assert result.accepted == 0
    [problem] = [p for p in result.problems if p.is_error]
    assert problem.row == 2 and result.rejected_rows[0]["reden"] == problem.reason


def test_rows_count_from_the_header_as_row_one_across_files(base, tmp_path):
    first = _csv(tmp_path, "a.csv", CODING_HEADER, "W,W-R1,,informatiepositie,,,Een.,,,",
                 "W,W-R1,,informatiepositie,,,Twee.,,,")
    second = _csv(tmp_path, "b.csv", CODING_HEADER, "GM,GM-R1,,pga,,,Drie.,,,")
    result = load_codings(replace(base, codering=(first, second)))
    assert result.read == 3
    assert [(r["bestand"], r["rij"]) for r in result.frame.to_dict("records")] == [
        ("a.csv", 2), ("a.csv", 3), ("b.csv", 2)]
    assert [s.split(":")[0] for s in result.sources] == ["a.csv", "b.csv"]


def test_a_file_without_a_required_column_rejects_every_row_with_the_files_reason(
        base, tmp_path):
    path = _csv(tmp_path, "codering.csv", "eenheid,respondent,subthema",
                "W,W-R1,informatiepositie", "GM,GM-R1,pga")
    result = load_codings(replace(base, codering=(path,)))
    assert (result.read, result.accepted, result.rejected) == (2, 0, 2)
    file_errors = [p.reason for p in result.problems if p.is_error and p.row == 1]
    assert file_errors
    assert [r["reden"] for r in result.rejected_rows] == ["; ".join(file_errors)] * 2
    assert list(result.frame.columns) == [*CODING_COLUMNS, "bestand", "rij", "soort", "titel"]


def test_a_row_that_was_accepted_and_one_that_was_not_reconcile(base, tmp_path):
    result = _codings(base, tmp_path, "W,W-R1,,informatiepositie,,,Een.,,,",
                      "W,W-R1,,informatiepositie,,,,,,")
    assert (result.read, result.accepted, result.rejected) == (2, 1, 1)
    assert result.summary("codering") == "codering: 2 rijen gelezen, 1 geaccepteerd, 1 afgewezen"


# --- codings: what a cell may say --------------------------------------------------------------

@pytest.mark.parametrize(("cell", "expected"), [
    ("ja", True), ("J", True), ("Yes", True), ("y", True), ("TRUE", True), ("waar", True),
    ("1", True), ("x", True), (" Ja ", True), ("nee", False), ("N", False), ("no", False),
    ("false", False), ("onwaar", False), ("0", False), ("", False)])
def test_vertrouwelijk_reads_yes_and_no_in_the_words_analysts_use(base, tmp_path, cell, expected):
    result = _codings(base, tmp_path, f"W,W-R1,,informatiepositie,,,Een.,,{cell},")
    assert result.frame["vertrouwelijk"].tolist() == [expected]


def test_units_and_subthemes_are_read_by_name_or_code_in_any_case(base, tmp_path):
    result = _codings(base, tmp_path,
                      "wijdemeren,W-R1,,INFORMATIEPOSITIE VAN DE GEMEENTE,,,Een.,,,",
                      "Blaricum en Laren,BL-R1,,Informatiepositie gemeenten,,rood,Twee.,,,",
                      "b/l,BL-R1,,pga,,Red,Drie.,,,")
    assert result.frame[["eenheid", "subthema", "oordeel"]].values.tolist() == [
        ["W", "informatiepositie", ""], ["B/L", "informatiepositie", "rood"],
        ["B/L", "pga", "rood"]]


def test_a_mistyped_value_is_reported_with_the_nearest_valid_one(base, tmp_path):
    result = _codings(base, tmp_path, "Wijdemere,W-R1,,informatiepositei,,,Een.,,,")
    reasons = {p.column: p.reason for p in result.problems}
    assert "'Wijdemeren'" in reasons["eenheid"]
    assert "'Informatiepositie'" in reasons["subthema"]


def test_the_same_mistake_twice_is_reported_twice(base, tmp_path):
    result = _codings(base, tmp_path, "W,W-R1,,informatiepositie,,Paars,Een.,,,",
                      "W,W-R1,,informatiepositie,,Paars,Twee.,,,")
    assert _errors(result) == [(2, "oordeel"), (3, "oordeel")]
    assert result.problems[0].reason == result.problems[1].reason


def test_a_unit_that_does_not_assess_a_subtheme_rejects_the_row(base, tmp_path):
    result = _codings(base, tmp_path, "D,D-R1,,financien,,,Een.,,,", "D,D-R1,,pga,,,Twee.,,,",
                      "D,D-R1,,nergens,,,Drie.,,,")
    assert _errors(result) == [(2, "subthema"), (4, "subthema")]  # an unknown one: said once
    assert result.frame["subthema"].tolist() == ["pga"]


# --- codings: checklist items ----------------------------------------------------------------

def test_a_checklist_item_alone_gives_the_subtheme(base, tmp_path):
    result = _codings(base, tmp_path, "W,W-R1,,,pga.1,,Een.,,,")
    assert result.frame[["subthema", "checklist"]].values.tolist() == [["pga", "pga.1"]]
    assert result.problems == []


def test_several_items_in_one_cell_and_in_extra_columns_are_joined_once(base, tmp_path):
    header = CODING_HEADER + ",checklist 2,checklist 5"
    path = _csv(tmp_path, "codering.csv", header,
                "W,W-R1,,,informatiepositie.1 ; informatiepositie.2;,,Een.,,,,"
                "informatiepositie.1,informatiepositie.3")
    result = load_codings(replace(base, codering=(path,)))
    assert result.problems == []
    assert result.frame[["subthema", "checklist"]].values.tolist() == [
        ["informatiepositie", "informatiepositie.1;informatiepositie.2;informatiepositie.3"]]


def test_an_item_in_an_extra_column_is_enough_without_a_subtheme(base, tmp_path):
    path = _csv(tmp_path, "codering.csv", CODING_HEADER + ",checklist 3",
                "W,W-R1,,,,,Een.,,,,pga.2")
    result = load_codings(replace(base, codering=(path,)))
    assert result.frame[["subthema", "checklist"]].values.tolist() == [["pga", "pga.2"]]


def test_neither_subtheme_nor_item_is_a_missing_subtheme(base, tmp_path):
    result = _codings(base, tmp_path, "W,W-R1,,,,,Een.,,,")
    assert _errors(result) == [(2, "subthema")]


def test_an_item_of_another_subtheme_is_reported_in_its_column(base, tmp_path):
    result = _codings(base, tmp_path, "W,W-R1,,informatiepositie,pga.1,,Een.,,,")
    assert _errors(result) == [(2, "checklist")]
    assert "pga.1" in result.problems[0].reason and "pga" in result.problems[0].reason


def test_items_of_two_subthemes_without_a_given_one_are_an_error(base, tmp_path):
    result = _codings(base, tmp_path, "W,W-R1,,,pga.1; informatiepositie.1,,Een.,,,")
    assert _errors(result) == [(2, "checklist")]


def test_an_unknown_item_is_reported_in_the_column_it_is_in_with_a_hint(base, tmp_path):
    path = _csv(tmp_path, "codering.csv", CODING_HEADER + ",checklist 2",
                "W,W-R1,,pga,pga.1,,Een.,,,,pga.9", "W,W-R1,,pga,pga.8,,Twee.,,,,")
    result = load_codings(replace(base, codering=(path,)))
    assert _errors(result) == [(2, "checklist 2"), (3, "checklist")]
    assert "'pga.9'" in result.problems[0].reason
    assert "bedoelt u 'pga." in result.problems[0].reason


def test_an_item_text_shared_by_two_subthemes_is_read_within_the_given_one(base, tmp_path):
    text = "Bouwen aan vertrouwen tussen samenwerkingspartners"
    result = _codings(base, tmp_path, f"W,W-R1,,maatschappelijk_middenveld,{text},,Een.,,,",
                      f"W,W-R1,,,{text},,Twee.,,,")
    assert result.frame["checklist"].tolist() == ["maatschappelijk_middenveld.3"]
    assert _errors(result) == [(3, "checklist")]  # ambiguous without a subtheme


def test_an_item_by_its_text_in_any_case_counts_as_its_id(base, tmp_path):
    result = _codings(base, tmp_path, "W,W-R1,,,rol van ketenpartners in pga bekend,,Een.,,,")
    assert result.frame[["subthema", "checklist"]].values.tolist() == [["pga", "pga.2"]]


# --- codings: the register -------------------------------------------------------------------

REGISTER = ("W-R1,W,beleidsadviseur,,,Jan Smit", "W-D1,W,,document,Veiligheidsplan,",
            "W-S,W,,samenvatting,,", "D-R1,D,,,,")


def test_the_register_gives_a_missing_role_and_the_kind_of_evidence(base, tmp_path):
    result = _codings(base, tmp_path, "W,w-r1,,pga,,,Een.,,,", "W,W-R1,wethouder,pga,,,Twee.,,,",
                      "W, W-D1 ,,pga,,,Drie.,,,", "W,W-S,,pga,,,Vier.,,,", register=REGISTER)
    assert result.problems == []
    assert result.frame[["rol", "soort", "titel"]].values.tolist() == [
        ["beleidsadviseur", "interview", ""], ["wethouder", "interview", ""],
        ["", "document", "Veiligheidsplan"], ["", "samenvatting", ""]]


def test_a_respondent_missing_from_the_register_rejects_the_row(base, tmp_path):
    result = _codings(base, tmp_path, "W,W-R2,,pga,,,Een.,,,", register=REGISTER)
    assert _errors(result) == [(2, "respondent")]


def test_a_respondent_of_another_unit_rejects_the_row_naming_the_registered_unit(base, tmp_path):
    result = _codings(base, tmp_path, "GM,W-R1,,pga,,,Een.,,,", register=REGISTER)
    assert _errors(result) == [(2, "respondent")]
    assert "eenheid W," in result.problems[0].reason and "niet bij GM" in result.problems[0].reason


def test_without_a_register_any_respondent_counts_as_an_interview(base, tmp_path):
    result = _codings(base, tmp_path, "W,wie dan ook,,pga,,,Een.,,,")
    assert result.problems == []
    assert result.frame[["rol", "soort", "titel"]].values.tolist() == [["", "interview", ""]]


def test_an_empty_result_still_has_the_kind_columns(base, tmp_path):
    result = _codings(base, tmp_path, "W,W-R1,,pga,,,,,,", register=REGISTER)
    assert result.frame.empty
    assert {"soort", "titel", "bestand", "rij"} <= set(result.frame.columns)


# --- codings: duplicates and ids -------------------------------------------------------------

def test_a_repeated_fragment_is_a_warning_naming_the_first_and_only_the_first_is_kept(
        base, tmp_path):
    result = _codings(base, tmp_path, "W,W-R1,,pga,,,Een zin.,,,",
                      "w, w-r1 ,,PGA,,,een  zin.,,,")
    assert result.accepted == 1 and result.rejected == 1
    [problem] = result.problems
    assert (problem.row, problem.is_error) == (3, False)
    assert "codering.csv rij 2" in problem.reason
    assert result.rejected_rows[0]["rij"] == 3
    assert result.rejected_rows[0]["reden"] == problem.reason  # a warning, yet the reason


def test_rows_differing_only_in_notes_are_duplicates_but_in_source_are_not(base, tmp_path):
    header = CODING_HEADER + ",notities"
    path = _csv(tmp_path, "codering.csv", header, "W,W-R1,,pga,,,Een.,p. 1,,,eerste",
                "W,W-R1,,pga,,,Een.,p. 1,,,tweede", "W,W-R1,,pga,,,Een.,p. 2,,,")
    result = load_codings(replace(base, codering=(path,)))
    assert result.frame["rij"].tolist() == [2, 4]
    assert result.frame["notities"].tolist() == ["eerste", ""]


def test_a_fragment_id_used_twice_is_an_error_naming_the_first_place(base, tmp_path):
    first = _csv(tmp_path, "a.csv", CODING_HEADER, "W,W-R1,,pga,,,Een.,,,F-1",
                 "W,W-R1,,pga,,,Twee.,,,")
    second = _csv(tmp_path, "b.csv", CODING_HEADER, "W,W-R1,,pga,,,Drie.,,,",
                  "W,W-R1,,pga,,,Vier.,,,F-1")
    result = load_codings(replace(base, codering=(first, second)))
    assert _errors(result) == [(3, "id")]
    assert "a.csv rij 2" in result.problems[0].reason
    assert result.frame["fragment"].tolist() == ["Een.", "Twee.", "Drie."]


def test_register_ids_match_across_case_spacing_and_accents(base, tmp_path):
    register = ("Zoë  de Vries,W,jongerenwerker,,,", "X-1,W,,,,")
    result = _codings(base, tmp_path, "W,zoe de vries,,pga,,,Een.,,,",
                      "W,ZOË DE  VRIES,,pga,,,Twee.,,,", "W,x-1 ,,pga,,,Drie.,,,",
                      register=register)
    assert result.problems == []
    assert result.frame["rol"].tolist() == ["jongerenwerker", "jongerenwerker", ""]


# --- judgements ------------------------------------------------------------------------------

JUDGEMENT_HEADER = "eenheid,subthema,status,motivering,bron"


def _judgements(base: Study, tmp_path: Path, *rows: str):
    path = _csv(tmp_path, "oordelen.csv", JUDGEMENT_HEADER, *rows)
    return load_judgements(replace(base, oordelen=path))


def test_judgements_are_read_by_name_and_any_status_word_including_unknown(base, tmp_path):
    result = _judgements(base, tmp_path, "Wijdemeren,PGA,Red,Weinig casussen.,p. 4",
                         "GM,pga,niet beoordeeld,Niet besproken.,")
    assert result.problems == []
    assert result.frame.to_dict("records") == [
        {"eenheid": "W", "subthema": "pga", "status": "rood", "motivering": "Weinig casussen.",
         "bron": "p. 4", "bestand": "oordelen.csv", "rij": 2},
        {"eenheid": "GM", "subthema": "pga", "status": "onbekend",
         "motivering": "Niet besproken.", "bron": "", "bestand": "oordelen.csv", "rij": 3}]


def test_a_judgement_needs_unit_subtheme_status_and_motivation(base, tmp_path):
    result = _judgements(base, tmp_path, ",,,,p. 1", "W,pga,paars,Reden.,",
                         "D,financien,groen,Reden.,")
    assert _errors(result) == [(2, "eenheid"), (2, "subthema"), (2, "status"),
                               (2, "motivering"), (3, "status"), (4, "subthema")]
    assert result.accepted == 0 and result.rejected == 3


def test_a_second_judgement_of_the_same_unit_and_subtheme_is_an_error(base, tmp_path):
    result = _judgements(base, tmp_path, "W,pga,groen,Eerste.,", "Wijdemeren,PGA,rood,Tweede.,")
    assert _errors(result) == [(3, None)]
    assert "oordelen.csv rij 2" in result.problems[0].reason
    assert result.frame["motivering"].tolist() == ["Eerste."]


def test_a_study_without_judgements_loads_none_and_reports_nothing(base, tmp_path):
    result = load_judgements(replace(base, oordelen=None))
    assert (result.read, result.accepted, result.problems) == (0, 0, [])
    assert list(result.frame.columns) == ["eenheid", "subthema", "status", "motivering", "bron",
                                          "bestand", "rij"]


def test_a_judgements_file_given_explicitly_is_read_instead_of_the_studys(base, tmp_path):
    path = _csv(tmp_path, "ander.csv", JUDGEMENT_HEADER, "W,pga,groen,Reden.,")
    result = load_judgements(base, path)
    assert result.frame[["bestand", "status"]].values.tolist() == [["ander.csv", "groen"]]


# --- priority overrides ----------------------------------------------------------------------

OVERRIDE_HEADER = "subthema,prioriteit,niveau,niveau_tekst,motivering,bron"


def _overrides(base: Study, tmp_path: Path, *rows: str):
    return load_overrides(base, _csv(tmp_path, "prioriteiten.csv", OVERRIDE_HEADER, *rows))


def test_an_override_gives_a_priority_or_range_and_levels(base, tmp_path):
    result = _overrides(base, tmp_path, "PGA,gemiddeld tot hoog,D & L,lokaal,Afspraak.,p. 9",
                        "informatiepositie,,district,,Afspraak.,", "preventie,Laag,,,Afspraak.,")
    assert result.problems == []
    assert result.frame[["subthema", "prioriteit", "niveau", "niveau_tekst", "bron"]
                        ].values.tolist() == [
        ["pga", "Gemiddeld tot Hoog", "D & L", "Lokaal", "p. 9"],
        ["informatiepositie", "", "Districtelijk", "", ""], ["preventie", "Laag", "", "", ""]]


def test_an_override_keeps_its_motivation(base, tmp_path):
    result = _overrides(base, tmp_path, "pga,Hoog,,,Zo afgesproken.,")
    assert result.frame["motivering"].tolist() == ["Zo afgesproken."]


def test_an_override_without_priority_or_level_is_an_error_in_prioriteit(base, tmp_path):
    result = _overrides(base, tmp_path, "pga,,,lokaal,Afspraak.,", "geen,,,,Afspraak.,",
                        "pga,Hoogst,,,,", ",Hoog,,,Afspraak.,")
    assert _errors(result) == [(2, "prioriteit"), (3, "subthema"), (4, "prioriteit"),
                               (4, "motivering"), (5, "subthema")]


def test_a_second_override_of_a_subtheme_is_an_error(base, tmp_path):
    result = _overrides(base, tmp_path, "pga,Hoog,,,Een.,", "PGA,Laag,,,Twee.,")
    assert _errors(result) == [(3, None)]
    assert result.frame["prioriteit"].tolist() == ["Hoog"]


def test_the_studys_overrides_file_is_read_when_none_is_given(base, tmp_path):
    path = _csv(tmp_path, "p.csv", OVERRIDE_HEADER, "pga,Hoog,,,Een.,")
    assert load_overrides(replace(base, prioriteiten=path)).frame["bestand"].tolist() == ["p.csv"]
    assert load_overrides(replace(base, prioriteiten=None)).read == 0


# --- recommendations -------------------------------------------------------------------------

RECOMMENDATION_HEADER = "id,niveau,eenheden,subthemas,titel,tekst,bron"


def _recommendations(base: Study, tmp_path: Path, *rows: str):
    path = _csv(tmp_path, "aanbevelingen.csv", RECOMMENDATION_HEADER, *rows)
    return load_recommendations(replace(base, aanbevelingen=path))


def test_a_recommendation_lists_units_and_subthemes_as_ids(base, tmp_path):
    result = _recommendations(base, tmp_path,
                              "A1,Lokaal, Wijdemeren ;GM;,PGA; Informatiepositie gemeenten,"
                              "Titel,Doe dit.,p. 1", "A2,D,,pga,,Doe dat.,")
    assert result.problems == []
    assert result.frame[["id", "niveau", "eenheden", "subthemas", "titel", "tekst", "bron"]
                        ].values.tolist() == [
        ["A1", "Lokaal", "W;GM", "pga;informatiepositie", "Titel", "Doe dit.", "p. 1"],
        ["A2", "Districtelijk", "", "pga", "", "Doe dat.", ""]]


def test_each_unreadable_part_of_a_list_is_reported_with_the_part(base, tmp_path):
    result = _recommendations(base, tmp_path, "A1,Lokaal,W;Atlantis;Utopia,pga;nergens,,Doe.,")
    assert _errors(result) == [(2, "subthemas"), (2, "eenheden"), (2, "eenheden")]
    assert [p.reason.split(":")[0] for p in result.problems] == [
        "'nergens'", "'Atlantis'", "'Utopia'"]


def test_a_recommendation_needs_id_level_a_subtheme_and_text(base, tmp_path):
    result = _recommendations(base, tmp_path, ",,,;,,,", "A2,Lokaal,,,,Doe.,")
    # 'at least one subtheme' is said only of a row without other faults
    assert _errors(result) == [(2, "niveau"), (2, "id"), (2, "tekst"), (3, "subthemas")]


def test_a_study_without_recommendations_or_register_loads_none(base):
    for result in (load_recommendations(replace(base, aanbevelingen=None)),
                   load_register(replace(base, respondenten=None))):
        assert (result.read, result.accepted, result.problems) == (0, 0, [])


def test_accepted_recommendations_and_register_rows_keep_the_tables_column_order(
        base, tmp_path):
    recommendations = _recommendations(base, tmp_path, "A1,Lokaal,W,pga,,Doe.,")
    assert list(recommendations.frame.columns) == [*RECOMMENDATION_COLUMNS, "bestand", "rij"]
    register = _register(base, tmp_path, "id,eenheid,rol,naam", "W-R1,W,,Jan Smit")
    assert list(register.frame.columns) == [*REGISTER_REQUIRED, *REGISTER_OPTIONAL, "bestand",
                                            "rij"]


def test_a_recommendation_id_used_twice_is_an_error(base, tmp_path):
    result = _recommendations(base, tmp_path, "A1,Lokaal,,pga,,Een.,", "A1,Lokaal,,pga,,Twee.,")
    assert _errors(result) == [(3, None)]


# --- the register ----------------------------------------------------------------------------

def _register(base: Study, tmp_path: Path, header: str, *rows: str):
    path = _csv(tmp_path, "respondenten.csv", header, *rows)
    return load_register(replace(base, respondenten=path))


def test_a_register_row_keeps_every_known_column_and_defaults_the_kind(base, tmp_path):
    result = _register(base, tmp_path, "id,eenheid,rol,naam,e-mail,telefoon,adres,soort,titel",
                       "W-R1,Wijdemeren,wethouder,Jan Smit,j@x.nl,0612345678,Dorpsstraat 1,,",
                       "W-D1,W,,,,,, Document ,Plan")
    assert result.problems == []
    first, second = result.frame.to_dict("records")
    assert first["id"] == "W-R1" and first["eenheid"] == "W" and first["rol"] == "wethouder"
    assert (first["naam"], first["e-mail"], first["telefoon"], first["adres"]) == (
        "Jan Smit", "j@x.nl", "0612345678", "Dorpsstraat 1")
    assert (first["soort"], first["titel"], first["contact"]) == ("interview", "", "")
    assert (second["soort"], second["titel"]) == ("document", "Plan")


def test_a_register_may_have_columns_of_its_own(base, tmp_path):
    result = _register(base, tmp_path, "id,eenheid,rol,huisnummer", "W-R1,W,,12")
    assert (result.accepted, result.problems) == (1, [])


def test_a_register_kind_must_be_known_and_a_document_needs_a_title(base, tmp_path):
    result = _register(base, tmp_path, "id,eenheid,rol,soort,titel", "W-R1,W,,intervieuw,",
                       "W-D1,W,,document,", ",,wethouder,,")
    assert _errors(result) == [(2, "soort"), (3, "titel"), (4, "id"), (4, "eenheid")]
    assert "bedoelt u 'interview'" in result.problems[0].reason


def test_a_register_id_repeated_in_another_case_or_accent_is_an_error(base, tmp_path):
    result = _register(base, tmp_path, "id,eenheid,rol", "Zoë,W,", "ZOE,GM,")
    assert _errors(result) == [(3, None)]
    assert result.frame["eenheid"].tolist() == ["W"]


def test_the_public_subtheme_parser_reads_names_and_hints_at_typos(base):
    parse = subtheme_parser(base.framework)
    assert parse("Informatiepositie gemeenten") == "informatiepositie"
    with pytest.raises(ValueError, match="bedoelt u 'PGA'"):
        parse("PGE")


# --- the column-wise reader and workbooks ----------------------------------------------------

MIXED_ROWS = ("W,W-R1,,pga,pga.1,groen,Een.,,ja,F-1", "W,W-R1,,pga,,,Een.,,ja,",
              "w,w-r1,,PGA,,,Een.,,ja,",  # the row above again: a duplicate
              "GM,W-R1,,pga,,,Twee.,,,", "W,W-R9,,pga,,Paars,Drie.,,,F-1",
              "W,w-d1,,,informatiepositie.2,,Vier.,,,",
              "W,W-R1,,,informatiepositie.2;pga.1,,Vijf.,,,", "Hu,,,financien,,,,,,",
              "D,D-R1,,financien,,,Zes.,,,")  # only fault: D does not assess it


def test_a_large_file_read_column_wise_gives_what_the_row_path_gives(base, tmp_path,
                                                                       monkeypatch):
    from basisop.io import bulk

    study = replace(base, codering=(_csv(tmp_path, "codering.csv", CODING_HEADER,
                                         *MIXED_ROWS),))
    known = load_register(study, _csv(tmp_path, "r.csv", "id,eenheid,rol,soort,titel,naam",
                                      *REGISTER)).frame
    by_row = load_codings(study, register=known)
    monkeypatch.setattr(bulk, "BULK_MIN_BYTES", 0)
    original, answers = bulk.load_codings, []
    monkeypatch.setattr(bulk, "load_codings", lambda *a: answers.append(original(*a)) or answers[0])
    by_column = load_codings(study, list(study.codering), register=known)  # files given
    assert answers and answers[0] is not None  # read column-wise, not by row again
    assert [(p.row, p.column, p.reason) for p in by_column.problems] == [
        (p.row, p.column, p.reason) for p in by_row.problems]
    assert by_column.frame.to_dict("records") == by_row.frame.to_dict("records")
    assert by_column.rejected_rows == by_row.rejected_rows
    assert by_row.frame["soort"].tolist() == ["interview", "interview", "document"]
    assert (4, None, False) in [(p.row, p.column, p.is_error) for p in by_row.problems]
    assert (10, "subthema", True) in [(p.row, p.column, p.is_error) for p in by_row.problems]


def test_codings_are_read_from_the_named_sheet_of_a_workbook(base, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "uitleg"
    book.active.append(["Zie het andere werkblad."])
    sheet = book.create_sheet("codes")
    sheet.append(CODING_HEADER.split(","))
    sheet.append(["W", "W-R1", "", "pga", "", "", "Een.", "", "", ""])
    path = tmp_path / "codering.xlsx"
    book.save(path)
    given = load_codings(base, [path], sheet="codes")
    from_study = load_codings(replace(base, codering=(path,), werkbladen={path: "codes"}))
    for result in (given, from_study):
        assert result.problems == [] and result.frame["fragment"].tolist() == ["Een."]
        assert "werkblad 'codes'" in result.sources[0]


def test_the_quick_compare_key_equals_normalize_key_for_every_character():
    """`_compare_key` (the duplicate check's key) takes shortcuts for ASCII and for text that
    is ASCII without its accents; around any character of the first planes it must give what
    `normalize_key` gives."""
    from basisop.io.records import _compare_key
    from basisop.model import normalize_key

    texts = ["  Café  ", "e\u0301\u0301n", "Ĳssel\u00a0en ß", "a\u034fb", "\u1e9e x"]
    texts += [f"Ab {chr(c)}e\u0301 X" for c in range(0x3000) if not 0xD800 <= c < 0xE000]
    assert [_compare_key(t) for t in texts] == [normalize_key(t) for t in texts]
