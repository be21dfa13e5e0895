"""The commands that read a scenario without simulating it: ``show``, ``check``, ``params``."""

from __future__ import annotations

from pathlib import Path

import click

from simulation.cli.options import (
    DEFAULT_SAMPLE,
    SET_OPTION,
    user_errors,
)
from simulation.config.loading import load_scenario
from simulation.config.scenario import Scenario

__all__ = ["check", "params", "show"]


def sample_ranges(path: Path = DEFAULT_SAMPLE) -> dict[str, tuple[float, float, float]]:
    """The shipped posterior sample's median and 90 % range by key (none if absent)."""
    if not path.is_file():
        return {}
    from simulation.experiments.posterior import load_sample

    return load_sample(path).ranges()


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@SET_OPTION
@user_errors
def show(scenario: Path, overrides: tuple[str, ...]) -> None:
    """Every resolved value of SCENARIO with where it comes from, and what it implies.

    Sources: a file of the extends chain (the fitted parameters among them), --set, or
    the default. Then the staffing, service places and target group at the start.
    """
    from simulation.config.loading import provenance
    from simulation.experiments.runner import starting_point

    spec = load_scenario(scenario, overrides)
    rows = provenance(spec, scenario, overrides)
    ranges = sample_ranges()
    width = max(len(key) for key, _, _ in rows)
    for key, value, origin in rows:
        if key in ranges:
            median, low, high = ranges[key]
            origin += f"; posterior draws {median:.4g} ({low:.4g} .. {high:.4g})"
        click.echo(f"{key.ljust(width)} = {value!r:<24} # {origin}")
    start = starting_point(spec)
    click.echo("\nat the start (weighted to real numbers):")
    _print_staffing(start)
    for area, share in start["target_group"]:
        click.echo(f"  {area}: {share:.0%} of the unemployed in the pilots' target group")
    _print_changes(spec)


def _print_changes(spec: Scenario) -> None:
    """The staffing, caseloads and places in force after each dated change."""
    from simulation.experiments.runner import after_changes

    for change in after_changes(spec):
        click.echo(f"\nafter {change['date']} ({change['label'] or 'change'}):")
        _print_staffing(change)


def _print_staffing(state: dict) -> None:
    """Organisers' caseworkers, clients and caseloads, and the places, one a line."""
    for _area, organiser, caseworkers, clients in state["organisers"]:
        caseload = clients / caseworkers if caseworkers else float("nan")
        click.echo(
            f"  {organiser}: {caseworkers:,.0f} caseworkers, {clients:,.0f} clients "
            f"(caseload {caseload:.0f})"
        )
    for area, service, places in state["services"]:
        click.echo(f"  {area} {service}: {places:,.0f} places")


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@SET_OPTION
@user_errors
def check(scenario: Path, overrides: tuple[str, ...]) -> None:
    """Validate SCENARIO and describe what it would simulate."""
    spec = load_scenario(scenario, overrides)
    click.echo(_describe(spec))
    _print_changes(spec)


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


@click.command()
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
@user_errors
def params(style: str, update: Path | None) -> None:
    """Print every scenario parameter with its default, unit and source."""
    from simulation.config.reference import parameter_table, update_parameter_table

    ranges = sample_ranges()
    if update is None:
        click.echo(parameter_table(style, ranges))
        return
    update_parameter_table(update, style, ranges)
    click.echo(f"updated {update}", err=True)
