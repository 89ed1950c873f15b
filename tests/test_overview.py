"""Regions in the study file, and the overview figures from 1 to 400 units: every unit's label
is drawn as text, no two labels overlap, no text is under 7 pt, parts fit an A4 page, and more
units make the figure longer instead of the labels smaller."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Text

from basisop import presentation as p
from basisop.io.dataset import StudyData, load_valid
from basisop.io.study import PROJECT_ROOT, load_study
from basisop.presentation import overview as po
from basisop.problems import ValidationError

sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))
from national_study import write_study  # noqa: E402

_STUDIES: dict[int, StudyData] = {}


def national(tmp_path_factory, units: int) -> StudyData:
    """A synthetic study of `units` gemeenten in up to 25 regions, loaded once per size."""
    if units not in _STUDIES:
        folder = tmp_path_factory.mktemp(f"nationaal{units}")
        path = write_study(folder, gemeenten=units, regios=min(units, 25), fragments_per_unit=3)
        _STUDIES[units] = load_valid(path)
    return _STUDIES[units]


def _texts(fig) -> list[Text]:
    fig.canvas.draw()
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("units", [1, 40, 400])
def test_the_status_matrix_stays_legible_from_1_to_400_units(tmp_path_factory, units):
    data = national(tmp_path_factory, units)
    overview = po.Overview.build(data)
    figures = po.status_matrix_figures(data.study, overview.scores, overview.regions)
    drawn = []
    for fig in figures:
        width, height = fig.get_size_inches()
        assert width <= po.A4_WIDTH_IN and height <= po.A4_HEIGHT_IN
        texts = _texts(fig)
        renderer = fig.canvas.get_renderer()
        page = fig.bbox
        boxes = []
        for text in texts:
            assert text.get_fontsize() >= po.MIN_PT, text.get_text()
            box = text.get_window_extent(renderer)
            assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1, text.get_text()
            assert page.y0 - 1 <= box.y0 and box.y1 <= page.y1 + 1, text.get_text()
            boxes.append((text.get_text(), box))
        labels = [(t, b) for t, b in boxes if len(t) > 1]  # legend and header too, not symbols
        for (a, box_a), (b, box_b) in itertools.combinations(labels, 2):
            assert not box_a.overlaps(box_b), f"'{a}' overlaps '{b}'"
        drawn += [t for t, _ in boxes]
        plt.close(fig)
    for unit in data.study.eenheden:
        assert drawn.count(f"{unit.naam} ({unit.code})") == 1
    for region in data.study.regions:
        assert any(t.startswith(f"{region} (") for t in drawn)


def test_more_units_make_the_matrix_longer_not_its_labels_smaller(tmp_path_factory):
    sizes = {}
    for units in (1, 40, 400):
        data = national(tmp_path_factory, units)
        overview = po.Overview.build(data)
        figures = po.status_matrix_figures(data.study, overview.scores, overview.regions)
        label_sizes = {t.get_fontsize() for f in figures for t in _texts(f)
                       if t.get_text().endswith(")")}
        sizes[units] = (len(figures), sum(f.get_size_inches()[1] for f in figures), label_sizes)
        plt.close("all")
    assert sizes[1][2] == sizes[40][2] == sizes[400][2] == {po.LABEL_PT}
    assert sizes[1][1] < sizes[40][1] < sizes[400][1]
    assert sizes[400][0] >= 400 // po.MAX_ROWS  # printed across pages, one part per page


def test_the_distribution_figure_fits_a4_and_keeps_its_labels(tmp_path_factory):
    data = national(tmp_path_factory, 40)
    fig = po.distribution_figure(po.Overview.build(data).scores, "Alle eenheden")
    texts = [t.get_text() for t in _texts(fig)]
    assert fig.get_size_inches()[0] <= po.A4_WIDTH_IN
    assert {s.naam for s in data.study.framework.subthemes} <= set(texts)
    assert min(t.get_fontsize() for t in _texts(fig)) >= po.MIN_PT
    plt.close(fig)


def test_overview_html_keeps_unit_names_as_text_and_regions_as_links(tmp_path_factory):
    data = national(tmp_path_factory, 40)
    overview = po.Overview.build(data)
    matrix = po.national_matrix_html(overview)
    assert matrix.count("<svg") == len(po.status_matrix_figures(data.study, overview.scores,
                                                                 overview.regions))
    plt.close("all")
    for unit in data.study.eenheden:
        assert f"{po.esc(unit.naam)} ({unit.code})" in matrix
    intro = po.overview_intro(overview)
    for region in data.study.regions:
        assert f'href="regio-{region.lower()}' in intro.replace("â", "a") or region in intro


def test_red_by_region_counts_only_assessed_statuses(tmp_path_factory):
    data = national(tmp_path_factory, 40)
    overview = po.Overview.build(data)
    table = po.red_by_region(overview)
    scores = overview.scores
    assessed = scores[scores["status"] != "onbekend"]
    assert table["beoordeeld"].sum() == len(assessed)
    assert table["rood"].sum() == (assessed["status"] == "rood").sum()
    assert set(table["regio"]) == set(data.study.regions)


def test_a_region_page_with_many_units_shows_the_matrix_not_a_wide_table(tmp_path_factory):
    data = national(tmp_path_factory, 400)
    name, units = max(data.study.regions.items(), key=lambda item: len(item[1]))
    region = p.Region.build(data, name)
    assert region.units == units and set(region.scores["eenheid"]) == {u.code for u in units}
    html = po.comparison_html(region)
    assert "<svg" in html and "bo-vergelijking" not in html
    table = p.priority_table(region)
    assert all(f'data-eenheid="{u.code}"' not in table for u in units)  # no 16-column table
    plt.close("all")


def test_a_study_without_regions_keeps_the_district_layout(embedded):
    region = p.Region.build(embedded)
    assert region.units == embedded.study.eenheden and region.naam == ""
    assert po.comparison_html(region) == p.comparison_table(region)
    assert embedded.study.regions == {}


# -- the study file ----------------------------------------------------------------------------

def _with_regions(study_copy: Path, regions: list[str | None]) -> Path:
    lines = study_copy.read_text(encoding="utf-8").splitlines()
    out, seen = [], 0
    for line in lines:
        out.append(line)
        if line.startswith("    naam: ") and seen < len(regions):
            if regions[seen]:
                out.append(f"    regio: {regions[seen]}")
            seen += 1
    study_copy.write_text("\n".join(out) + "\n", encoding="utf-8")
    return study_copy


def test_units_name_their_region_in_the_study_file(study_copy):
    path = _with_regions(study_copy, ["Noord", "Noord", "Zuid", "Zuid", "Zuid", "Zuid"])
    study = load_study(path)
    assert {name: [u.code for u in units] for name, units in study.regions.items()} == {
        "Noord": ["W", "GM"], "Zuid": ["B/L", "Hi", "Hu", "D"]}
    assert study.region_units("zuid")[0].code == "B/L"
    with pytest.raises(ValueError, match="bedoelt u 'Noord'"):
        study.region_units("Nord")


def test_a_unit_left_out_of_the_regions_is_an_error(study_copy):
    path = _with_regions(study_copy, ["Noord", None, "Zuid", "Zuid", "Zuid", "Zuid"])
    with pytest.raises(ValidationError, match="eenheden zonder regio.*GM"):
        load_study(path)


def test_two_spellings_of_one_region_are_an_error(study_copy):
    path = _with_regions(study_copy, ["Noord-Oost", "Noord Oost", "Zuid", "Zuid", "Zuid", "Zuid"])
    with pytest.raises(ValidationError, match="dezelfde bestandsnaam"):
        load_study(path)
