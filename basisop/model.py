"""The domain model: framework tree, units, study, statuses and their vocabularies.

This layer imports nothing of basisop; everything else builds on it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path


class Status(StrEnum):
    """A subtheme's colour for one unit. ONBEKEND is never a colour: it means not assessed."""

    GROEN = "groen"
    ORANJE = "oranje"
    ROOD = "rood"
    ONBEKEND = "onbekend"

    @property
    def rank(self) -> int:
        """Higher is better; ONBEKEND has no rank."""
        return {Status.ROOD: 0, Status.ORANJE: 1, Status.GROEN: 2}[self]

    @property
    def label(self) -> str:
        return self.value.capitalize()


COLOURS = (Status.GROEN, Status.ORANJE, Status.ROOD)
# The traffic light as drawn: in figures, and as code colours in a QDA tool's codebook.
STATUS_COLOUR = {Status.GROEN: "#43A047", Status.ORANJE: "#FB8C00", Status.ROOD: "#E53935",
                 Status.ONBEKEND: "#BDBDBD"}

# The words the source uses for one status (DOMAIN.md: Red/Rood, Yellow/Geel/Oranje, Green/Groen).
# "Roed" is a typo in the 2025 plan: it is deliberately not accepted, the loader suggests "rood".
STATUS_VOCABULARY: dict[str, Status] = {
    "groen": Status.GROEN,
    "green": Status.GROEN,
    "oranje": Status.ORANJE,
    "geel": Status.ORANJE,
    "yellow": Status.ORANJE,
    "orange": Status.ORANJE,
    "rood": Status.ROOD,
    "red": Status.ROOD,
}
UNKNOWN_WORDS = ("onbekend", "niet beoordeeld", "unknown")


class Priority(StrEnum):
    HOOG = "Hoog"
    GEMIDDELD = "Gemiddeld"
    LAAG = "Laag"

    @property
    def rank(self) -> int:
        return {Priority.LAAG: 0, Priority.GEMIDDELD: 1, Priority.HOOG: 2}[self]


# The implementation plan's legend: Hoog = rood, Gemiddeld = oranje, Laag = groen.
PRIORITY_BY_STATUS = {
    Status.ROOD: Priority.HOOG,
    Status.ORANJE: Priority.GEMIDDELD,
    Status.GROEN: Priority.LAAG,
}


class Level(StrEnum):
    LOKAAL = "Lokaal"
    DISTRICTELIJK = "Districtelijk"
    BEIDE = "D & L"


LEVEL_VOCABULARY: dict[str, Level] = {
    "lokaal": Level.LOKAAL,
    "l": Level.LOKAAL,
    "districtelijk": Level.DISTRICTELIJK,
    "district": Level.DISTRICTELIJK,
    "d": Level.DISTRICTELIJK,
    "d & l": Level.BEIDE,
    "d&l": Level.BEIDE,
    "l & d": Level.BEIDE,
    "l&d": Level.BEIDE,
    "beide": Level.BEIDE,
    "districtelijk en lokaal": Level.BEIDE,
    "lokaal en districtelijk": Level.BEIDE,
}


def slugify(text: str) -> str:
    """A file-name-safe name: 'Blaricum en Laren' -> 'blaricum-en-laren'."""
    return re.sub(r"[^a-z0-9]+", "-", normalize_key(text)).strip("-")


def normalize_key(text: str) -> str:
    """The form in which names are compared: accents, case and spacing do not matter."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", stripped).strip().casefold()


def nearest(value: str, choices: list[str]) -> str | None:
    """The closest valid choice to a mistyped value, for 'did you mean' hints."""
    keyed = {normalize_key(c): c for c in choices}
    match = difflib.get_close_matches(normalize_key(value), list(keyed), n=1, cutoff=0.6)
    return keyed[match[0]] if match else None


def parse_status(text: str, *, allow_unknown: bool = False) -> Status:
    """Read a status in any of the source's vocabularies; raise ValueError with a hint otherwise."""
    key = normalize_key(text)
    if key in STATUS_VOCABULARY:
        return STATUS_VOCABULARY[key]
    if allow_unknown and key in UNKNOWN_WORDS:
        return Status.ONBEKEND
    choices = list(STATUS_VOCABULARY) + (list(UNKNOWN_WORDS) if allow_unknown else [])
    hint = nearest(text, choices)
    if hint is not None and hint in STATUS_VOCABULARY:
        hint = STATUS_VOCABULARY[hint].value
    raise ValueError(_expected("groen, oranje, rood of onbekend" if allow_unknown
                               else "groen, oranje of rood", hint))


@dataclass(frozen=True)
class PriorityRange:
    """A priority across units: one value, or a range such as 'Gemiddeld tot Hoog'."""

    low: Priority
    high: Priority

    def __str__(self) -> str:
        if self.low == self.high:
            return self.low.value
        return f"{self.low.value} tot {self.high.value}"

    @classmethod
    def of(cls, priorities: list[Priority]) -> PriorityRange | None:
        if not priorities:
            return None
        ranked = sorted(priorities, key=lambda p: p.rank)
        return cls(ranked[0], ranked[-1])

    @classmethod
    def parse(cls, text: str) -> PriorityRange:
        parts = [normalize_key(p) for p in re.split(r"\btot\b", text, flags=re.IGNORECASE)]
        by_key = {normalize_key(p.value): p for p in Priority}
        if 1 <= len(parts) <= 2 and all(p in by_key for p in parts):
            return cls.of([by_key[p] for p in parts])  # type: ignore[return-value]
        choices = [p.value for p in Priority] + ["Laag tot Gemiddeld", "Gemiddeld tot Hoog"]
        raise ValueError(_expected("Hoog, Gemiddeld, Laag of een bereik als "
                                   "'Gemiddeld tot Hoog'", nearest(text, choices)))


def parse_level(text: str) -> Level:
    key = normalize_key(text)
    if key in LEVEL_VOCABULARY:
        return LEVEL_VOCABULARY[key]
    raise ValueError(_expected("Lokaal, Districtelijk of D & L",
                               nearest(text, [lv.value for lv in Level])))


def did_you_mean(hint: str | None) -> str:
    """The tail of an error message that suggests the nearest valid value, if there is one."""
    return f"; bedoelt u '{hint}'?" if hint else ""


def _expected(what: str, hint: str | None) -> str:
    return f"verwacht {what}{did_you_mean(hint)}"


MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")


def dutch_date(text: str) -> str:
    """'2024-12-12' -> '12 december 2024'; anything else as given."""
    try:
        day = dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return text
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    tekst: str


@dataclass(frozen=True)
class Subtheme:
    id: str
    naam: str
    thema_id: str
    aliassen: tuple[str, ...] = ()
    toelichting: str = ""
    checklist: tuple[ChecklistItem, ...] = ()


@dataclass(frozen=True)
class Theme:
    id: str
    naam: str
    subthemas: tuple[Subtheme, ...]
    toelichting: str = ""


@dataclass(frozen=True)
class Framework:
    """The wegingskader: themes, their scored subthemes and checklist items."""

    naam: str
    versie: str
    themas: tuple[Theme, ...]
    legenda: dict[Status, str] = field(default_factory=dict)
    herkomst: tuple[str, ...] = ()
    afwijkingen: tuple[str, ...] = ()

    @cached_property
    def subthemes(self) -> tuple[Subtheme, ...]:
        return tuple(s for t in self.themas for s in t.subthemas)

    @cached_property
    def _subtheme_index(self) -> dict[str, Subtheme]:
        index: dict[str, Subtheme] = {}
        for s in self.subthemes:
            for name in (s.id, s.naam, *s.aliassen):
                index[normalize_key(name)] = s
        return index

    @cached_property
    def _checklist_index(self) -> dict[str, list[tuple[Subtheme, ChecklistItem]]]:
        # Texts may repeat across subthemes ("Samenwerkingsverbanden/afspraken duidelijk" is an
        # item of both networks), so a text maps to every item that carries it.
        index: dict[str, list[tuple[Subtheme, ChecklistItem]]] = {}
        for s in self.subthemes:
            for item in s.checklist:
                for key in {normalize_key(item.id), normalize_key(item.tekst)}:
                    index.setdefault(key, []).append((s, item))
        return index

    def theme(self, theme_id: str) -> Theme:
        return next(t for t in self.themas if t.id == theme_id)

    def subtheme(self, text: str) -> Subtheme | None:
        """The subtheme named by id, canonical name or any alias; None if none matches."""
        return self._subtheme_index.get(normalize_key(text))

    def checklist_item(self, text: str, subtheme_id: str | None = None
                       ) -> tuple[Subtheme, ChecklistItem] | None:
        """The item named by id or text; a text shared by several subthemes needs `subtheme_id`."""
        matches = self._checklist_index.get(normalize_key(text), [])
        if subtheme_id is not None and len(matches) > 1:
            matches = [m for m in matches if m[0].id == subtheme_id]
        return matches[0] if len(matches) == 1 else None

    def subtheme_names(self) -> list[str]:
        return [name for s in self.subthemes for name in (s.id, s.naam, *s.aliassen)]


@dataclass(frozen=True)
class Unit:
    """An eenheid: a municipality, several sharing one civil service, or the district partners."""

    code: str
    naam: str
    soort: str = "gemeente"  # "gemeente" or "district"
    gemeenten: tuple[str, ...] = ()
    subthemas: tuple[str, ...] | None = None  # None: all subthemes of the framework
    interviews: int | None = None  # as stated in the study file; None: not given
    toelichting: str = ""  # a note for readers on this unit (e.g. colours lost in publication)
    # The grouping the unit is compared in (district, veiligheidsregio, ...); "" = none. One
    # level; a second would be another field, not a change of this one.
    regio: str = ""

    def covers(self, subtheme_id: str) -> bool:
        return self.subthemas is None or subtheme_id in self.subthemas

    @property
    def is_municipal(self) -> bool:
        return self.soort == "gemeente"

    @property
    def slug(self) -> str:
        """A file-name-safe name: 'Blaricum en Laren' -> 'blaricum-en-laren'."""
        return slugify(self.naam)


SCORING_RULES = ("meerderheid", "gemiddelde", "strengst")
STUDY_STATUSES = ("concept", "definitief")

# Evidence kinds (respondent register column `soort`): who a fragment speaks for.
INTERVIEW, SUMMARY, DOCUMENT = "interview", "samenvatting", "document"
EVIDENCE_KINDS = (INTERVIEW, SUMMARY, DOCUMENT)


@dataclass(frozen=True)
class ScoringSettings:
    regel: str = "meerderheid"
    minimum_fragmenten: int = 1


@dataclass(frozen=True)
class QdaMapping:
    """Which variables (or case names) of a QDA project give the unit and the role."""

    eenheid_variabele: str | None = None
    rol_variabele: str | None = None


@dataclass(frozen=True)
class Overlay:
    """A version of a study that differs from its base tables by a few rows (a concept, say).

    Rows of `codering` and `aanbevelingen` replace the base row with the same id, or are added;
    `verwijderd` names base ids this version lacks. Unchanged base rows keep their text; their
    `bron`, where it starts with `bron_van`, is relabelled `bron_naar` and its line numbers
    moved through `regels` (base line ranges and their shift into this version's document).
    """

    codering: Path | None = None
    aanbevelingen: Path | None = None
    verwijderd: tuple[str, ...] = ()
    regels: Path | None = None
    bron_van: str = ""
    bron_naar: str = ""


@dataclass(frozen=True)
class Exemption:
    """A text the privacy gate lets pass after review (`privacy: toegestaan:`), and why.

    Real surnames collide with the product's words (Groen, van Huizen); an exemption is
    printed in every run summary, so the gate never weakens unseen.
    """

    tekst: str
    reden: str


@dataclass(frozen=True)
class Study:
    """One evaluation: its framework, units and the files with its evidence and judgements."""

    id: str
    naam: str
    golf: str
    path: Path
    framework: Framework
    eenheden: tuple[Unit, ...]
    codering: tuple[Path, ...]
    werkbladen: dict[Path, str] = field(default_factory=dict)  # XLSX codering -> sheet name
    oordelen: Path | None = None
    prioriteiten: Path | None = None
    aanbevelingen: Path | None = None
    respondenten: Path | None = None
    datum: str = ""
    opdrachtgever: str = ""
    status: str = "definitief"  # concept pages carry a visible CONCEPT marking
    versie: str = ""  # a free label, e.g. "versie 2 voor de stuurgroep"
    periode: str = ""
    werkwijze: str = ""  # method, in the study's own words; paragraphs and "- " lists
    beperkingen: str = ""  # limitations, same form
    scoring: ScoringSettings = ScoringSettings()
    qda: QdaMapping = QdaMapping()
    vorige_golf: Path | None = None  # the study file of the previous measurement
    overlay: Overlay | None = None
    acties: Path | None = None  # the implementation plan's actions
    voortgang: Path | None = None  # progress per action and unit
    wegingskader: Path | None = None  # the framework's file: an input outputs must not replace
    toegestaan: tuple[Exemption, ...] = ()

    def unit(self, text: str) -> Unit | None:
        return self._unit_index.get(normalize_key(text))

    def unit_by_code(self, code: str) -> Unit | None:
        """The unit with exactly this code (a parsed one), without folding case or accents."""
        return self._unit_codes.get(code)

    @cached_property
    def _unit_codes(self) -> dict[str, Unit]:
        codes: dict[str, Unit] = {}
        for unit in self.eenheden:
            codes.setdefault(unit.code, unit)
        return codes

    @cached_property
    def _unit_index(self) -> dict[str, Unit]:
        """Code and name -> unit, the first unit in study order where two share a key (a
        lookup per unit took seconds for a national study's codings)."""
        index: dict[str, Unit] = {}
        for unit in self.eenheden:
            for name in (unit.code, unit.naam):
                index.setdefault(normalize_key(name), unit)
        return index

    def require_unit(self, text: str) -> Unit:
        """The unit named by code or name; ValueError with the nearest valid one otherwise."""
        unit = self.unit(text)
        if unit is None:
            hint = nearest(text, [n for u in self.eenheden for n in (u.code, u.naam)])
            codes = ", ".join(u.code for u in self.eenheden)
            raise ValueError(f"onbekende eenheid; verwacht een van {codes}{did_you_mean(hint)}")
        return unit

    @property
    def is_concept(self) -> bool:
        return self.status == "concept"

    @property
    def municipal_units(self) -> tuple[Unit, ...]:
        return tuple(u for u in self.eenheden if u.is_municipal)

    @property
    def regions(self) -> dict[str, tuple[Unit, ...]]:
        """Region name -> its units, both in study order; empty for a study without regions."""
        grouped: dict[str, list[Unit]] = {}
        for unit in self.eenheden:
            if unit.regio:
                grouped.setdefault(unit.regio, []).append(unit)
        return {name: tuple(units) for name, units in grouped.items()}

    def region_units(self, regio: str) -> tuple[Unit, ...]:
        """The units of one region (all units for ""); ValueError with a hint for an unknown one."""
        if not regio:
            return self.eenheden
        regions = self.regions
        key = normalize_key(regio)
        match = next((n for n in regions if normalize_key(n) == key), None)
        if match is None:
            names = list(regions)
            listed = ", ".join(names) or "(de studie heeft geen regio's)"
            raise ValueError(f"onbekende regio '{regio}'; verwacht een van {listed}"
                             f"{did_you_mean(nearest(regio, names))}")
        return regions[match]


# Page names that presentation links to and batch writes; batch/pages.py reserves them (D4).
OVERVIEW_PAGE = "overzicht"
REGION_PAGE_PREFIX = "regio-"
PLAN_PAGE = "uitvoeringsplan"


def region_page(regio: str) -> str:
    """A region's comparison page stem: 'Gooi en Vechtstreek' -> 'regio-gooi-en-vechtstreek'."""
    return REGION_PAGE_PREFIX + (slugify(regio) or "naamloos")


