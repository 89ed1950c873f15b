"""All of a study's tables, loaded and checked together."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from basisop.io.actions import ACTION_COLUMNS, PROGRESS_COLUMNS, load_actions, load_progress
from basisop.io.overlay import apply_overlay, read_line_map, unknown_removals
from basisop.io.records import (
    REGISTER_PUBLIC_COLUMNS,
    LoadResult,
    load_codings,
    load_judgements,
    load_overrides,
    load_recommendations,
    load_register,
)
from basisop.io.study import DEFAULT_STUDY, load_study
from basisop.model import Study
from basisop.problems import Problem, ValidationError


@dataclass
class StudyData:
    study: Study
    codings: LoadResult
    judgements: LoadResult
    overrides: LoadResult
    recommendations: LoadResult
    register: LoadResult
    actions: LoadResult = field(default_factory=lambda: LoadResult(pd.DataFrame(
        columns=ACTION_COLUMNS)))
    progress: LoadResult = field(default_factory=lambda: LoadResult(pd.DataFrame(
        columns=PROGRESS_COLUMNS)))
    # Results computed from these tables (scores per setting), kept so they are computed once.
    # Not an init field: dataclasses.replace (a what-if with other tables) starts it empty.
    cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def parts(self) -> dict[str, LoadResult]:
        return {"codering": self.codings, "oordelen": self.judgements,
                "prioriteiten": self.overrides, "aanbevelingen": self.recommendations,
                "respondenten": self.register, "acties": self.actions,
                "voortgang": self.progress}

    @property
    def problems(self) -> list[Problem]:
        return [p for part in self.parts().values() for p in part.problems]

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    def rejects_frame(self) -> pd.DataFrame:
        """Every rejected row of every table, with the table's name and the reason; the
        register's personal columns (names, contacts) are left out."""
        frames = [part.rejects_frame().assign(tabel=name) for name, part in self.parts().items()
                  if part.rejected]
        if not frames:
            return pd.DataFrame(columns=["tabel", "bestand", "rij", "reden"])
        frames = [f.drop(columns=_personal(f.columns)) if f["tabel"].iloc[0] == "respondenten"
                  else f for f in frames]
        rejects = pd.concat(frames, ignore_index=True)
        return rejects[["tabel", *[c for c in rejects.columns if c != "tabel"]]]

    def withheld_reject_columns(self) -> list[str]:
        """The register's personal columns that hold a value in a rejected row: left out."""
        frame = self.register.rejects_frame()
        return [c for c in _personal(frame.columns) if (frame[c].fillna("") != "").any()]

    def summary_lines(self) -> list[str]:
        lines = []
        for name, part in self.parts().items():
            if part.read or part.sources:
                lines.append(part.summary(name))
                lines += [f"  {source}" for source in part.sources]
        return lines


def _personal(columns: Iterable[str]) -> list[str]:
    return [c for c in columns if c not in ("bestand", "rij", "reden", "tabel",
                                            *REGISTER_PUBLIC_COLUMNS)]


def load_study_data(study: Study) -> StudyData:
    register = load_register(study)
    known = register.frame if study.respondenten else None
    actions = load_actions(study)
    data = StudyData(
        study=study,
        codings=load_codings(study, register=known),
        judgements=load_judgements(study),
        overrides=load_overrides(study),
        recommendations=load_recommendations(study),
        register=register,
        actions=actions,
        progress=load_progress(study, actions),
    )
    return _with_overlay(data, known) if study.overlay else data


def _with_overlay(data: StudyData, known: pd.DataFrame | None) -> StudyData:
    """The version the overlay describes, built from the base tables (see io/overlay.py)."""
    study, overlay = data.study, data.study.overlay
    problems: list[Problem] = []
    shifts = read_line_map(overlay.regels, problems) if overlay.regels else []
    codings = (load_codings(study, [overlay.codering], register=known)
               if overlay.codering else None)
    recommendations = (load_recommendations(study, overlay.aanbevelingen)
                       if overlay.aanbevelingen else None)
    for key in unknown_removals(overlay, data.codings.frame, data.recommendations.frame):
        problems.append(Problem(str(study.path), f"overlay.verwijderd: id '{key}' staat in geen "
                                                 "codering of aanbevelingen"))
    data.codings = apply_overlay(data.codings, codings, overlay, shifts, "codering")
    data.recommendations = apply_overlay(data.recommendations, recommendations, overlay, shifts,
                                         "aanbevelingen")
    data.judgements = apply_overlay(data.judgements, None, overlay, shifts, "oordelen")
    data.codings.problems += problems
    return data


# The validated study `basisop run` hands its kernels (see basisop/batch/kernels.py).
_snapshot: StudyData | None = None


def use_snapshot(data: StudyData) -> None:
    """Let `load_valid` return `data` for its study instead of loading it again."""
    global _snapshot
    _snapshot = data


def load_valid(path: Path | str | None = None) -> StudyData:
    """Load a study and all its tables; raise ValidationError when anything is in error."""
    resolved = Path(path).resolve() if path else DEFAULT_STUDY.resolve()
    if _snapshot is not None and _snapshot.study.path == resolved:
        return _snapshot
    data = load_study_data(load_study(path))
    if not data.ok:
        raise ValidationError([p for p in data.problems if p.is_error])
    return data
