"""Shared scenario builders for the tests."""

from __future__ import annotations

import os
import sys

# Each worker imports the package and some twenty test modules, and the command-line
# tests start the package again in processes of their own: compiled once into
# ``__pycache__`` (git-ignored), not at every start, even where the environment says not
# to write bytecode (PYTHONDONTWRITEBYTECODE), which costs every process seconds.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

import contextlib  # noqa: E402
import copy  # noqa: E402
import signal  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import numba  # noqa: E402
import pytest  # noqa: E402

from simulation.config.loading import apply_overrides  # noqa: E402
from simulation.config.scenario import Scenario, scenario_from_dict  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"

# The tests run many small models, where a second thread mostly waits for the first, and
# pytest-xdist gives each worker process a core of its own: one thread per process.
# (Results do not depend on it: ``test_results_do_not_depend_on_the_number_of_threads``.)
numba.set_num_threads(1)

BASE = {
    "run": {"name": "test", "start": "2021-03-01", "end": "2022-02-28", "seed": 7},
    "pilot": {"enabled": True},
    "areas": {
        "town": {"name": "Town", "unemployed": 3000},
        "village": {"name": "Village", "unemployed": 800, "pilot": False},
    },
    "services": {
        "training": {
            "provider": "state",
            "status": "training",
            "places_per_1000": 150.0,
            "duration_weeks": 10,
            "employability_gain": 0.2,
        },
        "social_work": {
            "provider": "city",
            "status": "parallel",
            "places_per_1000": 20.0,
            "duration_weeks": 8,
            "addresses": ["social", "health"],
            "barrier_removal_probability": 0.5,
        },
        "rehabilitative_work": {
            "provider": "city",
            "status": "rehabilitative_work",
            "places_per_1000": 30.0,
            "duration_weeks": 12,
            "addresses": ["social"],
            "barrier_removal_probability": 0.3,
        },
    },
}

#: Everything that makes job finding differ between people or over time, switched off.
CONSTANT_HAZARD = [
    "job_seekers.employability_sd=0.0",
    "job_seekers.education_multipliers=[1.0, 1.0, 1.0]",
    "job_seekers.age_55_plus_multiplier=1.0",
    "job_seekers.immigrant_multiplier=1.0",
    "job_seekers.long_term_multiplier_at_start=1.0",
    "job_seekers.barrier_multiplier=1.0",
    "job_seekers.duration_penalty=1.0",
    "job_seekers.meeting_effort_boost=0.0",
    "job_seekers.out_of_labour_force_monthly=0.0",
    "job_seekers.registration_lapse_monthly=0.0",
    "job_seekers.return_monthly=0.0",
    "te_office.vacancy_referral_probability=0.0",
    "te_office.monitoring_exit_probability=0.0",
    "te_office.service_referral_monthly=0.0",
    "te_office.multisector_access=0.0",
    "pilot.enabled=false",
    "labour_market.vacancy_elasticity=0.0",
    "areas.town.inflow_per_week=0.0",
]


def build(overrides: list[str] | tuple[str, ...] = (), base: dict | None = None) -> Scenario:
    """A validated scenario from the test base with ``key=value`` overrides."""
    data = apply_overrides(copy.deepcopy(base or BASE), list(overrides))
    return scenario_from_dict(data, "<test>")


def single_area(overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """One area, no services: the smallest setting for analytic checks."""
    data = copy.deepcopy(BASE)
    del data["areas"]["village"]
    data["services"] = {}
    return build(overrides, data)


def fortnightly_experiment(folder: Path, extra: str = "") -> Path:
    """A targets file with one register target and one small trial as its experiment.

    The trial (``trial.toml`` in ``folder``) gives fortnightly early meetings to the
    quick start's registrations of weeks 2-8; ``extra`` is added to the targets file.
    """
    quickstart = SCENARIOS / "quickstart.toml"
    (folder / "trial.toml").write_text(
        f'[trial]\nname = "t"\nscenario = "{quickstart}"\n'
        'set = ["run.end=2021-12-31"]\nfirst_week = 2\nlast_week = 8\nhorizon_weeks = 20\n'
        "months = [3]\n[treatment]\nearly_interval_weeks = 2\nearly_period_weeks = 8\n"
        "spare_capacity_meetings = false\nmeetings_per_caseworker_week = 60\n"
    )
    path = folder / "targets.toml"
    path.write_text(
        '[meta]\nfirst_week = 4\n[[target]]\nstatistic = "hazard_to_employment_1"\n'
        "observed = 0.18\ntolerance = 0.15\nrelative = true\n"
        '[[experiment]]\nname = "fortnightly"\ntrial = "trial.toml"\n'
        'outcome = "days_unemployed"\nobserved = -5.0\ntolerance = 10.0\nreplications = 2\n' + extra
    )
    return path


@contextlib.contextmanager
def ctrl_c_as_from_a_terminal() -> Iterator[None]:
    """Ctrl-C handled as Python does by default while the block runs, then as before.

    The tests may run with Ctrl-C ignored (a job in the background of a script), which a
    child process inherits; one started in the block takes it as from a terminal.
    """
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


@pytest.fixture
def scenario() -> Scenario:
    return build()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the stored golden results (tests/golden/) with what the model gives now",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
