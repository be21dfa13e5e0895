"""Random streams: every random draw of the model goes through this module.

A draw is a pure function of (replication key, decision, subject, week): a counter-based
generator built from the SplitMix64 finaliser. Because nothing is consumed from a shared
sequential state, the draws a person gets do not depend on who else decides in the same
week, on the order in which rules are evaluated, or on how many people the population
holds. Two scenarios run with the same seed therefore give the same person the same
random number for the same decision in the same week (common random numbers), and
differ only through policy.

The replication key itself comes from ``numpy.random.SeedSequence`` spawned from the
scenario's seed, so replications are independent and reproducible.
"""

from __future__ import annotations

import zlib

import numpy as np
from scipy import special, stats

__all__ = ["RandomStreams", "subject_keys"]

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_WEEK_STRIDE = 0xD1B54A32D192ED03
_SUBJECT_STRIDE = 0xBF58476D1CE4E5B9
_TO_UNIT = 2.0**-53


def _mix_scalar(x: int) -> int:
    """SplitMix64 finaliser on a Python integer (mod 2**64)."""
    x &= _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _mix_array(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on a uint64 array (wrapping arithmetic)."""
    x = x ^ (x >> np.uint64(30))
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def _decision_code(decision: str) -> int:
    """A stable 64-bit code for a decision name (independent of Python's hash seed)."""
    return _mix_scalar(zlib.crc32(decision.encode()) | (len(decision) << 32))


def subject_keys(area: int, cohort: int, first: int, count: int) -> np.ndarray:
    """Permanent random-stream keys for ``count`` new people.

    A person's key depends only on the area, the cohort (entry week, or a negative code
    for the initial stock) and the person's rank within that cohort, never on the row the
    person occupies. Adding people to one cohort therefore leaves everyone else's draws
    unchanged.

    Args:
        area: Area index (0-65535).
        cohort: Cohort code, entry week + 16 (so the initial stock can use 0-15).
        first: Rank of the first new person within the cohort.
        count: Number of people.

    Returns:
        uint64 array of keys.
    """
    ranks = np.arange(first, first + count, dtype=np.uint64)
    head = (np.uint64(area) << np.uint64(48)) | (np.uint64(cohort) << np.uint64(24))
    return head | ranks


class RandomStreams:
    """Counter-based random numbers keyed by decision, subject and week.

    Args:
        seed: A ``numpy.random.SeedSequence`` (or anything it accepts) for one replication.

    Example:
        >>> streams = RandomStreams(np.random.SeedSequence(1))
        >>> u = streams.uniform("job_search", np.arange(3, dtype=np.uint64), week=5)
        >>> u.shape
        (3,)
    """

    def __init__(self, seed: np.random.SeedSequence | int) -> None:
        sequence = (
            seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        )
        self.key = int(sequence.generate_state(1, dtype=np.uint64)[0])

    def decision_base(self, decision: str) -> np.uint64:
        """The stream of one decision in this replication (for compiled draws).

        ``simulation.kernels.uniform(decision_base(d), key, counter)`` equals
        ``uniform(d, key, counter)``.
        """
        return np.uint64(_mix_scalar(self.key ^ _decision_code(decision)))

    def _base(self, decision: str, week: int | np.ndarray) -> int | np.ndarray:
        base = int(self.decision_base(decision))
        if np.ndim(week) == 0:
            return _mix_scalar(base + ((int(week) + 1) * _WEEK_STRIDE & _MASK))
        counter = np.asarray(week).astype(np.uint64) + np.uint64(1)
        return _mix_array(np.uint64(base) + counter * np.uint64(_WEEK_STRIDE))

    def uniform(self, decision: str, subjects: np.ndarray, week: int | np.ndarray) -> np.ndarray:
        """Uniform draws on the open interval (0, 1), one per subject.

        Args:
            decision: Name of the decision (e.g. ``"job_search"``).
            subjects: uint64 keys of the deciding subjects (see :func:`subject_keys`).
            week: Model week of the decision, or a per-subject counter of the same shape
                (e.g. each person's meeting number, so that the k-th meeting draws the
                same numbers whichever week it falls in).

        Returns:
            float64 array, same shape as ``subjects``.
        """
        subjects = np.asarray(subjects, dtype=np.uint64)
        x = subjects * np.uint64(_SUBJECT_STRIDE)
        x += (
            np.uint64(self._base(decision, week))
            if np.ndim(week) == 0
            else self._base(decision, week)
        )
        bits = _mix_array(x) >> np.uint64(11)
        return (bits.astype(np.float64) + 0.5) * _TO_UNIT

    def bernoulli(
        self, decision: str, subjects: np.ndarray, week: int | np.ndarray, p: np.ndarray | float
    ) -> np.ndarray:
        """Boolean draws, True with probability ``p`` (scalar or per subject)."""
        return self.uniform(decision, subjects, week) < p

    def normal(self, decision: str, subjects: np.ndarray, week: int) -> np.ndarray:
        """Standard normal draws by the inverse distribution function."""
        return special.ndtri(self.uniform(decision, subjects, week))

    def choice(
        self, decision: str, subjects: np.ndarray, week: int, probabilities: np.ndarray
    ) -> np.ndarray:
        """Categorical draws: index of the category for each subject.

        Args:
            decision: Name of the decision.
            subjects: Subject keys.
            week: Model week.
            probabilities: Category probabilities (summing to one).

        Returns:
            int64 array of category indices.
        """
        cumulative = np.cumsum(np.asarray(probabilities, dtype=np.float64))
        cumulative /= cumulative[-1]
        index = np.searchsorted(cumulative, self.uniform(decision, subjects, week), side="right")
        return np.minimum(index, len(cumulative) - 1)

    def gamma(
        self, decision: str, subjects: np.ndarray, week: int, shape: float, scale: float
    ) -> np.ndarray:
        """Gamma draws by the inverse distribution function."""
        return special.gammaincinv(shape, self.uniform(decision, subjects, week)) * scale

    def poisson(self, decision: str, subject: int, week: int, mean: float) -> int:
        """One Poisson count (e.g. the week's new registrations in an area)."""
        if mean <= 0:
            return 0
        u = self.uniform(decision, np.array([subject], dtype=np.uint64), week)[0]
        return int(stats.poisson.ppf(u, mean))
