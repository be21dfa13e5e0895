"""Errors in what a user gives the package: files, keys and values that cannot be used.

Each names the file (or ``--set``), the dotted key path and what was expected; the
command line prints it as one line and exits with status 2. A scenario, a sweep file
and a targets file each have their own kind, so a caller can tell them apart.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "InputError",
    "ScenarioError",
    "SweepFileError",
    "TargetsFileError",
    "TrialFileError",
]


class InputError(ValueError):
    """An input file or value that cannot be used.

    Args:
        file: The file (or ``"--set"``) where the problem is.
        key: Dotted key path of the offending value ("" for the whole file).
        message: What was expected.
    """

    def __init__(self, file: str | Path, key: str, message: str) -> None:
        self.file = str(file)
        self.key = key
        self.message = message
        where = f"{self.file}: {key}" if key else self.file
        super().__init__(f"{where}: {message}")

    @classmethod
    def from_error(cls, error: InputError) -> InputError:
        """The same problem, as this kind of error (e.g. a sweep file's)."""
        return cls(error.file, error.key, error.message)


class ScenarioError(InputError):
    """A scenario file or override that cannot be used."""


class SweepFileError(InputError):
    """A sweep file that cannot be used."""


class TargetsFileError(InputError):
    """A calibration targets file that cannot be used."""


class TrialFileError(InputError):
    """A trial file that cannot be used."""
