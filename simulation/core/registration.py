"""Who registers: drawing new job seekers and the initial stock, beside the population.

A new person's traits (age, immigrant background, education, benefit, barriers,
employability, outcome groups) come from the area's composition and the
``job_seekers`` parameters, drawn in one compiled pass (``passes.newcomers``). A
person's random-stream key is their area, cohort and rank within both, so adding
people to one cohort leaves everyone else's draws unchanged.
"""

from __future__ import annotations

import numpy as np

from simulation.config.scenario import Pilot
from simulation.core import rules
from simulation.core.clocks import EventClocks
from simulation.core.codes import Group, Status
from simulation.core.passes.newcomers import NEWCOMER_TRAITS, new_people, newcomer_tables
from simulation.core.plan import Plan
from simulation.core.population import JobSeekers
from simulation.core.streams import Decision, RandomStreams, person_keys

__all__ = [
    "INFLOW_COHORT_OFFSET",
    "INITIAL_COHORT",
    "Registration",
    "in_target_group",
]

INITIAL_COHORT = 0  # cohort codes 1..15: initial occupants of service j (code 1 + j)
INFLOW_COHORT_OFFSET = 16


def in_target_group(
    pilot: Pilot, age: np.ndarray, benefit: np.ndarray, immigrant: np.ndarray
) -> np.ndarray:
    """The pilots' target-group rule: no earnings-related allowance, young, or immigrant.

    Each part can be switched off in ``[pilot]`` (HE 87/2020 defines all three); with
    ``pilot.serves_everyone`` (the 2025 reform) everyone is in it.
    """
    if pilot.serves_everyone:
        return np.ones(np.shape(age), dtype=bool)
    return rules.in_target_groups(
        np.asarray(age),
        np.asarray(benefit, dtype=np.int8),
        np.asarray(immigrant, dtype=bool),
        bool(pilot.target_not_earnings_related),
        float(pilot.target_under_age),
        bool(pilot.target_immigrants),
    )


class Registration:
    """Draws new job seekers into the population.

    Args:
        plan: The scenario's arrays.
        job_seekers: The population to add to.
        streams: The replication's random streams.
        clocks: The event clocks, drawn for every new person.
    """

    def __init__(
        self, plan: Plan, job_seekers: JobSeekers, streams: RandomStreams, clocks: EventClocks
    ) -> None:
        self.plan = plan
        self.job_seekers = job_seekers
        self.streams = streams
        self.clocks = clocks
        self.selection: rules.StockSelection | None = None
        self.tables = newcomer_tables(plan, streams.decision_bases)

    def draw(self, area: np.ndarray, cohort: int, week: int, initial: bool) -> slice:
        """Register new people (``area``: each one's area, ascending), drawing their traits.

        Composition comes from the area (shares of under-30s, immigrants, benefit types,
        education); barriers and employability from ``job_seekers`` parameters. The
        initial stock also gets an elapsed spell length: the share long-term unemployed
        is the area's, the profile within the short- and long-term parts is the
        stationary stock implied by the 2015 register hazards.

        Returns:
            The new rows.
        """
        area = np.asarray(area, dtype=np.int64)
        keys = person_keys(area, cohort)
        sd = self.plan.scenario.job_seekers.employability_sd
        z = self.streams.normal(Decision.EMPLOYABILITY, keys, 0)
        drawn = np.exp(sd * z - sd * sd / 2.0)
        employability = drawn.copy()
        traits = new_people(keys, area, initial, employability, self.tables)
        traits = dict(zip(NEWCOMER_TRAITS, traits, strict=True))
        weeks_out = traits.pop("weeks_out")
        traits["benefit_days"] = weeks_out * self.plan.scenario.costs.benefit_days_per_week
        if initial:
            employability = self._selected_by_spell(z, drawn, employability, weeks_out, traits)
        market = self.plan.markets(area, traits["age_at_entry"], traits["education"])
        rows = self.job_seekers.add(
            len(keys),
            key=keys,
            area=area,
            market=market,
            entry_week=week,
            employability=employability.astype(np.float32),
            status=Status.UNEMPLOYED,
            spell_start=week - weeks_out,
            jobless_since=week - weeks_out,
            **traits,
        )
        self.clocks.draw_all(np.arange(rows.start, rows.stop))
        return rows

    def _selected_by_spell(
        self,
        z: np.ndarray,
        drawn: np.ndarray,
        employability: np.ndarray,
        weeks_out: np.ndarray,
        traits: dict[str, np.ndarray],
    ) -> np.ndarray:
        """The initial stock's employability, selected by the spell each has had.

        ``rules.StockSelection``: of the people who registered as long ago as a person's
        elapsed spell, the more employable have left; the trait multipliers stay as
        drawn and scale the hazard the person was selected by. The long-term multiplier
        at the start (``job_seekers.long_term_multiplier_at_start``) applies on top.
        """
        behaviour = self.plan.scenario.job_seekers
        multiplier = employability / np.maximum(drawn, np.finfo(np.float64).tiny)
        long_term = (traits["groups"] & Group.LONG_TERM_AT_START) != 0
        on_top = max(float(behaviour.long_term_multiplier_at_start), 1e-12)
        hazard_multiplier = np.where(long_term, multiplier / on_top, multiplier)
        if self.selection is None:
            self.selection = rules.StockSelection(behaviour.employability_sd)
        return self.selection.draw(z, weeks_out, hazard_multiplier) * multiplier

    def draw_inflow(self, week: int) -> np.ndarray:
        """The week's new registrations: a Poisson number per area.

        The default rate is the external share of the stationary inflow implied by the
        area's stock and the mean spell length of the 2015 register flows, plus the
        returns of people who left the register before the start (``Plan.inflow``);
        people of the run who lose a job or come back from outside the labour force
        register on top of it.

        Returns:
            The new rows.
        """
        plan = self.plan
        counts = self.streams.poissons(
            Decision.INFLOW, np.arange(plan.n_areas), week, plan.inflow(week) * plan.scale
        )
        if not counts.sum():
            return np.zeros(0, dtype=np.int64)
        area = np.repeat(np.arange(len(counts)), counts)
        rows = self.draw(area, week + INFLOW_COHORT_OFFSET, week, False)
        return np.arange(rows.start, rows.stop)

    def populate(self) -> None:
        """The initial stock: unemployed job seekers and the people in services.

        Meetings of the initial stock are spread over one interval of the TE office.
        """
        plan, p = self.plan, self.job_seekers
        services, n = plan.services, plan.n_services
        for area, spec in enumerate(plan.scenario.areas.values()):
            stock = round(spec.unemployed * plan.scale)
            self.draw(np.full(stock, area), INITIAL_COHORT, 0, True)
            for j in range(n):
                status = services["status"][j]
                places = int(services["places"][area * n + j])
                if status == Status.UNEMPLOYED or places == 0:
                    continue  # parallel services start empty and fill from referrals
                rows = self.draw(np.full(places, area), 1 + j, 0, True)
                remaining = 1 + np.floor(
                    self.streams.uniform(Decision.SERVICE_REMAINING, p.key[rows], 0)
                    * services["duration"][j]
                ).astype(np.int32)
                p.status[rows] = status
                p.service[rows] = area * n + j
                p.service_end[rows] = remaining - 1
        interval = plan.scenario.te_office.meeting_interval_weeks
        u = self.streams.uniform(Decision.FIRST_MEETING, p.key, 0)
        p.next_meeting[:] = np.floor(u * interval).astype(np.int32)
        p.last_meeting[:] = p.next_meeting - interval
