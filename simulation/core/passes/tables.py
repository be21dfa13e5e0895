"""The week's tables of every pass under one plan, built together.

The model builds them at the start and again at each dated change of policy; each pass
module owns its own tables and their builder, this module only gathers them.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable

from simulation.core.passes.matching import search_tables
from simulation.core.passes.meetings import meeting_tables
from simulation.core.passes.outreach import outreach_tables
from simulation.core.passes.services import referral_tables, service_tables
from simulation.core.plan import Plan

__all__ = ["PassTables", "pass_tables"]

#: The tables of the meetings, the referrals, the services, the search and the outreach.
PassTables = namedtuple("PassTables", ("meetings", "referrals", "services", "search", "outreach"))


def pass_tables(plan: Plan, decision_bases: Callable) -> PassTables:
    """Every pass's tables under ``plan``, with a replication's draws.

    Args:
        plan: The scenario's arrays.
        decision_bases: ``RandomStreams.decision_bases`` of the replication.
    """
    return PassTables(
        meetings=meeting_tables(plan, decision_bases),
        referrals=referral_tables(plan, decision_bases),
        services=service_tables(plan, decision_bases),
        search=search_tables(plan),
        outreach=outreach_tables(plan, decision_bases),
    )
