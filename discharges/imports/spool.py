"""The rows the first pass found valid, kept on disk until the second pass writes them.

The first pass runs every row through the services once and keeps the result here, a batch
at a time (pickled and compressed), so the second pass writes without checking again and the
import's memory stays that of one batch. An anonymous temporary file: unlinked as soon as it
is created (nothing of the patients' data remains when the import ends, whatever happens).
"""

from __future__ import annotations

import pickle
import struct
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from discharges.bulk import Rows
from discharges.services.batch import BatchRows

_LENGTH = struct.Struct("<Q")


@dataclass
class SpooledBatch:
    rows: int  # the file's rows it holds
    patients: Rows  # new patients (discharges.imports.batches.PATIENT_FIELDS)
    batch: BatchRows


class Spool:
    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self.batches = 0
        self.rows = 0

    def add(self, spooled: SpooledBatch) -> None:
        data = zlib.compress(pickle.dumps(spooled, pickle.HIGHEST_PROTOCOL), 1)
        self.file.write(_LENGTH.pack(len(data)))
        self.file.write(data)
        self.batches += 1
        self.rows += spooled.rows

    def __iter__(self) -> Iterator[SpooledBatch]:
        self.file.seek(0)
        for _ in range(self.batches):
            (length,) = _LENGTH.unpack(self.file.read(_LENGTH.size))
            yield pickle.loads(zlib.decompress(self.file.read(length)))  # noqa: S301 (our own)

    def close(self) -> None:
        self.file.close()
