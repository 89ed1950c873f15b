"""What a reader sees: escaped text, anonymous quotes, confidential fragments counted only."""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser

import pytest

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
    parts = [p.chapter_intro(chapter), p.legend_html(chapter.data), p.status_table(chapter),
             p.recommendations_html(chapter)]
    parts += [p.findings_html(chapter, t.id) for t in chapter.data.study.framework.themas]
    return "".join(parts)


def test_text_from_data_is_escaped(planted):
    html = _chapter_html(p.Chapter.build(planted, "Hi"))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;aanhalingstekens&quot;" \
        in html


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
    html = p.figure_html(p.profile_figure(p.Chapter.build(embedded, "W")), "profiel")
    assert html.startswith('<div class="bo"><img class="bo-figuur" alt="profiel" '
                           'src="data:image/png;base64,')


def test_district_chapter_is_titled_and_advised_as_the_district(embedded):
    chapter = p.Chapter.build(embedded, "D")
    assert "<h1>Districtelijke inzichten: Districtspartners</h1>" in p.chapter_intro(chapter)
    recs = p.recommendations_html(chapter)
    assert "(districtelijk;" in recs and "(lokaal;" not in recs
    municipal = p.recommendations_html(p.Chapter.build(embedded, "W"))
    assert "<h1>De lokale aanpak in Wijdemeren</h1>" in p.chapter_intro(
        p.Chapter.build(embedded, "W"))
    assert "(lokaal;" in municipal
