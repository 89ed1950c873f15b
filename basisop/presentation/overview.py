"""Presentation at scale: the national overview and region pages that stay legible at 400 units.

Design (for a reader on screen and on A4 paper):
- The status matrix is an HTML table: units in rows ("naam (code)" as row headers), grouped by
  region under a heading row with the region's name and count; the 17 subthemes in columns under
  their theme, written upright (vertical text) so every column says what it is without a key,
  with a thicker rule between themes. Text has one size (8.5 pt in print, never below 7 pt):
  more units make the table longer, never its text smaller. Printed, the header repeats on every
  page and no row is cut in two. Every cell carries colour, a symbol and (for screen readers)
  the status as a word: colour is never the only signal.
- Distributions (per subtheme, nationally or for a region) are 100% stacked bars as in the
  chapter's profile, one bar per subtheme, each segment with its symbol and count as text.
- Regions side by side are a table of the share rood per theme, as numbers (a table of 25 x 5
  numbers reads better than 125 bars).
Tables, not drawn figures: names and counts are text (crisp in print, found by search and the
privacy gate, read by screen readers), and the browser, not matplotlib, lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from markupsafe import Markup

from basisop.io.dataset import StudyData
from basisop.model import COLOURS, OVERVIEW_PAGE, Status, Study, Unit, region_page
from basisop.presentation import (
    _ENV,
    INLINE_CSS,
    WIDE_LIMIT,
    Region,
    bar_parts,
    comparison_figure,
    comparison_table,
    figure_html,
)
from basisop.scoring import records, score


@dataclass
class Overview:
    """The national overview: every unit's scores and the study's regions."""

    data: StudyData
    scores: pd.DataFrame

    @classmethod
    def build(cls, data: StudyData) -> Overview:
        return cls(data, score(data))

    @property
    def regions(self) -> dict[str, tuple[Unit, ...]]:
        return self.data.study.regions or {"": self.data.study.eenheden}


# -- distributions ----------------------------------------------------------------------------

def distribution(scores: pd.DataFrame) -> pd.DataFrame:
    """Per subtheme (framework order): how many units are groen, oranje, rood or onbekend."""
    counts = (scores.groupby(["subthema_id", "subthema"], sort=False)["status"]
              .value_counts().unstack("status", fill_value=0))
    for s in Status:
        if s.value not in counts:
            counts[s.value] = 0
    return counts[[s.value for s in Status]].reset_index()


# -- HTML blocks for the notebooks ------------------------------------------------------------

_BLOCKS = _ENV.get_template("overview.html.j2").module
# A matrix cell per status (None: the unit does not assess the subtheme), rendered once: a
# national matrix has some 7,000 cells.
_CELLS = {s: Markup(_BLOCKS.matrix_cell(s)) for s in (*Status, None)}


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def matrix_html(study: Study, scores: pd.DataFrame,
                groups: dict[str, tuple[Unit, ...]]) -> str:
    """Units (rows, under a heading per named region) by subthemes (columns, under their theme)."""
    status = {(r["eenheid"], r["subthema_id"]): r["status"]
              for r in records(scores[["eenheid", "subthema_id", "status"]])}
    subthemes = [s.id for s in study.framework.subthemes]
    rows = [(name, [(f"{u.naam} ({u.code})", [status.get((u.code, s)) for s in subthemes])
                    for u in units])
            for name, units in groups.items()]
    return str(_BLOCKS.matrix(study.framework.themas, len(subthemes), rows, _CELLS))


def distribution_html(scores: pd.DataFrame, caption: str) -> str:
    """Per subtheme a 100% stacked bar of its units by status; segments carry symbol and count."""
    rows = [{"naam": r["subthema"], "parts": bar_parts(r, sum(r[s.value] for s in Status))}
            for r in records(distribution(scores))]
    return str(_BLOCKS.distribution(caption, rows))


def comparison_html(region: Region) -> str:
    """A region's units side by side: the district layout for a few units, else the matrix."""
    if len(region.units) <= WIDE_LIMIT:
        return comparison_table(region)
    return matrix_html(region.data.study, region.scores, {"": region.units})


def comparison_figure_html(region: Region) -> str:
    """The district's status grid for a few units; for many, the distribution per subtheme."""
    if len(region.units) <= WIDE_LIMIT:
        return figure_html(comparison_figure(region),
                           "Status per eenheid en subthema, met arcering en symbool per status")
    return distribution_html(region.scores,
                             f"Verdeling per subthema in {region.naam or 'alle eenheden'}")


def overview_intro(overview: Overview) -> str:
    study = overview.data.study
    regions = [(name, region_page(name), len(units))
               for name, units in overview.regions.items() if name]
    return str(_BLOCKS.intro(study, len(study.eenheden), len(overview.regions), regions,
                             Markup(INLINE_CSS)))


def national_distribution_html(overview: Overview) -> str:
    return distribution_html(overview.scores, "Verdeling per subthema, alle eenheden")


def red_by_region(overview: Overview) -> pd.DataFrame:
    """Per region and theme: units' subtheme statuses rood, and how many were assessed."""
    regio = {u.code: name for name, units in overview.regions.items() for u in units}
    assessed = overview.scores[overview.scores["status"] != Status.ONBEKEND.value]
    assessed = assessed.assign(regio=assessed["eenheid"].map(regio),
                               rood=assessed["status"] == Status.ROOD.value)
    return (assessed.groupby(["regio", "thema_id", "thema"], sort=False)["rood"]
            .agg(rood="sum", beoordeeld="size").reset_index())


def red_by_region_html(overview: Overview) -> str:
    """Regions (rows) by themes (columns): the share of assessed subtheme statuses that is rood."""
    table = red_by_region(overview)
    themes = overview.data.study.framework.themas
    cells = {(r["regio"], r["thema_id"]): (int(r["rood"]), int(r["beoordeeld"]))
             for r in records(table)}
    rows = []
    for name in overview.regions:
        counts = [cells.get((name, t.id), (0, 0)) for t in themes]
        rows.append((name or "alle eenheden",
                     [(red, assessed, _share(red, assessed)) for red, assessed in counts]))
    return str(_BLOCKS.red_by_region(themes, rows))


def most_red_national_html(overview: Overview, top: int = 10) -> str:
    """The subthemes most often rood across all units, with counts."""
    table = distribution(overview.scores)
    table["beoordeeld"] = table[[s.value for s in COLOURS]].sum(axis=1)
    table = table[table["rood"] > 0].sort_values("rood", ascending=False, kind="stable")
    rows = [(r["subthema"], r["rood"], r["beoordeeld"], _share(r["rood"], r["beoordeeld"]))
            for r in records(table.head(top))]
    return str(_BLOCKS.most_red(rows))


def national_matrix_html(overview: Overview) -> str:
    return matrix_html(overview.data.study, overview.scores, overview.regions)


def region_link(study: Study, unit: Unit) -> str:
    """A chapter's link to its region's comparison (and the overview); "" without a region."""
    if not unit.regio:
        return ""
    return str(_BLOCKS.region_link(region_page(unit.regio), unit.regio,
                                   OVERVIEW_PAGE if len(study.regions) > 1 else ""))
