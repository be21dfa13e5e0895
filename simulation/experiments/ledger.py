"""The ledger of a sweep: every run's state and result, in SQLite, committed as it comes.

A sweep folder holds ``ledger.sqlite``. Each finished run is committed at once, so a
sweep that is stopped or killed loses at most the runs in flight; starting the same
sweep again skips what is done. The ledger records attempts, times, outputs and the
traceback of runs that raised.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import pandas as pd

from simulation.config.errors import InputError
from simulation.experiments.sweep import SweepRun

__all__ = ["Ledger"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run INTEGER PRIMARY KEY,
    point INTEGER NOT NULL,
    replication INTEGER NOT NULL,
    parameters TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    started REAL,
    seconds REAL,
    outputs TEXT,
    error TEXT
);
"""


class Ledger:
    """Run states of one sweep folder.

    Args:
        path: The SQLite file (created if missing).
        digest: The sweep's identity; a folder that holds another sweep is refused.
    """

    def __init__(self, path: str | Path, digest: str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            stored = self._db.execute("SELECT value FROM meta WHERE key='digest'").fetchone()
        except sqlite3.DatabaseError as error:
            raise InputError(
                self.path, "", f"not a sweep ledger, or damaged ({error}); choose another --out"
            ) from None
        if stored is None:
            self._db.execute("INSERT INTO meta VALUES ('digest', ?)", (digest,))
        elif stored[0] != digest:
            raise FileExistsError(
                f"{self.path.parent} holds the runs of another sweep (or of this one before "
                "it changed); choose another --out"
            )

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def register(self, runs: list[SweepRun]) -> None:
        """Add runs that are not in the ledger yet (as pending)."""
        with self._transaction():
            self._db.executemany(
                "INSERT OR IGNORE INTO runs (run, point, replication, parameters) VALUES (?,?,?,?)",
                [(r.index, r.point, r.replication, json.dumps(r.parameters)) for r in runs],
            )
            # Runs that were in flight when a previous sweep stopped start again.
            self._db.execute("UPDATE runs SET state='pending' WHERE state='running'")

    def to_do(self) -> list[int]:
        """Runs not finished successfully (pending or failed), in index order."""
        rows = self._db.execute("SELECT run FROM runs WHERE state != 'done' ORDER BY run")
        return [r[0] for r in rows]

    def started(self, run: int) -> None:
        """A run was handed to a worker."""
        self._db.execute(
            "UPDATE runs SET state='running', attempts=attempts+1, started=? WHERE run=?",
            (time.time(), run),
        )

    def finished(self, result: dict[str, Any]) -> None:
        """Record a run's outcome (``state`` done or failed) with its outputs or error."""
        self._db.execute(
            "UPDATE runs SET state=?, seconds=?-started, outputs=?, error=? WHERE run=?",
            (
                result["state"],
                time.time(),
                json.dumps(result.get("outputs")) if result.get("outputs") else None,
                result.get("error"),
                result["run"],
            ),
        )

    def release(self) -> None:
        """Runs in flight go back to pending (on a clean stop)."""
        self._db.execute("UPDATE runs SET state='pending' WHERE state='running'")

    def counts(self) -> dict[str, int]:
        """Number of runs by state."""
        rows = self._db.execute("SELECT state, COUNT(*) FROM runs GROUP BY state")
        return dict(rows.fetchall())

    def table(self) -> pd.DataFrame:
        """One row per run: index, point, replication, parameters, state, outputs."""
        frame = pd.read_sql_query(
            "SELECT run, point, replication, parameters, state, attempts, seconds, outputs, error "
            "FROM runs ORDER BY run",
            self._db,
        )
        parameters = pd.DataFrame([json.loads(p) for p in frame.pop("parameters")])
        outputs = pd.DataFrame(
            [json.loads(o) if isinstance(o, str) else {} for o in frame.pop("outputs")]
        )
        return pd.concat(
            [
                frame[["run", "point", "replication"]],
                parameters,
                outputs,
                frame[["state", "attempts", "seconds", "error"]],
            ],
            axis=1,
        )

    def _transaction(self) -> Any:
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN")

    def __exit__(self, kind: Any, *_: Any) -> None:
        self.db.execute("ROLLBACK" if kind else "COMMIT")
