"""Counter-based random streams: reproducible, keyed, and well distributed."""

import numpy as np
import pytest
from scipy import stats

from simulation.core.passes import draws
from simulation.core.streams import (
    Decision,
    RandomStreams,
    UnknownDecisionError,
    person_keys,
    subject_keys,
)


@pytest.fixture
def streams():
    return RandomStreams(np.random.SeedSequence(42))


def test_same_seed_same_draws(streams):
    keys = subject_keys(0, 0, 0, 1000)
    again = RandomStreams(np.random.SeedSequence(42))
    np.testing.assert_array_equal(
        streams.uniform("job_finding", keys, 3), again.uniform("job_finding", keys, 3)
    )


def test_a_persons_draw_does_not_depend_on_who_else_draws(streams):
    keys = subject_keys(1, 20, 0, 500)
    everyone = streams.uniform("job_finding", keys, 10)
    some = np.array([3, 77, 499, 12])
    np.testing.assert_array_equal(streams.uniform("job_finding", keys[some], 10), everyone[some])
    reversed_order = streams.uniform("job_finding", keys[::-1], 10)
    np.testing.assert_array_equal(reversed_order[::-1], everyone)


def test_decisions_weeks_and_seeds_give_different_draws(streams):
    keys = subject_keys(0, 0, 0, 2000)
    base = streams.uniform("separation", keys, 1)
    others = [
        streams.uniform("recall", keys, 1),
        streams.uniform("separation", keys, 2),
        RandomStreams(np.random.SeedSequence(43)).uniform("separation", keys, 1),
        RandomStreams(np.random.SeedSequence(42).spawn(2)[1]).uniform("separation", keys, 1),
    ]
    for other in others:
        assert abs(np.corrcoef(base, other)[0, 1]) < 0.1
        assert not np.any(base == other)


def test_an_unregistered_decision_raises_instead_of_opening_a_new_stream(streams):
    keys = subject_keys(0, 0, 0, 10)
    with pytest.raises(UnknownDecisionError, match="job_findng"):
        streams.uniform("job_findng", keys, 0)
    with pytest.raises(UnknownDecisionError):
        streams.decision_base("seperation")
    assert streams.uniform(Decision.JOB_FINDING, keys, 0).shape == (10,)


def test_uniform_draws_are_uniform(streams):
    u = streams.uniform("job_finding", subject_keys(0, 5, 0, 50_000), 0)
    assert u.min() > 0.0 and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 0.001


def test_consecutive_keys_are_not_serially_correlated(streams):
    u = streams.uniform("job_finding", subject_keys(0, 5, 0, 50_000), 0)
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.02


def test_normal_gamma_choice_and_poisson_have_the_right_moments(streams):
    keys = subject_keys(2, 3, 0, 40_000)
    z = streams.normal("employability", keys, 0)
    assert abs(z.mean()) < 0.03 and abs(z.std() - 1) < 0.03
    g = streams.gamma("caseworker_effectiveness", keys, 0, 0.5, 2.0)
    assert abs(g.mean() - 1.0) < 0.05
    c = streams.choice("education", keys, 0, [0.2, 0.5, 0.3])
    np.testing.assert_allclose(np.bincount(c) / len(c), [0.2, 0.5, 0.3], atol=0.01)
    counts = [streams.poisson("inflow", 0, week, 12.5) for week in range(3000)]
    assert abs(np.mean(counts) - 12.5) < 0.3
    assert abs(np.var(counts) - 12.5) < 1.5


def test_subject_keys_are_unique_across_areas_cohorts_and_ranks():
    keys = np.concatenate(
        [subject_keys(area, cohort, 0, 300) for area in range(3) for cohort in (0, 1, 16, 500)]
    )
    assert len(np.unique(keys)) == len(keys)
    np.testing.assert_array_equal(subject_keys(1, 2, 5, 3), subject_keys(1, 2, 0, 8)[5:])


def _reference_uniform(streams, decision, keys, counters):
    """The generator written out with numpy's wrapping uint64 arithmetic."""

    def mix(x):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))

    base = streams.decision_base(decision)
    step = mix(base + (counters.astype(np.uint64) + np.uint64(1)) * np.uint64(0xD1B54A32D192ED03))
    bits = mix(keys * np.uint64(0xBF58476D1CE4E5B9) + step) >> np.uint64(11)
    return (bits.astype(np.float64) + 0.5) * 2.0**-53


def test_draws_follow_the_documented_generator(streams):
    keys = subject_keys(2, 40, 0, 500)
    counters = np.arange(500) % 7
    expected = _reference_uniform(streams, "job_finding", keys, counters)
    np.testing.assert_array_equal(streams.uniform("job_finding", keys, counters), expected)
    np.testing.assert_array_equal(
        streams.uniform("job_finding", keys, 3),
        _reference_uniform(streams, "job_finding", keys, np.full(500, 3)),
    )
    base = streams.decision_base("job_finding")
    compiled = [
        draws.uniform(base, key, counter) for key, counter in zip(keys, counters, strict=True)
    ]
    np.testing.assert_array_equal(compiled, expected)


def test_poisson_counts_are_the_inverse_distribution_function(streams):
    keys = np.arange(300, dtype=np.uint64)
    for mean in (0.3, 4.0, 57.5, 9700.0):
        counts = [streams.poisson("inflow", int(k), 5, mean) for k in keys]
        u = streams.uniform("inflow", keys, 5)
        np.testing.assert_array_equal(counts, stats.poisson.ppf(u, mean).astype(int))


def test_person_keys_rank_people_within_each_area():
    areas = np.array([0, 0, 0, 2, 2, 5])
    expected = np.concatenate(
        [subject_keys(0, 30, 0, 3), subject_keys(2, 30, 0, 2), subject_keys(5, 30, 0, 1)]
    )
    np.testing.assert_array_equal(person_keys(areas, 30), expected)


def test_choice_with_one_probability_row_per_subject(streams):
    keys = subject_keys(0, 0, 0, 4000)
    rows = np.tile([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]], (2000, 1))
    picks = streams.choice("education", keys, 0, rows)
    np.testing.assert_allclose(
        np.bincount(picks[::2], minlength=3) / 2000, [0.7, 0.2, 0.1], atol=0.03
    )
    np.testing.assert_allclose(
        np.bincount(picks[1::2], minlength=3) / 2000, [0.1, 0.1, 0.8], atol=0.03
    )
    same = streams.choice("education", keys[::2], 0, [0.7, 0.2, 0.1])
    np.testing.assert_array_equal(picks[::2], same)


def test_poisson_counts_of_many_subjects_equal_one_at_a_time(streams):
    means = np.array([0.0, 0.4, 12.0, 3000.0, 9700.0])
    subjects = np.arange(len(means))
    together = streams.poissons("inflow", subjects, 7, means)
    alone = [streams.poisson("inflow", int(s), 7, m) for s, m in zip(subjects, means, strict=True)]
    np.testing.assert_array_equal(together, alone)
    assert together[0] == 0
