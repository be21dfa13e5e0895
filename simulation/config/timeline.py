"""Dated changes of policy: the ``[[timeline]]`` of a scenario, and the checks of a period.

A change sets keys of the changeable sections (:data:`CHANGEABLE`) from a date on;
:func:`build_timeline` validates the entries in order, each on top of the period before
it (:func:`apply_change`), with the same checks as a whole scenario
(:func:`check_scenario`). ``Scenario.periods`` replays them for a run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simulation.config.convert import build_section, field_types, plain, suggest
from simulation.config.errors import ScenarioError
from simulation.config.sections import MAX_SERVICES, Service

if TYPE_CHECKING:
    from simulation.config.scenario import Scenario

__all__ = [
    "CHANGEABLE",
    "Change",
    "apply_change",
    "build_timeline",
    "check_scenario",
    "trim_timeline",
]

#: The sections a dated change may set: meeting policies, caseloads and staffing,
#: places, the organisers' responsibilities and the target-group rule, cost sharing.
CHANGEABLE = ("te_office", "city", "pilot", "services", "costs")


@dataclass(frozen=True)
class Change:
    """A dated change of policy (an entry of ``[[timeline]]``).

    Attributes:
        date: The change applies from the start of the week that holds this date.
        label: What the change is, for tables and plots.
        settings: The keys it sets, by section (as written, validated).
    """

    date: dt.date
    label: str
    settings: dict[str, Any]

    @property
    def keys(self) -> list[str]:
        """The key paths the change sets, e.g. ``te_office.caseload``."""
        return sorted(_key_paths(self.settings))


def _key_paths(table: dict, prefix: str = "") -> list[str]:
    paths = []
    for key, value in table.items():
        if isinstance(value, dict):
            paths += _key_paths(value, f"{prefix}{key}.")
        else:
            paths.append(f"{prefix}{key}")
    return paths


#: The last day a run may end on (far beyond any policy question; within Python's dates).
LAST_DAY = dt.date(2199, 12, 31)


def check_scenario(s: Scenario, file: str) -> None:
    """Checks that involve more than one value."""
    if s.run.end <= s.run.start:
        raise ScenarioError(file, "run.end", f"expected a date after run.start ({s.run.start})")
    if s.weeks > 52 * 20:
        raise ScenarioError(file, "run.end", "expected a horizon of at most 20 years")
    if s.run.end > LAST_DAY:
        # The tables date each week by its last day, and a run's weeks must stay within the
        # calendar Python can name.
        raise ScenarioError(file, "run.end", f"expected a date up to {LAST_DAY.isoformat()}")
    if len(s.services) > MAX_SERVICES:
        raise ScenarioError(file, "services", f"expected at most {MAX_SERVICES} services")
    if not s.areas:
        raise ScenarioError(file, "areas", "expected at least one area ([areas.<name>])")
    if not s.run.start <= s.pilot_start <= s.run.end:
        raise ScenarioError(file, "pilot.start", "expected a date within run.start .. run.end")
    if s.run.period_start is not None and not s.run.start <= s.run.period_start <= s.run.end:
        raise ScenarioError(file, "run.period_start", "expected a date within run.start .. run.end")
    dates = [p.date for p in s.labour_market.vacancy_path]
    if dates != sorted(dates) or len(set(dates)) != len(dates):
        raise ScenarioError(
            file, "labour_market.vacancy_path", "expected strictly increasing dates"
        )
    jobseekers = s.job_seekers
    for name in ("health_barrier_share", "social_barrier_share", "skills_barrier_share"):
        if len(getattr(jobseekers, name)) != 2:
            raise ScenarioError(file, f"job_seekers.{name}", "expected a list of two shares")
    if len(jobseekers.education_multipliers) != 3:
        raise ScenarioError(file, "job_seekers.education_multipliers", "expected three numbers")
    costs = s.costs
    if list(costs.municipal_share_thresholds) != sorted(costs.municipal_share_thresholds):
        raise ScenarioError(
            file, "costs.municipal_share_thresholds", "expected thresholds in ascending order"
        )
    if len(costs.municipal_shares) != len(costs.municipal_share_thresholds) + 1:
        raise ScenarioError(
            file, "costs.municipal_shares", "expected one share more than there are thresholds"
        )
    for name, area in s.areas.items():
        key = f"areas.{name}"
        if len(area.education_shares) != 3 or abs(sum(area.education_shares) - 1.0) > 1e-6:
            raise ScenarioError(
                file, f"{key}.education_shares", "expected three shares summing to 1"
            )
        if area.earnings_related_share + area.basic_allowance_share > 1.0 + 1e-9:
            raise ScenarioError(
                file,
                f"{key}.basic_allowance_share",
                "expected earnings_related_share + basic_allowance_share <= 1",
            )
    for name, service in s.services.items():
        if len(set(service.addresses)) != len(service.addresses):
            raise ScenarioError(file, f"services.{name}.addresses", "expected each barrier once")
    _check_responsibilities(s, file)


def _check_responsibilities(s: Scenario, file: str, prefix: str = "") -> None:
    """Every organiser that keeps clients has staff (is open)."""
    pilot = s.pilot
    municipal = pilot.enabled and (pilot.all_areas or any(a.pilot for a in s.areas.values()))
    everyone = (
        municipal
        and pilot.serves_everyone
        and (pilot.all_areas or all(a.pilot for a in s.areas.values()))
    )
    if not s.te_office.open and not everyone:
        raise ScenarioError(
            file,
            f"{prefix}te_office.open",
            "a closed TE office would keep clients without staff; expected pilot.enabled, "
            "pilot.serves_everyone and pilot.all_areas = true (the 2025 reform)",
        )
    if not s.city.open and municipal:
        raise ScenarioError(
            file,
            f"{prefix}city.open",
            "a closed city would keep the pilot's target group without staff; expected "
            "pilot.enabled = false (the TE office serves everyone)",
        )


def apply_change(current: Scenario, settings: dict, file: str, index: int) -> Scenario:
    """The scenario ``current`` with one change's sections set on top (validated)."""
    prefix = f"timeline[{index + 1}]."
    sections: dict[str, Any] = {}
    hints = field_types(type(current))
    for name, table in settings.items():
        if name == "services":
            services = dict(current.services)
            for service, values in table.items():
                if service not in services:
                    raise ScenarioError(
                        file,
                        f"{prefix}services.{service}",
                        "unknown service" + suggest(service, list(services)),
                    )
                if not isinstance(values, dict):
                    raise ScenarioError(file, f"{prefix}services.{service}", "expected a table")
                services[service] = build_section(
                    Service, values, file, f"{prefix}services.{service}", base=services[service]
                )
            sections[name] = services
        else:
            sections[name] = build_section(
                hints[name], table, file, f"{prefix}{name}", base=getattr(current, name)
            )
    period = dataclasses.replace(current, **sections)
    try:
        check_scenario(period, file)
    except ScenarioError as error:
        raise ScenarioError(file, prefix + error.key, error.message) from None
    return period


def build_timeline(entries: Any, scenario: Scenario, file: str) -> tuple[Change, ...]:
    """Validate ``[[timeline]]``: dates in order within the horizon, changeable keys only."""
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ScenarioError(file, "timeline", "expected a list of tables ([[timeline]])")
    changes = []
    current = scenario
    previous: dt.date | None = None
    for index, entry in enumerate(entries):
        prefix = f"timeline[{index + 1}]"
        date = entry.get("date")
        if isinstance(date, str):  # as a manifest writes it
            with contextlib.suppress(ValueError):
                date = dt.date.fromisoformat(date)
        if isinstance(date, dt.datetime):
            raise ScenarioError(
                file, f"{prefix}.date", f"expected a date without a time (YYYY-MM-DD), got {date}"
            )
        if not isinstance(date, dt.date):
            raise ScenarioError(file, f"{prefix}.date", "missing; expected a date (YYYY-MM-DD)")
        if not scenario.run.start <= date <= scenario.run.end:
            hint = (
                "; a change after the run's end, inherited or not, is dropped with"
                " `timeline = []` (or a timeline of the changes to keep)"
                if date > scenario.run.end
                else ""
            )
            raise ScenarioError(
                file,
                f"{prefix}.date",
                f"expected a date within run.start .. run.end ({scenario.run.start} .. "
                f"{scenario.run.end}){hint}",
            )
        if previous is not None and date <= previous:
            raise ScenarioError(
                file, f"{prefix}.date", f"expected a date after the change before ({previous})"
            )
        label = entry.get("label", "")
        if not isinstance(label, str):
            raise ScenarioError(file, f"{prefix}.label", "expected a string")
        settings = {k: v for k, v in entry.items() if k not in ("date", "label")}
        for name, table in settings.items():
            if name not in CHANGEABLE:
                known = name in {f.name for f in dataclasses.fields(scenario)}
                options = ["date", "label", *CHANGEABLE]
                if known:
                    message = "not changeable on a date; expected one of: " + ", ".join(options)
                else:
                    message = "unknown key" + suggest(name, options)
                raise ScenarioError(file, f"{prefix}.{name}", message)
            if not isinstance(table, dict):
                raise ScenarioError(file, f"{prefix}.{name}", "expected a table of keys")
        if not settings:
            raise ScenarioError(
                file, prefix, f"expected at least one of {', '.join(CHANGEABLE)} to change"
            )
        current = apply_change(current, settings, file, index)
        changes.append(Change(date=date, label=label, settings=plain(settings)))
        previous = date
    return tuple(changes)


def trim_timeline(data: dict, overrides: list[str] | tuple[str, ...]) -> dict:
    """A horizon shortened with ``--set run.end=...`` leaves out the changes after it.

    In a file, a change after ``run.end`` is an error; shortening a run from the command
    line is not a mistake in its timeline, so the changes beyond the new end are dropped
    (and the manifest's scenario shows the timeline that applied).
    """
    keys = {text.split("=", 1)[0].strip() for text in overrides}
    end = data.get("run", {}).get("end")
    timeline = data.get("timeline")
    if "run.end" not in keys or "timeline" in keys or not isinstance(timeline, list):
        return data
    if not isinstance(end, dt.date):
        return data
    kept = [c for c in timeline if not (isinstance(c, dict) and _after(c.get("date"), end))]
    return {**data, "timeline": kept}


def _after(date: Any, end: dt.date) -> bool:
    return isinstance(date, dt.date) and date > end
