"""The shared converter: TOML values into typed, validated sections.

:func:`build_section` turns a table into a section dataclass key by key (scenario
files, trial files, sweep files and targets all use it): unknown keys are refused with
a suggestion, every value is converted to its declared type and checked against its
bounds, and every problem is a :class:`ScenarioError` naming the file and the key path.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import functools
import re
import types
import typing
from typing import Any

from simulation.config.errors import ScenarioError

__all__ = ["build_section", "field_types", "plain", "suggest", "type_name"]

_MISSING = dataclasses.MISSING


@functools.cache
def field_types(cls: type) -> dict[str, Any]:
    """The resolved type of each field of a section class (read once per class).

    Resolving the annotations (``typing.get_type_hints``) costs more than building a
    section, and every scenario loaded asks for the same few classes.
    """
    return typing.get_type_hints(cls)


def type_name(tp: Any) -> str:
    """What a value of type ``tp`` is called in an error message."""
    names = {
        float: "a number",
        int: "a whole number",
        bool: "true or false",
        str: "a string",
        dt.date: "a date (YYYY-MM-DD)",
    }
    if tp in names:
        return names[tp]
    if typing.get_origin(tp) is tuple:
        return "a list"
    if typing.get_origin(tp) is dict:
        return "one or more tables [<key>.<name>]"
    return "a table"


def suggest(key: str, options: list[str]) -> str:
    """A "did you mean" hint for a misspelt key, or nothing."""
    close = difflib.get_close_matches(key, options, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; expected one of: {', '.join(sorted(options))}"


def _child(key: str, name: str) -> str:
    """Key path of a named table; names with dots are quoted as in TOML."""
    return f'{key}."{name}"' if "." in name else f"{key}.{name}"


def convert(value: Any, tp: Any, meta: dict, file: str, key: str) -> Any:
    """Convert and check one value against its declared type and bounds."""
    if isinstance(tp, types.UnionType):
        if value is None:
            return None
        tp = next(a for a in typing.get_args(tp) if a is not type(None))
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ScenarioError(file, key, f"expected a table, got {value!r}")
        return build_section(tp, value, file, key)
    if typing.get_origin(tp) is dict:
        section = typing.get_args(tp)[1]
        if not isinstance(value, dict):
            raise ScenarioError(file, key, f"expected a table of tables, got {value!r}")
        if not dataclasses.is_dataclass(section):  # a table of plain values
            return {
                name: convert(sub, section, meta, file, _child(key, name))
                for name, sub in value.items()
            }
        for name, sub in value.items():
            if not isinstance(sub, dict):
                child = _child(key, name)
                raise ScenarioError(file, child, f"expected a table [{child}], got {sub!r}")
        return {
            name: build_section(section, sub, file, _child(key, name))
            for name, sub in value.items()
        }
    if typing.get_origin(tp) is tuple:
        item_type = typing.get_args(tp)[0]
        if not isinstance(value, (list, tuple)):
            raise ScenarioError(file, key, f"expected a list, got {value!r}")
        return tuple(convert(v, item_type, meta, file, f"{key}[{i}]") for i, v in enumerate(value))
    if tp is bool:
        if not isinstance(value, bool):
            raise ScenarioError(file, key, f"expected true or false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ScenarioError(file, key, f"expected a whole number, got {value!r}")
    elif tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ScenarioError(file, key, f"expected a number, got {value!r}")
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise ScenarioError(file, key, f"expected a finite number, got {value!r}")
    elif tp is str:
        if not isinstance(value, str):
            raise ScenarioError(file, key, f"expected a string, got {value!r}")
        pattern = meta.get("pattern")
        if pattern and not re.fullmatch(pattern, value):
            raise ScenarioError(
                file,
                key,
                f"expected a name of letters, digits, '.', '_' or '-' (1-100 characters, not "
                f"starting with '.'), got {value!r}",
            )
        choices = meta.get("choices")
        if choices and value not in choices:
            raise ScenarioError(
                file, key, f"'{value}' is not allowed{suggest(value, list(choices))}"
            )
        return value
    elif tp is dt.date:
        if isinstance(value, dt.datetime):
            value = value.date()
        elif isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                raise ScenarioError(
                    file, key, f"expected a date (YYYY-MM-DD), got {value!r}"
                ) from None
        if not isinstance(value, dt.date):
            raise ScenarioError(file, key, f"expected a date (YYYY-MM-DD), got {value!r}")
        return value
    low, high = meta.get("low"), meta.get("high")
    if low is not None and value < low:
        raise ScenarioError(file, key, f"expected a value >= {low:g}, got {value!r}")
    if high is not None and value > high:
        raise ScenarioError(file, key, f"expected a value <= {high:g}, got {value!r}")
    return value


def build_section(cls: type, data: dict, file: str, path: str, base: Any = None) -> Any:
    """Build a section from a dict, rejecting unknown keys and filling defaults."""
    hints = field_types(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    prefix = f"{path}." if path else ""
    for key in data:
        if key not in fields:
            raise ScenarioError(file, prefix + key, "unknown key" + suggest(key, list(fields)))
    values = {}
    for name, field in fields.items():
        key = prefix + name
        if name in data:
            nested_base = getattr(base, name) if base is not None else None
            tp = hints[name]
            if dataclasses.is_dataclass(tp) and isinstance(data[name], dict):
                if nested_base is None and field.default_factory is not _MISSING:
                    nested_base = field.default_factory()
                values[name] = build_section(tp, data[name], file, key, base=nested_base)
            else:
                values[name] = convert(data[name], tp, field.metadata, file, key)
        elif base is not None:
            values[name] = getattr(base, name)
        elif field.default is not _MISSING:
            values[name] = field.default
        elif field.default_factory is not _MISSING:
            values[name] = field.default_factory()
        else:
            expected = type_name(hints[name]).replace("<key>", key)
            raise ScenarioError(file, key, f"missing; expected {expected}")
    return cls(**values)


def plain(value: Any) -> Any:
    """A value as TOML and JSON write it: dates as ISO strings, tuples as lists."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value
