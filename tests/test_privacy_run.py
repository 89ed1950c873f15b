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
