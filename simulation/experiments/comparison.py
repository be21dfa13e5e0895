"""Compare scenarios: run each with the same seeds, then read the runs as arms.

Scenario files are run here with a shared root seed, replications and scale (so that
replication *i* of every scenario shares its random numbers); finished run folders are
read as they are. The effects are computed by :mod:`simulation.analysis.compare`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from simulation.analysis.compare import Arm, Comparison, compare_arms, load_arm, write_comparison
from simulation.config.scenario import load_scenario, scenario_hash
from simulation.experiments.runner import run_scenario

__all__ = ["compare"]


def compare(
    sources: list[str | Path],
    *,
    out: str | Path | None = None,
    replications: int | None = None,
    seed: int | None = None,
    scale: float | None = None,
    workers: int = 1,
    overrides: tuple[str, ...] = (),
    progress: Callable[[int], None] | None = None,
    plots: bool = True,
    common_weeks: bool = False,
) -> Comparison:
    """Run (or read) scenarios with paired seeds and compare them with the first.

    Args:
        sources: Scenario files (run here, all with the same seed, replications and
            scale) or finished run folders.
        out: Comparison folder; scenario runs go to sub-folders.
        replications: Replications of each scenario run (default: the first scenario's).
        seed: Root seed shared by all scenario runs (default: the first scenario's).
        scale: Scale of all scenario runs (default: the first scenario's).
        workers: Processes per scenario run.
        overrides: ``key=value`` overrides applied to every scenario file.
        progress: Called with weeks simulated.
        plots: Write the comparison plots.
        common_weeks: Compare runs of different horizons over the weeks they share.

    Returns:
        The comparison, also written to ``out`` (``comparison.csv``, ``comparison.md``,
        plots).
    """
    scenarios = {}
    for source in sources:
        path = Path(source)
        if not path.is_dir():
            scenarios[path] = load_scenario(path, overrides)
    first = next(iter(scenarios.values()), None)
    if first is not None:
        replications = replications or first.run.replications
        seed = first.run.seed if seed is None else seed
        scale = first.run.scale if scale is None else scale
    if out is None:
        digest = (
            scenario_hash(
                first,
                sources=[str(s) for s in sources],
                seed=seed,
                replications=replications,
                scale=scale,
            )
            if first
            else "runs"
        )
        out = Path("results") / f"compare-{digest}"
    out = Path(out)
    arms = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            arms.append(load_arm(path))
            continue
        scenario = scenarios[path]
        result = run_scenario(
            scenario,
            replications=replications,
            seed=seed,
            scale=scale,
            out=out / _unique(scenario.run.name, arms),
            workers=workers,
            progress=progress,
            plots=False,
            source={"file": str(path), "overrides": list(overrides)},
        )
        arms.append(load_arm(result.folder))
    return write_comparison(compare_arms(arms, common_weeks), out, plots)


def _unique(name: str, arms: list[Arm]) -> str:
    taken = {a.folder.name for a in arms}
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}-{n}", n + 1
    return candidate
