"""Sweeps: validation, executors that agree value for value, resume after a kill, analysis."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT, ctrl_c_as_from_a_terminal

from simulation.analysis.sensitivity import analyze
from simulation.cli import main
from simulation.config.errors import SweepFileError
from simulation.experiments import sweep as sweep_module
from simulation.experiments.sweep import load_sweep
from simulation.experiments.sweep_runner import run_sweep

GRID = f"""
[sweep]
name = "grid"
base = "{ROOT / "scenarios" / "quickstart.toml"}"
replications = 2
seed = 5
scale = 0.05
set = ["run.end=2021-09-30"]

[design]
method = "grid"

[parameters."city.caseload"]
values = [70, 150]

[parameters."city.service_capacity_multiplier"]
values = [0.5, 2.0]
"""

ISHIGAMI = """
[sweep]
name = "ishigami"
model = "ishigami"
seed = 3

[design]
method = "saltelli"
samples = {samples}

[parameters.x1]
low = -3.141592653589793
high = 3.141592653589793
[parameters.x2]
low = -3.141592653589793
high = 3.141592653589793
[parameters.x3]
low = -3.141592653589793
high = 3.141592653589793
"""


def write(tmp_path, text, name="sweep.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def outputs(folder):
    table = pd.read_parquet(folder / "runs.parquet")
    return (
        table.drop(columns=["seconds", "attempts", "error"])
        .sort_values("run")
        .reset_index(drop=True)
    )


@pytest.fixture(scope="module")
def serial_grid(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serial")
    path = write(folder, GRID)
    result = run_sweep(path, out=folder / "out", workers=1)
    assert result.done == result.total == 8
    return path, outputs(folder / "out")


def test_the_design_has_every_grid_point_and_each_run_its_outcomes(serial_grid):
    path, table = serial_grid
    sweep = load_sweep(path)
    assert sorted(map(tuple, sweep.points.tolist())) == [
        (70, 0.5),
        (70, 2.0),
        (150, 0.5),
        (150, 2.0),
    ]
    assert list(table["replication"]) == [0, 1] * 4
    assert (table["days_employed_per_person_all"] > 0).all()
    assert table["activation_rate_end"].between(0, 1).all()
    assert "employment_rate_12m_all" not in table  # beyond the 7-month horizon


@pytest.mark.slow
def test_two_local_workers_equal_the_serial_sweep(serial_grid, tmp_path):
    path, serial = serial_grid
    run_sweep(path, out=tmp_path / "pool", workers=2)
    pd.testing.assert_frame_equal(outputs(tmp_path / "pool"), serial)


@pytest.mark.dask
def test_a_dask_cluster_on_loopback_equals_the_serial_sweep(serial_grid, tmp_path):
    distributed = pytest.importorskip("distributed")
    path, serial = serial_grid
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        run_sweep(path, out=tmp_path / "dask", scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(outputs(tmp_path / "dask"), serial)


@pytest.mark.slow
def test_a_killed_sweep_resumes_without_running_finished_runs_again(serial_grid, tmp_path):
    path, serial = serial_grid
    out = tmp_path / "killed"
    command = [
        sys.executable,
        "-m",
        "simulation.cli",
        "sweep",
        str(path),
        "--out",
        str(out),
        "--workers",
        "1",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ledger = out / "ledger.sqlite"
    deadline = time.time() + 120
    done_before = []
    while time.time() < deadline and process.poll() is None:
        if ledger.exists():
            try:
                with sqlite3.connect(ledger) as db:
                    done_before = db.execute("SELECT run FROM runs WHERE state='done'").fetchall()
            except sqlite3.OperationalError:  # the ledger is still being created
                done_before = []
            if len(done_before) >= 3:
                break
        time.sleep(0.05)
    assert process.poll() is None, "the sweep finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    with sqlite3.connect(ledger) as db:
        done_before = [r[0] for r in db.execute("SELECT run FROM runs WHERE state='done'")]
    assert 3 <= len(done_before) < 8
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    table = pd.read_parquet(out / "runs.parquet")
    assert (table["state"] == "done").all()
    assert (table.set_index("run").loc[done_before, "attempts"] == 1).all()
    pd.testing.assert_frame_equal(outputs(out), serial)


def test_a_run_that_raises_is_recorded_and_the_others_complete(tmp_path, monkeypatch):
    path = write(tmp_path, ISHIGAMI.format(samples=8))
    original = sweep_module._ishigami_outputs

    def sometimes_failing(task):
        if task.run.index == 3:
            raise RuntimeError("this run breaks")
        return original(task)

    monkeypatch.setattr(sweep_module, "_ishigami_outputs", sometimes_failing)
    result = run_sweep(path, out=tmp_path / "out", workers=1)
    assert (result.done, result.failed) == (result.total - 1, 1)
    table = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    failed = table[table["state"] == "failed"].iloc[0]
    assert failed["run"] == 3 and "this run breaks" in failed["error"]
    assert not np.isnan(failed["x1"])  # its parameters are recorded
    monkeypatch.setattr(sweep_module, "_ishigami_outputs", original)
    again = run_sweep(path, out=tmp_path / "out", workers=1)  # resume retries the failure
    assert (again.done, again.failed) == (again.total, 0)


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """The analytic first- and total-order Sobol indices of the Ishigami function on
    [-pi, pi]^3 (Saltelli et al. 2008, the partial variances written out)."""
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    total = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / total, np.array([v1 + v13, v2, v13]) / total


def test_the_analytic_ishigami_indices_are_the_published_ones():
    first, total = ishigami_indices()
    assert np.allclose(first, [0.3139, 0.4424, 0.0], atol=1e-4)
    assert np.allclose(total, [0.5576, 0.4424, 0.2437], atol=1e-4)


def test_analyze_recovers_the_known_ishigami_indices(tmp_path):
    path = write(tmp_path, ISHIGAMI.format(samples=1024))
    run_sweep(path, out=tmp_path / "out", workers=1)
    analysis = analyze(tmp_path / "out", seed=1)
    indices = analysis.indices
    first, total = ishigami_indices()
    assert np.all(np.abs(indices["first_order"] - first) <= indices["first_order_conf"])
    assert np.all(np.abs(indices["total_order"] - total) <= indices["total_order_conf"])
    assert (tmp_path / "out" / "indices-y.png").exists()
    assert (tmp_path / "out" / "sensitivity-y.csv").exists()


def test_analyze_warns_when_the_sample_is_too_small(tmp_path):
    path = write(tmp_path, ISHIGAMI.format(samples=32))
    run_sweep(path, out=tmp_path / "out", workers=1)
    analysis = analyze(tmp_path / "out")
    assert any("not stable" in w for w in analysis.warnings)


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (
            lambda t: t.replace("values = [70, 150]", "vals = [70, 150]"),
            'parameters."city.caseload".vals',
        ),
        (lambda t: t.replace("values = [70, 150]", "values = [70, -1]"), "parameters (point 2)"),
        (lambda t: t.replace('method = "grid"', 'method = "gird"'), "design.method"),
        (lambda t: t.replace("replications = 2", "replications = 0"), "sweep.replications"),
        (lambda t: t.replace('method = "grid"', 'method = "lhs"'), 'parameters."city.caseload"'),
    ],
)
def test_bad_sweep_files_are_reported_like_scenarios(tmp_path, edit, key):
    path = write(tmp_path, edit(GRID))
    with pytest.raises(SweepFileError) as caught:
        load_sweep(path)
    assert caught.value.key == key
    result = CliRunner().invoke(main, ["sweep", str(path), "--dry-run"])
    assert result.exit_code == 2 and result.output.startswith("error: ")
    assert "Traceback" not in result.output


def test_dry_run_counts_and_estimates(tmp_path):
    path = write(tmp_path, GRID)
    result = CliRunner().invoke(
        main, ["sweep", str(path), "--dry-run", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    assert "4 points x 2 replications = 8 runs, 8 to do" in result.output
    assert not (tmp_path / "o" / "runs.parquet").exists()


def test_the_shipped_example_sweep_is_valid():
    sweep = load_sweep(ROOT / "sweeps" / "caseload_x_multisector.toml")
    assert len(sweep.points) == 12 and sweep.settings.replications == 3


@pytest.mark.slow
def test_a_sweep_killed_again_and_again_resumes_to_the_uninterrupted_results(tmp_path):
    """Ten SIGKILLs and five Ctrl-Cs at random moments; then a run to the end.

    The runs' values and their time series equal those of an uninterrupted sweep, and
    no run that was done when a signal came is run again.
    """
    import random

    text = (
        GRID.replace('name = "grid"', 'name = "grid_series"')
        .replace("scale = 0.05", "scale = 0.05\ntimeseries = true")
        .replace("replications = 2", "replications = 4")
    )
    path = write(tmp_path, text)
    clean = tmp_path / "clean"
    run_sweep(path, out=clean, workers=1)
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "simulation.cli", "sweep", str(path), "--out", str(out)]
    pick = random.Random(11)
    done_attempts: dict[int, int] = {}
    interrupted = 0
    for sig in [signal.SIGKILL] * 10 + [signal.SIGINT] * 5:
        with ctrl_c_as_from_a_terminal():
            process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        time.sleep(pick.uniform(0.3, 2.0))
        if process.poll() is None:
            process.send_signal(sig)
            interrupted += 1
        process.wait(timeout=60)
        if (out / "ledger.sqlite").exists():
            with sqlite3.connect(out / "ledger.sqlite") as db:
                rows = db.execute("SELECT run, attempts FROM runs WHERE state='done'").fetchall()
            for run, attempts in rows:
                done_attempts.setdefault(run, attempts)
    assert interrupted >= 8  # most signals came while the sweep was running
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    table = pd.read_parquet(out / "runs.parquet").set_index("run")
    assert (table["state"] == "done").all()
    for run, attempts in done_attempts.items():
        assert table.loc[run, "attempts"] == attempts, f"run {run} was done, then run again"
    pd.testing.assert_frame_equal(outputs(out), outputs(clean))
    series = sorted(p.name for p in (clean / "series").iterdir())
    assert series == sorted(p.name for p in (out / "series").iterdir())
    for name in series:
        assert (out / "series" / name).read_bytes() == (clean / "series" / name).read_bytes()


def test_analyses_of_two_outputs_sit_side_by_side(tmp_path):
    path = write(tmp_path, GRID)
    run_sweep(path, out=tmp_path / "out", workers=1)
    analyze(tmp_path / "out", output="days_employed_per_person_all")
    analyze(tmp_path / "out", output="activation_rate_end")
    for output in ("days_employed_per_person_all", "activation_rate_end"):
        assert (tmp_path / "out" / f"response_surface-{output}.png").is_file()
        assert (tmp_path / "out" / f"outcome_by_parameter-{output}.png").is_file()
