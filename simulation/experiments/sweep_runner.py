"""Running a sweep into its folder: ledger, executors, exports, resume.

The folder of a sweep holds ``ledger.sqlite`` (the state and result of every run, each
committed when it finishes), ``runs.parquet`` and ``runs.csv`` (one row per run: its
parameters and outcome summaries), ``sweep.json`` (the sweep, its design and the
environment) and, where asked, ``series/`` with each run's weekly outcomes. Running the
same command again resumes: finished runs are skipped.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from simulation.analysis.results import atomic_write, environment, folder_lock
from simulation.experiments.executors import make_executor, stream
from simulation.experiments.ledger import Ledger
from simulation.experiments.sweep import Sweep, Task, execute, load_sweep, runs_of, tasks_of

__all__ = ["SweepResult", "default_sweep_folder", "dry_run", "export", "run_sweep"]


@dataclass(frozen=True)
class SweepResult:
    """Counts of a sweep after a (possibly partial) run."""

    folder: Path
    done: int
    failed: int
    total: int
    interrupted: bool = False


def default_sweep_folder(sweep: Sweep) -> Path:
    """``results/sweep-<name>-<digest>``."""
    return Path("results") / f"sweep-{sweep.settings.name}-{sweep.digest[:8]}"


def _write_series(folder: Path, result: dict[str, Any]) -> None:
    if not result.get("series"):
        return
    with atomic_write(folder / "series" / f"run-{result['run']:06d}.csv") as file:
        pd.DataFrame(result["series"]).to_csv(file, index=False, lineterminator="\n")


def export(ledger: Ledger, folder: Path) -> pd.DataFrame:
    """Write ``runs.parquet`` and ``runs.csv`` from the ledger (atomically)."""
    table = ledger.table()
    path = folder / "runs.parquet"
    with atomic_write(path, "wb") as file:
        table.to_parquet(file, index=False)
    with atomic_write(folder / "runs.csv") as file:
        table.drop(columns=["error"]).to_csv(file, index=False, lineterminator="\n")
    return table


def _describe(sweep: Sweep, folder: Path) -> None:
    data = {
        "sweep": str(sweep.path),
        "digest": sweep.digest,
        "names": sweep.names,
        "method": "policy_x_assumption" if sweep.policy_x_assumption else sweep.spec.design.method,
        "arms": [a.label for a in sweep.spec.arm],
        "settings": {k: v for k, v in vars(sweep.settings).items()},
        "unit_design": sweep.unit.tolist(),
        "points": sweep.points.tolist(),
        **environment(),
    }
    with atomic_write(folder / "sweep.json") as file:
        json.dump(data, file, indent=2, default=str)
        file.write("\n")


def run_sweep(
    sweep: Sweep | str | Path,
    *,
    out: str | Path | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Callable[[dict[str, int]], None] | None = None,
    runner: Callable[[Task], dict[str, Any]] = execute,
) -> SweepResult:
    """Run the sweep's unfinished runs and record each as it finishes.

    Args:
        sweep: A sweep or its file.
        out: The sweep folder (default: :func:`default_sweep_folder`).
        workers: Local processes (1: in this process).
        scheduler: Address of a Dask scheduler; runs go to its workers instead.
        progress: Called after every finished run with counts of done and failed runs.
        runner: Evaluates one task (the default runs the model; tests may replace it).

    Returns:
        Counts of done and failed runs. A Ctrl-C stops cleanly: runs in flight go back to
        pending and the result says it was interrupted.
    """
    if not isinstance(sweep, Sweep):
        sweep = load_sweep(sweep)
    folder = Path(out) if out else default_sweep_folder(sweep)
    # Refuse before anything is written: a cluster that cannot be reached, a folder
    # that holds another sweep (its sweep.json is left as it was).
    with folder_lock(folder):  # a second sweep into the folder is refused meanwhile
        return _run_locked(sweep, folder, workers, scheduler, progress, runner)


def _run_locked(
    sweep: Sweep,
    folder: Path,
    workers: int,
    scheduler: str | None,
    progress: Callable[[dict[str, int]], None] | None,
    runner: Callable[[Task], dict[str, Any]],
) -> SweepResult:
    """The body of :func:`run_sweep`, with the folder locked."""
    executor = make_executor(workers, scheduler)
    try:
        ledger = Ledger(folder / "ledger.sqlite", sweep.digest)
    except BaseException:
        executor.shutdown(cancel=True)
        raise
    _describe(sweep, folder)
    runs = runs_of(sweep)
    ledger.register(runs)
    to_do = set(ledger.to_do())
    tasks = tasks_of(sweep, [r for r in runs if r.index in to_do])
    interrupted = False
    try:
        for result in stream(
            executor, runner, tasks, on_submit=lambda t: ledger.started(t.run.index)
        ):
            # The series first: a run is only done once everything of it is on disk.
            _write_series(folder, result)
            ledger.finished(result)
            if progress is not None:
                progress(ledger.counts())
    except KeyboardInterrupt:
        interrupted = True
        executor.shutdown(cancel=True)
        ledger.release()
    else:
        executor.shutdown()
    counts = ledger.counts()
    export(ledger, folder)
    ledger.close()
    return SweepResult(
        folder, counts.get("done", 0), counts.get("failed", 0), len(runs), interrupted
    )


def dry_run(sweep: Sweep, out: str | Path | None = None, workers: int = 1) -> dict[str, Any]:
    """Number of runs (and of runs still to do) and a time estimate from one pilot run."""
    runs = runs_of(sweep)
    folder = Path(out) if out else default_sweep_folder(sweep)
    to_do = len(runs)
    if (folder / "ledger.sqlite").exists():
        ledger = Ledger(folder / "ledger.sqlite", sweep.digest)
        done = ledger.counts().get("done", 0)
        ledger.close()
        to_do = len(runs) - done
    started = time.perf_counter()
    pilot = execute(tasks_of(sweep, runs[:1])[0])
    seconds = time.perf_counter() - started
    return {
        "points": len(sweep.points),
        "replications": sweep.settings.replications,
        "runs": len(runs),
        "to_do": to_do,
        "seconds_per_run": seconds,
        "estimate_seconds": seconds * to_do / max(workers, 1),
        "pilot_state": pilot["state"],
    }
