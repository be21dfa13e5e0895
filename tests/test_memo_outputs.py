"""Outputs a memo quotes: periods named right, reports without plots, files left alone."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import SCENARIOS

from simulation.cli import main

QUICK = str(SCENARIOS / "quickstart.toml")
SMALL = ["--scale", "0.05", "-r", "1", "--set", "run.end=2021-09-30"]


def test_a_comparison_from_a_date_names_its_period(tmp_path):
    args = ["compare", QUICK, f"c70: {QUICK} city.caseload=70", "-r", "2", "--scale", "0.05"]
    args += ["--set", "run.end=2022-06-30", "--from", "2021-09-06", "--no-plots"]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    # The console's headline has what a memo quotes: employment years and costs.
    for measure in ("employment_years", "state_cost_eur", "municipal_cost_eur"):
        assert f"| {measure} |" in result.output
    assert "M EUR" in result.output
    page = (tmp_path / "c" / "report.html").read_text()
    assert "Costs from 2021-09-06 to the end of the run" in page
    assert "Costs over the run" not in page
    assert "Means from 2021-09-06" in page
    assert "Job seekers since the period" in page  # the headline's undiluted group
    text = (tmp_path / "c" / "comparison.md").read_text()
    assert "means over the weeks from 2021-09-06" in text
    # Every arm's overrides are recorded, --set included.
    assert "`run.end=2022-06-30`, `city.caseload=70`" in text
    # The period's own job seekers are a group: a later policy is not diluted by 2021.
    effects = (tmp_path / "c" / "comparison.csv").read_text()
    assert "c70,period,days_employed_per_person," in effects


def test_a_group_with_nobody_yet_is_null_in_the_summary_not_nan(tmp_path):
    import json

    out = tmp_path / "r"
    args = ["run", QUICK, "--out", str(out), *SMALL, "--no-plots"]
    result = CliRunner().invoke(main, [*args, "--set", "run.period_start=2021-09-20"])
    assert result.exit_code == 0, result.output

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in summary.json")

    summary = json.loads((out / "summary.json").read_text(), parse_constant=refuse)
    assert summary["groups"]["period"]["employment_rate"]["6"]["mean"] is None
    assert "| period " not in result.output or " - " in result.output


def test_no_plots_still_writes_a_report_and_keeps_the_earlier_plots(tmp_path):
    out = str(tmp_path / "r")
    first = CliRunner().invoke(main, ["run", QUICK, "--out", out, *SMALL])
    assert first.exit_code == 0, first.output
    plots = sorted(p.name for p in (tmp_path / "r").glob("*.png"))
    assert plots
    again = CliRunner().invoke(main, ["run", QUICK, "--out", out, *SMALL, "--no-plots"])
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in (tmp_path / "r").glob("*.png")) == plots
    assert (tmp_path / "r" / "report.html").is_file()


def test_a_rerun_keeps_what_the_user_put_in_the_folder(tmp_path):
    out = tmp_path / "r"
    args = ["run", QUICK, "--out", str(out), *SMALL, "--no-plots"]
    assert CliRunner().invoke(main, args).exit_code == 0
    (out / "NOTES.md").write_text("notes\n")
    inner = CliRunner().invoke(
        main, ["run", QUICK, "--out", str(out / "inner"), *SMALL, "--no-plots", "--seed", "5"]
    )
    assert inner.exit_code == 0, inner.output
    assert CliRunner().invoke(main, args).exit_code == 0
    assert (out / "NOTES.md").read_text() == "notes\n"
    assert (out / "inner" / "manifest.json").is_file()


def test_show_labels_only_the_keys_that_follow_the_te_office():
    result = CliRunner().invoke(main, ["show", QUICK, "--set", "te_office.caseload=100"])
    assert result.exit_code == 0, result.output
    lines = {line.split("=")[0].strip(): line for line in result.output.splitlines()}
    assert "follows te_office" not in lines["city.caseload"]
    assert "follows te_office" in lines["city.monitoring_exit_probability"]
    assert "# --set" in lines["te_office.caseload"]


def test_the_places_follow_a_dated_change(tmp_path):
    import pandas as pd

    from simulation.config.loading import load_scenario
    from simulation.experiments.runner import run_scenario

    scenario = load_scenario(
        SCENARIOS / "quickstart.toml",
        [
            "run.end=2021-09-30",
            'timeline=[{date = 2021-06-07, label = "more places", '
            "city = { service_capacity_multiplier = 2.0 }}]",
        ],
    )
    result = run_scenario(scenario, replications=1, scale=0.1, out=tmp_path / "r", plots=False)
    services = pd.read_csv(result.folder / "services.csv")
    week = scenario.week_of(scenario.timeline[0].date)
    before = services[services["week"] == week - 1].set_index("service")["places"]
    after = services[services["week"] == week + 1].set_index("service")["places"]
    assert (after > before).any()  # the city's services grew with the change
    assert (after >= before).all()
    assert (services["occupied"] <= services["places"] + 1e-9).all()


def test_the_yearly_budget_adds_up_and_the_workbook_holds_every_table(tmp_path):
    import openpyxl
    import pandas as pd

    args = ["compare", QUICK, f"c70: {QUICK} city.caseload=70", "-r", "2", "--scale", "0.05"]
    args += ["--set", "run.end=2022-06-30", "--no-plots", "--out", str(tmp_path / "c")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    yearly = pd.read_csv(tmp_path / "c" / "yearly.csv", dtype={"year": str})
    effects = pd.read_csv(tmp_path / "c" / "comparison.csv").set_index("measure")
    for measure in ("employment_years", "state_cost_eur", "municipal_cost_eur"):
        rows = yearly[yearly["measure"] == measure].set_index("year")
        assert list(rows.index) == ["2021", "2022", "total"]
        assert rows.loc[["2021", "2022"], "difference"].sum() == pytest.approx(
            rows.loc["total", "difference"], rel=1e-9
        )
        assert rows.loc["total", "difference"] == pytest.approx(
            effects.loc[measure, "difference"], rel=1e-6
        )
    book = openpyxl.load_workbook(tmp_path / "c" / "comparison.xlsx", read_only=True)
    assert book.sheetnames == ["headline", "yearly", "staffing", "arms"]
    assert "Year by year" in (tmp_path / "c" / "report.html").read_text()
    assert "public cost" in (tmp_path / "c" / "yearly.md").read_text()


def test_a_variant_extends_its_base_timeline_instead_of_restating_it(tmp_path):
    import datetime as dt

    from simulation.config.loading import extend_timeline, load_scenario

    reform = load_scenario(SCENARIOS / "reform_2025" / "helsinki_reform.toml")
    variant = load_scenario(SCENARIOS / "reform_2025" / "helsinki_reform_caseload_100.toml")
    assert [c.date for c in variant.timeline] == [c.date for c in reform.timeline]
    changed = variant.timeline[1].settings
    assert changed["city"] == {**reform.timeline[1].settings["city"], "caseload": 100}
    assert changed["te_office"] == {"open": False}  # the rest of the change is inherited
    assert variant.timeline[0] == reform.timeline[0]
    base = [{"date": dt.date(2022, 5, 2), "a": 1}, {"date": dt.date(2025, 1, 1), "b": 2}]
    added = extend_timeline(base, [{"date": dt.date(2023, 1, 2), "c": 3}])
    assert [e["date"].year for e in added] == [2022, 2023, 2025]
    assert extend_timeline(base, []) == []  # timeline = [] removes the inherited changes
    (tmp_path / "clear.toml").write_text(
        f'extends = "{SCENARIOS / "reform_2025" / "helsinki_reform.toml"}"\ntimeline = []\n'
    )
    assert load_scenario(tmp_path / "clear.toml").timeline == ()


def test_the_timeline_example_of_the_docs_is_the_shipped_variant():
    text = (SCENARIOS.parent / "docs" / "reforms.md").read_text()
    block = text.split("## Writing a timeline", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    shipped = (SCENARIOS / "reform_2025" / "helsinki_reform_caseload_100.toml").read_text()
    assert block.strip() in shipped


def test_services_can_be_charged_by_the_places_bought(tmp_path):
    import pandas as pd

    from simulation.config.loading import load_scenario
    from simulation.experiments.runner import run_scenario

    totals = {}
    for basis in ("occupied", "places"):
        scenario = load_scenario(
            SCENARIOS / "quickstart.toml",
            ["run.end=2021-09-30", f"costs.service_cost_basis={basis!r}"],
        )
        result = run_scenario(
            scenario, replications=1, scale=0.05, out=tmp_path / basis, plots=False
        )
        services = pd.read_csv(result.folder / "services.csv")
        cost = {n: s.cost_per_place_week for n, s in scenario.services.items()}
        city = {n for n, s in scenario.services.items() if s.provider == "city"}
        column = "places" if basis == "places" else "occupied"
        expected = sum(
            (rows[column] * cost[name]).sum()
            for name, rows in services.groupby("service")
            if name in city
        )
        booked = pd.read_csv(result.folder / "labour_market.csv")["municipal_services"].sum()
        assert booked == pytest.approx(expected, rel=1e-9)
        totals[basis] = booked
    assert totals["places"] > totals["occupied"]


def test_a_caseload_set_at_a_date_staffs_the_organiser_at_it(tmp_path):
    import pandas as pd

    from simulation.analysis.compare import load_arm, realised_staffing
    from simulation.config.loading import load_scenario
    from simulation.experiments.runner import run_scenario

    staff = {}
    for caseload in (149, 100):
        scenario = load_scenario(
            SCENARIOS / "reform_2025" / "helsinki_reform.toml",
            ["run.end=2025-06-30", f"timeline[2].city.caseload={caseload}"],
        )
        result = run_scenario(
            scenario, replications=1, scale=0.02, out=tmp_path / f"c{caseload}", plots=False
        )
        organisers = pd.read_csv(result.folder / "organisers.csv")
        after = organisers[
            (organisers["date"] >= "2025-02-01") & (organisers["organiser"] == "City")
        ]
        staff[caseload] = after["caseworkers"].mean()
        staffing = realised_staffing([load_arm(result.folder)])
        assert "TEOffice" in set(staffing["organiser"])  # open until 2025: in the means
    # A lower caseload set at the reform means more caseworkers, whatever the value before.
    assert staff[100] > staff[149] * 1.3


def test_check_prints_the_staffing_in_force_after_each_change():
    path = str(SCENARIOS / "reform_2025" / "helsinki_reform.toml")
    result = CliRunner().invoke(main, ["check", path, "--set", "timeline[2].city.caseload=100"])
    assert result.exit_code == 0, result.output
    after = result.output.split("after 2025-01-01 (2025 reform):", 1)[1]
    assert "TE office" not in after.split("places")[0]  # closed: no staff line
    line = next(x for x in after.splitlines() if "city:" in x)
    caseload = float(line.rsplit("caseload ", 1)[1].rstrip(")"))
    assert 60 < caseload < 100  # staffed at 100 a caseworker, times the staff multiplier
    assert "after 2022-05-02 (Nordic job-seeking model):" in result.output


def test_a_discount_rate_makes_the_yearly_totals_present_values(tmp_path):
    import pandas as pd

    args = ["compare", QUICK, f"c70: {QUICK} city.caseload=70", "-r", "2", "--scale", "0.05"]
    args += ["--no-plots", "--discount-rate", "0.05", "--out", str(tmp_path / "c")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    yearly = pd.read_csv(tmp_path / "c" / "yearly.csv", dtype={"year": str})
    for measure in ("employment_years", "public_cost_eur"):
        rows = yearly[yearly["measure"] == measure].set_index("year")["difference"]
        years = [y for y in rows.index if y != "total"]
        first = int(years[0])
        present = sum(rows[y] * 1.05 ** -(int(y) - first) for y in years)
        assert rows["total"] == pytest.approx(present)
        assert rows["total"] != pytest.approx(rows[years].sum())  # it does discount
    assert "discounted at 5.0% a year" in (tmp_path / "c" / "yearly.md").read_text()
