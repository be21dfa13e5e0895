"""Compiled passes over the job seekers: the weekly work that touches many rows.

Each function here is one loop over the people a rule concerns, compiled with numba.
Most loop over the register (everyone registered at the start of the week, plus those
who registered again during it; a loop still checks each person's current status).
People in work or outside the labour force are not visited week by week: their next
move is scheduled (see ``EmploymentModel.move_between_states``).

A numpy version of a pass needs one temporary array and one interpreter call per
operation; at national scale (a million rows, about 20 such passes a week) that cost
dominated the run, and at small scale the interpreter overhead alone was larger than
the work (see ``docs/performance.md``). The behavioural formulas stay in
:mod:`simulation.core.rules` (compiled too, so the loops here call them on scalars); this
module only decides who is concerned and accumulates counts. Random numbers come from
the same counter-based generator as :mod:`simulation.core.streams`: a draw made here equals
the draw ``RandomStreams.uniform`` gives for the same decision, person and counter.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from simulation.core.codes import NO_WEEK, Benefit, Group, Status
from simulation.core.rules import (
    crowded_queues,
    duration_factor,
    in_target_group,
    job_finding_probability,
    ration_queues,
    subsidy_step,
)

__all__ = [
    "CensusLayout",
    "SearchTables",
    "mix64",
    "uniform",
    "person_keys",
    "NEW_PERSON_DECISIONS",
    "NEW_PERSON_TRAITS",
    "new_people",
    "uniforms",
    "uniforms_at",
    "new_spell_counts",
    "draw_clocks",
    "registered",
    "waking",
    "schedule_wakes",
    "unemployed_events",
    "meeting_candidates",
    "select_meetings",
    "meet",
    "arising_needs",
    "service_census",
    "complete_services",
    "admit",
    "search_weights",
    "expected_matches",
    "find_jobs",
    "update_benefits",
    "spell_buckets",
    "census",
]

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_WEEK_STRIDE = np.uint64(0xD1B54A32D192ED03)
_SUBJECT_STRIDE = np.uint64(0xBF58476D1CE4E5B9)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_ONE = np.uint64(1)
_TO_UNIT = 2.0**-53

# The shared codes (simulation.core.codes) as plain integers, which the compiler inlines.
_UNEMPLOYED, _PAY_SUBSIDY = int(Status.UNEMPLOYED), int(Status.PAY_SUBSIDY)
_OTHER_SERVICE, _EMPLOYED = int(Status.OTHER_SERVICE), int(Status.EMPLOYED)
_OUTSIDE = int(Status.OUT_OF_LABOUR_FORCE)
_SUBSIDY = int(Benefit.LABOUR_MARKET_SUBSIDY)
_EARNINGS_RELATED = int(Benefit.EARNINGS_RELATED)
_NEVER = NO_WEEK
#: Weeks of a spell in which a job seeker counts as newly registered (3 months).
NEW_SPELL_WEEKS = 13
_TARGET, _LONG_TERM_AT_START = int(Group.TARGET), int(Group.LONG_TERM_AT_START)
_UNDER_30, _IMMIGRANT, _KELA = int(Group.UNDER_30), int(Group.IMMIGRANT), int(Group.KELA)


#: What the search pass reads besides the people (:func:`search_weights`).
SearchTables = namedtuple(
    "SearchTables",
    (
        "n_markets",
        "barrier_factor",
        "penalty",
        "penalty_weeks",
        "detachment",
        "detachment_weeks",
        "meeting_decay",
        "referral_multiplier",
        "lock_in",
        "organiser_multiplier",
    ),
)

#: The sizes and codes of the end-of-week count (:func:`census`).
CensusLayout = namedtuple(
    "CensusLayout",
    (
        "n_cells",
        "cells_per_area",
        "n_organisers",
        "n_places",
        "n_buckets",
        "destination",
        "n_destinations",
        "n_areas",
        "thresholds",
        "basis",
    ),
)


@njit(cache=True, inline="always")
def _mix(x: np.uint64) -> np.uint64:
    x = x ^ (x >> _S30)
    x = x * _M1
    x = x ^ (x >> _S27)
    x = x * _M2
    return x ^ (x >> _S31)


@njit(cache=True)
def mix64(x: np.uint64) -> np.uint64:
    """The SplitMix64 finaliser: the mixer of every random stream (one definition)."""
    return _mix(x)


@njit(cache=True)
def uniform(base: np.uint64, key: np.uint64, counter: int) -> float:
    """The uniform draw of a decision (``base``) for one person and counter.

    Equal to ``RandomStreams.uniform(decision, key, counter)`` with
    ``base = RandomStreams.decision_base(decision)``.
    """
    return _unit(key, _step(base, counter))


@njit(cache=True, inline="always")
def _step(base, counter):
    """The stream of a decision at one counter (week, or the person's event number)."""
    return _mix(base + (np.uint64(counter) + _ONE) * _WEEK_STRIDE)


@njit(cache=True, inline="always")
def _unit(key, step):
    """A person's uniform draw on the open interval (0, 1) from a stream step."""
    return (np.float64(_mix(key * _SUBJECT_STRIDE + step) >> _S11) + 0.5) * _TO_UNIT


@njit(cache=True)
def person_keys(areas, cohort):
    """Keys (area, cohort, rank within the area) of people listed by ascending area."""
    keys = np.empty(len(areas), dtype=np.uint64)
    rank = 0
    for i in range(len(areas)):
        if i > 0 and areas[i] != areas[i - 1]:
            rank = 0
        keys[i] = (
            (np.uint64(areas[i]) << np.uint64(48)) | (np.uint64(cohort) << np.uint64(24))
        ) | np.uint64(rank)
        rank += 1
    return keys


#: What ``new_people`` returns: job-seeker fields, and the weeks already out of work.
NEW_PERSON_TRAITS = (
    "age_at_entry",
    "immigrant",
    "education",
    "benefit",
    "insured",
    "barriers",
    "groups",
    "cell",
    "weeks_out",
    "between_jobs",
    "subsidy_days",
)

#: The draws that make a new job seeker, in the order of ``new_people``'s ``bases``.
NEW_PERSON_DECISIONS = (
    "under_30",
    "age",
    "immigrant",
    "education",
    "benefit",
    "long_term",
    "elapsed",
    "between_jobs",
    "barrier_health",
    "barrier_social",
    "barrier_skills",
)


@njit(cache=True, inline="always")
def _category(cumulative, u):
    """Index of the category of draw ``u`` given cumulative shares (last one 1)."""
    index = 0
    for c in cumulative:
        index += c <= u
    return min(index, len(cumulative) - 1)


@njit(cache=True)
def new_people(keys, area, initial, employability, tables):
    """The traits of new job seekers, drawn person by person (``Registration.draw``).

    ``employability`` comes in as each person's lognormal draw and is multiplied by the
    trait multipliers in place. ``elapsed_weeks``/``elapsed_cumulative`` are the
    short-term (row 0) and long-term (row 1) parts of the stationary stock: the initial
    stock's elapsed spell is drawn from the part its long-term draw selects.
    ``barrier_shares[k]`` is (share without, share with) the selector of barrier k:
    long-term unemployment for health and social barriers, immigrant for skills.
    ``target_rule`` is (not earnings-related, under age, immigrants) of
    ``rules.in_target_group``. ``tables`` is a ``registration.NewcomerTables``.

    Returns:
        The traits named in ``NEW_PERSON_TRAITS``, in that order.
    """
    bases, cells_per_area = tables.bases, tables.cells_per_area
    under_30_share, immigrant_share = tables.under_30_share, tables.immigrant_share
    long_term_share = tables.long_term_share
    education_cumulative, benefit_cumulative = (
        tables.education_cumulative,
        tables.benefit_cumulative,
    )
    elapsed_weeks, elapsed_cumulative = tables.elapsed_weeks, tables.elapsed_cumulative
    between_jobs_share, barrier_shares = tables.between_jobs_share, tables.barrier_shares
    barrier_bits, education_multipliers = tables.barrier_bits, tables.education_multipliers
    immigrant_multiplier = tables.immigrant_multiplier
    age_55_plus_multiplier = tables.age_55_plus_multiplier
    long_term_multiplier = tables.long_term_multiplier
    max_weeks, days_per_week = tables.max_weeks, tables.days_per_week
    target_rule = tables.target_rule
    n = len(keys)
    age = np.empty(n, dtype=np.float32)
    immigrant = np.empty(n, dtype=np.bool_)
    education = np.empty(n, dtype=np.int8)
    benefit = np.empty(n, dtype=np.int8)
    insured = np.empty(n, dtype=np.bool_)
    barriers = np.zeros(n, dtype=np.uint8)
    groups = np.empty(n, dtype=np.uint8)
    cell = np.empty(n, dtype=np.int32)
    weeks_out = np.zeros(n, dtype=np.int32)
    between_jobs = np.zeros(n, dtype=np.bool_)
    subsidy_days = np.empty(n, dtype=np.int32)
    steps = np.empty(len(bases), dtype=np.uint64)
    for d in range(len(bases)):
        steps[d] = _step(bases[d], 0)
    not_earnings_related, under_age, immigrants = target_rule
    for i in range(n):
        k, a = keys[i], area[i]
        u_age = _unit(k, steps[1])
        if _unit(k, steps[0]) < under_30_share[a]:
            age[i] = 17.0 + 13.0 * u_age
        else:
            age[i] = 30.0 + 35.0 * u_age
        immigrant[i] = _unit(k, steps[2]) < immigrant_share[a]
        education[i] = _category(education_cumulative[a], _unit(k, steps[3]))
        b = _category(benefit_cumulative[a], _unit(k, steps[4]))
        insured[i] = b == _EARNINGS_RELATED  # a member of a fund, even once it has run out
        long_term = False
        if initial:
            long_term = _unit(k, steps[5]) < long_term_share[a]
            part = 1 if long_term else 0
            where = np.searchsorted(elapsed_cumulative[part], _unit(k, steps[6]))
            weeks_out[i] = elapsed_weeks[part][min(where, len(elapsed_weeks[part]) - 1)]
        else:
            between_jobs[i] = _unit(k, steps[7]) < between_jobs_share
        for j in range(3):
            selected = immigrant[i] if j == 2 else long_term
            share = barrier_shares[j, 1] if selected else barrier_shares[j, 0]
            if _unit(k, steps[8 + j]) < share:
                barriers[i] |= barrier_bits[j]
        e = employability[i] * education_multipliers[education[i]]
        e *= immigrant_multiplier if immigrant[i] else 1.0
        e *= age_55_plus_multiplier if age[i] >= 55 else 1.0
        e *= long_term_multiplier if long_term else 1.0
        employability[i] = e
        subsidy_weeks = weeks_out[i]
        if b != _SUBSIDY and weeks_out[i] >= max_weeks:
            b = _SUBSIDY
            subsidy_weeks = weeks_out[i] - max_weeks
        benefit[i] = b
        subsidy_days[i] = subsidy_weeks * days_per_week if b == _SUBSIDY else 0
        target = in_target_group(
            age[i], benefit[i], immigrant[i], not_earnings_related, under_age, immigrants
        )
        g = _TARGET if target else 0
        g |= _LONG_TERM_AT_START if long_term else 0
        g |= _UNDER_30 if age[i] < 30 else 0
        g |= _IMMIGRANT if immigrant[i] else 0
        g |= _KELA if b != _EARNINGS_RELATED else 0
        groups[i] = g
        cell[i] = a * cells_per_area + g
    return (
        age,
        immigrant,
        education,
        benefit,
        insured,
        barriers,
        groups,
        cell,
        weeks_out,
        between_jobs,
        subsidy_days,
    )


@njit(cache=True)
def uniforms(base, keys, counters):
    """Uniform draws of one decision for many people, each with its own counter."""
    out = np.empty(len(keys))
    for i in range(len(keys)):
        out[i] = uniform(base, keys[i], counters[i])
    return out


@njit(cache=True)
def uniforms_at(base, keys, counter):
    """Uniform draws of one decision for many people with the same counter (week)."""
    step = _step(base, counter)
    out = np.empty(len(keys))
    for i in range(len(keys)):
        out[i] = _unit(keys[i], step)
    return out


@njit(cache=True, inline="always")
def _row(rows, i):
    """The ``i``-th listed row, as an unsigned index.

    An index the compiler knows is not negative needs no wrap-around code, and the
    loops here index a dozen arrays by it: about a fifth of a pass's time.
    """
    return np.uint64(rows[i])


@njit(cache=True, inline="always")
def _runs_out(r, clock, count, key, base):
    """True if person ``r``'s clock has run out; then their next threshold is drawn."""
    if clock[r] > 0.0:
        return False
    _next_threshold(r, clock, count, key, base)
    return True


@njit(cache=True, inline="always")
def _next_threshold(r, clock, count, key, base):
    """Person ``r``'s exponential threshold for their next event of a kind."""
    clock[r] = -np.log(uniform(base, key[r], count[r]))
    count[r] += 1


@njit(cache=True)
def draw_clocks(rows, clock, count, key, base) -> None:
    """Draw the exponential threshold of each person's next event of one kind."""
    for i in range(len(rows)):
        r = _row(rows, i)
        _next_threshold(r, clock, count, key, base)


@njit(cache=True)
def registered(status, between_jobs, out, out_between_jobs):
    """Rows of everyone registered (unemployed or in a service), in row order, into ``out``.

    Those between jobs also go to ``out_between_jobs``. Returns the two numbers. Both
    lists are gathered without branches (who is registered is unpredictable), the second
    from the first.
    """
    k = 0
    for r in range(len(status)):
        out[k] = r
        k += status[r] <= _OTHER_SERVICE
    j = 0
    for i in range(k):
        out_between_jobs[j] = out[i]
        j += between_jobs[out[i]]
    return k, j


@njit(cache=True)
def waking(wakes_at, week, out):
    """Rows whose scheduled move (job loss, return to the register) falls in ``week``."""
    k = 0
    for r in range(len(wakes_at)):
        if wakes_at[r] == week:
            out[k] = r
            k += 1
    return k


@njit(cache=True, inline="always")
def _wake_week(clock, hazard, first):
    """Week in which a clock running down by ``hazard`` a week from ``first`` runs out.

    At least ``first`` (a clock already run out waits a week); never (``NO_WEEK``) for a
    zero hazard or a week beyond 2**30.
    """
    if not hazard > 0.0:
        return _NEVER
    weeks = np.ceil(clock / hazard)
    if not weeks < 2.0**30:
        return _NEVER
    return first - 1 + int(max(weeks, 1.0))


@njit(cache=True)
def schedule_wakes(rows, clock, hazard, high_hazard, high, first, wakes_at):
    """Schedule each person's next move from their clock (job loss, return).

    The clock runs down by ``hazard`` a week from week ``first`` on, by ``high_hazard``
    for people with ``high`` set (those hired out of long-term unemployment lose their
    jobs more often).
    """
    for i in range(len(rows)):
        r = _row(rows, i)
        wakes_at[r] = _wake_week(clock[r], high_hazard if high[r] else hazard, first)


@njit(cache=True)
def unemployed_events(rows, status, hazard, clock, count, key, base, out):
    """Run down one clock of the unemployed among ``rows``.

    The rows whose clock runs out this week go to ``out`` and draw their next
    threshold; returns their number.
    """
    k = 0
    for i in range(len(rows)):
        r = _row(rows, i)
        if status[r] != _UNEMPLOYED:
            continue
        clock[r] -= hazard
        if _runs_out(r, clock, count, key, base):
            out[k] = r
            k += 1
    return k


@njit(cache=True)
def meeting_candidates(rows, status, caseworker, next_meeting, week, n_caseworkers, due):
    """Unemployed clients due a meeting, and each caseworker's unemployed caseload.

    The rows of the clients due go to the start of ``due``. Returns their number, the
    caseloads, and for each client due (in the same order) the caseworker and the week
    the meeting was due.
    """
    k = 0
    caseload = np.zeros(n_caseworkers + 1, dtype=np.int64)  # the last slot: not a client
    spare = np.uint64(n_caseworkers)  # unsigned, like the rows (see ``_row``)
    for i in range(len(rows)):
        r = _row(rows, i)
        client = (status[r] == _UNEMPLOYED) & (caseworker[r] >= 0)
        caseload[np.uint64(caseworker[r]) if client else spare] += 1
        due[k] = r
        k += client & (next_meeting[r] <= week)
    queue = np.empty(k, dtype=np.int64)
    since = np.empty(k, dtype=np.int64)
    for i in range(k):
        r = _row(due, i)
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
        r = _row(rows, i)
        if status[r] != _UNEMPLOYED or caseworker[r] < 0:
            continue
        o = np.uint64(organiser[r])
        weeks = week - spell_start[r]
        early[np.uint64(caseworker[r]) if weeks < early_period[o] else spare] += 1
        exposure[o] += weeks < NEW_SPELL_WEEKS
    return early[:n_caseworkers], exposure


@njit(cache=True)
def select_meetings(due, queue, since, capacity, key, meetings, priority_base):
    """Which clients due each caseworker meets: those due longest, ties by a random key.

    The same choice as ``rules.ration`` with (due week, priority), found without sorting:
    a caseworker with more clients due than slots grants whole due weeks, oldest first,
    while they fit, and draws the priorities (keyed by the meeting's number) only among
    the clients of the due week that does not fit entirely.
    """
    granted = np.ones(len(queue), dtype=np.bool_)
    start, members = crowded_queues(queue, capacity)
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
                r = _row(due, i)
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
    search boost is the caseworker's effectiveness times ``boost``, times
    ``hard_to_employ_factor`` for people with barriers; each undetected barrier is found
    with the detection probability (higher for caseworkers with multi-sector
    competence); a vacancy referral opens for ``referral_weeks``; monitoring may end
    the registration of a client not available for work
    (:func:`_monitoring_ends_spell`). Clients who stay get their next meeting
    (:func:`_next_interval`) and, if not in or queued for a service, may be referred to
    one (:func:`refer_to_service`, with ``referral_tables``).

    ``people`` are the job seekers' fields (``population.People``), ``caseworkers``
    the caseworker table's columns (``staff.CaseworkerColumns``), ``caseload`` each
    caseworker's unemployed clients. ``tables`` (``plan.MeetingTables``) holds the
    policy by organiser: detection probability, competent detection probability,
    vacancy referral probability, monitoring exit probability; the interval policy:
    interval, early interval, early period, minimum interval, spare-capacity meetings
    (0/1); ``unavailable_share``; and ``bases``, the draws of barrier detection (one
    per barrier bit), vacancy referral, monitoring exit and unavailability.

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
    capacity = caseworkers.capacity
    policy, interval_policy, bases = tables.policy, tables.interval, tables.bases
    boost, hard_to_employ_factor = tables.boost, tables.hard_to_employ_factor
    referral_weeks, barrier_bits = tables.referral_weeks, tables.barrier_bits
    n_organisers, unavailable = tables.n_organisers, tables.unavailable_share
    held = np.zeros(n_organisers)
    # By organiser: realised intervals of all meetings (row 0); row 1 counts the meetings
    # held in a spell's first NEW_SPELL_WEEKS weeks (the newly registered).
    interval_sum = np.zeros((2, n_organisers))
    interval_count = np.zeros((2, n_organisers))
    n_bits = len(barrier_bits)
    a = 0
    for j in range(len(met)):
        r = _row(met, j)
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
        effect = np.float32(boost) * effectiveness[c]  # float32, as the stored boost
        meeting_effect[r] = effect * hard_to_employ_factor if barriers[r] != 0 else effect
        last_meeting[r] = week
        detection = policy[o, 1] if competent[c] else policy[o, 0]
        for i in range(n_bits):
            bit = barrier_bits[i]
            # Only a present, undetected barrier needs the draw (draws are keyed, so
            # skipping the others changes nothing).
            present = barriers[r] & bit and not detected[r] & bit
            if present and uniform(bases[i], k, number) < detection:
                detected[r] |= bit
        if uniform(bases[n_bits], k, number) < policy[o, 2]:
            referral_until[r] = week + referral_weeks - 1
        episode = people.separation_count[r] + people.return_count[r]
        if _monitoring_ends_spell(k, number, episode, policy[o, 3], bases, n_bits, unavailable):
            lapsed[a] = r
            a += 1
            continue
        # A referral needs a detected barrier or the spell's first meeting.
        may_refer = first_in_spell or (detected[r] & barriers[r]) != 0
        if may_refer and service[r] < 0 and queued_for[r] < 0:
            refer_to_service(r, number, week, first_in_spell, people, referral_tables)
        next_meeting[r] = week + _next_interval(
            week - spell_start[r], caseload[c, 0], caseload[c, 1], capacity[c], interval_policy[o]
        )
    return a, held, interval_sum, interval_count


@njit(cache=True, inline="always")
def _monitoring_ends_spell(key, number, episode, detection, bases, n_bits, unavailable_share):
    """Whether the meeting ``number`` of a person (``key``) ends the registration (monitoring).

    Monitoring finds out job seekers who are not available for work or not searching
    as required (Huuskonen 2023: the 2017 interview reform raised exits to non-jobs),
    and the registration ends. Only a share of registrations (``unavailable_share``,
    drawn once per registration: keyed by the ``episode``, the person's job losses and
    returns so far) are such; each meeting finds one out with the organiser's
    ``detection`` chance. So meeting more often ends those registrations sooner but does
    not multiply them. ``bases[n_bits + 1]`` and ``bases[n_bits + 2]`` are the draws of
    the monitoring and of the availability.
    """
    if uniform(bases[n_bits + 1], key, number) >= detection:
        return False  # most meetings find nothing: no need to know about availability
    return uniform(bases[n_bits + 2], key, episode) < unavailable_share


@njit(cache=True, inline="always")
def _next_interval(weeks_in_spell, caseload, early, capacity, policy):
    """Weeks to the next meeting: the policy's interval, or shorter if time allows.

    The policy sets the longest interval (denser early in a spell under the Nordic
    model). A caseworker first holds the meetings the schedule needs for the ``early``
    of their ``caseload`` unemployed clients who are in the early period, and spreads
    the time left over the others: their interval becomes those clients divided by the
    weekly capacity left, rounded up, but never below the policy's minimum. A smaller
    caseload therefore means more frequent meetings. The interval depends on the
    caseworker's load, not on who else happens to be due, so the same person keeps the
    same schedule in scenarios that differ elsewhere. Without an early period this is
    clients over capacity.
    """
    if weeks_in_spell < policy[2]:
        return policy[1]  # the early period's schedule
    interval = policy[0]
    if policy[4] == 0:
        return interval
    left = capacity - early / policy[1]
    affordable = np.ceil((caseload - early) / left) if left > 0 else np.inf
    affordable = max(affordable, 1.0, policy[3])
    return int(min(interval, affordable))


@njit(cache=True, inline="always")
def refer_to_service(r, number, week, first_in_spell, people, tables):
    """Put a person just met (row ``r``, meeting ``number``) in a service queue, or not.

    A detected, unresolved barrier leads to a multi-sector service addressing it (the
    first barrier bit first: health, then social, then skills) with the organiser's
    multi-sector access. Otherwise, at the spell's first meeting, a need for a general
    service present from the start (the employment plan made at registration; the
    organiser's share at start) is found. Needs for general services that arise later
    are referred as they arise (:func:`arising_needs`), not at meetings. The service is
    chosen by :func:`_queue_for_service`.

    ``people``: the job seekers' fields (``population.People``). ``tables``
    (``plan.ReferralTables``): by organiser, multi-sector access, the weekly need
    hazard, its decline a year and the need at start; the draws of multi-sector
    referral, the need at start, the choice of service, an arising need and its
    choice; the barrier bits; the menus (sizes, services, cumulative places); the
    number of services; each service's maximum age; weeks per year.
    """
    policy, bases, barrier_bits = tables.policy, tables.bases, tables.barrier_bits
    o, k = np.uint64(people.organiser[r]), people.key[r]
    pending = people.detected[r] & people.barriers[r]
    category = 0
    for b in range(len(barrier_bits)):
        if pending & barrier_bits[b]:
            category = b + 1
            break
    if category == 0 or uniform(bases[0], k, number) >= policy[o, 0]:  # no access
        if not (first_in_spell and uniform(bases[1], k, number) < policy[o, 3]):
            return
        category = 0
    _queue_for_service(r, category, uniform(bases[2], k, number), week, people, tables)


@njit(cache=True, inline="always")
def _queue_for_service(r, category, choice, week, people, tables):
    """Queue person ``r`` for a service of ``category`` (0: general; 1 + i: barrier bit i).

    Among the area's eligible services the choice (the uniform draw ``choice``) is
    weighted by places (``menu_weight``: cumulative places by menu, area and entry);
    people at or over a service's ``max_age`` are not referred to it.
    """
    menu_size, menu_service, menu_weight = tables.menu_size, tables.menu_service, tables.menu_weight
    weeks_per_year = tables.weeks_per_year
    size = menu_size[category]
    if size == 0:
        return
    a = people.area[r]
    total = menu_weight[category, a, size - 1]
    if total <= 0:
        return
    index = 0
    for e in range(size):
        index += menu_weight[category, a, e] <= choice * total
    service = menu_service[category, min(index, size - 1)]
    age = np.float64(people.age_at_entry[r]) + (week - people.entry_week[r]) / weeks_per_year
    if age >= tables.max_age[service]:
        return
    people.queued_for[r] = a * tables.n_services + service
    people.queued_since[r] = week


@njit(cache=True)
def arising_needs(rows, week, people, tables):
    """Needs for a general service that arise this week, referred as they arise.

    An unemployed client of an organiser, neither in nor queued for a service, comes to
    need a general service (training, coaching, a work trial, pay subsidy) at the
    organiser's weekly hazard times exp(-decline x years in the spell): the register's
    hazard to services falls from 0.080 a month in the first month of a spell to 0.016
    after two years (TEM 2015 flows). The referral follows the need, not the meetings
    (services are agreed in the employment plan and applied for, the places permitting:
    Maibom, Rosholm & Svarer 2017 found denser meetings raise employment without more
    programmes), so meeting more often neither multiplies referrals nor brings them
    forward. Draws are keyed by the week; the chances come by organiser and week of the
    spell (``need_chance``, ``plan.Plan.need_chance``). Returns the number referred.
    """
    status, organiser, caseworker = people.status, people.organiser, people.caseworker
    service, queued_for, spell_start = people.service, people.queued_for, people.spell_start
    key, need_chance = people.key, tables.need_chance
    step_need, step_choice = _step(tables.bases[3], week), _step(tables.bases[4], week)
    longest = need_chance.shape[1] - 1
    referred = 0
    for i in range(len(rows)):
        r = _row(rows, i)
        if status[r] != _UNEMPLOYED or caseworker[r] < 0 or service[r] >= 0 or queued_for[r] >= 0:
            continue
        weeks = np.uint64(min(max(week - spell_start[r], 0), longest))
        if _unit(key[r], step_need) >= need_chance[np.uint64(organiser[r]), weeks]:
            continue
        _queue_for_service(r, 0, _unit(key[r], step_choice), week, people, tables)
        referred += queued_for[r] >= 0
    return referred


@njit(cache=True)
def service_census(rows, service, service_end, queued_for, week, n_places, done, queued):
    """People whose service ends now, places held by the others, and the queues.

    Rows go to the start of ``done`` and ``queued``; returns their numbers and the
    occupied places. Written without branches (who is in a service is unpredictable).
    """
    occupied = np.zeros(n_places + 1, dtype=np.int64)  # the last slot: not in a service
    spare = np.uint64(n_places)
    d = q = 0
    for i in range(len(rows)):
        r = _row(rows, i)
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
def complete_services(done, week, tables, first_meeting, people, to_work):
    """The services that end this week: their effects and where their participants go.

    Employability rises by the service's ``gain``; each barrier the service addresses
    is resolved with its ``removal`` probability (``bases[b]`` draws for barrier bit
    b); the participant finds a job with ``job_chance`` (``bases[-1]``). Draws are
    keyed by the person's service number. Those who find a job go to ``to_work`` (the
    model employs them; returns their number); the others, if the service had taken
    them off the register's unemployed, are unemployed again from this week, and meet
    a caseworker after ``first_meeting[organiser]`` weeks.

    ``tables`` (``plan.ServiceTables``): the number of services, and by service the
    gain, the barriers addressed (bits), the removal and job chances; the barrier bits
    and the draws (``bases``). ``people``: the job seekers' fields.
    """
    key, services, service, service_end = (
        people.key,
        people.services,
        people.service,
        people.service_end,
    )
    service_ended, status, employability = people.service_ended, people.status, people.employability
    barriers, detected, spell_start = people.barriers, people.detected, people.spell_start
    jobless_since, organiser, next_meeting = (
        people.jobless_since,
        people.organiser,
        people.next_meeting,
    )
    n_services, gain, addresses = tables.n_services, tables.gain, tables.addresses
    removal, job_chance = tables.removal, tables.job_chance
    barrier_bits, bases = tables.barrier_bits, tables.bases
    n_bits = len(barrier_bits)
    found = 0
    for i in range(len(done)):
        r = _row(done, i)
        k, number = key[r], services[r]
        j = np.uint64(service[r] % n_services)
        employability[r] *= np.float32(1.0) + gain[j]  # float32, as the stored field
        for b in range(n_bits):
            bit = barrier_bits[b]
            if addresses[j] & bit and uniform(bases[b], k, number) < removal[j]:
                barriers[r] &= ~bit
                detected[r] &= ~bit
        service[r] = -1
        service_end[r] = _NEVER
        service_ended[r] = week
        if uniform(bases[n_bits], k, number) < job_chance[j]:
            to_work[found] = r
            found += 1
        elif status[r] != _UNEMPLOYED:
            if status[r] == _PAY_SUBSIDY:
                jobless_since[r] = week  # subsidised work ends the time out of work
            status[r] = _UNEMPLOYED
            spell_start[r] = week
            next_meeting[r] = week + first_meeting[np.uint64(organiser[r])]
    return found


@njit(cache=True)
def admit(
    queued,
    free,
    week,
    n_services,
    duration,
    status_of_service,
    priority_base,
    people,
):
    """Admit people from the service queues into the free places.

    Each queue (service instance) is served oldest first, ties broken by a draw keyed
    by the person's service number, never beyond ``free`` places (``rules.ration``). An
    admitted person starts the service now, for its ``duration``, with its status
    (a service with the unemployed status runs alongside the job search).

    ``people``: the job seekers' fields (``population.People``).
    """
    key, services, queued_for, queued_since = (
        people.key,
        people.services,
        people.queued_for,
        people.queued_since,
    )
    service, service_end, status = people.service, people.service_end, people.status
    n = len(queued)
    queue = np.empty(n, dtype=np.int64)
    since = np.empty(n, dtype=np.int64)
    priority = np.empty(n)
    for i in range(n):
        r = _row(queued, i)
        queue[i] = queued_for[r]
        since[i] = queued_since[r]
        priority[i] = uniform(priority_base, key[r], services[r])
    granted = ration_queues(queue, since, priority, free)
    for i in range(n):
        if not granted[i]:
            continue
        r = _row(queued, i)
        place = queued_for[r]
        j = np.uint64(place % n_services)
        service[r] = place
        service_end[r] = week + duration[j]
        if status_of_service[j] != _UNEMPLOYED:
            status[r] = status_of_service[j]
        queued_for[r] = -1
        services[r] += 1


@njit(cache=True)
def search_weights(candidates, max_status, week, with_policy, people, tables, rows, weights):
    """Searchers among ``candidates`` (status up to ``max_status``), their weights and totals.

    Totals are by labour market (``people.market``: area x segment).

    The weight is employability, times the barriers' factor (``barrier_factor`` by
    barrier mask), times the duration factor; ``with_policy`` adds the meeting boost
    (``meeting_decay[k]``: what is left of a boost after k weeks, the last entry
    standing for all longer gaps), an open vacancy referral, lock-in in a service and
    the organiser's multiplier (start-up disruption). ``lock_in[j + 1]`` is the lock-in
    of service instance j, ``lock_in[0]`` = 1. Rows and weights go to the start of
    ``rows`` and ``weights``; returns their number and the totals. ``people``: the job
    seekers' fields; ``tables``: a ``SearchTables``.
    """
    status, market, employability = people.status, people.market, people.employability
    barriers, jobless_since, last_meeting = (
        people.barriers,
        people.jobless_since,
        people.last_meeting,
    )
    meeting_effect, referral_until = people.meeting_effect, people.referral_until
    service, organiser = people.service, people.organiser
    n_markets, barrier_factor = tables.n_markets, tables.barrier_factor
    penalty, penalty_weeks = tables.penalty, tables.penalty_weeks
    detachment, detachment_weeks = tables.detachment, tables.detachment_weeks
    meeting_decay, referral_multiplier = tables.meeting_decay, tables.referral_multiplier
    lock_in, organiser_multiplier = tables.lock_in, tables.organiser_multiplier
    totals = np.zeros(n_markets, dtype=np.float64)
    longest = np.uint64(len(meeting_decay) - 1)
    k = 0
    for i in range(len(candidates)):
        r = _row(candidates, i)
        if status[r] > max_status:
            continue
        w = employability[r] * barrier_factor[barriers[r]]
        w *= duration_factor(
            week - jobless_since[r], penalty, penalty_weeks, detachment, detachment_weeks
        )
        if with_policy:
            since = np.uint64(max(week - last_meeting[r], 0))
            w *= 1.0 + meeting_effect[r] * meeting_decay[min(since, longest)]
            if referral_until[r] >= week:
                w *= referral_multiplier
            w *= lock_in[np.uint64(service[r] + 1)]  # lock_in[0] = 1: no service
            w *= organiser_multiplier[np.uint64(organiser[r])]
        rows[k] = r
        weights[k] = w
        totals[np.uint64(market[r])] += w
        k += 1
    return k, totals


@njit(cache=True)
def expected_matches(rows, weights, market, price, n_markets):
    """Expected matches per labour market: the searchers' job-finding probabilities summed."""
    expected = np.zeros(n_markets)
    for i in range(len(rows)):
        a = market[rows[i]]
        expected[a] += job_finding_probability(weights[i], price[a])
    return expected


@njit(cache=True)
def find_jobs(rows, weights, price, cap, people, base, found):
    """Run down the searchers' job-finding clocks; the rows that find a job go to ``found``.

    The weekly probability is the matching probability in the person's labour market
    (``price`` and ``cap`` by market: area x segment, scaled by the market's vacancy
    cap); the clock runs down by the equivalent hazard, -log(1 - probability), which
    is weight times price where the cap does not bind. Returns the number found.
    ``people``: the job seekers' fields; ``base``: the job-finding draws.
    """
    market, key = people.market, people.key
    clock, count = people.job_finding_clock, people.job_finding_count
    k = 0
    for i in range(len(rows)):
        r = _row(rows, i)
        a = np.uint64(market[r])
        if cap[a] < 1.0:
            p = min(job_finding_probability(weights[i], price[a]) * cap[a], 1.0 - 1e-12)
            clock[r] += np.log1p(-p)
        else:
            clock[r] -= weights[i] * price[a]
        if _runs_out(r, clock, count, key, base):
            found[k] = r
            k += 1
    return k


@njit(cache=True)
def update_benefits(
    status, benefit, jobless_since, subsidy_days, benefit_days, week, max_weeks, days_per_week
):
    """Exhaust benefits after the maximum duration; count passive subsidy and benefit days.

    A plain pass over every row without branches, which the compiler turns into vector
    instructions: faster than visiting the register row by row.
    """
    for r in range(len(status)):
        s, b = status[r], benefit[r]
        registered = s <= _OTHER_SERVICE
        exhausted = registered & (b != _SUBSIDY) & (week - jobless_since[r] >= max_weeks)
        b = _SUBSIDY if exhausted else b
        benefit[r] = b
        passive = registered & (s == _UNEMPLOYED)
        subsidy_days[r] += days_per_week * (passive & (b == _SUBSIDY))
        benefit_days[r] += days_per_week * passive


@njit(cache=True)
def spell_buckets(rows, status, spell_start, week, bucket_of_weeks, bucket):
    """Spell-length bucket of everyone unemployed (-1 for others); people at risk by bucket.

    ``bucket_of_weeks[d]`` is the bucket of a spell of d weeks (the last entry for all
    longer spells).
    """
    longest = np.uint64(len(bucket_of_weeks) - 1)
    at_risk = np.zeros(bucket_of_weeks[longest] + 1, dtype=np.int64)
    for i in range(len(rows)):
        r = _row(rows, i)
        unemployed = status[r] == _UNEMPLOYED
        b = bucket_of_weeks[min(np.uint64(max(week - spell_start[r], 0)), longest)]
        bucket[r] = b if unemployed else -1
        at_risk[np.uint64(b)] += unemployed
    return at_risk


@njit(cache=True)
def census(rows, week, people, bucket, layout):
    """The end-of-week count of the register, in one pass over ``rows``.

    ``rows`` must hold everyone registered now and everyone who was unemployed at the
    start of the week. Everyone registered is a client of an organiser, and a person's
    area is their cell // ``cells_per_area``, which spares reading two more arrays.
    The counts returned are

    * registered people by (cell, status), long-term unemployed by cell, clients by
      organiser, occupied places and queues by service;
    * spells ended this week by (destination, start-of-week bucket);
    * benefit recipients by area and how the benefit is paid: everyone registered and
      not in subsidised work receives one. Columns: 0 earnings-related allowance and
      1 basic allowance or labour market subsidy outside the cost sharing (the state
      pays); 2 the earnings-related top-up above the basic amount of shared
      recipients (the state pays); 3 + k shared recipients past k cost-sharing
      thresholds (``rules.subsidy_step``; the municipality pays a share of the basic
      amount). ``layout.basis`` 0, the rule of 2015-2024: the passive labour market
      subsidy is shared, by subsidy days; 1, the rule of 2025: every passive
      unemployment benefit's basic amount is shared, by benefit days.

    Counts whose condition is unpredictable from one person to the next are written
    without branches: people they do not apply to add to a spare last slot. A spell's
    end is rare enough (one in six on the list) for a branch to be cheaper.

    ``people``: the job seekers' fields; ``bucket``: each row's spell bucket at the
    week's start; ``layout``: a ``CensusLayout`` (sizes, destinations, thresholds).
    """
    status, cell, spell_start = people.status, people.cell, people.spell_start
    organiser, service, queued_for = people.organiser, people.service, people.queued_for
    benefit, subsidy_days, benefit_days = people.benefit, people.subsidy_days, people.benefit_days
    by_benefit_days = layout.basis == 1
    n_cells, cells_per_area, n_organisers = (
        layout.n_cells,
        layout.cells_per_area,
        layout.n_organisers,
    )
    n_places, n_buckets, destination = layout.n_places, layout.n_buckets, layout.destination
    n_destinations, n_areas, thresholds = layout.n_destinations, layout.n_areas, layout.thresholds
    by_status = np.zeros((n_cells, 7), dtype=np.int64)
    long_term = np.zeros(n_cells, dtype=np.int64)
    clients = np.zeros(n_organisers, dtype=np.int64)
    occupied = np.zeros(n_places + 1, dtype=np.int64)
    queued = np.zeros(n_places + 1, dtype=np.int64)
    exits = np.zeros((n_destinations, n_buckets), dtype=np.int64)
    recipients = np.zeros((n_areas, 3 + len(thresholds) + 1), dtype=np.int64)
    # Days are whole numbers: the step of each number of days, up to one past the last
    # threshold (a table lookup instead of a comparison with every threshold).
    longest = max(int(np.ceil(thresholds[-1])) + 1, 0) if len(thresholds) else 0
    step_of_days = np.empty(longest + 1, dtype=np.int64)
    for d in range(longest + 1):
        step_of_days[d] = subsidy_step(d, thresholds)
    # Unsigned indices throughout (see ``_row``); the spare slots as unsigned too, as
    # numba turns a mix of signed and unsigned integers into a float.
    spare, top, per_area = np.uint64(n_places), np.uint64(longest), np.uint64(cells_per_area)
    for i in range(len(rows)):
        r = _row(rows, i)
        s = np.uint64(status[r])
        d = destination[s]
        if d >= 0:  # the spell ended this week (one in six people on the list)
            if bucket[r] >= 0:
                exits[d, bucket[r]] += 1
            if s > _OTHER_SERVICE:
                continue
        c = np.uint64(cell[r])
        by_status[c, s] += 1
        long_term[c] += (s == _UNEMPLOYED) & (week - spell_start[r] >= 52)
        clients[np.uint64(organiser[r])] += 1
        place, queue = service[r], queued_for[r]
        occupied[np.uint64(place) if place >= 0 else spare] += 1
        queued[np.uint64(queue) if queue >= 0 else spare] += 1
        b = benefit[r]
        paid = s != _PAY_SUBSIDY
        if by_benefit_days:
            shared = s == _UNEMPLOYED
            days = benefit_days[r]
        else:
            shared = (s == _UNEMPLOYED) & (b == _SUBSIDY)
            days = subsidy_days[r]
        step = step_of_days[min(np.uint64(max(days, 0)), top)]
        column = shared * (3 + step) + (1 - shared) * (b != _EARNINGS_RELATED)
        recipients[c // per_area, column] += paid
        recipients[c // per_area, 2] += shared & (b == _EARNINGS_RELATED)
    return (
        by_status,
        long_term,
        clients,
        occupied[:n_places],
        queued[:n_places],
        exits,
        recipients,
    )
