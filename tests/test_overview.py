"""Regions in the study file, and the overview's tables from 1 to 400 units: every unit's label
is a row header exactly once, under its region's heading, every cell says its status in a symbol
and a word, and the distribution counts every unit. How they look and print (sizes, overlap, A4)
is measured in a browser: tests/test_browser.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from test_presentation import _profile_segments

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


def _matrix(html: str) -> tuple[list[str], list[str], list[tuple[str, str | None, list[str]]]]:
    """(column headers, region headings, [(row label, its region, [cell texts])]) of a matrix."""
    table = BeautifulSoup(html, "html.parser").find("table", class_="bo-matrix")
    columns = [th.get_text() for th in table.thead.find_all("tr")[1].find_all("th")]
    headings, rows = [], []
    for body in table.find_all("tbody"):
        heading = body.find("th", scope="rowgroup")
        if heading is not None:
            headings.append(heading.get_text())
        for tr in body.find_all("tr"):
            label = tr.find("th", scope="row")
            if label is not None:
                rows.append((label.get_text(), heading and heading.get_text(),
                             [td.get_text() for td in tr.find_all("td")]))
    return columns, headings, rows


@pytest.mark.parametrize("units", [1, 40, 400])
def test_the_status_matrix_holds_every_unit_and_status_from_1_to_400_units(tmp_path_factory,
                                                                           units):
    data = national(tmp_path_factory, units)
    overview = po.Overview.build(data)
    columns, headings, rows = _matrix(po.national_matrix_html(overview))
    subthemes = data.study.framework.subthemes
    assert columns == [s.naam for s in subthemes]
    assert headings == [f"{name} ({len(members)} {'eenheid' if len(members) == 1 else 'eenheden'})"
                        for name, members in data.study.regions.items()]
    labels = [label for label, _, _ in rows]
    status = {(r["eenheid"], r["subthema_id"]): r["status"]
              for r in overview.scores.to_dict("records")}
    for unit in data.study.eenheden:
        label = f"{unit.naam} ({unit.code})"
        assert labels.count(label) == 1
        _, region, cells = rows[labels.index(label)]
        assert region.startswith(f"{unit.regio} (")
        expected = [status.get((unit.code, s.id)) for s in subthemes]
        # symbol and word in every cell, so it reads without colour (the word for screen readers)
        assert cells == [f"{p.STATUS_STYLE[p.Status(e)][2]} {p.Status(e).label}" if e
                         else "– niet van toepassing" for e in expected]
    assert len(rows) == units


def test_more_units_make_the_matrix_longer_with_the_same_header_and_cells(tmp_path_factory):
    """Nothing in the markup depends on the number of units but the rows: no scale, no size."""
    tables = {}
    for units in (1, 40, 400):
        html = po.national_matrix_html(po.Overview.build(national(tmp_path_factory, units)))
        table = BeautifulSoup(html, "html.parser").find("table", class_="bo-matrix")
        tables[units] = (str(table.thead), len(table.find_all("tr")),
                         {str(td) for td in table.find_all("td")})
        assert "style=" not in html
    assert tables[1][0] == tables[40][0] == tables[400][0]
    assert tables[1][1] < tables[40][1] < tables[400][1]
    assert tables[400][2] <= set(map(str, po._CELLS.values()))


def test_an_unassessed_cell_says_so_in_the_matrix(embedded):
    region = p.Region.build(embedded)
    columns, headings, rows = _matrix(po.matrix_html(embedded.study, region.scores,
                                                     {"": region.units}))
    assert headings == [] and len(rows) == len(embedded.study.eenheden)
    district = next(cells for label, _, cells in rows if label == "Districtspartners (D)")
    assessed = set(region.scores.loc[region.scores["eenheid"] == "D", "subthema"])
    assert "– niet van toepassing" in district
    for name, cell in zip(columns, district, strict=True):
        assert (cell == "– niet van toepassing") == (name not in assessed)


@pytest.mark.parametrize("units", [1, 40, 400])
def test_the_distribution_counts_every_unit_per_subtheme_on_one_scale(tmp_path_factory, units):
    data = national(tmp_path_factory, units)
    scores = po.Overview.build(data).scores
    rows = _profile_segments(po.distribution_html(scores, "Alle eenheden"))
    assert [name for name, _ in rows] == [s.naam for s in data.study.framework.subthemes]
    for name, segments in rows:
        expected = scores.loc[scores["subthema"] == name, "status"].value_counts().to_dict()
        assert {status: n for status, n, _, _ in segments} == expected
        for status, n, _, text in segments:  # symbol and count: no colour needed
            assert text == f"{p.STATUS_STYLE[p.Status(status)][2]} {n}"
        assert sum(w for _, _, w, _ in segments) == pytest.approx(100, abs=0.05)


def test_overview_html_keeps_unit_names_as_text_and_regions_as_links(tmp_path_factory):
    data = national(tmp_path_factory, 40)
    overview = po.Overview.build(data)
    matrix = po.national_matrix_html(overview)
    for unit in data.study.eenheden:
        assert f"<th scope=\"row\">{p.esc(unit.naam)} ({unit.code})</th>" in matrix
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
    assert "bo-matrix" in html and "bo-vergelijking" not in html
    assert [label for label, _, _ in _matrix(html)[2]] == [f"{u.naam} ({u.code})" for u in units]
    assert "bo-verdeling" in po.comparison_figure_html(region)
    table = p.priority_table(region)
    assert all(f'data-eenheid="{u.code}"' not in table for u in units)  # no 16-column table


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
