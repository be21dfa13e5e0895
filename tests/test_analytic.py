"""Analytic special cases the model must reproduce."""

import numpy as np
from conftest import CONSTANT_HAZARD, single_area

from simulation.config import facts
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
