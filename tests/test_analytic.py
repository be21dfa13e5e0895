"""Analytic special cases the model must reproduce."""

import numpy as np
from conftest import CONSTANT_HAZARD, single_area

from simulation.config import facts
from simulation.core import rules
from simulation.core.model import EmploymentModel
from simulation.core.population import Status


def test_constant_hazard_gives_geometric_survival():
    """With identical people and no duration dependence, survival is (1 - h)^t."""
    monthly = 0.08
    scenario = single_area(
        [
            *CONSTANT_HAZARD,
            f"labour_market.job_finding_monthly_at_start={monthly}",
            "labour_market.separation_monthly=0.0",
            "areas.town.unemployed=20000",
            "run.end=2021-12-31",
        ]
    )
    model = EmploymentModel(scenario, seed=5)
    p = model.job_seekers
    n = len(p)
    h = float(facts.monthly_to_weekly(monthly))
    for week in range(1, model.weeks + 1):
        model.run_for(1)
        if week in (4, 13, 26, 43):
            survival = np.mean(p.status == Status.UNEMPLOYED)
            expected = (1 - h) ** week
            sampling_sd = np.sqrt(expected * (1 - expected) / n)
            assert abs(survival - expected) < 4 * sampling_sd, (week, survival, expected)


def test_matching_reaches_the_steady_state_u_equals_s_over_s_plus_f():
    """A closed labour force settles at u = s / (s + f), f being the realised job finding."""
    scenario = single_area(
        [
            *CONSTANT_HAZARD,
            "labour_market.vacancy_elasticity=0.3",
            "labour_market.separation_monthly=0.04",
            "labour_market.job_finding_monthly_at_start=0.1",
            "labour_market.former_long_term_separation_multiplier=1.0",
            "areas.town.unemployed=30000",
            "run.end=2025-02-28",
        ]
    )
    model = EmploymentModel(scenario, seed=9)
    model.run()
    p = model.job_seekers
    recorder = model.recorder
    last = slice(model.weeks - 52, model.weeks)
    unemployed = recorder.status[last, 0, Status.UNEMPLOYED]
    employed = recorder.status[last, 0, Status.EMPLOYED]
    # Realised weekly job-finding rate over the last year: matches / unemployed at risk.
    at_risk = recorder.status[model.weeks - 53 : model.weeks - 1, 0, Status.UNEMPLOYED]
    f = recorder.matches[last, 0].sum() / at_risk.sum()
    s = float(facts.monthly_to_weekly(0.04))
    u = unemployed.sum() / (unemployed.sum() + employed.sum())
    assert abs(u - s / (s + f)) < 0.01, (u, s / (s + f))
    assert len(p) == 30000  # a closed population
    # The steady state is reached: the last year's unemployment rate is flat.
    rate = unemployed / (unemployed + employed)
    assert rate.max() - rate.min() < 0.03


def test_the_initial_stock_is_the_inflow_selected_by_its_spell():
    """Mixed proportional hazards: the selected draws are the inflow reweighted by survival.

    The baseline cumulative hazard keeps the register's survival to employment for the
    inflow, E[exp(-Lambda(d) e)] = S(d), and a person selected by c = Lambda(d) * m has
    the inflow's distribution reweighted by exp(-c e): its mean is
    E[e exp(-c e)] / E[exp(-c e)] (checked by Monte Carlo on the unselected draws).
    """
    sd = 1.2
    selection = rules.StockSelection(sd)
    z = np.random.default_rng(7).standard_normal(400_000)
    inflow = np.exp(sd * z - sd * sd / 2)
    survival = facts.survival_to_employment()
    for weeks in (4, 26, 104):
        c = selection.cumulative_hazard[weeks]
        np.testing.assert_allclose(np.mean(np.exp(-c * inflow)), survival[weeks], rtol=0.01)
        for multiplier in (0.5, 2.0):
            weight = np.exp(-c * multiplier * inflow)
            expected = np.sum(inflow * weight) / np.sum(weight)
            drawn = selection.draw(z, np.full(len(z), weeks), np.full(len(z), multiplier))
            np.testing.assert_allclose(drawn.mean(), expected, rtol=0.02)
    # Nobody with no spell behind them is selected: their draw is the inflow's.
    np.testing.assert_array_equal(selection.draw(z, np.zeros(len(z), int), np.ones(len(z))), inflow)
    # Longer spells select harder, person by person (same quantile).
    short = selection.draw(z[:1000], np.full(1000, 8), np.ones(1000))
    long = selection.draw(z[:1000], np.full(1000, 80), np.ones(1000))
    assert np.all(long <= short) and np.all(short <= inflow[:1000])


def test_each_selected_draw_is_its_quantile_of_the_two_tabulated_distributions_around_it():
    """Person by person, the draw is numpy's interpolation in the tabulated distributions.

    The selected log employability of a person whose cumulative hazard falls between
    tabulated hazards k and k + 1 is their quantile of each of the two distributions
    (``np.interp`` in the cumulative distributions), blended by where the hazard falls:
    checked exactly, one tabulated distribution at a time, for draws that reach both
    tails and hazards past both ends of the table.
    """
    from scipy import special

    sd = 0.9
    selection = rules.StockSelection(sd)
    rng = np.random.default_rng(11)
    n = 20_000
    z = np.concatenate([rng.standard_normal(n - 4), [-9.0, 9.0, 0.0, -40.0]])
    weeks = rng.integers(1, len(selection.cumulative_hazard), n)
    multiplier = np.exp(rng.uniform(np.log(1e-9), np.log(1e9), n))
    drawn = selection.draw(z, weeks, multiplier)

    log_c_table = np.linspace(np.log(1e-5), np.log(1e6), 161)  # as the rule tabulates
    c = selection.cumulative_hazard[weeks] * multiplier
    u = special.ndtr(z)
    position = np.interp(np.log(c), log_c_table, np.arange(len(log_c_table)))
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, len(log_c_table) - 1)
    blend = position - low
    cdf = selection._cdf
    expected = np.empty(n)
    for k in np.unique(low):
        at = low == k
        below = np.interp(u[at], cdf[k], selection.log_e)
        above = np.interp(u[at], cdf[high[at][0]], selection.log_e)
        expected[at] = np.exp(below + blend[at] * (above - below))
    np.testing.assert_array_equal(drawn, expected)
