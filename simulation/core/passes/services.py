"""Services: referrals into their queues, completions, and admissions into free places.

A client is referred after a meeting (:func:`refer_to_service`, called by the meetings
pass) or when a need for a general service arises (:func:`arising_needs`); the service
is chosen from the area's menu by places, and the client queues for it. Each week the
services that end are completed (:func:`complete_services`) and the queues are served
into the free places (:func:`admit`). The rules are in
:mod:`simulation.core.rules.services`; :class:`ReferralTables` and
:class:`ServiceTables` hold what the passes read, built from the plan by
:func:`referral_tables` and :func:`service_tables`.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable

import numpy as np
from numba import njit, prange

from simulation.core import rules
from simulation.core.codes import NO_WEEK, PAY_SUBSIDY, UNEMPLOYED
from simulation.core.decisions import Decision
from simulation.core.passes.common import row
from simulation.core.passes.draws import stream_step, uniform, unit
from simulation.core.passes.queues import serve_oldest_first
from simulation.core.plan import NEED_WEEKS, WEEKS_PER_YEAR, Plan

__all__ = [
    "COMPLETION_DECISIONS",
    "REFERRAL_DECISIONS",
    "REFERRAL_POLICY",
    "ReferralTables",
    "SERVICE_POLICY",
    "ServiceTables",
    "admit",
    "arising_needs",
    "complete_services",
    "queue_for_service",
    "refer_to_service",
    "referral_tables",
    "service_census",
    "service_tables",
]

#: The organiser policy values the referrals read, each an array by organiser.
REFERRAL_POLICY = ("multisector_access", "service_referral_at_start")
#: The organiser policy values the completion of services reads.
SERVICE_POLICY = ("first_meeting_weeks",)

#: The draws of a referral: to a multi-sector service, the need at start, the choice of
#: service after a meeting; an arising need and its choice of service.
REFERRAL_DECISIONS = (
    Decision.MULTISECTOR_REFERRAL,
    Decision.SERVICE_REFERRAL,
    Decision.SERVICE_CHOICE,
    Decision.SERVICE_NEED,
    Decision.SERVICE_NEED_CHOICE,
)
#: The draws of a completion: each barrier bit resolved, then a job on completion.
COMPLETION_DECISIONS = (
    Decision.RESOLVE_HEALTH,
    Decision.RESOLVE_SOCIAL,
    Decision.RESOLVE_SKILLS,
    Decision.JOB_AFTER_SERVICE,
)

#: What the referrals read: the policy arrays, the chance of an arising need by
#: organiser and week of the spell, the menus of services by category and area
#: (sizes, services, cumulative places), each service's maximum age.
ReferralTables = namedtuple(
    "ReferralTables",
    REFERRAL_POLICY
    + (
        "need_chance",
        "bases",
        "barrier_bits",
        "menu_size",
        "menu_service",
        "menu_weight",
        "n_services",
        "max_age",
        "weeks_per_year",
    ),
)

#: What the completions and admissions read: by service, the gain, the barriers
#: addressed (bits), the removal and job chances, the duration and the status while in
#: it; the policy arrays; the draws of completion and of the admission priority; whether
#: the end of subsidised work starts the time out of work afresh.
ServiceTables = namedtuple(
    "ServiceTables",
    SERVICE_POLICY
    + (
        "n_services",
        "gain",
        "addresses",
        "removal",
        "job_chance",
        "duration",
        "status",
        "barrier_bits",
        "bases",
        "admission_base",
        "subsidy_counts",
    ),
)


def need_chance(plan: Plan) -> np.ndarray:
    """Weekly chance of a need for a general service, by organiser and week of the spell.

    :func:`rules.general_service_need_chance` for spells of 0 to ``NEED_WEEKS`` - 1
    weeks (the last entry stands for all longer spells), with each organiser's hazard
    (``service_referral_monthly`` as a weekly hazard) and decline.
    """
    years = np.arange(NEED_WEEKS) / WEEKS_PER_YEAR
    policy = plan.policy_arrays(("service_referral_monthly", "service_referral_decline"))
    monthly = np.minimum(policy["service_referral_monthly"], 1.0 - 1e-12)
    hazard = -np.log1p(-monthly) / (WEEKS_PER_YEAR / 12)  # the same survival a week
    decline = policy["service_referral_decline"]
    return rules.general_service_need_chance(hazard[:, None], decline[:, None], years)


def referral_tables(plan: Plan, decision_bases: Callable) -> ReferralTables:
    """The tables of the referrals under a plan, with a replication's draws."""
    menu_size, menu_service, menu_weight = plan.menus
    return ReferralTables(
        **plan.policy_arrays(REFERRAL_POLICY),
        need_chance=need_chance(plan),
        bases=decision_bases(REFERRAL_DECISIONS),
        barrier_bits=plan.barrier_bits,
        menu_size=menu_size,
        menu_service=menu_service,
        menu_weight=menu_weight,
        n_services=plan.n_services,
        max_age=plan.services["max_age"],
        weeks_per_year=WEEKS_PER_YEAR,
    )


def service_tables(plan: Plan, decision_bases: Callable) -> ServiceTables:
    """The tables of the completions and admissions under a plan, with its draws."""
    services = plan.services
    return ServiceTables(
        **plan.policy_arrays(SERVICE_POLICY),
        n_services=plan.n_services,
        gain=services["gain"],
        addresses=services["addresses"],
        removal=services["removal"],
        job_chance=services["job"],
        duration=services["duration"],
        status=services["status"],
        barrier_bits=plan.barrier_bits,
        bases=decision_bases(COMPLETION_DECISIONS),
        admission_base=decision_bases((Decision.ADMISSION_PRIORITY,))[0],
        subsidy_counts=bool(plan.scenario.job_seekers.subsidised_work_ends_time_out_of_work),
    )


@njit(cache=True, inline="always")
def refer_to_service(r, number, week, first_in_spell, people, tables):
    """The service queue a person just met (row ``r``, meeting ``number``) joins, or -1.

    A detected, unresolved barrier (:func:`rules.barrier_to_address`) leads to a
    multi-sector service addressing it with the organiser's multi-sector access;
    otherwise, at the spell's first meeting, a need for a general service present from
    the start may be found (:func:`rules.referral_category`). Needs for general
    services that arise later are referred as they arise (:func:`arising_needs`), not
    at meetings. The service is chosen by :func:`queue_for_service`.

    ``people``: the job seekers' fields (``population.People``); ``tables``: a
    :class:`ReferralTables`. The caller records the queue (``queued_for``) and the
    week (``queued_since``): a pass running on every core must write only through the
    arrays it holds, not through the fields of ``people``.
    """
    bases = tables.bases
    o, k = np.uint64(people.organiser[r]), people.key[r]
    pending = people.detected[r] & people.barriers[r]
    category = rules.referral_category(
        rules.barrier_to_address(pending, tables.barrier_bits),
        uniform(bases[0], k, number),
        tables.multisector_access[o],
        first_in_spell,
        uniform(bases[1], k, number),
        tables.service_referral_at_start[o],
    )
    if category < 0:
        return -1
    return queue_for_service(r, category, uniform(bases[2], k, number), week, people, tables)


@njit(cache=True, inline="always")
def queue_for_service(r, category, choice, week, people, tables):
    """The queue person ``r`` joins for a service of ``category``, or -1 for none.

    ``category`` is 0 for a general service, 1 + i for one addressing barrier bit i.
    Among the area's eligible services the choice (the uniform draw ``choice``) is
    weighted by places (:func:`rules.menu_entry`); people at or over a service's
    ``max_age`` are not referred to it. The queue is the service in the area (area x
    ``n_services`` + service), as ``queued_for`` holds it.
    """
    size = tables.menu_size[category]
    if size == 0:
        return -1
    a = people.area[r]
    entry = rules.menu_entry(tables.menu_weight[category, a], size, choice)
    if entry < 0:
        return -1
    service = tables.menu_service[category, entry]
    age = rules.age_in_years(
        people.age_at_entry[r], week, people.entry_week[r], tables.weeks_per_year
    )
    if age >= tables.max_age[service]:
        return -1
    return a * tables.n_services + service


@njit(cache=True, parallel=True)
def arising_needs(rows, week, people, tables):
    """Needs for a general service that arise this week, referred as they arise.

    An unemployed client of an organiser, neither in nor queued for a service, comes to
    need a general service (training, coaching, a work trial, pay subsidy) at the
    chance of :func:`need_chance` for their organiser and week of the spell. The
    referral follows the need, not the meetings (services are agreed in the employment
    plan and applied for, the places permitting: Maibom, Rosholm & Svarer 2017 found
    denser meetings raise employment without more programmes), so meeting more often
    neither multiplies referrals nor brings them forward. Draws are keyed by the week.
    Returns the number referred.
    """
    status, organiser, caseworker = people.status, people.organiser, people.caseworker
    service, queued_for, spell_start = people.service, people.queued_for, people.spell_start
    key, chance, queued_since = people.key, tables.need_chance, people.queued_since
    step_need = stream_step(tables.bases[3], week)
    step_choice = stream_step(tables.bases[4], week)
    longest = chance.shape[1] - 1
    referred = 0
    for i in prange(len(rows)):  # on every core: each row is written by its own visit
        r = row(rows, i)
        eligible = (status[r] == UNEMPLOYED) & (caseworker[r] >= 0)
        if eligible & (service[r] < 0) & (queued_for[r] < 0):
            weeks = np.uint64(min(max(week - spell_start[r], 0), longest))
            if unit(key[r], step_need) < chance[np.uint64(organiser[r]), weeks]:
                queue = queue_for_service(r, 0, unit(key[r], step_choice), week, people, tables)
                if queue >= 0:
                    queued_for[r] = queue
                    queued_since[r] = week
                    referred += 1
    return referred


@njit(cache=True)
def service_census(rows, week, people, n_places, done, queued):
    """People whose service ends now, places held by the others, and the queues.

    Rows go to the start of ``done`` and ``queued``; returns their numbers and the
    occupied places. Written without branches (who is in a service is unpredictable).
    """
    service, service_end, queued_for = people.service, people.service_end, people.queued_for
    occupied = np.zeros(n_places + 1, dtype=np.int64)  # the last slot: not in a service
    spare = np.uint64(n_places)
    d = q = 0
    for i in range(len(rows)):
        r = row(rows, i)
        place = service[r]
        inside = place >= 0
        ending = inside & (service_end[r] <= week)
        done[d] = r
        d += ending
        occupied[np.uint64(place) if inside and not ending else spare] += 1
        queued[q] = r
        q += (not inside) & (queued_for[r] >= 0)
    return d, occupied[:n_places], q


@njit(cache=True)
def complete_services(done, week, tables, people, to_work):
    """The services that end this week: their effects and where their participants go.

    Employability rises by the service's gain (:func:`rules.employability_after_service`);
    each barrier the service addresses may be resolved (:func:`rules.resolves_barrier`;
    ``bases[b]`` draws for barrier bit b); the participant finds a job with the
    service's job chance (``bases[-1]``). Draws are keyed by the person's service
    number. Those who find a job go to ``to_work`` (the model employs them; returns
    their number); the others, if the service had taken them off the register's
    unemployed, are unemployed again from this week (after subsidised work with their
    time out of work started afresh, :func:`rules.out_of_work_since_after_service`),
    and meet a caseworker after their organiser's ``first_meeting_weeks``.

    ``tables``: a :class:`ServiceTables`; ``people``: the job seekers' fields.
    """
    key, services, service = people.key, people.services, people.service
    service_end, service_ended = people.service_end, people.service_ended
    status, employability = people.status, people.employability
    barriers, detected, spell_start = people.barriers, people.detected, people.spell_start
    jobless_since, organiser = people.jobless_since, people.organiser
    next_meeting, first_meeting = people.next_meeting, tables.first_meeting_weeks
    barrier_bits, bases = tables.barrier_bits, tables.bases
    n_bits = len(barrier_bits)
    found = 0
    for i in range(len(done)):
        r = row(done, i)
        k, number = key[r], services[r]
        j = np.uint64(service[r] % tables.n_services)
        employability[r] = rules.employability_after_service(employability[r], tables.gain[j])
        for b in range(n_bits):
            bit = barrier_bits[b]
            if rules.resolves_barrier(
                tables.addresses[j], bit, uniform(bases[b], k, number), tables.removal[j]
            ):
                barriers[r] &= ~bit
                detected[r] &= ~bit
        service[r] = -1
        service_end[r] = NO_WEEK
        service_ended[r] = week
        if uniform(bases[n_bits], k, number) < tables.job_chance[j]:
            to_work[found] = r
            found += 1
        elif status[r] != UNEMPLOYED:
            jobless_since[r] = rules.out_of_work_since_after_service(
                jobless_since[r], week, status[r] == PAY_SUBSIDY, tables.subsidy_counts
            )
            status[r] = UNEMPLOYED
            spell_start[r] = week
            next_meeting[r] = week + first_meeting[np.uint64(organiser[r])]
    return found


@njit(cache=True)
def admit(queued, free, week, people, tables):
    """Admit people from the service queues into the free places.

    Each queue (service instance) is served oldest first, ties broken by a draw keyed
    by the person's service number, never beyond ``free`` places
    (:func:`.queues.serve_oldest_first`, the choice of :func:`rules.ration`).
    An admitted person starts the service now, for its duration, with its status (a
    service with the unemployed status runs alongside the job search).

    ``people``: the job seekers' fields; ``tables``: a :class:`ServiceTables`. Returns
    the places of each service instance left neither taken nor waited for
    (``free`` less those admitted and those still queued).
    """
    key, services, queued_for = people.key, people.services, people.queued_for
    queued_since, service, service_end = people.queued_since, people.service, people.service_end
    status, n_services = people.status, tables.n_services
    n = len(queued)
    queue = np.empty(n, dtype=np.int64)
    since = np.empty(n, dtype=np.int64)
    for i in range(n):
        r = row(queued, i)
        queue[i] = queued_for[r]
        since[i] = queued_since[r]
    granted = serve_oldest_first(queued, queue, since, free, key, services, tables.admission_base)
    for i in range(n):
        if not granted[i]:
            continue
        r = row(queued, i)
        place = queued_for[r]
        j = np.uint64(place % n_services)
        service[r] = place
        service_end[r] = week + tables.duration[j]
        if tables.status[j] != UNEMPLOYED:
            status[r] = tables.status[j]
        queued_for[r] = -1
        services[r] += 1
    left = free.copy()
    for i in range(n):
        left[np.uint64(queue[i])] -= 1  # admitted, or still waiting for a place
    return np.maximum(left, 0)
