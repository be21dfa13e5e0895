"""In-silico trials: assignment, the treatment, paired effects, bad trial files."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import SCENARIOS

from simulation.cli import main
from simulation.config.errors import TrialFileError
from simulation.config.trial import load_trial
from simulation.core.model import EmploymentModel
from simulation.core.trial import ARM_CONTROL, ARM_NONE, ARM_TREATED
from simulation.experiments.trials import design_of, run_trial

TRIAL = f"""
[trial]
name = "test_trial"
scenario = "{SCENARIOS / "quickstart.toml"}"
set = ["run.end=2022-06-30"]
eligible = "inflow"
first_week = 2
last_week = 14
horizon_weeks = 40
months = [3, 6]
share = {{share}}
replications = 3
scale = 0.2
seed = 3

[treatment]
{{treatment}}
"""
FORTNIGHTLY = """early_interval_weeks = 2
early_period_weeks = 13
spare_capacity_meetings = false
meetings_per_caseworker_week = 60"""


def write(tmp_path, share=0.5, treatment=FORTNIGHTLY, extra=""):
    path = tmp_path / "trial.toml"
    path.write_text(TRIAL.format(share=share, treatment=treatment) + extra)
    return path


def model_of(path, overrides=(), seed=1):
    trial = load_trial(path, overrides)
    return EmploymentModel(trial.scenario, seed=seed, trial=design_of(trial)), trial


def test_eligible_people_are_the_registrations_of_the_window(tmp_path):
    model, _ = model_of(write(tmp_path))
    model.run()
    p = model.job_seekers
    assigned = p.trial_arm != ARM_NONE
    in_window = (
        (p.entry_week >= 2) & (p.entry_week <= 14) & (p.key >> np.uint64(24) & 0xFFFFFF >= 16)
    )
    np.testing.assert_array_equal(assigned, in_window)
    np.testing.assert_array_equal(p.assigned_week[assigned], p.entry_week[assigned])


def test_eligibility_can_require_a_level_of_education(tmp_path):
    path = write(tmp_path)
    path.write_text(path.read_text().replace("seed = 3", 'seed = 3\neducation = ["tertiary"]'))
    model, _ = model_of(path)
    model.run_for(20)
    p = model.job_seekers
    assigned = p.trial_arm != ARM_NONE
    in_window = (
        (p.entry_week >= 2) & (p.entry_week <= 14) & (p.key >> np.uint64(24) & 0xFFFFFF >= 16)
    )
    assert assigned.any()
    np.testing.assert_array_equal(assigned, in_window & (p.education == 2))


def test_the_treated_share_is_met_within_sampling_error(tmp_path):
    model, _ = model_of(write(tmp_path, share=0.3))
    model.run()
    arm = model.job_seekers.trial_arm
    n = np.count_nonzero(arm != ARM_NONE)
    treated = np.count_nonzero(arm == ARM_TREATED)
    assert n > 300
    assert abs(treated / n - 0.3) < 3.5 * np.sqrt(0.3 * 0.7 / n)


def test_assignment_is_stable_when_people_are_added(tmp_path):
    path = write(tmp_path)
    small, _ = model_of(path)
    large, _ = model_of(path, ["areas.helsinki.unemployed=7000"])
    small.run()
    large.run()
    arms = {}
    for model in (small, large):
        p = model.job_seekers
        rows = np.flatnonzero(p.trial_arm != ARM_NONE)
        arms[model] = dict(zip(p.key[rows].tolist(), p.trial_arm[rows].tolist(), strict=True))
    common = set(arms[small]) & set(arms[large])
    assert len(common) > 0.8 * len(arms[small])
    assert all(arms[small][k] == arms[large][k] for k in common)
    assert len(arms[large]) > len(arms[small])


def test_the_treated_are_served_under_the_treatment(tmp_path):
    model, _ = model_of(write(tmp_path))
    model.run_for(20)
    p = model.job_seekers
    n_areas = len(model.area_ids)
    registered = p.status <= 4
    treated = registered & (p.trial_arm == ARM_TREATED)
    control = registered & (p.trial_arm == ARM_CONTROL)
    assert np.all(p.organiser[treated] >= 2 * n_areas)
    assert np.all(p.organiser[control] < 2 * n_areas)
    # Fortnightly meetings in the first 13 weeks: the treated have met more often.
    early = (p.entry_week >= 2) & (p.entry_week <= 6)
    assert p.meetings[early & (p.trial_arm == ARM_TREATED)].mean() > (
        1.5 * p.meetings[early & (p.trial_arm == ARM_CONTROL)].mean()
    )


def test_an_empty_treatment_gives_exactly_zero_effect(tmp_path):
    trial = load_trial(write(tmp_path, treatment=""))
    assert trial.treatment is None
    result = run_trial(trial, out=tmp_path / "out", replications=2, plots=False)
    effects = result.effects
    against_themselves = effects["comparison"].isin(["on_treated", "on_untreated", "on_eligible"])
    rows = effects[against_themselves & ~effects["outcome"].eq("hazard_ratio")]
    assert len(rows) > 0
    assert (rows["effect"] == 0.0).all()
    ratios = effects[against_themselves & effects["outcome"].eq("hazard_ratio")]
    assert (ratios["effect"] == 1.0).all()


def test_a_trial_writes_its_folder_and_measures_a_treatment(tmp_path):
    trial = load_trial(write(tmp_path))
    result = run_trial(trial, out=tmp_path / "out", replications=3)
    for name in ("effects.csv", "effects.md", "trial_effects.png", "manifest.json"):
        assert (tmp_path / "out" / name).is_file()
    assert len(list((tmp_path / "out" / "replications").iterdir())) == 6
    on_treated = result.effects[result.effects["comparison"] == "on_treated"]
    days = on_treated.set_index("outcome")["effect"]
    # Days are conserved: the four statuses add up to the horizon for everyone
    # (days_registered is two of them together).
    assert abs(days.filter(like="days_").drop("days_registered").sum()) < 1e-9
    assert days.filter(like="days_").abs().max() > 0  # the treatment does something


def test_a_pure_control_area_has_no_treated(tmp_path):
    import dataclasses

    # A trial file treating nobody anywhere is refused; the area's mechanics are not.
    trial = dataclasses.replace(load_trial(write(tmp_path)), shares=(0.0,))
    model = EmploymentModel(trial.scenario, seed=1, trial=design_of(trial))
    model.run_for(20)
    arm = model.job_seekers.trial_arm
    assert np.count_nonzero(arm == ARM_TREATED) == 0
    assert np.count_nonzero(arm == ARM_CONTROL) > 0


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (("share = 0.5", "share = 1.5"), "trial.share"),
        (('eligible = "inflow"', 'eligible = "everyone"'), "trial.eligible"),
        (("last_week = 14", "last_week = 1"), "trial.last_week"),
        (("[treatment]", "[treatment]\ncaseloads = 70"), "treatment.caseloads"),
        (("[treatment]", "[treatment]\ncaseload = -5"), "treatment.caseload"),
        (('name = "test_trial"', 'name = "test_trial"\nhorizon = 3'), "trial.horizon"),
        (("share = 0.5", "share = 0.5\nshares = { turku = 0.2 }"), "trial.shares.turku"),
        (("share = 0.5", "share = 0.5\nshares = { helsinki = 1.2 }"), "trial.shares.helsinki"),
        (("share = 0.5", "share = 0.5\nshares = { helsinki = 0.0 }"), "trial.share"),
        (("[treatment]", "[treatment]\nopen = false"), "treatment.open"),
        (("replications = 3", "replications = 1"), "trial.replications"),
    ],
)
def test_bad_trial_files_name_the_key(tmp_path, change, key):
    path = write(tmp_path)
    path.write_text(path.read_text().replace(*change, 1))
    with pytest.raises(TrialFileError) as caught:
        load_trial(path)
    assert caught.value.key == key


def test_trial_command_prints_the_effects_and_reports_bad_files(tmp_path):
    path = write(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["trial", str(path), "-r", "2", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "on_treated" in result.output and "treated_vs_control" in result.output
    path.write_text(path.read_text().replace("share = 0.5", "share = 2"))
    result = runner.invoke(main, ["trial", str(path)])
    assert result.exit_code == 2
    assert "trial.share" in result.output and "Traceback" not in result.output


def test_the_design_reads_employment_at_the_given_months(tmp_path):
    trial = load_trial(write(tmp_path))
    design = design_of(trial)
    assert design.read_weeks == (12, 25)
    assert dataclasses.replace(design, treatment=None).treatment is None


def test_the_treated_go_back_to_their_usual_organiser_when_the_treatment_ends(tmp_path):
    path = write(tmp_path)
    text = path.read_text().replace("horizon_weeks = 40", "horizon_weeks = 40\ntreatment_weeks = 6")
    path.write_text(text)
    model, _ = model_of(path)
    n_areas = len(model.area_ids)
    p = model.job_seekers
    for week in range(20):
        model.run_for(1)
        treated = (p.status <= 4) & (p.trial_arm == ARM_TREATED)
        still = treated & (week - p.assigned_week < 6)
        assert np.all(p.organiser[still] >= 2 * n_areas)
        assert np.all(p.organiser[treated & ~still] < 2 * n_areas)
    # Some of the treated were registered when their six weeks ended.
    ended = (p.trial_arm == ARM_TREATED) & (p.assigned_week <= 13)
    assert np.count_nonzero(ended & (p.status <= 4) & (p.organiser < 2 * n_areas)) > 10


def test_a_trial_run_ends_with_its_follow_up_and_follows_up_the_same(tmp_path):
    early, _ = model_of(write(tmp_path))
    full, _ = model_of(write(tmp_path))
    full.weeks = full.plan.weeks  # run to the scenario's end, as before trials ended early
    early.run()
    full.run()
    # The last assigned (week 14) are followed 40 weeks and read at 25 weeks: 54 weeks.
    assert early.steps == 54 < full.steps
    a = early.trial.follow_up.table(early.job_seekers, early.area_ids)
    b = full.trial.follow_up.table(full.job_seekers, full.area_ids)
    assert a.keys() == b.keys() and len(a["arm"]) > 100
    for column in a:
        np.testing.assert_array_equal(a[column], b[column], err_msg=column)


def test_a_stock_trial_runs_to_its_horizon_or_last_reading(tmp_path):
    design = dataclasses.replace(
        design_of(load_trial(write(tmp_path))), stock=True, horizon_weeks=30, read_weeks=(12, 40)
    )
    assert design.run_weeks(200) == 41
    assert design.run_weeks(35) == 35
