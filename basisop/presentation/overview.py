"""Presentation at scale: the national overview and region pages that stay legible at 400 units.

Design (for a reader on screen and on A4 paper):
- The status matrix puts units in rows and the 17 subthemes in columns, grouped and labelled by
  region. Rows have a fixed height and labels a fixed size (8 pt, never below 7 pt): more units
  make the figure longer, never the labels smaller. The matrix is cut into page-sized parts at
  region boundaries where it can, each part repeating the subtheme header, so it prints across
  pages. Every cell carries colour, hatching and a symbol: colour is never the only signal.
- Figures are inline SVG with text kept as text: unit names can be found, copied and read by a
  screen reader, and print sharp. They are at most A4's printable width (about 17 cm).
- Distributions (per subtheme, nationally or for a region) are 100% stacked bars, one bar per
  subtheme; regions side by side are a table of the share rood per theme, as numbers (a table
  of 25 x 5 numbers reads better than 125 bars).
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.path import Path

from basisop.io.dataset import StudyData
from basisop.model import (
    COLOURS,
    OVERVIEW_PAGE,
    STATUS_COLOUR,
    Status,
    Study,
    Unit,
    region_page,
)
from basisop.presentation import (
    INLINE_CSS,
    STATUS_HATCH,
    STATUS_STYLE,
    WIDE_LIMIT,
    Region,
    comparison_figure,
    comparison_table,
    figure_html,
)
from basisop.scoring import records, score

# A4 with the print stylesheet's margins (16 mm left and right, 18 + 20 mm top and bottom).
A4_WIDTH_IN = (210 - 32) / 25.4
A4_HEIGHT_IN = (297 - 38) / 25.4
FIGURE_WIDTH_IN = 6.7  # a little under the printable width, so nothing is scaled down
LABEL_PT = 8.0
MIN_PT = 7.0  # no text in a figure is smaller
ROW_IN = 0.17  # one unit's row: an 8 pt label and air
MAX_ROWS = 40  # rows per matrix part: with its header, one part fits an A4 page
_EDGE = "#263238"


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


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


# -- the status matrix ------------------------------------------------------------------------

@dataclass(frozen=True)
class _Row:
    label: str
    unit: str | None  # None: a region's heading row


def _matrix_rows(groups: dict[str, tuple[Unit, ...]]) -> list[list[_Row]]:
    """Rows cut into parts of at most MAX_ROWS, at a region boundary when the region fits."""
    parts: list[list[_Row]] = [[]]
    for name, units in groups.items():
        rows = [_Row(f"{u.naam} ({u.code})", u.code) for u in units]
        heading = [_Row(f"{name} ({len(units)} eenheden)", None)] if name else []
        if parts[-1] and len(parts[-1]) + len(heading) + len(rows) > MAX_ROWS:
            parts.append([])
        while rows:
            room = MAX_ROWS - len(parts[-1]) - len(heading)
            if room < 2:  # no heading stranded at the foot of a part
                parts.append([])
                continue
            parts[-1] += heading + rows[:room]
            rows = rows[room:]
            if rows:
                parts.append([])
                heading = [_Row(f"{name} (vervolg)", None)] if name else []
    return [p for p in parts if p]


def status_matrix_figures(study: Study, scores: pd.DataFrame,
                          groups: dict[str, tuple[Unit, ...]]) -> list[Figure]:
    """Units (rows, grouped by region) by subthemes (columns), one figure per page-sized part."""
    status = {(r["eenheid"], r["subthema_id"]): Status(r["status"])
              for r in records(scores[["eenheid", "subthema_id", "status"]])}
    return [_matrix_part(study, rows, status) for rows in _matrix_rows(groups)]


def _matrix_part(study: Study, rows: list[_Row], status: dict) -> Figure:
    subthemes = study.framework.subthemes
    fig = plt.figure(figsize=(FIGURE_WIDTH_IN, 1), dpi=100)
    renderer = fig.canvas.get_renderer()
    widest = max(_text_width(fig, renderer, r.label, bold=r.unit is None) for r in rows)
    tallest = max(_text_width(fig, renderer, s.naam) for s in subthemes)
    left, right = widest + 0.15, 0.1
    top, bottom = tallest + 0.15, 0.45  # header of rotated names; legend below
    height = top + ROW_IN * len(rows) + bottom
    fig.set_size_inches(FIGURE_WIDTH_IN, height)
    ax = fig.add_axes((left / FIGURE_WIDTH_IN, bottom / height,
                       1 - (left + right) / FIGURE_WIDTH_IN, ROW_IN * len(rows) / height))
    ax.set_xlim(0, len(subthemes))
    ax.set_ylim(len(rows), 0)
    ax.set_axis_off()
    cells: dict[Status | None, list[tuple[float, float]]] = {}
    for y, row in enumerate(rows):
        if row.unit is None:
            ax.text(-0.1, y + 0.5, row.label, ha="right", va="center", fontsize=LABEL_PT,
                    fontweight="bold", color="#000000")
            ax.axhline(y, color=_EDGE, linewidth=1.2)
            continue
        ax.text(-0.1, y + 0.5, row.label, ha="right", va="center", fontsize=LABEL_PT,
                color="#212121")
        for x, sub in enumerate(subthemes):
            cells.setdefault(status.get((row.unit, sub.id)), []).append((x + 0.5, y + 0.5))
    cell_pt = 72 * (FIGURE_WIDTH_IN - left - right) / len(subthemes)
    _draw_cells(ax, cells, cell_pt, 72 * ROW_IN)
    for x, sub in enumerate(subthemes):
        ax.text(x + 0.5, -0.15, sub.naam, rotation=90, ha="center", va="bottom",
                fontsize=LABEL_PT, color="#212121")
    edges = [0]
    for theme in study.framework.themas:  # a thicker line between themes
        edges.append(edges[-1] + len(theme.subthemas))
    for x in edges:
        ax.axvline(x, color=_EDGE, linewidth=1.0)
    _status_legend(fig, bottom / height * 0.45)
    return fig


def _draw_cells(ax, cells: dict[Status | None, list[tuple[float, float]]], width_pt: float,
                height_pt: float) -> None:
    """One scatter per status for the cells and one for their symbols: a few thousand cells
    stay a few collections (an SVG <use> per cell), not thousands of artists."""
    box = Path([(-width_pt, -height_pt), (width_pt, -height_pt), (width_pt, height_pt),
                (-width_pt, height_pt), (-width_pt, -height_pt)], closed=True)
    for s, points in cells.items():
        xs, ys = zip(*points, strict=True)
        if s is None:  # the unit does not assess this subtheme
            ax.scatter(xs, ys, marker="$–$", s=MIN_PT ** 2, c="#616161", linewidths=0)
            continue
        ax.scatter(xs, ys, marker=box, s=(width_pt - 1) ** 2, c=STATUS_COLOUR[s],
                   hatch=STATUS_HATCH[s], edgecolors="#ffffff", linewidths=0.6)
        ax.scatter(xs, ys, marker=f"${STATUS_STYLE[s][2]}$", s=MIN_PT ** 2, c="#000000",
                   linewidths=0)


def _text_width(fig: Figure, renderer, text: str, *, bold: bool = False) -> float:
    """Width in inches of `text` at the label size, as matplotlib will draw it."""
    artist = fig.text(0, 0, text, fontsize=LABEL_PT, fontweight="bold" if bold else "normal")
    width = artist.get_window_extent(renderer).width / fig.dpi
    artist.remove()
    return width


def _status_legend(fig: Figure, y: float) -> None:
    fig.legend(handles=[Patch(facecolor=STATUS_COLOUR[s], hatch=STATUS_HATCH[s], edgecolor=_EDGE,
                              label=f"{STATUS_STYLE[s][2]} {s.label}") for s in Status],
               loc="center", bbox_to_anchor=(0.5, y), ncol=4, fontsize=LABEL_PT, frameon=False)


# -- distributions ----------------------------------------------------------------------------

def distribution(scores: pd.DataFrame) -> pd.DataFrame:
    """Per subtheme (framework order): how many units are groen, oranje, rood or onbekend."""
    counts = (scores.groupby(["subthema_id", "subthema"], sort=False)["status"]
              .value_counts().unstack("status", fill_value=0))
    for s in Status:
        if s.value not in counts:
            counts[s.value] = 0
    return counts[[s.value for s in Status]].reset_index()


def distribution_figure(scores: pd.DataFrame, title: str) -> Figure:
    """Per subtheme, the share of units in each status: 100% stacked, hatched bars."""
    table = distribution(scores)
    totals = table[[s.value for s in Status]].sum(axis=1).clip(lower=1)
    height = 1.3 + 0.26 * len(table)
    fig = plt.figure(figsize=(FIGURE_WIDTH_IN, height), dpi=100)
    renderer = fig.canvas.get_renderer()
    left = max(_text_width(fig, renderer, n) for n in table["subthema"]) + 0.15
    ax = fig.add_axes((left / FIGURE_WIDTH_IN, 0.75 / height,
                       1 - (left + 0.2) / FIGURE_WIDTH_IN, (height - 1.3) / height))
    start = pd.Series(0.0, index=table.index)
    for s in Status:
        share = table[s.value] / totals * 100
        ax.barh(range(len(table)), share, left=start, color=STATUS_COLOUR[s],
                hatch=STATUS_HATCH[s], edgecolor=_EDGE, linewidth=0.5, height=0.75)
        start += share
    ax.set_yticks(range(len(table)), table["subthema"], fontsize=LABEL_PT)
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xticks(range(0, 101, 25), [f"{v}%" for v in range(0, 101, 25)], fontsize=LABEL_PT)
    ax.set_title(title, fontsize=9, loc="left")
    _status_legend(fig, 0.2 / height)
    return fig


# -- SVG --------------------------------------------------------------------------------------

_PROLOG = re.compile(r"^.*?(?=<svg)", re.DOTALL)


def figure_svg(fig: Figure, alt: str) -> str:
    """The figure as inline SVG with its text as text (no run-dependent metadata); closes it."""
    buffer = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    svg = _PROLOG.sub("", buffer.getvalue(), count=1)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{esc(alt)}" ', 1)
    return f'<div class="bo bo-figuur bo-svg">{svg}</div>'


# -- HTML blocks for the notebooks ------------------------------------------------------------

def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def matrix_html(study: Study, scores: pd.DataFrame,
                groups: dict[str, tuple[Unit, ...]]) -> str:
    figures = status_matrix_figures(study, scores, groups)
    return "".join(figure_svg(f, f"Status per eenheid en subthema, deel {i + 1} van "
                                 f"{len(figures)}") for i, f in enumerate(figures))


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
    return figure_svg(distribution_figure(region.scores, "Verdeling per subthema"),
                      "Aandeel eenheden per status, per subthema")


def overview_intro(overview: Overview) -> str:
    study = overview.data.study
    regions = overview.regions
    items = "".join(f'<li><a href="{esc(region_page(name))}.html">{esc(name)}</a> '
                    f"({len(units)} eenheden)</li>" for name, units in regions.items() if name)
    return (f'<div class="bo"><h1>Landelijk overzicht</h1><p>{esc(study.naam)} — golf '
            f"{esc(study.golf)}: {len(study.eenheden)} eenheden in {len(regions)} regio's.</p>"
            f"<ul class=\"bo-regios\">{items}</ul></div>{INLINE_CSS}")


def national_distribution_html(overview: Overview) -> str:
    return figure_svg(distribution_figure(overview.scores, "Alle eenheden"),
                      "Aandeel eenheden per status, per subthema, landelijk")


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
    head = "".join(f"<th>{esc(t.naam)}</th>" for t in themes)
    rows = []
    for name in overview.regions:
        tds = "".join(f'<td class="bo-getal" title="{cells.get((name, t.id), (0, 0))[0]} van '
                      f'{cells.get((name, t.id), (0, 0))[1]}">'
                      f"{_share(*cells.get((name, t.id), (0, 0)))}</td>" for t in themes)
        rows.append(f"<tr><th scope=\"row\">{esc(name or 'alle eenheden')}</th>{tds}</tr>")
    return ('<div class="bo"><table class="bo-tabel bo-rood-per-regio"><thead><tr><th>Regio</th>'
            f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            '<p class="verantwoording">Aandeel rood van de beoordeelde subthema\'s per thema; '
            "onbekend telt niet mee.</p></div>")


def most_red_national_html(overview: Overview, top: int = 10) -> str:
    """The subthemes most often rood across all units, with counts."""
    table = distribution(overview.scores)
    table["beoordeeld"] = table[[s.value for s in COLOURS]].sum(axis=1)
    table = table[table["rood"] > 0].sort_values("rood", ascending=False, kind="stable")
    items = "".join(f"<li>{esc(r['subthema'])}: rood in {r['rood']} van de {r['beoordeeld']} "
                    f"beoordeelde eenheden ({_share(r['rood'], r['beoordeeld'])})</li>"
                    for r in records(table.head(top)))
    return (f'<div class="bo"><h2>Subthema\'s die het vaakst rood zijn</h2>'
            f"<ol>{items or '<li>Geen subthema is rood.</li>'}</ol></div>")


def national_matrix_html(overview: Overview) -> str:
    return matrix_html(overview.data.study, overview.scores, overview.regions)


def region_link(study: Study, unit: Unit) -> str:
    """A chapter's link to its region's comparison (and the overview); "" without a region."""
    if not unit.regio:
        return ""
    overview = (f' · <a href="{OVERVIEW_PAGE}.html">landelijk overzicht</a>'
                if len(study.regions) > 1 else "")
    return (f'<div class="bo"><p class="bo-regio">Regio: <a href="{esc(region_page(unit.regio))}'
            f'.html">{esc(unit.regio)}</a>{overview}</p></div>')
