"""Opening an import file as the systems that write them do: the encoding, the separator, the
header, and the rows one at a time (never the whole file in memory).

- Encoding: UTF-8 with or without a byte-order mark, or Windows-1252 (older exports; Latin-1
  is its subset for every letter a Swedish file holds), recognised from the bytes; or as given.
  A UTF-16 file (Excel's "Unicode text") or a workbook saved as .xlsx is named as such.
- Separator: ``,`` or ``;`` (what Swedish Excel writes), whichever splits the header into the
  known column names.
- Every read problem is an ``ImportFailed`` with ``row N, column X: reason``, N being the row
  as a spreadsheet shows it (the header is row 1; a quoted line break stays inside its row).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from discharges.imports.parsing import COLUMNS, REQUIRED_COLUMNS
from discharges.imports.report import ImportFailed, Unreadable, row_error

SEPARATORS = (",", ";")
SCAN_BYTES = 1 << 20
# Byte-order marks and file signatures that are not a CSV text we read.
_UTF16 = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_WORKBOOKS = {
    b"PK\x03\x04": gettext_lazy("the file is an Excel workbook (.xlsx), not CSV"),
    b"\xd0\xcf\x11\xe0": gettext_lazy("the file is an Excel 97 workbook (.xls), not CSV"),
}
_LETTER = re.compile(r"[^\x00-\x7f\ufffd]")  # a character UTF-8 writes in more than one byte
_SAVE_AS = gettext_lazy("save it from Excel as «CSV UTF-8» or «CSV (semikolonavgränsad)»")


@dataclass
class Source:
    """An opened import file: how it is read, and its header."""

    file: IO[bytes]
    encoding: str
    separator: str
    header: list[str]
    size: int  # bytes
    lines: int  # line breaks in the file: at least the rows (a row may hold more than one)

    def position(self) -> int:
        """Bytes read so far (approximately: the decoder reads ahead)."""
        return self.file.tell()


def open_source(file: IO[bytes], *, encoding: str | None = None) -> Source:
    """Recognise the file's encoding and separator and check its header; raises ImportFailed
    (row 1) when the file cannot be read as an import file."""
    head = file.read(4)
    file.seek(0)
    _refuse_other_formats(head)
    lines, size, detected = _scan(file)
    file.seek(0)
    if encoding is None:
        encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else detected
    first = _first_line(file, encoding)
    separator, header = _header(first)
    errors = _header_errors(header)
    if errors:
        raise ImportFailed(errors)
    file.seek(0)
    return Source(file, encoding, separator, header, size, lines)


def check_encoding(name: str) -> str:
    """The codec's canonical name; ValueError naming the encoding when Python has none."""
    try:
        return codecs.lookup(name).name
    except LookupError as exc:
        raise ValueError(
            _("unknown encoding %(name)s (e.g. utf-8, windows-1252)") % {"name": repr(name)}
        ) from exc


def _refuse_other_formats(head: bytes) -> None:
    if head.startswith(_UTF16):
        raise ImportFailed([row_error(1, "-", f"{_('the file is UTF-16 text')}; {_SAVE_AS}")])
    for signature, what in _WORKBOOKS.items():
        if head.startswith(signature):
            raise ImportFailed([row_error(1, "-", f"{what}; {_SAVE_AS}")])


def _scan(file: IO[bytes]) -> tuple[int, int, str]:
    """Line breaks, size, and the encoding the bytes are written in: UTF-8 when every byte
    sequence is valid UTF-8; Windows-1252 when none of the letters is (an older export); UTF-8
    when both occur (a few cells then show as unreadable, named by row and column)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    lines = size = 0
    invalid = multibyte = False
    while chunk := file.read(SCAN_BYTES):
        lines += chunk.count(b"\n")
        size += len(chunk)
        if not chunk.isascii():
            text = decoder.decode(chunk)
            invalid = invalid or "\ufffd" in text
            multibyte = multibyte or _LETTER.search(text) is not None
    invalid = invalid or "\ufffd" in decoder.decode(b"", final=True)
    return lines, size, "cp1252" if invalid and not multibyte else "utf-8"


def _text(file: IO[bytes], encoding: str) -> io.TextIOWrapper:
    # newline="": the csv module sees the line ends as written (CRLF inside quotes kept).
    return io.TextIOWrapper(file, encoding=encoding, errors="replace", newline="")


def _first_line(file: IO[bytes], encoding: str) -> str:
    text = _text(file, encoding)
    try:
        return text.readline()
    finally:
        text.detach()


def _header(first: str) -> tuple[str, list[str]]:
    """The separator that splits the header into the most known column names."""
    best: tuple[int, str, list[str]] | None = None
    for separator in SEPARATORS:
        names = next(csv.reader([first], delimiter=separator), [])
        header = [name.strip().lstrip("\ufeff").strip().lower() for name in names]
        known = sum(1 for name in header if name in COLUMNS)
        if best is None or known > best[0]:
            best = (known, separator, header)
    assert best is not None  # noqa: S101 (SEPARATORS is not empty)
    known, separator, header = best
    if known == 0:
        raise ImportFailed(
            [
                row_error(
                    1,
                    "-",
                    _(
                        "the first row names none of the columns (episode_id, personnummer, "
                        "kommun, ...); it must be the header, its names separated by , or ;"
                    ),
                )
            ]
        )
    return separator, header


def _header_errors(header: list[str]) -> list[str]:
    missing = _("missing from the header")
    errors = [row_error(1, c, missing) for c in REQUIRED_COLUMNS if c not in header]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            errors.append(row_error(1, name, _("appears twice in the header")))
        elif name not in COLUMNS:
            errors.append(row_error(1, name or "(empty)", _("unknown column")))
        seen.add(name)
    return errors


class _Lines:
    """The text's lines, remembering the first line of the row being read (to name the column
    of a quote that is never closed)."""

    def __init__(self, text: io.TextIOWrapper) -> None:
        self.text = text
        self.first: str | None = None
        self.start = True

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self.text)
        if self.start:
            self.first, self.start = line, False
        return line

    def row_done(self) -> None:
        self.start = True


def rows(source: Source) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, cells by column) for every row after the header; blank rows (Excel writes
    ``;;;;`` lines) are skipped but counted. Raises Unreadable at a row that cannot be read:
    the rest of the file cannot be read either."""
    text = _text(source.file, source.encoding)
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=source.separator, strict=True)
    header = source.header
    width = len(header)
    number = 1
    try:
        next(reader)  # the header, read in open_source
        while True:
            lines.row_done()
            number += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise _unreadable(number, str(exc), lines.first, source) from exc
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > width:
                raise Unreadable(number, str(width + 1), _too_many(width))
            values = [cell.strip() for cell in cells] + [""] * (width - len(cells))
            yield number, dict(zip(header, values, strict=True))
    finally:
        text.detach()


def _too_many(width: int) -> str:
    return _(
        "more cells than the header's %(n)s columns (a value holding the separator must be "
        'quoted: "...")'
    ) % {"n": width}


def _unreadable(number: int, problem: str, first: str | None, source: Source) -> Unreadable:
    """A csv module error as the row, column and reason it stands for."""
    opened = _open_quote_column(first or "", source)
    column = opened or "-"
    if "field larger than field limit" in problem and opened is None:
        reason = _("a cell is longer than the %(n)s characters a cell may hold") % {
            "n": csv.field_size_limit()
        }
    elif "field larger than field limit" in problem or "unexpected end of data" in problem:
        reason = _(
            'a quoted value is never closed: a " opens it and no " ends it, so the rest of '
            "the file would be one cell"
        )
    elif "expected after" in problem:
        reason = _('a " inside a quoted value must be doubled ("")')
    elif "NUL" in problem:
        reason = f"{_('the file holds NUL bytes, so it is not CSV text')}; {_SAVE_AS}"
    else:
        reason = _("cannot be read as CSV (%(problem)s)") % {"problem": problem}
    return Unreadable(number, column, reason)


def _open_quote_column(line: str, source: Source) -> str | None:
    """The header column of the cell in which a quote opens and is not closed on ``line``."""
    index, quoted, at_start = 0, False, True
    opened = None
    i = 0
    while i < len(line):
        char = line[i]
        if quoted:
            if char == '"' and line[i + 1 : i + 2] == '"':
                i += 1
            elif char == '"':
                quoted = False
        elif char == '"' and at_start:
            quoted, opened = True, index
        elif char == source.separator:
            index, at_start = index + 1, True
            i += 1
            continue
        at_start = at_start and char in " \t"
        i += 1
    if not quoted or opened is None:
        return None
    return source.header[opened] if opened < len(source.header) else str(opened + 1)
