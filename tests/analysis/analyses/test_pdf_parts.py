"""The analysis PDF laid out in two processes (analysis/analyses/pdf_parts.py), read back with
poppler: the same pages as the one-process PDF, in order, each numbered "Sida X av Y" of the
whole; the second half really laid out by the child; a child that fails leaves the PDF whole."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.utils import translation

from analysis.analyses import pdf, pdf_parts
from analysis.analyses.checklist import all_labels
from discharges.personnummer import format_personnummer
from tests.analysis.analyses.conftest import March
from tests.analysis.analyses.pdftools import pdf_text, pdf_tool, squashed
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch: Any) -> list[str]:
    """Three patients cut in two parts; the HTML documents this process renders, in order."""
    monkeypatch.setattr(pdf_parts, "MIN_SHEETS", 2)
    seen: list[str] = []
    render = pdf.html_to_pdf

    def spy(html: str, *args: Any) -> bytes:
        seen.append(html)
        return render(html, *args)

    monkeypatch.setattr(pdf, "html_to_pdf", spy)
    return seen


def pages_of(content: bytes, tmp_path: Path) -> list[str]:
    text = pdf_text(content, tmp_path)
    pages = text.split("\f")
    count = int(re.search(r"Pages:\s+(\d+)", pdf_tool("pdfinfo", content, tmp_path))[1])  # type: ignore[index]
    assert len([p for p in pages if p.strip()]) == count
    return pages[:count]


def test_two_processes_make_the_same_pages_numbered_of_the_whole(
    filled: March,
    personas: Personas,
    renders: list[str],
    tmp_path: Path,
) -> None:
    with override_settings(SVU_PDF_PROCESSES=1):
        single = pdf.render_pdf(filled.analysis, personas.processledare, pseudonymised=False)
    assert len(renders) == 1 and "Sida" in renders[0]  # one document, numbered by WeasyPrint
    renders.clear()
    joined = pdf.render_pdf(filled.analysis, personas.processledare, pseudonymised=False)

    # This process rendered the first half and the page numbers; the child the second half.
    assert len(renders) == 2, [html[:80] for html in renders]
    assert "Checklista, patient 1" in renders[0] and "patient 2" not in renders[0]
    assert "Förbättringsåtgärder" not in renders[0] and "counter(pages)" not in renders[0]
    assert "counter(pages)" in renders[1] and "patient" not in renders[1]

    one, two = pages_of(single, tmp_path), pages_of(joined, tmp_path)
    assert len(two) == len(one) >= 5
    for number, page in enumerate(two, start=1):
        assert f"Sida {number} av {len(two)}" in page, number
        assert page.count("Sida ") == 1
    text = "".join(two)
    order = [text.index(f"Checklista, patient {n}") for n in (1, 2, 3)]
    assert order == sorted(order)
    for episode in (filled.first, filled.second, filled.psych):
        assert format_personnummer(episode.patient.personnummer) in text
    with translation.override("sv"):
        for label in all_labels():
            assert squashed(label) in squashed(text), label
    assert "Korttidsplatser bokas via gemensam lista" in text
    # The pages read the same but for their numbers' stamp, page for page.
    for a, b in zip(one, two, strict=True):
        assert re.sub(r"\s+", " ", a).strip() == re.sub(r"\s+", " ", b).strip()
    fonts = pdf_tool("pdffonts", joined, tmp_path)
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("DejaVu-Sans" in row[0] for row in rows), fonts


def test_a_child_that_fails_leaves_the_pdf_whole(
    filled: March,
    personas: Personas,
    renders: list[str],
    monkeypatch: Any,
    tmp_path: Path,
) -> None:
    def dies(*args: Any) -> None:
        os._exit(3)

    monkeypatch.setattr(pdf_parts, "_child", dies)
    content = pdf.render_pdf(filled.analysis, personas.processledare, pseudonymised=False)
    # The first half, then the second half here after the child failed, then the numbers.
    assert len(renders) == 3
    assert "Checklista, patient 2" in renders[1] and "Förbättringsåtgärder" in renders[1]
    pages = pages_of(content, tmp_path)
    assert all(f"Sida {n} av {len(pages)}" in page for n, page in enumerate(pages, start=1))
    text = "".join(pages)
    assert all(f"Checklista, patient {n}" in text for n in (1, 2, 3))


def test_without_fork_or_with_one_process_it_renders_in_one(
    filled: March,
    personas: Personas,
    renders: list[str],
    monkeypatch: Any,
) -> None:
    with override_settings(SVU_PDF_PROCESSES=1):
        assert pdf_parts.processes() == 1
    monkeypatch.delattr(os, "fork")
    assert pdf_parts.processes() == 1
    pdf.render_pdf(filled.analysis, personas.processledare, pseudonymised=False)
    assert len(renders) == 1
