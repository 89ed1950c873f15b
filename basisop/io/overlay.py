"""A version's overlay on the tables it shares with its base (see model.Overlay).

A concept and its definitief share most rows. The concept's study file points at the
definitief's tables and an overlay: rows that differ (same id), rows only the concept has (new
id), ids it lacks (`verwijderd`), and a line map that moves each unchanged row's `bron` into
the concept's own document. A `bron` line without a counterpart is an error: that row belongs
in the overlay. Nothing is dropped silently: the overlay's effect is listed in `sources`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pandas as pd

from basisop.io.records import LoadResult
from basisop.io.tables import read_table
from basisop.model import Overlay
from basisop.problems import Problem

LINE_MAP_COLUMNS = ["van", "tot", "verschuiving"]
_LINES = re.compile(r"\br\. (\d+)(?:-(\d+))?")

Shift = tuple[int, int, int]  # first base line, last base line, shift into this version


def read_line_map(path: Path, problems: list[Problem]) -> list[Shift]:
    """The line ranges of `regels`; faults are added to `problems`."""
    table = read_table(path, required=LINE_MAP_COLUMNS)
    problems += table.problems
    shifts = []
    for row in table.rows:
        try:
            shifts.append(tuple(int(row.values[c]) for c in LINE_MAP_COLUMNS))
        except ValueError:
            problems.append(Problem(str(path), "verwacht hele getallen", row=row.number))
    return shifts  # type: ignore[return-value]


def move_line(line: int, shifts: list[Shift]) -> int | None:
    """The line in this version that holds base line `line`; None where it has none."""
    return next((line + shift for first, last, shift in shifts if first <= line <= last), None)


def move_bron(bron: str, overlay: Overlay, shifts: list[Shift]) -> str | None:
    """`bron` relabelled into this version's document; None if a line has no counterpart."""
    if not overlay.bron_van or not bron.startswith(overlay.bron_van):
        return bron
    missing = False

    def moved(match: re.Match) -> str:
        nonlocal missing
        lines = [move_line(int(n), shifts) for n in match.groups() if n]
        if None in lines:
            missing = True
            return match.group(0)
        return "r. " + "-".join(str(n) for n in lines)

    text = overlay.bron_naar + _LINES.sub(moved, bron[len(overlay.bron_van):])
    return None if missing else text


def apply_overlay(base: LoadResult, extra: LoadResult | None, overlay: Overlay,
                  shifts: list[Shift], what: str) -> LoadResult:
    """Base rows replaced, added and removed by id, unchanged rows' `bron` moved."""
    changes = {r["id"]: r for r in extra.frame.to_dict("records")} if extra else {}
    removed = set(overlay.verwijderd)
    rows, problems = [], list(base.problems) + (extra.problems if extra else [])
    for record in base.frame.to_dict("records"):
        key = record.get("id", "")
        if key and key in removed:
            continue
        if key in changes:
            rows.append(changes.pop(key))
            continue
        bron = move_bron(record["bron"], overlay, shifts)
        if bron is None:
            problems.append(Problem(record["bestand"], "deze regel heeft geen tegenhanger in "
                                    f"{overlay.bron_naar}: neem rij {key or '?'} op in de "
                                    "overlay", row=record["rij"], column="bron",
                                    value=record["bron"]))
        rows.append({**record, "bron": bron or record["bron"]})
    added = list(changes.values())
    frame = pd.DataFrame(rows + added, columns=base.frame.columns)
    result = replace(base, frame=frame, problems=problems,
                     read=base.read + (extra.read if extra else 0),
                     rejected_rows=base.rejected_rows + (extra.rejected_rows if extra else []),
                     sources=base.sources + (extra.sources if extra else []))
    replaced = (len(extra.frame) if extra else 0) - len(added)
    dropped = len(removed & set(base.frame.get("id", ())))
    result.sources.append(f"overlay {what}: {replaced} vervangen, {len(added)} toegevoegd, "
                          f"{dropped} weggelaten, bronnen naar {overlay.bron_naar or '-'}")
    return result


def unknown_removals(overlay: Overlay, *frames: pd.DataFrame) -> list[str]:
    """Ids in `verwijderd` that no base table has (a typo would otherwise remove nothing)."""
    known = set().union(*(set(f["id"]) for f in frames))
    return [key for key in overlay.verwijderd if key not in known]
