"""The caseworker table: every caseworker's employer, capacity and traits, one row each.

Organisers hire into it, retire from it and place their clients with its caseworkers;
the compiled meetings read its columns. Rows are never reused: a retired caseworker
keeps the row, inactive and with no capacity, so a row names the same caseworker all
run long (as a job seeker's row does).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from scipy import special

from simulation.config.scenario import Organiser
from simulation.core.codes import OrganiserKind
from simulation.core.passes.draws import caseworker_keys
from simulation.core.population import JobSeekers
from simulation.core.roster import Roster
from simulation.core.streams import Decision, RandomStreams

__all__ = ["CaseworkerColumns", "Staff"]

_COLUMNS = {
    "organiser": np.int32,
    "capacity": np.float64,
    "effectiveness": np.float32,
    "competent": bool,
    "key": np.uint64,
    "active": bool,
}

#: The caseworker table's columns as the compiled meetings take them.
CaseworkerColumns = namedtuple("CaseworkerColumns", tuple(_COLUMNS))


class Staff:
    """All caseworkers of a run, as columns (``staff.table["capacity"]``).

    Args:
        streams: The replication's random streams (caseworker traits, client placement).
        job_seekers: The population whose clients are placed with caseworkers.
        roster: The organisers.
    """

    def __init__(self, streams: RandomStreams, job_seekers: JobSeekers, roster: Roster) -> None:
        self.streams = streams
        self.job_seekers = job_seekers
        self.table = {name: np.zeros(0, dtype=dtype) for name, dtype in _COLUMNS.items()}
        self.area_of = roster.area
        # Caseworkers of a trial organiser are keyed apart, so that a trial leaves the
        # draws of every other caseworker as they are without it.
        self.key_space = (roster.kind == OrganiserKind.TRIAL).astype(np.int64)
        self.is_city = roster.kind == OrganiserKind.CITY
        self.first = np.full(len(roster), -1, dtype=np.int64)
        self.size = np.zeros(len(roster), dtype=np.int64)

    def __len__(self) -> int:
        return len(self.table["organiser"])

    def hire(self, organiser: int, policy: Organiser, count: int) -> range:
        """Add ``count`` caseworkers to an organiser; their traits come from its policy.

        Traits are keyed by area and rank among the area's serving caseworkers, not by
        employer: the i-th caseworker of an area is the same person whether the TE
        office or the city employs them (seconded staff), which keeps caseworker draws
        common across scenarios that differ in organisation.

        Returns:
            The new rows.
        """
        table = self.table
        first = len(self)
        area, space = int(self.area_of[organiser]), int(self.key_space[organiser])
        employer = table["organiser"]
        peers = (self.area_of[employer] == area) & (self.key_space[employer] == space)
        rank = int(np.count_nonzero(peers & table["active"]))
        keys = caseworker_keys(area, space, rank, count)
        new = {
            "organiser": np.full(count, organiser, dtype=np.int32),
            "capacity": np.full(count, policy.meetings_per_caseworker_week),
            "effectiveness": self._stratified_effectiveness(keys, policy.effectiveness_shape),
            "competent": self.streams.bernoulli(
                Decision.CASEWORKER_COMPETENCE, keys, 0, policy.multisector_competence_share
            ),
            "key": keys,
            "active": np.ones(count, dtype=bool),
        }
        for name, values in new.items():
            table[name] = np.concatenate([table[name], values])
        self.first[organiser], self.size[organiser] = first, count
        return range(first, first + count)

    def _stratified_effectiveness(self, keys: np.ndarray, shape: float) -> np.ndarray:
        """Caseworker effectiveness, Gamma with mean 1, drawn by stratified sampling.

        The i-th of n new caseworkers gets the quantile (i + v_i) / n with v_i uniform,
        so an organiser's staff covers the whole distribution whatever its size, in
        ascending order. A client's caseworker is picked by the client's own quantile
        (see :meth:`assign`), so the same person meets an equally effective caseworker
        whichever organiser serves them.
        """
        count = len(keys)
        quantile = np.arange(count) + self.streams.uniform(
            Decision.CASEWORKER_EFFECTIVENESS, keys, 0
        )
        return (special.gammaincinv(shape, quantile / count) / shape).astype(np.float32)

    def retire(self, organiser: int) -> range:
        """Retire an organiser's caseworkers (their clients must be placed again).

        Returns:
            The retired rows.
        """
        rows = range(max(self.first[organiser], 0), self.first[organiser] + self.size[organiser])
        self.table["active"][rows.start : rows.stop] = False
        self.table["capacity"][rows.start : rows.stop] = 0.0
        self.first[organiser], self.size[organiser] = -1, 0
        return rows

    def assign(self, rows: np.ndarray, organiser: np.ndarray) -> None:
        """Give clients of these organisers a caseworker each.

        An organiser's caseworkers are ordered by effectiveness, and a client's place in
        that order is the client's own permanent random quantile. Caseloads are even in
        expectation, and a person draws an equally good caseworker whichever organiser
        serves them, which keeps scenarios that move clients between organisers
        comparable.
        """
        if len(rows) == 0:
            return
        p = self.job_seekers
        staff = self.size[organiser]
        first = self.first[organiser]
        quantile = self.streams.uniform(Decision.CASEWORKER_CHOICE, p.key[rows], 0)
        position = np.minimum((quantile * staff).astype(np.int64), staff - 1)
        p.organiser[rows] = organiser
        p.caseworker[rows] = first + position
        p.served_by_city[rows] |= self.is_city[organiser]

    def columns(self) -> CaseworkerColumns:
        """The table's columns, for the compiled passes."""
        return CaseworkerColumns(**self.table)

    def meeting_capacity(self, week: int) -> np.ndarray:
        """Meetings each caseworker can hold this week (fractions rounded at random)."""
        table = self.table
        whole = np.floor(table["capacity"])
        extra = (
            self.streams.uniform(Decision.MEETING_CAPACITY, table["key"], week)
            < table["capacity"] - whole
        )
        return (whole + extra).astype(np.int64)

    def active_by_organiser(self) -> np.ndarray:
        """Caseworkers employed by each organiser now."""
        table = self.table
        return np.bincount(table["organiser"][table["active"]], minlength=len(self.first))
