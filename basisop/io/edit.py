"""Deliberate edits of an input table: validated first, a backup kept, then written atomically.

An edit never leaves a table half-written or invalid: the new content is written to a
candidate file beside the original, loaded with the table's own loader, and only when that
finds no error is the original copied to `backup/` and replaced in one step.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from basisop.io.records import LoadResult
from basisop.io.tables import CSV_SUFFIXES, XLSX_SUFFIXES, write_csv, write_xlsx
from basisop.problems import Problem, ValidationError

BACKUP_FOLDER = "backup"


def backup_path(path: Path, now: dt.datetime | None = None) -> Path:
    """`data/oordelen.csv` -> `data/backup/oordelen-20241212-153000-000000.csv`."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S-%f")
    return path.parent / BACKUP_FOLDER / f"{path.stem}-{stamp}{path.suffix}"


def write_validated(path: Path, frame: pd.DataFrame,
                    load: Callable[[Path], LoadResult]) -> Path | None:
    """Replace the table at `path` by `frame` if `load` accepts every row of it.

    Returns the backup of the previous table (None when there was none). Raises
    ValidationError, leaving the table untouched, when the new content has an error or a row
    would be lost; an OS fault surfaces as OSError with the file named.
    """
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES | XLSX_SUFFIXES:
        raise ValidationError([Problem(str(path), f"kan '{suffix}' niet schrijven: "
                                                  "verwacht .csv of .xlsx")])
    candidate = path.with_name(f".{path.stem}.nieuw{path.suffix}")
    try:
        (write_xlsx if suffix in XLSX_SUFFIXES else write_csv)(frame, candidate)
        _check(load(candidate), len(frame), path)
        backup = None
        if path.exists():
            backup = backup_path(path)
            backup.parent.mkdir(exist_ok=True)
            shutil.copy2(path, backup)
        os.replace(candidate, path)
        return backup
    finally:
        candidate.unlink(missing_ok=True)


def _check(result: LoadResult, rows: int, path: Path) -> None:
    errors = [p for p in result.problems if p.is_error]
    if not errors and result.accepted != rows:
        errors = [Problem(str(path), f"{rows} rijen geschreven maar {result.accepted} "
                                     "geaccepteerd; er zou een rij verloren gaan")]
    if errors:
        # Name the real file, not the candidate, so the message points where the analyst looks.
        raise ValidationError([Problem(str(path), p.reason, row=p.row, column=p.column,
                                       value=p.value) for p in errors])
