"""What a study says must never be circulated: register data, confidential fragments, ids."""

from __future__ import annotations

import re

from basisop.io.dataset import StudyData
from basisop.io.records import (
    REGISTER_CONTACT_COLUMNS,
    REGISTER_NAME_COLUMNS,
    REGISTER_PUBLIC_COLUMNS,
    REGISTER_REQUIRED,
    parse_flag,
)
from basisop.io.tables import read_table
from basisop.privacy.detectors import (
    RULE_CONFIDENTIAL,
    RULE_CONTACT,
    RULE_NAME,
    RULE_PERSONAL,
)
from basisop.privacy.text import fold
from basisop.problems import Problem, ValidationError

MIN_TOKEN_CHARS = 3  # a one-word name shorter than this is ignored (noise); full names never
MIN_CONTACT_CHARS = 5
MIN_FRAGMENT_CHARS = 15  # a shorter confidential fragment ("Ja.") would match everywhere
MIN_SENTENCE_CHARS = 40  # each sentence of a confidential fragment this long is matched alone

SURNAME_ALONE_CHARS = 8  # a surname this long is matched alone; shorter ones only in a name
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# Dutch (and a few common foreign) name particles, lower case.
TUSSENVOEGSELS = {"van", "de", "der", "den", "het", "'t", "te", "ter", "ten", "in", "op",
                  "aan", "uit", "onder", "bij", "la", "le", "du", "da", "dos", "del", "von",
                  "zu", "d'", "el", "al"}
_NAME_PARTS = ("voornaam", "tussenvoegsel", "achternaam")
_FULL_NAME_COLUMNS = tuple(c for c in REGISTER_NAME_COLUMNS if c not in _NAME_PARTS)
_NAME_COLUMNS = (*REGISTER_NAME_COLUMNS, *_NAME_PARTS)

Literals = list[tuple[str, str]]


def study_data(data: StudyData) -> tuple[Literals, list[str]]:
    """(rule, datum) pairs and respondent ids from the register and the codings."""
    literals, ids = _register_data(data)
    codings_literals, codings_ids = _codings_data(data)
    return literals + codings_literals, ids + codings_ids


def _register_data(data: StudyData) -> tuple[Literals, list[str]]:
    """Every personal cell of the register (accepted or not), names as people write them, and
    every id in it."""
    path = data.study.respondenten
    literals: Literals = []
    ids: list[str] = []
    if path is None:
        return literals, ids
    table = read_table(path, required=REGISTER_REQUIRED, extra_columns_ok=True)
    if not table.columns:
        raise ValidationError([Problem(str(path), "respondentenregister niet leesbaar; de "
                                                  "privacycontrole kan niet worden gedaan")]
                              + [p for p in table.problems if p.is_error])
    for row in table.rows:
        values = row.values
        for column, value in values.items():
            if column == "id":
                ids.append(value)
            elif column not in (*REGISTER_PUBLIC_COLUMNS, *_NAME_COLUMNS):
                literals += _personal_values(column, value)
        parts = " ".join(values.get(c, "").strip() for c in _NAME_PARTS)
        for name in [parts, *(values.get(c, "") for c in _FULL_NAME_COLUMNS)]:
            for part in name.split(";"):
                literals += [(RULE_NAME, form) for form in name_forms(part)]
    return literals, ids


def _personal_values(column: str, value: str) -> Literals:
    """The contacts or other data in one register cell; several are separated by ';'."""
    rule = RULE_CONTACT if column in REGISTER_CONTACT_COLUMNS else RULE_PERSONAL
    return [(rule, part) for part in {value, *value.split(";")}
            if len(fold(part)) >= MIN_CONTACT_CHARS]


def name_forms(name: str) -> list[str]:
    """How writers spell a registered name; each rule's false-positive cost in README.

    "Vries, Jan de" and "Jan de Vries" give: Jan de Vries; Vries, Jan de; J. de Vries;
    J de Vries; Vries, J.; and the surname alone when it is distinctive: "de Vries" (a
    tussenvoegsel) or a surname of at least SURNAME_ALONE_CHARS letters or a double name.
    A first name alone is never matched (too many are ordinary words: Wil, Roos, Mark).
    """
    name = " ".join(name.split())
    given, particles, surname = split_name(name)
    if not given:  # one word: all the register knows, so matched alone (if not too short)
        return [surname] if len(fold(surname)) >= MIN_TOKEN_CHARS else []
    tail = " ".join([*particles, surname])
    first = given.split()
    initials = "".join(f"{g[0]}." for g in first)
    forms = {name, f"{given} {tail}", f"{surname}, {given} {' '.join(particles)}".strip(),
             f"{first[0][0]}. {tail}", f"{first[0][0]} {tail}", f"{initials} {tail}",
             f"{surname}, {first[0][0]}.", f"{surname}, {initials}"}
    if particles or len(fold(surname)) >= SURNAME_ALONE_CHARS or "-" in surname:
        forms.add(tail)
    return sorted(forms)


def split_name(name: str) -> tuple[str, list[str], str]:
    """(given names, tussenvoegsels, surname) of "Jan de Vries" or "Vries, Jan de"."""
    if "," in name:
        surname, _, rest = (p.strip() for p in name.partition(","))
        words = rest.split()
        given = [w for w in words if w.casefold() not in TUSSENVOEGSELS]
        particles = [w for w in words if w.casefold() in TUSSENVOEGSELS]
        return " ".join(given), particles, surname
    words = name.split()
    if len(words) < 2:
        return "", [], " ".join(words)
    start = next((i for i, w in enumerate(words[1:], 1) if w.casefold() in TUSSENVOEGSELS),
                 len(words) - 1)
    end = start
    while end < len(words) - 1 and words[end].casefold() in TUSSENVOEGSELS:
        end += 1
    return " ".join(words[:start]), words[start:end], " ".join(words[end:])


def _codings_data(data: StudyData) -> tuple[Literals, list[str]]:
    """Confidential fragments, analysts' notes and respondent ids, from accepted and rejected
    coding rows. Notes (memos from a QDA tool) often name people: always confidential."""
    frame = data.codings.frame
    rows = [(str(r.get("respondent", "")), str(r.get("fragment", "")),
             bool(r.get("vertrouwelijk")), str(r.get("notities", "")))
            for r in frame.to_dict("records")]
    for raw in data.codings.rejected_rows:
        if "fragment" not in raw:  # an unusable table: its confidential rows cannot be known
            raise ValidationError([Problem(raw["bestand"], "codering niet leesbaar (kolom "
                                           "'fragment' ontbreekt); de privacycontrole kan niet "
                                           "worden gedaan")])
        rows.append((str(raw.get("respondent", "")), str(raw["fragment"]),
                     _maybe_confidential(str(raw.get("vertrouwelijk", ""))),
                     str(raw.get("notities", ""))))
    literals: Literals = []
    ids = [respondent for respondent, _, _, _ in rows if respondent]
    for _, fragment, confidential, notes in rows:
        if confidential:
            literals += [(RULE_CONFIDENTIAL, text) for text in _confidential_texts(fragment)]
        literals += [(RULE_CONFIDENTIAL, text) for text in _confidential_texts(notes)]
    return literals, ids


def _maybe_confidential(flag: str) -> bool:
    """Fail-closed: anything but a clear 'nee' (or empty) counts as confidential."""
    try:
        return parse_flag(flag)
    except ValueError:
        return True


def _confidential_texts(fragment: str) -> list[str]:
    """The whole fragment, and each long sentence of it (a quote may be partial)."""
    texts = [fragment] if len(fold(fragment)) >= MIN_FRAGMENT_CHARS else []
    sentences = _SENTENCE_END.split(fragment.strip())
    if len(sentences) > 1:
        texts += [s for s in sentences if len(fold(s)) >= MIN_SENTENCE_CHARS]
    return texts
