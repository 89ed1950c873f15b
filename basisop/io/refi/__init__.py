"""The REFI-QDA bridge: the wegingskader out as a codebook, coded projects in as codings.

    archive   untrusted .qdpx and XML read safely (caps, no DTDs, nothing extracted)
    codebook  export (.qdc) with deterministic GUIDs; reading codebooks of other tools
    project   project.qde into plain values
    positions code points or UTF-16 units, decided per file
    mapping   codes to subthemes, checklist items and oordelen
    importer  rows of the codings table, the report and the CLI entry
    export    the study's codings as a project (.qdpx)
"""

from basisop.io.refi.archive import QdpxError
from basisop.io.refi.codebook import codebook_bytes, read_codebook, write_codebook
from basisop.io.refi.export import ExportResult, export_project
from basisop.io.refi.importer import (
    ImportResult,
    UnmappedCode,
    check_codings,
    import_project,
    passage_texts,
)
from basisop.io.refi.positions import CODE_POINTS, UTF16
from basisop.io.refi.project import read_project

__all__ = ["CODE_POINTS", "UTF16", "ExportResult", "ImportResult", "QdpxError", "UnmappedCode",
           "check_codings", "codebook_bytes", "export_project", "import_project",
           "passage_texts", "read_codebook", "read_project", "write_codebook"]
