"""A wave beside the previous one: the chapter's "Ontwikkeling sinds ..." section and the
comparison's change table and figure. Only statuses and counts: no fragment is quoted here.

Shown only when the study file names `vorige_golf`; otherwise every function returns nothing.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from basisop.compare import CHANGES, Comparison, previous_wave
from basisop.io.dataset import StudyData
from basisop.model import Status
from basisop.presentation import _ENV, Chapter
from basisop.scoring import records

_WAVES = _ENV.get_template("waves.html.j2").module
# One grey per change, darkest for slechter; hatched, so the figure reads in black and white.
_STYLE = {"beter": ("#1b5e20", ""), "gelijk": ("#90a4ae", ""), "slechter": ("#8e0000", "///"),
          "nieuw beoordeeld": ("#4fc3f7", ".."), "niet meer beoordeeld": ("#ffb74d", "xx"),
          "onbekend": ("#eeeeee", "")}


def _render(macro: str, **values) -> str:
    return str(getattr(_WAVES, macro)(**values))


def _title(comparison: Comparison) -> str:
    return f"Ontwikkeling sinds {comparison.old.study.golf}"


def wave_comparison(data: StudyData) -> Comparison | None:
    """The comparison with the previous wave, or None (see compare.previous_wave)."""
    return previous_wave(data)


def development_html(chapter: Chapter, comparison: Comparison | None) -> str:
    """This unit's subthemes then and now; empty without a previous wave."""
    if comparison is None:
        return ""
    rows = comparison.statuses[comparison.statuses["eenheid"] == chapter.unit.code]
    counts = rows["verandering"].value_counts()
    old = comparison.old.study
    intro = (f"De status per subthema in {old.naam} (golf {old.golf}) en nu. Een verschil zegt "
             "hoe de beoordeling veranderde, niet waarom: lees daarvoor de bevindingen.")
    summary = ", ".join(f"{counts.get(c, 0)} {c}" for c in CHANGES)
    return _render("development", title=_title(comparison), intro=intro,
                   rows=[{**r, "oud": Status(r["oud"]), "nieuw": Status(r["nieuw"])}
                         for r in records(rows)], counts=summary + ".")


def change_table(comparison: Comparison | None) -> str:
    """Every unit's change per subtheme, units side by side; empty without a previous wave."""
    if comparison is None:
        return ""
    statuses = comparison.statuses
    codes = list(dict.fromkeys(statuses["eenheid"]))
    change = {(r["eenheid"], r["subthema_id"]): r["verandering"]
              for r in records(statuses)}
    rows = [{"subthema": sub.naam,
             "cells": [(c, change.get((c, sub.id), "")) for c in codes]}
            for sub in comparison.new.study.framework.subthemes]
    return _render("change_table", title=_title(comparison), codes=codes, rows=rows)


def change_figure(comparison: Comparison) -> Figure:
    """Per unit, how many subthemes went beter, gelijk, slechter ... (stacked bars)."""
    statuses = comparison.statuses
    codes = list(dict.fromkeys(statuses["eenheid"]))
    fig, ax = plt.subplots(figsize=(7.5, 3.8), dpi=100)
    bottom = [0] * len(codes)
    for change in CHANGES:
        heights = [int(((statuses["eenheid"] == c) & (statuses["verandering"] == change)).sum())
                   for c in codes]
        colour, hatch = _STYLE[change]
        ax.bar(codes, heights, bottom=bottom, color=colour, hatch=hatch, edgecolor="#263238",
               label=change)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_ylabel("subthema's")
    ax.set_title(_title(comparison))
    ax.legend(fontsize=8, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    fig.tight_layout()
    return fig
