"""`basisop vergelijk`: versions (concept -> definitief) and waves of a study."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from basisop.cli import main
from basisop.compare import (
    BETTER,
    CHANGES,
    NEWLY,
    NO_LONGER,
    SAME,
    UNKNOWN,
    WORSE,
    compare,
    status_change,
)
from basisop.io.dataset import load_valid
from basisop.io.study import PROJECT_ROOT
from basisop.model import Status

FINAL = PROJECT_ROOT / "params" / "gooi-en-vechtstreek-2024.yaml"
CONCEPT = PROJECT_ROOT / "params" / "gooi-en-vechtstreek-2024-concept.yaml"


def test_status_change_between_waves_and_between_versions():
    assert status_change(Status.ROOD, Status.GROEN) == BETTER
    assert status_change(Status.GROEN, Status.ORANJE) == WORSE
    assert status_change(Status.ORANJE, Status.ORANJE) == SAME
    assert status_change(Status.ONBEKEND, Status.ROOD) == NEWLY
    assert status_change(Status.ROOD, Status.ONBEKEND) == NO_LONGER
    assert status_change(Status.ONBEKEND, Status.ONBEKEND) == UNKNOWN
    assert status_change(Status.ROOD, Status.GROEN, versions=True) == "anders"


def test_concept_to_definitief_shows_the_wederhoor_and_no_status_change():
    result = compare(load_valid(CONCEPT), load_valid(FINAL))
    assert result.versions
    assert result.status_changes.empty
    texts = result.texts.set_index("id")
    # The lead for the reinforcement funds moved from Hilversum to Wijdemeren (wederhoor).
    lead = texts.loc["W-051"]
    assert lead["wijziging"] == "gewijzigd" and "Hilversum" in lead["oud"]
    assert "Wijdmeren" in lead["nieuw"]
    assert lead["bron_oud"].endswith("r. 1258") and lead["bron_nieuw"].endswith("r. 2390")
    # A district reporting point became a local recommendation.
    point = texts.loc["A6"]
    assert "Meldpunt radicalisering" in point["oud"]
    assert {"niveau", "titel", "tekst"} <= set(point["velden"].split(";"))
    assert texts.loc["A12"]["velden"].split(";") == ["titel", "tekst"]
    assert "fenomeenanalyse" in texts.loc["A12"]["oud"]
    assert texts.loc["Hi-022", "wijziging"] == "toegevoegd"
    assert texts.loc["Hi-C01", "wijziging"] == "verwijderd"
    assert (result.texts["soort"] == "oordeel").sum() == 0
    # Every change names its lines in both documents where it has both.
    changed = result.texts[result.texts["wijziging"] == "gewijzigd"]
    assert changed["bron_oud"].str.startswith("Conceptrapport 19-11-2024").all()
    assert changed["bron_nieuw"].str.startswith("Eindrapport 12-12-2024").all()


def test_vergelijk_prints_zero_status_changes_and_the_text_side_by_side(capsys):
    assert main(["vergelijk", str(CONCEPT), str(FINAL)]) == 0
    out = capsys.readouterr().out
    assert "0 statuswijziging(en)" in out
    assert "geen voortgang" in out
    assert "oud   [Conceptrapport 19-11-2024, §2.2.5 Financiën, r. 1258]" in out


def _second_wave(study_copy) -> tuple:
    """A synthetic 2025 wave of the embedded study with one case of every change."""
    data = study_copy.parent.parent / "data" / "gooi-en-vechtstreek-2024"
    judgements = pd.read_csv(data / "oordelen.csv", dtype=str, keep_default_na=False)
    changes = {("W", "informatiepositie"): "groen",          # rood -> groen: beter
               ("W", "wetgeving_informatiedeling"): "rood",  # oranje -> rood: slechter
               ("Hu", "informatiepositie"): "oranje",        # onbekend -> oranje: nieuw
               ("GM", "informatiepositie"): "onbekend"}      # rood -> onbekend: niet meer
    for (unit, subtheme), status in changes.items():
        judgements.loc[(judgements["eenheid"] == unit)
                       & (judgements["subthema"] == subtheme), "status"] = status
    judgements.to_csv(data / "oordelen-2025.csv", index=False)
    codings = pd.read_csv(data / "codering-wijdemeren.csv", dtype=str, keep_default_na=False)
    codings.loc[codings["id"] == "W-001", "fragment"] = "Er wordt nu maandelijks gemonitord."
    codings = codings[codings["id"] != "W-002"]
    extra = codings.iloc[[0]].assign(id="W-900", fragment="Een nieuw fragment in 2025.")
    pd.concat([codings, extra]).to_csv(data / "codering-wijdemeren-2025.csv", index=False)
    text = study_copy.read_text(encoding="utf-8")
    text = (text.replace("golf: 2024", "golf: 2025")
            .replace("id: gooi-en-vechtstreek-2024", "id: gooi-en-vechtstreek-2025")
            .replace("oordelen.csv", "oordelen-2025.csv")
            .replace("codering-wijdemeren.csv", "codering-wijdemeren-2025.csv")
            + f"vorige_golf: {study_copy.name}\n")
    wave = study_copy.parent / "gooi-en-vechtstreek-2025.yaml"
    wave.write_text(text, encoding="utf-8")
    return study_copy, wave


def test_a_second_wave_shows_every_change_category(study_copy):
    old, new = _second_wave(study_copy)
    result = compare(load_valid(old), load_valid(new))
    assert not result.versions
    changes = result.statuses.set_index(["eenheid", "subthema_id"])["verandering"]
    assert changes["W", "informatiepositie"] == BETTER
    assert changes["W", "wetgeving_informatiedeling"] == WORSE
    assert changes["Hu", "informatiepositie"] == NEWLY
    assert changes["GM", "informatiepositie"] == NO_LONGER
    assert changes["Hu", "basiskennis"] == UNKNOWN
    assert changes["Hi", "informatiepositie"] == SAME
    assert set(result.statuses["verandering"]) == set(CHANGES)
    texts = result.texts.set_index(["soort", "id"])["wijziging"]
    assert texts["fragment", "W-001"] == "gewijzigd"
    assert texts["fragment", "W-002"] == "verwijderd"
    assert texts["fragment", "W-900"] == "toegevoegd"
    assert texts["oordeel", "W/informatiepositie"] == "gewijzigd"


def test_vergelijk_json_lists_status_and_text_changes(study_copy, capsys):
    old, new = _second_wave(study_copy)
    assert main(["vergelijk", str(old), str(new), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    kinds = {(r["soort"], r["wijziging"]) for r in rows}
    assert {("status", BETTER), ("status", WORSE), ("status", NEWLY), ("status", NO_LONGER),
            ("fragment", "toegevoegd"), ("fragment", "verwijderd")} <= kinds


def test_different_frameworks_are_refused_with_the_subthemes_named(study_copy, tmp_path, capsys):
    framework = study_copy.parent.parent / "data" / "wegingskader.yaml"
    other = tmp_path / "wegingskader.yaml"
    other.write_text(framework.read_text(encoding="utf-8").replace(
        "  - id: re_integratie\n    naam: Re-integratie\n    aliassen: []",
        "  - id: terugkeer\n    naam: Re-integratie\n    aliassen: [re_integratie]"),
        encoding="utf-8")
    text = study_copy.read_text(encoding="utf-8").replace("../data/wegingskader.yaml", str(other))
    new = study_copy.parent / "ander-kader.yaml"
    new.write_text(text, encoding="utf-8")
    assert main(["vergelijk", str(study_copy), str(new)]) == 1
    err = capsys.readouterr().err
    assert "niet hetzelfde wegingskader" in err
    assert "alleen in OUD: re_integratie" in err and "alleen in NIEUW: terugkeer" in err


def test_the_chapter_of_a_second_wave_shows_its_development_since_the_first(study_copy):
    from basisop.presentation import Chapter, waves

    old, new = _second_wave(study_copy)
    data = load_valid(new)
    comparison = waves.wave_comparison(data)
    html = waves.development_html(Chapter.build(data, "W"), comparison)
    assert "Ontwikkeling sinds 2024" in html
    assert 'data-subthema="informatiepositie" data-verandering="beter"' in html
    assert 'data-subthema="wetgeving_informatiedeling" data-verandering="slechter"' in html
    table = waves.change_table(comparison)
    assert all(f'data-verandering="{c}"' in table for c in CHANGES)
    assert waves.change_figure(comparison).axes
    first = load_valid(old)
    assert waves.wave_comparison(first) is None
    assert waves.development_html(Chapter.build(first, "W"), None) == ""


@pytest.mark.slow
def test_basisop_run_on_a_second_wave_writes_the_development_section(study_copy, tmp_path):
    _, new = _second_wave(study_copy)
    assert main(["run", str(new), "--out", str(tmp_path), "--eenheid", "W"]) == 0
    folder = tmp_path / "gooi-en-vechtstreek-2025"
    chapter = (folder / "wijdemeren.html").read_text(encoding="utf-8")
    assert "Ontwikkeling sinds 2024" in chapter and 'data-verandering="beter"' in chapter
    regio = (folder / "regio.html").read_text(encoding="utf-8")
    assert 'data-verandering="niet meer beoordeeld"' in regio
