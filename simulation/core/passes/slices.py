"""The register in slices, so that a pass runs on every core and gives the same result.

A pass that runs in parallel cuts its list of rows into ``SLICES`` contiguous slices
(:func:`slice_bounds`) and visits them with numba's ``prange``. Each slice counts into
its own row of a table, and the rows are added up afterwards: the counts are whole
numbers, so the sum is the same whatever the order. A slice that lists rows (the
clients due, those who leave) writes them from its own start in the output, and
:func:`close_gaps` then moves the slices together in slice order, so the list is the
one a single loop would have made. The number of slices is fixed, not the number of
threads: results never depend on how many cores there are.

Two rules keep a parallel pass correct. It writes to a person's fields only through
arrays taken from ``people`` before the ``prange`` loop, never through ``people.field[r]``
inside it (numba's parallel compiler can drop such a write as dead code); helpers
called in the loop return what to write instead. And it writes a person's row only
from the slice that lists the person, so no two threads write the same place.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["SLICES", "add_slices", "close_gaps", "slice_bounds"]

#: Slices of a parallel pass (a multiple of the common core counts: 1, 2, 4, 8).
SLICES = 16


@njit(cache=True, inline="always")
def slice_bounds(n):
    """Bounds of ``SLICES`` contiguous slices of ``range(n)``: slice t is b[t]:b[t + 1]."""
    bounds = np.empty(SLICES + 1, dtype=np.int64)
    for t in range(SLICES + 1):
        bounds[t] = (n * t) // SLICES
    return bounds


@njit(cache=True)
def close_gaps(out, bounds, counts):
    """Move the slices' listed rows together, in slice order; return their number.

    Slice t listed ``counts[t]`` rows from ``out[bounds[t]]`` on. A slice never lists
    more rows than it has, so its rows move towards the start only, over rows already
    moved: copying in ascending order is safe.
    """
    k = counts[0]
    for t in range(1, len(counts)):
        start = bounds[t]
        for i in range(counts[t]):
            out[k + i] = out[start + i]
        k += counts[t]
    return k


@njit(cache=True)
def add_slices(table):
    """The slices' rows of a count table added up: ``table.sum(axis=0)``, in plain loops.

    ``table`` is (SLICES, ...) and C-contiguous. Inside a parallel pass numba turns
    ``sum(axis=0)`` of a three-dimensional table into a parallel reduction that costs
    a tenth of a millisecond or more for a few thousand cells, more than a small pass;
    a loop over the flattened cells costs a few microseconds.
    """
    flat = table.reshape(table.shape[0], -1)
    out = np.zeros(flat.shape[1], dtype=table.dtype)
    for t in range(flat.shape[0]):
        for i in range(flat.shape[1]):
            out[i] += flat[t, i]
    return out.reshape(table.shape[1:])
