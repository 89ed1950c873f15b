"""The text engine: views of a text (as written, as a reader sees it, folded) that map back.

Every view keeps a map to the offsets of the text it came from, so a hit in a folded, stripped
view is reported at its line and column in the file as written.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

from basisop.io.tables import decode

_BASE64 = re.compile(r"[A-Za-z0-9+/]{100,}={0,2}")
_MARKUP = re.compile(
    r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<!\[CDATA\[|\]\]>"
    r"|<(/?)([a-zA-Z][\w:-]*)(?:\s[^<>]*)?/?>|<![^<>]*>|<\?[^<>]*\?>"
    r"|&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});?",
    re.DOTALL | re.IGNORECASE)
# Tags inside a line of text: removing them joins their neighbours ("Jan<b>sen</b>").
_INLINE_TAGS = {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em",
                "font", "i", "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strong",
                "sub", "sup", "time", "u", "var", "wbr", "w:r", "w:t", "t", "r"}
LOOKS_HTML = re.compile(r"<(?:!doctype|html|body|div|p|span|td|tr|table|br|h[1-6]|li)\b",
                        re.IGNORECASE)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>.*?</style\s*>", re.DOTALL | re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_WHITESPACE_RUN = re.compile(r"\s{2,}")
# Letters without a decomposition, and typographic quotes and dashes a renderer may substitute.
_FOLD_EXTRA = {"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "æ": "ae", "Æ": "ae", "œ": "oe",
               "Œ": "oe", "đ": "d", "Đ": "d", "ı": "i", "‘": "'", "’": "'", "‚": "'", "‛": "'",
               "′": "'", "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "‐": "-", "‑": "-",
               "‒": "-", "–": "-", "—": "-"}
# Confusables: Cyrillic and Greek letters drawn like Latin ones ("Jаnsen" with a Cyrillic а),
# folded to the Latin letter they imitate (after Unicode's confusables.txt, letters only).
_LOOKALIKES = (
    "аa Аa вb Вb еe Еe іi Іi јj Јj кk Кk мm Мm нh Нh оo Оo рp Рp сc Сc тt Тt уy Уy хx Хx "
    "ѕs Ѕs ԁd ӏl ԛq ԝw αa Αa βb Βb εe Εe ζz Ζz ηn Ηh ιi Ιi κk Κk μm Μm νv Νn οo Οo ρp Ρp "
    "τt Τt υu Υy χx Χx")
_FOLD_EXTRA.update(pair for pair in _LOOKALIKES.split(" "))
_HYPHEN_BREAK = re.compile(r"(?<=\w)-[^\S\n]*\n\s*(?=\w)")


Edits = Callable[[], Iterable[tuple[int, int, int]]]


class Mapped:
    """A rewritten text that can trace an offset back to the text it came from.

    The trace is worked out on first use, from `edits` (each replaced span's start and end in
    the parent's text and its replacement's length, in order): a scan asks where a hit is, and
    most texts have none.
    """

    def __init__(self, text: str, parent: Mapped | None = None, edits: Edits | None = None):
        self.text = text
        self.parent = parent
        self._edits = edits
        self._map: tuple[list[int], list[int]] | None = None

    def source_offset(self, offset: int) -> int:
        if self._map is None:
            self._map = _offsets(self._edits() if self._edits else ())
        new, old = self._map
        i = bisect_right(new, offset) - 1
        inner = old[i] + (offset - new[i])
        if i + 1 < len(old):
            inner = min(inner, max(old[i], old[i + 1] - 1))
        return self.parent.source_offset(inner) if self.parent else inner


def _offsets(edits: Iterable[tuple[int, int, int]]) -> tuple[list[int], list[int]]:
    """Per rewritten span, where it starts in the new text and in the old one."""
    new, old = [0], [0]
    shift = 0
    for start, end, length in edits:
        new.append(start + shift)
        old.append(start)
        shift += length - (end - start)
        new.append(end + shift)
        old.append(end)
    return new, old


def rewrite(source: Mapped, pattern: re.Pattern[str],
            replace: str | Callable[[re.Match], str]) -> Mapped:
    """Replace each match of `pattern` in `source.text` (by a fixed text, or by what `replace`
    makes of the match), keeping offsets traceable."""
    if isinstance(replace, str):
        text, count = pattern.subn(replace.replace("\\", "\\\\"), source.text)
    else:
        text, count = pattern.subn(replace, source.text)
    if not count:
        return Mapped(source.text, parent=source)

    def edits() -> Iterator[tuple[int, int, int]]:
        for match in pattern.finditer(source.text):
            length = len(replace) if isinstance(replace, str) else len(replace(match))
            yield match.start(), match.end(), length

    return Mapped(text, source, edits)


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """Case-, accent- and width-insensitive form of one character; whitespace becomes a space."""
    if char.isspace():
        return " "
    if unicodedata.category(char) == "Cf":  # soft hyphen, zero-width space ...
        return ""
    if char in _FOLD_EXTRA:
        return _FOLD_EXTRA[char]
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold(text: str) -> str:
    """The compared form of a datum: as `fold_view` makes of a text, trimmed."""
    return fold_view(Mapped(text)).text.strip()


def fold_view(source: Mapped) -> Mapped:
    """Casefold, strip accents and collapse whitespace: two regex passes and one translate."""
    mapped = rewrite(source, _WHITESPACE_RUN, " ")
    chars = set(mapped.text)
    irregular = [c for c in chars if len(_fold_char(c)) != 1]  # "ß", a soft hyphen, "æ"
    if irregular:
        mapped = rewrite(mapped, re.compile(f"[{re.escape(''.join(irregular))}]"),
                         lambda m: _fold_char(m.group()))
    table = {ord(c): _fold_char(c) for c in chars if len(_fold_char(c)) == 1}
    mapped.text = mapped.text.translate(table)
    return mapped


def unbroken(source: Mapped) -> list[Mapped]:
    """A text with words broken by a hyphen at a line end joined: "Jan-\nsen" as "Jansen",
    and "Dijk-\nÖztürk" as "Dijk-Öztürk" (the hyphen may be the name's own). None if none."""
    if not _HYPHEN_BREAK.search(source.text):
        return []
    return [rewrite(source, _HYPHEN_BREAK, ""), rewrite(source, _HYPHEN_BREAK, "-")]


def _markup_replacement(match: re.Match) -> str:
    text = match.group()
    if text.startswith("&"):
        return html.unescape(text)
    tag = (match.group(3) or "").lower()
    return "" if tag in _INLINE_TAGS else " "


def _stripped(source: Mapped) -> Mapped:
    """The text a reader sees: tags, scripts, styles and comments removed, entities unescaped."""
    return rewrite(source, _MARKUP, _markup_replacement)


def _without_base64(source: Mapped) -> Mapped:
    return rewrite(source, _BASE64, " ")


def _blank(text: str) -> str:
    """Spaces of the same length (line breaks kept), so places stay exact."""
    return re.sub(r"[^\n]", " ", text)


def _without_css_comments(source: Mapped) -> Mapped:
    """Stylesheet comments carry template credits ("(c) Name <address>"), never report content."""
    return rewrite(source, _STYLE_BLOCK,
                   lambda m: _CSS_COMMENT.sub(lambda c: _blank(c.group()), m.group()))


def views(text: str, *, html_like: bool) -> list[Mapped]:
    """The text as written (base64 payloads left out) and, for markup, as a reader sees it."""
    raw = _without_base64(Mapped(text))
    if not html_like:
        return [raw]
    raw = _without_css_comments(raw)
    return [raw, _stripped(raw)]


def line_place(text: str) -> Callable[[int], str]:
    """Offset -> "regel L, teken C" in `text`."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def place(offset: int) -> str:
        line = bisect_right(starts, offset) - 1
        return f"regel {line + 1}, teken {offset - starts[line] + 1}"

    return place


def decode_bytes(data: bytes) -> str:
    """The loader's decoding, so a Windows-1252 file's accented names are found too."""
    return decode(data, "")[0]
