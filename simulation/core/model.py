"""The employment-services model: time, random streams, agents and the weekly step.

:class:`EmploymentModel` is a ``mesa.Model``. One step is one week. It owns

* the job seekers (a :class:`~simulation.core.population.JobSeekers` structure of arrays)
  and their event clocks (:class:`~simulation.core.clocks.EventClocks`),
* the organisers (:class:`~simulation.core.agents.TEOffice`,
  :class:`~simulation.core.agents.City`) and their
  :class:`~simulation.core.agents.Caseworker` agents, rows of the caseworker table
  (:class:`~simulation.core.staff.Staff`),
* the random streams: every draw is keyed by (seed, decision, person, counter),
* the week's accounts and the recorder, which it hands what they book and record.

What does not change during a run (hazards, service table, policies as tables) is the
scenario's :class:`~simulation.core.plan.Plan`. The weekly step applies the rules in a
fixed order (the ODD's): new registrations, meetings, services, job matching, recalls,
other transitions, benefits, the organisers' books, the records. Every rule acts on
arrays of the people concerned, most through a compiled pass
(:mod:`simulation.core.passes`); there is no Python loop over people.
"""

from __future__ import annotations

from collections.abc import Callable

import mesa
import numpy as np

from simulation.config.scenario import Scenario
from simulation.core import rules
from simulation.core.accounts import Accounts
from simulation.core.clocks import EventClocks
from simulation.core.codes import GROUP_COMBINATIONS, NO_WEEK, Benefit, Group, Status
from simulation.core.organisation import Organisation
from simulation.core.passes import census as census_pass
from simulation.core.passes import clocks as clock_pass
from simulation.core.passes import matching as matching_pass
from simulation.core.passes import meetings as meeting_pass
from simulation.core.passes import outreach as outreach_pass
from simulation.core.passes import services as service_pass
from simulation.core.passes.tables import pass_tables
from simulation.core.plan import LONG_TERM_WEEKS, build_plan
from simulation.core.population import JobSeekers, WorkArrays
from simulation.core.records import Recorder, RecordLayout, ServiceEndings, WeekFigures
from simulation.core.registration import Registration
from simulation.core.staff import Staff
from simulation.core.streams import Decision, RandomStreams
from simulation.core.trial import TrialDesign, TrialRun

__all__ = ["EmploymentModel"]


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
        trial: TrialDesign | None = None,
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
        scale = float(scenario.run.scale if scale is None else scale)
        plan = self.plan = build_plan(scenario, scale, trial.treatment if trial else None)
        self.scale, self.weight, self.weeks = plan.scale, plan.weight, plan.weeks
        if trial is not None:  # a trial's run ends with its follow-up
            self.weeks = trial.run_weeks(plan.weeks)
        self.week = 0
        self.area_ids, self.area_names = plan.area_ids, plan.area_names
        self.pilot_week = plan.pilot_week
        # The first week of the period whose job seekers are counted apart (or never).
        period_start = scenario.run.period_start
        self.period_week = scenario.week_of(period_start) if period_start else 1 << 30
        self.job_seekers = JobSeekers(capacity=plan.expected_people)
        self.work = WorkArrays(self.job_seekers)
        self.clocks = EventClocks(self.job_seekers, self.streams, plan.hazards, self.work)
        self.registration = Registration(plan, self.job_seekers, self.streams, self.clocks)
        self.staff = Staff(self.streams, self.job_seekers, plan.roster)
        self.trial = TrialRun(trial, self.streams, self.job_seekers) if trial else None
        self.accounts = Accounts(plan.n_areas, plan.weight, scenario.costs)
        self.organisation = Organisation(
            self, plan, self.job_seekers, self.staff, self.accounts, trial
        )
        self.organisers = self.organisation.organisers
        self.passes = pass_tables(plan, self.streams.decision_bases)
        self.census_layout = census_pass.census_layout(plan, scenario.costs)
        self.recorder = Recorder(RecordLayout.of_run(plan, self.organisers))
        self.service_endings = ServiceEndings()
        # The week's figures of the organisers and the labour market, for the records.
        self.meetings = np.zeros(plan.n_organisers)
        self.intervals = np.zeros((2, 2, plan.n_organisers))  # sum, count; all, new
        self.backlog = np.zeros(plan.n_organisers)
        self.matches = np.zeros(plan.n_areas)
        self.meetings_by_caseworker = np.zeros(0, dtype=np.int64)
        self.meeting_capacity = np.zeros(0, dtype=np.int64)
        # People in work or outside the labour force by (cell, status): they are not
        # visited week by week, so their counts are kept as they move.
        self.dormant = np.zeros((plan.n_areas * GROUP_COMBINATIONS, len(Status)), np.int64)
        self.register = np.zeros(0, dtype=np.int64)  # see refresh_register
        self.between_jobs = np.zeros(0, dtype=np.int64)
        self._census_week, self._census = -1, None
        self.registration.populate()
        self.refresh_register()
        self.matching = self._anchor_matching()
        expected = None
        if self.trial is not None:
            self.trial.start()
            expected = self.trial.expected_treated(plan)
        self.organisation.staff_at_start(expected)
        if scenario.pilot.enabled and self.pilot_week > 0:
            self.schedule_event(self.start_pilot, at=self.pilot_week + 0.5)
        self.treatment = trial.treatment if trial else None
        self.changes = scenario.periods()[1:]  # (week, scenario in force), in date order
        # The organisers each change sets a caseload for: staffed at it from that week.
        self.caseloads_set = [
            {kind for kind in ("te_office", "city") if "caseload" in change.settings.get(kind, {})}
            for change in scenario.timeline
        ]
        for week, _ in self.changes:
            self.schedule_event(self.apply_change, at=week + 0.5)

    def _anchor_matching(self) -> rules.MatchingAnchor:
        """The matching at which the initial stock finds jobs at the observed rate.

        Also fixes each labour market's share of its area's vacancies
        (``self.vacancy_share``, ``Plan.vacancy_shares``) by the search weights at the start.
        """
        plan = self.plan
        searching, _, totals = self._search_weights(0, Status.UNEMPLOYED, with_policy=False)
        self.vacancy_share = plan.vacancy_shares(totals)
        # The vacancies the data give, not the scenario's path: a path below 1 from the
        # first week is a weaker market than the one the job finding was observed in.
        observed = plan.vacancies_at_start[plan.market_area] * self.vacancy_share
        return rules.anchor_efficiency(self.spec.labour_market, len(searching), totals, observed)

    def market_vacancies(self, week: int) -> np.ndarray:
        """Open vacancies by labour market this week: the area's, shared by segment."""
        return self.plan.vacancies(week)[self.plan.market_area] * self.vacancy_share

    @property
    def pilot_active(self) -> np.ndarray:
        """Whether the pilot runs in each area now."""
        return self.organisation.pilot_active

    def start_pilot(self) -> None:
        """The pilot's hand-over (a Mesa event in the pilot's first week)."""
        self.organisation.start_pilot(self.week)

    def apply_change(self) -> None:
        """The timeline's next dated change (a Mesa event at the start of its week).

        The scenario in force from then on replaces the policies, places and cost
        sharing, and the organisers take over the clients the new rules give them
        (``Organisation.apply_change``): an organiser whose caseload the change sets is
        staffed at it for its clients. Who is
        registered, their spells and their next meetings carry on.
        """
        week, period = self.changes.pop(0)
        caseloads_set = self.caseloads_set.pop(0)
        self.spec = period
        self.plan = plan = build_plan(period, self.scale, self.treatment)
        self.passes = pass_tables(plan, self.streams.decision_bases)
        self.accounts.costs = period.costs
        self.census_layout = census_pass.census_layout(plan, period.costs)
        self.organisation.apply_change(plan, week, caseloads_set)

    # ------------------------------------------------------------------ the week

    def step(self) -> None:
        """One week: the rules in their fixed order, then the books and the records."""
        week = self.week = self.steps - 1
        p = self.job_seekers
        self.accounts.open_week()
        self.register_job_seekers(week)
        self.organisation.end_treatment(week)
        self.recorder.open_week(week, self.register, p.people)
        self.hold_meetings(week)
        self.refer_arising_needs(week)
        self.run_services(week)
        self.fill_free_places(week)
        self.match_jobs(week)
        self.recall_to_work(week)
        self.move_between_states(week)
        self.update_benefits(week)
        self.close_week(week)

    def close_week(self, week: int) -> None:
        """The organisers book their staff, the week's other costs are booked, and recorded."""
        for organiser in self.organisers:
            organiser.step()
        count = self.census(week)
        costs, by_city = self.plan.services["cost"], self.plan.services["city"]
        charged = (
            self.plan.services["places"]
            if self.accounts.costs.service_cost_basis == "places"
            else count.occupied
        )
        self.accounts.book_services(charged, costs, by_city)
        self.accounts.book_benefits(count.recipients)
        self.recorder.record(week, count, self.dormant, self._figures(week))
        if self.trial is not None:
            self.trial.record(week)

    def _figures(self, week: int) -> WeekFigures:
        p = self.job_seekers
        return WeekFigures(
            caseworkers=self.staff.active_by_organiser(),
            meetings=self.meetings,
            interval_sum=self.intervals[0, 0],
            interval_count=self.intervals[1, 0],
            new_interval_sum=self.intervals[0, 1],
            new_interval_count=self.intervals[1, 1],
            backlog=self.backlog,
            costs=self.accounts.week,
            vacancies=self.plan.vacancies(week),
            matches=self.matches,
            after_service=self.service_endings.counts(week, p.service_ended, p.status),
            places=self.plan.services["places"],
        )

    def run(self, progress: Callable[[int], None] | None = None) -> None:
        """Run to the scenario's end, calling ``progress(weeks_done)`` after each week."""
        while self.steps < self.weeks:
            self.run_for(1)
            if progress is not None:
                progress(1)

    def register_job_seekers(self, week: int) -> None:
        """New registrations (``Registration.draw_inflow``), each with an organiser."""
        rows = self.registration.draw_inflow(week)
        if self.trial is not None:
            self.trial.register(rows, week)
        self.organisation.enrol(rows, week)
        self.refresh_register()
        if week == self.period_week:
            self.count_in_period(self.register)
        elif week > self.period_week:
            self.count_in_period(rows)

    def count_in_period(self, rows: np.ndarray) -> None:
        """These registered people are job seekers of the period (``Group.PERIOD``).

        Only people on the register change cell here, so the counts of people in work
        or outside the labour force (kept by cell) stay right.
        """
        self.job_seekers.cell[rows] |= Group.PERIOD

    def refresh_register(self) -> None:
        """List everyone registered now (``self.register``, row order).

        The weekly rules visit only these rows; people who register again later in the
        week (job losses, returns) are added to the list as they do. The unemployed
        between jobs are listed apart, for their recall.
        """
        p = self.job_seekers
        rows, between = self.work.get("register"), self.work.get("between_jobs")
        count, count_between = census_pass.registered(p.people, rows, between)
        self.register, self.between_jobs = rows[:count], between[:count_between]

    def hold_meetings(self, week: int) -> None:
        """Caseworkers meet the clients who are due, as far as their capacity allows.

        Clients due longest ago go first; ties are broken by a per-person random key.
        A meeting (1) boosts search, by the caseworker's effectiveness and less for
        people with barriers (Schiprowski 2020; Rosholm); (2) may detect barriers, more
        often with multi-sector competence; (3) may bring a vacancy referral; (4) may end
        the registration of someone not available for work (monitoring; Huuskonen 2023);
        (5) may refer to a multi-sector service for a detected barrier, or at the
        spell's first meeting to a general service needed from the start.
        The meetings themselves are held in ``passes.meetings.meet`` with the rules of
        ``rules.meetings`` (the next one by ``rules.next_interval``, denser with spare
        capacity); the referral follows ``passes.services.refer_to_service``.
        """
        p = self.job_seekers
        self.meetings[:] = 0
        self.intervals[:] = 0
        self.backlog[:] = 0
        capacity = self.staff.meeting_capacity(week)
        due = self.work.get("due")
        period = self.passes.meetings.early_period_weeks
        count, caseload, early, exposure, caseworker, since, key, number = (
            meeting_pass.meeting_candidates(
                self.register, week, p.people, len(capacity), period, len(self.organisers), due
            )
        )
        due = due[:count]
        granted = meeting_pass.select_meetings(
            caseworker,
            since,
            capacity,
            key,
            number,
            self.streams.decision_base(Decision.MEETING_PRIORITY),
        )
        met = due[granted]
        # Each caseworker meets as many of the clients due as capacity allows.
        due_by_caseworker = np.bincount(caseworker, minlength=len(capacity))
        self.meetings_by_caseworker = np.minimum(due_by_caseworker, capacity)
        self.meeting_capacity = capacity
        self.backlog += np.bincount(
            self.staff.table["organiser"],
            weights=due_by_caseworker - self.meetings_by_caseworker,
            minlength=len(self.organisers),
        )
        self.intervals[0, 1] += exposure
        if len(met) == 0:
            return
        lapsed = self.work.get("lapsed")
        n_lapsed, held, interval_sum, interval_count = meeting_pass.meet(
            met,
            week,
            p.people,
            self.staff.columns(),
            np.column_stack([caseload, early]),
            self.passes.meetings,
            self.passes.referrals,
            lapsed,
        )
        self.meetings += held
        self.intervals += (interval_sum, interval_count)
        self.leave_register(lapsed[:n_lapsed], week)

    def refer_arising_needs(self, week: int) -> None:
        """Clients whose need for a general service arises this week join its queue.

        The need arises in calendar time, at the organiser's hazard falling with the
        spell's length (the 2015 register flows), and the referral follows it whatever
        the meeting schedule (``passes.services.arising_needs``): denser meetings raised
        employment without more programmes (Maibom, Rosholm & Svarer 2017).
        """
        service_pass.arising_needs(
            self.register, week, self.job_seekers.people, self.passes.referrals
        )

    def run_services(self, week: int) -> None:
        """End the services due to end, then admit from the queues into free places.

        On completion an addressed barrier is resolved with the service's probability
        and employability rises by its gain (sized to Card, Kluve & Weber 2018 and the
        Finnish training and pay-subsidy evaluations; see docs/ODD.md); those who find
        a job on completion are employed. Queues are served oldest first, ties broken by
        a per-person random key, and never beyond the places.
        """
        p, places, tables = self.job_seekers, self.plan.services["places"], self.passes.services
        done, queued = self.work.get("service_done"), self.work.get("queued")
        n_done, occupied, n_queued = service_pass.service_census(
            self.register, week, p.people, len(places), done, queued
        )
        done, queued = done[:n_done], queued[:n_queued]
        if len(done):
            to_work = self.work.get("to_work")
            found = service_pass.complete_services(done, week, tables, p.people, to_work)
            self.service_endings.note(week, done)
            self.employ(to_work[:found], week)
        free = np.maximum(places - occupied, 0)
        if len(queued):
            free = service_pass.admit(queued, free, week, p.people, tables)
        self.unfilled = free

    def fill_free_places(self, week: int) -> None:
        """Organisers refer clients to the places left free after the admissions.

        An organiser that reaches out (``place_outreach``: the city) fills the free
        places of its area's services for a barrier with its clients who have that
        barrier, found or not yet; a municipal organiser responding to the cost sharing
        (``cost_share_activation``) refers clients whose benefit the municipality pays a
        share of, now or soon, to its own activating services (the rule in force this
        week). Both are assumptions in strength (docs/ODD.md); the referred are admitted
        at the next week's admissions (``passes.outreach``).
        """
        tables = self.passes.outreach
        reaching = (tables.place_outreach > 0) | (tables.cost_share_activation > 0)
        if self._census is not None:
            reaching &= self._census.clients > 0
        if not reaching.any() or not self.unfilled.any():
            return
        free = outreach_pass.free_by_menu(tables, self.unfilled, self.plan.n_areas)
        if not free[1:, :, -1].any():
            return
        p = self.job_seekers
        listed = self.work.get("outreach")
        wanted = self.work.get("outreach_menu")
        count, counts = outreach_pass.outreach_candidates(
            self.register, p.people, tables, free, reaching, listed, wanted
        )
        if count:
            outreach_pass.reach_out(
                listed[:count], wanted[:count], counts, week, p.people, tables, free
            )

    def _search_weights(
        self, week: int, max_status: int, with_policy: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Searchers, their search weights and each area's total weight.

        The intrinsic weight is employability, lowered by barriers and by the time out
        of work (``rules.duration_factor``). The policy effects multiply it: the
        decaying boost of the last meeting (``rules.meeting_boost``), an open vacancy
        referral, lock-in in a service, and the start-up disruption of the city's
        organisation (``Plan.organiser_multiplier``).

        Returns:
            (rows, weights, total weight per labour market).
        """
        rows, weights = self.work.get("searching"), self.work.get("weights", np.float64)
        count, totals = matching_pass.search_weights(
            self.register, int(max_status), week, with_policy, self.job_seekers.people,
            self.passes.search, self.plan.organiser_multiplier(week), rows, weights,
        )  # fmt: skip
        return rows[:count], weights[:count], totals

    def match_jobs(self, week: int) -> None:
        """Searchers find open-market jobs through the matching of their labour market.

        Each area's market may be split into segments (``labour_market.segments``):
        job seekers compete for their own segment's vacancies, so help given to some
        takes jobs from similar job seekers (Crepon et al. 2013).
        """
        p = self.job_seekers
        searching, weights, totals = self._search_weights(
            week, Status.OTHER_SERVICE, with_policy=True
        )
        vacancies = self.market_vacancies(week)
        price = rules.search_price(self.spec.labour_market, totals, vacancies, self.matching)
        expected = price * totals  # matches bound above: 1 - exp(-x) <= x
        if np.any(expected > vacancies):
            n_markets = self.plan.n_markets
            expected = matching_pass.expected_matches(
                searching, weights, p.market, price, n_markets
            )
        found = self.work.get("found")
        cap = rules.vacancy_cap(expected, vacancies)
        base = self.clocks.bases["job_finding"]
        count = matching_pass.find_jobs(searching, weights, price, cap, p.people, base, found)
        found = found[:count]
        self.matches = np.bincount(p.area[found], minlength=len(self.area_ids)).astype(float)
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
        recalled = self.clocks.run_down("recall", self.between_jobs)
        self.matches += np.bincount(p.area[recalled], minlength=len(self.area_ids))
        self.employ(recalled, week)

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
        self.clocks.schedule("separation", rows, week + 1, "former_long_term")
        self._count_dormant(rows, Status.EMPLOYED, +1)

    def leave_register(self, rows: np.ndarray, week: int) -> None:
        """Registration ends without a job: out of the labour force (or off the register).

        The return to the register is scheduled now, its clock running from next week
        on (nobody leaves and comes back in the same week).
        """
        self.job_seekers.status[rows] = Status.OUT_OF_LABOUR_FORCE
        self._end_client_relation(rows)
        self.clocks.schedule("return", rows, week + 1, "return")
        self._count_dormant(rows, Status.OUT_OF_LABOUR_FORCE, +1)

    def _count_dormant(self, rows: np.ndarray, status: int, change: int) -> None:
        """Keep the counts of people in work or outside the labour force by cell."""
        census_pass.count_dormant(
            rows, self.job_seekers.cell, self.dormant, int(status), int(change)
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
        unemployment in other ways first. A job of 26 weeks or more requalifies for the
        earnings-related allowance.
        """
        p = self.job_seekers
        waking = self.work.get("waking")
        waking = waking[: clock_pass.waking(p.wakes_at, week, waking)]
        lost = waking[p.status[waking] == Status.EMPLOYED]
        returning = waking[p.status[waking] == Status.OUT_OF_LABOUR_FORCE]
        leaving = self.clocks.run_down("leave_register", self.register)
        self.clocks.draw("separation", lost)
        self.clocks.draw("return", returning)
        p.wakes_at[waking] = NO_WEEK
        self._count_dormant(lost, Status.EMPLOYED, -1)
        self._count_dormant(returning, Status.OUT_OF_LABOUR_FORCE, -1)
        if week >= self.period_week:
            self.count_in_period(lost)
            self.count_in_period(returning)
        self.leave_register(leaving, week)
        requalified = lost[(week - p.employed_since[lost]) >= 26]
        p.benefit[requalified] = np.where(
            p.insured[requalified], Benefit.EARNINGS_RELATED, p.benefit[requalified]
        )
        p.subsidy_days[requalified] = 0
        p.benefit_days[requalified] = 0
        p.jobless_since[lost] = week
        p.between_jobs[lost] = self.streams.bernoulli(
            Decision.BETWEEN_JOBS,
            p.key[lost],
            p.separation_count[lost],
            self.spec.job_seekers.between_jobs_share,
        )
        back = np.concatenate([lost, returning])
        p.status[back] = Status.UNEMPLOYED
        p.spell_start[back] = week
        self.organisation.enrol(back, week)
        # They are registered again: the rest of the week's rules and records see them.
        self.register = np.concatenate([self.register, back])
        self.recorder.not_at_risk(back, len(p))

    def update_benefits(self, week: int) -> None:
        """Benefit exhaustion and labour market subsidy days.

        Earnings-related and basic allowance end after the maximum duration (400 days,
        Unemployment Security Act) and the person moves to the labour market subsidy.
        Passive subsidy days accumulate for the municipal cost share.
        """
        census_pass.update_benefits(
            self.job_seekers.people,
            week,
            self.spec.labour_market.earnings_related_max_weeks,
            self.spec.costs.benefit_days_per_week,
        )

    def census(self, week: int) -> census_pass.Census:
        """The end-of-week count of the register (``passes.census.census``), once a week.

        The cost booking and the records both use it; nothing moves between them, so
        one pass serves both.
        """
        if self._census_week != week:
            p = self.job_seekers
            buckets = self.recorder.buckets(len(p))
            self._census = census_pass.Census(
                *census_pass.census(self.register, week, p.people, buckets, self.census_layout)
            )
            self._census_week = week
        return self._census

    def __repr__(self) -> str:
        staff = int(self.staff.table["active"].sum())
        return (
            f"EmploymentModel({self.spec.run.name!r}, week={self.week}, "
            f"job_seekers={len(self.job_seekers)}, caseworkers={staff})"
        )
