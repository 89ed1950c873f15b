"""What if a judgement or the rule were different? Computed in memory; nothing is written."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from basisop.io.dataset import StudyData
from basisop.model import Status
from basisop.scoring import disagreements, priorities, reaches, score

# The what-if's choice that removes the recorded judgement, so the rule decides.
NO_JUDGEMENT = "geen oordeel"
PRIORITY_COLUMNS = ["prioriteit_regel", "niveau_regel", "prioriteit", "niveau", "bron",
                    "motivering"]


@dataclass(frozen=True)
class WhatIf:
    """The study's scores before and after one change, for one unit and subtheme in focus."""

    eenheid: str
    subthema: str  # id
    regel: str
    before: pd.DataFrame
    after: pd.DataFrame
    priorities_before: pd.DataFrame
    priorities_after: pd.DataFrame
    recommendations: pd.DataFrame

    def status(self, which: str = "after") -> str:
        scores = self.after if which == "after" else self.before
        row = scores[(scores["eenheid"] == self.eenheid) & (scores["subthema_id"] == self.subthema)]
        return row["status"].iloc[0] if len(row) else Status.ONBEKEND.value

    def changed(self) -> pd.DataFrame:
        """Every unit and subtheme whose status or rule status changes."""
        keys = ["eenheid", "subthema_id", "subthema"]
        both = self.before[[*keys, "status", "berekend"]].merge(
            self.after[[*keys, "status", "berekend"]], on=keys, suffixes=("_voor", "_na"))
        moved = ((both["status_voor"] != both["status_na"])
                 | (both["berekend_voor"] != both["berekend_na"]))
        return both[moved].reset_index(drop=True)

    def disagreements(self) -> pd.DataFrame:
        return disagreements(self.after)

    def priority(self) -> pd.DataFrame:
        """The subtheme's priority and level before and after: the rule's values change, the
        study's fixed overrides (bron 'oordeel') stay as recorded."""
        rows = {label: frame[frame["subthema_id"] == self.subthema][PRIORITY_COLUMNS].iloc[0]
                for label, frame in (("voor", self.priorities_before),
                                     ("na", self.priorities_after))}
        return pd.DataFrame(rows)


def what_if(data: StudyData, eenheid: str, subthema: str, *, status: str | None = None,
            regel: str | None = None) -> WhatIf:
    """Score the study with one judgement set (or removed: NO_JUDGEMENT) and/or another rule.

    `eenheid` and `subthema` are canonical (code, id); `status` a Status value or NO_JUDGEMENT.
    """
    changed = data
    if status is not None:
        frame = data.judgements.frame
        frame = frame[~((frame["eenheid"] == eenheid) & (frame["subthema"] == subthema))]
        if status != NO_JUDGEMENT:
            row = {"eenheid": eenheid, "subthema": subthema, "status": Status(status).value,
                   "motivering": "wat-als", "bron": "wat-als"}
            frame = pd.concat([frame, pd.DataFrame([row])], ignore_index=True)
        changed = replace(data, judgements=replace(data.judgements, frame=frame))
    settings = replace(data.study.scoring, regel=regel or data.study.scoring.regel)
    before = score(data)
    after = score(changed, settings)
    result = WhatIf(eenheid, subthema, settings.regel, before, after,
                    priorities(data, before), priorities(changed, after), pd.DataFrame())
    unit = data.study.require_unit(eenheid)
    recs = pd.DataFrame([r for r in data.recommendations.frame.to_dict("records")
                         if reaches(r, unit) and subthema in r["subthemas"].split(";")],
                        columns=data.recommendations.frame.columns)
    recs = recs[["id", "niveau", "titel", "tekst"]].assign(
        status_voor=result.status("before"), status_na=result.status("after"))
    return replace(result, recommendations=recs.reset_index(drop=True))
