"""Privacy guard, fail-closed: find personal data and confidential text in files before they leave.

A guard knows what must never be circulated: every name and contact detail in the respondent
register, the text of every fragment marked `vertrouwelijk`, the respondents' ids, and, for any
study, e-mail addresses and Dutch phone numbers. It scans a file as text in several views (as
written; for HTML and XML with tags stripped and entities unescaped; for JSON and notebooks the
string values) so markup cannot hide a datum. A Finding names the file, the rule and the place,
never the datum itself.

Out of scope (said, not silently assumed): a name written differently from the register
("J. Jansen", the surname alone, a nickname), text encoded inside a file (base64 payloads,
compressed files: reported as not checkable, so they cannot pass; a PDF is checked through the
text pypdf extracts, and one it cannot read is not checkable), markup
inside a name in plain-text formats ("Jan **Jansen**" in Markdown), a respondent id written in
other case than the register's ("w-r1": ids are matched case-sensitively, because short ids
such as "D-G" occur in minified scripts), phone numbers of other countries and Dutch service
numbers (0800, 0900). Images are skipped: they hold no text this guard can read.
"""

from __future__ import annotations

import html
import io
import json
import re
import unicodedata
import zipfile
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from basisop.io.dataset import StudyData, load_study_data
from basisop.io.records import (
    REGISTER_CONTACT_COLUMNS,
    REGISTER_NAME_COLUMNS,
    REGISTER_PUBLIC_COLUMNS,
    REGISTER_REQUIRED,
    parse_flag,
)
from basisop.io.study import DEFAULT_STUDY, load_study
from basisop.io.tables import decode, read_table
from basisop.problems import Problem, ValidationError

RULE_NAME = "naam uit register"
RULE_CONTACT = "contactgegeven uit register"
RULE_PERSONAL = "persoonsgegeven uit register"
RULE_EMAIL = "e-mailadres"
RULE_PHONE = "telefoonnummer"
RULE_CONFIDENTIAL = "vertrouwelijk fragment"
RULE_RESPONDENT = "respondent-id"
RULE_UNCHECKABLE = "niet te controleren bestand"
RULE_MISSING = "pad niet gevonden"


MIN_TOKEN_CHARS = 3  # a one-word name shorter than this is ignored (noise); full names never
MIN_CONTACT_CHARS = 5
MIN_FRAGMENT_CHARS = 15  # a shorter confidential fragment ("Ja.") would match everywhere
MIN_SENTENCE_CHARS = 40  # each sentence of a confidential fragment this long is matched alone

_HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".xml", ".svg"}
_JSON_SUFFIXES = {".json", ".ipynb"}
_ZIP_XML_SUFFIXES = {".xlsx", ".xlsm", ".docx", ".pptx", ".odt", ".ods"}
_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".ico"}
# Their text is compressed or encoded: it cannot be checked, so it may not pass.
_OPAQUE_SUFFIXES = {".zip", ".gz", ".7z", ".doc", ".xls", ".ppt", ".parquet", ".pkl"}

_EMAIL = re.compile(
    r"(?<![\w.%+-])(?P<local>[\w.%+-]+)@(?P<domain>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
    r"(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,})(?![\w-])", re.IGNORECASE)
# A Woo redaction code stands where the local part was: "5.1.2.e@hilversum.nl" is no address.
_WOO_CODE = re.compile(r"\d+(?:\.\d+)+(?:\.[a-z])?", re.IGNORECASE)
_PHONE = re.compile(
    r"(?<![\w+/.#-])(?<!\d,)(?:(?:\+|00)31[ -]?(?:\(0\)[ -]?)?(?P<intl>\d{1,3})"
    r"|\(?(?P<nat>0\d{1,3})\)?)(?P<rest>(?:[ -]?\d{2,}){1,4})(?![\w-]|[.,]\d)")
_DATE_LIKE = re.compile(r"(?<!\d)\d{1,2}[-/ ]\d{1,2}[-/ ](?:19|20)\d{2}(?!\d)")
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
_LOOKS_HTML = re.compile(r"<(?:!doctype|html|body|div|p|span|td|tr|table|br|h[1-6]|li)\b",
                         re.IGNORECASE)
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z_/+.-]{0,39}")
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>.*?</style\s*>", re.DOTALL | re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WHITESPACE_RUN = r"\s{2,}"
# Letters without a decomposition, and typographic quotes and dashes a renderer may substitute.
_FOLD_EXTRA = {"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "æ": "ae", "Æ": "ae", "œ": "oe",
               "Œ": "oe", "đ": "d", "Đ": "d", "ı": "i", "‘": "'", "’": "'", "‚": "'", "‛": "'",
               "′": "'", "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "‐": "-", "‑": "-",
               "‒": "-", "–": "-", "—": "-"}


@dataclass(frozen=True)
class Finding:
    """One hit: which file, which rule, where. It never carries the datum itself."""

    file: str
    rule: str
    place: str

    def __str__(self) -> str:
        return f"privacy: {self.file}: {self.rule} gevonden ({self.place})"


# -- text views with a map back to the source -------------------------------------------------

@dataclass
class _Mapped:
    """A rewritten text and, per rewritten span, where it started in the text it came from."""

    text: str
    new: list[int] = field(default_factory=lambda: [0])
    old: list[int] = field(default_factory=lambda: [0])
    parent: _Mapped | None = None

    def source_offset(self, offset: int) -> int:
        i = bisect_right(self.new, offset) - 1
        inner = self.old[i] + (offset - self.new[i])
        if i + 1 < len(self.old):
            inner = min(inner, max(self.old[i], self.old[i + 1] - 1))
        return self.parent.source_offset(inner) if self.parent else inner


def _rewrite(source: _Mapped, pattern: re.Pattern[str], replace: Callable[[re.Match], str]
             ) -> _Mapped:
    """Replace each match of `pattern` in `source.text`, keeping offsets traceable."""
    pieces: list[str] = []
    new, old = [0], [0]
    length = last = 0
    for match in pattern.finditer(source.text):
        start, end = match.span()
        pieces.append(source.text[last:start])
        length += start - last
        replacement = replace(match)
        new.append(length)
        old.append(start)
        pieces.append(replacement)
        length += len(replacement)
        new.append(length)
        old.append(end)
        last = end
    if last == 0 and len(new) == 1:
        return _Mapped(source.text, parent=source)
    pieces.append(source.text[last:])
    return _Mapped("".join(pieces), new, old, parent=source)


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
    """The compared form of a datum: as `_fold_view` makes of a text, trimmed."""
    return _fold_view(_Mapped(text)).text.strip()


def _fold_view(source: _Mapped) -> _Mapped:
    """Casefold, strip accents and collapse whitespace; one regex pass plus one translate."""
    chars = set(source.text)
    irregular = [c for c in chars if len(_fold_char(c)) != 1]
    parts = [_WHITESPACE_RUN] + ([f"[{re.escape(''.join(irregular))}]"] if irregular else [])
    pattern = re.compile("|".join(parts))
    mapped = _rewrite(source, pattern, lambda m: " " if m.group().isspace()
                      else "".join(_fold_char(c) for c in m.group()))
    table = {ord(c): _fold_char(c) for c in chars if len(_fold_char(c)) == 1}
    mapped.text = mapped.text.translate(table)
    return mapped


def _markup_replacement(match: re.Match) -> str:
    text = match.group()
    if text.startswith("&"):
        return html.unescape(text)
    tag = (match.group(3) or "").lower()
    return "" if tag in _INLINE_TAGS else " "


def _stripped(source: _Mapped) -> _Mapped:
    """The text a reader sees: tags, scripts, styles and comments removed, entities unescaped."""
    return _rewrite(source, _MARKUP, _markup_replacement)


def _without_base64(source: _Mapped) -> _Mapped:
    return _rewrite(source, _BASE64, lambda m: " ")


def _blank(text: str) -> str:
    """Spaces of the same length (line breaks kept), so places stay exact."""
    return re.sub(r"[^\n]", " ", text)


def _without_css_comments(source: _Mapped) -> _Mapped:
    """Stylesheet comments carry template credits ("(c) Name <address>"), never report content."""
    return _rewrite(source, _STYLE_BLOCK,
                    lambda m: _CSS_COMMENT.sub(lambda c: _blank(c.group()), m.group()))


def _views(text: str, *, html_like: bool) -> list[_Mapped]:
    """The text as written (base64 payloads left out) and, for markup, as a reader sees it."""
    raw = _without_base64(_Mapped(text))
    if not html_like:
        return [raw]
    raw = _without_css_comments(raw)
    return [raw, _stripped(raw)]


def pdf_text(data: bytes) -> str:
    """A PDF's metadata and the text of its pages (pypdf), a blank line between pages.

    Raises whatever pypdf raises for a damaged or encrypted file.
    """
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise ValueError("versleutelde PDF")
    info = [str(value) for value in (reader.metadata or {}).values()]
    return "\n\n".join([*info, *(page.extract_text() or "" for page in reader.pages)])


# -- the guard ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Hit:
    rule: str
    key: str  # the datum's compared form; used to de-duplicate, never shown
    offset: int  # in the view's source


class PrivacyGuard:
    """What must never be circulated, compiled once, and the scan of texts and files for it."""

    def __init__(self, *, literals: Iterable[tuple[str, str]] = (),
                 respondent_ids: Iterable[str] = (),
                 allowed: Iterable[str] = ()):
        """`literals`: (rule, datum) pairs matched case-, accent- and whitespace-insensitively.

        `allowed`: e-mail addresses and phone numbers that may appear (a public helpdesk, say);
        empty by default, and never a register datum.
        """
        self._allowed = {_generic_key(a) for a in allowed}
        self._rule_of: dict[str, str] = {}
        for rule, datum in literals:
            key = fold(datum)
            if key:
                self._rule_of.setdefault(key, rule)
        self._literal_re = _literal_pattern(self._rule_of)
        ids = sorted({i.strip() for i in respondent_ids if i and i.strip()}, key=len, reverse=True)
        self._id_count = len(ids)
        self._ids_re = re.compile(r"(?<![\w/-])(?:" + "|".join(map(re.escape, ids))
                                  + r")(?![\w/-])") if ids else None

    @classmethod
    def for_study(cls, data: StudyData) -> PrivacyGuard:
        """Names and contacts from the register, confidential fragments, respondent ids.

        Raises ValidationError when the study names a register that cannot be read: without
        it the guard cannot know what to look for, so nothing may pass.
        """
        literals, ids = _register_data(data)
        codings_literals, codings_ids = _codings_data(data)
        return cls(literals=literals + codings_literals, respondent_ids=ids + codings_ids)

    @classmethod
    def generic(cls) -> PrivacyGuard:
        """E-mail addresses and Dutch phone numbers only."""
        return cls()

    def describe(self) -> str:
        """What the guard looks for, in counts (never the data)."""
        counts: dict[str, int] = {}
        for rule in self._rule_of.values():
            counts[rule] = counts.get(rule, 0) + 1
        parts = [f"{n}× {rule}" for rule, n in sorted(counts.items())]
        if self._ids_re is not None:
            parts.append(f"{self._id_count} respondent-id's")
        parts += ["e-mailadressen", "telefoonnummers"]
        return ", ".join(parts)

    # scanning

    def scan_text(self, text: str, name: str) -> list[Finding]:
        """Scan a text (HTML recognised by its tags) and say where each datum was found."""
        hits = self._scan_views(_views(text, html_like=bool(_LOOKS_HTML.search(text))))
        return _findings(name, hits, _line_place(text))

    def scan_file(self, path: Path) -> list[Finding]:
        """Scan one file as text; HTML also without tags, JSON and notebooks also by value."""
        name, suffix = str(path), path.suffix.lower()
        if suffix in _IMAGE_SUFFIXES:
            return []
        if suffix in _OPAQUE_SUFFIXES:
            return [Finding(name, RULE_UNCHECKABLE, f"{suffix}-bestand; de inhoud is niet als "
                                                    "tekst te controleren")]
        try:
            data = path.read_bytes()
        except OSError as exc:
            return [Finding(name, RULE_UNCHECKABLE, f"niet leesbaar: {exc.strerror or exc}")]
        if suffix in _ZIP_XML_SUFFIXES:
            return self._scan_zip_xml(path, data)
        if suffix == ".pdf":
            return self._scan_pdf(name, data)
        if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return [Finding(name, RULE_UNCHECKABLE, "binair bestand; de inhoud is niet als "
                                                    "tekst te controleren")]
        text = _decode(data)
        html_like = suffix in _HTML_SUFFIXES or bool(_LOOKS_HTML.search(text))
        hits = self._scan_views(_views(text, html_like=html_like))
        findings = _findings(name, hits, _line_place(text))
        if suffix in _JSON_SUFFIXES:
            seen = {(h.rule, h.key) for h in hits}
            findings += self._scan_json_values(name, text, seen)
        return _unique(findings)

    def _scan_json_values(self, name: str, text: str, seen: set[tuple[str, str]]
                          ) -> list[Finding]:
        """JSON escapes text ("\\n", "\\u00e9"): scan the decoded string values as well."""
        try:
            document = json.loads(text)
        except ValueError:
            return []
        joined, starts, paths = _joined_strings(document, self._is_shown_safely)
        views = _views(joined, html_like=bool(_LOOKS_HTML.search(joined)))
        hits = [h for h in self._scan_views(views) if (h.rule, h.key) not in seen]

        def place(offset: int) -> str:
            i = max(bisect_right(starts, offset) - 1, 0)
            return f"JSON-pad {paths[i]}, teken {offset - starts[i] + 1}"

        return _findings(name, hits, place)

    def _scan_pdf(self, name: str, data: bytes) -> list[Finding]:
        try:
            text = pdf_text(data)
        except Exception as exc:  # fail-closed: a PDF we cannot read may not pass
            return [Finding(name, RULE_UNCHECKABLE, f"PDF niet te lezen ({type(exc).__name__})")]
        return _unique(_findings(name, self._scan_views(_views(text, html_like=False)),
                                 _line_place(text)))

    def _scan_zip_xml(self, path: Path, data: bytes) -> list[Finding]:
        """Office files are zips of XML: scan every XML part with the tags stripped."""
        findings: list[Finding] = []
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in sorted(archive.namelist()):
                    if member.endswith((".xml", ".rels", ".vml")):
                        text = _decode(archive.read(member))
                        hits = self._scan_views(_views(text, html_like=True))
                        place = _line_place(text)
                        findings += _findings(str(path), hits,
                                              lambda o, m=member, p=place: f"onderdeel {m}, {p(o)}")
        except (zipfile.BadZipFile, OSError, KeyError) as exc:
            return [Finding(str(path), RULE_UNCHECKABLE, f"geen leesbaar Office-bestand ({exc})")]
        return _unique(findings)

    def _is_shown_safely(self, key: str) -> bool:
        """May a JSON key be named in a place? Only a short plain word that holds no datum."""
        return bool(_PLAIN_KEY.fullmatch(key)) and not self._scan_views([_Mapped(key)])

    def _scan_views(self, views: list[_Mapped]) -> list[_Hit]:
        hits: list[_Hit] = []
        for view in views:
            hits += self._exact_hits(view)
            if self._literal_re is not None:
                folded = _fold_view(view)
                for match in self._literal_re.finditer(folded.text):
                    key = match.group()
                    hits.append(_Hit(self._rule_of[key], key,
                                     folded.source_offset(match.start())))
        return hits

    def _exact_hits(self, view: _Mapped) -> Iterator[_Hit]:
        """Rules matched on the unfolded text: respondent ids (case-sensitive), e-mail, phone."""
        text = view.text
        if self._ids_re is not None:
            for match in self._ids_re.finditer(text):
                yield _Hit(RULE_RESPONDENT, match.group(), view.source_offset(match.start()))
        for match in _EMAIL.finditer(text):
            key = match.group().casefold()
            if not _WOO_CODE.fullmatch(match.group("local")) and key not in self._allowed:
                yield _Hit(RULE_EMAIL, key, view.source_offset(match.start()))
        for match in _PHONE.finditer(text):
            digits = _phone_digits(match)
            if digits and digits not in self._allowed:
                yield _Hit(RULE_PHONE, digits, view.source_offset(match.start()))


def _generic_key(value: str) -> str:
    """How an allowed address or number is compared: lower case, or the national digits."""
    value = value.strip()
    match = _PHONE.fullmatch(value)
    digits = _phone_digits(match) if match else None
    return digits or value.casefold()


def _literal_pattern(rule_of: dict[str, str]) -> re.Pattern[str] | None:
    """One regex for every folded datum, as a trie (fast on long lists), word-bounded at word ends.

    A plain alternation of some hundred fragments takes seconds per megabyte; a trie lets the
    regex engine reject a position on its first character.
    """
    if not rule_of:
        return None
    word_start = [k for k in rule_of if re.match(r"\w", k)]
    other_start = [k for k in rule_of if not re.match(r"\w", k)]
    parts = []
    if word_start:
        parts.append(r"(?<!\w)" + _trie_regex(word_start))
    if other_start:
        parts.append(_trie_regex(other_start))
    return re.compile("|".join(parts))


def _trie_regex(keys: list[str]) -> str:
    trie: dict = {}
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[""] = True
    return _trie_node(trie, "")


def _trie_node(node: dict, last: str) -> str:
    """Longer continuations first, so the longest datum wins; ends need a word boundary.

    A chain of single children is written as one run, so recursion only goes as deep as the
    number of branch points (a long fragment is one run, not a thousand nested calls).
    """
    alternatives = []
    for char, child in sorted(node.items()):
        if not char:
            continue
        run = [char]
        while len(child) == 1 and "" not in child:
            (char, child), = child.items()
            run.append(char)
        alternatives.append(re.escape("".join(run)) + _trie_node(child, char))
    if "" in node:
        alternatives.append(r"(?!\w)" if re.match(r"\w", last) else "")
    if len(alternatives) == 1:
        return alternatives[0]
    return "(?:" + "|".join(alternatives) + ")"


def _phone_digits(match: re.Match) -> str | None:
    """The number in national form when the match is a plausible Dutch phone number."""
    if _DATE_LIKE.search(match.group()):
        return None
    rest = re.sub(r"\D", "", match.group("rest"))
    if match.group("intl") is not None:
        digits = "0" + match.group("intl") + rest
    else:
        digits = match.group("nat") + rest
    if len(digits) != 10 or digits[1] == "0":
        return None
    return digits


def _findings(name: str, hits: Iterable[_Hit], place: Callable[[int], str]) -> list[Finding]:
    seen: set[tuple[str, str, int]] = set()
    findings = []
    for hit in sorted(hits, key=lambda h: (h.offset, h.rule)):
        if (hit.rule, hit.key, hit.offset) not in seen:
            seen.add((hit.rule, hit.key, hit.offset))
            findings.append(Finding(name, hit.rule, place(hit.offset)))
    return _unique(findings)


def _unique(findings: list[Finding]) -> list[Finding]:
    return list(dict.fromkeys(findings))


def _line_place(text: str) -> Callable[[int], str]:
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def place(offset: int) -> str:
        line = bisect_right(starts, offset) - 1
        return f"regel {line + 1}, teken {offset - starts[line] + 1}"

    return place


def _decode(data: bytes) -> str:
    """The loader's decoding, so a Windows-1252 file's accented names are found too."""
    return decode(data, "")[0]


def _joined_strings(document: object, safe_key: Callable[[str], bool]
                    ) -> tuple[str, list[int], list[str]]:
    """Every string value (images left out), joined by blank lines, with where each starts."""
    pieces: list[str] = []
    starts: list[int] = []
    paths: list[str] = []
    length = 0
    for json_path, value in _strings(document, "", safe_key):
        starts.append(length)
        paths.append(json_path or "/")
        pieces.append(value)
        length += len(value) + 2
    return "\n\n".join(pieces), starts, paths


def _strings(node: object, where: str, safe_key: Callable[[str], bool]
             ) -> Iterator[tuple[str, str]]:
    """(JSON path, text) of every string; a key that might hold a datum is shown by number."""
    if isinstance(node, str):
        yield where, node
    elif isinstance(node, list):
        if node and all(isinstance(x, str) for x in node):  # notebook source: lines of one text
            yield where, "".join(node)
            return
        for i, item in enumerate(node):
            yield from _strings(item, f"{where}/{i}", safe_key)
    elif isinstance(node, dict):
        for number, (key, value) in enumerate(node.items()):
            key = str(key)
            if key.startswith("image/"):
                continue
            yield from _strings(key, f"{where}/<sleutel {number + 1}>", safe_key)
            shown = key if safe_key(key) else f"<sleutel {number + 1}>"
            yield from _strings(value, f"{where}/{shown}", safe_key)


# -- what a study says must not be circulated --------------------------------------------------

def _register_data(data: StudyData) -> tuple[list[tuple[str, str]], list[str]]:
    """Every personal cell of the register (accepted or not) and every id in it."""
    path = data.study.respondenten
    literals: list[tuple[str, str]] = []
    ids: list[str] = []
    if path is None:
        return literals, ids
    table = read_table(path, required=REGISTER_REQUIRED, extra_columns_ok=True)
    if not table.columns:
        raise ValidationError([Problem(str(path), "respondentenregister niet leesbaar; de "
                                                  "privacycontrole kan niet worden gedaan")]
                              + [p for p in table.problems if p.is_error])
    for row in table.rows:
        for column, value in row.values.items():
            if column == "id":
                ids.append(value)
            elif column not in REGISTER_PUBLIC_COLUMNS:
                literals += _personal_values(column, value)
    return literals, ids


def _personal_values(column: str, value: str) -> list[tuple[str, str]]:
    """The data in one register cell; a cell may hold several, separated by ';'."""
    if column in REGISTER_NAME_COLUMNS:
        rule = RULE_NAME
    elif column in REGISTER_CONTACT_COLUMNS:
        rule = RULE_CONTACT
    else:
        rule = RULE_PERSONAL
    values = []
    for part in {value, *value.split(";")}:
        key = fold(part)
        single_token = " " not in key
        if rule == RULE_NAME and single_token and len(key) < MIN_TOKEN_CHARS:
            continue
        if rule != RULE_NAME and len(key) < MIN_CONTACT_CHARS:
            continue
        values.append((rule, part))
    return values


def _codings_data(data: StudyData) -> tuple[list[tuple[str, str]], list[str]]:
    """Confidential fragments and respondent ids, from accepted and rejected coding rows."""
    frame = data.codings.frame
    rows = [(str(r.get("respondent", "")), str(r.get("fragment", "")),
             bool(r.get("vertrouwelijk"))) for r in frame.to_dict("records")]
    for raw in data.codings.rejected_rows:
        if "fragment" not in raw:  # an unusable table: its confidential rows cannot be known
            raise ValidationError([Problem(raw["bestand"], "codering niet leesbaar (kolom "
                                           "'fragment' ontbreekt); de privacycontrole kan niet "
                                           "worden gedaan")])
        rows.append((str(raw.get("respondent", "")), str(raw["fragment"]),
                     _maybe_confidential(str(raw.get("vertrouwelijk", "")))))
    literals: list[tuple[str, str]] = []
    ids = [respondent for respondent, _, _ in rows if respondent]
    for _, fragment, confidential in rows:
        if confidential:
            literals += [(RULE_CONFIDENTIAL, text) for text in _confidential_texts(fragment)]
    return literals, ids


def _maybe_confidential(flag: str) -> bool:
    """Fail-closed: anything but a clear 'nee' (or empty) counts as confidential."""
    try:
        return parse_flag(flag)
    except ValueError:
        return True


def _confidential_texts(fragment: str) -> list[str]:
    """The whole fragment, and each long sentence of it (a quote may be partial)."""
    texts = [fragment] if len(fold(fragment)) >= MIN_FRAGMENT_CHARS else []
    sentences = _SENTENCE_END.split(fragment.strip())
    if len(sentences) > 1:
        texts += [s for s in sentences if len(fold(s)) >= MIN_SENTENCE_CHARS]
    return texts


# -- files, folders and the command ------------------------------------------------------------

def check_paths(paths: Iterable[Path], guard: PrivacyGuard) -> list[Finding]:
    """Scan files, and every file under folders (recursively, in a stable order)."""
    findings: list[Finding] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                findings += guard.scan_file(file)
        elif path.is_file():
            findings += guard.scan_file(path)
        else:
            findings.append(Finding(str(path), RULE_MISSING, "bestand of map bestaat niet"))
    return findings


def guard_for(study_path: Path | None) -> tuple[PrivacyGuard, str]:
    """The guard for a study file; for none, the default study's, or the generic rules."""
    if study_path is not None:
        study = load_study(study_path)
        return PrivacyGuard.for_study(load_study_data(study)), f"studie {study.id}"
    try:
        study = load_study(DEFAULT_STUDY)
        return PrivacyGuard.for_study(load_study_data(study)), f"standaardstudie {study.id}"
    except (ValidationError, OSError):
        return PrivacyGuard.generic(), "alleen algemene regels (standaardstudie niet te laden)"
