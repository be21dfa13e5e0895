"""Another commit checked out beside this tree, for the scripts that time one against it."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def checked_out(rev: str, prefix: str) -> Iterator[tuple[Path, Path]]:
    """Check ``rev`` out into a temporary git worktree; yield it and its scratch folder.

    The worktree is removed on leaving, whatever happened inside.
    """
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        other = Path(folder) / "tree"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(other), rev],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            yield other, Path(folder)
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(other)], cwd=ROOT, check=False
            )
