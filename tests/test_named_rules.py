"""The named rules the compiled passes apply, each on its own: known inputs, known outputs.

Each rule is called from Python on scalars (the compiled functions accept them), with
at least one edge case: where a bound holds, a branch switches, or a share is zero.
"""

import math

import numpy as np
import pytest

from simulation.core import rules
from simulation.core.codes import (
    EARNINGS_RELATED,
    IMMIGRANT,
    KELA,
    LONG_TERM_AT_START,
    OTHER_SERVICE,
    SUBSIDY,
    TARGET,
    UNDER_30,
    UNEMPLOYED,
    Benefit,
)

BASIC = int(Benefit.BASIC_ALLOWANCE)
BITS = np.array([1, 2, 4], dtype=np.uint8)


# -- newcomers ---------------------------------------------------------------------------


def test_age_at_registration_is_uniform_within_its_group():
    assert rules.age_at_registration(True, 0.0) == 17.0
    assert rules.age_at_registration(True, 1.0) == 30.0
    assert rules.age_at_registration(False, 0.5) == 47.5
    assert rules.age_at_registration(False, 0.0) == 30.0  # the groups meet at 30


def test_category_counts_the_cumulative_shares_passed():
    cumulative = np.array([0.2, 0.7, 1.0])
    assert rules.category(cumulative, 0.1) == 0
    assert rules.category(cumulative, 0.2) == 1  # a boundary belongs to the next category
    assert rules.category(cumulative, 0.99) == 2
    assert rules.category(cumulative, 1.0) == 2  # never past the last category


def test_employability_with_traits_multiplies_the_traits_that_apply():
    e = rules.employability_with_traits(1.0, 1.2, True, 0.8, 55.0, 0.6, False, 0.5)
    assert e == pytest.approx(1.2 * 0.8 * 0.6)
    young = rules.employability_with_traits(1.0, 1.2, False, 0.8, 54.9, 0.6, True, 0.5)
    assert young == pytest.approx(1.2 * 0.5)  # under 55, long-term at the start


def test_benefit_at_registration_exhausts_allowances_after_the_maximum():
    assert rules.benefit_at_registration(EARNINGS_RELATED, 100, 80, 5) == (SUBSIDY, 100)
    assert rules.benefit_at_registration(EARNINGS_RELATED, 80, 80, 5) == (SUBSIDY, 0)
    assert rules.benefit_at_registration(EARNINGS_RELATED, 79, 80, 5) == (EARNINGS_RELATED, 0)
    assert rules.benefit_at_registration(SUBSIDY, 10, 80, 5) == (SUBSIDY, 50)  # whole spell


def test_outcome_groups_set_one_bit_per_group():
    groups = rules.outcome_groups(True, False, 25.0, True, BASIC)
    assert groups == TARGET | UNDER_30 | IMMIGRANT | KELA
    assert rules.outcome_groups(False, True, 30.0, False, EARNINGS_RELATED) == LONG_TERM_AT_START


# -- meetings ----------------------------------------------------------------------------


def test_meeting_effect_is_boost_times_effectiveness_less_with_barriers():
    assert rules.meeting_effect(1.5, np.float32(0.8), False, 0.5) == pytest.approx(1.2)
    assert rules.meeting_effect(1.5, np.float32(0.8), True, 0.5) == pytest.approx(0.6)
    assert rules.meeting_effect(1.5, np.float32(0.0), True, 0.5) == 0.0


def test_detection_chance_is_higher_for_competent_caseworkers():
    assert rules.detection_chance(True, 0.15, 0.4) == 0.4
    assert rules.detection_chance(False, 0.15, 0.4) == 0.15


def test_a_vacancy_referral_stays_open_for_its_weeks():
    assert rules.vacancy_referral_end(10, 2) == 11  # open in weeks 10 and 11
    assert rules.vacancy_referral_end(10, 0) == 9  # zero weeks: never open


def test_monitoring_exit_chance_is_the_shortfall_of_own_search():
    assert rules.monitoring_exit_chance(0.2, 1.0) == 0.0  # fresh, without barriers
    assert rules.monitoring_exit_chance(0.2, 1.3) == 0.0  # never negative
    assert rules.monitoring_exit_chance(0.2, 0.25) == pytest.approx(0.15)
    assert rules.monitoring_exit_chance(0.2, 0.0) == pytest.approx(0.2)  # search gone
    assert rules.monitoring_exit_chance(0.0, 0.0) == 0.0  # no monitoring


def _interval(weeks, caseload, early, capacity, spare=True, minimum=1):
    return rules.next_interval(weeks, caseload, early, capacity, 13, 2, 13, minimum, spare)


def test_next_interval_follows_the_policy_and_the_spare_capacity():
    assert _interval(5, 100, 0, 10.0) == 2  # the early period's schedule
    assert _interval(20, 100, 0, 10.0, spare=False) == 13  # the policy's interval
    assert _interval(20, 100, 0, 10.0) == 10  # clients over capacity, rounded up
    assert _interval(20, 300, 0, 10.0) == 13  # never longer than the policy's
    assert _interval(20, 5, 0, 10.0, minimum=2) == 2  # never below the minimum
    # The early clients' meetings come first: 30 early at every 2 weeks need 15 of 10.
    assert _interval(20, 100, 30, 10.0) == 13
    assert _interval(20, 50, 10, 10.0) == math.ceil(40 / 5)  # 5 a week left for 40


# -- services ----------------------------------------------------------------------------


def test_barrier_to_address_takes_health_then_social_then_skills():
    assert rules.barrier_to_address(np.uint8(0b110), BITS) == 2  # social before skills
    assert rules.barrier_to_address(np.uint8(0b111), BITS) == 1
    assert rules.barrier_to_address(np.uint8(0), BITS) == 0


def test_referral_category_needs_access_or_a_need_at_the_start():
    assert rules.referral_category(2, 0.3, 0.5, False, 0.9, 0.1) == 2  # access granted
    assert rules.referral_category(2, 0.6, 0.5, True, 0.05, 0.1) == 0  # no access: general
    assert rules.referral_category(2, 0.6, 0.5, True, 0.2, 0.1) == -1
    assert rules.referral_category(0, 0.0, 1.0, False, 0.0, 1.0) == -1  # not a first meeting


def test_menu_entry_is_weighted_by_places():
    weights = np.array([2.0, 5.0, 10.0])
    assert rules.menu_entry(weights, 3, 0.1) == 0
    assert rules.menu_entry(weights, 3, 0.45) == 1
    assert rules.menu_entry(weights, 3, 0.99) == 2
    assert rules.menu_entry(np.zeros(3), 3, 0.5) == -1  # no places at all


def test_first_barrier_with_places_skips_barriers_without_free_places():
    free = np.zeros((4, 2))
    last = np.array([1, 0, 1, -1])  # menu 3 (skills) has no services
    free[2, 1] = 3.0  # social services have free places
    assert rules.first_barrier_with_places(np.uint8(0b011), BITS, free, last) == 2
    assert rules.first_barrier_with_places(np.uint8(0b001), BITS, free, last) == -1
    free[1, 0] = 1.0
    assert rules.first_barrier_with_places(np.uint8(0b011), BITS, free, last) == 1  # health first
    assert rules.first_barrier_with_places(np.uint8(0b100), BITS, free, last) == -1


def test_outreach_fills_a_share_of_the_free_places_among_those_in_need():
    assert rules.outreach_chance(0.25, 40.0, 100) == pytest.approx(0.1)
    assert rules.outreach_chance(1.0, 40.0, 10) == 1.0  # more places than people
    assert rules.outreach_chance(0.5, 0.0, 10) == 0.0
    assert rules.outreach_chance(0.5, 10.0, 0) == 0.0


def test_the_cost_incentive_rises_with_the_share_and_stops_at_the_places():
    assert rules.incentive_chance(0.02, 0.5, 100.0, 10) == pytest.approx(0.01)
    higher = rules.incentive_chance(0.02, 0.7, 100.0, 10)
    assert higher > rules.incentive_chance(0.02, 0.5, 100.0, 10)
    assert rules.incentive_chance(1.0, 0.7, 5.0, 100) == pytest.approx(0.05)  # few places
    assert rules.incentive_chance(1.0, 0.0, 5.0, 100) == 0.0  # the state pays


def test_share_ahead_looks_at_the_days_to_come():
    thresholds, shares = np.array([300.0, 1000.0]), np.array([0.0, 0.5, 0.7])
    assert rules.share_ahead(250.0, 0.0, thresholds, shares) == 0.0
    assert rules.share_ahead(250.0, 65.0, thresholds, shares) == 0.5  # 13 weeks ahead
    assert rules.share_ahead(990.0, 65.0, thresholds, shares) == 0.7


def test_age_in_years_adds_the_time_since_registration():
    assert rules.age_in_years(np.float32(30.0), 52, 0, 52.0) == 31.0
    assert rules.age_in_years(np.float32(30.0), 0, 0, 52.0) == 30.0


def test_completing_a_service_raises_employability_in_float32():
    after = rules.employability_after_service(np.float32(1.0), np.float32(0.1))
    assert after == float(np.float32(1.0) + np.float32(0.1))  # float32 arithmetic
    assert after != 1.1
    assert rules.employability_after_service(np.float32(0.7), np.float32(0.0)) == np.float32(0.7)


def test_only_the_end_of_subsidised_work_starts_the_time_out_of_work_afresh():
    assert rules.out_of_work_since_after_service(-30, 40, True, True) == 40
    assert rules.out_of_work_since_after_service(-30, 40, False, True) == -30  # training
    assert rules.out_of_work_since_after_service(-30, 40, True, False) == -30  # switched off


def test_only_a_service_that_addresses_a_barrier_resolves_it():
    assert rules.resolves_barrier(np.uint8(1), np.uint8(1), 0.1, 0.5)
    assert not rules.resolves_barrier(np.uint8(1), np.uint8(2), 0.1, 0.5)
    assert not rules.resolves_barrier(np.uint8(1), np.uint8(1), 0.5, 0.5)


def test_the_need_for_a_general_service_falls_with_the_spell():
    years = np.array([0.0, 1.0, 2.0])
    chance = rules.general_service_need_chance(np.array([0.02]), np.array([0.8]), years)
    np.testing.assert_allclose(chance, -np.expm1(-0.02 * np.exp(-0.8 * years)))
    assert np.all(np.diff(chance) < 0)
    flat = rules.general_service_need_chance(np.array([0.02]), np.array([0.0]), years)
    np.testing.assert_allclose(flat, 1 - np.exp(-0.02))
    assert np.all(rules.general_service_need_chance(np.array([0.0]), 0.8, years) == 0)


# -- search and matching ------------------------------------------------------------------


def test_search_weight_multiplies_its_parts():
    assert rules.intrinsic_search_weight(np.float32(2.0), 0.5, 0.8) == pytest.approx(0.8)
    assert rules.policy_search_weight(1.0, 0.5, True, 2.0, 0.5, 0.9) == pytest.approx(1.35)
    assert rules.policy_search_weight(1.0, 0.5, False, 2.0, 0.5, 0.9) == pytest.approx(0.675)
    assert rules.policy_search_weight(1.0, 0.0, False, 2.0, 1.0, 1.0) == 1.0  # no service


def test_job_finding_hazard_is_weight_times_price_unless_capped():
    assert rules.job_finding_hazard(2.0, 0.01, 1.0) == pytest.approx(0.02)
    p = (1 - math.exp(-0.02)) * 0.5
    assert rules.job_finding_hazard(2.0, 0.01, 0.5) == pytest.approx(-math.log1p(-p))
    # A cap that binds with certain matching keeps the hazard finite.
    hazard = rules.job_finding_hazard(1e9, 1.0, 1.0 - 1e-15)
    assert hazard == pytest.approx(-math.log(1e-12), rel=1e-3)


# -- benefits ----------------------------------------------------------------------------


def test_allowances_are_exhausted_after_the_maximum_but_not_the_subsidy():
    assert rules.benefit_exhausted(EARNINGS_RELATED, 80, 80)
    assert not rules.benefit_exhausted(EARNINGS_RELATED, 79, 80)
    assert rules.benefit_exhausted(BASIC, 200, 80)
    assert not rules.benefit_exhausted(SUBSIDY, 10**4, 80)


def test_cost_sharing_follows_the_rule_in_force():
    assert rules.cost_shared(False, UNEMPLOYED, SUBSIDY)  # 2015-2024: the subsidy only
    assert not rules.cost_shared(False, UNEMPLOYED, BASIC)
    assert rules.cost_shared(True, UNEMPLOYED, BASIC)  # 2025: every passive benefit
    assert not rules.cost_shared(True, OTHER_SERVICE, BASIC)  # days in services are not


def test_payment_column_places_recipients_by_payer():
    assert rules.payment_column(False, 0, EARNINGS_RELATED) == 0
    assert rules.payment_column(False, 2, BASIC) == 1  # the step matters only when shared
    assert rules.payment_column(True, 0, SUBSIDY) == 3
    assert rules.payment_column(True, 2, SUBSIDY) == 5
