"""A posterior sample of the parameters: history matching with a Gaussian-process emulator.

A point fit (:mod:`.calibrate`) answers "which values fit best"; an analyst's "how sure
are we" needs every value that fits. The sample is made in three steps:

1. **Design.** The model runs at a Latin-hypercube design over the prior ranges of the
   fitted parameters (``[[free]]``) and of the labelled assumptions the targets file
   carries (``[[assumption]]``). Each point gives every target statistic (the mean over
   fixed replication seeds, with its simulation variance) and every experiment's
   simulated effect (with its standard error). Points are written to ``design.csv`` as
   they finish, so an interrupted sample resumes.
2. **Emulator.** One Gaussian process per output (scikit-learn, anisotropic RBF kernel
   plus a noise term, inputs scaled to the unit cube) predicts the output and its own
   uncertainty anywhere in the ranges, at no cost.
3. **History matching.** A large uniform sample of candidates is screened by the
   implausibility of each output, ``|observed - predicted| / sqrt(tolerance^2 +
   simulation variance + emulator variance)``; candidates whose largest implausibility
   exceeds the cutoff (3, the three-sigma rule) are ruled out. The draws are taken from
   the remaining ones with weights ``exp(-sum(I^2) / 2)``: the emulator's approximate
   likelihood with Gaussian errors of the size of the tolerances, the same weighting as
   the point fit's objective. A parameter the targets do not pin down keeps the spread of
   its prior range.

Why this method: one evaluation of the register and the experiments takes seconds to
tens of seconds, so sequential Monte Carlo ABC (thousands of evaluations per
generation) would take days on a workstation, while a design of a hundred or so points
is enough for an emulator of smooth outputs; history matching is the established method
for expensive simulators with many outputs (its ruling out is robust to a poor fit of
any one output, which a single likelihood is not). scikit-learn's Gaussian process is a
maintained, documented implementation.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simulation.analysis.results import atomic_write
from simulation.config.errors import InputError
from simulation.config.loading import load_scenario, read_toml
from simulation.experiments.executors import make_executor, stream
from simulation.experiments.seeds import RegisterStatistics, replication_seeds, run_seeds
from simulation.experiments.targets import (
    FreeParameter,
    TargetsFile,
    check_counting_window,
    experiment_effects,
)

__all__ = [
    "DESIGN_FILE",
    "check_sample",
    "coverage_markdown",
    "make_sample",
    "Emulator",
    "Output",
    "Sample",
    "draw_sample",
    "history_match",
    "load_sample",
    "outputs_of",
    "run_design",
    "write_sample",
]

#: The design's evaluations, one row per point, written as they finish.
DESIGN_FILE = "design.csv"
#: The largest implausibility a non-implausible candidate may have (three-sigma rule).
CUTOFF = 3.0
#: A 90 % interval is 2 x 1.645 standard errors wide.
_Z90 = 1.6448536269514722


@dataclass(frozen=True)
class Output:
    """One output the sample is held to: its observed value and the accepted error."""

    name: str
    observed: float
    tolerance: float


def outputs_of(targets: TargetsFile) -> list[Output]:
    """The register targets and the experiments, each with its tolerance in its own units."""
    outputs = [
        Output(
            t.statistic,
            t.observed,
            t.tolerance * (abs(t.observed) if t.relative else 1.0),
        )
        for t in targets.target
    ]
    outputs += [Output(f"experiment:{e.name}", e.observed, e.tolerance) for e in targets.experiment]
    return outputs


def uncertain_parameters(targets: TargetsFile) -> list[FreeParameter]:
    """The sample's parameters: the fitted ones, then the assumptions carried as ranges."""
    return [*targets.free, *targets.assumption]


@dataclass(frozen=True)
class _Point:
    """One design point to evaluate (picklable, for the worker processes)."""

    index: int
    scenario_path: str
    overrides: tuple[str, ...]
    targets: TargetsFile
    seeds: tuple
    scale: float
    experiments: bool


def _overrides(parameters: list[FreeParameter], x: np.ndarray) -> tuple[str, ...]:
    return tuple(
        f"{p.key}={round(float(v)) if p.integer else float(v)!r}"
        for p, v in zip(parameters, x, strict=True)
    )


def _evaluate(point: _Point) -> tuple[int, dict[str, float]]:
    """Every output at one point: ``name`` its mean, ``name:var`` its simulation variance."""
    scenario = load_scenario(point.scenario_path, list(point.overrides))
    meta = point.targets.meta
    collect = RegisterStatistics(meta.first_week, meta.flows_until)
    runs = [
        s for _, s in sorted(run_seeds(scenario, list(point.seeds), collect, scale=point.scale))
    ]
    values: dict[str, float] = {}
    for target in point.targets.target:
        series = np.array([run[target.statistic] for run in runs], dtype=float)
        values[target.statistic] = float(series.mean())
        values[f"{target.statistic}:var"] = (
            float(series.var(ddof=1) / len(series)) if len(series) > 1 else 0.0
        )
    if point.experiments:
        for row in experiment_effects(point.targets, point.overrides, seed=0):
            values[row["statistic"]] = row["simulated"]
            values[f"{row['statistic']}:var"] = ((row["high"] - row["low"]) / (2 * _Z90)) ** 2
    return point.index, values


def run_design(
    targets: TargetsFile,
    scenario_path: str | Path,
    *,
    out: str | Path,
    points: int = 120,
    seed: int = 0,
    replications: int = 2,
    scale: float = 0.05,
    workers: int = 1,
    experiments: bool = True,
    progress: Callable[[int], None] | None = None,
    limit: int | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Evaluate the model at a Latin-hypercube design over the parameters' ranges.

    Points already in ``out/design.csv`` (from the same design) are read back, not run
    again; each new one is appended as it finishes (the file is rewritten atomically).

    Args:
        targets: The targets, with ``[[free]]`` and ``[[assumption]]`` ranges.
        scenario_path: The scenario the register targets are computed on.
        out: Folder of the design file.
        points: Design points.
        seed: Seed of the design and root of the fixed replication seeds.
        replications: Fixed seeds per point (the same at every point).
        scale: Scale of the register runs.
        workers: Local processes (one point each).
        experiments: Also simulate the targets' experiments at every point.
        progress: Called with the number of points done.
        limit: Stop when this many points are done (the emulator then uses those; a
            later run with a higher limit goes on with the same design).

    Returns:
        The points (``points`` x parameters, in the parameters' own units) and each
        output's values and simulation variances (``name``, ``name:var``) by point.
    """
    parameters = uncertain_parameters(targets)
    if not parameters:
        raise InputError("targets", "free", "expected [[free]] or [[assumption]] parameters")
    low = np.array([p.low for p in parameters])
    high = np.array([p.high for p in parameters])
    from scipy.stats import qmc  # scipy.stats takes a second to import: only here

    unit = qmc.LatinHypercube(d=len(parameters), seed=np.random.default_rng(seed)).random(points)
    x = qmc.scale(unit, low, high)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / DESIGN_FILE
    keys = [p.key for p in parameters]
    done = _read_design(path, keys, x)
    seeds = tuple(replication_seeds(seed + 1, replications))
    tasks = [
        _Point(
            i, str(scenario_path), _overrides(parameters, x[i]), targets, seeds, scale, experiments
        )
        for i in range(points)
        if i not in done
    ]
    if limit is not None:
        tasks = tasks[: max(0, limit - len(done))]
    if progress is not None:
        progress(len(done))
    with make_executor(workers) as executor:
        for index, values in stream(executor, _evaluate, tasks):
            done[index] = values
            _write_design(path, keys, x, done)
            if progress is not None:
                progress(len(done))
    names = sorted({name for values in done.values() for name in values})
    table = {name: np.array([done[i].get(name, np.nan) for i in range(points)]) for name in names}
    return x, table


def _read_design(path: Path, keys: list[str], x: np.ndarray) -> dict[int, dict[str, float]]:
    """The points of an earlier run of the same design (others are set aside)."""
    if not path.exists():
        return {}
    with path.open(newline="") as file:
        rows = list(csv.DictReader(file))
    done: dict[int, dict[str, float]] = {}
    for row in rows:
        try:
            i = int(row["point"])
            same = i < len(x) and all(
                math.isclose(float(row[k]), x[i, j], rel_tol=1e-12, abs_tol=1e-12)
                for j, k in enumerate(keys)
            )
        except (KeyError, ValueError):
            same = False
        if not same:  # another design: keep it aside, start afresh
            path.replace(path.with_name(f"design-{dt.datetime.now():%Y%m%dT%H%M%S}.csv"))
            return {}
        done[i] = {k: float(v) for k, v in row.items() if k not in keys and k != "point"}
    return done


def _write_design(
    path: Path, keys: list[str], x: np.ndarray, done: dict[int, dict[str, float]]
) -> None:
    names = sorted({name for values in done.values() for name in values})
    with atomic_write(path) as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["point", *keys, *names])
        for i in sorted(done):
            row = [repr(float(v)) for v in x[i]]
            writer.writerow([i, *row, *(repr(done[i].get(n, float("nan"))) for n in names)])


class Emulator:
    """Gaussian processes that predict each output over the unit cube of the parameters.

    Args:
        unit: Design points scaled to [0, 1] (points x parameters).
        values: Each output's values at the points (points not evaluated: NaN).
        seed: Seed of the optimiser's restarts.
    """

    def __init__(self, unit: np.ndarray, values: dict[str, np.ndarray], seed: int = 0) -> None:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

        d = unit.shape[1]
        self.models: dict[str, Any] = {}
        for name, y in values.items():
            known = np.isfinite(y)
            kernel = ConstantKernel(1.0, (1e-3, 1e3)) * RBF(np.ones(d), (1e-2, 1e2)) + WhiteKernel(
                1e-2, (1e-8, 1.0)
            )
            model = GaussianProcessRegressor(
                kernel, normalize_y=True, n_restarts_optimizer=2, random_state=seed
            )
            with warnings.catch_warnings():
                # A noise-free output drives the noise term to its bound: expected.
                warnings.simplefilter("ignore", ConvergenceWarning)
                self.models[name] = model.fit(unit[known], y[known])

    def predict(self, unit: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The output's predicted mean and the emulator's variance at the points."""
        mean, sd = self.models[name].predict(unit, return_std=True)
        return mean, sd**2


@dataclass(frozen=True)
class Match:
    """The candidates screened by history matching."""

    unit: np.ndarray  # the non-implausible candidates, in the unit cube
    implausibility: np.ndarray  # their implausibility by output (candidates x outputs)
    share: float  # the non-implausible share of all candidates
    outputs: list[Output]


def history_match(
    emulator: Emulator,
    outputs: list[Output],
    simulation_variance: dict[str, float],
    dimensions: int,
    *,
    candidates: int = 100_000,
    cutoff: float = CUTOFF,
    seed: int = 0,
) -> Match:
    """Rule out the candidates whose largest implausibility exceeds ``cutoff``.

    Args:
        emulator: Predicts each output (by :attr:`Output.name`).
        outputs: Observed values and tolerances.
        simulation_variance: Each output's simulation variance (the design's median).
        dimensions: Parameters.
        candidates: Uniform candidates screened.
        cutoff: The largest implausibility kept.
        seed: Seed of the candidates.
    """
    power = max(1, math.ceil(math.log2(candidates)))
    from scipy.stats import qmc

    sobol = qmc.Sobol(d=dimensions, seed=np.random.default_rng(seed))
    unit = sobol.random_base2(power)[:candidates]  # a balanced Sobol' set, cut to size
    scores = np.empty((candidates, len(outputs)))
    for j, output in enumerate(outputs):
        mean, variance = emulator.predict(unit, output.name)
        total = output.tolerance**2 + simulation_variance.get(output.name, 0.0) + variance
        scores[:, j] = np.abs(output.observed - mean) / np.sqrt(total)
    kept = scores.max(axis=1) <= cutoff
    return Match(unit[kept], scores[kept], float(kept.mean()), outputs)


def draw_sample(match: Match, draws: int, seed: int = 0) -> np.ndarray:
    """Draws from the non-implausible candidates, weighted by ``exp(-sum(I^2) / 2)``.

    Without replacement, so no draw repeats; the indices of the chosen candidates.

    Raises:
        InputError: Fewer non-implausible candidates than draws.
    """
    n = len(match.unit)
    if n < draws:
        raise InputError(
            "sample",
            "draws",
            f"only {n} candidates are not implausible, fewer than the {draws} draws asked; "
            "expected a larger design or more candidates",
        )
    logw = -0.5 * (match.implausibility**2).sum(axis=1)
    weight = np.exp(logw - logw.max())
    rng = np.random.default_rng(seed)
    return rng.choice(n, size=draws, replace=False, p=weight / weight.sum())


@dataclass(frozen=True)
class Sample:
    """Parameter draws, by key, with their prior ranges and provenance.

    Attributes:
        keys: Scenario key paths.
        values: Draws x keys.
        low, high: Each key's prior range.
        sources: Where each range comes from.
        fitted: Whether the key is fitted to the targets (otherwise an assumption
            carried as a range).
        meta: Provenance (method, targets, design, code, date).
        path: The file read, if any.
    """

    keys: list[str]
    values: np.ndarray
    low: list[float]
    high: list[float]
    sources: list[str]
    fitted: list[bool]
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def __len__(self) -> int:
        return len(self.values)

    def draw(self, index: int) -> dict[str, float]:
        """Draw ``index`` (taken cyclically) as values by key."""
        row = self.values[index % len(self.values)]
        return {k: float(v) for k, v in zip(self.keys, row, strict=True)}

    def overrides(self, index: int) -> list[str]:
        """Draw ``index`` as ``key=value`` overrides."""
        return [f"{k}={v!r}" for k, v in self.draw(index).items()]

    def digest(self) -> str:
        """A short hash of the draws (recorded with every run that uses them)."""
        payload = json.dumps([self.keys, self.values.round(12).tolist()])
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    def ranges(self) -> dict[str, tuple[float, float, float]]:
        """Each key's median and 5th and 95th percentiles over the draws."""
        return {
            k: tuple(float(q) for q in np.percentile(self.values[:, j], [50, 5, 95]))
            for j, k in enumerate(self.keys)
        }


def write_sample(sample: Sample, path: str | Path) -> Path:
    """Write the sample as a TOML file: provenance, the parameters, the draws by key."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Parameter draws made by 'simulate sample' (history matching with a "
        "Gaussian-process emulator;",
        "# simulation/experiments/posterior.py). Each draw is a row across the arrays of [draws].",
        "",
        "[meta]",
    ]
    for key, value in sample.meta.items():
        lines.append(f"{key} = {json.dumps(value)}")
    ranges = sample.ranges()
    for j, key in enumerate(sample.keys):
        median, p5, p95 = ranges[key]
        lines += [
            "",
            "[[parameter]]",
            f'key = "{key}"',
            f"low = {float(sample.low[j])!r}",
            f"high = {float(sample.high[j])!r}",
            f"fitted = {'true' if sample.fitted[j] else 'false'}",
            f"source = {json.dumps(sample.sources[j])}",
            f"median = {median:.6g}",
            f"p5 = {p5:.6g}",
            f"p95 = {p95:.6g}",
        ]
    lines += ["", "[draws]"]
    for j, key in enumerate(sample.keys):
        values = ", ".join(f"{v:.8g}" for v in sample.values[:, j])
        lines.append(f'"{key}" = [{values}]')
    with atomic_write(path) as file:
        file.write("\n".join(lines) + "\n")
    return path


def load_sample(path: str | Path) -> Sample:
    """Read a sample file (:func:`write_sample`).

    Raises:
        InputError: The file is not a sample (with the key that is wrong).
    """
    path = Path(path)
    data = read_toml(path)
    parameters = data.get("parameter")
    draws = data.get("draws")
    if not isinstance(parameters, list) or not parameters:
        raise InputError(path, "parameter", "expected [[parameter]] tables (a sample file)")
    if not isinstance(draws, dict):
        raise InputError(path, "draws", "expected a [draws] table of arrays")
    keys = [str(p.get("key", "")) for p in parameters]
    columns = []
    for key in keys:
        column = draws.get(key)
        if not isinstance(column, list) or not column:
            raise InputError(path, f"draws.{key}", "expected an array of numbers")
        if any(isinstance(v, bool) or not isinstance(v, int | float) for v in column):
            raise InputError(path, f"draws.{key}", "expected numbers only")
        columns.append(column)
    if len({len(c) for c in columns}) != 1:
        raise InputError(path, "draws", "expected arrays of the same length")
    return Sample(
        keys=keys,
        values=np.array(columns, dtype=float).T,
        low=[float(p.get("low", np.nan)) for p in parameters],
        high=[float(p.get("high", np.nan)) for p in parameters],
        sources=[str(p.get("source", "")) for p in parameters],
        fitted=[bool(p.get("fitted", True)) for p in parameters],
        meta=dict(data.get("meta", {})),
        path=path,
    )


def make_sample(
    targets: TargetsFile,
    scenario_path: str | Path,
    *,
    out: str | Path,
    points: int = 120,
    draws: int = 200,
    candidates: int = 100_000,
    seed: int = 0,
    replications: int = 2,
    scale: float = 0.05,
    workers: int = 1,
    experiments: bool = True,
    provenance: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
    limit: int | None = None,
) -> tuple[Sample, Match]:
    """Design, emulator, history matching and draws: ``out/sample.toml``.

    Args:
        targets: The targets, with the ranges of ``[[free]]`` and ``[[assumption]]``.
        scenario_path: The scenario of the register targets.
        out: Folder of the design file and the sample.
        points: Design points (model evaluations).
        draws: Draws kept.
        candidates: Candidates screened by the emulator.
        seed: Seed of the design, the candidates and the draws.
        replications: Fixed seeds per point.
        scale: Scale of the register runs.
        workers: Local processes.
        experiments: Hold the sample to the experiments too.
        provenance: Recorded in the sample's ``[meta]`` (e.g. the command).
        progress: Called with the design points done.
        limit: Evaluate at most this many of the design's points (:func:`run_design`).

    Returns:
        The sample (also written) and the history match it was drawn from.
    """
    check_counting_window(targets, load_scenario(scenario_path))
    parameters = uncertain_parameters(targets)
    x, table = run_design(
        targets,
        scenario_path,
        out=out,
        points=points,
        seed=seed,
        replications=replications,
        scale=scale,
        workers=workers,
        experiments=experiments,
        progress=progress,
        limit=limit,
    )
    names = [o.name for o in outputs_of(targets) if o.name in table]
    evaluated = np.isfinite(np.column_stack([table[n] for n in names])).all(axis=1)
    x, table = x[evaluated], {k: v[evaluated] for k, v in table.items()}
    low = np.array([p.low for p in parameters])
    high = np.array([p.high for p in parameters])
    unit = (x - low) / (high - low)
    outputs = [o for o in outputs_of(targets) if o.name in table]
    emulator = Emulator(unit, {o.name: table[o.name] for o in outputs}, seed=seed)
    variance = {o.name: float(np.nanmedian(table[f"{o.name}:var"])) for o in outputs}
    match = history_match(
        emulator, outputs, variance, len(parameters), candidates=candidates, seed=seed
    )
    chosen = draw_sample(match, draws, seed=seed)
    values = low + match.unit[chosen] * (high - low)
    for j, p in enumerate(parameters):
        if p.integer:
            values[:, j] = np.round(values[:, j])
    meta = {
        "method": "history matching, Gaussian-process emulator (scikit-learn), "
        f"implausibility cutoff {CUTOFF:g}, draws weighted by exp(-sum(I^2)/2)",
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "design_points": int(evaluated.sum()),
        "replications_per_point": replications,
        "scale": scale,
        "experiments": experiments,
        "candidates": candidates,
        "non_implausible_share": round(match.share, 6),
        "seed": seed,
        **(provenance or {}),
    }
    sample = Sample(
        keys=[p.key for p in parameters],
        values=values,
        low=[float(v) for v in low],
        high=[float(v) for v in high],
        sources=[p.source for p in parameters],
        fitted=[i < len(targets.free) for i in range(len(parameters))],
        meta=meta,
    )
    write_sample(sample, Path(out) / "sample.toml")
    return sample, match


def check_sample(
    sample: Sample,
    targets: TargetsFile,
    scenario_path: str | Path,
    *,
    draws: int = 20,
    seed: int = 0,
    replications: int = 2,
    scale: float = 0.05,
    workers: int = 1,
    experiments: bool = True,
    progress: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """Run the model at the first ``draws`` draws: how well the sample covers each target.

    The emulator chose the draws; this runs the model itself at them (register targets
    with fresh seeds, experiments as their trials) and sets each observed value against
    the draws' 5-95 % range.

    Returns:
        One row per target and experiment: observed, tolerance, the draws' median, 5th
        and 95th percentiles, and whether the observed value lies in that range.
    """
    seeds = tuple(replication_seeds(seed + 2, replications))
    tasks = [
        _Point(
            i, str(scenario_path), tuple(sample.overrides(i)), targets, seeds, scale, experiments
        )
        for i in range(min(draws, len(sample)))
    ]
    done: dict[int, dict[str, float]] = {}
    with make_executor(workers) as executor:
        for index, values in stream(executor, _evaluate, tasks):
            done[index] = values
            if progress is not None:
                progress(len(done))
    rows = []
    for output in outputs_of(targets):
        values = np.array([done[i].get(output.name, np.nan) for i in sorted(done)])
        values = values[np.isfinite(values)]
        if not len(values):
            continue
        median, low, high = (float(q) for q in np.percentile(values, [50, 5, 95]))
        rows.append(
            {
                "output": output.name,
                "observed": output.observed,
                "tolerance": output.tolerance,
                "median": median,
                "low": low,
                "high": high,
                "covered": bool(low <= output.observed <= high),
                "within_tolerance": bool(abs(median - output.observed) <= output.tolerance),
                "draws": len(values),
            }
        )
    return rows


def coverage_markdown(rows: list[dict[str, Any]]) -> str:
    """The coverage table as Markdown."""
    lines = [
        "| target or experiment | observed | tolerance | draws: median (5-95 %) | observed "
        "in the draws' range | median within tolerance |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['output']} | {r['observed']:.4g} | {r['tolerance']:.3g} | "
            f"{r['median']:.4g} ({r['low']:.4g} .. {r['high']:.4g}) | "
            f"{'yes' if r['covered'] else 'no'} | {'yes' if r['within_tolerance'] else 'no'} |"
        )
    return "\n".join(lines) + "\n"
