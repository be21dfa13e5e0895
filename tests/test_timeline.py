"""Policy timelines: dated changes applied in their week, staffing that follows, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import SCENARIOS, build

from simulation.cli import main
from simulation.config.errors import ScenarioError
from simulation.core.model import EmploymentModel
from simulation.core.population import Status
from simulation.core.records import tables

QUICK = str(SCENARIOS / "quickstart.toml")


def timeline(*entries: str) -> str:
    return "timeline=[" + ", ".join("{" + e + "}" for e in entries) + "]"


def test_a_change_applies_in_the_week_that_holds_its_date():
    # run.start is a Monday; 2021-06-09 is the Wednesday of week 14.
    scenario = build(["pilot.enabled=false", timeline("date=2021-06-09, te_office={caseload=40}")])
    assert scenario.week_of(scenario.timeline[0].date) == 14
    model = EmploymentModel(scenario, seed=3)
    offices = [o for o in model.organisers if o.kind == 0]
    model.run_for(14)  # weeks 0..13: the caseload of the scenario
    before = [len(o.caseworkers) for o in offices]
    p = model.job_seekers
    registered = p.status <= Status.OTHER_SERVICE
    clients = [np.count_nonzero(registered & (p.organiser == o.index)) for o in offices]
    assert model.spec.te_office.caseload == scenario.te_office.caseload
    model.run_for(1)  # week 14: the change is in force from its start
    assert model.spec.te_office.caseload == 40
    for office, count, served in zip(offices, before, clients, strict=True):
        assert served > 0
        assert len(office.caseworkers) == max(1, -(-served // 40)) > count
    organisers = tables(model.recorder)["organisers"]
    realised = organisers[organisers["organiser"] == "TEOffice"].groupby("week")["caseworkers"]
    assert realised.sum().loc[13] < realised.sum().loc[14]
    model.run_for(10)
    after = tables(model.recorder)["organisers"]
    staff = after[after["organiser"] == "TEOffice"].groupby("week")["caseworkers"].sum()
    assert staff.loc[14] == staff.loc[model.week]  # the staff stays as hired


def test_a_change_to_the_values_in_force_changes_nothing():
    plain = build()
    caseload = plain.te_office.caseload
    same = build([timeline(f"date=2021-05-12, te_office={{caseload={caseload}}}")])
    a, b = EmploymentModel(plain, seed=2), EmploymentModel(same, seed=2)
    a.run_for(30)
    b.run_for(30)
    for name, table in tables(a.recorder).items():
        assert table.equals(tables(b.recorder)[name]), name


def test_meeting_policy_changes_for_new_spells_and_the_interval_follows():
    nordic = (
        "first_meeting_weeks=1, early_interval_weeks=2, early_period_weeks=13, "
        "spare_capacity_meetings=false, meetings_per_caseworker_week=60"
    )
    scenario = build(["pilot.enabled=false", timeline(f"date=2021-08-02, te_office={{{nordic}}}")])
    model = EmploymentModel(scenario, seed=4)
    model.run_for(50)
    organisers = tables(model.recorder)["organisers"]
    te = organisers[organisers["organiser"] == "TEOffice"]
    weekly = te.groupby("week")["meeting_interval_new_weeks"].mean()
    change = scenario.week_of(scenario.timeline[0].date)
    assert weekly.loc[change + 8 : 49].mean() < 3.0
    assert weekly.loc[5 : change - 1].mean() > 6.0


def test_the_reform_moves_every_client_and_the_te_office_staff_to_the_city():
    reform = timeline(
        "date=2021-09-06, pilot={serves_everyone=true, all_areas=true}, te_office={open=false}"
    )
    scenario = build(["pilot.enabled=true", "areas.village.pilot=false", reform])
    model = EmploymentModel(scenario, seed=5)
    model.run_for(scenario.week_of(scenario.timeline[0].date))
    p = model.job_seekers
    registered = lambda: (p.status <= Status.OTHER_SERVICE) & (p.trial_arm == 0)  # noqa: E731
    assert np.any(p.organiser[registered()] % 2 == 0)  # TE offices serve some before
    headcount = [
        len(model.organisers[2 * a].caseworkers) + len(model.organisers[2 * a + 1].caseworkers)
        for a in range(2)
    ]
    model.run_for(3)
    assert np.all(p.organiser[registered()] % 2 == 1)  # the cities serve all after
    assert all(len(o.caseworkers) == 0 for o in model.organisers if o.kind == 0)
    # The TE offices' staff moved to the cities: each area keeps its headcount.
    assert [len(model.organisers[2 * a + 1].caseworkers) for a in range(2)] == headcount


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (
            timeline(
                "date=2022-05-02, te_office={caseload=100}", "date=2022-01-03, city={caseload=50}"
            ),
            "timeline[2].date: expected a date after the change before (2022-05-02)",
        ),
        (
            timeline("date=2030-01-01, te_office={caseload=100}"),
            "timeline[1].date: expected a date within run.start .. run.end",
        ),
        (timeline("date=2022-05-02, te_office={caseloads=100}"), "did you mean 'caseload'"),
        (timeline("date=2022-05-02, job_seekers={employability_sd=1}"), "not changeable on a date"),
        (timeline("date=2022-05-02, te_office={caseload=0}"), "timeline[1].te_office.caseload"),
        (
            timeline("date=2022-05-02, te_office={open=false}"),
            "timeline[1].te_office.open: a closed TE office would keep clients without staff",
        ),
        (timeline("label='no date', te_office={caseload=100}"), "timeline[1].date: missing"),
    ],
)
def test_bad_timelines_get_one_line_and_exit_status_2(change, fragment):
    result = CliRunner().invoke(main, ["run", QUICK, "--set", change])
    assert result.exit_code == 2, result.output
    assert fragment in result.output
    assert result.output.count("\n") == 1 and result.output.startswith("error: ")


def test_a_timeline_error_names_the_file_and_key():
    with pytest.raises(ScenarioError) as error:
        build([timeline("date=2021-05-03, services={nothing={duration_weeks=3}}")])
    assert error.value.key == "timeline[1].services.nothing"


def expected_municipal_benefits(model) -> float:
    """The week's municipal benefit cost, person by person, under the rules in force."""
    from simulation.core.population import Benefit

    costs, p = model.spec.costs, model.job_seekers
    passive = p.status == Status.UNEMPLOYED
    if costs.municipal_share_basis == "benefit_days":
        shared, days = passive, p.benefit_days
    else:
        shared, days = passive & (p.benefit == Benefit.LABOUR_MARKET_SUBSIDY), p.subsidy_days
    steps = np.searchsorted(np.asarray(costs.municipal_share_thresholds), days, side="left")
    share = np.asarray(costs.municipal_shares)[steps]
    weekly = costs.basic_daily * costs.benefit_days_per_week * model.weight
    return float(np.sum(share[shared]) * weekly)


def test_costs_by_payer_follow_the_cost_sharing_in_force_each_week():
    new_rule = (
        "costs={municipal_share_basis='benefit_days', "
        "municipal_share_thresholds=[140, 280, 420, 560, 700], "
        "municipal_shares=[0.0, 0.1, 0.2, 0.3, 0.4, 0.5]}"
    )
    scenario = build(["pilot.enabled=false", timeline(f"date=2021-07-05, {new_rule}")])
    change = scenario.week_of(scenario.timeline[0].date)
    model = EmploymentModel(scenario, seed=6)
    p = model.job_seekers
    for week in range(change + 12):
        model.run_for(1)
        expected = expected_municipal_benefits(model)
        booked = model.accounts.week[:, 5].sum()
        np.testing.assert_allclose(booked, expected, rtol=1e-9, err_msg=f"week {week}")
        if week == change - 1:
            old_rule = booked
    assert model.spec.costs.municipal_share_basis == "benefit_days"
    # The new rule shares the basic part of every passive benefit, so it costs the
    # municipalities more than the subsidy-only rule did.
    assert model.accounts.week[:, 5].sum() > old_rule
    assert np.any((p.status == Status.UNEMPLOYED) & (p.benefit_days > 700))


def test_a_timeline_survives_the_manifest_and_marks_the_plots():
    from simulation.analysis.plots import changes_of
    from simulation.config.loading import load_scenario, scenario_to_dict
    from simulation.config.scenario import scenario_from_dict

    scenario = load_scenario(SCENARIOS / "baseline_te_office.toml")
    data = scenario_to_dict(scenario)
    assert scenario_from_dict(data) == scenario
    assert [(str(d), label) for d, label in changes_of(data)] == [
        ("2022-05-02", "Nordic job-seeking model")
    ]
    assert "timeline" not in scenario_to_dict(load_scenario(QUICK, ["timeline=[]"]))
    # Shortening the run from the command line leaves out the changes after its end.
    short = load_scenario(QUICK, ["run.end=2022-03-31"])
    assert short.timeline == ()


def test_the_shipped_reform_hands_helsinki_to_the_city_with_its_staff():
    from simulation.config.loading import load_scenario

    scenario = load_scenario(SCENARIOS / "reform_2025" / "helsinki_reform.toml")
    reform = scenario.week_of(scenario.timeline[-1].date)
    model = EmploymentModel(scenario, seed=1, scale=0.02)
    te_office, city = model.organisers[0], model.organisers[1]
    model.run_for(reform)
    headcount = len(te_office.caseworkers) + len(city.caseworkers)
    municipal_before = model.accounts.week[:, 5].sum()
    model.run_for(1)
    p = model.job_seekers
    assert np.all(p.organiser[p.status <= Status.OTHER_SERVICE] == city.index)
    assert len(te_office.caseworkers) == 0 and len(city.caseworkers) == headcount
    assert model.spec.costs.municipal_share_basis == "benefit_days"
    assert model.accounts.week[:, 5].sum() > municipal_before


def test_compare_reads_the_employment_rates_from_a_given_date(tmp_path):
    import pandas as pd

    args = ["compare", QUICK, f"caseload 70: {QUICK} city.caseload=70", "--replications", "2"]
    args += ["--scale", "0.1", "--no-plots", "--set", "run.end=2022-12-31"]
    result = CliRunner().invoke(main, [*args, "--from", "2021-09-06", "--out", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    assert "employment rates N months after 2021-09-06" in result.output
    effects = pd.read_csv(tmp_path / "c" / "comparison.csv")
    # 12 months after 2021-09-06 fits in the run; 24 months do not.
    assert "employment_rate_12m" in set(effects["measure"])
    assert "employment_rate_24m" not in set(effects["measure"])
    # Costs and employment years count the weeks from the date only.
    import datetime as dt

    from simulation.analysis.compare import compare_arms, load_arm

    folders = sorted(p for p in (tmp_path / "c").iterdir() if p.is_dir())
    arms = [load_arm(f) for f in folders]
    whole = compare_arms(arms).effects.set_index("measure")
    since = compare_arms(arms, since=dt.date(2021, 9, 6)).effects.set_index("measure")
    for measure in ("state_cost_eur", "employment_years"):
        assert 0 < since.loc[measure, "reference"] < whole.loc[measure, "reference"]
    bad = CliRunner().invoke(main, [*args, "--from", "2030-01-01", "--out", str(tmp_path / "d")])
    assert bad.exit_code == 2 and "--from: 2030-01-01 is outside the run" in bad.output


def test_a_run_folder_records_and_reports_its_policy_changes(tmp_path):
    from simulation.config.loading import load_scenario
    from simulation.experiments.runner import run_scenario

    scenario = load_scenario(QUICK, ["run.end=2022-08-31"])
    result = run_scenario(scenario, replications=1, scale=0.05, out=tmp_path / "r", plots=False)
    assert result.summary["timeline"] == [
        {"date": "2022-05-02", "week": 61, "label": "Nordic job-seeking model"}
    ]
    page = (tmp_path / "r" / "report.html").read_text()
    assert "Policy changes" in page and "te_office.early_interval_weeks" in page
    organisers = result.tables["organisers"]
    new = organisers.groupby("week")["meeting_interval_new_weeks"].mean()
    assert new.loc[70:].mean() < 0.5 * new.loc[13:60].mean()  # the newly registered
