"""The implementation plan page (uitvoeringsplan.html) and the chapters' links to it.

Per theme the plan's table (the municipalities' statuses side by side, priority, level), then
per level the subthemes with their actions and each action's progress per unit, in the order
of the actions table (the plan's order). An action about several subthemes is listed once,
under its first. Source lines stay in the data and the audit notebooks, never on the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from basisop.io.dataset import StudyData
from basisop.model import PLAN_PAGE, Status, dutch_date
from basisop.presentation import _ENV, Chapter, _study_line
from basisop.scoring import priorities, records, score, status_column

NOT_STATED = "niet vermeld"
_SECTION = re.compile(r"§\s*([\d.]+\d)")
_PLAN = _ENV.get_template("plan.html.j2").module


def _render(macro: str, **values) -> str:
    return str(getattr(_PLAN, macro)(**values))


@dataclass
class Plan:
    data: StudyData
    priorities: pd.DataFrame

    @classmethod
    def build(cls, data: StudyData) -> Plan:
        return cls(data, priorities(data, score(data)))

    @property
    def actions(self) -> pd.DataFrame:
        return self.data.actions.frame


def _home(action: dict) -> str:
    """The subtheme an action is listed under: its first, so it is shown once."""
    return action["subthemas"].split(";")[0]


def plan_intro(plan: Plan) -> str:
    study = plan.data.study
    return _render("intro", study=study, study_line=_study_line(study))


def plan_theme(plan: Plan, theme_id: str) -> str:
    """One theme: the plan's table, then per level the subthemes with actions and progress."""
    framework = plan.data.study.framework
    theme = framework.theme(theme_id)
    codes = [u.code for u in plan.data.study.municipal_units]
    table = plan.priorities[plan.priorities["thema_id"] == theme_id]
    rows = [{**r, "statuses": [(c, Status(r[status_column(c)])) for c in codes]}
            for r in records(table)]
    ids = {s.id for s in theme.subthemas}
    mine = [a for a in records(plan.actions) if _home(a) in ids]
    levels = []
    for level in dict.fromkeys(a["niveau"] for a in mine):
        here = [a for a in mine if a["niveau"] == level]
        subthemes = [{"id": sub_id, "naam": framework.subtheme(sub_id).naam,
                      "acties": [_action(plan, a) for a in here if _home(a) == sub_id]}
                     for sub_id in dict.fromkeys(_home(a) for a in here)]
        levels.append({"naam": level, "subthemas": subthemes})
    return _render("theme", theme=theme, codes=codes, rows=rows, levels=levels)


def _action(plan: Plan, a: dict) -> dict:
    framework = plan.data.study.framework
    others = [framework.subtheme(s).naam for s in a["subthemas"].split(";")[1:]]
    facts = [f"ook: {', '.join(others)}" if others else "",
             f"eenheden: {a['eenheden'].replace(';', ', ')}" if a["eenheden"] else "",
             f"eigenaar: {a['eigenaar']}" if a["eigenaar"] else "",
             f"streefdatum: {dutch_date(a['streefdatum'])}" if a["streefdatum"] else ""]
    progress = plan.data.progress.frame
    names = {u.code: u.naam for u in plan.data.study.eenheden}
    rows = [{"wie": names.get(r["eenheid"], "alle gemeenten / district"),
             "status": r["status"] or NOT_STATED, "datum": dutch_date(r["datum"]),
             "tekst": r["tekst"]}
            for r in records(progress[progress["actie"] == a["id"]])]
    return {**a, "facts": "; ".join(f for f in facts if f), "voortgang": rows}


def plan_sections(actions: pd.DataFrame) -> dict[str, int]:
    """How many actions each section of the plan (from `bron`, '§2.1.1') holds, in order."""
    counts: dict[str, int] = {}
    for bron in actions["bron"]:
        match = _SECTION.search(bron)
        key = match.group(1) if match else "zonder paragraaf"
        counts[key] = counts.get(key, 0) + 1
    return counts


def plan_note(plan: Plan) -> str:
    """The closing note: how many actions per section of the plan, and what is not recorded."""
    return _render("note", total=len(plan.actions), sections=plan_sections(plan.actions),
                   progress=len(plan.data.progress.frame))


def plan_link_html(chapter: Chapter) -> str:
    """For a chapter: its gaps (rood, oranje) with the number of plan actions on each."""
    actions = chapter.data.actions.frame
    if actions.empty or not chapter.unit.is_municipal:
        return ""
    code = chapter.unit.code
    reach = actions[actions["eenheden"].map(lambda e: not e or code in e.split(";"))]
    about = reach["subthemas"].str.split(";")
    gaps = [{**r, "n": int(about.map(lambda s, i=r["subthema_id"]: i in s).sum())}
            for r in records(chapter.scores) if r["status"] in ("rood", "oranje")]
    return (_render("link", unit=chapter.unit, page=f"{PLAN_PAGE}.html", gaps=gaps)
            if gaps else "")
