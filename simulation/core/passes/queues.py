"""Queues served oldest first, ties broken by a keyed draw, without sorting them.

Caseworkers meet the clients due longest first, and services admit those queued
longest first; in both, the random priority that breaks ties among people who joined in
the same week is a draw keyed by the person and a counter of theirs (the meeting's or
the service's number). :func:`serve_oldest_first` makes the choice
:func:`rules.ration` makes with (week joined, priority), in a few passes over each
crowded queue instead of a sort, and draws the priorities only where a tie must be
broken.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from simulation.core import rules
from simulation.core.passes.common import row
from simulation.core.passes.draws import uniform

__all__ = ["serve_oldest_first"]


@njit(cache=True, parallel=True)
def serve_oldest_first(rows, queue, since, capacity, key, counter, base):
    """Who of the people in queues is served: those waiting longest, ties by a draw.

    ``rows[i]`` waits in queue ``queue[i]`` since week ``since[i]``; queue q serves at
    most ``capacity[q]``. A queue with more people than places serves whole weeks, the
    oldest first, while they fit, and among the people of the week that does not fit
    those with the lowest draws of decision ``base`` (keyed by ``key`` and ``counter`` of
    the person). Queues are served on every core (each writes only its own people).
    Returns whether each listed person is served.
    """
    granted = np.ones(len(queue), dtype=np.bool_)
    start, members = rules.crowded_queues(queue, capacity)
    for i in members:
        granted[i] = False  # granted below, week by week
    for q in prange(len(capacity)):
        first, last = start[q], start[q + 1]
        # An empty list: not crowded, everyone is served.
        left = max(capacity[q], 0) if last > first else 0
        low = -(2**62)  # weeks below this are already served
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
            # The week that does not fit: the ``left`` lowest priorities among it.
            best = np.empty(left, dtype=np.int64)
            score = np.empty(left)
            kept = 0
            for j in range(first, last):
                i = members[j]
                if since[i] != week:
                    continue
                r = row(rows, i)
                value = uniform(base, key[r], counter[r])
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
