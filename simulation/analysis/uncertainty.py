"""Effects under parameter uncertainty: paired effects over parameter draws.

A comparison run with parameter draws gives, for each replication, the paired effect
of an arm against the reference under one draw of the parameters (the same draw in
every arm). Their spread carries both the simulation noise and the parameters'
uncertainty; the comparison at the point values carries the noise only. This module
sets the two side by side, says how robust the sign of an effect is (the share of
draws in which the arm beats the reference, the effect's 10th percentile) and which
parameters the effect moves with most, and gives the cost per extra employment year
over the draws, only where every draw gains employment.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from simulation.analysis.compare import Arm, Comparison, aligned, measures_of
from simulation.analysis.measures import markdown_text

__all__ = [
    "DRAW_MEASURES",
    "draw_effects",
    "drivers",
    "trial_draw_effects",
    "trial_uncertainty_markdown",
    "uncertainty_markdown",
    "uncertainty_rows",
]

#: The measures shown with their draw intervals (group "all"): the headline ones.
DRAW_MEASURES = (
    "employment_rate_12m",
    "employment_rate_24m",
    "employment_rate_30m",
    "employment_rate_36m",
    "days_employed_per_person",
    "employment_years",
    "state_cost_eur",
    "municipal_cost_eur",
)
#: The draws' interval: the 5th to the 95th percentile (90 %, as the comparisons').
PERCENTILES = (5.0, 95.0)


def drivers(difference: np.ndarray, values: np.ndarray, keys: list[str]) -> dict[str, float]:
    """How much of the effect's variance across draws each parameter accounts for alone.

    The squared rank correlation of the paired effect with each parameter's drawn value
    (Spearman): a first-order indication that needs no particular design, so it works on
    the posterior draws as they are; parameters the draws do not vary get 0.

    Args:
        difference: The paired effect, one value per draw.
        values: The draws (draws x parameters).
        keys: The parameters' names.

    Returns:
        Each parameter's share (0 .. 1), the largest first.
    """
    from scipy import stats  # only when draws are analysed (importing it takes a while)

    shares = {}
    for j, key in enumerate(keys):
        column = values[:, j]
        if len(difference) < 3 or np.ptp(column) == 0 or np.ptp(difference) == 0:
            shares[key] = 0.0
            continue
        rho = stats.spearmanr(column, difference).statistic
        shares[key] = float(rho**2) if np.isfinite(rho) else 0.0
    return dict(sorted(shares.items(), key=lambda item: -item[1]))


def draw_effects(
    point: Comparison,
    draw_arms: list[Arm],
    values: np.ndarray,
    keys: list[str],
    *,
    common_weeks: bool = False,
    since: dt.date | None = None,
) -> pd.DataFrame:
    """Each arm's headline effects at the point values and across the parameter draws.

    Args:
        point: The comparison at the point values (simulation noise only).
        draw_arms: The same arms run with one draw per replication (the same draws).
        values: The draws used, by replication (replications x parameters).
        keys: The parameters' names.
        common_weeks: As for :func:`compare_arms`.
        since: As for :func:`compare_arms`.

    Returns:
        One row per arm and measure: the point effect and its interval, the draws'
        median, 5th and 95th percentiles and 10th percentile, the share of draws with a
        positive effect, the three parameters it depends on most, and the cost per
        extra employment year across the draws.
    """
    arms, weeks, offset = aligned(draw_arms, common_weeks, since)
    reference = arms[0]
    shown = point.effects[point.effects["group"] == "all"].set_index(["scenario", "measure"])
    rows = []
    for arm in arms[1:]:
        by_measure = {m: b - a for g, m, a, b in measures_of(reference, arm, weeks, offset)}
        by_measure = {m: d for m, d in by_measure.items() if m in DRAW_MEASURES or "cost" in m}
        years = by_measure["employment_years"]
        for measure in DRAW_MEASURES:
            if measure not in by_measure:
                continue
            difference = by_measure[measure]
            low, high = np.percentile(difference, PERCENTILES)
            key = (arm.name, measure)
            rows.append(
                {
                    "scenario": arm.name,
                    "measure": measure,
                    "point": shown.loc[key, "difference"] if key in shown.index else np.nan,
                    "point_low": shown.loc[key, "ci_low"] if key in shown.index else np.nan,
                    "point_high": shown.loc[key, "ci_high"] if key in shown.index else np.nan,
                    "draws_median": float(np.median(difference)),
                    "draws_low": float(low),
                    "draws_high": float(high),
                    "draws_p10": float(np.percentile(difference, 10)),
                    "share_positive": float(np.mean(difference > 0)),
                    "draws": len(difference),
                    "drivers": "; ".join(
                        f"{k} {share:.2f}"
                        for k, share in list(drivers(difference, values, keys).items())[:3]
                    ),
                }
            )
        for payer in ("state", "municipal"):
            cost = by_measure[f"{payer}_cost_eur"]
            ratio = cost / np.where(years > 0, years, np.nan)
            defined = bool(np.all(years > 0))
            low, high = np.percentile(ratio, PERCENTILES) if defined else (np.nan, np.nan)
            key = (arm.name, f"{payer}_cost_per_extra_employment_year_eur")
            rows.append(
                {
                    "scenario": arm.name,
                    "measure": key[1],
                    "point": shown.loc[key, "difference"] if key in shown.index else np.nan,
                    "point_low": shown.loc[key, "ci_low"] if key in shown.index else np.nan,
                    "point_high": shown.loc[key, "ci_high"] if key in shown.index else np.nan,
                    "draws_median": float(np.median(ratio)) if defined else np.nan,
                    "draws_low": float(low),
                    "draws_high": float(high),
                    "draws_p10": float(np.percentile(ratio, 10)) if defined else np.nan,
                    "share_positive": float(np.mean(years > 0)),
                    "draws": len(ratio),
                    "drivers": "",
                }
            )
    return pd.DataFrame(rows)


def _number(measure: str, value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    if measure.startswith("employment_rate"):
        return f"{value * 100:+.2f} pp"
    if measure.endswith("_per_extra_employment_year_eur"):
        return f"{value:,.0f}"
    if measure.endswith("_eur"):
        return f"{value / 1e6:+,.1f} M EUR"
    return f"{value:+,.1f}"


#: The columns of :func:`uncertainty_rows`.
UNCERTAINTY_COLUMNS = (
    "scenario",
    "measure",
    "at the point values (simulation noise)",
    "over the draws (parameters and noise)",
    "draws above zero",
    "10th percentile",
    "depends most on",
)


def uncertainty_rows(table: pd.DataFrame) -> list[list[str]]:
    """The draws' table as text cells (:data:`UNCERTAINTY_COLUMNS`)."""
    rows = []
    for row in table.itertuples(index=False):
        m = row.measure
        ratio = m.endswith("_per_extra_employment_year_eur")
        if ratio and not np.isfinite(row.draws_median):
            over = "n/a: some draws gain no employment"
        else:
            over = (
                f"{_number(m, row.draws_median)} ({_number(m, row.draws_low)} .. "
                f"{_number(m, row.draws_high)})"
            )
        if ratio and not np.isfinite(row.point):
            at = "n/a: the gain may be zero"
        else:
            at = f"{_number(m, row.point)} ({_number(m, row.point_low)} .. "
            at += f"{_number(m, row.point_high)})"
        share = f"{row.share_positive:.0%}" + (" gain employment" if ratio else "")
        rows.append([row.scenario, m, at, over, share, _number(m, row.draws_p10), row.drivers])
    return rows


def uncertainty_markdown(table: pd.DataFrame) -> str:
    """The draws' table as Markdown: both intervals side by side, robustness, drivers."""
    lines = ["| " + " | ".join(UNCERTAINTY_COLUMNS) + " |", "|---" * len(UNCERTAINTY_COLUMNS) + "|"]
    lines += [
        "| " + " | ".join([markdown_text(cells[0]), *cells[1:]]) + " |"
        for cells in uncertainty_rows(table)
    ]
    return "\n".join(lines) + "\n"


def trial_draw_effects(
    point: pd.DataFrame,
    replications: list[dict[str, dict[str, float]]],
    values: np.ndarray,
    keys: list[str],
) -> pd.DataFrame:
    """A trial's effects at the point values and across parameter draws.

    Args:
        point: The trial's effects at the point values (``analysis.trials.effects``).
        replications: The drawn trial's comparisons, one per replication (draw).
        values: The draws used, by replication.
        keys: The parameters' names.

    Returns:
        One row per comparison and outcome, as :func:`draw_effects` gives them.
    """
    shown = point.set_index(["comparison", "outcome"])
    rows = []
    for (comparison, outcome), row in shown.iterrows():
        if comparison not in replications[0] or outcome not in replications[0][comparison]:
            continue
        difference = np.array([r[comparison][outcome] for r in replications], dtype=float)
        finite = np.isfinite(difference)
        if not finite.any():
            continue
        d, v = difference[finite], values[finite]
        low, high = np.percentile(d, PERCENTILES)
        zero = 1.0 if outcome == "hazard_ratio" else 0.0
        rows.append(
            {
                "comparison": comparison,
                "outcome": outcome,
                "point": row["effect"],
                "point_low": row["ci_low"],
                "point_high": row["ci_high"],
                "draws_median": float(np.median(d)),
                "draws_low": float(low),
                "draws_high": float(high),
                "draws_p10": float(np.percentile(d, 10)),
                "share_positive": float(np.mean(d > zero)),
                "draws": len(d),
                "drivers": "; ".join(
                    f"{k} {share:.2f}" for k, share in list(drivers(d, v, keys).items())[:3]
                ),
            }
        )
    return pd.DataFrame(rows)


def trial_uncertainty_markdown(table: pd.DataFrame) -> str:
    """A trial's draws table as Markdown (effects in the outcome's own units)."""
    lines = [
        "| comparison | outcome | at the point values (simulation noise) | over the draws "
        "(parameters and noise) | draws above no effect | 10th percentile | depends most on |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in table.itertuples(index=False):
        f = "{:+.3f}" if row.outcome == "hazard_ratio" else "{:+.1f}"
        if row.outcome.startswith("employed_"):
            f = "{:+.3f}"
        lines.append(
            f"| {row.comparison} | {row.outcome} | {f.format(row.point)} "
            f"({f.format(row.point_low)} .. {f.format(row.point_high)}) | "
            f"{f.format(row.draws_median)} ({f.format(row.draws_low)} .. "
            f"{f.format(row.draws_high)}) | {row.share_positive:.0%} | "
            f"{f.format(row.draws_p10)} | {row.drivers} |"
        )
    return "\n".join(lines) + "\n"
