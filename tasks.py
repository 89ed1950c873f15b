#!/usr/bin/env python3
"""Set up the project's virtual environment and run a task. Needs only Python 3.11+.

    python3 tasks.py report   every chapter, the regional comparison and the index (reports/)
    python3 tasks.py test     ruff and the test suite
    python3 tasks.py bench    the benchmarks (loading, 1M fragments, privacy scan, `basisop run`)
    python3 tasks.py lab      JupyterLab on notebooks/ with the project's kernel (verkennen.ipynb)
Extra arguments go to the task's last command (e.g. `python3 tasks.py test -k scoring`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed-stamp"

TASKS = {
    "report": [["basisop", "run"]],
    "test": [["ruff", "check", "."], ["python", "-m", "pytest"]],
    "lint": [["ruff", "check", "."]],
    "bench": [["python", "benchmarks/bench_inputs.py"], ["python", "benchmarks/bench_load.py"],
              ["python", "benchmarks/bench_run.py"]],
    "lab": [["jupyter", "lab", "--ServerApp.root_dir=notebooks"]],
}
# The environment's own kernelspec first, before a user's "python3" (which may lack basisop).
ENVIRONMENT = {"lab": {"JUPYTER_PATH": str(VENV / "share" / "jupyter")}}


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    completed = subprocess.run(command, cwd=ROOT, check=False,
                               env={**os.environ, **env} if env else None)
    if completed.returncode:
        sys.exit(completed.returncode)


def set_up() -> None:
    """Create .venv and install the project with its test extras, again when pyproject changes."""
    pyproject = ROOT / "pyproject.toml"
    if STAMP.exists() and STAMP.stat().st_mtime >= pyproject.stat().st_mtime:
        return
    if sys.version_info < (3, 11):  # noqa: UP036 - say so plainly on an older Python
        sys.exit(f"basisop needs Python 3.11 or newer, this is {sys.version.split()[0]}")
    print("Setting up .venv (first time only) ...", flush=True)
    venv.create(VENV, with_pip=True)
    python = str(BIN / "python")
    _run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    _run([python, "-m", "pip", "install", "--quiet", "-e", ".[test]"])
    # The notebooks ask for kernel "python3": make it this environment's Python.
    _run([python, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"])
    STAMP.touch()


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in TASKS:
        sys.exit(f"usage: python3 tasks.py {{{'|'.join(TASKS)}}} [args ...]")
    set_up()
    commands = TASKS[argv[0]]
    for i, command in enumerate(commands):
        extra = argv[1:] if i == len(commands) - 1 else []
        _run([str(BIN / command[0]), *command[1:], *extra], ENVIRONMENT.get(argv[0]))


if __name__ == "__main__":
    main(sys.argv[1:])
