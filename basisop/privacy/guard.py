"""The privacy guard: what must never be circulated, compiled once, and the scan for it.

A guard knows every name and contact detail in the respondent register, the text of every
fragment marked `vertrouwelijk`, the respondents' ids, and, for any study, e-mail addresses and
Dutch phone numbers. It scans a text in several views (as written; for markup with tags
stripped and entities unescaped; for JSON the string values) so markup cannot hide a datum.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

from basisop.io.dataset import StudyData
from basisop.privacy import formats
from basisop.privacy.detectors import (
    EXEMPTABLE,
    RULE_CONTACT,
    RULE_NAME,
    Finding,
    Hit,
    exact_hits,
    generic_key,
    id_pattern,
    literal_pattern,
    phone_hits,
    register_phone_pattern,
)
from basisop.privacy.study import study_data
from basisop.privacy.text import Mapped, fold, fold_view, unbroken

NO_REGISTER = ("LET OP: deze studie heeft geen respondentenregister (respondenten:); namen "
               "en contactgegevens van respondenten worden NIET gecontroleerd, alleen "
               "e-mailadressen, telefoonnummers, respondent-id's en vertrouwelijke fragmenten")


class PrivacyGuard:
    """What must never be circulated, compiled once, and the scan of texts and files for it."""

    def __init__(self, *, literals: Collection[tuple[str, str]] = (),
                 respondent_ids: Iterable[str] = (),
                 allowed: Iterable[str] = ()):
        """`literals`: (rule, datum) pairs matched case-, accent- and whitespace-insensitively.

        `allowed`: texts that may appear after review (a public helpdesk's number, a surname
        that is also a place: "van Huizen"), compared as e-mail, phone number or folded text;
        they never let a confidential fragment or a respondent id pass.
        """
        allowed = list(allowed)
        self._allowed = {generic_key(a) for a in allowed} | {fold(a) for a in allowed}
        self._rule_of: dict[str, str] = {}
        for rule, datum in literals:
            key = fold(datum)
            if key:
                self._rule_of.setdefault(key, rule)
        self._literal_re = literal_pattern(self._rule_of)
        self._phones_re = register_phone_pattern(
            datum for rule, datum in literals if rule != RULE_NAME)
        ids = {i.strip() for i in respondent_ids if i and i.strip()}
        self._id_count = len(ids)
        self._ids_re = id_pattern(ids)
        self._ids_any_case = id_pattern(ids, any_case=True)
        # What weakens this guard, said in every run summary and check (Dutch lines).
        self.warnings: list[str] = []

    @classmethod
    def for_study(cls, data: StudyData) -> PrivacyGuard:
        """Names and contacts from the register, confidential fragments, respondent ids, and
        the study's reviewed exceptions (`privacy: toegestaan:`).

        Raises ValidationError when the study names a register that cannot be read: without
        it the guard cannot know what to look for, so nothing may pass.
        """
        literals, ids = study_data(data)
        study = data.study
        guard = cls(literals=literals, respondent_ids=ids,
                    allowed=[e.tekst for e in study.toegestaan])
        if study.respondenten is None:
            guard.warnings.append(NO_REGISTER)
        guard.warnings += [f"toegestaan na controle (privacy: toegestaan): '{e.tekst}' – "
                           f"{e.reden}" for e in study.toegestaan]
        return guard

    @classmethod
    def generic(cls) -> PrivacyGuard:
        """E-mail addresses and phone numbers only."""
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
        """Every rule on every view; phone numbers and ids in any case only in the text a
        reader sees (the last view): stylesheets, scripts and figures are full of digit runs
        and short letter codes."""
        if not views:
            return []
        hits: list[Hit] = []
        for view in views:
            reader = view is views[-1]
            hits += exact_hits(view, self._ids_any_case if reader else self._ids_re,
                               self._allowed)
            for text in [view, *unbroken(view)]:
                hits += self._literal_hits(text)
        registered = {h.offset for h in hits if h.rule == RULE_CONTACT}
        hits += [h for h in phone_hits(views[-1], self._allowed)
                 if h.offset not in registered]  # a register number is reported once
        return [h for h in hits if h.rule not in EXEMPTABLE or h.key not in self._allowed]

    def _literal_hits(self, view: Mapped) -> list[Hit]:
        """Register data and confidential text, folded; register numbers digits-only."""
        hits = []
        if self._phones_re is not None:
            hits += [Hit(RULE_CONTACT, generic_key(m.group()), view.source_offset(m.start()))
                     for m in self._phones_re.finditer(view.text)]
        if self._literal_re is not None:
            folded = fold_view(view)
            hits += [Hit(self._rule_of[m.group()], m.group(), folded.source_offset(m.start()))
                     for m in self._literal_re.finditer(folded.text)]
        return hits
