"""The implementation plan of 27 August 2025 as data (acties, voortgang) and as a page."""

from __future__ import annotations

import re

import pytest
from batch_helpers import embedded_run

from basisop import presentation as p
from basisop.io.actions import load_actions, load_progress
from basisop.io.study import load_study
from basisop.presentation import plan as up

SEED = "seeds/000_d7cafd8f89b0436d.txt"
PLAN = (4426, 4633)  # chapters 2-6 of the plan: the themes with their actions
_HEADING = re.compile(r"^(\d\.\d\.\d|\d\.\d) [A-Z]")
_LINE = re.compile(r"r\. (\d+)")


def _sections(shared_dir) -> dict[str, tuple[int, int]]:
    """Each lowest-level section of the plan (2.1.1 ... 6.1.3) and its first and last line."""
    lines = (shared_dir / SEED).read_text(encoding="utf-8").splitlines()
    starts = [(n, m.group(1)) for n in range(PLAN[0], PLAN[1])
              if (m := _HEADING.match(lines[n - 1]))]
    ranges = {}
    for (start, name), (end, _) in zip(starts, [*starts[1:], (PLAN[1], "")], strict=True):
        ranges[name] = (start, end - 1)
    # A section with subsections (2.1, 2.2, 5.1 ...) holds no actions of its own.
    return {k: v for k, v in ranges.items()
            if not any(o.startswith(k + ".") for o in ranges)}


def test_every_section_of_the_plan_has_an_action_from_its_own_lines(shared_dir, embedded):
    sections = _sections(shared_dir)
    assert list(sections)[0] == "2.1.1" and list(sections)[-1] == "6.1.3"
    assert len(sections) == 14
    actions = embedded.actions.frame
    for name, (first, last) in sections.items():
        inside = [a for a in actions.to_dict("records")
                  if first <= int(_LINE.search(a["bron"]).group(1)) <= last]
        assert inside, f"§{name} (r. {first}-{last}) has no action"
        assert all(f"§{name}," in a["bron"] for a in inside), name
    counts = up.plan_sections(actions)
    assert list(counts) == list(sections) and sum(counts.values()) == len(actions)


def test_the_plan_invents_no_owner_deadline_or_status(embedded):
    actions, progress = embedded.actions.frame, embedded.progress.frame
    assert (actions["eigenaar"] == "").all() and (actions["streefdatum"] == "").all()
    # A status only where the plan's words say one (e.g. "stelt momenteel ... op": lopend).
    stated = progress[progress["status"] != ""]
    assert set(stated["status"]) <= {"lopend", "gereed"}
    assert (progress["status"] == "").sum() > len(stated) / 2


def test_progress_must_name_a_known_action_and_a_valid_status(study_copy):
    path = study_copy.parent.parent / "data" / "gooi-en-vechtstreek-2024" / "voortgang.csv"
    path.write_text("actie,eenheid,status,datum,tekst,bron\nU99,W,,,Iets.,\n"
                    "U01,W,klaar,2025-13-01,Iets.,\nU01,Q,gepland,,Iets.,\n", encoding="utf-8")
    study = load_study(study_copy)
    result = load_progress(study, load_actions(study))
    assert (result.read, result.accepted) == (3, 0)
    found = {(x.row, x.column) for x in result.problems}
    assert {(2, "actie"), (3, "status"), (3, "datum"), (4, "eenheid")} <= found


def test_the_plan_page_has_every_theme_table_and_every_action_without_line_numbers(embedded):
    plan = up.Plan.build(embedded)
    page = "".join(up.plan_theme(plan, t.id) for t in embedded.study.framework.themas)
    page = up.plan_intro(plan) + page + up.plan_note(plan)
    for theme in embedded.study.framework.themas:
        assert f'data-thema="{theme.id}"' in page
    for action in embedded.actions.frame["id"]:
        assert page.count(f'data-actie="{action}"') == 1
    assert not re.search(r"\br\. ?\d{3,}", page)
    assert 'data-voortgang="lopend"' in page and 'data-voortgang="niet vermeld"' in page


def test_a_chapter_links_each_gap_to_its_row_in_the_plan(embedded):
    plan = up.Plan.build(embedded)
    page = "".join(up.plan_theme(plan, t.id) for t in embedded.study.framework.themas)
    chapter = p.Chapter.build(embedded, "W")
    links = re.findall(r'href="uitvoeringsplan\.html#([^"]+)"', up.plan_link_html(chapter))
    gaps = chapter.scores[chapter.scores["status"].isin(["rood", "oranje"])]
    assert links == list(gaps["subthema_id"])
    assert all(f'id="{anchor}"' in page for anchor in links)


@pytest.mark.slow
def test_basisop_run_publishes_the_plan_and_links_it(tmp_path_factory, embedded):
    run = embedded_run(tmp_path_factory)
    assert run.exit_code == 0, run.stdout
    page = (run.folder / "uitvoeringsplan.html").read_text(encoding="utf-8")
    assert all(f'data-actie="{a}"' in page for a in embedded.actions.frame["id"])
    assert 'href="uitvoeringsplan.html"' in (run.folder / "index.html").read_text(
        encoding="utf-8")
    assert 'href="uitvoeringsplan.html#informatiepositie"' in (
        run.folder / "wijdemeren.html").read_text(encoding="utf-8")
