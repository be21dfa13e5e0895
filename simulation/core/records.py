"""Weekly outcome records of a model run, and their tidy tables.

The :class:`Recorder` keeps fixed-size arrays (weeks x groups x measures) filled once a
week from the population; :func:`tables` turns them into tidy data frames with real
(weighted) counts and rates. Groups are fixed when a person first registers:
everyone, the pilots' target group, the long-term unemployed at the start, under-30s,
immigrants, Kela-benefit recipients, and each area when there are several.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simulation.core import kernels
from simulation.core.population import GROUP_COMBINATIONS, Group, Status

if TYPE_CHECKING:
    from simulation.core.model import EmploymentModel

__all__ = [
    "Recorder",
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

COST_COLUMNS = (
    "state_staff",
    "municipal_staff",
    "state_services",
    "municipal_services",
    "state_benefits",
    "municipal_benefits",
)

STATUS_COLUMNS = tuple(s.name.lower() for s in Status)
GROUP_LABELS = {
    "all": None,
    "target_group": Group.TARGET,
    "long_term_at_start": Group.LONG_TERM_AT_START,
    "under_30": Group.UNDER_30,
    "immigrant": Group.IMMIGRANT,
    "kela": Group.KELA,
}
_N_STATUS = len(Status)
#: Lower edges (weeks) of the register's spell-length buckets: <1, 1-3, 3-6, 6-12, 12-18,
#: 18-24 and 24+ months, as in the TEM 2015 flows.
HAZARD_WEEKS = np.round(np.array([0, 1, 3, 6, 12, 18, 24]) * 52.1775 / 12).astype(np.int64)
#: Where a spell can end within a week.
EXIT_DESTINATIONS = {
    "employment": (Status.EMPLOYED,),
    "services": (
        Status.TRAINING,
        Status.PAY_SUBSIDY,
        Status.REHABILITATIVE_WORK,
        Status.OTHER_SERVICE,
    ),
    "out_of_register": (Status.OUT_OF_LABOUR_FORCE,),
}
#: Spell-length bucket of a spell of 0, 1, ... weeks (the last entry for longer ones).
_BUCKET_OF_WEEKS = np.searchsorted(HAZARD_WEEKS, np.arange(HAZARD_WEEKS[-1] + 1), "right") - 1
#: Index in EXIT_DESTINATIONS of each status (-1: the spell goes on).
EXIT_DESTINATION_OF_STATUS = np.full(len(Status), -1, dtype=np.int64)
for _d, _statuses in enumerate(EXIT_DESTINATIONS.values()):
    EXIT_DESTINATION_OF_STATUS[list(_statuses)] = _d
#: Weeks after the end of a service at which employment is measured (3 and 6 months).
AFTER_SERVICE_WEEKS = (13, 26)


class Recorder:
    """Fixed-size weekly records of one model run.

    Args:
        model: The model whose population and organisers are recorded.
    """

    def __init__(self, model: EmploymentModel) -> None:
        self.model = model
        weeks = model.weeks
        self.groups = list(GROUP_LABELS)
        if len(model.area_ids) > 1:
            self.groups += [f"area:{a}" for a in model.area_ids]
        n_groups = len(self.groups)
        n_organisers = len(model.organisers)
        n_services = len(model.service_places)
        self.status = np.zeros((weeks, n_groups, _N_STATUS))
        self.people = np.zeros((weeks, n_groups))
        self.long_term = np.zeros((weeks, n_groups))
        self.days_employed = np.zeros((weeks, n_groups))
        self.caseworkers = np.zeros((weeks, n_organisers))
        self.clients = np.zeros((weeks, n_organisers))
        self.meetings = np.zeros((weeks, n_organisers))
        self.interval_sum = np.zeros((weeks, n_organisers))
        self.interval_count = np.zeros((weeks, n_organisers))
        self.backlog = np.zeros((weeks, n_organisers))
        self.occupied = np.zeros((weeks, n_services))
        self.queued = np.zeros((weeks, n_services))
        self.costs = np.zeros((weeks, len(model.area_ids), len(COST_COLUMNS)))
        self.vacancies = np.zeros((weeks, len(model.area_ids)))
        # Register flows, for comparison with the register statistics (everyone):
        # people unemployed at the start of the week by spell-length bucket, and where
        # they went (employment, services, out of the register) during the week.
        self.at_risk = np.zeros((weeks, len(HAZARD_WEEKS)))
        self.exits = np.zeros((weeks, len(EXIT_DESTINATIONS), len(HAZARD_WEEKS)))
        # People whose activating service ended 13 or 26 weeks ago, and of them employed.
        self.after_service = np.zeros((weeks, len(AFTER_SERVICE_WEEKS), 2))
        self._bucket = np.empty(0, dtype=np.int8)  # spell bucket at the week's start, or -1
        self.matches = np.zeros((weeks, len(model.area_ids)))

        # Which cells of (area, group bits) belong to each outcome group.
        n_areas = len(model.area_ids)
        cell_area = np.repeat(np.arange(n_areas), GROUP_COMBINATIONS)
        cell_bits = np.tile(np.arange(GROUP_COMBINATIONS), n_areas)
        members = []
        for label in self.groups:
            if label.startswith("area:"):
                members.append(cell_area == model.area_ids.index(label[5:]))
            elif GROUP_LABELS[label] is None:
                members.append(np.ones(len(cell_area), dtype=bool))
            else:
                members.append((cell_bits & GROUP_LABELS[label]) != 0)
        self._members = np.array(members, dtype=float)  # groups x cells
        self._days_by_cell = np.zeros(len(cell_area))

    def open_week(self, week: int) -> None:
        """Note who is unemployed at the start of the week, by spell-length bucket."""
        model = self.model
        p = model.job_seekers
        self.at_risk[week] = kernels.spell_buckets(
            model.register, p.status, p.spell_start, week, _BUCKET_OF_WEEKS, self.buckets(len(p))
        )

    def not_at_risk(self, rows: np.ndarray) -> None:
        """People who registered again during the week: no spell of theirs ends this week."""
        self.buckets(len(self.model.job_seekers))[rows] = -1

    def buckets(self, count: int) -> np.ndarray:
        """The start-of-week spell buckets of ``count`` rows (-1 for rows added since)."""
        if len(self._bucket) < count:
            grown = np.full(max(count, 2 * len(self._bucket)), -1, dtype=np.int8)
            grown[: len(self._bucket)] = self._bucket
            self._bucket = grown
        return self._bucket[:count]

    def record(self, week: int) -> None:
        """Record the state at the end of ``week`` (simulated people, unweighted).

        The model's end-of-week census counts the register by (area, group bits,
        status); the model keeps the counts of people in work or outside the labour
        force as they move. The overlapping outcome groups are sums of those cells.
        """
        model = self.model
        registered, long_term, clients, occupied, queued, exits, _ = model.census(week)
        by_status = registered + model._dormant
        self.status[week] = self._members @ by_status
        self.long_term[week] = self._members @ long_term
        # Everyone employed this week adds 7 days employed to their cell.
        self._days_by_cell += 7 * by_status[:, Status.EMPLOYED]
        self.days_employed[week] = self._members @ self._days_by_cell
        self.people[week] = self.status[week].sum(axis=1)
        self.exits[week] = exits
        self.after_service[week] = self._after_service(week)
        table = model.caseworker_table
        self.caseworkers[week] = np.bincount(
            table["organiser"][table["active"]], minlength=len(model.organisers)
        )
        self.clients[week] = clients
        self.meetings[week] = model._meetings
        self.interval_sum[week] = model._intervals[0]
        self.interval_count[week] = model._intervals[1]
        self.backlog[week] = model._backlog
        self.occupied[week] = occupied
        self.queued[week] = queued
        self.costs[week] = model._week_costs
        self.vacancies[week] = model.vacancies(week)
        self.matches[week] = model._matches

    def _after_service(self, week: int) -> np.ndarray:
        """People whose service ended 13 and 26 weeks ago (no later one), and of them employed."""
        p = self.model.job_seekers
        ended = self.model._services_ended
        counts = np.zeros((len(AFTER_SERVICE_WEEKS), 2))
        for i, lag in enumerate(AFTER_SERVICE_WEEKS):
            rows = ended.get(week - lag, np.zeros(0, dtype=np.int64))
            rows = rows[p.service_ended[rows] == week - lag]
            counts[i] = len(rows), np.count_nonzero(p.status[rows] == Status.EMPLOYED)
        ended.pop(week - max(AFTER_SERVICE_WEEKS), None)
        return counts


def _dates(model: EmploymentModel) -> list[str]:
    start = model.spec.run.start
    return [(start + dt.timedelta(days=7 * w + 6)).isoformat() for w in range(model.weeks)]


def tables(model: EmploymentModel) -> dict[str, pd.DataFrame]:
    """Tidy tables of a finished run (real, weighted numbers).

    Returns:
        ``outcomes`` (week x group: status counts and rates), ``organisers`` (week x
        organiser: staff, clients, caseload, meetings, realised meeting interval),
        ``services`` (week x area x service: places, occupied, queue) and ``costs``
        (week x area: staff, services and benefits by payer, EUR).
    """
    r = model.recorder
    w = model.weight
    weeks = np.arange(model.weeks)
    dates = _dates(model)
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
    for organiser in model.organisers:
        o = organiser.index
        if r.caseworkers[:, o].max() == 0:
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            rows.append(
                pd.DataFrame(
                    {
                        "week": weeks,
                        "date": dates,
                        "area": model.area_ids[organiser.area],
                        "organiser": type(organiser).__name__,
                        "caseworkers": r.caseworkers[:, o] * w,
                        "clients": r.clients[:, o] * w,
                        "caseload": r.clients[:, o] / r.caseworkers[:, o],
                        "meetings": r.meetings[:, o] * w,
                        "meeting_interval_weeks": r.interval_sum[:, o] / r.interval_count[:, o],
                        "overdue_meetings": r.backlog[:, o] * w,
                    }
                )
            )
    frames["organisers"] = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()

    rows = []
    n = model.n_services
    for s in range(len(model.service_places)):
        rows.append(
            pd.DataFrame(
                {
                    "week": weeks,
                    "date": dates,
                    "area": model.area_ids[s // n],
                    "service": model.service_names[s % n],
                    "places": float(model.service_places[s]) * w,
                    "occupied": r.occupied[:, s] * w,
                    "queue": r.queued[:, s] * w,
                }
            )
        )
    frames["services"] = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()

    rows = []
    for a, area in enumerate(model.area_ids):
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


def register_statistics(model: EmploymentModel, first_week: int = 0) -> dict[str, float]:
    """The run's counterparts of the register statistics, from ``first_week`` on.

    Monthly hazards from unemployment to employment and to services by spell-length
    bucket (exits / people at risk, converted from weeks to months), the destinations of
    ended spells, the long-term share of the unemployed at the end, and open-market
    employment 3 and 6 months after an activating service ended. Register concepts:
    unemployed = registered unemployed, services interrupt the spell.
    """
    r = model.recorder
    weeks = slice(first_week, model.weeks)
    at_risk = r.at_risk[weeks].sum(axis=0)
    exits = r.exits[weeks].sum(axis=0)
    stats: dict[str, float] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        weekly = exits / at_risk
    monthly = 1.0 - (1.0 - weekly) ** (52.1775 / 12)
    for d, destination in enumerate(("employment", "services")):
        for b in range(len(HAZARD_WEEKS)):
            stats[f"hazard_to_{destination}_{b + 1}"] = float(monthly[d, b])
    ended = exits.sum(axis=1)
    for d, destination in enumerate(EXIT_DESTINATIONS):
        stats[f"ended_spells_to_{destination}"] = float(ended[d] / ended.sum())
    last = model.weeks - 1
    stats["long_term_share_end"] = float(
        r.long_term[last, 0] / r.status[last, 0, Status.UNEMPLOYED]
    )
    after = r.after_service[weeks].sum(axis=0)
    for i, lag in enumerate(AFTER_SERVICE_WEEKS):
        months = round(lag * 12 / 52.1775)
        stats[f"employed_{months}_months_after_service"] = float(after[i, 1] / max(after[i, 0], 1))
    return stats
