"""Publishing into the reports folder: the privacy gate, then one all-or-nothing commit.

Fail-closed: a file with any finding is held back and its previous version stays; so is a file
the guard could not check. A file that passes is staged beside its target at once (written and
synced while the run goes on: hundreds of syncs at the end were seconds of a national run),
and the staged files are committed together: a journal listing them is written first (the
commit point), then each is renamed into place. A run stopped before the journal leaves the
old set (it removes what it staged; after a kill the next run does); killed after it, the next
run finishes the renames: the new set.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from basisop.io.atomic import atomic_write_bytes, sync_folder
from basisop.privacy import Finding, PrivacyGuard

RULE_SCAN_FAILED = "controle mislukt"
JOURNAL = ".basisop-publicatie.json"
STAGED_SUFFIX = ".basisop-nieuw"
_LEFTOVER_SUFFIXES = (STAGED_SUFFIX, ".tmp")  # .tmp: an interrupted atomic write


@dataclass(frozen=True)
class HeldBack:
    """A file not published, and why (findings name rule and place, never the datum)."""

    path: Path
    findings: tuple[Finding, ...]

    def __str__(self) -> str:
        reasons = "; ".join(f"{f.rule} ({f.place})" for f in self.findings)
        return f"{self.path}: {reasons}"


class Publisher:
    """Gates files for one reports folder and commits those that pass, all at once."""

    def __init__(self, guard: PrivacyGuard, folder: Path | None = None):
        self.guard = guard
        self.folder = folder
        self.pending: dict[Path, bytes] = {}
        self.published: list[Path] = []
        self.held_back: list[HeldBack] = []
        self.scan_seconds = 0.0  # in the privacy gate, for the benchmark's stage times

    def publish_text(self, target: Path, text: str) -> bool:
        """Scan `text` as HTML or plain text; stage it for `target` if clean."""
        return self._gate(target, text.encode("utf-8"),
                          lambda: self.guard.scan_text(text, str(target)))

    def publish_file(self, target: Path, staged: Path) -> bool:
        """Scan a staged file as a file (a notebook's JSON escapes are decoded); stage if clean."""
        def scan() -> list[Finding]:
            # scan_file knows JSON: "\u00e9" and "\n" inside strings cannot hide a datum there.
            return [dataclasses.replace(f, file=str(target))
                    for f in self.guard.scan_file(staged)]

        return self._gate(target, staged.read_bytes(), scan)

    def will_exist(self, target: Path) -> bool:
        """After the commit: staged now, or published by an earlier run."""
        return target in self.pending or target.is_file()

    def _gate(self, target: Path, data: bytes, scan) -> bool:
        started = time.perf_counter()
        try:
            findings = list(scan())
        except Exception as exc:  # fail-closed: what could not be checked is not published
            findings = [Finding(str(target), RULE_SCAN_FAILED, type(exc).__name__)]
        scanned = time.perf_counter()
        self.scan_seconds += scanned - started
        if findings:
            self.held_back.append(HeldBack(target, tuple(findings)))
            return False
        if self.folder is None:  # a single file: written at once, atomically
            atomic_write_bytes(target, data)
            self.published.append(target)
        else:
            _write_synced(_staged(target), data)
            self.pending[target] = data
        return True

    def commit(self) -> None:
        """Put every staged file in place, all or nothing (see the module docstring)."""
        if self.folder is None or not self.pending:
            return
        moves = [(_staged(target), target) for target in self.pending]
        for folder in {staged.parent for staged, _ in moves}:
            sync_folder(folder)  # the staged names are durable before the journal names them
        journal = self.folder / JOURNAL
        with _signals_held():  # a SIGTERM or Ctrl-C waits until the set is complete
            atomic_write_bytes(journal, json.dumps(
                [[str(s.relative_to(self.folder)), str(t.relative_to(self.folder))]
                 for s, t in moves]).encode("utf-8"))
            _finish(self.folder, moves)
        self.published += list(self.pending)
        self.pending.clear()

    def discard(self) -> None:
        """A run stopped before its commit: remove what it staged; the old set stays. Once the
        journal exists the commit has begun, and the staged files are the next run's to finish."""
        if self.folder is None or (self.folder / JOURNAL).exists():
            return
        for target in self.pending:
            _staged(target).unlink(missing_ok=True)
        self.pending.clear()


def _staged(target: Path) -> Path:
    return target.with_name(f".{target.name}{STAGED_SUFFIX}")


def _write_synced(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)  # a fresh file: the umask's mode, not a leftover's
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def recover(folder: Path) -> None:
    """After a killed run: finish a journalled commit, remove what was staged before it."""
    journal = folder / JOURNAL
    if journal.is_file():
        try:
            moves = [(folder / s, folder / t) for s, t in json.loads(journal.read_text("utf-8"))]
        except (ValueError, TypeError):  # a journal cut short: the commit never began
            journal.unlink()
        else:
            _finish(folder, moves)
    if folder.is_dir():
        for path in folder.rglob(".*"):
            if path.is_file() and path.name.endswith(_LEFTOVER_SUFFIXES):
                path.unlink(missing_ok=True)


def _finish(folder: Path, moves: list[tuple[Path, Path]]) -> None:
    for staged, target in moves:
        if staged.exists():
            os.replace(staged, target)
    sync_folder(folder)
    (folder / JOURNAL).unlink(missing_ok=True)
    sync_folder(folder)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    held = {signal.SIGTERM, signal.SIGINT}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
