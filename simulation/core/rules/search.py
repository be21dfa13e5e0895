"""Job search: how hard a job seeker searches, and how services and meetings change it.

A searcher's weight in the matching (:mod:`simulation.core.rules.matching`) is their own
(employability, barriers, time out of work) times the effects of the services they
receive (the boost of the last meeting, a vacancy referral, lock-in in a service, the
organiser's start-up disruption).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "barrier_count",
    "duration_factor",
    "intrinsic_search_weight",
    "meeting_boost",
    "policy_search_weight",
]


_POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.int8)


def barrier_count(barriers: np.ndarray) -> np.ndarray:
    """Number of barriers set in a uint8 bit mask."""
    return _POPCOUNT[barriers]


@njit(cache=True, inline="always")
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
        The multiplier, for one job seeker.
    """
    factor = 1.0 - (1.0 - penalty) * min(weeks_out, penalty_weeks) / penalty_weeks
    return factor * detachment if weeks_out >= detachment_weeks else factor


@njit(cache=True)
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


@njit(cache=True, inline="always")
def intrinsic_search_weight(employability, barrier_factor, duration):
    """A job seeker's own search weight: employability, barriers and time out of work.

    Employability (lognormal with mean 1 at registration, times the trait multipliers:
    the register's hazards by education, age and immigrant background, fitted) times
    the barriers' factor (``job_seekers.barrier_multiplier`` per barrier, derived from
    the IPS meta-analysis's risk ratio 1.63, Frederick & VanderWeele 2019) times the
    duration factor (:func:`duration_factor`).
    """
    return employability * barrier_factor * duration


@njit(cache=True, inline="always")
def policy_search_weight(
    weight, boost, referred, referral_multiplier, lock_in, organiser_multiplier
):
    """The search weight with the effects of the services the job seeker receives.

    ``boost`` is what is left of the last meeting's boost (:func:`meeting_boost` - 1;
    Schiprowski 2020, Maibom, Rosholm & Svarer 2017), an open vacancy referral
    multiplies search by ``referral_multiplier`` (an assumption), a service by its
    ``lock_in`` (Card, Kluve & Weber 2018: programmes lower job finding while they
    last), and the organiser's
    ``organiser_multiplier`` is the start-up disruption of a reorganisation (Fevang,
    Markussen & Roed 2014).
    """
    weight *= 1.0 + boost
    if referred:
        weight *= referral_multiplier
    weight *= lock_in
    return weight * organiser_multiplier
