"""Figures an analyst weighs colours with: evidence, agreement of rule and judgement, spread.

Built as plain matplotlib Figures (not through pyplot), so a notebook shows each once, as a
`Plot`: a PNG that any front end (JupyterLab, nbclient, papermill) keeps as static output.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure

from basisop.io.dataset import StudyData
from basisop.model import COLOURS, STATUS_COLOUR, Status
from basisop.presentation import STATUS_HATCH
from basisop.scoring import score
from basisop.workbench.rules import agreement_by_theme, compare_rules

WITHOUT = "zonder oordeel"
_BARS = [(s.value, s.value, STATUS_COLOUR[s], STATUS_HATCH[s]) for s in COLOURS] + [
    ("zonder", WITHOUT, STATUS_COLOUR[Status.ONBEKEND], STATUS_HATCH[Status.ONBEKEND])]


@dataclass(frozen=True)
class Plot:
    figure: Figure

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue()


def _with_unjudged(scores: pd.DataFrame) -> pd.DataFrame:
    judged = scores[[s.value for s in COLOURS]].sum(axis=1)
    return scores.assign(zonder=scores["fragmenten"] - judged)


def _stacked(ax, labels: list[str], table: pd.DataFrame) -> None:
    left = [0.0] * len(labels)
    for column, label, colour, hatch in _BARS:
        values = list(table[column])
        ax.barh(labels, values, left=left, color=colour, hatch=hatch, edgecolor="#263238",
                label=label)
        left = [a + b for a, b in zip(left, values, strict=True)]


def evidence_figure(data: StudyData) -> Figure:
    """Per unit, per subtheme: how many fragments carry each oordeel."""
    scores = _with_unjudged(score(data))
    units = data.study.eenheden
    names = [s.naam for s in data.study.framework.subthemes]
    fig = Figure(figsize=(2.2 * len(units) + 2.5, 6), dpi=100, layout="constrained")
    axes = fig.subplots(1, len(units), sharey=True, squeeze=False)[0]
    for ax, unit in zip(axes, units, strict=True):
        mine = scores[scores["eenheid"] == unit.code].set_index("subthema")
        counts = mine[[bar[0] for bar in _BARS]].reindex(names).fillna(0)
        _stacked(ax, names, counts)
        ax.set_title(unit.code)
        ax.xaxis.get_major_locator().set_params(integer=True)
    axes[0].invert_yaxis()
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=4,
               fontsize=8)
    fig.suptitle("Gecodeerde fragmenten per subthema, naar oordeel (per eenheid)")
    return fig


def agreement_figure(data: StudyData) -> Figure:
    """Per theme and rule: the share of statuses where rule and judgement agree."""
    table = agreement_by_theme(data)
    kappa = compare_rules(data).set_index("regel")["kappa"]
    themes = list(dict.fromkeys(table["thema"]))
    rules = list(dict.fromkeys(table["regel"]))
    fig = Figure(figsize=(8, 4), dpi=100, layout="constrained")
    ax = fig.subplots()
    height = 0.8 / len(rules)
    # Greys, not traffic-light colours: these bars are rules, not statuses.
    styles = [("#37474f", ""), ("#90a4ae", ".."), ("#eceff1", "//")]
    for i, (rule, (colour, hatch)) in enumerate(zip(rules, styles, strict=False)):
        mine = table[table["regel"] == rule].set_index("thema").reindex(themes)
        ax.barh([t + i * height for t in range(len(themes))], mine["aandeel"].fillna(0) * 100,
                height=height, color=colour, hatch=hatch, edgecolor="#263238",
                label=f"{rule} (kappa {kappa[rule]:.2f})")
    ax.set_yticks([t + 0.4 - height / 2 for t in range(len(themes))], themes)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("regel gelijk aan het oordeel (% van de vergeleken subthema's)")
    fig.legend(loc="outside lower center", ncol=3, fontsize=8)
    ax.set_title("Overeenstemming van regel en oordeel per thema")
    return fig


def spread_figure(data: StudyData) -> Figure:
    """Behind each status: the oordelen of the fragments of the subthemes with that status."""
    scores = _with_unjudged(score(data))
    columns = [bar[0] for bar in _BARS]
    totals = scores.groupby("status")[columns].sum().reindex([s.value for s in Status]).fillna(0)
    shares = totals.div(totals.sum(axis=1).where(totals.sum(axis=1) > 0), axis=0).fillna(0) * 100
    counts = scores["status"].value_counts()
    labels = [f"{s.label} ({counts.get(s.value, 0)} subthema's)" for s in Status]
    fig = Figure(figsize=(8, 3.2), dpi=100, layout="constrained")
    ax = fig.subplots()
    _stacked(ax, labels, shares)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% van de fragmenten met dit oordeel")
    fig.legend(loc="outside lower center", ncol=4, fontsize=8)
    ax.set_title("Spreiding van de oordelen achter elke status")
    return fig
