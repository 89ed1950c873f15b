"""YAML reading that remembers line numbers, so a fault can be named by its place in the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from basisop.problems import Problem, ValidationError


class LineDict(dict):
    """A mapping that knows the line it starts on."""

    line: int = 0


class _LineLoader(yaml.SafeLoader):
    """Plain scalars stay text: YAML 1.1 would read `code: 0363` as 243 and `code: NO` as
    False. Only `null` (and an empty value) keeps its meaning; numbers are parsed where used."""


_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path) -> Any:
    """Parse a YAML file safely; a syntax error becomes a ValidationError with its line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ValidationError([Problem(str(path), "bestand niet gevonden")]) from None
    except UnicodeDecodeError as exc:
        raise ValidationError([Problem(str(path), f"geen UTF-8 ({exc.reason})")]) from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise ValidationError([Problem(str(path), f"ongeldige YAML: {exc}", row=row)]) from None


class Fields:
    """Reads typed fields from one mapping and collects what is wrong, with line and key path."""

    def __init__(self, path: Path, mapping: Any, where: str, problems: list[Problem]):
        self.path, self.where, self.problems = path, where, problems
        self.ok = isinstance(mapping, dict)
        self.mapping = mapping if self.ok else {}
        self.line = getattr(mapping, "line", None)
        if not self.ok:
            self.fail(f"verwacht een sleutel-waardelijst, gevonden: {type(mapping).__name__}")

    def fail(self, reason: str, key: str | None = None) -> None:
        place = f"{self.where}.{key}" if key else self.where
        self.problems.append(Problem(str(self.path), f"{place}: {reason}", row=self.line))

    def text(self, key: str, *, required: bool = True, default: str = "") -> str:
        value = self.mapping.get(key)
        if value is None:
            if required and self.ok:
                self.fail("ontbreekt", key)
            return default
        if isinstance(value, dict | list):
            self.fail("verwacht tekst", key)
            return default
        return str(value).strip()

    def integer(self, key: str, *, default: int, minimum: int) -> int:
        text = self.text(key, required=False, default=str(default))
        if not text.isdigit() or int(text) < minimum:
            self.fail(f"verwacht een geheel getal van minstens {minimum}", key)
            return default
        return int(text)

    def text_list(self, key: str, *, required: bool = False) -> list[str]:
        value = self.mapping.get(key)
        if value is None:
            if required and self.ok:
                self.fail("ontbreekt", key)
            return []
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list) or any(isinstance(v, dict | list) for v in value):
            self.fail("verwacht een lijst van teksten", key)
            return []
        return [str(v).strip() for v in value]

    def items(self, key: str) -> list[Any]:
        value = self.mapping.get(key)
        if not isinstance(value, list) or not value:
            if self.ok:
                self.fail("verwacht een niet-lege lijst", key)
            return []
        return value

    def unknown_keys(self, allowed: set[str]) -> None:
        for key in self.mapping:
            if key not in allowed:
                self.fail(f"onbekende sleutel (toegestaan: {', '.join(sorted(allowed))})", str(key))
