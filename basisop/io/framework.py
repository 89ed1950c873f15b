"""Loading and validating the wegingskader file (data/wegingskader.yaml)."""

from __future__ import annotations

from pathlib import Path

from basisop.io.yamlfile import Fields, load_yaml
from basisop.model import (
    ChecklistItem,
    Framework,
    Status,
    Subtheme,
    Theme,
    normalize_key,
    parse_status,
)
from basisop.problems import Problem, ValidationError

_TOP_KEYS = {"naam", "versie", "herkomst", "legenda", "afwijkingen", "themas"}
_THEME_KEYS = {"id", "naam", "toelichting", "subthemas"}
_SUBTHEME_KEYS = {"id", "naam", "aliassen", "toelichting", "checklist"}
_ITEM_KEYS = {"id", "tekst"}


def load_framework(path: Path | str) -> Framework:
    """Read the framework; raise ValidationError listing every fault with its line."""
    path = Path(path)
    problems: list[Problem] = []
    top = Fields(path, load_yaml(path), "wegingskader", problems)
    top.unknown_keys(_TOP_KEYS)
    themes = tuple(
        _theme(path, raw, f"themas[{i}]", problems) for i, raw in enumerate(top.items("themas")))
    framework = Framework(
        naam=top.text("naam"),
        versie=top.text("versie", required=False),
        themas=themes,
        legenda=_legend(path, top, problems),
        herkomst=tuple(top.text_list("herkomst", required=True)),
        afwijkingen=tuple(top.text_list("afwijkingen")),
    )
    problems += _check_unique_names(path, framework)
    if problems:
        raise ValidationError(problems)
    return framework


def _legend(path: Path, top: Fields, problems: list[Problem]) -> dict[Status, str]:
    raw = top.mapping.get("legenda")
    legend = Fields(path, raw, "legenda", problems)
    result: dict[Status, str] = {}
    for key in legend.mapping:
        try:
            status = parse_status(str(key))
        except ValueError as exc:
            legend.fail(str(exc), str(key))
            continue
        result[status] = legend.text(key)
    for status in (Status.GROEN, Status.ORANJE, Status.ROOD):
        if status not in result and legend.ok:
            legend.fail("betekenis ontbreekt", status.value)
    return result


def _theme(path: Path, raw, where: str, problems: list[Problem]) -> Theme:
    fields = Fields(path, raw, where, problems)
    fields.unknown_keys(_THEME_KEYS)
    theme_id = fields.text("id")
    subthemes = tuple(
        _subtheme(path, s, f"{where}.subthemas[{j}]", theme_id, problems)
        for j, s in enumerate(fields.items("subthemas")))
    return Theme(theme_id, fields.text("naam"), subthemes, fields.text("toelichting",
                                                                       required=False))


def _subtheme(path: Path, raw, where: str, theme_id: str, problems: list[Problem]) -> Subtheme:
    fields = Fields(path, raw, where, problems)
    fields.unknown_keys(_SUBTHEME_KEYS)
    items = []
    for k, item in enumerate(fields.items("checklist")):
        item_fields = Fields(path, item, f"{where}.checklist[{k}]", problems)
        item_fields.unknown_keys(_ITEM_KEYS)
        items.append(ChecklistItem(item_fields.text("id"), item_fields.text("tekst")))
    return Subtheme(
        id=fields.text("id"),
        naam=fields.text("naam"),
        thema_id=theme_id,
        aliassen=tuple(fields.text_list("aliassen")),
        toelichting=fields.text("toelichting", required=False),
        checklist=tuple(items),
    )


def _check_unique_names(path: Path, framework: Framework) -> list[Problem]:
    """Every id, name, alias and checklist id must point to exactly one thing."""
    problems = []
    owner: dict[str, str] = {}
    for theme in framework.themas:
        for s in theme.subthemas:
            names = [s.id, s.naam, *s.aliassen] + [i.id for i in s.checklist]
            for name in dict.fromkeys(normalize_key(n) for n in names if n):
                if name in owner:
                    problems.append(Problem(str(path), f"naam '{name}' hoort bij zowel "
                                                       f"'{owner[name]}' als '{s.id}'"))
                owner[name] = s.id
    theme_ids = [t.id for t in framework.themas]
    for dup in {i for i in theme_ids if theme_ids.count(i) > 1}:
        problems.append(Problem(str(path), f"thema-id '{dup}' komt meer dan eens voor"))
    return problems
