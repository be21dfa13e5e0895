"""Scenario files: reading, inheritance (``extends``), overrides, provenance, serialisation.

A scenario is a TOML file. It may name a base scenario with a top-level
``extends = "other.toml"`` and then lists only what differs. Command-line overrides
(``--set key.path=value``) are applied after inheritance and validated the same way.
Every problem is reported as a :class:`ScenarioError` naming the file, the key path and
what was expected. :func:`scenario_sources` says where each resolved value comes from,
and :func:`scenario_to_dict` / :func:`scenario_hash` write and fingerprint a scenario.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import hashlib
import json
import re
import stat
import tomllib
import typing
from pathlib import Path
from typing import Any

from simulation.config.convert import field_types, plain
from simulation.config.errors import ScenarioError
from simulation.config.parameters import parameter_rows
from simulation.config.scenario import (
    CITY_FOLLOWS_TE_OFFICE,
    REMOVABLE,
    Scenario,
    scenario_from_dict,
)
from simulation.config.timeline import trim_timeline

__all__ = [
    "MAX_FILE_BYTES",
    "apply_overrides",
    "extend_timeline",
    "load_scenario",
    "not_a_file",
    "flatten",
    "parameter_field",
    "provenance",
    "read_toml",
    "scenario_hash",
    "scenario_sources",
    "scenario_to_dict",
    "suggest_key",
    "with_values",
]

#: The longest chain of ``extends`` (the shipped scenarios use four).
MAX_EXTENDS = 50
#: Input files are small; anything larger (or an endless device) is not one.
MAX_FILE_BYTES = 1_000_000


def not_a_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as an input file, or None if it can.

    Only regular files are read: a folder, a pipe (which would block until written)
    or a device (endless, like ``/dev/zero``) is refused before it is opened.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "file not found"
    except OSError as error:
        return f"cannot be read ({error.strerror or error})"
    if stat.S_ISDIR(mode):
        return "expected a TOML file, got a folder"
    if not stat.S_ISREG(mode):
        return "expected a TOML file, got a pipe or device"
    return None


def read_toml(path: Path) -> dict:
    """Read a TOML file; problems become :class:`ScenarioError`."""
    problem = not_a_file(path)
    if problem is not None:
        raise ScenarioError(path, "", problem)
    try:
        with path.open("rb") as handle:
            head = handle.read(MAX_FILE_BYTES + 1)
        if len(head) > MAX_FILE_BYTES:
            raise ScenarioError(
                path, "", f"expected a TOML file of at most {MAX_FILE_BYTES:,} bytes"
            )
        # A byte-order mark (some editors write one) is not part of the TOML.
        return tomllib.loads(head.decode("utf-8").removeprefix("\ufeff"))
    except UnicodeDecodeError:
        raise ScenarioError(path, "", "expected UTF-8 text (save the file as UTF-8)") from None
    except FileNotFoundError:
        raise ScenarioError(path, "", "file not found") from None
    except IsADirectoryError:
        raise ScenarioError(path, "", "expected a TOML file, got a directory") from None
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(path, "", f"not valid TOML ({error})") from None
    except OSError as error:
        raise ScenarioError(path, "", f"cannot be read ({error.strerror or error})") from None


def _merge(base: dict, override: dict) -> dict:
    """Deep-merge tables; values and arrays of the override replace the base's."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _resolve(
    path: Path, seen: tuple[Path, ...] = (), sources: dict[str, str] | None = None
) -> dict:
    """Read a scenario file and the chain of files it extends.

    With ``sources``, also record which file set each value (dotted key path -> file);
    a file that names its run without describing it does not inherit a description.
    """
    path = path.resolve()
    if len(seen) >= MAX_EXTENDS:
        raise ScenarioError(
            path,
            "extends",
            f"expected a chain of at most {MAX_EXTENDS} files that extend each other",
        )
    if path in seen:
        chain = " -> ".join(p.name for p in (*seen, path))
        raise ScenarioError(path, "extends", f"circular inheritance ({chain})")
    data = read_toml(path)
    parent = data.pop("extends", None)
    if parent is None:
        _check_removals(path, {}, data)
        _record(data, str(path), sources)
        return data
    if not isinstance(parent, str):
        raise ScenarioError(path, "extends", f"expected a file name, got {parent!r}")
    problem = not_a_file(path.parent / parent)
    if problem is not None:
        raise ScenarioError(path, "extends", f"{problem}: {path.parent / parent}")
    base = _resolve(path.parent / parent, (*seen, path), sources)
    run = data.get("run")
    if isinstance(run, dict) and "name" in run and "description" not in run:
        base = {**base, "run": {k: v for k, v in base.get("run", {}).items() if k != "description"}}
        if sources is not None:
            sources.pop("run.description", None)
    _record(data, str(path), sources)
    _check_removals(path, base, data)
    merged = _merge(base, data)
    if isinstance(data.get("timeline"), list) and isinstance(base.get("timeline"), list):
        merged["timeline"] = extend_timeline(base["timeline"], data["timeline"])
    return merged


def _check_removals(where: str | Path, base: dict, data: dict, key: str = "") -> None:
    """Refuse ``name = false`` for an area or service that is not there to leave out.

    ``false`` removes an inherited entry of a table of named entries (``REMOVABLE``); a
    name nothing defines is a misspelling, and would otherwise be ignored.

    Raises:
        ScenarioError: With the key and the names that could be meant.
    """
    for section in REMOVABLE:
        table = data.get(section)
        if not isinstance(table, dict):
            continue
        inherited = base.get(section) if isinstance(base.get(section), dict) else {}
        known = [n for n, v in inherited.items() if v is not False]
        for name, value in table.items():
            if value is False and name not in known:
                raise ScenarioError(
                    where,
                    key or f"{section}.{name}",
                    f"there is no {section[:-1]} {name!r} to leave out; expected one of: "
                    + (", ".join(sorted(known)) or "none"),
                )


def extend_timeline(base: list, changes: list) -> list:
    """A file's dated changes over those of the file it extends.

    A change on the date of an inherited one is merged into it (its keys replace the
    inherited change's, the others stay); a change on a new date is added; the result
    is in date order. An empty ``timeline = []`` removes every inherited change.
    """
    if not changes:
        return []
    entries = [dict(e) if isinstance(e, dict) else e for e in base]
    for change in changes:
        date = change.get("date") if isinstance(change, dict) else None
        same = [
            i
            for i, entry in enumerate(entries)
            if isinstance(entry, dict) and date is not None and entry.get("date") == date
        ]
        if same:
            entries[same[0]] = _merge(entries[same[0]], change)
        else:
            entries.append(change)
    # Only plain dates are sorted; a date with a time is reported by the validation.
    dated = [e for e in entries if isinstance(e, dict) and type(e.get("date")) is dt.date]
    if len(dated) == len(entries):  # malformed entries are reported by the validation
        entries.sort(key=lambda e: e["date"])
    return entries


def _record(data: dict, origin: str, sources: dict[str, str] | None, prefix: str = "") -> None:
    """Note ``origin`` as the source of every value in ``data``."""
    if sources is None:
        return
    for key, value in data.items():
        if isinstance(value, dict):
            _record(value, origin, sources, f"{prefix}{key}.")
        else:
            sources[f"{prefix}{key}"] = origin


def scenario_sources(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> dict:
    """Where each value of a scenario file comes from: a file of the chain, or ``--set``.

    Returns:
        Dotted key path -> the file that set it last, or ``"--set"``; values set by
        nobody are the defaults (and the city's referral values follow the TE office's).
    """
    sources: dict[str, str] = {}
    _resolve(Path(path), (), sources)
    for text in overrides:
        try:
            parts, value = _parse_override(text)
        except ScenarioError:
            continue
        key = ".".join(parts)  # as the resolved keys are named
        sources[key] = "--set"
        if isinstance(value, dict):  # an inline table sets each of its keys
            for inner in flatten(value, f"{key}."):
                sources[inner] = "--set"
    return sources


def _parse_override(text: str) -> tuple[list[str], Any]:
    key, raw = _split_override(text)
    parts = _key_parts(key)
    if not key or any(not p for p in parts):
        raise ScenarioError("--set", key, "expected a dotted key path such as run.seed")
    if "\n" in raw or "\r" in raw:
        raise ScenarioError("--set", key, "expected a value on one line")
    if "." in parts[0]:  # no section's name has a dot: the quotes were misplaced
        raise ScenarioError(
            "--set", key, f"a key in quotes is one name; expected {parts[0]} without quotes"
        )
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return parts, value


def _split_override(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` at the first ``=`` outside quotes (a quoted name may hold one)."""
    quote = ""
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "=":
            return text[:i].strip(), text[i + 1 :]
    raise ScenarioError("--set", text, "expected KEY.PATH=VALUE")


def _key_parts(key: str) -> list[str]:
    """The parts of a dotted key path; a part in quotes may hold dots (as in TOML).

    ``areas."st.michel".unemployed`` names the area ``st.michel``.
    """
    parts, current, quote, quoted = [], "", "", False
    for char in key:
        if quote:
            if char == quote:
                quote = ""
            else:
                current += char
        elif char in "\"'":
            quote, quoted = char, True
        elif char == ".":
            parts.append(current if quoted else current.strip())
            current, quoted = "", False
        else:
            current += char
    if quote:
        raise ScenarioError("--set", key, "expected a closing quote in the key path")
    parts.append(current if quoted else current.strip())
    return parts


#: A key path part that names an entry of a list, e.g. ``timeline[2]``.
_LISTED = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\[(\d+)\]")


def apply_overrides(data: dict, overrides: list[str] | tuple[str, ...]) -> dict:
    """Apply ``key.path=value`` overrides (values in TOML syntax; bare words are strings).

    ``timeline[N].section.key=value`` sets a value inside the N-th dated change (counted
    from 1, as the error messages count them).

    Args:
        data: Scenario tables.
        overrides: Overrides in the order given.

    Returns:
        A new dict with the overrides applied.
    """
    data = _merge({}, data)
    for text in overrides:
        parts, value = _parse_override(text)
        table = data
        for depth, part in enumerate(parts[:-1]):
            listed = _LISTED.fullmatch(part)
            if listed:
                name, number = listed.group(1), int(listed.group(2))
                entries = table.get(name)
                where = ".".join(parts[: depth + 1])
                if not isinstance(entries, list) or not 1 <= number <= len(entries):
                    count = len(entries) if isinstance(entries, list) else 0
                    raise ScenarioError(
                        "--set", ".".join(parts), f"'{where}': there are {count} {name} entries"
                    )
                entries = table[name] = list(entries)
                current = entries[number - 1] = dict(entries[number - 1])
                table = current
                continue
            current = table.get(part)
            if current is None:
                current = table[part] = {}
            elif not isinstance(current, dict):
                where = ".".join(parts[: depth + 1])
                raise ScenarioError("--set", ".".join(parts), f"'{where}' is a value, not a table")
            else:
                current = table[part] = dict(current)
            table = current
        last = parts[-1]
        if (
            value is False
            and len(parts) == 2
            and parts[0] in REMOVABLE
            and not isinstance(table.get(last), dict)
        ):
            _check_removals("--set", data, {parts[0]: {last: False}}, ".".join(parts))
        if isinstance(value, dict) and isinstance(table.get(last), dict):
            value = _merge(table[last], value)  # an inline table merges, as a file's does
        table[last] = value
    return data


def load_scenario(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Load, inherit, override and validate a scenario file.

    Args:
        path: The TOML file.
        overrides: ``key.path=value`` strings applied after inheritance.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: With the file, key path and what was expected.
    """
    path = Path(path)
    data = _resolve(path)
    if overrides:
        data = trim_timeline(apply_overrides(data, overrides), overrides)
        try:
            return scenario_from_dict(data, path)
        except ScenarioError as error:
            if any(_within(o.split("=", 1)[0].strip(), error.key) for o in overrides):
                raise ScenarioError(f"{path} (--set)", error.key, error.message) from None
            raise
    return scenario_from_dict(data, path)


def suggest_key(key: str) -> str:
    """A "did you mean" hint for a key path that is not a scenario parameter.

    Table entries are matched by the key with the entry's name as ``<name>``.
    """
    parts = key.split(".")
    named = ".".join([parts[0], "<name>", *parts[2:]]) if len(parts) > 2 else key
    keys = [row["key"] for row in parameter_rows(Scenario)]
    hint = difflib.get_close_matches(named, keys, n=1, cutoff=0.6) or difflib.get_close_matches(
        key, keys, n=1, cutoff=0.6
    )
    if not hint:
        return ""
    close = hint[0]
    if "<name>" in close and len(parts) > 2:
        close = close.replace("<name>", parts[1], 1)
    return f"; did you mean '{close}'?"


def _within(set_key: str, error_key: str) -> bool:
    """Whether the key an override sets holds the key of an error, or lies within it."""
    if not error_key:
        return False
    inner, outer = sorted((set_key, error_key), key=len, reverse=True)
    return inner == outer or inner.startswith((outer + ".", outer + "["))


def parameter_field(key: str) -> dataclasses.Field:
    """The declaration of a scenario parameter by its key path (tables by any name).

    Raises:
        KeyError: No scenario parameter has this key path.
    """
    section: Any = Scenario
    parts = key.split(".")
    i = 0
    while i < len(parts):
        fields = (
            {f.name: f for f in dataclasses.fields(section)}
            if dataclasses.is_dataclass(section)
            else {}
        )
        if parts[i] not in fields:
            raise KeyError(key)
        field = fields[parts[i]]
        tp = field_types(section)[parts[i]]
        i += 1
        if typing.get_origin(tp) is dict:
            i += 1  # the table's own name (an area, a service)
            tp = typing.get_args(tp)[1]
        if not dataclasses.is_dataclass(tp):
            if i != len(parts):
                raise KeyError(key)
            return field
        section = tp
    raise KeyError(key)


def scenario_to_dict(scenario: Scenario) -> dict:
    """The resolved scenario as plain data (dates as ISO strings), for manifests.

    An empty timeline is left out, so scenarios without one keep their hashes.
    """
    data = plain(dataclasses.asdict(scenario))
    if isinstance(scenario, Scenario):
        if scenario.timeline:  # as a scenario file writes it
            data["timeline"] = [
                {"date": c["date"], "label": c["label"], **c["settings"]} for c in data["timeline"]
            ]
        else:
            del data["timeline"]
    return data


def with_values(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """The scenario with parameter values set by key path (a parameter draw).

    Values go in below the scenario's dated changes (a change that sets the same key
    still sets it from its date). A TE office key the city follows
    (``CITY_FOLLOWS_TE_OFFICE``) moves the city's value too where the city had the TE
    office's value (it followed); a city value of its own stays.

    Raises:
        ScenarioError: A key is not a parameter, or a value is out of its range.
    """
    data = scenario_to_dict(scenario)
    overrides = []
    for key, value in values.items():
        overrides.append(f"{key}={value!r}")
        section, _, name = key.partition(".")
        if section == "te_office" and name in CITY_FOLLOWS_TE_OFFICE:
            city, te_office = data.get("city", {}), data.get("te_office", {})
            if f"city.{name}" not in values and city.get(name) == te_office.get(name):
                overrides.append(f"city.{name}={value!r}")
    return scenario_from_dict(apply_overrides(data, overrides), scenario.run.name)


def scenario_hash(scenario: Scenario, **extra: Any) -> str:
    """A short, stable hash of the resolved scenario and run options."""
    payload = json.dumps({"scenario": scenario_to_dict(scenario), **extra}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:8]


def flatten(tables: dict, prefix: str = "") -> dict[str, Any]:
    """Dotted key paths of the values in nested tables."""
    flat: dict[str, Any] = {}
    for key, value in tables.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def provenance(
    scenario: Scenario, path: str | Path, overrides: list[str] | tuple[str, ...] = ()
) -> list[tuple[str, Any, str]]:
    """Every resolved value of a scenario with where it comes from, as ``simulate show`` says.

    The origin is a file of the ``extends`` chain (relative to the working folder when
    it is below it; the fitted parameters among them), ``--set``, ``follows te_office``
    for the city's keys that take the TE office's value when the city does not set them
    (``CITY_FOLLOWS_TE_OFFICE``), or ``default``.

    Returns:
        (key path, value, origin) in the order of the scenario's sections.
    """
    sources = scenario_sources(path, overrides)
    rows = []
    for key, value in flatten(scenario_to_dict(scenario)).items():
        origin = sources.get(key)
        follows = key.startswith("city.") and key[5:] in CITY_FOLLOWS_TE_OFFICE
        if origin is None and follows and sources.get(f"te_office.{key[5:]}"):
            origin = "follows te_office"
        rows.append((key, value, _short_path(origin) if origin else "default"))
    return rows


def _short_path(origin: str) -> str:
    """A source file relative to the working folder when it is below it."""
    try:
        return str(Path(origin).relative_to(Path.cwd()))
    except ValueError:
        return origin
