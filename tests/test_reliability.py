"""No silently wrong result after a fault or a hostile input.

Run folders are complete or not there; a second writer is refused; a folder that holds
something else is not overwritten without being told; result files follow the umask;
bad inputs give one line, exit status 2, no traceback, and write nothing.
"""

from __future__ import annotations

import json
import os
import stat

import pytest
from click.testing import CliRunner
from conftest import ROOT, SCENARIOS

from simulation.analysis.results import folder_lock
from simulation.cli import main
from simulation.config.errors import InputError
from simulation.config.loading import load_scenario
from simulation.experiments import runner
from simulation.experiments.runner import run_scenario

QUICK = ["run.end=2021-06-30", "areas.helsinki.unemployed=1500"]


@pytest.fixture
def quick():
    return load_scenario(SCENARIOS / "quickstart.toml", QUICK)


def _files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_rerun_stopped_part_way_leaves_the_earlier_run_whole(quick, tmp_path, monkeypatch):
    out = tmp_path / "run"
    run_scenario(quick, replications=2, out=out, plots=False)
    before = _files(out)
    real = runner.run_seeds

    def stopped(*args, **kwargs):
        for i, item in enumerate(real(*args, **kwargs)):
            if i == 1:
                raise KeyboardInterrupt
            yield item

    monkeypatch.setattr(runner, "run_seeds", stopped)
    with pytest.raises(KeyboardInterrupt):
        run_scenario(quick, replications=2, out=out, plots=False)
    after = {k: v for k, v in _files(out).items() if "manifest" not in str(k)}
    assert after == {k: v for k, v in before.items() if "manifest" not in str(k)}
    assert not (tmp_path / ".run.lock").exists()  # the lock is released


def test_a_second_writer_is_refused_while_the_first_writes(quick, tmp_path):
    out = tmp_path / "run"
    with folder_lock(out), pytest.raises(InputError, match="is writing into it"):
        run_scenario(quick, replications=1, out=out, plots=False)
    run_scenario(quick, replications=1, out=out, plots=False)  # free again


def test_a_lock_left_by_a_dead_process_is_taken_over(quick, tmp_path):
    (tmp_path / ".run.lock").write_text("999999999")
    run_scenario(quick, replications=1, out=tmp_path / "run", plots=False)
    assert (tmp_path / "run" / "manifest.json").is_file()


def test_a_folder_with_something_else_is_not_overwritten_without_being_told(quick, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "summary.json").write_text('{"my": "own work"}')
    with pytest.raises(InputError, match="--overwrite"):
        run_scenario(quick, replications=1, out=out, plots=False)
    assert (out / "summary.json").read_text() == '{"my": "own work"}'
    run_scenario(quick, replications=1, out=out, plots=False, overwrite=True)
    assert "my" not in json.loads((out / "summary.json").read_text())


def test_an_earlier_run_of_the_same_thing_is_replaced_whole(quick, tmp_path):
    out = tmp_path / "run"
    run_scenario(quick, replications=3, out=out, plots=False)
    with pytest.raises(InputError):  # 1 replication is another run
        run_scenario(quick, replications=1, out=out, plots=False)
    run_scenario(quick, replications=1, out=out, plots=False, overwrite=True)
    assert sorted(p.name for p in (out / "replications").iterdir()) == ["0000"]
    run_scenario(quick, replications=1, out=out, plots=False)  # the same again: replaced


def test_result_files_follow_the_umask(quick, tmp_path):
    old = os.umask(0o022)
    try:
        result = run_scenario(quick, replications=1, out=tmp_path / "run", plots=True)
    finally:
        os.umask(old)
    for name in ("outcomes.csv", "summary.json", "manifest.json", "employment_rate.png"):
        mode = stat.S_IMODE((result.folder / name).stat().st_mode)
        assert mode & 0o044 == 0o044, (name, oct(mode))


def test_a_refused_sweep_leaves_the_folder_it_refused_as_it_was(tmp_path):
    grid = (ROOT / "sweeps" / "caseload_x_multisector.toml").read_text()
    grid = grid.replace('base = "', f'base = "{ROOT / "sweeps"}/')
    first = tmp_path / "a.toml"
    first.write_text(grid.replace("replications = 3", "replications = 1"))
    other = tmp_path / "b.toml"
    other.write_text(grid.replace("replications = 3", "replications = 2"))
    out = tmp_path / "sweep"
    (out).mkdir()
    from simulation.experiments.ledger import Ledger
    from simulation.experiments.sweep import load_sweep

    Ledger(out / "ledger.sqlite", load_sweep(first).digest).close()
    (out / "sweep.json").write_text('{"kept": true}')
    result = CliRunner().invoke(main, ["sweep", str(other), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert (out / "sweep.json").read_text() == '{"kept": true}'


# --------------------------------------------------------------------------- bad input

Q = str(SCENARIOS / "quickstart.toml")


def _file(tmp_path, name, content: str | bytes):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(path)


BAD_FILES = {
    "binary": b"\x00\x01\x02\xff\xfe",
    "latin1": '[run]\nname = "caf\xe9"\n'.encode("latin-1"),
    "not_toml": "[run\nname = 1",
    "areas_value": f'extends = "{Q}"\n[areas]\nhelsinki = 5\n',
    "unknown_section": f'extends = "{Q}"\n[runn]\nname = "x"\n',
    "unknown_key": f'extends = "{Q}"\n[run]\nnmae = "x"\n',
    "end_before_start": f'extends = "{Q}"\n[run]\nend = 2020-01-01\n',
    "horizon_too_long": f'extends = "{Q}"\n[run]\nend = 2060-01-01\n',
    "name_traversal": f'extends = "{Q}"\n[run]\nname = "../../x"\n',
    "name_slash": f'extends = "{Q}"\n[run]\nname = "a/b"\n',
    "name_empty": f'extends = "{Q}"\n[run]\nname = ""\n',
    "name_long": f'extends = "{Q}"\n[run]\nname = "{"x" * 300}"\n',
    "name_hidden": f'extends = "{Q}"\n[run]\nname = ".x"\n',
    "negative_unemployed": f'extends = "{Q}"\n[areas.helsinki]\nunemployed = -5\n',
    "share_above_one": f'extends = "{Q}"\n[areas.helsinki]\nimmigrant_share = 1.5\n',
    "nan_share": f'extends = "{Q}"\n[areas.helsinki]\nimmigrant_share = nan\n',
    "inf_caseload": f'extends = "{Q}"\n[city]\ncaseload = inf\n',
    "string_for_number": f'extends = "{Q}"\n[city]\ncaseload = "seventy"\n',
    "bool_for_number": f'extends = "{Q}"\n[city]\ncaseload = true\n',
    "float_for_int": f'extends = "{Q}"\n[city]\nmeeting_interval_weeks = 2.5\n',
    "bad_choice": f'extends = "{Q}"\n[labour_market]\nmatching = "magic"\n',
    "bad_date": f'extends = "{Q}"\n[pilot]\nstart = "next year"\n',
    "pilot_outside": f'extends = "{Q}"\n[pilot]\nstart = 2030-01-01\n',
    "extends_missing": 'extends = "no_such.toml"\n',
    "extends_number": "extends = 5\n",
    "extends_itself": 'extends = "self.toml"\n',
    "service_bad_status": f'extends = "{Q}"\n[services.x]\nprovider = "state"\nstatus = "x"\n'
    "places_per_1000 = 1.0\nduration_weeks = 4\n",
    "service_missing_key": f'extends = "{Q}"\n[services.x]\nprovider = "state"\n',
    "service_bad_barrier": f'extends = "{Q}"\n[services.social_work]\naddresses = ["luck"]\n',
    "sixteen_services": f'extends = "{Q}"\n'
    + "".join(
        f'[services.s{i}]\nprovider = "state"\nstatus = "training"\n'
        "places_per_1000 = 1.0\nduration_weeks = 4\n"
        for i in range(16)
    ),
    "no_areas": '[run]\nname = "x"\n',
    "education_shares": f'extends = "{Q}"\n[job_seekers]\neducation_multipliers = [1.0]\n',
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_scenario_files_give_one_line_and_write_nothing(tmp_path, monkeypatch, name):
    path = _file(
        tmp_path, "self.toml" if name == "extends_itself" else f"{name}.toml", BAD_FILES[name]
    )
    monkeypatch.chdir(tmp_path)
    before = set(tmp_path.rglob("*"))
    result = CliRunner().invoke(main, ["run", path, "--out", "out"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and path.split("/")[-1] in lines[0], result.output
    assert set(tmp_path.rglob("*")) == before


BAD_OPTIONS = [
    ["run", Q, "--set", "city.caseloads=70"],
    ["run", Q, "--set", "areas.helsinki=5"],
    ["run", Q, "--set", "run.name=../x"],
    ["run", Q, "--set", "nonsense"],
    ["run", Q, "--set", "=5"],
    ["run", Q, "--set", "city.caseload=[1,2]"],
    ["run", Q, "--scale", "nan"],
    ["run", Q, "--scale", "0"],
    ["run", Q, "--scale", "2"],
    ["run", Q, "-r", "0"],
    ["run", Q, "-r", "1000000000"],
    ["run", Q, "-w", "0"],
    ["run", Q, "--seed", "-1"],
    ["run", Q, "--out", ""],
    ["run", Q, "--set", "areas.helsinki.unemployed=0", "-r", "1"],
    ["run", Q, "--set", "areas.helsinki.vacancies=0", "-r", "1"],
    ["run", "no/such/file.toml"],
    ["run", str(SCENARIOS)],
    ["check", Q, "--set", "te_office.caseload=-1"],
    ["compare", Q],
    ["analyze", str(SCENARIOS)],
    ["sweep", Q],
    ["trial", Q],
    ["fit-report", Q, "--targets", Q],
    ["calibrate", Q],
]


@pytest.mark.parametrize("args", BAD_OPTIONS, ids=lambda a: " ".join(a[:1] + a[2:])[:60])
def test_bad_options_give_one_line_and_write_nothing(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.output.strip(), "an explanation"
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- comparisons


def test_compare_refuses_runs_of_different_horizons_unless_told(quick, tmp_path):
    from simulation.analysis.compare import compare_arms, load_arm

    short = load_scenario(SCENARIOS / "quickstart.toml", ["run.end=2021-04-30", QUICK[1]])
    a = run_scenario(quick, replications=2, out=tmp_path / "a", plots=False).folder
    b = run_scenario(short, replications=2, out=tmp_path / "b", plots=False).folder
    with pytest.raises(InputError, match="different horizons"):
        compare_arms([load_arm(a), load_arm(b)])
    result = compare_arms([load_arm(a), load_arm(b)], common_weeks=True)
    effects = result.effects.set_index(["group", "measure"])["difference"]
    # The same scenario over the shared weeks: no difference, costs included (they were
    # summed over each run's own horizon, a large "difference" for the same scenario).
    assert effects[("all", "state_cost_eur")] == pytest.approx(0.0, abs=1e-6)
    assert effects[("all", "days_employed_per_person")] == pytest.approx(0.0, abs=1e-9)


def test_compare_runs_with_different_replications_as_independent_samples(quick, tmp_path):
    from simulation.analysis.compare import compare_arms, load_arm

    a = run_scenario(quick, replications=3, out=tmp_path / "a", plots=False).folder
    b = run_scenario(quick, replications=2, seed=9, out=tmp_path / "b", plots=False).folder
    result = compare_arms([load_arm(a), load_arm(b)])
    assert not result.paired
    assert result.effects["difference"].notna().any()


def test_a_truncated_table_is_named_not_compared(quick, tmp_path):
    from simulation.analysis.compare import load_arm

    a = run_scenario(quick, replications=2, out=tmp_path / "a", plots=False).folder
    text = (a / "outcomes.csv").read_text().splitlines()
    (a / "outcomes.csv").write_text("\n".join(text[: len(text) // 2]) + "\n")
    with pytest.raises(InputError, match="outcomes.csv"):
        load_arm(a)
    (a / "manifest.json").write_text("{not json")
    with pytest.raises(InputError, match="manifest.json"):
        load_arm(a)


# --------------------------------------------------------------------------- limits


def test_runs_that_cannot_fit_in_memory_are_refused_before_any_work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ["run", Q, "--set", "areas.helsinki.inflow_per_week=10000000", "--out", "x"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "GiB" in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_memory_estimate_grows_with_people_and_runs_in_flight(quick):
    from simulation.experiments.seeds import memory_estimate

    one = memory_estimate(quick, 0.5)
    assert memory_estimate(quick, 1.0) > 1.3 * one
    assert memory_estimate(quick, 0.5, in_flight=4) == 4 * one


@pytest.mark.slow
def test_workers_end_when_their_parent_is_killed(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(
        "import time\n"
        "from simulation.experiments.executors import ProcessExecutor\n"
        "if __name__ == '__main__':\n"
        "    with ProcessExecutor(2) as ex:\n"
        "        futures = [ex.submit(time.sleep, 60) for _ in range(2)]\n"
        "        time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, str(script)])
    try:
        deadline = time.time() + 30
        children: list[int] = []
        while time.time() < deadline and len(children) < 2:
            time.sleep(0.5)
            found = subprocess.run(
                ["pgrep", "-P", str(parent.pid)], capture_output=True, text=True
            ).stdout.split()
            children = [int(pid) for pid in found]
        assert len(children) >= 2, "the workers started"  # and the resource tracker
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.time() + 20
        while time.time() < deadline and any(os.path.exists(f"/proc/{c}") for c in children):
            time.sleep(0.2)
        alive = [c for c in children if os.path.exists(f"/proc/{c}")]
        assert alive == [], "workers outlived their parent"
    finally:
        parent.kill()


# --------------------------------------------------------------------------- more bad input

TARGETS = ROOT / "calibration" / "targets_finland.toml"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (('key = "job_seekers.employability_sd"', 'key = "job_seekers.employability_sdd"'), "key"),
        (
            (
                'key = "te_office.service_referral_monthly"\nlow = 0.02',
                'key = "te_office.service_referral_monthly"\nlow = -0.5',
            ),
            "low",
        ),
        (
            (
                'key = "job_seekers.detachment_multiplier"\nlow = 0.05\nhigh = 1.0',
                'key = "job_seekers.detachment_multiplier"\nlow = 0.05\nhigh = 7.0',
            ),
            "high",
        ),
    ],
)
def test_calibration_free_parameters_must_be_scenario_parameters_within_their_range(
    tmp_path, change, key
):
    from simulation.config.errors import TargetsFileError
    from simulation.experiments.targets import load_targets

    text = TARGETS.read_text()
    assert change[0] in text
    path = tmp_path / "targets.toml"
    text = text.replace(*change).replace('"../scenarios/', f'"{SCENARIOS}/')
    path.write_text(text.replace('"../trials/', f'"{ROOT / "trials"}/'))
    with pytest.raises(TargetsFileError) as caught:
        load_targets(path)
    assert caught.value.key.endswith(key)


def test_a_start_file_with_a_non_number_is_one_line(tmp_path, monkeypatch):
    start = tmp_path / "start.toml"
    start.write_text('[job_seekers]\nemployability_sd = "high"\n')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["calibrate", str(TARGETS), "--start", str(start)])
    assert result.exit_code == 2 and "employability_sd" in result.output
    assert "Traceback" not in result.output


def test_unsorted_cost_sharing_thresholds_are_refused(tmp_path):
    with pytest.raises(InputError, match="ascending"):
        load_scenario(Q, ["costs.municipal_share_thresholds=[1000.0, 300.0]"])


def test_a_fit_report_on_too_short_a_horizon_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ["fit-report", Q, "--targets", str(TARGETS), "--set", "run.end=2021-03-20"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "first_week" in result.output


def test_a_damaged_ledger_is_one_line(tmp_path, monkeypatch):
    out = tmp_path / "sweep"
    out.mkdir()
    (out / "ledger.sqlite").write_bytes(b"this is not a database" * 100)
    result = CliRunner().invoke(
        main, ["sweep", str(ROOT / "sweeps" / "caseload_x_multisector.toml"), "--out", str(out)]
    )
    assert result.exit_code == 2 and "ledger" in result.output
    assert "Traceback" not in result.output


def test_a_second_sweep_into_the_same_folder_is_refused(tmp_path):
    from simulation.experiments.sweep_runner import run_sweep

    out = tmp_path / "sweep"
    with folder_lock(out), pytest.raises(InputError, match="is writing into it"):
        run_sweep(ROOT / "sweeps" / "caseload_x_multisector.toml", out=out)


def test_an_invalid_interior_grid_value_is_refused_before_running(tmp_path):
    from simulation.config.errors import SweepFileError
    from simulation.experiments.sweep import load_sweep

    text = (ROOT / "sweeps" / "caseload_x_multisector.toml").read_text()
    text = text.replace('base = "', f'base = "{ROOT / "sweeps"}/')
    text = text.replace("values = [50, 100, 150, 250]", "values = [50, -100, 150, 250]")
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(SweepFileError, match="caseload"):
        load_sweep(path)
