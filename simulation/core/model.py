"""The employment-services model: time, random streams, agents and the weekly step.

:class:`EmploymentModel` is a ``mesa.Model``. One step is one week. It owns

* the job seekers (a :class:`~simulation.population.JobSeekers` structure of arrays),
* the organisers (:class:`~simulation.agents.TEOffice`, :class:`~simulation.agents.City`)
  and their :class:`~simulation.agents.Caseworker` agents,
* the services with their places, and the vacancies of each area,
* the random streams: every draw is keyed by (seed, decision, person, week).

The weekly step applies the rules in a fixed order: new registrations, meetings,
services, job matching, other transitions, benefits, bookkeeping. Every rule acts on
arrays of the people concerned; there is no loop over people.
"""

from __future__ import annotations

from collections.abc import Callable

import mesa
import numpy as np
from scipy import special

from simulation.config import facts
from simulation.config.scenario import BARRIERS, Scenario
from simulation.core import kernels, rules
from simulation.core.agents import Caseworker, City, ServiceOrganiser, TEOffice
from simulation.core.population import (
    CLOCK_EVENTS,
    GROUP_COMBINATIONS,
    NO_WEEK,
    Barrier,
    Benefit,
    JobSeekers,
    Status,
)
from simulation.core.records import (
    COST_COLUMNS,
    EXIT_DESTINATION_OF_STATUS,
    EXIT_DESTINATIONS,
    HAZARD_WEEKS,
    Recorder,
)
from simulation.core.streams import RandomStreams, person_keys

__all__ = ["EmploymentModel"]

WEEKS_PER_YEAR = 52.1775
LONG_TERM_WEEKS = 52
_SERVICE_STATUS_CODES = {
    "training": Status.TRAINING,
    "pay_subsidy": Status.PAY_SUBSIDY,
    "rehabilitative_work": Status.REHABILITATIVE_WORK,
    "other": Status.OTHER_SERVICE,
    "parallel": Status.UNEMPLOYED,
}
_BARRIER_BITS = {name: int(Barrier[name.upper()]) for name in BARRIERS}
_INITIAL_COHORT = 0  # cohort codes 1..15: initial occupants of service j (code 1 + j)
_INFLOW_COHORT_OFFSET = 16


def _cumulative_shares(shares: np.ndarray) -> np.ndarray:
    """Cumulative shares along the last axis, the last one scaled to exactly 1."""
    cumulative = np.cumsum(shares, axis=-1)
    cumulative /= cumulative[..., -1:]
    return cumulative


class EmploymentModel(mesa.Model):
    """Job seekers, caseworkers, TE offices and cities of one or more areas, week by week.

    Args:
        scenario: A validated scenario.
        seed: The replication's ``SeedSequence`` (or an int); default: the scenario seed.
        scale: Simulated people per real person; default: the scenario's ``run.scale``.

    Example:
        >>> from simulation import load_scenario
        >>> model = EmploymentModel(load_scenario("scenarios/quickstart.toml"))  # doctest: +SKIP
        >>> model.run()                                                           # doctest: +SKIP
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: np.random.SeedSequence | int | None = None,
        scale: float | None = None,
    ) -> None:
        if seed is None:
            seed = scenario.run.seed
        sequence = (
            seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        )
        super().__init__(
            rng=np.random.SeedSequence(sequence.entropy, spawn_key=(*sequence.spawn_key, 0))
        )
        self.spec = scenario  # Mesa's own ``self.scenario`` records the seed only
        self.seed_sequence = sequence
        self.streams = RandomStreams(sequence)
        self._bases = {event: self.streams.decision_base(event) for event in CLOCK_EVENTS}
        self._hazards = self._constant_hazards()
        self._barrier_bits = np.array(list(_BARRIER_BITS.values()), dtype=np.uint8)
        self._referral_bases = np.array(
            [
                self.streams.decision_base(d)
                for d in ("multisector_referral", "service_referral", "service_choice")
            ]
        )
        self._completion_bases = np.array(
            [self.streams.decision_base(f"resolve_{name}") for name in _BARRIER_BITS]
            + [self.streams.decision_base("job_after_service")]
        )
        self._meeting_bases = np.array(
            [self.streams.decision_base(f"detect_{name}") for name in _BARRIER_BITS]
            + [self.streams.decision_base(d) for d in ("vacancy_referral", "monitoring_exit")]
        )
        self.scale = float(scenario.run.scale if scale is None else scale)
        self.weight = 1.0 / self.scale
        self.weeks = scenario.weeks
        self.week = 0
        self.area_ids = list(scenario.areas)
        self.area_names = [scenario.areas[a].name for a in self.area_ids]
        self.job_seekers = JobSeekers(capacity=self._expected_people())
        self._inflow_means = [self._inflow_per_week(a) for a in scenario.areas.values()]
        self._composition = self._area_composition()
        self._elapsed = self._elapsed_tables()
        self._new_person_bases = np.array(
            [self.streams.decision_base(d) for d in kernels.NEW_PERSON_DECISIONS]
        )
        self._setup_services()
        self._setup_organisers()
        self._setup_labour_market()
        self.pilot_week = (scenario.pilot_start - scenario.run.start).days // 7
        self.pilot_active = np.zeros(len(self.area_ids), dtype=bool)
        self._week_costs = np.zeros((len(self.area_ids), len(COST_COLUMNS)))
        self._meetings = np.zeros(len(self.organisers))
        self._intervals = np.zeros((2, len(self.organisers)))
        self._backlog = np.zeros(len(self.organisers))
        self._matches = np.zeros(len(self.area_ids))
        self._buffers: dict[str, np.ndarray] = {}
        self.register = np.zeros(0, dtype=np.int64)  # see _refresh_register
        self._between_jobs = np.zeros(0, dtype=np.int64)
        # People in work or outside the labour force by (cell, status): they are not
        # visited week by week, so their counts are kept as they move.
        self._dormant = np.zeros((len(self.area_ids) * GROUP_COMBINATIONS, len(Status)), np.int64)
        self._services_ended: dict[int, np.ndarray] = {}  # week -> rows whose service ended
        self._census_week = -1
        self._census: tuple[np.ndarray, ...] = ()
        behaviour = scenario.job_seekers
        self._barrier_shares = np.array(
            [getattr(behaviour, f"{name}_barrier_share") for name in _BARRIER_BITS], dtype=float
        )
        masks = np.arange(256, dtype=np.uint8)
        self._barrier_factor = behaviour.barrier_multiplier ** rules.barrier_count(masks)
        # What is left of a meeting's boost after 0, 1, ... weeks (rules.meeting_boost);
        # the last entry (practically zero) stands for every longer gap.
        self._meeting_decay = (
            rules.meeting_boost(np.arange(1024.0), 1.0, behaviour.meeting_effect_weeks) - 1.0
        )
        self.meetings_by_caseworker = np.zeros(0, dtype=np.int64)
        self.meeting_capacity = np.zeros(0, dtype=np.int64)
        self._populate()
        self._refresh_register()
        self._anchor_matching()
        self._staff_organisers()
        if scenario.pilot.enabled and self.pilot_week > 0:
            self.schedule_event(self.start_pilot, at=self.pilot_week + 0.5)
        # What the compiled referral after a meeting needs (kernels.refer_to_service).
        self._referral_tables = (
            self._referral_policy,
            self._referral_bases,
            self._barrier_bits,
            *self._menu_tables,
            self.n_services,
            self.service_max_age,
            WEEKS_PER_YEAR,
        )
        self.recorder = Recorder(self)

    # ------------------------------------------------------------------ set-up

    def _constant_hazards(self) -> dict[str, float]:
        """Weekly hazards of the moves with constant rates (job loss, exit, return, recall)."""
        behaviour = self.spec.job_seekers
        market = self.spec.labour_market
        separation = float(facts.monthly_to_weekly(market.separation_monthly))
        exit_weekly = 1.0 - (
            1.0 - facts.monthly_to_weekly(behaviour.out_of_labour_force_monthly)
        ) * (1.0 - facts.monthly_to_weekly(behaviour.registration_lapse_monthly))
        multiplier = market.former_long_term_separation_multiplier
        return {
            "separation": float(-np.log1p(-separation)),
            "former_long_term": float(-np.log1p(-min(separation * multiplier, 1.0 - 1e-12))),
            "leave_register": float(-np.log1p(-exit_weekly)),
            "return": float(-np.log1p(-facts.monthly_to_weekly(behaviour.return_monthly))),
            "recall": float(-np.log1p(-facts.monthly_to_weekly(behaviour.recall_monthly))),
        }

    def _expected_people(self) -> int:
        stock = sum(a.unemployed for a in self.spec.areas.values())
        inflow = sum(self._inflow_per_week(a) for a in self.spec.areas.values())
        return int((stock * 1.5 + inflow * self.weeks) * self.scale * 1.1) + 1024

    def _area_composition(self) -> tuple[np.ndarray, ...]:
        """Each area's shares of new job seekers' traits, indexed by area.

        Returns:
            (under-30 share, immigrant share, long-term share, cumulative education
            shares, cumulative benefit shares), as ``kernels.new_people`` takes them.
        """
        areas = list(self.spec.areas.values())
        benefit = [
            (
                a.earnings_related_share,
                a.basic_allowance_share,
                max(0.0, 1.0 - a.earnings_related_share - a.basic_allowance_share),
            )
            for a in areas
        ]
        return (
            np.array([a.under_30_share for a in areas]),
            np.array([a.immigrant_share for a in areas]),
            np.array([a.long_term_share for a in areas]),
            _cumulative_shares(np.array([a.education_shares for a in areas], dtype=float)),
            _cumulative_shares(np.array(benefit, dtype=float)),
        )

    @staticmethod
    def _elapsed_tables() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """Elapsed weeks and their cumulative shares in the short- and long-term stock.

        The profile within each part is the stationary stock implied by the 2015
        register hazards (``facts.stationary_stock``); the initial stock draws its
        elapsed spell from the part its long-term draw selects.
        """
        weeks, share = facts.stationary_stock()
        parts = [(weeks >= LONG_TERM_WEEKS) == is_long for is_long in (False, True)]
        cumulative = [np.cumsum(share[part]) for part in parts]
        return (
            (weeks[parts[0]].astype(np.int32), weeks[parts[1]].astype(np.int32)),
            (cumulative[0] / cumulative[0][-1], cumulative[1] / cumulative[1][-1]),
        )

    def _inflow_per_week(self, area) -> float:
        if area.inflow_per_week is not None:
            return area.inflow_per_week
        share = self.spec.labour_market.external_inflow_share
        return share * area.unemployed / facts.mean_spell_weeks()

    def _setup_services(self) -> None:
        """Service table: one instance per (area, service), ``index = area * n + j``."""
        specs = list(self.spec.services.values())
        self.service_names = list(self.spec.services)
        n = len(specs)
        self.n_services = n
        if n > 15:
            raise ValueError("at most 15 services are supported")
        self.service_status = np.array(
            [_SERVICE_STATUS_CODES[s.status] for s in specs], dtype=np.int8
        )
        self.service_duration = np.array([s.duration_weeks for s in specs], dtype=np.int32)
        self.service_lock_in = np.array([s.lock_in for s in specs], dtype=np.float32)
        self.service_gain = np.array([s.employability_gain for s in specs], dtype=np.float32)
        self.service_removal = np.array([s.barrier_removal_probability for s in specs])
        self.service_job = np.array([s.job_on_completion_probability for s in specs])
        self.service_max_age = np.array([s.max_age or 1000 for s in specs], dtype=np.float32)
        self.service_city = np.array([s.provider == "city" for s in specs], dtype=bool)
        self.service_cost = np.array([s.cost_per_place_week for s in specs])
        self.service_addresses = np.array(
            [sum(_BARRIER_BITS[b] for b in s.addresses) for s in specs], dtype=np.uint8
        )
        places = []
        for area in self.spec.areas.values():
            for spec in specs:
                organiser = self.spec.city if spec.provider == "city" else self.spec.te_office
                real = (
                    spec.places_per_1000
                    * area.unemployed
                    / 1000
                    * organiser.service_capacity_multiplier
                )
                places.append(round(real * self.scale))
        self.service_places = np.array(places, dtype=np.int64)
        # Referral menus: category 0 = general services, 1.. = services for a barrier.
        menus = []
        for category in range(len(BARRIERS) + 1):
            if category == 0:
                eligible = [j for j, s in enumerate(specs) if not s.addresses]
            else:
                eligible = [j for j, s in enumerate(specs) if BARRIERS[category - 1] in s.addresses]
            eligible = np.array(eligible, dtype=np.int64)
            weights = self.service_places.reshape(len(self.area_ids), n)[:, eligible].astype(float)
            menus.append((eligible, np.cumsum(weights, axis=1)))
        # The menus as padded tables for kernels.refer: size, services, cumulative places.
        longest = max(len(eligible) for eligible, _ in menus)
        n_areas = len(self.area_ids)
        sizes = np.array([len(eligible) for eligible, _ in menus], dtype=np.int64)
        services = np.full((len(menus), max(longest, 1)), -1, dtype=np.int64)
        weights = np.zeros((len(menus), n_areas, max(longest, 1)))
        for c, (eligible, cumulative) in enumerate(menus):
            services[c, : len(eligible)] = eligible
            weights[c, :, : len(eligible)] = cumulative
        self._menu_tables = (sizes, services, weights)

    def _setup_organisers(self) -> None:
        """A TE office and a city per area, and the caseworker table."""
        self.organisers: list[ServiceOrganiser] = []
        for area in range(len(self.area_ids)):
            self.organisers.append(TEOffice(self, 2 * area, area, self.spec.te_office))
            self.organisers.append(City(self, 2 * area + 1, area, self.spec.city))
        policies = [o.policy for o in self.organisers]

        def column(name: str, dtype=np.float64) -> np.ndarray:
            return np.array([getattr(p, name) for p in policies], dtype=dtype)

        self.policy = {
            name: column(name)
            for name in (
                "barrier_detection_probability",
                "competent_detection_probability",
                "vacancy_referral_probability",
                "service_referral_probability",
                "monitoring_exit_probability",
                "multisector_access",
                "service_referral_decline",
            )
        }
        for name in (
            "meeting_interval_weeks",
            "early_interval_weeks",
            "early_period_weeks",
            "first_meeting_weeks",
            "min_weeks_between_meetings",
        ):
            self.policy[name] = column(name, np.int32)
        self.policy["spare_capacity_meetings"] = column("spare_capacity_meetings", bool)
        self._referral_policy = self._policy_table(
            "multisector_access", "service_referral_probability", "service_referral_decline"
        )
        # The same policies as tables for the compiled meetings (kernels.meet).
        self._meeting_policy = self._policy_table(
            "barrier_detection_probability",
            "competent_detection_probability",
            "vacancy_referral_probability",
            "monitoring_exit_probability",
        )
        self._interval_policy = self._policy_table(
            "meeting_interval_weeks",
            "early_interval_weeks",
            "early_period_weeks",
            "min_weeks_between_meetings",
            "spare_capacity_meetings",
            dtype=np.int64,
        )
        self.caseworker_table = {
            "organiser": np.zeros(0, dtype=np.int32),
            "capacity": np.zeros(0),
            "effectiveness": np.zeros(0, dtype=np.float32),
            "competent": np.zeros(0, dtype=bool),
            "key": np.zeros(0, dtype=np.uint64),
            "active": np.zeros(0, dtype=bool),
        }

    def _policy_table(self, *names: str, dtype: type = np.float64) -> np.ndarray:
        """Organiser policies as a table: one row per organiser, one column per name."""
        return np.column_stack([self.policy[name].astype(dtype) for name in names])

    def _setup_labour_market(self) -> None:
        market = self.spec.labour_market
        self.vacancies_at_start = np.array(
            [
                (
                    a.vacancies
                    if a.vacancies is not None
                    else a.unemployed * market.vacancies_per_unemployed
                )
                * self.scale
                for a in self.spec.areas.values()
            ]
        )
        start = self.spec.run.start
        self._path_weeks = np.array([(p.date - start).days / 7 for p in market.vacancy_path])
        self._path_values = np.array([p.multiplier for p in market.vacancy_path])

    def hire_caseworkers(self, organiser: ServiceOrganiser, count: int) -> list[Caseworker]:
        """Add ``count`` caseworkers to an organiser; their traits come from its policy."""
        table = self.caseworker_table
        first = len(table["organiser"])
        # Traits are keyed by area and rank among the area's serving caseworkers, not by
        # employer: the i-th caseworker of an area is the same person whether the TE
        # office or the city employs them (seconded staff), which keeps caseworker draws
        # common across scenarios that differ in organisation.
        in_area = table["organiser"] // 2 == organiser.area
        rank = int(np.count_nonzero(in_area & table["active"]))
        keys = (np.uint64(organiser.area) << np.uint64(32)) + np.arange(
            rank, rank + count, dtype=np.uint64
        )
        policy = organiser.policy
        shape = policy.effectiveness_shape
        new = {
            "organiser": np.full(count, organiser.index, dtype=np.int32),
            "capacity": np.full(count, policy.meetings_per_caseworker_week),
            "effectiveness": self._stratified_effectiveness(keys, shape),
            "competent": self.streams.bernoulli(
                "caseworker_competence", keys, 0, policy.multisector_competence_share
            ),
            "key": keys,
            "active": np.ones(count, dtype=bool),
        }
        for name, values in new.items():
            table[name] = np.concatenate([table[name], values])
        return [Caseworker(self, first + i) for i in range(count)]

    def _stratified_effectiveness(self, keys: np.ndarray, shape: float) -> np.ndarray:
        """Caseworker effectiveness, Gamma with mean 1, drawn by stratified sampling.

        The i-th of n new caseworkers gets the quantile (i + v_i) / n with v_i uniform,
        so an organiser's staff covers the whole distribution whatever its size, in
        ascending order. A client's caseworker is picked by the client's own quantile
        (see ``ServiceOrganiser.assign``), so the same person meets an equally effective
        caseworker whichever organiser serves them.
        """
        count = len(keys)
        quantile = np.arange(count) + self.streams.uniform("caseworker_effectiveness", keys, 0)
        return (special.gammaincinv(shape, quantile / count) / shape).astype(np.float32)

    def retire_caseworkers(self, organiser: ServiceOrganiser) -> None:
        """Remove an organiser's caseworkers (their clients are reassigned by the caller)."""
        for caseworker in organiser.caseworkers:
            self.caseworker_table["active"][caseworker.index] = False
            self.caseworker_table["capacity"][caseworker.index] = 0.0
            caseworker.remove()
        organiser.caseworkers = []

    # ------------------------------------------------------------------ people

    def _draw_people(self, area: np.ndarray, cohort: int, week: int, initial: bool) -> slice:
        """Register new people (``area``: each one's area, ascending), drawing their attributes.

        Composition comes from the area (shares of under-30s, immigrants, benefit types,
        education); barriers and employability from ``job_seekers`` parameters. The
        initial stock also gets an elapsed spell length: the share long-term unemployed
        is the area's, the profile within the short- and long-term parts is the
        stationary stock implied by the 2015 register hazards. A person's key is their
        area, cohort and rank within both.
        """
        area = np.asarray(area, dtype=np.int64)
        behaviour = self.spec.job_seekers
        keys = person_keys(area, cohort)
        sd = behaviour.employability_sd
        employability = np.exp(sd * self.streams.normal("employability", keys, 0) - sd * sd / 2.0)
        rule = self.spec.pilot
        traits = kernels.new_people(
            keys,
            area,
            initial,
            self._new_person_bases,
            *self._composition,
            *self._elapsed,
            float(behaviour.between_jobs_share),
            self._barrier_shares,
            self._barrier_bits,
            employability,
            np.asarray(behaviour.education_multipliers, dtype=np.float64),
            float(behaviour.immigrant_multiplier),
            float(behaviour.age_55_plus_multiplier),
            float(behaviour.long_term_multiplier_at_start),
            int(self.spec.labour_market.earnings_related_max_weeks),
            int(self.spec.costs.benefit_days_per_week),
            (
                bool(rule.target_not_earnings_related),
                float(rule.target_under_age),
                bool(rule.target_immigrants),
            ),
            GROUP_COMBINATIONS,
        )
        traits = dict(zip(kernels.NEW_PERSON_TRAITS, traits, strict=True))
        weeks_out = traits.pop("weeks_out")
        rows = self.job_seekers.add(
            len(keys),
            key=keys,
            area=area,
            entry_week=week,
            employability=employability.astype(np.float32),
            status=Status.UNEMPLOYED,
            spell_start=week - weeks_out,
            jobless_since=week - weeks_out,
            **traits,
        )
        new = np.arange(rows.start, rows.stop)
        for event in CLOCK_EVENTS:
            self._draw_clock(event, new)
        return rows

    def in_target_group(
        self, age: np.ndarray, benefit: np.ndarray, immigrant: np.ndarray
    ) -> np.ndarray:
        """The pilots' target-group rule: no earnings-related allowance, young, or immigrant.

        Each part can be switched off in ``[pilot]`` (HE 87/2020 defines all three).
        """
        rule = self.spec.pilot
        return rules.in_target_group(
            age,
            np.asarray(benefit, dtype=np.int8),
            np.asarray(immigrant, dtype=bool),
            bool(rule.target_not_earnings_related),
            float(rule.target_under_age),
            bool(rule.target_immigrants),
        )

    def age(self, rows: np.ndarray | slice) -> np.ndarray:
        """Current age in years."""
        p = self.job_seekers
        return p.age_at_entry[rows] + (self.week - p.entry_week[rows]) / WEEKS_PER_YEAR

    def _populate(self) -> None:
        """The initial stock: unemployed job seekers and the people in services."""
        p = self.job_seekers
        for area, spec in enumerate(self.spec.areas.values()):
            stock = round(spec.unemployed * self.scale)
            self._draw_people(np.full(stock, area), _INITIAL_COHORT, 0, True)
            for j in range(self.n_services):
                status = self.service_status[j]
                places = int(self.service_places[area * self.n_services + j])
                if status == Status.UNEMPLOYED or places == 0:
                    continue  # parallel services start empty and fill from referrals
                rows = self._draw_people(np.full(places, area), 1 + j, 0, True)
                keys = p.key[rows]
                remaining = 1 + np.floor(
                    self.streams.uniform("service_remaining", keys, 0) * self.service_duration[j]
                ).astype(np.int32)
                p.status[rows] = status
                p.service[rows] = area * self.n_services + j
                p.service_end[rows] = remaining - 1
        # Meetings of the initial stock are spread over one interval.
        interval = self.spec.te_office.meeting_interval_weeks
        u = self.streams.uniform("first_meeting", p.key, 0)
        p.next_meeting[:] = np.floor(u * interval).astype(np.int32)
        p.last_meeting[:] = p.next_meeting - interval

    def _anchor_matching(self) -> None:
        """Fix the matching efficiency so the initial stock finds jobs at the observed rate."""
        searching, _, totals = self._search_weights(0, Status.UNEMPLOYED, with_policy=False)
        market = self.spec.labour_market
        self.matching_efficiency = rules.matching_efficiency(
            float(facts.monthly_to_weekly(market.job_finding_monthly_at_start)),
            len(searching),
            totals,
            self.vacancies_at_start,
            market.vacancy_elasticity,
        )

    def _staff_organisers(self) -> None:
        """Give every client an organiser and staff the organisers that have clients."""
        if self.spec.pilot.enabled and self.pilot_week == 0:
            self.start_pilot()
            return
        clients = self._client_rows()
        for area in range(len(self.area_ids)):
            rows = clients[self.job_seekers.area[clients] == area]
            self.organisers[2 * area].take_over(rows)

    def _client_rows(self) -> np.ndarray:
        return np.flatnonzero(self.job_seekers.status <= Status.OTHER_SERVICE)

    def start_pilot(self) -> None:
        """The city takes over the target group of each pilot area (HE 87/2020).

        Target-group clients move to a newly staffed city organisation; the TE office is
        re-staffed for the clients it keeps, at its own caseload.
        """
        p = self.job_seekers
        clients = self._client_rows()
        target = self.in_target_group(self.age(clients), p.benefit[clients], p.immigrant[clients])
        for area, spec in enumerate(self.spec.areas.values()):
            in_area = p.area[clients] == area
            te_office, city = self.organisers[2 * area], self.organisers[2 * area + 1]
            if spec.pilot and self.spec.pilot.enabled:
                self.pilot_active[area] = True
                # The TE office keeps the first ranks of the area's staff, so a change in
                # the city's staffing leaves the TE office's caseworkers as they were.
                te_office.take_over(clients[in_area & ~target])
                city.take_over(clients[in_area & target])
            elif not te_office.caseworkers:
                te_office.take_over(clients[in_area])

    def organiser_for(self, rows: np.ndarray) -> np.ndarray:
        """Organiser index for people starting a spell: the city for its target group."""
        p = self.job_seekers
        city = self.pilot_active[p.area[rows]] & self.in_target_group(
            self.age(rows), p.benefit[rows], p.immigrant[rows]
        )
        return 2 * p.area[rows].astype(np.int64) + city

    def _enrol(self, rows: np.ndarray, week: int) -> None:
        """Assign organiser, caseworker and first meeting to people starting a spell."""
        if len(rows) == 0:
            return
        organiser = self.organiser_for(rows)
        self.assign_caseworkers(rows, organiser)
        p = self.job_seekers
        p.next_meeting[rows] = week + self.policy["first_meeting_weeks"][organiser]

    def assign_caseworkers(self, rows: np.ndarray, organiser: np.ndarray) -> None:
        """Give clients of these organisers a caseworker each.

        An organiser's caseworkers are ordered by effectiveness, and a client's place in
        that order is the client's own permanent random quantile. Caseloads are even in
        expectation, and a person draws an equally good caseworker whichever organiser
        serves them, which keeps scenarios that move clients between organisers
        comparable.
        """
        if len(rows) == 0:
            return
        p = self.job_seekers
        staff = np.array([len(o.caseworkers) for o in self.organisers])[organiser]
        first = np.array([o.first_caseworker for o in self.organisers])[organiser]
        quantile = self.streams.uniform("caseworker_choice", p.key[rows], 0)
        position = np.minimum((quantile * staff).astype(np.int64), staff - 1)
        p.organiser[rows] = organiser
        p.caseworker[rows] = first + position
        p.served_by_city[rows] |= organiser % 2 == City.kind

    def _buffer(self, name: str, dtype: type = np.int64) -> np.ndarray:
        """A named work array with room for every job seeker, reused week after week.

        The compiled passes write the rows they select into such arrays instead of
        allocating fresh ones: a fresh array of a million rows costs more in page faults
        than the pass itself.
        """
        buffer = self._buffers.get(name)
        if buffer is None or len(buffer) < len(self.job_seekers):
            buffer = np.empty(self.job_seekers.capacity, dtype=dtype)
            self._buffers[name] = buffer
        return buffer

    # ------------------------------------------------------------------ the week

    def step(self) -> None:
        """One week: the rules in their fixed order, then the records."""
        week = self.week = self.steps - 1
        self._week_costs[:] = 0.0
        self.register_job_seekers(week)
        self.recorder.open_week(week)
        self.hold_meetings(week)
        self.run_services(week)
        self.match_jobs(week)
        self.recall_to_work(week)
        self.move_between_states(week)
        self.update_benefits(week)
        for organiser in self.organisers:
            organiser.step()
        self.book_costs()
        self.recorder.record(week)

    def run(self, progress: Callable[[int], None] | None = None) -> None:
        """Run to the scenario's end, calling ``progress(weeks_done)`` after each week."""
        while self.steps < self.weeks:
            self.run_for(1)
            if progress is not None:
                progress(1)

    def register_job_seekers(self, week: int) -> None:
        """New registrations: a Poisson number a week per area, with the area's composition.

        The default rate is the stationary inflow implied by the area's stock and the
        mean spell length of the 2015 register flows; people who lose a job or come back
        from outside the labour force register on top of it.
        """
        counts = self.streams.poissons(
            "inflow",
            np.arange(len(self._inflow_means)),
            week,
            np.asarray(self._inflow_means) * self.scale,
        )
        if counts.sum():
            area = np.repeat(np.arange(len(counts)), counts)
            rows = self._draw_people(area, week + _INFLOW_COHORT_OFFSET, week, False)
            self._enrol(np.arange(rows.start, rows.stop), week)
        self._refresh_register()

    def _refresh_register(self) -> None:
        """List everyone registered now (``self.register``, row order).

        The weekly rules visit only these rows; people who register again later in the
        week (job losses, returns) are added to the list as they do. The unemployed
        between jobs are listed apart, for their recall.
        """
        p = self.job_seekers
        rows, between = self._buffer("register"), self._buffer("between_jobs")
        count, count_between = kernels.registered(p.status, p.between_jobs, rows, between)
        self.register, self._between_jobs = rows[:count], between[:count_between]

    def _meeting_capacity(self, week: int) -> np.ndarray:
        """Meetings each caseworker can hold this week (fractions rounded at random)."""
        table = self.caseworker_table
        whole = np.floor(table["capacity"])
        extra = (
            self.streams.uniform("meeting_capacity", table["key"], week) < table["capacity"] - whole
        )
        return (whole + extra).astype(np.int64)

    def hold_meetings(self, week: int) -> None:
        """Caseworkers meet the clients who are due, as far as their capacity allows.

        Clients due longest ago go first; ties are broken by a per-person random key.
        A meeting (1) boosts search, by the caseworker's effectiveness and less for
        people with barriers (Schiprowski 2020; Rosholm); (2) may detect barriers, more
        often with multi-sector competence; (3) may bring a vacancy referral; (4) may end
        the registration through monitoring (Huuskonen 2023); (5) may refer to a service.
        The meetings themselves are held in ``kernels.meet``; the next one is set by
        ``kernels._next_interval`` (denser with spare capacity) and the referral follows
        ``kernels.refer_to_service``.
        """
        p = self.job_seekers
        self._meetings[:] = 0
        self._intervals[:] = 0
        self._backlog[:] = 0
        capacity = self._meeting_capacity(week)
        due = self._buffer("due")
        count, caseload, caseworker, since = kernels.meeting_candidates(
            self.register, p.status, p.caseworker, p.next_meeting, week, len(capacity), due
        )
        due = due[:count]
        granted = kernels.select_meetings(
            due,
            caseworker,
            since,
            capacity,
            p.key,
            p.meetings,
            self.streams.decision_base("meeting_priority"),
        )
        n_organisers = len(self.organisers)
        met = due[granted]
        # Each caseworker meets as many of the clients due as capacity allows.
        due_by_caseworker = np.bincount(caseworker, minlength=len(capacity))
        self.meetings_by_caseworker = np.minimum(due_by_caseworker, capacity)
        self.meeting_capacity = capacity
        self._backlog += np.bincount(
            self.caseworker_table["organiser"],
            weights=due_by_caseworker - self.meetings_by_caseworker,
            minlength=n_organisers,
        )
        if len(met) == 0:
            return
        lapsed = self._buffer("lapsed")
        behaviour = self.spec.job_seekers
        table = self.caseworker_table
        n_lapsed, held, interval_sum, interval_count = kernels.meet(
            met,
            week,
            p.key,
            p.organiser,
            p.caseworker,
            p.barriers,
            p.detected,
            p.spell_start,
            p.meetings,
            p.last_meeting,
            p.meeting_effect,
            p.referral_until,
            p.next_meeting,
            p.service,
            p.queued_for,
            table["effectiveness"],
            table["competent"],
            table["capacity"],
            caseload,
            self._meeting_policy,
            self._interval_policy,
            float(behaviour.meeting_effort_boost),
            float(behaviour.hard_to_employ_meeting_factor),
            int(behaviour.referral_weeks),
            self._meeting_bases,
            self._barrier_bits,
            n_organisers,
            lapsed,
            (
                p.key,
                p.organiser,
                p.detected,
                p.barriers,
                p.area,
                p.spell_start,
                p.age_at_entry,
                p.entry_week,
                p.queued_for,
                p.queued_since,
            ),
            self._referral_tables,
        )
        self._meetings += held
        self._intervals += (interval_sum, interval_count)
        self.leave_register(lapsed[:n_lapsed], week)

    def run_services(self, week: int) -> None:
        """End the services due to end, then admit from the queues into free places.

        On completion an addressed barrier is resolved with the service's probability
        and employability rises by its gain (sized to Card, Kluve & Weber 2018 and the
        Finnish training and pay-subsidy evaluations; see docs/ODD.md). Queues are
        served oldest first, ties broken by a per-person random key, and never beyond
        the places.
        """
        p = self.job_seekers
        done, queued = self._buffer("service_done"), self._buffer("queued")
        n_done, occupied, n_queued = kernels.service_census(
            self.register,
            p.service,
            p.service_end,
            p.queued_for,
            week,
            len(self.service_places),
            done,
            queued,
        )
        done, queued = done[:n_done], queued[:n_queued]
        if len(done):
            self._complete_services(done, week)
        if len(queued) == 0:
            return
        kernels.admit(
            queued,
            np.maximum(self.service_places - occupied, 0),
            week,
            self.n_services,
            self.service_duration,
            self.service_status,
            self.streams.decision_base("admission_priority"),
            (p.key, p.services, p.queued_for, p.queued_since, p.service, p.service_end, p.status),
        )

    def _complete_services(self, done: np.ndarray, week: int) -> None:
        """Services ending this week (``kernels.complete_services``); employ those with a job."""
        p = self.job_seekers
        to_work = self._buffer("to_work")
        found = kernels.complete_services(
            done,
            week,
            self.n_services,
            self.service_gain,
            self.service_addresses,
            self.service_removal,
            self.service_job,
            self._barrier_bits,
            self._completion_bases,
            self.policy["first_meeting_weeks"],
            (
                p.key,
                p.services,
                p.service,
                p.service_end,
                p.service_ended,
                p.status,
                p.employability,
                p.barriers,
                p.detected,
                p.spell_start,
                p.jobless_since,
                p.organiser,
                p.next_meeting,
            ),
            to_work,
        )
        self._services_ended[week] = done.copy()
        self.employ(to_work[:found], week)

    def _search_weights(
        self, week: int, max_status: int, with_policy: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Searchers, their search weights and each area's total weight.

        The intrinsic weight is employability, lowered by barriers and by the time out
        of work (``rules.duration_factor``). The policy effects multiply it: the
        decaying boost of the last meeting (``rules.meeting_boost``), an open vacancy
        referral, lock-in in a service, and the start-up disruption of the city's
        organisation (Fevang, Markussen & Roed 2014).

        Args:
            week: Model week.
            max_status: Searchers are people with a status up to this one.
            with_policy: Include the policy effects (False: intrinsic weights only).

        Returns:
            (rows, weights, total weight per area).
        """
        p = self.job_seekers
        behaviour = self.spec.job_seekers
        pilot = self.spec.pilot
        disruption = np.ones(len(self.organisers))
        if pilot.enabled and self.pilot_week <= week < self.pilot_week + pilot.disruption_weeks:
            disruption[City.kind :: 2] = pilot.disruption_multiplier
        lock_in = np.r_[1.0, np.tile(self.service_lock_in.astype(np.float64), len(self.area_ids))]
        rows, weights = self._buffer("searching"), self._buffer("weights", np.float64)
        count, totals = kernels.search_weights(
            self.register,
            p.status,
            int(max_status),
            p.area,
            len(self.area_ids),
            p.employability,
            p.barriers,
            self._barrier_factor,
            p.jobless_since,
            week,
            float(behaviour.duration_penalty),
            float(behaviour.duration_penalty_weeks),
            float(behaviour.detachment_multiplier),
            float(behaviour.detachment_weeks),
            with_policy,
            p.last_meeting,
            p.meeting_effect,
            self._meeting_decay,
            p.referral_until,
            float(behaviour.referral_multiplier),
            p.service,
            lock_in,
            p.organiser,
            disruption,
            rows,
            weights,
        )
        return rows[:count], weights[:count], totals

    def vacancies(self, week: int) -> np.ndarray:
        """Open vacancies per area this week (the exogenous path times the start level)."""
        return self.vacancies_at_start * rules.vacancy_multiplier(
            week, self._path_weeks, self._path_values
        )

    def match_jobs(self, week: int) -> None:
        """Searchers find open-market jobs through each area's matching function."""
        p = self.job_seekers
        market = self.spec.labour_market
        searching, weights, totals = self._search_weights(
            week, Status.OTHER_SERVICE, with_policy=True
        )
        vacancies = self.vacancies(week)
        price = rules.weight_price(
            totals, vacancies, self.matching_efficiency, market.vacancy_elasticity
        )
        expected = price * totals  # matches bound above: 1 - exp(-x) <= x
        if np.any(expected > vacancies):
            n_areas = len(self.area_ids)
            expected = kernels.expected_matches(searching, weights, p.area, price, n_areas)
        found = self._buffer("found")
        count = kernels.find_jobs(
            searching,
            weights,
            p.area,
            price,
            rules.vacancy_cap(expected, vacancies),
            p.job_finding_clock,
            p.job_finding_count,
            p.key,
            self._bases["job_finding"],
            found,
        )
        found = found[:count]
        self._matches = np.bincount(p.area[found], minlength=len(self.area_ids)).astype(float)
        self.employ(found, week)

    def recall_to_work(self, week: int) -> None:
        """People between jobs go back to work (a recall or the agreed job starts).

        Part of the register's inflow is not searching for a new job: temporarily laid
        off workers and people waiting for an agreed job leave unemployment quickly and
        without the vacancy pool. Their share and hazard are assumptions, calibrated so
        the job-finding hazard falls from the first month to the next as in the 2015
        register flows.
        """
        p = self.job_seekers
        recalled = self._unemployed_events(self._between_jobs, "recall")
        self._matches += np.bincount(p.area[recalled], minlength=len(self.area_ids))
        self.employ(recalled, week)

    def _unemployed_events(self, rows: np.ndarray, event: str) -> np.ndarray:
        """Run down an event clock of the unemployed among ``rows``; who it runs out for."""
        p = self.job_seekers
        out = self._buffer(event)
        count = kernels.unemployed_events(
            rows,
            p.status,
            self._hazards[event],
            getattr(p, f"{event}_clock"),
            getattr(p, f"{event}_count"),
            p.key,
            self._bases[event],
            out,
        )
        return out[:count]

    def _draw_clock(self, event: str, rows: np.ndarray) -> None:
        """Draw the threshold of each person's next event of this kind.

        Each person carries, for each kind of event (finding a job, losing it, leaving
        the register, coming back, a recall), the exponential threshold of the next
        such event, keyed by how many of them the person has had. The clock runs down
        by the weekly hazard only while the person is at risk, and the event happens
        when it reaches zero; then the threshold of the next event is drawn
        (``simulation.kernels``). The weekly probability is exactly 1 - exp(-hazard), as
        with a weekly draw, but the same person's k-th job (or job loss) uses the same
        random number in every scenario even when its week differs, which keeps paired
        scenarios close (common random numbers).
        """
        p = self.job_seekers
        kernels.draw_clocks(
            rows,
            getattr(p, f"{event}_clock"),
            getattr(p, f"{event}_count"),
            p.key,
            self._bases[event],
        )

    def employ(self, rows: np.ndarray, week: int) -> None:
        """Move people into open-market employment (leaving any service or queue).

        The job's end is scheduled now: the separation clock runs down by the weekly
        separation hazard from the next week on, so it runs out after
        ceil(threshold / hazard) weeks (higher hazard for people hired out of long-term
        unemployment).
        """
        p = self.job_seekers
        p.former_long_term[rows] = (week - p.jobless_since[rows]) >= LONG_TERM_WEEKS
        p.status[rows] = Status.EMPLOYED
        p.employed_since[rows] = week
        self._end_client_relation(rows)
        kernels.schedule_wakes(
            rows,
            p.separation_clock,
            self._hazards["separation"],
            self._hazards["former_long_term"],
            p.former_long_term,
            week + 1,
            p.wakes_at,
        )
        self._count_dormant(rows, Status.EMPLOYED, +1)

    def leave_register(self, rows: np.ndarray, week: int) -> None:
        """Registration ends without a job: out of the labour force (or off the register).

        The return to the register is scheduled now, its clock running from next week
        on (nobody leaves and comes back in the same week).
        """
        p = self.job_seekers
        p.status[rows] = Status.OUT_OF_LABOUR_FORCE
        self._end_client_relation(rows)
        hazard = self._hazards["return"]  # one for everyone: the selector does not matter
        kernels.schedule_wakes(
            rows, p.return_clock, hazard, hazard, p.former_long_term, week + 1, p.wakes_at
        )
        self._count_dormant(rows, Status.OUT_OF_LABOUR_FORCE, +1)

    def _count_dormant(self, rows: np.ndarray, status: int, change: int) -> None:
        """Keep the counts of people in work or outside the labour force by cell."""
        self._dormant[:, status] += change * np.bincount(
            self.job_seekers.cell[rows], minlength=len(self._dormant)
        )

    def _end_client_relation(self, rows: np.ndarray) -> None:
        p = self.job_seekers
        p.between_jobs[rows] = False
        p.caseworker[rows] = -1
        p.service[rows] = -1
        p.service_end[rows] = NO_WEEK
        p.queued_for[rows] = -1
        p.referral_until[rows] = NO_WEEK

    def move_between_states(self, week: int) -> None:
        """Job losses, exits from the register without a job, and returns to it.

        All three are decided on the statuses at the start of this rule, so nobody makes
        two of these moves in one week. Separation is higher for people hired out of
        long-term unemployment; exits combine the hazard to out of the labour force (2015
        register flows) and a background lapse of registration. Job losses and returns
        were scheduled when the job or the time outside began (constant hazards, so the
        week is known then); exits are drawn week by week, as the unemployed may leave
        unemployment in other ways first.
        """
        p = self.job_seekers
        waking = self._buffer("waking")
        waking = waking[: kernels.waking(p.wakes_at, week, waking)]
        lost = waking[p.status[waking] == Status.EMPLOYED]
        returning = waking[p.status[waking] == Status.OUT_OF_LABOUR_FORCE]
        leaving = self._unemployed_events(self.register, "leave_register")
        self._draw_clock("separation", lost)
        self._draw_clock("return", returning)
        p.wakes_at[waking] = NO_WEEK
        self._count_dormant(lost, Status.EMPLOYED, -1)
        self._count_dormant(returning, Status.OUT_OF_LABOUR_FORCE, -1)
        self.leave_register(leaving, week)
        worked_long_enough = (week - p.employed_since[lost]) >= 26
        requalified = lost[worked_long_enough]
        p.benefit[requalified] = np.where(
            p.insured[requalified], Benefit.EARNINGS_RELATED, p.benefit[requalified]
        )
        p.subsidy_days[requalified] = 0
        p.jobless_since[lost] = week
        p.between_jobs[lost] = self.streams.bernoulli(
            "between_jobs",
            p.key[lost],
            p.separation_count[lost],
            self.spec.job_seekers.between_jobs_share,
        )
        back = np.concatenate([lost, returning])
        p.status[back] = Status.UNEMPLOYED
        p.spell_start[back] = week
        self._enrol(back, week)
        # They are registered again: the rest of the week's rules and records see them.
        self.register = np.concatenate([self.register, back])
        self.recorder.not_at_risk(back)

    def update_benefits(self, week: int) -> None:
        """Benefit exhaustion and labour market subsidy days.

        Earnings-related and basic allowance end after the maximum duration (400 days,
        Unemployment Security Act) and the person moves to the labour market subsidy.
        Passive subsidy days accumulate for the municipal cost share.
        """
        p = self.job_seekers
        kernels.update_benefits(
            p.status,
            p.benefit,
            p.jobless_since,
            p.subsidy_days,
            week,
            self.spec.labour_market.earnings_related_max_weeks,
            self.spec.costs.benefit_days_per_week,
        )

    def census(self, week: int) -> tuple[np.ndarray, ...]:
        """The end-of-week count of the register (``kernels.census``), once a week.

        The cost booking and the records both use it; nothing moves between them, so
        one pass serves both.
        """
        if self._census_week != week:
            p = self.job_seekers
            self._census = kernels.census(
                self.register,
                p.status,
                p.cell,
                len(self._dormant),
                GROUP_COMBINATIONS,
                p.spell_start,
                week,
                p.organiser,
                len(self.organisers),
                p.service,
                p.queued_for,
                len(self.service_places),
                self.recorder.buckets(len(p)),
                len(HAZARD_WEEKS),
                EXIT_DESTINATION_OF_STATUS,
                len(EXIT_DESTINATIONS),
                p.benefit,
                p.subsidy_days,
                len(self.area_ids),
                np.asarray(self.spec.costs.municipal_share_thresholds, dtype=np.float64),
            )
            self._census_week = week
        return self._census

    def book_staff_cost(self, area: int, state: float, municipal: float) -> None:
        """Add a week's staff costs of an organiser (called by the organisers)."""
        self._week_costs[area, 0] += state
        self._week_costs[area, 1] += municipal

    def book_costs(self) -> None:
        """Service places and benefits of the week, split between state and municipality."""
        costs = self.spec.costs
        n_areas = len(self.area_ids)
        *_, occupied, _, _, recipients = self.census(self.week)
        if self.n_services:
            spend = (occupied * np.tile(self.service_cost, n_areas)).reshape(n_areas, -1)
            city = self.service_city
            self._week_costs[:, 2] += spend[:, ~city].sum(axis=1) * self.weight
            self._week_costs[:, 3] += spend[:, city].sum(axis=1) * self.weight
        weekly = costs.benefit_days_per_week * self.weight
        daily = np.array(
            [costs.earnings_related_daily] + [costs.basic_daily] * (recipients.shape[1] - 1)
        )
        municipal = np.array([0.0, 0.0, *costs.municipal_shares])
        spending = recipients * daily * weekly
        self._week_costs[:, 4] += spending @ (1.0 - municipal)
        self._week_costs[:, 5] += spending @ municipal

    def __repr__(self) -> str:
        staff = int(self.caseworker_table["active"].sum())
        return (
            f"EmploymentModel({self.spec.run.name!r}, week={self.week}, "
            f"job_seekers={len(self.job_seekers)}, caseworkers={staff})"
        )
