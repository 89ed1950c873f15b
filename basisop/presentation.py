"""Presentation: Dutch HTML fragments and figures for the notebooks.

Every text that comes from data passes through `esc` (a fragment holding `<script>` shows as
text). Status cells carry their word and a symbol besides their colour, so tables read in
black and white and for colour-blind readers; `data-*` attributes let tests find them.
Confidential fragments are counted, never quoted. Respondent ids never appear: a quote is
attributed to "een respondent" and the role.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from basisop.io.dataset import StudyData
from basisop.model import COLOURS, STATUS_COLOUR, Level, Status, Study, Unit, dutch_date
from basisop.scoring import (
    SOURCE_JUDGEMENT,
    SOURCE_RULE,
    SOURCE_UNKNOWN,
    evidence,
    priorities,
    recommendations_for,
    score,
    status_column,
    theme_summary,
)

# Cell fill and text colours with enough contrast (WCAG AA), and a symbol that needs no colour.
STATUS_STYLE = {
    Status.GROEN: ("#c8e6c9", "#1b5e20", "✓"),
    Status.ORANJE: ("#ffe0b2", "#8a4b00", "!"),
    Status.ROOD: ("#ffcdd2", "#8e0000", "✗"),
    Status.ONBEKEND: ("#eeeeee", "#424242", "?"),
}
# Hatching for figures, so they read in black and white too.
STATUS_HATCH = {Status.GROEN: "", Status.ORANJE: "..", Status.ROOD: "///", Status.ONBEKEND: "xx"}
SOURCE_TEXT = {SOURCE_JUDGEMENT: "oordeel analist", SOURCE_RULE: "berekend (regel)",
               SOURCE_UNKNOWN: "—"}

_CSS_TEMPLATE = """
<style>
.bo {{ font-family: "Segoe UI", Arial, sans-serif; color: #212121; line-height: 1.45; }}
.bo table.bo-tabel {{ border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.95em; }}
.bo table.bo-tabel th, .bo table.bo-tabel td {{ border: 1px solid #9e9e9e; padding: 4px 8px;
  text-align: left; vertical-align: top; }}
.bo table.bo-tabel thead th {{ background: #37474f; color: #fff; }}
.bo .status {{ font-weight: 600; white-space: nowrap; -webkit-print-color-adjust: exact;
  print-color-adjust: exact; }}
{status_rules}
.bo .status-onbekend {{ font-style: italic; }}
.bo blockquote {{ margin: 0.4em 0 0.6em 1em; padding-left: 0.8em; border-left: 3px solid #90a4ae; }}
.bo .toeschrijving {{ color: #546e7a; font-size: 0.9em; }}
.bo .verantwoording {{ color: #455a64; font-size: 0.92em; }}
.bo .afwijking {{ border-left: 4px solid #8a4b00; padding-left: 0.6em; }}
.bo h2, .bo h3 {{ color: #263238; }}
</style>
"""
# The chapter's own styles, inline in its first output so JupyterLab shows them too.
INLINE_CSS = _CSS_TEMPLATE.format(status_rules="\n".join(
    f".bo .status-{s.value} {{ background: {fill}; color: {text}; }}"
    for s, (fill, text, _) in STATUS_STYLE.items()))


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def status_badge(status: Status | str, *, attrs: str = "") -> str:
    status = Status(status)
    _, _, symbol = STATUS_STYLE[status]
    return (f'<span class="status status-{status.value}"{attrs}>{symbol} '
            f"{status.label}</span>")


def status_cell(status: Status | str, attrs: str = "") -> str:
    status = Status(status)
    _, _, symbol = STATUS_STYLE[status]
    return (f'<td class="status status-{status.value}" data-status="{status.value}"{attrs}>'
            f"{symbol} {status.label}</td>")


def figure_html(fig: Figure, alt: str) -> str:
    """The figure as an inline PNG (self-contained, no run-dependent metadata); closes it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f'<div class="bo"><img class="bo-figuur" alt="{esc(alt)}" '
            f'src="data:image/png;base64,{data}"></div>')


def section(title: str) -> str:
    return f'<div class="bo"><h2>{esc(title)}</h2></div>'


def legend_html(data: StudyData) -> str:
    legend = data.study.framework.legenda
    items = "".join(f"<tr>{status_cell(s)}<td>{esc(legend.get(s, ''))}</td></tr>"
                    for s in COLOURS)
    items += (f"<tr>{status_cell(Status.ONBEKEND)}<td>niet beoordeeld of niet bekend; "
              "nooit een geschatte kleur</td></tr>")
    return (f'<div class="bo"><table class="bo-tabel bo-legenda"><thead><tr><th>Status</th>'
            f"<th>Betekenis</th></tr></thead><tbody>{items}</tbody></table></div>")


@dataclass
class Chapter:
    """Everything the chapter notebook of one unit shows."""

    data: StudyData
    unit: Unit
    scores: pd.DataFrame  # this unit's rows of `score`

    @classmethod
    def build(cls, data: StudyData, unit_code: str) -> Chapter:
        unit = data.study.require_unit(unit_code)
        scores = score(data)
        return cls(data, unit, scores[scores["eenheid"] == unit.code].reset_index(drop=True))


def _study_line(study: Study) -> str:
    date = f", gegevens van {dutch_date(study.datum)}" if study.datum else ""
    return esc(f"{study.naam} — golf {study.golf}{date}.")


def chapter_intro(chapter: Chapter) -> str:
    study, unit = chapter.data.study, chapter.unit
    municipalities = ", ".join(unit.gemeenten)
    kind = ("het district (de districtspartners)" if not unit.is_municipal
            else f"gemeente {municipalities}" if len(unit.gemeenten) == 1
            else f"de gemeenten {municipalities}, als één eenheid geanalyseerd")
    counts = chapter.scores["status"].value_counts()
    summary = ", ".join(f"{counts.get(s.value, 0)} {s.value}" for s in Status)
    title = (f"De lokale aanpak in {unit.naam}" if unit.is_municipal
             else f"Districtelijke inzichten: {unit.naam}")
    return (f'<div class="bo"><h1>{esc(title)}</h1>'
            f"<p>{_study_line(study)}</p>"
            f"<p>Dit hoofdstuk beschrijft de aanpak van radicalisering en extremisme in "
            f"{esc(kind)} aan de hand van het wegingskader: {len(chapter.scores)} subthema's, "
            f"waarvan {esc(summary)}.</p></div>{INLINE_CSS}")


def status_table(chapter: Chapter) -> str:
    """The filled wegingskader of one unit: theme, subtheme, status and where it comes from."""
    rows = []
    for _, group in chapter.scores.groupby("thema_id", sort=False):
        first = True
        for r in group.to_dict("records"):
            theme_cell = (f'<th rowspan="{len(group)}" scope="rowgroup">{esc(r["thema"])}</th>'
                          if first else "")
            first = False
            attrs = f' data-subthema="{esc(r["subthema_id"])}"'
            note = SOURCE_TEXT[r["bron"]]
            if r["afwijking"]:
                note += f"; regel: {Status(r['berekend']).value}"
            rows.append(f"<tr>{theme_cell}<td>{esc(r['subthema'])}</td>"
                        f"{status_cell(r['status'], attrs)}<td>{esc(note)}</td>"
                        f"<td>{r['fragmenten']}</td><td>{r['respondenten']}</td></tr>")
    return ('<div class="bo"><table class="bo-tabel bo-wegingskader" '
            f'data-eenheid="{esc(chapter.unit.code)}"><thead><tr><th>Thema</th><th>Subthema</th>'
            "<th>Status</th><th>Bron van de status</th><th>Fragmenten</th><th>Respondenten</th>"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def profile_figure(chapter: Chapter) -> Figure:
    """Per theme, how many subthemes have each status: stacked bars with hatching."""
    summary = theme_summary(chapter.scores)
    fig, ax = plt.subplots(figsize=(7.5, 3.2), dpi=100)
    left = [0] * len(summary)
    labels = list(summary["thema"])
    for status in Status:
        values = list(summary[status.value])
        ax.barh(labels, values, left=left, color=STATUS_COLOUR[status],
                hatch=STATUS_HATCH[status], edgecolor="#263238", label=status.label)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel("aantal subthema's")
    ax.set_title(f"Profiel van {chapter.unit.naam}")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="lower right", fontsize=8, frameon=True)
    fig.tight_layout()
    return fig


def attribution(role: str) -> str:
    """Who said it, without saying who: never an id or a name, only the role."""
    if "samengevat" in role:
        return "samenvatting van de interviews"
    return f"een respondent ({role})" if role else "een respondent"


def findings_html(chapter: Chapter, theme_id: str) -> str:
    """One theme's findings: per subtheme the status, the judgement and the quotes behind it."""
    theme = chapter.data.study.framework.theme(theme_id)
    blocks = [f'<div class="bo"><h2>{esc(theme.naam)}</h2>']
    for r in chapter.scores[chapter.scores["thema_id"] == theme_id].to_dict("records"):
        blocks.append(_subtheme_block(chapter, r))
    blocks.append("</div>")
    return "".join(blocks)


def _subtheme_block(chapter: Chapter, r: dict) -> str:
    frags = evidence(chapter.data, chapter.unit.code, r["subthema_id"])
    open_frags = frags[~frags["vertrouwelijk"].astype(bool)]
    hidden = len(frags) - len(open_frags)
    parts = [f"<h3>{esc(r['subthema'])} {status_badge(r['status'])}</h3>"]
    parts.append(_judgement_text(r))
    for f in open_frags.to_dict("records"):
        badge = f" {status_badge(f['oordeel'])}" if f["oordeel"] else ""
        parts.append(f"<blockquote>{esc(f['fragment'])}<br><span class=\"toeschrijving\">— "
                     f"{esc(attribution(f['rol']))}{badge}</span></blockquote>")
    if hidden:
        parts.append(f'<p class="verantwoording">Daarnaast {"is" if hidden == 1 else "zijn"} '
                     f"{hidden} vertrouwelijk{'' if hidden == 1 else 'e'} fragment"
                     f"{'' if hidden == 1 else 'en'} meegewogen dat niet wordt geciteerd.</p>")
    if frags.empty:
        parts.append('<p class="verantwoording">Voor dit subthema zijn geen fragmenten '
                     "gecodeerd.</p>")
    return "".join(parts)


def _judgement_text(r: dict) -> str:
    counts = f"{r['groen']} groen, {r['oranje']} oranje, {r['rood']} rood"
    evidence_text = (f"{r['fragmenten']} fragment{'' if r['fragmenten'] == 1 else 'en'} van "
                     f"{r['respondenten']} respondent{'' if r['respondenten'] == 1 else 'en'} "
                     f"({counts})")
    if r["bron"] == SOURCE_JUDGEMENT:
        text = f"Oordeel van de analisten: {Status(r['status']).value}."
        if r["motivering"]:
            text += f" {r['motivering']}"
    elif r["bron"] == SOURCE_RULE:
        text = "Geen oordeel vastgelegd; de status is berekend met de regel."
    else:
        text = "Niet beoordeeld: er is geen oordeel en geen gecodeerd bewijs met een kleur."
    text += f" Onderbouwing: {evidence_text}."
    css = "verantwoording afwijking" if r["afwijking"] else "verantwoording"
    if r["afwijking"]:
        text += (f" Let op: de regel berekent uit de fragmenten {Status(r['berekend']).value}, "
                 f"het oordeel is {Status(r['status']).value}.")
    return f'<p class="{css}">{esc(text)}</p>'


def recommendations_html(chapter: Chapter) -> str:
    """Recommendations that apply to this unit's rood and oranje subthemes."""
    gaps = chapter.scores[chapter.scores["status"].isin(["rood", "oranje"])]
    recs = recommendations_for(chapter.data, chapter.unit.code, gaps["subthema_id"])
    if not chapter.unit.is_municipal:  # the district partners act on the district's agenda
        recs = recs[recs["niveau"] == Level.DISTRICTELIJK.value]
    names = dict(zip(chapter.scores["subthema_id"], chapter.scores["subthema"], strict=True))
    if recs.empty:
        return (section("Aanbevelingen")
                + '<div class="bo"><p>Geen aanbevelingen van toepassing.</p></div>')
    items = []
    for rec in recs.to_dict("records"):
        about = ", ".join(names[s] for s in rec["subthemas"].split(";") if s in names)
        items.append(f"<li><strong>{esc(rec['titel'] or rec['id'])}</strong> "
                     f"({esc(rec['niveau'].lower())}; betreft {esc(about)})<br>"
                     f"{esc(rec['tekst'])}</li>")
    return (f'<div class="bo"><h2>Aanbevelingen</h2><p>Aanbevelingen die van toepassing zijn op '
            f"de rode en oranje subthema's van {esc(chapter.unit.naam)}:</p>"
            f"<ol>{''.join(items)}</ol></div>")


# --- Regional comparison -----------------------------------------------------------------

# Up to this many units, a comparison puts units across (the district report's layout).
WIDE_LIMIT = 10

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
        codes = {u.code for u in units}
        scores = score(data)
        scores = scores[scores["eenheid"].isin(codes)].reset_index(drop=True)
        naam = units[0].regio if regio else ""
        return cls(data, scores, priorities(data, scores, units), units, naam)

    @property
    def municipal_units(self) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.is_municipal)


def region_intro(region: Region) -> str:
    study = region.data.study
    units = ", ".join(f"{u.naam} ({u.code})" for u in region.units)
    title, count = "Regionale vergelijking", ""
    if region.naam:
        title, count = f"{title}: {region.naam}", f" ({len(region.units)})"
    return (f'<div class="bo"><h1>{esc(title)}</h1><p>{_study_line(study)}</p>'
            f"<p>Eenheden{count}: {esc(units)}.</p></div>{INLINE_CSS}")


def comparison_table(region: Region) -> str:
    """The plan's layout: subthemes down, units across (W, GM, B/L, Hi, Hu, then the district)."""
    units = region.units
    status = {(r["eenheid"], r["subthema_id"]): r["status"]
              for r in region.scores.to_dict("records")}
    head = "".join(f'<th title="{esc(u.naam)}">{esc(u.code)}</th>' for u in units)
    rows = []
    for theme in region.data.study.framework.themas:
        for i, sub in enumerate(theme.subthemas):
            theme_cell = (f'<th rowspan="{len(theme.subthemas)}" scope="rowgroup">'
                          f"{esc(theme.naam)}</th>" if i == 0 else "")
            cells = "".join(
                status_cell(status[(u.code, sub.id)],
                            f' data-eenheid="{esc(u.code)}" data-subthema="{esc(sub.id)}"')
                if (u.code, sub.id) in status else '<td class="nvt">n.v.t.</td>'
                for u in units)
            rows.append(f"<tr>{theme_cell}<td>{esc(sub.naam)}</td>{cells}</tr>")
    return ('<div class="bo"><table class="bo-tabel bo-vergelijking"><thead><tr><th>Thema</th>'
            f"<th>Subthema</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            '<p class="verantwoording">n.v.t.: de districtspartners beoordelen dit subthema '
            "niet.</p></div>")


def comparison_figure(region: Region) -> Figure:
    """Units by subthemes as a grid of coloured, hatched and lettered cells."""
    study = region.data.study
    units = list(region.units)
    subthemes = list(study.framework.subthemes)
    status = {(r["eenheid"], r["subthema_id"]): Status(r["status"])
              for r in region.scores.to_dict("records")}
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
        cells = "".join(f"<td>{esc(_count_text(mine.loc[t]) if t in mine.index else 'n.v.t.')}"
                        "</td>" for t in themes)
        rows.append(f"<tr><td>{esc(unit.naam)}</td>{cells}</tr>")
    head = "".join(f"<th>{esc(t)}</th>" for t in themes)
    return (f'<div class="bo"><table class="bo-tabel bo-telling"><thead><tr><th>Eenheid</th>'
            f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def _count_text(counts: pd.Series) -> str:
    return ", ".join(f"{counts[s.value]} {s.value}" for s in Status
                     if s in COLOURS or counts[s.value])


def most_red(region: Region) -> pd.DataFrame:
    """Subthemes by the number of municipal units that are rood, most first."""
    municipal = [u.code for u in region.municipal_units]
    scores = region.scores[region.scores["eenheid"].isin(municipal)]
    assessed = scores[scores["status"] != Status.ONBEKEND.value]
    table = assessed.groupby(["subthema_id", "subthema"], sort=False).agg(
        rood=("status", lambda s: int((s == "rood").sum())),
        beoordeeld=("status", "size")).reset_index()
    table = table[table["rood"] > 0]
    return table.sort_values("rood", ascending=False, kind="stable").reset_index(drop=True)


def most_red_html(region: Region) -> str:
    table = most_red(region)
    majority = table[table["rood"] * 2 > table["beoordeeld"]]
    items = "".join(f"<li>{esc(r['subthema'])}: rood in {r['rood']} van de {r['beoordeeld']} "
                    "beoordeelde gemeentelijke eenheden</li>" for r in majority.to_dict("records"))
    return (f'<div class="bo"><h2>Subthema\'s die in de meeste eenheden rood zijn</h2>'
            f"<ul>{items or '<li>Geen subthema is in de meerderheid van de eenheden rood.</li>'}"
            "</ul></div>")


def priority_table(region: Region) -> str:
    """Priority and level per subtheme, the rule's value beside the analysts' where they differ."""
    # Beyond a few units the statuses stand in the matrix above; here they would run off the page.
    codes = [u.code for u in region.municipal_units] if len(region.units) <= WIDE_LIMIT else []
    head = "".join(f"<th>{esc(c)}</th>" for c in codes)
    rows = []
    for r in region.priorities.to_dict("records"):
        cells = "".join(status_cell(r[status_column(c)], f' data-eenheid="{esc(c)}" '
                                          f'data-subthema="{esc(r["subthema_id"])}"')
                        for c in codes)
        notes = []
        if r["prioriteit"] != r["prioriteit_regel"]:
            notes.append(f"regel: {r['prioriteit_regel'] or '—'}")
        if r["niveau"] != r["niveau_regel"]:
            notes.append(f"niveau volgens regel: {r['niveau_regel'] or '—'}")
        note = "; ".join(notes)
        motivation = f"{note}. {r['motivering']}" if note else r["motivering"]
        rows.append(f"<tr><td>{esc(r['thema'])}</td><td>{esc(r['subthema'])}</td>{cells}"
                    f"<td>{esc(r['prioriteit'] or '—')}</td><td>{esc(r['niveau'] or '—')}</td>"
                    f'<td class="verantwoording">{esc(motivation)}</td></tr>')
    return ('<div class="bo"><table class="bo-tabel bo-prioriteit"><thead><tr><th>Thema</th>'
            f"<th>Subthema</th>{head}<th>Prioriteit</th><th>Niveau</th><th>Toelichting</th>"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            '<p class="verantwoording">Prioriteit volgens de legenda van het implementatieplan: '
            "Hoog = rood, Gemiddeld = oranje, Laag = groen, als bereik over de gemeenten. Waar "
            "de analisten anders besloten, staat hun keuze en de waarde van de regel ernaast."
            "</p></div>")


def district_view(region: Region) -> str:
    """The district partners' view beside the municipalities' most common status."""
    district = [u for u in region.units if not u.is_municipal]
    municipal = {u.code for u in region.municipal_units}
    rows = []
    for unit in district:
        mine = region.scores[region.scores["eenheid"] == unit.code]
        for r in mine.to_dict("records"):
            others = region.scores[(region.scores["subthema_id"] == r["subthema_id"])
                                   & region.scores["eenheid"].isin(municipal)]
            known = others[others["status"] != "onbekend"]["status"]
            spread = ", ".join(f"{(known == s.value).sum()} {s.value}" for s in COLOURS)
            attrs = f' data-eenheid="{esc(unit.code)}" data-subthema="{esc(r["subthema_id"])}"'
            rows.append(f"<tr><td>{esc(r['subthema'])}</td>{status_cell(r['status'], attrs)}"
                        f"<td>{esc(spread)}</td></tr>")
    return ('<div class="bo"><h2>De blik van de districtspartners</h2><table class="bo-tabel">'
            "<thead><tr><th>Subthema</th><th>Districtspartners</th><th>Gemeenten (aantal per "
            f"status)</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def district_recommendations(region: Region) -> str:
    recs = region.data.recommendations.frame
    recs = recs[recs["niveau"] == Level.DISTRICTELIJK.value]
    items = "".join(f"<li><strong>{esc(r['titel'] or r['id'])}</strong><br>{esc(r['tekst'])}</li>"
                    for r in recs.to_dict("records"))
    return (f'<div class="bo"><h2>Aanbevelingen voor de districtelijke aanpak</h2>'
            f"<ol>{items or '<li>Geen.</li>'}</ol></div>")


def rule_note(region: Region) -> str:
    """How often the rule and the analysts agree, so readers can weigh the colours."""
    both = region.scores[region.scores["oordeel"].isin([s.value for s in COLOURS])
                         & region.scores["berekend"].isin([s.value for s in COLOURS])]
    differ = int(both["afwijking"].sum())
    rule = region.data.study.scoring.regel
    return (f'<div class="bo"><h2>Verantwoording</h2><p class="verantwoording">De kleuren zijn '
            f"het oordeel van de analisten. Ter controle berekent de regel '{esc(rule)}' een kleur "
            f"uit de gecodeerde fragmenten. Waar beide bestaan ({len(both)} keer) wijken ze "
            f"{differ} keer af; die afwijkingen staan in de hoofdstukken bij het subthema.</p>"
            "</div>")


# --- Exploration ---------------------------------------------------------------------------

def filter_fragments(data: StudyData, *, eenheid: str | None = None,
                     subthema: str | None = None, rol: str | None = None,
                     oordeel: str | None = None) -> pd.DataFrame:
    """The analyst's view of the codings, filtered; names resolve like the loader's."""
    frame = data.codings.frame
    if eenheid:
        unit = data.study.unit(eenheid)
        frame = frame[frame["eenheid"] == (unit.code if unit else eenheid)]
    if subthema:
        sub = data.study.framework.subtheme(subthema)
        frame = frame[frame["subthema"] == (sub.id if sub else subthema)]
    if rol:
        frame = frame[frame["rol"].str.contains(rol, case=False, regex=False)]
    if oordeel:
        frame = frame[frame["oordeel"] == oordeel]
    return frame
