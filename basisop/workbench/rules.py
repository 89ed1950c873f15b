"""Rule and judgement side by side: how often they agree, per rule and per theme."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from basisop.io.dataset import StudyData
from basisop.model import COLOURS, SCORING_RULES
from basisop.scoring import rule_agreement, score

_COLOUR_VALUES = [s.value for s in COLOURS]


def cohen_kappa(first: list[str], second: list[str]) -> float:
    """Agreement beyond chance of two raters on the same items; NaN when it is undefined."""
    n = len(first)
    if n == 0 or n != len(second):
        return float("nan")
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    chance = sum((first.count(label) / n) * (second.count(label) / n)
                 for label in set(first) | set(second))
    return float("nan") if chance == 1 else (observed - chance) / (1 - chance)


def both_coloured(scores: pd.DataFrame) -> pd.DataFrame:
    """The rows where the analysts recorded a colour and the rule computed one."""
    return scores[scores["oordeel"].isin(_COLOUR_VALUES)
                  & scores["berekend"].isin(_COLOUR_VALUES)]


def scores_by_rule(data: StudyData) -> dict[str, pd.DataFrame]:
    return {rule: score(data, replace(data.study.scoring, regel=rule))
            for rule in SCORING_RULES}


def compare_rules(data: StudyData) -> pd.DataFrame:
    """Per rule: how many statuses can be compared, how many agree, and Cohen's kappa."""
    rows = []
    for rule, scores in scores_by_rule(data).items():
        both = both_coloured(scores)
        compared, differ = rule_agreement(scores)
        rows.append({
            "regel": rule, "in_gebruik": rule == data.study.scoring.regel,
            "vergeleken": compared, "gelijk": compared - differ, "afwijkingen": differ,
            "kappa": round(cohen_kappa(list(both["oordeel"]), list(both["berekend"])), 3),
        })
    return pd.DataFrame(rows)


def agreement_by_theme(data: StudyData) -> pd.DataFrame:
    """Per rule and theme: the share of compared statuses where rule and judgement agree."""
    rows = []
    for rule, scores in scores_by_rule(data).items():
        both = both_coloured(scores)
        for theme in data.study.framework.themas:
            mine = both[both["thema_id"] == theme.id]
            rows.append({"regel": rule, "thema": theme.naam, "vergeleken": len(mine),
                         "gelijk": int((~mine["afwijking"]).sum())})
    table = pd.DataFrame(rows)
    table["aandeel"] = table["gelijk"] / table["vergeleken"].where(table["vergeleken"] > 0)
    return table
