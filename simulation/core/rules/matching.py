"""Matching in the labour market: how search turns into jobs from a finite pool of vacancies.

The matching function (urn-ball or Cobb-Douglas) by labour market, its anchoring to the
register's job finding and the Finnish congestion estimates, the weekly probability and
hazard of a match, the cap that keeps matches within the vacancies, and the exogenous
vacancy path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from simulation.config import facts
from simulation.config.scenario import LabourMarket

__all__ = [
    "MatchingAnchor",
    "anchor_efficiency",
    "job_finding_hazard",
    "job_finding_probability",
    "matching_efficiency",
    "matching_rates",
    "search_price",
    "urn_ball_anchor",
    "urn_ball_congestion",
    "urn_ball_price",
    "vacancy_cap",
    "vacancy_multiplier",
    "weight_price",
]


def matching_efficiency(
    target_weekly: float,
    searchers: float,
    area_weights: np.ndarray,
    vacancies: np.ndarray,
    elasticity: float,
) -> float:
    """Matching efficiency that gives the initial stock its observed job-finding rate.

    With matches M_a = A V_a^e S_a^(1-e) in each area, the average weekly hazard of the
    searchers is sum_a M_a / N. Solving for A anchors the level of job finding to the
    register (``job_finding_monthly_at_start``) while the model keeps the shape.

    Args:
        target_weekly: Observed average weekly job-finding hazard of the stock.
        searchers: Number of searching job seekers N.
        area_weights: Sum of search weights S_a per area.
        vacancies: Vacancies V_a per area.
        elasticity: Vacancy elasticity e.

    Returns:
        The efficiency A.
    """
    base = np.sum(vacancies**elasticity * area_weights ** (1.0 - elasticity))
    if base <= 0:
        return 0.0
    return float(-np.log1p(-target_weekly) * searchers / base)


def matching_rates(
    weights: np.ndarray,
    areas: np.ndarray,
    vacancies: np.ndarray,
    efficiency: float,
    elasticity: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Weekly probability of finding a job from a shared, finite pool of vacancies.

    A constant-returns Cobb-Douglas matching function per area,
    M_a = A V_a^e S_a^(1-e), where S_a is the sum of the searchers' weights (search
    effort times employability). Person i's hazard is w_i M_a / S_a, so anyone's extra
    search raises total matches less than one for one and lowers others' chances:
    the displacement found by Crepon et al. (2013) and Cheung et al. (2025). Elasticities
    from Finnish estimates (Kangasharju, Pehkonen & Pekkala 2005; Ilmakunnas & Pesola
    2003). Expected matches never exceed the vacancies.

    Args:
        weights: Search weights of the searchers.
        areas: Area index of each searcher.
        vacancies: Vacancies per area.
        efficiency: Matching efficiency A.
        elasticity: Vacancy elasticity e.

    Returns:
        (probability per searcher, expected matches per area).
    """
    weights = np.asarray(weights, dtype=np.float64)
    totals = np.bincount(areas, weights=weights, minlength=len(vacancies))
    price = weight_price(totals, np.asarray(vacancies, dtype=np.float64), efficiency, elasticity)
    probability = job_finding_probability(weights, price[areas])
    expected = np.bincount(areas, weights=probability, minlength=len(vacancies))
    cap = vacancy_cap(expected, vacancies)
    return probability * cap[areas], np.minimum(expected, vacancies)


@njit(cache=True)
def urn_ball_price(totals, vacancies, efficiency):
    """Weekly hazard per unit of search weight with urn-ball matching, by area.

    Searchers send applications in proportion to their weight (``efficiency``
    applications a week per unit); each of the V_a vacancies open to them is filled at
    most once a week, by one of its applicants, so the expected matches are
    M_a = V_a (1 - exp(-efficiency S_a / V_a)) and each unit of weight finds a job at
    the rate M_a / S_a (Butters 1977; Petrongolo & Pissarides 2001). When vacancies
    are plenty, extra search adds matches nearly one for one; when they are scarce, it
    mostly takes them from other searchers, so the share of a helped group's gain taken
    from others grows as vacancies fall, as the trials of Crepon et al. (2013) found.
    """
    price = np.zeros(len(vacancies))
    for a in range(len(vacancies)):
        if totals[a] > 0 and vacancies[a] > 0:
            price[a] = vacancies[a] / totals[a] * -np.expm1(-efficiency * totals[a] / vacancies[a])
    return price


def urn_ball_congestion(search_elasticity: float) -> float:
    """Applications per urn at which urn-ball matches have this elasticity to search.

    With x applications per vacancy, M = V (1 - exp(-x)) and d log M / d log S =
    x exp(-x) / (1 - exp(-x)), which falls from 1 (no congestion) towards 0 as x grows.

    Raises:
        ValueError: The elasticity is not in (0, 1] (1, no congestion, is taken as its
            limit).
    """
    if not 0.0 < search_elasticity <= 1.0:
        raise ValueError(f"a search elasticity of {search_elasticity} is not in (0, 1]")
    search_elasticity = min(search_elasticity, 1.0 - 1e-9)  # 1: no congestion, its limit

    def gap(x: float) -> float:
        return float(x * np.exp(-x) / -np.expm1(-x) - search_elasticity)

    high = 1.0
    while gap(high) > 0:
        high *= 2.0
    from scipy import optimize  # only a plan with urn-ball matching needs it (0.2 s)

    return float(optimize.brentq(gap, 1e-12, high, xtol=1e-14, rtol=1e-12))


@dataclass(frozen=True)
class MatchingAnchor:
    """The matching process as anchored on the initial stock (:func:`anchor_efficiency`).

    Attributes:
        efficiency: Urn-ball applications per unit of search weight a week, or the
            Cobb-Douglas efficiency A.
        urns_per_vacancy: Urn-ball only: vacancies open to the registered unemployed
            and fillable in a week, per open vacancy (1 for Cobb-Douglas).
    """

    efficiency: float
    urns_per_vacancy: float = 1.0


def urn_ball_anchor(
    target_weekly: float,
    searchers: float,
    totals: np.ndarray,
    vacancies: np.ndarray,
    search_elasticity: float,
) -> MatchingAnchor:
    """Urn-ball applications and urns that give the stock its job finding and congestion.

    Two conditions fix the two unknowns: the initial stock finds jobs at the observed
    weekly hazard (M = -log(1 - target) N matches), and the elasticity of matches to
    search is ``search_elasticity`` overall (Finnish matching-function estimates: 0.4-0.7
    for the unemployed; Kangasharju, Pehkonen & Pekkala 2005; Ilmakunnas & Pesola 2003).
    With x the applications per urn that give that elasticity (:func:`urn_ball_congestion`)
    and r_m each market's search share over its vacancy share, the urns are
    f V_m with f = M / sum_m V_m (1 - exp(-x r_m)), and the applications per unit of
    weight k = x f V / S. Only a fraction of the open vacancies can be filled by the
    register's job seekers in a week; f says how large, so the congestion among them is
    the estimated one, not whatever the vacancy stock happens to imply.

    Raises:
        ValueError: No searchers or no vacancies where there are searchers.
    """
    needed = -np.log1p(-target_weekly) * searchers
    totals = np.asarray(totals, dtype=np.float64)
    vacancies = np.asarray(vacancies, dtype=np.float64)
    if needed <= 0:
        return MatchingAnchor(0.0, 1.0)
    if totals.sum() <= 0 or vacancies[totals > 0].sum() <= 0:
        raise ValueError("no vacancies open to the searchers at the start")
    x = urn_ball_congestion(search_elasticity)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(
            vacancies > 0, (totals / totals.sum()) / (vacancies / vacancies.sum()), 0.0
        )
    filled = float(np.sum(vacancies * -np.expm1(-x * ratio)))
    urns = needed / filled
    return MatchingAnchor(x * urns * vacancies.sum() / totals.sum(), urns)


def search_price(
    market: LabourMarket, totals: np.ndarray, vacancies: np.ndarray, anchor: MatchingAnchor
) -> np.ndarray:
    """Weekly job-finding hazard per unit of search weight by labour market.

    Args:
        market: The labour market's settings (``matching`` and its parameters).
        totals: Search weight of each market's searchers.
        vacancies: Open vacancies by market.
        anchor: The anchored matching (:func:`anchor_efficiency`).
    """
    if market.matching == "urn_ball":
        return urn_ball_price(totals, vacancies * anchor.urns_per_vacancy, anchor.efficiency)
    return weight_price(totals, vacancies, anchor.efficiency, market.vacancy_elasticity)


def anchor_efficiency(
    market: LabourMarket, searchers: float, totals: np.ndarray, vacancies: np.ndarray
) -> MatchingAnchor:
    """The matching that gives the initial stock its observed job-finding hazard.

    Urn-ball matching is also given the estimated congestion at the start: an elasticity
    of matches to search of 1 - ``vacancy_elasticity`` (:func:`urn_ball_anchor`).
    """
    target = float(facts.monthly_to_weekly(market.job_finding_monthly_at_start))
    if market.matching == "urn_ball":
        elasticity = 1.0 - market.vacancy_elasticity
        return urn_ball_anchor(target, searchers, totals, vacancies, elasticity)
    efficiency = matching_efficiency(
        target, searchers, totals, vacancies, market.vacancy_elasticity
    )
    return MatchingAnchor(efficiency)


@njit(cache=True)
def weight_price(totals, vacancies, efficiency, elasticity):
    """Weekly hazard per unit of search weight in each area: A (V_a / S_a)^e."""
    price = np.zeros(len(vacancies))
    for a in range(len(vacancies)):
        if totals[a] > 0:
            price[a] = efficiency * (vacancies[a] / totals[a]) ** elasticity
    return price


@njit(cache=True, inline="always")
def job_finding_probability(weight: float, price: float) -> float:
    """Weekly probability of a match for a searcher of this weight at this price."""
    return -np.expm1(-weight * price)


def vacancy_cap(expected: np.ndarray, vacancies: np.ndarray) -> np.ndarray:
    """Factor that scales each area's match probabilities so matches never exceed vacancies."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > vacancies, vacancies / np.where(expected > 0, expected, 1), 1.0)


def vacancy_multiplier(week: int, path_weeks: np.ndarray, path_values: np.ndarray) -> float:
    """Exogenous vacancy level relative to the start, interpolated linearly in time."""
    if len(path_weeks) == 0:
        return 1.0
    return float(np.interp(week, path_weeks, path_values))


@njit(cache=True, inline="always")
def job_finding_hazard(weight, price, cap):
    """Weekly hazard of a match for a searcher of this weight in their labour market.

    Where the vacancy cap does not bind (``cap`` 1) the hazard is weight times price
    (the matching function's rate per unit of search weight,
    :func:`urn_ball_price`/:func:`weight_price`); where it binds, the probability
    1 - exp(-weight x price) is scaled by the cap (so that matches never exceed the
    vacancies, :func:`vacancy_cap`) and turned back into a hazard, -log(1 - p), kept
    below certainty.
    """
    if cap < 1.0:
        p = min(job_finding_probability(weight, price) * cap, 1.0 - 1e-12)
        return -np.log1p(-p)
    return weight * price
