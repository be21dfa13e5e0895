"""Parameter uncertainty: the posterior sample, draws in comparisons, ratios with intervals."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SCENARIOS

from simulation.analysis.compare import cost_per_year
from simulation.analysis.uncertainty import drivers
from simulation.cli import main
from simulation.config.errors import InputError
from simulation.config.loading import load_scenario, scenario_hash, with_values
from simulation.experiments.comparison import compare
from simulation.experiments.posterior import (
    Emulator,
    Output,
    Sample,
    draw_sample,
    history_match,
    load_sample,
    write_sample,
)

QUICK = SCENARIOS / "quickstart.toml"
SHORT = ("run.end=2021-09-30",)


def _sample(keys: list[str], values: np.ndarray) -> Sample:
    return Sample(
        keys=keys,
        values=np.asarray(values, dtype=float),
        low=[0.0] * len(keys),
        high=[3.0] * len(keys),
        sources=["test"] * len(keys),
        fitted=[True] * len(keys),
        meta={"method": "test"},
    )


def test_history_matching_recovers_a_known_posterior_and_keeps_an_unidentified_prior():
    """Output y = theta_1 observed at 0.3 with tolerance 0.05; theta_2 enters no output.

    With a uniform prior the posterior of theta_1 is a normal of mean 0.3 and sd 0.05,
    cut at three sds by the implausibility cutoff (sd 0.0493); theta_2 keeps its prior,
    uniform on [0, 1] (sd 0.289).
    """
    rng = np.random.default_rng(1)
    unit = rng.random((40, 2))
    emulator = Emulator(unit, {"y": unit[:, 0]})
    match = history_match(
        emulator, [Output("y", 0.3, 0.05)], {"y": 0.0}, 2, candidates=40_000, seed=3
    )
    assert 0.25 < match.share < 0.35  # the band 0.3 +/- 0.15 of the unit interval
    chosen = match.unit[draw_sample(match, 2000, seed=4)]
    assert chosen[:, 0].mean() == pytest.approx(0.3, abs=0.006)
    assert chosen[:, 0].std() == pytest.approx(0.0493, rel=0.12)
    assert np.abs(chosen[:, 0] - 0.3).max() <= 0.15 + 0.01
    assert chosen[:, 1].std() == pytest.approx(1 / np.sqrt(12), rel=0.1)
    assert chosen[:, 1].min() < 0.05 and chosen[:, 1].max() > 0.95


def test_too_few_plausible_candidates_are_refused():
    unit = np.linspace(0, 1, 20)[:, None]
    emulator = Emulator(unit, {"y": unit[:, 0]})
    match = history_match(emulator, [Output("y", 5.0, 0.01)], {}, 1, candidates=1000)
    with pytest.raises(InputError, match="not implausible"):
        draw_sample(match, 10)


def test_a_sample_file_reads_back_what_was_written(tmp_path):
    sample = _sample(["a.b", "c.d"], [[1.0, 2.0], [1.5, 2.5], [0.5, 1.0]])
    sample = Sample(**{**vars(sample), "low": [np.float64(0.5)] * 2})  # numpy numbers too
    path = write_sample(sample, tmp_path / "s.toml")
    back = load_sample(path)
    assert back.keys == sample.keys and back.low == [0.5, 0.5]
    np.testing.assert_allclose(back.values, sample.values)
    assert back.digest() == sample.digest()
    assert back.draw(4) == back.draw(1)  # draws are taken cyclically
    (tmp_path / "bad.toml").write_text('[[parameter]]\nkey = "a.b"\n[draws]\n"a.b" = ["x"]\n')
    with pytest.raises(InputError, match="numbers only"):
        load_sample(tmp_path / "bad.toml")


def test_a_drawn_te_office_value_moves_the_city_where_it_followed():
    scenario = load_scenario(QUICK)
    drawn = with_values(scenario, {"te_office.monitoring_exit_probability": 0.2})
    assert drawn.te_office.monitoring_exit_probability == 0.2
    assert drawn.city.monitoring_exit_probability == 0.2
    own = load_scenario(QUICK, ["city.monitoring_exit_probability=0.05"])
    drawn = with_values(own, {"te_office.monitoring_exit_probability": 0.2})
    assert drawn.city.monitoring_exit_probability == 0.05
    # The point values themselves change nothing.
    same = with_values(
        scenario,
        {"job_seekers.meeting_effort_boost": 0.0 + scenario.job_seekers.meeting_effort_boost},
    )
    assert scenario_hash(same) == scenario_hash(scenario)


def test_draws_with_zero_spread_reproduce_the_plain_comparison_exactly(tmp_path):
    scenario = load_scenario(QUICK)
    point = scenario.job_seekers.meeting_effort_boost
    sample = _sample(["job_seekers.meeting_effort_boost"], [[point], [point]])
    arms = [str(QUICK), f"c70: {QUICK} city.caseload=70"]
    result = compare(
        arms,
        out=tmp_path / "c",
        replications=2,
        scale=0.05,
        overrides=SHORT,
        plots=False,
        draws=sample,
    )
    for arm in ("quickstart", "c70"):
        plain = pd.read_csv(tmp_path / "c" / arm / "outcomes.csv")
        drawn = pd.read_csv(tmp_path / "c" / "draws" / arm / "outcomes.csv")
        pd.testing.assert_frame_equal(plain, drawn)
    table = result.uncertainty.set_index("measure")
    effects = result.effects.set_index(["group", "measure"])
    row = table.loc["employment_years"]
    assert row["point"] == effects.loc[("all", "employment_years"), "difference"]
    assert (tmp_path / "c" / "uncertainty.md").read_text().count("|") > 10


def test_every_arm_of_a_replication_gets_the_same_draw(tmp_path):
    sample = _sample(["job_seekers.meeting_effort_boost"], [[0.5], [2.5], [1.5]])
    arms = [str(QUICK), f"c70: {QUICK} city.caseload=70"]
    result = compare(
        arms,
        out=tmp_path / "c",
        replications=2,
        scale=0.05,
        overrides=SHORT,
        plots=False,
        draws=sample,
        draw_count=3,
    )
    records = [
        json.loads((tmp_path / "c" / "draws" / arm / "manifest.json").read_text())["draws"]
        for arm in ("quickstart", "c70")
    ]
    assert records[0]["values"] == records[1]["values"] == [[0.5], [2.5], [1.5]]
    assert records[0]["digest"] == sample.digest()
    # The draws differ, so the effect spreads: the draws' interval is not a point.
    years = result.uncertainty.set_index("measure").loc["employment_years"]
    assert years["draws_low"] < years["draws_high"]
    assert years["draws"] == 3


@pytest.mark.slow
def test_draws_do_not_depend_on_the_workers(tmp_path):
    sample = _sample(["job_seekers.meeting_effort_boost"], [[0.5], [2.5]])
    tables = []
    for workers in (1, 2):
        result = compare(
            [str(QUICK), f"c70: {QUICK} city.caseload=70"],
            out=tmp_path / f"w{workers}",
            replications=2,
            scale=0.05,
            overrides=SHORT,
            plots=False,
            workers=workers,
            draws=sample,
        )
        tables.append(result.uncertainty)
    pd.testing.assert_frame_equal(tables[0], tables[1])


def test_compare_with_draws_from_the_command_line(tmp_path):
    scenario = load_scenario(QUICK)
    point = scenario.job_seekers.meeting_effort_boost
    path = write_sample(
        _sample(["job_seekers.meeting_effort_boost"], [[point * 0.5], [point * 1.5]]),
        tmp_path / "s.toml",
    )
    args = ["compare", str(QUICK), f"c70: {QUICK} city.caseload=70", "--out"]
    args += [str(tmp_path / "c"), "-r", "2", "--scale", "0.05"]
    args += ["--set", SHORT[0], "--draws", "2", "--sample", str(path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Over the parameter draws" in result.output
    assert (tmp_path / "c" / "uncertainty.png").stat().st_size > 0
    report = (tmp_path / "c" / "report.html").read_text()
    assert "How sure: effects over the parameter draws" in report
    missing = CliRunner().invoke(main, [*args[:-1], str(tmp_path / "none.toml")])
    assert missing.exit_code == 2 and "needs a posterior sample" in missing.output


def test_the_cost_per_extra_employment_year_needs_a_clear_gain():
    years = np.array([10.0, 12.0, 11.0, 9.0])
    exact = cost_per_year(years * 5000.0, years)
    assert exact["difference"] == pytest.approx(5000.0)
    assert exact["ci_low"] == pytest.approx(5000.0) and exact["ci_high"] == pytest.approx(5000.0)
    noisy = cost_per_year(years * 5000.0 + np.array([1e4, -1e4, 2e4, -2e4]), years)
    assert noisy["ci_low"] < noisy["difference"] < noisy["ci_high"]
    unclear = cost_per_year(np.array([1e5, 2e5, 1e5]), np.array([3.0, -2.0, 0.5]))
    assert all(np.isnan(v) for v in unclear.values())


def test_drivers_name_the_parameter_the_effect_moves_with():
    rng = np.random.default_rng(0)
    values = rng.random((60, 3))
    effect = 4.0 * values[:, 1] + 0.05 * rng.standard_normal(60)
    shares = drivers(effect, values, ["a", "b", "c"])
    assert list(shares)[0] == "b" and shares["b"] > 0.9
    assert shares["a"] < 0.2 and shares["c"] < 0.2
    assert drivers(effect, np.ones((60, 1)), ["constant"]) == {"constant": 0.0}


def test_show_and_the_parameter_table_give_the_sample_ranges(tmp_path):
    from simulation.cli.scenarios import sample_ranges
    from simulation.config.reference import parameter_table

    sample = _sample(["city.caseload"], [[80.0], [100.0], [120.0]])
    path = write_sample(sample, tmp_path / "s.toml")
    ranges = sample_ranges(path)
    assert ranges["city.caseload"][0] == 100.0
    table = parameter_table("markdown", ranges)
    assert "posterior draws" in table and "| 100 (82 .. 118) |" in table
    assert sample_ranges(tmp_path / "none.toml") == {}


def test_a_trial_with_draws_gives_each_replications_arms_one_draw(tmp_path):
    trial = tmp_path / "t.toml"
    trial.write_text(
        f'[trial]\nname = "t"\nscenario = "{QUICK}"\nset = ["run.end=2021-12-31"]\n'
        'eligible = "inflow"\nfirst_week = 0\nlast_week = 8\nshare = 0.5\n'
        "horizon_weeks = 20\nmonths = [3]\nreplications = 2\nscale = 0.05\n"
        "[treatment]\nmeeting_interval_weeks = 2\n"
    )
    path = write_sample(
        _sample(["job_seekers.meeting_effort_boost"], [[0.5], [2.5]]), tmp_path / "s.toml"
    )
    args = ["trial", str(trial), "--out", str(tmp_path / "tr"), "--no-plots"]
    result = CliRunner().invoke(main, [*args, "--draws", "2", "--sample", str(path)])
    assert result.exit_code == 0, result.output
    drawn = tmp_path / "tr-draws"
    manifest = json.loads((drawn / "manifest.json").read_text())
    assert manifest["draws"]["values"] == [[0.5], [2.5]]
    table = pd.read_csv(drawn / "uncertainty.csv")
    assert {"point", "draws_low", "draws_high", "drivers"} <= set(table.columns)
    assert "Over the parameter draws" in result.output


@pytest.mark.slow  # importing the EMA Workbench takes seconds
def test_prim_finds_the_box_where_a_ranking_flips():
    from simulation.analysis.robustness import discover

    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.random((400, 3)), columns=["a.x", "b.y", "c.z"])
    case = ((x["a.x"] > 0.6) & (x["b.y"] < 0.5)).to_numpy()
    found = discover(x, case)
    assert set(found.limits) == {"a.x", "b.y"}
    assert found.limits["a.x"][0] == pytest.approx(0.6, abs=0.05)
    assert found.limits["b.y"][1] == pytest.approx(0.5, abs=0.05)
    assert found.density > 0.9 and found.coverage >= 0.5
    assert discover(x, np.zeros(400, dtype=bool)).limits == {}


def test_a_policy_x_assumption_sweep_pairs_its_arms_draw_by_draw(tmp_path):
    from simulation.experiments.sweep import load_sweep
    from simulation.experiments.sweep_runner import run_sweep

    write_sample(
        _sample(["job_seekers.meeting_effort_boost"], [[0.5], [2.5], [1.5]]), tmp_path / "s.toml"
    )
    (tmp_path / "px.toml").write_text(
        f'[sweep]\nname = "px"\nbase = "{QUICK}"\nscale = 0.05\nseed = 2\n'
        'sample = "s.toml"\nset = ["run.end=2021-09-30"]\n'
        '[[arm]]\nlabel = "as is"\n'
        '[[arm]]\nlabel = "caseload 70"\nset = ["city.caseload=70"]\n'
    )
    sweep = load_sweep(tmp_path / "px.toml")
    assert sweep.names[:2] == ["arm", "draw"] and len(sweep.points) == 6
    assert sweep.overrides(4)[-2:] == ["job_seekers.meeting_effort_boost=2.5", "city.caseload=70"]
    run_sweep(sweep, out=tmp_path / "out", workers=1)
    result = CliRunner().invoke(main, ["robustness", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "caseload 70" in result.output and "of 3" in result.output
    table = pd.read_csv(tmp_path / "out" / "robustness.csv")
    assert table["draws"].tolist() == [3]
    # Each draw's effect is the paired difference of the two arms' runs at that draw.
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    by = runs.set_index(["arm", "draw"])["employment_years"]
    effects = [by[(1, d)] - by[(0, d)] for d in range(3)]
    assert table["median"].iloc[0] == pytest.approx(np.median(effects))
    bad = tmp_path / "bad.toml"
    bad.write_text(
        (tmp_path / "px.toml").read_text().replace('sample = "s.toml"', 'sample = "no.toml"')
    )
    with pytest.raises(InputError, match="sweep.sample"):
        load_sweep(bad)


def test_a_value_inside_a_dated_change_can_be_set():
    scenario = load_scenario(
        SCENARIOS / "reform_2025" / "helsinki_reform.toml", ["timeline[2].city.caseload=100"]
    )
    assert scenario.timeline[1].settings["city"]["caseload"] == 100
    with pytest.raises(InputError, match="there are 2 timeline entries"):
        load_scenario(
            SCENARIOS / "reform_2025" / "helsinki_reform.toml", ["timeline[3].city.caseload=1"]
        )
