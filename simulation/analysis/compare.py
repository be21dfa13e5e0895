"""Scenario comparison: paired differences across replications, with intervals.

Scenarios run with the same root seed, replications and scale share their random
numbers (see :mod:`simulation.core.streams`), so replication *i* of one scenario and
replication *i* of another differ through policy only. Their difference is computed
replication by replication and summarised with a t interval; runs that do not share
seeds are compared as independent samples (Welch) and flagged as unpaired. The runs
themselves are made by :mod:`simulation.experiments.comparison`; this module reads
finished run folders.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from simulation.analysis.measures import (
    EFFECT_GROUPS,
    PAYER_OF,
    effect_months,
    employment_years,
    group_values,
    markdown_text,
    measures_in,
    month_week,
    total_cost,
)
from simulation.analysis.plots import changes_of, plot_comparison
from simulation.analysis.results import atomic_write, verify_run_folder
from simulation.config.errors import InputError
from simulation.core.accounts import COST_COLUMNS

__all__ = [
    "Arm",
    "Comparison",
    "aligned",
    "compare_arms",
    "cost_per_year",
    "effects_markdown",
    "load_arm",
    "measures_of",
    "paired_difference_paths",
    "paired_effect",
    "realised_staffing",
    "write_comparison",
]

LEVEL = 0.90


@dataclass(frozen=True)
class Arm:
    """One scenario's finished run, as read from its run folder."""

    name: str
    folder: Path
    outcomes: pd.DataFrame
    labour_market: pd.DataFrame
    manifest: dict[str, Any]
    organisers: pd.DataFrame | None = None

    @property
    def key(self) -> tuple:
        """What must match for two runs to be paired: seed, replications, scale, weeks."""
        m = self.manifest
        return (m["seed"], m["replications"], m["scale"], m["weeks"])


@dataclass(frozen=True)
class Comparison:
    """The effects of each scenario against the first (the reference)."""

    arms: list[Arm]
    effects: pd.DataFrame
    paired: bool
    folder: Path | None = None
    notes: list[str] = field(default_factory=list)
    since: dt.date | None = None  # employment rates are read this many months after it
    uncertainty: pd.DataFrame | None = None  # effects over parameter draws, if run
    discount_rate: float = 0.0  # of the yearly totals (:mod:`.budget`)


def load_arm(folder: str | Path, label: str | None = None) -> Arm:
    """Read a run folder written by ``simulate run``, shown as ``label``.

    The default label is the folder's name, which says more than the scenario's name
    when runs differ by overrides.
    """
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise InputError(folder, "", "not a run folder (no manifest.json)")
    try:
        manifest = json.loads(manifest_path.read_text())
        weeks, replications = int(manifest["weeks"]), int(manifest["replications"])
        if not {"scenario", "seed", "scale"} <= set(manifest):  # what pairing needs
            raise KeyError("seed")
    except (ValueError, KeyError, TypeError):
        raise InputError(manifest_path, "", "broken: not the manifest of a run") from None
    verify_run_folder(folder, manifest)
    tables = {}
    for table, (key, columns) in _READ_BACK.items():
        path = folder / f"{table}.csv"
        try:
            frame = pd.read_csv(path)
        except (OSError, ValueError) as error:
            raise InputError(path, "", f"cannot be read ({error})") from None
        _check_table(path, frame, key, columns, replications, weeks)
        tables[table] = frame
    label = label or folder.name
    organisers = None
    if (folder / "organisers.csv").is_file():
        try:
            organisers = pd.read_csv(folder / "organisers.csv")
        except (OSError, ValueError) as error:
            raise InputError(folder / "organisers.csv", "", f"cannot be read ({error})") from None
    return Arm(label, folder, tables["outcomes"], tables["labour_market"], manifest, organisers)


#: The tables a comparison reads back: the column naming a row's series within a
#: replication, and the numeric columns it needs.
_READ_BACK = {
    "outcomes": (
        "group",
        ("people", "unemployed", "employed", "out_of_labour_force", "employment_rate")
        + ("activation_rate", "out_of_labour_force_share", "days_employed_per_person"),
    ),
    "labour_market": ("area", COST_COLUMNS),
}


def _check_table(
    path: Path, frame: pd.DataFrame, key: str, columns: tuple[str, ...], reps: int, weeks: int
) -> None:
    """Refuse a table read back that lacks columns, numbers or rows its run wrote.

    The checksums of the manifest catch any change to a table; this also covers folders
    written before manifests had them: every series (replication x group or area) has
    each of the run's weeks once, and the columns compared are there and numeric.
    """
    missing = [c for c in ("replication", "week", key, *columns) if c not in frame.columns]
    if missing:
        raise InputError(path, "", f"damaged: no column {', '.join(missing)}")
    for column in ("replication", "week", *columns):
        if not pd.api.types.is_numeric_dtype(frame[column]):
            raise InputError(path, column, "damaged: expected numbers in every row")
    per_series = frame.groupby(["replication", key])["week"]
    complete = (
        frame["replication"].nunique() == reps
        and per_series.nunique().eq(weeks).all()
        and per_series.size().eq(weeks).all()
        and frame.groupby("replication")[key].nunique().nunique() == 1
    )
    if not complete:
        raise InputError(
            path, "", f"incomplete: expected {reps} replications of {weeks} weeks for each {key}"
        )


def _per_replication(arm: Arm, group: str, column: str, week: int) -> np.ndarray:
    return group_values(arm.outcomes, group, column, week)


def _employment_years(arm: Arm, week: int) -> np.ndarray:
    return employment_years(arm.outcomes, week)


def _cut(arm: Arm, weeks: int) -> Arm:
    """The arm over its first ``weeks`` weeks (outcomes and costs alike)."""
    if int(arm.manifest["weeks"]) == weeks:
        return arm
    organisers = arm.organisers
    return Arm(
        arm.name,
        arm.folder,
        arm.outcomes[arm.outcomes["week"] < weeks],
        arm.labour_market[arm.labour_market["week"] < weeks],
        {**arm.manifest, "weeks": weeks},
        None if organisers is None else organisers[organisers["week"] < weeks],
    )


def _from_week(arm: Arm, week: int) -> Arm:
    """The arm with its costs and staffing from ``week`` on (outcomes whole)."""
    if week == 0:
        return arm
    organisers = arm.organisers
    return replace(
        arm,
        labour_market=arm.labour_market[arm.labour_market["week"] >= week],
        organisers=None if organisers is None else organisers[organisers["week"] >= week],
    )


def _item_cost(arm: Arm, item: str) -> np.ndarray:
    """One cost item over the run, per replication (EUR)."""
    totals = arm.labour_market.groupby("replication")[item].sum()
    return totals.sort_index().to_numpy(dtype=float)


def realised_staffing(arms: list[Arm]) -> pd.DataFrame:
    """Each arm's organisers as they turned out: caseworkers, clients, caseload, interval.

    Means over the weeks and replications of the run; a caseload set in a scenario is
    the one the organiser is staffed at when it starts (or when a dated change sets it),
    and the realised one moves with its clients (the staff stays fixed). Organisers
    closed over the whole period are left out.
    """
    rows = []
    for arm in arms:
        if arm.organisers is None or arm.organisers.empty:
            continue
        columns = ["caseworkers", "clients", "caseload", "meeting_interval_weeks"]
        means = arm.organisers.groupby(["area", "organiser"])[columns].mean().reset_index()
        # An organiser closed over the whole period (the TE office after 2025) is left out.
        means = means[(means["caseworkers"] > 0) | (means["clients"] > 0)]
        rows += [{"scenario": arm.name, **row} for row in means.to_dict(orient="records")]
    return pd.DataFrame(rows)


def _costs(arm: Arm, payer: str) -> np.ndarray:
    return total_cost(arm.labour_market, payer)


def _interval(difference: np.ndarray, se: float, dof: float) -> tuple[float, float]:
    if not np.isfinite(se) or dof <= 0:
        return (float("nan"), float("nan"))
    half = special.stdtrit(dof, 0.5 + LEVEL / 2) * se
    mean = float(np.mean(difference))
    return (mean - half, mean + half)


def paired_effect(reference: np.ndarray, other: np.ndarray, paired: bool) -> dict[str, float]:
    """Mean difference, its standard error and a 90 % t interval."""
    n = len(reference)
    if paired:
        difference = other - reference
        se = float(np.std(difference, ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
        low, high = _interval(difference, se, n - 1)
        mean = float(np.mean(difference))
    else:
        va = np.var(reference, ddof=1) / n if n > 1 else np.nan
        vb = np.var(other, ddof=1) / len(other) if len(other) > 1 else np.nan
        se = float(np.sqrt(va + vb))
        dof = (va + vb) ** 2 / (va**2 / (n - 1) + vb**2 / (len(other) - 1)) if se > 0 else n - 1
        mean = float(np.mean(other) - np.mean(reference))
        half = special.stdtrit(dof, 0.5 + LEVEL / 2) * se if np.isfinite(se) else float("nan")
        low, high = mean - half, mean + half
    return {
        "reference": float(np.mean(reference)),
        "value": float(np.mean(other)),
        "difference": mean,
        "se": se,
        "ci_low": low,
        "ci_high": high,
    }


def _week_of(arm: Arm, date: dt.date) -> int:
    """The week of ``date`` in an arm's run (raises if it is outside the run)."""
    start = dt.date.fromisoformat(str(arm.manifest["scenario"]["run"]["start"]))
    week = (date - start).days // 7
    if not 0 <= week < int(arm.manifest["weeks"]):
        raise InputError(str(arm.folder), "--from", f"{date} is outside the run (from {start})")
    return week


def measures_of(
    reference: Arm, arm: Arm, weeks: int, offset: int
) -> list[tuple[str, str, np.ndarray, np.ndarray]]:
    """(group, measure, reference's values, arm's values by replication) of a comparison.

    ``weeks`` and ``offset`` as :func:`aligned` gives them.
    """
    last = weeks - 1

    def years(run: Arm) -> np.ndarray:
        before = _employment_years(run, offset - 1) if offset else 0.0
        return _employment_years(run, last) - before

    measures: list[tuple[str, str, np.ndarray, np.ndarray]] = []
    present = set(reference.outcomes["group"]) & set(arm.outcomes["group"])
    for group in (g for g in EFFECT_GROUPS if g in present):
        for m in effect_months(weeks - offset):
            week = offset + month_week(m)
            measures.append(
                (
                    group,
                    f"employment_rate_{m}m",
                    _per_replication(reference, group, "employment_rate", week),
                    _per_replication(arm, group, "employment_rate", week),
                )
            )
        for column in measures_in("comparison", "at_end"):
            measures.append(
                (
                    group,
                    column,
                    _per_replication(reference, group, column, last),
                    _per_replication(arm, group, column, last),
                )
            )
    for name in measures_in("comparison", "total"):
        if name == "employment_years":
            measures.append(("all", name, years(reference), years(arm)))
        else:
            payer = PAYER_OF[name]
            measures.append(("all", name, _costs(reference, payer), _costs(arm, payer)))
    for item in COST_COLUMNS:  # the breakdown: staff, services, benefits by payer
        measures.append(("all", f"{item}_eur", _item_cost(reference, item), _item_cost(arm, item)))
    return measures


def aligned(
    arms: list[Arm], common_weeks: bool = False, since: dt.date | None = None
) -> tuple[list[Arm], int, int]:
    """The arms over the weeks they share, with costs from ``since``; weeks and offset.

    Raises:
        InputError: The runs have different horizons and ``common_weeks`` is not set.
    """
    if len(arms) < 2:
        raise ValueError("a comparison needs at least two scenarios")
    horizons = {int(a.manifest["weeks"]) for a in arms}
    if len(horizons) > 1 and not common_weeks:
        raise InputError(
            str(arms[0].folder),
            "weeks",
            "the runs have different horizons ("
            + ", ".join(f"{a.name}: {a.manifest['weeks']}" for a in arms)
            + " weeks); compare them over the weeks they share with --common-weeks",
        )
    weeks = min(horizons)
    arms = [_cut(arm, weeks) for arm in arms]
    reference = arms[0]
    offset = _week_of(reference, since) if since is not None else 0
    # From ``since`` on: costs, staffing and employment years count its weeks only.
    arms = [_from_week(arm, offset) for arm in arms]
    reference = arms[0]
    return arms, weeks, offset


#: A ratio that is not given (the gain may be zero).
_NO_RATIO = {"difference": np.nan, "se": np.nan, "ci_low": np.nan, "ci_high": np.nan}


def cost_per_year(extra_cost: np.ndarray, extra_years: np.ndarray) -> dict[str, float]:
    """Extra cost per extra employment year from paired replications, with a 90 % interval.

    The ratio of the mean extra cost to the mean extra employment years, its standard
    error by the delta method and a t interval. A ratio to a gain that may be zero means
    nothing: where the gain's own interval includes zero (or the gain is not positive)
    every figure is NaN.
    """
    n = len(extra_years)
    blank = dict(_NO_RATIO)
    if n < 2:
        return blank
    gain = float(np.mean(extra_years))
    gain_se = float(np.std(extra_years, ddof=1) / np.sqrt(n))
    t = special.stdtrit(n - 1, 0.5 + LEVEL / 2)
    if not gain - t * gain_se > 0:
        return blank
    ratio = float(np.mean(extra_cost)) / gain
    covariance = np.cov(extra_cost, extra_years, ddof=1)
    variance = (covariance[0, 0] - 2 * ratio * covariance[0, 1] + ratio**2 * covariance[1, 1]) / (
        n * gain**2
    )
    se = float(np.sqrt(max(variance, 0.0)))
    return {"difference": ratio, "se": se, "ci_low": ratio - t * se, "ci_high": ratio + t * se}


def _unpaired_cost_per_year(
    cost_a: np.ndarray, cost_b: np.ndarray, years_a: np.ndarray, years_b: np.ndarray
) -> dict[str, float]:
    """The ratio of mean differences of independent runs; NaN unless the gain is clear."""
    gain = paired_effect(years_a, years_b, paired=False)
    blank = dict(_NO_RATIO)
    if not gain["ci_low"] > 0:
        return blank
    ratio = (float(np.mean(cost_b)) - float(np.mean(cost_a))) / gain["difference"]
    return {**blank, "difference": ratio}


def compare_arms(
    arms: list[Arm], common_weeks: bool = False, since: dt.date | None = None
) -> Comparison:
    """Effects of every arm against the first.

    Measures (per group): the employment rate at 12, 24 and 36 (or 30) months (from the
    start, or from ``since``, e.g. a reform's first day), and at
    the end days employed per person, the activation rate and the out-of-labour-force
    share. For everyone: extra employment years and the extra cost to the state and
    to the municipalities per extra employment year.

    Args:
        arms: Finished runs; the first is the reference.
        common_weeks: Compare runs of different horizons over the weeks they share
            (costs included); without it such runs are refused.
        since: Read the employment rates 12, 24 and 36 months after this date, and
            count costs, staffing and employment years from it.

    Returns:
        The comparison (``effects`` is a tidy table, one row per arm x group x measure).

    Raises:
        InputError: The runs have different horizons and ``common_weeks`` is not set.
    """
    arms, weeks, offset = aligned(arms, common_weeks, since)
    reference = arms[0]
    paired = all(a.key == reference.key for a in arms)
    rows = []
    for arm in arms[1:]:
        measures = measures_of(reference, arm, weeks, offset)
        for group, measure, a, b in measures:
            if len(a) == 0 or len(b) == 0:
                continue
            rows.append(
                {
                    "scenario": arm.name,
                    "group": group,
                    "measure": measure,
                    **paired_effect(a, b, paired),
                    "paired": paired,
                    "replications": len(a),
                }
            )
        by_name = {m: (a, b) for g, m, a, b in measures if g == "all"}
        years_a, years_b = by_name["employment_years"]
        for payer in ("state", "municipal"):
            cost_a, cost_b = by_name[f"{payer}_cost_eur"]
            ratio = (
                cost_per_year(cost_b - cost_a, years_b - years_a)
                if paired
                else _unpaired_cost_per_year(cost_a, cost_b, years_a, years_b)
            )
            rows.append(
                {
                    "scenario": arm.name,
                    "group": "all",
                    "measure": f"{payer}_cost_per_extra_employment_year_eur",
                    "reference": float("nan"),
                    "value": float("nan"),
                    **ratio,
                    "paired": paired,
                    "replications": len(cost_a),
                }
            )
    effects = pd.DataFrame(rows)
    return Comparison(arms=arms, effects=effects, paired=paired, since=since)


def effects_markdown(comparison: Comparison) -> str:
    """The headline effects as a Markdown table (percentage points for rates)."""
    arms = comparison.arms
    lines = [
        f"Reference: **{arms[0].name}**. "
        + (
            "Paired replications (common random numbers)"
            if comparison.paired
            else "Unpaired runs (different seeds or sizes): independent samples"
        )
        + f"; {int(LEVEL * 100)} % intervals"
        + (f"; employment rates N months after {comparison.since}" if comparison.since else "")
        + (
            " (none with a single replication: run two or more)."
            if min(int(a.manifest["replications"]) for a in arms) < 2
            else "."
        ),
        "",
        "| scenario | group | measure | reference | difference | 90 % interval |",
        "|---|---|---|---|---|---|",
    ]
    for row in comparison.effects.itertuples(index=False):
        lines.append("| " + " | ".join(_format_row(row)) + " |")
    return "\n".join(lines) + "\n"


def _format_row(row: Any) -> list[str]:
    measure = row.measure
    if measure.endswith("_rate") or "_rate_" in measure or measure.endswith("_share"):
        ref = f"{row.reference:.1%}"
        diff = f"{row.difference * 100:+.2f} pp"
        interval = f"{row.ci_low * 100:+.2f} .. {row.ci_high * 100:+.2f}"
    elif measure.endswith("_per_extra_employment_year_eur"):
        ref = ""
        if np.isnan(row.difference):
            diff = "n/a (the gain in employment years may be zero)"
            interval = ""
        else:
            diff = f"{row.difference:,.0f}"
            interval = f"{row.ci_low:,.0f} .. {row.ci_high:,.0f}" if np.isfinite(row.ci_low) else ""
    elif measure.endswith("_eur"):  # costs: millions of euros, as a memo quotes them
        ref = f"{row.reference / 1e6:,.1f} M EUR"
        diff = f"{row.difference / 1e6:+,.2f} M EUR"
        interval = f"{row.ci_low / 1e6:+,.2f} .. {row.ci_high / 1e6:+,.2f}"
    else:
        ref = f"{row.reference:,.1f}"
        diff = f"{row.difference:+,.1f}"
        interval = f"{row.ci_low:+,.1f} .. {row.ci_high:+,.1f}"
    return [markdown_text(row.scenario), row.group, measure, ref, diff, interval]


def paired_difference_paths(comparison: Comparison, group: str) -> dict[str, pd.DataFrame]:
    """Employment-rate difference to the reference over time: mean and 90 % interval."""
    reference = comparison.arms[0]
    ref = reference.outcomes[reference.outcomes["group"] == group].pivot(
        index="week", columns="replication", values="employment_rate"
    )
    paths = {}
    for arm in comparison.arms[1:]:
        other = arm.outcomes[arm.outcomes["group"] == group].pivot(
            index="week", columns="replication", values="employment_rate"
        )
        weeks = ref.index.intersection(other.index)
        a, b = ref.loc[weeks].to_numpy(), other.loc[weeks].to_numpy()
        rows = [paired_effect(a[i], b[i], comparison.paired) for i in range(len(weeks))]
        frame = pd.DataFrame(rows, index=weeks)
        dates = reference.outcomes.drop_duplicates("week").set_index("week")["date"]
        frame["date"] = pd.to_datetime(dates.loc[weeks]).to_numpy()
        paths[arm.name] = frame
    return paths


def _arms_markdown(arms: list[Arm]) -> str:
    """What each arm ran: its scenario file and every override it was given."""
    lines = ["Arms:", ""]
    for arm in arms:
        source = arm.manifest.get("source") or {}
        file = source.get("file") or str(arm.folder)
        overrides = source.get("overrides") or []
        extra = (" with " + ", ".join(f"`{o}`" for o in overrides)) if overrides else ""
        lines.append(f"- **{markdown_text(arm.name)}**: `{file}`{extra}")
    return "\n".join(lines) + "\n\n"


def _staffing_markdown(staffing: pd.DataFrame, since: dt.date | None = None) -> str:
    """The realised staffing as a Markdown table (means over weeks and replications)."""
    if staffing.empty:
        return ""
    weeks = "the run's weeks" if since is None else f"the weeks from {since.isoformat()}"
    lines = [
        "",
        f"Realised staffing (means over {weeks} and replications):",
        "",
        "| scenario | area | organiser | caseworkers | clients | caseload "
        "| weeks between meetings |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in staffing.itertuples(index=False):
        lines.append(
            f"| {markdown_text(row.scenario)} | {row.area} | {row.organiser} | "
            f"{row.caseworkers:,.0f} | {row.clients:,.0f} | {row.caseload:.0f} | "
            f"{row.meeting_interval_weeks:.1f} |"
        )
    return "\n".join(lines) + "\n"


def write_comparison(comparison: Comparison, out: str | Path, plots: bool = True) -> Comparison:
    """Write ``comparison.csv``, ``comparison.md`` and (with ``plots``) the plots to ``out``.

    Returns:
        The comparison with its folder.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with atomic_write(out / "comparison.csv") as file:
        comparison.effects.to_csv(file, index=False, lineterminator="\n")
    staffing = realised_staffing(comparison.arms)
    with atomic_write(out / "staffing.csv") as file:
        staffing.to_csv(file, index=False, lineterminator="\n")
    with atomic_write(out / "comparison.md") as file:
        file.write(
            _arms_markdown(comparison.arms)
            + effects_markdown(comparison)
            + _staffing_markdown(staffing, comparison.since)
        )
    if plots:
        groups = [g for g in EFFECT_GROUPS if g in set(comparison.arms[0].outcomes["group"])]
        first = comparison.arms[0].manifest
        caption = (
            f"scale {first.get('scale')}, {first.get('replications')} replications, "
            f"seed {first.get('seed')}; "
            + ("paired (common random numbers)" if comparison.paired else "unpaired")
        )
        plot_comparison(
            [(arm.name, arm.outcomes) for arm in comparison.arms],
            {group: paired_difference_paths(comparison, group) for group in groups},
            comparison.paired,
            out,
            caption,
            sorted({c for arm in comparison.arms for c in changes_of(arm.manifest["scenario"])}),
            since=comparison.since,
        )
    return replace(comparison, folder=out)
