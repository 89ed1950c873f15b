"""`basisop run --gewijzigd`: only the notebooks whose resolved inputs changed run again, the
summary says which and why, and the folder then equals a full run byte for byte."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from basisop.batch import run as batch_run
from basisop.batch.incremental import STATE
from basisop.batch.run import run_study

pytestmark = pytest.mark.slow
STUDY_ID = "gooi-en-vechtstreek-2024"


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _edit(path: Path, row_matches, column: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    row = next(r for r in rows if row_matches(r))
    row[column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _ran(output: str) -> set[str]:
    return {line.split(":")[0].strip(" -") for line in output.splitlines()
            if line.startswith("  - ")}


def test_only_what_shows_a_change_runs_again_and_equals_a_full_run(study_copy, tmp_path,
                                                                   capsys, monkeypatch):
    data = study_copy.parent.parent / "data" / STUDY_ID
    units = ["W", "GM"]
    assert run_study(study_copy, out=tmp_path / "a", units=units).ok
    capsys.readouterr()

    # One fragment's text in Wijdemeren: only its chapter shows it.
    _edit(data / "codering-wijdemeren.csv", lambda r: r["subthema"] == "informatiepositie",
          "fragment", "Een herschreven fragment over de informatiepositie.")
    assert run_study(study_copy, out=tmp_path / "a", units=units, changed_only=True).ok
    output = capsys.readouterr().out
    assert _ran(output) == {"hoofdstuk Wijdemeren (W)"}
    assert "gegevens" in output
    assert run_study(study_copy, out=tmp_path / "b", units=units).ok
    assert _files(tmp_path / "a" / STUDY_ID) == _files(tmp_path / "b" / STUDY_ID)
    capsys.readouterr()

    # An oordeel that moves a study-wide priority: every page that shows it (the comparison,
    # and every chapter, whose recommendations follow the priorities).
    _edit(data / "oordelen.csv", lambda r: (r["eenheid"], r["subthema"]) == ("W", "basiskennis"),
          "status", "rood")
    assert run_study(study_copy, out=tmp_path / "a", units=units, changed_only=True).ok
    assert _ran(capsys.readouterr().out) == {"hoofdstuk Wijdemeren (W)",
                                             "hoofdstuk Gooise Meren (GM)", "regiovergelijking",
                                             "uitvoeringsplan"}
    assert run_study(study_copy, out=tmp_path / "c", units=units).ok
    assert _files(tmp_path / "a" / STUDY_ID) == _files(tmp_path / "c" / STUDY_ID)
    capsys.readouterr()

    # Progress on one action: only the implementation plan shows it.
    _edit(data / "voortgang.csv", lambda r: (r["actie"], r["eenheid"]) == ("U25", "W"),
          "tekst", "Wijdemeren sluit sinds dit voorjaar aan bij het casusoverleg.")
    assert run_study(study_copy, out=tmp_path / "a", units=units, changed_only=True).ok
    assert _ran(capsys.readouterr().out) == {"uitvoeringsplan"}
    assert run_study(study_copy, out=tmp_path / "d", units=units).ok
    assert _files(tmp_path / "a" / STUDY_ID) == _files(tmp_path / "d" / STUDY_ID)

    # Nothing changed: nothing runs (not even the kernel template starts), nothing is lost.
    before = _files(tmp_path / "a" / STUDY_ID)
    templates = []
    monkeypatch.setattr(batch_run, "KernelServer", lambda *a, **k: templates.append(a))
    assert run_study(study_copy, out=tmp_path / "a", units=units, changed_only=True).ok
    assert templates == []
    assert _ran(capsys.readouterr().out) == set()
    assert _files(tmp_path / "a" / STUDY_ID) == before
    assert STATE in before  # the fingerprints, kept beside the audit notebooks
