"""Where the time of a run goes: wall time of each weekly rule, summed over the run.

Usage: python benchmarks/profile_week.py [SCENARIO] [--scale F] [--without-services]
Times each weekly rule of ``EmploymentModel.step`` during a real run and prints its
total and median weekly time, then the time spent inside the compiled passes
(``simulation.core.passes``) and the rest: the Python between them. The compiled passes
are warmed up first. ``--without-services`` profiles the scenario of
``reference_speed.py`` (the national scenario without services or pilot, one year).
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

import numpy as np
from reference_speed import national_without_services

from simulation import EmploymentModel, load_scenario
from simulation.core.passes import (
    census,
    clocks,
    matching,
    meetings,
    newcomers,
    outreach,
    services,
)

RULES = (
    "register_job_seekers",
    "hold_meetings",
    "refer_arising_needs",
    "run_services",
    "fill_free_places",
    "match_jobs",
    "recall_to_work",
    "move_between_states",
    "update_benefits",
    "close_week",
)


def warm_up() -> float:
    """Load (or compile) the compiled passes with a tiny run; return the seconds taken."""
    began = time.perf_counter()
    EmploymentModel(load_scenario("scenarios/quickstart.toml"), scale=0.05).run_for(3)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="scenarios/finland_2021.toml")
    parser.add_argument("--scale", type=float, default=None)
    parser.add_argument(
        "--without-services",
        action="store_true",
        help="the per-agent comparison's scenario (national, no services, no pilot, 1:10)",
    )
    args = parser.parse_args()
    print(f"compiled passes loaded in {warm_up():.2f} s")
    if args.without_services:
        scenario = national_without_services(52, 0.1 if args.scale is None else args.scale)
    else:
        scenario = load_scenario(args.scenario)
    model = EmploymentModel(scenario, seed=0, scale=args.scale)
    times: dict[str, list[float]] = defaultdict(list)
    in_passes = [0.0]
    by_pass: dict[str, float] = defaultdict(float)

    def timed(name, rule):
        def run(*arguments):
            began = time.perf_counter()
            rule(*arguments)
            times[name].append(time.perf_counter() - began)

        return run

    # The model's own step calls these through the instance, so wrapping them times the
    # real run (events such as a later pilot start included).
    for name in RULES:
        setattr(model, name, timed(name, getattr(model, name)))
    for name in ("open_week", "record"):
        setattr(model.recorder, name, timed(f"recorder.{name}", getattr(model.recorder, name)))
    for module in (census, clocks, matching, meetings, newcomers, outreach, services):
        for name in module.__all__:
            compiled = getattr(module, name)
            if hasattr(compiled, "py_func"):  # a compiled pass, not a bundle type
                label = f"{module.__name__.rsplit('.', 1)[-1]}.{name}"
                setattr(module, name, _counted(compiled, in_passes, by_pass, label))
    began = time.perf_counter()
    model.run()
    wall = time.perf_counter() - began
    total = sum(sum(v) for v in times.values())
    print(f"{model.spec.run.name}: {model.weeks} weeks, {len(model.job_seekers):,} people")
    print(f"{'rule':24s} {'total s':>8s} {'share':>6s} {'median ms/week':>15s}")
    for name, values in sorted(times.items(), key=lambda kv: -sum(kv[1])):
        print(
            f"{name:24s} {sum(values):8.3f} {sum(values) / total:6.0%} "
            f"{np.median(values) * 1e3:15.2f}"
        )
    print(f"{'all rules':24s} {total:8.3f}   (whole run {wall:.3f} s)")
    print(
        f"inside the compiled passes {in_passes[0]:.3f} s ({in_passes[0] / wall:.0%}), "
        f"the rest {wall - in_passes[0]:.3f} s ({1 - in_passes[0] / wall:.0%})"
    )
    print(f"{'compiled pass':40s} {'total s':>8s} {'share':>6s}")
    for label, seconds in sorted(by_pass.items(), key=lambda kv: -kv[1]):
        print(f"{label:40s} {seconds:8.3f} {seconds / wall:6.0%}")


def _counted(compiled, total: list[float], by_pass: dict[str, float], label: str):
    """``compiled`` with its wall time added to ``total[0]`` and ``by_pass[label]``."""

    def run(*arguments):
        began = time.perf_counter()
        result = compiled(*arguments)
        seconds = time.perf_counter() - began
        total[0] += seconds
        by_pass[label] += seconds
        return result

    return run


if __name__ == "__main__":
    main()
