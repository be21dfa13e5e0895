"""Event clocks: the passes that time each person's next job, job loss, exit and return.

A person's clock of an event kind is an exponential threshold (drawn from the event's
stream, keyed by how many such events the person has had) that runs down by the hazard
week by week; the event happens in the week it runs out. Job losses and returns have
constant hazards, so their week is fixed when the job or the time outside begins
(:func:`schedule_wakes`) and nobody in work or outside the labour force is visited
until then. The passes take one event kind's clock and count arrays, so one pass serves
every kind (:class:`simulation.core.clocks.EventClocks` names them).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from simulation.core.codes import NO_WEEK, UNEMPLOYED
from simulation.core.passes.common import row
from simulation.core.passes.draws import uniform
from simulation.core.passes.slices import SLICES, close_gaps, slice_bounds

__all__ = [
    "draw_clocks",
    "next_threshold",
    "runs_out",
    "schedule_wakes",
    "unemployed_events",
    "wake_week",
    "waking",
]


@njit(cache=True, inline="always")
def runs_out(r, clock, count, key, base):
    """True if person ``r``'s clock has run out; then their next threshold is drawn."""
    if clock[r] > 0.0:
        return False
    next_threshold(r, clock, count, key, base)
    return True


@njit(cache=True, inline="always")
def next_threshold(r, clock, count, key, base):
    """Person ``r``'s exponential threshold for their next event of a kind."""
    clock[r] = -np.log(uniform(base, key[r], count[r]))
    count[r] += 1


@njit(cache=True)
def draw_clocks(rows, clock, count, key, base) -> None:
    """Draw the exponential threshold of each person's next event of one kind."""
    for i in range(len(rows)):
        r = row(rows, i)
        next_threshold(r, clock, count, key, base)


@njit(cache=True, parallel=True)
def waking(wakes_at, week, out):
    """Rows whose scheduled move (job loss, return to the register) falls in ``week``."""
    bounds = slice_bounds(len(wakes_at))
    listed = np.zeros(SLICES, dtype=np.int64)
    for t in prange(SLICES):  # on every core (:mod:`.slices`)
        k = bounds[t]
        for r in range(bounds[t], bounds[t + 1]):
            if wakes_at[r] == week:  # rare: a branch is cheaper than a write per row
                out[k] = r
                k += 1
        listed[t] = k - bounds[t]
    return close_gaps(out, bounds, listed)


@njit(cache=True, inline="always")
def wake_week(clock, hazard, first):
    """Week in which a clock running down by ``hazard`` a week from ``first`` runs out.

    At least ``first`` (a clock already run out waits a week); never (``NO_WEEK``) for a
    zero hazard or a week beyond 2**30.
    """
    if not hazard > 0.0:
        return NO_WEEK
    weeks = np.ceil(clock / hazard)
    if not weeks < 2.0**30:
        return NO_WEEK
    return first - 1 + int(max(weeks, 1.0))


@njit(cache=True)
def schedule_wakes(rows, clock, hazard, high_hazard, high, first, wakes_at):
    """Schedule each person's next move from their clock (job loss, return).

    The clock runs down by ``hazard`` a week from week ``first`` on, by ``high_hazard``
    for people with ``high`` set (those hired out of long-term unemployment lose their
    jobs more often).
    """
    for i in range(len(rows)):
        r = row(rows, i)
        wakes_at[r] = wake_week(clock[r], high_hazard if high[r] else hazard, first)


@njit(cache=True, parallel=True)
def unemployed_events(rows, status, hazard, clock, count, key, base, out):
    """Run down one clock of the unemployed among ``rows``.

    The rows whose clock runs out this week go to ``out`` and draw their next
    threshold; returns their number.
    """
    bounds = slice_bounds(len(rows))
    listed = np.zeros(SLICES, dtype=np.int64)
    for t in prange(SLICES):  # on every core (:mod:`.slices`)
        k = bounds[t]
        for i in range(bounds[t], bounds[t + 1]):
            r = row(rows, i)
            if status[r] == UNEMPLOYED:
                clock[r] -= hazard
                if runs_out(r, clock, count, key, base):
                    out[k] = r
                    k += 1
        listed[t] = k - bounds[t]
    return close_gaps(out, bounds, listed)
