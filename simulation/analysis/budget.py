"""Yearly budgets of a comparison: employment years and each payer's costs by year.

A memo quotes a policy's effect year by year: how many more years of employment in
2025, 2026 and 2027, and what each payer (the state, the municipalities) spends on
staff, services and benefits in each. :func:`yearly_effects` gives the paired
difference of every arm against the reference for each calendar year with a 90 %
interval; :func:`write_workbook` puts a comparison's tables into one spreadsheet.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from simulation.analysis.compare import Arm, Comparison, paired_effect, realised_staffing
from simulation.analysis.measures import COSTS_BY_PAYER, markdown_text
from simulation.analysis.results import atomic_write
from simulation.core.accounts import COST_COLUMNS

__all__ = [
    "YEARLY_MEASURES",
    "discount_note",
    "write_budget",
    "write_workbook",
    "yearly_effects",
    "yearly_markdown",
    "yearly_rows",
]

#: The yearly measures: employment years, each payer's total and net public cost, items.
YEARLY_MEASURES = (
    "employment_years",
    "state_cost_eur",
    "municipal_cost_eur",
    "public_cost_eur",
    *(f"{item}_eur" for item in COST_COLUMNS),
)


def _year_of(dates: pd.Series) -> pd.Series:
    """The calendar year of each week: the year of its Thursday (as ISO 8601 weeks).

    The tables date a week by its Sunday; a week from Monday 29 December to Sunday 4
    January belongs to the year of its Thursday, 1 January.
    """
    return (pd.to_datetime(dates) - pd.Timedelta(days=3)).dt.year


def _years_by_year(arm: Arm) -> pd.DataFrame:
    """Employment years within each calendar year (replications x years)."""
    rows = arm.outcomes[arm.outcomes["group"] == "all"].copy()
    rows["years"] = rows["days_employed_per_person"] * rows["people"] / 365.25
    rows["year"] = _year_of(rows["date"])
    last = rows.sort_values("week").groupby(["replication", "year"])["years"].last().unstack()
    return last.diff(axis=1).fillna(last)  # the first year counts from the start


def _costs_by_year(arm: Arm) -> dict[str, pd.DataFrame]:
    """Each cost measure by year (replications x years), summed over the areas."""
    frame = arm.labour_market.copy()
    frame["year"] = _year_of(frame["date"])
    sums = frame.groupby(["replication", "year"])[list(COST_COLUMNS)].sum()
    out = {f"{item}_eur": sums[item].unstack() for item in COST_COLUMNS}
    for payer, columns in COSTS_BY_PAYER.items():
        out[f"{payer}_cost_eur"] = sums[list(columns)].sum(axis=1).unstack()
    out["public_cost_eur"] = out["state_cost_eur"] + out["municipal_cost_eur"]
    return out


def _measures(arm: Arm) -> dict[str, pd.DataFrame]:
    return {"employment_years": _years_by_year(arm), **_costs_by_year(arm)}


def yearly_effects(comparison: Comparison, discount_rate: float = 0.0) -> pd.DataFrame:
    """Each arm's yearly values and paired differences against the reference.

    Years are calendar years, a week in the year of its Thursday; a year the run covers
    in part counts its weeks only.
    With ``comparison.since`` the years before it are left out (costs are counted from
    that date, see :func:`compare_arms`).

    Args:
        comparison: The comparison.
        discount_rate: Yearly rate at which later years' costs and employment years are
            discounted to the first year shown (0: none), for a present value.

    Returns:
        One row per arm, year and measure: the reference's and the arm's means, the
        difference, its standard error and 90 % interval, and the row ``total`` (all
        years, discounted if a rate is given).
    """
    arms = comparison.arms
    reference = _measures(arms[0])
    rows = []
    for arm in arms[1:]:
        other = _measures(arm)
        for measure in YEARLY_MEASURES:
            a, b = reference[measure], other[measure]
            years = [y for y in a.columns if y in b.columns]
            if comparison.since is not None:
                years = [y for y in years if y >= comparison.since.year]
            if not years:
                continue
            factors = {y: (1 + discount_rate) ** -(y - years[0]) for y in years}
            for year in [*years, "total"]:
                if year == "total":
                    va = sum(a[y].to_numpy() * factors[y] for y in years)
                    vb = sum(b[y].to_numpy() * factors[y] for y in years)
                else:
                    va, vb = a[year].to_numpy(), b[year].to_numpy()
                rows.append(
                    {
                        "scenario": arm.name,
                        "year": str(year),
                        "measure": measure,
                        **paired_effect(np.asarray(va), np.asarray(vb), comparison.paired),
                    }
                )
    return pd.DataFrame(rows)


#: The columns of :func:`yearly_rows`.
YEARLY_COLUMNS = (
    "scenario",
    "year",
    "extra employment years",
    "state cost",
    "municipal cost",
    "public cost",
)


def yearly_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The memo's yearly table as text cells: employment years and the payers' costs."""
    shown = ("employment_years", "state_cost_eur", "municipal_cost_eur", "public_cost_eur")
    rows = []
    frame = table[table["measure"].isin(shown)] if not table.empty else table
    for (scenario, year), group in (
        frame.groupby(["scenario", "year"], sort=False) if not frame.empty else []
    ):
        by = group.set_index("measure")
        cells = [scenario, year]
        for measure in shown:
            if measure not in by.index:
                cells.append("")
                continue
            r = by.loc[measure]
            if measure == "employment_years":
                cells.append(f"{r.difference:+,.0f} ({r.ci_low:+,.0f} .. {r.ci_high:+,.0f})")
            else:
                cells.append(
                    f"{r.difference / 1e6:+,.1f} M EUR "
                    f"({r.ci_low / 1e6:+,.1f} .. {r.ci_high / 1e6:+,.1f})"
                )
        rows.append(cells)
    return pd.DataFrame(rows, columns=list(YEARLY_COLUMNS))


def yearly_markdown(table: pd.DataFrame) -> str:
    """The memo's yearly table (:func:`yearly_rows`) as Markdown."""
    lines = ["| " + " | ".join(YEARLY_COLUMNS) + " |", "|---" * len(YEARLY_COLUMNS) + "|"]
    lines += [
        "| " + " | ".join([markdown_text(row[0]), *(str(c) for c in row[1:])]) + " |"
        for row in yearly_rows(table).itertuples(index=False)
    ]
    return "\n".join(lines) + "\n"


def write_workbook(comparison: Comparison, yearly: pd.DataFrame, path: Path) -> Path:
    """One spreadsheet of a comparison (openpyxl): headline, yearly budget, staffing, arms.

    Sheets: ``headline`` (the effects, every group and measure), ``yearly`` (this
    module's table), ``staffing`` (the realised staffing), ``arms`` (each arm's file,
    overrides, seed, replications and scale), and ``draws`` when the comparison ran with
    parameter draws.
    """
    arms = pd.DataFrame(
        [
            {
                "arm": arm.name,
                "file": (arm.manifest.get("source") or {}).get("file", str(arm.folder)),
                "overrides": " ".join((arm.manifest.get("source") or {}).get("overrides", [])),
                "seed": arm.manifest.get("seed"),
                "replications": arm.manifest.get("replications"),
                "scale": arm.manifest.get("scale"),
            }
            for arm in comparison.arms
        ]
    )
    partial = path.with_name(f".{path.name}.partial")
    with pd.ExcelWriter(partial, engine="openpyxl") as book:
        comparison.effects.to_excel(book, sheet_name="headline", index=False)
        yearly.to_excel(book, sheet_name="yearly", index=False)
        realised_staffing(comparison.arms).to_excel(book, sheet_name="staffing", index=False)
        arms.to_excel(book, sheet_name="arms", index=False)
        if comparison.uncertainty is not None:
            comparison.uncertainty.to_excel(book, sheet_name="draws", index=False)
    partial.replace(path)
    return path


def discount_note(comparison: Comparison) -> str:
    """How the totals of the yearly table are discounted, or nothing."""
    if not comparison.discount_rate:
        return ""
    return (
        f"the totals are present values, each later year discounted at "
        f"{comparison.discount_rate:.1%} a year to the first year shown"
    )


def write_budget(comparison: Comparison, out: Path) -> pd.DataFrame:
    """Write ``yearly.csv``, ``yearly.md`` and ``comparison.xlsx`` into the folder."""
    yearly = yearly_effects(comparison, comparison.discount_rate)
    with atomic_write(out / "yearly.csv") as file:
        yearly.to_csv(file, index=False, lineterminator="\n")
    with atomic_write(out / "yearly.md") as file:
        file.write(
            "Year by year, paired differences against the reference (90 % intervals"
            + (f"; {discount_note(comparison)}" if comparison.discount_rate else "")
            + "):\n\n"
            + yearly_markdown(yearly)
        )
    write_workbook(comparison, yearly, out / "comparison.xlsx")
    return yearly
