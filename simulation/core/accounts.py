"""The week's costs by area and item, split between the state and the municipality.

Organisers book their staff; the model books service places and benefits from the
end-of-week census. Amounts are real euros (weighted for the scale).
"""

from __future__ import annotations

import numpy as np

from simulation.config.scenario import Costs

__all__ = ["COST_COLUMNS", "Accounts"]

COST_COLUMNS = (
    "state_staff",
    "municipal_staff",
    "state_services",
    "municipal_services",
    "state_benefits",
    "municipal_benefits",
)


class Accounts:
    """The current week's costs, one row per area, one column per ``COST_COLUMNS`` item.

    Args:
        n_areas: Number of areas.
        weight: Real people per simulated person.
        costs: The scenario's unit costs and cost-sharing rules.
    """

    def __init__(self, n_areas: int, weight: float, costs: Costs) -> None:
        self.weight = weight
        self.costs = costs
        self.week = np.zeros((n_areas, len(COST_COLUMNS)))

    def open_week(self) -> None:
        """Start a new week's books."""
        self.week[:] = 0.0

    def book_staff(self, area: int, state: float, municipal: float) -> None:
        """Add a week's staff costs of an organiser."""
        self.week[area, 0] += state
        self.week[area, 1] += municipal

    def book_services(
        self, occupied: np.ndarray, cost_per_place: np.ndarray, by_city: np.ndarray
    ) -> None:
        """Places charged (by area x service) at their weekly cost, by who provides them.

        ``occupied`` is the occupied places, or every place in force where the costs'
        ``service_cost_basis`` is ``places``.
        """
        n_areas = len(self.week)
        if len(cost_per_place) == 0:
            return
        spend = (occupied * np.tile(cost_per_place, n_areas)).reshape(n_areas, -1)
        self.week[:, 2] += spend[:, ~by_city].sum(axis=1) * self.weight
        self.week[:, 3] += spend[:, by_city].sum(axis=1) * self.weight

    def book_benefits(self, recipients: np.ndarray) -> None:
        """Benefits of the week (``recipients`` by area and how the benefit is paid).

        Columns as ``passes.census.census`` counts them: earnings-related allowance and basic
        allowance or subsidy outside the cost sharing (the state pays); the
        earnings-related top-up of shared recipients (the state pays); shared recipients
        by cost-sharing step (the municipality pays its share of the basic amount). The
        rules are those in force this week (``self.costs``, replaced at a change).
        """
        costs = self.costs
        weekly = costs.benefit_days_per_week * self.weight
        top_up = costs.earnings_related_daily - costs.basic_daily
        daily = np.array(
            [costs.earnings_related_daily, costs.basic_daily, top_up]
            + [costs.basic_daily] * (recipients.shape[1] - 3)
        )
        municipal = np.array([0.0, 0.0, 0.0, *costs.municipal_shares])
        spending = recipients * daily * weekly
        self.week[:, 4] += spending @ (1.0 - municipal)
        self.week[:, 5] += spending @ municipal
