"""How to read a project's selection positions: Unicode code points or UTF-16 code units.

The standard says code points; NVivo (12.6 at least) counts UTF-16 code units, so every
character outside the Basic Multilingual Plane (emoji) shifts later positions by one. The two
readings differ only after such a character. Decided once per file: of the selections whose
text differs between the readings, the reading under which more of them are clean wins (start
and end on a word boundary, no leading white space: a coder selects words, not halves of them).
A tie goes to what the tool is known to write. The file is flagged for review when the chosen
reading is itself not clean.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

CODE_POINTS = "codepunten"
UTF16 = "utf16"
UNIT_NAMES = {CODE_POINTS: "Unicode-codepunten", UTF16: "UTF-16-eenheden"}
# Below this share of selections on word boundaries a reading is not clean.
CLEAN_SHARE = 0.8
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_UTF16_TOOLS = ("nvivo",)


class TextIndex:
    """Converts a text's UTF-16 offsets to code-point offsets."""

    def __init__(self, text: str):
        self.text = text
        # UTF-16 offset at which the k-th astral character starts: its code-point index + k.
        self._astral = [m.start() + k for k, m in enumerate(_ASTRAL.finditer(text))]


    def from_utf16(self, offset: int) -> int | None:
        """The code-point offset, or None when it falls inside a surrogate pair or past the end."""
        before = bisect_left(self._astral, offset)
        if before and self._astral[before - 1] + 1 == offset:
            return None
        point = offset - before
        return point if 0 <= point <= len(self.text) else None

    def span(self, start: int, end: int, unit: str) -> tuple[int, int] | None:
        """The code-point span of a selection read in `unit`; None when it does not fit."""
        if unit == UTF16:
            start, end = self.from_utf16(start), self.from_utf16(end)  # type: ignore[assignment]
            if start is None or end is None:
                return None
        if not 0 <= start <= end <= len(self.text):
            return None
        return start, end

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
    unit: str
    selections: int      # selections with readable text
    differing: int       # of which the two readings give different text
    clean_code_points: int
    clean_utf16: int
    review: bool
    reason: str          # in Dutch, for the user

    @property
    def clean(self) -> int:
        return self.clean_utf16 if self.unit == UTF16 else self.clean_code_points

    def describe(self) -> str:
        if not self.selections:
            return "Geen passages met leesbare tekst"
        return (f"Posities gelezen als {UNIT_NAMES[self.unit]}: {self.reason} "
                f"({self.clean} van {self.selections} passages schoon op woordgrenzen)")


def decide_unit(spans: list[tuple[TextIndex, int, int]], origin: str) -> PositionDecision:
    """Choose the unit for a whole file from its selections (text index, start, end)."""
    preferred = UTF16 if any(tool in origin.lower() for tool in _UTF16_TOOLS) else CODE_POINTS
    counts = {CODE_POINTS: 0, UTF16: 0}
    differing = {CODE_POINTS: 0, UTF16: 0}
    n_differing = 0
    for index, start, end in spans:
        readings = {unit: index.span(start, end, unit) for unit in counts}
        differs = readings[CODE_POINTS] != readings[UTF16]
        n_differing += differs
        for unit, span in readings.items():
            ok = index.clean(span)
            counts[unit] += ok
            differing[unit] += ok and differs
    unit, reason = _choose(differing, n_differing, preferred)
    clean_share = counts[unit] / len(spans) if spans else 1.0
    chosen_share = differing[unit] / n_differing if n_differing else 1.0
    review = clean_share < CLEAN_SHARE or chosen_share < CLEAN_SHARE
    if review:
        reason += ("; geen van beide lezingen is schoon: controleer de fragmenten (telt het "
                   "programma regeleinden of tekens anders?)")
    return PositionDecision(unit, len(spans), n_differing, counts[CODE_POINTS], counts[UTF16],
                            review, reason)


def _choose(differing: dict[str, int], n_differing: int, preferred: str) -> tuple[str, str]:
    if not n_differing:
        return CODE_POINTS, "beide lezingen geven dezelfde tekst (geen emoji e.d. vóór een passage)"
    best = max(differing.values())
    winners = [u for u in (CODE_POINTS, UTF16) if differing[u] == best]
    unit = preferred if preferred in winners else winners[0]
    other = UTF16 if unit == CODE_POINTS else CODE_POINTS
    reason = (f"van de {n_differing} passages waar de lezingen verschillen zijn er "
              f"{differing[unit]} schoon als {UNIT_NAMES[unit]} en {differing[other]} als "
              f"{UNIT_NAMES[other]}")
    if len(winners) > 1:
        basis = "wat dit programma gebruikt" if unit == UTF16 else "wat de standaard voorschrijft"
        reason += f"; gelijkspel, gekozen {basis}"
    return unit, reason
