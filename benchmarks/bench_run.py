"""Benchmark: `basisop run` on the embedded study against the same work as a plain loop of the
`papermill` and `jupyter nbconvert --to html --no-input` command lines, one notebook at a time.

Prints wall time and peak memory of each, and the speed-up. Not a unit test:
`python3 tasks.py bench`.

Peak memory is summed over the whole process tree (the command, its workers and their kernels),
polled every 50 ms: as PSS (proportional set size: a page shared by n processes counts 1/n in
each), the footprint the 1 GiB target is about, and as summed RSS for reference, which counts a
shared page (libraries, the pages forked workers and kernels share with their parent or
template) once per process and so overstates the footprint more the more workers there are.
resource.getrusage(RUSAGE_CHILDREN).ru_maxrss, the largest single process, is printed too.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from basisop.batch.run import default_workers  # noqa: E402
from basisop.io.study import DEFAULT_STUDY, load_study  # noqa: E402

BIN = Path(sys.executable).parent
POLL_S = 0.05
MIB = 1024 * 1024


@dataclass
class Measure:
    seconds: float = 0.0
    peak_rss: int = 0  # bytes, summed over the process tree at one moment
    peak_pss: int = 0

    def add(self, other: Measure) -> None:
        """Sequential commands: times add up, the peak is the highest of them."""
        self.seconds += other.seconds
        self.peak_rss = max(self.peak_rss, other.peak_rss)
        self.peak_pss = max(self.peak_pss, other.peak_pss)


def measure(command: list[str]) -> Measure:
    """Run a command to completion; its wall time and peak tree RSS. Fails loudly on error."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    root = psutil.Process(process.pid)
    peak_rss = peak_pss = 0
    while process.poll() is None:
        rss, pss = _tree_memory(root)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(POLL_S)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{stderr}")
    return Measure(seconds, peak_rss, peak_pss)


def _tree_memory(root: psutil.Process) -> tuple[int, int]:
    """Summed RSS and summed PSS of the tree (PSS from /proc/<pid>/smaps_rollup)."""
    rss = pss = 0
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0
    for process in processes:
        with contextlib.suppress(psutil.Error, OSError):
            rss += process.memory_info().rss
            pss += _pss(process.pid)
    return rss, pss


def _pss(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
        return next((int(line.split()[1]) * 1024 for line in rollup if line.startswith("Pss:")), 0)


def basisop_run(out: Path, jobs: int | None) -> Measure:
    command = [str(BIN / "basisop"), "run", "--out", str(out)]
    if jobs:
        command += ["--jobs", str(jobs)]
    return measure(command)


def cli_loop(out: Path) -> Measure:
    """The same notebooks, one by one, through the two command lines. -r passes raw strings
    (papermill's -p would turn a unit code such as "0363" into a number)."""
    study = load_study(DEFAULT_STUDY)
    notebooks = ROOT / "notebooks"
    runs = [("regio", notebooks / "regio.ipynb", [])]
    runs += [(u.slug, notebooks / "hoofdstuk.ipynb", ["-r", "eenheid", u.code])
             for u in study.eenheden]
    total = Measure()
    out.mkdir(parents=True, exist_ok=True)
    for name, notebook, extra in runs:
        executed = out / f"{name}.ipynb"
        total.add(measure([str(BIN / "papermill"), str(notebook), str(executed),
                           "-r", "studie", str(study.path), *extra, "-k", "python3",
                           "--no-progress-bar", "--cwd", str(notebooks)]))
        total.add(measure([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                           str(executed)]))
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None,
                        help="workers for basisop run (default: basisop's, two per core)")
    parser.add_argument("--no-warmup", action="store_true",
                        help="skip the untimed first run that fills caches (.pyc, fonts)")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="basisop-bench-") as tmp:
        scratch = Path(tmp)
        if not args.no_warmup:
            basisop_run(scratch / "warmup", args.jobs)
        ours = basisop_run(scratch / "basisop", args.jobs)
        loop = cli_loop(scratch / "loop")
        largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        shutil.rmtree(scratch, ignore_errors=True)
    speedup = loop.seconds / ours.seconds
    workers = args.jobs or default_workers(warm=True)
    rows = [(f"basisop run ({workers} workers)", ours),
            ("papermill + nbconvert CLI loop", loop)]
    print(f"Embedded study, {cores} cores\n")
    print(f"{'':34}{'wall time':>12}{'peak PSS':>12}{'peak RSS (sum)':>17}")
    for label, m in rows:
        print(f"{label:34}{m.seconds:>10.1f} s{m.peak_pss / MIB:>8.0f} MiB"
              f"{m.peak_rss / MIB:>13.0f} MiB")
    print(f"\nspeed-up: {speedup:.1f}x (target >= 3x)  "
          f"{'ok' if speedup >= 3 else 'MISSED'}")
    print(f"peak PSS of basisop run: {ours.peak_pss / MIB:.0f} MiB (target < 1024 MiB)  "
          f"{'ok' if ours.peak_pss < 1024 * MIB else 'MISSED'}")
    print(f"largest single process seen by getrusage(RUSAGE_CHILDREN): {largest / MIB:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
