"""Presentation: Dutch HTML fragments and figures for the notebooks.

The markup lives in Jinja2 templates (templates/fragments.html.j2) rendered with autoescaping,
so every text that comes from data is escaped (a fragment holding `<script>` shows as text).
This module only prepares plain values for them; the counting is done in `basisop.scoring`.
Status cells carry their word and a symbol besides their colour, so tables read in black and
white and for colour-blind readers; `data-*` attributes let tests find them. Confidential
fragments are counted, never quoted. Respondent ids never appear: a statement is attributed to
"een respondent" and the role, a summary to the analysts, a document by its title.
"""

from __future__ import annotations

import base64
import io
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import jinja2
import markupsafe
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from basisop.io.dataset import StudyData
from basisop.model import (
    COLOURS,
    DOCUMENT,
    INTERVIEW,
    STATUS_COLOUR,
    SUMMARY,
    Level,
    Status,
    Study,
    Unit,
    dutch_date,
)
from basisop.scoring import (
    SOURCE_JUDGEMENT,
    SOURCE_RULE,
    SOURCE_UNKNOWN,
    municipal_spread,
    priorities,
    records,
    rule_agreement,
    score,
    status_column,
    study_priorities,
    theme_summary,
    unit_recommendations,
)
from basisop.scoring import most_red as _most_red
from basisop.scoring import prepare as prepare_scores

# Cell fill and text colours with enough contrast (WCAG AA), and a symbol that needs no colour.
STATUS_STYLE = {
    Status.GROEN: ("#c8e6c9", "#1b5e20", "✓"),
    Status.ORANJE: ("#ffe0b2", "#8a4b00", "!"),
    Status.ROOD: ("#ffcdd2", "#8e0000", "✗"),
    Status.ONBEKEND: ("#eeeeee", "#424242", "?"),
}
# Hatching for figures, so they read in black and white too.
STATUS_HATCH = {Status.GROEN: "", Status.ORANJE: "..", Status.ROOD: "///", Status.ONBEKEND: "xx"}
LEVEL_TEXT = {Level.LOKAAL: "lokaal", Level.DISTRICTELIJK: "districtelijk",
              Level.BEIDE: "districtelijk en lokaal"}
SOURCE_TEXT = {SOURCE_JUDGEMENT: "oordeel analist", SOURCE_RULE: "berekend (regel)",
               SOURCE_UNKNOWN: "—"}

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
_ENV.globals.update(STATUS_STYLE=STATUS_STYLE, Status=Status)
_FRAGMENTS = _ENV.get_template("fragments.html.j2").module
_EVIDENCE_RECORDS = "evidence records"  # a key of StudyData.cache


def _render(macro: str, **values) -> str:
    return str(getattr(_FRAGMENTS, macro)(**values))


def esc(value: object) -> str:
    """Text escaped as the templates escape it, for HTML built outside them."""
    return str(markupsafe.escape("" if value is None else value))


# The chapter's own styles, inline in its first output so JupyterLab (and the workbench) show them.
INLINE_CSS = _render("style")


def status_badge(status: Status | str) -> str:
    """A status as word, symbol and colour, for the workbench's widgets."""
    return _render("status_badge", status=Status(status))


# --- Structured text: paragraphs, bullet and sub-bullet lists --------------------------------

_ITEM = re.compile(r"^(\s*)[-•◦*]\s+(.*)$")


def text_blocks(text: str) -> list[dict]:
    """Plain text with simple structure as blocks: a blank line separates paragraphs, a line
    starting with '- ' (or •) is a list item, an indented one a sub-item of the item above."""
    blocks: list[dict] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        for line in chunk.splitlines():
            match = _ITEM.match(line)
            if match is None:
                if blocks and blocks[-1]["kind"] == "p" and blocks[-1]["open"]:
                    blocks[-1]["text"] += " " + line.strip()
                elif line.strip():
                    blocks.append({"kind": "p", "text": line.strip(), "open": True})
                continue
            if not blocks or blocks[-1]["kind"] != "ul":
                blocks.append({"kind": "ul", "items": []})
            items = blocks[-1]["items"]
            if match.group(1) and items:
                items[-1]["sub"].append(match.group(2).strip())
            else:
                items.append({"text": match.group(2).strip(), "sub": []})
        if blocks and blocks[-1]["kind"] == "p":
            blocks[-1]["open"] = False
    return blocks


def figure_html(fig: Figure, alt: str) -> str:
    """The figure as an inline PNG (self-contained, no run-dependent metadata); closes it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return _render("figure", alt=alt, src=f"data:image/png;base64,{data}")


def section(title: str) -> str:
    return _render("section", title=title)


def legend_html(data: StudyData) -> str:
    legend = data.study.framework.legenda
    rows = [(s, legend.get(s, "")) for s in COLOURS]
    rows.append((Status.ONBEKEND, "niet beoordeeld of niet bekend; nooit een geschatte kleur"))
    return _render("legend", rows=rows)


def _study_line(study: Study) -> str:
    date = f", gegevens van {dutch_date(study.datum)}" if study.datum else ""
    version = f" ({study.versie})" if study.versie else ""
    return f"{study.naam} — golf {study.golf}{date}{version}."


@dataclass
class Chapter:
    """Everything the chapter notebook of one unit shows."""

    data: StudyData
    unit: Unit
    scores: pd.DataFrame  # this unit's rows of `score`
    plan: pd.DataFrame  # the `priorities` table of the study (the plan's priority per subtheme)

    @classmethod
    def build(cls, data: StudyData, unit_code: str) -> Chapter:
        unit = data.study.require_unit(unit_code)
        scores = score(data)
        return cls(data, unit, scores[scores["eenheid"] == unit.code].reset_index(drop=True),
                   study_priorities(data))


def chapter_intro(chapter: Chapter) -> str:
    study, unit = chapter.data.study, chapter.unit
    municipalities = ", ".join(unit.gemeenten)
    kind = ("het district (de districtspartners)" if not unit.is_municipal
            else f"gemeente {municipalities}" if len(unit.gemeenten) == 1
            else f"de gemeenten {municipalities}, als één eenheid geanalyseerd")
    counts = chapter.scores["status"].value_counts()
    title = (f"De lokale aanpak in {unit.naam}" if unit.is_municipal
             else f"Districtelijke inzichten: {unit.naam}")
    return _render("chapter_intro", title=title, study=study, study_line=_study_line(study),
                   kind=kind, total=len(chapter.scores),
                   summary=", ".join(f"{counts.get(s.value, 0)} {s.value}" for s in Status))


def method_html(chapter: Chapter) -> str:
    """How the study was done and what it cannot say, with this unit's interviews and note."""
    return _render("method", study=chapter.data.study, units=[chapter.unit],
                   werkwijze=text_blocks(chapter.data.study.werkwijze),
                   beperkingen=text_blocks(chapter.data.study.beperkingen))


def status_table(chapter: Chapter) -> str:
    """The filled wegingskader of one unit: theme, subtheme, status and where it comes from."""
    groups = []
    for _, group in chapter.scores.groupby("thema_id", sort=False):
        rows = []
        for r in records(group):
            note = SOURCE_TEXT[r["bron"]]
            if r["afwijking"]:
                note += f"; regel: {Status(r['berekend']).value}"
            rows.append({**r, "status": Status(r["status"]), "note": note})
        groups.append(rows)
    return _render("status_table", unit=chapter.unit, groups=groups)


def profile_html(chapter: Chapter) -> str:
    """Per theme, how many subthemes have each status: a table of stacked bars.

    HTML, not a drawn figure: the theme names and counts are text (crisp in print, read by
    screen readers, found by the privacy gate) and every segment carries its status symbol and
    count, so the bars read without colour. Segment widths share one scale, the widest theme.
    """
    # Counted in Python: theme_summary's groupby over a unit's 17 rows cost more than the page.
    names, counts = {}, {}
    for r in records(chapter.scores[["thema_id", "thema", "status"]]):
        names[r["thema_id"]] = r["thema"]
        counts.setdefault(r["thema_id"], Counter())[r["status"]] += 1
    widest = max((c.total() for c in counts.values()), default=0)
    rows = [{"naam": names[theme], "parts": bar_parts(c, widest)} for theme, c in counts.items()]
    return _render("profile", unit=chapter.unit, rows=rows)


def bar_parts(counts: Mapping[str, int], scale: int) -> list[tuple[Status, int, float]]:
    """A stacked bar's segments (macro `bars`): per status with a count, its count and width
    in % of `scale`."""
    return [(s, counts[s.value], round(100 * counts[s.value] / scale, 2))
            for s in Status if counts[s.value]]


def attribution(kind: str, role: str = "", title: str = "") -> str:
    """Who or what speaks, without saying who: a role, the analysts or a document's title."""
    if kind == SUMMARY:
        return "samenvatting van de analisten"
    if kind == DOCUMENT:
        return f"document: {title}" if title else "document"
    return f"een respondent ({role})" if role else "een respondent"


def findings_html(chapter: Chapter, theme_id: str) -> str:
    """One theme's findings: per subtheme the status, the judgement and the evidence behind it."""
    theme = chapter.data.study.framework.theme(theme_id)
    blocks = [_subtheme_block(chapter, r)
              for r in records(chapter.scores[chapter.scores["thema_id"] == theme_id])]
    return _render("findings", theme=theme, blocks=blocks)


def _subtheme_block(chapter: Chapter, r: dict) -> dict:
    frags = _evidence_records(chapter.data).get((chapter.unit.code, r["subthema_id"]), ())
    open_frags = [f for f in frags if not f["vertrouwelijk"]]
    quotes = [{"text": f["fragment"], "kind": f.get("soort", INTERVIEW),
               "by": attribution(f.get("soort", INTERVIEW), f["rol"], f.get("titel", "")),
               "oordeel": Status(f["oordeel"]) if f["oordeel"] else None}
              for f in open_frags]
    return {"naam": r["subthema"], "status": Status(r["status"]), "quotes": quotes,
            "judgement": _judgement_text(r, frags), "afwijking": r["afwijking"],
            "hidden": len(frags) - len(open_frags), "empty": not frags}


def prepare(data: StudyData) -> None:
    """Compute once what every page asks of the study (batch/kernels.py forks after this)."""
    prepare_scores(data)
    _evidence_records(data)


def _evidence_records(data: StudyData) -> dict[tuple[str, str], tuple[dict, ...]]:
    """The fragments behind each (unit, subtheme) as plain rows, in file order, grouped once:
    a chapter shows every subtheme, and a frame per subtheme cost more than the page. Shared
    between the pages of a run (and forked kernels): read, never changed."""
    if _EVIDENCE_RECORDS not in data.cache:
        groups: dict[tuple[str, str], list[dict]] = {}
        for row in records(data.codings.frame):
            groups.setdefault((row["eenheid"], row["subthema"]), []).append(row)
        data.cache[_EVIDENCE_RECORDS] = {key: tuple(rows) for key, rows in groups.items()}
    return data.cache[_EVIDENCE_RECORDS]


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _kind_counts(kinds: list[str]) -> str:
    """'3 uitspraken van respondenten, 1 passage uit documenten': the kinds that occur."""
    parts = [(INTERVIEW, "uitspraak", "uitspraken", "van respondenten"),
             (SUMMARY, "samenvattende zin", "samenvattende zinnen", "van de analisten"),
             (DOCUMENT, "passage", "passages", "uit documenten")]
    return ", ".join(f"{_plural(n, one, many)} {tail}" for kind, one, many, tail in parts
                     if (n := kinds.count(kind)))


def _judgement_text(r: dict, frags: tuple[dict, ...]) -> str:
    kinds = [f.get("soort", INTERVIEW) for f in frags]
    counts = f"{r['groen']} groen, {r['oranje']} oranje, {r['rood']} rood"
    evidence_text = _plural(r["fragmenten"], "fragment", "fragmenten")
    if r["fragmenten"]:
        evidence_text += f": {_kind_counts(kinds)}"
    evidence_text += f" ({counts})"
    if r["bron"] == SOURCE_JUDGEMENT:
        text = f"Oordeel van de analisten: {Status(r['status']).value}."
        if r["motivering"]:
            text += f" {r['motivering']}"
    elif r["bron"] == SOURCE_RULE:
        text = "Geen oordeel vastgelegd; de status is berekend met de regel."
    else:
        text = "Onbekend: er is geen oordeel en geen gecodeerd bewijs met een kleur."
    text += f" Onderbouwing: {evidence_text}."
    if r["afwijking"]:
        text += (f" Let op: de regel berekent uit de fragmenten {Status(r['berekend']).value}, "
                 f"het oordeel is {Status(r['status']).value}.")
    return text


def _recommendation_items(recs: list[dict]) -> list[dict]:
    return [{"titel": r["titel"] or r["id"], "niveau": LEVEL_TEXT[Level(r["niveau"])],
             "blocks": text_blocks(r["tekst"]), "prioriteit": r.get("prioriteit", ""),
             "betreft": [(name, Status(s)) for name, s in r.get("betreft", [])]}
            for r in recs]


def recommendations_html(chapter: Chapter) -> str:
    """Every recommendation that addresses this unit, whatever its colours, most urgent first."""
    recs = unit_recommendations(chapter.data, chapter.unit, chapter.scores, chapter.plan)
    return _render("recommendations", unit=chapter.unit, items=_recommendation_items(recs))


# --- Regional comparison -----------------------------------------------------------------

@dataclass
class Region:
    """A comparison of units: one region's (`naam`), or all of a study without regions ("")."""

    data: StudyData
    scores: pd.DataFrame  # the region's units only
    priorities: pd.DataFrame
    units: tuple[Unit, ...] = ()
    naam: str = ""

    @classmethod
    def build(cls, data: StudyData, regio: str = "") -> Region:
        units = data.study.region_units(regio)
        scores = score(data)
        scores = scores[scores["eenheid"].isin({u.code for u in units})].reset_index(drop=True)
        naam = units[0].regio if regio else ""
        return cls(data, scores, priorities(data, scores, units), units, naam)

    @property
    def municipal(self) -> list[str]:
        return [u.code for u in self.units if u.is_municipal]


# Up to this many units, a comparison puts units across (the district report's layout).
WIDE_LIMIT = 10


def region_intro(region: Region) -> str:
    study = region.data.study
    units = ", ".join(f"{u.naam} ({u.code})" for u in region.units)
    return _render("region_intro", study=study, study_line=_study_line(study), units=units,
                   regio=region.naam, count=len(region.units))


def region_method_html(region: Region) -> str:
    """Method and limitations of the study, with every unit's interviews and notes."""
    study = region.data.study
    return _render("method", study=study, units=list(region.units),
                   werkwijze=text_blocks(study.werkwijze),
                   beperkingen=text_blocks(study.beperkingen))


def comparison_table(region: Region) -> str:
    """The plan's layout: subthemes down, units across (W, GM, B/L, Hi, Hu, then the district)."""
    status = {(r["eenheid"], r["subthema_id"]): Status(r["status"])
              for r in records(region.scores)}
    return _render("comparison_table", units=list(region.units),
                   themes=region.data.study.framework.themas, status=status)


def comparison_figure(region: Region) -> Figure:
    """Units by subthemes as a grid of coloured, hatched and lettered cells."""
    study = region.data.study
    units = list(region.units)
    subthemes = list(study.framework.subthemes)
    status = {(r["eenheid"], r["subthema_id"]): Status(r["status"])
              for r in records(region.scores)}
    fig, ax = plt.subplots(figsize=(7.5, 7), dpi=100)
    for x, unit in enumerate(units):
        for y, sub in enumerate(subthemes):
            s = status.get((unit.code, sub.id))
            if s is None:
                continue
            ax.add_patch(plt.Rectangle((x, y), 1, 1, facecolor=STATUS_COLOUR[s],
                                       hatch=STATUS_HATCH[s], edgecolor="#263238"))
            ax.text(x + 0.5, y + 0.5, STATUS_STYLE[s][2], ha="center", va="center",
                    fontsize=10, color="#000000")
    ax.set_xlim(0, len(units))
    ax.set_ylim(len(subthemes), 0)
    ax.set_xticks([i + 0.5 for i in range(len(units))], [u.code for u in units])
    ax.set_yticks([i + 0.5 for i in range(len(subthemes))], [s.naam for s in subthemes],
                  fontsize=8)
    ax.xaxis.tick_top()
    ax.legend(handles=[Patch(facecolor=STATUS_COLOUR[s], hatch=STATUS_HATCH[s],
                             edgecolor="#263238", label=f"{STATUS_STYLE[s][2]} {s.label}")
                       for s in Status],
              loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=4, fontsize=8)
    ax.set_title("Status per eenheid en subthema", pad=24)
    fig.tight_layout()
    return fig


def counts_table(region: Region) -> str:
    """Per unit (rows) and theme (columns): how many subthemes have each status."""
    summary = theme_summary(region.scores)
    themes = list(dict.fromkeys(summary["thema"]))
    rows = []
    for unit in region.units:
        mine = summary[summary["eenheid"] == unit.code].set_index("thema")
        rows.append((unit.naam, [_count_text(mine.loc[t]) if t in mine.index else "n.v.t."
                                 for t in themes]))
    return _render("counts_table", themes=themes, rows=rows)


def _count_text(counts: pd.Series) -> str:
    return ", ".join(f"{counts[s.value]} {s.value}" for s in Status
                     if s in COLOURS or counts[s.value])


def most_red(region: Region) -> pd.DataFrame:
    """Subthemes by the number of municipal units that are rood, most first."""
    return _most_red(region.scores, region.municipal)


def most_red_html(region: Region) -> str:
    table = most_red(region)
    return _render("most_red", rows=records(table[table["meerderheid"]]))


def priority_table(region: Region) -> str:
    """The plan's priority and level per subtheme, the rule's value beside it where they
    differ, and a verantwoording where the plan's table and text name different levels."""
    # Beyond a few units the statuses stand in the matrix above; here they would run off the page.
    codes = region.municipal if len(region.units) <= WIDE_LIMIT else []
    rows, conflicts = [], []
    for r in records(region.priorities):
        notes = []
        if r["prioriteit"] != r["prioriteit_regel"]:
            notes.append(f"regel: {r['prioriteit_regel'] or '—'}")
        if r["niveau"] != r["niveau_regel"]:
            notes.append(f"niveau volgens regel: {r['niveau_regel'] or '—'}")
        note = "; ".join(notes)
        rows.append({**r, "statuses": [(c, Status(r[status_column(c)]))
                                       for c in codes],
                     "toelichting": f"{note}. {r['motivering']}" if note else r["motivering"]})
        if r["niveau_tekst"] and r["niveau_tekst"] != r["niveau"]:
            conflicts.append(r)
    return _render("priority_table", codes=codes, rows=rows, conflicts=conflicts)


def district_view(region: Region) -> str:
    """The district partners' view beside the municipalities' statuses on the same subtheme."""
    rows = []
    for unit in (u for u in region.units if not u.is_municipal):
        for r in records(region.scores[region.scores["eenheid"] == unit.code]):
            spread = municipal_spread(region.scores, r["subthema_id"], region.municipal)
            rows.append({"unit": unit, "subthema_id": r["subthema_id"], "naam": r["subthema"],
                         "status": Status(r["status"]),
                         "spread": ", ".join(f"{n} {s}" for s, n in spread.items())})
    return _render("district_view", rows=rows)


def district_recommendations(region: Region) -> str:
    """The recommendations that reach the district partners: district and mixed ones."""
    recs = [r for r in records(region.data.recommendations.frame)
            if Level(r["niveau"]) != Level.LOKAAL]
    return _render("district_recommendations", items=_recommendation_items(recs))


def rule_note(region: Region) -> str:
    """How often the rule and the analysts agree, so readers can weigh the colours."""
    both, differ = rule_agreement(region.scores)
    return _render("rule_note", rule=region.data.study.scoring.regel, both=both, differ=differ)
