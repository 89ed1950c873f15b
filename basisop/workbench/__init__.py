"""The analysts' workbench: the study explored, previewed and weighed in JupyterLab.

    study     `open_study` and `Workbench`: filtered fragments, scores, rules compared
    preview   a chapter or the regional comparison, rendered inline in an isolated frame
    whatif    a judgement or the rule changed in memory, and what that changes
    figures   evidence per subtheme, rule-vs-judgement agreement, spread behind each status
    explorer  the ipywidgets explorer on top of all of them

It sits above scoring and presentation (like batch) and is imported by nothing below it.
Its tables may show respondent ids: it is for analysts, never for circulation.
"""

from basisop.workbench.study import Workbench, open_study

__all__ = ["Workbench", "open_study"]
