"""Compiled passes over the job seekers: the weekly work that touches every row.

Each function here is one loop over the population (or over the people a rule
concerns), compiled with numba. A numpy version of the same pass needs one temporary
array per operation and one interpreter call per operation; at national scale (a
million rows, about 20 such passes a week) that cost dominated the run, and at small
scale the interpreter overhead alone was larger than the work (see
``docs/performance.md``). The behavioural formulas stay in :mod:`simulation.rules`
(compiled too, so the loops here call them on scalars); this module only decides who
is concerned and accumulates counts. Random numbers are drawn with the same
counter-based generator as :mod:`simulation.streams`, so a draw made here equals the
draw ``RandomStreams.uniform`` gives for the same decision, person and counter.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from simulation.rules import duration_factor, job_finding_probability, municipal_share

__all__ = [
    "uniform",
    "draw_clocks",
    "recalls",
    "meeting_candidates",
    "service_census",
    "search_weights",
    "expected_matches",
    "find_jobs",
    "state_moves",
    "update_benefits",
    "benefit_costs",
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

# Status codes (simulation.population.Status), as constants the compiler can inline.
_UNEMPLOYED, _PAY_SUBSIDY, _OTHER_SERVICE, _EMPLOYED, _OUTSIDE = 0, 2, 4, 5, 6
_SUBSIDY = 2  # Benefit.LABOUR_MARKET_SUBSIDY
_EARNINGS_RELATED = 0


@njit(cache=True, inline="always")
def _mix(x: np.uint64) -> np.uint64:
    x = x ^ (x >> _S30)
    x = x * _M1
    x = x ^ (x >> _S27)
    x = x * _M2
    return x ^ (x >> _S31)


@njit(cache=True)
def uniform(base: np.uint64, key: np.uint64, counter: int) -> float:
    """The uniform draw of a decision (``base``) for one person and counter.

    Equal to ``RandomStreams.uniform(decision, key, counter)`` with
    ``base = RandomStreams.decision_base(decision)``.
    """
    step = _mix(base + (np.uint64(counter) + _ONE) * _WEEK_STRIDE)
    return (np.float64(_mix(key * _SUBJECT_STRIDE + step) >> _S11) + 0.5) * _TO_UNIT


@njit(cache=True)
def draw_clocks(rows, clock, count, key, base) -> None:
    """Draw the exponential threshold of each person's next event of one kind."""
    for r in rows:
        clock[r] = -np.log(uniform(base, key[r], count[r]))
        count[r] += 1


@njit(cache=True)
def recalls(status, between_jobs, hazard, clock, count, key, base, recalled):
    """Unemployed people between jobs whose recall clock runs out this week.

    Their rows go to the start of ``recalled``; returns how many.
    """
    k = 0
    for r in range(len(status)):
        if status[r] != _UNEMPLOYED or not between_jobs[r]:
            continue
        clock[r] -= hazard
        if clock[r] <= 0.0:
            clock[r] = -np.log(uniform(base, key[r], count[r]))
            count[r] += 1
            recalled[k] = r
            k += 1
    return k


@njit(cache=True)
def meeting_candidates(status, caseworker, next_meeting, week, n_caseworkers, due):
    """Unemployed clients due a meeting, and each caseworker's unemployed caseload.

    The rows of the clients due go to the start of ``due``; returns their number and
    the caseloads.
    """
    caseload = np.zeros(n_caseworkers, dtype=np.int64)
    k = 0
    for r in range(len(status)):
        if status[r] == _UNEMPLOYED and caseworker[r] >= 0:
            caseload[caseworker[r]] += 1
            if next_meeting[r] <= week:
                due[k] = r
                k += 1
    return k, caseload


@njit(cache=True)
def service_census(service, service_end, queued_for, week, n_places, done, queued):
    """People whose service ends now, places held by the others, and the queues.

    Rows go to the start of ``done`` and ``queued``; returns their numbers and the
    occupied places.
    """
    occupied = np.zeros(n_places, dtype=np.int64)
    d = q = 0
    for r in range(len(service)):
        if service[r] >= 0:
            if service_end[r] <= week:
                done[d] = r
                d += 1
            else:
                occupied[service[r]] += 1
        elif queued_for[r] >= 0:
            queued[q] = r
            q += 1
    return d, occupied, q


@njit(cache=True)
def search_weights(
    status,
    max_status,
    area,
    n_areas,
    employability,
    barriers,
    barrier_factor,
    jobless_since,
    week,
    penalty,
    penalty_weeks,
    with_policy,
    last_meeting,
    meeting_effect,
    meeting_decay,
    referral_until,
    referral_multiplier,
    service,
    lock_in,
    organiser,
    organiser_multiplier,
    rows,
    weights,
):
    """Searchers (status up to ``max_status``), their search weights and area totals.

    The weight is employability, times the barriers' factor (``barrier_factor`` by
    barrier mask), times the duration factor; ``with_policy`` adds the meeting boost
    (``meeting_decay[k]``: what is left of a boost after k weeks, the last entry
    standing for all longer gaps), an open vacancy referral, lock-in in a service and
    the organiser's multiplier (start-up disruption). Rows and weights go to the start
    of ``rows`` and ``weights``; returns their number and the totals.
    """
    totals = np.zeros(n_areas, dtype=np.float64)
    longest = len(meeting_decay) - 1
    k = 0
    for r in range(len(status)):
        if status[r] > max_status:
            continue
        w = employability[r] * barrier_factor[barriers[r]]
        w *= duration_factor(week - jobless_since[r], penalty, penalty_weeks)
        if with_policy:
            w *= 1.0 + meeting_effect[r] * meeting_decay[min(week - last_meeting[r], longest)]
            if referral_until[r] >= week:
                w *= referral_multiplier
            if service[r] >= 0:
                w *= lock_in[service[r]]
            w *= organiser_multiplier[organiser[r]]
        rows[k] = r
        weights[k] = w
        totals[area[r]] += w
        k += 1
    return k, totals


@njit(cache=True)
def expected_matches(rows, weights, area, price, n_areas):
    """Expected matches per area: the searchers' job-finding probabilities summed."""
    expected = np.zeros(n_areas)
    for i in range(len(rows)):
        a = area[rows[i]]
        expected[a] += job_finding_probability(weights[i], price[a])
    return expected


@njit(cache=True)
def find_jobs(rows, weights, area, price, cap, clock, count, key, base, found):
    """Run down the searchers' job-finding clocks; the rows that find a job go to ``found``.

    The weekly probability is the matching probability (scaled by the area's vacancy
    cap); the clock runs down by the equivalent hazard, -log(1 - probability), which
    is weight times price where the cap does not bind. Returns the number found.
    """
    k = 0
    for i in range(len(rows)):
        r = rows[i]
        a = area[r]
        if cap[a] < 1.0:
            p = min(job_finding_probability(weights[i], price[a]) * cap[a], 1.0 - 1e-12)
            clock[r] += np.log1p(-p)
        else:
            clock[r] -= weights[i] * price[a]
        if clock[r] <= 0.0:
            clock[r] = -np.log(uniform(base, key[r], count[r]))
            count[r] += 1
            found[k] = r
            k += 1
    return k


@njit(cache=True)
def state_moves(
    status,
    employed_since,
    former_long_term,
    week,
    separation_hazard,
    former_long_term_hazard,
    leave_hazard,
    return_hazard,
    key,
    clocks,
    counts,
    bases,
    lost,
    leaving,
    returning,
):
    """Job losses, exits from the register and returns, on this week's statuses.

    ``clocks``, ``counts`` and ``bases`` hold the separation, leave-register and
    return clocks (in that order). The rows that lose their job, leave the register
    and come back go to the start of ``lost``, ``leaving`` and ``returning``; returns
    their numbers.
    """
    n = len(status)
    a = b = c = 0
    for r in range(n):
        s = status[r]
        if s == _EMPLOYED:
            if employed_since[r] >= week:
                continue
            e, h = 0, (former_long_term_hazard if former_long_term[r] else separation_hazard)
        elif s == _UNEMPLOYED:
            e, h = 1, leave_hazard
        elif s == _OUTSIDE:
            e, h = 2, return_hazard
        else:
            continue
        clock = clocks[e]
        clock[r] -= h
        if clock[r] > 0.0:
            continue
        count = counts[e]
        clock[r] = -np.log(uniform(bases[e], key[r], count[r]))
        count[r] += 1
        if e == 0:
            lost[a] = r
            a += 1
        elif e == 1:
            leaving[b] = r
            b += 1
        else:
            returning[c] = r
            c += 1
    return a, b, c


@njit(cache=True)
def update_benefits(status, benefit, jobless_since, subsidy_days, week, max_weeks, days_per_week):
    """Exhaust benefits after the maximum duration; count passive subsidy days."""
    for r in range(len(status)):
        if status[r] > _OTHER_SERVICE:
            continue
        if benefit[r] != _SUBSIDY and week - jobless_since[r] >= max_weeks:
            benefit[r] = _SUBSIDY
        if status[r] == _UNEMPLOYED and benefit[r] == _SUBSIDY:
            subsidy_days[r] += days_per_week


@njit(cache=True)
def benefit_costs(
    status,
    benefit,
    subsidy_days,
    area,
    n_areas,
    earnings_related_weekly,
    basic_weekly,
    thresholds,
    shares,
    service,
    n_places,
):
    """The week's benefit spending by area and payer, and the occupied service places.

    Everyone registered and not in subsidised work receives a benefit; the
    municipality pays its share of passive labour market subsidy by days received.
    """
    state = np.zeros(n_areas)
    municipal = np.zeros(n_areas)
    occupied = np.zeros(n_places, dtype=np.int64)
    for r in range(len(status)):
        s = status[r]
        if s > _OTHER_SERVICE:
            continue
        if service[r] >= 0:
            occupied[service[r]] += 1
        if s == _PAY_SUBSIDY:
            continue
        weekly = earnings_related_weekly if benefit[r] == _EARNINGS_RELATED else basic_weekly
        share = 0.0
        if s == _UNEMPLOYED and benefit[r] == _SUBSIDY:
            share = municipal_share(subsidy_days[r], thresholds, shares)
        state[area[r]] += weekly * (1.0 - share)
        municipal[area[r]] += weekly * share
    return state, municipal, occupied


@njit(cache=True, inline="always")
def _bucket_of(value, edges):
    """Index of the last edge at or below ``value`` (edges ascending, few)."""
    b = 0
    while b + 1 < len(edges) and edges[b + 1] <= value:
        b += 1
    return b


@njit(cache=True)
def spell_buckets(status, spell_start, week, edges, bucket):
    """Spell-length bucket of everyone unemployed (-1 for others); people at risk by bucket."""
    at_risk = np.zeros(len(edges), dtype=np.int64)
    for r in range(len(status)):
        if status[r] != _UNEMPLOYED:
            bucket[r] = -1
            continue
        b = _bucket_of(week - spell_start[r], edges)
        bucket[r] = b
        at_risk[b] += 1
    return at_risk


@njit(cache=True)
def census(
    status,
    cell,
    n_cells,
    spell_start,
    week,
    caseworker,
    organiser,
    n_organisers,
    service,
    queued_for,
    n_places,
    bucket,
    n_buckets,
    destination,
    n_destinations,
    service_ended,
    lags,
):
    """The end-of-week counts, in one pass.

    Returns people by (cell, status), long-term unemployed by cell, clients by
    organiser, occupied places and queues by service, spells ended this week by
    (destination, start-of-week bucket), and, for each lag, people whose service
    ended that many weeks ago and how many of them are employed.
    """
    n_status = 7
    by_status = np.zeros((n_cells, n_status), dtype=np.int64)
    long_term = np.zeros(n_cells, dtype=np.int64)
    clients = np.zeros(n_organisers, dtype=np.int64)
    occupied = np.zeros(n_places, dtype=np.int64)
    queued = np.zeros(n_places, dtype=np.int64)
    exits = np.zeros((n_destinations, n_buckets), dtype=np.int64)
    after = np.zeros((len(lags), 2), dtype=np.int64)
    for r in range(len(status)):
        s = status[r]
        by_status[cell[r], s] += 1
        if s == _UNEMPLOYED and week - spell_start[r] >= 52:
            long_term[cell[r]] += 1
        if caseworker[r] >= 0:
            clients[organiser[r]] += 1
        if service[r] >= 0:
            occupied[service[r]] += 1
        if queued_for[r] >= 0:
            queued[queued_for[r]] += 1
        if bucket[r] >= 0 and destination[s] >= 0:
            exits[destination[s], bucket[r]] += 1
        if service_ended[r] >= 0:
            for i in range(len(lags)):
                if service_ended[r] == week - lags[i]:
                    after[i, 0] += 1
                    if s == _EMPLOYED:
                        after[i, 1] += 1
    return by_status, long_term, clients, occupied, queued, exits, after
