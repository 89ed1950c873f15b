"""Benchmark: loading a 100,000-row codings file, and the privacy scan of a 1 MB page.

Prints the figures; not a unit test (`python3 tasks.py bench`). Targets: the load well under
15 s, the scan well under 1 s per report file.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from basisop.io.dataset import load_study_data
from basisop.io.records import CODING_COLUMNS, load_codings
from basisop.io.study import load_study
from basisop.privacy import PrivacyGuard

ROWS = 100_000


def _timed(action):
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def bench_load(folder: Path) -> None:
    study = load_study()
    row = "W,W-R1,,informatiepositie,informatiepositie.1,rood,Fragment {} over de gemeente,,\n"
    path = folder / "groot.csv"
    path.write_text(",".join(CODING_COLUMNS) + "\n" + "".join(row.format(i) for i in range(ROWS)),
                    encoding="utf-8")
    result, seconds = _timed(lambda: load_codings(study, [path]))
    print(f"load {ROWS:,} rows ({path.stat().st_size / 2**20:.1f} MiB): {seconds:6.2f} s "
          f"({result.accepted:,} accepted)")


def bench_scan(folder: Path) -> None:
    data = load_study_data(load_study())
    confidential = data.codings.frame.assign(vertrouwelijk=True)
    data.codings.frame = confidential  # every fragment guarded: the most patterns there can be
    guard, seconds = _timed(lambda: PrivacyGuard.for_study(data))
    print(f"build guard ({len(confidential)} confidential fragments): {seconds:6.2f} s")
    rows = "".join(f"<tr><td>{i}</td><td>Een respondent geeft aan dat het netwerk in "
                   f"{2000 + i % 25} op orde is.</td></tr>\n" for i in range(10_000))
    path = folder / "groot.html"
    path.write_text(f"<html><body><table>{rows}</table></body></html>", encoding="utf-8")
    findings, seconds = _timed(lambda: guard.scan_file(path))
    print(f"scan {path.stat().st_size / 2**20:.1f} MiB page: {seconds:6.2f} s "
          f"({len(findings)} findings)")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        bench_load(Path(tmp))
        bench_scan(Path(tmp))
