"""The ipywidgets explorer: filter fragments, choose a cell of the status matrix, weigh a what-if
and, only on an explicit click with a motivation, save a judgement.

Every callback is a plain method (`show_fragments`, `select`, `show_what_if`, `save`), so tests
drive it without a browser. Its panes are HTML widgets whose `value` is the shown table.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager

import ipywidgets as w
import pandas as pd

from basisop.model import SCORING_RULES, Status
from basisop.presentation import STATUS_STYLE
from basisop.problems import ValidationError
from basisop.scoring import disagreements
from basisop.workbench.study import Workbench, in_full
from basisop.workbench.whatif import NO_JUDGEMENT

ALL = ""
AS_RECORDED = ""
CELL_WIDTH = "112px"
SELECTED_BORDER = "3px solid #263238"
SHOWN_COLUMNS = ["eenheid", "respondent", "rol", "soort", "subthema", "oordeel", "fragment",
                 "bron", "bestand", "rij"]


def esc(value: object) -> str:
    return html.escape(str(value))


def status_badge(status: Status | str) -> str:
    """A status with its word, symbol and colours inline: no stylesheet needed in JupyterLab."""
    status = Status(status)
    fill, text, symbol = STATUS_STYLE[status]
    return (f'<span class="status-{status.value}" style="background: {fill}; color: {text}; '
            f'font-weight: 600; padding: 0 4px;">{symbol} {status.label}</span>')


def table_html(frame: pd.DataFrame) -> str:
    """A table with every cell in full, escaped."""
    with in_full():
        return frame.to_html(index=False, escape=True, border=0, na_rep="")


class Explorer:
    """The explorer of one workbench; display it in a notebook cell."""

    def __init__(self, bench: Workbench):
        self.bench = bench
        self.selected: tuple[str, str] | None = None
        self.last_what_if = None
        self._quiet = False
        self._build_filters()
        # Scrolls on its own, so the matrix and the what-if stay near.
        self.fragments = w.HTML(layout=w.Layout(max_height="360px", overflow="auto"))
        self.matrix = w.GridBox()
        self.cells: dict[tuple[str, str], w.Button] = {}
        self.detail = w.HTML("<p>Kies een cel in de statusmatrix.</p>")
        self._build_what_if()
        self.widget = w.VBox([
            w.HTML("<h3>Fragmenten</h3>"), w.HBox(self.filters[:3]),
            w.HBox(self.filters[3:]), self.fragments,
            w.HTML("<h3>Statusmatrix</h3><p>Klik op een cel: de fragmenten, de regel naast het "
                   "oordeel en de wat-als verschijnen hieronder.</p>"), self.matrix,
            self.detail, w.HTML("<h3>Wat als?</h3>"), w.HBox([self.what_status, self.what_rule]),
            self.what_if_pane, w.HTML("<h3>Oordeel opslaan</h3>"), self.motivation, self.source,
            self.save_button, self.message,
        ])
        self.widget.add_class("bo-verkenner")
        self.refresh_matrix()
        self.show_fragments()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # --- filters and fragments -----------------------------------------------------------

    def _build_filters(self) -> None:
        study = self.bench.study
        self.unit = w.Dropdown(description="Eenheid", options=[("alle", ALL), *[
            (f"{u.code} – {u.naam}", u.code) for u in study.eenheden]])
        self.subtheme = w.Dropdown(description="Subthema", options=[("alle", ALL), *[
            (s.naam, s.id) for s in study.framework.subthemes]])
        self.role = w.Dropdown(description="Rol", options=[("alle", ALL), *[
            (r, r) for r in self.bench.roles()]])
        self.judgement = w.Dropdown(description="Oordeel", options=[
            ("alle", ALL), *[(s.value, s.value) for s in Status if s != Status.ONBEKEND],
            ("zonder oordeel", Status.ONBEKEND.value)])
        self.text = w.Text(description="Zoek", placeholder="woord in het fragment",
                           continuous_update=False)
        self.filters = [self.unit, self.subtheme, self.role, self.judgement, self.text]
        for control in self.filters:
            control.observe(lambda _: self.show_fragments(), names="value")

    def show_fragments(self) -> None:
        if self._quiet:
            return
        try:
            frags = self.bench.fragments(eenheid=self.unit.value, subthema=self.subtheme.value,
                                         rol=self.role.value, oordeel=self.judgement.value,
                                         tekst=self.text.value)
        except ValueError as exc:
            self.fragments.value = f"<p><strong>{esc(exc)}</strong></p>"
            return
        self.fragments.value = (f"<p>{len(frags)} fragment{'' if len(frags) == 1 else 'en'}</p>"
                                + table_html(frags[SHOWN_COLUMNS]))

    @contextmanager
    def _one_refresh(self) -> Iterator[None]:
        """Set several filters, show the fragments once."""
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False
        self.show_fragments()

    # --- the status matrix -------------------------------------------------------------------

    def refresh_matrix(self) -> None:
        study = self.bench.study
        matrix = self.bench.status_matrix()
        units = study.eenheden
        children: list[w.Widget] = [w.HTML("<b>Subthema</b>"),
                                    *[w.HTML(f"<b title='{esc(u.naam)}'>{esc(u.code)}</b>")
                                      for u in units]]
        self.cells = {}
        for sub, name in zip(study.framework.subthemes, matrix.index, strict=True):
            children.append(w.HTML(esc(name)))
            for unit in units:
                status = matrix.loc[name, unit.code]
                if status not in Status._value2member_map_:
                    children.append(w.HTML(esc(status)))
                    continue
                children.append(self._cell(unit.code, sub.id, Status(status), name))
        self.matrix.children = children
        self.matrix.layout = w.Layout(grid_template_columns=f"minmax(220px, max-content) "
                                                            f"repeat({len(units)}, {CELL_WIDTH})",
                                      grid_gap="2px")

    def _cell(self, unit: str, sub: str, status: Status, name: str) -> w.Button:
        fill, _, symbol = STATUS_STYLE[status]
        button = w.Button(description=f"{symbol} {status.label}", tooltip=f"{unit} – {name}",
                          layout=w.Layout(width=CELL_WIDTH))
        button.style.button_color = fill
        button.on_click(lambda _: self.select(unit, sub))
        self.cells[unit, sub] = button
        return button

    def select(self, unit: str, subtheme: str) -> None:
        """A cell chosen: its fragments, the rule beside the judgement, a fresh what-if."""
        if self.selected in self.cells:
            self.cells[self.selected].layout.border = ""
        self.selected = (unit, subtheme)
        self.cells[unit, subtheme].layout.border = SELECTED_BORDER
        with self._one_refresh():
            self.unit.value, self.subtheme.value = unit, subtheme
            self.role.value, self.judgement.value, self.text.value = ALL, ALL, ""
        self.show_detail()
        self.what_status.value = AS_RECORDED
        self.show_what_if()

    def show_detail(self) -> None:
        unit, sub = self.selected
        scores = self.bench.scores()
        r = scores[(scores["eenheid"] == unit) & (scores["subthema_id"] == sub)].iloc[0]
        judged = status_badge(r["oordeel"]) if r["oordeel"] else "geen"
        computed = status_badge(r["berekend"])
        flag = " <strong>Regel en oordeel verschillen.</strong>" if r["afwijking"] else ""
        self.detail.value = (
            f"<h4>{esc(r['eenheid_naam'])} – {esc(r['subthema'])}: {status_badge(r['status'])}"
            f"</h4><table><tr><th>Oordeel analist</th><td>{judged}</td>"
            f"<td>{esc(r['motivering'])}</td></tr><tr><th>Regel "
            f"'{esc(self.bench.study.scoring.regel)}'</th><td>{computed}</td><td>"
            f"{r['fragmenten']} fragmenten van {r['respondenten']} respondenten: {r['groen']} "
            f"groen, {r['oranje']} oranje, {r['rood']} rood</td></tr></table>{flag}")

    # --- what-if and saving --------------------------------------------------------------------

    def _build_what_if(self) -> None:
        self.what_status = w.Dropdown(description="Oordeel", options=[
            ("zoals vastgelegd", AS_RECORDED), *[(s.value, s.value) for s in Status],
            ("geen oordeel: de regel beslist", NO_JUDGEMENT)])
        self.what_rule = w.Dropdown(description="Regel", options=SCORING_RULES,
                                    value=self.bench.study.scoring.regel)
        self.what_status.observe(lambda _: self.show_what_if(), names="value")
        self.what_rule.observe(lambda _: self.show_what_if(), names="value")
        self.what_if_pane = w.HTML("<p>Kies een cel in de statusmatrix.</p>")
        self.motivation = w.Textarea(description="Motivering", placeholder="waarom dit oordeel",
                                     layout=w.Layout(width="60%"))
        self.source = w.Text(description="Bron", placeholder="bijv. verslag overleg 3 maart")
        self.save_button = w.Button(description="Oordeel opslaan", button_style="warning",
                                    tooltip="schrijft het gekozen oordeel in het oordelenbestand")
        self.save_button.on_click(lambda _: self.save())
        self.message = w.HTML()

    def show_what_if(self) -> None:
        if self.selected is None:
            return
        unit, sub = self.selected
        result = self.bench.what_if(unit, sub, status=self.what_status.value or None,
                                    regel=self.what_rule.value)
        self.last_what_if = result
        now, then = len(disagreements(result.before)), len(result.disagreements())
        self.what_if_pane.value = (
            f"<p>Status: {status_badge(result.status('before'))} → "
            f"{status_badge(result.status())}. Afwijkingen tussen regel en oordeel in de "
            f"studie: {now} → {then}. Er wordt niets opgeslagen.</p>"
            f"<h4>Wat verandert</h4>{table_html(result.changed())}"
            "<h4>Prioriteit en niveau van het subthema</h4><p>De waarden van de regel volgen de "
            "statussen; een vastgestelde prioriteit (bron 'oordeel') blijft staan.</p>"
            f"{table_html(result.priority().reset_index(names=''))}"
            f"<h4>Aanbevelingen voor dit subthema</h4>{table_html(result.recommendations)}")

    def save(self) -> None:
        """The explicit action: record the what-if's status with the motivation."""
        status = self.what_status.value
        if self.selected is None or status in (AS_RECORDED, NO_JUDGEMENT):
            self.message.value = ("<p><strong>Kies een cel en bij 'Wat als?' het oordeel dat u "
                                  "wilt vastleggen.</strong></p>")
            return
        unit, sub = self.selected
        path = self.bench.study.oordelen
        try:
            backup = self.bench.save_judgement(unit, sub, status, self.motivation.value,
                                               self.source.value)
        except ValidationError as exc:
            self.message.value = ("<p><strong>Niet opgeslagen:</strong></p><ul>"
                                  + "".join(f"<li>{esc(p)}</li>" for p in exc.problems) + "</ul>")
            return
        except ValueError as exc:
            self.message.value = f"<p><strong>Niet opgeslagen: {esc(exc)}</strong></p>"
            return
        except OSError as exc:
            self.message.value = (f"<p><strong>Niet opgeslagen: {esc(path)} kon niet worden "
                                  f"geschreven ({esc(exc.strerror or exc)}).</strong></p>")
            return
        kept = f" De vorige versie staat in {esc(backup)}." if backup else ""
        self.message.value = f"<p>Opgeslagen in {esc(path)}.{kept}</p>"
        self.motivation.value = ""
        self.refresh_matrix()
        self.select(unit, sub)
