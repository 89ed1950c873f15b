"""The embedded concept (19 November 2024): an overlay on the final's tables, verbatim."""

from __future__ import annotations

import re

import pytest

from basisop.io.dataset import load_study_data
from basisop.io.study import PROJECT_ROOT, load_study

SEED = "seeds/000_d7cafd8f89b0436d.txt"
CONCEPT = PROJECT_ROOT / "params" / "gooi-en-vechtstreek-2024-concept.yaml"
# label in `bron`, first and last line of the document in the seed (DOMAIN.md)
VERSIONS = {"concept": ("Conceptrapport 19-11-2024", 1004, 2035),
            "definitief": ("Eindrapport 12-12-2024", 2136, 3168)}
_LINES = re.compile(r"r\. (\d+)(?:-(\d+))?")


def _plain(text: str) -> str:
    """Text as the tables keep it: no markdown bold, quote marks, bullets, footnotes, breaks."""
    text = re.sub(r"(?m)^[⁰¹²³⁴⁵⁶⁷⁸⁹]+ .*$", "", text)  # a footnote inside a split paragraph
    text = re.sub("[⁰¹²³⁴⁵⁶⁷⁸⁹]", "", text)  # footnote markers are not kept in the tables
    text = re.sub(r"(?m)^\s*(?:- |◇ )", "", text)
    return " ".join(re.sub("[*“”\"•◦]", "", text).split())


@pytest.fixture(scope="module")
def versions():
    return {"concept": load_study_data(load_study(CONCEPT)), "definitief": load_study_data(
        load_study(PROJECT_ROOT / "params" / "gooi-en-vechtstreek-2024.yaml"))}


@pytest.mark.parametrize(("table", "column"), [("codings", "fragment"),
                                               ("recommendations", "tekst")])
def test_every_concept_row_is_verbatim_in_the_concepts_lines(shared_dir, versions, table,
                                                             column):
    version = "concept"
    label, first, last = VERSIONS[version]
    seed = (shared_dir / SEED).read_text(encoding="utf-8").splitlines()
    frame = getattr(versions[version], table).frame
    assert len(frame) > 10
    for row in frame.to_dict("records"):
        assert row["bron"].startswith(label), row["id"]
        start, end = (int(n) if n else None for n in _LINES.search(row["bron"]).groups())
        end = end or start
        assert first <= start <= end <= last, row["id"]
        assert _plain(row[column]) in _plain("\n".join(seed[start - 1:end])), row["id"]


def test_the_concept_is_valid_and_keeps_the_finals_other_rows(versions):
    concept, final = versions["concept"], versions["definitief"]
    assert concept.ok and concept.study.status == "concept"
    assert final.study.status == "definitief"
    ids = set(concept.codings.frame["id"])
    assert {"Hi-022", "Hi-046", "W-047"}.isdisjoint(ids)
    assert {"Hi-C01", "Hu-C01"} <= ids
    assert len(ids) == len(final.codings.frame) - 3 + 2


def test_a_line_without_counterpart_asks_for_the_row_in_the_overlay(tmp_path):
    text = CONCEPT.read_text(encoding="utf-8").replace("../data/", f"{PROJECT_ROOT}/data/")
    text = text.replace("verwijderd: [Hi-022, Hi-046, W-047]", "verwijderd: [Hi-022, W-047, X-9]")
    lines = tmp_path / "regels.csv"  # the line map without the range holding r. 2757
    lines.write_text("van,tot,verschuiving\n2136,2728,-1132\n", encoding="utf-8")
    text = re.sub(r"regels: .*", f"regels: {lines}", text)
    study = tmp_path / "concept.yaml"
    study.write_text(text, encoding="utf-8")
    data = load_study_data(load_study(study))
    reasons = [(p.column, p.value, p.reason) for p in data.problems if p.is_error]
    assert any(column == "bron" and "r. 2757" in value and "Hi-046" in reason
               for column, value, reason in reasons)
    assert any("'X-9'" in reason for _, _, reason in reasons)
