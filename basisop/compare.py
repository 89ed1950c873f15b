"""Comparing two studies with the same framework: two versions (concept, definitief) or two waves.

Units are matched by code, subthemes by id. Fragments and recommendations are matched by their
`id`; a fragment without id is matched by unit, subtheme and exact text, so an edited fragment
without id shows as one removed and one added (give fragments ids to see edits side by side).
Judgements are matched by unit and subtheme. A change of `bron` alone is no change: every line
number moves between two documents.

Two versions of one measurement (same `golf`) are compared, never shown as progress: a status
that differs is 'anders'. Between waves the change is beter, gelijk, slechter, nieuw beoordeeld,
niet meer beoordeeld or onbekend (not assessed in either).

Out of scope: text outside the tables (an introduction, a footnote) is not compared.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from basisop.io.dataset import StudyData
from basisop.model import COLOURS, Framework, Status
from basisop.scoring import score

BETTER, SAME, WORSE = "beter", "gelijk", "slechter"
NEWLY, NO_LONGER, UNKNOWN = "nieuw beoordeeld", "niet meer beoordeeld", "onbekend"
DIFFERENT = "anders"  # between versions of one measurement: no direction
CHANGES = (BETTER, SAME, WORSE, NEWLY, NO_LONGER, UNKNOWN)
ADDED, REMOVED, CHANGED = "toegevoegd", "verwijderd", "gewijzigd"
KINDS = {"fragment": "Fragmenten", "oordeel": "Oordelen", "aanbeveling": "Aanbevelingen"}

STATUS_COLUMNS = ["eenheid", "eenheid_naam", "thema", "subthema_id", "subthema", "oud", "nieuw",
                  "verandering"]
TEXT_COLUMNS = ["soort", "wijziging", "id", "eenheid", "subthema", "velden", "oud", "nieuw",
                "bron_oud", "bron_nieuw"]
# Which fields make a row 'changed', and which holds its text.
_FRAGMENT_FIELDS = ["eenheid", "respondent", "subthema", "checklist", "oordeel", "fragment",
                    "vertrouwelijk"]
_RECOMMENDATION_FIELDS = ["niveau", "eenheden", "subthemas", "titel", "tekst"]
_JUDGEMENT_FIELDS = ["status", "motivering"]


class FrameworkMismatch(ValueError):
    """The two studies do not use the same wegingskader (Dutch message)."""


@dataclass
class Comparison:
    old: StudyData
    new: StudyData
    statuses: pd.DataFrame  # STATUS_COLUMNS, one row per unit and subtheme of either study
    texts: pd.DataFrame  # TEXT_COLUMNS, one row per added, removed or changed row

    @property
    def versions(self) -> bool:
        """True for two versions of one measurement (same golf): differences, not progress."""
        return self.old.study.golf == self.new.study.golf

    @property
    def status_changes(self) -> pd.DataFrame:
        return self.statuses[~self.statuses["verandering"].isin([SAME, UNKNOWN])]

    def report_lines(self) -> list[str]:
        """The comparison as Dutch text for the terminal: status changes, then text side by side."""
        what = "versies (verschillen, geen voortgang)" if self.versions else "golven"
        lines = [f"Vergelijking van {what}:",
                 f"  OUD:   {_describe(self.old)}", f"  NIEUW: {_describe(self.new)}",
                 f"Statussen: {len(self.statuses)} eenheid-subthema's, "
                 f"{len(self.status_changes)} statuswijziging(en)."]
        counts = self.statuses["verandering"].value_counts()
        lines.append("  " + ", ".join(f"{change}: {counts.get(change, 0)}"
                                      for change in (*CHANGES, DIFFERENT)
                                      if change in counts or change in CHANGES[:3]))
        for r in self.status_changes.to_dict("records"):
            lines.append(f"  {r['eenheid']:>4} {r['subthema']}: {r['oud']} -> {r['nieuw']} "
                         f"({r['verandering']})")
        for kind, title in KINDS.items():
            rows = self.texts[self.texts["soort"] == kind]
            counts = rows["wijziging"].value_counts()
            lines.append(f"{title}: " + ", ".join(
                f"{counts.get(c, 0)} {c}" for c in (CHANGED, ADDED, REMOVED)) + ".")
            for r in rows.to_dict("records"):
                lines += _side_by_side(r)
        return lines

    def frame(self) -> pd.DataFrame:
        """Status changes and text changes in one table, for CSV and JSON."""
        statuses = self.status_changes.rename(columns={"verandering": "wijziging"}).assign(
            soort="status", id="", velden="status", bron_oud="", bron_nieuw="")
        statuses = statuses.assign(subthema=statuses["subthema_id"])
        return pd.concat([statuses[TEXT_COLUMNS], self.texts], ignore_index=True)


def previous_wave(data: StudyData) -> Comparison | None:
    """The comparison with the study's `vorige_golf`, or None when it names none.

    Raises ValidationError when the previous wave does not validate, FrameworkMismatch when
    its wegingskader differs."""
    from basisop.io.dataset import load_valid

    if data.study.vorige_golf is None:
        return None
    return compare(load_valid(data.study.vorige_golf), data)


def check_frameworks(old: Framework, new: Framework) -> None:
    """Raise FrameworkMismatch naming every theme or subtheme only one of them has."""
    def tree(framework: Framework) -> set[tuple[str, str]]:
        return {(t.id, s.id) for t in framework.themas for s in t.subthemas}

    only_old, only_new = tree(old) - tree(new), tree(new) - tree(old)
    if only_old or only_new:
        parts = [f"alleen in OUD: {', '.join(sorted(s for _, s in only_old))}" if only_old else "",
                 f"alleen in NIEUW: {', '.join(sorted(s for _, s in only_new))}"
                 if only_new else ""]
        raise FrameworkMismatch("de studies gebruiken niet hetzelfde wegingskader ("
                                + "; ".join(p for p in parts if p) + "): vergelijken kan alleen "
                                "per gelijk subthema")


def status_change(old: Status, new: Status, *, versions: bool = False) -> str:
    """The change of one subtheme's status; ONBEKEND counts as not assessed."""
    if old in COLOURS and new in COLOURS:
        if old == new:
            return SAME
        if versions:
            return DIFFERENT
        return BETTER if new.rank > old.rank else WORSE
    if new in COLOURS:
        return NEWLY
    if old in COLOURS:
        return NO_LONGER
    return UNKNOWN


def compare(old: StudyData, new: StudyData) -> Comparison:
    """Statuses then and now, and every fragment, judgement and recommendation that changed."""
    check_frameworks(old.study.framework, new.study.framework)
    versions = old.study.golf == new.study.golf
    texts = pd.concat([
        _rows("fragment", old.codings.frame, new.codings.frame, _FRAGMENT_FIELDS, "fragment"),
        _rows("oordeel", _keyed_judgements(old), _keyed_judgements(new), _JUDGEMENT_FIELDS,
              "motivering"),
        _rows("aanbeveling", old.recommendations.frame, new.recommendations.frame,
              _RECOMMENDATION_FIELDS, "tekst"),
    ], ignore_index=True)
    return Comparison(old, new, _statuses(old, new, versions), texts)


def _statuses(old: StudyData, new: StudyData, versions: bool) -> pd.DataFrame:
    before = {(r["eenheid"], r["subthema_id"]): r for r in score(old).to_dict("records")}
    after = {(r["eenheid"], r["subthema_id"]): r for r in score(new).to_dict("records")}
    rows = []
    for key in [*after, *(k for k in before if k not in after)]:
        then, now = before.get(key), after.get(key)
        first = now or then
        old_status = Status(then["status"]) if then else Status.ONBEKEND
        new_status = Status(now["status"]) if now else Status.ONBEKEND
        rows.append({"eenheid": key[0], "eenheid_naam": first["eenheid_naam"],
                     "thema": first["thema"], "subthema_id": key[1],
                     "subthema": first["subthema"], "oud": old_status.value,
                     "nieuw": new_status.value,
                     "verandering": status_change(old_status, new_status, versions=versions)})
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)


def _keyed_judgements(data: StudyData) -> pd.DataFrame:
    frame = data.judgements.frame
    return frame.assign(id=frame["eenheid"] + "/" + frame["subthema"])


def _identity(row: dict) -> str:
    """The id, or for a row without one its unit, subtheme and exact text."""
    if row.get("id"):
        return str(row["id"])
    return "|".join(str(row.get(c, "")) for c in ("eenheid", "subthema", "fragment"))


def _rows(kind: str, old: pd.DataFrame, new: pd.DataFrame, fields: list[str],
          text: str) -> pd.DataFrame:
    before = {_identity(r): r for r in old.to_dict("records")}
    after = {_identity(r): r for r in new.to_dict("records")}
    rows = []
    for key, now in after.items():
        then = before.get(key)
        if then is None:
            rows.append(_text_row(kind, ADDED, None, now, text, []))
            continue
        changed = [f for f in fields if str(then.get(f, "")) != str(now.get(f, ""))]
        if changed:
            rows.append(_text_row(kind, CHANGED, then, now, text, changed))
    rows += [_text_row(kind, REMOVED, then, None, text, [])
             for key, then in before.items() if key not in after]
    return pd.DataFrame(rows, columns=TEXT_COLUMNS)


def _text_row(kind: str, change: str, then: dict | None, now: dict | None, text: str,
              changed: list[str]) -> dict:
    first = now or then or {}
    return {"soort": kind, "wijziging": change, "id": first.get("id", ""),
            "eenheid": first.get("eenheid", ""),
            "subthema": first.get("subthema", first.get("subthemas", "")),
            "velden": ";".join(changed),
            "oud": _text(then, text), "nieuw": _text(now, text),
            "bron_oud": then.get("bron", "") if then else "",
            "bron_nieuw": now.get("bron", "") if now else ""}


def _text(row: dict | None, column: str) -> str:
    if row is None:
        return ""
    if column == "motivering":  # a judgement: its status is part of what it says
        return f"{row['status']}: {row['motivering']}"
    return str(row[column])


def _describe(data: StudyData) -> str:
    study = data.study
    parts = [study.status, f"golf {study.golf}", study.datum, study.versie]
    return f"{study.naam} ({', '.join(p for p in parts if p)}) [{study.path.name}]"


def _side_by_side(r: dict) -> list[str]:
    where = ", ".join(p for p in (r["id"], r["eenheid"], r["subthema"]) if p)
    head = f"  {r['wijziging']} {r['soort']} {where}"
    lines = [head + (f" (velden: {r['velden'].replace(';', ', ')})" if r["velden"] else "")]
    if r["wijziging"] != ADDED:  # one line per text: paragraphs and list items run on
        lines.append(f"    oud   [{r['bron_oud'] or 'zonder bron'}]: {' '.join(r['oud'].split())}")
    if r["wijziging"] != REMOVED:
        lines.append(f"    nieuw [{r['bron_nieuw'] or 'zonder bron'}]: "
                     f"{' '.join(r['nieuw'].split())}")
    return lines
