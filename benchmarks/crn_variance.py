"""Standard error of a scenario difference with common and with independent random numbers.

Runs the baseline and the pilot with the same seeds (common random numbers, paired) and
the pilot again with another root seed (independent), at equal replications, and prints
the standard error of the difference in the employment rate at 24 months.

Usage: python benchmarks/crn_variance.py [--replications 20] [--scale 1.0] [--workers 2]
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np

from simulation import load_scenario
from simulation.analysis.measures import month_week
from simulation.experiments.runner import replication_seeds, run_replication

BASELINE = "scenarios/baseline_te_office.toml"
PILOT = "scenarios/municipal_pilot.toml"


def rate_at_24_months(task: tuple[str, np.random.SeedSequence, float]) -> float:
    path, seed, scale = task
    outcomes = run_replication(load_scenario(path), seed, scale)["outcomes"]
    row = outcomes[(outcomes["group"] == "all") & (outcomes["week"] == month_week(24))]
    return float(row["employment_rate"].iloc[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20210301)
    args = parser.parse_args()
    n = args.replications
    common = replication_seeds(args.seed, n)
    other = replication_seeds(args.seed + 1, n)
    tasks = (
        [(BASELINE, s, args.scale) for s in common]
        + [(PILOT, s, args.scale) for s in common]
        + [(PILOT, s, args.scale) for s in other]
    )
    with ProcessPoolExecutor(args.workers, mp_context=get_context("spawn")) as pool:
        rates = np.array(list(pool.map(rate_at_24_months, tasks))).reshape(3, n)
    baseline, pilot, pilot_independent = rates
    paired = pilot - baseline
    se_crn = paired.std(ddof=1) / np.sqrt(n)
    se_independent = np.sqrt(pilot_independent.var(ddof=1) / n + baseline.var(ddof=1) / n)
    print(f"replications {n}, scale {args.scale:g}; employment rate at 24 months, pilot - baseline")
    print(
        f"common random numbers  difference {paired.mean() * 100:+.3f} pp  SE {se_crn * 100:.4f} pp"
    )
    independent = (pilot_independent.mean() - baseline.mean()) * 100
    print(
        f"independent seeds      difference {independent:+.3f} pp  SE {se_independent * 100:.4f} pp"
    )
    print(f"ratio of standard errors (independent / common): {se_independent / se_crn:.1f}")


if __name__ == "__main__":
    main()
