"""Loading the study's tables: codings, judgements, priority overrides, recommendations, register.

Each loader checks every row and returns a LoadResult: the accepted rows as a DataFrame, every
problem, and counts that always reconcile (read = accepted + rejected). Rejected rows keep
their reason, so they can be written to a rejects file.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from basisop.io.tables import Row, Table, read_table
from basisop.model import (
    DOCUMENT,
    EVIDENCE_KINDS,
    INTERVIEW,
    Framework,
    PriorityRange,
    Study,
    did_you_mean,
    nearest,
    normalize_key,
    parse_level,
    parse_status,
)
from basisop.problems import WARNING, Problem

# `id` is optional: a stable fragment id lets two versions or waves of a study be compared.
CODING_COLUMNS = ["eenheid", "respondent", "rol", "subthema", "checklist", "oordeel",
                  "fragment", "bron", "vertrouwelijk", "notities", "id"]
# Several checklist items of one passage, in one cell: 'pga.1; pga.2'.
CHECKLIST_SEPARATOR = ";"
# A coding workbook may give more items of one passage in extra columns (`basisop nieuw`).
CHECKLIST_EXTRA = ("checklist 2", "checklist 3", "checklist 4", "checklist 5")
CODING_REQUIRED = ["eenheid", "respondent", "subthema", "fragment"]
JUDGEMENT_COLUMNS = ["eenheid", "subthema", "status", "motivering", "bron"]
OVERRIDE_COLUMNS = ["subthema", "prioriteit", "niveau", "niveau_tekst", "motivering", "bron"]
RECOMMENDATION_COLUMNS = ["id", "niveau", "eenheden", "subthemas", "titel", "tekst", "bron"]
REGISTER_REQUIRED = ["id", "eenheid", "rol"]
# Anything else in the register (naam, contact, e-mail, telefoon ...) is personal data.
# The register's columns beyond these may be anything (adres, mobiel, ...): all of them are
# personal data for the privacy guard, except the public ones.
REGISTER_NAME_COLUMNS = ("naam", "name", "voornaam", "achternaam", "volledige naam")
REGISTER_CONTACT_COLUMNS = ("contact", "email", "e-mail", "telefoon", "mobiel", "adres", "tel")
# The kind of evidence (interview, samenvatting, document) and a document's title are public.
REGISTER_KIND_COLUMNS = ("soort", "titel")
REGISTER_PUBLIC_COLUMNS = (*REGISTER_REQUIRED, "organisatie", *REGISTER_KIND_COLUMNS)
REGISTER_OPTIONAL = [*REGISTER_NAME_COLUMNS, *REGISTER_CONTACT_COLUMNS, "organisatie",
                     *REGISTER_KIND_COLUMNS]

_YES = {"ja", "j", "yes", "y", "true", "waar", "1", "x"}
_NO = {"nee", "n", "no", "false", "onwaar", "0", ""}


@dataclass
class LoadResult:
    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    read: int = 0
    rejected_rows: list[dict] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # how each file was read

    @property
    def accepted(self) -> int:
        return len(self.frame)

    @property
    def rejected(self) -> int:
        return len(self.rejected_rows)

    def rejects_frame(self) -> pd.DataFrame:
        """Rejected rows, file, row and reason first; the header is written even when empty."""
        columns = ["bestand", "rij", "reden"]
        for row in self.rejected_rows:
            columns += [c for c in row if c not in columns]
        return pd.DataFrame(self.rejected_rows, columns=columns)

    def summary(self, what: str) -> str:
        return (f"{what}: {self.read} rijen gelezen, {self.accepted} geaccepteerd, "
                f"{self.rejected} afgewezen")


class RowCheck:
    """Parses the cells of one row, collecting problems with file, row and column."""

    def __init__(self, table: Table, row: Row):
        self.file, self.row, self.problems = str(table.path), row, list(row.problems)

    def cell(self, column: str) -> str:
        return self.row.values.get(column, "")

    def fail(self, column: str, reason: str, *, warning: bool = False) -> None:
        self.problems.append(Problem(self.file, reason, row=self.row.number, column=column,
                                     value=self.cell(column),
                                     severity=WARNING if warning else "fout"))

    def required(self, column: str) -> str:
        value = self.cell(column)
        if not value:
            self.problems.append(Problem(self.file, "verplicht veld is leeg",
                                         row=self.row.number, column=column))
        return value

    def parsed(self, column: str, parse: Callable[[str], object], *, required: bool = False):
        value = self.required(column) if required else self.cell(column)
        if not value:
            return None
        try:
            return parse(value)
        except ValueError as exc:
            self.fail(column, str(exc))
            return None

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def _load(paths: Iterable[Path], *, columns: Sequence[str], required: Sequence[str],
          check: Callable[[RowCheck], dict | None], sheets: Mapping[Path, str] | None = None,
          key: Callable[[dict], tuple] | None = None, duplicate_is_error: bool = False,
          extra_columns_ok: bool = False, also: Sequence[str] = ()) -> LoadResult:
    """Read files, check each row, keep accepted rows; a repeated key is reported.

    `also` names optional input columns that the check folds into `columns`."""
    optional = [c for c in columns if c not in required] + list(also)
    result = LoadResult(pd.DataFrame(columns=[*columns, "bestand", "rij"]))
    records: list[dict] = []
    seen: dict[tuple, str] = {}
    for path in paths:
        table = read_table(path, required=required, optional=optional,
                           sheet=(sheets or {}).get(path), extra_columns_ok=extra_columns_ok)
        result.sources.append(f"{path.name}: {table.describe()}")
        result.problems += table.problems
        for row in table.rows:
            result.read += 1
            rc = RowCheck(table, row)
            record = check(rc) if table.usable else None
            place = f"{path.name} rij {row.number}"
            if record is not None and key is not None and rc.ok:
                k = key(record)
                if k in seen:
                    rc.problems.append(Problem(
                        str(path), f"dubbel: zelfde als {seen[k]}", row=row.number,
                        severity="fout" if duplicate_is_error else WARNING))
                    record = None
                else:
                    seen[k] = place
            result.problems += rc.problems
            if record is not None and rc.ok:
                records.append({**record, "bestand": path.name, "rij": row.number})
            else:
                reasons = [p.reason for p in rc.problems if p.is_error or record is None]
                if not table.usable:
                    reasons = [p.reason for p in table.problems if p.is_error]
                result.rejected_rows.append({"bestand": path.name, "rij": row.number,
                                             "reden": "; ".join(reasons) or "afgewezen",
                                             **row.values})
    if records:
        result.frame = pd.DataFrame(records, columns=[*columns, "bestand", "rij"])
    return result


def _memo(parse: Callable[[str], object]) -> Callable[[str], object]:
    """Remember a parser's answer per cell text, errors included: columns repeat few values."""
    answers: dict[str, tuple[bool, object]] = {}

    def parse_once(text: str):
        if text not in answers:
            try:
                answers[text] = (True, parse(text))
            except ValueError as exc:
                answers[text] = (False, str(exc))
        ok, answer = answers[text]
        if not ok:
            raise ValueError(answer)
        return answer

    return parse_once


# The combining accents of Latin script: decomposed Dutch text is ASCII without them.
_ACCENTS = re.compile("[" + "".join(
    chr(c) for c in range(0x300, 0x370) if unicodedata.combining(chr(c))) + "]+")


def _compare_key(text: str) -> str:
    """normalize_key, with fast paths for plain ASCII (most cells of a big file) and for
    text that is ASCII once its accents are taken off (most of the rest)."""
    if not text.isascii():
        plain = _ACCENTS.sub("", unicodedata.normalize("NFKD", text))
        if not plain.isascii():
            return normalize_key(text)
        text = plain
    return " ".join(text.split()).casefold()


def parse_flag(text: str) -> bool:
    key = normalize_key(text)
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise ValueError("verwacht ja of nee (of leeg)")


def _unit_parser(study: Study):
    @_memo
    def parse(text: str) -> str:
        return study.require_unit(text).code
    return parse


def _subtheme_parser(framework: Framework):
    @_memo
    def parse(text: str) -> str:
        subtheme = framework.subtheme(text)
        if subtheme is None:
            hint = nearest(text, framework.subtheme_names())
            raise ValueError("onbekend subthema (id, naam of alias uit het wegingskader)"
                             + did_you_mean(hint))
        return subtheme.id
    return parse


def _covered(rc: RowCheck, study: Study, unit_code: str | None, subtheme_id: str | None) -> None:
    if unit_code and subtheme_id:
        unit = study.unit_by_code(unit_code)  # already parsed: a canonical code
        if unit is not None and not unit.covers(subtheme_id):
            rc.fail("subthema", f"eenheid {unit.code} beoordeelt dit subthema niet "
                                "(zie 'subthemas' van de eenheid in het studiebestand)")


def load_codings(study: Study, paths: Sequence[Path] | None = None,
                 register: pd.DataFrame | None = None, sheet: str | None = None) -> LoadResult:
    """The coded fragments. `subthema` may be left empty when `checklist` names an item."""
    framework = study.framework
    unit_of = _unit_parser(study)
    subtheme_of = _subtheme_parser(framework)
    known = _register_index(register)
    items: dict[tuple[str, str | None], object] = {}
    status_of = _memo(parse_status)
    flag_of = _memo(parse_flag)
    ids: dict[str, str] = {}

    @functools.cache
    def item_hint(text: str) -> str | None:
        """The nearest checklist id to a mistyped one (difflib is slow: once per text)."""
        return nearest(text, [i.id for s in framework.subthemes for i in s.checklist])

    def checklist_item(text: str, given: str | None):
        if (text, given) not in items:
            items[text, given] = framework.checklist_item(text, given)
        return items[text, given]

    def check(rc: RowCheck) -> dict | None:
        _unique_id(rc, ids)
        unit = rc.parsed("eenheid", unit_of, required=True)
        respondent = rc.required("respondent")
        subtheme, found = subject(rc, unit)
        oordeel = rc.parsed("oordeel", status_of)
        fragment = rc.required("fragment")
        confidential = rc.parsed("vertrouwelijk", flag_of) or False
        role = registered_role(rc, unit, respondent)
        return {"eenheid": unit, "respondent": respondent, "rol": role, "subthema": subtheme,
                "checklist": found, "oordeel": oordeel.value if oordeel else "",
                "fragment": fragment, "bron": rc.cell("bron"), "vertrouwelijk": confidential,
                "notities": rc.cell("notities"), "id": rc.cell("id")}

    def subject(rc: RowCheck, unit: str | None) -> tuple[str | None, str]:
        """The subtheme (given, or the checklist item's) and the checklist ids, `;`-joined."""
        given = rc.parsed("subthema", subtheme_of, required=not any(
            rc.cell(c) for c in ("checklist", *CHECKLIST_EXTRA)))
        found = checklist_items(rc, given)
        subtheme = given or (found[0][0].id if found else None)
        for owner, item in found:
            if subtheme and owner.id != subtheme:
                rc.fail("checklist", f"checklistpunt {item.id} hoort bij subthema {owner.id}, "
                                     f"niet bij {subtheme}")
        _covered(rc, study, unit, subtheme)
        return subtheme, CHECKLIST_SEPARATOR.join(dict.fromkeys(i.id for _, i in found))

    def registered_role(rc: RowCheck, unit: str | None, respondent: str) -> str:
        """The row's role, else the register's; the respondent must be in the register."""
        role = rc.cell("rol")
        if known is not None and respondent:
            entry = known.get(_compare_key(respondent))
            if entry is None:
                rc.fail("respondent", "respondent staat niet in het respondentenregister")
            else:
                if unit and entry["eenheid"] != unit:
                    rc.fail("respondent", f"respondent hoort volgens het register bij eenheid "
                                          f"{entry['eenheid']}, niet bij {unit}")
                role = role or entry["rol"]
        return role

    def checklist_items(rc: RowCheck, given: str | None) -> list:
        """Each item of the cells ('a; b', and `checklist 2` ...), resolved; unknown ones are
        reported in their column."""
        found = []
        for column, cell in _checklist_texts(rc):
            for text in filter(None, (p.strip() for p in cell.split(CHECKLIST_SEPARATOR))):
                item = checklist_item(text, given)
                if item is None:
                    rc.fail(column, f"'{text}': onbekend of meerduidig checklistpunt (geef id "
                                    "of subthema)" + did_you_mean(item_hint(text)))
                else:
                    found.append(item)
        return found

    def key(record: dict) -> tuple:
        # The analyst's notes do not make a row different evidence.
        return tuple(_compare_key(str(record[c])) for c in CODING_COLUMNS if c != "notities")

    files = list(paths if paths is not None else study.codering)
    sheets = {p: sheet for p in files} if sheet and paths else study.werkbladen
    bulk = _bulk_reader(files, sheets)
    parts = CodingParts(check, key, ids, unit_of, subject, registered_role, status_of, flag_of,
                        lambda rc, unit, sub: _covered(rc, study, unit, sub))
    # The column-wise reader declines (None) any file it does not fully understand.
    result = bulk.load_codings(files, parts) if bulk is not None else None
    if result is None:
        result = _load(files, columns=CODING_COLUMNS, required=CODING_REQUIRED, check=check,
                       key=key, also=CHECKLIST_EXTRA, sheets=sheets)
    _add_kinds(result.frame, known)
    return result


@dataclass(frozen=True)
class CodingParts:
    """The codings check and its parts, for the column-wise screen of large files (io/bulk)."""

    check: Callable[[RowCheck], dict | None]
    key: Callable[[dict], tuple]
    ids: dict[str, str]  # fragment id -> where it first occurs, shared with `check`
    unit_of: Callable[[str], object]
    subject: Callable[[RowCheck, str | None], tuple[str | None, str]]
    registered_role: Callable[[RowCheck, str | None, str], str]
    status_of: Callable[[str], object]
    flag_of: Callable[[str], object]
    covered: Callable[[RowCheck, str | None, str | None], None]


def _bulk_reader(files: Sequence[Path], sheets: Mapping[Path, str] | None):
    """The column-wise reader when every coding file is a CSV big enough to need it."""
    from basisop.io import bulk  # imported here: it needs this module's RowCheck and LoadResult

    if files and not sheets and bulk.worth_it(files):
        return bulk
    return None


def _add_kinds(frame: pd.DataFrame, known: dict[str, dict] | None) -> None:
    """Each fragment's evidence kind and document title, from its respondent's register entry.

    Without a register every fragment counts as an interview statement."""
    if frame.empty:
        frame["soort"], frame["titel"] = [], []
        return
    codes, respondents = pd.factorize(frame["respondent"].astype(str))  # once per respondent
    entries = [(known or {}).get(_compare_key(r), {}) for r in respondents]
    for column, values in (("soort", [e.get("soort") or INTERVIEW for e in entries]),
                           ("titel", [e.get("titel", "") for e in entries])):
        frame[column] = pd.Series(pd.Series(values, dtype="str").take(codes).array,
                                  index=frame.index)


def _checklist_texts(rc: RowCheck) -> list[tuple[str, str]]:
    """(column, text) of every checklist item on the row: `checklist` and `checklist 2` ..."""
    return [(c, rc.cell(c)) for c in ("checklist", *CHECKLIST_EXTRA) if rc.cell(c)]


def _unique_id(rc: RowCheck, seen: dict[str, str]) -> None:
    """A fragment id names one fragment across all coding files (empty ids are allowed)."""
    fragment_id = rc.cell("id")
    if not fragment_id:
        return
    place = f"{Path(rc.file).name} rij {rc.row.number}"
    first = seen.setdefault(fragment_id, place)  # the bulk reader may have filled in the first
    if first != place:
        rc.fail("id", f"id komt al voor in {first}")


def load_judgements(study: Study, path: Path | None = None) -> LoadResult:
    """The analyst's recorded status per unit and subtheme; 'onbekend' records 'not assessed'."""
    unit_of = _unit_parser(study)
    subtheme_of = _subtheme_parser(study.framework)

    def check(rc: RowCheck) -> dict | None:
        unit = rc.parsed("eenheid", unit_of, required=True)
        subtheme = rc.parsed("subthema", subtheme_of, required=True)
        _covered(rc, study, unit, subtheme)
        status = rc.parsed("status", lambda t: parse_status(t, allow_unknown=True), required=True)
        motivation = rc.required("motivering")
        return {"eenheid": unit, "subthema": subtheme,
                "status": status.value if status else "", "motivering": motivation,
                "bron": rc.cell("bron")}

    path = path or study.oordelen
    return _load([path] if path else [], columns=JUDGEMENT_COLUMNS,
                 required=["eenheid", "subthema", "status", "motivering"], check=check,
                 key=lambda r: (r["eenheid"], r["subthema"]), duplicate_is_error=True)


def load_overrides(study: Study, path: Path | None = None) -> LoadResult:
    """Priority and level set by the analysts, overriding the rules, each with a motivation."""
    subtheme_of = _subtheme_parser(study.framework)

    def check(rc: RowCheck) -> dict | None:
        subtheme = rc.parsed("subthema", subtheme_of, required=True)
        priority = rc.parsed("prioriteit", PriorityRange.parse)
        level = rc.parsed("niveau", parse_level)
        text_level = rc.parsed("niveau_tekst", parse_level)
        if priority is None and level is None and rc.ok:
            rc.fail("prioriteit", "geef een prioriteit, een niveau of beide")
        motivation = rc.required("motivering")
        return {"subthema": subtheme, "prioriteit": str(priority) if priority else "",
                "niveau": level.value if level else "",
                "niveau_tekst": text_level.value if text_level else "",
                "motivering": motivation, "bron": rc.cell("bron")}

    path = path or study.prioriteiten
    return _load([path] if path else [], columns=OVERRIDE_COLUMNS,
                 required=["subthema", "motivering"], check=check,
                 key=lambda r: (r["subthema"],), duplicate_is_error=True)


def split_list(rc: RowCheck, column: str, parse: Callable[[str], str]) -> list[str]:
    """A `;`-separated cell, each part parsed; a part that does not parse is that row's fault."""
    values = []
    for part in (p.strip() for p in rc.cell(column).split(";")):
        if part:
            try:
                values.append(parse(part))
            except ValueError as exc:
                rc.fail(column, f"'{part}': {exc}")
    return values


def addressed(rc: RowCheck, unit_of: Callable[[str], str],
              subtheme_of: Callable[[str], str]) -> dict[str, str]:
    """What a recommendation or action addresses: its id, level (required), subthemes (at
    least one) and units (empty: all), the lists `;`-joined as ids."""
    level = rc.parsed("niveau", parse_level, required=True)
    subthemes = split_list(rc, "subthemas", subtheme_of)
    if not subthemes and rc.ok:
        rc.fail("subthemas", "noem minstens een subthema")
    return {"id": rc.required("id"), "niveau": level.value if level else "",
            "subthemas": ";".join(subthemes),
            "eenheden": ";".join(split_list(rc, "eenheden", unit_of))}


def load_recommendations(study: Study, path: Path | None = None) -> LoadResult:
    """Recommendations keyed to subthemes and level; `eenheden` empty means all municipalities."""
    unit_of = _unit_parser(study)
    subtheme_of = _subtheme_parser(study.framework)

    def check(rc: RowCheck) -> dict | None:
        return {**addressed(rc, unit_of, subtheme_of), "titel": rc.cell("titel"),
                "tekst": rc.required("tekst"), "bron": rc.cell("bron")}

    path = path or study.aanbevelingen
    return _load([path] if path else [], columns=RECOMMENDATION_COLUMNS,
                 required=["id", "niveau", "subthemas", "tekst"], check=check,
                 key=lambda r: (r["id"],), duplicate_is_error=True)


def load_register(study: Study, path: Path | None = None) -> LoadResult:
    """The respondent register. Its names and contacts never leave the analyst's machine."""
    unit_of = _unit_parser(study)

    def check(rc: RowCheck) -> dict | None:
        record = {c: rc.cell(c) for c in REGISTER_OPTIONAL}
        record.update(id=rc.required("id"), eenheid=rc.parsed("eenheid", unit_of, required=True),
                      rol=rc.cell("rol"), soort=rc.cell("soort").strip().lower() or INTERVIEW)
        if record["soort"] not in EVIDENCE_KINDS:
            rc.fail("soort", f"verwacht {', '.join(EVIDENCE_KINDS)} (leeg: interview)"
                    + did_you_mean(nearest(rc.cell("soort"), list(EVIDENCE_KINDS))))
        if record["soort"] == DOCUMENT and not record["titel"]:
            rc.fail("titel", "verplicht bij soort document: de titel van het document")
        return record

    path = path or study.respondenten
    return _load([path] if path else [], columns=[*REGISTER_REQUIRED, *REGISTER_OPTIONAL],
                 required=REGISTER_REQUIRED, check=check, extra_columns_ok=True,
                 key=lambda r: (normalize_key(r["id"]),), duplicate_is_error=True)


def _register_index(register: pd.DataFrame | None) -> dict[str, dict] | None:
    if register is None:
        return None
    return {_compare_key(r["id"]): r for r in register.to_dict("records")}


def subtheme_parser(framework: Framework) -> Callable[[str], str]:
    """The loader's reading of a subtheme (id, naam or alias -> id, else a hint), for filters."""
    return _subtheme_parser(framework)
