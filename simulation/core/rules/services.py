"""Services: who is referred to which, and what completing one does.

Referrals after a meeting go first to a multi-sector service for a detected barrier
(health, then social, then skills), otherwise at a spell's first meeting to a general
service needed from registration; needs for general services also arise in calendar
time. The service is chosen among the area's eligible ones by their places. Completing a
service raises employability, may resolve the barriers it addresses and may end in a job.
The compiled passes of :mod:`simulation.core.passes.services` apply these rules.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "age_in_years",
    "barrier_to_address",
    "employability_after_service",
    "first_barrier_with_places",
    "general_service_need_chance",
    "incentive_chance",
    "menu_entry",
    "outreach_chance",
    "referral_category",
    "resolves_barrier",
]


@njit(cache=True, inline="always")
def barrier_to_address(pending, barrier_bits):
    """The referral category of a client's detected, unresolved barriers (``pending``).

    1 + i for the first of ``barrier_bits`` that is pending (health, then social, then
    skills: health and rehabilitation come first in the pilots' multi-sector service
    paths, HE 87/2020), 0 for none.
    """
    for b in range(len(barrier_bits)):
        if pending & barrier_bits[b]:
            return b + 1
    return 0


@njit(cache=True, inline="always")
def referral_category(category, u_access, access, first_in_spell, u_need_at_start, need_at_start):
    """Which service a client just met is referred to: a category, or -1 for none.

    A pending barrier (``category`` 1 + i) is referred to a multi-sector service with
    the organiser's ``access`` (an assumption: the cities' own social, health and
    education services are closer at hand than the TE office's). Otherwise, at the
    spell's first meeting, a need for a general service present from registration
    (the employment plan) is found with the organiser's ``need_at_start`` (fitted to
    the register's flows into services in a spell's first month): category 0.
    """
    if category != 0 and u_access < access:
        return category
    if first_in_spell and u_need_at_start < need_at_start:
        return 0
    return -1


@njit(cache=True, inline="always")
def menu_entry(weights, size, choice):
    """The entry of a referral menu that the draw ``choice`` picks, weighted by places.

    ``weights`` are the menu's cumulative places (the last one the total); a service
    with more places takes more of the referrals (an assumption: referrals follow what
    is on offer). Returns -1 when the menu has no places.
    """
    total = weights[size - 1]
    if total <= 0:
        return -1
    index = 0
    for e in range(size):
        index += weights[e] <= choice * total
    return min(index, size - 1)


@njit(cache=True, inline="always")
def age_in_years(age_at_entry, week, entry_week, weeks_per_year):
    """A person's age in ``week`` (their age at registration plus the time since)."""
    return np.float64(age_at_entry) + (week - entry_week) / weeks_per_year


@njit(cache=True, inline="always")
def employability_after_service(employability, gain):
    """Employability on completing a service that raises it by ``gain``.

    The gains are sized to Card, Kluve & Weber 2018 (training and private-sector
    programmes pay off in the medium run) and the Finnish training and pay-subsidy
    evaluations (``docs/ODD.md``). Computed in float32, as the field is stored.
    """
    return employability * (np.float32(1.0) + gain)


@njit(cache=True, inline="always")
def out_of_work_since_after_service(out_of_work_since, week, subsidised, subsidy_counts):
    """Start of the time out of work of someone leaving a service without a job.

    The time out of work is what duration dependence counts (:func:`.search.duration_factor`).
    Training, coaching and the other services do not stop it: they are time out of work
    with a lock-in. Subsidised work (``subsidised``) is work, so its end starts the time
    afresh when ``subsidy_counts`` (``job_seekers.subsidised_work_ends_time_out_of_work``,
    an assumption: no source says how employers weigh subsidised work against
    unemployment).
    """
    return week if subsidised and subsidy_counts else out_of_work_since


@njit(cache=True, inline="always")
def resolves_barrier(addresses, bit, u, removal):
    """Whether completing a service resolves the barrier ``bit`` (draw ``u``).

    Only a service that addresses the barrier can resolve it, with its ``removal``
    probability (for multi-sector services, an assumption sized to the IPS and
    rehabilitation evidence in ``evidence.md``).
    """
    return (addresses & bit) != 0 and u < removal


def general_service_need_chance(
    hazard: np.ndarray, decline: np.ndarray, years: np.ndarray
) -> np.ndarray:
    """Weekly chance that a need for a general service arises, by years in the spell.

    The hazard falls exponentially with the spell (``decline`` a year): the register's
    hazard to services falls from 0.080 a month in a spell's first month to 0.016 after
    two years (TEM 2015 flows). 1 - exp(-hazard x exp(-decline x years)).
    """
    return -np.expm1(-hazard * np.exp(-decline * years))


@njit(cache=True, inline="always")
def first_barrier_with_places(barriers, barrier_bits, free, last):
    """The menu of the first of a client's barriers with free places in the area, or -1.

    ``barriers`` are the client's unresolved barriers, found or not (an organiser
    filling its places assesses the clients it approaches); health, then social, then
    skills, as in :func:`barrier_to_address`. ``free[m, e]`` are the area's cumulative
    free places of menu ``m`` (1 + i for barrier bit i), ``last[m]`` its last entry.
    """
    for b in range(len(barrier_bits)):
        menu = b + 1
        if (barriers & barrier_bits[b]) and last[menu] >= 0 and free[menu, last[menu]] > 0:
            return menu
    return -1


@njit(cache=True, inline="always")
def outreach_chance(outreach, free, candidates):
    """Weekly chance that a client who needs a service with free places is referred to it.

    An organiser that reaches out fills the share ``outreach`` of the ``free`` places
    of its area's services for a barrier each week, drawing among the ``candidates``
    who need them: the places are used where people have needs, found at a meeting or
    not (the premise of the multi-sector pilots, HE 87/2020; ``outreach`` an
    assumption). At most 1.
    """
    return min(1.0, outreach * free / candidates) if candidates > 0 else 0.0


@njit(cache=True, inline="always")
def incentive_chance(activation, share, free, candidates):
    """Weekly chance that a municipal organiser activates a client it pays benefit for.

    Before 2025 the municipality paid half of the labour market subsidy after 300 days
    and 70 % after 1,000, and days in services did not count; since 2025 its share of
    the basic benefits rises with the benefit days. This is the documented reason
    municipalities place long-term recipients in rehabilitative work activity
    (``docs/reforms.md``). The chance is ``activation`` (an assumption: the strength of
    the response) times the ``share`` the municipality pays for the client soon, never
    more than the ``free`` places of its activating services per ``candidate``.
    """
    if candidates <= 0:
        return 0.0
    return min(activation * share, free / candidates, 1.0)
