"""Validation problems as data: file, row, column, value, reason; rendered at the edge."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ERROR = "fout"
WARNING = "waarschuwing"

# Values longer than this are shortened in messages, so a message stays one readable line.
_SHOWN_VALUE_CHARS = 60


@dataclass(frozen=True)
class Problem:
    """One fault in an input file. `row` is the spreadsheet row (header = row 1)."""

    file: str
    reason: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: str = ERROR

    def __str__(self) -> str:
        place = self.file
        if self.row is not None:
            place += f", rij {self.row}"
        if self.column:
            place += f", kolom '{self.column}'"
        shown = ""
        if self.value is not None:
            value = self.value if len(self.value) <= _SHOWN_VALUE_CHARS else (
                self.value[:_SHOWN_VALUE_CHARS] + "…")
            shown = f" waarde '{value}':"
        return f"{self.severity}: {place}:{shown} {self.reason}"

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


class ValidationError(Exception):
    """Raised when input cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
