"""Fingerprints of whole runs, to show that a change of code leaves results bit-identical.

Runs a national scenario (scale 1) and the Helsinki pilot (scale 0.2) with a fixed
seed and prints, or writes, the SHA-256 of every column of every table of the run and
of every job-seeker field at the end. Run it before and after a change that should not
change results (a refactoring, a speed-up) and compare:

    python benchmarks/fingerprint.py --out before.json      # on the old commit
    python benchmarks/fingerprint.py --compare before.json  # on the new one

Exit status 1 if anything differs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys

import numpy as np

from simulation import EmploymentModel, load_scenario
from simulation.core.records import tables

RUNS = (("scenarios/finland_2021.toml", 1.0), ("scenarios/municipal_pilot.toml", 0.2))


def digest(values: np.ndarray) -> str:
    """SHA-256 (first 16 hex digits) of an array's bytes and type."""
    array = np.ascontiguousarray(values)
    if array.dtype == object:
        return hashlib.sha256("\n".join(map(str, array)).encode()).hexdigest()[:16]
    return hashlib.sha256(array.tobytes() + str(array.dtype).encode()).hexdigest()[:16]


def fingerprints() -> dict[str, dict[str, str]]:
    """Every table column and job-seeker field of each run, by name."""
    result = {}
    for path, scale in RUNS:
        model = EmploymentModel(
            load_scenario(path), seed=np.random.SeedSequence(7).spawn(2)[1], scale=scale
        )
        model.run()
        prints = {
            f"table.{name}.{column}": digest(frame[column].to_numpy())
            for name, frame in tables(model.recorder).items()
            for column in frame.columns
        }
        people = model.job_seekers
        prints |= {f"field.{name}": digest(getattr(people, name)) for name in people.fields}
        result[path] = prints
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="write the fingerprints to this JSON file")
    parser.add_argument("--compare", help="compare with fingerprints written earlier")
    args = parser.parse_args()
    current = fingerprints()
    if args.out:
        with open(args.out, "w") as file:
            json.dump(current, file, indent=1, sort_keys=True)
    count = sum(len(v) for v in current.values())
    if not args.compare:
        print(f"{count} fingerprints" + (f" written to {args.out}" if args.out else ""))
        return
    with open(args.compare) as file:
        stored = json.load(file)
    differ = [
        f"{run}: {name}"
        for run in stored
        for name in sorted(set(stored[run]) | set(current.get(run, {})))
        if stored[run].get(name) != current.get(run, {}).get(name)
    ]
    for line in differ:
        print("differs:", line)
    print(f"{count - len(differ)} of {count} fingerprints identical")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
