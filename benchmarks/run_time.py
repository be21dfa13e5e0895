"""Wall time, time per person-week and peak memory of one replication of a scenario.

Usage: python benchmarks/run_time.py [SCENARIO] [--scale F] [--repeat N]
Prints the median over the repeats; start-up (building the initial population) is
reported apart from the simulation.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import time

from simulation import EmploymentModel, load_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="scenarios/municipal_pilot.toml")
    parser.add_argument("--scale", type=float, default=None)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    began = time.perf_counter()
    EmploymentModel(scenario, seed=0, scale=0.01).run_for(2)  # load the compiled passes
    print(f"compiled passes loaded in {time.perf_counter() - began:.2f} s (once per process)")
    starts, runs, person_weeks = [], [], []
    for seed in range(args.repeat):
        began = time.perf_counter()
        model = EmploymentModel(scenario, seed=seed, scale=args.scale)
        built = time.perf_counter()
        model.run()
        done = time.perf_counter()
        starts.append(built - began)
        runs.append(done - built)
        if len(runs) == 1:
            first_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        person_weeks.append(model.recorder.people[:, 0].sum())
        people, weeks, scale, nbytes = (
            len(model.job_seekers),
            model.weeks,
            model.scale,
            model.job_seekers.nbytes,
        )
        del model  # free it (agents refer back to the model) so each run starts clean
        gc.collect()
    print("runs            " + ", ".join(f"{r:.2f}" for r in runs) + " s")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    run = statistics.median(runs)
    print(f"scenario        {scenario.run.name} (scale {scale:g}, {weeks} weeks)")
    print(f"people at end   {people:,}")
    print(f"start-up        {statistics.median(starts):.2f} s (median of {args.repeat})")
    print(f"simulation      {run:.2f} s (median of {args.repeat})")
    print(f"per person-week {run / statistics.median(person_weeks) * 1e9:.0f} ns")
    print(f"job-seeker arrays {nbytes / 2**20:.0f} MB (rows reserved included)")
    print(f"peak memory     {first_peak_mb:.0f} MB resident after one run")
    print(f"                {peak_mb:.0f} MB after {args.repeat} runs in this process")


if __name__ == "__main__":
    main()
