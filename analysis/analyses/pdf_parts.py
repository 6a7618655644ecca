"""A long PDF laid out in two processes: WeasyPrint is pure Python for the layout, one core per
render, and a 50-patient analysis spends ~5 s there on one core. The document is cut in two
HTML documents at a patient's checklist (each starts on a new page anyway); a forked child
lays out and writes the second while this process does the first; the two PDFs are joined and
each page stamped with "Sida X av Y", which neither half can know alone (pypdf).

The child gets nothing but an HTML string (the template, the database and the access log stay
in the parent), writes its PDF's bytes to a pipe and leaves with ``os._exit``, so nothing of
the parent's (connections, files, atexit handlers) is closed or run twice. If the child fails
or cannot be forked, this process lays out the second half itself: slower, the same PDF.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable

from django.conf import settings
from django.template.loader import render_to_string

# A two-part render only pays for the fork, the join and the stamp from this many checklists on.
MIN_SHEETS = 8


def processes() -> int:
    """Processes a PDF may use (``SVU_PDF_PROCESSES``: 2 by default, 1 lays out in one)."""
    if not hasattr(os, "fork"):
        return 1
    return int(settings.SVU_PDF_PROCESSES)


Render = Callable[[str], bytes]


def _child(render: Render, html: str, fd: int) -> None:
    """The child's whole life: lay out, write the bytes to the pipe, leave without cleanup."""
    status = 1
    try:
        data = render(html)
        with os.fdopen(fd, "wb") as pipe:
            pipe.write(data)
        status = 0
    finally:
        os._exit(status)


def _fork(render: Render, html: str) -> Callable[[], bytes | None] | None:
    """Start the child on ``html``; returns a function that waits for its bytes (None if it
    failed), or None if no child could be started."""
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:  # pragma: no cover - the child; its PDF is what the tests read
        os.close(read_fd)
        _child(render, html, write_fd)
    os.close(write_fd)

    def result() -> bytes | None:
        with os.fdopen(read_fd, "rb") as pipe:
            data = pipe.read()  # read to the end before waiting: the pipe's buffer is small
        _, status = os.waitpid(pid, 0)
        return data if os.waitstatus_to_exitcode(status) == 0 and data else None

    return result


def page_numbers(pages: int) -> str:
    """A document of ``pages`` empty pages with only "Sida X av Y", in the geometry and style
    the analysis's own pages have (the same template parts; stamped onto the joined pages)."""
    return render_to_string("pdf/page_numbers.html", {"pages": range(pages)})


def join_numbered(render: Render, parts: list[bytes]) -> bytes:
    """The parts as one PDF, in order, each page stamped with its number of the whole."""
    from pypdf import PdfReader, PdfWriter

    readers = [PdfReader(io.BytesIO(part)) for part in parts]
    writer = PdfWriter()
    for reader in readers:
        writer.append(reader)
    if readers[0].metadata:
        writer.add_metadata(dict(readers[0].metadata))
    numbers = PdfReader(io.BytesIO(render(page_numbers(len(writer.pages)))))
    for page, stamp in zip(writer.pages, numbers.pages, strict=True):
        page.merge_page(stamp)
        page.compress_content_streams()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_in_two(
    render: Render, first: str, rest: str, joining: Callable[[], None] | None = None
) -> bytes:
    """``first`` rendered here and ``rest`` in a child at the same time (``render``: HTML to
    PDF bytes), joined and numbered. Neither document may number its own pages."""
    waiting = _fork(render, rest)
    first_pdf = render(first)
    rest_pdf = waiting() if waiting is not None else None
    if rest_pdf is None:
        rest_pdf = render(rest)
    if joining is not None:
        joining()
    return join_numbered(render, [first_pdf, rest_pdf])
