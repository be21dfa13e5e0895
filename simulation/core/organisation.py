"""Who serves whom: the organisers of each area, the pilot's hand-over, enrolment.

Each area has a TE office and a city (numbered by the plan's ``roster.Roster``). Before
the pilot, or without it, the TE office serves every registered job seeker of its area;
from the pilot's start the city of a pilot area serves its target group (HE 87/2020).
In an in-silico trial with a treatment, each area also has a trial organiser that
serves the treated whenever they are registered. People
who start a spell are enrolled with their organiser, a caseworker and a first meeting.
"""

from __future__ import annotations

import math
from collections.abc import Set

import mesa
import numpy as np

from simulation.config.scenario import Organiser, Scenario
from simulation.core.accounts import Accounts
from simulation.core.agents import City, ServiceOrganiser, TEOffice, TrialOrganiser
from simulation.core.codes import OrganiserKind, Status
from simulation.core.plan import WEEKS_PER_YEAR, Plan
from simulation.core.population import JobSeekers
from simulation.core.registration import in_target_group
from simulation.core.staff import Staff
from simulation.core.trial import ARM_TREATED, TrialDesign

__all__ = ["Organisation"]


def _responsibilities(scenario: Scenario) -> tuple:
    """What decides who serves whom: the pilot's rules and which organisers are open."""
    return (scenario.pilot, scenario.te_office.open, scenario.city.open)


def _same_headcount_basis(
    before: Organiser, after: Organiser, rows: np.ndarray, clients: np.ndarray
) -> bool:
    """Whether the clients and the caseload stay (so the staff in post is kept).

    It is then scaled by any change of the staff multiplier (added specialists) and
    hired again with the policy's new capacity and traits.
    """
    return (
        before.caseload == after.caseload
        and before.open == after.open
        and np.array_equal(rows, clients)
    )


def _kind_name(organiser: ServiceOrganiser) -> str:
    """The scenario section of an organiser's policy: ``te_office`` or ``city``."""
    return "city" if isinstance(organiser, City) else "te_office"


def _staffing(policy: Organiser) -> tuple:
    """The policy values that set an organiser's staff."""
    return (
        policy.staff_multiplier,
        policy.caseload,
        policy.meetings_per_caseworker_week,
        policy.effectiveness_shape,
        policy.multisector_competence_share,
        policy.open,
    )


class Organisation:
    """The organisers of a run and the rule that gives each client one.

    Args:
        model: The model the organiser agents belong to.
        plan: The scenario's arrays.
        job_seekers: The population.
        staff: The caseworker table.
        accounts: Where organisers book their staff costs.
        design: The run's trial, if any.
    """

    def __init__(
        self,
        model: mesa.Model,
        plan: Plan,
        job_seekers: JobSeekers,
        staff: Staff,
        accounts: Accounts,
        design: TrialDesign | None = None,
    ) -> None:
        self.plan = plan
        self.design = design
        self.job_seekers = job_seekers
        self.staff = staff
        self.roster = roster = plan.roster
        self.trial = roster.trial
        kinds = {OrganiserKind.TE_OFFICE: TEOffice, OrganiserKind.CITY: City,
                 OrganiserKind.TRIAL: TrialOrganiser}  # fmt: skip
        self.organisers: list[ServiceOrganiser] = []
        for index, (area, kind) in enumerate(zip(roster.area, roster.kind, strict=True)):
            name, policy = plan.area_names[area], plan.policies[index]
            organiser = kinds[kind](model, index, int(area), name, policy, staff, accounts)
            if kind == OrganiserKind.CITY:
                organiser.seconded_share = plan.scenario.pilot.seconded_share
            self.organisers.append(organiser)
        self.pilot_active = np.zeros(plan.n_areas, dtype=bool)
        self.first_meeting = self._first_meeting()

    def _first_meeting(self) -> np.ndarray:
        """Weeks from the start of a spell to its first meeting, by organiser."""
        return self.plan.policy_arrays(("first_meeting_weeks",))["first_meeting_weeks"]

    def _local(self, area: int) -> tuple[ServiceOrganiser, ServiceOrganiser]:
        """The TE office and the city of an area."""
        return self.organisers[self.roster.te_office(area)], self.organisers[self.roster.city(area)]

    def age(self, rows: np.ndarray | slice, week: int) -> np.ndarray:
        """Age in years in ``week``."""
        p = self.job_seekers
        return p.age_at_entry[rows] + (week - p.entry_week[rows]) / WEEKS_PER_YEAR

    def in_target_group(self, rows: np.ndarray, week: int) -> np.ndarray:
        """Whether these people are in the pilots' target group in ``week``."""
        p = self.job_seekers
        return in_target_group(
            self.plan.scenario.pilot, self.age(rows, week), p.benefit[rows], p.immigrant[rows]
        )

    def _treated(self, week: int = 0) -> np.ndarray:
        """Whether each person is served by a trial organiser in ``week``."""
        p = self.job_seekers
        if not self.trial:
            return np.zeros(len(p), dtype=bool)
        return (p.trial_arm == ARM_TREATED) & self.design.under_treatment(p.assigned_week, week)

    def _clients(self, week: int = 0) -> np.ndarray:
        """The clients of the TE offices and cities (not those of a trial organiser)."""
        p = self.job_seekers
        return np.flatnonzero((p.status <= Status.OTHER_SERVICE) & ~self._treated(week))

    def staff_at_start(self, expected_treated: np.ndarray | None = None) -> None:
        """Give every client of the initial stock an organiser and staff the organisers.

        With a pilot from the first week, the city takes over its target group at once.
        In a trial, each trial organiser takes over the treated of its area and is
        staffed for ``expected_treated[area]`` clients if that is more.
        """
        if self.trial:
            p = self.job_seekers
            treated = np.flatnonzero((p.status <= Status.OTHER_SERVICE) & self._treated())
            for area in range(self.plan.n_areas):
                organiser = self.organisers[self.roster.trial_organiser(area)]
                expected = 0 if expected_treated is None else int(expected_treated[area])
                organiser.take_over(treated[p.area[treated] == area], expected)
        pilot = self.plan.scenario.pilot
        if pilot.enabled and self.plan.pilot_week == 0:
            self.start_pilot(0)
            return
        clients = self._clients()
        for area in range(self.plan.n_areas):
            rows = clients[self.job_seekers.area[clients] == area]
            self.organisers[self.roster.te_office(area)].take_over(rows)

    def start_pilot(self, week: int) -> None:
        """The city takes over the target group of each pilot area (HE 87/2020).

        Target-group clients move to a newly staffed city organisation; the TE office is
        re-staffed for the clients it keeps, at its own caseload. The TE office keeps
        the first ranks of the area's staff, so a change in the city's staffing leaves
        the TE office's caseworkers as they were.
        """
        p = self.job_seekers
        scenario = self.plan.scenario
        clients = self._clients(week)
        target = self.in_target_group(clients, week)
        for area, spec in enumerate(scenario.areas.values()):
            in_area = p.area[clients] == area
            te_office, city = self._local(area)
            if (spec.pilot or scenario.pilot.all_areas) and scenario.pilot.enabled:
                self.pilot_active[area] = True
                if te_office.policy.open:
                    te_office.take_over(clients[in_area & ~target])
                else:
                    te_office.retire()
                city.take_over(clients[in_area & target])
            elif not te_office.caseworkers:
                te_office.take_over(clients[in_area])

    def apply_change(self, plan: Plan, week: int, caseloads_set: Set[str] = frozenset()) -> None:
        """Clients and staff follow a dated change of policy (see ``docs/reforms.md``).

        The organisers take the policies in force; the areas in the pilot are those of
        the new rules (from the pilot's start). When who serves whom changes (the pilot's
        rules, an organiser opened or closed), each client goes to the organiser the
        rules now give them; otherwise everyone keeps theirs. In every area whose clients
        or staffing change, the caseworkers are placed again in rank order, the TE
        office's first: the i-th caseworker of an area is the same person under either
        employer. When clients move and the caseloads stay, the area's staff moves with
        them (a transfer of undertaking, ``_transfer``): its headcount is kept. An
        organiser whose clients and caseload stay keeps its staff in post, scaled by
        any change of its staff multiplier (added specialists), hired again with the
        policy's capacity and traits if those change; any other is staffed for its
        clients at its caseload in force. An organiser whose caseload the change itself
        sets (``caseloads_set``: ``"te_office"``, ``"city"``) is always staffed for its
        clients at that caseload, the same value as before included: a caseload set at a
        date is a staffing target from that date. A closed organiser keeps no staff.
        """
        responsibilities = _responsibilities(self.plan.scenario)
        self.plan = plan
        self.first_meeting = self._first_meeting()
        scenario = plan.scenario
        before = [(o.policy, len(o.caseworkers)) for o in self.organisers]
        for organiser in self.organisers:
            if organiser.kind == OrganiserKind.TRIAL:
                continue  # a trial's treatment does not change
            organiser.policy = self.roster.policy(organiser.kind, scenario)
            if isinstance(organiser, City):
                organiser.seconded_share = scenario.pilot.seconded_share
        pilot = scenario.pilot
        started = pilot.enabled and week >= plan.pilot_week
        self.pilot_active = np.array(
            [started and (area.pilot or pilot.all_areas) for area in scenario.areas.values()]
        )
        p = self.job_seekers
        clients = self._clients(week)
        # Clients move only when who serves whom changes; otherwise each keeps the
        # organiser their spell started with, as without the change.
        if _responsibilities(scenario) != responsibilities:
            organiser = self.organiser_for(clients, week)
        else:
            organiser = p.organiser[clients].astype(np.int64)
        for area in range(plan.n_areas):
            te_office, city = self._local(area)
            in_area = p.area[clients] == area
            moved = np.any(p.organiser[clients[in_area]] != organiser[in_area])
            staffing = any(
                _staffing(o.policy) != _staffing(before[o.index][0]) for o in (te_office, city)
            )
            targets = {o.index for o in (te_office, city) if _kind_name(o) in caseloads_set}
            if not (moved or staffing or targets):
                continue
            current = {o.index: clients[p.organiser[clients] == o.index] for o in (te_office, city)}
            for serving in (te_office, city):
                serving.retire()
            same_caseloads = all(
                o.policy.caseload == before[o.index][0].caseload for o in (te_office, city)
            )
            if moved and same_caseloads and not targets:
                self._transfer(te_office, city, clients[organiser == te_office.index],
                               clients[organiser == city.index], before)  # fmt: skip
                continue
            for serving in (te_office, city):
                rows = clients[organiser == serving.index]
                policy, count = before[serving.index]
                if not (serving.policy.open and (len(rows) or serving is te_office)):
                    continue  # closed, or a city with nobody to serve: no staff
                if (
                    count
                    and serving.index not in targets
                    and _same_headcount_basis(policy, serving.policy, rows, current[serving.index])
                ):  # the staff in post, scaled by any added specialists
                    added = serving.policy.staff_multiplier / max(policy.staff_multiplier, 1e-12)
                    serving.take_over(rows, count=max(1, math.ceil(count * added)))
                else:
                    serving.take_over(rows)

    @staticmethod
    def _transfer(
        te_office: ServiceOrganiser,
        city: ServiceOrganiser,
        te_rows: np.ndarray,
        city_rows: np.ndarray,
        before: list[tuple[Organiser, int]],
    ) -> None:
        """Clients move between the area's organisers and the staff moves with them.

        The area's caseworkers in post (scaled by any change of the staff multipliers)
        are shared between the open organisers in proportion to their clients, the TE
        office's share rounded, at least one for an organiser with clients: a transfer
        of undertaking keeps the headcount (2025: the TE offices' staff moved to the
        municipalities).
        """
        total = 0.0
        for serving in (te_office, city):
            policy, count = before[serving.index]
            total += count * serving.policy.staff_multiplier / max(policy.staff_multiplier, 1e-12)
        total = max(round(total), 1)
        te_open = te_office.policy.open and (len(te_rows) > 0 or not city.policy.open)
        city_open = city.policy.open and len(city_rows) > 0
        n_te, n_city = len(te_rows) * te_open, len(city_rows) * city_open
        te_count = round(total * n_te / (n_te + n_city)) if n_te + n_city else total * te_open
        if te_open:
            te_count = min(max(te_count, 1), total - (1 if city_open else 0))
            te_office.take_over(te_rows, count=max(te_count, 1))
        if city_open:
            city.take_over(city_rows, count=max(total - (te_count if te_open else 0), 1))

    def organiser_for(self, rows: np.ndarray, week: int) -> np.ndarray:
        """Organiser index for people starting a spell: the city for its target group."""
        area = self.job_seekers.area[rows]
        city = self.pilot_active[area] & self.in_target_group(rows, week)
        organiser = self.roster.serving(area, city)
        if self.trial:
            p = self.job_seekers
            treated = (p.trial_arm[rows] == ARM_TREATED) & self.design.under_treatment(
                p.assigned_week[rows], week
            )
            organiser[treated] = self.roster.index(area[treated], OrganiserKind.TRIAL)
        return organiser

    def end_treatment(self, week: int) -> None:
        """The treated whose treatment ends this week go to their usual organiser.

        Their next meeting stays as the treatment scheduled it; from then on they are
        met under the usual organiser's policy (as after Crepon et al. 2013's six months
        of counselling). Their trial caseworker's place is not refilled.
        """
        if not self.trial or self.design.treatment_weeks == 0:
            return
        p = self.job_seekers
        ending = np.flatnonzero(
            (p.status <= Status.OTHER_SERVICE)
            & (p.trial_arm == ARM_TREATED)
            & (p.assigned_week == week - self.design.treatment_weeks)
        )
        self.staff.assign(ending, self.organiser_for(ending, week))

    def enrol(self, rows: np.ndarray, week: int) -> None:
        """Give people starting a spell an organiser, a caseworker and a first meeting."""
        if len(rows) == 0:
            return
        organiser = self.organiser_for(rows, week)
        self.staff.assign(rows, organiser)
        self.job_seekers.next_meeting[rows] = week + self.first_meeting[organiser]
