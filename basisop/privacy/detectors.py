"""The detectors: what counts as a hit, per rule, and how hits become Findings.

Rules matched on the text as written (respondent ids, e-mail addresses, phone numbers) and the
compiled pattern of every folded datum (names, contacts, confidential fragments).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import phonenumbers
from phonenumbers import Leniency

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
# What a study's `privacy: toegestaan:` may let pass; never a confidential fragment or an id.
EXEMPTABLE = (RULE_NAME, RULE_CONTACT, RULE_PERSONAL, RULE_EMAIL, RULE_PHONE)

_EMAIL = re.compile(
    r"(?<![\w.%+-])(?P<local>[\w.%+-]+)@(?P<domain>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
    r"(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,})(?![\w-])", re.IGNORECASE)
# A Woo redaction code stands where the local part was: "5.1.2.e@hilversum.nl" is no address.
_WOO_CODE = re.compile(r"\d+(?:\.\d+)+(?:\.[a-z])?", re.IGNORECASE)
# A run of digits and single separators that might be a phone number; phonenumbers decides.
# Two whitespace characters in a row end it: in a page's text they separate table cells.
# A letter or digit on either side makes it part of a token (a hex hash, an id): no number.
_PHONE_CANDIDATE = re.compile(
    r"(?<![\w#+])(?<!\d[.,])(?:\+|\(\+?)?\d(?:\d|[()./-]|\s(?!\s))*\d(?!\w)")
_PHONE_SEPARATORS = r"[\s./()-]*"
MIN_PHONE_DIGITS = 7
PHONE_TRIES = 1_000_000  # phonenumbers' default (65535) would stop trying on a long page


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


def id_pattern(respondent_ids: Iterable[str], *, any_case: bool = False
               ) -> re.Pattern[str] | None:
    """Respondent ids, longest first, not inside a longer word or path."""
    ids = sorted({i.strip() for i in respondent_ids if i and i.strip()}, key=len, reverse=True)
    if not ids:
        return None
    return re.compile(r"(?<![\w/-])(?:" + "|".join(map(re.escape, ids)) + r")(?![\w/-])",
                      re.IGNORECASE if any_case else 0)


def exact_hits(view: Mapped, ids_re: re.Pattern[str] | None, allowed: set[str]
               ) -> Iterator[Hit]:
    """Rules matched on the unfolded text: respondent ids (case-sensitive) and e-mail."""
    text = view.text
    if ids_re is not None:
        for match in ids_re.finditer(text):
            yield Hit(RULE_RESPONDENT, match.group().casefold(),
                      view.source_offset(match.start()))
    for match in _EMAIL.finditer(text):
        key = match.group().casefold()
        if not _WOO_CODE.fullmatch(match.group("local")) and key not in allowed:
            yield Hit(RULE_EMAIL, key, view.source_offset(match.start()))


def phone_hits(view: Mapped, allowed: set[str]) -> Iterator[Hit]:
    """Phone numbers of any country, as Google's libphonenumber validates them (region NL).

    Leniency VALID: the number must exist in the numbering plan, so years ("2025-2026"),
    dates and page ranges are not numbers, while any grouping ("06.12.34.56.78",
    "035/5281234") is. Only runs of digits are handed to the library, which keeps it fast.
    """
    text = view.text
    for candidate in _PHONE_CANDIDATE.finditer(text):
        if sum(c.isdigit() for c in candidate.group()) < MIN_PHONE_DIGITS:
            continue
        for match in phonenumbers.PhoneNumberMatcher(candidate.group(), "NL",
                                                     leniency=Leniency.VALID,
                                                     max_tries=PHONE_TRIES):
            key = _e164(match.number)
            if key not in allowed:
                offset = candidate.start() + match.start
                yield Hit(RULE_PHONE, key, view.source_offset(offset))


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_phone(value: str) -> phonenumbers.PhoneNumber | None:
    """A valid phone number (region NL when it has no country code), or None."""
    if sum(c.isdigit() for c in value) < MIN_PHONE_DIGITS:
        return None
    try:
        number = phonenumbers.parse(value, "NL")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def generic_key(value: str) -> str:
    """How an allowed address or number is compared: lower case, or the number in E.164."""
    number = parse_phone(value.strip())
    return _e164(number) if number is not None else value.strip().casefold()


def register_phone_pattern(values: Iterable[str]) -> re.Pattern[str] | None:
    """Register phone numbers compared digits-only: any separators, national or international.

    A register holds "06-23456789"; a page may say "06 - 23 45 67 89" or "+31 (0)6 2345 6789".
    """
    forms = set()
    for value in values:
        number = parse_phone(value)
        if number is None:
            continue
        digits = _PHONE_SEPARATORS.join(phonenumbers.national_significant_number(number))
        prefix = (rf"(?:(?:\+|00){_PHONE_SEPARATORS}{number.country_code}{_PHONE_SEPARATORS}"
                  rf"(?:\(0\){_PHONE_SEPARATORS})?|0{_PHONE_SEPARATORS})")
        forms.add(prefix + digits)
    if not forms:
        return None
    return re.compile(r"(?<!\d)(?:" + "|".join(sorted(forms)) + r")(?!\d)")


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
