"""Register statistics of a run, targets files and the fit report."""

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import CONSTANT_HAZARD, ROOT, SCENARIOS, fortnightly_experiment, single_area

from simulation.cli import main
from simulation.config.errors import TargetsFileError
from simulation.core.model import EmploymentModel
from simulation.core.records import register_statistics
from simulation.experiments.targets import load_targets


def test_a_constant_hazard_is_measured_in_every_spell_length_bucket():
    monthly = 0.08
    scenario = single_area(
        [
            *CONSTANT_HAZARD,
            f"labour_market.job_finding_monthly_at_start={monthly}",
            "labour_market.separation_monthly=0.05",
            "areas.town.unemployed=30000",
            "run.end=2023-02-28",
        ]
    )
    model = EmploymentModel(scenario, seed=2)
    model.run()
    stats = register_statistics(model.recorder)
    for bucket in range(1, 6):  # the longest buckets have too few people in two years
        assert stats[f"hazard_to_employment_{bucket}"] == pytest.approx(monthly, rel=0.08), bucket
    assert stats["ended_spells_to_employment"] == pytest.approx(1.0)
    assert stats["hazard_to_services_1"] == 0.0


def test_register_statistics_are_shares_and_rates(scenario):
    model = EmploymentModel(scenario, seed=1)
    model.run()
    stats = register_statistics(model.recorder, first_week=4)
    ended = [stats[f"ended_spells_to_{d}"] for d in ("employment", "services", "out_of_register")]
    assert sum(ended) == pytest.approx(1.0)
    assert all(0 <= v <= 1 for v in stats.values() if not np.isnan(v))
    assert stats["employed_3_months_after_service"] > 0


def test_the_shipped_targets_are_valid_and_sourced():
    targets = load_targets(ROOT / "calibration" / "targets_finland.toml")
    assert len(targets.target) == 21
    assert all(t.source for t in targets.target)


def test_an_unknown_statistic_is_reported(tmp_path):
    path = tmp_path / "targets.toml"
    path.write_text('[[target]]\nstatistic = "hazard_to_heaven"\nobserved = 1.0\n')
    with pytest.raises(TargetsFileError) as caught:
        load_targets(path)
    assert (
        caught.value.key == "target[0].statistic"
        and "hazard_to_employment_1" in caught.value.message
    )


def test_fit_report_command(tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "fit-report",
            str(SCENARIOS / "quickstart.toml"),
            "--targets",
            str(ROOT / "calibration" / "targets_finland.toml"),
            "--scale",
            "0.2",
            "--replications",
            "1",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "hazard_to_employment_1" in result.output and "targets within tolerance" in result.output
    for name in ("fit_report.csv", "fit_report.md", "fit_hazards.png"):
        assert (tmp_path / name).stat().st_size > 0
    # Each target with the model's value and the tolerance it is held to.
    table = (tmp_path / "fit_report.md").read_text()
    assert "| observed | simulated | error | tolerance |" in table
    row = next(line for line in table.splitlines() if "| hazard_to_employment_1 |" in line)
    assert "| 0.027 |" in row  # 15 % of 0.18, the relative tolerance made absolute


def test_experiments_are_run_as_trials_in_the_fit_report(tmp_path):
    from simulation.config.loading import load_scenario
    from simulation.experiments.targets import fit_report

    targets = fortnightly_experiment(tmp_path)
    scenario = load_scenario(ROOT / "scenarios" / "quickstart.toml", ["run.end=2021-12-31"])
    report = fit_report(scenario, load_targets(targets), scale=0.1, experiments=True).set_index(
        "statistic"
    )
    row = report.loc["experiment:fortnightly"]
    assert np.isfinite(row["simulated"]) and row["low"] <= row["simulated"] <= row["high"]
    assert row["within"] == (abs(row["simulated"] + 5.0) <= 10.0)


def test_an_experiment_with_a_missing_trial_or_bad_comparison_is_named(tmp_path):
    targets = tmp_path / "targets.toml"
    base = '[[target]]\nstatistic = "hazard_to_employment_1"\nobserved = 0.18\n'
    targets.write_text(
        base + '[[experiment]]\nname = "x"\ntrial = "nope.toml"\noutcome = "days_employed"\n'
        "observed = 1.0\ntolerance = 1.0\n"
    )
    with pytest.raises(TargetsFileError) as caught:
        load_targets(targets)
    assert caught.value.key == "experiment[0].trial"
    targets.write_text(
        base + '[[experiment]]\nname = "x"\ntrial = "nope.toml"\ncomparison = "vibes"\n'
        'outcome = "days_employed"\nobserved = 1.0\ntolerance = 1.0\n'
    )
    with pytest.raises(TargetsFileError) as caught:
        load_targets(targets)
    assert caught.value.key == "experiment[0].comparison"
