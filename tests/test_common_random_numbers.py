"""Common random numbers: draws belong to a person, a decision and a week, nothing else."""

import numpy as np
import pandas as pd
import pytest
from conftest import build, single_area

from simulation.analysis.compare import compare_arms, load_arm
from simulation.core.model import EmploymentModel
from simulation.core.population import Status
from simulation.experiments.runner import run_scenario


class RecordingModel(EmploymentModel):
    """A model whose random streams log every draw: (decision, subject, counter) -> value."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.draws = []
        uniform = self.streams.uniform

        def recording(decision, subjects, week):
            values = uniform(decision, subjects, week)
            subjects = np.asarray(subjects, dtype=np.uint64)
            counter = np.broadcast_to(np.asarray(week, dtype=np.int64), subjects.shape)
            self.draws.append(
                pd.DataFrame(
                    {
                        "decision": decision,
                        "subject": subjects,
                        "counter": counter,
                        "value": values,
                    }
                )
            )
            return values

        self.streams.uniform = recording
        draw_clock = self.clocks.draw

        def recording_clock(event, rows):
            draw_clock(event, rows)
            self._log_thresholds(event, rows)

        self.clocks.draw = recording_clock

    def step(self):
        """Log the job-finding thresholds drawn this week (compiled draws)."""
        before = self.job_seekers.job_finding_count.copy()
        super().step()
        after = self.job_seekers.job_finding_count
        self._log_thresholds("job_finding", np.flatnonzero(after[: len(before)] != before))

    def _log_thresholds(self, event, rows):
        """Compiled clock draws: the threshold each person drew, keyed by its counter.

        A clock drawn this week has not run down yet (events are drawn after the tick).
        """
        if not hasattr(self, "draws"):
            return  # set-up draws are not recorded, as with the streams
        p = self.job_seekers
        self.draws.append(
            pd.DataFrame(
                {
                    "decision": event,
                    "subject": p.key[rows],
                    "counter": getattr(p, f"{event}_count")[rows].astype(np.int64) - 1,
                    "value": getattr(p, f"{event}_clock")[rows],
                }
            )
        )

    def draw_table(self):
        return pd.concat(self.draws, ignore_index=True)


def _common_draws(first, second):
    keys = ["decision", "subject", "counter"]
    a = first.draw_table().drop_duplicates(keys)
    b = second.draw_table().drop_duplicates(keys)
    return a.merge(b, on=keys, suffixes=("_a", "_b")), a, b


def test_an_extra_job_seeker_leaves_everyone_elses_draws_unchanged():
    scenario = build(["run.end=2021-06-30"])
    plus_one = build(["run.end=2021-06-30", "areas.town.unemployed=3001"])
    first, second = RecordingModel(scenario, seed=3), RecordingModel(plus_one, seed=3)
    first.run()
    second.run()
    assert len(second.job_seekers) > len(first.job_seekers)
    common, a, b = _common_draws(first, second)
    assert len(common) > 0.5 * len(a)  # most decisions are taken in both runs
    np.testing.assert_array_equal(common["value_a"], common["value_b"])
    new_people = set(second.job_seekers.key) - set(first.job_seekers.key)
    assert len(new_people) >= 1


class ReorderedModel(RecordingModel):
    """The same rules in another order within the week."""

    def step(self):
        week = self.week = self.steps - 1
        self.accounts.open_week()
        self.move_between_states(week)
        self.match_jobs(week)
        self.run_services(week)
        self.hold_meetings(week)
        self.register_job_seekers(week)
        self.update_benefits(week)
        self.close_week(week)


def test_the_order_of_the_rules_within_a_week_changes_no_draw():
    scenario = build(["run.end=2021-06-30"])
    usual, reordered = RecordingModel(scenario, seed=4), ReorderedModel(scenario, seed=4)
    usual.run()
    reordered.run()
    common, a, _ = _common_draws(usual, reordered)
    assert len(common) > 0.5 * len(a)
    np.testing.assert_array_equal(common["value_a"], common["value_b"])


def test_identical_scenarios_differ_by_exactly_zero(tmp_path):
    scenario = build(["run.end=2021-09-30"])
    runs = [
        run_scenario(scenario, replications=3, scale=0.5, out=tmp_path / name, plots=False)
        for name in ("a", "b")
    ]
    comparison = compare_arms([load_arm(r.folder) for r in runs])
    assert comparison.paired
    measured = comparison.effects.dropna(subset=["se"])
    assert len(measured) > 10
    assert (measured["difference"] == 0).all() and (measured["se"] == 0).all()


def _never_city_paths(caseload, matching):
    scenario = single_area(
        [
            "run.end=2021-12-31",
            f"city.caseload={caseload}",
            *matching,
        ]
    )
    model = EmploymentModel(scenario, seed=8)
    statuses = []
    for _ in range(model.weeks):
        model.run_for(1)
        statuses.append(model.job_seekers.status.copy())
    return model, statuses


CLOSED = ("labour_market.matching=cobb_douglas", "labour_market.vacancy_elasticity=0.0")
OPEN = ("labour_market.matching=urn_ball",)


@pytest.mark.parametrize("matching", [CLOSED, OPEN], ids=["closed", "urn_ball"])
def test_the_city_caseload_reaches_others_only_through_the_labour_market(matching):
    """People never served by the city are unaffected by its caseload, but for jobs.

    With Cobb-Douglas matching and a vacancy elasticity of 0 the job-finding rate does
    not depend on how many others search, which closes the labour-market channel: their
    histories must then be identical. With urn-ball matching they differ, through
    displacement only.
    """
    base, base_paths = _never_city_paths(149, matching)
    small, small_paths = _never_city_paths(50, matching)
    assert len(base.job_seekers) == len(small.job_seekers)  # the same people
    never = ~base.job_seekers.served_by_city & ~small.job_seekers.served_by_city
    assert never.sum() > 500
    served = base.job_seekers.served_by_city
    differs = [
        np.count_nonzero((a != b) & never[: len(a)])
        for a, b in zip(base_paths, small_paths, strict=True)
    ]
    city_differs = np.count_nonzero(base_paths[-1][served] != small_paths[-1][served])
    assert city_differs > 0  # the caseload does change the city's clients
    if matching == CLOSED:
        assert sum(differs) == 0
    else:
        assert sum(differs) > 0


def test_a_persons_kth_job_draws_the_same_number_in_every_scenario():
    a = RecordingModel(build(["run.end=2021-04-30"]), seed=5)
    b = RecordingModel(build(["run.end=2021-04-30", "pilot.enabled=false"]), seed=5)
    a.run()
    b.run()
    common, _, _ = _common_draws(a, b)
    job = common[common["decision"] == "job_finding"]
    assert len(job) > 300  # thresholds drawn during the run (registrations, jobs found)
    np.testing.assert_array_equal(job["value_a"], job["value_b"])
    assert np.count_nonzero(a.job_seekers.status == Status.EMPLOYED) > 100
