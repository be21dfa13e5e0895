"""Calibration evaluations per hour: this work tree against another commit, alternating.

Usage: python benchmarks/calibration_throughput.py REV [--rounds 3] [--evaluations 2]
       [--workers 1 2] [--targets calibration/targets_finland.toml]

One evaluation of a joint calibration (``simulate calibrate ... --experiments``) runs
the baseline at the calibration's fixed seeds (2 replications at scale 0.05, the
command's defaults) for the register statistics, then every experiment of the targets
file as its in-silico trial, and adds up the weighted errors. This script times such
evaluations in a fresh process of each version, alternating A B A B ..., at points a
little apart (so none is read from the cache), and prints the seconds per evaluation and
the evaluations per hour. Each version evaluates its own targets file (the experiments
a joint fit of that version runs); the first evaluation of a process, which loads the
compiled passes, is timed apart. ``--workers`` times this tree with each number of
local processes (the other commit is timed as it runs, in one process).
``--same-experiments`` keeps only the experiments both files declare, to compare like
for like when the targets file has grown.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tomllib
from pathlib import Path

from worktree import ROOT, checked_out  # beside this script

#: Evaluations in a fresh process; prints a JSON line of their timings.
_CHILD = """
import contextlib, dataclasses, inspect, json, sys, tempfile, time
from pathlib import Path
import numpy as np
from simulation import load_scenario
from simulation.experiments import calibrate as c
from simulation.experiments.seeds import replication_seeds
from simulation.experiments.targets import load_targets

targets_path, evaluations, workers = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
keep = json.loads(sys.argv[4])  # experiment names to keep (None: all)
targets = load_targets(targets_path)
if keep is not None:
    kept = tuple(e for e in targets.experiment if e.name in keep)
    targets = dataclasses.replace(targets, experiment=kept)
scenario_path = Path(targets.meta.scenario)
if not scenario_path.is_absolute():
    scenario_path = targets_path.parent / scenario_path
scenario = load_scenario(scenario_path)
options = {"experiments": True}
if "workers" in inspect.signature(c._Evaluator).parameters:
    options["workers"] = workers
middle = np.array([(f.low + f.high) / 2 for f in targets.free])
span = np.array([f.high - f.low for f in targets.free])
times = []
with tempfile.TemporaryDirectory() as folder:
    evaluate = c._Evaluator(
        scenario, targets, replication_seeds(1, 2), 0.05, Path(folder) / "e.json", **options
    )
    opened = evaluate if hasattr(evaluate, "__enter__") else contextlib.nullcontext()
    with opened:
        for i in range(evaluations + 1):
            began = time.perf_counter()
            evaluate(middle + 0.01 * i * span)
            times.append(time.perf_counter() - began)
figures = {"first": times[0], "evaluations": times[1:], "experiments": len(targets.experiment)}
print(json.dumps(figures))
"""


def evaluate_in(
    tree: Path, targets: str, evaluations: int, workers: int, keep: list[str] | None
) -> dict:
    """Timed evaluations with the code and targets file of ``tree``, in a new process."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    args = [targets, str(evaluations), str(workers), json.dumps(keep)]
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"{tree}: the evaluations failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def experiment_names(path: Path) -> list[str]:
    """The names of a targets file's experiments."""
    with path.open("rb") as file:
        return [e["name"] for e in tomllib.load(file).get("experiment", [])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the commit to time against (e.g. HEAD, a hash)")
    parser.add_argument("--targets", default="calibration/targets_finland.toml")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--evaluations", type=int, default=2, help="timed per process")
    parser.add_argument("--workers", type=int, nargs="+", default=[1])
    parser.add_argument(
        "--same-experiments",
        action="store_true",
        help="only the experiments both targets files declare (by name): like for like",
    )
    args = parser.parse_args()
    with checked_out(args.rev, "calibration-throughput-") as (other, folder):
        keep = None
        if args.same_experiments:
            names = [experiment_names(tree / args.targets) for tree in (ROOT, other)]
            keep = sorted(set(names[0]) & set(names[1]))
            print(f"experiments of both: {', '.join(keep)}", file=sys.stderr)
        arms = {f"this tree, {w} worker{'s' if w > 1 else ''}": (ROOT, w) for w in args.workers}
        arms[args.rev] = (other, 1)
        runs: dict[str, list[float]] = {name: [] for name in arms}
        experiments: dict[str, int] = {}
        for round_ in range(args.rounds):
            for name, (tree, workers) in arms.items():
                figures = evaluate_in(tree, args.targets, args.evaluations, workers, keep)
                runs[name] += figures["evaluations"]
                experiments[name] = figures["experiments"]
                shown = ", ".join(f"{t:.1f}" for t in figures["evaluations"])
                print(
                    f"round {round_ + 1} {name:>22}: first {figures['first']:.1f} s,"
                    f" then {shown} s",
                    file=sys.stderr,
                )
    print(f"{args.targets}, {args.rounds} rounds alternating, medians of every evaluation:")
    print(f"{'':26}{'experiments':>12}{'s per evaluation':>18}{'per hour':>10}{'ratio':>8}")
    reference = statistics.median(runs[args.rev])
    for name, times in runs.items():
        median = statistics.median(times)
        print(
            f"{name:26}{experiments[name]:>12}{median:>18.1f}{3600 / median:>10.0f}"
            f"{reference / median:>8.2f}"
        )


if __name__ == "__main__":
    main()
