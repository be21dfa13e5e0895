"""Random streams: every random draw of the model goes through this module.

A draw is a pure function of (replication key, decision, subject, week): a counter-based
generator built from the SplitMix64 finaliser (:mod:`simulation.core.passes.draws`, where
the compiled weekly passes draw with the same function). Because nothing is consumed
from a shared sequential state, the draws a person gets do not depend on who else
decides in the same week, on the order in which rules are evaluated, or on how many
people the population holds. Two scenarios run with the same seed therefore give the
same person the same random number for the same decision in the same week (common
random numbers), and differ only through policy.

The replication key itself comes from ``numpy.random.SeedSequence`` spawned from the
scenario's seed, so replications are independent and reproducible.

Every decision has a registered name (:class:`Decision`). A name that is not
registered raises instead of opening a new, independent stream: a misspelt decision
would otherwise silently break common random numbers between scenarios.
"""

from __future__ import annotations

import zlib

import numpy as np
from scipy import special

from simulation.core.decisions import Decision
from simulation.core.passes import draws

__all__ = ["Decision", "RandomStreams", "UnknownDecisionError", "subject_keys", "person_keys"]


class UnknownDecisionError(KeyError):
    """A draw asked for a decision that is not registered in :class:`Decision`."""


_REGISTERED = frozenset(Decision)


def _decision_code(decision: str) -> int:
    """A stable 64-bit code for a decision name (independent of Python's hash seed)."""
    return int(draws.mix64(np.uint64(zlib.crc32(decision.encode()) | (len(decision) << 32))))


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
    return draws.person_key(area, cohort, 0) | ranks


def person_keys(areas: np.ndarray, cohort: int) -> np.ndarray:
    """Keys of new people of one cohort, given each one's area (ascending).

    The same keys as :func:`subject_keys` area by area: ranks count from 0 within each
    area.
    """
    return draws.person_keys(np.asarray(areas, dtype=np.int64), cohort)


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
        self._bases: dict[str, np.uint64] = {}

    def decision_base(self, decision: str) -> np.uint64:
        """The stream of one decision in this replication (for compiled draws).

        ``simulation.core.passes.draws.uniform(decision_base(d), key, counter)`` equals
        ``uniform(d, key, counter)``.
        """
        base = self._bases.get(decision)
        if base is None:
            if decision not in _REGISTERED:
                raise UnknownDecisionError(f"{decision!r} is not a registered decision")
            base = self._bases[decision] = np.uint64(
                draws.mix64(np.uint64(self.key ^ _decision_code(decision)))
            )
        return base

    def decision_bases(self, decisions: tuple[str, ...]) -> np.ndarray:
        """The streams of several decisions, in order, as the compiled passes take them."""
        return np.array([self.decision_base(d) for d in decisions], dtype=np.uint64)

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
        base = self.decision_base(decision)
        if np.ndim(week) == 0:
            values = draws.uniforms_at(base, subjects.ravel(), int(week))
        else:
            counters = np.broadcast_to(np.asarray(week, dtype=np.int64), subjects.shape)
            values = draws.uniforms(base, subjects.ravel(), np.ascontiguousarray(counters).ravel())
        return values.reshape(subjects.shape)

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
            probabilities: Category probabilities (summing to one), the same for
                everyone, or one row per subject.

        Returns:
            int64 array of category indices.
        """
        cumulative = np.cumsum(np.asarray(probabilities, dtype=np.float64), axis=-1)
        cumulative /= cumulative[..., -1:]
        u = self.uniform(decision, subjects, week)
        if cumulative.ndim == 1:
            index = np.searchsorted(cumulative, u, side="right")
        else:
            index = np.count_nonzero(cumulative <= u[:, None], axis=1)
        return np.minimum(index, cumulative.shape[-1] - 1)

    def gamma(
        self, decision: str, subjects: np.ndarray, week: int, shape: float, scale: float
    ) -> np.ndarray:
        """Gamma draws by the inverse distribution function."""
        return special.gammaincinv(shape, self.uniform(decision, subjects, week)) * scale

    def poisson(self, decision: str, subject: int, week: int, mean: float) -> int:
        """One Poisson count (e.g. the week's new registrations in an area)."""
        return int(self.poissons(decision, np.array([subject]), week, np.array([mean]))[0])

    def poissons(
        self, decision: str, subjects: np.ndarray, week: int, means: np.ndarray
    ) -> np.ndarray:
        """Poisson counts, one per subject, by the inverse distribution function.

        The smallest k whose cumulative probability reaches the subject's uniform draw,
        searched from the continuous inverse; a mean of 0 or less gives 0.
        """
        means = np.asarray(means, dtype=np.float64)
        u = self.uniform(decision, np.asarray(subjects, dtype=np.uint64), week)
        positive = means > 0
        safe = np.where(positive, means, 1.0)
        k = np.maximum(np.floor(special.pdtrik(u, safe)), 0.0)
        while np.any(lower := (k > 0) & (special.pdtr(k - 1, safe) >= u)):
            k -= lower
        while np.any(higher := special.pdtr(k, safe) < u):
            k += higher
        return np.where(positive, k, 0).astype(np.int64)
