"""Targets: register statistics a scenario's run is compared with, and the fit report.

A targets file lists statistics (by the names of
:func:`simulation.core.records.register_statistics`) with their observed value, a tolerance
(absolute, or relative to the observed value) and their source. :func:`fit_report` runs
a scenario's replications and tabulates observed against simulated values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.analysis.measures import REGISTER_STATISTICS
from simulation.analysis.plots import plot_fit
from simulation.analysis.results import atomic_write
from simulation.analysis.trials import COMPARISONS
from simulation.config.convert import build_section
from simulation.config.errors import ScenarioError, TargetsFileError
from simulation.config.loading import parameter_field, read_toml, suggest_key
from simulation.config.parameters import SETTING, param
from simulation.config.scenario import Scenario
from simulation.config.trial import load_trial
from simulation.experiments.executors import Executor
from simulation.experiments.seeds import RegisterStatistics, replication_seeds, run_seeds
from simulation.experiments.trials import run_trial

__all__ = [
    "check_counting_window",
    "Experiment",
    "FreeParameter",
    "Target",
    "TargetsFile",
    "experiment_effects",
    "fit_report",
    "load_targets",
]


@dataclass(frozen=True)
class Target:
    """One observed statistic."""

    statistic: str = param(doc="Name of the simulated statistic.", source=SETTING)
    observed: float = param(doc="Observed value.", source=SETTING)
    tolerance: float = param(0.0, low=0.0, doc="Accepted error.", source=SETTING)
    relative: bool = param(
        False, doc="The tolerance is relative to the observed value.", source=SETTING
    )
    source: str = param("", doc="Where the observed value comes from.", source=SETTING)


@dataclass(frozen=True)
class FreeParameter:
    """A parameter the calibration may move, within bounds from the evidence."""

    key: str = param(doc="Scenario key path.", source=SETTING)
    low: float = param(doc="Lower bound.", source=SETTING)
    high: float = param(doc="Upper bound.", source=SETTING)
    integer: bool = param(False, doc="The parameter takes whole numbers.", source=SETTING)
    source: str = param("", doc="Where the bounds come from.", source=SETTING)


@dataclass(frozen=True)
class Experiment:
    """A randomised experiment the model is held against, simulated as a trial."""

    name: str = param(doc="Name of the experiment.", source=SETTING)
    trial: str = param(doc="The trial file, relative to the targets file.", source=SETTING)
    outcome: str = param(doc="The trial's outcome, e.g. days_employed.", source=SETTING)
    observed: float = param(doc="The published effect.", source=SETTING)
    tolerance: float = param(low=1e-9, doc="Accepted error (absolute).", source=SETTING)
    comparison: str = param(
        "treated_vs_control",
        choices=COMPARISONS,
        doc="Which of the trial's comparisons the published effect is.",
        source=SETTING,
    )
    source: str = param("", doc="The publication.", source=SETTING)
    replications: int = param(4, low=2, high=1000, doc="Paired replications.", source=SETTING)
    scale: float = param(0.1, low=1e-4, high=1.0, doc="Scale of the trial.", source=SETTING)


@dataclass(frozen=True)
class TargetsMeta:
    """What the targets are and how the statistics are counted."""

    description: str = param("", doc="Free text.", source=SETTING)
    first_week: int = param(0, low=0, doc="Flows are counted from this week on.", source=SETTING)
    flows_until: dt.date | None = param(
        None,
        doc="Flows are counted up to this date (empty: to the end): flows observed before "
        "a policy change are compared with the weeks before it.",
        source=SETTING,
    )
    scenario: str = param(
        "", doc="Scenario calibrated, relative to the targets file.", source=SETTING
    )


@dataclass(frozen=True)
class TargetsFile:
    """A validated targets file."""

    target: tuple[Target, ...] = param(doc="The targets.")
    meta: TargetsMeta = param(factory=TargetsMeta, doc="Settings.")
    free: tuple[FreeParameter, ...] = param((), doc="Parameters the calibration fits.")
    assumption: tuple[FreeParameter, ...] = param(
        (),
        doc="Labelled assumptions the posterior sample carries as ranges (its prior), "
        "besides the free parameters; the point fit leaves them at their values.",
    )
    experiment: tuple[Experiment, ...] = param(
        (), doc="Experiments the model is held against (trials)."
    )


def load_targets(path: str | Path) -> TargetsFile:
    """Read and validate a targets file (errors as for scenario files)."""
    path = Path(path)
    try:
        targets = build_section(TargetsFile, read_toml(path), str(path), "")
    except ScenarioError as error:
        raise TargetsFileError.from_error(error) from None
    if not targets.target and not targets.experiment:
        raise TargetsFileError(
            path, "target", "expected at least one [[target]] or [[experiment]] to compare with"
        )
    known = REGISTER_STATISTICS
    for i, target in enumerate(targets.target):
        if target.statistic not in known:
            raise TargetsFileError(
                path,
                f"target[{i}].statistic",
                f"unknown statistic {target.statistic!r}; expected one of "
                + ", ".join(sorted(known)),
            )
    experiments = []
    for i, experiment in enumerate(targets.experiment):
        trial = (path.parent / experiment.trial).resolve()
        if not trial.is_file():
            raise TargetsFileError(path, f"experiment[{i}].trial", f"file not found: {trial}")
        experiments.append(dataclasses.replace(experiment, trial=str(trial)))
    targets = dataclasses.replace(targets, experiment=tuple(experiments))
    keys = [f.key for f in targets.free + targets.assumption]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            kind = "free" if i < len(targets.free) else "assumption"
            at = i if kind == "free" else i - len(targets.free)
            raise TargetsFileError(path, f"{kind}[{at}].key", f"{key} is listed twice")
    for i, free in enumerate(targets.free + targets.assumption):
        kind = "free" if i < len(targets.free) else "assumption"
        i = i if kind == "free" else i - len(targets.free)
        try:
            field = parameter_field(free.key)
            declared = field.metadata
        except KeyError:
            raise TargetsFileError(
                path,
                f"{kind}[{i}].key",
                f"{free.key!r} is not a scenario parameter" + suggest_key(free.key),
            ) from None
        if not free.low < free.high:
            raise TargetsFileError(
                path, f"{kind}[{i}].high", f"expected a value above low ({free.low:g})"
            )
        if field.type in ("int", int) and not free.integer:
            raise TargetsFileError(
                path,
                f"{kind}[{i}].integer",
                f"{free.key} takes whole numbers; expected integer = true",
            )
        low, high = declared.get("low"), declared.get("high")
        for bound in ("low", "high"):
            value = getattr(free, bound)
            if (low is not None and value < low) or (high is not None and value > high):
                raise TargetsFileError(
                    path,
                    f"{kind}[{i}].{bound}",
                    f"expected a value within {free.key}'s own range ({low} .. {high})",
                )
    return targets


def check_counting_window(targets: TargetsFile, scenario: Scenario) -> None:
    """Refuse targets whose flows would be counted over no week of the scenario.

    Raises:
        TargetsFileError: ``meta.first_week`` at or past the scenario's end, or
            ``meta.flows_until`` before the week flows are first counted or after the end.
    """
    meta = targets.meta
    if meta.first_week >= scenario.weeks - 1:
        raise TargetsFileError(
            "--targets",
            "meta.first_week",
            f"the flows are counted from week {meta.first_week}, but the scenario has "
            f"only {scenario.weeks} weeks; expected a longer scenario",
        )
    if meta.flows_until is not None:
        first = scenario.run.start + dt.timedelta(weeks=meta.first_week + 1)
        if not first <= meta.flows_until <= scenario.run.end:
            raise TargetsFileError(
                "--targets",
                "meta.flows_until",
                f"expected a date from {first} (the end of the first week counted) to the "
                f"scenario's end ({scenario.run.end})",
            )


def fit_report(
    scenario: Scenario,
    targets: TargetsFile,
    *,
    replications: int = 2,
    seed: int | None = None,
    scale: float | None = None,
    out: str | Path | None = None,
    experiments: bool = False,
    overrides: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Observed against simulated statistics (mean and range over replications).

    Args:
        scenario: The scenario whose baseline is checked.
        targets: The targets.
        replications: Replications (their seeds are spawned from ``seed``).
        seed: Root seed (default: the scenario's).
        scale: Scale (default: the scenario's).
        out: Folder for ``fit_report.csv``, ``fit_report.md`` and ``fit_hazards.png``.
        experiments: Also run the targets' experiments as trials (``experiment:<name>``
            rows; low and high are the effect's 90 % interval).
        overrides: The overrides the scenario was loaded with, for the trials' scenarios.

    Returns:
        One row per target: observed, simulated mean, low, high, error, within tolerance.
    """
    seed = scenario.run.seed if seed is None else seed
    check_counting_window(targets, scenario)
    seeds = replication_seeds(seed, replications)
    collect = RegisterStatistics(targets.meta.first_week, targets.meta.flows_until)
    runs = [stats for _, stats in sorted(run_seeds(scenario, seeds, collect, scale=scale))]
    rows = []
    for target in targets.target:
        values = np.array([run[target.statistic] for run in runs])
        mean = float(values.mean())
        error = mean - target.observed
        allowed = target.tolerance * (abs(target.observed) if target.relative else 1.0)
        rows.append(
            {
                "statistic": target.statistic,
                "observed": target.observed,
                "simulated": mean,
                "low": float(values.min()),
                "high": float(values.max()),
                "error": error,
                "relative_error": error / target.observed if target.observed else np.nan,
                "tolerance": allowed,
                "within": bool(abs(error) <= allowed),
                "source": target.source,
            }
        )
    if experiments:
        for result in experiment_effects(targets, overrides, seed):
            rows.append(result)
    report = pd.DataFrame(rows)
    if out is not None:
        _write(report, Path(out))
    return report


def experiment_effects(
    targets: TargetsFile,
    overrides: tuple[str, ...] | list[str] = (),
    seed: int = 0,
    executor: Executor | None = None,
) -> list[dict[str, Any]]:
    """Each experiment of the targets, simulated as its trial with these overrides.

    ``executor``: an open executor to run the trials' replications on (default: here).

    Returns:
        One row per experiment, as :func:`fit_report` gives them (``statistic`` is
        ``experiment:<name>``, ``low``/``high`` the effect's 90 % interval).
    """
    rows = []
    # Experiments that read other outcomes of the same trial share its runs.
    runs: dict[tuple[str, int, float], pd.DataFrame] = {}
    for experiment in targets.experiment:
        run = (experiment.trial, experiment.replications, experiment.scale)
        if run not in runs:
            trial = load_trial(experiment.trial, list(overrides))
            with tempfile.TemporaryDirectory() as folder:
                result = run_trial(
                    trial,
                    out=Path(folder) / "trial",
                    replications=experiment.replications,
                    seed=seed,
                    scale=experiment.scale,
                    plots=False,
                    executor=executor,
                )
            runs[run] = result.effects.set_index(["comparison", "outcome"])
        effects = runs[run]
        key = (experiment.comparison, experiment.outcome)
        if key not in effects.index:
            raise TargetsFileError(
                experiment.trial, "", f"the trial gives no {experiment.outcome} for {key[0]}"
            )
        effect = effects.loc[key]
        error = float(effect["effect"]) - experiment.observed
        rows.append(
            {
                "statistic": f"experiment:{experiment.name}",
                "observed": experiment.observed,
                "simulated": float(effect["effect"]),
                "low": float(effect["ci_low"]),
                "high": float(effect["ci_high"]),
                "error": error,
                "relative_error": error / experiment.observed if experiment.observed else np.nan,
                "tolerance": experiment.tolerance,
                "within": bool(abs(error) <= experiment.tolerance),
                "source": experiment.source,
            }
        )
    return rows


def _write(report: pd.DataFrame, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_write(folder / "fit_report.csv") as file:
        report.to_csv(file, index=False, lineterminator="\n")
    lines = [
        "| statistic | observed | simulated | error | tolerance | within tolerance | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in report.itertuples(index=False):
        lines.append(
            f"| {row.statistic} | {row.observed:.4g} | {row.simulated:.4g} | "
            f"{row.error:+.4g} | {row.tolerance:.4g} | {'yes' if row.within else 'no'} | "
            f"{row.source} |"
        )
    with atomic_write(folder / "fit_report.md") as file:
        file.write("\n".join(lines) + "\n")
    plot_fit(report, folder / "fit_hazards.png")
