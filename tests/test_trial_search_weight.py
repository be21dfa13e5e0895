"""The diagnostic of a trial's search weight (``scripts/trial_search_weight.py``)."""

import importlib.util

import numpy as np
from conftest import ROOT


def _script():
    spec = importlib.util.spec_from_file_location(
        "trial_search_weight", ROOT / "scripts" / "trial_search_weight.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_treated_hold_part_of_their_markets_weight_and_the_treatment_changes_it():
    weeks, total, treated, chance = _script().weights_by_week(
        ROOT / "trials" / "intensive_counselling.toml", scale=0.05, seed=1
    )
    assert weeks[0] == 13 and len(weeks) == len(total) == len(treated)
    # Once the first treated search, their markets have searchers nearly every week.
    searching = total[:, 0] > 0
    assert searching.mean() > 0.9
    total, treated, chance = total[searching], treated[searching], chance[searching]
    assert (total > 0).all() and (chance > 0).all()
    share = treated / total
    assert (share >= 0).all() and (share < 1).all()
    assert share[-10:].mean() > 0  # people were assigned and are still searching
    # The two arms share their draws: they differ only where the treatment acts.
    assert not np.allclose(total[:, 0], total[:, 1])
    assert not np.allclose(chance[:, 0], chance[:, 1])
