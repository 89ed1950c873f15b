"""A chapter or the regional comparison, previewed inline without running the batch.

The fragments are the ones the batch notebooks display, built by the same presentation calls
in the same order (notebooks/hoofdstuk.ipynb, notebooks/regio.ipynb); a test holds them equal.
They are shown in an iframe `srcdoc`, so the page's CSS and print rules stay out of JupyterLab.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from basisop import presentation as p
from basisop.io.dataset import StudyData
from basisop.presentation import waves
from basisop.presentation.plan import plan_link_html

PREVIEW_HEIGHT = 700  # pixels; the frame scrolls


@dataclass(frozen=True)
class Preview:
    """HTML fragments shown as one isolated page; `fragments` are the notebook's outputs."""

    title: str
    fragments: tuple[str, ...]

    @property
    def page(self) -> str:
        return (f'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">'
                f"<title>{html.escape(self.title)}</title></head><body>{''.join(self.fragments)}"
                "</body></html>")

    def _repr_html_(self) -> str:
        # No allow-scripts: the preview needs none, and a fragment's script must never run.
        return (f'<iframe title="{html.escape(self.title)}" sandbox="" srcdoc="'
                f'{html.escape(self.page, quote=True)}" style="width: 100%; '
                f'height: {PREVIEW_HEIGHT}px; border: 1px solid #9e9e9e;"></iframe>')


def chapter_fragments(data: StudyData, unit_code: str) -> tuple[str, ...]:
    """The outputs of notebooks/hoofdstuk.ipynb for one unit, cell by cell."""
    chapter = p.Chapter.build(data, unit_code)
    fragments = [
        p.chapter_intro(chapter),
        p.section("Legenda") + p.legend_html(data),
        p.method_html(chapter),
        p.section("Ingevuld wegingskader") + p.status_table(chapter),
        p.profile_html(chapter),
        waves.development_html(chapter, waves.wave_comparison(data)),
    ]
    fragments += [p.findings_html(chapter, theme.id) for theme in data.study.framework.themas
                  if (chapter.scores["thema_id"] == theme.id).any()]
    fragments += [p.recommendations_html(chapter), plan_link_html(chapter)]
    return tuple(fragments)


def region_fragments(data: StudyData) -> tuple[str, ...]:
    """The outputs of notebooks/regio.ipynb, cell by cell."""
    region = p.Region.build(data)
    comparison = waves.wave_comparison(data)
    wave_figure = () if comparison is None else (p.figure_html(
        waves.change_figure(comparison),
        "Aantal subthema's per verandering en eenheid sinds de vorige golf"),)
    return (
        p.region_intro(region),
        p.section("Legenda") + p.legend_html(data),
        p.region_method_html(region),
        p.section("Alle eenheden naast elkaar") + p.comparison_table(region),
        p.figure_html(p.comparison_figure(region),
                      "Status per eenheid en subthema, met arcering en symbool per status"),
        waves.change_table(comparison),
        *wave_figure,
        p.section("Aantallen per eenheid en thema") + p.counts_table(region),
        p.most_red_html(region),
        p.section("Prioriteit en niveau") + p.priority_table(region),
        p.district_view(region),
        p.district_recommendations(region),
        p.rule_note(region),
    )


def chapter_preview(data: StudyData, unit_code: str) -> Preview:
    unit = data.study.require_unit(unit_code)
    return Preview(f"Hoofdstuk {unit.naam}", chapter_fragments(data, unit.code))


def region_preview(data: StudyData) -> Preview:
    return Preview("Regionale vergelijking", region_fragments(data))
