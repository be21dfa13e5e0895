"""Time this work tree against another commit, the two run alternately in one sitting.

Usage: python benchmarks/versus.py REV [SCENARIO] [--rounds 5] [--scale F] [--seed N]

The machines this is run on are noisy (another process on the second core slows a run
by a third), so one version timed after the other says little. This script checks
``REV`` out into a temporary folder (``git worktree``), warms both versions' compiled
passes, then runs one replication of the scenario in a fresh process of each version,
alternating A B A B ..., and prints every run, the medians and the ratio of this tree
to ``REV`` (below 1: this tree is faster). Each process reports

* ``simulation``: the weeks of the run (``EmploymentModel.run``),
* ``start-up``: building the model (initial population, caseworkers),
* ``process``: the whole process, imports and compiled-pass loading included,

so the same run shows both the simulation and what an analyst waits for. Then, in the
same round, the command an analyst types, ``simulate run SCENARIO -r 1`` with
``--no-plots`` (``run, no plots``) and without (``run, plots``), each timed as a whole
process that writes its run folder to a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from worktree import ROOT, checked_out  # beside this script

#: One replication in a fresh process; prints a JSON line of its timings.
_CHILD = """
import json, resource, sys, time
began = time.perf_counter()
from simulation import EmploymentModel, load_scenario
imported = time.perf_counter()
scenario = load_scenario(sys.argv[1])
scale = None if sys.argv[2] == "none" else float(sys.argv[2])
model = EmploymentModel(scenario, seed=int(sys.argv[3]), scale=scale)
built = time.perf_counter()
model.run()
done = time.perf_counter()
print(json.dumps({
    "import": imported - began, "start-up": built - imported, "simulation": done - built,
    "people": len(model.job_seekers),
    "memory": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def run_once(tree: Path, scenario: str, scale: str, seed: int) -> dict[str, float]:
    """One replication of ``scenario`` with the code of ``tree``, in a new process."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    began = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, scenario, scale, str(seed)],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    figures["process"] = time.perf_counter() - began
    return figures


def run_command(tree: Path, scenario: str, plots: bool, out: Path) -> float:
    """Seconds of ``simulate run scenario -r 1`` with the code of ``tree``, a new process."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    command = [sys.executable, "-m", "simulation.cli", "run", scenario, "-r", "1"]
    command += ["--out", str(out)] + ([] if plots else ["--no-plots"])
    began = time.perf_counter()
    subprocess.run(command, cwd=tree, env=env, check=True, capture_output=True)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the commit to time against (e.g. HEAD, a hash)")
    parser.add_argument("scenario", nargs="?", default="scenarios/finland_2021.toml")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scale", type=float, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    scale = "none" if args.scale is None else repr(args.scale)
    with checked_out(args.rev, "versus-") as (other, folder):
        trees = {"this tree": ROOT, args.rev: other}
        for name, tree in trees.items():  # compile (or load) both versions' passes
            run_once(tree, "scenarios/quickstart.toml", "0.05", 0)
            print(f"warmed {name}", file=sys.stderr)
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
        for round_ in range(args.rounds):
            for name, tree in trees.items():
                figures = run_once(tree, args.scenario, scale, args.seed)
                if args.scale is None:
                    for plots, label in ((False, "run, no plots"), (True, "run, plots")):
                        # A folder per version: a run folder of another scenario (the
                        # other version's, if its keys differ) is not replaced.
                        version = "this" if tree == ROOT else "other"
                        out = Path(folder) / f"run-{version}-{len(runs[name])}-{plots}"
                        figures[label] = run_command(tree, args.scenario, plots, out)
                runs[name].append(figures)
                print(
                    f"round {round_ + 1} {name:>12}:"
                    f" simulation {figures['simulation']:.2f} s,"
                    f" start-up {figures['start-up']:.2f} s,"
                    f" process {figures['process']:.2f} s",
                    file=sys.stderr,
                )
    print(f"{args.scenario}, {args.rounds} rounds alternating, medians:")
    print(f"{'':14}{'this tree':>12}{args.rev[:12]:>14}{'ratio':>8}")
    measures = ["simulation", "start-up", "import", "process", "memory"]
    if args.scale is None:  # ``simulate run`` has no scale option: at scale 1 only
        measures += ["run, no plots", "run, plots"]
    for measure in measures:
        mine = statistics.median(r[measure] for r in runs["this tree"])
        theirs = statistics.median(r[measure] for r in runs[args.rev])
        unit = "MB" if measure == "memory" else "s"
        print(f"{measure:14}{mine:>10.2f} {unit}{theirs:>12.2f} {unit}{mine / theirs:>8.3f}")
    print(f"people at end {runs['this tree'][0]['people']:>12,}{runs[args.rev][0]['people']:>14,}")


if __name__ == "__main__":
    main()
