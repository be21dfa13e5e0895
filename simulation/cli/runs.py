"""The commands that simulate: ``run``, ``compare`` and ``trial``."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from simulation.cli.options import (
    DRAWS_OPTION,
    SAMPLE_OPTION,
    SET_OPTION,
    progress_bar,
    read_sample,
    simulation_options,
    user_errors,
)
from simulation.config.errors import InputError
from simulation.config.loading import load_scenario

__all__ = ["compare", "run", "trial"]


OVERWRITE_OPTION = click.option(
    "--overwrite",
    is_flag=True,
    help="Replace what --out holds even if it is not an earlier run of the same thing.",
)


@click.command()
@click.argument("trial_file", metavar="TRIAL", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Trial folder.")
@OVERWRITE_OPTION
@DRAWS_OPTION
@SAMPLE_OPTION
@simulation_options(min_replications=2)
@SET_OPTION
@user_errors
def trial(
    trial_file: Path,
    out: Path | None,
    overwrite: bool,
    draws: int | None,
    sample: Path,
    replications: int | None,
    seed: int | None,
    scale: float | None,
    workers: int,
    no_plots: bool,
    overrides: tuple[str, ...],
) -> None:
    """Run the in-silico randomised trial TRIAL (a TOML file): effects with 90 % intervals.

    Each replication runs the trial's scenario with and without the treatment, with the
    same seed, and compares the treated and the untreated with each other and with
    themselves (see docs/trials.md). --set overrides the trial's base scenario. With
    --draws N the trial is also run N times with parameters drawn from the posterior
    sample (both arms of a replication with the same draw), into <folder>-draws, whose
    uncertainty.md sets the effects over the draws beside those at the point values.
    """
    import numpy as np

    from simulation.analysis.results import atomic_write
    from simulation.config.trial import load_trial
    from simulation.experiments.trials import design_of, run_trial

    posterior = read_sample(draws, sample)
    spec = load_trial(trial_file, overrides)
    weeks = design_of(spec).run_weeks(spec.scenario.weeks)  # a trial's run ends with it
    reps = replications or spec.settings.replications
    click.echo(
        f"{spec.name}: {spec.settings.eligible} eligible, treated shares "
        + ", ".join(f"{a} {v:g}" for a, v in zip(spec.scenario.areas, spec.shares, strict=True))
        + f"; {reps} paired replication(s)",
        err=True,
    )
    with progress_bar(length=2 * reps * weeks, label="simulating weeks", file=sys.stderr) as bar:
        result = run_trial(
            spec,
            out=out,
            replications=replications,
            seed=seed,
            scale=scale,
            workers=workers,
            progress=bar.update,
            plots=not no_plots,
            overwrite=overwrite,
        )
    click.echo((result.folder / "effects.md").read_text())
    click.echo(f"wrote {result.folder}/", err=True)
    if posterior is not None:
        from simulation.analysis.uncertainty import (
            trial_draw_effects,
            trial_uncertainty_markdown,
        )

        folder = result.folder.with_name(result.folder.name + "-draws")
        with progress_bar(
            length=2 * draws * weeks, label="simulating weeks with draws", file=sys.stderr
        ) as bar:
            drawn = run_trial(
                spec,
                out=folder,
                replications=draws,
                seed=seed,
                scale=scale,
                workers=workers,
                progress=bar.update,
                plots=False,
                draws=posterior,
            )
        values = posterior.values[np.arange(draws) % len(posterior)]
        table = trial_draw_effects(result.effects, drawn.replications, values, posterior.keys)
        text = trial_uncertainty_markdown(table)
        with atomic_write(drawn.folder / "uncertainty.md") as file:
            file.write(text)
        table.to_csv(drawn.folder / "uncertainty.csv", index=False)
        click.echo("\nOver the parameter draws:\n")
        click.echo(text)
        click.echo(f"wrote {drawn.folder}/", err=True)


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Run folder (default: results/<scenario>-<hash>).",
)
@OVERWRITE_OPTION
@DRAWS_OPTION
@SAMPLE_OPTION
@simulation_options(min_replications=1)
@SET_OPTION
@user_errors
def run(
    scenario: Path,
    out: Path | None,
    overwrite: bool,
    draws: int | None,
    sample: Path,
    replications: int | None,
    seed: int | None,
    scale: float | None,
    workers: int,
    no_plots: bool,
    overrides: tuple[str, ...],
) -> None:
    """Run SCENARIO (a TOML file) and write a run folder with tables, summary and plots.

    With --draws N the run has N replications, replication i with draw i of the
    posterior sample: its bands carry the parameters' uncertainty as well as the noise.
    """
    from simulation.analysis.results import empty_groups, summary_table
    from simulation.experiments.runner import run_scenario

    posterior = read_sample(draws, sample)
    spec = load_scenario(scenario, overrides)
    if out is not None and out.resolve() in scenario.resolve().parents:
        raise InputError(
            "--out", "", f"{out} holds the scenario {scenario}; expected a folder of its own"
        )
    reps = draws or replications or spec.run.replications
    scale_used = spec.run.scale if scale is None else scale
    click.echo(
        f"{spec.run.name}: {spec.run.start} to {spec.run.end} ({spec.weeks} weeks), "
        f"{reps} replication(s), scale {scale_used:g}",
        err=True,
    )
    with progress_bar(length=reps * spec.weeks, label="simulating weeks", file=sys.stderr) as bar:
        result = run_scenario(
            spec,
            replications=reps,
            seed=seed,
            scale=scale,
            out=out,
            workers=workers,
            progress=bar.update,
            plots=not no_plots,
            source={"file": str(scenario), "overrides": list(overrides)},
            overwrite=overwrite,
            draws=posterior,
        )
    click.echo(summary_table(result.summary))
    for group in empty_groups(result.summary):
        click.echo(f"warning: the group {group} has nobody in it by the end of the run", err=True)
    click.echo(f"\nwrote {result.folder}/", err=True)


@click.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--out", type=click.Path(path_type=Path), help="Comparison folder.")
@click.option(
    "--common-weeks",
    is_flag=True,
    help="Compare runs of different horizons over the weeks they share (costs too).",
)
@click.option(
    "--from",
    "since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Read the employment rates 12, 24 and 36 months after this date (YYYY-MM-DD), "
    "e.g. a reform's first day.",
)
@click.option(
    "--discount-rate",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    show_default=True,
    help="Yearly rate at which the totals of yearly.md discount later years' costs and "
    "employment years to the first year shown, e.g. 0.03.",
)
@OVERWRITE_OPTION
@DRAWS_OPTION
@SAMPLE_OPTION
@simulation_options(min_replications=2)
@SET_OPTION
@user_errors
def compare(
    sources: tuple[str, ...],
    out: Path | None,
    common_weeks: bool,
    since: dt.datetime | None,
    replications: int | None,
    seed: int | None,
    scale: float | None,
    workers: int,
    no_plots: bool,
    overrides: tuple[str, ...],
    draws: int | None,
    sample: Path,
    overwrite: bool,
    discount_rate: float,
) -> None:
    """Compare scenarios with the first: paired differences with 90 % intervals.

    Each SOURCE is a scenario file (run here with the same seed, replications and scale
    as the others, so replications are paired) or a finished run folder. A source may
    carry a label and overrides of its own, in quotes:

        "caseload 70: scenarios/municipal_pilot.toml city.caseload=70"

    (--set applies to every scenario file.) With --draws N every scenario is also run N
    times with parameters drawn from the posterior sample, the same draw in every arm,
    and uncertainty.md sets the effects over the draws beside those at the point values.
    """
    from simulation.analysis.compare import effects_markdown
    from simulation.experiments.comparison import compare as run_comparison
    from simulation.experiments.comparison import parse_arm

    if len(sources) < 2:
        raise click.UsageError("give at least two scenarios or run folders")
    posterior = read_sample(draws, sample)
    arms = [parse_arm(source) for source in sources]
    files = [a for a in arms if not a.path.is_dir()]
    specs = [load_scenario(a.path, [*overrides, *a.overrides]) for a in files]
    weeks = sum(spec.weeks for spec in specs)
    reps = replications or (specs[0].run.replications if specs else 0)
    with progress_bar(
        length=max(weeks * (reps + (draws or 0)), 1), label="simulating weeks", file=sys.stderr
    ) as bar:
        result = run_comparison(
            arms,
            out=out,
            replications=replications,
            seed=seed,
            scale=scale,
            workers=workers,
            overrides=overrides,
            progress=bar.update,
            plots=not no_plots,
            common_weeks=common_weeks,
            since=since.date() if since else None,
            draws=posterior,
            draw_count=draws or 0,
            overwrite=overwrite,
            discount_rate=discount_rate,
        )
    measure = result.effects["measure"]
    headline = result.effects[
        measure.str.startswith("employment_rate")
        | measure.isin(["employment_years", "state_cost_eur", "municipal_cost_eur"])
        | measure.str.contains("per_extra")
    ]
    for note in result.notes:
        click.echo(f"warning: {note}", err=True)
    click.echo(
        effects_markdown(type(result)(result.arms, headline, result.paired, since=result.since))
    )
    if result.uncertainty is not None:
        from simulation.analysis.uncertainty import uncertainty_markdown

        click.echo("\nOver the parameter draws (uncertainty.md):\n")
        click.echo(uncertainty_markdown(result.uncertainty))
    click.echo(f"wrote {result.folder}/", err=True)
