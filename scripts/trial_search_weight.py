"""How much a trial's treatment adds to the search weight of the treated's labour markets.

Usage: python scripts/trial_search_weight.py [TRIAL] [--scale F] [--seeds N]

Runs the trial's two arms (treatment and none) side by side, week by week, with the
same seed, and compares the search weight of the labour markets that hold treated
people. The urn-ball matching takes jobs from the untreated only through that weight
(their chance per unit of search falls with it). Printed for each seed, over the weeks
in which people are assigned and treated: the mean and range of the weight's relative
change; the treated's share of the weight with the treatment and without it (the same
people, untreated); and the change in their markets' chance of a job per unit of
search, which is what the untreated lose.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np

from simulation.config.trial import load_trial
from simulation.core import rules
from simulation.core.codes import Status
from simulation.core.model import EmploymentModel
from simulation.core.trial import ARM_TREATED
from simulation.experiments.trials import design_of

ROOT = Path(__file__).resolve().parents[1]


def weights_by_week(
    trial_path: Path, scale: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each week's search weight of the treated's markets, with and without the treatment.

    Returns (weeks, weight by arm, the treated's weight by arm, the chance of a job per
    unit of search by arm); the arms are columns (with, without), the markets are those
    holding a treated person with the treatment that week, and the chance is their
    matching's (``rules.search_price``), averaged with the weights of the arm without
    the treatment, so that the two arms' chances are compared on the same markets.
    """
    trial = load_trial(trial_path)
    design = design_of(trial)
    arms = [
        EmploymentModel(trial.scenario, seed=seed, scale=scale, trial=d)
        for d in (design, replace(design, treatment=None))
    ]
    last = design.last_week + design.treatment_weeks
    weeks = np.arange(design.first_week, last + 1)
    total = np.zeros((len(weeks), 2))
    treated = np.zeros((len(weeks), 2))
    chance = np.zeros((len(weeks), 2))
    for week in range(1, last + 1):
        markets = np.zeros(0, dtype=np.int64)
        by_market, prices = [], []
        for a, model in enumerate(arms):
            model.step()
            rows, weights, totals = model._search_weights(model.week, Status.OTHER_SERVICE, True)
            people = model.job_seekers
            is_treated = people.trial_arm[rows] == ARM_TREATED
            market = people.market[rows]
            if a == 0:
                markets = np.unique(market[is_treated])
            vacancies = model.market_vacancies(model.week)
            prices.append(
                rules.search_price(model.spec.labour_market, totals, vacancies, model.matching)
            )
            by_market.append(totals)
            if week >= design.first_week:
                in_markets = np.isin(market, markets)
                total[week - design.first_week, a] = weights[in_markets].sum()
                treated[week - design.first_week, a] = weights[in_markets & is_treated].sum()
        if week >= design.first_week and by_market[1][markets].sum() > 0:
            share = by_market[1][markets] / by_market[1][markets].sum()
            chance[week - design.first_week] = [np.sum(share * q[markets]) for q in prices]
    return weeks, total, treated, chance


def main() -> None:
    """Print the comparison for each seed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trial", nargs="?", default=ROOT / "trials/intensive_counselling.toml")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args()
    for seed in range(1, args.seeds + 1):
        weeks, total, treated, chance = weights_by_week(Path(args.trial), args.scale, seed)
        kept = (total[:, 1] > 0) & (chance[:, 1] > 0)
        change = total[kept, 0] / total[kept, 1] - 1
        share = treated[kept] / total[kept]
        price = chance[kept, 0] / chance[kept, 1] - 1
        print(
            f"seed {seed}, weeks {weeks[0]}-{weeks[-1]}: search weight {change.mean():+.1%} "
            f"on average ({change.min():+.1%} .. {change.max():+.1%}); the treated's share "
            f"{share[:, 0].mean():.1%} treated, {share[:, 1].mean():.1%} untreated; the "
            f"chance of a job per unit of search {price.mean():+.2%} "
            f"({price.min():+.2%} .. {price.max():+.2%})"
        )


if __name__ == "__main__":
    main()
