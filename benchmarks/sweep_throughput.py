"""Throughput of a sweep with 1 and with 2 local worker processes.

Runs the same sweep (the Helsinki pilot at scale 1, 24 runs of about a second each)
twice into fresh folders, start-up of the worker processes included, and prints runs per
second and the speed-up. Usage: python benchmarks/sweep_throughput.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

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
        for workers in (1, 2):
            started = time.perf_counter()
            result = run_sweep(path, out=Path(tmp) / f"w{workers}", workers=workers)
            seconds = time.perf_counter() - started
            rates[workers] = result.done / seconds
            print(
                f"{workers} worker(s): {result.done} runs in {seconds:.1f} s, "
                f"{rates[workers]:.2f} runs/s"
            )
        print(f"speed-up with 2 workers: {rates[2] / rates[1]:.2f}x")


if __name__ == "__main__":
    main()
