"""Replications of a scenario: seeds, executors, and the run folder they fill.

Replication ``i`` runs with ``SeedSequence(seed).spawn(n)[i]``, so its result depends
on the seed and its index only, never on the number of workers or the order in which
replications finish. Replications run through :func:`simulation.experiments.seeds.run_seeds`
(here, in local processes or on a Dask cluster); each one's tables go to disk as soon as
it finishes.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simulation.analysis.plots import plot_run
from simulation.analysis.report import run_report
from simulation.analysis.results import (
    RunFolder,
    environment,
    seal,
    summarise,
    table_checksums,
)
from simulation.config.loading import scenario_hash, scenario_to_dict, with_values
from simulation.config.scenario import Scenario
from simulation.core.codes import Status
from simulation.core.model import EmploymentModel
from simulation.experiments.seeds import (
    check_runnable,
    local_workers,
    replication_seeds,
    run_seeds,
    run_tables,
)

if TYPE_CHECKING:
    from simulation.experiments.posterior import Sample

__all__ = [
    "RunResult",
    "after_changes",
    "default_folder",
    "draw_record",
    "replication_seeds",
    "run_replication",
    "run_scenario",
    "starting_point",
]

Progress = Callable[[int], None]


@dataclass(frozen=True)
class RunResult:
    """What ``simulate run`` produced.

    Attributes:
        folder: The run folder.
        tables: The combined tables (all replications).
        summary: Key outcomes by group (see :func:`simulation.analysis.results.summarise`).
        manifest: Everything needed to reproduce the run.
    """

    folder: Path
    tables: dict[str, pd.DataFrame]
    summary: dict[str, Any]
    manifest: dict[str, Any]


def run_replication(
    scenario: Scenario,
    seed: np.random.SeedSequence,
    scale: float | None = None,
    progress: Progress | None = None,
) -> dict[str, pd.DataFrame]:
    """Run one replication and return its tidy tables."""
    (_, result), *_ = run_seeds(scenario, [seed], run_tables, scale=scale, progress=progress)
    return result


def default_folder(
    scenario: Scenario, seed: int, replications: int, scale: float, root: str | Path = "results"
) -> Path:
    """``results/<scenario>-<hash>``: the same inputs give the same folder."""
    digest = scenario_hash(scenario, seed=seed, replications=replications, scale=scale)
    return Path(root) / f"{scenario.run.name}-{digest}"


def run_scenario(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    scale: float | None = None,
    out: str | Path | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    plots: bool = True,
    source: dict[str, Any] | None = None,
    overwrite: bool = False,
    draws: Sample | None = None,
) -> RunResult:
    """Run the replications of a scenario and write the run folder.

    Args:
        scenario: The validated scenario.
        replications: Number of replications (default: the scenario's).
        seed: Root seed (default: the scenario's).
        scale: Simulated people per real person (default: the scenario's).
        out: Run folder (default: :func:`default_folder`).
        workers: Processes to use; 1 runs in this process.
        progress: Called with the number of simulated weeks completed since the last call.
        plots: Also write the PNG plots.
        source: Where the scenario came from (file, overrides), for the manifest.
        overwrite: Replace whatever ``out`` holds (otherwise only an earlier run of the
            same scenario with the same seed, replications and scale is replaced).
        draws: Parameter draws: replication ``i`` runs with draw ``i`` of the sample
            (the same draw in every scenario run with the same sample and replications).

    Returns:
        The run's tables, summary and manifest, and the folder they are in.
    """
    replications = replications or scenario.run.replications
    seed = scenario.run.seed if seed is None else seed
    scale = scenario.run.scale if scale is None else scale
    check_runnable(scenario, scale, in_flight=local_workers(workers, replications))
    extra = {"draws": draws.digest()} if draws is not None else {}
    identity = scenario_hash(scenario, seed=seed, replications=replications, scale=scale, **extra)
    folder = RunFolder(
        default_folder(scenario, seed, replications, scale) if out is None else out,
        identity=identity,
        overwrite=overwrite,
    )
    try:
        result = _fill(folder, scenario, replications, seed, scale, workers, progress, plots, draws)
    except BaseException:
        folder.release()
        raise
    result["manifest"] = {**result["manifest"], "identity": identity, "source": source or {}}
    # The report is written without plots too (its figures are left out).
    run_report(folder.path, result["summary"], result["manifest"])
    manifest = {**result["manifest"], "tables": table_checksums(folder.path)}
    result["manifest"] = seal(manifest)
    folder.write_json("manifest.json", result["manifest"])
    path = folder.complete()
    return RunResult(path, result["tables"], result["summary"], result["manifest"])


def _fill(
    folder: RunFolder,
    scenario: Scenario,
    replications: int,
    seed: int,
    scale: float,
    workers: int,
    progress: Progress | None,
    plots: bool,
    draws: Sample | None = None,
) -> dict[str, Any]:
    """Run the replications into the folder: tables, summary, plots; the manifest's data."""
    seeds = replication_seeds(seed, replications)
    started = time.perf_counter()
    created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    variants = (
        None
        if draws is None
        else [with_values(scenario, draws.draw(i)) for i in range(replications)]
    )
    runs = run_seeds(
        scenario,
        seeds,
        run_tables,
        scale=scale,
        workers=workers,
        progress=progress,
        checked=True,
        variants=variants,
    )
    for index, replication in runs:
        folder.write_replication(index, replication)
    combined = folder.combine(replications)
    summary = summarise(combined["outcomes"], scenario.weeks)
    summary = {"scenario": scenario.run.name, "replications": replications, **summary}
    if scenario.timeline:
        summary["timeline"] = [
            {"date": c.date.isoformat(), "week": scenario.week_of(c.date), "label": c.label}
            for c in scenario.timeline
        ]
    folder.write_json("summary.json", summary)
    manifest = {
        "scenario": scenario_to_dict(scenario),
        "seed": seed,
        "replications": replications,
        "scale": scale,
        "spawn_keys": [list(s.spawn_key) for s in seeds],
        **({} if draws is None else {"draws": draw_record(draws, replications)}),
        "weeks": scenario.weeks,
        **environment(),
        "command": sys.argv,
        "timing": {
            "created": created,
            "wall_seconds": round(time.perf_counter() - started, 3),
            "workers": workers,
        },
    }
    if plots:
        caption = f"scale {scale:g}, {replications} replications, seed {seed}"
        changes = [(c.date, c.label) for c in scenario.timeline]
        plot_run(combined, folder.path, scenario.run.name, caption, changes)
    return {"tables": combined, "summary": summary, "manifest": manifest}


def draw_record(draws: Sample, replications: int) -> dict[str, Any]:
    """What a run's manifest records of its parameter draws: the file, hash and values."""
    return {
        "file": str(draws.path) if draws.path else None,
        "digest": draws.digest(),
        "keys": draws.keys,
        "values": [list(draws.draw(i).values()) for i in range(replications)],
    }


def _in_force(model: EmploymentModel) -> dict[str, Any]:
    """The model's organisers (staff, clients) and service places now, in real numbers."""
    p, weight = model.job_seekers, model.weight
    registered = p.status <= Status.OTHER_SERVICE
    clients = np.bincount(p.organiser[registered], minlength=len(model.organisers))
    staff = model.staff.active_by_organiser()
    organisers = [
        (model.area_ids[o.area], o.name, float(staff[o.index] * weight), float(clients[i] * weight))
        for i, o in enumerate(model.organisers)
        if staff[o.index] > 0
    ]
    names, places = model.plan.services["names"], model.plan.services["places"]
    services = [
        (model.area_ids[s // len(names)], names[s % len(names)], float(places[s] * weight))
        for s in range(len(places))
    ]
    return {"organisers": organisers, "services": services}


def after_changes(scenario: Scenario, people: int = 20_000) -> list[dict[str, Any]]:
    """The staffing and places in force after each dated change, before any real run.

    A small model (about ``people`` simulated people, weighted back to real numbers) is
    run to the week after each change: the organisers are staffed as the change says
    (a caseload it sets, or the staff in post carried over) for the clients they then
    have.

    Returns:
        One entry per change: ``date``, ``label``, ``organisers`` and ``services`` as
        :func:`starting_point` gives them.
    """
    total = sum(a.unemployed for a in scenario.areas.values())
    model = EmploymentModel(scenario, scale=min(1.0, people / max(total, 1)))
    out = []
    for change in scenario.timeline:
        week = scenario.week_of(change.date)
        if week >= scenario.weeks:
            break
        model.run_for(max(0, week + 1 - model.steps))
        out.append({"date": change.date, "label": change.label, **_in_force(model)})
    return out


def starting_point(scenario: Scenario, people: int = 50_000) -> dict[str, Any]:
    """What a scenario implies at its start: staffing, places and the target group.

    Built from a model of about ``people`` simulated people (the figures are weighted
    back to real numbers), so it is quick for any scenario.

    Returns:
        ``organisers``: (area, organiser, caseworkers, clients); ``services``: (area,
        service, places); ``target_group``: (area, share of the unemployed in it).
    """
    total = sum(a.unemployed for a in scenario.areas.values())
    model = EmploymentModel(scenario, scale=min(1.0, people / max(total, 1)))
    p = model.job_seekers
    unemployed = np.flatnonzero(p.status == Status.UNEMPLOYED)
    target = model.organisation.in_target_group(unemployed, 0)
    groups = [
        (area, float(target[p.area[unemployed] == a].mean()) if target.size else 0.0)
        for a, area in enumerate(model.area_ids)
    ]
    return {**_in_force(model), "target_group": groups}
