"""A reference model: the weekly rules written the idiomatic Mesa way, one agent a person.

Used only by tests and benchmarks, to check that the vectorised model implements the
same rules (their employment paths agree within sampling error) and to measure what
vectorisation buys. It covers the rules of a scenario without services and without the
pilot: registrations, meetings within caseworker capacity (search boost, vacancy
referrals, monitoring exits where search is weak, meeting
intervals), job matching in segmented markets, recall of people between jobs, job
loss, leaving the register and coming back, and benefit exhaustion. The attributes of
new people are drawn by the vectorised model's own generator, so both start from the
same population distribution; every weekly decision is taken by an agent with
``model.rng``.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from simulation.config import facts
from simulation.config.scenario import Scenario
from simulation.core import rules
from simulation.core.model import EmploymentModel
from simulation.core.population import Benefit, Status

__all__ = ["ReferenceModel", "vectorised_employment_rate"]


class Person(mesa.Agent):
    """A job seeker with its own state and weekly step."""

    def __init__(self, model: ReferenceModel, row: dict) -> None:
        super().__init__(model)
        self.__dict__.update(row)
        self.status = Status(row["status"])
        self.caseworker: Advisor | None = None

    def own_search(self, week: int) -> float:
        """The search of the person's own: barriers and time out of work (1 when fresh)."""
        behaviour = self.model.spec.job_seekers
        w = behaviour.barrier_multiplier ** bin(self.barriers).count("1")
        progress = min(week - self.jobless_since, behaviour.duration_penalty_weeks)
        w *= 1.0 - (1.0 - behaviour.duration_penalty) * progress / behaviour.duration_penalty_weeks
        if week - self.jobless_since >= behaviour.detachment_weeks:
            w *= behaviour.detachment_multiplier
        return w

    def weight(self, week: int) -> float:
        """Search weight: employability, barriers, duration, meeting boost, referral."""
        behaviour = self.model.spec.job_seekers
        w = self.employability * self.own_search(week)
        w *= 1.0 + self.meeting_effect * math.exp(
            -(week - self.last_meeting) / behaviour.meeting_effect_weeks
        )
        if self.referral_until >= week:
            w *= behaviour.referral_multiplier
        return w

    def step(self) -> None:
        """Find a job, lose it, leave the register or come back (one move a week)."""
        model, week = self.model, self.model.week
        market = model.spec.labour_market
        rng = model.rng
        if self.status == Status.UNEMPLOYED:
            found = rng.random() < model.probability(self, week)
            recalled = self.between_jobs and rng.random() < model.recall_weekly
            if found or recalled:
                self.employ(week)
            elif rng.random() < model.exit_weekly:
                self.leave()
        elif self.status == Status.EMPLOYED and self.employed_since < week:
            multiplier = (
                market.former_long_term_separation_multiplier if self.former_long_term else 1.0
            )
            if rng.random() < model.separation_weekly * multiplier:
                if week - self.employed_since >= 26 and self.insured:
                    self.benefit = Benefit.EARNINGS_RELATED
                self.jobless_since = week
                self.between_jobs = rng.random() < model.spec.job_seekers.between_jobs_share
                self.start_spell(week)
        elif (
            self.status == Status.OUT_OF_LABOUR_FORCE
            and self.left_week < week  # nobody leaves and comes back in one week
            and rng.random() < model.return_weekly
        ):
            self.start_spell(week)
        if (
            self.benefit != Benefit.LABOUR_MARKET_SUBSIDY
            and self.status == Status.UNEMPLOYED
            and (week - self.jobless_since >= market.earnings_related_max_weeks)
        ):
            self.benefit = Benefit.LABOUR_MARKET_SUBSIDY

    def employ(self, week: int) -> None:
        """Start an open-market job."""
        self.between_jobs = False
        self.former_long_term = week - self.jobless_since >= 52
        self.status = Status.EMPLOYED
        self.employed_since = week
        self.referral_until = -(10**6)
        self.drop_caseworker()

    def leave(self) -> None:
        """Leave the register without a job."""
        self.left_week = self.model.week
        self.between_jobs = False
        self.status = Status.OUT_OF_LABOUR_FORCE
        self.referral_until = -(10**6)
        self.drop_caseworker()

    def start_spell(self, week: int) -> None:
        """Register again: a new spell with a caseworker and a first meeting."""
        self.status = Status.UNEMPLOYED
        self.spell_start = week
        self.model.enrol(self, week)

    def drop_caseworker(self) -> None:
        """End the client relation."""
        if self.caseworker is not None:
            self.caseworker.clients.pop(self, None)
            self.caseworker = None


class Advisor(mesa.Agent):
    """A caseworker with clients (in the order they came), meeting those due within capacity."""

    def __init__(self, model: ReferenceModel, effectiveness: float) -> None:
        super().__init__(model)
        self.effectiveness = effectiveness
        self.capacity = model.spec.te_office.meetings_per_caseworker_week
        self.clients: dict[Person, None] = {}  # ordered, so runs repeat exactly

    def step(self) -> None:
        """Meet due clients, longest overdue first, as far as capacity allows."""
        model, week = self.model, self.model.week
        policy, behaviour = model.spec.te_office, model.spec.job_seekers
        unemployed = [c for c in self.clients if c.status == Status.UNEMPLOYED]
        due = [c for c in unemployed if c.next_meeting <= week]
        model.rng.shuffle(due)
        due.sort(key=lambda c: c.next_meeting)
        slots = math.floor(self.capacity) + (model.rng.random() < self.capacity % 1)
        interval = policy.meeting_interval_weeks
        if policy.spare_capacity_meetings and self.capacity > 0:
            affordable = max(
                math.ceil(len(unemployed) / self.capacity), 1, policy.min_weeks_between_meetings
            )
            interval = min(interval, affordable)
        for client in due[:slots]:
            damp = behaviour.hard_to_employ_meeting_factor if client.barriers else 1.0
            client.meeting_effect = behaviour.meeting_effort_boost * self.effectiveness * damp
            client.last_meeting = week
            if model.rng.random() < policy.vacancy_referral_probability:
                client.referral_until = week + behaviour.referral_weeks - 1
            shortfall = 1.0 - min(client.own_search(week), 1.0)
            if model.rng.random() < policy.monitoring_exit_probability * shortfall:
                client.leave()
                continue
            client.next_meeting = week + interval


class ReferenceModel(mesa.Model):
    """Job seekers and caseworkers as agents, one weekly step each.

    Args:
        scenario: A scenario without services and without the pilot.
        seed: Seed of ``model.rng`` (and of the population generator).
    """

    def __init__(self, scenario: Scenario, seed: int = 0) -> None:
        if scenario.services or scenario.pilot.enabled:
            raise ValueError("the reference model covers scenarios without services or pilot")
        super().__init__(rng=seed)
        self.spec = scenario
        self.week = 0
        self.generator = EmploymentModel(scenario, seed=seed)  # population and matching only
        self.matching = self.generator.matching
        behaviour, market = scenario.job_seekers, scenario.labour_market
        self.exit_weekly = 1.0 - (
            1.0 - facts.monthly_to_weekly(behaviour.out_of_labour_force_monthly)
        ) * (1.0 - facts.monthly_to_weekly(behaviour.registration_lapse_monthly))
        self.separation_weekly = float(facts.monthly_to_weekly(market.separation_monthly))
        self.return_weekly = float(facts.monthly_to_weekly(behaviour.return_monthly))
        self.recall_weekly = float(facts.monthly_to_weekly(behaviour.recall_monthly))
        self.advisors: list[list[Advisor]] = []
        people = self.generator.job_seekers
        for area in range(len(scenario.areas)):
            organiser = self.generator.organisers[2 * area]
            shape = scenario.te_office.effectiveness_shape
            self.advisors.append(
                [
                    Advisor(self, float(self.rng.gamma(shape, 1.0 / shape)))
                    for _ in organiser.caseworkers
                ]
            )
        self.people = self._adopt(np.arange(len(people)))
        for person in self.people:
            self._assign(person)
        self.employment_rate: list[float] = []
        self.person_weeks = 0

    def _adopt(self, rows: np.ndarray) -> list[Person]:
        people = self.generator.job_seekers
        fields = (
            "area",
            "market",
            "employability",
            "barriers",
            "status",
            "spell_start",
            "jobless_since",
            "benefit",
            "insured",
            "next_meeting",
            "last_meeting",
            "between_jobs",
        )
        persons = []
        for row in rows:
            data = {f: getattr(people, f)[row].item() for f in fields}
            data.update(
                meeting_effect=0.0,
                referral_until=-(10**6),
                employed_since=-(10**6),
                former_long_term=False,
                left_week=-(10**6),
            )
            persons.append(Person(self, data))
        return persons

    def _assign(self, person: Person) -> None:
        staff = self.advisors[person.area]
        person.caseworker = staff[int(self.rng.random() * len(staff))]
        person.caseworker.clients[person] = None

    def enrol(self, person: Person, week: int) -> None:
        """A caseworker and a first meeting for someone starting a spell."""
        self._assign(person)
        person.next_meeting = week + self.spec.te_office.first_meeting_weeks

    def probability(self, person: Person, week: int) -> float:
        """This week's job-finding probability of a searcher."""
        return 1.0 - math.exp(-person.weight(week) * self._rate[person.market])

    def step(self) -> None:
        """One week: registrations, meetings, then every person's own step."""
        week = self.week = self.steps - 1
        market = self.spec.labour_market
        for area in range(len(self.spec.areas)):
            count = int(
                self.rng.poisson(self.generator.plan.inflow(week)[area] * self.generator.scale)
            )
            if count:
                rows = self.generator.registration.draw(
                    np.full(count, area), week + 16, week, False
                )
                for person in self._adopt(np.arange(rows.start, rows.stop)):
                    self.enrol(person, week)
                    self.people.append(person)
        for staff in self.advisors:
            for advisor in self.rng.permutation(staff):
                advisor.step()
        searching = [p for p in self.people if p.status == Status.UNEMPLOYED]
        totals = np.zeros(self.generator.plan.n_markets)
        for person in searching:
            totals[person.market] += person.weight(week)
        vacancies = self.generator.market_vacancies(week)
        # The same matching process as the vectorised model (urn-ball or Cobb-Douglas).
        self._rate = rules.search_price(market, totals, vacancies, self.matching)
        for person in self.rng.permutation(self.people):
            person.step()
        employed = sum(p.status == Status.EMPLOYED for p in self.people)
        self.employment_rate.append(employed / len(self.people))
        self.person_weeks += len(self.people)

    def run(self) -> None:
        """Run to the scenario's end."""
        while self.steps < self.spec.weeks:
            self.run_for(1)


def vectorised_employment_rate(scenario: Scenario, seed: int) -> list[float]:
    """The vectorised model's employment rate path, for comparison with the reference."""
    model = EmploymentModel(scenario, seed=seed)
    model.run()
    counts = model.recorder.status[:, 0, :]
    return list(counts[:, Status.EMPLOYED] / counts.sum(axis=1))
