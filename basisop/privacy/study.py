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

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

Literals = list[tuple[str, str]]


def study_data(data: StudyData) -> tuple[Literals, list[str]]:
    """(rule, datum) pairs and respondent ids from the register and the codings."""
    literals, ids = _register_data(data)
    codings_literals, codings_ids = _codings_data(data)
    return literals + codings_literals, ids + codings_ids


def _register_data(data: StudyData) -> tuple[Literals, list[str]]:
    """Every personal cell of the register (accepted or not) and every id in it."""
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
        for column, value in row.values.items():
            if column == "id":
                ids.append(value)
            elif column not in REGISTER_PUBLIC_COLUMNS:
                literals += _personal_values(column, value)
    return literals, ids


def _personal_values(column: str, value: str) -> Literals:
    """The data in one register cell; a cell may hold several, separated by ';'."""
    if column in REGISTER_NAME_COLUMNS:
        rule = RULE_NAME
    elif column in REGISTER_CONTACT_COLUMNS:
        rule = RULE_CONTACT
    else:
        rule = RULE_PERSONAL
    values = []
    for part in {value, *value.split(";")}:
        key = fold(part)
        single_token = " " not in key
        if rule == RULE_NAME and single_token and len(key) < MIN_TOKEN_CHARS:
            continue
        if rule != RULE_NAME and len(key) < MIN_CONTACT_CHARS:
            continue
        values.append((rule, part))
    return values


def _codings_data(data: StudyData) -> tuple[Literals, list[str]]:
    """Confidential fragments and respondent ids, from accepted and rejected coding rows."""
    frame = data.codings.frame
    rows = [(str(r.get("respondent", "")), str(r.get("fragment", "")),
             bool(r.get("vertrouwelijk"))) for r in frame.to_dict("records")]
    for raw in data.codings.rejected_rows:
        if "fragment" not in raw:  # an unusable table: its confidential rows cannot be known
            raise ValidationError([Problem(raw["bestand"], "codering niet leesbaar (kolom "
                                           "'fragment' ontbreekt); de privacycontrole kan niet "
                                           "worden gedaan")])
        rows.append((str(raw.get("respondent", "")), str(raw["fragment"]),
                     _maybe_confidential(str(raw.get("vertrouwelijk", "")))))
    literals: Literals = []
    ids = [respondent for respondent, _, _ in rows if respondent]
    for _, fragment, confidential in rows:
        if confidential:
            literals += [(RULE_CONFIDENTIAL, text) for text in _confidential_texts(fragment)]
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
