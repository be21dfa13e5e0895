"""Agent-based simulation of Finnish public employment services.

Job seekers, caseworkers, TE offices and cities, week by week, under the organisation
of services a scenario describes (for example the 2021-2024 municipal employment
pilots). The flow is: scenario file -> :func:`load_scenario` -> :class:`EmploymentModel`
-> :func:`run_scenario` (replications, seeds, executors) -> run folder -> analysis and
plots. The layers are the sub-packages ``config``, ``core``, ``analysis`` and
``experiments``, with the command line (``cli``) on top (see docs/architecture.md).

The names below are imported when first used, so that ``import simulation`` (and
``simulate --help``) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulation.config.errors import ScenarioError
    from simulation.config.loading import load_scenario
    from simulation.config.scenario import Scenario
    from simulation.core.model import EmploymentModel
    from simulation.experiments.runner import run_scenario

__all__ = ["EmploymentModel", "Scenario", "ScenarioError", "load_scenario", "run_scenario"]

_HOMES = {
    "EmploymentModel": "simulation.core.model",
    "Scenario": "simulation.config.scenario",
    "ScenarioError": "simulation.config.errors",
    "load_scenario": "simulation.config.loading",
    "run_scenario": "simulation.experiments.runner",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'simulation' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
