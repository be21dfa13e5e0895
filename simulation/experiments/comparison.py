"""Compare scenarios: run each with the same seeds, then read the runs as arms.

Scenario files are run here with a shared root seed, replications and scale (so that
replication *i* of every scenario shares its random numbers); finished run folders are
read as they are. The effects are computed by :mod:`simulation.analysis.compare`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from simulation.analysis.budget import write_budget
from simulation.analysis.compare import Arm, Comparison, compare_arms, load_arm, write_comparison
from simulation.analysis.plots import plot_uncertainty
from simulation.analysis.report import comparison_report
from simulation.analysis.results import atomic_write
from simulation.analysis.uncertainty import draw_effects, uncertainty_markdown
from simulation.config.errors import InputError
from simulation.config.loading import load_scenario, scenario_hash
from simulation.config.scenario import Scenario
from simulation.experiments.runner import run_scenario

#: The measures ``uncertainty.png`` shows.
UNCERTAINTY_PLOTTED = ("employment_rate_24m", "employment_years", "state_cost_eur")

if TYPE_CHECKING:
    from simulation.experiments.posterior import Sample

__all__ = ["ArmSource", "compare", "parse_arm"]


@dataclass(frozen=True)
class ArmSource:
    """One arm of a comparison as given.

    A scenario file with its own overrides, or a finished run folder; with the label it
    is shown under.
    """

    path: Path
    overrides: tuple[str, ...] = ()
    label: str | None = None


def parse_arm(text: str | Path) -> ArmSource:
    """Read an arm written as ``[LABEL:] PATH [KEY=VALUE ...]``.

    Example: ``"caseload 70: scenarios/municipal_pilot.toml city.caseload=70"`` is the
    pilot with a caseload of 70, shown as "caseload 70".

    Raises:
        InputError: Overrides given with a run folder, or no path.
    """
    if isinstance(text, Path):
        return ArmSource(text)
    label, rest = None, text.strip()
    head, colon, tail = rest.partition(": ")
    if colon and "=" not in head and not Path(head).exists():
        label, rest = head.strip(), tail.strip()
    words = rest.split()
    if not words:
        raise InputError(text, "", "expected a scenario file or a run folder")
    path, overrides = Path(words[0]), tuple(words[1:])
    if overrides and path.is_dir():
        raise InputError(text, "", "overrides go with a scenario file, not a run folder")
    return ArmSource(path, overrides, label)


def _label(source: ArmSource, scenario: Scenario | None) -> str:
    """What an arm is called: its label, its folder, or its scenario and overrides."""
    if source.label:
        return source.label
    if scenario is None:
        return source.path.name
    return " ".join([scenario.run.name, *source.overrides])


def _folder_name(label: str) -> str:
    """A folder name made of the label's safe characters."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", label).strip("._") or "arm"
    return name[:100]


def compare(
    sources: list[str | Path | ArmSource],
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
    since: dt.date | None = None,
    draws: Sample | None = None,
    draw_count: int = 0,
) -> Comparison:
    """Run (or read) scenarios with paired seeds and compare them with the first.

    Args:
        sources: Arms (:func:`parse_arm`): scenario files with their own overrides (run
            here, all with the same seed, replications and scale) or finished run
            folders. The first is the reference.
        out: Comparison folder; scenario runs go to sub-folders.
        replications: Replications of each scenario run (default: the first scenario's).
        seed: Root seed shared by all scenario runs (default: the first scenario's).
        scale: Scale of all scenario runs (default: the first scenario's).
        workers: Processes per scenario run.
        overrides: ``key=value`` overrides applied to every scenario file.
        progress: Called with weeks simulated.
        plots: Write the comparison plots.
        common_weeks: Compare runs of different horizons over the weeks they share.
        since: Read the employment rates 12, 24, 36 months after this date; the scenario
            runs count the job seekers from it as the group ``period``
            (``run.period_start``) unless an arm sets its own.
        draws: A parameter sample: each scenario is also run ``draw_count`` times,
            replication ``i`` with draw ``i`` in every arm (``draws/<arm>``), and
            ``uncertainty.csv``/``.md`` set the effects over the draws beside those
            at the point values.
        draw_count: Draws to run (default: as many as the sample has).

    Returns:
        The comparison, also written to ``out`` (``comparison.csv``, ``comparison.md``,
        plots); its ``notes`` say when two arms are the same scenario.
    """
    arms_given = [s if isinstance(s, ArmSource) else parse_arm(s) for s in sources]
    scenarios = {
        i: load_scenario(a.path, [*overrides, *a.overrides])
        for i, a in enumerate(arms_given)
        if not a.path.is_dir()
    }
    for index, scenario in scenarios.items():
        if since is not None and not scenario.run.start <= since <= scenario.run.end:
            raise InputError(
                str(arms_given[index].path),
                "--from",
                f"{since} is outside the run ({scenario.run.start} .. {scenario.run.end})",
            )
    if since is not None:  # the period's job seekers are a group of the runs made here
        overrides = (f"run.period_start={since.isoformat()}", *overrides)
        scenarios = {
            i: load_scenario(arms_given[i].path, [*overrides, *arms_given[i].overrides])
            for i in scenarios
        }
    first = next(iter(scenarios.values()), None)
    if first is not None:
        replications = replications or first.run.replications
        seed = first.run.seed if seed is None else seed
        scale = first.run.scale if scale is None else scale
    if out is None:
        digest = (
            scenario_hash(
                first,
                sources=[[str(a.path), *a.overrides, a.label or ""] for a in arms_given],
                seed=seed,
                replications=replications,
                scale=scale,
            )
            if first
            else "runs"
        )
        out = Path("results") / f"compare-{digest}"
    out = Path(out)
    if (out / "manifest.json").is_file():
        raise InputError(
            "--out", "", f"{out} is a run folder; expected a folder for the comparison of its own"
        )
    for source in arms_given:
        if out.resolve() in (source.path.resolve(), *source.path.resolve().parents):
            raise InputError(
                "--out", "", f"{out} holds the arm {source.path}; expected a folder of its own"
            )
    notes = _same_scenarios(arms_given, scenarios)
    arms: list[Arm] = []
    for i, source in enumerate(arms_given):
        scenario = scenarios.get(i)
        label = _label(source, scenario)
        if scenario is None:
            arms.append(load_arm(source.path, label))
            continue
        result = run_scenario(
            scenario,
            replications=replications,
            seed=seed,
            scale=scale,
            out=out / _unique(_folder_name(label), arms),
            workers=workers,
            progress=progress,
            plots=False,
            source={"file": str(source.path), "overrides": [*overrides, *source.overrides]},
        )
        arms.append(load_arm(result.folder, label))
    comparison = write_comparison(compare_arms(arms, common_weeks, since), out, plots)
    comparison = replace(comparison, notes=[*comparison.notes, *notes])
    if draws is not None:
        if len(scenarios) != len(arms_given):
            raise InputError(
                "--draws", "", "parameter draws need scenario files, not finished run folders"
            )
        count = draw_count or len(draws)
        draw_arms = []
        for i, source in enumerate(arms_given):
            label = _label(source, scenarios[i])
            result = run_scenario(
                scenarios[i],
                replications=count,
                seed=seed,
                scale=scale,
                out=out / "draws" / _unique(_folder_name(label), draw_arms),
                workers=workers,
                progress=progress,
                plots=False,
                source={"file": str(source.path), "overrides": [*overrides, *source.overrides]},
                draws=draws,
            )
            draw_arms.append(load_arm(result.folder, label))
        values = draws.values[np.arange(count) % len(draws)]
        table = draw_effects(
            comparison, draw_arms, values, draws.keys, common_weeks=common_weeks, since=since
        )
        with atomic_write(out / "uncertainty.csv") as file:
            table.to_csv(file, index=False, lineterminator="\n")
        with atomic_write(out / "uncertainty.md") as file:
            file.write(uncertainty_markdown(table))
        comparison = replace(comparison, uncertainty=table)
        if plots:
            plot_uncertainty(table, out / "uncertainty.png", UNCERTAINTY_PLOTTED)
    write_budget(comparison, out)
    comparison_report(comparison, out)  # without plots: the report without its figures
    return comparison


def _same_scenarios(arms: list[ArmSource], scenarios: dict[int, Scenario]) -> list[str]:
    """Notes on arms that resolve to the same scenario (their differences are zero)."""
    seen: dict[str, int] = {}
    notes = []
    for i, scenario in scenarios.items():
        digest = scenario_hash(scenario)
        if digest in seen:
            first = seen[digest]
            notes.append(
                f"arms {first + 1} and {i + 1} ({arms[first].path} and {arms[i].path}) are "
                "the same scenario: their differences are zero by construction"
            )
        else:
            seen[digest] = i
    return notes


def _unique(name: str, arms: list[Arm]) -> str:
    taken = {a.folder.name for a in arms}
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}-{n}", n + 1
    return candidate
