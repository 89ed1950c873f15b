"""Shared fixtures. Tests that need what lies outside the project skip with a reason,
except under BASISOP_REQUIRE_ALL=1 (set by .ci/run), where such a skip is a failure."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from basisop.io.dataset import StudyData, load_study_data
from basisop.io.study import DEFAULT_STUDY, PROJECT_ROOT

SHARED = PROJECT_ROOT.parent / "shared"


def require(condition: bool, reason: str) -> None:
    """Skip when an outside dependency is missing; fail instead when CI demands everything."""
    if condition:
        return
    if os.environ.get("BASISOP_REQUIRE_ALL") == "1":
        pytest.fail(f"required in CI but missing: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    require(SHARED.is_dir(), f"../shared not found beside the checkout ({SHARED})")
    return SHARED


@pytest.fixture(scope="session")
def embedded() -> StudyData:
    from basisop.io.study import load_study

    return load_study_data(load_study(DEFAULT_STUDY))


@pytest.fixture
def study_copy(tmp_path: Path) -> Path:
    """A writable copy of the embedded study (params + data), for tests that change inputs."""
    shutil.copytree(PROJECT_ROOT / "data", tmp_path / "data")
    shutil.copytree(PROJECT_ROOT / "params", tmp_path / "params")
    return tmp_path / "params" / DEFAULT_STUDY.name


def browser_available() -> bool:
    return bool(shutil.which("chromium") and shutil.which("chromedriver"))
