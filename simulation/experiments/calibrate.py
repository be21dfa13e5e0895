"""Calibration by the method of simulated moments.

The free parameters (declared in the targets file with their bounds and sources) are
chosen to bring a scenario's register statistics close to the observed targets. Every
evaluation runs the same fixed set of replication seeds (common random numbers), so the
objective is a smooth function of the parameters and the seeds cannot be tuned. Each
target's squared error is weighted by its tolerance and the simulation noise of the
statistic. A global search (scipy's differential evolution, Latin-hypercube start) is
followed by a local polish (bounded Nelder-Mead). Every evaluation is stored in a cache
file as it finishes, so an interrupted calibration resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import optimize

from simulation.analysis.results import atomic_write
from simulation.config.errors import InputError
from simulation.config.loading import (
    apply_overrides,
    flatten,
    parameter_field,
    read_toml,
    scenario_to_dict,
    suggest_key,
)
from simulation.config.scenario import Scenario, scenario_from_dict
from simulation.experiments.executors import Executor, make_executor
from simulation.experiments.seeds import RegisterStatistics, replication_seeds, run_seeds
from simulation.experiments.targets import (
    TargetsFile,
    check_counting_window,
    experiment_effects,
)

__all__ = [
    "Calibration",
    "QUICK",
    "calibrate",
    "objective_terms",
    "preset",
    "ship_fit",
    "start_values",
]


@dataclass(frozen=True)
class Calibration:
    """The result: fitted values, objective, evaluations, identification and uncertainty.

    ``uncertainty`` is an approximate standard error from the objective's profile (see
    :func:`_profile`); infinite where moving the parameter does not raise the objective.
    """

    names: list[str]
    values: dict[str, float]
    objective: float
    evaluations: int
    identified: dict[str, bool]
    uncertainty: dict[str, float]
    seconds: float


def objective_terms(
    targets: TargetsFile, runs: list[dict[str, float]]
) -> tuple[float, dict[str, float]]:
    """Weighted squared errors of the mean statistics across the fixed seeds.

    Each target's error is divided by its tolerance combined with the standard error of
    the simulated mean (the noise of the simulation), so noisy statistics weigh less.
    """
    terms = {}
    for target in targets.target:
        values = np.array([run[target.statistic] for run in runs], dtype=float)
        if np.any(np.isnan(values)):
            terms[target.statistic] = 1e6
            continue
        tolerance = target.tolerance * (abs(target.observed) if target.relative else 1.0)
        noise = values.var(ddof=1) / len(values) if len(values) > 1 else 0.0
        scale = np.sqrt(tolerance**2 + noise) or 1.0
        terms[target.statistic] = float(((values.mean() - target.observed) / scale) ** 2)
    return float(sum(terms.values())), terms


def code_version() -> str:
    """A hash of the package's source: a cached evaluation is only as good as the code."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class _Evaluator:
    """Runs the scenario at given parameter values, with a cache on disk.

    The cache is keyed by everything that determines an evaluation besides the values:
    the targets and free parameters, the base scenario, the seeds, the scale and the
    code. A cache made for anything else is set aside (``evaluations-<key>.json``), never
    read for this calibration.

    Used as a context manager, it keeps ``workers`` processes for its whole life and
    spreads each evaluation's runs (the replications, the trials' arms) over them; the
    objective does not depend on how many (every run carries its own seed). Outside a
    ``with`` block it runs everything in this process.
    """

    def __init__(
        self,
        scenario: Scenario,
        targets: TargetsFile,
        seeds: list,
        scale: float,
        cache: Path,
        experiments: bool = False,
        workers: int = 1,
    ) -> None:
        self.base = scenario_to_dict(scenario)
        self.experiments = experiments and bool(targets.experiment)
        self.targets = targets
        self.seeds = seeds
        self.scale = scale
        self.names = [f.key for f in targets.free]
        self.cache_path = cache
        self.key = hashlib.sha256(
            json.dumps(
                {
                    "targets": [vars(t) for t in targets.target],
                    "free": [vars(f) for f in targets.free],
                    "first_week": targets.meta.first_week,
                    "scenario": self.base,
                    "seeds": [[s.entropy, list(s.spawn_key)] for s in seeds],
                    "scale": scale,
                    "experiments": [vars(e) for e in targets.experiment]
                    if self.experiments
                    else [],
                    "code": code_version(),
                },
                sort_keys=True,
                default=str,
            ).encode()
        ).hexdigest()[:16]
        self.cache = self._read_cache()
        self.evaluations = 0
        self.workers = workers
        self.executor: Executor | None = None

    def __enter__(self) -> _Evaluator:
        self.executor = make_executor(self.workers).__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        executor, self.executor = self.executor, None
        if executor is not None:
            executor.__exit__(*exc)

    def _read_cache(self) -> dict[str, float]:
        """The evaluations made earlier for this very calibration (none for another)."""
        path = self.cache_path
        if not path.exists():
            return {}
        try:
            stored = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError):
            stored = {}
        if isinstance(stored, dict) and stored.get("key") == self.key:
            return {str(k): float(v) for k, v in stored.get("evaluations", {}).items()}
        old = stored.get("key", "unkeyed") if isinstance(stored, dict) else "unkeyed"
        path.replace(path.with_name(f"{path.stem}-{old}.json"))
        return {}

    def overrides(self, x: np.ndarray) -> list[str]:
        """The free parameters' values as ``key=value`` overrides."""
        return [
            f"{f.key}={round(float(v)) if f.integer else float(v)!r}"
            for f, v in zip(self.targets.free, x, strict=True)
        ]

    def scenario(self, x: np.ndarray) -> Scenario:
        return scenario_from_dict(apply_overrides(self.base, self.overrides(x)), "calibration")

    def __call__(self, x: np.ndarray) -> float:
        key = json.dumps([round(float(v), 10) for v in x])
        if key in self.cache:
            return self.cache[key]
        scenario = self.scenario(x)
        collect = RegisterStatistics(self.targets.meta.first_week, self.targets.meta.flows_until)
        done = run_seeds(scenario, self.seeds, collect, scale=self.scale, executor=self.executor)
        runs = [stats for _, stats in sorted(done)]
        value, _ = objective_terms(self.targets, runs)
        if self.experiments:  # indirect inference: the trials' effects against the published
            effects = experiment_effects(
                self.targets, self.overrides(x), seed=0, executor=self.executor
            )
            for row in effects:
                value += ((row["simulated"] - row["observed"]) / row["tolerance"]) ** 2
        self.cache[key] = value
        self.evaluations += 1
        with atomic_write(self.cache_path) as file:
            json.dump({"key": self.key, "evaluations": self.cache}, file)
        return value


def calibrate(
    scenario: Scenario,
    targets: TargetsFile,
    *,
    out: str | Path,
    budget: int = 400,
    seed: int = 0,
    replications: int = 2,
    scale: float = 0.05,
    start: dict[str, float] | None = None,
    local: bool = False,
    progress: Callable[[int, float], None] | None = None,
    experiments: bool = False,
    workers: int = 1,
) -> Calibration:
    """Fit the free parameters of ``targets`` to its statistics.

    Args:
        scenario: The baseline scenario (its other parameters stay as they are).
        targets: Targets with ``[[free]]`` parameters.
        out: Folder for the cache, the fitted parameters and the report.
        budget: Evaluations for the global search (the polish adds a fifth).
        seed: Seed of the optimiser and root of the fixed replication seeds.
        replications: Fixed seeds per evaluation.
        scale: Scale of the runs.
        start: Values to seed the search with (e.g. an earlier fit), by key; keys not
            given start from the middle of their bounds.
        local: Skip the global search and spend the whole budget on the local search
            from ``start`` (to refine an earlier fit after a change of the model).
        progress: Called with (evaluations, best objective so far).
        experiments: Fit the targets' experiments too (each simulated as its trial at
            every evaluation: indirect inference; much slower).
        workers: Local processes each evaluation's runs are spread over (the fit does
            not depend on how many).

    Returns:
        The calibration; ``fitted.toml`` in ``out`` holds the values as scenario tables.
    """
    check_counting_window(targets, scenario)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    seeds = replication_seeds(seed + 1, replications)
    evaluate = _Evaluator(
        scenario, targets, seeds, scale, out / "evaluations.json", experiments, workers
    )
    with evaluate:
        x, value, identified, uncertainty = _search(
            evaluate, targets, budget, seed, start, local, progress
        )
    result = Calibration(
        names=evaluate.names,
        values={
            f.key: round(float(v)) if f.integer else float(v)
            for f, v in zip(targets.free, x, strict=True)
        },
        objective=float(value),
        evaluations=len(evaluate.cache),
        identified=dict(zip(evaluate.names, identified, strict=True)),
        uncertainty=dict(zip(evaluate.names, uncertainty, strict=True)),
        seconds=time.perf_counter() - started,
    )
    _write_fitted(result, targets, seed, out)
    return result


def _search(
    evaluate: _Evaluator,
    targets: TargetsFile,
    budget: int,
    seed: int,
    start: dict[str, float] | None,
    local: bool,
    progress: Callable[[int, float], None] | None,
) -> tuple[np.ndarray, float, list[bool], list[float]]:
    """The global search, its polish and the profile: the fit, its objective and spread."""
    bounds = [(f.low, f.high) for f in targets.free]
    d = len(bounds)
    # About 25 generations: a large population spread over few generations is little
    # more than a random search.
    popsize = int(np.clip(budget // (25 * d), 2, 15))
    maxiter = max(1, budget // (popsize * d) - 1)
    x0 = None
    if start:
        x0 = np.array(
            [np.clip(start.get(f.key, (f.low + f.high) / 2), f.low, f.high) for f in targets.free]
        )
    best: list[Any] = [np.inf, None]  # the lowest objective evaluated, and where

    def tracked(x: np.ndarray) -> float:
        value = evaluate(x)
        if value < best[0]:
            best[0], best[1] = value, np.array(x, dtype=float)
        if progress is not None:
            progress(evaluate.evaluations, best[0])
        return value

    if local:
        if x0 is None:
            raise ValueError("a local search needs start values")
        search = optimize.OptimizeResult(x=x0, fun=tracked(x0))
    else:
        search = optimize.differential_evolution(
            tracked,
            bounds,
            seed=seed,
            popsize=popsize,
            maxiter=maxiter,
            init="latinhypercube",
            polish=False,
            tol=1e-8,
            updating="deferred",
            x0=x0,
        )
    polish = optimize.minimize(
        tracked,
        search.x,
        method="Nelder-Mead",
        bounds=bounds,
        options={
            "maxfev": budget if local else max(d + 2, budget // 5),
            "xatol": 1e-3,
            "fatol": 1e-3,
            "adaptive": True,
        },
    )
    x = polish.x if polish.fun <= search.fun else search.x
    value = min(polish.fun, search.fun)
    identified, uncertainty = _profile(tracked, x, bounds, value)
    # The profile's steps are evaluations too: where one of them is lower, the fit moves
    # there and its profile is taken again; the fit is never a point known to be worse
    # (after the last round, the profile is the neighbouring point's).
    for _ in range(_PROFILE_ROUNDS):
        if not best[0] < value:
            break
        x, value = best[1], best[0]
        identified, uncertainty = _profile(tracked, x, bounds, value)
    if best[0] < value:
        x, value = best[1], best[0]
    return x, value, identified, uncertainty


#: How often a fit moves to a lower point its profile found and profiles it again.
_PROFILE_ROUNDS = 3


def _profile(
    f: Callable[[np.ndarray], float],
    x: np.ndarray,
    bounds: list[tuple[float, float]],
    value: float,
    step: float = 0.1,
    threshold: float = 1.0,
) -> tuple[list[bool], list[float]]:
    """Identification and an approximate standard error of each parameter.

    Each parameter is moved by a tenth of its range both ways. It is identified if the
    objective rises by at least ``threshold`` (one tolerance-sized miss) on both sides.
    The objective is a sum of squared standardised errors, so near the optimum it rises
    by about (change / standard error)^2: the mean rise over the two sides gives the
    standard error as step / sqrt(rise), a profile-based indication of uncertainty
    (infinite if the objective does not rise).
    """
    identified, uncertainty = [], []
    for j, (low, high) in enumerate(bounds):
        rises, moves = [], []
        for sign in (-1, 1):
            y = x.copy()
            y[j] = np.clip(y[j] + sign * step * (high - low), low, high)
            if y[j] != x[j]:
                rises.append(f(y) - value)
                moves.append(abs(y[j] - x[j]))
        identified.append(bool(rises) and min(rises) >= threshold)
        curvature = np.mean([r / m**2 for r, m in zip(rises, moves, strict=True)]) if rises else 0
        uncertainty.append(float(1.0 / np.sqrt(curvature)) if curvature > 0 else float("inf"))
    return identified, uncertainty


def _write_fitted(result: Calibration, targets: TargetsFile, seed: int, out: Path) -> None:
    tables: dict[str, dict[str, Any]] = {}
    for key, value in result.values.items():
        section, name = key.rsplit(".", 1)
        tables.setdefault(section, {})[name] = value
    digest = hashlib.sha256(
        json.dumps(
            [vars(t) for t in targets.target] + [vars(f) for f in targets.free],
            sort_keys=True,
            default=str,
        ).encode()
    ).hexdigest()[:16]
    lines = [
        "# Parameters fitted by 'simulate calibrate' (method of simulated moments).",
        f"# targets hash {digest}, seed {seed}, objective {result.objective:.4f}, "
        f"{result.evaluations} evaluations",
    ]
    for section, values in tables.items():
        lines.append(f"\n[{section}]")
        for name, value in values.items():
            key = f"{section}.{name}"
            spread = result.uncertainty.get(key, float("inf"))
            note = "not identified" if not result.identified.get(key, True) else "identified"
            lines.append(f"{name} = {value:.6g}  # +/- {spread:.3g} (profile), {note}")
    with atomic_write(out / "fitted.toml") as file:
        file.write("\n".join(lines) + "\n")


#: A quick calibration (about a minute): evaluations, replications per evaluation, scale.
QUICK = (24, 1, 0.03)
#: A full calibration's replications per evaluation and scale.
FULL_REPLICATIONS, FULL_SCALE = 2, 0.05


def preset(quick: bool, budget: int) -> tuple[int, int, float]:
    """(evaluations, replications per evaluation, scale) of a quick or full calibration."""
    return QUICK if quick else (budget, FULL_REPLICATIONS, FULL_SCALE)


def start_values(path: Path) -> dict[str, float]:
    """The numbers of a fitted file by key path, to seed a search.

    Raises:
        InputError: A key is not a scenario parameter, or a value is not a number.
    """
    values = flatten(read_toml(path))
    for key, value in values.items():
        try:
            parameter_field(key)
        except KeyError:
            raise InputError(path, key, "not a scenario parameter" + suggest_key(key)) from None
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise InputError(path, key, f"expected a number, got {value!r}")
    return values


def ship_fit(targets_file: Path, out: Path) -> Path:
    """Copy a calibration's ``fitted.toml`` to ``fitted/<targets name>.toml`` beside the targets.

    That is the file the shipped scenarios extend. Returns its path.
    """
    shipped = targets_file.parent / "fitted" / f"{targets_file.stem}.toml"
    shipped.parent.mkdir(exist_ok=True)
    with atomic_write(shipped) as file:
        file.write((out / "fitted.toml").read_text())
    return shipped
