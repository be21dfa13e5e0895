"""The ``simulate`` command: a thin layer over the library.

Every command maps to library functions that work the same from Python; this module
only parses options, shows progress and turns bad input into a one-line error with
exit status 2. Each command imports what it uses when it runs, so that ``simulate
--help`` and a mistyped option answer at once instead of loading the model, numba and
matplotlib first. (The CLI is the top layer: nothing imports it, so these imports
cannot hide a cycle; ``lint-imports`` sees them too.)
"""

from __future__ import annotations

import sys
from typing import Any

import click

from simulation.cli.runs import compare, run, trial
from simulation.cli.scenarios import check, params, show
from simulation.cli.studies import analyze, calibrate, fit_report, robustness, sample, sweep

__all__ = ["main"]


class Simulate(click.Group):
    """The command group; a usage error is one line, as every other bad input is."""

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; click's usage errors become one ``error:`` line, exit 2."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as error:
            click.echo(error.ctx.get_help() if error.ctx else str(error))
            sys.exit(0)
        except click.UsageError as error:
            where = error.ctx.command_path if error.ctx else "simulate"
            click.echo(f"error: {where}: {error.format_message()} (see {where} --help)", err=True)
            sys.exit(2)
        except click.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=Simulate, context_settings={"help_option_names": ["-h", "--help"]})
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
