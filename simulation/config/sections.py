"""The sections of a scenario: every key, its type, default, bounds and source.

Declarative: one frozen dataclass per section (``[run]``, ``[pilot]``, ``[job_seekers]``,
``[labour_market]``, ``[te_office]`` and ``[city]``, ``[services.<name>]``,
``[areas.<name>]``, ``[costs]``), each key a ``param`` with its unit and source. The
defaults carry their sources; a default that no source gives is marked "assumption" and
is sweepable like every other value. (This module is the declarative schema, and the
one module of the package allowed over 600 lines.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from simulation.config import facts
from simulation.config.parameters import NAME, SETTING, param

__all__ = [
    "Area",
    "BARRIERS",
    "Costs",
    "JobSeekerBehaviour",
    "LabourMarket",
    "MAX_SERVICES",
    "Organiser",
    "Pilot",
    "Run",
    "SERVICE_STATUSES",
    "Service",
    "VacancyPoint",
    "city_defaults",
]

BARRIERS = ("health", "social", "skills")
SERVICE_STATUSES = ("training", "pay_subsidy", "rehabilitative_work", "other", "parallel")

TEM2015 = "TEM register flows 2015 (hazard_by_duration in finland_targets.toml)"
FEB2021 = "TEM Employment Bulletin Feb 2021 (national stock at pilot start)"
PILOT_LAW = "Government bill HE 87/2020; TEM press release 2020-12-30"
#: Long-term unemployed / unemployed, Feb 2021: 96,100 / 327,100 (TEM Employment Bulletin).
NATIONAL_LONG_TERM_SHARE = round(96100 / 327100, 3)


# --------------------------------------------------------------------------- sections


@dataclass(frozen=True)
class Run:
    """Name, horizon, seed and default size of a run."""

    name: str = param(
        doc="Scenario name; used in the run folder name.", source=SETTING, pattern=NAME
    )
    description: str = param("", doc="Free text for people reading the scenario.", source=SETTING)
    start: dt.date = param(dt.date(2021, 3, 1), doc="First simulated day.", source=PILOT_LAW)
    end: dt.date = param(dt.date(2024, 12, 31), doc="Last simulated day.", source=PILOT_LAW)
    seed: int = param(20210301, low=0, doc="Root seed of the replications.", source=SETTING)
    replications: int = param(
        1, low=1, high=10000, doc="Default number of replications.", source=SETTING
    )
    scale: float = param(
        1.0,
        low=1e-4,
        high=1.0,
        doc="Simulated people per real person (weights 1/scale).",
        source=SETTING,
    )
    period_start: dt.date | None = param(
        None,
        doc=(
            "First day of a period whose job seekers are an outcome group of their own"
            " (`period`: on the register that day or registering after it); empty: none."
        ),
        source=SETTING,
    )


@dataclass(frozen=True)
class Pilot:
    """The municipal employment pilot: who moves to the city, and when."""

    enabled: bool = param(
        False, doc="Target-group clients of pilot areas are served by the city.", source=PILOT_LAW
    )
    start: dt.date | None = param(
        None, doc="Date the city takes over (empty: the scenario start).", source=PILOT_LAW
    )
    target_not_earnings_related: bool = param(
        True,
        doc="Job seekers without earnings-related allowance are in the target group.",
        source=PILOT_LAW,
    )
    target_under_age: int = param(
        30,
        low=0,
        high=100,
        unit="years",
        doc="Job seekers younger than this are in the target group (0: nobody by age).",
        source=PILOT_LAW,
    )
    target_immigrants: bool = param(
        True,
        doc="Immigrants / foreign-language speakers are in the target group.",
        source=PILOT_LAW,
    )
    serves_everyone: bool = param(
        False,
        doc="Every registered job seeker of a pilot area is in the target group (the 2025 "
        "reform: the municipal organiser serves all).",
        source="Government bill HE 207/2022 (TE24: municipal employment areas from 2025-01-01)",
    )
    all_areas: bool = param(
        False,
        doc="Every area takes part, whatever its own pilot flag (the 2025 reform: 45 "
        "municipal employment areas cover the country).",
        source="Government decision 2024-02-22 (45 employment areas)",
    )
    seconded_share: float = param(
        0.9,
        low=0.0,
        high=1.0,
        doc="Share of the city's caseworkers seconded from the TE office (paid by the state).",
        source="derived, weak: 900 TE staff planned to move (MTV 2/2020) / "
        "1,000 client-system users (HE 17/2022)",
    )
    disruption_weeks: int = param(
        52,
        low=0,
        high=520,
        unit="weeks",
        doc="Start-up disruption after the city takes over.",
        source="judgement after Fevang, Markussen & Roed 2014 (NAV merger: 12-24 months)",
    )
    disruption_multiplier: float = param(
        0.9,
        low=0.0,
        high=2.0,
        doc="Job-finding multiplier of city clients during the disruption.",
        source="judgement after Fevang, Markussen & Roed 2014 (0.8-1.0)",
    )


@dataclass(frozen=True)
class JobSeekerBehaviour:
    """Heterogeneity, barriers, search and exits of job seekers."""

    employability_sd: float = param(
        1.0,
        low=0.0,
        high=3.0,
        unit="log points",
        doc="Standard deviation of log employability (unobserved heterogeneity).",
    )
    education_multipliers: tuple[float, ...] = param(
        (0.8, 1.0, 1.25),
        low=0.0,
        high=10.0,
        doc="Employability multipliers for basic, upper-secondary and tertiary education.",
    )
    age_55_plus_multiplier: float = param(
        0.6, low=0.0, high=10.0, doc="Employability multiplier for job seekers aged 55+."
    )
    immigrant_multiplier: float = param(
        0.8, low=0.0, high=10.0, doc="Employability multiplier for immigrants."
    )
    barrier_multiplier: float = param(
        0.61,
        low=0.0,
        high=1.0,
        doc="Employability multiplier per unresolved barrier.",
        source="derived: 1/1.63, IPS meta-analysis RR 1.63 (Frederick & VanderWeele 2019)",
    )
    long_term_multiplier_at_start: float = param(
        0.4,
        low=0.0,
        high=10.0,
        doc="Employability multiplier of the initially long-term unemployed, on top of the "
        "selection by the spell they have had.",
    )
    health_barrier_share: tuple[float, ...] = param(
        (0.15, 0.35),
        low=0.0,
        high=1.0,
        doc="Share with a health barrier among the short- and long-term unemployed.",
        source="assumption; TemaNord 2024:546: 43% of people outside the labour market "
        "report health limitations (upper reference)",
    )
    social_barrier_share: tuple[float, ...] = param(
        (0.10, 0.25),
        low=0.0,
        high=1.0,
        doc="Share with a social barrier among the short- and long-term unemployed.",
    )
    skills_barrier_share: tuple[float, ...] = param(
        (0.10, 0.50),
        low=0.0,
        high=1.0,
        doc="Share with a skills / language barrier among natives and immigrants.",
    )
    duration_penalty: float = param(
        0.3,
        low=0.0,
        high=1.0,
        doc="Job-finding multiplier after the penalty period out of work (1: no penalty).",
        source="judgement after Kroft, Lange & Notowidigdo 2013; to calibrate",
    )
    duration_penalty_weeks: int = param(
        35,
        low=1,
        high=520,
        unit="weeks",
        doc="Weeks out of work over which the duration penalty builds up linearly.",
        source="Kroft, Lange & Notowidigdo 2013 (callbacks fall mostly within 8 months)",
    )
    detachment_multiplier: float = param(
        1.0,
        low=0.0,
        high=1.0,
        doc="Further job-finding multiplier after detachment_weeks out of work: detachment "
        "from the labour market in very long spells (1: none).",
        source="assumption (calibrated: the register's hazard to employment drops from "
        "0.011 to 0.003 a month after two years, " + TEM2015 + ")",
    )
    detachment_weeks: int = param(
        104,
        low=1,
        high=1040,
        unit="weeks",
        doc="Weeks out of work after which detachment_multiplier applies.",
        source="the register's last spell-length bucket (over 24 months, " + TEM2015 + ")",
    )
    subsidised_work_ends_time_out_of_work: bool = param(
        True,
        doc="Whether the end of a pay subsidy without a job starts the time out of work "
        "afresh (subsidised work counts as work for duration dependence); training and "
        "the other services never stop it.",
        source="assumption (the register also starts a new spell after any service); "
        "pay subsidy in private firms adds about 2 work months, through municipalities "
        "nothing (Asplund et al. 2018, VN TEAS 75/2018); the shipped scenarios set it "
        "off, which fits the register better over five fresh seeds (docs/calibration.md)",
    )
    meeting_effort_boost: float = param(
        0.4,
        low=0.0,
        high=10.0,
        doc="Relative rise in search right after a meeting with an average caseworker.",
        source="derived: Schiprowski 2020 (a lost meeting adds 10-12 days) at a weekly "
        "job-finding rate of about 0.02; the shipped scenarios use the value fitted to the "
        "experiments with the register flows (calibration/fitted)",
    )
    meeting_effect_weeks: float = param(
        4.0,
        low=0.1,
        high=104.0,
        unit="weeks",
        doc="Time constant of the exponential decay of the meeting boost.",
        source="derived with meeting_effort_boost (Schiprowski 2020)",
    )
    hard_to_employ_meeting_factor: float = param(
        0.5,
        low=0.0,
        high=1.0,
        doc="Meeting effect for job seekers with an unresolved barrier, relative to others.",
        source="judgement after Rosholm (IZA World of Labor)",
    )
    referral_multiplier: float = param(
        2.0, low=1.0, high=20.0, doc="Search multiplier while a vacancy referral is open."
    )
    referral_weeks: int = param(
        2, low=0, high=52, unit="weeks", doc="Weeks a vacancy referral stays open."
    )
    out_of_labour_force_monthly: float = param(
        0.009,
        low=0.0,
        high=1.0,
        unit="1/month",
        doc="Hazard from unemployment to out of the labour force.",
        source=TEM2015 + " (spells over 24 months; applied to all)",
    )
    registration_lapse_monthly: float = param(
        0.01,
        low=0.0,
        high=1.0,
        unit="1/month",
        doc="Hazard of the registration lapsing without a job, apart from monitoring.",
        source="assumption, sized toward 16% of ended spells lapsing (" + TEM2015 + ")",
    )
    return_monthly: float = param(
        0.01,
        low=0.0,
        high=1.0,
        unit="1/month",
        doc="Hazard from out of the labour force back to the register.",
    )
    between_jobs_share: float = param(
        0.0,
        low=0.0,
        high=1.0,
        doc="Share of spells after a job (new registrations, job losses) that are a gap "
        "between jobs: a temporary lay-off or a wait for an agreed job (0: none).",
        source="assumption (calibrated: the register's job-finding hazard halves after "
        "the first month, " + TEM2015 + ")",
    )
    recall_monthly: float = param(
        0.5,
        low=0.0,
        high=0.99,
        unit="1/month",
        doc="Hazard of going back to work for people between jobs, apart from job search.",
        source="assumption (calibrated with between_jobs_share)",
    )


@dataclass(frozen=True)
class VacancyPoint:
    """A point of the exogenous vacancy path (linear interpolation between points)."""

    date: dt.date = param(doc="Date of the point.")
    multiplier: float = param(low=0.0, high=100.0, doc="Vacancies relative to the start.")


@dataclass(frozen=True)
class LabourMarket:
    """Matching of job seekers and vacancies, separations and benefit duration."""

    job_finding_monthly_at_start: float = param(
        round(facts.stock_job_finding_monthly(NATIONAL_LONG_TERM_SHARE), 4),
        low=0.0,
        high=1.0,
        unit="1/month",
        doc="Average job-finding hazard of the initial stock; fixes the matching efficiency.",
        source="derived: " + TEM2015 + " over a stock with the Feb 2021 long-term share",
    )
    matching: str = param(
        "urn_ball",
        choices=("urn_ball", "cobb_douglas"),
        doc="Matching in each labour market: an urn-ball process (each vacancy is filled at "
        "most once a week, so extra search is taken from others the more, the scarcer "
        "vacancies are; its congestion at the start is set by vacancy_elasticity), or a "
        "constant-returns Cobb-Douglas function (a constant share is taken).",
        source="urn-ball: Butters 1977, Petrongolo & Pissarides 2001; crowding growing when "
        "vacancies are scarce: Crepon et al. 2013",
    )
    segments: str = param(
        "age_education",
        choices=("none", "age", "education", "age_education"),
        doc="Segments of each area's labour market: job seekers compete for the vacancies "
        "of their own segment (under 30 or not; basic, upper secondary or tertiary "
        "education; or both, six segments), which hold the segment's share of the area's "
        "vacancies at the start ('none': one market per area).",
        source="Crepon et al. 2013 (displacement where job seekers compete with similar "
        "workers); the choice of segments, and age and education as independent in each "
        "area, are assumptions",
    )
    vacancy_elasticity: float = param(
        0.3,
        low=0.0,
        high=0.99,
        doc="Elasticity of matches to vacancies (constant returns: 1 - this for searchers); "
        "with urn-ball matching, 1 - this is the elasticity to search at the start, which "
        "sets the congestion among job seekers.",
        source="Kangasharju, Pehkonen & Pekkala 2005; Ilmakunnas & Pesola 2003 (0.2-0.4 for "
        "vacancies, 0.4-0.7 for the unemployed: strong congestion among job seekers)",
    )
    vacancies_per_unemployed: float = param(
        0.491,
        low=0.0,
        high=100.0,
        doc="Open vacancies per unemployed job seeker where an area gives no vacancies.",
        source="derived: 160,600 / 327,100, " + FEB2021,
    )
    external_inflow_share: float = param(
        0.4,
        low=0.0,
        high=1.0,
        doc="Share of the register's new spells made by people outside the simulated "
        "population (the rest are its own returns from services, jobs and inactivity).",
    )
    returns_from_before_start: bool = param(
        True,
        doc="Register the returns of people who left the register for work or inactivity "
        "before the run: a stationary register's flows out, coming back at the separation "
        "and return hazards (else the register has no returns until its own leavers "
        "come back).",
        source="derived: TEM register flows 2015 (44 % of ended spells to work, 25 % out "
        "of the register), mean spell of the 2015 hazards",
    )
    separation_monthly: float = param(
        0.01, low=0.0, high=1.0, unit="1/month", doc="Hazard of an employed person losing the job."
    )
    former_long_term_separation_multiplier: float = param(
        1.5,
        low=0.0,
        high=20.0,
        doc="Separation multiplier for people employed out of long-term unemployment.",
    )
    earnings_related_max_weeks: int = param(
        80,
        low=1,
        high=520,
        unit="weeks",
        doc="Weeks of earnings-related allowance before the labour market subsidy.",
        source="Unemployment Security Act 1290/2002 ch. 6 s. 7 (400 days, 5 a week)",
    )
    vacancy_path: tuple[VacancyPoint, ...] = param(
        (),
        doc="Exogenous vacancy multipliers by date, linear between points and flat beyond "
        "them (empty: constant), relative to the vacancies the matching is anchored to.",
    )


@dataclass(frozen=True)
class Organiser:
    """Staffing and meeting policy of an organiser of employment services."""

    caseload: float = param(
        149.0,
        low=1.0,
        high=100000.0,
        unit="clients / caseworker",
        doc="Clients per caseworker when the organiser starts; sets the number of caseworkers.",
        source="KEHA centre 2025 via Yle: 149 job seekers per advisor (100-250)",
    )
    meetings_per_caseworker_week: float = param(
        8.0,
        low=0.0,
        high=200.0,
        unit="meetings / week",
        doc="Meeting capacity of one caseworker: about what 3-monthly meetings need at 149 "
        "clients of whom some 72 % are unemployed (the rest in services).",
    )
    meeting_interval_weeks: int = param(
        13,
        low=1,
        high=520,
        unit="weeks",
        doc="Interval between meetings required by the meeting policy.",
        source="2017 reform: interviews every 3 months (Huuskonen 2023)",
    )
    early_interval_weeks: int = param(
        13,
        low=1,
        high=520,
        unit="weeks",
        doc="Interval in the early period of a spell (Nordic model: 2).",
        source="Nordic job-seeking model 2022: every 2 weeks for 3 months (policy design)",
    )
    early_period_weeks: int = param(
        0,
        low=0,
        high=520,
        unit="weeks",
        doc="Length of the early period with denser meetings (Nordic model: 13).",
        source="Nordic job-seeking model 2022 (policy design)",
    )
    spare_capacity_meetings: bool = param(
        True,
        doc="Caseworkers with spare capacity shorten the interval to unemployed clients / "
        "weekly capacity (so a smaller caseload means more meetings).",
    )
    min_weeks_between_meetings: int = param(
        2,
        low=1,
        high=520,
        unit="weeks",
        doc="Shortest gap between two meetings of a client when capacity is spare.",
        source="assumption; the densest policy, the Nordic model, meets every 2 weeks",
    )
    first_meeting_weeks: int = param(
        2, low=0, high=52, unit="weeks", doc="Weeks from registration to the first meeting."
    )
    multisector_competence_share: float = param(
        0.1,
        low=0.0,
        high=1.0,
        doc="Share of caseworkers with multi-sector competence (social, health, education).",
    )
    barrier_detection_probability: float = param(
        0.15, low=0.0, high=1.0, doc="Chance a meeting detects a barrier (per barrier)."
    )
    competent_detection_probability: float = param(
        0.4,
        low=0.0,
        high=1.0,
        doc="The same for caseworkers with multi-sector competence.",
    )
    vacancy_referral_probability: float = param(
        0.3,
        low=0.0,
        high=1.0,
        doc="Chance a meeting brings a vacancy referral.",
        source="assumption; employers stay with the TE office in the pilots (HE 87/2020)",
    )
    service_referral_monthly: float = param(
        0.08,
        low=0.0,
        high=1.0,
        unit="1/month",
        doc="Monthly hazard of a need for a general service early in a spell; the referral "
        "follows the need as it arises (the employment plan), not the meetings, so more "
        "meetings neither multiply referrals nor bring them forward.",
        source="TEM register flows 2015: hazard to services 0.080 a month in the first month "
        "of a spell (derived); fitted",
    )
    service_referral_at_start: float = param(
        0.0,
        low=0.0,
        high=1.0,
        doc="Share of registrations that start with a need for a general service (an "
        "employment plan made at registration); realised at the spell's first meeting.",
        source="assumption; direction from TEM register flows 2015 (the hazard to services "
        "is highest in a spell's first month)",
    )
    service_referral_decline: float = param(
        0.0,
        low=0.0,
        high=10.0,
        unit="1/year",
        doc="Log-linear fall of the general-service referral chance with the spell's length "
        "(0: flat).",
        source="assumption; direction from TEM register flows 2015 (hazard to services "
        "falls from 0.080 to 0.016 a month)",
    )
    monitoring_exit_probability: float = param(
        0.2,
        low=0.0,
        high=1.0,
        doc="Chance a meeting ends the registration of a client whose own search has fallen "
        "to nothing (monitoring, sanctions); times the shortfall of the client's search "
        "from a newly unemployed job seeker's without barriers (see "
        "rules.monitoring_exit_chance).",
        source="assumption, fitted jointly to Böheim, Eppel & Mahringer 2023 (Austria: more "
        "contact, more exits out of the labour force) and the register's exits to non-jobs; "
        "direction also from Huuskonen 2023",
    )
    multisector_access: float = param(
        0.5,
        low=0.0,
        high=1.0,
        doc="Chance a detected barrier leads to a referral to a municipal multi-sector service.",
    )
    place_outreach: float = param(
        0.0,
        low=0.0,
        high=1.0,
        unit="1/week",
        doc="Share of the free places of the area's services for a barrier that the organiser "
        "fills each week with its unemployed clients who have that barrier, found at a "
        "meeting or not (0: places are used only through referrals after meetings).",
        source="assumption (the city's default 0.25); the multi-sector pilots rest on the "
        "cities' own services being at hand for the clients who need them (HE 87/2020)",
    )
    cost_share_activation: float = param(
        0.0,
        low=0.0,
        high=1.0,
        unit="1/week",
        doc="Weekly chance, at a 100 % municipal share, that the organiser refers a client "
        "whose passive benefit the municipality pays a share of (now or within "
        "cost_share_lookahead_weeks) to the city's activating services, which stop the "
        "days counting; times the share (0: no response to the cost sharing).",
        source="assumption (the city's default 0.02); the direction is documented: "
        "municipalities place long-term recipients in rehabilitative work activity to cut "
        "their share of the subsidy (docs/reforms.md)",
    )
    cost_share_lookahead_weeks: int = param(
        13,
        low=0,
        high=520,
        unit="weeks",
        doc="How far ahead a municipal organiser looks at a client's cost-shared days.",
        source="assumption",
    )
    effectiveness_shape: float = param(
        0.5,
        low=0.01,
        high=100.0,
        doc="Gamma shape of caseworker effectiveness (mean 1); small = more varied.",
        source="judgement after Schiprowski 2020 (near-zero effect for the weaker half, "
        "over twice the mean for the stronger half)",
    )
    service_capacity_multiplier: float = param(
        1.0, low=0.0, high=100.0, doc="Multiplier on the places of the services it provides."
    )
    caseworker_cost_per_year: float = param(
        60000.0, low=0.0, high=1e7, unit="EUR / year", doc="Employer cost of one caseworker."
    )
    staff_multiplier: float = param(
        1.0,
        low=0.0,
        high=100.0,
        doc="Multiplier on the caseworkers the caseload gives (added staff such as the "
        "Nordic model's specialists); a change of it alone scales the staff in post.",
        source=SETTING,
    )
    open: bool = param(
        True,
        doc="The organiser has staff and serves clients; false: it is wound up and its "
        "caseworkers move to the area's other organiser (2025: the TE offices).",
        source=SETTING,
    )


def city_defaults() -> Organiser:
    """The city's policy defaults where they differ from the TE office's."""
    return Organiser(
        multisector_competence_share=0.5,
        vacancy_referral_probability=0.15,
        multisector_access=1.0,
        place_outreach=0.25,
        cost_share_activation=0.02,
    )


@dataclass(frozen=True)
class Service:
    """A service with places: state-run or municipal, activating or parallel."""

    provider: str = param(
        choices=("state", "city"), doc="Who provides and pays: the state or the city."
    )
    status: str = param(
        choices=SERVICE_STATUSES,
        doc="Status of participants; 'parallel' services leave them unemployed job seekers.",
    )
    places_per_1000: float = param(
        low=0.0,
        high=10000.0,
        unit="places / 1000 unemployed",
        doc="Places per 1000 unemployed of the area at the start.",
    )
    duration_weeks: int = param(low=1, high=520, unit="weeks", doc="Length of the service.")
    addresses: tuple[str, ...] = param(
        (), choices=BARRIERS, doc="Barriers the service addresses (empty: a general service)."
    )
    lock_in: float = param(
        0.3,
        low=0.0,
        high=1.0,
        doc="Search multiplier while in the service (lock-in).",
        source="assumption; lock-in documented by Card, Kluve & Weber 2018",
    )
    employability_gain: float = param(
        0.0, low=0.0, high=10.0, doc="Relative rise of employability on completion."
    )
    barrier_removal_probability: float = param(
        0.0, low=0.0, high=1.0, doc="Chance that completion resolves each addressed barrier."
    )
    job_on_completion_probability: float = param(
        0.0, low=0.0, high=1.0, doc="Chance of moving straight into open-market work."
    )
    max_age: int = param(
        0, low=0, high=100, unit="years", doc="Only younger job seekers are referred (0: all)."
    )
    cost_per_place_week: float = param(
        0.0, low=0.0, high=1e6, unit="EUR / week", doc="Cost of one occupied place for a week."
    )


@dataclass(frozen=True)
class Area:
    """A labour-market area with its TE office and city."""

    name: str = param(doc="Name shown in outputs.", source=SETTING)
    unemployed: int = param(
        low=0, high=10_000_000, doc="Unemployed job seekers at the start.", source=SETTING
    )
    long_term_share: float = param(
        NATIONAL_LONG_TERM_SHARE,
        low=0.0,
        high=1.0,
        doc="Share unemployed 12+ months at the start.",
        source="derived: 96,100 / 327,100, " + FEB2021,
    )
    under_30_share: float = param(
        0.2,
        low=0.0,
        high=1.0,
        doc="Share under 30 (stock and inflow).",
        source="assumption; national under-25 share 0.119 (" + FEB2021 + ")",
    )
    immigrant_share: float = param(0.15, low=0.0, high=1.0, doc="Share of immigrants.")
    earnings_related_share: float = param(
        0.35, low=0.0, high=1.0, doc="Share entitled to earnings-related allowance."
    )
    basic_allowance_share: float = param(
        0.1,
        low=0.0,
        high=1.0,
        doc="Share on Kela basic allowance (the rest: labour market subsidy).",
    )
    education_shares: tuple[float, ...] = param(
        (0.35, 0.45, 0.2),
        low=0.0,
        high=1.0,
        doc="Shares with basic, upper-secondary and tertiary education.",
    )
    inflow_per_week: float | None = param(
        None,
        low=0.0,
        high=1e7,
        unit="people / week",
        doc="New registrations a week from outside the simulated population (empty: "
        "labour_market.external_inflow_share x unemployed / mean spell of 33.8 weeks).",
        source="default derived: mean completed spell implied by " + TEM2015,
    )
    vacancies: float | None = param(
        None,
        low=0.0,
        high=1e8,
        doc="Open vacancies at the start (empty: labour_market.vacancies_per_unemployed).",
        source="default derived: labour_market.vacancies_per_unemployed x unemployed",
    )
    pilot: bool = param(
        True, doc="The area takes part in the pilot when it is enabled.", source=SETTING
    )


@dataclass(frozen=True)
class Costs:
    """Benefit rates and the municipal share of the labour market subsidy."""

    earnings_related_daily: float = param(
        70.0, low=0.0, high=1000.0, unit="EUR / day", doc="Average earnings-related allowance."
    )
    basic_daily: float = param(
        33.66,
        low=0.0,
        high=1000.0,
        unit="EUR / day",
        doc="Basic allowance and labour market subsidy.",
        source="assumption (about the 2021 Kela basic daily allowance)",
    )
    benefit_days_per_week: int = param(
        5,
        low=0,
        high=7,
        unit="days",
        doc="Benefit days paid a week.",
        source="Unemployment Security Act 1290/2002 (paid for five days a week)",
    )
    service_cost_basis: str = param(
        "occupied",
        choices=("occupied", "places"),
        doc="What a service costs: occupied, its occupied places at their weekly cost (the "
        "cost of what is used, as for purchased places paid per client); places, every "
        "place in force whether used or not (capacity a provider buys or staffs).",
        source=SETTING,
    )
    municipal_share_basis: str = param(
        "subsidy_days",
        choices=("subsidy_days", "benefit_days"),
        doc="What the municipal share is of: subsidy_days, the passive labour market subsidy "
        "by its days (2015-2024); benefit_days, the basic amount of every passive "
        "unemployment benefit (basic allowance, subsidy, the basic part of the "
        "earnings-related allowance) by benefit days (from 2025).",
        source="TE-palvelut Pirkanmaa (old rule, finland_targets.toml); Kela news on the "
        "2025 transfer (new rule)",
    )
    municipal_share_thresholds: tuple[float, ...] = param(
        (300.0, 1000.0),
        low=0.0,
        high=10000.0,
        unit="subsidy days",
        doc="Subsidy days after which the municipal share of the subsidy steps up.",
        source="TE-palvelut Pirkanmaa, cost-sharing rules (finland_targets.toml)",
    )
    municipal_shares: tuple[float, ...] = param(
        (0.0, 0.5, 0.7),
        low=0.0,
        high=1.0,
        doc="Municipal share of the subsidy below, between and above the thresholds.",
        source="TE-palvelut Pirkanmaa, cost-sharing rules (finland_targets.toml)",
    )


#: Services a scenario may have (the compiled passes index them in a small table).
MAX_SERVICES = 15
