"""Analysis of finished runs: measures, run folders, comparisons, sensitivity, plots.

Imports :mod:`simulation.config` and, for the record layout, :mod:`simulation.core`;
never runs a model. ``measures`` is the one catalogue of outcome measures; ``results``
reads and writes run folders; ``plots`` draws from plain tables; ``compare`` and
``sensitivity`` compute effects and indices from what is on disk.
"""
