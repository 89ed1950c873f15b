"""Loading a study and its tables through the CLI, the loader's errors, and the scored output."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from basisop.cli import main
from basisop.io.dataset import load_study_data
from basisop.io.framework import load_framework
from basisop.io.records import load_codings
from basisop.io.study import load_study
from basisop.problems import ValidationError
from basisop.scoring import priorities, score

CODINGS_HEADER = "eenheid,respondent,rol,subthema,checklist,oordeel,fragment,bron,vertrouwelijk\n"


def _data_dir(study_path: Path) -> Path:
    return study_path.parent.parent / "data" / "gooi-en-vechtstreek-2024"


def _replace_codings(study_path: Path, body: str) -> Path:
    """Point the study at one small codings file with the given rows."""
    path = _data_dir(study_path) / "codering-test.csv"
    path.write_text(CODINGS_HEADER + body, encoding="utf-8")
    text = study_path.read_text(encoding="utf-8")
    start, end = text.index("codering:"), text.index("oordelen:")
    study_path.write_text(text[:start] + "codering:\n  - ../data/gooi-en-vechtstreek-2024/"
                          "codering-test.csv\n" + text[end:], encoding="utf-8")
    return path


def test_validate_accepts_the_embedded_study(capsys):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert "Geldig." in out
    assert "codering: 288 rijen gelezen, 288 geaccepteerd, 0 afgewezen" in out
    assert "UTF-8" in out  # the encoding used is always said


def test_embedded_counts_reconcile(embedded):
    for part in embedded.parts().values():
        assert part.read == part.accepted + part.rejected
    assert embedded.ok


@pytest.mark.parametrize(("row", "column", "reason"), [
    ("X,W-R1,,informatiepositie,,rood,tekst,,", "eenheid", "onbekende eenheid"),
    ("Wijdemere,W-R1,,informatiepositie,,rood,tekst,,", "eenheid", "bedoelt u 'Wijdemeren'"),
    ("W,W-R1,,Informatiepostie,,rood,tekst,,", "subthema", "bedoelt u 'Informatiepositie'"),
    ("W,W-R1,,informatiepositie,,Roed,tekst,,", "oordeel", "bedoelt u 'rood'"),
    ("W,,,informatiepositie,,rood,tekst,,", "respondent", "verplicht veld is leeg"),
    ("W,W-R1,,informatiepositie,,rood,,,", "fragment", "verplicht veld is leeg"),
    ("W,W-R1,,informatiepositie,,rood,tekst,,misschien", "vertrouwelijk", "ja of nee"),
    ("W,W-R1,,pga,informatiepositie.1,rood,tekst,,", "checklist", "hoort bij subthema"),
    ("W,W-R1,,pga,bestaat.niet,rood,tekst,,", "checklist", "onbekend of meerduidig checklistpunt"),
    ("D,D-R1,,alle_partners,,rood,tekst,,", "subthema", "beoordeelt dit subthema niet"),
    ("W,W-R9,,pga,,rood,tekst,,", "respondent", "niet in het respondentenregister"),
    ("GM,W-R1,,pga,,rood,tekst,,", "respondent", "hoort volgens het register bij eenheid W"),
])
def test_each_kind_of_codings_error_names_file_row_column(study_copy, row, column, reason,
                                                          capsys):
    good = "W,W-R1,,informatiepositie,,rood,goed fragment,,\n"
    _replace_codings(study_copy, good + row + "\n")
    assert main(["validate", str(study_copy)]) == 1
    out = capsys.readouterr().out
    error = next(line for line in out.splitlines() if line.startswith("fout:"))
    assert "codering-test.csv, rij 3" in error
    assert f"kolom '{column}'" in error
    assert reason in error
    assert "codering: 2 rijen gelezen, 1 geaccepteerd, 1 afgewezen" in out


def test_every_error_is_listed_not_just_the_first(study_copy, capsys):
    _replace_codings(study_copy, "X,W-R1,,pga,,rood,a,,\nW,W-R1,,pga,,Roed,b,,\n"
                                 "W,W-R1,,nergens,,rood,c,,\n")
    assert main(["validate", str(study_copy)]) == 1
    errors = [line for line in capsys.readouterr().out.splitlines() if line.startswith("fout:")]
    assert [e.split("rij ")[1][0] for e in errors] == ["2", "3", "4"]


def test_checklist_alone_gives_the_subtheme(study_copy):
    _replace_codings(study_copy, "W,W-R1,,,Lokale trends in radicalisering en uitingsvormen van "
                                 "extremisme in kaart,oranje,tekst,,\n")
    data = load_study_data(load_study(study_copy))
    assert data.ok
    assert data.codings.frame.iloc[0]["subthema"] == "informatiepositie"
    assert data.codings.frame.iloc[0]["checklist"] == "informatiepositie.1"


def test_rejected_rows_are_written_with_their_reason(study_copy, tmp_path):
    _replace_codings(study_copy, "W,W-R1,,pga,,Roed,fragment,,\n")
    rejects = tmp_path / "afgewezen.csv"
    assert main(["validate", str(study_copy), "--afgewezen", str(rejects)]) == 1
    rows = list(csv.DictReader(rejects.open(encoding="utf-8")))
    assert len(rows) == 1
    assert rows[0]["rij"] == "2" and "rood" in rows[0]["reden"]
    assert rows[0]["fragment"] == "fragment"


def test_duplicate_judgement_is_an_error(study_copy, capsys):
    path = _data_dir(study_copy) / "oordelen.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    assert main(["validate", str(study_copy)]) == 1
    assert "dubbel: zelfde als oordelen.csv rij 2" in capsys.readouterr().out


def test_study_file_errors_name_their_place(tmp_path, study_copy):
    text = study_copy.read_text(encoding="utf-8")
    text = text.replace("regel: meerderheid", "regel: dobbelsteen")
    text = text.replace("      - pga\n", "      - pgaa\n")
    text = text.replace("oordelen: ../data", "oordelen: ../ontbreekt")
    study_copy.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_study(study_copy)
    messages = [str(p) for p in caught.value.problems]
    assert any("scoring.regel" in m and "dobbelsteen" in m for m in messages)
    assert any("eenheden[5].subthemas" in m and "pgaa" in m for m in messages)
    assert any("studie.oordelen" in m and "bestaat niet" in m for m in messages)


def test_framework_errors_name_their_line(tmp_path):
    path = tmp_path / "kader.yaml"
    path.write_text("naam: Test\nherkomst: [x]\nlegenda: {groen: a, oranje: b, rood: c}\n"
                    "themas:\n  - id: t\n    naam: T\n    subthemas:\n"
                    "      - id: a\n        naam: A\n        checklist: [{id: a.1, tekst: x}]\n"
                    "      - id: b\n        aliassen: [A]\n        kleur: blauw\n"
                    "        checklist: [{id: b.1, tekst: y}]\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_framework(path)
    messages = [str(p) for p in caught.value.problems]
    assert any("rij 11" in m and "subthemas[1].naam: ontbreekt" in m for m in messages)
    assert any("subthemas[1].kleur: onbekende sleutel" in m for m in messages)
    assert any("'a' hoort bij zowel 'a' als 'b'" in m for m in messages)


def test_yaml_syntax_error_gives_its_line(tmp_path):
    path = tmp_path / "kapot.yaml"
    path.write_text("naam: x\nthemas: [\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="rij"):
        load_framework(path)


def test_score_csv_has_the_promised_columns(capsys):
    assert main(["score", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {"eenheid", "eenheid_naam", "thema", "subthema", "status", "bron", "berekend",
            "fragmenten", "respondenten"} <= set(rows[0])
    assert len(rows) == 5 * 17 + 11
    assert {r["status"] for r in rows} <= {"groen", "oranje", "rood", "onbekend"}
    assert {r["bron"] for r in rows} <= {"oordeel", "regel", "onbekend"}
    assert rows[0]["subthema"] == "Informatiepositie van de gemeente"


def test_score_json_and_rule_choice(capsys):
    assert main(["score", "--format", "json", "--regel", "strengst"]) == 0
    rows = json.loads(capsys.readouterr().out)
    strict = {(r["eenheid"], r["subthema_id"]): r["berekend"] for r in rows}
    assert main(["score", "--format", "json"]) == 0
    default = {(r["eenheid"], r["subthema_id"]): r["berekend"]
               for r in json.loads(capsys.readouterr().out)}
    order = {"rood": 0, "oranje": 1, "groen": 2}
    assert all(order[strict[k]] <= order[default[k]] for k in strict if default[k] in order)
    assert strict != default


def test_without_judgement_the_rule_decides_and_without_evidence_it_is_onbekend(study_copy):
    path = _data_dir(study_copy) / "oordelen.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line for line in lines if not line.startswith("B/L,")) + "\n",
                    encoding="utf-8")
    scores = score(load_study_data(load_study(study_copy)))
    bl = scores[scores["eenheid"] == "B/L"].set_index("subthema_id")
    # Blaricum en Laren has no paragraph on Meerdere perspectieven: nothing to compute from.
    assert bl.loc["meerdere_perspectieven", "status"] == "onbekend"
    assert bl.loc["meerdere_perspectieven", "bron"] == "onbekend"
    assert bl.loc["informatiepositie", "bron"] == "regel"
    assert bl.loc["informatiepositie", "status"] == bl.loc["informatiepositie", "berekend"]
    assert not bl["afwijking"].any()


def test_priorities_follow_the_legend_unless_overridden(embedded):
    table = priorities(embedded, score(embedded)).set_index("subthema_id")
    # Every unit oranje, yet the plan says Laag: the override wins and the rule stays visible.
    row = table.loc["veiligheid_medewerkers"]
    assert row["prioriteit_regel"] == "Gemiddeld"
    assert row["prioriteit"] == "Laag"
    assert row["bron"] == "oordeel" and row["motivering"]
    assert table.loc["online_interventies", "prioriteit_regel"] == "Hoog"
    assert table.loc["lokaal_netwerk", "prioriteit_regel"] == "Gemiddeld tot Hoog"
    assert table.loc["financien", "prioriteit_regel"] == "Laag"


def test_disagreements_list_only_cells_where_rule_and_judgement_differ(capsys):
    assert main(["score", "--afwijkingen", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows
    colours = {"groen", "oranje", "rood"}
    assert all(r["oordeel"] in colours and r["berekend"] in colours for r in rows)
    assert all(r["oordeel"] != r["berekend"] for r in rows)
    assert main(["score", "--afwijkingen"]) == 0
    assert f"{len(rows)} afwijkingen (regel: meerderheid)" in capsys.readouterr().out


def test_rejects_file_covers_every_table(study_copy, tmp_path):
    _replace_codings(study_copy, "W,W-R1,,pga,,Roed,fragment,,\n")
    path = _data_dir(study_copy) / "oordelen.csv"
    path.write_text(path.read_text(encoding="utf-8") + "W,pga,paars,motivering,\n",
                    encoding="utf-8")
    rejects = tmp_path / "afgewezen.csv"
    assert main(["validate", str(study_copy), "--afgewezen", str(rejects)]) == 1
    rows = list(csv.DictReader(rejects.open(encoding="utf-8")))
    assert [(r["tabel"], r["bestand"]) for r in rows] == [
        ("codering", "codering-test.csv"), ("oordelen", "oordelen.csv")]


def test_a_csv_written_by_basisop_reads_back_unchanged(study_copy, tmp_path):
    """Formula-like fragments are neutralised on writing and restored on reading."""
    from basisop.io.tables import write_csv

    text = "- Ja, dat klopt; =SOM(A1) is geen formule"
    frame = pd.DataFrame([{"eenheid": "W", "respondent": "W-R1", "rol": "", "subthema": "pga",
                           "checklist": "", "oordeel": "groen", "fragment": text, "bron": "",
                           "vertrouwelijk": ""}])
    path = tmp_path / "codering.csv"
    write_csv(frame, path)
    assert "'- Ja" in path.read_text(encoding="utf-8")
    loaded = load_codings(load_study(study_copy), [path])
    assert loaded.frame.iloc[0]["fragment"] == text


def test_yaml_values_stay_text(study_copy):
    """YAML 1.1 would read 0363 as 243 and NO as False; a study file means the text."""
    text = study_copy.read_text(encoding="utf-8")
    text = text.replace("  - code: W\n", "  - code: 0363\n").replace("  - code: GM\n",
                                                                      "  - code: NO\n")
    study_copy.write_text(text, encoding="utf-8")
    study = load_study(study_copy)
    assert [u.code for u in study.eenheden][:2] == ["0363", "NO"]
    assert study.golf == "2024" and study.scoring.minimum_fragmenten == 1


@pytest.mark.parametrize(("old", "new", "message"), [
    ("id: gooi-en-vechtstreek-2024", "id: ../../elders", "studie.id: verwacht letters"),
    ("minimum_fragmenten: 1", "minimum_fragmenten: twee", "verwacht een geheel getal"),
    ("    subthemas:\n      - informatiepositie\n", "    subthemas:\n    oud:\n",
     "eenheden[5].subthemas: lege lijst"),
])
def test_study_values_are_checked(study_copy, old, new, message):
    text = study_copy.read_text(encoding="utf-8")
    assert old in text
    study_copy.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_study(study_copy)
    assert any(message in str(p) for p in caught.value.problems), caught.value.problems


def test_a_workbook_sheet_is_named_in_the_study_file(study_copy):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "toelichting"
    book.active.append(["eenheid", "respondent", "subthema", "fragment"])
    sheet = book.create_sheet("codering 2024")
    sheet.append(CODINGS_HEADER.strip().split(","))
    sheet.append(["W", "W-R1", "", "pga", "", "groen", "Uit Excel", "", ""])
    path = _data_dir(study_copy) / "codering.xlsx"
    book.save(path)
    text = study_copy.read_text(encoding="utf-8")
    start, end = text.index("codering:"), text.index("oordelen:")
    entry = "codering:\n  - bestand: ../data/gooi-en-vechtstreek-2024/codering.xlsx\n"
    study_copy.write_text(text[:start] + entry + text[end:], encoding="utf-8")
    data = load_study_data(load_study(study_copy))
    assert any("noem het werkblad in het studiebestand" in str(p) for p in data.problems)

    study_copy.write_text(text[:start] + entry + "    werkblad: Codering 2024\n" + text[end:],
                          encoding="utf-8")
    data = load_study_data(load_study(study_copy))
    assert data.ok and list(data.codings.frame["fragment"]) == ["Uit Excel"]


def test_a_unit_code_cannot_overwrite_a_column_of_the_priority_table(study_copy):
    text = study_copy.read_text(encoding="utf-8").replace("  - code: W\n", "  - code: thema\n")
    study_copy.write_text(text, encoding="utf-8")
    for name, old, new in [("oordelen.csv", "\nW,", "\nthema,"),
                           ("codering-wijdemeren.csv", "\nW,", "\nthema,"),
                           ("respondenten.csv", ",W,", ",thema,"),
                           ("aanbevelingen.csv", ",W;B/L,", ",thema;B/L,")]:
        path = _data_dir(study_copy) / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    data = load_study_data(load_study(study_copy))
    assert data.ok, [str(p) for p in data.problems if p.is_error][:3]
    table = priorities(data, score(data)).set_index("subthema_id")
    assert table.loc["pga", "thema"] == "Interventies"
    assert table.loc["pga", "status thema"] == "oranje"


def test_privacy_exceptions_need_a_text_and_a_reason(study_copy):
    from basisop.model import Exemption

    base = study_copy.read_text(encoding="utf-8")
    study_copy.write_text(base + "privacy:\n  toegestaan:\n    - tekst: Groen\n"
                                 "      reden: kleur van het stoplicht\n", encoding="utf-8")
    assert load_study(study_copy).toegestaan == (Exemption("Groen", "kleur van het stoplicht"),)
    study_copy.write_text(base + "privacy:\n  toegestaan:\n    - tekst: Groen\n"
                                 "  uit: ja\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_study(study_copy)
    reasons = " ".join(p.reason for p in caught.value.problems)
    assert "privacy.toegestaan[0].reden: ontbreekt" in reasons
    assert "privacy.uit: onbekende sleutel" in reasons
