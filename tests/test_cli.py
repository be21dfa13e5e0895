"""The command line end to end, and its handling of bad input."""

import json
import subprocess
import sys

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SCENARIOS

from simulation.cli import main
from simulation.config.loading import load_scenario

TABLE_FILES = ("outcomes.csv", "organisers.csv", "services.csv", "labour_market.csv")
PLOT_FILES = ("employment_rate.png", "statuses.png", "caseload.png")
QUICK = ["--scale", "0.2", "--replications", "2", "--set", "run.end=2022-03-31"]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "quick"
    result = CliRunner().invoke(
        main, ["run", str(SCENARIOS / "quickstart.toml"), "--out", str(out), *QUICK]
    )
    assert result.exit_code == 0, result.output
    return out, result


def test_run_writes_the_run_folder(quick_run):
    out, result = quick_run
    for name in (*TABLE_FILES, "summary.json", "manifest.json", *PLOT_FILES):
        assert (out / name).stat().st_size > 0, name
    outcomes = pd.read_csv(out / "outcomes.csv")
    assert set(outcomes["replication"]) == {0, 1}
    assert {"all", "target_group", "long_term_at_start", "under_30", "immigrant", "kela"} <= set(
        outcomes["group"]
    )
    one_row_each = outcomes.groupby(["replication", "week", "group"]).size()
    assert (one_row_each == 1).all()
    statuses = [
        "unemployed",
        "training",
        "pay_subsidy",
        "rehabilitative_work",
        "other_service",
        "employed",
        "out_of_labour_force",
    ]
    assert (outcomes[statuses].sum(axis=1) - outcomes["people"]).abs().max() < 1e-6
    summary = json.loads((out / "summary.json").read_text())
    assert summary["months"] == [6, 12]
    rate = summary["groups"]["all"]["employment_rate"]["12"]
    assert 0 < rate["low"] <= rate["mean"] <= rate["high"] < 1
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 20210301 and manifest["scale"] == 0.2
    assert manifest["spawn_keys"] == [[0], [1]]
    assert manifest["scenario"]["run"]["end"] == "2022-03-31"
    assert manifest["versions"]["mesa"].startswith("3.")
    assert "emp 12m" in result.output and "target_group" in result.output


def test_same_scenario_and_seed_give_identical_files(quick_run, tmp_path):
    first, _ = quick_run
    again = tmp_path / "again"
    result = CliRunner().invoke(
        main, ["run", str(SCENARIOS / "quickstart.toml"), "--out", str(again), *QUICK]
    )
    assert result.exit_code == 0, result.output
    for name in (*TABLE_FILES, "summary.json", *PLOT_FILES):
        assert (first / name).read_bytes() == (again / name).read_bytes(), name
    manifests = [json.loads((d / "manifest.json").read_text()) for d in (first, again)]
    for manifest in manifests:
        manifest.pop("timing")
        manifest.pop("command")
        manifest.pop("seal")  # a hash of the whole manifest, timing included
    assert manifests[0] == manifests[1]


@pytest.mark.slow
def test_workers_do_not_change_results(quick_run, tmp_path):
    first, _ = quick_run
    parallel = tmp_path / "parallel"
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(SCENARIOS / "quickstart.toml"),
            "--out",
            str(parallel),
            "--workers",
            "2",
            "--no-plots",
            *QUICK,
        ],
    )
    assert result.exit_code == 0, result.output
    assert (first / "outcomes.csv").read_bytes() == (parallel / "outcomes.csv").read_bytes()


def test_default_folder_is_named_after_scenario_and_hash(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = [
        "run",
        str(SCENARIOS / "quickstart.toml"),
        "--no-plots",
        "--scale",
        "0.05",
        "--replications",
        "1",
        "--set",
        "run.end=2021-05-31",
    ]
    assert CliRunner().invoke(main, args).exit_code == 0
    folders = list((tmp_path / "results").iterdir())
    assert len(folders) == 1 and folders[0].name.startswith("quickstart-")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--set", "city.caseload=-3"], "city.caseload: expected a value >= 1"),
        (["--set", "city.caseloads=3"], "did you mean 'caseload'"),
        (["--set", "run.end=2020-01-01"], "run.end: expected a date after run.start"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(args, fragment):
    result = CliRunner().invoke(main, ["run", str(SCENARIOS / "quickstart.toml"), *args])
    assert result.exit_code == 2
    assert fragment in result.output
    assert result.output.count("\n") == 1 and result.output.startswith("error: ")
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_bad_file_through_the_installed_command(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[run]\nname = "x"\n[areas.a]\nname = "A"\nunemployed = 10\nshare = 2\n')
    done = subprocess.run(
        [sys.executable, "-m", "simulation.cli", "run", str(bad)], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {bad}: areas.a.share: unknown key; expected one of")
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1


def test_missing_file_and_bad_option():
    result = CliRunner().invoke(main, ["run", "no/such/file.toml"])
    assert result.exit_code == 2 and "file not found" in result.output
    result = CliRunner().invoke(main, ["run", str(SCENARIOS / "quickstart.toml"), "--scale", "3"])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_check_and_params():
    result = CliRunner().invoke(main, ["check", str(SCENARIOS / "municipal_pilot.toml")])
    assert result.exit_code == 0 and "Helsinki" in result.output and "pilot area" in result.output
    result = CliRunner().invoke(main, ["params"])
    assert result.exit_code == 0
    assert "`city.caseload`" in result.output and "assumption" in result.output


def test_the_documented_parameter_table_is_up_to_date():
    from simulation.cli.options import DEFAULT_SAMPLE
    from simulation.cli.scenarios import sample_ranges
    from simulation.config.reference import PARAMETERS_END, PARAMETERS_START, parameter_table

    text = (SCENARIOS.parent / "docs" / "ODD.md").read_text()
    block = text.split(PARAMETERS_START, 1)[1].split(PARAMETERS_END, 1)[0]
    # With the shipped posterior sample's ranges beside the defaults.
    ranges = sample_ranges(SCENARIOS.parent / DEFAULT_SAMPLE)
    assert block.strip() == parameter_table("markdown", ranges).strip(), (
        "run: simulate params --update docs/ODD.md"
    )


def test_compare_runs_paired_scenarios_and_writes_the_comparison(tmp_path):
    variant = tmp_path / "variant.toml"
    variant.write_text(
        f'extends = "{SCENARIOS / "quickstart.toml"}"\n[run]\nname = "caseload_70"\n'
        "[city]\ncaseload = 70\n"
    )
    out = tmp_path / "cmp"
    args = [
        "compare",
        str(SCENARIOS / "quickstart.toml"),
        str(variant),
        "--out",
        str(out),
        "--replications",
        "2",
        "--scale",
        "0.1",
        "--set",
        "run.end=2022-03-31",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Paired replications" in result.output and "caseload_70" in result.output
    effects = pd.read_csv(out / "comparison.csv")
    assert set(effects["scenario"]) == {"caseload_70"}
    assert {
        "employment_rate_12m",
        "days_employed_per_person",
        "activation_rate",
        "state_cost_per_extra_employment_year_eur",
    } <= set(effects["measure"])
    for name in ("comparison.md", "compare_employment.png", "compare_difference.png"):
        assert (out / name).stat().st_size > 0
    # Run folders can be compared again without re-running: the same numbers.
    again = CliRunner().invoke(
        main,
        [
            "compare",
            str(out / "quickstart"),
            str(out / "caseload_70"),
            "--out",
            str(tmp_path / "again"),
            "--no-plots",
        ],
    )
    assert again.exit_code == 0, again.output
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "again" / "comparison.csv"), effects)


def test_compare_and_analyze_report_bad_input_in_one_line(tmp_path):
    result = CliRunner().invoke(
        main, ["compare", str(SCENARIOS / "quickstart.toml"), "nowhere.toml"]
    )
    assert (
        result.exit_code == 2
        and result.output.startswith("error: ")
        and "file not found" in result.output
    )
    result = CliRunner().invoke(main, ["compare", str(SCENARIOS / "quickstart.toml")])
    assert result.exit_code == 2 and "at least two" in result.output
    result = CliRunner().invoke(main, ["analyze", str(tmp_path)])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_arms_carry_their_own_overrides_and_labels_and_identical_arms_are_flagged(tmp_path):
    q = str(SCENARIOS / "quickstart.toml")
    args = [
        "compare",
        q,
        f"caseload 70: {q} city.caseload=70",
        q,
        "-r",
        "2",
        "--scale",
        "0.1",
        "--set",
        "run.end=2021-12-31",
        "--out",
        str(tmp_path / "c"),
        "--no-plots",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "arms 1 and 3" in result.output and "same scenario" in result.output
    effects = pd.read_csv(tmp_path / "c" / "comparison.csv")
    # Two arms of one label are told apart: the second is numbered.
    assert set(effects["scenario"]) == {"caseload 70", "quickstart (2)"}
    seventy = effects[
        (effects["scenario"] == "caseload 70") & (effects["measure"] == "state_cost_eur")
    ]
    assert (seventy["difference"] != 0).all()  # the override reached this arm only
    same = effects[effects["scenario"] == "quickstart"]
    assert (same["difference"].dropna() == 0).all()
    assert (tmp_path / "c" / "caseload_70" / "manifest.json").is_file()


def test_progress_is_reported_in_lines_without_a_terminal(tmp_path):
    args = ["run", str(SCENARIOS / "quickstart.toml"), "-r", "1", "--scale", "0.1"]
    args += ["--set", "run.end=2021-12-31", "--no-plots", "--out", str(tmp_path / "r")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "simulating weeks: 0 of" in result.output
    assert "(50 %)" in result.output and "(100 %)" in result.output


def test_a_comparison_shows_the_cost_breakdown_and_the_realised_staffing(tmp_path):
    q = str(SCENARIOS / "quickstart.toml")
    args = ["compare", q, f"caseload 70: {q} city.caseload=70", "-r", "2", "--scale", "0.1"]
    args += ["--set", "run.end=2021-12-31", "--out", str(tmp_path / "c"), "--no-plots"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    effects = pd.read_csv(tmp_path / "c" / "comparison.csv")
    items = {"state_staff_eur", "municipal_staff_eur", "state_services_eur", "state_benefits_eur"}
    assert items <= set(effects["measure"])
    staffing = pd.read_csv(tmp_path / "c" / "staffing.csv")
    city = staffing[staffing["organiser"] == "City"].set_index("scenario")
    # A set caseload of 70 is the caseload at staffing; the realised one is lower.
    assert city.loc["caseload 70", "caseload"] < 70
    assert (
        city.loc["caseload 70", "meeting_interval_weeks"]
        < city.loc["quickstart", "meeting_interval_weeks"]
    )
    assert "Realised staffing" in (tmp_path / "c" / "comparison.md").read_text()


def test_show_gives_every_value_its_source_and_the_start(tmp_path):
    variant = SCENARIOS / "helsinki" / "pilot_caseload_50.toml"
    result = CliRunner().invoke(main, ["show", str(variant), "--set", "city.lock_in=0.5"])
    assert result.exit_code == 2 and "city.lock_in: unknown key" in result.output
    result = CliRunner().invoke(
        main, ["show", str(variant), "--set", "city.service_capacity_multiplier=2"]
    )
    assert result.exit_code == 0, result.output
    lines = {line.split("=")[0].strip(): line for line in result.output.splitlines() if "#" in line}
    assert lines["city.caseload"].endswith("pilot_caseload_50.toml")
    assert lines["city.service_capacity_multiplier"].endswith("# --set")
    assert "targets_finland.toml" in lines["te_office.service_referral_monthly"]
    assert lines["city.service_referral_monthly"].endswith("# follows te_office")
    assert lines["te_office.caseload"].endswith("# default")
    assert "caseload 50)" in result.output and "target group" in result.output


def test_a_variant_can_drop_an_inherited_area_and_has_its_own_description(tmp_path):
    path = tmp_path / "turku.toml"
    path.write_text(
        f'extends = "{SCENARIOS / "municipal_pilot.toml"}"\n[run]\nname = "turku"\n'
        '[areas]\nhelsinki = false\n[areas.turku]\nname = "Turku"\nunemployed = 17000\n'
    )
    spec = load_scenario(path)
    assert list(spec.areas) == ["turku"]
    assert spec.run.description == ""
    assert list(
        load_scenario(path, ["areas.turku=false", "areas.x.name=X", "areas.x.unemployed=10"]).areas
    ) == ["x"]


def test_show_says_follows_te_office_only_for_the_keys_that_follow_it():
    quickstart = str(SCENARIOS / "quickstart.toml")
    result = CliRunner().invoke(main, ["show", quickstart, "--set", "te_office.caseload=100"])
    assert result.exit_code == 0, result.output
    lines = {line.split("=")[0].strip(): line for line in result.output.splitlines() if "#" in line}
    assert lines["te_office.caseload"].endswith("# --set")
    assert not lines["city.caseload"].endswith("# follows te_office")  # the city's own
