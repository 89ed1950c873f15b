"""The glue for `basisop check-privacy`: which guard, and the scan of files and folders."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from basisop.io.dataset import load_study_data
from basisop.io.study import DEFAULT_STUDY, load_study
from basisop.privacy.detectors import RULE_MISSING, Finding
from basisop.privacy.guard import PrivacyGuard
from basisop.problems import ValidationError


def check_paths(paths: Iterable[Path], guard: PrivacyGuard) -> list[Finding]:
    """Scan files, and every file under folders (recursively, in a stable order)."""
    found: list[Finding] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                found += guard.scan_file(file)
        elif path.is_file():
            found += guard.scan_file(path)
        else:
            found.append(Finding(str(path), RULE_MISSING, "bestand of map bestaat niet"))
    return found


def guard_for(study_path: Path | None) -> tuple[PrivacyGuard, str]:
    """The guard for a study file; for none, the default study's, or the generic rules."""
    if study_path is not None:
        study = load_study(study_path)
        return PrivacyGuard.for_study(load_study_data(study)), f"studie {study.id}"
    try:
        study = load_study(DEFAULT_STUDY)
        return PrivacyGuard.for_study(load_study_data(study)), f"standaardstudie {study.id}"
    except (ValidationError, OSError):
        return PrivacyGuard.generic(), "alleen algemene regels (standaardstudie niet te laden)"
