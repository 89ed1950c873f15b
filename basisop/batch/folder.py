"""The reports folder's housekeeping: one run at a time, staging that never stays, the manifest.

- A lock file says which process runs into the folder; a second run refuses with a clear
  message, and a lock whose process is gone (a SIGKILL) is taken over.
- Each run stages its notebooks in its own folder under the system's temporary folder, named
  after its process; the next run removes those of processes that are gone.
- The manifest (`manifest.json`) records the study that produced the folder (its id, its path
  relative to the folder and a content hash, never an absolute path) and which run wrote each
  page. A run is named by a hash of its inputs, so identical runs write identical folders.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from basisop.batch.pages import MANIFEST
from basisop.model import Study

LOCK = ".basisop-run.lock"
STAGING = "basisop-staging"
_UNWRITTEN_LOCK_S = 10  # a lock file still empty after this long was left by a killed run


class FolderBusy(Exception):
    """Another live process runs into the same reports folder."""

    def __init__(self, folder: Path, holder: dict):
        since = time.strftime("%H:%M:%S", time.localtime(holder.get("start", 0)))
        super().__init__(f"{folder}: er loopt al een run in deze map (proces "
                         f"{holder.get('pid', '?')}, gestart om {since}); wacht tot die klaar "
                         "is, of kies een andere map met --out")


@contextlib.contextmanager
def run_lock(folder: Path) -> Iterator[None]:
    """Hold the folder's lock for the duration; FolderBusy if a live process holds it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK
    me = _me()
    for _attempt in range(3):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _live_holder(path)
            if holder is not None:
                raise FolderBusy(folder, holder) from None
            path.unlink(missing_ok=True)  # its process is gone: a stale lock
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(me, handle)
        break
    else:
        raise FolderBusy(folder, {})
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def _me() -> dict:
    return {"pid": os.getpid(), "start": psutil.Process().create_time()}


def _live_holder(path: Path) -> dict | None:
    try:
        holder = json.loads(path.read_text(encoding="utf-8"))
        return holder if _alive(int(holder["pid"]), float(holder["start"])) else None
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):  # being written, or cut short by a kill
        try:
            young = time.time() - path.stat().st_mtime < _UNWRITTEN_LOCK_S
        except OSError:
            return None
        return {} if young else None


def _alive(pid: int, start: float) -> bool:
    """Is that process still running (and not a new one that reuses its number)?"""
    try:
        return abs(psutil.Process(pid).create_time() - start) < 1
    except (psutil.NoSuchProcess, psutil.AccessDenied, ValueError):
        return False


@contextlib.contextmanager
def staging_folder() -> Iterator[Path]:
    """A fresh staging folder, removed afterwards; stale ones of dead runs are removed first."""
    root = Path(tempfile.gettempdir()) / STAGING
    root.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(root)
    me = _me()
    path = Path(tempfile.mkdtemp(prefix=f"{me['pid']}-{me['start']:.0f}-", dir=root))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def remove_stale_staging(root: Path) -> None:
    """Remove the staging folders of runs whose process is gone (killed, or a crash)."""
    for path in root.iterdir():
        pid, start, _ = (path.name.split("-", 2) + ["", ""])[:3]
        if not (pid.isdigit() and start.isdigit() and _alive(int(pid), float(start))):
            shutil.rmtree(path, ignore_errors=True)


# -- the manifest ------------------------------------------------------------------------------

@dataclass
class Manifest:
    study_id: str = ""
    study_path: str = ""  # relative to the reports folder
    study_hash: str = ""
    pages: dict[str, str] = field(default_factory=dict)  # relative file path -> run id

    def to_json(self) -> str:
        return json.dumps({"studie": {"id": self.study_id, "pad": self.study_path,
                                      "sha256": self.study_hash},
                           "paginas": dict(sorted(self.pages.items()))},
                          ensure_ascii=False, indent=1) + "\n"


def read_manifest(folder: Path) -> Manifest | None:
    """The folder's manifest, or None when it has none (or an unreadable one)."""
    try:
        raw = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        study = raw["studie"]
        return Manifest(str(study["id"]), str(study["pad"]), str(study["sha256"]),
                        {str(k): str(v) for k, v in raw["paginas"].items()})
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def manifest_after(folder: Path, study: Study, run: str, written: Iterable[Path]) -> Manifest:
    """The folder's manifest once `written` (paths in the folder) are published by `run`."""
    old = read_manifest(folder)
    pages = {name: by for name, by in (old.pages if old is not None else {}).items()
             if (folder / name).is_file()}  # a page removed by hand is no longer listed
    pages.update({p.relative_to(folder).as_posix(): run for p in written})
    return Manifest(study.id, relative_path(study.path, folder), file_hash(study.path), pages)


def relative_path(path: Path, folder: Path) -> str:
    try:
        return Path(os.path.relpath(path, folder)).as_posix()
    except ValueError:  # another drive (Windows): the name alone, never an absolute path
        return path.name


def file_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def run_id(study: Study, notebooks: Iterable[Path], version: str) -> str:
    """A run's name: a short hash of everything it reads, so a rerun keeps its name."""
    digest = hashlib.sha256(version.encode("utf-8"))
    digest.update(repr(study.framework).encode("utf-8"))
    files = [study.path, *study.codering,
             study.oordelen, study.prioriteiten, study.aanbevelingen, study.respondenten,
             *notebooks]
    for path in files:
        if path is not None:
            digest.update(file_hash(Path(path)).encode("ascii"))
    return digest.hexdigest()[:12]


def recorded_study(paths: Iterable[Path]) -> tuple[Path | None, list[str]]:
    """The study that produced the reports folders among `paths`, from their manifests, and
    what a reader must know about it (Dutch); (None, []) when no folder has a manifest."""
    found: dict[Path, Manifest] = {}
    for path in paths:
        manifest = read_manifest(Path(path)) if Path(path).is_dir() else None
        if manifest is not None and manifest.study_path:
            found[(Path(path) / manifest.study_path).resolve()] = manifest
    if len(found) != 1:
        notes = ["de mappen komen uit verschillende studies; geef er een met --study"] \
            if found else []
        return None, notes
    (study, manifest), = found.items()
    if not study.is_file():
        return None, [f"de studie uit manifest.json ({manifest.study_path}) is niet gevonden; "
                      "geef het studiebestand met --study"]
    if file_hash(study) != manifest.study_hash:
        return study, [f"let op: {manifest.study_path} is gewijzigd sinds deze map is gemaakt"]
    return study, []
