"""Reading an untrusted .qdpx (a zip) and REFI XML safely: in memory, capped, without DTDs.

Nothing is extracted to disk. Every refusal is a QdpxError naming the file and the reason in
Dutch, raised before anything is written.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from basisop.io.archive_guard import ArchiveRefused, open_checked
from basisop.io.paths import input_problem

# Caps for reading members of an untrusted archive (entry count, total size and compression
# ratio are the shared archive guard's). Members are checked by their headers before any
# decompression and again while reading, so a lying header cannot get past them.
MAX_MEMBER_BYTES = 64 * 1024 * 1024  # one member that is read: project.qde or a text source
MAX_TOTAL_BYTES = 512 * 1024 * 1024  # all members read from one archive together
MAX_CODE_DEPTH = 100  # nesting of Code elements; deeper is a crafted file, not a codebook

_DRIVE = re.compile(r"^[A-Za-z]:")


class QdpxError(ValueError):
    """A REFI-QDA file that cannot be read safely or at all; the message is for the user."""

    def __init__(self, file: str | Path, reason: str):
        self.file, self.reason = str(file), reason
        super().__init__(f"{self.file}: {reason}")


def parse_xml(data: bytes, file: str) -> Element:
    """Parse REFI XML: no DTD, no entities, no external references (REFI never needs them)."""
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise QdpxError(file, "XML met een DTD of entiteiten wordt geweigerd (REFI-QDA gebruikt "
                              f"die nooit; mogelijk een aanval): {type(exc).__name__}") from exc
    except ParseError as exc:
        raise QdpxError(file, f"geen goed gevormde XML ({exc}); is het bestand afgekapt of "
                              "beschadigd?") from exc


def local_name(tag: object) -> str:
    """'{urn:QDA-XML:project:1.0}Code' -> 'Code'; the namespace variants differ only there."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(element: Element, name: str) -> list[Element]:
    """The direct children with this local name, whatever their namespace."""
    return [child for child in element if local_name(child.tag) == name]


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


class SafeArchive:
    """A .qdpx opened for reading members into memory, after checking every member's header."""

    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        self._read_bytes = 0
        reason = input_problem(path)
        if reason is not None:
            raise QdpxError(path, reason)
        try:
            self._zip = open_checked(path)
        except ArchiveRefused as exc:
            raise QdpxError(self.name, str(exc)) from None
        except FileNotFoundError as exc:
            raise QdpxError(path, "bestand niet gevonden") from exc
        except (zipfile.BadZipFile, OSError) as exc:
            raise QdpxError(path, "geen geldig .qdpx-bestand: " + _what_it_is(path)) from exc
        self._members = self._check_members()

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self._zip.close()

    def _check_members(self) -> dict[str, zipfile.ZipInfo]:
        infos = self._zip.infolist()
        members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            self._check_name(info.filename)
            key = info.filename.casefold()
            if key in members:
                # Names are looked up case-insensitively ('Sources/' or 'sources/'), so two
                # spellings of one name would make the choice ambiguous.
                self._refuse(f"bestandsnaam '{info.filename}' komt meer dan eens voor")
            members[key] = info
        return members

    def _check_name(self, name: str) -> None:
        reason = None
        if "\\" in name:
            reason = "bevat een backslash"
        elif name.startswith("/") or _DRIVE.match(name):
            reason = "is een absoluut pad"
        elif ".." in PurePosixPath(name).parts:
            reason = "bevat '..' (verwijst buiten het archief)"
        elif any(ord(c) < 32 for c in name):
            reason = "bevat stuurtekens"
        if reason:
            self._refuse(f"onveilige bestandsnaam '{name}' in het archief: {reason}")

    def _refuse(self, reason: str) -> None:
        self._zip.close()
        raise QdpxError(self.name, reason)

    def names(self) -> list[str]:
        return [info.filename for info in self._members.values()]

    def find(self, name: str) -> str | None:
        """The member's real name, matched without regard to case; None if absent."""
        info = self._members.get(name.casefold())
        return info.filename if info else None

    def read(self, name: str) -> bytes:
        """A member's bytes, within the caps; the name must come from names() or find()."""
        info = self._members[name.casefold()]
        if info.flag_bits & 0x1:
            self._refuse(f"'{name}' is versleuteld; exporteer het project zonder wachtwoord")
        limit = min(MAX_MEMBER_BYTES, MAX_TOTAL_BYTES - self._read_bytes)
        if info.file_size > limit:
            self._refuse(self._too_large(name, info.file_size))
        try:
            with self._zip.open(info) as handle:
                data = handle.read(limit + 1)
        except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError) as exc:
            raise QdpxError(self.name, f"'{name}' kan niet worden gelezen ({exc})") from exc
        if len(data) > limit:
            self._refuse(self._too_large(name, len(data)))
        self._read_bytes += len(data)
        return data

    def _too_large(self, name: str, size: int) -> str:
        if self._read_bytes + size > MAX_TOTAL_BYTES:
            return (f"de gelezen bestanden samen zijn te groot (maximaal "
                    f"{MAX_TOTAL_BYTES // 2**20} MiB)")
        return (f"'{name}' is te groot ({size} bytes uitgepakt; maximaal "
                f"{MAX_MEMBER_BYTES} bytes)")


def _what_it_is(path: Path) -> str:
    """What a file that is no zip seems to be, from its first bytes, with what to do."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        return f"het kan niet worden gelezen ({exc.strerror})"
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n").lower()
    if "<codebook" in text:
        return ("dit is een REFI-QDA codeboek (.qdc), geen gecodeerd project; exporteer in uw "
                "QDA-pakket het hele project als REFI-QDA project (.qdpx)")
    if "<project" in text:
        return ("dit is een los project.qde (de XML zonder de bronnen); exporteer in uw "
                "QDA-pakket het hele project als .qdpx, dat ook de teksten van de bronnen bevat")
    if text.startswith(("<!doctype html", "<html")) or "<html" in text[:1024]:
        return ("dit is een webpagina (HTML), geen REFI-QDA project; waarschijnlijk is een "
                "downloadpagina of foutmelding opgeslagen: download of exporteer het .qdpx opnieuw")
    return "het is geen (leesbaar) zip-archief; exporteer het project opnieuw als .qdpx"


def read_file_capped(path: Path) -> bytes:
    """A loose REFI file (.qdc), within the same per-member cap."""
    reason = input_problem(path)
    if reason is not None:
        raise QdpxError(path, reason)
    try:
        size = path.stat().st_size
        if size > MAX_MEMBER_BYTES:
            raise QdpxError(path, f"bestand is te groot ({size} bytes; maximaal "
                                  f"{MAX_MEMBER_BYTES})")
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise QdpxError(path, "bestand niet gevonden") from exc
    except OSError as exc:
        raise QdpxError(path, f"bestand kan niet worden gelezen ({exc.strerror})") from exc
