"""`basisop run`: validate, run every chapter and the comparison, gate and publish, summarise."""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from basisop.batch.execute import Failure, JobOutcome, NotebookJob, run_notebooks
from basisop.batch.export import IndexEntry, index_html
from basisop.batch.incremental import STATE, fingerprints, load_state, plan, state_text
from basisop.batch.kernels import KernelServer, write_snapshot
from basisop.batch.publish import HeldBack, Publisher
from basisop.io.atomic import atomic_write_bytes
from basisop.io.dataset import StudyData, load_study_data
from basisop.io.study import PROJECT_ROOT, load_study
from basisop.model import OVERVIEW_PAGE, REGION_PAGE_PREFIX, Study, Unit, region_page
from basisop.problems import Problem, ValidationError

NOTEBOOKS = PROJECT_ROOT / "notebooks"
CHAPTER = "hoofdstuk.ipynb"
REGION = "regio.ipynb"
OVERVIEW = "overzicht.ipynb"
REGION_NAME = "regio"
AUDIT = "audit"
# Read by matplotlib in the kernels: a fixed svg.hashsalt, so SVG ids repeat between runs.
MATPLOTLIBRC = Path(__file__).resolve().parent / "matplotlibrc"


@dataclass
class RunResult:
    ok: bool
    failures: list[Failure] = field(default_factory=list)
    published: list[Path] = field(default_factory=list)
    held_back: list[HeldBack] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # input errors that stopped the run
    # Seconds per stage: validate, execute and convert (summed over workers), privacy gate,
    # publish (writing). For the benchmark; the summary prints them.
    stages: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # what weakened the privacy gate


def run_study(study_path: Path | None, *, out: Path | None = None, jobs: int | None = None,
              units: list[str] | None = None, timeout: int = 600,
              notebooks: Path | None = None, warm: bool = True,
              changed_only: bool = False) -> RunResult:
    """Validate the study, run its notebooks in parallel, publish what passes the privacy gate.

    `notebooks` is the folder holding hoofdstuk.ipynb and regio.ipynb (default: the project's).
    `warm`: kernels are forked from a template that holds the validated study (see
    basisop/batch/kernels.py); False starts every kernel from scratch (the benchmark's baseline).
    `changed_only` (`--gewijzigd`): run only notebooks whose resolved inputs changed since the
    last run into the same folder (basisop/batch/incremental.py).
    Prints progress and a summary in Dutch; the result is ok only if everything was published.
    """
    started = time.monotonic()
    data = _validated(study_path)
    validated = time.monotonic() - started
    if isinstance(data, RunResult):
        return data
    study = data.study
    selected = _selected_units(study, units)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if isinstance(selected, RunResult):
        return selected
    if workers < 1:
        return _stopped([Problem("--jobs", f"verwacht minstens 1 werker, niet {workers}")])
    try:
        from basisop.privacy import PrivacyGuard

        guard = PrivacyGuard.for_study(data)
    except Exception as exc:  # fail-closed: without a guard nothing may be published
        return _stopped([Problem(str(study.respondenten or study.path),
                                 f"privacycontrole niet mogelijk ({type(exc).__name__}); er "
                                 "wordt niets gemaakt of gepubliceerd")])
    target = Path(out if out is not None else PROJECT_ROOT / "reports") / study.id
    todo = _jobs(study, selected, Path(notebooks) if notebooks else NOTEBOOKS)
    current = fingerprints(data, todo)
    previous = load_state(target)
    why: dict[str, str] = {}
    if changed_only:
        todo, why = plan(todo, current, target)
        _print_plan(todo, why, len(current))
    workers = max(1, min(workers, len(todo)))
    print(f"{study.naam} (golf {study.golf}): {len(todo)} notebooks, {workers} "
          f"werker(s), tijdslimiet {timeout} s per notebook")
    publisher = Publisher(guard)
    with tempfile.TemporaryDirectory(prefix="basisop-") as staging, \
            _kernels(data, Path(staging), warm and bool(todo)) as kernels:
        outcomes = run_notebooks(todo, staging=Path(staging), workers=workers, timeout=timeout,
                                 env=_kernel_env(study), on_done=_progress(len(todo)),
                                 kernel_argv=kernels.kernel_argv() if kernels else None)
        for outcome in outcomes:
            if outcome.ok:
                _publish(publisher, target, outcome)
    publisher.publish_text(target / "index.html", _index(study, target))
    published = set(publisher.published)
    done = [o.job.name for o in outcomes
            if {target / f"{o.job.name}.html", target / AUDIT / f"{o.job.name}.ipynb"} <= published]
    atomic_write_bytes(target / STATE, state_text(
        previous, current, done, [o.job.name for o in outcomes if o.job.name not in done]
    ).encode("utf-8"))
    failures = [o.failure for o in outcomes if o.failure is not None]
    result = RunResult(ok=not failures and not publisher.held_back, failures=failures,
                       published=publisher.published, held_back=publisher.held_back,
                       stages={"valideren": validated,
                               "uitvoeren": sum(o.execute_seconds for o in outcomes),
                               "omzetten": sum(o.convert_seconds for o in outcomes),
                               "privacycontrole": publisher.scan_seconds,
                               "publiceren": publisher.write_seconds},
                       warnings=guard.warnings)
    _summary(result, target, time.monotonic() - started)
    return result


# -- before the run ----------------------------------------------------------------------------

def _validated(study_path: Path | None) -> StudyData | RunResult:
    try:
        data = load_study_data(load_study(study_path))
    except ValidationError as exc:
        return _stopped(exc.problems)
    if not data.ok:
        return _stopped(data.problems)
    return data


def _stopped(problems: Sequence[Problem]) -> RunResult:
    for problem in problems:
        print(problem)
    errors = [p for p in problems if p.is_error]
    print(f"Ongeldig: {len(errors)} fout(en); er is niets gemaakt.", file=sys.stderr)
    return RunResult(ok=False, problems=list(errors))


def _selected_units(study: Study, codes: list[str] | None) -> tuple[Unit, ...] | RunResult:
    if not codes:
        return study.eenheden
    chosen, problems = [], []
    for code in codes:
        try:
            unit = study.require_unit(code)
        except ValueError as exc:
            problems.append(Problem("--eenheid", str(exc), value=code))
            continue
        if unit not in chosen:
            chosen.append(unit)
    return _stopped(problems) if problems else tuple(chosen)


def _jobs(study: Study, units: Sequence[Unit], notebooks: Path) -> list[NotebookJob]:
    """The comparisons first: they are the longest, and starting them early shortens the run.

    Without regions one comparison of all units (regio.html); with regions one per region
    (regio-<naam>.html) and, for more than one, the national overview (overzicht.html).
    """
    studie = str(study.path)
    jobs = []
    if len(study.regions) > 1:
        jobs.append(NotebookJob(OVERVIEW_PAGE, "landelijk overzicht", notebooks / OVERVIEW,
                                {"studie": studie}, f"Landelijk overzicht – {study.naam}"))
    for name in study.regions:
        jobs.append(NotebookJob(region_page(name), f"regio {name}", notebooks / REGION,
                                {"studie": studie, "regio": name},
                                f"Regionale vergelijking {name} – {study.naam}"))
    if not study.regions:
        jobs.append(NotebookJob(REGION_NAME, "regiovergelijking", notebooks / REGION,
                                {"studie": studie}, f"Regionale vergelijking – {study.naam}"))
    for unit in units:
        jobs.append(NotebookJob(chapter_name(unit), f"hoofdstuk {unit.naam} ({unit.code})",
                                notebooks / CHAPTER, {"studie": studie, "eenheid": unit.code},
                                f"{unit.naam} – {study.naam}"))
    return jobs


def chapter_name(unit: Unit) -> str:
    """The chapter's file stem: the unit's slug, unless that would overwrite another report."""
    slug = unit.slug or "eenheid"
    taken = slug in (REGION_NAME, "index", AUDIT, OVERVIEW_PAGE)
    return f"eenheid-{slug}" if taken or slug.startswith(REGION_PAGE_PREFIX) else slug


@contextlib.contextmanager
def _kernels(data: StudyData, staging: Path, warm: bool) -> Iterator[KernelServer | None]:
    """The run's warm kernel template, holding the validated study; None for fresh kernels."""
    if not warm:
        yield None
        return
    snapshot = write_snapshot(data, staging)
    with KernelServer(staging, _kernel_env(data.study), snapshot) as server:
        yield server


def _kernel_env(study: Study) -> dict[str, str]:
    """What makes the kernels' output repeatable: fixed hash seed (set order), the data date as
    matplotlib's SVG/PDF date, a fixed SVG hash salt, no personal matplotlibrc."""
    env = {"PYTHONHASHSEED": "0", "MATPLOTLIBRC": str(MATPLOTLIBRC)}
    if "SOURCE_DATE_EPOCH" not in os.environ:
        try:
            day = dt.date.fromisoformat(study.datum)
            env["SOURCE_DATE_EPOCH"] = str(calendar.timegm(day.timetuple()))
        except ValueError:
            env["SOURCE_DATE_EPOCH"] = "0"
    return env


# -- during and after --------------------------------------------------------------------------

def _print_plan(todo: Sequence[NotebookJob], why: dict[str, str], total: int) -> None:
    print(f"--gewijzigd: {len(todo)} van {total} notebooks opnieuw, {total - len(todo)} "
          "ongewijzigd (hun rapporten blijven staan).")
    for job in todo:
        print(f"  - {job.label}: {why[job.name]}")


def _seconds(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + " s"


def _progress(total: int):
    done = 0

    def report(outcome: JobOutcome) -> None:
        nonlocal done
        done += 1
        if outcome.ok:
            state = f"klaar in {_seconds(outcome.seconds)}"
        else:
            state = f"MISLUKT na {_seconds(outcome.seconds)} ({outcome.failure.error})"
        print(f"[{done}/{total}] {outcome.job.label}: {state}", flush=True)

    return report


def _publish(publisher: Publisher, target: Path, outcome: JobOutcome) -> None:
    name = outcome.job.name
    publisher.publish_text(target / f"{name}.html", outcome.html.read_text(encoding="utf-8"))
    publisher.publish_file(target / AUDIT / f"{name}.ipynb", outcome.executed)


def _index(study: Study, target: Path) -> str:
    """Links to the reports that exist now (new, or a previous version kept after a failure)."""
    def href(name: str) -> str | None:
        return f"{name}.html" if (target / f"{name}.html").is_file() else None

    chapters = [IndexEntry(u.naam, u.code, href(chapter_name(u)), u.regio)
                for u in study.eenheden]
    regions = [IndexEntry(name, str(len(units)), href(region_page(name)))
               for name, units in study.regions.items()]
    overview = href(OVERVIEW_PAGE) if len(study.regions) > 1 else None
    return index_html(study, chapters, href(REGION_NAME), regions=regions, overview=overview)


def _summary(result: RunResult, target: Path, seconds: float) -> None:
    reports = [p for p in result.published if p.suffix == ".html"]
    audits = [p for p in result.published if p.suffix == ".ipynb"]
    print(f"Gepubliceerd in {target}: {len(reports)} HTML-bestand(en) en "
          f"{len(audits)} auditnotebook(s).")
    if result.failures:
        print(f"Mislukt ({len(result.failures)}); de vorige versie blijft staan:",
              file=sys.stderr)
        for failure in result.failures:
            print(f"  - {failure}", file=sys.stderr)
    if result.held_back:
        print(f"Tegengehouden door de privacycontrole ({len(result.held_back)} bestand(en)); "
              "de vorige versie blijft staan:", file=sys.stderr)
        for held in result.held_back:
            print(f"  - {held}", file=sys.stderr)
    stages = ", ".join(f"{name} {_seconds(value)}" for name, value in result.stages.items())
    print(f"Tijd per stap (uitvoeren en omzetten opgeteld over de werkers): {stages}.")
    for warning in result.warnings:
        print(f"Privacycontrole: {warning}.", file=sys.stderr)
    verdict = "alles gelukt" if result.ok else "NIET alles gelukt"
    print(f"Klaar in {_seconds(seconds)}: {verdict}.",
          file=sys.stdout if result.ok else sys.stderr)
