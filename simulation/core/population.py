"""Job seekers as a structure of arrays, with a thin per-person view for inspection.

One row per person, for the whole run: people who find work, leave the labour force or
come back keep their row, and only their status changes. Rows are added as people
register and are never reordered or compacted, so a row index names the same person
all run long. Arrays grow by doubling; the public attributes are views of the filled part.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from simulation.core.codes import GROUP_COMBINATIONS, NO_WEEK, Barrier, Benefit, Group, Status

__all__ = [
    "Status",
    "Benefit",
    "Barrier",
    "Group",
    "JobSeekers",
    "JobSeeker",
    "NO_WEEK",
    "CLOCK_EVENTS",
    "GROUP_COMBINATIONS",
    "People",
    "WorkArrays",
]

#: Field name -> (dtype, fill value for new rows). Documented in docs/ODD.md.
FIELDS: dict[str, tuple[Any, Any]] = {
    "key": (np.uint64, 0),  # random-stream key (area, cohort, rank)
    "area": (np.int16, 0),
    "market": (np.int16, 0),  # labour market: area x segment (see Plan.market_area)
    "entry_week": (np.int32, 0),
    "age_at_entry": (np.float32, 0.0),
    "immigrant": (np.bool_, False),
    "education": (np.int8, 1),  # 0 basic, 1 upper secondary, 2 tertiary
    "benefit": (np.int8, Benefit.LABOUR_MARKET_SUBSIDY),
    "insured": (np.bool_, False),  # member of an unemployment fund with work history
    "employability": (np.float32, 1.0),
    "barriers": (np.uint8, 0),
    "detected": (np.uint8, 0),
    "groups": (np.uint8, 0),
    "cell": (np.int32, 0),  # area x group bits, for counting outcomes in one pass
    "status": (np.int8, Status.UNEMPLOYED),
    "spell_start": (np.int32, 0),  # start of the register spell (services interrupt it)
    "jobless_since": (np.int32, 0),  # start of the time out of work (services do not)
    "employed_since": (np.int32, NO_WEEK),
    "wakes_at": (np.int32, NO_WEEK),  # week of the scheduled job loss or return
    "former_long_term": (np.bool_, False),
    "between_jobs": (np.bool_, False),  # this spell is a gap between jobs (lay-off, wait)
    "subsidy_days": (np.int32, 0),  # passive labour market subsidy days (old cost rule)
    "benefit_days": (np.int32, 0),  # passive unemployment benefit days (2025 cost rule)
    "organiser": (np.int16, -1),
    "served_by_city": (np.bool_, False),
    "caseworker": (np.int32, -1),
    "next_meeting": (np.int32, NO_WEEK),
    "last_meeting": (np.int32, NO_WEEK),
    "meetings": (np.int32, 0),  # meetings so far: keys the draws of each meeting
    "meeting_effect": (np.float32, 0.0),
    "referral_until": (np.int32, NO_WEEK),
    "service": (np.int16, -1),
    "service_end": (np.int32, NO_WEEK),
    "service_ended": (np.int32, NO_WEEK),
    "services": (np.int32, 0),  # services started so far: keys the draws of each service
    "queued_for": (np.int16, -1),
    "queued_since": (np.int32, NO_WEEK),
    "trial_arm": (np.int8, 0),  # in a trial: 0 not eligible, 1 control, 2 treated
    "assigned_week": (np.int32, NO_WEEK),  # in a trial: week of assignment
}

#: Events timed by a per-person exponential clock (see :mod:`simulation.core.clocks`).
CLOCK_EVENTS = ("job_finding", "separation", "leave_register", "return", "recall")
for _event in CLOCK_EVENTS:
    FIELDS[f"{_event}_clock"] = (np.float64, 0.0)  # hazard left until the next such event
    FIELDS[f"{_event}_count"] = (np.int32, 0)  # such events drawn so far: keys the draws

#: Every field of the filled rows, by name: the bundle the compiled passes take
#: (``people.status[r]``), so that a pass names the fields it reads instead of taking
#: them as a long positional list.
People = namedtuple("People", tuple(FIELDS))
#: Fields whose fill value is not zero: the only ones :meth:`JobSeekers.add` must write
#: when no value is given (reserved rows are zero already).
_FILLED = tuple((name, fill) for name, (_, fill) in FIELDS.items() if fill != 0)


class JobSeekers:
    """All job seekers of a model run, one row each.

    Attributes are numpy views of the filled rows (``population.status`` has length
    ``len(population)``); assigning through them writes the population.

    Args:
        capacity: Rows to reserve at first.
    """

    def __init__(self, capacity: int = 1024) -> None:
        self._size = 0
        self._capacity = max(int(capacity), 16)
        self._data = {name: _reserve(self._capacity, dtype) for name, (dtype, _) in FIELDS.items()}
        self._refresh_views()

    def __len__(self) -> int:
        return self._size

    def _refresh_views(self) -> None:
        """Keep each field's view of the filled rows as a plain attribute.

        The weekly rules read fields hundreds of times a week; a stored view is an
        ordinary attribute lookup, where slicing on each access cost more than some of
        the passes it fed at small scale. Called whenever the filled rows change.
        """
        size = self._size
        views = [array[:size] for array in self._data.values()]
        self.__dict__.update(zip(self._data, views, strict=True))
        self.__dict__["people"] = People(*views)

    def __getattr__(self, name: str) -> np.ndarray:
        raise AttributeError(f"job seekers have no field {name!r}")

    def __getitem__(self, row: int) -> JobSeeker:
        if not -self._size <= row < self._size:
            raise IndexError(f"row {row} outside 0..{self._size - 1}")
        return JobSeeker(self, row % self._size)

    @property
    def capacity(self) -> int:
        """Rows reserved (filled or not)."""
        return self._capacity

    @property
    def fields(self) -> tuple[str, ...]:
        """Names of the per-person fields."""
        return tuple(self._data)

    def add(self, count: int, **values: np.ndarray | float | int) -> slice:
        """Append ``count`` people; fields not given take their fill value.

        Args:
            count: Number of new people.
            **values: Field values, arrays of length ``count`` or scalars.

        Returns:
            The slice of the new rows.
        """
        unknown = values.keys() - self._data.keys()
        if unknown:
            raise KeyError(f"unknown job-seeker fields: {sorted(unknown)}")
        needed = self._size + count
        if needed > self._capacity:
            self._grow(needed)
        rows = slice(self._size, needed)
        data = self._data
        for name, value in values.items():
            data[name][rows] = value
        for name, fill in _FILLED:
            if name not in values:
                data[name][rows] = fill
        self._size = needed
        self._refresh_views()
        return rows

    def _grow(self, needed: int) -> None:
        capacity = self._capacity
        while capacity < needed:
            capacity *= 2
        for name, (dtype, _) in FIELDS.items():
            grown = _reserve(capacity, dtype)
            grown[: self._size] = self._data[name][: self._size]
            self._data[name] = grown
        self._capacity = capacity

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays, reserved rows included."""
        return sum(a.nbytes for a in self._data.values())


def _reserve(capacity: int, dtype: type) -> np.ndarray:
    """Zeroed room for ``capacity`` rows of a field.

    The pages of a zeroed array are mapped only when first written, so rows reserved
    for later registrations cost neither time nor resident memory until they are
    filled; :meth:`JobSeekers.add` writes each field's fill value as rows are added.
    """
    return np.zeros(capacity, dtype=dtype)


class JobSeeker:
    """A view of one job seeker: reads and writes go to the population's arrays.

    Example:
        >>> person = model.job_seekers[0]          # doctest: +SKIP
        >>> person.status, person.caseworker       # doctest: +SKIP
    """

    __slots__ = ("_population", "row")

    def __init__(self, population: JobSeekers, row: int) -> None:
        self._population = population
        self.row = row

    def __getattr__(self, name: str) -> Any:
        if name in FIELDS:
            value = getattr(self._population, name)[self.row]
            if name == "status":
                return Status(int(value))
            if name == "benefit":
                return Benefit(int(value))
            return value.item()
        raise AttributeError(f"a job seeker has no field {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.__slots__:
            object.__setattr__(self, name, value)
        elif name in FIELDS:
            getattr(self._population, name)[self.row] = value
        else:
            raise AttributeError(f"a job seeker has no field {name!r}")

    def as_dict(self) -> dict[str, Any]:
        """All fields of this person."""
        return {name: getattr(self, name) for name in FIELDS}

    def __repr__(self) -> str:
        return f"JobSeeker(row={self.row}, status={self.status.name}, area={self.area})"


class WorkArrays:
    """Named work arrays with room for every job seeker, reused week after week.

    The compiled passes write the rows they select into such arrays instead of
    allocating fresh ones: a fresh array of a million rows costs more in page faults
    than the pass itself.

    Args:
        job_seekers: The population the arrays must have room for.
    """

    def __init__(self, job_seekers: JobSeekers) -> None:
        self.job_seekers = job_seekers
        self._arrays: dict[str, np.ndarray] = {}

    def get(self, name: str, dtype: type = np.int64) -> np.ndarray:
        """The work array of this name (contents undefined)."""
        array = self._arrays.get(name)
        if array is None or len(array) < len(self.job_seekers):
            array = np.empty(self.job_seekers.capacity, dtype=dtype)
            self._arrays[name] = array
        return array
