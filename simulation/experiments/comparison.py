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
from simulation.analysis.results import atomic_write, check_out_folder
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
    # A label is what comes before ": " unless that begins with an existing file or
    # folder (then the ": " is inside an override's value); a label may hold "=".
    first = head.split()[0] if head.split() else ""
    if colon and first and not Path(first).exists() and not Path(head).exists():
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
    overwrite: bool = False,
    discount_rate: float = 0.0,
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
            (``run.period_start``; an arm's own override of that key wins).
        draws: A parameter sample: each scenario is also run ``draw_count`` times,
            replication ``i`` with draw ``i`` in every arm (``draws/<arm>``), and
            ``uncertainty.csv``/``.md`` set the effects over the draws beside those
            at the point values.
        draw_count: Draws to run (default: as many as the sample has).
        overwrite: Replace the arms' run folders even if they hold other runs.
        discount_rate: Yearly rate at which the yearly table's totals discount later
            years (``yearly.md``; 0: none).

    Returns:
        The comparison, also written to ``out`` (``comparison.csv``, ``comparison.md``,
        plots); its ``notes`` say when two arms are the same scenario.
    """
    arms_given = [s if isinstance(s, ArmSource) else parse_arm(s) for s in sources]
    if overrides and all(a.path.is_dir() for a in arms_given):
        raise InputError("--set", "", "applies to scenario files; every arm is a run folder")
    folders = {  # read first: their settings pair the scenarios with them
        i: load_arm(a.path, a.label or a.path.name)
        for i, a in enumerate(arms_given)
        if a.path.is_dir()
    }
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
    if folders and first is not None:  # paired with the first run folder, as it was run
        made = next(iter(folders.values())).manifest
        replications = replications or int(made["replications"])
        seed = int(made["seed"]) if seed is None else seed
        scale = float(made["scale"]) if scale is None else scale
    elif first is not None:
        replications = replications or first.run.replications
        seed = first.run.seed if seed is None else seed
        scale = first.run.scale if scale is None else scale
    if not common_weeks:
        _same_horizons(arms_given, folders, scenarios)
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
    check_out_folder(out)
    if (out / "manifest.json").is_file():
        raise InputError(
            "--out", "", f"{out} is a run folder; expected a folder for the comparison of its own"
        )
    for source in arms_given:
        if out.resolve() in (source.path.resolve(), *source.path.resolve().parents):
            raise InputError(
                "--out", "", f"{out} holds the arm {source.path}; expected a folder of its own"
            )
    notes = _same_scenarios(arms_given, scenarios, folders)
    arms: list[Arm] = []
    labels = _labels(arms_given, scenarios)
    for i, source in enumerate(arms_given):
        scenario = scenarios.get(i)
        label = labels[i]
        if scenario is None:
            arms.append(replace(folders[i], name=label))
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
            overwrite=overwrite,
        )
        arms.append(load_arm(result.folder, label))
    comparison = write_comparison(compare_arms(arms, common_weeks, since), out, plots)
    comparison = replace(comparison, notes=[*comparison.notes, *notes], discount_rate=discount_rate)
    if draws is not None:
        if len(scenarios) != len(arms_given):
            raise InputError(
                "--draws", "", "parameter draws need scenario files, not finished run folders"
            )
        count = draw_count or len(draws)
        draw_arms = []
        for i, source in enumerate(arms_given):
            label = labels[i]
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
                overwrite=overwrite,
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


def _labels(arms: list[ArmSource], scenarios: dict[int, Scenario]) -> list[str]:
    """The arms' labels, each once: a label given twice is numbered the second time."""
    labels: list[str] = []
    for i, source in enumerate(arms):
        label, n = _label(source, scenarios.get(i)), 2
        candidate = label
        while candidate in labels:
            candidate, n = f"{label} ({n})", n + 1
        labels.append(candidate)
    return labels


def _same_horizons(
    arms: list[ArmSource], folders: dict[int, Arm], scenarios: dict[int, Scenario]
) -> None:
    """Refuse, before anything runs, arms of different horizons (without --common-weeks)."""
    weeks = {i: int(a.manifest["weeks"]) for i, a in folders.items()}
    weeks.update({i: s.weeks for i, s in scenarios.items()})
    if len(set(weeks.values())) > 1:
        listed = ", ".join(f"{arms[i].path}: {w}" for i, w in sorted(weeks.items()))
        raise InputError(
            str(arms[0].path),
            "weeks",
            f"the runs have different horizons ({listed} weeks); compare them over the "
            "weeks they share with --common-weeks",
        )


def _same_scenarios(
    arms: list[ArmSource], scenarios: dict[int, Scenario], folders: dict[int, Arm] | None = None
) -> list[str]:
    """Notes on arms that resolve to the same scenario (their differences are zero)."""
    seen: dict[str, int] = {}
    notes = []
    identities = {
        i: f"run:{a.manifest['identity']}"
        for i, a in (folders or {}).items()
        if a.manifest.get("identity")
    }
    identities.update({i: scenario_hash(s) for i, s in scenarios.items()})
    for i in sorted(identities):
        digest = identities[i]
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
