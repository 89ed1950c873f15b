"""A large coded-fragments CSV with planted faults, for `bench_load.py` and the loader tests.

Rows are realistic for a study with many units (see `national_study.py`): fragments of about
200 characters with commas, accents and quotes, checklist items, oordelen, fragment ids. A
share of the rows carries exactly one fault each, of varied kinds; every such row yields one
problem, so the loader's problem count can be checked against what was planted. Rows that are
odd but fine (a multi-line fragment, a formula quote, spaces around a value, a blank row, too
few fields) are mixed in too: they must give no problem.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from pathlib import Path

HEADER = ["eenheid", "respondent", "rol", "subthema", "checklist", "oordeel", "fragment", "bron",
          "vertrouwelijk", "notities", "id"]
_WORDS = ("de", "gemeente", "signalen,", "netwerk", "afspraken", "overleg", "zicht", "partners",
          "radicalisering", "casus", "informatie,", "jongeren", "scholing", "beleid", "zo'n",
          "structureel", "beperkt", "goed", "geregeld", "onduidelijk", "wij", "hebben", "geen",
          "weinig", "veel", "op", "dit", "moment", "is", "er", "een", "vast", "aanspreekpunt.")
# About one word in fifty has a diacritic or quotes, as in Dutch interview notes.
_RARE_WORDS = ("één", "coördinatie", "geïnformeerd", "ideeën", "cliënt", '"veiligheidshuis"')
_CP1252 = "\u00a7CP1252\u00a7"  # replaced by a Windows-1252 byte after encoding
# Each kind of fault gives exactly one problem on its row.
FAULTS = ("unknown unit", "unknown subtheme", "bad oordeel", "empty fragment",
          "respondent not in register", "respondent of another unit", "bad vertrouwelijk",
          "unknown checklist item", "duplicate", "repeated id", "cp1252 byte",
          "control character", "mojibake", "too many fields")
# Odd rows that are fine: no problem (blank rows are not even counted as read).
ODDITIES = ("multi-line", "formula quote", "spaces around", "too few fields", "blank row",
            "upper case duplicate of nothing")


def fragment(rng: random.Random, length: int = 200) -> str:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(_RARE_WORDS if rng.random() < 0.02 else _WORDS))
    text = " ".join(words)
    return text[0].upper() + text[1:]


def write_codings(path: Path, units: list[str], subthemes: dict[str, list[str]], rows: int,
                  *, fault_share: float = 0.01, oddity_share: float = 0.002, seed: int = 7,
                  first_id: int = 0, line_end: str = "\r\n", earlier: list[list[str]] | None = None
                  ) -> Counter:
    """Write `rows` data rows; returns how many rows of each fault (and oddity) were planted.

    `units`: unit codes (respondents are `<code>-R1` .. `-R4`, as national_study writes them);
    `subthemes`: subtheme id -> its checklist item ids; `earlier`: rows of a file written
    before, so duplicates and repeated ids can cross files (the rows written are appended)."""
    rng = random.Random(seed)
    planted: Counter = Counter()
    # Clean rows written so far: the sources of duplicates and repeated ids.
    done: list[list[str]] = earlier if earlier is not None else []
    subtheme_ids = list(subthemes)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end)
    writer.writerow(HEADER)
    for n in range(rows):
        unit = rng.choice(units)
        subtheme = rng.choice(subtheme_ids)
        items = subthemes[subtheme]
        row = [unit, f"{unit}-R{rng.randint(1, 4)}", "", subtheme,
               rng.choice(items) if items and rng.random() < 0.3 else "",
               rng.choice(("groen", "oranje", "rood", "")), fragment(rng), "synthetisch",
               "ja" if rng.random() < 0.05 else "", "",
               f"f{first_id + n}" if rng.random() < 0.5 else ""]
        draw = rng.random()
        if draw < fault_share and len(done) > 20:
            kind = FAULTS[n % len(FAULTS)]
            row = _fault(kind, row, rng, units, done)
            planted[kind] += 1
        elif draw < fault_share + oddity_share:
            kind = ODDITIES[n % len(ODDITIES)]
            row = _oddity(kind, row)
            planted[kind] += 1
        else:
            done.append(row)
        writer.writerow(row)
    data = buffer.getvalue().encode("utf-8").replace(_CP1252.encode("utf-8"), b"caf\xe9")
    path.write_bytes(data)
    return planted


def _fault(kind: str, row: list[str], rng: random.Random, units: list[str],
           done: list[list[str]]) -> list[str]:
    row = list(row)
    if kind == "unknown unit":
        row[0] = "X999"
    elif kind == "unknown subtheme":
        row[3], row[4] = "onbestaand subthema", ""
    elif kind == "bad oordeel":
        row[5] = "paars"
    elif kind == "empty fragment":
        row[6] = ""
    elif kind == "respondent not in register":
        row[1] = f"{row[0]}-R9"
    elif kind == "respondent of another unit":
        other = next(u for u in units if u != row[0])
        row[1] = f"{other}-R1"
    elif kind == "bad vertrouwelijk":
        row[8] = "misschien"
    elif kind == "unknown checklist item":
        row[4] = "geen.punt"
    elif kind == "duplicate":
        # The same evidence in other case and spacing: the key folds both. Without an id,
        # which would make the two rows different fragments.
        row = list(rng.choice([r for r in done[-500:] if not r[10]]))
        row[6] = row[6].upper().replace(" ", "  ", 1)
    elif kind == "repeated id":
        row[10] = rng.choice([r for r in done[-500:] if r[10]])[10]
    elif kind == "cp1252 byte":
        row[6] = f"{row[6][:100]} {_CP1252} {row[6][100:]}"
    elif kind == "control character":
        row[6] = row[6][:50] + "\x07" + row[6][50:]
    elif kind == "mojibake":
        row[6] = "vÃ³Ã³r " + row[6]
    elif kind == "too many fields":
        row.append("te veel")
    return row


def _oddity(kind: str, row: list[str]) -> list[str]:
    row = list(row)
    if kind == "multi-line":
        row[6] = row[6][:80] + "\n" + row[6][80:]
    elif kind == "formula quote":
        row[6] = "'=" + row[6]
    elif kind == "spaces around":
        row[0], row[6] = f"  {row[0]} ", f" {row[6]}  "
    elif kind == "too few fields":
        row = row[:7]
    elif kind == "blank row":
        row = [""] * len(row)
    elif kind == "upper case duplicate of nothing":
        row[6] = row[6].upper()
    return row
