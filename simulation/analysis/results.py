"""Run folders: atomic writing of tables, the summary and the manifest.

A run folder holds the tidy tables of all replications (``outcomes.csv``,
``organisers.csv``, ``services.csv``, ``labour_market.csv``), ``summary.json``,
``manifest.json`` and PNG plots. Each replication's tables are written to
``replications/`` as soon as the replication finishes, so a long run loses at most the
replications in flight; the combined tables are assembled from those files at the end.
Every file is written to a temporary name and renamed into place.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.analysis.measures import SUMMARY_MONTHS, measures_in, month_week
from simulation.config.errors import InputError

__all__ = [
    "TABLES",
    "RunFolder",
    "atomic_write",
    "band_text",
    "empty_groups",
    "check_out_folder",
    "folder_lock",
    "summarise",
    "summary_table",
    "environment",
    "seal",
    "table_checksums",
    "verify_run_folder",
]

TABLES = ("outcomes", "organisers", "services", "labour_market")


def _file_mode() -> int:
    """The mode a new file gets under the user's umask (as ``open`` would give it)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_write(path: Path, mode: str = "w") -> Iterator[Any]:
    """Open a temporary file beside ``path``; rename it over ``path`` on success.

    The file gets the permissions any new file of the user gets (``mkstemp`` alone would
    make it private), so colleagues read results as they read the plots.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, mode) as file:
            yield file
        os.chmod(temporary, _file_mode())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    with atomic_write(path) as file:
        frame.to_csv(file, index=False, lineterminator="\n")


def _write_json(data: Any, path: Path) -> None:
    with atomic_write(path) as file:
        json.dump(data, file, indent=2, sort_keys=False, default=_json_default)
        file.write("\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold ``.<folder>.lock`` beside ``folder`` while writing into it.

    The lock is the kernel's (``flock`` on the lock file), so it ends with the process
    that holds it, however that process ends: a lock file left behind by a process that
    died is simply taken, and no other process's identity is ever guessed from a file.
    The holder writes its process id into the file for the message a second writer
    gets. The file is removed while still locked, and a writer that locked a file that
    was meanwhile removed tries again, so two writers never hold the folder at once.

    Raises:
        InputError: Another process is writing into the folder.
    """
    lock = folder.parent / f".{folder.name}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    while True:
        handle = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            owner = _lock_owner(lock)
            holder = f"process {owner}" if owner is not None else "another process"
            raise InputError(
                "--out", "", f"{folder}: {holder} is writing into it; wait or choose another folder"
            ) from None
        try:
            same = os.fstat(handle).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(handle)  # locked a file its holder had just removed: try again
    os.ftruncate(handle, 0)
    os.write(handle, str(os.getpid()).encode())
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()
        os.close(handle)


def _lock_owner(lock: Path) -> int | None:
    try:
        return int(lock.read_text().strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_out_folder(path: Path) -> None:
    """Refuse an output folder that cannot be one: a file, or a path through a file.

    Checked before any work, so a long run does not end in a bare system error.

    Raises:
        InputError: ``path`` or the nearest of its parents that exists is not a folder.
    """
    if path.is_symlink() and not path.resolve().is_dir():
        raise InputError("--out", "", f"{path} is a link to no folder")
    if path.exists() and not path.is_dir():
        raise InputError("--out", "", f"{path} exists and is not a folder")
    for parent in path.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError("--out", "", f"{parent} is a file, so {path} cannot be a folder")
            return


class RunFolder:
    """The output folder of one ``simulate run``, complete or not there at all.

    Everything is written into a hidden sibling (``.<name>.partial``) that replaces the
    folder only when the run is complete (:meth:`complete`), so a stopped run never
    leaves new tables beside an old manifest. A folder that holds something other than
    an earlier run of the same thing is refused unless ``overwrite``.

    Args:
        path: The run folder.
        identity: What the run is (scenario, seed, replications, scale), as hashed for
            the manifest: an earlier run with the same identity may be replaced.
        overwrite: Replace whatever the folder holds.

    Raises:
        InputError: The folder is a file, holds something else, or is being written.
    """

    def __init__(self, path: str | Path, identity: str = "", overwrite: bool = False) -> None:
        self.final = Path(path)
        if str(path) in ("", "."):
            raise InputError("--out", "", "expected the name of a folder for the run")
        if self.final.is_symlink():
            if not self.final.resolve().is_dir():
                raise InputError("--out", "", f"{self.final} is a link to no folder")
            self.final = self.final.resolve()  # the run goes where the link points
        here = Path.cwd().resolve()
        if self.final.resolve() in (here, *here.parents):
            raise InputError(
                "--out",
                "",
                f"{self.final} is the working folder or holds it; a run replaces its folder "
                "whole, so expected a folder of its own",
            )
        check_out_folder(self.final)
        if self.final.is_dir() and any(self.final.iterdir()) and not overwrite:
            earlier = _identity_of(self.final)
            if earlier != identity or not identity:
                raise InputError(
                    "--out",
                    "",
                    f"{self.final} holds something other than an earlier run of this scenario "
                    "with these settings; choose another folder or give --overwrite",
                )
        self.overwrite = overwrite
        self.path = self.final.parent / f".{self.final.name}.partial"
        self._lock = folder_lock(self.final)
        self._lock.__enter__()
        shutil.rmtree(self.path, ignore_errors=True)  # what a stopped run left
        self.path.mkdir(parents=True)

    def complete(self) -> Path:
        """Put the finished run in place of the folder (and of any earlier run in it).

        What the earlier run's folder holds that this run did not write (a note of the
        user's, another run in a sub-folder, the plots of an earlier run of the same
        thing when this one ran without plots) is kept, unless ``overwrite`` was given.
        """
        old = self.final.parent / f".{self.final.name}.old"
        shutil.rmtree(old, ignore_errors=True)
        if self.final.exists():
            if not self.overwrite:
                for entry in self.final.iterdir():
                    if not (self.path / entry.name).exists() and not entry.is_symlink():
                        entry.rename(self.path / entry.name)
            self.final.rename(old)
        self.path.rename(self.final)
        shutil.rmtree(old, ignore_errors=True)
        self.release()
        return self.final

    def release(self) -> None:
        """Give up the folder (a stopped run leaves its partial folder to look at)."""
        if self._lock is not None:
            self._lock.__exit__(None, None, None)
            self._lock = None

    def _part(self, replication: int, table: str) -> Path:
        return self.path / "replications" / f"{replication:04d}" / f"{table}.csv"

    def write_replication(self, replication: int, tables: dict[str, pd.DataFrame]) -> None:
        """Write one replication's tables (with a ``replication`` column)."""
        for name in TABLES:
            frame = tables.get(name, pd.DataFrame())
            frame = frame.assign(replication=replication)
            frame = frame[["replication", *[c for c in frame.columns if c != "replication"]]]
            _write_csv(frame, self._part(replication, name))

    def combine(self, replications: int) -> dict[str, pd.DataFrame]:
        """Concatenate the replication files into the run's tables, in replication order."""
        combined = {}
        for name in TABLES:
            frames = [pd.read_csv(self._part(r, name)) for r in range(replications)]
            frames = [f for f in frames if not f.empty]
            frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
            _write_csv(frame, self.path / f"{name}.csv")
            combined[name] = frame
        return combined

    def write_json(self, name: str, data: Any) -> Path:
        """Write ``name`` (e.g. ``summary.json``) atomically."""
        path = self.path / name
        _write_json(data, path)
        return path


def _identity_of(folder: Path) -> str | None:
    """The identity recorded in a run folder's manifest (None if there is none)."""
    try:
        return str(json.loads((folder / "manifest.json").read_text()).get("identity"))
    except (OSError, ValueError, AttributeError):
        return None


def _band(values: np.ndarray) -> dict[str, float]:
    values = values[~np.isnan(values)]
    if len(values) == 0:  # nobody in the group yet: JSON's null, not a bare NaN
        return {"mean": None, "low": None, "high": None}
    return {
        "mean": float(values.mean()),
        "low": float(np.quantile(values, 0.05)),
        "high": float(np.quantile(values, 0.95)),
    }


def summarise(outcomes: pd.DataFrame, weeks: int) -> dict[str, Any]:
    """Key outcomes by group: means and 5-95 % bands across replications.

    Args:
        outcomes: The run's ``outcomes`` table (all replications).
        weeks: Number of simulated weeks.

    Returns:
        A JSON-ready dict: for each group, the employment rate at 6, 12, 24, 30 and 36
        months (those within the horizon), and at the end of the run the cumulative
        days employed per person, the activation rate, the out-of-labour-force share
        and the long-term share of the unemployed.
    """
    months = [m for m in SUMMARY_MONTHS if month_week(m) < weeks]
    last = weeks - 1
    groups: dict[str, Any] = {}
    for group, frame in outcomes.groupby("group", sort=False):
        by_week = frame.set_index(["week", "replication"])
        entry: dict[str, Any] = {"employment_rate": {}}
        for m in months:
            entry["employment_rate"][str(m)] = _band(
                by_week.loc[month_week(m), "employment_rate"].to_numpy(dtype=float)
            )
        at_end = by_week.loc[last]
        for column in measures_in("summary", "at_end"):
            entry[column] = _band(at_end[column].to_numpy(dtype=float))
        groups[str(group)] = entry
    return {"months": months, "end_week": last, "groups": groups}


def band_text(band: dict[str, float | None], spec: str) -> str:
    """A band's mean as text; a dash where the group had nobody to measure."""
    return "-" if band["mean"] is None else format(band["mean"], spec)


def empty_groups(summary: dict[str, Any]) -> list[str]:
    """Groups of a summary with nobody in them at the end, whose rates are null.

    For example a target group that no rule selects: the analyst is told.
    """
    return [g for g, entry in summary["groups"].items() if not (entry["people"]["mean"] or 0)]


def summary_table(summary: dict[str, Any]) -> str:
    """A plain-text table of a summary (means across replications)."""
    months = summary["months"]
    header = ["group"] + [f"emp {m}m" for m in months] + ["days emp", "activ.", "out LF"]
    rows = [header]
    for group, entry in summary["groups"].items():
        row = [group]
        row += [band_text(entry["employment_rate"][str(m)], ".1%") for m in months]
        row.append(band_text(entry["days_employed_per_person"], ".0f"))
        row.append(band_text(entry["activation_rate"], ".1%"))
        row.append(band_text(entry["out_of_labour_force_share"], ".1%"))
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def table_checksums(folder: Path) -> dict[str, str]:
    """The SHA-256 of each table a run folder holds, for its manifest."""
    return {
        f"{name}.csv": _sha256(folder / f"{name}.csv")
        for name in TABLES
        if (folder / f"{name}.csv").is_file()
    }


def seal(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest with ``seal``: a hash of everything else in it.

    A manifest edited afterwards (a seed, a scale) no longer matches its seal.
    """
    # As written and read back: numbers, strings, lists (a tuple reads back as a list).
    body = json.loads(json.dumps({k: v for k, v in manifest.items() if k != "seal"},
                                 default=_json_default))  # fmt: skip
    text = json.dumps(body, sort_keys=True)
    return {**manifest, "seal": hashlib.sha256(text.encode()).hexdigest()}


def verify_run_folder(folder: Path, manifest: dict[str, Any]) -> None:
    """Refuse a run folder whose manifest or tables changed after the run wrote them.

    Folders written before manifests carried a seal and checksums are read as they are.

    Raises:
        InputError: The manifest does not match its seal, or a table its checksum.
    """
    if "seal" in manifest and seal(manifest)["seal"] != manifest["seal"]:
        raise InputError(
            folder / "manifest.json",
            "",
            "edited or damaged since the run: it does not match its seal",
        )
    for name, expected in (manifest.get("tables") or {}).items():
        path = folder / name
        if not path.is_file():
            raise InputError(path, "", "missing: the run's manifest lists it")
        if _sha256(path) != expected:
            raise InputError(
                path,
                "",
                "edited or damaged since the run: its checksum differs from the manifest's",
            )


def environment() -> dict[str, Any]:
    """Versions of Python and the packages a result depends on, and the git commit."""
    versions = {"python": sys.version.split()[0], "platform": platform.platform()}
    for package in (
        "employment-services-simulation",
        "mesa",
        "numpy",
        "scipy",
        "pandas",
        "matplotlib",
        "click",
    ):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {"versions": versions, "git": _git_state()}


def _git_state() -> dict[str, Any] | None:
    source = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "-C", str(source), "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "modified": bool(status.strip())}
