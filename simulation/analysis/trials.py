"""Effects of an in-silico trial, from the follow-up of each replication.

Each replication runs the trial twice with the same seed: with the treatment, and
without it (everyone served as usual; the arms are still drawn). Since the two runs
share every random number (common random numbers), the same person can be compared
with themself, which a field experiment cannot do. Per replication this module
computes, for each outcome:

* ``treated_vs_control``: the treated against the untreated eligible of the same areas
  in the trial run (what the experiment itself estimates);
* ``on_treated``: the treated against themselves without the trial;
* ``on_untreated``: the untreated eligible of treated areas against themselves without
  the trial (displacement, or other spillovers);
* ``on_eligible``: everyone eligible in treated areas, with against without (net);
* ``untreated_vs_pure_control``: the untreated of treated areas against the eligible
  of areas with share 0 (the clustered design's spillover estimate), when there are
  such areas.

Across replications each is summarised by its mean and a 90 % t interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from simulation.core.trial import ARM_CONTROL, ARM_TREATED, CATEGORIES

__all__ = [
    "COMPARISONS",
    "LEVEL",
    "arm_means",
    "effects",
    "effects_markdown",
    "replication_effects",
]

LEVEL = 0.90
COMPARISONS = (
    "treated_vs_control",
    "on_treated",
    "on_untreated",
    "on_eligible",
    "untreated_vs_pure_control",
)


def _outcomes(table: pd.DataFrame, read_months: dict[str, float]) -> pd.DataFrame:
    """Person-level outcomes: days in each status, employment at each month."""
    out = pd.DataFrame(index=table.index)
    for name in CATEGORIES:
        out[f"days_{name}"] = table[f"weeks_{name}"] * 7.0
    # Registered as a job seeker, unemployed or in a service (as experiments that count
    # programme participation as unemployment report it).
    out["days_registered"] = out["days_unemployed"] + out["days_in_services"]
    for column, months in read_months.items():
        out[f"employed_{months:g}m"] = table[column].astype(float)
    return out


def _hazard(table: pd.DataFrame, weeks: int) -> float:
    """First jobs per person-week at risk within the first ``weeks`` after assignment."""
    first = table["first_job_week"].to_numpy()
    found = (first >= 0) & (first < weeks)
    at_risk = np.where(found, first + 1, weeks).sum()
    return float(found.sum() / at_risk) if at_risk else float("nan")


def arm_means(
    table: pd.DataFrame, shares: dict[str, float], read_months: dict[str, float], weeks: int
) -> dict[str, dict[str, float]]:
    """Mean outcomes of the treated, the untreated of treated areas and of control areas.

    Args:
        table: One replication's follow-up (``FollowUp.table``), one row per person.
        shares: Treated share by area.
        read_months: Follow-up column of each month's employment -> months.
        weeks: Weeks over which the job-finding hazard is measured.

    Returns:
        By group (``treated``, ``untreated``, ``eligible``, ``pure_control``): the
        number of people and the mean of every outcome, with the hazard to a first job.
    """
    treated_area = table["area"].map(lambda a: shares[a] > 0).to_numpy(dtype=bool)
    arm = table["arm"].to_numpy()
    groups = {
        "treated": arm == ARM_TREATED,
        "untreated": (arm == ARM_CONTROL) & treated_area,
        "eligible": treated_area,
        "pure_control": ~treated_area,
    }
    outcomes = _outcomes(table, read_months)
    means = {}
    for name, members in groups.items():
        row = {"people": float(members.sum())}
        row.update(outcomes[members].mean().to_dict() if members.any() else {})
        row["hazard"] = _hazard(table[members], weeks) if members.any() else float("nan")
        means[name] = row
    return means


def replication_effects(
    with_trial: dict[str, dict[str, float]], without: dict[str, dict[str, float]]
) -> dict[str, dict[str, float]]:
    """The comparisons of one replication, by comparison and outcome (see the module)."""
    outcomes = [k for k in with_trial["treated"] if k not in ("people", "hazard")]

    def difference(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
        row = {k: a.get(k, np.nan) - b.get(k, np.nan) for k in outcomes}
        row["hazard_ratio"] = a["hazard"] / b["hazard"] if b["hazard"] else np.nan
        return row

    result = {
        "treated_vs_control": difference(with_trial["treated"], with_trial["untreated"]),
        "on_treated": difference(with_trial["treated"], without["treated"]),
        "on_untreated": difference(with_trial["untreated"], without["untreated"]),
        "on_eligible": difference(with_trial["eligible"], without["eligible"]),
    }
    if with_trial["pure_control"]["people"] > 0:
        result["untreated_vs_pure_control"] = difference(
            with_trial["untreated"], with_trial["pure_control"]
        )
    result["people"] = {
        "treated": with_trial["treated"]["people"],
        "untreated": with_trial["untreated"]["people"],
    }
    return result


def effects(replications: list[dict[str, dict[str, float]]]) -> pd.DataFrame:
    """Mean and 90 % t interval of every comparison and outcome across replications.

    Also the displacement share of employment outcomes: what the untreated lose as a
    share of what the treated gain (effects times people: -(on_untreated x untreated) /
    (on_treated x treated)), from the means across replications, without an interval.
    """
    rows = []
    comparisons = [c for c in COMPARISONS if c in replications[0]]
    for comparison in comparisons:
        for outcome in replications[0][comparison]:
            values = np.array([r[comparison][outcome] for r in replications], dtype=float)
            n = int(np.isfinite(values).sum())
            mean = float(np.nanmean(values)) if n else float("nan")
            se = float(np.nanstd(values, ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
            half = special.stdtrit(n - 1, 0.5 + LEVEL / 2) * se if n > 1 else float("nan")
            rows.append(
                {
                    "comparison": comparison,
                    "outcome": outcome,
                    "effect": mean,
                    "se": se,
                    "ci_low": mean - half,
                    "ci_high": mean + half,
                    "replications": n,
                }
            )
    people = _people_ratio(replications)
    for outcome in replications[0]["on_treated"]:
        if not (outcome.startswith("employed_") or outcome == "days_employed"):
            continue
        loss = np.mean([r["on_untreated"][outcome] for r in replications])
        gain = np.mean([r["on_treated"][outcome] for r in replications])
        rows.append(
            {
                "comparison": "displacement_share",
                "outcome": outcome,
                "effect": float(-loss * people / gain) if gain else float("nan"),
                "se": float("nan"),
                "ci_low": float("nan"),
                "ci_high": float("nan"),
                "replications": len(replications),
            }
        )
    return pd.DataFrame(rows)


def _people_ratio(replications: list[dict[str, dict[str, float]]]) -> float:
    """Untreated per treated eligible person (the weight of a loss against a gain)."""
    untreated = np.mean([r["people"]["untreated"] for r in replications])
    treated = np.mean([r["people"]["treated"] for r in replications])
    return float(untreated / treated) if treated else float("nan")


def effects_markdown(frame: pd.DataFrame, name: str) -> str:
    """The effects as a Markdown table (days, percentage points, ratios)."""
    lines = [
        f"Trial **{name}**: paired replications (each with and without the trial, same "
        f"seeds); {int(LEVEL * 100)} % intervals.",
        "",
        "| comparison | outcome | effect | 90 % interval |",
        "|---|---|---|---|",
    ]
    for row in frame.itertuples(index=False):
        if row.outcome.startswith("employed_") and row.comparison != "displacement_share":
            effect = f"{row.effect * 100:+.2f} pp"
            interval = f"{row.ci_low * 100:+.2f} .. {row.ci_high * 100:+.2f}"
        elif row.outcome == "hazard_ratio" or row.comparison == "displacement_share":
            effect = f"{row.effect:.3f}"
            interval = f"{row.ci_low:.3f} .. {row.ci_high:.3f}" if np.isfinite(row.se) else ""
        else:
            effect = f"{row.effect:+.1f} days"
            interval = f"{row.ci_low:+.1f} .. {row.ci_high:+.1f}"
        lines.append(f"| {row.comparison} | {row.outcome} | {effect} | {interval} |")
    return "\n".join(lines) + "\n"
