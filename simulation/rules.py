"""Behavioural rules: small vectorised functions, one per mechanism.

Each function works on arrays of the people it concerns and returns arrays; none keeps
state or draws random numbers (draws are passed in), so each rule can be tested on its
own. The docstrings name the evidence that sets the parameters; the values themselves
live in the scenario (see ``docs/ODD.md``).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "barrier_count",
    "duration_factor",
    "meeting_boost",
    "matching_rates",
    "matching_efficiency",
    "ration",
    "municipal_share",
    "vacancy_multiplier",
]

_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.int8)


def barrier_count(barriers: np.ndarray) -> np.ndarray:
    """Number of barriers set in a uint8 bit mask."""
    return _POPCOUNT[barriers]


def duration_factor(weeks_out: np.ndarray, penalty: float, penalty_weeks: int) -> np.ndarray:
    """True duration dependence of job finding.

    The job-finding rate falls linearly from 1 at the start of the time out of work to
    ``penalty`` after ``penalty_weeks`` and stays there. Employer callbacks fall mostly
    within the first 8 months of a spell (Kroft, Lange & Notowidigdo 2013); current, not
    past, unemployment is penalised (Eriksson & Rooth 2014), so the clock restarts on
    employment only.

    Args:
        weeks_out: Weeks out of work.
        penalty: Multiplier reached at the end of the build-up (1: no penalty).
        penalty_weeks: Length of the build-up.

    Returns:
        float32 multipliers.
    """
    progress = np.minimum(weeks_out, penalty_weeks).astype(np.float32) / np.float32(penalty_weeks)
    return np.float32(1.0) - np.float32(1.0 - penalty) * progress


def meeting_boost(weeks_since: np.ndarray, effect: np.ndarray, decay_weeks: float) -> np.ndarray:
    """Search-effort multiplier after a meeting with a caseworker.

    A meeting raises search by ``effect`` (the caseworker's effectiveness times the
    average boost, smaller for people with barriers), decaying exponentially. Sized so
    that one meeting shortens unemployment by about 10-12 days (Schiprowski 2020); the
    2017 Finnish reform's +3.1 % hazard per +10 pp interview probability (Huuskonen 2023)
    is of the same order.

    Args:
        weeks_since: Weeks since the last meeting (very large if none).
        effect: Boost given at the last meeting.
        decay_weeks: Time constant of the decay.

    Returns:
        float32 multipliers >= 1.
    """
    decay = np.exp(-weeks_since.astype(np.float32) / np.float32(decay_weeks))
    return np.float32(1.0) + effect * decay


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
    totals = np.bincount(areas, weights=weights, minlength=len(vacancies))
    with np.errstate(divide="ignore", invalid="ignore"):
        per_weight = np.where(
            totals > 0,
            efficiency * (vacancies / np.where(totals > 0, totals, 1.0)) ** elasticity,
            0.0,
        )
    hazard = weights * per_weight[areas]
    probability = -np.expm1(-hazard)
    expected = np.bincount(areas, weights=probability, minlength=len(vacancies))
    with np.errstate(divide="ignore", invalid="ignore"):
        cap = np.where(expected > vacancies, vacancies / np.where(expected > 0, expected, 1.0), 1.0)
    probability = probability * cap[areas]
    return probability, np.minimum(expected, vacancies)


def ration(
    queues: np.ndarray, order_keys: tuple[np.ndarray, ...], capacity: np.ndarray
) -> np.ndarray:
    """Grant scarce places (meeting slots, service places) in priority order.

    Candidates compete within their queue (a caseworker, a service); within a queue
    they are served by ``order_keys`` (most significant first, e.g. due week, then a
    per-person random priority), with a stable sort, so the outcome depends on the
    candidates alone, never on the order in which they were listed.

    Args:
        queues: Queue index of each candidate.
        order_keys: Sort keys within a queue, most significant first.
        capacity: Places per queue (whole numbers).

    Returns:
        Boolean array: the candidate gets a place.
    """
    if len(queues) == 0:
        return np.zeros(0, dtype=bool)
    # Only queues with more candidates than places need sorting.
    crowded = (np.bincount(queues, minlength=len(capacity)) > capacity)[queues]
    granted = np.ones(len(queues), dtype=bool)
    if not crowded.any():
        return granted
    competing = np.flatnonzero(crowded)
    queues = queues[competing]
    order = np.lexsort((*(k[competing] for k in reversed(order_keys)), queues))
    sorted_queues = queues[order]
    first = np.flatnonzero(np.r_[True, sorted_queues[1:] != sorted_queues[:-1]])
    sizes = np.diff(np.r_[first, len(order)])
    rank = np.arange(len(order)) - np.repeat(first, sizes)
    granted[competing[order]] = rank < capacity[sorted_queues]
    return granted


def municipal_share(
    subsidy_days: np.ndarray, thresholds: tuple[float, ...], shares: tuple[float, ...]
) -> np.ndarray:
    """Municipal share of the labour market subsidy by days already received.

    Before 2025 the municipality paid 50 % of the subsidy after 300 days and 70 % after
    1,000 days; activation days were paid by the state (cost-sharing rules, TE-palvelut
    Pirkanmaa).
    """
    return np.asarray(shares)[np.searchsorted(np.asarray(thresholds), subsidy_days, side="left")]


def vacancy_multiplier(week: int, path_weeks: np.ndarray, path_values: np.ndarray) -> float:
    """Exogenous vacancy level relative to the start, interpolated linearly in time."""
    if len(path_weeks) == 0:
        return 1.0
    return float(np.interp(week, path_weeks, path_values))
