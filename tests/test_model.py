"""The model as a whole: invariants every week, pilot mechanics, determinism, scaling."""

import copy
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import BASE, CONSTANT_HAZARD, ROOT, build

from simulation.core.agents import Caseworker, City, TEOffice
from simulation.core.model import EmploymentModel
from simulation.core.population import GROUP_COMBINATIONS, Barrier, Benefit, Group, Status
from simulation.core.records import tables

CLIENT = Status.OTHER_SERVICE  # statuses up to this one are clients of an organiser


def step_with_checks(model, weeks):
    """Advance week by week, checking the invariants after every week."""
    p = model.job_seekers
    for _ in range(weeks):
        before = len(p)
        keys_before = p.key.copy()
        model.run_for(1)
        week = model.week
        # People are conserved: rows are only added, never dropped or reordered.
        assert len(p) >= before
        np.testing.assert_array_equal(p.key[:before], keys_before)
        new = p.entry_week[before:]
        assert np.all(new == week)
        # Status counts add up to the population, in the records too.
        counts = np.bincount(p.status, minlength=len(Status))
        assert counts.sum() == len(p)
        assert model.recorder.people[week, 0] == len(p)
        # The records count the register pass by pass and the others as they move;
        # both must agree with a full count, status by status and group by group.
        np.testing.assert_array_equal(model.recorder.status[week, 0], counts)
        for g, label in enumerate(model.recorder.groups[1:], start=1):
            bit = {"target_group": Group.TARGET, "under_30": Group.UNDER_30}.get(label)
            if bit is not None:
                members = (p.groups & bit) != 0
                np.testing.assert_array_equal(
                    model.recorder.status[week, g],
                    np.bincount(p.status[members], minlength=len(Status)),
                )
        # Everyone in work or outside the labour force has their next move scheduled.
        dormant = p.status >= Status.EMPLOYED
        never = -(10**6)  # no move (a zero hazard)
        assert np.all((p.wakes_at[dormant] > week) | (p.wakes_at[dormant] == never))
        assert np.all(p.wakes_at[~dormant] == never)
        # Clients have an organiser and a caseworker; others have none.
        client = p.status <= CLIENT
        assert np.all(p.caseworker[client] >= 0)
        assert np.all(p.caseworker[~client] == -1)
        assert np.all(model.staff.table["organiser"][p.caseworker[client]] == p.organiser[client])
        # Meeting capacity is never exceeded.
        assert np.all(model.meetings_by_caseworker <= model.meeting_capacity)
        assert np.all(model.meeting_capacity <= np.ceil(model.staff.table["capacity"]))
        assert model.meetings_by_caseworker.sum() == np.count_nonzero(p.last_meeting == week)
        # Service places are never exceeded, and participants have the service's status.
        in_service = p.service >= 0
        places = model.plan.services["places"]
        occupied = np.bincount(p.service[in_service], minlength=len(places))
        assert np.all(occupied <= places)
        status_of_service = model.plan.services["status"][
            p.service[in_service] % model.plan.n_services
        ]
        activating = status_of_service != Status.UNEMPLOYED
        assert np.all(p.status[in_service][activating] == status_of_service[activating])
        assert np.all(p.status[in_service][~activating] == Status.UNEMPLOYED)
        assert np.all(p.queued_for[p.status != Status.UNEMPLOYED] == -1)


def test_invariants_hold_every_week():
    model = EmploymentModel(build(["run.end=2021-12-31"]))
    step_with_checks(model, model.weeks)


@pytest.mark.slow
def test_compiled_passes_stay_inside_their_arrays(tmp_path):
    """The passes index without bounds checks; a run with the checks on must not fail.

    Rows and codes are read as unsigned indices there, so a stray negative one would
    read far outside an array rather than wrap around. The run compiles its own
    checked copy of the passes (a separate cache) in a fresh process.
    """
    script = (
        "from simulation import EmploymentModel, load_scenario\n"
        "scenario = load_scenario('scenarios/municipal_pilot.toml')\n"
        "EmploymentModel(scenario, seed=2, scale=0.05).run()\n"
    )
    # Unoptimised (NUMBA_OPT=0): the checks are the same and it compiles in two thirds
    # of the time.
    environment = {
        **os.environ,
        "NUMBA_BOUNDSCHECK": "1",
        "NUMBA_OPT": "0",
        "NUMBA_CACHE_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_invariants_hold_when_capacities_bind():
    scenario = build(
        [
            "run.end=2021-09-30",
            "te_office.meetings_per_caseworker_week=2.5",
            "city.meetings_per_caseworker_week=1.0",
            "te_office.service_referral_monthly=1.0",
            "city.service_referral_monthly=1.0",
        ]
    )
    model = EmploymentModel(scenario)
    step_with_checks(model, model.weeks)
    assert model.recorder.backlog.sum() > 0  # meetings were rationed
    assert model.recorder.queued.sum() > 0  # services had queues


def _city_clients_and_target(model):
    p = model.job_seekers
    clients = np.flatnonzero(p.status <= CLIENT)
    target = model.organisation.in_target_group(clients, model.week)
    return clients, p.organiser[clients] % 2 == City.kind, target


def test_the_pilot_moves_the_target_group_of_pilot_areas_to_the_city():
    model = EmploymentModel(build())
    clients, city_client, target = _city_clients_and_target(model)
    in_town = model.job_seekers.area[clients] == 0
    # Town is a pilot area: the city serves its target group and only that.
    assert np.all(city_client[in_town] == target[in_town])
    # Village is not: the TE office serves everyone there.
    assert not np.any(city_client[~in_town])
    assert isinstance(model.organisers[1], City) and model.organisers[1].caseworkers
    assert not model.organisers[3].caseworkers


def test_new_job_seekers_go_to_the_city_when_in_the_target_group():
    model = EmploymentModel(build())
    model.run_for(10)
    p = model.job_seekers
    new = np.flatnonzero(
        (p.entry_week > 0) & (p.spell_start == p.entry_week) & (p.area == 0) & (p.status <= CLIENT)
    )
    assert len(new) > 100
    city_client = p.organiser[new] % 2 == City.kind
    np.testing.assert_array_equal(city_client, (p.groups[new] & Group.TARGET) != 0)


def test_new_job_seekers_traits_are_their_draws_and_groups_follow_the_traits():
    model = EmploymentModel(build(["pilot.target_under_age=25"]))
    model.run_for(4)
    p, s = model.job_seekers, model.streams
    share = {a: spec for a, spec in enumerate(model.spec.areas.values())}
    immigrant_share = np.array([share[a].immigrant_share for a in p.area])
    under_30_share = np.array([share[a].under_30_share for a in p.area])
    np.testing.assert_array_equal(p.immigrant, s.uniform("immigrant", p.key, 0) < immigrant_share)
    young = s.uniform("under_30", p.key, 0) < under_30_share
    np.testing.assert_array_equal(p.age_at_entry < 30, young)
    education_shares = np.array([share[a].education_shares for a in p.area])
    np.testing.assert_array_equal(p.education, s.choice("education", p.key, 0, education_shares))
    # Registered this month and not moved since: the entry draws still stand.
    new = (p.entry_week > 0) & (p.spell_start == p.entry_week) & (p.status == Status.UNEMPLOYED)
    assert new.sum() > 100
    between = s.uniform("between_jobs", p.key, 0) < model.spec.job_seekers.between_jobs_share
    np.testing.assert_array_equal(p.between_jobs[new], between[new])
    benefit_shares = np.array(
        [
            (spec.earnings_related_share, spec.basic_allowance_share)
            + (max(0.0, 1 - spec.earnings_related_share - spec.basic_allowance_share),)
            for spec in (share[a] for a in p.area[new])
        ]
    )
    np.testing.assert_array_equal(
        p.benefit[new], s.choice("benefit", p.key[new], 0, benefit_shares)
    )
    target = (p.benefit != 0) | (p.age_at_entry < 25) | p.immigrant
    np.testing.assert_array_equal((p.groups[new] & Group.TARGET) != 0, target[new])
    np.testing.assert_array_equal((p.groups & Group.UNDER_30) != 0, p.age_at_entry < 30)
    np.testing.assert_array_equal((p.groups & Group.IMMIGRANT) != 0, p.immigrant)
    np.testing.assert_array_equal((p.groups[new] & Group.KELA) != 0, p.benefit[new] != 0)
    np.testing.assert_array_equal(p.cell, p.area.astype(np.int32) * GROUP_COMBINATIONS + p.groups)
    # Nobody new is long-term at the start, and the fund members are insured.
    assert not np.any(p.groups[new] & Group.LONG_TERM_AT_START)
    assert np.all(p.insured[p.benefit == 0])


def test_without_the_pilot_the_te_office_serves_everyone():
    model = EmploymentModel(build(["pilot.enabled=false"]))
    model.run_for(5)
    p = model.job_seekers
    assert np.all(p.organiser[p.status <= CLIENT] % 2 == TEOffice.kind)


def test_a_pilot_starting_later_hands_over_at_its_start():
    model = EmploymentModel(build(["pilot.start=2021-06-01"]))  # week 13
    assert model.pilot_week == 13
    model.run_for(13)
    _, city_client, _ = _city_clients_and_target(model)
    assert not np.any(city_client)
    model.run_for(0.6)  # the hand-over event, before week 13 is simulated
    clients, city_client, target = _city_clients_and_target(model)
    in_town = model.job_seekers.area[clients] == 0
    assert city_client.sum() > 0
    np.testing.assert_array_equal(city_client[in_town], target[in_town])
    assert model.steps == 13


def test_caseworkers_follow_the_caseload():
    model = EmploymentModel(build(["city.caseload=50", "te_office.caseload=200"]))
    city, te_office = model.organisers[1], model.organisers[0]
    p = model.job_seekers
    for organiser, caseload in ((city, 50), (te_office, 200)):
        clients = np.count_nonzero((p.organiser == organiser.index) & (p.status <= CLIENT))
        assert len(organiser.caseworkers) == int(np.ceil(clients / caseload))
    assert all(isinstance(c, Caseworker) for c in city.caseworkers)
    loads = np.array([len(c.clients()) for c in city.caseworkers])
    assert abs(loads.mean() - 50) < 10 and loads.max() < 2 * 50  # even in expectation
    effectiveness = [c.effectiveness for c in city.caseworkers]
    assert effectiveness == sorted(effectiveness)


def test_competent_caseworkers_detect_more_barriers():
    def detected(share):
        model = EmploymentModel(
            build([f"city.multisector_competence_share={share}", "run.end=2021-08-31"])
        )
        model.run()
        return np.count_nonzero(model.job_seekers.detected)

    assert detected(1.0) > 1.3 * detected(0.0)


def _monitoring_run(interval, weeks, overrides=()):
    """Who of the unemployed at the start is out of the labour force after ``weeks``.

    Returns the model and the rows of the unemployed at the start, with their status
    after ``weeks`` of meetings every ``interval`` weeks that end registrations only
    through monitoring (certain where search has fallen to nothing).
    """
    model = EmploymentModel(
        build(
            [
                *CONSTANT_HAZARD,
                "te_office.monitoring_exit_probability=1.0",
                "te_office.spare_capacity_meetings=false",
                "te_office.meetings_per_caseworker_week=200",
                "te_office.first_meeting_weeks=1",
                f"te_office.meeting_interval_weeks={interval}",
                f"te_office.early_interval_weeks={interval}",
                "labour_market.job_finding_monthly_at_start=0.0001",
                *overrides,
            ]
        ),
        seed=5,
    )
    p = model.job_seekers
    start = np.flatnonzero(p.status == Status.UNEMPLOYED)
    barriers, weeks_out = p.barriers[start].copy(), -p.jobless_since[start].copy()
    model.run_for(weeks)
    return p.status[start] == Status.OUT_OF_LABOUR_FORCE, barriers, weeks_out


def test_monitoring_ends_registrations_where_search_is_weak():
    """Barriers weaken search: only their holders are found out, at the shortfall's chance."""
    left, barriers, _ = _monitoring_run(2, 4, ["job_seekers.barrier_multiplier=0.5"])
    assert barriers.any() and not barriers.all()
    assert not left[barriers == 0].any()  # a search at full strength is never sanctioned
    one = barriers == Barrier.HEALTH
    # Two meetings by week 4 (weeks 1 and 3), each ending the registration with chance 0.5.
    assert abs(left[one].mean() - 0.75) < 4 * np.sqrt(0.75 * 0.25 / one.sum())
    many = np.array([bin(b).count("1") >= 2 for b in barriers])
    assert left[many].mean() > left[one].mean()


def test_monitoring_falls_on_long_spells_and_more_meetings_end_more_registrations():
    """With duration dependence the long-term unemployed leave first; contact multiplies exits."""
    penalty = ["job_seekers.duration_penalty=0.0", "job_seekers.duration_penalty_weeks=104"]
    left, _, weeks_out = _monitoring_run(13, 2, penalty)  # one meeting each, in week 1
    long_spell, short_spell = weeks_out >= 52, weeks_out < 13
    assert long_spell.any() and short_spell.any()
    assert left[long_spell].mean() > 3 * left[short_spell].mean()
    often, *_ = _monitoring_run(2, 30, penalty)
    seldom, *_ = _monitoring_run(13, 30, penalty)
    assert often.mean() > seldom.mean() + 0.05


def _barrier_places_used(outreach):
    """Town's occupied places of the city's barrier services after 12 weeks, and who holds them."""
    model = EmploymentModel(
        build(
            [
                f"city.place_outreach={outreach}",
                "city.cost_share_activation=0.0",
                "city.barrier_detection_probability=0.0",
                "city.competent_detection_probability=0.0",
                "te_office.barrier_detection_probability=0.0",
                "te_office.competent_detection_probability=0.0",
            ]
        )
    )
    model.run_for(12)
    p, names = model.job_seekers, model.plan.services["names"]
    barrier_services = [names.index("social_work"), names.index("rehabilitative_work")]
    inside = np.flatnonzero(np.isin(p.service, barrier_services) & (p.area == 0))
    return model, inside


def test_the_city_fills_free_places_with_clients_who_need_them_found_or_not():
    """Without detection no referral follows a meeting; outreach fills the places anyway."""
    _, without = _barrier_places_used(0.0)
    model, inside = _barrier_places_used(0.5)
    places = model.plan.services["places"]
    names = model.plan.services["names"]
    offered = places[names.index("social_work")] + places[names.index("rehabilitative_work")]
    assert len(without) < 0.2 * offered  # only the services held at the start
    assert len(inside) > 0.8 * offered
    p = model.job_seekers
    # Every one admitted since the start has a barrier their service addresses, now found.
    held = inside[p.services[inside] > 0]
    addresses = model.plan.services["addresses"][p.service[held] % model.plan.n_services]
    assert len(held) > 0.5 * offered
    assert np.all(p.detected[held] & addresses)
    assert np.all(p.organiser[held] % 2 == City.kind)  # the TE office does not reach out


NEW_COST_SHARING = [
    "costs.municipal_share_basis=benefit_days",
    "costs.municipal_share_thresholds=[140.0]",
    "costs.municipal_shares=[0.0, 0.5]",
]


@pytest.mark.parametrize("rule", ["2015-2024", "2025"])
def test_a_municipal_organiser_activates_the_clients_it_pays_for(rule):
    """Past the threshold the city pays half: it refers them to its activating service.

    Before 2025 the days are passive labour market subsidy days (300 here); from 2025
    every passive benefit's days count (140 here).
    """
    model = EmploymentModel(
        build(
            [
                "city.place_outreach=0.0",
                "city.cost_share_activation=1.0",
                "city.cost_share_lookahead_weeks=0",
                "services.rehabilitative_work.places_per_1000=3000.0",
                *(NEW_COST_SHARING if rule == "2025" else []),
            ]
        )
    )
    model.run_for(1)
    p = model.job_seekers
    clients = np.flatnonzero(
        (p.organiser == 1) & (p.status == Status.UNEMPLOYED) & (p.service < 0) & (p.queued_for < 0)
    )
    assert len(clients) > 200
    paid, free_of_charge = clients[::2], clients[1::2]
    if rule == "2025":  # any passive benefit, counted in benefit days
        p.benefit[clients] = Benefit.BASIC_ALLOWANCE
        p.benefit_days[paid], p.benefit_days[free_of_charge] = 200, 100
        p.subsidy_days[clients] = 0
    else:
        p.benefit[clients] = Benefit.LABOUR_MARKET_SUBSIDY
        p.subsidy_days[paid], p.subsidy_days[free_of_charge] = 400, 100
        p.benefit_days[clients] = 0
    week = model.week + 1
    model.run_services(week)
    model.fill_free_places(week)
    rehabilitative = model.plan.services["names"].index("rehabilitative_work")  # town: area 0
    # Chance 1 x the share 0.5: about half of those the city pays for, none of the others.
    share = np.mean(p.queued_for[paid] == rehabilitative)
    assert 0.4 < share < 0.6
    assert not np.any(p.queued_for[free_of_charge] >= 0)


@pytest.mark.parametrize("removal", [0.0, 1.0])
def test_completed_services_resolve_the_barriers_they_address(removal):
    model = EmploymentModel(
        build(
            [
                f"services.social_work.barrier_removal_probability={removal}",
                "services.social_work.employability_gain=0.5",
            ]
        )
    )
    p = model.job_seekers
    social_work = model.plan.services["names"].index("social_work")  # addresses social and health
    rows = np.flatnonzero(p.status == Status.UNEMPLOYED)[:40]
    p.barriers[rows] = Barrier.SOCIAL | Barrier.HEALTH | Barrier.SKILLS
    p.detected[rows] = p.barriers[rows]
    p.service[rows] = social_work  # area 0
    p.service_end[rows] = 0
    employability = p.employability[rows].copy()
    model.run_services(0)
    assert np.all(p.service[rows] == -1) and np.all(p.service_ended[rows] == 0)
    np.testing.assert_allclose(p.employability[rows], employability * 1.5, rtol=1e-6)
    expected = (
        Barrier.SKILLS if removal == 1.0 else Barrier.SOCIAL | Barrier.HEALTH | Barrier.SKILLS
    )
    assert np.all(p.barriers[rows] == expected)
    assert np.all(p.detected[rows] == expected)


def test_same_seed_same_results_and_another_seed_differs():
    scenario = build(["run.end=2021-08-31"])
    first = tables(run(scenario, 11).recorder)
    again = tables(run(scenario, 11).recorder)
    other = tables(run(scenario, 12).recorder)
    for name in first:
        pd.testing.assert_frame_equal(first[name], again[name])
    assert not first["outcomes"].equals(other["outcomes"])


def run(scenario, seed, scale=None):
    model = EmploymentModel(scenario, seed=seed, scale=scale)
    model.run()
    return model


def test_a_scaled_run_estimates_the_full_run():
    scenario = build(["run.end=2021-08-31"])

    def at_week_20(scale):
        values = []
        for seed in range(4):
            frame = tables(run(scenario, seed, scale).recorder)["outcomes"]
            row = frame[(frame["group"] == "all") & (frame["week"] == 20)].iloc[0]
            values.append((row["people"], row["employment_rate"]))
        return np.mean(values, axis=0)

    full, quarter = at_week_20(None), at_week_20(0.25)
    assert quarter[0] == pytest.approx(full[0], rel=0.03)
    assert quarter[1] == pytest.approx(full[1], abs=0.02)


def test_a_job_seeker_view_reads_and_writes_the_arrays():
    model = EmploymentModel(build(["run.end=2021-04-30"]))
    person = model.job_seekers[5]
    assert person.status in Status
    assert person.as_dict()["key"] == int(model.job_seekers.key[5])
    person.employability = 2.5
    assert model.job_seekers.employability[5] == pytest.approx(2.5)
    with pytest.raises(AttributeError):
        _ = person.salary
    with pytest.raises(IndexError):
        model.job_seekers[len(model.job_seekers)]


@pytest.mark.slow
def test_the_reference_agent_model_agrees_with_the_vectorised_model():
    """The same rules, one Mesa agent a person: employment paths agree within sampling error."""
    from conftest import single_area
    from reference_model import ReferenceModel, vectorised_employment_rate

    scenario = single_area(
        [
            "run.end=2021-12-31",
            "pilot.enabled=false",
            "areas.town.unemployed=3000",
            "job_seekers.between_jobs_share=0.4",
            "job_seekers.detachment_multiplier=0.5",
        ]
    )
    reference, vectorised = [], []
    for seed in range(6):
        agents = ReferenceModel(scenario, seed=100 + seed)
        agents.run()
        reference.append(agents.employment_rate)
        vectorised.append(vectorised_employment_rate(scenario, 200 + seed))
    reference, vectorised = np.array(reference), np.array(vectorised)
    for week in (13, 26, 43):
        a, b = reference[:, week], vectorised[:, week]
        se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
        assert abs(a.mean() - b.mean()) < 3.5 * se + 0.002, (week, a.mean(), b.mean(), se)
    # Not a degenerate setting (nobody or everyone employed), so the agreement means much.
    assert 0.2 < reference[:, 43].mean() < 0.6


def test_referral_needs_arise_in_calendar_time_whatever_the_meetings():
    """A need for a general service arises at its hazard and is referred; meetings do not matter."""
    hazard_monthly = 0.05

    def referred(interval):
        scenario = build(
            [
                *CONSTANT_HAZARD,
                "services.training.places_per_1000=2000.0",
                f"te_office.service_referral_monthly={hazard_monthly}",
                "te_office.service_referral_decline=0.0",
                "te_office.service_referral_at_start=0.0",
                "te_office.barrier_detection_probability=0.0",
                "te_office.competent_detection_probability=0.0",
                "te_office.spare_capacity_meetings=false",
                "te_office.meetings_per_caseworker_week=200",
                f"te_office.meeting_interval_weeks={interval}",
                f"te_office.early_interval_weeks={interval}",
                "labour_market.job_finding_monthly_at_start=0.0001",
            ]
        )
        model = EmploymentModel(scenario, seed=3)
        p = model.job_seekers
        start = np.flatnonzero(p.status == Status.UNEMPLOYED)  # at risk from week 0
        model.run_for(33)
        ever = (p.services[start] > 0) | (p.queued_for[start] >= 0)
        return ever.mean(), p.meetings[start].mean(), len(start)

    often, meetings_often, n = referred(2)
    seldom, meetings_seldom, _ = referred(8)
    assert meetings_often > 3 * meetings_seldom
    assert often == seldom  # the same people, the same weeks: meetings play no part
    # Referred by week 33 (the pass runs in weeks 0..32) at the weekly hazard.
    weekly = -np.log1p(-hazard_monthly) / (52.1775 / 12)
    expected = 1 - np.exp(-weekly * 33)
    assert abs(often - expected) < 3 * np.sqrt(expected * (1 - expected) / n)


def _employed_over_30(segments, young_search):
    """Over-30s employed after 8 weeks when the under-30s search ``young_search`` times harder."""
    model = EmploymentModel(
        build(
            [
                *CONSTANT_HAZARD,
                f"labour_market.segments={segments}",
                "labour_market.vacancy_elasticity=0.5",  # congestion: extra search crowds
                "te_office.spare_capacity_meetings=false",
                "te_office.meetings_per_caseworker_week=200",
            ]
        ),
        seed=11,
    )
    p = model.job_seekers
    old = np.flatnonzero((p.age_at_entry >= 30) & (p.status == Status.UNEMPLOYED))
    p.employability[p.age_at_entry < 30] *= young_search
    model.run_for(8)
    return p.status[old] == Status.EMPLOYED


def test_segments_keep_one_segments_extra_search_from_taking_the_others_jobs():
    """Under 30s who search harder take jobs from each other, not from the over-30s."""
    as_before = _employed_over_30("age", 1.0)
    np.testing.assert_array_equal(_employed_over_30("age", 5.0), as_before)
    one_market = _employed_over_30("none", 1.0)
    crowded = _employed_over_30("none", 5.0)
    assert crowded.sum() < one_market.sum()
    assert not np.any(crowded & ~one_market)  # the same draws: nobody gains a job


def test_segments_share_the_vacancies_so_that_nothing_changes_at_the_start():
    """Each segment holds its share of search at the start: the same chance per unit."""
    model = EmploymentModel(build(["labour_market.segments=education"]))
    vacancies = model.market_vacancies(0)
    plan = model.plan
    np.testing.assert_allclose(
        np.bincount(plan.market_area, weights=vacancies), plan.vacancies(0), rtol=1e-12
    )
    p = model.job_seekers
    unemployed = p.status == Status.UNEMPLOYED
    assert len(np.unique(p.market[unemployed])) == plan.n_markets
    single = EmploymentModel(build(["labour_market.segments=none"]))
    assert model.matching.efficiency == pytest.approx(single.matching.efficiency, rel=1e-9)
    assert model.matching.urns_per_vacancy == pytest.approx(single.matching.urns_per_vacancy)


def test_segments_by_age_and_education_are_six_markets_an_area():
    model = EmploymentModel(build(["labour_market.segments=age_education"]))
    plan, p = model.plan, model.job_seekers
    assert plan.n_markets == 6 * plan.n_areas
    expected = p.area * 6 + (p.age_at_entry < 30) * 3 + p.education
    np.testing.assert_array_equal(p.market, expected)
    shares = plan.segment_shares().reshape(plan.n_areas, 6)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    town = model.spec.areas["town"]
    assert shares[0, 5] == pytest.approx(town.under_30_share * town.education_shares[2])


def test_a_segment_nobody_searches_in_at_the_start_still_has_vacancies():
    """A small area at a small scale may start with one segment empty; it keeps vacancies."""
    model = EmploymentModel(build(["labour_market.segments=age", "areas.village.unemployed=1"]))
    p, plan = model.job_seekers, model.plan
    village = plan.area_ids.index("village")
    older, young = np.flatnonzero(plan.market_area == village)
    searching = np.bincount(p.market[p.status == Status.UNEMPLOYED], minlength=plan.n_markets)
    assert searching[older] == 0 and searching[young] == 1  # the one person is under 30
    vacancies, area_vacancies = model.market_vacancies(0), plan.vacancies(0)[village]
    share = model.spec.areas["village"].under_30_share
    assert vacancies[older] == pytest.approx((1 - share) * area_vacancies)  # by composition
    assert vacancies[young] == pytest.approx(share * area_vacancies)  # the rest


def test_a_vacancy_path_from_the_first_week_is_a_weaker_market():
    """The matching is anchored to the vacancies the data give, not to the scenario's path."""

    def employed(path):
        overrides = [*CONSTANT_HAZARD, "labour_market.vacancy_elasticity=0.3"]
        model = EmploymentModel(build([*overrides, f"labour_market.vacancy_path={path}"]))
        anchor = model.matching
        model.run_for(8)
        return np.count_nonzero(model.job_seekers.status == Status.EMPLOYED), anchor

    normal, anchor = employed("[]")
    halved, halved_anchor = employed("[{date=2021-03-01, multiplier=0.5}]")
    assert halved_anchor == anchor
    assert halved < 0.9 * normal


def test_people_who_left_the_register_before_the_start_come_back_at_their_hazards():
    from simulation.config import facts
    from simulation.core.plan import build_plan

    scenario = build()
    plan = build_plan(scenario, 1.0)
    ended = np.array([a.unemployed for a in scenario.areas.values()]) / facts.mean_spell_weeks()
    np.testing.assert_allclose(plan.inflow(0), plan.inflow_means + 0.69 * ended)
    separation, back = plan.hazards["separation"], plan.hazards["return"]
    later = plan.inflow_means + ended * (
        0.44 * np.exp(-separation * 100) + 0.25 * np.exp(-back * 100)
    )
    np.testing.assert_allclose(plan.inflow(100), later)
    assert np.all(plan.inflow(100) < plan.inflow(0))
    off = build_plan(build(["labour_market.returns_from_before_start=false"]), 1.0)
    np.testing.assert_array_equal(off.inflow(0), off.inflow_means)
    # An area's own inflow figure is all its registrations.
    own = build_plan(build(["areas.town.inflow_per_week=55.0"]), 1.0)
    assert own.inflow(0)[0] == 55.0


def test_results_do_not_depend_on_the_number_of_threads(scenario):
    import numba

    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("numba has one thread on this machine")
    before = numba.get_num_threads()
    runs = []
    for threads in (1, 2):
        numba.set_num_threads(threads)
        try:
            model = EmploymentModel(scenario, seed=5)
            model.run()
        finally:
            numba.set_num_threads(before)
        runs.append((model.recorder.people.copy(), model.job_seekers.status.copy()))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])


def test_the_period_group_counts_the_job_seekers_from_its_first_day():
    plain = build(["run.end=2021-08-31"])
    dated = build(["run.end=2021-08-31", "run.period_start=2021-05-03"])
    period_week = dated.week_of(dated.run.period_start)
    model = EmploymentModel(dated, seed=3)
    p = model.job_seekers
    g = model.recorder.groups.index("period")
    for week in range(dated.weeks):
        model.run_for(1)
        members = (p.cell & Group.PERIOD) != 0
        if week < period_week:
            assert not members.any() and model.recorder.people[week, g] == 0
            continue
        # Everyone on the register is a job seeker of the period ...
        assert np.all(members[p.status < Status.EMPLOYED])
        # ... and nobody in work since before it without registering again.
        before = (p.status == Status.EMPLOYED) & (p.employed_since < period_week)
        assert not np.any(members & before)
        np.testing.assert_array_equal(
            model.recorder.status[week, g], np.bincount(p.status[members], minlength=len(Status))
        )
    # Counting a group apart changes nothing else.
    with_period = tables(model.recorder)
    without = tables(run(plain, 3).recorder)
    for name in without:
        frame = with_period[name]
        if name == "outcomes":
            frame = frame[frame["group"] != "period"].reset_index(drop=True)
        pd.testing.assert_frame_equal(frame, without[name])


def _unemployed_out_of_work_since_their_service_ended(subsidy_counts: bool) -> tuple[int, int]:
    """After a year with a pay subsidy: the unemployed back from a service, and of them
    those whose time out of work starts at the service's end."""
    data = copy.deepcopy(BASE)
    data["services"]["subsidy"] = {
        "provider": "state",
        "status": "pay_subsidy",
        "places_per_1000": 100.0,
        "duration_weeks": 8,
    }
    flag = str(subsidy_counts).lower()
    model = EmploymentModel(
        build([f"job_seekers.subsidised_work_ends_time_out_of_work={flag}"], data), seed=3
    )
    model.run()
    p = model.job_seekers
    back = (p.status == Status.UNEMPLOYED) & (p.service_ended >= 0)
    return int(back.sum()), int((back & (p.jobless_since == p.service_ended)).sum())


def test_the_end_of_subsidised_work_starts_the_time_out_of_work_only_if_it_counts_as_work():
    back, afresh = _unemployed_out_of_work_since_their_service_ended(True)
    assert back > 0 and 0 < afresh < back  # training does not restart it
    back_off, afresh_off = _unemployed_out_of_work_since_their_service_ended(False)
    assert back_off > 0 and afresh_off == 0
