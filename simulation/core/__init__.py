"""The model core: job seekers, organisers and caseworkers, week by week.

Imports only :mod:`simulation.config`. ``model`` (the ``mesa.Model``: time, the weekly
step in ODD order) is built from ``plan`` (the scenario as arrays), ``population`` and
``registration`` (the job seekers and how new ones are drawn), ``staff`` and ``agents``
(caseworkers and the organisers that employ them), ``clocks`` (event clocks of the
job seekers), ``accounts`` (costs by payer) and ``records`` (what is recorded each
week, and its tables). ``roster`` numbers the organisers. ``rules`` holds the
behavioural formulas, one module per process, and ``passes`` the compiled passes over
the people, one module per process with its tables (``compiled``: where numba
caches them, keyed by their sources); ``streams``, ``decisions`` and ``codes`` the
random streams, their registered names and the codes every part shares.
"""
