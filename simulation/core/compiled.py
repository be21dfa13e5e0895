"""Where numba keeps the compiled passes: a cache keyed by every file they are built from.

numba's own cache is invalidated only when the file of a cached function changes, not
when a function it calls from another file does (numba's documented limitation); the
passes inline the rules of :mod:`simulation.core.rules` and read constants of
:mod:`simulation.core.codes` and the plan. Left to itself, an edited rule would keep
running in its old compiled form until the pass's own file changed. So the cache lives
in a directory named by a fingerprint of all those files (:data:`COMPILED_SOURCES`)
and of the compiler settings that change the code without changing its cache key
(bounds checking, the optimisation level). A new version of any of them compiles into
a new directory; the last few versions are kept, so that switching back is instant.

The directory is ``simulation/core/__pycache__/compiled/`` (next to the sources, as
numba does by default), under ``NUMBA_CACHE_DIR`` if that is set, or in the user's
cache directory where the package's own folder is not writable.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import numba

__all__ = [
    "COMPILED_SOURCES",
    "KEPT_VERSIONS",
    "cache_directory",
    "compiled_sources",
    "fingerprint",
    "prune_versions",
    "use_keyed_cache",
]

#: The package's files the compiled passes are built from (globs under ``simulation/``):
#: the passes, the rules they inline, and every module either imports from, directly or
#: not, whose constants numba freezes into the code (tests/test_compiled_cache.py checks
#: that this covers all of them).
COMPILED_SOURCES = (
    "core/passes/*.py",
    "core/rules/*.py",
    "core/__init__.py",
    "core/codes.py",
    "core/decisions.py",
    "core/plan.py",
    "core/roster.py",
    "config/*.py",
)

#: Cache directories of other versions of the sources kept beside the current one.
KEPT_VERSIONS = 3

_PACKAGE = Path(__file__).resolve().parent.parent
_PREFIX = "passes-"
_in_use: Path | None = None


def compiled_sources(package: Path = _PACKAGE) -> list[Path]:
    """The files of :data:`COMPILED_SOURCES` under ``package``, in a fixed order."""
    files = {path for pattern in COMPILED_SOURCES for path in package.glob(pattern)}
    return sorted(files, key=lambda path: path.relative_to(package).as_posix())


def fingerprint(package: Path = _PACKAGE) -> str:
    """A hash of the compiled passes' source files and the compiler settings.

    The settings are those that change the code numba caches under the same key: its
    version, bounds checking and the optimisation level.

    Args:
        package: The ``simulation`` package folder.
    """
    settings = (
        f"numba {numba.__version__}",
        f"boundscheck {numba.config.BOUNDSCHECK}",
        f"opt {numba.config.OPT}",
    )
    digest = hashlib.sha256()
    for item in settings:
        digest.update(item.encode() + b"\0")
    for path in compiled_sources(package):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _base() -> Path:
    """The folder holding one cache directory per version of the sources."""
    given = os.environ.get("NUMBA_CACHE_DIR")
    if given:
        return Path(given) / "simulation"
    beside = _PACKAGE / "core" / "__pycache__"
    if os.access(beside if beside.exists() else beside.parent, os.W_OK):
        return beside / "compiled"
    user = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return user / "simulation" / "compiled"


def cache_directory() -> Path:
    """The cache directory of the compiled passes as the sources are now."""
    return _base() / f"{_PREFIX}{fingerprint()}"


def prune_versions(base: Path, current: Path) -> None:
    """Remove the cache directories of all but the :data:`KEPT_VERSIONS` newest others."""
    others = [p for p in base.glob(f"{_PREFIX}*") if p != current and p.is_dir()]
    others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in others[KEPT_VERSIONS:]:
        shutil.rmtree(old, ignore_errors=True)


def use_keyed_cache() -> Path:
    """Point numba's cache at :func:`cache_directory`; call before any pass is defined.

    numba fixes a function's cache location when the function is decorated, so the
    rules and the passes call this at the top of their packages. Idempotent.
    """
    global _in_use
    if _in_use is None:
        directory = cache_directory()
        if not directory.exists():
            directory.mkdir(parents=True, exist_ok=True)
            prune_versions(directory.parent, directory)
        numba.config.CACHE_DIR = str(directory)
        _in_use = directory
    return _in_use
