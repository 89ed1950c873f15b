"""The analysts' notebook API: filters read names like the loader, previews equal the batch's
chapter, what-ifs change nothing on disk, a saved judgement is validated and backed up."""

from __future__ import annotations

import html
import re

import nbformat
import pandas as pd
import pytest
from batch_helpers import embedded_run

from basisop.batch.export import HIDDEN_TAGS
from basisop.io.dataset import load_study_data
from basisop.io.study import load_study
from basisop.problems import ValidationError
from basisop.workbench import Workbench, figures, open_study
from basisop.workbench.preview import chapter_fragments, region_fragments
from basisop.workbench.rules import cohen_kappa


@pytest.fixture(scope="module")
def bench() -> Workbench:
    return open_study()


@pytest.fixture
def own_bench(study_copy) -> Workbench:
    """A workbench on a writable copy of the embedded study."""
    return open_study(study_copy)


def test_filters_resolve_names_like_the_loader(bench):
    by_name = bench.fragments(eenheid="Hilversum", subthema="Informatiepositie")
    by_code = bench.fragments(eenheid="hi", subthema="informatiepositie")
    assert len(by_name) > 0 and by_name.equals(by_code)
    assert set(by_name["eenheid"]) == {"Hi"}
    assert set(by_name["subthema"]) == {"Informatiepositie van de gemeente"}
    # Every status word the loader accepts, in any case.
    assert bench.fragments(oordeel="Red").equals(bench.fragments(oordeel="rood"))
    assert bench.fragments(oordeel="geel").equals(bench.fragments(oordeel="oranje"))
    assert len(bench.fragments(oordeel="rood")) > 0


@pytest.mark.parametrize(("filters", "hint"), [
    ({"eenheid": "Hilversm"}, "bedoelt u 'Hilversum'?"),
    ({"subthema": "Informatiepositi"}, "bedoelt u 'Informatiepositie'?"),
    ({"oordeel": "Roed"}, "bedoelt u 'rood'?"),
])
def test_a_typo_is_answered_with_the_loaders_hint(bench, filters, hint):
    with pytest.raises(ValueError, match=re.escape(hint)):
        bench.fragments(**filters)


def test_a_role_nobody_has_is_an_error_not_zero_rows(bench):
    role = bench.roles()[0]
    assert len(bench.fragments(rol=role.upper())) > 0
    with pytest.raises(ValueError, match="geen fragment met deze rol; rollen in de codering: "
                                         + re.escape(", ".join(bench.roles()))):
        bench.fragments(rol="astronaut")
    with pytest.raises(ValueError, match="bedoelt u 'ambtenaar'"):
        bench.fragments(rol="ambtenaaar")


def test_fragments_without_oordeel_and_text_search(bench):
    frame = bench.data.codings.frame
    assert len(bench.fragments(oordeel="onbekend")) == (frame["oordeel"] == "").sum()
    found = bench.fragments(tekst="POLITIE")
    assert len(found) > 0 and found["fragment"].str.lower().str.contains("politie").all()


def test_fragments_are_shown_in_full_with_their_source(bench):
    frags = bench.fragments()
    longest = max(frags["fragment"], key=len)
    assert len(longest) > 50
    assert html.escape(longest, quote=False) in frags._repr_html_()
    assert longest in repr(frags)
    row = frags[frags["fragment"] == longest].iloc[0]
    assert row["bestand"].endswith(".csv") and row["rij"] >= 2 and row["bron"]
    documents = frags[frags["soort"] == "document"]
    assert len(documents) > 0 and documents["titel"].all()  # a document shows its title


def test_status_matrix_in_framework_order_with_nvt(bench):
    matrix = bench.status_matrix()
    framework = bench.study.framework
    assert list(matrix.index) == [s.naam for s in framework.subthemes]
    assert list(matrix.columns) == [u.code for u in bench.study.eenheden]
    district = bench.study.unit("D")
    not_assessed = [s.naam for s in framework.subthemes if not district.covers(s.id)]
    assert not_assessed and (matrix.loc[not_assessed, "D"] == "n.v.t.").all()
    assert not matrix.isna().any().any()


def test_compare_rules_counts_and_kappa(bench):
    table = bench.compare_rules().set_index("regel")
    assert list(table.index) == ["meerderheid", "gemiddelde", "strengst"]
    assert (table["gelijk"] + table["afwijkingen"] == table["vergeleken"]).all()
    used = table.loc[bench.study.scoring.regel]
    assert used["afwijkingen"] == len(bench.disagreements())


def test_cohen_kappa_against_a_worked_example():
    # 10 items, two raters: observed 0.7, chance 0.5*0.6 + 0.5*0.4 = 0.5 -> kappa 0.4.
    first = ["rood"] * 5 + ["groen"] * 5
    second = ["rood"] * 4 + ["groen"] + ["rood"] * 2 + ["groen"] * 3
    assert cohen_kappa(first, second) == pytest.approx(0.4)
    assert cohen_kappa(first, first) == pytest.approx(1.0)
    assert pd.isna(cohen_kappa(["rood"] * 3, ["rood"] * 3))


def _shown(audit_notebook) -> list[str]:
    """The HTML outputs of an executed notebook that its circulated page shows."""
    book = nbformat.read(audit_notebook, as_version=4)
    return [o.data["text/html"] for c in book.cells if c.cell_type == "code"
            and not HIDDEN_TAGS & set(c.metadata.get("tags", []))
            for o in c.outputs if "text/html" in o.get("data", {})]


@pytest.mark.slow
def test_chapter_preview_equals_the_batch_chapter(bench, tmp_path_factory):
    """The fragments of s.chapter() are the HTML outputs `basisop run` produced for the unit."""
    run = embedded_run(tmp_path_factory)
    assert run.exit_code == 0, run.stdout
    assert list(chapter_fragments(bench.data, "Hi")) == _shown(
        run.folder / "audit" / "hilversum.ipynb")
    assert list(region_fragments(bench.data)) == _shown(run.folder / "audit" / "regio.ipynb")
    # The exploration notebook (respondent ids, full fragments) is never run or published.
    assert not [p for p in run.out.rglob("*") if "verkennen" in p.name]


def test_chapter_renders_in_an_isolated_frame(bench):
    preview = bench.chapter("Hilversum")
    shown = preview._repr_html_()
    assert shown.startswith("<iframe") and 'sandbox=""' in shown
    assert "<style>" not in shown  # escaped inside srcdoc: no CSS reaches JupyterLab
    assert html.unescape(re.search(r'srcdoc="([^"]*)"', shown).group(1)) == preview.page
    assert "De lokale aanpak in Hilversum" in preview.page
    with pytest.raises(ValueError, match="bedoelt u 'Hilversum'"):
        bench.chapter("Hilversm")
    assert "Regionale vergelijking" in bench.region().page


def test_what_if_changes_status_priority_and_recommendations_in_memory(bench, tmp_path):
    before = bench.study.oordelen.read_bytes()
    result = bench.what_if("Hi", "informatiepositie", status="groen")
    assert result.status("before") == "oranje" and result.status("after") == "groen"
    changed = result.changed()
    assert list(zip(changed["eenheid"], changed["subthema_id"], strict=True)) == [
        ("Hi", "informatiepositie")]
    priority = result.priority()
    assert priority.loc["prioriteit_regel", "voor"] != priority.loc["prioriteit_regel", "na"]
    assert priority.loc["prioriteit_regel", "na"].startswith("Laag")
    # The study's fixed override stays what it records.
    assert priority.loc["prioriteit", "voor"] == priority.loc["prioriteit", "na"]
    recs = result.recommendations
    assert len(recs) > 0 and set(recs["status_na"]) == {"groen"}
    assert set(recs["status_voor"]) == {"oranje"}
    assert bench.study.oordelen.read_bytes() == before
    assert bench.scores().equals(result.before)


def test_what_if_with_another_rule_moves_the_disagreements(bench):
    result = bench.what_if("W", "pga", regel="strengst")
    assert result.regel == "strengst"
    expected = bench.compare_rules().set_index("regel").loc["strengst", "afwijkingen"]
    assert len(result.disagreements()) == expected


def test_save_judgement_writes_a_valid_row_and_keeps_a_backup(own_bench):
    path = own_bench.study.oordelen
    old = path.read_bytes()
    rows_before = len(own_bench.data.judgements.frame)
    others = own_bench.data.judgements.frame.drop(columns=["bestand", "rij"])
    others = others[~((others["eenheid"] == "Hi") & (others["subthema"] == "informatiepositie"))]
    backup = own_bench.save_judgement("Hilversum", "Informatiepositie", "Green",
                                      "Na het tweede gesprek met de politie bijgesteld.")
    assert backup is not None and backup.read_bytes() == old
    assert backup.parent == path.parent / "backup"
    reloaded = load_study_data(load_study(own_bench.study.path))
    assert reloaded.ok
    frame = reloaded.judgements.frame
    assert len(frame) == rows_before  # replaced, not added
    kept = frame.drop(columns=["bestand", "rij"]).merge(others)
    assert len(kept) == len(others)  # every other judgement unchanged
    row = frame[(frame["eenheid"] == "Hi") & (frame["subthema"] == "informatiepositie")]
    assert row[["status", "motivering"]].values.tolist() == [
        ["groen", "Na het tweede gesprek met de politie bijgesteld."]]
    assert own_bench.what_if("Hi", "informatiepositie").status() == "groen"


def test_save_judgement_refuses_without_motivation_or_with_a_typo(own_bench):
    path = own_bench.study.oordelen
    old = path.read_bytes()
    with pytest.raises(ValueError, match="motivering"):
        own_bench.save_judgement("Hi", "pga", "groen", "  ")
    with pytest.raises(ValueError, match="bedoelt u 'rood'"):
        own_bench.save_judgement("Hi", "pga", "Roed", "reden")
    with pytest.raises(ValidationError, match="eenheid D beoordeelt dit subthema niet"):
        own_bench.save_judgement("D", "financien", "groen", "reden")
    assert path.read_bytes() == old
    assert not (path.parent / "backup").exists()
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


def test_save_judgement_refuses_a_table_with_an_error(own_bench):
    path = own_bench.study.oordelen
    """A broken row elsewhere is not dropped to make the save pass: nothing is written."""
    path.write_text(path.read_text(encoding="utf-8") + "GM,verdieping,paars,x,\n",
                    encoding="utf-8")
    old = path.read_bytes()
    with pytest.raises(ValidationError, match="paars"):
        own_bench.save_judgement("Hi", "pga", "groen", "reden")
    assert path.read_bytes() == old


def test_evidence_figure_counts_every_fragment_of_each_unit(bench):
    fig = figures.evidence_figure(bench.data)
    codings = bench.data.codings.frame
    for ax, unit in zip(fig.axes, bench.study.eenheden, strict=True):
        assert ax.get_title() == unit.code
        drawn = sum(bar.get_width() for bar in ax.patches)
        assert drawn == (codings["eenheid"] == unit.code).sum()


def test_agreement_and_spread_figures(bench):
    agreement = figures.agreement_figure(bench.data)
    labels = [t.get_text() for t in agreement.legends[0].get_texts()]
    table = bench.compare_rules()
    assert labels == [f"{r} (kappa {k:.2f})" for r, k in zip(table["regel"], table["kappa"],
                                                               strict=True)]
    spread = figures.spread_figure(bench.data)
    shares = {}
    for bar in spread.axes[0].patches:  # each status's row of shares adds up to 100 %
        shares[round(bar.get_y(), 3)] = shares.get(round(bar.get_y(), 3), 0) + bar.get_width()
    assert [round(v) for v in shares.values()] == [100] * 4
    assert bench.spread_figure()._repr_png_().startswith(b"\x89PNG")
