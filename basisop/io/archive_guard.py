"""One guard for every zip basisop opens: XLSX input, REFI .qdpx and the privacy scan's XLSX
and DOCX. Entry count, total uncompressed size and compression ratio are checked from the
headers before anything is decompressed; every cap names the setting that raises it."""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

# Below this size a member cannot be a bomb worth the name; tiny members compress oddly.
RATIO_CHECK_MIN_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Cap:
    """A limit with its default and the environment variable that changes it."""

    setting: str
    default: int
    unit: str = ""  # "MB": the setting is in MiB, the value in bytes

    @property
    def value(self) -> int:
        text = os.environ.get(self.setting, "")
        number = int(text) if text.isascii() and text.isdecimal() else self.default
        return number * 2**20 if self.unit == "MB" else number

    def said(self, shown: int | None = None) -> str:
        shown = shown if shown is not None else (
            self.value // 2**20 if self.unit == "MB" else self.value)
        unit = f" {self.unit}" if self.unit else ""
        return f"maximaal {shown:,}{unit}".replace(",", ".") + (
            f", te verhogen met de omgevingsvariabele {self.setting}")


MAX_MEMBERS = Cap("BASISOP_MAX_ARCHIEF_BESTANDEN", 10_000)
MAX_UNPACKED = Cap("BASISOP_MAX_UITGEPAKT_MB", 2048, "MB")
MAX_RATIO = Cap("BASISOP_MAX_COMPRESSIE", 200)
# A workbook of a few million cells is the intended scale of a coding workbook.
MAX_CELLS = Cap("BASISOP_MAX_CELLEN", 10_000_000)

CHUNK_BYTES = 1 << 20
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")
_SHEET = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)


class ArchiveRefused(ValueError):
    """A zip that is not opened: the reason is a Dutch sentence for the user."""


def check_members(infos: Iterable[zipfile.ZipInfo]) -> None:
    """Refuse an archive whose headers promise too many members, too many bytes, or a bomb."""
    infos = list(infos)
    if len(infos) > MAX_MEMBERS.value:
        raise ArchiveRefused(f"te veel bestanden in het archief ({len(infos)}; "
                             f"{MAX_MEMBERS.said()})")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNPACKED.value:
        raise ArchiveRefused(f"het archief is uitgepakt te groot ({total // 2**20} MB; "
                             f"{MAX_UNPACKED.said()})")
    for info in infos:
        if info.file_size < RATIO_CHECK_MIN_BYTES:
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > MAX_RATIO.value:
            raise ArchiveRefused(f"'{info.filename}' is verdacht sterk gecomprimeerd "
                                 f"({ratio:.0f}:1; {MAX_RATIO.said()}:1): mogelijk een zip-bom")


def open_checked(path: os.PathLike[str] | str) -> zipfile.ZipFile:
    """Open a zip and check its headers; the caller closes it. Raises ArchiveRefused, or
    zipfile.BadZipFile / OSError for what is no zip at all."""
    archive = zipfile.ZipFile(path)
    try:
        check_members(archive.infolist())
    except ArchiveRefused:
        archive.close()
        raise
    return archive


def check_workbook_cells(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook with more cells than the cap, counted before a spreadsheet library
    builds an object per cell (a 2 MB workbook took gigabytes that way)."""
    limit = MAX_CELLS.value
    if workbook_cells(archive, stop_after=limit) > limit:
        raise ArchiveRefused(f"het werkboek heeft meer dan {limit:_} cellen ".replace("_", ".")
                             + f"({MAX_CELLS.said()}); bewaar alleen de werkbladen met "
                             "codering in het werkboek")


def workbook_cells(archive: zipfile.ZipFile, *, stop_after: int | None = None) -> int:
    """The number of cells in every worksheet, counted by streaming the XML."""
    count = 0
    for info in archive.infolist():
        if not _SHEET.fullmatch(info.filename):
            continue
        with archive.open(info) as handle:
            pending = b""
            while chunk := handle.read(CHUNK_BYTES):
                pending += chunk
                # Count up to the last "<": a tag cut by the chunk boundary waits for the rest.
                cut = max(pending.rfind(b"<"), 0)
                count += len(_CELL.findall(pending, 0, cut))
                pending = pending[cut:]
                if stop_after is not None and count > stop_after:
                    return count
            count += len(_CELL.findall(pending))
    return count
