"""The batch layer: papermill execution, nbconvert export, the privacy gate, atomic publishing.

Modules: execute (parallel workers, time limits), export (HTML and audit notebook), publish
(privacy gate and atomic writes), pdf (pages printed by headless Chromium), run (`basisop run`
end to end).
"""

import sys

# nbformat validates notebooks with jsonschema, which on import builds 38 grammars for the
# optional rfc3987-syntax package (installed beside JupyterLab) to check "iri" formats that no
# notebook schema uses: a second of CPU in every `basisop run` and in its kernel template
# before any notebook starts. Marked absent, jsonschema skips that checker (a documented way to
# block an import); nothing here or in the notebooks checks IRIs.
sys.modules.setdefault("rfc3987_syntax", None)

from basisop.batch.execute import Failure, NotebookJob, run_notebooks  # noqa: E402
from basisop.batch.publish import HeldBack  # noqa: E402
from basisop.batch.run import RunResult, run_study  # noqa: E402

__all__ = ["Failure", "HeldBack", "NotebookJob", "RunResult", "run_notebooks", "run_study"]
