"""What a reader sees: escaped text, anonymous quotes, confidential fragments counted only."""

from __future__ import annotations

import csv
import dataclasses
import re
from html.parser import HTMLParser

import pytest
import yaml

from basisop import presentation as p
from basisop.io.dataset import load_study_data
from basisop.io.study import load_study
from basisop.scoring import score

PLANTED = [
    # eenheid, respondent, rol, subthema, oordeel, fragment, vertrouwelijk
    ("Hi", "Hi-R1", "jeugdconsulent", "preventie", "rood",
     "<script>alert('x')</script> & \"aanhalingstekens\"", ""),
    ("Hi", "Hi-R1", "jeugdconsulent", "preventie", "oranje",
     "Dit is een vertrouwelijke mededeling over een casus in de wijk.", "ja"),
]


@pytest.fixture
def planted(study_copy):
    path = study_copy.parent.parent / "data" / "gooi-en-vechtstreek-2024" / "codering-hilversum.csv"
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for e, r, rol, s, o, f, v in PLANTED:
            writer.writerow([e, r, rol, s, "", o, f, "test", v])
    data = load_study_data(load_study(study_copy))
    assert data.ok
    return data


def _chapter_html(chapter: p.Chapter) -> str:
    parts = [p.chapter_intro(chapter), p.legend_html(chapter.data), p.method_html(chapter),
             p.status_table(chapter), p.recommendations_html(chapter)]
    parts += [p.findings_html(chapter, t.id) for t in chapter.data.study.framework.themas]
    return "".join(parts)


def region_html(region: p.Region) -> str:
    return "".join([p.region_intro(region), p.region_method_html(region),
                    p.comparison_table(region), p.counts_table(region), p.most_red_html(region),
                    p.priority_table(region), p.district_view(region),
                    p.district_recommendations(region), p.rule_note(region)])


def _payload(field: str) -> str:
    return f"<x-{field}>\"&'"


def _edit_csv(path, change) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        change(row)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def injected(study_copy):
    """The embedded study with markup planted in every field that reaches a page."""
    folder = study_copy.parent.parent / "data" / "gooi-en-vechtstreek-2024"
    study = yaml.safe_load(study_copy.read_text(encoding="utf-8"))
    for key in ("naam", "versie", "opdrachtgever", "periode"):
        study[key] = _payload(f"studie-{key}")
    study["werkwijze"] = f"{_payload('werkwijze')}\n\n- {_payload('werkwijze-punt')}"
    study["beperkingen"] = f"- {_payload('beperking')}\n  - {_payload('beperking-sub')}"
    study["status"] = "concept"
    hi = next(u for u in study["eenheden"] if u["code"] == "Hi")
    hi.update(naam=_payload("eenheid-naam"), toelichting=_payload("eenheid-toelichting"))
    study_copy.write_text(yaml.safe_dump(study, allow_unicode=True), encoding="utf-8")
    framework = study_copy.parent.parent / "data" / "wegingskader.yaml"
    tree = yaml.safe_load(framework.read_text(encoding="utf-8"))
    tree["themas"][0]["naam"] = _payload("thema")
    tree["themas"][0]["subthemas"][0]["naam"] = _payload("subthema")
    tree["legenda"]["groen"] = _payload("legenda")
    framework.write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")

    def register(row):
        if row["id"] == "Hi-R1":
            row["rol"] = _payload("register-rol")
        if row["id"] == "Hi-SMO":
            row["titel"] = _payload("document-titel")
    _edit_csv(folder / "respondenten.csv", register)

    def codings(row):
        if row["respondent"] == "Hi-R2":
            row["fragment"] = _payload("fragment") + row["fragment"]
            row["rol"] = _payload("codering-rol")
    _edit_csv(folder / "codering-hilversum.csv", codings)

    def judgements(row):
        if row["eenheid"] == "Hi":
            row["motivering"] = _payload("motivering")
    _edit_csv(folder / "oordelen.csv", judgements)

    def overrides(row):
        row["motivering"] = _payload("prioriteit-motivering")
    _edit_csv(folder / "prioriteiten.csv", overrides)

    def recommendations(row):
        if row["id"] in ("A1", "A5"):
            row["titel"] = _payload(f"aanbeveling-titel-{row['id']}")
            row["tekst"] = (f"{_payload('aanbeveling-tekst-' + row['id'])}\n\n"
                            f"- {_payload('aanbeveling-punt-' + row['id'])}\n"
                            f"  - {_payload('aanbeveling-subpunt-' + row['id'])}")
    _edit_csv(folder / "aanbevelingen.csv", recommendations)
    data = load_study_data(load_study(study_copy))
    assert data.ok, data.problems
    return data


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)


FIELDS = ["studie-naam", "studie-versie", "studie-opdrachtgever", "studie-periode", "werkwijze",
          "werkwijze-punt", "beperking", "beperking-sub", "eenheid-naam", "eenheid-toelichting",
          "thema", "subthema", "legenda", "register-rol", "document-titel", "fragment",
          "codering-rol", "motivering", "prioriteit-motivering", "aanbeveling-titel-A1",
          "aanbeveling-tekst-A1", "aanbeveling-punt-A1", "aanbeveling-subpunt-A1",
          "aanbeveling-titel-A5", "aanbeveling-tekst-A5", "aanbeveling-punt-A5",
          "aanbeveling-subpunt-A5"]


def test_every_field_from_data_is_escaped(injected):
    html = _chapter_html(p.Chapter.build(injected, "Hi")) + region_html(p.Region.build(injected))
    parser = _Tags()
    parser.feed(html)
    assert not [t for t in parser.tags if t.startswith("x-")]
    for field in FIELDS:
        assert f"&lt;x-{field}&gt;&#34;&amp;&#39;" in html, field


def test_recommendation_text_keeps_its_lists(injected):
    html = p.recommendations_html(p.Chapter.build(injected, "Hi"))
    item = html.index("&lt;x-aanbeveling-punt-A1&gt;")
    sub = html.index("&lt;x-aanbeveling-subpunt-A1&gt;")
    between = html[item:sub]
    assert between.count("<ul>") == 1 and "<li>" in between


def test_confidential_fragments_are_counted_not_quoted(planted):
    html = _chapter_html(p.Chapter.build(planted, "Hi"))
    assert "vertrouwelijke mededeling" not in html
    assert "1 vertrouwelijk fragment meegewogen" in html


def test_quotes_name_the_role_never_an_id(planted):
    html = _chapter_html(p.Chapter.build(planted, "Hi"))
    assert "een respondent (jeugdconsulent)" in html
    ids = set(planted.codings.frame["respondent"])
    assert not [i for i in ids if re.search(rf"\b{re.escape(i)}\b", html)]


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells: dict[tuple[str | None, str], str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-subthema" in a and "data-status" in a:
            self.cells[(a.get("data-eenheid"), a["data-subthema"])] = a["data-status"]


@pytest.mark.parametrize("unit", ["W", "B/L", "Hu", "D"])
def test_status_table_shows_every_status_with_its_word(embedded, unit):
    chapter = p.Chapter.build(embedded, unit)
    html = p.status_table(chapter)
    parser = _Cells()
    parser.feed(html)
    expected = dict(zip(chapter.scores["subthema_id"], chapter.scores["status"], strict=True))
    assert {s: v for (_, s), v in parser.cells.items()} == expected
    for status in set(expected.values()):
        assert f"{p.STATUS_STYLE[p.Status(status)][2]} {status.capitalize()}</td>" in html


def test_comparison_table_matches_the_scores(embedded):
    region = p.Region.build(embedded)
    parser = _Cells()
    parser.feed(p.comparison_table(region))
    scores = score(embedded)
    expected = {(r["eenheid"], r["subthema_id"]): r["status"] for r in scores.to_dict("records")}
    assert parser.cells == expected


def test_unknown_unit_is_a_clear_error(embedded):
    with pytest.raises(ValueError, match="onbekende eenheid; verwacht een van W, GM"):
        p.Chapter.build(embedded, "X")


def test_most_red_counts_municipal_units(embedded):
    table = p.most_red(p.Region.build(embedded)).set_index("subthema_id")
    # Online interventies: rood in W, GM, B/L and Hi; Huizen is unknown and not counted.
    assert table.loc["online_interventies", "rood"] == 4
    assert table.loc["online_interventies", "beoordeeld"] == 4


def test_figures_render_as_inline_png(embedded):
    html = p.figure_html(p.comparison_figure(p.Region.build(embedded)), "vergelijking")
    assert html.startswith('<div class="bo"><img class="bo-figuur" alt="vergelijking" '
                           'src="data:image/png;base64,')


def _profile_segments(html: str) -> list[tuple[str, list[tuple[str, int, float, str]]]]:
    """(theme, [(status, count, width %, visible text)]) per row of a profile table."""
    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td></tr>', html)
    segment = re.compile(r'data-status="(\w+)" data-aantal="(\d+)" style="width: ([\d.]+)%">'
                         r'([^<]*)<span class="bo-sr"> (\w+)</span>')
    return [(theme, [(status, int(n), float(w), text) for status, n, w, text, label
                     in segment.findall(cells) if label == p.Status(status).label])
            for theme, cells in rows]


def test_profile_counts_every_subtheme_by_status_and_reads_without_colour(embedded):
    chapter = p.Chapter.build(embedded, "W")
    rows = _profile_segments(p.profile_html(chapter))
    themes = [t.naam for t in embedded.study.framework.themas]
    assert [theme for theme, _ in rows] == themes  # every theme, in the framework's order
    for theme, segments in rows:
        scored = chapter.scores[chapter.scores["thema"] == theme]
        expected = scored["status"].value_counts().to_dict()
        assert {status: n for status, n, _, _ in segments} == expected
        assert [status for status, *_ in segments] == [s.value for s in p.Status
                                                       if s.value in expected]
        for status, n, _, text in segments:  # symbol and count: no colour needed
            assert text == f"{p.STATUS_STYLE[p.Status(status)][2]} {n}"
    totals = [sum(n for _, n, _, _ in segments) for _, segments in rows]
    assert sum(totals) == len(chapter.scores)
    widths = [sum(w for _, _, w, _ in segments) for _, segments in rows]
    for total, width in zip(totals, widths, strict=True):  # one scale: the widest theme
        assert width == pytest.approx(100 * total / max(totals), abs=0.05)


def test_profile_of_a_unit_without_scores_is_an_empty_table(embedded):
    chapter = p.Chapter.build(embedded, "W")
    empty = dataclasses.replace(chapter, scores=chapter.scores.iloc[0:0])
    assert _profile_segments(p.profile_html(empty)) == []


def test_district_chapter_is_titled_and_advised_as_the_district(embedded):
    chapter = p.Chapter.build(embedded, "D")
    assert "<h1>Districtelijke inzichten: Districtspartners</h1>" in p.chapter_intro(chapter)
    recs = p.recommendations_html(chapter)
    assert "(districtelijk;" in recs and "(lokaal" not in recs
    municipal = p.recommendations_html(p.Chapter.build(embedded, "W"))
    assert "<h1>De lokale aanpak in Wijdemeren</h1>" in p.chapter_intro(
        p.Chapter.build(embedded, "W"))
    assert "(lokaal" in municipal
