"""Publishing into a reports folder: unique page names, one run at a time, all-or-nothing
commits that survive a kill, and a manifest that says which run wrote each page."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from batch_helpers import STUDY_ID, TEST_NOTEBOOKS

from basisop.batch import run_study
from basisop.batch.folder import LOCK, STAGING, read_manifest, run_lock
from basisop.batch.pages import RESERVED, chapter_page, page_problems, region_page
from basisop.batch.publish import JOURNAL, Publisher, recover
from basisop.cli import main
from basisop.io.study import PROJECT_ROOT, load_study
from basisop.model import Unit
from basisop.privacy import PrivacyGuard

ECHO = TEST_NOTEBOOKS / "echo"
FAULTY = TEST_NOTEBOOKS / "faulty"


def _hidden(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.name.startswith(".") or p.suffix == ".tmp")


def _short_tmp() -> Path:
    """Kernel sockets live under staging: a Unix socket path may not exceed ~107 bytes."""
    return Path(tempfile.mkdtemp(prefix="bo-", dir="/tmp"))


@pytest.fixture
def own_tmp(monkeypatch) -> Path:
    """This process's temporary folder (where staging goes), of its own."""
    folder = _short_tmp()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


# -- page names ---------------------------------------------------------------------------------

def test_chapter_names_never_collide_with_each_other_or_reserved_pages():
    names = ["Regio", "Eenheid Regio", "Index", "Eenheid Index", "Eenheid Eenheid Regio",
             "Uitvoeringsplan", "Overzicht", "Regio Noord", "Audit", "Huizen", "", "Naamloos"]
    stems = [chapter_page(Unit(str(i), n)) for i, n in enumerate(names)]
    assert len(set(stems)) == len(stems), stems
    assert not set(stems) & RESERVED
    assert not [s for s in stems if s.startswith("regio-")]
    assert chapter_page(Unit("Hu", "Huizen")) == "huizen"  # ordinary names stay as they were


def test_units_regio_and_eenheid_regio_both_publish(study_copy, tmp_path, own_tmp):
    text = study_copy.read_text(encoding="utf-8")
    text = text.replace("naam: Wijdemeren", "naam: Regio").replace(
        "naam: Gooise Meren", "naam: Eenheid Regio")
    study_copy.write_text(text, encoding="utf-8")
    assert page_problems(load_study(study_copy)) == []
    result = run_study(study_copy, out=tmp_path, notebooks=ECHO, units=["W", "GM"])
    assert result.ok, result
    folder = tmp_path / STUDY_ID
    assert {p.name for p in folder.glob("*.html")} == {
        "eenheid-regio.html", "eenheid-eenheid-regio.html", "regio.html", "uitvoeringsplan.html",
        "index.html"}
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert 'href="eenheid-regio.html">Regio<' in index
    assert 'href="eenheid-eenheid-regio.html">Eenheid Regio<' in index


def test_two_regions_with_one_file_name_are_a_validation_error():
    study = load_study()
    assert page_problems(study, ["Noord", "Zuid"]) == []
    (problem,) = page_problems(study, ["Noord", "noord"])
    assert f"'{region_page('Noord')}.html'" in problem.reason


# -- one run at a time ---------------------------------------------------------------------------

def test_a_second_run_into_the_same_folder_refuses_clearly(tmp_path, own_tmp, capsys):
    folder = tmp_path / STUDY_ID
    with run_lock(folder):
        result = run_study(None, out=tmp_path, notebooks=ECHO, units=["Hu"])
    assert not result.ok
    assert "er loopt al een run in deze map" in capsys.readouterr().out
    assert not (folder / "huizen.html").exists()
    assert not (folder / LOCK).exists()  # released by its holder


@pytest.mark.parametrize("value", ["0", "-5", "abc"])
def test_timeout_must_be_positive(value, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["run", "--timeout", value])
    assert caught.value.code == 2
    assert "verwacht een geheel getal groter dan 0" in capsys.readouterr().err


# -- kills ---------------------------------------------------------------------------------------

def test_the_next_run_clears_what_a_killed_run_left(tmp_path, own_tmp):
    """SIGKILL leaves a lock, a staging folder, staged and .tmp files: none stays for good."""
    folder = tmp_path / STUDY_ID
    (folder / "audit").mkdir(parents=True)
    dead = {"pid": os.getpid(), "start": 1.0}  # this pid, but another start: a gone process
    (folder / LOCK).write_text(json.dumps(dead), encoding="utf-8")
    stale = own_tmp / STAGING / f"{os.getpid()}-1-abc"
    stale.mkdir(parents=True)
    (stale / "huizen.html").write_text("half", encoding="utf-8")
    (folder / ".huizen.html.basisop-nieuw").write_text("half", encoding="utf-8")
    (folder / "audit" / ".huizen.ipynb.x1y2.tmp").write_text("half", encoding="utf-8")

    assert run_study(None, out=tmp_path, notebooks=ECHO, units=["Hu"]).ok

    assert not stale.exists() and list((own_tmp / STAGING).iterdir()) == []
    assert _hidden(folder) == []
    assert (folder / "huizen.html").is_file()


def test_a_commit_cut_short_is_finished_by_the_next_run(tmp_path, monkeypatch):
    """Killed after the journal: the new set. Killed before it: the old set."""
    folder = tmp_path / "rapport"
    folder.mkdir()
    for name in ("a.html", "b.html"):
        (folder / name).write_text("oud", encoding="utf-8")
    publisher = Publisher(PrivacyGuard.generic(), folder)
    for name in ("a.html", "b.html"):
        assert publisher.publish_text(folder / name, "nieuw")
    renamed = []
    real_replace = os.replace

    def killed_after_one(src, dst):
        if not Path(dst).name.startswith("."):  # a page, not a staged file or the journal
            if renamed:
                raise KeyboardInterrupt  # stands in for the kill
            renamed.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", killed_after_one)
    with pytest.raises(KeyboardInterrupt):
        publisher.commit()
    monkeypatch.setattr(os, "replace", real_replace)
    texts = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.html")}
    assert sorted(texts.values()) == ["nieuw", "oud"]  # half: what a kill would leave
    recover(folder)
    assert {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.html")} == {
        "a.html": "nieuw", "b.html": "nieuw"}
    assert _hidden(folder) == []

    staged_only = Publisher(PrivacyGuard.generic(), folder)
    assert staged_only.publish_text(folder / "a.html", "nog nieuwer")
    (folder / ".a.html.basisop-nieuw").write_text("nog nieuwer", encoding="utf-8")
    recover(folder)  # no journal: the commit never began
    assert (folder / "a.html").read_text(encoding="utf-8") == "nieuw"
    assert _hidden(folder) == [] and not (folder / JOURNAL).exists()


def test_a_run_stopped_before_its_commit_leaves_the_old_set_and_nothing_staged(tmp_path):
    """Pages are staged as they pass the gate; a run stopped before the commit removes them."""
    folder = tmp_path / "rapport"
    folder.mkdir()
    (folder / "a.html").write_text("oud", encoding="utf-8")
    publisher = Publisher(PrivacyGuard.generic(), folder)
    for name in ("a.html", "b.html"):
        assert publisher.publish_text(folder / name, "nieuw")
    assert len(_hidden(folder)) == 2  # staged at once, not at the commit
    publisher.discard()
    assert _hidden(folder) == [] and not (folder / "b.html").exists()
    assert (folder / "a.html").read_text(encoding="utf-8") == "oud"

    begun = Publisher(PrivacyGuard.generic(), folder)  # the journal written: commit begun
    assert begun.publish_text(folder / "a.html", "nieuw")
    (folder / JOURNAL).write_text(json.dumps([[".a.html.basisop-nieuw", "a.html"]]),
                                  encoding="utf-8")
    begun.discard()  # the staged file is the next run's to put in place
    recover(folder)
    assert (folder / "a.html").read_text(encoding="utf-8") == "nieuw"
    assert _hidden(folder) == []


def _wait_until_gone(group: int, seconds: float = 30) -> None:
    """Orphaned workers die a moment after the signal; one still writing would race the
    next run's clean-up. Raises ProcessLookupError once the group is gone."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        os.killpg(group, 0)
        time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_killed_run_leaves_no_staging_for_good(tmp_path, sig):
    system_tmp = _short_tmp()
    out = tmp_path / "uit"
    script = ("import sys; from pathlib import Path; from basisop.batch import run_study; "
              f"run_study(None, out=Path({str(out)!r}), notebooks=Path({str(FAULTY)!r}), "
              "timeout=120, jobs=1)")
    env = {**os.environ, "TMPDIR": str(system_tmp)}
    process = subprocess.Popen([sys.executable, "-c", script], env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    staging = system_tmp / STAGING
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (staging.is_dir() and any(staging.iterdir())):
        time.sleep(0.2)
    time.sleep(1)
    try:
        process.send_signal(sig)
        process.wait(timeout=60)
    finally:
        if process.poll() is None or sig == signal.SIGKILL:
            with contextlib.suppress(ProcessLookupError):  # what a SIGKILL orphans
                os.killpg(process.pid, signal.SIGKILL)
                _wait_until_gone(process.pid)
    _kill_stragglers(system_tmp)
    folder = out / STUDY_ID
    if sig == signal.SIGTERM:  # cleaned up at once
        assert list(staging.iterdir()) == []
        assert not (folder / LOCK).exists()
    else:  # cleaned up by the next run
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(tempfile, "tempdir", str(system_tmp))
            assert run_study(None, out=out, notebooks=ECHO, units=["Hu"]).ok
        assert list(staging.iterdir()) == []
    assert _hidden(folder) == []
    shutil.rmtree(system_tmp, ignore_errors=True)


def _kill_stragglers(system_tmp: Path) -> None:
    """Kernels a SIGKILL orphaned (they run in sessions of their own) and still use staging:
    started by this test, so ended by it, by pid, before the next run is checked."""
    import psutil

    stragglers = []
    for process in psutil.process_iter(["cmdline"]):
        if str(system_tmp) in " ".join(process.info["cmdline"] or []):
            with contextlib.suppress(psutil.Error):
                process.kill()
                stragglers.append(process)
    psutil.wait_procs(stragglers, timeout=30)


# -- manifest ------------------------------------------------------------------------------------

def test_manifest_records_study_and_runs_and_the_index_shows_earlier_ones(
        study_copy, tmp_path, own_tmp):
    out = tmp_path / "uit"
    assert run_study(study_copy, out=out, notebooks=ECHO).ok
    folder = out / STUDY_ID
    manifest = read_manifest(folder)
    assert manifest.study_id == STUDY_ID
    assert (folder / manifest.study_path).resolve() == study_copy.resolve()
    assert not Path(manifest.study_path).is_absolute()
    first = manifest.pages["hilversum.html"]
    assert manifest.pages["audit/hilversum.ipynb"] == first == manifest.pages["index.html"]
    raw = (folder / "manifest.json").read_text(encoding="utf-8")
    assert str(tmp_path) not in raw and str(PROJECT_ROOT) not in raw

    study_copy.write_text(study_copy.read_text(encoding="utf-8") + "# gewijzigd\n",
                          encoding="utf-8")
    assert run_study(study_copy, out=out, notebooks=ECHO, units=["Hu"]).ok
    manifest = read_manifest(folder)
    assert manifest.pages["huizen.html"] != first == manifest.pages["hilversum.html"]
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert re.search(r'href="hilversum.html">Hilversum</a> \(Hi\) <span class="bo-eerdere-run">'
                     rf"\(uit een eerdere run: {first}\)", index)
    assert 'href="huizen.html">Huizen</a> (Hu)</li>' in index


def test_audit_notebooks_hold_no_path_of_the_study(study_copy, tmp_path, own_tmp):
    """The kernels get the study's file name and work in its folder (the real notebooks are
    checked on the embedded run in test_batch.py; the echo notebook shows sys.executable)."""
    assert run_study(study_copy, out=tmp_path, notebooks=ECHO, units=["Hu"]).ok
    for path in (tmp_path / STUDY_ID / "audit").glob("*.ipynb"):
        text = path.read_text(encoding="utf-8")
        assert str(study_copy.parent) not in text and str(ECHO) not in text, path.name


def test_check_privacy_on_a_reports_folder_uses_the_study_that_made_it(
        study_copy, tmp_path, own_tmp, capsys):
    out = tmp_path / "uit"
    assert run_study(study_copy, out=out, notebooks=ECHO, units=["Hu"]).ok
    folder = out / STUDY_ID
    (folder / "notitie.txt").write_text("Respondent Hu-R1 zei het.", encoding="utf-8")
    capsys.readouterr()
    assert main(["check-privacy", str(folder)]) == 1
    said = capsys.readouterr()
    assert f"studie {STUDY_ID}" in said.out and "respondent-id" in said.out
    study_copy.write_text(study_copy.read_text(encoding="utf-8") + "# later\n",
                          encoding="utf-8")
    main(["check-privacy", str(folder)])
    assert "is gewijzigd sinds deze map is gemaakt" in capsys.readouterr().err
    study_copy.unlink()
    assert main(["check-privacy", str(folder)]) == 1
    assert "niet gevonden" in capsys.readouterr().err
