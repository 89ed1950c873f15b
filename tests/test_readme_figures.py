"""The README's account of how the rules disagree with the analysts' judgements (the embedded
study), pinned: a change in scoring that moves these figures must also change the README."""

from __future__ import annotations

from dataclasses import replace

import pytest

from basisop.io.study import PROJECT_ROOT
from basisop.scoring import score

SEVERITY = {"groen": 0, "oranje": 1, "rood": 2}


def _directions(scores) -> tuple[int, int, int]:
    """(disagreements, rule milder than the judgement, rule harsher)."""
    differ = scores[scores["afwijking"]]
    rule = differ["berekend"].map(SEVERITY)
    judged = differ["oordeel"].map(SEVERITY)
    return len(differ), int((rule < judged).sum()), int((rule > judged).sum())


@pytest.mark.parametrize(("rule", "figures", "sentence"), [
    ("meerderheid", (24, 20, 4), "24 afwijkingen (regel: meerderheid)"),
    ("gemiddelde", (39, 38, 1), "`gemiddelde` disagrees 39 times (38 milder)"),
    ("strengst", (18, 7, 11), "18 times but in both directions (7 milder, 11 harsher)"),
])
def test_disagreement_figures_match_the_readme(embedded, rule, figures, sentence):
    scores = score(embedded, replace(embedded.study.scoring, regel=rule))
    assert _directions(scores) == figures
    readme = " ".join((PROJECT_ROOT / "README.md").read_text(encoding="utf-8").split())
    assert " ".join(sentence.split()) in readme


def test_cells_with_both_and_the_share_of_wijdemeren(embedded):
    scores = score(embedded)
    both = scores[(scores["oordeel"].isin(list(SEVERITY))) & (scores["berekend"].isin(
        list(SEVERITY)))]
    assert len(both) == 78
    assert int(scores[scores["afwijking"]]["eenheid"].eq("W").sum()) == 9
