"""Parameter sweeps: the sweep file, its design, and the runs it asks for.

A sweep file names a base scenario, the parameters to vary (by key path, with a list of
values or a range), a design (full grid, Latin hypercube, Sobol sequence, Saltelli for
Sobol indices, Morris), replications and a root seed. It is validated like a scenario
file. Every run is one (design point, replication); replication *r* uses the seed
``SeedSequence(seed).spawn(replications)[r]`` at every point, so results depend on
neither the executor nor the order, and design points share their random numbers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from SALib.sample import morris
from SALib.sample import sobol as saltelli
from SALib.test_functions import Ishigami
from scipy.stats import qmc

from simulation.analysis.measures import (
    PAYER_OF,
    employment_years,
    group_values,
    measures_in,
    month_week,
    total_cost,
)
from simulation.config.convert import build_section
from simulation.config.errors import InputError, ScenarioError, SweepFileError
from simulation.config.loading import load_scenario, read_toml
from simulation.config.parameters import NAME, SETTING, param
from simulation.experiments.seeds import replication_seeds, run_seeds, run_tables

__all__ = [
    "Design",
    "PolicyArm",
    "SweepRun",
    "Sweep",
    "SweepParameter",
    "SweepSettings",
    "Task",
    "tasks_of",
    "execute",
    "load_sweep",
    "runs_of",
]

METHODS = ("grid", "lhs", "sobol", "saltelli", "morris")
MODELS = ("employment", "ishigami")


@dataclass(frozen=True)
class SweepSettings:
    """What is swept and how often."""

    name: str = param(doc="Sweep name.", source=SETTING, pattern=NAME)
    base: str = param("", doc="Base scenario file, relative to the sweep file.", source=SETTING)
    model: str = param(
        "employment",
        choices=MODELS,
        doc="What each run evaluates: the employment model, or the Ishigami test function.",
        source=SETTING,
    )
    replications: int = param(1, low=1, high=10000, doc="Replications per point.", source=SETTING)
    seed: int = param(0, low=0, doc="Root seed.", source=SETTING)
    scale: float = param(0.1, low=1e-4, high=1.0, doc="Scale of every run.", source=SETTING)
    set: tuple[str, ...] = param((), doc="Overrides of the base for every run.", source=SETTING)
    timeseries: bool = param(False, doc="Also keep each run's weekly outcomes.", source=SETTING)
    sample: str = param(
        "",
        doc="A posterior sample (relative to the sweep file) whose draws are the "
        "uncertainties of a policy x assumption sweep ([[arm]] are its levers).",
        source=SETTING,
    )
    draws: int = param(
        0, low=0, high=100_000, doc="Draws of the sample (0: all of them).", source=SETTING
    )


@dataclass(frozen=True)
class PolicyArm:
    """A lever of a policy x assumption sweep: a policy, as overrides of a scenario."""

    label: str = param(doc="The arm's name in the results.", source=SETTING)
    base: str = param(
        "",
        doc="Its scenario file, relative to the sweep file (default: the sweep's base).",
        source=SETTING,
    )
    set: tuple[str, ...] = param(
        (),
        doc="Its overrides, e.g. 'city.caseload=100' or a value inside a dated change, "
        "'timeline[2].city.caseload=100'.",
        source=SETTING,
    )


@dataclass(frozen=True)
class Design:
    """How the parameter space is sampled."""

    method: str = param("grid", choices=METHODS, doc="Sampling design.", source=SETTING)
    samples: int = param(
        16,
        low=1,
        high=1_000_000,
        doc="Points (lhs, sobol), base samples N (saltelli) or trajectories (morris).",
        source=SETTING,
    )
    levels: int = param(4, low=2, high=100, doc="Grid levels of the Morris design.", source=SETTING)


@dataclass(frozen=True)
class SweepParameter:
    """One swept parameter: values (grid) or a range and distribution."""

    values: tuple[float, ...] = param((), doc="Values (grid design).", source=SETTING)
    low: float | None = param(None, doc="Lower end of the range.", source=SETTING)
    high: float | None = param(None, doc="Upper end of the range.", source=SETTING)
    distribution: str = param(
        "uniform",
        choices=("uniform", "loguniform"),
        doc="Distribution over the range.",
        source=SETTING,
    )
    integer: bool = param(False, doc="Round sampled values to whole numbers.", source=SETTING)


@dataclass(frozen=True)
class SweepFile:
    """The sections of a sweep file."""

    sweep: SweepSettings = param(doc="Settings.")
    parameters: dict[str, SweepParameter] = param(factory=dict, doc="Swept parameters by key path.")
    design: Design = param(factory=Design, doc="Design.")
    arm: tuple[PolicyArm, ...] = param(
        (), doc="Policy arms of a policy x assumption sweep (with [sweep] sample)."
    )


@dataclass(frozen=True)
class Sweep:
    """A validated sweep, with its design points.

    Attributes:
        path: The sweep file.
        spec: Its validated sections.
        names: Swept key paths, in file order.
        unit: Design points in the unit cube (points x parameters).
        points: Design points in parameter units.
    """

    path: Path
    spec: SweepFile
    names: list[str]
    unit: np.ndarray
    points: np.ndarray
    draw_keys: tuple[str, ...] = ()

    @property
    def policy_x_assumption(self) -> bool:
        """Arms over parameter draws (``[[arm]]`` and ``[sweep] sample``)."""
        return bool(self.spec.arm)

    def base_of(self, point: int) -> Path:
        """The scenario file of a design point (its arm's, in a policy x assumption sweep)."""
        if self.policy_x_assumption:
            arm = self.spec.arm[int(self.points[point, 0])]
            if arm.base:
                return (self.path.parent / arm.base).resolve()
        return self.base_path

    @property
    def settings(self) -> SweepSettings:
        """The ``[sweep]`` section."""
        return self.spec.sweep

    @property
    def base_path(self) -> Path:
        """The base scenario file."""
        return (self.path.parent / self.settings.base).resolve()

    @property
    def digest(self) -> str:
        """Identifies the sweep's runs: a folder holds the runs of one sweep only."""
        payload = json.dumps(
            {"spec": dataclasses.asdict(self.spec), "points": self.points.tolist()},
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def overrides(self, point: int) -> list[str]:
        """``key=value`` overrides of one design point (after the sweep's own ``set``).

        In a policy x assumption sweep: the draw's values, then the arm's overrides.
        """
        if self.policy_x_assumption:
            arm = self.spec.arm[int(self.points[point, 0])]
            drawn = self.points[point, 2:]
            return [
                *self.settings.set,
                *(f"{k}={float(v)!r}" for k, v in zip(self.draw_keys, drawn, strict=True)),
                *arm.set,
            ]
        values = [_plain_number(v) for v in self.points[point]]
        return [
            *self.settings.set,
            *(f"{k}={v!r}" for k, v in zip(self.names, values, strict=True)),
        ]


@dataclass(frozen=True)
class SweepRun:
    """One run of a sweep: a design point and a replication."""

    index: int
    point: int
    replication: int
    parameters: dict[str, float]


def _plain_number(value: float) -> float | int:
    value = float(value)
    return int(value) if value.is_integer() else value


def _unit_design(spec: SweepFile, names: list[str]) -> np.ndarray:
    design = spec.design
    d = len(names)
    rng = np.random.default_rng(spec.sweep.seed)
    if design.method == "grid":
        sizes = [len(spec.parameters[n].values) for n in names]
        grid = itertools.product(*[range(k) for k in sizes])
        return np.array(
            [[i / max(k - 1, 1) for i, k in zip(idx, sizes, strict=True)] for idx in grid],
            dtype=float,
        )
    if design.method == "lhs":
        return qmc.LatinHypercube(d=d, seed=rng).random(design.samples)
    if design.method == "sobol":
        return qmc.Sobol(d=d, scramble=True, seed=rng).random(design.samples)
    problem = {"num_vars": d, "names": names, "bounds": [[0.0, 1.0]] * d}
    if design.method == "saltelli":
        return saltelli.sample(
            problem, design.samples, calc_second_order=False, seed=spec.sweep.seed
        )

    return morris.sample(problem, design.samples, num_levels=design.levels, seed=spec.sweep.seed)


def _to_values(spec: SweepFile, names: list[str], unit: np.ndarray) -> np.ndarray:
    points = np.empty_like(unit)
    for j, name in enumerate(names):
        p = spec.parameters[name]
        if spec.design.method == "grid":
            index = np.rint(unit[:, j] * max(len(p.values) - 1, 1)).astype(int)
            points[:, j] = np.asarray(p.values, dtype=float)[index]
            continue
        if p.distribution == "loguniform":
            points[:, j] = np.exp(np.log(p.low) + unit[:, j] * np.log(p.high / p.low))
        else:
            points[:, j] = p.low + unit[:, j] * (p.high - p.low)
        if p.integer:
            points[:, j] = np.rint(points[:, j])
    return points


#: Scenario keys a sweep sets for every run itself (the seeds, the scale), by its setting.
SET_BY_THE_SWEEP = {
    "run.seed": "seed",
    "run.scale": "scale",
    "run.replications": "replications",
}


def _check(spec: SweepFile, file: str) -> None:
    if spec.arm or spec.sweep.sample:
        if spec.parameters:
            raise SweepFileError(
                file, "parameters", "a policy x assumption sweep varies [[arm]] and the draws only"
            )
        if len(spec.arm) < 2 or not spec.sweep.sample:
            raise SweepFileError(
                file, "arm", "expected two or more [[arm]] tables and [sweep] sample"
            )
        labels = [a.label for a in spec.arm]
        if len(set(labels)) != len(labels):
            raise SweepFileError(file, "arm", "expected a different label for each arm")
        if spec.sweep.model != "employment":
            raise SweepFileError(file, "sweep.model", "arms need the employment model")
    elif not spec.parameters:
        raise SweepFileError(file, "parameters", 'expected at least one [parameters."key.path"]')
    for name, p in spec.parameters.items():
        key = f'parameters."{name}"'
        if name in SET_BY_THE_SWEEP:
            raise SweepFileError(
                file,
                key,
                f"{name} is set for every run by [sweep] {SET_BY_THE_SWEEP[name]}, so sweeping "
                f"it would change nothing; expected a scenario parameter (set [sweep] "
                f"{SET_BY_THE_SWEEP[name]} instead)",
            )
        if spec.design.method == "grid":
            if not p.values:
                raise SweepFileError(file, f"{key}.values", "expected a list of values for a grid")
            continue
        if p.low is None or p.high is None:
            raise SweepFileError(
                file, key, f"expected low and high for the {spec.design.method} design"
            )
        if not p.low < p.high:
            raise SweepFileError(file, f"{key}.high", f"expected a value above low ({p.low:g})")
        if p.distribution == "loguniform" and p.low <= 0:
            raise SweepFileError(file, f"{key}.low", "expected a positive value for loguniform")
    if spec.sweep.model == "employment" and not spec.sweep.base:
        raise SweepFileError(file, "sweep.base", "expected the base scenario file")
    if spec.sweep.model == "ishigami" and set(spec.parameters) != {"x1", "x2", "x3"}:
        raise SweepFileError(file, "parameters", "the Ishigami function takes x1, x2 and x3")


def load_sweep(path: str | Path) -> Sweep:
    """Load and validate a sweep file, and lay out its design.

    Every design point's overrides are checked against the base scenario, so a bad key
    or value is reported before anything runs.

    Raises:
        SweepFileError: With the file, the key path and what was expected.
    """
    path = Path(path)
    try:
        spec = build_section(SweepFile, read_toml(path), str(path), "")
    except ScenarioError as error:
        raise SweepFileError.from_error(error) from None
    _check(spec, str(path))
    samples = spec.design.samples
    if spec.design.method in ("sobol", "saltelli") and samples & (samples - 1):
        # A Sobol sequence keeps its balance only in powers of two (scipy warns otherwise).
        lower = 1 << (samples.bit_length() - 1)
        raise SweepFileError(
            path,
            "design.samples",
            f"expected a power of two for {spec.design.method}, e.g. {lower} or {2 * lower}",
        )
    if spec.arm:
        sweep = _policy_x_assumption(path, spec)
    else:
        names = list(spec.parameters)
        unit = _unit_design(spec, names)
        points = _to_values(spec, names, unit)
        sweep = Sweep(path=path, spec=spec, names=names, unit=unit, points=points)
    if spec.sweep.model == "employment":
        for point in range(len(sweep.points)) if sweep.policy_x_assumption else [0]:
            if not sweep.base_of(point).is_file():
                where = "arm" if sweep.policy_x_assumption else "sweep.base"
                raise SweepFileError(path, where, f"file not found: {sweep.base_of(point)}")
        # The extremes of every parameter, and every value a grid gives it.
        points, names = sweep.points, sweep.names
        corners = {int(np.argmin(points[:, j])) for j in range(len(names))}
        corners |= {int(np.argmax(points[:, j])) for j in range(len(names))}
        if spec.design.method == "grid" or sweep.policy_x_assumption:
            for j in range(len(names)):
                corners |= {int(np.flatnonzero(points[:, j] == v)[0]) for v in set(points[:, j])}
        for point in sorted(corners):
            try:
                load_scenario(sweep.base_of(point), sweep.overrides(point))
            except ScenarioError as error:
                raise SweepFileError(path, f"parameters (point {point})", str(error)) from None
    return sweep


def _policy_x_assumption(path: Path, spec: SweepFile) -> Sweep:
    """Every arm at every draw: points (arm, draw, the draw's values), arm-major.

    Replication *r* has the same seed at every point, so the arms of a draw are paired
    (common random numbers) and the draws differ in their parameters only.
    """
    from simulation.experiments.posterior import load_sample

    sample_path = (path.parent / spec.sweep.sample).resolve()
    if not sample_path.is_file():
        raise SweepFileError(path, "sweep.sample", f"file not found: {sample_path}")
    try:
        sample = load_sample(sample_path)
    except InputError as error:
        raise SweepFileError(path, "sweep.sample", str(error)) from None
    draws = spec.sweep.draws or len(sample)
    rows = [
        [a, d, *sample.values[d % len(sample)]] for a in range(len(spec.arm)) for d in range(draws)
    ]
    points = np.array(rows, dtype=float)
    return Sweep(
        path=path,
        spec=spec,
        names=["arm", "draw", *sample.keys],
        unit=np.zeros_like(points),
        points=points,
        draw_keys=tuple(sample.keys),
    )


def runs_of(sweep: Sweep) -> list[SweepRun]:
    """Every run of the sweep, in index order (point-major)."""
    reps = sweep.settings.replications
    return [
        SweepRun(
            index=point * reps + r,
            point=point,
            replication=r,
            parameters={
                n: _plain_number(v) for n, v in zip(sweep.names, sweep.points[point], strict=True)
            },
        )
        for point in range(len(sweep.points))
        for r in range(reps)
    ]


# ----------------------------------------------------------------- evaluating one run


@dataclass(frozen=True)
class Task:
    """Everything a worker needs for one run (picklable, no open files)."""

    run: SweepRun
    model: str
    base: str
    overrides: tuple[str, ...]
    seed: int
    replications: int
    scale: float
    timeseries: bool


def tasks_of(sweep: Sweep, runs: list[SweepRun]) -> list[Task]:
    """The tasks of some runs of a sweep."""
    s = sweep.settings
    return [
        Task(
            run=r,
            model=s.model,
            base=str(sweep.base_of(r.point)),
            overrides=tuple(sweep.overrides(r.point)),
            seed=s.seed,
            replications=s.replications,
            scale=s.scale,
            timeseries=s.timeseries,
        )
        for r in runs
    ]


#: The groups and months of a sweep's outputs.
SWEEP_GROUPS, SWEEP_MONTHS = ("all", "target_group"), (12, 24, 36)


def _employment_outputs(task: Task) -> tuple[dict[str, float], list[dict] | None]:
    """The sweep's outputs of one run, read off its tables by the measures' catalogue."""
    scenario = load_scenario(task.base, task.overrides)
    seed = replication_seeds(task.seed, task.replications)[task.run.replication]
    (_, tables), *_ = run_seeds(scenario, [seed], run_tables, scale=task.scale)
    outcomes = tables["outcomes"]
    last = scenario.weeks - 1
    outputs: dict[str, float] = {}
    at_end = measures_in("sweep", "at_end")
    for group in SWEEP_GROUPS:
        for name in measures_in("sweep", "monthly"):
            for months in SWEEP_MONTHS:
                if month_week(months) <= last:
                    value = group_values(outcomes, group, name, month_week(months))
                    outputs[f"{name}_{months}m_{group}"] = float(value[0])
        # The cumulative measure by group; the shares of everyone at the end.
        value = group_values(outcomes, group, at_end[0], last)
        outputs[f"{at_end[0]}_{group}"] = float(value[0])
    for column in at_end[1:]:
        outputs[f"{column}_end"] = float(group_values(outcomes, "all", column, last)[0])
    for name in measures_in("sweep", "total"):
        if name == "employment_years":
            outputs[name] = float(employment_years(outcomes, last)[0])
        else:
            outputs[name] = float(total_cost(tables["labour_market"], PAYER_OF[name])[0])
    series = None
    if task.timeseries:
        series = outcomes[outcomes["group"] == "all"].to_dict(orient="list")
    return outputs, series


def _ishigami_outputs(task: Task) -> tuple[dict[str, float], None]:
    p = task.run.parameters
    return {"y": float(Ishigami.evaluate(np.array([[p["x1"], p["x2"], p["x3"]]]))[0])}, None


def execute(task: Task) -> dict[str, Any]:
    """Evaluate one run; never raises (a failure is returned with its traceback)."""
    try:
        if task.model == "ishigami":
            outputs, series = _ishigami_outputs(task)
        else:
            outputs, series = _employment_outputs(task)
        return {"run": task.run.index, "state": "done", "outputs": outputs, "series": series}
    except Exception:  # noqa: BLE001 - a failing run is recorded, the sweep goes on
        return {"run": task.run.index, "state": "failed", "error": traceback.format_exc()}
