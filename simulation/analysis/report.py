"""A shareable report: one self-contained HTML page beside a run or a comparison.

``report.html`` holds what was run (scenarios, what differs between them, scale,
replications, seed, version), the headline results in plain language, the costs by
payer and item, the realised staffing, the plots (embedded, with captions) and what the
intervals do and do not cover. It needs nothing but a browser: no network, no script.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.analysis.compare import LEVEL, Comparison, realised_staffing
from simulation.analysis.measures import GROUP_TITLES
from simulation.analysis.results import atomic_write, band_text

__all__ = ["comparison_report", "run_report"]

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #1d1d1d; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border-bottom: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
figure { margin: 1rem 0; } img { max-width: 100%; }
figcaption, .note { color: #555; font-size: 0.9rem; }
"""


def _page(title: str, sections: list[str]) -> str:
    body = "\n".join(sections)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>\n"
        f"<body>\n<h1>{html.escape(title)}</h1>\n{body}\n</body></html>\n"
    )


def _figure(path: Path, caption: str) -> str:
    """A PNG embedded in the page, with its caption."""
    if not path.is_file():
        return ""
    data = base64.b64encode(path.read_bytes()).decode()
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(caption)}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _settings(manifest: dict[str, Any]) -> str:
    versions = manifest.get("versions", {})
    commit = (manifest.get("git") or {}).get("commit", "unknown")
    return (
        f"scale {manifest.get('scale')}, {manifest.get('replications')} replications, "
        f"seed {manifest.get('seed')}, {manifest.get('weeks')} weeks; version "
        f"{versions.get('employment-services-simulation', '?')} (commit {commit[:10]})"
    )


_INTERVALS = (
    '<p class="note">Bands show the 5-95 % range over the replications; intervals of '
    "differences are {level} % t intervals over paired replications. They cover the "
    "model's randomness (who is drawn, who finds a job when), not the uncertainty of its "
    "assumptions: the parameters marked as assumptions in the model's documentation "
    "move results more than the intervals show, and the model's meeting effects fall "
    "short of the randomised experiments (see docs/validation.md).</p>"
)


def _timeline(scenario: dict[str, Any]) -> list[str]:
    """The scenario's dated policy changes, as a section (none: nothing)."""
    changes = scenario.get("timeline", [])
    if not changes:
        return []
    rows = [
        {
            "from": str(c["date"]),
            "change": c.get("label", ""),
            "keys": ", ".join(
                f"{section}.{key}"
                for section, table in c.items()
                if isinstance(table, dict)
                for key in table
            ),
        }
        for c in changes
    ]
    return [
        "<h2>Policy changes</h2>",
        "<p>Applied from the start of the week that holds each date; the plots mark them.</p>",
        _table(pd.DataFrame(rows)),
    ]


def run_report(folder: Path, summary: dict[str, Any], manifest: dict[str, Any]) -> Path:
    """Write ``report.html`` for a run folder."""
    scenario = manifest["scenario"]
    rows = []
    for group, entry in summary["groups"].items():
        title = GROUP_TITLES.get(group, group)
        rates = {
            f"employed at {m} months": entry["employment_rate"].get(str(m), {})
            for m in (12, 24, 36)
        }
        rows.append(
            {
                "group": title,
                **{k: band_text(v, ".1%") for k, v in rates.items() if v},
                "days employed per person": band_text(entry["days_employed_per_person"], ".0f"),
                "in services (activation)": band_text(entry["activation_rate"], ".1%"),
            }
        )
    caption = f"{scenario['run']['name']}: {_settings(manifest)}."
    sections = [
        f"<p>{html.escape(scenario['run'].get('description') or '')}</p>",
        f'<p class="note">{html.escape(caption)}</p>',
        "<h2>Headline</h2>",
        "<p>The share of everyone who has registered since the start who is in "
        "open-market work, and days worked per person by the end of the run (means over "
        "the replications).</p>",
        _table(pd.DataFrame(rows)),
        *_timeline(scenario),
        "<h2>Plots</h2>",
        _figure(folder / "employment_rate.png", f"Employment rate by group. {caption}"),
        _figure(folder / "statuses.png", f"Where everyone is, week by week. {caption}"),
        _figure(
            folder / "caseload.png",
            f"Realised caseload and meeting intervals (all clients; the newly registered)."
            f" {caption}",
        ),
        _INTERVALS.format(level=int(LEVEL * 100)),
    ]
    path = folder / "report.html"
    with atomic_write(path) as file:
        file.write(_page(f"Run: {scenario['run']['name']}", sections))
    return path


def _differences(comparison: Comparison) -> pd.DataFrame:
    """What each arm changes against the reference: its source and overrides."""
    rows = []
    for i, arm in enumerate(comparison.arms):
        source = arm.manifest.get("source") or {}
        rows.append(
            {
                "arm": arm.name + (" (reference)" if i == 0 else ""),
                "scenario file": source.get("file", str(arm.folder)),
                "overrides": " ".join(source.get("overrides", [])) or "none",
            }
        )
    return pd.DataFrame(rows)


def _pp(value: float) -> str:
    return "" if not np.isfinite(value) else f"{value * 100:+.2f} pp"


def _headline(effects: pd.DataFrame, since: Any = None) -> pd.DataFrame:
    rows = []
    for (arm, group), frame in effects.groupby(["scenario", "group"], sort=False):
        if group not in ("all", "period", "target_group"):
            continue
        by_measure = frame.set_index("measure")
        row = {"arm": arm, "group": GROUP_TITLES.get(group, group)}
        for measure in by_measure.index:
            if measure.startswith("employment_rate_"):
                r = by_measure.loc[measure]
                months = measure.removeprefix("employment_rate_")[:-1]
                label = (
                    f"employed {months} months after {since}"
                    if since
                    else (f"employed at {months} months")
                )
                row[label] = f"{_pp(r.difference)} ({_pp(r.ci_low)} .. {_pp(r.ci_high)})"
        rows.append(row)
    return pd.DataFrame(rows)


def _costs(effects: pd.DataFrame) -> pd.DataFrame:
    rows = []
    items = ("staff", "services", "benefits")
    for arm, frame in effects[effects["group"] == "all"].groupby("scenario", sort=False):
        by_measure = frame.set_index("measure")["difference"]
        for payer in ("state", "municipal"):
            row = {"arm": arm, "payer": payer}
            for item in items:
                key = f"{payer}_{item}_eur"
                if key in by_measure:
                    row[item] = f"{by_measure[key] / 1e6:+,.1f} M EUR"
            row["total"] = f"{by_measure.get(f'{payer}_cost_eur', np.nan) / 1e6:+,.1f} M EUR"
            ratio = frame.set_index("measure")
            key = f"{payer}_cost_per_extra_employment_year_eur"
            per_year = by_measure.get(key, np.nan)
            if np.isfinite(per_year):
                low, high = ratio.loc[key, "ci_low"], ratio.loc[key, "ci_high"]
                spread = f" ({low:,.0f} .. {high:,.0f})" if np.isfinite(low) else ""
                row["per extra employment year"] = f"{per_year:,.0f} EUR{spread}"
            else:
                row["per extra employment year"] = "n/a: the employment gain may be zero"
            rows.append(row)
    return pd.DataFrame(rows)


def _yearly(comparison: Comparison) -> pd.DataFrame:
    from simulation.analysis.budget import yearly_effects, yearly_rows

    return yearly_rows(yearly_effects(comparison, comparison.discount_rate))


def _discount_note(comparison: Comparison) -> str:
    from simulation.analysis.budget import discount_note

    return discount_note(comparison)


def _period(comparison: Comparison) -> str:
    """The period costs and staffing are counted over: the run, or from ``--from`` on."""
    if comparison.since is None:
        return "over the run"
    return f"from {comparison.since.isoformat()} to the end of the run"


def _uncertainty_sections(comparison: Comparison, folder: Path, caption: str) -> list[str]:
    """The effects over parameter draws beside those at the point values, if run."""
    table = comparison.uncertainty
    if table is None or table.empty:
        return []
    from simulation.analysis.uncertainty import UNCERTAINTY_COLUMNS, uncertainty_rows

    frame = pd.DataFrame(uncertainty_rows(table), columns=list(UNCERTAINTY_COLUMNS))
    return [
        "<h2>How sure: effects over the parameter draws</h2>",
        f"<p>Each arm was also run once per draw of the posterior sample "
        f"({int(table['draws'].iloc[0])} draws), the same draw in every arm. The first "
        "interval covers the simulation's randomness at the fitted values only; the "
        "second adds the parameters' uncertainty. A cost per extra employment year is "
        "given only where the gain is clear.</p>",
        _table(frame),
        _figure(
            folder / "uncertainty.png",
            f"Effects at the point values and over the parameter draws. {caption}.",
        ),
    ]


def comparison_report(comparison: Comparison, folder: Path) -> Path:
    """Write ``report.html`` for a comparison folder."""
    reference = comparison.arms[0]
    caption = _settings(reference.manifest) + (
        "; paired replications (common random numbers)"
        if comparison.paired
        else "; unpaired runs (independent samples)"
    )
    staffing = realised_staffing(comparison.arms)
    if not staffing.empty:
        staffing = staffing.assign(
            caseworkers=staffing["caseworkers"].map(lambda v: f"{v:,.0f}"),
            clients=staffing["clients"].map(lambda v: f"{v:,.0f}"),
            caseload=staffing["caseload"].map(lambda v: f"{v:.0f}"),
            meeting_interval_weeks=staffing["meeting_interval_weeks"].map(lambda v: f"{v:.1f}"),
        ).rename(columns={"scenario": "arm", "meeting_interval_weeks": "weeks between meetings"})
    notes = "".join(f'<p class="note">Note: {html.escape(n)}</p>' for n in comparison.notes)
    sections = [
        f'<p class="note">{html.escape(caption)}.</p>',
        notes,
        "<h2>What was compared</h2>",
        _table(_differences(comparison)),
        "<h2>Headline: employment against the reference</h2>",
        f"<p>Difference in the share of everyone who has registered who is in open-market "
        f"work, in percentage points, with {int(LEVEL * 100)} % intervals"
        + (
            f"; for the job seekers since {comparison.since}, the share of those on the "
            "register that day or registering after it"
            if comparison.since
            else ""
        )
        + ".</p>",
        _table(_headline(comparison.effects, comparison.since)),
        f"<h2>Costs {_period(comparison)}, against the reference</h2>",
        _table(_costs(comparison.effects)),
        "<h2>Year by year</h2>",
        "<p>Paired differences against the reference in each calendar year, with 90 % "
        "intervals (also in yearly.csv and comparison.xlsx)"
        + (f"; {html.escape(_discount_note(comparison))}" if comparison.discount_rate else "")
        + ".</p>",
        _table(_yearly(comparison)),
        *_uncertainty_sections(comparison, folder, caption),
        "<h2>Realised staffing</h2>",
        f"<p>Means {_period(comparison)}: a scenario's caseload is the one its organiser "
        "is staffed at when it starts; the realised caseload moves with the clients.</p>",
        _table(staffing) if not staffing.empty else "<p>No staffing recorded.</p>",
        "<h2>Plots</h2>",
        _figure(
            folder / "compare_difference.png",
            f"Employment rate: difference to {reference.name} over time, by group. {caption}.",
        ),
        _figure(
            folder / "compare_employment.png",
            f"Employment rate by arm over time, by group. {caption}.",
        ),
        _INTERVALS.format(level=int(LEVEL * 100)),
    ]
    path = folder / "report.html"
    with atomic_write(path) as file:
        file.write(_page(f"Comparison against {reference.name}", sections))
    return path
