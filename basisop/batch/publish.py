"""Publishing into the reports folder: the privacy gate, then an atomic write.

Fail-closed: a file with any finding is held back and its previous version stays; so is a file
the guard could not check. Writes are atomic, so a reader sees the old file or the new one.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

from basisop.io.atomic import atomic_write_bytes
from basisop.privacy import Finding, PrivacyGuard

RULE_SCAN_FAILED = "controle mislukt"


@dataclass(frozen=True)
class HeldBack:
    """A file not published, and why (findings name rule and place, never the datum)."""

    path: Path
    findings: tuple[Finding, ...]

    def __str__(self) -> str:
        reasons = "; ".join(f"{f.rule} ({f.place})" for f in self.findings)
        return f"{self.path}: {reasons}"


class Publisher:
    """Writes files into the reports folder after the guard has passed them."""

    def __init__(self, guard: PrivacyGuard):
        self.guard = guard
        self.published: list[Path] = []
        self.held_back: list[HeldBack] = []
        self.scan_seconds = 0.0  # in the privacy gate, for the benchmark's stage times
        self.write_seconds = 0.0

    def publish_text(self, target: Path, text: str) -> bool:
        """Scan `text` as HTML or plain text; write it to `target` if clean."""
        return self._publish(target, text.encode("utf-8"),
                             lambda: self.guard.scan_text(text, str(target)))

    def publish_file(self, target: Path, staged: Path) -> bool:
        """Scan a staged file as a file (a notebook's JSON escapes are decoded); copy if clean."""
        def scan() -> list[Finding]:
            # scan_file knows JSON: "\u00e9" and "\n" inside strings cannot hide a datum there.
            return [dataclasses.replace(f, file=str(target))
                    for f in self.guard.scan_file(staged)]

        return self._publish(target, staged.read_bytes(), scan)

    def _publish(self, target: Path, data: bytes, scan) -> bool:
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
        atomic_write_bytes(target, data)
        self.published.append(target)
        self.write_seconds += time.perf_counter() - scanned
        return True
