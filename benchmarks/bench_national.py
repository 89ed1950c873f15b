"""Benchmark: `basisop run` on the synthetic national study (342 gemeenten, 25 regions: 342
chapters, 25 region pages, the overview) and on the embedded district study; and warm kernels
against a fresh kernel per notebook on a sample of 20 chapters.

Prints per run the wall time, the time per stage (from the run's own summary: validate; execute
and convert summed over the workers; privacy gate; publish) and the peak memory of the whole
process tree as PSS (proportional set size: a page shared by n processes counts 1/n in each, so
the forked kernels' shared pages are not counted many times, as summed RSS would). PSS is read
from /proc/<pid>/smaps_rollup every 0.25 s. Also prints the load average beside each figure: the
machine may be shared.

    python3 benchmarks/bench_national.py [--jobs N] [--sample 20] [--skip-national]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from national_study import write_study  # noqa: E402

BIN = Path(sys.executable).parent
POLL_S = 0.25
MIB = 1024 * 1024
TARGET_NATIONAL_S = 90
TARGET_MEMORY = 2 * 1024 * MIB


@dataclass
class Measure:
    seconds: float
    peak_pss: int
    stages: str
    load: str


def measure(command: list[str]) -> Measure:
    """Run to completion; wall time, peak PSS of the tree, and the run's stage line."""
    load = "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                   text=True)
        root = psutil.Process(process.pid)
        peak = 0
        while process.poll() is None:
            peak = max(peak, _tree_pss(root))
            time.sleep(POLL_S)
        seconds = time.perf_counter() - started
        log.seek(0)
        text = log.read()
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{text[-3000:]}")
    stages = re.search(r"Tijd per stap[^:]*: (.*)\.", text)
    return Measure(seconds, peak, stages.group(1) if stages else "", load)


def _tree_pss(root: psutil.Process) -> int:
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.Error, OSError):
            total += process.memory_full_info().pss
    return total


def run(study: Path | None, out: Path, jobs: int | None, units: list[str] | None = None,
        warm: bool = True) -> Measure:
    if warm:
        command = [str(BIN / "basisop"), "run", "--out", str(out)]
        if study:
            command.insert(2, str(study))
        if jobs:
            command += ["--jobs", str(jobs)]
        if units:
            command += ["--eenheid", *units]
        return measure(command)
    code = ("import sys; from pathlib import Path; from basisop.batch.run import run_study; "
            f"r = run_study({str(study)!r} if {bool(study)} else None, out=Path({str(out)!r}), "
            f"jobs={jobs}, units={units!r}, warm=False); sys.exit(0 if r.ok else 1)")
    return measure([sys.executable, "-c", code])


def show(label: str, m: Measure) -> None:
    print(f"{label:44}{m.seconds:>8.1f} s{m.peak_pss / MIB:>9.0f} MiB   load {m.load}")
    if m.stages:
        print(f"{'':4}stages: {m.stages}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--sample", type=int, default=20, help="chapters in the warm/fresh sample")
    parser.add_argument("--skip-national", action="store_true")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; wall time, peak PSS of the process tree, load average "
          "(1, 5, 15 min) at the start\n")
    with tempfile.TemporaryDirectory(prefix="basisop-nationaal-") as tmp:
        scratch = Path(tmp)
        study = write_study(scratch / "studie")
        units = [f"G{i + 1:03d}" for i in range(args.sample)]
        run(None, scratch / "warmup", args.jobs)  # untimed: .pyc and font caches
        show("district (embedded study)", run(None, scratch / "d", args.jobs))
        if not args.skip_national:
            national = run(study, scratch / "n", args.jobs)
            show("national (342 + 25 + 1 notebooks)", national)
            ok = national.seconds <= TARGET_NATIONAL_S and national.peak_pss < TARGET_MEMORY
            print(f"{'':4}target <= {TARGET_NATIONAL_S} s and < 2 GiB: "
                  f"{'ok' if ok else 'MISSED'}")
        warm = run(study, scratch / "w", args.jobs, units)
        fresh = run(study, scratch / "f", args.jobs, units, warm=False)
        label = f"sample: {args.sample} chapters + 25 regions + overview"
        show(f"{label}, warm", warm)
        show(f"{label}, fresh kernels", fresh)
        print(f"{'':4}speed-up of warm kernels: {fresh.seconds / warm.seconds:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
