"""A coded REFI-QDA project becomes rows of the codings table.

Each passage coded with a subtheme or checklist item becomes a fragment with its exact text; the
oordeel comes from an Oordeel code on the same passage or, failing that, on an overlapping one
of the same source; unit, role and respondent come from variables and cases (see Attribution).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from basisop.io.records import CODING_COLUMNS, LoadResult, load_codings, load_register
from basisop.io.refi.archive import QdpxError
from basisop.io.refi.mapping import CodeMatch, match_codes
from basisop.io.refi.positions import PositionDecision, TextIndex, decide_unit
from basisop.io.refi.project import Case, Project, Selection, TextSource, read_project
from basisop.model import Study, normalize_key
from basisop.problems import WARNING, Problem

UNIT_VARIABLES = ("eenheid", "gemeente", "unit", "municipality")
ROLE_VARIABLES = ("rol", "functie", "role")
RESPONDENT_VARIABLES = ("respondent", "respondent-id", "respondentid", "respondentcode")
CONFIDENTIAL_VARIABLES = ("vertrouwelijk", "confidential")
# `--eenheid-variabele case`: the unit is the name of the case(s) holding the passage.
CASE_NAME_WORDS = ("case", "cases", "casenaam", "case-naam")
_SOURCE_SUFFIX = re.compile(r"\.(txt|docx?|rtf|odt|pdf)$", re.IGNORECASE)
_UNIT_PREFIX = re.compile(r"^(gemeente|eenheid)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class UnmappedCode:
    code: str      # the code with its parents, 'A / B'
    guid: str
    passages: int  # how many passages carry it: these codings are not imported
    reason: str


@dataclass
class ImportResult:
    file: str
    project: Project
    rows: pd.DataFrame
    matches: dict[str, CodeMatch]
    unmapped: list[UnmappedCode]
    positions: PositionDecision
    problems: list[Problem] = field(default_factory=list)

    @property
    def position_unit(self) -> str:
        return self.positions.unit

    @property
    def review(self) -> bool:
        return self.positions.review

    def report_lines(self) -> list[str]:
        """What happened, for the analyst (no fragment text: it is confidential)."""
        p = self.project
        mapped = [m for m in self.matches.values() if m.target is not None]
        vias = Counter(m.via for m in mapped)
        lines = [f"Project {self.file}: '{p.name}' uit {p.origin or 'onbekend programma'}; "
                 f"{len(p.sources)} tekstbron(nen), {len(p.selections)} passages, "
                 f"{len(p.codes)} codes.",
                 ("CONTROLE NODIG: " if self.review else "") + self.positions.describe() + ".",
                 f"Codes herkend: {len(mapped)}" + _counts(
                     {f"via {via}": n for via, n in vias.items()}) + "."]
        used = [u for u in self.unmapped if u.passages]
        lines += [f"Niet omgezet: code '{u.code}' op {u.passages} passage(s): {u.reason}"
                  for u in used]
        if len(self.unmapped) > len(used):
            lines.append(f"{len(self.unmapped) - len(used)} code(s) zonder betekenis in het "
                         "wegingskader zijn nergens toegepast.")
        lines += [str(problem) for problem in self.problems]
        units = Counter(u or "geen eenheid" for u in self.rows["eenheid"])
        judged = int((self.rows["oordeel"] != "").sum())
        lines.append(f"Rijen: {len(self.rows)}{_counts(units)}; met oordeel: {judged}.")
        return lines


def _counts(counts: dict[str, int]) -> str:
    """' (a: 2, b: 1)', or '' when there is nothing to count."""
    shown = ", ".join(f"{key} {n}" if key.startswith("via") else f"{key}: {n}"
                      for key, n in sorted(counts.items()))
    return f" ({shown})" if shown else ""


def import_project(path: Path | str, study: Study, *, unit_variable: str | None = None,
                   role_variable: str | None = None) -> ImportResult:
    """Read a .qdpx and turn its coded passages into codings rows (nothing is written).

    The unit and role variables default to the study file's `qda:` settings."""
    path = Path(path)
    unit_variable = unit_variable or study.qda.eenheid_variabele
    role_variable = role_variable or study.qda.rol_variabele
    project = read_project(path)
    matches = match_codes(project.codes, study.framework)
    attribution = Attribution(project, study, unit_variable, role_variable)
    decision, indexes = decide_positions(project)
    builder = _RowBuilder(project, matches, attribution, indexes, decision.unit, path.name)
    for source in project.sources:
        builder.add_source(source)
    rows = pd.DataFrame(builder.rows, columns=CODING_COLUMNS)
    problems = project.problems + builder.problems + attribution.problems
    return ImportResult(path.name, project, rows, matches, _unmapped(project, matches),
                        decision, problems)


def decide_positions(project: Project) -> tuple[PositionDecision, dict[str, TextIndex]]:
    """The position unit for the whole file, and a text index per source with text."""
    indexes = {s.guid: TextIndex(s.text) for s in project.sources if s.text}
    decision = decide_unit([(indexes[sel.source], sel.start, sel.end)
                            for sel in project.selections if sel.source in indexes],
                           project.origin)
    return decision, indexes


def passage_texts(project: Project) -> tuple[PositionDecision, dict[str, str | None]]:
    """Every selection's text under the decided unit (None where it cannot be read)."""
    decision, indexes = decide_positions(project)
    texts: dict[str, str | None] = {}
    for selection in project.selections:
        index = indexes.get(selection.source)
        span = index.span(selection.start, selection.end, decision.unit) if index else None
        texts[selection.guid] = index.text[span[0]:span[1]] if span else None
    return decision, texts


def check_codings(study: Study, path: Path) -> LoadResult:
    """What `basisop validate` would say of a codings file, with the study's register."""
    register = load_register(study) if study.respondenten else None
    return load_codings(study, [path], register=register.frame if register is not None else None)


def _unmapped(project: Project, matches: dict[str, CodeMatch]) -> list[UnmappedCode]:
    applied = Counter(code for sel in project.selections for code in set(sel.codes))
    result = []
    for match in matches.values():
        target = match.target
        folder = target is not None and target.kind in ("thema", "map")
        # A recognised folder is only a problem when someone coded with it.
        if target is None or (folder and applied[match.code.guid]):
            reason = match.reason or ("een map (thema of Oordeel) is te grof: codeer met een "
                                      "subthema, checklistpunt of groen/oranje/rood")
            result.append(UnmappedCode(match.code.label, match.code.guid,
                                       applied[match.code.guid], reason))
    # A CodeRef to a code the codebook lacks: say so rather than lose the coding.
    for guid, n in applied.items():
        if guid not in matches:
            result.append(UnmappedCode(f"(onbekende code {guid})", guid, n,
                                       "staat niet in het codeboek van het project"))
    result.sort(key=lambda u: -u.passages)
    return result


class Attribution:
    """Unit, role and respondent of a passage, from variables and cases around it.

    Looked at: variable values on the source and on every case that holds the source or the
    passage. Unit: the named variable, else a variable called eenheid/gemeente, else a case
    whose name is a unit's code or name. Role: the named variable, else rol/functie.
    Respondent: a variable called respondent, else the source's name.
    """

    def __init__(self, project: Project, study: Study, unit_variable: str | None,
                 role_variable: str | None):
        self.project, self.study = project, study
        self.problems: list[Problem] = []
        self._warned: set[str] = set()
        self._names = {guid: normalize_key(name) for guid, name in project.variables.items()}
        self.unit_from_cases = unit_variable is not None and normalize_key(
            unit_variable) in CASE_NAME_WORDS
        self.explicit_unit = unit_variable is not None
        self.unit_names = set() if self.unit_from_cases else self._wanted(
            unit_variable, UNIT_VARIABLES, "--eenheid-variabele")
        self.role_names = self._wanted(role_variable, ROLE_VARIABLES, "--rol-variabele")
        self._by_source: dict[str, list[Case]] = {}
        self._by_selection: dict[str, list[Case]] = {}
        for case in project.cases:
            for guid in case.sources:
                self._by_source.setdefault(guid, []).append(case)
            for guid in case.selections:
                self._by_selection.setdefault(guid, []).append(case)

    def _wanted(self, given: str | None, defaults: tuple[str, ...], option: str) -> set[str]:
        if given is None:
            return set(defaults)
        key = normalize_key(given)
        if key not in self._names.values():
            present = ", ".join(sorted(set(self.project.variables.values()))) or "geen"
            hint = " (of 'case': de namen van de cases)" if "eenheid" in option else ""
            raise QdpxError(self.project.file, f"variabele '{given}' ({option}) komt niet voor "
                                               f"in het project; variabelen: {present}{hint}")
        return {key}

    def cases(self, source: TextSource, selection: Selection) -> list[Case]:
        found = self._by_source.get(source.guid, []) + self._by_selection.get(selection.guid, [])
        return list({case.guid: case for case in found}.values())

    def values(self, source: TextSource, cases: list[Case], names: set[str]) -> list[str]:
        found = []
        for variables in [source.variables, *(case.variables for case in cases)]:
            found += [value for guid, value in variables.items()
                      if value and self._names.get(guid) in names]
        return list(dict.fromkeys(found))

    def unit(self, source: TextSource, cases: list[Case]) -> str:
        values = self.values(source, cases, self.unit_names)
        if self.unit_from_cases:
            values = [c.name for c in cases]
        elif not values and not self.explicit_unit:
            values = [c.name for c in cases if self.find_unit(c.name)]
        units = list(dict.fromkeys(self.find_unit(v) or v for v in values))
        if len(units) == 1:
            return units[0]
        if units:
            self.warn(source, f"meerdere eenheden ({', '.join(units)}); eenheid leeg gelaten")
        else:
            self.warn(source, "geen eenheid gevonden (geen variabele eenheid/gemeente en geen "
                              "case met de naam of code van een eenheid); eenheid leeg gelaten")
        return ""

    def find_unit(self, text: str) -> str | None:
        unit = self.study.unit(text) or self.study.unit(_UNIT_PREFIX.sub("", text.strip()))
        if unit is not None:
            return unit.code
        # A municipality within a unit (Laren -> B/L); district units list them all, so not those.
        hits = [u for u in self.study.municipal_units
                if normalize_key(text) in {normalize_key(g) for g in u.gemeenten}]
        return hits[0].code if len(hits) == 1 else None

    def single(self, source: TextSource, cases: list[Case], names: set[str], what: str) -> str:
        values = self.values(source, cases, names)
        if len(values) > 1:
            self.warn(source, f"meerdere waarden voor {what} ({', '.join(values)}); leeg gelaten")
            return ""
        return values[0] if values else ""

    def respondent(self, source: TextSource, cases: list[Case]) -> str:
        given = self.single(source, cases, set(RESPONDENT_VARIABLES), "respondent")
        return given or _SOURCE_SUFFIX.sub("", source.name.strip())

    def warn(self, source: TextSource, reason: str) -> None:
        message = f"bron '{source.name}': {reason}"
        if message not in self._warned:
            self._warned.add(message)
            self.problems.append(Problem(self.project.file, message, severity=WARNING))


class _RowBuilder:
    def __init__(self, project: Project, matches: dict[str, CodeMatch], attribution: Attribution,
                 indexes: dict[str, TextIndex], unit: str, file: str):
        self.project, self.matches, self.attribution = project, matches, attribution
        self.indexes, self.unit, self.file = indexes, unit, file
        self.rows: list[dict] = []
        self.problems: list[Problem] = []

    def warn(self, reason: str) -> None:
        self.problems.append(Problem(self.file, reason, severity=WARNING))

    def add_source(self, source: TextSource) -> None:
        coded = [s for s in source.selections if self._evidence(s) or self._oordelen(s)]
        if not coded:
            return
        index = self.indexes.get(source.guid)
        if index is None:
            self.warn(f"bron '{source.name}': {len(coded)} gecodeerde passage(s) niet gelezen: "
                      "de bron heeft geen platte tekst")
            return
        spans = {s.guid: index.span(s.start, s.end, self.unit) for s in coded}
        outside = [s for s in coded if spans[s.guid] is None]
        if outside:
            self.warn(f"bron '{source.name}': {len(outside)} passage(s) vallen buiten de tekst "
                      "en zijn overgeslagen")
        judged = [(spans[s.guid], self._oordelen(s), s.guid) for s in coded
                  if spans[s.guid] is not None and self._oordelen(s)]
        used: set[str] = set()
        for selection in sorted(coded, key=lambda s: (s.start, s.end)):
            span = spans[selection.guid]
            if span is not None and self._evidence(selection):
                self._add_rows(source, selection, span, index.text, judged, used)
        orphans = sum(1 for _, _, guid in judged if guid not in used)
        if orphans:
            self.warn(f"bron '{source.name}': {orphans} Oordeel-passage(s) zonder subthema of "
                      "checklistpunt op dezelfde of een overlappende passage")

    def _evidence(self, selection: Selection) -> list[CodeMatch]:
        found = [self.matches[g] for g in dict.fromkeys(selection.codes) if g in self.matches]
        return [m for m in found if m.is_evidence]

    def _oordelen(self, selection: Selection) -> list[str]:
        found = [self.matches[g] for g in dict.fromkeys(selection.codes) if g in self.matches]
        return list(dict.fromkeys(m.target.id for m in found if m.is_oordeel))

    def _add_rows(self, source: TextSource, selection: Selection, span: tuple[int, int],
                  text: str, judged: list, used: set[str]) -> None:
        oordeel = self._oordeel(source, selection, span, judged, used)
        cases = self.attribution.cases(source, selection)
        a = self.attribution
        base = {"eenheid": a.unit(source, cases), "respondent": a.respondent(source, cases),
                "rol": a.single(source, cases, a.role_names, "rol"), "oordeel": oordeel,
                "fragment": text[span[0]:span[1]],
                "bron": f"{self.file}: {source.name}, tekens {span[0]}-{span[1]}",
                "vertrouwelijk": a.single(source, cases, set(CONFIDENTIAL_VARIABLES),
                                          "vertrouwelijk"), "id": ""}
        for subtheme, items in self._by_subtheme(selection).items():
            if len(items) > 1:
                self.warn(f"bron '{source.name}', tekens {span[0]}-{span[1]}: meerdere "
                          f"checklistpunten van {subtheme} ({', '.join(items)}); alleen "
                          f"{items[0]} vastgelegd, zodat de passage één keer telt")
            self.rows.append({**base, "subthema": subtheme, "checklist": items[0] if items else ""})

    def _by_subtheme(self, selection: Selection) -> dict[str, list[str]]:
        """One row per subtheme: a passage counts once per subtheme in the scoring."""
        grouped: dict[str, list[str]] = {}
        for match in self._evidence(selection):
            items = grouped.setdefault(match.target.subtheme, [])
            if match.target.kind == "checklist":
                items.append(match.target.id)
        return grouped

    def _oordeel(self, source: TextSource, selection: Selection, span: tuple[int, int],
                 judged: list, used: set[str]) -> str:
        own = self._oordelen(selection)
        if own:
            used.add(selection.guid)
            candidates = own
        else:
            overlapping = [(statuses, guid) for other, statuses, guid in judged
                           if other[0] < span[1] and span[0] < other[1]]
            used.update(guid for _, guid in overlapping)
            candidates = list(dict.fromkeys(s for statuses, _ in overlapping for s in statuses))
        if len(candidates) > 1:
            self.warn(f"bron '{source.name}', tekens {span[0]}-{span[1]}: tegenstrijdige "
                      f"oordelen ({', '.join(candidates)}); oordeel leeg gelaten")
            return ""
        return candidates[0] if candidates else ""
