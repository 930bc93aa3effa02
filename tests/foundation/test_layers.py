"""DESIGN.md layers: only permis_desktop/ui/ and app.py import PySide6."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "permis_desktop"
ALLOWED = {PACKAGE / "app.py"}


def _imports_qt(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        if any(n == "PySide6" or n.startswith(("PySide6.", "shiboken6")) for n in names):
            lines.append(node.lineno)
    return lines


def test_only_ui_imports_pyside6() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path in ALLOWED or (PACKAGE / "ui") in path.parents:
            continue
        if lines := _imports_qt(path):
            offenders.append(f"{path.relative_to(PACKAGE.parent)}:{lines}")
    assert offenders == []


def test_the_check_would_catch_an_offender(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from PySide6.QtCore import QObject\n")
    assert _imports_qt(bad) == [2]
