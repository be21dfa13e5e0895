"""``python -m simulation.cli``: the ``simulate`` command."""

from simulation.cli import main

main()
