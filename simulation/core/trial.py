"""An in-silico randomised trial inside a model run: assignment and per-person follow-up.

Eligible people (the registrations of a window of weeks, or the unemployed stock at the
start; optionally one outcome group) are assigned to treatment with their area's share,
by their own random key: the same person is in the same arm in every run with the seed,
and adding people changes nobody else's arm. The treated are served by a trial
organiser of their area under the treatment's policy (see
:mod:`simulation.core.organisation`). Every eligible person is followed for a fixed
horizon from assignment: weeks employed, unemployed, in services and outside the
labour force, employment at given weeks, and the week of the first job.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.config.scenario import Organiser
from simulation.core.codes import NO_WEEK, Status
from simulation.core.plan import Plan
from simulation.core.population import JobSeekers
from simulation.core.streams import Decision, RandomStreams

__all__ = [
    "ARM_CONTROL",
    "ARM_NONE",
    "ARM_TREATED",
    "FollowUp",
    "TrialDesign",
    "TrialRun",
    "assign",
]

ARM_NONE, ARM_CONTROL, ARM_TREATED = 0, 1, 2
#: Status categories followed, in the order of ``FollowUp.weeks`` columns.
CATEGORIES = ("employed", "unemployed", "in_services", "out_of_labour_force")
_CATEGORY_OF_STATUS = np.array([1, 2, 2, 2, 2, 0, 3], dtype=np.int64)  # by Status code


@dataclass(frozen=True)
class TrialDesign:
    """What a model run needs of a trial.

    Attributes:
        stock: Eligible are the unemployed at the start (else new registrations).
        first_week: First week of eligible registrations.
        last_week: Last week of eligible registrations.
        group_bit: Outcome-group bit the eligible must have (0: everyone).
        education: Education codes the eligible must have one of (empty: all).
        shares: Treated share by area.
        treatment: The policy the treated are served under (None: served as usual).
        horizon_weeks: Weeks of follow-up from assignment.
        read_weeks: Weeks after assignment at which employment is read.
        treatment_weeks: Weeks from assignment the treated are served under the
            treatment (0: the whole follow-up).
    """

    stock: bool
    first_week: int
    last_week: int
    group_bit: int
    shares: tuple[float, ...]
    treatment: Organiser | None
    horizon_weeks: int
    read_weeks: tuple[int, ...]
    treatment_weeks: int = 0
    education: tuple[int, ...] = ()

    def under_treatment(self, assigned_week: np.ndarray, week: int) -> np.ndarray:
        """Whether treated people assigned in ``assigned_week`` are still treated in ``week``."""
        if self.treatment_weeks == 0:
            return np.ones(np.shape(assigned_week), dtype=bool)
        return week - np.asarray(assigned_week) < self.treatment_weeks

    def run_weeks(self, scenario_weeks: int) -> int:
        """Weeks a run must simulate for this trial: to the last follow-up week read.

        The last assigned (week 0 for the stock, ``last_week`` for registrations) are
        counted for ``horizon_weeks`` and read at ``read_weeks``; nothing after that
        enters the follow-up, and no week depends on the weeks after it, so a run can
        end there with the same follow-up as a run to the scenario's end.
        """
        last_assigned = 0 if self.stock else self.last_week
        last_read = max((self.horizon_weeks - 1, *self.read_weeks))
        return min(scenario_weeks, last_assigned + last_read + 1)


def assign(
    design: TrialDesign, streams: RandomStreams, job_seekers: JobSeekers, rows: np.ndarray
) -> None:
    """Assign eligible people among ``rows`` to an arm (the others stay ``ARM_NONE``)."""
    p = job_seekers
    eligible = rows[(p.groups[rows] & design.group_bit) == design.group_bit]
    if design.education:
        eligible = eligible[np.isin(p.education[eligible], design.education)]
    if len(eligible) == 0:
        return
    draw = streams.uniform(Decision.TRIAL_ASSIGNMENT, p.key[eligible], 0)
    share = np.asarray(design.shares)[p.area[eligible]]
    p.trial_arm[eligible] = np.where(draw < share, ARM_TREATED, ARM_CONTROL)
    p.assigned_week[eligible] = p.entry_week[eligible] if not design.stock else 0


class FollowUp:
    """Per-person outcomes of the eligible over the horizon from their assignment.

    Args:
        design: The trial.
    """

    def __init__(self, design: TrialDesign) -> None:
        self.design = design
        self.rows = np.zeros(0, dtype=np.int64)
        self.weeks = np.zeros((0, len(CATEGORIES)), dtype=np.int32)
        self.employed_at = np.zeros((0, len(design.read_weeks)), dtype=bool)
        self.first_job = np.zeros(0, dtype=np.int32)

    def enlist(self, rows: np.ndarray) -> None:
        """Start following newly assigned people."""
        n = len(rows)
        self.rows = np.concatenate([self.rows, rows])
        self.weeks = np.concatenate([self.weeks, np.zeros((n, len(CATEGORIES)), np.int32)])
        self.employed_at = np.concatenate(
            [self.employed_at, np.zeros((n, len(self.design.read_weeks)), bool)]
        )
        self.first_job = np.concatenate([self.first_job, np.full(n, NO_WEEK, np.int32)])

    def record(self, week: int, job_seekers: JobSeekers) -> None:
        """Count the week of everyone followed whose horizon it is within."""
        if len(self.rows) == 0:
            return
        p = job_seekers
        since = week - p.assigned_week[self.rows]
        inside = (since >= 0) & (since < self.design.horizon_weeks)
        status = p.status[self.rows]
        category = _CATEGORY_OF_STATUS[status]
        self.weeks[np.flatnonzero(inside), category[inside]] += 1
        employed = status == Status.EMPLOYED
        new_job = inside & employed & (self.first_job == NO_WEEK)
        self.first_job[new_job] = since[new_job]
        for i, read in enumerate(self.design.read_weeks):
            at = since == read
            self.employed_at[at, i] = employed[at]

    def table(self, job_seekers: JobSeekers, area_ids: list[str]) -> dict[str, np.ndarray]:
        """One entry per person followed: arm, area, weeks by status, employment, first job."""
        p = job_seekers
        table = {
            "arm": p.trial_arm[self.rows].astype(np.int8),
            "area": np.asarray(area_ids, dtype=object)[p.area[self.rows]],
            "key": p.key[self.rows],
        }
        for c, name in enumerate(CATEGORIES):
            table[f"weeks_{name}"] = self.weeks[:, c]
        for i, read in enumerate(self.design.read_weeks):
            table[f"employed_week_{read}"] = self.employed_at[:, i]
        table["first_job_week"] = np.where(self.first_job == NO_WEEK, -1, self.first_job)
        return table


class TrialRun:
    """A trial within one model run: who is assigned when, and their follow-up.

    Args:
        design: The trial.
        streams: The replication's random streams.
        job_seekers: The population.
    """

    def __init__(self, design: TrialDesign, streams: RandomStreams, job_seekers: JobSeekers):
        self.design = design
        self.streams = streams
        self.job_seekers = job_seekers
        self.follow_up = FollowUp(design)

    def _assign(self, rows: np.ndarray) -> None:
        assign(self.design, self.streams, self.job_seekers, rows)
        self.follow_up.enlist(rows[self.job_seekers.trial_arm[rows] != ARM_NONE])

    def start(self) -> None:
        """Assign the unemployed stock at the start, if the stock is eligible."""
        if self.design.stock:
            self._assign(np.flatnonzero(self.job_seekers.status == Status.UNEMPLOYED))

    def register(self, rows: np.ndarray, week: int) -> None:
        """Assign new registrations of the trial's window, if registrations are eligible."""
        design = self.design
        if not design.stock and design.first_week <= week <= design.last_week:
            self._assign(rows)

    def expected_treated(self, plan: Plan) -> np.ndarray:
        """Treated people a trial organiser of each area is staffed for.

        The stock's treated are known at the start; for registrations, all who are
        expected to register in the window (the staff stays fixed, see
        ``ServiceOrganiser.take_over``).
        """
        design = self.design
        if design.stock:
            return np.zeros(len(design.shares))
        window = range(design.first_week, design.last_week + 1)
        expected = sum((plan.inflow(week) for week in window), np.zeros(plan.n_areas))
        return np.ceil(np.asarray(design.shares) * expected * plan.scale)

    def record(self, week: int) -> None:
        """Follow everyone assigned through this week."""
        self.follow_up.record(week, self.job_seekers)
