"""Targets: register statistics a scenario's run is compared with, and the fit report.

A targets file lists statistics (by the names of
:func:`simulation.core.records.register_statistics`) with their observed value, a tolerance
(absolute, or relative to the observed value) and their source. :func:`fit_report` runs
a scenario's replications and tabulates observed against simulated values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.analysis.measures import REGISTER_STATISTICS
from simulation.analysis.plots import plot_fit
from simulation.analysis.results import atomic_write
from simulation.config.errors import ScenarioError, TargetsFileError
from simulation.config.parameters import SETTING, param
from simulation.config.scenario import Scenario, build_section, parameter_field, read_toml
from simulation.experiments.seeds import RegisterStatistics, replication_seeds, run_seeds

__all__ = ["FreeParameter", "Target", "TargetsFile", "fit_report", "load_targets"]


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
class TargetsMeta:
    """What the targets are and how the statistics are counted."""

    description: str = param("", doc="Free text.", source=SETTING)
    first_week: int = param(0, low=0, doc="Flows are counted from this week on.", source=SETTING)
    scenario: str = param(
        "", doc="Scenario calibrated, relative to the targets file.", source=SETTING
    )


@dataclass(frozen=True)
class TargetsFile:
    """A validated targets file."""

    target: tuple[Target, ...] = param(doc="The targets.")
    meta: TargetsMeta = param(factory=TargetsMeta, doc="Settings.")
    free: tuple[FreeParameter, ...] = param((), doc="Parameters the calibration fits.")


def load_targets(path: str | Path) -> TargetsFile:
    """Read and validate a targets file (errors as for scenario files)."""
    path = Path(path)
    try:
        targets = build_section(TargetsFile, read_toml(path), str(path), "")
    except ScenarioError as error:
        raise TargetsFileError.from_error(error) from None
    known = REGISTER_STATISTICS
    for i, target in enumerate(targets.target):
        if target.statistic not in known:
            raise TargetsFileError(
                path,
                f"target[{i}].statistic",
                f"unknown statistic {target.statistic!r}; expected one of "
                + ", ".join(sorted(known)),
            )
    for i, free in enumerate(targets.free):
        try:
            declared = parameter_field(free.key).metadata
        except KeyError:
            raise TargetsFileError(
                path, f"free[{i}].key", f"{free.key!r} is not a scenario parameter"
            ) from None
        if not free.low < free.high:
            raise TargetsFileError(
                path, f"free[{i}].high", f"expected a value above low ({free.low:g})"
            )
        low, high = declared.get("low"), declared.get("high")
        for bound in ("low", "high"):
            value = getattr(free, bound)
            if (low is not None and value < low) or (high is not None and value > high):
                raise TargetsFileError(
                    path,
                    f"free[{i}].{bound}",
                    f"expected a value within {free.key}'s own range ({low} .. {high})",
                )
    return targets


def fit_report(
    scenario: Scenario,
    targets: TargetsFile,
    *,
    replications: int = 2,
    seed: int | None = None,
    scale: float | None = None,
    out: str | Path | None = None,
) -> pd.DataFrame:
    """Observed against simulated statistics (mean and range over replications).

    Args:
        scenario: The scenario whose baseline is checked.
        targets: The targets.
        replications: Replications (their seeds are spawned from ``seed``).
        seed: Root seed (default: the scenario's).
        scale: Scale (default: the scenario's).
        out: Folder for ``fit_report.csv``, ``fit_report.md`` and ``fit_hazards.png``.

    Returns:
        One row per target: observed, simulated mean, low, high, error, within tolerance.
    """
    seed = scenario.run.seed if seed is None else seed
    if targets.meta.first_week >= scenario.weeks - 1:
        raise TargetsFileError(
            "--targets",
            "meta.first_week",
            f"the flows are counted from week {targets.meta.first_week}, but the scenario has "
            f"only {scenario.weeks} weeks; expected a longer scenario",
        )
    seeds = replication_seeds(seed, replications)
    collect = RegisterStatistics(targets.meta.first_week)
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
    report = pd.DataFrame(rows)
    if out is not None:
        _write(report, Path(out))
    return report


def _write(report: pd.DataFrame, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_write(folder / "fit_report.csv") as file:
        report.to_csv(file, index=False, lineterminator="\n")
    lines = [
        "| statistic | observed | simulated | error | within tolerance | source |",
        "|---|---|---|---|---|---|",
    ]
    for row in report.itertuples(index=False):
        lines.append(
            f"| {row.statistic} | {row.observed:.4g} | {row.simulated:.4g} | "
            f"{row.error:+.4g} | {'yes' if row.within else 'no'} | {row.source} |"
        )
    with atomic_write(folder / "fit_report.md") as file:
        file.write("\n".join(lines) + "\n")
    plot_fit(report, folder / "fit_hazards.png")
