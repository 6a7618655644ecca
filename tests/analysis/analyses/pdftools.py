"""Reading PDFs back with poppler-utils (pdftotext, pdfinfo, pdffonts; `make system-deps`
installs them). Without them a test is skipped, except in CI, where that fails."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest


def require_poppler() -> None:
    if shutil.which("pdftotext"):
        return
    if os.environ.get("CI"):
        pytest.fail("poppler-utils is missing and CI is set: run make system-deps")
    pytest.skip("poppler-utils is missing (make system-deps installs it)")


def run(*args: str) -> str:
    require_poppler()
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout  # noqa: S603


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "read.pdf"
    path.write_bytes(content)
    return run("pdftotext", "-enc", "UTF-8", str(path), "-")


def pdf_tool(tool: str, content: bytes, tmp_path: Path) -> str:
    """``pdfinfo`` or ``pdffonts`` of the PDF."""
    path = tmp_path / f"{tool}.pdf"
    path.write_bytes(content)
    return run(tool, str(path))


def squashed(text: str) -> str:
    """Without any white space: a label wrapped after "plats-/" reads the same."""
    return re.sub(r"\s+", "", text)
