"""`open_study`: the notebook API over the library, for analysts in JupyterLab.

    s = basisop.open_study()            # or a study file
    s.fragments(eenheid="Hi", subthema="Informatiepositie", oordeel="rood", tekst="politie")
    s.scores(); s.status_matrix(); s.disagreements(); s.compare_rules()
    s.evidence_figure(); s.agreement_figure(); s.spread_figure()
    s.chapter("Hi"); s.region()         # rendered inline, as the batch renders them
    s.what_if("Hi", "pga", status="groen"); s.save_judgement("Hi", "pga", "groen", "...")

Filters read names the way the loader does and answer a typo with its "bedoelt u ...?" hint.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from basisop.io.dataset import StudyData, load_study_data
from basisop.io.edit import write_validated
from basisop.io.records import JUDGEMENT_COLUMNS, load_judgements, subtheme_parser
from basisop.io.study import load_study
from basisop.io.tables import read_table
from basisop.model import Status, Study, did_you_mean, nearest, normalize_key, parse_status
from basisop.problems import ValidationError
from basisop.scoring import disagreements, score
from basisop.workbench import figures, rules
from basisop.workbench.preview import Preview, chapter_preview, region_preview
from basisop.workbench.whatif import NO_JUDGEMENT, WhatIf, what_if

if TYPE_CHECKING:
    from basisop.workbench.explorer import Explorer

FRAGMENT_COLUMNS = ["eenheid", "respondent", "rol", "soort", "titel", "subthema", "checklist",
                    "oordeel", "fragment", "vertrouwelijk", "notities", "bron", "bestand", "rij"]
NOT_COVERED = "n.v.t."


def in_full():
    return pd.option_context("display.max_colwidth", None, "display.max_rows", None,
                             "display.max_columns", None)


class FullText(pd.DataFrame):
    """A DataFrame shown with every cell in full: a fragment is read, not glimpsed."""

    @property
    def _constructor(self):
        return FullText

    def _repr_html_(self) -> str | None:
        with in_full():
            return super()._repr_html_()

    def __repr__(self) -> str:
        with in_full():
            return super().__repr__()


@dataclass
class Workbench:
    """One study loaded for exploring; `data` is replaced when a judgement is saved."""

    data: StudyData

    def explore(self) -> Explorer:
        """The ipywidgets explorer on this study."""
        from basisop.workbench.explorer import Explorer

        return Explorer(self)

    @property
    def study(self) -> Study:
        return self.data.study

    # --- reading names like the loader ---------------------------------------------------

    def unit_code(self, text: str) -> str:
        return _named("eenheid", text, lambda t: self.study.require_unit(t).code)

    def subtheme_id(self, text: str) -> str:
        return _named("subthema", text, subtheme_parser(self.study.framework))

    def roles(self) -> list[str]:
        return sorted({r for r in self.data.codings.frame["rol"] if r})

    # --- views -------------------------------------------------------------------------------

    def fragments(self, eenheid: str | None = None, subthema: str | None = None,
                  rol: str | None = None, oordeel: str | None = None,
                  tekst: str | None = None) -> FullText:
        """Coded fragments in full with their source; 'onbekend' as oordeel: without one."""
        frame = self.data.codings.frame
        if eenheid:
            frame = frame[frame["eenheid"] == self.unit_code(eenheid)]
        if subthema:
            frame = frame[frame["subthema"] == self.subtheme_id(subthema)]
        if rol:
            frame = frame[self._role_mask(frame, rol)]
        if oordeel:
            status = _named("oordeel", oordeel, lambda t: parse_status(t, allow_unknown=True))
            frame = frame[frame["oordeel"] == ("" if status == Status.ONBEKEND else status.value)]
        if tekst:
            frame = frame[frame["fragment"].str.contains(tekst, case=False, regex=False)]
        names = {s.id: s.naam for s in self.study.framework.subthemes}
        shown = frame.assign(subthema=frame["subthema"].map(names))
        return FullText(shown[FRAGMENT_COLUMNS].reset_index(drop=True))

    def _role_mask(self, frame: pd.DataFrame, rol: str) -> pd.Series:
        wanted = normalize_key(rol)
        roles = self.roles()
        if not any(wanted in normalize_key(r) for r in roles):
            hint = nearest(rol, roles)
            known = "" if hint else f"; rollen in de codering: {', '.join(roles)}"
            raise ValueError(f"rol '{rol}': geen fragment met deze rol{did_you_mean(hint)}{known}")
        return frame["rol"].map(lambda r: wanted in normalize_key(r))

    def scores(self, regel: str | None = None) -> pd.DataFrame:
        settings = replace(self.study.scoring, regel=regel) if regel else None
        return score(self.data, settings)

    def status_matrix(self) -> pd.DataFrame:
        """Subthemes (framework order) by units; n.v.t. where a unit does not assess one."""
        scores = self.scores()
        matrix = scores.pivot(index="subthema_id", columns="eenheid", values="status")
        matrix = matrix.reindex(index=[s.id for s in self.study.framework.subthemes],
                                columns=[u.code for u in self.study.eenheden])
        matrix.index = [s.naam for s in self.study.framework.subthemes]
        return matrix.fillna(NOT_COVERED)

    def disagreements(self) -> pd.DataFrame:
        return disagreements(self.scores()).reset_index(drop=True)

    def compare_rules(self) -> pd.DataFrame:
        return rules.compare_rules(self.data)

    def chapter(self, eenheid: str) -> Preview:
        return chapter_preview(self.data, self.unit_code(eenheid))

    def region(self) -> Preview:
        return region_preview(self.data)

    def evidence_figure(self) -> figures.Plot:
        """Per unit and subtheme: fragments by oordeel."""
        return figures.Plot(figures.evidence_figure(self.data))

    def agreement_figure(self) -> figures.Plot:
        """Per theme and rule: how often the rule agrees with the judgement (with kappa)."""
        return figures.Plot(figures.agreement_figure(self.data))

    def spread_figure(self) -> figures.Plot:
        """Behind each status: the spread of the fragments' oordelen."""
        return figures.Plot(figures.spread_figure(self.data))

    # --- weighing ----------------------------------------------------------------------------

    def what_if(self, eenheid: str, subthema: str, *, status: str | None = None,
                regel: str | None = None) -> WhatIf:
        """Scores with one judgement changed and/or another rule; nothing is written."""
        if status is not None and status != NO_JUDGEMENT:
            status = _named("status", status, lambda t: parse_status(t, allow_unknown=True))
        return what_if(self.data, self.unit_code(eenheid), self.subtheme_id(subthema),
                       status=status, regel=regel)

    def save_judgement(self, eenheid: str, subthema: str, status: str, motivering: str,
                       bron: str = "") -> Path | None:
        """Record a judgement in the study's oordelen table; returns the backup of the old one.

        The row is checked by the loader before anything is written; the table is replaced
        atomically. Raises ValueError or ValidationError (Dutch) when it cannot be saved.
        """
        path = self.study.oordelen
        if path is None:
            raise ValueError("de studie heeft geen oordelenbestand (sleutel 'oordelen:')")
        unit, sub = self.unit_code(eenheid), self.subtheme_id(subthema)
        chosen = _named("status", status, lambda t: parse_status(t, allow_unknown=True))
        if not motivering.strip():
            raise ValueError("geef een motivering: een oordeel zonder motivering wordt niet "
                             "opgeslagen")
        row = {"eenheid": unit, "subthema": sub, "status": chosen.value,
               "motivering": motivering.strip(), "bron": bron.strip()}
        frame = self._judgement_rows(path, unit, sub, row)
        backup = write_validated(path, frame, lambda p: load_judgements(self.study, p))
        self.data = load_study_data(self.study)
        return backup

    def _judgement_rows(self, path: Path, unit: str, sub: str, row: dict) -> pd.DataFrame:
        """The table as it is on disk, every row kept, with this unit's subtheme replaced."""
        required = ["eenheid", "subthema", "status", "motivering"]
        table = read_table(path, required=required, optional=["bron"], extra_columns_ok=True)
        errors = [p for p in table.problems if p.is_error]
        if errors:
            raise ValidationError(errors)
        columns = list(dict.fromkeys([*JUDGEMENT_COLUMNS, *table.columns]))
        records = [r.values for r in table.rows if self._key(r.values) != (unit, sub)]
        return pd.DataFrame([*records, row], columns=columns).fillna("")

    def _key(self, values: dict[str, str]) -> tuple[str | None, str | None]:
        """A raw row's unit code and subtheme id, as the loader reads them (None: unknown)."""
        unit = self.study.unit(values.get("eenheid", ""))
        sub = self.study.framework.subtheme(values.get("subthema", ""))
        return (unit.code if unit else None, sub.id if sub else None)


def _named(what: str, text: str, parse):
    """Parse a filter value; the loader's message, prefixed with the filter's name."""
    try:
        return parse(text)
    except ValueError as exc:
        raise ValueError(f"{what} '{text}': {exc}") from None


def open_study(path: Path | str | None = None) -> Workbench:
    """The study at `path` (default: the embedded study), loaded for exploring."""
    return Workbench(load_study_data(load_study(path)))
