"""Scenario files: inheritance, overrides, and every kind of bad input."""

import datetime as dt

import pytest
from conftest import BASE, SCENARIOS, build

from simulation.config.loading import load_scenario
from simulation.config.scenario import ScenarioError


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


MINIMAL = """
[run]
name = "minimal"
[areas.a]
name = "A"
unemployed = 100
"""


@pytest.mark.parametrize("name", ["quickstart", "baseline_te_office", "municipal_pilot"])
def test_shipped_scenarios_load(name):
    scenario = load_scenario(SCENARIOS / f"{name}.toml")
    assert scenario.run.name == name
    assert scenario.weeks > 100


def test_a_variant_inherits_and_changes_only_what_it_lists():
    baseline = load_scenario(SCENARIOS / "baseline_te_office.toml")
    pilot = load_scenario(SCENARIOS / "municipal_pilot.toml")
    assert not baseline.pilot.enabled and pilot.pilot.enabled
    assert pilot.areas == baseline.areas
    assert pilot.services == baseline.services
    assert pilot.run.start == dt.date(2021, 3, 1) and pilot.run.end == dt.date(2024, 12, 31)


def test_defaults_fill_what_a_file_leaves_out(tmp_path):
    scenario = load_scenario(write(tmp_path, "m.toml", MINIMAL))
    assert scenario.city.multisector_competence_share == 0.5  # the city's own default
    assert scenario.te_office.multisector_competence_share == 0.1
    assert scenario.areas["a"].long_term_share == pytest.approx(0.294)


def test_overrides_are_applied_and_typed(tmp_path):
    path = write(tmp_path, "m.toml", MINIMAL)
    scenario = load_scenario(path, ["city.caseload=70", "run.end=2022-01-31", "pilot.enabled=true"])
    assert scenario.city.caseload == 70.0
    assert scenario.run.end == dt.date(2022, 1, 31)
    assert scenario.pilot.enabled is True


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        (MINIMAL + "[city]\ncaseloda = 3\n", "city.caseloda", "did you mean 'caseload'"),
        (MINIMAL + "[cty]\ncaseload = 3\n", "cty", "did you mean 'city'"),
        (MINIMAL + "[city]\ncaseload = -5\n", "city.caseload", ">= 1"),
        (MINIMAL + '[city]\ncaseload = "many"\n', "city.caseload", "expected a number"),
        (MINIMAL + "[pilot]\nseconded_share = 1.5\n", "pilot.seconded_share", "<= 1"),
        (MINIMAL + "[pilot]\nenabled = 1\n", "pilot.enabled", "true or false"),
        (MINIMAL.replace("[areas.a]", "[run2]\n[areas.a]"), "run2", "unknown key"),
        (
            MINIMAL.replace('name = "minimal"', 'name = "m"\nstart = 2022-01-01\nend = 2021-01-01'),
            "run.end",
            "after run.start",
        ),
        (
            MINIMAL.replace("unemployed = 100", "unemployed = 1.5"),
            "areas.a.unemployed",
            "whole number",
        ),
        (MINIMAL.replace("unemployed = 100", ""), "areas.a.unemployed", "missing"),
        (
            MINIMAL + '[services.s]\nprovider = "state"\nstatus = "trainin"\n'
            "places_per_1000 = 1.0\nduration_weeks = 4\n",
            "services.s.status",
            "'training'",
        ),
        (
            MINIMAL.replace(
                "unemployed = 100", "unemployed = 100\neducation_shares = [0.5, 0.6, 0.1]"
            ),
            "areas.a.education_shares",
            "summing to 1",
        ),
        ('[run]\nname = "x"\n', "areas", "missing; expected one or more tables [areas.<name>]"),
    ],
)
def test_bad_values_name_the_file_the_key_and_what_was_expected(tmp_path, text, key, fragment):
    path = write(tmp_path, "bad.toml", text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    error = caught.value
    assert error.key == key
    assert fragment in error.message
    assert str(path) in str(error) and "\n" not in str(error)


def test_syntax_errors_and_missing_files(tmp_path):
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(write(tmp_path, "broken.toml", "[run\nname="))
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "absent.toml")


def test_inheritance_chains_and_cycles(tmp_path):
    write(tmp_path, "base.toml", MINIMAL)
    write(tmp_path, "mid.toml", 'extends = "base.toml"\n[city]\ncaseload = 80\n')
    leaf = write(tmp_path, "leaf.toml", 'extends = "mid.toml"\n[te_office]\ncaseload = 90\n')
    scenario = load_scenario(leaf)
    assert (scenario.city.caseload, scenario.te_office.caseload) == (80.0, 90.0)
    write(tmp_path, "a.toml", 'extends = "b.toml"\n')
    write(tmp_path, "b.toml", 'extends = "a.toml"\n')
    with pytest.raises(ScenarioError, match="circular"):
        load_scenario(tmp_path / "a.toml")
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(write(tmp_path, "orphan.toml", 'extends = "nowhere.toml"\n'))


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("city.caseload=-1", "city.caseload"),
        ("city.casload=10", "city.casload"),
        ("run.end=yesterday", "run.end"),
        ("run.name.first=1", "run.name.first"),
        ("novalue", "novalue"),
    ],
)
def test_bad_overrides_are_reported_like_bad_files(tmp_path, override, key):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path, "m.toml", MINIMAL), [override])
    assert caught.value.key == key


def test_the_test_base_is_valid():
    scenario = build()
    assert set(scenario.areas) == set(BASE["areas"])


@pytest.mark.parametrize(
    "name", ["baseline_te_office", "municipal_pilot", "quickstart", "finland_2021"]
)
def test_shipped_scenarios_use_the_fitted_parameters(name):
    import tomllib

    fitted_file = SCENARIOS.parent / "calibration" / "fitted" / "targets_finland.toml"
    fitted = tomllib.loads(fitted_file.read_text())
    targets = tomllib.loads((SCENARIOS.parent / "calibration" / "targets_finland.toml").read_text())
    free = [f["key"] for f in targets["free"]]
    scenario = load_scenario(SCENARIOS / f"{name}.toml")
    for key in free:
        *path, field = key.split(".")
        value, section = fitted, scenario
        for part in path:
            value = value[part]
            section = section[part] if isinstance(section, dict) else getattr(section, part)
        assert getattr(section, field) == pytest.approx(value[field]), key


def test_the_city_refers_to_services_as_the_te_office_unless_told_otherwise(tmp_path):
    text = (
        MINIMAL + "[te_office]\nservice_referral_monthly = 0.12\nservice_referral_decline = 0.4\n"
    )
    scenario = load_scenario(write(tmp_path, "s.toml", text))
    assert scenario.city.service_referral_monthly == 0.12
    assert scenario.city.service_referral_decline == 0.4
    assert scenario.city.multisector_access == 1.0  # the city's own default stays
    own = load_scenario(
        write(tmp_path, "c.toml", text + "[city]\nservice_referral_monthly = 0.3\n")
    )
    assert own.city.service_referral_monthly == 0.3
    assert own.city.service_referral_decline == 0.4
