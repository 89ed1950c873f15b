"""The implementation plan as data: actions, and progress per action and unit.

Actions (`acties:` in the study file): what the plan says to do, per subtheme and level.
`eenheden` empty means every municipality. `eigenaar` and `streefdatum` stay empty where the
plan does not say. Progress (`voortgang:`): what a unit has done on an action, with a status
(gepland, lopend, gereed, vervallen, or empty where the source does not say) and a date;
`eenheid` empty is a note about the district as a whole. Both read as CSV or XLSX, like any
table, so an analyst can keep them in Excel (see `basisop acties --xlsx`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from basisop.io.records import LoadResult, RowCheck, _load, _subtheme_parser, _unit_parser
from basisop.model import Study, parse_level

ACTION_COLUMNS = ["id", "subthemas", "niveau", "eenheden", "actie", "toelichting", "eigenaar",
                  "streefdatum", "bron"]
PROGRESS_COLUMNS = ["actie", "eenheid", "status", "datum", "tekst", "bron"]
PROGRESS_STATUSES = ("gepland", "lopend", "gereed", "vervallen")


def _date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError("verwacht een datum als 2025-08-27") from None


def _status(text: str) -> str:
    key = text.strip().casefold()
    if key not in PROGRESS_STATUSES:
        raise ValueError(f"verwacht {', '.join(PROGRESS_STATUSES)} (of leeg)")
    return key


def _split(rc: RowCheck, column: str, parse) -> str:
    values = []
    for part in (p.strip() for p in rc.cell(column).split(";")):
        if part:
            try:
                values.append(parse(part))
            except ValueError as exc:
                rc.fail(column, f"'{part}': {exc}")
    return ";".join(values)


def load_actions(study: Study, path: Path | None = None) -> LoadResult:
    """The plan's actions, each with its subthemes, level and units."""
    unit_of = _unit_parser(study)
    subtheme_of = _subtheme_parser(study.framework)

    def check(rc: RowCheck) -> dict | None:
        level = rc.parsed("niveau", parse_level, required=True)
        subthemes = _split(rc, "subthemas", subtheme_of)
        if not subthemes and rc.ok:
            rc.fail("subthemas", "noem minstens een subthema")
        return {"id": rc.required("id"), "subthemas": subthemes,
                "niveau": level.value if level else "",
                "eenheden": _split(rc, "eenheden", unit_of), "actie": rc.required("actie"),
                "toelichting": rc.cell("toelichting"), "eigenaar": rc.cell("eigenaar"),
                "streefdatum": rc.parsed("streefdatum", _date) or "", "bron": rc.cell("bron")}

    path = path or study.acties
    return _load([path] if path else [], columns=ACTION_COLUMNS,
                 required=["id", "subthemas", "niveau", "actie"], check=check,
                 key=lambda r: (r["id"],), duplicate_is_error=True, extra_columns_ok=True)


def load_progress(study: Study, actions: LoadResult, path: Path | None = None) -> LoadResult:
    """Progress rows; each names an action of the actions table."""
    unit_of = _unit_parser(study)
    known = set(actions.frame["id"])

    def check(rc: RowCheck) -> dict | None:
        action = rc.required("actie")
        if action and action not in known:
            rc.fail("actie", "onbekende actie: niet in de actietabel")
        return {"actie": action, "eenheid": rc.parsed("eenheid", unit_of) or "",
                "status": rc.parsed("status", _status) or "",
                "datum": rc.parsed("datum", _date) or "", "tekst": rc.required("tekst"),
                "bron": rc.cell("bron")}

    path = path or study.voortgang
    return _load([path] if path else [], columns=PROGRESS_COLUMNS,
                 required=["actie", "tekst"], check=check, extra_columns_ok=True)
