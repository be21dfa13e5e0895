"""Rationing of scarce places: meeting slots and service places, in priority order.

Candidates compete within their queue (a caseworker's slots, a service's places) and
are served by a whole-number key (the week they became due, the week they queued) and
then a per-person random priority; the outcome depends on the candidates alone, never
on the order in which they were listed.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["crowded_queues", "ration"]


def ration(
    queues: np.ndarray, order_keys: tuple[np.ndarray, ...], capacity: np.ndarray
) -> np.ndarray:
    """Grant scarce places (meeting slots, service places) in priority order.

    Candidates compete within their queue (a caseworker, a service); within a queue
    they are served by ``order_keys`` (the due week, then a per-person random
    priority), so the outcome depends on the candidates alone, never on the order in
    which they were listed. This is the definition; the compiled passes make the same
    choice without sorting (``passes.queues.serve_oldest_first``, tested against it).

    Args:
        queues: Queue index of each candidate.
        order_keys: (whole-number key, tie-breaking key) within a queue.
        capacity: Places per queue (whole numbers).

    Returns:
        Boolean array: the candidate gets a place.
    """
    primary, secondary = order_keys
    queues = np.asarray(queues, dtype=np.int64)
    order = np.lexsort((secondary, primary, queues))  # by queue, then the keys
    in_order = queues[order]
    rank = np.arange(len(order)) - np.searchsorted(in_order, in_order, side="left")
    granted = np.empty(len(queues), dtype=bool)
    granted[order] = rank < np.maximum(np.asarray(capacity, dtype=np.int64)[in_order], 0)
    return granted


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
