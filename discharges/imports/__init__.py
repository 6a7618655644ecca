"""CSV import of historical episodes (e.g. a region moving its Lifecare SP history in).

Every row goes through the service functions of discharges.services, the one write path, with
a ``BatchRecorder``: the very same checks and projection as a page write, in memory, saved in
bulk. The file is one transaction: any invalid row refuses the file with every error listed as
``row N, column X: reason`` and nothing is stored. Re-importing a file changes nothing: rows are
matched on ``episode_id``; a row adds only the messages its stored episode lacks, and a value
that differs from the stored one is an error.

- ``reading``: encoding (UTF-8 with or without BOM, Windows-1252), separator (``,`` or ``;``),
  header, rows one at a time.
- ``parsing``: each cell in its strict form (``Row``, ``Parser``).
- ``steps``: the messages a row stands for, and what a stored episode lacks.
- ``batches``: the checking pass, a batch of rows at a time; ``seen`` and ``spool`` keep what
  it needs across batches on disk.
- ``running``: the two passes in one transaction (``import_file``, ``import_csv``).
- ``jobs``: an upload from the admin, imported by a Celery task.
"""

from discharges.imports.context import IMPORT_HEALTH_CENTRE, IMPORT_HOSPITAL, Context
from discharges.imports.parsing import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    CellError,
    Parser,
    Row,
    parse_date,
    parse_datetime,
)
from discharges.imports.reading import check_encoding
from discharges.imports.report import MAX_LISTED, ImportFailed, ImportResult
from discharges.imports.running import CHECKING, WRITING, Progress, import_csv, import_file
from discharges.imports.steps import IMPORTED_CONTACT

__all__ = [
    "CHECKING",
    "COLUMNS",
    "IMPORTED_CONTACT",
    "IMPORT_HEALTH_CENTRE",
    "IMPORT_HOSPITAL",
    "MAX_LISTED",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "WRITING",
    "CellError",
    "Context",
    "ImportFailed",
    "ImportResult",
    "Parser",
    "Progress",
    "Row",
    "check_encoding",
    "import_csv",
    "import_file",
    "parse_date",
    "parse_datetime",
]
