"""Finnish register facts the model uses at run time, with their sources.

Copied from the project's shared statistics (``finland_targets.toml``); the derived
quantities are computed here, so the arithmetic behind every derived default can be
re-run and tested.
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = [
    "WEEKS_PER_MONTH",
    "HAZARD_MONTHS",
    "HAZARD_TO_EMPLOYMENT",
    "HAZARD_TO_SERVICES",
    "ENDED_TO_EMPLOYMENT_OR_SERVICES",
    "mean_spell_weeks",
    "monthly_to_weekly",
    "stationary_stock",
    "survival_to_employment",
    "stock_job_finding_monthly",
]

WEEKS_PER_MONTH = 52.1775 / 12

#: Lower edges of the spell-length buckets, months (<1, 1-3, 3-6, 6-12, 12-18, 18-24, >24).
HAZARD_MONTHS = np.array([0.0, 1.0, 3.0, 6.0, 12.0, 18.0, 24.0])
#: Monthly hazard from registered unemployment to employment, by bucket.
#: Source: TEM register flows 2015 (Labore blog, M. Kari), derived; quality "derived".
HAZARD_TO_EMPLOYMENT = np.array([0.18, 0.093, 0.060, 0.035, 0.016, 0.011, 0.003])
#: Monthly hazard from registered unemployment to services, by bucket (same source).
HAZARD_TO_SERVICES = np.array([0.080, 0.064, 0.044, 0.033, 0.027, 0.025, 0.016])
#: Share of ended spells that end in employment or services: 0.44 + 0.31 (same source).
ENDED_TO_EMPLOYMENT_OR_SERVICES = 0.75
#: Share of ended spells that end in employment (same source).
ENDED_TO_EMPLOYMENT = 0.44
#: Share of ended spells that end outside the register: out of the labour force, lapsed
#: and other (0.06 + 0.16 + 0.03; same source).
ENDED_OUT_OF_REGISTER = 0.25


def monthly_to_weekly(p: float | np.ndarray) -> float | np.ndarray:
    """Convert a monthly probability to the weekly probability with the same survival."""
    return 1.0 - (1.0 - np.asarray(p, dtype=float)) ** (1.0 / WEEKS_PER_MONTH)


def _bucket(weeks: np.ndarray) -> np.ndarray:
    """Hazard bucket of each elapsed duration in weeks."""
    return np.searchsorted(HAZARD_MONTHS, weeks / WEEKS_PER_MONTH, side="right") - 1


@functools.cache
def _survival(max_weeks: int) -> np.ndarray:
    """Survival in unemployment at 0..max_weeks elapsed weeks under the 2015 exit hazards.

    The total exit hazard of a bucket is the hazard to employment plus services, grossed
    up by the 75 % of ended spells that go to either. Computed once (read-only array).
    """
    weeks = np.arange(max_weeks)
    monthly_exit = (HAZARD_TO_EMPLOYMENT + HAZARD_TO_SERVICES) / ENDED_TO_EMPLOYMENT_OR_SERVICES
    weekly_exit = monthly_to_weekly(monthly_exit[_bucket(weeks)])
    survival = np.concatenate([[1.0], np.cumprod(1.0 - weekly_exit)])
    survival.flags.writeable = False
    return survival


def survival_to_employment(max_weeks: int = 520) -> np.ndarray:
    """Chance of not yet having found a job after 0..max_weeks-1 weeks (2015 hazards).

    Only the hazard to employment counts: the other exits (services, leaving the
    register) are taken as unrelated to how employable a person is.
    """
    weeks = np.arange(max_weeks - 1)
    weekly = monthly_to_weekly(HAZARD_TO_EMPLOYMENT[_bucket(weeks)])
    return np.concatenate([[1.0], np.cumprod(1.0 - weekly)])


def stationary_stock(max_weeks: int = 520) -> tuple[np.ndarray, np.ndarray]:
    """Stock of unemployed by elapsed weeks implied by the 2015 exit hazards.

    With a constant inflow, the stock at elapsed duration d is proportional to the
    survival S(d).

    Args:
        max_weeks: Longest elapsed duration kept.

    Returns:
        (weeks, share): elapsed weeks 0..max_weeks-1 and the stock share at each.
    """
    survival = _survival(max_weeks)[:-1]
    return np.arange(max_weeks), survival / survival.sum()


def mean_spell_weeks() -> float:
    """Mean completed spell length implied by the 2015 hazards (about 30 weeks)."""
    return float(_survival(520)[:-1].sum())


def stock_job_finding_monthly(long_term_share: float) -> float:
    """Stock-weighted monthly hazard to employment, for a stock with this long-term share.

    The duration profile within the short-term (< 52 weeks) and long-term parts of the
    stock is the stationary one; their weights are set to the observed long-term share.
    This gives the default ``labour_market.job_finding_monthly_at_start``.
    """
    weeks, share = stationary_stock()
    hazard = HAZARD_TO_EMPLOYMENT[_bucket(weeks)]
    long = weeks >= 52
    short_mean = (share * hazard)[~long].sum() / share[~long].sum()
    long_mean = (share * hazard)[long].sum() / share[long].sum()
    return float((1.0 - long_term_share) * short_mean + long_term_share * long_mean)
