"""Job search and matching: the searchers' weights, and who finds a job this week.

:func:`search_weights` lists the searchers of the register with their weights
(:mod:`simulation.core.rules.search`) and each labour market's total; the model prices
search in each market (:func:`rules.search_price`); :func:`find_jobs` runs down the
searchers' job-finding clocks at their hazard (:func:`rules.job_finding_hazard`).
:class:`SearchTables` holds what the search reads, built once per plan by
:func:`search_tables`.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit, prange

from simulation.core import rules
from simulation.core.passes.clocks import runs_out
from simulation.core.passes.common import row
from simulation.core.passes.slices import SLICES, close_gaps, slice_bounds
from simulation.core.plan import Plan

__all__ = ["SearchTables", "expected_matches", "find_jobs", "search_tables", "search_weights"]

#: What :func:`search_weights` reads besides the people: the barriers' factor by mask,
#: the duration dependence, what is left of a meeting's boost after k weeks, the
#: referral's multiplier, the lock-in by service instance + 1 (entry 0: none).
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
    ),
)


def search_tables(plan: Plan) -> SearchTables:
    """The tables of the search under a plan."""
    behaviour = plan.scenario.job_seekers
    return SearchTables(
        n_markets=plan.n_markets,
        barrier_factor=plan.barrier_factor,
        penalty=float(behaviour.duration_penalty),
        penalty_weeks=float(behaviour.duration_penalty_weeks),
        detachment=float(behaviour.detachment_multiplier),
        detachment_weeks=float(behaviour.detachment_weeks),
        meeting_decay=plan.meeting_decay,
        referral_multiplier=float(behaviour.referral_multiplier),
        lock_in=plan.lock_in(),
    )


@njit(cache=True, parallel=True)
def search_weights(
    candidates, max_status, week, with_policy, people, tables, organiser_multiplier, rows, weights
):
    """Searchers among ``candidates`` (status up to ``max_status``), their weights and totals.

    Totals are by labour market (``people.market``: area x segment). The weight is the
    job seeker's own (:func:`rules.intrinsic_search_weight`); ``with_policy`` adds the
    effects of the services received (:func:`rules.policy_search_weight`, with this
    week's ``organiser_multiplier`` by organiser: the start-up disruption). Rows and
    weights go to the start of ``rows`` and ``weights``; returns their number and the
    totals. ``people``: the job seekers' fields; ``tables``: a :class:`SearchTables`.
    """
    status, market, employability = people.status, people.market, people.employability
    barriers, jobless_since, last_meeting = (
        people.barriers,
        people.jobless_since,
        people.last_meeting,
    )
    meeting_effect, referral_until = people.meeting_effect, people.referral_until
    service, organiser = people.service, people.organiser
    barrier_factor, meeting_decay = tables.barrier_factor, tables.meeting_decay
    lock_in = tables.lock_in
    longest = np.uint64(len(meeting_decay) - 1)
    bounds = slice_bounds(len(candidates))
    listed = np.zeros(SLICES, dtype=np.int64)
    for t in prange(SLICES):  # the weights on every core (:mod:`.slices`)
        k = bounds[t]
        for i in range(bounds[t], bounds[t + 1]):
            r = row(candidates, i)
            if status[r] <= max_status:
                duration = rules.duration_factor(
                    week - jobless_since[r],
                    tables.penalty,
                    tables.penalty_weeks,
                    tables.detachment,
                    tables.detachment_weeks,
                )
                w = rules.intrinsic_search_weight(
                    employability[r], barrier_factor[barriers[r]], duration
                )
                if with_policy:
                    since = np.uint64(max(week - last_meeting[r], 0))
                    w = rules.policy_search_weight(
                        w,
                        meeting_effect[r] * meeting_decay[min(since, longest)],
                        referral_until[r] >= week,
                        tables.referral_multiplier,
                        lock_in[np.uint64(service[r] + 1)],  # lock_in[0] = 1: no service
                        organiser_multiplier[np.uint64(organiser[r])],
                    )
                rows[k] = r
                weights[k] = w
                k += 1
        listed[t] = k - bounds[t]
    close_gaps(rows, bounds, listed)
    n = close_gaps(weights, bounds, listed)
    # The totals in one loop, in the order of the rows: a sum of fractions depends on
    # its order, and this one must not depend on the slices.
    totals = np.zeros(tables.n_markets, dtype=np.float64)
    for i in range(n):
        totals[np.uint64(market[row(rows, i)])] += weights[i]
    return n, totals


@njit(cache=True)
def expected_matches(rows, weights, market, price, n_markets):
    """Expected matches per labour market: the searchers' job-finding probabilities summed."""
    expected = np.zeros(n_markets)
    for i in range(len(rows)):
        a = market[rows[i]]
        expected[a] += rules.job_finding_probability(weights[i], price[a])
    return expected


@njit(cache=True, parallel=True)
def find_jobs(rows, weights, price, cap, people, base, found):
    """Run down the searchers' job-finding clocks; the rows that find a job go to ``found``.

    The clock runs down by the hazard of a match in the person's labour market
    (:func:`rules.job_finding_hazard`; ``price`` and ``cap`` by market: area x segment,
    the cap scaling the market's chances so that matches stay within its vacancies).
    Returns the number found. ``people``: the job seekers' fields; ``base``: the
    job-finding draws.
    """
    market, key = people.market, people.key
    clock, count = people.job_finding_clock, people.job_finding_count
    bounds = slice_bounds(len(rows))
    listed = np.zeros(SLICES, dtype=np.int64)
    for t in prange(SLICES):  # on every core (:mod:`.slices`)
        k = bounds[t]
        for i in range(bounds[t], bounds[t + 1]):
            r = row(rows, i)
            a = np.uint64(market[r])
            clock[r] -= rules.job_finding_hazard(weights[i], price[a], cap[a])
            if runs_out(r, clock, count, key, base):
                found[k] = r
                k += 1
        listed[t] = k - bounds[t]
    return close_gaps(found, bounds, listed)
