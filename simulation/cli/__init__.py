"""The ``simulate`` command: a thin layer over the library.

Every command maps to library functions that work the same from Python; this module
only parses options, shows progress and turns bad input into a one-line error with
exit status 2. Each command imports what it uses when it runs, so that ``simulate
--help`` and a mistyped option answer at once instead of loading the model, numba and
matplotlib first. (The CLI is the top layer: nothing imports it, so these imports
cannot hide a cycle; ``lint-imports`` sees them too.)
"""

from __future__ import annotations

import click

from simulation.cli.runs import compare, run, trial
from simulation.cli.scenarios import check, params, show
from simulation.cli.studies import analyze, calibrate, fit_report, robustness, sample, sweep

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="employment-services-simulation")
def main() -> None:
    """Simulate Finnish employment services: TE offices, cities and the municipal pilots."""


for _command in (
    trial,
    run,
    compare,
    show,
    check,
    sweep,
    analyze,
    robustness,
    fit_report,
    calibrate,
    sample,
    params,
):
    main.add_command(_command)


if __name__ == "__main__":
    main()
