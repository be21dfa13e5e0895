"""The scenario as arrays: what the weekly rules and compiled passes read, built once.

:func:`build_plan` turns a validated scenario and a scale into a :class:`Plan`:
constant hazards, each area's composition of new job seekers, the service table and
its referral menus, the organisers' policies as tables, the labour market's vacancies.
Nothing in a plan depends on the seed or changes during a run, so the model and its
parts share one plan and never recompute it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from simulation.config import facts
from simulation.config.scenario import BARRIERS, MAX_SERVICES, Organiser, Scenario
from simulation.core import rules
from simulation.core.codes import Barrier, OrganiserKind, Status
from simulation.core.roster import Roster

__all__ = [
    "BARRIER_BITS",
    "LONG_TERM_WEEKS",
    "NEED_WEEKS",
    "Plan",
    "WEEKS_PER_YEAR",
    "build_plan",
]

WEEKS_PER_YEAR = 52.1775
#: Weeks of a spell over which the chance of a need for a service is tabulated (20 years).
NEED_WEEKS = 1044
#: Segments of an area's labour market by ``labour_market.segments``.
_SEGMENT_COUNTS = {"none": 1, "age": 2, "education": 3, "age_education": 6}
LONG_TERM_WEEKS = 52
#: Each barrier's bit, in the scenario's order of barriers.
BARRIER_BITS = {name: int(Barrier[name.upper()]) for name in BARRIERS}
_SERVICE_STATUS_CODES = {
    "training": Status.TRAINING,
    "pay_subsidy": Status.PAY_SUBSIDY,
    "rehabilitative_work": Status.REHABILITATIVE_WORK,
    "other": Status.OTHER_SERVICE,
    "parallel": Status.UNEMPLOYED,
}
#: The numpy type of each organiser policy key, by its declared type.
_POLICY_DTYPES = {
    f.name: {"float": np.float64, "int": np.int64, "bool": np.bool_}.get(str(f.type), object)
    for f in fields(Organiser)
}


def _cumulative_shares(shares: np.ndarray) -> np.ndarray:
    """Cumulative shares along the last axis, the last one scaled to exactly 1."""
    cumulative = np.cumsum(shares, axis=-1)
    cumulative /= cumulative[..., -1:]
    return cumulative


@dataclass(frozen=True, eq=False)
class Plan:
    """A scenario's arrays at one scale (see :func:`build_plan` for each part)."""

    scenario: Scenario
    scale: float
    weight: float
    weeks: int
    area_ids: list[str]
    area_names: list[str]
    pilot_week: int
    hazards: dict[str, float]
    inflow_means: np.ndarray
    prior_returns: np.ndarray
    expected_people: int
    composition: tuple[np.ndarray, ...]
    elapsed: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
    barrier_bits: np.ndarray
    barrier_shares: np.ndarray
    barrier_factor: np.ndarray
    meeting_decay: np.ndarray
    services: dict[str, Any]
    menus: tuple[np.ndarray, np.ndarray, np.ndarray]
    roster: Roster
    policies: list[Organiser]
    vacancies_at_start: np.ndarray
    vacancy_path: tuple[np.ndarray, np.ndarray]

    @property
    def n_areas(self) -> int:
        """Number of areas."""
        return len(self.area_ids)

    @property
    def n_segments(self) -> int:
        """Segments of each area's labour market (``labour_market.segments``)."""
        return _SEGMENT_COUNTS[self.scenario.labour_market.segments]

    @property
    def n_markets(self) -> int:
        """Labour markets: market ``area * n_segments + segment``."""
        return self.n_areas * self.n_segments

    @property
    def market_area(self) -> np.ndarray:
        """The area of each labour market."""
        return np.repeat(np.arange(self.n_areas), self.n_segments)

    def segment_shares(self) -> np.ndarray:
        """Each market's share of its area's job seekers by the area's composition.

        Under 30s (``under_30_share``) or the rest, or the education shares, or their
        products (both segmentations); 1 with one market per area. The fallback share
        of vacancies of a segment that has nobody searching at the start
        (:meth:`vacancy_shares`).
        """
        segments = self.scenario.labour_market.segments
        areas = list(self.scenario.areas.values())
        if segments == "age":
            shares = [(1.0 - a.under_30_share, a.under_30_share) for a in areas]
        elif segments == "education":
            shares = [a.education_shares for a in areas]
        elif segments == "age_education":  # the two independent, an assumption
            shares = [
                [age * e for age in (1.0 - a.under_30_share, a.under_30_share)
                 for e in a.education_shares]
                for a in areas
            ]  # fmt: skip
        else:
            shares = [(1.0,) for _ in areas]
        shares = np.array(shares, dtype=float)
        return (shares / shares.sum(axis=1, keepdims=True)).ravel()

    def vacancy_shares(self, totals: np.ndarray) -> np.ndarray:
        """Each labour market's share of its area's vacancies, given the search at the start.

        The segment's share of the area's search weight (``totals`` by market), so that at
        the start every segment of an area offers the same chance per unit of search, as
        a single market would; later, a segment whose searchers search harder fills its
        own vacancies, not the others'. A segment with nobody searching at the start (a
        small area at a small scale) gets its share of the area's job seekers by
        composition (:meth:`segment_shares`), the others share the rest by search weight.
        """
        area, composition = self.market_area, self.segment_shares()
        empty = totals <= 0
        left = 1.0 - np.bincount(area, weights=composition * empty, minlength=self.n_areas)
        weighed = np.bincount(area, weights=totals, minlength=self.n_areas)
        with np.errstate(divide="ignore", invalid="ignore"):
            by_weight = np.where(weighed[area] > 0, totals / weighed[area] * left[area], 0.0)
        return np.where(empty, composition, by_weight)

    def markets(self, area: np.ndarray, age: np.ndarray, education: np.ndarray) -> np.ndarray:
        """The labour market of each job seeker, from the area and the segment's trait.

        Segments by age are under 30 (segment 1) or not (0) at registration; by
        education, the education code (basic, upper secondary, tertiary); by both,
        3 x the age segment + the education code.
        """
        segments = self.scenario.labour_market.segments
        area = np.asarray(area, dtype=np.int64)
        if segments == "age":
            segment = (np.asarray(age) < 30).astype(np.int64)
        elif segments == "education":
            segment = np.asarray(education, dtype=np.int64)
        elif segments == "age_education":
            segment = (np.asarray(age) < 30) * 3 + np.asarray(education, dtype=np.int64)
        else:
            segment = np.zeros_like(area)
        return (area * self.n_segments + segment).astype(np.int16)

    @property
    def n_organisers(self) -> int:
        """Organisers: a TE office and a city per area, and maybe trial organisers."""
        return len(self.roster)

    @property
    def n_services(self) -> int:
        """Kinds of service (each area has one instance of each)."""
        return len(self.services["names"])

    def policy_arrays(self, names: tuple[str, ...]) -> dict[str, np.ndarray]:
        """Organiser policy values (``config.scenario.Organiser`` keys) as arrays by organiser.

        Each array has the type of its key: float64, int64 or bool.
        """
        return {name: np.array([getattr(p, name) for p in self.policies],
                               dtype=_POLICY_DTYPES[name]) for name in names}  # fmt: skip

    def inflow(self, week: int) -> np.ndarray:
        """Expected new registrations of real people in ``week``, by area.

        The external inflow, and the returns of people who left the register before the
        start (``_prior_returns``), thinning at the weekly separation and return hazards.
        """
        hazards = self.hazards
        surviving = np.exp(-np.array([hazards["separation"], hazards["return"]]) * week)
        return self.inflow_means + self.prior_returns @ surviving

    def vacancies(self, week: int) -> np.ndarray:
        """Open vacancies per area this week (the exogenous path times the start level)."""
        return self.vacancies_at_start * rules.vacancy_multiplier(week, *self.vacancy_path)

    def organiser_multiplier(self, week: int) -> np.ndarray:
        """Search multiplier by organiser: the city's start-up disruption in the pilot.

        Fevang, Markussen & Roed 2014: a reorganisation of employment services lowered
        job finding for a while.
        """
        pilot = self.scenario.pilot
        disruption = np.ones(self.n_organisers)
        if pilot.enabled and self.pilot_week <= week < self.pilot_week + pilot.disruption_weeks:
            disruption[self.roster.kind == OrganiserKind.CITY] = pilot.disruption_multiplier
        return disruption

    def lock_in(self) -> np.ndarray:
        """Search multiplier by service instance + 1 (entry 0: not in a service)."""
        lock_in = self.services["lock_in"].astype(np.float64)
        return np.r_[1.0, np.tile(lock_in, self.n_areas)]


def build_plan(scenario: Scenario, scale: float, treatment: Organiser | None = None) -> Plan:
    """The arrays of a scenario at a scale.

    Args:
        scenario: A validated scenario.
        scale: Simulated people per real person.
        treatment: The policy of a trial's treated (adds a trial organiser per area).

    Returns:
        The plan.

    Raises:
        ValueError: The scenario has more services than the model supports.
    """
    weeks = scenario.weeks
    inflow_means = np.array([_inflow_per_week(scenario, a) for a in scenario.areas.values()])
    prior_returns = _prior_returns(scenario)
    stock = sum(a.unemployed for a in scenario.areas.values())
    weekly = float(inflow_means.sum() + prior_returns.sum())
    expected = int((stock * 1.5 + weekly * weeks) * scale * 1.1) + 1024
    behaviour = scenario.job_seekers
    masks = np.arange(256, dtype=np.uint8)
    services = _services(scenario, scale)
    roster = Roster(len(scenario.areas), trial=treatment is not None)
    return Plan(
        scenario=scenario,
        scale=scale,
        weight=1.0 / scale,
        weeks=weeks,
        area_ids=list(scenario.areas),
        area_names=[a.name for a in scenario.areas.values()],
        pilot_week=(scenario.pilot_start - scenario.run.start).days // 7,
        hazards=_constant_hazards(scenario),
        inflow_means=inflow_means,
        prior_returns=prior_returns,
        expected_people=expected,
        composition=_area_composition(scenario),
        elapsed=_elapsed_tables(),
        barrier_bits=np.array(list(BARRIER_BITS.values()), dtype=np.uint8),
        barrier_shares=np.array(
            [getattr(behaviour, f"{name}_barrier_share") for name in BARRIER_BITS], dtype=float
        ),
        barrier_factor=behaviour.barrier_multiplier ** rules.barrier_count(masks),
        # What is left of a meeting's boost after 0, 1, ... weeks (rules.meeting_boost);
        # the last entry (practically zero) stands for every longer gap.
        meeting_decay=rules.meeting_boost(np.arange(1024.0), 1.0, behaviour.meeting_effect_weeks)
        - 1.0,
        services=services,
        menus=_menus(scenario, services["places"]),
        roster=roster,
        policies=roster.policies(scenario, treatment),
        vacancies_at_start=np.array(
            [
                (
                    a.vacancies
                    if a.vacancies is not None
                    else a.unemployed * scenario.labour_market.vacancies_per_unemployed
                )
                * scale
                for a in scenario.areas.values()
            ]
        ),
        vacancy_path=(
            np.array(
                [
                    (p.date - scenario.run.start).days / 7
                    for p in scenario.labour_market.vacancy_path
                ]
            ),
            np.array([p.multiplier for p in scenario.labour_market.vacancy_path]),
        ),
    )


def _constant_hazards(scenario: Scenario) -> dict[str, float]:
    """Weekly hazards of the moves with constant rates (job loss, exit, return, recall)."""
    behaviour = scenario.job_seekers
    market = scenario.labour_market
    separation = float(facts.monthly_to_weekly(market.separation_monthly))
    exit_weekly = 1.0 - (1.0 - facts.monthly_to_weekly(behaviour.out_of_labour_force_monthly)) * (
        1.0 - facts.monthly_to_weekly(behaviour.registration_lapse_monthly)
    )
    multiplier = market.former_long_term_separation_multiplier
    return {
        "separation": float(-np.log1p(-separation)),
        "former_long_term": float(-np.log1p(-min(separation * multiplier, 1.0 - 1e-12))),
        "leave_register": float(-np.log1p(-exit_weekly)),
        "return": float(-np.log1p(-facts.monthly_to_weekly(behaviour.return_monthly))),
        "recall": float(-np.log1p(-facts.monthly_to_weekly(behaviour.recall_monthly))),
    }


def _prior_returns(scenario: Scenario) -> np.ndarray:
    """Weekly returns at the start of people who left the register before the run.

    A stationary register sends U / (mean spell) spells a week out of it, 44 % to work
    and 25 % out of the register (TEM 2015); in a stationary world as many come back.
    People who left before the first week are not simulated, so their returns are
    registered as new people: row ``a`` holds area a's returns from work and from
    outside the labour force in week 0; they fall week by week at the separation and
    return hazards (:meth:`Plan.inflow`). Areas with their own ``inflow_per_week`` and
    scenarios with ``labour_market.returns_from_before_start = false`` have none.

    Returns:
        (n_areas, 2) real people a week.
    """
    rows = []
    for area in scenario.areas.values():
        own = area.inflow_per_week is not None
        if own or not scenario.labour_market.returns_from_before_start:
            rows.append((0.0, 0.0))
            continue
        ended = area.unemployed / facts.mean_spell_weeks()
        rows.append((facts.ENDED_TO_EMPLOYMENT * ended, facts.ENDED_OUT_OF_REGISTER * ended))
    return np.array(rows, dtype=np.float64).reshape(len(rows), 2)


def _inflow_per_week(scenario: Scenario, area: Any) -> float:
    """New registrations a week: the area's own figure, or the stationary inflow."""
    if area.inflow_per_week is not None:
        return area.inflow_per_week
    share = scenario.labour_market.external_inflow_share
    return share * area.unemployed / facts.mean_spell_weeks()


def _area_composition(scenario: Scenario) -> tuple[np.ndarray, ...]:
    """Each area's shares of new job seekers' traits, indexed by area.

    Returns:
        (under-30 share, immigrant share, long-term share, cumulative education
        shares, cumulative benefit shares), as ``passes.newcomers.new_people`` takes them.
    """
    areas = list(scenario.areas.values())
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


def _services(scenario: Scenario, scale: float) -> dict[str, Any]:
    """The service table; places per (area, service) instance, ``index = area * n + j``."""
    specs = list(scenario.services.values())
    if len(specs) > MAX_SERVICES:
        raise ValueError(f"at most {MAX_SERVICES} services are supported")
    places = []
    for area in scenario.areas.values():
        for spec in specs:
            organiser = scenario.city if spec.provider == "city" else scenario.te_office
            real = (
                spec.places_per_1000
                * area.unemployed
                / 1000
                * organiser.service_capacity_multiplier
            )
            places.append(round(real * scale))
    return {
        "names": list(scenario.services),
        "status": np.array([_SERVICE_STATUS_CODES[s.status] for s in specs], dtype=np.int8),
        "duration": np.array([s.duration_weeks for s in specs], dtype=np.int32),
        "lock_in": np.array([s.lock_in for s in specs], dtype=np.float32),
        "gain": np.array([s.employability_gain for s in specs], dtype=np.float32),
        "removal": np.array([s.barrier_removal_probability for s in specs]),
        "job": np.array([s.job_on_completion_probability for s in specs]),
        "max_age": np.array([s.max_age or 1000 for s in specs], dtype=np.float32),
        "city": np.array([s.provider == "city" for s in specs], dtype=bool),
        "cost": np.array([s.cost_per_place_week for s in specs]),
        "addresses": np.array(
            [sum(BARRIER_BITS[b] for b in s.addresses) for s in specs], dtype=np.uint8
        ),
        "places": np.array(places, dtype=np.int64),
    }


def _menus(scenario: Scenario, places: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Referral menus as padded tables: size, services, cumulative places by area.

    Category 0 holds the general services, category 1 + i the services for barrier i.
    """
    specs = list(scenario.services.values())
    n, n_areas = len(specs), len(scenario.areas)
    menus = []
    for category in range(len(BARRIERS) + 1):
        if category == 0:
            eligible = [j for j, s in enumerate(specs) if not s.addresses]
        else:
            eligible = [j for j, s in enumerate(specs) if BARRIERS[category - 1] in s.addresses]
        eligible = np.array(eligible, dtype=np.int64)
        weights = places.reshape(n_areas, n)[:, eligible].astype(float)
        menus.append((eligible, np.cumsum(weights, axis=1)))
    longest = max(len(eligible) for eligible, _ in menus)
    sizes = np.array([len(eligible) for eligible, _ in menus], dtype=np.int64)
    services = np.full((len(menus), max(longest, 1)), -1, dtype=np.int64)
    weights = np.zeros((len(menus), n_areas, max(longest, 1)))
    for c, (eligible, cumulative) in enumerate(menus):
        services[c, : len(eligible)] = eligible
        weights[c, :, : len(eligible)] = cumulative
    return sizes, services, weights
