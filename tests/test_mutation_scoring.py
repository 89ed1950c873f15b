"""Scoring behaviour that mutation testing (mutmut, docs/mutation.md) found unpinned: the score
table's columns and counts, the priority table's overrides, and the orderings and filters the
chapters and the comparison rely on. Each test builds a small study by hand, so the expected
figures follow from the documented rules, not from the embedded study's data."""

from __future__ import annotations

import warnings
from dataclasses import replace

import pandas as pd

from basisop import scoring
from basisop.io.records import LoadResult
from basisop.model import DOCUMENT, INTERVIEW, SUMMARY, ScoringSettings, Status, Unit
from basisop.scoring import (
    SCORE_COLUMNS,
    compute_status,
    disagreements,
    evidence,
    interviewed,
    most_red,
    municipal_spread,
    prepare,
    priorities,
    provenance,
    rule_agreement,
    score,
    status_column,
    status_from_counts,
    theme_summary,
    unit_recommendations,
)

G, O, R = Status.GROEN, Status.ORANJE, Status.ROOD  # noqa: E741 - short names keep tables legible
INFO, PGA, BASIS = "informatiepositie", "pga", "basiskennis"
W = Unit("W", "Wijdemeren")
B = Unit("B", "Baarn")
X = Unit("X", "Xanten", subthemas=(INFO, PGA))  # a municipality assessed on two subthemes
D = Unit("D", "Districtspartners", soort="district", subthemas=(BASIS,))


def _coding(unit: str, respondent: str, subtheme: str, oordeel: str,
            soort: str = INTERVIEW) -> dict:
    return {"eenheid": unit, "respondent": respondent, "subthema": subtheme, "oordeel": oordeel,
            "soort": soort, "fragment": f"{respondent} over {subtheme}", "bron": "r. 1"}


CODINGS = [
    _coding("W", "W-1", INFO, "groen"), _coding("W", "W-1", INFO, "groen"),
    _coding("W", "W-2", INFO, "rood"), _coding("W", "W-3", INFO, "oranje", DOCUMENT),
    _coding("W", "W-4", INFO, "", SUMMARY),  # no oordeel: counted as a fragment, no vote
    _coding("W", "W-5", INFO, "groen"),
    _coding("X", "X-1", PGA, "rood"),
    _coding("D", "D-1", BASIS, "oranje"),
]
JUDGEMENTS = [{"eenheid": "W", "subthema": INFO, "status": "oranje", "motivering": "gewogen",
               "bron": "r. 2"}]


def _frame(rows: list[dict], columns: list[str]) -> LoadResult:
    return LoadResult(pd.DataFrame(rows, columns=columns))


def _data(embedded, units=(W, X, D), codings=CODINGS, judgements=JUDGEMENTS, overrides=(),
          recommendations=()):
    """A small study on the embedded framework, with the given units and tables."""
    coding_columns = list(codings[0]) if codings else list(_coding("W", "", "", ""))
    return replace(
        embedded, study=replace(embedded.study, eenheden=tuple(units)),
        codings=_frame(list(codings), coding_columns),
        judgements=_frame(list(judgements), ["eenheid", "subthema", "status", "motivering",
                                             "bron"]),
        overrides=_frame(list(overrides), ["subthema", "prioriteit", "niveau", "niveau_tekst",
                                           "motivering"]),
        recommendations=_frame(list(recommendations), ["id", "niveau", "eenheden", "subthemas",
                                                       "titel"]))


def _row(scores: pd.DataFrame, unit: str, subtheme: str) -> dict:
    [row] = scores[(scores["eenheid"] == unit) & (scores["subthema_id"] == subtheme)].to_dict(
        "records")
    return row


# --- the rules' defaults ---------------------------------------------------------------------

def test_the_default_rule_is_the_majority_and_one_fragment_suffices():
    # meerderheid: groen; gemiddelde (4/3): oranje; strengst: rood.
    assert compute_status([G, G, R]) is G
    assert status_from_counts({G: 2, R: 1}) is G
    assert status_from_counts({O: 1}) is O


# --- the score table -------------------------------------------------------------------------

def test_a_unit_gets_a_row_for_each_subtheme_it_covers_in_framework_order(embedded):
    scores = score(_data(embedded))
    assert list(scores.columns) == SCORE_COLUMNS
    all_ids = [s.id for s in embedded.study.framework.subthemes]
    assert list(scores[scores["eenheid"] == "W"]["subthema_id"]) == all_ids
    assert list(scores[scores["eenheid"] == "X"]["subthema_id"]) == [INFO, PGA]
    assert list(scores[scores["eenheid"] == "D"]["subthema_id"]) == [BASIS]
    assert set(scores[scores["eenheid"] == "X"]["eenheid_naam"]) == {"Xanten"}


def test_a_coding_without_unit_or_subtheme_counts_nowhere(embedded):
    keyless = [{**_coding("W", "W-9", INFO, "rood"), "subthema": None},
               {**_coding("X", "X-9", PGA, "rood"), "eenheid": None}]
    counted = ["eenheid", "subthema_id", "fragmenten", "respondenten", "groen", "oranje", "rood"]
    assert score(_data(embedded, codings=CODINGS + keyless))[counted].equals(
        score(_data(embedded))[counted])


def test_respondents_are_counted_per_unit_and_subtheme_each_once(embedded):
    more = [_coding("W", "W-1", PGA, "groen"), _coding("W", "W-1", PGA, "rood"),
            {**_coding("W", "", BASIS, "groen"), "respondent": None}]
    scores = score(_data(embedded, codings=CODINGS + more))
    heard = {(u, s): _row(scores, u, s)["respondenten"]
             for u, s in [("W", INFO), ("X", PGA), ("D", BASIS), ("W", PGA), ("W", BASIS)]}
    assert heard == {("W", INFO): 3, ("X", PGA): 1, ("D", BASIS): 1, ("W", PGA): 1,
                     ("W", BASIS): 0}
    assert _row(scores, "W", BASIS)["fragmenten"] == 1  # a fragment without a respondent


def test_counts_take_every_fragment_but_only_interviewed_respondents(embedded):
    row = _row(score(_data(embedded)), "W", INFO)
    assert (row["fragmenten"], row["respondenten"]) == (6, 3)  # W-3 is a document, W-4 a summary
    assert (row["groen"], row["oranje"], row["rood"]) == (3, 1, 1)
    assert row["berekend"] == "groen"


def test_counts_are_whole_numbers(embedded):
    # A float column would print "3.0 fragmenten" in a chapter.
    counts = score(_data(embedded))[["fragmenten", "respondenten", "groen", "oranje", "rood"]]
    assert all(pd.api.types.is_integer_dtype(t) for t in counts.dtypes)


def test_a_fragment_with_a_missing_oordeel_counts_but_does_not_vote(embedded):
    codings = [_coding("W", "W-1", INFO, "groen"), {**_coding("W", "W-1", PGA, ""),
                                                   "oordeel": float("nan")}]
    row = _row(score(_data(embedded, codings=codings)), "W", PGA)
    assert (row["fragmenten"], row["groen"], row["oranje"], row["rood"]) == (1, 0, 0, 0)
    assert row["berekend"] == "onbekend"


def test_without_a_soort_column_every_respondent_counts(embedded):
    codings = [{k: v for k, v in c.items() if k != "soort"} for c in CODINGS]
    row = _row(score(_data(embedded, codings=codings)), "W", INFO)
    assert row["respondenten"] == 5


def test_the_judgement_rule_and_unknown_each_fill_the_columns(embedded):
    scores = score(_data(embedded))
    judged = _row(scores, "W", INFO)
    assert (judged["status"], judged["bron"], judged["oordeel"], judged["motivering"],
            judged["prioriteit"], judged["afwijking"]) == (
        "oranje", "oordeel", "oranje", "gewogen", "Gemiddeld", True)
    ruled = _row(scores, "X", PGA)
    assert (ruled["status"], ruled["bron"], ruled["oordeel"], ruled["motivering"],
            ruled["prioriteit"], ruled["afwijking"]) == ("rood", "regel", "", "", "Hoog", False)
    unknown = _row(scores, "W", PGA)
    assert (unknown["status"], unknown["bron"], unknown["berekend"], unknown["prioriteit"]) == (
        "onbekend", "onbekend", "onbekend", "")
    assert (unknown["fragmenten"], unknown["respondenten"], unknown["groen"], unknown["oranje"],
            unknown["rood"]) == (0, 0, 0, 0, 0)


def test_a_colour_that_no_fragment_carries_counts_zero(embedded):
    codings = [_coding("W", "W-1", INFO, "groen")]
    row = _row(score(_data(embedded, codings=codings)), "W", INFO)
    assert (row["groen"], row["oranje"], row["rood"]) == (1, 0, 0)


def test_the_minimum_number_of_fragments_applies_to_the_table(embedded):
    scores = score(_data(embedded), ScoringSettings("meerderheid", 2))
    assert _row(scores, "W", INFO)["berekend"] == "groen"  # four votes
    ruled = _row(scores, "X", PGA)  # one vote: too few
    assert (ruled["berekend"], ruled["status"], ruled["bron"]) == ("onbekend", "onbekend",
                                                                   "onbekend")


def test_a_study_that_covers_nothing_still_has_the_tables_columns(embedded):
    nothing = Unit("N", "Nergens", subthemas=())
    scores = score(_data(embedded, units=(nothing,)))
    assert scores.empty
    assert list(scores.columns) == SCORE_COLUMNS


# --- per unit and theme, the evidence behind a colour ----------------------------------------

def test_theme_summary_counts_each_status_per_unit_and_theme_in_study_order(embedded):
    summary = theme_summary(score(_data(embedded, units=(X, W, D))))
    assert list(summary.columns) == ["eenheid", "thema_id", "thema", "groen", "oranje", "rood",
                                     "onbekend"]
    first = summary.iloc[0].to_dict()
    assert first == {"eenheid": "X", "thema_id": "randvoorwaarden", "thema": "Randvoorwaarden",
                     "groen": 0, "oranje": 0, "rood": 0, "onbekend": 1}
    w = summary[summary["eenheid"] == "W"]
    assert list(w["thema_id"]) == [t.id for t in embedded.study.framework.themas]
    assert w.iloc[0][["groen", "oranje", "onbekend"]].tolist() == [0, 1, 4]
    assert list(summary["eenheid"].drop_duplicates()) == ["X", "W", "D"]


def test_evidence_is_the_fragments_of_one_unit_and_subtheme(embedded):
    data = _data(embedded)
    found = evidence(data, "W", INFO)
    assert list(found["respondent"]) == ["W-1", "W-1", "W-2", "W-3", "W-4", "W-5"]
    assert evidence(data, "W", PGA).empty


def test_interviewed_counts_interview_respondents_only():
    fragments = pd.DataFrame(CODINGS)
    assert interviewed(fragments[fragments["eenheid"] == "W"]) == 3
    assert interviewed(fragments.drop(columns="soort")) == 7


def test_provenance_lists_judgements_then_fragments_of_one_unit(embedded):
    table = provenance(_data(embedded), "W")
    assert list(table.columns) == ["subthema", "soort", "tekst", "bron"]
    assert table.iloc[0].tolist() == [INFO, "oordeel", "oranje", "r. 2"]
    assert list(table["soort"].iloc[1:]) == [INTERVIEW, INTERVIEW, INTERVIEW, DOCUMENT, SUMMARY,
                                             INTERVIEW]
    assert list(table.index) == list(range(len(table)))  # numbered once, as the audit shows it
    assert table["tekst"].iloc[3] == f"W-2 over {INFO}"
    assert len(provenance(_data(embedded), "X")) == 1


# --- the comparison's tables -----------------------------------------------------------------

def _scores(rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    """(unit, subtheme, status, oordeel, berekend) rows, afwijking as `score` sets it."""
    frame = pd.DataFrame(rows, columns=["eenheid", "subthema_id", "status", "oordeel",
                                        "berekend"])
    colours = {"groen", "oranje", "rood"}
    frame["afwijking"] = [o in colours and b in colours and o != b
                          for o, b in zip(frame["oordeel"], frame["berekend"], strict=True)]
    frame["subthema"] = frame["subthema_id"].str.upper()
    for column in ("fragmenten", "groen", "oranje", "rood"):
        frame[column] = 1
    return frame


def test_most_red_orders_by_rood_counts_and_marks_a_strict_majority():
    scores = _scores([
        ("W", "b", "rood", "", ""), ("B", "b", "onbekend", "", ""), ("X", "b", "groen", "", ""),
        ("W", "a", "rood", "", ""), ("B", "a", "rood", "", ""), ("X", "a", "groen", "", ""),
        ("W", "c", "groen", "", ""), ("D", "c", "rood", "", ""),  # D is no municipality
        ("W", "d", "oranje", "", ""), ("B", "d", "rood", "", ""),
    ])
    table = most_red(scores, ["W", "B", "X"])
    assert list(table.columns) == ["subthema_id", "subthema", "rood", "beoordeeld",
                                   "meerderheid"]
    assert table.to_dict("list") == {
        "subthema_id": ["a", "b", "d"], "subthema": ["A", "B", "D"], "rood": [2, 1, 1],
        "beoordeeld": [3, 2, 2], "meerderheid": [True, False, False]}


def test_most_red_keeps_the_framework_order_among_equal_counts(embedded):
    # 17 subthemes with many ties: an unstable sort reorders them (found with mutmut).
    ids = [s.id for s in embedded.study.framework.subthemes]
    reds = [1, 3, 1, 2, 1, 2, 2, 2, 3, 2, 1, 1, 2, 1, 2, 2, 3]
    rows = [(unit, sub, "rood" if i < n else "groen", "", "")
            for sub, n in zip(ids, reds, strict=True) for i, unit in enumerate("WBX")]
    table = most_red(_scores(rows), ["W", "B", "X"])
    expected = [sub for n in (3, 2, 1) for sub, k in zip(ids, reds, strict=True) if k == n]
    assert list(table["subthema_id"]) == expected


def test_rule_agreement_counts_only_cells_where_both_give_a_colour():
    scores = _scores([("W", "a", "groen", "groen", "rood"),
                      ("W", "b", "groen", "groen", "onbekend"),
                      ("W", "c", "rood", "", "rood"), ("W", "d", "rood", "rood", "rood")])
    assert rule_agreement(scores) == (2, 1)
    assert list(disagreements(scores)["subthema"]) == ["A"]
    assert list(disagreements(scores).columns) == ["eenheid", "subthema", "oordeel", "berekend",
                                                   "fragmenten", "groen", "oranje", "rood"]


def test_municipal_spread_counts_one_subtheme_over_the_municipalities():
    scores = _scores([("W", "a", "rood", "", ""), ("B", "a", "groen", "", ""),
                      ("X", "a", "onbekend", "", ""), ("D", "a", "rood", "", ""),
                      ("W", "b", "groen", "", "")])
    assert municipal_spread(scores, "a", ["W", "B", "X"]) == {"groen": 1, "oranje": 0, "rood": 1}


# --- the priority table ----------------------------------------------------------------------

def _table(data) -> dict[str, dict]:
    return {r["subthema_id"]: r for r in priorities(data, score(data)).to_dict("records")}


def test_priorities_show_every_municipality_and_leave_the_district_out(embedded):
    data = _data(embedded, units=(W, X, D), codings=[
        _coding("W", "W-1", INFO, "rood"), _coding("X", "X-1", INFO, "groen"),
        _coding("W", "W-1", BASIS, "groen")])
    table = _table(data)
    info, basis, pga = table[INFO], table[BASIS], table[PGA]
    assert (info[status_column("W")], info[status_column("X")]) == ("oranje", "groen")
    assert status_column("D") not in info
    assert basis[status_column("X")] == "onbekend"  # X is not assessed on basiskennis
    assert (info["thema_id"], info["thema"], info["subthema"]) == (
        "randvoorwaarden", "Randvoorwaarden", "Informatiepositie van de gemeente")
    # A gap at one of two municipalities: shared, so district; priority over both.
    assert (info["prioriteit_regel"], info["niveau_regel"]) == ("Laag tot Gemiddeld",
                                                                "Districtelijk")
    assert (basis["prioriteit_regel"], basis["niveau_regel"]) == ("Laag", "")  # no gap
    assert (pga["prioriteit_regel"], pga["niveau_regel"]) == ("", "")  # nothing known


def test_without_an_override_the_rule_stands_and_with_one_its_cells_do(embedded):
    overrides = [{"subthema": INFO, "prioriteit": "", "niveau": "", "niveau_tekst": "Lokaal",
                  "motivering": "vastgesteld"}]
    data = _data(embedded, units=(W, B), overrides=overrides, judgements=(),
                 codings=[_coding("W", "W-1", INFO, "rood"), _coding("B", "B-1", INFO, "rood"),
                          _coding("W", "W-1", BASIS, "rood")])
    table = _table(data)
    ruled, overridden = table[BASIS], table[INFO]
    assert (ruled["prioriteit"], ruled["niveau"], ruled["niveau_tekst"], ruled["bron"],
            ruled["motivering"]) == ("Hoog", "Districtelijk", "", "regel", "")
    assert (overridden["prioriteit_regel"], overridden["niveau_regel"]) == ("Hoog",
                                                                            "Districtelijk")
    assert (overridden["prioriteit"], overridden["niveau"], overridden["niveau_tekst"],
            overridden["bron"], overridden["motivering"]) == ("", "", "Lokaal", "oordeel",
                                                              "vastgesteld")


def test_a_gap_at_one_of_three_municipalities_is_local(embedded):
    codings = [_coding("W", "W-1", INFO, "rood"), _coding("B", "B-1", INFO, "groen"),
               _coding("X", "X-1", INFO, "groen")]
    data = _data(embedded, units=(W, B, X), codings=codings, judgements=())
    assert _table(data)[INFO]["niveau_regel"] == "Lokaal"


def test_a_recommendation_sets_the_level_before_the_gap_rule(embedded):
    recommendations = [{"id": "A1", "niveau": "Lokaal", "eenheden": "", "subthemas": INFO,
                        "titel": "t"}]
    data = _data(embedded, units=(W, B), recommendations=recommendations,
                 codings=[_coding("W", "W-1", INFO, "rood"), _coding("B", "B-1", INFO, "rood")])
    assert _table(data)[INFO]["niveau_regel"] == "Lokaal"


# --- a unit's recommendations ----------------------------------------------------------------

def test_unit_recommendations_reach_the_unit_and_come_most_urgent_first(embedded):
    recommendations = [
        {"id": "R1", "niveau": "Lokaal", "eenheden": "X", "subthemas": INFO, "titel": "t"},
        {"id": "R2", "niveau": "Lokaal", "eenheden": "", "subthemas": INFO, "titel": "t"},
        {"id": "R3", "niveau": "Districtelijk", "eenheden": "", "subthemas": f"{INFO};{PGA}",
         "titel": "t"},
        {"id": "R4", "niveau": "Lokaal", "eenheden": "", "subthemas": BASIS, "titel": "t"},
        {"id": "R5", "niveau": "Lokaal", "eenheden": "", "subthemas": "verdieping",
         "titel": "t"},
        {"id": "R6", "niveau": "Lokaal", "eenheden": "", "subthemas": "elders", "titel": "t"},
    ]
    data = _data(embedded, recommendations=recommendations)
    # The plan: informatiepositie Laag, pga Hoog, basiskennis open, verdieping absent.
    plan = pd.DataFrame({"subthema_id": [INFO, PGA, BASIS], "prioriteit": ["Laag", "Hoog", ""]})
    found = unit_recommendations(data, W, score(data), plan)
    assert [(r["id"], r["prioriteit"]) for r in found] == [
        ("R3", "Hoog"), ("R2", "Laag"), ("R4", ""), ("R5", ""), ("R6", "")]
    assert found[0]["betreft"] == [("Informatiepositie van de gemeente", "oranje"),
                                   ("PGA", "onbekend")]
    assert found[-1]["betreft"] == []


def test_a_subtheme_no_municipality_is_assessed_on_has_no_rule_values(embedded):
    table = _table(_data(embedded, units=(X, D)))  # only the district covers basiskennis
    basis = table[BASIS]
    assert (basis[status_column("X")], basis["prioriteit_regel"], basis["niveau_regel"]) == (
        "onbekend", "", "")


def test_prepare_computes_the_scores_and_evidence_before_the_notebooks_ask(embedded,
                                                                           monkeypatch):
    data = _data(embedded)
    prepare(data)
    # Forked notebooks find both ready: computing again would fail here.
    monkeypatch.setattr(scoring, "_score", None)
    monkeypatch.setattr(data.codings.frame, "groupby", None)
    assert _row(score(data), "X", PGA)["status"] == "rood"
    assert list(evidence(data, "X", PGA)["respondent"]) == ["X-1"]


def test_records_give_what_to_dict_gives_even_for_repeated_column_names():
    frame = pd.DataFrame([[1, 2, "x"], [3, 4, "y"]], columns=["a", "a", "b"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns that a repeated column is left out
        expected = frame.to_dict("records")
    assert scoring.records(frame) == expected == [{"a": 2, "b": "x"}, {"a": 4, "b": "y"}]
