"""The random-number primitives and the key layout, defined once for the whole model.

Every draw is a pure function of (decision base, subject key, counter): a counter-based
generator built from the SplitMix64 finaliser. :mod:`simulation.core.streams` draws
arrays with these functions from Python; the compiled passes call them person by person,
so a draw made in a pass equals ``RandomStreams.uniform(decision, key, counter)`` for the
same decision, person and counter (``tests/test_streams.py`` checks it draw for draw).

A person's key is (area, cohort, rank within both): the area in bits 48-63, the cohort
(entry week + 16, or a code below 16 for the initial stock) in bits 24-47 and the rank
in the low bits. A caseworker's key is (area, key space, rank among the area's serving
caseworkers), the area in bits 32-47 and the key space (0 the area's own organisers, 1 a
trial organiser) in bits 24-31.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "AREA_SHIFT",
    "COHORT_SHIFT",
    "caseworker_keys",
    "mix64",
    "person_key",
    "person_keys",
    "stream_step",
    "uniform",
    "uniforms",
    "uniforms_at",
    "unit",
]

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_WEEK_STRIDE = np.uint64(0xD1B54A32D192ED03)
_SUBJECT_STRIDE = np.uint64(0xBF58476D1CE4E5B9)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_ONE = np.uint64(1)
_TO_UNIT = 2.0**-53

#: Bit positions of a person's area and cohort in their key.
AREA_SHIFT, COHORT_SHIFT = np.uint64(48), np.uint64(24)
#: Bit positions of a caseworker's area and key space in their key.
_CASEWORKER_AREA_SHIFT, _CASEWORKER_SPACE_SHIFT = np.uint64(32), np.uint64(24)


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


@njit(cache=True, inline="always")
def stream_step(base, counter):
    """The stream of a decision at one counter (week, or the person's event number)."""
    return _mix(base + (np.uint64(counter) + _ONE) * _WEEK_STRIDE)


@njit(cache=True, inline="always")
def unit(key, step):
    """A subject's uniform draw on the open interval (0, 1) from a stream step."""
    return (np.float64(_mix(key * _SUBJECT_STRIDE + step) >> _S11) + 0.5) * _TO_UNIT


@njit(cache=True)
def uniform(base: np.uint64, key: np.uint64, counter: int) -> float:
    """The uniform draw of a decision (``base``) for one subject and counter.

    Equal to ``RandomStreams.uniform(decision, key, counter)`` with
    ``base = RandomStreams.decision_base(decision)``.
    """
    return unit(key, stream_step(base, counter))


@njit(cache=True)
def uniforms(base, keys, counters):
    """Uniform draws of one decision for many subjects, each with its own counter."""
    out = np.empty(len(keys))
    for i in range(len(keys)):
        out[i] = uniform(base, keys[i], counters[i])
    return out


@njit(cache=True)
def uniforms_at(base, keys, counter):
    """Uniform draws of one decision for many subjects with the same counter (week)."""
    step = stream_step(base, counter)
    out = np.empty(len(keys))
    for i in range(len(keys)):
        out[i] = unit(keys[i], step)
    return out


@njit(cache=True)
def person_key(area, cohort, rank):
    """The key of the person of ``rank`` in an area's cohort."""
    head = (np.uint64(area) << AREA_SHIFT) | (np.uint64(cohort) << COHORT_SHIFT)
    return head | np.uint64(rank)


@njit(cache=True)
def person_keys(areas, cohort):
    """Keys (area, cohort, rank within the area) of people listed by ascending area."""
    keys = np.empty(len(areas), dtype=np.uint64)
    rank = 0
    for i in range(len(areas)):
        if i > 0 and areas[i] != areas[i - 1]:
            rank = 0
        keys[i] = person_key(areas[i], cohort, rank)
        rank += 1
    return keys


def caseworker_keys(area: int, space: int, first_rank: int, count: int) -> np.ndarray:
    """Keys of ``count`` caseworkers of an area's key space, from ``first_rank`` on."""
    head = (np.uint64(area) << _CASEWORKER_AREA_SHIFT) + (
        np.uint64(space) << _CASEWORKER_SPACE_SHIFT
    )
    return head + np.arange(first_rank, first_rank + count, dtype=np.uint64)
