"""Which framework element each code of a project stands for: by GUID, description or name.

GUID first (the codebook came from basisop), then the 'basisop:...' key in the description (a
tool re-minted the GUIDs), then the name or an alias (a codebook typed by hand). Every code gets
a CodeMatch, mapped or not, so nothing is dropped without a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from basisop.io.refi.codebook import (
    OORDEEL_NAME,
    QdaCode,
    Target,
    framework_targets,
    guid_of,
    key_of,
    parse_key,
)
from basisop.model import Framework, normalize_key, parse_status

VIA_GUID, VIA_DESCRIPTION, VIA_NAME = "guid", "omschrijving", "naam"
_ITEM_ID = re.compile(r"^\s*([a-z0-9_]+\.\d+)(?:\s|:|$)")
_FOLDER_NAMES = {normalize_key(OORDEEL_NAME), "oordelen", "status", "kleur"}


@dataclass(frozen=True)
class CodeMatch:
    code: QdaCode
    target: Target | None
    via: str = ""
    reason: str = ""  # why it maps to nothing (or to a folder), in Dutch

    @property
    def is_evidence(self) -> bool:
        return self.target is not None and self.target.is_evidence

    @property
    def is_oordeel(self) -> bool:
        return self.target is not None and self.target.kind == "oordeel"


def match_codes(codes: list[QdaCode], framework: Framework) -> dict[str, CodeMatch]:
    """A CodeMatch per code guid; `codes` must list parents before children."""
    targets = framework_targets(framework)
    by_guid = {guid_of(key): target for key, target in targets.items()}
    matches: dict[str, CodeMatch] = {}
    for code in codes:
        parent = matches.get(code.parent) if code.parent else None
        matches[code.guid] = _match(code, parent, framework, targets, by_guid)
    return matches


def _match(code: QdaCode, parent: CodeMatch | None, framework: Framework,
           targets: dict[str, Target], by_guid: dict[str, Target]) -> CodeMatch:
    if code.guid in by_guid:
        return CodeMatch(code, by_guid[code.guid], VIA_GUID)
    key = parse_key(code.description)
    if key is not None:
        target = targets.get(key_of(*key) if key[1] else key_of(key[0]))
        if target is not None:
            return CodeMatch(code, target, VIA_DESCRIPTION)
        return CodeMatch(code, None, reason=f"'{key_of(*key)}' staat niet (meer) in het "
                                            "wegingskader van deze studie")
    return _match_name(code, parent, framework)


def _match_name(code: QdaCode, parent: CodeMatch | None, framework: Framework) -> CodeMatch:
    name = normalize_key(code.name)
    try:
        return CodeMatch(code, Target("oordeel", parse_status(code.name).value), VIA_NAME)
    except ValueError:
        pass
    if name in _FOLDER_NAMES:
        return CodeMatch(code, Target("map", "oordeel"), VIA_NAME)
    subtheme = framework.subtheme(code.name)
    if subtheme is not None:
        return CodeMatch(code, Target("subthema", subtheme.id, subtheme.id), VIA_NAME)
    item = _checklist_by_name(code.name, parent, framework)
    if isinstance(item, Target):
        return CodeMatch(code, item, VIA_NAME)
    theme = next((t for t in framework.themas if name in (normalize_key(t.naam),
                                                         normalize_key(t.id))), None)
    if theme is not None:
        return CodeMatch(code, Target("thema", theme.id), VIA_NAME)
    return CodeMatch(code, None, reason=item or "geen subthema, checklistpunt of oordeel uit "
                                                "het wegingskader (naam, alias of id)")


def _checklist_by_name(name: str, parent: CodeMatch | None,
                       framework: Framework) -> Target | str | None:
    """The item named by text or id; within the parent's subtheme first (texts repeat)."""
    key = normalize_key(name)
    found = _ITEM_ID.match(key)
    wanted = {key} | ({found.group(1)} if found else set())
    items = [(s.id, i.id) for s in framework.subthemes for i in s.checklist
             if wanted & {normalize_key(i.id), normalize_key(i.tekst)}]
    if parent is not None and parent.target is not None and parent.target.subtheme:
        items = [p for p in items if p[0] == parent.target.subtheme] or items
    if len(items) == 1:
        subtheme, item = items[0]
        return Target("checklist", item, subtheme)
    if len(items) > 1:
        return (f"checklistpunt komt in meerdere subthema's voor ({', '.join(i for _, i in items)})"
                "; zet de code onder het juiste subthema of noem het id")
    return None
