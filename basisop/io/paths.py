"""Where basisop reads and writes: checked before any work starts, every fault said in Dutch.

A derived output (score -o, validate --afgewezen, run --out, codebook, import-qdpx -o) never
replaces one of the study's inputs; an output folder is checked for writing before any
notebook runs; an input that is no regular file (a folder, /dev/zero, a symlink loop) or is
larger than the cap is refused before it is read.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from basisop.model import Study
from basisop.problems import Problem, ValidationError

# Input files larger than this are refused before reading: a 1,000,000-row codings CSV is about
# 250 MB. The environment variable raises (or lowers) it.
MAX_INPUT_MB_SETTING = "BASISOP_MAX_INVOER_MB"
DEFAULT_MAX_INPUT_MB = 1024
# A run needs room for its pages and audit notebooks; less free space than this is "full".
MIN_FREE_BYTES = 50 * 2**20

_REASONS = {
    errno.EACCES: "geen toestemming (alleen-lezen of van een andere gebruiker?)",
    errno.EPERM: "geen toestemming",
    errno.EROFS: "het bestandssysteem is alleen-lezen",
    errno.ENOSPC: "de schijf is vol",
    errno.EDQUOT: "de schijfruimte (quota) is op",
    errno.EISDIR: "dit is een map, geen bestand",
    errno.ENOTDIR: "een deel van het pad is een bestand, geen map",
    errno.ELOOP: "symbolische koppelingen verwijzen in een kring naar elkaar",
    errno.ENOENT: "bestaat niet",
    errno.ENAMETOOLONG: "de naam is te lang",
    errno.EEXIST: "bestaat al",
}


def os_reason(exc: OSError) -> str:
    """A Dutch reason for an OS fault, with the file it concerns when the OS names one."""
    reason = _REASONS.get(exc.errno or 0, f"systeemfout ({exc.strerror or exc})")
    return f"{exc.filename}: {reason}" if exc.filename else reason


def max_input_bytes() -> int:
    text = os.environ.get(MAX_INPUT_MB_SETTING, "")
    mb = int(text) if text.isascii() and text.isdecimal() else DEFAULT_MAX_INPUT_MB
    return mb * 2**20


def input_problem(path: Path) -> str | None:
    """Why this input cannot be read as a file (None when it can), checked without reading it."""
    try:
        info = path.stat()
    except OSError as exc:
        return "bestand niet gevonden" if exc.errno == errno.ENOENT else _REASONS.get(
            exc.errno or 0, os_reason(exc))
    if stat.S_ISDIR(info.st_mode):
        return "dit is een map, geen bestand"
    if not stat.S_ISREG(info.st_mode):
        return "geen gewoon bestand (een apparaat, pijp of socket); verwacht een bestand"
    limit = max_input_bytes()
    if info.st_size > limit:
        return (f"bestand is te groot ({info.st_size // 2**20} MB; maximaal {limit // 2**20} "
                f"MB, te verhogen met de omgevingsvariabele {MAX_INPUT_MB_SETTING})")
    return None


def read_input_bytes(path: Path) -> bytes:
    """An input file's bytes, or a ValidationError naming the file and the reason in Dutch."""
    reason = input_problem(path)
    if reason is None:
        try:
            return path.read_bytes()
        except OSError as exc:
            reason = _REASONS.get(exc.errno or 0, os_reason(exc))
    raise ValidationError([Problem(str(path), reason)])


def study_inputs(study: Study) -> list[Path]:
    """Every file the study reads: the study file, the framework and every table."""
    files = [study.path, *study.codering, study.oordelen, study.prioriteiten,
             study.aanbevelingen, study.respondenten, study.wegingskader]
    return [Path(f) for f in files if f is not None]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except (OSError, RuntimeError):
        return False


def output_file_problems(path: Path, inputs: Iterable[Path] = ()) -> list[Problem]:
    """Faults that would make writing this output file fail or destroy an input."""
    name = str(path)
    if any(_same_file(path, i) for i in inputs):
        return [Problem(name, "dit is een invoerbestand van de studie; een afgeleid bestand "
                              "mag het niet vervangen. Kies een andere naam.")]
    if path.is_dir():
        return [Problem(name, "dit is een map; geef een bestandsnaam")]
    try:
        path.lstat()
        path.stat()  # a symlink loop or a dangling link fails here
    except FileNotFoundError:
        pass
    except OSError as exc:
        return [Problem(name, _REASONS.get(exc.errno or 0, os_reason(exc)))]
    return _writable_folder(path.parent, name)


def output_folder_problems(folder: Path, inputs: Iterable[Path] = ()) -> list[Problem]:
    """Faults that would make a run fail to publish into this folder, found before it runs."""
    name = str(folder)
    existing = next((part for part in (folder, *folder.parents) if part.exists()), Path("."))
    if not existing.is_dir():
        return [Problem(str(existing), "dit is een bestand, geen map; geef een uitvoermap")]
    resolved = _resolved(folder)
    inside = [i for i in inputs if resolved is not None and _resolved(i) is not None
              and resolved in _resolved(i).parents]  # type: ignore[union-attr]
    if inside:
        return [Problem(name, f"de uitvoermap bevat invoer van de studie ({inside[0]}); wat "
                              "in deze map staat wordt verspreid. Kies een andere map.")]
    # Probe the folder, or the nearest one that exists: nothing is created before the run.
    return _writable_folder(existing, name)


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve(strict=False)
    except (OSError, RuntimeError):
        return None


def _writable_folder(folder: Path, name: str) -> list[Problem]:
    """Try what writing will do (a file in the folder), so no fault comes after the work."""
    folder = folder if str(folder) else Path(".")
    try:
        if not folder.is_dir():
            raise FileNotFoundError(errno.ENOENT, "", str(folder))
        fd, probe = tempfile.mkstemp(prefix=".basisop-", suffix=".tmp", dir=folder)
        os.close(fd)
        os.unlink(probe)
        free = shutil.disk_usage(folder).free
    except OSError as exc:
        where = "de map " if exc.errno == errno.ENOENT else ""
        return [Problem(name, f"kan hier niet schrijven: {where}{os_reason(exc)}")]
    if free < MIN_FREE_BYTES:
        return [Problem(name, f"kan hier niet schrijven: de schijf is (bijna) vol "
                              f"({free // 2**20} MB vrij, minstens {MIN_FREE_BYTES // 2**20} "
                              "MB nodig)")]
    return []


def require_output_file(path: Path, inputs: Iterable[Path] = ()) -> None:
    problems = output_file_problems(path, inputs)
    if problems:
        raise ValidationError(problems)
