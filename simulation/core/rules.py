"""Behavioural rules: small vectorised functions, one per mechanism.

Each function works on arrays of the people it concerns and returns arrays; none keeps
state or draws random numbers (draws are passed in), so each rule can be tested on its
own. The per-person formulas are compiled ufuncs: the same function serves numpy
arrays (tests, inspection) and the compiled weekly passes of :mod:`simulation.core.kernels`,
which call it person by person. The docstrings name the evidence that sets the
parameters; the values themselves live in the scenario (see ``docs/ODD.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, vectorize
from scipy import optimize, special

from simulation.config import facts
from simulation.config.scenario import LabourMarket

__all__ = [
    "barrier_count",
    "in_target_group",
    "duration_factor",
    "meeting_boost",
    "matching_rates",
    "weight_price",
    "urn_ball_price",
    "urn_ball_congestion",
    "urn_ball_anchor",
    "MatchingAnchor",
    "search_price",
    "anchor_efficiency",
    "job_finding_probability",
    "vacancy_cap",
    "StockSelection",
    "matching_efficiency",
    "ration",
    "ration_queues",
    "crowded_queues",
    "municipal_share",
    "subsidy_step",
    "vacancy_multiplier",
]

_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.int8)


def barrier_count(barriers: np.ndarray) -> np.ndarray:
    """Number of barriers set in a uint8 bit mask."""
    return _POPCOUNT[barriers]


@vectorize(
    [
        "boolean(float32, int8, boolean, boolean, float64, boolean)",
        "boolean(float64, int8, boolean, boolean, float64, boolean)",
    ],
    cache=True,
)
def in_target_group(
    age: float,
    benefit: int,
    immigrant: bool,
    not_earnings_related: bool,
    under_age: float,
    immigrants: bool,
) -> bool:
    """The pilots' target group: no earnings-related allowance, young, or immigrant.

    HE 87/2020 defines all three parts; each can be switched off (``under_age`` 0 turns
    off the age part). ``benefit`` is a ``Benefit`` code (0: earnings-related).
    """
    return (
        (not_earnings_related and benefit != 0)
        or (under_age > 0 and age < under_age)
        or (immigrants and immigrant)
    )


@vectorize(["float64(float64, float64, float64, float64, float64)"], cache=True)
def duration_factor(
    weeks_out: float,
    penalty: float,
    penalty_weeks: float,
    detachment: float,
    detachment_weeks: float,
) -> float:
    """True duration dependence of job finding.

    The job-finding rate falls linearly from 1 at the start of the time out of work to
    ``penalty`` after ``penalty_weeks`` and stays there. Employer callbacks fall mostly
    within the first 8 months of a spell (Kroft, Lange & Notowidigdo 2013); current, not
    past, unemployment is penalised (Eriksson & Rooth 2014), so the clock restarts on
    employment only. After ``detachment_weeks`` it is multiplied by ``detachment``
    (detachment from the labour market in very long spells; an assumption calibrated to
    the register's hazard beyond two years).

    Args:
        weeks_out: Weeks out of work.
        penalty: Multiplier reached at the end of the build-up (1: no penalty).
        penalty_weeks: Length of the build-up.
        detachment: Further multiplier for very long spells (1: none).
        detachment_weeks: Weeks out of work from which ``detachment`` applies.

    Returns:
        The multiplier (an array for array input).
    """
    factor = 1.0 - (1.0 - penalty) * min(weeks_out, penalty_weeks) / penalty_weeks
    return factor * detachment if weeks_out >= detachment_weeks else factor


@vectorize(["float64(float64, float64, float64)"], cache=True)
def meeting_boost(weeks_since: float, effect: float, decay_weeks: float) -> float:
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
        The multiplier, at least 1 (an array for array input).
    """
    return 1.0 + effect * np.exp(-weeks_since / decay_weeks)


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


@vectorize(["float64(float64, float64)"], cache=True)
def job_finding_probability(weight: float, price: float) -> float:
    """Weekly probability of a match for a searcher of this weight at this price."""
    return -np.expm1(-weight * price)


def vacancy_cap(expected: np.ndarray, vacancies: np.ndarray) -> np.ndarray:
    """Factor that scales each area's match probabilities so matches never exceed vacancies."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > vacancies, vacancies / np.where(expected > 0, expected, 1), 1.0)


def ration(
    queues: np.ndarray, order_keys: tuple[np.ndarray, ...], capacity: np.ndarray
) -> np.ndarray:
    """Grant scarce places (meeting slots, service places) in priority order.

    Candidates compete within their queue (a caseworker, a service); within a queue
    they are served by ``order_keys`` (the due week, then a per-person random
    priority), with stable sorts, so the outcome depends on the candidates alone,
    never on the order in which they were listed. Only crowded queues are sorted.

    Args:
        queues: Queue index of each candidate.
        order_keys: (whole-number key, tie-breaking key) within a queue.
        capacity: Places per queue (whole numbers).

    Returns:
        Boolean array: the candidate gets a place.
    """
    primary, secondary = order_keys
    return ration_queues(
        np.asarray(queues, dtype=np.int64),
        np.asarray(primary, dtype=np.int64),
        np.asarray(secondary, dtype=np.float64),
        np.asarray(capacity, dtype=np.int64),
    )


@njit(cache=True, inline="always")
def _before(a, b, primary, secondary):
    """Candidate ``a`` is served before ``b``: earlier primary key, then lower tie-breaker."""
    return primary[a] < primary[b] or (primary[a] == primary[b] and secondary[a] < secondary[b])


@njit(cache=True)
def _keep_first(members, first, last, places, primary, secondary, granted):
    """Keep the ``places`` first candidates of a queue, in order, by insertion.

    ``members[first:first + kept]`` holds the best so far, sorted; a candidate that
    does not make it, or is pushed out, is refused. Suits few places.
    """
    kept = 0
    for i in range(first, last):
        candidate = members[i]
        if kept == places:
            if places == 0 or not _before(
                candidate, members[first + places - 1], primary, secondary
            ):
                granted[candidate] = False
                continue
            granted[members[first + places - 1]] = False
            kept -= 1
        j = first + kept
        while j > first and _before(candidate, members[j - 1], primary, secondary):
            members[j] = members[j - 1]
            j -= 1
        members[j] = candidate
        kept += 1


@njit(cache=True)
def _sort_and_cut(members, first, last, places, primary, secondary, granted):
    """Sort a queue's candidates and refuse those beyond ``places``. Suits many places."""
    group = members[first:last]
    low = primary[group[0]]
    for i in group:
        low = min(low, primary[i])
    # Sort by one float key, primary (shifted) plus the tie-breaker in [0, 1): it never
    # orders two candidates against their (primary, secondary) order, but rounding can
    # make near keys equal, so an insertion pass restores the exact order.
    key = np.empty(len(group))
    for i in range(len(group)):
        key[i] = (primary[group[i]] - low) + secondary[group[i]]
    group = group[np.argsort(key)]
    for i in range(1, len(group)):
        candidate = group[i]
        j = i
        while j > 0 and _before(candidate, group[j - 1], primary, secondary):
            group[j] = group[j - 1]
            j -= 1
        group[j] = candidate
    for rank in range(places, len(group)):
        granted[group[rank]] = False


@njit(cache=True)
def crowded_queues(queues, capacity):
    """The candidates of each queue with more candidates than places, queue by queue.

    Returns (start, members): the candidates (indices, in listing order) of queue q are
    ``members[start[q]:start[q + 1]]``, empty for queues where everyone gets a place.
    """
    m = len(capacity)
    count = np.zeros(m, dtype=np.int64)
    for i in range(len(queues)):
        count[np.uint64(queues[i])] += 1  # unsigned: no wrap-around code for the index
    start = np.zeros(m + 1, dtype=np.int64)
    for q in range(m):
        start[q + 1] = start[q] + (count[q] if count[q] > capacity[q] else 0)
    fill = start[:m].copy()
    members = np.empty(start[m], dtype=np.int64)
    for i in range(len(queues)):
        q = np.uint64(queues[i])
        if count[q] > capacity[q]:
            members[fill[q]] = i
            fill[q] += 1
    return start, members


@njit(cache=True)
def ration_queues(queues, primary, secondary, capacity):
    """Grant places queue by queue: all if they suffice, else the first by the keys.

    Candidates of a crowded queue are ordered by ``primary`` then ``secondary``, so the
    outcome depends on the candidates, not on their listing.
    """
    granted = np.ones(len(queues), dtype=np.bool_)
    start, members = crowded_queues(queues, capacity)
    for q in range(len(capacity)):
        first, last = start[q], start[q + 1]
        if last == first:
            continue
        places = max(capacity[q], 0)
        if places <= 64:
            _keep_first(members, first, last, places, primary, secondary, granted)
        else:
            _sort_and_cut(members, first, last, places, primary, secondary, granted)
    return granted


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


def vacancy_multiplier(week: int, path_weeks: np.ndarray, path_values: np.ndarray) -> float:
    """Exogenous vacancy level relative to the start, interpolated linearly in time."""
    if len(path_weeks) == 0:
        return 1.0
    return float(np.interp(week, path_weeks, path_values))


class StockSelection:
    """Employability of the initial stock, selected by the spell it has already had.

    People still unemployed after d weeks are, on average, the less employable of those
    who registered d weeks ago: the more employable found jobs sooner (dynamic
    selection; van den Berg 2001, the mixed proportional hazard model). With
    employability e lognormal with mean 1 and log-sd ``sd`` at registration and a
    hazard e h(t), a person still unemployed after a spell with cumulative baseline
    hazard c has employability distributed as the registration's reweighted by
    exp(-c e). The baseline cumulative hazard Lambda(d) is the one at which the inflow
    keeps the register's survival to employment (``facts.survival_to_employment``):
    E[exp(-Lambda(d) e)] = S(d). A person's own c is Lambda(d) times their trait
    multipliers. Their draw is the same quantile of the selected distribution as their
    normal draw is of the unselected one, so a person with no elapsed spell keeps it.

    Args:
        sd: Standard deviation of log employability at registration.
        max_weeks: Longest elapsed spell tabulated.
    """

    _LOG_C = np.linspace(np.log(1e-5), np.log(1e6), 161)

    def __init__(self, sd: float, max_weeks: int = 520) -> None:
        self.sd = float(sd)
        mean = -self.sd * self.sd / 2.0
        self.log_e = np.linspace(mean - 8.0 * self.sd, mean + 8.0 * self.sd, 4001)
        log_density = -0.5 * ((self.log_e - mean) / max(self.sd, 1e-12)) ** 2
        density = np.exp(log_density - log_density.max())
        self.density = density / density.sum()
        c = np.exp(self._LOG_C)
        # tilted[k]: log-weights of the distribution selected by cumulative hazard c[k]
        tilted = np.log(self.density)[None, :] - c[:, None] * np.exp(self.log_e)[None, :]
        laplace = np.exp(tilted).sum(axis=1)  # E[exp(-c e)], decreasing in c
        # cdf[k]: the cumulative distribution of log e selected by cumulative hazard c[k]
        weights = np.exp(tilted - tilted.max(axis=1, keepdims=True))
        cdf = np.cumsum(weights, axis=1)
        self._cdf = cdf / cdf[:, -1:]
        survival = facts.survival_to_employment(max_weeks)
        log_lambda = np.interp(-survival, -laplace, self._LOG_C)
        self.cumulative_hazard = np.where(survival < 1.0, np.exp(log_lambda), 0.0)

    def draw(self, z: np.ndarray, weeks: np.ndarray, multiplier: np.ndarray) -> np.ndarray:
        """Selected employability (mean 1 at registration) for standard normal draws ``z``.

        Args:
            z: Each person's standard normal employability draw.
            weeks: Their elapsed spell at the start, in weeks.
            multiplier: Their trait multipliers (education, immigrant, age), which scale
                the hazard they were selected by.
        """
        z = np.asarray(z, dtype=np.float64)
        out = np.exp(self.sd * z - self.sd * self.sd / 2.0)
        weeks = np.minimum(np.asarray(weeks), len(self.cumulative_hazard) - 1)
        c = self.cumulative_hazard[weeks] * np.asarray(multiplier, dtype=np.float64)
        selected = np.flatnonzero(c > 0.0)
        if self.sd == 0.0 or len(selected) == 0:
            return out
        u = special.ndtr(z[selected])
        position = np.interp(np.log(c[selected]), self._LOG_C, np.arange(len(self._LOG_C)))
        low = np.floor(position).astype(np.int64)
        high = np.minimum(low + 1, len(self._LOG_C) - 1)
        blend = position - low
        log_e = np.empty(len(selected))
        for k in np.unique(low):
            at = low == k
            below = np.interp(u[at], self._cdf[k], self.log_e)
            above = np.interp(u[at], self._cdf[high[at][0]], self.log_e)
            log_e[at] = below + blend[at] * (above - below)
        out[selected] = np.exp(log_e)
        return out
