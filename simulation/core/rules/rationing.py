"""Rationing of scarce places: meeting slots and service places, in priority order.

Candidates compete within their queue (a caseworker's slots, a service's places) and
are served by a whole-number key (the week they became due, the week they queued) and
then a per-person random priority; the outcome depends on the candidates alone, never
on the order in which they were listed.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["crowded_queues", "ration", "ration_queues"]


def ration(
    queues: np.ndarray, order_keys: tuple[np.ndarray, ...], capacity: np.ndarray
) -> np.ndarray:
    """Grant scarce places (meeting slots, service places) in priority order.

    Candidates compete within their queue (a caseworker, a service); within a queue
    they are served by ``order_keys`` (the due week, then a per-person random
    priority), with stable sorts, so the outcome depends on the candidates alone,
    never on the order in which they were listed. Only crowded queues are sorted.

    Args:
        queues: Queue index of each candidate.
        order_keys: (whole-number key, tie-breaking key) within a queue.
        capacity: Places per queue (whole numbers).

    Returns:
        Boolean array: the candidate gets a place.
    """
    primary, secondary = order_keys
    return ration_queues(
        np.asarray(queues, dtype=np.int64),
        np.asarray(primary, dtype=np.int64),
        np.asarray(secondary, dtype=np.float64),
        np.asarray(capacity, dtype=np.int64),
    )


@njit(cache=True, inline="always")
def _before(a, b, primary, secondary):
    """Candidate ``a`` is served before ``b``: earlier primary key, then lower tie-breaker."""
    return primary[a] < primary[b] or (primary[a] == primary[b] and secondary[a] < secondary[b])


@njit(cache=True)
def _keep_first(members, first, last, places, primary, secondary, granted):
    """Keep the ``places`` first candidates of a queue, in order, by insertion.

    ``members[first:first + kept]`` holds the best so far, sorted; a candidate that
    does not make it, or is pushed out, is refused. Suits few places.
    """
    kept = 0
    for i in range(first, last):
        candidate = members[i]
        if kept == places:
            if places == 0 or not _before(
                candidate, members[first + places - 1], primary, secondary
            ):
                granted[candidate] = False
                continue
            granted[members[first + places - 1]] = False
            kept -= 1
        j = first + kept
        while j > first and _before(candidate, members[j - 1], primary, secondary):
            members[j] = members[j - 1]
            j -= 1
        members[j] = candidate
        kept += 1


@njit(cache=True)
def _sort_and_cut(members, first, last, places, primary, secondary, granted):
    """Sort a queue's candidates and refuse those beyond ``places``. Suits many places."""
    group = members[first:last]
    low = primary[group[0]]
    for i in group:
        low = min(low, primary[i])
    # Sort by one float key, primary (shifted) plus the tie-breaker in [0, 1): it never
    # orders two candidates against their (primary, secondary) order, but rounding can
    # make near keys equal, so an insertion pass restores the exact order.
    key = np.empty(len(group))
    for i in range(len(group)):
        key[i] = (primary[group[i]] - low) + secondary[group[i]]
    group = group[np.argsort(key)]
    for i in range(1, len(group)):
        candidate = group[i]
        j = i
        while j > 0 and _before(candidate, group[j - 1], primary, secondary):
            group[j] = group[j - 1]
            j -= 1
        group[j] = candidate
    for rank in range(places, len(group)):
        granted[group[rank]] = False


@njit(cache=True)
def crowded_queues(queues, capacity):
    """The candidates of each queue with more candidates than places, queue by queue.

    Returns (start, members): the candidates (indices, in listing order) of queue q are
    ``members[start[q]:start[q + 1]]``, empty for queues where everyone gets a place.
    """
    m = len(capacity)
    count = np.zeros(m, dtype=np.int64)
    for i in range(len(queues)):
        count[np.uint64(queues[i])] += 1  # unsigned: no wrap-around code for the index
    start = np.zeros(m + 1, dtype=np.int64)
    for q in range(m):
        start[q + 1] = start[q] + (count[q] if count[q] > capacity[q] else 0)
    fill = start[:m].copy()
    members = np.empty(start[m], dtype=np.int64)
    for i in range(len(queues)):
        q = np.uint64(queues[i])
        if count[q] > capacity[q]:
            members[fill[q]] = i
            fill[q] += 1
    return start, members


@njit(cache=True)
def ration_queues(queues, primary, secondary, capacity):
    """Grant places queue by queue: all if they suffice, else the first by the keys.

    Candidates of a crowded queue are ordered by ``primary`` then ``secondary``, so the
    outcome depends on the candidates, not on their listing.
    """
    granted = np.ones(len(queues), dtype=np.bool_)
    start, members = crowded_queues(queues, capacity)
    for q in range(len(capacity)):
        first, last = start[q], start[q + 1]
        if last == first:
            continue
        places = max(capacity[q], 0)
        if places <= 64:
            _keep_first(members, first, last, places, primary, secondary, granted)
        else:
            _sort_and_cut(members, first, last, places, primary, secondary, granted)
    return granted
