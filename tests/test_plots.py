"""Comparison figures stay readable: bands only for a few scenarios, one legend below."""

import matplotlib.collections
import numpy as np
import pandas as pd
import pytest

from simulation.analysis import plots


def _arms(n):
    dates = pd.date_range("2021-03-01", periods=20, freq="7D")
    arms, differences = [], {"all": {}}
    for i in range(n):
        outcomes = pd.DataFrame(
            {
                "date": np.tile(dates, 3),
                "replication": np.repeat([0, 1, 2], len(dates)),
                "group": "all",
                "employment_rate": 0.3 + 0.01 * i + 0.001 * np.arange(60) % 7,
            }
        )
        arms.append((f"scenario {i}", outcomes))
        if i:
            differences["all"][f"scenario {i}"] = pd.DataFrame(
                {"date": dates, "difference": 0.01 * i, "ci_low": 0.0, "ci_high": 0.02 * i}
            )
    return arms, differences


@pytest.mark.parametrize("n, bands", [(3, True), (8, False)])
def test_comparison_figures_draw_bands_only_for_a_few_scenarios(tmp_path, monkeypatch, n, bands):
    figures = []
    monkeypatch.setattr(
        plots, "_save", lambda figure, path, caption="", bottom=0.0: figures.append(figure) or path
    )
    arms, differences = _arms(n)
    plots.plot_comparison(arms, differences, True, tmp_path, "scale 0.1")
    assert len(figures) == 2
    for figure, expected in zip(figures, (n, n - 1), strict=True):
        polygons = [
            c
            for axis in figure.axes
            for c in axis.collections
            if isinstance(c, matplotlib.collections.PolyCollection)
        ]
        assert bool(polygons) == bands
        assert all(axis.get_legend() is None for axis in figure.axes)
        (legend,) = figure.legends
        assert [t.get_text() for t in legend.get_texts()] == [
            f"scenario {i}" for i in range(n - expected, n)
        ]


def test_policy_changes_are_marked_once_per_date_with_their_labels():
    import datetime as dt

    import matplotlib.pyplot as plt

    from simulation.analysis.plots import _mark_changes

    figure, axis = plt.subplots()
    axis.plot([dt.date(2021, 1, 1), dt.date(2026, 1, 1)], [0, 1])
    changes = [
        (dt.date(2022, 5, 2), "Nordic job-seeking model"),
        (dt.date(2025, 1, 1), "2025 reform"),
        (dt.date(2025, 1, 1), "TE office restored"),
        (dt.date(2022, 5, 2), "Nordic job-seeking model"),
    ]
    _mark_changes(axis, changes)
    vertical = [line for line in axis.lines if len(set(line.get_xdata())) == 1]
    assert len(vertical) == 2
    texts = sorted(t.get_text() for t in axis.texts)
    assert texts == ["2025 reform / TE office restored", "Nordic job-seeking model"]
    plt.close(figure)
