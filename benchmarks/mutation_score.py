"""Mutation score of the core with mutmut 3.x: scoring.py, the privacy package, io/records.py
and io/refi/positions.py (configured in pyproject.toml, [tool.mutmut]). Outside CI: it runs the
relevant tests once per mutant, which takes long on two cores.

    .venv/bin/pip install -e ".[mutation]"
    .venv/bin/python benchmarks/mutation_score.py            # all mutants (resumes a run)
    .venv/bin/python benchmarks/mutation_score.py 'basisop.scoring*'   # some of them
    .venv/bin/python benchmarks/mutation_score.py \
        --selection tests/test_mutation_records.py,tests/test_messy_inputs.py \
        'basisop.io.records*'      # with fewer tests than pyproject's selection (a scratch copy)

Prints killed / counted and the score per module and in all (time-outs and crashes count as
killed: the tests noticed; modules not run are said to be so), then every survivor by name
(`mutmut show NAME` shows its change). docs/mutation.md has the last figures and why each
survivor is left.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = str(Path(sys.executable).parent / "mutmut")
KILLED = {"killed", "timeout", "segfault", "caught by type check"}  # the tests noticed
COUNTED = KILLED | {"survived", "no tests", "suspicious"}


def main(argv: list[str]) -> None:
    where = ROOT
    if argv[:1] == ["--selection"]:
        where, argv = _narrowed_copy(argv[1].split(",")), argv[2:]
        print(f"mutmut runs in {where} with a narrowed test selection")
    # Niced and one child: the machine is shared, and the figure does not depend on speed.
    subprocess.run(["nice", "-n", "19", MUTMUT, "run", "--max-children", "1", *argv],
                   cwd=where, check=False)
    listing = subprocess.run([MUTMUT, "results", "--all", "true"], cwd=where,
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


def _narrowed_copy(tests: list[str]) -> Path:
    """A copy of the project whose mutmut test selection is `tests` only: a module that every
    study-loading test reaches (io/records.py) would otherwise run all of them per survivor.
    The copy (and its `mutants/`) stays in the temp folder, so a second call resumes."""
    digest = hashlib.sha256(",".join(tests).encode()).hexdigest()[:10]
    where = Path(tempfile.gettempdir()) / f"basisop-mutation-{digest}"
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.splitlines()
    for name in tracked:
        if (ROOT / name).is_file():
            (where / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, where / name)
    config = where / "pyproject.toml"
    listed = ", ".join(f'"{t}"' for t in tests)
    config.write_text(re.sub(r"pytest_add_cli_args_test_selection = \[[^\]]*\]",
                             f"pytest_add_cli_args_test_selection = [{listed}]",
                             config.read_text(encoding="utf-8")), encoding="utf-8")
    return where


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
