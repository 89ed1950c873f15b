"""Rules of the priority table that mutation testing found unpinned (the level rule's gap
share): each tested on its documented behaviour."""

from __future__ import annotations

import pandas as pd
import pytest

from basisop.model import Level, Status
from basisop.scoring import level_by_rule, priorities, score, status_column

NO_RECOMMENDATIONS = pd.DataFrame(columns=["id", "niveau", "subthemas"])


@pytest.mark.parametrize(("share", "level"), [
    (1.0, Level.DISTRICTELIJK), (0.5, Level.DISTRICTELIJK), (0.49, Level.LOKAAL),
    (0.2, Level.LOKAAL), (0.0, None), (None, None),
])
def test_without_a_recommendation_the_gap_share_decides_the_level(share, level):
    assert level_by_rule("pga", NO_RECOMMENDATIONS, share) == level


def test_the_priority_table_applies_the_gap_rule_to_the_shown_statuses(embedded):
    table = priorities(embedded, score(embedded))
    recommended = {s for r in embedded.recommendations.frame["subthemas"] for s in r.split(";")}
    municipal = [status_column(u.code) for u in embedded.study.municipal_units]
    checked = set()
    for row in table.to_dict("records"):
        if row["subthema_id"] in recommended:
            continue
        known = [row[c] for c in municipal if row[c] in ("groen", "oranje", "rood")]
        share = sum(s != Status.GROEN.value for s in known) / len(known) if known else 0
        expected = "" if not share else (Level.DISTRICTELIJK.value if share >= 0.5
                                         else Level.LOKAAL.value)
        assert row["niveau_regel"] == expected, row["subthema_id"]
        checked.add(expected)
    assert checked - {""}, "the embedded study has subthemes leveled by the gap rule"
