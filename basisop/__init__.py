"""basisop: reproducible evaluation of the local approach to radicalisation (wegingskader)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from basisop.workbench import Workbench

__version__ = "0.1.0"


def open_study(path: Path | str | None = None) -> Workbench:
    """The analysts' workbench on a study (default: the embedded one); see basisop.workbench.

    Imported when called, so `import basisop.model` does not load pandas, matplotlib and
    ipywidgets.
    """
    from basisop.workbench import open_study as _open

    return _open(path)
