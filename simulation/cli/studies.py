"""The commands of studies: ``sweep``, ``analyze``, ``fit-report``, ``calibrate``, ``sample``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from simulation.cli.options import (
    FINITE_SCALE,
    MAX_REPLICATIONS,
    SET_OPTION,
    progress_bar,
    running_total,
    user_errors,
    workers_option,
)
from simulation.config.loading import load_scenario

__all__ = ["analyze", "calibrate", "fit_report", "robustness", "sample", "sweep"]


@click.command()
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
@user_errors
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
    with progress_bar(
        length=total,
        label="runs",
        file=sys.stderr,
        show_pos=True,
        item_show_func=lambda c: f"failed {c.get('failed', 0)}" if c else None,
    ) as bar:
        advance = running_total(bar)

        def progress(counts: dict[str, int]) -> None:
            advance(counts.get("done", 0) + counts.get("failed", 0), counts)

        result = run_sweep(spec, out=out, workers=workers, scheduler=scheduler, progress=progress)
    click.echo(
        f"{result.done} of {result.total} runs done, {result.failed} failed; "
        f"results in {result.folder}/runs.parquet",
        err=True,
    )
    if result.interrupted:
        click.echo("interrupted: run the same command again to resume", err=True)
        sys.exit(130)


@click.command()
@click.argument("sweep_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--output", help="Outcome to analyse (default: employment_rate_24m_all, or y).")
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seed of the bootstrap.",
)
@user_errors
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


@click.command("fit-report")
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
@SET_OPTION
@click.option("--experiments", is_flag=True, help="Also run the targets' experiments as trials.")
@user_errors
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
    shown = report[["statistic", "observed", "simulated", "error", "tolerance", "within"]]
    click.echo(shown.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    click.echo(f"{int(report['within'].sum())} of {len(report)} targets within tolerance", err=True)


@click.command()
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
@workers_option("Processes each evaluation's runs are spread over (the fit does not depend on it).")
@user_errors
def calibrate(
    targets_file: Path,
    out: Path | None,
    budget: int,
    seed: int,
    start: Path | None,
    local: bool,
    quick: bool,
    experiments: bool,
    workers: int,
) -> None:
    """Fit the free parameters of TARGETS_FILE by the method of simulated moments.

    Re-running the same command resumes: evaluations already made are read back. A full
    calibration also writes its values to fitted/<TARGETS name>.toml next to
    TARGETS_FILE, the file the shipped scenarios extend.
    """
    from simulation.experiments.calibrate import calibrate as run_calibration
    from simulation.experiments.calibrate import preset, ship_fit, start_values
    from simulation.experiments.targets import fit_report, load_targets

    targets = load_targets(targets_file)
    if not targets.free:
        raise click.UsageError(f"{targets_file} declares no [[free]] parameters")
    if local and start is None:
        raise click.UsageError("--local refines a fit: give it with --start")
    scenario_path = targets_file.parent / targets.meta.scenario
    spec = load_scenario(scenario_path)
    budget, replications, scale = preset(quick, budget)
    out = out or Path("results") / f"calibration-{targets_file.stem}{'-quick' if quick else ''}"
    with progress_bar(
        length=budget + 1 if local else budget + budget // 5,
        label="evaluations",
        file=sys.stderr,
        item_show_func=lambda v: f"best {v:.2f}" if v is not None else None,
    ) as bar:
        result = run_calibration(
            spec,
            targets,
            out=out,
            budget=budget,
            seed=seed,
            replications=replications,
            scale=scale,
            start=start_values(start) if start else None,
            local=local,
            progress=running_total(bar),
            experiments=experiments,
            workers=workers,
        )
    if not quick:
        click.echo(f"fitted values written to {ship_fit(targets_file, out)}", err=True)
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


@click.command()
@click.argument("targets_file", type=click.Path(path_type=Path))
@click.option(
    "--out", type=click.Path(path_type=Path), help="Folder (default: results/sample-<name>)."
)
@click.option(
    "--points",
    type=click.IntRange(min=10),
    default=120,
    show_default=True,
    help="Design points: model evaluations, each the register and the experiments.",
)
@click.option(
    "--draws", type=click.IntRange(min=2), default=200, show_default=True, help="Draws kept."
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--workers",
    "-w",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="the cores",
    help="Local processes (one design point each).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=10),
    help="Evaluate at most this many design points now; the emulator uses those done "
    "(a later run with a higher limit goes on with the same design).",
)
@click.option(
    "--check",
    type=click.IntRange(min=0),
    default=0,
    help="Then run the model at this many draws and write coverage.md: each target's "
    "observed value against the draws' range.",
)
@click.option("--no-experiments", is_flag=True, help="Hold the sample to the register only.")
@click.option(
    "--ship",
    is_flag=True,
    help="Also copy the sample to fitted/<TARGETS name>.toml beside TARGETS_FILE (the "
    "sample --draws reads by default).",
)
@user_errors
def sample(
    targets_file: Path,
    out: Path | None,
    points: int,
    draws: int,
    seed: int,
    workers: int,
    limit: int | None,
    check: int,
    no_experiments: bool,
    ship: bool,
) -> None:
    """Draw parameter sets consistent with TARGETS_FILE: a posterior sample.

    The model runs at a design over the ranges of the [[free]] parameters and the
    [[assumption]] ranges; an emulator rules out the values that cannot match the
    targets and experiments within their tolerances (history matching), and the draws
    come from the rest. Re-running resumes the design where it stopped.
    """
    from simulation.experiments.calibrate import FULL_REPLICATIONS, FULL_SCALE
    from simulation.experiments.posterior import make_sample, uncertain_parameters
    from simulation.experiments.targets import load_targets

    targets = load_targets(targets_file)
    if not uncertain_parameters(targets):
        raise click.UsageError(f"{targets_file} declares no [[free]] or [[assumption]] ranges")
    scenario_path = targets_file.parent / targets.meta.scenario
    load_scenario(scenario_path)  # a bad scenario is reported before any work
    out = out or Path("results") / f"sample-{targets_file.stem}"
    with progress_bar(length=limit or points, label="design points", file=sys.stderr) as bar:
        progress = running_total(bar)

        result, match = make_sample(
            targets,
            scenario_path,
            out=out,
            points=points,
            draws=draws,
            seed=seed,
            replications=FULL_REPLICATIONS,
            scale=FULL_SCALE,
            workers=workers,
            experiments=not no_experiments,
            provenance={
                "targets": targets_file.as_posix(),
                "command": " ".join(["simulate", "sample", *sys.argv[2:]]),
            },
            progress=progress,
            limit=limit,
        )
    click.echo(
        f"{match.share:.2%} of the candidates are not implausible; "
        f"{len(result)} draws in {out}/sample.toml",
        err=True,
    )
    for key, (median, p5, p95) in result.ranges().items():
        click.echo(f"{key} = {median:.4g} (90 % of draws {p5:.4g} .. {p95:.4g})")
    if check:
        from simulation.analysis.results import atomic_write
        from simulation.experiments.posterior import check_sample, coverage_markdown

        with progress_bar(length=check, label="checking draws", file=sys.stderr) as bar:
            checked = running_total(bar)

            rows = check_sample(
                result,
                targets,
                scenario_path,
                draws=check,
                seed=seed,
                replications=FULL_REPLICATIONS,
                scale=FULL_SCALE,
                workers=workers,
                experiments=not no_experiments,
                progress=checked,
            )
        text = coverage_markdown(rows)
        with atomic_write(out / "coverage.md") as file:
            file.write(text)
        click.echo("\n" + text)
    if ship:
        shipped = targets_file.parent / "fitted" / f"{targets_file.stem}.toml"
        shipped.write_text((out / "sample.toml").read_text())
        click.echo(f"sample copied to {shipped}", err=True)


@click.command()
@click.argument("sweep_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--output",
    default="employment_years",
    show_default=True,
    help="The output compared (a column of runs.csv).",
)
@click.option("--reference", help="The reference arm's label (default: the first arm).")
@click.option("--lower-is-better", is_flag=True, help="A lower output is better (e.g. a cost).")
@user_errors
def robustness(sweep_dir: Path, output: str, reference: str | None, lower_is_better: bool) -> None:
    """Robustness of a policy x assumption sweep: effects over the draws, and PRIM.

    For each arm against the reference: the median effect, its 10th percentile and the
    share of draws in which the arm does better; then scenario discovery (PRIM) of the
    draws in which it does worse: the ranges of the assumptions under which the ranking
    flips. Writes robustness.md, robustness.csv and discovery_<arm>.png in SWEEP_DIR.
    """
    import json

    import pandas as pd

    from simulation.analysis.results import atomic_write
    from simulation.analysis.robustness import (
        discover,
        paired_by_draw,
        plot_discovery,
    )
    from simulation.analysis.robustness import robustness as summarise

    meta_path = sweep_dir / "sweep.json"
    if not meta_path.is_file():
        raise click.UsageError(f"{sweep_dir} is not a sweep folder (no sweep.json)")
    meta = json.loads(meta_path.read_text())
    labels = meta.get("arms") or []
    if meta.get("method") != "policy_x_assumption" or len(labels) < 2:
        raise click.UsageError(f"{sweep_dir} is not a policy x assumption sweep ([[arm]])")
    runs = pd.read_parquet(sweep_dir / "runs.parquet")
    reference = reference or labels[0]
    effects, parameters = paired_by_draw(runs, output, labels, reference)
    table = summarise(effects, lower_is_better)
    lines = [
        f"# {output}: each arm against {reference}, over {len(effects)} parameter draws",
        "",
        "| arm | median effect | 10th percentile | 90th percentile | draws in which it "
        "does better |",
        "|---|---|---|---|---|",
    ]

    def number(value: float) -> str:
        if output.endswith("_eur"):
            return f"{value / 1e6:+,.1f} M EUR"
        return f"{value:+,.4g}" if abs(value) < 1000 else f"{value:+,.0f}"

    for row in table.itertuples(index=False):
        lines.append(
            f"| {row.arm} | {number(row.median)} | {number(row.p10)} | {number(row.p90)} | "
            f"{row.share_better:.0%} of {row.draws} |"
        )
    lines += ["", "## Where the ranking flips (PRIM)", ""]
    for arm in effects.columns:
        d = effects[arm].to_numpy(dtype=float)
        worse = d > 0 if lower_is_better else d < 0
        found = discover(parameters, worse)
        name = "".join(c if c.isalnum() else "_" for c in arm)
        plot = plot_discovery(
            parameters,
            worse,
            found,
            sweep_dir / f"discovery_{name}.png",
            f"{arm} does worse than {reference} on {output}",
        )
        if not found.limits:
            lines.append(
                f"- {arm}: does worse in {found.cases} of {found.draws} draws; no box "
                "(none or all of them)"
            )
            continue
        ranges = "; ".join(f"{k} {lo:.4g} .. {hi:.4g}" for k, (lo, hi) in found.limits.items())
        lines.append(
            f"- {arm} does worse than {reference} in {found.cases} of {found.draws} draws; "
            f"{found.coverage:.0%} of them lie in the box {ranges}, where "
            f"{found.density:.0%} of the draws are such cases" + (f" ({plot.name})" if plot else "")
        )
    text = "\n".join(lines) + "\n"
    with atomic_write(sweep_dir / "robustness.md") as file:
        file.write(text)
    with atomic_write(sweep_dir / "robustness.csv") as file:
        table.to_csv(file, index=False, lineterminator="\n")
    click.echo(text)
