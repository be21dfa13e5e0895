"""What every command shares: one-line errors, progress, the simulation options."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from simulation.config.errors import InputError

__all__ = [
    "FINITE_SCALE",
    "MAX_REPLICATIONS",
    "SET_OPTION",
    "progress_bar",
    "simulation_options",
    "user_errors",
]


def _interrupted(error: BaseException) -> bool:
    """Whether an error is, somewhere down its chain, a Ctrl-C.

    A KeyboardInterrupt raised while a compiled pass runs comes back as a SystemError
    ("returned a result with an exception set"), chained to the interrupt directly or
    through the errors raised while unwinding; the message names the interrupt when
    the chain lost it.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return "KeyboardInterrupt" in str(error)


def user_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Report input and file problems as one line on stderr, exit status 2 (130 on Ctrl-C)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except InputError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(2)
        except BrokenPipeError:  # the reader left (``simulate show ... | head``): fine
            with contextlib.suppress(OSError):
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - nothing more is written
            sys.exit(0)
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
            if _interrupted(error):
                click.echo(
                    "\ninterrupted: nothing was written in place of earlier results", err=True
                )
                sys.exit(130)
            raise

    return wrapper


class LogProgress:
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

    def __enter__(self) -> LogProgress:
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


class BetweenWeeks:
    """Progress that takes a Ctrl-C between weeks, never inside a compiled pass.

    A KeyboardInterrupt raised while numba's code runs can come back as a SystemError,
    or, rarely, bring the process down. While the work runs, the first Ctrl-C only
    notes the request; the next progress report (after every simulated week in this
    process, after every replication from worker processes) raises it, and so does the
    end of the work. A second Ctrl-C interrupts at once, as usual. A process started
    with Ctrl-C ignored (a job in the background of a script) keeps ignoring it.
    """

    def __init__(self, bar: Any) -> None:
        self.bar = bar
        self.requested = False
        self._previous: Any = None

    def _note(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self) -> BetweenWeeks:
        if (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is not signal.SIG_IGN
        ):
            self._previous = signal.signal(signal.SIGINT, self._note)
        self.bar.__enter__()
        return self

    def update(self, steps: int, *args: Any) -> None:
        """Report progress; a Ctrl-C noted since is raised here, between weeks."""
        if self.requested:
            raise KeyboardInterrupt
        self.bar.update(steps, *args)

    def __exit__(self, kind: Any, value: Any, traceback: Any) -> bool:
        self.bar.__exit__(kind, value, traceback)
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        if self.requested and not isinstance(value, KeyboardInterrupt):
            # Asked for while the work ran (its workers stopped by the same Ctrl-C):
            # an interrupt, whatever the work raised since.
            raise KeyboardInterrupt from None
        return False


def progress_bar(length: int, label: str, **options: Any) -> Any:
    """A progress bar on a terminal; plain lines every tenth of the way elsewhere.

    Ctrl-C is taken between weeks (:class:`BetweenWeeks`).
    """
    if sys.stderr.isatty():
        return BetweenWeeks(click.progressbar(length=length, label=label, **options))
    return BetweenWeeks(LogProgress(length, label, **options))


#: More replications than this are a typing error, not a study (and would fill memory).
MAX_REPLICATIONS = 10_000


class FiniteScale(click.FloatRange):
    """A scale in (0, 1]: a finite number from 0.0001 to 1."""

    def convert(self, value: Any, param: Any, ctx: Any) -> float:
        number = super().convert(value, param, ctx)
        if number != number:  # NaN passes every range check
            self.fail(f"{value!r} is not a number from 0.0001 to 1", param, ctx)
        return number


FINITE_SCALE = FiniteScale(min=1e-4, max=1.0)


def cap_workers(ctx: click.Context, param: click.Parameter, value: int) -> int:
    """Say so when more processes are asked for than the machine has cores."""
    cores = os.cpu_count() or 1
    if value > cores:
        click.echo(f"note: {value} workers asked for, {cores} cores: using {cores}", err=True)
        return cores
    return value


def workers_option(help: str) -> Callable[[Callable], Callable]:
    """The ``--workers/-w`` option: local processes, capped at the machine's cores."""
    return click.option(
        "--workers",
        "-w",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        callback=cap_workers,
        help=help,
    )


def simulation_options(min_replications: int) -> Callable[[Callable], Callable]:
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
        workers_option("Processes (at most the machine's cores)."),
        click.option("--no-plots", is_flag=True, help="Skip the PNG plots."),
    ]

    def decorate(command: Callable) -> Callable:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


SET_OPTION = click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a scenario value, e.g. --set city.caseload=70 (repeatable).",
)


#: The posterior sample ``--draws`` reads unless ``--sample`` names another.
DEFAULT_SAMPLE = Path("calibration/fitted/targets_sample.toml")

DRAWS_OPTION = click.option(
    "--draws",
    type=click.IntRange(min=2, max=MAX_REPLICATIONS),
    help="Also run each scenario N times with parameters drawn from the posterior "
    "sample (the same draw in every arm): effects with parameter uncertainty.",
)
SAMPLE_OPTION = click.option(
    "--sample",
    type=click.Path(path_type=Path),
    default=DEFAULT_SAMPLE,
    show_default=True,
    help="The posterior sample of --draws (made by 'simulate sample').",
)


def read_sample(draws: int | None, sample: Path) -> Any:
    """The sample ``--draws`` runs with, or None without ``--draws``.

    Raises:
        InputError: The file is missing or not a sample.
    """
    if draws is None:
        return None
    from simulation.experiments.posterior import load_sample

    if not sample.is_file():
        raise InputError(sample, "", "file not found: --draws needs a posterior sample (--sample)")
    return load_sample(sample)


def running_total(bar: Any) -> Callable[..., None]:
    """A progress callback fed running totals, for a bar that is fed increments.

    ``update(total, *item)`` moves the bar by what ``total`` adds since the last call
    (``item`` is passed on, for the bar's ``item_show_func``).
    """
    done = [0]

    def update(total: int, *item: Any) -> None:
        bar.update(total - done[0], *item)
        done[0] = total

    return update
