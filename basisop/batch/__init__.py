"""The batch layer: papermill execution, nbconvert export, the privacy gate, atomic publishing.

Modules: execute (parallel workers, time limits), export (HTML and audit notebook), publish
(privacy gate and atomic writes), pdf (pages printed by headless Chromium), run (`basisop run`
end to end).
"""

from basisop.batch.execute import Failure, NotebookJob, run_notebooks
from basisop.batch.publish import HeldBack
from basisop.batch.run import RunResult, run_study

__all__ = ["Failure", "HeldBack", "NotebookJob", "RunResult", "run_notebooks", "run_study"]
