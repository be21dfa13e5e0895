"""Meetings: who is due, whom each caseworker meets, and what a meeting does.

Each week the unemployed clients due a meeting are listed with their caseworkers
(:func:`meeting_candidates`); a caseworker with more clients due than slots meets those
due longest first, ties broken by a random priority (:func:`select_meetings`); each
meeting then applies the rules of :mod:`simulation.core.rules.meetings` and may refer the
client to a service (:func:`simulation.core.passes.services.refer_to_service`).
:class:`MeetingTables` holds what the meetings read, the organisers' policies as named
arrays by organiser; :func:`meeting_tables` builds it from the plan.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable

import numpy as np
from numba import njit, prange

from simulation.core import rules
from simulation.core.codes import UNEMPLOYED
from simulation.core.decisions import Decision
from simulation.core.passes.common import row
from simulation.core.passes.draws import uniform
from simulation.core.passes.queues import serve_oldest_first
from simulation.core.passes.services import refer_to_service
from simulation.core.passes.slices import SLICES, add_slices, close_gaps, slice_bounds
from simulation.core.plan import Plan

__all__ = [
    "MEETING_DECISIONS",
    "MEETING_POLICY",
    "MeetingTables",
    "NEW_SPELL_WEEKS",
    "meet",
    "meeting_candidates",
    "meeting_tables",
    "select_meetings",
]

#: Weeks of a spell in which a job seeker counts as newly registered (3 months).
NEW_SPELL_WEEKS = 13

#: The organiser policy values the meetings read (``config.scenario.Organiser`` keys),
#: each an array by organiser in :class:`MeetingTables`.
MEETING_POLICY = (
    "barrier_detection_probability",
    "competent_detection_probability",
    "vacancy_referral_probability",
    "monitoring_exit_probability",
    "meeting_interval_weeks",
    "early_interval_weeks",
    "early_period_weeks",
    "min_weeks_between_meetings",
    "spare_capacity_meetings",
)

#: The draws of a meeting: barrier detection (one per barrier bit), vacancy referral,
#: monitoring.
MEETING_DECISIONS = (
    Decision.DETECT_HEALTH,
    Decision.DETECT_SOCIAL,
    Decision.DETECT_SKILLS,
    Decision.VACANCY_REFERRAL,
    Decision.MONITORING_EXIT,
)

#: What :func:`meet` reads: the policy arrays, the job seekers' behaviour, the draws.
MeetingTables = namedtuple(
    "MeetingTables",
    MEETING_POLICY
    + (
        "boost",
        "hard_to_employ_factor",
        "referral_weeks",
        "barrier_factor",
        "penalty",
        "penalty_weeks",
        "detachment",
        "detachment_weeks",
        "bases",
        "barrier_bits",
        "n_organisers",
    ),
)


def meeting_tables(plan: Plan, decision_bases: Callable) -> MeetingTables:
    """The tables of the meetings under a plan, with a replication's draws.

    Args:
        plan: The scenario's arrays.
        decision_bases: ``RandomStreams.decision_bases`` of the replication.
    """
    behaviour = plan.scenario.job_seekers
    return MeetingTables(
        **plan.policy_arrays(MEETING_POLICY),
        boost=float(behaviour.meeting_effort_boost),
        hard_to_employ_factor=float(behaviour.hard_to_employ_meeting_factor),
        referral_weeks=int(behaviour.referral_weeks),
        barrier_factor=plan.barrier_factor,
        penalty=float(behaviour.duration_penalty),
        penalty_weeks=float(behaviour.duration_penalty_weeks),
        detachment=float(behaviour.detachment_multiplier),
        detachment_weeks=float(behaviour.detachment_weeks),
        bases=decision_bases(MEETING_DECISIONS),
        barrier_bits=plan.barrier_bits,
        n_organisers=plan.n_organisers,
    )


@njit(cache=True, parallel=True)
def meeting_candidates(rows, week, people, n_caseworkers, early_period, n_organisers, due):
    """Clients due a meeting, the caseloads and the clients early in their spell.

    One pass over the register ``rows``, on every core (:mod:`.slices`). The rows of the
    unemployed clients due a meeting go to the start of ``due``, in register order.
    Returns their number; each caseworker's unemployed caseload and, of it, the clients
    within their organiser's early period (``early_period`` by organiser: the schedule
    they need first); each organiser's unemployed in the first ``NEW_SPELL_WEEKS`` weeks
    of a spell (weeks of exposure for the realised interval of the newly registered);
    and for each client due (in the same order) the caseworker, the week the meeting
    was due, and the client's key and meeting number, which :func:`select_meetings`
    draws the priorities from: gathered here in row order, they are read in the order
    of the caseworkers' queues without a jump to each client's row.
    """
    status, caseworker, next_meeting = people.status, people.caseworker, people.next_meeting
    organiser, spell_start = people.organiser, people.spell_start
    key, meetings = people.key, people.meetings
    bounds = slice_bounds(len(rows))
    # The last column of the caseloads: not a client (or not early).
    caseload = np.zeros((SLICES, n_caseworkers + 1), dtype=np.int64)
    early = np.zeros((SLICES, n_caseworkers + 1), dtype=np.int64)
    exposure = np.zeros((SLICES, n_organisers), dtype=np.int64)
    listed = np.zeros(SLICES, dtype=np.int64)
    spare = np.uint64(n_caseworkers)  # unsigned, like the rows (see ``row``)
    for t in prange(SLICES):
        k = bounds[t]
        for i in range(bounds[t], bounds[t + 1]):
            r = row(rows, i)
            client = (status[r] == UNEMPLOYED) & (caseworker[r] >= 0)
            c = np.uint64(caseworker[r]) if client else spare
            caseload[t, c] += 1
            due[k] = r
            k += client & (next_meeting[r] <= week)
            if client:
                o = np.uint64(organiser[r])
                weeks = week - spell_start[r]
                early[t, c if weeks < early_period[o] else spare] += 1
                exposure[t, o] += weeks < NEW_SPELL_WEEKS
        listed[t] = k - bounds[t]
    n_due = close_gaps(due, bounds, listed)
    queue = np.empty(n_due, dtype=np.int64)
    since = np.empty(n_due, dtype=np.int64)
    due_key = np.empty(n_due, dtype=key.dtype)
    number = np.empty(n_due, dtype=meetings.dtype)
    for i in prange(n_due):
        r = row(due, i)
        queue[i] = caseworker[r]
        since[i] = next_meeting[r]
        due_key[i] = key[r]
        number[i] = meetings[r]
    return (
        n_due,
        add_slices(caseload)[:n_caseworkers],
        add_slices(early)[:n_caseworkers],
        add_slices(exposure),
        queue,
        since,
        due_key,
        number,
    )


@njit(cache=True)
def select_meetings(queue, since, capacity, key, number, priority_base):
    """Which clients due each caseworker meets: those due longest, ties by a random key.

    The same choice as :func:`rules.ration` with (due week, priority), found without
    sorting (:func:`.queues.serve_oldest_first`): the priorities are drawn, keyed by the
    meeting's number, only among the clients of the due week that does not fit entirely.
    Client i of the list waits for caseworker ``queue[i]`` since week ``since[i]``, with
    key ``key[i]`` and meeting number ``number[i]`` (:func:`meeting_candidates`).
    """
    listed = np.arange(len(queue))
    return serve_oldest_first(listed, queue, since, capacity, key, number, priority_base)


@njit(cache=True, parallel=True)
def meet(met, week, people, caseworkers, caseload, tables, referral_tables, lapsed):
    """The meetings of the week, one client after another.

    For each client met (``met``): the meeting is numbered (its draws are keyed by that
    number); the realised interval since the spell's last meeting is counted; the
    search boost is set (:func:`rules.meeting_effect`); each present, undetected barrier
    is found with the caseworker's chance (:func:`rules.detection_chance`); a vacancy
    referral may open (:func:`rules.vacancy_referral_end`); monitoring may end the
    registration, the likelier the weaker the client's own search
    (:func:`rules.monitoring_exit_chance`). Clients who stay may be referred
    to a service if not in or queued for one (``refer_to_service``, with
    ``referral_tables``) and get their next meeting (:func:`rules.next_interval`).

    ``people`` are the job seekers' fields (``population.People``), ``caseworkers``
    the caseworker table's columns (``staff.CaseworkerColumns``), ``caseload`` each
    caseworker's unemployed clients (column 0) and those of them in the early period
    (column 1), ``tables`` a :class:`MeetingTables`.

    Rows leaving through monitoring go to ``lapsed``. Returns their number, and by
    organiser the meetings held, the sum of realised intervals and their count (row 0;
    row 1 of the counts: the meetings held in a spell's first ``NEW_SPELL_WEEKS`` weeks).
    """
    key, organiser, caseworker = people.key, people.organiser, people.caseworker
    service_ended = people.service_ended
    barriers, detected, spell_start = people.barriers, people.detected, people.spell_start
    meetings, last_meeting = people.meetings, people.last_meeting
    meeting_effect, referral_until = people.meeting_effect, people.referral_until
    next_meeting, service, queued_for = people.next_meeting, people.service, people.queued_for
    queued_since, jobless_since = people.queued_since, people.jobless_since
    effectiveness, competent = caseworkers.effectiveness, caseworkers.competent
    capacity, bases, barrier_bits = caseworkers.capacity, tables.bases, tables.barrier_bits
    n_organisers = tables.n_organisers
    # By slice (:mod:`.slices`) and organiser: meetings held, realised intervals of all
    # meetings (row 0), and in row 1 of the counts the meetings held in a spell's first
    # NEW_SPELL_WEEKS weeks (the newly registered). Whole numbers: their sums do not
    # depend on the order.
    held = np.zeros((SLICES, n_organisers))
    interval_sum = np.zeros((SLICES, 2, n_organisers))
    interval_count = np.zeros((SLICES, 2, n_organisers))
    leaving = np.zeros(SLICES, dtype=np.int64)
    n_bits = len(barrier_bits)
    bounds = slice_bounds(len(met))
    for t in prange(SLICES):
        a = bounds[t]
        for j in range(bounds[t], bounds[t + 1]):
            r = row(met, j)
            o, c, k = np.uint64(organiser[r]), np.uint64(caseworker[r]), key[r]
            number = meetings[r]
            # A spell's first meeting, the spell begun by registering (not by a service's end).
            first_in_spell = (last_meeting[r] < spell_start[r]) & (
                service_ended[r] != spell_start[r]
            )
            meetings[r] = number + 1
            held[t, o] += 1
            if last_meeting[r] >= spell_start[r]:
                interval_sum[t, 0, o] += week - last_meeting[r]
                interval_count[t, 0, o] += 1
            if week - spell_start[r] < NEW_SPELL_WEEKS:
                interval_count[t, 1, o] += 1  # a meeting in the spell's first weeks
            meeting_effect[r] = rules.meeting_effect(
                tables.boost, effectiveness[c], barriers[r] != 0, tables.hard_to_employ_factor
            )
            last_meeting[r] = week
            detection = rules.detection_chance(
                competent[c],
                tables.barrier_detection_probability[o],
                tables.competent_detection_probability[o],
            )
            for i in range(n_bits):
                bit = barrier_bits[i]
                # Only a present, undetected barrier needs the draw (draws are keyed, so
                # skipping the others changes nothing).
                present = ((barriers[r] & bit) != 0) & ((detected[r] & bit) == 0)
                if present and uniform(bases[i], k, number) < detection:
                    detected[r] |= bit
            if uniform(bases[n_bits], k, number) < tables.vacancy_referral_probability[o]:
                referral_until[r] = rules.vacancy_referral_end(week, tables.referral_weeks)
            own_search = tables.barrier_factor[barriers[r]] * rules.duration_factor(
                week - jobless_since[r],
                tables.penalty,
                tables.penalty_weeks,
                tables.detachment,
                tables.detachment_weeks,
            )
            exit_chance = rules.monitoring_exit_chance(
                tables.monitoring_exit_probability[o], own_search
            )
            if uniform(bases[n_bits + 1], k, number) < exit_chance:
                lapsed[a] = r
                a += 1
                continue
            # A referral needs a detected barrier or the spell's first meeting.
            may_refer = first_in_spell | ((detected[r] & barriers[r]) != 0)
            if may_refer & (service[r] < 0) & (queued_for[r] < 0):
                queue = refer_to_service(r, number, week, first_in_spell, people, referral_tables)
                if queue >= 0:
                    queued_for[r] = queue
                    queued_since[r] = week
            next_meeting[r] = week + rules.next_interval(
                week - spell_start[r],
                caseload[c, 0],
                caseload[c, 1],
                capacity[c],
                tables.meeting_interval_weeks[o],
                tables.early_interval_weeks[o],
                tables.early_period_weeks[o],
                tables.min_weeks_between_meetings[o],
                tables.spare_capacity_meetings[o],
            )
        leaving[t] = a - bounds[t]
    n_lapsed = close_gaps(lapsed, bounds, leaving)
    return n_lapsed, add_slices(held), add_slices(interval_sum), add_slices(interval_count)
