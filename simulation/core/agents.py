"""Organisers of employment services and their caseworkers, as Mesa agents.

A TE office (the state's employment office) and a city each organise services for the
job seekers of one area. An organiser holds its meeting policy and staff; its
caseworkers are agents with a meeting capacity, an effectiveness and possibly
multi-sector competence. The per-person work (meetings, referrals) is done by the
model's vectorised rules, which read these agents' values through the model's
caseworker table: caseworker agents are views of rows in that table, as job seekers
are views of rows in the population.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

from simulation.config.scenario import Organiser

if TYPE_CHECKING:
    from simulation.core.model import EmploymentModel

__all__ = ["Caseworker", "City", "ServiceOrganiser", "TEOffice"]


class ServiceOrganiser(mesa.Agent):
    """An organiser of employment services in one area (base of TE office and city).

    Args:
        model: The model.
        index: Organiser index in the model (``2 * area + kind``).
        area: Area index.
        policy: Meeting policy and staffing of this organiser.
    """

    kind: ClassVar[int] = -1
    label: ClassVar[str] = "organiser"

    def __init__(self, model: EmploymentModel, index: int, area: int, policy: Organiser) -> None:
        super().__init__(model)
        self.index = index
        self.area = area
        self.policy = policy
        self.caseworkers: list[Caseworker] = []

    @property
    def name(self) -> str:
        """Readable name, e.g. ``"Helsinki city"``."""
        return f"{self.model.area_names[self.area]} {self.label}"

    @property
    def first_caseworker(self) -> int:
        """Row of this organiser's first caseworker in the caseworker table."""
        return self.caseworkers[0].index if self.caseworkers else -1

    def take_over(self, rows: np.ndarray) -> None:
        """Become the organiser of these clients, staffed at the policy's caseload.

        Any earlier staff is retired; the number of caseworkers is the clients divided by
        the caseload, rounded up (at least one). It stays fixed afterwards, so the
        realised caseload moves with the number of clients.
        """
        if self.caseworkers:
            self.model.retire_caseworkers(self)
        count = max(1, math.ceil(len(rows) / self.policy.caseload))
        self.caseworkers = self.model.hire_caseworkers(self, count)
        self.assign(rows)

    def assign(self, rows: np.ndarray) -> None:
        """Give new clients a caseworker each (see ``EmploymentModel.assign_caseworkers``)."""
        self.model.assign_caseworkers(rows, np.full(len(rows), self.index))

    def state_paid_staff(self) -> int:
        """Caseworkers whose salaries the state pays."""
        return len(self.caseworkers)

    def step(self) -> None:
        """Book the week's staff costs."""
        weekly = self.policy.caseworker_cost_per_year / 52.1775 * self.model.weight
        state = self.state_paid_staff()
        self.model.book_staff_cost(
            self.area, state * weekly, (len(self.caseworkers) - state) * weekly
        )


class TEOffice(ServiceOrganiser):
    """The state's employment office of an area."""

    kind: ClassVar[int] = 0
    label: ClassVar[str] = "TE office"


class City(ServiceOrganiser):
    """The city (or group of municipalities) of an area; organiser in the pilot."""

    kind: ClassVar[int] = 1
    label: ClassVar[str] = "city"

    def state_paid_staff(self) -> int:
        """Caseworkers seconded from the TE office stay on the state's payroll."""
        return round(len(self.caseworkers) * self.model.spec.pilot.seconded_share)


class Caseworker(mesa.Agent):
    """A caseworker: a row of the model's caseworker table.

    Args:
        model: The model.
        index: Row in the caseworker table.
    """

    def __init__(self, model: EmploymentModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def organiser(self) -> ServiceOrganiser:
        """The organiser employing this caseworker."""
        return self.model.organisers[int(self.model.caseworker_table["organiser"][self.index])]

    @property
    def effectiveness(self) -> float:
        """Multiplier on the search boost a meeting gives (mean 1)."""
        return float(self.model.caseworker_table["effectiveness"][self.index])

    @property
    def competent(self) -> bool:
        """Has multi-sector competence (detects barriers more often)."""
        return bool(self.model.caseworker_table["competent"][self.index])

    @property
    def meetings_per_week(self) -> float:
        """Meeting capacity."""
        return float(self.model.caseworker_table["capacity"][self.index])

    def clients(self) -> np.ndarray:
        """Rows of the job seekers this caseworker currently serves."""
        return np.flatnonzero(self.model.job_seekers.caseworker == self.index)

    def __repr__(self) -> str:
        return f"Caseworker({self.index}, {self.organiser.name}, clients={len(self.clients())})"
