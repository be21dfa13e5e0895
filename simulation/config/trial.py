"""Trial files: an in-silico randomised trial of an organiser policy.

A trial file names a base scenario, the eligible people (the registrations of a window
of weeks, or the unemployed stock at the start; optionally one outcome group), the
share treated in each area, and the treatment: organiser policy keys (those of
``[te_office]``) under which the treated are served. Example::

    [trial]
    name = "fortnightly_meetings"
    scenario = "../scenarios/baseline_te_office.toml"
    eligible = "inflow"
    first_week = 0
    last_week = 12
    horizon_weeks = 104
    share = 0.5

    [treatment]
    early_interval_weeks = 2
    early_period_weeks = 13
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulation.config.convert import build_section
from simulation.config.errors import ScenarioError, TrialFileError
from simulation.config.facts import WEEKS_PER_MONTH
from simulation.config.loading import load_scenario, read_toml, with_values
from simulation.config.parameters import NAME, SETTING, param
from simulation.config.scenario import Organiser, Scenario

__all__ = ["with_draw", "TREATMENT_KEYS", "Trial", "TrialFile", "TrialSettings", "load_trial"]

ELIGIBLE = ("inflow", "stock")
#: Outcome groups a trial can be limited to (as in the run's outcome tables).
GROUPS = ("all", "target_group", "long_term_at_start", "under_30", "immigrant", "kela")
#: Levels of education, in the order of ``areas.*.education_shares``.
EDUCATION = ("basic", "upper_secondary", "tertiary")
#: The organiser policy keys a treatment may set (all of ``[te_office]``).
TREATMENT_KEYS = tuple(f.name for f in dataclasses.fields(Organiser))


@dataclass(frozen=True)
class TrialSettings:
    """The ``[trial]`` section: who is eligible, who is treated, what is measured."""

    name: str = param(doc="Name of the trial (folder and labels).", source=SETTING, pattern=NAME)
    scenario: str = param(doc="The base scenario file, relative to the trial file.", source=SETTING)
    set: tuple[str, ...] = param((), doc="Overrides of the base scenario.", source=SETTING)
    eligible: str = param(
        "inflow",
        choices=ELIGIBLE,
        doc="Eligible people: new registrations in weeks first_week..last_week, or the "
        "unemployed stock at the start.",
        source=SETTING,
    )
    first_week: int = param(0, low=0, high=1040, doc="First week of registrations.", source=SETTING)
    last_week: int = param(12, low=0, high=1040, doc="Last week of registrations.", source=SETTING)
    group: str = param(
        "all", choices=GROUPS, doc="Only people of this outcome group are eligible.", source=SETTING
    )
    education: tuple[str, ...] = param(
        (),
        choices=EDUCATION,
        doc="Only people with one of these levels of education are eligible (empty: all).",
        source=SETTING,
    )
    share: float = param(
        0.5, low=0.0, high=1.0, doc="Treated share in every area not in [shares].", source=SETTING
    )
    shares: dict[str, float] = param(
        factory=dict,
        low=0.0,
        high=1.0,
        doc="Treated share by area (areas with share 0 are pure-control areas).",
        source=SETTING,
    )
    horizon_weeks: int = param(
        104, low=1, high=1040, doc="Weeks each person is followed from assignment.", source=SETTING
    )
    months: tuple[float, ...] = param(
        (4.0, 8.0, 12.0, 20.0, 24.0),
        low=0.0,
        high=240.0,
        doc="Months after assignment at which employment is read.",
        source=SETTING,
    )
    treatment_weeks: int = param(
        0,
        low=0,
        high=1040,
        doc="Weeks from assignment during which the treated are served under the "
        "treatment; then by their usual organiser (0: the whole follow-up).",
        source=SETTING,
    )
    hazard_weeks: int = param(
        26, low=1, high=520, doc="Weeks over which the job-finding hazards are compared.",
        source=SETTING,
    )  # fmt: skip
    replications: int = param(
        10, low=2, high=10000, doc="Paired replications (an interval needs two).", source=SETTING
    )
    seed: int = param(0, low=0, doc="Root seed.", source=SETTING)
    scale: float = param(0.2, low=1e-4, high=1.0, doc="Scale of every run.", source=SETTING)


@dataclass(frozen=True)
class TrialFile:
    """The sections of a trial file."""

    trial: TrialSettings = param(doc="Settings.")
    treatment: dict[str, Any] = param(
        factory=dict, doc="Organiser policy keys under which the treated are served."
    )


@dataclass(frozen=True)
class Trial:
    """A validated trial.

    Attributes:
        path: The trial file.
        settings: Its ``[trial]`` section.
        scenario: The base scenario (with the trial's overrides).
        treatment: The policy the treated are served under: the TE office's with the
            treatment's keys; None when the treatment sets no key (nobody is moved).
        shares: Treated share by area, in the scenario's order of areas.
        treatment_keys: The keys the treatment sets (as the file gives them).
    """

    path: Path
    settings: TrialSettings
    scenario: Scenario
    treatment: Organiser | None
    shares: tuple[float, ...]
    treatment_keys: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def name(self) -> str:
        """The trial's name."""
        return self.settings.name


def _check_follow_up(path: Path, settings: TrialSettings, weeks: int) -> None:
    """Every setting of the follow-up acts: it fits in the scenario, its months in it.

    Everyone assigned is followed for ``horizon_weeks``; the last assigned (the last
    week of registrations, or the first week for the stock) must be followed to the
    end within the scenario, or each person would be followed for a different length.
    A month read must fall within the scenario for the last assigned too, or it reads
    nobody (and shows a zero effect).

    Raises:
        TrialFileError: With the setting and what would fit.
    """
    last_assigned = settings.last_week if settings.eligible == "inflow" else settings.first_week
    room = weeks - last_assigned
    if settings.horizon_weeks > room:
        raise TrialFileError(
            path,
            "trial.horizon_weeks",
            f"a follow-up of {settings.horizon_weeks} weeks from week {last_assigned} runs past "
            f"the scenario's end ({weeks} weeks); expected at most {room}, or a longer "
            "scenario (trial.set run.end)",
        )
    for month in settings.months:
        week = max(0, round(month * WEEKS_PER_MONTH) - 1)
        if week >= room:
            raise TrialFileError(
                path,
                "trial.months",
                f"month {month:g} after assignment is week {last_assigned + week + 1} for the "
                f"last assigned, past the scenario's end ({weeks} weeks); expected months "
                "within the scenario",
            )


def load_trial(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Trial:
    """Read and validate a trial file.

    Args:
        path: The TOML file.
        overrides: ``key.path=value`` overrides of the base scenario.

    Returns:
        The trial.

    Raises:
        TrialFileError: With the file, the key path and what was expected.
    """
    path = Path(path)
    data = read_toml(path)
    treatment = data.get("treatment", {})
    try:
        spec = build_section(TrialFile, {**data, "treatment": {}}, str(path), "")
    except ScenarioError as error:
        raise TrialFileError.from_error(error) from None
    if not isinstance(treatment, dict):
        raise TrialFileError(path, "treatment", "expected a table of organiser policy keys")
    settings = spec.trial
    if settings.last_week < settings.first_week:
        raise TrialFileError(path, "trial.last_week", "expected a week at or after first_week")
    base = (path.parent / settings.scenario).resolve()
    if not base.is_file():
        raise TrialFileError(path, "trial.scenario", f"file not found: {base}")
    try:
        scenario = load_scenario(base, [*settings.set, *overrides])
    except ScenarioError as error:
        raise TrialFileError(path, "trial.scenario", str(error)) from None
    unknown = sorted(set(settings.shares) - set(scenario.areas))
    if unknown:
        raise TrialFileError(
            path,
            f"trial.shares.{unknown[0]}",
            f"not an area of the scenario; expected one of {', '.join(scenario.areas)}",
        )
    if settings.eligible == "inflow" and settings.last_week >= scenario.weeks:
        raise TrialFileError(
            path, "trial.last_week", f"expected a week within the scenario ({scenario.weeks} weeks)"
        )
    _check_follow_up(path, settings, scenario.weeks)
    policy = None
    if treatment:
        base_policy = dataclasses.asdict(scenario.te_office)
        try:
            policy = build_section(Organiser, {**base_policy, **treatment}, str(path), "treatment")
        except ScenarioError as error:
            raise TrialFileError.from_error(error) from None
    shares = tuple(float(settings.shares.get(a, settings.share)) for a in scenario.areas)
    if not any(shares):
        raise TrialFileError(
            path, "trial.share", "every area's treated share is 0; expected someone treated"
        )
    if policy is not None and not policy.open:
        raise TrialFileError(
            path, "treatment.open", "a closed organiser serves nobody; expected open = true"
        )
    return Trial(path, settings, scenario, policy, shares, dict(treatment))


def with_draw(trial: Trial, values: dict[str, float]) -> Trial:
    """The trial with parameter values set in its scenario (a parameter draw).

    The treatment is the drawn TE office's policy with the treatment's own keys, as
    when the trial is loaded.
    """
    scenario = with_values(trial.scenario, values)
    policy = None
    if trial.treatment_keys:
        base = dataclasses.asdict(scenario.te_office)
        policy = build_section(Organiser, {**base, **trial.treatment_keys}, str(trial.path), "")
    return dataclasses.replace(trial, scenario=scenario, treatment=policy)
