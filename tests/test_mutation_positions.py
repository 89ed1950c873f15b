"""Reading a REFI source's selection positions (basisop/io/refi/positions.py) unit by unit:
the cases mutation testing (mutmut, docs/mutation.md) found unpinned by the archive tests in
test_refi.py. Offsets are counted by hand from the texts below."""

from __future__ import annotations

import pytest

from basisop.io.refi.positions import (
    CODE_POINTS,
    CODE_POINTS_CRLF,
    READINGS,
    UNIT_NAMES,
    UTF16,
    UTF16_CRLF,
    TextIndex,
    Vote,
    decide_unit,
    file_order,
    vote,
)

EMOJI = "Hi \U0001F600 de gemeente"  # the emoji is code point 3, UTF-16 units 3 and 4


def test_an_offset_inside_an_emojis_surrogate_pair_has_no_code_point():
    index = TextIndex(EMOJI)
    assert index.to_code_point(3, UTF16) == 3
    assert index.to_code_point(4, UTF16) is None  # between the two halves of the emoji
    assert index.to_code_point(5, UTF16) == 4


def test_an_offset_outside_the_text_has_no_code_point():
    index = TextIndex("abc")
    assert index.to_code_point(3, CODE_POINTS) == 3
    assert index.to_code_point(4, CODE_POINTS) is None
    assert index.to_code_point(-1, CODE_POINTS) is None
    assert index.span(1, 5, CODE_POINTS) is None


def test_an_empty_selection_is_a_span_and_a_reversed_one_is_not():
    index = TextIndex("abc def")
    assert index.span(4, 4, CODE_POINTS) == (4, 4)
    assert index.span(4, 3, CODE_POINTS) is None


@pytest.mark.parametrize(("offset", "boundary"), [
    (0, True), (1, False), (2, True), (3, True), (4, False), (5, True),
])
def test_word_boundaries_lie_between_words_and_at_both_ends(offset, boundary):
    assert TextIndex("ab cd").on_word_boundary(offset) is boundary


def test_a_selection_that_does_not_fit_is_not_clean():
    index = TextIndex("ab cd")
    assert index.clean((0, 2)) is True
    assert index.clean((2, 5)) is False  # starts with white space
    assert index.clean(None) is False


def test_vote_counts_clean_selections_per_reading_and_those_where_readings_differ():
    text = "Hi \U0001F600 de gemeente"
    index = TextIndex(text)
    # "Hi" lies before the emoji: every reading agrees. "de" starts at code point 5, UTF-16
    # unit 6: written in UTF-16 units, the code-point reading starts one character late.
    ballot = vote(index, [(6, 8), (0, 2)])
    assert (ballot.selections, ballot.differing) == (2, 1)
    assert ballot.clean_differing == {CODE_POINTS: 0, UTF16: 1, CODE_POINTS_CRLF: 0,
                                      UTF16_CRLF: 1}
    assert ballot.clean == {CODE_POINTS: 1, UTF16: 2, CODE_POINTS_CRLF: 1, UTF16_CRLF: 2}


def _ballot(selections: int, differing: int, clean: int, clean_differing: int,
            unit: str = UTF16) -> Vote:
    """A vote where `unit` reads `clean` selections cleanly and every other reading none."""
    return Vote(selections, differing, {u: clean if u == unit else 0 for u in READINGS},
                {u: clean_differing if u == unit else 0 for u in READINGS})


def test_a_tie_goes_to_what_the_tool_is_known_to_write_then_to_the_standard():
    tie = [_ballot(2, 2, 2, 2, UTF16), _ballot(2, 2, 2, 2, CODE_POINTS)]
    assert file_order(tie, "NVivo 12 (Windows)")[0] == UTF16
    assert file_order(tie, "ATLAS.ti 23")[0] == CODE_POINTS
    assert file_order([_ballot(2, 2, 2, 2, UTF16_CRLF)], "ATLAS.ti")[0] == UTF16_CRLF


@pytest.mark.parametrize(("selections", "clean", "differing", "clean_differing", "review"), [
    (10, 8, 5, 4, False),  # exactly the clean share, overall and where readings differ
    (10, 7, 0, 0, True),  # too few clean overall
    (10, 9, 2, 1, True),  # clean overall, but half the selections that decide are not
    (10, 10, 0, 0, False),
])
def test_a_source_is_flagged_when_its_reading_is_not_clean(selections, clean, differing,
                                                           clean_differing, review):
    unit = UTF16 if differing else CODE_POINTS  # without differing selections: the standard
    decision = decide_unit(_ballot(selections, differing, clean, clean_differing, unit),
                           READINGS)
    assert decision.unit == unit
    assert decision.review is review
    assert (decision.selections, decision.differing) == (selections, differing)
    assert decision.reason


def test_the_reason_compares_the_chosen_reading_with_every_other():
    decision = decide_unit(_ballot(4, 4, 4, 4, UTF16), READINGS)
    assert decision.unit == UTF16
    assert all(name in decision.reason for name in UNIT_NAMES.values())
    assert UNIT_NAMES[UTF16] in decision.describe()
    assert "4 van 4" in decision.describe()
    empty = decide_unit(Vote(0, 0, dict.fromkeys(READINGS, 0), dict.fromkeys(READINGS, 0)),
                        READINGS)
    assert (empty.unit, empty.review) == (CODE_POINTS, False)
    assert UNIT_NAMES[CODE_POINTS] not in empty.describe()
