"""PNG plots of runs, comparisons, sweeps and fits, drawn from plain tables.

The lowest part of the analysis layer besides the measures: every function takes data
frames and names, never an analysis object, so whoever computes a result can plot it.
Bands are the 5-95 % range across replications; lines are their mean.
"""

from __future__ import annotations

import datetime as dt
import importlib
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.analysis.measures import GROUP_TITLES as _GROUP_TITLES
from simulation.core.records import STATUS_COLUMNS


class _OnFirstUse:
    """A matplotlib module imported when a plot is first drawn, with the file backend.

    Importing pyplot takes about 0.4 s; a run with ``--no-plots``, or one that only
    reads results, does not pay it.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: Any = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            import matplotlib

            matplotlib.use("Agg")
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)


plt = _OnFirstUse("matplotlib.pyplot")
mdates = _OnFirstUse("matplotlib.dates")

__all__ = [
    "plot_run",
    "plot_employment",
    "plot_statuses",
    "plot_organisers",
    "plot_comparison",
    "plot_sensitivity",
    "plot_fit",
    "plot_trial",
    "plot_uncertainty",
    "changes_of",
]
_ORGANISER_NAMES = {"TEOffice": "TE office", "City": "city", "TrialOrganiser": "trial"}


def _arm_colour(index: int) -> str:
    """The colour of a scenario, the same in every figure of a comparison."""
    return f"C{index % 10}"


_METADATA = {"Software": None}  # keeps the PNG bytes identical between runs


def _band(
    frame: pd.DataFrame, column: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    wide = frame.pivot(index="date", columns="replication", values=column)
    dates = pd.to_datetime(wide.index).to_numpy()
    values = wide.to_numpy(dtype=float)
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        if not np.isnan(values).any():  # nanquantile goes row by row: 0.1 s a panel
            low, high = np.quantile(values, [0.05, 0.95], axis=1)
            return dates, values.mean(axis=1), low, high
        # Weeks without a value in any replication (no meeting held) stay gaps in the line.
        return (
            dates,
            np.nanmean(values, axis=1),
            np.nanquantile(values, 0.05, axis=1),
            np.nanquantile(values, 0.95, axis=1),
        )


def _save(figure: plt.Figure, path: Path, caption: str = "", bottom: float = 0.0) -> Path:
    """Write a figure, with a caption line (scale, replications, seed) at its foot.

    ``bottom`` keeps that fraction of the height free above the caption (a legend).
    """
    if caption:
        figure.text(0.01, 0.005, caption, fontsize=7, color="#555555", va="bottom")
        figure.tight_layout(rect=(0, 0.03 + bottom, 1, 1))
    elif bottom:
        figure.tight_layout(rect=(0, bottom, 1, 1))
    else:
        figure.tight_layout()
    figure.savefig(path, dpi=110, metadata=_METADATA)
    plt.close(figure)
    return path


def _format_dates(axis: plt.Axes, changes: Changes = ()) -> None:
    axis.xaxis.set_major_locator(mdates.YearLocator())
    axis.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    axis.grid(alpha=0.3)
    _mark_changes(axis, changes)


#: Dated policy changes to mark: (date, label), as ``changes_of`` gives them.
Changes = Sequence[tuple[dt.date, str]]


def changes_of(scenario: dict[str, Any]) -> list[tuple[dt.date, str]]:
    """The dated changes of a scenario as its manifest records it (``scenario`` entry)."""
    return [
        (dt.date.fromisoformat(str(c["date"])), str(c.get("label", "")))
        for c in scenario.get("timeline", [])
    ]


def _mark_changes(axis: plt.Axes, changes: Changes) -> None:
    """A dotted vertical line at each policy change, labelled at the top of the panel.

    Changes on the same date (of different scenarios) share one line and one label.
    """
    labels: dict[dt.date, list[str]] = {}
    for date, label in changes:
        labels.setdefault(date, [])
        if label and label not in labels[date]:
            labels[date].append(label)
    for date, names in labels.items():
        label = " / ".join(names)
        axis.axvline(date, color="#444444", lw=0.9, ls=":", zorder=0)
        if label:
            axis.annotate(
                label,
                (mdates.date2num(date), 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(2, -2),
                textcoords="offset points",
                fontsize=7,
                color="#444444",
                rotation=90,
                va="top",
            )


def plot_employment(
    outcomes: pd.DataFrame, path: Path, title: str = "", caption: str = "", changes: Changes = ()
) -> Path:
    """Employment rate over time, one panel per group, mean and 5-95 % band."""
    groups = [g for g in _GROUP_TITLES if g in set(outcomes["group"])]
    columns = 3
    rows = -(-len(groups) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(12, 3.6 * rows), sharey=True, squeeze=False)
    for axis, group in zip(axes.flat, groups, strict=False):
        dates, mean, low, high = _band(outcomes[outcomes["group"] == group], "employment_rate")
        axis.fill_between(dates, low, high, alpha=0.25, label="5-95 % of replications")
        axis.plot(dates, mean, lw=1.8, label="mean")
        axis.set_title(_GROUP_TITLES[group])
        axis.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
        _format_dates(axis, changes)
    for axis in list(axes.flat)[len(groups) :]:
        axis.set_visible(False)
    axes[0, 0].set_ylabel("employed in the open market")
    axes[0, 0].legend(loc="lower right", fontsize=8)
    figure.suptitle(f"{title}: employment rate by group".strip(": "))
    return _save(figure, path, caption)


def plot_statuses(
    outcomes: pd.DataFrame, path: Path, title: str = "", caption: str = "", changes: Changes = ()
) -> Path:
    """Where everyone is, week by week (mean over replications), as stacked areas."""
    frame = outcomes[outcomes["group"] == "all"]
    mean = frame.groupby("date")[list(STATUS_COLUMNS)].mean()
    dates = pd.to_datetime(mean.index).to_numpy()
    figure, axis = plt.subplots(figsize=(10, 4.5))
    labels = [c.replace("_", " ") for c in STATUS_COLUMNS]
    axis.stackplot(dates, mean.to_numpy().T, labels=labels, alpha=0.85)
    axis.set_ylabel("people")
    axis.legend(loc="upper left", fontsize=8, ncol=2)
    _format_dates(axis, changes)
    axis.set_title(f"{title}: status of everyone who has registered".strip(": "))
    return _save(figure, path, caption)


def plot_organisers(
    organisers: pd.DataFrame,
    path: Path,
    title: str = "",
    caption: str = "",
    changes: Changes = (),
) -> Path:
    """Realised caseload and meeting intervals per organiser, with bands.

    The third panel is the realised interval of the newly registered: the weeks the
    unemployed spend in a spell's first 13 weeks per meeting held in those weeks (the
    Nordic model: every 2 weeks).
    """
    columns = ("caseload", "meeting_interval_weeks", "meeting_interval_new_weeks")
    columns = tuple(c for c in columns if c in organisers)
    figure, axes = plt.subplots(1, len(columns), figsize=(6 * len(columns), 4), squeeze=False)
    axes = axes[0]
    for (area, organiser), frame in organisers.groupby(["area", "organiser"], sort=True):
        label = f"{area}: {_ORGANISER_NAMES.get(organiser, organiser)}"
        for axis, column in zip(axes, columns, strict=True):
            dates, mean, low, high = _band(frame, column)
            axis.fill_between(dates, low, high, alpha=0.2)
            axis.plot(dates, mean, lw=1.5, label=label)
    titles = {
        "caseload": ("Realised caseload", "clients per caseworker (5-95 % band)"),
        "meeting_interval_weeks": (
            "Realised interval between meetings",
            "weeks since the previous meeting",
        ),
        "meeting_interval_new_weeks": (
            "Newly registered: weeks per meeting",
            "in a spell's first 3 months",
        ),
    }
    for axis, column in zip(axes, columns, strict=True):
        axis.set_title(titles[column][0])
        axis.set_ylabel(titles[column][1])
        axis.set_ylim(bottom=0)
        _format_dates(axis, changes)
    axes[0].legend(fontsize=8)
    figure.suptitle(title)
    return _save(figure, path, caption)


def plot_run(
    tables: dict[str, pd.DataFrame],
    folder: Path,
    title: str = "",
    caption: str = "",
    changes: Changes = (),
) -> list[Path]:
    """All plots of a run folder (``caption``: scale, replications, seed).

    ``changes``: the scenario's dated policy changes, marked in every panel.
    """
    outcomes = tables["outcomes"]
    paths = [
        plot_employment(outcomes, folder / "employment_rate.png", title, caption, changes),
        plot_statuses(outcomes, folder / "statuses.png", title, caption, changes),
    ]
    if not tables["organisers"].empty:
        paths.append(
            plot_organisers(tables["organisers"], folder / "caseload.png", title, caption, changes)
        )
    return paths


#: Comparisons of up to this many scenarios draw the 90 % bands; more would hide the lines.
BANDS_UP_TO = 4


def _legend_below(figure: plt.Figure, axis: plt.Axes) -> float:
    """One legend for the figure, under the panels, in rows of up to four entries.

    Returns:
        The fraction of the figure's height it takes (for ``_save``).
    """
    handles, labels = axis.get_legend_handles_labels()
    rows = -(-len(labels) // 4)
    figure.legend(
        handles,
        labels,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.03),
        ncol=min(len(labels), 4),
        fontsize=9,
        frameon=False,
    )
    return 0.035 * rows + 0.01


def plot_comparison(
    arms: list[tuple[str, pd.DataFrame]],
    differences: dict[str, dict[str, pd.DataFrame]],
    paired: bool,
    folder: Path,
    caption: str = "",
    changes: Changes = (),
    since: dt.date | None = None,
) -> list[Path]:
    """Employment paths per scenario, and differences to the reference, by group.

    Args:
        arms: Each scenario's name and ``outcomes`` table; the first is the reference.
        differences: By group, by scenario: the difference to the reference over time
            (``date``, ``difference``, ``ci_low``, ``ci_high``).
        paired: Whether the differences are paired (common random numbers).
        folder: Where to write ``compare_employment.png`` and ``compare_difference.png``.
        caption: Scale, replications and seed, at the foot of each figure.
        changes: Dated policy changes of the scenarios, marked in every panel.
        since: Show the weeks from this date on (``compare --from``).

    With more than ``BANDS_UP_TO`` scenarios the bands are left out (the lines stay
    readable; the intervals are in the tables), and the legend sits under the panels,
    one entry per scenario, in every case.

    Returns:
        The paths written.
    """
    groups = list(differences)
    bands = len(arms) <= BANDS_UP_TO
    paths = []
    if since is not None:
        changes = [(date, label) for date, label in changes if date >= since]
    figure, axes = plt.subplots(2, 3, figsize=(13, 7.5), sharey=True, squeeze=False)
    for axis, group in zip(axes.flat, groups, strict=False):
        for i, (name, outcomes) in enumerate(arms):  # one colour per arm in both figures
            frame = outcomes[outcomes["group"] == group]
            dates, mean, low, high = _band(frame, "employment_rate")
            if bands:
                axis.fill_between(dates, low, high, alpha=0.2, color=_arm_colour(i))
            axis.plot(dates, mean, lw=1.5, label=name, color=_arm_colour(i))
        axis.set_title(_GROUP_TITLES[group])
        axis.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
        _format_dates(axis, changes)
        if since is not None:
            axis.set_xlim(left=pd.Timestamp(since))
    for axis in list(axes.flat)[len(groups) :]:
        axis.set_visible(False)
    bottom = _legend_below(figure, axes[0, 0])
    axes[0, 0].set_ylabel("employment rate (90 % band)" if bands else "employment rate")
    figure.suptitle("Employment rate by scenario")
    paths.append(_save(figure, folder / "compare_employment.png", caption, bottom))

    figure, axes = plt.subplots(2, 3, figsize=(13, 7.5), sharey=True, squeeze=False)
    for axis, group in zip(axes.flat, groups, strict=False):
        for i, (name, frame) in enumerate(differences[group].items(), start=1):
            colour = _arm_colour(i)
            if bands:
                axis.fill_between(
                    frame["date"],
                    frame["ci_low"] * 100,
                    frame["ci_high"] * 100,
                    alpha=0.2,
                    color=colour,
                )
            axis.plot(frame["date"], frame["difference"] * 100, lw=1.5, label=name, color=colour)
        axis.axhline(0.0, color="black", lw=0.8)
        axis.set_title(_GROUP_TITLES[group])
        _format_dates(axis, changes)
        if since is not None:
            axis.set_xlim(left=pd.Timestamp(since))
    for axis in list(axes.flat)[len(groups) :]:
        axis.set_visible(False)
    bottom = _legend_below(figure, axes[0, 0])
    axes[0, 0].set_ylabel("percentage points (90 % interval)" if bands else "percentage points")
    kind = "paired difference" if paired else "difference (unpaired)"
    figure.suptitle(f"Employment rate: {kind} to {arms[0][0]}")
    paths.append(_save(figure, folder / "compare_difference.png", caption, bottom))
    return paths


def plot_sensitivity(
    method: str,
    output: str,
    indices: pd.DataFrame | None,
    means: pd.DataFrame,
    folder: Path,
) -> list[Path]:
    """Index bar charts, the outcome against each parameter, and a response surface.

    Args:
        method: The sweep's design method (a grid gets a response surface).
        output: The outcome analysed.
        indices: Sobol or Morris indices by parameter, if the design gave them.
        means: The outcome's mean by design point, with the parameters' values.
        folder: The sweep folder.

    Returns:
        The paths written.
    """
    paths = []
    names = [c for c in means.columns if c != output]
    if indices is not None:
        frame = indices
        figure, axis = plt.subplots(figsize=(1.6 + 1.4 * len(frame), 4))
        x = np.arange(len(frame))
        if "first_order" in frame:
            axis.bar(
                x - 0.2,
                frame["first_order"],
                0.4,
                yerr=frame["first_order_conf"],
                label="first order",
                capsize=3,
            )
            axis.bar(
                x + 0.2,
                frame["total_order"],
                0.4,
                yerr=frame["total_order_conf"],
                label="total order",
                capsize=3,
            )
            axis.set_ylabel("Sobol index (95 % bootstrap interval)")
        else:
            axis.bar(x, frame["mu_star"], 0.6, yerr=frame["mu_star_conf"], capsize=3, label="mu*")
            axis.set_ylabel("Morris mu* (95 % bootstrap interval)")
        axis.set_xticks(x, frame["parameter"], rotation=20, ha="right")
        axis.legend()
        axis.set_title(f"Sensitivity of {output}")
        paths.append(_save(figure, folder / f"indices-{output}.png"))
    figure, axes = plt.subplots(1, len(names), figsize=(4 * len(names), 3.6), squeeze=False)
    for axis, name in zip(axes[0], names, strict=True):
        axis.scatter(means[name], means[output], s=12, alpha=0.7)
        axis.set_xlabel(name)
        axis.grid(alpha=0.3)
    axes[0, 0].set_ylabel(output)
    paths.append(_save(figure, folder / f"outcome_by_parameter-{output}.png"))
    if method == "grid" and len(names) >= 2:
        surface = means.pivot_table(index=names[1], columns=names[0], values=output)
        figure, axis = plt.subplots(figsize=(6.5, 4.8))
        values = surface.to_numpy()
        image = axis.imshow(values, origin="lower", aspect="auto", cmap="viridis")
        axis.set_xticks(range(surface.shape[1]), [f"{v:g}" for v in surface.columns])
        axis.set_yticks(range(surface.shape[0]), [f"{v:g}" for v in surface.index])
        axis.set_xlabel(names[0].replace("_", " "))
        axis.set_ylabel(names[1].replace("_", " "))
        share = "rate" in output or "share" in output
        middle = (np.nanmin(values) + np.nanmax(values)) / 2
        for (i, j), value in np.ndenumerate(values):
            text = f"{value:.1%}" if share else f"{value:.3g}"
            colour = "black" if value > middle else "white"  # dark text on light cells
            axis.text(j, i, text, ha="center", va="center", color=colour, fontsize=8)
        bar = figure.colorbar(image, label=output.replace("_", " "))
        if share:
            bar.formatter = plt.FuncFormatter(lambda v, _: f"{v:.1%}")
            bar.update_ticks()
        axis.set_title("Response surface (mean over replications)")
        paths.append(_save(figure, folder / f"response_surface-{output}.png"))
    return paths


def plot_fit(report: pd.DataFrame, path: Path) -> Path:
    """Observed and simulated monthly hazards by spell length (to employment, to services)."""
    labels = ["<1", "1-3", "3-6", "6-12", "12-18", "18-24", ">24"]
    figure, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=False)
    for axis, destination in zip(axes, ("employment", "services"), strict=True):
        rows = report[report["statistic"].str.startswith(f"hazard_to_{destination}_")]
        if rows.empty:
            axis.set_visible(False)
            continue
        x = np.array([int(s.rsplit("_", 1)[1]) - 1 for s in rows["statistic"]])
        axis.plot(x, rows["observed"], "o-", label="observed (register)")
        axis.errorbar(
            x,
            rows["simulated"],
            yerr=[rows["simulated"] - rows["low"], rows["high"] - rows["simulated"]],
            fmt="s--",
            capsize=3,
            label="simulated",
        )
        axis.set_xticks(range(len(labels)), labels)
        axis.set_xlabel("months unemployed")
        axis.set_title(f"Monthly hazard to {destination}")
        axis.grid(alpha=0.3)
    axes[0].legend()
    return _save(figure, path)


_TRIAL_COMPARISONS = {
    "treated_vs_control": "treated vs untreated (the experiment's estimate)",
    "on_treated": "treated, with vs without the trial",
    "on_untreated": "untreated eligible, with vs without the trial",
    "on_eligible": "all eligible of treated areas, with vs without",
}


def plot_trial(effects: pd.DataFrame, path: Path, title: str = "") -> Path:
    """A trial's employment effects by months since assignment, with 90 % intervals.

    Args:
        effects: The trial's effects table (``analysis.trials.effects``).
        path: Where to write the PNG.
        title: The trial's name.

    Returns:
        The path written.
    """
    figure, axis = plt.subplots(figsize=(8, 4.5))
    for offset, (comparison, label) in enumerate(_TRIAL_COMPARISONS.items()):
        rows = effects[
            (effects["comparison"] == comparison) & effects["outcome"].str.startswith("employed_")
        ]
        if rows.empty:
            continue
        months = rows["outcome"].str.extract(r"employed_([0-9.]+)m")[0].astype(float).to_numpy()
        x = months + (offset - 1.5) * 0.15
        mean = rows["effect"].to_numpy() * 100
        low, high = rows["ci_low"].to_numpy() * 100, rows["ci_high"].to_numpy() * 100
        axis.errorbar(x, mean, yerr=[mean - low, high - mean], fmt="o-", capsize=3, label=label)
    axis.axhline(0.0, color="black", lw=0.8)
    axis.set_xlabel("months since assignment")
    axis.set_ylabel("employed in the open market (percentage points)")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    axis.set_title(f"{title}: employment effects (90 % intervals)".strip(": "))
    return _save(figure, path)


def plot_uncertainty(table: pd.DataFrame, path: Path, measures: Sequence[str]) -> Path:
    """Each arm's effect at the point values and over the parameter draws, side by side.

    Args:
        table: The draws' table (``analysis.uncertainty.draw_effects``).
        path: Where to write the PNG.
        measures: The measures to show, one panel each.

    Returns:
        The path written.
    """
    shown = [m for m in measures if m in set(table["measure"])]
    figure, axes = plt.subplots(1, len(shown), figsize=(4.2 * len(shown), 0.8 + 0.6 * 4))
    axes = np.atleast_1d(axes)
    for axis, measure in zip(axes, shown, strict=True):
        rows = table[table["measure"] == measure].reset_index(drop=True)
        factor = 100.0 if measure.startswith("employment_rate") else 1.0
        unit = " (pp)" if factor == 100.0 else ""
        if measure.endswith("_eur"):
            factor, unit, measure = 1e-6, " (M EUR)", measure[: -len("_eur")]
        y = np.arange(len(rows))[::-1]
        point = rows["point"].to_numpy() * factor
        axis.errorbar(
            point,
            y + 0.12,
            xerr=[point - rows["point_low"] * factor, rows["point_high"] * factor - point],
            fmt="o",
            color="C0",
            capsize=3,
            label="point values (simulation noise)",
        )
        median = rows["draws_median"].to_numpy() * factor
        axis.errorbar(
            median,
            y - 0.12,
            xerr=[median - rows["draws_low"] * factor, rows["draws_high"] * factor - median],
            fmt="s",
            color="C3",
            capsize=3,
            label="parameter draws (5-95 %)",
        )
        axis.axvline(0.0, color="black", lw=0.8)
        axis.set_yticks(y, rows["scenario"], fontsize=8)
        axis.set_title(measure.replace("_", " ") + unit, fontsize=9)
        axis.grid(alpha=0.3, axis="x")
    axes[0].legend(fontsize=7, loc="lower left", bbox_to_anchor=(0, 1.08))
    return _save(figure, path)
