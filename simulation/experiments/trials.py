"""Run an in-silico randomised trial: paired replications with and without the treatment.

Replication ``i`` runs the trial's scenario twice with the seed
``SeedSequence(seed).spawn(n)[i]``: once with the treated served under the treatment,
once with everyone served as usual (the arms are drawn all the same). The follow-up of
each pair is reduced to arm means as soon as it finishes and written to
``replications/``; at the end ``effects.csv``, ``effects.md``, ``trial_effects.png``
and ``manifest.json`` complete the trial folder. See docs/trials.md.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from simulation.analysis.measures import month_week
from simulation.analysis.plots import plot_trial
from simulation.analysis.results import RunFolder, atomic_write, environment
from simulation.analysis.trials import arm_means, effects, effects_markdown, replication_effects
from simulation.config.errors import TrialFileError
from simulation.config.loading import scenario_hash, scenario_to_dict
from simulation.config.trial import EDUCATION, Trial, with_draw
from simulation.core.model import EmploymentModel
from simulation.core.records import GROUP_LABELS
from simulation.core.trial import TrialDesign
from simulation.experiments.executors import Executor
from simulation.experiments.runner import draw_record
from simulation.experiments.seeds import replication_seeds, run_seeds

if TYPE_CHECKING:
    from simulation.experiments.posterior import Sample

__all__ = ["TrialResult", "design_of", "run_trial"]


@dataclass(frozen=True)
class TrialResult:
    """What ``simulate trial`` produced.

    Attributes:
        folder: The trial folder.
        effects: One row per comparison and outcome (see ``analysis.trials.effects``).
        replications: Each replication's comparisons.
    """

    folder: Path
    effects: pd.DataFrame
    replications: list[dict[str, dict[str, float]]]


def design_of(trial: Trial) -> TrialDesign:
    """The model's view of a trial: eligibility, shares, treatment, follow-up weeks."""
    s = trial.settings
    bit = GROUP_LABELS[s.group]
    return TrialDesign(
        stock=s.eligible == "stock",
        first_week=s.first_week,
        last_week=s.last_week,
        group_bit=0 if bit is None else int(bit),
        shares=trial.shares,
        treatment=trial.treatment,
        horizon_weeks=s.horizon_weeks,
        treatment_weeks=s.treatment_weeks,
        read_weeks=tuple(month_week(m) for m in s.months),
        education=tuple(EDUCATION.index(level) for level in s.education),
    )


@dataclass(frozen=True)
class FollowUpTable:
    """Collect the trial's per-person follow-up of a finished run."""

    def __call__(self, model: EmploymentModel) -> pd.DataFrame:
        """The follow-up as a data frame, one row per person."""
        assert model.trial is not None
        return pd.DataFrame(model.trial.follow_up.table(model.job_seekers, model.area_ids))


def run_trial(
    trial: Trial,
    *,
    out: str | Path | None = None,
    replications: int | None = None,
    seed: int | None = None,
    scale: float | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    plots: bool = True,
    draws: Sample | None = None,
    overwrite: bool = False,
    executor: Executor | None = None,
) -> TrialResult:
    """Run a trial's paired replications and write its folder.

    Args:
        trial: The validated trial.
        out: Trial folder (default: ``results/trial-<name>-<hash>``).
        replications: Paired replications (default: the trial file's).
        seed: Root seed (default: the trial file's).
        scale: Scale (default: the trial file's).
        workers: Processes to use.
        progress: Called with simulated weeks.
        plots: Also write the plot.
        draws: Parameter draws: replication ``i`` runs both arms with draw ``i``.
        overwrite: Replace whatever the folder holds.
        executor: An executor already open, used instead of ``workers`` and left open.

    Returns:
        The effects, each replication's comparisons and the folder.
    """
    s = trial.settings
    replications = replications or s.replications
    seed = s.seed if seed is None else seed
    scale = s.scale if scale is None else scale
    design = design_of(trial)
    digest = scenario_hash(
        trial.scenario, trial=str(trial.path), seed=seed, replications=replications,
        scale=scale, design=repr(design), **({"draws": draws.digest()} if draws else {}),
    )  # fmt: skip
    if out is None:
        out = Path("results") / f"trial-{s.name}-{digest}"
    # Written aside and put in place when complete, as a run folder is.
    staging = RunFolder(out, identity=digest, overwrite=overwrite)
    try:
        result = _fill(
            trial, design, staging.path, replications, seed, scale, workers, progress, plots,
            draws, executor,
        )  # fmt: skip
    except BaseException:
        staging.release()
        raise
    result["manifest"]["identity"] = digest
    with atomic_write(staging.path / "manifest.json") as file:
        json.dump(result["manifest"], file, indent=2, default=str)
        file.write("\n")
    folder = staging.complete()
    return TrialResult(folder, result["effects"], result["replications"])


def _fill(
    trial: Trial,
    design: TrialDesign,
    folder: Path,
    replications: int,
    seed: int,
    scale: float,
    workers: int,
    progress: Callable[[int], None] | None,
    plots: bool,
    draws: Sample | None = None,
    executor: Executor | None = None,
) -> dict[str, Any]:
    """Run the paired replications into the folder; the effects and the manifest's data."""
    s = trial.settings
    (folder / "replications").mkdir(parents=True, exist_ok=True)
    started, created = time.perf_counter(), dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    seeds = replication_seeds(seed, replications)
    shares = dict(zip(trial.scenario.areas, trial.shares, strict=True))
    read_months = {f"employed_week_{month_week(m)}": m for m in s.months}
    means: dict[str, dict[int, Any]] = {"with": {}, "without": {}}
    drawn = (
        None if draws is None else [with_draw(trial, draws.draw(i)) for i in range(replications)]
    )
    for arm, arm_design in (("with", design), ("without", replace(design, treatment=None))):
        designs = None
        if drawn is not None:  # each replication's treatment is its drawn TE office's
            designs = [
                design_of(t) if arm == "with" else replace(design_of(t), treatment=None)
                for t in drawn
            ]
        runs = run_seeds(
            trial.scenario, seeds, FollowUpTable(), scale=scale, workers=workers,
            progress=progress, trial=arm_design,
            variants=None if drawn is None else [t.scenario for t in drawn], trials=designs,
            executor=executor,
        )  # fmt: skip
        for index, table in runs:
            means[arm][index] = arm_means(table, shares, read_months, s.hazard_weeks)
            if arm == "with" and means[arm][index]["treated"]["people"] == 0:
                raise TrialFileError(
                    trial.path,
                    "trial",
                    f"nobody was treated in replication {index + 1}: expected the trial's "
                    "weeks, group and education to select someone",
                )
            _write_replication(folder, arm, index, means[arm][index])
    per_replication = [
        replication_effects(means["with"][i], means["without"][i]) for i in range(replications)
    ]
    frame = effects(per_replication)
    with atomic_write(folder / "effects.csv") as file:
        frame.to_csv(file, index=False, lineterminator="\n")
    with atomic_write(folder / "effects.md") as file:
        file.write(effects_markdown(frame, s.name))
    if plots:
        plot_trial(frame, folder / "trial_effects.png", title=s.name)
    manifest = {
        "trial": {"file": str(trial.path), "settings": scenario_to_dict(s)},  # type: ignore[arg-type]
        "treatment": scenario_to_dict(trial.treatment) if trial.treatment else None,  # type: ignore[arg-type]
        "scenario": scenario_to_dict(trial.scenario),
        "seed": seed,
        "replications": replications,
        "scale": scale,
        "spawn_keys": [list(q.spawn_key) for q in seeds],
        **({} if draws is None else {"draws": draw_record(draws, replications)}),
        **environment(),
        "command": sys.argv,
        "timing": {
            "created": created,
            "wall_seconds": round(time.perf_counter() - started, 3),
            "workers": workers if executor is None else executor.workers,
        },
    }
    return {"effects": frame, "replications": per_replication, "manifest": manifest}


def _write_replication(folder: Path, arm: str, index: int, means: dict[str, Any]) -> None:
    """One replication's arm means, written as soon as they exist."""
    path = folder / "replications" / f"{index:04d}-{arm}_trial.json"
    with atomic_write(path) as file:
        json.dump(means, file, indent=1, default=float)
        file.write("\n")
