"""Mutation score of the core with mutmut 3.x: scoring.py, the privacy package, io/records.py
and io/refi/positions.py (configured in pyproject.toml, [tool.mutmut]). Outside CI: it runs the
relevant tests once per mutant, which takes long on two cores.

    .venv/bin/pip install -e ".[mutation]"
    .venv/bin/python benchmarks/mutation_score.py            # all mutants (resumes a run)
    .venv/bin/python benchmarks/mutation_score.py 'basisop.scoring*'   # some of them

Prints killed / counted and the score (time-outs and crashes count as killed: the tests
noticed), then every survivor by name (`mutmut show NAME` shows its change).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = str(Path(sys.executable).parent / "mutmut")


def main(argv: list[str]) -> None:
    # Niced and one child: the machine is shared, and the figure does not depend on speed.
    subprocess.run(["nice", "-n", "10", MUTMUT, "run", "--max-children", "1", *argv],
                   cwd=ROOT, check=False)
    subprocess.run([MUTMUT, "export-cicd-stats"], cwd=ROOT, check=True)
    stats = json.loads((ROOT / "mutants" / "mutmut-cicd-stats.json").read_text())
    killed = stats["killed"] + stats["timeout"] + stats["segfault"]
    counted = killed + stats["survived"] + stats["no_tests"] + stats["suspicious"]
    score = killed / counted if counted else 0.0
    print(f"mutants: {counted} counted, {killed} killed, {stats['survived']} survived, "
          f"{stats['no_tests']} without tests, {stats['suspicious']} suspicious, "
          f"{stats['skipped']} skipped")
    print(f"mutation score: {score:.1%}")
    survivors = subprocess.run([MUTMUT, "results"], cwd=ROOT, capture_output=True, text=True,
                               check=False).stdout
    print(survivors)


if __name__ == "__main__":
    main(sys.argv[1:])
