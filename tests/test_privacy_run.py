"""End to end: personal data planted in the embedded study never reaches a published file."""

from __future__ import annotations

import csv
import re

import pytest
from test_privacy import CONFIDENTIAL, EMAIL, NAME, PHONE, plant

from basisop.cli import main

LEAK = f"Volgens {NAME} ({EMAIL}, {PHONE}) is de meldstructuur onbekend."


@pytest.mark.slow
def test_run_publishes_no_planted_datum_and_says_what_it_held_back(study_copy, tmp_path,
                                                                    capsys):
    plant(study_copy)  # register with name and contacts of W-R1, a confidential fragment
    folder = study_copy.parent.parent / "data" / "gooi-en-vechtstreek-2024"
    with (folder / "codering-wijdemeren.csv").open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        # An analyst's slip: the name and contacts typed into a fragment, and the confidential
        # passage coded a second time without the flag.
        writer.writerow(["W", "W-R1", "", "informatiepositie", "", "rood", LEAK, "", ""])
        writer.writerow(["W", "W-R1", "", "pga", "", "oranje", CONFIDENTIAL, "", "nee"])
    out = tmp_path / "reports"

    assert main(["run", str(study_copy), "--out", str(out)]) == 1

    captured = capsys.readouterr()
    report = out / "gooi-en-vechtstreek-2024"
    assert not (report / "wijdemeren.html").exists()
    assert (report / "hilversum.html").is_file() and (report / "regio.html").is_file()
    said = captured.out + captured.err
    assert "Tegengehouden door de privacycontrole" in said
    assert "wijdemeren.html" in said
    for rule in ("naam uit register", "e-mailadres", "contactgegeven uit register",
                 "vertrouwelijk fragment"):
        assert rule in said, rule
    for secret in (NAME, EMAIL, PHONE, CONFIDENTIAL[:60]):
        assert secret not in said
        for path in report.rglob("*"):
            if path.is_file():
                text = path.read_text(encoding="utf-8")
                assert secret not in text, f"{secret!r} published in {path.name}"
                assert not re.search(r"\bW-R1\b", text), path.name


# Realistic Dutch names; Groen, de Wit and van Huizen collide with the product's own words.
REALISTIC = {"W-R1": "Sanne de Wit", "GM-R1": "Groen, Piet", "BL-R1": "Kees van Huizen",
             "Hi-R1": "Vries, Jan de", "Hi-R2": "Bram Timmermans", "Hu-R1": "Fatima el Amrani",
             "D-R1": "Jan Peter Jansen"}
SPELLINGS = ["Jan de Vries", "J. de Vries", "de Vries", "Vries, J.", "J. Jansen",
             "J.P. Jansen", "Timmermans", "w-r1", "Jan Peter Jan-\nsen", "J\u0430n de Vri\u0435s",
             "S. de Wit", "P. Groen", "K. van Huizen", "F. el Amrani"]


@pytest.mark.slow
def test_a_study_with_realistic_names_publishes_and_each_spelling_is_held_back(
        study_copy, tmp_path, capsys):
    from basisop.io.dataset import load_study_data
    from basisop.io.study import load_study
    from basisop.privacy import PrivacyGuard

    register = study_copy.parent.parent / "data" / "gooi-en-vechtstreek-2024" / "respondenten.csv"
    with register.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["naam"] = REALISTIC.get(row["id"], "")
    with register.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    study_copy.write_text(study_copy.read_text(encoding="utf-8") + (
        "privacy:\n  toegestaan:\n    - tekst: van Huizen\n"
        "      reden: ook 'gemeente van Huizen'; nagekeken door de analist\n"),
        encoding="utf-8")
    out = tmp_path / "reports"

    assert main(["run", str(study_copy), "--out", str(out)]) == 0, capsys.readouterr()

    assert "'van Huizen' – ook 'gemeente van Huizen'" in capsys.readouterr().err
    guard = PrivacyGuard.for_study(load_study_data(load_study(study_copy)))
    page = (out / "gooi-en-vechtstreek-2024" / "hilversum.html").read_text(encoding="utf-8")
    assert guard.scan_text(page, "hilversum.html") == []
    for spelling in SPELLINGS:
        planted = page.replace("</h1>", f"</h1><p>Volgens {spelling} gaat het goed.</p>", 1)
        assert guard.scan_text(planted, "hilversum.html"), spelling
