"""Benchmark: validating and scoring 1,000,000 coded fragments, from file to scores.

Writes a UTF-8 CSV of about 250 MB (`large_codings.py`: fragments of about 200 characters,
1% faulty rows of varied kinds) beside a synthetic national study and its register
(`national_study.py`), then loads and scores it in a fresh process and prints the wall time
per stage and the process's peak memory (ru_maxrss), against the targets of issue 10: 5 s and
1.5 GiB. It also checks that the problems found are exactly the planted faults (one each, and
one note for the file's Windows-1252 cells). Not a unit test (`python3 tasks.py bench`).

    python3 benchmarks/bench_load.py [--rows 1000000] [--row-path] [--keep DIR]

`--keep DIR` writes the files into DIR and keeps them; a later run with the same DIR and
`--rows` reuses them instead of generating them again (about 45 s), for iterating.
`--row-path` also loads the file row by row (about 40 s) and checks that both give the same
problems, accepted rows and rejects.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_SECONDS, TARGET_MIB = 5.0, 1.5 * 1024


def generate(folder: Path, rows: int) -> tuple[Path, Path, int]:
    """The study, its register and the codings file; returns (study, codings, faults)."""
    sys.path.insert(0, str(HERE))
    from large_codings import FAULTS, write_codings
    from national_study import write_study

    from basisop.io.study import load_study

    study_path = write_study(folder / "studie", fragments_per_unit=1)
    study = load_study(study_path)
    subthemes = {s.id: [i.id for i in s.checklist] for s in study.framework.subthemes}
    codings = folder / "groot.csv"
    planted = write_codings(codings, [u.code for u in study.eenheden], subthemes, rows,
                            fault_share=0.01, oddity_share=0.001)
    return study_path, codings, sum(planted[kind] for kind in FAULTS)


def generated(folder: Path, rows: int) -> tuple[Path, Path, int]:
    """`generate`, or the files an earlier run with the same rows kept in `folder`."""
    manifest = folder / "bench_load.json"
    if manifest.exists():
        kept = json.loads(manifest.read_text())
        if kept["rows"] == rows:
            return Path(kept["study"]), Path(kept["codings"]), kept["faults"]
    folder.mkdir(parents=True, exist_ok=True)
    study_path, codings, faults = generate(folder, rows)
    manifest.write_text(json.dumps({"rows": rows, "study": str(study_path),
                                    "codings": str(codings), "faults": faults}))
    return study_path, codings, faults


def measure(study_path: Path, codings: Path, row_path: bool) -> dict:
    """Run in a fresh process, so the peak memory is the load's and not the generator's."""
    import basisop.scoring as scoring
    from basisop.io import bulk
    from basisop.io.dataset import StudyData
    from basisop.io.records import (
        load_codings,
        load_judgements,
        load_overrides,
        load_recommendations,
        load_register,
    )
    from basisop.io.study import load_study

    figures: dict = {"rss_start_mib": _peak_mib(), "load_average": os.getloadavg()[0]}
    cpu = time.process_time()
    start = time.perf_counter()
    study = load_study(study_path)
    register = load_register(study)
    figures["study"] = time.perf_counter() - start
    read = bulk.read_bulk
    figures["read"], figures["fell_back"] = 0.0, True

    def timed_read(*args):
        """The parse, timed inside the load (so its cold start counts where it happens)."""
        mark = time.perf_counter()
        parsed = read(*args)
        figures["read"] += time.perf_counter() - mark
        figures["fell_back"] = parsed is None
        return parsed

    bulk.read_bulk = timed_read
    mark = time.perf_counter()
    codings_result = load_codings(study, [codings], register=register.frame)
    figures["read_and_check"] = time.perf_counter() - mark
    data = StudyData(study, codings_result, load_judgements(study), load_overrides(study),
                     load_recommendations(study), register)
    mark = time.perf_counter()
    scores = scoring.score(data)
    figures["score"] = time.perf_counter() - mark
    figures["total"] = figures["study"] + figures["read_and_check"] + figures["score"]
    figures["cpu"] = time.process_time() - cpu
    figures.update(peak_mib=_peak_mib(), read_rows=codings_result.read,
                   accepted=codings_result.accepted, problems=len(codings_result.problems),
                   scores=len(scores), size_mib=codings.stat().st_size / 2**20)
    if row_path:
        bulk.BULK_MIN_BYTES = 2**62
        by_row = load_codings(study, [codings], register=register.frame)
        figures["row_path_same"] = (
            by_row.problems == codings_result.problems
            and by_row.frame.equals(codings_result.frame)
            and by_row.rejects_frame().equals(codings_result.rejects_frame()))
    return figures


def _peak_mib() -> float:
    """This process's peak RSS. On Linux from VmHWM: ru_maxrss survives exec, so a child of
    the generator would report the generator's peak."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def report(figures: dict, faults: int) -> bool:
    print(f"codings: {figures['read_rows']:,} rows read, {figures['accepted']:,} accepted, "
          f"{figures['size_mib']:.0f} MiB; {figures['scores']:,} scores")
    if figures["fell_back"]:
        print("NOT OK: the file went by the row path")
    print(f"study and register  {figures['study']:6.2f} s")
    print(f"read (pyarrow, scan) {figures['read']:5.2f} s")
    print(f"check               {figures['read_and_check'] - figures['read']:6.2f} s")
    print(f"score               {figures['score']:6.2f} s")
    fast = figures["total"] <= TARGET_SECONDS
    small = figures["peak_mib"] <= TARGET_MIB
    print(f"file to scores      {figures['total']:6.2f} s   "
          f"{'OK' if fast else 'NOT OK'} (target {TARGET_SECONDS:.0f} s; CPU time of all "
          f"threads {figures['cpu']:.2f} s; load average {figures['load_average']:.1f} "
          "at the start)")
    print(f"peak memory         {figures['peak_mib']:6.0f} MiB "
          f"{'OK' if small else 'NOT OK'} (target {TARGET_MIB:.0f} MiB; "
          f"{figures['rss_start_mib']:.0f} MiB after imports)")
    expected = faults + 1  # and the file's note on its Windows-1252 cells
    same = figures["problems"] == expected
    print(f"problems            {figures['problems']:,} of {expected:,} planted "
          f"{'OK' if same else 'NOT OK'}")
    if "row_path_same" in figures:
        print(f"row path            {'same' if figures['row_path_same'] else 'NOT the same'}")
    # Speed and memory are measured, not enforced: only a wrong result fails the run.
    return same and figures.get("row_path_same", True) and not figures["fell_back"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--row-path", action="store_true")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep the generated files in DIR and reuse them from there")
    parser.add_argument("--measure", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure, args.row_path)))
        return 0
    if args.keep:
        return run(*generated(args.keep.resolve(), args.rows), args.row_path)
    with tempfile.TemporaryDirectory() as tmp:
        return run(*generate(Path(tmp), args.rows), args.row_path)


def run(study_path: Path, codings: Path, faults: int, row_path: bool) -> int:
    """Measure in a child process and report; 0 when the result is right."""
    command = [sys.executable, __file__, "--measure", str(study_path), str(codings)]
    child = subprocess.run(command + (["--row-path"] if row_path else []),
                           check=True, capture_output=True, text=True)
    return 0 if report(json.loads(child.stdout.splitlines()[-1]), faults) else 1


if __name__ == "__main__":
    sys.exit(main())
