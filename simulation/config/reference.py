"""The parameter reference: every scenario key with its default, unit and source.

``simulate params`` prints the table; ``simulate params --update docs/ODD.md`` rewrites
it between the markers of a Markdown file, so the ODD's table is the code's.
"""

from __future__ import annotations

from pathlib import Path

from simulation.config.errors import InputError
from simulation.config.loading import not_a_file
from simulation.config.parameters import parameter_rows
from simulation.config.scenario import Scenario

__all__ = ["PARAMETERS_END", "PARAMETERS_START", "parameter_table", "update_parameter_table"]

PARAMETERS_START = "<!-- parameters:start -->"
PARAMETERS_END = "<!-- parameters:end -->"


def parameter_table(
    style: str = "markdown", ranges: dict[str, tuple[float, float, float]] | None = None
) -> str:
    """The table of every scenario parameter with its default, unit and source.

    Args:
        style: ``markdown`` (the ODD's table) or ``tsv``.
        ranges: The posterior sample's median and 5th and 95th percentiles by key
            (``Sample.ranges``): a column of its own where given.
    """
    rows = list(parameter_rows(Scenario))
    ranges = ranges or {}

    def spread(key: str) -> str:
        if key not in ranges:
            return ""
        median, low, high = ranges[key]
        return f"{median:.3g} ({low:.3g} .. {high:.3g})"

    if style == "tsv":
        head = ["key", "default", "unit", "source", "meaning"] + (["draws"] if ranges else [])
        lines = ["\t".join(head)]
        for r in rows:
            cells = [r["key"], r["default"], r["unit"], r["source"], r["doc"]]
            lines.append("\t".join(cells + ([spread(r["key"])] if ranges else [])))
        return "\n".join(lines)
    if ranges:
        lines = [
            "| key | default | unit | source | meaning | posterior draws: median (5-95 %) |",
            "|---|---|---|---|---|---|",
        ]
    else:
        lines = ["| key | default | unit | source | meaning |", "|---|---|---|---|---|"]
    for r in rows:
        cells = [f"`{r['key']}`", r["default"], r["unit"], r["source"], r["doc"]]
        if ranges:
            cells.append(spread(r["key"]))
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def update_parameter_table(
    path: Path,
    style: str = "markdown",
    ranges: dict[str, tuple[float, float, float]] | None = None,
) -> None:
    """Rewrite the table between the parameter markers of a Markdown file.

    Raises:
        InputError: The file has no block between the markers.
    """
    problem = not_a_file(path)
    if problem is not None:
        raise InputError(path, "", problem.replace("a TOML file", "a Markdown file"))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(path, "", "expected a UTF-8 text file") from None
    except IsADirectoryError:
        raise InputError(path, "", "expected a Markdown file, not a folder") from None
    if PARAMETERS_START not in text or PARAMETERS_END not in text:
        raise InputError(path, "", f"expected a {PARAMETERS_START} ... {PARAMETERS_END} block")
    head, rest = text.split(PARAMETERS_START, 1)
    _, tail = rest.split(PARAMETERS_END, 1)
    path.write_text(
        f"{head}{PARAMETERS_START}\n{parameter_table(style, ranges)}\n{PARAMETERS_END}{tail}"
    )
