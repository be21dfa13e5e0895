"""The register and its census: who is registered, benefits, and the end-of-week count.

:func:`registered` lists the register that the week's passes visit; :func:`spell_buckets`
notes the unemployed by spell length at the week's start; :func:`update_benefits`
exhausts allowances and counts benefit days (:mod:`simulation.core.rules.benefits`);
:func:`census` counts the register at the end of the week in one pass, for the records
and the accounts alike, and :func:`count_dormant` keeps the counts of those off it (in
work or outside the labour force) as they move. :class:`CensusLayout` says what the
census counts by, built by :func:`census_layout`; :class:`Census` names what it returns.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit, prange

from simulation.config.scenario import Costs
from simulation.core import rules
from simulation.core.codes import (
    EARNINGS_RELATED,
    GROUP_COMBINATIONS,
    OTHER_SERVICE,
    PAY_SUBSIDY,
    SUBSIDY,
    UNEMPLOYED,
    Status,
)
from simulation.core.passes.common import row
from simulation.core.passes.slices import SLICES, add_slices, slice_bounds
from simulation.core.plan import WEEKS_PER_YEAR, Plan

__all__ = [
    "BUCKET_OF_WEEKS",
    "Census",
    "CensusLayout",
    "EXIT_DESTINATIONS",
    "EXIT_DESTINATION_OF_STATUS",
    "HAZARD_WEEKS",
    "census",
    "census_layout",
    "count_dormant",
    "registered",
    "spell_buckets",
    "update_benefits",
]

#: Lower edges (weeks) of the register's spell-length buckets: <1, 1-3, 3-6, 6-12, 12-18,
#: 18-24 and 24+ months, as in the TEM 2015 flows.
HAZARD_WEEKS = np.round(np.array([0, 1, 3, 6, 12, 18, 24]) * WEEKS_PER_YEAR / 12).astype(np.int64)
#: Where a spell can end within a week.
EXIT_DESTINATIONS = {
    "employment": (Status.EMPLOYED,),
    "services": (
        Status.TRAINING,
        Status.PAY_SUBSIDY,
        Status.REHABILITATIVE_WORK,
        Status.OTHER_SERVICE,
    ),
    "out_of_register": (Status.OUT_OF_LABOUR_FORCE,),
}
#: Spell-length bucket of a spell of 0, 1, ... weeks (the last entry for longer ones).
BUCKET_OF_WEEKS = np.searchsorted(HAZARD_WEEKS, np.arange(HAZARD_WEEKS[-1] + 1), "right") - 1
#: Index in EXIT_DESTINATIONS of each status (-1: the spell goes on).
EXIT_DESTINATION_OF_STATUS = np.full(len(Status), -1, dtype=np.int64)
for _d, _statuses in enumerate(EXIT_DESTINATIONS.values()):
    EXIT_DESTINATION_OF_STATUS[list(_statuses)] = _d

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
        "step_of_days",
    ),
)

#: The end-of-week count (:func:`census`): registered people by (cell, status),
#: long-term unemployed by cell, clients by organiser, occupied places and queues by
#: service, spells ended by (destination, bucket), benefit recipients by (area, column).
Census = namedtuple(
    "Census",
    ("by_status", "long_term", "clients", "occupied", "queued", "exits", "recipients"),
)


def census_layout(plan: Plan, costs: Costs) -> CensusLayout:
    """What the census counts by under a plan and the cost sharing in force.

    Days are whole numbers, so the cost-sharing step of every number of days up to one
    past the last threshold is tabulated once here (``step_of_days``;
    :func:`rules.subsidy_step`): the census looks a person's step up instead of
    comparing their days with every threshold.
    """
    thresholds = np.asarray(costs.municipal_share_thresholds, dtype=np.float64)
    longest = max(int(np.ceil(thresholds[-1])) + 1, 0) if len(thresholds) else 0
    days = np.arange(longest + 1, dtype=np.float64)
    step_of_days = (days[:, None] > thresholds[None, :]).sum(axis=1).astype(np.int64)
    return CensusLayout(
        n_cells=plan.n_areas * GROUP_COMBINATIONS,
        cells_per_area=GROUP_COMBINATIONS,
        n_organisers=plan.n_organisers,
        n_places=len(plan.services["places"]),
        n_buckets=len(HAZARD_WEEKS),
        destination=EXIT_DESTINATION_OF_STATUS,
        n_destinations=len(EXIT_DESTINATIONS),
        n_areas=plan.n_areas,
        thresholds=thresholds,
        basis=int(costs.municipal_share_basis == "benefit_days"),
        step_of_days=step_of_days,
    )


@njit(cache=True)
def registered(people, out, out_between_jobs):
    """Rows of everyone registered (unemployed or in a service), in row order, into ``out``.

    Those between jobs also go to ``out_between_jobs``. Returns the two numbers. Both
    lists are gathered without branches (who is registered is unpredictable), the second
    from the first.
    """
    status, between_jobs = people.status, people.between_jobs
    k = 0
    for r in range(len(status)):
        out[k] = r
        k += status[r] <= OTHER_SERVICE
    j = 0
    for i in range(k):
        out_between_jobs[j] = out[i]
        j += between_jobs[out[i]]
    return k, j


@njit(cache=True)
def count_dormant(rows, cell, dormant, status, change):
    """Add ``change`` to the count of ``rows`` by (cell, ``status``) in ``dormant``.

    The counts of people in work or outside the labour force, kept by cell as people
    move (the census counts only the register).
    """
    for i in range(len(rows)):
        dormant[cell[rows[i]], status] += change


@njit(cache=True)
def update_benefits(people, week, max_weeks, days_per_week):
    """Exhaust benefits after the maximum duration; count passive subsidy and benefit days.

    :func:`rules.benefit_exhausted` for everyone registered. A plain pass over every
    row without branches, which the compiler turns into vector instructions: faster
    than visiting the register row by row.
    """
    status, benefit, jobless_since = people.status, people.benefit, people.jobless_since
    subsidy_days, benefit_days = people.subsidy_days, people.benefit_days
    for r in range(len(status)):
        s, b = status[r], benefit[r]
        registered = s <= OTHER_SERVICE
        exhausted = registered & rules.benefit_exhausted(b, week - jobless_since[r], max_weeks)
        b = SUBSIDY if exhausted else b
        benefit[r] = b
        passive = registered & (s == UNEMPLOYED)
        subsidy_days[r] += days_per_week * (passive & (b == SUBSIDY))
        benefit_days[r] += days_per_week * passive


@njit(cache=True)
def spell_buckets(rows, week, people, bucket_of_weeks, bucket):
    """Spell-length bucket of everyone unemployed (-1 for others); people at risk by bucket.

    ``bucket_of_weeks[d]`` is the bucket of a spell of d weeks (the last entry for all
    longer spells).
    """
    status, spell_start = people.status, people.spell_start
    longest = np.uint64(len(bucket_of_weeks) - 1)
    at_risk = np.zeros(bucket_of_weeks[longest] + 1, dtype=np.int64)
    for i in range(len(rows)):
        r = row(rows, i)
        unemployed = status[r] == UNEMPLOYED
        b = bucket_of_weeks[min(np.uint64(max(week - spell_start[r], 0)), longest)]
        bucket[r] = b if unemployed else -1
        at_risk[np.uint64(b)] += unemployed
    return at_risk


@njit(cache=True, parallel=True)
def census(rows, week, people, bucket, layout):
    """The end-of-week count of the register, in one pass over ``rows``.

    ``rows`` must hold everyone registered now and everyone who was unemployed at the
    start of the week. Everyone registered is a client of an organiser, and a person's
    area is their cell // ``cells_per_area``, which spares reading two more arrays.
    Returns the fields of :class:`Census`; benefit recipients are counted by area and
    how the benefit is paid: everyone registered and not in subsidised work receives
    one, in the column of :func:`rules.payment_column` (whether it is cost-shared:
    :func:`rules.cost_shared` under the rule ``layout.basis``, 0 the rule of 2015-2024,
    1 of 2025), and column 2 counts the earnings-related top-up above the basic amount
    of shared recipients (the state pays).

    Counts whose condition is unpredictable from one person to the next are written
    without branches: people they do not apply to add to a spare last slot. A spell's
    end is rare enough (one in six on the list) for a branch to be cheaper.

    ``people``: the job seekers' fields; ``bucket``: each row's spell bucket at the
    week's start; ``layout``: a :class:`CensusLayout`.
    """
    status, cell, spell_start = people.status, people.cell, people.spell_start
    organiser, service, queued_for = people.organiser, people.service, people.queued_for
    benefit, subsidy_days, benefit_days = people.benefit, people.subsidy_days, people.benefit_days
    by_benefit_days = layout.basis == 1
    destination, step_of_days = layout.destination, layout.step_of_days
    # One table of each count per slice of the rows (:mod:`.slices`), added up below.
    by_status = np.zeros((SLICES, layout.n_cells, 7), dtype=np.int64)
    long_term = np.zeros((SLICES, layout.n_cells), dtype=np.int64)
    clients = np.zeros((SLICES, layout.n_organisers), dtype=np.int64)
    occupied = np.zeros((SLICES, layout.n_places + 1), dtype=np.int64)
    queued = np.zeros((SLICES, layout.n_places + 1), dtype=np.int64)
    exits = np.zeros((SLICES, layout.n_destinations, layout.n_buckets), dtype=np.int64)
    recipients = np.zeros((SLICES, layout.n_areas, 3 + len(layout.thresholds) + 1), dtype=np.int64)
    # Unsigned indices throughout (see ``row``); the spare slots as unsigned too, as
    # numba turns a mix of signed and unsigned integers into a float.
    spare, top = np.uint64(layout.n_places), np.uint64(len(step_of_days) - 1)
    per_area = np.uint64(layout.cells_per_area)
    bounds = slice_bounds(len(rows))
    for t in prange(SLICES):
        for i in range(bounds[t], bounds[t + 1]):
            r = row(rows, i)
            s = np.uint64(status[r])
            d = destination[s]
            # The spell ended this week (one in six people on the list).
            if (d >= 0) & (bucket[r] >= 0):
                exits[t, d, bucket[r]] += 1
            if s <= OTHER_SERVICE:  # registered
                c = np.uint64(cell[r])
                by_status[t, c, s] += 1
                long_term[t, c] += (s == UNEMPLOYED) & (week - spell_start[r] >= 52)
                clients[t, np.uint64(organiser[r])] += 1
                place, queue = service[r], queued_for[r]
                occupied[t, np.uint64(place) if place >= 0 else spare] += 1
                queued[t, np.uint64(queue) if queue >= 0 else spare] += 1
                b = benefit[r]
                paid = s != PAY_SUBSIDY
                shared = rules.cost_shared(by_benefit_days, s, b)
                days = benefit_days[r] if by_benefit_days else subsidy_days[r]
                step = step_of_days[min(np.uint64(max(days, 0)), top)]
                column = rules.payment_column(shared, step, b)
                recipients[t, c // per_area, column] += paid
                recipients[t, c // per_area, 2] += shared & (b == EARNINGS_RELATED)
    by_status, long_term, clients = (
        add_slices(by_status),
        add_slices(long_term),
        add_slices(clients),
    )
    occupied, queued, exits = add_slices(occupied), add_slices(queued), add_slices(exits)
    recipients = add_slices(recipients)
    return (
        by_status,
        long_term,
        clients,
        occupied[: layout.n_places],
        queued[: layout.n_places],
        exits,
        recipients,
    )
