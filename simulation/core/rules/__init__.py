"""Behavioural rules: small functions, one per mechanism, each with its evidence.

Every formula the model applies to a person is here, by the process it belongs to:

* :mod:`.newcomers` - a new job seeker's traits, employability and outcome groups, the
  target-group rule, and the initial stock's selection by its elapsed spell;
* :mod:`.meetings` - a meeting's effect, barrier detection, vacancy referral,
  monitoring, and the interval to the next meeting;
* :mod:`.services` - the referral's category and service, the effects of completing one,
  the chance that a need for a general service arises, the organisers' filling of free
  places (outreach and the response to the cost sharing);
* :mod:`.search` - a job seeker's search weight, duration dependence, a meeting's
  decaying boost;
* :mod:`.matching` - the matching function, its anchoring, the chance and hazard of a
  match, the vacancy cap and path;
* :mod:`.rationing` - meeting slots and service places granted in priority order;
* :mod:`.benefits` - benefit exhaustion and the municipal cost sharing.

None keeps state or draws random numbers: draws are passed in, so each rule can be
tested on its own. The per-person formulas are compiled (``njit``, inlined into the
passes of :mod:`simulation.core.passes`); called from Python they take scalars. The
docstrings name the evidence that sets the parameters; the values themselves live in
the scenario (see ``docs/ODD.md``).
"""

from __future__ import annotations

from simulation.core.compiled import use_keyed_cache

# Before any rule is compiled: where numba caches them (simulation.core.compiled says why).
use_keyed_cache()

from simulation.core.rules.benefits import (
    benefit_exhausted,
    cost_shared,
    municipal_share,
    payment_column,
    share_ahead,
    subsidy_step,
)
from simulation.core.rules.matching import (
    MatchingAnchor,
    anchor_efficiency,
    job_finding_hazard,
    job_finding_probability,
    matching_efficiency,
    matching_rates,
    search_price,
    urn_ball_anchor,
    urn_ball_congestion,
    urn_ball_price,
    vacancy_cap,
    vacancy_multiplier,
    weight_price,
)
from simulation.core.rules.meetings import (
    detection_chance,
    meeting_effect,
    monitoring_exit_chance,
    next_interval,
    vacancy_referral_end,
)
from simulation.core.rules.newcomers import (
    StockSelection,
    age_at_registration,
    benefit_at_registration,
    category,
    employability_with_traits,
    in_target_group,
    in_target_groups,
    outcome_groups,
)
from simulation.core.rules.rationing import crowded_queues, ration
from simulation.core.rules.search import (
    barrier_count,
    duration_factor,
    intrinsic_search_weight,
    meeting_boost,
    policy_search_weight,
)
from simulation.core.rules.services import (
    age_in_years,
    barrier_to_address,
    employability_after_service,
    first_barrier_with_places,
    general_service_need_chance,
    incentive_chance,
    menu_entry,
    out_of_work_since_after_service,
    outreach_chance,
    referral_category,
    resolves_barrier,
)

__all__ = [
    "MatchingAnchor",
    "StockSelection",
    "age_at_registration",
    "age_in_years",
    "anchor_efficiency",
    "barrier_count",
    "barrier_to_address",
    "benefit_at_registration",
    "benefit_exhausted",
    "category",
    "cost_shared",
    "crowded_queues",
    "detection_chance",
    "duration_factor",
    "employability_after_service",
    "employability_with_traits",
    "first_barrier_with_places",
    "general_service_need_chance",
    "in_target_group",
    "in_target_groups",
    "incentive_chance",
    "intrinsic_search_weight",
    "job_finding_hazard",
    "job_finding_probability",
    "matching_efficiency",
    "matching_rates",
    "meeting_boost",
    "meeting_effect",
    "menu_entry",
    "monitoring_exit_chance",
    "municipal_share",
    "next_interval",
    "outcome_groups",
    "out_of_work_since_after_service",
    "outreach_chance",
    "payment_column",
    "policy_search_weight",
    "ration",
    "referral_category",
    "resolves_barrier",
    "search_price",
    "share_ahead",
    "subsidy_step",
    "urn_ball_anchor",
    "urn_ball_congestion",
    "urn_ball_price",
    "vacancy_cap",
    "vacancy_multiplier",
    "vacancy_referral_end",
    "weight_price",
]
