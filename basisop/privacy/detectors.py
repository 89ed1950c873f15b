"""The detectors: what counts as a hit, per rule, and how hits become Findings.

Rules matched on the text as written (respondent ids, e-mail addresses, phone numbers) and the
compiled pattern of every folded datum (names, contacts, confidential fragments).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from basisop.privacy.text import Mapped

RULE_NAME = "naam uit register"
RULE_CONTACT = "contactgegeven uit register"
RULE_PERSONAL = "persoonsgegeven uit register"
RULE_EMAIL = "e-mailadres"
RULE_PHONE = "telefoonnummer"
RULE_CONFIDENTIAL = "vertrouwelijk fragment"
RULE_RESPONDENT = "respondent-id"
RULE_UNCHECKABLE = "niet te controleren bestand"
RULE_MISSING = "pad niet gevonden"

_EMAIL = re.compile(
    r"(?<![\w.%+-])(?P<local>[\w.%+-]+)@(?P<domain>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
    r"(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,})(?![\w-])", re.IGNORECASE)
# A Woo redaction code stands where the local part was: "5.1.2.e@hilversum.nl" is no address.
_WOO_CODE = re.compile(r"\d+(?:\.\d+)+(?:\.[a-z])?", re.IGNORECASE)
_PHONE = re.compile(
    r"(?<![\w+/.#-])(?<!\d,)(?:(?:\+|00)31[ -]?(?:\(0\)[ -]?)?(?P<intl>\d{1,3})"
    r"|\(?(?P<nat>0\d{1,3})\)?)(?P<rest>(?:[ -]?\d{2,}){1,4})(?![\w-]|[.,]\d)")
_DATE_LIKE = re.compile(r"(?<!\d)\d{1,2}[-/ ]\d{1,2}[-/ ](?:19|20)\d{2}(?!\d)")


@dataclass(frozen=True)
class Finding:
    """One hit: which file, which rule, where. It never carries the datum itself."""

    file: str
    rule: str
    place: str

    def __str__(self) -> str:
        return f"privacy: {self.file}: {self.rule} gevonden ({self.place})"


@dataclass(frozen=True)
class Hit:
    rule: str
    key: str  # the datum's compared form; used to de-duplicate, never shown
    offset: int  # in the view's source


def id_pattern(respondent_ids: Iterable[str]) -> re.Pattern[str] | None:
    """Respondent ids, longest first, not inside a longer word or path."""
    ids = sorted({i.strip() for i in respondent_ids if i and i.strip()}, key=len, reverse=True)
    if not ids:
        return None
    return re.compile(r"(?<![\w/-])(?:" + "|".join(map(re.escape, ids)) + r")(?![\w/-])")


def exact_hits(view: Mapped, ids_re: re.Pattern[str] | None, allowed: set[str]
               ) -> Iterator[Hit]:
    """Rules matched on the unfolded text: respondent ids (case-sensitive), e-mail, phone."""
    text = view.text
    if ids_re is not None:
        for match in ids_re.finditer(text):
            yield Hit(RULE_RESPONDENT, match.group(), view.source_offset(match.start()))
    for match in _EMAIL.finditer(text):
        key = match.group().casefold()
        if not _WOO_CODE.fullmatch(match.group("local")) and key not in allowed:
            yield Hit(RULE_EMAIL, key, view.source_offset(match.start()))
    for match in _PHONE.finditer(text):
        digits = _phone_digits(match)
        if digits and digits not in allowed:
            yield Hit(RULE_PHONE, digits, view.source_offset(match.start()))


def generic_key(value: str) -> str:
    """How an allowed address or number is compared: lower case, or the national digits."""
    value = value.strip()
    match = _PHONE.fullmatch(value)
    digits = _phone_digits(match) if match else None
    return digits or value.casefold()


def _phone_digits(match: re.Match) -> str | None:
    """The number in national form when the match is a plausible Dutch phone number."""
    if _DATE_LIKE.search(match.group()):
        return None
    rest = re.sub(r"\D", "", match.group("rest"))
    if match.group("intl") is not None:
        digits = "0" + match.group("intl") + rest
    else:
        digits = match.group("nat") + rest
    if len(digits) != 10 or digits[1] == "0":
        return None
    return digits


def literal_pattern(keys: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for every folded datum, as a trie (fast on long lists), word-bounded at word ends.

    A plain alternation of some hundred fragments takes seconds per megabyte; a trie lets the
    regex engine reject a position on its first character.
    """
    keys = list(keys)
    if not keys:
        return None
    word_start = [k for k in keys if re.match(r"\w", k)]
    other_start = [k for k in keys if not re.match(r"\w", k)]
    parts = []
    if word_start:
        parts.append(r"(?<!\w)" + _trie_regex(word_start))
    if other_start:
        parts.append(_trie_regex(other_start))
    return re.compile("|".join(parts))


def _trie_regex(keys: list[str]) -> str:
    trie: dict = {}
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[""] = True
    return _trie_node(trie, "")


def _trie_node(node: dict, last: str) -> str:
    """Longer continuations first, so the longest datum wins; ends need a word boundary.

    A chain of single children is written as one run, so recursion only goes as deep as the
    number of branch points (a long fragment is one run, not a thousand nested calls).
    """
    alternatives = []
    for char, child in sorted(node.items()):
        if not char:
            continue
        run = [char]
        while len(child) == 1 and "" not in child:
            (char, child), = child.items()
            run.append(char)
        alternatives.append(re.escape("".join(run)) + _trie_node(child, char))
    if "" in node:
        alternatives.append(r"(?!\w)" if re.match(r"\w", last) else "")
    if len(alternatives) == 1:
        return alternatives[0]
    return "(?:" + "|".join(alternatives) + ")"


def findings(name: str, hits: Iterable[Hit], place: Callable[[int], str]) -> list[Finding]:
    """One Finding per distinct hit, in the order of the text."""
    seen: set[tuple[str, str, int]] = set()
    found = []
    for hit in sorted(hits, key=lambda h: (h.offset, h.rule)):
        if (hit.rule, hit.key, hit.offset) not in seen:
            seen.add((hit.rule, hit.key, hit.offset))
            found.append(Finding(name, hit.rule, place(hit.offset)))
    return unique(found)


def unique(found: list[Finding]) -> list[Finding]:
    return list(dict.fromkeys(found))
