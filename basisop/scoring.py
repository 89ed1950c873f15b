"""Scoring: the rule's status from coded evidence beside the analyst's judgement, priority, level.

The two are kept apart on purpose (DOMAIN.md): the report's colours are the analysts' weighing
of perceptions, with no fixed criteria. The rule makes the evidence's own reading visible, the
judgement stays what was recorded, and where they differ the difference is flagged.

Rules (chosen by `scoring.regel` in the study file); only fragments with an oordeel vote:
- meerderheid (default): the colour most fragments carry; a tie goes to the worse colour, so
  the rule never paints a doubtful case better than its evidence.
- gemiddelde: mean of rood=0, oranje=1, groen=2; >= 1.5 groen, >= 0.5 oranje, else rood.
- strengst: the worst colour any fragment carries (one rood fragment makes rood).
Fewer voting fragments than `scoring.minimum_fragmenten` give no computed status.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from basisop.io.dataset import StudyData
from basisop.model import (
    COLOURS,
    INTERVIEW,
    PRIORITY_BY_STATUS,
    Level,
    PriorityRange,
    ScoringSettings,
    Status,
    Unit,
)

SOURCE_JUDGEMENT = "oordeel"
SOURCE_RULE = "regel"
SOURCE_UNKNOWN = "onbekend"

SCORE_COLUMNS = ["eenheid", "eenheid_naam", "thema_id", "thema", "subthema_id", "subthema",
                 "status", "bron", "berekend", "oordeel", "afwijking", "fragmenten",
                 "respondenten", "groen", "oranje", "rood", "prioriteit", "motivering"]


def compute_status(oordelen: Iterable[Status | None], rule: str = "meerderheid",
                   minimum: int = 1) -> Status:
    """The rule's status from the oordelen of a subtheme's fragments; ONBEKEND without evidence."""
    return status_from_counts(Counter(o for o in oordelen if o in COLOURS), rule, minimum)


def status_from_counts(counts: Mapping[Status, int], rule: str = "meerderheid",
                       minimum: int = 1) -> Status:
    """The rule's status from how many voting fragments carry each colour."""
    colours = {s: n for s, n in counts.items() if s in COLOURS and n > 0}
    total = sum(colours.values())
    if not total or total < minimum:
        return Status.ONBEKEND
    if rule == "strengst":
        return min(colours, key=lambda s: s.rank)
    if rule == "gemiddelde":
        mean = sum(s.rank * n for s, n in colours.items()) / total
        return Status.GROEN if mean >= 1.5 else Status.ORANJE if mean >= 0.5 else Status.ROOD
    if rule == "meerderheid":
        top = max(colours.values())
        return min((s for s, n in colours.items() if n == top), key=lambda s: s.rank)
    raise ValueError(f"onbekende scoringsregel '{rule}'")


def final_status(judged: Status | None, computed: Status) -> tuple[Status, str]:
    """The judgement where one is recorded (even 'onbekend'), else the rule's, else unknown."""
    if judged is not None:
        return judged, SOURCE_JUDGEMENT
    if computed != Status.ONBEKEND:
        return computed, SOURCE_RULE
    return Status.ONBEKEND, SOURCE_UNKNOWN


_EVIDENCE = "evidence rows"


def records(frame: pd.DataFrame) -> list[dict]:
    """The rows as dicts of plain Python values, as `frame.to_dict("records")` gives them, in a
    tenth of the time: pandas boxes every cell on its own, and a chapter asks for thousands."""
    columns = list(frame.columns)
    if frame.columns.is_unique:
        values = [frame[c].tolist() for c in columns]  # iloc[:, i] costs ten times more
    else:
        values = [frame.iloc[:, i].tolist() for i in range(len(columns))]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def prepare(data: StudyData) -> None:
    """Compute once what every notebook asks of the study (scores, priorities, fragments per
    subtheme), so processes forked afterwards (batch/kernels.py) find it ready."""
    study_priorities(data)
    _evidence_rows(data)


def score(data: StudyData, settings: ScoringSettings | None = None) -> pd.DataFrame:
    """One row per unit and covered subtheme, in framework order (computed once per setting)."""
    settings = settings or data.study.scoring
    if settings not in data.cache:
        data.cache[settings] = _score(data, settings)
    return data.cache[settings].copy()


def _score(data: StudyData, settings: ScoringSettings) -> pd.DataFrame:
    study = data.study
    judgements = {(r["eenheid"], r["subthema"]): r
                  for r in records(data.judgements.frame)}
    evidence_counts = _evidence_counts(data.codings.frame)
    empty = {"fragmenten": 0, "respondenten": 0, "groen": 0, "oranje": 0, "rood": 0}
    rows = []
    for unit in study.eenheden:
        for theme in study.framework.themas:
            for sub in theme.subthemas:
                if not unit.covers(sub.id):
                    continue
                found = evidence_counts.get((unit.code, sub.id), empty)
                counts = {s: found[s.value] for s in COLOURS}
                computed = status_from_counts(counts, settings.regel,
                                              settings.minimum_fragmenten)
                judgement = judgements.get((unit.code, sub.id))
                judged = Status(judgement["status"]) if judgement else None
                status, source = final_status(judged, computed)
                priority = PRIORITY_BY_STATUS.get(status)
                rows.append({
                    "eenheid": unit.code, "eenheid_naam": unit.naam,
                    "thema_id": theme.id, "thema": theme.naam,
                    "subthema_id": sub.id, "subthema": sub.naam,
                    "status": status.value, "bron": source, "berekend": computed.value,
                    "oordeel": judged.value if judged else "",
                    "afwijking": differs(judged, computed),
                    "fragmenten": found["fragmenten"], "respondenten": found["respondenten"],
                    "groen": counts[Status.GROEN], "oranje": counts[Status.ORANJE],
                    "rood": counts[Status.ROOD],
                    "prioriteit": priority.value if priority else "",
                    "motivering": judgement["motivering"] if judgement else "",
                })
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def _evidence_counts(codings: pd.DataFrame) -> dict[tuple[str, str], dict[str, int]]:
    """Per (unit, subtheme): fragments, distinct respondents and fragments per colour, counted
    on integer codes in one pass (a group-by took seconds for a million fragments)."""
    if codings.empty:
        return {}
    units, unit_names = pd.factorize(codings["eenheid"])
    subthemes, subtheme_names = pd.factorize(codings["subthema"])
    known = (units >= 0) & (subthemes >= 0)  # as groupby: rows without a key are left out
    pairs, pair_keys = pd.factorize(units[known] * len(subtheme_names) + subthemes[known])
    size = len(pair_keys)
    counts = {"fragmenten": np.bincount(pairs, minlength=size)}
    # Respondents count interviews only, never summaries or documents (see `interviewed`).
    respondents = pd.factorize(codings["respondent"])[0][known]
    voice = respondents >= 0
    if "soort" in codings:
        voice &= (codings["soort"] == INTERVIEW).to_numpy()[known]
    heard = np.unique(pairs[voice].astype(np.int64) * (respondents.max() + 1)
                      + respondents[voice])
    counts["respondenten"] = np.bincount(heard // (respondents.max() + 1), minlength=size)
    oordelen, words = pd.factorize(codings["oordeel"])
    oordelen = oordelen[known]
    for s in COLOURS:
        code = words.get_indexer([s.value])[0]  # -1 when no fragment has it: counts 0
        counts[s.value] = np.bincount(pairs[oordelen == code] if code >= 0 else [],
                                      minlength=size)
    columns = {name: values.tolist() for name, values in counts.items()}
    return {(unit_names[key // len(subtheme_names)], subtheme_names[key % len(subtheme_names)]):
            {name: values[i] for name, values in columns.items()}
            for i, key in enumerate(pair_keys.tolist())}


def interviewed(fragments: pd.DataFrame) -> int:
    """How many respondents the fragments quote: interviews only, never summaries or documents."""
    if "soort" not in fragments:
        return fragments["respondent"].nunique()
    return fragments.loc[fragments["soort"] == INTERVIEW, "respondent"].nunique()


def differs(judged: Status | None, computed: Status) -> bool:
    """Flag only where both say a colour and the colours differ."""
    return (judged in COLOURS and computed in COLOURS) and judged != computed


def disagreements(scores: pd.DataFrame) -> pd.DataFrame:
    return scores[scores["afwijking"]][["eenheid", "subthema", "oordeel", "berekend",
                                        "fragmenten", "groen", "oranje", "rood"]]


def theme_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Per unit and theme: how many subthemes are groen, oranje, rood or onbekend."""
    keys = ["eenheid", "thema_id"]
    counts = scores.groupby([*keys, "status"], sort=False).size().unstack("status", fill_value=0)
    # unstack orders the themes by their first appearance in any unit: a unit assessed on a few
    # themes only would reorder the next unit's. Keep the study's and the framework's order.
    counts = counts.reindex(pd.MultiIndex.from_frame(scores[keys].drop_duplicates()))
    counts = counts.reindex(columns=[s.value for s in Status], fill_value=0).reset_index()
    names = scores.drop_duplicates("thema_id").set_index("thema_id")["thema"]
    counts.insert(2, "thema", counts["thema_id"].map(names))
    return counts


def level_by_rule(subtheme_id: str, recommendations: pd.DataFrame,
                  gap_share: float | None) -> Level | None:
    """Where the work lies: Districtelijk / Lokaal / D & L.

    1. From the recommendations that address the subtheme: only district ones -> Districtelijk,
       only local ones -> Lokaal, both -> D & L.
    2. Without a recommendation: a gap (oranje or rood) in at least half of the assessed
       municipalities is shared and best organised by the district; a gap in fewer is Lokaal;
       no gap, no level.
    """
    levels = {Level(r["niveau"]) for r in records(recommendations)
              if subtheme_id in r["subthemas"].split(";")}
    if Level.BEIDE in levels or {Level.LOKAAL, Level.DISTRICTELIJK} <= levels:
        return Level.BEIDE
    if levels:
        return levels.pop()
    if not gap_share:
        return None
    return Level.DISTRICTELIJK if gap_share >= 0.5 else Level.LOKAAL


def status_column(unit_code: str) -> str:
    """The priorities table's column for a unit's status; prefixed, so no code can clash."""
    return f"status {unit_code}"


def priorities(data: StudyData, scores: pd.DataFrame,
               units: Sequence[Unit] | None = None) -> pd.DataFrame:
    """Per subtheme: the municipalities' statuses side by side, priority and level.

    Priority by rule is the plan's legend (rood = Hoog, oranje = Gemiddeld, groen = Laag)
    taken over the assessed municipalities, a range where they differ ("Gemiddeld tot Hoog").
    A row in the study's prioriteiten file replaces both rule values as written (an empty cell
    stays empty: the source leaves it open) and is marked; its `niveau_tekst` is the level the
    source's text gives where that differs from its table.
    `units` limits it to some units (a region's); default all.
    """
    study = data.study
    overrides = {r["subthema"]: r for r in records(data.overrides.frame)}
    municipal = [u.code for u in (units or study.eenheden) if u.is_municipal]
    # One pass over the scores, not one filter per subtheme: at national scale (5,800 rows)
    # that took a tenth of a second in every chapter.
    assessed = scores[scores["eenheid"].isin(municipal)]
    by_subtheme: dict[str, dict[str, Status]] = {}
    for code, sid, status in zip(assessed["eenheid"].tolist(), assessed["subthema_id"].tolist(),
                                 assessed["status"].tolist(), strict=True):
        by_subtheme.setdefault(sid, {})[code] = Status(status)
    rows = []
    for sub in study.framework.subthemes:
        statuses = by_subtheme.get(sub.id, {})
        known = [s for s in statuses.values() if s in COLOURS]
        by_rule = PriorityRange.of([PRIORITY_BY_STATUS[s] for s in known])
        gap = sum(s != Status.GROEN for s in known) / len(known) if known else None
        level = level_by_rule(sub.id, data.recommendations.frame, gap)
        override = overrides.get(sub.id, {})
        row = {"thema_id": sub.thema_id, "thema": study.framework.theme(sub.thema_id).naam,
               "subthema_id": sub.id, "subthema": sub.naam}
        row.update({status_column(code): statuses.get(code, Status.ONBEKEND).value
                    for code in municipal})
        rule_priority, rule_level = str(by_rule) if by_rule else "", level.value if level else ""
        row.update({
            "prioriteit_regel": rule_priority,
            # An override row is the analysts' table: an empty cell there stays empty.
            "prioriteit": override["prioriteit"] if override else rule_priority,
            "niveau_regel": rule_level,
            "niveau": override["niveau"] if override else rule_level,
            "niveau_tekst": override.get("niveau_tekst", ""),
            "bron": SOURCE_JUDGEMENT if override else SOURCE_RULE,
            "motivering": override.get("motivering", ""),
        })
        rows.append(row)
    return pd.DataFrame(rows)


def study_priorities(data: StudyData) -> pd.DataFrame:
    """`priorities` of all units with the study's own scores, computed once: every chapter
    shows the plan's priority, and at national scale the table takes a tenth of a second."""
    key = ("priorities", data.study.scoring)
    if key not in data.cache:
        data.cache[key] = priorities(data, score(data))
    return data.cache[key].copy()


def evidence(data: StudyData, unit: str, subtheme_id: str) -> pd.DataFrame:
    """The fragments behind one status, for tracing a colour back to its quotes."""
    codings = data.codings.frame
    rows = _evidence_rows(data).get((unit, subtheme_id))
    return codings.iloc[rows] if rows is not None else codings.iloc[:0]


def _evidence_rows(data: StudyData) -> dict[tuple[str, str], object]:
    """Row positions per (unit, subtheme), grouped once: a chapter asks for every subtheme,
    and filtering 23,000 national rows each time cost a tenth of a second per chapter."""
    if _EVIDENCE not in data.cache:
        codings = data.codings.frame
        data.cache[_EVIDENCE] = (codings.groupby(["eenheid", "subthema"], sort=False).indices
                                 if not codings.empty else {})
    return data.cache[_EVIDENCE]


def reaches(recommendation: dict, unit: Unit) -> bool:
    """Whom a recommendation addresses: the units it names; without names, a district one
    every unit (the district partners too) and a local one every municipality."""
    named = [code for code in recommendation["eenheden"].split(";") if code]
    if named:
        return unit.code in named
    return Level(recommendation["niveau"]) != Level.LOKAAL or unit.is_municipal


def _priority_rank(text: str) -> int:
    """The high end of a priority or range ('Gemiddeld tot Hoog' -> Hoog); -1 without one."""
    return PriorityRange.parse(text).high.rank if text else -1


def unit_recommendations(data: StudyData, unit: Unit, scores: pd.DataFrame,
                         plan: pd.DataFrame) -> list[dict]:
    """The recommendations that reach a unit, whatever its colours, most urgent first.

    Each carries the unit's subthemes it addresses with their status; the order is the plan's
    highest priority among those subthemes (`plan` is the `priorities` table), then the
    recommendations' own order."""
    status = {r["subthema_id"]: (r["subthema"], r["status"])
              for r in records(scores[scores["eenheid"] == unit.code])}
    priority = dict(zip(plan["subthema_id"], plan["prioriteit"], strict=True))
    found = []
    for rec in records(data.recommendations.frame):
        if not reaches(rec, unit):
            continue
        ids = [s for s in rec["subthemas"].split(";") if s in status]
        found.append({**rec, "betreft": [(status[s][0], status[s][1]) for s in ids],
                      "prioriteit": max((priority.get(s, "") for s in ids),
                                        key=_priority_rank, default="")})
    return sorted(found, key=lambda r: -_priority_rank(r["prioriteit"]))


def most_red(scores: pd.DataFrame, municipal: Iterable[str]) -> pd.DataFrame:
    """Subthemes by the number of municipal units that are rood, most first.

    `beoordeeld` counts the units with a known colour; `meerderheid` marks a rood majority."""
    scores = scores[scores["eenheid"].isin(list(municipal))]
    assessed = scores[scores["status"] != Status.ONBEKEND.value]
    table = assessed.groupby(["subthema_id", "subthema"], sort=False).agg(
        rood=("status", lambda s: int((s == Status.ROOD.value).sum())),
        beoordeeld=("status", "size")).reset_index()
    # Counts, even when nothing is assessed (an empty aggregate keeps the text dtype).
    table = table.astype({"rood": int, "beoordeeld": int})
    table = table[table["rood"] > 0]
    table = table.sort_values("rood", ascending=False, kind="stable").reset_index(drop=True)
    table["meerderheid"] = table["rood"] * 2 > table["beoordeeld"]
    return table


def rule_agreement(scores: pd.DataFrame) -> tuple[int, int]:
    """Where both the analysts and the rule give a colour: how often, and how often they differ."""
    colours = [s.value for s in COLOURS]
    both = scores[scores["oordeel"].isin(colours) & scores["berekend"].isin(colours)]
    return len(both), int(both["afwijking"].sum())


def municipal_spread(scores: pd.DataFrame, subtheme_id: str, municipal: Iterable[str]) -> dict:
    """How many municipal units have each colour on one subtheme (unknown ones left out)."""
    here = scores[(scores["subthema_id"] == subtheme_id) & scores["eenheid"].isin(list(municipal))]
    return {s.value: int((here["status"] == s.value).sum()) for s in COLOURS}


def provenance(data: StudyData, unit: str) -> pd.DataFrame:
    """Where each of a unit's judgements and fragments comes from (the `bron` column, with
    source line numbers and notes on the source's typing): for the audit notebook only."""
    judged = data.judgements.frame
    judged = judged[judged["eenheid"] == unit]
    # `tekst` from the filtered frame: a whole-table column would give a unit without
    # judgements every other unit's judgement (an empty frame takes a column's index).
    judged = judged.assign(soort="oordeel", tekst=judged["status"])
    codings = data.codings.frame
    codings = codings[codings["eenheid"] == unit].rename(columns={"fragment": "tekst"})
    columns = ["subthema", "soort", "tekst", "bron"]
    return pd.concat([judged[columns], codings[columns]], ignore_index=True)
