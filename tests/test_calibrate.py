"""Calibration: the objective, recovering a known parameter, resume, the quick command."""

import json
import os
import tomllib

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import ROOT, fortnightly_experiment, single_area

from simulation.cli import main
from simulation.core.model import EmploymentModel
from simulation.core.records import register_statistics
from simulation.experiments.calibrate import calibrate, objective_terms
from simulation.experiments.runner import replication_seeds
from simulation.experiments.targets import load_targets

SMALL = ["run.end=2021-12-31", "areas.town.unemployed=1500", "pilot.enabled=false"]


def _observed(scenario, seeds):
    runs = []
    for seed in seeds:
        model = EmploymentModel(scenario, seed=seed)
        model.run()
        runs.append(register_statistics(model.recorder, 4))
    return {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}


_HAZARDS = tuple(f"hazard_to_employment_{i}" for i in (1, 2, 3, 4))


def _targets_file(tmp_path, observed, scenario_file="scenario.toml"):
    lines = [f'[meta]\nfirst_week = 4\nscenario = "{scenario_file}"\n']
    for name in _HAZARDS:
        lines.append(
            f'[[target]]\nstatistic = "{name}"\nobserved = {observed[name]!r}\n'
            "tolerance = 0.05\nrelative = true\n"
        )
    lines.append('[[free]]\nkey = "job_seekers.employability_sd"\nlow = 0.2\nhigh = 2.0\n')
    path = tmp_path / "targets.toml"
    path.write_text("\n".join(lines))
    return path


def test_the_objective_weighs_errors_by_tolerance_and_noise(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(
        '[[target]]\nstatistic = "long_term_share_end"\nobserved = 0.3\ntolerance = 0.02\n'
    )
    targets = load_targets(path)
    exact, _ = objective_terms(targets, [{"long_term_share_end": 0.3}] * 2)
    off, _ = objective_terms(targets, [{"long_term_share_end": 0.34}] * 2)
    noisy, _ = objective_terms(
        targets, [{"long_term_share_end": 0.30}, {"long_term_share_end": 0.38}]
    )
    assert exact == 0.0 and off == pytest.approx(4.0)
    assert noisy < off  # the same mean error counts less when the simulation is noisy


@pytest.mark.slow
def test_calibration_recovers_a_known_parameter_and_resumes(tmp_path):
    truth = 1.3
    scenario = single_area([*SMALL, f"job_seekers.employability_sd={truth}"])
    observed = _observed(scenario, replication_seeds(99, 3))
    targets = load_targets(_targets_file(tmp_path, observed))
    start = single_area(SMALL)
    result = calibrate(
        start, targets, out=tmp_path / "cal", budget=24, seed=1, replications=2, scale=1.0
    )
    assert result.values["job_seekers.employability_sd"] == pytest.approx(truth, abs=0.3)
    assert result.identified["job_seekers.employability_sd"]
    # The profile's standard error is finite and smaller than the parameter's range.
    assert 0 < result.uncertainty["job_seekers.employability_sd"] < 2.0
    fitted = (tmp_path / "cal" / "fitted.toml").read_text()
    assert "[job_seekers]" in fitted and "employability_sd" in fitted
    assert tomllib.loads(fitted)["job_seekers"]["employability_sd"] == pytest.approx(
        result.values["job_seekers.employability_sd"], rel=1e-5
    )
    cached = json.loads((tmp_path / "cal" / "evaluations.json").read_text())["evaluations"]
    again = calibrate(
        start, targets, out=tmp_path / "cal", budget=24, seed=1, replications=2, scale=1.0
    )
    assert again.values == result.values
    stored = json.loads((tmp_path / "cal" / "evaluations.json").read_text())["evaluations"]
    assert len(stored) == len(cached)


def test_quick_calibration_command(tmp_path):
    scenario = single_area([*SMALL, "job_seekers.employability_sd=1.0"])
    observed = _observed(scenario, replication_seeds(5, 2))
    (tmp_path / "scenario.toml").write_text(
        '[run]\nname = "small"\nend = 2021-09-30\n[pilot]\nenabled = false\n'
        '[areas.town]\nname = "Town"\nunemployed = 1500\n'
    )
    targets = _targets_file(tmp_path, observed)
    result = CliRunner().invoke(
        main, ["calibrate", str(targets), "--quick", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    assert "job_seekers.employability_sd = " in result.output
    for name in ("fitted.toml", "evaluations.json", "fit_report.md", "fit_hazards.png"):
        assert (tmp_path / "out" / name).exists()


def test_whole_number_parameters_are_rounded(tmp_path):
    from pathlib import Path

    from simulation.experiments.calibrate import _Evaluator

    path = tmp_path / "t.toml"
    path.write_text(
        '[[target]]\nstatistic = "long_term_share_end"\nobserved = 0.3\n'
        '[[free]]\nkey = "job_seekers.duration_penalty_weeks"\nlow = 13\nhigh = 104\n'
        "integer = true\n"
    )
    evaluate = _Evaluator(
        single_area(SMALL), load_targets(path), [], 1.0, Path(tmp_path / "c.json")
    )
    assert evaluate.scenario(np.array([47.6])).job_seekers.duration_penalty_weeks == 48


def test_a_local_calibration_refines_a_start(tmp_path):
    truth = 1.3
    scenario = single_area([*SMALL, f"job_seekers.employability_sd={truth}"])
    targets = load_targets(_targets_file(tmp_path, _observed(scenario, replication_seeds(99, 3))))
    start = {"job_seekers.employability_sd": 0.8}
    result = calibrate(
        single_area(SMALL),
        targets,
        out=tmp_path / "cal",
        budget=8,
        seed=1,
        replications=2,
        scale=1.0,
        start=start,
        local=True,
    )
    error = abs(result.values["job_seekers.employability_sd"] - truth)
    assert error < abs(0.8 - truth)  # it moved towards the truth
    with pytest.raises(ValueError, match="start"):
        calibrate(single_area(SMALL), targets, out=tmp_path / "x", budget=4, local=True)


def test_local_calibration_needs_a_start(tmp_path):
    result = CliRunner().invoke(main, ["calibrate", "calibration/targets_finland.toml", "--local"])
    assert result.exit_code == 2
    assert "--start" in result.output


def test_a_cache_made_for_other_targets_is_never_reused(tmp_path):
    """Calibrating other targets into the same folder evaluates afresh."""
    scenario = single_area([*SMALL, "job_seekers.employability_sd=1.3"])
    observed = _observed(scenario, replication_seeds(99, 2))
    first = load_targets(_targets_file(tmp_path, observed))
    tripled = {k: 3 * v for k, v in observed.items()}
    (tmp_path / "other").mkdir()
    second = load_targets(_targets_file(tmp_path / "other", tripled))
    out = tmp_path / "cal"
    # A short local search is enough to fill the cache of each set of targets.
    settings = dict(
        out=out, budget=3, replications=1, scale=1.0, local=True,
        start={"job_seekers.employability_sd": 1.0},
    )  # fmt: skip
    one = calibrate(single_area(SMALL), first, **settings)
    two = calibrate(single_area(SMALL), second, **settings)
    assert two.objective != pytest.approx(one.objective)
    assert two.objective > one.objective  # tripled observations cannot be met as well
    set_aside = list(out.glob("evaluations-*.json"))
    assert len(set_aside) == 1  # the first cache is kept, not mixed in
    assert (
        json.loads((out / "evaluations.json").read_text())["key"]
        != json.loads(set_aside[0].read_text())["key"]
    )


def test_a_fit_is_never_a_point_known_to_be_worse(tmp_path, monkeypatch):
    """Where the profile's steps find a lower objective, the fit moves there."""
    import simulation.experiments.calibrate as module

    evaluated = {}

    class Bowl:
        def __init__(self, scenario, targets, *args, **kwargs):
            self.names = [f.key for f in targets.free]
            self.cache = evaluated
            self.evaluations = 0

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            pass

        def __call__(self, x):
            self.evaluations += 1
            evaluated[float(x[0])] = value = float((x[0] - 1.5) ** 2)
            return value

    monkeypatch.setattr(module, "_Evaluator", Bowl)
    targets = load_targets(_targets_file(tmp_path, dict.fromkeys(_HAZARDS, 0.1)))
    result = calibrate(
        single_area(SMALL),
        targets,
        out=tmp_path / "cal",
        budget=2,  # the polish stops almost where it starts, at 0.6
        start={"job_seekers.employability_sd": 0.6},
        local=True,
    )
    assert result.objective == min(evaluated.values())
    assert result.values["job_seekers.employability_sd"] == min(evaluated, key=evaluated.get)
    assert result.values["job_seekers.employability_sd"] > 1.0  # profile steps of 0.18 moved it


@pytest.mark.slow
def test_the_posterior_sample_covers_a_known_parameter_and_resumes(tmp_path):
    from simulation.experiments.posterior import DESIGN_FILE, check_sample, make_sample

    truth = 1.3
    scenario = single_area([*SMALL, f"job_seekers.employability_sd={truth}"])
    observed = _observed(scenario, replication_seeds(99, 3))
    (tmp_path / "scenario.toml").write_text(
        '[run]\nname = "small"\nend = 2021-12-31\n[pilot]\nenabled = false\n'
        '[areas.town]\nname = "Town"\nunemployed = 1500\n'
    )
    targets = load_targets(_targets_file(tmp_path, observed))
    arguments = dict(out=tmp_path / "s", points=14, draws=30, replications=2, scale=1.0)
    sample, match = make_sample(targets, tmp_path / "scenario.toml", **arguments)
    low, high = np.percentile(sample.values[:, 0], [5, 95])
    assert low <= truth <= high
    assert high - low < 1.8 * 0.9  # narrower than the prior's 90 % (0.2 .. 2.0)
    assert 0 < match.share < 1
    design = tmp_path / "s" / DESIGN_FILE
    stamp = design.stat().st_mtime_ns
    again, _ = make_sample(targets, tmp_path / "scenario.toml", **arguments)
    assert design.stat().st_mtime_ns == stamp  # every point read back, none run again
    np.testing.assert_array_equal(again.values, sample.values)
    rows = check_sample(sample, targets, tmp_path / "scenario.toml", draws=4, scale=1.0)
    assert {r["output"] for r in rows} == set(_HAZARDS)
    assert all(r["draws"] == 4 for r in rows)


@pytest.mark.slow
def test_an_evaluation_is_the_same_on_one_worker_or_two(tmp_path):
    from simulation.config.loading import load_scenario
    from simulation.experiments.calibrate import _Evaluator

    quickstart = ROOT / "scenarios" / "quickstart.toml"
    path = fortnightly_experiment(
        tmp_path,
        'scale = 0.1\n[[free]]\nkey = "job_seekers.employability_sd"\nlow = 0.2\nhigh = 2.0\n',
    )
    targets = load_targets(path)
    scenario = load_scenario(quickstart, ["run.end=2021-12-31"])
    seeds = replication_seeds(1, 2)
    x = np.array([0.9])
    here = _Evaluator(scenario, targets, seeds, 0.1, tmp_path / "a.json", experiments=True)
    with _Evaluator(
        scenario, targets, seeds, 0.1, tmp_path / "b.json", experiments=True, workers=2
    ) as spread:
        values = [spread(x), spread(x + 0.3)]
        assert spread.executor is not None
        assert spread.executor.workers == min(2, os.cpu_count() or 1)
    assert spread.executor is None  # the workers stop with the block
    assert values == [here(x), here(x + 0.3)]
    assert values[0] != values[1]
