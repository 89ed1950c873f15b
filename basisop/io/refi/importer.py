"""A coded REFI-QDA project becomes rows of the codings table.

Tools write one selection per code, so the selections on one span are one passage: it becomes
one row per subtheme, with its checklist items ';'-joined, its oordeel and its memos (in
`notities`, never in `bron`). The oordeel comes from an Oordeel code on the passage or, failing
that, on an overlapping one of the same source; two different oordelen are a reported error,
never a choice. Unit, role and respondent come from variables, cases and sets (Attribution).
Coded passages that cannot become text are counted in `lost`.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from basisop.io.records import (
    CHECKLIST_SEPARATOR,
    CODING_COLUMNS,
    LoadResult,
    load_codings,
    load_register,
)
from basisop.io.refi.archive import QdpxError
from basisop.io.refi.mapping import CodeMatch, match_codes
from basisop.io.refi.positions import (
    CODE_POINTS,
    UNIT_NAMES,
    PositionDecision,
     TextIndex,
    decide_unit,
    file_order,
    vote,
)
from basisop.io.refi.project import (
    Case,
    LostSelection,
    Project,
    Selection,
    Set,
    TextSource,
    read_project,
)
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
MIXED = "gemengd"  # position_unit when the sources of one file are read differently
_LOST_KINDS = {"Coding": "codering van een hele bron", "PDFSelection": "PDF-gebied",
               "PictureSelection": "afbeelding", "AudioSelection": "audio",
               "VideoSelection": "video", "Transcript": "transcriptie van audio/video",
               "outside": "valt buiten de tekst", "no_text": "bron zonder platte tekst"}


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
    positions: dict[str, PositionDecision]  # per source guid
    problems: list[Problem] = field(default_factory=list)
    lost: list[LostSelection] = field(default_factory=list)  # coded with framework codes
    unit_routes: Counter = field(default_factory=Counter)  # (unit, route) -> sources
    merged: int = 0  # selections merged into a passage with the same span

    @property
    def position_unit(self) -> str:
        units = {d.unit for d in self.positions.values() if d.selections}
        return units.pop() if len(units) == 1 else (MIXED if units else CODE_POINTS)

    @property
    def review(self) -> bool:
        """Some source's positions fit no reading: its fragments would be shifted."""
        return any(d.review for d in self.positions.values())

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    def report_lines(self) -> list[str]:
        """What happened, for the analyst (no fragment text: it is confidential)."""
        p = self.project
        mapped = [m for m in self.matches.values() if m.target is not None]
        vias = Counter(m.via for m in mapped)
        lines = [f"Project {self.file}: '{p.name}' uit {p.origin or 'onbekend programma'}; "
                 f"{len(p.sources)} tekstbron(nen), {len(p.selections)} passages, "
                 f"{len(p.codes)} codes.", *self._position_lines(),
                 f"Codes herkend: {len(mapped)}" + _counts(
                     {f"via {via}": n for via, n in vias.items()}) + "."]
        used = [u for u in self.unmapped if u.passages]
        lines += [f"Niet omgezet: code '{u.code}' op {u.passages} passage(s): {u.reason}"
                  for u in used]
        if len(self.unmapped) > len(used):
            lines.append(f"{len(self.unmapped) - len(used)} code(s) zonder betekenis in het "
                         "wegingskader zijn nergens toegepast.")
        lines += self._lost_lines()
        lines += [f"Eenheid {unit} gevonden via {route} ({n} bron(nen))."
                  for (unit, route), n in sorted(self.unit_routes.items())]
        lines += [str(problem) for problem in self.problems]
        if self.merged:
            lines.append(f"{self.merged} codering(en) op dezelfde passage samengevoegd: één rij "
                         "per passage en subthema, checklistpunten met ';' in één cel.")
        units = Counter(u or "geen eenheid" for u in self.rows["eenheid"])
        judged = int((self.rows["oordeel"] != "").sum())
        lines.append(f"Rijen: {len(self.rows)}{_counts(units)}; met oordeel: {judged}.")
        return lines

    def _position_lines(self) -> list[str]:
        names = {s.guid: s.name for s in self.project.sources}
        read = [(names[g], d) for g, d in self.positions.items() if d.selections]
        units = Counter(UNIT_NAMES[d.unit] for _, d in read)
        lines = [f"Posities: {_counts(units).strip(' ()') or 'geen passages'}."]
        lines += [("CONTROLE NODIG: " if d.review else "") + f"bron '{name}' {d.describe()}."
                  for name, d in read if d.review or d.differing]
        return lines

    def _lost_lines(self) -> list[str]:
        if not self.lost:
            return []
        kinds = Counter((lost.source, lost.kind) for lost in self.lost)
        return [f"NIET OMGEZET: {len(self.lost)} gecodeerde passage(s) met codes uit het "
                "wegingskader konden niet worden omgezet in tekst:",
                *(f"  bron '{source}': {n} x {_LOST_KINDS.get(kind, kind)}"
                  for (source, kind), n in sorted(kinds.items()))]


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
    decisions, indexes = decide_positions(project)
    builder = _RowBuilder(project, matches, attribution, indexes, decisions, path.name)
    for source in project.sources:
        builder.add_source(source)
    rows = pd.DataFrame(builder.rows, columns=CODING_COLUMNS)
    lost = [lost for lost in project.lost if builder.framework_codes(lost.codes)] + builder.lost
    problems = project.problems + builder.problems + attribution.problems
    return ImportResult(path.name, project, rows, matches, _unmapped(project, matches),
                        decisions, problems, lost, attribution.routes, builder.merged)


def decide_positions(project: Project) -> tuple[dict[str, PositionDecision],
                                                dict[str, TextIndex]]:
    """The position reading per source, and a text index per source with text."""
    indexes = {s.guid: TextIndex(s.text) for s in project.sources if s.text}
    by_guid = {s.guid: s for s in project.sources}
    votes = {guid: vote(index, [(sel.start, sel.end) for sel in by_guid[guid].selections])
             for guid, index in indexes.items()}
    order = file_order(list(votes.values()), project.origin)
    return {guid: decide_unit(ballot, order) for guid, ballot in votes.items()}, indexes


def passage_texts(project: Project) -> tuple[dict[str, PositionDecision], dict[str, str | None]]:
    """Every selection's text under its source's reading (None where it cannot be read)."""
    decisions, indexes = decide_positions(project)
    texts: dict[str, str | None] = {}
    for selection in project.selections:
        index = indexes.get(selection.source)
        span = (index.span(selection.start, selection.end, decisions[selection.source].unit)
                if index else None)
        texts[selection.guid] = index.text[span[0]:span[1]] if span else None
    return decisions, texts


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
    """Unit, role and respondent of a passage, from variables, cases and sets around it.

    Looked at: variable values on the source and on every case that holds the source or the
    passage (a case's link to the source's file counts: QualCoder). Unit: the named variable,
    else a variable called eenheid/gemeente, else a case or set whose name is a unit's code or
    name. Role: the named variable, else rol/functie. Respondent: a variable called
    respondent, else the source's name. `routes` counts which route found each unit.
    """

    def __init__(self, project: Project, study: Study, unit_variable: str | None,
                 role_variable: str | None):
        self.project, self.study = project, study
        self.problems: list[Problem] = []
        self.routes: Counter = Counter()
        self._warned: set[str] = set()
        self._routed: set[tuple[str, str, str]] = set()
        self._names = {guid: normalize_key(name) for guid, name in project.variables.items()}
        self.unit_from_cases = unit_variable is not None and normalize_key(
            unit_variable) in CASE_NAME_WORDS
        self.explicit_unit = unit_variable is not None
        self.unit_names = set() if self.unit_from_cases else self._wanted(
            unit_variable, UNIT_VARIABLES, "--eenheid-variabele")
        self.role_names = self._wanted(role_variable, ROLE_VARIABLES, "--rol-variabele")
        self._by_source: dict[str, list[Case]] = {}
        self._by_selection: dict[str, list[Case]] = {}
        self._sets: dict[str, list[Set]] = {}
        self._sources = {s.guid for s in project.sources}
        self._links: dict[str, list[str]] = defaultdict(list)
        for case in project.cases:
            for guid in case.sources:
                self._by_source.setdefault(self._source(guid, f"case '{case.name}'"),
                                           []).append(case)
            for guid in case.selections:
                self._by_selection.setdefault(guid, []).append(case)
        for group in project.sets:
            for guid in group.sources:
                self._sets.setdefault(self._source(guid, f"set '{group.name}'"), []).append(group)
        self._report_links()

    def _source(self, guid: str, holder: str) -> str:
        """The source a reference means; a file GUID (QualCoder's case link) is followed."""
        link = self.project.source_links.get(guid)
        if link is not None:
            self._links[holder].append(link[1])
            return link[0]
        if guid not in self._sources:
            self.problems.append(Problem(self.project.file, f"{holder} verwijst naar een bron "
                                         f"die niet in het project staat ({guid}); genegeerd",
                                         severity=WARNING))
        return guid

    def _report_links(self) -> None:
        for holder, ways in self._links.items():
            self.problems.append(Problem(
                self.project.file, f"{holder} verwijst bij {len(ways)} bron(nen) naar het bestand "
                "in plaats van naar de bron zelf (zoals QualCoder schrijft); gekoppeld via "
                + " en ".join(sorted(set(ways))), severity=WARNING))

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

    def cases(self, source: TextSource, selections: list[Selection]) -> list[Case]:
        found = self._by_source.get(source.guid, []) + [
            case for s in selections for case in self._by_selection.get(s.guid, [])]
        return list({case.guid: case for case in found}.values())

    def values(self, source: TextSource, cases: list[Case], names: set[str]) -> list[str]:
        return list(dict.fromkeys(value for value, _ in self.named_values(source, cases, names)))

    def named_values(self, source: TextSource, cases: list[Case],
                     names: set[str]) -> list[tuple[str, str]]:
        """(value, variable name) of the wanted variables on the source and its cases."""
        found = []
        for variables in [source.variables, *(case.variables for case in cases)]:
            found += [(value, self.project.variables[guid]) for guid, value in variables.items()
                      if value and self._names.get(guid) in names]
        return found

    def unit(self, source: TextSource, cases: list[Case]) -> str:
        candidates = self._unit_candidates(source, cases)
        units = list(dict.fromkeys(self.find_unit(v) or v for v, _ in candidates))
        if len(units) == 1:
            route = next(r for v, r in candidates if (self.find_unit(v) or v) == units[0])
            if (source.guid, units[0], route) not in self._routed:
                self._routed.add((source.guid, units[0], route))
                self.routes[units[0], route] += 1
            return units[0]
        if units:
            self.warn(source, f"meerdere eenheden ({', '.join(units)}); eenheid leeg gelaten")
        else:
            self.warn(source, "geen eenheid gevonden (geen variabele eenheid/gemeente en geen "
                              "case of set met de naam of code van een eenheid); eenheid leeg "
                              "gelaten")
        return ""

    def _unit_candidates(self, source: TextSource, cases: list[Case]) -> list[tuple[str, str]]:
        """(value, route) pairs, from the first route that gives any."""
        if self.unit_from_cases:
            return [(c.name, f"case '{c.name}'") for c in cases]
        found = [(v, f"variabele '{name}'")
                 for v, name in self.named_values(source, cases, self.unit_names)]
        if found or self.explicit_unit:
            return found
        found = [(c.name, f"case '{c.name}'") for c in cases if self.find_unit(c.name)]
        return found or [(g.name, f"set '{g.name}'") for g in self._sets.get(source.guid, [])
                         if self.find_unit(g.name)]

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
                 indexes: dict[str, TextIndex], decisions: dict[str, PositionDecision],
                 file: str):
        self.project, self.matches, self.attribution = project, matches, attribution
        self.indexes, self.decisions, self.file = indexes, decisions, file
        self.rows: list[dict] = []
        self.problems: list[Problem] = []
        self.lost: list[LostSelection] = []
        self.merged = 0

    def warn(self, reason: str, *, error: bool = False) -> None:
        self.problems.append(Problem(self.file, reason, severity="fout" if error else WARNING))

    def framework_codes(self, codes: tuple[str, ...]) -> list[CodeMatch]:
        found = [self.matches[g] for g in dict.fromkeys(codes) if g in self.matches]
        return [m for m in found if m.is_evidence or m.is_oordeel]

    def add_source(self, source: TextSource) -> None:
        coded = [s for s in source.selections if self.framework_codes(s.codes)]
        if not coded:
            return
        index = self.indexes.get(source.guid)
        if index is None:
            self.lost += [LostSelection(source.name, "no_text", s.codes) for s in coded]
            return
        unit = self.decisions[source.guid].unit
        passages: dict[tuple[int, int], list[Selection]] = {}
        for selection in sorted(coded, key=lambda s: (s.start, s.end)):
            span = index.span(selection.start, selection.end, unit)
            if span is None:
                self.lost.append(LostSelection(source.name, "outside", selection.codes))
            else:
                passages.setdefault(span, []).append(selection)
        self.merged += sum(len(group) - 1 for group in passages.values())
        judged = {span: self._oordelen(group) for span, group in passages.items()}
        judged = {span: statuses for span, statuses in judged.items() if statuses}
        used: set[tuple[int, int]] = set()
        for span, group in passages.items():
            if any(self._evidence(s) for s in group):
                self._add_rows(source, group, span, index.text, judged, used)
        orphans = len(set(judged) - used)
        if orphans:
            self.warn(f"bron '{source.name}': {orphans} Oordeel-passage(s) zonder subthema of "
                      "checklistpunt op dezelfde of een overlappende passage")

    def _evidence(self, selection: Selection) -> list[CodeMatch]:
        return [m for m in self.framework_codes(selection.codes) if m.is_evidence]

    def _oordelen(self, group: list[Selection]) -> list[str]:
        return list(dict.fromkeys(m.target.id for s in group for m in
                                  self.framework_codes(s.codes) if m.is_oordeel))

    def _add_rows(self, source: TextSource, group: list[Selection], span: tuple[int, int],
                  text: str, judged: dict, used: set) -> None:
        where = f"bron '{source.name}', tekens {span[0]}-{span[1]}"
        oordeel = self._oordeel(where, span, judged, used)
        cases = self.attribution.cases(source, group)
        a = self.attribution
        base = {"eenheid": a.unit(source, cases), "respondent": a.respondent(source, cases),
                "rol": a.single(source, cases, a.role_names, "rol"), "oordeel": oordeel,
                "fragment": text[span[0]:span[1]],
                "bron": f"{self.file}: {source.name}, tekens {span[0]}-{span[1]}",
                "vertrouwelijk": a.single(source, cases, set(CONFIDENTIAL_VARIABLES),
                                          "vertrouwelijk"),
                "notities": _notes(group)}
        for subtheme, items in self._by_subtheme(group).items():
            self.rows.append({**base, "subthema": subtheme,
                              "checklist": CHECKLIST_SEPARATOR.join(items)})

    def _by_subtheme(self, group: list[Selection]) -> dict[str, list[str]]:
        """One row per subtheme: a passage counts once per subtheme in the scoring."""
        grouped: dict[str, list[str]] = {}
        for match in (m for s in group for m in self._evidence(s)):
            items = grouped.setdefault(match.target.subtheme, [])
            if match.target.kind == "checklist" and match.target.id not in items:
                items.append(match.target.id)
        return grouped

    def _oordeel(self, where: str, span: tuple[int, int], judged: dict, used: set) -> str:
        if span in judged:
            used.add(span)
            candidates = judged[span]
        else:
            overlapping = [other for other in judged if other[0] < span[1] and span[0] < other[1]]
            used.update(overlapping)
            candidates = list(dict.fromkeys(s for other in overlapping for s in judged[other]))
        if len(candidates) > 1:
            # On the passage itself this is the coder's contradiction: an error to resolve.
            self.warn(f"{where}: tegenstrijdige oordelen ({', '.join(candidates)}); oordeel leeg "
                      "gelaten: zet één oordeel op de passage in het QDA-pakket",
                      error=span in judged)
            return ""
        return candidates[0] if candidates else ""


def _notes(group: list[Selection]) -> str:
    """Memos and coders of the passage's selections: analyst-only, never provenance."""
    notes = list(dict.fromkeys(s.note for s in group if s.note))
    coders = list(dict.fromkeys(s.coder for s in group if s.coder))
    if coders:
        notes.append("Gecodeerd door: " + ", ".join(coders))
    return "\n".join(notes)
