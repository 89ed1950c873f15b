"""The privacy guard: what must never be circulated, compiled once, and the scan for it.

A guard knows every name and contact detail in the respondent register, the text of every
fragment marked `vertrouwelijk`, the respondents' ids, and, for any study, e-mail addresses and
Dutch phone numbers. It scans a text in several views (as written; for markup with tags
stripped and entities unescaped; for JSON the string values) so markup cannot hide a datum.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from basisop.io.dataset import StudyData
from basisop.privacy import formats
from basisop.privacy.detectors import (
    Finding,
    Hit,
    exact_hits,
    generic_key,
    id_pattern,
    literal_pattern,
)
from basisop.privacy.study import study_data
from basisop.privacy.text import Mapped, fold, fold_view


class PrivacyGuard:
    """What must never be circulated, compiled once, and the scan of texts and files for it."""

    def __init__(self, *, literals: Iterable[tuple[str, str]] = (),
                 respondent_ids: Iterable[str] = (),
                 allowed: Iterable[str] = ()):
        """`literals`: (rule, datum) pairs matched case-, accent- and whitespace-insensitively.

        `allowed`: e-mail addresses and phone numbers that may appear (a public helpdesk, say);
        empty by default, and never a register datum.
        """
        self._allowed = {generic_key(a) for a in allowed}
        self._rule_of: dict[str, str] = {}
        for rule, datum in literals:
            key = fold(datum)
            if key:
                self._rule_of.setdefault(key, rule)
        self._literal_re = literal_pattern(self._rule_of)
        ids = {i.strip() for i in respondent_ids if i and i.strip()}
        self._id_count = len(ids)
        self._ids_re = id_pattern(ids)

    @classmethod
    def for_study(cls, data: StudyData) -> PrivacyGuard:
        """Names and contacts from the register, confidential fragments, respondent ids.

        Raises ValidationError when the study names a register that cannot be read: without
        it the guard cannot know what to look for, so nothing may pass.
        """
        literals, ids = study_data(data)
        return cls(literals=literals, respondent_ids=ids)

    @classmethod
    def generic(cls) -> PrivacyGuard:
        """E-mail addresses and Dutch phone numbers only."""
        return cls()

    def describe(self) -> str:
        """What the guard looks for, in counts (never the data)."""
        counts: dict[str, int] = {}
        for rule in self._rule_of.values():
            counts[rule] = counts.get(rule, 0) + 1
        parts = [f"{n}× {rule}" for rule, n in sorted(counts.items())]
        if self._ids_re is not None:
            parts.append(f"{self._id_count} respondent-id's")
        parts += ["e-mailadressen", "telefoonnummers"]
        return ", ".join(parts)

    def scan_text(self, text: str, name: str) -> list[Finding]:
        """Scan a text (HTML recognised by its tags) and say where each datum was found."""
        return formats.scan_text(text, name, self._scan_views)

    def scan_file(self, path: Path) -> list[Finding]:
        """Scan one file as its format says; HTML also without tags, JSON also by value."""
        return formats.scan_file(path, self._scan_views)

    def _scan_views(self, views: list[Mapped]) -> list[Hit]:
        hits: list[Hit] = []
        for view in views:
            hits += exact_hits(view, self._ids_re, self._allowed)
            if self._literal_re is not None:
                folded = fold_view(view)
                for match in self._literal_re.finditer(folded.text):
                    key = match.group()
                    hits.append(Hit(self._rule_of[key], key,
                                    folded.source_offset(match.start())))
        return hits
