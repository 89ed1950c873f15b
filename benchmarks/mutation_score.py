"""Mutation score of the core with mutmut 3.x: scoring.py, the privacy package, io/records.py
and io/refi/positions.py (configured in pyproject.toml, [tool.mutmut]). Outside CI: it runs the
relevant tests once per mutant, which takes long on two cores.

    .venv/bin/pip install -e ".[mutation]"
    .venv/bin/python benchmarks/mutation_score.py            # all mutants (resumes a run)
    .venv/bin/python benchmarks/mutation_score.py 'basisop.scoring*'   # some of them

Prints killed / counted and the score per module and in all (time-outs and crashes count as
killed: the tests noticed; modules not run are said to be so), then every survivor by name
(`mutmut show NAME` shows its change). docs/mutation.md has the last figures and why each
survivor is left.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = str(Path(sys.executable).parent / "mutmut")
KILLED = {"killed", "timeout", "segfault", "caught by type check"}  # the tests noticed
COUNTED = KILLED | {"survived", "no tests", "suspicious"}


def main(argv: list[str]) -> None:
    # Niced and one child: the machine is shared, and the figure does not depend on speed.
    subprocess.run(["nice", "-n", "19", MUTMUT, "run", "--max-children", "1", *argv],
                   cwd=ROOT, check=False)
    listing = subprocess.run([MUTMUT, "results", "--all", "true"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
    statuses = [line.strip().rsplit(": ", 1) for line in listing.splitlines() if ": " in line]
    per_module: dict[str, Counter] = {}
    for name, status in statuses:
        per_module.setdefault(_module(name), Counter())[status] += 1
    total = Counter()
    for module, counts in sorted(per_module.items()):
        total.update(counts)
        _print_score(module, counts)
    _print_score("all counted modules", total)
    for name, status in statuses:
        if status in COUNTED - KILLED:
            print(f"    {name}: {status}")


def _module(mutant: str) -> str:
    """basisop.scoring.x_score__mutmut_3 -> basisop.scoring (methods: xǁClassǁname)."""
    return re.split(r"\.x(?:_|ǁ)", mutant, maxsplit=1)[0]


def _print_score(what: str, counts: Counter) -> None:
    counted = sum(counts[s] for s in COUNTED)
    if not counted:
        print(f"{what}: not run ({counts['not checked']} mutants not checked)")
        return
    killed = sum(counts[s] for s in KILLED)
    print(f"{what}: {killed}/{counted} killed = {killed / counted:.1%} "
          f"({counts['survived']} survived, {counts['no tests']} without tests, "
          f"{counts['suspicious']} suspicious, {counts['not checked']} not checked)")


if __name__ == "__main__":
    main(sys.argv[1:])
