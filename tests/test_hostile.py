"""Hostile inputs of the reliability issue: each one refused in one line, or handled.

Grouped by the kind of fault; each case failed (was silently wrong or a traceback)
before its fix.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SCENARIOS, ctrl_c_as_from_a_terminal

from simulation.cli import main
from simulation.config.errors import ScenarioError
from simulation.config.loading import load_scenario

Q = str(SCENARIOS / "quickstart.toml")


def _refused(args: list[str], *fragments: str) -> str:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    line = result.output.strip().splitlines()[-1]
    assert line.startswith("error: ") and "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output
    return result.output


# ---------------------------------------------------------- 1. names silently ignored


def test_a_misspelt_area_to_leave_out_is_refused():
    _refused(["check", Q, "--set", "areas.helsinkii=false"], "no area 'helsinkii'", "helsinki")


def test_a_misspelt_service_to_leave_out_is_refused_on_the_command_line_and_in_a_file(tmp_path):
    _refused(["show", Q, "--set", "services.social_wrk=false"], "no service 'social_wrk'")
    variant = tmp_path / "v.toml"
    variant.write_text(f'extends = "{Q}"\n[services]\nsocial_wrk = false\n')
    with pytest.raises(ScenarioError, match="no service 'social_wrk'"):
        load_scenario(variant)
    # Leaving out one that is there still works.
    variant.write_text(f'extends = "{Q}"\n[services]\nsocial_work = false\n')
    assert "social_work" not in load_scenario(variant).services


def test_an_inline_table_merges_into_the_inherited_area_and_is_labelled_as_set():
    base = load_scenario(Q)
    inline = load_scenario(Q, ['areas.helsinki={name="X", unemployed=100}'])
    area = inline.areas["helsinki"]
    assert area.name == "X" and area.unemployed == 100
    assert area.immigrant_share == base.areas["helsinki"].immigrant_share  # inherited
    shown = CliRunner().invoke(main, ["show", Q, "--set", 'areas.helsinki={name="X"}'])
    line = next(x for x in shown.output.splitlines() if x.startswith("areas.helsinki.name "))
    assert line.endswith("# --set")


# ------------------------------------------------- 4. silently wrong trials and sweeps


def _trial(tmp_path, **settings) -> str:
    lines = [
        "[trial]",
        'name = "t"',
        f'scenario = "{Q}"',
        'set = ["run.end=2021-12-31"]',  # 44 weeks
        'eligible = "inflow"',
        "first_week = 0",
        "last_week = 4",
        "share = 0.5",
        "replications = 2",
        "scale = 0.05",
    ]
    lines += [f"{k} = {v}" for k, v in settings.items()]
    path = tmp_path / "t.toml"
    path.write_text("\n".join([*lines, "[treatment]", "meeting_interval_weeks = 2", ""]))
    return str(path)


def test_a_trial_follow_up_past_the_scenarios_end_is_refused(tmp_path):
    _refused(
        ["trial", _trial(tmp_path, horizon_weeks=104, months="[3]")],
        "trial.horizon_weeks",
        "expected at most 40",
    )


def test_a_trial_month_past_the_scenarios_end_is_refused(tmp_path):
    _refused(
        ["trial", _trial(tmp_path, horizon_weeks=20, months="[2, 48]")],
        "trial.months",
        "month 48",
    )


@pytest.mark.parametrize("key", ["run.seed", "run.scale"])
def test_sweeping_a_value_the_sweep_sets_itself_is_refused(tmp_path, key):
    path = tmp_path / "s.toml"
    path.write_text(
        f'[sweep]\nname = "s"\nbase = "{Q}"\n[design]\nmethod = "grid"\n'
        f'[parameters."{key}"]\nvalues = [0.01, 0.2]\n'
    )
    _refused(["sweep", str(path), "--dry-run"], key, "would change nothing")


# ------------------------------------------------------------------- 5. tracebacks


def test_a_run_beyond_the_calendar_is_refused_before_any_work(tmp_path):
    out = tmp_path / "r"
    args = ["run", Q, "--out", str(out), "--scale", "0.05", "-r", "1", "--no-plots"]
    args += ["--set", "run.start=9999-01-04", "--set", "run.end=9999-12-31"]
    args += ["--set", "timeline=[]", "--set", "pilot.start=9999-01-04"]
    _refused(args, "run.end", "2199-12-31")
    assert not list(tmp_path.iterdir())  # no partial folder left behind


def test_an_endless_extends_chain_is_refused(tmp_path):
    for i in range(1100):  # as deep as the case that met Python's recursion limit
        (tmp_path / f"s{i}.toml").write_text(f'extends = "s{i + 1}.toml"\n')
    (tmp_path / "s1100.toml").write_text(f'extends = "{Q}"\n')
    _refused(["check", str(tmp_path / "s0.toml")], "extends", "at most 50")


def test_a_targets_file_without_targets_is_refused(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text('target = []\n[meta]\ndescription = "x"\n')
    _refused(["fit-report", Q, "--targets", str(path)], "expected at least one [[target]]")


def test_params_update_of_a_file_that_is_not_text_is_refused(tmp_path):
    path = tmp_path / "bad.md"
    path.write_bytes(b"\xff\xfe<!-- parameters:start -->\n<!-- parameters:end -->\n")
    _refused(["params", "--update", str(path)], "expected a UTF-8 text file")


# ------------------------------------- 2. files that are not the run's own, folders mixed

SM = ["--scale", "0.05", "-r", "1", "--no-plots", "--set", "run.end=2021-06-30"]


def test_a_link_as_the_run_folder_is_followed_every_time(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "target").mkdir()
    (tmp_path / "link").symlink_to("target")
    for _ in range(2):
        result = CliRunner().invoke(main, ["run", Q, "--out", "link", *SM])
        assert result.exit_code == 0, result.output
    assert (tmp_path / "link").is_symlink()
    assert (tmp_path / "target" / "manifest.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "target"]


def test_the_working_folder_or_one_holding_the_scenario_is_never_the_run_folder(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "my.toml"
    mine.write_text(f'extends = "{Q}"\n')
    (tmp_path / "notes.md").write_text("mine\n")
    _refused(["run", str(mine), "--out", str(tmp_path), "--overwrite", *SM], "of its own")
    _refused(["run", Q, "--out", str(tmp_path), "--overwrite", *SM], "working folder")
    (tmp_path / "sub").mkdir()
    inner = tmp_path / "sub" / "my.toml"
    inner.write_text(f'extends = "{Q}"\n')
    _refused(["run", str(inner), "--out", "sub", "--overwrite", *SM], "holds the scenario")
    assert mine.is_file() and inner.is_file() and (tmp_path / "notes.md").is_file()


def test_a_comparison_is_not_written_into_a_run_folder(tmp_path):
    run = CliRunner().invoke(main, ["run", Q, "--out", str(tmp_path / "A"), *SM])
    assert run.exit_code == 0, run.output
    before = sorted(p.name for p in (tmp_path / "A").iterdir())
    args = ["compare", Q, f"c70: {Q} city.caseload=70", "-r", "2", "--scale", "0.05"]
    args += ["--set", "run.end=2021-06-30", "--no-plots", "--out", str(tmp_path / "A")]
    _refused(args, "is a run folder")
    assert sorted(p.name for p in (tmp_path / "A").iterdir()) == before


# ----------------------------------------------------------- 3. damaged run folders


@pytest.fixture(scope="module")
def intact_run(tmp_path_factory) -> Path:
    """One small run folder, made once; the tests below damage copies of it."""
    folder = tmp_path_factory.mktemp("intact") / "run"
    result = CliRunner().invoke(
        main,
        ["run", Q, "--out", str(folder), "--scale", "0.05", "-r", "2"]
        + ["--no-plots", "--set", "run.end=2021-06-30"],
    )
    assert result.exit_code == 0, result.output
    return folder


def _two_runs(tmp_path, intact_run: Path) -> list[str]:
    """Two copies of the intact run (A and B) and the command that compares them."""
    for name in ("A", "B"):
        shutil.copytree(intact_run, tmp_path / name)
    return ["compare", str(tmp_path / "A"), str(tmp_path / "B"), "--no-plots"]


def test_a_damaged_table_or_manifest_is_refused(tmp_path, intact_run):
    args = _two_runs(tmp_path, intact_run)
    intact = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "c0")])
    assert intact.exit_code == 0, intact.output
    outcomes = tmp_path / "B" / "outcomes.csv"
    original = outcomes.read_text()
    lines = original.splitlines(keepends=True)
    last = max(i for i, line in enumerate(lines) if line.startswith("0,") and ",all," in line)
    outcomes.write_text("".join(lines[:last] + lines[last + 1 :]))  # one row less
    _refused([*args, "--out", str(tmp_path / "c1")], "outcomes.csv", "checksum")
    outcomes.write_text(original.replace(",all,", ",all,", 1).replace("0.", "1.", 1))
    _refused([*args, "--out", str(tmp_path / "c2")], "outcomes.csv", "checksum")
    outcomes.write_text(original)
    manifest = tmp_path / "B" / "manifest.json"
    text = manifest.read_text()
    manifest.write_text(text.replace('"seed": ', '"seed": 1', 1))
    _refused([*args, "--out", str(tmp_path / "c3")], "manifest.json", "seal")
    manifest.write_text(text)


def _damage(path, how: str) -> None:
    """A column dropped, a word among the numbers, or a row from the middle taken out."""
    frame = pd.read_csv(path)
    if how == "column":
        frame = frame.drop(columns=["days_employed_per_person"])
    elif how == "word":
        frame["state_staff"] = frame["state_staff"].astype(object)
        frame.loc[3, "state_staff"] = "lots"
    else:
        frame = frame.drop(index=len(frame) // 2)
    frame.to_csv(path, index=False)


@pytest.mark.parametrize(
    ("table", "how", "said"),
    [
        ("outcomes", "column", "no column days_employed_per_person"),
        ("labour_market", "word", "expected numbers"),
        ("outcomes", "middle", "incomplete"),
        ("labour_market", "middle", "incomplete"),
    ],
)
@pytest.mark.parametrize("sealed", [True, False])
def test_a_damaged_table_is_refused_with_or_without_checksums(
    tmp_path, intact_run, table, how, said, sealed
):
    import json

    args = _two_runs(tmp_path, intact_run)
    manifest = tmp_path / "B" / "manifest.json"
    if not sealed:  # a folder written before manifests had checksums
        data = json.loads(manifest.read_text())
        data.pop("seal"), data.pop("tables")
        manifest.write_text(json.dumps(data))
    _damage(tmp_path / "B" / f"{table}.csv", how)
    _refused([*args, "--out", str(tmp_path / "c")], f"{table}.csv", "checksum" if sealed else said)


# ------------------------------------------------------------------- 6. the lock


_ACQUIRER = """
import contextlib, os, random, sys, time
from pathlib import Path

from simulation.analysis.results import folder_lock
from simulation.config.errors import InputError

folder, tries, seed = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
pick = random.Random(seed)
marker = folder.parent / "holder"
lock = folder.parent / f".{folder.name}.lock"
clashes = 0
for _ in range(tries):
    if pick.random() < 0.3:  # a stale lock file of a process long gone (or pid 1)
        with contextlib.suppress(OSError):
            lock.write_text(pick.choice(["999999", "1", ""]))
    try:
        with folder_lock(folder):
            try:
                fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                clashes += 1
                continue
            os.close(fd)
            time.sleep(0.002)  # hold it a moment, as a writer does
            os.unlink(marker)
    except InputError:
        pass  # refused while another holds it: fine
print(clashes)
"""


@pytest.mark.slow
def test_the_folder_lock_never_has_two_holders(tmp_path):
    import subprocess

    script = tmp_path / "acquire.py"
    script.write_text(_ACQUIRER)
    folder = str(tmp_path / "run")
    workers = [
        subprocess.Popen(
            [sys.executable, str(script), folder, "250", str(i)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    clashes = [int(w.communicate(timeout=300)[0].strip()) for w in workers]
    assert all(w.returncode == 0 for w in workers)
    assert sum(clashes) == 0  # in 1,000 tries, never two holders at once


def test_a_stale_lock_naming_a_live_unrelated_process_does_not_block(tmp_path):
    from simulation.analysis.results import folder_lock

    (tmp_path / ".run.lock").write_text("1")  # pid 1 is alive, and not ours
    with folder_lock(tmp_path / "run"):
        assert (tmp_path / ".run.lock").read_text() == str(os.getpid())


def test_ctrl_c_inside_a_compiled_pass_ends_with_one_line_and_130():
    import click

    from simulation.cli.options import user_errors

    @click.command()
    @user_errors
    def interrupted() -> None:
        try:
            try:
                raise KeyboardInterrupt
            except KeyboardInterrupt:
                raise RuntimeError("while unwinding") from None
        except RuntimeError as error:
            raise SystemError("CPUDispatcher(<function census>) returned a result") from error

    result = CliRunner().invoke(interrupted, [])
    assert result.exit_code == 130, result.output
    assert "interrupted:" in result.output and "Traceback" not in result.output


def test_a_whole_number_parameter_freed_without_integer_is_refused(tmp_path):
    from simulation.config.errors import TargetsFileError
    from simulation.experiments.targets import load_targets

    path = tmp_path / "t.toml"
    path.write_text(
        '[[target]]\nstatistic = "long_term_share_end"\nobserved = 0.3\ntolerance = 0.02\n'
        '[[free]]\nkey = "job_seekers.detachment_weeks"\nlow = 52\nhigh = 156\n'
    )
    with pytest.raises(TargetsFileError, match="free\\[0\\].integer"):
        load_targets(path)
    path.write_text(path.read_text() + "integer = true\n")
    assert load_targets(path).free[0].integer


# ------------------------------------------------------------------- weak cases


def test_a_byte_order_mark_is_not_an_error(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + f'extends = "{Q}"\n'.encode())
    assert load_scenario(path).run.name == "quickstart"


def test_a_parameter_freed_twice_is_refused(tmp_path):
    from simulation.config.errors import TargetsFileError
    from simulation.experiments.targets import load_targets

    free = '[[free]]\nkey = "job_seekers.between_jobs_share"\nlow = 0.0\nhigh = 0.5\n'
    path = tmp_path / "t.toml"
    path.write_text(
        '[[target]]\nstatistic = "long_term_share_end"\nobserved = 0.3\ntolerance = 0.02\n'
        + free
        + free
    )
    with pytest.raises(TargetsFileError, match="free\\[1\\].key.*listed twice"):
        load_targets(path)


def test_show_into_a_closed_pipe_ends_quietly(tmp_path):
    import subprocess

    command = f"{sys.executable} -m simulation.cli show {Q} | head -1"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "Broken pipe" not in done.stderr and "Traceback" not in done.stderr


def test_an_arm_label_with_html_is_shown_as_text_in_comparison_md(tmp_path):
    args = ["compare", Q, f"<script>x</script>: {Q} city.caseload=70", "-r", "2"]
    args += ["--scale", "0.05", "--set", "run.end=2021-06-30", "--no-plots"]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "c" / "comparison.md").read_text()
    assert "<script>" not in text and "&lt;script&gt;x&lt;/script&gt;" in text


@pytest.mark.parametrize("target", ["folder", "/dev/zero", "fifo"])
def test_extends_naming_no_regular_file_says_what_it_is(tmp_path, target):
    if target == "folder":
        (tmp_path / "folder").mkdir()
    if target == "fifo":
        os.mkfifo(tmp_path / "fifo")
    (tmp_path / "v.toml").write_text(f'extends = "{target}"\n')
    said = "got a folder" if target == "folder" else "got a pipe or device"
    _refused(["check", str(tmp_path / "v.toml")], "extends", said)
    if target == "fifo":  # read directly, a pipe would block until written
        _refused(["check", str(tmp_path / "fifo")], "got a pipe or device")


def test_timeline_errors_hint_at_dropping_changes_and_name_the_set(tmp_path):
    base = SCENARIOS / "baseline_te_office.toml"
    (tmp_path / "short.toml").write_text(f'extends = "{base}"\n[run]\nend = 2021-12-31\n')
    _refused(["check", str(tmp_path / "short.toml")], "timeline = []")
    _refused(["check", Q, "--set", 'timeline=[{date=2030-01-01, label="x"}]'], "(--set)")
    (tmp_path / "dt.toml").write_text(
        f'extends = "{Q}"\n[[timeline]]\ndate = 2022-01-01T00:00:00\nlabel = "x"\n'
        "[timeline.city]\ncaseload = 70\n"
    )
    _refused(["check", str(tmp_path / "dt.toml")], "timeline[2].date", "without a time")


def test_set_keys_and_values_mean_what_they_say(tmp_path):
    _refused(["show", Q, "--set", "city.caseload=70\nte_office.caseload=50"], "on one line")
    _refused(["show", Q, "--set", '"city.caseload"=70'], "without quotes")
    # A quoted name may hold a dot: an area called st.michel can be set.
    path = tmp_path / "dotted.toml"
    path.write_text(f'extends = "{Q}"\n[areas."st.michel"]\nname = "St Michel"\nunemployed = 800\n')
    scenario = load_scenario(path, ['areas."st.michel".unemployed=900'])
    assert scenario.areas["st.michel"].unemployed == 900


def test_usage_errors_are_one_line():
    for args in (["run", Q, "-r", "0"], ["params", "--format", "xml"], ["nosuch"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2
        assert result.output.strip().count("\n") == 0 and result.output.startswith("error: ")


def test_an_out_folder_through_a_file_is_refused_before_the_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "f.txt").write_text("")
    _refused(["run", Q, "--out", "f.txt/run", *SM], "f.txt is a file")
    _refused(["compare", Q, Q, "--out", "f.txt/c", "-r", "2", "--scale", "0.05"], "f.txt is a file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt"]


def test_scenarios_compared_with_a_folder_pair_with_it_and_horizons_are_checked_first(tmp_path):
    import json

    from simulation.experiments.comparison import parse_arm

    a = str(tmp_path / "A")
    assert CliRunner().invoke(main, ["run", Q, "--out", a, *SM[:3], "2", *SM[4:]]).exit_code == 0
    # Different horizons: refused before anything is simulated.
    _refused(["compare", a, Q, "--out", str(tmp_path / "c0")], "different horizons")
    assert not (tmp_path / "c0").exists()
    _refused(["compare", a, a, "--set", "city.caseload=70"], "every arm is a run folder")
    args = ["compare", a, f"c=70: {Q} city.caseload=70", "--set", "run.end=2021-06-30"]
    result = CliRunner().invoke(main, [*args, "--no-plots", "--out", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    made = json.loads((tmp_path / "c" / "c_70" / "manifest.json").read_text())
    assert (made["scale"], made["replications"]) == (0.05, 2)  # the folder's, as paired
    assert parse_arm(f"x=y: {Q}").label == "x=y"
    same = CliRunner().invoke(main, ["compare", a, a, "--no-plots", "--out", str(tmp_path / "s")])
    assert "same scenario" in same.output


def test_a_trial_that_treats_nobody_is_refused(tmp_path):
    path = _trial(tmp_path, horizon_weeks=20, months="[3]")
    trial_file = Path(path)  # the inflow is never long-term unemployed at the start
    trial_file.write_text(
        trial_file.read_text().replace("share = 0.5", 'share = 0.5\ngroup = "long_term_at_start"')
    )
    _refused(["trial", path, "--out", str(tmp_path / "t")], "nobody was treated")
    assert "--overwrite" in CliRunner().invoke(main, ["trial", "--help"]).output


def test_targets_count_flows_within_the_run_and_start_files_name_parameters(tmp_path):
    from simulation.config.errors import InputError
    from simulation.experiments.calibrate import start_values

    path = tmp_path / "t.toml"
    path.write_text(
        "[meta]\nflows_until = 2020-01-01\n"
        '[[target]]\nstatistic = "long_term_share_end"\nobserved = 0.3\ntolerance = 0.02\n'
    )
    _refused(["fit-report", Q, "--targets", str(path)], "meta.flows_until")
    start = tmp_path / "start.toml"
    start.write_text("[job_seekers]\nmeeting_efort_boost = 1.2\n")
    with pytest.raises(InputError, match="did you mean 'job_seekers.meeting_effort_boost'"):
        start_values(start)


def test_a_sobol_design_must_be_a_power_of_two(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        f'[sweep]\nname = "s"\nbase = "{Q}"\n[design]\nmethod = "sobol"\nsamples = 10\n'
        '[parameters."city.caseload"]\nlow = 50\nhigh = 150\n'
    )
    _refused(["sweep", str(path), "--dry-run"], "power of two", "8 or 16")


def test_a_week_without_caseworkers_has_an_empty_caseload_not_inf():
    import datetime as dt

    import numpy as np

    from simulation.core.records import Recorder, RecordLayout, tables

    layout = RecordLayout(dt.date(2021, 3, 1), 2, 1.0, ["a"], [("a", "City")], [])
    recorder = Recorder(layout)
    recorder.caseworkers[:, 0], recorder.clients[:, 0] = [0, 2], [5, 10]
    caseload = tables(recorder)["organisers"]["caseload"].to_numpy()
    assert np.isnan(caseload[0]) and caseload[1] == 5


def test_arm_labels_with_html_are_text_in_every_markdown_table():
    import pandas as pd

    from simulation.analysis.budget import yearly_markdown

    table = pd.DataFrame(
        [
            {"scenario": "<b>x</b>", "year": 2025, "measure": "employment_years"}
            | {"difference": 1.0, "ci_low": 0.0, "ci_high": 2.0}
        ]
    )
    assert "&lt;b&gt;x&lt;/b&gt;" in yearly_markdown(table)


def test_a_group_that_selects_nobody_is_warned_of(tmp_path):
    args = ["run", Q, "--out", str(tmp_path / "r"), *SM, "--set", "pilot.target_under_age=0"]
    args += ["--set", "pilot.target_not_earnings_related=false"]
    result = CliRunner().invoke(main, [*args, "--set", "pilot.target_immigrants=false"])
    assert result.exit_code == 0, result.output
    assert "warning: the group target_group has nobody" in result.output


@pytest.mark.slow
@pytest.mark.parametrize("after", [2.5, 4.5])
def test_ctrl_c_during_a_larger_run_ends_with_one_line_and_130(tmp_path, after):
    import signal
    import subprocess
    import time

    args = [sys.executable, "-m", "simulation.cli", "run", Q, "--out", str(tmp_path / "r")]
    args += ["--scale", "1", "-r", "2", "--no-plots"]
    args += ["--set", "areas.helsinki.unemployed=300000"]
    with ctrl_c_as_from_a_terminal():  # even where the tests run with Ctrl-C ignored
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(after)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    lines = [line for line in err.splitlines() if not line.startswith("simulating")]
    assert process.returncode == 130, err
    assert "Traceback" not in err and lines[-1].startswith("interrupted:")


def test_a_comparison_rerun_with_other_settings_is_refused_unless_overwrite(tmp_path):
    args = ["compare", Q, f"b: {Q} city.caseload=70", "--set", "run.end=2021-06-30"]
    args += ["--scale", "0.05", "--no-plots", "--out", str(tmp_path / "c")]
    assert CliRunner().invoke(main, [*args, "-r", "2"]).exit_code == 0
    _refused([*args, "-r", "3"], "--overwrite")  # the option it names exists
    again = CliRunner().invoke(main, [*args, "-r", "3", "--overwrite"])
    assert again.exit_code == 0, again.output
    assert "| b | all | employment_years |" in again.output


def test_params_update_of_a_pipe_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "p.md")
    _refused(["params", "--update", str(tmp_path / "p.md")], "got a pipe or device")


def test_ctrl_c_is_taken_between_weeks_and_a_second_one_at_once():
    with ctrl_c_as_from_a_terminal():
        _ctrl_c_between_weeks()


def _ctrl_c_between_weeks():
    import signal

    from simulation.cli.options import progress_bar

    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt), progress_bar(10, "weeks") as bar:
        bar.update(1)
        signal.raise_signal(signal.SIGINT)  # during a week: only noted
        noted = bar.requested
        bar.update(1)  # the next week's report raises it
    assert noted
    with pytest.raises(KeyboardInterrupt), progress_bar(10, "weeks") as bar:
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)  # a second Ctrl-C interrupts at once
        raise AssertionError("not reached")
    with pytest.raises(KeyboardInterrupt), progress_bar(10, "weeks") as bar:
        signal.raise_signal(signal.SIGINT)  # the work ends (or fails) before a report
    assert signal.getsignal(signal.SIGINT) is before  # the handler is put back


def test_a_process_started_with_ctrl_c_ignored_keeps_ignoring_it():
    import signal

    from simulation.cli.options import progress_bar

    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with progress_bar(10, "weeks") as bar:
            signal.raise_signal(signal.SIGINT)
            bar.update(1)
        assert not bar.requested
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)
