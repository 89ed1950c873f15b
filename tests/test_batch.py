"""`basisop run`: parallel execution with failures kept apart, circulation HTML, privacy gate,
atomic and repeatable output."""

from __future__ import annotations

import html
import io
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
from batch_helpers import STUDY_ID, TEST_NOTEBOOKS, embedded_run
from bs4 import BeautifulSoup

from basisop.batch import NotebookJob, run_notebooks, run_study
from basisop.batch.execute import (
    DEAD_KERNEL,
    TIMEOUT,
    UNKNOWN_PARAMETER,
    _IpcKernelManager,
    _ReadyClient,
)
from basisop.batch.publish import Publisher
from basisop.io.study import PROJECT_ROOT
from basisop.privacy import PrivacyGuard
from basisop.scoring import score

ECHO = TEST_NOTEBOOKS / "echo"
FAULTY = TEST_NOTEBOOKS / "faulty"
SLUGS = ["wijdemeren", "gooise-meren", "blaricum-en-laren", "hilversum", "huizen",
         "districtspartners"]
OLD = "<!DOCTYPE html><html><body><p>vorige versie</p></body></html>"
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
PROMPT = re.compile(r"\b(?:In|Out)\s*\[\s*\d*\s*\]:")


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _leftovers(folder: Path) -> list[Path]:
    """Temporary files of an interrupted atomic write."""
    return [p for p in folder.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]


# -- the embedded study with the real notebooks (one run per session) -------------------------

@pytest.fixture(scope="session")
def embedded_reports(tmp_path_factory) -> Path:
    run = embedded_run(tmp_path_factory)
    assert run.exit_code == 0, run.stdout
    return run.folder


@pytest.mark.slow
def test_run_writes_every_chapter_the_comparison_and_the_index(embedded_reports, embedded):
    names = {p.name for p in embedded_reports.glob("*.html")}
    assert names == {f"{u.slug}.html" for u in embedded.study.eenheden} | {
        "regio.html", "uitvoeringsplan.html", "index.html"}
    audits = {p.name for p in (embedded_reports / "audit").glob("*.ipynb")}
    assert audits == {f"{u.slug}.ipynb" for u in embedded.study.eenheden} | {
        "regio.ipynb", "uitvoeringsplan.ipynb"}
    assert not _leftovers(embedded_reports)


@pytest.mark.slow
def test_each_chapter_shows_every_subtheme_status_as_scored(embedded_reports, embedded):
    scores = score(embedded)
    for unit in embedded.study.eenheden:
        soup = _soup(embedded_reports / f"{unit.slug}.html")
        shown = {cell["data-subthema"]: cell["data-status"]
                 for cell in soup.select("[data-subthema][data-status]")}
        rows = scores[scores["eenheid"] == unit.code]
        assert shown == dict(zip(rows["subthema_id"], rows["status"], strict=True)), unit.code


@pytest.mark.slow
def test_comparison_shows_every_unit_and_subtheme_as_scored(embedded_reports, embedded):
    expected = {(r.eenheid, r.subthema_id): r.status for r in score(embedded).itertuples()}
    cells = _soup(embedded_reports / "regio.html").select(
        "[data-eenheid][data-subthema][data-status]")
    shown = {(c["data-eenheid"], c["data-subthema"]): c["data-status"] for c in cells}
    assert shown, "no status cells with data-eenheid in the comparison"
    assert {k: expected[k] for k in shown} == shown
    municipal = {k for k in expected if embedded.study.unit(k[0]).is_municipal}
    assert municipal <= set(shown)


@pytest.mark.slow
def test_html_holds_no_code_prompt_or_external_reference(embedded_reports):
    code_lines = [line for book in ("hoofdstuk", "regio")
                  for cell in nbformat.read(PROJECT_ROOT / "notebooks" / f"{book}.ipynb",
                                            as_version=4).cells
                  if cell.cell_type == "code"
                  for line in cell.source.splitlines() if len(line.strip()) > 12]
    for page in sorted(embedded_reports.glob("*.html")):
        text = page.read_text(encoding="utf-8")
        soup = BeautifulSoup(text, "html.parser")
        assert not soup.select(".jp-InputArea, .jp-InputPrompt, .jp-OutputPrompt, "
                               ".jp-CodeMirrorEditor, .highlight"), page.name
        assert not EXTERNAL.search(text), page.name
        assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//|@import", text), page.name
        assert not soup.select("script[src], link[href], iframe, object, embed"), page.name
        visible = soup.get_text(" ")
        assert not PROMPT.search(visible), page.name
        leaked = [line for line in code_lines if line.strip() in visible]
        assert not leaked, (page.name, leaked[:3])
        assert soup.html["lang"] == "nl"
        assert soup.title.get_text().strip()


@pytest.mark.slow
def test_images_are_inline_and_print_styles_are_present(embedded_reports):
    for page in ("regio.html", "wijdemeren.html"):  # a chapter's profile is a table, no image
        text = (embedded_reports / page).read_text(encoding="utf-8")
        images = BeautifulSoup(text, "html.parser").find_all("img")
        assert all(img["src"].startswith("data:image/") for img in images)
        assert "size: A4" in text and "print-color-adjust: exact" in text
        assert "@media print" in text
    assert BeautifulSoup((embedded_reports / "regio.html").read_text(encoding="utf-8"),
                         "html.parser").find_all("img")


CHAPTER_LIMIT = 120 * 1024  # bytes; the lab template's CSS alone was some 250 KB


@pytest.mark.slow
def test_every_chapter_is_lean_self_contained_html(embedded_reports, embedded):
    for unit in embedded.study.eenheden:
        page = embedded_reports / f"{unit.slug}.html"
        size = page.stat().st_size
        assert size <= CHAPTER_LIMIT, f"{page.name}: {size} bytes"
        text = page.read_text(encoding="utf-8")
        assert "--jp-" not in text and ".highlight" not in text  # no JupyterLab or Pygments CSS
        soup = BeautifulSoup(text, "html.parser")
        assert soup.select_one('nav a[href="index.html"]')  # back to the study's front page


@pytest.mark.slow
def test_every_page_prints_its_title_and_page_numbers(embedded_reports, embedded):
    for page in sorted(embedded_reports.glob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        css = "".join(style.get_text() for style in soup.find_all("style"))
        assert "counter(page)" in css and "counter(pages)" in css, page.name
        title = re.search(r'@top-left \{ content: "([^"]*)"', css)
        assert title, page.name
        shown = re.sub(r"\\([0-9a-f]{6})", lambda m: chr(int(m.group(1), 16)), title.group(1))
        assert embedded.study.naam in shown, page.name


def test_a_page_title_cannot_break_out_of_its_print_style():
    from basisop.batch.export import page_title_css

    css = page_title_css('Studie "X" </style><script>alert(1)</script> \\ é')
    content = re.fullmatch(r'<style type="text/css">@page \{ @top-left \{ content: "([^"<>]*)"; '
                           r"\} \}</style>", str(css))
    assert content, css
    shown = re.sub(r"\\([0-9a-f]{6})", lambda m: chr(int(m.group(1), 16)), content.group(1))
    assert shown == 'Studie "X" </style><script>alert(1)</script> \\ é'


def _page(html_output: str) -> str:
    from basisop.batch.export import circulation_html

    cell = nbformat.v4.new_code_cell("x", id="c1", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": html_output})])
    return circulation_html(nbformat.v4.new_notebook(cells=[cell]), "Titel")


def test_a_concept_page_prints_concept_on_every_page_and_a_final_one_does_not():
    concept = _page('<div class="bo"><div class="bo-concept" role="note">CONCEPT</div></div>')
    final = _page('<div class="bo"><h1>Hoofdstuk</h1></div>')
    assert '@top-right { content: "CONCEPT"; }' in concept
    assert "CONCEPT" not in final
    assert '@top-left { content: "Titel"; }' in final


@pytest.mark.slow
def test_index_links_every_report_with_name_wave_and_date(embedded_reports, embedded):
    soup = _soup(embedded_reports / "index.html")
    study = embedded.study
    text = " ".join(soup.get_text(" ").split())
    assert study.naam in text and f"Golf {study.golf}" in text
    assert "12 december 2024" in text
    links = {a["href"] for a in soup.find_all("a")}
    assert links == {f"{u.slug}.html" for u in study.eenheden} | {"regio.html",
                                                                 "uitvoeringsplan.html"}
    assert all((embedded_reports / link).is_file() for link in links)
    assert soup.html["lang"] == "nl"


@pytest.mark.slow
def test_audit_notebooks_hold_no_absolute_paths(embedded_reports):
    for path in (embedded_reports / "audit").glob("*.ipynb"):
        assert str(PROJECT_ROOT) not in path.read_text(encoding="utf-8"), path.name


def test_audit_notebooks_are_executed_and_keep_the_parameters(embedded_reports):
    book = nbformat.read(embedded_reports / "audit" / "blaricum-en-laren.ipynb", as_version=4)
    injected = [c for c in book.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and 'eenheid = "B/L"' in injected[0].source
    assert any(c.get("outputs") for c in book.cells if c.cell_type == "code")
    assert "start_time" not in json.dumps(book.metadata.get("papermill", {}))


@pytest.mark.slow
def test_two_runs_give_byte_identical_reports(embedded_reports, tmp_path):
    assert run_study(None, out=tmp_path).ok
    first, second = _tree(embedded_reports), _tree(tmp_path / STUDY_ID)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


# -- failures stay apart ---------------------------------------------------------------------

@pytest.mark.slow
def test_a_raise_a_timeout_and_a_dead_kernel_each_fail_alone(tmp_path, capsys):
    folder = tmp_path / STUDY_ID
    folder.mkdir()
    for slug in ("wijdemeren", "gooise-meren", "blaricum-en-laren"):
        (folder / f"{slug}.html").write_text(OLD, encoding="utf-8")

    result = run_study(None, out=tmp_path, notebooks=FAULTY, timeout=8, jobs=2)

    assert not result.ok
    failures = {f.job: f for f in result.failures}
    assert set(failures) == {"hoofdstuk Wijdemeren (W)", "hoofdstuk Gooise Meren (GM)",
                             "hoofdstuk Blaricum en Laren (B/L)"}
    raised = failures["hoofdstuk Wijdemeren (W)"]
    assert (raised.cell, raised.error, raised.message) == (3, "ValueError",
                                                           "opzettelijke fout in W")
    timed_out = failures["hoofdstuk Gooise Meren (GM)"]
    assert (timed_out.cell, timed_out.error) == (4, TIMEOUT)
    died = failures["hoofdstuk Blaricum en Laren (B/L)"]
    assert (died.cell, died.error) == (5, DEAD_KERNEL)
    # the failed chapters keep their previous version; the others are new
    for slug in ("wijdemeren", "gooise-meren", "blaricum-en-laren"):
        assert (folder / f"{slug}.html").read_text(encoding="utf-8") == OLD
        assert not (folder / "audit" / f"{slug}.ipynb").exists()
    for slug in ("hilversum", "huizen", "districtspartners"):
        assert "nieuwe versie" in (folder / f"{slug}.html").read_text(encoding="utf-8")
    assert (folder / "regio.html").is_file() and (folder / "index.html").is_file()
    assert not _leftovers(tmp_path)
    err = capsys.readouterr().err
    assert "in cel 3" in err and "ValueError: opzettelijke fout in W" in err
    assert "time-out" in err and "kernel gestorven" in err
    assert "NIET alles gelukt" in err


def test_a_unit_cannot_overwrite_the_comparison_or_the_index():
    from basisop.batch.pages import chapter_page
    from basisop.model import Unit

    assert chapter_page(Unit("R", "Regio")) == "eenheid-regio"
    assert chapter_page(Unit("I", "Index")) == "eenheid-index"
    assert chapter_page(Unit("B/L", "Blaricum en Laren")) == "blaricum-en-laren"


def test_cli_exit_code_follows_the_result(monkeypatch):
    from basisop import cli
    from basisop.batch import RunResult

    monkeypatch.setattr("basisop.batch.run_study", lambda *a, **k: RunResult(ok=False))
    assert cli.main(["run"]) == 1
    monkeypatch.setattr("basisop.batch.run_study", lambda *a, **k: RunResult(ok=True))
    assert cli.main(["run"]) == 0


# -- parameters ------------------------------------------------------------------------------

def _echoed(executed: Path) -> dict[str, tuple[str, str]]:
    """name -> (type, repr) as the echo notebook displayed them."""
    book = nbformat.read(executed, as_version=4)
    markup = "".join(o.get("data", {}).get("text/html", "")
                     for c in book.cells if c.cell_type == "code" for o in c.outputs)
    return {m["data-naam"]: (m["data-type"], html.unescape(m.get_text()))
            for m in BeautifulSoup(markup, "html.parser").select("p.echo")}


@pytest.mark.slow
def test_parameters_reach_the_notebook_exactly_as_given(tmp_path):
    odd = 'C:\\map\\"aanhalingstekens" – é\nregel 2'
    job = NotebookJob("echo", "echo", ECHO / "hoofdstuk.ipynb",
                      {"eenheid": "0363", "studie": odd}, "Echo")
    (outcome,) = run_notebooks([job], staging=tmp_path, workers=1, timeout=120)
    assert outcome.ok, outcome.failure
    echoed = _echoed(outcome.executed)
    assert echoed["eenheid"] == ("str", repr("0363"))
    assert echoed["studie"] == ("str", repr(odd))


def test_an_unknown_parameter_is_an_error(tmp_path):
    job = NotebookJob("echo", "echo", ECHO / "regio.ipynb", {"studie": "", "eenhied": "W"}, "E")
    (outcome,) = run_notebooks([job], staging=tmp_path, workers=1, timeout=60)
    assert outcome.failure.error == UNKNOWN_PARAMETER
    assert "eenhied" in outcome.failure.message and "studie" in outcome.failure.message


def test_parameters_must_be_strings():
    with pytest.raises(TypeError):
        NotebookJob("x", "x", ECHO / "regio.ipynb", {"studie": 363}, "x")  # type: ignore[dict-item]


def test_each_kernel_gets_its_own_ipc_sockets(tmp_path, monkeypatch):
    """The port-race fix: ipc sockets named after a per-kernel connection file, never the
    shared relative default 'kernel-ipc'."""
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    first, second = _IpcKernelManager(), _IpcKernelManager()
    assert first.transport == second.transport == "ipc"
    assert first.ip != second.ip
    assert all(Path(km.ip).parent == tmp_path for km in (first, second))


def test_nbclient_waits_for_the_kernel_through_our_client(tmp_path, monkeypatch):
    """jupyter_client's `wait_for_ready` is an alias bound to its own function, not a lookup:
    our override (no wait for 0.2 s of silence, twice) must be what nbclient calls."""
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    client = _IpcKernelManager().client()
    assert client.wait_for_ready.__func__ is _ReadyClient._async_wait_for_ready


# -- the whole run with small notebooks -------------------------------------------------------

@pytest.mark.slow
def test_echo_runs_are_byte_identical_and_clean(tmp_path):
    # one chapter and the comparison: every chapter is compared in the embedded-study test
    first = run_study(None, out=tmp_path / "a", notebooks=ECHO, units=["B/L"])
    second = run_study(None, out=tmp_path / "b", notebooks=ECHO, units=["B/L"])
    assert first.ok and second.ok
    a, b = _tree(tmp_path / "a" / STUDY_ID), _tree(tmp_path / "b" / STUDY_ID)
    assert a.keys() == b.keys() and [n for n in a if a[n] != b[n]] == []
    chapter = (tmp_path / "a" / STUDY_ID / "blaricum-en-laren.html").read_text(encoding="utf-8")
    assert "&#x27;B/L&#x27;" in chapter or "'B/L'" in chapter
    assert "data:image/svg+xml;base64," in chapter and "data:image/png;base64," in chapter
    assert "een waarschuwing voor de analist" not in chapter  # stderr stays in the audit copy
    assert "Testhoofdstuk (verborgen)" not in chapter  # tagged remove_cell
    soup = BeautifulSoup(chapter, "html.parser")
    # hidden, parameter and output-less cells (cel-00, cel-01, injected, cel-05) left no block
    assert [c["id"] for c in soup.select(".jp-Cell")] == [
        "cell-id=cel-02", "cell-id=cel-03", "cell-id=cel-04"]


@pytest.mark.slow
def test_pdf_without_chromium_keeps_the_html_and_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("basisop.batch.run.find_chromium", lambda: None)
    result = run_study(None, out=tmp_path, notebooks=ECHO, units=["B/L"], pdf=True)
    assert not result.ok and result.pdf_errors and not result.failures
    folder = tmp_path / STUDY_ID
    assert {p.name for p in folder.glob("*.html")} == {"blaricum-en-laren.html", "regio.html",
                                                       "uitvoeringsplan.html", "index.html"}
    assert not list(folder.glob("*.pdf"))
    assert "Chromium of Google Chrome is niet gevonden" in capsys.readouterr().err


def _matplotlib_pdf(when: str) -> bytes:
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(3, 2))
    fig.text(0.1, 0.5, "De Basis op Orde")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="pdf", metadata={"CreationDate": None, "ModDate": None})
    plt.close(fig)
    # a printer's run-dependent dates, as Chromium writes them
    return buffer.getvalue().replace(b"/Producer", f"/CreationDate (D:{when})\n/Producer".encode())


def test_pdf_metadata_is_fixed_to_the_data_date():
    from pypdf import PdfReader

    from basisop.batch.pdf import fixed_metadata

    first = fixed_metadata(_matplotlib_pdf("20261129164816+00'00'"), "2024-12-12")
    second = fixed_metadata(_matplotlib_pdf("20270101000000+00'00'"), "2024-12-12")
    assert first == second
    info = PdfReader(io.BytesIO(first)).metadata
    assert info["/CreationDate"] == info["/ModDate"] == "D:20241212000000Z"
    assert info["/Creator"] == "basisop"


@pytest.mark.slow
def test_only_the_given_units_and_always_the_comparison(tmp_path):
    result = run_study(None, out=tmp_path, notebooks=ECHO, units=["b/l"])
    assert result.ok
    folder = tmp_path / STUDY_ID
    assert {p.name for p in folder.glob("*.html")} == {"blaricum-en-laren.html", "regio.html",
                                                        "uitvoeringsplan.html", "index.html"}
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "Wijdemeren (W): nog niet beschikbaar" in index


def test_unknown_unit_stops_before_running(tmp_path, capsys):
    result = run_study(None, out=tmp_path, notebooks=ECHO, units=["Wijdemeer", "Q"])
    assert not result.ok and len(result.problems) == 2
    assert "bedoelt u" in capsys.readouterr().out
    assert not any(tmp_path.iterdir())


def test_invalid_study_stops_with_its_errors(study_copy, tmp_path, capsys):
    study_copy.write_text(study_copy.read_text(encoding="utf-8").replace(
        "regel: meerderheid", "regel: willekeurig"), encoding="utf-8")
    result = run_study(study_copy, out=tmp_path / "out", notebooks=ECHO)
    assert not result.ok and result.problems
    assert "willekeurig" in capsys.readouterr().out
    assert not (tmp_path / "out").exists()


# -- privacy gate ----------------------------------------------------------------------------

def test_publisher_holds_back_a_file_with_a_finding_and_keeps_the_old_one(tmp_path):
    guard = PrivacyGuard(literals=[("naam uit register", "Zwaantje Zeldenrust")])
    publisher = Publisher(guard)
    target = tmp_path / "hoofdstuk.html"
    target.write_text(OLD, encoding="utf-8")
    assert not publisher.publish_text(target, "<p>Volgens zwaantje  ZELDENRUST gaat het goed</p>")
    assert target.read_text(encoding="utf-8") == OLD
    (held,) = publisher.held_back
    assert "Zeldenrust" not in str(held) and "naam uit register" in str(held)
    assert publisher.publish_text(tmp_path / "ander.html", "<p>niets aan de hand</p>")
    assert publisher.published == [tmp_path / "ander.html"]


def test_publisher_checks_notebook_json_by_value(tmp_path):
    """JSON escapes ("\\u00e9", "\\n") must not hide a datum from the gate."""
    guard = PrivacyGuard(literals=[("naam uit register", "Anaïs Özdemir")])
    staged = tmp_path / "staged.ipynb"
    staged.write_text(json.dumps({"cells": [{"source": ["Anaïs\n", "Özdemir"]}]}),
                      encoding="utf-8")
    publisher = Publisher(guard)
    assert not publisher.publish_file(tmp_path / "out" / "x.ipynb", staged)
    assert publisher.held_back[0].path == tmp_path / "out" / "x.ipynb"
    assert not (tmp_path / "out" / "x.ipynb").exists()


@pytest.mark.slow
def test_run_holds_back_what_the_guard_flags(tmp_path, monkeypatch, capsys):
    flagged = PrivacyGuard(literals=[("naam uit register", "Hilversum")])
    monkeypatch.setattr(PrivacyGuard, "for_study", classmethod(lambda cls, data: flagged))
    folder = tmp_path / STUDY_ID
    folder.mkdir()
    (folder / "hilversum.html").write_text(OLD, encoding="utf-8")

    result = run_study(None, out=tmp_path, notebooks=ECHO, units=["Hi", "Hu"])

    assert not result.ok and not result.failures
    # the index and the manifest name the page "hilversum.html": held back too (fail-closed)
    assert {h.path.name for h in result.held_back} == {"hilversum.html", "index.html",
                                                       "manifest.json"}
    assert (folder / "hilversum.html").read_text(encoding="utf-8") == OLD
    assert (folder / "huizen.html").is_file() and not (folder / "index.html").exists()
    err = capsys.readouterr().err
    assert "Tegengehouden door de privacycontrole" in err and "hilversum.html" in err


def test_no_guard_no_run(tmp_path, monkeypatch, capsys):
    def broken(cls, data):
        raise OSError("register onleesbaar")

    monkeypatch.setattr(PrivacyGuard, "for_study", classmethod(broken))
    result = run_study(None, out=tmp_path, notebooks=ECHO)
    assert not result.ok
    assert "privacycontrole niet mogelijk" in capsys.readouterr().out
    assert not any(tmp_path.iterdir())


@pytest.mark.slow
def test_kernels_run_in_this_python_whatever_kernelspec_a_user_has(tmp_path, monkeypatch):
    """A user's own "python3" kernelspec (searched first) must not take the notebooks elsewhere."""
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": ["/nergens/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "elders", "language": "python"}), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    job = NotebookJob("echo", "echo", ECHO / "hoofdstuk.ipynb", {"eenheid": "W"}, "Echo")
    (outcome,) = run_notebooks([job], staging=tmp_path / "staging", workers=1, timeout=120)
    assert outcome.ok, outcome.failure
    assert _echoed(outcome.executed)["python"] == ("str", repr(sys.executable))


def test_run_summary_says_what_weakens_the_gate(study_copy, tmp_path, capsys):
    """No register: names are not checked; every reviewed exception is printed with its reason."""
    text = study_copy.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^respondenten:.*\n", "", text)
    study_copy.write_text(text + "privacy:\n  toegestaan:\n    - tekst: van Huizen\n"
                                 "      reden: gemeentenaam, nagekeken\n", encoding="utf-8")
    run_study(study_copy, out=tmp_path, notebooks=ECHO, units=["Hu"])
    err = capsys.readouterr().err
    assert "geen respondentenregister" in err and "NIET gecontroleerd" in err
    assert "'van Huizen' – gemeentenaam, nagekeken" in err
