"""The privacy guard finds every kind of personal or confidential datum, says where, never what."""

from __future__ import annotations

import base64
import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from basisop.cli import main
from basisop.io.dataset import load_study_data
from basisop.io.study import load_study
from basisop.io.tables import write_xlsx
from basisop.privacy import (
    RULE_CONFIDENTIAL,
    RULE_CONTACT,
    RULE_EMAIL,
    RULE_NAME,
    RULE_PERSONAL,
    RULE_PHONE,
    RULE_RESPONDENT,
    RULE_UNCHECKABLE,
    Finding,
    PrivacyGuard,
    check_paths,
)
from basisop.problems import ValidationError

NAME = "Annemieke van Dijk-Öztürk"
SHORT_NAME = "Ozturk"  # a one-word name of a second respondent
PHONE = "06-23456789"
EMAIL = "a.vandijk@gemeente-voorbeeld.nl"
ADDRESS = "Dorpsstraat 12, Loosdrecht"
CONFIDENTIAL = ("Wij weten dat de imam van de moskee aan de Havenweg zich zorgen maakt over "
                "een groep jongeren. Hij wil niet dat de gemeente dit met de politie deelt.")
SECOND_SENTENCE = "Hij wil niet dat de gemeente dit met de politie deelt."
# Every form in which a datum might leak into a message.
SECRETS = [NAME, "Dijk-Öztürk", "Ozturk", "Öztürk", PHONE, "23456789", EMAIL, "Dorpsstraat",
           "Havenweg", "politie deelt", "W-R1", "Hi-R2", "+31 6 3456 7890", "34567890",
           "info@voorbeeld.nl"]


def plant(study: Path) -> None:
    """Give the study copy a register with names and contacts, and a confidential fragment."""
    folder = study.parent.parent / "data" / "gooi-en-vechtstreek-2024"
    register = folder / "respondenten.csv"
    with register.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    personal = {"W-R1": (NAME, ADDRESS, EMAIL, PHONE), "Hi-R2": (SHORT_NAME, "", "", "")}
    for row in rows:
        naam, contact, email, telefoon = personal.get(row["id"], ("", "", "", ""))
        row.update(naam=naam, contact=contact, email=email, telefoon=telefoon)
    with register.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with (folder / "codering-wijdemeren.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(["W", "W-R1", "", "informatiepositie", "", "rood",
                                     CONFIDENTIAL, "interview 3", "ja"])


@pytest.fixture
def planted(study_copy: Path) -> Path:
    plant(study_copy)
    return study_copy


@pytest.fixture
def guard(planted: Path) -> PrivacyGuard:
    return PrivacyGuard.for_study(load_study_data(load_study(planted)))


def chapter(body: str) -> str:
    """A chapter-like HTML page with `body` on line 6."""
    return ("<!DOCTYPE html>\n<html>\n<head><title>Hoofdstuk Wijdemeren</title>\n"
            "<style>td { color: #000000; }</style></head>\n<body>\n"
            f"{body}\n"
            "<p>Een respondent geeft aan dat er in 2024 17 subthema's zijn beoordeeld.</p>\n"
            "</body>\n</html>\n")


def check(path: Path, study: Path, capsys) -> tuple[int, str]:
    code = main(["check-privacy", str(path), "--study", str(study)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def assert_no_secret(text: str) -> None:
    lowered = text.casefold()
    for secret in SECRETS + [CONFIDENTIAL, SECOND_SENTENCE]:
        assert secret.casefold() not in lowered, f"message leaks {secret!r}"


def test_planted_study_is_valid(planted):
    data = load_study_data(load_study(planted))
    assert data.ok, [str(p) for p in data.problems if p.is_error]
    assert data.codings.frame["vertrouwelijk"].sum() == 1


# -- each rule finds its datum in a planted HTML file, via the command ----------------------------

PLANTED = [
    (RULE_NAME, f"<p>Volgens {NAME} gaat het goed.</p>"),
    (RULE_NAME, "<p>Volgens Annemieke&nbsp;van   Dijk-&Ouml;zt&uuml;rk gaat het goed.</p>"),
    (RULE_NAME, "<p>Volgens ANNEMIEKE <b>van</b>\nDIJK-OZT<span>URK</span> gaat het goed.</p>"),
    (RULE_NAME, "<td>Ozturk</td>"),
    (RULE_CONTACT, "<p>Adres: dorpsstraat 12,  Loosdrecht</p>"),
    (RULE_CONTACT, f"<p>Mail {EMAIL}</p>"),
    (RULE_EMAIL, "<p>Vragen: info@voorbeeld.nl</p>"),
    (RULE_PHONE, "<p>Bel +31 6 3456 7890.</p>"),
    (RULE_CONTACT, f"<p>Bel {PHONE}.</p>"),
    (RULE_CONTACT, "<p>Bel 06 - 23 45 67 89.</p>"),  # the register's number in other spelling
    (RULE_CONTACT, "<p>Bel +31 (0)6 2345&nbsp;6789.</p>"),
    (RULE_CONFIDENTIAL, "<blockquote>" + CONFIDENTIAL.replace(" zich ", "\n  zich ")
     + "</blockquote>"),
    (RULE_CONFIDENTIAL, f"<p>&ldquo;{SECOND_SENTENCE}&rdquo;</p>"),
    (RULE_CONFIDENTIAL, "<p>" + CONFIDENTIAL.replace("moskee", "<em>moskee</em>") + "</p>"),
    (RULE_RESPONDENT, "<p>Respondent W-R1 geeft aan dat het goed gaat.</p>"),
    (RULE_RESPONDENT, "<table><tr><td>Hi-R2</td></tr></table>"),
]


@pytest.mark.parametrize(("rule", "body"), PLANTED)
def test_check_privacy_finds_each_rule(planted, tmp_path, capsys, rule, body):
    report = tmp_path / "reports" / "wijdemeren.html"
    report.parent.mkdir()
    report.write_text(chapter(body), encoding="utf-8")
    code, output = check(report, planted, capsys)
    assert code == 1
    lines = [line for line in output.splitlines() if line.startswith("privacy:")]
    assert any(str(report) in line and rule in line and "regel 6, teken " in line
               for line in lines), output
    assert_no_secret(output)


def test_place_is_exact(guard):
    text = "eerste regel\n\n   bel 06 2345 6788 of mail\n"
    assert guard.scan_text(text, "x.txt") == [
        Finding("x.txt", RULE_PHONE, "regel 3, teken 8")]


def test_place_after_stripped_markup_points_into_the_source(guard):
    text = "<p>a</p>\n<p><b>x</b> &amp; Annemieke&nbsp;van Dijk-&Ouml;zt&uuml;rk</p>"
    findings = guard.scan_text(text, "x.html")
    assert [(f.rule, f.place) for f in findings] == [(RULE_NAME, "regel 2, teken 19")]


def test_clean_file_passes(planted, tmp_path, capsys):
    report = tmp_path / "schoon.html"
    report.write_text(chapter("<p>Een respondent geeft aan dat het netwerk op orde is "
                              "(art. 5.1.2.e; 12-12-2024, r. 2306).</p>"), encoding="utf-8")
    code, output = check(report, planted, capsys)
    assert code == 0, output
    assert "Geen persoonsgegevens" in output


def test_messages_never_contain_the_datum(guard):
    text = "\n".join(body for _, body in PLANTED)
    findings = guard.scan_text(chapter(text), "alles.html")
    assert {f.rule for f in findings} == {RULE_NAME, RULE_CONTACT, RULE_EMAIL, RULE_PHONE,
                                          RULE_CONFIDENTIAL, RULE_RESPONDENT}
    assert_no_secret("\n".join(str(f) for f in findings))
    assert all(f.file == "alles.html" and f.place.startswith("regel ") for f in findings)


def test_only_one_finding_per_datum_and_place(guard):
    findings = guard.scan_text(chapter(f"<p>{NAME}</p>"), "x.html")
    assert findings == [Finding("x.html", RULE_NAME, "regel 6, teken 4")]


# -- rules in detail ------------------------------------------------------------------------------

@pytest.mark.parametrize("number", [
    "06-12345678", "06 1234 5678", "0612345678", "06 12 34 56 78", "+31 6 12345678",
    "+31612345678", "0031 6 12345678", "+31 (0)6 12345678", "020-1234567", "035 123 4567",
    "(035) 123 4567", "0294-123456", "+31 20 123 4567", "tel:0351234567",
    "06 - 12345678", "06 - 12 34 56 78", "06.12.34.56.78", "06/12345678", "035 - 528 12 34",
    "035/5281234", "0900-8844", "+44 20 7946 0958", "+49 30 12345678", "0049 30 12345678"])
def test_phone_numbers_are_found(number):
    findings = PrivacyGuard.generic().scan_text(f"Bel {number} voor vragen.", "t.txt")
    assert [f.rule for f in findings] == [RULE_PHONE], number


@pytest.mark.parametrize("text", [
    "In 2024 en 2025", "op 12-12-2024", "op 01-12-2024 12:30", "2024-12-12 10:00",
    "art. 5.1.2.e en 5.1.2.f, 4.1.4", "17 subthema's, 5 eenheden, 300 fragmenten",
    "r. 2306-2310", "0 1 2 3 4 5 6 7 8 9", "06-1234567", "061234567890", "1234 AB Hilversum",
    "versie 0.1.0", "#0000000000", "0,0612345678", "kosten € 1.234.567,00", "2.040 uur",
    "schooljaar 2025-2026", "2024/2025 en 2025-2026", "r. 1004-2040, 3026-3063",
    "tabel: 0  6  12  34  56  78",
    # digits inside a hash (the run's fingerprints file): part of a token, not a number
    '{"gegevens": "0612345678ab9f3c"}', "sha256 9c0351234567e1"])
def test_numbers_that_are_no_phone_numbers(text):
    assert PrivacyGuard.generic().scan_text(text, "t.txt") == []


@pytest.mark.parametrize("text", [
    "5.1.2.e@hilversum.nl", "E: 5.1.2.e @wijdmeren.nl", "<5.1.2.e@huizen.nl>",
    "@media print {}", "pakket@1.2.3", "mailto:", "info at voorbeeld punt nl"])
def test_no_email_false_positives(text):
    assert PrivacyGuard.generic().scan_text(text, "t.txt") == []


@pytest.mark.parametrize("text", ["info@voorbeeld.nl", "Jan.de-Vries+oov@sub.gemeente.nl",
                                  "<a href='mailto:x@y.nl'>mail</a>"])
def test_emails_are_found(text):
    assert [f.rule for f in PrivacyGuard.generic().scan_text(text, "t.txt")] == [RULE_EMAIL]


def test_phone_rule_reads_the_page_text_not_its_css_or_figures():
    page = chapter('<style>.kader { --breedte: 0201234567; }</style>'
                   '<svg><path d="M 0612345678 L 0351234567"/></svg><p>Schooljaar 2025-2026.</p>')
    assert PrivacyGuard.generic().scan_text(page, "h.html") == []
    shown = page.replace("Schooljaar", "Bel 035/5281234, schooljaar")
    assert [f.rule for f in PrivacyGuard.generic().scan_text(shown, "h.html")] == [RULE_PHONE]


def test_allowed_addresses_pass_only_when_listed():
    text = "Helpdesk: info@voorbeeld.nl of 035 123 4567"
    assert len(PrivacyGuard.generic().scan_text(text, "t.txt")) == 2
    allowed = PrivacyGuard(allowed=["INFO@voorbeeld.nl", "035-1234567"])
    assert allowed.scan_text(text, "t.txt") == []


def test_respondent_ids_match_whole_ids_only(guard):
    assert guard.scan_text("W-R12, DW-R1, W-R1x, B/L-G, w-r12", "t.txt") == []
    assert [f.rule for f in guard.scan_text("(W-R1)", "t.txt")] == [RULE_RESPONDENT]


def test_respondent_ids_in_other_case_are_found_in_the_reader_text_only(guard):
    assert [f.rule for f in guard.scan_text("respondent w-r1 zegt", "t.txt")] == [
        RULE_RESPONDENT]
    assert [f.rule for f in guard.scan_text(chapter("<p>Hi-r2 zegt</p>"), "h.html")] == [
        RULE_RESPONDENT]
    minified = chapter("<script>var a=w-r1;</script><p>Een respondent</p>")
    assert guard.scan_text(minified, "h.html") == []


# -- names as registers and writers spell them ------------------------------------------------

REGISTERED = [(RULE_NAME, "Vries, Jan de"), (RULE_NAME, "Jan Peter Jansen"),
              (RULE_NAME, NAME), (RULE_NAME, "Piet Groen"), (RULE_NAME, "Sanne de Wit"),
              (RULE_NAME, "Kees van Huizen"), (RULE_NAME, "Bram Timmermans")]


def name_guard(allowed=()) -> PrivacyGuard:
    from basisop.privacy.study import name_forms

    literals = [(rule, form) for rule, name in REGISTERED for form in name_forms(name)]
    return PrivacyGuard(literals=literals, allowed=allowed)


@pytest.mark.parametrize("text", [
    "Jan de Vries", "J. de Vries", "J.de Vries", "Vries, Jan de", "Vries, J.", "De Vries zegt",
    "J. Jansen", "J.P. Jansen", "Jansen, J.", "Jansen, Jan Peter", "Jan Peter Jan-\nsen",
    "mevrouw Van Dijk-Öztürk", "Annemieke van Dijk-\nÖztürk", "Timmermans",
    "J\u0430n de Vri\u0435s", "ＪＡＮ ＤＥ ＶＲＩＥＳ", "S. de Wit", "de Wit", "P. Groen"])
def test_registered_names_are_found_as_writers_spell_them(text):
    findings = name_guard().scan_text(f"Volgens {text} is het netwerk op orde.", "t.txt")
    assert [f.rule for f in findings][:1] == [RULE_NAME], text


@pytest.mark.parametrize("text", [
    "Het subthema staat op groen.", "Groen: basis op orde; Jan en Piet", "Jansen zegt",
    "de witte vlek", "Wit en zwart", "Jan-\nnie", "Huizen en Laren"])
def test_what_name_rules_let_pass(text):
    """First names alone and short surnames without tussenvoegsel pass (README: their cost)."""
    assert name_guard().scan_text(text, "t.txt") == []


def test_reviewed_exception_lets_only_that_text_pass():
    text = "Het college van Huizen besluit."
    assert [f.rule for f in name_guard().scan_text(text, "t.txt")] == [RULE_NAME]
    allowed = name_guard(allowed=["van Huizen"])
    assert allowed.scan_text(text, "t.txt") == []
    assert [f.rule for f in allowed.scan_text("K. van Huizen zegt", "t.txt")] == [RULE_NAME]
    assert [f.rule for f in allowed.scan_text("Kees van Huizen", "t.txt")] == [RULE_NAME]


def test_exceptions_never_let_confidential_text_or_ids_pass(guard):
    exempt = PrivacyGuard(literals=[(RULE_CONFIDENTIAL, CONFIDENTIAL)], respondent_ids=["W-R1"],
                          allowed=[CONFIDENTIAL, "W-R1"])
    assert {f.rule for f in exempt.scan_text(f"{CONFIDENTIAL} W-R1", "t.txt")} == {
        RULE_CONFIDENTIAL, RULE_RESPONDENT}


def test_short_one_word_names_are_ignored_full_names_not():
    guard = PrivacyGuard(literals=[(RULE_NAME, "Li"), (RULE_NAME, "Li Wu"),
                                   (RULE_NAME, "Bas")])
    assert guard.scan_text("Limburg, lid, Basis", "t.txt") == []
    assert [f.rule for f in guard.scan_text("li  wu en bas", "t.txt")] == [RULE_NAME, RULE_NAME]


def test_confidential_sentence_alone_is_found_short_one_not(guard):
    assert [f.rule for f in guard.scan_text(SECOND_SENTENCE.upper(), "t.txt")] == [
        RULE_CONFIDENTIAL]
    assert guard.scan_text("Hij wil niet dat de gemeente dit deelt.", "t.txt") == []


def test_rejected_confidential_row_is_still_guarded(study_copy):
    folder = study_copy.parent.parent / "data" / "gooi-en-vechtstreek-2024"
    with (folder / "codering-huizen.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(["Hu", "Hu-R1", "", "onbekend subthema", "", "rood",
                                     CONFIDENTIAL, "", "ja"])
    data = load_study_data(load_study(study_copy))
    assert data.codings.rejected == 1
    guard = PrivacyGuard.for_study(data)
    assert [f.rule for f in guard.scan_text(CONFIDENTIAL, "t.txt")] == [RULE_CONFIDENTIAL]


def test_unreadable_register_stops_the_guard(study_copy):
    data = load_study_data(load_study(study_copy))
    (study_copy.parent.parent / "data" / "gooi-en-vechtstreek-2024" / "respondenten.csv"
     ).write_bytes(b"")
    with pytest.raises(ValidationError, match="respondentenregister"):
        PrivacyGuard.for_study(data)


def test_extra_register_columns_are_personal(study_copy):
    register = study_copy.parent.parent / "data" / "gooi-en-vechtstreek-2024" / "respondenten.csv"
    register.write_text("id,eenheid,rol,naam,contact,adres,organisatie\n"
                        "W-R1,W,,,,Kerkstraat 3 Nederhorst,Politie\n", encoding="utf-8")
    guard = PrivacyGuard.for_study(load_study_data(load_study(study_copy)))
    assert [f.rule for f in guard.scan_text("Kerkstraat  3 nederhorst", "t.txt")] == [
        RULE_CONTACT]
    assert guard.scan_text("De politie en het OM", "t.txt") == []


def test_extra_register_columns_are_not_called_unused(study_copy):
    register = study_copy.parent.parent / "data" / "gooi-en-vechtstreek-2024" / "respondenten.csv"
    register.write_text("id,eenheid,rol,voornaam,huisadres\nW-R1,W,,Jan,Kerkstraat 3\n",
                        encoding="utf-8")
    data = load_study_data(load_study(study_copy))
    assert not [p for p in data.register.problems if "onbekende kolom" in p.reason]
    guard = PrivacyGuard.for_study(data)
    assert [f.rule for f in guard.scan_text("Kerkstraat 3", "t.txt")] == [RULE_PERSONAL]


def test_a_codings_file_without_fragment_column_stops_the_guard(study_copy):
    """Its confidential rows cannot be known, so nothing may pass (fail-closed)."""
    path = study_copy.parent.parent / "data" / "gooi-en-vechtstreek-2024" / "codering-huizen.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",fragment,", ",citaat,", 1), encoding="utf-8")
    data = load_study_data(load_study(study_copy))
    with pytest.raises(ValidationError, match="privacycontrole kan niet"):
        PrivacyGuard.for_study(data)


def test_names_in_a_windows_1252_file_are_found(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("naam;opmerking\nJosé Müller;gesproken\n".encode("cp1252"))
    guard = PrivacyGuard(literals=[(RULE_NAME, "José Müller")])
    assert [f.rule for f in guard.scan_file(path)] == [RULE_NAME]


# -- file kinds -----------------------------------------------------------------------------------

def test_notebook_strings_are_scanned_decoded(guard, tmp_path):
    notebook = {"cells": [{"cell_type": "markdown", "source": [
        "Een citaat: Wij weten dat de imam van de moskee aan de Havenweg zich zorgen\n",
        "maakt over een groep jongeren. Hij wil niet dat de gemeente dit met de politie deelt."]},
        {"cell_type": "code", "outputs": [{"data": {"text/html": "<td>Annemieke van "
                                                                 "Dijk-&Ouml;zt&uuml;rk</td>"}}]}]}
    path = tmp_path / "hoofdstuk.ipynb"
    path.write_text(json.dumps(notebook, ensure_ascii=True), encoding="utf-8")
    findings = guard.scan_file(path)
    assert {f.rule for f in findings} == {RULE_CONFIDENTIAL, RULE_NAME}
    assert any(f.place.startswith("JSON-pad /cells/0/source") for f in findings)
    assert_no_secret("\n".join(map(str, findings)))


def test_json_key_holding_a_datum_is_not_named(guard, tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"W-R1": "ja"}), encoding="utf-8")
    findings = guard.scan_file(path)
    assert findings and all("W-R1" not in str(f) for f in findings)


def test_base64_image_data_is_not_text(guard, tmp_path):
    payload = "iVBORw0KGgo" + "A" * 60 + "/Ozturk/" + "B" * 60 + "=="
    path = tmp_path / "fig.html"
    path.write_text(chapter(f'<img src="data:image/png;base64,{payload}">'), encoding="utf-8")
    assert guard.scan_file(path) == []
    path.write_text(chapter(f'<img alt="Ozturk" src="data:image/png;base64,{payload}">'),
                    encoding="utf-8")
    assert [f.rule for f in guard.scan_file(path)] == [RULE_NAME]


def test_xlsx_is_scanned_inside(guard, tmp_path):
    path = tmp_path / "bijlage.xlsx"
    write_xlsx(pd.DataFrame({"wie": ["een respondent", NAME]}), path)
    findings = guard.scan_file(path)
    assert [f.rule for f in findings] == [RULE_NAME]
    assert "onderdeel xl/sharedStrings.xml" in findings[0].place or "sheet" in findings[0].place


def test_folders_recursive_binary_and_images(guard, tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "schoon.md").write_text("# Netwerk\nop orde\n", encoding="utf-8")
    (tmp_path / "a" / "b" / "lek.csv").write_text("wie\nW-R1\n", encoding="utf-8")
    (tmp_path / "a" / "fig.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00W-R1")
    (tmp_path / "a" / "data.bin").write_bytes(b"\x00\x01\x02")
    findings = check_paths([tmp_path / "a", tmp_path / "nergens.html"], guard)
    assert [(Path(f.file).name, f.rule) for f in findings] == [
        ("lek.csv", RULE_RESPONDENT), ("data.bin", RULE_UNCHECKABLE),
        ("nergens.html", "pad niet gevonden")]


def test_without_any_study_only_generic_rules_run_and_it_says_so(tmp_path, capsys):
    path = tmp_path / "x.html"
    path.write_text(chapter("<p>Hi-R2 zegt het.</p>"), encoding="utf-8")
    assert main(["check-privacy", str(path)]) == 0
    out = capsys.readouterr().out
    assert "ALLEEN ALGEMENE REGELEN" in out and "NIET gecontroleerd" in out
    path.write_text(chapter("<p>Bel 06-12345678.</p>"), encoding="utf-8")
    assert main(["check-privacy", str(path)]) == 1


# -- no false positives on the embedded study's own texts --------------------------------------

def test_embedded_texts_raise_nothing(embedded, guard):
    frames = [embedded.codings.frame[["fragment", "bron", "rol", "subthema"]],
              embedded.judgements.frame[["motivering", "bron"]],
              embedded.overrides.frame[["motivering", "bron", "prioriteit"]],
              embedded.recommendations.frame[["titel", "tekst", "bron", "eenheden"]]]
    text = "\n".join(str(v) for frame in frames for v in frame.to_numpy().ravel())
    assert len(embedded.codings.frame) > 250
    assert PrivacyGuard.for_study(embedded).scan_text(text, "studie.txt") == []
    assert guard.scan_text(text, "studie.txt") == []


def test_large_report_with_many_confidential_fragments(embedded, tmp_path):
    """Many fragments and a 1 MB page: still exact (its speed: benchmarks/bench_inputs.py)."""
    frame = embedded.codings.frame.assign(vertrouwelijk=True)
    embedded_all_confidential = type(embedded)(embedded.study, type(embedded.codings)(frame),
                                               embedded.judgements, embedded.overrides,
                                               embedded.recommendations, embedded.register)
    guard = PrivacyGuard.for_study(embedded_all_confidential)
    rows = "".join(f"<tr><td>{i}</td><td>Een respondent geeft aan dat het netwerk in "
                   f"{2000 + i % 25} op orde is (r. {i}, 5.1.2.e).</td></tr>\n"
                   for i in range(10_000))
    page = chapter(f"<table>{rows}</table>") + "<script>var x = 1;</script>" * 1000
    path = tmp_path / "groot.html"
    path.write_text(page, encoding="utf-8")
    assert path.stat().st_size > 1_000_000
    assert guard.scan_file(path) == []
    planted = page.replace("</table>", "<p>" + frame["fragment"].iloc[-1] + "</p></table>")
    path.write_text(planted, encoding="utf-8")
    assert RULE_CONFIDENTIAL in {f.rule for f in guard.scan_file(path)}


def test_png_base64_of_a_real_figure_is_ignored(guard, tmp_path):
    png = base64.b64encode(bytes(range(256)) * 40).decode()
    path = tmp_path / "f.html"
    path.write_text(chapter(f'<img src="data:image/png;base64,{png}">'), encoding="utf-8")
    assert guard.scan_file(path) == []


def test_folding_covers_letters_without_accents_and_typographic_quotes():
    quote = "Hij noemt het een 'naïeve houding' - echt"
    guard = PrivacyGuard(literals=[(RULE_NAME, "Søren Łukasz"), (RULE_CONFIDENTIAL, quote)])
    assert [f.rule for f in guard.scan_text("SOREN lukasz", "t.txt")] == [RULE_NAME]
    text = "<p>Hij noemt het een &lsquo;naieve houding&rsquo; &ndash; echt</p>"
    assert [f.rule for f in guard.scan_text(text, "t.html")] == [RULE_CONFIDENTIAL]


def test_an_unreadable_pdf_cannot_pass(guard, tmp_path):
    path = tmp_path / "rapport.pdf"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\nstream x endstream")
    assert [f.rule for f in guard.scan_file(path)] == [RULE_UNCHECKABLE]


def _pdf(path: Path, *lines: str, title: str = "Rapport") -> Path:
    """A real PDF with text (matplotlib, fonts embedded as TrueType so the text is extractable)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig = plt.figure(figsize=(8.27, 11.69))
        for i, line in enumerate(lines):
            fig.text(0.1, 0.9 - 0.05 * i, line)
        fig.savefig(path, format="pdf", metadata={"Title": title})
        plt.close(fig)
    return path


def test_a_pdf_is_checked_by_its_text_and_metadata(guard, tmp_path):
    clean = _pdf(tmp_path / "schoon.pdf", "De meldstructuur is onbekend.", "Geen namen.")
    assert guard.scan_file(clean) == []
    leaking = _pdf(tmp_path / "lek.pdf", "Volgens", f"{NAME} ({EMAIL})", "is het zo.")
    assert {f.rule for f in guard.scan_file(leaking)} == {RULE_NAME, RULE_CONTACT, RULE_EMAIL}
    titled = _pdf(tmp_path / "titel.pdf", "Niets hier.", title=f"Gesprek met {NAME}")
    assert [f.rule for f in guard.scan_file(titled)] == [RULE_NAME]
