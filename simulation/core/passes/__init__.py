"""The compiled passes of the weekly step: one module per process, with its tables.

Each pass is one loop over the people a process concerns, compiled with numba; most
loop over the register (everyone registered at the start of the week, plus those who
registered again during it). People in work or outside the labour force are not
visited week by week: their next move is scheduled. A module owns its process's input
tables, their builder from the plan, and its loops; the behavioural formulas the loops
apply are the named rules of :mod:`simulation.core.rules`.

* :mod:`.draws` - the random-number primitives and the key layout (one definition);
* :mod:`.common` - rows as unsigned indices;
* :mod:`.slices` - the register in fixed slices, for the passes run on every core;
* :mod:`.queues` - queues served oldest first, ties by a keyed draw;
* :mod:`.newcomers` - the traits of new job seekers;
* :mod:`.clocks` - event clocks: job finding, job loss, exit, return, recall;
* :mod:`.meetings` - who is due, whom caseworkers meet, what a meeting does;
* :mod:`.services` - referrals, completions and admissions;
* :mod:`.outreach` - organisers filling free places: outreach and the cost incentive;
* :mod:`.matching` - search weights and job finding;
* :mod:`.census` - the register, benefits and the end-of-week count;
* :mod:`.tables` - every pass's tables under one plan.

A numpy version of a pass needs one temporary array and one interpreter call per
operation; at national scale (a million rows, about 20 such passes a week) that cost
dominated the run (``docs/performance.md``).
"""

from simulation.core.compiled import use_keyed_cache

# Before any pass is compiled: where numba caches them (simulation.core.compiled says why).
use_keyed_cache()
