"""New job seekers: the compiled pass that draws their traits, and the tables it reads.

``Registration.draw`` lists the new people (keys and areas) and their lognormal
employability draws; :func:`new_people` draws the rest person by person (age group,
immigrant background, education, benefit, the initial stock's elapsed spell and
long-term status, barriers) and applies the rules of :mod:`simulation.core.rules.newcomers`.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable

import numpy as np
from numba import njit

from simulation.core import rules
from simulation.core.codes import EARNINGS_RELATED, GROUP_COMBINATIONS
from simulation.core.decisions import Decision
from simulation.core.passes.draws import stream_step, unit
from simulation.core.plan import Plan

__all__ = [
    "NEWCOMER_DECISIONS",
    "NEWCOMER_TRAITS",
    "NewcomerTables",
    "new_people",
    "newcomer_tables",
]

#: What ``new_people`` returns: job-seeker fields, and the weeks already out of work.
NEWCOMER_TRAITS = (
    "age_at_entry",
    "immigrant",
    "education",
    "benefit",
    "insured",
    "barriers",
    "groups",
    "cell",
    "weeks_out",
    "between_jobs",
    "subsidy_days",
)

#: The draws that make a new job seeker, in the order of the tables' ``bases``.
NEWCOMER_DECISIONS = (
    Decision.UNDER_30,
    Decision.AGE,
    Decision.IMMIGRANT,
    Decision.EDUCATION,
    Decision.BENEFIT,
    Decision.LONG_TERM,
    Decision.ELAPSED,
    Decision.BETWEEN_JOBS,
    Decision.BARRIER_HEALTH,
    Decision.BARRIER_SOCIAL,
    Decision.BARRIER_SKILLS,
)

#: What :func:`new_people` reads besides the keys, areas and employability draws.
NewcomerTables = namedtuple(
    "NewcomerTables",
    (
        "bases",
        "under_30_share",
        "immigrant_share",
        "long_term_share",
        "education_cumulative",
        "benefit_cumulative",
        "elapsed_weeks",
        "elapsed_cumulative",
        "between_jobs_share",
        "barrier_shares",
        "barrier_bits",
        "education_multipliers",
        "immigrant_multiplier",
        "age_55_plus_multiplier",
        "long_term_multiplier",
        "max_weeks",
        "days_per_week",
        "target_rule",
        "cells_per_area",
    ),
)


def newcomer_tables(plan: Plan, decision_bases: Callable) -> NewcomerTables:
    """The tables of :func:`new_people` under a plan, with a replication's draws.

    Args:
        plan: The scenario's arrays.
        decision_bases: ``RandomStreams.decision_bases`` of the replication.
    """
    scenario = plan.scenario
    behaviour, rule = scenario.job_seekers, scenario.pilot
    under_30, immigrant, long_term, education, benefit = plan.composition
    (short_weeks, long_weeks), (short_cumulative, long_cumulative) = plan.elapsed
    return NewcomerTables(
        bases=decision_bases(NEWCOMER_DECISIONS),
        under_30_share=under_30,
        immigrant_share=immigrant,
        long_term_share=long_term,
        education_cumulative=education,
        benefit_cumulative=benefit,
        elapsed_weeks=(short_weeks, long_weeks),
        elapsed_cumulative=(short_cumulative, long_cumulative),
        between_jobs_share=float(behaviour.between_jobs_share),
        barrier_shares=plan.barrier_shares,
        barrier_bits=plan.barrier_bits,
        education_multipliers=np.asarray(behaviour.education_multipliers, dtype=np.float64),
        immigrant_multiplier=float(behaviour.immigrant_multiplier),
        age_55_plus_multiplier=float(behaviour.age_55_plus_multiplier),
        long_term_multiplier=float(behaviour.long_term_multiplier_at_start),
        max_weeks=int(scenario.labour_market.earnings_related_max_weeks),
        days_per_week=int(scenario.costs.benefit_days_per_week),
        target_rule=(
            bool(rule.target_not_earnings_related),
            float(rule.target_under_age),
            bool(rule.target_immigrants),
        ),
        cells_per_area=GROUP_COMBINATIONS,
    )


@njit(cache=True)
def new_people(keys, area, initial, employability, tables):
    """The traits of new job seekers, drawn person by person (``Registration.draw``).

    ``employability`` comes in as each person's lognormal draw and is multiplied by the
    trait multipliers in place (:func:`rules.employability_with_traits`).
    ``elapsed_weeks``/``elapsed_cumulative`` are the short-term (0) and long-term (1)
    parts of the stationary stock: the initial stock's elapsed spell is drawn from the
    part its long-term draw selects. ``barrier_shares[k]`` is (share without, share
    with) the selector of barrier k: long-term unemployment for health and social
    barriers, immigrant for skills. ``target_rule`` is (not earnings-related, under
    age, immigrants) of :func:`rules.in_target_group`. ``tables``: a
    :class:`NewcomerTables`.

    Returns:
        The traits named in ``NEWCOMER_TRAITS``, in that order.
    """
    bases, cells_per_area = tables.bases, tables.cells_per_area
    under_30_share, immigrant_share = tables.under_30_share, tables.immigrant_share
    long_term_share = tables.long_term_share
    education_cumulative = tables.education_cumulative
    benefit_cumulative = tables.benefit_cumulative
    elapsed_weeks, elapsed_cumulative = tables.elapsed_weeks, tables.elapsed_cumulative
    between_jobs_share, barrier_shares = tables.between_jobs_share, tables.barrier_shares
    barrier_bits, education_multipliers = tables.barrier_bits, tables.education_multipliers
    not_earnings_related, under_age, immigrants = tables.target_rule
    n = len(keys)
    age = np.empty(n, dtype=np.float32)
    immigrant = np.empty(n, dtype=np.bool_)
    education = np.empty(n, dtype=np.int8)
    benefit = np.empty(n, dtype=np.int8)
    insured = np.empty(n, dtype=np.bool_)
    barriers = np.zeros(n, dtype=np.uint8)
    groups = np.empty(n, dtype=np.uint8)
    cell = np.empty(n, dtype=np.int32)
    weeks_out = np.zeros(n, dtype=np.int32)
    between_jobs = np.zeros(n, dtype=np.bool_)
    subsidy_days = np.empty(n, dtype=np.int32)
    steps = np.empty(len(bases), dtype=np.uint64)
    for d in range(len(bases)):
        steps[d] = stream_step(bases[d], 0)
    for i in range(n):
        k, a = keys[i], area[i]
        under_30 = unit(k, steps[0]) < under_30_share[a]
        age[i] = rules.age_at_registration(under_30, unit(k, steps[1]))
        immigrant[i] = unit(k, steps[2]) < immigrant_share[a]
        education[i] = rules.category(education_cumulative[a], unit(k, steps[3]))
        b = rules.category(benefit_cumulative[a], unit(k, steps[4]))
        insured[i] = b == EARNINGS_RELATED  # a member of a fund, even once it has run out
        long_term = False
        if initial:
            long_term = unit(k, steps[5]) < long_term_share[a]
            part = 1 if long_term else 0
            where = np.searchsorted(elapsed_cumulative[part], unit(k, steps[6]))
            weeks_out[i] = elapsed_weeks[part][min(where, len(elapsed_weeks[part]) - 1)]
        else:
            between_jobs[i] = unit(k, steps[7]) < between_jobs_share
        for j in range(3):
            selected = immigrant[i] if j == 2 else long_term
            share = barrier_shares[j, 1] if selected else barrier_shares[j, 0]
            if unit(k, steps[8 + j]) < share:
                barriers[i] |= barrier_bits[j]
        employability[i] = rules.employability_with_traits(
            employability[i],
            education_multipliers[education[i]],
            immigrant[i],
            tables.immigrant_multiplier,
            age[i],
            tables.age_55_plus_multiplier,
            long_term,
            tables.long_term_multiplier,
        )
        b, days = rules.benefit_at_registration(
            b, weeks_out[i], tables.max_weeks, tables.days_per_week
        )
        benefit[i] = b
        subsidy_days[i] = days
        target = rules.in_target_group(
            age[i], benefit[i], immigrant[i], not_earnings_related, under_age, immigrants
        )
        g = rules.outcome_groups(target, long_term, age[i], immigrant[i], b)
        groups[i] = g
        cell[i] = a * cells_per_area + g
    return (
        age,
        immigrant,
        education,
        benefit,
        insured,
        barriers,
        groups,
        cell,
        weeks_out,
        between_jobs,
        subsidy_days,
    )
