"""Who registers: the traits of a new job seeker, and the initial stock's selection.

The draws that make a person (their age group, immigrant background, education,
benefit, barriers) come from the area's composition; these rules turn the draws into
traits, the traits into employability and outcome groups, and select the employability
of the initial stock by the spell it has already had. The compiled newcomers pass
(:mod:`simulation.core.passes.newcomers`) applies them person by person.
"""

from __future__ import annotations

import functools

import numpy as np
from numba import njit
from scipy import special

from simulation.config import facts
from simulation.core.codes import (
    EARNINGS_RELATED,
    IMMIGRANT,
    KELA,
    LONG_TERM_AT_START,
    SUBSIDY,
    TARGET,
    UNDER_30,
)
from simulation.core.rules.benefits import benefit_exhausted

__all__ = [
    "StockSelection",
    "age_at_registration",
    "benefit_at_registration",
    "category",
    "employability_with_traits",
    "in_target_group",
    "in_target_groups",
    "outcome_groups",
]

#: Ages (years) of a new job seeker under 30 and of one aged 30 or more: uniform within
#: each (an assumption; the register gives the under-30 share, not the ages within).
YOUNG_AGES, OLDER_AGES = (17.0, 30.0), (30.0, 65.0)


@njit(cache=True, inline="always")
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


@njit(cache=True)
def in_target_groups(age, benefit, immigrant, not_earnings_related, under_age, immigrants):
    """:func:`in_target_group` for arrays of people (``age``, ``benefit``, ``immigrant``)."""
    target = np.empty(len(age), dtype=np.bool_)
    for i in range(len(age)):
        target[i] = in_target_group(
            age[i], benefit[i], immigrant[i], not_earnings_related, under_age, immigrants
        )
    return target


@njit(cache=True, inline="always")
def age_at_registration(under_30, u):
    """Age of a new job seeker: uniform over ``YOUNG_AGES`` or ``OLDER_AGES`` by ``u``.

    Whether the person is under 30 is drawn from the area's ``under_30_share``; the age
    within the group is an assumption (``YOUNG_AGES``, ``OLDER_AGES``).
    """
    if under_30:
        return YOUNG_AGES[0] + (YOUNG_AGES[1] - YOUNG_AGES[0]) * u
    return OLDER_AGES[0] + (OLDER_AGES[1] - OLDER_AGES[0]) * u


@njit(cache=True, inline="always")
def category(cumulative, u):
    """Index of the category of draw ``u`` given cumulative shares (last one 1)."""
    index = 0
    for c in cumulative:
        index += c <= u
    return min(index, len(cumulative) - 1)


@njit(cache=True, inline="always")
def employability_with_traits(
    employability,
    education_multiplier,
    immigrant,
    immigrant_multiplier,
    age,
    age_55_plus_multiplier,
    long_term,
    long_term_multiplier,
):
    """A new job seeker's employability: their own draw times the trait multipliers.

    The multipliers by education, for immigrants and for people aged 55 or more are
    fitted to the register's hazards by group (``docs/calibration.md``); the initial
    stock's long-term unemployed get ``long_term_multiplier`` on top (fitted to the
    long-term share's job finding at the start).
    """
    e = employability * education_multiplier
    e *= immigrant_multiplier if immigrant else 1.0
    e *= age_55_plus_multiplier if age >= 55 else 1.0
    e *= long_term_multiplier if long_term else 1.0
    return e


@njit(cache=True, inline="always")
def benefit_at_registration(benefit, weeks_out, max_weeks, days_per_week):
    """The benefit of a job seeker ``weeks_out`` weeks unemployed, and their subsidy days.

    An allowance that has run out (:func:`~simulation.core.rules.benefits.benefit_exhausted`)
    has become the labour market subsidy, received for the weeks beyond the maximum;
    a subsidy recipient from the start has received it for the whole spell.

    Returns:
        (benefit code, passive labour market subsidy days received).
    """
    subsidy_weeks = weeks_out
    if benefit_exhausted(benefit, weeks_out, max_weeks):
        benefit = SUBSIDY
        subsidy_weeks = weeks_out - max_weeks
    return benefit, subsidy_weeks * days_per_week if benefit == SUBSIDY else 0


@njit(cache=True, inline="always")
def outcome_groups(target, long_term, age, immigrant, benefit):
    """The outcome-group bits a person is counted in for good (``codes.Group``)."""
    g = TARGET if target else 0
    g |= LONG_TERM_AT_START if long_term else 0
    g |= UNDER_30 if age < 30 else 0
    g |= IMMIGRANT if immigrant else 0
    g |= KELA if benefit != EARNINGS_RELATED else 0
    return g


#: Log cumulative hazards at which the selected distributions are tabulated.
_LOG_C = np.linspace(np.log(1e-5), np.log(1e6), 161)


@functools.lru_cache(maxsize=4)
def _selection_tables(
    sd: float, max_weeks: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The tables of :class:`StockSelection` for a spread and a longest spell.

    Kept for the last few spreads: every replication, arm and test of a scenario needs
    the same tables (16 ms to build). The arrays are shared, so they are read-only.
    """
    mean = -sd * sd / 2.0
    log_e = np.linspace(mean - 8.0 * sd, mean + 8.0 * sd, 4001)
    log_density = -0.5 * ((log_e - mean) / max(sd, 1e-12)) ** 2
    density = np.exp(log_density - log_density.max())
    density = density / density.sum()
    c = np.exp(_LOG_C)
    # tilted[k]: log-weights of the distribution selected by cumulative hazard c[k]
    tilted = np.log(density)[None, :] - c[:, None] * np.exp(log_e)[None, :]
    laplace = np.exp(tilted).sum(axis=1)  # E[exp(-c e)], decreasing in c
    # cdf[k]: the cumulative distribution of log e selected by cumulative hazard c[k]
    weights = np.exp(tilted - tilted.max(axis=1, keepdims=True))
    cdf = np.cumsum(weights, axis=1)
    cdf = cdf / cdf[:, -1:]
    survival = facts.survival_to_employment(max_weeks)
    log_lambda = np.interp(-survival, -laplace, _LOG_C)
    cumulative_hazard = np.where(survival < 1.0, np.exp(log_lambda), 0.0)
    tables = (log_e, density, cdf, cumulative_hazard)
    for table in tables:
        table.setflags(write=False)
    return tables


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

    def __init__(self, sd: float, max_weeks: int = 520) -> None:
        self.sd = float(sd)
        self.log_e, self.density, self._cdf, self.cumulative_hazard = _selection_tables(
            self.sd, max_weeks
        )

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
        position = np.interp(np.log(c[selected]), _LOG_C, np.arange(len(_LOG_C)))
        low = np.floor(position).astype(np.int64)
        high = np.minimum(low + 1, len(_LOG_C) - 1)
        blend = position - low
        log_e = _between_selected(u, low, high, blend, self._cdf, self.log_e)
        out[selected] = np.exp(log_e)
        return out


@njit(cache=True, inline="always")
def _quantile(u, cdf, log_e):
    """``np.interp(u, cdf, log_e)`` for one ``u``, with numpy's arithmetic and end rules.

    ``cdf`` ascending (ties allowed): below its first entry the first value, from its
    last on the last value, on an entry that entry's value, else the straight line
    between the entries around ``u`` (the last entry at or below it and the next).
    """
    n = len(cdf)
    if u < cdf[0]:
        return log_e[0]
    if u >= cdf[n - 1]:
        return log_e[n - 1]
    # The last entry at or below u (cdf[0] <= u < cdf[n - 1]), by bisection without
    # branches: whether u lies above the middle is unpredictable from step to step.
    j, size = 0, n
    while size > 1:
        half = size // 2
        j = j + half if cdf[j + half] <= u else j
        size -= half
    if cdf[j] == u:
        return log_e[j]
    slope = (log_e[j + 1] - log_e[j]) / (cdf[j + 1] - cdf[j])
    value = slope * (u - cdf[j]) + log_e[j]
    if np.isnan(value):  # numpy's retry from the other end of the interval
        value = slope * (u - cdf[j + 1]) + log_e[j + 1]
        if np.isnan(value) and log_e[j] == log_e[j + 1]:
            value = log_e[j]
    return value


@njit(cache=True)
def _between_selected(u, low, high, blend, cdf, log_e):
    """Each person's log employability between the selected distributions around them.

    Person i's quantile ``u[i]`` of the distributions tabulated at ``low[i]`` and
    ``high[i]`` (:func:`_quantile`), blended by ``blend[i]``: what
    :meth:`StockSelection.draw` gives, person by person instead of one tabulated
    distribution at a time.
    """
    out = np.empty(len(u))
    for i in range(len(u)):
        below = _quantile(u[i], cdf[low[i]], log_e)
        above = _quantile(u[i], cdf[high[i]], log_e)
        out[i] = below + blend[i] * (above - below)
    return out
