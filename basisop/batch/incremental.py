"""`basisop run --gewijzigd`: run only the notebooks whose resolved inputs changed.

A notebook's fingerprint hashes, per part (so the summary can say why it ran):
- notebook: the .ipynb file and the job's parameters;
- programma: every file of the installed basisop package (code, templates, matplotlibrc), the
  versions of Python and of the libraries that execute and render, and the framework file;
- gegevens: what the page shows, resolved: a chapter its unit's fragments, judgements and
  scores, the recommendations, the study-wide priority and level per subtheme (they order its
  recommendations) and the study's regions; a region page its units' scores and the
  priorities over them (study-wide aggregates: an oordeel that moves a priority changes every
  page that shows it), recommendations and overrides; the overview all scores. The study's
  name, wave and date are in every page's part.
The fingerprints of the last run are kept beside the reports (STATE: hashes only, no data). A
notebook is skipped only when its fingerprint is unchanged and both its report and its audit
notebook exist, so the folder then equals a full run byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd

from basisop.batch.execute import NotebookJob
from basisop.batch.pages import IMPLEMENTATION_PLAN
from basisop.io.dataset import StudyData, load_valid
from basisop.model import OVERVIEW_PAGE, Study
from basisop.scoring import priorities, score, study_priorities

STATE = "audit/vingerafdrukken.json"  # beside the audit notebooks, for the analysts
PACKAGE = Path(__file__).resolve().parents[1]
RENDERERS = ("papermill", "nbconvert", "nbclient", "nbformat", "ipykernel", "jupyter_client",
             "matplotlib", "matplotlib-inline", "pandas", "numpy", "jinja2", "mistune",
             "pygments", "beautifulsoup4", "bleach")
NEW = "nieuw"
MISSING = "uitvoer ontbreekt"


def _digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


@lru_cache(maxsize=1)
def _program() -> str:
    files = sorted(p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    versions = [f"{name}={_version(name)}" for name in RENDERERS]
    return _digest(platform.python_version(), *versions,
                   *(x for p in files for x in (str(p.relative_to(PACKAGE)), p.read_bytes())))


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


def _frame(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def fingerprints(data: StudyData, jobs: Sequence[NotebookJob]) -> dict[str, dict[str, str]]:
    """Per job name, the hash of each part of its resolved inputs."""
    study = data.study
    scores = score(data)
    framework = _framework_file(study)
    program = _digest(_program(), framework.read_bytes() if framework else b"")
    meta = _digest(study.id, study.naam, study.golf, study.datum, study.opdrachtgever,
                   repr(study.scoring), json.dumps({k: [u.code for u in v]
                                                    for k, v in study.regions.items()}))
    recs = _frame(data.recommendations.frame)
    plan = study_priorities(data)
    # Study-wide aggregates without the per-unit columns: an oordeel elsewhere that leaves
    # every priority and level as it was changes no chapter.
    plan = _frame(plan[[c for c in plan.columns if not c.startswith("status ")]])
    actions = _frame(data.actions.frame)
    previous = _previous_wave(study)
    per_unit = [_rows_by_unit(frame) for frame in (data.codings.frame, data.judgements.frame,
                                                   scores)]
    result = {}
    for job in jobs:
        unit_code = job.parameters.get("eenheid")
        if unit_code:
            unit = study.require_unit(unit_code)
            gegevens = _digest(repr(unit), *(rows.get(unit.code, b"") for rows in per_unit),
                               recs + plan + actions + previous)
        elif job.name == OVERVIEW_PAGE:
            gegevens = _digest(_frame(scores))
        elif job.name == IMPLEMENTATION_PLAN:
            gegevens = _digest(actions, _frame(data.progress.frame), _frame(scores),
                               _frame(study_priorities(data)), _frame(data.overrides.frame))
        else:
            gegevens = _region(data, scores, job.parameters.get("regio", ""), recs + previous)
        result[job.name] = {
            "notebook": _digest(_bytes(job.notebook), json.dumps(dict(job.parameters),
                                                                      sort_keys=True), job.title),
            "programma": program,
            "gegevens": _digest(meta, gegevens),
        }
    return result


def _previous_wave(study: Study) -> str:
    """The previous wave's scores, or why they could not be read (then every page that shows
    them runs again, and reports the fault itself)."""
    if study.vorige_golf is None:
        return ""
    try:
        return _frame(score(load_valid(study.vorige_golf)))
    except Exception as exc:  # noqa: BLE001 - any fault: run again rather than keep a stale page
        return f"fout: {type(exc).__name__}: {exc}"


def _bytes(path: Path) -> bytes:
    """A file's bytes; none for a missing one (its job then fails and is reported as such)."""
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _framework_file(study: Study) -> Path | None:
    from basisop.io.yamlfile import load_yaml

    value = load_yaml(study.path).get("wegingskader")
    return (study.path.parent / str(value)).resolve() if value else None


def _rows_by_unit(frame: pd.DataFrame) -> dict[str, bytes]:
    """Per unit, its rows in file order as one hash per row (under the column names): hashed in
    one vectorised pass, where a CSV text per unit and table cost a second at national scale."""
    if frame.empty:
        return {}
    hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    columns = "\x1f".join(map(str, frame.columns)).encode("utf-8")
    return {unit: columns + hashes[rows].tobytes()
            for unit, rows in frame.groupby("eenheid", sort=False).indices.items()}


def _region(data: StudyData, scores: pd.DataFrame, regio: str, recs: str) -> str:
    units = data.study.region_units(regio)
    mine = scores[scores["eenheid"].isin({u.code for u in units})]
    return _digest(repr(units), _frame(mine), _frame(priorities(data, mine, units)), recs,
                   _frame(data.overrides.frame))


def plan(jobs: Sequence[NotebookJob], current: Mapping[str, dict[str, str]],
         target: Path) -> tuple[list[NotebookJob], dict[str, str]]:
    """The jobs to run and, per job name, why ("nieuw", "uitvoer ontbreekt" or the changed
    parts); a job left out is unchanged and its published files stay."""
    previous = load_state(target)
    todo, why = [], {}
    for job in jobs:
        before = previous.get(job.name)
        published = all((target / p).is_file() for p in _outputs(job))
        if before is None:
            why[job.name] = NEW
        elif not published:
            why[job.name] = MISSING
        else:
            changed = [part for part, value in current[job.name].items()
                       if before.get(part) != value]
            if not changed:
                continue
            why[job.name] = ", ".join(changed)
        todo.append(job)
    return todo, why


def _outputs(job: NotebookJob) -> tuple[str, str]:
    return f"{job.name}.html", f"audit/{job.name}.ipynb"


def load_state(target: Path) -> dict[str, dict[str, str]]:
    try:
        state = json.loads((target / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def state_text(previous: Mapping[str, dict[str, str]], current: Mapping[str, dict[str, str]],
               done: Sequence[str], failed: Sequence[str]) -> str:
    """The fingerprints to keep: this run's for what it published, the old ones for what it
    skipped, none for what failed (so it runs next time)."""
    state = {k: v for k, v in previous.items() if k not in failed}
    state.update({name: current[name] for name in done})
    return json.dumps(state, indent=1, sort_keys=True) + "\n"

