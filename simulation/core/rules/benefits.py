"""Unemployment benefits: their exhaustion and who pays the cost-shared part.

The rules of the Unemployment Security Act as the model applies them: the earnings-related
and basic allowances end after the maximum duration and the person moves to the labour
market subsidy; the municipality pays a share of the basic amount of some recipients,
rising with the days they have received (the cost sharing in force, 2015-2024 or 2025).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from simulation.core.codes import EARNINGS_RELATED, SUBSIDY, UNEMPLOYED

__all__ = [
    "benefit_exhausted",
    "cost_shared",
    "municipal_share",
    "payment_column",
    "share_ahead",
    "subsidy_step",
]


@njit(cache=True, inline="always")
def benefit_exhausted(benefit, weeks_out, max_weeks):
    """Whether an allowance has run out: any benefit but the labour market subsidy.

    The earnings-related allowance and the basic allowance are paid for at most
    ``max_weeks`` of unemployment (400 days, Unemployment Security Act); the labour
    market subsidy has no time limit.
    """
    return (benefit != SUBSIDY) & (weeks_out >= max_weeks)


@njit(cache=True, inline="always")
def subsidy_step(subsidy_days: float, thresholds: np.ndarray) -> int:
    """How many cost-sharing thresholds (ascending) the subsidy days received have passed."""
    step = 0
    for threshold in thresholds:
        step += subsidy_days > threshold
    return step


@njit(cache=True)
def municipal_share(subsidy_days: float, thresholds: np.ndarray, shares: np.ndarray) -> float:
    """Municipal share of the labour market subsidy by days already received.

    Before 2025 the municipality paid 50 % of the subsidy after 300 days and 70 % after
    1,000 days; activation days were paid by the state (cost-sharing rules, TE-palvelut
    Pirkanmaa). ``thresholds`` and ``shares`` are arrays, with one share more than
    thresholds.
    """
    return shares[subsidy_step(subsidy_days, thresholds)]


@njit(cache=True, inline="always")
def cost_shared(by_benefit_days, status, benefit):
    """Whether a recipient's basic amount is cost-shared with the municipality.

    The rule of 2015-2024 (``by_benefit_days`` False) shares the passive labour market
    subsidy only; the rule of 2025 shares every passive unemployment benefit's basic
    amount (Kela on the 2025 transfer; ``docs/reforms.md``). Days in services are not
    shared.
    """
    if by_benefit_days:
        return status == UNEMPLOYED
    return (status == UNEMPLOYED) & (benefit == SUBSIDY)


@njit(cache=True, inline="always")
def payment_column(shared, step, benefit):
    """The column of the census's benefit count that a recipient falls in.

    0 the earnings-related allowance and 1 the basic allowance or labour market subsidy,
    outside the cost sharing (the state pays); 3 + ``step`` a cost-shared recipient past
    ``step`` thresholds (:func:`subsidy_step`; the municipality pays its share of the
    basic amount). Column 2, the earnings-related top-up of shared recipients, is
    counted beside it.
    """
    return shared * (3 + step) + (1 - shared) * (benefit != EARNINGS_RELATED)


@njit(cache=True, inline="always")
def share_ahead(days, ahead, thresholds, shares):
    """The municipal share of a recipient's benefit ``ahead`` days from now.

    What the municipality will pay for the client if nothing changes: the share of
    :func:`municipal_share` at ``days + ahead`` cost-shared days (the rule in force:
    subsidy days before 2025, benefit days since).
    """
    return municipal_share(days + ahead, thresholds, shares)
