"""Agent-based simulation of Finnish public employment services.

Job seekers, caseworkers, TE offices and cities, week by week, under the organisation
of services a scenario describes (for example the 2021-2024 municipal employment
pilots). The flow is: scenario file -> :func:`load_scenario` -> :class:`EmploymentModel`
-> :func:`run_scenario` (replications, seeds, executors) -> run folder -> plots.
"""

from simulation.model import EmploymentModel
from simulation.runner import run_scenario
from simulation.scenario import Scenario, ScenarioError, load_scenario

__all__ = ["EmploymentModel", "Scenario", "ScenarioError", "load_scenario", "run_scenario"]
