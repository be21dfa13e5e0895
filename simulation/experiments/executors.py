"""Interchangeable executors: in this process, a local process pool, or a Dask cluster.

All three offer the same two verbs, ``submit`` and ``wait_any``, and are context
managers that stop their workers on leaving (cancelling queued tasks after an error or a
Ctrl-C). :func:`stream` drives any of them with a bounded number of tasks in flight,
yielding results as they complete. Every run of the package (replications, sweeps,
calibration) goes through these executors. Results never depend on the executor: every
task carries its own seed.
"""

from __future__ import annotations

import concurrent.futures as cf
import ctypes
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from multiprocessing import get_context
from types import TracebackType
from typing import Any, Protocol, Self

from simulation.config.errors import InputError

__all__ = [
    "DaskExecutor",
    "Executor",
    "ProcessExecutor",
    "SerialExecutor",
    "make_executor",
    "stream",
]


class _Managed:
    """Leaving the ``with`` block stops the workers, cancelling queued tasks on an error."""

    def shutdown(self, cancel: bool = False) -> None:
        """Stop the workers."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.shutdown(cancel=error is not None)


class Executor(Protocol):
    """What :func:`stream` needs from an executor."""

    workers: int

    def __enter__(self) -> Self:
        """Use as a context manager."""

    def __exit__(self, *exc: object) -> None:
        """Stop the workers."""

    def submit(self, fn: Callable[[Any], Any], task: Any) -> Any:
        """Start ``fn(task)``; return a future."""

    def wait_any(self, futures: list[Any]) -> list[Any]:
        """Block until at least one future is done; return the done ones."""

    def shutdown(self, cancel: bool = False) -> None:
        """Stop the workers (cancelling queued tasks if asked)."""


class SerialExecutor(_Managed):
    """Runs each task in this process when it is submitted."""

    workers = 1

    def submit(self, fn: Callable[[Any], Any], task: Any) -> cf.Future:
        """Run now; return a finished future."""
        future: cf.Future = cf.Future()
        future.set_result(fn(task))
        return future

    def wait_any(self, futures: list[Any]) -> list[Any]:
        """All submitted futures are already done."""
        return list(futures)

    def shutdown(self, cancel: bool = False) -> None:
        """Nothing to stop."""


def _end_with_parent() -> None:
    """Ask the kernel to stop this worker when its parent dies (Linux; elsewhere nothing).

    A sweep or run killed with SIGKILL cannot stop its workers itself; without this they
    would go on computing runs nobody collects.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent is already gone
        raise SystemExit(0)


def _start_worker(threads: int) -> None:
    """Set up a local worker: end with its parent, and share the cores with the others.

    The compiled passes run their loops on ``threads`` cores (numba's parallel loops);
    each of several workers gets its share of the machine, so that they do not fight
    over the same cores. Results do not depend on it (``passes.slices``).
    """
    _end_with_parent()
    os.environ["NUMBA_NUM_THREADS"] = str(threads)
    if "numba" in sys.modules:  # already imported (by the parent's main module)
        import numba

        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))


def threads_per_worker(workers: int) -> int:
    """The cores each of ``workers`` local processes may use: an equal share, at least 1."""
    return max(1, (os.cpu_count() or 1) // max(workers, 1))


class ProcessExecutor(_Managed):
    """A pool of local worker processes (started with 'spawn': safe with threads).

    Args:
        workers: Number of processes.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = cf.ProcessPoolExecutor(
            max_workers=workers,
            mp_context=get_context("spawn"),
            initializer=_start_worker,
            initargs=(threads_per_worker(workers),),
        )

    def submit(self, fn: Callable[[Any], Any], task: Any) -> cf.Future:
        """Queue a task."""
        return self._pool.submit(fn, task)

    def wait_any(self, futures: list[Any]) -> list[Any]:
        """Wait for the first to finish."""
        done, _ = cf.wait(futures, return_when=cf.FIRST_COMPLETED)
        return list(done)

    def shutdown(self, cancel: bool = False) -> None:
        """Stop the pool."""
        self._pool.shutdown(wait=True, cancel_futures=cancel)


class DaskExecutor(_Managed):
    """Tasks on a Dask distributed cluster.

    Args:
        address: Scheduler address, e.g. ``tcp://10.0.0.5:8786``.
    """

    def __init__(self, address: str) -> None:
        # Dask is imported only when a cluster is used: it takes a second to load.
        from distributed import Client

        try:
            self._client = Client(address, timeout="30s")
        except (ValueError, TypeError) as error:
            raise InputError("--scheduler", "", f"not a scheduler address ({error})") from None
        except (OSError, TimeoutError) as error:
            raise InputError(
                "--scheduler", "", f"no scheduler answers at {address!r} ({error})"
            ) from None
        self.workers = max(1, sum(self._client.nthreads().values()))

    def submit(self, fn: Callable[[Any], Any], task: Any) -> Any:
        """Send a task to the cluster (never cached: every run is its own)."""
        return self._client.submit(fn, task, pure=False)

    def wait_any(self, futures: list[Any]) -> list[Any]:
        """Wait for the first to finish."""
        from distributed import wait

        done, _ = wait(futures, return_when="FIRST_COMPLETED")
        return list(done)

    def shutdown(self, cancel: bool = False) -> None:
        """Disconnect (the cluster itself keeps running)."""
        self._client.close()


def make_executor(workers: int = 1, scheduler: str | None = None) -> Executor:
    """Serial for one worker, a process pool for more, Dask when a scheduler is given.

    Local processes are capped at the machine's cores: more only cost memory.
    """
    if scheduler:
        return DaskExecutor(scheduler)
    workers = min(workers, os.cpu_count() or 1)
    if workers <= 1:
        return SerialExecutor()
    return ProcessExecutor(workers)


def stream(
    executor: Executor,
    fn: Callable[[Any], Any],
    tasks: Iterable[Any],
    on_submit: Callable[[Any], None] | None = None,
    in_flight: int | None = None,
) -> Iterator[Any]:
    """Run tasks with at most ``in_flight`` submitted at a time; yield results as they come.

    Keeping few tasks in flight means a stopped sweep loses little and new results are
    written as soon as they exist.
    """
    limit = in_flight or 2 * executor.workers
    queue = iter(tasks)
    pending: dict[Any, Any] = {}

    def fill() -> None:
        while len(pending) < limit:
            task = next(queue, None)
            if task is None:
                return
            if on_submit is not None:
                on_submit(task)
            pending[executor.submit(fn, task)] = task

    fill()
    while pending:
        for future in executor.wait_any(list(pending)):
            pending.pop(future)
            yield future.result()
        fill()
