"""Run a scenario for a list of seeds: the one path every experiment takes.

Replication ``i`` of a root seed runs with ``SeedSequence(seed).spawn(n)[i]``, so its
result depends on the seed and its index only, never on the number of workers, the
executor or the order in which replications finish. :func:`run_seeds` runs the model
for each seed and hands each finished model to a *collector* (its tables, or its
register statistics), in this process or on an executor; the run folder, the fit
report and the calibration all use it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulation.config.errors import InputError
from simulation.config.scenario import Scenario
from simulation.core.model import EmploymentModel
from simulation.core.plan import Plan, build_plan
from simulation.core.population import FIELDS
from simulation.core.records import register_statistics, tables
from simulation.core.trial import TrialDesign
from simulation.experiments.executors import Executor, SerialExecutor, make_executor, stream

__all__ = [
    "RegisterStatistics",
    "check_runnable",
    "local_workers",
    "replication_seeds",
    "run_seeds",
    "run_tables",
]

Progress = Callable[[int], None]


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """One independent ``SeedSequence`` per replication, spawned from the root seed."""
    return np.random.SeedSequence(seed).spawn(replications)


#: Set to 1 to run a scenario whose estimated memory exceeds the machine's.
IGNORE_MEMORY = "SIMULATE_IGNORE_MEMORY"


def memory_estimate(
    scenario: Scenario, scale: float, in_flight: int = 1, plan: Plan | None = None
) -> int:
    """Bytes the runs in flight will hold, from the people the scenario implies.

    Everyone registered at the start or during the run keeps a row (the stock, people in
    services and the inflow over the horizon), the arrays grow by doubling, and each
    row has its work arrays besides the fields. ``plan``: the scenario's plan at this
    scale, if already built.
    """
    plan = plan or build_plan(scenario, scale)
    per_person = sum(np.dtype(dtype).itemsize for dtype, _ in FIELDS.values()) + 12 * 8
    return int(2 * plan.expected_people * per_person * in_flight)


def check_runnable(scenario: Scenario, scale: float | None = None, in_flight: int = 1) -> None:
    """Refuse, before any work, a scale that simulates nobody or runs that cannot fit.

    Raises:
        InputError: No area has a simulated person at this scale, no area with
            unemployed has vacancies (the matching could not be anchored), or the runs in
            flight would need more memory than the machine has (unless
            ``SIMULATE_IGNORE_MEMORY=1``).
    """
    scale_used = scenario.run.scale if scale is None else scale
    if sum(round(a.unemployed * scale_used) for a in scenario.areas.values()) < 1:
        raise InputError(
            "--scale",
            "",
            f"{scale_used:g} simulates nobody of the scenario's unemployed "
            "(expected a scale or a stock that gives at least one person)",
        )
    plan = build_plan(scenario, scale_used)
    if not np.any(plan.vacancies_at_start > 0):
        raise InputError(
            "scenario",
            "areas.<area>.vacancies",
            "no area has open vacancies at the start, so job finding cannot be anchored "
            "(expected vacancies above 0 in at least one area)",
        )
    needed = memory_estimate(scenario, scale_used, in_flight, plan)
    available = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    if needed > 0.8 * available and os.environ.get(IGNORE_MEMORY) != "1":
        raise InputError(
            "--scale",
            "",
            f"the scenario needs about {needed / 2**30:.1f} GiB for {in_flight} run(s) in "
            f"flight at scale {scale_used:g}, more than this machine's "
            f"{available / 2**30:.1f} GiB allow; lower the scale or the workers (or set "
            f"{IGNORE_MEMORY}=1 to try anyway)",
        )


def run_tables(model: EmploymentModel) -> dict[str, pd.DataFrame]:
    """Collect a finished run's tidy tables (``records.tables``)."""
    return tables(model.recorder)


@dataclass(frozen=True)
class RegisterStatistics:
    """Collect a finished run's register statistics from ``first_week`` on.

    ``flows_until``: the last day whose flows are counted (None: to the end).
    """

    first_week: int = 0
    flows_until: dt.date | None = None

    def __call__(self, model: EmploymentModel) -> dict[str, float]:
        """The statistics of one run (``records.register_statistics``)."""
        until = self.flows_until
        last = None if until is None else model.spec.week_of(until)
        return register_statistics(model.recorder, self.first_week, last)


@dataclass(frozen=True)
class _Replication:
    """One replication as a task an executor can send to another process."""

    index: int
    scenario: Scenario
    seed: np.random.SeedSequence
    scale: float | None
    collect: Callable[[EmploymentModel], Any]
    progress: Progress | None = None  # only for runs in this process
    trial: TrialDesign | None = None

    @property
    def weeks(self) -> int:
        """Weeks the run simulates (a trial's run ends with its follow-up)."""
        weeks = self.scenario.weeks
        return weeks if self.trial is None else self.trial.run_weeks(weeks)

    def __call__(self) -> tuple[int, Any]:
        model = EmploymentModel(self.scenario, seed=self.seed, scale=self.scale, trial=self.trial)
        model.run(progress=self.progress)
        return self.index, self.collect(model)


def _run(task: _Replication) -> tuple[int, Any]:
    return task()


def local_workers(workers: int, runs: int) -> int:
    """Processes worth starting for ``runs``: more than runs or cores only cost memory."""
    return max(1, min(workers, runs, os.cpu_count() or 1))


def run_seeds(
    scenario: Scenario,
    seeds: Sequence[np.random.SeedSequence],
    collect: Callable[[EmploymentModel], Any] = run_tables,
    *,
    scale: float | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
    trial: TrialDesign | None = None,
    checked: bool = False,
    variants: Sequence[Scenario] | None = None,
    trials: Sequence[TrialDesign | None] | None = None,
    executor: Executor | None = None,
) -> Iterator[tuple[int, Any]]:
    """Run the scenario once per seed; yield ``(index, collect(model))`` as runs finish.

    Args:
        scenario: The validated scenario.
        seeds: One ``SeedSequence`` per run (see :func:`replication_seeds`).
        collect: What to keep of a finished model; a module-level function or a
            picklable object when the runs go to other processes.
        scale: Simulated people per real person (default: the scenario's).
        workers: Local processes; 1 runs in this process.
        scheduler: A Dask scheduler's address; the runs go to its workers.
        progress: Called with simulated weeks: after every week in this process, after
            every run elsewhere.
        trial: An in-silico trial to run within each model (see ``core.trial``).
        checked: The caller has already called :func:`check_runnable` for these runs.
        variants: One scenario per seed, used instead of ``scenario`` (parameter draws:
            the same scenario with each replication's own values).
        trials: One trial design per seed, used instead of ``trial``.
        executor: An executor already open, used instead of ``workers`` and
            ``scheduler`` and left open (a calibration keeps its workers from one
            evaluation to the next).

    Yields:
        The seed's index and what ``collect`` kept, in the order the runs finish.
    """
    if executor is not None:
        workers, scheduler = executor.workers, None
    else:
        workers = local_workers(workers, len(seeds))
    if not checked:
        check_runnable(scenario, scale, in_flight=1 if scheduler else workers)
    # Runs in this process report every week; runs elsewhere, at their end.
    here = (
        isinstance(executor, SerialExecutor)
        if executor is not None
        else workers <= 1 and not scheduler
    )
    tasks = [
        _Replication(
            index,
            scenario if variants is None else variants[index],
            seed,
            scale,
            collect,
            progress if here else None,
            trial if trials is None else trials[index],
        )
        for index, seed in enumerate(seeds)
    ]
    running = nullcontext(executor) if executor is not None else make_executor(workers, scheduler)
    with running as pool:
        for index, result in stream(pool, _run, tasks, in_flight=1 if here else None):
            if progress is not None and not here:
                progress(tasks[index].weeks)
            yield index, result
