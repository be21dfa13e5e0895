"""Time per person-week of the vectorised model and of the per-agent reference model.

Both run the national scenario at 1:10 scale, without services and without the pilot
(what the reference model covers), for one year; each model runs ``--repeat`` times
and the medians are compared. Usage:
python benchmarks/reference_speed.py [--weeks 52] [--scale 0.1] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import sys
import time
from pathlib import Path

# The per-agent reference model is a test oracle and lives with the tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from reference_model import ReferenceModel  # noqa: E402

from simulation.config.loading import load_scenario, scenario_to_dict  # noqa: E402
from simulation.config.scenario import scenario_from_dict  # noqa: E402
from simulation.core.model import EmploymentModel  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def national_without_services(weeks: int, scale: float):
    """The national scenario without services and without the pilot, for ``weeks``."""
    data = scenario_to_dict(load_scenario(ROOT / "scenarios" / "finland_2021.toml"))
    data["services"] = {}
    data["pilot"]["enabled"] = False
    data["run"]["scale"] = scale
    start = dt.date.fromisoformat(str(data["run"]["start"]))
    end = start + dt.timedelta(days=7 * weeks - 1)
    data["run"]["end"] = end.isoformat()
    # The changes dated after the shortened horizon do not apply (as with --set run.end).
    data["timeline"] = [
        change
        for change in data.get("timeline", [])
        if dt.date.fromisoformat(str(change["date"])) <= end
    ]
    return scenario_from_dict(data, "national without services")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each model")
    args = parser.parse_args()
    scenario = national_without_services(args.weeks, args.scale)
    began = time.perf_counter()
    EmploymentModel(scenario, seed=0, scale=0.01).run_for(2)  # load the compiled passes
    print(f"start-up: compiled passes loaded in {time.perf_counter() - began:.2f} s (not timed)")
    per_person_week = {}
    for name, build in (
        ("vectorised", lambda: EmploymentModel(scenario, seed=1)),
        ("reference", lambda: ReferenceModel(scenario, seed=1)),
    ):
        times = []
        for _ in range(args.repeat):
            model = build()
            gc.collect()
            started = time.perf_counter()
            model.run()
            times.append(time.perf_counter() - started)
        if name == "vectorised":
            person_weeks = int(model.recorder.people[:, 0].sum())
        else:
            person_weeks = model.person_weeks
        seconds = statistics.median(times)
        per_person_week[name] = seconds / person_weeks
        runs = ", ".join(f"{t:.2f}" for t in times)
        print(
            f"{name:10s} {seconds:8.2f} s (median of {len(times)}: {runs})  "
            f"{seconds / person_weeks * 1e9:6.0f} ns per person-week ({person_weeks:,})"
        )
    ratio = per_person_week["reference"] / per_person_week["vectorised"]
    print(f"the vectorised model is {ratio:.0f}x faster per person-week")


if __name__ == "__main__":
    main()
