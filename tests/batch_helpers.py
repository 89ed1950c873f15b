"""One `basisop run` of the embedded study per test session, shared by the batch and browser tests
(a fixture defined in one test module is not visible in another; this cache is)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from basisop.io.study import PROJECT_ROOT

TEST_NOTEBOOKS = PROJECT_ROOT / "tests" / "notebooks"
STUDY_ID = "gooi-en-vechtstreek-2024"


@dataclass(frozen=True)
class EmbeddedRun:
    out: Path  # the --out folder
    exit_code: int
    stdout: str

    @property
    def folder(self) -> Path:
        return self.out / STUDY_ID


_CACHE: dict[str, EmbeddedRun] = {}


def embedded_run(factory: pytest.TempPathFactory) -> EmbeddedRun:
    """`basisop run --out DIR` on the embedded study with the real notebooks, once."""
    if "run" not in _CACHE:
        import contextlib
        import io

        from basisop.cli import main

        out = factory.mktemp("reports")
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            code = main(["run", "--out", str(out)])
        _CACHE["run"] = EmbeddedRun(out, code, buffer.getvalue())
    return _CACHE["run"]
