"""Scenario files: the sections of a scenario, loading, inheritance, overrides, validation.

A scenario is a TOML file. It may name a base scenario with a top-level
``extends = "other.toml"`` and then lists only what differs. Command-line overrides
(``--set key.path=value``) are applied after inheritance and validated the same way.
Every problem is reported as a :class:`ScenarioError` naming the file, the key path and
what was expected.

The defaults below carry their sources; a default that no source gives is marked
"assumption" and is sweepable like every other value.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import difflib
import hashlib
import json
import re
import tomllib
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulation.config import facts
from simulation.config.errors import ScenarioError
from simulation.config.parameters import NAME, SETTING, param

__all__ = [
    "Area",
    "Costs",
    "JobSeekerBehaviour",
    "LabourMarket",
    "Organiser",
    "Pilot",
    "Run",
    "Scenario",
    "ScenarioError",
    "Service",
    "VacancyPoint",
    "BARRIERS",
    "SERVICE_STATUSES",
    "build_section",
    "load_scenario",
    "read_toml",
    "scenario_from_dict",
    "scenario_to_dict",
    "scenario_sources",
    "scenario_hash",
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
    unavailable_share: float = param(
        0.05,
        low=0.0,
        high=1.0,
        doc="Share of registrations in which the job seeker is not available for work or not "
        "searching as required; monitoring at meetings can end only these.",
        source="assumption; with monitoring_exit_probability 0.2 a first meeting ends 1 % "
        "of registrations; direction from Huuskonen 2023 (more contact, more exits to "
        "non-jobs)",
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
        "age",
        choices=("none", "age", "education"),
        doc="Segments of each area's labour market: job seekers compete for the vacancies "
        "of their own segment (under 30 or not; basic, upper secondary or tertiary "
        "education), which hold the segment's share of the area's vacancies at the start "
        "('none': one market per area).",
        source="Crepon et al. 2013 (displacement where job seekers compete with similar "
        "workers); the choice of segments is an assumption",
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
        doc="Chance a meeting finds out a job seeker not available for work (see "
        "job_seekers.unavailable_share), whose registration then ends (monitoring, "
        "sanctions).",
        source="assumption; direction from Huuskonen 2023 (more exits to non-jobs)",
    )
    multisector_access: float = param(
        0.5,
        low=0.0,
        high=1.0,
        doc="Chance a detected barrier leads to a referral to a municipal multi-sector service.",
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


def _city_defaults() -> Organiser:
    return Organiser(
        multisector_competence_share=0.5,
        vacancy_referral_probability=0.15,
        multisector_access=1.0,
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


#: The sections a dated change may set: meeting policies, caseloads and staffing,
#: places, the organisers' responsibilities and the target-group rule, cost sharing.
CHANGEABLE = ("te_office", "city", "pilot", "services", "costs")


@dataclass(frozen=True)
class Change:
    """A dated change of policy (an entry of ``[[timeline]]``).

    Attributes:
        date: The change applies from the start of the week that holds this date.
        label: What the change is, for tables and plots.
        settings: The keys it sets, by section (as written, validated).
    """

    date: dt.date
    label: str
    settings: dict[str, Any]

    @property
    def keys(self) -> list[str]:
        """The key paths the change sets, e.g. ``te_office.caseload``."""
        return sorted(_key_paths(self.settings))


def _key_paths(table: dict, prefix: str = "") -> list[str]:
    paths = []
    for key, value in table.items():
        if isinstance(value, dict):
            paths += _key_paths(value, f"{prefix}{key}.")
        else:
            paths.append(f"{prefix}{key}")
    return paths


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: everything a model run needs."""

    run: Run = param(doc="Name, horizon, seed and size.")
    areas: dict[str, Area] = param(doc="Labour-market areas.")
    pilot: Pilot = param(factory=Pilot, doc="The municipal pilot.")
    job_seekers: JobSeekerBehaviour = param(factory=JobSeekerBehaviour, doc="Job seekers.")
    labour_market: LabourMarket = param(factory=LabourMarket, doc="Labour market.")
    te_office: Organiser = param(factory=Organiser, doc="TE office policy and staffing.")
    city: Organiser = param(factory=_city_defaults, doc="City policy and staffing.")
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
            current = _apply_change(current, change.settings, "<timeline>", index)
            periods.append((self.week_of(change.date), current))
        return periods


# --------------------------------------------------------------------------- building

_MISSING = dataclasses.MISSING


def _type_name(tp: Any) -> str:
    names = {
        float: "a number",
        int: "a whole number",
        bool: "true or false",
        str: "a string",
        dt.date: "a date (YYYY-MM-DD)",
    }
    if tp in names:
        return names[tp]
    if typing.get_origin(tp) is tuple:
        return "a list"
    if typing.get_origin(tp) is dict:
        return "one or more tables [<key>.<name>]"
    return "a table"


def _suggest(key: str, options: list[str]) -> str:
    close = difflib.get_close_matches(key, options, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; expected one of: {', '.join(sorted(options))}"


def _child(key: str, name: str) -> str:
    """Key path of a named table; names with dots are quoted as in TOML."""
    return f'{key}."{name}"' if "." in name else f"{key}.{name}"


def _convert(value: Any, tp: Any, meta: dict, file: str, key: str) -> Any:
    """Convert and check one value against its declared type and bounds."""
    if isinstance(tp, types.UnionType):
        if value is None:
            return None
        tp = next(a for a in typing.get_args(tp) if a is not type(None))
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ScenarioError(file, key, f"expected a table, got {value!r}")
        return build_section(tp, value, file, key)
    if typing.get_origin(tp) is dict:
        section = typing.get_args(tp)[1]
        if not isinstance(value, dict):
            raise ScenarioError(file, key, f"expected a table of tables, got {value!r}")
        if not dataclasses.is_dataclass(section):  # a table of plain values
            return {
                name: _convert(sub, section, meta, file, _child(key, name))
                for name, sub in value.items()
            }
        for name, sub in value.items():
            if not isinstance(sub, dict):
                child = _child(key, name)
                raise ScenarioError(file, child, f"expected a table [{child}], got {sub!r}")
        return {
            name: build_section(section, sub, file, _child(key, name))
            for name, sub in value.items()
        }
    if typing.get_origin(tp) is tuple:
        item_type = typing.get_args(tp)[0]
        if not isinstance(value, (list, tuple)):
            raise ScenarioError(file, key, f"expected a list, got {value!r}")
        return tuple(_convert(v, item_type, meta, file, f"{key}[{i}]") for i, v in enumerate(value))
    if tp is bool:
        if not isinstance(value, bool):
            raise ScenarioError(file, key, f"expected true or false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScenarioError(file, key, f"expected a whole number, got {value!r}")
    elif tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ScenarioError(file, key, f"expected a number, got {value!r}")
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise ScenarioError(file, key, f"expected a finite number, got {value!r}")
    elif tp is str:
        if not isinstance(value, str):
            raise ScenarioError(file, key, f"expected a string, got {value!r}")
        pattern = meta.get("pattern")
        if pattern and not re.fullmatch(pattern, value):
            raise ScenarioError(
                file,
                key,
                f"expected a name of letters, digits, '.', '_' or '-' (1-100 characters, not "
                f"starting with '.'), got {value!r}",
            )
        choices = meta.get("choices")
        if choices and value not in choices:
            raise ScenarioError(
                file, key, f"'{value}' is not allowed{_suggest(value, list(choices))}"
            )
        return value
    elif tp is dt.date:
        if isinstance(value, dt.datetime):
            value = value.date()
        elif isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                raise ScenarioError(
                    file, key, f"expected a date (YYYY-MM-DD), got {value!r}"
                ) from None
        if not isinstance(value, dt.date):
            raise ScenarioError(file, key, f"expected a date (YYYY-MM-DD), got {value!r}")
        return value
    low, high = meta.get("low"), meta.get("high")
    if low is not None and value < low:
        raise ScenarioError(file, key, f"expected a value >= {low:g}, got {value!r}")
    if high is not None and value > high:
        raise ScenarioError(file, key, f"expected a value <= {high:g}, got {value!r}")
    return value


def build_section(cls: type, data: dict, file: str, path: str, base: Any = None) -> Any:
    """Build a section from a dict, rejecting unknown keys and filling defaults."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    prefix = f"{path}." if path else ""
    for key in data:
        if key not in fields:
            raise ScenarioError(file, prefix + key, "unknown key" + _suggest(key, list(fields)))
    values = {}
    for name, field in fields.items():
        key = prefix + name
        if name in data:
            nested_base = getattr(base, name) if base is not None else None
            tp = hints[name]
            if dataclasses.is_dataclass(tp) and isinstance(data[name], dict):
                if nested_base is None and field.default_factory is not _MISSING:
                    nested_base = field.default_factory()
                values[name] = build_section(tp, data[name], file, key, base=nested_base)
            else:
                values[name] = _convert(data[name], tp, field.metadata, file, key)
        elif base is not None:
            values[name] = getattr(base, name)
        elif field.default is not _MISSING:
            values[name] = field.default
        elif field.default_factory is not _MISSING:
            values[name] = field.default_factory()
        else:
            expected = _type_name(hints[name]).replace("<key>", key)
            raise ScenarioError(file, key, f"missing; expected {expected}")
    return cls(**values)


def _check(s: Scenario, file: str) -> None:
    """Checks that involve more than one value."""
    if s.run.end <= s.run.start:
        raise ScenarioError(file, "run.end", f"expected a date after run.start ({s.run.start})")
    if s.weeks > 52 * 20:
        raise ScenarioError(file, "run.end", "expected a horizon of at most 20 years")
    if len(s.services) > MAX_SERVICES:
        raise ScenarioError(file, "services", f"expected at most {MAX_SERVICES} services")
    if not s.areas:
        raise ScenarioError(file, "areas", "expected at least one area ([areas.<name>])")
    if not s.run.start <= s.pilot_start <= s.run.end:
        raise ScenarioError(file, "pilot.start", "expected a date within run.start .. run.end")
    dates = [p.date for p in s.labour_market.vacancy_path]
    if dates != sorted(dates) or len(set(dates)) != len(dates):
        raise ScenarioError(
            file, "labour_market.vacancy_path", "expected strictly increasing dates"
        )
    jobseekers = s.job_seekers
    for name in ("health_barrier_share", "social_barrier_share", "skills_barrier_share"):
        if len(getattr(jobseekers, name)) != 2:
            raise ScenarioError(file, f"job_seekers.{name}", "expected a list of two shares")
    if len(jobseekers.education_multipliers) != 3:
        raise ScenarioError(file, "job_seekers.education_multipliers", "expected three numbers")
    costs = s.costs
    if list(costs.municipal_share_thresholds) != sorted(costs.municipal_share_thresholds):
        raise ScenarioError(
            file, "costs.municipal_share_thresholds", "expected thresholds in ascending order"
        )
    if len(costs.municipal_shares) != len(costs.municipal_share_thresholds) + 1:
        raise ScenarioError(
            file, "costs.municipal_shares", "expected one share more than there are thresholds"
        )
    for name, area in s.areas.items():
        key = f"areas.{name}"
        if len(area.education_shares) != 3 or abs(sum(area.education_shares) - 1.0) > 1e-6:
            raise ScenarioError(
                file, f"{key}.education_shares", "expected three shares summing to 1"
            )
        if area.earnings_related_share + area.basic_allowance_share > 1.0 + 1e-9:
            raise ScenarioError(
                file,
                f"{key}.basic_allowance_share",
                "expected earnings_related_share + basic_allowance_share <= 1",
            )
    for name, service in s.services.items():
        if len(set(service.addresses)) != len(service.addresses):
            raise ScenarioError(file, f"services.{name}.addresses", "expected each barrier once")
    _check_responsibilities(s, file)


def _check_responsibilities(s: Scenario, file: str, prefix: str = "") -> None:
    """Every organiser that keeps clients has staff (is open)."""
    pilot = s.pilot
    municipal = pilot.enabled and (pilot.all_areas or any(a.pilot for a in s.areas.values()))
    everyone = (
        municipal
        and pilot.serves_everyone
        and (pilot.all_areas or all(a.pilot for a in s.areas.values()))
    )
    if not s.te_office.open and not everyone:
        raise ScenarioError(
            file,
            f"{prefix}te_office.open",
            "a closed TE office would keep clients without staff; expected pilot.enabled, "
            "pilot.serves_everyone and pilot.all_areas = true (the 2025 reform)",
        )
    if not s.city.open and municipal:
        raise ScenarioError(
            file,
            f"{prefix}city.open",
            "a closed city would keep the pilot's target group without staff; expected "
            "pilot.enabled = false (the TE office serves everyone)",
        )


def _apply_change(current: Scenario, settings: dict, file: str, index: int) -> Scenario:
    """The scenario ``current`` with one change's sections set on top (validated)."""
    prefix = f"timeline[{index + 1}]."
    sections: dict[str, Any] = {}
    hints = typing.get_type_hints(Scenario)
    for name, table in settings.items():
        if name == "services":
            services = dict(current.services)
            for service, values in table.items():
                if service not in services:
                    raise ScenarioError(
                        file,
                        f"{prefix}services.{service}",
                        "unknown service" + _suggest(service, list(services)),
                    )
                if not isinstance(values, dict):
                    raise ScenarioError(file, f"{prefix}services.{service}", "expected a table")
                services[service] = build_section(
                    Service, values, file, f"{prefix}services.{service}", base=services[service]
                )
            sections[name] = services
        else:
            sections[name] = build_section(
                hints[name], table, file, f"{prefix}{name}", base=getattr(current, name)
            )
    period = dataclasses.replace(current, **sections)
    try:
        _check(period, file)
    except ScenarioError as error:
        raise ScenarioError(file, prefix + error.key, error.message) from None
    return period


def _build_timeline(entries: Any, scenario: Scenario, file: str) -> tuple[Change, ...]:
    """Validate ``[[timeline]]``: dates in order within the horizon, changeable keys only."""
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ScenarioError(file, "timeline", "expected a list of tables ([[timeline]])")
    changes = []
    current = scenario
    previous: dt.date | None = None
    for index, entry in enumerate(entries):
        prefix = f"timeline[{index + 1}]"
        date = entry.get("date")
        if isinstance(date, str):  # as a manifest writes it
            with contextlib.suppress(ValueError):
                date = dt.date.fromisoformat(date)
        if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
            raise ScenarioError(file, f"{prefix}.date", "missing; expected a date (YYYY-MM-DD)")
        if not scenario.run.start <= date <= scenario.run.end:
            raise ScenarioError(
                file,
                f"{prefix}.date",
                f"expected a date within run.start .. run.end ({scenario.run.start} .. "
                f"{scenario.run.end})",
            )
        if previous is not None and date <= previous:
            raise ScenarioError(
                file, f"{prefix}.date", f"expected a date after the change before ({previous})"
            )
        label = entry.get("label", "")
        if not isinstance(label, str):
            raise ScenarioError(file, f"{prefix}.label", "expected a string")
        settings = {k: v for k, v in entry.items() if k not in ("date", "label")}
        for name, table in settings.items():
            if name not in CHANGEABLE:
                known = name in {f.name for f in dataclasses.fields(Scenario)}
                options = ["date", "label", *CHANGEABLE]
                if known:
                    message = "not changeable on a date; expected one of: " + ", ".join(options)
                else:
                    message = "unknown key" + _suggest(name, options)
                raise ScenarioError(file, f"{prefix}.{name}", message)
            if not isinstance(table, dict):
                raise ScenarioError(file, f"{prefix}.{name}", "expected a table of keys")
        if not settings:
            raise ScenarioError(
                file, prefix, f"expected at least one of {', '.join(CHANGEABLE)} to change"
            )
        current = _apply_change(current, settings, file, index)
        changes.append(Change(date=date, label=label, settings=_plain(settings)))
        previous = date
    return tuple(changes)


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
    _check(scenario, file)
    if timeline:
        scenario = dataclasses.replace(scenario, timeline=_build_timeline(timeline, scenario, file))
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
)


def _city_follows_te_office(data: dict) -> dict:
    te_office = data.get("te_office")
    if not isinstance(te_office, dict) or not isinstance(data.get("city", {}), dict):
        return data
    inherited = {k: te_office[k] for k in CITY_FOLLOWS_TE_OFFICE if k in te_office}
    if not inherited:
        return data
    return {**data, "city": {**inherited, **data.get("city", {})}}


# --------------------------------------------------------------------------- files


#: At most this many services (the cohort codes of the initial stock give them 15 slots).
MAX_SERVICES = 15
#: Input files are small; anything larger (or an endless device) is not one.
MAX_FILE_BYTES = 1_000_000


def read_toml(path: Path) -> dict:
    """Read a TOML file; problems become :class:`ScenarioError`."""
    try:
        with path.open("rb") as handle:
            head = handle.read(MAX_FILE_BYTES + 1)
        if len(head) > MAX_FILE_BYTES:
            raise ScenarioError(
                path, "", f"expected a TOML file of at most {MAX_FILE_BYTES:,} bytes"
            )
        return tomllib.loads(head.decode("utf-8"))
    except UnicodeDecodeError:
        raise ScenarioError(path, "", "expected UTF-8 text (save the file as UTF-8)") from None
    except FileNotFoundError:
        raise ScenarioError(path, "", "file not found") from None
    except IsADirectoryError:
        raise ScenarioError(path, "", "expected a TOML file, got a directory") from None
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(path, "", f"not valid TOML ({error})") from None
    except OSError as error:
        raise ScenarioError(path, "", f"cannot be read ({error.strerror or error})") from None


def _merge(base: dict, override: dict) -> dict:
    """Deep-merge tables; values and arrays of the override replace the base's."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _resolve(
    path: Path, seen: tuple[Path, ...] = (), sources: dict[str, str] | None = None
) -> dict:
    """Read a scenario file and the chain of files it extends.

    With ``sources``, also record which file set each value (dotted key path -> file);
    a file that names its run without describing it does not inherit a description.
    """
    path = path.resolve()
    if path in seen:
        chain = " -> ".join(p.name for p in (*seen, path))
        raise ScenarioError(path, "extends", f"circular inheritance ({chain})")
    data = read_toml(path)
    parent = data.pop("extends", None)
    if parent is None:
        _record(data, str(path), sources)
        return data
    if not isinstance(parent, str):
        raise ScenarioError(path, "extends", f"expected a file name, got {parent!r}")
    if not (path.parent / parent).is_file():
        raise ScenarioError(path, "extends", f"file not found: {path.parent / parent}")
    base = _resolve(path.parent / parent, (*seen, path), sources)
    run = data.get("run")
    if isinstance(run, dict) and "name" in run and "description" not in run:
        base = {**base, "run": {k: v for k, v in base.get("run", {}).items() if k != "description"}}
        if sources is not None:
            sources.pop("run.description", None)
    _record(data, str(path), sources)
    return _merge(base, data)


def _record(data: dict, origin: str, sources: dict[str, str] | None, prefix: str = "") -> None:
    """Note ``origin`` as the source of every value in ``data``."""
    if sources is None:
        return
    for key, value in data.items():
        if isinstance(value, dict):
            _record(value, origin, sources, f"{prefix}{key}.")
        else:
            sources[f"{prefix}{key}"] = origin


def scenario_sources(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> dict:
    """Where each value of a scenario file comes from: a file of the chain, or ``--set``.

    Returns:
        Dotted key path -> the file that set it last, or ``"--set"``; values set by
        nobody are the defaults (and the city's referral values follow the TE office's).
    """
    sources: dict[str, str] = {}
    _resolve(Path(path), (), sources)
    for text in overrides:
        key = text.split("=", 1)[0].strip()
        sources[key] = "--set"
    return sources


def _parse_override(text: str) -> tuple[list[str], Any]:
    if "=" not in text:
        raise ScenarioError("--set", text, "expected KEY.PATH=VALUE")
    key, raw = text.split("=", 1)
    key = key.strip()
    parts = key.split(".")
    if not key or any(not p for p in parts):
        raise ScenarioError("--set", key, "expected a dotted key path such as run.seed")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return parts, value


def apply_overrides(data: dict, overrides: list[str] | tuple[str, ...]) -> dict:
    """Apply ``key.path=value`` overrides (values in TOML syntax; bare words are strings).

    Args:
        data: Scenario tables.
        overrides: Overrides in the order given.

    Returns:
        A new dict with the overrides applied.
    """
    data = _merge({}, data)
    for text in overrides:
        parts, value = _parse_override(text)
        table = data
        for depth, part in enumerate(parts[:-1]):
            current = table.get(part)
            if current is None:
                current = table[part] = {}
            elif not isinstance(current, dict):
                where = ".".join(parts[: depth + 1])
                raise ScenarioError("--set", ".".join(parts), f"'{where}' is a value, not a table")
            else:
                current = table[part] = dict(current)
            table = current
        table[parts[-1]] = value
    return data


def _trim_timeline(data: dict, overrides: list[str] | tuple[str, ...]) -> dict:
    """A horizon shortened with ``--set run.end=...`` leaves out the changes after it.

    In a file, a change after ``run.end`` is an error; shortening a run from the command
    line is not a mistake in its timeline, so the changes beyond the new end are dropped
    (and the manifest's scenario shows the timeline that applied).
    """
    keys = {text.split("=", 1)[0].strip() for text in overrides}
    end = data.get("run", {}).get("end")
    timeline = data.get("timeline")
    if "run.end" not in keys or "timeline" in keys or not isinstance(timeline, list):
        return data
    if not isinstance(end, dt.date):
        return data
    kept = [c for c in timeline if not (isinstance(c, dict) and _after(c.get("date"), end))]
    return {**data, "timeline": kept}


def _after(date: Any, end: dt.date) -> bool:
    return isinstance(date, dt.date) and date > end


def load_scenario(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Load, inherit, override and validate a scenario file.

    Args:
        path: The TOML file.
        overrides: ``key.path=value`` strings applied after inheritance.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: With the file, key path and what was expected.
    """
    path = Path(path)
    data = _resolve(path)
    if overrides:
        data = _trim_timeline(apply_overrides(data, overrides), overrides)
        try:
            return scenario_from_dict(data, path)
        except ScenarioError as error:
            if any(o.split("=", 1)[0].strip() == error.key for o in overrides):
                raise ScenarioError(f"{path} (--set)", error.key, error.message) from None
            raise
    return scenario_from_dict(data, path)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def parameter_field(key: str) -> dataclasses.Field:
    """The declaration of a scenario parameter by its key path (tables by any name).

    Raises:
        KeyError: No scenario parameter has this key path.
    """
    section: Any = Scenario
    parts = key.split(".")
    i = 0
    while i < len(parts):
        fields = (
            {f.name: f for f in dataclasses.fields(section)}
            if dataclasses.is_dataclass(section)
            else {}
        )
        if parts[i] not in fields:
            raise KeyError(key)
        field = fields[parts[i]]
        tp = typing.get_type_hints(section)[parts[i]]
        i += 1
        if typing.get_origin(tp) is dict:
            i += 1  # the table's own name (an area, a service)
            tp = typing.get_args(tp)[1]
        if not dataclasses.is_dataclass(tp):
            if i != len(parts):
                raise KeyError(key)
            return field
        section = tp
    raise KeyError(key)


def scenario_to_dict(scenario: Scenario) -> dict:
    """The resolved scenario as plain data (dates as ISO strings), for manifests.

    An empty timeline is left out, so scenarios without one keep their hashes.
    """
    data = _plain(dataclasses.asdict(scenario))
    if isinstance(scenario, Scenario):
        if scenario.timeline:  # as a scenario file writes it
            data["timeline"] = [
                {"date": c["date"], "label": c["label"], **c["settings"]} for c in data["timeline"]
            ]
        else:
            del data["timeline"]
    return data


def scenario_hash(scenario: Scenario, **extra: Any) -> str:
    """A short, stable hash of the resolved scenario and run options."""
    payload = json.dumps({"scenario": scenario_to_dict(scenario), **extra}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:8]
