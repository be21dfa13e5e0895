"""Organisers fill free places: outreach to clients who need them, and the cost incentive.

A referral after a meeting needs a barrier found at a meeting, so places can stay empty
while clients who need them wait for the next meeting. An organiser that reaches out
(``place_outreach``) fills the free places of its area's multi-sector services with its
unemployed clients who have a barrier a service addresses, found or not yet (the
assessment at the referral finds it). A municipal organiser that responds to the cost
sharing (``cost_share_activation``) refers clients whose passive benefit the
municipality pays a share of, or soon will, to its own activating services, where the
days do not count. :func:`outreach_candidates` lists the clients and
:func:`reach_out` refers them; :class:`OutreachTables` holds what both read, built by
:func:`outreach_tables`; :func:`free_by_menu` gives the free places by menu.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable

import numpy as np
from numba import njit, prange

from simulation.core import rules
from simulation.core.codes import UNEMPLOYED
from simulation.core.decisions import Decision
from simulation.core.passes.common import row
from simulation.core.passes.draws import stream_step, unit
from simulation.core.passes.slices import SLICES, add_slices, close_gaps, slice_bounds
from simulation.core.plan import WEEKS_PER_YEAR, Plan

__all__ = [
    "OUTREACH_DECISIONS",
    "OUTREACH_POLICY",
    "OutreachTables",
    "free_by_menu",
    "outreach_candidates",
    "outreach_tables",
    "reach_out",
]

#: The organiser policy values the outreach reads, each an array by organiser.
OUTREACH_POLICY = ("place_outreach", "cost_share_activation", "cost_share_lookahead_weeks")
#: The draws: whether a client is referred, and to which service (keyed by the week).
OUTREACH_DECISIONS = (Decision.OUTREACH, Decision.OUTREACH_CHOICE)

#: What the outreach reads: the policy arrays; the menus (general services, those for
#: each barrier, then, last, the city's activating services); the cost
#: sharing in force (thresholds, shares, basis: 1 for benefit days); the days of
#: benefit a week; each service's maximum age; the draws.
OutreachTables = namedtuple(
    "OutreachTables",
    OUTREACH_POLICY
    + (
        "menu_size",
        "menu_service",
        "barrier_bits",
        "thresholds",
        "shares",
        "basis",
        "days_per_week",
        "n_services",
        "max_age",
        "weeks_per_year",
        "bases",
    ),
)


def outreach_tables(plan: Plan, decision_bases: Callable) -> OutreachTables:
    """The tables of the outreach under a plan (and its cost sharing), with the draws."""
    menu_size, menu_service, _ = plan.menus
    services, costs = plan.services, plan.scenario.costs
    # The city's activating services: its own, taking people off the unemployed.
    activating = np.flatnonzero(services["city"] & (services["status"] != UNEMPLOYED))
    width = max(menu_service.shape[1], len(activating), 1)
    sizes = np.append(menu_size, len(activating)).astype(np.int64)
    menus = np.full((len(sizes), width), -1, dtype=np.int64)
    menus[: len(menu_size), : menu_service.shape[1]] = menu_service
    menus[-1, : len(activating)] = activating
    return OutreachTables(
        **plan.policy_arrays(OUTREACH_POLICY),
        menu_size=sizes,
        menu_service=menus,
        barrier_bits=plan.barrier_bits,
        thresholds=np.asarray(costs.municipal_share_thresholds, dtype=np.float64),
        shares=np.asarray(costs.municipal_shares, dtype=np.float64),
        basis=int(costs.municipal_share_basis == "benefit_days"),
        days_per_week=float(costs.benefit_days_per_week),
        n_services=plan.n_services,
        max_age=services["max_age"],
        weeks_per_year=WEEKS_PER_YEAR,
        bases=decision_bases(OUTREACH_DECISIONS),
    )


def free_by_menu(tables: OutreachTables, unfilled: np.ndarray, n_areas: int) -> np.ndarray:
    """Cumulative free places of each menu's services, by (menu, area, entry).

    ``unfilled``: the places of each service instance (area x service) neither occupied
    nor claimed by a queue. The last entry of a menu (``menu_size - 1``) is its total,
    and the entries past a menu's size repeat it.
    """
    per_area = unfilled.reshape(n_areas, tables.n_services).astype(np.float64)
    return _cumulative_free(per_area, tables.menu_size, tables.menu_service)


@njit(cache=True)
def _cumulative_free(per_area, sizes, menus):
    """:func:`free_by_menu`'s sums, added in entry order (as ``np.cumsum`` does)."""
    n_areas, width = per_area.shape[0], menus.shape[1]
    out = np.zeros((len(sizes), n_areas, width))
    for m in range(len(sizes)):
        size = sizes[m]
        if size == 0:
            continue
        for a in range(n_areas):
            total = 0.0
            for j in range(size):
                total += per_area[a, menus[m, j]]
                out[m, a, j] = total
            for j in range(size, width):
                out[m, a, j] = total
    return out


@njit(cache=True, inline="always")
def _share_soon(r, o, people, tables):
    """The municipal share of person ``r``'s benefit within organiser ``o``'s look-ahead.

    The days of the cost sharing in force (benefit days from 2025, else subsidy days)
    plus the look-ahead (:func:`rules.share_ahead`). Reads fields only, so a pass run
    on every core may call it.
    """
    days = people.benefit_days[r] if tables.basis == 1 else people.subsidy_days[r]
    ahead = tables.cost_share_lookahead_weeks[o] * tables.days_per_week
    return rules.share_ahead(days, ahead, tables.thresholds, tables.shares)


@njit(cache=True, parallel=True)
def outreach_candidates(rows, people, tables, free, reaching, listed, wanted):
    """The clients an organiser may refer to free places, and the menu for each.

    Unemployed clients, neither in nor queued for a service, of an organiser that
    reaches out (``reaching``, by organiser) with a barrier some service of their area
    has free places for (the first such of health, social, skills:
    :func:`rules.first_barrier_with_places`); otherwise, of an organiser responding to
    the cost sharing, clients whose benefit the municipality pays a share of within
    its look-ahead (:func:`rules.share_ahead`), when the city's activating services
    have free places. ``free``: :func:`free_by_menu`. Rows go to the start of
    ``listed`` and their menus to ``wanted``; returns their number and the candidates
    by (menu, area).
    """
    status, caseworker, service = people.status, people.caseworker, people.service
    queued_for, organiser, area = people.queued_for, people.organiser, people.area
    barriers, benefit = people.barriers, people.benefit
    sizes, bits = tables.menu_size, tables.barrier_bits
    last = sizes - 1
    n_menus, n_areas = free.shape[0], free.shape[1]
    activation_menu = n_menus - 1
    bounds = slice_bounds(len(rows))
    counts = np.zeros((SLICES, n_menus, n_areas), dtype=np.int64)
    found = np.zeros(SLICES, dtype=np.int64)
    for t in prange(SLICES):
        k = bounds[t]
        for i in range(bounds[t], bounds[t + 1]):
            r = row(rows, i)
            o = np.uint64(organiser[r])
            free_to_take = (status[r] == UNEMPLOYED) & (caseworker[r] >= 0)
            free_to_take &= (service[r] < 0) & (queued_for[r] < 0) & reaching[o]
            if not free_to_take:
                continue
            a = np.uint64(area[r])
            menu = -1
            if tables.place_outreach[o] > 0:
                menu = rules.first_barrier_with_places(barriers[r], bits, free[:, a], last)
            activating = sizes[activation_menu] > 0
            activating = activating and free[activation_menu, a, last[activation_menu]] > 0
            if menu < 0 and tables.cost_share_activation[o] > 0 and activating:
                shared = rules.cost_shared(tables.basis == 1, status[r], benefit[r])
                if shared and _share_soon(r, o, people, tables) > 0:
                    menu = activation_menu
            if menu >= 0:
                listed[k] = r
                wanted[k] = menu
                counts[t, menu, a] += 1
                k += 1
        found[t] = k - bounds[t]
    close_gaps(listed, bounds, found)
    n = close_gaps(wanted, bounds, found)
    return n, add_slices(counts)


@njit(cache=True)
def reach_out(listed, wanted, counts, week, people, tables, free):
    """Refer the candidates of :func:`outreach_candidates` to free places, this week.

    A candidate for a barrier's services is referred with
    :func:`rules.outreach_chance`, and the barrier counts as found (the organiser's
    assessment); a candidate of the cost incentive with :func:`rules.incentive_chance`
    at the municipal share of :func:`rules.share_ahead`. The service is chosen among
    the menu's services by their free places (:func:`rules.menu_entry`); a person at
    or over its maximum age is not referred. The referred join the service's queue,
    which is served into the places at the next admission. Draws are keyed by the week.
    Returns the number referred.
    """
    key, area, organiser = people.key, people.area, people.organiser
    queued_for, queued_since, detected = people.queued_for, people.queued_since, people.detected
    sizes, menus, bits = tables.menu_size, tables.menu_service, tables.barrier_bits
    activation_menu = len(sizes) - 1
    step_refer = stream_step(tables.bases[0], week)
    step_choice = stream_step(tables.bases[1], week)
    referred = 0
    for i in range(len(listed)):
        r = row(listed, i)
        m, a, o = np.uint64(wanted[i]), np.uint64(area[r]), np.uint64(organiser[r])
        total = free[m, a, sizes[m] - 1]
        if m == activation_menu:
            chance = rules.incentive_chance(
                tables.cost_share_activation[o], _share_soon(r, o, people, tables), total,
                counts[m, a],
            )  # fmt: skip
        else:
            chance = rules.outreach_chance(tables.place_outreach[o], total, counts[m, a])
        if not unit(key[r], step_refer) < chance:
            continue
        entry = rules.menu_entry(free[m, a], sizes[m], unit(key[r], step_choice))
        if entry < 0:
            continue
        service = menus[m, entry]
        age = rules.age_in_years(
            people.age_at_entry[r], week, people.entry_week[r], tables.weeks_per_year
        )
        if age >= tables.max_age[service]:
            continue
        queued_for[r] = a * tables.n_services + service
        queued_since[r] = week
        if m != activation_menu:
            detected[r] |= bits[m - 1]
        referred += 1
    return referred
