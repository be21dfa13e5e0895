"""Weekly outcome records of a model run, and their tidy tables.

The :class:`Recorder` keeps fixed-size arrays (weeks x groups x measures), filled once a
week with what the model hands it (the end-of-week census and the week's figures);
it never reads the model. :func:`tables` turns them into tidy data frames with real
(weighted) counts and rates, :func:`register_statistics` into the register's flows.
Groups are fixed when a person first registers: everyone, the pilots' target group,
the long-term unemployed at the start, under-30s, immigrants, Kela-benefit recipients,
and each area when there are several; and, when the run names a period, the period's
job seekers (on the register on its first day or registering after it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulation.core.accounts import COST_COLUMNS
from simulation.core.codes import GROUP_COMBINATIONS, Group, Status
from simulation.core.passes.census import (
    BUCKET_OF_WEEKS,
    EXIT_DESTINATION_OF_STATUS,
    EXIT_DESTINATIONS,
    HAZARD_WEEKS,
    Census,
    spell_buckets,
)
from simulation.core.plan import WEEKS_PER_YEAR, Plan

__all__ = [
    "RecordLayout",
    "Recorder",
    "ServiceEndings",
    "WeekFigures",
    "tables",
    "COST_COLUMNS",
    "STATUS_COLUMNS",
    "GROUP_LABELS",
    "HAZARD_WEEKS",
    "EXIT_DESTINATIONS",
    "EXIT_DESTINATION_OF_STATUS",
    "AFTER_SERVICE_WEEKS",
    "register_statistics",
]

STATUS_COLUMNS = tuple(s.name.lower() for s in Status)
GROUP_LABELS = {
    "all": None,
    "target_group": Group.TARGET,
    "long_term_at_start": Group.LONG_TERM_AT_START,
    "under_30": Group.UNDER_30,
    "immigrant": Group.IMMIGRANT,
    "kela": Group.KELA,
    "period": Group.PERIOD,  # only when the run names a period (``run.period_start``)
}
_N_STATUS = len(Status)
#: Weeks after the end of a service at which employment is measured (3 and 6 months).
AFTER_SERVICE_WEEKS = (13, 26)


@dataclass(frozen=True)
class RecordLayout:
    """What the records are of: the run's weeks, areas, organisers and services.

    Attributes:
        start: The first day of the run.
        weeks: Weeks simulated.
        weight: Real people per simulated person.
        area_ids: Area keys.
        organisers: By organiser index, (area key, kind of organiser).
        services: By service instance, (area key, service name, places).
        period_start: First day of the period whose job seekers are the group
            ``period`` (None: no such group).
    """

    start: dt.date
    weeks: int
    weight: float
    area_ids: list[str]
    organisers: list[tuple[str, str]]
    services: list[tuple[str, str, int]]
    period_start: dt.date | None = None

    @classmethod
    def of_run(cls, plan: Plan, organisers: list) -> RecordLayout:
        """The layout of a run under ``plan`` with these organiser agents."""
        names, places = plan.services["names"], plan.services["places"]
        return cls(
            start=plan.scenario.run.start,
            weeks=plan.weeks,
            weight=plan.weight,
            area_ids=plan.area_ids,
            organisers=[(plan.area_ids[o.area], type(o).__name__) for o in organisers],
            services=[
                (plan.area_ids[s // len(names)], names[s % len(names)], int(places[s]))
                for s in range(len(places))
            ],
            period_start=plan.scenario.run.period_start,
        )


@dataclass(frozen=True)
class WeekFigures:
    """The week's figures besides the census, as the model hands them to the recorder.

    Attributes are by organiser (``caseworkers``, ``meetings``, ``interval_sum``,
    ``interval_count``, ``backlog``; ``new_interval_sum``: weeks the unemployed spent
    in a spell's first 13 weeks, ``new_interval_count``: meetings held in those
    weeks), by area (``costs``, ``vacancies``, ``matches``), ``after_service`` (see
    :class:`ServiceEndings`) and by area and service the ``places`` in force (a dated
    change may set them).
    """

    caseworkers: np.ndarray
    meetings: np.ndarray
    interval_sum: np.ndarray
    interval_count: np.ndarray
    new_interval_sum: np.ndarray
    new_interval_count: np.ndarray
    backlog: np.ndarray
    costs: np.ndarray
    vacancies: np.ndarray
    matches: np.ndarray
    after_service: np.ndarray
    places: np.ndarray


class ServiceEndings:
    """Who ended an activating service when, to count them 3 and 6 months later."""

    def __init__(self) -> None:
        self._ended: dict[int, np.ndarray] = {}  # week -> rows whose service ended

    def note(self, week: int, rows: np.ndarray) -> None:
        """These rows' services ended this week."""
        self._ended[week] = rows.copy()

    def counts(self, week: int, service_ended: np.ndarray, status: np.ndarray) -> np.ndarray:
        """People whose service ended 13 and 26 weeks ago (no later one), and of them employed.

        Args:
            week: This week.
            service_ended: Each job seeker's week of the last service end.
            status: Each job seeker's status now.
        """
        counts = np.zeros((len(AFTER_SERVICE_WEEKS), 2))
        for i, lag in enumerate(AFTER_SERVICE_WEEKS):
            rows = self._ended.get(week - lag, np.zeros(0, dtype=np.int64))
            rows = rows[service_ended[rows] == week - lag]
            counts[i] = len(rows), np.count_nonzero(status[rows] == Status.EMPLOYED)
        self._ended.pop(week - max(AFTER_SERVICE_WEEKS), None)
        return counts


class Recorder:
    """Fixed-size weekly records of one model run.

    Args:
        layout: What the records are of.
    """

    def __init__(self, layout: RecordLayout) -> None:
        self.layout = layout
        weeks = layout.weeks
        self.groups = [g for g in GROUP_LABELS if g != "period" or layout.period_start]
        if len(layout.area_ids) > 1:
            self.groups += [f"area:{a}" for a in layout.area_ids]
        n_groups = len(self.groups)
        n_organisers = len(layout.organisers)
        n_services = len(layout.services)
        self.status = np.zeros((weeks, n_groups, _N_STATUS))
        self.people = np.zeros((weeks, n_groups))
        self.long_term = np.zeros((weeks, n_groups))
        self.days_employed = np.zeros((weeks, n_groups))
        self.caseworkers = np.zeros((weeks, n_organisers))
        self.clients = np.zeros((weeks, n_organisers))
        self.meetings = np.zeros((weeks, n_organisers))
        self.interval_sum = np.zeros((weeks, n_organisers))
        self.interval_count = np.zeros((weeks, n_organisers))
        self.new_interval_sum = np.zeros((weeks, n_organisers))
        self.new_interval_count = np.zeros((weeks, n_organisers))
        self.backlog = np.zeros((weeks, n_organisers))
        self.occupied = np.zeros((weeks, n_services))
        self.places = np.zeros((weeks, n_services))
        self.queued = np.zeros((weeks, n_services))
        n_areas = len(layout.area_ids)
        self.costs = np.zeros((weeks, n_areas, len(COST_COLUMNS)))
        self.vacancies = np.zeros((weeks, n_areas))
        # Register flows, for comparison with the register statistics (everyone):
        # people unemployed at the start of the week by spell-length bucket, and where
        # they went (employment, services, out of the register) during the week.
        self.at_risk = np.zeros((weeks, len(HAZARD_WEEKS)))
        self.exits = np.zeros((weeks, len(EXIT_DESTINATIONS), len(HAZARD_WEEKS)))
        # People whose activating service ended 13 or 26 weeks ago, and of them employed.
        self.after_service = np.zeros((weeks, len(AFTER_SERVICE_WEEKS), 2))
        self._bucket = np.empty(0, dtype=np.int8)  # spell bucket at the week's start, or -1
        self.matches = np.zeros((weeks, n_areas))

        # Which cells of (area, group bits) belong to each outcome group.
        cell_area = np.repeat(np.arange(n_areas), GROUP_COMBINATIONS)
        cell_bits = np.tile(np.arange(GROUP_COMBINATIONS), n_areas)
        members = []
        for label in self.groups:
            if label.startswith("area:"):
                members.append(cell_area == layout.area_ids.index(label[5:]))
            elif GROUP_LABELS[label] is None:
                members.append(np.ones(len(cell_area), dtype=bool))
            else:
                members.append((cell_bits & GROUP_LABELS[label]) != 0)
        self._members = np.array(members, dtype=float)  # groups x cells
        self._days_by_cell = np.zeros(len(cell_area))

    def open_week(self, week: int, register: np.ndarray, people: tuple) -> None:
        """Note who is unemployed at the start of the week, by spell-length bucket.

        Args:
            week: This week.
            register: Rows of everyone registered now.
            people: The job seekers' fields (``population.People``).
        """
        self.at_risk[week] = spell_buckets(
            register, week, people, BUCKET_OF_WEEKS, self.buckets(len(people.status))
        )

    def not_at_risk(self, rows: np.ndarray, count: int) -> None:
        """People who registered again during the week: no spell of theirs ends this week."""
        self.buckets(count)[rows] = -1

    def buckets(self, count: int) -> np.ndarray:
        """The start-of-week spell buckets of ``count`` rows (-1 for rows added since)."""
        if len(self._bucket) < count:
            grown = np.full(max(count, 2 * len(self._bucket)), -1, dtype=np.int8)
            grown[: len(self._bucket)] = self._bucket
            self._bucket = grown
        return self._bucket[:count]

    def record(self, week: int, census: Census, dormant: np.ndarray, figures: WeekFigures) -> None:
        """Record the state at the end of ``week`` (simulated people, unweighted).

        Args:
            week: This week.
            census: The end-of-week census of the register (``passes.census.census``).
            dormant: People in work or outside the labour force by (cell, status),
                which the model keeps as they move.
            figures: The week's other figures.

        The overlapping outcome groups are sums of the cells.
        """
        by_status = census.by_status + dormant
        self.status[week] = self._members @ by_status
        self.long_term[week] = self._members @ census.long_term
        # Everyone employed this week adds 7 days employed to their cell.
        self._days_by_cell += 7 * by_status[:, Status.EMPLOYED]
        self.days_employed[week] = self._members @ self._days_by_cell
        self.people[week] = self.status[week].sum(axis=1)
        self.exits[week] = census.exits
        self.after_service[week] = figures.after_service
        self.caseworkers[week] = figures.caseworkers
        self.clients[week] = census.clients
        self.meetings[week] = figures.meetings
        self.interval_sum[week] = figures.interval_sum
        self.interval_count[week] = figures.interval_count
        self.new_interval_sum[week] = figures.new_interval_sum
        self.new_interval_count[week] = figures.new_interval_count
        self.backlog[week] = figures.backlog
        self.occupied[week] = census.occupied
        self.places[week] = figures.places
        self.queued[week] = census.queued
        self.costs[week] = figures.costs
        self.vacancies[week] = figures.vacancies
        self.matches[week] = figures.matches


def _dates(layout: RecordLayout) -> list[str]:
    start = layout.start
    return [(start + dt.timedelta(days=7 * w + 6)).isoformat() for w in range(layout.weeks)]


def tables(r: Recorder) -> dict[str, pd.DataFrame]:
    """Tidy tables of a finished run (real, weighted numbers).

    Returns:
        ``outcomes`` (week x group: status counts and rates), ``organisers`` (week x
        organiser: staff, clients, caseload, meetings, realised meeting interval),
        ``services`` (week x area x service: places, occupied, queue) and ``costs``
        (week x area: staff, services and benefits by payer, EUR).
    """
    layout = r.layout
    w = layout.weight
    weeks = np.arange(layout.weeks)
    dates = _dates(layout)
    frames = {}

    rows = []
    for g, label in enumerate(r.groups):
        counts = r.status[:, g, :] * w
        people = r.people[:, g] * w
        unemployed = counts[:, Status.UNEMPLOYED]
        in_services = counts[:, Status.TRAINING : Status.OTHER_SERVICE + 1].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            frame = pd.DataFrame(
                {
                    "week": weeks,
                    "date": dates,
                    "group": label,
                    "people": people,
                    **{name: counts[:, s] for s, name in enumerate(STATUS_COLUMNS)},
                    "long_term_unemployed": r.long_term[:, g] * w,
                    "employment_rate": counts[:, Status.EMPLOYED] / people,
                    "unemployed_share": unemployed / people,
                    "activation_rate": in_services / (in_services + unemployed),
                    "out_of_labour_force_share": counts[:, Status.OUT_OF_LABOUR_FORCE] / people,
                    "long_term_share": r.long_term[:, g] / r.status[:, g, Status.UNEMPLOYED],
                    "days_employed_per_person": r.days_employed[:, g] / r.people[:, g],
                }
            )
        rows.append(frame)
    frames["outcomes"] = pd.concat(rows, ignore_index=True)

    rows = []
    for o, (area, kind) in enumerate(layout.organisers):
        if r.caseworkers[:, o].max() == 0:
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            rows.append(
                pd.DataFrame(
                    {
                        "week": weeks,
                        "date": dates,
                        "area": area,
                        "organiser": kind,
                        "caseworkers": r.caseworkers[:, o] * w,
                        "clients": r.clients[:, o] * w,
                        # Empty (not inf) in a week the organiser has no caseworkers.
                        "caseload": np.where(
                            r.caseworkers[:, o] > 0, r.clients[:, o] / r.caseworkers[:, o], np.nan
                        ),
                        "meetings": r.meetings[:, o] * w,
                        "meeting_interval_weeks": r.interval_sum[:, o] / r.interval_count[:, o],
                        "meeting_interval_new_weeks": r.new_interval_sum[:, o]
                        / r.new_interval_count[:, o],
                        "overdue_meetings": r.backlog[:, o] * w,
                    }
                )
            )
    frames["organisers"] = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()

    rows = []
    for s, (area, service, _) in enumerate(layout.services):
        rows.append(
            pd.DataFrame(
                {
                    "week": weeks,
                    "date": dates,
                    "area": area,
                    "service": service,
                    "places": r.places[:, s] * w,
                    "occupied": r.occupied[:, s] * w,
                    "queue": r.queued[:, s] * w,
                }
            )
        )
    frames["services"] = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()

    rows = []
    for a, area in enumerate(layout.area_ids):
        rows.append(
            pd.DataFrame(
                {
                    "week": weeks,
                    "date": dates,
                    "area": area,
                    "vacancies": r.vacancies[:, a] * w,
                    "matches": r.matches[:, a] * w,
                    **{name: r.costs[:, a, c] for c, name in enumerate(COST_COLUMNS)},
                }
            )
        )
    frames["labour_market"] = pd.concat(rows, ignore_index=True)
    return frames


def register_statistics(
    r: Recorder, first_week: int = 0, last_week: int | None = None
) -> dict[str, float]:
    """The run's counterparts of the register statistics, from ``first_week`` on.

    The flows (hazards, ended spells, employment after services) are counted up to
    ``last_week`` (default: the end); the activation rate is the mean over all weeks
    from ``first_week``, the long-term share is the last week's.

    Monthly hazards from unemployment to employment and to services by spell-length
    bucket (exits / people at risk, converted from weeks to months), the destinations of
    ended spells, the long-term share of the unemployed at the end, open-market
    employment 3 and 6 months after an activating service ended, and the mean activation
    rate (in services / (in services + unemployed)). Register concepts:
    unemployed = registered unemployed, services interrupt the spell.
    """
    weeks = slice(first_week, r.layout.weeks)
    flows = slice(first_week, r.layout.weeks if last_week is None else last_week + 1)
    at_risk = r.at_risk[flows].sum(axis=0)
    exits = r.exits[flows].sum(axis=0)
    stats: dict[str, float] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        weekly = exits / at_risk
    monthly = 1.0 - (1.0 - weekly) ** (WEEKS_PER_YEAR / 12)
    for d, destination in enumerate(("employment", "services")):
        for b in range(len(HAZARD_WEEKS)):
            stats[f"hazard_to_{destination}_{b + 1}"] = float(monthly[d, b])
    ended = exits.sum(axis=1)
    for d, destination in enumerate(EXIT_DESTINATIONS):
        stats[f"ended_spells_to_{destination}"] = float(ended[d] / ended.sum())
    everyone = r.status[weeks, 0]
    in_services = everyone[:, Status.TRAINING : Status.OTHER_SERVICE + 1].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        activation = in_services / (in_services + everyone[:, Status.UNEMPLOYED])
    stats["activation_rate"] = float(np.mean(activation))
    last = r.layout.weeks - 1
    stats["long_term_share_end"] = float(
        r.long_term[last, 0] / r.status[last, 0, Status.UNEMPLOYED]
    )
    after = r.after_service[flows].sum(axis=0)
    for i, lag in enumerate(AFTER_SERVICE_WEEKS):
        months = round(lag * 12 / WEEKS_PER_YEAR)
        stats[f"employed_{months}_months_after_service"] = float(after[i, 1] / max(after[i, 0], 1))
    return stats
