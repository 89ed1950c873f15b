"""`basisop run`: validate, run every chapter and the comparison, gate and publish, summarise."""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from basisop.batch.execute import (
    Failure,
    JobOutcome,
    NotebookJob,
    prepare_workers,
    run_notebooks,
)
from basisop.batch.export import IndexEntry, index_html, version
from basisop.batch.folder import (
    FolderBusy,
    manifest_after,
    run_id,
    run_lock,
    staging_folder,
)
from basisop.batch.incremental import STATE, fingerprints, load_state, plan, state_text
from basisop.batch.kernels import KernelServer, write_snapshot
from basisop.batch.pages import (
    AUDIT,
    IMPLEMENTATION_PLAN,
    INDEX,
    MANIFEST,
    OVERVIEW,
    REGION,
    chapter_page,
    page_problems,
    region_page,
)
from basisop.batch.pdf import PdfError, find_chromium, print_pdf
from basisop.batch.publish import HeldBack, Publisher, recover
from basisop.io.dataset import StudyData, load_study_data
from basisop.io.paths import output_folder_problems, study_inputs
from basisop.io.study import DEFAULT_STUDY, PROJECT_ROOT, load_study
from basisop.model import Study, Unit
from basisop.problems import Problem, ValidationError

NOTEBOOKS = PROJECT_ROOT / "notebooks"
CHAPTER = "hoofdstuk.ipynb"
REGION_NOTEBOOK = "regio.ipynb"
PLAN_NOTEBOOK = "uitvoeringsplan.ipynb"  # run when the study names acties:
OVERVIEW_NOTEBOOK = "overzicht.ipynb"
# Read by matplotlib in the kernels: a fixed svg.hashsalt, so SVG ids repeat between runs.
MATPLOTLIBRC = Path(__file__).resolve().parent / "matplotlibrc"


@dataclass
class RunResult:
    ok: bool
    failures: list[Failure] = field(default_factory=list)
    published: list[Path] = field(default_factory=list)
    held_back: list[HeldBack] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # input errors that stopped the run
    warnings: list[str] = field(default_factory=list)  # what weakened the privacy gate
    input_warnings: int = 0  # warnings about the input files, repeated in the summary
    pdf_errors: list[str] = field(default_factory=list)  # PDFs asked for but not made (Dutch)
    # Seconds per stage: validate, execute and convert (summed over workers), privacy gate.
    # For the benchmark; the summary prints them.
    stages: dict[str, float] = field(default_factory=dict)


def run_study(study_path: Path | None, *, out: Path | None = None, jobs: int | None = None,
              units: list[str] | None = None, timeout: int = 600,
              notebooks: Path | None = None, pdf: bool = False, warm: bool = True,
              changed_only: bool = False) -> RunResult:
    """Validate the study, run its notebooks in parallel, publish what passes the privacy gate.

    `notebooks` is the folder holding hoofdstuk.ipynb and regio.ipynb (default: the project's).
    `warm`: kernels are forked from a template that holds the validated study (see
    basisop/batch/kernels.py); False starts every kernel from scratch (the benchmark's baseline).
    `changed_only` (`--gewijzigd`): run only notebooks whose resolved inputs changed since the
    last run into the same folder (basisop/batch/incremental.py).
    With `pdf`, every page published now is also printed to PDF (headless Chromium) and the
    PDF passes the same gate; without Chromium the HTML still stands and the run says so.
    Prints progress and a summary in Dutch; the result is ok only if everything was published.
    """
    started = time.monotonic()
    data = _validated(study_path)
    validated = time.monotonic() - started
    if isinstance(data, RunResult):
        return data
    study = data.study
    selected = _selected_units(study, units)
    workers = jobs if jobs is not None else default_workers(warm)
    if isinstance(selected, RunResult):
        return selected
    if workers < 1:
        return _stopped([Problem("--jobs", f"verwacht minstens 1 werker, niet {workers}")])
    if timeout <= 0:
        return _stopped([Problem("--timeout", f"verwacht meer dan 0 seconden, niet {timeout}")])
    target = Path(out if out is not None else PROJECT_ROOT / "reports") / study.id
    # Before any notebook runs: a run that cannot publish must not spend minutes finding out.
    unwritable = output_folder_problems(target, study_inputs(study))
    if unwritable:
        return _stopped(unwritable)
    try:
        with _sigterm_as_interrupt(), staging_folder() as staging:
            result = _prepare_and_run(data, selected, notebooks, workers, timeout, target, pdf,
                                      changed_only, staging, warm)
    except FolderBusy as exc:
        return _stopped([Problem("--out", str(exc))])
    if result.problems:  # stopped before any notebook ran (no guard)
        return result
    result.stages = {"valideren": validated, **result.stages}
    result.input_warnings = sum(not p.is_error for p in data.problems)
    _summary(result, target, time.monotonic() - started)
    return result


def _prepare_and_run(data: StudyData, selected: tuple[Unit, ...], notebooks: Path | None,
                     workers: int, timeout: int, target: Path, pdf: bool, changed_only: bool,
                     staging: Path, warm: bool) -> RunResult:
    """The jobs, their fingerprints and the guard; then, holding the folder's lock, the run."""
    study = data.study
    notebooks = Path(notebooks) if notebooks else NOTEBOOKS
    todo = _jobs(study, selected, notebooks)
    every = list(todo)  # the run's name and the manifest cover skipped (unchanged) pages too
    if changed_only:  # the plan needs the fingerprints before the template may start
        current = fingerprints(data, todo)
        todo, why = plan(todo, current, target)
        _print_plan(todo, why, len(current))
    # The kernel template starts now, in its own process, while the guard is compiled and the
    # fingerprints are taken (seconds each at national scale); not at all for nothing to run.
    with _kernels(data, staging, warm and bool(todo)) as kernels:
        if not changed_only:
            current = fingerprints(data, every)
        try:
            from basisop.privacy import PrivacyGuard

            guard = PrivacyGuard.for_study(data)
        except Exception as exc:  # fail-closed: without a guard nothing may be published
            return _stopped([Problem(str(study.respondenten or study.path),
                                     f"privacycontrole niet mogelijk ({type(exc).__name__}); "
                                     "er wordt niets gemaakt of gepubliceerd")])
        workers = max(1, min(workers, len(todo)))
        if todo:
            prepare_workers()  # while the kernel template starts
        with run_lock(target):
            recover(target)  # a killed run's half-finished publication
            print(f"{study.naam} (golf {study.golf}): {len(todo)} notebooks, {workers} "
                  f"werker(s), tijdslimiet {timeout} s per notebook")
            if data.codings.frame.empty and data.judgements.frame.empty:
                print("Let op: de studie heeft nog geen gecodeerde fragmenten en geen "
                      "oordelen, dus is elke status 'onbekend' (niet beoordeeld).")
            run = run_id(study, sorted({job.notebook for job in every}), version())
            kept = [target / name for job in every if job not in todo
                    for name in (f"{job.name}.html", f"{AUDIT}/{job.name}.ipynb")]
            return _run_and_publish(data, guard, todo, workers, timeout, target, run, pdf,
                                    current, kept, staging, kernels)


def _run_and_publish(data: StudyData, guard, todo: list[NotebookJob], workers: int,
                     timeout: int, target: Path, run: str, pdf: bool,
                     current: dict[str, dict[str, str]], kept: list[Path], staging: Path,
                     kernels: KernelServer | None) -> RunResult:
    """Run the notebooks, gate every page, then publish the set that passed at once."""
    study = data.study
    publisher = Publisher(guard, target)
    progress = _progress(len(todo))

    def done(outcome: JobOutcome) -> None:
        progress(outcome)
        if outcome.ok:  # gated while the workers run on: no serial scan after them all
            _publish(publisher, target, outcome)

    try:
        outcomes = run_notebooks(todo, staging=staging, workers=workers, timeout=timeout,
                                 env=_kernel_env(study), on_done=done,
                                 kernel_server=kernels.address() if kernels and todo else None)
        # The fingerprints for --gewijzigd: this run's for what it publishes, none for what failed.
        done = [o.job.name for o in outcomes
                if {target / f"{o.job.name}.html", target / AUDIT / f"{o.job.name}.ipynb"}
                <= set(publisher.pending)]
        failed = [o.job.name for o in outcomes if o.job.name not in done]
        publisher.publish_text(target / STATE,
                               state_text(load_state(target), current, done, failed))
        manifest = manifest_after(target, study, run,
                                  [*publisher.pending, *kept, target / f"{INDEX}.html"])
        publisher.publish_text(target / f"{INDEX}.html",
                               _index(study, target, publisher, manifest.pages, run))
        pdf_errors = _publish_pdfs(publisher, study, workers) if pdf else []
        # The manifest lists what this commit writes (the index may be held back; PDFs added).
        manifest = manifest_after(target, study, run, [*publisher.pending, *kept])
        publisher.publish_text(target / MANIFEST, manifest.to_json())
        publisher.commit()
    except BaseException:  # stopped (Ctrl-C, SIGTERM) or failed before the commit
        publisher.discard()
        raise
    failures = [o.failure for o in outcomes if o.failure is not None]
    return RunResult(ok=not failures and not publisher.held_back and not pdf_errors,
                     failures=failures, published=publisher.published,
                     held_back=publisher.held_back, warnings=guard.warnings,
                     pdf_errors=pdf_errors,
                     stages={"uitvoeren": sum(o.execute_seconds for o in outcomes),
                             "omzetten": sum(o.convert_seconds for o in outcomes),
                             "privacycontrole": publisher.scan_seconds})


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """SIGTERM stops a run as Ctrl-C does: workers killed, staging removed, lock released."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# -- before the run ----------------------------------------------------------------------------

def _validated(study_path: Path | None) -> StudyData | RunResult:
    try:
        data = load_study_data(load_study(study_path))
    except ValidationError as exc:
        return _stopped(exc.problems)
    if not data.ok:
        return _stopped(data.problems)
    warnings = [p for p in data.problems if not p.is_error]
    if warnings:  # said, not swallowed: a warning may be a misread character in a chapter
        print(f"Invoer geldig, met {len(warnings)} waarschuwing(en) bij de invoer, "
              f"bijvoorbeeld:\n  {warnings[0]}\nLees ze allemaal met: basisop validate "
              f"{data.study.path}")
    collisions = page_problems(data.study)
    return _stopped(collisions) if collisions else data


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
    # The kernels work in the study's folder and get its file name, so no audit notebook holds
    # a path of the analyst's machine; empty means the embedded study.
    studie = "" if study.path == DEFAULT_STUDY.resolve() else study.path.name
    folder = study.path.parent
    jobs = []
    if len(study.regions) > 1:
        jobs.append(NotebookJob(OVERVIEW, "landelijk overzicht", notebooks / OVERVIEW_NOTEBOOK,
                                {"studie": studie}, f"Landelijk overzicht – {study.naam}",
                                folder))
    for name in study.regions:
        jobs.append(NotebookJob(region_page(name), f"regio {name}", notebooks / REGION_NOTEBOOK,
                                {"studie": studie, "regio": name},
                                f"Regionale vergelijking {name} – {study.naam}", folder))
    if not study.regions:
        jobs.append(NotebookJob(REGION, "regiovergelijking", notebooks / REGION_NOTEBOOK,
                                {"studie": studie}, f"Regionale vergelijking – {study.naam}",
                                folder))
    if study.acties is not None:
        jobs.append(NotebookJob(IMPLEMENTATION_PLAN, "uitvoeringsplan", notebooks / PLAN_NOTEBOOK,
                                {"studie": studie}, f"Uitvoeringsplan – {study.naam}", folder))
    for unit in units:
        jobs.append(NotebookJob(chapter_page(unit), f"hoofdstuk {unit.naam} ({unit.code})",
                                notebooks / CHAPTER, {"studie": studie, "eenheid": unit.code},
                                f"{unit.naam} – {study.naam}", folder))
    return jobs


def default_workers(warm: bool) -> int:
    """One worker per core; two with warm kernels. A warm kernel's notebook spends about half
    its time waiting (for its kernel to start and answer, for messages), so two per core keep
    the cores busy: 80 national chapters took 52 s with four workers on two cores, 67 s with
    two, for the same CPU time."""
    return (os.cpu_count() or 1) * (2 if warm else 1)


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


def _publish_pdfs(publisher: Publisher, study: Study, workers: int) -> list[str]:
    """Print each page staged for publication to PDF, through the gate; the errors, in Dutch.

    The pages are self-contained, so a copy in a temporary folder prints as the page will."""
    chromium = find_chromium()
    if chromium is None:
        return ["geen PDF's gemaakt: Chromium of Google Chrome is niet gevonden (Debian en "
                "Ubuntu: apt-get install chromium); de HTML-bestanden zijn wel gepubliceerd"]
    pages = [t for t in publisher.pending if t.suffix == ".html"]
    errors = []
    with (tempfile.TemporaryDirectory(prefix="basisop-pdf-") as staging,
          ThreadPoolExecutor(max_workers=max(1, min(workers, len(pages)))) as pool):
        copies = {}
        for page in pages:
            copies[page] = Path(staging) / page.name
            copies[page].write_bytes(publisher.pending[page])
        printed = {page: pool.submit(print_pdf, copy, chromium=chromium, datum=study.datum)
                   for page, copy in copies.items()}
        for page, future in printed.items():
            try:
                data = future.result()
            except PdfError as exc:
                errors.append(str(exc))
                continue
            pdf = copies[page].with_suffix(".pdf")
            pdf.write_bytes(data)
            publisher.publish_file(page.with_suffix(".pdf"), pdf)
    return errors


def _index(study: Study, target: Path, publisher: Publisher, runs: dict[str, str],
           run: str) -> str:
    """Links to the reports there will be (new, or a previous version kept after a failure),
    each with the run that wrote it."""
    def href(name: str) -> str | None:
        return f"{name}.html" if publisher.will_exist(target / f"{name}.html") else None

    chapters = [IndexEntry(u.naam, u.code, href(chapter_page(u)), u.regio)
                for u in study.eenheden]
    regions = [IndexEntry(name, str(len(units)), href(region_page(name)))
               for name, units in study.regions.items()]
    overview = href(OVERVIEW) if len(study.regions) > 1 else None
    plan_page = href(IMPLEMENTATION_PLAN) if study.acties is not None else None
    return index_html(study, chapters, href(REGION), runs=runs, run=run, plan=plan_page,
                      regions=regions, overview=overview)


def _summary(result: RunResult, target: Path, seconds: float) -> None:
    reports = [p for p in result.published if p.suffix == ".html"]
    audits = [p for p in result.published if p.suffix == ".ipynb"]
    pdfs = [p for p in result.published if p.suffix == ".pdf"]
    print(f"Gepubliceerd in {target}: {len(reports)} HTML-bestand(en), "
          + (f"{len(pdfs)} PDF('s) " if pdfs else "")
          + f"en {len(audits)} auditnotebook(s).")
    if result.pdf_errors:
        print(f"PDF niet gemaakt ({len(result.pdf_errors)}):", file=sys.stderr)
        for error in result.pdf_errors:
            print(f"  - {error}", file=sys.stderr)
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
    for warning in result.warnings:
        print(f"Privacycontrole: {warning}.", file=sys.stderr)
    stages = ", ".join(f"{name} {_seconds(value)}" for name, value in result.stages.items())
    print(f"Tijd per stap (uitvoeren en omzetten opgeteld over de werkers): {stages}.")
    verdict = "alles gelukt" if result.ok else "NIET alles gelukt"
    if result.input_warnings:
        verdict += (f", met {result.input_warnings} waarschuwing(en) bij de invoer (basisop "
                    "validate toont ze)")
    print(f"Klaar in {_seconds(seconds)}: {verdict}.",
          file=sys.stdout if result.ok else sys.stderr)
