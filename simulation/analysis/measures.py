"""The catalogue of outcome measures: what each one means and how it is read off a run.

Every report of the package takes its measures from here: the run summary
(``results.summarise``), the comparison of scenarios (``compare``), the outputs of a
sweep (``experiments.sweep``) and, for the register statistics, the calibration
targets. A measure is read per replication from a run's tidy tables (``outcomes`` and
``labour_market``, as :func:`simulation.core.records.tables` writes them).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulation.core.records import AFTER_SERVICE_WEEKS, EXIT_DESTINATIONS, HAZARD_WEEKS

__all__ = [
    "AT_END",
    "COSTS_BY_PAYER",
    "EFFECT_GROUPS",
    "markdown_text",
    "GROUP_TITLES",
    "MEASURES",
    "Measure",
    "PAYER_OF",
    "REGISTER_STATISTICS",
    "SUMMARY_MONTHS",
    "WEEKS_PER_MONTH",
    "effect_months",
    "employment_years",
    "group_values",
    "measures_in",
    "month_week",
    "total_cost",
]

WEEKS_PER_MONTH = 52.1775 / 12


@dataclass(frozen=True)
class Measure:
    """One outcome measure.

    Attributes:
        name: Its column in the ``outcomes`` table, or its name in reports.
        label: A short label for tables and plots.
        meaning: What it is, in plain language.
        unit: ``share``, ``days``, ``years`` or ``eur``.
        read: How a report reads it: ``monthly`` (by group, at months after the
            start), ``at_end`` (by group, at the end of the run) or ``total`` (of
            everyone, summed over the run).
        reports: The reports that carry it: ``summary`` (``results.summarise``),
            ``comparison`` (``compare``), ``sweep`` (a sweep's outputs).
    """

    name: str
    label: str
    meaning: str
    unit: str
    read: str = "at_end"
    reports: frozenset[str] = frozenset()


_ALL = frozenset({"summary", "comparison", "sweep"})
_TOTALS = frozenset({"comparison", "sweep"})

#: Every measure, by name, in the order reports list them.
MEASURES = {
    m.name: m
    for m in (
        Measure(
            "employment_rate",
            "employment rate",
            "employed in the open market / everyone in the group who has registered so "
            "far (subsidised work is a service, not employment)",
            "share",
            "monthly",
            _ALL,
        ),
        Measure(
            "days_employed_per_person",
            "days employed",
            "cumulative open-market days employed / people in the group",
            "days",
            "at_end",
            _ALL,
        ),
        Measure(
            "activation_rate",
            "activation rate",
            "in services / (in services + unemployed), as in the register",
            "share",
            "at_end",
            _ALL,
        ),
        Measure(
            "out_of_labour_force_share",
            "out of the labour force",
            "out of the labour force (or off the register) / people in the group",
            "share",
            "at_end",
            _ALL,
        ),
        Measure(
            "long_term_share",
            "long-term share",
            "unemployed with a register spell of 52 weeks or more / unemployed",
            "share",
            "at_end",
            frozenset({"summary"}),
        ),
        Measure(
            "people",
            "people",
            "everyone in the group who has registered so far",
            "people",
            "at_end",
            frozenset({"summary"}),
        ),
        Measure(
            "employment_years",
            "employment years",
            "open-market years employed by everyone, summed",
            "years",
            "total",
            _TOTALS,
        ),
        Measure(
            "state_cost_eur",
            "cost to the state",
            "staff, services and benefits",
            "eur",
            "total",
            _TOTALS,
        ),
        Measure(
            "municipal_cost_eur",
            "cost to the municipalities",
            "staff, services and benefits",
            "eur",
            "total",
            _TOTALS,
        ),
    )
}

#: Months after the start at which the run summary reads the employment rate.
SUMMARY_MONTHS = (6, 12, 24, 30, 36)


def measures_in(report: str, read: str) -> tuple[str, ...]:
    """The names of the measures a report carries that are read in this way, in order."""
    return tuple(m.name for m in MEASURES.values() if report in m.reports and m.read == read)


#: Measures the run summary reads at the end of a run, by group (besides ``people``).
AT_END = tuple(name for name in measures_in("summary", "at_end") if name != "people")
#: The payer of each cost measure.
PAYER_OF = {"state_cost_eur": "state", "municipal_cost_eur": "municipal"}
#: Groups whose effects a comparison reports.
#: The groups effects are given for (``period`` only where the runs name a period).
EFFECT_GROUPS = ("all", "period", "target_group", "long_term_at_start", "under_30", "immigrant")
#: Plain-language names of the outcome groups.
GROUP_TITLES = {
    "all": "All job seekers",
    "target_group": "Pilot target group",
    "long_term_at_start": "Long-term unemployed at start",
    "under_30": "Under 30",
    "immigrant": "Immigrants",
    "kela": "Kela benefit recipients",
    "period": "Job seekers since the period's start",
}
#: The ``labour_market`` cost columns each payer bears.
COSTS_BY_PAYER = {
    "state": ("state_staff", "state_services", "state_benefits"),
    "municipal": ("municipal_staff", "municipal_services", "municipal_benefits"),
}
#: The register statistics a run gives (``records.register_statistics``), which
#: calibration targets may name.
REGISTER_STATISTICS = frozenset(
    {
        f"hazard_to_{destination}_{b + 1}"
        for destination in ("employment", "services")
        for b in range(len(HAZARD_WEEKS))
    }
    | {f"ended_spells_to_{d}" for d in EXIT_DESTINATIONS}
    | {
        f"employed_{round(lag / WEEKS_PER_MONTH)}_months_after_service"
        for lag in AFTER_SERVICE_WEEKS
    }
    | {"long_term_share_end", "activation_rate"}
)


def month_week(months: float) -> int:
    """Index of the week that ends ``months`` after the start."""
    return max(0, round(months * WEEKS_PER_MONTH) - 1)


def markdown_text(label: str) -> str:
    """A label (an arm's, a user's) as Markdown text: HTML in it is shown, not run."""
    return html.escape(str(label), quote=False).replace("|", "\\|")


def effect_months(weeks: int) -> list[int]:
    """Months at which a comparison reads the employment rate: 12, 24, and 36 or 30."""
    late = [m for m in (36, 30) if month_week(m) < weeks][:1]
    return [m for m in (12, 24) if month_week(m) < weeks] + late


def group_values(outcomes: pd.DataFrame, group: str, column: str, week: int) -> np.ndarray:
    """A measure of one group in one week, one value per replication (in order)."""
    rows = outcomes[(outcomes["group"] == group) & (outcomes["week"] == week)]
    if "replication" in rows:
        rows = rows.sort_values("replication")
    return rows[column].to_numpy(dtype=float)


def employment_years(outcomes: pd.DataFrame, week: int) -> np.ndarray:
    """Open-market years employed by everyone up to ``week``, per replication."""
    rows = outcomes[(outcomes["group"] == "all") & (outcomes["week"] == week)]
    if "replication" in rows:
        rows = rows.sort_values("replication")
    return (rows["days_employed_per_person"] * rows["people"]).to_numpy(dtype=float) / 365.25


def total_cost(labour_market: pd.DataFrame, payer: str) -> np.ndarray:
    """A payer's cost over the whole run, per replication (EUR)."""
    columns = list(COSTS_BY_PAYER[payer])
    if "replication" not in labour_market:
        return np.array([labour_market[columns].to_numpy().sum()])
    totals = labour_market.groupby("replication")[columns].sum().sum(axis=1)
    return totals.sort_index().to_numpy(dtype=float)
