"""The ``simulate`` command: a thin layer over the library.

Every command maps to library functions that work the same from Python; this module
only parses options, shows progress and turns bad input into a one-line error with
exit status 2. Each command imports what it uses when it runs, so that ``simulate
--help`` and a mistyped option answer at once instead of loading the model, numba and
matplotlib first. (The CLI is the top layer: nothing imports it, so these imports
cannot hide a cycle; ``lint-imports`` sees them too.)
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from simulation.config.errors import InputError
from simulation.config.loading import load_scenario, read_toml
from simulation.config.parameters import parameter_rows
from simulation.config.scenario import Scenario

__all__ = ["main"]


def _user_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Report input and file problems as one line on stderr, exit status 2 (130 on Ctrl-C)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except InputError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(2)
        except OSError as error:  # a missing folder, no permission, a full disk
            click.echo(f"error: {error}", err=True)
            sys.exit(2)
        except sqlite3.Error as error:  # a sweep ledger on a full or failing disk
            click.echo(f"error: sweep ledger: {error}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("\ninterrupted: nothing was written in place of earlier results", err=True)
            sys.exit(130)
        except SystemError as error:
            # Ctrl-C inside a compiled pass surfaces as a SystemError chained to it.
            if isinstance(error.__context__, KeyboardInterrupt):
                click.echo(
                    "\ninterrupted: nothing was written in place of earlier results", err=True
                )
                sys.exit(130)
            raise

    return wrapper


class _LogProgress:
    """Progress as plain lines, every tenth of the way: for logs, pipes and notebooks."""

    def __init__(
        self,
        length: int,
        label: str,
        item_show_func: Callable[[Any], str | None] | None = None,
        **_: Any,
    ) -> None:
        self.length, self.label, self.show = max(length, 1), label, item_show_func
        self.done, self.reported = 0, 0

    def __enter__(self) -> _LogProgress:
        click.echo(f"{self.label}: 0 of {self.length}", err=True)
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None and self.reported < 10:
            click.echo(f"{self.label}: {self.done} of {self.length} (100 %)", err=True)

    def update(self, steps: int, item: Any = None) -> None:
        """Count ``steps`` more; print a line when another tenth is done."""
        self.done = min(self.done + steps, self.length)
        tenth = 10 * self.done // self.length
        if tenth > self.reported:
            self.reported = tenth
            extra = self.show(item) if self.show else None
            click.echo(
                f"{self.label}: {self.done} of {self.length} ({10 * tenth} %)"
                + (f", {extra}" if extra else ""),
                err=True,
            )


def _progress(length: int, label: str, **options: Any) -> Any:
    """A progress bar on a terminal; plain lines every tenth of the way elsewhere."""
    if sys.stderr.isatty():
        return click.progressbar(length=length, label=label, **options)
    return _LogProgress(length, label, **options)


#: More replications than this are a typing error, not a study (and would fill memory).
MAX_REPLICATIONS = 10_000


class _FiniteScale(click.FloatRange):
    """A scale in (0, 1]: a finite number from 0.0001 to 1."""

    def convert(self, value: Any, param: Any, ctx: Any) -> float:
        number = super().convert(value, param, ctx)
        if number != number:  # NaN passes every range check
            self.fail(f"{value!r} is not a number from 0.0001 to 1", param, ctx)
        return number


FINITE_SCALE = _FiniteScale(min=1e-4, max=1.0)


def _cap_workers(ctx: click.Context, param: click.Parameter, value: int) -> int:
    """Say so when more processes are asked for than the machine has cores."""
    cores = os.cpu_count() or 1
    if value > cores:
        click.echo(f"note: {value} workers asked for, {cores} cores: using {cores}", err=True)
        return cores
    return value


def _simulation_options(min_replications: int) -> Callable[[Callable], Callable]:
    """Options shared by the commands that simulate: replications, seed, scale, workers."""
    options = [
        click.option(
            "--replications",
            "-r",
            type=click.IntRange(min=min_replications, max=MAX_REPLICATIONS),
            help="Replications of each scenario (default: the scenario's).",
        ),
        click.option(
            "--seed", type=click.IntRange(min=0), help="Root seed (default: the scenario's)."
        ),
        click.option(
            "--scale",
            type=FINITE_SCALE,
            help="Simulated people per real person, e.g. 0.1.",
        ),
        click.option(
            "--workers",
            "-w",
            type=click.IntRange(min=1),
            default=1,
            show_default=True,
            callback=_cap_workers,
            help="Processes (at most the machine's cores).",
        ),
        click.option("--no-plots", is_flag=True, help="Skip the PNG plots."),
    ]

    def decorate(command: Callable) -> Callable:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


_SET = click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a scenario value, e.g. --set city.caseload=70 (repeatable).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="employment-services-simulation")
def main() -> None:
    """Simulate Finnish employment services: TE offices, cities and the municipal pilots."""


@main.command()
@click.argument("trial_file", metavar="TRIAL", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), help="Trial folder.")
@_simulation_options(min_replications=2)
@_SET
@_user_errors
def trial(
    trial_file: Path,
    out: Path | None,
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
    themselves (see docs/trials.md). --set overrides the trial's base scenario.
    """
    from simulation.config.trial import load_trial
    from simulation.experiments.trials import run_trial

    spec = load_trial(trial_file, overrides)
    reps = replications or spec.settings.replications
    click.echo(
        f"{spec.name}: {spec.settings.eligible} eligible, treated shares "
        + ", ".join(f"{a} {v:g}" for a, v in zip(spec.scenario.areas, spec.shares, strict=True))
        + f"; {reps} paired replication(s)",
        err=True,
    )
    with _progress(
        length=2 * reps * spec.scenario.weeks, label="simulating weeks", file=sys.stderr
    ) as bar:
        result = run_trial(
            spec,
            out=out,
            replications=replications,
            seed=seed,
            scale=scale,
            workers=workers,
            progress=bar.update,
            plots=not no_plots,
        )
    click.echo((result.folder / "effects.md").read_text())
    click.echo(f"wrote {result.folder}/", err=True)


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Run folder (default: results/<scenario>-<hash>).",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace what --out holds even if it is not an earlier run of the same thing.",
)
@_simulation_options(min_replications=1)
@_SET
@_user_errors
def run(
    scenario: Path,
    out: Path | None,
    overwrite: bool,
    replications: int | None,
    seed: int | None,
    scale: float | None,
    workers: int,
    no_plots: bool,
    overrides: tuple[str, ...],
) -> None:
    """Run SCENARIO (a TOML file) and write a run folder with tables, summary and plots."""
    from simulation.analysis.results import summary_table
    from simulation.experiments.runner import run_scenario
    from simulation.experiments.seeds import check_runnable

    spec = load_scenario(scenario, overrides)
    reps = replications or spec.run.replications
    scale_used = spec.run.scale if scale is None else scale
    check_runnable(spec, scale_used)
    click.echo(
        f"{spec.run.name}: {spec.run.start} to {spec.run.end} ({spec.weeks} weeks), "
        f"{reps} replication(s), scale {scale_used:g}",
        err=True,
    )
    with _progress(length=reps * spec.weeks, label="simulating weeks", file=sys.stderr) as bar:
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
        )
    click.echo(summary_table(result.summary))
    click.echo(f"\nwrote {result.folder}/", err=True)


@main.command()
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
@_simulation_options(min_replications=2)
@_SET
@_user_errors
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
) -> None:
    """Compare scenarios with the first: paired differences with 90 % intervals.

    Each SOURCE is a scenario file (run here with the same seed, replications and scale
    as the others, so replications are paired) or a finished run folder. A source may
    carry a label and overrides of its own, in quotes:

        "caseload 70: scenarios/municipal_pilot.toml city.caseload=70"

    (--set applies to every scenario file.)
    """
    from simulation.analysis.compare import effects_markdown
    from simulation.experiments.comparison import compare as run_comparison
    from simulation.experiments.comparison import parse_arm

    if len(sources) < 2:
        raise click.UsageError("give at least two scenarios or run folders")
    arms = [parse_arm(source) for source in sources]
    files = [a for a in arms if not a.path.is_dir()]
    specs = [load_scenario(a.path, [*overrides, *a.overrides]) for a in files]
    weeks = sum(spec.weeks for spec in specs)
    reps = replications or (specs[0].run.replications if specs else 0)
    with _progress(length=max(weeks * reps, 1), label="simulating weeks", file=sys.stderr) as bar:
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
        )
    headline = result.effects[
        result.effects["measure"].str.startswith("employment_rate")
        | result.effects["measure"].str.contains("per_extra")
    ]
    for note in result.notes:
        click.echo(f"warning: {note}", err=True)
    click.echo(
        effects_markdown(type(result)(result.arms, headline, result.paired, since=result.since))
    )
    click.echo(f"wrote {result.folder}/", err=True)


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@_SET
@_user_errors
def show(scenario: Path, overrides: tuple[str, ...]) -> None:
    """Every resolved value of SCENARIO with where it comes from, and what it implies.

    Sources: a file of the extends chain (the fitted parameters among them), --set, or
    the default. Then the staffing, service places and target group at the start.
    """
    from simulation.config.loading import scenario_sources, scenario_to_dict
    from simulation.experiments.runner import starting_point

    spec = load_scenario(scenario, overrides)
    sources = scenario_sources(scenario, overrides)
    values = _flatten(scenario_to_dict(spec))
    width = max(len(k) for k in values)
    for key, value in values.items():
        origin = sources.get(key)
        if origin is None and key.startswith("city.") and sources.get(f"te_office.{key[5:]}"):
            origin = "follows te_office"
        origin = _short_path(origin) if origin else "default"
        click.echo(f"{key.ljust(width)} = {value!r:<24} # {origin}")
    start = starting_point(spec)
    click.echo("\nat the start (weighted to real numbers):")
    for _area, organiser, caseworkers, clients in start["organisers"]:
        caseload = clients / caseworkers if caseworkers else float("nan")
        click.echo(
            f"  {organiser}: {caseworkers:,.0f} caseworkers, {clients:,.0f} clients "
            f"(caseload {caseload:.0f})"
        )
    for area, service, places in start["services"]:
        click.echo(f"  {area} {service}: {places:,.0f} places")
    for area, share in start["target_group"]:
        click.echo(f"  {area}: {share:.0%} of the unemployed in the pilots' target group")


def _short_path(origin: str) -> str:
    """A source file relative to the working folder when it is below it."""
    try:
        return str(Path(origin).relative_to(Path.cwd()))
    except ValueError:
        return origin


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@_SET
@_user_errors
def check(scenario: Path, overrides: tuple[str, ...]) -> None:
    """Validate SCENARIO and describe what it would simulate."""
    spec = load_scenario(scenario, overrides)
    click.echo(_describe(spec))


def _describe(spec: Scenario) -> str:
    lines = [
        f"{spec.run.name}: {spec.run.description}".rstrip(": "),
        f"  horizon   {spec.run.start} to {spec.run.end} ({spec.weeks} weeks)",
        f"  pilot     {'from ' + str(spec.pilot_start) if spec.pilot.enabled else 'off'}",
        f"  services  {', '.join(spec.services) or 'none'}",
    ]
    for key, area in spec.areas.items():
        pilot = " (pilot area)" if spec.pilot.enabled and area.pilot else ""
        lines.append(f"  area      {key}: {area.name}, {area.unemployed:,} unemployed{pilot}")
    return "\n".join(lines)


@main.command()
@click.argument("sweep_file", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Sweep folder (default: results/sweep-<name>-<hash>).",
)
@click.option(
    "--workers",
    "-w",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="the cores",
    help="Local processes.",
)
@click.option(
    "--scheduler",
    envvar="SIMULATION_DASK_SCHEDULER",
    metavar="ADDRESS",
    help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (or $SIMULATION_DASK_SCHEDULER).",
)
@click.option("--dry-run", is_flag=True, help="Count the runs and estimate the time from one run.")
@_user_errors
def sweep(
    sweep_file: Path, out: Path | None, workers: int, scheduler: str | None, dry_run: bool
) -> None:
    """Run the parameter sweep in SWEEP_FILE; re-running the same command resumes it."""
    from simulation.experiments.sweep import load_sweep
    from simulation.experiments.sweep_runner import dry_run as estimate
    from simulation.experiments.sweep_runner import run_sweep

    spec = load_sweep(sweep_file)
    total = len(spec.points) * spec.settings.replications
    if dry_run:
        e = estimate(spec, out, workers)
        click.echo(
            f"{e['points']} points x {e['replications']} replications = {e['runs']} runs, "
            f"{e['to_do']} to do; one run took {e['seconds_per_run']:.2f} s, so about "
            f"{e['estimate_seconds'] / 60:.1f} min on {workers} worker(s)"
        )
        return
    with _progress(
        length=total,
        label="runs",
        file=sys.stderr,
        show_pos=True,
        item_show_func=lambda c: f"failed {c.get('failed', 0)}" if c else None,
    ) as bar:
        seen = [0]

        def progress(counts: dict[str, int]) -> None:
            finished = counts.get("done", 0) + counts.get("failed", 0)
            bar.update(finished - seen[0], counts)
            seen[0] = finished

        result = run_sweep(spec, out=out, workers=workers, scheduler=scheduler, progress=progress)
    click.echo(
        f"{result.done} of {result.total} runs done, {result.failed} failed; "
        f"results in {result.folder}/runs.parquet",
        err=True,
    )
    if result.interrupted:
        click.echo("interrupted: run the same command again to resume", err=True)
        sys.exit(130)


@main.command()
@click.argument("sweep_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--output", help="Outcome to analyse (default: employment_rate_24m_all, or y).")
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seed of the bootstrap.",
)
@_user_errors
def analyze(sweep_dir: Path, output: str | None, seed: int) -> None:
    """Sensitivity indices and plots of a finished sweep in SWEEP_DIR."""
    from simulation.analysis.sensitivity import analyze as run_analysis

    analysis = run_analysis(sweep_dir, output, seed=seed)
    for warning in analysis.warnings:
        click.echo(f"warning: {warning}", err=True)
    if analysis.indices is not None:
        click.echo(analysis.indices.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    else:
        click.echo(f"{analysis.method} design: no indices; plots written to {sweep_dir}/")


@main.command("fit-report")
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option(
    "--targets",
    "targets_file",
    type=click.Path(path_type=Path),
    default=Path("calibration/targets_finland.toml"),
    show_default=True,
    help="Targets file.",
)
@click.option(
    "--replications",
    "-r",
    type=click.IntRange(min=1, max=MAX_REPLICATIONS),
    default=2,
    show_default=True,
)
@click.option("--seed", type=click.IntRange(min=0), help="Root seed (default: the scenario's).")
@click.option("--scale", type=FINITE_SCALE, help="Scale, e.g. 0.2.")
@click.option("--out", type=click.Path(path_type=Path), help="Folder for the report files.")
@_SET
@click.option("--experiments", is_flag=True, help="Also run the targets' experiments as trials.")
@_user_errors
def fit_report(
    scenario: Path,
    targets_file: Path,
    replications: int,
    seed: int | None,
    scale: float | None,
    out: Path | None,
    experiments: bool,
    overrides: tuple[str, ...],
) -> None:
    """Compare a scenario's register statistics with the observed targets.

    With --experiments, also run the targets' experiments as in-silico trials (with the
    same overrides) and compare their effects with the published ones.
    """
    from simulation.experiments.targets import fit_report as make_report
    from simulation.experiments.targets import load_targets

    spec = load_scenario(scenario, overrides)
    targets = load_targets(targets_file)
    report = make_report(
        spec, targets, replications=replications, seed=seed, scale=scale, out=out,
        experiments=experiments, overrides=overrides,
    )  # fmt: skip
    shown = report[["statistic", "observed", "simulated", "error", "within"]]
    click.echo(shown.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    click.echo(f"{int(report['within'].sum())} of {len(report)} targets within tolerance", err=True)


@main.command()
@click.argument("targets_file", type=click.Path(path_type=Path))
@click.option(
    "--out", type=click.Path(path_type=Path), help="Folder (default: results/calibration-<name>)."
)
@click.option(
    "--budget",
    type=click.IntRange(min=10),
    default=1200,
    show_default=True,
    help="Evaluations of the global search (the polish adds a fifth).",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--start",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A fitted TOML whose values seed the search (e.g. the previous fit).",
)
@click.option(
    "--local",
    is_flag=True,
    help="Only the local search from --start, with the whole budget (refine a fit).",
)
@click.option("--quick", is_flag=True, help="A small, fast calibration (about a minute).")
@click.option(
    "--experiments",
    is_flag=True,
    help="Fit the targets' experiments too, each run as its trial (much slower).",
)
@_user_errors
def calibrate(
    targets_file: Path,
    out: Path | None,
    budget: int,
    seed: int,
    start: Path | None,
    local: bool,
    quick: bool,
    experiments: bool,
) -> None:
    """Fit the free parameters of TARGETS_FILE by the method of simulated moments.

    Re-running the same command resumes: evaluations already made are read back. A full
    calibration also writes its values to fitted/<TARGETS name>.toml next to
    TARGETS_FILE, the file the shipped scenarios extend.
    """
    from simulation.analysis.results import atomic_write
    from simulation.experiments.calibrate import calibrate as run_calibration
    from simulation.experiments.targets import fit_report, load_targets

    targets = load_targets(targets_file)
    if not targets.free:
        raise click.UsageError(f"{targets_file} declares no [[free]] parameters")
    if local and start is None:
        raise click.UsageError("--local refines a fit: give it with --start")
    scenario_path = targets_file.parent / targets.meta.scenario
    spec = load_scenario(scenario_path)
    budget, replications, scale = (24, 1, 0.03) if quick else (budget, 2, 0.05)
    out = out or Path("results") / f"calibration-{targets_file.stem}{'-quick' if quick else ''}"
    with _progress(
        length=budget + 1 if local else budget + budget // 5,
        label="evaluations",
        file=sys.stderr,
        item_show_func=lambda v: f"best {v:.2f}" if v is not None else None,
    ) as bar:
        done = [0]

        def progress(evaluations: int, best: float) -> None:
            bar.update(evaluations - done[0], best)
            done[0] = evaluations

        result = run_calibration(
            spec,
            targets,
            out=out,
            budget=budget,
            seed=seed,
            replications=replications,
            scale=scale,
            start=_start_values(start) if start else None,
            local=local,
            progress=progress,
            experiments=experiments,
        )
    if not quick:
        shipped = targets_file.parent / "fitted" / f"{targets_file.stem}.toml"
        shipped.parent.mkdir(exist_ok=True)
        with atomic_write(shipped) as file:
            file.write((out / "fitted.toml").read_text())
        click.echo(f"fitted values written to {shipped}", err=True)
    for name, value in result.values.items():
        flag = "" if result.identified[name] else "  (not identified by these targets)"
        click.echo(f"{name} = {value:.4g} +/- {result.uncertainty[name]:.2g}{flag}")
    click.echo(
        f"objective {result.objective:.3f} after {result.evaluations} evaluations "
        f"in {result.seconds:.0f} s; fitted values in {out}/fitted.toml",
        err=True,
    )
    fitted = load_scenario(scenario_path, [f"{k}={v!r}" for k, v in result.values.items()])
    report = fit_report(
        fitted, targets, replications=replications, seed=seed + 1000, scale=scale * 2, out=out
    )
    click.echo(
        f"fresh seed: {int(report['within'].sum())} of {len(report)} targets within "
        "tolerance (fit_report.md)",
        err=True,
    )


def _start_values(path: Path) -> dict[str, float]:
    """The numbers of a fitted file by key path; anything else is a one-line error."""
    values = _flatten(read_toml(path))
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise InputError(path, key, f"expected a number, got {value!r}")
    return values


def _flatten(tables: dict, prefix: str = "") -> dict[str, float]:
    """Dotted key paths of the numbers in nested tables."""
    flat: dict[str, float] = {}
    for key, value in tables.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


PARAMETERS_START = "<!-- parameters:start -->"
PARAMETERS_END = "<!-- parameters:end -->"


def parameter_table(style: str = "markdown") -> str:
    """The table of every scenario parameter with its default, unit and source."""
    rows = list(parameter_rows(Scenario))
    if style == "tsv":
        lines = ["key\tdefault\tunit\tsource\tmeaning"]
        lines += [
            "\t".join((r["key"], r["default"], r["unit"], r["source"], r["doc"])) for r in rows
        ]
        return "\n".join(lines)
    lines = ["| key | default | unit | source | meaning |", "|---|---|---|---|---|"]
    for r in rows:
        cells = (f"`{r['key']}`", r["default"], r["unit"], r["source"], r["doc"])
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


@main.command()
@click.option(
    "--format",
    "style",
    type=click.Choice(["markdown", "tsv"]),
    default="markdown",
    show_default=True,
)
@click.option(
    "--update",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Rewrite the table between the parameter markers of this Markdown file.",
)
def params(style: str, update: Path | None) -> None:
    """Print every scenario parameter with its default, unit and source."""
    table = parameter_table(style)
    if update is None:
        click.echo(table)
        return
    text = update.read_text()
    if PARAMETERS_START not in text or PARAMETERS_END not in text:
        raise click.UsageError(f"{update} has no {PARAMETERS_START} ... {PARAMETERS_END} block")
    head, rest = text.split(PARAMETERS_START, 1)
    _, tail = rest.split(PARAMETERS_END, 1)
    update.write_text(f"{head}{PARAMETERS_START}\n{table}\n{PARAMETERS_END}{tail}")
    click.echo(f"updated {update}", err=True)


if __name__ == "__main__":
    main()
