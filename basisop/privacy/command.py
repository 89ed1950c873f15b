"""The glue for `basisop check-privacy`: which guard, and the scan of files and folders."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from basisop.io.dataset import load_study_data
from basisop.io.study import load_study
from basisop.privacy.detectors import RULE_MISSING, Finding
from basisop.privacy.guard import PrivacyGuard

GENERIC_ONLY = ("ALLEEN ALGEMENE REGELEN: geen studie gegeven (--study) en geen manifest.json "
                "van een rapportmap gevonden; namen, contactgegevens, respondent-id's en "
                "vertrouwelijke fragmenten zijn NIET gecontroleerd")


def check_paths(paths: Iterable[Path], guard: PrivacyGuard) -> list[Finding]:
    """Scan files, and every file under folders (recursively, in a stable order)."""
    found: list[Finding] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            # Not only regular files: a device or a broken link cannot be checked, so it is a
            # finding (the reader says why), never skipped unseen.
            for file in sorted(p for p in path.rglob("*") if not p.is_dir()):
                found += guard.scan_file(file)
        elif path.exists() or path.is_symlink():
            found += guard.scan_file(path)
        else:
            found.append(Finding(str(path), RULE_MISSING, "bestand of map bestaat niet"))
    return found


def guard_for(study_path: Path | None) -> tuple[PrivacyGuard, str]:
    """The guard for a study file; for none, the generic rules, and what that leaves out."""
    if study_path is None:
        return PrivacyGuard.generic(), GENERIC_ONLY
    study = load_study(study_path)
    return PrivacyGuard.for_study(load_study_data(study)), f"studie {study.id}"
