"""The shape of the code: apps import downward only, and no module or function grows past
what a reader can hold (ARCHITECTURE.md, docs/decisions.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Apps from the base up: a module may import its own app and those below it, never above.
LAYERS = ("discharges", "webhooks", "deviations", "payment", "analysis", "api", "demo")

MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80


def imported_apps(source: str) -> set[tuple[str, int]]:
    """The first-party apps a module imports, with the line of each import."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            if top in LAYERS:
                found.add((top, node.lineno))
    return found


def upward_imports(app: str, source: str) -> list[str]:
    level = LAYERS.index(app)
    return [
        f"line {line}: imports {other}"
        for other, line in sorted(imported_apps(source))
        if LAYERS.index(other) > level
    ]


def python_files(*folders: str) -> list[Path]:
    return sorted(
        path
        for folder in folders
        for path in (ROOT / folder).rglob("*.py")
        if ".venv" not in path.parts
    )


@pytest.mark.parametrize("app", LAYERS)
def test_it_finds_no_app_importing_an_app_above_it(app: str) -> None:
    if not (ROOT / app).is_dir():
        pytest.fail(f"the app {app} is missing")
    problems = {
        str(path.relative_to(ROOT)): found
        for path in python_files(app)
        if (found := upward_imports(app, path.read_text()))
    }
    assert problems == {}


@pytest.mark.parametrize(
    ("app", "source", "expected"),
    [
        ("discharges", "from payment.models import Agreement\n", ["line 1: imports payment"]),
        ("discharges", "import analysis.statistics\n", ["line 1: imports analysis"]),
        ("discharges", "def f():\n    from analysis import tasks\n", ["line 2: imports analysis"]),
        (
            "payment",
            "from analysis.statistics import compute_statistics\n",
            ["line 1: imports analysis"],
        ),
        ("analysis", "from demo import story\n", ["line 1: imports demo"]),
        ("payment", "from discharges.models import Episode\n", []),
        ("analysis", "from payment import rules\nfrom discharges import selectors\n", []),
        ("demo", "from analysis.statistics import compute_statistics\n", []),
        ("discharges", "from .models import Episode\n", []),
        ("discharges", "from webhooks import hooks\n", ["line 1: imports webhooks"]),
        ("webhooks", "from discharges.signals import event_recorded\n", []),
    ],
)
def test_the_layer_check_catches_an_upward_import(
    app: str, source: str, expected: list[str]
) -> None:
    assert upward_imports(app, source) == expected


def _sizes() -> tuple[list[str], list[str]]:
    long_modules, long_functions = [], []
    present = LAYERS
    for path in python_files(*present, "svu", "bench", "tests"):
        if "migrations" in path.parts:
            continue
        source = path.read_text()
        name = str(path.relative_to(ROOT))
        if source.count("\n") > MAX_MODULE_LINES:
            long_modules.append(f"{name}: {source.count(chr(10))} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long_functions.append(f"{name}:{node.lineno} {node.name}: {length} lines")
    return long_modules, long_functions


def test_no_module_is_over_600_lines_and_no_function_over_80() -> None:
    long_modules, long_functions = _sizes()
    assert (long_modules, long_functions) == ([], [])
