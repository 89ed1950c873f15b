"""`basisop score` reproduces every status published in the final report (read from the source)."""

from __future__ import annotations

import csv
import io

import pytest

from basisop.cli import main
from basisop.model import parse_status

SEED = "seeds/000_d7cafd8f89b0436d.txt"
# unit code -> (first, last) line of its table in the final report (DOMAIN.md)
REPORT_TABLES = {"W": (2279, 2298), "GM": (2412, 2431), "B/L": (2537, 2556),
                 "Hi": (2664, 2683), "Hu": (2785, 2804), "D": (2900, 2913)}
PLAN_NETWERK = (4544, 4548)  # the only 2025 table whose cells survived: Huizen's Netwerk
PLAN_COLUMNS = ["W", "GM", "B/L", "Hi", "Hu"]


def _lines(shared_dir, first: int, last: int) -> list[str]:
    text = (shared_dir / SEED).read_text(encoding="utf-8").splitlines()
    return text[first - 1:last]


def _published(shared_dir, framework) -> dict[tuple[str, str], str]:
    """(unit, subtheme id) -> status as the report's tables give it; '' where the cell is empty."""
    published = {}
    for unit, (first, last) in REPORT_TABLES.items():
        for line in _lines(shared_dir, first, last):
            cells = line.split("\t")
            if len(cells) < 2 or cells[1].strip() in ("", "Sub thema's"):
                continue
            subtheme = framework.subtheme(cells[1])
            assert subtheme is not None, f"report subtheme not in framework: {cells[1]!r}"
            cell = cells[2].strip() if len(cells) > 2 else ""
            published[(unit, subtheme.id)] = parse_status(cell).value if cell else ""
    return published


@pytest.fixture(scope="module")
def scored(tmp_path_factory) -> dict[tuple[str, str], dict]:
    out = tmp_path_factory.mktemp("score") / "scores.csv"
    assert main(["score", "--format", "csv", "-o", str(out)]) == 0
    rows = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))
    return {(r["eenheid"], r["subthema_id"]): r for r in rows}


def test_every_published_status_is_reproduced(shared_dir, embedded, scored):
    published = _published(shared_dir, embedded.study.framework)
    assert len(published) == 5 * 17 + 11
    for (unit, subtheme), status in published.items():
        if unit == "Hu":
            continue  # colours lost in the Woo text: checked below
        row = scored[(unit, subtheme)]
        assert row["status"] == status, (unit, subtheme)
        assert row["bron"] == "oordeel"


def test_district_partners_score_only_their_eleven_subthemes(shared_dir, embedded, scored):
    published = _published(shared_dir, embedded.study.framework)
    district = {s for (u, s) in published if u == "D"}
    assert {s for (u, s) in scored if u == "D"} == district


def test_huizen_is_unknown_except_netwerk_from_the_2025_plan(shared_dir, embedded, scored):
    framework = embedded.study.framework
    published = _published(shared_dir, framework)
    assert all(published[("Hu", s.id)] == "" for s in framework.subthemes), "cells were empty"
    plan = {}
    for line in _lines(shared_dir, *PLAN_NETWERK):
        cells = line.split("\t")
        subtheme = framework.subtheme(cells[1]) if len(cells) > 6 else None
        if subtheme is not None:
            values = dict(zip(PLAN_COLUMNS, cells[2:7], strict=True))
            # The plan writes "Roed"; the loader refuses it, so read it here as what it means.
            plan[subtheme.id] = parse_status(values["Hu"].replace("Roed", "Rood")).value
    assert set(plan) == {"lokaal_netwerk", "maatschappelijk_middenveld", "alle_partners"}
    for subtheme in framework.subthemes:
        row = scored[("Hu", subtheme.id)]
        expected = plan.get(subtheme.id, "onbekend")
        assert row["status"] == expected, subtheme.id
        assert row["bron"] == "oordeel"


def test_the_plan_agrees_with_the_report_for_the_other_units(shared_dir, embedded):
    """The 2025 Netwerk table repeats the 2024 colours (oranje for geel): a check on the source."""
    framework = embedded.study.framework
    published = _published(shared_dir, framework)
    for line in _lines(shared_dir, *PLAN_NETWERK):
        cells = line.split("\t")
        subtheme = framework.subtheme(cells[1]) if len(cells) > 6 else None
        if subtheme is None:
            continue
        for unit, cell in zip(PLAN_COLUMNS[:4], cells[2:6], strict=True):
            assert parse_status(cell.replace("Roed", "Rood")).value == published[(unit,
                                                                                   subtheme.id)]
