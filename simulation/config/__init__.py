"""Configuration: what a scenario says, validated, with every parameter's source.

The lowest layer. ``scenario`` reads and validates scenario files (``extends``,
``--set`` overrides, one-line errors), ``parameters`` gives each parameter its unit and
source, ``facts`` holds the Finnish statistics the defaults come from, ``errors`` the
input errors every layer raises. Nothing here knows about the model.
"""
