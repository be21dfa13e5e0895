"""Throughput of a sweep with 1 and with 2 local worker processes.

Runs the same sweep (the Helsinki pilot at scale 1, 24 runs of one to two seconds each)
into fresh folders, start-up of the worker processes included, and prints runs per
second and the speed-ups: in this process with numba's loops on one core, in this
process on every core (``--workers 1``), and on two worker processes of one core each
(``--workers 2``). One process already runs the compiled loops on both cores, so the
two workers' gain over it is smaller than over one core.
Usage: python benchmarks/sweep_throughput.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numba

from simulation.experiments.sweep_runner import run_sweep

ROOT = Path(__file__).resolve().parents[1]
SWEEP = f"""
[sweep]
name = "throughput"
base = "{ROOT / "scenarios" / "municipal_pilot.toml"}"
replications = 6
seed = 1
scale = 1.0

[design]
method = "grid"

[parameters."city.caseload"]
values = [70, 100, 150, 250]
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sweep.toml"
        path.write_text(SWEEP)
        rates = {}
        everywhere = numba.get_num_threads()
        for name, workers, threads in (
            ("1 worker, 1 core", 1, 1),
            ("1 worker, every core", 1, everywhere),
            ("2 workers", 2, everywhere),
        ):
            numba.set_num_threads(threads)
            started = time.perf_counter()
            result = run_sweep(path, out=Path(tmp) / name.replace(" ", "_"), workers=workers)
            seconds = time.perf_counter() - started
            numba.set_num_threads(everywhere)
            rates[name] = result.done / seconds
            print(f"{name}: {result.done} runs in {seconds:.1f} s, {rates[name]:.2f} runs/s")
        for one in ("1 worker, every core", "1 worker, 1 core"):
            print(f"2 workers against {one}: {rates['2 workers'] / rates[one]:.2f}x")


if __name__ == "__main__":
    main()
