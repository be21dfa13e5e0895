"""The shareable report: rendered in a real headless browser (Debian's chromium).

`.ci/run` installs chromium; where it is missing the test is skipped with the reason.
The screenshot is kept in results/report_screenshot.png (not in git) to look at.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, SCENARIOS

from simulation.config.loading import load_scenario
from simulation.experiments.comparison import compare
from simulation.experiments.runner import run_scenario

CHROMIUM = shutil.which("chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")


def _browse(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
         *extra, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip


@pytest.fixture(scope="module")
def comparison_folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("memo") / "memo"
    q = str(SCENARIOS / "quickstart.toml")
    compare(
        [q, f"caseload 70: {q} city.caseload=70"],
        out=out,
        replications=2,
        scale=0.1,
        overrides=("run.end=2022-06-30",),
    )
    return out


def test_the_comparison_report_renders_with_every_figure_and_table(comparison_folder, tmp_path):
    page = comparison_folder / "report.html"
    dom = _browse(page, tmp_path / "profile", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert html.count("<table") == 5  # arms, headline, costs, year by year, staffing
    images = re.findall(r'<img src="data:image/png;base64,', html)
    assert len(images) == 2  # the difference and the paths
    assert "caseload 70" in html and "Realised staffing" in html
    assert not re.search(r"CONSOLE.*(Uncaught|Error)", dom.stderr)
    screenshot = ROOT / "results" / "report_screenshot.png"
    shot = _browse(
        page, tmp_path / "profile2", "--window-size=1200,2400", f"--screenshot={screenshot}"
    )
    assert shot.returncode == 0, shot.stderr[-2000:]
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000
    print(f"screenshot: {screenshot}")


def test_a_run_report_is_self_contained(tmp_path):
    scenario = load_scenario(SCENARIOS / "quickstart.toml", ["run.end=2021-12-31"])
    result = run_scenario(scenario, replications=1, scale=0.1, out=tmp_path / "run")
    page = result.folder / "report.html"
    text = page.read_text()
    assert "http://" not in text and "https://" not in text and "<script" not in text
    dom = _browse(page, tmp_path / "profile", "--dump-dom")
    assert dom.returncode == 0
    assert len(re.findall(r'<img src="data:image/png;base64,', dom.stdout)) == 3
