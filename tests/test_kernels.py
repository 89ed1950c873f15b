"""Warm kernels (basisop/batch/kernels.py): every notebook gets a fresh fork of the template,
isolated from the others, and the reports are byte for byte those of a fresh kernel each."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import psutil
import pytest
from batch_helpers import TEST_NOTEBOOKS

from basisop.batch.execute import DEAD_KERNEL, TIMEOUT, NotebookJob, run_notebooks
from basisop.batch.kernels import KernelServer
from basisop.batch.run import run_study

pytestmark = pytest.mark.slow
ISOLATION = TEST_NOTEBOOKS / "isolation" / "isolatie.ipynb"


def test_a_global_set_in_one_notebook_is_invisible_in_the_next(tmp_path):
    staging = tmp_path / "s"
    staging.mkdir()
    jobs = [NotebookJob(f"n{i}", f"n{i}", ISOLATION, {"eenheid": f"E{i}"}, "t") for i in range(3)]
    with KernelServer(staging, {}) as server:
        outcomes = run_notebooks(jobs, staging=staging, workers=1, timeout=120,
                                 kernel_server=server.address())
        template = server.process.pid
    assert all(o.ok for o in outcomes), [str(o.failure) for o in outcomes]
    for outcome in outcomes:
        html = outcome.html.read_text(encoding="utf-8")
        assert re.search(r'<p class="vorige">None</p>', html)  # nothing left by the one before
        assert f'<p class="ouder">{template}</p>' in html  # forked from the template


def test_a_time_out_takes_the_kernel_along(tmp_path):
    """A time-out kills the worker and its kernel, which is the template's child, not its."""
    staging = tmp_path / "s"
    staging.mkdir()
    slow = NotebookJob("slow", "slow", TEST_NOTEBOOKS / "faulty" / "hoofdstuk.ipynb",
                       {"eenheid": "GM"}, "t")
    with KernelServer(staging, {}) as server:
        outcomes = run_notebooks([slow], staging=staging, workers=1, timeout=8,
                                 kernel_server=server.address())
        template = psutil.Process(server.process.pid)
        give_up = time.monotonic() + 10
        while template.children() and time.monotonic() < give_up:
            time.sleep(0.1)
        assert template.children() == []
    assert not outcomes[0].ok


def test_a_worker_runs_notebook_after_notebook_and_is_replaced_after_a_time_out(tmp_path):
    """A raise or a dead kernel ends a notebook, not its worker; a time-out kills the worker."""
    staging = tmp_path / "s"
    staging.mkdir()
    faulty = TEST_NOTEBOOKS / "faulty" / "hoofdstuk.ipynb"
    units = ["W", "B/L", "GM", "H", "HU"]
    jobs = [NotebookJob(f"n{i}", u, faulty, {"eenheid": u}, "t") for i, u in enumerate(units)]
    with KernelServer(staging, {}) as server:
        outcomes = run_notebooks(jobs, staging=staging, workers=1, timeout=8,
                                 kernel_server=server.address())
    errors = [o.failure.error if o.failure else None for o in outcomes]
    assert errors == ["ValueError", DEAD_KERNEL, TIMEOUT, None, None]
    assert all("nieuwe versie" in o.html.read_text(encoding="utf-8") for o in outcomes[3:])
    # each worker has its own runtime folder: one before the time-out, one after
    assert sorted(p.name for p in staging.glob("rt*")) == ["rt0", "rt1"]


def test_warm_kernels_give_the_bytes_of_fresh_kernels(tmp_path):
    warm = run_study(None, out=tmp_path / "warm", units=["W"], jobs=2)
    fresh = run_study(None, out=tmp_path / "fresh", units=["W"], jobs=2, warm=False)
    assert warm.ok and fresh.ok
    names = sorted(p.relative_to(tmp_path / "warm") for p in (tmp_path / "warm").rglob("*.*"))
    assert names == sorted(p.relative_to(tmp_path / "fresh")
                           for p in (tmp_path / "fresh").rglob("*.*"))
    assert {"index.html", "regio.html", "wijdemeren.html", "wijdemeren.ipynb"} <= {
        n.name for n in names}
    for name in names:
        warm_bytes = (tmp_path / "warm" / name).read_bytes()
        assert warm_bytes == (tmp_path / "fresh" / name).read_bytes(), name


def test_the_template_stops_when_its_run_is_killed_outright(tmp_path):
    """SIGKILL leaves the run no chance to stop its template; the template notices."""
    script = ("import sys, time\nfrom pathlib import Path\n"
              "from basisop.batch.kernels import KernelServer\n"
              "server = KernelServer(Path(sys.argv[1]), {})\nserver.address()\n"
              "print(server.process.pid, flush=True)\ntime.sleep(120)\n")
    run = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)],
                           stdout=subprocess.PIPE, text=True)
    template = psutil.Process(int(run.stdout.readline()))
    assert template.is_running()
    run.kill()
    run.wait()
    give_up = time.monotonic() + 15
    while _alive(template) and time.monotonic() < give_up:
        time.sleep(0.1)
    assert not _alive(template)


def test_workers_and_kernels_stop_when_their_run_is_killed_outright(tmp_path):
    """One worker idle, one mid-notebook (its kernel sleeps) when the run is SIGKILLed: both
    notice, and their kernels go with them."""
    script = (
        "import sys\nfrom pathlib import Path\n"
        "from basisop.batch.execute import NotebookJob, run_notebooks\n"
        "from basisop.batch.kernels import KernelServer\n"
        "jobs = [NotebookJob(u, u, Path(sys.argv[2]), {'eenheid': u}, 't') for u in ('GM', 'H')]\n"
        "with KernelServer(Path(sys.argv[1]), {}) as server:\n"
        "    run_notebooks(jobs, staging=Path(sys.argv[1]), workers=2, timeout=600,\n"
        "                  kernel_server=server.address(),\n"
        "                  on_done=lambda outcome: print(outcome.job.name, flush=True))\n")
    faulty = TEST_NOTEBOOKS / "faulty" / "hoofdstuk.ipynb"
    run = subprocess.Popen([sys.executable, "-c", script, str(tmp_path), str(faulty)],
                           stdout=subprocess.PIPE, text=True)
    assert run.stdout.readline().strip() == "H"  # its worker is idle; GM's kernel sleeps
    tree = psutil.Process(run.pid).children(recursive=True)
    assert len(tree) >= 4  # the template, two workers, GM's kernel
    run.kill()
    run.wait()
    give_up = time.monotonic() + 20
    while any(_alive(p) for p in tree) and time.monotonic() < give_up:
        time.sleep(0.2)
    left = [p for p in tree if _alive(p)]
    for process in left:  # so a failure leaves nothing running
        process.kill()
    assert left == []


def _alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
