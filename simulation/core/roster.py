"""The roster of organisers: which index is which area's TE office, city or trial organiser.

Each area has a TE office and a city; in an in-silico trial with a treatment, each area
also has a trial organiser that serves the treated. Organisers are numbered here and
nowhere else: every part of the model that needs an organiser's index, area, kind or
policy asks the roster.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.config.scenario import Organiser, Scenario
from simulation.core.codes import OrganiserKind

__all__ = ["OrganiserKind", "Roster"]


@dataclass(frozen=True)
class Roster:
    """The organisers of a run.

    The TE office of area a is organiser ``2a``, its city ``2a + 1``; a trial organiser
    of area a is ``2 n_areas + a``.

    Args:
        n_areas: Areas.
        trial: Whether each area has a trial organiser.
    """

    n_areas: int
    trial: bool = False

    def __len__(self) -> int:
        return self.n_areas * (3 if self.trial else 2)

    def index(self, area: int | np.ndarray, kind: OrganiserKind | np.ndarray) -> np.ndarray:
        """The organiser of each (area, kind)."""
        area = np.asarray(area, dtype=np.int64)
        kind = np.asarray(kind, dtype=np.int64)
        return np.where(kind == OrganiserKind.TRIAL, 2 * self.n_areas + area, 2 * area + kind)

    def te_office(self, area: int) -> int:
        """The TE office of an area."""
        return 2 * area

    def city(self, area: int) -> int:
        """The city of an area."""
        return 2 * area + 1

    def trial_organiser(self, area: int) -> int:
        """The trial organiser of an area (a run with a trial only)."""
        if not self.trial:
            raise ValueError("this run has no trial organisers")
        return 2 * self.n_areas + area

    def serving(self, area: np.ndarray, by_city: np.ndarray) -> np.ndarray:
        """The area's city where ``by_city``, else its TE office."""
        return 2 * np.asarray(area, dtype=np.int64) + by_city

    @property
    def area(self) -> np.ndarray:
        """Each organiser's area."""
        local = np.repeat(np.arange(self.n_areas), 2)
        return np.r_[local, np.arange(self.n_areas)] if self.trial else local

    @property
    def kind(self) -> np.ndarray:
        """Each organiser's kind (``OrganiserKind``)."""
        local = np.tile([OrganiserKind.TE_OFFICE, OrganiserKind.CITY], self.n_areas)
        trial = np.full(self.n_areas if self.trial else 0, OrganiserKind.TRIAL)
        return np.r_[local, trial].astype(np.int64)

    @staticmethod
    def policy(
        kind: OrganiserKind, scenario: Scenario, treatment: Organiser | None = None
    ) -> Organiser:
        """The policy section of an organiser of this kind: ``te_office``, ``city``, the trial's."""
        if kind == OrganiserKind.TRIAL:
            if treatment is None:
                raise ValueError("a trial organiser needs the trial's treatment")
            return treatment
        return scenario.city if kind == OrganiserKind.CITY else scenario.te_office

    def policies(self, scenario: Scenario, treatment: Organiser | None = None) -> list[Organiser]:
        """Each organiser's policy, in index order."""
        return [self.policy(OrganiserKind(k), scenario, treatment) for k in self.kind]
