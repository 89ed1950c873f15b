"""The one registry of page names in a reports folder: every published page's file stem.

Fixed pages (the index, the regional comparison, the audit folder) and pages other parts add
(the implementation plan, the overview, one page per region) are reserved here, so a unit's
chapter can never take their name, and no two pages share one. Names are stable: a chapter's
name depends on its unit alone, never on which other units the study has.
"""

from __future__ import annotations

from collections.abc import Iterable

from basisop.model import (
    OVERVIEW_PAGE,
    PLAN_PAGE,
    REGION_PAGE_PREFIX,
    Study,
    Unit,
    region_page,
    slugify,
)
from basisop.problems import Problem

INDEX = "index"
REGION = "regio"  # the regional comparison of all units
AUDIT = "audit"  # the folder of executed notebooks
IMPLEMENTATION_PLAN = PLAN_PAGE
OVERVIEW = OVERVIEW_PAGE
REGION_PREFIX = REGION_PAGE_PREFIX  # one page per region: region_page(name)
MANIFEST = "manifest.json"  # which run wrote each page (not a page)
RESERVED = frozenset({INDEX, REGION, AUDIT, IMPLEMENTATION_PLAN, OVERVIEW})
# A chapter whose slug is reserved gets this prefix; slugs that start with it get it too, so
# "Regio" -> "eenheid-regio" and "Eenheid Regio" -> "eenheid-eenheid-regio" stay apart.
CHAPTER_ESCAPE = "eenheid-"


def is_reserved(stem: str) -> bool:
    return stem in RESERVED or stem.startswith(REGION_PREFIX)


def chapter_page(unit: Unit) -> str:
    """The chapter's file stem: the unit's slug, escaped when reserved or when it could be
    mistaken for an escaped one (an injective mapping, so distinct slugs never collide)."""
    stem = unit.slug
    if not stem:  # a name without letters or digits: by its code; no slug holds "--"
        return f"{CHAPTER_ESCAPE}-{slugify(unit.code)}"
    if is_reserved(stem) or stem.startswith(CHAPTER_ESCAPE):
        return CHAPTER_ESCAPE + stem
    return stem


def pages(study: Study, regions: Iterable[str] = ()) -> dict[str, str]:
    """Every page stem of a study -> what it shows; raises nothing, see `page_problems`."""
    return dict(_labelled(study, regions))


def page_problems(study: Study, regions: Iterable[str] = ()) -> list[Problem]:
    """Two pages that would be written to one file: each pair, in Dutch."""
    seen: dict[str, str] = {}
    problems = []
    for stem, label in _labelled(study, regions):
        if stem in seen:
            problems.append(Problem(str(study.path), f"{label} en {seen[stem]} krijgen "
                                    f"dezelfde bestandsnaam '{stem}.html'; geef een van beide "
                                    "een andere naam"))
        else:
            seen[stem] = label
    return problems


def _labelled(study: Study, regions: Iterable[str]) -> list[tuple[str, str]]:
    fixed = [(INDEX, "de inhoudsopgave"), (REGION, "de regionale vergelijking"),
             (AUDIT, "de map met auditnotebooks"), (IMPLEMENTATION_PLAN, "het uitvoeringsplan"),
             (OVERVIEW, "het overzicht")]
    chapters = [(chapter_page(u), f"eenheid '{u.naam}' ({u.code})") for u in study.eenheden]
    return fixed + chapters + [(region_page(r), f"regio '{r}'") for r in regions]
