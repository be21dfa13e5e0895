"""The package's structure: no module reads another's private names or attributes."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

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


def test_every_name_the_package_exports_resolves():
    import simulation

    for name in simulation.__all__:
        assert getattr(simulation, name) is not None, name


def test_the_roster_numbers_each_areas_organisers_once():
    from simulation.core.codes import OrganiserKind
    from simulation.core.roster import Roster

    roster = Roster(3, trial=True)
    assert len(roster) == 9
    assert [roster.te_office(a) for a in range(3)] == [0, 2, 4]
    assert [roster.city(a) for a in range(3)] == [1, 3, 5]
    assert [roster.trial_organiser(a) for a in range(3)] == [6, 7, 8]
    np.testing.assert_array_equal(roster.area, [0, 0, 1, 1, 2, 2, 0, 1, 2])
    np.testing.assert_array_equal(roster.kind, [0, 1, 0, 1, 0, 1, 2, 2, 2])
    for index in range(len(roster)):  # index, area and kind agree both ways
        assert roster.index(roster.area[index], roster.kind[index]) == index
    np.testing.assert_array_equal(roster.serving(np.array([2, 0]), np.array([1, 0])), [5, 0])
    assert len(Roster(2)) == 4 and OrganiserKind.TRIAL not in Roster(2).kind
    with pytest.raises(ValueError):
        Roster(2).trial_organiser(0)
