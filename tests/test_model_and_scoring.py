"""The framework model, vocabularies, the scoring rules and priority/level rules."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from basisop.io.framework import load_framework
from basisop.io.study import PROJECT_ROOT
from basisop.model import (
    Level,
    Priority,
    PriorityRange,
    Status,
    Unit,
    parse_level,
    parse_status,
)
from basisop.scoring import (
    SOURCE_JUDGEMENT,
    SOURCE_RULE,
    SOURCE_UNKNOWN,
    compute_status,
    final_status,
    level_by_rule,
    reaches,
)

FRAMEWORK = load_framework(PROJECT_ROOT / "data" / "wegingskader.yaml")

# The 17 scored subthemes in the order and with the names of the report's tables (issue 2).
CANONICAL = {
    "Randvoorwaarden": ["Informatiepositie van de gemeente", "Wetgeving over informatiedeling",
                        "Bestuurlijk draagvlak", "Online dimensie",
                        "Veiligheid van eigen medewerkers"],
    "Kennis en vaardigheden": ["Basiskennis", "Verdieping"],
    "Netwerk": ["Lokaal netwerk", "Maatschappelijk middenveld", "Alle partners"],
    "Interventies": ["Preventie", "PGA", "Online interventies", "Re-integratie"],
    "Versterking": ["Financiën", "Regionale/nationale samenwerking", "Meerdere perspectieven"],
}


def test_framework_has_the_reports_themes_and_subthemes_in_order():
    assert {t.naam: [s.naam for s in t.subthemas] for t in FRAMEWORK.themas} == CANONICAL
    assert list(CANONICAL) == [t.naam for t in FRAMEWORK.themas]


def test_every_checklist_item_belongs_to_exactly_one_subtheme():
    items = [i.id for s in FRAMEWORK.subthemes for i in s.checklist]
    assert len(items) == len(set(items))
    assert all(s.checklist for s in FRAMEWORK.subthemes)
    for subtheme in FRAMEWORK.subthemes:
        for item in subtheme.checklist:
            assert FRAMEWORK.checklist_item(item.id)[0] is subtheme
            assert FRAMEWORK.checklist_item(item.tekst, subtheme.id)[0] is subtheme


def test_a_checklist_text_shared_by_two_subthemes_needs_the_subtheme():
    text = "Bouwen aan vertrouwen tussen samenwerkingspartners"
    assert FRAMEWORK.checklist_item(text) is None
    assert FRAMEWORK.checklist_item(text, "maatschappelijk_middenveld")[1].id == \
        "maatschappelijk_middenveld.3"


def test_framework_records_provenance_legend_and_resolved_differences():
    assert any("NCTV" in h for h in FRAMEWORK.herkomst)
    assert any("2024" in h for h in FRAMEWORK.herkomst)
    assert set(FRAMEWORK.legenda) == {Status.GROEN, Status.ORANJE, Status.ROOD}
    assert any("Draagvlak" in a for a in FRAMEWORK.afwijkingen)


@pytest.mark.parametrize(("name", "subtheme_id"), [
    ("Informatiepositie", "informatiepositie"),
    ("informatiepositie van de GEMEENTE", "informatiepositie"),
    ("Lokaal Netwerk (professionals die op lokaal niveau direct betrokken zijn)",
     "lokaal_netwerk"),
    ("Persoonsgerichte Aanpak", "pga"),
    ("Wetgeving", "wetgeving_informatiedeling"),
    ("Financien", "financien"),  # accents do not matter
    ("  Veiligheid   van medewerkers ", "veiligheid_medewerkers"),
    ("Nationale samenwerking", "samenwerking"),
    ("Betrekken van jongeren", "meerdere_perspectieven"),
])
def test_aliases_resolve(name, subtheme_id):
    assert FRAMEWORK.subtheme(name).id == subtheme_id


def test_unknown_subtheme_does_not_resolve():
    assert FRAMEWORK.subtheme("Draagvlak") is None
    assert FRAMEWORK.subtheme("Bestuurlijk") is None


@pytest.mark.parametrize(("word", "status"), [
    ("groen", Status.GROEN), ("Green", Status.GROEN), (" GROEN ", Status.GROEN),
    ("oranje", Status.ORANJE), ("Geel", Status.ORANJE), ("yellow", Status.ORANJE),
    ("rood", Status.ROOD), ("Red", Status.ROOD), ("RED ", Status.ROOD),
])
def test_status_vocabularies(word, status):
    assert parse_status(word) is status


@pytest.mark.parametrize(("typo", "hint"), [("Roed", "rood"), ("gron", "groen"),
                                            ("oranj", "oranje"), ("Yelow", "oranje")])
def test_status_typos_suggest_the_nearest_valid_value(typo, hint):
    with pytest.raises(ValueError, match=f"bedoelt u '{hint}'"):
        parse_status(typo)


def test_onbekend_is_only_accepted_where_allowed():
    assert parse_status("onbekend", allow_unknown=True) is Status.ONBEKEND
    assert parse_status("Niet beoordeeld", allow_unknown=True) is Status.ONBEKEND
    with pytest.raises(ValueError):
        parse_status("onbekend")


def test_priority_ranges():
    assert str(PriorityRange.of([Priority.HOOG, Priority.GEMIDDELD, Priority.HOOG])) == \
        "Gemiddeld tot Hoog"
    assert str(PriorityRange.of([Priority.LAAG])) == "Laag"
    assert PriorityRange.of([]) is None
    assert str(PriorityRange.parse("laag tot gemiddeld")) == "Laag tot Gemiddeld"
    assert str(PriorityRange.parse("Hoog tot Laag")) == "Laag tot Hoog"
    with pytest.raises(ValueError, match="bedoelt u 'Hoog'"):
        PriorityRange.parse("Hooog")


@pytest.mark.parametrize(("text", "level"), [("Lokaal", Level.LOKAAL), ("L&D", Level.BEIDE),
                                             ("D & L", Level.BEIDE),
                                             ("districtelijk", Level.DISTRICTELIJK)])
def test_levels(text, level):
    assert parse_level(text) is level


# --- scoring rules ---------------------------------------------------------------------------

G, O, R = Status.GROEN, Status.ORANJE, Status.ROOD  # noqa: E741 - short names keep tables legible
RULES = ["meerderheid", "gemiddelde", "strengst"]
colour_lists = st.lists(st.sampled_from([G, O, R, None]), max_size=30)


@pytest.mark.parametrize(("oordelen", "rule", "expected"), [
    ([G, G, O], "meerderheid", G),
    ([G, O], "meerderheid", O),  # a tie goes to the worse colour
    ([G, R, R, O], "meerderheid", R),
    ([G, G, R], "gemiddelde", O),  # mean 4/3
    ([G, G, G, O], "gemiddelde", G),  # mean 7/4
    ([R, O], "gemiddelde", O),  # mean 0.5
    ([G, G, G, R], "strengst", R),
    ([None, None], "meerderheid", Status.ONBEKEND),  # fragments without oordeel do not vote
    ([], "strengst", Status.ONBEKEND),
])
def test_rules_on_examples(oordelen, rule, expected):
    assert compute_status(oordelen, rule) is expected


def test_minimum_number_of_fragments():
    assert compute_status([G, G], "meerderheid", minimum=3) is Status.ONBEKEND
    assert compute_status([G, G, G], "meerderheid", minimum=3) is G


def test_unknown_rule_is_an_error():
    with pytest.raises(ValueError):
        compute_status([G], "willekeurig")


@pytest.mark.parametrize("rule", RULES)
@given(oordelen=colour_lists)
def test_one_more_groen_never_makes_it_worse(rule, oordelen):
    before = compute_status(oordelen, rule)
    after = compute_status([*oordelen, G], rule)
    assert after is not Status.ONBEKEND
    if before is not Status.ONBEKEND:
        assert after.rank >= before.rank


@pytest.mark.parametrize("rule", RULES)
@given(oordelen=colour_lists)
def test_one_more_rood_never_makes_it_better(rule, oordelen):
    before = compute_status(oordelen, rule)
    after = compute_status([*oordelen, R], rule)
    if before is not Status.ONBEKEND:
        assert after.rank <= before.rank


@pytest.mark.parametrize("rule", RULES)
@given(oordelen=colour_lists, data=st.data())
def test_order_of_fragments_does_not_matter(rule, oordelen, data):
    shuffled = data.draw(st.permutations(oordelen))
    assert compute_status(shuffled, rule) is compute_status(oordelen, rule)


@pytest.mark.parametrize("rule", RULES)
@given(colour=st.sampled_from([G, O, R]), n=st.integers(1, 10))
def test_unanimous_evidence_gives_its_colour(rule, colour, n):
    assert compute_status([colour] * n, rule) is colour


def test_final_status_prefers_the_judgement_then_the_rule_then_unknown():
    assert final_status(R, G) == (R, SOURCE_JUDGEMENT)
    assert final_status(Status.ONBEKEND, G) == (Status.ONBEKEND, SOURCE_JUDGEMENT)
    assert final_status(None, O) == (O, SOURCE_RULE)
    assert final_status(None, Status.ONBEKEND) == (Status.ONBEKEND, SOURCE_UNKNOWN)


# --- level rule ------------------------------------------------------------------------------

def _recs(*rows: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame([{"niveau": level, "subthemas": subs} for level, subs in rows],
                        columns=["niveau", "subthemas"])


def test_level_from_recommendations():
    recs = _recs(("Districtelijk", "pga;preventie"), ("Lokaal", "preventie"),
                 ("Lokaal", "informatiepositie"))
    assert level_by_rule("pga", recs, 1.0) is Level.DISTRICTELIJK
    assert level_by_rule("preventie", recs, 0.0) is Level.BEIDE
    assert level_by_rule("informatiepositie", recs, 1.0) is Level.LOKAAL


def test_level_without_recommendation_follows_how_widely_the_gap_is_shared():
    none = _recs()
    assert level_by_rule("pga", none, 0.75) is Level.DISTRICTELIJK
    assert level_by_rule("pga", none, 0.5) is Level.DISTRICTELIJK
    assert level_by_rule("pga", none, 0.25) is Level.LOKAAL
    assert level_by_rule("pga", none, 0.0) is None
    assert level_by_rule("pga", none, None) is None


@pytest.mark.parametrize(("niveau", "eenheden", "reached"), [
    ("Lokaal", "", {"W", "Hu"}),  # all municipalities, not the district partners
    ("Districtelijk", "", {"W", "Hu", "D"}),  # every unit
    ("D & L", "", {"W", "Hu", "D"}),
    ("Lokaal", "W", {"W"}),  # only the units it names
    ("Districtelijk", "Hu;D", {"Hu", "D"}),
])
def test_a_recommendation_reaches_the_units_it_addresses(niveau, eenheden, reached):
    units = [Unit("W", "Wijdemeren"), Unit("Hu", "Huizen"), Unit("D", "Districtspartners",
                                                                  soort="district")]
    rec = {"niveau": niveau, "eenheden": eenheden}
    assert {u.code for u in units if reaches(rec, u)} == reached
