"""Privacy guard, fail-closed: find personal data and confidential text in files before they leave.

One job per module: `text` (views of a text that map back to the source), `detectors` (the
rules and their hits), `formats` (how each kind of file is read), `study` (what a study says
must not be circulated), `guard` (the compiled guard) and `command` (check-privacy's glue).
A Finding names the file, the rule and the place, never the datum itself.

The rules, what each finds and its false-positive cost are in the README's "Confidentiality"
section. Out of scope (said, not silently assumed): a paraphrase, a first name or short
surname alone, a nickname, markup inside a name in plain-text formats ("Jan **Jansen**" in
Markdown), text inside images (skipped) and text encoded inside a file (base64 payloads;
compressed files are reported as not checkable, so they cannot pass; a PDF is checked through
the text and metadata pypdf extracts, and one it cannot read is not checkable).
"""

from basisop.privacy.command import check_paths, guard_for
from basisop.privacy.detectors import (
    RULE_CONFIDENTIAL,
    RULE_CONTACT,
    RULE_EMAIL,
    RULE_MISSING,
    RULE_NAME,
    RULE_PERSONAL,
    RULE_PHONE,
    RULE_RESPONDENT,
    RULE_UNCHECKABLE,
    Finding,
)
from basisop.privacy.guard import PrivacyGuard
from basisop.privacy.text import fold

__all__ = ["RULE_CONFIDENTIAL", "RULE_CONTACT", "RULE_EMAIL", "RULE_MISSING", "RULE_NAME",
           "RULE_PERSONAL", "RULE_PHONE", "RULE_RESPONDENT", "RULE_UNCHECKABLE", "Finding",
           "PrivacyGuard", "check_paths", "fold", "guard_for"]
