"""Golden regression: the quick start's summary and a Helsinki run's key tables.

The stored files in ``tests/golden/`` are what the model gave when they were last
updated on purpose. Any change to a rule, a parameter default, a random stream or the
order of the weekly step changes them, and these tests fail. To accept a change that
is meant (and say why in the commit), update them with

    .venv/bin/python -m pytest tests/test_golden.py --update-golden

and commit the new files with the change.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS

from simulation.config.loading import load_scenario
from simulation.core.records import STATUS_COLUMNS
from simulation.experiments.runner import run_scenario

GOLDEN = Path(__file__).resolve().parent / "golden"
#: Tight enough that any behavioural change fails; loose enough for libm differences.
RTOL = 1e-9

HELSINKI_COLUMNS = {
    "outcomes": [
        "replication",
        "week",
        "group",
        "people",
        *STATUS_COLUMNS,
        "long_term_unemployed",
        "days_employed_per_person",
    ],
    "organisers": [
        "replication",
        "week",
        "area",
        "organiser",
        "caseworkers",
        "clients",
        "meetings",
        "meeting_interval_weeks",
        "overdue_meetings",
    ],
    "services": ["replication", "week", "area", "service", "places", "occupied", "queue"],
    "labour_market": None,  # every column
}


@pytest.fixture(scope="module")
def quickstart_summary(tmp_path_factory) -> dict:
    scenario = load_scenario(SCENARIOS / "quickstart.toml")
    out = tmp_path_factory.mktemp("quickstart")
    return run_scenario(scenario, out=out, plots=False).summary


@pytest.fixture(scope="module")
def helsinki_tables(tmp_path_factory) -> dict[str, pd.DataFrame]:
    scenario = load_scenario(SCENARIOS / "municipal_pilot.toml")
    out = tmp_path_factory.mktemp("helsinki")
    result = run_scenario(scenario, replications=1, scale=0.05, out=out, plots=False)
    tables = {}
    for name, columns in HELSINKI_COLUMNS.items():
        frame = result.tables[name]
        tables[name] = frame if columns is None else frame[columns]
    return tables


def _same_table(stored: pd.DataFrame, current: pd.DataFrame, name: str) -> None:
    """The same columns and rows; numbers equal to ``RTOL``."""
    assert list(stored.columns) == list(current.columns)
    assert len(stored) == len(current)
    for column in stored.columns:
        a, b = stored[column].to_numpy(), current[column].to_numpy()
        if np.issubdtype(a.dtype, np.number):
            np.testing.assert_allclose(b, a, rtol=RTOL, atol=0.0, err_msg=f"{name}.{column}")
        else:
            assert list(a) == list(b), f"{name}.{column}"


def _close(stored, current, path: str) -> None:
    """Equal structure; numbers equal to ``RTOL`` (NaN equals NaN)."""
    if isinstance(stored, dict):
        assert set(stored) == set(current), f"{path}: keys differ"
        for key in stored:
            _close(stored[key], current[key], f"{path}.{key}")
    elif isinstance(stored, list):
        assert len(stored) == len(current), f"{path}: lengths differ"
        for i, (a, b) in enumerate(zip(stored, current, strict=True)):
            _close(a, b, f"{path}[{i}]")
    elif isinstance(stored, float) or isinstance(current, float):
        assert np.isclose(stored, current, rtol=RTOL, atol=0.0, equal_nan=True), (
            f"{path}: stored {stored!r}, now {current!r}"
        )
    else:
        assert stored == current, f"{path}: stored {stored!r}, now {current!r}"


def test_the_quick_start_summary_is_the_stored_one(quickstart_summary, update_golden):
    path = GOLDEN / "quickstart_summary.json"
    current = json.loads(json.dumps(quickstart_summary))
    if update_golden:
        path.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")
    stored = json.loads(path.read_text())
    _close(stored, current, "summary")


@pytest.mark.parametrize("name", list(HELSINKI_COLUMNS))
def test_the_helsinki_tables_are_the_stored_ones(helsinki_tables, name, update_golden):
    path = GOLDEN / f"helsinki_{name}.csv"
    current = helsinki_tables[name].reset_index(drop=True)
    if update_golden:
        current.to_csv(path, index=False, lineterminator="\n", float_format="%.17g")
    _same_table(pd.read_csv(path), current, name)


@pytest.fixture(scope="module")
def helsinki_without_timeline(tmp_path_factory) -> dict[str, pd.DataFrame]:
    scenario = load_scenario(SCENARIOS / "municipal_pilot.toml", ["timeline=[]"])
    out = tmp_path_factory.mktemp("helsinki_without_timeline")
    result = run_scenario(scenario, replications=1, scale=0.05, out=out, plots=False)
    return {
        name: result.tables[name] if columns is None else result.tables[name][columns]
        for name, columns in HELSINKI_COLUMNS.items()
    }


@pytest.mark.parametrize("name", list(HELSINKI_COLUMNS))
def test_an_empty_timeline_gives_the_records_from_before_timelines(
    helsinki_without_timeline, name, update_golden
):
    """First stored by the model before it had timelines: an empty one changes nothing.

    Stored again (``--update-golden``) only with the other golden files, when a change
    of the model or its fitted values is meant to change the records.
    """
    path = GOLDEN / "without_timeline" / f"helsinki_{name}.csv"
    current = helsinki_without_timeline[name].reset_index(drop=True)
    if update_golden:
        current.to_csv(path, index=False, lineterminator="\n", float_format="%.17g")
    _same_table(pd.read_csv(path), current, name)
