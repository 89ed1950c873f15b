"""How to read a source's selection positions: code points or UTF-16 units, CRLF as one or two.

The standard says code points; NVivo (12.6 at least) counts UTF-16 code units, so every
character outside the Basic Multilingual Plane (emoji) shifts later positions by one. ATLAS.ti
and QualCoder's export "with MAXQDA line endings" write the text with CRLF but count each CRLF
as one character (QualCoder's refi.py writes `fulltext.replace("\\n", "\\r\\n")` and keeps the
positions of the LF text), so every line end shifts later positions by one.

Four readings: code points or UTF-16 units, each with CRLF counted as two or as one. They
differ only after an emoji or a CRLF. Decided per source: of the selections whose text differs
between the readings, the reading under which most are clean wins (start and end on a word
boundary, no leading white space: a coder selects words, not halves of them). A tie goes to
what the tool is known to write, then to the standard. A source whose chosen reading is itself
not clean is flagged: its fragments may be shifted and are never written.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

CODE_POINTS = "codepunten"
UTF16 = "utf16"
CODE_POINTS_CRLF = "codepunten-crlf1"
UTF16_CRLF = "utf16-crlf1"
READINGS = (CODE_POINTS, UTF16, CODE_POINTS_CRLF, UTF16_CRLF)  # the standard first
UNIT_NAMES = {CODE_POINTS: "Unicode-codepunten", UTF16: "UTF-16-eenheden",
              CODE_POINTS_CRLF: "Unicode-codepunten met CRLF als één teken",
              UTF16_CRLF: "UTF-16-eenheden met CRLF als één teken"}
# Below this share of selections on word boundaries a reading is not clean.
CLEAN_SHARE = 0.8
_ASTRAL = "[\U00010000-\U0010ffff]"
_SPECIALS = {UTF16: re.compile(_ASTRAL), CODE_POINTS_CRLF: re.compile("\r\n"),
             UTF16_CRLF: re.compile(f"\r\n|{_ASTRAL}")}
_TOOL_READINGS = {"nvivo": UTF16}


class TextIndex:
    """Converts a text's offsets in each reading to code-point offsets."""

    def __init__(self, text: str):
        self.text = text
        self._tables: dict[str, tuple[list[int], list[int], list[int]]] = {}

    def _table(self, reading: str) -> tuple[list[int], list[int], list[int]]:
        """Per special character (emoji, CRLF): its start and end in the reading's units and
        the shift (code points minus units) after it."""
        if reading not in self._tables:
            starts, ends, shifts, shift = [], [], [], 0
            for match in _SPECIALS[reading].finditer(self.text):
                units = 1 if match.group() == "\r\n" else 2
                start = match.start() - shift
                starts.append(start)
                ends.append(start + units)
                shift += len(match.group()) - units
                shifts.append(shift)
            self._tables[reading] = starts, ends, shifts
        return self._tables[reading]

    def to_code_point(self, offset: int, reading: str) -> int | None:
        """The code-point offset, or None inside a surrogate pair or outside the text."""
        if reading != CODE_POINTS:
            starts, ends, shifts = self._table(reading)
            before = bisect_left(starts, offset)
            if before and offset < ends[before - 1]:
                return None
            offset += shifts[before - 1] if before else 0
        return offset if 0 <= offset <= len(self.text) else None

    def span(self, start: int, end: int, reading: str) -> tuple[int, int] | None:
        """The code-point span of a selection read in `reading`; None when it does not fit."""
        first, last = self.to_code_point(start, reading), self.to_code_point(end, reading)
        if first is None or last is None or first > last:
            return None
        return first, last

    def on_word_boundary(self, offset: int) -> bool:
        text = self.text
        return offset <= 0 or offset >= len(text) or not (text[offset - 1].isalnum()
                                                           and text[offset].isalnum())

    def clean(self, span: tuple[int, int] | None) -> bool:
        """Starts and ends between words, and does not start with white space: a reading off
        by one character usually breaks one of these (coders may end on white space)."""
        if span is None:
            return False
        start, end = span
        return (self.on_word_boundary(start) and self.on_word_boundary(end)
                and not self.text[start:start + 1].isspace())


@dataclass(frozen=True)
class PositionDecision:
    """How one source's positions are read."""

    unit: str
    selections: int          # selections of the source
    differing: int           # of which the readings give different text
    clean: dict[str, int]    # reading -> selections clean under it
    review: bool
    reason: str              # in Dutch, for the user

    def describe(self) -> str:
        if not self.selections:
            return "geen passages"
        return (f"gelezen als {UNIT_NAMES[self.unit]}: {self.reason} ({self.clean[self.unit]} "
                f"van {self.selections} passages schoon op woordgrenzen)")


@dataclass(frozen=True)
class Vote:
    """How clean one source's selections are under each reading."""

    selections: int
    differing: int
    clean: dict[str, int]
    clean_differing: dict[str, int]


def vote(index: TextIndex, spans: list[tuple[int, int]]) -> Vote:
    """Count clean selections per reading (spans: start, end as written)."""
    clean = dict.fromkeys(READINGS, 0)
    clean_differing = dict.fromkeys(READINGS, 0)
    n_differing = 0
    for start, end in spans:
        readings = {unit: index.span(start, end, unit) for unit in READINGS}
        differs = len(set(readings.values())) > 1
        n_differing += differs
        for unit, span in readings.items():
            ok = index.clean(span)
            clean[unit] += ok
            clean_differing[unit] += ok and differs
    return Vote(len(spans), n_differing, clean, clean_differing)


def file_order(votes: list[Vote], origin: str) -> tuple[str, ...]:
    """Readings by how many selections of the whole file they read cleanly, then by what the
    tool is known to write, then the standard: a source's tie is broken by its file."""
    known = [unit for tool, unit in _TOOL_READINGS.items() if tool in origin.lower()]
    preference = (*known, *(u for u in READINGS if u not in known))
    return tuple(sorted(preference, key=lambda u: -sum(v.clean_differing[u] for v in votes)))


def decide_unit(ballot: Vote, order: tuple[str, ...]) -> PositionDecision:
    """Choose one source's reading; `order` breaks ties (file_order)."""
    n_differing = ballot.differing
    if n_differing:
        unit = max(order, key=lambda u: ballot.clean_differing[u])  # first of equals
        reason = _vote(unit, ballot.clean_differing, n_differing)
    else:
        unit = CODE_POINTS
        reason = "alle lezingen geven dezelfde tekst (geen emoji of CRLF vóór een passage)"
    chosen_share = ballot.clean_differing[unit] / n_differing if n_differing else 1.0
    review = bool(ballot.selections) and (ballot.clean[unit] / ballot.selections < CLEAN_SHARE
                                          or chosen_share < CLEAN_SHARE)
    if review:
        reason += ("; geen enkele lezing is schoon: de fragmenten zouden verschoven zijn (telt het "
                   "programma regeleinden of tekens anders?)")
    return PositionDecision(unit, ballot.selections, n_differing, ballot.clean, review, reason)


def _vote(unit: str, clean: dict[str, int], n_differing: int) -> str:
    others = ", ".join(f"{clean[u]} als {UNIT_NAMES[u]}" for u in clean if u != unit)
    return (f"van de {n_differing} passages waar de lezingen verschillen zijn er {clean[unit]} "
            f"schoon als {UNIT_NAMES[unit]} ({others})")
