"""Privacy guard behaviour that mutation testing (mutmut, docs/mutation.md) found unpinned:
exact places, each file format's reader, JSON values, register cells and rejected coding rows.
Each test builds a small guard by hand; the planted data are made up."""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from basisop.io.records import LoadResult
from basisop.privacy import (
    RULE_CONFIDENTIAL,
    RULE_CONTACT,
    RULE_EMAIL,
    RULE_NAME,
    RULE_PHONE,
    RULE_RESPONDENT,
    PrivacyGuard,
    check_paths,
)
from basisop.privacy.detectors import RULE_PERSONAL, generic_key, id_pattern
from basisop.privacy.study import name_forms, split_name, study_data
from basisop.privacy.text import Mapped, fold, fold_view, rewrite, views
from basisop.problems import ValidationError

NAME = "Jan Smit"  # short surname: matched only as a name, never alone
GUARD = PrivacyGuard(literals=[(RULE_NAME, NAME)], respondent_ids=["W-1"])


def _rules(found) -> list[str]:
    return [f.rule for f in found]


# --- places ----------------------------------------------------------------------------------

def test_the_place_counts_from_the_first_character_of_the_first_line():
    [found] = GUARD.scan_text("Dag Jan Smit", "t")
    assert found.place == "regel 1, teken 5"


def test_a_phone_number_after_other_digits_is_placed_where_it_starts():
    [found] = GUARD.scan_text("x 12 06-23456789", "t")
    assert (found.rule, found.place) == (RULE_PHONE, "regel 1, teken 6")


def test_a_country_code_and_six_digits_is_a_phone_number():
    assert _rules(GUARD.scan_text("Bel +683 4002.", "t")) == [RULE_PHONE]  # Niue: 7 digits


def test_offsets_inside_a_replaced_run_point_at_the_run():
    mapped = rewrite(Mapped("xÆÆy"), re.compile("Æ+"), lambda m: "abcdef")
    assert mapped.text == "xabcdefy"
    assert [mapped.source_offset(i) for i in range(8)] == [0, 1, 2, 2, 2, 2, 2, 3]


def test_a_stylesheet_comment_is_blanked_and_places_after_it_stay_exact():
    page = ("<html><style>/* (c) Jan Smit <jan@smit.example> */ p {}</style>\n"
            "<p>Bel 06-23456789</p></html>")
    found = GUARD.scan_text(page, "t.html")
    assert [(f.rule, f.place) for f in found] == [(RULE_PHONE, "regel 2, teken 8")]


def test_a_stylesheet_comment_inside_a_style_element_is_blanked_to_its_length():
    page = "<html><style>p {}/* (c) Jan\nSmit */ a {}</style><p>Tekst</p></html>"
    raw = views(page, html_like=True)[0]
    assert raw.text == page.replace("/* (c) Jan", " " * 10).replace("Smit */", " " * 7)


# --- the guard's rules -----------------------------------------------------------------------

def test_a_register_number_is_reported_once_as_a_register_contact():
    guard = PrivacyGuard(literals=[(RULE_CONTACT, "035-5281234")])
    assert _rules(guard.scan_text("Bel 035 528 12 34 of 035-5281234", "t")) == [
        RULE_CONTACT, RULE_CONTACT]


def test_a_reviewed_register_number_passes_in_any_spelling():
    guard = PrivacyGuard(literals=[(RULE_CONTACT, "035-5281234")], allowed=["035 528 12 34"])
    assert guard.scan_text("Bel 035/5281234.", "t") == []


def test_a_text_that_is_no_valid_number_is_allowed_as_text():
    assert generic_key(" 12345678 ") == "12345678"


def test_every_register_number_is_found():
    guard = PrivacyGuard(literals=[(RULE_CONTACT, "035-5281234"), (RULE_CONTACT, "06-23456789")])
    assert _rules(guard.scan_text("a 0355281234 b 0623456789", "t")) == [RULE_CONTACT] * 2


def test_a_respondent_id_inside_markup_is_found():
    found = GUARD.scan_text('<html><p data-r="W-1">Tekst</p></html>', "t.html")
    assert _rules(found) == [RULE_RESPONDENT]


def test_blank_respondent_ids_are_no_ids():
    assert id_pattern([" ", ""]) is None
    assert id_pattern(["W-1", " "]).pattern.count("|") == 0
    assert "1 respondent-id's" in PrivacyGuard(respondent_ids=["W-1", " "]).describe()


def test_describe_counts_the_data_per_rule_never_shows_them():
    guard = PrivacyGuard(literals=[(RULE_NAME, "Jan Smit"), (RULE_NAME, "Piet Bos"),
                                   (RULE_CONTACT, "Dorpsstraat 1")],
                         respondent_ids=["W-1", "W-2", "W-3"])
    text = guard.describe()
    assert text.startswith(f"1× {RULE_CONTACT}, 2× {RULE_NAME}, 3 respondent-id's")
    assert "e-mailadressen" in text and "telefoonnummers" in text
    assert "Smit" not in text
    assert "respondent-id" not in PrivacyGuard().describe()


def test_a_datum_that_starts_with_a_quote_is_found_beside_ordinary_ones():
    quote = '"Wij weten het niet zeker", zei hij tegen de wijkagent.'
    guard = PrivacyGuard(literals=[(RULE_CONFIDENTIAL, quote), (RULE_NAME, NAME)])
    assert _rules(guard.scan_text(f"Citaat: {quote} En Jan Smit.", "t")) == [
        RULE_CONFIDENTIAL, RULE_NAME]


def test_a_datum_ending_in_punctuation_is_found_before_a_letter():
    fragment = "Hij wil niet dat de gemeente dit deelt."
    guard = PrivacyGuard(literals=[(RULE_CONFIDENTIAL, fragment)])
    assert _rules(guard.scan_text(f"{fragment}Daarna", "t")) == [RULE_CONFIDENTIAL]


# --- files -----------------------------------------------------------------------------------

def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
    return path


def test_check_paths_reports_every_file_it_is_given(tmp_path):
    first = _write(tmp_path, "a.txt", "Jan Smit")
    second = _write(tmp_path, "b.txt", "Bel 06-23456789")
    found = check_paths([first, second], GUARD)
    assert [(f.file, f.rule) for f in found] == [(str(first), RULE_NAME), (str(second),
                                                                           RULE_PHONE)]


def test_utf16_files_with_a_byte_order_mark_are_text(tmp_path):
    for name, encoding in (("le.txt", "utf-16-le"), ("be.txt", "utf-16-be")):
        bom = "\ufeff".encode(encoding)
        path = _write(tmp_path, name, bom + "Dag Jan Smit".encode(encoding))
        assert _rules(GUARD.scan_file(path)) == [RULE_NAME], name


def test_a_nul_byte_after_the_first_8_kib_does_not_make_a_file_binary(tmp_path):
    path = _write(tmp_path, "log.txt", b"a" * 8192 + b"\x00 Jan Smit")
    assert _rules(GUARD.scan_file(path)) == [RULE_NAME]


def test_a_plain_text_file_is_read_as_written_and_one_with_html_as_a_page(tmp_path):
    # In plain text, angle brackets are text: a number inside them is a number.
    plain = _write(tmp_path, "notes.txt", "Bel <tel 06-23456789>")
    assert _rules(GUARD.scan_file(plain)) == [RULE_PHONE]
    page = _write(tmp_path, "page.txt", "<p>Jan <b>Smit</b></p>")
    assert _rules(GUARD.scan_file(page)) == [RULE_NAME]
    fragment = _write(tmp_path, "fragment.html", "Jan <b>Smit</b>")  # no page-level tags
    assert _rules(GUARD.scan_file(fragment)) == [RULE_NAME]


def _json(tmp_path: Path, document: object) -> Path:
    return _write(tmp_path, "doc.json", json.dumps(document))  # ensure_ascii: \u escapes


def test_json_values_found_only_decoded_are_placed_by_path_and_character(tmp_path):
    # "Smît" is escaped in the file (\u00ee): only the decoded value shows the name.
    path = _json(tmp_path, {"a": "Jan Smît", "b": "Bij Jan Smît", "c": ["x", 1]})
    found = GUARD.scan_file(path)
    assert [(f.file, f.place) for f in found] == [(str(path), "JSON-pad /a, teken 1"),
                                                  (str(path), "JSON-pad /b, teken 5")]
    assert _rules(GUARD.scan_file(_json(tmp_path, "Jan Smît"))) == [RULE_NAME]
    assert GUARD.scan_file(_json(tmp_path, "Jan Smît"))[0].place == "JSON-pad /, teken 1"


def test_json_values_after_raw_hits_of_the_same_rule_are_still_found(tmp_path):
    # Each second datum is escaped in the file (\u0040 = @, \u002d = -): found only decoded.
    path = _write(tmp_path, "doc.json", '{"a": "x@voorbeeld.nl W-1 06-23456789", '
                  '"b": "y\\u0040voorbeeld.nl", "c": "W\\u002d2", "d": "06\\u002d12345678"}')
    guard = PrivacyGuard(respondent_ids=["W-1", "W-2"])
    found = guard.scan_file(path)
    assert sorted(_rules(found)) == sorted([RULE_EMAIL, RULE_RESPONDENT, RULE_PHONE,
                                            RULE_EMAIL, RULE_RESPONDENT, RULE_PHONE])


def test_a_notebooks_html_output_is_read_as_a_page(tmp_path):
    path = _json(tmp_path, {"outputs": [{"data": {"image/png": "iVBORw0KGgo",
                                                  "text/html": "<p>Jan <b>Smît</b></p>"}}]})
    assert _rules(GUARD.scan_file(path)) == [RULE_NAME]


def test_json_keys_are_named_only_when_short_plain_and_clean(tmp_path):
    guard = PrivacyGuard(literals=[(RULE_NAME, "Vermeulen"), (RULE_NAME, NAME)])
    path = _write(tmp_path, "doc.json", '{"ok": "06\\u002d23456781", '
                  '"Vermeulen": "06\\u002d23456789", "een sleutel met spaties": '
                  '"06\\u002d23456780", "Jan Sm\\u00eet": "x"}')
    places = [f.place for f in guard.scan_file(path)]
    assert "JSON-pad /ok, teken 1" in places
    assert "JSON-pad /<sleutel 2>, teken 1" in places  # the key holds a name
    assert "JSON-pad /<sleutel 3>, teken 1" in places  # not a short plain word
    assert any(p.startswith("JSON-pad /<sleutel 4>") for p in places)
    assert not any("Vermeulen" in p or "spaties" in p or "Sm" in p for p in places)


def _zip(tmp_path: Path, name: str, members: dict[str, str]) -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in members.items():
            archive.writestr(member, text)
    return path


def test_every_xml_part_of_an_office_file_is_read_as_markup(tmp_path):
    path = _zip(tmp_path, "rapport.docx", {
        "word/document.xml": "<w:p><w:r><w:t>Jan </w:t></w:r><w:r><w:t>Smit</w:t></w:r></w:p>",
        "word/_rels/document.xml.rels": '<Relationship Target="mailto:x@voorbeeld.nl"/>',
        "word/drawing.vml": "<v:textbox>Bel 06-23456789</v:textbox>",
    })
    found = GUARD.scan_file(path)
    assert sorted(_rules(found)) == sorted([RULE_NAME, RULE_EMAIL, RULE_PHONE])
    assert {f.file for f in found} == {str(path)}


# --- what a study guards ---------------------------------------------------------------------

def _study(embedded, frame: pd.DataFrame, rejected: list[dict]):
    return replace(embedded, codings=LoadResult(frame, rejected_rows=rejected))


SECRET = "De imam maakt zich al maanden zorgen over een groep jongeren."


def test_rejected_rows_guard_their_ids_and_notes_and_a_doubtful_flag(embedded):
    frame = pd.DataFrame({"fragment": ["Openbaar."], "vertrouwelijk": [False]})
    rejected = [
        {"bestand": "c.csv", "respondent": "Z-9", "fragment": SECRET, "vertrouwelijk": "jawel",
         "notities": "Gesproken met de wijkagent over de moskee."},
        {"bestand": "c.csv", "fragment": "Een openbaar en lang genoeg fragment.",
         "vertrouwelijk": "nee"},
        {"bestand": "c.csv", "fragment": "Nog een openbaar en lang genoeg fragment."},
    ]
    literals, ids = study_data(_study(embedded, frame, rejected))
    confidential = {text for rule, text in literals if rule == RULE_CONFIDENTIAL}
    assert confidential == {SECRET, "Gesproken met de wijkagent over de moskee."}
    assert "Z-9" in ids
    assert not {"None", "XXXX", ""} & set(ids)


def test_confidential_fragments_from_15_characters_and_sentences_from_40(embedded):
    sentence = "Hij wil niet dat de gemeente dit deelt."  # 39 characters
    long_sentence = "Hij wil niet dat de gemeente dit nu deelt."  # 42
    frame = pd.DataFrame({"respondent": ["W-1"] * 4, "vertrouwelijk": [True] * 4,
                          "notities": [""] * 4,
                          "fragment": ["Vijftien tekens", "Veertien teken", f"Ja. {sentence}",
                                       f"Ja. {long_sentence}"]})
    literals, _ = study_data(_study(embedded, frame, []))
    confidential = [text for rule, text in literals if rule == RULE_CONFIDENTIAL]
    assert sorted(confidential) == sorted(["Vijftien tekens", f"Ja. {sentence}",
                                           f"Ja. {long_sentence}", long_sentence])


def test_each_part_of_a_register_cell_is_a_contact_from_five_characters(study_copy):
    from basisop.io.dataset import load_study_data
    from basisop.io.study import load_study

    register = study_copy.parent.parent / "data" / "gooi-en-vechtstreek-2024" / "respondenten.csv"
    frame = pd.read_csv(register, dtype=str, keep_default_na=False)
    frame.loc[0, "contact"] = "Laan 1;Weg 2"
    frame.to_csv(register, index=False)
    guard = PrivacyGuard.for_study(load_study_data(load_study(study_copy)))
    assert _rules(guard.scan_text("Adres: Weg 2.", "t")) == [RULE_CONTACT]


def test_a_file_over_the_size_cap_is_not_read_and_cannot_pass(tmp_path, monkeypatch):
    from basisop.io.paths import MAX_INPUT_MB_SETTING
    from basisop.privacy import RULE_UNCHECKABLE

    path = _write(tmp_path, "groot.txt", "x" * (2**20 + 1))
    monkeypatch.setenv(MAX_INPUT_MB_SETTING, "1")
    assert _rules(GUARD.scan_file(path)) == [RULE_UNCHECKABLE]


def test_a_json_hit_names_the_file_and_the_json_path(tmp_path):
    path = _json(tmp_path, {"a": "Jan Smit"})
    assert [(f.file, f.rule, f.place) for f in GUARD.scan_file(path)] == [
        (str(path), RULE_NAME, "JSON-pad /a, teken 1")]


def test_json_numbers_svg_and_repeated_keys_are_read(tmp_path):
    # Everything that can carry text is read: a number as written, an SVG image (text, not
    # base64), both values of a key given twice; a base64 image is not text.
    for document in ('{"n": 31612345678}',
                     '{"data": {"image/svg+xml": "<svg><text>Jan Smit</text></svg>"}}',
                     '{"a": "Jan Smit", "a": "niets"}'):
        path = _write(tmp_path, "doc.json", document)
        assert GUARD.scan_file(path), document
    path = _write(tmp_path, "doc.json", '{"data": {"image/png": "Jan Smit"}, "n": [6, 12]}')
    assert GUARD.scan_file(path) == []


def test_a_pdf_finding_names_the_pdf(tmp_path):
    from test_privacy import _pdf

    path = _pdf(tmp_path / "lek.pdf", "Volgens Jan Smit is het zo.")
    assert [(f.file, f.rule) for f in GUARD.scan_file(path)] == [(str(path), RULE_NAME)]


def test_a_study_guard_lets_reviewed_exceptions_pass_and_says_what_weakens_it(embedded):
    from basisop.model import Exemption
    from basisop.privacy.guard import NO_REGISTER

    study = replace(embedded.study, respondenten=None,
                    toegestaan=(Exemption("06-23456789", "publiek nummer van de helpdesk"),))
    guard = PrivacyGuard.for_study(replace(embedded, study=study))
    assert guard.scan_text("Bel 06-23456789.", "t") == []
    assert guard.warnings[0] == NO_REGISTER
    assert len(guard.warnings) == 2 and "publiek nummer van de helpdesk" in guard.warnings[1]
    with_register = PrivacyGuard.for_study(embedded)
    assert NO_REGISTER not in with_register.warnings


def test_fold_drops_invisible_characters_and_expands_letters_with_traceable_places():
    # A soft hyphen hides a name from a plain comparison; "ß" and the "ﬁ" ligature fold to two
    # letters. Each folded letter still points back to the character it came from.
    assert fold("Jan\u00adSen") == "jansen"
    assert fold("Straße") == "strasse"
    assert fold("ﬁne") == "fine"
    view = fold_view(Mapped("aßb\u00adc"))
    assert view.text == "assbc"
    assert [view.source_offset(i) for i in range(len(view.text))] == [0, 1, 1, 2, 4]


# --- what a study guards, without loading one (fast: mutation testing runs these first) -------

def _data(register: Path | None, frame: pd.DataFrame | None = None, rejected=()):
    """Just what study_data reads of a StudyData: the register's path and the codings."""
    from types import SimpleNamespace

    codings = LoadResult(frame if frame is not None else pd.DataFrame(), rejected_rows=[
        *rejected])
    return SimpleNamespace(study=SimpleNamespace(respondenten=register), codings=codings)


def test_name_forms_are_the_spellings_writers_use_whichever_way_the_register_writes_it():
    expected = ["J de Vries", "J. de Vries", "Jan de Vries", "Vries, J.", "Vries, Jan de",
                "de Vries"]
    assert name_forms("Vries, Jan de") == expected
    assert name_forms("  Jan   de Vries ") == expected


def test_name_forms_keep_every_tussenvoegsel_in_the_register_order():
    assert "Berg, Jan van der" in name_forms("Jan van der Berg")
    assert "van der Berg" in name_forms("Jan van der Berg")


def test_name_forms_of_several_given_names_use_the_first_initial_and_all_initials():
    assert name_forms("Anna Maria Jansen") == [
        "A Jansen", "A. Jansen", "A.M. Jansen", "Anna Maria Jansen", "Jansen, A.",
        "Jansen, A.M.", "Jansen, Anna Maria"]


@pytest.mark.parametrize(("name", "alone"), [
    ("Piet Dijkstra", True), ("Piet Kuipers", False), ("Piet Ek-Bos", True),
    ("Piet van Dam", True)])
def test_a_surname_is_matched_alone_when_long_double_or_with_a_tussenvoegsel(name, alone):
    tail = name.split(" ", 1)[1]
    assert (tail in name_forms(name)) is alone


@pytest.mark.parametrize(("name", "forms"), [
    ("Bert", ["Bert"]), ("Ali", ["Ali"]), ("Al", []), ("", [])])
def test_a_one_word_name_is_matched_alone_from_three_letters(name, forms):
    assert name_forms(name) == forms


@pytest.mark.parametrize(("name", "parts"), [
    ("Jan van der Berg", ("Jan", ["van", "der"], "Berg")),
    ("Jan Peter van Dam", ("Jan Peter", ["van"], "Dam")),
    ("Jan De Vries", ("Jan", ["De"], "Vries")),
    ("Berg, Jan van der", ("Jan", ["van", "der"], "Berg")),
    ("Berg, Jan Van", ("Jan", ["Van"], "Berg")),
    ("Berg, Anna Maria van", ("Anna Maria", ["van"], "Berg")),
    ("Jan van Berg Smit", ("Jan", ["van"], "Berg Smit")),
    ("Jan de", ("Jan", [], "de")),  # the last word is always the surname
    ("Van Dam", ("Van", [], "Dam")),  # a first word is a given name, even a particle's
    ("Jan", ("", [], "Jan"))])
def test_split_name_finds_given_names_tussenvoegsels_and_surname(name, parts):
    assert split_name(name) == parts


def test_the_register_gives_every_id_its_names_and_personal_cells_but_no_public_ones(tmp_path):
    register = tmp_path / "respondenten.csv"
    register.write_text(
        "id,eenheid,rol,organisatie,soort,titel,naam,voornaam,tussenvoegsel,achternaam,"
        "contact,geboortedatum\n"
        "W-R1,W,wethouder,Gemeente Wijdemeren,interview,,Bert; Ria Kuipers,,,,"
        "bert@example.nl;Weg 1,01-02-1970\n"
        "W-R2,W,,,interview,,,Karel,van,Dam,,\n", encoding="utf-8")
    literals, ids = study_data(_data(register))
    assert ids == ["W-R1", "W-R2"]
    assert (RULE_CONTACT, "bert@example.nl;Weg 1") in literals
    assert (RULE_CONTACT, "bert@example.nl") in literals
    assert (RULE_CONTACT, "Weg 1") in literals
    assert (RULE_PERSONAL, "01-02-1970") in literals
    names = {text for rule, text in literals if rule == RULE_NAME}
    assert {"Bert", "Ria Kuipers", "Kuipers, R.", "Karel van Dam", "van Dam"} <= names
    everything = {text for _, text in literals}
    assert not {"wethouder", "Gemeente Wijdemeren", "interview", "W", "Karel"} & everything


def test_register_cells_shorter_than_five_characters_are_not_data(tmp_path):
    register = tmp_path / "respondenten.csv"
    register.write_text("id,eenheid,rol,contact\nW-R1,W,,12345;1234\n", encoding="utf-8")
    literals, _ = study_data(_data(register))
    assert sorted(literals) == [(RULE_CONTACT, "12345"), (RULE_CONTACT, "12345;1234")]


def test_a_study_without_a_register_guards_its_codings_only():
    frame = pd.DataFrame({"respondent": ["W-1", ""], "fragment": ["Openbaar.", "Ook."],
                          "vertrouwelijk": [False, False], "notities": ["", ""]})
    assert study_data(_data(None, frame)) == ([], ["W-1"])


def test_an_unreadable_register_stops_the_check(tmp_path):
    with pytest.raises(ValidationError):
        study_data(_data(tmp_path / "weg.csv"))


def test_coding_rows_without_the_optional_columns_guard_nothing_but_what_they_have():
    frame = pd.DataFrame({"fragment": [SECRET]})
    assert study_data(_data(None, frame)) == ([], [])
    rejected = [{"bestand": "c.csv", "rij": 2, "fragment": SECRET}]
    assert study_data(_data(None, rejected=rejected)) == ([], [])


def test_a_rejected_row_is_confidential_unless_its_flag_clearly_says_no():
    flags = {"ja": True, "jawel": True, "?": True, "nee": False, "": False, "0": False}
    for flag, confidential in flags.items():
        rejected = [{"bestand": "c.csv", "fragment": SECRET, "vertrouwelijk": flag}]
        literals, _ = study_data(_data(None, rejected=rejected))
        assert (literals == [(RULE_CONFIDENTIAL, SECRET)]) is confidential, flag


def test_a_coding_table_without_fragments_stops_the_check():
    with pytest.raises(ValidationError):
        study_data(_data(None, rejected=[{"bestand": "c.csv", "rij": 2, "respondent": "W-1"}]))


def test_a_sentence_of_forty_characters_is_matched_alone_and_a_single_one_once():
    sentence = "Hij wil echt niet dat de gemeente dit ziet."[:40]
    assert len(fold(sentence)) == 40
    frame = pd.DataFrame({"respondent": ["W-1", "W-1"], "fragment": [f"Ja. {sentence}", sentence],
                          "vertrouwelijk": [True, True], "notities": ["", ""]})
    literals, _ = study_data(_data(None, frame))
    assert literals == [(RULE_CONFIDENTIAL, f"Ja. {sentence}"), (RULE_CONFIDENTIAL, sentence),
                        (RULE_CONFIDENTIAL, sentence)]  # the second row's whole fragment


def test_a_json_file_that_is_no_json_or_too_deep_is_read_as_plain_text(tmp_path):
    from basisop.privacy import RULE_UNCHECKABLE

    plain = _write(tmp_path, "a.json", "geen json: Jan Smit")
    assert [(f.file, f.rule, f.place) for f in GUARD.scan_file(plain)] == [
        (str(plain), RULE_NAME, "regel 1, teken 12")]
    deep = _write(tmp_path, "b.json", "[" * 100_000 + '"Jan Smit"' + "]" * 100_000)
    assert [(f.file, f.rule) for f in GUARD.scan_file(deep)] == [
        (str(deep), RULE_NAME), (str(deep), RULE_UNCHECKABLE)]


def test_a_json_key_holding_a_datum_is_placed_by_its_number_not_named(tmp_path):
    path = _write(tmp_path, "c.json", '{"x": 1, "Jan Smit": {"a": "Bel 06-23456789"}}')
    assert [f.place for f in GUARD.scan_file(path)] == [
        "JSON-pad /<sleutel 2>, teken 1", "JSON-pad /<sleutel 2>/a, teken 5"]


def test_a_notebooks_source_lines_are_read_as_one_text(tmp_path):
    path = _write(tmp_path, "d.json", '{"source": ["Dag Jan ", "Smit."]}')
    assert [f.place for f in GUARD.scan_file(path)] == ["JSON-pad /source, teken 5"]


def test_a_json_number_with_a_fraction_is_read_as_written(tmp_path):
    path = _write(tmp_path, "f.json", '{"n": 31612345678.5}')
    assert [(f.rule, f.place) for f in GUARD.scan_file(path)] == [
        (RULE_PHONE, "JSON-pad /n, teken 1")]
