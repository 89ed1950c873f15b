"""What a reader of the circulated pages gets: the report's recommendations as it addresses
them, evidence shown as what it is, method and limitations, a clean text, the plan's table."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from basisop import presentation as p
from basisop.io.dataset import load_study_data
from basisop.io.study import load_study
from basisop.privacy import PrivacyGuard
from basisop.problems import ValidationError
from basisop.scoring import score
from tests.test_presentation import _chapter_html, region_html

SEED = "seeds/000_d7cafd8f89b0436d.txt"
DOCUMENT_LINES = {2306, 2344, 2596, 2733, 2739, 2765}


def _source(shared_dir) -> list[str]:
    return (shared_dir / SEED).read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def pages(embedded) -> dict[str, str]:
    html = {u.code: _chapter_html(p.Chapter.build(embedded, u.code))
            for u in embedded.study.eenheden}
    html["regio"] = region_html(p.Region.build(embedded))
    return html


def _rec_titles(html: str) -> list[str]:
    return re.findall(r"<li><strong>([^<]*)</strong>", html)


def test_every_paragraph_of_chapter_8_is_a_recommendation(shared_dir, embedded):
    lines = _source(shared_dir)[2972:3023]  # §8.1 and §8.2, r. 2973-3023
    paragraphs = [re.sub(r"\*\*", "", line[1:]).strip() for line in lines if line.startswith("◇")]
    texts = " ".join(embedded.recommendations.frame["tekst"])
    assert len(paragraphs) == 13
    assert [para[:80] for para in paragraphs if para[:80] not in texts] == []


def test_huizen_gets_every_recommendation_but_the_bondgenoten_part(embedded, pages):
    recs = embedded.recommendations.frame
    for_all = recs[recs["eenheden"] == ""]
    bondgenoten = recs[recs["titel"] == "Bondgenoten-overleg"]
    assert list(bondgenoten["eenheden"]) == ["W;B/L"]
    for code in ("GM", "Hi", "Hu"):
        assert sorted(_rec_titles(p.recommendations_html(p.Chapter.build(embedded, code)))) \
            == sorted(for_all["titel"]), code
    for code in ("W", "B/L"):
        titles = _rec_titles(p.recommendations_html(p.Chapter.build(embedded, code)))
        assert "Bondgenoten-overleg" in titles and len(titles) == len(for_all) + 1


def test_recommendations_follow_the_plans_priority(embedded):
    html = p.recommendations_html(p.Chapter.build(embedded, "Hu"))
    ranks = {"Hoog": 2, "Gemiddeld": 1, "Laag": 0}
    shown = [ranks[m.split(" tot ")[-1]] for m in
             re.findall(r"prioriteit in het plan: ([A-Za-z ]+)\)", html)]
    assert shown and shown == sorted(shown, reverse=True)


def test_district_partners_get_district_and_mixed_recommendations_only(embedded):
    recs = embedded.recommendations.frame
    expected = recs[recs["niveau"] != "Lokaal"]["titel"]
    titles = _rec_titles(p.recommendations_html(p.Chapter.build(embedded, "D")))
    assert sorted(titles) == sorted(expected)


@pytest.mark.parametrize("pattern", [
    r"\br\.\s*\d{3,}",  # a line number of the source text
    r"(?i)tikfout|genormaliseerd|normalis|Woo-tekst|de bron schrijft|de tabel schrijft",
    r"(?i)\b(geel|gele|yellow|red|green|orange)\b",  # one colour vocabulary
    "[¹²³⁴⁵⁶⁷⁸⁹⁰]",  # a footnote marker without its footnote
])
def test_reader_text_has_no_analyst_notes(pages, pattern):
    found = {name: re.findall(pattern, re.sub(r"<style>.*?</style>", "", html, flags=re.S))
             for name, html in pages.items()}
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_regio_shows_the_plans_table_and_says_where_its_text_differs(shared_dir, embedded):
    lines = _source(shared_dir)
    html = p.priority_table(p.Region.build(embedded))
    for subtheme, line in [("samenwerking", 4608), ("meerdere_perspectieven", 4609),
                           ("re_integratie", 4569)]:
        table_level = lines[line - 1].split("\t")[-1].strip()
        cell = re.search(rf'<td data-subthema="{subtheme}" class="niveau">([^<]*)</td>', html)
        assert cell and cell.group(1) == (table_level or "—"), subtheme
        note = re.search(rf'<li data-subthema="{subtheme}">([^<]*)</li>', html)
        assert note, subtheme
        said = "niet ingevuld" if not table_level else f"staat als niveau {table_level}"
        assert said in note.group(1) and "tekst van het plan" in note.group(1)
        assert "onder Districtelijk" in note.group(1)


def test_documents_read_as_documents(embedded):
    codings = embedded.codings.frame
    documents = codings[codings["soort"] == "document"]
    lines = {int(re.search(r"r\. (\d+)", b).group(1)) for b in documents["bron"]}
    assert lines == DOCUMENT_LINES and len(documents) == 6
    for r in documents.to_dict("records"):
        html = p.findings_html(p.Chapter.build(embedded, r["eenheid"]),
                               embedded.study.framework.subtheme(r["subthema"]).thema_id)
        blocks = re.findall(r'<blockquote class="bo-(\w+)">(.*?)</blockquote>', html, re.S)
        mine = [(kind, body) for kind, body in blocks if str(escape(r["fragment"])) in body]
        assert [kind for kind, _ in mine] == ["document"]
        assert f"— document: {escape(r['titel'])}" in mine[0][1]


def test_summaries_are_attributed_to_the_analysts_and_not_counted(embedded, pages):
    assert "samenvatting van de interviews" not in "".join(pages.values())
    assert "— samenvatting van de analisten" in pages["W"]
    scores = score(embedded)
    codings = embedded.codings.frame
    for r in scores.to_dict("records"):
        mine = codings[(codings["eenheid"] == r["eenheid"])
                       & (codings["subthema"] == r["subthema_id"])
                       & (codings["soort"] == "interview")]
        assert r["respondenten"] == mine["respondent"].nunique()
    district = scores[scores["eenheid"] == "D"]
    assert set(district["respondenten"]) <= {0, 1}  # only D-R1 is an interviewed respondent


def test_method_names_the_district_interviews_and_invents_no_count(shared_dir, pages):
    assert "vier districtsinterviews" in _source(shared_dir)[2238]
    assert "Aantal interviews voor Districtspartners: 4." in pages["D"]
    for code, name in [("W", "Wijdemeren"), ("Hu", "Huizen")]:
        assert f"Het aantal interviews voor {name} is in de bron niet vermeld." in pages[code]
    assert "niet vermeld in de bron" in pages["regio"]
    for html in pages.values():
        assert "Werkwijze en beperkingen" in html and "statistisch representatief" in html
        assert "geen vast omlijnde criteria" in html


def test_huizen_is_explained_as_assessed_with_colours_lost(pages):
    assert "Huizen is beoordeeld" in pages["Hu"]
    assert "niet beoordeeld" not in pages["Hu"].replace(
        "niet beoordeeld of niet bekend", "")  # the legend's general row


def test_commissioning_party_is_the_municipality(shared_dir, pages):
    assert _source(shared_dir)[2153].strip() == "Gemeente Wijdmeren"
    assert "Opdrachtgever: Gemeente Wijdemeren." in pages["W"]


def _with_study_keys(study_copy, text: str):
    study_copy.write_text(study_copy.read_text(encoding="utf-8").replace(
        "status: definitief\n", text), encoding="utf-8")
    return load_study(study_copy)


def test_concept_pages_are_marked(study_copy, pages):
    study = _with_study_keys(study_copy, "status: concept\n")
    data = load_study_data(study)
    marking = '<div class="bo-concept" role="note">CONCEPT — eindrapport 12 december 2024'
    assert marking in p.chapter_intro(p.Chapter.build(data, "W"))
    assert marking in p.region_intro(p.Region.build(data))
    assert 'class="bo-concept"' not in pages["W"] + pages["regio"]


def test_study_status_must_be_concept_or_definitief(study_copy):
    with pytest.raises(ValidationError, match="status: verwacht concept of definitief"):
        _with_study_keys(study_copy, "status: klad\n")


def _register(study_copy):
    return study_copy.parent.parent / "data" / "gooi-en-vechtstreek-2024" / "respondenten.csv"


def test_register_kinds_are_checked(study_copy):
    path = _register(study_copy)
    path.write_text(path.read_text(encoding="utf-8")
                    + "X-1,W,,brief,,,\nX-2,W,,document,,,\n", encoding="utf-8")
    data = load_study_data(load_study(study_copy))
    errors = [(e.row, e.column) for e in data.register.problems if e.is_error]
    assert errors == [(18, "soort"), (19, "titel")]


def test_document_titles_are_not_personal_data(embedded):
    guard = PrivacyGuard.for_study(embedded)
    title = "Stoplichtmodel Maatschappelijke Onrust lokaal Hilversum"
    assert guard.scan_text(f"<p>— document: {title}</p>", "x.html") == []


def test_concept_index_is_marked(study_copy):
    from basisop.batch.export import index_html

    study = _with_study_keys(study_copy, "status: concept\n")
    marking = re.search(r'<div class="bo-concept" role="note"[^>]*>([^<]*)</div>',
                        index_html(study, [], None))
    assert marking and marking.group(1).startswith("CONCEPT — eindrapport 12 december 2024")
    assert 'class="bo-concept"' not in index_html(load_study(), [], None)


def test_published_pages_are_clean_and_the_audit_keeps_the_sources(tmp_path_factory):
    from batch_helpers import embedded_run

    run = embedded_run(tmp_path_factory)
    assert run.exit_code == 0, run.stdout
    pages = {path.name: path.read_text(encoding="utf-8") for path in run.folder.glob("*.html")}
    assert len(pages) == 8  # index, regio and six chapters
    for name, html in pages.items():
        assert not re.findall(r"\br\.\s*\d{3,}|(?i:tikfout|genormaliseerd)", html), name
    assert 'class="bo bo-werkwijze"' in pages["huizen.html"]
    audit = (run.folder / "audit" / "huizen.ipynb").read_text(encoding="utf-8")
    assert "r. 2788" in audit  # the provenance of Huizen's first judgement, for analysts


def _plain(text: str) -> str:
    """Source text as read: without markdown emphasis, footnote markers, typographic quotes."""
    text = re.sub(r"\*+|[¹²³⁴⁵⁶⁷⁸⁹⁰]", "", text)
    text = text.translate(str.maketrans({"“": '"', "”": '"', "’": "'", "‘": "'"}))
    return re.sub(r"\s+", " ", text).strip()


def test_every_fragment_is_verbatim_at_its_source_lines(shared_dir, embedded):
    lines = _source(shared_dir)
    missing = []
    for r in embedded.codings.frame.to_dict("records"):
        first, last = re.search(r"r\. (\d+)(?:-(\d+))?", r["bron"]).groups()
        first, last = int(first), int(last or first)
        # A paragraph may cross a page, with the page's footnotes in between.
        window = _plain(" ".join(line for line in lines[first - 1:last + 12]
                                 if not re.match("[¹²³⁴⁵⁶⁷⁸⁹⁰]", line)))
        if _plain(r["fragment"]).strip('"') not in window:
            missing.append((r["bestand"], r["rij"]))
    assert missing == []
