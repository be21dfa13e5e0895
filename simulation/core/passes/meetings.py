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
from numba import njit

from simulation.core import rules
from simulation.core.codes import UNEMPLOYED
from simulation.core.decisions import Decision
from simulation.core.passes.common import row
from simulation.core.passes.draws import uniform
from simulation.core.passes.services import refer_to_service
from simulation.core.plan import Plan

__all__ = [
    "MEETING_DECISIONS",
    "MEETING_POLICY",
    "MeetingTables",
    "NEW_SPELL_WEEKS",
    "meet",
    "meeting_candidates",
    "meeting_tables",
    "new_spell_counts",
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
#: monitoring, and availability for work (once per registration).
MEETING_DECISIONS = (
    Decision.DETECT_HEALTH,
    Decision.DETECT_SOCIAL,
    Decision.DETECT_SKILLS,
    Decision.VACANCY_REFERRAL,
    Decision.MONITORING_EXIT,
    Decision.UNAVAILABLE,
)

#: What :func:`meet` reads: the policy arrays, the job seekers' behaviour, the draws.
MeetingTables = namedtuple(
    "MeetingTables",
    MEETING_POLICY
    + (
        "boost",
        "hard_to_employ_factor",
        "referral_weeks",
        "unavailable_share",
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
        unavailable_share=float(behaviour.unavailable_share),
        bases=decision_bases(MEETING_DECISIONS),
        barrier_bits=plan.barrier_bits,
        n_organisers=plan.n_organisers,
    )


@njit(cache=True)
def meeting_candidates(rows, week, people, n_caseworkers, due):
    """Unemployed clients due a meeting, and each caseworker's unemployed caseload.

    The rows of the clients due go to the start of ``due``. Returns their number, the
    caseloads, and for each client due (in the same order) the caseworker and the week
    the meeting was due.
    """
    status, caseworker, next_meeting = people.status, people.caseworker, people.next_meeting
    k = 0
    caseload = np.zeros(n_caseworkers + 1, dtype=np.int64)  # the last slot: not a client
    spare = np.uint64(n_caseworkers)  # unsigned, like the rows (see ``row``)
    for i in range(len(rows)):
        r = row(rows, i)
        client = (status[r] == UNEMPLOYED) & (caseworker[r] >= 0)
        caseload[np.uint64(caseworker[r]) if client else spare] += 1
        due[k] = r
        k += client & (next_meeting[r] <= week)
    queue = np.empty(k, dtype=np.int64)
    since = np.empty(k, dtype=np.int64)
    for i in range(k):
        r = row(due, i)
        queue[i] = caseworker[r]
        since[i] = next_meeting[r]
    return k, caseload[:n_caseworkers], queue, since


@njit(cache=True)
def new_spell_counts(rows, people, week, early_period, n_caseworkers, n_organisers):
    """The unemployed early in their spell, in one pass over the register ``rows``.

    Returns each caseworker's unemployed clients within their organiser's early period
    (``early_period`` by organiser: the schedule they need first), and each organiser's
    unemployed in the first ``NEW_SPELL_WEEKS`` weeks of a spell (weeks of exposure for
    the realised interval of the newly registered).
    """
    status, caseworker = people.status, people.caseworker
    organiser, spell_start = people.organiser, people.spell_start
    early = np.zeros(n_caseworkers + 1, dtype=np.int64)  # the last slot: not early
    exposure = np.zeros(n_organisers, dtype=np.int64)
    spare = np.uint64(n_caseworkers)
    for i in range(len(rows)):
        r = row(rows, i)
        if status[r] != UNEMPLOYED or caseworker[r] < 0:
            continue
        o = np.uint64(organiser[r])
        weeks = week - spell_start[r]
        early[np.uint64(caseworker[r]) if weeks < early_period[o] else spare] += 1
        exposure[o] += weeks < NEW_SPELL_WEEKS
    return early[:n_caseworkers], exposure


@njit(cache=True)
def select_meetings(due, queue, since, capacity, key, meetings, priority_base):
    """Which clients due each caseworker meets: those due longest, ties by a random key.

    The same choice as :func:`rules.ration` with (due week, priority), found without sorting:
    a caseworker with more clients due than slots grants whole due weeks, oldest first,
    while they fit, and draws the priorities (keyed by the meeting's number) only among
    the clients of the due week that does not fit entirely.
    """
    granted = np.ones(len(queue), dtype=np.bool_)
    start, members = rules.crowded_queues(queue, capacity)
    for i in members:
        granted[i] = False  # granted below, due week by due week
    for q in range(len(capacity)):
        first, last = start[q], start[q + 1]
        if last == first:
            continue  # not crowded: everyone is met
        left = max(capacity[q], 0)
        low = -(2**62)  # due weeks below this are already granted
        while left > 0:
            week = 2**62
            for j in range(first, last):
                if low <= since[members[j]] < week:
                    week = since[members[j]]
            tied = 0
            for j in range(first, last):
                tied += since[members[j]] == week
            if tied <= left:
                for j in range(first, last):
                    if since[members[j]] == week:
                        granted[members[j]] = True
                left -= tied
                low = week + 1
                continue
            # The due week that does not fit: the ``left`` lowest priorities among it.
            best = np.empty(left, dtype=np.int64)
            score = np.empty(left)
            kept = 0
            for j in range(first, last):
                i = members[j]
                if since[i] != week:
                    continue
                r = row(due, i)
                value = uniform(priority_base, key[r], meetings[r])
                if kept == left and value >= score[left - 1]:
                    continue
                at = kept if kept < left else left - 1
                while at > 0 and value < score[at - 1]:
                    score[at] = score[at - 1]
                    best[at] = best[at - 1]
                    at -= 1
                score[at] = value
                best[at] = i
                kept = min(kept + 1, left)
            for b in best[:kept]:
                granted[b] = True
            left = 0
    return granted


@njit(cache=True)
def meet(met, week, people, caseworkers, caseload, tables, referral_tables, lapsed):
    """The meetings of the week, one client after another.

    For each client met (``met``): the meeting is numbered (its draws are keyed by that
    number); the realised interval since the spell's last meeting is counted; the
    search boost is set (:func:`rules.meeting_effect`); each present, undetected barrier
    is found with the caseworker's chance (:func:`rules.detection_chance`); a vacancy
    referral may open (:func:`rules.vacancy_referral_end`); monitoring may end the
    registration (:func:`rules.monitoring_ends_spell`). Clients who stay may be referred
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
    effectiveness, competent = caseworkers.effectiveness, caseworkers.competent
    capacity, bases, barrier_bits = caseworkers.capacity, tables.bases, tables.barrier_bits
    held = np.zeros(tables.n_organisers)
    # By organiser: realised intervals of all meetings (row 0); row 1 counts the meetings
    # held in a spell's first NEW_SPELL_WEEKS weeks (the newly registered).
    interval_sum = np.zeros((2, tables.n_organisers))
    interval_count = np.zeros((2, tables.n_organisers))
    n_bits = len(barrier_bits)
    a = 0
    for j in range(len(met)):
        r = row(met, j)
        o, c, k = np.uint64(organiser[r]), np.uint64(caseworker[r]), key[r]
        number = meetings[r]
        # A spell's first meeting, the spell begun by registering (not by a service's end).
        first_in_spell = last_meeting[r] < spell_start[r] and service_ended[r] != spell_start[r]
        meetings[r] = number + 1
        held[o] += 1
        if last_meeting[r] >= spell_start[r]:
            interval_sum[0, o] += week - last_meeting[r]
            interval_count[0, o] += 1
        if week - spell_start[r] < NEW_SPELL_WEEKS:
            interval_count[1, o] += 1  # a meeting in the spell's first weeks
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
            present = barriers[r] & bit and not detected[r] & bit
            if present and uniform(bases[i], k, number) < detection:
                detected[r] |= bit
        if uniform(bases[n_bits], k, number) < tables.vacancy_referral_probability[o]:
            referral_until[r] = rules.vacancy_referral_end(week, tables.referral_weeks)
        episode = people.separation_count[r] + people.return_count[r]  # the registration
        if rules.monitoring_ends_spell(
            uniform(bases[n_bits + 1], k, number),
            uniform(bases[n_bits + 2], k, episode),
            tables.monitoring_exit_probability[o],
            tables.unavailable_share,
        ):
            lapsed[a] = r
            a += 1
            continue
        # A referral needs a detected barrier or the spell's first meeting.
        may_refer = first_in_spell or (detected[r] & barriers[r]) != 0
        if may_refer and service[r] < 0 and queued_for[r] < 0:
            refer_to_service(r, number, week, first_in_spell, people, referral_tables)
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
    return a, held, interval_sum, interval_count
