"""YAML reading that remembers line numbers, so a fault can be named by its place in the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from basisop.io.paths import read_input_bytes
from basisop.problems import Problem, ValidationError


class LineDict(dict):
    """A mapping that knows the line it starts on."""

    line: int = 0


class _LineLoader(yaml.SafeLoader):
    """Plain scalars stay text: YAML 1.1 would read `code: 0363` as 243 and `code: NO` as
    False. Only `null` (and an empty value) keeps its meaning; numbers are parsed where used."""

    faults: list[tuple[int, str]]


_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    # A repeated key would silently replace the first (a second `codering:` dropped most of
    # the fragments): collect it as a fault with both lines instead.
    first_line: dict[object, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str | None):
            continue  # a complex key: the Fields checks reject it as an unknown key
        if key in first_line:
            loader.faults.append((line, f"sleutel '{key}' komt twee keer voor: rij "
                                        f"{first_line[key]} en rij {line}; verwijder of hernoem "
                                        "er een"))
        else:
            first_line[key] = line
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> list[Any]:
    # `- ~` or an empty `- ` is a slip, not an item: "None" must never become a gemeente.
    for item in node.value:
        if item.tag == "tag:yaml.org,2002:null":
            loader.faults.append((item.start_mark.line + 1,
                                  "lege waarde (~ of niets) in een lijst; vul die in of "
                                  "verwijder de regel"))
    return loader.construct_sequence(node, deep=True)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(path: Path) -> Any:
    """Parse a YAML file safely; a syntax error, a repeated key or a null in a list becomes a
    ValidationError with its line."""
    try:
        text = read_input_bytes(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError([Problem(str(path), f"geen UTF-8 ({exc.reason})")]) from None
    loader = _LineLoader(text)
    loader.faults = []
    try:
        value = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise ValidationError([Problem(str(path), f"ongeldige YAML: {exc}", row=row)]) from None
    except RecursionError:
        raise ValidationError([Problem(str(path), "ongeldige YAML: te diep genest (lijsten of "
                                                  "sleutels in elkaar)")]) from None
    finally:
        loader.dispose()
    if loader.faults:
        raise ValidationError([Problem(str(path), reason, row=line)
                               for line, reason in sorted(loader.faults)])
    return value


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
        # ASCII digits only: "²".isdigit() holds but int("²") fails, and "١" is no Dutch number.
        if not (text.isascii() and text.isdecimal()) or int(text) < minimum:
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
