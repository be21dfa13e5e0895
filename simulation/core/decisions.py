"""The registered random decisions: one name, one independent stream each.

Every draw of the model is keyed by one of these names (:mod:`simulation.core.streams`
turns a name into the stream's base; the compiled passes take the bases of the decisions
they draw for). Asking for a name that is not here raises, because a new name would
silently open an independent stream and break common random numbers between scenarios.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Decision"]


class Decision(StrEnum):
    """Every random decision of the model: one independent stream each.

    The value is the stream's name; it keys the draws, so renaming a decision changes
    every draw of it.
    """

    # Event clocks of the job seekers (simulation.core.clocks).
    JOB_FINDING = "job_finding"
    SEPARATION = "separation"
    LEAVE_REGISTER = "leave_register"
    RETURN = "return"
    RECALL = "recall"
    # A new job seeker's traits (passes.newcomers.new_people, in NEWCOMER_DECISIONS order).
    UNDER_30 = "under_30"
    AGE = "age"
    IMMIGRANT = "immigrant"
    EDUCATION = "education"
    BENEFIT = "benefit"
    LONG_TERM = "long_term"
    ELAPSED = "elapsed"
    BETWEEN_JOBS = "between_jobs"
    BARRIER_HEALTH = "barrier_health"
    BARRIER_SOCIAL = "barrier_social"
    BARRIER_SKILLS = "barrier_skills"
    EMPLOYABILITY = "employability"
    INFLOW = "inflow"
    # The initial stock.
    SERVICE_REMAINING = "service_remaining"
    FIRST_MEETING = "first_meeting"
    # Caseworkers.
    CASEWORKER_EFFECTIVENESS = "caseworker_effectiveness"
    CASEWORKER_COMPETENCE = "caseworker_competence"
    CASEWORKER_CHOICE = "caseworker_choice"
    MEETING_CAPACITY = "meeting_capacity"
    # Meetings (passes.meetings.meet), by barrier bit, then vacancy referral and monitoring.
    MEETING_PRIORITY = "meeting_priority"
    DETECT_HEALTH = "detect_health"
    DETECT_SOCIAL = "detect_social"
    DETECT_SKILLS = "detect_skills"
    VACANCY_REFERRAL = "vacancy_referral"
    MONITORING_EXIT = "monitoring_exit"
    # Referral to a service after a meeting (passes.services.refer_to_service), and needs for a
    # general service as they arise (passes.services.arising_needs).
    MULTISECTOR_REFERRAL = "multisector_referral"
    SERVICE_REFERRAL = "service_referral"
    SERVICE_CHOICE = "service_choice"
    SERVICE_NEED = "service_need"
    SERVICE_NEED_CHOICE = "service_need_choice"
    # Organisers filling free places (passes.outreach.reach_out).
    OUTREACH = "outreach"
    OUTREACH_CHOICE = "outreach_choice"
    # Services (passes.services.admit, complete_services), by barrier bit, then a job.
    ADMISSION_PRIORITY = "admission_priority"
    RESOLVE_HEALTH = "resolve_health"
    RESOLVE_SOCIAL = "resolve_social"
    RESOLVE_SKILLS = "resolve_skills"
    JOB_AFTER_SERVICE = "job_after_service"
    # In-silico trials (simulation.core.trial).
    TRIAL_ASSIGNMENT = "trial_assignment"
