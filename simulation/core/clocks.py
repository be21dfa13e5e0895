"""Event clocks of the job seekers: when each person's next job, job loss or exit comes.

Each person carries, for each kind of event (finding a job, losing it, leaving the
register, coming back, a recall), the exponential threshold of the next such event,
keyed by how many of them the person has had. The clock runs down by the weekly hazard
only while the person is at risk, and the event happens when it reaches zero; then the
threshold of the next event is drawn (:mod:`simulation.core.passes.clocks`). The weekly
probability is exactly 1 - exp(-hazard), as with a weekly draw, but the same person's
k-th job (or job loss) uses the same random number in every scenario even when its
week differs, which keeps paired scenarios close (common random numbers).
"""

from __future__ import annotations

import numpy as np

from simulation.core.passes import clocks as passes
from simulation.core.population import CLOCK_EVENTS, JobSeekers, WorkArrays
from simulation.core.streams import RandomStreams

__all__ = ["EventClocks"]


class EventClocks:
    """The clocks of one run.

    Args:
        job_seekers: The population whose clocks these are.
        streams: The replication's random streams.
        hazards: Weekly hazards of the events with constant rates (``Plan.hazards``).
        work: Work arrays to write the selected rows into.
    """

    def __init__(
        self,
        job_seekers: JobSeekers,
        streams: RandomStreams,
        hazards: dict[str, float],
        work: WorkArrays,
    ) -> None:
        self.job_seekers = job_seekers
        self.hazards = hazards
        self.bases = {event: streams.decision_base(event) for event in CLOCK_EVENTS}
        self.work = work

    def draw(self, event: str, rows: np.ndarray) -> None:
        """Draw the threshold of each person's next event of this kind."""
        p = self.job_seekers
        passes.draw_clocks(
            rows,
            getattr(p, f"{event}_clock"),
            getattr(p, f"{event}_count"),
            p.key,
            self.bases[event],
        )

    def draw_all(self, rows: np.ndarray) -> None:
        """Draw every clock of new people."""
        for event in CLOCK_EVENTS:
            self.draw(event, rows)

    def run_down(self, event: str, rows: np.ndarray) -> np.ndarray:
        """Run down a constant-hazard clock of the unemployed among ``rows``.

        Returns:
            The rows whose clock ran out this week.
        """
        p = self.job_seekers
        out = self.work.get(event)
        count = passes.unemployed_events(
            rows,
            p.status,
            self.hazards[event],
            getattr(p, f"{event}_clock"),
            getattr(p, f"{event}_count"),
            p.key,
            self.bases[event],
            out,
        )
        return out[:count]

    def schedule(self, event: str, rows: np.ndarray, first_week: int, high_hazard: str) -> None:
        """Schedule the week of the next event (``wakes_at``) for people no longer visited.

        The clock runs down from ``first_week`` at the event's hazard, or at
        ``high_hazard`` for people hired out of long-term unemployment.
        """
        p = self.job_seekers
        passes.schedule_wakes(
            rows,
            getattr(p, f"{event}_clock"),
            self.hazards[event],
            self.hazards[high_hazard],
            p.former_long_term,
            first_week,
            p.wakes_at,
        )
