"""Policy x assumption sweeps: paired effects over draws, robustness, scenario discovery.

A policy x assumption sweep (``[[arm]]`` and ``[sweep] sample`` in a sweep file) runs
every policy arm at every parameter draw with the same seeds. Here its runs become the
paired effect of each arm against a reference arm, draw by draw; the robustness
summary says in what share of draws the arm does better and how much it gains at the
10th percentile; scenario discovery (PRIM, from the EMA Workbench) finds the region of
the assumptions where the ranking flips: the box of parameter ranges that holds most of
the draws in which the arm does worse, as pure as it can be.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.config.errors import InputError

__all__ = ["Discovery", "discover", "paired_by_draw", "plot_discovery", "robustness"]


def paired_by_draw(
    runs: pd.DataFrame, output: str, labels: list[str], reference: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each arm's effect on ``output`` against ``reference``, one row per draw.

    Args:
        runs: The sweep's runs table (columns ``arm``, ``draw``, the draws' parameters,
            ``replication`` and the outputs).
        output: The output compared.
        labels: The arms' labels, by arm index.
        reference: The label of the reference arm.

    Returns:
        The effects (draws x other arms) and the draws' parameter values (draws x keys);
        replications of a draw are averaged.

    Raises:
        InputError: An unknown output or reference, or runs not done.
    """
    if output not in runs.columns:
        outputs = [c for c in runs.columns if c not in ("run", "point", "state", "error")]
        raise InputError(
            "--output", output, "unknown output; expected one of " + ", ".join(outputs)
        )
    if reference not in labels:
        raise InputError("--reference", reference, "expected one of " + ", ".join(labels))
    done = runs[runs["state"] == "done"]
    if len(done) < len(runs):
        raise InputError("sweep", "runs", f"{len(runs) - len(done)} runs are not done; resume it")
    means = done.groupby(["draw", "arm"])[output].mean().unstack("arm")
    means.columns = [labels[int(a)] for a in means.columns]
    effects = means.drop(columns=reference).sub(means[reference], axis=0)
    keys = [c for c in runs.columns if "." in c]
    parameters = done.groupby("draw")[keys].first().loc[effects.index]
    return effects, parameters


def robustness(effects: pd.DataFrame, lower_is_better: bool = False) -> pd.DataFrame:
    """In what share of draws each arm does better than the reference, and by how much.

    Returns:
        One row per arm: the median effect, its 10th and 90th percentiles, the share of
        draws in which the arm does better (a higher output, or a lower one with
        ``lower_is_better``) and the number of draws.
    """
    rows = []
    for arm in effects.columns:
        d = effects[arm].to_numpy(dtype=float)
        better = d < 0 if lower_is_better else d > 0
        rows.append(
            {
                "arm": arm,
                "median": float(np.median(d)),
                "p10": float(np.percentile(d, 10)),
                "p90": float(np.percentile(d, 90)),
                "share_better": float(better.mean()),
                "draws": len(d),
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Discovery:
    """A PRIM box: the assumptions under which the case of interest is concentrated.

    Attributes:
        limits: The box's restricted parameters and their ranges (key: (low, high)).
        coverage: The share of all cases of interest inside the box.
        density: The share of the draws inside the box that are cases of interest.
        cases: Cases of interest among the draws.
        draws: The draws.
    """

    limits: dict[str, tuple[float, float]]
    coverage: float
    density: float
    cases: int
    draws: int


def discover(
    parameters: pd.DataFrame, case: np.ndarray, min_coverage: float = 0.5, max_dimensions: int = 2
) -> Discovery:
    """Scenario discovery by PRIM (``ema_workbench.analysis.prim``).

    The peeling trajectory is read at its densest box that still covers at least
    ``min_coverage`` of the cases and restricts at most ``max_dimensions`` parameters
    (a box that restricts many parameters around a few cases describes those cases,
    not a region; without such a box, the densest one with the coverage).

    Args:
        parameters: The draws' values (draws x keys).
        case: Whether each draw is a case of interest (e.g. the ranking flips).
        min_coverage: The least coverage a chosen box must keep.
        max_dimensions: The most parameters a chosen box restricts (where it can).

    Returns:
        The box; no limits when there are no cases, or every draw is one.
    """
    case = np.asarray(case, dtype=bool)
    if not case.any() or case.all():
        share = float(case.mean())
        return Discovery({}, float(case.any()), share, int(case.sum()), len(case))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optional parallel back ends it does not use
        from ema_workbench.analysis import prim

        varied = parameters.loc[:, parameters.nunique() > 1]
        box = prim.Prim(varied.reset_index(drop=True), case, peel_alpha=0.1).find_box()
    trajectory = box.peeling_trajectory
    eligible = trajectory[trajectory["coverage"] >= min_coverage]
    simple = eligible[eligible["res_dim"] <= max_dimensions]
    eligible = simple if not simple.empty else eligible
    chosen = eligible.sort_values(["density", "coverage"], ascending=False).iloc[0]
    index = int(chosen["id"])
    lims = box.box_lims[index]
    start = box.box_lims[0]
    limits = {
        str(key): (float(lims[key][0]), float(lims[key][1]))
        for key in lims.columns
        if (lims[key][0], lims[key][1]) != (start[key][0], start[key][1])
    }
    return Discovery(
        limits, float(chosen["coverage"]), float(chosen["density"]), int(case.sum()), len(case)
    )


def plot_discovery(
    parameters: pd.DataFrame,
    case: np.ndarray,
    discovery: Discovery,
    path: Path,
    title: str,
) -> Path | None:
    """The draws over the box's two most restricted parameters, the cases marked.

    Returns:
        The PNG written, or None when the box restricts no parameter.
    """
    if not discovery.limits:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    keys = list(discovery.limits)[:2]
    if len(keys) == 1:
        others = [c for c in parameters.columns if c != keys[0] and parameters[c].nunique() > 1]
        keys += others[:1]
    fig, ax = plt.subplots(figsize=(6.5, 5))
    x = parameters[keys[0]].to_numpy()
    y = parameters[keys[1]].to_numpy() if len(keys) > 1 else np.zeros(len(x))
    ax.scatter(x[~case], y[~case], s=18, c="0.6", label="other draws")
    ax.scatter(x[case], y[case], s=22, c="tab:red", label="case of interest")
    low_x, high_x = discovery.limits.get(keys[0], (x.min(), x.max()))
    if len(keys) > 1:
        low_y, high_y = discovery.limits.get(keys[1], (y.min(), y.max()))
    else:
        low_y, high_y = -0.5, 0.5
    ax.add_patch(
        Rectangle(
            (low_x, low_y),
            high_x - low_x,
            high_y - low_y,
            fill=False,
            ec="black",
            lw=1.5,
            label=f"PRIM box: coverage {discovery.coverage:.0%}, density {discovery.density:.0%}",
        )
    )
    ax.set_xlabel(keys[0])
    ax.set_ylabel(keys[1] if len(keys) > 1 else "")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
