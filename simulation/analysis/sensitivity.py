"""Analysis of a finished sweep: Sobol or Morris indices, response surfaces, plots.

Outcomes are first averaged over replications at each design point. Sobol indices
(first and total order) come from a Saltelli design, Morris indices from a Morris
design, both with bootstrap intervals (SALib); other designs get plots only. A warning
is given when the sample is too small for stable indices.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from SALib.analyze import morris, sobol

from simulation.analysis.plots import plot_sensitivity
from simulation.analysis.results import atomic_write
from simulation.config.errors import InputError

__all__ = ["Analysis", "analyze", "MIN_STABLE_SAMPLES"]

#: Base samples below which Sobol indices are flagged as unstable.
MIN_STABLE_SAMPLES = 500
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Analysis:
    """Indices (if the design allows), the point means, and warnings."""

    method: str
    output: str
    indices: pd.DataFrame | None
    means: pd.DataFrame
    warnings: list[str]


def _point_means(runs: pd.DataFrame, names: list[str], output: str) -> pd.DataFrame:
    done = runs[runs["state"] == "done"]
    means = done.groupby("point")[[*names, output]].mean()
    return means.sort_index()


def analyze(
    folder: str | Path, output: str | None = None, seed: int = 0, resamples: int = 200
) -> Analysis:
    """Sensitivity indices of ``output`` over a finished sweep.

    Args:
        folder: The sweep folder.
        output: Outcome column (default: the employment rate at 24 months, or ``y``).
        seed: Seed of the bootstrap.
        resamples: Bootstrap resamples.

    Returns:
        The analysis; also written as ``sensitivity-<output>.csv`` / ``.md`` and plots
        named after the output, so analyses of several outputs sit side by side.
    """
    folder = Path(folder)
    if not (folder / "sweep.json").is_file():
        raise InputError(folder, "", "not a sweep folder (no sweep.json)")
    try:
        meta = json.loads((folder / "sweep.json").read_text())
        names, method = list(meta["names"]), str(meta["method"])
    except (ValueError, KeyError, TypeError):
        raise InputError(
            folder / "sweep.json", "", "broken: not the description of a sweep"
        ) from None
    try:
        runs = pd.read_parquet(folder / "runs.parquet")
    except FileNotFoundError:
        raise InputError(folder, "", "no runs.parquet yet: run the sweep first") from None
    except (OSError, ValueError) as error:
        raise InputError(folder / "runs.parquet", "", f"broken ({error})") from None
    if output is None:
        output = "y" if "y" in runs.columns else "employment_rate_24m_all"
    if output not in runs.columns:
        options = [
            c
            for c in runs.columns
            if c
            not in {*names, "run", "point", "replication", "state", "attempts", "seconds", "error"}
        ]
        raise InputError(
            folder, "--output", f"no output {output!r}; expected one of {', '.join(options)}"
        )
    means = _point_means(runs, names, output)
    warnings: list[str] = []
    n_points = len(meta["points"])
    if len(means) < n_points:
        warnings.append(
            f"{n_points - len(means)} of {n_points} design points have no finished "
            "run; indices need them all"
        )
    indices = None
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    y = means[output].to_numpy(dtype=float)
    if method == "saltelli" and len(means) == n_points:
        result = sobol.analyze(
            problem,
            y,
            calc_second_order=False,
            num_resamples=resamples,
            conf_level=CONFIDENCE,
            seed=seed,
        )
        indices = pd.DataFrame(
            {
                "parameter": names,
                "first_order": result["S1"],
                "first_order_conf": result["S1_conf"],
                "total_order": result["ST"],
                "total_order_conf": result["ST_conf"],
            }
        )
        base_samples = n_points // (len(names) + 2)
        if base_samples < MIN_STABLE_SAMPLES or np.max(result["ST_conf"]) > 0.1:
            warnings.append(
                f"Sobol indices from {base_samples} base samples are not stable (largest "
                f"interval half-width {np.max(result['ST_conf']):.2f}); use {MIN_STABLE_SAMPLES}"
                " or more"
            )
    elif method == "morris" and len(means) == n_points:
        unit = np.asarray(meta["unit_design"], dtype=float)
        trajectories = n_points // (len(names) + 1)
        if trajectories < 2:
            warnings.append(
                f"{trajectories} Morris trajectory: mu* has no spread to estimate an interval "
                "or sigma from; use 10 or more"
            )
        result = morris.analyze(
            problem, unit, y, num_resamples=resamples, conf_level=CONFIDENCE, seed=seed
        )
        indices = pd.DataFrame(
            {
                "parameter": names,
                "mu_star": result["mu_star"],
                "mu_star_conf": result["mu_star_conf"],
                "sigma": result["sigma"],
            }
        )
    analysis = Analysis(method, output, indices, means, warnings)
    _write(analysis, folder)
    return analysis


def _write(analysis: Analysis, folder: Path) -> None:
    if analysis.indices is not None:
        with atomic_write(folder / f"sensitivity-{analysis.output}.csv") as file:
            analysis.indices.to_csv(file, index=False, lineterminator="\n")
        with atomic_write(folder / f"sensitivity-{analysis.output}.md") as file:
            file.write(_markdown(analysis.indices))
    plot_sensitivity(analysis.method, analysis.output, analysis.indices, analysis.means, folder)


def _markdown(frame: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    for row in frame.itertuples(index=False):
        cells = [f"{v:.4f}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
