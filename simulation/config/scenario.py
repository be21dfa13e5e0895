"""A scenario: everything a model run needs, validated as a whole.

:class:`Scenario` gathers the sections (:mod:`simulation.config.sections`) and the dated
changes (:mod:`simulation.config.timeline`); :func:`scenario_from_dict` validates one
given as nested tables, after removing what it drops and letting the city's defaults
follow the TE office. Files, inheritance and overrides are read by
:mod:`simulation.config.loading`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from simulation.config.convert import build_section
from simulation.config.errors import ScenarioError
from simulation.config.parameters import SETTING, param
from simulation.config.sections import (
    BARRIERS,
    MAX_SERVICES,
    SERVICE_STATUSES,
    Area,
    Costs,
    JobSeekerBehaviour,
    LabourMarket,
    Organiser,
    Pilot,
    Run,
    Service,
    VacancyPoint,
    city_defaults,
)
from simulation.config.timeline import (
    CHANGEABLE,
    Change,
    apply_change,
    build_timeline,
    check_scenario,
)

__all__ = [
    "Area",
    "BARRIERS",
    "CHANGEABLE",
    "CITY_FOLLOWS_TE_OFFICE",
    "Change",
    "Costs",
    "JobSeekerBehaviour",
    "LabourMarket",
    "MAX_SERVICES",
    "Organiser",
    "Pilot",
    "REMOVABLE",
    "Run",
    "SERVICE_STATUSES",
    "Scenario",
    "ScenarioError",
    "Service",
    "VacancyPoint",
    "scenario_from_dict",
]


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: everything a model run needs."""

    run: Run = param(doc="Name, horizon, seed and size.")
    areas: dict[str, Area] = param(doc="Labour-market areas.")
    pilot: Pilot = param(factory=Pilot, doc="The municipal pilot.")
    job_seekers: JobSeekerBehaviour = param(factory=JobSeekerBehaviour, doc="Job seekers.")
    labour_market: LabourMarket = param(factory=LabourMarket, doc="Labour market.")
    te_office: Organiser = param(factory=Organiser, doc="TE office policy and staffing.")
    city: Organiser = param(factory=city_defaults, doc="City policy and staffing.")
    services: dict[str, Service] = param(factory=dict, doc="Services with places.")
    costs: Costs = param(factory=Costs, doc="Benefits and cost sharing.")
    timeline: tuple[Change, ...] = param(
        (),
        doc="Dated changes of the sections te_office, city, pilot, services and costs "
        "([[timeline]] entries with a date and the keys they set; docs/reforms.md).",
        source=SETTING,
    )

    @property
    def weeks(self) -> int:
        """Number of simulated weeks (the last, partial week included)."""
        days = (self.run.end - self.run.start).days + 1
        return -(-days // 7)

    @property
    def pilot_start(self) -> dt.date:
        """Date the city takes over its target group."""
        return self.pilot.start or self.run.start

    def week_of(self, date: dt.date) -> int:
        """The week (from 0) that holds ``date``."""
        return (date - self.run.start).days // 7

    def periods(self) -> list[tuple[int, Scenario]]:
        """The scenario in force from each change on: (first week, scenario), in order.

        The first entry is the scenario itself from week 0; each change sets its keys on
        top of the period before it (validated when the file was read).
        """
        periods: list[tuple[int, Scenario]] = [(0, self)]
        current = dataclasses.replace(self, timeline=())
        for index, change in enumerate(self.timeline):
            current = apply_change(current, change.settings, "<timeline>", index)
            periods.append((self.week_of(change.date), current))
        return periods


def scenario_from_dict(data: dict, file: str | Path = "<scenario>") -> Scenario:
    """Validate a scenario given as nested dicts (as read from TOML).

    Args:
        data: The scenario tables, without ``extends``.
        file: Name used in error messages.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: On any unknown key, wrong type or impossible value.
    """
    file = str(file)
    data = _city_follows_te_office(_drop_removed(data))
    timeline = data.get("timeline", [])
    scenario = build_section(Scenario, {**data, "timeline": []}, file, "")
    check_scenario(scenario, file)
    if timeline:
        scenario = dataclasses.replace(scenario, timeline=build_timeline(timeline, scenario, file))
    return scenario


#: Tables of named tables from which a scenario may remove what it inherited.
REMOVABLE = ("areas", "services")


def _drop_removed(data: dict) -> dict:
    """Remove the areas and services a scenario sets to ``false``.

    A variant that extends a scenario inherits its areas and services; ``helsinki =
    false`` under ``[areas]`` (or ``--set areas.helsinki=false``) leaves that area out.
    """
    tables = {}
    for section in REMOVABLE:
        table = data.get(section)
        if isinstance(table, dict) and any(v is False for v in table.values()):
            tables[section] = {k: v for k, v in table.items() if v is not False}
    return {**data, **tables} if tables else data


#: Organiser parameters that describe the register's flows rather than a policy choice
#: (calibrated for the TE office): the city takes the TE office's values unless its own
#: table sets them, so a pilot differs from the baseline only where it says so.
CITY_FOLLOWS_TE_OFFICE = (
    "service_referral_monthly",
    "service_referral_at_start",
    "service_referral_decline",
    "monitoring_exit_probability",
)


def _city_follows_te_office(data: dict) -> dict:
    te_office = data.get("te_office")
    if not isinstance(te_office, dict) or not isinstance(data.get("city", {}), dict):
        return data
    inherited = {k: te_office[k] for k in CITY_FOLLOWS_TE_OFFICE if k in te_office}
    if not inherited:
        return data
    return {**data, "city": {**inherited, **data.get("city", {})}}
