"""The codes every part of the core shares: statuses, benefits, barriers, groups.

Defined here once. The population stores them, the compiled passes
(:mod:`simulation.core.passes`) read them as compile-time constants, the records
count by them.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = [
    "Barrier",
    "Benefit",
    "GROUP_COMBINATIONS",
    "Group",
    "NO_WEEK",
    "OrganiserKind",
    "Status",
]

#: "Never" for week-valued fields.
NO_WEEK = -(10**6)


class Status(IntEnum):
    """Labour-market status of a job seeker (one per week)."""

    UNEMPLOYED = 0
    TRAINING = 1
    PAY_SUBSIDY = 2
    REHABILITATIVE_WORK = 3
    OTHER_SERVICE = 4
    EMPLOYED = 5
    OUT_OF_LABOUR_FORCE = 6


class Benefit(IntEnum):
    """Unemployment benefit a job seeker receives."""

    EARNINGS_RELATED = 0
    BASIC_ALLOWANCE = 1
    LABOUR_MARKET_SUBSIDY = 2


class Barrier(IntEnum):
    """Barriers to employment that need multi-sector services (bit flags)."""

    HEALTH = 1
    SOCIAL = 2
    SKILLS = 4


class Group(IntEnum):
    """Outcome groups a person belongs to (bits).

    All but ``PERIOD`` are fixed when the person first registers. ``PERIOD`` marks the
    job seekers of a period (``run.period_start``): set for everyone on the register on
    its first day and for everyone who registers after it, new or again.
    """

    TARGET = 1
    LONG_TERM_AT_START = 2
    UNDER_30 = 4
    IMMIGRANT = 8
    KELA = 16
    PERIOD = 32


class OrganiserKind(IntEnum):
    """Kinds of organiser of employment services (see :mod:`simulation.core.roster`)."""

    TE_OFFICE = 0
    CITY = 1
    TRIAL = 2


#: Combinations of group bits (outcome cells per area).
GROUP_COMBINATIONS = 1 << len(Group)

# The same codes as plain integers: the compiled passes and rules read these, and the
# compiler inlines them as constants.
UNEMPLOYED, PAY_SUBSIDY = int(Status.UNEMPLOYED), int(Status.PAY_SUBSIDY)
OTHER_SERVICE, EMPLOYED = int(Status.OTHER_SERVICE), int(Status.EMPLOYED)
OUTSIDE = int(Status.OUT_OF_LABOUR_FORCE)
SUBSIDY = int(Benefit.LABOUR_MARKET_SUBSIDY)
EARNINGS_RELATED = int(Benefit.EARNINGS_RELATED)
TARGET, LONG_TERM_AT_START = int(Group.TARGET), int(Group.LONG_TERM_AT_START)
UNDER_30, IMMIGRANT, KELA = int(Group.UNDER_30), int(Group.IMMIGRANT), int(Group.KELA)
