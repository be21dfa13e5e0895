"""The package's structure: no module reads another's private names or attributes."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "simulation"


def _private_reads(source: str) -> list[tuple[int, str]]:
    """Private names imported from the package, and private attributes of anything but
    ``self`` or ``cls``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("simulation"):
            found += [
                (node.lineno, f"import {a.name}")
                for a in node.names
                if a.name.startswith("_") and not a.name.startswith("__")
            ]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
        ):
            found.append((node.lineno, ast.unparse(node)))
    return found


def test_the_check_finds_a_private_read():
    source = "from simulation.core.rules import _hidden\nx = model._week_costs\ny = self._own\n"
    assert _private_reads(source) == [(1, "import _hidden"), (2, "model._week_costs")]


def test_no_module_reads_another_modules_private_names():
    offences = {
        str(path.relative_to(PACKAGE)): reads
        for path in sorted(PACKAGE.rglob("*.py"))
        if (reads := _private_reads(path.read_text()))
    }
    assert offences == {}
