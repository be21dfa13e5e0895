"""Organisers of employment services and their caseworkers, as Mesa agents.

A TE office (the state's employment office) and a city each organise services for the
job seekers of one area. An organiser holds its meeting policy and staff; its
caseworkers are agents with a meeting capacity, an effectiveness and possibly
multi-sector competence. The per-person work (meetings, referrals) is done by the
model's compiled passes, which read these agents' values through the caseworker table
(:class:`~simulation.core.staff.Staff`): caseworker agents are views of rows in that
table, as job seekers are views of rows in the population. Organisers reach the staff
table and the accounts they are handed, never the model itself.
"""

from __future__ import annotations

import math
from typing import ClassVar

import mesa
import numpy as np

from simulation.config.scenario import Organiser
from simulation.core.accounts import Accounts
from simulation.core.codes import OrganiserKind
from simulation.core.plan import WEEKS_PER_YEAR
from simulation.core.staff import Staff

__all__ = ["Caseworker", "City", "ServiceOrganiser", "TEOffice", "TrialOrganiser"]


class ServiceOrganiser(mesa.Agent):
    """An organiser of employment services in one area (base of TE office and city).

    Args:
        model: The model the agent belongs to.
        index: Organiser index (``roster.Roster``).
        area: Area index.
        area_name: The area's name, for display.
        policy: Meeting policy and staffing of this organiser.
        staff: The caseworker table it hires into.
        accounts: Where it books its staff costs.
    """

    kind: ClassVar[OrganiserKind]
    label: ClassVar[str] = "organiser"

    def __init__(
        self,
        model: mesa.Model,
        index: int,
        area: int,
        area_name: str,
        policy: Organiser,
        staff: Staff,
        accounts: Accounts,
    ) -> None:
        super().__init__(model)
        self.index = index
        self.area = area
        self.area_name = area_name
        self.policy = policy
        self.staff = staff
        self.accounts = accounts
        self.caseworkers: list[Caseworker] = []

    @property
    def name(self) -> str:
        """Readable name, e.g. ``"Helsinki city"``."""
        return f"{self.area_name} {self.label}"

    def take_over(self, rows: np.ndarray, expected: int = 0, count: int | None = None) -> None:
        """Become the organiser of these clients, staffed at the policy's caseload.

        Any earlier staff is retired; the number of caseworkers is the clients (or
        ``expected`` clients, if more) times the staff multiplier, divided by the
        caseload, rounded up (at least one), unless ``count`` is given. It stays fixed
        afterwards, so the realised caseload moves with the number of clients.
        """
        self.retire()
        if count is None:
            clients = max(len(rows), expected) * self.policy.staff_multiplier
            count = max(1, math.ceil(clients / self.policy.caseload))
        hired = self.staff.hire(self.index, self.policy, count)
        self.caseworkers = [Caseworker(self.model, self, row) for row in hired]
        self.assign(rows)

    def retire(self) -> None:
        """Retire all caseworkers (their clients must be placed again)."""
        if self.caseworkers:
            self.staff.retire(self.index)
            for caseworker in self.caseworkers:
                caseworker.remove()
            self.caseworkers = []

    def assign(self, rows: np.ndarray) -> None:
        """Give new clients a caseworker each (see :meth:`Staff.assign`)."""
        self.staff.assign(rows, np.full(len(rows), self.index))

    def state_paid_staff(self) -> int:
        """Caseworkers whose salaries the state pays."""
        return len(self.caseworkers)

    def step(self) -> None:
        """Book the week's staff costs."""
        weekly = self.policy.caseworker_cost_per_year / WEEKS_PER_YEAR * self.accounts.weight
        state = self.state_paid_staff()
        self.accounts.book_staff(
            self.area, state * weekly, (len(self.caseworkers) - state) * weekly
        )


class TEOffice(ServiceOrganiser):
    """The state's employment office of an area."""

    kind: ClassVar[OrganiserKind] = OrganiserKind.TE_OFFICE
    label: ClassVar[str] = "TE office"


class City(ServiceOrganiser):
    """The city (or group of municipalities) of an area; organiser in the pilot.

    Args:
        *args: As :class:`ServiceOrganiser`.
        seconded_share: Share of its caseworkers seconded from the TE office.
    """

    kind: ClassVar[OrganiserKind] = OrganiserKind.CITY
    label: ClassVar[str] = "city"

    def __init__(self, *args: object, seconded_share: float = 0.0) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.seconded_share = seconded_share

    def state_paid_staff(self) -> int:
        """Caseworkers seconded from the TE office stay on the state's payroll."""
        return round(len(self.caseworkers) * self.seconded_share)


class TrialOrganiser(ServiceOrganiser):
    """Serves the treated of an in-silico trial under the treatment's policy.

    A state organiser like the TE office (its staff are on the state's payroll), with
    its own caseworkers, so that the treated meet caseworkers of the treatment's
    caseload and capacity (see :mod:`simulation.core.trial`).
    """

    kind: ClassVar[OrganiserKind] = OrganiserKind.TRIAL
    label: ClassVar[str] = "trial"


class Caseworker(mesa.Agent):
    """A caseworker: a row of the caseworker table.

    Args:
        model: The model the agent belongs to.
        employer: The organiser employing this caseworker.
        index: Row in the caseworker table.
    """

    def __init__(self, model: mesa.Model, employer: ServiceOrganiser, index: int) -> None:
        super().__init__(model)
        self.organiser = employer
        self.index = index

    @property
    def _row(self) -> dict[str, np.ndarray]:
        return self.organiser.staff.table

    @property
    def effectiveness(self) -> float:
        """Multiplier on the search boost a meeting gives (mean 1)."""
        return float(self._row["effectiveness"][self.index])

    @property
    def competent(self) -> bool:
        """Has multi-sector competence (detects barriers more often)."""
        return bool(self._row["competent"][self.index])

    @property
    def meetings_per_week(self) -> float:
        """Meeting capacity."""
        return float(self._row["capacity"][self.index])

    def clients(self) -> np.ndarray:
        """Rows of the job seekers this caseworker currently serves."""
        return np.flatnonzero(self.organiser.staff.job_seekers.caseworker == self.index)

    def __repr__(self) -> str:
        return f"Caseworker({self.index}, {self.organiser.name}, clients={len(self.clients())})"
