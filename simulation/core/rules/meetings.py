"""Meetings with a caseworker: their effect, what they find out, and the next one's date.

Each rule is what one meeting does to one client; the compiled meetings pass
(:mod:`simulation.core.passes.meetings`) applies them client by client, with the draws
it makes for the meeting.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "detection_chance",
    "meeting_effect",
    "monitoring_exit_chance",
    "next_interval",
    "vacancy_referral_end",
]


@njit(cache=True, inline="always")
def meeting_effect(boost, effectiveness, has_barriers, hard_to_employ_factor):
    """The search boost a meeting gives: the caseworker's effectiveness times ``boost``.

    ``boost`` (``job_seekers.meeting_effort_boost``) is derived from Schiprowski 2020 (a
    lost meeting adds 10-12 days of unemployment) and refitted jointly with the meeting
    experiments; ``effectiveness`` is the caseworker's Gamma-distributed draw with mean
    1 (Schiprowski 2020: caseworkers differ widely in their effect). People with an
    unresolved barrier gain less (``hard_to_employ_factor``, a judgement after
    Rosholm). Computed in float32, as the boost is stored.
    """
    effect = np.float32(boost) * effectiveness
    return effect * hard_to_employ_factor if has_barriers else effect


@njit(cache=True, inline="always")
def detection_chance(competent, detection, competent_detection):
    """Chance that a meeting finds each present, undetected barrier.

    ``competent_detection`` for a caseworker with multi-sector competence, else
    ``detection`` (both organiser policy values, assumptions: the multi-sector pilots
    were built on the premise that such staff find needs sooner, HE 87/2020).
    """
    return competent_detection if competent else detection


@njit(cache=True, inline="always")
def vacancy_referral_end(week, referral_weeks):
    """Last week of a vacancy referral opened at a meeting in ``week`` (open that long)."""
    return week + referral_weeks - 1


@njit(cache=True, inline="always")
def monitoring_exit_chance(exit_probability, own_search):
    """Chance that a meeting ends a registration without a job (monitoring).

    Contact is also control: a caseworker who meets a client checks availability for
    work and the search the employment plan requires, and the registration of a client
    found not searching ends (a sanction, deregistration, a move to another benefit).
    Böheim, Eppel & Mahringer 2023 (Austria, caseloads of 100 instead of 250): over two
    years +16 days employed, -36 days unemployed, +20 days out of the labour force,
    with more sanctions; Huuskonen 2023 (Finland's 2017 interview reform): more exits
    of the long-term unemployed to non-jobs. The chance is concentrated where search is
    weak: the organiser's ``exit_probability`` (fitted to these experiments) times the
    shortfall of the client's own search from that of a job seeker fresh out of work
    without barriers (``own_search``: the barriers' factor times the duration factor,
    1 for such a job seeker, so the newly unemployed are hardly ever sanctioned and
    their meetings raise job finding). The shape is an assumption.
    """
    return exit_probability * (1.0 - min(own_search, 1.0))


@njit(cache=True, inline="always")
def next_interval(
    weeks_in_spell,
    caseload,
    early,
    capacity,
    interval,
    early_interval,
    early_period,
    min_interval,
    spare_capacity,
):
    """Weeks to the next meeting: the policy's interval, or shorter if time allows.

    The policy sets the longest interval (``interval``: 3 months since the 2017
    reform; ``early_interval`` for the first ``early_period`` weeks of a spell, 2 weeks
    for 13 weeks under the 2022 Nordic model). With ``spare_capacity`` a caseworker
    first holds the meetings the schedule needs for the ``early`` of their ``caseload``
    unemployed clients who are in the early period, and spreads the ``capacity`` left
    over the others: their interval becomes those clients divided by the weekly
    capacity left, rounded up, never below ``min_interval`` (an assumption). A smaller
    caseload therefore means more frequent meetings. The interval depends on the
    caseworker's load, not on who else happens to be due, so the same person keeps the
    same schedule in scenarios that differ elsewhere. Without an early period this is
    clients over capacity.
    """
    if weeks_in_spell < early_period:
        return early_interval
    if not spare_capacity:
        return interval
    left = capacity - early / early_interval
    affordable = np.ceil((caseload - early) / left) if left > 0 else np.inf
    affordable = max(affordable, 1.0, min_interval)
    return int(min(interval, affordable))
