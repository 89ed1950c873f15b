"""The ipywidgets explorer driven through its callbacks, as a click in JupyterLab would."""

from __future__ import annotations

import html

import pytest

from basisop.io.dataset import load_study_data
from basisop.io.study import PROJECT_ROOT, load_study
from basisop.workbench import open_study
from basisop.workbench.explorer import Explorer


def _files(folder) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def explorer() -> Explorer:
    return open_study().explore()


def test_choosing_a_matrix_cell_shows_its_fragments_and_the_rule_beside_the_judgement(explorer):
    explorer.judgement.value = "rood"  # a filter set before is cleared by the choice
    explorer.cells["Hi", "informatiepositie"].click()
    assert (explorer.unit.value, explorer.subtheme.value) == ("Hi", "informatiepositie")
    marked = [key for key, button in explorer.cells.items() if button.layout.border]
    assert marked == [("Hi", "informatiepositie")]
    codings = explorer.bench.data.codings.frame
    mine = codings[(codings["eenheid"] == "Hi") & (codings["subthema"] == "informatiepositie")]
    shown = explorer.fragments.value
    assert shown.startswith(f"<p>{len(mine)} fragmenten</p>")
    for text in mine["fragment"]:
        assert html.escape(text, quote=False) in shown
    detail = explorer.detail.value
    assert "Oordeel analist" in detail and "Regel 'meerderheid'" in detail
    assert "status-oranje" in explorer.detail.value


def test_matrix_has_a_cell_per_assessed_subtheme(explorer):
    study = explorer.bench.study
    expected = {(u.code, s.id) for u in study.eenheden for s in study.framework.subthemes
                if u.covers(s.id)}
    assert set(explorer.cells) == expected
    assert explorer.cells["Hu", "informatiepositie"].description.endswith("Onbekend")


def test_filters_refresh_the_fragments(explorer):
    explorer.unit.value = "W"
    explorer.subtheme.value = ""
    explorer.text.value = "politie"
    shown = explorer.fragments.value
    expected = explorer.bench.fragments(eenheid="W", tekst="politie")
    assert len(expected) > 0
    assert shown.count("<tr>") == len(expected)  # body rows; the header row has a style
    explorer.text.value = ""


def test_what_if_updates_status_priority_and_recommendations_without_writing(explorer):
    before = _files(PROJECT_ROOT / "data")
    explorer.cells["Hi", "informatiepositie"].click()
    explorer.what_status.value = "groen"
    result = explorer.last_what_if
    assert (result.status("before"), result.status()) == ("oranje", "groen")
    pane = explorer.what_if_pane.value
    assert "status-groen" in pane.split("</p>")[0]
    assert "Laag tot Hoog" in pane  # the rule's priority moved
    recs = pane.split("Aanbevelingen voor dit subthema")[1]
    assert all(rec_id in recs for rec_id in result.recommendations["id"])
    assert "<td>groen</td>" in recs
    explorer.what_rule.value = "strengst"
    assert explorer.last_what_if.regel == "strengst"
    explorer.what_rule.value = "meerderheid"
    assert _files(PROJECT_ROOT / "data") == before


def test_saving_writes_a_valid_judgement_and_a_backup(study_copy):
    explorer = open_study(study_copy).explore()
    path = explorer.bench.study.oordelen
    old = path.read_bytes()
    explorer.cells["GM", "pga"].click()
    explorer.what_status.value = "rood"
    explorer.save_button.click()  # no motivation yet: nothing written
    assert "Niet opgeslagen" in explorer.message.value and path.read_bytes() == old
    explorer.motivation.value = "Het PGA-overleg is sinds de zomer niet meer bijeengekomen."
    explorer.save_button.click()
    assert "Opgeslagen" in explorer.message.value
    backups = list((path.parent / "backup").iterdir())
    assert [b.read_bytes() for b in backups] == [old]
    frame = load_study_data(load_study(study_copy)).judgements.frame
    row = frame[(frame["eenheid"] == "GM") & (frame["subthema"] == "pga")].iloc[0]
    assert (row["status"], row["motivering"]) == (
        "rood", "Het PGA-overleg is sinds de zomer niet meer bijeengekomen.")
    assert explorer.cells["GM", "pga"].description.endswith("Rood")
