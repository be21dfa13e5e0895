"""Declarative parameter fields: default, unit, bounds and source of every scenario value.

Scenario sections are frozen dataclasses whose fields are made with :func:`param`. The
metadata serves three purposes from one place: validation of scenario files (types,
bounds, allowed values), the parameter table of ``docs/ODD.md`` (``simulate params``)
and the provenance of every default (a source, or the word "assumption").
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Iterator
from typing import Any

from simulation.config.convert import field_types

__all__ = ["param", "parameter_rows", "ASSUMPTION", "NAME", "SETTING"]

#: A value no source gives: a labelled, sweepable assumption.
ASSUMPTION = "assumption"
#: A choice of the analyst (names, horizon, seed, sizes), not a claim about the world.
SETTING = "setting"
#: Names used in file and folder names: letters, digits, '.', '_' and '-', not starting
#: with '.' (so a name can never leave the folder it names, or hide in it).
NAME = r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}"


def param(
    default: Any = dataclasses.MISSING,
    *,
    doc: str,
    unit: str = "",
    source: str = ASSUMPTION,
    low: float | None = None,
    high: float | None = None,
    choices: tuple[str, ...] | None = None,
    factory: Any = dataclasses.MISSING,
    pattern: str | None = None,
) -> Any:
    """Declare a scenario parameter.

    Args:
        default: Default value; omit for a required key.
        doc: What the parameter means.
        unit: Unit of measurement ("" for dimensionless or counts).
        source: Where the default comes from, or ``"assumption"``.
        low: Inclusive lower bound for numbers (or each number in a list).
        high: Inclusive upper bound.
        choices: Allowed strings.
        factory: Default factory for mutable defaults (tables of tables).
        pattern: A regular expression the whole string must match (e.g. :data:`NAME`).

    Returns:
        A dataclass field carrying the metadata.
    """
    metadata = {
        "doc": doc,
        "unit": unit,
        "source": source,
        "low": low,
        "high": high,
        "choices": choices,
        "pattern": pattern,
    }
    if factory is not dataclasses.MISSING:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def _is_section(tp: Any) -> bool:
    return isinstance(tp, type) and dataclasses.is_dataclass(tp)


def _table_value_type(tp: Any) -> Any | None:
    """For ``dict[str, Section]`` return ``Section``; otherwise None."""
    if typing.get_origin(tp) is dict:
        args = typing.get_args(tp)
        if len(args) == 2 and _is_section(args[1]):
            return args[1]
    return None


def _format_default(field: dataclasses.Field, instance: Any) -> str:
    if instance is not None:
        value = getattr(instance, field.name)
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, tuple):
            return "[" + ", ".join(_short(v) for v in value) + "]"
        return _short(value)
    if field.default is not dataclasses.MISSING:
        value = field.default
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, tuple):
            return "[" + ", ".join(_short(v) for v in value) + "]"
        return _short(value)
    if field.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        return "(table)"
    return "required"


def _short(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, float):
        return f"{value:g}"
    if dataclasses.is_dataclass(value):
        return (
            "{" + ", ".join(f"{k}={_short(v)}" for k, v in dataclasses.asdict(value).items()) + "}"
        )
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_short(v)}" for k, v in value.items()) + "}"
    return str(value)


def parameter_rows(
    section: type, prefix: str = "", instance: Any = None
) -> Iterator[dict[str, str]]:
    """Walk a section class and yield one documentation row per parameter.

    Args:
        section: A dataclass made of :func:`param` fields.
        prefix: Key path of the section.
        instance: An instance whose values are the defaults (else the field defaults).

    Yields:
        Dicts with ``key``, ``default``, ``unit``, ``source`` and ``doc``.
    """
    hints = field_types(section)
    for field in dataclasses.fields(section):
        tp = hints[field.name]
        key = f"{prefix}{field.name}"
        table_type = _table_value_type(tp)
        if _is_section(tp):
            factory = field.default_factory
            nested = factory() if factory is not dataclasses.MISSING else None
            yield from parameter_rows(tp, key + ".", nested)
            continue
        if table_type is not None:
            yield from parameter_rows(table_type, key + ".<name>.")
            continue
        yield {
            "key": key,
            "default": _format_default(field, instance),
            "unit": field.metadata.get("unit", ""),
            "source": field.metadata.get("source", ASSUMPTION),
            "doc": field.metadata.get("doc", ""),
        }
