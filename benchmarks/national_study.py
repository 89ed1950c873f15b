"""A synthetic national study: gemeenten in veiligheidsregio's, coded fragments, judgements and
a respondent register, written as a study folder that `basisop run` reads.

Used by `benchmarks/bench_national.py` (342 gemeenten, 25 regions, about 23,000 fragments) and,
smaller, by the tests. Never part of the default run. Deterministic for a given seed: the same
arguments write the same bytes. Names are made up (unit names from syllables, respondents as
"Deelnemer NNNN"), so nothing real is published; the respondents' names and e-mail addresses
sit in the register, so the privacy gate has something to guard.

    python3 benchmarks/national_study.py OUT [--gemeenten 342] [--regios 25]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORK = ROOT / "data" / "wegingskader.yaml"
# The 25 Dutch veiligheidsregio's: real, public names, so region labels have realistic lengths.
REGIONS = ("Groningen", "Fryslân", "Drenthe", "IJsselland", "Twente", "Noord- en Oost-Gelderland",
           "Gelderland-Midden", "Gelderland-Zuid", "Utrecht", "Noord-Holland-Noord",
           "Zaanstreek-Waterland", "Kennemerland", "Amsterdam-Amstelland", "Gooi en Vechtstreek",
           "Haaglanden", "Hollands Midden", "Rotterdam-Rijnmond", "Zuid-Holland-Zuid", "Zeeland",
           "Midden- en West-Brabant", "Brabant-Noord", "Brabant-Zuidoost", "Limburg-Noord",
           "Zuid-Limburg", "Flevoland")
_HEADS = ("Aal", "Bor", "Culem", "Dor", "Eem", "Gel", "Har", "Hel", "Lan", "Maas", "Noord",
          "Oost", "Ren", "Slie", "Ter", "Veen", "Wes", "Zuid", "Alphen", "Berg", "Hardinx")
_TAILS = ("dam", "dijk", "horst", "veen", "wijk", "broek", "hoven", "ingen", "sum", "werd",
          "eind", "mond", "stede", "burg", "loo", "zande")
_SUFFIXES = ("", "", "", "", " aan den Rijn", " aan Zee", "-Giessendam", " en Zuid")
_ROLES = ("OOV-adviseur", "jeugdconsulent", "beleidsadviseur", "wijkagent",
          "teamleider sociaal domein")
_WORDS = ("de", "gemeente", "signalen", "netwerk", "afspraken", "overleg", "zicht", "partners",
          "radicalisering", "casus", "informatie", "jongeren", "scholing", "beleid", "structureel",
          "beperkt", "goed", "geregeld", "onduidelijk", "wij", "hebben", "geen", "weinig", "veel",
          "ervaring", "met", "op", "dit", "moment", "is", "er", "een", "vast", "aanspreekpunt")
_OORDEEL = ("groen", "oranje", "rood", "")
def unit_names(count: int, rng: random.Random) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = rng.choice(_HEADS) + rng.choice(_TAILS) + rng.choice(_SUFFIXES)
        if name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


def fragment(rng: random.Random, length: int = 200) -> str:
    words = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(_WORDS))
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def write_study(out: Path, *, gemeenten: int = 342, regios: int = 25,
                fragments_per_unit: int = 67, seed: int = 2024) -> Path:
    """Write the study folder under `out`; returns the study file's path."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    names = unit_names(gemeenten, rng)
    regions = REGIONS[:regios] if regios <= len(REGIONS) else [f"Regio {i + 1}"
                                                               for i in range(regios)]
    units = [(f"G{i + 1:03d}", name, regions[i * len(regions) // gemeenten])
             for i, name in enumerate(names)]
    subthemes = _subtheme_ids()
    _write_csv(out / "respondenten.csv", ["id", "eenheid", "rol", "naam", "email"],
               [(f"{code}-R{r}", code, rng.choice(_ROLES), f"Deelnemer {i * 4 + r:04d}",
                 f"deelnemer{i * 4 + r:04d}@example.org")
                for i, (code, _, _) in enumerate(units) for r in range(1, 5)])
    rows = []
    for code, _, _ in units:
        leaning = rng.choice(_OORDEEL[:3])
        for _ in range(fragments_per_unit):
            oordeel = leaning if rng.random() < 0.5 else rng.choice(_OORDEEL)
            rows.append((code, f"{code}-R{rng.randint(1, 4)}", "", rng.choice(subthemes), "",
                         oordeel, fragment(rng), "synthetisch", "ja" if rng.random() < 0.05
                         else ""))
    _write_csv(out / "codering.csv", ["eenheid", "respondent", "rol", "subthema", "checklist",
                                      "oordeel", "fragment", "bron", "vertrouwelijk"], rows)
    _write_csv(out / "oordelen.csv", ["eenheid", "subthema", "status", "motivering", "bron"],
               [(code, sub, rng.choice(("groen", "oranje", "oranje", "rood", "onbekend")),
                 "Synthetisch oordeel.", "synthetisch")
                for code, _, _ in units for sub in subthemes if rng.random() < 0.9])
    study = out / "studie.yaml"
    lines = ["id: nationaal-synthetisch", "naam: Synthetische landelijke studie", "golf: 2025",
             'datum: "2025-06-30"', f"wegingskader: {FRAMEWORK}", "eenheden:"]
    for code, name, region in units:
        lines += [f"  - code: {code}", f'    naam: "{name}"', f'    regio: "{region}"']
    lines += ["codering:", "  - codering.csv", "oordelen: oordelen.csv",
              "respondenten: respondenten.csv"]
    study.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return study


def _subtheme_ids() -> list[str]:
    from basisop.io.framework import load_framework

    return [s.id for s in load_framework(FRAMEWORK).subthemes]


def _write_csv(path: Path, header: list[str], rows: list[tuple]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--gemeenten", type=int, default=342)
    parser.add_argument("--regios", type=int, default=25)
    args = parser.parse_args()
    print(write_study(args.out, gemeenten=args.gemeenten, regios=args.regios))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
